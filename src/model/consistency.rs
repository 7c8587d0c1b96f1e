//! Whether a state is one the engine could have built over a topology: [`State::validate`].
//!
//! The engine only builds such states, so this matters for states that come from elsewhere:
//! read back from JSON, or written by hand in a test. The engine does not panic on any other
//! state either (every index is clamped), but what it answers for a state no cluster can be in
//! means little, and a state read from another topology's file is an easy mistake to make.

use std::fmt;

use super::history::Pos;
use super::ids::{HostId, MAX_HOSTS};
use super::state::{
    ClusterReplicator, DsState, FailCause, Orphaned, RestartPosition, ShunCause, State,
};
use super::topology::Topology;
use super::{CrossSiteReplicator, ReplicatorRole, ReplicatorState, Seqno};

/// Why a state is not one the engine could have built over a topology: where, what it holds
/// there, and what it should hold. See [`State::validate`].
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, thiserror::Error,
)]
#[error("{at}: found {found}; expected {expected}")]
pub struct StateError {
    /// The field, as a path into the state's serialised form with hosts named:
    /// `hosts[1] (db2).replicator.master`.
    pub at: String,
    /// What it holds.
    pub found: String,
    /// What would make it consistent.
    pub expected: String,
}

/// Where in a state a field lies, for [`StateError::at`].
struct At<'a> {
    topology: &'a Topology,
}

impl At<'_> {
    /// `hosts[1] (db2)`.
    fn host(&self, h: HostId) -> String {
        self.slot("hosts", h)
    }

    /// `array[1] (db2)`: the slot of host `h` in one of the state's per-host arrays.
    fn slot(&self, array: &str, h: HostId) -> String {
        format!("{array}[{}] ({})", h.index(), self.topology.host_name(h))
    }
}

/// The error for field `at`, holding `found` where `expected` was.
fn mismatch(at: String, found: impl fmt::Display, expected: impl fmt::Display) -> StateError {
    StateError {
        at,
        found: found.to_string(),
        expected: expected.to_string(),
    }
}

/// `Err` with the mismatch `error` builds unless `ok`. The message is built only on failure:
/// the property tests validate every state they reach.
fn ensure(ok: bool, error: impl FnOnce() -> (String, String, String)) -> Result<(), StateError> {
    if ok {
        Ok(())
    } else {
        let (at, found, expected) = error();
        Err(mismatch(at, found, expected))
    }
}

