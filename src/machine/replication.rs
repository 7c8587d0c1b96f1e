//! What replicators do, shared by cctrl, trepctl, host scripts, faults and the managers:
//! going online and offline, roles, starting and stopping, catching up, writes.
//!
//! Source: open-source code `OpenReplicatorManager` (state machine), Continuent docs
//! *trepctl-offline*, *operations-status-repl-roles*.

use super::context::Ctx;
use super::effect::{Effect, Finding};
use super::input::Install;
use super::invariant::{WritableByService, writable_masters};
use super::rejection::Refusal;
use crate::fault::Process;
use crate::model::{
    ClusterReplicator, DataSourceRole, DsState, HostId, HostSet, MAX_SERVICES, PolicyMode, Pos,
    ReplicatorRole, ReplicatorState, RestartPosition,
};
use std::borrow::Cow;

impl Ctx<'_, '_> {
    /// Another datasource of `h`'s service than `h` and `except`, reachable from `h`, whose
    /// replicator extracts as an online master.
    pub(crate) fn other_extractor(&self, h: HostId, except: Option<HostId>) -> Option<HostId> {
        let service = self.service_of(h);
        self.topology.datasources_of(service).find(|&m| {
            m != h
                && Some(m) != except
                && self.state.reachable(h, m)
                && self.host(m).replicator.is_online()
                && self.host(m).replicator.role == ReplicatorRole::Master
        })
    }

    /// An online replicator (other than `h`'s) replicating from `h`.
    pub(crate) fn slave_of(&self, h: HostId) -> Option<HostId> {
        self.state.slave_of(self.topology, h)
    }

    /// A datasource that `h`'s managers still hold as a master (not shunned, not failed) but
    /// cannot reach: it may be extracting on the far side of a partition, so no new master
    /// may start extracting until it is shunned or failed (**modelling decision**). Shunning
    /// it is the operator's statement that it is out, as `fail` is (the last-man-standing
    /// procedure relies on it), although its extractor may still run beyond the partition:
    /// two extractors on either side cannot feed the same slaves, which is how
    /// `single-extractor` counts them.
    pub(crate) fn hidden_master(&self, h: HostId) -> Option<HostId> {
        let service = self.service_of(h);
        let view = self.view_of(self.group(service, h))?;
        self.topology.datasources_of(service).find(|&d| {
            let entry = view.entry(d);
            d != h
                && entry.role == crate::model::DataSourceRole::Master
                && matches!(
                    entry.state,
                    crate::model::DsState::Online | crate::model::DsState::Offline
                )
                && !self.state.reachable(h, d)
        })
    }

    /// An operator may bring a master-role replicator online only for the datasource its
    /// managers hold as the master, in service or shunned by an operator (**modelling
    /// decision**: an extractor anywhere else forks the history, as a failsafe-shunned old
    /// master would beyond a partition; a master an operator shunned is still the master, and
    /// its replicator is the operator's to manage, *operations-status-changingstates*).
    pub(crate) fn may_extract(&self, h: HostId) -> Result<(), Refusal> {
        if !self.rules.single_extractor {
            return Ok(());
        }
        let service = self.service_of(h);
        let Some(view) = self.view_of(self.group(service, h)) else {
            return Err(Refusal::NoManager { host: h });
        };
        let entry = view.entry(h);
        let in_service = matches!(entry.state, DsState::Online | DsState::Offline)
            || entry.state.shunned_by_operator();
        if entry.role == DataSourceRole::Master && in_service {
            Ok(())
        } else {
            // The way back differs: a datasource of another role is made master first; a
            // master the managers failed or shunned is already one, and is recovered as the
            // master (an operator's review found `datasource <ds> master` there answering
            // "nothing to do", and the refusal sending them back to it).
            //
            // A replicator given the master role by hand (`trepctl setrole -role master`) on a
            // replica is put back with `setrole` first; the datasource is made the master by a
            // switch, the planned change (*operations-primaryswitch-manual*), or by hand only
            // where no master is in service: an operator's review found the refusal naming
            // `datasource <ds> master` alone beside an ONLINE master, which refuses it in turn.
            // `setrole` is named with the master's URI: without it the slave has no source, and
            // `trepctl online` after it is refused in turn (an independent review followed it).
            let expected = match entry.role {
                DataSourceRole::Master => {
                    "a master in service (ONLINE, OFFLINE or shunned by an operator) in its managers' view: a master replicator extracts only for the master in service (`recover master using <ds>` first where no master is ONLINE; where another is, `datasource <ds> recover` makes this one its slave)"
                }
                DataSourceRole::Relay => {
                    "a master in service (ONLINE, OFFLINE or shunned by an operator, role master) in its managers' view: a master replicator extracts only for the master, and <ds> is its site's relay (`replicator <ds> relay <site>/<master>`, or `trepctl setrole -role relay -uri thl://<master>:2112/` on its host, puts its replicator back in the relay's role, reading the active site's master)"
                }
                _ => {
                    "a master in service (ONLINE, OFFLINE or shunned by an operator, role master) in its managers' view: a master replicator extracts only for the master (`replicator <ds> slave`, or `trepctl setrole -role slave -uri thl://<master>:2112/` on its host, puts its replicator back; to make <ds> the master, `switch to <ds>`, or `datasource <ds> master` where no master is in service)"
                }
            };
            Err(Refusal::WrongState {
                host: h,
                found: entry.state,
                expected: Cow::Borrowed(expected),
            })
        }
    }

