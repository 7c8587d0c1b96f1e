//! cctrl commands: the rules documented on [`crate::command::CctrlCommand`].

use super::context::{Ctx, Subject};
use super::effect::{Effect, Finding};
use super::input::{CctrlOp, ReplicatorOp};
use super::rejection::{OutOfReach, Refusal};
use crate::command::{DatasourceAction, Lifecycle};
use crate::fault::Process;
use crate::model::{
    self, DataSourceRole, DsEntry, DsState, FailCause, HostId, HostSet, ManagerView, PolicyMode,
    Quorum, ReplicatorRole, RestartPosition, ServiceId, ShunCause,
};
use std::borrow::Cow;

/// The session's service and the group of managers the command reaches.
pub(super) struct Session {
    pub(super) service: ServiceId,
    pub(super) group: HostSet,
    pub(super) rep: HostId,
}

fn session(ctx: &Ctx<'_, '_>, at: HostId) -> Result<Session, Refusal> {
    manager_to_type_into(ctx, at)?;
    let service = ctx.state.session(at).service;
    let group = ctx.group(service, at);
    let rep = group.first().ok_or(Refusal::NoManager { host: at })?;
    Ok(Session {
        service,
        group,
        rep,
    })
}

/// The cctrl session on `at`, to change its own settings (force, the service in use): what
/// the operator's next commands mean, not the cluster. cctrl types into a running manager
/// (Continuent docs *cmdline-tools-cctrl*): with none on `at`, there is no session to change
/// (an explorer trace's `set force true` at a host that was down replayed as refused).
fn session_mut<'s>(
    ctx: &'s mut Ctx<'_, '_>,
    at: HostId,
) -> Result<&'s mut model::Session, Refusal> {
    manager_to_type_into(ctx, at)?;
    ctx.state
        .sessions
        .get_mut(at.index())
        .ok_or(Refusal::NoManager { host: at })
}

/// `Ok` if a manager runs on `at` for cctrl to type into (Continuent docs
/// *cmdline-tools-cctrl*). On a host that is down the refusal says so ([`Refusal::HostDown`]):
/// "start the manager" cannot be done there (a library user's review).
fn manager_to_type_into(ctx: &Ctx<'_, '_>, at: HostId) -> Result<(), Refusal> {
    if ctx.topology.host(at).has_manager() && !ctx.host(at).up {
        return Err(Refusal::HostDown { host: at });
    }
    if !(ctx.topology.host(at).has_manager() && ctx.state.manager_running(at)) {
        return Err(Refusal::NoManager { host: at });
    }
    Ok(())
}

/// Whether `op` makes a datasource master (of the session's site). At a passive site,
/// `switch` and `failover` move the relay role instead ([`switch_relay`], [`failover_relay`]).
fn promotes(op: CctrlOp) -> bool {
    matches!(
        op,
        CctrlOp::RecoverMasterUsing(_)
            | CctrlOp::Switch(_)
            | CctrlOp::Failover(_)
            | CctrlOp::Datasource(_, DatasourceAction::Master)
            | CctrlOp::Replicator(_, ReplicatorOp::Master)
    )
}

pub(crate) fn apply(
    ctx: &mut Ctx<'_, '_>,
    at: HostId,
    op: CctrlOp,
) -> Result<Option<Subject>, Refusal> {
    if let CctrlOp::SetForce(on) = op {
        let session = session_mut(ctx, at)?;
        if session.force == on {
            return Err(Refusal::NoChange {
                host: Some(at),
                already: if on {
                    Cow::Borrowed("has force on in its cctrl session already")
                } else {
                    Cow::Borrowed("has force off in its cctrl session already")
                },
            });
        }
        session.force = on;
        ctx.emit(Effect::Force { host: at, on });
        return Ok(None);
    }
    if let CctrlOp::Use(service) = op {
        manager_to_type_into(ctx, at)?;
        if ctx.state.session(at).service == service {
            return Err(Refusal::NoChange {
                host: Some(at),
                already: Cow::Borrowed("uses that service already"),
            });
        }
        if !ctx.state.service_manager_runs(ctx.topology, service) {
            return Err(Refusal::NoServiceManager { service });
        }
        let session = session_mut(ctx, at)?;
        session.service = service;
        ctx.emit(Effect::Use { host: at, service });
        return Ok(None);
    }
    if let Some(outcome) = at_composite(ctx, at, op) {
        return outcome;
    }
    let s = session(ctx, at)?;
    in_session(ctx, &s, op)?;
    let passive = passive_gate(ctx, &s, op)?;
    let Some(mut view) = ctx.view_of(s.group) else {
        return Err(Refusal::NoManager { host: at });
    };
    ctx.label_view(s.service, s.group);
    let subject = match op {
        CctrlOp::SetPolicy(policy) => {
            set_policy(ctx, &s, &mut view, policy)?;
            None
        }
        CctrlOp::Datasource(h, action) => datasource(ctx, &s, &mut view, at, h, action)?,
        CctrlOp::Replicator(h, action) => replicator(ctx, &s, at, h, action)?,
        CctrlOp::Router(target, online) => {
            router(ctx, &s, target, online)?;
            None
        }
        CctrlOp::Recover => {
            recover_all(ctx, &s, &mut view, at)?;
            None
        }
        CctrlOp::RecoverMasterUsing(h) => {
            recover_master_using(ctx, &s, &mut view, at, h)?;
            Some(Subject(h))
        }
        CctrlOp::Switch(target) if passive => {
            switch_relay(ctx, &s, &mut view, at, target)?;
            None
        }
        CctrlOp::Switch(target) => {
            switch(ctx, &s, &mut view, at, target)?;
            None
        }
        CctrlOp::Failover(target) if passive => {
            failover_relay(ctx, &s, &mut view, at, target)?;
            None
        }
        CctrlOp::Failover(target) => {
            failover(ctx, &s, &mut view, at, target)?;
            None
        }
        CctrlOp::Heartbeat => {
            heartbeat(ctx, &s, &view, at)?;
            None
        }
        CctrlOp::Inspect | CctrlOp::SetForce(_) | CctrlOp::Use(_) => None,
        // Typed at a composite only, which `apply` hands on before here.
        CctrlOp::SwitchSite(_)
        | CctrlOp::FailoverSite(_)
        | CctrlOp::RecoverSites
        | CctrlOp::SiteDatasource(..) => {
            return Err(Refusal::NotComposite { service: s.service });
        }
    };
    ctx.set_view(s.group, &view);
    Ok(subject)
}

/// `set policy` at a site: its managers' policy mode (Continuent docs
/// *operations-policymodes*).
fn set_policy(
    ctx: &mut Ctx<'_, '_>,
    s: &Session,
    view: &mut ManagerView,
    policy: PolicyMode,
) -> Result<(), Refusal> {
    if view.policy == policy {
        return Err(Refusal::NoChange {
            host: None,
            already: Cow::Borrowed("the policy is that already"),
        });
    }
    view.policy = policy;
    ctx.emit(Effect::Policy {
        service: s.service,
        to: policy,
    });
    // A primary partition (out of reach: this group is not one) keeps its policy, and its
    // view wins when the network heals: said when that policy is another (an independent
    // review found the warning given when the primary had the same policy set already).
    let primary_elsewhere = (view.quorum != Quorum::Primary)
        .then(|| {
            ctx.topology.hosts_of(s.service).find(|&m| {
                ctx.topology.host(m).has_manager()
                    && ctx.state.manager_running(m)
                    && ctx.state.view(m).quorum == Quorum::Primary
            })
        })
        .flatten()
        .filter(|&m| ctx.state.view(m).policy != policy);
    if let Some(m) = primary_elsewhere {
        ctx.find(Finding::PolicyOverridden {
            service: s.service,
            policy: ctx.state.view(m).policy,
        });
    }
    Ok(())
}

