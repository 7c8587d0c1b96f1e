//! Strategies for names, states and whole `ls` listings.

use std::str::FromStr;

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use strum::VariantArray;

use crate::ls::{
    Coordinator, DEFAULT_WIDTH, DataSourceBlock, DataSources, Layout, Listing, MemberBlock,
    Progress, ReplicatorRow, RouterRow, SiteCoordinator, StatusLine,
};
use crate::model::{
    AlertStatus, CompositeRole, Connections, ConnectorState, DataServerState, DataSourceRole,
    DataSourceState, HostName, Latency, ManagerState, Meridiem, PolicyMode, ReasonText,
    ReplicatorRole, ReplicatorState, ServiceName, ShunReason, StatusTime,
};

fn variant<T: VariantArray + Clone + std::fmt::Debug>() -> impl Strategy<Value = T> {
    select(T::VARIANTS)
}

/// Host names such as `db1` or `db-7.example`.
pub fn host_name() -> impl Strategy<Value = HostName> {
    "[a-z][a-z0-9]{0,5}(-[a-z0-9]{1,3})?(\\.[a-z]{2,6})?"
        .prop_filter_map("valid host name", |s| HostName::new(s).ok())
}

/// Service names such as `alpha` or `east_2`.
pub fn service_name() -> impl Strategy<Value = ServiceName> {
    "[a-z][a-z0-9_]{0,7}".prop_filter_map("valid service name", |s| ServiceName::new(s).ok())
}

/// Free-text reasons: upper-case words, quotes, `@`, digits, optionally one parenthesised
/// part, as Tungsten's reasons look.
pub fn reason_text() -> impl Strategy<Value = ReasonText> {
    "[A-Z][A-Z0-9_'@.-]{0,10}( [A-Za-z0-9_'@.-]{1,8}){0,3}( \\([A-Z ]{1,6}\\))?"
        .prop_filter_map("valid reason", |s| ReasonText::new(s.trim()).ok())
}

fn shun_reason() -> impl Strategy<Value = ShunReason> {
    prop_oneof![
        Just(ShunReason::ManuallyShunned),
        Just(ShunReason::FailsafeShun),
        host_name().prop_map(ShunReason::FailedOverTo),
        Just(ShunReason::Superseded),
        Just(ShunReason::SubserviceSwitchFailed),
        Just(ShunReason::DrainConnections),
        // Only texts that do not spell a known reason stay `Other` once printed.
        reason_text().prop_filter_map("unknown reason", |t| {
            match ShunReason::from_str(t.as_str()) {
                Ok(ShunReason::Other(t)) => Some(ShunReason::Other(t)),
                _ => None,
            }
        }),
    ]
}

/// Datasource states with every kind of reason.
pub fn datasource_state() -> impl Strategy<Value = DataSourceState> {
    prop_oneof![
        Just(DataSourceState::Online),
        Just(DataSourceState::Offline),
        option::of(shun_reason()).prop_map(DataSourceState::Shunned),
        option::of(reason_text()).prop_map(DataSourceState::Failed),
    ]
}

fn status_time() -> impl Strategy<Value = StatusTime> {
    (
        2000_u16..2100,
        1_u8..=12,
        1_u8..=28,
        1_u8..=12,
        0_u8..60,
        0_u8..60,
        variant::<Meridiem>(),
        prop_oneof![Just("UTC".to_owned()), "[A-Z]{3}", "GMT[+-]0[0-9]:00"],
    )
        .prop_filter_map("valid time", |(y, mo, d, h, mi, s, m, z)| {
            StatusTime::new(y, mo, d, h, mi, s, m, z).ok()
        })
}

fn status_line() -> impl Strategy<Value = StatusLine> {
    (variant::<AlertStatus>(), option::of(status_time()))
        .prop_map(|(alert, time)| StatusLine { alert, time })
}

fn connections() -> impl Strategy<Value = Connections> {
    (0_u64..100_000, 0_u64..1_000).prop_map(|(created, active)| Connections { created, active })
}

fn coordinator() -> impl Strategy<Value = Coordinator> {
    (
        host_name(),
        variant::<PolicyMode>(),
        variant::<ManagerState>(),
    )
        .prop_map(|(host, policy, state)| Coordinator {
            host,
            policy,
            state,
        })
}

