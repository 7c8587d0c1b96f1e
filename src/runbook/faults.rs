//! A plan under faults: the runbook run again with every single fault injected at every step
//! boundary, to find where a crash, a stopped process or a cut-off host would make the plan
//! unsafe or impossible.
//!
//! The faults tried are, for every host: a crash; each of its processes (manager, replicator,
//! connector, dataserver) stopping; and the host cut off from all the others. With more than
//! one site, each site cut off from the others is tried too. Each is injected before each step
//! and after the last. A pair (boundary, fault) is reported when, with it,
//! an invariant breaks (the fault's own consequences included), a later step draws an error
//! the same step of the plain run does not (the managers fail over on their own, events a
//! live host holds are lost, drifted data is opened to writes: the runbook-level rules of
//! [`super::validate`]), a later step takes the last writable master (or a passive site's
//! serving relay) away where the plain step does not, a later step is refused, or a goal the
//! plain run meets is missed. Faults refused where they land (a crash of a host already
//! down) are counted as not applicable.
//!
//! A fault after the last step can only break an invariant: no step is left to act, and a
//! goal it misses is the fault's own damage (a crashed host is not ONLINE). A goal missed
//! with the fault earlier is reported only when the same fault after the last step would
//! leave it met, or fall short of it otherwise (its detail differs): then the plan, not the
//! fault alone, is why it is missed (a review found such own damage crowding out the pairs
//! an operator can act on).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::fault::{Fault, Process, Split};
use crate::machine::{Finding, FindingKind, Input, Severity};
use crate::model::Topology;

use super::validate::{Injection, validate_injected};
use super::{Options, Report, RunStatus, Runbook, Start, Verdict};

/// What one injected fault did to the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum Consequence {
    /// An invariant broke (named), at the fault itself or at the step given. It outranks an
    /// earlier step the fault made unsafe, but not a step it blocked (the plan stops there).
    Breaks {
        /// The step (1-based) after which it broke; `None` when the fault itself broke it.
        step: Option<usize>,
        /// The invariant break, in words.
        what: String,
    },
    /// A later step drew an error of a kind the same step of the plain run does not: with
    /// the fault, the plan as written is unsafe there. (Errors are compared by kind: where the
    /// plain step already draws one, the plan is invalid as written, and a second of the same
    /// kind, about other hosts or worded for another new master, is not reported again.)
    Unsafe {
        /// The step (1-based).
        step: usize,
        /// The kind of the error, as the report names it (`unplanned-failover`,
        /// `lost-events`, `drifted-writable`, ...).
        error: FindingKind,
        /// The error, in words.
        what: String,
    },
    /// A later step took the last writable master of a service (or the serving relay of a
    /// passive site) away where the same step of the plain run does not: with the fault, the
    /// plan as written makes an outage (it shuns the master a failover just promoted, say).
    Outage {
        /// The step (1-based).
        step: usize,
        /// The kind of the warning, as the report names it (`availability`).
        warning: FindingKind,
        /// The warning, in words.
        what: String,
    },
    /// A later step was refused: the rest of the plan cannot run as written.
    Blocks {
        /// The refused step (1-based).
        step: usize,
        /// Why, as the report gives it.
        reason: String,
    },
    /// Every step ran but a goal the plain run meets is not met.
    MissesGoal {
        /// The goal, as written.
        goal: String,
    },
}

impl Consequence {
    /// The step (1-based) it names: the unsafe, outage-making or blocked step, or the one
    /// after which an invariant broke; `None` for an invariant the fault itself broke and for
    /// a goal missed. [`FaultReport::step_lines`] gives its line.
    #[must_use]
    pub fn step(&self) -> Option<usize> {
        match *self {
            Self::Breaks { step, .. } => step,
            Self::Unsafe { step, .. } | Self::Outage { step, .. } | Self::Blocks { step, .. } => {
                Some(step)
            }
            Self::MissesGoal { .. } => None,
        }
    }
}

