//! Choosing and promoting a new master: shared by automatic failover, `failover`, `switch`
//! and `recover master using`.
//!
//! Source: Continuent docs *manual-switch-versus-automatic-failover*,
//! *manager-intro-best-practices*, *operations-status-roles*.

use super::context::Ctx;
use super::effect::Effect;
use super::rejection::{Ineligible, Refusal};
use crate::model::{
    DataSourceRole, DsState, HostId, ManagerView, PolicyMode, ReplicatorRole, ServiceId, ShunCause,
};

impl Ctx<'_, '_> {
    /// Whether `d` can be promoted, as the group whose first member is `rep` sees it.
    pub(crate) fn eligible(
        &self,
        view: &ManagerView,
        rep: HostId,
        d: HostId,
        master: Option<HostId>,
    ) -> Result<(), Ineligible> {
        let entry = view.entry(d);
        if Some(d) == master {
            return Err(Ineligible::Current { role: entry.role });
        }
        if !self.topology.host(d).is_datasource() || !entry.role.is_failover_candidate() {
            return Err(Ineligible::Role);
        }
        if entry.state != DsState::Online {
            return Err(Ineligible::NotOnline(entry.state));
        }
        if !self.healthy(rep, d) {
            return Err(Ineligible::Unreachable);
        }
        if !self.host(d).replicator.is_online() {
            return Err(Ineligible::Replicator);
        }
        Ok(())
    }

    /// Before a failover chooses, the managers wait for the slaves reading from the failed
    /// master to receive what its replicator can still extract (Continuent release notes
    /// 5.4.1 and 6.1.1, CT-583, and *manager-failover-behavior-mysql-fails*: with the default
    /// `replicator.store.thl.stopOnDBError=false` the replicator goes on reading the binlog
    /// files after the dataserver stops, and the failover waits until the remaining events
    /// have reached the slaves). So when `failed`'s replicator is online as a master and the
    /// group reaches its host, each datasource of `service` whose online slave replicator
    /// reads from it, reaches it, runs its dataserver and continues its line catches up to
    /// it. A master whose host is down or out of reach extracts nothing more; nor does one
    /// whose replicator is offline (fenced, or in error).
    ///
    /// The managers' failover and an operator's `failover` both wait: until one of them
    /// replaces it, the managers leave the failed master's replicator extracting
    /// ([`Ctx::awaiting_failover`]).
    ///
    /// **Modelling decisions**: `stopOnDBError=true`, which skips the wait, is not modelled;
    /// and only direct readers of the failed master catch up (a slave reading through another
    /// slave keeps the position it has).
    pub(crate) fn await_extraction(&mut self, service: ServiceId, rep: HostId, failed: HostId) {
        let r = self.host(failed).replicator;
        if !(self.state.reachable(rep, failed) && r.is_online() && r.role == ReplicatorRole::Master)
        {
            return;
        }
        for d in self.topology.datasource_set(service) {
            let slave = self.host(d).replicator;
            if d != failed
                && slave.master == Some(failed)
                && slave.is_online()
                && slave.role.applies_to_dataserver()
                && self.state.reachable(d, failed)
                && self.host(d).dataserver
                && self.lineage_ok(d, failed)
            {
                // Already holding every event is no change; nothing else refuses here.
                let _ = self.copy_events(d, failed);
            }
        }
    }

    /// The FAILED master of `service` that a failover would replace, when `view` holds no
    /// ONLINE master: the one the managers' failover and an operator's `failover` pick
    /// ([`Ctx::current_master`] among the FAILED). The managers leave its replicator
    /// extracting, so that the failover can wait for the binlog's last events
    /// ([`Ctx::await_extraction`]). Under AUTOMATIC that failover follows as soon as a slave
    /// is eligible; under MANUAL it waits for an operator. The master is not in service
    /// (clients are not routed to it), but a write made on its host, `trepctl heartbeat`
    /// included, is extracted as on any master whose dataserver runs.
    ///
    /// It need not be [`Ctx::service_master`]: beside an old master an operator welcomed back
    /// (OFFLINE, master role), that old master is the service's master, yet the failover
    /// replaces the FAILED one and must wait for it (found in review: with the old master
    /// preferred, the FAILED one's extractor was retired and its last write reported lost,
    /// and the old master's extractor restarted in its place). While the FAILED master
    /// extracts, no other extractor may start beside it ([`Ctx::other_extractor`]).
    pub(crate) fn awaiting_failover(
        &self,
        view: &ManagerView,
        service: ServiceId,
    ) -> Option<HostId> {
        if self.online_master(view, service, None).is_some() {
            return None;
        }
        self.failed_master(view, service)
    }

