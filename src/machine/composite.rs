//! cctrl commands typed at an active/passive composite dataservice (`use global`, the prompt
//! `[LOGICAL] /global >`): they act on whole sites.
//!
//! Sources: Continuent docs *operations-composite* and *operations-composite-switch* (a
//! `switch` makes the passive site's relay the master and the old master the relay of its
//! site; each site's replicas follow), *operations-composite-failover* (`datasource <site>
//! fail`, then `failover`, when the active site is lost), *operations-composite-recovery*
//! (`recover` brings the superseded site back as a composite slave, its old master forced
//! to be the relay), *manager-failover-internals-switch-failover-steps-composite-clusters*
//! (the composite goes into MAINTENANCE for the while, every site with it; with no target,
//! the relay with the highest stored seqno is chosen; a switch flushes and waits for the
//! target relay to receive the flush; the composite master taken offline or shunned takes
//! the site's physical master with it) and *operations-policymodes* (no automatic failover
//! between sites: these are operator commands).
//!
//! **Modelling decisions**:
//! - The model keeps no composite-level state. A site's composite state is read from its
//!   own managers' views as the manager typed into reaches them: `composite master` while
//!   they hold a master, its state the master's (or the relay's, at a passive site). So
//!   `datasource <site> fail` changes nothing the model tracks: it is accepted for a site
//!   that is not in service (unreachable, or its master out of service), and refused for a
//!   site in service, where Tungsten takes it as an expert's command that may corrupt data
//!   (the docs give it only for a lost site). `failover` does not ask for it first.
//! - A site's own managers run its datasources as before; the composite commands change
//!   the views of the site managers the session reaches. Managers of the superseded site
//!   that are down or stopped take the superseding on when they come back (the docs show the
//!   returning site's master `SHUNNED(SUPERSEDED)`); managers running behind a partition do
//!   not hear of it, and a master they keep writable is a second writable master in the
//!   composite (the invariant reports it).
//! - The commands are atomic: the docs' rollback of a switch that times out is not modelled.

use super::cctrl::{self, Step};
use super::context::{Ctx, Subject};
use super::effect::{Effect, Finding};
use super::input::CctrlOp;
use super::rejection::{Ineligible, Refusal};
use crate::command::DatasourceAction;
use crate::model::{
    DataSourceRole, DsEntry, DsState, HostId, HostSet, ManagerView, PolicyMode, ReplicatorRole,
    ServiceId, ShunCause,
};
use std::borrow::Cow;

/// A member site as the manager a command is typed into reaches it: the site's managers
/// that run and are reachable from there, and the view they hold.
#[derive(Clone, Copy)]
struct Reach {
    site: ServiceId,
    group: HostSet,
    rep: HostId,
    view: ManagerView,
}

impl Reach {
    fn of(ctx: &Ctx<'_, '_>, site: ServiceId, at: HostId) -> Result<Self, Refusal> {
        let group = ctx.group(site, at);
        let rep = group.first().ok_or(Refusal::SiteUnreachable { site })?;
        Ok(Self {
            site,
            group,
            rep,
            view: *ctx.state.view(rep),
        })
    }

    /// Label the view writes that follow as this group's, where the site is split
    /// ([`Ctx::label_view`]).
    fn label(&self, ctx: &mut Ctx<'_, '_>) {
        ctx.label_view(self.site, self.group);
    }

    /// Whether the view holds a datasource of the site in `role`.
    fn holds(&self, ctx: &Ctx<'_, '_>, role: DataSourceRole) -> bool {
        ctx.topology
            .datasources_of(self.site)
            .any(|d| self.view.entry(d).role == role)
    }

    /// The datasource serving the site's composite role in the view: its master at the active
    /// site, its relay at a passive one; the ONLINE one first.
    fn serving(&self, ctx: &Ctx<'_, '_>) -> Option<HostId> {
        [DataSourceRole::Master, DataSourceRole::Relay]
            .into_iter()
            .find_map(|role| {
                let online = DsEntry::new(role, DsState::Online);
                let mut held = ctx.topology.datasources_of(self.site);
                held.find(|&d| self.view.entry(d) == online).or_else(|| {
                    ctx.topology
                        .datasources_of(self.site)
                        .find(|&d| self.view.entry(d).role == role)
                })
            })
    }

    /// Whether a composite failover superseded the site: its managers hold a master and no
    /// relay serving (a site back as a passive one has its relay ONLINE; an old master failed
    /// over inside it before the composite failover keeps the master role, and made a second
    /// relay when counted).
    fn superseded(&self, ctx: &Ctx<'_, '_>) -> bool {
        self.holds(ctx, DataSourceRole::Master) && self.online_relay(ctx).is_none()
    }

    /// The site's relay ONLINE in the view, if any.
    fn online_relay(&self, ctx: &Ctx<'_, '_>) -> Option<HostId> {
        ctx.topology
            .datasources_of(self.site)
            .find(|&d| self.view.entry(d) == DsEntry::new(DataSourceRole::Relay, DsState::Online))
    }