/// How many pairs of a [`FaultReport`] have each kind of consequence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultCounts {
    /// Break an invariant.
    pub breaks: usize,
    /// Make a later step unsafe.
    pub unsafe_steps: usize,
    /// Make a later step take the last writable master away.
    pub outages: usize,
    /// Make a later step refused.
    pub blocks: usize,
    /// Miss a goal the plain run meets.
    pub missed_goals: usize,
}

/// One (boundary, fault) pair that hurts the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FaultCase {
    /// The fault was injected before this step (1-based); one past the last step means after
    /// the last.
    pub before_step: usize,
    /// The fault, in words.
    pub fault: String,
    /// What it did.
    pub consequence: Consequence,
}

/// The result of running a plan under every single fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FaultReport {
    /// The verdict of the plan without faults (INVALID, with no pair tried, when its starting
    /// state does not fit its topology: see [`super::Report::start`]).
    pub verdict: Verdict,
    /// Steps in the plan.
    pub steps: usize,
    /// The line each step starts on in the runbook, in order: step `n` (1-based) of a case
    /// is on line `step_lines[n - 1]`.
    pub step_lines: Vec<usize>,
    /// (boundary, fault) pairs tried.
    pub tried: usize,
    /// Of those, faults refused where they land (nothing to try).
    pub not_applicable: usize,
    /// The pairs that break an invariant, make a step unsafe, block the plan or miss a goal.
    pub cases: Vec<FaultCase>,
}

/// The single faults tried at each boundary, for `topology`.
#[must_use]
pub fn single_faults(topology: &Topology) -> Vec<Fault> {
    let mut faults = Vec::new();
    for h in topology.host_ids() {
        faults.push(Fault::HostCrash(h));
        for p in [
            Process::Manager,
            Process::Replicator,
            Process::Connector,
            Process::DataServer,
        ] {
            faults.push(Fault::Stop(h, p));
        }
        if topology.hosts().len() > 1 {
            faults.push(Fault::Partition(Split::new(&[&[], &[h]])));
        }
    }
    // A site cut off from the others: the wide-area fault, behind composite failsafe and
    // relay behaviour (a review found only single hosts cut off).
    // Two sites give one split: each is named by the side holding the first host (`Split`
    // values also place the slots past the topology's hosts, so they differ between sides).
    let mut sides = Vec::new();
    for service in topology.physical_services() {
        let site: Vec<_> = topology.hosts_of(service).collect();
        let first_side: Vec<_> = match topology.host_ids().next() {
            Some(first) if !site.contains(&first) => {
                topology.host_ids().filter(|h| !site.contains(h)).collect()
            }
            _ => site.clone(),
        };
        if site.len() > 1 && site.len() < topology.hosts().len() && !sides.contains(&first_side) {
            faults.push(Fault::Partition(Split::new(&[&[], &site])));
            sides.push(first_side);
        }
    }
    faults
}

/// Run `runbook` from `start` with every fault of [`single_faults`] injected at every step
/// boundary, and report the pairs that hurt it.
#[must_use]
pub fn under_faults(start: &Start, runbook: &Runbook, options: Options) -> FaultReport {
    let topology = &start.topology;
    let plain = super::validate(start, runbook, options);
    let step_lines: Vec<usize> = runbook.steps().map(|s| s.line).collect();
    let steps = step_lines.len();
    let faults = single_faults(topology);
    let mut report = FaultReport {
        verdict: plain.verdict,
        steps,
        step_lines,
        tried: 0,
        not_applicable: 0,
        cases: Vec::new(),
    };
    if plain.start.is_some() {
        // The plain run refused the starting state: there is nothing to inject faults into.
        return report;
    }
    // The goals each fault misses when it lands after the last step: its own damage (a
    // crashed host is not ONLINE), which no step caused. The boundaries are run last first
    // so those are known before the others are judged.
    let mut own_damage: Vec<Vec<Option<String>>> =
        vec![vec![None; plain.goals.len()]; faults.len()];
    for before in (0..=steps).rev() {
        for (i, &fault) in faults.iter().enumerate() {
            report.tried += 1;
            let injection = Injection {
                before,
                input: Input::Fault(fault),
            };
            let Some((run, findings)) = validate_injected(start, runbook, options, injection)
            else {
                report.not_applicable += 1;
                continue;
            };
            if before == steps {
                for (missed, goal) in own_damage[i].iter_mut().zip(&run.goals) {
                    *missed = (!goal.met).then(|| goal.detail.clone());
                }
            }
            if let Some(consequence) =
                judge(topology, &plain, &run, &findings, before, &own_damage[i])
            {
                report.cases.push(FaultCase {
                    before_step: before + 1,
                    fault: fault.render(topology),
                    consequence,
                });
            }
        }
    }
    // Stable: the faults keep their order within a boundary.
    report.cases.sort_by_key(|c| c.before_step);
    report
}