/// A command typed in a session at an active/passive composite, which acts on whole sites
/// ([`super::composite`]), or one of those commands typed anywhere else (refused): its
/// outcome; `None` for the others.
fn at_composite(
    ctx: &mut Ctx<'_, '_>,
    at: HostId,
    op: CctrlOp,
) -> Option<Result<Option<Subject>, Refusal>> {
    let service = ctx.state.session(at).service;
    // Only a session at a composite asks which composites are active/passive: every cctrl
    // input passes here.
    let composite = matches!(
        ctx.topology.service(service).kind,
        crate::model::ServiceKind::Composite { .. }
    );
    if let Some(sites) = composite
        .then(|| {
            ctx.topology
                .active_passive()
                .find(|&(composite, _)| composite == service)
        })
        .flatten()
    {
        return Some(
            manager_to_type_into(ctx, at)
                .and_then(|()| super::composite::apply(ctx, at, sites, op)),
        );
    }
    matches!(
        op,
        CctrlOp::SwitchSite(_)
            | CctrlOp::FailoverSite(_)
            | CctrlOp::RecoverSites
            | CctrlOp::SiteDatasource(..)
    )
    .then(|| manager_to_type_into(ctx, at).and(Err(Refusal::NotComposite { service })))
}

/// Whether the session's service is a composite's passive site, where `switch` and
/// `failover` move the relay role; any other promotion there is refused
/// ([`Refusal::PassiveSite`]).
/// Only a promoting command asks (the question is not free at a composite's sites, and
/// every cctrl input passes here).
fn passive_gate(ctx: &Ctx<'_, '_>, s: &Session, op: CctrlOp) -> Result<bool, Refusal> {
    if !promotes(op) {
        return Ok(false);
    }
    // The group's view read in place, not copied: every promoting input passes here.
    if let Some(refusal) = ctx.superseded(ctx.state.view(s.rep), s.service) {
        return Err(refusal);
    }
    // A site whose own managers' view holds its relay and no master is passive, whatever a
    // stopped manager's last view holds: the explorer found, five inputs deep, db1's manager
    // stopped holding db1 as east's master, a composite switch making east passive, a
    // partition between the sites, and `recover master using db2` at db2 promoting a second
    // master.
    let view = ctx.state.view(s.rep);
    let holds = |role| {
        ctx.topology
            .datasources_of(s.service)
            .any(|d| view.entry(d).role == role)
    };
    let passive_in_view = (holds(DataSourceRole::Relay) && !holds(DataSourceRole::Master))
        .then(|| ctx.topology.composite_of(s.service).map(|(c, _)| c))
        .flatten();
    let Some(composite) = ctx.passive_site(s.service).or(passive_in_view) else {
        return Ok(false);
    };
    if !matches!(op, CctrlOp::Switch(_) | CctrlOp::Failover(_)) {
        return Err(Refusal::PassiveSite {
            service: s.service,
            composite,
        });
    }
    Ok(true)
}

/// Every host `op` names must be of the session's service, as cctrl (and
/// [`super::resolve_cctrl`]) has it: another service's datasources are reached after `use`.
/// A relay's source is the exception, being on the other site by design. Source: the cctrl
/// commands pages (DOMAIN.md, "cctrl commands"): `use <svc>` selects the service the
/// following commands act on. That a datasource of another service is refused, rather than
/// looked up across services, is a modelling decision: it keeps every accepted input one an
/// operator can type, and it is the rule the resolver already applied to typed commands.
fn in_session(ctx: &Ctx<'_, '_>, s: &Session, op: CctrlOp) -> Result<(), Refusal> {
    let named = match op {
        CctrlOp::Datasource(h, _)
        | CctrlOp::RecoverMasterUsing(h)
        | CctrlOp::Replicator(h, ReplicatorOp::Slave(None) | ReplicatorOp::Relay(_)) => {
            [Some(h), None]
        }
        CctrlOp::Replicator(h, ReplicatorOp::Slave(m)) => [Some(h), m],
        CctrlOp::Replicator(h, _) => [Some(h), None],
        CctrlOp::Router(h, _) | CctrlOp::Switch(h) | CctrlOp::Failover(h) => [h, None],
        CctrlOp::SetPolicy(_)
        | CctrlOp::SetForce(_)
        | CctrlOp::Use(_)
        | CctrlOp::Recover
        | CctrlOp::Heartbeat
        | CctrlOp::Inspect
        | CctrlOp::SwitchSite(_)
        | CctrlOp::FailoverSite(_)
        | CctrlOp::RecoverSites
        | CctrlOp::SiteDatasource(..) => [None, None],
    };
    match named
        .into_iter()
        .flatten()
        .find(|&h| ctx.service_of(h) != s.service)
    {
        Some(host) => Err(Refusal::OtherService {
            host,
            session: s.service,
        }),
        None => Ok(()),
    }
}

/// `h` must be a datasource of the session's service that the group reaches, with its manager
/// running (the manager that acts on the host's dataserver and replicator).
fn managed_datasource(ctx: &Ctx<'_, '_>, s: &Session, h: HostId) -> Result<(), Refusal> {
    if !ctx.topology.host(h).is_datasource() {
        return Err(Refusal::NotADatasource { host: h });
    }
    if !ctx.host(h).up {
        return Err(Refusal::HostDown { host: h });
    }
    if !(ctx.state.reachable(s.rep, h) && ctx.host(h).manager) {
        return Err(Refusal::Unreachable { host: h });
    }
    Ok(())
}

/// [`managed_datasource`], with its dataserver running too.
fn reachable_datasource(ctx: &Ctx<'_, '_>, s: &Session, h: HostId) -> Result<(), Refusal> {
    managed_datasource(ctx, s, h)?;
    if !ctx.host(h).dataserver {
        return Err(Refusal::DataServerStopped { host: h });
    }
    Ok(())
}

/// What a `datasource <ds> <action>` rule reads: the session, where it was typed, the
/// datasource and its entry in the view before the command.
#[derive(Clone, Copy)]
struct Target<'a> {
    s: &'a Session,
    at: HostId,
    h: HostId,
    entry: DsEntry,
}

/// The one-online-master rule, where a step would make `h` a master in service beside
/// another (`online`, `welcome` and `datasource <ds> master`): refused while another master
/// of the session's service is ONLINE, unless [`Rules::one_online_master`] is off. Where `h`
/// holds events that master lacks, the refusal is `recover`'s ([`Refusal::Orphaned`]): the
/// usual way on, `recover` as that master's slave, is refused for them, and the docs' way is
/// to inspect and restore them (*manager-failover-behavior-recovery*; an operator's review
/// found the refusals of `welcome`, `online` and `recover` sending each to the others).
///
/// [`Rules::one_online_master`]: super::Rules::one_online_master
fn no_other_online_master(
    ctx: &Ctx<'_, '_>,
    view: &ManagerView,
    s: &Session,
    h: HostId,
) -> Result<(), Refusal> {
    if !ctx.rules.one_online_master {
        return Ok(());
    }
    ctx.online_master(view, s.service, Some(h))
        .map_or(Ok(()), |master| {
            Err(if ctx.rules.orphans && !ctx.in_history(h, master) {
                Refusal::Orphaned { host: h, master }
            } else {
                Refusal::OtherMaster { host: h, master }
            })
        })
}

fn wrong(h: HostId, found: DsState, expected: &'static str) -> Refusal {
    Refusal::WrongState {
        host: h,
        found,
        expected: Cow::Borrowed(expected),
    }
}

/// `cluster heartbeat` (or `cluster flush`) in session `s`: a heartbeat event written on the
/// service's ONLINE master.
pub(super) fn heartbeat(
    ctx: &mut Ctx<'_, '_>,
    s: &Session,
    view: &ManagerView,
    at: HostId,
) -> Result<(), Refusal> {
    let master = ctx
        .online_master(view, s.service, None)
        .ok_or_else(|| ctx.no_master(view, s.service, s.group, at))?;
    // The master's replicator writes the heartbeat, as `trepctl heartbeat` does (Continuent
    // docs *cmdline-tools-trepctl-command-heartbeat*): with it offline there is no heartbeat
    // (an operator's review found `cluster heartbeat` accepted where `trepctl heartbeat` was
    // refused).
    let r = ctx.host(master).replicator;
    if !r.is_online() {
        return Err(Refusal::ReplicatorState {
            host: master,
            install: super::input::Install::Cluster,
            found: r.state,
            expected: Cow::Borrowed(
                "ONLINE: the master's replicator writes the heartbeat (`replicator <master> online` first)",
            ),
        });
    }
    ctx.write(master, true)
}