    /// The site as cctrl's session over it: for the site-level rules the commands share.
    fn session(&self) -> cctrl::Session {
        cctrl::Session {
            service: self.site,
            group: self.group,
            rep: self.rep,
        }
    }
}

/// Apply `op`, typed into the manager on `at` in a session at the active/passive composite
/// `composite` with sites `members`.
pub(super) fn apply(
    ctx: &mut Ctx<'_, '_>,
    at: HostId,
    (composite, members): (ServiceId, &[ServiceId]),
    op: CctrlOp,
) -> Result<Option<Subject>, Refusal> {
    let sites = Sites {
        composite,
        members,
        at,
    };
    match op {
        CctrlOp::SetPolicy(policy) => set_policy(ctx, &sites, policy)?,
        CctrlOp::SwitchSite(target) => switch(ctx, &sites, target)?,
        CctrlOp::FailoverSite(target) => failover(ctx, &sites, target)?,
        CctrlOp::RecoverSites => recover(ctx, &sites, None)?,
        CctrlOp::SiteDatasource(site, action) => {
            return site_datasource(ctx, &sites, site, action);
        }
        CctrlOp::Heartbeat => heartbeat(ctx, &sites)?,
        CctrlOp::Inspect => {}
        _ => return Err(Refusal::AtComposite { composite }),
    }
    Ok(None)
}

/// The composite a command runs at, its sites, and the manager it is typed into.
struct Sites<'m> {
    composite: ServiceId,
    members: &'m [ServiceId],
    at: HostId,
}

impl Sites<'_> {
    fn member(&self, site: ServiceId) -> Result<ServiceId, Refusal> {
        if self.members.contains(&site) {
            Ok(site)
        } else {
            Err(Refusal::NoSiteTarget {
                site: Some(site),
                composite: self.composite,
                why: Cow::Borrowed("it is not a site of the composite"),
            })
        }
    }

    /// The active site: the site whose reachable managers hold an ONLINE master, with it;
    /// else the first site any of whose managers hold a master (lost, or out of service),
    /// with no master; a site whose reached managers hold it superseded only when no other
    /// does (an independent review found a superseded site taken for the active one while
    /// the site that superseded it had its master OFFLINE, and `recover` refused as if
    /// typed at the site).
    fn active(&self, ctx: &Ctx<'_, '_>) -> Option<(ServiceId, Option<HostId>)> {
        let online = self.members.iter().find_map(|&site| {
            let reach = Reach::of(ctx, site, self.at).ok()?;
            ctx.online_master(&reach.view, site, None)
                .map(|m| (site, Some(m)))
        });
        let holding = |site: ServiceId, superseded: bool| match Reach::of(ctx, site, self.at) {
            Ok(reach) => {
                reach.holds(ctx, DataSourceRole::Master)
                    && ctx.superseded(&reach.view, site).is_some() == superseded
            }
            // Out of reach, its managers' last views say (down, stopped or cut off).
            Err(_) => {
                ctx.state
                    .site_holds(ctx.topology, site, DataSourceRole::Master)
                    && ctx
                        .topology
                        .hosts_of(site)
                        .any(|m| ctx.superseded(ctx.state.view(m), site).is_some())
                        == superseded
            }
        };
        online.or_else(|| {
            [false, true].into_iter().find_map(|superseded| {
                self.members
                    .iter()
                    .find(|&&site| holding(site, superseded))
                    .map(|&site| (site, None))
            })
        })
    }

    /// [`Self::active`], or the refusal that no site holds a master.
    fn holding_master(&self, ctx: &Ctx<'_, '_>) -> Result<(ServiceId, Option<HostId>), Refusal> {
        self.active(ctx).ok_or(Refusal::NoSiteTarget {
            site: None,
            composite: self.composite,
            why: Cow::Borrowed("no site holds a master"),
        })
    }

    /// The site to take the Active role from `active`, and its relay: `target` if it can,
    /// else the site whose eligible relay holds the highest stored seqno; for a switch, that
    /// `flush` (the active master) reaches (a relay off the master's line stays ranked, and
    /// the switch refuses it).
    fn target(
        &self,
        ctx: &Ctx<'_, '_>,
        active: ServiceId,
        target: Option<ServiceId>,
        flush: Option<HostId>,
    ) -> Result<(Reach, HostId), Refusal> {
        let candidate = |site: ServiceId| -> Result<(Reach, HostId), Refusal> {
            let reach = Reach::of(ctx, site, self.at)?;
            let relay = ctx.topology.datasources_of(site).find(|&d| {
                reach.view.entry(d).role == DataSourceRole::Relay
                    && reach.view.entry(d).state == DsState::Online
            });
            let Some(relay) = relay else {
                return Err(Refusal::NoRelay {
                    service: site,
                    held: ctx
                        .topology
                        .datasources_of(site)
                        .find(|&d| reach.view.entry(d).role == DataSourceRole::Relay)
                        .map(|d| (d, reach.view.entry(d).state)),
                });
            };
            ctx.eligible(&reach.view, reach.rep, relay, None)
                .map_err(|why| Refusal::NotEligible { host: relay, why })?;
            Ok((reach, relay))
        };
        if let Some(site) = target {
            let site = self.member(site)?;
            if site == active {
                return Err(Refusal::NoSiteTarget {
                    site: Some(site),
                    composite: self.composite,
                    why: Cow::Borrowed("it is the active site already"),
                });
            }
            return candidate(site);
        }
        let mut first_refusal = None;
        let best = self
            .members
            .iter()
            .filter(|&&site| site != active)
            .filter_map(|&site| {
                candidate(site)
                    .and_then(|(reach, relay)| match flush {
                        Some(master) if ctx.in_history(relay, master) => {
                            cctrl::fed(ctx, relay, master).map(|()| (reach, relay))
                        }
                        _ => Ok((reach, relay)),
                    })
                    .map_err(|r| {
                        first_refusal.get_or_insert(r);
                    })
                    .ok()
            })
            .max_by_key(|&(_, relay)| {
                (
                    ctx.host(relay).data.pos.map(|p| p.seqno),
                    std::cmp::Reverse(relay),
                )
            });
        best.ok_or(first_refusal.unwrap_or(Refusal::NoSiteTarget {
            site: None,
            composite: self.composite,
            why: Cow::Borrowed("it has no passive site"),
        }))
    }
}

