//! Faults and world events.

use super::context::Ctx;
use super::effect::Effect;
use super::input::Install;
use super::rejection::Refusal;
use crate::fault::Fault;
use crate::model::{CrossSiteReplicator, HostId, Quorum, ReplicatorState};
use std::borrow::Cow;

pub(crate) fn apply(ctx: &mut Ctx<'_, '_>, fault: Fault) -> Result<(), Refusal> {
    match fault {
        Fault::HostCrash(h) => crash(ctx, h),
        Fault::HostRestart(h) => restart(ctx, h),
        Fault::Stop(h, process) => {
            up(ctx, h)?;
            ctx.set_process(h, process, false)
        }
        Fault::Start(h, process) => {
            up(ctx, h)?;
            ctx.set_process(h, process, true)
        }
        Fault::ReplicatorError(h) => {
            up(ctx, h)?;
            let r = ctx.host(h).replicator;
            if !r.is_online() {
                return Err(Refusal::NoChange {
                    host: Some(h),
                    already: Cow::Borrowed("has no ONLINE replicator to fail"),
                });
            }
            ctx.host_mut(h).replicator.state = ReplicatorState::OfflineError;
            ctx.emit(Effect::Replicator {
                host: h,
                install: Install::Cluster,
                to: ReplicatorState::OfflineError,
            });
            Ok(())
        }
        Fault::Partition(split) => {
            // Hosts the topology does not have are never reached; keeping their labels would
            // make splits that group the real hosts alike different states, and a split that
            // moves only them a partition that separates nothing.
            let split = split.within(ctx.topology.hosts().len());
            // One group holding every host separates nothing: on a split network it heals
            // it, and says so; on a whole one it is no change, and says the network is whole
            // (an operator's review found it printed as a partition, and refused as "split that
            // way already", helper-127 F3).
            if !split.separates(ctx.topology.hosts().len()) {
                return apply(ctx, Fault::Heal);
            }
            if split.labels() == ctx.state.partition {
                return Err(Refusal::NoChange {
                    host: None,
                    already: Cow::Borrowed("the network is split that way already"),
                });
            }
            ctx.state.partition = split.labels();
            ctx.emit(Effect::Partition(split));
            Ok(())
        }
        Fault::Heal => {
            if !ctx.state.is_partitioned() {
                return Err(Refusal::NoChange {
                    host: None,
                    already: Cow::Borrowed("the network is whole"),
                });
            }
            ctx.state.partition = [0; crate::model::MAX_HOSTS];
            ctx.emit(Effect::Heal);
            Ok(())
        }
        Fault::Write(h) => ctx.write(h, true),
        Fault::Drift(h) => {
            up(ctx, h)?;
            let host = ctx.host(h);
            if !(ctx.topology.host(h).is_datasource() && host.dataserver) || host.data.drift {
                return Err(Refusal::NoChange {
                    host: Some(h),
                    already: Cow::Borrowed("has drifted already, or runs no dataserver"),
                });
            }
            ctx.host_mut(h).data.drift = true;
            ctx.emit(Effect::Drift { host: h });
            Ok(())
        }
        Fault::CatchUp(h) => {
            up(ctx, h)?;
            ctx.catch_up(h)
        }
        Fault::CrossSiteCatchUp(h) => {
            up(ctx, h)?;
            ctx.cross_site_sync(h, false)
        }
    }
}

fn up(ctx: &Ctx<'_, '_>, h: HostId) -> Result<(), Refusal> {
    if ctx.host(h).up {
        Ok(())
    } else {
        Err(Refusal::HostDown { host: h })
    }
}

pub(super) fn crash(ctx: &mut Ctx<'_, '_>, h: HostId) -> Result<(), Refusal> {
    if !ctx.host(h).up {
        return Err(Refusal::NoChange {
            host: Some(h),
            already: Cow::Borrowed("is down already"),
        });
    }
    ctx.host_mut(h).go_down();
    ctx.end_session(h);
    ctx.emit(Effect::Host { host: h, up: false });
    Ok(())
}

pub(super) fn restart(ctx: &mut Ctx<'_, '_>, h: HostId) -> Result<(), Refusal> {
    if ctx.host(h).up {
        return Err(Refusal::NoChange {
            host: Some(h),
            already: Cow::Borrowed("is up already"),
        });
    }
    let spec = ctx.topology.host(h).clone();
    let host = ctx.host_mut(h);
    host.up = true;
    host.manager = spec.has_manager();
    host.connector.running = spec.connector;
    host.dataserver = spec.is_datasource();
    host.replicator.running = spec.is_datasource();
    host.replicator.state = ReplicatorState::OfflineNormal;
    host.cross_site = CrossSiteReplicator {
        applied: host.cross_site.applied,
        ..CrossSiteReplicator::started(spec.cross_site_from.is_some())
    };
    if let Some(view) = ctx.state.views.get_mut(h.index()) {
        view.quorum = Quorum::Unknown;
    }
    ctx.emit(Effect::Host { host: h, up: true });
    // The replicator the boot starts goes ONLINE by itself where it can, as after a plain
    // start.
    if spec.is_datasource() {
        ctx.auto_enable(h);
    }
    if spec.cross_site_from.is_some() {
        let _ = ctx.cross_site_sync(h, true);
    }
    Ok(())
}