    fn set_replicator(&mut self, h: HostId, mut to: ClusterReplicator) {
        let from = self.host(h).replicator;
        if to.role == ReplicatorRole::Master && from.role != ReplicatorRole::Master {
            // A master extracts its own history: no position of another's to lose.
            to.restart = RestartPosition::Kept;
        }
        if from == to {
            return;
        }
        self.host_mut(h).replicator = to;
        if from.running != to.running {
            self.emit(Effect::Process {
                host: h,
                process: Process::Replicator,
                install: Install::Cluster,
                running: to.running,
            });
        }
        if from.role != to.role || from.master != to.master {
            self.emit(Effect::ReplicatorRole {
                host: h,
                role: to.role,
                master: to.master,
            });
        }
        if to.running && (from.state != to.state || !from.running) {
            self.emit(Effect::Replicator {
                host: h,
                install: Install::Cluster,
                to: to.state,
            });
        }
    }

    /// Bring `h`'s cluster replicator online. A master-role replicator is refused while another
    /// extracts; a slave whose position is not in its master's history stops in
    /// OFFLINE:ERROR instead (what a real replicator does when its position is not found on
    /// the master).
    pub(crate) fn replicator_online(&mut self, h: HostId) -> Result<(), Refusal> {
        let r = self.host(h).replicator;
        if !r.running {
            return Err(Refusal::ReplicatorStopped {
                host: h,
                install: Install::Cluster,
            });
        }
        if r.state == ReplicatorState::Online {
            return Err(Refusal::NoChange {
                host: Some(h),
                already: Cow::Borrowed("has its replicator ONLINE"),
            });
        }
        if r.role.applies()
            && !super::invariant::reaches_service_master(self.topology, self.state, h, r.master)
        {
            return Err(Refusal::ReplicatorRole {
                host: h,
                found: r.role,
                expected: Cow::Borrowed(
                    "a source that leads to the service's master, never to itself (`replicator <ds> slave <master>` or `trepctl setrole -uri`)",
                ),
            });
        }
        if r.role == ReplicatorRole::Master && self.rules.single_extractor {
            if let Some(extractor) = self.other_extractor(h, None) {
                return Err(Refusal::OtherExtractor { host: h, extractor });
            }
            if let Some(master) = self.hidden_master(h) {
                return Err(Refusal::HiddenMaster { host: h, master });
            }
        }
        // Going online, a cleared position becomes one in the history it reads.
        let resumed = match r.restart {
            RestartPosition::Cleared | RestartPosition::Skipping(_) => RestartPosition::Kept,
            kept_or_lost => kept_or_lost,
        };
        // A replicator reading from the start a THL other than the one reset past it.
        let cleared = |m: HostId| match r.restart {
            RestartPosition::Cleared => true,
            RestartPosition::Skipping(at) => at != m,
            _ => false,
        };
        let (state, restart) = match (r.role.applies(), r.master) {
            (true, Some(m)) if matches!(r.restart, RestartPosition::LostAt(at) | RestartPosition::LostBehindAt(at) if at == m) =>
            {
                self.emit(Effect::PositionLost { host: h, master: m });
                (ReplicatorState::OfflineError, r.restart)
            }
            // Its catalog cleared and its master's THL kept: read from the start, that THL
            // gives it events its data holds already (**modelling decision**: whether it
            // re-applies them, a duplicate key, or finds them purged, it stops in error; the
            // documented resets reprovision first or reset the whole service, and an
            // independent review found a slave reset alone resuming cleanly).
            (true, Some(m)) if cleared(m) && self.host(h).data.pos.is_some() => {
                self.emit(Effect::PositionCleared { host: h, master: m });
                (ReplicatorState::OfflineError, r.restart)
            }
            // Reading from its start the THL reset past events it never applied: it resumes
            // without them (an independent review found a lagging slave of a service reset
            // catching up events no THL held any more). Its own THL, rebuilt from there,
            // lacks them too: the positions lost at `h` stay lost (a second review found
            // them made good).
            (true, Some(m)) if r.restart == RestartPosition::Skipping(m) => {
                if r.role.applies_to_dataserver() {
                    self.host_mut(h).data.drift = true;
                }
                self.emit(Effect::MissedEvents { host: h, master: m });
                (ReplicatorState::Online, resumed)
            }
            (true, Some(m)) if !self.lineage_ok(h, m) => {
                self.emit(Effect::Diverged { host: h, master: m });
                (ReplicatorState::OfflineError, r.restart)
            }
            // A loss stays until its own reset (the master it reads now may be another).
            // Reading, `h` rebuilds its THL from its master's: the positions lost at `h` are
            // good again (the 300 000-case property run found a slave stopped reading a reset
            // host that had since read its history back).
            (true, Some(_)) => {
                self.thl_rebuilt(h);
                (ReplicatorState::Online, resumed)
            }
            _ => (ReplicatorState::Online, resumed),
        };
        self.set_replicator(
            h,
            ClusterReplicator {
                state,
                restart,
                ..r
            },
        );
        Ok(())
    }

    /// Whether `h`'s data is in the history of `m`'s.
    pub(crate) fn in_history(&self, h: HostId, m: HostId) -> bool {
        self.state
            .history
            .contains(self.host(m).data.pos, self.host(h).data.pos)
    }

    /// The hosts between `h` and `source` on `h`'s replication path, when every event
    /// `source` holds reaches `h` along it: each hop's replicator reads the next from `h` up
    /// to `source`, ONLINE, within reach of it and on its line. Else the first host that does
    /// not pass the events on: `h` itself when its replicator is not ONLINE or reads off that
    /// path. A switch waits for its target to apply the flushed events
    /// (*operations-primaryswitch-manual*; a composite's, *operations-composite* and
    /// *manager-failover-internals-switch-failover-steps-composite-clusters*), which a stalled
    /// intermediary never passes on (an independent review found a composite switch accepted
    /// through one).
    pub(crate) fn flush_path(&self, h: HostId, source: HostId) -> Result<HostSet, HostId> {
        let mut between = HostSet::EMPTY;
        let mut at = h;
        for _ in 0..crate::model::MAX_HOSTS {
            let r = self.host(at).replicator;
            let Some(next) = r
                .master
                .filter(|_| r.is_online() && r.role != ReplicatorRole::Master)
            else {
                return Err(at);
            };
            if !self.state.reachable(at, next) || !self.in_history(at, source) {
                return Err(at);
            }
            if next == source {
                return Ok(between);
            }
            if next == h || between.contains(next) {
                return Err(at);
            }
            between.insert(next);
            at = next;
        }
        Err(at)
    }