/// `set policy` at the composite sets every site's policy that the manager reaches
/// (*manager-failover-internals-switch-failover-steps-composite-clusters*: the composite in
/// MAINTENANCE puts every site in MAINTENANCE; the Dashboard's service operations set a
/// policy at a composite or a site). **Modelling decision**: a site no manager reaches keeps
/// its policy, as its managers do not hear the command; the step says so
/// ([`Finding::PolicyKept`]: an operator review found the others changed with nothing said).
fn set_policy(ctx: &mut Ctx<'_, '_>, sites: &Sites<'_>, policy: PolicyMode) -> Result<(), Refusal> {
    let mut changed = false;
    let mut first_refusal = None;
    for &site in sites.members {
        match Reach::of(ctx, site, sites.at) {
            Ok(mut reach) if reach.view.policy != policy => {
                reach.view.policy = policy;
                ctx.set_view(reach.group, &reach.view);
                changed = true;
            }
            Ok(_) => {}
            Err(refusal) => {
                first_refusal.get_or_insert(refusal);
            }
        }
    }
    if changed {
        ctx.emit(Effect::Policy {
            service: sites.composite,
            to: policy,
        });
        for &site in sites.members {
            if Reach::of(ctx, site, sites.at).is_ok() {
                continue;
            }
            // The policy its managers' views hold (the service's managers share one).
            let held = ctx
                .topology
                .hosts_of(site)
                .find(|&m| ctx.topology.host(m).has_manager())
                .map(|m| ctx.state.view(m).policy);
            if let Some(held) = held.filter(|&held| held != policy) {
                ctx.find(Finding::PolicyKept { site, policy: held });
            }
        }
        return Ok(());
    }
    Err(first_refusal.unwrap_or(Refusal::NoChange {
        host: None,
        already: Cow::Borrowed("every site's policy is that already"),
    }))
}

/// `switch [to <site>]`: the active site's ONLINE master flushes, the target site's relay
/// receives every event it holds and becomes the master, and the old master becomes the
/// relay of its site, reading the new master. Each site's replicas keep reading the
/// datasource they read (the old master, now the relay; the old relay, now the master), as
/// *operations-composite* repoints them. Refused where a site-level switch would be: no
/// ONLINE master, a target relay not eligible or off the master's line of history, no
/// quorum at either site.
fn switch(
    ctx: &mut Ctx<'_, '_>,
    sites: &Sites<'_>,
    target: Option<ServiceId>,
) -> Result<(), Refusal> {
    let (active, master) = sites.holding_master(ctx)?;
    let mut old = Reach::of(ctx, active, sites.at)?;
    let Some(master) = master else {
        return Err(ctx.no_master(&old.view, active, old.group, sites.at));
    };
    if !ctx.healthy(old.rep, master) {
        return Err(Refusal::Unreachable { host: master });
    }
    cctrl::can_flush(ctx, master)?;
    let (mut new, relay) = sites.target(ctx, active, target, Some(master))?;
    if !ctx.in_history(relay, master) {
        return Err(Refusal::NotEligible {
            host: relay,
            why: Ineligible::Diverged,
        });
    }
    cctrl::fed(ctx, relay, master)?;
    ctx.require_quorum(active, old.group, sites.at)?;
    ctx.require_quorum(new.site, new.group, sites.at)?;
    let policy = new.view.policy;
    cctrl::maintenance_step(ctx, sites.composite, policy, Step::Enter);
    ctx.emit(Effect::Selected { host: relay });
    ctx.emit(Effect::Flush { host: master });
    cctrl::catch_up(ctx, relay, master);
    let _ = ctx.replicator_offline(master);
    promote_relay(ctx, &mut new, relay);
    // The old master becomes its site's relay, reading the new master.
    old.label(ctx);
    ctx.set_role(&mut old.view, master, DataSourceRole::Relay);
    demote_other_masters(ctx, &mut old, master);
    ctx.repoint(master, ReplicatorRole::Relay, Some(relay));
    let _ = ctx.replicator_online(master);
    ctx.set_view(old.group, &old.view);
    ctx.set_view(new.group, &new.view);
    repoint_relays(ctx, sites, new.site, relay);
    record(
        ctx,
        active,
        master,
        DsEntry::new(DataSourceRole::Relay, DsState::Online),
    );
    record(
        ctx,
        new.site,
        relay,
        DsEntry::new(DataSourceRole::Master, DsState::Online),
    );
    ctx.emit(Effect::SiteRole {
        site: active,
        master: false,
    });
    ctx.emit(Effect::SiteRole {
        site: new.site,
        master: true,
    });
    cctrl::maintenance_step(ctx, sites.composite, policy, Step::Revert);
    ctx.emit(Effect::Switched { host: relay });
    Ok(())
}

