//! Host commands: the rules documented in [`crate::command::HostCommand`]'s module.

use super::context::{Ctx, Subject};
use super::effect::{Effect, Finding};
use super::input::{HostOp, Install};
use super::rejection::Refusal;
use crate::command::{Lifecycle, TpmAction};
use crate::fault::Process;
use crate::model::{
    CrossSiteReplicator, Data, DataSourceRole, DsState, HostId, HostSet, ReplicatorRole,
    ReplicatorState, RestartPosition, ServiceId, ShunCause,
};
use std::borrow::Cow;

/// `mysql -e '<write>'` on `on`, straight into its dataserver (**modelling decision**, from
/// what a client write does; a library user's review found it VALID as a step the model did
/// not know). On the master whose replicator extracts, it is a write as a client's through a
/// connector is. Anywhere else it makes the data drift: the write is in no history the
/// replicators carry (Continuent docs *operations-transactions-skipping* on data that no
/// longer matches the master's). That holds for a replica, and for an old master a failover
/// replaced; a master whose replicator is offline would extract the write later, which the
/// model does not follow, so it is judged as drift too (the conservative reading: an
/// independent review found the write refused, with advice the model then refused too).
fn sql_write(ctx: &mut Ctx<'_, '_>, on: HostId) -> Result<(), Refusal> {
    if !ctx.topology.host(on).is_datasource() {
        return Err(Refusal::NotADatasource { host: on });
    }
    if !ctx.host(on).dataserver {
        return Err(Refusal::DataServerStopped { host: on });
    }
    if ctx.host(on).replicator.role == ReplicatorRole::Master {
        match ctx.write(on, false) {
            Err(Refusal::NotWritable { .. }) => {}
            written => return written,
        }
    }
    if !ctx.host(on).data.drift {
        ctx.host_mut(on).data.drift = true;
    }
    ctx.emit(Effect::DirectWrite { host: on });
    Ok(())
}

