//! The named invariants, checked after every transition.
//!
//! Their names are part of the API: reports, traces and tests refer to them.

use serde::{Deserialize, Serialize};

use crate::model::{
    DataSourceRole, DsState, HostId, HostSet, MAX_HOSTS, MAX_SERVICES, PolicyMode, Quorum,
    ReplicatorRole, ServiceId, ShunCause, State, Topology,
};

/// A safety property of every reachable state.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[strum(serialize_all = "kebab-case")]
#[strum(parse_err_ty = crate::text::UnknownName, parse_err_fn = crate::text::UnknownName::of::<Self>)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Invariant {
    /// `single-writable-master`: per physical service, at most one datasource is a writable
    /// master: its host is up with its dataserver running, a manager that reaches it holds a
    /// view with it master and ONLINE, and a running, online connector of the service (at a
    /// site of an active/passive composite, of any of its sites) reaches it (when there are
    /// connectors at all). Views on both sides of a partition count.
    /// Per active/passive composite dataservice too, across its sites (one active site takes
    /// the writes; a composite whose sites replicate through cross-site services is
    /// active/active and keeps one per site; Continuent docs *operations-status-roles*: a passive
    /// site's relay becomes a master only when the Active role moves). An operator review
    /// found a passive site's master promoted beside the active one read VALID; a multisite
    /// deployment of independent clusters (seed 000) has no composite and keeps one per site.
    SingleWritableMaster,
    /// `single-extractor`: per physical service, among hosts that reach each other and that a
    /// running manager of a primary partition reaches, at most one running, online replicator
    /// in master role. (**Modelling decision**, narrower than DESIGN.md's "at most one"
    /// because plain Tungsten behaviour breaks that: a partitioned old master whose manager
    /// is stopped keeps extracting while the majority fails over, and nothing stops it.)
    /// Two extractors on either side of a partition cannot feed the same slaves; once the
    /// network heals, a group of managers with quorum retires the one that is not the
    /// master's. Where no such group reaches both (every manager stopped, as the
    /// `apply_sequence` fuzzer found, or only a minority running), no part of Tungsten can
    /// retire either; neither is writable then (`single-writable-master` still counts), and
    /// the first manager to gain quorum over both retires the stray.
    SingleExtractor,
    /// `replication-source`: every online slave (or relay) replicator replicates from another
    /// datasource, never from itself, and following sources from it reaches, without looping,
    /// a master-role replicator that no failover has replaced: not `SHUNNED(FAILED-OVER-TO-..)`
    /// (nor `SUPERSEDED`) in the view of that master's managers reaching the slave. Each
    /// slave hop stays within the service of the slave that takes it; only a relay reads
    /// from another site. Slaves serve THL, so a chain through another slave is legitimate in
    /// Tungsten (a slave left pointing at a demoted master still receives the new master's
    /// events through it, and so does a relay reading from a remote slave); a loop, or a
    /// chain that ends nowhere, is not. A chain may also end at a thl-server that the
    /// managers hold as the service's master datasource: Continuent docs
    /// *operations-status-repl-roles* give that role to a Primary's replicator while the
    /// Primary is offline, so that its slaves can still fetch the THL it extracted (found
    /// by an operator review: the documented steps were refused as cutting the slaves
    /// off). A chain that ends at a replaced master counts only
    /// while a running manager of the slave's own service, in a primary partition and not in
    /// MAINTENANCE, reaches the slave (**modelling decision**, like `single-extractor`'s: a
    /// failover leaves such chains behind, and only those managers retire them; when none
    /// runs, as the `apply_sequence` fuzzer found with a relay of another site's master whose
    /// own site had every manager down when that master failed over, no part of Tungsten can
    /// act; in MAINTENANCE the managers fence nothing, *operations-policymodes*).
    ReplicationSource,
    /// `position-order`: every online slave holds only events its master has: its position is
    /// in its master's history.
    PositionOrder,
}