/// Every relay of the sites other than `active` that the session reaches reads `master`, the
/// new active master: a composite switch or failover reconfigures the passive sides to the
/// new primary (*manager-failover-internals-switch-failover-steps-composite-clusters*), not
/// only the relays that read the old one (an independent review found a third site's relay
/// left reading a replica of the site that went passive, its site receiving nothing, and the
/// plan VALID). A relay shunned by an operator is repointed too, as a site's promotion
/// repoints its shunned replicas (shunning leaves the replicator running). One holding
/// events off `master`'s line stops in OFFLINE:ERROR, as its handshake fails
/// ([`Ctx::repoint`]): left reading the superseded master, it was reported nowhere (a third
/// review).
fn repoint_relays(ctx: &mut Ctx<'_, '_>, sites: &Sites<'_>, active: ServiceId, master: HostId) {
    for &site in sites.members {
        let Some(reach) = (site != active)
            .then(|| Reach::of(ctx, site, sites.at).ok())
            .flatten()
        else {
            continue;
        };
        for d in ctx.topology.datasource_set(site) {
            let r = ctx.host(d).replicator;
            if reach.view.entry(d).role == DataSourceRole::Relay
                && r.role == ReplicatorRole::Relay
                && r.master != Some(master)
                && ctx.state.reachable(sites.at, d)
            {
                ctx.repoint(d, ReplicatorRole::Relay, Some(master));
            }
        }
    }
}

/// Give `host`'s entry `entry` in the views of `site`'s managers that are down or stopped:
/// the composite's record, which they take when they come back (the module's modelling
/// decisions). Left stale, such a manager starting alone took the old roles back: the
/// explorer found, five inputs deep, east's manager on db2 stopped during a composite switch
/// and started after db1's stopped, failing db1 over to db2 beside west's new master.
fn record(ctx: &mut Ctx<'_, '_>, site: ServiceId, host: HostId, entry: DsEntry) {
    for m in ctx.topology.service_host_set(site) {
        if !ctx.topology.host(m).has_manager() || ctx.state.manager_running(m) {
            continue;
        }
        let mut view = *ctx.state.view(m);
        if let Some(slot) = view.entry_mut(host)
            && *slot != entry
        {
            *slot = entry;
            ctx.set_view(HostSet::of([m]), &view);
        }
    }
}

/// The target site's relay becomes its master: role master, ONLINE, its replicator an
/// online master. Its site's replicas read it already.
fn promote_relay(ctx: &mut Ctx<'_, '_>, new: &mut Reach, relay: HostId) {
    new.label(ctx);
    ctx.set_role(&mut new.view, relay, DataSourceRole::Master);
    ctx.set_state(&mut new.view, relay, DsState::Online);
    ctx.repoint(relay, ReplicatorRole::Master, None);
    if ctx.host(relay).replicator.running {
        let _ = ctx.replicator_online(relay);
    }
    ctx.emit(Effect::NewMaster { host: relay });
}