impl State {
    /// Check that this state is one the engine could have built over `topology`; the first
    /// mismatch found otherwise.
    ///
    /// Every state the engine returns passes, given a state that passes (the property tests
    /// and the `apply_sequence` fuzzer check it after every step; an input naming a host or
    /// service the topology lacks is refused, [`crate::machine::Refusal::UnknownHost`]). A
    /// state read from JSON need not: it may come from another topology, or have been
    /// edited. Validate it before stepping it. The rules:
    ///
    /// - slots past the topology's last host hold their defaults, and partition labels are
    ///   canonical (each the index of the first host carrying it);
    /// - a host that is down runs nothing (a crash stops every process; Continuent docs
    ///   *operations-status-states*: a host that cannot be reached shows every component
    ///   stopped), and a host runs only what its kind and the topology give it: a manager on a
    ///   datasource or an active witness, a dataserver, replicator and data on a datasource, a
    ///   connector where the topology places one, a cross-site replicator where the topology
    ///   declares one;
    /// - a replicator is in a modelled state (`ONLINE`, `OFFLINE:NORMAL`, `OFFLINE:ERROR`) and,
    ///   when stopped, `OFFLINE:NORMAL` (**modelling decision**: a stopped replicator reports
    ///   no state; the engine records it as the state it comes up in); it does not read from
    ///   its own host, and in role master it reads from no host (it extracts from its own
    ///   dataserver);
    /// - every host a field names is in the topology: a replicator's source may be any host
    ///   (`trepctl setrole -uri` takes any, and a source that holds no data or is of another
    ///   site is refused only when the replicator goes online), a coordinator runs a manager
    ///   of the view's service, `FAILED-OVER-TO-x` names a datasource of it; every reason
    ///   text and service a field names is in the topology;
    /// - a manager's view holds entries for its own service's datasources only; running
    ///   managers of one service that reach each other hold one view, and its coordinator is
    ///   one of them;
    /// - every position's seqno is at most [`Seqno::MAX`], and every position lies in a live
    ///   epoch of one of the topology's services, in canonical form (any service's: a relay
    ///   copies another site's positions, and its slaves and hosts provisioned from it hold
    ///   them in turn); a master writes into the epoch of its position; the epoch tree has no
    ///   loop and free slots are blank;
    /// - a host marked as holding orphaned events ([`super::Data::orphaned`]) holds events past
    ///   the last one the mark says the promoted master shared;
    /// - a host whose manager is not running has a new cctrl session
    ///   ([`super::Session::fresh`]): a session ends with its manager.
    ///
    /// What it cannot tell: whether the state needed `set force true`. A manager without
    /// quorum holds every datasource `SHUNNED(FAILSAFE-SHUN)` unless an operator forced them
    /// back (the last-man-standing procedure), so a minority's view holding an ONLINE master
    /// is a state the engine builds, but only through force; a partition can then give two
    /// writable masters, as the explorer shows for seed 004's procedure run on both sides.
    /// The model's promise of one writable master covers the states unforced inputs reach;
    /// a runbook's forced steps are checked against its `#! assume down` hosts instead.
    /// (An adversarial review edited a minority's view so, without force, and validated it.)
    ///
    /// Nor whether the state was saved over this topology: a state saved for a smaller one
    /// reads over a larger one as its extra hosts powered off, their slots blank, which
    /// breaks none of the rules above (a library user's review found yesterday's state of
    /// three hosts accepted over today's five; the managers then fail the two hosts at once). When the topology grows, build the state again from the
    /// cluster's listings ([`State::from_listings_in`]).
    ///
    /// # Errors
    /// A [`StateError`] naming the first field that breaks a rule, what it holds and what it
    /// should.
    ///
    /// # Example
    /// ```
    /// use tungsten_model::model::{State, Topology};
    ///
    /// let three = Topology::single("alpha", &["db1", "db2", "db3"])?;
    /// let two = Topology::single("alpha", &["db1", "db2"])?;
    /// let state = State::healthy(&three);
    /// assert!(state.validate(&three).is_ok());
    /// // The same state read against a topology with one host fewer.
    /// let error = state.validate(&two).unwrap_err();
    /// assert_eq!(error.at, "hosts[2]");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn validate(&self, topology: &Topology) -> Result<(), StateError> {
        let n = topology.hosts().len().min(MAX_HOSTS);
        self.validate_unused_slots(n)?;
        self.validate_partition(n)?;
        self.validate_history(topology)?;
        let at = At { topology };
        for h in topology.host_ids() {
            self.validate_host(topology, &at, h)?;
            self.validate_view(topology, &at, h)?;
            let session = self.sessions[h.index()];
            ensure(
                self.manager_running(h) || session == super::Session::fresh(topology, h),
                || {
                    (
                        at.slot("sessions", h),
                        format!("{session:?}"),
                        "a new session (its host's service, no force): a cctrl session ends with its manager".to_owned(),
                    )
                },
            )?;
            let service = session.service;
            ensure(service.index() < topology.services().len(), || {
                (
                    format!("{}.service", at.slot("sessions", h)),
                    service.to_string(),
                    format!(
                        "one of the topology's {} services",
                        topology.services().len()
                    ),
                )
            })?;
        }
        self.validate_shared_views(topology, &at)
    }

    /// Running managers of one service that reach each other hold one view, whose coordinator
    /// is one of them: the engine merges the views of every such group after every input and
    /// picks its coordinator among the members (the [`crate::machine`] module's rules; a
    /// **modelling decision**, since the model does not time the managers' group messages).
    fn validate_shared_views(&self, topology: &Topology, at: &At<'_>) -> Result<(), StateError> {
        let n = topology.hosts().len();
        let running = |m: HostId| topology.host(m).has_manager() && self.manager_running(m);
        for a in topology.host_ids().filter(|&a| running(a)) {
            let service = topology.host(a).service;
            let view = &self.views[a.index()];
            if let Some(c) = view.coordinator {
                ensure(running(c) && self.reachable(a, c), || {
                    (
                        format!("{}.coordinator", at.slot("views", a)),
                        name_or_index(topology, c),
                        "a running manager this one reaches: the group elects its coordinator among its members".to_owned(),
                    )
                })?;
            }
            let first = topology.host_ids().find(|&b| {
                topology.host(b).service == service && running(b) && self.reachable(a, b)
            });
            if let Some(b) = first.filter(|&b| b != a) {
                ensure(view.eq_used(&self.views[b.index()], n), || {
                    (
                        at.slot("views", a),
                        format!("a view other than {}'s", at.slot("views", b)),
                        format!(
                            "{}'s view: running managers that reach each other share one view",
                            topology.host_name(b)
                        ),
                    )
                })?;
            }
        }
        Ok(())
    }

    /// `Err` naming the first slot past the first `hosts` that holds something other than
    /// its default (see [`State::unused_slots_default`]).
    pub(crate) fn validate_unused_slots(&self, hosts: usize) -> Result<(), StateError> {
        let n = hosts.min(MAX_HOSTS);
        let unused = "its default: the topology has no host there";
        for i in n..MAX_HOSTS {
            if self.hosts[i] != super::HostState::default() {
                return Err(mismatch(
                    format!("hosts[{i}]"),
                    "a host state other than the default",
                    unused,
                ));
            }
            if self.partition[i] != 0 {
                return Err(mismatch(
                    format!("partition[{i}]"),
                    self.partition[i],
                    unused,
                ));
            }
            if self.views[i] != super::ManagerView::default() {
                return Err(mismatch(
                    format!("views[{i}]"),
                    "a view other than the default",
                    unused,
                ));
            }
            if self.sessions[i] != super::Session::default() {
                return Err(mismatch(
                    format!("sessions[{i}]"),
                    "a session other than the default",
                    unused,
                ));
            }
        }
        for (m, view) in self.views[..n].iter().enumerate() {
            let fenced = |i: usize| HostId::from_index(i).is_some_and(|d| view.fenced.contains(d));
            if let Some(i) = (n..MAX_HOSTS)
                .find(|&i| view.datasources[i] != super::DsEntry::default() || fenced(i))
            {
                return Err(mismatch(
                    format!("views[{m}].datasources[{i}]"),
                    "an entry other than the default",
                    unused,
                ));
            }
        }
        Ok(())
    }

    fn validate_partition(&self, n: usize) -> Result<(), StateError> {
        for (i, &label) in self.partition[..n].iter().enumerate() {
            let first = usize::from(label);
            ensure(first <= i && self.partition[first] == label, || {
                (
                    format!("partition[{i}]"),
                    label.to_string(),
                    "the index of the first host on the same side (at most the host's own index)"
                        .to_owned(),
                )
            })?;
        }
        Ok(())
    }

    fn validate_history(&self, topology: &Topology) -> Result<(), StateError> {
        let history = &self.history;
        for (slot, epoch, parent, start) in history.slots() {
            let Some((epoch, parent)) = epoch.zip(parent) else {
                ensure(start == 0, || {
                    (
                        format!("history.forks[{slot}].start"),
                        start.to_string(),
                        "0 in a free slot".to_owned(),
                    )
                })?;
                continue;
            };
            let service = history.service_of(epoch);
            ensure(
                service.is_some_and(|s| s.index() < topology.services().len()),
                || {
                    (
                        format!("history.forks[{slot}].parent"),
                        parent.get().to_string(),
                        "a chain of parents that ends at the root epoch of one of the topology's services"
                            .to_owned(),
                    )
                },
            )?;
        }
        Ok(())
    }

    /// `Err` unless `pos` lies in a live epoch of one of the topology's services, in canonical
    /// form. Any service's: a relay reads another site's master and copies its positions,
    /// and its slaves and hosts provisioned from it hold them in turn.
    fn validate_pos(
        &self,
        topology: &Topology,
        at: impl Fn() -> String,
        pos: Option<Pos>,
    ) -> Result<(), StateError> {
        let Some(pos) = pos else { return Ok(()) };
        ensure(pos.seqno <= Seqno::MAX.get(), || {
            (
                at(),
                format!("seqno {}", pos.seqno),
                format!("a seqno of at most {} (`Seqno::MAX`)", Seqno::MAX),
            )
        })?;
        let service = self
            .history
            .service_of(pos.epoch)
            .filter(|s| s.index() < topology.services().len());
        ensure(service.is_some(), || {
            (
                at(),
                format!("epoch {}, which is no live epoch", pos.epoch.get()),
                "a live epoch of the history of one of the topology's services".to_owned(),
            )
        })?;
        let canonical = self.history.canonical(pos);
        ensure(canonical == pos, || {
            (
                at(),
                format!("seqno {} in epoch {}", pos.seqno, pos.epoch.get()),
                format!(
                    "its canonical form, epoch {} (the oldest epoch holding that event)",
                    canonical.epoch.get()
                ),
            )
        })
    }

    fn validate_host(&self, topology: &Topology, at: &At<'_>, h: HostId) -> Result<(), StateError> {
        let spec = topology.host(h);
        let host = &self.hosts[h.index()];
        let field = |name: &str| format!("{}.{name}", at.host(h));
        let process = |name: &str, running: bool, allowed: bool, why: &str| {
            ensure(!running || (host.up && allowed), || {
                let expected = if host.up {
                    format!("false: {why}")
                } else {
                    "false: the host is down and runs nothing".to_owned()
                };
                (field(name), "true".to_owned(), expected)
            })
        };
        process(
            "manager",
            host.manager,
            spec.has_manager(),
            "only datasources and active witnesses run a manager",
        )?;
        process(
            "dataserver",
            host.dataserver,
            spec.is_datasource(),
            "only datasources run a dataserver",
        )?;
        process(
            "connector.running",
            host.connector.running,
            spec.connector,
            "the topology places no connector on this host",
        )?;
        ensure(spec.connector || !host.connector.online, || {
            (
                field("connector.online"),
                "true".to_owned(),
                "false: the topology places no connector on this host".to_owned(),
            )
        })?;
        self.validate_cluster_replicator(topology, at, h)?;
        self.validate_cross_site(topology, at, h)?;
        if !spec.is_datasource() {
            ensure(host.data == super::Data::default(), || {
                (
                    field("data"),
                    "data held".to_owned(),
                    "no data: only datasources hold data".to_owned(),
                )
            })?;
        }
        self.validate_pos(topology, || field("data.pos"), host.data.pos)?;
        // A promotion marks events it left behind, past the last one it shared; a change to
        // the host's position clears the mark. (`None` orders first: no position, no events.)
        if let Some(Orphaned { shared }) = host.data.orphaned {
            let seqno = host.data.pos.map(|p| p.seqno);
            ensure(seqno > shared, || {
                (
                    field("data.orphaned.shared"),
                    shared.map_or_else(|| "none".to_owned(), |s| s.to_string()),
                    format!(
                        "less than the seqno of `data.pos` ({}): the mark covers events the host holds",
                        seqno.map_or_else(|| "none".to_owned(), |s| s.to_string()),
                    ),
                )
            })?;
        }
        // A master's first write starts the epoch it writes into, and its position moves on
        // in it; whatever else sets a position (catching up, provisioning, a restore) clears
        // `writing`.
        let Some(writing) = host.data.writing else {
            return Ok(());
        };
        ensure(host.data.pos.is_some_and(|p| p.epoch == writing), || {
            (
                field("data.writing"),
                format!("epoch {}", writing.get()),
                "the epoch of `data.pos`: writes go into the epoch the host's last write started"
                    .to_owned(),
            )
        })
    }

    fn validate_cluster_replicator(
        &self,
        topology: &Topology,
        at: &At<'_>,
        h: HostId,
    ) -> Result<(), StateError> {
        let spec = topology.host(h);
        let r = self.hosts[h.index()].replicator;
        let field = |name: &str| format!("{}.replicator.{name}", at.host(h));
        if !spec.is_datasource() {
            return ensure(r == ClusterReplicator::default(), || {
                (
                    format!("{}.replicator", at.host(h)),
                    format!("{r:?}"),
                    format!(
                        "a stopped replicator with no source ({:?}): only datasources run one",
                        ClusterReplicator::default()
                    ),
                )
            });
        }
        validate_replicator_state(r.running, r.state, || field("state"))?;
        runs_only_when_up(r.running, self.hosts[h.index()].up, || field("running"))?;
        if let RestartPosition::LostAt(lost)
        | RestartPosition::LostBehindAt(lost)
        | RestartPosition::Skipping(lost) = r.restart
        {
            ensure(lost.index() < topology.hosts().len() && lost != h, || {
                (
                    field("restart"),
                    name_or_index(topology, lost),
                    "another host of the topology: the master whose THL was reset".to_owned(),
                )
            })?;
        }
        if let Some(source) = r.master {
            // Any host: `trepctl setrole -uri` takes any (a URI is not checked until the
            // replicator connects), and one that holds no data or is of another site is
            // refused only when the replicator goes online (`replication-source`).
            ensure(source.index() < topology.hosts().len(), || {
                (
                    field("master"),
                    name_or_index(topology, source),
                    "a host of the topology".to_owned(),
                )
            })?;
            // `trepctl setrole` refuses both (`replicator-role`); a master's source is
            // dropped when it takes the role.
            ensure(source != h, || {
                (
                    field("master"),
                    name_or_index(topology, source),
                    "another host: a replicator does not read from itself".to_owned(),
                )
            })?;
            ensure(r.role != ReplicatorRole::Master, || {
                (
                    field("master"),
                    name_or_index(topology, source),
                    "none: a master replicator extracts from its own dataserver".to_owned(),
                )
            })?;
        }
        Ok(())
    }

    fn validate_cross_site(
        &self,
        topology: &Topology,
        at: &At<'_>,
        h: HostId,
    ) -> Result<(), StateError> {
        let spec = topology.host(h);
        let host = &self.hosts[h.index()];
        let x = host.cross_site;
        let field = |name: &str| format!("{}.cross_site.{name}", at.host(h));
        if spec.cross_site_from.is_none() {
            return ensure(x == CrossSiteReplicator::default(), || {
                (
                    format!("{}.cross_site", at.host(h)),
                    format!("{x:?}"),
                    "the default: the topology gives this host no cross-site replicator".to_owned(),
                )
            });
        }
        runs_only_when_up(x.running, host.up, || field("running"))?;
        validate_replicator_state(x.running, x.state, || field("state"))?;
        self.validate_pos(topology, || field("applied"), x.applied)
    }

    fn validate_view(&self, topology: &Topology, at: &At<'_>, m: HostId) -> Result<(), StateError> {
        let view = &self.views[m.index()];
        let service = topology.host(m).service;
        let field = |name: &str| format!("{}.{name}", at.slot("views", m));
        if let Some(c) = view.coordinator {
            let sound = c.index() < topology.hosts().len()
                && topology.host(c).service == service
                && topology.host(c).has_manager();
            ensure(sound, || {
                (
                    field("coordinator"),
                    name_or_index(topology, c),
                    format!(
                        "a datasource or active witness of {}",
                        topology.service_name(service).as_str()
                    ),
                )
            })?;
        }
        for d in (0..topology.hosts().len()).filter_map(HostId::from_index) {
            let entry = view.datasources[d.index()];
            let entry_at = || {
                format!(
                    "{}.datasources[{}] ({})",
                    at.slot("views", m),
                    d.index(),
                    topology.host_name(d)
                )
            };
            let ours = topology.host(d).is_datasource() && topology.host(d).service == service;
            ensure(
                !view.fenced.contains(d) || (ours && entry.state == DsState::Offline),
                || {
                    (
                        entry_at(),
                        format!("fenced while {:?}", entry.state),
                        "a fence on an OFFLINE datasource of the view's service only: the \
                         managers fence by putting it OFFLINE"
                            .to_owned(),
                    )
                },
            )?;
            if !ours {
                ensure(entry == super::DsEntry::default(), || {
                    (
                        entry_at(),
                        format!("{entry:?}"),
                        format!(
                            "the default: a view holds the datasources of its own service ({}) only",
                            topology.service_name(service).as_str()
                        ),
                    )
                })?;
                continue;
            }
            match entry.state {
                DsState::Shunned(ShunCause::FailedOverTo(to)) => {
                    let sound = to.index() < topology.hosts().len()
                        && topology.host(to).is_datasource()
                        && topology.host(to).service == service;
                    ensure(sound, || {
                        (
                            entry_at(),
                            format!("FAILED-OVER-TO-{}", name_or_index(topology, to)),
                            format!(
                                "a failover to a datasource of {}",
                                topology.service_name(service).as_str()
                            ),
                        )
                    })?;
                }
                DsState::Shunned(ShunCause::Other(reason))
                | DsState::Failed(FailCause::Other(reason)) => {
                    ensure(topology.reason(reason).is_some(), || {
                        (
                            entry_at(),
                            format!("reason text #{}", reason.index()),
                            "a reason text the topology holds".to_owned(),
                        )
                    })?;
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// `Err` if a process runs on a host that is down.
fn runs_only_when_up(
    running: bool,
    up: bool,
    at: impl FnOnce() -> String,
) -> Result<(), StateError> {
    ensure(!running || up, || {
        (
            at(),
            "true".to_owned(),
            "false: the host is down and runs nothing".to_owned(),
        )
    })
}

/// `Err` unless `state` is modelled, and `OFFLINE:NORMAL` when the process is stopped.
fn validate_replicator_state(
    running: bool,
    state: ReplicatorState,
    at: impl Fn() -> String,
) -> Result<(), StateError> {
    ensure(state.is_modelled(), || {
        (
            at(),
            state.to_string(),
            "ONLINE, OFFLINE:NORMAL or OFFLINE:ERROR: the model holds no transient state"
                .to_owned(),
        )
    })?;
    ensure(running || state == ReplicatorState::OfflineNormal, || {
        (
            at(),
            state.to_string(),
            "OFFLINE:NORMAL: a stopped replicator is recorded in the state it starts in".to_owned(),
        )
    })
}

/// A host's name, or its raw index when the topology has no such host.
fn name_or_index(topology: &Topology, h: HostId) -> String {
    if h.index() < topology.hosts().len() {
        topology.host_name(h).as_str().to_owned()
    } else {
        format!(
            "host #{}, past the topology's {} hosts",
            h.index(),
            topology.hosts().len()
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

    use super::super::ReplicatorState;
    use super::super::history::{EpochId, History, Pos};
    use super::super::ids::{HostId, ReasonId, ServiceId};
    use super::super::state::{DsState, FailCause, Orphaned, ShunCause, State};
    use super::super::topology::{Topology, TopologySpec};

    /// East (`e1`, `e2`, the witness `ew`, connectors on `e1` and the application host `app`)
    /// and west (`w1`, `w2`), west replicating east through cross-site replicators.
    fn sites() -> Topology {
        let spec: TopologySpec = serde_json::from_str(
            r#"{"services":[
                {"name":"east","datasources":["e1","e2"],"witnesses":["ew"],"connectors":["e1","app"]},
                {"name":"west","datasources":["w1","w2"]}],
               "cross_site":[{"from":"east","to":"west"}]}"#,
        )
        .unwrap();
        Topology::try_from(spec).unwrap()
    }

    /// The hosts of [`sites`] by name, and the two sites.
    struct Ids {
        e1: HostId,
        e2: HostId,
        ew: HostId,
        app: HostId,
        w1: HostId,
        w2: HostId,
        east: ServiceId,
        west: ServiceId,
    }

    fn ids(t: &Topology) -> Ids {
        let h = |n| t.host_id(n).unwrap();
        let s = |n| t.service_id(n).unwrap();
        Ids {
            e1: h("e1"),
            e2: h("e2"),
            ew: h("ew"),
            app: h("app"),
            w1: h("w1"),
            w2: h("w2"),
            east: s("east"),
            west: s("west"),
        }
    }

    #[expect(
        clippy::unnecessary_wraps,
        reason = "every caller wants an optional position"
    )]
    fn at(seqno: u64, epoch: EpochId) -> Option<Pos> {
        Some(Pos { seqno, epoch })
    }

    /// The history of a state read from JSON: fork slot 0 holding `parent` and `start`.
    fn history_with(parent: u8, start: u64) -> History {
        let mut forks = vec![serde_json::json!({"start": 0, "parent": 0}); super::super::MAX_FORKS];
        forks[0] = serde_json::json!({"start": start, "parent": parent});
        serde_json::from_value(serde_json::json!({ "forks": forks })).unwrap()
    }

    /// Host `h` of [`sites`] crashed, as the engine leaves it, but for what `running` starts
    /// again.
    fn down_but(s: &mut State, h: HostId, running: impl FnOnce(&mut super::super::HostState)) {
        let crash = crate::machine::Input::Fault(crate::fault::Fault::HostCrash(h));
        *s = crate::machine::apply(&sites(), s, &crash).unwrap().state;
        running(&mut s.hosts[h.index()]);
    }

    /// One way to break a rule: what it is, how, and the field the error should name.
    type Case = (&'static str, Box<dyn Fn(&mut State)>, String);

    /// One case per rule (two where a rule has two sides), each over a healthy state of
    /// [`sites`].
    #[expect(clippy::too_many_lines, reason = "one table, a row per rule")]
    fn cases(t: &Topology) -> Vec<Case> {
        let i = ids(t);
        // The first ids past the topology's six hosts and two services (an index past the
        // last host is clamped to it, `w2` of west, so the cases that use `far` are in west).
        let far = HostId::from_index(6).unwrap();
        let east_root = EpochId::root(i.east);
        let west_root = EpochId::root(i.west);
        let path =
            |h: HostId, field: &str| format!("hosts[{}] ({}).{field}", h.index(), t.host_name(h));
        let view =
            |m: HostId, field: &str| format!("views[{}] ({}).{field}", m.index(), t.host_name(m));
        let entry = |m: HostId, d: HostId| {
            view(
                m,
                &format!("datasources[{}] ({})", d.index(), t.host_name(d)),
            )
        };
        vec![
            (
                "an unused host slot set",
                Box::new(|s| s.hosts[7].up = true),
                "hosts[7]".into(),
            ),
            (
                "an entry past the last host",
                Box::new(|s| s.views[0].datasources[7].state = DsState::Online),
                "views[0].datasources[7]".into(),
            ),
            (
                "a partition label past its host",
                Box::new(|s| s.partition[0] = 1),
                "partition[0]".into(),
            ),
            (
                "a partition label no host heads",
                Box::new(|s| {
                    s.partition[4] = 3;
                    s.partition[5] = 3;
                }),
                "partition[4]".into(),
            ),
            (
                "a down host running its manager",
                Box::new(move |s| s.hosts[i.e2.index()].up = false),
                path(i.e2, "manager"),
            ),
            (
                "a witness running a dataserver",
                Box::new(move |s| s.hosts[i.ew.index()].dataserver = true),
                path(i.ew, "dataserver"),
            ),
            (
                "an application host running a manager",
                Box::new(move |s| s.hosts[i.app.index()].manager = true),
                path(i.app, "manager"),
            ),
            (
                "a connector where the topology places none",
                Box::new(move |s| s.hosts[i.e2.index()].connector.running = true),
                path(i.e2, "connector.running"),
            ),
            (
                "routing set where there is no connector",
                Box::new(move |s| s.hosts[i.e2.index()].connector.online = true),
                path(i.e2, "connector.online"),
            ),
            (
                "a witness running a replicator",
                Box::new(move |s| s.hosts[i.ew.index()].replicator.running = true),
                path(i.ew, "replicator"),
            ),
            (
                "a stopped replicator in OFFLINE:ERROR",
                Box::new(move |s| {
                    let r = &mut s.hosts[i.e2.index()].replicator;
                    r.running = false;
                    r.state = ReplicatorState::OfflineError;
                }),
                path(i.e2, "replicator.state"),
            ),
            (
                "a replicator in a transient state",
                Box::new(move |s| {
                    s.hosts[i.e2.index()].replicator.state =
                        ReplicatorState::GoingOnlineSynchronizing;
                }),
                path(i.e2, "replicator.state"),
            ),
            (
                "a running replicator on a host that is down",
                Box::new(move |s| down_but(s, i.w1, |h| h.replicator.running = true)),
                path(i.w1, "replicator.running"),
            ),
            (
                "a source past the topology",
                Box::new(move |s| s.hosts[i.e2.index()].replicator.master = Some(far)),
                path(i.e2, "replicator.master"),
            ),
            (
                "a replicator reading from its own host",
                Box::new(move |s| s.hosts[i.e2.index()].replicator.master = Some(i.e2)),
                path(i.e2, "replicator.master"),
            ),
            (
                "a position lost at a host past the topology",
                Box::new(move |s| {
                    s.hosts[i.e2.index()].replicator.restart = super::RestartPosition::LostAt(far);
                }),
                path(i.e2, "replicator.restart"),
            ),
            (
                "a position lost at its own host",
                Box::new(move |s| {
                    s.hosts[i.e2.index()].replicator.restart = super::RestartPosition::LostAt(i.e2);
                }),
                path(i.e2, "replicator.restart"),
            ),
            (
                "a master replicator with a source",
                Box::new(move |s| s.hosts[i.e1.index()].replicator.master = Some(i.e2)),
                path(i.e1, "replicator.master"),
            ),
            (
                "a cross-site replicator the topology does not declare",
                Box::new(move |s| s.hosts[i.e1.index()].cross_site.running = true),
                path(i.e1, "cross_site"),
            ),
            (
                "a stopped cross-site replicator in OFFLINE:ERROR",
                Box::new(move |s| {
                    let x = &mut s.hosts[i.w1.index()].cross_site;
                    x.running = false;
                    x.state = ReplicatorState::OfflineError;
                }),
                path(i.w1, "cross_site.state"),
            ),
            (
                "a cross-site replicator running on a host that is down",
                Box::new(move |s| down_but(s, i.w1, |h| h.cross_site.running = true)),
                path(i.w1, "cross_site.running"),
            ),
            (
                "data on a witness",
                Box::new(move |s| s.hosts[i.ew.index()].data.drift = true),
                path(i.ew, "data"),
            ),
            (
                "a position in the root epoch of a service the topology lacks",
                Box::new(move |s| {
                    s.hosts[i.e1.index()].data.pos =
                        at(1, EpochId::root(ServiceId::from_index(2).unwrap()));
                }),
                path(i.e1, "data.pos"),
            ),
            (
                "a position in a free fork slot's epoch",
                Box::new(move |s| {
                    s.hosts[i.e1.index()].data.pos = at(1, serde_json::from_str("5").unwrap());
                }),
                path(i.e1, "data.pos"),
            ),
            (
                "a position not in canonical form",
                Box::new(move |s| {
                    let fork = s.history.start_epoch(i.east, at(5, east_root), []).unwrap();
                    s.hosts[i.e1.index()].data.pos = at(3, fork);
                }),
                path(i.e1, "data.pos"),
            ),
            (
                "writes going into an epoch other than the position's",
                Box::new(move |s| {
                    s.hosts[i.e1.index()].data.pos = at(1, east_root);
                    s.hosts[i.e1.index()].data.writing = Some(west_root);
                }),
                path(i.e1, "data.writing"),
            ),
            (
                "writes going on with no position",
                Box::new(move |s| s.hosts[i.e1.index()].data.writing = Some(east_root)),
                path(i.e1, "data.writing"),
            ),
            (
                "an orphan mark on a host that holds no event",
                Box::new(move |s| {
                    s.hosts[i.e1.index()].data.orphaned = Some(Orphaned { shared: None });
                }),
                path(i.e1, "data.orphaned.shared"),
            ),
            (
                "an orphan mark past the host's last event",
                Box::new(move |s| {
                    s.hosts[i.e1.index()].data.pos = at(3, east_root);
                    s.hosts[i.e1.index()].data.orphaned = Some(Orphaned { shared: Some(3) });
                }),
                path(i.e1, "data.orphaned.shared"),
            ),
            (
                "a position past the largest seqno",
                Box::new(move |s| {
                    s.hosts[i.e2.index()].data.pos = at(super::Seqno::MAX.get() + 1, east_root);
                }),
                path(i.e2, "data.pos"),
            ),
            (
                "a cross-site position in a free fork slot's epoch",
                Box::new(move |s| {
                    s.hosts[i.w1.index()].cross_site.applied =
                        at(1, serde_json::from_str("6").unwrap());
                }),
                path(i.w1, "cross_site.applied"),
            ),
            (
                "a coordinator of another site",
                Box::new(move |s| s.views[i.e1.index()].coordinator = Some(i.w1)),
                view(i.e1, "coordinator"),
            ),
            (
                "a coordinator past the topology",
                Box::new(move |s| s.views[i.w1.index()].coordinator = Some(far)),
                view(i.w1, "coordinator"),
            ),
            (
                "a failover to a host past the topology",
                Box::new(move |s| {
                    s.views[i.w1.index()].datasources[i.w1.index()].state =
                        DsState::Shunned(ShunCause::FailedOverTo(far));
                }),
                entry(i.w1, i.w1),
            ),
            (
                "a coordinator that runs no manager",
                Box::new(move |s| s.views[i.e1.index()].coordinator = Some(i.app)),
                view(i.e1, "coordinator"),
            ),
            (
                "an entry for another site's datasource",
                Box::new(move |s| {
                    s.views[i.e1.index()].datasources[i.w1.index()].state = DsState::Online;
                }),
                entry(i.e1, i.w1),
            ),
            (
                "an entry for a witness",
                Box::new(move |s| {
                    s.views[i.e1.index()].datasources[i.ew.index()].state = DsState::Online;
                }),
                entry(i.e1, i.ew),
            ),
            (
                "a failover to another site's datasource",
                Box::new(move |s| {
                    s.views[i.e1.index()].datasources[i.e2.index()].state =
                        DsState::Shunned(ShunCause::FailedOverTo(i.w1));
                }),
                entry(i.e1, i.e2),
            ),
            (
                "a fence on a datasource that is not OFFLINE",
                Box::new(move |s| {
                    s.views[i.e1.index()].fenced.insert(i.e2);
                }),
                entry(i.e1, i.e2),
            ),
            (
                "a shun reason the topology does not hold",
                Box::new(move |s| {
                    s.views[i.e1.index()].datasources[i.e2.index()].state =
                        DsState::Shunned(ShunCause::Other(ReasonId(0)));
                }),
                entry(i.e1, i.e2),
            ),
            (
                "a failure reason the topology does not hold",
                Box::new(move |s| {
                    s.views[i.e1.index()].datasources[i.e2.index()].state =
                        DsState::Failed(FailCause::Other(ReasonId(0)));
                }),
                entry(i.e1, i.e2),
            ),
            (
                "a session with force on at a host that is down",
                Box::new(move |s| {
                    down_but(s, i.e2, |_| {});
                    s.sessions[i.e2.index()].force = true;
                }),
                format!("sessions[{}] (e2)", i.e2.index()),
            ),
            (
                "a session in the service just past the topology's last",
                Box::new(move |s| s.sessions[i.e1.index()].service = ServiceId(2)),
                format!("sessions[{}] (e1).service", i.e1.index()),
            ),
            (
                "a view its group does not share",
                Box::new(move |s| {
                    s.views[i.e2.index()].policy = super::super::PolicyMode::Manual;
                }),
                format!("views[{}] (e2)", i.e2.index()),
            ),
            (
                "a coordinator whose manager is stopped",
                Box::new(move |s| {
                    s.hosts[i.e2.index()].manager = false;
                    s.views[i.e1.index()].coordinator = Some(i.e2);
                }),
                view(i.e1, "coordinator"),
            ),
            (
                "a coordinator cut off by a partition",
                Box::new(move |s| {
                    // e1 alone on one side; e2 and ew still hold e1 as their coordinator.
                    let rest = u8::try_from(i.e2.index()).unwrap();
                    for h in [i.e2, i.ew, i.app, i.w1, i.w2] {
                        s.partition[h.index()] = rest;
                    }
                }),
                view(i.e2, "coordinator"),
            ),
            (
                "a free fork slot with a start",
                Box::new(|s| s.history = history_with(0, 4)),
                "history.forks[0].start".into(),
            ),
            (
                "a fork that is its own parent",
                Box::new(|s| s.history = history_with(5, 4)),
                "history.forks[0].parent".into(),
            ),
            (
                "a fork of a service the topology lacks",
                Box::new(|s| s.history = history_with(3, 4)),
                "history.forks[0].parent".into(),
            ),
        ]
    }

    /// Each rule, broken once in an otherwise healthy state, is reported at the field that
    /// breaks it, with what it holds and what it should.
    #[test]
    fn each_rule_names_the_field_that_breaks_it() {
        let t = sites();
        let healthy = State::healthy(&t);
        assert_eq!(healthy.validate(&t), Ok(()));
        for (what, break_it, expected_at) in &cases(&t) {
            let mut s = healthy;
            break_it(&mut s);
            let error = s.validate(&t).expect_err(&format!("{what}: validated"));
            assert_eq!(&error.at, expected_at, "{what}: {error}");
            assert!(
                !error.found.is_empty() && !error.expected.is_empty(),
                "{what}: {error}"
            );
        }
    }

    /// A host a field names is given by name when the topology has it, else by its index.
    #[test]
    fn a_mismatch_names_the_host_or_its_index() {
        let t = sites();
        let i = ids(&t);
        let found = |source: HostId| {
            let mut s = State::healthy(&t);
            s.views[i.e1.index()].coordinator = Some(source);
            s.validate(&t).unwrap_err().found
        };
        assert_eq!(found(i.w1), "w1");
        assert_eq!(
            found(HostId::from_index(6).unwrap()),
            "host #6, past the topology's 6 hosts"
        );
        assert_eq!(
            found(HostId::from_index(7).unwrap()),
            "host #7, past the topology's 6 hosts"
        );
    }

    /// What the engine does build validates: positions in a fork past its start, a master
    /// writing into its position's epoch, a relay reading from another site and holding that
    /// site's position, a slave pointed at another site while offline and one at a witness
    /// (online, `replication-source` would refuse both), a cross-site position in the site it
    /// reads, a reason the topology holds.
    #[test]
    fn what_the_engine_builds_validates() {
        let mut t = sites();
        let i = ids(&t);
        let mut s = State::healthy(&t);
        let east_root = EpochId::root(i.east);
        let fork = s.history.start_epoch(i.east, at(5, east_root), []).unwrap();
        s.hosts[i.e1.index()].data.pos = at(7, fork);
        s.hosts[i.e1.index()].data.writing = Some(fork);
        s.hosts[i.e2.index()].data.pos = at(3, east_root);
        s.hosts[i.w1.index()].cross_site.applied = at(7, fork);
        let relay = &mut s.hosts[i.w1.index()].replicator;
        relay.role = super::super::ReplicatorRole::Relay;
        relay.master = Some(i.e2);
        s.hosts[i.w1.index()].data.pos = at(3, east_root);
        let slave = &mut s.hosts[i.e2.index()].replicator;
        slave.state = ReplicatorState::OfflineNormal;
        slave.master = Some(i.w1);
        s.hosts[i.w2.index()].replicator.master = Some(i.ew);
        let reason = t
            .intern_reason(&super::super::ReasonText::new("NOT-MODELLED-REASON").unwrap())
            .unwrap();
        s.views[i.e1.index()].datasources[i.e2.index()].state =
            DsState::Shunned(ShunCause::Other(reason));
        s.partition[4] = 4;
        // A crashed host, as the cases that leave one process running start from.
        down_but(&mut s, i.w2, |_| {});
        assert_eq!(s.validate(&t), Ok(()));
    }
}
