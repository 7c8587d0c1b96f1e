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
//!   catalog, so the service restarts from its source's current position; `-all` and `-thl`
//!   are refused on a cluster replicator that online slaves read from (they would ask for
//!   events it no longer holds; **modelling decision**, as for provisioning it); one scope
//!   only, as trepctl refuses a second;
//! - `flush` only on an online master; `heartbeat` only online (a heartbeat is an event:
//!   the master's seqno advances). `flush` works by inserting a heartbeat (*trepctl-flush*),
//!   but it is not counted as an event here (**modelling decision**: the model's seqnos
//!   stand for transactions; the flush inside `switch` is not counted either, and counting
//!   only the operator's would make the two disagree);
//! - `online -skip-seqno` leaves events out (*operations-transactions-skipping*): an applying
//!   replicator's data is marked drifted;
//! - `offline-deferred` acts as `offline` on an ONLINE replicator (time is not modelled, so
//!   its point is reached at once); on any other it changes nothing, as trepctl ignores it
//!   there (*cmdline-tools-trepctl-command-offline-deferred*); `wait -state S` is refused
//!   unless the replicator is in `S`, and does not parse for a word only the manager prints in
//!   `ls` (`SUSPECT`, `STOPPED`, ...: *operations-status-states* lists the replicator's own);
//! - `status`, `services`, `wait -applied` and the commands that only print ([`TrepctlInfo`])
//!   change nothing;
//! - `online -base-seqno` only on a master (*cmdline-tools-trepctl-command-online*), and not
//!   with `-from-event`;
//! - options whose effect is not modelled (`-from-event`, `-base-seqno`, `-until-*`,
//!   `online -force`, `offline-deferred -at-*`, `-port`) parse and are listed by
//!   [`crate::machine::untracked_options`], which a runbook report warns of.
//!
//! The grammar follows Continuent docs *cmdline-tools-trepctl-command-online*,
//! *trepctl-offline* and *trepctl-flush*, and trepctl's own help (open-source
//! `OpenReplicatorManagerCtrl`: global options, `offline-deferred`, `wait`, `heartbeat`,
//! `status`, `services`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::option_value::OptionValue;
use super::replication_points::{SeqnoSet, StopPoint, seqno};
use super::words::Words;
use crate::model::{HostName, ReplicatorRole, ReplicatorState, Seqno, ServiceName};
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

/// `trepctl online`'s options. Source: Continuent docs *cmdline-tools-trepctl-command-online*,
/// *operations-transactions-skipping*.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OnlineOptions {
    /// `-force`.
    pub force: bool,
    /// `-all-services`: every service of the replicator.
    pub all_services: bool,
    /// `-skip-seqno SEQDEF`: events not to apply (the documented way past an apply error;
    /// the datasource no longer matches its master afterwards).
    pub skip_seqno: Option<SeqnoSet>,
    /// `-from-event EVENT`: where extraction starts, a native event id.
    pub from_event: Option<OptionValue>,
    /// `-base-seqno N`: on a master, the seqno replication restarts from.
    pub base_seqno: Option<Seqno>,
    /// `-no-checksum`.
    pub no_checksum: bool,
    /// `-provision [SCN]`: go online provisioning through the parallel extractor, from `SCN`
    /// when one is given (Continuent docs *cmdline-tools-trepctl-command-online*, Tungsten
    /// Replicator 5.0 and 7.0). Serialised options from earlier builds held a bool here; they
    /// still read (`true` as `-provision` with no SCN).
    #[serde(deserialize_with = "provision_or_flag")]
    pub provision: Option<OnlineProvision>,
    /// `-until-seqno|-until-event|-until-heartbeat|-until-time`: where it goes offline again.
    pub until: Option<StopPoint>,
}

/// trepctl `online`'s `-provision [SCN]` option.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct OnlineProvision {
    /// The position to provision from, verbatim (a word not starting with `-`); `None` for
    /// the extractor's own choice.
    pub scn: Option<OptionValue>,
}

/// `provision` as serialised now, or as the bool earlier builds wrote.
fn provision_or_flag<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<OnlineProvision>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        Flag(bool),
        Given(Option<OnlineProvision>),
    }
    Ok(match Text::deserialize(deserializer)? {
        Text::Flag(true) => Some(OnlineProvision { scn: None }),
        Text::Flag(false) => None,
        Text::Given(provision) => provision,
    })
}

/// trepctl's `-retry [N]` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Retry {
    /// `-retry` alone: trepctl's default.
    Default,
    /// `-retry N`: up to `N` seconds.
    Seconds(u32),
}

/// What `trepctl wait` waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitFor {
    /// `-state S`: the replicator reaching state `S`; `OFFLINE`, the parent of
    /// `OFFLINE:NORMAL` and `OFFLINE:ERROR` in the replicator's state map, is reached by
    /// either (trepctl's wait matches the start of a state's name).
    State(ReplicatorState),
    /// `-applied N`: the replicator having applied seqno `N`.
    Applied(Seqno),
}

/// A trepctl sub-command and its options.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TrepctlAction {
    /// `online [options]` (boxed: most commands carry no options, and the options are large).
    Online(Box<OnlineOptions>),
    /// `offline [-all-services] [-immediate]`.
    Offline {
        /// `-all-services`.
        all_services: bool,
        /// `-immediate`.
        immediate: bool,
    },
    /// `offline-deferred [-at-seqno N|-at-event E|-at-heartbeat [NAME]|-at-time T]`: offline
    /// once that point is processed (with no point, as `offline`); ignored unless the
    /// replicator is ONLINE.
    OfflineDeferred {
        /// Where it goes offline.
        at: Option<StopPoint>,
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
    /// `status [-name NAME] [-json]`.
    Status {
        /// `-name`: which part of the status (`stages`, `tasks`, `shards`, ...).
        name: Option<OptionValue>,
        /// `-json`.
        json: bool,
    },
    /// `flush [-limit S]`.
    Flush {
        /// `-limit`: seconds to wait.
        limit: Option<u32>,
    },
    /// `heartbeat [-name NAME] [-tz ZONE]`.
    Heartbeat {
        /// `-name`: the heartbeat's name.
        name: Option<OptionValue>,
        /// `-tz`: the time zone of the heartbeat's timestamp (Continuent docs
        /// *cmdline-tools-trepctl-command-heartbeat*); it changes nothing the model tracks.
        #[serde(default)]
        tz: Option<OptionValue>,
    },
    /// `services [-full] [-json]`; trepctl passes over any other word after it, and so does
    /// the parser (open-source `OpenReplicatorManagerCtrl`, `doServices`).
    Services {
        /// `-full`.
        full: bool,
        /// `-json`.
        json: bool,
    },
    /// `wait -state S|-applied N [-limit S]`.
    Wait {
        /// What it waits for.
        until: WaitFor,
        /// `-limit`: seconds before it gives up.
        limit: Option<u32>,
    },
    /// A command that only prints (its options, which change only what is printed, are read
    /// past). Source: *cmdline-tools-trepctl* (the command pages).
    Info(TrepctlInfo),
}

