//! trepctl commands: the rules documented in [`crate::command::TrepctlCommand`]'s module.

use super::context::{Ctx, Subject};
use super::effect::Effect;
use super::input::{Install, TrepctlOp};
use super::rejection::Refusal;
use crate::command::ResetScope;
use crate::model::{ClusterReplicator, HostId, ReplicatorRole, ReplicatorState, RestartPosition};
use std::borrow::Cow;

pub(crate) fn apply(
    ctx: &mut Ctx<'_, '_>,
    on: HostId,
    target: HostId,
    install: Install,
    op: TrepctlOp,
) -> Result<Option<Subject>, Refusal> {
    if !ctx.host(on).up {
        return Err(Refusal::HostDown { host: on });
    }
    if !ctx.host(target).up {
        return Err(Refusal::HostDown { host: target });
    }
    if !ctx.state.reachable(on, target) {
        return Err(Refusal::Unreachable { host: target });
    }
    if !ctx.topology.host(target).is_datasource() {
        return Err(Refusal::NotADatasource { host: target });
    }
    // What it applied before going online: a skip list acts on events still to apply.
    let position = match install {
        Install::Cluster => ctx.host(target).data.pos,
        Install::CrossSite => ctx.host(target).cross_site.applied,
    };
    let skipping = match op {
        TrepctlOp::OnlineSkipping { highest, .. } => {
            position.is_none_or(|p| highest.get() > p.seqno)
        }
        _ => false,
    };
    if matches!(op, TrepctlOp::OnlineFromBaseSeqno(_)) {
        let role = match install {
            Install::Cluster => ctx.host(target).replicator.role,
            Install::CrossSite => ReplicatorRole::Slave,
        };
        if role.applies() {
            return Err(Refusal::ReplicatorRole {
                host: target,
                found: role,
                expected: Cow::Borrowed(
                    "master: `-base-seqno` restarts a master's extraction, so it is refused on any replicator that applies, as trepctl refuses it on a slave (`tungsten_set_position` sets a slave's position)",
                ),
            });
        }
    }
    let op = match op {
        TrepctlOp::OnlineSkipping { .. } | TrepctlOp::OnlineFromBaseSeqno(_) => TrepctlOp::Online,
        op => op,
    };
    let subject = match install {
        Install::Cluster => cluster(ctx, target, op).map(|()| Some(Subject(target)))?,
        Install::CrossSite => cross_site(ctx, target, op).map(|()| None)?,
    };
    // Only a replicator that writes into its dataserver leaves events out of its data.
    let applies = || match install {
        Install::Cluster => ctx.host(target).replicator.role.applies_to_dataserver(),
        Install::CrossSite => true,
    };
    // Events are left out only by a replicator that went online: one that stopped in
    // OFFLINE:ERROR (it holds events its source lacks) applied nothing.
    let online = || match install {
        Install::Cluster => ctx.host(target).replicator.is_online(),
        Install::CrossSite => ctx.host(target).cross_site.state == ReplicatorState::Online,
    };
    if skipping && applies() && online() {
        ctx.host_mut(target).data.drift = true;
        ctx.emit(Effect::Skipped { host: target });
    }
    Ok(subject)
}

/// `wait -state S` on a replicator in `found`: refused unless it is in `S` already (for
/// `OFFLINE`, in either offline state: trepctl's wait matches the start of a state's name,
/// and `OFFLINE` is the parent of both in the replicator's state map).
fn wait(
    h: HostId,
    install: Install,
    found: ReplicatorState,
    awaited: ReplicatorState,
) -> Result<(), Refusal> {
    if found == awaited || (awaited == ReplicatorState::Offline && found.is_offline()) {
        return Ok(());
    }
    Err(Refusal::ReplicatorState {
        host: h,
        install,
        found,
        expected: match awaited {
            ReplicatorState::Online => Cow::Borrowed(
                "ONLINE, the state waited for (nothing changes while trepctl waits, so the wait runs out)",
            ),
            ReplicatorState::OfflineError => Cow::Borrowed(
                "OFFLINE:ERROR, the state waited for (nothing changes while trepctl waits, so the wait runs out)",
            ),
            ReplicatorState::Offline => Cow::Borrowed(
                "OFFLINE:NORMAL or OFFLINE:ERROR, the states a wait on OFFLINE ends on (nothing changes while trepctl waits, so the wait runs out)",
            ),
            _ => Cow::Borrowed(
                "OFFLINE:NORMAL, the state waited for (nothing changes while trepctl waits, so the wait runs out)",
            ),
        },
    })
}