pub(super) fn datasource(
    ctx: &mut Ctx<'_, '_>,
    s: &Session,
    view: &mut ManagerView,
    at: HostId,
    h: HostId,
    action: DatasourceAction,
) -> Result<Option<Subject>, Refusal> {
    if !ctx.topology.host(h).is_datasource() {
        return Err(Refusal::NotADatasource { host: h });
    }
    let entry = view.entry(h);
    // At a superseded site, nothing goes back into service but by `recover` at the
    // composite; promotions there are refused by `passive_gate`.
    if matches!(
        action,
        DatasourceAction::Welcome
            | DatasourceAction::Online
            | DatasourceAction::Recover
            | DatasourceAction::Master
            | DatasourceAction::Relay
    ) && let Some(refusal) = ctx.superseded(view, s.service)
    {
        return Err(refusal);
    }
    let target = Target { s, at, h, entry };
    match action {
        DatasourceAction::Online => ds_online(ctx, view, &target)?,
        DatasourceAction::Offline => ds_offline(ctx, view, &target)?,
        DatasourceAction::Shun => ds_shun(ctx, view, &target)?,
        DatasourceAction::Welcome => ds_welcome(ctx, view, &target)?,
        DatasourceAction::Recover => ds_recover(ctx, view, &target)?,
        DatasourceAction::Fail => ds_fail(ctx, view, &target)?,
        DatasourceAction::Slave => ds_slave(ctx, view, &target)?,
        DatasourceAction::Master => ds_master(ctx, view, &target)?,
        DatasourceAction::Relay => ds_relay(ctx, view, &target)?,
        DatasourceAction::Restore => ds_restore(ctx, view, &target)?,
        DatasourceAction::Backup => ds_backup(ctx, view, &target)?,
        DatasourceAction::Drain(_) => {
            if entry.state != DsState::Online {
                return Err(wrong(h, entry.state, "ONLINE"));
            }
            ctx.set_state(view, h, DsState::Shunned(ShunCause::DrainConnections));
        }
    }
    Ok(Some(Subject(h)))
}

/// `datasource <d> recover`: checks first, then changes, so a refusal changes nothing.
///
/// A stopped dataserver is started first, by the manager on its host: Continuent's current
/// replica-recovery page (*operations-recovery-replica*) shows `datasource db1 recover` print
/// "STARTING SERVICE 'db1/mysql'" before it checks that it can connect. Whether the start
/// would succeed is outside the model (a dataserver the model holds stopped is one that can
/// be started); the host must be up and reachable with its manager running, as for every
/// other datasource command.
fn recover_one(
    ctx: &mut Ctx<'_, '_>,
    s: &Session,
    view: &mut ManagerView,
    at: HostId,
    d: HostId,
) -> Result<(), Refusal> {
    managed_datasource(ctx, s, d)?;
    if !ctx.host(d).replicator.running {
        return Err(Refusal::ReplicatorStopped {
            host: d,
            install: super::input::Install::Cluster,
        });
    }
    // A relay comes back as the relay unless another one serves the site now (a failover
    // moved the role): then it comes back as a slave of the new relay, as the article on
    // moving the relay role shows `recover` doing after `failover` (see `failover_relay`).
    if view.entry(d).role == DataSourceRole::Relay
        && ctx.passive_site(s.service).is_some()
        && ctx.replica_source(view, s.service, Some(d)).is_none()
    {
        // Nor as a second relay beside one made by hand whose replicator is not a relay's
        // yet (an independent review found both left OFFLINE, the plan VALID).
        if let Some(relay) = ctx.other_relay(view, s.service, d) {
            return Err(Refusal::RelayInService {
                service: s.service,
                relay,
            });
        }
        return recover_relay(ctx, s, view, at, d);
    }
    let Some(master) = ctx.replica_source(view, s.service, Some(d)) else {
        // The master the managers hold out of service is `d` itself: `recover` brings back
        // a slave, and there is no master for it to read from (an independent review found
        // the refusal telling it to bring back `d` as its own source).
        if ctx.service_master(view, s.service) == Some(d) {
            return Err(wrong(
                d,
                view.entry(d).state,
                "a slave: `recover` brings back a slave under its master; <ds> is the master, and comes back with `datasource <ds> welcome` (or `datasource <ds> online` from OFFLINE)",
            ));
        }
        return Err(ctx.no_source(view, s.service, s.group, at, d));
    };
    bring_back(ctx, s, view, at, d, DataSourceRole::Slave, master)
}

/// The recovery of `d` once its source is known: refused where `d` holds events `source`
/// lacks, or without quorum; else its dataserver started, its role `role` in the view, OFFLINE
/// (the managers or the operator put it ONLINE), its replicator pointed at `source` in the
/// matching role and brought online.
fn bring_back(
    ctx: &mut Ctx<'_, '_>,
    s: &Session,
    view: &mut ManagerView,
    at: HostId,
    d: HostId,
    role: DataSourceRole,
    source: HostId,
) -> Result<(), Refusal> {
    if ctx.rules.orphans && !ctx.in_history(d, source) {
        return Err(Refusal::Orphaned {
            host: d,
            master: source,
        });
    }
    ctx.require_quorum(s.service, s.group, at)?;
    if !ctx.host(d).dataserver {
        ctx.set_process(d, Process::DataServer, true)?;
    }
    if view.entry(d).role != role {
        ctx.set_role(view, d, role);
    }
    ctx.set_state(view, d, DsState::Offline);
    let replicator = if role == DataSourceRole::Relay {
        ReplicatorRole::Relay
    } else {
        ReplicatorRole::Slave
    };
    ctx.repoint(d, replicator, Some(source));
    if !ctx.host(d).replicator.is_online() {
        let _ = ctx.replicator_online(d);
    }
    Ok(())
}

/// `datasource <relay> recover` at a passive site: the relay comes back as the site's relay,
/// its replicator pointed at the active site's ONLINE master as the session's managers reach
/// it ([`Ctx::active_master`]; Continuent docs *operations-status-roles*: a relay receives
/// from the remote cluster's primary and serves its own cluster's replicas), as [`recover_one`]
/// points a replica at its site's master. Making it a slave of its own site would leave the
/// site with nothing reading the active site; leaving it on the source it had read the master a
/// failover or switch there had replaced (an independent review found it so, the plan VALID).
/// With no such master in reach it is refused (the operator can point it by hand, `replicator
/// <ds> relay <site>/<master>`, *operations-composite-relay-recovery*).
fn recover_relay(
    ctx: &mut Ctx<'_, '_>,
    s: &Session,
    view: &mut ManagerView,
    at: HostId,
    d: HostId,
) -> Result<(), Refusal> {
    let source = relay_source(ctx, s, d)?;
    bring_back(ctx, s, view, at, d, DataSourceRole::Relay, source)
}

/// The active site's ONLINE master, which a relay `d` of the passive site `s.service` reads
/// ([`Ctx::active_master`]), or the refusal naming it missing.
fn relay_source(ctx: &Ctx<'_, '_>, s: &Session, d: HostId) -> Result<HostId, Refusal> {
    ctx.active_master(s.service, s.rep)
        .ok_or_else(|| Refusal::ReplicatorRole {
            host: d,
            found: ctx.host(d).replicator.role,
            expected: Cow::Borrowed("a relay reading the active site's ONLINE master, which no manager of the active site reachable from here holds: bring it back first"),
        })
}

/// The relay of the passive site `s.service` that `view` holds in `state`, if any.
fn relay_in(
    ctx: &Ctx<'_, '_>,
    view: &ManagerView,
    s: &Session,
    state: impl Fn(DsState) -> bool,
) -> Option<HostId> {
    ctx.topology.datasources_of(s.service).find(|&d| {
        let entry = view.entry(d);
        entry.role == DataSourceRole::Relay && state(entry.state)
    })
}

