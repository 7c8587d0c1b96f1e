//! cctrl commands: their grammar and, on each variant, the rule the engine applies.
//!
//! Keywords are case-insensitive as cctrl takes them; `primary`/`replica` are accepted for
//! `master`/`slave`. `Display` prints the canonical lower-case form, which parses back to the
//! same command.
//!
//! Every state-changing command runs against the view of the manager it is typed into (the
//! coordinator by default). Unless a rule says otherwise:
//! - a command that could put a datasource into service (`welcome`, `online`, `recover`,
//!   `master`, `switch`, `failover`, replicator role changes) needs the manager's group to
//!   have quorum, or the session's `set force true` (**modelling decision**: Continuent's
//!   "last man standing" procedure forces exactly these steps; the model lets force through
//!   this lack of confirmation and, for `datasource <ds> master`, the MAINTENANCE policy it
//!   otherwise needs (DOMAIN.md), and records the assumption it rests on);
//! - a command that only takes something out of service (`shun`, `offline`, `fail`) or
//!   changes the role of a datasource that is not in service (`datasource <ds> slave`) needs
//!   no quorum;
//! - no command is accepted if, once the managers have reacted, it leaves an invariant broken
//!   among the hosts the manager can reach (**modelling decision**: force never buys an unsafe
//!   state in the view where it runs).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::words::Words;
use crate::model::{HostName, PolicyMode, ServiceName};
use crate::text::ParseError;

/// What `datasource <ds> ...` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DatasourceAction {
    /// `online`: OFFLINE → ONLINE. Needs the datasource OFFLINE, its host reachable with its
    /// dataserver running, and, for a master, no other master ONLINE in the view.
    /// Source: Continuent docs *operations-status-changingstates*; the other-master check is
    /// a modelling decision (the single-writable-master rule).
    Online,
    /// `offline`: ONLINE or FAILED → OFFLINE. The connector sends it nothing. Under AUTOMATIC
    /// the manager brings it back ONLINE at once, which the report warns about.
    /// Source: *operations-status-states*.
    Offline,
    /// `shun`: any state but SHUNNED → `SHUNNED(MANUALLY-SHUNNED)`, whatever the policy; the
    /// replicator keeps running. Prints `DataSource 'X' set to SHUNNED`.
    /// Source: *operations-status-changingstates*, *operations-maintenance-replica*.
    Shun,
    /// `welcome`: SHUNNED → OFFLINE, role kept (**modelling decision**, per DOMAIN).
    Welcome,
    /// `recover`: a SHUNNED or FAILED datasource back as a slave of the ONLINE master: its
    /// replicator is repointed and put online, the datasource goes OFFLINE (AUTOMATIC then
    /// brings it ONLINE). Refused if it holds events the master lacks (orphaned events), if no
    /// master is ONLINE, or if its host cannot be reached. Prints `DataSource 'X' is now
    /// OFFLINE`. Source: *operations-status-policy-interaction*,
    /// *manager-failover-behavior-recovery*.
    Recover,
    /// `fail`: ONLINE or OFFLINE → `FAILED`. A failed master triggers failover under
    /// AUTOMATIC; its replicator keeps extracting until a failover replaces it. Source:
    /// *cctrl-datasource*.
    Fail,
    /// `slave`: role → slave. Needs the datasource OFFLINE, FAILED or SHUNNED.
    /// Source: *cctrl-datasource*.
    Slave,
    /// `master`: role → master. Needs the datasource not ONLINE, no other master ONLINE in the
    /// view, and MAINTENANCE (or force). **Modelling decision** (DOMAIN.md).
    Master,
    /// `relay`: role → relay, at a composite's passive site, as Continuent's article on
    /// moving the relay role to another node does by hand. Needs the datasource not ONLINE,
    /// no other relay in service, and MAINTENANCE (or force): **modelling decision**, the
    /// rules of `master`.
    Relay,
    /// `restore`: reload a backup. Needs the datasource not ONLINE and its replicator not
    /// online. **Modelling decision**: backups are not tracked, so the datasource is read as
    /// holding a prefix of every history afterwards (no events), which is what makes restore
    /// the documented cure for orphaned events.
    Restore,
    /// `backup [agent] [storage agent] [timeout]`: take a backup. Needs the datasource
    /// reachable with its replicator running; changes nothing the model tracks (which agents
    /// make and keep it is read past). Sources: *operations-backup*, *cctrl-datasource*.
    Backup,
    /// `drain [timeout]`: an ONLINE datasource only. The connectors stop sending it new
    /// connections and sever the open ones after the timeout, and the datasource becomes
    /// SHUNNED (Continuent docs *cctrl-datasource*; the Continuent blog post *Tungsten
    /// Clustering: draining connections from a cluster node* shows it printing `DataSource 'X'
    /// set to SHUNNED`); its reason prints as `SHUNNED(DRAIN-CONNECTIONS)` (the Continuent blog
    /// post *Recently a Continuent customer asked, part 5: the state field*). `welcome` and
    /// `recover` bring it back, as after `shun`. **Modelling decision**: connections are not
    /// modelled, so the timeout changes nothing here.
    Drain(Option<u32>),
}

