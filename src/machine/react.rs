//! The managers' reactions after every input (see the rules in the [`super`] module docs).

use super::context::Ctx;
use super::effect::{Effect, Finding};
use super::invariant::Sources;
use crate::model::{
    DataSourceRole, DsState, FailCause, HostId, HostSet, MAX_HOSTS, ManagerView, PolicyMode,
    Quorum, ReplicatorRole, ReplicatorState, ServiceId, ShunCause, State,
};

/// How many rounds of reactions at most: each round lets groups react to what the previous
/// one did (a failover that makes a slave recoverable, say). Four is more than any sequence
/// of the rules needs; the cap keeps a transition bounded.
const ROUNDS: usize = 4;

pub(crate) fn react(ctx: &mut Ctx<'_, '_>) {
    for _ in 0..ROUNDS {
        // A round that writes nothing is the last (see `Ctx::touched`). Test builds check the
        // two things this relies on: every write of a round marks it, and a round that writes
        // changes the state (no reaction undoes another's write in the same round, which would
        // repeat every round to the cap and report its effects each time).
        #[cfg(debug_assertions)]
        let checked = *ctx.state;
        ctx.touched = false;
        ctx.chains = [None; MAX_HOSTS];
        let topology = ctx.topology;
        for service in topology.physical_services() {
            let (groups, count) = groups(ctx, service);
            for &group in groups.iter().take(count) {
                ctx.view_label = (count > 1).then_some(group);
                react_group(ctx, service, group);
            }
        }
        #[cfg(debug_assertions)]
        debug_assert!(
            ctx.touched != ctx.state.eq_used(&checked, topology.hosts().len()),
            "a round of reactions {}",
            if ctx.touched {
                "wrote and undid its writes"
            } else {
                "changed the state without marking it touched"
            }
        );
        if !ctx.touched {
            return;
        }
    }
    // The last round wrote: the chains it followed may not hold for the state it left.
    ctx.chains = [None; MAX_HOSTS];
}

/// Whether `service`'s running managers are split into groups that do not reach each other,
/// each keeping a view of its own.
pub(super) fn split(ctx: &Ctx<'_, '_>, service: ServiceId) -> bool {
    groups(ctx, service).1 > 1
}

/// The groups of running managers of `service` that reach each other, and how many there
/// are (a fixed array: the reaction runs after every input and allocates nothing).
fn groups(ctx: &Ctx<'_, '_>, service: ServiceId) -> ([HostSet; MAX_HOSTS], usize) {
    let mut seen = HostSet::EMPTY;
    let mut out = [HostSet::EMPTY; MAX_HOSTS];
    let mut count = 0;
    for m in ctx.topology.hosts_of(service) {
        if seen.contains(m) || !ctx.topology.host(m).has_manager() || !ctx.state.manager_running(m)
        {
            continue;
        }
        let group = ctx.group(service, m);
        for g in group {
            seen.insert(g);
        }
        if let Some(slot) = out.get_mut(count) {
            *slot = group;
            count += 1;
        }
    }
    (out, count)
}