/// `switch [to <ds>]` at a passive site moves the relay role to a replica: the target catches
/// up with the relay, the relay becomes a slave of the target, and the target the relay of
/// the active site's master ([`Ctx::promote_relay`]). It runs in MAINTENANCE, as a switch
/// does, and takes the same targets. Source: Continuent's article on moving the relay role
/// to another node in a composite cluster (`use <passive>`, `set policy maintenance`,
/// `switch`, `set policy automatic`); **modelling decision**: the steps mirror a master's
/// switch (*operations-primaryswitch-manual*), the article showing no more.
fn switch_relay(
    ctx: &mut Ctx<'_, '_>,
    s: &Session,
    view: &mut ManagerView,
    at: HostId,
    target: Option<HostId>,
) -> Result<(), Refusal> {
    let Some(relay) = relay_in(ctx, view, s, |state| state == DsState::Online) else {
        return Err(no_relay(ctx, view, s, at));
    };
    reachable_datasource(ctx, s, relay)?;
    let r = ctx.host(relay).replicator;
    if !r.running {
        return Err(Refusal::ReplicatorStopped {
            host: relay,
            install: super::input::Install::Cluster,
        });
    }
    if !(r.is_online() && r.role == ReplicatorRole::Relay) {
        return Err(Refusal::ReplicatorState {
            host: relay,
            install: super::input::Install::Cluster,
            found: r.state,
            expected: Cow::Borrowed("ONLINE as relay, so that the target can catch up with it"),
        });
    }
    let source = relay_source(ctx, s, relay)?;
    let new = switch_target(ctx, s, view, at, relay, target)?;
    switch_over(ctx, s, view, (relay, new), false, |ctx, view| {
        ctx.promote_relay(view, s.service, s.rep, (new, source), None);
    });
    Ok(())
}

/// `failover [to <ds>]` at a passive site replaces its FAILED relay with a replica: the old
/// relay `SHUNNED(FAILED-OVER-TO-<new>)`, the target the relay of the active site's master
/// ([`Ctx::promote_relay`]), then OFFLINE datasources brought online as after a master's
/// failover. Source: Continuent's article on moving the relay role (`datasource <relay>
/// fail`, `failover`, `recover`, in MAINTENANCE); refused while the relay is ONLINE, as a
/// master's failover is while the master is.
fn failover_relay(
    ctx: &mut Ctx<'_, '_>,
    s: &Session,
    view: &mut ManagerView,
    at: HostId,
    target: Option<HostId>,
) -> Result<(), Refusal> {
    let Some(failed) = relay_in(ctx, view, s, |state| matches!(state, DsState::Failed(_))) else {
        if let Some(relay) = relay_in(ctx, view, s, |state| state == DsState::Online) {
            return Err(held_online(ctx, s, relay, DataSourceRole::Relay).unwrap_or(
                Refusal::RelayInService {
                    service: s.service,
                    relay,
                },
            ));
        }
        return Err(no_relay(ctx, view, s, at));
    };
    if let Some(relay) = ctx.other_relay(view, s.service, failed) {
        return Err(Refusal::RelayInService {
            service: s.service,
            relay,
        });
    }
    let source = relay_source(ctx, s, failed)?;
    let new = ctx.pick_target(view, s.service, s.rep, Some(failed), target)?;
    ctx.require_quorum(s.service, s.group, at)?;
    ctx.promote_relay(view, s.service, s.rep, (new, source), Some(failed));
    ctx.emit(Effect::FailedOver {
        from: Some(failed),
        to: new,
    });
    bring_offline_online(ctx, s, view);
    Ok(())
}

/// Why the passive site `s.service` has no relay to switch or fail over from: no quorum
/// first, else [`Refusal::NoRelay`] naming the relay the view holds, if any.
fn no_relay(ctx: &Ctx<'_, '_>, view: &ManagerView, s: &Session, at: HostId) -> Refusal {
    match ctx.no_master(view, s.service, s.group, at) {
        Refusal::PassiveSite { service, .. } => Refusal::NoRelay {
            service,
            held: relay_in(ctx, view, s, |_| true).map(|h| (h, view.entry(h).state)),
        },
        other => other,
    }
}

fn replicator(
    ctx: &mut Ctx<'_, '_>,
    s: &Session,
    at: HostId,
    h: HostId,
    op: ReplicatorOp,
) -> Result<Option<Subject>, Refusal> {
    if !ctx.topology.host(h).is_datasource() {
        return Err(Refusal::NotADatasource { host: h });
    }
    if !ctx.host(h).up {
        return Err(Refusal::HostDown { host: h });
    }
    if !(ctx.state.reachable(s.rep, h) && ctx.host(h).manager) {
        return Err(Refusal::Unreachable { host: h });
    }
    let role = ctx.host(h).replicator.role;
    if matches!(op, ReplicatorOp::Slave(_) | ReplicatorOp::Relay(_)) {
        ctx.keep_master_extracting(h)?;
    }
    match op {
        ReplicatorOp::Online => {
            if role == ReplicatorRole::Master {
                ctx.may_extract(h)?;
                ctx.require_quorum(s.service, s.group, at)?;
            }
            ctx.no_applier_on_master(h)?;
            ctx.replicator_online(h)?;
        }
        ReplicatorOp::Offline => ctx.replicator_offline(h)?,
        ReplicatorOp::Master => {
            ctx.require_quorum(s.service, s.group, at)?;
            ctx.replicator_setrole(h, ReplicatorRole::Master, None)?;
        }
        ReplicatorOp::Slave(master) => {
            let view = ctx.view_of(s.group).unwrap_or_default();
            let master = master
                .or_else(|| ctx.replica_source(&view, s.service, Some(h)))
                .ok_or_else(|| ctx.no_source(&view, s.service, s.group, at, h))?;
            if master == h {
                return Err(Refusal::ReplicatorRole {
                    host: h,
                    found: role,
                    expected: Cow::Borrowed("a master other than itself"),
                });
            }
            ctx.require_quorum(s.service, s.group, at)?;
            ctx.replicator_setrole(h, ReplicatorRole::Slave, Some(master))?;
        }
        ReplicatorOp::Relay(source) => {
            ctx.relay_in_composite(h)?;
            if let Some(source) = source
                && let Some(master) = ctx.other_site_master(h, source)
            {
                return Err(Refusal::RelaySource {
                    host: h,
                    source,
                    master,
                });
            }
            // A second relay's replicator beside the one serving the site (an independent
            // review found a slave made to read the active site while ONLINE, and replicas
            // pointed at it, with the plan VALID).
            if ctx.passive_site(s.service).is_some()
                && let Some(view) = ctx.view_of(s.group)
                && let Some(relay) = ctx.other_relay(&view, s.service, h)
            {
                return Err(Refusal::RelayInService {
                    service: s.service,
                    relay,
                });
            }
            ctx.require_quorum(s.service, s.group, at)?;
            ctx.replicator_setrole(h, ReplicatorRole::Relay, source)?;
        }
        ReplicatorOp::Process(Lifecycle::Start) => ctx.replicator_boot(h)?,
        ReplicatorOp::Process(Lifecycle::Stop) => ctx.replicator_stop(h)?,
        ReplicatorOp::Process(Lifecycle::Restart) => {
            let _ = ctx.replicator_stop(h);
            ctx.replicator_boot(h)?;
        }
    }
    Ok(Some(Subject(h)))
}

fn router(
    ctx: &mut Ctx<'_, '_>,
    s: &Session,
    target: Option<HostId>,
    online: bool,
) -> Result<(), Refusal> {
    let hosts: Vec<HostId> = match target {
        Some(h) => {
            if !ctx.topology.host(h).connector || !ctx.host(h).connector.running {
                return Err(Refusal::NoChange {
                    host: Some(h),
                    already: Cow::Borrowed("runs no connector"),
                });
            }
            if !ctx.state.reachable(s.rep, h) {
                return Err(Refusal::Unreachable { host: h });
            }
            vec![h]
        }
        None => ctx
            .topology
            .hosts_of(s.service)
            .filter(|&h| {
                ctx.topology.host(h).connector
                    && ctx.host(h).connector.running
                    && ctx.state.reachable(s.rep, h)
            })
            .collect(),
    };
    let mut changed = false;
    for h in hosts {
        if ctx.host(h).connector.online != online {
            ctx.host_mut(h).connector.online = online;
            ctx.emit(Effect::Router { host: h, online });
            changed = true;
        }
    }
    if changed {
        Ok(())
    } else {
        Err(Refusal::NoChange {
            host: target,
            already: match (target, online) {
                (Some(_), true) => "has its connector ONLINE already",
                (Some(_), false) => "has its connector OFFLINE already",
                (None, true) => "every connector addressed is ONLINE already",
                (None, false) => "every connector addressed is OFFLINE already",
            }
            .into(),
        })
    }
}

