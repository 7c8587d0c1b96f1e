//! Projecting a compact state to the [`Listing`] a given manager would print.
//!
//! What the state does not hold (connector pids, STATUS timestamps, connection counters,
//! latencies) is taken from an optional earlier listing of the same service, the *world*;
//! without one, pids and timestamps are left out and counters print as zero.

use super::{
    Coordinator, DataSourceBlock, DataSources, Listing, MemberBlock, Progress, ReplicatorRow,
    RouterRow, StatusLine,
};
use crate::model::{
    AlertStatus, CompositeRole, ConnectorState, DataServerState, DataSourceRole, DataSourceState,
    DsState, FailCause, HostId, Latency, ManagerState, Quorum, ReasonText, ReplicatorRole,
    ReplicatorState, Seqno, ServiceId, ShunCause, ShunReason, State, Topology,
};

/// The failure text of a cause the model knows, for `host` in `service`.
fn failure_text(topology: &Topology, host: HostId, cause: FailCause) -> Option<ReasonText> {
    let at = || {
        let service = topology.service_name(topology.host(host).service);
        format!("'{}@{service}'", topology.host_name(host))
    };
    let text = match cause {
        FailCause::DataServerStopped => format!("DATASERVER {} STOPPED", at()),
        FailCause::Unreachable => format!("HOST {} UNREACHABLE", at()),
        FailCause::Replicator => format!("REPLICATOR {} FAILED", at()),
        FailCause::Operator => "FAILED BY OPERATOR".to_owned(),
        FailCause::Other(id) => return topology.reason(id).cloned(),
        FailCause::Unstated => return None,
    };
    ReasonText::new(text).ok()
}

/// The cause behind a failure text the model writes itself (see [`FailCause`]), if `text` is
/// one of them for a host of `service`.
pub(crate) fn known_failure(
    topology: &Topology,
    service: ServiceId,
    text: &str,
) -> Option<FailCause> {
    if text == "FAILED BY OPERATOR" {
        return Some(FailCause::Operator);
    }
    let (kind, rest) = text.split_once(" '")?;
    let (at, tail) = rest.split_once("' ")?;
    let (host, svc) = at.split_once('@')?;
    if svc != topology.service_name(service).as_str() {
        return None;
    }
    topology
        .host_id(host)
        .filter(|&h| topology.host(h).service == service)?;
    match (kind, tail) {
        ("DATASERVER", "STOPPED") => Some(FailCause::DataServerStopped),
        ("HOST", "UNREACHABLE") => Some(FailCause::Unreachable),
        ("REPLICATOR", "FAILED") => Some(FailCause::Replicator),
        _ => None,
    }
}

/// The text form of a compact datasource state.
#[must_use]
pub fn state_text(topology: &Topology, host: HostId, state: DsState) -> DataSourceState {
    match state {
        DsState::Online => DataSourceState::Online,
        DsState::Offline => DataSourceState::Offline,
        DsState::Shunned(cause) => DataSourceState::Shunned(match cause {
            ShunCause::Manual => Some(ShunReason::ManuallyShunned),
            ShunCause::Failsafe => Some(ShunReason::FailsafeShun),
            ShunCause::FailedOverTo(to) => {
                Some(ShunReason::FailedOverTo(topology.host_name(to).clone()))
            }
            ShunCause::Superseded => Some(ShunReason::Superseded),
            ShunCause::SubserviceSwitchFailed => Some(ShunReason::SubserviceSwitchFailed),
            ShunCause::DrainConnections => Some(ShunReason::DrainConnections),
            ShunCause::Other(id) => topology.reason(id).cloned().map(ShunReason::Other),
            ShunCause::Unstated => None,
        }),
        DsState::Failed(cause) => DataSourceState::Failed(failure_text(topology, host, cause)),
    }
}

