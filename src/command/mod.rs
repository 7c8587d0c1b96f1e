//! What operators type: cctrl commands, trepctl commands and host commands, as text ASTs with
//! located parse errors and a `Display` that reads back to the same value.
//!
//! These hold names; [`crate::machine`] resolves them against a topology into the compact
//! inputs the engine applies. The rule each command follows is documented on its variant.

mod cctrl;
mod host;
mod option_value;
mod output_tail;
mod replication_points;
pub(crate) mod shell_syntax;
mod sql_client;
pub(crate) use sql_client::{changes_nothing as sql_changes_nothing, looks_like_sql};
mod system;
mod trepctl;
pub(crate) mod words;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use cctrl::{
    CctrlCommand, CctrlInfo, DatasourceAction, RelaySource, ReplicatorAction, RouterTarget,
};
pub(crate) use host::is_shell_read_only;
pub use host::{CctrlMode, HostAction, HostCommand, Lifecycle, Provisioner, TpmAction};
pub use option_value::{OptionValue, OptionValueError};
pub use replication_points::{SeqnoSet, SeqnoSetError, StopPoint, StopTime, StopTimeError};
pub use system::Unit;
pub use trepctl::{
    OnlineOptions, OnlineProvision, ResetScope, Retry, ThlUri, TrepctlAction, TrepctlCommand,
    TrepctlInfo, WaitFor,
};

use crate::model::{HostName, ServiceName};

/// Which datasource of a site a selector means, resolved when the step runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SelectorRole {
    /// `{master}`: the site's master.
    Master,
    /// `{slave}`: a slave of the site (the first, in topology order).
    Slave,
    /// `{slaveN}`: the N-th slave of the site, from 1.
    SlaveN(u8),
}

/// A host named directly (`db2`) or through a selector on a site (`west{slave}`,
/// `east{master}`, `east{slave1}`), as the seeds and Continuent's docs write them. The role
/// reads in any case (`west{Replica}` in the 6.1 docs' *operations-msmm-resetsingle*) and
/// prints in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostRef {
    /// A host by name.
    Host(HostName),
    /// A role on a site.
    Selector {
        /// The site (physical service).
        site: ServiceName,
        /// Which datasource of it.
        role: SelectorRole,
    },
}

/// Why text is not a [`HostRef`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error(
    "`{0}` is not a host or a selector: expected `db2`, `west{{slave}}`, `east{{master}}` or `east{{slave1}}`"
)]
pub struct HostRefError(String);

impl FromStr for HostRef {
    type Err = HostRefError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || HostRefError(s.to_owned());
        match s.strip_suffix('}').and_then(|r| r.split_once('{')) {
            Some((site, role)) => {
                let site = ServiceName::new(site).map_err(|_| bad())?;
                // The docs write the role in either case (`west{slave}`, `west{Replica}`).
                let role = role.to_ascii_lowercase();
                let role = match role.as_str() {
                    "master" | "primary" => SelectorRole::Master,
                    "slave" | "replica" => SelectorRole::Slave,
                    _ => {
                        let n = role
                            .strip_prefix("slave")
                            .or_else(|| role.strip_prefix("replica"))
                            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
                            .and_then(|n| n.parse::<u8>().ok())
                            .filter(|&n| n > 0)
                            .ok_or_else(bad)?;
                        SelectorRole::SlaveN(n)
                    }
                };
                Ok(Self::Selector { site, role })
            }
            None => HostName::new(s).map(Self::Host).map_err(|_| bad()),
        }
    }
}

impl fmt::Display for HostRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Host(h) => write!(f, "{h}"),
            Self::Selector { site, role } => match role {
                SelectorRole::Master => write!(f, "{site}{{master}}"),
                SelectorRole::Slave => write!(f, "{site}{{slave}}"),
                SelectorRole::SlaveN(n) => write!(f, "{site}{{slave{n}}}"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_refs() {
        for text in [
            "db2",
            "west{slave}",
            "east{master}",
            "east{slave1}",
            "east{slave12}",
        ] {
            let r: HostRef = text.parse().unwrap();
            assert_eq!(r.to_string(), text);
        }
        assert_eq!(
            "east{replica2}".parse::<HostRef>().unwrap().to_string(),
            "east{slave2}"
        );
        for (text, printed) in [
            ("west{Replica}", "west{slave}"),
            ("east{Primary}", "east{master}"),
            ("east{SLAVE3}", "east{slave3}"),
        ] {
            assert_eq!(text.parse::<HostRef>().unwrap().to_string(), printed);
        }
        for bad in [
            "east{boss}",
            "east{slave0}",
            "east{slave+1}",
            "east{slave256}",
            "{slave}",
            "db 2",
        ] {
            assert!(bad.parse::<HostRef>().is_err(), "{bad}");
        }
    }
}