/// `switch [to <ds>]`: demote, flush, promote, old master online as a slave.
fn switch(
    ctx: &mut Ctx<'_, '_>,
    s: &Session,
    view: &mut ManagerView,
    at: HostId,
    target: Option<HostId>,
) -> Result<(), Refusal> {
    let master = ctx
        .online_master(view, s.service, None)
        .ok_or_else(|| ctx.no_master(view, s.service, s.group, at))?;
    reachable_datasource(ctx, s, master)?;
    can_flush(ctx, master)?;
    let new = switch_target(ctx, s, view, at, master, target)?;
    switch_over(ctx, s, view, (master, new), true, |ctx, view| {
        ctx.repoint(master, ReplicatorRole::Slave, Some(new));
        ctx.promote(view, s.service, s.rep, new, None);
    });
    Ok(())
}

/// `Ok` if `master`'s replicator is an ONLINE master: a switch, a site's or the composite's,
/// flushes through it (*operations-primaryswitch-manual*, *operations-composite*).
pub(super) fn can_flush(ctx: &Ctx<'_, '_>, master: HostId) -> Result<(), Refusal> {
    let r = ctx.host(master).replicator;
    if r.is_online() && r.role == ReplicatorRole::Master {
        return Ok(());
    }
    // A stopped process is named as stopped: its recorded state (OFFLINE:NORMAL) would send
    // the operator to `trepctl online`, which cannot reach it (a review, once the managers
    // stopped starting it).
    if !r.running {
        return Err(Refusal::ReplicatorStopped {
            host: master,
            install: super::input::Install::Cluster,
        });
    }
    Err(Refusal::ReplicatorState {
        host: master,
        install: super::input::Install::Cluster,
        found: r.state,
        expected: Cow::Borrowed("ONLINE as master, so that the switch can flush"),
    })
}

/// The steps a switch from `old` to `new` shares, master or relay: in MAINTENANCE for the
/// while, `new` chosen and caught up with `old` (flushed first, for a master), `old` demoted
/// to an OFFLINE slave, `promote` making `new` what `old` was, then `old` back ONLINE.
fn switch_over(
    ctx: &mut Ctx<'_, '_>,
    s: &Session,
    view: &mut ManagerView,
    (old, new): (HostId, HostId),
    flush: bool,
    promote: impl FnOnce(&mut Ctx<'_, '_>, &mut ManagerView),
) {
    let policy = view.policy;
    maintenance_step(ctx, s.service, policy, Step::Enter);
    ctx.emit(Effect::Selected { host: new });
    if flush {
        ctx.emit(Effect::Flush { host: old });
    }
    catch_up(ctx, new, old);
    ctx.set_role(view, old, DataSourceRole::Slave);
    ctx.set_state(view, old, DsState::Offline);
    let _ = ctx.replicator_offline(old);
    promote(ctx, view);
    ctx.set_state(view, old, DsState::Online);
    let _ = ctx.replicator_online(old);
    maintenance_step(ctx, s.service, policy, Step::Revert);
    ctx.emit(Effect::Switched { host: new });
}

/// The target of a switch away from `old` in `s.service`: `target` if eligible, else the best
/// candidate the flush reaches (else the best, whose refusal says why); refused when its data
/// is not in `old`'s history, when the flush would not reach it, or without quorum. An
/// independent review found an untargeted switch refused for its best-ranked candidate's
/// stalled source while others were fed.
fn switch_target(
    ctx: &mut Ctx<'_, '_>,
    s: &Session,
    view: &ManagerView,
    at: HostId,
    old: HostId,
    target: Option<HostId>,
) -> Result<HostId, Refusal> {
    // A diverged candidate stays ranked: refused below, rather than passed over in silence.
    let fed_candidate = target.is_none().then(|| {
        ctx.best_candidate_where(view, s.service, s.rep, Some(old), |d| {
            !ctx.in_history(d, old) || ctx.flush_path(d, old).is_ok()
        })
    });
    let new = match fed_candidate.flatten() {
        Some(new) => new,
        None => ctx.pick_target(view, s.service, s.rep, Some(old), target)?,
    };
    if !ctx.in_history(new, old) {
        return Err(Refusal::NotEligible {
            host: new,
            why: super::rejection::Ineligible::Diverged,
        });
    }
    fed(ctx, new, old)?;
    ctx.require_quorum(s.service, s.group, at)?;
    Ok(new)
}

/// `Ok` if every event `old` holds reaches `new` along `new`'s replication path
/// ([`Ctx::flush_path`]): a switch's target must apply the flush before it is promoted.
pub(super) fn fed(ctx: &Ctx<'_, '_>, new: HostId, old: HostId) -> Result<(), Refusal> {
    ctx.flush_path(new, old)
        .map(|_| ())
        .map_err(|through| Refusal::NotEligible {
            host: new,
            why: super::rejection::Ineligible::NotFed { through },
        })
}

/// A switch's target applies every event `old` holds (the flush, for a master), and so do the
/// hosts it reads them through ([`fed`] checked the path).
pub(super) fn catch_up(ctx: &mut Ctx<'_, '_>, new: HostId, old: HostId) {
    let history = ctx.state.history;
    let pos = ctx.host(old).data.pos.map(|p| history.canonical(p));
    let between = ctx.flush_path(new, old).unwrap_or_default();
    for h in between.iter().chain([new]) {
        let data = &mut ctx.host_mut(h).data;
        data.pos = pos;
        data.writing = None;
        data.orphaned = None;
    }
}

/// Which end of a command that runs in MAINTENANCE.
#[derive(Clone, Copy)]
pub(super) enum Step {
    Enter,
    Revert,
}

/// What a command that runs in MAINTENANCE (`switch`, `recover`) says at each end: `SET
/// POLICY: <policy> => MAINTENANCE` first, `REVERT POLICY: MAINTENANCE => <policy>` last;
/// nothing when the policy is MAINTENANCE already. Only the effects show it: the policy is
/// back as it was when the command ends.
pub(super) fn maintenance_step(
    ctx: &mut Ctx<'_, '_>,
    service: ServiceId,
    policy: PolicyMode,
    step: Step,
) {
    if policy == PolicyMode::Maintenance {
        return;
    }
    ctx.emit(match step {
        Step::Enter => Effect::PolicyStep {
            service,
            from: policy,
            to: PolicyMode::Maintenance,
        },
        Step::Revert => Effect::PolicyRevert {
            service,
            from: PolicyMode::Maintenance,
            to: policy,
        },
    });
}

fn recover_all(
    ctx: &mut Ctx<'_, '_>,
    s: &Session,
    view: &mut ManagerView,
    at: HostId,
) -> Result<(), Refusal> {
    // It runs in MAINTENANCE, as `switch` does (Continuent docs *operations-recovery*).
    let policy = view.policy;
    maintenance_step(ctx, s.service, policy, Step::Enter);
    let (recovered, first_refusal) = recover_each(ctx, s, view, at);
    if recovered == 0 {
        return Err(first_refusal.unwrap_or(Refusal::NoChange {
            host: None,
            already: Cow::Borrowed("no datasource is SHUNNED or FAILED"),
        }));
    }
    maintenance_step(ctx, s.service, policy, Step::Revert);
    Ok(())
}

/// `datasource X recover` on every SHUNNED or FAILED datasource of the service, in topology
/// order: how many it recovered, and the first refusal. Each datasource it cannot recover is
/// reported ([`Finding::NotRecovered`]); a refusal changes nothing, so the others go on.
pub(super) fn recover_each(
    ctx: &mut Ctx<'_, '_>,
    s: &Session,
    view: &mut ManagerView,
    at: HostId,
) -> (usize, Option<Refusal>) {
    let mut recovered = 0;
    let mut first_refusal = None;
    for d in ctx.topology.datasource_set(s.service) {
        if !matches!(
            view.entry(d).state,
            DsState::Shunned(_) | DsState::Failed(_)
        ) {
            continue;
        }
        match recover_one(ctx, s, view, at, d) {
            Ok(()) => recovered += 1,
            Err(reason) => {
                first_refusal.get_or_insert_with(|| reason.clone());
                ctx.find(Finding::NotRecovered { host: d, reason });
            }
        }
    }
    (recovered, first_refusal)
}