    /// Whether a replicator on `h` may apply from `m` (the lineage rule; always true when
    /// that rule is off).
    pub(crate) fn lineage_ok(&self, h: HostId, m: HostId) -> bool {
        !self.rules.lineage || self.in_history(h, m)
    }

    /// `h` reads its master again and rebuilds its THL from the master's: the positions lost at
    /// `h` by replicators level with it are good again.
    fn thl_rebuilt(&mut self, h: HostId) {
        for d in self.topology.host_ids() {
            // A replicator behind `h` at its reset still lacks what `h`'s THL dropped (an
            // independent review found it cleared here).
            if self.host(d).replicator.restart == RestartPosition::LostAt(h) {
                self.host_mut(d).replicator.restart = RestartPosition::Kept;
            }
        }
    }

    /// Take `h`'s cluster replicator offline (OFFLINE:ERROR also becomes OFFLINE:NORMAL).
    pub(crate) fn replicator_offline(&mut self, h: HostId) -> Result<(), Refusal> {
        let r = self.host(h).replicator;
        if !r.running {
            return Err(Refusal::ReplicatorStopped {
                host: h,
                install: Install::Cluster,
            });
        }
        if r.state == ReplicatorState::OfflineNormal {
            return Err(Refusal::NoChange {
                host: Some(h),
                already: Cow::Borrowed("has its replicator OFFLINE:NORMAL"),
            });
        }
        self.set_replicator(
            h,
            ClusterReplicator {
                state: ReplicatorState::OfflineNormal,
                ..r
            },
        );
        Ok(())
    }

    /// Refuse to turn the replicator of `h` away from extracting while some running manager
    /// sees `h` as the ONLINE master.
    ///
    /// Modelling decision (DOMAIN.md: replicator sub-commands are safe only in MAINTENANCE or
    /// on a shunned datasource): clients would go on writing to a master whose events no
    /// replicator extracts, and the master would then hold events that its own source lacks.
    /// The explorer and the `apply_sequence` fuzzer both found this (by `replicator X slave`
    /// and by `trepctl setrole`).
    pub(crate) fn keep_master_extracting(&self, h: HostId) -> Result<(), Refusal> {
        if self.held_as_online_master(h) {
            return Err(Refusal::WrongState {
                host: h,
                found: DsState::Online,
                expected: Cow::Borrowed(
                    "a master datasource taken offline or shunned before its replicator stops extracting (switch first, or `datasource <ds> offline`)",
                ),
            });
        }
        Ok(())
    }

    /// Refuse to bring an applying replicator of `h` online while some running manager sees
    /// `h` as the ONLINE master.
    ///
    /// Modelling decision, the same rule as [`Self::keep_master_extracting`] for a replicator
    /// already applying (left so by a failover that a stopped manager of `h` did not see):
    /// clients write to the master, its replicator does not extract, and the master would hold
    /// events its own source lacks. The `apply_sequence` fuzzer found the managers' side of it
    /// (see `restore_replicators`); this is the operator's (`trepctl online`,
    /// `replicator <ds> online`).
    pub(crate) fn no_applier_on_master(&self, h: HostId) -> Result<(), Refusal> {
        if self.host(h).replicator.role.applies() && self.held_as_online_master(h) {
            return Err(Refusal::WrongState {
                host: h,
                found: DsState::Online,
                expected: Cow::Borrowed(
                    "a datasource that is not the ONLINE master before an applying replicator goes online on it (`datasource <ds> offline` first, or `replicator <ds> master`)",
                ),
            });
        }
        Ok(())
    }

    /// Whether some running manager holds `h` as the ONLINE master.
    fn held_as_online_master(&self, h: HostId) -> bool {
        self.topology.host_ids().any(|m| {
            self.topology.host(m).has_manager()
                && self.state.manager_running(m)
                && self.state.view(m).entry(h).is_online_master()
        })
    }

    /// Refuse to make `h`'s replicator a `thl-server` or a `thl-client` while a running manager
    /// of its service holds a policy other than MAINTENANCE: the cluster goes into MAINTENANCE
    /// first, then the replicator is taken offline, given the role and put online again
    /// (Continuent docs *operations-status-repl-roles*, clustering 6.1, 7.1 and 8.0, for both
    /// roles; the pages seen say nothing of the kind for `thl-applier`, which is left out).
    /// Independent reviews found either role taken under AUTOMATIC.
    pub(crate) fn thl_role_in_maintenance(&self, h: HostId) -> Result<(), Refusal> {
        let service = self.topology.host(h).service;
        let tending = self.topology.hosts_of(service).find(|&m| {
            self.topology.host(m).has_manager()
                && self.state.manager_running(m)
                && self.state.view(m).policy != PolicyMode::Maintenance
        });
        match tending {
            Some(m) => Err(Refusal::NeedsMaintenance {
                service,
                found: self.state.view(m).policy,
                forceable: false,
            }),
            None => Ok(()),
        }
    }

