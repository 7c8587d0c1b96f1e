//! Commands typed in a shell on a host: the Tungsten scripts, known by the executable's base
//! name, with the install known by the path's root (`/opt/continuent/tungsten/...`,
//! `/opt/replicator/tungsten/...`) or, for the cross-site install's `trepctl` and
//! `replicator`, by the executable prefix tpm gives them (`mm_trepctl`; see
//! [`HostCommand::executable_prefix`]). Anything else is kept as a step the model does not
//! know.
//!
//! Rules (Continuent docs *deployment-startupdown*, *cmdline-tools-tprovision*; open-source
//! `deployment_step_services.rb`, `tungsten_provision_slave.rb`):
//! - `startall` starts the install's replicator, manager and connector (the replicator goes
//!   online by itself where it can, as after any plain start); `stopall` stops them. Refused
//!   when nothing would change.
//! - `manager|replicator|connector start|stop|restart` do that to one process, as do `stop
//!   sysd` (*deployall*) and `connector graceful-stop [seconds]` (a stop). `replicator
//!   start|restart offline` starts the replicator with its services OFFLINE: a cross-site
//!   replicator stays so until `mm_trepctl online`; a cluster replicator's managers bring it
//!   online unless in MAINTENANCE (*trepctl-offline*). A plain start brings either online
//!   by itself (*deployment-startupdown*: only an install with `auto-enable=false` needs
//!   its nodes put online by hand; *deployment-startupdown-replicator*: a restart in
//!   MAINTENANCE stops and restarts replication), where its role and source let it: an
//!   applier whose sources lead to the service's master, an extractor with no other
//!   extractor in reach. The scripts' other verbs (`condrestart`, `console`, `dump`,
//!   `install`, `remove`), and `start offline` of the manager or the connector, are kept as
//!   steps the model does not know; `status`, and the connector's `client-list`, only print
//!   (below).
//! - `tungsten_provision_slave` / `tprovision --source <host> [--direct]` runs on the target:
//!   refused when the source is the target, or the source's dataserver cannot be reached; it
//!   shuns the target if its manager runs, takes its replicator offline, copies the source's
//!   data and position (a source in another site gives the target that site's data and a
//!   fresh history), clears the THL, and brings the replicator back (through `datasource
//!   recover` when the manager runs). Online slaves reading from the target that hold events
//!   the copy lacks stop in OFFLINE:ERROR (`machine` module). The scripts' other documented
//!   options (backup method,
//!   threads, ports, messages, `--offline`/`--online`, ...) change nothing the model tracks
//!   and are read past; a line with `--validate`, `-c`/`--create-master` or `--help` is kept
//!   as a step the model does not know.
//! - `trepctl` reads as [`TrepctlCommand`]; its documented commands the model does not know
//!   (`backup`, `restore`, `purge`, `shutdown`, ...) keep the line as a step it does not know.
//! - `systemctl start|stop|restart <unit>` and `service <unit> start|stop|restart`, with
//!   `sudo` or not, act on the units `deployall` installs (`tmanager`, `treplicator` for the
//!   cluster install, `tconnector`; *cmdline-tools-deployall*) as `manager start` and the
//!   like do, and on the dataserver's (`mysqld`, `mysql`, `mariadb`, a modelling decision:
//!   the packages' unit names). A restart is a stop and a start in one step, as for the
//!   scripts' `restart`; the dataserver's and the manager's (by script or unit) give the
//!   managers time to react to the stop (they probe every few seconds,
//!   *manager-failover-tuning*; *deployment-startupdown-manager*: outside MAINTENANCE a
//!   manager restart is treated as a failure; a modelling decision, the conservative
//!   reading). Their other verbs, other units, and `sudo` before anything else are kept as
//!   steps the model does not know.
//! - `tpm validate` checks and changes nothing; `tpm update` leaves the state as it found it
//!   (it sets MAINTENANCE for its run and restores the policy); tpm keeps the words after
//!   its verb and prints them back. One setting a manager policy property
//!   (`--property=policy.fence.masterReplicator=true`, *operations-fencing-primary*) is not
//!   modelled: the model takes the managers' options from the topology. `tpm reset` and the
//!   other tpm commands of the docs' command lists (`purge-thl --auto`, `promote-connector`,
//!   `diag`, ...) are not modelled.
//! - The tools that only read and print (`thl list|info|index|tail`, `tungsten_find_orphaned`,
//!   `tungsten_purge_thl` and `tpm purge-thl` without `--auto`, `tpm query`, the
//!   `check_tungsten_latency|online|services|policy` checks, the process scripts' `status`,
//!   `connector client-list`, `trepctl help`) read as [`HostAction::Inspect`] (`trepctl help`
//!   as [`HostAction::Trepctl`], resolved to the same):
//!   a step that changes nothing, refused only on a host that is down.
//! - A line that chains, backgrounds or substitutes commands (`&&`, `;`, `&`, `$(...)`) is
//!   kept whole as a step the model does not know.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::HostRef;
use super::cctrl::CctrlCommand;
use super::system::{Unit, init_script, system_service};
use super::trepctl::TrepctlCommand;
use super::words::Words;
use crate::text::ParseError;

/// Start, stop or restart a process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Lifecycle {
    /// `start`.
    Start,
    /// `stop`.
    Stop,
    /// `restart`.
    Restart,
}

impl fmt::Display for Lifecycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Start => "start",
            Self::Stop => "stop",
            Self::Restart => "restart",
        })
    }
}

/// What `tpm` is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TpmAction {
    /// `tpm validate`.
    Validate,
    /// `tpm update`.
    Update,
    /// `tpm reset`.
    Reset,
}

/// Which provisioning script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Provisioner {
    /// `tungsten_provision_slave` (before 7.0).
    ProvisionSlave,
    /// `tprovision` (7.0 and later).
    Tprovision,
}

/// A mode flag cctrl is started with (Continuent docs *cmdline-tools-cctrl*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CctrlMode {
    /// `-expert`: expert mode (*cmdline-tools-cctrl-modes*). It changes nothing the model
    /// checks.
    Expert,
    /// `-multi`: the session starts at the root of the data services (`[LOGICAL] / >`), where
    /// `use <service>` chooses one (*operations-composite-switch*). Where the topology has a
    /// single physical service, the root is read as that service, as a `[LOGICAL] / >` prompt
    /// is (**modelling decision**: there is one service a command could mean).
    Multi,
}

impl CctrlMode {
    /// The mode a cctrl flag names (`-expert`, `-multi`), if it names one.
    #[must_use]
    pub fn from_flag(flag: &str) -> Option<Self> {
        match flag {
            "-expert" => Some(Self::Expert),
            "-multi" => Some(Self::Multi),
            _ => None,
        }
    }
}

impl fmt::Display for CctrlMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Expert => "-expert",
            Self::Multi => "-multi",
        })
    }
}

/// What a host command does.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum HostAction {
    /// `startall`.
    StartAll,
    /// `stopall`.
    StopAll,
    /// `manager start|stop|restart`.
    Manager(Lifecycle),
    /// `replicator start|stop|restart`.
    Replicator(Lifecycle),
    /// `replicator start offline` or `replicator restart offline`: the replicator process
    /// starts with its services OFFLINE instead of bringing them online (Continuent docs
    /// *deployment-startupdown-replicator*, *replicator-command*).
    ReplicatorStartOffline {
        /// `restart offline`: the process is stopped first if it runs.
        restart: bool,
    },
    /// `connector start|stop|restart`.
    Connector(Lifecycle),
    /// `connector graceful-stop [seconds]`, or `connector drain [seconds]`, its alias since
    /// 7.0: the connector stops once its connections close, or after the timeout (Continuent
    /// docs *cmdline-tools-tpm-commands-promote-connector*, *cmdline-tools-connector*). The
    /// model stops it as `connector stop` does: it holds no client connections.
    ConnectorGracefulStop {
        /// The timeout, as written.
        seconds: Option<u32>,
        /// Typed as `drain`, and printed back so.
        drain: bool,
    },
    /// `tungsten_provision_slave` / `tprovision`.
    Provision {
        /// Which script.
        tool: Provisioner,
        /// `--source`.
        source: HostRef,
        /// `--direct`.
        direct: bool,
        /// The other options, each as typed with its value (`--xtrabackup`, `-m mysqldump`,
        /// `--threads=8`), in order: they change nothing the model tracks, and print back
        /// after `--source` and `--direct` so an echoed plan shows the backup method chosen.
        #[serde(default)]
        options: Vec<String>,
    },
    /// `tpm validate|update|reset`, with the words after the verb.
    Tpm {
        /// The verb.
        action: TpmAction,
        /// The words after it, as typed (`alpha`, `--replace-release`), each one word as the
        /// shell splits it (no blanks, quotes or `;`, `&`, `|`): they change nothing the
        /// model tracks, and print back after the verb so an echoed plan shows them. A
        /// line setting a manager policy property (`--property=policy.fence...`) is read as
        /// not modelled instead ([`HostAction::NotModelled`]).
        #[serde(default)]
        args: Vec<String>,
    },
    /// `trepctl ...`.
    Trepctl(TrepctlCommand),
    /// `echo '<command>' | cctrl`, `printf '<command>\n' | cctrl` or `cctrl <<< '<command>'`
    /// (printed back in the first form, with cctrl's mode flags as typed).
    Cctrl {
        /// The command typed into cctrl.
        command: CctrlCommand,
        /// cctrl's mode flags, in the order typed (`-expert`, `-multi`). With `-multi` the
        /// command is typed at the root of the data services, not in the host's own service
        /// ([`CctrlMode::Multi`]).
        #[serde(default)]
        modes: Vec<CctrlMode>,
    },
    /// `[sudo] systemctl start|stop|restart <unit>` or `[sudo] service <unit>
    /// start|stop|restart`, for a unit the model knows.
    System {
        /// The unit the model acts on.
        unit: Unit,
        /// Its name as typed (`mysqld`, `tmanager.service`), which is what prints: a value
        /// built by hand with a name of another unit is refused when resolved
        /// ([`crate::machine::ResolveError::UnitName`]).
        name: String,
        /// What is done to it.
        lifecycle: Lifecycle,
        /// Whether the line starts with `sudo`.
        sudo: bool,
    },
    /// The host itself restarted or halted (`reboot`, `shutdown -r now`, `systemctl reboot`,
    /// `init 6`; `poweroff`, `halt`, `shutdown -h now`, `systemctl poweroff`, `init 0`), with
    /// `sudo` or not, the line kept as typed. A reboot brings the host back with the services
    /// its boot starts; a halt leaves it down. An operator review found them not modelled, a
    /// master's reboot under AUTOMATIC read VALID where `stopall` on it read unsafe.
    Power {
        /// A reboot (the host comes back), not a halt.
        reboot: bool,
        /// The line as typed.
        text: String,
    },
    /// `mysqladmin shutdown`, with the line as typed: the dataserver stops, as for
    /// `systemctl stop mysqld` (see the `sql_client` rules in [`HostCommand::parse_line`]'s
    /// module docs).
    DataServerShutdown(String),
    /// `mysql -e '<statement>'` with a statement that writes (`INSERT`, `UPDATE`, `DROP`,
    /// ...), with the line as typed: a write to the host's own dataserver, not through a
    /// connector. On a replica its data no longer matches its master's.
    SqlWrite(String),
    /// A Tungsten tool that only reads and prints, with the whole line as typed: it changes
    /// nothing the model tracks, so a runbook step running it is checked (refused only on a
    /// host that is down) and changes nothing. See [`HostCommand::parse_line`]'s module docs
    /// for the tools.
    Inspect(String),
    /// An executable the model does not know, with the whole line as typed: reported as not
    /// modelled, never as a success.
    NotModelled(String),
}

