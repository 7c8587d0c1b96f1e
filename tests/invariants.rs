//! Each named invariant fires when the rule that guards it is removed: the same steps are
//! refused by the rule, refused by the guard when only the rule is off, and break the
//! invariant when both are off.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a test fails by panicking"
)]

use tungsten_model::command::CctrlCommand;
use tungsten_model::fault::{Fault, Process};
use tungsten_model::machine::{self, Input, Invariant, Rules, invariant};
use tungsten_model::model::{HostSet, State, Topology};

enum Step {
    Cctrl(&'static str),
    Fault(fn(&Topology) -> Fault),
}

/// Run `steps` from a healthy three-node cluster under `rules`: the first refusal's rule, or
/// the invariant broken at the end.
fn run(rules: Rules, steps: &[Step]) -> Result<Option<Invariant>, &'static str> {
    let (t, s) = after(rules, steps)?;
    Ok(invariant::check(&t, &s).map(|v| v.invariant))
}

/// The topology and the state after `steps` from a healthy three-node cluster under `rules`,
/// or the first refusal's rule.
fn after(rules: Rules, steps: &[Step]) -> Result<(Topology, State), &'static str> {
    let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
    let mut s = State::healthy(&t);
    for step in steps {
        let input = match step {
            Step::Cctrl(line) => {
                let command: CctrlCommand = line.parse().unwrap();
                let at = t.host_id("db2").unwrap();
                machine::resolve_cctrl(&t, &s, at, &command).unwrap()
            }
            Step::Fault(f) => Input::Fault(f(&t)),
        };
        s = machine::apply_with(&t, &s, &input, &rules)
            .map_err(|r| r.refusal.rule())?
            .state;
    }
    Ok((t, s))
}

fn without(rule: impl Fn(&mut Rules)) -> (Rules, Rules) {
    let mut guarded = Rules::default();
    rule(&mut guarded);
    let mut bare = guarded;
    bare.guard = false;
    (guarded, bare)
}

#[test]
fn single_writable_master_fires_without_the_one_online_master_rule() {
    let steps = [
        Step::Cctrl("set policy maintenance"),
        Step::Cctrl("datasource db2 offline"),
        Step::Cctrl("replicator db2 offline"),
        Step::Cctrl("replicator db2 master"),
        Step::Cctrl("datasource db2 master"),
        Step::Cctrl("datasource db2 online"),
    ];
    assert_eq!(run(Rules::default(), &steps), Err("one-online-master"));
    let (guarded, bare) = without(|r| r.one_online_master = false);
    assert_eq!(run(guarded, &steps), Err("invariant-guard"));
    assert_eq!(run(bare, &steps), Ok(Some(Invariant::SingleWritableMaster)));
}

#[test]
fn single_extractor_fires_without_the_single_extractor_rule() {
    let steps = [
        Step::Cctrl("set policy maintenance"),
        Step::Cctrl("replicator db2 offline"),
        Step::Cctrl("replicator db2 master"),
        Step::Cctrl("replicator db2 online"),
    ];
    assert_eq!(run(Rules::default(), &steps), Err("datasource-state"));
    let (guarded, bare) = without(|r| r.single_extractor = false);
    assert_eq!(run(guarded, &steps), Err("invariant-guard"));
    assert_eq!(run(bare, &steps), Ok(Some(Invariant::SingleExtractor)));
}

#[test]
fn replication_source_fires_without_repointing_slaves() {
    let steps = [Step::Fault(|t| Fault::HostCrash(t.host_id("db1").unwrap()))];
    assert_eq!(run(Rules::default(), &steps), Ok(None));
    // A fault is no operator input: the guard does not apply, the rule alone protects.
    let (_, bare) = without(|r| r.repoint_slaves = false);
    assert_eq!(run(bare, &steps), Ok(Some(Invariant::ReplicationSource)));
}

#[test]
fn position_order_fires_without_the_lineage_rule() {
    let steps = [
        Step::Cctrl("set policy manual"),
        Step::Fault(|t| Fault::Write(t.host_id("db1").unwrap())),
        Step::Fault(|t| Fault::CatchUp(t.host_id("db3").unwrap())),
        Step::Fault(|t| Fault::HostCrash(t.host_id("db1").unwrap())),
        Step::Cctrl("failover to db2"),
    ];
    // With the rule, db3 (ahead of db2) stops in OFFLINE:ERROR instead of applying.
    assert_eq!(run(Rules::default(), &steps), Ok(None));
    let (guarded, bare) = without(|r| r.lineage = false);
    assert_eq!(run(guarded, &steps), Err("invariant-guard"));
    assert_eq!(run(bare, &steps), Ok(Some(Invariant::PositionOrder)));
}

/// `check_all` lists every break once: three extractors that reach each other are one
/// `single-extractor` break naming all three, and `check` returns the first of the list.
#[test]
fn check_all_reports_three_extractors_as_one_break() {
    let steps = [
        Step::Cctrl("set policy maintenance"),
        Step::Cctrl("replicator db2 offline"),
        Step::Cctrl("replicator db2 master"),
        Step::Cctrl("replicator db2 online"),
        Step::Cctrl("replicator db3 offline"),
        Step::Cctrl("replicator db3 master"),
        Step::Cctrl("replicator db3 online"),
    ];
    let (_, bare) = without(|r| r.single_extractor = false);
    let (t, s) = after(bare, &steps).unwrap();
    let all = invariant::check_all(&t, &s);
    let extractors: Vec<_> = all
        .iter()
        .filter(|v| v.invariant == Invariant::SingleExtractor)
        .collect();
    assert_eq!(extractors.len(), 1, "{all:?}");
    assert_eq!(extractors[0].hosts, HostSet::of(t.host_ids()));
    assert_eq!(invariant::check(&t, &s), all.first().copied());
}

/// A master is writable only while its host is up with its dataserver running: under
/// MAINTENANCE the managers still hold db1 as the ONLINE master after its dataserver stops.
#[test]
fn a_master_whose_dataserver_stopped_is_not_writable() {
    let (t, healthy) = after(Rules::default(), &[]).unwrap();
    let alpha = t.host(t.host_id("db1").unwrap()).service;
    let all = HostSet::of(t.host_ids());
    let db1 = HostSet::of([t.host_id("db1").unwrap()]);
    assert_eq!(invariant::writable_masters(&t, &healthy, alpha, all), db1);
    let steps = [
        Step::Cctrl("set policy maintenance"),
        Step::Fault(|t| Fault::Stop(t.host_id("db1").unwrap(), Process::DataServer)),
    ];
    let (t, s) = after(Rules::default(), &steps).unwrap();
    let held = s
        .view(t.host_id("db2").unwrap())
        .entry(t.host_id("db1").unwrap());
    assert!(held.is_online_master());
    assert!(invariant::writable_masters(&t, &s, alpha, all).is_empty());
}