/// What `replicator <ds> ...` does. Replicator sub-commands act on the real replicator; under
/// AUTOMATIC or MANUAL the manager puts an offline or stopped replicator of a datasource that is
/// not shunned back online, which the report warns about. Source: *cctrl-replicator*.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReplicatorAction {
    /// `online`: OFFLINE:NORMAL or OFFLINE:ERROR → ONLINE. A master-role replicator is refused
    /// while another extracts in the service.
    Online,
    /// `offline`: ONLINE → OFFLINE:NORMAL.
    Offline,
    /// `master`: role → master. Needs OFFLINE:NORMAL (as `setrole`).
    Master,
    /// `slave [<master>]`: role → slave of `<master>`, or of the service's ONLINE master. Needs
    /// OFFLINE:NORMAL.
    Slave(Option<HostName>),
    /// `relay [<service>/<host>]`: role → relay (passive composite site). Needs
    /// OFFLINE:NORMAL.
    Relay(Option<RelaySource>),
    /// `start`: start a stopped replicator process; it goes ONLINE by itself where its role
    /// and source let it, as a plain `replicator start` on the host does.
    Start,
    /// `stop`: stop the process.
    Stop,
    /// `restart`: stop then start.
    Restart,
    /// `status`: prints the replicator's status; changes nothing. Source: Continuent docs
    /// *cctrl-replicator* (the sub-command table).
    Status,
}

/// The source a relay replicates from: `east/db1` or `db1`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RelaySource {
    /// The service of the source, when given.
    pub service: Option<ServiceName>,
    /// The source host.
    pub host: HostName,
}

impl fmt::Display for RelaySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.service {
            Some(service) => write!(f, "{service}/{}", self.host),
            None => write!(f, "{}", self.host),
        }
    }
}

/// Which routers a `router` command addresses.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouterTarget {
    /// `*`: every connector of the service.
    All,
    /// One connector, named by its host (`db1`, `connector@db1` or `connector@db1[1234]`).
    Host(HostName),
}

