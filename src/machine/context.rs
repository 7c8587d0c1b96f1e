//! The working context of one transition: the topology, the next state being built, the
//! rules, and where effects go; with the helpers every handler shares.

use super::effect::{Effect, Finding};
use super::invariant::{KnownChains, writable_masters};
use super::rejection::Refusal;
use super::{Observer, Rules};
use crate::model::{
    DataSourceRole, DsEntry, DsState, HostId, HostSet, HostState, MAX_HOSTS, MAX_SERVICES,
    ManagerView, ServiceId, State, Topology,
};
use std::borrow::Cow;

pub(crate) struct Ctx<'t, 'o> {
    pub(crate) topology: &'t Topology,
    /// The next state, built in the caller's buffer (no copy when the transition is done).
    pub(crate) state: &'o mut State,
    pub(crate) rules: Rules,
    out: &'o mut dyn Observer,
    /// Whether the observer wants effects and findings at all (the explorer's does not).
    pub(crate) detailed: bool,
    /// What the transition reported so far: handed to the observer only when it is accepted,
    /// so that a refused input reports nothing.
    effects: Vec<Effect>,
    findings: Vec<Finding>,
    /// Set by every write the managers' reactions make ([`Ctx::host_mut`], [`Ctx::set_view`]
    /// when the view differs): a round of reactions that leaves it clear changed nothing, so
    /// the reactions need not copy and compare the whole state to know they are done.
    pub(crate) touched: bool,
    /// The source chains the managers' current round of reactions followed: once a round
    /// writes nothing, they hold for the state the reactions leave, which the guard then
    /// checks ([`super::invariant::Known`]). Cleared at the start of every round.
    pub(crate) chains: KnownChains,
    /// The group of managers whose view the writes in hand change, where the service's
    /// running managers are split into more than one group: [`Effect::State`] and
    /// [`Effect::Role`] carry it, so that a minority's view is not read as the cluster's.
    /// Set by every writer of a view before it writes ([`Ctx::label_view`]): a cctrl
    /// session's command, the reactions (for every group, split or not), a host script's
    /// provisioning and a composite's commands. A context starts with none.
    pub(crate) view_label: Option<HostSet>,
}

/// What a command changed that the managers might put back.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Subject(pub(crate) HostId);

impl<'t, 'o> Ctx<'t, 'o> {
    /// A context building the next state in `next`, which must start as a copy of the
    /// state the input applies to.
    pub(crate) fn new(
        topology: &'t Topology,
        next: &'o mut State,
        rules: Rules,
        out: &'o mut dyn Observer,
    ) -> Self {
        let detailed = out.detailed();
        Self {
            topology,
            state: next,
            rules,
            out,
            detailed,
            effects: Vec::new(),
            findings: Vec::new(),
            touched: false,
            chains: [None; MAX_HOSTS],
            view_label: None,
        }
    }

    pub(crate) fn emit(&mut self, effect: Effect) {
        if self.detailed {
            self.effects.push(effect);
        }
    }

    pub(crate) fn find(&mut self, finding: Finding) {
        if self.detailed {
            self.findings.push(finding);
        }
    }

    /// The transition is accepted: hand what it reported to the observer.
    pub(crate) fn commit(self) {
        for e in self.effects {
            self.out.effect(e);
        }
        for f in self.findings {
            self.out.finding(f);
        }
    }

    pub(crate) fn host(&self, h: HostId) -> &HostState {
        self.state.host(h)
    }

    /// `h`'s ground truth, to change it (which marks the state [`Ctx::touched`]).
    pub(crate) fn host_mut(&mut self, h: HostId) -> &mut HostState {
        self.touched = true;
        self.state.host_mut(h)
    }

    /// Where the sources of a replicator on `h` reading from `first` lead
    /// ([`super::invariant::Sources`]), the chain kept in [`Ctx::chains`] for the guard.
    pub(crate) fn follow_sources_keeping(
        &mut self,
        h: HostId,
        first: Option<HostId>,
    ) -> super::invariant::Sources {
        let (sources, chain) =
            super::invariant::follow_sources_keeping(self.topology, self.state, h, first);
        if let Some(slot) = self.chains.get_mut(h.index()) {
            *slot = Some((first, chain));
        }
        sources
    }