pub(crate) fn apply(
    ctx: &mut Ctx<'_, '_>,
    on: HostId,
    op: HostOp,
) -> Result<Option<Subject>, Refusal> {
    if matches!(op, HostOp::NotModelled) {
        ctx.emit(Effect::NotModelled);
        return Ok(None);
    }
    if !ctx.host(on).up {
        return Err(Refusal::HostDown { host: on });
    }
    match op {
        HostOp::StartAll(Install::Cluster) => {
            let spec = ctx.topology.host(on).clone();
            let mut changed = false;
            if spec.is_datasource() {
                changed |= ctx.replicator_boot(on).is_ok();
            }
            if spec.has_manager() {
                changed |= ctx.set_process(on, Process::Manager, true).is_ok();
            }
            if spec.connector {
                changed |= ctx.set_process(on, Process::Connector, true).is_ok();
            }
            if !changed {
                return Err(Refusal::NoChange {
                    host: Some(on),
                    already: Cow::Borrowed("runs every process of the install"),
                });
            }
        }
        HostOp::StopAll(Install::Cluster) => {
            let mut changed = false;
            changed |= ctx.set_process(on, Process::Connector, false).is_ok();
            changed |= ctx.set_process(on, Process::Manager, false).is_ok();
            changed |= ctx.replicator_stop(on).is_ok();
            if !changed {
                return Err(Refusal::NoChange {
                    host: Some(on),
                    already: Cow::Borrowed("runs no process of the install"),
                });
            }
        }
        HostOp::StartAll(Install::CrossSite)
        | HostOp::Replicator(Install::CrossSite, Lifecycle::Start) => {
            cross_site_process(ctx, on, Some(ReplicatorState::Online))?;
        }
        HostOp::StopAll(Install::CrossSite)
        | HostOp::Replicator(Install::CrossSite, Lifecycle::Stop) => {
            cross_site_process(ctx, on, None)?;
        }
        HostOp::Replicator(Install::CrossSite, Lifecycle::Restart) => {
            let _ = cross_site_process(ctx, on, None);
            cross_site_process(ctx, on, Some(ReplicatorState::Online))?;
        }
        HostOp::ReplicatorStartOffline {
            install: Install::CrossSite,
            restart,
        } => {
            if restart {
                let _ = cross_site_process(ctx, on, None);
            }
            cross_site_process(ctx, on, Some(ReplicatorState::OfflineNormal))?;
        }
        // A manager's restart is noticed too, as the dataserver's is (below): Continuent docs
        // *deployment-startupdown-manager* ask for MAINTENANCE before restarting managers, in
        // which "the manager restart will not be treated as a failure"; outside it, it is one
        // (found by an operator's review: `manager restart` on the master under AUTOMATIC
        // read VALID while `manager stop` failed it over).
        HostOp::Manager(Lifecycle::Restart) => restart_noticed(ctx, on, Process::Manager)?,
        HostOp::Manager(l) => lifecycle(ctx, on, Process::Manager, l)?,
        HostOp::Replicator(Install::Cluster, l) => lifecycle(ctx, on, Process::Replicator, l)?,
        // `start offline` keeps the replicator OFFLINE:NORMAL where a plain start brings it
        // ONLINE (`Ctx::replicator_boot`); outside MAINTENANCE its managers then bring it
        // online (Continuent docs *trepctl-offline*).
        HostOp::ReplicatorStartOffline {
            install: Install::Cluster,
            restart,
        } => {
            if !ctx.topology.host(on).is_datasource() {
                return Err(Refusal::NotADatasource { host: on });
            }
            if restart {
                let _ = ctx.replicator_stop(on);
            }
            ctx.replicator_start(on)?;
        }
        HostOp::Connector(l) => lifecycle(ctx, on, Process::Connector, l)?,
        // A dataserver restart takes long enough for the managers to notice it (they probe
        // every few seconds: *manager-failover-tuning*), so they react between its stop and
        // its start (**modelling decision**, the conservative reading: under AUTOMATIC a
        // master's restart fails it over). The manager's is treated so too (above); the
        // replicator's and the connector's stay one step.
        HostOp::DataServer(Lifecycle::Restart) => restart_noticed(ctx, on, Process::DataServer)?,
        HostOp::DataServer(l) => lifecycle(ctx, on, Process::DataServer, l)?,
        // The host goes down long enough for the managers to notice (a failover of the
        // master under AUTOMATIC, as a crash), then, for a reboot, comes back with what its
        // boot starts (`Fault::HostRestart`; **modelling decision**, as for a dataserver's
        // restart below).
        HostOp::Power { reboot } => power(ctx, on, reboot)?,
        HostOp::Provision { source } => {
            provision(ctx, on, source)?;
            return Ok(None);
        }
        HostOp::SqlWrite => sql_write(ctx, on)?,
        HostOp::Tpm(TpmAction::Validate | TpmAction::Update) => {}
        HostOp::Inspect => return Ok(None),
        HostOp::Tpm(TpmAction::Reset) | HostOp::NotModelled => {
            ctx.emit(Effect::NotModelled);
        }
    }
    Ok(Some(Subject(on)))
}

/// Power `on` off, the managers reacting, and for a reboot on again, the managers reacting
/// to what its boot starts; writes paused meanwhile are reported ([`Ctx::report_paused`]).
fn power(ctx: &mut Ctx<'_, '_>, on: HostId, reboot: bool) -> Result<(), Refusal> {
    let before = ctx.writable_before_outage(on);
    super::world::crash(ctx, on)?;
    super::react::react(ctx);
    if reboot {
        let during = ctx.writable_services();
        super::world::restart(ctx, on)?;
        super::react::react(ctx);
        ctx.report_paused(on, before, during);
    }
    Ok(())
}

/// Restart `process` on `on` with the managers reacting between its stop and its start, and
/// to its start within the step: what they put back is the restart's own doing, not an
/// undoing of it.
/// Writes paused while it ran are reported ([`Ctx::report_paused`]).
fn restart_noticed(ctx: &mut Ctx<'_, '_>, on: HostId, process: Process) -> Result<(), Refusal> {
    let before = ctx.writable_before_outage(on);
    if ctx.set_process(on, process, false).is_ok() {
        super::react::react(ctx);
    }
    let during = ctx.writable_services();
    ctx.set_process(on, process, true)?;
    super::react::react(ctx);
    ctx.report_paused(on, before, during);
    Ok(())
}

