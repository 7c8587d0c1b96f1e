//! Strategies for engine inputs over a given topology: cctrl, trepctl and host commands,
//! faults, and sequences mixing them.

use proptest::prelude::*;
use proptest::sample::select;

use crate::command::{DatasourceAction, Lifecycle, ResetScope, TpmAction};
use crate::fault::{Fault, Process, Split};
use crate::machine::{CctrlOp, HostOp, Input, Install, ReplicatorOp, TrepctlOp};
use crate::model::{HostId, MAX_HOSTS, PolicyMode, ReplicatorRole, ReplicatorState, Topology};

pub use crate::explore::Alphabet;

fn hosts(topology: &Topology) -> Vec<HostId> {
    topology.host_ids().collect()
}

fn datasources(topology: &Topology) -> Vec<HostId> {
    topology
        .host_ids()
        .filter(|&h| topology.host(h).is_datasource())
        .collect()
}

fn managers(topology: &Topology) -> Vec<HostId> {
    topology
        .host_ids()
        .filter(|&h| topology.host(h).has_manager())
        .collect()
}

fn has_cross_site(topology: &Topology) -> bool {
    topology.hosts().iter().any(|h| h.cross_site_from.is_some())
}

/// The installs commands may address: the cross-site one only where the topology has it.
fn installs(topology: &Topology) -> Vec<Install> {
    if has_cross_site(topology) {
        vec![Install::Cluster, Install::CrossSite]
    } else {
        vec![Install::Cluster]
    }
}

fn datasource_action() -> impl Strategy<Value = DatasourceAction> {
    prop_oneof![
        3 => Just(DatasourceAction::Online),
        2 => Just(DatasourceAction::Offline),
        2 => Just(DatasourceAction::Shun),
        3 => Just(DatasourceAction::Welcome),
        3 => Just(DatasourceAction::Recover),
        2 => Just(DatasourceAction::Fail),
        2 => Just(DatasourceAction::Slave),
        3 => Just(DatasourceAction::Master),
        1 => Just(DatasourceAction::Relay),
        1 => Just(DatasourceAction::Restore),
        1 => Just(DatasourceAction::Backup),
        1 => Just(DatasourceAction::Drain(None)),
    ]
}

/// cctrl inputs typed into any manager, biased toward the dangerous commands: promotions,
/// welcomes, role changes (slaves and relays of a named source included), and (when `force`)
/// forced sessions.
pub fn cctrl(topology: &Topology, force: bool) -> impl Strategy<Value = Input> + use<> {
    let ds = select(datasources(topology));
    let maybe_ds = proptest::option::of(select(datasources(topology)));
    let services: Vec<_> = topology.physical_services().collect();
    // The sites a command at a composite names, and `use` of a composite to type it there.
    let every_service: Vec<_> = (0..topology.services().len())
        .filter_map(crate::model::ServiceId::from_index)
        .collect();
    let site = select(every_service.clone());
    let maybe_site = proptest::option::of(select(every_service.clone()));
    let op = prop_oneof![
        3 => select(vec![PolicyMode::Automatic, PolicyMode::Manual, PolicyMode::Maintenance]).prop_map(CctrlOp::SetPolicy),
        2 => any::<bool>().prop_map(move |on| CctrlOp::SetForce(on && force)),
        1 => select(services).prop_map(CctrlOp::Use),
        12 => (ds.clone(), datasource_action()).prop_map(|(h, a)| CctrlOp::Datasource(h, a)),
        6 => (ds.clone(), prop_oneof![
            Just(ReplicatorOp::Online),
            Just(ReplicatorOp::Offline),
            Just(ReplicatorOp::Master),
            Just(ReplicatorOp::Slave(None)),
            maybe_ds.clone().prop_map(ReplicatorOp::Slave),
            maybe_ds.clone().prop_map(ReplicatorOp::Relay),
            Just(ReplicatorOp::Process(Lifecycle::Start)),
            Just(ReplicatorOp::Process(Lifecycle::Stop)),
            Just(ReplicatorOp::Process(Lifecycle::Restart)),
        ]).prop_map(|(h, op)| CctrlOp::Replicator(h, op)),
        2 => (maybe_ds.clone(), any::<bool>()).prop_map(|(h, on)| CctrlOp::Router(h, on)),
        3 => Just(CctrlOp::Recover),
        2 => ds.clone().prop_map(CctrlOp::RecoverMasterUsing),
        3 => maybe_ds.clone().prop_map(CctrlOp::Switch),
        3 => maybe_ds.prop_map(CctrlOp::Failover),
        1 => Just(CctrlOp::Heartbeat),
        1 => select(every_service).prop_map(CctrlOp::Use),
        2 => maybe_site.clone().prop_map(CctrlOp::SwitchSite),
        // A composite `failover` assumes the lost site down, as force does: drawn with it.
        2 => maybe_site.prop_map(move |s| if force {
            CctrlOp::FailoverSite(s)
        } else {
            CctrlOp::SwitchSite(s)
        }),
        1 => Just(CctrlOp::RecoverSites),
        3 => (site, datasource_action()).prop_map(|(s, a)| CctrlOp::SiteDatasource(s, a)),
    ];
    (select(managers(topology)), op).prop_map(|(at, op)| Input::Cctrl { at, op })
}

