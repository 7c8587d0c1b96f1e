//! The built-in procedures by name, as a chat-ops bot or a command line takes them:
//! `primary-maintenance alpha db2`, `recover-replica db3`. [`Procedure::write`] writes the
//! runbook for a starting state.
//!
//! ```
//! use tungsten_model::runbook::{self, Procedure, Verdict};
//!
//! let start = runbook::scenario("healthy-3").expect("a built-in scenario");
//! let asked: Procedure = "primary-maintenance alpha db2".parse()?;
//! let book = asked.write(&start)?;
//! let report = runbook::validate(&start, &book, runbook::Options::default());
//! assert_eq!(report.verdict, Verdict::Valid);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::procedures::{
    ProcedureError, failover_procedure, last_man_standing, primary_maintenance, recover_old_master,
    recover_replica, replica_maintenance, reset_site, switch_procedure,
};
use super::{Runbook, Start};
use crate::command::words::{Words, expect_list};
use crate::model::{HostName, ServiceName};
use crate::text::ParseError;

/// The names [`Procedure`] reads (in any case; `_` for `-` too) and prints.
pub const PROCEDURES: [&str; 8] = [
    "last-man-standing",
    "recover-replica",
    "recover-old-master",
    "replica-maintenance",
    "primary-maintenance",
    "switch",
    "failover",
    "reset-site",
];

/// A built-in procedure and what it is for (see the functions of [`crate::runbook`] of the
/// same names, which say what each writes and when it refuses).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "procedure", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Procedure {
    /// `last-man-standing <service>`: [`last_man_standing`].
    LastManStanding {
        /// The service that lost quorum.
        service: ServiceName,
    },
    /// `recover-replica <host>`: [`recover_replica`].
    RecoverReplica {
        /// The replica.
        host: HostName,
    },
    /// `recover-old-master <host>`: [`recover_old_master`].
    RecoverOldMaster {
        /// The master a failover replaced.
        host: HostName,
    },
    /// `replica-maintenance <host>`: [`replica_maintenance`].
    ReplicaMaintenance {
        /// The replica.
        host: HostName,
    },
    /// `primary-maintenance <service> [target]`: [`primary_maintenance`].
    PrimaryMaintenance {
        /// The service whose master is maintained.
        service: ServiceName,
        /// The replica to switch to; the best candidate when absent.
        target: Option<HostName>,
    },
    /// `switch <service> [target]`: [`switch_procedure`].
    Switch {
        /// The service.
        service: ServiceName,
        /// The new master; the best candidate when absent.
        target: Option<HostName>,
    },
    /// `failover <service> [target]`: [`failover_procedure`].
    Failover {
        /// The service.
        service: ServiceName,
        /// The new master; the best candidate when absent.
        target: Option<HostName>,
    },
    /// `reset-site <bad> <good>`: [`reset_site`].
    ResetSite {
        /// The site to reset.
        bad: ServiceName,
        /// The site it is reset from.
        good: ServiceName,
    },
}

impl Procedure {
    /// The runbook this procedure writes for `start`.
    ///
    /// # Errors
    /// [`ProcedureError`] when it cannot be written there, with the reason.
    pub fn write(&self, start: &Start) -> Result<Runbook, ProcedureError> {
        fn target(t: Option<&HostName>) -> Option<&str> {
            t.map(HostName::as_str)
        }
        match self {
            Self::LastManStanding { service } => last_man_standing(start, service.as_str()),
            Self::RecoverReplica { host } => recover_replica(start, host.as_str()),
            Self::RecoverOldMaster { host } => recover_old_master(start, host.as_str()),
            Self::ReplicaMaintenance { host } => replica_maintenance(start, host.as_str()),
            Self::PrimaryMaintenance { service, target: t } => {
                primary_maintenance(start, service.as_str(), target(t.as_ref()))
            }
            Self::Switch { service, target: t } => {
                switch_procedure(start, service.as_str(), target(t.as_ref()))
            }
            Self::Failover { service, target: t } => {
                failover_procedure(start, service.as_str(), target(t.as_ref()))
            }
            Self::ResetSite { bad, good } => reset_site(start, bad.as_str(), good.as_str()),
        }
    }
}

impl FromStr for Procedure {
    type Err = ParseError;

