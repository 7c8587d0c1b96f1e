//! The managers' reactions: fencing (Continuent docs *operations-fencing-primary*,
//! *operations-fencing-replicas*), replicators brought back online, and a partition and its
//! heal (*manager-failover-failsafe-shun*): the minority concludes it is in a non-primary
//! partition and shuns what it sees; once the network heals, the primary partition's view
//! wins, except that a datasource shunned in the minority stays shunned until recovered.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a test fails by panicking"
)]

mod support;

use support::Cluster;
use tungsten_model::command::CctrlCommand;
use tungsten_model::fault::{Fault, Process, Split};
use tungsten_model::machine::Rule;
use tungsten_model::machine::{self, Effect, Input};
use tungsten_model::model::{DsState, FailCause, HostId, HostSet, ReplicatorState, ShunCause};

#[test]
fn the_minority_names_the_majority_it_lacks() {
    let c = Cluster::new(&["db1", "db2", "db3", "db4", "db5"]);
    let [db1, db2, db3, db4, db5] = ["db1", "db2", "db3", "db4", "db5"].map(|h| c.id(h));
    let split = Split::new(&[&[db1, db2], &[db3, db4, db5]]);
    let outcome = machine::apply(&c.t, &c.s, &Input::Fault(Fault::Partition(split))).unwrap();
    let said: Vec<String> = outcome.effects.iter().map(|e| e.render(&c.t)).collect();
    assert!(
        said.iter().any(|line| line
            .contains("NON-PRIMARY PARTITION OF 2 MEMBERS OUT OF A REQUIRED MAJORITY SIZE OF 3")),
        "{said:#?}"
    );
}