fn recover_master_using(
    ctx: &mut Ctx<'_, '_>,
    s: &Session,
    view: &mut ManagerView,
    at: HostId,
    h: HostId,
) -> Result<(), Refusal> {
    if let Some(master) = ctx.online_master(view, s.service, None) {
        return Err(Refusal::MasterOnline {
            service: s.service,
            master,
            state: DsState::Online,
        });
    }
    reachable_datasource(ctx, s, h)?;
    if !ctx.host(h).replicator.running {
        return Err(Refusal::ReplicatorStopped {
            host: h,
            install: super::input::Install::Cluster,
        });
    }
    // A FAILED master still extracting (the managers leave it so until a failover) is
    // replaced: the promotion takes its replicator offline. **Modelling decision**: the
    // command does not wait for its last events as `failover` does (it sets the master the
    // operator names, Continuent docs *operations-recovery-master*); what it leaves behind is
    // reported.
    let replaced = ctx.awaiting_failover(view, s.service);
    if ctx.rules.single_extractor {
        if let Some(extractor) = ctx.other_extractor(h, replaced) {
            return Err(Refusal::OtherExtractor { host: h, extractor });
        }
        if let Some(master) = ctx.hidden_master(h) {
            return Err(Refusal::HiddenMaster { host: h, master });
        }
    }
    ctx.require_quorum(s.service, s.group, at)?;
    ctx.promote(view, s.service, s.rep, h, None);
    // Then `datasource recover` on each datasource left SHUNNED or FAILED (slaves an operator
    // shunned and the replaced master included); one that cannot be recovered stays shunned
    // or failed, and the promotion stands (Continuent docs *operations-recovery-master*: it
    // may not recover every datasource, but always leaves an active master). The guard, when
    // on, still judges the whole command.
    let _ = recover_each(ctx, s, view, at);
    Ok(())
}

/// [`Refusal::HeldOnline`] for `d`, held ONLINE as `role` in `s`'s view, if `s`'s managers
/// cannot reach it (its host down or cut off, or its manager or dataserver stopped).
fn held_online(ctx: &Ctx<'_, '_>, s: &Session, d: HostId, role: DataSourceRole) -> Option<Refusal> {
    (!ctx.healthy(s.rep, d)).then(|| Refusal::HeldOnline {
        service: s.service,
        datasource: d,
        role,
        cause: out_of_reach(ctx, s.rep, d),
    })
}

/// Why `rep`'s manager cannot reach `d` ([`Refusal::HeldOnline`]), `d` not healthy.
fn out_of_reach(ctx: &Ctx<'_, '_>, rep: HostId, d: HostId) -> OutOfReach {
    if !ctx.state.host(d).up {
        OutOfReach::HostDown
    } else if !ctx.state.reachable(rep, d) {
        OutOfReach::CutOff
    } else if !ctx.host(d).dataserver {
        OutOfReach::DataServerStopped
    } else {
        OutOfReach::ManagerStopped
    }
}

/// `failover [to <ds>]`: promote a replica once the master is FAILED (Continuent docs
/// *cctrl-failover*: "the primary data source must be in a failed state to use failover").
/// A master an operator took OFFLINE or shunned is not failed, on a healthy host
/// ([`Refusal::MasterOnline`]) or not: the managers never fail a shunned datasource
/// (*operations-status-states*), so one whose dataserver stopped after the shun stays
/// SHUNNED and the failover is refused ([`Refusal::ShunnedMaster`]).
fn failover(
    ctx: &mut Ctx<'_, '_>,
    s: &Session,
    view: &mut ManagerView,
    at: HostId,
    target: Option<HostId>,
) -> Result<(), Refusal> {
    if let Some(master) = ctx.online_master(view, s.service, None) {
        return Err(
            held_online(ctx, s, master, DataSourceRole::Master).unwrap_or(Refusal::MasterOnline {
                service: s.service,
                master,
                state: DsState::Online,
            }),
        );
    }
    let Some(failed) = ctx.failed_master(view, s.service) else {
        // A master taken OFFLINE or shunned by an operator on a healthy host is not failed:
        // "the primary data source must be in a failed state to use failover" (Continuent
        // docs *cctrl-failover*), as at a composite. An operator's review found it refused as
        // having no master to replicate from, with `welcome` as the only way on.
        if let Some(master) = ctx.service_master(view, s.service) {
            let state = view.entry(master).state;
            if ctx.healthy(s.rep, master) {
                return Err(Refusal::MasterOnline {
                    service: s.service,
                    master,
                    state,
                });
            }
            // Nor is one an operator shunned whose dataserver, manager or host then
            // stopped: the managers leave a SHUNNED datasource alone, its services may be
            // stopped for maintenance (Continuent docs *operations-status-states*), so it
            // never becomes FAILED. It was refused as having no master to replicate from,
            // with `welcome` as the way on, which brings it OFFLINE to be failed and, under
            // AUTOMATIC, failed over at once.
            if state.shunned_by_operator() {
                return Err(Refusal::ShunnedMaster {
                    service: s.service,
                    master,
                    state,
                });
            }
        }
        return Err(ctx.no_master(view, s.service, s.group, at));
    };
    ctx.await_extraction(s.service, s.rep, failed);
    let new = ctx.pick_target(view, s.service, s.rep, Some(failed), target)?;
    ctx.require_quorum(s.service, s.group, at)?;
    ctx.promote(view, s.service, s.rep, new, Some(failed));
    bring_offline_online(ctx, s, view);
    Ok(())
}

/// After the promotion, `failover` "ensures all data sources are online" (Continuent docs
/// *cctrl-failover*), under every policy: each OFFLINE datasource of the service that the
/// group reaches with its manager and dataserver running, and whose replicator is online
/// (repointed to the new master), goes ONLINE. Under AUTOMATIC the managers' reactions do this
/// anyway; under MANUAL and MAINTENANCE only the command does.
///
/// **Modelling decisions**, where the page says no more: a SHUNNED or FAILED datasource stays
/// as it is (an operator shuns to keep a datasource out, and a failed one comes back with
/// `recover`); an OFFLINE master-role datasource (an old master welcomed back) stays OFFLINE,
/// since the new master is ONLINE; and one whose replicator is stopped, offline or in error
/// stays OFFLINE: ONLINE, it would serve reads from data that no longer follows the master,
/// and under MAINTENANCE nothing would put its replicator back.
pub(super) fn bring_offline_online(ctx: &mut Ctx<'_, '_>, s: &Session, view: &mut ManagerView) {
    for d in ctx.topology.datasource_set(s.service) {
        let entry = view.entry(d);
        if entry.state == DsState::Offline
            && entry.role != DataSourceRole::Master
            && ctx.healthy(s.rep, d)
            && ctx.host(d).replicator.is_online()
            && online_role_mismatch(entry.role, ctx.host(d).replicator.role).is_none()
            && !(entry.role == DataSourceRole::Relay
                && ctx.other_relay(view, s.service, d).is_some())
        {
            ctx.set_state(view, d, DsState::Online);
        }
    }
}

fn ds_online(ctx: &mut Ctx<'_, '_>, view: &mut ManagerView, c: &Target<'_>) -> Result<(), Refusal> {
    let Target { s, at, h, entry } = *c;
    match entry.state {
        DsState::Offline => {}
        DsState::Online => {
            return Err(Refusal::NoChange {
                host: Some(h),
                already: Cow::Borrowed("is ONLINE already"),
            });
        }
        // The master the managers hold out of service (so no other master is ONLINE):
        // `recover` refuses it (it brings back a slave), so only `welcome` is named (an
        // operator's review followed the advice into that refusal, helper-127 F7).
        DsState::Shunned(_) if ctx.service_master(view, s.service) == Some(h) => {
            return Err(wrong(
                h,
                entry.state,
                "OFFLINE: a SHUNNED master comes back with `welcome`",
            ));
        }
        DsState::Shunned(_) => {
            return Err(wrong(
                h,
                entry.state,
                "OFFLINE: a SHUNNED datasource comes back with `welcome` or `recover`",
            ));
        }
        DsState::Failed(_)
            if entry.role == DataSourceRole::Master
                && ctx.online_master(view, s.service, Some(h)).is_none()
                && ctx.can_take_back(at, h) =>
        {
            // With no other master to read from, `recover` has nothing to make it a slave
            // of (an independent review found the two refusals naming each other).
            return Err(wrong(
                h,
                entry.state,
                "OFFLINE: a FAILED master with no other master ONLINE comes back with `recover master using <ds>`, or `datasource <ds> offline`, then `online`",
            ));
        }
        DsState::Failed(_) => {
            return Err(wrong(
                h,
                entry.state,
                "OFFLINE: a FAILED datasource comes back with `recover`",
            ));
        }
    }
    reachable_datasource(ctx, s, h)?;
    if entry.role == DataSourceRole::Master {
        no_other_online_master(ctx, view, s, h)?;
    }
    if entry.role == DataSourceRole::Relay
        && let Some(relay) = ctx.other_relay(view, s.service, h)
    {
        return Err(Refusal::RelayInService {
            service: s.service,
            relay,
        });
    }
    let replicator = ctx.host(h).replicator.role;
    if let Some(expected) = online_role_mismatch(entry.role, replicator) {
        return Err(Refusal::ReplicatorRole {
            host: h,
            found: replicator,
            expected: Cow::Borrowed(expected),
        });
    }
    ctx.require_quorum(s.service, s.group, at)?;
    ctx.set_state(view, h, DsState::Online);
    Ok(())
}

