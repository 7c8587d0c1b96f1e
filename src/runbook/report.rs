//! The validation report: data (serde) and the text an operator reads at a glance.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::goal::GoalResult;
use crate::machine::{FindingKind, Severity};
use crate::model::State;

/// The verdict on a runbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Verdict {
    /// Every step accepted, no error finding, every goal met.
    Valid,
    /// A step was refused, a step leaves the cluster unsafe, or a goal is not met.
    Invalid,
}

impl std::fmt::Display for Verdict {
    /// `VALID` or `INVALID`, as the report prints it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Valid => "VALID",
            Self::Invalid => "INVALID",
        })
    }
}

/// How one run of a step (on one host, for a step on a site) went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
#[non_exhaustive]
pub enum RunStatus {
    /// Accepted; the effects tell what it did.
    Accepted,
    /// Accepted, nothing to do (`startall` where everything runs, say).
    Unchanged {
        /// What was already so.
        reason: String,
    },
    /// Refused: the rule and the reason, with what would make it legal.
    #[non_exhaustive]
    Rejected {
        /// The rule that refused it (its kebab-case name in text and JSON).
        rule: crate::machine::Rule,
        /// The reason in words.
        reason: String,
        /// The engine's refusal, to match on, when the engine refused the command; `None`
        /// when the step was refused before it reached the engine (a host or service the
        /// topology lacks, a command typed where it cannot run).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        refusal: Option<crate::machine::Refusal>,
    },
    /// A step the model does not know: nothing can be said about it.
    NotModelled,
}

/// One run of a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Run {
    /// The host it ran on (or, for cctrl, the manager it was typed into).
    pub host: String,
    /// How it went.
    pub status: RunStatus,
    /// What happened, the managers' reactions included, in words.
    pub effects: Vec<String>,
    /// What happened as data: the engine's effects of the run, in order, the ones
    /// [`Self::effects`] words (it adds one line the engine has no effect for: the note that
    /// a `cctrl` step connected to a manager). Hosts and services are ids of the
    /// [`Start`](super::Start)'s topology. Empty for a refused or unchanged run, and left out
    /// of JSON when empty. A tool reads promotions, shuns and stops here rather than parsing
    /// the words (a library user's review).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub engine_effects: Vec<crate::machine::Effect>,
}

/// A finding in a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReportFinding {
    /// Warning or error.
    pub severity: Severity,
    /// The kind of finding ([`FindingKind`], whose variants say what each means), for tools
    /// to match on; a stable kebab-case name in JSON and text.
    pub kind: FindingKind,
    /// The finding in words.
    pub text: String,
}

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StepReport {
    /// Its line in the runbook.
    pub line: usize,
    /// The step as written (canonical form).
    pub text: String,
    /// Whether it is an `event>` step: what happened to the cluster, not a command. Its
    /// findings are the event's consequences; they still count against the plan, which runs
    /// into them as written (a review found an operator reading an INVALID verdict as a fault
    /// of the commands, with nothing to say the event caused it).
    #[serde(default)]
    pub event: bool,
    /// Its runs: one per host for a step on a site.
    pub runs: Vec<Run>,
    /// What replication did before the next step (slaves catching up), when settling is on.
    pub settled: Vec<String>,
    /// What replication did before the next step as data: the engine's effects, in order, the
    /// ones [`Self::settled`] words, as [`Run::engine_effects`] holds a run's (a review found
    /// them given for the runs alone, so a tool reading the data missed what catching up
    /// did). Left out of JSON when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settled_effects: Vec<crate::machine::Effect>,
    /// Warnings and errors.
    pub findings: Vec<ReportFinding>,
    /// The listing the step printed, for an `ls` step.
    pub printed: Option<String>,
    /// The state after the step.
    pub state: State,
}