/// The view a group shares once its members' views are merged: a primary member's view wins
/// over a non-primary one, which wins over a just-started one; a datasource that a
/// non-primary member shunned on its own side stays shunned. With whether the members' views
/// agree already ([`ManagerView::eq_used`]), which spares [`Ctx::set_view_agreed`] comparing
/// each of them again.
fn merged(ctx: &Ctx<'_, '_>, service: ServiceId, group: HostSet) -> (ManagerView, bool) {
    // Iterated, not collected: the reaction runs after every input and allocates nothing.
    let views = || group.iter().map(|m| (m, ctx.state.view(m)));
    let Some((_, first)) = views().next() else {
        return (ManagerView::default(), false);
    };
    let hosts = ctx.topology.hosts().len();
    if views().skip(1).all(|(_, v)| v.eq_used(first, hosts)) {
        let mut base = *first;
        if base.quorum == Quorum::Unknown {
            superseded_on_start(ctx, service, group, &mut base);
        }
        return (base, true);
    }
    let pick = |q: Quorum| views().find(|(_, v)| v.quorum == q).map(|(_, v)| *v);
    let mut base = pick(Quorum::Primary)
        .or_else(|| pick(Quorum::NonPrimary))
        .unwrap_or(*first);
    for (m, view) in views() {
        if view.quorum != Quorum::NonPrimary || !ctx.topology.host(m).is_datasource() {
            continue;
        }
        let own = view.entry(m);
        let merged = base.entry(m);
        if matches!(own.state, DsState::Shunned(_))
            && !matches!(merged.state, DsState::Shunned(_))
            && let Some(e) = base.entry_mut(m)
        {
            e.state = own.state;
            base.fenced.remove(m);
        }
    }
    if base.quorum == Quorum::Unknown {
        superseded_on_start(ctx, service, group, &mut base);
        // Every member just started: take the most restrictive state each one recorded.
        for d in ctx.topology.datasources_of(service) {
            for (_, view) in views() {
                let theirs = view.entry(d).state;
                if matches!(theirs, DsState::Shunned(_) | DsState::Failed(_))
                    && matches!(base.entry(d).state, DsState::Online | DsState::Offline)
                    && let Some(e) = base.entry_mut(d)
                {
                    e.state = theirs;
                    base.fenced.remove(d);
                }
            }
        }
    }
    (base, false)
}

/// Managers of a composite's site that all just started hold what they recorded when they
/// stopped, and may have missed a composite switch or failover that moved the Active role
/// away from their site (and a failover inside it). Where they reach a running manager of
/// another site whose view holds that site's ONLINE master, the composite has an active
/// site: a master their view still holds in service is `SHUNNED(SUPERSEDED)`, as the docs
/// list a returning site's old master (Continuent docs *operations-composite-recovery*),
/// until `recover` at the composite brings the site back as a passive one, or the managers
/// do under AUTOMATIC (`composite::recover_superseded`).
///
/// **Modelling decision**: Tungsten's composite managers tell a returning site its role; the
/// model keeps no composite state, so it reads the role from the active site's managers. The
/// explorer found, five inputs deep, east's manager on db1 stopped (east failed over to db2),
/// a composite switch to west, db2's manager stopped and db1's started alone: it took its
/// stale view's db1 back ONLINE beside west's master. Running managers cut off by a partition
/// keep their master: that is the split brain a failover across the partition makes, and the
/// invariant reports it.
fn superseded_on_start(
    ctx: &Ctx<'_, '_>,
    service: ServiceId,
    group: HostSet,
    base: &mut ManagerView,
) {
    let Some((_, members)) = ctx.topology.composite_of(service) else {
        return;
    };
    let Some(rep) = group.first() else { return };
    let active_elsewhere = members.iter().any(|&site| {
        site != service
            && ctx.topology.hosts_of(site).any(|m| {
                ctx.topology.host(m).has_manager()
                    && ctx.state.manager_running(m)
                    && ctx.state.reachable(rep, m)
                    && ctx.state.view(m).quorum != Quorum::Unknown
                    && ctx
                        .topology
                        .datasources_of(site)
                        .any(|d| ctx.state.view(m).entry(d).is_online_master())
            })
    });
    if !active_elsewhere {
        return;
    }
    for d in ctx.topology.datasources_of(service) {
        if let Some(e) = base.entry_mut(d)
            && e.role == DataSourceRole::Master
            && matches!(e.state, DsState::Online | DsState::Offline)
        {
            e.state = DsState::Shunned(ShunCause::Superseded);
        }
    }
}

fn react_group(ctx: &mut Ctx<'_, '_>, service: ServiceId, group: HostSet) {
    let Some(rep) = group.first() else { return };
    let (mut view, agreed) = merged(ctx, service, group);
    if !view.coordinator.is_some_and(|c| group.contains(c)) {
        view.coordinator = Some(rep);
    }
    membership(ctx, &mut view, service, group);
    if view.quorum == Quorum::Primary {
        retire_strays(ctx, &view, service, rep);
        if view.policy.detects_faults() {
            detect(ctx, &mut view, service, rep);
        }
        if view.policy.recovers() {
            recover(ctx, &mut view, service, rep);
        }
        if view.policy != PolicyMode::Maintenance {
            restore_replicators(ctx, &view, service, rep);
        }
    }
    // Nothing between the merge and here writes a view (the reactions change `view`, and
    // ground truth), so members that agreed then agree still.
    if agreed {
        ctx.set_view_agreed(group, &view);
    } else {
        ctx.set_view(group, &view);
    }
    if view.quorum == Quorum::Primary && view.policy.recovers() {
        super::composite::recover_superseded(ctx, service, group);
    }
}