/// A cctrl command.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CctrlCommand {
    /// `set policy automatic|manual|maintenance`: the service's policy, at once, in the
    /// manager's group. Needs no quorum. Prints `policy mode is now <MODE>`.
    /// Source: *operations-policymodes*.
    SetPolicy(PolicyMode),
    /// `set force true|false`: the session's force flag (see the module docs).
    /// **Modelling decision** (DOMAIN.md).
    SetForce(bool),
    /// `set master <ds>`: the documents only say "set the Primary within a datasource"; the
    /// model applies the rule of `datasource <ds> master` (**modelling decision**).
    SetMaster(HostName),
    /// `datasource <ds> <action>`.
    Datasource {
        /// The datasource.
        host: HostName,
        /// What to do.
        action: DatasourceAction,
    },
    /// `datasource <ds> connections [-l]` (7.0.2 and later): prints how many connections
    /// the connectors hold to the datasource. It changes nothing the model tracks
    /// (connections are not modelled); the datasource must still be one of the session's
    /// service. `-l` is the one option the docs list for it. Source: Continuent docs
    /// *cctrl-datasource*.
    DatasourceConnections {
        /// The datasource.
        host: HostName,
        /// Whether `-l` was given.
        long: bool,
    },
    /// `replicator <ds> <action>`.
    Replicator {
        /// The datasource whose replicator is addressed.
        host: HostName,
        /// What to do.
        action: ReplicatorAction,
    },
    /// `router <name|*> online|offline`: connectors route again, or stop routing. Needs the
    /// connector running. Source: *cctrl-commands* (router).
    Router {
        /// Which connectors.
        target: RouterTarget,
        /// Online (true) or offline.
        online: bool,
    },
    /// `recover`: `datasource X recover` for every SHUNNED or FAILED datasource of the service
    /// that can be recovered, stepping through MAINTENANCE and back (the effects say so);
    /// each one it cannot recover is reported; refused if none can. Source:
    /// *tungsten-dashboard* (Recover), *operations-recovery*.
    Recover,
    /// `recover master using <ds>`: with no master ONLINE, make `<ds>` the master (role
    /// master, ONLINE, replicator master online, the other slaves repointed to it, the master
    /// it replaces marked `SHUNNED(FAILED-OVER-TO-<ds>)`), then `datasource recover` each
    /// datasource left SHUNNED or FAILED, the replaced master included. One that cannot be
    /// recovered stays shunned or failed and is reported; the promotion stands. Source:
    /// *operations-recovery-master* (4.0: "set master", then "datasource recover" on each
    /// remaining datasource; the master is always set, not every datasource recovered).
    RecoverMasterUsing(HostName),
    /// `switch [to <ds>]`: the planned change of master. Sets MAINTENANCE for its duration,
    /// flushes so the target has every event of the master, demotes the master, promotes the
    /// target, repoints the other slaves, puts the old master online as a slave, restores the
    /// policy. Needs an ONLINE master, quorum, and an eligible target (see
    /// [`crate::machine`] on candidate selection). Source: *operations-primaryswitch-manual*,
    /// *manual-switch-versus-automatic-failover*.
    Switch {
        /// The target; the most up-to-date eligible slave when absent.
        to: Option<HostName>,
    },
    /// `failover [to <ds>]`: needs the master FAILED; once the slaves reading from it hold
    /// what its replicator can still extract (release notes 5.4.1, CT-583), promotes the
    /// target (or the best candidate) as switch does, without the old master, then brings
    /// ONLINE every OFFLINE datasource it reaches healthy, under every policy (SHUNNED and
    /// FAILED ones stay). Source: *cctrl-failover*.
    Failover {
        /// The target; the best candidate when absent.
        to: Option<HostName>,
    },
    /// `cluster heartbeat`: a heartbeat event on the master: its seqno advances by one, like
    /// a write (**modelling decision**: the documents do not give its output). Needs a writable
    /// master.
    ClusterHeartbeat,
    /// `cluster flush`: sends a heartbeat event through the service and prints a seqno at or
    /// past it (Continuent docs *cctrl-cluster*). The model applies `cluster heartbeat`'s rule
    /// (**modelling decision**: the event is the same; the seqno printed is not modelled).
    ClusterFlush,
    /// `use <svc>` or `cd <svc>`: the session's service.
    Use(ServiceName),
    /// `ls [words]`: prints the listing; changes nothing. Its words (`-l`, a datasource,
    /// `resources`, ...) change only what is printed; they are kept as typed, one space apart.
    Ls(String),
    /// `expert`: expert mode; changes nothing the model tracks.
    Expert,
    /// `physical`: physical mode; changes nothing the model tracks.
    Physical,
    /// A command that only prints, or changes cctrl's own mode: it changes nothing the model
    /// tracks. Source: *cmdline-tools-cctrl-commands* (the command table).
    Info(CctrlInfo),
    /// A documented command whose effect the model does not know, kept as typed (trimmed):
    /// `cluster check ...` (a failed consistency check can take replicas' replicators
    /// offline), `cluster offline`, `cluster online`, `create composite ...`, `service ...`
    /// and `cd ..` (back to cctrl's root, which holds no service; the model's session keeps
    /// its service, so later commands in it still address that one). Sources: Continuent docs
    /// *cmdline-tools-cctrl-commands* and *cctrl-cluster*. A runbook step running one is
    /// reported as not modelled, never as a success; the state is left as it was.
    NotModelled(String),
}

/// The cctrl commands that only print or change cctrl's mode (see [`CctrlCommand::Info`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CctrlInfo {
    /// `members`: lists the service's managers.
    Members,
    /// `ping [words]`: tests host availability; its words are kept as typed, one space apart.
    Ping(String),
    /// `show topology`: prints the configured topology.
    ShowTopology,
    /// `cluster validate`: checks the quorum configuration.
    ClusterValidate,
    /// `cluster topology validate`: checks and reports on the topology and its health.
    ClusterTopologyValidate,
    /// `help [words]`: prints help; its topic is kept as typed, one space apart.
    Help(String),
    /// `admin`: admin mode.
    Admin,
    /// `quit` or `exit`: leaves cctrl.
    Quit,
}