/// `failover [to <site>]`: the active site is lost (no ONLINE master reachable: refused
/// otherwise, `switch` being the command for a site in service); the target site's relay
/// becomes the master with what it holds, and the events the lost site holds beyond it are
/// reported lost. The lost site's master is `SHUNNED(SUPERSEDED)` in the views of its
/// managers that the session reaches, and of those that are down or stopped (they read the
/// composite's record when they come back); its replicator goes offline where reached.
fn failover(
    ctx: &mut Ctx<'_, '_>,
    sites: &Sites<'_>,
    target: Option<ServiceId>,
) -> Result<(), Refusal> {
    let (active, online) = sites.holding_master(ctx)?;
    // The active master in service, taken OFFLINE or shunned by an operator, where the
    // session reaches it healthy:
    // `switch` is the command (the site-level failover's rule, *cctrl-failover*). One the
    // view holds ONLINE on a host that is down (MAINTENANCE detects nothing) is lost.
    if let Ok(old) = Reach::of(ctx, active, sites.at) {
        let held = online.or_else(|| {
            ctx.topology.datasources_of(active).find(|&d| {
                let entry = old.view.entry(d);
                entry.role == DataSourceRole::Master
                    && (entry.state == DsState::Offline || entry.state.shunned_by_operator())
            })
        });
        if let Some(master) = held.filter(|&m| ctx.healthy(old.rep, m)) {
            return Err(Refusal::MasterOnline {
                service: active,
                master,
                state: old.view.entry(master).state,
            });
        }
    }
    let (mut new, relay) = sites.target(ctx, active, target, None)?;
    ctx.require_quorum(new.site, new.group, sites.at)?;
    // Nothing across the sites tells a lost site from one cut off (no quorum spans them):
    // the failover assumes the datasources it cannot reach are down, as a forced command
    // does, and the report weighs that assumption.
    let unreachable: HostSet = ctx
        .topology
        .datasources_of(active)
        .filter(|&d| !ctx.state.reachable(sites.at, d))
        .collect();
    if !unreachable.is_empty() {
        ctx.find(Finding::Forced {
            service: active,
            unreachable,
        });
    }
    let policy = new.view.policy;
    cctrl::maintenance_step(ctx, sites.composite, policy, Step::Enter);
    ctx.emit(Effect::Selected { host: relay });
    let old = supersede(ctx, active, sites.at);
    promote_relay(ctx, &mut new, relay);
    ctx.set_view(new.group, &new.view);
    repoint_relays(ctx, sites, new.site, relay);
    ctx.leave_behind(new.site, relay);
    ctx.leave_behind(active, relay);
    ctx.emit(Effect::SiteRole {
        site: new.site,
        master: true,
    });
    cctrl::maintenance_step(ctx, sites.composite, policy, Step::Revert);
    ctx.emit(Effect::FailedOver {
        from: old,
        to: relay,
    });
    Ok(())
}

/// Mark the lost site's master `SHUNNED(SUPERSEDED)` where its managers hear of it (the
/// session reaches them, or they are down or stopped), and take its replicator offline where
/// the session reaches it. The master it marks, if any.
///
/// One master for the whole site, though the views that hear may disagree (a manager stopped
/// before a failover inside the site holds the old master): the one the reached managers hold,
/// else the one no view holds failed over to another (an independent review found both a
/// site's old and new masters marked, and the order its hosts came back in then choosing
/// which became the relay).
fn supersede(ctx: &mut Ctx<'_, '_>, site: ServiceId, at: HostId) -> Option<HostId> {
    let reached = ctx.group(site, at);
    let hearing: HostSet = ctx
        .topology
        .service_host_set(site)
        .iter()
        .filter(|&m| {
            ctx.topology.host(m).has_manager()
                && (reached.contains(m) || !ctx.state.manager_running(m))
        })
        .collect();
    let held = |ctx: &Ctx<'_, '_>, m: HostId| {
        let view = ctx.state.view(m);
        ctx.online_master(view, site, None)
            .or_else(|| ctx.current_master(view, site, |_| true))
    };
    let replaced = |ctx: &Ctx<'_, '_>, master: HostId| {
        hearing.iter().any(|m| {
            matches!(
                ctx.state.view(m).entry(master).state,
                DsState::Shunned(ShunCause::FailedOverTo(_))
            )
        })
    };
    let master = reached
        .first()
        .and_then(|m| held(ctx, m))
        .or_else(|| {
            hearing
                .iter()
                .filter_map(|m| held(ctx, m))
                .find(|&d| !replaced(ctx, d))
        })
        .or_else(|| hearing.iter().find_map(|m| held(ctx, m)))?;
    let superseded = DsState::Shunned(ShunCause::Superseded);
    ctx.label_view(site, reached);
    let mut said = false;
    for m in hearing {
        let mut view = *ctx.state.view(m);
        if view.entry(master).role != DataSourceRole::Master {
            continue;
        }
        // Said once, though each manager's copy of the view takes it.
        if said {
            if let Some(entry) = view.entry_mut(master) {
                entry.state = superseded;
            }
        } else {
            ctx.set_state(&mut view, master, superseded);
            said = true;
        }
        ctx.set_view(HostSet::of([m]), &view);
    }
    let r = ctx.host(master).replicator;
    if ctx.state.reachable(at, master) && r.is_online() && r.role == ReplicatorRole::Master {
        let _ = ctx.replicator_offline(master);
    }
    said.then_some(master)
}