    /// `setrole`: only in OFFLINE:NORMAL.
    pub(crate) fn replicator_setrole(
        &mut self,
        h: HostId,
        role: ReplicatorRole,
        master: Option<HostId>,
    ) -> Result<(), Refusal> {
        let r = self.host(h).replicator;
        if !r.running {
            return Err(Refusal::ReplicatorStopped {
                host: h,
                install: Install::Cluster,
            });
        }
        if r.state != ReplicatorState::OfflineNormal {
            return Err(Refusal::ReplicatorState {
                host: h,
                install: Install::Cluster,
                found: r.state,
                // From OFFLINE:ERROR, `trepctl offline` clears the error to OFFLINE:NORMAL
                // (`replicator_offline`); "take it offline" read as nonsense there (helper-94).
                expected: Cow::Borrowed(if r.state == ReplicatorState::OfflineError {
                    "OFFLINE:NORMAL (`trepctl offline` clears the error to OFFLINE:NORMAL first)"
                } else {
                    "OFFLINE:NORMAL (take it offline first: `trepctl offline`)"
                }),
            });
        }
        let master = if role == ReplicatorRole::Master {
            None
        } else {
            master.or(r.master)
        };
        if master == Some(h) {
            return Err(Refusal::ReplicatorRole {
                host: h,
                found: r.role,
                expected: Cow::Borrowed("a source other than itself"),
            });
        }
        if r.role == role && r.master == master {
            return Err(Refusal::NoChange {
                host: Some(h),
                already: Cow::Borrowed("has that replicator role already"),
            });
        }
        // The slaves reading from `h` must still reach a master once its role changes: its
        // own slaves, and every online slave whose sources lead to a master through `h` (a
        // slave of one of its slaves, even one whose host is down: chains follow the sources
        // the replicators hold). The `apply_sequence` fuzzer found the second kind: db5, a
        // slave of db1 (down), which read from db2, was looped back by `trepctl setrole
        // -role thl-client` on db2 pointing at db5.
        let mut probe = *self.state;
        probe.hosts[h.index().min(crate::model::MAX_HOSTS - 1)].replicator =
            ClusterReplicator { role, master, ..r };
        let reaches = |state: &crate::model::State, d: HostId, first: Option<HostId>| {
            super::invariant::reaches_service_master(self.topology, state, d, first)
        };
        if let Some(slave) = self.topology.host_ids().find(|&d| {
            let x = self.host(d).replicator;
            d != h
                && self.host(d).up
                && x.is_online()
                && (x.master == Some(h) || reaches(self.state, d, x.master))
                && !reaches(&probe, d, x.master)
        }) {
            return Err(Refusal::ServesSlaves { host: h, slave });
        }
        self.set_replicator(h, ClusterReplicator { role, master, ..r });
        Ok(())
    }

    /// Point `h`'s replicator at `master` in role `role`, whatever its state (what the managers
    /// do on failover, switch and recover: offline, setrole, back to the state it was in). An
    /// online slave whose data is not in the new master's history stops in OFFLINE:ERROR.
    pub(crate) fn repoint(&mut self, h: HostId, role: ReplicatorRole, master: Option<HostId>) {
        let r = self.host(h).replicator;
        let mut next = ClusterReplicator { role, master, ..r };
        if r.running
            && r.state == ReplicatorState::Online
            && let Some(m) = master
            && role.applies()
            && !self.lineage_ok(h, m)
        {
            self.emit(Effect::Diverged { host: h, master: m });
            next.state = ReplicatorState::OfflineError;
        }
        self.set_replicator(h, next);
    }

    /// The online slaves reading from `m`, whose data was just replaced (provisioning), that
    /// hold events its new data lacks stop in OFFLINE:ERROR ([`Effect::Diverged`]): a slave
    /// connecting to a master checks that the master's log holds its own last event (seqno
    /// and epoch), and fails the handshake when it does not (the replicator's "Master log
    /// does not contain requested transaction"). A slave whose host is down has no replicator
    /// running; it meets the same check when it is started. Slaves whose data the new line
    /// holds, at the copy's position or behind it, read on (**modelling decision**: the model
    /// keeps no THL contents, only lines of history, and lets a master serve every event of
    /// its line, as it does for a catch-up; the copy clears `m`'s THL, so Tungsten's handshake
    /// would also fail for a slave behind the copy, which must then be reprovisioned: the
    /// model is optimistic there, about availability, not about which data is kept).
    /// The documented site reset provisions the primary while the replicas' cluster
    /// replicators still run, then reprovisions the replicas from it
    /// (*operations-msmm-resetsingle*, 7.0); the model refused the first step until this
    /// rule. `m`'s next write as a master starts a new epoch ([`Ctx::write`]), so a slave
    /// stopped here never reads the new line as its own.
    pub(crate) fn stop_diverged_slaves(&mut self, m: HostId) {
        for d in self.topology.host_ids() {
            let r = self.host(d).replicator;
            if d != m
                && r.is_online()
                && r.master == Some(m)
                && r.role.applies()
                && !self.lineage_ok(d, m)
            {
                self.stop_diverged(d, m);
            }
        }
    }

    /// The other sites' cross-site replicators that read `m`'s site, once `m`, its master,
    /// was provisioned: one running and holding a position stops in OFFLINE:ERROR
    /// ([`Effect::Diverged`]). The copy clears `m`'s THL, so the position such a replicator
    /// asks for is gone, or holds other events once `m` writes again, whatever line the copy
    /// holds; the documented site reset takes those replicators offline and resets them
    /// (`reset -all`: no position) before it provisions (seed 000 step 4, Continuent docs
    /// *operations-msmm-resetsingle*, 7.0). An operator's review found the reset left out and
    /// the plan VALID, its cross-site goals met. One stopped keeps its position: the model
    /// holds no THL, so the error it meets when started is not modelled.
    pub(crate) fn stop_diverged_cross_site(&mut self, m: HostId) {
        let site = self.service_of(m);
        for h in self.topology.host_ids() {
            let x = self.host(h).cross_site;
            if self.topology.host(h).cross_site_from == Some(site)
                && x.running
                && x.state != ReplicatorState::OfflineError
                && x.applied.is_some()
            {
                self.stop_cross_site_diverged(h, m);
            }
        }
    }