impl fmt::Display for CctrlInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (word, words) = match self {
            Self::Members => ("members", ""),
            Self::Ping(words) => ("ping", words.as_str()),
            Self::ShowTopology => ("show topology", ""),
            Self::ClusterValidate => ("cluster validate", ""),
            Self::ClusterTopologyValidate => ("cluster topology validate", ""),
            Self::Help(words) => ("help", words.as_str()),
            Self::Admin => ("admin", ""),
            Self::Quit => ("quit", ""),
        };
        with_words(f, word, words)
    }
}

const TOP: &[&str] = &[
    "set",
    "datasource",
    "replicator",
    "router",
    "recover",
    "switch",
    "failover",
    "cluster",
    "create",
    "service",
    "use",
    "cd",
    "ls",
    "expert",
    "physical",
    "members",
    "ping",
    "show",
    "help",
    "admin",
    "quit",
    "exit",
];

impl CctrlCommand {
    /// Read one cctrl command line (line `line_number` of its input, for error positions).
    ///
    /// # Errors
    /// A [`ParseError`] at the first word that does not fit, saying what would.
    pub fn parse_line(line: &str, line_number: usize) -> Result<Self, ParseError> {
        let mut w = Words::new(line, line_number);
        let command = match w.one_of(TOP, "a cctrl command")? {
            "set" => match w.one_of(&["policy", "force", "master"], "a setting")? {
                "policy" => {
                    let p = w.one_of(&["automatic", "manual", "maintenance"], "a policy")?;
                    Self::SetPolicy(p.parse().map_err(|_| w.error_previous("a policy"))?)
                }
                "force" => Self::SetForce(w.one_of(&["true", "false"], "")? == "true"),
                _ => Self::SetMaster(w.host("the datasource to make master")?),
            },
            "datasource" => datasource(&mut w)?,
            "replicator" => replicator(&mut w)?,
            "router" => {
                let target = router_target(&mut w)?;
                let online = w.one_of(&["online", "offline"], "")? == "online";
                Self::Router { target, online }
            }
            "recover" => {
                if w.eat("master") {
                    w.one_of(&["using"], "")?;
                    Self::RecoverMasterUsing(w.host("the datasource to recover as master")?)
                } else {
                    Self::Recover
                }
            }
            "switch" => Self::Switch {
                to: target(&mut w)?,
            },
            "failover" => Self::Failover {
                to: target(&mut w)?,
            },
            "cluster" => match w.one_of(
                &[
                    "heartbeat",
                    "flush",
                    "validate",
                    "topology",
                    "check",
                    "offline",
                    "online",
                ],
                "",
            )? {
                "heartbeat" => Self::ClusterHeartbeat,
                "flush" => Self::ClusterFlush,
                "validate" => Self::Info(CctrlInfo::ClusterValidate),
                "topology" => {
                    w.one_of(&["validate"], "")?;
                    Self::Info(CctrlInfo::ClusterTopologyValidate)
                }
                // `check` takes a table and `-limit`; `offline` and `online` take nothing.
                check_or_state => {
                    if check_or_state == "check" {
                        kept_words(&mut w)?;
                    }
                    Self::not_modelled(line)
                }
            },
            "create" => {
                w.one_of(&["composite"], "")?;
                kept_words(&mut w)?;
                Self::not_modelled(line)
            }
            "service" => {
                if w.is_empty() {
                    return Err(w.error_next("a service script and its command"));
                }
                kept_words(&mut w)?;
                Self::not_modelled(line)
            }
            "cd" if w.eat("..") => Self::not_modelled(line),
            "use" | "cd" => Self::Use(w.service("a service")?),
            // `ls -l` and `ls <ds>` only change what is printed.
            "ls" => Self::Ls(kept_words(&mut w)?),
            "expert" => Self::Expert,
            "physical" => Self::Physical,
            "members" => Self::Info(CctrlInfo::Members),
            "show" => {
                w.one_of(&["topology"], "")?;
                Self::Info(CctrlInfo::ShowTopology)
            }
            "admin" => Self::Info(CctrlInfo::Admin),
            "quit" | "exit" => Self::Info(CctrlInfo::Quit),
            // `ping` and `help` take words that change only what is printed.
            "ping" => Self::Info(CctrlInfo::Ping(kept_words(&mut w)?)),
            _ => Self::Info(CctrlInfo::Help(kept_words(&mut w)?)),
        };
        w.end()?;
        Ok(command)
    }