fn router() -> impl Strategy<Value = RouterRow> {
    (
        host_name(),
        option::of(1_u32..4_000_000),
        variant::<ConnectorState>(),
        connections(),
    )
        .prop_map(|(host, pid, state, connections)| RouterRow {
            host,
            pid,
            state,
            connections,
        })
}

fn progress() -> impl Strategy<Value = Progress> {
    (
        option::of(super::text::seqno()),
        option::of((0_u64..10_000_000).prop_map(Latency)),
    )
        .prop_map(|(seqno, latency)| Progress { seqno, latency })
}

fn replicator_row() -> impl Strategy<Value = ReplicatorRow> {
    (
        option::of(variant::<ReplicatorRole>()),
        option::of(host_name()),
        variant::<ReplicatorState>(),
    )
        .prop_map(|(role, master, state)| ReplicatorRow {
            role,
            master,
            state,
        })
}

fn datasource_block() -> impl Strategy<Value = DataSourceBlock> {
    (
        (host_name(), variant::<DataSourceRole>(), datasource_state()),
        option::of(progress()),
        status_line(),
        option::of(reason_text()),
        (
            option::of(variant::<ManagerState>()),
            option::of(replicator_row()),
            option::of(variant::<DataServerState>()),
            option::of(connections()),
        ),
    )
        .prop_map(
            |(
                (host, role, state),
                progress,
                status,
                reason,
                (manager, replicator, dataserver, connections),
            )| {
                DataSourceBlock {
                    host,
                    role,
                    state,
                    progress,
                    status,
                    reason,
                    manager,
                    replicator,
                    dataserver,
                    connections,
                }
            },
        )
}

fn member_block() -> impl Strategy<Value = MemberBlock> {
    (
        service_name(),
        variant::<CompositeRole>(),
        datasource_state(),
        status_line(),
        option::of(reason_text()),
    )
        .prop_map(|(service, role, state, status, reason)| MemberBlock {
            service,
            role,
            state,
            status,
            reason,
        })
}

/// Whole listings, physical or composite, laid out at any width from 20 to 120 columns.
/// Their rendering parses back to the same value.
pub fn listing() -> impl Strategy<Value = Listing> {
    let physical = vec(datasource_block(), 0..4).prop_map(DataSources::Physical);
    let composite = (
        vec(member_block(), 1..4),
        option::of("[A-Z][a-z]{1,8}( [A-Za-z-]{1,9}){0,5}"),
    )
        .prop_map(|(members, summary)| DataSources::Composite { members, summary });
    (
        20_usize..=120,
        coordinator(),
        option::of(vec(router(), 0..4)),
        prop_oneof![physical, composite],
        vec((service_name(), coordinator()), 0..3),
    )
        .prop_map(|(width, coordinator, routers, datasources, sites)| {
            let composite = matches!(datasources, DataSources::Composite { .. });
            let boxed = routers.is_some()
                || !matches!(&datasources, DataSources::Physical(blocks) if blocks.is_empty());
            Listing {
                // Without a border in the text there is no width to read back.
                layout: Layout {
                    width: if boxed { width } else { DEFAULT_WIDTH },
                },
                coordinator,
                site_coordinators: if composite {
                    sites
                        .into_iter()
                        .map(|(service, coordinator)| SiteCoordinator {
                            service,
                            coordinator,
                        })
                        .collect()
                } else {
                    Vec::new()
                },
                routers,
                datasources,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::draws::draws;

    /// Listings are drawn with seqnos past 32 bits, and boxed at widths other than the
    /// default with and without a router section: what a parser that reads a seqno into a
    /// narrower integer, or that reads the width only beside routers, would get wrong.
    #[test]
    fn listings_draw_wide_seqnos_and_every_layout() {
        let (mut wide_seqno, mut routers_at, mut blocks_only_at) = (false, false, false);
        for listing in draws(&listing(), 500) {
            if let DataSources::Physical(blocks) = &listing.datasources {
                wide_seqno |= blocks.iter().any(|b| {
                    b.progress
                        .and_then(|p| p.seqno)
                        .is_some_and(|s| s.get() > u64::from(u32::MAX))
                });
                let width = listing.layout.width != DEFAULT_WIDTH;
                routers_at |= width && listing.routers.is_some();
                blocks_only_at |= width && listing.routers.is_none() && !blocks.is_empty();
            }
        }
        assert!(wide_seqno && routers_at && blocks_only_at);
    }
}
