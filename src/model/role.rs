//! Datasource roles, as the manager assigns them and `ls` prints them.

use serde::{Deserialize, Serialize};

/// The role of a datasource in a physical dataservice.
///
/// Source: Continuent docs, *operations-status-roles*; open-source code `DataSourceRole`.
/// Tungsten prints `master`/`slave`; since 6.1 the documents say Primary/Replica, so input
/// accepts `primary` and `replica` too (any case) while output keeps Tungsten's spelling.
///
/// | role | supplies replication | receives | reads routed | failover candidate |
/// |---|---|---|---|---|
/// | master | yes | no | yes, and writes | n/a |
/// | slave | no | yes | yes | yes |
/// | relay | yes | yes | yes | yes (passive composite site) |
/// | standby | no | yes | no | yes |
/// | archive | no | yes | yes | no |
/// | witness | manager only: votes, holds no data | | | |
///
/// ```
/// use tungsten_model::model::DataSourceRole;
/// assert_eq!("Primary".parse::<DataSourceRole>()?, DataSourceRole::Master);
/// assert_eq!(DataSourceRole::Slave.to_string(), "slave");
/// # Ok::<(), tungsten_model::UnknownName>(())
/// ```
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "lowercase")]
#[strum(ascii_case_insensitive)]
#[strum(parse_err_ty = crate::text::UnknownName, parse_err_fn = crate::text::UnknownName::of::<Self>)]
pub enum DataSourceRole {
    /// The one datasource that takes writes and supplies replication.
    #[strum(to_string = "master", serialize = "primary")]
    #[serde(alias = "primary")]
    Master,
    /// Applies replication from the master; takes reads.
    #[default]
    #[strum(to_string = "slave", serialize = "replica")]
    #[serde(alias = "replica")]
    Slave,
    /// Applies from another site's master and supplies its own site (passive composite site).
    #[strum(to_string = "relay")]
    Relay,
    /// Applies replication but takes no reads; a failover candidate.
    #[strum(to_string = "standby")]
    Standby,
    /// Applies replication, takes reads, never promoted.
    #[strum(to_string = "archive")]
    Archive,
    /// A host with a manager only: it votes for quorum and holds no data.
    #[strum(to_string = "witness")]
    Witness,
}

impl DataSourceRole {
    /// Whether the automatic failover may promote a datasource in this role (slave, relay,
    /// standby). Source: *operations-status-roles*, whose table gives standby failover.
    /// The candidate steps on *manager-failover-internals-manual-switch-versus-automatic-failover*
    /// can be read as skipping standby replicas (their wording is ambiguous); the table is
    /// followed until that is settled. Archive is never a candidate on either page.
    #[must_use]
    pub fn is_failover_candidate(self) -> bool {
        matches!(self, Self::Slave | Self::Relay | Self::Standby)
    }

    /// Whether this role holds data and runs a replicator (everything but witness).
    #[must_use]
    pub fn holds_data(self) -> bool {
        self != Self::Witness
    }
}

/// The role of a member service at composite level, printed `composite master` or
/// `composite slave` (e.g. `east(composite master:ONLINE)`).
///
/// Source: Continuent docs, composite dataservice `ls` output. Input accepts the
/// primary/replica spellings too.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[strum(ascii_case_insensitive)]
#[strum(parse_err_ty = crate::text::UnknownName, parse_err_fn = crate::text::UnknownName::of::<Self>)]
pub enum CompositeRole {
    /// The active site: it holds the composite's master.
    #[strum(to_string = "composite master", serialize = "composite primary")]
    #[serde(rename = "composite master", alias = "composite primary")]
    Master,
    /// A passive site: it replicates from the active one through its relay.
    #[strum(to_string = "composite slave", serialize = "composite replica")]
    #[serde(rename = "composite slave", alias = "composite replica")]
    Slave,
}

impl crate::text::Named for DataSourceRole {
    const WHAT: &'static str = "a datasource role";
}

impl crate::text::Named for CompositeRole {
    const WHAT: &'static str = "a composite role";
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn failover_candidates_are_the_roles_that_receive_and_may_serve() {
        use DataSourceRole as R;
        for role in [R::Slave, R::Relay, R::Standby] {
            assert!(role.is_failover_candidate(), "{role}");
        }
        for role in [R::Master, R::Archive, R::Witness] {
            assert!(!role.is_failover_candidate(), "{role}");
        }
    }

    #[test]
    fn spellings() {
        assert_eq!(
            DataSourceRole::from_str("REPLICA").unwrap(),
            DataSourceRole::Slave
        );
        assert_eq!(
            DataSourceRole::from_str("standby").unwrap(),
            DataSourceRole::Standby
        );
        assert!(DataSourceRole::from_str("mastr").is_err());
        assert_eq!(
            CompositeRole::from_str("composite primary").unwrap(),
            CompositeRole::Master
        );
        assert_eq!(CompositeRole::Slave.to_string(), "composite slave");
        assert_eq!(
            serde_json::to_string(&CompositeRole::Master).unwrap(),
            "\"composite master\""
        );
        assert_eq!(
            serde_json::from_str::<DataSourceRole>("\"primary\"").unwrap(),
            DataSourceRole::Master
        );
    }
}