/// Quorum: losing it shuns everything the group sees and stops replication on its side.
fn membership(ctx: &mut Ctx<'_, '_>, view: &mut ManagerView, service: ServiceId, group: HostSet) {
    let Some(rep) = group.first() else { return };
    let members = ctx.state.quorum_members(ctx.topology, service, rep);
    let quorum = State::has_quorum(ctx.topology, service, members);
    match (view.quorum, quorum) {
        (Quorum::Primary | Quorum::Unknown, false) => {
            let db = members
                .iter()
                .filter(|&m| ctx.topology.host(m).is_datasource())
                .count();
            let witnesses = members.len() - db;
            let total = ctx.topology.datasources_of(service).count();
            ctx.emit(Effect::QuorumLost {
                service,
                host: rep,
                members: u8::try_from(db).unwrap_or(u8::MAX),
                majority: u8::try_from(total / 2 + 1).unwrap_or(u8::MAX),
                witnesses: u8::try_from(witnesses).unwrap_or(u8::MAX),
            });
            for d in ctx.topology.datasource_set(service) {
                // A master a composite failover superseded stays so: `recover` at the
                // composite is what brings it back (the docs list it `SHUNNED(SUPERSEDED)`
                // once its site returns, *operations-composite-recovery*).
                if view.entry(d).state != DsState::Shunned(ShunCause::Superseded) {
                    ctx.set_state(view, d, DsState::Shunned(ShunCause::Failsafe));
                }
                if ctx.state.reachable(rep, d) && ctx.host(d).replicator.is_online() {
                    let _ = ctx.replicator_offline(d);
                }
            }
            view.quorum = Quorum::NonPrimary;
        }
        (Quorum::NonPrimary, true) => {
            ctx.emit(Effect::QuorumRegained {
                service,
                host: rep,
                members: u8::try_from(members.len()).unwrap_or(u8::MAX),
            });
            view.quorum = Quorum::Primary;
        }
        (Quorum::Unknown, true) => view.quorum = Quorum::Primary,
        _ => {}
    }
}