fn lifecycle(
    ctx: &mut Ctx<'_, '_>,
    on: HostId,
    process: Process,
    l: Lifecycle,
) -> Result<(), Refusal> {
    match l {
        Lifecycle::Start => ctx.set_process(on, process, true),
        Lifecycle::Stop => ctx.set_process(on, process, false),
        Lifecycle::Restart => {
            let _ = ctx.set_process(on, process, false);
            ctx.set_process(on, process, true)
        }
    }
}

/// Start the cross-site replicator of `on` in `started` (ONLINE for `start`, OFFLINE:NORMAL
/// for `start offline`), or stop it (`None`).
fn cross_site_process(
    ctx: &mut Ctx<'_, '_>,
    on: HostId,
    started: Option<ReplicatorState>,
) -> Result<(), Refusal> {
    if ctx.topology.host(on).cross_site_from.is_none() {
        return Err(Refusal::NoCrossSite { host: on });
    }
    let running = started.is_some();
    let x = ctx.host(on).cross_site;
    if x.running == running {
        return Err(Refusal::NoChange {
            host: Some(on),
            already: if running {
                Cow::Borrowed("runs its cross-site replicator already")
            } else {
                Cow::Borrowed("has its cross-site replicator stopped already")
            },
        });
    }
    let cross = &mut ctx.host_mut(on).cross_site;
    *cross = CrossSiteReplicator {
        applied: cross.applied,
        state: started.unwrap_or(ReplicatorState::OfflineNormal),
        running,
    };
    ctx.emit(Effect::Process {
        host: on,
        process: Process::Replicator,
        install: Install::CrossSite,
        running,
    });
    match started {
        Some(ReplicatorState::Online) => {
            let _ = ctx.cross_site_sync(on, true);
        }
        // Said, as a cluster replicator's start says it: a plain start reads the same.
        Some(to) => ctx.emit(Effect::Replicator {
            host: on,
            install: Install::CrossSite,
            to,
        }),
        None => {}
    }
    Ok(())
}

/// Report events that provisioning `target` to hold `pos` replaces and that no other
/// datasource of `service` holds ([`Finding::DiscardedEvents`]): the copy overwrites the
/// target's data, so they are gone. Only a master's are checked, `is_master` saying whether
/// `target` is one as its managers hold it (**modelling decision**): the service's
/// line is written there, and a slave holds events no other host has only when a promotion
/// left them behind (reported then), a site reset did (below), or it wrote them as a master
/// on its side of a partition (the break was reported then) and its managers made it a
/// slave since; reprovisioning a replica whose data diverged is how the docs discard them
/// (*operations-recovery-replica*). Events a promotion already reported lost
/// ([`crate::model::Data::orphaned`]) are not reported again: reprovisioning an old master
/// from the new one is how an operator discards them on purpose (Continuent docs
/// *manager-failover-behavior-recovery*: a host with orphaned events is restored or
/// reprovisioned). Nor are a drifted host's: its data is known not to be a copy of its
/// source's line, and reprovisioning from a consistent source is how it is discarded
/// (seed 000's site reset provisions every host of the drifted site in turn; the last one
/// holds the old line alone). Provisioning from another site is not checked: the copy
/// holds what that site applied of this one, which its cross-site position records only
/// until a site reset clears it (**modelling decision**: no report, rather than one for
/// every site reset). (Found by an operator's review: `tprovision` on the master, its
/// slaves' replicators offline, lost its last write and the plan read VALID.) A slave of the
/// target holding the events counts as holding them only if the copy keeps it on the
/// target's line.
fn discards(
    ctx: &mut Ctx<'_, '_>,
    service: ServiceId,
    target: HostId,
    is_master: bool,
    source: HostId,
    pos: Option<crate::model::Pos>,
) {
    let history = ctx.state.history;
    let data = ctx.host(target).data;
    if !is_master || data.drift || !data.loses_unreported(&history, pos) {
        return;
    }
    // A slave of the target whose data the copy leaves off the target's line does not keep
    // the events: it fails its handshake with the target (`Ctx::stop_diverged_slaves`) and
    // reprovisioning it from the target, the cure, discards them (found by an independent
    // review: the master provisioned from a slave behind, the slave ahead then provisioned
    // from it as the warning advised, and the write was gone with the plan VALID).
    // (Any holder is off the copy's line here: one on it would put the lost events on it.)
    let held = ctx.topology.datasources_of(service).any(|d| {
        d != target
            && ctx.host(d).replicator.master != Some(target)
            && history.contains(ctx.host(d).data.pos, data.pos)
    });
    if !held {
        ctx.find(Finding::DiscardedEvents {
            host: target,
            source,
        });
        // The datasources on the target's line past the copy hold some of the events (all,
        // or the part they caught up to): this finding is their loss too, so their copies
        // carry the mark, and the master taking writes on its new line does not report them
        // again (`Ctx::report_writable_behind`; the independent review found a slave holding
        // part of them reported twice).
        for d in ctx.topology.datasource_set(service) {
            if d != target && history.comparable(ctx.host(d).data.pos, data.pos) {
                ctx.mark_beyond(d, pos);
            }
        }
    }
}

