//! Continuent's documented procedures, their command lines as the docs print them: what the
//! model makes of each.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a test fails by panicking"
)]

mod support;

use support::runbook::{check, fixture, kinds, refusal};
use tungsten_model::machine::Rule;
use tungsten_model::runbook::{self, FindingKind, Report, RunStatus, Verdict};

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
            Rule::EligibleTarget,
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

/// A master's replicator stopped in service under AUTOMATIC: the warning says what happens to
/// the writes it takes meanwhile, which the model replicates once it starts again (its
/// extractor reads the binary log from where it stopped), not that they are drift, as it used
/// to (an operator's review, helper-135).
#[test]
fn a_masters_stopped_replicator_warns_that_its_writes_wait_for_the_start() {
    let report = check(
        "#! scenario healthy-3\n\
         shell db1> replicator stop\n\
         event> a client writes to db1\n\
         shell db1> replicator start\n",
    );
    assert_eq!(report.verdict, Verdict::Valid, "{report}");
    let stopped: Vec<&str> = report
        .steps
        .iter()
        .flat_map(|s| &s.findings)
        .filter(|f| f.kind == FindingKind::StoppedInService)
        .map(|f| f.text.as_str())
        .collect();
    insta::assert_snapshot!(stopped.join("\n"), @"the replicator on db1 is stopped while db1 is in service outside MAINTENANCE: the managers do not start it again, so db1 is DIMINISHED (REPLICATOR STOPPED) until `replicator start`, and no replicator extracts the writes it takes meanwhile: its replicas fall behind until then, when it reads them from the binary log, and a failover before that leaves them behind; the docs ask for MAINTENANCE, or a shun, before stopping a replicator in service");
    // What the warning says: the write reaches the replicas once the replicator runs.
    let text = report.to_string();
    assert!(
        text.contains("replicator on db2 caught up to seqno 0"),
        "{report}"
    );
}

/// Continuent's other documented procedures, as the docs print their command lines: what the
/// model makes of each (verdict, first refusal, warnings).
#[test]
fn the_docs_procedures_read_as_the_model_judges_them() {
    let warnings = |report: &Report| kinds(report, tungsten_model::machine::Severity::Warning);
    // Restarting every manager under MAINTENANCE changes nothing the managers act on.
    let report = check(&fixture("docs_restart_managers.txt"));
    assert_eq!(report.verdict, Verdict::Valid, "{report}");
    assert!(warnings(&report).is_empty(), "{report}");
    // Shun and recover under AUTOMATIC: back ONLINE.
    let report = check(&fixture("docs_shun_and_recover.txt"));
    assert_eq!(report.verdict, Verdict::Valid, "{report}");
    // The replicator restart's command lines alone, under AUTOMATIC: the stop leaves the
    // replica DIMINISHED until the start, which the report warns about, as the docs' prose
    // does (MAINTENANCE or shun first).
    let report = check(&fixture("docs_restart_replicator.txt"));
    assert_eq!(report.verdict, Verdict::Valid, "{report}");
    assert_eq!(
        warnings(&report),
        [FindingKind::StoppedInService],
        "{report}"
    );
    // The whole-dataservice maintenance is refused where the primary maintenance is: the
    // switch to a replica recovered under MAINTENANCE, which is still OFFLINE.
    let report = check(&fixture("docs_dataservice_maintenance.txt"));
    assert_eq!(
        refusal(&report),
        Some((
            Rule::EligibleTarget,
            "[LOGICAL:EXPERT] /alpha > switch to host2".to_owned()
        )),
        "{report}"
    );
}