/// A command typed in a shell on a host.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HostCommand {
    /// The executable as typed (`/opt/continuent/tungsten/cluster-home/bin/startall`,
    /// `trepctl`).
    pub executable: String,
    /// What it does.
    pub action: HostAction,
}

impl HostCommand {
    /// The install root the executable lives under: the part of its path before the last
    /// `/tungsten/` (`/opt/continuent`), or `None` for a bare name. The last, since what
    /// follows an install's `tungsten/` (`cluster-home`, `tungsten-replicator`, ...) holds
    /// none, and a root may: `/opt/tungsten/tungsten/cluster-home/bin/startall` is under
    /// `/opt/tungsten` (a library user's review found it read as under `/opt`, and every
    /// command of a topology installed there refused).
    #[must_use]
    pub fn install_root(&self) -> Option<&str> {
        self.executable
            .rfind("/tungsten/")
            .map(|i| &self.executable[..i])
    }

    /// The executable's base name.
    #[must_use]
    pub fn program(&self) -> &str {
        base(&self.executable)
    }

    /// The executable prefix an install's tool is called by (`mm` in `mm_trepctl`), or `None`
    /// for a tool called by its own name. Only `trepctl` and `replicator` take one here: the
    /// tools the Multi-Site/Active-Active procedures call so (Continuent docs
    /// *deployment-startupdown-msmm-replicator*, *operations-msmm-resetsingle*).
    #[must_use]
    pub fn executable_prefix(&self) -> Option<&str> {
        split_prefix(self.program()).0
    }

    /// A line with a pipe: `echo ls | /opt/continuent/tungsten/tungsten-manager/bin/cctrl`
    /// reads the echoed cctrl command; any other pipe is a step the model does not know.
    fn piped(
        line: &str,
        line_number: usize,
        left: &str,
        right: &str,
        text: String,
    ) -> Result<Self, ParseError> {
        let left_words = Words::new(left, line_number);
        let mut right_words = Words::new(right, line_number);
        // The program's word as bash names it (`| 'cctrl'` runs cctrl, as a quoted first word
        // of a line runs its program: helper-144 found it a step the model does not know).
        let program = program_word(right_words.next().unwrap_or_default());
        let modes = modes_of(right_words.clone());
        // Past `cctrl`, only its mode flags ([`CCTRL_MODE_FLAGS`]): another pipe, a
        // redirection, another word or another option (`-host db2` connects elsewhere; a
        // review, helper-143, found `| cctrl -help` read as running the command) is more than
        // the echoed command reaching this host's manager.
        let only_options = !right.contains(['|', '<', '>', ';'])
            && std::iter::from_fn(|| right_words.next())
                .all(|word| CCTRL_MODE_FLAGS.contains(&word));
        if base(program) == "cctrl"
            && only_options
            && let Some((start, inner)) = fed_to_cctrl(left)
        {
            return Self::fed(line, line_number, program, (start, inner), modes);
        }
        Ok(Self {
            executable: left_words.peek().unwrap_or_default().to_owned(),
            action: HostAction::NotModelled(text),
        })
    }

    /// The cctrl command `inner`, at byte `start` of `line`, typed into `program` (cctrl),
    /// started with `modes`, by a pipe or a here-string.
    fn fed(
        line: &str,
        line_number: usize,
        program: &str,
        (start, inner): (usize, &str),
        modes: Vec<CctrlMode>,
    ) -> Result<Self, ParseError> {
        // Keep columns true to the line: pad the inner command to where it sits.
        let pad = " ".repeat(line.get(..start).map_or(0, |b| b.chars().count()));
        let command = CctrlCommand::parse_line(&format!("{pad}{inner}"), line_number)
            .map_err(|e| e.on_line(line))?;
        Ok(Self {
            executable: program.to_owned(),
            action: HostAction::Cctrl { command, modes },
        })
    }

    /// Read a shell command line (line `line_number` of its input).
    ///
    /// # Errors
    /// A [`ParseError`] when a known script has arguments it does not take. An unknown
    /// executable is not an error: it reads as [`HostAction::NotModelled`] (with the whole
    /// line).
    ///
    /// A tail that only saves or filters what the command prints (`> out.log`, `2>&1`,
    /// `| tee out.log`, `| grep ONLINE`) is read past: the command does the same with it.
    pub fn parse_line(line: &str, line_number: usize) -> Result<Self, ParseError> {
        let text = line.trim().to_owned();
        let line = super::output_tail::start(line).map_or(line, |at| &line[..at]);
        let mut w = Words::new(line, line_number);
        let Some(executable) = w.next() else {
            return Err(w.error_next("a command"));
        };
        let executable = program_word(executable);
        // A line that chains, backgrounds or substitutes commands (`thl list && stopall`,
        // `a; b`, `a &`, `` `b` ``, `$(b)`) is more than the one command the model would read
        // from its start: the whole line is kept as a step it does not know, so nothing after
        // the first command passes unchecked (an independent review found `thl list &&
        // stopall` accepted as changing nothing). Checked before a pipe is read: a second
        // review found `echo ls | cctrl && stopall` read as the piped `ls` alone.
        if chains_commands(line) {
            return Ok(Self {
                executable: executable.to_owned(),
                action: HostAction::NotModelled(text),
            });
        }
        if let Some((left, right)) = line.split_once('|') {
            return Self::piped(line, line_number, left, right, text);
        }
        // `sudo` before `systemctl` or `service` (no options of its own).
        let sudo = base(executable) == "sudo";
        let mut after_sudo = w.clone();
        let program = match after_sudo.peek() {
            Some(next) if sudo && !next.starts_with('-') => {
                after_sudo.next();
                next
            }
            _ => executable,
        };
        let client = super::sql_client::action(base(program), line);
        if let Some(action) = client.or_else(|| os_action(program, &after_sudo, sudo, &text)) {
            w.skip_rest();
            w.end()?;
            return Ok(Self {
                executable: program.to_owned(),
                action: if reads_past_a_chain(line) {
                    HostAction::NotModelled(text)
                } else {
                    action
                },
            });
        }
        // `cctrl <<< 'switch'` types the command into cctrl, as `echo 'switch' | cctrl` does.
        if let Some((fed, modes)) = here_string(line, line_number, executable) {
            return Self::fed(line, line_number, executable, fed, modes);
        }
        // A redirection the output tail did not cut (`> tungsten.ini`, `< in.txt`, `2>x`): the
        // line does more than the command, and is kept whole as a step the model does not
        // know, whose command the wrapped-command check names; it was a parse error, which
        // stops a whole runbook (a review found `trepctl status > status.json` one).
        if super::shell_syntax::bare(line).any(|b| matches!(b.c, '>' | '<')) {
            return Ok(Self {
                executable: executable.to_owned(),
                action: HostAction::NotModelled(text),
            });
        }
        let action = match split_prefix(base(executable)).1 {
            "startall" => HostAction::StartAll,
            "stopall" => HostAction::StopAll,
            program @ ("manager" | "replicator" | "connector") if only_prints(program, &w) => {
                w.skip_rest();
                inspect_unless_chained(line, text)
            }
            program @ ("manager" | "replicator" | "connector")
                if not_modelled_verb(program, &w) =>
            {
                w.skip_rest();
                HostAction::NotModelled(text)
            }
            "manager" => HostAction::Manager(lifecycle(&mut w, "")?),
            "replicator" => replicator(&mut w)?,
            "connector" => connector(&mut w)?,
            tool if only_reads(tool, &w) => {
                w.skip_rest();
                inspect_unless_chained(line, text)
            }
            "tungsten_provision_slave" | "tprovision" if provision_not_modelled(&w) => {
                w.skip_rest();
                HostAction::NotModelled(text)
            }
            "tungsten_provision_slave" => provision(&mut w, Provisioner::ProvisionSlave)?,
            "tprovision" => provision(&mut w, Provisioner::Tprovision)?,
            "tpm"
                if w.peek().is_some_and(|c| {
                    TPM_NOT_MODELLED.iter().any(|n| n.eq_ignore_ascii_case(c))
                }) =>
            {
                w.skip_rest();
                HostAction::NotModelled(text)
            }
            "tpm" => tpm(&mut w, text)?,
            "trepctl" if super::trepctl::names_a_command_not_modelled(&w) => {
                w.skip_rest();
                HostAction::NotModelled(text)
            }
            "trepctl" => HostAction::Trepctl(TrepctlCommand::parse_words(&mut w)?),
            // Any other program: `cctrl` alone (it opens a session; the commands come on
            // later lines), and `sudo` before anything but a service the model knows.
            name => {
                if !sudo {
                    unknown_program(name, &text, line_number, &w)?;
                }
                w.skip_rest();
                HostAction::NotModelled(text)
            }
        };
        w.end()?;
        Ok(Self {
            executable: executable.to_owned(),
            action,
        })
    }
}

