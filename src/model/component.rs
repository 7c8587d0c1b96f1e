//! States of the processes around a datasource: manager, dataserver and connector.

use serde::{Deserialize, Serialize};

macro_rules! upper_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$doc])*
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
        #[serde(rename_all = "UPPERCASE")]
        #[strum(serialize_all = "UPPERCASE", ascii_case_insensitive)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }
    };
}

upper_enum!(
    /// The manager's state on a `MANAGER(state=..)` row, and the coordinator's on the
    /// `COORDINATOR[host:POLICY:STATE]` line. Source: Continuent docs *operations-status*.
    ManagerState {
        /// Running and part of the group.
        Online,
        /// Running but not serving.
        Offline,
        /// Not running, or not reachable from the manager printing the listing.
        Stopped,
        /// Not known.
        Unknown,
    }
);

upper_enum!(
    /// The dataserver's (`MySQL`'s) state on a `DATASERVER(state=..)` row.
    /// Source: Continuent docs *operations-status*.
    DataServerState {
        /// Running and answering.
        Online,
        /// Reachable but not serving.
        Offline,
        /// Not running.
        Stopped,
        /// Not known (its host cannot be reached).
        Unknown,
    }
);

upper_enum!(
    /// A connector's (router's) state on a `ROUTERS:` row.
    /// Source: Continuent docs *operations-status*, `router` command pages.
    ConnectorState {
        /// Routing connections.
        Online,
        /// Taken offline by `router .. offline`: routes nothing.
        Offline,
        /// Not running.
        Stopped,
        /// Not known.
        Unknown,
    }
);

/// Connection counters printed as `created=<n>, active=<n>` on `CONNECTIONS(..)` rows and
/// router rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Connections {
    /// Connections created since the counter started.
    pub created: u64,
    /// Connections open now.
    pub active: u64,
}