fn cluster(ctx: &mut Ctx<'_, '_>, h: HostId, op: TrepctlOp) -> Result<(), Refusal> {
    let r = ctx.host(h).replicator;
    if !r.running {
        return Err(Refusal::ReplicatorStopped {
            host: h,
            install: Install::Cluster,
        });
    }
    match op {
        TrepctlOp::Online => {
            if r.role == ReplicatorRole::Master {
                ctx.may_extract(h)?;
            }
            ctx.no_applier_on_master(h)?;
            ctx.replicator_online(h)
        }
        TrepctlOp::Offline => ctx.replicator_offline(h),
        TrepctlOp::OfflineDeferred => {
            if r.state != ReplicatorState::Online {
                return Err(Refusal::NoChange {
                    host: Some(h),
                    already: Cow::Borrowed(
                        "has no ONLINE replicator, and trepctl ignores offline-deferred on any other (`offline` takes it out of OFFLINE:ERROR)",
                    ),
                });
            }
            ctx.replicator_offline(h)
        }
        TrepctlOp::Reset(scope) => reset(ctx, h, r, scope),
        TrepctlOp::SetRole(role, master) => {
            if matches!(role, ReplicatorRole::ThlServer | ReplicatorRole::ThlClient) {
                ctx.thl_role_in_maintenance(h)?;
            }
            if role == ReplicatorRole::Relay {
                ctx.relay_in_composite(h)?;
            }
            if role != ReplicatorRole::Master {
                ctx.keep_master_extracting(h)?;
            }
            ctx.replicator_setrole(h, role, master)
        }
        TrepctlOp::Flush => {
            if r.role != ReplicatorRole::Master {
                return Err(Refusal::ReplicatorRole {
                    host: h,
                    found: r.role,
                    expected: Cow::Borrowed("a master (flush is only allowed in master role)"),
                });
            }
            if !r.is_online() {
                return Err(Refusal::ReplicatorState {
                    host: h,
                    install: Install::Cluster,
                    found: r.state,
                    expected: Cow::Borrowed(
                        "ONLINE: flush waits for an online master to store what it extracted (`trepctl online` first)",
                    ),
                });
            }
            ctx.emit(Effect::Flush { host: h });
            Ok(())
        }
        TrepctlOp::Heartbeat => {
            if !r.is_online() {
                return Err(Refusal::ReplicatorState {
                    host: h,
                    install: Install::Cluster,
                    found: r.state,
                    expected: Cow::Borrowed("ONLINE"),
                });
            }
            if r.role != ReplicatorRole::Master {
                return Err(Refusal::ReplicatorRole {
                    host: h,
                    found: r.role,
                    expected: Cow::Borrowed("master (a heartbeat is an event the master extracts)"),
                });
            }
            ctx.write(h, false)
        }
        TrepctlOp::Wait(awaited) => wait(h, Install::Cluster, r.state, awaited),
        // Turned into `Online` by `apply`.
        TrepctlOp::OnlineSkipping { .. }
        | TrepctlOp::OnlineFromBaseSeqno(_)
        | TrepctlOp::Inspect => Ok(()),
    }
}