/// A group with quorum keeps replication sane in what it reaches (managers reach replicators
/// over the network, so no manager is needed on the host): it takes offline every master
/// replicator whose datasource is not the one its view lets extract
/// ([`Ctx::extracting_master`]: the service's master, or a FAILED master whose failover is
/// still to come), such as a failed-over master back from a partition, and every
/// slave replicator whose sources no longer lead to a master no failover replaced. An OFFLINE
/// master beside an ONLINE one (a failed-over master an operator welcomed back while it was
/// cut off) is not the service's master: the explorer found its extractor left running beside
/// the new master's, seven inputs deep, when any OFFLINE master counted. Under AUTOMATIC and MANUAL the replicator is
/// then brought back, repointed. The extractors are retired under every policy
/// (**modelling decision**: a safety rule, like the failsafe). The appliers whose sources end
/// at a master a failover or switch replaced are not retired under MAINTENANCE, where the
/// managers detect and fence nothing (Continuent docs *operations-policymodes*): a passive
/// site's relay goes on reading the active site's lost master, its replicas reading the
/// relay, until the operator repoints it or the site leaves MAINTENANCE (a review found the
/// site's replicators taken OFFLINE by its managers in MAINTENANCE). Other breaks (a loop, a
/// source that is no master's, a host with no data) are retired under every policy, as the
/// invariant counts them under every policy (the `apply_sequence` fuzzer found a relay left
/// reading a thl-server an operator had made a slave, its site in MAINTENANCE, when every
/// break was left alone there).
///
/// A FAILED master that no failover has replaced yet ([`Ctx::awaiting_failover`]) keeps
/// extracting, even beside an OFFLINE master, whose extractor then goes offline: the
/// failover, the managers' or an operator's, waits for what its replicator still reads from
/// the binlog ([`Ctx::await_extraction`]).
///
/// It also takes offline an applying replicator on the datasource it holds as the ONLINE
/// master (**modelling decision**, the rule [`Ctx::keep_master_extracting`] enforces on
/// operators: clients write to that master, no replicator extracts their events, and the
/// master would hold events its own source lacks). The `apply_sequence` fuzzer found it: a
/// datasource provisioned as a slave while its manager was stopped, the manager restarted with
/// a stale view holding it as the ONLINE master.
fn retire_strays(ctx: &mut Ctx<'_, '_>, view: &ManagerView, service: ServiceId, rep: HostId) {
    let keep = ctx.extracting_master(view, service);
    for d in ctx.topology.datasource_set(service) {
        let r = ctx.host(d).replicator;
        if !(r.is_online() && ctx.state.reachable(rep, d)) {
            continue;
        }
        let entry = view.entry(d);
        let stray = if r.role == ReplicatorRole::Master {
            ctx.rules.single_extractor && keep != Some(d)
        } else if r.role.applies() {
            // An applier on the ONLINE master, or one cut off from the master.
            entry.is_online_master()
                || (ctx.rules.repoint_slaves
                    && match ctx.follow_sources_keeping(d, r.master) {
                        Sources::Master => false,
                        Sources::Replaced => view.policy != PolicyMode::Maintenance,
                        Sources::Broken => true,
                    })
        } else {
            false
        };
        if stray {
            let _ = ctx.replicator_offline(d);
        }
    }
}

/// Fault detection and fencing (AUTOMATIC, MANUAL).
///
/// A fenced datasource ([`ManagerView::fenced`]) goes back ONLINE once its replicator is ONLINE
/// again, under either policy (Continuent docs *operations-fencing-replicas*). Before the mark,
/// a fenced replica stayed OFFLINE under MANUAL, read as an operator's OFFLINE (an operator
/// review found it).
fn detect(ctx: &mut Ctx<'_, '_>, view: &mut ManagerView, service: ServiceId, rep: HostId) {
    let options = ctx.topology.options();
    for d in ctx.topology.datasource_set(service) {
        let entry = view.entry(d);
        if !matches!(entry.state, DsState::Online | DsState::Offline) {
            continue;
        }
        let host = *ctx.host(d);
        // A datasource whose manager is stopped counts as failed even if its host still
        // answers. Continuent asks operators to set MAINTENANCE before restarting managers
        // because otherwise the restart is treated as a failure (Tungsten Clustering 7.1,
        // "Starting and Stopping Tungsten Manager", deployment-startupdown-manager.html).
        // manager-failover-tuning.html adds that the others first try to establish that the
        // host is gone; a real cluster may therefore ride out a short restart. Treating the
        // stop as a failure is the side that flags plans which skip MAINTENANCE (a modelling
        // decision).
        let cause = if !(ctx.state.reachable(rep, d) && host.manager) {
            Some(FailCause::Unreachable)
        } else if !host.dataserver {
            Some(FailCause::DataServerStopped)
        } else {
            None
        };
        let replicator_failed =
            !host.replicator.running || host.replicator.state == ReplicatorState::OfflineError;
        match cause {
            Some(cause) => ctx.set_state(view, d, DsState::Failed(cause)),
            None if replicator_failed
                && entry.state == DsState::Online
                && entry.role == DataSourceRole::Master
                && options.fence_master_replicator =>
            {
                ctx.set_state(view, d, DsState::Failed(FailCause::Replicator));
            }
            None if replicator_failed
                && entry.state == DsState::Online
                && entry.role != DataSourceRole::Master
                && options.fence_slave_replicator =>
            {
                ctx.fence(view, d);
            }
            None if view.fenced.contains(d)
                && entry.role != DataSourceRole::Master
                && host.replicator.is_online()
                && super::cctrl::online_role_mismatch(entry.role, host.replicator.role)
                    .is_none() =>
            {
                ctx.lift_fence(view, d);
            }
            None => {}
        }
    }
}

