//! Runbooks: the seeds' procedures validate as printed; unsafe variants are refused or judged
//! unsafe for the stated reason; built-in procedures are valid where they are written.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a test fails by panicking"
)]

use tungsten_model::runbook::{self, Report, RunStatus, Runbook, Start, Verdict};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/runbooks/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn check(text: &str) -> Report {
    let rb: Runbook = text
        .parse()
        .unwrap_or_else(|e: tungsten_model::ParseError| panic!("{}", e.caret()));
    let start = runbook::start(&rb, &[], &mut |p| Err(format!("no file {p} in tests"))).unwrap();
    runbook::validate(&start, &rb, runbook::Options::default())
}

/// Each goal of the report as written, and whether it is met.
fn goals_met(report: &Report) -> Vec<(String, bool)> {
    report
        .goals
        .iter()
        .map(|g| (g.goal.to_string(), g.met))
        .collect()
}

/// The rule of the first refused run, and its step's line text.
fn refusal(report: &Report) -> Option<(String, String)> {
    let step = report.first_rejected()?;
    step.runs.iter().find_map(|r| match &r.status {
        RunStatus::Rejected { rule, .. } => Some((rule.clone(), step.text.clone())),
        _ => None,
    })
}

fn error_kinds(report: &Report) -> Vec<String> {
    report
        .steps
        .iter()
        .flat_map(|s| &s.findings)
        .filter(|f| f.severity == tungsten_model::machine::Severity::Error)
        .map(|f| f.kind.clone())
        .collect()
}

/// Seed 000 with `edit` applied to its lines.
fn seed000_with(edit: impl FnOnce(&mut Vec<String>)) -> Report {
    let mut lines: Vec<String> = fixture("seed000_reset_east.txt")
        .lines()
        .map(str::to_owned)
        .collect();
    edit(&mut lines);
    check(&lines.join("\n"))
}

fn position(lines: &[String], needle: &str) -> usize {
    lines
        .iter()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle}"))
}

#[test]
fn seed000_validates_as_printed() {
    let report = check(&fixture("seed000_reset_east.txt"));
    assert_eq!(report.verdict, Verdict::Valid, "{report}");
    assert!(report.goals.iter().all(|g| g.met));
    insta::assert_snapshot!("seed000_report", report.to_string());
}

#[test]
fn seed000_variant_provisioning_east_while_it_runs_is_refused() {
    let report = seed000_with(|l| {
        let i = position(
            l,
            "shell east> /opt/continuent/tungsten/cluster-home/bin/stopall",
        );
        l.remove(i);
    });
    assert_eq!(report.verdict, Verdict::Invalid);
    let (rule, step) = refusal(&report).unwrap();
    assert_eq!(rule, "serves-slaves", "{step}");
    assert!(step.contains("tungsten_provision_slave"));
}

#[test]
fn seed000_variant_resetting_the_cross_site_service_while_online_is_refused() {
    let report = seed000_with(|l| {
        let i = position(l, "-service east offline");
        l.remove(i);
    });
    let (rule, step) = refusal(&report).unwrap();
    assert_eq!(rule, "replicator-state");
    assert!(step.contains("reset -all"));
}

#[test]
fn seed000_variant_routers_online_before_east_has_a_master_is_refused() {
    let report = seed000_with(|l| {
        let i = position(l, "cctrl> router * online");
        let line = l.remove(i);
        let j = position(l, "--source west{slave}");
        l.insert(j + 1, line);
    });
    let (rule, step) = refusal(&report).unwrap();
    assert_eq!(rule, "manager-running", "{report}");
    assert!(step.contains("router * online"));
}

#[test]
fn seed000_variant_skipping_maintenance_lets_the_managers_fail_over() {
    let report = seed000_with(|l| {
        let i = position(l, "set policy maintenance");
        l.remove(i);
    });
    assert_eq!(report.verdict, Verdict::Invalid);
    assert!(
        error_kinds(&report).contains(&"unplanned-failover".to_owned()),
        "{report}"
    );
}

#[test]
fn seed000_variant_provisioning_from_east_copies_the_drift() {
    let report = seed000_with(|l| {
        let i = position(l, "--source west{slave}");
        l[i] = l[i].replace("--source west{slave}", "--source east{slave}");
    });
    assert_eq!(report.verdict, Verdict::Invalid);
    assert!(
        error_kinds(&report).contains(&"drift".to_owned()),
        "{report}"
    );
    let consistent = report
        .goals
        .iter()
        .find(|g| g.goal.to_string() == "east consistent-with west")
        .unwrap();
    assert!(!consistent.met);
}

#[test]
fn seed000_variant_cross_site_back_online_before_east_is_provisioned_replays_the_drift() {
    let report = seed000_with(|l| {
        // Take west's cross-site service offline, reset it and bring it back while east still
        // runs on its drifted data, before stopping and reprovisioning east.
        let offline = l.remove(position(l, "-service east offline"));
        let reset = l.remove(position(l, "-service east reset"));
        let online = l.remove(position(l, "-service east online"));
        let stop = position(
            l,
            "shell east> /opt/continuent/tungsten/cluster-home/bin/stopall",
        );
        l.insert(stop, online);
        l.insert(stop, reset);
        l.insert(stop, offline);
    });
    assert_eq!(report.verdict, Verdict::Invalid);
    let drift: Vec<_> = report.findings_of("drift").collect();
    assert!(!drift.is_empty(), "{report}");
    assert!(drift.iter().all(|(_, f)| f.text.starts_with("db4")
        || f.text.starts_with("db5")
        || f.text.starts_with("db6")));
}

#[test]
fn seed004_validates_with_force_and_names_its_assumption() {
    let report = check(&fixture("seed004_last_man_standing.txt"));
    assert_eq!(report.verdict, Verdict::Valid, "{report}");
    let forced: Vec<_> = report.findings_of("forced").collect();
    assert_eq!(forced.len(), 5);
    assert!(
        forced[0]
            .1
            .text
            .contains("assumes db1 and db3 are down, not cut off by a partition")
    );
    insta::assert_snapshot!("seed004_report", report.to_string());
}

#[test]
fn seed004_without_force_is_refused_at_welcome_for_lack_of_quorum() {
    let text =
        fixture("seed004_last_man_standing.txt").replace("[LOGICAL] /alpha >set force true\n", "");
    let report = check(&text);
    assert_eq!(report.verdict, Verdict::Invalid);
    let step = report.first_rejected().unwrap();
    assert!(
        step.text.ends_with("datasource db2 welcome"),
        "{}",
        step.text
    );
    let RunStatus::Rejected { rule, reason } = &step.runs[0].status else {
        panic!()
    };
    assert_eq!(rule, "quorum");
    insta::assert_snapshot!(reason, @"alpha has no quorum: the manager reaches 1 DB member and needs 2, so it cannot confirm that db1 and db3 are down rather than cut off; bring them back, or `set force true` if you know they are down");
}

#[test]
fn prose_between_the_steps_is_kept_as_notes() {
    let text = format!(
        "Step one: stop writes.\n{}\n1. then the rest, in our words\n   more prose\n",
        "#! scenario healthy-3\n[LOGICAL] /alpha > set policy maintenance"
    );
    let rb: Runbook = text.parse().unwrap();
    assert_eq!(rb.steps().count(), 1);
    assert_eq!(rb.items.len(), 4);
    assert_eq!(check(&text).verdict, Verdict::Valid);
}

#[test]
fn runbooks_print_back_and_read_again() {
    for name in ["seed000_reset_east.txt", "seed004_last_man_standing.txt"] {
        let rb: Runbook = fixture(name).parse().unwrap();
        let again: Runbook = rb.to_string().parse().unwrap();
        assert_eq!(again.without_lines(), rb.without_lines(), "{name}");
    }
}