    /// `h`'s cross-site replicator, reading `m`, finds its position missing from `m`'s log
    /// and stops in OFFLINE:ERROR ([`Effect::Diverged`]), its process still running.
    fn stop_cross_site_diverged(&mut self, h: HostId, m: HostId) {
        self.host_mut(h).cross_site.state = ReplicatorState::OfflineError;
        self.emit(Effect::Diverged { host: h, master: m });
        self.emit(Effect::Replicator {
            host: h,
            install: Install::CrossSite,
            to: ReplicatorState::OfflineError,
        });
    }

    /// `h`'s replicator, reading from `m`, finds its own last event missing from `m`'s log
    /// and stops in OFFLINE:ERROR ([`Effect::Diverged`]), its process still running.
    fn stop_diverged(&mut self, h: HostId, m: HostId) {
        self.emit(Effect::Diverged { host: h, master: m });
        let r = self.host(h).replicator;
        self.set_replicator(
            h,
            ClusterReplicator {
                state: ReplicatorState::OfflineError,
                ..r
            },
        );
    }

    /// Start `h`'s cluster replicator process: it comes up OFFLINE:NORMAL, for its manager to
    /// bring online.
    pub(crate) fn replicator_start(&mut self, h: HostId) -> Result<(), Refusal> {
        let r = self.host(h).replicator;
        if r.running {
            return Err(Refusal::NoChange {
                host: Some(h),
                already: Cow::Borrowed("has its replicator running"),
            });
        }
        self.set_replicator(
            h,
            ClusterReplicator {
                running: true,
                state: ReplicatorState::OfflineNormal,
                ..r
            },
        );
        Ok(())
    }

    /// Start `h`'s cluster replicator process as a plain `replicator start` does: it comes up
    /// and goes online by itself ([`Ctx::auto_enable`]).
    pub(crate) fn replicator_boot(&mut self, h: HostId) -> Result<(), Refusal> {
        self.replicator_start(h)?;
        self.auto_enable(h);
        Ok(())
    }

    /// A replicator just started goes ONLINE by itself, in the role and from the source it
    /// was left with, under every policy: Continuent docs *deployment-startupdown* (replicator
    /// 6.1) say only a cluster configured with `auto-enable=false` needs its nodes put online
    /// by hand after a start, `replicator start offline` is the start that keeps replication
    /// offline (*deployment-startupdown-replicator*, replicator 7.1), and restarting a
    /// running replicator "temporarily stops and restarts replication" (the clustering 7.0
    /// page). A review found a replicator restarted in MAINTENANCE left OFFLINE, a master's
    /// extractor among them.
    ///
    /// It goes online only where [`Ctx::replicator_online`] lets it (an applier whose
    /// sources lead to the service's master; an extractor with no other in reach), and an
    /// extractor only where [`Ctx::may_extract`] would let an operator bring it online: on
    /// the master its managers hold in service (**modelling decision**, the conservative
    /// reading: the pages do not say what a restarted old master's replicator does, and an
    /// extractor there forks the history; a review found an old master's restarted
    /// replicator taking writes in a plan read VALID). Elsewhere it stays OFFLINE:NORMAL,
    /// for its managers or the operator.
    pub(crate) fn auto_enable(&mut self, h: HostId) {
        let r = self.host(h).replicator;
        if r.role != ReplicatorRole::Master || self.may_extract(h).is_ok() {
            let _ = self.replicator_online(h);
        }
    }

    /// Stop `h`'s cluster replicator process.
    pub(crate) fn replicator_stop(&mut self, h: HostId) -> Result<(), Refusal> {
        let r = self.host(h).replicator;
        if !r.running {
            return Err(Refusal::NoChange {
                host: Some(h),
                already: Cow::Borrowed("has its replicator stopped"),
            });
        }
        self.set_replicator(
            h,
            ClusterReplicator {
                running: false,
                state: ReplicatorState::OfflineNormal,
                ..r
            },
        );
        Ok(())
    }

    /// The cctrl session on `h` ends, and cctrl started again there begins anew
    /// ([`crate::model::Session::fresh`]): a session is a connection to its manager, which
    /// stopped or went down with its host (**modelling decision**; independent reviews
    /// found `set force true` surviving a manager's stop and start, then its restart).
    pub(crate) fn end_session(&mut self, h: HostId) {
        let fresh = crate::model::Session::fresh(self.topology, h);
        if let Some(session) = self.state.sessions.get_mut(h.index()) {
            *session = fresh;
        }
    }

    /// Start or stop a process of `h` other than the cluster replicator.
    pub(crate) fn set_process(
        &mut self,
        h: HostId,
        process: Process,
        running: bool,
    ) -> Result<(), Refusal> {
        let host = *self.host(h);
        let current = match process {
            Process::Manager => host.manager,
            Process::Connector => host.connector.running,
            Process::DataServer => host.dataserver,
            Process::Replicator => host.replicator.running,
        };
        if current == running {
            return Err(Refusal::NoChange {
                host: Some(h),
                already: if running {
                    Cow::Borrowed("runs it already")
                } else {
                    Cow::Borrowed("has it stopped already")
                },
            });
        }
        let exists = match process {
            Process::Manager => self.topology.host(h).has_manager(),
            Process::Connector => self.topology.host(h).connector,
            Process::DataServer | Process::Replicator => self.topology.host(h).is_datasource(),
        };
        if !exists {
            return Err(Refusal::NotADatasource { host: h });
        }
        match process {
            Process::Replicator => {
                return if running {
                    self.replicator_boot(h)
                } else {
                    self.replicator_stop(h)
                };
            }
            Process::Manager => {
                let m = self.host_mut(h);
                m.manager = running;
                if !running {
                    self.end_session(h);
                }
                if running {
                    // A starting manager has not evaluated membership: its view is stale.
                    if let Some(view) = self.state.views.get_mut(h.index()) {
                        view.quorum = crate::model::Quorum::Unknown;
                    }
                }
            }
            // The routing state `router .. online|offline` set is the managers', and survives
            // the connector process restarting.
            Process::Connector => self.host_mut(h).connector.running = running,
            Process::DataServer => self.host_mut(h).dataserver = running,
        }
        self.emit(Effect::Process {
            host: h,
            process,
            install: Install::Cluster,
            running,
        });
        Ok(())
    }