/// An invariant that does not hold: which, in which service, and the hosts involved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Violation {
    /// The invariant.
    pub invariant: Invariant,
    /// The service it fails in.
    pub service: ServiceId,
    /// The hosts involved (both masters, the looping slave and its source, ...).
    pub hosts: HostSet,
}

impl Violation {
    /// A sentence naming the hosts: `single-writable-master broken in alpha: db2, db3 are
    /// writable masters`.
    #[must_use]
    pub fn describe(&self, topology: &Topology) -> String {
        let names: Vec<&str> = self
            .hosts
            .iter()
            .map(|h| topology.host_name(h).as_str())
            .collect();
        let names = names.join(", ");
        let service = topology.service_name(self.service);
        let what = match self.invariant {
            Invariant::SingleWritableMaster => format!("{names} are writable masters"),
            Invariant::SingleExtractor => format!("{names} all extract as masters"),
            Invariant::ReplicationSource => {
                format!("{names}: a slave replicates from a host that is not a master or relay")
            }
            Invariant::PositionOrder => format!("{names}: a slave holds events its master lacks"),
        };
        format!("{} broken in {service}: {what}", self.invariant)
    }
}

/// The writable masters of each physical service among every host of the topology, by
/// service index (`None` where not computed): what the transition reports writable masters
/// from ([`super::Ctx::report_writable_behind`]) and hands to the guard's check, which would
/// otherwise compute them again for the same state.
pub(crate) type WritableByService = [Option<HostSet>; MAX_SERVICES];

/// Where the sources of each host's replicator led, by host (`None` where not followed): the
/// first source followed, and the chain's end. The managers' last round of reactions follows
/// them in the state the guard then checks ([`super::Ctx::chains`]).
pub(crate) type KnownChains = [Option<(Option<HostId>, Result<(), ChainBreak>)>; MAX_HOSTS];

/// What the transition computed already about the state the guard checks, so that the check
/// does not compute it again: the check is pure, so the same question about the same state
/// has the same answer.
pub(crate) struct Known {
    /// The writable masters, by service.
    pub(crate) writable: WritableByService,
    /// The source chains followed, by host.
    pub(crate) chains: KnownChains,
}

impl Known {
    /// Nothing known: every check computes all it needs.
    pub(crate) const NOTHING: Self = Self {
        writable: [None; MAX_SERVICES],
        chains: [None; MAX_HOSTS],
    };
}

/// Every datasource of `service` that is a writable master, among the hosts of `scope`.
#[must_use]
pub fn writable_masters(
    topology: &Topology,
    state: &State,
    service: ServiceId,
    scope: HostSet,
) -> HostSet {
    // Run after every input and in every invariant check: the sets are taken once, and the
    // view entry (which rules out most pairs) is read before reachability.
    let managers = topology.manager_set(service);
    let connectors = routing_connectors(topology, service);
    topology
        .datasource_set(service)
        .intersection(scope)
        .iter()
        .filter(|&h| {
            let host = state.host(h);
            host.up
                && host.dataserver
                && managers.iter().any(|m| {
                    state.view(m).entry(h).is_online_master()
                        && state.manager_running(m)
                        && state.reachable(m, h)
                })
                && routed_by(state, connectors, h)
        })
        .collect()
}

/// Whether clients of `service` reach `h` for writes: a connector of the service that runs,
/// routes (ONLINE) and reaches `h`; or the service has no connector (applications then
/// connect to the datasources directly). At a site of an active/passive composite, the
/// connectors of every site count ([`routing_connectors`]).
pub(crate) fn routed(topology: &Topology, state: &State, service: ServiceId, h: HostId) -> bool {
    routed_by(state, routing_connectors(topology, service), h)
}

/// The connectors that route clients to `service`'s master: its own, or, at a site of an
/// active/passive composite, every site's. Such connectors route for the composite, to the
/// master of its active site wherever it is (Continuent docs *operations-composite-switch*,
/// <https://docs.continuent.com/tungsten-clustering-7.1/operations-composite-switch.html>:
/// `use east; ls` there lists the connectors of both sites). An operator's review found a
/// composite switched to `west`, then west's connectors stopped, reported with no writable
/// master while east's three connectors ran (and `global writable` unmet).
fn routing_connectors(topology: &Topology, service: ServiceId) -> HostSet {
    match topology.composite_of(service) {
        Some((_, members)) => members.iter().fold(HostSet::EMPTY, |set, &m| {
            set.union(topology.connector_set(m))
        }),
        None => topology.connector_set(service),
    }
}