/// What the faulted run shows that the plain run does not. A goal that falls short exactly
/// as `own_damage` records it (the same fault after the last step misses it, with the same
/// detail) is the fault's own damage, not the plan's, and is not reported missed. The detail
/// is compared, not only the miss: a compound goal (`alpha all-online`) the fault alone
/// misses for its own host would otherwise hide the plan leaving another host out of it (a
/// review found the report depend on how the goals were grouped).
fn judge(
    topology: &Topology,
    plain: &Report,
    run: &Report,
    injected: &[Finding],
    before: usize,
    own_damage: &[Option<String>],
) -> Option<Consequence> {
    if let Some(Finding::Invariant(v)) =
        injected.iter().find(|f| matches!(f, Finding::Invariant(_)))
    {
        return Some(Consequence::Breaks {
            step: None,
            what: v.describe(topology),
        });
    }
    // Step by step up to the first step the fault blocks (an operator stops there): a broken
    // invariant outranks an earlier step the fault made unsafe, since it is what the fault
    // leads to; failing both, the first unsafe step, then the block.
    let refused = |s: &super::StepReport| {
        s.runs.iter().find_map(|r| match &r.status {
            RunStatus::Rejected { reason, .. } => Some(reason.clone()),
            _ => None,
        })
    };
    let mut first_unsafe = None;
    let mut first_outage = None;
    for (i, (step, plain_step)) in run.steps.iter().zip(&plain.steps).enumerate().skip(before) {
        if let Some(f) = step
            .findings
            .iter()
            .find(|f| f.kind == FindingKind::Invariant)
        {
            return Some(Consequence::Breaks {
                step: Some(i + 1),
                what: f.text.clone(),
            });
        }
        let new_error = step.findings.iter().find(|f| {
            f.severity == Severity::Error
                && !plain_step
                    .findings
                    .iter()
                    .any(|p| p.severity == Severity::Error && p.kind == f.kind)
        });
        if let Some(f) = new_error {
            first_unsafe.get_or_insert_with(|| Consequence::Unsafe {
                step: i + 1,
                error: f.kind,
                what: f.text.clone(),
            });
        }
        let outage = step.findings.iter().find(|f| {
            f.kind == FindingKind::Availability
                && !plain_step.findings.iter().any(|p| p.kind == f.kind)
        });
        if let Some(f) = outage {
            first_outage.get_or_insert_with(|| Consequence::Outage {
                step: i + 1,
                warning: f.kind,
                what: f.text.clone(),
            });
        }
        if let (Some(reason), None) = (refused(step), refused(plain_step)) {
            return first_unsafe.or(first_outage).or(Some(Consequence::Blocks {
                step: i + 1,
                reason,
            }));
        }
    }
    if first_unsafe.is_some() || first_outage.is_some() {
        return first_unsafe.or(first_outage);
    }
    run.goals
        .iter()
        .zip(&plain.goals)
        .zip(
            own_damage
                .iter()
                .map(Option::as_ref)
                .chain(std::iter::repeat(None)),
        )
        .find(|((g, p), own)| !g.met && p.met && *own != Some(&g.detail))
        .map(|((g, _), _)| Consequence::MissesGoal {
            goal: g.goal.to_string(),
        })
}

