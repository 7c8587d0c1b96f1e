//! Strategies for topologies and for states reachable from a healthy deployment.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::input::{Alphabet, sequence};
use crate::machine;
use crate::model::{
    CompositeSpec, HostName, ManagerOptions, ServiceName, ServiceSpec, State, Topology,
    TopologySpec,
};

fn names(prefix: &str, from: usize, count: usize) -> Vec<HostName> {
    (from..from + count)
        .filter_map(|i| HostName::new(format!("{prefix}{i}")).ok())
        .collect()
}

/// Single-service topologies `alpha` with 1 to 5 datasources (`db1`...), sometimes an active
/// witness (with an even number of datasources, where Tungsten's quorum rule is sound: see
/// [`Topology::quorum_hazards`]), sometimes an application host running only a connector,
/// sometimes a failover precedence that is not the topology order, sometimes the managers'
/// replicator fences on (`policy.fence.slaveReplicator`, `policy.fence.masterReplicator`).
pub fn single_topology() -> impl Strategy<Value = Topology> {
    (
        1_usize..=5,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        fence_options(),
    )
        .prop_filter_map(
            "valid topology",
            |(n, witness, app, precedence, options)| {
                let datasources = names("db", 1, n);
                let mut spec = TopologySpec::single("alpha", &[]).ok()?;
                let service = spec.services.first_mut()?;
                service.datasources.clone_from(&datasources);
                if witness && n % 2 == 0 {
                    service.witnesses = names("w", 1, 1);
                }
                if app {
                    let mut connectors = datasources.clone();
                    connectors.extend(names("app", 1, 1));
                    service.connectors = Some(connectors);
                }
                if precedence {
                    service.precedence = datasources
                        .iter()
                        .rev()
                        .enumerate()
                        .filter_map(|(i, h)| Some((h.clone(), u8::try_from(i + 1).ok()?)))
                        .collect::<BTreeMap<_, _>>();
                }
                Topology::try_from(spec)
                    .ok()
                    .map(|t| t.with_options(options))
            },
        )
}

/// The managers' fencing properties: each off three times in four (their default), so most
/// cases keep Tungsten's defaults and each fence is still tried often.
fn fence_options() -> impl Strategy<Value = ManagerOptions> {
    (prop::bool::weighted(0.25), prop::bool::weighted(0.25)).prop_map(|(slave, master)| {
        ManagerOptions {
            fence_slave_replicator: slave,
            fence_master_replicator: master,
        }
    })
}

/// Two-site multisite topologies (`east`, `west`, 1 to 3 datasources each, cross-site
/// replicators both ways).
pub fn multisite_topology() -> impl Strategy<Value = Topology> {
    (1_usize..=3, 1_usize..=3).prop_filter_map("valid topology", |(e, w)| {
        let east: Vec<String> = (1..=e).map(|i| format!("e{i}")).collect();
        let west: Vec<String> = (1..=w).map(|i| format!("w{i}")).collect();
        let east: Vec<&str> = east.iter().map(String::as_str).collect();
        let west: Vec<&str> = west.iter().map(String::as_str).collect();
        Topology::multisite(&[("east", &east), ("west", &west)]).ok()
    })
}

/// Two-site active/passive composites `global` over `east` (`e1`..., active) and `west`
/// (`w1`..., passive: `w1` a relay reading `e1`), 1 to 3 datasources each.
pub fn composite_topology() -> impl Strategy<Value = Topology> {
    (1_usize..=3, 1_usize..=3).prop_filter_map("valid topology", |(e, w)| {
        let service = |name: &str, prefix: &str, n: usize| -> Option<ServiceSpec> {
            Some(ServiceSpec {
                name: ServiceName::new(name).ok()?,
                datasources: names(prefix, 1, n),
                witnesses: Vec::new(),
                connectors: None,
                precedence: BTreeMap::new(),
            })
        };
        let mut spec = TopologySpec::single("east", &[]).ok()?;
        spec.services = vec![service("east", "e", e)?, service("west", "w", w)?];
        spec.composites = vec![CompositeSpec {
            name: ServiceName::new("global").ok()?,
            members: vec![
                ServiceName::new("east").ok()?,
                ServiceName::new("west").ok()?,
            ],
        }];
        Topology::try_from(spec).ok()
    })
}

/// Any topology the strategies know: mostly single services, sometimes two sites, as
/// independent clusters replicating both ways or as an active/passive composite.
pub fn topology() -> impl Strategy<Value = Topology> {
    prop_oneof![
        8 => single_topology(),
        1 => multisite_topology(),
        1 => composite_topology()
    ]
}