/// Failure recovery (AUTOMATIC): failover, recovery of failed slaves, OFFLINE → ONLINE.
///
/// A failed slave comes back once its datasource is available again (Continuent docs
/// *operations-policymodes*), that is once its host, manager and dataserver run
/// ([`Ctx::healthy`]). The managers never start a stopped dataserver themselves: the docs'
/// functional tests stop a replica's dataserver and expect it FAILED, nothing more
/// (*functional-testing*); only an operator's `datasource X recover` starts it
/// (*operations-recovery-replica*).
///
/// A failed master is failed over; one that no slave can replace stays FAILED, even once its
/// dataserver runs again, and the managers report [`Finding::NoCandidate`]: automatic
/// recovery brings back failed replicas, not a failed master (*operations-policymodes*), a
/// master the replicator fence failed must be recovered by an operator even once its
/// replicator runs (*operations-fencing-primary*), and with no master left the recovery page
/// gives the operator `recover master using` (*operations-recovery-master*). No page says
/// the managers bring such a master back themselves (**modelling decision** where the pages
/// are silent: the earlier model did, which let a plan that never recovered the master read
/// VALID).
///
/// An OFFLINE datasource goes back ONLINE only where an operator's `datasource <ds> online`
/// would: not a master beside another, and not with its replicator's role apart from its own
/// (`online_role_mismatch` in the cctrl rules, a **modelling decision** stated there).
fn recover(ctx: &mut Ctx<'_, '_>, view: &mut ManagerView, service: ServiceId, rep: HostId) {
    let options = ctx.topology.options();
    if let Some(failed) = ctx.awaiting_failover(view, service) {
        ctx.await_extraction(service, rep, failed);
        match ctx.best_candidate(view, service, rep, Some(failed)) {
            Some(new) => ctx.promote(view, service, rep, new, Some(failed)),
            None => ctx.find(Finding::NoCandidate {
                service,
                relay: false,
            }),
        }
    }
    let mut master = ctx.replica_source(view, service, None);
    let passive = master.is_none() && ctx.passive_site(service).is_some();
    if passive && let Some(new) = fail_over_relay(ctx, view, service, rep) {
        master = Some(new);
    }
    for d in ctx.topology.datasource_set(service) {
        let entry = view.entry(d);
        if !ctx.healthy(rep, d) {
            continue;
        }
        match entry.state {
            // Not beside another relay in service; with one, there is no replica source
            // either, and the next arm leaves it.
            DsState::Failed(_)
                if passive
                    && entry.role == DataSourceRole::Relay
                    && ctx.other_relay(view, service, d).is_none() =>
            {
                recover_relay(ctx, view, rep, d);
            }
            // A replica an operator failed (`datasource <ds> fail`) is recovered like one a
            // fault failed: a **modelling decision**, the docs saying only that AUTOMATIC
            // recovers a failed replica once it is available (*operations-policymodes*). A
            // runbook step that does this warns `undone`, with MAINTENANCE or a shun as the
            // way to keep it out (helper-99 F2).
            DsState::Failed(_) if entry.role != DataSourceRole::Master => {
                let Some(m) = master else { continue };
                // A stopped replicator is not started: the managers do not start processes
                // (see `restore_replicators`); the replica stays FAILED until an operator
                // starts it, and is recovered then.
                if m == d || !ctx.lineage_ok(d, m) || !ctx.host(d).replicator.running {
                    continue;
                }
                ctx.repoint(d, ReplicatorRole::Slave, Some(m));
                if ctx.host(d).replicator.state != ReplicatorState::Online {
                    let _ = ctx.replicator_online(d);
                }
                if ctx.host(d).replicator.is_online() {
                    ctx.set_state(view, d, DsState::Online);
                }
            }
            DsState::Offline => {
                let other = ctx.online_master(view, service, Some(d));
                let replicator = ctx.host(d).replicator.role;
                if super::cctrl::online_role_mismatch(entry.role, replicator).is_some()
                    || (entry.role == DataSourceRole::Master
                        && (other.is_some() || rival_master(ctx, view, service, d)))
                    || (entry.role == DataSourceRole::Relay
                        && ctx.other_relay(view, service, d).is_some())
                {
                    continue;
                }
                let fenced = entry.role != DataSourceRole::Master
                    && replicator_fenced(ctx, d, options.fence_slave_replicator);
                if !fenced {
                    ctx.set_state(view, d, DsState::Online);
                }
            }
            _ => {}
        }
    }
}