/// `tungsten_provision_slave` / `tprovision --source <source>`, run on `target`.
/// Whether `source`'s data is of `service`'s line of history: it is a host of `service`, or
/// of another site of its active/passive composite (a passive site replicates under the
/// active site's seqnos). An operator's review found a relay provisioned from the active
/// site given no position, and its replicas then reported holding events it lacked.
fn one_line(ctx: &Ctx<'_, '_>, service: ServiceId, source: HostId) -> bool {
    let theirs = ctx.service_of(source);
    theirs == service
        || ctx
            .topology
            .composite_of(service)
            .is_some_and(|(_, members)| members.contains(&theirs))
}

/// Step 3 of provisioning under running managers: `target` back in the role [`back_as`]
/// gives it, OFFLINE, its replicator pointed at its source (the managers or the operator put
/// it ONLINE).
fn back_in_service(ctx: &mut Ctx<'_, '_>, group: HostSet, service: ServiceId, target: HostId) {
    let Some(mut view) = ctx.view_of(group) else {
        return;
    };
    ctx.label_view(service, group);
    let rep = group.first().unwrap_or(target);
    if let Some((role, source)) = back_as(ctx, &view, service, rep, target)
        && ctx.state.reachable(rep, target)
        && ctx.lineage_ok(target, source)
    {
        ctx.set_role(&mut view, target, role);
        ctx.set_state(&mut view, target, DsState::Offline);
        let replicator = if role == DataSourceRole::Relay {
            ReplicatorRole::Relay
        } else {
            ReplicatorRole::Slave
        };
        ctx.repoint(target, replicator, Some(source));
        ctx.set_view(group, &view);
    }
}

/// The role a provisioned `target` comes back in, and what it reads: a passive site's relay
/// (none other serving) comes back as the relay of the active site's master, as the managers
/// recover a relay (`datasource <relay> recover`); any other datasource as a slave of the
/// service's replica source. An operator's review found a relay provisioned left SHUNNED.
fn back_as(
    ctx: &Ctx<'_, '_>,
    view: &crate::model::ManagerView,
    service: ServiceId,
    rep: HostId,
    target: HostId,
) -> Option<(DataSourceRole, HostId)> {
    if let Some(source) = ctx.replica_source(view, service, Some(target)) {
        return Some((DataSourceRole::Slave, source));
    }
    if view.entry(target).role == DataSourceRole::Relay && ctx.passive_site(service).is_some() {
        return ctx
            .active_master(service, rep)
            .map(|m| (DataSourceRole::Relay, m));
    }
    None
}

