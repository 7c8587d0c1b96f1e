//! Plans under faults: every single fault at every step boundary.
#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use tungsten_model::runbook::{self, Consequence, Options, Runbook};

fn run(text: &str) -> runbook::FaultReport {
    let book: Runbook = text.parse().unwrap();
    let mut no_files = |path: &str| Err(format!("no file `{path}`"));
    let start = runbook::start(&book, &[], &mut no_files).unwrap();
    let report = runbook::under_faults(&start, &book, Options::default());
    // Every report here also survives JSON, as a tool handing it on would need.
    let json = serde_json::to_string(&report).unwrap();
    let back: runbook::FaultReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report, "read back from {json}");
    report
}

/// Seed 000's reset of site east: no single fault at any boundary breaks an invariant; many
/// make the plan stop or miss its goal, as they would in life (a crashed east host cannot be
/// provisioned).
#[test]
fn seed000_survives_every_single_fault_without_an_invariant_break() {
    let report = run(include_str!("fixtures/runbooks/seed000_reset_east.txt"));
    assert_eq!(report.verdict, runbook::Verdict::Valid);
    // 21 steps, 22 boundaries, 6 hosts with 6 faults each.
    assert_eq!(report.tried, 22 * 6 * 6);
    assert_eq!(report.not_applicable, 45, "{report}");
    // Every count the report prints, goals missed among them.
    assert!(
        report.to_string().ends_with(
            "21 steps, 792 (boundary, fault) pairs tried, 45 not applicable: 0 break an invariant, 0 make a step unsafe, 301 block or miss a goal"
        ),
        "{report}"
    );
    // Boundaries are named by the step they come before; the last is after the last step.
    let printed = report.to_string();
    assert!(
        printed.contains("\nbefore step 21, db1 crashes: step 21 is refused"),
        "{printed}"
    );
    assert!(
        printed.contains("\nafter the last step, db5 crashes: the goal"),
        "{printed}"
    );
    assert!(!printed.contains("before step 22"), "{printed}");
    let missed_goals = report
        .cases
        .iter()
        .filter(|c| matches!(c.consequence, Consequence::MissesGoal { .. }))
        .count();
    assert!(missed_goals > 0 && missed_goals < 301, "{missed_goals}");
    assert!(
        report
            .cases
            .iter()
            .all(|c| !matches!(c.consequence, Consequence::Breaks { .. })),
        "{report}"
    );
    assert!(
        report
            .cases
            .iter()
            .any(|c| matches!(c.consequence, Consequence::Blocks { .. }))
    );
    // A fault blocks a step at or after the boundary it was injected at, never one before.
    for c in &report.cases {
        if let Consequence::Blocks { step, .. } = c.consequence {
            assert!(step >= c.before_step && step <= report.steps, "{c:?}");
        }
    }
}

/// A forced plan typed into db1 is safe while db1 reaches the others; if db1 is cut off just
/// before the welcome, the others fail over and the forced steps make db1 writable too.
#[test]
fn a_forced_plan_cut_off_by_a_partition_breaks_single_writable_master() {
    let report = run("#! scenario healthy-3\n\
         [LOGICAL] /alpha > set force true\n\
         [LOGICAL] /alpha > datasource db1 welcome\n\
         [LOGICAL] /alpha > datasource db1 online\n");
    let breaks: Vec<_> = report
        .cases
        .iter()
        .filter(|c| matches!(c.consequence, Consequence::Breaks { .. }))
        .collect();
    assert_eq!(breaks.len(), 1, "{report}");
    assert_eq!(breaks[0].before_step, 2);
    assert!(
        breaks[0].fault.contains("{db1} | {db2, db3}"),
        "{}",
        breaks[0].fault
    );
    let printed = report.to_string();
    assert!(
        printed.contains("after step 3, invariant single-writable-master broken"),
        "{printed}"
    );
    // The summary the README shows.
    assert!(
        printed.ends_with("3 steps, 72 (boundary, fault) pairs tried, 0 not applicable: 1 break an invariant, 0 make a step unsafe, 11 block or miss a goal"),
        "{printed}"
    );
}

/// A fault can leave every step runnable yet make one unsafe: with db1 crashed, its manager or
/// its dataserver stopped during MAINTENANCE, `set policy automatic` makes the managers fail
/// over on their own, an error the plain run does not draw. Each such pair is reported, at the
/// step that draws the error, and no other pair is.
#[test]
fn a_fault_that_makes_a_later_step_fail_over_on_its_own_is_reported_unsafe() {
    let report = run("#! scenario healthy-3\n\
         [LOGICAL] /alpha > set policy maintenance\n\
         [LOGICAL] /alpha > datasource db3 offline\n\
         [LOGICAL] /alpha > datasource db3 online\n\
         [LOGICAL] /alpha > set policy automatic\n");
    let mut unsafe_pairs: Vec<(usize, &str)> = report
        .cases
        .iter()
        .filter_map(|c| match &c.consequence {
            Consequence::Unsafe { step, error, .. } => {
                assert_eq!((*step, error.as_str()), (4, "unplanned-failover"), "{c:?}");
                Some((c.before_step, c.fault.as_str()))
            }
            _ => None,
        })
        .collect();
    unsafe_pairs.sort_unstable();
    let db1_faults = [
        "db1 crashes",
        "the dataserver on db1 stops",
        "the manager on db1 stops",
    ];
    let expected: Vec<(usize, &str)> = (2..=4)
        .flat_map(|b| db1_faults.iter().map(move |f| (b, *f)))
        .collect();
    assert_eq!(unsafe_pairs, expected, "{report}");
    assert!(report.to_string().ends_with(
        "90 (boundary, fault) pairs tried, 0 not applicable: 0 break an invariant, 9 make a step unsafe, 14 block or miss a goal"
    ));
}

/// An error the plain run already draws at a step is the plan's own, not the fault's: failing
/// the master under AUTOMATIC makes the managers fail over whether or not db3 has crashed, and
/// no pair is reported unsafe for it.
#[test]
fn an_error_the_plain_run_draws_is_not_blamed_on_a_fault() {
    let report = run("#! scenario healthy-3\n[LOGICAL] /alpha > datasource db1 fail\n");
    assert_eq!(report.verdict, runbook::Verdict::Invalid);
    assert!(
        report
            .cases
            .iter()
            .all(|c| !matches!(c.consequence, Consequence::Unsafe { .. })),
        "{report}"
    );
}

/// A host alone has no one to be cut off from: a one-host topology gets five faults per
/// boundary (a crash and each process stopping), no partition.
#[test]
fn a_single_host_is_never_cut_off() {
    let report = run("#! topology single alpha=db1\n[LOGICAL] /alpha > ls\n");
    assert_eq!(report.tried, 2 * 5, "{report}");
    assert!(!report.to_string().contains("splits"), "{report}");
}