/// The trepctl commands that only print (see [`TrepctlAction::Info`]).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "lowercase", ascii_case_insensitive)]
#[strum(parse_err_ty = crate::text::UnknownName, parse_err_fn = crate::text::UnknownName::of::<Self>)]
#[non_exhaustive]
pub enum TrepctlInfo {
    /// `capabilities`: the roles and features the replicator supports.
    Capabilities,
    /// `qs`: the quick status (state, latency, sequence).
    Qs,
    /// `version`: the replicator's version.
    Version,
    /// `properties [-filter F] [-values]`: the service's configuration (another word after it
    /// is refused, as trepctl refuses it).
    Properties,
    /// `clients [-json]`: the replicators connected to this one.
    Clients,
    /// `perf`: the stages' performance counters.
    Perf,
    /// `help`: trepctl's usage, printed without connecting to a replicator (it resolves to
    /// [`crate::machine::HostOp::Inspect`] on the host it runs on).
    Help,
}

/// A trepctl command line (without the executable):
/// `[-host h] [-port p] [-retry n] [-service s] [-verbose] <action>`, and `-all-services`
/// before `online` or `offline`, read as that command's option.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TrepctlCommand {
    /// `-host`: the host whose replicator is addressed (the local one when absent).
    pub host: Option<HostName>,
    /// `-port`: the replicator's RMI port. **Modelling decision**: ports are not modelled;
    /// the install is told by the executable's path and `-service`.
    pub port: Option<u16>,
    /// `-retry [N]`: keep trying to connect (for `N` seconds).
    pub retry: Option<Retry>,
    /// `-service`: the replication service.
    pub service: Option<ServiceName>,
    /// `-verbose`.
    pub verbose: bool,
    /// What to do.
    pub action: TrepctlAction,
}

/// trepctl's documented commands whose effects the model does not track: backups and
/// restores, consistency checks, disconnecting a master's other sessions (`purge`, Continuent
/// docs *cmdline-tools-trepctl-command-purge*), clearing properties, loading and unloading
/// services, shard maps, reconfiguring, and stopping the process (*cmdline-tools-trepctl*,
/// the command pages; `configure` from trepctl's own usage). A line with one is kept as a step the model does not know, not refused.
const NOT_MODELLED: &[&str] = &[
    "backup",
    "restore",
    "check",
    "purge",
    "clear",
    "load",
    "unload",
    "shard",
    "shutdown",
    "kill",
    "configure",
];

/// Whether the trepctl arguments in `w` name one of the documented commands the model does not
/// know (see [`NOT_MODELLED`]), after any connection options.
pub(crate) fn names_a_command_not_modelled(w: &Words<'_>) -> bool {
    let mut ahead = w.clone();
    ahead.set_exact(Some("trepctl"));
    ahead.set_shell_quotes(true);
    let mut scratch = TrepctlCommand::new(TrepctlAction::Info(TrepctlInfo::Version));
    connection_options(&mut ahead, &mut scratch).is_ok()
        && ahead
            .peek()
            .is_some_and(|command| NOT_MODELLED.contains(&command))
}

/// The options trepctl reads before its command.
const CONNECTION_OPTIONS: &[&str] = &[
    "-host",
    "-service",
    "-port",
    "-retry",
    "-verbose",
    "-all-services",
];

/// Read the connection options before the command into `command`; returns whether
/// `-all-services` came among them.
fn connection_options(w: &mut Words<'_>, command: &mut TrepctlCommand) -> Result<bool, ParseError> {
    let mut all_services = false;
    loop {
        if w.eat("-host") {
            command.host = Some(w.host("the host after `-host`")?);
        } else if w.eat("-service") {
            command.service = Some(w.service("the service after `-service`")?);
        } else if w.eat("-port") {
            command.port = Some(number(w, "a port")?);
        } else if w.eat("-retry") {
            // trepctl takes the number only when the next word starts with a digit.
            command.retry = Some(match w.peek() {
                Some(n) if n.starts_with(|c: char| c.is_ascii_digit()) => {
                    Retry::Seconds(number(w, "a number of seconds")?)
                }
                _ => Retry::Default,
            });
        } else if w.eat("-verbose") {
            command.verbose = true;
        } else if w.eat("-all-services") {
            all_services = true;
        } else {
            return Ok(all_services);
        }
    }
}

const ACTIONS: &[&str] = &[
    "online",
    "offline",
    "offline-deferred",
    "reset",
    "setrole",
    "status",
    "flush",
    "heartbeat",
    "services",
    "wait",
    "capabilities",
    "qs",
    "version",
    "properties",
    "clients",
    "perf",
    "help",
];

impl TrepctlCommand {
    /// A command on the local replicator's default service, with no connection options.
    #[must_use]
    pub fn new(action: TrepctlAction) -> Self {
        Self {
            host: None,
            port: None,
            retry: None,
            service: None,
            verbose: false,
            action,
        }
    }

    /// Read trepctl's arguments from the words left in `w`: each word as the shell passes it
    /// on, without a pair of quotes around it (see [`Words::set_shell_quotes`]), and the
    /// command and option words only as spelt, as trepctl compares them (see
    /// [`Words::set_exact`]; `reset`'s scopes aside).
    pub(crate) fn parse_words(w: &mut Words<'_>) -> Result<Self, ParseError> {
        let was = w.set_exact(Some("trepctl"));
        let quotes = w.set_shell_quotes(true);
        let command = Self::parse_exact(w);
        w.set_exact(was);
        w.set_shell_quotes(quotes);
        command
    }

    fn parse_exact(w: &mut Words<'_>) -> Result<Self, ParseError> {
        let mut command = Self::new(TrepctlAction::Status {
            name: None,
            json: false,
        });
        // `-all-services` may also come before the command (`trepctl -all-services offline`,
        // Continuent docs *deployment-startupdown-replicator*); it is kept as the option of
        // `online` or `offline`, the commands it belongs to.
        let all_services = connection_options(w, &mut command)?;
        let misplaced = all_services.then(|| {
            w.error_next("`online` or `offline` after `-all-services` (the commands it applies to)")
        });
        command.action = TrepctlAction::parse(w)?;
        if let Some(misplaced) = misplaced {
            match &mut command.action {
                TrepctlAction::Online(options) => options.all_services = true,
                TrepctlAction::Offline { all_services, .. } => *all_services = true,
                _ => return Err(misplaced),
            }
        }
        w.end()?;
        Ok(command)
    }

    /// Read trepctl's arguments from `line` (line `line_number` of its input).
    ///
    /// # Errors
    /// A [`ParseError`] at the first word that does not fit.
    pub fn parse_line(line: &str, line_number: usize) -> Result<Self, ParseError> {
        Self::parse_words(&mut Words::new(line, line_number))
    }

    /// Whether the command can change the state (not `status`, `services`, `wait` or a
    /// [`TrepctlInfo`] command).
    #[must_use]
    pub fn changes_state(&self) -> bool {
        !matches!(
            self.action,
            TrepctlAction::Status { .. }
                | TrepctlAction::Services { .. }
                | TrepctlAction::Wait { .. }
                | TrepctlAction::Info(_)
        )
    }
}