    pub(crate) fn service_of(&self, h: HostId) -> ServiceId {
        self.topology.host(h).service
    }

    /// The running managers of `service` that `from` reaches.
    pub(crate) fn group(&self, service: ServiceId, from: HostId) -> HostSet {
        self.topology
            .hosts_of(service)
            .filter(|&m| {
                self.topology.host(m).has_manager()
                    && self.state.manager_running(m)
                    && self.state.reachable(from, m)
            })
            .collect()
    }

    /// The view a group holds (its first member's; the engine keeps members equal).
    pub(crate) fn view_of(&self, group: HostSet) -> Option<ManagerView> {
        group.first().map(|m| *self.state.view(m))
    }

    /// Give every member of `group` the view `view`.
    pub(crate) fn set_view(&mut self, group: HostSet, view: &ManagerView) {
        let hosts = self.topology.hosts().len();
        for m in group {
            if let Some(slot) = self.state.views.get_mut(m.index())
                && !slot.eq_used(view, hosts)
            {
                *slot = *view;
                self.touched = true;
            }
        }
    }

    /// [`Ctx::set_view`] for a group whose members' views agree ([`ManagerView::eq_used`]):
    /// either every member's differs from `view` or none does, so the first member's tells
    /// whether there is anything to write (most rounds of reactions write none).
    pub(crate) fn set_view_agreed(&mut self, group: HostSet, view: &ManagerView) {
        let hosts = self.topology.hosts().len();
        // Test builds check that the members still agree, which the shortcut rests on.
        debug_assert!(
            group.iter().all(|m| group
                .first()
                .is_some_and(|first| self.state.view(m).eq_used(self.state.view(first), hosts))),
            "a group's views that agreed at the merge differ at the write"
        );
        if group
            .first()
            .is_some_and(|first| self.state.view(first).eq_used(view, hosts))
        {
            return;
        }
        self.set_view(group, view);
    }

    /// Whether `d` is healthy as seen from a group whose first member is `rep`: reachable,
    /// its manager running, its dataserver running.
    pub(crate) fn healthy(&self, rep: HostId, d: HostId) -> bool {
        self.state.reachable(rep, d) && self.host(d).manager && self.host(d).dataserver
    }

    /// The datasource ONLINE as master in `view`, other than `except`.
    pub(crate) fn online_master(
        &self,
        view: &ManagerView,
        service: ServiceId,
        except: Option<HostId>,
    ) -> Option<HostId> {
        self.topology
            .datasources_of(service)
            .filter(|&h| Some(h) != except)
            .find(|&h| view.entry(h).is_online_master())
    }

    /// The datasource a replica of `service` reads from, other than `except`: the ONLINE
    /// master, or at a passive site of an active/passive composite ([`Ctx::passive_site`]) the
    /// site's relay in service (ONLINE, or OFFLINE as a recovery leaves it under MAINTENANCE:
    /// its replicator is what serves, so it must be a relay's; an independent review found a
    /// relay made by hand, its replicator still a slave of the old relay, taken as the source
    /// of that old relay's recovery, a loop), which receives from the active site and serves the
    /// replicas of its own site (Continuent docs *operations-status-roles*; a composite switch
    /// repoints the passive site's replicas to its new relay, *operations-composite*).
    pub(crate) fn replica_source(
        &self,
        view: &ManagerView,
        service: ServiceId,
        except: Option<HostId>,
    ) -> Option<HostId> {
        if let Some(master) = self.online_master(view, service, except) {
            return Some(master);
        }
        self.passive_site(service)?;
        self.topology
            .datasources_of(service)
            .filter(|&h| Some(h) != except)
            .find(|&h| {
                let entry = view.entry(h);
                entry.role == DataSourceRole::Relay
                    && matches!(entry.state, DsState::Online | DsState::Offline)
                    && self.host(h).replicator.role == crate::model::ReplicatorRole::Relay
            })
    }