/// [`routed`] through `connectors`, the service's.
fn routed_by(state: &State, connectors: HostSet, h: HostId) -> bool {
    connectors.is_empty()
        || connectors.iter().any(|c| {
            let connector = state.host(c).connector;
            connector.running && connector.online && state.reachable(c, h)
        })
}

/// The first invariant broken in `state`, if any.
#[must_use]
pub fn check(topology: &Topology, state: &State) -> Option<Violation> {
    check_within(topology, state, topology.host_set())
}

/// Every invariant broken in `state`.
#[must_use]
pub fn check_all(topology: &Topology, state: &State) -> Vec<Violation> {
    let mut out = Vec::new();
    visit(
        topology,
        state,
        topology.host_set(),
        &Known::NOTHING,
        &mut |v| {
            // Two slaves reading each other break one chain: it is reported once (an embedder's
            // review found the same violation listed twice).
            if !out.contains(&v) {
                out.push(v);
            }
            false
        },
    );
    out
}

/// The first invariant broken among the hosts of `scope` (what a manager or host in a
/// partition can see).
#[must_use]
pub fn check_within(topology: &Topology, state: &State, scope: HostSet) -> Option<Violation> {
    check_within_known(topology, state, scope, &Known::NOTHING)
}

/// [`check_within`] given what is `known` of `state` already (a service's writable masters
/// within `scope` are those over the whole topology that lie in `scope`, since whether a
/// datasource is writable does not depend on the scope).
pub(crate) fn check_within_known(
    topology: &Topology,
    state: &State,
    scope: HostSet,
    known: &Known,
) -> Option<Violation> {
    let mut found = None;
    visit(topology, state, scope, known, &mut |v| {
        found = Some(v);
        true
    });
    found
}

/// Whether `writable`, the writable masters of `service`, are more than one, and `report`
/// of that violation asks to stop.
fn two_writable(
    service: ServiceId,
    writable: HostSet,
    report: &mut dyn FnMut(Violation) -> bool,
) -> bool {
    writable.len() > 1
        && report(Violation {
            invariant: Invariant::SingleWritableMaster,
            service,
            hosts: writable,
        })
}

/// Call `report` with each violation until it returns true; what is `known` of `state` is
/// taken rather than computed.
fn visit(
    topology: &Topology,
    state: &State,
    scope: HostSet,
    known: &Known,
    report: &mut dyn FnMut(Violation) -> bool,
) {
    let writable_in =
        |service: ServiceId| match known.writable.get(service.index()).copied().flatten() {
            Some(all) => {
                // Test builds check the reuse against the computation it spares.
                debug_assert_eq!(
                    all.intersection(scope),
                    writable_masters(topology, state, service, scope),
                    "the writable masters handed to the check are not the state's"
                );
                all.intersection(scope)
            }
            None => writable_masters(topology, state, service, scope),
        };
    for (service, members) in topology.active_passive() {
        let writable: HostSet = members
            .iter()
            .flat_map(|&m| writable_in(m).iter())
            .collect();
        if two_writable(service, writable, report) {
            return;
        }
    }
    for service in topology.physical_services() {
        if two_writable(service, writable_in(service), report) {
            return;
        }
        let extractors: HostSet = topology
            .datasources_of(service)
            .filter(|&h| scope.contains(h))
            .filter(|&h| {
                let host = state.host(h);
                host.up
                    && host.replicator.is_online()
                    && host.replicator.role == ReplicatorRole::Master
            })
            .collect();
        for e in extractors {
            let together: HostSet = extractors
                .iter()
                .filter(|&o| o == e || (state.reachable(e, o) && overseen(topology, state, e, o)))
                .collect();
            if together.len() > 1
                && together.first() == Some(e)
                && report(Violation {
                    invariant: Invariant::SingleExtractor,
                    service,
                    hosts: together,
                })
            {
                return;
            }
        }
        for h in topology
            .datasources_of(service)
            .filter(|&h| scope.contains(h))
        {
            let host = state.host(h);
            let replicator = host.replicator;
            if !(host.up && replicator.is_online() && replicator.role.applies()) {
                continue;
            }
            let chain = match known.chains.get(h.index()).copied().flatten() {
                Some((first, chain)) if first == replicator.master => {
                    // Test builds check the reuse against the computation it spares.
                    debug_assert_eq!(
                        chain,
                        source_chain(topology, state, h),
                        "the source chain the reactions kept is not the state's"
                    );
                    chain
                }
                _ => source_chain(topology, state, h),
            };
            if let Err(broken) = chain {
                if (!broken.replaced || tended(topology, state, service, h))
                    && report(Violation {
                        invariant: Invariant::ReplicationSource,
                        service,
                        hosts: broken.hosts,
                    })
                {
                    return;
                }
                continue;
            }
            if let Some(m) = replicator.master
                && !state
                    .history()
                    .contains(state.host(m).data.pos, host.data.pos)
                && report(Violation {
                    invariant: Invariant::PositionOrder,
                    service,
                    hosts: HostSet::of([h, m]),
                })
            {
                return;
            }
        }
    }
}