/// A replicator restarted in service outside MAINTENANCE warns, as a stop does
/// (*deployment-startupdown-replicator*: MAINTENANCE or a shun first), from cctrl, the host's
/// script or systemd, on a replica or the master, under AUTOMATIC or MANUAL; in MAINTENANCE or
/// shunned it does not (an independent review found each read VALID with no finding).
#[test]
fn a_replicator_restarted_in_service_warns() {
    let warnings = |steps: &str| {
        kinds(
            &check(&format!("#! scenario healthy-3\n{steps}")),
            tungsten_model::machine::Severity::Warning,
        )
    };
    for restart in [
        "cctrl> replicator db2 restart\n",
        "cctrl> replicator db1 restart\n",
        "shell db2> replicator restart\n",
        "shell db2> sudo systemctl restart treplicator\n",
        "cctrl> set policy manual\nshell db2> replicator restart\n",
    ] {
        assert_eq!(
            warnings(restart),
            [FindingKind::RestartedInService],
            "{restart}"
        );
    }
    for kept_out in [
        "cctrl> set policy maintenance\ncctrl> replicator db2 restart\ncctrl> set policy automatic\n",
        "cctrl> datasource db2 shun\ncctrl> replicator db2 restart\ncctrl> datasource db2 recover\n",
    ] {
        assert!(warnings(kept_out).is_empty(), "{kept_out}");
    }
}