/// `recover`: each site that holds a master beside the active site (superseded by a
/// failover) comes back as a passive site: its old master, reachable and holding no event
/// the active master lacks, becomes the site's relay reading the active master, and the
/// site's other SHUNNED or FAILED datasources are recovered as its replicas. Refused with
/// nothing to recover, or for the first site that cannot be recovered. With `only`, that
/// site alone (`datasource <site> recover`).
fn recover(
    ctx: &mut Ctx<'_, '_>,
    sites: &Sites<'_>,
    only: Option<ServiceId>,
) -> Result<(), Refusal> {
    let Some((active, Some(master))) = sites.active(ctx) else {
        let Some(site) = sites
            .active(ctx)
            .map(|(s, _)| s)
            .or(sites.members.first().copied())
        else {
            return Err(Refusal::NotComposite {
                service: sites.composite,
            });
        };
        let reach = Reach::of(ctx, site, sites.at)?;
        return Err(ctx.no_master(&reach.view, site, reach.group, sites.at));
    };
    let mut recovered = false;
    for &site in sites.members {
        if site == active || only.is_some_and(|only| only != site) {
            continue;
        }
        let Ok(mut reach) = Reach::of(ctx, site, sites.at) else {
            if ctx
                .state
                .site_holds(ctx.topology, site, DataSourceRole::Master)
            {
                return Err(Refusal::SiteUnreachable { site });
            }
            continue;
        };
        let Some(old) = recoverable(ctx, sites, &reach, master)? else {
            continue;
        };
        bring_back_passive(ctx, sites, &mut reach, (old, master));
        recovered = true;
    }
    if recovered {
        Ok(())
    } else {
        Err(Refusal::NoChange {
            host: None,
            already: Cow::Borrowed("no site is superseded: only the active site holds a master"),
        })
    }
}

/// The old master of the site `reach`, if a composite failover superseded the site, once it
/// can be brought back as the relay of `master`, the active site's ONLINE master; `None` if
/// the site is not superseded; refused where it cannot be brought back yet (the old master
/// out of reach, its replicator stopped, holding events `master` lacks, or the site without
/// quorum).
fn recoverable(
    ctx: &mut Ctx<'_, '_>,
    sites: &Sites<'_>,
    reach: &Reach,
    master: HostId,
) -> Result<Option<HostId>, Refusal> {
    if !reach.superseded(ctx) {
        return Ok(None);
    }
    let Some(old) = superseded_master(ctx, reach) else {
        return Ok(None);
    };
    let site = reach.site;
    if !(ctx.state.reachable(reach.rep, old) && ctx.host(old).manager) {
        return Err(Refusal::Unreachable { host: old });
    }
    // Said apart from the host being out of reach (an operator's review found a stopped
    // dataserver refused as "cannot be reached", which sent them to the network).
    if !ctx.host(old).dataserver {
        return Err(Refusal::DataServerStopped { host: old });
    }
    if !ctx.host(old).replicator.running {
        return Err(Refusal::ReplicatorStopped {
            host: old,
            install: super::input::Install::Cluster,
        });
    }
    if !ctx.in_history(old, master) {
        return Err(Refusal::Orphaned { host: old, master });
    }
    ctx.require_quorum(site, reach.group, sites.at)?;
    Ok(Some(old))
}

/// The datasource to be the relay of the site `reach`, which a composite failover
/// superseded: its datasource in reach holding every event the others hold, the one the
/// view holds master-role or any of the site's managers' views marks `SHUNNED(SUPERSEDED)`
/// first among equals; where none holds them all, the master marked in the view, else the view's master.
/// A site that failed over inside itself before it was lost holds several old masters, and
/// its managers' views, started one by one, may mark the oldest: an independent review found
/// it made the relay, the replicas then told to be reprovisioned, when the last master held
/// every event (its mark lost as its view merged into the others').
fn superseded_master(ctx: &Ctx<'_, '_>, reach: &Reach) -> Option<HostId> {
    let site = reach.site;
    let marked = DsEntry::new(
        DataSourceRole::Master,
        DsState::Shunned(ShunCause::Superseded),
    );
    let was_master = |d: HostId| {
        reach.view.entry(d).role == DataSourceRole::Master
            || ctx
                .topology
                .hosts_of(site)
                .any(|m| ctx.state.view(m).entry(d) == marked)
    };
    let all = ctx.topology.datasource_set(site);
    let holds_all = |c: HostId| all.iter().all(|o| ctx.in_history(o, c));
    all.iter()
        .filter(|&d| was_master(d))
        .chain(all.iter().filter(|&d| !was_master(d)))
        .find(|&c| ctx.healthy(reach.rep, c) && holds_all(c))
        .or_else(|| {
            ctx.topology
                .datasources_of(site)
                .find(|&d| reach.view.entry(d) == marked)
        })
        .or_else(|| ctx.current_master(&reach.view, site, |_| true))
}