/// Whether a running manager of a primary partition reaches both `a` and `b`: only such a
/// group retires a stray extractor (see [`Invariant::SingleExtractor`]).
fn overseen(topology: &Topology, state: &State, a: HostId, b: HostId) -> bool {
    topology.host_ids().any(|m| {
        topology.host(m).has_manager()
            && state.manager_running(m)
            && state.view(m).quorum == Quorum::Primary
            && state.reachable(m, a)
            && state.reachable(m, b)
    })
}

/// Whether a running manager of `service` in a primary partition, not in MAINTENANCE,
/// reaches `h`: only such a group retires a slave replicator whose sources a failover left
/// behind (see
/// [`Invariant::ReplicationSource`]).
fn tended(topology: &Topology, state: &State, service: ServiceId, h: HostId) -> bool {
    topology.hosts_of(service).any(|m| {
        topology.host(m).has_manager()
            && state.manager_running(m)
            && state.view(m).quorum == Quorum::Primary
            && state.view(m).policy != PolicyMode::Maintenance
            && state.reachable(m, h)
    })
}

/// Why a chain of sources does not reach the service's master.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChainBreak {
    /// The hosts visited.
    hosts: HostSet,
    /// The chain is sound but ends at a master a failover or switch replaced (the others:
    /// a loop, a host with no data, a slave hop out of its service, no source).
    replaced: bool,
}

/// Follow `h`'s sources until a master-role replicator: `Err` with the hosts visited when
/// the chain loops, points at itself or at a host that holds no data, leaves the service (for
/// a slave), ends at a replicator with no source, or ends at a host that the managers
/// reaching `h` do not hold as the service's master (not shunned).
fn source_chain(topology: &Topology, state: &State, h: HostId) -> Result<(), ChainBreak> {
    source_chain_from(topology, state, h, state.host(h).replicator.master)
}

/// Whether `d`, a master-role replicator at the end of a chain, may be followed: not a master
/// that a failover replaced (`SHUNNED(FAILED-OVER-TO-..)`) or a composite switch superseded.
fn is_service_master(view: &crate::model::ManagerView, d: HostId) -> bool {
    !matches!(
        view.entry(d).state,
        DsState::Shunned(ShunCause::FailedOverTo(_) | ShunCause::Superseded)
    )
}

/// Whether a replicator on `h` reading from `first` would reach the service's master (see
/// [`Invariant::ReplicationSource`]): what a replicator must satisfy to go online.
pub(crate) fn reaches_service_master(
    topology: &Topology,
    state: &State,
    h: HostId,
    first: Option<HostId>,
) -> bool {
    source_chain_from(topology, state, h, first).is_ok()
}