    /// Whether the command can change the state (everything but `ls`, `expert`, `physical`,
    /// `replicator <ds> status`, `datasource <ds> connections` and the [`CctrlInfo`]
    /// commands; a [`Self::NotModelled`] one may).
    #[must_use]
    pub fn changes_state(&self) -> bool {
        !matches!(
            self,
            Self::Ls(_)
                | Self::Expert
                | Self::Physical
                | Self::Info(_)
                | Self::DatasourceConnections { .. }
                | Self::Replicator {
                    action: ReplicatorAction::Status,
                    ..
                }
        )
    }

    fn not_modelled(line: &str) -> Self {
        Self::NotModelled(line.trim().to_owned())
    }
}

/// The rest of a command whose words are kept as typed ([`CctrlCommand::NotModelled`], the
/// words of `ls`, `ping` and `help`), one space apart. They may hold no quote, no `|` and no
/// `\`: the command prints inside `echo '...' | cctrl` on a host line, where a quote or a
/// `|` would end it (the `parse_command` fuzzer found `service ' '` printed as a line that no
/// longer read), and as a runbook step, where a `\` at the end would join the next line.
fn kept_words(w: &mut Words<'_>) -> Result<String, ParseError> {
    let mut kept = String::new();
    while let Some(word) = w.next() {
        if word.contains(['\'', '"', '|', '\\']) {
            return Err(w.error_previous("a word without quotes, `|` or `\\`"));
        }
        if !kept.is_empty() {
            kept.push(' ');
        }
        kept.push_str(word);
    }
    Ok(kept)
}

/// `word`, then `words` after a space when there are any.
fn with_words(f: &mut fmt::Formatter<'_>, word: &str, words: &str) -> fmt::Result {
    f.write_str(word)?;
    if words.is_empty() {
        Ok(())
    } else {
        write!(f, " {words}")
    }
}

/// `datasource <ds> <action>`, after `datasource`.
fn datasource(w: &mut Words<'_>) -> Result<CctrlCommand, ParseError> {
    let host = w.host("a datasource")?;
    let action = match w.one_of(
        &[
            "online",
            "offline",
            "shun",
            "welcome",
            "recover",
            "fail",
            "slave",
            "replica",
            "master",
            "primary",
            "relay",
            "restore",
            "backup",
            "drain",
            "connections",
        ],
        "a datasource action",
    )? {
        "connections" => {
            let long = match w.next() {
                None => false,
                Some("-l") => true,
                Some(_) => return Err(w.error_previous("`-l` or the end of the command")),
            };
            return Ok(CctrlCommand::DatasourceConnections { host, long });
        }
        "online" => DatasourceAction::Online,
        "offline" => DatasourceAction::Offline,
        "shun" => DatasourceAction::Shun,
        "welcome" => DatasourceAction::Welcome,
        "recover" => DatasourceAction::Recover,
        "fail" => DatasourceAction::Fail,
        "slave" | "replica" => DatasourceAction::Slave,
        "master" | "primary" => DatasourceAction::Master,
        "relay" => DatasourceAction::Relay,
        "restore" => DatasourceAction::Restore,
        "backup" => {
            // At most a backup agent, a storage agent and a timeout.
            for _ in 0..3 {
                w.next();
            }
            DatasourceAction::Backup
        }
        _ => DatasourceAction::Drain(match w.next() {
            None => None,
            Some(t) => Some(
                t.parse()
                    .map_err(|_| w.error_previous("a timeout in seconds"))?,
            ),
        }),
    };
    Ok(CctrlCommand::Datasource { host, action })
}

/// `replicator <ds> <action>`, after `replicator`.
fn replicator(w: &mut Words<'_>) -> Result<CctrlCommand, ParseError> {
    let host = w.host("a datasource")?;
    let action = match w.one_of(
        &[
            "online", "offline", "master", "primary", "slave", "replica", "relay", "start", "stop",
            "restart", "status",
        ],
        "a replicator action",
    )? {
        "online" => ReplicatorAction::Online,
        "offline" => ReplicatorAction::Offline,
        "master" | "primary" => ReplicatorAction::Master,
        "slave" | "replica" => ReplicatorAction::Slave(if w.is_empty() {
            None
        } else {
            Some(w.host("the master to replicate from")?)
        }),
        "relay" => ReplicatorAction::Relay(if w.is_empty() {
            None
        } else {
            Some(relay_source(w)?)
        }),
        "start" => ReplicatorAction::Start,
        "stop" => ReplicatorAction::Stop,
        "restart" => ReplicatorAction::Restart,
        _ => ReplicatorAction::Status,
    };
    Ok(CctrlCommand::Replicator { host, action })
}