    /// A write (or heartbeat) on `h`: refused unless `h` is a writable master (or, for a
    /// heartbeat through trepctl, an online master extractor).
    pub(crate) fn write(&mut self, h: HostId, through_connector: bool) -> Result<(), Refusal> {
        let service = self.service_of(h);
        let writable = if through_connector {
            writable_masters(self.topology, self.state, service, HostSet::of([h])).contains(h)
        } else {
            let host = self.host(h);
            host.up
                && host.dataserver
                && host.replicator.is_online()
                && host.replicator.role == ReplicatorRole::Master
        };
        if !writable {
            return Err(Refusal::NotWritable { host: h });
        }
        let data = self.host(h).data;
        if data
            .pos
            .is_some_and(|p| p.seqno >= crate::model::Seqno::MAX.get())
        {
            return Err(Refusal::SeqnoRange { host: h });
        }
        let epoch = match data.writing {
            Some(e) => e,
            None => {
                let live = self.live_epochs();
                self.state
                    .history
                    .start_epoch(service, data.pos, live)
                    .map_err(|_| Refusal::HistoryFull)?
            }
        };
        let seqno = data.pos.map_or(0, |p| p.seqno + 1);
        let d = &mut self.host_mut(h).data;
        d.writing = Some(epoch);
        d.pos = Some(crate::model::Pos { seqno, epoch });
        d.orphaned = None;
        self.emit(Effect::Write { host: h, seqno });
        Ok(())
    }

    /// Every epoch some position or writer uses.
    pub(crate) fn live_epochs(&self) -> Vec<crate::model::EpochId> {
        self.topology
            .host_ids()
            .flat_map(|h| {
                let host = self.host(h);
                [
                    host.data.pos.map(|p| p.epoch),
                    host.data.writing,
                    host.cross_site.applied.map(|p| p.epoch),
                ]
            })
            .flatten()
            .collect()
    }

    /// `h`'s cluster replicator applies everything its master has.
    pub(crate) fn catch_up(&mut self, h: HostId) -> Result<(), Refusal> {
        let r = self.host(h).replicator;
        let Some(m) = r.master.filter(|_| r.is_online() && r.role.applies()) else {
            return Err(Refusal::NoChange {
                host: Some(h),
                already: Cow::Borrowed("is not replicating (no online slave replicator)"),
            });
        };
        // A thl-client fetches THL and applies none of it to its dataserver, so its data
        // stays where it was.
        if !r.role.applies_to_dataserver() {
            return Err(Refusal::NoChange {
                host: Some(h),
                already: Cow::Borrowed("is a thl-client, which applies nothing to its dataserver"),
            });
        }
        // What stops the catch-up is named by its own rule: the source out of reach, its
        // replicator not online, its dataserver stopped (found by an API review: all three
        // read as `no-change`, which a tool matching on rules takes for a no-op).
        let source = self.host(m).replicator;
        if !self.state.reachable(h, m) {
            return Err(Refusal::Unreachable { host: m });
        }
        if !source.is_online() {
            return Err(Refusal::ReplicatorState {
                host: m,
                install: Install::Cluster,
                found: source.state,
                expected: Cow::Borrowed(
                    "ONLINE: a slave catches up only from an online replicator (`trepctl online` on it)",
                ),
            });
        }
        if !self.host(m).dataserver {
            return Err(Refusal::DataServerStopped { host: m });
        }
        self.copy_events(h, m)
    }

    /// `h`'s cluster replicator, reading from `m`, applies every event `m` holds: the part of
    /// [`Ctx::catch_up`] after its checks of the replicators (a line `m`'s does not continue
    /// stops `h`'s replicator in error).
    pub(crate) fn copy_events(&mut self, h: HostId, m: HostId) -> Result<(), Refusal> {
        let history = self.state.history;
        let (mine, theirs) = (self.host(h).data.pos, self.host(m).data.pos);
        if !self.lineage_ok(h, m) {
            self.stop_diverged(h, m);
            return Ok(());
        }
        let target = theirs.map(|p| history.canonical(p));
        let current = mine.map(|p| history.canonical(p));
        if target == current {
            return Err(Refusal::NoChange {
                host: Some(h),
                already: Cow::Borrowed("has every event of its master"),
            });
        }
        // The copy of the master's events carries its mark: a loss already reported is not
        // reported again for the copy.
        let mark = self.host(m).data.orphaned;
        let d = &mut self.host_mut(h).data;
        d.pos = target;
        d.writing = None;
        d.orphaned = mark;
        self.emit(Effect::CaughtUp {
            host: h,
            install: Install::Cluster,
            seqno: target.map(|p| p.seqno),
        });
        Ok(())
    }

    /// The master the cross-site replicator of `h` reads: an ONLINE master of the site it
    /// replicates from, reachable from `h`, with its replicator online.
    pub(crate) fn cross_site_source(&self, h: HostId) -> Option<HostId> {
        let from = self.topology.host(h).cross_site_from?;
        self.topology.datasources_of(from).find(|&m| {
            self.state.reachable(h, m)
                && self.host(m).replicator.is_online()
                && self.host(m).replicator.role == ReplicatorRole::Master
                && self.host(m).dataserver
        })
    }