/// The options cctrl reads a piped command with, in this host's manager: its modes
/// (Continuent docs *cmdline-tools-cctrl-modes*: `cctrl -expert`;
/// *operations-composite-switch*: `cctrl -multi`). Any other (`-host`, `-port`, `-help`, ...)
/// leaves the line a step the model does not know (**modelling decision**: the docs name no
/// other option that keeps the command typed into this host's manager).
pub(crate) const CCTRL_MODE_FLAGS: [&str; 2] = ["-expert", "-multi"];

/// The mode flags among `words` (cctrl's, after its name), in order.
fn modes_of(mut words: Words<'_>) -> Vec<CctrlMode> {
    std::iter::from_fn(|| words.next())
        .filter_map(CctrlMode::from_flag)
        .collect()
}

/// The verbs that start a cctrl command and name no shell program.
const CCTRL_ONLY_VERBS: [&str; 8] = [
    "set",
    "datasource",
    "switch",
    "failover",
    "recover",
    "router",
    "cluster",
    "expert",
];

/// The programs and scripts the model reads, as their names are typed.
const KNOWN_PROGRAMS: [&str; 8] = [
    "manager",
    "replicator",
    "connector",
    "startall",
    "stopall",
    "trepctl",
    "tprovision",
    "tungsten_provision_slave",
];

/// `Err` for a program the model does not know that is a mistake rather than another tool:
/// a cctrl command typed at a shell prompt (`shell db2> set policy maintenance`), or a
/// script name one typing slip away from one the model reads (`manger stop`,
/// `.../bin/stopal`). Kept as not modelled, both read as warnings while the plan stayed
/// VALID: a CI gate passed a step the shell would refuse (an operator's review). A name of
/// six letters or more, one letter added, dropped or changed, or two swapped, counts as a
/// slip (**modelling decision**: no shell tool an operator runs beside Tungsten lies so
/// close to these names).
fn unknown_program(
    name: &str,
    text: &str,
    line_number: usize,
    w: &Words<'_>,
) -> Result<(), ParseError> {
    if CCTRL_ONLY_VERBS.contains(&name) && CctrlCommand::parse_line(text, line_number).is_ok() {
        return Err(w.error_previous(format!(
            "a shell command: `{text}` is a cctrl command typed at a shell prompt; write it as `cctrl> {text}` (or `[LOGICAL] /<service> > {text}`)"
        )));
    }
    // Letters only (an underscore too where the script's name has one): `_trepctl` or
    // `mm_trepctl` is another tool, named after it.
    let letters = |known: &str| {
        name.chars()
            .all(|c| c.is_ascii_alphabetic() || (c == '_' && known.contains('_')))
    };
    if let Some(known) = KNOWN_PROGRAMS
        .iter()
        .find(|known| name.chars().count() >= 6 && letters(known) && one_slip_apart(name, known))
    {
        return Err(w.error_previous(format!(
            "a command the model knows: did you mean `{known}`? (`{name}` is one typing slip from it)"
        )));
    }
    Ok(())
}