/// A passive site's FAILED relay that the group cannot reach healthy (its host down or cut
/// off, its manager or dataserver stopped) is failed over to the best replica, as a failed
/// master is: the relay is a failover candidate's role in a passive site (Continuent docs
/// *operations-status-roles*; automatic failover, *operations-policymodes*), and the replicas
/// left reading a dead relay would receive nothing (an operator's review found a relay's
/// crash leave the passive site so with the plan VALID). One healthy again is recovered as
/// the relay instead ([`recover_relay`]). Without a candidate, or with no active master in
/// reach for the new relay to read, it stays FAILED and the managers report
/// [`Finding::NoCandidate`] for the first. Returns the new relay.
fn fail_over_relay(
    ctx: &mut Ctx<'_, '_>,
    view: &mut ManagerView,
    service: ServiceId,
    rep: HostId,
) -> Option<HostId> {
    let failed = ctx.topology.datasources_of(service).find(|&d| {
        let entry = view.entry(d);
        entry.role == DataSourceRole::Relay && matches!(entry.state, DsState::Failed(_))
    })?;
    // A relay made by hand beside it (`datasource <ds> relay`) is the operator's choice.
    if ctx.healthy(rep, failed) || ctx.other_relay(view, service, failed).is_some() {
        return None;
    }
    let source = ctx.active_master(service, rep)?;
    let Some(new) = ctx.best_candidate(view, service, rep, Some(failed)) else {
        ctx.find(Finding::NoCandidate {
            service,
            relay: true,
        });
        return None;
    };
    ctx.promote_relay(view, service, rep, (new, source), Some(failed));
    ctx.emit(Effect::FailedOver {
        from: Some(failed),
        to: new,
    });
    Some(new)
}

/// A passive site's failed relay, healthy again, comes back as its relay: its replicator
/// pointed at the other site's ONLINE master as the site's managers reach it
/// ([`Ctx::active_master`]) and put online, then the datasource ONLINE, as a failed replica
/// comes back under its master (automatic recovery brings back every failed datasource but a
/// master, *operations-policymodes*; a relay receives from the remote cluster's primary,
/// *operations-status-roles*). With no such master in reach, or a relay whose position is
/// not in its history, it stays FAILED for the operator.
fn recover_relay(ctx: &mut Ctx<'_, '_>, view: &mut ManagerView, rep: HostId, d: HostId) {
    let Some(active) = ctx.active_master(ctx.service_of(d), rep) else {
        return;
    };
    if !ctx.lineage_ok(d, active) || !ctx.host(d).replicator.running {
        return;
    }
    ctx.repoint(d, ReplicatorRole::Relay, Some(active));
    let r = ctx.host(d).replicator;
    if r.state != ReplicatorState::Online {
        let _ = ctx.replicator_online(d);
    }
    if ctx.host(d).replicator.is_online() {
        ctx.set_state(view, d, DsState::Online);
    }
}

/// Whether a datasource other than `d` claims the master role, ONLINE or OFFLINE (a master
/// shunned or failed makes no claim).
///
/// Modelling decision: when two datasources claim the master role, the managers cannot tell
/// which holds the service's data, so neither is brought ONLINE by a reaction; the operator
/// chooses. The explorer found both ways this used to go wrong: an old master welcomed back
/// and put ONLINE in place of the new one, and a failed slave made master in MAINTENANCE and
/// "recovered" as the master that came back while the real master was OFFLINE.
fn rival_master(ctx: &Ctx<'_, '_>, view: &ManagerView, service: ServiceId, d: HostId) -> bool {
    ctx.topology.datasources_of(service).any(|o| {
        let e = view.entry(o);
        o != d
            && e.role == DataSourceRole::Master
            && matches!(e.state, DsState::Online | DsState::Offline)
    })
}