    /// A relay of `service` other than `d` that serves: held in service by `view` (ONLINE, or
    /// OFFLINE as a recovery leaves it) with a relay's replicator. A passive site serves its
    /// replicas from one relay, so no second one comes into service beside it (**modelling
    /// decision**, as for masters; an independent review found a relay failed over, then
    /// welcomed back, serving beside its successor with the plan VALID). A datasource given
    /// the role by hand whose replicator is not a relay's yet serves nothing, and does not
    /// count (a second review found the managers then leaving the site's replicas on a dead
    /// relay).
    pub(crate) fn other_relay(
        &self,
        view: &ManagerView,
        service: ServiceId,
        d: HostId,
    ) -> Option<HostId> {
        self.topology.datasources_of(service).find(|&h| {
            let entry = view.entry(h);
            h != d
                && entry.role == DataSourceRole::Relay
                && matches!(entry.state, DsState::Online | DsState::Offline)
                && self.host(h).replicator.role == crate::model::ReplicatorRole::Relay
        })
    }

    /// The refusal for a replica of `service` having no [`Ctx::replica_source`]: at a passive
    /// site, that no relay is ONLINE ([`Refusal::NoRelay`], naming the relay the views hold
    /// out of service, if any); elsewhere [`Ctx::no_master`]'s.
    ///
    /// For the relay itself (`for_host`), the refusal says that it reads the other site, not
    /// a replica's source (an independent review found `replicator <relay> slave` told to bring
    /// back the relay itself).
    pub(crate) fn no_source(
        &self,
        view: &ManagerView,
        service: ServiceId,
        group: HostSet,
        at: HostId,
        for_host: HostId,
    ) -> Refusal {
        match self.no_master(view, service, group, at) {
            Refusal::PassiveSite { .. } if view.entry(for_host).role == DataSourceRole::Relay => {
                Refusal::ReplicatorRole {
                    host: for_host,
                    found: self.host(for_host).replicator.role,
                    expected: Cow::Borrowed(
                        "a relay reading the active site: a passive site's replicas read from it (`replicator <ds> relay <site>/<master>`)",
                    ),
                }
            }
            Refusal::PassiveSite { service, .. } => Refusal::NoRelay {
                service,
                held: self
                    .topology
                    .datasources_of(service)
                    .find(|&h| view.entry(h).role == DataSourceRole::Relay)
                    .map(|h| (h, view.entry(h).state)),
            },
            other => other,
        }
    }

    /// The refusal for `service` (managed by `group`, typed at `at`) having no ONLINE master, naming the master
    /// `view` holds out of service, if any ([`Refusal::NoMaster`]), so its remedy can be the
    /// step that puts that master back. Without quorum (and no forced session) the refusal is
    /// the quorum's instead ([`Refusal::NoQuorum`]): no remedy for the master is legal there,
    /// and bringing one online on what may be the minority side of a partition is what the
    /// managers' `FAILSAFE_SHUN` prevents (Continuent docs *operations-recovery-multiple-failure*;
    /// an operator's review found `switch` in the failsafe state answered with
    /// `recover master using <ds>`).
    pub(crate) fn no_master(
        &self,
        view: &ManagerView,
        service: ServiceId,
        group: HostSet,
        at: HostId,
    ) -> Refusal {
        if !self.state.session(at).force
            && let Err(no_quorum) = self.quorum(service, group, at)
        {
            return no_quorum;
        }
        if let Some(refusal) = self.superseded(view, service) {
            return refusal;
        }
        if let Some(composite) = self.passive_site(service) {
            return Refusal::PassiveSite { service, composite };
        }
        // A master that failed with no failover (under MANUAL or MAINTENANCE, or by
        // `datasource <ds> fail`) that `recover master using` can take back is named too: it
        // is the master to bring back (an independent review found the refusal's remedy, and
        // `online`'s, pointing at `recover`, which this refusal answers). One that command
        // would refuse is not (a second review found the hint naming a master whose manager
        // was stopped).
        let failed_master = || {
            only(self.topology.datasources_of(service).filter(|&h| {
                let entry = view.entry(h);
                entry.role == DataSourceRole::Master
                    && matches!(entry.state, DsState::Failed(_))
                    && self.can_take_back(at, h)
            }))
        };
        Refusal::NoMaster {
            service,
            held: self
                .service_master(view, service)
                .or_else(failed_master)
                .map(|m| (m, view.entry(m).state)),
        }
    }