    /// The cross-site replicator of `h` applies its source's events. After a reset (no
    /// position) it replays the source's whole THL, so a source whose data drifted passes its
    /// drift on; a position not in the source's history stops it with an error.
    pub(crate) fn cross_site_sync(
        &mut self,
        h: HostId,
        quiet_if_current: bool,
    ) -> Result<(), Refusal> {
        let x = self.host(h).cross_site;
        if !x.is_online() {
            return Err(Refusal::NoChange {
                host: Some(h),
                already: Cow::Borrowed("has no online cross-site replicator"),
            });
        }
        let Some(m) = self.cross_site_source(h) else {
            return Err(Refusal::NoChange {
                host: Some(h),
                already: Cow::Borrowed("cannot reach the master of the site it replicates"),
            });
        };
        let history = self.state.history;
        let source = self.host(m).data.pos.map(|p| history.canonical(p));
        let applied = x.applied.map(|p| history.canonical(p));
        if applied == source {
            return if quiet_if_current {
                Ok(())
            } else {
                Err(Refusal::NoChange {
                    host: Some(h),
                    already: Cow::Borrowed("has every event of the other site"),
                })
            };
        }
        if x.applied.is_some() && !history.contains(source, applied) {
            self.stop_cross_site_diverged(h, m);
            return Ok(());
        }
        // A replicator with no position replays its source's whole history, the changes that
        // made the source drift included.
        if x.applied.is_none() && self.host(m).data.drift && !self.host(h).data.drift {
            self.host_mut(h).data.drift = true;
            self.emit(Effect::Drift { host: h });
        }
        self.host_mut(h).cross_site.applied = source;
        self.emit(Effect::CaughtUp {
            host: h,
            install: Install::CrossSite,
            seqno: source.map(|p| p.seqno),
        });
        Ok(())
    }

    /// Report what a master that an input made writable leaves behind, once the managers
    /// have reacted to it (`before` is the state before the input): events another
    /// datasource of its service holds that it lacks, unless reported already (the holder's
    /// orphan mark covers them: a provisioning of the master marks what it judged,
    /// [`Finding::DiscardedEvents`], or, from another site, chose not to judge, as in the
    /// seed 000 site reset). Whatever the master writes forks the history away from them, so
    /// the step that made it writable is where they are lost ([`Finding::WritableBehind`]).
    /// This is how a master whose managers' view is stale, its manager restarted alone after
    /// a failover it did not see, is caught: it is the ONLINE master in that view as soon as
    /// its manager starts (found by an operator review and an independent one: under
    /// MAINTENANCE or AUTOMATIC, by `datasource online`, `welcome` or the managers, such
    /// plans read VALID, and a write forked the history unreported). A master writable
    /// before the input is not judged again: what another datasource comes to hold beyond it
    /// (a copy from the other site of events a failover orphaned) is that step's own matter,
    /// and the master's writes were going on already (a further review found the copy
    /// reported against the healthy master). A master's own mark is kept: unlike a
    /// promotion, being writable does not make its line the service's for the copies of it
    /// already reported. **Modelling decision**: nothing in the docs says the managers
    /// compare positions before they put a master they hold in service; Continuent docs
    /// *manager-failover-behavior* call such events orphaned and leave finding them to the
    /// operator (`tungsten_find_orphaned`).
    ///
    /// Returns the writable masters it found, for the guard to check the same state with.
    pub(crate) fn report_writable_behind(
        &mut self,
        before: &crate::model::State,
    ) -> WritableByService {
        let topology = self.topology;
        let mut found = [None; MAX_SERVICES];
        for service in topology.physical_services() {
            let all = topology.host_set();
            let now = writable_masters(topology, self.state, service, all);
            if let Some(slot) = found.get_mut(service.index()) {
                *slot = Some(now);
            }
            if now.is_empty() {
                continue;
            }
            // Only the masters writable now need asking about before.
            let was = writable_masters(topology, before, service, now);
            for master in now.iter().filter(|&m| !was.contains(m)) {
                let line = self.host(master).data.pos;
                for d in topology.datasource_set(service) {
                    if d != master && self.mark_beyond(d, line) {
                        self.find(Finding::WritableBehind { host: d, master });
                    }
                }
            }
        }
        found
    }

    /// Report events a promotion leaves behind on `holder`, unless an earlier promotion
    /// reported them all, and mark where `holder`'s line and the promoted master's now part
    /// ([`crate::model::Data::orphaned`]): no mark when the master holds all of `holder`'s
    /// events (they are the service's line again).
    pub(crate) fn check_lost(&mut self, holder: HostId, promoted: HostId) {
        let master = self.host(promoted).data.pos;
        let (lost, mark) = self
            .host(holder)
            .data
            .after_promotion(&self.state.history, master);
        self.host_mut(holder).data.orphaned = mark;
        if lost {
            self.find(Finding::LostEvents {
                host: holder,
                promoted,
            });
        }
    }