/// The manager whose view `ls` shows for `service` when the operator does not say which: the
/// coordinator of a group in a primary partition if there is one, else of the first group with
/// a running manager. `None` when no manager of the service runs.
#[must_use]
pub fn default_viewer(topology: &Topology, state: &State, service: ServiceId) -> Option<HostId> {
    let managers: Vec<HostId> = topology
        .hosts_of(service)
        .filter(|&h| topology.host(h).has_manager() && state.manager_running(h))
        .collect();
    let primary = managers
        .iter()
        .copied()
        .find(|&m| state.view(m).quorum == Quorum::Primary);
    let viewer = primary.or_else(|| managers.first().copied())?;
    Some(
        state
            .view(viewer)
            .coordinator
            .filter(|&c| state.manager_running(c) && state.reachable(c, viewer))
            .unwrap_or(viewer),
    )
}

/// The listing `viewer`'s manager prints for its service, with world data (pids, timestamps,
/// counters, latencies) from `world` when given. What `world` leaves out stays out: with no
/// ROUTERS section there, none is printed, and a datasource block that printed no progress
/// prints none while its replicator is not online (an independent review found an empty
/// ROUTERS box and `progress=-1` added to a documented listing projected back).
#[must_use]
pub fn project(
    topology: &Topology,
    state: &State,
    viewer: HostId,
    world: Option<&Listing>,
) -> Listing {
    let service = topology.host(viewer).service;
    let view = state.view(viewer);
    let coordinator_host = view.coordinator.unwrap_or(viewer);
    // A site of an active/passive composite lists the composite's connectors, every site's:
    // they route for the composite (Continuent docs *operations-composite-switch* print six
    // at `use east; ls` over two sites of three; an audit against the docs found only the
    // site's own).
    let hosts = topology.composite_of(service).map_or_else(
        || topology.service_host_set(service),
        |(_, members)| members.iter().flat_map(|&m| topology.hosts_of(m)).collect(),
    );
    let routers = hosts
        .iter()
        .filter(|&h| {
            let host = state.host(h);
            topology.host(h).connector && host.connector.running && state.reachable(viewer, h)
        })
        .map(|h| {
            let old = world
                .and_then(|w| w.routers.as_ref())
                .and_then(|rows| rows.iter().find(|r| &r.host == topology.host_name(h)));
            RouterRow {
                host: topology.host_name(h).clone(),
                pid: old.and_then(|r| r.pid),
                state: if state.host(h).connector.online {
                    ConnectorState::Online
                } else {
                    ConnectorState::Offline
                },
                connections: old.map(|r| r.connections).unwrap_or_default(),
            }
        })
        .collect();
    let blocks = topology
        .datasources_of(service)
        .map(|h| datasource_block(topology, state, viewer, h, world))
        .collect();
    Listing {
        layout: world.map(|w| w.layout).unwrap_or_default(),
        coordinator: Coordinator {
            host: topology.host_name(coordinator_host).clone(),
            policy: view.policy,
            state: ManagerState::Online,
        },
        site_coordinators: Vec::new(),
        routers: world.is_none_or(|w| w.routers.is_some()).then_some(routers),
        datasources: DataSources::Physical(blocks),
    }
}