    /// The FAILED master of `service` a failover replaces: [`Ctx::current_master`] among
    /// the master-role entries of `view` that are FAILED. Whether a failover may run at all
    /// (no ONLINE master) is the caller's question; [`Ctx::awaiting_failover`] asks both.
    pub(crate) fn failed_master(&self, view: &ManagerView, service: ServiceId) -> Option<HostId> {
        self.current_master(view, service, |d| {
            matches!(view.entry(d).state, DsState::Failed(_))
        })
    }

    /// The one datasource of `service` whose master-role replicator the managers let
    /// extract: the FAILED master a failover is still to replace
    /// ([`Ctx::awaiting_failover`]), or else the service's master ([`Ctx::service_master`]).
    /// The FAILED master comes first: beside it, an old master an operator welcomed back
    /// (OFFLINE) is the service's master, and two extractors would fork the history once
    /// they reach each other. The explorer found that fork six inputs deep when both were
    /// kept: `datasource db1 fail` (failed over to db2), MANUAL, `datasource db1 welcome`,
    /// db2's manager stops (db2 FAILED, extracting), a partition cuts db2 off (db1's
    /// extractor restarts on its side), and a second one joins db1 and db2.
    pub(crate) fn extracting_master(
        &self,
        view: &ManagerView,
        service: ServiceId,
    ) -> Option<HostId> {
        self.awaiting_failover(view, service)
            .or_else(|| self.service_master(view, service))
    }

    /// The best eligible candidate of `service`: highest applied seqno, then lowest
    /// precedence, then first in the topology.
    pub(crate) fn best_candidate(
        &self,
        view: &ManagerView,
        service: ServiceId,
        rep: HostId,
        master: Option<HostId>,
    ) -> Option<HostId> {
        self.best_candidate_where(view, service, rep, master, |_| true)
    }

    /// [`Self::best_candidate`] among the eligible datasources `keep` accepts.
    pub(crate) fn best_candidate_where(
        &self,
        view: &ManagerView,
        service: ServiceId,
        rep: HostId,
        master: Option<HostId>,
        keep: impl Fn(HostId) -> bool,
    ) -> Option<HostId> {
        self.topology
            .datasources_of(service)
            .filter(|&d| self.eligible(view, rep, d, master).is_ok() && keep(d))
            .max_by(|&a, &b| {
                let key = |d: HostId| {
                    (
                        self.host(d).data.pos.map(|p| p.seqno),
                        std::cmp::Reverse(self.topology.host(d).precedence),
                        std::cmp::Reverse(d),
                    )
                };
                key(a).cmp(&key(b))
            })
    }

    /// The named target if eligible, else the best candidate.
    pub(crate) fn pick_target(
        &self,
        view: &ManagerView,
        service: ServiceId,
        rep: HostId,
        master: Option<HostId>,
        target: Option<HostId>,
    ) -> Result<HostId, Refusal> {
        match target {
            Some(t) => match self.eligible(view, rep, t, master) {
                Ok(()) => Ok(t),
                Err(why) => Err(Refusal::NotEligible { host: t, why }),
            },
            None => self
                .best_candidate(view, service, rep, master)
                .ok_or(Refusal::NoCandidate { service }),
        }
    }