impl TrepctlAction {
    /// Read a sub-command and its options from `w`.
    fn parse(w: &mut Words<'_>) -> Result<Self, ParseError> {
        // A command or connection option trepctl knows, in another case: say how to spell it.
        if let Some(error) =
            w.miscased(ACTIONS.iter().chain(NOT_MODELLED).chain(CONNECTION_OPTIONS))
        {
            return Err(error);
        }
        Ok(match w.one_of(ACTIONS, "a trepctl command")? {
            "online" => Self::Online(Box::new(online_options(w)?)),
            "offline" => {
                let [all_services, immediate] =
                    flags(w, ["-all-services", "-immediate"], "an offline option")?;
                Self::Offline {
                    all_services,
                    immediate,
                }
            }
            "offline-deferred" => Self::OfflineDeferred {
                at: if w.is_empty() {
                    None
                } else {
                    let option = w.one_of(
                        &["-at-seqno", "-at-event", "-at-heartbeat", "-at-time"],
                        "an offline-deferred option",
                    )?;
                    Some(StopPoint::parse(&option["-at-".len()..], w)?)
                },
            },
            "reset" => reset(w)?,
            "setrole" => setrole(w)?,
            "status" => {
                let (mut name, mut json) = (None, false);
                while !w.is_empty() {
                    match w.one_of(&["-name", "-json"], "a status option")? {
                        "-name" => {
                            name = Some(OptionValue::parse(w, "a status name such as `stages`")?);
                        }
                        _ => json = true,
                    }
                }
                Self::Status { name, json }
            }
            "flush" => Self::Flush { limit: limit(w)? },
            "heartbeat" => {
                let (mut name, mut tz) = (None, None);
                while !w.is_empty() {
                    match w.one_of(&["-name", "-tz"], "a heartbeat option")? {
                        "-name" => name = Some(OptionValue::parse(w, "a heartbeat name")?),
                        _ => tz = Some(OptionValue::parse(w, "a time zone such as `UTC`")?),
                    }
                }
                Self::Heartbeat { name, tz }
            }
            "services" => {
                // trepctl's `services` looks only for `-full` and `-json` (as spelt) and
                // passes over any other word without a word of its own (open-source
                // `OpenReplicatorManagerCtrl`, `doServices`): the line runs, listing every
                // service, so it is read past here too (helper-138 R2: it was refused).
                let (mut full, mut json) = (false, false);
                while let Some(word) = w.next() {
                    full |= word == "-full";
                    json |= word == "-json";
                }
                Self::Services { full, json }
            }
            "properties" => {
                // `properties`, unlike `services` and `clients`, refuses a word it does not
                // know ("Unrecognized option", `doProperties`), doing nothing.
                while !w.is_empty() {
                    if w.one_of(&["-filter", "-values"], "a properties option")? == "-filter" {
                        OptionValue::parse(w, "the text a property's name holds")?;
                    }
                }
                Self::Info(TrepctlInfo::Properties)
            }
            "wait" => wait(w)?,
            info => {
                let info = info
                    .parse()
                    .map_err(|_| w.error_previous("a trepctl command"))?;
                w.skip_rest();
                Self::Info(info)
            }
        })
    }
}

fn reset(w: &mut Words<'_>) -> Result<TrepctlAction, ParseError> {
    let mut confirmed = false;
    let mut scope = None;
    while !w.is_empty() {
        // trepctl reads `-y` as spelt and the scopes in any case (`equalsIgnoreCase`,
        // `doResetService`).
        let option = if w.eat("-y") {
            "-y"
        } else if let Some(miscased) = w.miscased(&["-y"]) {
            return Err(miscased);
        } else {
            let was = w.set_exact(None);
            let scope = w.one_of_described(
                &["-all", "-thl", "-relay", "-db"],
                "a reset option (`-y`, or a scope in any case: `-all`, `-thl`, `-relay` or `-db`)",
            );
            w.set_exact(was);
            scope?
        };
        // trepctl takes one scope: after it, only `-y`, and it refuses the line otherwise,
        // resetting nothing (open-source `OpenReplicatorManagerCtrl`, `doResetService` and
        // `confirm`).
        if option != "-y" && scope.is_some() {
            return Err(w.error_previous(
                "`-y` or the end of the command (trepctl takes one of `-all`, `-thl`, `-relay` and `-db`, and refuses a second)",
            ));
        }
        match option {
            "-y" => confirmed = true,
            "-all" => scope = Some(ResetScope::All),
            "-thl" => scope = Some(ResetScope::Thl),
            "-relay" => scope = Some(ResetScope::Relay),
            _ => scope = Some(ResetScope::Db),
        }
    }
    Ok(TrepctlAction::Reset { confirmed, scope })
}

/// `setrole -role R [-uri U]`, its two options in either order: trepctl reads them in a loop,
/// a later one of the same name replacing the earlier (open-source
/// `OpenReplicatorManagerCtrl`, `doSetRole`; an operator's review found `-uri` first refused).
fn setrole(w: &mut Words<'_>) -> Result<TrepctlAction, ParseError> {
    const ROLE: &str = "a role (master, slave, relay, thl-server, thl-client or thl-applier)";
    let (mut role, mut uri) = (None, None);
    // Each option as often as given, the last one kept, as trepctl's loop keeps it (a review
    // found `-uri` given twice before `-role` refused, where trepctl reads it).
    while !w.is_empty() {
        if w.one_of(&["-role", "-uri"], "")? == "-role" {
            let word = w.next().ok_or_else(|| w.error_next(ROLE))?;
            let read: ReplicatorRole = word.parse().map_err(|_| w.error_previous(ROLE))?;
            // trepctl hands the word to the replicator unchanged, which keeps it as the role
            // and compares it as spelt (open-source `OpenReplicatorManager`: `setRole` stores
            // it, `FlushAction` checks `ROLE_MASTER.equals(getRole())`, and trepctl's
            // `doOnline` `getRole().equals("slave")`): `MASTER` is not the master role there,
            // so a plan counting on it must not read as if it were (helper-138 R3). The same
            // holds for the newer names `primary` and `replica`, which the model's role reads
            // elsewhere but which are no role the replicator knows (Continuent docs
            // *operations-status-repl-roles*,
            // <https://docs.continuent.com/tungsten-clustering-7.1/operations-status-repl-roles.html>,
            // lists master, slave, relay, thl-server, thl-client and thl-applier; helper-144
            // found `-role primary` read as the master role).
            if word != read.to_string() {
                return Err(w.error_previous(format!(
                    "a role spelt as the replicator compares it (`{read}`): trepctl passes the \
                     word on unchanged"
                )));
            }
            role = Some(read);
        } else {
            uri = Some(thl_uri(w)?);
        }
    }
    let Some(role) = role else {
        return Err(w.error_next("`-role`"));
    };
    Ok(TrepctlAction::SetRole { role, uri })
}