/// How grave a consequence is, for the order of the text report: a broken invariant, an
/// unsafe step, an outage, a refused step, a missed goal. The order is that of the harm done
/// to the cluster (a modelling decision): the first three are damage the plan does or lets
/// happen (two masters; an error such as lost events or an unplanned failover; writes
/// stopped), while a refused step does nothing (the managers protect the cluster, and the
/// operator stops to think), and a missed goal leaves it short of where the plan meant to
/// take it. A review asked for a refused step above an
/// outage, since the plan cannot finish (helper-119 F7); an outage the plan makes is still the
/// graver.
fn gravity(consequence: &Consequence) -> u8 {
    match consequence {
        Consequence::Breaks { .. } => 0,
        Consequence::Unsafe { .. } => 1,
        Consequence::Outage { .. } => 2,
        Consequence::Blocks { .. } => 3,
        Consequence::MissesGoal { .. } => 4,
    }
}

impl FaultReport {
    /// How many pairs have each kind of consequence: the counts the text report ends with.
    #[must_use]
    pub fn counts(&self) -> FaultCounts {
        let mut counts = FaultCounts::default();
        for case in &self.cases {
            *match case.consequence {
                Consequence::Breaks { .. } => &mut counts.breaks,
                Consequence::Unsafe { .. } => &mut counts.unsafe_steps,
                Consequence::Outage { .. } => &mut counts.outages,
                Consequence::Blocks { .. } => &mut counts.blocks,
                Consequence::MissesGoal { .. } => &mut counts.missed_goals,
            } += 1;
        }
        counts
    }

    /// The line step `n` (1-based) starts on, if the plan has such a step.
    #[must_use]
    pub fn line_of(&self, n: usize) -> Option<usize> {
        self.step_lines.get(n.checked_sub(1)?).copied()
    }

    /// How step `n` (1-based) is named: its number and the line it starts on.
    fn step_name(&self, n: usize) -> String {
        match self.line_of(n) {
            Some(line) => format!("step {n} (line {line})"),
            None => format!("step {n}"),
        }
    }

    /// What `consequence` did, in words, with the steps named by number and line.
    fn describe(&self, consequence: &Consequence) -> String {
        match consequence {
            Consequence::Breaks { step: None, what } => format!("invariant {what}"),
            Consequence::Breaks {
                step: Some(s),
                what,
            } => format!("after {}, invariant {what}", self.step_name(*s)),
            Consequence::Unsafe { step, error, what } => {
                format!("{} is unsafe ({error}): {what}", self.step_name(*step))
            }
            Consequence::Outage {
                step,
                warning,
                what,
            } => format!(
                "{} makes an outage ({warning}): {what}",
                self.step_name(*step)
            ),
            Consequence::Blocks { step, reason } => {
                format!("{} is refused: {reason}", self.step_name(*step))
            }
            Consequence::MissesGoal { goal } => format!("the goal `{goal}` is not met"),
        }
    }
}