fn target(w: &mut Words<'_>) -> Result<Option<HostName>, ParseError> {
    if w.eat("to") {
        Ok(Some(w.host("the datasource to promote")?))
    } else {
        Ok(None)
    }
}

fn relay_source(w: &mut Words<'_>) -> Result<RelaySource, ParseError> {
    let word = w.next().unwrap_or_default();
    let (service, host) = match word.split_once('/') {
        Some((s, h)) => (Some(s), h),
        None => (None, word),
    };
    let service = match service {
        Some(s) => Some(ServiceName::new(s).map_err(|e| w.name_error(s, &e, "a service"))?),
        None => None,
    };
    let host =
        HostName::new(host).map_err(|e| w.name_error(host, &e, "the relay's source host"))?;
    Ok(RelaySource { service, host })
}

fn router_target(w: &mut Words<'_>) -> Result<RouterTarget, ParseError> {
    let Some(word) = w.next() else {
        return Err(w.error_next("`*` or a connector (`db1`, `connector@db1`)"));
    };
    if word == "*" {
        return Ok(RouterTarget::All);
    }
    let name = word.strip_prefix("connector@").unwrap_or(word);
    let name = match name.split_once('[') {
        Some((host, pid)) if pid.ends_with(']') => host,
        _ => name,
    };
    HostName::new(name)
        .map(RouterTarget::Host)
        .map_err(|e| w.name_error(name, &e, "a connector"))
}

impl FromStr for CctrlCommand {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_line(s, 1)
    }
}

impl fmt::Display for DatasourceAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = match self {
            Self::Online => "online",
            Self::Offline => "offline",
            Self::Shun => "shun",
            Self::Welcome => "welcome",
            Self::Recover => "recover",
            Self::Fail => "fail",
            Self::Slave => "slave",
            Self::Master => "master",
            Self::Relay => "relay",
            Self::Restore => "restore",
            Self::Backup => "backup",
            Self::Drain(None) => "drain",
            Self::Drain(Some(t)) => return write!(f, "drain {t}"),
        };
        f.write_str(word)
    }
}

impl fmt::Display for ReplicatorAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Online => f.write_str("online"),
            Self::Offline => f.write_str("offline"),
            Self::Master => f.write_str("master"),
            Self::Slave(None) => f.write_str("slave"),
            Self::Slave(Some(m)) => write!(f, "slave {m}"),
            Self::Relay(None) => f.write_str("relay"),
            Self::Relay(Some(source)) => write!(f, "relay {source}"),
            Self::Start => f.write_str("start"),
            Self::Stop => f.write_str("stop"),
            Self::Restart => f.write_str("restart"),
            Self::Status => f.write_str("status"),
        }
    }
}