/// Whether `a` and `b` differ by one character added, dropped or changed, or by two
/// neighbouring characters swapped.
fn one_slip_apart(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a == b {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    match ra.len().abs_diff(rb.len()) {
        0 => {
            ra[1..] == rb[1..]
                || (ra.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
        }
        1 => {
            let (long, short) = if ra.len() > rb.len() {
                (ra, rb)
            } else {
                (rb, ra)
            };
            long[1..] == *short
        }
        _ => false,
    }
}

/// Whether the process script's verb in `w` only prints: `status` (Continuent docs
/// *replicator-command*: whether the process runs) and the connector's `client-list`
/// (*cmdline-tools-connector*: its connections).
fn only_prints(program: &str, w: &Words<'_>) -> bool {
    w.peek().is_some_and(|verb| {
        verb.eq_ignore_ascii_case("status")
            || (program == "connector"
                && ["client-list", "cluster-status", "mode"]
                    .iter()
                    .any(|v| v.eq_ignore_ascii_case(verb)))
    })
}

/// The connector script's process commands: `start`, `stop [timeout]` (the timeout from
/// 6.1.19, how long it waits for the process to end: a stop all the same), `restart`, and
/// `graceful-stop [seconds]` or its 7.0 alias `drain [seconds]`, which wait for the
/// connections to close, then stop (Continuent docs *cmdline-tools-connector*,
/// *cmdline-tools-tpm-commands-promote-connector*).
fn connector(w: &mut Words<'_>) -> Result<HostAction, ParseError> {
    // One of the two verbs, in any case as the script's other verbs (an independent review
    // found `drain` read in lower case only, and `drain graceful-stop 30` read as both).
    if w.peek()
        .is_some_and(|v| v.eq_ignore_ascii_case("graceful-stop") || v.eq_ignore_ascii_case("drain"))
    {
        let drain = w.eat("drain");
        if !drain {
            w.eat("graceful-stop");
        }
        let seconds = match w.next() {
            Some(seconds) => Some(
                seconds
                    .parse::<u32>()
                    .map_err(|_| w.error_previous("a timeout in seconds"))?,
            ),
            None => None,
        };
        return Ok(HostAction::ConnectorGracefulStop { seconds, drain });
    }
    let lifecycle = lifecycle(w, CONNECTOR_COMMANDS)?;
    if lifecycle == Lifecycle::Stop && w.peek().is_some_and(|t| t.parse::<u32>().is_ok()) {
        w.next();
    }
    Ok(HostAction::Connector(lifecycle))
}

/// What the connector script's verb may be, for its parse error (Continuent docs
/// *cmdline-tools-connector*).
const CONNECTOR_COMMANDS: &str = "a connector command (`start`, `stop`, `restart`, `graceful-stop`, `drain`, `status`, `cluster-status`, `mode`, `client-list`, `reconfigure`, ...)";

/// Whether the process script's verb in `w` is one the model does not know, to be kept as
/// such rather than refused: the scripts' other verbs (Continuent docs *replicator-command*:
/// `condrestart`, `console`, `dump`, `install`, `remove`; the connector's `client-list` on the
/// other scripts; the connector's `reconfigure`, *cmdline-tools-connector*), and, for the manager and the connector, `start` or `restart` followed by
/// `offline`, which the docs give for the replicator only (*deployment-startupdown-replicator*)
/// and the replicator's line reads ([`HostAction::ReplicatorStartOffline`]).
fn not_modelled_verb(program: &str, w: &Words<'_>) -> bool {
    const VERBS: [&str; 6] = [
        "client-list",
        "condrestart",
        "console",
        "dump",
        "install",
        "remove",
    ];
    let mut ahead = w.clone();
    match ahead.next() {
        Some(verb) if VERBS.iter().any(|v| v.eq_ignore_ascii_case(verb)) => true,
        // The connector re-reads its configuration and `user.map` (tpm runs it on update).
        Some(verb) if program == "connector" && verb.eq_ignore_ascii_case("reconfigure") => true,
        Some(verb)
            if program != "replicator"
                && ["start", "restart"]
                    .iter()
                    .any(|v| v.eq_ignore_ascii_case(verb)) =>
        {
            ahead.eat("offline")
        }
        _ => false,
    }
}

/// The tools that tpm's `executable-prefix` renames which the model runs (see
/// [`HostCommand::executable_prefix`]).
const PREFIXED_TOOLS: [&str; 2] = ["trepctl", "replicator"];

/// A base name split into its executable prefix, if any, and the tool it names:
/// `mm_trepctl` is `(Some("mm"), "trepctl")`; `tungsten_provision_slave` is itself, and so is
/// `multi_trepctl` (a tool of its own, *cmdline-tools-multi_trepctl*), prefixed or not.
fn split_prefix(program: &str) -> (Option<&str>, &str) {
    match program.rsplit_once('_') {
        Some((prefix, tool))
            if PREFIXED_TOOLS.contains(&tool)
                && !prefix.is_empty()
                && prefix != "multi"
                && !prefix.ends_with("_multi") =>
        {
            (Some(prefix), tool)
        }
        _ => (None, program),
    }
}

fn base(program: &str) -> &str {
    program.rsplit('/').next().unwrap_or(program)
}

/// tpm's documented commands other than `validate`, `update` and `reset`: a line running one
/// is kept as a step the model does not know (some only print, such as `diag`; others change
/// what the model tracks, such as `purge-thl --auto` or `promote-connector`). `query`, and
/// `purge-thl` without `--auto`, only print ([`only_reads`]).
/// Continuent docs *cmdline-tools-tpm* (the command list), *tpm-purge-thl*,
/// *cmdline-tools-tpm-ini-upgrades* (`promote-connector`),
/// *cmdline-tools-tpm-commands-post-process*, *connector-clients* (`tpm connector`); `ask`,
/// `uninstall` (Tungsten Replicator 6.1's list) and `promote` (older releases' list).
const TPM_NOT_MODELLED: [&str; 21] = [
    "ask",
    "configure",
    "connector",
    "diag",
    "fetch",
    "firewall",
    "help",
    "install",
    "mysql",
    "post-process",
    "promote",
    "promote-connector",
    "purge-thl",
    "reset-thl",
    "restart",
    "reverse",
    "ssh-copy-cert",
    "start",
    "stop",
    "uninstall",
    "validate-update",
];

/// The operating system's own commands the model reads, `program` the executable after any
/// `sudo` and `w` the words after it: the host's reboot or halt, a unit's init script
/// (`/etc/init.d/<unit> <verb>`), `systemctl` and `service`.
fn os_action(program: &str, w: &Words<'_>, sudo: bool, text: &str) -> Option<HostAction> {
    if let Some(reboot) = power(base(program), w) {
        return Some(HostAction::Power {
            reboot,
            text: text.to_owned(),
        });
    }
    if let Some(unit) = program.strip_prefix("/etc/init.d/") {
        return init_script(unit, w, sudo);
    }
    system_service(base(program), w, sudo)
}

/// Whether `program` with the words in `w` restarts the host (`Some(true)`: `reboot`,
/// `shutdown -r ...`, `systemctl reboot`, `init 6`) or halts it (`Some(false)`: `poweroff`,
/// `halt`, `shutdown [-h|-P] ...`, `systemctl poweroff|halt`, `init 0`); `None` for anything
/// else (`shutdown -c` cancels one, and reads as a step the model does not know).
fn power(program: &str, w: &Words<'_>) -> Option<bool> {
    let mut ahead = w.clone();
    let words: Vec<&str> = std::iter::from_fn(|| ahead.next()).collect();
    match (program, words.as_slice()) {
        ("reboot", _) | ("systemctl", ["reboot", ..]) | ("init", ["6"]) => Some(true),
        ("poweroff" | "halt", _) | ("systemctl", ["poweroff" | "halt", ..]) | ("init", ["0"]) => {
            Some(false)
        }
        ("shutdown", rest) if rest.iter().any(|w| *w == "-c" || *w == "-k") => None,
        ("shutdown", rest) => Some(rest.iter().any(|w| {
            w.starts_with('-') && !w.starts_with("--") && w.contains('r') || *w == "--reboot"
        })),
        _ => None,
    }
}

/// `tpm validate|update|reset` and the words after the verb (the other tpm commands the model
/// does not know are taken before).
fn tpm(w: &mut Words<'_>, text: String) -> Result<HostAction, ParseError> {
    let action = match w.one_of_described(
        &["validate", "update", "reset"],
        "a tpm command (`validate`, `update`, `reset`, or one the model reads as not modelled: `install`, `promote-connector`, `diag`, `query`, ...)",
    )? {
        "validate" => TpmAction::Validate,
        "update" => TpmAction::Update,
        _ => TpmAction::Reset,
    };
    let args: Vec<String> = std::iter::from_fn(|| w.next().map(str::to_owned)).collect();
    Ok(if sets_a_manager_policy(&args) {
        HostAction::NotModelled(text)
    } else {
        HostAction::Tpm { action, args }
    })
}

/// Whether tpm's words set a manager policy property: `--property=policy.<name>=<value>`, or
/// `--property` followed by `policy.<name>=<value>`, the option name shortened to any prefix
/// from `--prop` on (tpm reads an option by an unambiguous prefix, as `--au` for `--auto`) and
/// either word quoted whole or in part (the shell drops the quotes). The docs turn replicator
/// fencing on so (*operations-fencing-primary*, *operations-fencing-replicas*: `tpm update
/// alpha --property=policy.fence.masterReplicator=true`); the model reads the managers'
/// options from the topology ([`crate::model::ManagerOptions`]), so such a line is not
/// modelled rather than accepted as changing nothing (an operator's review found fencing
/// turned on that way judged as if it stayed off). A property set in `tungsten.ini` before a
/// bare `tpm update` cannot be seen here; the README says to declare it in the topology.
fn sets_a_manager_policy(args: &[String]) -> bool {
    let unquoted = |w: &str| w.replace(['"', '\''], "");
    args.iter().enumerate().any(|(i, arg)| {
        let arg = unquoted(arg);
        let (name, value) = match arg.split_once('=') {
            Some((name, value)) => (name, Some(value.to_owned())),
            None => (arg.as_str(), args.get(i + 1).map(|next| unquoted(next))),
        };
        name.len() >= "--prop".len()
            && "--property".starts_with(name)
            && value.is_some_and(|v| v.starts_with("policy."))
    })
}

/// Whether a shell line holds more than one command: `&` (`&&`, a background job; not the
/// `&` of an output duplication, `2>&1`, see [`duplicates_output`]), a
/// backquote, `$(`, a process substitution (`<(`, `>(`: an independent review found
/// `thl list <(stopall)` read as only printing), or a `;` at a word's edge (`a; b`, `a ;b`, a
/// trailing `;`). A `;` inside a word is not taken as one here: Tungsten's event ids hold one
/// (`mysql-bin.000004:...412;0`), and the docs print them unquoted after `-from-event`; a
/// command whose words are read past rather than parsed is checked for one by
/// [`reads_past_a_chain`].
///
/// Whitespace is Unicode's, as the words are split on it, and the line is read trimmed, as it
/// prints back: the `parse_command` fuzzer found `...d;` followed by U+0085 (a line break
/// `trim` drops) read as one command, then printed as a line ending in `;`, which read back
/// as a chain.
fn chains_commands(line: &str) -> bool {
    let line = line.trim();
    line.match_indices('&')
        .any(|(i, _)| !duplicates_output(line, i))
        || line.contains('`')
        || ["$(", "<(", ">("].iter().any(|s| line.contains(s))
        || line.match_indices(';').any(|(i, _)| {
            let before = line.get(..i).and_then(|b| b.chars().next_back());
            let after = line.get(i + 1..).and_then(|a| a.chars().next());
            before.is_none_or(char::is_whitespace) || after.is_none_or(char::is_whitespace)
        })
}

/// Whether the `&` at byte `i` of `line` is part of an output duplication (`2>&1`, `>&2`,
/// `>&-`): a redirection, not a command sent to the background. Only these forms are read
/// so; any other `&` (`<&3`, `&>`, `a & b`) still makes the line more than one command. An
/// operator's review found `echo 'switch' 2>&1 | cctrl` not modelled, the switch unseen.
fn duplicates_output(line: &str, i: usize) -> bool {
    let before = line.get(..i).and_then(|b| b.chars().next_back());
    let after = line.get(i + 1..).and_then(|a| a.chars().next());
    before == Some('>') && after.is_some_and(|c| c.is_ascii_digit() || c == '-')
}

/// The cctrl command a pipe's left side `left` types into cctrl, with its byte offset in
/// `left`: `echo <command>` (quoted or not; a redirection of echo's stderr after it,
/// `2>/dev/null` or `2>&1`, changes nothing cctrl reads) or `printf '<command>\n'` (a format with no
/// conversion or other escape). An operator's review found `echo 'switch' 2>/dev/null |
/// cctrl` a parse error that stopped the runbook, and `printf 'switch\n' | cctrl` not
/// modelled, the switch unseen.
fn fed_to_cctrl(left: &str) -> Option<(usize, &str)> {
    let body = left.trim();
    let (printf, rest) = match body.split_once(char::is_whitespace) {
        Some(("echo", rest)) => (false, rest),
        Some(("printf", rest)) => (true, rest),
        _ => return None,
    };
    let mut text = rest.trim();
    for stderr in ["2>/dev/null", "2> /dev/null", "2>&1"] {
        // Only a `2` that is a word of its own names stderr: glued to the word before it
        // (`echo switch2>/dev/null`), bash echoes `switch2` and sends echo's output itself
        // away, so nothing reaches cctrl (`'switch to db'2>&1` types `switch to db2`).
        if let Some(before) = text
            .strip_suffix(stderr)
            .filter(|b| b.ends_with(char::is_whitespace))
        {
            text = before.trim_end();
            break;
        }
    }
    let offset = |t: &str| (t.as_ptr() as usize).saturating_sub(left.as_ptr() as usize);
    // echo's options (`-n`, `-e`), quotes within its words (`'switch' 'to' db3`) and
    // escapes (`switch\ to\ db3`, `\n`) make its output other than the text as typed: such
    // a line is not read as one command, and the runbook's check reads the lines it types (a
    // review, helper-143, found them parse errors naming echo's words, `found -n`). An
    // expansion (`$HOST`) is left to the parse error naming it.
    let literal = |t: &str, quotes: &[char]| !t.contains(quotes) && !t.contains('\\');
    match (printf, unquoted(text)) {
        _ if !printf && text.starts_with('-') => None,
        (false, Some(inner)) if text.starts_with('\'') => {
            literal(inner, &['\'']).then(|| (offset(inner), inner))
        }
        (false, Some(inner)) => literal(inner, &['"']).then(|| (offset(inner), inner)),
        // A redirection left in the words (`>&2`, `> out`) sends echo's output elsewhere:
        // more than the command reaching cctrl.
        (false, None) => literal(text, &['\'', '"', '<', '>']).then(|| (offset(text), text)),
        (true, Some(format)) => {
            let inner = format.strip_suffix("\\n")?;
            (!inner.contains(['%', '\\'])).then(|| (offset(inner), inner))
        }
        (true, None) => None,
    }
}

/// The command a here-string types into cctrl (`cctrl [-expert] <<< 'switch'`; `executable`
/// is the line's first word), with its byte offset in `line`, and cctrl's mode flags: only
/// options between `cctrl` and `<<<`, and one word, quoted or not, after it. An operator's
/// review found it not modelled, the switch unseen.
fn here_string<'a>(
    line: &'a str,
    line_number: usize,
    executable: &str,
) -> Option<((usize, &'a str), Vec<CctrlMode>)> {
    if base(executable) != "cctrl" {
        return None;
    }
    let (before, after) = line.split_once("<<<")?;
    let mut flags = Words::new(before, line_number);
    flags.next();
    let modes = modes_of(flags);
    let mut words = before.split_whitespace();
    let options_only = words.next().is_some() && words.all(|w| CCTRL_MODE_FLAGS.contains(&w));
    let text = after.trim();
    let inner = match unquoted(text) {
        Some(inner) => inner,
        None if !text.contains(char::is_whitespace) => text,
        None => return None,
    };
    let start = (inner.as_ptr() as usize).saturating_sub(line.as_ptr() as usize);
    (options_only && !inner.contains(['\'', '"', '<', '>', '|', ';']))
        .then_some(((start, inner), modes))
}

/// A line that only prints, unless a second command is glued on (see
/// [`reads_past_a_chain`]): then a step the model does not know.
fn inspect_unless_chained(line: &str, text: String) -> HostAction {
    if reads_past_a_chain(line) {
        HostAction::NotModelled(text)
    } else {
        HostAction::Inspect(text)
    }
}

/// Whether `line`, read without parsing all its words (a tool that only prints, a client or
/// system command read from its first words), holds a `;` outside quotes: a second command
/// glued on, which reading past the words would pass over (an independent review found
/// `tpm query version;trepctl offline` read as a query, and `thl list x;stopall` as
/// printing).
///
/// Quotes and escapes are read as bash reads them ([`super::shell_syntax::bare`]): `cat
/// \';stopall` runs `stopall`, the quote being a literal one (a third review found it read as
/// printing).
fn reads_past_a_chain(line: &str) -> bool {
    super::shell_syntax::bare(line).any(|b| b.c == ';')
}

/// The Nagios checks that only read: replication latency, datasources ONLINE, processes
/// running, the policy (Continuent docs *cmdline-tools-check_tungsten_latency* and its
/// sibling pages; that each only reads is a **modelling decision** from their descriptions,
/// each reporting a status). `check_tungsten_progress` is left out: it makes the replicator
/// progress to measure it (a heartbeat, a write), so it stays not modelled.
const CHECKS_THAT_ONLY_READ: [&str; 4] = [
    "check_tungsten_latency",
    "check_tungsten_online",
    "check_tungsten_services",
    "check_tungsten_policy",
];

/// Whether `tool` (a base name) with the words `w` still to read is a Tungsten tool that only
/// reads and prints ([`HostAction::Inspect`]):
/// - `thl list|info|index|tail` print the THL's events, summary and files, and follow new
///   events (Continuent docs *cmdline-tools-thl*; `thl purge` deletes events and `thl dsctl`
///   sets the applied position, so both stay not modelled);
/// - `tungsten_find_orphaned` looks for events a failover left behind, in the binlogs and the
///   THL, and reports them (*cmdline-tools-tungsten_find_orphaned*);
/// - `tungsten_purge_thl` and `tpm purge-thl` print the `thl purge` commands that would be
///   safe; with `--auto` (`-A`) they run them, which stays not modelled (*tpm-purge-thl*,
///   *cmdline-tools-tungsten_purge_thl*: "read-only" without it);
/// - `tpm query` prints facts about the install (*cmdline-tools-tpm-commands*);
/// - the Nagios checks of [`CHECKS_THAT_ONLY_READ`] report OK, WARNING or CRITICAL;
/// - the shell's own [`SHELL_COMMANDS_THAT_ONLY_READ`] (`cd`, `ls`, `cat`, ...), with no
///   redirection left on the line (an operator's review found the docs' upgrade steps, `cd
///   /opt/continuent/software` among them, each warned as a step the model does not know).
fn only_reads(tool: &str, w: &Words<'_>) -> bool {
    let mut ahead = w.clone();
    let mut rest = std::iter::from_fn(move || ahead.next());
    // `--auto` as tpm's option parser takes it: spelled out or abbreviated (`--au`), or `-A`
    // alone or bundled with other short flags (`-vA`).
    let auto = |word: &str| {
        let name = word.split_once('=').map_or(word, |(name, _)| name);
        match name.strip_prefix("--") {
            Some(long) => long.len() >= 2 && "auto".starts_with(long),
            None => name
                .strip_prefix('-')
                .is_some_and(|short| short.contains('A')),
        }
    };
    let first = w.peek().map(str::to_ascii_lowercase);
    match tool {
        "thl" => {
            // The verb, after `-service <name>` if that comes first (`thl -service alpha
            // purge`, as the docs print it).
            let mut words = rest;
            let mut verb = words.next();
            if verb.is_some_and(|v| v.eq_ignore_ascii_case("-service")) {
                words.next();
                verb = words.next();
            }
            verb.is_some_and(|v| {
                ["list", "info", "index", "tail"]
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(v))
            })
        }
        "tungsten_find_orphaned" => true,
        "tungsten_purge_thl" => !rest.any(auto),
        "tpm" => match first.as_deref() {
            Some("query") => true,
            Some("purge-thl") => !rest.any(auto),
            _ => false,
        },
        // A redirection the output tail did not cut (`cat a > /etc/x`) writes a file.
        shell if SHELL_COMMANDS_THAT_ONLY_READ.contains(&shell) => {
            !rest.any(|word| word.contains(['>', '<']))
        }
        _ => CHECKS_THAT_ONLY_READ.contains(&tool),
    }
}

/// Whether `executable` names one of the shell's read-only commands
/// ([`SHELL_COMMANDS_THAT_ONLY_READ`]): a note reading as one (`more prose`) is prose.
pub(crate) fn is_shell_read_only(executable: &str) -> bool {
    SHELL_COMMANDS_THAT_ONLY_READ.contains(&base(executable))
}

/// Shell commands that change the working directory, read files or print the host's state,
/// and write nothing the model tracks (**modelling decision**, from what POSIX says each
/// does; a command that can also set something, such as `date` or `hostname`, is left out, and
/// so are the pagers `less` and `more`, which run commands of their own: `less '+!stopall'`,
/// found by a review).
const SHELL_COMMANDS_THAT_ONLY_READ: [&str; 10] = [
    "cd", "pwd", "ls", "cat", "head", "tail", "df", "free", "uptime", "whoami",
];

/// The replicator script's `start`, `stop` or `restart`, and `start|restart offline`.
fn replicator(w: &mut Words<'_>) -> Result<HostAction, ParseError> {
    Ok(match lifecycle(w, "")? {
        l @ (Lifecycle::Start | Lifecycle::Restart) if w.eat("offline") => {
            HostAction::ReplicatorStartOffline {
                restart: l == Lifecycle::Restart,
            }
        }
        l => HostAction::Replicator(l),
    })
}

/// A process script's `start`, `stop` or `restart`. `stop sysd` stops a process started
/// outside systemd so that systemd can start it (Continuent docs *deployall*): a stop.
fn lifecycle(w: &mut Words<'_>, expected: &str) -> Result<Lifecycle, ParseError> {
    let choices = ["start", "stop", "restart"];
    let verb = if expected.is_empty() {
        w.one_of(&choices, "")?
    } else {
        w.one_of_described(&choices, expected)?
    };
    Ok(match verb {
        "start" => Lifecycle::Start,
        "stop" => {
            w.eat("sysd");
            Lifecycle::Stop
        }
        _ => Lifecycle::Restart,
    })
}

/// The provisioning scripts' options that make the run something other than a provisioning
/// of this host as a replica: `--validate` (only checks), `-c`/`--create-master` (provisions a
/// Primary, for Composite Active/Active: it resets services, which is not modelled) and
/// `-h`/`--help`. A line holding one is kept as a step the model does not know.
const PROVISION_NOT_MODELLED: [&str; 5] = ["--validate", "-c", "--create-master", "-h", "--help"];

/// The provisioning scripts' options that take a value and change nothing the model tracks:
/// how the backup is made and moved (`--method`, `--port`, `--threads`, `--flush-after-sleep`,
/// `--net-ssh-option`, `--source-directory`), where the script runs (`--directory`), which
/// service it reads (`--service`), how long it waits (`--offline-timeout`) and whether it
/// compares replication channels (`-r`/`--check-repl-channel`, 0 turns it off). Continuent docs
/// *cmdline-tools-tprovision* (7.x) and *cmdline-tools-tungsten_provision_slave* (6.x).
const PROVISION_VALUES: [&str; 14] = [
    "--method",
    "-m",
    "--port",
    "-p",
    "--threads",
    "-t",
    "--flush-after-sleep",
    "--net-ssh-option",
    "--source-directory",
    "--directory",
    "--service",
    "--offline-timeout",
    "--check-repl-channel",
    "-r",
];

/// The provisioning scripts' flags that change nothing the model tracks: the backup method
/// (`--mysqldump`, `--xtrabackup`), messages (`-i`, `-n`, `-v`, `--json`), `--force`
/// (validation is the model's), `--clear-logs`, `--offline` and `--online` (the model always
/// clears the THL and takes the replicator offline and back), `--seed` (an rsync pass).
const PROVISION_FLAGS: [&str; 15] = [
    "--mysqldump",
    "--xtrabackup",
    "-i",
    "--info",
    "-n",
    "--notice",
    "-v",
    "--verbose",
    "--json",
    "-f",
    "--force",
    "--clear-logs",
    "--offline",
    "--online",
    "--seed",
];

/// Whether the provisioning line in `w` holds an option the model does not know (see
/// [`PROVISION_NOT_MODELLED`]).
fn provision_not_modelled(w: &Words<'_>) -> bool {
    let mut ahead = w.clone();
    std::iter::from_fn(|| ahead.next()).any(|word| {
        let name = word.split_once('=').map_or(word, |(name, _)| name);
        PROVISION_NOT_MODELLED.contains(&name)
    })
}

fn provision(w: &mut Words<'_>, tool: Provisioner) -> Result<HostAction, ParseError> {
    let mut source = None;
    let mut direct = false;
    let mut options = Vec::new();
    while let Some(word) = w.next() {
        // `--name=value` as well as `--name value`.
        let (name, inline) = match word.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value)),
            _ => (word, None),
        };
        match name {
            "--source" | "-s" => {
                if source.is_some() {
                    return Err(w.error_previous(
                        "a single `--source` (the script provisions from one host)",
                    ));
                }
                let value = option_value(w, inline, "the source host after `--source`")?;
                source = Some(host_ref(w, value)?);
            }
            "--direct" | "--restore-to-datadir" if inline.is_none() => direct = true,
            _ if inline.is_none() && PROVISION_FLAGS.contains(&name) => {
                options.push(word.to_owned());
            }
            _ if PROVISION_VALUES.contains(&name) => {
                let value = option_value(w, inline, &format!("a value after `{name}`"))?;
                options.push(if inline.is_some() {
                    word.to_owned()
                } else {
                    format!("{name} {value}")
                });
            }
            _ => {
                return Err(w.error_previous(
                    "a provisioning option (`--source <host>`, `--direct`, `--method <m>`, ...)",
                ));
            }
        }
    }
    let Some(source) = source else {
        return Err(w.error_next("`--source <host>`: the source argument is required"));
    };
    Ok(HostAction::Provision {
        tool,
        source,
        direct,
        options,
    })
}