/// trepctl inputs on any datasource.
pub fn trepctl(topology: &Topology) -> impl Strategy<Value = Input> + use<> {
    let ds = datasources(topology);
    let op = prop_oneof![
        Just(TrepctlOp::Online),
        Just(TrepctlOp::Offline),
        Just(TrepctlOp::OfflineDeferred),
        Just(TrepctlOp::Reset(ResetScope::All)),
        (
            select(vec![
                ReplicatorRole::Master,
                ReplicatorRole::Slave,
                ReplicatorRole::Relay
            ]),
            proptest::option::of(select(ds.clone()))
        )
            .prop_map(|(role, m)| TrepctlOp::SetRole(role, m)),
        Just(TrepctlOp::Flush),
        Just(TrepctlOp::Heartbeat),
        // `online -skip-seqno N-M`: a skipped event leaves the data drifted.
        (0_u32..4, 0_u32..3).prop_map(|(n, k)| TrepctlOp::OnlineSkipping {
            lowest: n.into(),
            highest: (n + k).into(),
        }),
        (0_u32..4).prop_map(|n| TrepctlOp::OnlineFromBaseSeqno(n.into())),
        select(vec![
            ReplicatorState::Online,
            ReplicatorState::OfflineNormal,
            ReplicatorState::OfflineError,
        ])
        .prop_map(TrepctlOp::Wait),
        Just(TrepctlOp::Inspect),
    ];
    (
        select(ds.clone()),
        select(ds),
        select(installs(topology)),
        op,
    )
        .prop_map(|(on, target, install, op)| Input::Trepctl {
            on,
            target,
            install,
            op,
        })
}

/// Host commands on any host.
pub fn host(topology: &Topology) -> impl Strategy<Value = Input> + use<> {
    let ds = datasources(topology);
    let install = select(installs(topology));
    let lifecycle = select(vec![Lifecycle::Start, Lifecycle::Stop, Lifecycle::Restart]);
    let op = prop_oneof![
        install.clone().prop_map(HostOp::StartAll),
        install.clone().prop_map(HostOp::StopAll),
        lifecycle.clone().prop_map(HostOp::Manager),
        (install.clone(), lifecycle.clone()).prop_map(|(i, l)| HostOp::Replicator(i, l)),
        (install, any::<bool>())
            .prop_map(|(install, restart)| HostOp::ReplicatorStartOffline { install, restart }),
        lifecycle.clone().prop_map(HostOp::Connector),
        lifecycle.prop_map(HostOp::DataServer),
        select(ds).prop_map(|source| HostOp::Provision { source }),
        Just(HostOp::Tpm(TpmAction::Validate)),
    ];
    (select(hosts(topology)), op).prop_map(|(on, op)| Input::Host { on, op })
}

/// A split of the topology's hosts into up to three groups, each host's group drawn
/// independently: some splits leave every host in one group (a partition that cuts nothing),
/// and a topology of one host has no other split.
pub fn split(topology: &Topology) -> impl Strategy<Value = Split> + use<> {
    let n = topology.hosts().len();
    proptest::collection::vec(0_u8..3, n).prop_map(|labels| {
        let mut all = [0_u8; MAX_HOSTS];
        all[..labels.len()].copy_from_slice(&labels);
        Split::from_labels(all)
    })
}