/// Each side of a partition keeps a view of its own: the minority's `FAILSAFE_SHUN` of the
/// majority's datasources is labelled as the minority's, the majority's failover as the
/// majority's (an operator review read the unlabelled step as "db2 shunned, then made
/// master"). A command typed on one side is labelled too; with the managers in one group,
/// nothing is.
#[test]
fn a_split_labels_each_view_change_with_the_managers_whose_view_it_is() {
    let mut c = Cluster::new(&["db1", "db2", "db3"]);
    let [db1, db2, db3] = ["db1", "db2", "db3"].map(|h| c.id(h));
    let (minority, majority) = (HostSet::of([db1]), HostSet::of([db2, db3]));
    let labels = |effects: &[Effect]| -> Vec<(HostId, Option<HostSet>)> {
        effects
            .iter()
            .filter_map(|e| match *e {
                Effect::State { host, view, .. } | Effect::Role { host, view, .. } => {
                    Some((host, view))
                }
                _ => None,
            })
            .collect()
    };

    let typed = cctrl_outcome(&c, "db1", "datasource db3 shun");
    let failed = machine::apply(&c.t, &c.s, &Input::Fault(Fault::HostCrash(db3))).unwrap();
    for unsplit in [typed, failed] {
        let unlabelled = labels(&unsplit.effects);
        assert!(!unlabelled.is_empty());
        assert!(
            unlabelled.iter().all(|(_, view)| view.is_none()),
            "{unlabelled:?}"
        );
        let json = serde_json::to_string(&unsplit.effects).unwrap();
        assert!(!json.contains("view"), "{json}");
    }

    let split = Split::new(&[&[db1], &[db2, db3]]);
    let outcome = machine::apply(&c.t, &c.s, &Input::Fault(Fault::Partition(split))).unwrap();
    assert!(outcome.effects.iter().any(|e| matches!(
        e,
        Effect::State { host, to: DsState::Shunned(ShunCause::Failsafe), view: Some(v) }
            if *host == db2 && *v == minority
    )));
    assert!(outcome.effects.iter().any(|e| matches!(
        e,
        Effect::Role { host, view: Some(v), .. } if *host == db2 && *v == majority
    )));
    let labelled = labels(&outcome.effects);
    assert!(
        labelled.iter().all(|(_, view)| view.is_some()),
        "{labelled:?}"
    );
    for effect in &outcome.effects {
        let json = serde_json::to_string(effect).unwrap();
        assert_eq!(
            serde_json::from_str::<Effect>(&json).unwrap(),
            *effect,
            "{json}"
        );
    }
    // Saved before the label: read as no label.
    let saved = format!(r#"{{"state":{{"host":{},"to":"Online"}}}}"#, db2.index());
    assert!(matches!(
        serde_json::from_str::<Effect>(&saved).unwrap(),
        Effect::State { view: None, .. }
    ));
    let said: Vec<String> = outcome.effects.iter().map(|e| e.render(&c.t)).collect();
    for line in [
        "DataSource 'db2' is now SHUNNED(FAILSAFE_SHUN) (in the view of db1's manager)",
        "SETTING THE ROLE OF DATASOURCE 'db2@alpha' FROM 'slave' TO 'master' \
         (in the view of the managers on db2 and db3)",
    ] {
        assert!(said.iter().any(|s| s == line), "{line}\n{said:#?}");
    }

    c.partition(&[&["db1"], &["db2", "db3"]]).unwrap();
    let typed = cctrl_outcome(&c, "db2", "datasource db3 offline");
    let typed = labels(&typed.effects);
    assert!(!typed.is_empty());
    assert!(
        typed.iter().all(|&l| l == (db3, Some(majority))),
        "{typed:?}"
    );
}

/// What `line`, typed in `at`'s cctrl session, does.
fn cctrl_outcome(c: &Cluster, at: &str, line: &str) -> machine::Outcome {
    let command: CctrlCommand = line.parse().unwrap();
    let input = machine::resolve_cctrl(&c.t, &c.s, c.id(at), &command).unwrap();
    machine::apply(&c.t, &c.s, &input).unwrap()
}

#[test]
fn a_datasource_shunned_in_the_minority_stays_shunned_after_the_heal() {
    let mut c = Cluster::new(&["db1", "db2", "db3"]);
    let [db1, db3] = ["db1", "db3"].map(|h| c.id(h));
    c.partition(&[&["db1", "db2"], &["db3"]]).unwrap();
    assert!(matches!(
        c.s.view(db3).entry(db3).state,
        DsState::Shunned(_)
    ));
    c.fault(Fault::Heal).unwrap();
    for m in ["db1", "db2", "db3"] {
        let state = c.s.view(c.id(m)).entry(db3).state;
        assert!(
            matches!(state, DsState::Shunned(_)),
            "{m} holds db3 {state:?}"
        );
    }
    // The primary partition's view wins for the rest: db1 is still the ONLINE master.
    assert!(c.s.view(db3).entry(db1).is_online_master());
}

/// Managers that all start together (every manager restarted at once, then one input) and
/// recorded different states merge to the most restrictive state each recorded: a datasource
/// one of them holds SHUNNED is not brought back ONLINE by another's older view. The state is
/// built through serde, as a tool restoring a saved state would, because the engine starts
/// managers one input at a time.
#[test]
fn managers_starting_together_keep_the_most_restrictive_state_any_of_them_recorded() {
    let mut shunned = Cluster::new(&["db1", "db2", "db3"]);
    shunned.cctrl("db1", "datasource db3 shun").unwrap();
    let c = Cluster::new(&["db1", "db2", "db3"]);
    let [db1, db2, db3] = ["db1", "db2", "db3"].map(|h| c.id(h));
    let mut json = serde_json::to_value(c.s).unwrap();
    let theirs = serde_json::to_value(shunned.s).unwrap();
    json["views"][1] = theirs["views"][1].clone();
    for m in 0..3 {
        json["views"][m]["quorum"] = serde_json::Value::from("unknown");
    }
    let start: tungsten_model::model::State = serde_json::from_value(json).unwrap();
    assert!(matches!(
        start.view(db2).entry(db3).state,
        DsState::Shunned(_)
    ));
    assert_eq!(start.view(db1).entry(db3).state, DsState::Online);

    let outcome = machine::apply(&c.t, &start, &Input::Fault(Fault::Write(db1))).unwrap();
    for m in [db1, db2, db3] {
        let state = outcome.state.view(m).entry(db3).state;
        assert!(
            matches!(state, DsState::Shunned(_)),
            "{m:?} holds db3 {state:?}"
        );
    }
}

/// A cluster of three with the given fencing properties.
fn fenced(options: tungsten_model::model::ManagerOptions) -> Cluster {
    let mut c = Cluster::new(&["db1", "db2", "db3"]);
    c.t = c.t.clone().with_options(options);
    c
}

/// `policy.fence.masterReplicator` (Continuent docs *operations-fencing-primary*): a master
/// whose replicator fails is marked FAILED and, under AUTOMATIC, failed over; without the
/// property the master stays ONLINE.
#[test]
fn a_failed_master_replicator_fails_the_master_over_only_when_fenced() {
    use tungsten_model::model::{ManagerOptions, ShunCause};
    let on = ManagerOptions {
        fence_master_replicator: true,
        ..ManagerOptions::default()
    };
    let mut c = fenced(on);
    let [db1, db2] = ["db1", "db2"].map(|h| c.id(h));
    c.fault(Fault::ReplicatorError(db1)).unwrap();
    let view = c.s.view(db2);
    assert!(view.entry(db2).is_online_master(), "{view:?}");
    assert_eq!(
        view.entry(db1).state,
        DsState::Shunned(ShunCause::FailedOverTo(db2))
    );

    let mut c = fenced(ManagerOptions::default());
    c.fault(Fault::ReplicatorError(db1)).unwrap();
    assert!(c.s.view(db2).entry(db1).is_online_master());
}

/// A master the replicator fence failed stays FAILED once its replicator runs again, even
/// with no slave to fail over to: an operator recovers it (Continuent docs
/// *operations-fencing-primary*). So does a master failed for its dataserver, once the
/// dataserver runs again.
#[test]
fn a_master_failed_by_the_replicator_fence_waits_for_an_operator() {
    use tungsten_model::model::{FailCause, ManagerOptions};
    let on = ManagerOptions {
        fence_master_replicator: true,
        ..ManagerOptions::default()
    };
    let mut c = fenced(on);
    let [db1, db2, db3] = ["db1", "db2", "db3"].map(|h| c.id(h));
    // No candidate: both slaves' dataservers are stopped.
    for h in [db2, db3] {
        c.fault(Fault::Stop(h, Process::DataServer)).unwrap();
    }
    c.fault(Fault::ReplicatorError(db1)).unwrap();
    assert_eq!(
        c.s.view(db2).entry(db1).state,
        DsState::Failed(FailCause::Replicator)
    );
    // Restarting the replicator clears its error (it comes up OFFLINE:NORMAL: a master its
    // managers hold FAILED does not extract until recovered); the fence no longer holds, and
    // the datasource still waits.
    c.shell("db1", "replicator restart").unwrap();
    assert_eq!(
        c.s.host(db1).replicator.state,
        ReplicatorState::OfflineNormal
    );
    assert_eq!(
        c.s.view(db2).entry(db1).state,
        DsState::Failed(FailCause::Replicator)
    );
    c.cctrl("db2", "recover master using db1").unwrap();
    assert!(c.s.view(db2).entry(db1).is_online_master());

    // The same master failed for its dataserver stays FAILED once the dataserver runs.
    let mut c = fenced(on);
    for h in [db2, db3] {
        c.fault(Fault::Stop(h, Process::DataServer)).unwrap();
    }
    c.fault(Fault::Stop(db1, Process::DataServer)).unwrap();
    assert_eq!(
        c.s.view(db2).entry(db1).state,
        DsState::Failed(FailCause::DataServerStopped)
    );
    c.fault(Fault::Start(db1, Process::DataServer)).unwrap();
    assert_eq!(
        c.s.view(db2).entry(db1).state,
        DsState::Failed(FailCause::DataServerStopped)
    );
    c.cctrl("db2", "recover master using db1").unwrap();
    assert!(c.s.view(db2).entry(db1).is_online_master());
}

/// `policy.fence.slaveReplicator` (Continuent docs *operations-fencing-replicas*): a slave
/// whose replicator fails is put OFFLINE; without the property it stays ONLINE.
#[test]
fn a_failed_slave_replicator_takes_the_slave_offline_only_when_fenced() {
    use tungsten_model::model::ManagerOptions;
    let on = ManagerOptions {
        fence_slave_replicator: true,
        ..ManagerOptions::default()
    };
    let c = fenced(on);
    let [db1, db2, db3] = ["db1", "db2", "db3"].map(|h| c.id(h));
    let error = Input::Fault(Fault::ReplicatorError(db2));
    let outcome = machine::apply_with(&c.t, &c.s, &error, &c.rules).unwrap();
    assert_eq!(outcome.state.view(db1).entry(db2).state, DsState::Offline);
    // db3's replicator is fine: the managers do not touch db3, not even for a moment.
    assert!(
        !changes_state_of(&outcome.effects, db3),
        "{:?}",
        outcome.effects
    );

    let c = fenced(ManagerOptions::default());
    let outcome = machine::apply_with(&c.t, &c.s, &error, &c.rules).unwrap();
    assert_eq!(outcome.state.view(db1).entry(db2).state, DsState::Online);
    assert!(
        !changes_state_of(&outcome.effects, db2),
        "{:?}",
        outcome.effects
    );
}

/// A fenced slave goes back ONLINE once its replicator is ONLINE again, under MANUAL as
/// under AUTOMATIC: the managers clear the fence whatever the policy (Continuent docs
/// *operations-fencing-replicas*). An OFFLINE an operator chose stays OFFLINE under MANUAL
/// (*operations-status-states*). Before the fence was marked, the fenced replica stayed
/// OFFLINE under MANUAL, read as an operator's (an operator review found it).
#[test]
fn a_fence_is_lifted_under_manual_once_the_replicator_is_online_again() {
    use tungsten_model::model::ManagerOptions;
    let on = ManagerOptions {
        fence_slave_replicator: true,
        ..ManagerOptions::default()
    };
    for policy in ["manual", "automatic"] {
        let mut c = fenced(on);
        let [db1, db2] = ["db1", "db2"].map(|h| c.id(h));
        if policy == "manual" {
            c.cctrl("db1", "set policy manual").unwrap();
        }
        c.fault(Fault::ReplicatorError(db2)).unwrap();
        let entry = c.s.view(db1).entry(db2);
        assert_eq!(entry.state, DsState::Offline, "{policy}");
        assert!(c.s.view(db1).fenced.contains(db2), "{policy}");
        let command = "online".parse().unwrap();
        let online = machine::resolve_trepctl(&c.t, db2, None, &command).unwrap();
        let outcome = machine::apply_with(&c.t, &c.s, &online, &c.rules).unwrap();
        c.s = outcome.state;
        let entry = c.s.view(db1).entry(db2);
        assert_eq!(
            entry.state,
            DsState::Online,
            "{policy}: {:?}",
            outcome.effects
        );
        assert!(!c.s.view(db1).fenced.contains(db2), "{policy}");
        assert!(
            outcome.effects.contains(&Effect::FenceLifted { host: db2 }),
            "{policy}: {:?}",
            outcome.effects
        );
    }

    // A fenced slave made master by hand is the operator's: no longer fenced, so MANUAL
    // leaves it OFFLINE (an independent review found the fence lifted onto a new master).
    let mut c = fenced(on);
    let [db1, db2] = ["db1", "db2"].map(|h| c.id(h));
    c.cctrl("db1", "set policy manual").unwrap();
    c.fault(Fault::ReplicatorError(db2)).unwrap();
    assert!(c.s.view(db1).fenced.contains(db2));
    c.cctrl("db1", "set policy maintenance").unwrap();
    c.cctrl("db1", "datasource db1 shun").unwrap();
    c.cctrl("db1", "datasource db2 master").unwrap();
    assert!(!c.s.view(db1).fenced.contains(db2));

    // The operator's OFFLINE stays OFFLINE under MANUAL, the replicator ONLINE throughout.
    let mut c = fenced(on);
    let [db1, db2] = ["db1", "db2"].map(|h| c.id(h));
    c.cctrl("db1", "set policy manual").unwrap();
    c.cctrl("db1", "datasource db2 offline").unwrap();
    c.fault(Fault::Write(db1)).unwrap();
    let entry = c.s.view(db1).entry(db2);
    assert_eq!(entry.state, DsState::Offline);
    assert!(!c.s.view(db1).fenced.contains(db2));
}

/// Whether the effects include a change of `host`'s datasource state.
fn changes_state_of(effects: &[Effect], host: HostId) -> bool {
    effects
        .iter()
        .any(|e| matches!(e, Effect::State { host: h, .. } if *h == host))
}

/// A slave's replicator an operator left offline, pointed at another slave, is pointed at
/// the ONLINE master when the managers bring it back online (leaving MAINTENANCE).
#[test]
fn a_replicator_brought_back_online_is_pointed_at_the_master() {
    let mut c = Cluster::new(&["db1", "db2", "db3"]);
    let [db1, db2, db3] = ["db1", "db2", "db3"].map(|h| c.id(h));
    c.cctrl("db1", "set policy maintenance").unwrap();
    c.cctrl("db1", "switch to db2").unwrap();
    c.trepctl("db3", "offline").unwrap();
    c.trepctl("db3", "setrole -role slave -uri thl://db1:2112/")
        .unwrap();
    assert_eq!(c.s.host(db3).replicator.master, Some(db1));
    c.cctrl("db1", "set policy automatic").unwrap();
    let r = c.s.host(db3).replicator;
    assert!(r.is_online());
    assert_eq!(r.master, Some(db2));
}

/// AUTOMATIC does not bring an OFFLINE master back ONLINE while the view holds another master
/// in service, even an OFFLINE one: which of them should write is for the operator. The
/// state is built through serde (two master entries come from a restored or imported view).
#[test]
fn an_offline_master_with_a_rival_master_stays_offline() {
    let c = Cluster::new(&["db1", "db2", "db3"]);
    let [db1, db2, db3] = ["db1", "db2", "db3"].map(|h| c.id(h));
    let mut json = serde_json::to_value(c.s).unwrap();
    for m in 0..3 {
        for d in 0..2 {
            json["views"][m]["datasources"][d] =
                serde_json::json!({"role": "master", "state": "Offline"});
        }
    }
    let start: tungsten_model::model::State = serde_json::from_value(json).unwrap();
    let outcome = machine::apply(
        &c.t,
        &start,
        &Input::Fault(Fault::Stop(db3, Process::Connector)),
    )
    .unwrap();
    for d in [db1, db2] {
        assert_eq!(outcome.state.view(db1).entry(d).state, DsState::Offline);
    }
}

/// A master-role replicator extracts only for the service's master: once an operator makes the
/// master db1 a slave (MANUAL, db1 OFFLINE), the managers take its extractor offline and leave
/// it so, for the operator to reconfigure. Before, the rule that restores replicators brought
/// it back online in the same round as the stray rule took it offline. Found when the
/// reactions stopped comparing whole states after each round (such a round then repeated to
/// the cap); test builds now assert that no round writes and undoes.
#[test]
fn a_master_replicator_on_a_datasource_made_a_slave_stays_offline() {
    let mut c = Cluster::new(&["db1", "db2", "db3"]);
    c.rules = machine::Rules::default();
    c.cctrl("db1", "set policy manual").unwrap();
    c.cctrl("db1", "datasource db1 offline").unwrap();
    let command = "datasource db1 slave".parse().unwrap();
    let input = machine::resolve_cctrl(&c.t, &c.s, c.id("db1"), &command).unwrap();
    let outcome = machine::apply(&c.t, &c.s, &input).unwrap();
    let said: Vec<String> = outcome.effects.iter().map(|e| e.render(&c.t)).collect();
    assert_eq!(
        said,
        [
            "SETTING THE ROLE OF DATASOURCE 'db1@alpha' FROM 'master' TO 'slave'",
            "replicator on db1 is now OFFLINE:NORMAL",
        ]
    );
    let db1 = outcome.state.host(c.id("db1")).replicator;
    assert_eq!(db1.state, ReplicatorState::OfflineNormal);
    // Later reactions leave it offline too, under AUTOMATIC as well.
    c.s = outcome.state;
    c.cctrl("db1", "set policy automatic").unwrap();
    assert_eq!(
        c.s.host(c.id("db1")).replicator.state,
        ReplicatorState::OfflineNormal
    );
}

/// A manager that comes back joins its group with the group's view: what its own view held
/// while it was stopped does not count. Here db3's manager stopped while db3 was shunned, the
/// operator welcomed db3 in the meantime (FAILED, since its manager is gone), and when the
/// manager starts again the group recovers db3 instead of shunning it again from db3's stale
/// view. Only a member outside any primary partition keeps a shun of its own (see
/// `a_datasource_shunned_in_the_minority_stays_shunned_after_the_heal`).
#[test]
fn a_restarted_managers_stale_shun_does_not_come_back() {
    let mut c = Cluster::new(&["db1", "db2", "db3"]);
    let [db1, db3] = ["db1", "db3"].map(|h| c.id(h));
    c.cctrl("db1", "datasource db3 shun").unwrap();
    c.fault(Fault::Stop(db3, Process::Manager)).unwrap();
    assert_eq!(
        c.s.view(db3).entry(db3).state,
        DsState::Shunned(ShunCause::Manual)
    );
    c.cctrl("db1", "datasource db3 welcome").unwrap();
    assert_eq!(
        c.s.view(db1).entry(db3).state,
        DsState::Failed(FailCause::Unreachable)
    );
    c.fault(Fault::Start(db3, Process::Manager)).unwrap();
    for m in [db1, db3] {
        assert_eq!(c.s.view(m).entry(db3).state, DsState::Online, "{m:?}");
    }
}

/// A master whose dataserver stops while no slave can replace it (both shunned) is FAILED
/// (Continuent docs *manager-failover-tuning*: a stopped database server is what starts a
/// failover), and stays FAILED once its dataserver runs again: automatic recovery brings back
/// failed replicas, not a failed master (*operations-policymodes*), and a FAILED master with
/// no other to replace it is an operator's to bring back with `recover master using`
/// (*operations-recovery-master*, "Recover when there are no masters"). The managers report
/// that no candidate was found; its replicator extracts meanwhile, so nothing is lost.
#[test]
fn a_failed_master_that_nobody_replaced_waits_for_an_operator() {
    use tungsten_model::machine::Finding;
    let mut c = Cluster::new(&["db1", "db2", "db3"]);
    let db1 = c.id("db1");
    c.cctrl("db1", "datasource db2 shun").unwrap();
    c.cctrl("db1", "datasource db3 shun").unwrap();
    c.fault(Fault::Stop(db1, Process::DataServer)).unwrap();
    let failed = DsState::Failed(FailCause::DataServerStopped);
    assert_eq!(c.s.view(db1).entry(db1).state, failed);
    let restart = Input::Fault(Fault::Start(db1, Process::DataServer));
    let outcome = machine::apply(&c.t, &c.s, &restart).unwrap();
    assert!(
        outcome
            .findings
            .iter()
            .any(|f| matches!(f, Finding::NoCandidate { .. })),
        "{:?}",
        outcome.findings
    );
    c.s = outcome.state;
    assert_eq!(c.s.view(db1).entry(db1).state, failed);
    assert!(c.s.host(db1).replicator.is_online());
    assert_eq!(c.cctrl("db1", "cluster heartbeat"), Err(Rule::MasterOnline));
    c.cctrl("db1", "recover master using db1").unwrap();
    assert!(c.s.view(db1).entry(db1).is_online_master());
    assert!(c.s.host(db1).replicator.is_online());
}

/// AUTOMATIC recovers a FAILED slave only if the master's history holds everything the slave
/// has (the lineage rule, [`tungsten_model::machine::Rules`]): db1 took a write no slave
/// received, failed over to db2, and was then made a slave in MAINTENANCE and failed by the
/// operator; back under AUTOMATIC it stays FAILED and its replicator is left alone, since
/// applying db2's events on top of its own would mix two histories.
#[test]
fn a_failed_slave_holding_events_the_master_lacks_is_not_recovered() {
    let mut c = Cluster::new(&["db1", "db2", "db3"]);
    let [db1, db2] = ["db1", "db2"].map(|h| c.id(h));
    c.fault(Fault::Write(db1)).unwrap();
    c.fault(Fault::HostCrash(db1)).unwrap();
    c.fault(Fault::HostRestart(db1)).unwrap();
    assert!(c.s.view(db2).entry(db2).is_online_master());
    for command in [
        "set policy maintenance",
        "datasource db1 slave",
        "datasource db1 welcome",
        "datasource db1 fail",
    ] {
        c.cctrl("db2", command).unwrap();
    }
    let replicator = c.s.host(db1).replicator;
    c.cctrl("db2", "set policy automatic").unwrap();
    assert_eq!(
        c.s.view(db2).entry(db1).state,
        DsState::Failed(FailCause::Operator)
    );
    // The managers leave its replicator as it was: not repointed at db2, not tried online.
    assert_eq!(c.s.host(db1).replicator, replicator);
    assert!(!replicator.is_online());
}

/// Under AUTOMATIC an OFFLINE master comes back ONLINE when no other datasource claims the
/// master role (Continuent docs *operations-policymodes*: AUTOMATIC brings datasources back);
/// with a rival it stays OFFLINE (`an_offline_master_with_a_rival_master_stays_offline`).
#[test]
fn an_offline_master_with_no_rival_comes_back_online() {
    let mut c = Cluster::new(&["db1", "db2", "db3"]);
    let db1 = c.id("db1");
    c.cctrl("db1", "datasource db1 offline").unwrap();
    assert!(c.s.view(db1).entry(db1).is_online_master());
}

/// Fencing (`policy.fence.slaveReplicator`, Continuent docs *operations-fencing-replicas*)
/// holds a slave OFFLINE only while its replicator has failed: a slave the operator put
/// OFFLINE with a healthy replicator comes back ONLINE under AUTOMATIC.
#[test]
fn slave_fencing_keeps_offline_only_a_slave_whose_replicator_failed() {
    use tungsten_model::model::ManagerOptions;
    let mut c = fenced(ManagerOptions {
        fence_slave_replicator: true,
        ..ManagerOptions::default()
    });
    let db2 = c.id("db2");
    c.cctrl("db1", "datasource db2 offline").unwrap();
    assert_eq!(c.s.view(db2).entry(db2).state, DsState::Online);
}

/// The managers bring back online the replicators of datasources in service only: one an
/// operator took offline on a shunned datasource stays offline under AUTOMATIC (DOMAIN.md:
/// replicator commands are for MAINTENANCE or a shunned datasource).
#[test]
fn the_replicator_of_a_shunned_datasource_stays_offline() {
    let mut c = Cluster::new(&["db1", "db2", "db3"]);
    let db2 = c.id("db2");
    c.cctrl("db1", "datasource db2 shun").unwrap();
    c.trepctl("db2", "offline").unwrap();
    assert_eq!(
        c.s.host(db2).replicator.state,
        ReplicatorState::OfflineNormal
    );
    // Another input, and the managers react again: still offline.
    c.cctrl("db1", "datasource db3 offline").unwrap();
    assert_eq!(
        c.s.host(db2).replicator.state,
        ReplicatorState::OfflineNormal
    );
}

/// `cluster heartbeat` is the master's replicator's event, as `trepctl heartbeat` is: with
/// that replicator offline (in MAINTENANCE, so the managers leave it so), both are refused
/// and nothing is written (an operator's review found the cctrl form accepted).
#[test]
fn a_heartbeat_needs_the_masters_replicator_online() {
    let mut c = Cluster::new(&["db1", "db2", "db3"]);
    let db1 = c.id("db1");
    c.cctrl("db1", "set policy maintenance").unwrap();
    c.trepctl("db1", "offline").unwrap();
    let before = c.s;
    assert_eq!(
        c.cctrl("db1", "cluster heartbeat"),
        Err(Rule::ReplicatorState)
    );
    assert_eq!(c.trepctl("db1", "heartbeat"), Err(Rule::ReplicatorState));
    assert_eq!(c.s, before);
    c.trepctl("db1", "online").unwrap();
    c.cctrl("db1", "cluster heartbeat").unwrap();
    assert!(c.s.host(db1).data.pos.is_some());
}

/// The managers bring a replicator back online only on a datasource whose manager runs: with
/// db2's manager stopped, db2 counts as failed, and its replicator, taken offline by trepctl,
/// stays offline under AUTOMATIC whatever follows; once the manager runs again it is brought
/// back.
#[test]
fn a_replicator_whose_manager_is_stopped_stays_offline() {
    let mut c = Cluster::new(&["db1", "db2", "db3"]);
    let db2 = c.id("db2");
    c.fault(Fault::Stop(db2, Process::Manager)).unwrap();
    c.trepctl("db2", "offline").unwrap();
    c.cctrl("db1", "cluster heartbeat").unwrap();
    assert_eq!(
        c.s.host(db2).replicator.state,
        ReplicatorState::OfflineNormal
    );
    c.fault(Fault::Start(db2, Process::Manager)).unwrap();
    assert_eq!(c.s.host(db2).replicator.state, ReplicatorState::Online);
}

/// An archive datasource is no failover candidate (Continuent docs *operations-status-roles*):
/// when the master fails, AUTOMATIC promotes the slave after it although the archive comes
/// first in the topology, and neither `switch to` nor `failover to` may name the archive.
#[test]
fn an_archive_datasource_is_never_promoted() {
    use tungsten_model::ls::Listing;
    use tungsten_model::model::{DataSourceRole, ServiceName, State};
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/ls/docs40_healthy_76col.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .replace("|host2(slave:ONLINE, ", "|host2(archive:ONLINE,");
    let listing: Listing = text.parse().unwrap();
    let import = State::from_listings(&[(ServiceName::new("alpha").unwrap(), &listing)]).unwrap();
    let mut c = Cluster {
        t: import.topology,
        s: import.state,
        rules: machine::Rules::unguarded(),
    };
    let [host1, host2, host3] = ["host1", "host2", "host3"].map(|h| c.id(h));
    assert_eq!(c.s.view(host1).entry(host2).role, DataSourceRole::Archive);
    assert_eq!(
        c.cctrl("host1", "switch to host2"),
        Err(Rule::EligibleTarget)
    );
    let before = c.s;
    c.cctrl("host1", "set policy manual").unwrap();
    c.cctrl("host1", "datasource host1 fail").unwrap();
    assert_eq!(
        c.cctrl("host2", "failover to host2"),
        Err(Rule::EligibleTarget)
    );
    c.s = before;
    c.fault(Fault::HostCrash(host1)).unwrap();
    let view = c.s.view(host2);
    assert_eq!(view.entry(host3).role, DataSourceRole::Master);
    assert_eq!(view.entry(host2).role, DataSourceRole::Archive);
    assert_eq!(
        c.s.host(host2).replicator.master,
        Some(host3),
        "the archive replicates from the new master"
    );
}

/// A failover leaves one extractor: any other master replicator the managers reach goes
/// offline, not only the failed master's. Here the FAILED master the managers replace is db1
/// (crashed, welcomed back while down), but the extractor still running is db2's, the master
/// the operator took OFFLINE. Two rules keep this: the promotion's own (only the new master
/// may extract) and the stray-extractor retirement after it; the test fails only with both
/// removed (checked by hand), which is why cargo-mutants saw the first one's conditions
/// survive.
#[test]
fn a_failover_takes_every_other_extractor_it_reaches_offline() {
    use tungsten_model::model::{DataSourceRole, ReplicatorRole};
    let mut c = Cluster::new(&["db1", "db2", "db3"]);
    let [db1, db2, db3] = ["db1", "db2", "db3"].map(|h| c.id(h));
    c.fault(Fault::HostCrash(db1)).unwrap();
    c.welcome_beside("db2", "db1", "db2");
    assert!(matches!(c.s.view(db2).entry(db1).state, DsState::Failed(_)));
    assert!(c.s.host(db2).replicator.is_online());
    c.cctrl("db2", "datasource db2 offline").unwrap();
    let view = *c.s.view(db2);
    assert_eq!(view.entry(db3).role, DataSourceRole::Master);
    assert_eq!(view.entry(db3).state, DsState::Online);
    let extracting: Vec<HostId> = [db1, db2, db3]
        .into_iter()
        .filter(|&h| {
            let r = c.s.host(h).replicator;
            r.is_online() && r.role == ReplicatorRole::Master
        })
        .collect();
    assert_eq!(extracting, [db3]);
}

/// A failover after the master's dataserver stops waits until the slaves have what its
/// replicator can still extract from the binlog (Continuent release notes CT-583, 5.4.1; the
/// default `replicator.store.thl.stopOnDBError=false`): db1's last write reaches db2 and db3
/// before one is chosen, so no event is reported lost and db1 is not marked. Where the host
/// itself goes down, nothing more is extracted and the write is lost, as before.
#[test]
fn a_failover_after_the_dataserver_stops_waits_for_the_binlogs_last_events() {
    use tungsten_model::machine::Finding;
    for crash in [false, true] {
        let mut c = Cluster::new(&["db1", "db2", "db3"]);
        let [db1, db2, db3] = ["db1", "db2", "db3"].map(|h| c.id(h));
        c.fault(Fault::Write(db1)).unwrap();
        let written = c.s.host(db1).data.pos;
        let fault = if crash {
            Fault::HostCrash(db1)
        } else {
            Fault::Stop(db1, Process::DataServer)
        };
        let outcome = machine::apply(&c.t, &c.s, &Input::Fault(fault)).unwrap();
        let lost = outcome
            .findings
            .iter()
            .filter(|f| matches!(f, Finding::LostEvents { .. }))
            .count();
        c.s = outcome.state;
        assert!(c.s.view(db2).entry(db2).is_online_master(), "{fault:?}");
        assert_eq!(lost, usize::from(crash), "{fault:?}");
        for slave in [db2, db3] {
            assert_eq!(c.s.host(slave).data.pos == written, !crash, "{fault:?}");
        }
        assert_eq!(c.s.host(db1).data.orphaned.is_some(), crash, "{fault:?}");
    }
}

/// The wait delivers the failed master's last events only through replicators that are
/// online and read from it: db3's replicator, in error, receives nothing, while db2 catches
/// up and is promoted (cargo-mutants: the conditions joined with `||` went unnoticed).
#[test]
fn the_wait_for_the_binlogs_last_events_passes_a_slave_in_error_by() {
    let mut c = Cluster::new(&["db1", "db2", "db3"]);
    let [db1, db2, db3] = ["db1", "db2", "db3"].map(|h| c.id(h));
    c.fault(Fault::Write(db1)).unwrap();
    let written = c.s.host(db1).data.pos;
    c.fault(Fault::ReplicatorError(db3)).unwrap();
    let before = c.s.host(db3).data.pos;
    assert_ne!(before, written);
    c.fault(Fault::Stop(db1, Process::DataServer)).unwrap();
    assert!(c.s.view(db2).entry(db2).is_online_master());
    assert_eq!(c.s.host(db2).data.pos, written);
    assert_eq!(
        c.s.host(db3).replicator.state,
        ReplicatorState::OfflineError
    );
    assert_eq!(c.s.host(db3).data.pos, before);
}

/// Under MANUAL the managers fail the master but leave the failover to the operator, and
/// the operator's `failover` waits for the binlog's last events as the managers' own does
/// (release notes 5.4.1, CT-583; *cctrl-failover*): the managers keep the FAILED master's
/// replicator extracting until it is replaced, so db1's last write reaches db2 and db3
/// before one is chosen, and nothing is reported lost.
#[test]
fn an_operators_failover_under_manual_waits_for_the_binlogs_last_events() {
    let mut c = Cluster::new(&["db1", "db2", "db3"]);
    let [db1, db2, db3] = ["db1", "db2", "db3"].map(|h| c.id(h));
    c.cctrl("db2", "set policy manual").unwrap();
    c.fault(Fault::Write(db1)).unwrap();
    let written = c.s.host(db1).data.pos;
    c.fault(Fault::Stop(db1, Process::DataServer)).unwrap();
    assert!(matches!(c.s.view(db2).entry(db1).state, DsState::Failed(_)));
    assert!(c.s.host(db1).replicator.is_online());
    fail_over_losing_nothing(&mut c, db2, "failover");
    assert!(c.s.view(db2).entry(db2).is_online_master());
    for slave in [db2, db3] {
        assert_eq!(c.s.host(slave).data.pos, written);
    }
    assert!(!c.s.host(db1).replicator.is_online());
}

/// The failover waits for the FAILED master even beside an old master an operator welcomed
/// back (OFFLINE, master role), which the managers then hold as the service's master: db1,
/// failed over to db2, is welcomed back under MANUAL; db2 takes a write and its dataserver
/// stops. db2's replicator keeps extracting, db1's stays offline, and the operator's
/// `failover` delivers db2's write to db3 before promoting it (found in review: with the
/// welcomed master preferred, the managers retired db2's extractor and restarted db1's, and
/// the write was reported lost).
#[test]
fn the_failover_waits_for_the_failed_master_beside_a_welcomed_old_master() {
    let mut c = Cluster::new(&["db1", "db2", "db3"]);
    let [db1, db2, db3] = ["db1", "db2", "db3"].map(|h| c.id(h));
    c.fault(Fault::HostCrash(db1)).unwrap();
    c.fault(Fault::HostRestart(db1)).unwrap();
    assert!(c.s.view(db2).entry(db2).is_online_master());
    c.cctrl("db2", "set policy manual").unwrap();
    c.welcome_beside("db2", "db1", "db2");
    assert_eq!(c.s.view(db2).entry(db1).state, DsState::Offline);
    c.fault(Fault::Write(db2)).unwrap();
    let written = c.s.host(db2).data.pos;
    c.fault(Fault::Stop(db2, Process::DataServer)).unwrap();
    assert!(matches!(c.s.view(db3).entry(db2).state, DsState::Failed(_)));
    assert!(c.s.host(db2).replicator.is_online());
    assert!(!c.s.host(db1).replicator.is_online());
    fail_over_losing_nothing(&mut c, db3, "failover to db3");
    assert!(c.s.view(db3).entry(db3).is_online_master());
    assert_eq!(c.s.host(db3).data.pos, written);
}

/// Apply the cctrl `line` typed at `at`, which must be accepted and report no lost events.
fn fail_over_losing_nothing(c: &mut Cluster, at: HostId, line: &str) {
    use tungsten_model::machine::Finding;
    let command: tungsten_model::command::CctrlCommand = line.parse().unwrap();
    let input = machine::resolve_cctrl(&c.t, &c.s, at, &command).unwrap();
    let outcome = machine::apply(&c.t, &c.s, &input).unwrap();
    let lost: Vec<_> = outcome
        .findings
        .iter()
        .filter(|f| matches!(f, Finding::LostEvents { .. }))
        .collect();
    assert!(lost.is_empty(), "{line}: {lost:?}");
    c.s = outcome.state;
}

/// A master failed by hand under MANUAL keeps extracting until the failover: an event
/// written on its host meanwhile (`trepctl heartbeat`, which goes to the dataserver, not
/// through a connector) reaches the slaves before the failover promotes one, so nothing
/// is lost.
#[test]
fn a_heartbeat_on_a_master_failed_by_hand_is_delivered_by_the_failover() {
    let mut c = Cluster::new(&["db1", "db2", "db3"]);
    let [db1, db2, db3] = ["db1", "db2", "db3"].map(|h| c.id(h));
    c.cctrl("db2", "set policy manual").unwrap();
    c.cctrl("db2", "datasource db1 fail").unwrap();
    let before = c.s.host(db1).data.pos;
    c.trepctl("db1", "heartbeat").unwrap();
    let written = c.s.host(db1).data.pos;
    assert_ne!(written, before);
    assert_eq!(c.s.host(db2).data.pos, before);
    fail_over_losing_nothing(&mut c, db2, "failover");
    assert!(c.s.view(db2).entry(db2).is_online_master());
    for slave in [db2, db3] {
        assert_eq!(c.s.host(slave).data.pos, written);
    }
}

/// A passive site's relay that goes down is failed over to a replica of its site, as a master
/// is (Continuent docs *operations-status-roles*: the relay is a failover candidate's role in
/// a passive site); the new relay then follows the active site's failover, reading its new
/// master, and the old relay back is kept out (`SHUNNED(FAILED-OVER-TO-db5)`) until an
/// operator recovers it. Before, the relay stayed FAILED and the site's replicas read a dead
/// relay; earlier still, one back kept reading the shunned master.
#[test]
fn a_relay_down_is_failed_over_and_its_successor_follows_the_active_sites_failover() {
    let spec: tungsten_model::model::TopologySpec = serde_json::from_str(
        r#"{"services": [{"name": "east", "datasources": ["db1", "db2", "db3"]}, {"name": "west", "datasources": ["db4", "db5", "db6"]}], "composites": [{"name": "global", "members": ["east", "west"]}]}"#,
    )
    .unwrap();
    let mut c = Cluster::over(tungsten_model::model::Topology::try_from(spec).unwrap());
    let [db1, db2, db4, db5, db6] = ["db1", "db2", "db4", "db5", "db6"].map(|h| c.id(h));
    c.fault(Fault::HostCrash(db4)).unwrap();
    assert_eq!(
        c.s.view(db5).entry(db4).state,
        DsState::Shunned(ShunCause::FailedOverTo(db5))
    );
    assert_eq!(
        c.s.view(db5).entry(db5).role,
        tungsten_model::model::DataSourceRole::Relay
    );
    assert_eq!(c.s.host(db6).replicator.master, Some(db5));
    c.fault(Fault::HostCrash(db1)).unwrap();
    assert_eq!(
        c.s.host(db2).replicator.role,
        tungsten_model::model::ReplicatorRole::Master
    );
    let relay = c.s.host(db5).replicator;
    assert_eq!(relay.master, Some(db2));
    assert_eq!(relay.state, ReplicatorState::Online);
    c.fault(Fault::HostRestart(db4)).unwrap();
    assert_eq!(
        c.s.view(db5).entry(db4).state,
        DsState::Shunned(ShunCause::FailedOverTo(db5))
    );
}

const GLOBAL: &str = r#"{"services": [{"name": "east", "datasources": ["db1", "db2", "db3"]}, {"name": "west", "datasources": ["db4", "db5", "db6"]}], "composites": [{"name": "global", "members": ["east", "west"]}]}"#;

/// A composite failover while the active site is alive behind a partition: nothing across
/// the sites tells it from a lost site (Continuent docs *operations-composite-failover* run
/// it once the site is down), so west's relay becomes a master beside east's, which its own
/// managers keep in service: two writable masters in the composite, which the invariant
/// reports. With the site down, the same failover leaves one.
#[test]
fn a_composite_failover_across_a_partition_makes_two_writable_masters() {
    let mut c = Cluster::from_spec(GLOBAL);
    c.partition(&[&["db1", "db2", "db3"], &["db4", "db5", "db6"]])
        .unwrap();
    c.cctrl("db4", "use global").unwrap();
    let command: tungsten_model::command::CctrlCommand = "failover".parse().unwrap();
    let input = machine::resolve_cctrl(&c.t, &c.s, c.id("db4"), &command).unwrap();
    let outcome = machine::apply_with(&c.t, &c.s, &input, &c.rules).unwrap();
    let broken = tungsten_model::machine::invariant::check(&c.t, &outcome.state).unwrap();
    assert_eq!(
        broken.describe(&c.t),
        "single-writable-master broken in global: db1, db4 are writable masters"
    );
    assert!(
        outcome
            .findings
            .iter()
            .any(|f| matches!(f, machine::Finding::Forced { .. })),
        "{:?}",
        outcome.findings
    );
    // The site down instead: one master, west's.
    let mut c = Cluster::from_spec(GLOBAL);
    for h in ["db1", "db2", "db3"] {
        c.fault(Fault::HostCrash(c.id(h))).unwrap();
    }
    c.cctrl("db4", "use global").unwrap();
    c.cctrl("db4", "failover").unwrap();
}

/// After a composite failover, the lost site's managers coming back hold their master
/// `SHUNNED(SUPERSEDED)` rather than in service (Continuent docs
/// *operations-composite-recovery*), and, east being in MANUAL (under AUTOMATIC its managers
/// recover it themselves), `recover` at the composite brings the site back as a passive one:
/// its old master the relay of the new active master, its replicas reading the relay. A
/// `switch` then gives east the Active role back.
#[test]
fn a_superseded_site_comes_back_passive_by_recover() {
    let mut c = Cluster::from_spec(GLOBAL);
    let [db1, db2, db3, db4] = ["db1", "db2", "db3", "db4"].map(|h| c.id(h));
    c.cctrl("db1", "set policy manual").unwrap();
    for h in [db1, db2, db3] {
        c.fault(Fault::HostCrash(h)).unwrap();
    }
    c.cctrl("db4", "use global").unwrap();
    c.cctrl("db4", "datasource east fail").unwrap();
    c.cctrl("db4", "failover").unwrap();
    for h in [db1, db2, db3] {
        c.fault(Fault::HostRestart(h)).unwrap();
    }
    assert!(
        [db1, db2, db3]
            .iter()
            .all(|&h| !c.s.view(db2).entry(h).is_online_master()),
        "{:?}",
        c.s.view(db2)
    );
    c.cctrl("db4", "recover").unwrap();
    let view = c.s.view(db2);
    assert_eq!(
        view.entry(db1).role,
        tungsten_model::model::DataSourceRole::Relay
    );
    assert_eq!(view.entry(db1).state, DsState::Online);
    assert_eq!(c.s.host(db1).replicator.master, Some(db4));
    for h in [db2, db3] {
        assert_eq!(view.entry(h).state, DsState::Online, "{view:?}");
        assert_eq!(c.s.host(h).replicator.master, Some(db1));
    }
    assert_eq!(c.cctrl("db4", "recover"), Err(Rule::NoChange));
    c.cctrl("db4", "switch to east").unwrap();
    assert!(c.s.view(db2).entry(db1).is_online_master());
    // A lost master holding a write the relay never received: the failover reports it lost,
    // and `recover` refuses to make it the relay of a line it is not on (reprovision it
    // first, as the docs say of a site whose data drifted).
    let mut c = Cluster::from_spec(GLOBAL);
    c.fault(Fault::Write(db1)).unwrap();
    east_lost_then_back(&mut c);
    assert_eq!(c.cctrl("db4", "recover"), Err(Rule::OrphanedEvents));
}

/// Under AUTOMATIC, a site a composite failover superseded is recovered by its managers
/// once it is back with all its services running (Continuent docs
/// *operations-composite-recovery*, 7.0): as `recover` at the composite would, its old
/// master the relay of the active master and its replicas ONLINE reading the relay. Not
/// before every host is back with its replicator running; not while the active site is in
/// MAINTENANCE; never for an old master holding events the active master lacks.
#[test]
fn a_superseded_site_is_recovered_by_its_managers_under_automatic() {
    use tungsten_model::model::DataSourceRole::{Master, Relay};
    let superseded = DsState::Shunned(ShunCause::Superseded);
    let mut c = Cluster::from_spec(GLOBAL);
    let [db1, db2, db3, db4] = ["db1", "db2", "db3", "db4"].map(|h| c.id(h));
    east_lost(&mut c);
    c.fault(Fault::HostRestart(db1)).unwrap();
    c.fault(Fault::HostRestart(db2)).unwrap();
    c.fault(Fault::Stop(db2, Process::Replicator)).unwrap();
    c.fault(Fault::HostRestart(db3)).unwrap();
    // Every host is back, but db2's replicator is stopped: not yet.
    assert_eq!(c.s.view(db1).entry(db1).state, superseded);
    c.fault(Fault::Stop(db3, Process::Manager)).unwrap();
    c.fault(Fault::Start(db2, Process::Replicator)).unwrap();
    // Nor with db3's manager stopped.
    assert_eq!(c.s.view(db1).entry(db1).state, superseded);
    c.fault(Fault::Start(db3, Process::Manager)).unwrap();
    let view = c.s.view(db1);
    assert_eq!(
        view.entry(db1),
        tungsten_model::model::DsEntry::new(Relay, DsState::Online)
    );
    assert_eq!(c.s.host(db1).replicator.master, Some(db4));
    for h in [db2, db3] {
        assert_eq!(view.entry(h).state, DsState::Online, "{view:?}");
        assert_eq!(c.s.host(h).replicator.master, Some(db1));
    }
    assert_eq!(c.cctrl("db4", "recover"), Err(Rule::NoChange));
    // The active site in MAINTENANCE: east waits for the operator's `recover`.
    let mut c = Cluster::from_spec(GLOBAL);
    c.cctrl("db4", "set policy maintenance").unwrap();
    east_lost_then_back(&mut c);
    assert_eq!(c.s.view(db1).entry(db1).state, superseded);
    c.cctrl("db4", "recover").unwrap();
    assert_eq!(c.s.view(db1).entry(db1).role, Relay);
    // An old master holding a write west never received stays superseded.
    let mut c = Cluster::from_spec(GLOBAL);
    c.fault(Fault::Write(db1)).unwrap();
    east_lost_then_back(&mut c);
    assert_eq!(c.s.view(db1).entry(db1).role, Master);
    assert_eq!(c.s.view(db1).entry(db1).state, superseded);
    // Back behind a partition between the sites, east's managers restart one by one: the
    // first, alone, shuns its master FAILSAFE rather than SUPERSEDED (it reaches no other
    // site). Recovered once the sites reach each other, as `recover` at the composite would
    // be accepted then (helper-100 F1: it waited for the operator).
    let mut c = Cluster::from_spec(GLOBAL);
    east_lost(&mut c);
    c.partition(&[&["db1", "db2", "db3"], &["db4", "db5", "db6"]])
        .unwrap();
    for h in [db1, db2, db3] {
        c.fault(Fault::HostRestart(h)).unwrap();
    }
    assert_eq!(c.s.view(db1).entry(db1).role, Master);
    c.fault(Fault::Heal).unwrap();
    assert_eq!(
        c.s.view(db1).entry(db1),
        tungsten_model::model::DsEntry::new(Relay, DsState::Online)
    );
    assert_eq!(c.s.host(db1).replicator.master, Some(db4));
}

/// A site that failed over inside itself twice before it was lost (db1 to db2 to db3, a
/// write on each new master) comes back with the last master, which holds every event, as
/// its relay, whichever manager starts first: an operator's review found the oldest, db1,
/// made the relay by the managers' own recovery, and db2 and db3 told to be reprovisioned.
/// The operator's `recover` picks the same.
#[test]
fn a_superseded_site_comes_back_with_its_most_advanced_master_as_the_relay() {
    for recover_by_hand in [false, true] {
        let mut c = Cluster::from_spec(GLOBAL);
        let [db1, db2, db3, db4] = ["db1", "db2", "db3", "db4"].map(|h| c.id(h));
        c.shell("db1", "stopall").unwrap();
        c.fault(Fault::Write(db2)).unwrap();
        c.fault(Fault::CatchUp(db3)).unwrap();
        c.shell("db2", "stopall").unwrap();
        c.fault(Fault::Write(db3)).unwrap();
        c.fault(Fault::CatchUp(db4)).unwrap();
        c.shell("db3", "stopall").unwrap();
        c.cctrl("db4", "use global").unwrap();
        c.cctrl("db4", "failover").unwrap();
        if recover_by_hand {
            // West in MAINTENANCE: east waits for the operator.
            c.cctrl("db4", "set policy maintenance").unwrap();
        }
        for h in ["db1", "db2", "db3"] {
            c.shell(h, "startall").unwrap();
        }
        if recover_by_hand {
            c.cctrl("db4", "recover").unwrap();
        }
        let view = c.s.view(db1);
        assert_eq!(
            view.entry(db3),
            tungsten_model::model::DsEntry::new(
                tungsten_model::model::DataSourceRole::Relay,
                DsState::Online
            ),
            "{view:?}"
        );
        assert_eq!(c.s.host(db3).replicator.master, Some(db4));
        for h in [db1, db2] {
            assert_eq!(view.entry(h).state, DsState::Online, "{view:?}");
            assert_eq!(c.s.host(h).replicator.master, Some(db3));
        }
        assert_eq!(c.cctrl("db4", "recover"), Err(Rule::NoChange));
    }
}

/// `recover` at the composite refuses a superseded master whose dataserver is stopped, and
/// which alone on its site holds every event, as that (`dataserver-running`, start it
/// first), not as a host out of reach: an operator's review found it sent to the network
/// and the manager, both fine. (With a replica as advanced, that replica is the relay.)
#[test]
fn a_composite_recover_names_a_stopped_dataserver() {
    let mut c = Cluster::from_spec(GLOBAL);
    let [db1, db4] = ["db1", "db4"].map(|h| c.id(h));
    c.cctrl("db1", "set policy maintenance").unwrap();
    c.fault(Fault::Write(db1)).unwrap();
    c.fault(Fault::CatchUp(db4)).unwrap();
    c.fault(Fault::Stop(db1, Process::DataServer)).unwrap();
    for h in ["db1", "db2", "db3"] {
        c.shell(h, "stopall").unwrap();
    }
    c.cctrl("db4", "use global").unwrap();
    c.cctrl("db4", "datasource east fail").unwrap();
    c.cctrl("db4", "failover").unwrap();
    for h in ["db1", "db2", "db3"] {
        c.shell(h, "startall").unwrap();
    }
    assert_eq!(c.cctrl("db4", "recover"), Err(Rule::DataserverRunning));
    c.fault(Fault::Start(db1, Process::DataServer)).unwrap();
    c.cctrl("db4", "recover").unwrap();
}

/// Two sites of two datasources each, as the explorer's composite tests have them.
const TWO_BY_TWO: &str = r#"{"services": [{"name": "east", "datasources": ["db1", "db2"]}, {"name": "west", "datasources": ["db4", "db5"]}], "composites": [{"name": "global", "members": ["east", "west"]}]}"#;

/// The explorer's minimal cases, kept, five inputs deep each once west's managers were typed
/// into (helper-98 F1): a site a composite `switch` made passive kept a master-role
/// datasource beside its relay (its old master, failed over inside the site before), or a
/// stopped manager's last view held one; across a partition between the sites, `welcome` of
/// that old master, or `recover master using` at the site, put a second master beside the
/// active site's. A site going passive holds no master, and a passive site's own managers'
/// view refuses promotions whatever a stopped manager's last view holds.
#[test]
fn a_site_a_switch_made_passive_takes_no_master_back_across_a_partition() {
    use tungsten_model::model::DataSourceRole::{Master, Relay};
    let mut c = Cluster::from_spec(TWO_BY_TWO);
    let [db1, db2] = ["db1", "db2"].map(|h| c.id(h));
    c.cctrl("db1", "datasource db1 fail").unwrap();
    assert!(c.s.view(db2).entry(db2).is_online_master());
    c.cctrl("db4", "use global").unwrap();
    c.cctrl("db4", "switch").unwrap();
    assert_eq!(c.s.view(db2).entry(db2).role, Relay);
    assert_ne!(c.s.view(db2).entry(db1).role, Master);
    c.partition(&[&["db1", "db2"], &["db4", "db5"]]).unwrap();
    // `Cluster` checks every invariant after each input.
    let _ = c.cctrl("db1", "datasource db1 welcome");
    assert!(!c.s.view(db1).entry(db1).is_online_master());
    // A stopped manager's last view.
    let mut c = Cluster::from_spec(TWO_BY_TWO);
    c.cctrl("db4", "use global").unwrap();
    c.fault(Fault::Stop(db1, Process::Manager)).unwrap();
    c.cctrl("db4", "switch").unwrap();
    c.partition(&[&["db1", "db2"], &["db4", "db5"]]).unwrap();
    assert_eq!(
        c.cctrl("db2", "recover master using db2"),
        Err(Rule::PassiveSite)
    );
}

/// East's hosts (in [`GLOBAL`]) crash, a composite failover typed at db4 makes west's relay
/// the master, and east's hosts restart: east superseded.
fn east_lost_then_back(c: &mut Cluster) {
    east_lost(c);
    for h in ["db1", "db2", "db3"] {
        c.fault(Fault::HostRestart(c.id(h))).unwrap();
    }
}

/// East's hosts (in [`GLOBAL`]) crash, and a composite failover typed at db4 makes west's
/// relay the master.
fn east_lost(c: &mut Cluster) {
    for h in ["db1", "db2", "db3"] {
        c.fault(Fault::HostCrash(c.id(h))).unwrap();
    }
    c.cctrl("db4", "use global").unwrap();
    c.cctrl("db4", "failover").unwrap();
}

/// A composite's site whose managers all restart holds its stale view; it takes the
/// composite's roles from the active site's managers it reaches (a modelling decision in
/// the managers' reactions). The explorer's minimal case, kept: east's manager on db1
/// stopped (east fails over to db2), a composite switch to west, db2's manager stopped,
/// db1's started alone: it took db1 back ONLINE beside west's master.
#[test]
fn a_site_manager_started_alone_does_not_take_back_a_role_the_composite_moved() {
    let mut c = Cluster::from_spec(
        r#"{"services": [{"name": "east", "datasources": ["db1", "db2"]}, {"name": "west", "datasources": ["db4", "db5"]}], "composites": [{"name": "global", "members": ["east", "west"]}]}"#,
    );
    let [db1, db2] = ["db1", "db2"].map(|h| c.id(h));
    c.fault(Fault::Stop(db1, Process::Manager)).unwrap();
    c.cctrl("db2", "use global").unwrap();
    c.cctrl("db2", "switch").unwrap();
    c.fault(Fault::Stop(db2, Process::Manager)).unwrap();
    // `Cluster` checks every invariant after each input.
    c.fault(Fault::Start(db1, Process::Manager)).unwrap();
    assert_eq!(
        c.s.view(db1).entry(db1).state,
        DsState::Shunned(ShunCause::Superseded)
    );
    // A manager stopped through the switch takes the roles it moved when it starts: db1 the
    // relay, not a master superseded (its manager stopped, the site's managers then fail the
    // relay over to db2).
    let mut c = Cluster::from_spec(
        r#"{"services": [{"name": "east", "datasources": ["db1", "db2"]}, {"name": "west", "datasources": ["db4", "db5"]}], "composites": [{"name": "global", "members": ["east", "west"]}]}"#,
    );
    c.fault(Fault::Stop(db2, Process::Manager)).unwrap();
    c.cctrl("db1", "use global").unwrap();
    c.cctrl("db1", "switch").unwrap();
    c.fault(Fault::Stop(db1, Process::Manager)).unwrap();
    c.fault(Fault::Start(db2, Process::Manager)).unwrap();
    assert_eq!(
        c.s.view(db2).entry(db1),
        tungsten_model::model::DsEntry::new(
            tungsten_model::model::DataSourceRole::Relay,
            DsState::Shunned(ShunCause::FailedOverTo(db2))
        )
    );
}

/// An independent review's cases, kept: a second composite `recover` once the old master of
/// a site that failed over inside itself came back made a second relay; a manager cut off
/// during a composite switch, its stale view taken as the sites' roles, blocked the failover
/// back; and the site's hosts coming back one by one lost the `SUPERSEDED` mark to the
/// failsafe shun.
#[test]
fn a_superseded_site_recovers_once_and_keeps_its_mark() {
    let mut c = Cluster::from_spec(GLOBAL);
    let [db1, db2, db3, db4] = ["db1", "db2", "db3", "db4"].map(|h| c.id(h));
    east_lost(&mut c);
    // One master superseded, db2 (east failed over to it before it was lost), though db1's
    // manager stopped holding db1 as the master (a second review found both marked, and
    // the order the hosts came back in choosing which became the relay).
    let marked: Vec<HostId> = [db1, db2, db3]
        .into_iter()
        .filter(|&h| {
            [db1, db2, db3]
                .iter()
                .any(|&m| c.s.view(m).entry(h).state == DsState::Shunned(ShunCause::Superseded))
        })
        .collect();
    assert_eq!(marked, [db2]);
    for h in [db2, db3] {
        c.fault(Fault::HostRestart(h)).unwrap();
    }
    c.cctrl("db4", "recover").unwrap();
    c.fault(Fault::HostRestart(db1)).unwrap();
    assert_eq!(c.cctrl("db4", "recover"), Err(Rule::NoChange));
    let relays = [db1, db2, db3]
        .into_iter()
        .filter(|&h| c.s.view(db2).entry(h).role == tungsten_model::model::DataSourceRole::Relay)
        .count();
    assert_eq!(relays, 1, "{:?}", c.s.view(db2));
    // And no master is left in the recovered site: db1, failed over inside east before the
    // composite failover, is a slave there now (a second review found it left master-role,
    // the site then open to a second master).
    for h in [db1, db2, db3] {
        assert_ne!(
            c.s.view(db2).entry(h).role,
            tungsten_model::model::DataSourceRole::Master,
            "{:?}",
            c.s.view(db2)
        );
    }
    assert_eq!(
        c.cctrl("db2", "datasource db1 master"),
        Err(Rule::PassiveSite)
    );
    // The stale view of a manager cut off during a switch.
    let mut c = Cluster::from_spec(GLOBAL);
    c.partition(&[&["db1", "db2", "db4", "db5", "db6"], &["db3"]])
        .unwrap();
    c.cctrl("db1", "use global").unwrap();
    c.cctrl("db1", "switch to west").unwrap();
    c.cctrl("db4", "set policy maintenance").unwrap();
    c.fault(Fault::HostCrash(db4)).unwrap();
    c.cctrl("db5", "datasource db4 fail").unwrap();
    c.cctrl("db1", "failover to east").unwrap();
    assert!(c.s.view(db2).entry(db1).is_online_master());
    // One by one.
    let mut c = Cluster::from_spec(GLOBAL);
    c.cctrl("db1", "set policy maintenance").unwrap();
    for h in [db1, db2, db3] {
        c.fault(Fault::HostCrash(h)).unwrap();
    }
    c.cctrl("db4", "use global").unwrap();
    c.cctrl("db4", "failover").unwrap();
    for h in [db1, db2, db3] {
        c.fault(Fault::HostRestart(h)).unwrap();
        assert_eq!(
            c.s.view(db1).entry(db1).state,
            DsState::Shunned(ShunCause::Superseded)
        );
    }
    // There, the site's own commands point at the composite (db1's session is east's: its
    // host restarted).
    assert_eq!(
        c.cctrl("db1", "datasource db1 welcome"),
        Err(Rule::SupersededSite)
    );
    assert_eq!(
        c.cctrl("db1", "recover master using db2"),
        Err(Rule::SupersededSite)
    );
    assert_eq!(c.cctrl("db1", "recover"), Err(Rule::SupersededSite));
    c.cctrl("db1", "use global").unwrap();
    c.cctrl("db1", "recover").unwrap();
    // Every replica of the recovered site replicates from its relay.
    for h in [db2, db3] {
        assert_eq!(c.s.host(h).replicator.master, Some(db1));
        assert_eq!(c.s.host(h).replicator.state, ReplicatorState::Online);
    }
    // A failover from a site the session reaches, its master failed by hand under
    // MAINTENANCE: the replicas' replicators went offline with their master superseded, and
    // `recover` puts them back under the relay (they were listed ONLINE, replicating nothing).
    let mut c = Cluster::from_spec(GLOBAL);
    for line in [
        "set policy maintenance",
        "datasource db1 fail",
        "use global",
        "failover",
        "recover",
    ] {
        c.cctrl("db1", line).unwrap();
    }
    for h in [db2, db3] {
        assert_eq!(c.s.host(h).replicator.master, Some(db1));
        assert_eq!(c.s.host(h).replicator.state, ReplicatorState::Online);
    }
    assert_eq!(c.s.host(db1).replicator.master, Some(db4));
}

/// Mutation survivors of the relay moves, kept as tests: the managers replace the FAILED
/// relay, not a replica that failed before it in topology order (the relay moved to db5 by a
/// switch inside the site, db4 a replica); and `datasource <ds> relay` needs MAINTENANCE or
/// force, as a role change by hand does.
#[test]
fn the_managers_fail_over_the_relay_not_a_failed_replica_before_it() {
    let mut c = Cluster::from_spec(GLOBAL);
    let [db4, db5, db6] = ["db4", "db5", "db6"].map(|h| c.id(h));
    c.cctrl("db4", "switch to db5").unwrap();
    assert_eq!(
        c.s.view(db6).entry(db5).role,
        tungsten_model::model::DataSourceRole::Relay
    );
    // db4's manager stops (its datasource fails, the site keeps quorum), then db5's host.
    c.fault(Fault::Stop(db4, Process::Manager)).unwrap();
    c.fault(Fault::HostCrash(db5)).unwrap();
    assert_eq!(
        c.s.view(db6).entry(db5).state,
        DsState::Shunned(ShunCause::FailedOverTo(db6))
    );
    assert_eq!(
        c.s.view(db6).entry(db6).role,
        tungsten_model::model::DataSourceRole::Relay
    );
    // A relay made by hand beside the FAILED one is the operator's choice: the managers
    // leave it serving when the failed one's host goes down.
    let mut c = Cluster::from_spec(GLOBAL);
    for line in [
        "set policy maintenance",
        "datasource db4 fail",
        "datasource db5 offline",
        "datasource db5 relay",
        "replicator db5 offline",
        "replicator db5 relay east/db1",
        "replicator db5 online",
        "datasource db5 online",
    ] {
        c.cctrl("db5", line).unwrap();
    }
    c.fault(Fault::HostCrash(db4)).unwrap();
    c.cctrl("db5", "set policy automatic").unwrap();
    assert_eq!(
        c.s.view(db6).entry(db5),
        tungsten_model::model::DsEntry::new(
            tungsten_model::model::DataSourceRole::Relay,
            DsState::Online
        )
    );
    assert_eq!(
        c.s.view(db6).entry(db6).role,
        tungsten_model::model::DataSourceRole::Slave
    );
    let mut c = Cluster::from_spec(GLOBAL);
    c.cctrl("db4", "set policy manual").unwrap();
    c.cctrl("db4", "datasource db4 shun").unwrap();
    c.cctrl("db4", "datasource db5 offline").unwrap();
    assert_eq!(
        c.cctrl("db4", "datasource db5 relay"),
        Err(Rule::Maintenance)
    );
}

/// A mutation survivor kept as a test: a FAILED relay that no replica could replace, healthy
/// again, is recovered by the managers as the relay.
#[test]
fn a_failed_relay_healthy_again_is_recovered_as_the_relay() {
    let mut c = Cluster::from_spec(GLOBAL);
    let [db1, db4, db6] = ["db1", "db4", "db6"].map(|h| c.id(h));
    for line in [
        "set policy maintenance",
        "datasource db5 shun",
        "datasource db6 shun",
        "set policy automatic",
    ] {
        c.cctrl("db4", line).unwrap();
    }
    c.fault(Fault::Stop(db4, Process::Manager)).unwrap();
    assert!(matches!(c.s.view(db6).entry(db4).state, DsState::Failed(_)));
    c.fault(Fault::Start(db4, Process::Manager)).unwrap();
    assert_eq!(
        c.s.view(db6).entry(db4),
        tungsten_model::model::DsEntry::new(
            tungsten_model::model::DataSourceRole::Relay,
            DsState::Online
        )
    );
    assert_eq!(c.s.host(db4).replicator.master, Some(db1));
}

/// Three sites, two of them superseded by failovers in turn: `datasource <site> recover` at
/// the composite brings back the site it names, and only that one; `recover` then brings back
/// the other.
#[test]
fn a_site_named_in_a_recover_at_the_composite_is_the_only_one_recovered() {
    use tungsten_model::model::DataSourceRole::{Master, Relay};
    let mut c = Cluster::from_spec(THREE_SITES);
    let [db1, db2, db4, db5] = ["db1", "db2", "db4", "db5"].map(|h| c.id(h));
    // In MANUAL: under AUTOMATIC the sites' managers recover them themselves.
    c.cctrl("db1", "set policy manual").unwrap();
    c.cctrl("db4", "set policy manual").unwrap();
    c.cctrl("db7", "use global").unwrap();
    for h in [db1, db2] {
        c.fault(Fault::HostCrash(h)).unwrap();
    }
    c.cctrl("db7", "failover to west").unwrap();
    for h in [db4, db5] {
        c.fault(Fault::HostCrash(h)).unwrap();
    }
    c.cctrl("db7", "failover to north").unwrap();
    for h in [db1, db2, db4, db5] {
        c.fault(Fault::HostRestart(h)).unwrap();
    }
    let superseded = DsState::Shunned(ShunCause::Superseded);
    assert_eq!(c.s.view(db1).entry(db1).state, superseded);
    assert_eq!(c.s.view(db4).entry(db4).state, superseded);
    c.cctrl("db7", "datasource west recover").unwrap();
    assert_eq!(c.s.view(db4).entry(db4).role, Relay);
    assert_eq!(c.s.view(db4).entry(db4).state, DsState::Online);
    assert_eq!(c.s.view(db1).entry(db1).role, Master);
    assert_eq!(c.s.view(db1).entry(db1).state, superseded);
    c.cctrl("db7", "recover").unwrap();
    assert_eq!(c.s.view(db1).entry(db1).role, Relay);
    assert_eq!(c.s.view(db1).entry(db1).state, DsState::Online);
}

/// A composite failover from a site whose master the session still reaches, its dataserver
/// stopped (not a master in service: nothing fails it under MAINTENANCE), or its managers
/// stopped, takes that master's replicator offline as it supersedes it: it extracts no more
/// beside the new master (*manager-failover-internals-switch-failover-steps-composite-clusters*, the lost
/// site's master shunned where reached).
#[test]
fn a_composite_failover_stops_the_superseded_master_extracting_where_reached() {
    let mut c = Cluster::from_spec(GLOBAL);
    let db1 = c.id("db1");
    c.cctrl("db4", "use global").unwrap();
    c.cctrl("db4", "set policy maintenance").unwrap();
    c.fault(Fault::Stop(db1, Process::DataServer)).unwrap();
    assert!(c.s.host(db1).replicator.is_online());
    c.cctrl("db4", "failover").unwrap();
    assert_eq!(
        c.s.view(db1).entry(db1).state,
        DsState::Shunned(ShunCause::Superseded)
    );
    assert!(!c.s.host(db1).replicator.is_online(), "{:?}", c.s.host(db1));
    // With east's managers stopped, none retires it: the failover does, where it reaches it.
    let mut c = Cluster::from_spec(GLOBAL);
    c.cctrl("db4", "use global").unwrap();
    c.cctrl("db4", "set policy maintenance").unwrap();
    for h in ["db1", "db2", "db3"] {
        c.shell(h, "manager stop").unwrap();
    }
    assert!(c.s.host(db1).replicator.is_online());
    c.cctrl("db4", "failover").unwrap();
    assert!(!c.s.host(db1).replicator.is_online(), "{:?}", c.s.host(db1));
}

/// `set policy` at the composite with every site in that policy already changes nothing and
/// says so (`no-change`), as at a site.
#[test]
fn a_composite_policy_already_set_everywhere_is_no_change() {
    let mut c = Cluster::from_spec(GLOBAL);
    c.cctrl("db4", "use global").unwrap();
    assert_eq!(c.cctrl("db4", "set policy automatic"), Err(Rule::NoChange));
    c.cctrl("db4", "set policy maintenance").unwrap();
    assert_eq!(
        c.cctrl("db4", "set policy maintenance"),
        Err(Rule::NoChange)
    );
}

/// The docs' recovery of a lost site that held events the new master lacks
/// (*operations-composite-recovery*): `recover` refused (`orphaned-events`), the old master
/// reprovisioned from the active site in MAINTENANCE, then `recover`: the old master is the
/// relay, and the site's replicas are ONLINE reading it ("RECOVERED 2 DATA SOURCES"). An
/// independent review found them left OFFLINE, with their replicators online.
#[test]
fn a_site_recovered_after_reprovisioning_has_its_replicas_online() {
    use tungsten_model::model::DataSourceRole::{Relay, Slave};
    use tungsten_model::model::DsEntry;
    let mut c = Cluster::from_spec(GLOBAL);
    let [db1, db2, db3] = ["db1", "db2", "db3"].map(|h| c.id(h));
    c.fault(Fault::Write(db1)).unwrap();
    east_lost_then_back(&mut c);
    assert_eq!(c.cctrl("db4", "recover"), Err(Rule::OrphanedEvents));
    c.cctrl("db1", "set policy maintenance").unwrap();
    c.shell("db1", "tungsten_provision_slave --source db4")
        .unwrap();
    c.cctrl("db4", "recover").unwrap();
    assert_eq!(
        c.s.view(db2).entry(db1),
        DsEntry::new(Relay, DsState::Online)
    );
    for h in [db2, db3] {
        assert_eq!(c.s.view(db2).entry(h), DsEntry::new(Slave, DsState::Online));
        assert!(c.s.host(h).replicator.is_online());
    }
}

/// A composite `switch` with no target passes over a site whose relay its flush would not
/// reach (west's relay reading through an east replica whose replicator is offline) for one
/// it reaches (north); named, west is refused (`eligible-target`).
#[test]
fn a_composite_switch_with_no_target_takes_a_site_its_flush_reaches() {
    use tungsten_model::model::DataSourceRole::Master;
    let mut c = Cluster::from_spec(THREE_SITES);
    let [db4, db7] = ["db4", "db7"].map(|h| c.id(h));
    c.cctrl("db1", "use global").unwrap();
    c.cctrl("db1", "set policy maintenance").unwrap();
    c.cctrl("db4", "replicator db4 offline").unwrap();
    c.cctrl("db4", "replicator db4 relay db2").unwrap();
    c.cctrl("db4", "replicator db4 online").unwrap();
    c.trepctl("db2", "offline").unwrap();
    assert_eq!(c.cctrl("db1", "switch to west"), Err(Rule::EligibleTarget));
    c.cctrl("db1", "switch").unwrap();
    assert_eq!(c.s.view(db7).entry(db7).role, Master);
    assert_ne!(c.s.view(db4).entry(db4).role, Master);
    // West's relay, left reading a replica of the site gone passive, reads the new master:
    // the switch reconfigures every passive side (a second review found it left, west
    // receiving nothing, the plan VALID).
    assert_eq!(c.s.host(db4).replicator.master, Some(db7));
}

/// A composite `recover` brings the site's replicas' replicators back online only where the
/// session reaches them: one cut off by a partition keeps its replicator as it was.
#[test]
fn a_recovered_site_leaves_a_replica_out_of_reach_as_it_was() {
    let mut c = Cluster::from_spec(GLOBAL);
    let [db2, db3] = ["db2", "db3"].map(|h| c.id(h));
    // In MANUAL: under AUTOMATIC east's managers recover it themselves.
    c.cctrl("db1", "set policy manual").unwrap();
    east_lost_then_back(&mut c);
    c.partition(&[&["db1", "db2", "db4", "db5", "db6"], &["db3"]])
        .unwrap();
    let before = c.s.host(db3).replicator;
    assert!(!before.is_online(), "{before:?}");
    c.cctrl("db4", "recover").unwrap();
    assert!(c.s.host(db2).replicator.is_online());
    assert_eq!(
        c.s.host(db3).replicator.state,
        before.state,
        "{:?}",
        c.s.host(db3)
    );
}

/// `datasource <site> fail` marks a site whose master is lost while its replicas still run
/// (MAINTENANCE, the master's host down): the replicas ONLINE do not keep the site in
/// service. The failover follows.
#[test]
fn a_site_whose_master_is_lost_can_be_failed_though_its_replicas_run() {
    let mut c = Cluster::from_spec(GLOBAL);
    let [db1, db4] = ["db1", "db4"].map(|h| c.id(h));
    c.cctrl("db4", "use global").unwrap();
    c.cctrl("db4", "set policy maintenance").unwrap();
    c.fault(Fault::HostCrash(db1)).unwrap();
    c.cctrl("db4", "datasource east fail").unwrap();
    c.cctrl("db4", "failover").unwrap();
    assert!(c.s.view(db4).entry(db4).is_online_master());
}

/// A composite failover to a site whose relay lacks events a third site's relay received:
/// that relay is repointed at the new master all the same, and stops in OFFLINE:ERROR (its
/// handshake fails) where the report sees it. A third review found it left reading the
/// superseded master, reported nowhere.
#[test]
fn a_failover_repoints_a_relay_ahead_of_the_new_master_into_an_error() {
    let mut c = Cluster::from_spec(THREE_SITES);
    let [db1, db2, db4, db7] = ["db1", "db2", "db4", "db7"].map(|h| c.id(h));
    c.cctrl("db4", "use global").unwrap();
    c.cctrl("db4", "set policy maintenance").unwrap();
    c.fault(Fault::Write(db1)).unwrap();
    c.fault(Fault::CatchUp(db7)).unwrap();
    assert_eq!(c.s.host(db7).data.pos, c.s.host(db1).data.pos);
    for h in [db1, db2] {
        c.fault(Fault::HostCrash(h)).unwrap();
    }
    c.cctrl("db4", "failover to west").unwrap();
    let r = c.s.host(db7).replicator;
    assert_eq!(r.master, Some(db4), "{r:?}");
    assert_eq!(r.state, ReplicatorState::OfflineError, "{r:?}");
}

/// Review `F7`: under AUTOMATIC, west's managers stopped one by one (db4, the relay, then
/// db5 and db6), the relay failing over twice (db4 to db5, db5 to db6; the second makes db4's
/// replicator a slave of db6); then started again in the same order. db4's manager,
/// alone, takes its stale view, holding db4 as the relay: its replicator comes back as the
/// relay of east's master, not as the slave the failovers left it, and the replicas are
/// recovered under it once their managers are back. Before, db4 stayed `relay:ONLINE` with a
/// slave's replicator, db6 kept a relay's replicator running while FAILED, and db5 and db6
/// stayed `FAILED(HOST .. UNREACHABLE)` with their managers running.
#[test]
fn a_relay_manager_started_alone_after_missed_failovers_serves_as_the_relay() {
    use tungsten_model::model::{DataSourceRole, DsEntry, ReplicatorRole};
    let mut c = Cluster::from_spec(GLOBAL);
    let [db1, db4, db5, db6] = ["db1", "db4", "db5", "db6"].map(|h| c.id(h));
    for h in ["db4", "db5", "db6"] {
        c.shell(h, "manager stop").unwrap();
    }
    assert_eq!(c.s.host(db6).replicator.role, ReplicatorRole::Relay);
    for h in ["db4", "db5", "db6"] {
        c.shell(h, "manager start").unwrap();
    }
    assert_online_relay_of(&c, db4, db1);
    assert_eq!(
        c.s.view(db4).entry(db4),
        DsEntry::new(DataSourceRole::Relay, DsState::Online)
    );
    for d in [db5, db6] {
        assert_eq!(
            c.s.view(db4).entry(d),
            DsEntry::new(DataSourceRole::Slave, DsState::Online),
            "{d:?}"
        );
        let r = c.s.host(d).replicator;
        assert_eq!(
            (r.role, r.master),
            (ReplicatorRole::Slave, Some(db4)),
            "{d:?}"
        );
        assert!(r.is_online(), "{d:?}");
    }
}

/// Continuent's *operations-composite-relay-recovery*: a relay reading a replica of the
/// active site (db4 reading db2, not the master db1) is listed `relay:ONLINE`, status OK,
/// under AUTOMATIC, and the operator repoints it by hand (MAINTENANCE, `replicator db4
/// offline`, `replicator db4 relay east/db1`, AUTOMATIC). The managers leave such a relay
/// alone while its source feeds it; before, they repointed it at once, so the documented
/// procedure had nothing left to do (found by a review against the docs).
#[test]
fn a_relay_reading_a_replica_of_the_active_site_is_left_for_the_operator() {
    let mut c = Cluster::from_spec(GLOBAL);
    let [db1, db2, db4] = ["db1", "db2", "db4"].map(|h| c.id(h));
    repoint_relay_by_hand(&mut c, "db2");
    assert_online_relay_of(&c, db4, db2);
    // The docs' procedure.
    repoint_relay_by_hand(&mut c, "db1");
    assert_online_relay_of(&c, db4, db1);
}

/// A relay reading a replica of the active site follows the site's new master when a switch
/// there promotes another (the composite reconfigures the passive side on the active site's
/// switch, *operations-composite*); and a relay whose source stops passing events on (the
/// replica it reads goes down) is pointed at the master by its managers.
#[test]
fn a_relay_follows_the_active_sites_switch_and_leaves_a_source_that_stops() {
    let mut c = Cluster::from_spec(GLOBAL);
    let [db1, db2, db3, db4] = ["db1", "db2", "db3", "db4"].map(|h| c.id(h));
    assert_eq!(c.s.host(db4).replicator.master, Some(db1));
    c.cctrl("db1", "switch to db2").unwrap();
    assert_online_relay_of(&c, db4, db2);
    // Pointed at a replica by hand, then that replica's host crashes.
    repoint_relay_by_hand(&mut c, "db3");
    assert_eq!(c.s.host(db4).replicator.master, Some(db3));
    c.fault(Fault::HostCrash(db3)).unwrap();
    assert_online_relay_of(&c, db4, db2);
}

/// The docs' repointing of west's relay db4 (*operations-composite-relay-recovery*):
/// MAINTENANCE, `replicator db4 offline`, `replicator db4 relay east/<to>`, AUTOMATIC.
fn repoint_relay_by_hand(c: &mut Cluster, to: &str) {
    for line in [
        "set policy maintenance",
        "replicator db4 offline",
        &format!("replicator db4 relay east/{to}"),
        "set policy automatic",
    ] {
        c.cctrl("db4", line).unwrap();
    }
}

/// Three sites of two under one composite, east active.
const THREE_SITES: &str = r#"{"services": [{"name": "east", "datasources": ["db1", "db2"]}, {"name": "west", "datasources": ["db4", "db5"]}, {"name": "north", "datasources": ["db7", "db8"]}], "composites": [{"name": "global", "members": ["east", "west", "north"]}]}"#;

/// A promotion at the active site repoints the relays that read that site, and only those:
/// north's relay, pointed by hand at west's relay (a chain the model accepts), still reads it
/// after east's switch, fed through it (a mutant repointing every relay but those reading the
/// new master survived the tests).
#[test]
fn a_switch_at_the_active_site_leaves_a_relay_reading_another_site() {
    let mut c = Cluster::from_spec(THREE_SITES);
    let [db2, db4, db7] = ["db2", "db4", "db7"].map(|h| c.id(h));
    for line in [
        "set policy maintenance",
        "replicator db7 offline",
        "replicator db7 relay west/db4",
        "replicator db7 online",
        "set policy automatic",
    ] {
        c.cctrl("db7", line).unwrap();
    }
    c.cctrl("db1", "switch to db2").unwrap();
    assert_eq!(c.s.host(db4).replicator.master, Some(db2));
    assert_online_relay_of(&c, db7, db4);
}

/// A promotion at the active site repoints the relay its passive site holds, not an old relay
/// the site failed over from: db4's manager stopped, west's relay fails over to db5, and
/// east's switches repoint db5 alone; db4 keeps its offline replicator as it was (a review
/// found each switch reporting db4 "now relay of" the new master).
#[test]
fn a_switch_at_the_active_site_repoints_the_relay_not_the_one_it_replaced() {
    let mut c = Cluster::from_spec(GLOBAL);
    let [db1, db2, db4, db5] = ["db1", "db2", "db4", "db5"].map(|h| c.id(h));
    c.shell("db4", "manager stop").unwrap();
    assert_eq!(
        c.s.view(db5).entry(db4).state,
        DsState::Shunned(ShunCause::FailedOverTo(db5))
    );
    let before = c.s.host(db4).replicator;
    c.cctrl("db1", "switch to db2").unwrap();
    assert_eq!(c.s.host(db5).replicator.master, Some(db2));
    assert_eq!(c.s.host(db4).replicator, before);
    assert_eq!(before.master, Some(db1));
}

/// A passive site in MAINTENANCE leaves its replicators alone when the active site's master
/// host goes down and fails over: its relay goes on reading the lost master, its replicas
/// reading the relay, all ONLINE, for the operator to repoint (managers in MAINTENANCE detect
/// nothing and fence nothing, Continuent docs *operations-policymodes*). Leaving MAINTENANCE
/// lets the managers point the relay at the new master. The same holds when west's managers
/// were stopped through the failover and start again in MAINTENANCE. A review found west's
/// three replicators taken OFFLINE:NORMAL by its managers in MAINTENANCE in both cases.
#[test]
fn a_passive_site_in_maintenance_leaves_its_relay_on_the_lost_master() {
    for managers_stopped in [false, true] {
        let mut c = Cluster::from_spec(GLOBAL);
        let [db1, db2, db4] = ["db1", "db2", "db4"].map(|h| c.id(h));
        c.cctrl("db4", "set policy maintenance").unwrap();
        let west = ["db4", "db5", "db6"];
        if managers_stopped {
            for h in west {
                c.shell(h, "manager stop").unwrap();
            }
        }
        c.fault(Fault::HostCrash(db1)).unwrap();
        if managers_stopped {
            for h in west {
                c.shell(h, "manager start").unwrap();
            }
        }
        assert_eq!(
            c.s.view(db2).entry(db2).role,
            tungsten_model::model::DataSourceRole::Master
        );
        assert_online_relay_of(&c, db4, db1);
        for h in ["db5", "db6"] {
            let r = c.s.host(c.id(h)).replicator;
            assert!(r.is_online() && r.master == Some(db4), "{h}: {r:?}");
        }
        c.cctrl("db4", "set policy automatic").unwrap();
        assert_online_relay_of(&c, db4, db2);
    }
}

/// Under AUTOMATIC, a replica FAILED for its dataserver whose replicator was stopped
/// meanwhile stays FAILED once the dataserver runs: the managers do not start a replicator
/// process (*operations-status-datasource* shows `REPLICATOR(state=STOPPED)` lasting, for the
/// operator to fix; helper-94 F1 found the model starting it). Started by the operator, it is
/// recovered and brought ONLINE (*operations-policymodes*: AUTOMATIC recovers failed
/// replicas). So is a passive site's relay with no replica to fail over to.
#[test]
fn a_failed_replica_whose_replicator_stopped_is_recovered_once_started() {
    let mut c = Cluster::from_spec(GLOBAL);
    let [db1, db2, db4] = ["db1", "db2", "db4"].map(|h| c.id(h));
    c.fault(Fault::Stop(db2, Process::DataServer)).unwrap();
    c.shell("db2", "replicator stop").unwrap();
    assert!(!c.s.host(db2).replicator.running);
    assert_eq!(
        c.s.view(db1).entry(db2).state,
        DsState::Failed(FailCause::DataServerStopped)
    );
    c.fault(Fault::Start(db2, Process::DataServer)).unwrap();
    assert!(!c.s.host(db2).replicator.running);
    assert!(matches!(c.s.view(db1).entry(db2).state, DsState::Failed(_)));
    c.shell("db2", "replicator start").unwrap();
    assert_eq!(c.s.view(db1).entry(db2).state, DsState::Online);
    let r = c.s.host(db2).replicator;
    assert!(r.is_online() && r.master == Some(db1), "{r:?}");

    for h in ["db5", "db6"] {
        c.cctrl("db4", &format!("datasource {h} shun")).unwrap();
    }
    c.fault(Fault::Stop(db4, Process::DataServer)).unwrap();
    c.shell("db4", "replicator stop").unwrap();
    assert!(matches!(c.s.view(db4).entry(db4).state, DsState::Failed(_)));
    c.fault(Fault::Start(db4, Process::DataServer)).unwrap();
    assert!(matches!(c.s.view(db4).entry(db4).state, DsState::Failed(_)));
    c.shell("db4", "replicator start").unwrap();
    assert_eq!(c.s.view(db4).entry(db4).state, DsState::Online);
    assert_online_relay_of(&c, db4, db1);
}

/// A replicator stopped on a datasource in service, under AUTOMATIC, stays stopped: the
/// datasource stays ONLINE, DIMINISHED, and the managers leave the process to the operator
/// (*operations-status-datasource*; helper-94 F1). On the master, writes go on with no
/// replicator extracting them.
#[test]
fn a_stopped_replicator_in_service_is_left_stopped() {
    let mut c = Cluster::new(&["db1", "db2", "db3"]);
    let [db1, db2] = ["db1", "db2"].map(|h| c.id(h));
    for h in ["db1", "db2"] {
        c.shell(h, "replicator stop").unwrap();
    }
    for h in [db1, db2] {
        assert!(!c.s.host(h).replicator.running, "{h:?}");
        assert_eq!(c.s.view(db1).entry(h).state, DsState::Online);
    }
    c.shell("db1", "replicator start").unwrap();
    assert!(c.s.host(db1).replicator.is_online());
    assert!(!c.s.host(db2).replicator.running);
}

/// A plain start of a replicator brings it ONLINE by itself, whatever the policy: in
/// MAINTENANCE, `replicator restart` stops and restarts replication, and so does a reboot,
/// the master's extractor included; `replicator start offline` keeps it OFFLINE:NORMAL
/// (Continuent docs *deployment-startupdown-replicator*; *deployment-startupdown*: only a
/// cluster with `auto-enable=false` needs its nodes put online by hand). An old master's
/// extractor, booting beside the new master's, stays offline. A review found every restart
/// in MAINTENANCE left OFFLINE, the master's extractor too, with no warning.
#[test]
fn a_started_replicator_goes_online_by_itself() {
    let mut c = Cluster::new(&["db1", "db2", "db3"]);
    let [db1, db2] = ["db1", "db2"].map(|h| c.id(h));
    c.cctrl("db1", "set policy maintenance").unwrap();
    c.shell("db2", "replicator restart").unwrap();
    let r = c.s.host(db2).replicator;
    assert!(r.is_online() && r.master == Some(db1), "{r:?}");
    c.shell("db2", "replicator restart offline").unwrap();
    assert_eq!(
        c.s.host(db2).replicator.state,
        ReplicatorState::OfflineNormal
    );
    c.shell("db2", "replicator stop").unwrap();
    c.shell("db2", "replicator start").unwrap();
    assert!(c.s.host(db2).replicator.is_online());
    c.cctrl("db1", "replicator db2 restart").unwrap();
    assert!(c.s.host(db2).replicator.is_online());
    c.shell("db1", "sudo reboot").unwrap();
    let r = c.s.host(db1).replicator;
    assert!(
        r.is_online() && r.role == tungsten_model::model::ReplicatorRole::Master,
        "{r:?}"
    );

    let mut c = Cluster::new(&["db1", "db2", "db3"]);
    c.fault(Fault::HostCrash(db1)).unwrap();
    assert!(c.s.view(db2).entry(db2).is_online_master());
    c.fault(Fault::HostRestart(db1)).unwrap();
    let r = c.s.host(db1).replicator;
    assert!(r.running && !r.is_online(), "{r:?}");
    // Nor does it extract with the new master's extractor stopped, its managers running or
    // not: it extracts only on the master its managers hold in service (a review found its
    // restarted replicator taking writes in a plan read VALID).
    c.cctrl("db2", "set policy maintenance").unwrap();
    c.shell("db2", "replicator stop").unwrap();
    for stopped in [false, true] {
        if stopped {
            for h in ["db1", "db2", "db3"] {
                c.shell(h, "manager stop").unwrap();
            }
        }
        c.shell("db1", "replicator restart").unwrap();
        let r = c.s.host(db1).replicator;
        assert!(
            r.running && !r.is_online(),
            "managers stopped: {stopped}, {r:?}"
        );
    }
}

/// `relay`'s replicator is ONLINE in the relay role, reading `source`.
fn assert_online_relay_of(c: &Cluster, relay: HostId, source: HostId) {
    let r = c.s.host(relay).replicator;
    assert_eq!(
        (r.role, r.master),
        (tungsten_model::model::ReplicatorRole::Relay, Some(source)),
        "{r:?}"
    );
    assert!(r.is_online(), "{r:?}");
}

/// The composite listing projected with an earlier one (the docs' `use global; ls`) keeps
/// its 76 columns, and a site whose role and state are unchanged keeps its STATUS line and
/// its time; after a switch, both sites' lines are fresh and the closing line, which names
/// the active site, is dropped (an audit against the docs found the width and times lost).
#[test]
fn the_composite_listing_keeps_what_an_earlier_one_printed_while_it_holds() {
    use tungsten_model::ls::{self, DataSources, Listing};
    let mut c = Cluster::from_spec(GLOBAL);
    let global = c.t.service_id("global").unwrap();
    let docs = std::fs::read_to_string(format!(
        "{}/tests/fixtures/ls/docs71_composite_76col.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let world: Listing = format!("{docs}Composite Active Dataservice (Primary) - east\n")
        .parse()
        .unwrap();
    let projected = ls::project_composite(&c.t, &c.s, c.id("db1"), global, Some(&world));
    assert_eq!(projected, world, "{projected}");
    c.cctrl("db1", "use global").unwrap();
    c.cctrl("db1", "switch").unwrap();
    let after = ls::project_composite(&c.t, &c.s, c.id("db1"), global, Some(&world));
    assert_eq!(after.layout, world.layout);
    let DataSources::Composite { members, summary } = &after.datasources else {
        panic!("{after}");
    };
    assert_eq!(*summary, None);
    assert!(members.iter().all(|m| m.status.time.is_none()), "{after}");
}

/// A site's listing lists every connector of its composite, as the docs' `use east; ls`
/// prints six over two sites of three (*operations-composite-switch*; an audit against the
/// docs found only the site's own three). One the viewer does not reach drops out.
#[test]
fn a_sites_listing_lists_the_composites_connectors() {
    use tungsten_model::ls;
    let mut c = Cluster::from_spec(GLOBAL);
    let routers = |c: &Cluster| {
        ls::project(&c.t, &c.s, c.id("db1"), None)
            .routers
            .unwrap()
            .iter()
            .map(|r| r.host.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(routers(&c), ["db1", "db2", "db3", "db4", "db5", "db6"]);
    c.fault(Fault::HostCrash(c.id("db5"))).unwrap();
    assert_eq!(routers(&c), ["db1", "db2", "db3", "db4", "db6"]);
}

/// A split into one group holding every host separates nothing: on a split network it is the
/// heal, with the heal's state and effects (it printed as `network partitioned: {db1, db2,
/// db3}`); on a whole network it is no change that says the network is whole (it said "split
/// that way already"). An operator's review (helper-127 F3).
#[test]
fn a_split_into_one_group_is_the_heal() {
    let mut c = Cluster::new(&["db1", "db2", "db3"]);
    let [db1, db2, db3] = ["db1", "db2", "db3"].map(|h| c.id(h));
    let one = Input::Fault(Fault::Partition(Split::new(&[&[db1, db2, db3]])));
    let refused = machine::apply(&c.t, &c.s, &one).unwrap_err();
    assert_eq!(refused.refusal.rule(), Rule::NoChange);
    assert!(
        refused
            .refusal
            .render(&c.t)
            .contains("the network is whole"),
        "{}",
        refused.refusal.render(&c.t)
    );
    c.partition(&[&["db1"], &["db2", "db3"]]).unwrap();
    let by_split = machine::apply(&c.t, &c.s, &one).unwrap();
    let by_heal = machine::apply(&c.t, &c.s, &Input::Fault(Fault::Heal)).unwrap();
    assert_eq!(by_split.state, by_heal.state);
    assert_eq!(by_split.effects, by_heal.effects);
    assert!(
        by_split.effects.contains(&Effect::Heal),
        "{:?}",
        by_split.effects
    );
    assert!(!by_split.state.is_partitioned());
}

/// Under MAINTENANCE the managers leave in place only a replica whose sources lead to a master
/// a failover or switch replaced (the operator repoints it); a replica whose sources lead
/// nowhere sound, here two slaves reading each other, is taken offline under that policy as
/// under every other (`Sources::Broken`, which reading it as replaced would leave replicating
/// in a loop). The loop is set up directly, through serde, to test the reaction alone.
#[test]
fn under_maintenance_slaves_reading_each_other_are_still_taken_offline() {
    let mut c = Cluster::new(&["db1", "db2", "db3"]);
    c.cctrl("db1", "set policy maintenance").unwrap();
    let [db2, db3] = ["db2", "db3"].map(|h| c.id(h));
    let mut json = serde_json::to_value(c.s).unwrap();
    json["hosts"][1]["replicator"]["master"] = serde_json::json!(2);
    json["hosts"][2]["replicator"]["master"] = serde_json::json!(1);
    let start: tungsten_model::model::State = serde_json::from_value(json).unwrap();
    for d in [db2, db3] {
        assert!(start.host(d).replicator.is_online(), "{d:?} starts online");
    }
    let outcome = machine::settle(&c.t, &start, &c.rules);
    for d in [db2, db3] {
        assert!(
            !outcome.state.host(d).replicator.is_online(),
            "{d:?} left replicating in a loop: {:?}",
            outcome.state.host(d).replicator
        );
    }
}

/// Every writer of a view labels its writes while the service is split, not the cctrl
/// session's commands and the reactions alone: a host script's provisioning (its `SHUNNED`
/// and `OFFLINE` of the target) and a composite's commands (a `switch` to a site whose
/// managers are split) change one side's view, and an unlabelled line read as the
/// cluster's. Found by review: `tprovision` printed db3 `OFFLINE` unlabelled beside the
/// reactions' labelled `ONLINE` (in the view of the managers on db2 and db3), and the composite `switch` made db4 west's master with no label while
/// db6's manager, cut off, still held it as relay.
#[test]
fn every_view_write_in_a_split_names_the_managers_whose_view_it_is() {
    const GLOBAL: &str = r#"{"services": [{"name": "east", "datasources": ["db1", "db2", "db3"]},
        {"name": "west", "datasources": ["db4", "db5", "db6"]}],
        "composites": [{"name": "global", "members": ["east", "west"]}]}"#;
    let effects = |text: &str| -> Vec<String> {
        let book: tungsten_model::runbook::Runbook = text.parse().unwrap();
        let start =
            tungsten_model::runbook::start(&book, &[], &mut |_| Ok(GLOBAL.to_owned())).unwrap();
        let report = tungsten_model::runbook::validate(
            &start,
            &book,
            tungsten_model::runbook::Options::default(),
        );
        let json = serde_json::to_value(&report).unwrap();
        let step = json["steps"].as_array().unwrap().last().unwrap().clone();
        step["runs"][0]["effects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap().to_owned())
            .collect()
    };
    let view_lines = |said: &[String]| -> Vec<String> {
        said.iter()
            .filter(|l| l.starts_with("DataSource '") || l.starts_with("SETTING THE ROLE"))
            .cloned()
            .collect()
    };

    let provisioned = effects(
        "#! scenario healthy-3\n\
         event> the network splits into {db1} | {db2, db3}\n\
         shell db3> tprovision --source db2\n",
    );
    let lines = view_lines(&provisioned);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("DataSource 'db3' is now OFFLINE")),
        "{provisioned:#?}"
    );
    assert!(
        lines
            .iter()
            .all(|l| l.ends_with("(in the view of the managers on db2 and db3)")),
        "{provisioned:#?}"
    );

    let switched = effects(
        "#! topology file global.json\n\
         event> the network splits into {db1, db2, db3, db4, db5} | {db6}\n\
         shell db4> cctrl -multi\n\
         [LOGICAL] / > use global\n\
         [LOGICAL] /global > switch to west\n",
    );
    let lines = view_lines(&switched);
    assert!(
        lines.contains(
            &"SETTING THE ROLE OF DATASOURCE 'db4@west' FROM 'relay' TO 'master' \
              (in the view of the managers on db4 and db5)"
                .to_owned()
        ),
        "{switched:#?}"
    );
    // East is not split: its view changes carry no label.
    assert!(
        lines.contains(
            &"SETTING THE ROLE OF DATASOURCE 'db1@east' FROM 'master' TO 'relay'".to_owned()
        ),
        "{switched:#?}"
    );

    // Not split: nothing labelled, provisioning included.
    let whole = effects("#! scenario healthy-3\nshell db3> tprovision --source db2\n");
    assert!(
        view_lines(&whole)
            .iter()
            .all(|l| !l.contains("in the view of")),
        "{whole:#?}"
    );
}