/// A step's verdict ([`StepReport::status`]): the first that holds of refused, not modelled,
/// raising an error, and ok. It prints as the report prints it after the step (`[ok]`,
/// `[UNSAFE]`, ...), so a tool reads it here rather than from the text (a library user's
/// review found it only in the text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StepStatus {
    /// Every run accepted (or it changed nothing), no error: `ok`.
    Ok,
    /// Accepted, and an error found in what it did: `UNSAFE`.
    Unsafe,
    /// An `event>` step, and an error found in what the event did: `UNSAFE, by the event`.
    /// The plan runs into it as written, so it counts against the plan.
    UnsafeByEvent,
    /// Refused on every host it ran on: `REJECTED`.
    Rejected,
    /// A step on a site, refused on some of its hosts and accepted on others: `PARTLY
    /// REJECTED`.
    PartlyRejected,
    /// A command the model does not know, checked as if it changed nothing: `NOT MODELLED`.
    NotModelled,
}

impl fmt::Display for StepStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ok => "ok",
            Self::Unsafe => "UNSAFE",
            Self::UnsafeByEvent => "UNSAFE, by the event",
            Self::Rejected => "REJECTED",
            Self::PartlyRejected => "PARTLY REJECTED",
            Self::NotModelled => "NOT MODELLED",
        })
    }
}

impl StepReport {
    /// The step's verdict, as the report prints it in brackets after the step ([`StepStatus`]).
    #[must_use]
    pub fn status(&self) -> StepStatus {
        if self.rejected() {
            if self
                .runs
                .iter()
                .any(|r| matches!(r.status, RunStatus::Accepted | RunStatus::Unchanged { .. }))
            {
                StepStatus::PartlyRejected
            } else {
                StepStatus::Rejected
            }
        } else if self.not_modelled() {
            StepStatus::NotModelled
        } else if self.has_error() {
            if self.event {
                StepStatus::UnsafeByEvent
            } else {
                StepStatus::Unsafe
            }
        } else {
            StepStatus::Ok
        }
    }

    /// The state after the step as `service`'s coordinator would list it (`None` when no
    /// manager of the service runs).
    #[must_use]
    pub fn listing(
        &self,
        topology: &crate::model::Topology,
        service: crate::model::ServiceId,
    ) -> Option<crate::ls::Listing> {
        let viewer = crate::ls::default_viewer(topology, &self.state, service)?;
        Some(crate::ls::project(topology, &self.state, viewer, None))
    }

    /// Whether a run was refused.
    #[must_use]
    pub fn rejected(&self) -> bool {
        self.runs
            .iter()
            .any(|r| matches!(r.status, RunStatus::Rejected { .. }))
    }

    /// Whether a run is a step the model does not know.
    #[must_use]
    pub fn not_modelled(&self) -> bool {
        self.runs.iter().any(|r| r.status == RunStatus::NotModelled)
    }

