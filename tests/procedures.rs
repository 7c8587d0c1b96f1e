//! Built-in procedures: each writes a runbook that is valid in the state it is written for,
//! and refuses, with the reason, where it cannot.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a test fails by panicking"
)]

mod support;

use support::runbook::{cctrl, fixture, healthy};
use tungsten_model::runbook::{self, FindingKind, RunStatus, Runbook, Start, Verdict};

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

fn manual() -> (Start, [tungsten_model::model::HostId; 3]) {
    let (mut start, ids) = healthy();
    cctrl(&mut start, "db1", "set policy manual");
    (start, ids)
}

/// `topology` deployed and healthy, with no assumption.
fn healthy_in(topology: tungsten_model::model::Topology) -> Start {
    Start {
        state: tungsten_model::model::State::healthy(&topology),
        topology,
        assumptions: Vec::new(),
    }
}

/// Sites `east` (db1-db3) and `west` (db4-db6), each replicating the other.
fn two_sites() -> tungsten_model::model::Topology {
    tungsten_model::model::Topology::multisite(&[
        ("east", &["db1", "db2", "db3"]),
        ("west", &["db4", "db5", "db6"]),
    ])
    .unwrap()
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
    use tungsten_model::model::Topology;
    let topology = Topology::single("alpha", &["db1", "db2", "db3", "db4", "db5"]).unwrap();
    let mut healthy = healthy_in(topology);
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

/// A replica FAILED because its dataserver stopped, and still stopped: the procedure asks
/// the operator to find out why, and `datasource recover` starts it (Continuent's
/// *operations-recovery-replica*: "STARTING SERVICE 'db1/mysql'").
#[test]
fn recover_replica_leaves_a_stopped_dataserver_to_recover() {
    use tungsten_model::fault::{Fault, Process::DataServer};
    let (manual, [_, _, db3]) = manual();
    let stopped = after(&manual, &[Fault::Stop(db3, DataServer)]);
    let rb = runbook::recover_replica(&stopped, "db3").unwrap();
    insta::assert_snapshot!(rb.to_string(), @"
    #! goal online db3
    [LOGICAL] /alpha > datasource db3 shun
    The dataserver on db3 is stopped: find out why (its error log) before the recovery starts it.
    [LOGICAL] /alpha > datasource db3 recover
    [LOGICAL] /alpha > datasource db3 online
    ");
    procedure_is_valid(&stopped, &rb);
    let report = runbook::validate(&stopped, &rb, runbook::Options::default());
    let recover = report
        .steps
        .iter()
        .find(|s| s.text.ends_with("datasource db3 recover"))
        .unwrap();
    assert!(
        recover
            .runs
            .iter()
            .flat_map(|r| &r.effects)
            .any(|e| e == "dataserver on db3 started"),
        "{report}"
    );
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

/// A procedure is written for the state its steps are judged from, after replication has
/// caught up on the start: a drifted slave behind the master catches up there, level with the
/// other slave, and is then the one a bare `switch` would pick, so the procedure declines, as
/// for drifted data (found by the procedure property, once the start caught up: a `switch`
/// written for the state before, where the other slave led, was judged UNSAFE for promoting
/// drifted data).
#[test]
fn a_switch_is_written_for_the_start_replication_has_caught_up_on() {
    use tungsten_model::fault::Fault;
    let (healthy, [db1, db2, db3]) = healthy();
    let start = after(
        &healthy,
        &[Fault::Write(db1), Fault::CatchUp(db3), Fault::Drift(db2)],
    );
    let declined = runbook::switch_procedure(&start, "alpha", None).unwrap_err();
    assert_eq!(
        declined.to_string(),
        "db2's data has drifted: `switch` would open writes to it; reprovision it, or name another target"
    );
}

/// `switch` and `failover` are written only where the managers would take them, and say why
/// not in the managers' words; beyond that, they decline to promote drifted data or to orphan
/// events a failed master still holds on a running dataserver.
#[test]
fn switch_and_failover_decline_what_would_fail_or_be_unsafe() {
    use tungsten_model::fault::{Fault, Process, Split};
    // Each refusal with its kind, which a tool acts on.
    let refusal = |r: Result<Runbook, runbook::ProcedureError>| {
        let e = r.unwrap_err();
        format!("{}: {e}", e.kind())
    };
    let (healthy, [db1, db2, _]) = healthy();
    insta::assert_snapshot!(refusal(runbook::failover_procedure(&healthy, "alpha", None)), @"refused: the managers would refuse `failover`: alpha has an ONLINE master, db1: expected the master FAILED; use `switch` for a planned change");
    insta::assert_snapshot!(refusal(runbook::switch_procedure(&healthy, "alpha", Some("db1"))), @"refused: the managers would refuse `switch`: db1 cannot be promoted: it is the master already: there is nothing to switch to (`ls` shows the roles)");
    insta::assert_snapshot!(refusal(runbook::switch_procedure(&healthy, "beta", None)), @"unknown-name: no service `beta` in the topology");
    let drifted = after(&healthy, &[Fault::Drift(db2)]);
    insta::assert_snapshot!(refusal(runbook::switch_procedure(&drifted, "alpha", Some("db2"))), @"data-at-risk: db2's data has drifted: `switch` would open writes to it; reprovision it, or name another target");
    let (manual, _) = manual();
    let crashed = after(&manual, &[Fault::HostCrash(db1)]);
    insta::assert_snapshot!(refusal(runbook::switch_procedure(&crashed, "alpha", None)), @"refused: the managers would refuse `switch`: alpha has no ONLINE master to replicate from: bring a master online first (`recover master using <ds>`; by hand, `datasource <ds> master`, its replicator in role master, then `datasource <ds> online`)");
    // db1's last write has not left it, and its manager stops: while its replicator still
    // extracts, the failover waits for the write to reach the slaves, and orphans nothing.
    let extracting = after(
        &manual,
        &[Fault::Write(db1), Fault::Stop(db1, Process::Manager)],
    );
    let rb = runbook::failover_procedure(&extracting, "alpha", None).unwrap();
    procedure_is_valid(&extracting, &rb);
    // Its replicator in error, the write never leaves it; its dataserver runs on.
    let unreplicated = after(&extracting, &[Fault::ReplicatorError(db1)]);
    insta::assert_snapshot!(refusal(runbook::failover_procedure(&unreplicated, "alpha", None)), @"data-at-risk: db1 is up with its dataserver running and holds events db2 lacks, which `failover` would orphan: promote db1 (`recover master using db1`, its processes started first), or let db2 catch up first");
    // Once the host crashes, the events are lost whatever the operator does: the failover is
    // written (the report warns of them).
    let gone = after(&unreplicated, &[Fault::HostCrash(db1)]);
    let rb = runbook::failover_procedure(&gone, "alpha", None).unwrap();
    procedure_is_valid(&gone, &rb);
    // Nor with the host up but its dataserver stopped: the report only warns of them
    // (cargo-mutants: nothing told the two apart).
    let stopped = after(&unreplicated, &[Fault::Stop(db1, Process::DataServer)]);
    let rb = runbook::failover_procedure(&stopped, "alpha", None).unwrap();
    procedure_is_valid(&stopped, &rb);
    // Five datasources: db2 caught up with db1's last write and was cut off, then db1
    // crashed. A failover on the majority's side would orphan db2's event; db2 cannot be
    // promoted from there, so the advice is the network first.
    let mut five = runbook::scenario("healthy-5").unwrap();
    let [db1, db2, db3, db4, db5] =
        ["db1", "db2", "db3", "db4", "db5"].map(|h| five.topology.host_id(h).unwrap());
    cctrl(&mut five, "db3", "set policy manual");
    let cut_off = after(
        &five,
        &[
            Fault::Write(db1),
            Fault::CatchUp(db2),
            Fault::Partition(Split::new(&[&[db1, db3, db4, db5][..], &[db2]])),
            Fault::HostCrash(db1),
        ],
    );
    insta::assert_snapshot!(refusal(runbook::failover_procedure(&cut_off, "alpha", None)), @"data-at-risk: db2 is up with its dataserver running and holds events db3 lacks, which `failover` would orphan: db2 is cut off by a partition: restore the network, then promote db2 or let db3 catch up");
    let report = runbook::validate(
        &cut_off,
        &"[LOGICAL] /alpha > failover".parse().unwrap(),
        runbook::Options::default(),
    );
    let lost = report
        .steps
        .iter()
        .flat_map(|s| &s.findings)
        .find(|f| f.kind == FindingKind::LostEvents && f.text.starts_with("db2"))
        .unwrap();
    assert_eq!(lost.severity, tungsten_model::machine::Severity::Error);
    insta::assert_snapshot!(lost.text, @"db2 holds events db3 never received: they are lost to the new master (orphaned); db2 is up, cut off by a partition, and holds them: restore the network, then promote it, or a host holding its events, instead");
}

/// A failover is not declined for events an earlier failover orphaned: db1's last write was
/// lost when the managers failed over from it to db2 (db1's processes stopped, its
/// dataserver up); with db2's dataserver then stopped under MANUAL, the failover to db3 takes
/// nothing more from db1, and is written.
#[test]
fn failover_is_written_past_events_an_earlier_failover_orphaned() {
    use tungsten_model::fault::{Fault, Process};
    let (healthy, [db1, db2, _]) = healthy();
    let mut start = after(&healthy, &[Fault::Write(db1)]);
    let stop_all: tungsten_model::command::HostCommand =
        "/opt/continuent/tungsten/cluster-home/bin/stopall"
            .parse()
            .unwrap();
    let stop_all =
        tungsten_model::machine::resolve_host(&start.topology, &start.state, db1, &stop_all)
            .unwrap();
    start.state = tungsten_model::machine::apply(&start.topology, &start.state, &stop_all)
        .unwrap()
        .state;
    cctrl(&mut start, "db2", "set policy manual");
    let failed = after(&start, &[Fault::Stop(db2, Process::DataServer)]);
    let rb = runbook::failover_procedure(&failed, "alpha", None).unwrap();
    procedure_is_valid(&failed, &rb);
}

/// With the routers offline, a switch promises the target ONLINE, not writable: it leaves the
/// routers as they are.
#[test]
fn switch_promises_writes_only_where_a_router_routes() {
    let (mut offline, _) = healthy();
    cctrl(&mut offline, "db1", "router * offline");
    let rb = runbook::switch_procedure(&offline, "alpha", Some("db2")).unwrap();
    insta::assert_snapshot!(rb.to_string(), @"
    #! goal online db2
    [LOGICAL] /alpha > switch to db2
    ");
    procedure_is_valid(&offline, &rb);
    let rb = runbook::switch_procedure(&offline, "alpha", None).unwrap();
    insta::assert_snapshot!(rb.to_string(), @"[LOGICAL] /alpha > switch");
    procedure_is_valid(&offline, &rb);
}

#[test]
fn recover_old_master_is_valid_where_it_is_written() {
    use tungsten_model::fault::{Fault, Process};
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
    // Recovered with its dataserver stopped, it is started by `recover`; restored, it is
    // not (`datasource restore` needs it running), so the procedure declines.
    let stopped = after(&clean, &[Fault::Stop(db1, Process::DataServer)]);
    procedure_is_valid(
        &stopped,
        &runbook::recover_old_master(&stopped, "db1").unwrap(),
    );
    let stopped = after(&orphaned, &[Fault::Stop(db1, Process::DataServer)]);
    insta::assert_snapshot!(runbook::recover_old_master(&stopped, "db1").unwrap_err(), @"the dataserver on db1 is stopped: start it (and check why it stopped) first");
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

/// A site reset of a site that did not drift: east's write reached every host of both sites,
/// west's cross-site replicator is reset, and east's master is provisioned from west, with
/// no position in east's history (the reset cleared it). Its going online does not report
/// east's slaves' copy of the write as lost: provisioning from another site is not checked,
/// and neither is what follows from it (found by `reset_site_is_valid_where_it_can_be_written`
/// once a master going online reported what it leaves behind).
#[test]
fn reset_site_of_a_site_that_did_not_drift_is_valid() {
    use tungsten_model::fault::Fault;
    use tungsten_model::model::Topology;
    let topology = Topology::multisite(&[
        ("east", &["db1", "db2", "db3"]),
        ("west", &["db4", "db5", "db6"]),
    ])
    .unwrap();
    let id = |h: &str| topology.host_id(h).unwrap();
    let faults = [
        Fault::Write(id("db1")),
        Fault::CatchUp(id("db2")),
        Fault::CatchUp(id("db3")),
        Fault::CrossSiteCatchUp(id("db4")),
        Fault::CrossSiteCatchUp(id("db5")),
        Fault::CrossSiteCatchUp(id("db6")),
    ];
    let start = after(&healthy_in(topology.clone()), &faults);
    assert!(start.state.host(id("db2")).data.pos.is_some());
    let rb = runbook::reset_site(&start, "east", "west").unwrap();
    procedure_is_valid(&start, &rb);
}

/// The partition form of a stale master (independent review): db1 cut off, the majority
/// fails over to db2 and writes, then db2's and db3's managers stop and the network heals.
/// From db1's own cctrl, welcoming db1 and putting it ONLINE makes it the writable master
/// over the event db2 and db3 hold: that step is unsafe. It read VALID.
#[test]
fn a_cut_off_master_put_back_in_service_over_the_majoritys_write_is_unsafe() {
    use tungsten_model::fault::{Fault, Process, Split};
    let (healthy, [db1, db2, db3]) = healthy();
    let start = after(
        &healthy,
        &[
            Fault::Write(db1),
            Fault::CatchUp(db2),
            Fault::CatchUp(db3),
            Fault::Partition(Split::new(&[&[db1], &[db2, db3]])),
            Fault::Write(db2),
            Fault::CatchUp(db3),
            Fault::Stop(db2, Process::Manager),
            Fault::Stop(db3, Process::Manager),
            Fault::Heal,
        ],
    );
    let report = validated(
        &start,
        "shell db1> cctrl\n\
         cctrl> set policy maintenance\n\
         cctrl> datasource db1 welcome\n\
         cctrl> datasource db1 online\n\
         cctrl> replicator db1 online\n\
         cctrl> cluster heartbeat\n",
    );
    assert_eq!(report.verdict, Verdict::Invalid, "{report}");
    let lost: Vec<(usize, &str)> = report
        .findings_of(FindingKind::LostEvents)
        .map(|(line, f)| (line, f.text.as_str()))
        .collect();
    insta::assert_debug_snapshot!(lost, @r#"
    [
        (
            4,
            "db2 holds events db1 never received, and db1 takes writes as the master: its writes fork the history away from them (orphaned); db2 is up and holds them: keep db1 out of service (shun it) until the managers that saw the later master run again, or promote a host holding them",
        ),
        (
            4,
            "db3 holds events db1 never received, and db1 takes writes as the master: its writes fork the history away from them (orphaned); db3 is up and holds them: keep db1 out of service (shun it) until the managers that saw the later master run again, or promote a host holding them",
        ),
    ]
    "#);
}

/// Provisioning a drifted master from a slave behind it discards its drifted events without
/// a finding: a drifted datasource's data is the divergence reprovisioning repairs
/// (cargo-mutants: checking drifted masters too, `&&` for `||`, went unnoticed).
#[test]
fn provisioning_a_drifted_master_discards_its_drift_without_a_finding() {
    use tungsten_model::fault::Fault;
    let (healthy, [db1, _, _]) = healthy();
    let start = after(&healthy, &[Fault::Drift(db1)]);
    let text = "[LOGICAL] /alpha > set policy maintenance\n\
                [LOGICAL] /alpha > replicator db2 offline\n\
                [LOGICAL] /alpha > replicator db3 offline\n\
                shell db1> trepctl heartbeat\n\
                shell db1> tprovision --source=db2\n";
    let report = validated(&start, text);
    assert_eq!(
        report.findings_of(FindingKind::LostEvents).count(),
        0,
        "{report}"
    );
    // Not drifted, the same plan discards the write: the finding shows the test can see one.
    let report = validated(&healthy, text);
    assert_eq!(
        report.findings_of(FindingKind::LostEvents).count(),
        1,
        "{report}"
    );
}

/// A site reset is written only from the docs' starting point: two sites replicating each
/// other, every host up, both sites in service, the good one a copy to trust.
#[test]
fn reset_site_declines_what_it_cannot_reset() {
    use tungsten_model::fault::{Fault, Process, Split};
    let refusal = |start: &Start, bad: &str, good: &str| {
        runbook::reset_site(start, bad, good)
            .unwrap_err()
            .to_string()
    };
    let drifted = runbook::scenario("seed000-drifted").unwrap();
    let id = |h: &str| drifted.topology.host_id(h).unwrap();
    insta::assert_snapshot!(refusal(&drifted, "east", "east"), @"east and east are not two sites replicating each other");
    let (healthy, _) = healthy();
    insta::assert_snapshot!(refusal(&healthy, "alpha", "alpha"), @"alpha and alpha are not two sites replicating each other");
    let split = after(
        &drifted,
        &[Fault::Partition(Split::new(&[
            &[id("db1")],
            &[id("db2"), id("db3"), id("db4"), id("db5"), id("db6")],
        ]))],
    );
    insta::assert_snapshot!(refusal(&split, "east", "west"), @"the network is split: restore it before resetting a site");
    let mut stopped = drifted.clone();
    let stop: tungsten_model::command::HostCommand =
        "/opt/replicator/tungsten/cluster-home/bin/stopall"
            .parse()
            .unwrap();
    let stop =
        tungsten_model::machine::resolve_host(&stopped.topology, &stopped.state, id("db5"), &stop)
            .unwrap();
    stopped.state = tungsten_model::machine::apply(&stopped.topology, &stopped.state, &stop)
        .unwrap()
        .state;
    insta::assert_snapshot!(refusal(&stopped, "east", "west"), @"the cross-site replicator on db5 is stopped: start it first");
    // West is drifted too: it is no copy to trust.
    let both = after(&drifted, &[Fault::Drift(id("db4"))]);
    insta::assert_snapshot!(refusal(&both, "east", "west"), @"db4's data has drifted: west is no good source; reprovision it first");
    let mut shunned = drifted.clone();
    cctrl(&mut shunned, "db4", "datasource db5 shun");
    insta::assert_snapshot!(refusal(&shunned, "east", "west"), @"db5 is not ONLINE and replicating in its role: west is the copy to trust; recover it first");
    // A manager of the bad site stopped: its view may be stale, and the procedure restarts
    // every manager of the site together (the 300 000-case property run found the site
    // restarted on such a view refuse the procedure's `trepctl online`).
    let stale = after(&drifted, &[Fault::Stop(id("db2"), Process::Manager)]);
    insta::assert_snapshot!(refusal(&stale, "east", "west"), @"the manager on db2 is stopped: its view of east may be stale, and the reset restarts every manager of the site together; start it (`manager start`) and let it join first");
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
    let e = runbook::recover_replica(&healthy, "db9").unwrap_err();
    assert_eq!(e.kind(), runbook::ProcedureErrorKind::UnknownName);
    // Read back from JSON as written: the kind by its stable name, and the message.
    let json = serde_json::to_string(&e).unwrap();
    insta::assert_snapshot!(json, @r#"{"kind":"unknown-name","message":"no host `db9` in the topology"}"#);
    assert_eq!(
        serde_json::from_str::<runbook::ProcedureError>(&json).unwrap(),
        e
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
        "db1 is a master, not a replica: use the `recover-old-master` procedure, or a switch"
    );
}

/// Last man standing counts only the connectors on the survivor's side: with db2 and db3
/// crashed, db1's own connector stopped and the application host's connector running behind a
/// split, the procedure starts db1's.
#[test]
fn last_man_standing_starts_the_connector_on_the_survivors_side() {
    use tungsten_model::fault::{Fault, Process::Connector, Split};
    use tungsten_model::model::{HostName, Topology, TopologySpec};
    let mut spec = TopologySpec::single("alpha", &["db1", "db2", "db3"]).unwrap();
    spec.services[0].connectors = Some(["db1", "app1"].map(|h| HostName::new(h).unwrap()).to_vec());
    let topology = Topology::try_from(spec).unwrap();
    let [db1, db2, db3, app1] = ["db1", "db2", "db3", "app1"].map(|h| topology.host_id(h).unwrap());
    let healthy = healthy_in(topology);
    let split = after(
        &healthy,
        &[
            Fault::HostCrash(db2),
            Fault::HostCrash(db3),
            Fault::Stop(db1, Connector),
            Fault::Partition(Split::new(&[&[db1, db2, db3], &[app1]])),
        ],
    );
    assert!(split.state.host(app1).connector.running);
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

/// Last man standing is not written where the hosts it would declare down are up behind a
/// partition: forcing there is what can give two writable masters (issue 6's partition
/// scenario), and the report of a forced step says so.
#[test]
fn last_man_standing_declines_hosts_cut_off_by_a_partition() {
    use tungsten_model::fault::{Fault, Split};
    let (healthy, [db1, db2, db3]) = healthy();
    let split = after(
        &healthy,
        &[Fault::Partition(Split::new(&[&[db1], &[db2], &[db3]]))],
    );
    let refused = runbook::last_man_standing(&split, "alpha").unwrap_err();
    insta::assert_snapshot!(refused.to_string(), @"db2 and db3 are up, cut off by a partition, not down: a forced step on this side could give alpha two masters; restore the network (or make sure they are down) first");
    // The runbook it wrote before, validated from this state.
    let rb: runbook::Runbook = "#! assume down db2 db3\n\
        [LOGICAL] /alpha > set policy maintenance\n\
        [LOGICAL] /alpha > set force true\n\
        [LOGICAL] /alpha > datasource db1 welcome\n\
        [LOGICAL] /alpha > datasource db1 online\n"
        .parse()
        .unwrap();
    let report = runbook::validate(&split, &rb, runbook::Options::default());
    assert_eq!(report.verdict, runbook::Verdict::Invalid, "{report}");
    let errors = support::runbook::kinds(&report, tungsten_model::machine::Severity::Error);
    assert!(
        errors
            .iter()
            .all(|&k| k == FindingKind::ForcedAcrossPartition)
            && !errors.is_empty(),
        "{report}"
    );
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

/// The recovery procedures read the managers' view of the service: with no ONLINE master
/// there is nothing to recover from, and with no manager running there is no view to read;
/// each says which.
#[test]
fn recovery_procedures_need_an_online_master_and_a_running_manager() {
    use tungsten_model::fault::{Fault, Process::Manager};
    let (mut no_master, [db1, db2, db3]) = manual();
    cctrl(&mut no_master, "db1", "set policy maintenance");
    cctrl(&mut no_master, "db1", "datasource db1 offline");
    let error = |r: Result<Runbook, runbook::ProcedureError>| {
        let e = r.unwrap_err();
        format!("{}: {e}", e.kind())
    };
    assert_eq!(
        error(runbook::recover_replica(&no_master, "db3")),
        "not-ready: alpha has no ONLINE master to recover db3 from"
    );
    assert_eq!(
        error(runbook::recover_old_master(&no_master, "db1")),
        "not-ready: alpha has no ONLINE master"
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
        "unreachable: no manager of alpha runs"
    );
    assert_eq!(
        error(runbook::recover_old_master(&unmanaged, "db1")),
        "unreachable: no manager of alpha runs"
    );
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
        @"db1 is the master, not a replica: use the `primary-maintenance` procedure"
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
    // Under MANUAL: the same steps to db3, and MANUAL restored at the end.
    let rb = runbook::primary_maintenance(&manual, "alpha", Some("db3")).unwrap();
    let text = rb.to_string();
    assert!(
        text.starts_with("#! goal master db1, alpha policy manual\n"),
        "{text}"
    );
    assert!(text.contains("> switch to db3\n"), "{text}");
    assert!(
        text.ends_with("> switch to db1\n[LOGICAL] /alpha > set policy manual\n"),
        "{text}"
    );
    procedure_is_valid(&manual, &rb);
    insta::assert_snapshot!(
        runbook::primary_maintenance(&healthy, "alpha", Some("db1")).unwrap_err(),
        @"db1 is not a replica of alpha a switch can promote (the master is db1)"
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
    insta::assert_snapshot!(runbook::replica_maintenance(&diverged, "db3").unwrap_err(), @"db3 holds events db2 lacks: `recover` would refuse it; reprovision it with the `recover-replica` procedure");
    // A switch needs every replica healthy enough to be chosen, and the old master back.
    let failed = after(&healthy, &[Fault::HostCrash(db2)]);
    insta::assert_snapshot!(
        runbook::primary_maintenance(&failed, "alpha", Some("db3")).unwrap_err(),
        @"maintenance on the master starts from a healthy service: db2 is down or cut off: bring it back first"
    );
    // With the routers offline the master is not writable: the plan promises it ONLINE.
    let mut unrouted = healthy.clone();
    cctrl(&mut unrouted, "db1", "router * offline");
    let rb = runbook::primary_maintenance(&unrouted, "alpha", None).unwrap();
    assert!(rb.to_string().starts_with("#! goal online db1,"), "{rb}");
    procedure_is_valid(&unrouted, &rb);
    // A service of one datasource has no replica to switch to.
    let alone = healthy_in(tungsten_model::model::Topology::single("alpha", &["db1"]).unwrap());
    insta::assert_snapshot!(
        runbook::primary_maintenance(&alone, "alpha", None).unwrap_err(),
        @"alpha has no replica a switch can promote: its master cannot be switched away from"
    );
}

/// Found in review: an old master is not sent to `primary_maintenance`, and a replica whose
/// data drifted is maintained like any other (`recover` does not look at drift; the report
/// warns about drifted data only where a step spreads it or opens writes to it).
#[test]
fn replica_maintenance_sends_an_old_master_to_its_own_procedure_and_takes_a_drifted_replica() {
    use tungsten_model::fault::Fault;
    let (healthy, [db1, _, db3]) = healthy();
    let failed_over = after(&healthy, &[Fault::HostCrash(db1), Fault::HostRestart(db1)]);
    insta::assert_snapshot!(
        runbook::replica_maintenance(&failed_over, "db1").unwrap_err(),
        @"db1 is an old master, not a replica: use the `recover-old-master` procedure"
    );
    let drifted = after(&healthy, &[Fault::Drift(db3)]);
    let rb = runbook::replica_maintenance(&drifted, "db3").unwrap();
    procedure_is_valid(&drifted, &rb);
}

/// A procedure by name writes what the function of that name writes (or refuses alike).
#[test]
fn a_procedure_by_name_writes_what_its_function_writes() {
    use tungsten_model::runbook::Procedure;
    let (healthy, _) = healthy();
    let failsafe = runbook::scenario("seed004-failsafe").unwrap();
    let drifted = runbook::scenario("seed000-drifted").unwrap();
    let by_name = |start: &Start, line: &str| line.parse::<Procedure>().unwrap().write(start);
    assert_eq!(
        by_name(&failsafe, "last-man-standing alpha"),
        runbook::last_man_standing(&failsafe, "alpha")
    );
    assert_eq!(
        by_name(&healthy, "recover-replica db2"),
        runbook::recover_replica(&healthy, "db2")
    );
    assert_eq!(
        by_name(&healthy, "recover-old-master db2"),
        runbook::recover_old_master(&healthy, "db2")
    );
    assert_eq!(
        by_name(&healthy, "replica-maintenance db2"),
        runbook::replica_maintenance(&healthy, "db2")
    );
    assert_eq!(
        by_name(&healthy, "primary-maintenance alpha db3"),
        runbook::primary_maintenance(&healthy, "alpha", Some("db3"))
    );
    assert_eq!(
        by_name(&healthy, "switch alpha db3"),
        runbook::switch_procedure(&healthy, "alpha", Some("db3"))
    );
    assert_eq!(
        by_name(&healthy, "failover alpha"),
        runbook::failover_procedure(&healthy, "alpha", None)
    );
    assert_eq!(
        by_name(&drifted, "reset-site east west"),
        runbook::reset_site(&drifted, "east", "west")
    );
    // Each writes something different here, so a name sent to the wrong function shows.
    let written: Vec<String> = [
        (&failsafe, "last-man-standing alpha"),
        (&healthy, "recover-replica db2"),
        (&healthy, "recover-old-master db2"),
        (&healthy, "replica-maintenance db2"),
        (&healthy, "primary-maintenance alpha db3"),
        (&healthy, "switch alpha db3"),
        (&healthy, "failover alpha"),
        (&drifted, "reset-site east west"),
    ]
    .iter()
    .map(|(start, line)| match by_name(start, line) {
        Ok(rb) => rb.to_string(),
        Err(e) => e.to_string(),
    })
    .collect();
    let mut distinct = written.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), written.len(), "{written:#?}");
}

/// A forced session on the minority's side of a partition, where a switch would go through
/// (db2 can be promoted from db1's side) but rests on db3, db4 and db5 being down, which they
/// are not: `switch_procedure` declines it, as last man standing does; with quorum, the
/// forced session does not matter (cargo-mutants: with that check removed, or made to read
/// force alone or quorum alone, every other test passed).
#[test]
fn switch_declines_a_forced_session_facing_hosts_cut_off() {
    use tungsten_model::fault::{Fault, Process, Split};
    let five = runbook::scenario("healthy-5").unwrap();
    let [db1, db2, db3, db4, db5] =
        ["db1", "db2", "db3", "db4", "db5"].map(|h| five.topology.host_id(h).unwrap());
    let mut split = after(
        &five,
        &[
            Fault::Partition(Split::new(&[&[db1, db2][..], &[db3, db4, db5]])),
            // No manager of the majority runs, so the procedure reads db1's side.
            Fault::Stop(db3, Process::Manager),
            Fault::Stop(db4, Process::Manager),
            Fault::Stop(db5, Process::Manager),
        ],
    );
    for line in [
        "set policy maintenance",
        "set force true",
        "datasource db1 welcome",
        "datasource db1 online",
        "datasource db2 welcome",
        "datasource db2 online",
        "replicator db1 online",
        "replicator db2 online",
    ] {
        cctrl(&mut split, "db1", line);
    }
    insta::assert_snapshot!(runbook::switch_procedure(&split, "alpha", Some("db2")).unwrap_err(), @"db3, db4 and db5 are up, cut off by a partition, not down: a forced step on this side could give alpha two masters; restore the network (or make sure they are down) first");
    // With quorum, a forced session rests on nothing: a switch on the majority's side is
    // written though db5 is cut off.
    let mut majority = after(
        &five,
        &[Fault::Partition(Split::new(&[
            &[db1, db2, db3, db4][..],
            &[db5],
        ]))],
    );
    cctrl(&mut majority, "db1", "set force true");
    let rb = runbook::switch_procedure(&majority, "alpha", Some("db2")).unwrap();
    procedure_is_valid(&majority, &rb);
}

/// Two sites where only west reads east: there is no pair to reset one from the other, either
/// way round (cargo-mutants on `resettable`: reading one direction, or either, passed every
/// other test).
#[test]
fn reset_site_declines_sites_replicating_one_way() {
    use tungsten_model::model::Topology;
    let both = two_sites();
    let mut spec = serde_json::to_value(&both).unwrap();
    spec["cross_site"]
        .as_array_mut()
        .unwrap()
        .retain(|c| c["to"] == "west");
    let topology: Topology = serde_json::from_value(spec).unwrap();
    let db4 = topology.host_id("db4").unwrap();
    let db1 = topology.host_id("db1").unwrap();
    assert!(topology.host(db4).cross_site_from.is_some());
    assert!(topology.host(db1).cross_site_from.is_none());
    let start = healthy_in(topology);
    let start = after(&start, &[tungsten_model::fault::Fault::Drift(db1)]);
    for (bad, good) in [("east", "west"), ("west", "east")] {
        assert_eq!(
            runbook::reset_site(&start, bad, good)
                .unwrap_err()
                .to_string(),
            format!("{bad} and {good} are not two sites replicating each other")
        );
    }
}

/// The good site's cross-site replicators read the bad site; one that has applied nothing yet
/// would replay the bad site's drift before the reset reaches it. The bad site's own
/// cross-site replicators, which read the good site, are no such risk (cargo-mutants on
/// `resettable`: checking those in place of the good site's passed every other test).
#[test]
fn reset_site_declines_a_good_site_replicator_that_would_replay_the_drift() {
    use tungsten_model::fault::Fault;
    let topology = two_sites();
    let [db1, db2, db3, db4] = ["db1", "db2", "db3", "db4"].map(|h| topology.host_id(h).unwrap());
    let start = healthy_in(topology);
    // East's replicators of west have applied west's one write; west's of east have applied
    // nothing; east's data drifts.
    let start = after(
        &start,
        &[
            Fault::Write(db4),
            Fault::CrossSiteCatchUp(db1),
            Fault::CrossSiteCatchUp(db2),
            Fault::CrossSiteCatchUp(db3),
            Fault::Drift(db1),
        ],
    );
    insta::assert_snapshot!(runbook::reset_site(&start, "east", "west").unwrap_err(), @"the cross-site replicator on db4 has applied nothing of east yet and would replay its drifted changes: take it offline (`trepctl -service east offline` on db4) first");
}

/// `primary_maintenance` switches only to a replica of the service it is asked about
/// (cargo-mutants: a datasource of another site, which the service's own view holds nothing
/// about, passed as a target).
#[test]
fn primary_maintenance_declines_a_target_of_another_service() {
    let topology = two_sites();
    let start = healthy_in(topology);
    insta::assert_snapshot!(runbook::primary_maintenance(&start, "east", Some("db5")).unwrap_err(), @"db5 is not a replica of east a switch can promote (the master is db1)");
}

/// A promotion asked for a service the viewer's session is not using first switches the
/// session to it (`use`), so the switch is the service's, not the composite's (cargo-mutants
/// on `promotion`: writing the `use` only when the session already used the service passed
/// every other test).
#[test]
fn switch_procedure_uses_the_service_from_a_session_on_the_composite() {
    let mut start = healthy_in(global_over_two_sites());
    let on_east = runbook::switch_procedure(&start, "east", None).unwrap();
    cctrl(&mut start, "db1", "use global");
    let on_global = runbook::switch_procedure(&start, "east", None).unwrap();
    procedure_is_valid(&start, &on_global);
    assert_eq!(on_global.to_string(), on_east.to_string());
}

/// Sites `east` (db1-db3) and `west` (db4-db6) under the composite `global`.
fn global_over_two_sites() -> tungsten_model::model::Topology {
    serde_json::from_value(serde_json::json!({
        "services": [
            {"name": "east", "datasources": ["db1", "db2", "db3"]},
            {"name": "west", "datasources": ["db4", "db5", "db6"]}
        ],
        "composites": [{"name": "global", "members": ["east", "west"]}]
    }))
    .unwrap()
}

/// At an active/passive composite, cctrl acts on whole sites (Continuent docs
/// *operations-composite*): `switch` moves the Active role to the passive site, `set policy`
/// sets every site's, and a site's name stands where a datasource's would (a datasource's name
/// there does not resolve: `datasource db1 shun` names no site).
/// `use` back to a site makes the site's commands checked again, and there the roles the
/// composite switch left are what they act on. An operator's review found `use global` then
/// `switch` run as a switch inside east (VALID), and `[LOGICAL] /global > switch` refused as
/// if no manager ran; before this release every command there was not modelled.
#[test]
fn commands_at_a_composite_act_on_whole_sites() {
    use tungsten_model::model::DataSourceRole::{Master, Relay, Slave};
    let start = healthy_in(global_over_two_sites());
    let text = "cctrl [east]> use global\ncctrl> switch\ncctrl> datasource db1 shun\ncctrl> set policy maintenance\n[LOGICAL] /global > switch to west\n[LOGICAL] /global > switch to east\ncctrl> use east\ncctrl> switch\n";
    let report = runbook::validate(&start, &text.parse().unwrap(), runbook::Options::default());
    let statuses: Vec<String> = report
        .steps
        .iter()
        .map(|s| {
            let status = match &s.runs[0].status {
                RunStatus::Rejected { rule, .. } => rule.to_string(),
                other => format!("{other:?}"),
            };
            let kinds: Vec<&str> = s.findings.iter().map(|f| f.kind.as_str()).collect();
            format!("{status} {}", kinds.join(","))
        })
        .collect();
    assert_eq!(
        statuses,
        [
            "Accepted ",
            "Accepted ",
            "resolve ",
            "Accepted ",
            "eligible-site ",
            "Accepted ",
            "Accepted ",
            // Both sites in MAINTENANCE: west's managers leave its relay on db1, now a
            // replica (`relay-off-master`).
            "Accepted relay-off-master,left-in-maintenance,left-in-maintenance",
        ],
        "{report}"
    );
    let t = &start.topology;
    let role = |step: usize, host: &str| {
        let h = t.host_id(host).unwrap();
        let viewer = t.host_id(if t.host(h).service == t.service_id("east").unwrap() {
            "db2"
        } else {
            "db5"
        });
        report.steps[step].state.view(viewer.unwrap()).entry(h).role
    };
    // The first switch: west's relay the master, east's master its site's relay.
    assert_eq!(
        (role(1, "db4"), role(1, "db1")),
        (Master, Relay),
        "{report}"
    );
    // The policy is every site's.
    for site in ["db2", "db5"] {
        assert_eq!(
            report.steps[3].state.view(t.host_id(site).unwrap()).policy,
            tungsten_model::model::PolicyMode::Maintenance
        );
    }
    // Back to east, then, at east, a site-level `switch` moves its master role inside it.
    assert_eq!(
        (role(5, "db1"), role(5, "db4")),
        (Master, Relay),
        "{report}"
    );
    assert_eq!(
        (role(7, "db2"), role(7, "db1")),
        (Master, Slave),
        "{report}"
    );
    // `use` at a prompt naming no service connects to the service it names.
    let at_root = "[LOGICAL] / > use global\n[LOGICAL] /global > switch\n";
    let report = runbook::validate(
        &start,
        &at_root.parse().unwrap(),
        runbook::Options::default(),
    );
    assert!(
        report
            .steps
            .iter()
            .all(|s| s.runs[0].status == RunStatus::Accepted),
        "{report}"
    );
}

/// The report of the runbook `text` from `start`, every step of which must be accepted.
fn validated(start: &Start, text: &str) -> runbook::Report {
    let rb: Runbook = text.parse().unwrap();
    let report = runbook::validate(start, &rb, runbook::Options::default());
    assert!(report.first_rejected().is_none(), "{report}");
    report
}

/// Seed 004's story with positions, from `start`: db1 takes two writes, db3 the first; then
/// db1 and db3 crash.
fn seed004_with_positions(start: &Start) -> Start {
    use tungsten_model::fault::Fault;
    let t = &start.topology;
    let [db1, db3] = ["db1", "db3"].map(|h| t.host_id(h).unwrap());
    after(
        start,
        &[
            Fault::Write(db1),
            Fault::CatchUp(db3),
            Fault::Write(db1),
            Fault::HostCrash(db1),
            Fault::HostCrash(db3),
        ],
    )
}

/// Each `lost-events` finding of `report`: the step's text, whether it is an error, and the
/// finding's text.
fn lost_events(report: &runbook::Report) -> Vec<(String, bool, String)> {
    report
        .steps
        .iter()
        .flat_map(|s| {
            s.findings
                .iter()
                .filter(|f| f.kind == FindingKind::LostEvents)
                .map(|f| {
                    let error = f.severity == tungsten_model::machine::Severity::Error;
                    (s.text.clone(), error, f.text.clone())
                })
        })
        .collect()
}

/// The last-man-standing procedure from `start` promotes db2 and is VALID, with a
/// `lost-events` warning for each of `holders` (hosts that are down) at that step.
fn last_man_standing_warns_of(start: &Start, holders: &[&str]) {
    let rb = runbook::last_man_standing(start, "alpha").unwrap();
    let report = runbook::validate(start, &rb, runbook::Options::default());
    assert_eq!(report.verdict, Verdict::Valid, "{report}");
    assert_eq!(
        lost_events(&report),
        lost_on_down_hosts("datasource db2 master", holders, "db2"),
        "{report}"
    );
}

/// The master promoted by hand in the last-man-standing procedure leaves behind the events
/// it lacks, as a failover would. Under MANUAL (no failover when db1 crashed), db1 (the old
/// master) and db3 hold events db2 never received. Both are down, so each is a warning at the
/// step that makes db2 the master, and the procedure stays valid. Before, the report named no
/// loss at all.
#[test]
fn last_man_standing_warns_of_the_events_the_survivor_lacks() {
    let (manual, _) = manual();
    let start = seed004_with_positions(&manual);
    last_man_standing_warns_of(&start, &["db1", "db3"]);
}

/// Seed 004's story with positions: db1 takes two writes, db3 the first; db1 crashes and the
/// managers fail over to db3, which orphans db1's second write (reported then, and db1
/// marked for it); db3 crashes and the failsafe shuns all three, db1 and db3 both
/// `master:SHUNNED(FAILSAFE_SHUN)`. Promoting db2 by hand orphans the first write, which db1
/// and db3 hold: both are named (warnings, both being down). Before, with the master replaced
/// taken in topology order, db1 was named and db3 missed; then, with the mark per host, db3
/// was named and db1 missed.
#[test]
fn last_man_standing_after_a_failover_reports_the_events_it_orphans_itself() {
    use tungsten_model::model::{DataSourceRole, DsState, ShunCause};
    let (healthy, [db1, db2, db3]) = healthy();
    let start = seed004_with_positions(&healthy);
    let view = start.state.view(db2);
    for master in [db1, db3] {
        assert_eq!(
            (view.entry(master).role, view.entry(master).state),
            (
                DataSourceRole::Master,
                DsState::Shunned(ShunCause::Failsafe)
            )
        );
    }
    assert_eq!(start.state.host(db2).replicator.master, Some(db3));
    last_man_standing_warns_of(&start, &["db1", "db3"]);
}

/// A master promoted by hand while the old master is up and holds events it lacks is an
/// error, as for `failover` or `switch`: the report says to promote the host holding them.
/// db2's replicator is stopped, so db2 missed db1's write, which db3 holds. Caught up before it stopped, the
/// same promotion loses nothing. Taking the new master offline and online again, or shunning
/// and welcoming it, reports the loss no second time (a review of an earlier attempt, checked
/// at `datasource <ds> online`, found it reported again after each).
#[test]
fn a_master_promoted_by_hand_behind_a_live_master_loses_its_events() {
    use tungsten_model::fault::{Fault, Process};
    let (mut maintenance, [db1, db2, _]) = healthy();
    // Under MAINTENANCE, so that the managers do not start db2's replicator again.
    cctrl(&mut maintenance, "db1", "set policy maintenance");
    let rb: Runbook = "\
[LOGICAL] /alpha > datasource db1 offline
[LOGICAL] /alpha > replicator db1 offline
[LOGICAL] /alpha > datasource db2 offline
[LOGICAL] /alpha > datasource db2 master
[LOGICAL] /alpha > replicator db2 start
[LOGICAL] /alpha > replicator db2 offline
[LOGICAL] /alpha > replicator db2 master
[LOGICAL] /alpha > datasource db2 online
[LOGICAL] /alpha > replicator db2 online
[LOGICAL] /alpha > datasource db2 offline
[LOGICAL] /alpha > datasource db2 online
[LOGICAL] /alpha > datasource db2 shun
[LOGICAL] /alpha > datasource db2 welcome
"
    .parse()
    .unwrap();
    let stop = Fault::Stop(db2, Process::Replicator);
    let behind = after(&maintenance, &[stop, Fault::Write(db1)]);
    let report = runbook::validate(&behind, &rb, runbook::Options::default());
    assert!(report.first_rejected().is_none(), "{report}");
    assert_eq!(report.verdict, Verdict::Invalid, "{report}");
    // db3, caught up as the runbook starts, holds db1's write too.
    let lost = |holder| lost_on_a_live_host("datasource db2 master", holder, "db2");
    assert_eq!(lost_events(&report), [lost("db1"), lost("db3")], "{report}");
    let caught_up = after(
        &maintenance,
        &[Fault::Write(db1), Fault::CatchUp(db2), stop],
    );
    let report = runbook::validate(&caught_up, &rb, runbook::Options::default());
    assert!(report.first_rejected().is_none(), "{report}");
    assert_eq!(lost_events(&report), [], "{report}");
}

/// Events lost at an earlier failover are not reported again by a later promotion by hand:
/// db1's write was left behind when the managers failed over to db2, and db1 keeps the master
/// role, SHUNNED(FAILED-OVER-TO-db2), and its events are marked orphaned. Making db3 the
/// master by hand orphans nothing more (in an earlier attempt, which took db1 as the master
/// replaced, db1's old write was reported as lost again).
#[test]
fn a_promotion_by_hand_does_not_report_events_an_earlier_failover_lost() {
    use tungsten_model::fault::{Fault, Process};
    let (healthy, [db1, _, _]) = healthy();
    let failed_over = after(
        &healthy,
        &[Fault::Write(db1), Fault::Stop(db1, Process::DataServer)],
    );
    let rb: Runbook = "\
[LOGICAL] /alpha > set policy maintenance
[LOGICAL] /alpha > datasource db2 offline
[LOGICAL] /alpha > datasource db3 offline
[LOGICAL] /alpha > datasource db3 master
"
    .parse()
    .unwrap();
    let report = runbook::validate(&failed_over, &rb, runbook::Options::default());
    let db1_entry = failed_over.state.view(db1).entry(db1);
    {
        use tungsten_model::model::{DataSourceRole, DsState, ShunCause};
        let db2 = failed_over.topology.host_id("db2").unwrap();
        assert_eq!(
            (db1_entry.role, db1_entry.state),
            (
                DataSourceRole::Master,
                DsState::Shunned(ShunCause::FailedOverTo(db2))
            )
        );
    }
    assert!(report.first_rejected().is_none(), "{report}");
    assert_eq!(lost_events(&report), [], "{report}");
}

/// A stale replicator does not bring back events already reported. Four nodes: db4 was down
/// when the managers failed over from db1 to db2, so it still reads from db1, as db3 reads
/// from db2. Making db3 the master by hand does not report db1's write, lost at the failover,
/// again (an earlier attempt guessed the master replaced from the slaves' sources and took
/// db1).
#[test]
fn a_promotion_by_hand_past_a_stale_slave_reports_no_earlier_loss() {
    use tungsten_model::fault::{Fault, Process};
    use tungsten_model::model::Topology;
    let topology = Topology::single("alpha", &["db1", "db2", "db3", "db4"]).unwrap();
    let [db1, db2, db3, db4] = ["db1", "db2", "db3", "db4"].map(|h| topology.host_id(h).unwrap());
    let failed_over = after(
        &healthy_in(topology),
        &[
            Fault::Write(db1),
            Fault::HostCrash(db4),
            Fault::Stop(db1, Process::DataServer),
        ],
    );
    let s = &failed_over.state;
    assert_eq!(
        [db3, db4].map(|h| s.host(h).replicator.master),
        [Some(db2), Some(db1)]
    );
    let report = validated(
        &failed_over,
        "\
[LOGICAL] /alpha > set policy maintenance
[LOGICAL] /alpha > datasource db2 offline
[LOGICAL] /alpha > datasource db3 offline
[LOGICAL] /alpha > datasource db3 master
",
    );
    assert_eq!(lost_events(&report), [], "{report}");
}

/// A promotion past events already reported names nothing: db1 takes two writes, db3 the
/// first; db1 crashes and the managers fail over to db3, which reports db1's second write
/// (db1 marked from the first). A switch to db2, which has caught up with db3 and so holds
/// the first write, leaves behind only the second: already reported, so the switch names
/// no loss. A mark that covered less than it should would name db1 again here.
#[test]
fn a_switch_past_reported_events_names_no_loss() {
    use tungsten_model::fault::Fault;
    let (healthy, [db1, _, db3]) = healthy();
    let start = after(
        &healthy,
        &[
            Fault::Write(db1),
            Fault::CatchUp(db3),
            Fault::Write(db1),
            Fault::HostCrash(db1),
        ],
    );
    assert!(start.state.host(db1).data.orphaned.is_some());
    let report = validated(&start, "[LOGICAL] /alpha > switch to db2\n");
    assert_eq!(report.verdict, Verdict::Valid, "{report}");
    assert_eq!(lost_events(&report), [], "{report}");
}

/// Four nodes under MANUAL: db1 takes two writes, db2 and db3 the first, db4 both; db1
/// crashes. The failover to db2 reports db1's and db4's second write. `recover master using
/// db4` makes it the service's line again, so their marks go. db1 comes back up and db4
/// crashes: a failover to db3 loses that write a second time, an error on db1 (up) and a
/// warning on db4. Before (found in review), db1 kept its mark and was passed over, and the
/// plan read VALID.
#[test]
fn events_promoted_again_and_then_lost_are_named_on_every_holder() {
    use tungsten_model::fault::Fault;
    use tungsten_model::model::Topology;
    let topology = Topology::single("alpha", &["db1", "db2", "db3", "db4"]).unwrap();
    let [db1, db2, db3, db4] = ["db1", "db2", "db3", "db4"].map(|h| topology.host_id(h).unwrap());
    let mut start = healthy_in(topology);
    cctrl(&mut start, "db1", "set policy manual");
    let mut start = after(
        &start,
        &[
            Fault::Write(db1),
            Fault::CatchUp(db2),
            Fault::CatchUp(db3),
            Fault::CatchUp(db4),
            Fault::Write(db1),
            Fault::CatchUp(db4),
            Fault::HostCrash(db1),
        ],
    );
    for line in [
        "failover to db2",
        "set policy maintenance",
        "datasource db2 offline",
        "replicator db2 offline",
        "recover master using db4",
    ] {
        cctrl(&mut start, "db2", line);
    }
    assert_eq!(start.state.host(db1).data.orphaned, None);
    let mut start = after(&start, &[Fault::HostRestart(db1), Fault::HostCrash(db4)]);
    cctrl(&mut start, "db2", "set policy manual");
    let report = validated(
        &start,
        "#! settle off\n[LOGICAL] /alpha > failover to db3\n",
    );
    let step = "failover to db3";
    let mut expected = vec![lost_on_a_live_host(step, "db1", "db3")];
    expected.extend(lost_on_down_hosts(step, &["db4"], "db3"));
    assert_eq!(lost_events(&report), expected, "{report}");
}

/// A copy of events already reported carries the mark. db1's write, which no slave has, is
/// reported at the failover to db2 when db1's dataserver stops. db4 is then provisioned from
/// db1 (its dataserver back): a switch to db3 leaves db4's copy behind, but that loss was
/// reported. Before (found in review), db4 was named, an error, and the plan read INVALID.
#[test]
fn a_copy_of_reported_events_is_not_reported_again() {
    use tungsten_model::fault::{Fault, Process};
    use tungsten_model::model::Topology;
    let topology = Topology::single("alpha", &["db1", "db2", "db3", "db4"]).unwrap();
    let db1 = topology.host_id("db1").unwrap();
    let start = after(
        &healthy_in(topology),
        &[
            Fault::Write(db1),
            Fault::Stop(db1, Process::DataServer),
            Fault::Start(db1, Process::DataServer),
        ],
    );
    let report = validated(
        &start,
        "\
#! settle off
shell db4> tungsten_provision_slave --source db1
[LOGICAL] /alpha > switch to db3
",
    );
    assert_eq!(report.verdict, Verdict::Valid, "{report}");
    assert_eq!(lost_events(&report), [], "{report}");
    // The same by catching up: db1's write is reported at the failover to db2 (db1's
    // replicator in error, so the failover has nothing to wait for); db2's
    // manager stops and db1 is welcomed back as master, and db3 catches up from it. Under
    // MANUAL, with db1 down, `recover master using db2` names neither db1 nor db3.
    let (healthy, [db1, db2, db3]) = healthy();
    let mut start = after(&healthy, &[Fault::Write(db1), Fault::ReplicatorError(db1)]);
    cctrl(&mut start, "db1", "datasource db1 fail");
    let mut start = after(
        &start,
        &[
            Fault::Stop(db3, Process::DataServer),
            Fault::Stop(db2, Process::Manager),
        ],
    );
    cctrl(&mut start, "db1", "datasource db1 welcome");
    cctrl(&mut start, "db1", "replicator db1 online");
    let mut start = after(
        &start,
        &[
            Fault::Start(db3, Process::DataServer),
            Fault::CatchUp(db3),
            Fault::Start(db2, Process::Manager),
        ],
    );
    cctrl(&mut start, "db1", "set policy manual");
    let start = after(
        &start,
        &[Fault::HostCrash(db1), Fault::Stop(db3, Process::Manager)],
    );
    assert!(start.state.host(db3).data.orphaned.is_some());
    let report = validated(
        &start,
        "\
#! settle off
#! assume down db1
[LOGICAL] /alpha > set force true
[LOGICAL] /alpha > recover master using db2
",
    );
    assert_eq!(lost_events(&report), [], "{report}");
}

/// A host of west provisioned from a host of east copies the events east's host applied from
/// west, not east's own: east's mark on the source says nothing of them. db4 (west's master)
/// takes a write that db1 applies cross-site; db1 then takes a write of its own that east's
/// failover to db2 reports, marking db1. West goes MANUAL and db4 crashes; db6 is
/// provisioned from db1 and so holds db4's write, which db5 lacks. `failover to db5` names db6
/// (up: an error) as well as db4 (down: a warning). With the source's mark copied across
/// sites, db6 was passed over.
#[test]
fn a_copy_from_another_site_does_not_carry_the_sources_mark() {
    use tungsten_model::fault::Fault;
    let topology = two_sites();
    let [db1, db4] = ["db1", "db4"].map(|h| topology.host_id(h).unwrap());
    let mut start = after(
        &healthy_in(topology),
        &[
            Fault::Write(db4),
            Fault::CrossSiteCatchUp(db1),
            Fault::Write(db1),
            Fault::HostCrash(db1),
            Fault::HostRestart(db1),
        ],
    );
    assert!(start.state.host(db1).data.orphaned.is_some());
    cctrl(&mut start, "db4", "set policy manual");
    let start = after(&start, &[Fault::HostCrash(db4)]);
    let report = validated(
        &start,
        "\
#! settle off
#! assume down db4
shell db6> tungsten_provision_slave --source db1
[LOGICAL] /west > set force true
[LOGICAL] /west > failover to db5
",
    );
    assert_eq!(report.verdict, Verdict::Invalid, "{report}");
    // The helpers name service alpha; this step is typed in west.
    let step = "failover to db5";
    let mut expected = lost_on_down_hosts(step, &["db4"], "db5");
    expected.push(lost_on_a_live_host(step, "db6", "db5"));
    for (text, _, _) in &mut expected {
        *text = text.replace("/alpha", "/west");
    }
    assert_eq!(lost_events(&report), expected, "{report}");
}

/// The orphan mark is per event: in seed 004's state with positions, the failover to db3
/// reported db1's second write, and db1 is marked for it only. db1 comes back up (its manager
/// stopped, so that no manager acts on its return) while db3 stays down. Promoting db2
/// orphans db1's first write too, which db1 (up) and db3 (down) hold: an error on db1, a
/// warning on db3. With the mark per host, as before, db1 was passed over and the loss was a
/// warning only.
#[test]
fn a_promotion_names_a_live_host_for_events_an_earlier_failover_did_not_report() {
    use tungsten_model::fault::{Fault, Process};
    let (healthy, [db1, ..]) = healthy();
    let start = after(
        &seed004_with_positions(&healthy),
        &[Fault::HostRestart(db1), Fault::Stop(db1, Process::Manager)],
    );
    let report = validated(
        &start,
        "\
#! assume down db3
[LOGICAL] /alpha > set force true
[LOGICAL] /alpha > recover master using db2
",
    );
    let step = "recover master using db2";
    let mut expected = vec![lost_on_a_live_host(step, "db1", "db2")];
    expected.extend(lost_on_down_hosts(step, &["db3"], "db2"));
    assert_eq!(lost_events(&report), expected, "{report}");
}

/// `recover master using` after quorum loss: in seed 004's state with positions (see
/// `last_man_standing_after_a_failover_reports_the_events_it_orphans_itself`), db3 is the
/// master db2's replicator reads from and holds a write db2 lacks (db1's first); the failsafe
/// shunned it, so the promotion neither fails it over nor counts it a follower. Recovering
/// with db2 as master reports that write lost on db3 and on db1, as the same promotion by
/// hand does (before, it reported nothing).
#[test]
fn recover_master_using_after_quorum_loss_reports_the_events_it_leaves_behind() {
    let (healthy, _) = healthy();
    let start = seed004_with_positions(&healthy);
    let report = validated(
        &start,
        "\
#! assume down db1 db3
[LOGICAL] /alpha > set force true
[LOGICAL] /alpha > recover master using db2
",
    );
    assert_eq!(
        lost_events(&report),
        lost_on_down_hosts("recover master using db2", &["db1", "db3"], "db2"),
        "{report}"
    );
}

/// Found by `procedures_are_valid_where_they_can_be_written` once a promotion by hand reported
/// the events it leaves behind: the survivor last man standing picks must not orphan events a
/// host that is up still holds. Five nodes under MANUAL: db1, the master, took a write no
/// slave has, then its manager stopped and db3 to db5 crashed. The managers lost quorum, and
/// db2 is the only datasource whose manager runs. Promoting it would orphan db1's write, which
/// the report calls unsafe (db1 is up), so the procedure declines and says what to do instead.
#[test]
fn last_man_standing_declines_to_orphan_the_events_of_a_host_that_is_up() {
    use tungsten_model::fault::{Fault, Process};
    use tungsten_model::model::Topology;
    let topology = Topology::single("alpha", &["db1", "db2", "db3", "db4", "db5"]).unwrap();
    let [db1, db2, db3, db4, db5] =
        ["db1", "db2", "db3", "db4", "db5"].map(|h| topology.host_id(h).unwrap());
    let mut start = healthy_in(topology);
    cctrl(&mut start, "db1", "set policy manual");
    let start = after(
        &start,
        &[
            Fault::Write(db1),
            Fault::Stop(db1, Process::Manager),
            Fault::HostCrash(db3),
            Fault::HostCrash(db4),
            Fault::HostCrash(db5),
        ],
    );
    assert_eq!(
        start.state.view(db2).quorum,
        tungsten_model::model::Quorum::NonPrimary
    );
    insta::assert_snapshot!(runbook::last_man_standing(&start, "alpha").unwrap_err(), @"db1 is up with its dataserver running and holds events db2 lacks, which promoting db2 would orphan: make db1 the survivor (its manager running, reachable, its data not drifted), or let db2 catch up first");
}

/// The `lost-events` error of a cctrl step `step` that orphans the events of `holder`, a
/// host that is up, promoting `new`.
fn lost_on_a_live_host(step: &str, holder: &str, new: &str) -> (String, bool, String) {
    (
        format!("[LOGICAL] /alpha > {step}"),
        true,
        format!(
            "{holder} holds events {new} never received: they are lost to the new master (orphaned); {holder} is up and holds them: promote it, or a host holding its events, instead"
        ),
    )
}

/// The `lost-events` warnings of a cctrl step `step` that orphans the events of `holders`,
/// hosts that are down, promoting `new`.
fn lost_on_down_hosts(step: &str, holders: &[&str], new: &str) -> Vec<(String, bool, String)> {
    holders
        .iter()
        .map(|holder| {
            (
                format!("[LOGICAL] /alpha > {step}"),
                false,
                format!(
                    "{holder} holds events {new} never received: they are lost to the new master (orphaned)"
                ),
            )
        })
        .collect()
}

/// Validating `text` from `start` gives INVALID, for one `lost-events` error only: `step`
/// orphans the events of `holder`, a host that is up, promoting `new`.
fn invalid_for_one_live_loss(start: &Start, text: &str, step: &str, holder: &str, new: &str) {
    let report = validated(start, text);
    assert_eq!(report.verdict, Verdict::Invalid, "{report}");
    assert_eq!(
        lost_events(&report),
        [lost_on_a_live_host(step, holder, new)],
        "{report}"
    );
}

/// The review's cases against a first design, which guessed the master a promotion by hand
/// replaces from the view and the slaves' sources. Three nodes under MANUAL, db1 crashed
/// holding a write no slave has; db2 promoted by hand (db1's write reported then).
fn db2_promoted_by_hand_after_db1_crashed() -> (Start, [tungsten_model::model::HostId; 3]) {
    use tungsten_model::fault::Fault;
    let (mut start, [db1, db2, db3]) = manual();
    start = after(&start, &[Fault::Write(db1), Fault::HostCrash(db1)]);
    for line in [
        "set policy maintenance",
        "datasource db2 offline",
        "datasource db2 master",
        "replicator db2 offline",
        "replicator db2 master",
        "datasource db2 online",
        "replicator db2 online",
    ] {
        cctrl(&mut start, "db2", line);
    }
    (start, [db1, db2, db3])
}

/// db3 still reads from the crashed db1 (it was never repointed); db2 takes a write. Making
/// db3 the master by hand orphans db2's write, and db2 is up: an error. db1's write is not
/// named again (the first design took db1, which db3 reads from, as the master replaced: it
/// named db1 again and missed db2, and the runbook read VALID).
#[test]
fn a_promotion_by_hand_past_a_stale_reader_names_the_live_masters_events() {
    use tungsten_model::fault::Fault;
    let (start, [db1, db2, db3]) = db2_promoted_by_hand_after_db1_crashed();
    assert_eq!(start.state.host(db3).replicator.master, Some(db1));
    let start = after(&start, &[Fault::Write(db2)]);
    invalid_for_one_live_loss(
        &start,
        "\
[LOGICAL] /alpha > datasource db2 offline
[LOGICAL] /alpha > datasource db3 offline
[LOGICAL] /alpha > datasource db3 master
",
        "datasource db3 master",
        "db2",
        "db3",
    );
}

/// Demoting the current master before promoting another by hand: db2 (the master since the
/// failover from db1, holding a write db3 lacks) is made a slave, then db3 the master. db2's
/// write is named, an error; db1's, orphaned at the failover, is not (the first design fell
/// back to db1 as the master replaced, named it again and missed db2).
#[test]
fn demoting_the_master_before_a_promotion_by_hand_still_names_its_events() {
    use tungsten_model::fault::{Fault, Process};
    let (healthy, [db1, db2, db3]) = healthy();
    let mut start = after(
        &healthy,
        &[Fault::Write(db1), Fault::Stop(db1, Process::DataServer)],
    );
    // Under MAINTENANCE, so that the managers do not start db3's replicator again.
    cctrl(&mut start, "db2", "set policy maintenance");
    let start = after(
        &start,
        &[Fault::Stop(db3, Process::Replicator), Fault::Write(db2)],
    );
    invalid_for_one_live_loss(
        &start,
        "\
[LOGICAL] /alpha > datasource db2 offline
[LOGICAL] /alpha > datasource db2 slave
[LOGICAL] /alpha > datasource db3 offline
[LOGICAL] /alpha > datasource db3 master
",
        "datasource db3 master",
        "db2",
        "db3",
    );
}

/// A master replaced by hand is not named again by the next promotion: after db2's promotion
/// by hand, db3 is repointed to db2 and a switch makes db3 the master. The switch orphans
/// nothing (the first design named db1's write a second time there).
#[test]
fn a_switch_after_a_promotion_by_hand_names_no_earlier_loss() {
    let (start, _) = db2_promoted_by_hand_after_db1_crashed();
    let report = validated(
        &start,
        "\
[LOGICAL] /alpha > replicator db3 offline
[LOGICAL] /alpha > replicator db3 slave db2
[LOGICAL] /alpha > replicator db3 online
[LOGICAL] /alpha > switch to db3
",
    );
    assert_eq!(lost_events(&report), [], "{report}");
}

/// A write clears the orphan mark (found by a probe of the engine properties for a marked
/// host that writes). db1 takes a write no slave has and is failed by hand, its replicator
/// in error (so no failover can wait for the write): the failover to db2 reports the write,
/// and marks db1. db2's manager stops, db1 is welcomed back as the master and takes a second
/// write, and its replicator fails again. A failover to db3 leaves both behind, the second
/// never reported: db1 is named again, an error (it is up). With the mark kept past the
/// write, it was not named and the plan read VALID.
#[test]
fn a_master_writing_after_its_events_were_orphaned_is_named_at_the_next_failover() {
    use tungsten_model::fault::{Fault, Process};
    let (healthy, [db1, db2, db3]) = healthy();
    let mut start = after(&healthy, &[Fault::Write(db1), Fault::ReplicatorError(db1)]);
    cctrl(&mut start, "db1", "datasource db1 fail");
    assert!(start.state.host(db1).data.orphaned.is_some());
    let mut start = after(
        &start,
        &[
            Fault::Stop(db3, Process::DataServer),
            Fault::Stop(db2, Process::Manager),
        ],
    );
    cctrl(&mut start, "db1", "datasource db1 welcome");
    cctrl(&mut start, "db1", "replicator db1 online");
    cctrl(&mut start, "db3", "cluster heartbeat");
    let start = after(
        &start,
        &[
            Fault::ReplicatorError(db1),
            Fault::Start(db3, Process::DataServer),
        ],
    );
    invalid_for_one_live_loss(
        &start,
        "\
#! settle off
[LOGICAL] /alpha > set policy manual
[LOGICAL] /alpha > datasource db1 fail
[LOGICAL] /alpha > failover to db3
",
        "failover to db3",
        "db1",
        "db3",
    );
}