    /// One line: the procedure's name, then its arguments.
    fn from_str(line: &str) -> Result<Self, ParseError> {
        let mut w = Words::new(line, 1);
        let name = w
            .peek()
            .and_then(|word| {
                PROCEDURES
                    .iter()
                    .find(|p| word.replace('_', "-").eq_ignore_ascii_case(p))
            })
            .ok_or_else(|| w.error_next(expect_list("a procedure", &PROCEDURES)))?;
        w.next();
        let target = |w: &mut Words<'_>| -> Result<Option<HostName>, ParseError> {
            if w.is_empty() {
                Ok(None)
            } else {
                w.host("the replica to promote").map(Some)
            }
        };
        let procedure = match *name {
            "last-man-standing" => Self::LastManStanding {
                service: w.service("the service that lost quorum")?,
            },
            "recover-replica" => Self::RecoverReplica {
                host: w.host("the replica")?,
            },
            "recover-old-master" => Self::RecoverOldMaster {
                host: w.host("the old master")?,
            },
            "replica-maintenance" => Self::ReplicaMaintenance {
                host: w.host("the replica")?,
            },
            "primary-maintenance" => Self::PrimaryMaintenance {
                service: w.service("the service")?,
                target: target(&mut w)?,
            },
            "switch" => Self::Switch {
                service: w.service("the service")?,
                target: target(&mut w)?,
            },
            "failover" => Self::Failover {
                service: w.service("the service")?,
                target: target(&mut w)?,
            },
            _ => Self::ResetSite {
                bad: w.service("the site to reset")?,
                good: w.service("the site to reset it from")?,
            },
        };
        w.end()?;
        Ok(procedure)
    }
}

impl fmt::Display for Procedure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let with_target = |f: &mut fmt::Formatter<'_>, name, service, target: &Option<HostName>| {
            write!(f, "{name} {service}")?;
            match target {
                Some(t) => write!(f, " {t}"),
                None => Ok(()),
            }
        };
        match self {
            Self::LastManStanding { service } => write!(f, "last-man-standing {service}"),
            Self::RecoverReplica { host } => write!(f, "recover-replica {host}"),
            Self::RecoverOldMaster { host } => write!(f, "recover-old-master {host}"),
            Self::ReplicaMaintenance { host } => write!(f, "replica-maintenance {host}"),
            Self::PrimaryMaintenance { service, target } => {
                with_target(f, "primary-maintenance", service, target)
            }
            Self::Switch { service, target } => with_target(f, "switch", service, target),
            Self::Failover { service, target } => with_target(f, "failover", service, target),
            Self::ResetSite { bad, good } => write!(f, "reset-site {bad} {good}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_procedure_reads_and_prints_back() {
        for (line, printed) in [
            ("last-man-standing alpha", "last-man-standing alpha"),
            ("recover_replica db3", "recover-replica db3"),
            ("Recover-Old-Master db1", "recover-old-master db1"),
            ("replica-maintenance  db2", "replica-maintenance db2"),
            ("primary-maintenance alpha", "primary-maintenance alpha"),
            (
                "primary-maintenance alpha db2",
                "primary-maintenance alpha db2",
            ),
            ("switch alpha", "switch alpha"),
            ("switch alpha db3", "switch alpha db3"),
            ("failover alpha db2", "failover alpha db2"),
            ("reset-site east west", "reset-site east west"),
        ] {
            let procedure: Procedure = line.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(procedure.to_string(), printed, "{line}");
            assert_eq!(printed.parse::<Procedure>(), Ok(procedure), "{line}");
        }
    }

    #[test]
    fn bad_lines_say_what_was_expected() {
        let error = |line: &str| line.parse::<Procedure>().unwrap_err().to_string();
        insta::assert_snapshot!(error(""), @"line 1, column 1: expected a procedure (last-man-standing, recover-replica, recover-old-master, replica-maintenance, primary-maintenance, switch, failover or reset-site), found the end of the command");
        insta::assert_snapshot!(error("repair db1"), @"line 1, column 1: expected a procedure (last-man-standing, recover-replica, recover-old-master, replica-maintenance, primary-maintenance, switch, failover or reset-site), found `repair`");
        insta::assert_snapshot!(error("recover-replica"), @"line 1, column 16: expected the replica (a host name), found the end of the command");
        insta::assert_snapshot!(error("switch alpha db2 db3"), @"line 1, column 18: expected the end of the command, found `db3`");
        insta::assert_snapshot!(error("reset-site east"), @"line 1, column 16: expected the site to reset it from (a service name), found the end of the command");
        insta::assert_snapshot!(error("switch alpha d!b"), @"line 1, column 15: expected the replica to promote: letters, digits, `-`, `_` or `.`, starting with a letter or digit, found `!` in `d!b`");
    }
}
