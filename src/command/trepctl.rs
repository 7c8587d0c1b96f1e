//! trepctl commands: grammar and rules.
//!
//! Rules (open-source code `OpenReplicatorManager`, `OpenReplicatorManagerCtrl`; Continuent
//! docs *trepctl-offline*, *trepctl-flush*):
//! - `online` from OFFLINE:NORMAL or OFFLINE:ERROR; a master-role replicator is refused while
//!   another one extracts in its service (**modelling decision**: single extractor);
//! - `offline` from ONLINE (OFFLINE:ERROR becomes OFFLINE:NORMAL); under AUTOMATIC or MANUAL
//!   the manager puts a cluster replicator back online unless its datasource is shunned;
//! - `setrole` only in OFFLINE:NORMAL;
//! - `reset` needs `-service` and an offline state; `-all` clears THL, relay logs and the
//!   catalog, so the service restarts from its source's current position;
//! - `flush` only on an online master; `heartbeat` only online (a heartbeat is an event:
//!   the master's seqno advances);
//! - `status` and `services` change nothing.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::words::Words;
use crate::model::{HostName, ReplicatorRole, ServiceName};
use crate::text::ParseError;

/// What `trepctl reset` clears.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResetScope {
    /// `-all`: THL, relay logs and the catalog (the default when no scope is given).
    All,
    /// `-thl`: the THL only.
    Thl,
    /// `-relay`: the relay logs only.
    Relay,
    /// `-db`: the catalog only.
    Db,
}

/// A THL URI, `thl://db1:2112/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ThlUri {
    /// The host served from.
    pub host: HostName,
    /// The port, when given.
    pub port: Option<u16>,
}

impl fmt::Display for ThlUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(port) => write!(f, "thl://{}:{port}/", self.host),
            None => write!(f, "thl://{}/", self.host),
        }
    }
}

/// A trepctl sub-command and its options.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TrepctlAction {
    /// `online [-force]`.
    Online {
        /// `-force`.
        force: bool,
    },
    /// `offline [-immediate]`.
    Offline {
        /// `-immediate`.
        immediate: bool,
    },
    /// `reset [-y] [-all|-thl|-relay|-db]`.
    Reset {
        /// `-y`: do not ask.
        confirmed: bool,
        /// What to clear; `None` clears everything, as `-all` does.
        scope: Option<ResetScope>,
    },
    /// `setrole -role <role> [-uri <uri>]`.
    SetRole {
        /// The new role.
        role: ReplicatorRole,
        /// The master to connect to.
        uri: Option<ThlUri>,
    },
    /// `status`.
    Status,
    /// `flush`.
    Flush,
    /// `heartbeat`.
    Heartbeat,
    /// `services`.
    Services,
}

/// A trepctl command line (without the executable): `[-host h] [-service s] <action>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TrepctlCommand {
    /// `-host`: the host whose replicator is addressed (the local one when absent).
    pub host: Option<HostName>,
    /// `-service`: the replication service.
    pub service: Option<ServiceName>,
    /// What to do.
    pub action: TrepctlAction,
}

impl TrepctlCommand {
    /// Read trepctl's arguments from the words left in `w`.
    pub(crate) fn parse_words(w: &mut Words<'_>) -> Result<Self, ParseError> {
        let mut host = None;
        let mut service = None;
        loop {
            if w.eat("-host") {
                host = Some(w.host("the host after `-host`")?);
            } else if w.eat("-service") {
                service = Some(w.service("the service after `-service`")?);
            } else {
                break;
            }
        }
        let action = match w.one_of(
            &[
                "online",
                "offline",
                "reset",
                "setrole",
                "status",
                "flush",
                "heartbeat",
                "services",
            ],
            "a trepctl command",
        )? {
            "online" => TrepctlAction::Online {
                force: w.eat("-force"),
            },
            "offline" => TrepctlAction::Offline {
                immediate: w.eat("-immediate"),
            },
            "reset" => {
                let mut confirmed = false;
                let mut scope = None;
                while !w.is_empty() {
                    match w.one_of(&["-y", "-all", "-thl", "-relay", "-db"], "a reset option")? {
                        "-y" => confirmed = true,
                        "-all" => scope = Some(ResetScope::All),
                        "-thl" => scope = Some(ResetScope::Thl),
                        "-relay" => scope = Some(ResetScope::Relay),
                        _ => scope = Some(ResetScope::Db),
                    }
                }
                TrepctlAction::Reset { confirmed, scope }
            }
            "setrole" => {
                w.one_of(&["-role"], "")?;
                let word = w.next().unwrap_or_default();
                let role = word.parse().map_err(|_| {
                    w.error_previous(
                        "a role (master, slave, relay, thl-server, thl-client or thl-applier)",
                    )
                })?;
                let uri = if w.eat("-uri") {
                    Some(thl_uri(w)?)
                } else {
                    None
                };
                TrepctlAction::SetRole { role, uri }
            }
            "status" => TrepctlAction::Status,
            "flush" => TrepctlAction::Flush,
            "heartbeat" => TrepctlAction::Heartbeat,
            _ => TrepctlAction::Services,
        };
        w.end()?;
        Ok(Self {
            host,
            service,
            action,
        })
    }

