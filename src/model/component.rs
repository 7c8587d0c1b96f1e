//! States of the processes around a datasource: manager, dataserver and connector.

use serde::{Deserialize, Serialize};

macro_rules! upper_enum {
    ($(#[$doc:meta])* $name:ident ($what:literal) { $($(#[$vdoc:meta])* $variant:ident),+ $(,)? }) => {
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
        #[strum(parse_err_ty = crate::text::UnknownName, parse_err_fn = crate::text::UnknownName::of::<Self>)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl crate::text::Named for $name {
            const WHAT: &'static str = $what;
        }
    };
}

upper_enum!(
    /// The manager's state on a `MANAGER(state=..)` row, and the coordinator's on the
    /// `COORDINATOR[host:POLICY:STATE]` line. Source: Continuent docs *operations-status*.
    ManagerState ("a manager state") {
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
    DataServerState ("a dataserver state") {
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
    ConnectorState ("a connector state") {
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