/// What the replicator's role must be for a datasource of role `role` to go ONLINE, when
/// `replicator` is not that: a master goes ONLINE only with its replicator extracting, any
/// other datasource only with its replicator not in master role, a relay only with a relay's
/// replicator, and no other datasource with one (an independent review found a relay made by
/// hand brought ONLINE with its replicator still a slave of the old relay).
///
/// Both halves follow from what the roles mean (Continuent docs *operations-status-repl-roles*:
/// a master-role replicator extracts the database's writes into THL, a slave-role one applies
/// THL from a master). That the step is refused, not taken with the roles apart, is a
/// **modelling decision**: clients write to an ONLINE master whose events nothing would
/// extract, and the connector sends reads to an ONLINE slave that receives no events, so its
/// reads would fall ever further behind while `ls` shows it healthy. The operator review found
/// the slave half missing: `datasource db1 slave` on a demoted master, then
/// `datasource db1 online`, left exactly that.
pub(super) fn online_role_mismatch(
    role: DataSourceRole,
    replicator: ReplicatorRole,
) -> Option<&'static str> {
    match (
        role == DataSourceRole::Master,
        replicator == ReplicatorRole::Master,
    ) {
        (true, false) => Some(
            "master: a master goes ONLINE only with its replicator in master role (`replicator <ds> master` first)",
        ),
        (false, true) => Some(
            "slave or relay: a slave goes ONLINE only with its replicator applying (`replicator <ds> slave` first; or, to make it the master its replicator already is, `datasource <ds> master` first)",
        ),
        _ if role == DataSourceRole::Relay && replicator != ReplicatorRole::Relay => Some(
            "relay: a relay goes ONLINE only with its replicator reading the active site (`replicator <ds> relay <site>/<master>` first)",
        ),
        _ if role != DataSourceRole::Relay && replicator == ReplicatorRole::Relay => Some(
            "slave: a slave goes ONLINE only with its replicator a slave of its site (`replicator <ds> slave` first)",
        ),
        _ => None,
    }
}

fn ds_offline(
    ctx: &mut Ctx<'_, '_>,
    view: &mut ManagerView,
    c: &Target<'_>,
) -> Result<(), Refusal> {
    let Target { h, entry, .. } = *c;
    match entry.state {
        DsState::Online | DsState::Failed(_) => {}
        DsState::Offline => {
            return Err(Refusal::NoChange {
                host: Some(h),
                already: Cow::Borrowed("is OFFLINE already"),
            });
        }
        DsState::Shunned(_) => return Err(wrong(h, entry.state, "ONLINE or FAILED")),
    }
    ctx.set_state(view, h, DsState::Offline);
    Ok(())
}

fn ds_shun(ctx: &mut Ctx<'_, '_>, view: &mut ManagerView, c: &Target<'_>) -> Result<(), Refusal> {
    let Target { h, entry, .. } = *c;
    if matches!(entry.state, DsState::Shunned(_)) {
        return Err(Refusal::NoChange {
            host: Some(h),
            already: Cow::Borrowed("is SHUNNED already"),
        });
    }
    ctx.set_state(view, h, DsState::Shunned(ShunCause::Manual));
    Ok(())
}

fn ds_welcome(
    ctx: &mut Ctx<'_, '_>,
    view: &mut ManagerView,
    c: &Target<'_>,
) -> Result<(), Refusal> {
    let Target { s, at, h, entry } = *c;
    if !matches!(entry.state, DsState::Shunned(_)) {
        return Err(wrong(h, entry.state, "SHUNNED"));
    }
    // A master a failover replaced, welcomed back beside the master it was replaced by,
    // would be a second master-role datasource in service: `recover` brings it back as that
    // master's slave (Continuent docs *operations-recovery-master*; an independent review
    // found it left `master:OFFLINE` beside the ONLINE master, `recover` then refused).
    // Part of the one-online-master rule, as at `online`: the explorer's demonstration that
    // removes that rule reaches its second master through this step.
    if entry.role == DataSourceRole::Master {
        no_other_online_master(ctx, view, s, h)?;
    }
    // A relay welcomed back beside the relay that replaced it would be a second one in
    // service: `recover` brings it back as that relay's slave.
    if entry.role == DataSourceRole::Relay
        && let Some(relay) = ctx.other_relay(view, s.service, h)
    {
        return Err(Refusal::RelayInService {
            service: s.service,
            relay,
        });
    }
    ctx.require_quorum(s.service, s.group, at)?;
    ctx.set_state(view, h, DsState::Offline);
    Ok(())
}

fn ds_recover(
    ctx: &mut Ctx<'_, '_>,
    view: &mut ManagerView,
    c: &Target<'_>,
) -> Result<(), Refusal> {
    let Target { s, at, h, entry } = *c;
    // An OFFLINE datasource (one a `tprovision` brought back, say) is past what `recover`
    // does: the refusal names `online`, the step left under MAINTENANCE, where the managers
    // leave it OFFLINE (an operator's review found `recover` typed out of habit after a
    // reprovisioning, and the refusal naming no way on, F10).
    if entry.state == DsState::Offline {
        return Err(Refusal::WrongState {
            host: h,
            found: entry.state,
            expected: Cow::Owned(format!(
                "SHUNNED or FAILED: an OFFLINE datasource has nothing to recover; `datasource {} online` brings it back into service",
                ctx.topology.host_name(h)
            )),
        });
    }
    if !matches!(entry.state, DsState::Shunned(_) | DsState::Failed(_)) {
        return Err(wrong(h, entry.state, "SHUNNED or FAILED"));
    }
    recover_one(ctx, s, view, at, h)?;
    Ok(())
}

fn ds_fail(ctx: &mut Ctx<'_, '_>, view: &mut ManagerView, c: &Target<'_>) -> Result<(), Refusal> {
    let Target { h, entry, .. } = *c;
    match entry.state {
        DsState::Online | DsState::Offline => {}
        DsState::Failed(_) => {
            return Err(Refusal::NoChange {
                host: Some(h),
                already: Cow::Borrowed("is FAILED already"),
            });
        }
        DsState::Shunned(_) => return Err(wrong(h, entry.state, "ONLINE or OFFLINE")),
    }
    ctx.set_state(view, h, DsState::Failed(FailCause::Operator));
    Ok(())
}

fn ds_slave(ctx: &mut Ctx<'_, '_>, view: &mut ManagerView, c: &Target<'_>) -> Result<(), Refusal> {
    let Target { h, entry, .. } = *c;
    if entry.state == DsState::Online {
        return Err(wrong(h, entry.state, "OFFLINE, FAILED or SHUNNED"));
    }
    if entry.role == DataSourceRole::Slave {
        return Err(Refusal::NoChange {
            host: Some(h),
            already: Cow::Borrowed("is a slave already"),
        });
    }
    ctx.set_role(view, h, DataSourceRole::Slave);
    Ok(())
}