/// Where the sources of a replicator lead (see [`Invariant::ReplicationSource`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sources {
    /// To the service's master.
    Master,
    /// Without looping, to a master a failover or switch replaced: the only break that
    /// managers in MAINTENANCE leave in place (see [`tended`]).
    Replaced,
    /// Nowhere sound: a loop, a host with no data, no source, a slave hop out of its service.
    Broken,
}

/// Where the sources of a replicator on `h` reading from `first` lead, with the chain's end
/// as the invariant check reads it, to hand to the check of the same state
/// ([`Known::chains`]).
pub(crate) fn follow_sources_keeping(
    topology: &Topology,
    state: &State,
    h: HostId,
    first: Option<HostId>,
) -> (Sources, Result<(), ChainBreak>) {
    let chain = source_chain_from(topology, state, h, first);
    (Sources::of(chain), chain)
}

impl Sources {
    /// Where a chain that ends so leads.
    fn of(chain: Result<(), ChainBreak>) -> Self {
        match chain {
            Ok(()) => Self::Master,
            Err(broken) if broken.replaced => Self::Replaced,
            Err(_) => Self::Broken,
        }
    }
}

fn source_chain_from(
    topology: &Topology,
    state: &State,
    h: HostId,
    first: Option<HostId>,
) -> Result<(), ChainBreak> {
    let broken = |hosts| ChainBreak {
        hosts,
        replaced: false,
    };
    // The view of `service`'s managers that `h` reaches, if any run.
    let view_of = |service: ServiceId| {
        topology
            .manager_set(service)
            .iter()
            .find(|&m| state.manager_running(m) && state.reachable(h, m))
            .map(|m| state.view(m))
    };
    let mut visited = HostSet::of([h]);
    let mut current = h;
    let mut hop = first;
    // A chain visits each host once, so it ends within `MAX_HOSTS` hops; the bound holds
    // whatever the state, even one with ids past the topology that `State::validate` would
    // refuse (an embedder's review found `apply` spinning on such a state: ids the host set
    // does not hold were never seen twice).
    for _ in 0..=crate::model::MAX_HOSTS {
        let r = state.host(current).replicator;
        let Some(next) = hop else {
            return Err(broken(visited));
        };
        // A relay reads from another site; every other hop stays within the service of the
        // replicator that takes it (the `apply_sequence` fuzzer found a relay reading from a
        // remote slave, once that site's switch demoted its source, wrongly counted as leaving
        // the relay's own service on the next hop).
        let leaves = r.role != ReplicatorRole::Relay
            && topology.host(next).service != topology.host(current).service;
        if visited.contains(next) || !topology.host(next).is_datasource() || leaves {
            visited.insert(next);
            return Err(broken(visited));
        }
        visited.insert(next);
        let source = state.host(next).replicator;
        // A THL server serves the master's THL where its service's managers hold it as the
        // master: in the view `h` reaches, else in their last views (the `apply_sequence`
        // fuzzer found a partition that cut a slave off from every running manager turn the
        // same replicators into a broken chain, no replicator having changed).
        let serves_masters_thl = source.role == ReplicatorRole::ThlServer
            && view_of(topology.host(next).service)
                .or_else(|| {
                    topology
                        .manager_set(topology.host(next).service)
                        .first()
                        .map(|m| state.view(m))
                })
                .is_some_and(|v| v.entry(next).role == DataSourceRole::Master);
        if source.role == ReplicatorRole::Master || serves_masters_thl {
            let the_master =
                view_of(topology.host(next).service).is_none_or(|v| is_service_master(v, next));
            return if the_master {
                Ok(())
            } else {
                Err(ChainBreak {
                    hosts: visited,
                    replaced: true,
                })
            };
        }
        if !source.role.applies() {
            return Err(broken(visited));
        }
        current = next;
        hop = source.master;
    }
    Err(broken(visited))
}

impl crate::text::Named for Invariant {
    const WHAT: &'static str = "an invariant";
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