fn replicator_fenced(ctx: &Ctx<'_, '_>, d: HostId, fencing: bool) -> bool {
    let r = ctx.host(d).replicator;
    fencing && (!r.running || r.state == ReplicatorState::OfflineError)
}

/// An offline replicator of a datasource that is not shunned or failed is put back online
/// (AUTOMATIC, MANUAL), pointed at the ONLINE master. Source: Continuent docs
/// *trepctl-offline* (common reference): a replicator taken offline stays offline only if the
/// cluster is in MAINTENANCE first, else the cluster puts it back online. (The policy table of
/// *operations-policymodes* lists no failure recovery under MANUAL; this is the replicator's
/// own state, not a failed datasource, and the more specific page is followed.) A stopped
/// replicator process is left stopped: *operations-status-datasource* shows
/// `REPLICATOR(state=STOPPED)` as a lasting DIMINISHED status whose fault the operator fixes,
/// and has auto-recovery bring a DIMINISHED node back only once all its services run. (Until
/// this release the model started it, reading the 6.1 *deployment-startupdown-replicator*
/// advice to stop a replicator only in MAINTENANCE or shunned as the managers' doing; a
/// review, helper-94 F1, found the status page against that. A runbook step that stops one
/// in service warns `stopped-in-service`.)
///
/// A datasource the view holds as the master gets its replicator back online only in master
/// role: an applying replicator (left by another group's failover while this group's managers
/// were stopped, say) stays offline for the operator. **Modelling decision**, the reactions'
/// side of the rule [`Ctx::keep_master_extracting`] enforces on operators (DOMAIN.md: replicator
/// sub-commands are safe only in MAINTENANCE or on a shunned datasource): clients go on writing
/// to that master, no replicator extracts their events, and the master would hold events its
/// own source lacks (`position-order`). The `apply_sequence` fuzzer found it: a manager
/// restarted with a stale view holding its datasource as the ONLINE master, whose replicator a
/// failover in the meantime had repointed as a slave of the new master.
///
/// Conversely, a master-role replicator comes back online only on the datasource the view
/// holds as the service's master ([`Ctx::service_master`]), as [`retire_strays`] keeps it
/// (**modelling decision**, the same rule `Ctx::may_extract` applies to operators): on a
/// master made a slave (`datasource <ds> slave`) it stays offline for the operator. Before,
/// this rule put back online in each round the extractor `retire_strays` took offline in it;
/// test builds now assert that no round of reactions writes and undoes.
fn restore_replicators(ctx: &mut Ctx<'_, '_>, view: &ManagerView, service: ServiceId, rep: HostId) {
    let master = ctx.replica_source(view, service, None);
    for d in ctx.topology.datasource_set(service) {
        let entry = view.entry(d);
        let in_service = matches!(entry.state, DsState::Online | DsState::Offline);
        let managed = ctx.state.reachable(rep, d) && ctx.host(d).manager;
        if !(in_service && managed) {
            continue;
        }
        if !ctx.host(d).replicator.running {
            continue;
        }
        let r = ctx.host(d).replicator;
        // A passive site's relay reads the active site's master. A promotion there points
        // the relays it reaches at the new master (`Ctx::promote`); one it did not reach,
        // whose source no longer passes the master's events on (an old master taken offline
        // by a failover, a host down; reachability is shared among the hosts that reach each
        // other, so a relay reaching the master reaches a source that does), is pointed at it
        // when its managers act (Continuent
        // docs *operations-composite*: the composite reconfigures the relay). A relay whose
        // source still feeds it, a replica of the active site, is left alone: the docs'
        // *operations-composite-relay-recovery* shows one reading a replica under AUTOMATIC,
        // listed `relay:ONLINE` with status OK, which the operator repoints by hand. An
        // independent review found the passive site left offline after the active site's
        // failover; a later one found the docs' relay repointed before the operator could.
        if entry.role == DataSourceRole::Relay
            && r.role == ReplicatorRole::Relay
            && ctx.passive_site(service).is_some()
            && let Some(active) = ctx.active_master(service, rep)
            && r.master != Some(active)
            && r.master.is_none_or(|m| ctx.flush_path(m, active).is_err())
            && ctx.lineage_ok(d, active)
        {
            ctx.repoint(d, ReplicatorRole::Relay, Some(active));
        }
        let r = ctx.host(d).replicator;
        if r.state != ReplicatorState::OfflineNormal {
            continue;
        }
        if entry.role != DataSourceRole::Master
            && r.role == ReplicatorRole::Slave
            && let Some(m) = master.filter(|&m| m != d && r.master != Some(m))
        {
            ctx.repoint(d, ReplicatorRole::Slave, Some(m));
        }
        if entry.role == DataSourceRole::Master && r.role.applies() {
            continue;
        }
        // A passive site's relay likewise comes back online only as a relay: one whose
        // replicator a failover it did not see made a slave (its manager stopped while the
        // site's relay failed over to another, then started alone with its stale view) is
        // pointed back at the active master, as *operations-composite-relay-recovery* does
        // by hand (`replicator <relay> relay <site>/<master>`); with no such master in reach
        // it stays offline for the operator. Brought online as a slave, the relay served
        // nothing, so the site's failed replicas never came back once their managers did,
        // the relay in the view and no relay's replicator in the site (**modelling
        // decision**, the rule above for masters; found by a review, `F7`: a relay's manager
        // stopped, then the two others', the relay failing over twice, started in order).
        if entry.role == DataSourceRole::Relay && r.role == ReplicatorRole::Slave {
            let Some(active) = ctx
                .active_master(service, rep)
                .filter(|&a| ctx.passive_site(service).is_some() && ctx.lineage_ok(d, a))
            else {
                continue;
            };
            ctx.repoint(d, ReplicatorRole::Relay, Some(active));
        }
        // The converse: a master-role replicator extracts only for the master the managers
        // keep extracting, the rule `retire_strays` keeps; on any other datasource it stays
        // offline for the operator (who may not bring it online either: `Ctx::may_extract`).
        if r.role == ReplicatorRole::Master
            && ctx.rules.single_extractor
            && ctx.extracting_master(view, service) != Some(d)
        {
            continue;
        }
        let _ = ctx.replicator_online(d);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

    use super::react;
    use crate::fault::{Fault, Process};
    use crate::machine::context::Ctx;
    use crate::machine::{Rules, invariant, world};
    use crate::model::{HostId, MAX_HOSTS, State, Topology};

    /// The source chains the reactions hand to the guard are those of the state they leave:
    /// a chain kept from an earlier round, or from before the reactions, would be checked in
    /// place of the state's own. Every slot starts out holding a chain no state has (a host
    /// reading itself, found sound); after the reactions, each chain kept must be the one
    /// followed in the state they leave, for faults that take the managers one round and
    /// several (a failover).
    #[test]
    fn the_chains_kept_for_the_guard_are_the_state_the_reactions_leave() {
        let topology = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let healthy = State::healthy(&topology);
        let id = |name: &str| topology.host_id(name).unwrap();
        for fault in [
            Fault::HostCrash(id("db1")),
            Fault::HostCrash(id("db3")),
            Fault::Stop(id("db2"), Process::Replicator),
        ] {
            let mut next = healthy;
            let mut observer = ();
            let mut ctx = Ctx::new(&topology, &mut next, Rules::default(), &mut observer);
            ctx.chains = std::array::from_fn(|i| HostId::from_index(i).map(|h| (Some(h), Ok(()))));
            world::apply(&mut ctx, fault).unwrap();
            react(&mut ctx);
            let kept = ctx.chains;
            let mut checked = 0;
            for (i, slot) in kept.iter().enumerate().take(MAX_HOSTS) {
                if let (Some((first, chain)), Some(h)) = (slot, HostId::from_index(i)) {
                    let (_, own) = invariant::follow_sources_keeping(&topology, &next, h, *first);
                    assert_eq!(*chain, own, "{fault:?}: the chain kept for host {i}");
                    checked += 1;
                }
            }
            assert!(checked > 0, "{fault:?}: no chain kept to check");
        }
    }
}