/// The listing `viewer`'s manager prints at the active/passive composite `composite` (`use
/// global`, then `ls`): the viewer's coordinator line, then one block per site, in the 7.1
/// layout (no routers, no site coordinator lines; Continuent docs
/// *operations-composite-switch*, *operations-composite-recovery*). A site is `composite
/// master` while its managers hold a master, with that master's state (the ONLINE one first),
/// else `composite slave` with its relay's state. A site none of whose managers runs where
/// `viewer` reaches it prints `SHUNNED(FAILSAFE_SHUN)` (the docs' listing of a lost active
/// site, *operations-composite-failover*). **Modelling decision**: the model keeps no
/// composite-level state ([`crate::machine`]'s composite commands), so each row is read from
/// the site's own views; a site holding neither prints OFFLINE.
///
/// With `world`, an earlier listing of the composite, its layout (border width) is kept; a
/// site whose role and state are unchanged keeps its STATUS line and REASON (as
/// [`project`]'s blocks do); its closing line (`Composite Active Dataservice (Primary) -
/// east`) is kept while no site changed (an audit against the docs found the docs' 76
/// columns, times and closing line all lost).
#[must_use]
pub fn project_composite(
    topology: &Topology,
    state: &State,
    viewer: HostId,
    composite: ServiceId,
    world: Option<&Listing>,
) -> Listing {
    let old_members = match world.map(|w| &w.datasources) {
        Some(DataSources::Composite { members, summary }) => Some((members.as_slice(), summary)),
        _ => None,
    };
    let own = state.view(viewer);
    let members = match &topology.service(composite).kind {
        crate::model::ServiceKind::Composite { members } => members.as_slice(),
        crate::model::ServiceKind::Physical => &[],
    };
    let blocks = members
        .iter()
        .map(|&site| {
            let (role, host, ds) = site_row(topology, state, viewer, site);
            let text = host.map_or(
                match ds {
                    DsState::Shunned(_) => DataSourceState::Shunned(Some(ShunReason::FailsafeShun)),
                    _ => DataSourceState::Offline,
                },
                |h| state_text(topology, h, ds),
            );
            let service = topology.service_name(site).clone();
            let unchanged = old_members.and_then(|(members, _)| {
                members
                    .iter()
                    .find(|b| b.service == service && b.role == role && b.state == text)
            });
            let (status, reason) = match unchanged {
                Some(b) => (b.status.clone(), b.reason.clone()),
                None => derived_status(&text, ds, &Health::Member(role)),
            };
            MemberBlock {
                service,
                role,
                state: text,
                status,
                reason,
            }
        })
        .collect::<Vec<_>>();
    let summary = old_members.and_then(|(members, summary)| {
        let same = members.len() == blocks.len()
            && members
                .iter()
                .zip(&blocks)
                .all(|(a, b)| (&a.service, a.role, &a.state) == (&b.service, b.role, &b.state));
        summary.clone().filter(|_| same)
    });
    Listing {
        layout: world.map(|w| w.layout).unwrap_or_default(),
        coordinator: Coordinator {
            host: topology
                .host_name(own.coordinator.unwrap_or(viewer))
                .clone(),
            policy: own.policy,
            state: ManagerState::Online,
        },
        site_coordinators: Vec::new(),
        routers: None,
        datasources: DataSources::Composite {
            members: blocks,
            summary,
        },
    }
}

/// A site's row in the composite listing `viewer` prints: its composite role, the datasource
/// whose state it shows, and that state (see [`project_composite`]).
fn site_row(
    topology: &Topology,
    state: &State,
    viewer: HostId,
    site: ServiceId,
) -> (CompositeRole, Option<HostId>, DsState) {
    let reached = topology.hosts_of(site).find(|&m| {
        topology.host(m).has_manager() && state.manager_running(m) && state.reachable(viewer, m)
    });
    // A lost site reads `SHUNNED(FAILSAFE_SHUN)`, or `SHUNNED(SUPERSEDED)` once a
    // composite failover superseded it: the record its managers, down or stopped,
    // take when they come back.
    let superseded = topology.hosts_of(site).find_map(|m| {
        let view = state.view(m);
        (topology.host(m).has_manager() && !state.manager_running(m))
            .then(|| {
                topology.datasources_of(site).find(|&d| {
                    view.entry(d).role == DataSourceRole::Master
                        && view.entry(d).state == DsState::Shunned(ShunCause::Superseded)
                })
            })
            .flatten()
    });
    match reached {
        None => match superseded {
            Some(d) => (
                CompositeRole::Master,
                Some(d),
                DsState::Shunned(ShunCause::Superseded),
            ),
            // Its role as its managers last held it (an operator review found an
            // unreachable passive site listed as a second composite master).
            None => (
                if state.site_holds(topology, site, DataSourceRole::Master) {
                    CompositeRole::Master
                } else {
                    CompositeRole::Slave
                },
                None,
                DsState::Shunned(ShunCause::Failsafe),
            ),
        },
        Some(m) => {
            let view = state.view(m);
            let holding = |role: DataSourceRole| {
                let mut held = topology
                    .datasources_of(site)
                    .filter(|&d| view.entry(d).role == role);
                let first = held.next();
                topology
                    .datasources_of(site)
                    .find(|&d| view.entry(d).role == role && view.entry(d).state == DsState::Online)
                    .or(first)
            };
            match (
                holding(DataSourceRole::Master),
                holding(DataSourceRole::Relay),
            ) {
                (Some(d), _) => (CompositeRole::Master, Some(d), view.entry(d).state),
                (None, Some(d)) => (CompositeRole::Slave, Some(d), view.entry(d).state),
                (None, None) => (CompositeRole::Slave, None, DsState::Offline),
            }
        }
    }
}