/// The managers' own recovery of `site`, superseded by a composite failover, once its
/// services are back (Continuent docs *operations-composite-recovery*, 7.0: when the lost
/// site returns and all its Tungsten services have restarted, the cluster tries to recover
/// it automatically as a passive site with every node online, if the clusters are in the
/// AUTOMATIC policy; where it cannot, the site stays `SHUNNED(SUPERSEDED)` for the
/// operator's `recover`). `group` is the site's managers that reach each other, in a
/// primary partition, AUTOMATIC; it runs as `recover` at the composite would, typed on the
/// group's first member, for a site `recover` takes as superseded: holding a master and no
/// ONLINE relay while another site it reaches holds an ONLINE master. Its master need not be
/// marked `SUPERSEDED`: a site back behind a partition between the sites, its managers
/// restarting one by one, holds it `SHUNNED(FAILSAFE)` (an independent review found such a
/// site left for the operator once the sites reached each other again).
///
/// **Modelling decisions**, where the docs say no more:
/// - "all Tungsten services restarted": every host of the site is up, its manager runs in
///   `group`, and its replicator runs;
/// - "the clusters" in AUTOMATIC: the site's managers and the active site's managers they
///   reach;
/// - "if at all possible": where `recover` at the composite would be accepted (the site's
///   old master reachable with its replicator running, holding no event the active master
///   lacks). A site whose old master holds such events stays superseded until it is
///   reprovisioned, as the docs' manual route says.
/// - The docs' 7.1 and earlier pages give only the manual `recover`; the later page's
///   automatic recovery is modelled.
pub(super) fn recover_superseded(ctx: &mut Ctx<'_, '_>, site: ServiceId, group: HostSet) {
    let Some((composite, members)) = ctx.topology.composite_of(site) else {
        return;
    };
    let Some(at) = group.first() else { return };
    let back = ctx.topology.hosts_of(site).all(|h| {
        let host = ctx.host(h);
        host.up
            && (!ctx.topology.host(h).has_manager() || group.contains(h))
            && (!ctx.topology.host(h).is_datasource() || host.replicator.running)
    });
    if !back {
        return;
    }
    // The site's own view first, the cheap test: it runs for every site in every round of
    // the reactions, and an active site (its master ONLINE) or a passive one (its relay
    // ONLINE) ends here.
    // `group` is the site's group `at` is in: the one `Reach::of` would find again.
    let mut reach = Reach {
        site,
        group,
        rep: at,
        view: *ctx.state.view(at),
    };
    if ctx.online_master(&reach.view, site, None).is_some() || !reach.superseded(ctx) {
        return;
    }
    let sites = Sites {
        composite,
        members,
        at,
    };
    let Some((active, Some(master))) = sites.active(ctx) else {
        return;
    };
    let active_automatic =
        Reach::of(ctx, active, at).is_ok_and(|r| r.view.policy == PolicyMode::Automatic);
    if active == site || !active_automatic || reach.view.policy != PolicyMode::Automatic {
        return;
    }
    if let Ok(Some(old)) = recoverable(ctx, &sites, &reach, master) {
        bring_back_passive(ctx, &sites, &mut reach, (old, master));
    }
}

/// Every master-role datasource of the site `reach` but `kept`, the one becoming its relay,
/// made a slave in the view (an old master failed over inside the site before it went
/// passive): a passive site holds no master, and those recover as replicas of the relay.
/// An independent review found one left `master:SHUNNED(..)` beside the relay after a
/// `recover`, the site then neither passive nor superseded, open to a second master; the
/// explorer found the same after a composite `switch`, five inputs deep: east's master
/// failed, east failing over to db2, a switch to west, a partition between the sites and
/// `datasource db1 welcome` at db1 put db1 back as east's master beside west's.
fn demote_other_masters(ctx: &mut Ctx<'_, '_>, reach: &mut Reach, kept: HostId) {
    reach.label(ctx);
    for d in ctx.topology.datasource_set(reach.site) {
        if d != kept && reach.view.entry(d).role == DataSourceRole::Master {
            ctx.set_role(&mut reach.view, d, DataSourceRole::Slave);
        }
    }
}

/// Bring the superseded site `reach` back as a passive one: `old`, its old master, the relay
/// of `master`, the active site's ONLINE master; its other datasources replicas of `old`.
fn bring_back_passive(
    ctx: &mut Ctx<'_, '_>,
    sites: &Sites<'_>,
    reach: &mut Reach,
    (old, master): (HostId, HostId),
) {
    let site = reach.site;
    let policy = reach.view.policy;
    cctrl::maintenance_step(ctx, sites.composite, policy, Step::Enter);
    let _ = ctx.replicator_offline(old);
    demote_other_masters(ctx, reach, old);
    ctx.promote_relay(&mut reach.view, site, reach.rep, (old, master), None);
    // The site is passive from here: its replicas' recovery reads that from the state.
    ctx.set_view(reach.group, &reach.view);
    let session = reach.session();
    let _ = cctrl::recover_each(ctx, &session, &mut reach.view, sites.at);
    // The replicas the failover left with their replicators offline (their master
    // superseded) read the relay again: the docs' recovery recovers the site's other
    // datasources too ("RECOVERED 2 DATA SOURCES").
    for d in ctx.topology.datasource_set(site) {
        let r = ctx.host(d).replicator;
        if d != old
            && r.running
            && r.state == crate::model::ReplicatorState::OfflineNormal
            && r.role == ReplicatorRole::Slave
            && ctx.healthy(reach.rep, d)
        {
            let _ = ctx.replicator_online(d);
        }
    }
    // And the replicas left OFFLINE with their replicators reading the relay come back ONLINE,
    // as after a site's failover (an independent review found them OFFLINE after the docs'
    // provision-then-`recover` flow, the site in MAINTENANCE meanwhile).
    cctrl::bring_offline_online(ctx, &session, &mut reach.view);
    ctx.set_view(reach.group, &reach.view);
    record(
        ctx,
        site,
        old,
        DsEntry::new(DataSourceRole::Relay, DsState::Online),
    );
    ctx.emit(Effect::SiteRole {
        site,
        master: false,
    });
    cctrl::maintenance_step(ctx, sites.composite, policy, Step::Revert);
}