/// Faults and world events; partitions only when `partitions`.
pub fn fault(topology: &Topology, partitions: bool) -> impl Strategy<Value = Fault> + use<> {
    faults(topology, true, partitions)
}

fn faults(topology: &Topology, others: bool, partitions: bool) -> BoxedStrategy<Fault> {
    let h = select(hosts(topology));
    let ds = select(datasources(topology));
    let process = select(vec![
        Process::Manager,
        Process::Replicator,
        Process::Connector,
        Process::DataServer,
    ]);
    let mut options: Vec<(u32, BoxedStrategy<Fault>)> = Vec::new();
    if others {
        options.extend([
            (2, h.clone().prop_map(Fault::HostCrash).boxed()),
            (4, h.clone().prop_map(Fault::HostRestart).boxed()),
            (
                2,
                (h.clone(), process.clone())
                    .prop_map(|(h, p)| Fault::Stop(h, p))
                    .boxed(),
            ),
            (
                2,
                (h, process).prop_map(|(h, p)| Fault::Start(h, p)).boxed(),
            ),
            (1, ds.clone().prop_map(Fault::ReplicatorError).boxed()),
            (4, ds.clone().prop_map(Fault::Write).boxed()),
            (1, ds.clone().prop_map(Fault::Drift).boxed()),
            (4, ds.clone().prop_map(Fault::CatchUp).boxed()),
        ]);
        if has_cross_site(topology) {
            options.push((1, ds.prop_map(Fault::CrossSiteCatchUp).boxed()));
        }
    }
    if partitions {
        options.push((1, split(topology).prop_map(Fault::Partition).boxed()));
        options.push((2, Just(Fault::Heal).boxed()));
    }
    if options.is_empty() {
        return Just(Fault::Heal).boxed();
    }
    proptest::strategy::Union::new_weighted(options).boxed()
}

/// One input drawn from `alphabet`.
///
/// An alphabet that offers nothing ([`Alphabet::NONE`]) draws [`Fault::Heal`] every time:
/// a strategy must draw something, and a heal with no partition changes nothing.
pub fn input(topology: &Topology, alphabet: Alphabet) -> impl Strategy<Value = Input> + use<> {
    let mut options: Vec<(u32, BoxedStrategy<Input>)> = Vec::new();
    if alphabet.cctrl {
        options.push((6, cctrl(topology, alphabet.force).boxed()));
    }
    if alphabet.trepctl {
        options.push((1, trepctl(topology).boxed()));
    }
    if alphabet.host {
        options.push((1, host(topology).boxed()));
        if alphabet.cctrl {
            // `echo '<command>' | cctrl` in a shell: a session of its own.
            options.push((
                1,
                cctrl(topology, alphabet.force)
                    .prop_map(|input| match input {
                        Input::Cctrl { at, op } => Input::PipedCctrl { at, op },
                        other => other,
                    })
                    .boxed(),
            ));
        }
    }
    if alphabet.faults || alphabet.partitions {
        options.push((
            5,
            faults(topology, alphabet.faults, alphabet.partitions)
                .prop_map(Input::Fault)
                .boxed(),
        ));
    }
    if options.is_empty() {
        return Just(Input::Fault(Fault::Heal)).boxed();
    }
    proptest::strategy::Union::new_weighted(options).boxed()
}