#[test]
fn bad_runbooks_fail_with_located_errors() {
    let caret = |text: &str| text.parse::<Runbook>().unwrap_err().caret();
    insta::assert_snapshot!(caret("#! scenario healthy-3\n[LOGICAL] /alpha > datasource db2 onlin\n"), @"
    error: expected a datasource action (online, offline, shun, welcome, recover, fail, slave, replica, master, primary, restore, backup, drain or connections), found `onlin`
     --> line 2, column 35
      |
    2 | [LOGICAL] /alpha > datasource db2 onlin
      |                                   ^^^^^
    ");
    insta::assert_snapshot!(caret("#! goal alpha all-onlin\n"), @"
    error: expected a goal (`online <host>`, `[svc] all-online`, `[svc] policy <mode>`, `[svc] routers-online`, `cross-site-online`, `<site> consistent-with <site>`, `[svc] writable`, `master <host>`, `[svc] no-drift`), found `alpha all-onlin`
     --> line 1, column 9
      |
    1 | #! goal alpha all-onlin
      |         ^^^^^^^^^^^^^^^
    ");
    insta::assert_snapshot!(caret("shell east{boss}> startall\n"), @"
    error: expected a host or site (`east`, `db2`, `east{master}`, `west{slave}`, `east{slave1}`), found `east{boss}`
     --> line 1, column 7
      |
    1 | shell east{boss}> startall
      |       ^^^^^^^^^^
    ");
    insta::assert_snapshot!(caret("#! state alpha\nCOORDINATOR[db1:AUTOMATIC:ONLINE]\nDATASOURCES:\n|db1(master:ONLIEN)|\n#! end\n"), @"
    error: expected a datasource state (ONLINE, OFFLINE, SHUNNED(<reason>) or FAILED(<reason>)), found `ONLIEN`
     --> line 4, column 13
      |
    4 | |db1(master:ONLIEN)|
      |             ^^^^^^
    ");
    insta::assert_snapshot!(caret("#! topology single alpha\n"), @"
    error: expected `<service>=<host>,<host>,...`, found `alpha`
     --> line 1, column 20
      |
    1 | #! topology single alpha
      |                    ^^^^^
    ");
    insta::assert_snapshot!(caret("#! frobnicate\n"), @"
    error: expected a declaration (`scenario`, `topology`, `state`, `assume`, `goal` or `settle`), found `frobnicate`
     --> line 1, column 4
      |
    1 | #! frobnicate
      |    ^^^^^^^^^^
    ");
    insta::assert_snapshot!(caret("cctrl [east]> switch to\n"), @"
    error: expected the datasource to promote (a host name), found the end of the command
     --> line 1, column 24
      |
    1 | cctrl [east]> switch to
      |                        ^
    ");
}

#[test]
fn starting_state_errors_name_the_problem() {
    let start = |text: &str| {
        let rb: Runbook = text.parse().unwrap();
        runbook::start(&rb, &[], &mut |p| Err(format!("no file {p}")))
            .map(|_| ())
            .unwrap_err()
            .to_string()
    };
    insta::assert_snapshot!(start("[LOGICAL] /alpha > ls\n"), @"no starting state: declare `#! scenario <name>`, `#! state <svc> ...` or `#! topology ...`, or give listings");
    insta::assert_snapshot!(start("#! scenario nope\n"), @"no scenario `nope`: expected one of healthy-3, healthy-5, seed004-failsafe, seed000-drifted");
    insta::assert_snapshot!(start("#! state alpha file x.txt\n"), @"cannot read `x.txt`: no file x.txt");
    insta::assert_snapshot!(start("#! scenario healthy-3\n#! topology single a=b\n"), @"both a scenario and a topology are declared: a scenario brings its own topology");
}

fn procedure_is_valid(start: &Start, rb: &Runbook) {
    let report = runbook::validate(start, rb, runbook::Options::default());
    assert_eq!(report.verdict, Verdict::Valid, "{rb}\n{report}");
}

fn after(start: &Start, faults: &[tungsten_model::fault::Fault]) -> Start {
    use tungsten_model::machine::{self, Input};
    let mut s = start.clone();
    for f in faults {
        s.state = machine::apply(&s.topology, &s.state, &Input::Fault(*f))
            .unwrap()
            .state;
    }
    s
}

fn cctrl(start: &mut Start, at: &str, line: &str) {
    use tungsten_model::machine;
    let at = start.topology.host_id(at).unwrap();
    let cmd: tungsten_model::command::CctrlCommand = line.parse().unwrap();
    let input = machine::resolve_cctrl(&start.topology, &start.state, at, &cmd).unwrap();
    start.state = machine::apply(&start.topology, &start.state, &input)
        .unwrap()
        .state;
}

fn healthy() -> (Start, [tungsten_model::model::HostId; 3]) {
    let start = runbook::scenario("healthy-3").unwrap();
    let t = &start.topology;
    let ids = ["db1", "db2", "db3"].map(|h| t.host_id(h).unwrap());
    (start, ids)
}

fn manual() -> (Start, [tungsten_model::model::HostId; 3]) {
    let (mut start, ids) = healthy();
    cctrl(&mut start, "db1", "set policy manual");
    (start, ids)
}

#[test]
fn last_man_standing_is_valid_where_it_is_written() {
    // From the failsafe scenario: db2 is chosen.
    let failsafe = runbook::scenario("seed004-failsafe").unwrap();
    let rb = runbook::last_man_standing(&failsafe, "alpha").unwrap();
    insta::assert_snapshot!(rb.to_string(), @"
    #! assume down db1 db3
    #! goal master db2, alpha policy automatic
    [LOGICAL] /alpha > set policy maintenance
    [LOGICAL] /alpha > set force true
    [LOGICAL] /alpha > datasource db2 welcome
    [LOGICAL] /alpha > datasource db2 master
    [LOGICAL] /alpha > replicator db2 master
    [LOGICAL] /alpha > datasource db2 online
    [LOGICAL] /alpha > replicator db2 online
    [LOGICAL] /alpha > set policy automatic
    ");
    procedure_is_valid(&failsafe, &rb);
    let (healthy, _) = healthy();
    assert!(runbook::last_man_standing(&healthy, "alpha").is_err());
}

/// Found by `procedures_are_valid_where_they_can_be_written`: a forced welcome left the lost
/// master OFFLINE (in service) in the survivor's view, so the survivor's replicator was
/// refused as a second extractor. The procedure now shuns that master first.
#[test]
fn last_man_standing_shuns_a_lost_master_still_held_in_service() {
    use tungsten_model::fault::Fault::HostCrash;
    let (healthy, [db1, db2, _]) = healthy();
    let mut lost = after(&healthy, &[HostCrash(db2), HostCrash(db1)]);
    cctrl(&mut lost, "db3", "set force true");
    cctrl(&mut lost, "db3", "datasource db1 welcome");
    let rb = runbook::last_man_standing(&lost, "alpha").unwrap();
    insta::assert_snapshot!(rb.to_string(), @"
    #! assume down db1 db2
    #! goal master db3, alpha policy automatic
    [LOGICAL] /alpha > set policy maintenance
    [LOGICAL] /alpha > set force true
    [LOGICAL] /alpha > datasource db1 shun
    [LOGICAL] /alpha > datasource db3 welcome
    [LOGICAL] /alpha > datasource db3 master
    [LOGICAL] /alpha > replicator db3 master
    [LOGICAL] /alpha > datasource db3 online
    [LOGICAL] /alpha > replicator db3 online
    [LOGICAL] /alpha > set policy automatic
    ");
    procedure_is_valid(&lost, &rb);
}

/// Found by the same property: a stopped connector keeps its ONLINE flag but routes nothing,
/// so the procedure must bring the running (OFFLINE) connector online.
#[test]
fn last_man_standing_routes_through_a_running_connector() {
    use tungsten_model::fault::{
        Fault::{HostCrash, Stop},
        Process::Connector,
    };
    use tungsten_model::model::{State, Topology};
    let topology = Topology::single("alpha", &["db1", "db2", "db3", "db4", "db5"]).unwrap();
    let state = State::healthy(&topology);
    let mut healthy = Start {
        topology,
        state,
        assumptions: Vec::new(),
    };
    cctrl(&mut healthy, "db1", "router db3 offline");
    let [db1, db2, db4, db5] =
        ["db1", "db2", "db4", "db5"].map(|h| healthy.topology.host_id(h).unwrap());
    let lost = after(
        &healthy,
        &[
            Stop(db5, Connector),
            HostCrash(db1),
            HostCrash(db2),
            HostCrash(db4),
        ],
    );
    let rb = runbook::last_man_standing(&lost, "alpha").unwrap();
    insta::assert_snapshot!(rb.to_string(), @"
    #! assume down db1 db2 db4
    #! goal master db3, alpha policy automatic
    [LOGICAL] /alpha > set policy maintenance
    [LOGICAL] /alpha > set force true
    [LOGICAL] /alpha > datasource db3 welcome
    [LOGICAL] /alpha > datasource db3 online
    [LOGICAL] /alpha > replicator db3 online
    [LOGICAL] /alpha > router * online
    [LOGICAL] /alpha > set policy automatic
    ");
    procedure_is_valid(&lost, &rb);
}

#[test]
fn recover_replica_is_valid_where_it_is_written() {
    use tungsten_model::fault::{Fault, Process::DataServer};
    // A failed replica: under MANUAL it stays FAILED after its dataserver came back.
    let (manual, [db1, _, db3]) = manual();
    let failed = after(
        &manual,
        &[Fault::Stop(db3, DataServer), Fault::Start(db3, DataServer)],
    );
    let rb = runbook::recover_replica(&failed, "db3").unwrap();
    insta::assert_snapshot!(rb.to_string(), @"
    #! goal online db3
    [LOGICAL] /alpha > datasource db3 shun
    [LOGICAL] /alpha > datasource db3 recover
    [LOGICAL] /alpha > datasource db3 online
    ");
    procedure_is_valid(&failed, &rb);
    // A replica that holds events the new master lacks is reprovisioned.
    let mut diverged = after(
        &manual,
        &[
            Fault::Write(db1),
            Fault::CatchUp(db3),
            Fault::HostCrash(db1),
        ],
    );
    cctrl(&mut diverged, "db2", "failover to db2");
    let rb = runbook::recover_replica(&diverged, "db3").unwrap();
    insta::assert_snapshot!(rb.to_string(), @"
    #! goal online db3
    [LOGICAL] /alpha > datasource db3 shun
    shell db3> tprovision --source db2
    [LOGICAL] /alpha > datasource db3 online
    ");
    procedure_is_valid(&diverged, &rb);
}

#[test]
fn switch_and_failover_are_valid_where_they_are_written() {
    use tungsten_model::fault::{Fault, Process::DataServer};
    let (healthy, _) = healthy();
    procedure_is_valid(
        &healthy,
        &runbook::switch_procedure(&healthy, "alpha", Some("db3")).unwrap(),
    );
    procedure_is_valid(
        &healthy,
        &runbook::switch_procedure(&healthy, "alpha", None).unwrap(),
    );
    let (manual, [db1, _, _]) = manual();
    let master_failed = after(&manual, &[Fault::Stop(db1, DataServer)]);
    procedure_is_valid(
        &master_failed,
        &runbook::failover_procedure(&master_failed, "alpha", Some("db2")).unwrap(),
    );
    procedure_is_valid(
        &master_failed,
        &runbook::failover_procedure(&master_failed, "alpha", None).unwrap(),
    );
}

#[test]
fn recover_old_master_is_valid_where_it_is_written() {
    use tungsten_model::fault::Fault;
    let (healthy, [db1, db2, db3]) = healthy();
    // With orphaned events it is restored first.
    let orphaned = after(
        &healthy,
        &[
            Fault::Write(db1),
            Fault::CatchUp(db2),
            Fault::CatchUp(db3),
            Fault::Write(db1),
            Fault::HostCrash(db1),
            Fault::Write(db2),
            Fault::HostRestart(db1),
        ],
    );
    let rb = runbook::recover_old_master(&orphaned, "db1").unwrap();
    insta::assert_snapshot!(rb.to_string(), @"
    #! goal online db1
    [LOGICAL] /alpha > datasource db1 restore
    [LOGICAL] /alpha > datasource db1 recover
    ");
    procedure_is_valid(&orphaned, &rb);
    let clean = after(&healthy, &[Fault::HostCrash(db1), Fault::HostRestart(db1)]);
    procedure_is_valid(&clean, &runbook::recover_old_master(&clean, "db1").unwrap());
}

#[test]
fn reset_site_is_valid_where_it_is_written() {
    let drifted = runbook::scenario("seed000-drifted").unwrap();
    let rb = runbook::reset_site(&drifted, "east", "west").unwrap();
    procedure_is_valid(&drifted, &rb);
    // It writes the same steps as seed 000 (the seed's continuation lines aside).
    let seed: Runbook = fixture("seed000_reset_east.txt").parse().unwrap();
    let steps = |rb: &Runbook| rb.steps().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(steps(&rb), steps(&seed));
}

/// Errors point at the part that is wrong: the second goal of a list, the word after a
/// scenario's name, the prompt missing its `>`, the second service of a `single` topology.
#[test]
fn errors_point_at_the_part_that_is_wrong() {
    let at = |text: &str| {
        let e = text.parse::<Runbook>().unwrap_err();
        (e.span().line, e.span().column, e.found().to_owned())
    };
    assert_eq!(
        at("#! goal master db1, bogus db2\n"),
        (1, 21, "`bogus db2`".to_owned())
    );
    assert_eq!(at("#! scenario a b\n"), (1, 15, "`b`".to_owned()));
    assert_eq!(
        at("#! scenario\n"),
        (1, 12, "the end of the line".to_owned())
    );
    // A prompt's parts: the `/` before a LOGICAL prompt's service, the service itself, the
    // `]` closing a cctrl prompt's service, the host before a shell prompt's `>`.
    assert_eq!(at("[LOGICAL] alpha > ls\n"), (1, 11, "`alpha`".to_owned()));
    assert_eq!(
        at("[LOGICAL] /al!pha > ls\n"),
        (1, 12, "`al!pha`".to_owned())
    );
    assert_eq!(at("cctrl [east> ls\n"), (1, 8, "`east>`".to_owned()));
    assert_eq!(at("cctrl [ea!st]> ls\n"), (1, 8, "`ea!st]>`".to_owned()));
    assert_eq!(at("shell> startall\n"), (1, 6, "`>`".to_owned()));
    // `topology file` takes one path.
    assert_eq!(at("#! topology file\n"), (1, 13, "`file`".to_owned()));
    // `assume down` names at least one host.
    assert_eq!(at("#! assume down\n"), (1, 11, "`down`".to_owned()));
    // A word that only starts with `shell` is prose.
    let prose: Runbook = "shellfish> startall\n".parse().unwrap();
    assert_eq!(prose.steps().count(), 0);
    assert_eq!(
        at("[LOGICAL] /alpha switch\n"),
        (1, 12, "`alpha`".to_owned())
    );
    assert_eq!(
        at("#! topology single a=db1 b=db2\n"),
        (1, 20, "`a=db1`".to_owned())
    );
    assert!(
        "#! topology multisite east=db1 west=db2\n"
            .parse::<Runbook>()
            .is_ok()
    );
}

/// `master <host>` is met only by the writable master.
#[test]
fn the_master_goal_is_met_only_by_the_writable_master() {
    let report = check(
        "#! scenario healthy-3\n#! goal master db1, master db2\n[LOGICAL] /alpha > set policy maintenance\n",
    );
    let met = goals_met(&report);
    assert_eq!(
        met,
        [("master db1", true), ("master db2", false)].map(|(g, m)| (g.to_owned(), m))
    );
}

/// A topology file may open with comments and blank lines; the first other line declares the
/// topology.
#[test]
fn a_topology_file_skips_comments_and_blank_lines() {
    let rb: Runbook = "#! topology file sites.txt\n".parse().unwrap();
    let mut load = |path: &str| {
        assert_eq!(path, "sites.txt");
        Ok("# our two sites\n\nmultisite east=e1,e2 west=w1,w2\n".to_owned())
    };
    let start = runbook::start(&rb, &[], &mut load).unwrap();
    assert_eq!(start.topology.to_string(), "east: e1, e2 | west: w1, w2");
    let mut empty = |_: &str| Ok("# nothing here\n\n".to_owned());
    assert!(runbook::start(&rb, &[], &mut empty).is_err());
}

/// A cctrl step acts on the service its prompt names, and one naming no service of the
/// topology is refused.
#[test]
fn a_cctrl_step_acts_on_the_service_its_prompt_names() {
    let report = check(
        "#! topology multisite east=e1,e2 west=w1,w2\n#! goal master w2, master e1\n[LOGICAL] /west > switch\n",
    );
    let met = goals_met(&report);
    assert_eq!(
        met,
        [("master w2", true), ("master e1", true)].map(|(g, m)| (g.to_owned(), m)),
        "{report}"
    );
    let report = check("#! topology multisite east=e1,e2 west=w1,w2\n[LOGICAL] /north > switch\n");
    assert!(report.first_rejected().is_some(), "{report}");
}

/// Declarations with a word too few or too many are refused where the words go wrong, never
/// read past their end.
#[test]
fn declarations_take_exactly_their_words() {
    for (text, expected) in [
        ("#! state alpha file\n", "`file <path>`"),
        ("#! state alpha file a.txt b.txt\n", "`file <path>`"),
        ("#! topology file\n", "`file <path>`"),
        ("#! topology file a.txt b.txt\n", "`file <path>`"),
        ("#! settle on off\n", "`on` or `off`"),
        ("#! settle off now\n", "`on` or `off`"),
    ] {
        let error = text.parse::<Runbook>().unwrap_err();
        assert_eq!(error.span().line, 1, "{text}");
        assert!(
            error.caret().contains(expected),
            "{text}: {}",
            error.caret()
        );
    }
    assert!(
        "#! settle off\n#! state alpha file a.txt\n"
            .parse::<Runbook>()
            .is_ok()
    );
}

/// A step the engine accepts but that makes the managers fail over on their own (stopping the
/// master's manager under AUTOMATIC) is marked UNSAFE, with its error, not `ok`.
#[test]
fn a_step_that_sets_off_a_failover_is_unsafe() {
    let report = check(
        "#! scenario healthy-3\nshell db1> /opt/continuent/tungsten/tungsten-manager/bin/manager stop\n",
    );
    let step = &report.steps[0];
    assert!(!step.rejected() && step.has_error(), "{report}");
    assert!(report.to_string().contains("[UNSAFE]"), "{report}");
}

/// In a topology of one service, a bare `cctrl>` prompt acts on that service.
#[test]
fn a_bare_cctrl_prompt_acts_on_the_only_service() {
    let report = check("#! scenario healthy-3\ncctrl> datasource db2 shun\n");
    assert!(!report.steps[0].rejected(), "{report}");
    assert_eq!(report.errors(), 0, "{report}");
}

/// `routers-online` holds only while every connector runs and routes: one taken offline
/// (running, not routing) leaves it unmet.
#[test]
fn routers_online_needs_every_connector_routing() {
    let report = check(
        "#! scenario healthy-3\n#! goal routers-online\n[LOGICAL] /alpha > router db2 offline\n",
    );
    assert!(!report.steps[0].rejected(), "{report}");
    assert_eq!(
        goals_met(&report),
        [("routers-online".to_owned(), false)],
        "{report}"
    );
}

/// The findings of kind `kind`, as (line, severity is error).
fn kinds_at(report: &Report, kind: &str) -> Vec<(usize, bool)> {
    report
        .steps
        .iter()
        .flat_map(|s| s.findings.iter().map(move |f| (s.line, f)))
        .filter(|(_, f)| f.kind == kind)
        .map(|(line, f)| (line, f.severity == tungsten_model::machine::Severity::Error))
        .collect()
}

/// `trepctl online -skip-seqno`, the documented way past an apply error (Continuent docs
/// *operations-transactions-skipping*), is a warning where it runs: the slave's data no longer
/// matches its master's. Making that slave the master is then an error, as for any drifted
/// data.
#[test]
fn skipping_events_warns_and_promoting_the_slave_that_skipped_is_unsafe() {
    let report = check(
        "#! scenario healthy-3
[LOGICAL] /alpha > set policy maintenance
shell db2> trepctl offline
shell db2> trepctl online -skip-seqno 10,12-14
[LOGICAL] /alpha > switch to db2
",
    );
    assert_eq!(
        kinds_at(&report, "skipped-events"),
        [(4, false)],
        "{report}"
    );
    assert_eq!(
        kinds_at(&report, "drifted-writable"),
        [(5, true)],
        "{report}"
    );
    assert_eq!(kinds_at(&report, "drift"), [], "{report}");
}

/// Options whose effect is not modelled (`-from-event`, `-until-*`, `offline-deferred -at-*`,
/// `-port`, `online -force`) parse, and the report warns that the step was checked without
/// them.
#[test]
fn trepctl_options_the_model_does_not_track_are_named_in_the_report() {
    let report = check(
        "#! scenario healthy-3
[LOGICAL] /alpha > set policy maintenance
shell db2> trepctl offline-deferred -at-seqno 3456
shell db2> trepctl online -from-event mysql-bin.000004:0000000000000412;0 -until-time 2013-09-03_15:00:00
shell db3> trepctl -port 10000 status -name stages
shell db3> trepctl offline -immediate
shell db3> trepctl wait -applied 3456
shell db3> trepctl wait -state GOING-ONLINE:SYNCHRONIZING
shell db3> trepctl wait -state OFFLINE:NORMAL
shell db3> trepctl online -force
",
    );
    assert_eq!(
        kinds_at(&report, "untracked-option"),
        [
            (3, false),
            (4, false),
            (4, false),
            (5, false),
            (7, false),
            (8, false),
            (10, false)
        ],
        "{report}"
    );
    assert_eq!(report.first_rejected().map(|s| s.line), None, "{report}");
}

/// `trepctl wait -state S` is refused when the replicator is not in `S` (nothing changes while
/// trepctl waits, so the wait runs out), and passes when it is; the refusal names the state
/// waited for.
#[test]
fn waiting_for_a_replicator_state_it_is_not_in_is_refused() {
    let refused = |wait: &str| {
        let report = check(&format!(
            "#! scenario healthy-3
[LOGICAL] /alpha > set policy maintenance
shell db2> trepctl wait -state ONLINE
shell db2> trepctl offline
shell db2> trepctl wait -state OFFLINE:NORMAL
shell db2> trepctl {wait}
"
        ));
        let step = report
            .first_rejected()
            .unwrap_or_else(|| panic!("{report}"));
        assert_eq!(step.line, 6, "{report}");
        match &step.runs[0].status {
            RunStatus::Rejected { rule, reason } => (rule.clone(), reason.clone()),
            other => panic!("{other:?}"),
        }
    };
    let (rule, reason) = refused("wait -state ONLINE -limit 60");
    assert_eq!(rule, "replicator-state");
    assert!(
        reason.contains("expected ONLINE, the state waited for"),
        "{reason}"
    );
    let (_, reason) = refused("wait -state OFFLINE:ERROR");
    assert!(
        reason.contains("expected OFFLINE:ERROR, the state waited for"),
        "{reason}"
    );
}

/// Promoting a host that lacks events a live host holds is an error: under MANUAL, db2 takes
/// over and writes; `recover master using db1` then brings back the old master, which never
/// received that write, while db3 (up, with its dataserver running) holds it.
#[test]
fn recovering_a_stale_master_while_a_live_host_holds_newer_events_is_unsafe() {
    let report = check(
        "#! scenario healthy-3
[LOGICAL] /alpha > set policy manual
[LOGICAL] /alpha > datasource db1 fail
[LOGICAL] /alpha > failover to db2
[LOGICAL] /alpha > cluster heartbeat
[LOGICAL] /alpha > datasource db2 fail
[LOGICAL] /alpha > recover master using db1
",
    );
    assert_eq!(kinds_at(&report, "lost-events"), [(7, true)], "{report}");
    assert_eq!(report.verdict, Verdict::Invalid, "{report}");
}

/// Events left on hosts whose dataservers are stopped are a warning, not an error: the operator
/// could not have promoted those hosts. In MAINTENANCE, host1 (the master) and host3 hold two
/// events host2 lacks, both with their dataservers stopped; failing over to host2 leaves them
/// behind.
#[test]
fn events_left_on_hosts_whose_dataservers_are_stopped_are_a_warning() {
    let listing = std::fs::read_to_string(format!(
        "{}/tests/fixtures/ls/docs40_healthy_76col.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .replace(
        "COORDINATOR[host1:AUTOMATIC:ONLINE]",
        "COORDINATOR[host2:MAINTENANCE:ONLINE]",
    );
    // Each datasource block, host1's and host3's at progress 5 with the dataserver stopped.
    let blocks: Vec<String> = listing
        .split("+\n\n+")
        .map(|block| {
            if block.contains("|host2(") {
                block.to_owned()
            } else {
                block.replacen("progress=3,", "progress=5,", 1).replacen(
                    "DATASERVER(state=ONLINE) ",
                    "DATASERVER(state=STOPPED)",
                    1,
                )
            }
        })
        .collect();
    let report = check(&format!(
        "#! state alpha\n{}#! end\n[LOGICAL] /alpha > datasource host1 fail\n[LOGICAL] /alpha > failover to host2\n",
        blocks.join("+\n\n+")
    ));
    let line = report.steps.last().map(|s| s.line).unwrap();
    assert_eq!(
        kinds_at(&report, "lost-events"),
        [(line, false), (line, false)],
        "{report}"
    );
    assert_eq!(report.verdict, Verdict::Valid, "{report}");
}

/// `#! settle off` stops replication catching up between steps: a heartbeat's event stays on
/// the master. Without it, the slaves apply it within the same step.
#[test]
fn settle_off_leaves_the_slaves_behind_the_master() {
    let steps = "[LOGICAL] /alpha > cluster heartbeat\n";
    let settled = check(&format!("#! scenario healthy-3\n{steps}"));
    let unsettled = check(&format!("#! scenario healthy-3\n#! settle off\n{steps}"));
    let caught_up = |report: &Report| report.steps.iter().map(|s| s.settled.len()).sum::<usize>();
    assert!(caught_up(&settled) > 0, "{settled}");
    assert_eq!(caught_up(&unsettled), 0, "{unsettled}");
}

/// The service a cctrl prompt names is the one its command acts on, even after an earlier
/// `use` moved that manager's session elsewhere: the step is run as if `use <service>` came
/// first, as the prompt shows.
#[test]
fn a_prompt_naming_a_service_brings_the_session_back_to_it() {
    let report = check(
        "#! topology multisite east=e1,e2,e3 west=w1,w2,w3
[LOGICAL] /east > use west
[LOGICAL] /east > datasource e2 offline
",
    );
    assert_eq!(
        report.verdict,
        tungsten_model::runbook::Verdict::Valid,
        "{report}"
    );
    assert_eq!(refusal(&report), None, "{report}");
    assert!(
        report.steps[1].runs.iter().any(|r| r
            .effects
            .iter()
            .any(|e| e.contains("e2") && e.contains("OFFLINE"))),
        "{report}"
    );
}

/// Settling lets replication catch up until nothing moves, not one pass over the hosts: db2
/// reads from db3, which reads from db1, so db2 gets the heartbeat's event only after db3 has
/// it, on the second pass.
#[test]
fn settling_follows_a_chain_of_slaves_to_its_end() {
    let report = check(
        "#! scenario healthy-3
[LOGICAL] /alpha > set policy maintenance
[LOGICAL] /alpha > replicator db2 offline
[LOGICAL] /alpha > replicator db2 slave db3
[LOGICAL] /alpha > replicator db2 online
[LOGICAL] /alpha > cluster heartbeat
",
    );
    assert_eq!(refusal(&report), None, "{report}");
    let last = report.steps.last().unwrap();
    let t = tungsten_model::model::Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
    let pos = |h: &str| last.state.host(t.host_id(h).unwrap()).data.pos;
    assert!(pos("db1").is_some(), "{report}");
    assert_eq!(pos("db3"), pos("db1"), "{report}");
    assert_eq!(pos("db2"), pos("db1"), "{report}");
}

/// A procedure asked about a service or host the topology lacks says so, naming it.
#[test]
fn procedures_name_the_service_or_host_the_topology_lacks() {
    let (healthy, _) = healthy();
    let error = |r: Result<Runbook, runbook::ProcedureError>| r.unwrap_err().to_string();
    assert_eq!(
        error(runbook::last_man_standing(&healthy, "beta")),
        "no service `beta` in the topology"
    );
    assert_eq!(
        error(runbook::switch_procedure(&healthy, "beta", None)),
        "no service `beta` in the topology"
    );
    assert_eq!(
        error(runbook::recover_replica(&healthy, "db9")),
        "no host `db9` in the topology"
    );
}

/// A master that a failover replaced is no replica: `recover_replica` sends the operator to
/// `recover_old_master`, though the ONLINE master is another host.
#[test]
fn recover_replica_declines_a_failed_over_master() {
    use tungsten_model::fault::Fault;
    use tungsten_model::model::DataSourceRole;
    let (healthy, [db1, db2, _]) = healthy();
    let replaced = after(&healthy, &[Fault::HostCrash(db1), Fault::HostRestart(db1)]);
    // The managers failed over to db2; db1 keeps the master role, shunned.
    let view = replaced.state.view(db2);
    assert!(view.entry(db2).is_online_master());
    assert_eq!(view.entry(db1).role, DataSourceRole::Master);
    assert!(!view.entry(db1).is_online_master());
    assert_eq!(
        runbook::recover_replica(&replaced, "db1")
            .unwrap_err()
            .to_string(),
        "db1 is a master, not a replica: use `recover_old_master` or a switch"
    );
}

/// Last man standing counts only the connectors on the survivor's side: with the network split
/// three ways, db1's own connector stopped and the others running behind the split, the
/// procedure starts db1's.
#[test]
fn last_man_standing_starts_the_connector_on_the_survivors_side() {
    use tungsten_model::fault::{Fault, Process::Connector, Split};
    let (healthy, [db1, db2, db3]) = healthy();
    let split = after(
        &healthy,
        &[
            Fault::Stop(db1, Connector),
            Fault::Partition(Split::new(&[&[db1], &[db2], &[db3]])),
        ],
    );
    let rb = runbook::last_man_standing(&split, "alpha").unwrap();
    insta::assert_snapshot!(rb.to_string(), @"
    #! assume down db2 db3
    #! goal master db1, alpha policy automatic
    [LOGICAL] /alpha > set policy maintenance
    [LOGICAL] /alpha > set force true
    [LOGICAL] /alpha > datasource db1 welcome
    [LOGICAL] /alpha > datasource db1 online
    [LOGICAL] /alpha > replicator db1 online
    shell db1> connector start
    [LOGICAL] /alpha > set policy automatic
    ");
    procedure_is_valid(&split, &rb);
}

/// A replica to reprovision is copied from data that has not drifted, taken from the master
/// or from a datasource ONLINE and replicating (db4 here, once the new master's data has
/// drifted). With the other replicas shunned (their replicators still running, as a shun
/// leaves them), the procedure declines rather than copy from a shunned datasource.
#[test]
fn recover_replica_copies_only_from_an_online_source() {
    use tungsten_model::fault::Fault;
    let mut manual = runbook::scenario("healthy-5").unwrap();
    cctrl(&mut manual, "db1", "set policy manual");
    let [db1, db2, db3, db4] =
        ["db1", "db2", "db3", "db4"].map(|h| manual.topology.host_id(h).unwrap());
    let mut diverged = after(
        &manual,
        &[
            Fault::Write(db1),
            Fault::CatchUp(db3),
            Fault::HostCrash(db1),
        ],
    );
    cctrl(&mut diverged, "db2", "failover to db2");
    // While db4 is ONLINE and replicating, it is the source.
    let mut drifted = after(&diverged, &[Fault::Drift(db2)]);
    let rb = runbook::recover_replica(&drifted, "db3").unwrap();
    assert!(
        rb.to_string()
            .contains("shell db3> tprovision --source db4\n"),
        "{rb}"
    );
    cctrl(&mut drifted, "db2", "datasource db4 shun");
    cctrl(&mut drifted, "db2", "datasource db5 shun");
    assert!(drifted.state.host(db4).replicator.is_online());
    assert!(!drifted.state.host(db4).data.drift);
    assert_eq!(
        runbook::recover_replica(&drifted, "db3")
            .unwrap_err()
            .to_string(),
        "db3 must be reprovisioned, but no reachable datasource of alpha holds data that has not drifted"
    );
}

/// Every goal form reads, and says what falls short: with db3 taken OFFLINE in MAINTENANCE on
/// a healthy three-node service, and on seed 000's two sites, east's data drifted.
#[test]
fn every_goal_form_reads_and_says_what_falls_short() {
    let one_site = check(
        "#! scenario healthy-3\n\
         #! goal all-online, alpha all-online, writable, alpha writable, no-drift, alpha no-drift\n\
         #! goal policy maintenance, policy automatic, alpha policy automatic, beta all-online\n\
         #! goal online db3, online db2, master db1, master db2, routers-online\n\
         [LOGICAL] /alpha > set policy maintenance\n\
         [LOGICAL] /alpha > datasource db3 offline\n",
    );
    let two_sites = check(
        "#! scenario seed000-drifted\n\
         #! goal no-drift, west no-drift, east no-drift, west writable, cross-site-online\n\
         shell db4> /opt/replicator/tungsten/tungsten-replicator/bin/trepctl -service east offline\n",
    );
    let failsafe = check("#! scenario seed004-failsafe\n#! goal writable\n[LOGICAL] /alpha > ls\n");
    let results = |report: &Report| -> Vec<(String, bool, String)> {
        report
            .goals
            .iter()
            .map(|g| (g.goal.to_string(), g.met, g.detail.clone()))
            .collect()
    };
    let row = |goal: &str, met: bool, detail: &str| (goal.to_owned(), met, detail.to_owned());
    assert_eq!(
        results(&one_site),
        [
            row("all-online", false, "not ONLINE: db3"),
            row("alpha all-online", false, "not ONLINE: db3"),
            row("writable", true, ""),
            row("alpha writable", true, ""),
            row("no-drift", true, ""),
            row("alpha no-drift", true, ""),
            row("policy maintenance", true, ""),
            row("policy automatic", false, "alpha is in MAINTENANCE"),
            row("alpha policy automatic", false, "alpha is in MAINTENANCE"),
            row(
                "beta all-online",
                false,
                "no service `beta` in the topology"
            ),
            row("online db3", false, "db3 is OFFLINE"),
            row("online db2", true, ""),
            row("master db1", true, ""),
            row("master db2", false, "db2 is not a writable master"),
            row("routers-online", true, ""),
        ]
    );
    let drifted = results(&two_sites);
    assert_eq!(drifted[0].0, "no-drift");
    assert!(
        !drifted[0].1 && drifted[0].2.starts_with("drifted data on db"),
        "{drifted:?}"
    );
    assert_eq!(drifted[1], row("west no-drift", true, ""));
    assert_eq!(drifted[2].2, drifted[0].2, "{drifted:?}");
    assert_eq!(drifted[3], row("west writable", true, ""));
    // db4's cross-site replicator runs, on a host that is up, but is offline.
    assert_eq!(
        drifted[4],
        row(
            "cross-site-online",
            false,
            "cross-site replicators not online: db4"
        )
    );
    assert_eq!(
        results(&failsafe),
        [row("writable", false, "alpha has 0 writable masters")]
    );
}

/// A step report lists the state after its step as the service's coordinator would, and tells
/// a step the model does not know from one it ran.
#[test]
fn a_step_report_lists_its_state_and_knows_what_it_did_not_model() {
    use tungsten_model::model::PolicyMode;
    let text = "#! scenario healthy-3\n\
                [LOGICAL] /alpha > set policy maintenance\n\
                shell db1> systemctl restart mysqld\n";
    let rb: Runbook = text.parse().unwrap();
    let start = runbook::start(&rb, &[], &mut |p| Err(format!("no file {p}"))).unwrap();
    let report = runbook::validate(&start, &rb, runbook::Options::default());
    let alpha = start.topology.service_id("alpha").unwrap();
    let listing = report.steps[0].listing(&start.topology, alpha).unwrap();
    assert_eq!(listing.coordinator.policy, PolicyMode::Maintenance);
    assert_eq!(listing.coordinator.host.as_str(), "db1");
    assert!(!report.steps[0].not_modelled());
    assert!(report.steps[1].not_modelled());
    assert!(report.to_string().contains("NOT MODELLED"), "{report}");
}

/// The recovery procedures read the managers' view of the service: with no ONLINE master
/// there is nothing to recover from, and with no manager running there is no view to read;
/// each says which.
#[test]
fn recovery_procedures_need_an_online_master_and_a_running_manager() {
    use tungsten_model::fault::{Fault, Process::Manager};
    let (mut no_master, [db1, db2, db3]) = manual();
    cctrl(&mut no_master, "db1", "set policy maintenance");
    cctrl(&mut no_master, "db1", "datasource db1 offline");
    let error = |r: Result<Runbook, runbook::ProcedureError>| r.unwrap_err().to_string();
    assert_eq!(
        error(runbook::recover_replica(&no_master, "db3")),
        "alpha has no ONLINE master to recover db3 from"
    );
    assert_eq!(
        error(runbook::recover_old_master(&no_master, "db1")),
        "alpha has no ONLINE master"
    );
    let (healthy, _) = healthy();
    let unmanaged = after(
        &healthy,
        &[
            Fault::Stop(db1, Manager),
            Fault::Stop(db2, Manager),
            Fault::Stop(db3, Manager),
        ],
    );
    assert_eq!(
        error(runbook::recover_replica(&unmanaged, "db3")),
        "no manager of alpha runs"
    );
    assert_eq!(
        error(runbook::recover_old_master(&unmanaged, "db1")),
        "no manager of alpha runs"
    );
}

/// A step continues over lines ending in `\`, which are part of it and not read again; a
/// literal backslash left before the end of the text, or before a blank line, is dropped with
/// the blanks around it, so the step does not print as one that continues.
#[test]
fn continuation_lines_join_one_step_and_are_read_once() {
    let text = "#! scenario healthy-3\n\
        shell db2> /opt/continuent/tungsten/tungsten-replicator/scripts/tungsten_provision_slave \\\n\
        \x20   --source db1\n\
        [LOGICAL] /alpha > datasource db3 offline \\\\\n\n";
    let rb: Runbook = text.parse().unwrap();
    let steps: Vec<String> = rb.steps().map(ToString::to_string).collect();
    assert_eq!(
        steps,
        [
            "shell db2> /opt/continuent/tungsten/tungsten-replicator/scripts/tungsten_provision_slave --source db1",
            "[LOGICAL] /alpha > datasource db3 offline",
        ]
    );
    assert_eq!(rb.items.len(), 2, "no line is read twice, as a note: {rb}");
    // The same at the very end of the text, with no line after the backslash.
    let last: Runbook = "[LOGICAL] /alpha > datasource db3 offline \\\\"
        .parse()
        .unwrap();
    let steps: Vec<String> = last.steps().map(ToString::to_string).collect();
    assert_eq!(steps, ["[LOGICAL] /alpha > datasource db3 offline"]);
}

/// cctrl's documented commands whose effect the model does not know (`cluster check`,
/// `service`, ...) run as steps reported NOT MODELLED that leave the state as it was;
/// `cluster flush` writes a heartbeat on the master as `cluster heartbeat` does, and
/// `replicator <ds> status` is a step that changes nothing.
#[test]
fn cctrl_commands_not_modelled_are_reported_so_and_change_nothing() {
    let text = "#! scenario healthy-3\n\
                [LOGICAL] /alpha > cluster check accounting.invoices -limit 1,10\n\
                [LOGICAL] /alpha > service db2/mysql restart\n\
                [LOGICAL] /alpha > replicator db2 status\n\
                [LOGICAL] /alpha > cluster flush\n\
                [LOGICAL] /alpha > cluster heartbeat\n";
    let rb: Runbook = text.parse().unwrap();
    let start = runbook::start(&rb, &[], &mut |p| Err(format!("no file {p}"))).unwrap();
    let report = runbook::validate(&start, &rb, runbook::Options::default());
    let modelled: Vec<bool> = report.steps.iter().map(|s| !s.not_modelled()).collect();
    assert_eq!(modelled, [false, false, true, true, true], "{report}");
    assert!(report.steps.iter().all(|s| !s.rejected()), "{report}");
    for step in &report.steps[..3] {
        assert_eq!(step.state, start.state, "{}", step.text);
    }
    // The flush writes: db1's position moves on, as it does for a heartbeat.
    let db1 = start.topology.host_id("db1").unwrap();
    let pos = |step: usize| report.steps[step].state.host(db1).data.pos;
    assert_ne!(pos(3), pos(2), "{report}");
    assert_ne!(pos(4), pos(3), "{report}");
    let heartbeat_first = text.replace("cluster flush", "cluster heartbeat");
    let twice = runbook::validate(
        &start,
        &heartbeat_first.parse().unwrap(),
        runbook::Options::default(),
    );
    assert_eq!(twice.steps[3].state, report.steps[3].state, "{twice}");
    assert_eq!(
        report.to_string().matches("NOT MODELLED").count(),
        2,
        "{report}"
    );
}

/// Seed 000 as the 7.0 docs write the same reset (*operations-msmm-resetsingle*): the
/// cross-site install's tools called by their executable prefix (`mm_trepctl`,
/// `mm_replicator stop|start`) instead of by their paths under `/opt/replicator`. It validates
/// as the seed does, every step modelled, through the same states.
#[test]
fn seed000_written_with_the_cross_site_prefix_validates_as_the_seed_does() {
    let seed = check(&fixture("seed000_reset_east.txt"));
    let prefixed = seed000_with(|lines| {
        for line in lines.iter_mut() {
            *line = line
                .replace(
                    "/opt/replicator/tungsten/tungsten-replicator/bin/trepctl",
                    "mm_trepctl",
                )
                .replace(
                    "/opt/replicator/tungsten/cluster-home/bin/stopall",
                    "mm_replicator stop",
                )
                .replace(
                    "/opt/replicator/tungsten/cluster-home/bin/startall",
                    "mm_replicator start",
                );
        }
        assert!(!lines.iter().any(|l| l.contains("/opt/replicator")));
    });
    assert_eq!(prefixed.verdict, Verdict::Valid, "{prefixed}");
    assert!(
        prefixed.steps.iter().all(|s| !s.not_modelled()),
        "{prefixed}"
    );
    assert_eq!(goals_met(&prefixed), goals_met(&seed));
    // Step by step the same state: each prefixed tool acted on the install its path named.
    assert_eq!(prefixed.steps.len(), seed.steps.len());
    for (a, b) in prefixed.steps.iter().zip(&seed.steps) {
        assert_eq!(a.state, b.state, "{}", a.text);
    }
}

/// Each host's role and state after each step, as `host:role:STATE`.
fn roles_after_each_step(report: &Report) -> Vec<String> {
    let topology =
        tungsten_model::model::Topology::single("alpha", &["host1", "host2", "host3"]).unwrap();
    report
        .steps
        .iter()
        .map(|step| {
            let viewer = topology.host_id("host3").unwrap();
            topology
                .host_ids()
                .map(|h| {
                    let e = step.state.view(viewer).entry(h);
                    format!("{}:{}:{:?}", topology.host_name(h), e.role, e.state)
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// Continuent's replica maintenance (7.1 *operations-maintenance-replica*) validates as
/// printed: under AUTOMATIC the recovered replica comes back ONLINE.
#[test]
fn the_docs_replica_maintenance_validates_as_printed() {
    let report = check(&fixture("docs_replica_maintenance.txt"));
    assert_eq!(report.verdict, Verdict::Valid, "{report}");
    insta::assert_snapshot!(roles_after_each_step(&report).join("\n"), @"
    host1:master:Online host2:slave:Shunned(Manual) host3:slave:Online
    host1:master:Online host2:slave:Shunned(Manual) host3:slave:Online
    host1:master:Online host2:slave:Shunned(Manual) host3:slave:Online
    host1:master:Online host2:slave:Online host3:slave:Online
    ");
}

/// Continuent's primary maintenance (6.1 *operations-maintenance-primary*) as printed is
/// refused at the switch back: under MAINTENANCE `datasource host1 recover` leaves host1
/// OFFLINE (*operations-status-policy-interaction*), and a switch promotes only an ONLINE
/// slave (*manual-switch-versus-automatic-failover*). The roles agree with the docs' table at
/// every step before it. With `datasource host1 online` after the recovery it validates.
#[test]
fn the_docs_primary_maintenance_needs_the_recovered_primary_online_before_switching_back() {
    let printed = fixture("docs_primary_maintenance.txt");
    let report = check(&printed);
    assert_eq!(report.verdict, Verdict::Invalid);
    assert_eq!(
        refusal(&report),
        Some((
            "eligible-target".to_owned(),
            "[LOGICAL:EXPERT] /alpha > switch to host1".to_owned()
        ))
    );
    // The docs' table: host1 Primary, then Replica, Shunned, Replica; host2 Primary from the
    // switch on; host3 a Replica throughout.
    insta::assert_snapshot!(roles_after_each_step(&report).join("\n"), @"
    host1:master:Online host2:slave:Online host3:slave:Online
    host1:slave:Online host2:master:Online host3:slave:Online
    host1:slave:Shunned(Manual) host2:master:Online host3:slave:Online
    host1:slave:Shunned(Manual) host2:master:Online host3:slave:Online
    host1:slave:Offline host2:master:Online host3:slave:Online
    host1:slave:Offline host2:master:Online host3:slave:Online
    host1:slave:Online host2:master:Online host3:slave:Online
    ");
    let fixed = printed.replace(
        "[LOGICAL:EXPERT] /alpha > datasource host1 recover\n",
        "[LOGICAL:EXPERT] /alpha > datasource host1 recover\n[LOGICAL:EXPERT] /alpha > datasource host1 online\n",
    );
    let report = check(&fixed);
    assert_eq!(report.verdict, Verdict::Valid, "{report}");
    insta::assert_snapshot!(roles_after_each_step(&report).join("\n"), @"
    host1:master:Online host2:slave:Online host3:slave:Online
    host1:slave:Online host2:master:Online host3:slave:Online
    host1:slave:Shunned(Manual) host2:master:Online host3:slave:Online
    host1:slave:Shunned(Manual) host2:master:Online host3:slave:Online
    host1:slave:Offline host2:master:Online host3:slave:Online
    host1:slave:Online host2:master:Online host3:slave:Online
    host1:master:Online host2:slave:Online host3:slave:Online
    host1:master:Online host2:slave:Online host3:slave:Online
    ");
}

#[test]
fn replica_maintenance_is_valid_where_it_is_written() {
    use tungsten_model::fault::{Fault, Process::Replicator};
    let (healthy, [_, _, db3]) = healthy();
    let rb = runbook::replica_maintenance(&healthy, "db2").unwrap();
    insta::assert_snapshot!(rb.to_string(), @"
    #! goal online db2
    [LOGICAL] /alpha > datasource db2 shun
    [LOGICAL] /alpha > replicator db2 offline
    Do the maintenance on db2 now, then check its configuration.
    shell db2> tpm validate
    [LOGICAL] /alpha > datasource db2 recover
    ");
    procedure_is_valid(&healthy, &rb);
    // Under MAINTENANCE the recovered replica stays OFFLINE unless the runbook puts it
    // online, and nothing restarts a stopped replicator: the runbook starts it after the
    // maintenance.
    let mut maintenance = healthy.clone();
    cctrl(&mut maintenance, "db1", "set policy maintenance");
    let stopped = after(&maintenance, &[Fault::Stop(db3, Replicator)]);
    let rb = runbook::replica_maintenance(&stopped, "db3").unwrap();
    insta::assert_snapshot!(rb.to_string(), @"
    #! goal online db3
    [LOGICAL] /alpha > datasource db3 shun
    Do the maintenance on db3 now, then check its configuration.
    shell db3> tpm validate
    shell db3> replicator start
    [LOGICAL] /alpha > datasource db3 recover
    [LOGICAL] /alpha > datasource db3 online
    ");
    procedure_is_valid(&stopped, &rb);
    insta::assert_snapshot!(
        runbook::replica_maintenance(&healthy, "db1").unwrap_err(),
        @"db1 is a master, not a replica: use `primary_maintenance`"
    );
}

#[test]
fn primary_maintenance_is_valid_where_it_is_written() {
    let (healthy, _) = healthy();
    let rb = runbook::primary_maintenance(&healthy, "alpha", Some("db2")).unwrap();
    insta::assert_snapshot!(rb.to_string(), @"
    #! goal master db1, alpha policy automatic
    [LOGICAL] /alpha > set policy maintenance
    [LOGICAL] /alpha > switch to db2
    [LOGICAL] /alpha > datasource db1 shun
    Do the maintenance on db1 now, then check its configuration.
    shell db1> tpm validate
    [LOGICAL] /alpha > datasource db1 recover
    [LOGICAL] /alpha > datasource db1 online
    [LOGICAL] /alpha > switch to db1
    [LOGICAL] /alpha > set policy automatic
    ");
    procedure_is_valid(&healthy, &rb);
    procedure_is_valid(
        &healthy,
        &runbook::primary_maintenance(&healthy, "alpha", None).unwrap(),
    );
    let (manual, _) = manual();
    let rb = runbook::primary_maintenance(&manual, "alpha", Some("db3")).unwrap();
    insta::assert_snapshot!(rb.to_string(), @"
    #! goal master db1, alpha policy manual
    [LOGICAL] /alpha > set policy maintenance
    [LOGICAL] /alpha > switch to db3
    [LOGICAL] /alpha > datasource db1 shun
    Do the maintenance on db1 now, then check its configuration.
    shell db1> tpm validate
    [LOGICAL] /alpha > datasource db1 recover
    [LOGICAL] /alpha > datasource db1 online
    [LOGICAL] /alpha > switch to db1
    [LOGICAL] /alpha > set policy manual
    ");
    procedure_is_valid(&manual, &rb);
    insta::assert_snapshot!(
        runbook::primary_maintenance(&healthy, "alpha", Some("db1")).unwrap_err(),
        @"db1 is not a replica of alpha to switch to (the master is db1)"
    );
    insta::assert_snapshot!(
        runbook::primary_maintenance(&healthy, "beta", None).unwrap_err(),
        @"no service `beta` in the topology"
    );
}

/// Found by `procedures_are_valid_where_they_can_be_written` while the maintenance procedures
/// were written: each starting state below once got a runbook that did not validate.
#[test]
fn maintenance_procedures_are_not_written_where_they_would_fail() {
    use tungsten_model::fault::Fault;
    let (healthy, [db1, db2, db3]) = healthy();
    // A replica holding events the master lacks: `recover` refuses it.
    let (manual, _) = manual();
    let mut diverged = after(
        &manual,
        &[
            Fault::Write(db1),
            Fault::CatchUp(db3),
            Fault::HostCrash(db1),
        ],
    );
    cctrl(&mut diverged, "db2", "failover to db2");
    insta::assert_snapshot!(runbook::replica_maintenance(&diverged, "db3").unwrap_err(), @"db3's data has drifted or diverged from the master's: `recover` would refuse it; reprovision it with `recover_replica`");
    // A switch needs every replica healthy enough to be chosen, and the old master back.
    let failed = after(&healthy, &[Fault::HostCrash(db2)]);
    insta::assert_snapshot!(
        runbook::primary_maintenance(&failed, "alpha", Some("db3")).unwrap_err(),
        @"db2 is down or cut off: maintenance on the master starts from a healthy service; recover db2 first"
    );
    // With the routers offline the master is not writable: the plan promises it ONLINE.
    let mut unrouted = healthy.clone();
    cctrl(&mut unrouted, "db1", "router * offline");
    let rb = runbook::primary_maintenance(&unrouted, "alpha", None).unwrap();
    assert!(rb.to_string().starts_with("#! goal online db1,"), "{rb}");
    procedure_is_valid(&unrouted, &rb);
}

/// Continuent's other documented procedures, as the docs print their command lines: what the
/// model makes of each (verdict, first refusal, warnings).
#[test]
fn the_docs_procedures_read_as_the_model_judges_them() {
    let warnings = |report: &Report| -> Vec<String> {
        report
            .steps
            .iter()
            .flat_map(|s| &s.findings)
            .filter(|f| f.severity == tungsten_model::machine::Severity::Warning)
            .map(|f| f.kind.clone())
            .collect()
    };
    // Restarting every manager under MAINTENANCE changes nothing the managers act on.
    let report = check(&fixture("docs_restart_managers.txt"));
    assert_eq!(report.verdict, Verdict::Valid, "{report}");
    assert!(warnings(&report).is_empty(), "{report}");
    // Shun and recover under AUTOMATIC: back ONLINE.
    let report = check(&fixture("docs_shun_and_recover.txt"));
    assert_eq!(report.verdict, Verdict::Valid, "{report}");
    // The replicator restart's command lines alone, under AUTOMATIC: the managers restart the
    // replicator at once, which the report warns about, as the docs' prose does (MAINTENANCE
    // or shun first).
    let report = check(&fixture("docs_restart_replicator.txt"));
    assert_eq!(report.verdict, Verdict::Valid, "{report}");
    assert_eq!(warnings(&report), ["undone"], "{report}");
    // The whole-dataservice maintenance is refused where the primary maintenance is: the
    // switch to a replica recovered under MAINTENANCE, which is still OFFLINE.
    let report = check(&fixture("docs_dataservice_maintenance.txt"));
    assert_eq!(
        refusal(&report),
        Some((
            "eligible-target".to_owned(),
            "[LOGICAL:EXPERT] /alpha > switch to host2".to_owned()
        )),
        "{report}"
    );
}