impl fmt::Display for CctrlCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SetPolicy(p) => write!(f, "set policy {}", p.to_string().to_lowercase()),
            Self::SetForce(on) => write!(f, "set force {on}"),
            Self::SetMaster(h) => write!(f, "set master {h}"),
            Self::Datasource { host, action } => write!(f, "datasource {host} {action}"),
            Self::DatasourceConnections { host, long } => {
                write!(f, "datasource {host} connections")?;
                if *long {
                    f.write_str(" -l")?;
                }
                Ok(())
            }
            Self::Replicator { host, action } => write!(f, "replicator {host} {action}"),
            Self::Router { target, online } => {
                let target = match target {
                    RouterTarget::All => "*".to_owned(),
                    RouterTarget::Host(h) => h.to_string(),
                };
                let state = if *online { "online" } else { "offline" };
                write!(f, "router {target} {state}")
            }
            Self::Recover => f.write_str("recover"),
            Self::RecoverMasterUsing(h) => write!(f, "recover master using {h}"),
            Self::Switch { to: None } => f.write_str("switch"),
            Self::Switch { to: Some(h) } => write!(f, "switch to {h}"),
            Self::Failover { to: None } => f.write_str("failover"),
            Self::Failover { to: Some(h) } => write!(f, "failover to {h}"),
            Self::ClusterHeartbeat => f.write_str("cluster heartbeat"),
            Self::ClusterFlush => f.write_str("cluster flush"),
            Self::Use(s) => write!(f, "use {s}"),
            Self::Ls(words) => with_words(f, "ls", words),
            Self::Expert => f.write_str("expert"),
            Self::Physical => f.write_str("physical"),
            Self::Info(info) => info.fmt(f),
            Self::NotModelled(text) => f.write_str(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only `ls`, `expert` and `physical` leave the cluster as it was.
    #[test]
    fn which_commands_change_the_state() {
        let changes = |line: &str| {
            line.parse::<CctrlCommand>()
                .map(|c| c.changes_state())
                .map_err(|e| e.to_string())
        };
        for line in [
            "ls",
            "expert",
            "physical",
            "members",
            "ping db1",
            "cluster validate",
            "show topology",
            "replicator db2 status",
            "datasource db2 connections",
            "datasource db2 connections -l",
        ] {
            assert_eq!(changes(line), Ok(false), "{line}");
        }
        for line in [
            "set policy manual",
            "datasource db2 shun",
            "switch",
            "use alpha",
            "cluster flush",
            "cluster check",
            "service db1/mysql stop",
        ] {
            assert_eq!(changes(line), Ok(true), "{line}");
        }
    }

    #[test]
    fn every_command_of_the_domain_parses_and_round_trips() {
        for line in [
            "set policy automatic",
            "SET POLICY Maintenance",
            "set policy manual",
            "set force true",
            "set force false",
            "set master db2",
            "datasource db2 online",
            "datasource db2 offline",
            "datasource db2 shun",
            "datasource db2 welcome",
            "datasource db2 recover",
            "datasource db2 fail",
            "datasource db2 slave",
            "datasource db2 replica",
            "datasource db2 master",
            "datasource db2 primary",
            "datasource db2 restore",
            "datasource db2 backup",
            "datasource mercury backup xtrabackup",
            "datasource mercury backup xtrabackup file 3600",
            "datasource db2 connections",
            "datasource db2 connections -l",
            "datasource db2 drain",
            "datasource db2 drain 30",
            "replicator db2 online",
            "replicator db2 offline",
            "replicator db2 master",
            "replicator db2 slave",
            "replicator db2 slave db1",
            "replicator db4 relay",
            "replicator db4 relay east/db1",
            "replicator db2 start",
            "replicator db2 stop",
            "replicator db2 restart",
            "router * online",
            "router * offline",
            "router connector@db1[7519] offline",
            "router db1 online",
            "recover",
            "recover master using db2",
            "switch",
            "switch to db3",
            "failover",
            "failover to db3",
            "cluster heartbeat",
            "use east",
            "cd global",
            "ls",
            "ls -l",
            "expert",
            "physical",
            "members",
            "ping",
            "ping db1",
            "show topology",
            "cluster validate",
            "cluster topology validate",
            "help",
            "help switch",
            "admin",
            "quit",
            "exit",
            "replicator db2 status",
            "cluster flush",
            "cluster check",
            "cluster check accounting.*",
            "cluster check accounting.invoices -limit 1,10",
            "cluster offline",
            "cluster online",
            "create composite global",
            "service db1/mysql restart",
            "cd ..",
        ] {
            let command: CctrlCommand = line.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
            let printed = command.to_string();
            assert_eq!(printed.parse::<CctrlCommand>().unwrap(), command, "{line}");
        }
    }

    /// `ls`, `ping` and `help` keep their words, one space apart, and print them back.
    #[test]
    fn printing_commands_keep_their_words() {
        for (line, printed) in [
            ("ls", "ls"),
            ("ls  -l   db2", "ls -l db2"),
            ("LS resources", "ls resources"),
            ("ping db1", "ping db1"),
            ("help datasource  recover", "help datasource recover"),
        ] {
            let command: CctrlCommand = line.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(command.to_string(), printed, "{line}");
        }
        let error = |line: &str| line.parse::<CctrlCommand>().unwrap_err().to_string();
        insta::assert_snapshot!(error("ls db2\\"), @r"line 1, column 4: expected a word without quotes, `|` or `\`, found `db2\`");
        insta::assert_snapshot!(error("help 'switch'"), @r"line 1, column 6: expected a word without quotes, `|` or `\`, found `'switch'`");
    }

    /// The documented commands whose effect the model does not know keep the line as typed;
    /// each still needs its own words, and nothing after a command that takes none.
    #[test]
    fn commands_not_modelled_keep_the_line() {
        for (line, kept) in [
            (
                "  cluster check accounting.*  ",
                "cluster check accounting.*",
            ),
            ("CLUSTER Offline", "CLUSTER Offline"),
            ("service db1/mysql restart", "service db1/mysql restart"),
            (
                "create composite global alpha beta",
                "create composite global alpha beta",
            ),
            ("cd ..", "cd .."),
        ] {
            let command: CctrlCommand = line.parse().unwrap();
            assert_eq!(
                command,
                CctrlCommand::NotModelled(kept.to_owned()),
                "{line}"
            );
            assert_eq!(command.to_string(), kept);
        }
        assert_eq!(
            "cluster flush".parse::<CctrlCommand>().unwrap(),
            CctrlCommand::ClusterFlush
        );
        let error = |line: &str| line.parse::<CctrlCommand>().unwrap_err().to_string();
        insta::assert_snapshot!(error("create global"), @"line 1, column 8: expected `composite`, found `global`");
        insta::assert_snapshot!(error("service"), @"line 1, column 8: expected a service script and its command, found the end of the command");
        insta::assert_snapshot!(error("cd .. alpha"), @"line 1, column 7: expected the end of the command, found `alpha`");
        insta::assert_snapshot!(error("cluster online now"), @"line 1, column 16: expected the end of the command, found `now`");
        insta::assert_snapshot!(error("cluster flush db1"), @"line 1, column 15: expected the end of the command, found `db1`");
        insta::assert_snapshot!(error("service db1/mysql 'restart'"), @r"line 1, column 19: expected a word without quotes, `|` or `\`, found `'restart'`");
        insta::assert_snapshot!(error("cluster check a|b"), @r"line 1, column 15: expected a word without quotes, `|` or `\`, found `a|b`");
        // A backup takes at most its two agents and a timeout.
        insta::assert_snapshot!(error("datasource db2 backup xtrabackup file 3600 now"), @"line 1, column 44: expected the end of the command, found `now`");
        // `connections` takes `-l` and nothing else.
        insta::assert_snapshot!(error("datasource db2 connections -x"), @"line 1, column 28: expected `-l` or the end of the command, found `-x`");
        insta::assert_snapshot!(error("datasource db2 connections -l db3"), @"line 1, column 31: expected the end of the command, found `db3`");
    }

    #[test]
    fn refusals_are_located() {
        let e = "datasource db2 onlin".parse::<CctrlCommand>().unwrap_err();
        insta::assert_snapshot!(e.caret(), @"
        error: expected a datasource action (online, offline, shun, welcome, recover, fail, slave, replica, master, primary, relay, restore, backup, drain or connections), found `onlin`
         --> line 1, column 16
          |
        1 | datasource db2 onlin
          |                ^^^^^
        ");
        let e = "set policy".parse::<CctrlCommand>().unwrap_err();
        insta::assert_snapshot!(e.to_string(), @"line 1, column 11: expected a policy (automatic, manual or maintenance), found the end of the command");
        let e = "switch to db3 now".parse::<CctrlCommand>().unwrap_err();
        insta::assert_snapshot!(e.to_string(), @"line 1, column 15: expected the end of the command, found `now`");
        let e = "datasource d!b online".parse::<CctrlCommand>().unwrap_err();
        insta::assert_snapshot!(e.to_string(), @"line 1, column 13: expected a datasource: letters, digits, `-`, `_` or `.`, starting with a letter or digit, found `!` in `d!b`");
        let caret = |line: &str| line.parse::<CctrlCommand>().unwrap_err().caret();
        // A connector's process id is read only when its bracket closes; the caret counts
        // from the whole word, not from the name after `connector@` (or a relay's `east/`).
        insta::assert_snapshot!(caret("router connector@db1[7519 offline"), @"
        error: expected a connector: letters, digits, `-`, `_` or `.`, starting with a letter or digit, found `[` in `db1[7519`
         --> line 1, column 21
          |
        1 | router connector@db1[7519 offline
          |                     ^
        ");
        insta::assert_snapshot!(caret("replicator db4 relay east/d!b1"), @"
        error: expected the relay's source host: letters, digits, `-`, `_` or `.`, starting with a letter or digit, found `!` in `d!b1`
         --> line 1, column 28
          |
        1 | replicator db4 relay east/d!b1
          |                            ^
        ");
        // The caret sits on the bad character itself, a two-byte one here.
        insta::assert_snapshot!(caret("router connector@dé! offline"), @"
        error: expected a connector: letters, digits, `-`, `_` or `.`, starting with a letter or digit, found `é` in `dé!`
         --> line 1, column 19
          |
        1 | router connector@dé! offline
          |                   ^
        ");
        let e = "".parse::<CctrlCommand>().unwrap_err();
        insta::assert_snapshot!(e.to_string(), @"line 1, column 1: expected a cctrl command (set, datasource, replicator, router, recover, switch, failover, cluster, create, service, use, cd, ls, expert, physical, members, ping, show, help, admin, quit or exit), found the end of the command");
    }
}