/// An option's value: the part after `=` when there is one, else the next word, which may
/// not be another option (`-m --direct` is an error, not a method named `--direct`).
fn option_value<'a>(
    w: &mut Words<'a>,
    inline: Option<&'a str>,
    what: &str,
) -> Result<&'a str, ParseError> {
    if let Some(value) = inline {
        return Ok(value);
    }
    match w.peek() {
        Some(next) if !next.starts_with('-') => Ok(w.next().unwrap_or(next)),
        _ => Err(w.error_next(what)),
    }
}

/// `word` without the single or double quotes around it, if it has a pair (the shell drops
/// them: `'db1'` is `db1`).
fn unquoted(word: &str) -> Option<&str> {
    ['\'', '"']
        .iter()
        .find_map(|&q| word.strip_prefix(q)?.strip_suffix(q))
}

/// The program a line's first word names: the word without the quotes around it, which the
/// shell drops (`'trepctl' offline`, `"/opt/continuent/tungsten/tungsten-replicator/bin/trepctl"
/// offline`: bash runs trepctl; a review, helper-143, found such lines passed as steps the model
/// does not know, with a warning only). A word quoted in part, or holding a quote or an escape
/// inside, is kept as typed.
fn program_word(word: &str) -> &str {
    unquoted(word)
        .filter(|inner| !inner.contains(['\'', '"', '\\']))
        .unwrap_or(word)
}