/// `trepctl reset` of `h`'s cluster replicator `r` (offline), clearing `scope`.
fn reset(
    ctx: &mut Ctx<'_, '_>,
    h: HostId,
    r: ClusterReplicator,
    scope: ResetScope,
) -> Result<(), Refusal> {
    if r.state == ReplicatorState::Online {
        return Err(Refusal::ReplicatorState {
            host: h,
            install: Install::Cluster,
            found: r.state,
            expected: Cow::Borrowed("offline (`trepctl -service <svc> offline` first)"),
        });
    }
    // Resetting the THL that slaves read leaves them asking for events it no longer holds:
    // Continuent docs *operations-msmm-resetsingle* reset every replicator of the site
    // together, each offline first. With a slave online the reset is refused (**modelling
    // decision**, found by an operator's review: resetting a master alone read VALID);
    // the offline ones are marked below and stop in error when they resume, unless reset
    // themselves first (a second review found the refusal's "offline first" led there).
    if matches!(scope, ResetScope::All | ResetScope::Thl)
        && let Some(slave) = ctx.slave_of(h)
    {
        return Err(Refusal::ServesSlaves { host: h, slave });
    }
    // The dataserver keeps its data; THL, relay logs and catalog are gone.
    ctx.emit(Effect::Reset {
        host: h,
        install: Install::Cluster,
        scope,
    });
    if matches!(scope, ResetScope::All | ResetScope::Thl) {
        // Every replicator of the service, and any other reading `h`, holds a position in
        // the history `h` no longer has: read from `h`, it asks for an event that is not
        // there (the rule above refuses the reset while one reads `h` online). Those whose
        // own reset cleared their position read it from the start (independent reviews
        // found a service reset INVALID when the master was not the first host reset, and
        // a slave pointed elsewhere during the reset, then back, resuming).
        // A slave's THL matters only to those reading it. Of two losses, the first is kept
        // (**modelling decision**: a replicator that lost its position at two hosts is
        // stopped reading the first; its own reset ends both).
        let service = ctx.topology.host(h).service;
        let master = r.role == ReplicatorRole::Master;
        for d in ctx.topology.host_ids() {
            let reader = ctx.host(d).replicator;
            let reads_h = reader.master == Some(h);
            let of_service = master && ctx.topology.host(d).service == service;
            if d != h && ctx.topology.host(d).is_datasource() && (reads_h || of_service) {
                // Behind `h`, it lacks events the reset takes out of every THL (an
                // independent review found a lagging slave catching them up after a service
                // reset).
                let behind = ctx.host(d).data.pos != ctx.host(h).data.pos && ctx.in_history(d, h);
                let lost = if behind {
                    RestartPosition::LostBehindAt(h)
                } else {
                    RestartPosition::LostAt(h)
                };
                let next = match reader.restart {
                    // Its catalog cleared, a replicator reading `h` reads the new THL from its
                    // start, which holds only what `h` writes from here: it resumes, past
                    // what it lacked if it was behind (one reading another source still meets
                    // that source's kept THL: an independent review found another
                    // master-role replicator's reset counted).
                    RestartPosition::Skipping(_) if reads_h => RestartPosition::Skipping(h),
                    RestartPosition::Cleared if reads_h && behind => RestartPosition::Skipping(h),
                    RestartPosition::Cleared if reads_h => RestartPosition::Kept,
                    // Its position lost at `h` already, and behind `h` now: `h` wrote since
                    // the last reset, and this one drops that too (an independent review
                    // found a slave behind a second reset of its master resuming clean).
                    RestartPosition::LostAt(at) if at == h => lost,
                    RestartPosition::Kept => lost,
                    // A loss at another host is kept: the first.
                    other => other,
                };
                ctx.host_mut(d).replicator.restart = next;
            }
        }
    }
    if matches!(scope, ResetScope::All | ResetScope::Db) {
        // Its restart position is gone: it reads its master's THL from the start again. A
        // THL reset since it last read it starts where that master was reset, so the
        // position lost there is no loss now; a THL kept holds events it applied already.
        // (Lost at a host it no longer reads, the source it reads now kept its THL: an
        // independent review found such a repointed replicator resuming.)
        // Behind a host when its THL was reset, it lacks events no THL holds: whatever
        // source it reads from the start, it reads on past them (**modelling decision**:
        // the model keeps one loss per replicator, so it cannot tell whether another source
        // was reset too, and takes the reading that does not hide the gap; an independent
        // review found a lagging slave of a slave resuming clean).
        ctx.host_mut(h).replicator.restart = match (r.restart, r.master) {
            (RestartPosition::LostAt(at), Some(m)) if m == at => RestartPosition::Kept,
            (RestartPosition::LostBehindAt(_) | RestartPosition::Skipping(_), Some(m)) => {
                RestartPosition::Skipping(m)
            }
            _ => RestartPosition::Cleared,
        };
    }
    Ok(())
}