/// What a STATUS line is derived from besides the state.
enum Health<'a> {
    /// A datasource, and what is wrong with its services.
    Datasource {
        /// Its replicator process is stopped.
        replicator_stopped: bool,
        /// Its replicator is running in OFFLINE:ERROR.
        replicator_error: bool,
        /// Its dataserver is stopped: `<ds>@<service>`, as the reason names it.
        dataserver_stopped: Option<&'a str>,
    },
    /// A composite's member (a site), in that composite role.
    Member(CompositeRole),
}

/// The STATUS line and REASON a manager sets for a datasource whose state just changed:
/// ONLINE prints OK (DIMINISHED with `REASON[REPLICATOR STOPPED]` when its replicator is
/// stopped), OFFLINE prints WARN (for a composite's member, CRITICAL for the active site and
/// DIMINISHED for a passive one), SHUNNED prints SHUNNED and FAILED prints CRITICAL with its
/// reason. Source: Continuent docs *operations-status-datasource* (its 7.0 and 8.0 table for
/// the members; a review found members printed WARN). An ONLINE datasource whose
/// dataserver is stopped (under MAINTENANCE nothing fails it) prints CRITICAL with the reason
/// a failed one gives, `DATASERVER '<ds>@<service>' STOPPED` (**modelling decision**: the page
/// prints no such block; CRITICAL is its word for a datasource failing, and an operator review
/// found `STATUS [OK]` beside `DATASERVER(state=STOPPED)`). One whose replicator is running in
/// OFFLINE:ERROR prints DIMINISHED, the page's word for a problem with one of its services,
/// with `REASON[REPLICATOR STOPPED WITH ERROR]` (**modelling decision**: the page gives no
/// reason text for it; a review found `STATUS [OK]` beside `state=OFFLINE:ERROR`).
fn derived_status(
    text: &DataSourceState,
    state: DsState,
    health: &Health<'_>,
) -> (StatusLine, Option<ReasonText>) {
    let (replicator_stopped, replicator_error, dataserver_stopped) = match *health {
        Health::Datasource {
            replicator_stopped,
            replicator_error,
            dataserver_stopped,
        } => (replicator_stopped, replicator_error, dataserver_stopped),
        Health::Member(_) => (false, false, None),
    };
    let (alert, reason) = match state {
        DsState::Online if dataserver_stopped.is_some() => (
            AlertStatus::Critical,
            dataserver_stopped
                .and_then(|at| ReasonText::new(format!("DATASERVER '{at}' STOPPED")).ok()),
        ),
        DsState::Online if replicator_stopped => (
            AlertStatus::Diminished,
            ReasonText::new("REPLICATOR STOPPED").ok(),
        ),
        DsState::Online if replicator_error => (
            AlertStatus::Diminished,
            ReasonText::new("REPLICATOR STOPPED WITH ERROR").ok(),
        ),
        DsState::Online => (AlertStatus::Ok, None),
        DsState::Offline => match *health {
            Health::Member(CompositeRole::Master) => (AlertStatus::Critical, None),
            Health::Member(_) => (AlertStatus::Diminished, None),
            Health::Datasource { .. } => (AlertStatus::Warn, None),
        },
        DsState::Shunned(_) => (AlertStatus::Shunned, None),
        DsState::Failed(_) => (
            AlertStatus::Critical,
            match text {
                DataSourceState::Failed(reason) => reason.clone(),
                _ => None,
            },
        ),
    };
    (StatusLine { alert, time: None }, reason)
}

