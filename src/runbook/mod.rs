//! Runbooks: a recovery plan as an operator would paste it, validated step by step.
//!
//! # Format
//! A runbook is text. Lines that start with a prompt are steps; lines that start with `#!` are
//! declarations; `#` lines, blank lines and any other text (numbered prose, `ls` output
//! copied under an `ls` step) are notes, kept in the report but not run. So a procedure can be
//! pasted as the documents print it.
//!
//! Steps, in the notations of Continuent's documents:
//! ```text
//! [LOGICAL] /alpha > datasource db2 welcome       cctrl, service alpha (also [LOGICAL:EXPERT])
//! cctrl [east]> set policy maintenance            cctrl, service east
//! cctrl> router * online                          cctrl, the service of the previous cctrl step
//! shell east> /opt/continuent/tungsten/cluster-home/bin/stopall      every host of site east
//! shell east{master}> tungsten_provision_slave --source west{slave}  the site's master now
//! shell east{slave1}> ...                         its first slave ({slave} is the first too)
//! shell db2> ...                                  one host
//! ```
//! A step ending in `\` continues on the next line. A comment after a step's command (a `#`
//! starting a word outside quotes, as a shell reads one: `trepctl offline   # db2 only`) is
//! not part of the command: it is kept as a note after the step. Host commands are known by their
//! executable's name and install root (see [`crate::command::HostCommand`]); anything else is
//! reported as not modelled.
//!
//! Declarations:
//! ```text
//! #! scenario seed004-failsafe                 a built-in starting state (see `scenario`)
//! #! topology single alpha=db1,db2,db3         or: multisite east=db1,db2,db3 west=db4,db5,db6
//! #! topology file topology.json               a TopologySpec file, read by the caller
//! #! state alpha file failsafe.txt             an `ls` listing of alpha, read by the caller
//! #! state alpha                               an `ls` listing of alpha, inline, up to `#! end`
//! #! assume down db1 db3                       hosts known to be down (not cut off)
//! #! goal alpha all-online, alpha policy automatic
//! #! settle off                                do not let replication catch up on the start and between steps
//! ```
//! Goals: `online <host>`, `[<svc>] all-online`, `[<svc>] policy <mode>`, `[<svc>] routers-online`,
//! `cross-site-online`, `<site> consistent-with <site>`, `[<svc>] writable`,
//! `master <host>`, `[<svc>] no-drift`. A host or service named like one of these words is
//! written in double quotes (`master "writable"`), as [`Goal`] prints it.
//!
//! The library reads no file: [`Runbook`] keeps file declarations as paths, and
//! [`start`] asks a caller-supplied loader for their text.

mod faults;
mod fed_lines;
pub(crate) mod goal;
mod named;
mod parse;
mod procedures;
mod report;
mod scenario;
mod topology_file;
mod validate;
mod wrappers;

use std::fmt;

use serde::{Deserialize, Serialize};

/// How serious a report's finding is ([`ReportFinding::severity`]), here beside the report
/// (a library user's review found it only in [`crate::machine`]).
pub use crate::machine::{FindingKind, Rule, Severity};
pub use faults::{Consequence, FaultCase, FaultCounts, FaultReport, single_faults, under_faults};
pub use goal::{Goal, GoalResult};
pub use named::{PROCEDURES, Procedure};
pub use procedures::{
    ProcedureError, ProcedureErrorKind, failover_procedure, last_man_standing, primary_maintenance,
    recover_old_master, recover_replica, replica_maintenance, reset_site, switch_procedure,
};
pub use report::{
    Diagnostic, Report, ReportFinding, Run, RunStatus, StepReport, StepStatus, Unchecked, Verdict,
};
pub use scenario::{SCENARIOS, scenario};
pub use topology_file::{TopologyFileError, topology_file};
pub use validate::{Options, RunbookError, Start, start, validate};

use crate::command::{CctrlCommand, HostCommand, HostRef};
use crate::fault::Event;
use crate::ls::Listing;
use crate::model::{HostName, ServiceName, TopologySpec};

/// A parsed runbook: declarations, then steps and notes in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Runbook {
    /// The `#!` declarations, each with its line.
    pub declarations: Vec<Declared>,
    /// Steps and notes, in the order written.
    pub items: Vec<Item>,
}

/// A step or a note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Item {
    /// Something to run.
    Step(Step),
    /// Text that is not run (prose, comments, copied output).
    Note {
        /// Its line.
        line: usize,
        /// The text.
        text: String,
    },
}

/// Where a step is typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Prompt {
    /// A cctrl session: `[LOGICAL] /svc >`, `cctrl [svc]>`, `cctrl>`.
    Cctrl {
        /// The service the prompt names, if it names one.
        service: Option<ServiceName>,
        /// How it was written, for printing it back.
        style: PromptStyle,
    },
    /// A shell: `shell east>`, `shell east{master}>`, `shell db2>`.
    Shell {
        /// A host, a site (every host of it) or a selector on a site.
        target: HostRef,
    },
    /// `event>`: what happens to the deployment at this point of the plan, not typed by the
    /// operator (`event> db1 crashes`), or done outside the hosts (`event> db1 powers on`).
    Event,
}

/// The spelling of a cctrl prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PromptStyle {
    /// `[LOGICAL] /svc >`.
    Logical,
    /// `[LOGICAL:EXPERT] /svc >`.
    Expert,
    /// `cctrl [svc]>` or `cctrl>`.
    Cctrl,
}