    /// Whether `h` is a datasource `recover master using <h>`, typed at `at`, can take back
    /// as its service's master as far as `h` itself goes: its host up and in reach, its
    /// manager, dataserver and replicator running.
    pub(crate) fn can_take_back(&self, at: HostId, h: HostId) -> bool {
        let host = self.host(h);
        host.up
            && host.manager
            && host.dataserver
            && host.replicator.running
            && self.state.reachable(at, h)
    }

    /// A replicator is made a relay only on a datasource of an active/passive composite's
    /// site. The relay role belongs to composite clusters only (Continuent docs
    /// *operations-status-repl-roles*): it applies the active site's THL for the replicas of
    /// its own site. The model's relay is the passive site's of an active/passive composite;
    /// in an active/active one each site keeps its own master and cross-site services carry
    /// the writes, so a relay there is refused too (**modelling decision**). In a service
    /// outside any composite, `trepctl setrole -role relay` or `replicator <ds> relay` would
    /// leave a replicator reading its own site's master while claiming to feed a site that
    /// does not exist, and an independent review found such a plan judged VALID.
    pub(crate) fn relay_in_composite(&self, h: HostId) -> Result<(), Refusal> {
        let service = self.service_of(h);
        if self.topology.composite_of(service).is_none() {
            return Err(Refusal::NotPassive { service });
        }
        Ok(())
    }

    /// Where `source`, named for `relay` to read, is a datasource of another site that the
    /// site's running managers hold out of service (a master a failover replaced, one shunned
    /// or failed), while they hold another ONLINE master: that master
    /// ([`Refusal::RelaySource`]). `None` when they hold `source` ONLINE (the master, or a
    /// replica: a relay may read one, as Tungsten's replicas serve THL), when it is of the
    /// relay's own site, or when no running manager there holds a master (a site lost whole).
    pub(crate) fn other_site_master(&self, relay: HostId, source: HostId) -> Option<HostId> {
        let site = self.service_of(source);
        if site == self.service_of(relay) {
            return None;
        }
        self.topology.hosts_of(site).find_map(|m| {
            if !(self.topology.host(m).has_manager() && self.state.manager_running(m)) {
                return None;
            }
            let view = self.state.view(m);
            let master = self
                .topology
                .datasources_of(site)
                .find(|&d| view.entry(d).is_online_master())?;
            (view.entry(source).state != DsState::Online).then_some(master)
        })
    }

    /// The active/passive composite `service` is a passive site of: a member with a relay
    /// (its role in the views, or a replicator reading another site) whose managers' views
    /// hold no datasource in the master role (as a healthy start and a listing of the
    /// passive site show). **Modelling decision**: by roles in the
    /// site's own views, not by its relay's replicator, which an operator can repoint or
    /// make a master by trepctl first (an independent review found both routes past the
    /// rule), and not by what the operator can reach (a partition between the sites hides the
    /// active master).
    ///
    /// A site holding no master while another site of the composite holds one is passive
    /// too, whatever became of its relay: an independent review found a passive site whose
    /// relay was made a slave and repointed inside the site, the sites partitioned, promote a
    /// master by `recover master using` beside the active one (the invariant guard sees only
    /// the operator's side of the partition).
    pub(crate) fn passive_site(&self, service: ServiceId) -> Option<ServiceId> {
        let (composite, members) = self.topology.composite_of(service)?;
        let holds_in = |site, role| self.state.site_holds(self.topology, site, role);
        let holds = |role| holds_in(service, role);
        if holds(DataSourceRole::Master) {
            return None;
        }
        if members
            .iter()
            .any(|&site| site != service && holds_in(site, DataSourceRole::Master))
        {
            return Some(composite);
        }
        // A relay by its role in the views, or by its replicator reading another site: an
        // active site whose master an operator demoted first, to promote another by hand,
        // holds neither and is not passive.
        let relays = holds(DataSourceRole::Relay)
            || self.topology.datasources_of(service).any(|d| {
                let r = self.host(d).replicator;
                r.role == crate::model::ReplicatorRole::Relay
                    && r.master
                        .is_some_and(|m| self.topology.host(m).service != service)
            });
        relays.then_some(composite)
    }