fn wait(w: &mut Words<'_>) -> Result<TrepctlAction, ParseError> {
    let until = match w.one_of(&["-state", "-applied"], "a wait condition")? {
        "-state" => {
            const WHAT: &str = "a replicator state such as ONLINE or OFFLINE:NORMAL";
            let word = w.next().ok_or_else(|| w.error_next(WHAT))?;
            let state: ReplicatorState = word.parse().map_err(|_| w.error_previous(WHAT))?;
            // The replicator looks the name up as spelt (open-source `OpenReplicatorManager`,
            // `waitForState`, through `StateTransitionMap.getStateByName`'s `equals`) and
            // fails the wait with "Unknown state name" otherwise (helper-138 R3: `-state
            // online` was read as `ONLINE`).
            if word != state.to_string() {
                return Err(w.error_previous(format!(
                    "a state spelt as the replicator names it (`{state}`): it compares state \
                     names as spelt, and fails the wait on any other"
                )));
            }
            // A word only the manager prints in `ls` is never reported by the replicator, so a
            // wait on it never ends (helper-94 F5: it read as a wait "not modelled"). `OFFLINE`
            // aside: it is also the parent of the replicator's OFFLINE:NORMAL and OFFLINE:ERROR
            // in its state map, and the wait matches a state by the start of its name, so
            // `-state OFFLINE` ends on either (open-source `OpenReplicatorManager`, which adds
            // `OFFLINE` to the map, and the FSM library's `StateTransitionLatch`, which
            // compares with `startsWith`; helper-141 found it refused).
            if state.is_manager_summary() && state != ReplicatorState::Offline {
                return Err(w.error_previous(
                    "a state the replicator reports (ONLINE, OFFLINE:NORMAL, OFFLINE:ERROR, \
                     GOING-ONLINE:SYNCHRONIZING, ...) or OFFLINE (either of the two): this word \
                     is the manager's summary in `ls`, which trepctl never reports, so the wait \
                     would not end",
                ));
            }
            WaitFor::State(state)
        }
        _ => WaitFor::Applied(seqno(w)?),
    };
    Ok(TrepctlAction::Wait {
        until,
        limit: limit(w)?,
    })
}

/// The rest of the words, each one of the flags `names` (in any order): which were given.
fn flags<const N: usize>(
    w: &mut Words<'_>,
    names: [&'static str; N],
    what: &str,
) -> Result<[bool; N], ParseError> {
    let mut given = [false; N];
    while !w.is_empty() {
        let name = w.one_of(&names, what)?;
        for (flag, n) in given.iter_mut().zip(names) {
            *flag |= n == name;
        }
    }
    Ok(given)
}

/// What `online` expects where a second restart point is given.
const BOTH_RESTART_POINTS: &str = "an online option other than this one (trepctl takes one restart point: `-from-event`, `-provision <event>` or `-base-seqno`)";

fn online_options(w: &mut Words<'_>) -> Result<OnlineOptions, ParseError> {
    let mut o = OnlineOptions::default();
    while !w.is_empty() {
        let option = w.one_of(
            &[
                "-force",
                "-all-services",
                "-skip-seqno",
                "-from-event",
                "-base-seqno",
                "-no-checksum",
                "-provision",
                "-until-seqno",
                "-until-event",
                "-until-heartbeat",
                "-until-time",
            ],
            "an online option",
        )?;
        // trepctl refuses the pair: both say where replication restarts (open-source
        // `OpenReplicatorManagerCtrl`, `doOnline`; `-provision <event>` sets the same event
        // as `-from-event`).
        let from_event =
            o.from_event.is_some() || o.provision.as_ref().is_some_and(|p| p.scn.is_some());
        if (option == "-from-event" && o.base_seqno.is_some())
            || (option == "-base-seqno" && from_event)
        {
            return Err(w.error_previous(BOTH_RESTART_POINTS));
        }
        match option {
            "-force" => o.force = true,
            "-all-services" => o.all_services = true,
            "-skip-seqno" => o.skip_seqno = Some(SeqnoSet::parse(w)?),
            "-from-event" => o.from_event = Some(OptionValue::parse(w, "an event id")?),
            "-base-seqno" => o.base_seqno = Some(seqno(w)?),
            "-no-checksum" => o.no_checksum = true,
            "-provision" => {
                let scn = match w.peek() {
                    Some(scn) if !scn.starts_with('-') => {
                        Some(OptionValue::parse(w, "an SCN to provision from")?)
                    }
                    _ => None,
                };
                if scn.is_some() && o.base_seqno.is_some() {
                    return Err(w.error_previous(BOTH_RESTART_POINTS));
                }
                o.provision = Some(OnlineProvision { scn });
            }
            _ => o.until = Some(StopPoint::parse(&option["-until-".len()..], w)?),
        }
    }
    Ok(o)
}

/// The next word as a number.
fn number<T: FromStr>(w: &mut Words<'_>, what: &str) -> Result<T, ParseError> {
    let word = w.next().ok_or_else(|| w.error_next(what))?;
    word.parse().map_err(|_| w.error_previous(what))
}

/// An optional `-limit S`.
fn limit(w: &mut Words<'_>) -> Result<Option<u32>, ParseError> {
    if w.is_empty() {
        return Ok(None);
    }
    // Taken as `one_of` takes a choice, so that `-LIMIT` is told how trepctl spells it (a
    // review found it told only that the command should have ended there).
    w.one_of_described(&["-limit"], "`-limit` or the end of the command")?;
    number(w, "a limit in seconds").map(Some)
}

fn thl_uri(w: &mut Words<'_>) -> Result<ThlUri, ParseError> {
    const URI: &str = "a THL URI such as `thl://db1:2112/`";
    let word = w.next().ok_or_else(|| w.error_next(URI))?;
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
        if let Some(port) = self.port {
            write!(f, "-port {port} ")?;
        }
        match self.retry {
            Some(Retry::Default) => f.write_str("-retry ")?,
            Some(Retry::Seconds(n)) => write!(f, "-retry {n} ")?,
            None => {}
        }
        if let Some(service) = &self.service {
            write!(f, "-service {service} ")?;
        }
        if self.verbose {
            f.write_str("-verbose ")?;
        }
        write!(f, "{}", self.action)
    }
}

/// ` text` when `on`.
fn flag(f: &mut fmt::Formatter<'_>, on: bool, text: &str) -> fmt::Result {
    if on { write!(f, " {text}") } else { Ok(()) }
}

/// ` option value` when there is a value.
fn option<T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    option: &str,
    value: Option<&T>,
) -> fmt::Result {
    match value {
        Some(v) => write!(f, " {option} {v}"),
        None => Ok(()),
    }
}

impl fmt::Display for OnlineOptions {
    /// The options as typed after `online`, each with a leading space.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        flag(f, self.force, "-force")?;
        flag(f, self.all_services, "-all-services")?;
        option(f, "-skip-seqno", self.skip_seqno.as_ref())?;
        option(f, "-from-event", self.from_event.as_ref())?;
        option(f, "-base-seqno", self.base_seqno.as_ref())?;
        flag(f, self.no_checksum, "-no-checksum")?;
        match &self.provision {
            Some(OnlineProvision { scn: Some(scn) }) => write!(f, " -provision {scn}")?,
            Some(OnlineProvision { scn: None }) => f.write_str(" -provision")?,
            None => {}
        }
        match &self.until {
            Some(point) => write!(f, " -until-{point}"),
            None => Ok(()),
        }
    }
}