/// The target's cross-site replicator (a pre-6.x multisite/multimaster install, which the
/// model's cross-site services are) applies the other site's events into the dataserver the
/// copy replaces: it is taken offline first (Continuent docs
/// *operations-recovery-replica-reprovision*, for those versions). Checked for the site's
/// master only (**modelling decision**): seed 000 stops it there, and provisions the site's
/// replicas with theirs running. An operator's review found a site reset that left the
/// master's running read VALID.
fn cross_site_stopped(ctx: &Ctx<'_, '_>, target: HostId) -> Result<(), Refusal> {
    let cross = ctx.host(target).cross_site;
    if let Some(site) = ctx.topology.host(target).cross_site_from
        && cross.is_online()
        && ctx.host(target).replicator.role == ReplicatorRole::Master
    {
        return Err(Refusal::ReplicatorState {
            host: target,
            install: Install::CrossSite,
            found: cross.state,
            expected: Cow::Owned(format!(
                "OFFLINE or stopped before provisioning: it applies the other site's events into the data the copy replaces; take it offline first (`trepctl -service {} offline` under the cross-site install, or its `stopall`)",
                ctx.topology.service_name(site)
            )),
        });
    }
    Ok(())
}

/// `tprovision` under a running cluster works through the target's replicator: its output
/// (Continuent docs *operations-recovery-replica-reprovision*) begins by putting the
/// replication service offline and ends by putting it online and clearing its THL, each a
/// trepctl command. The one documented run with the replicator stopped is the site reset
/// (*operations-msmm-resetsingle*, seed 000), after `stopall` has stopped the target's
/// manager too; it is accepted, the replicator left stopped until `startall`. With the
/// target's manager running and its replicator stopped (`replicator stop`), no page says
/// what the script does, and it is refused (**modelling decision**: its first step needs
/// the replicator, so it would stop there or leave a copy the model cannot position; an
/// operator's review found it accepted, F9). `replicator start` on the target makes it
/// legal.
fn replicator_running(ctx: &Ctx<'_, '_>, target: HostId) -> Result<(), Refusal> {
    if ctx.host(target).manager && !ctx.host(target).replicator.running {
        return Err(Refusal::ReplicatorStopped {
            host: target,
            install: Install::Cluster,
        });
    }
    Ok(())
}