/// A state reachable from `topology`'s healthy state by up to `steps` inputs of `alphabet`
/// (refused inputs are skipped, as the engine leaves the state unchanged).
pub fn reachable_state(
    topology: &Topology,
    alphabet: Alphabet,
    steps: usize,
) -> impl Strategy<Value = State> + use<> {
    let t = topology.clone();
    sequence(topology, alphabet, steps).prop_map(move |inputs| {
        let mut state = State::healthy(&t);
        for input in &inputs {
            if let Ok(outcome) = machine::apply(&t, &state, input) {
                state = outcome.state;
            }
        }
        state
    })
}

/// A topology and a state reachable in it.
pub fn scenario(alphabet: Alphabet, steps: usize) -> impl Strategy<Value = (Topology, State)> {
    scenario_in(topology(), alphabet, steps)
}

/// A topology drawn from `topologies` and a state reachable in it.
pub fn scenario_in(
    topologies: impl Strategy<Value = Topology>,
    alphabet: Alphabet,
    steps: usize,
) -> impl Strategy<Value = (Topology, State)> {
    topologies.prop_flat_map(move |t| {
        let states = reachable_state(&t, alphabet, steps);
        (Just(t), states)
    })
}

/// Service names of the topologies above, for goals and prompts.
#[must_use]
pub fn service_names() -> Vec<ServiceName> {
    ["alpha", "east", "west", "global"]
        .iter()
        .filter_map(|s| ServiceName::new(*s).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::draws::draws;

    /// The single-service strategy gives every size from one to five datasources, named
    /// `db1`..`dbN`, with and without a witness and an application host.
    #[test]
    fn single_topologies_cover_every_size_and_extra() {
        let (mut sizes, mut witness, mut app) = (std::collections::BTreeSet::new(), false, false);
        let mut reversed = false;
        for t in draws(&single_topology(), 400) {
            let ds: Vec<&crate::model::Host> =
                t.hosts().iter().filter(|h| h.is_datasource()).collect();
            let names: Vec<String> = ds.iter().map(|h| h.name.to_string()).collect();
            let expected: Vec<String> = (1..=ds.len()).map(|i| format!("db{i}")).collect();
            assert_eq!(names, expected);
            sizes.insert(ds.len());
            // A witness only beside an even number of datasources.
            let has_witness = t.hosts().iter().any(|h| h.name.as_str() == "w1");
            assert!(
                !has_witness || ds.len().is_multiple_of(2),
                "{names:?} with a witness"
            );
            witness |= has_witness;
            app |= t.hosts().iter().any(|h| h.name.as_str() == "app1");
            // Precedence is the default (1 each) or the topology order reversed (dbN first).
            let precedence: Vec<u8> = ds.iter().map(|h| h.precedence).collect();
            let backwards: Vec<u8> = (1..=ds.len())
                .rev()
                .map(|i| u8::try_from(i).unwrap())
                .collect();
            assert!(
                precedence.iter().all(|&p| p == 1) || precedence == backwards,
                "{precedence:?}"
            );
            reversed |= ds.len() > 1 && precedence == backwards;
        }
        assert_eq!(sizes.into_iter().collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
        assert!(witness && app && reversed);
    }

    /// `service_names` holds every service the topology strategies name, so goals and prompts
    /// drawn from it can address any of them.
    #[test]
    fn service_names_cover_every_service_of_the_topologies() {
        let names = service_names();
        let mut seen = std::collections::BTreeSet::new();
        for t in draws(&topology(), 200) {
            for service in t.services() {
                seen.insert(service.name.to_string());
                assert!(names.contains(&service.name), "{}", service.name);
            }
        }
        assert_eq!(
            seen.into_iter().collect::<Vec<_>>(),
            ["alpha", "east", "global", "west"]
        );
    }

    /// The composite strategy gives active/passive composites of two sites, every size of
    /// each from one to three, whose healthy start has one writable master across the sites.
    #[test]
    fn composite_topologies_are_active_passive_with_one_master() {
        let mut sizes = std::collections::BTreeSet::new();
        for t in draws(&composite_topology(), 100) {
            assert_eq!(t.active_passive().count(), 1);
            let [east, west] = ["east", "west"].map(|s| t.service_id(s).unwrap());
            sizes.insert((
                t.datasources_of(east).count(),
                t.datasources_of(west).count(),
            ));
            let s = State::healthy(&t);
            assert!(crate::machine::invariant::check(&t, &s).is_none());
            let masters = t
                .host_ids()
                .filter(|&h| s.host(h).replicator.role == crate::model::ReplicatorRole::Master)
                .count();
            assert_eq!(masters, 1);
        }
        assert_eq!(sizes.len(), 9);
    }
}