    /// The ONLINE master of the other site of `service`'s active/passive composite, as the
    /// running managers of that site that `from` reaches hold it: the source a passive site's
    /// relay reads (Continuent docs *operations-status-roles*). `None` when no such manager
    /// runs, or none holds an ONLINE master.
    pub(crate) fn active_master(&self, service: ServiceId, from: HostId) -> Option<HostId> {
        let (_, members) = self.topology.composite_of(service)?;
        members
            .iter()
            .filter(|&&site| site != service)
            .find_map(|&site| {
                let view = self.view_of(self.group(site, from))?;
                self.online_master(&view, site, None)
            })
    }

    /// The datasource `view` holds as `service`'s master: the ONLINE master, or else the one
    /// master taken OFFLINE or shunned by an operator (its replicator keeps extracting through
    /// maintenance: shunning does not stop a replicator, Continuent docs
    /// *operations-status-changingstates*). `None` when there is neither, or when two or more
    /// such masters and none ONLINE (a failed-over master welcomed back beside the new one
    /// taken offline): the managers then cannot tell which is the master (**modelling
    /// decision**: neither extracts until an operator brings one ONLINE). A master shunned by
    /// the managers (failsafe, failed over, superseded) or for a reason the model does not
    /// know is not the service's master.
    pub(crate) fn service_master(&self, view: &ManagerView, service: ServiceId) -> Option<HostId> {
        if let Some(online) = self.online_master(view, service, None) {
            return Some(online);
        }
        only(self.topology.datasources_of(service).filter(|&h| {
            let entry = view.entry(h);
            entry.role == DataSourceRole::Master
                && (entry.state == DsState::Offline || entry.state.shunned_by_operator())
        }))
    }

    /// Label the view writes that follow as `group`'s, the managers of `service` whose view
    /// they change, where the service's running managers are split into more than one group
    /// (none otherwise): every writer of a view calls it before writing, so that no write
    /// reads as the cluster's when it is one side's, and none carries another write's label.
    pub(crate) fn label_view(&mut self, service: ServiceId, group: HostSet) {
        self.view_label =
            (self.detailed && !group.is_empty() && super::react::split(self, service))
                .then_some(group);
    }

    /// Change `host`'s state in `view`, reporting it.
    pub(crate) fn set_state(&mut self, view: &mut ManagerView, host: HostId, to: DsState) {
        if let Some(entry) = view.entry_mut(host)
            && entry.state != to
        {
            entry.state = to;
            view.fenced.remove(host);
            self.emit(Effect::State {
                host,
                to,
                view: self.view_label,
            });
        }
    }

    /// Fence `host` in `view`: OFFLINE, marked as the managers' doing, reporting it.
    pub(crate) fn fence(&mut self, view: &mut ManagerView, host: HostId) {
        self.set_state(view, host, DsState::Offline);
        view.fenced.insert(host);
        self.emit(Effect::Fenced { host });
    }

    /// Lift the fence on `host` in `view`: ONLINE again, reporting why.
    pub(crate) fn lift_fence(&mut self, view: &mut ManagerView, host: HostId) {
        self.emit(Effect::FenceLifted { host });
        self.set_state(view, host, DsState::Online);
    }

    /// Change `host`'s role in `view`, reporting it. A change to or from master starts a new
    /// writing epoch on the next write.
    pub(crate) fn set_role(&mut self, view: &mut ManagerView, host: HostId, to: DataSourceRole) {
        let Some(entry) = view.entry_mut(host) else {
            return;
        };
        let from = entry.role;
        if from != to {
            entry.role = to;
            // A fence is a slave's: a datasource given another role by hand is the operator's.
            view.fenced.remove(host);
            if self.host(host).data.writing.is_some() {
                self.host_mut(host).data.writing = None;
            }
            self.emit(Effect::Role {
                host,
                from,
                to,
                view: self.view_label,
            });
        }
    }