    /// Read trepctl's arguments from `line` (line `line_number` of its input).
    ///
    /// # Errors
    /// A [`ParseError`] at the first word that does not fit.
    pub fn parse_line(line: &str, line_number: usize) -> Result<Self, ParseError> {
        Self::parse_words(&mut Words::new(line, line_number))
    }

    /// Whether the command can change the state (not `status` or `services`).
    #[must_use]
    pub fn changes_state(&self) -> bool {
        !matches!(self.action, TrepctlAction::Status | TrepctlAction::Services)
    }
}

fn thl_uri(w: &mut Words<'_>) -> Result<ThlUri, ParseError> {
    const URI: &str = "a THL URI such as `thl://db1:2112/`";
    let word = w.next().unwrap_or_default();
    let Some(rest) = word.strip_prefix("thl://") else {
        return Err(w.error_previous(URI));
    };
    let rest = rest.trim_end_matches('/');
    let (host, port) = match rest.split_once(':') {
        Some((h, p)) => (
            h,
            Some(p.parse::<u16>().map_err(|_| w.error_previous(URI))?),
        ),
        None => (rest, None),
    };
    let host = HostName::new(host).map_err(|_| w.error_previous(URI))?;
    Ok(ThlUri { host, port })
}

impl FromStr for TrepctlCommand {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_line(s, 1)
    }
}

impl fmt::Display for TrepctlCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(host) = &self.host {
            write!(f, "-host {host} ")?;
        }
        if let Some(service) = &self.service {
            write!(f, "-service {service} ")?;
        }
        match &self.action {
            TrepctlAction::Online { force } => {
                f.write_str("online")?;
                if *force {
                    f.write_str(" -force")?;
                }
            }
            TrepctlAction::Offline { immediate } => {
                f.write_str("offline")?;
                if *immediate {
                    f.write_str(" -immediate")?;
                }
            }
            TrepctlAction::Reset { confirmed, scope } => {
                f.write_str("reset")?;
                match scope {
                    Some(ResetScope::All) => f.write_str(" -all")?,
                    Some(ResetScope::Thl) => f.write_str(" -thl")?,
                    Some(ResetScope::Relay) => f.write_str(" -relay")?,
                    Some(ResetScope::Db) => f.write_str(" -db")?,
                    None => {}
                }
                if *confirmed {
                    f.write_str(" -y")?;
                }
            }
            TrepctlAction::SetRole { role, uri } => {
                write!(f, "setrole -role {role}")?;
                if let Some(uri) = uri {
                    write!(f, " -uri {uri}")?;
                }
            }
            TrepctlAction::Status => f.write_str("status")?,
            TrepctlAction::Flush => f.write_str("flush")?,
            TrepctlAction::Heartbeat => f.write_str("heartbeat")?,
            TrepctlAction::Services => f.write_str("services")?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for line in [
            "online",
            "online -force",
            "offline",
            "offline -immediate",
            "-service east offline",
            "-service east reset -all -y",
            "-service east reset -y -thl",
            "-service east reset",
            "-host db2 -service alpha setrole -role slave -uri thl://db1:2112/",
            "setrole -role master",
            "status",
            "flush",
            "heartbeat",
            "services",
        ] {
            let c: TrepctlCommand = line.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(
                c.to_string().parse::<TrepctlCommand>().unwrap(),
                c,
                "{line}"
            );
        }
    }

    #[test]
    fn refusals() {
        insta::assert_snapshot!("-service east rest -all".parse::<TrepctlCommand>().unwrap_err(), @"line 1, column 15: expected a trepctl command (online, offline, reset, setrole, status, flush, heartbeat or services), found `rest`");
        insta::assert_snapshot!("setrole -role boss".parse::<TrepctlCommand>().unwrap_err(), @"line 1, column 15: expected a role (master, slave, relay, thl-server, thl-client or thl-applier), found `boss`");
        insta::assert_snapshot!("setrole -role slave -uri db1".parse::<TrepctlCommand>().unwrap_err(), @"line 1, column 26: expected a THL URI such as `thl://db1:2112/`, found `db1`");
    }
}