/// A sequence of up to `max_len` inputs drawn from `alphabet`.
pub fn sequence(
    topology: &Topology,
    alphabet: Alphabet,
    max_len: usize,
) -> impl Strategy<Value = Vec<Input>> + use<> {
    proptest::collection::vec(input(topology, alphabet), 0..=max_len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::CctrlOp;
    use crate::strategy::draws::draws;

    /// The cctrl strategy names every datasource of a topology (and no witness), so that no
    /// host's rules go untested.
    #[test]
    fn cctrl_inputs_name_every_datasource_and_no_witness() {
        let mut spec = crate::model::TopologySpec::single("alpha", &["db1", "db2", "db3"]).unwrap();
        spec.services[0]
            .witnesses
            .push(crate::model::HostName::new("w1").unwrap());
        let t = Topology::try_from(spec).unwrap();
        let mut named = std::collections::HashSet::new();
        for input in draws(&cctrl(&t, true), 2000) {
            if let Input::Cctrl {
                op: CctrlOp::Datasource(h, _),
                ..
            } = input
            {
                named.insert(h);
            }
        }
        let expected: std::collections::HashSet<HostId> = datasources(&t).into_iter().collect();
        assert_eq!(expected.len(), 3);
        assert_eq!(named, expected);
    }

    /// Replicators are made slaves and relays of a named source, by cctrl and by trepctl, as
    /// well as slaves of the master the managers pick: a relay copies another site's
    /// positions, which a review of `State::validate` found the generators never drew.
    #[test]
    fn replicators_are_pointed_at_named_sources_and_made_relays() {
        use crate::machine::{ReplicatorOp, TrepctlOp};
        let t =
            Topology::multisite(&[("east", &["db1", "db2"]), ("west", &["db3", "db4"])]).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for input in draws(&cctrl(&t, true), 2000) {
            if let Input::Cctrl {
                op: CctrlOp::Replicator(_, op),
                ..
            } = input
            {
                seen.insert(match op {
                    ReplicatorOp::Slave(Some(_)) => "cctrl slave of a named source",
                    ReplicatorOp::Relay(Some(_)) => "cctrl relay of a named source",
                    ReplicatorOp::Relay(None) => "cctrl relay",
                    _ => continue,
                });
            }
        }
        for input in draws(&trepctl(&t), 2000) {
            if let Input::Trepctl {
                op: TrepctlOp::SetRole(ReplicatorRole::Relay, Some(_)),
                ..
            } = input
            {
                seen.insert("trepctl relay of a named source");
            }
        }
        assert_eq!(
            seen.into_iter().collect::<Vec<_>>(),
            [
                "cctrl relay",
                "cctrl relay of a named source",
                "cctrl slave of a named source",
                "trepctl relay of a named source"
            ]
        );
    }

    /// cctrl inputs are typed at every host that runs a manager, witnesses included, and at
    /// no connector-only host (cargo-mutants: typing them all at one host passed every other
    /// test).
    #[test]
    fn cctrl_inputs_are_typed_at_every_manager() {
        let t: Topology = serde_json::from_value(serde_json::json!({
            "services": [{"name": "alpha", "datasources": ["db1", "db2", "db3"],
                          "witnesses": ["w1"], "connectors": ["app"]}]
        }))
        .unwrap();
        let mut typed_at = std::collections::BTreeSet::new();
        for input in draws(&cctrl(&t, true), 500) {
            if let Input::Cctrl { at, .. } = input {
                typed_at.insert(t.host_name(at).as_str().to_owned());
            }
        }
        assert_eq!(
            typed_at.into_iter().collect::<Vec<_>>(),
            ["db1", "db2", "db3", "w1"]
        );
    }

    /// Commands address the cross-site install, and faults catch a cross-site replicator up,
    /// exactly where the topology has cross-site replicators (cargo-mutants: offering them
    /// everywhere, or nowhere, passed every other test).
    #[test]
    fn cross_site_inputs_are_drawn_only_where_the_topology_has_them() {
        let single = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let two_sites =
            Topology::multisite(&[("east", &["db1", "db2"]), ("west", &["db3", "db4"])]).unwrap();
        let cross_site = |t: &Topology| {
            let (mut install, mut catch_up) = (false, false);
            for drawn in draws(&input(t, Alphabet::ALL), 5000) {
                match drawn {
                    Input::Trepctl {
                        install: Install::CrossSite,
                        ..
                    }
                    | Input::Host {
                        op:
                            HostOp::StartAll(Install::CrossSite)
                            | HostOp::StopAll(Install::CrossSite)
                            | HostOp::Replicator(Install::CrossSite, _)
                            | HostOp::ReplicatorStartOffline {
                                install: Install::CrossSite,
                                ..
                            },
                        ..
                    } => install = true,
                    Input::Fault(Fault::CrossSiteCatchUp(_)) => catch_up = true,
                    _ => {}
                }
            }
            (install, catch_up)
        };
        assert_eq!(cross_site(&single), (false, false));
        assert_eq!(cross_site(&two_sites), (true, true));
    }
}