fn datasource_block(
    topology: &Topology,
    state: &State,
    viewer: HostId,
    h: HostId,
    world: Option<&Listing>,
) -> DataSourceBlock {
    let entry = state.view(viewer).entry(h);
    let host = state.host(h);
    let name = topology.host_name(h);
    let old = world.and_then(|w| w.datasource(name.as_str()));
    // The viewer learns about a host through that host's manager.
    let visible = state.reachable(viewer, h) && host.manager;
    let replicator = host.replicator;
    let unprinted = old.is_some_and(|b| b.progress.is_none());
    let progress = (visible && (replicator.is_online() || !unprinted)).then(|| {
        if replicator.is_online() {
            Progress {
                // A position past `Seqno::MAX` is in no valid state (`State::validate`);
                // shown as unknown rather than as a seqno no listing reads.
                seqno: host.data.pos.and_then(|p| Seqno::new(p.seqno)),
                latency: Some(
                    old.and_then(|b| b.progress)
                        .and_then(|p| p.latency)
                        .unwrap_or(Latency(0)),
                ),
            }
        } else {
            Progress {
                seqno: None,
                latency: None,
            }
        }
    });
    let text_state = state_text(topology, h, entry.state);
    // STATUS is refreshed on the manager's own schedule: while a datasource keeps its role and
    // state, the world's STATUS line (alert, time, REASON) stands; a change gives a fresh one.
    let unchanged = old.filter(|b| b.role == entry.role && b.state == text_state);
    let (status, reason) = match unchanged {
        Some(b) => (b.status.clone(), b.reason.clone()),
        None => {
            let stopped = (visible && !host.dataserver)
                .then(|| format!("{name}@{}", topology.service_name(topology.host(h).service)));
            derived_status(
                &text_state,
                entry.state,
                &Health::Datasource {
                    replicator_stopped: visible && !replicator.running,
                    replicator_error: visible
                        && replicator.running
                        && replicator.state == ReplicatorState::OfflineError,
                    dataserver_stopped: stopped.as_deref(),
                },
            )
        }
    };
    let replicator_row = if !visible {
        ReplicatorRow {
            role: None,
            master: None,
            state: ReplicatorState::StatusNotAvailable,
        }
    } else if !replicator.running {
        ReplicatorRow {
            role: None,
            master: None,
            state: ReplicatorState::Stopped,
        }
    } else {
        ReplicatorRow {
            role: Some(replicator.role),
            master: if replicator.role == ReplicatorRole::Master {
                None
            } else {
                replicator.master.map(|m| topology.host_name(m).clone())
            },
            state: match replicator.state {
                ReplicatorState::OfflineNormal => ReplicatorState::Offline,
                other => other,
            },
        }
    };
    DataSourceBlock {
        host: name.clone(),
        role: entry.role,
        state: text_state,
        progress,
        status,
        reason,
        manager: Some(if visible {
            ManagerState::Online
        } else {
            ManagerState::Stopped
        }),
        replicator: Some(replicator_row),
        dataserver: Some(match (visible, host.dataserver) {
            (false, _) => DataServerState::Unknown,
            (true, true) => DataServerState::Online,
            (true, false) => DataServerState::Stopped,
        }),
        connections: Some(old.and_then(|b| b.connections).unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn healthy_three_nodes_project_to_a_plain_listing() {
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let s = State::healthy(&t);
        let alpha = t.service_id("alpha").unwrap();
        let viewer = default_viewer(&t, &s, alpha).unwrap();
        insta::assert_snapshot!(project(&t, &s, viewer, None).to_string());
    }
}