    /// `Ok` if the group `group` of `service` has quorum, or the session on `at` is forced (then
    /// the assumption is recorded), or the quorum rule is off.
    pub(crate) fn require_quorum(
        &mut self,
        service: ServiceId,
        group: HostSet,
        at: HostId,
    ) -> Result<(), Refusal> {
        match self.quorum(service, group, at) {
            Err(Refusal::NoQuorum { unreachable, .. }) if self.state.session(at).force => {
                self.find(Finding::Forced {
                    service,
                    unreachable,
                });
                Ok(())
            }
            quorum => quorum,
        }
    }

    /// `Ok` if the group `group` of `service` has quorum or the quorum rule is off; else the
    /// refusal, whatever the session's force.
    fn quorum(&self, service: ServiceId, group: HostSet, at: HostId) -> Result<(), Refusal> {
        let Some(rep) = group.first() else {
            return Err(Refusal::NoManager { host: at });
        };
        let members = self.state.quorum_members(self.topology, service, rep);
        if !self.rules.quorum || State::has_quorum(self.topology, service, members) {
            return Ok(());
        }
        let unreachable: HostSet = self
            .topology
            .datasources_of(service)
            .filter(|&d| !members.contains(d))
            .collect();
        let total = self.topology.datasources_of(service).count();
        let db = members
            .iter()
            .filter(|&m| self.topology.host(m).is_datasource())
            .count();
        Err(Refusal::NoQuorum {
            service,
            manager: at,
            members: u8::try_from(db).unwrap_or(u8::MAX),
            majority: u8::try_from(total / 2 + 1).unwrap_or(u8::MAX),
            unreachable,
        })
    }

    /// [`Refusal::Superseded`] when `service` is a composite's site whose `view` holds a
    /// master `SHUNNED(SUPERSEDED)` and no master in service: a composite failover moved the
    /// Active role away, and only `recover` at the composite brings the site back.
    pub(crate) fn superseded(&self, view: &ManagerView, service: ServiceId) -> Option<Refusal> {
        let (composite, _) = self.topology.composite_of(service)?;
        if self.online_master(view, service, None).is_some() {
            return None;
        }
        let master = self.topology.datasources_of(service).find(|&d| {
            view.entry(d)
                == DsEntry::new(
                    DataSourceRole::Master,
                    DsState::Shunned(crate::model::ShunCause::Superseded),
                )
        })?;
        Some(Refusal::Superseded {
            service,
            composite,
            master,
        })
    }

    /// Warn when the command's subject was changed by the command and put back by the
    /// managers' reactions.
    pub(crate) fn report_undone(
        &mut self,
        before: &State,
        acted: &State,
        subject: Subject,
        origin: HostId,
    ) {
        let Subject(h) = subject;
        let service = self.service_of(h);
        let group = self.group(service, origin);
        let Some(rep) = group.first() else { return };
        let snapshot = |s: &State| -> (DsEntry, bool, crate::model::ReplicatorState) {
            let r = s.host(h).replicator;
            (s.view(rep).entry(h), r.running, r.state)
        };
        let (b, a, now) = (snapshot(before), snapshot(acted), snapshot(self.state));
        if a != b && now == b {
            let policy = self.state.view(rep).policy;
            self.find(Finding::Undone { host: h, policy });
        }
    }

    /// Warn when a service that had a writable master has none after the transition, and a
    /// composite's passive site that had a relay serving has none. An active/passive
    /// composite's sites count as one service: the Active role moving between them leaves
    /// the composite writable.
    pub(crate) fn report_availability(&mut self, before: &State) {
        let all = self.topology.host_set();
        for service in self.topology.physical_services() {
            let had = writable_in(self.topology, before, service);
            let has = writable_in(self.topology, self.state, service);
            if had
                && !has
                && let Some(service) = self.availability_unit(service)
            {
                self.find(Finding::NoWritableMaster { service });
            }
        }
        for (_, members) in self.topology.active_passive() {
            for &site in members {
                let relayed = |s: &State| serving_relay(self.topology, s, site, members);
                let writable = !writable_masters(self.topology, self.state, site, all).is_empty();
                if relayed(before) && !relayed(self.state) && !writable {
                    self.find(Finding::NoRelay { service: site });
                }
            }
        }
    }
}

