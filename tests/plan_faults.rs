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
/// make the plan stop, as they would in life (a crashed east host cannot be provisioned).
/// One goal miss is reported: db1's manager stopped before step 16 leaves east short of
/// `all-online` otherwise than the same stop after the last step does; every other miss is
/// the fault's own damage. (A replicator of db2 or db3 stopped before its reprovisioning
/// blocks it: `tprovision` is refused where the target's manager runs and its replicator is
/// stopped, F9.)
#[test]
fn seed000_survives_every_single_fault_without_an_invariant_break() {
    let report = run(include_str!("fixtures/runbooks/seed000_reset_east.txt"));
    assert_eq!(report.verdict, runbook::Verdict::Valid);
    // 21 steps, 22 boundaries, 6 hosts with 6 faults each, and east cut off from west.
    assert_eq!(report.tried, 22 * (6 * 6 + 1));
    assert_eq!(report.not_applicable, 45, "{report}");
    // Every count the report prints, and the plan's own verdict.
    assert!(
        report.to_string().ends_with(
            "21 steps, 814 (boundary, fault) pairs tried, 45 not applicable: 0 break an invariant, 0 make a step unsafe, 4 make an outage, 233 block a step, 1 miss a goal\nwithout faults, the plan is VALID"
        ),
        "{report}"
    );
    // Boundaries and steps are named by number and line; each consequence is printed once
    // with the faults leading to it.
    let printed = report.to_string();
    assert!(
        printed.contains("\nbefore step 21 (line 28): step 21 (line 28) is refused: `east{slave2}` names no host now: the site has fewer slaves\n    if db1 crashes\n"),
        "{printed}"
    );
    assert!(!printed.contains("before step 22"), "{printed}");
    assert!(!printed.contains("after the last step"), "{printed}");
    // The wide-area fault: east cut off from west.
    assert!(
        printed.contains("\n    if the network splits into {db1, db2, db3} | {db4, db5, db6}\n"),
        "{printed}"
    );
    let missed: Vec<(usize, &str)> = report
        .cases
        .iter()
        .filter(|c| matches!(c.consequence, Consequence::MissesGoal { .. }))
        .map(|c| (c.before_step, c.fault.as_str()))
        .collect();
    assert_eq!(missed, [(16, "the manager on db1 stops")], "{report}");
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
    // What the text prints, as data (helper-96 F5).
    assert_eq!(breaks[0].consequence.step(), Some(3));
    assert_eq!(report.line_of(3), Some(4));
    assert_eq!(report.line_of(0), None);
    assert_eq!(
        report.counts(),
        runbook::FaultCounts {
            breaks: 1,
            blocks: 11,
            ..runbook::FaultCounts::default()
        }
    );
    assert!(
        breaks[0].fault.contains("{db1} | {db2, db3}"),
        "{}",
        breaks[0].fault
    );
    let printed = report.to_string();
    assert!(
        printed.contains("before step 2 (line 3): after step 3 (line 4), invariant single-writable-master broken in alpha: db1, db2 are writable masters\n    if the network splits into {db1} | {db2, db3}\n"),
        "{printed}"
    );
    // The summary the README shows; forcing under AUTOMATIC is an error without faults too.
    assert!(
        printed.ends_with("3 steps, 72 (boundary, fault) pairs tried, 0 not applicable: 1 break an invariant, 0 make a step unsafe, 0 make an outage, 11 block a step, 0 miss a goal\nwithout faults, the plan is already INVALID (`check plan` says why): what it refuses or judges unsafe there is not blamed on a fault"),
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
    assert!(
        report.to_string().ends_with(
            "90 (boundary, fault) pairs tried, 0 not applicable: 0 break an invariant, 9 make a step unsafe, 0 make an outage, 14 block a step, 0 miss a goal\nwithout faults, the plan is VALID"
        ),
        "{report}"
    );
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

/// A fault can turn a harmless step into an outage: with db1 failed before the plan, the
/// managers promote db2, and the plan's `datasource db2 shun` then takes the only writable
/// master away. The plain run's step raises no such warning, so the pair is reported, and
/// ahead of the later step it blocks (helper-92 F1: it was not reported at all).
#[test]
fn a_fault_that_makes_a_later_step_shun_the_new_master_is_an_outage() {
    let report = run("#! scenario healthy-3\n\
         [LOGICAL] /alpha > datasource db2 shun\n\
         [LOGICAL] /alpha > replicator db2 offline\n");
    let outages: Vec<(usize, &str)> = report
        .cases
        .iter()
        .filter_map(|c| match &c.consequence {
            Consequence::Outage { step, warning, .. } => {
                assert_eq!((*step, warning.as_str()), (1, "availability"), "{c:?}");
                Some((c.before_step, c.fault.as_str()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        outages,
        [
            (1, "db1 crashes"),
            (1, "the manager on db1 stops"),
            (1, "the dataserver on db1 stops"),
            (1, "the network splits into {db1} | {db2, db3}"),
        ],
        "{report}"
    );
    assert!(
        report.to_string().starts_with(
            "before step 1 (line 2): step 1 (line 2) makes an outage (availability): alpha has no writable master: applications cannot write\n    if db1 crashes\n    if the manager on db1 stops\n"
        ),
        "{report}"
    );
}

/// A goal a fault misses only because of its own damage (a crashed host is not ONLINE) is
/// not the plan's doing: no fault after the last step is reported for a goal, and one before
/// is reported only when the same fault after the last step would leave the goal met
/// (helper-92 F3: 25 of this plan's 47 lines were such).
#[test]
fn a_goal_missed_by_the_faults_own_damage_is_not_reported() {
    let report = run(include_str!(
        "fixtures/runbooks/docs_replica_maintenance.txt"
    ));
    assert!(
        report
            .cases
            .iter()
            .all(|c| !matches!(c.consequence, Consequence::MissesGoal { .. })),
        "{report}"
    );
    assert!(
        report.cases.iter().all(|c| c.before_step <= report.steps),
        "{report}"
    );
    // A goal the plan's steps miss because of the fault is still reported: cut off from the
    // others before the last step, host1's `set policy automatic` cannot reach them; cut off
    // after it, the policy is already set.
    let report = run(include_str!("fixtures/runbooks/docs_restart_managers.txt"));
    let missed: Vec<(usize, &str)> = report
        .cases
        .iter()
        .filter(|c| matches!(c.consequence, Consequence::MissesGoal { .. }))
        .map(|c| (c.before_step, c.fault.as_str()))
        .collect();
    assert_eq!(
        missed,
        (2..=8)
            .map(|b| (b, "the network splits into {host1} | {host2, host3}"))
            .collect::<Vec<_>>(),
        "{report}"
    );
}

/// A plan invalid without faults says so after the counts, so "0 block" is not read as "the
/// plan is fine" (helper-92 F2); `step_lines` maps step numbers to the runbook's lines.
#[test]
fn a_plan_invalid_without_faults_says_so() {
    let report = run(include_str!(
        "fixtures/runbooks/docs_fence_primary_manual.txt"
    ));
    assert_eq!(report.verdict, runbook::Verdict::Invalid);
    assert!(
        report
            .to_string()
            .ends_with("\nwithout faults, the plan is already INVALID (`check plan` says why): what it refuses or judges unsafe there is not blamed on a fault"),
        "{report}"
    );
    assert_eq!(report.step_lines, [43, 44]);
}

/// Own damage is judged by how a goal falls short, not only whether: with db1 cut off before
/// the last step, the plan's `set policy automatic` leaves db3 out of `alpha all-online` too,
/// which the same cut after the last step does not, and the pair is reported whether the
/// goals name db3 apart or not (helper-95 F1: it was hidden by `all-online`'s own miss).
#[test]
fn a_goal_missed_otherwise_than_by_the_fault_alone_is_reported() {
    let plan = "#! scenario healthy-3\n#! goal alpha all-online\n\
         [LOGICAL] /alpha > set policy maintenance\n\
         [LOGICAL] /alpha > datasource db3 shun\n\
         [LOGICAL] /alpha > datasource db3 welcome\n\
         [LOGICAL] /alpha > set policy automatic\n";
    let cut = "the network splits into {db1} | {db2, db3}";
    for goals in ["alpha all-online", "alpha all-online, online db3"] {
        let report = run(&plan.replace("alpha all-online", goals));
        assert!(
            report.cases.iter().any(|c| c.before_step == 4
                && c.fault == cut
                && matches!(c.consequence, Consequence::MissesGoal { .. })),
            "{goals}: {report}"
        );
    }
}

/// The text report is read by eye: each consequence is a block of its own, a blank line
/// after its `if` lines, and the gravest comes first at a boundary. Without the blank line,
/// the last `if` line of one block sat right above the next block's consequence: a review of
/// the composite relay recovery read "west has no quorum" (the partition cutting db4 off)
/// as the consequence of db4's dataserver stopping, which takes no manager's quorum away.
#[test]
fn fault_report_separates_consequences_and_puts_the_gravest_first() {
    const GLOBAL: &str = r#"{"services": [{"name": "east", "datasources": ["db1", "db2", "db3"]},
        {"name": "west", "datasources": ["db4", "db5", "db6"]}],
        "composites": [{"name": "global", "members": ["east", "west"]}]}"#;
    let book: Runbook = "#! topology file global.json\n\
         #! goal west all-online, west policy automatic\n\
         shell db4> cctrl -multi\n\
         [LOGICAL] / > use west\n\
         [LOGICAL] /west > set policy maintenance\n\
         [LOGICAL] /west > replicator db4 offline\n\
         [LOGICAL] /west > replicator db4 relay east/db1\n\
         [LOGICAL] /west > set policy automatic\n"
        .parse()
        .unwrap();
    let mut files = |path: &str| match path {
        "global.json" => Ok(GLOBAL.to_owned()),
        _ => Err(format!("no file `{path}`")),
    };
    let start = runbook::start(&book, &[], &mut files).unwrap();
    let report = runbook::under_faults(&start, &book, Options::default());
    let printed = report.to_string();
    // The quorum refusal is the partition's, not the dataserver's.
    let quorum = report
        .cases
        .iter()
        .find(|c| {
            matches!(&c.consequence,
                Consequence::Blocks { reason, .. } if reason.contains("no quorum"))
        })
        .unwrap();
    assert!(quorum.fault.contains("splits"), "{report}");
    // Every consequence line but the first follows a blank line.
    let lines: Vec<&str> = printed.lines().collect();
    for (i, line) in lines.iter().enumerate().skip(1) {
        if line.starts_with("before step") || line.starts_with("after the last step") {
            assert_eq!(lines[i - 1], "", "line {}: {printed}", i + 1);
        }
    }
    // Before step 4 (line 6), the unsafe step 6 is listed ahead of step 4 refused.
    let unsafe_at = printed
        .find("before step 4 (line 6): step 6 (line 8) is unsafe")
        .unwrap();
    let refused_at = printed
        .find("before step 4 (line 6): step 4 (line 6) is refused")
        .unwrap();
    assert!(unsafe_at < refused_at, "{printed}");
}