    use super::{Invariant, check_all};
    use crate::model::{
        DataSourceRole, DsState, Quorum, ReplicatorRole, ReplicatorState, ShunCause, State,
        Topology,
    };

    /// Clients write where a connector of the service routes them: a master no running,
    /// ONLINE connector reaches is not writable. A service with no connector at all is
    /// written directly, so its ONLINE master is writable.
    #[test]
    fn a_master_is_writable_through_a_connector_or_with_none() {
        use super::writable_masters;
        let spec = |connectors: &[&str]| -> Topology {
            serde_json::from_value(serde_json::json!({
                "services": [{"name": "alpha", "datasources": ["db1", "db2", "db3"],
                              "connectors": connectors}]
            }))
            .unwrap()
        };
        let writable = |t: &Topology, s: &State| {
            let alpha = t.service_id("alpha").unwrap();
            writable_masters(t, s, alpha, t.host_set())
                .iter()
                .map(|h| t.host_name(h).as_str().to_owned())
                .collect::<Vec<_>>()
        };
        let direct = spec(&[]);
        assert_eq!(writable(&direct, &State::healthy(&direct)), ["db1"]);
        let routed = spec(&["db2"]);
        let mut s = State::healthy(&routed);
        assert_eq!(writable(&routed, &s), ["db1"]);
        s.hosts[1].connector.online = false;
        assert!(writable(&routed, &s).is_empty());
    }

