//! Plans under faults: every single fault at every step boundary.
#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use tungsten_model::runbook::{self, Consequence, Options, Runbook};

fn run(text: &str) -> runbook::FaultReport {
    let book: Runbook = text.parse().unwrap();
    let mut no_files = |path: &str| Err(format!("no file `{path}`"));
    let start = runbook::start(&book, &[], &mut no_files).unwrap();
    runbook::under_faults(&start, &book, Options::default())
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
    assert!(
        report
            .to_string()
            .contains("step 3 breaks single-writable-master")
    );
}