impl Ctx<'_, '_> {
    /// Which physical services have a writable master now, by service index (an
    /// active/passive composite's sites counted as one, as in [`Ctx::report_availability`]);
    /// all `false` unless the observer wants findings, since only [`Ctx::report_paused`]
    /// reads them.
    pub(crate) fn writable_services(&self) -> [bool; MAX_SERVICES] {
        let mut out = [false; MAX_SERVICES];
        if self.detailed {
            for service in self.topology.physical_services() {
                if let Some(slot) = out.get_mut(service.index()) {
                    *slot = writable_in(self.topology, self.state, service);
                }
            }
        }
        out
    }

    /// [`Ctx::writable_services`] before a step takes `host` down, and whether `host` is a
    /// writable master then.
    pub(crate) fn writable_before_outage(&self, host: HostId) -> ([bool; MAX_SERVICES], bool) {
        let service = self.service_of(host);
        let was_master = self.detailed
            && writable_masters(self.topology, self.state, service, self.topology.host_set())
                .contains(host);
        (self.writable_services(), was_master)
    }

    /// Warn of writes paused part way through a step that takes `host` (or its dataserver)
    /// down and brings it back: a service writable before the step (`before`), with no
    /// writable master while it was down (`during`), and writable again now
    /// ([`Finding::WritesPaused`]). A service still not writable now is reported at the
    /// step's end instead ([`Finding::NoWritableMaster`]).
    pub(crate) fn report_paused(
        &mut self,
        host: HostId,
        (before, was_master): ([bool; MAX_SERVICES], bool),
        during: [bool; MAX_SERVICES],
    ) {
        for service in self.topology.physical_services() {
            let at = |flags: [bool; MAX_SERVICES]| flags.get(service.index()) == Some(&true);
            if at(before)
                && !at(during)
                && writable_in(self.topology, self.state, service)
                && let Some(service) = self.availability_unit(service)
            {
                self.find(Finding::WritesPaused {
                    service,
                    host,
                    was_master,
                });
            }
        }
    }

    /// The service an availability finding about physical service `service` names: the
    /// service itself, or its active/passive composite, reported once (from its first site).
    fn availability_unit(&self, service: ServiceId) -> Option<ServiceId> {
        match self.topology.composite_of(service) {
            Some((composite, members)) => (members.first() == Some(&service)).then_some(composite),
            None => Some(service),
        }
    }
}

/// Whether `service` has a writable master in `state`; an active/passive composite's sites
/// count as one service, the Active role moving between them leaving it writable.
fn writable_in(topology: &Topology, state: &State, service: ServiceId) -> bool {
    let all = topology.host_set();
    match topology.composite_of(service) {
        Some((_, members)) => members
            .iter()
            .any(|&site| !writable_masters(topology, state, site, all).is_empty()),
        None => !writable_masters(topology, state, service, all).is_empty(),
    }
}

/// Whether a datasource of `site` replicates the other sites' writes as a relay: its replicator
/// runs ONLINE in the relay role, reading a host of another member of the composite
/// (`members`). What it reads from, and whether its managers list it ONLINE, does not matter:
/// a shunned relay still replicates (Continuent docs *operations-status-changingstates*).
fn serving_relay(
    topology: &Topology,
    state: &State,
    site: ServiceId,
    members: &[ServiceId],
) -> bool {
    topology.datasources_of(site).any(|d| {
        let h = state.host(d);
        let r = h.replicator;
        h.up && r.running
            && r.state == crate::model::ReplicatorState::Online
            && r.role == crate::model::ReplicatorRole::Relay
            && r.master.is_some_and(|m| {
                let from = topology.host(m).service;
                from != site && members.contains(&from)
            })
    })
}

/// The one host `hosts` yields, or `None` when it yields none or more than one.
fn only(mut hosts: impl Iterator<Item = HostId>) -> Option<HostId> {
    match (hosts.next(), hosts.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}