    /// A state whose replicator sources lie past the topology and past the host set's
    /// range (which `State::validate` refuses, and JSON cannot hold since ids are bounded
    /// there) still gets an answer from the invariants and from `apply`: the source-chain walk
    /// is bounded (an embedder's review found `apply` spinning on such a state, read from JSON
    /// before ids were bounded). The work runs on a thread so that a regression fails the
    /// test instead of hanging it.
    #[test]
    fn a_source_past_the_topology_ends_the_chain_walk() {
        use crate::model::HostId;
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let mut s = State::healthy(&t);
        s.hosts[1].replicator.master = Some(HostId(9));
        s.hosts[7].replicator.master = Some(HostId(8));
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let broken = check_all(&t, &s).len();
            let db1 = t.host_id("db1").unwrap();
            let input = crate::machine::Input::Cctrl {
                at: db1,
                op: crate::machine::CctrlOp::SetPolicy(crate::model::PolicyMode::Manual),
            };
            let applied = crate::machine::apply(&t, &s, &input).is_ok();
            let _ = tx.send((broken, applied));
        });
        let (broken, _) = rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("no answer in 30 s");
        assert!(broken > 0);
    }

    /// Two slaves reading each other break one chain, which `check_all` lists once.
    #[test]
    fn a_replication_cycle_is_reported_once() {
        use crate::model::HostId;
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let mut s = State::healthy(&t);
        s.hosts[1].replicator.master = Some(HostId(2));
        s.hosts[2].replicator.master = Some(HostId(1));
        let broken = check_all(&t, &s);
        assert_eq!(broken.len(), 1, "{broken:?}");
        assert_eq!(broken[0].invariant, Invariant::ReplicationSource);
    }

    /// East (db1 master, db2 slave) and west (db3 master, db4 slave), healthy.
    fn two_sites() -> (Topology, State) {
        let t =
            Topology::multisite(&[("east", &["db1", "db2"]), ("west", &["db3", "db4"])]).unwrap();
        let s = State::healthy(&t);
        (t, s)
    }

    fn breaks_replication_source(t: &Topology, s: &State) -> bool {
        check_all(t, s)
            .iter()
            .any(|v| v.invariant == Invariant::ReplicationSource)
    }

    /// A chain may end at a thl-server only where the managers hold it as the master
    /// datasource (the docs' Primary taken offline); a slave turned thl-server is no source
    /// for another slave.
    #[test]
    fn a_thl_server_is_a_source_only_as_the_master_datasource() {
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let id = |name| t.host_id(name).unwrap();
        let mut master_serves = State::healthy(&t);
        master_serves.hosts[id("db1").index()].replicator.role = ReplicatorRole::ThlServer;
        assert!(!breaks_replication_source(&t, &master_serves));
        let mut slave_serves = State::healthy(&t);
        slave_serves.hosts[id("db2").index()].replicator.role = ReplicatorRole::ThlServer;
        slave_serves.hosts[id("db3").index()].replicator.master = Some(id("db2"));
        assert!(breaks_replication_source(&t, &slave_serves));
    }

    #[test]
    fn a_slave_reading_from_another_site_breaks_replication_source() {
        let (t, mut s) = two_sites();
        assert!(!breaks_replication_source(&t, &s));
        let (db2, db3) = (t.host_id("db2").unwrap(), t.host_id("db3").unwrap());
        s.hosts[db2.index()].replicator.master = Some(db3);
        assert!(breaks_replication_source(&t, &s));
    }

    /// East's db1 made a relay of west's master db3, which west then fails over to db4.
    fn a_relay_of_a_replaced_remote_master() -> (Topology, State) {
        let (t, mut s) = two_sites();
        let id = |name| t.host_id(name).unwrap();
        let (db1, db3, db4) = (id("db1"), id("db3"), id("db4"));
        let relay = &mut s.hosts[db1.index()].replicator;
        relay.role = ReplicatorRole::Relay;
        relay.master = Some(db3);
        // As the failover leaves west: db4 extracts, db3's extractor is offline.
        s.hosts[db3.index()].replicator.state = ReplicatorState::OfflineNormal;
        let promoted = &mut s.hosts[db4.index()].replicator;
        promoted.role = ReplicatorRole::Master;
        promoted.master = None;
        for m in [db3, db4] {
            let view = &mut s.views[m.index()];
            view.entry_mut(db3).unwrap().state = DsState::Shunned(ShunCause::FailedOverTo(db4));
            view.entry_mut(db4).unwrap().role = DataSourceRole::Master;
        }
        (t, s)
    }

    /// A chain that ends at a replaced master breaks the invariant while a manager of the
    /// slave's own site with quorum reaches it (that manager retires such chains), and not
    /// once every manager of that site is stopped (nothing can); a chain that loops breaks it
    /// either way.
    #[test]
    fn a_chain_left_behind_by_a_failover_counts_only_where_its_own_managers_can_act() {
        let (t, mut s) = a_relay_of_a_replaced_remote_master();
        let id = |name| t.host_id(name).unwrap();
        let (db1, db2) = (id("db1"), id("db2"));
        let violations = check_all(&t, &s);
        assert!(
            violations
                .iter()
                .any(|v| v.invariant == Invariant::ReplicationSource
                    && v.hosts.contains(db1)
                    && v.hosts.contains(id("db3"))),
            "{violations:?}"
        );
        // A manager of east that has lost quorum does not retire it either.
        s.views[db1.index()].quorum = Quorum::NonPrimary;
        s.views[db2.index()].quorum = Quorum::NonPrimary;
        assert!(
            !breaks_replication_source(&t, &s),
            "{:?}",
            check_all(&t, &s)
        );
        s.views[db1.index()].quorum = Quorum::Primary;
        s.views[db2.index()].quorum = Quorum::Primary;
        assert!(breaks_replication_source(&t, &s));
        s.hosts[db1.index()].manager = false;
        s.hosts[db2.index()].manager = false;
        assert!(!breaks_replication_source(&t, &s));
        // A loop is no failover's doing: it counts with no manager running.
        let relay = &mut s.hosts[db1.index()].replicator;
        relay.role = ReplicatorRole::Slave;
        relay.master = Some(db2);
        assert!(breaks_replication_source(&t, &s));
    }

    #[test]
    fn a_relay_may_read_from_a_remote_slave() {
        let (t, mut s) = two_sites();
        let (db1, db4) = (t.host_id("db1").unwrap(), t.host_id("db4").unwrap());
        let relay = &mut s.hosts[db1.index()].replicator;
        relay.role = ReplicatorRole::Relay;
        relay.master = Some(db4);
        assert!(
            !breaks_replication_source(&t, &s),
            "{:?}",
            check_all(&t, &s)
        );
    }
}