fn provision(ctx: &mut Ctx<'_, '_>, target: HostId, source: HostId) -> Result<(), Refusal> {
    for h in [target, source] {
        if !ctx.topology.host(h).is_datasource() {
            return Err(Refusal::NotADatasource { host: h });
        }
    }
    if source == target {
        return Err(Refusal::ProvisionFromSelf { host: target });
    }
    if !ctx.host(source).up {
        return Err(Refusal::HostDown { host: source });
    }
    if !ctx.state.reachable(target, source) {
        return Err(Refusal::Unreachable { host: source });
    }
    if !ctx.host(source).dataserver {
        return Err(Refusal::DataServerStopped { host: source });
    }
    cross_site_stopped(ctx, target)?;
    replicator_running(ctx, target)?;
    let service = ctx.service_of(target);
    let same_line = one_line(ctx, service, source);
    // 1. Shun the target through its manager, and take its replicator offline.
    let group = ctx.group(service, target);
    ctx.label_view(service, group);
    let managed = ctx.host(target).manager && !group.is_empty();
    // A master as its managers hold it; where none of them runs, as its replicator's role.
    let is_master = ctx.view_of(group).filter(|_| managed).map_or(
        ctx.host(target).replicator.role == ReplicatorRole::Master,
        |view| view.entry(target).role == DataSourceRole::Master,
    );
    if managed
        && let Some(mut view) = ctx.view_of(group)
        && !matches!(view.entry(target).state, DsState::Shunned(_))
    {
        ctx.set_state(&mut view, target, DsState::Shunned(ShunCause::Manual));
        ctx.set_view(group, &view);
    }
    if ctx.host(target).replicator.is_online() {
        let _ = ctx.replicator_offline(target);
    }
    // 2. Copy the data; the THL is cleared.
    let from = *ctx.host(source);
    let history = ctx.state.history;
    // The target's position in its own site's history: the source's when it is of that
    // site; else what the source's cross-site replicator applied from it, when it reads that
    // site (its restart position is kept in the same `tungsten_<service>` schema the target's
    // replicator restarts from, below); else none. **Modelling decision**: this holds where
    // a cross-site service is named after the site it reads, as in seed 000; a deployment
    // that names it `west_from_east` keeps it in another schema, and the target would start
    // with no position.
    let pos = if same_line {
        from.data.pos
    } else if ctx.topology.host(source).cross_site_from == Some(service) {
        from.cross_site.applied
    } else {
        None
    };
    let data = Data {
        pos: pos.map(|p| history.canonical(p)),
        drift: from.data.drift,
        writing: None,
        // A copy of the source's own events carries its mark (a loss already reported is
        // not reported again for the copy).
        orphaned: from.data.orphaned.filter(|_| same_line),
    };
    // The cross-site replicator's restart position lives in the dataserver
    // (`tungsten_<service>.trep_commit_seqno`; Continuent docs
    // *troubleshooting-ecs-restart-after-restore*), so the copy carries what the source holds
    // for the site the target's cross-site replicator reads: its own cross-site position when
    // it reads that site too, its data's position when it is a host of that site, else
    // nothing. A target with no cross-site replicator gets none (the `apply_sequence` fuzzer,
    // once `State::validate` ran after every step, found a host of a composite's passive
    // site provisioned from the active site holding a cross-site position).
    let applied = match ctx.topology.host(target).cross_site_from {
        Some(site) if ctx.topology.host(source).cross_site_from == Some(site) => {
            from.cross_site.applied
        }
        Some(site) if ctx.service_of(source) == site => from.data.pos.map(|p| history.canonical(p)),
        _ => None,
    };
    if same_line {
        discards(ctx, service, target, is_master, source, data.pos);
    } else if is_master {
        // Provisioning a master from another site is not checked (`discards`), and the
        // model cannot tell what of this site the copy holds once a site reset cleared the
        // other site's cross-site position: the datasources beyond the copy's position are
        // not reported when it goes online either (the generated site resets of
        // `reset_site_is_valid_where_it_can_be_written` found it).
        for d in ctx.topology.datasource_set(service) {
            if d != target {
                ctx.mark_beyond(d, data.pos);
            }
        }
    }
    // The copy's catalog is the source's: a position its source has lost is lost to it too.
    let restart = match ctx.host(source).replicator.restart {
        // A position lost at the target itself is lost at no one it reads (the 300 000-case
        // property run found such a copy, which `State::validate` refuses).
        RestartPosition::LostAt(at) if at != target => RestartPosition::LostAt(at),
        RestartPosition::LostBehindAt(at) if at != target => RestartPosition::LostBehindAt(at),
        // A cleared catalog is copied cleared: the copy reads from the start too (an
        // independent review found a copy of a skipping slave resuming clean).
        RestartPosition::Skipping(at) if at != target => RestartPosition::Skipping(at),
        RestartPosition::Cleared => RestartPosition::Cleared,
        _ => RestartPosition::Kept,
    };
    let host = ctx.host_mut(target);
    host.data = data;
    host.dataserver = true;
    host.cross_site.applied = applied;
    host.replicator.restart = restart;
    ctx.emit(Effect::Provisioned { target, source });
    if data.drift {
        ctx.emit(Effect::Drift { host: target });
    }
    ctx.stop_diverged_slaves(target);
    if is_master {
        ctx.stop_diverged_cross_site(target);
    }
    // 3. Back into service: through the manager's recover when it runs, else trepctl online.
    if managed {
        back_in_service(ctx, group, service, target);
    }
    // A master-role replicator extracts again only where an operator's `trepctl online`
    // could start it (`Ctx::may_extract`): a master the managers hold in service. The
    // `procedures_are_valid_where_they_can_be_written` property found it: a master shunned
    // by the failsafe, provisioned from a slave, came back extracting beside the slave the
    // last-man-standing procedure then promoted.
    let r = ctx.host(target).replicator;
    if r.running
        && !r.is_online()
        && (r.role != ReplicatorRole::Master || ctx.may_extract(target).is_ok())
    {
        let _ = ctx.replicator_online(target);
    }
    Ok(())
}