impl fmt::Display for TrepctlAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Online(o) => write!(f, "online{o}"),
            Self::Offline {
                all_services,
                immediate,
            } => {
                f.write_str("offline")?;
                flag(f, *all_services, "-all-services")?;
                flag(f, *immediate, "-immediate")
            }
            Self::OfflineDeferred { at } => {
                f.write_str("offline-deferred")?;
                match at {
                    Some(point) => write!(f, " -at-{point}"),
                    None => Ok(()),
                }
            }
            Self::Reset { confirmed, scope } => {
                f.write_str("reset")?;
                match scope {
                    Some(ResetScope::All) => f.write_str(" -all")?,
                    Some(ResetScope::Thl) => f.write_str(" -thl")?,
                    Some(ResetScope::Relay) => f.write_str(" -relay")?,
                    Some(ResetScope::Db) => f.write_str(" -db")?,
                    None => {}
                }
                flag(f, *confirmed, "-y")
            }
            Self::SetRole { role, uri } => {
                write!(f, "setrole -role {role}")?;
                option(f, "-uri", uri.as_ref())
            }
            Self::Status { name, json } => {
                f.write_str("status")?;
                option(f, "-name", name.as_ref())?;
                flag(f, *json, "-json")
            }
            Self::Flush { limit } => {
                f.write_str("flush")?;
                option(f, "-limit", limit.as_ref())
            }
            Self::Heartbeat { name, tz } => {
                f.write_str("heartbeat")?;
                option(f, "-name", name.as_ref())?;
                option(f, "-tz", tz.as_ref())
            }
            Self::Services { full, json } => {
                f.write_str("services")?;
                flag(f, *full, "-full")?;
                flag(f, *json, "-json")
            }
            Self::Wait { until, limit } => {
                match until {
                    WaitFor::State(state) => write!(f, "wait -state {state}")?,
                    WaitFor::Applied(seqno) => write!(f, "wait -applied {seqno}")?,
                }
                option(f, "-limit", limit.as_ref())
            }
            Self::Info(info) => info.fmt(f),
        }
    }
}