    /// Mark where `holder`'s line and the line ending at `line` part
    /// ([`crate::model::Data::orphaned`]), for a holder beyond that line only, and say
    /// whether it holds events no mark covered before. Unlike [`Self::check_lost`], a holder
    /// on the line keeps its mark (a copy of events reported lost stays reported), since
    /// nothing here makes that line the service's.
    pub(crate) fn mark_beyond(&mut self, holder: HostId, line: Option<Pos>) -> bool {
        let history = self.state.history;
        let data = self.host(holder).data;
        if history.contains(line, data.pos) {
            return false;
        }
        let (lost, mark) = data.after_promotion(&history, line);
        self.host_mut(holder).data.orphaned = mark;
        lost
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

    use crate::fault::{Fault, Process};
    use crate::machine::{Input, Rules, step};
    use crate::model::{EpochId, HostId, MAX_FORKS, Pos, ReplicatorState, State, Topology};

    /// The state after `fault` in `s`, under the default rules.
    fn after(t: &Topology, s: &State, fault: Fault) -> State {
        step(t, s, &Input::Fault(fault), &Rules::default(), &mut ()).unwrap()
    }

    /// Three healthy datasources, db1 the master, with db2 holding one event on a branch of
    /// history of its own (an epoch no other host has).
    fn db2_on_a_branch() -> (Topology, State, HostId, HostId, EpochId) {
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let mut s = State::healthy(&t);
        let (db1, db2) = (t.host_id("db1").unwrap(), t.host_id("db2").unwrap());
        let service = t.host(db1).service;
        let branch = s.history.start_epoch(service, None, []).unwrap();
        s.hosts[db2.index()].data.pos = Some(Pos {
            epoch: branch,
            seqno: 0,
        });
        (t, s, db1, db2, branch)
    }

    /// A new epoch reclaims only forks no host still holds: with the table full, db2 holding
    /// an event on a branch of its own, and db1's first write starting a new epoch, db2's branch
    /// keeps its slot, so db2 still reads as holding an event db1 lacks (cargo-mutants: with no
    /// live epochs passed on, the slot was reused and db2's event read as db1's).
    #[test]
    fn a_new_epoch_keeps_the_forks_hosts_still_hold() {
        let (t, mut s, db1, db2, leaf) = db2_on_a_branch();
        let service = t.host(db1).service;
        for _ in 1..MAX_FORKS {
            s.history.start_epoch(service, None, [leaf]).unwrap();
        }
        let next = after(&t, &s, Fault::Write(db1));
        let (mine, theirs) = (next.host(db1).data.pos, next.host(db2).data.pos);
        assert_ne!(mine.map(|p| p.epoch), Some(leaf));
        assert!(!next.history.contains(mine, theirs));
    }

    /// Catching up stops an online slave whose data is not in its master's history in
    /// OFFLINE:ERROR rather than leaving it online: db2 holds an event on a branch of its own
    /// while it reads from db1 (cargo-mutants: without the state in the struct expression the
    /// replicator stayed ONLINE and only the `Diverged` effect told).
    #[test]
    fn catching_up_off_the_masters_line_stops_in_error() {
        let (t, s, db1, db2, _) = db2_on_a_branch();
        assert!(s.host(db2).replicator.is_online());
        assert_eq!(s.host(db2).replicator.master, Some(db1));
        let next = after(&t, &s, Fault::CatchUp(db2));
        let r = next.host(db2).replicator;
        assert_eq!(r.state, ReplicatorState::OfflineError);
        assert!(r.running);
        assert_eq!(next.host(db2).data.pos, s.host(db2).data.pos);
    }

    /// A write advances the master's seqno up to [`crate::model::Seqno::MAX`] and no further:
    /// one more is refused (`seqno-range`) and changes nothing, so no accepted write leaves
    /// the position where it was.
    #[test]
    fn writes_stop_at_the_largest_seqno() {
        use crate::machine::Refusal;
        use crate::model::Seqno;
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let mut s = State::healthy(&t);
        let db1 = t.host_id("db1").unwrap();
        let epoch = EpochId::root(t.host(db1).service);
        for h in t.host_ids() {
            s.hosts[h.index()].data.pos = Some(Pos {
                seqno: Seqno::MAX.get() - 1,
                epoch,
            });
        }
        let last = after(&t, &s, Fault::Write(db1));
        assert_eq!(
            last.host(db1).data.pos.map(|p| p.seqno),
            Some(Seqno::MAX.get())
        );
        assert!(last.validate(&t).is_ok());
        let refused = step(
            &t,
            &last,
            &Input::Fault(Fault::Write(db1)),
            &Rules::default(),
            &mut (),
        )
        .unwrap_err();
        assert_eq!(refused.refusal, Refusal::SeqnoRange { host: db1 });
        assert_eq!(refused.refusal.rule(), super::super::Rule::SeqnoRange);
        insta::assert_snapshot!(refused.refusal.render(&t), @"db1 holds seqno 9223372036854775807, the largest a replicator holds: no event can follow it, so the model takes no more writes there");
    }

    /// A started replicator comes up OFFLINE:NORMAL, whatever state a stopped one was
    /// recorded in, then goes ONLINE by itself where it can: here, with no source, it cannot.
    /// The engine itself records every stopped replicator as OFFLINE:NORMAL, but a
    /// deserialised or hand-built state may not (cargo-mutants: without the state in the struct
    /// expression, db2 came up OFFLINE:ERROR as recorded). With its source, the same start
    /// brings it ONLINE, no manager running (`Ctx::replicator_boot`).
    #[test]
    fn a_started_replicator_comes_up_offline_normal() {
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let mut s = State::healthy(&t);
        let db2 = t.host_id("db2").unwrap();
        // No manager on db2 to bring the replicator online after it starts.
        s.hosts[db2.index()].manager = false;
        s.hosts[db2.index()].replicator.running = false;
        let source = s.hosts[db2.index()].replicator.master;
        for recorded in [ReplicatorState::OfflineError, ReplicatorState::Online] {
            s.hosts[db2.index()].replicator.state = recorded;
            s.hosts[db2.index()].replicator.master = None;
            let next = after(&t, &s, Fault::Start(db2, Process::Replicator));
            let r = next.host(db2).replicator;
            assert!(r.running, "{recorded:?}");
            assert_eq!(r.state, ReplicatorState::OfflineNormal, "{recorded:?}");
            s.hosts[db2.index()].replicator.master = source;
            let next = after(&t, &s, Fault::Start(db2, Process::Replicator));
            assert_eq!(
                next.host(db2).replicator.state,
                ReplicatorState::Online,
                "{recorded:?}"
            );
        }
    }
}