    /// Whether a finding is an error.
    #[must_use]
    pub fn has_error(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// The report on a runbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// The verdict.
    pub verdict: Verdict,
    /// The topology, in one line.
    pub topology: String,
    /// What the starting state rests on: the import's and the runbook's assumptions.
    pub assumptions: Vec<String>,
    /// Configurations in which Tungsten's own quorum rule can leave two primary partitions.
    pub hazards: Vec<String>,
    /// One entry per step.
    pub steps: Vec<StepReport>,
    /// The goals and whether each holds at the end.
    pub goals: Vec<GoalResult>,
    /// Why the starting state is not one the engine could have built over the topology
    /// ([`crate::model::State::validate`]'s error). When set, no step was run and the verdict
    /// is INVALID: what the engine answers for such a state means little.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// Lines read as notes that read as cctrl or shell commands: pasted without their prompt,
    /// so not checked. Each is an error: the plan an operator runs would hold a command the report
    /// never judged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unchecked: Vec<Unchecked>,
    /// What the managers did to the starting state at once, before the first step
    /// ([`crate::machine::settle`]; a listing taken just before they acted shows such a state),
    /// then what replication did catching up on it (unless settling is off), in words. Empty
    /// when the start was settled. The steps are checked from the state after.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub start_effects: Vec<String>,
    /// The same as data: the engine's effects, in order, the ones [`Self::start_effects`]
    /// words, as [`Run::engine_effects`] holds a run's (a review found a failover the managers
    /// made on the starting state given in words alone). Left out of JSON when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub start_engine_effects: Vec<crate::machine::Effect>,
    /// The findings of that settling: an `unsettled-start` warning, and whatever it found as
    /// a step's findings are found (events a failover left behind, a service left without a
    /// writable master, a replicator stopped in error, ...); and each invariant the start
    /// breaks, as listed or once settled, as an error (`invariant`). Counted in the verdict as
    /// a step's are.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub start_findings: Vec<ReportFinding>,
}

/// A note of a runbook that reads as a cctrl or shell command ([`Report::unchecked`]). A line
/// is a step only when it starts with a prompt (the [module docs](super)); prose starts with a
/// capital letter, so only a note starting with a lower-case letter (or, for a shell command,
/// with the `/` of an install path) that reads as a whole command the model knows is listed
/// (**modelling decision**: a rule on the text, to keep prose such as "Recover the master." a
/// note).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Unchecked {
    /// Its line in the runbook.
    pub line: usize,
    /// The line as written.
    pub text: String,
    /// Whether it reads as a shell command (`trepctl ...`, `stopall`, `tprovision ...`) rather
    /// than a cctrl one.
    #[serde(default)]
    pub shell: bool,
    /// The command, where the line holds it behind a list marker, backticks, a prompt,
    /// `sudo`, `ssh <host>` or a chain this format does not read (`- cctrl> datasource db2
    /// shun`, `$ trepctl offline`, `$ sudo stopall`, `stopall && startall`);
    /// `None` where the line is the command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

impl fmt::Display for Unchecked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = self.line;
        if let Some(command) = &self.command {
            let (kind, prompt) = if self.shell {
                ("shell", "shell <host>>")
            } else {
                ("cctrl", "cctrl>")
            };
            return write!(
                f,
                "line {line}: `{}` holds the {kind} command `{command}` behind a list marker, backticks, a prompt, `sudo`, `ssh` or a chain this format does not read, so it was not checked: write it as `{prompt} {command}`, or start the line with `#` to keep it a note",
                self.text
            );
        }
        let text = &self.text;
        if self.shell {
            write!(
                f,
                "line {line}: `{text}` reads as a shell command but has no prompt, so it was not checked: write it as `shell <host>> {text}` (a host, a site, or a selector such as `east{{master}}`), or start the line with `#` to keep it a note"
            )
        } else {
            write!(
                f,
                "line {line}: `{text}` reads as a cctrl command but has no prompt, so it was not checked: write it as `cctrl> {text}` (or `[LOGICAL] /<service> > {text}`), or start the line with `#` to keep it a note"
            )
        }
    }
}

/// One error or warning of a report, with its line: what a tool posts for an operator
/// ([`Report::diagnostics`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Diagnostic {
    /// The runbook line it is about: a step's, an unchecked note's, a goal's declaration; 0
    /// for the starting state's.
    pub line: usize,
    /// Error or warning.
    pub severity: Severity,
    /// Its kind: a finding's ([`ReportFinding::kind`]), or `refused` (a step refused),
    /// `unchecked` (a command pasted without its prompt), `goal` (a goal not met), `start`
    /// (a starting state the engine could not have built).
    pub kind: String,
    /// In words, as the report prints it.
    pub text: String,
}

impl fmt::Display for Diagnostic {
    /// `line 12: error [refused] ...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}: {} [{}] {}",
            self.line, self.severity, self.kind, self.text
        )
    }
}