impl crate::text::Named for TrepctlInfo {
    const WHAT: &'static str = "a trepctl information command";
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
            "online -skip-seqno 10,12-14,16,19-20",
            "online -force -all-services -no-checksum",
            "online -from-event mysql-bin.000004:0000000000000412;0",
            "online -base-seqno 100",
            "online -until-seqno 3456",
            "online -until-event mysql-bin.000004:0000000000000412;0",
            "online -until-heartbeat",
            "online -until-heartbeat upgrade",
            "online -until-time 2013-09-03_15:00:00",
            "offline -all-services -immediate",
            "offline-deferred",
            "offline-deferred -at-seqno 3456",
            "offline-deferred -at-heartbeat",
            "offline-deferred -at-time 2013-09-03_15:00:00",
            "-host db2 -port 10002 -retry 3 -service east -verbose status -name stages -json",
            "-retry status",
            "online -provision",
            "online -provision mysql-bin.000001:0000000000000004 -no-checksum",
            "services -full -json",
            "heartbeat -name upgrade",
            "heartbeat -name upgrade -tz UTC",
            "heartbeat -tz America/New_York",
            "help",
            "flush -limit 30",
            "wait -state ONLINE",
            "wait -state OFFLINE:NORMAL -limit 60",
            "wait -applied 3456",
            "capabilities",
            "qs",
            "version",
            "properties -filter replicator.store.thl -values",
            "clients -json",
            "perf",
            "-service alpha qs",
        ] {
            let c: TrepctlCommand = line.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(
                c.to_string().parse::<TrepctlCommand>().unwrap(),
                c,
                "{line}"
            );
        }
    }

    /// trepctl reads `setrole`'s `-role` and `-uri` in either order (open-source
    /// `OpenReplicatorManagerCtrl`, `doSetRole`), and a line without `-role` is refused at
    /// its end (an operator's review, helper-135: `-uri` first was refused).
    #[test]
    fn setrole_reads_its_options_in_either_order() {
        let uri_first: TrepctlCommand = "setrole -uri thl://db1:2112/ -role slave".parse().unwrap();
        let role_first: TrepctlCommand =
            "setrole -role slave -uri thl://db1:2112/".parse().unwrap();
        assert_eq!(uri_first, role_first);
        let no_role = "setrole -uri thl://db1:2112/"
            .parse::<TrepctlCommand>()
            .unwrap_err();
        insta::assert_snapshot!(no_role.to_string(), @"line 1, column 29: expected `-role`, found the end of the command");
        let twice = "setrole -role slave -uri thl://db1/ -uri"
            .parse::<TrepctlCommand>()
            .unwrap_err();
        insta::assert_snapshot!(twice.to_string(), @"line 1, column 41: expected a THL URI such as `thl://db1:2112/`, found the end of the command");
    }

    /// trepctl keeps the last of an option given twice, whichever came first (open-source
    /// `OpenReplicatorManagerCtrl`, `doSetRole`): `-uri` twice before `-role` reads too, as
    /// the last URI (a review found it refused, against the loop it models).
    #[test]
    fn setrole_keeps_the_last_of_an_option_given_twice() {
        let uri_twice: TrepctlCommand =
            "setrole -uri thl://db1:2112/ -uri thl://db3:2112/ -role slave"
                .parse()
                .unwrap();
        let once: TrepctlCommand = "setrole -role slave -uri thl://db3:2112/".parse().unwrap();
        assert_eq!(uri_twice, once);
        let bare = "setrole".parse::<TrepctlCommand>().unwrap_err();
        insta::assert_snapshot!(bare.to_string(), @"line 1, column 8: expected `-role`, found the end of the command");
    }

    /// `-limit` after `flush` and `wait` is spelt as trepctl spells it, and an error says so
    /// rather than that the command should have ended (a review found `-LIMIT` told only that).
    #[test]
    fn a_miscased_limit_is_told_how_to_spell_it() {
        let flush = "flush -LIMIT 5".parse::<TrepctlCommand>().unwrap_err();
        insta::assert_snapshot!(flush.to_string(), @"line 1, column 7: expected `-limit`, spelt so (trepctl reads its command and option words case by case, and knows no `-LIMIT`), found `-LIMIT`");
        let wait = "wait -applied 5 -Limit 5"
            .parse::<TrepctlCommand>()
            .unwrap_err();
        insta::assert_snapshot!(wait.to_string(), @"line 1, column 17: expected `-limit`, spelt so (trepctl reads its command and option words case by case, and knows no `-Limit`), found `-Limit`");
        let other = "flush 5".parse::<TrepctlCommand>().unwrap_err();
        insta::assert_snapshot!(other.to_string(), @"line 1, column 7: expected `-limit` or the end of the command, found `5`");
        let read: TrepctlCommand = "flush -limit 5".parse().unwrap();
        assert_eq!(read.action, TrepctlAction::Flush { limit: Some(5) });
    }

    /// The shell drops the quotes around `-host` and `-service` before trepctl reads them
    /// (an operator's review, helper-135: `-service 'alpha'` was refused); a bad character
    /// inside the quotes is located there.
    #[test]
    fn quoted_connection_options_read_as_the_shell_passes_them() {
        let quoted: TrepctlCommand = "-host 'db2' -service \"alpha\" offline".parse().unwrap();
        let plain: TrepctlCommand = "-host db2 -service alpha offline".parse().unwrap();
        assert_eq!(quoted, plain);
        let bad = "-service 'al!pha' offline"
            .parse::<TrepctlCommand>()
            .unwrap_err();
        assert_eq!(bad.span().column, 13);
        insta::assert_snapshot!(bad.to_string(), @"line 1, column 13: expected the service after `-service`: letters, digits, `-`, `_` or `.`, starting with a letter or digit, found `!` in `al!pha`");
    }

    /// Every word of a trepctl line reads as the shell passes it on, a pair of quotes around
    /// it dropped, whatever option it belongs to (helper-138 R1: only `-host` and `-service`
    /// were, so `-seqno '100'` or `-state 'ONLINE'` read with their quotes and were refused).
    #[test]
    fn every_quoted_word_reads_as_the_shell_passes_it() {
        for (quoted, plain) in [
            ("online -until-seqno '100'", "online -until-seqno 100"),
            (
                "online -skip-seqno \"10,12-14\"",
                "online -skip-seqno 10,12-14",
            ),
            (
                "online -from-event 'mysql-bin.000004:0000000000000412;0'",
                "online -from-event mysql-bin.000004:0000000000000412;0",
            ),
            (
                "online -base-seqno \"7\" -force",
                "online -base-seqno 7 -force",
            ),
            (
                "offline-deferred -at-seqno '10'",
                "offline-deferred -at-seqno 10",
            ),
            (
                "offline-deferred -at-heartbeat 'hb'",
                "offline-deferred -at-heartbeat hb",
            ),
            (
                "online -until-time '2013-09-03_15:00:00'",
                "online -until-time 2013-09-03_15:00:00",
            ),
            (
                "setrole -role 'slave' -uri \"thl://db1:2112/\"",
                "setrole -role slave -uri thl://db1:2112/",
            ),
            (
                "wait -state 'ONLINE' -limit '30'",
                "wait -state ONLINE -limit 30",
            ),
            ("wait -applied \"5\"", "wait -applied 5"),
            (
                "heartbeat -name 'upgrade' -tz 'UTC'",
                "heartbeat -name upgrade -tz UTC",
            ),
            ("status -name 'stages'", "status -name stages"),
            ("flush -limit '10'", "flush -limit 10"),
            (
                "-port '10000' -retry '3' status",
                "-port 10000 -retry 3 status",
            ),
            ("'offline' '-immediate'", "offline -immediate"),
            (
                "-service 'alpha' reset '-all' -y",
                "-service alpha reset -all -y",
            ),
        ] {
            let read: TrepctlCommand = quoted.parse().unwrap_or_else(|e| panic!("{quoted}: {e}"));
            assert_eq!(read, plain.parse().unwrap(), "{quoted}");
        }
        // A word quoted in part is read as typed; an error inside the quotes points there.
        assert!(
            "setrole -role slave -uri thl://'db1'/"
                .parse::<TrepctlCommand>()
                .is_err()
        );
        let bad = "online -skip-seqno '10,x'"
            .parse::<TrepctlCommand>()
            .unwrap_err();
        insta::assert_snapshot!(bad, @"line 1, column 24: expected seqnos to skip (each from 0 to 9223372036854775807), such as `10`, `10-20` or `10,12-14`, found `x`");
        let bad = "wait -state 'RUNNING'"
            .parse::<TrepctlCommand>()
            .unwrap_err();
        insta::assert_snapshot!(bad, @"line 1, column 13: expected a replicator state such as ONLINE or OFFLINE:NORMAL, found `'RUNNING'`");
    }

    /// trepctl's `services` and `clients` pass over a word they do not know, and the line
    /// runs (open-source `OpenReplicatorManagerCtrl`, `doServices`, `doClients`); `properties`
    /// refuses one (`doProperties`). helper-138 R2 found `services` refusing them.
    #[test]
    fn services_and_clients_pass_over_words_they_do_not_know() {
        let services: TrepctlCommand = "services -name alpha -full -verbose".parse().unwrap();
        assert_eq!(
            services.action,
            TrepctlAction::Services {
                full: true,
                json: false
            }
        );
        assert!(!services.changes_state());
        // Still read as spelt: `-JSON` is one of the words passed over.
        let upper: TrepctlCommand = "services -JSON".parse().unwrap();
        assert_eq!(upper, "services".parse().unwrap());
        let clients: TrepctlCommand = "clients -service alpha".parse().unwrap();
        assert_eq!(clients.action, TrepctlAction::Info(TrepctlInfo::Clients));
        let properties = "properties -filter a -full"
            .parse::<TrepctlCommand>()
            .unwrap_err();
        insta::assert_snapshot!(properties, @"line 1, column 22: expected a properties option (-filter or -values), found `-full`");
    }

    /// The values of `setrole -role` and `wait -state` are read as spelt too: the replicator
    /// keeps the role as given and compares it as spelt, and looks a state name up as spelt
    /// (open-source `OpenReplicatorManager`, `setRole`, `waitForState`), so `-role MASTER`
    /// is not the master role and `-state online` is an unknown state (helper-138 R3: both
    /// read in any case).
    #[test]
    fn role_and_state_values_are_read_as_spelt() {
        let errors: Vec<String> = [
            "setrole -role MASTER",
            "setrole -role Slave -uri thl://db1:2112/",
            // The newer names the model reads in listings are no role trepctl passes on
            // (helper-144).
            "setrole -role primary",
            "setrole -role replica -uri thl://db1:2112/",
            "wait -state online",
            "wait -state Offline:Normal -limit 5",
        ]
        .iter()
        .map(|line| line.parse::<TrepctlCommand>().unwrap_err().to_string())
        .collect();
        insta::assert_snapshot!(errors.join("\n"), @"
        line 1, column 15: expected a role spelt as the replicator compares it (`master`): trepctl passes the word on unchanged, found `MASTER`
        line 1, column 15: expected a role spelt as the replicator compares it (`slave`): trepctl passes the word on unchanged, found `Slave`
        line 1, column 15: expected a role spelt as the replicator compares it (`master`): trepctl passes the word on unchanged, found `primary`
        line 1, column 15: expected a role spelt as the replicator compares it (`slave`): trepctl passes the word on unchanged, found `replica`
        line 1, column 13: expected a state spelt as the replicator names it (`ONLINE`): it compares state names as spelt, and fails the wait on any other, found `online`
        line 1, column 13: expected a state spelt as the replicator names it (`OFFLINE:NORMAL`): it compares state names as spelt, and fails the wait on any other, found `Offline:Normal`
        ");
        for line in [
            "setrole -role master",
            "setrole -role thl-server",
            "wait -state ONLINE",
            "wait -state OFFLINE:NORMAL",
            "wait -state OFFLINE",
        ] {
            assert!(line.parse::<TrepctlCommand>().is_ok(), "{line}");
        }
    }

    /// `provision` reads as serialised now and as the bool earlier builds wrote.
    #[test]
    fn provision_reads_the_earlier_flag_too() {
        let options = OnlineOptions {
            provision: Some(OnlineProvision {
                scn: Some(OptionValue::new("1234").unwrap()),
            }),
            ..OnlineOptions::default()
        };
        let json = serde_json::to_value(&options).unwrap();
        assert_eq!(
            serde_json::from_value::<OnlineOptions>(json.clone()).unwrap(),
            options
        );
        let with = |flag: serde_json::Value| {
            let mut old = json.clone();
            old["provision"] = flag;
            serde_json::from_value::<OnlineOptions>(old)
                .unwrap()
                .provision
        };
        assert_eq!(with(true.into()), Some(OnlineProvision { scn: None }));
        assert_eq!(with(false.into()), None);
        assert_eq!(with(serde_json::Value::Null), None);
    }

    /// trepctl compares its command and option words as spelt (`equals`, open-source
    /// `OpenReplicatorManagerCtrl`): in another case it knows none of them and does nothing,
    /// so the line is refused, saying how to spell the word; `reset`'s scopes are the
    /// exception (`equalsIgnoreCase`). An operator's review (helper-135) found `trepctl ONLINE`
    /// read as `online`, a step a VALID plan counted on that would do nothing.
    #[test]
    fn command_and_option_words_are_read_as_spelt() {
        for &info in <TrepctlInfo as strum::VariantArray>::VARIANTS {
            let upper = info.to_string().to_uppercase();
            assert!(upper.parse::<TrepctlCommand>().is_err(), "{upper}");
        }
        let errors: Vec<String> = [
            "ONLINE",
            "Offline",
            "LOAD",
            "-SERVICE alpha offline",
            "-service alpha Backup",
            "online -SKIP-SEQNO 5",
            "offline -Immediate",
            "reset -all -Y",
            "setrole -ROLE slave",
        ]
        .iter()
        .map(|line| line.parse::<TrepctlCommand>().unwrap_err().to_string())
        .collect();
        insta::assert_snapshot!(errors.join("\n"));
        // The reset scopes in any case, as trepctl reads them.
        let upper: TrepctlCommand = "-service alpha reset -ALL -y".parse().unwrap();
        let lower: TrepctlCommand = "-service alpha reset -all -y".parse().unwrap();
        assert_eq!(upper, lower);
    }

    /// The commands that only print change nothing; their options are read past.
    #[test]
    fn commands_that_only_print_change_nothing() {
        for &info in <TrepctlInfo as strum::VariantArray>::VARIANTS {
            let c: TrepctlCommand = info.to_string().parse().unwrap();
            assert_eq!(c.action, TrepctlAction::Info(info));
            assert!(!c.changes_state(), "{info}");
        }
        let c: TrepctlCommand = "properties -filter a.b -values".parse().unwrap();
        assert_eq!(c.action, TrepctlAction::Info(TrepctlInfo::Properties));
        assert!("online".parse::<TrepctlCommand>().unwrap().changes_state());
    }

    /// A word that cannot be an option's value is refused where one is expected, with the
    /// rule it breaks (before, `-from-event -force` read `-force` as the event id).
    #[test]
    fn option_values_follow_their_rule() {
        let error = |line: &str| line.parse::<TrepctlCommand>().unwrap_err().to_string();
        assert_eq!(
            error("online -from-event -force"),
            "line 1, column 20: expected an event id (an option's value cannot start with `-`: it \
             would read as the next option), found `-force`"
        );
        assert_eq!(
            error("heartbeat -name a&b"),
            "line 1, column 17: expected a heartbeat name (an option's value cannot hold `&`: the \
             line would read as more than the one command the model reads), found `a&b`"
        );
        assert_eq!(
            error("online -provision a;"),
            "line 1, column 19: expected an SCN to provision from (an option's value cannot hold \
             `;`: the line would read as more than the one command the model reads), found `a;`"
        );
        assert_eq!(
            error("online -until-time 2026-12-05"),
            "line 1, column 20: expected a time as YYYY-MM-DD_hh:mm:ss, found `2026-12-05`"
        );
        // A value built in code or read from JSON follows the same rule.
        let mut json = serde_json::to_value(OnlineOptions::default()).unwrap();
        json["from_event"] = "mysql-bin.000003:0000000000000401;-1".into();
        assert!(serde_json::from_value::<OnlineOptions>(json.clone()).is_ok());
        json["from_event"] = "a b".into();
        let err = serde_json::from_value::<OnlineOptions>(json).unwrap_err();
        assert!(err.to_string().contains("cannot hold a blank"), "{err}");
        assert!(crate::command::StopTime::new("2026-12-05 12:00:00").is_err());
    }

    /// `-provision` takes an SCN when the next word is not an option (Continuent docs
    /// *cmdline-tools-trepctl-command-online*: `-provision [SCN]`); it used to be read as a
    /// flag alone, so `online -provision 1234` was an error at `1234`.
    #[test]
    fn provision_takes_an_optional_scn() {
        let provision = |line: &str| match line.parse::<TrepctlCommand>().unwrap().action {
            TrepctlAction::Online(o) => o.provision,
            other => panic!("{other:?}"),
        };
        let scn = |s: &str| {
            Some(OnlineProvision {
                scn: Some(OptionValue::new(s).unwrap()),
            })
        };
        assert_eq!(provision("online -provision 1234"), scn("1234"));
        assert_eq!(
            provision("online -provision -force"),
            Some(OnlineProvision { scn: None })
        );
        assert_eq!(
            provision("online -provision"),
            Some(OnlineProvision { scn: None })
        );
        assert_eq!(provision("online -force"), None);
        let twice = "online -provision 1 2"
            .parse::<TrepctlCommand>()
            .unwrap_err();
        insta::assert_snapshot!(twice, @"line 1, column 21: expected an online option (-force, -all-services, -skip-seqno, -from-event, -base-seqno, -no-checksum, -provision, -until-seqno, -until-event, -until-heartbeat or -until-time), found `2`");
    }

    /// `-all-services` reads the same before the command as after it, and before any command
    /// but `online` and `offline` it is an error at that command's column.
    #[test]
    fn all_services_may_come_before_online_or_offline() {
        let parse = |line: &str| line.parse::<TrepctlCommand>();
        assert_eq!(
            parse("-all-services offline").unwrap(),
            parse("offline -all-services").unwrap()
        );
        assert_eq!(
            parse("-service alpha -all-services online -force").unwrap(),
            parse("-service alpha online -all-services -force").unwrap()
        );
        insta::assert_snapshot!(parse("-host db2 -all-services status").unwrap_err(), @"line 1, column 25: expected `online` or `offline` after `-all-services` (the commands it applies to), found `status`");
    }

    /// A heartbeat saved before `-tz` was read (no `tz` field) still loads.
    #[test]
    fn a_heartbeat_saved_without_a_time_zone_loads() {
        let action = TrepctlAction::Heartbeat {
            name: Some(OptionValue::new("upgrade").unwrap()),
            tz: None,
        };
        let mut json = serde_json::to_value(&action).unwrap();
        let removed = json
            .as_object_mut()
            .and_then(|o| o.values_mut().next())
            .and_then(|v| v.as_object_mut())
            .and_then(|o| o.remove("tz"));
        assert_eq!(removed, Some(serde_json::Value::Null), "{json}");
        assert_eq!(
            serde_json::from_value::<TrepctlAction>(json).unwrap(),
            action
        );
    }

    /// Each reset option names its own scope; a second scope is an error, as trepctl refuses
    /// it (found by an operator's review: `reset -thl -relay` read as `-relay`).
    #[test]
    fn reset_reads_its_scope() {
        let scope = |line: &str| match line.parse::<TrepctlCommand>().map(|c| c.action) {
            Ok(TrepctlAction::Reset { scope, confirmed }) => (scope, confirmed),
            other => panic!("{line}: {other:?}"),
        };
        assert_eq!(scope("reset"), (None, false));
        assert_eq!(scope("reset -all -y"), (Some(ResetScope::All), true));
        assert_eq!(scope("reset -thl"), (Some(ResetScope::Thl), false));
        assert_eq!(scope("reset -relay"), (Some(ResetScope::Relay), false));
        assert_eq!(scope("reset -db"), (Some(ResetScope::Db), false));
        assert_eq!(scope("reset -y -db"), (Some(ResetScope::Db), true));
        insta::assert_snapshot!("reset -thl -relay -y".parse::<TrepctlCommand>().unwrap_err(), @"line 1, column 12: expected `-y` or the end of the command (trepctl takes one of `-all`, `-thl`, `-relay` and `-db`, and refuses a second), found `-relay`");
    }

    /// Only `status`, `services` and `wait` leave the replicator as it was.
    #[test]
    fn which_commands_change_the_state() {
        let changes = |line: &str| line.parse::<TrepctlCommand>().unwrap().changes_state();
        for line in ["status", "services -full", "wait -state ONLINE"] {
            assert!(!changes(line), "{line}");
        }
        for line in [
            "online",
            "offline",
            "reset -all -y",
            "setrole -role master",
            "heartbeat",
        ] {
            assert!(changes(line), "{line}");
        }
    }

    #[test]
    fn refusals() {
        insta::assert_snapshot!("-service east rest -all".parse::<TrepctlCommand>().unwrap_err(), @"line 1, column 15: expected a trepctl command (online, offline, offline-deferred, reset, setrole, status, flush, heartbeat, services, wait, capabilities, qs, version, properties, clients, perf or help), found `rest`");
        insta::assert_snapshot!("setrole -role boss".parse::<TrepctlCommand>().unwrap_err(), @"line 1, column 15: expected a role (master, slave, relay, thl-server, thl-client or thl-applier), found `boss`");
        insta::assert_snapshot!("setrole -role slave -uri db1".parse::<TrepctlCommand>().unwrap_err(), @"line 1, column 26: expected a THL URI such as `thl://db1:2112/`, found `db1`");
        insta::assert_snapshot!("online -skip-seqno 10,x".parse::<TrepctlCommand>().unwrap_err(), @"line 1, column 23: expected seqnos to skip (each from 0 to 9223372036854775807), such as `10`, `10-20` or `10,12-14`, found `x`");
        insta::assert_snapshot!("online -until-time 2013-09-03".parse::<TrepctlCommand>().unwrap_err(), @"line 1, column 20: expected a time as YYYY-MM-DD_hh:mm:ss, found `2013-09-03`");
        insta::assert_snapshot!("online -skip".parse::<TrepctlCommand>().unwrap_err(), @"line 1, column 8: expected an online option (-force, -all-services, -skip-seqno, -from-event, -base-seqno, -no-checksum, -provision, -until-seqno, -until-event, -until-heartbeat or -until-time), found `-skip`");
        insta::assert_snapshot!("wait -state RUNNING".parse::<TrepctlCommand>().unwrap_err(), @"line 1, column 13: expected a replicator state such as ONLINE or OFFLINE:NORMAL, found `RUNNING`");
        // The manager's words in `ls`, which the replicator never reports (helper-94 F5).
        for word in ["SUSPECT", "STOPPED", "DEGRADED"] {
            let e = format!("wait -state {word}")
                .parse::<TrepctlCommand>()
                .unwrap_err();
            assert!(
                e.expected().contains("the manager's summary in `ls`"),
                "{e}"
            );
            assert_eq!(e.found(), format!("`{word}`"));
        }
        insta::assert_snapshot!("offline-deferred -at-seqno".parse::<TrepctlCommand>().unwrap_err(), @"line 1, column 27: expected a seqno from 0 to 9223372036854775807, found the end of the command");
        insta::assert_snapshot!("-port 99999 status".parse::<TrepctlCommand>().unwrap_err(), @"line 1, column 7: expected a port, found `99999`");
        // Seqnos stop at 2^63 - 1 wherever trepctl takes one; the largest itself reads.
        insta::assert_snapshot!("offline-deferred -at-seqno 9223372036854775808".parse::<TrepctlCommand>().unwrap_err(), @"line 1, column 28: expected a seqno from 0 to 9223372036854775807, found `9223372036854775808`");
        insta::assert_snapshot!("online -until-seqno -1".parse::<TrepctlCommand>().unwrap_err(), @"line 1, column 21: expected a seqno from 0 to 9223372036854775807, found `-1`");
        insta::assert_snapshot!("online -base-seqno 9223372036854775808".parse::<TrepctlCommand>().unwrap_err(), @"line 1, column 20: expected a seqno from 0 to 9223372036854775807, found `9223372036854775808`");
        insta::assert_snapshot!("wait -applied 18446744073709551615".parse::<TrepctlCommand>().unwrap_err(), @"line 1, column 15: expected a seqno from 0 to 9223372036854775807, found `18446744073709551615`");
        for line in [
            "offline-deferred -at-seqno 9223372036854775807",
            "online -base-seqno 9223372036854775807",
            "wait -applied 9223372036854775807",
        ] {
            assert!(line.parse::<TrepctlCommand>().is_ok(), "{line}");
        }
        insta::assert_snapshot!("online -from-event mysql-bin.000004:0000000000000107 -base-seqno 5".parse::<TrepctlCommand>().unwrap_err(), @"line 1, column 54: expected an online option other than this one (trepctl takes one restart point: `-from-event`, `-provision <event>` or `-base-seqno`), found `-base-seqno`");
        insta::assert_snapshot!("online -base-seqno 5 -force -from-event e".parse::<TrepctlCommand>().unwrap_err(), @"line 1, column 29: expected an online option other than this one (trepctl takes one restart point: `-from-event`, `-provision <event>` or `-base-seqno`), found `-from-event`");
        insta::assert_snapshot!("online -base-seqno 5 -provision mysql-bin.000004:0000000000000107".parse::<TrepctlCommand>().unwrap_err(), @"line 1, column 33: expected an online option other than this one (trepctl takes one restart point: `-from-event`, `-provision <event>` or `-base-seqno`), found `mysql-bin.000004:0000000000000107`");
        insta::assert_snapshot!("online -provision e -base-seqno 5".parse::<TrepctlCommand>().unwrap_err(), @"line 1, column 21: expected an online option other than this one (trepctl takes one restart point: `-from-event`, `-provision <event>` or `-base-seqno`), found `-base-seqno`");
        assert!(
            "online -provision -base-seqno 5"
                .parse::<TrepctlCommand>()
                .is_ok()
        );
        insta::assert_snapshot!("heartbeat -tz".parse::<TrepctlCommand>().unwrap_err(), @"line 1, column 14: expected a time zone such as `UTC`, found the end of the command");
        insta::assert_snapshot!("heartbeat -name a -zone UTC".parse::<TrepctlCommand>().unwrap_err(), @"line 1, column 19: expected a heartbeat option (-name or -tz), found `-zone`");
    }
}