    /// Make `new` the master in `view`: role master, ONLINE, its replicator an online master;
    /// every other non-master datasource the group reaches (shunned ones included, since
    /// shunning leaves the replicator running) repointed to it. `failed` is the old master on
    /// a failover: it becomes `SHUNNED(FAILED-OVER-TO-<new>)` and its replicator, if reached,
    /// goes offline. Every other master that is FAILED or shunned by an operator becomes
    /// `SHUNNED(FAILED-OVER-TO-<new>)` as well. The events it leaves behind are reported
    /// ([`Ctx::leave_behind`]). A failover reports the choice (`SELECTED SLAVE`) here; a
    /// switch reports it before it flushes, as cctrl prints it
    /// (*operations-primaryswitch-manual*), and `recover master using` names its target.
    pub(crate) fn promote(
        &mut self,
        view: &mut ManagerView,
        service: ServiceId,
        rep: HostId,
        new: HostId,
        failed: Option<HostId>,
    ) {
        if let Some(old) = failed {
            self.fail_over_from(view, rep, old, new);
        }
        // Only the new master may extract: every other master replicator the group reaches
        // goes offline, and every other failed master is shunned as failed over.
        for d in self.topology.datasource_set(service) {
            if d == new || Some(d) == failed {
                continue;
            }
            // A master an operator shunned is replaced too: left as it was, it would still
            // count as the service's master beside the new one, whose extractor the managers
            // would then retire whenever the new master went OFFLINE.
            let entry = view.entry(d);
            let replaced =
                matches!(entry.state, DsState::Failed(_)) || entry.state.shunned_by_operator();
            if entry.role == DataSourceRole::Master && replaced {
                self.set_state(view, d, DsState::Shunned(ShunCause::FailedOverTo(new)));
            }
            let r = self.host(d).replicator;
            if self.rules.single_extractor
                && self.state.reachable(rep, d)
                && r.is_online()
                && r.role == ReplicatorRole::Master
            {
                let _ = self.replicator_offline(d);
            }
        }
        self.set_role(view, new, DataSourceRole::Master);
        self.set_state(view, new, DsState::Online);
        self.repoint(new, ReplicatorRole::Master, None);
        if self.host(new).replicator.running {
            let _ = self.replicator_online(new);
        }
        self.emit(Effect::NewMaster { host: new });
        self.leave_behind(service, new);
        for d in self.topology.datasource_set(service) {
            // Shunned slaves too: shunning leaves the replicator running. The new master and
            // the failed one hold the master role, so they are not followers.
            let follower = view.entry(d).role != DataSourceRole::Master;
            if follower && self.repoints(rep, d) {
                self.repoint(d, ReplicatorRole::Slave, Some(new));
            }
        }
        self.repoint_passive_relays(service, rep, new);
        self.emit(Effect::FailedOver {
            from: failed,
            to: new,
        });
    }

    /// The passive sites' relays that read a datasource of `service` follow its new master
    /// `new`: a relay's source is the active site, whose master the composite tells the
    /// passive site's managers (Continuent docs *operations-composite*: the relay replicates
    /// from the active site's primary; the composite reconfigures it on a switch or
    /// failover). So a relay is repointed where `rep`'s group reaches it and a running
    /// manager of its site that is not in MAINTENANCE (managers in MAINTENANCE leave their
    /// replicators alone, *operations-policymodes*; the relay then reads on from its source,
    /// and is pointed at the master once that source stops feeding it,
    /// `restore_replicators`). Only the datasource its site holds as the relay is repointed:
    /// an old relay its site failed over from (`SHUNNED(FAILED-OVER-TO-..)`) keeps its
    /// offline replicator as it is, as the site's own promotion leaves it. A relay holding
    /// events `new` lacks stops in OFFLINE:ERROR ([`Ctx::repoint`]).
    fn repoint_passive_relays(&mut self, service: ServiceId, rep: HostId, new: HostId) {
        for d in self.topology.host_ids() {
            let r = self.host(d).replicator;
            let site = self.topology.host(d).service;
            if site == service
                || r.role != ReplicatorRole::Relay
                || !r
                    .master
                    .is_some_and(|m| m != new && self.topology.host(m).service == service)
                || !self.state.reachable(rep, d)
            {
                continue;
            }
            let acting = self.topology.service_host_set(site).iter().find(|&m| {
                self.state.manager_running(m)
                    && self.state.reachable(rep, m)
                    && self.state.view(m).policy != PolicyMode::Maintenance
            });
            let serves = acting.is_some_and(|m| {
                let entry = self.state.view(m).entry(d);
                entry.role == DataSourceRole::Relay
                    && !matches!(entry.state, DsState::Shunned(ShunCause::FailedOverTo(_)))
            });
            if serves {
                self.repoint(d, ReplicatorRole::Relay, Some(new));
            }
        }
    }

    /// A failover's first steps: report `new` chosen, mark `old`
    /// `SHUNNED(FAILED-OVER-TO-<new>)`, and take its replicator offline where the group
    /// reaches it.
    fn fail_over_from(&mut self, view: &mut ManagerView, rep: HostId, old: HostId, new: HostId) {
        self.emit(Effect::Selected { host: new });
        self.set_state(view, old, DsState::Shunned(ShunCause::FailedOverTo(new)));
        if self.state.reachable(rep, old) && self.host(old).replicator.is_online() {
            let _ = self.replicator_offline(old);
        }
    }