/// What a step runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StepCommand {
    /// A cctrl command.
    Cctrl(CctrlCommand),
    /// A shell command.
    Host(HostCommand),
    /// A fault or world event, at an `event>` prompt.
    Event(Event),
}

/// One step of a runbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The line it starts on.
    pub line: usize,
    /// Where it is typed.
    pub prompt: Prompt,
    /// What it runs.
    pub command: StepCommand,
}

/// Where a starting state comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateSource {
    /// A file the caller loads.
    File(String),
    /// A listing written in the runbook.
    Inline(Listing),
}

/// The topology declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TopologySource {
    /// `single <svc>=<hosts>` or `multisite <site>=<hosts> ...`, as a spec.
    Inline(TopologySpec),
    /// A `TopologySpec` JSON file the caller loads.
    File(String),
}

/// A declaration and the line it starts on, so that what goes wrong with it (a file that
/// cannot be read, a host the topology lacks) names its line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declared {
    /// The line it starts on: 0 for one made in code rather than read from text.
    pub line: usize,
    /// What it declares.
    pub declaration: Declaration,
}

impl From<Declaration> for Declared {
    /// A declaration made in code, with no line (0).
    fn from(declaration: Declaration) -> Self {
        Self {
            line: 0,
            declaration,
        }
    }
}

/// A `#!` declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Declaration {
    /// `#! scenario <name>`.
    Scenario(String),
    /// `#! topology ...`.
    Topology(TopologySource),
    /// `#! state <svc> ...`.
    State {
        /// The service the listing is of.
        service: ServiceName,
        /// Where it comes from.
        source: StateSource,
    },
    /// `#! assume down <host>...`.
    AssumeDown(Vec<HostName>),
    /// `#! goal <predicate>, ...`.
    Goal(Vec<Goal>),
    /// `#! settle on|off`.
    Settle(bool),
}

impl fmt::Display for Prompt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cctrl { service, style } => {
                let svc = service.as_ref().map_or("", ServiceName::as_str);
                match (style, service) {
                    (PromptStyle::Logical, _) => write!(f, "[LOGICAL] /{svc} >"),
                    (PromptStyle::Expert, _) => write!(f, "[LOGICAL:EXPERT] /{svc} >"),
                    (PromptStyle::Cctrl, Some(s)) => write!(f, "cctrl [{s}]>"),
                    (PromptStyle::Cctrl, None) => write!(f, "cctrl>"),
                }
            }
            Self::Shell { target } => write!(f, "shell {target}>"),
            Self::Event => f.write_str("event>"),
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.command {
            StepCommand::Cctrl(c) => write!(f, "{} {c}", self.prompt),
            StepCommand::Host(h) => write!(f, "{} {h}", self.prompt),
            StepCommand::Event(e) => write!(f, "{} {e}", self.prompt),
        }
    }
}

impl fmt::Display for Declaration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Scenario(name) => write!(f, "#! scenario {name}"),
            Self::Topology(TopologySource::File(path)) => write!(f, "#! topology file {path}"),
            Self::Topology(TopologySource::Inline(spec)) => {
                let kind = if spec.cross_site.is_empty() && spec.services.len() == 1 {
                    "single"
                } else {
                    "multisite"
                };
                write!(f, "#! topology {kind}")?;
                for s in &spec.services {
                    let hosts: Vec<&str> = s.datasources.iter().map(HostName::as_str).collect();
                    write!(f, " {}={}", s.name, hosts.join(","))?;
                }
                Ok(())
            }
            Self::State {
                service,
                source: StateSource::File(path),
            } => write!(f, "#! state {service} file {path}"),
            Self::State {
                service,
                source: StateSource::Inline(listing),
            } => write!(f, "#! state {service}\n{listing}#! end"),
            Self::AssumeDown(hosts) => {
                let hosts: Vec<&str> = hosts.iter().map(HostName::as_str).collect();
                write!(f, "#! assume down {}", hosts.join(" "))
            }
            Self::Goal(goals) => {
                let goals: Vec<String> = goals.iter().map(ToString::to_string).collect();
                write!(f, "#! goal {}", goals.join(", "))
            }
            Self::Settle(on) => write!(f, "#! settle {}", if *on { "on" } else { "off" }),
        }
    }
}

impl fmt::Display for Declared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.declaration.fmt(f)
    }
}

impl fmt::Display for Runbook {
    /// The canonical text: declarations first, then steps and notes in order. It parses back
    /// to the same runbook (line numbers aside).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.declarations {
            writeln!(f, "{d}")?;
        }
        for item in &self.items {
            match item {
                Item::Step(step) => writeln!(f, "{step}")?,
                Item::Note { text, .. } => writeln!(f, "{text}")?,
            }
        }
        Ok(())
    }
}

impl Runbook {
    /// The declarations, without their lines.
    #[must_use]
    pub fn declared(&self) -> impl DoubleEndedIterator<Item = &Declaration> {
        self.declarations.iter().map(|d| &d.declaration)
    }

    /// The steps, in order.
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.items.iter().filter_map(|i| match i {
            Item::Step(s) => Some(s),
            Item::Note { .. } => None,
        })
    }

    /// The same runbook with every line number set to 0, to compare runbooks whatever lines
    /// they were read from.
    #[must_use]
    pub fn without_lines(&self) -> Self {
        let mut copy = self.clone();
        for d in &mut copy.declarations {
            d.line = 0;
        }
        for item in &mut copy.items {
            match item {
                Item::Step(s) => s.line = 0,
                Item::Note { line, .. } => *line = 0,
            }
        }
        copy
    }
}