/// `datasource <site> <action>` at the composite. `fail` marks a lost site ([`fail`]);
/// `recover` of a site a failover superseded brings it back as a passive one ([`recover`],
/// for that site alone). `offline`, `shun`, `online`, `welcome` and the `recover` of a site
/// not superseded act on the datasource serving the site's composite role, its master at
/// the active site or its relay at a passive one, as the same command typed at the site
/// would, by the site's rules (Continuent docs
/// *manager-failover-internals-switch-failover-steps-composite-clusters*: taking the
/// composite master offline takes the site's physical master offline, shunning it shuns the
/// physical master where reached, and the passive side's relay goes offline with its
/// site). Any other action is refused there (`composite-session`).
///
/// **Modelling decisions**: `online`, `welcome` and `recover` are read the same way (the
/// docs name them for a site, *Dashboard* service operations, without saying more; a
/// composite row's state is its master's or relay's); and a site none of whose managers
/// the session reaches is refused (`reachable`): the model keeps no composite-level state
/// to mark. Where the docs show the two apart (*operations-composite-recovery* prints the
/// recovered site's composite datasource OFFLINE beside its relay), the model has one state,
/// so under AUTOMATIC a site taken OFFLINE here is put back as its relay or master would be.
fn site_datasource(
    ctx: &mut Ctx<'_, '_>,
    sites: &Sites<'_>,
    site: ServiceId,
    action: DatasourceAction,
) -> Result<Option<Subject>, Refusal> {
    let site = sites.member(site)?;
    match action {
        DatasourceAction::Fail => return fail(ctx, sites, site).map(|()| None),
        DatasourceAction::Offline
        | DatasourceAction::Shun
        | DatasourceAction::Online
        | DatasourceAction::Welcome
        | DatasourceAction::Recover => {}
        _ => {
            return Err(Refusal::AtComposite {
                composite: sites.composite,
            });
        }
    }
    let mut reach = Reach::of(ctx, site, sites.at)?;
    if action == DatasourceAction::Recover
        && reach.superseded(ctx)
        && sites.active(ctx).is_some_and(|(active, _)| active != site)
    {
        return recover(ctx, sites, Some(site)).map(|()| None);
    }
    let host = reach.serving(ctx).ok_or(Refusal::NoSiteTarget {
        site: Some(site),
        composite: sites.composite,
        why: Cow::Borrowed("its managers hold neither a master nor a relay"),
    })?;
    let session = reach.session();
    reach.label(ctx);
    let subject = cctrl::datasource(ctx, &session, &mut reach.view, sites.at, host, action)?;
    ctx.set_view(reach.group, &reach.view);
    Ok(subject)
}

/// `cluster heartbeat` (or `cluster flush`) at the composite: a heartbeat on the active
/// site's master, which its relays carry to the passive sites. The Dashboard's operational
/// scope lists it as a composite operation (Continuent docs *operations-composite*; a review
/// found it read as not modelled there, so a plan using it could not be VALID).
fn heartbeat(ctx: &mut Ctx<'_, '_>, sites: &Sites<'_>) -> Result<(), Refusal> {
    let (site, _) = sites.active(ctx).ok_or(Refusal::NoSiteTarget {
        site: None,
        composite: sites.composite,
        why: Cow::Borrowed("no site holds the Active role, so no master writes the heartbeat"),
    })?;
    let reach = Reach::of(ctx, site, sites.at)?;
    cctrl::heartbeat(ctx, &reach.session(), &reach.view, sites.at)
}

/// `datasource <site> fail`: accepted for a site that is not in service, refused for one
/// that is (its master, or its relay at a passive site, ONLINE in the views the session
/// reaches). It changes nothing the model tracks (the module's modelling decisions).
fn fail(ctx: &mut Ctx<'_, '_>, sites: &Sites<'_>, site: ServiceId) -> Result<(), Refusal> {
    let site = sites.member(site)?;
    if let Ok(reach) = Reach::of(ctx, site, sites.at) {
        let serving = ctx.topology.datasources_of(site).find(|&d| {
            let entry = reach.view.entry(d);
            entry.state == DsState::Online
                && matches!(entry.role, DataSourceRole::Master | DataSourceRole::Relay)
                && ctx.healthy(reach.rep, d)
        });
        if let Some(host) = serving {
            return Err(Refusal::SiteInService { site, host });
        }
    }
    ctx.emit(Effect::SiteFailed { site });
    Ok(())
}