fn ds_master(ctx: &mut Ctx<'_, '_>, view: &mut ManagerView, c: &Target<'_>) -> Result<(), Refusal> {
    let Target { s, at, h, entry } = *c;
    if entry.state == DsState::Online {
        // With the master FAILED, name the command that does the whole of it: the docs'
        // manual route (*operations-recovery-primary*: `set master`, then `recover` on each
        // replica) needs the replica offline and MAINTENANCE first, and a review found the
        // operator led through one refusal at a time.
        let expected = if ctx.failed_master(view, s.service).is_some() {
            "not ONLINE (take it offline first; with the master FAILED, `recover master using <ds>` promotes it as it is and recovers the others)"
        } else {
            "not ONLINE (take it offline first)"
        };
        return Err(wrong(h, entry.state, expected));
    }
    if entry.role == DataSourceRole::Master {
        // Say how this master gets back into service: `set master <ds>` reads as this
        // command, and an operator's review followed the docs' `set master` then `datasource
        // recover` on a failsafe-shunned master and met a bare "nothing to do".
        let replaced = entry.state != DsState::Offline
            && ctx.online_master(view, s.service, Some(h)).is_some();
        return Err(Refusal::NoChange {
            host: Some(h),
            already: match entry.state {
                // Another master took over (a failover or a switch): this one comes back as
                // its slave (an independent review found `welcome` and `online` offered here,
                // and `online` then refused for the other master).
                DsState::Shunned(_) | DsState::Failed(_) if replaced => Cow::Borrowed(
                    "is a master already, and another master is ONLINE: `datasource <ds> recover` brings it back as that master's slave",
                ),
                DsState::Shunned(_) => Cow::Borrowed(
                    "is a master already: `datasource <ds> welcome` then `online` put it back in service (or `recover master using <ds>`)",
                ),
                DsState::Failed(_) => Cow::Borrowed(
                    "is a master already: `recover master using <ds>` puts it back in service",
                ),
                DsState::Online | DsState::Offline => Cow::Borrowed(
                    "is a master already: `datasource <ds> online` puts it in service",
                ),
            },
        });
    }
    no_other_online_master(ctx, view, s, h)?;
    if view.policy != PolicyMode::Maintenance && !ctx.state.session(at).force {
        return Err(Refusal::NeedsMaintenance {
            service: s.service,
            found: view.policy,
            forceable: true,
        });
    }
    ctx.require_quorum(s.service, s.group, at)?;
    ctx.set_role(view, h, DataSourceRole::Master);
    // A master promoted by hand leaves behind the events it lacks as a failover does
    // (**modelling decision**: the role change is the operator's choice of the new master,
    // the step a runbook's report can name; the datasource and replicator steps after it
    // follow from it).
    ctx.leave_behind(s.service, h);
    Ok(())
}

/// `datasource <ds> relay` (see [`DatasourceAction::Relay`]): the role only, as `datasource
/// <ds> master` sets it; the operator points the replicator (`replicator <ds> relay
/// <site>/<master>`) and the replicas.
fn ds_relay(ctx: &mut Ctx<'_, '_>, view: &mut ManagerView, c: &Target<'_>) -> Result<(), Refusal> {
    let Target { s, at, h, entry } = *c;
    if ctx.passive_site(s.service).is_none() {
        return Err(Refusal::NotPassive { service: s.service });
    }
    if entry.state == DsState::Online {
        return Err(wrong(h, entry.state, "not ONLINE (take it offline first)"));
    }
    if entry.role == DataSourceRole::Relay {
        return Err(Refusal::NoChange {
            host: Some(h),
            already: Cow::Borrowed("is a relay already"),
        });
    }
    if let Some(relay) = ctx.other_relay(view, s.service, h) {
        return Err(Refusal::RelayInService {
            service: s.service,
            relay,
        });
    }
    if view.policy != PolicyMode::Maintenance && !ctx.state.session(at).force {
        return Err(Refusal::NeedsMaintenance {
            service: s.service,
            found: view.policy,
            forceable: true,
        });
    }
    ctx.require_quorum(s.service, s.group, at)?;
    ctx.set_role(view, h, DataSourceRole::Relay);
    Ok(())
}

fn ds_restore(
    ctx: &mut Ctx<'_, '_>,
    _view: &mut ManagerView,
    c: &Target<'_>,
) -> Result<(), Refusal> {
    let Target { s, h, entry, .. } = *c;
    if entry.state == DsState::Online {
        return Err(wrong(
            h,
            entry.state,
            "not ONLINE (take it offline or shun it first)",
        ));
    }
    // The restore stops the dataserver, restores the data and starts it again (Continuent
    // docs *internals-restore-behavior*), so a stopped one, the usual reason to restore, is
    // no bar (an independent review found the restore refused until it was started).
    managed_datasource(ctx, s, h)?;
    let r = ctx.host(h).replicator;
    if r.is_online() {
        return Err(Refusal::ReplicatorState {
            host: h,
            install: super::input::Install::Cluster,
            found: r.state,
            expected: Cow::Borrowed("offline (`replicator <ds> offline` first)"),
        });
    }
    if let Some(slave) = ctx.slave_of(h) {
        return Err(Refusal::ServesSlaves { host: h, slave });
    }
    if !ctx.host(h).dataserver {
        ctx.set_process(h, Process::DataServer, true)?;
    }
    // The cross-site replicator's position stays (**modelling decision**). The backup holds
    // its `tungsten_<service>` schema too (Continuent docs
    // *troubleshooting-ecs-restart-after-restore*), so the real one goes back to the
    // backup's, an earlier point of the other site's history the model does not track. No
    // position at all would mean replaying that site's whole history, its drift included: a
    // restore on a site kept as the good copy would take in the other site's drift (found in
    // review; `restoring_a_datasource_keeps_the_other_sites_drift_out`).
    // A slave whose data lies off its master's line (ahead of it, or forked) is restored as
    // it is reprovisioned, its own events discarded on purpose; any other datasource, a
    // master demoted by hand included, is checked (independent reviews: a diverged slave's
    // restore judged a loss, then a demoted master's passing unchecked).
    let diverged_slave = entry.role != DataSourceRole::Master
        && ctx
            .host(h)
            .replicator
            .master
            .is_some_and(|m| !ctx.in_history(h, m));
    if !diverged_slave && restore_discards(ctx, s.service, h) {
        ctx.find(Finding::RestoreDiscards { host: h });
    }
    let data = &mut ctx.host_mut(h).data;
    data.pos = None;
    data.writing = None;
    data.orphaned = None;
    // The backup brings its catalog back with the data (*troubleshooting-ecs-restart-after-
    // restore*): a restart position from before the backup, which is taken as older than
    // any reset the replicator's marks record (**modelling decision**, as for the data). A
    // catalog an own reset cleared is replaced by it; one that was to skip past events a
    // reset took away is replaced by a position inside them, which the reset THL does not
    // hold (an independent review found such a restore saying it would catch up, where it
    // resumed drifted).
    let restart = match ctx.host(h).replicator.restart {
        RestartPosition::Cleared => RestartPosition::Kept,
        RestartPosition::Skipping(master) => RestartPosition::LostBehindAt(master),
        kept_or_lost => kept_or_lost,
    };
    ctx.host_mut(h).replicator.restart = restart;
    let lost_at = match restart {
        RestartPosition::LostAt(master) | RestartPosition::LostBehindAt(master) => Some(master),
        RestartPosition::Kept | RestartPosition::Cleared | RestartPosition::Skipping(_) => None,
    };
    ctx.emit(Effect::Restored { host: h, lost_at });
    Ok(())
}

/// Whether restoring `h` from a backup loses events no other datasource of `service` holds
/// and no promotion reported lost ([`Finding::RestoreDiscards`]). The backup's point is not
/// tracked, so every event of `h` past what another datasource shares with it is taken as
/// lost (**modelling decision**: the backup is older than the last event, or restoring it
/// would change nothing). Events a failover left behind are the documented case for a
/// restore (Continuent docs *manager-failover-behavior-recovery*) and were reported then; a
/// drifted host's data is known not to be the service's line. (An operator's review found a
/// master restored over its last events VALID, where `tprovision` over them was unsafe.)
fn restore_discards(ctx: &Ctx<'_, '_>, service: ServiceId, h: HostId) -> bool {
    let history = ctx.state.history;
    let data = ctx.host(h).data;
    if data.pos.is_none() || data.drift || data.orphaned.is_some() {
        return false;
    }
    !ctx.topology
        .datasources_of(service)
        .any(|d| d != h && history.contains(ctx.host(d).data.pos, data.pos))
}

fn ds_backup(
    ctx: &mut Ctx<'_, '_>,
    _view: &mut ManagerView,
    c: &Target<'_>,
) -> Result<(), Refusal> {
    let Target { s, h, .. } = *c;
    reachable_datasource(ctx, s, h)?;
    if !ctx.host(h).replicator.running {
        return Err(Refusal::ReplicatorStopped {
            host: h,
            install: super::input::Install::Cluster,
        });
    }
    Ok(())
}