impl fmt::Display for FaultReport {
    /// Per boundary, each consequence once with the faults that lead to it (a review found
    /// the same 250-character reason printed once per fault), the gravest first and a blank
    /// line after each; then the counts and the plan's own verdict.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.cases.as_slice();
        let mut first_group = true;
        while let Some(first) = rest.first() {
            let here = rest
                .iter()
                .take_while(|c| c.before_step == first.before_step)
                .count();
            let (boundary, after) = rest.split_at(here);
            rest = after;
            let at = if first.before_step > self.steps {
                "after the last step".to_owned()
            } else {
                format!("before {}", self.step_name(first.before_step))
            };
            let mut groups: Vec<(&Consequence, Vec<&str>)> = Vec::new();
            for case in boundary {
                match groups.iter_mut().find(|(c, _)| **c == case.consequence) {
                    Some((_, faults)) => faults.push(&case.fault),
                    None => groups.push((&case.consequence, vec![&case.fault])),
                }
            }
            // The gravest first (a review read a blocked step before the broken invariant
            // it was listed above); stable, so the faults' order holds within a rank.
            groups.sort_by_key(|(c, _)| gravity(c));
            for (consequence, faults) in groups {
                // A blank line between groups: without it, a group's last `if` line sat
                // directly above the next group's consequence and read as its cause (a
                // review read a partition's "no quorum" as a stopped dataserver's).
                if !first_group {
                    writeln!(f)?;
                }
                first_group = false;
                writeln!(f, "{at}: {}", self.describe(consequence))?;
                for fault in faults {
                    writeln!(f, "    if {fault}")?;
                }
            }
        }
        if !first_group {
            writeln!(f)?;
        }
        let counts = self.counts();
        writeln!(
            f,
            "{}, {} (boundary, fault) pairs tried, {} not applicable: {} break an invariant, {} make a step unsafe, {} make an outage, {} block a step, {} miss a goal",
            crate::text::counted(self.steps, "step"),
            self.tried,
            self.not_applicable,
            counts.breaks,
            counts.unsafe_steps,
            counts.outages,
            counts.blocks,
            counts.missed_goals,
        )?;
        match self.verdict {
            Verdict::Valid => write!(f, "without faults, the plan is VALID"),
            // A review found a plan refused without any fault printing "0 ... 0" and exiting 1
            // with no reason given.
            Verdict::Invalid => write!(
                f,
                "without faults, the plan is already INVALID (`check plan` says why): what it \
                 refuses or judges unsafe there is not blamed on a fault"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

    use super::*;
    use crate::runbook::{ReportFinding, start, validate};

    /// The plain run of failing the master under AUTOMATIC: its one step already draws an
    /// `unplanned-failover` error, and, the plan's last, a `left-out-of-service` warning for
    /// the old master.
    fn plain() -> (Start, Report) {
        let book: Runbook = "#! scenario healthy-3\n[LOGICAL] /alpha > datasource db1 fail\n"
            .parse()
            .unwrap();
        let start = start(&book, &[], &mut |p: &str| Err(p.to_owned())).unwrap();
        let report = validate(&start, &book, Options::default());
        let kinds: Vec<_> = report.steps[0]
            .findings
            .iter()
            .map(|f| (f.severity, f.kind.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (Severity::Error, "unplanned-failover"),
                (Severity::Warning, "left-out-of-service")
            ],
            "{report}"
        );
        (start, report)
    }

    /// `report` with one more finding at its first step.
    fn with(report: &Report, severity: Severity, kind: FindingKind) -> Report {
        let mut run = report.clone();
        run.steps[0].findings.push(ReportFinding {
            severity,
            kind,
            text: format!("a second finding, of kind {kind}"),
        });
        run
    }

    /// An error of another kind at a step where the plain run already draws one is the
    /// fault's: the plain step's error does not hide it.
    #[test]
    fn a_new_kind_of_error_beside_the_plain_steps_own_is_unsafe() {
        let (start, plain) = plain();
        let unsafe_lost_events = Some(Consequence::Unsafe {
            step: 1,
            error: FindingKind::LostEvents,
            what: "a second finding, of kind lost-events".to_owned(),
        });
        let run = with(&plain, Severity::Error, FindingKind::LostEvents);
        assert_eq!(
            judge(&start.topology, &plain, &run, &[], 0, &[]),
            unsafe_lost_events
        );
        // The same kind again is the plan's own error, not the fault's.
        let run = with(&plain, Severity::Error, FindingKind::UnplannedFailover);
        assert_eq!(judge(&start.topology, &plain, &run, &[], 0, &[]), None);
        // A warning of that kind in the plain run does not excuse an error of it.
        let warned = with(&plain, Severity::Warning, FindingKind::LostEvents);
        let run = with(&plain, Severity::Error, FindingKind::LostEvents);
        assert_eq!(
            judge(&start.topology, &warned, &run, &[], 0, &[]),
            unsafe_lost_events
        );
    }
}