fn host_ref(w: &Words<'_>, value: &str) -> Result<HostRef, ParseError> {
    // The shell drops the quotes around a word (`--source 'db1'`; an independent review
    // found it refused).
    unquoted(value)
        .unwrap_or(value)
        .parse::<HostRef>()
        .map_err(|_| {
            w.error_previous("a host (`db2`) or a selector (`west{slave}`, `east{master}`)")
        })
}

impl FromStr for HostCommand {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_line(s, 1)
    }
}

impl fmt::Display for HostCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exe = &self.executable;
        match &self.action {
            HostAction::StartAll | HostAction::StopAll => f.write_str(exe),
            HostAction::Manager(l) | HostAction::Replicator(l) | HostAction::Connector(l) => {
                write!(f, "{exe} {l}")
            }
            HostAction::ConnectorGracefulStop { seconds, drain } => {
                let verb = if *drain { "drain" } else { "graceful-stop" };
                write!(f, "{exe} {verb}")?;
                match seconds {
                    Some(s) => write!(f, " {s}"),
                    None => Ok(()),
                }
            }
            HostAction::ReplicatorStartOffline { restart } => {
                let l = if *restart {
                    Lifecycle::Restart
                } else {
                    Lifecycle::Start
                };
                write!(f, "{exe} {l} offline")
            }
            HostAction::Provision {
                source,
                direct,
                options,
                ..
            } => {
                write!(f, "{exe} --source {source}")?;
                if *direct {
                    f.write_str(" --direct")?;
                }
                for option in options {
                    write!(f, " {option}")?;
                }
                Ok(())
            }
            HostAction::Tpm { action, args } => {
                let verb = match action {
                    TpmAction::Validate => "validate",
                    TpmAction::Update => "update",
                    TpmAction::Reset => "reset",
                };
                write!(f, "{exe} {verb}")?;
                for arg in args {
                    write!(f, " {arg}")?;
                }
                Ok(())
            }
            HostAction::Trepctl(c) => write!(f, "{exe} {c}"),
            HostAction::Cctrl { command, modes } => {
                write!(f, "echo '{command}' | {exe}")?;
                for mode in modes {
                    write!(f, " {mode}")?;
                }
                Ok(())
            }
            HostAction::System {
                name,
                lifecycle,
                sudo,
                ..
            } => {
                if *sudo {
                    f.write_str("sudo ")?;
                }
                if self.program() == "service" {
                    write!(f, "{exe} {name} {lifecycle}")
                } else if exe.starts_with("/etc/init.d/") {
                    write!(f, "{exe} {lifecycle}")
                } else {
                    write!(f, "{exe} {lifecycle} {name}")
                }
            }
            HostAction::Inspect(text)
            | HostAction::NotModelled(text)
            | HostAction::DataServerShutdown(text)
            | HostAction::SqlWrite(text)
            | HostAction::Power { text, .. } => f.write_str(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A host's reboot and halt commands, and a dataserver's init script, read as such and
    /// print back as typed.
    #[test]
    fn reboots_halts_and_init_scripts_read_and_print_back() {
        for (line, reboot) in [
            ("reboot", Some(true)),
            ("sudo reboot", Some(true)),
            ("shutdown -r now", Some(true)),
            ("sudo shutdown -r +5", Some(true)),
            ("systemctl reboot", Some(true)),
            ("init 6", Some(true)),
            ("shutdown -h now", Some(false)),
            ("shutdown now", Some(false)),
            ("poweroff", Some(false)),
            ("init 0", Some(false)),
            ("shutdown -c", None),
            ("init 3", None),
        ] {
            let c: HostCommand = line.parse().unwrap();
            let read = match c.action {
                HostAction::Power { reboot, .. } => Some(reboot),
                _ => None,
            };
            assert_eq!(read, reboot, "{line}");
            assert_eq!(c.to_string(), line);
        }
        for line in ["/etc/init.d/mysql restart", "sudo /etc/init.d/mysqld stop"] {
            let c: HostCommand = line.parse().unwrap();
            assert!(
                matches!(
                    c.action,
                    HostAction::System {
                        unit: Unit::DataServer,
                        ..
                    }
                ),
                "{line}"
            );
            assert_eq!(c.to_string(), line);
        }
        let c: HostCommand = "/etc/init.d/mysql status".parse().unwrap();
        assert!(matches!(c.action, HostAction::NotModelled(_)));
    }

    /// tpm keeps the words after its verb and prints them back; one setting a manager policy
    /// property, as the fencing pages turn fencing on, is not modelled (an operator's review
    /// found `tpm update alpha --property=policy.fence.slaveReplicator=true` accepted as
    /// changing nothing, and echoed as `tpm update`).
    #[test]
    fn tpm_keeps_its_words_and_leaves_policy_properties_unmodelled() {
        // (line, whether it reads as tpm rather than as a step the model does not know)
        for (line, tpm) in [
            ("tpm update alpha --replace-release", true),
            ("tpm validate --hosts=db1,db2", true),
            (
                "tpm update --property=replicator.filter.pkey.addColumnsToDeletes=true",
                true,
            ),
            (
                "tpm update alpha --property=policy.fence.slaveReplicator=true",
                false,
            ),
            (
                "tpm update --property policy.fence.masterReplicator=true",
                false,
            ),
            (
                "tpm update alpha --property='policy.fence.masterReplicator=true'",
                false,
            ),
            (
                "tpm update alpha \"--property=policy.fence.masterReplicator=true\"",
                false,
            ),
            (
                "tpm update alpha --prop=policy.fence.masterReplicator=true",
                false,
            ),
            // `--property` last, with nothing after it, sets nothing; `--pro` is no prefix
            // tpm could read as `--property` alone, and a replicator property is no policy.
            ("tpm update --property", true),
            ("tpm update --pro=policy.fence.masterReplicator=true", true),
            ("tpm update --property=replicator.policy.x=1", true),
        ] {
            let c: HostCommand = line.parse().unwrap();
            if tpm {
                assert!(matches!(c.action, HostAction::Tpm { .. }), "{line}");
                assert_eq!(c.to_string(), line);
            } else {
                assert!(matches!(c.action, HostAction::NotModelled(_)), "{line}");
            }
        }
    }

    #[test]
    fn seed_000_lines_parse() {
        for line in [
            "/opt/continuent/tungsten/cluster-home/bin/stopall",
            "/opt/replicator/tungsten/cluster-home/bin/stopall",
            "/opt/replicator/tungsten/tungsten-replicator/bin/trepctl -service east offline",
            "/opt/replicator/tungsten/tungsten-replicator/bin/trepctl -service east reset -all -y",
            "/opt/continuent/tungsten/tungsten-replicator/scripts/tungsten_provision_slave --source west{slave}",
            "/opt/continuent/tungsten/cluster-home/bin/startall",
            "/opt/continuent/tungsten/tungsten-replicator/bin/trepctl online",
            "echo ls | /opt/continuent/tungsten/tungsten-manager/bin/cctrl",
            "/opt/replicator/tungsten/tungsten-replicator/bin/trepctl status",
            "/opt/continuent/tungsten/tungsten-replicator/scripts/tungsten_provision_slave --source east{master}",
            "tprovision --source db1 --direct",
            "tpm validate",
            "manager stop",
            "replicator restart",
            "connector start",
        ] {
            let c: HostCommand = line.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
            assert!(!matches!(c.action, HostAction::NotModelled(_)), "{line}");
            assert_eq!(c.to_string().parse::<HostCommand>().unwrap(), c, "{line}");
        }
        let c: HostCommand = "/opt/replicator/tungsten/cluster-home/bin/stopall"
            .parse()
            .unwrap();
        assert_eq!(c.install_root(), Some("/opt/replicator"));
        assert_eq!(c.program(), "stopall");
    }

    /// `stop sysd` hands the connector to systemd, which stops it (*deployall*); a graceful
    /// stop keeps its words.
    #[test]
    fn connector_stops_read_as_stops() {
        let c: HostCommand = "connector stop sysd".parse().unwrap();
        assert_eq!(c.action, HostAction::Connector(Lifecycle::Stop));
        // A graceful stop prints back as written (it printed as `connector stop`, which an
        // operator reads as cutting the connections).
        for (line, seconds, drain) in [
            ("connector graceful-stop 30", Some(30), false),
            ("connector graceful-stop", None, false),
            // Its alias since 7.0 (an independent review found it refused).
            ("connector drain 30", Some(30), true),
            ("connector drain", None, true),
        ] {
            let c: HostCommand = line.parse().unwrap();
            assert_eq!(
                c.action,
                HostAction::ConnectorGracefulStop { seconds, drain },
                "{line}"
            );
            assert_eq!(c.to_string(), line);
        }
        let c: HostCommand = "connector DRAIN".parse().unwrap();
        assert_eq!(
            c.action,
            HostAction::ConnectorGracefulStop {
                seconds: None,
                drain: true
            }
        );
        insta::assert_snapshot!("connector graceful-stop soon".parse::<HostCommand>().unwrap_err(), @"line 1, column 25: expected a timeout in seconds, found `soon`");
        insta::assert_snapshot!("connector drain graceful-stop 30".parse::<HostCommand>().unwrap_err(), @"line 1, column 17: expected a timeout in seconds, found `graceful-stop`");
        // `stop` with the timeout the docs give from 6.1.19.
        let c: HostCommand = "connector stop 30".parse().unwrap();
        assert_eq!(c.action, HostAction::Connector(Lifecycle::Stop));
    }

    /// The connector's commands that only print, the one the model does not know, and the
    /// verbs its parse error names (Continuent docs *cmdline-tools-connector*; an independent
    /// review found them refused, the error naming three of them).
    #[test]
    fn the_connector_commands_of_the_docs_are_read() {
        for line in [
            "connector cluster-status",
            "connector mode",
            "connector client-list",
        ] {
            let c: HostCommand = line.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(c.action, HostAction::Inspect(line.to_owned()), "{line}");
        }
        let c: HostCommand = "connector reconfigure".parse().unwrap();
        assert!(matches!(c.action, HostAction::NotModelled(_)), "{c:?}");
        insta::assert_snapshot!("connector pause".parse::<HostCommand>().unwrap_err(), @"line 1, column 11: expected a connector command (`start`, `stop`, `restart`, `graceful-stop`, `drain`, `status`, `cluster-status`, `mode`, `client-list`, `reconfigure`, ...), found `pause`");
    }

    /// tpm's commands from the docs' lists that the model does not track read as not
    /// modelled, not as errors; the error for another word names what it takes (an
    /// independent review found `tpm uninstall` refused, the error naming three commands).
    #[test]
    fn the_tpm_commands_of_the_docs_are_read() {
        for line in ["tpm uninstall", "tpm ask", "tpm promote"] {
            let c: HostCommand = line.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(c.action, HostAction::NotModelled(line.to_owned()), "{line}");
        }
        insta::assert_snapshot!("tpm updte".parse::<HostCommand>().unwrap_err(), @"line 1, column 5: expected a tpm command (`validate`, `update`, `reset`, or one the model reads as not modelled: `install`, `promote-connector`, `diag`, `query`, ...), found `updte`");
    }

    #[test]
    /// A cctrl command at a shell prompt, and a script name one slip from one the model
    /// reads, are errors naming the fix (an operator's review found both kept as not
    /// modelled, the plan VALID); a shell builtin that is not a cctrl command, and other
    /// tools near those names, are not.
    fn mistyped_programs_are_errors_that_name_the_fix() {
        for (line, says) in [
            (
                "set policy maintenance",
                "write it as `cctrl> set policy maintenance`",
            ),
            (
                "datasource db2 shun",
                "write it as `cctrl> datasource db2 shun`",
            ),
            ("manger stop", "did you mean `manager`?"),
            (
                "/opt/continuent/tungsten/cluster-home/bin/stopal",
                "did you mean `stopall`?",
            ),
            ("trepctrl offline", "did you mean `trepctl`?"),
            ("replciator start", "did you mean `replicator`?"),
            ("tprovison --source db1", "did you mean `tprovision`?"),
        ] {
            let err = line.parse::<HostCommand>().unwrap_err();
            assert!(err.expected().contains(says), "{line}: {}", err.caret());
            assert_eq!(err.span().len, err.found().chars().count() - 2, "{line}");
        }
        for line in [
            "set -e",
            "mysqladmin status",
            "_trepctl status",
            "mysqldump --all-databases",
            "sudo manger stop",
            "cctrl",
        ] {
            let c: HostCommand = line.parse().unwrap();
            assert!(
                matches!(
                    c.action,
                    HostAction::NotModelled(_) | HostAction::Inspect(_)
                ),
                "{line}"
            );
        }
    }

    #[test]
    fn unknown_programs_are_not_modelled_and_known_ones_check_their_arguments() {
        let c: HostCommand = "systemctl reload mysqld".parse().unwrap();
        assert!(matches!(c.action, HostAction::NotModelled(_)));
        assert_eq!(c.to_string(), "systemctl reload mysqld");
        for line in [
            "trepctl backup",
            "trepctl -service alpha configure",
            "/opt/continuent/tungsten/tungsten-replicator/bin/trepctl -service alpha -retry 3 purge -y",
            "trepctl -host db2 shutdown -y",
            "trepctl load",
            "trepctl -service alpha backup",
            "replicator condrestart",
            "manager start offline",
            "connector restart offline",
            "tpm purge-thl -A alpha",
            "tungsten_purge_thl --auto --i-am-sure",
            "thl purge -high 100 -y",
            "thl -service alpha purge",
            "thl dsctl -event mysql-bin.000032:0000000473863524",
            "thl",
            "thl list && stopall",
            "tpm validate; stopall",
            "tpm validate ;stopall",
            // A quote inside an expansion hides its `}`: the `;` after it is bash's.
            "thl list ${x:-'}'};stopall",
            // Quotes inside a quoted substitution are its own: the `;` after it is bash's.
            r#"thl list "${x:-"'"}";stopall"#,
            // bash counts no bare `{` inside an expansion: the first `}` ends it.
            "thl list ${x:-{};stopall",
            r#"thl list "${x:-{}";stopall"#,
            "thl list;",
            "startall &",
            "trepctl -host $(hostname) offline",
            "tpm purge-thl -vA alpha",
            "tungsten_purge_thl --au --i-am-sure",
            "check_tungsten_progress -t 5",
            "./tools/tpm fetch --reset --directory=/opt/continuent --hosts=host1,autodetect",
            "tpm Promote-Connector",
            "mm_thl list",
            "multi_trepctl --by-service",
            "mm_multi_trepctl list",
            "_trepctl status",
        ] {
            let c: HostCommand = line.parse().unwrap();
            assert_eq!(c.action, HostAction::NotModelled(line.to_owned()));
        }
        // The scripts' `status`, and the connector's `client-list`, only print.
        for line in [
            "manager status",
            "connector STATUS -v",
            "connector client-list",
            "mm_replicator status",
        ] {
            let c: HostCommand = line.parse().unwrap();
            assert_eq!(c.action, HostAction::Inspect(line.to_owned()));
            assert_eq!(c.to_string(), line);
        }
        let c: HostCommand = "replicator client-list".parse().unwrap();
        assert!(matches!(c.action, HostAction::NotModelled(_)));
        let c: HostCommand = "replicator START".parse().unwrap();
        assert_eq!(c.action, HostAction::Replicator(Lifecycle::Start));
        for (line, restart, echo) in [
            (
                "replicator start offline",
                false,
                "replicator start offline",
            ),
            (
                "/opt/replicator/tungsten/tungsten-replicator/bin/replicator restart OFFLINE",
                true,
                "/opt/replicator/tungsten/tungsten-replicator/bin/replicator restart offline",
            ),
        ] {
            let c: HostCommand = line.parse().unwrap();
            assert_eq!(c.action, HostAction::ReplicatorStartOffline { restart });
            assert_eq!(c.to_string(), echo);
        }
        // `stop sysd` hands the process over to systemd: it stops it (*deployall*).
        let c: HostCommand = "mm_replicator stop".parse().unwrap();
        assert_eq!(
            (&c.action, c.executable_prefix()),
            (&HostAction::Replicator(Lifecycle::Stop), Some("mm"))
        );
        insta::assert_snapshot!("tpm udpate".parse::<HostCommand>().unwrap_err(), @"line 1, column 5: expected a tpm command (`validate`, `update`, `reset`, or one the model reads as not modelled: `install`, `promote-connector`, `diag`, `query`, ...), found `udpate`");
        insta::assert_snapshot!("manager start sysd".parse::<HostCommand>().unwrap_err(), @"line 1, column 15: expected the end of the command, found `sysd`");
        insta::assert_snapshot!("replicator start now".parse::<HostCommand>().unwrap_err(), @"line 1, column 18: expected the end of the command, found `now`");
        // `offline` after `start` or `restart` only: after `stop` it is an error, not a verb
        // the model does not know (cargo-mutants).
        insta::assert_snapshot!("replicator stop offline".parse::<HostCommand>().unwrap_err(), @"line 1, column 17: expected the end of the command, found `offline`");
        // `=` joins a value to a long option only: `-s=db2` is no short option (cargo-mutants).
        insta::assert_snapshot!("tprovision -s=db2".parse::<HostCommand>().unwrap_err(), @"line 1, column 12: expected a provisioning option (`--source <host>`, `--direct`, `--method <m>`, ...), found `-s=db2`");
        insta::assert_snapshot!("tungsten_provision_slave".parse::<HostCommand>().unwrap_err(), @"line 1, column 25: expected `--source <host>`: the source argument is required, found the end of the command");
        insta::assert_snapshot!("manager reboot".parse::<HostCommand>().unwrap_err(), @"line 1, column 9: expected `start`, `stop` or `restart`, found `reboot`");
        insta::assert_snapshot!("echo 'swich' | cctrl".parse::<HostCommand>().unwrap_err(), @"line 1, column 7: expected a cctrl command (set, datasource, replicator, router, recover, switch, failover, cluster, create, service, use, cd, ls, expert, physical, members, ping, show, help, admin, quit or exit), found `swich`");
        // The caret stays on the word however far the quoted command sits from `echo`.
        insta::assert_snapshot!("echo    'datasource db2 onlin' | cctrl".parse::<HostCommand>().unwrap_err().caret(), @"
        error: expected a datasource action (online, offline, shun, welcome, recover, fail, slave, replica, master, primary, relay, restore, backup, drain or connections), found `onlin`
         --> line 1, column 25
          |
        1 | echo    'datasource db2 onlin' | cctrl
          |                         ^^^^^
        ");
    }

    /// The tools that only read and print are steps that change nothing, kept as typed;
    /// the same tools where they act (`thl purge`, `--auto`) stay not modelled (above).
    #[test]
    fn tools_that_only_read_are_inspections() {
        for line in [
            "thl list -low 10 -high 20",
            "/opt/continuent/tungsten/tungsten-replicator/bin/thl INFO",
            "thl index",
            "thl -service alpha tail",
            "tungsten_find_orphaned -e 1234",
            "tungsten_purge_thl alpha",
            "tpm purge-thl alpha",
            "tpm purge-thl --verbose alpha",
            "tungsten_purge_thl --info -d alpha",
            "tpm query role",
            "/opt/continuent/tungsten/tools/tpm query staging",
            "check_tungsten_latency -w 0.1 -c 0.5",
            "check_tungsten_services -r -c",
            "check_tungsten_online",
        ] {
            let c: HostCommand = line.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(c.action, HostAction::Inspect(line.to_owned()), "{line}");
            assert_eq!(c.to_string(), line);
        }
    }

    /// Only `echo ... | cctrl`, `printf '...\n' | cctrl` and `cctrl <<< '...'` are cctrl
    /// commands; any other pipe is not modelled.
    #[test]
    fn only_an_echo_into_cctrl_is_read_as_cctrl() {
        for line in [
            "echo ls | grep db1",
            "cat steps.txt | cctrl",
            "ls | cctrl",
            // A format printf rewrites, or a second word, is more than the command.
            "printf 'switch %s\\n' db2 | cctrl",
            "printf 'switch\\tx\\n' | cctrl",
            "printf switch | cctrl",
            "cctrl <<< switch to db2",
            "cctrl <<< 'switch' ; stopall",
            "cctrl ls <<< 'switch'",
            // More than the echo reaching cctrl (an independent review found the rest of
            // these lines dropped, `&& stopall` unread).
            "echo ls | cctrl && stopall",
            "echo ls | cctrl || stopall",
            "echo ls | cctrl & stopall",
            "echo 'set policy maintenance' | cctrl ; echo 'switch' | cctrl",
            "echo ls | cctrl | sh",
            "echo ls | cctrl < steps.txt",
            "echo ls | cctrl stopall",
            "echo ls ; stopall | cctrl",
            // echo's output sent to stderr reaches no cctrl; any `&` other than an output
            // duplication is still a second command.
            "echo 'switch' >&2 | cctrl",
            "echo 'switch' 2>&1& stopall | cctrl",
            "echo 'switch' <&3 | cctrl",
            "echo 'switch' &> /tmp/out | cctrl",
            "echo switch > /tmp/out | cctrl",
            // A `2` glued to the word before it is echoed, not a file descriptor: the first
            // sends echo's output to /dev/null, the second types `switch to db2`.
            "echo switch2>/dev/null | cctrl",
            "echo 'switch to db'2>&1 | cctrl",
            "echo 'switch'2> /dev/null | cctrl",
        ] {
            let c: HostCommand = line.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
            assert!(
                matches!(c.action, HostAction::NotModelled(_)),
                "{line}: {c:?}"
            );
        }
        let c: HostCommand = "cctrl -expert".parse().unwrap();
        assert!(matches!(c.action, HostAction::NotModelled(_)), "{c:?}");
        // Its options are read past, and so is where its output goes (an independent review
        // found a switch whose output was saved read as a step the model does not know).
        for line in [
            "echo 'switch' | cctrl -expert",
            "echo 'switch' | cctrl > /tmp/out",
            "echo 'switch' | cctrl | tee /tmp/out",
            "echo 'switch' | cctrl -expert 2>&1 | tee -a /tmp/out",
            // echo's stderr redirected, a printf ending its line, a here-string: each types
            // the same command (an operator's review found the first a parse error, the other
            // two not modelled, the switch unseen).
            "echo 'switch' 2>/dev/null | cctrl",
            "echo 'switch' 2>&1 | cctrl -expert",
            "printf 'switch\\n' | cctrl",
            "printf \"switch\\n\" | cctrl -expert",
            "cctrl <<< 'switch'",
            "cctrl -expert <<< \"switch\"",
            "cctrl <<< switch > /tmp/out",
        ] {
            let c: HostCommand = line.parse().unwrap();
            assert!(
                matches!(
                    c.action,
                    HostAction::Cctrl {
                        command: CctrlCommand::Switch { .. },
                        ..
                    }
                ),
                "{line}: {c:?}"
            );
        }
        // A typo in the command is an error at its column in the line.
        for (line, column) in [
            ("cctrl <<< 'swich'", 12),
            ("printf 'swich\\n' | cctrl", 9),
            ("echo swich 2>/dev/null | cctrl", 6),
        ] {
            let e = line.parse::<HostCommand>().unwrap_err();
            assert_eq!((e.span().column, e.found()), (column, "`swich`"), "{line}");
        }
    }

    /// The provisioning scripts' options that do something other than provision a replica
    /// keep the line as a step the model does not know; an option missing its value, or one
    /// neither script has, is an error at its column.
    #[test]
    fn provisioning_options_the_model_does_not_know() {
        for line in [
            "tprovision -s db1 -c",
            "tprovision --source db1 --create-master",
            "tungsten_provision_slave --source db1 --validate",
            "tprovision --help",
        ] {
            let c: HostCommand = line.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(c.action, HostAction::NotModelled(line.to_owned()));
        }
        let error = |line: &str| line.parse::<HostCommand>().unwrap_err().to_string();
        insta::assert_snapshot!(error("tprovision -s db1 --threads"), @"line 1, column 28: expected a value after `--threads`, found the end of the command");
        insta::assert_snapshot!(error("tprovision -s db1 --compress"), @"line 1, column 19: expected a provisioning option (`--source <host>`, `--direct`, `--method <m>`, ...), found `--compress`");
        insta::assert_snapshot!(error("tprovision -s db1 --direct=yes"), @"line 1, column 19: expected a provisioning option (`--source <host>`, `--direct`, `--method <m>`, ...), found `--direct=yes`");
        insta::assert_snapshot!(error("tprovision -s db1 -m --direct"), @"line 1, column 22: expected a value after `-m`, found `--direct`");
        insta::assert_snapshot!(error("tprovision -s db1 --source=db2"), @"line 1, column 19: expected a single `--source` (the script provisions from one host), found `--source=db2`");
    }

    /// A quoted source is read as the shell passes it, without its quotes.
    #[test]
    fn a_quoted_provisioning_source_is_read_unquoted() {
        for line in [
            "tprovision --source 'db1'",
            "tprovision -s \"db1\"",
            "tprovision --source='db1'",
        ] {
            let c: HostCommand = line.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
            assert!(
                matches!(&c.action, HostAction::Provision { source, .. } if source.to_string() == "db1"),
                "{line}: {c:?}"
            );
        }
        assert!("tprovision --source 'db1".parse::<HostCommand>().is_err());
    }

    /// The provisioning options the model reads past are kept as typed and print back, so an
    /// echoed plan shows the backup method (an operator's review found `--xtrabackup` dropped).
    #[test]
    fn provisioning_options_print_back_as_typed() {
        for (line, printed) in [
            (
                "tprovision --xtrabackup -s db1",
                "tprovision --source db1 --xtrabackup",
            ),
            (
                "tprovision -m mysqldump --source=db1 --direct -t 8",
                "tprovision --source db1 --direct -m mysqldump -t 8",
            ),
            (
                "tprovision --source=db1 --method=rsync --flush-after-sleep=5",
                "tprovision --source db1 --method=rsync --flush-after-sleep=5",
            ),
        ] {
            let c: HostCommand = line.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(c.to_string(), printed);
            assert_eq!(printed.parse::<HostCommand>().unwrap(), c, "{line}");
        }
    }

    /// The provisioning scripts take a backup method, by flag or by name, and other options
    /// that do not change what the model does.
    #[test]
    fn provisioning_accepts_a_backup_method() {
        let db1: HostRef = "db1".parse().unwrap();
        for (line, tool, direct) in [
            (
                "tprovision --source db1 --xtrabackup",
                Provisioner::Tprovision,
                false,
            ),
            (
                "tprovision --mysqldump -s db1",
                Provisioner::Tprovision,
                false,
            ),
            (
                "tungsten_provision_slave --source db1 --method xtrabackup",
                Provisioner::ProvisionSlave,
                false,
            ),
            (
                "tprovision -m mysqldump --source=db1 --direct",
                Provisioner::Tprovision,
                true,
            ),
            (
                "tprovision -s db1 -m xtrabackup -t 8 -p 22 -r 0 --seed",
                Provisioner::Tprovision,
                false,
            ),
            (
                "tprovision --source=db1 --method=rsync --flush-after-sleep=5",
                Provisioner::Tprovision,
                false,
            ),
            (
                "tungsten_provision_slave --source db1 --service alpha --offline --online -v -n -i --json -f --clear-logs --directory /opt/continuent --source-directory /opt/continuent --net-ssh-option port=2222 --offline-timeout 60",
                Provisioner::ProvisionSlave,
                false,
            ),
        ] {
            let c: HostCommand = line.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
            let source = db1.clone();
            assert!(
                matches!(
                    &c.action,
                    HostAction::Provision { tool: t, source: s, direct: d, .. }
                        if *t == tool && *s == source && *d == direct
                ),
                "{line}: {:?}",
                c.action
            );
        }
    }

    /// Only an `&` between a `>` and a file descriptor or `-` duplicates output (`2>&1`,
    /// `>&2`, `>&-`); an `&` with just one of the two sides is a command sent to the
    /// background or another redirection.
    #[test]
    fn only_an_ampersand_after_a_redirection_and_before_a_descriptor_duplicates_output() {
        let at = |line: &str| duplicates_output(line, line.find('&').unwrap());
        for line in ["2>&1", "x >&2", "x 2>&-", "x >&-"] {
            assert!(at(line), "{line}");
        }
        for line in [
            "x <&3", "x &> out", "a & b", "a &1", "a &-", "x >&out", "x >& 1",
        ] {
            assert!(!at(line), "{line}");
        }
    }
}