    /// Whether a promotion by the managers of `rep` repoints the replica `d` to the new
    /// master or relay: its replicator runs, and they reach it over the network (no manager
    /// needed on `d`), under the `repoint_slaves` rule. Only a running replicator is
    /// reconfigured: the managers point a replica at the new master through its replicator
    /// process (*cctrl-switch*, *cctrl-failover*: the command reconfigures the replicas),
    /// and a stopped one is a fault the operator fixes (`REPLICATOR(state=STOPPED)`,
    /// *operations-status-datasource*). It keeps the source it had, and reads it when started
    /// (`replicator start`), or is pointed at the master by its managers if that source no
    /// longer leads there. An OFFLINE one that runs is repointed and left OFFLINE: `setrole`
    /// is what an offline replicator takes (*trepctl-setrole*). **Modelling decision** where
    /// the pages say no more; the model pointed a stopped replicator at the new master as if
    /// it were online, in a master's promotion and a relay's alike.
    fn repoints(&self, rep: HostId, d: HostId) -> bool {
        self.host(d).replicator.running && self.rules.repoint_slaves && self.state.reachable(rep, d)
    }

    /// Make `new` the relay of the passive site `service`, reading `source` (the active site's
    /// ONLINE master): role relay, ONLINE, its replicator a relay of `source`, brought online;
    /// every other datasource of the site the group reaches but `failed` repointed to it as a
    /// slave. `failed` is the relay a failover replaces: it becomes
    /// `SHUNNED(FAILED-OVER-TO-<new>)` and its replicator, if reached, goes offline. A switch
    /// has made the old relay a slave first, and it is repointed with the others.
    ///
    /// Source: the relay is a failover candidate's role in a composite's passive site
    /// (Continuent docs *operations-status-roles*), and Continuent's article on moving the
    /// relay role to another node in a composite cluster moves it with `switch`, or with
    /// `datasource <relay> fail`, `failover` and `recover`, in the passive site's service.
    /// **Modelling decision**: the promotion mirrors a master's ([`Ctx::promote`]), the
    /// relay's source taking the place of extraction; the article shows no more of it.
    pub(crate) fn promote_relay(
        &mut self,
        view: &mut ManagerView,
        service: ServiceId,
        rep: HostId,
        (new, source): (HostId, HostId),
        failed: Option<HostId>,
    ) {
        if let Some(old) = failed {
            self.fail_over_from(view, rep, old, new);
        }
        self.set_role(view, new, DataSourceRole::Relay);
        self.set_state(view, new, DsState::Online);
        self.repoint(new, ReplicatorRole::Relay, Some(source));
        let r = self.host(new).replicator;
        if r.running && r.state != crate::model::ReplicatorState::Online {
            let _ = self.replicator_online(new);
        }
        self.emit(Effect::NewRelay { host: new });
        for d in self.topology.datasource_set(service) {
            let role = view.entry(d).role;
            // A datasource given the relay role by hand, its replicator not a relay's, reads
            // the new relay too (no other relay serves: the callers refuse or skip that).
            let follower = d != new && Some(d) != failed && role != DataSourceRole::Master;
            if follower && self.repoints(rep, d) {
                self.repoint(d, ReplicatorRole::Slave, Some(new));
            }
        }
    }

    /// The service's current master among the master-role entries of `view` that `among`
    /// keeps (the FAILED ones, for a failover). The view can hold several: a master failed
    /// over keeps its role until an operator makes it a slave, and an operator may welcome
    /// it and fail it again. The view records no current master, so (**modelling
    /// decision**) an entry some other datasource's replicator reads from is taken first,
    /// since a promotion repoints the slaves it reaches to the new master; then topology
    /// order.
    pub(crate) fn current_master(
        &self,
        view: &ManagerView,
        service: ServiceId,
        among: impl Fn(HostId) -> bool,
    ) -> Option<HostId> {
        let mut masters = self
            .topology
            .datasources_of(service)
            .filter(|&d| view.entry(d).role == DataSourceRole::Master && among(d));
        let first = masters.next()?;
        let Some(second) = masters.next() else {
            return Some(first);
        };
        let read_from = |m: HostId| {
            self.topology
                .datasources_of(service)
                .any(|d| d != m && self.host(d).replicator.master == Some(m))
        };
        [first, second]
            .into_iter()
            .chain(masters)
            .find(|&d| read_from(d))
            .or(Some(first))
    }

    /// Report the events promoting `new` leaves behind: every other datasource of `service`
    /// holding events `new` lacks, the master it replaces and hosts out of the group's reach
    /// (down, or cut off) included, since the promotion is what leaves them behind whether or
    /// not the managers see it ([`super::Finding::LostEvents`]). Events an earlier promotion
    /// left behind are not reported again ([`crate::model::Data::orphaned`]); `new`'s own,
    /// if it held some, are the service's line again.
    pub(crate) fn leave_behind(&mut self, service: ServiceId, new: HostId) {
        self.host_mut(new).data.orphaned = None;
        for d in self.topology.datasource_set(service) {
            if d != new {
                self.check_lost(d, new);
            }
        }
    }
}