/// Continuent's current replica-recovery page (*operations-recovery-replica*): a replica
/// FAILED because its dataserver stopped comes back with `datasource db1 recover` alone, which
/// starts the dataserver first, as the page's output shows, and repoints it at the master.
#[test]
fn the_docs_replica_recovery_starts_the_dataserver() {
    let report = check(&fixture("docs_recover_replica.txt"));
    assert_eq!(report.verdict, Verdict::Valid, "{report}");
    let last = report.steps.last().unwrap();
    let effects: Vec<String> = last.runs.iter().flat_map(|r| r.effects.clone()).collect();
    insta::assert_snapshot!(effects.join("\n"), @"
    dataserver on db1 started
    DataSource 'db1' is now OFFLINE
    replicator on db1 is now ONLINE
    DataSource 'db1' is now ONLINE
    ");
}

/// Continuent's recovery of a failed-over primary (7.0 *operations-recovery-primary*) from the
/// listing the docs print, db3's dataserver STOPPED: `datasource db3 recover` starts it (the
/// current replica-recovery page shows `recover` print "STARTING SERVICE 'db1/mysql'") and
/// brings db3 back as a replica of db2. Starting `MySQL` by hand first gives the same cluster.
#[test]
fn the_docs_primary_recovery_starts_the_dataserver_and_recovers() {
    let effects = |r: &Report| -> Vec<String> {
        let last = r.steps.last().unwrap();
        last.runs.iter().flat_map(|r| r.effects.clone()).collect()
    };
    let printed = fixture("docs_recover_primary.txt");
    let report = check(&printed);
    assert_eq!(report.verdict, Verdict::Valid, "{report}");
    insta::assert_snapshot!(effects(&report).join("\n"), @"
    dataserver on db3 started
    SETTING THE ROLE OF DATASOURCE 'db3@alpha' FROM 'master' TO 'slave'
    DataSource 'db3' is now OFFLINE
    replicator on db3 is now slave of db2
    replicator on db3 is now ONLINE
    DataSource 'db3' is now ONLINE
    ");
    let by_hand = printed.replace(
        "[LOGICAL:EXPERT] /alpha > datasource db3 recover\n",
        "shell db3> sudo systemctl start mysqld\n[LOGICAL:EXPERT] /alpha > datasource db3 recover\n",
    );
    let by_hand = check(&by_hand);
    assert_eq!(by_hand.verdict, Verdict::Valid, "{by_hand}");
    let started_first: Vec<String> = effects(&report)
        .into_iter()
        .filter(|e| !e.contains("dataserver"))
        .collect();
    assert_eq!(effects(&by_hand), started_first);
}

/// Continuent's 7.0 site reset (*operations-msmm-resetsingle*) provisions east's primary while
/// the replicas' cluster replicators still run, then reprovisions the replicas from it: each
/// step goes through (provisioning the primary was refused, `serves-slaves`, until a slave
/// reading a reprovisioned master was modelled as stopping in error where it holds events the
/// copy lacks). As printed it is refused at `trepctl reset -all -y`, which names no service
/// (trepctl refuses a reset without `-service`); with `-service east`, and the policy set back
/// to AUTOMATIC to bring the reprovisioned replicas ONLINE, it validates.
#[test]
fn the_docs_site_reset_provisions_the_primary_under_running_replicas() {
    let printed = fixture("docs_msmm_reset_single.txt");
    let report = check(&printed);
    assert_eq!(
        refusal(&report).map(|(_, step)| step),
        Some("shell east> trepctl reset -all -y".to_owned()),
        "{report}"
    );
    let provisioned = report
        .steps
        .iter()
        .find(|s| s.text.contains("tprovision --source west{slave}"))
        .unwrap();
    assert!(
        provisioned
            .runs
            .iter()
            .all(|r| matches!(r.status, tungsten_model::runbook::RunStatus::Accepted)),
        "{report}"
    );
    let fixed = printed.replace(
        "shell east> trepctl reset -all -y",
        "shell east> trepctl -service east reset -all -y",
    ) + "    cctrl [east]> set policy automatic\n";
    let report = check(&fixed);
    assert_eq!(report.verdict, Verdict::Valid, "{report}");
    assert!(report.goals.iter().all(|g| g.met), "{report}");
}

/// Fencing a primary's replicator under MANUAL (7.1 *operations-fencing-primary*, fencing on
/// through the topology's `fence_master_replicator`): db1 is FAILED and MANUAL does not fail
/// over. Mending its replicator with `trepctl online` first is refused, and the refusal names
/// the way that works, `recover master using db1`, which validates; it named `datasource
/// <ds> master`, which answers "nothing to do" for a datasource that is a master already, and
/// that answer now says how such a master gets back into service (an operator's review).
#[test]
fn the_docs_fenced_primary_under_manual_is_recovered_as_the_master() {
    let fenced = |text: &str| {
        let (rb, start) = support::runbook::fenced(text);
        runbook::validate(&start, &rb, runbook::Options::default())
    };
    let reason = |report: &Report, line: &str| {
        let step = report.steps.iter().find(|s| s.text == line).unwrap();
        match &step.runs[0].status {
            RunStatus::Rejected { reason, .. } | RunStatus::Unchanged { reason } => reason.clone(),
            other => panic!("{line}: {other:?}"),
        }
    };
    let printed = fixture("docs_fence_primary_manual.txt");
    let report = fenced(&printed);
    assert_eq!(
        refusal(&report),
        Some((
            Rule::DatasourceState,
            "shell db1> trepctl online".to_owned()
        )),
        "{report}"
    );
    insta::assert_snapshot!(reason(&report, "shell db1> trepctl online"), @"db1 is FAILED(REPLICATOR 'db1@alpha' FAILED): expected a master in service (ONLINE, OFFLINE or shunned by an operator) in its managers' view: a master replicator extracts only for the master in service (`recover master using db1` first where no master is ONLINE; where another is, `datasource db1 recover` makes this one its slave)");
    let mended = printed.replace(
        "shell db1> trepctl online\n[LOGICAL:EXPERT] /alpha > datasource db1 recover\n",
        "[LOGICAL:EXPERT] /alpha > recover master using db1\n",
    );
    assert_eq!(
        fenced(&mended).verdict,
        Verdict::Valid,
        "{}",
        fenced(&mended)
    );
    let by_hand = printed.replace(
        "shell db1> trepctl online\n",
        "[LOGICAL:EXPERT] /alpha > datasource db1 master\n",
    );
    insta::assert_snapshot!(
        reason(&fenced(&by_hand), "[LOGICAL:EXPERT] /alpha > datasource db1 master"),
        @"nothing to do: db1 is a master already: `recover master using db1` puts it back in service"
    );
}

/// The docs' thl-server role for a Primary taken offline: its replicas keep reading from it,
/// and back in master role it extracts again; the plan validates. Before (an operator's
/// review), `setrole -role thl-server` was refused as cutting host2 off from its master.
/// Without the Primary taken offline, the role change is refused, naming that step; without
/// MAINTENANCE, which the docs ask for first, it is refused for the policy (an independent
/// review found it taken under AUTOMATIC).
#[test]
fn the_docs_thl_server_role_keeps_the_replicas_reading() {
    let printed = fixture("docs_thl_server_role.txt");
    let report = check(&printed);
    assert_eq!(report.verdict, Verdict::Valid, "{report}");
    let served = report
        .steps
        .iter()
        .find(|s| s.text == "shell host1> trepctl setrole -role thl-server")
        .unwrap();
    assert!(!served.rejected(), "{report}");
    let online = printed.replace("[LOGICAL:EXPERT] /alpha > datasource host1 offline\n", "");
    assert_eq!(
        refusal(&check(&online)),
        Some((
            Rule::DatasourceState,
            "shell host1> trepctl setrole -role thl-server".to_owned()
        ))
    );
    let automatic =
        check(&printed.replace("[LOGICAL:EXPERT] /alpha > set policy maintenance\n", ""));
    // trepctl has no cctrl session: the remedy is MAINTENANCE, not `set force true`.
    assert!(
        automatic.to_string().contains(
            "alpha is in AUTOMATIC: expected MAINTENANCE (`set policy maintenance`) first"
        ),
        "{automatic}"
    );
    assert_eq!(
        refusal(&automatic),
        Some((
            Rule::Maintenance,
            "shell host1> trepctl setrole -role thl-server".to_owned()
        ))
    );
}

/// *operations-recovery-primary*, "Recover when there are no Primaries": the manual route,
/// `set master` on a replica, is refused while the replica is ONLINE, and with the master
/// FAILED the refusal names `recover master using`, the command that does the whole of it;
/// that command then promotes the replica (a review against the docs found the operator led
/// through one refusal at a time, none naming it).
#[test]
fn the_docs_set_master_with_a_failed_primary_names_recover_master_using() {
    let steps =
        "#! scenario healthy-3\n[LOGICAL] /alpha > set policy manual\nshell db1> sudo poweroff\n";
    let report = check(&format!("{steps}[LOGICAL] /alpha > set master db2\n"));
    assert_eq!(
        refusal(&report).map(|r| r.0),
        Some(Rule::DatasourceState),
        "{report}"
    );
    assert!(
        report
            .to_string()
            .contains("`recover master using db2` promotes it"),
        "{report}"
    );
    // With the master healthy, the refusal says no more than to take the replica offline.
    let report = check("#! scenario healthy-3\n[LOGICAL] /alpha > set master db2\n");
    assert!(
        report.to_string().contains("(take it offline first)"),
        "{report}"
    );
    let report = check(&format!(
        "{steps}[LOGICAL] /alpha > recover master using db2\n#! goal master db2\n"
    ));
    assert!(report.first_rejected().is_none(), "{report}");
    assert!(report.goals.iter().all(|g| g.met), "{report}");
}

/// Maintenance on the master starts with a `switch` (6.1 *operations-maintenance-primary*).
/// Rebooting the master, or restarting its dataserver, in place under MAINTENANCE leaves the
/// service writable after the step but not while it runs: a warning at that step (an operator
/// review found it VALID with no finding, where stopping the same dataserver warned). A
/// replica's restart, the master's after a switch, and the master's under AUTOMATIC (the
/// managers fail over meanwhile) pause nothing.
#[test]
fn restarting_the_master_in_place_warns_that_writes_pause() {
    let availability = |report: &Report| -> Vec<String> {
        report
            .steps
            .iter()
            .flat_map(|s| &s.findings)
            .filter(|f| f.kind == FindingKind::Availability)
            .map(|f| f.text.clone())
            .collect()
    };
    let paused = |steps: &str| {
        availability(&check(&format!(
            "#! scenario healthy-3\ncctrl> set policy maintenance\n{steps}"
        )))
    };
    for restart in ["sudo reboot", "sudo systemctl restart mysqld"] {
        assert_eq!(
            paused(&format!("shell db1> {restart}\n")),
            [
                "alpha has no writable master while db1 restarts: applications cannot write until it is back; `switch` the master role to a replica first"
            ],
            "{restart}"
        );
        assert!(
            paused(&format!("shell db2> {restart}\n")).is_empty(),
            "{restart}"
        );
        assert!(
            paused(&format!("cctrl> switch to db2\nshell db1> {restart}\n")).is_empty(),
            "{restart}"
        );
    }
    // Stopped and left down, or under MANUAL left FAILED after its restart, the outage is
    // the step's end state: reported once, as that.
    for steps in [
        "shell db1> sudo systemctl stop mysqld\n",
        "cctrl> set policy manual\nshell db1> sudo systemctl restart mysqld\n",
    ] {
        assert_eq!(
            paused(steps),
            ["alpha has no writable master: applications cannot write"],
            "{steps}"
        );
    }
    // A reboot that pauses writes through another host (the only connector) names no
    // switch, nor does one of a service with a single datasource (a review found both given
    // the switch advice).
    let other_ways = |topology: &str, host: &str| {
        let rb: tungsten_model::runbook::Runbook = format!(
            "#! topology file t.json\ncctrl> set policy maintenance\nshell {host}> sudo reboot\n"
        )
        .parse()
        .unwrap();
        let start = runbook::start(&rb, &[], &mut |_| Ok(topology.to_owned())).unwrap();
        availability(&runbook::validate(&start, &rb, runbook::Options::default()))
    };
    assert_eq!(
        other_ways(
            r#"{"services": [{"name": "alpha", "datasources": ["db1", "db2"], "connectors": ["app1"]}]}"#,
            "app1"
        ),
        [
            "alpha has no writable master while app1 restarts: applications cannot write until it is back"
        ]
    );
    assert_eq!(
        other_ways(
            r#"{"services": [{"name": "alpha", "datasources": ["db1"]}]}"#,
            "db1"
        ),
        [
            "alpha has no writable master while db1 restarts: applications cannot write until it is back (its service has no replica to take the writes meanwhile)"
        ]
    );
    let automatic = check("#! scenario healthy-3\nshell db1> sudo reboot\n");
    assert!(availability(&automatic).is_empty(), "{automatic}");
}

/// A failover needs the master FAILED (*cctrl-failover*): one an operator shunned or took
/// OFFLINE on a healthy host is refused under that rule, with the way back and, from OFFLINE
/// (which `datasource <ds> fail` takes), the way to replace it. An operator's review found
/// the shunned master refused as a service with no master to replicate from, whose only
/// remedy was to welcome back the master being replaced.
#[test]
fn a_failover_from_a_master_taken_out_by_hand_says_it_is_not_failed() {
    let refused = |by_hand: &str| {
        let report = check(&format!(
            "#! scenario healthy-3\ncctrl> set policy maintenance\ncctrl> datasource db1 {by_hand}\ncctrl> failover to db2\n"
        ));
        let step = report.first_rejected().unwrap();
        let reason = step
            .runs
            .iter()
            .find_map(|r| match &r.status {
                RunStatus::Rejected { rule, reason, .. } => Some(format!("{rule}: {reason}")),
                _ => None,
            })
            .unwrap();
        (step.line, reason)
    };
    assert_eq!(
        refused("shun"),
        (4, "master-failed: alpha's master, db1, is SHUNNED(MANUALLY-SHUNNED) on a healthy host, not failed: a failover replaces a failed master; bring it back (`datasource db1 welcome`), then `switch` for a planned change".to_owned())
    );
    assert_eq!(
        refused("offline"),
        (4, "master-failed: alpha's master, db1, is OFFLINE on a healthy host, not failed: a failover replaces a failed master; bring it back (`datasource db1 online`), then `switch` for a planned change; or, to replace it, `datasource db1 fail` first".to_owned())
    );
    let replaced = check(
        "#! scenario healthy-3\ncctrl> set policy maintenance\ncctrl> datasource db1 offline\ncctrl> datasource db1 fail\ncctrl> failover to db2\n",
    );
    assert!(replaced.first_rejected().is_none(), "{replaced}");
}