impl Report {
    /// Every error and warning the verdict and the counts rest on, each with its line, in
    /// line order (the start's first): the starting state's refusal and findings, unchecked
    /// notes, each refused step (its first refusal), each step's findings, and unmet goals.
    /// A tool posting a report needs no more (a library user's review found it rebuilt from
    /// six fields); [`Report::errors`] and [`Report::warnings`] count these.
    #[must_use]
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let of = |line: usize, f: &ReportFinding| Diagnostic {
            line,
            severity: f.severity,
            kind: f.kind.to_string(),
            text: f.text.clone(),
        };
        let error = |line: usize, kind: &str, text: String| Diagnostic {
            line,
            severity: Severity::Error,
            kind: kind.to_owned(),
            text,
        };
        let mut all: Vec<Diagnostic> = Vec::new();
        all.extend(self.start.iter().map(|why| error(0, "start", why.clone())));
        all.extend(self.start_findings.iter().map(|f| of(0, f)));
        all.extend(
            self.unchecked
                .iter()
                .map(|u| error(u.line, "unchecked", u.to_string())),
        );
        for s in &self.steps {
            let refused = s.runs.iter().find_map(|r| match &r.status {
                RunStatus::Rejected { rule, reason, .. } => {
                    Some(format!("refused ({rule}): {reason}"))
                }
                _ => None,
            });
            all.extend(refused.map(|text| error(s.line, "refused", text)));
            all.extend(s.findings.iter().map(|f| of(s.line, f)));
        }
        all.extend(self.goals.iter().filter(|g| !g.met).map(|g| {
            error(
                g.line,
                "goal",
                format!("goal `{}` not met: {}", g.goal, g.detail),
            )
        }));
        // Stable: within a line, the order above.
        all.sort_by_key(|d| d.line);
        all
    }

    /// How many error findings, refused steps and unmet goals there are: the errors of
    /// [`Report::diagnostics`].
    #[must_use]
    pub fn errors(&self) -> usize {
        self.diagnostics()
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// How many warnings there are: the warnings of [`Report::diagnostics`].
    #[must_use]
    pub fn warnings(&self) -> usize {
        self.diagnostics()
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }

    /// The first refused step, if any.
    #[must_use]
    pub fn first_rejected(&self) -> Option<&StepReport> {
        self.steps.iter().find(|s| s.rejected())
    }

    /// Every finding of `kind`, with the line of its step (0 for the start's,
    /// [`Report::start_findings`]).
    pub fn findings_of(
        &self,
        kind: FindingKind,
    ) -> impl Iterator<Item = (usize, &ReportFinding)> + '_ {
        self.start_findings
            .iter()
            .map(|f| (0, f))
            .chain(
                self.steps
                    .iter()
                    .flat_map(|s| s.findings.iter().map(move |f| (s.line, f))),
            )
            .filter(move |(_, f)| f.kind == kind)
    }
}

/// Findings one per line, indented, marked `!` (warning) or `!!` (error).
fn write_findings(f: &mut fmt::Formatter<'_>, findings: &[ReportFinding]) -> fmt::Result {
    for finding in findings {
        let mark = match finding.severity {
            Severity::Warning => "!",
            Severity::Error => "!!",
        };
        writeln!(f, "    {mark} {}", finding.text)?;
    }
    Ok(())
}