fn cross_site(ctx: &mut Ctx<'_, '_>, h: HostId, op: TrepctlOp) -> Result<(), Refusal> {
    if ctx.topology.host(h).cross_site_from.is_none() {
        return Err(Refusal::NoCrossSite { host: h });
    }
    let x = ctx.host(h).cross_site;
    if !x.running {
        return Err(Refusal::ReplicatorStopped {
            host: h,
            install: Install::CrossSite,
        });
    }
    let state = x.state;
    match op {
        TrepctlOp::Online => {
            if state == ReplicatorState::Online {
                return Err(Refusal::NoChange {
                    host: Some(h),
                    already: Cow::Borrowed("has its cross-site replicator ONLINE"),
                });
            }
            ctx.host_mut(h).cross_site.state = ReplicatorState::Online;
            ctx.emit(Effect::Replicator {
                host: h,
                install: Install::CrossSite,
                to: ReplicatorState::Online,
            });
            // A cross-site replicator applies as soon as it is online (modelling decision).
            let _ = ctx.cross_site_sync(h, true);
            Ok(())
        }
        TrepctlOp::OfflineDeferred if state != ReplicatorState::Online => Err(Refusal::NoChange {
            host: Some(h),
            already: Cow::Borrowed(
                "has no ONLINE cross-site replicator, and trepctl ignores offline-deferred on any other (`offline` takes it out of OFFLINE:ERROR)",
            ),
        }),
        TrepctlOp::Offline | TrepctlOp::OfflineDeferred => {
            if state == ReplicatorState::OfflineNormal {
                return Err(Refusal::NoChange {
                    host: Some(h),
                    already: Cow::Borrowed("has its cross-site replicator OFFLINE:NORMAL"),
                });
            }
            ctx.host_mut(h).cross_site.state = ReplicatorState::OfflineNormal;
            ctx.emit(Effect::Replicator {
                host: h,
                install: Install::CrossSite,
                to: ReplicatorState::OfflineNormal,
            });
            Ok(())
        }
        TrepctlOp::Reset(scope) => {
            if state == ReplicatorState::Online {
                return Err(Refusal::ReplicatorState {
                    host: h,
                    install: Install::CrossSite,
                    found: state,
                    expected: Cow::Borrowed("offline (`trepctl -service <svc> offline` first)"),
                });
            }
            if matches!(scope, ResetScope::All | ResetScope::Db) {
                ctx.host_mut(h).cross_site.applied = None;
            }
            ctx.emit(Effect::Reset {
                host: h,
                install: Install::CrossSite,
                scope,
            });
            Ok(())
        }
        TrepctlOp::SetRole(..) => Err(Refusal::ReplicatorRole {
            host: h,
            found: ReplicatorRole::Slave,
            expected: Cow::Borrowed(
                "no role change: a cross-site replicator's role is set by its install",
            ),
        }),
        TrepctlOp::Flush | TrepctlOp::Heartbeat => Err(Refusal::ReplicatorRole {
            host: h,
            found: ReplicatorRole::Slave,
            expected: Cow::Borrowed("a master (a cross-site replicator only applies)"),
        }),
        TrepctlOp::Wait(awaited) => wait(h, Install::CrossSite, state, awaited),
        // Turned into `Online` by `apply`.
        TrepctlOp::OnlineSkipping { .. }
        | TrepctlOp::OnlineFromBaseSeqno(_)
        | TrepctlOp::Inspect => Ok(()),
    }
}