impl fmt::Display for Report {
    /// What the managers did to the starting state, if anything ("before the first step"),
    /// then one line per step with its outcome, its effects indented under it, findings
    /// marked `!` (warning) or `!!` (error), the goals, and the verdict.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "topology: {}", self.topology)?;
        for a in &self.assumptions {
            writeln!(f, "assumes: {a}")?;
        }
        for h in &self.hazards {
            writeln!(f, "!! hazard: {h}")?;
        }
        for u in &self.unchecked {
            writeln!(f, "!! {u}")?;
        }
        if let Some(why) = &self.start {
            writeln!(
                f,
                "!! start: the starting state does not fit the topology, so no step was run: {why}"
            )?;
        }
        if !self.start_effects.is_empty() || !self.start_findings.is_empty() {
            writeln!(f, "\nbefore the first step:")?;
            for e in &self.start_effects {
                writeln!(f, "    {e}")?;
            }
            write_findings(f, &self.start_findings)?;
        }
        for (number, step) in (1..).zip(&self.steps) {
            // A step built in code has no line (0): its number in the plan names it.
            let status = step.status();
            if step.line == 0 {
                writeln!(f, "\nstep {number:>3}  {}  [{status}]", step.text)?;
            } else {
                writeln!(f, "\nline {:>3}  {}  [{status}]", step.line, step.text)?;
            }
            let fan_out = step.runs.len() > 1;
            for run in &step.runs {
                let who = if fan_out {
                    format!("{}: ", run.host)
                } else {
                    String::new()
                };
                match &run.status {
                    RunStatus::Accepted => {
                        if fan_out && run.effects.is_empty() {
                            writeln!(f, "    {who}done")?;
                        }
                    }
                    RunStatus::Unchanged { reason } => writeln!(f, "    {who}{reason}")?,
                    RunStatus::Rejected { rule, reason, .. } => {
                        writeln!(f, "    {who}refused ({rule}): {reason}")?;
                    }
                    // The step's `not-modelled` warning says what it means.
                    RunStatus::NotModelled => {
                        if fan_out {
                            writeln!(f, "    {who}not modelled")?;
                        }
                    }
                }
                for e in &run.effects {
                    writeln!(f, "    {who}{e}")?;
                }
            }
            for e in &step.settled {
                writeln!(f, "    ~ {e}")?;
            }
            write_findings(f, &step.findings)?;
            if let Some(listing) = &step.printed {
                for l in listing.lines() {
                    writeln!(f, "    | {l}")?;
                }
            }
        }
        if self.goals.is_empty() && !self.steps.is_empty() {
            // A plan with no goal reads VALID as long as every step is legal and safe, even
            // one that leaves the cluster all OFFLINE; say what the verdict does not cover
            // (helper-91 F4: an operator took VALID for "the plan gets there").
            writeln!(
                f,
                "\ngoals: none declared, so the verdict does not say where the plan leaves the \
                 cluster (`#! goal <site> all-online, <site> policy automatic, ...`)"
            )?;
        } else if !self.goals.is_empty() {
            writeln!(f, "\ngoals:")?;
            for g in &self.goals {
                if g.met {
                    writeln!(f, "    met      {}", g.goal)?;
                } else {
                    writeln!(f, "    NOT MET  {}: {}", g.goal, g.detail)?;
                }
            }
        }
        self.write_verdict(f)
    }
}

impl Report {
    /// The verdict line, and under it the `event>` steps whose errors it counts.
    fn write_verdict(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "\nverdict: {} ({}, {}, {})",
            self.verdict,
            crate::text::counted(self.steps.len(), "step"),
            crate::text::counted(self.errors(), "error"),
            crate::text::counted(self.warnings(), "warning")
        )?;
        // Say which errors the world caused: an operator read an INVALID verdict as a fault of
        // the commands when only an `event>` step had drawn an error (helper-119 F8).
        // A refused event counts too: the verdict's count holds it (a review found "2 errors"
        // above "1 error at the `event>` step", the other an event's refusal).
        let events: Vec<usize> = self
            .steps
            .iter()
            .filter(|s| s.event)
            .map(|s| s.line)
            .collect();
        // A refused event did not happen: nothing ran into it. It says the plan's picture of
        // the cluster is wrong at that point (a write to a host that takes none, say), and is
        // counted for that, not as harm the cluster came to (an operator's review found the
        // two told alike, helper-127 F2).
        let (mut refused, mut happened): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
        for d in self.diagnostics() {
            if d.severity == Severity::Error && events.contains(&d.line) {
                if d.kind == "refused" {
                    refused.push(d.line);
                } else {
                    happened.push(d.line);
                }
            }
        }
        let lines = |at: &mut Vec<usize>| {
            at.dedup();
            let lines: Vec<String> = at.iter().map(ToString::to_string).collect();
            let steps = if lines.len() == 1 {
                "step on line"
            } else {
                "steps on lines"
            };
            format!("{steps} {}", crate::text::series(&lines, "and"))
        };
        let (errors, refusals) = (happened.len(), refused.len());
        if errors > 0 {
            let it = if errors == 1 { "it" } else { "them" };
            writeln!(
                f,
                "    {} at the `event>` {}: caused by what happened to the cluster, not \
                 by a command, and counted because the plan as written runs into {it}",
                crate::text::counted(errors, "error"),
                lines(&mut happened)
            )?;
        }
        if refusals > 0 {
            writeln!(
                f,
                "    {} at the `event>` {}: the event is refused there (in the state the \
                 plan reaches, or in this topology), so it changed nothing; counted because \
                 the plan expects what the cluster would not do (fix the event, or the steps \
                 before it)",
                crate::text::counted(refusals, "error"),
                lines(&mut refused)
            )?;
        }
        Ok(())
    }
}
