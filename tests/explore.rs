//! The explorer's results: what holds at every depth it reaches, and the counterexamples it
//! finds by itself when a rule is removed or an assumption is wrong. Each test prints its
//! state counts (`cargo test --release --test explore -- --nocapture`).
#![allow(
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "a test fails by panicking and reports its counts"
)]

use tungsten_model::command::DatasourceAction as Ds;
use tungsten_model::explore::{
    self, Alphabet, Config, Exploration, Inputs, Stop, Typing, dangerous,
};
use tungsten_model::fault::Fault;
use tungsten_model::machine::{self, CctrlOp, Input, Invariant, ReplicatorOp, Rules, invariant};
use tungsten_model::model::{PolicyMode, State, Topology};

fn three() -> (Topology, State) {
    let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
    let s = State::healthy(&t);
    (t, s)
}

/// A two-site active/passive composite: `east` (db1 master, db2) active, `west` (db4 relay
/// reading db1, db5) passive, as a composite with no listing starts.
fn composite() -> (Topology, State) {
    let spec: tungsten_model::model::TopologySpec = serde_json::from_str(
        r#"{"services": [{"name": "east", "datasources": ["db1", "db2"]}, {"name": "west", "datasources": ["db4", "db5"]}], "composites": [{"name": "global", "members": ["east", "west"]}]}"#,
    )
    .unwrap();
    let t = Topology::try_from(spec).unwrap();
    let s = State::healthy(&t);
    (t, s)
}

/// Every cctrl command and fault, partitions between the sites included, on an
/// active/passive composite, with at most `failures` failures on a path: no invariant
/// breaks (one writable master across the composite's sites), and more than `states` states
/// were checked. An independent review's probe of this space found, five deep, a passive site
/// promoting a master beside the active one across a partition (its relay made a slave and
/// repointed inside the site first); `passive_site` now holds a site without a master passive
/// while another site holds one.
fn composite_holds(depth: usize, failures: u8, states: u64) {
    let (t, s) = composite();
    assert!(invariant::check(&t, &s).is_none());
    holds_in(
        "composite, every cctrl command and fault",
        (&t, &s),
        (failures, depth),
        states,
    );
}

#[test]
fn an_active_passive_composite_keeps_the_invariants() {
    composite_holds(3, 2, 2_000);
}

/// Five deep (12.2 million states, 391 million transitions, since each site's managers are
/// typed into; 2.89 million and 92 million before, when six deep took 18.4 million states,
/// some three minutes).
#[test]
#[ignore = "about 50 s in a release build; .ci/run runs it"]
fn an_active_passive_composite_keeps_the_invariants_five_deep() {
    composite_holds(5, 2, 1_000_000);
}

/// The rules with `datasource X online`'s check for another online master removed, and the
/// guard that would catch the break off.
fn without_the_one_master_rule() -> Rules {
    Rules {
        one_online_master: false,
        guard: false,
        ..Rules::default()
    }
}

fn config(depth: usize) -> Config {
    Config {
        depth,
        threads: 2,
        ..Config::default()
    }
}

fn report(name: &str, e: &Exploration) {
    eprintln!(
        "{name}: {} states, {} transitions ({} accepted), depth {}, {:?}",
        e.states, e.transitions, e.accepted, e.depth, e.stop,
    );
    if let Some(trace) = &e.counterexample {
        eprintln!("{}", trace.render());
    }
}

/// Every cctrl command (force aside) and every fault, on a healthy three-node cluster: no
/// invariant breaks at any depth reached.
#[test]
fn every_cctrl_command_and_fault_keeps_the_invariants() {
    let (t, s) = three();
    let e = explore::explore(&t, &s, &config(3), |_| {});
    report("every cctrl command and fault", &e);
    assert_eq!(e.stop, Stop::Depth);
    assert!(e.counterexample.is_none());
    assert!(e.states > 10_000, "{} states", e.states);
}

/// The commands that move the master role and the faults that make managers act, ten deep
/// (1.64 million states: a release build takes about a minute, so `.ci/run` runs it with
/// `--release --include-ignored`).
#[test]
#[ignore = "about a minute in a release build; .ci/run runs it"]
fn dangerous_commands_and_faults_keep_the_invariants_ten_deep() {
    let (t, s) = three();
    let inputs = Inputs::new(&t, &s, Alphabet::CCTRL_AND_FAULTS, 1).retain(|i| {
        dangerous(i)
            && !matches!(
                i,
                Input::Fault(Fault::Partition(_) | Fault::Heal | Fault::CatchUp(_))
            )
            && !matches!(
                i,
                Input::Cctrl {
                    op: CctrlOp::Datasource(_, Ds::Shun),
                    ..
                }
            )
    });
    let e = explore::explore_with(&t, &s, &config(10), &inputs, |_| {});
    report("dangerous commands and faults", &e);
    assert!(e.counterexample.is_none());
    assert!(e.depth >= 10 || e.stop == Stop::Exhausted, "{:?}", e.stop);
}

/// Every cctrl command (force aside) with writes and catching up but no failure, nine deep
/// (11.7 million states, 10.4 million before a promotion left stopped replicators' sources
/// alone; about 40 s on two cores in a release build: `.ci/run` runs it; the
/// README gives depth 10 through `check explore --max-failures 0`).
#[test]
#[ignore = "about 40 s in a release build; .ci/run runs it"]
fn every_cctrl_command_without_failures_keeps_the_invariants_nine_deep() {
    holds_under_a_failure_budget("every cctrl command, no failure", 0, 9, 5_000_000);
}

/// Every cctrl command and any one failure (any fault; then any recovery), six deep (4.46
/// million states, 4.14 million before a promotion left stopped replicators' sources alone; the README gives depth 8 through `check explore --max-failures 1`).
#[test]
#[ignore = "about 10 s in a release build; .ci/run runs it"]
fn every_cctrl_command_and_one_failure_keeps_the_invariants_six_deep() {
    holds_under_a_failure_budget("every cctrl command, one failure", 1, 6, 2_000_000);
}

/// Every cctrl command and fault with at most `failures` failures on a path, `depth` deep: no
/// invariant breaks, and more than `states` states were checked.
fn holds_under_a_failure_budget(name: &str, failures: u8, depth: usize, states: u64) {
    let (t, s) = three();
    holds_in(name, (&t, &s), (failures, depth), states);
}

/// Every cctrl command and fault from `start`, with at most `failures` failures on a path,
/// `depth` deep: no invariant breaks, and more than `states` states were checked.
fn holds_in(name: &str, start: (&Topology, &State), (failures, depth): (u8, usize), states: u64) {
    let (t, s) = start;
    let config = Config {
        max_failures: Some(failures),
        ..config(depth)
    };
    let e = explore::explore(t, s, &config, |_| {});
    report(name, &e);
    assert!(e.counterexample.is_none());
    assert!(
        e.depth >= depth || e.stop == Stop::Exhausted,
        "{:?}",
        e.stop
    );
    assert!(e.states > states, "{} states", e.states);
}

/// With the rule that `datasource X online` checks for another online master removed (and
/// the guard off), the explorer finds by itself the shortest way to two writable masters.
#[test]
fn without_the_one_master_rule_the_shortest_counterexample_is_found() {
    let (t, s) = three();
    let rules = without_the_one_master_rule();
    let deep = Config { rules, ..config(6) };
    let inputs = Inputs::new(&t, &s, Alphabet::CCTRL_AND_FAULTS, 1).retain(dangerous);
    let e = explore::explore_with(&t, &s, &deep, &inputs, |_| {});
    report("one-online-master removed", &e);
    let trace = e.counterexample.as_ref().unwrap();
    assert_eq!(trace.violation.invariant, Invariant::SingleWritableMaster);
    // The trace replays under the same rules to a broken state, and under the full rules
    // one of its inputs is refused.
    let mut state = s;
    for step in &trace.steps {
        state = machine::step(&t, &state, &step.input, &rules, &mut ()).unwrap();
    }
    assert!(invariant::check(&t, &state).is_some());
    let inputs: Vec<Input> = trace.steps.iter().map(|s| s.input).collect();
    assert!(machine::apply_all(&t, &s, &inputs).is_err());
    // Shortest: nothing one input shorter breaks.
    let shorter = Config {
        rules,
        ..config(trace.len() - 1)
    };
    let inputs = Inputs::new(&t, &s, Alphabet::CCTRL_AND_FAULTS, 1).retain(dangerous);
    let e = explore::explore_with(&t, &s, &shorter, &inputs, |_| {});
    assert!(e.counterexample.is_none());
    let runbook = trace.runbook(&t);
    assert!(
        runbook.contains("> /opt/continuent/tungsten/tungsten-manager/bin/cctrl\ncctrl> "),
        "{runbook}"
    );
    // Rendered: the numbered inputs, what broke, then each listing after a blank line, each
    // ending in one newline.
    let text = trace.render();
    assert!(text.starts_with("  1. "), "{text}");
    assert!(
        text.contains("\nthen: invariant single-writable-master broken"),
        "{text}"
    );
    assert!(text.contains("\n\nCOORDINATOR["), "{text}");
    assert!(text.ends_with('\n') && !text.ends_with("\n\n"), "{text:?}");
    // An exploration and its trace read back from JSON as they were written (an embedder's
    // review found them serialise-only).
    let json = serde_json::to_string(&trace).unwrap();
    assert_eq!(
        serde_json::from_str::<explore::Trace>(&json).unwrap(),
        *trace
    );
    // From the broken state itself, the counterexample takes no input.
    let e = explore::explore_with(&t, &state, &config(1), &inputs_of(&t, &state), |_| {});
    let json = serde_json::to_string(&e).unwrap();
    assert_eq!(serde_json::from_str::<Exploration>(&json).unwrap(), e);
    let here = e.counterexample.unwrap();
    assert!(here.is_empty());
    assert_eq!(here.len(), 0);
    assert!(
        here.render()
            .starts_with("then: invariant single-writable-master broken")
    );
}

fn inputs_of(t: &Topology, s: &State) -> Inputs {
    Inputs::new(t, s, Alphabet::CCTRL_AND_FAULTS, 1)
}

/// Seed 004 ("last man standing") assumes db1 and db3 are down. If db3 is alive behind a
/// partition instead and its side is forced too, the explorer finds two writable masters,
/// without being told the trace: it has to find the partition, the forced welcome and
/// promotion on db2's side, and the forced return of db3 on the other.
#[test]
fn last_man_standing_forced_on_both_sides_of_a_partition_gives_two_masters() {
    let (t, healthy) = three();
    let db1 = t.host_id("db1").unwrap();
    // db1 crashes; the managers fail over to db2.
    let s = machine::apply(&t, &healthy, &Input::Fault(Fault::HostCrash(db1)))
        .unwrap()
        .state;
    let procedure = |input: &Input| match input {
        Input::Cctrl { op, .. } => matches!(
            op,
            CctrlOp::SetPolicy(PolicyMode::Maintenance)
                | CctrlOp::SetForce(true)
                | CctrlOp::Datasource(_, Ds::Welcome | Ds::Master | Ds::Online)
                | CctrlOp::Replicator(_, ReplicatorOp::Master | ReplicatorOp::Online)
        ),
        Input::Fault(Fault::Partition(_)) => true,
        _ => false,
    };
    let inputs = Inputs::new(&t, &s, Alphabet::ALL, 0).retain(procedure);
    let config = Config {
        typing: Typing::OnePerGroup,
        ..config(9)
    };
    let e = explore::explore_with(&t, &s, &config, &inputs, |_| {});
    report("forced on both sides of a partition", &e);
    let trace = e.counterexample.as_ref().unwrap();
    assert_eq!(trace.violation.invariant, Invariant::SingleWritableMaster);
    assert!(
        trace
            .steps
            .iter()
            .any(|s| matches!(s.input, Input::Fault(Fault::Partition(_))))
    );
    let forced_at: Vec<_> = trace
        .steps
        .iter()
        .filter_map(|s| match s.input {
            Input::Cctrl {
                at,
                op: CctrlOp::SetForce(true),
            } => Some(at),
            _ => None,
        })
        .collect();
    assert!(
        forced_at.len() >= 2,
        "forced on one side only: {forced_at:?}"
    );
    // Without force, the same exploration finds nothing.
    let unforced = Inputs::new(&t, &s, Alphabet::ALL, 0).retain(|i| {
        procedure(i)
            && !matches!(
                i,
                Input::Cctrl {
                    op: CctrlOp::SetForce(_),
                    ..
                }
            )
    });
    let e = explore::explore_with(&t, &s, &config, &unforced, |_| {});
    report("same, without force", &e);
    assert!(e.counterexample.is_none());
}

/// `pg_auto_failover` #1032, in Tungsten terms: the master is frozen (cut off, still running),
/// the managers fail over, and the old master comes back. It must not be writable beside
/// the new one, whatever the operator does with the dangerous commands in between (taking a
/// datasource offline and changing the policy among them: since `welcome` refuses an old
/// master beside the ONLINE new one, that is the operator's way to welcome it back).
#[test]
fn a_frozen_master_returning_after_a_failover_is_not_writable() {
    let (t, s) = three();
    let db1 = t.host_id("db1").unwrap();
    let inputs = Inputs::new(&t, &s, Alphabet::CCTRL_AND_FAULTS, 1).retain(|i| match i {
        // Freezing db1: it is cut off from the others and later rejoins them.
        Input::Fault(Fault::Partition(split)) => {
            let labels = split.labels();
            let db1_label = labels[db1.index()];
            t.host_ids()
                .filter(|&h| h != db1)
                .all(|h| labels[h.index()] != db1_label && labels[h.index()] == labels[1])
        }
        Input::Fault(Fault::Heal | Fault::Write(_) | Fault::CatchUp(_)) => true,
        Input::Cctrl { op, .. } => matches!(
            op,
            CctrlOp::Datasource(_, Ds::Welcome | Ds::Online | Ds::Offline | Ds::Recover)
                | CctrlOp::Recover
                | CctrlOp::Failover(None)
                | CctrlOp::SetPolicy(_)
        ),
        _ => false,
    });
    let e = explore::explore_with(&t, &s, &config(8), &inputs, |_| {});
    report("frozen master returns", &e);
    assert!(e.counterexample.is_none());
    assert!(e.states > 100);
}

/// orchestrator #854, in Tungsten terms: a graceful switch with a fault striking before or
/// after it (the model's switch is one transition: the managers run it as a unit, so a fault
/// lands between its steps only as a fault before or after it), and then anything the
/// managers or the operator do to recover.
#[test]
fn a_switch_interrupted_by_any_fault_keeps_the_invariants() {
    let (t, s) = three();
    let inputs = Inputs::new(&t, &s, Alphabet::CCTRL_AND_FAULTS, 1).retain(|i| match i {
        Input::Fault(_) => true,
        Input::Cctrl { op, .. } => matches!(
            op,
            CctrlOp::Switch(_) | CctrlOp::Recover | CctrlOp::Datasource(_, Ds::Recover)
        ),
        _ => false,
    });
    let e = explore::explore_with(&t, &s, &config(4), &inputs, |_| {});
    report("switch interrupted", &e);
    assert!(e.counterexample.is_none());
    assert!(e.states > 1000);
}

/// One thread and two find the same states and counterexamples of the same length (the
/// traces are the same too since levels keep one thread's order; the unit test
/// `any_thread_count_finds_what_one_thread_finds` compares them).
#[test]
fn one_thread_and_two_agree() {
    let (t, s) = three();
    let rules = without_the_one_master_rule();
    let inputs = Inputs::new(&t, &s, Alphabet::CCTRL_AND_FAULTS, 1).retain(dangerous);
    let run = |threads| {
        let config = Config {
            rules,
            threads,
            ..config(4)
        };
        explore::explore_with(&t, &s, &config, &inputs, |_| {})
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(one.states, two.states);
    assert_eq!(one.transitions, two.transitions);
    assert_eq!(
        one.counterexample.map(|c| c.len()),
        two.counterexample.map(|c| c.len())
    );
}

/// What a plain breadth-first search finds over every cctrl command and fault.
struct PlainSearch {
    /// Distinct states, transitions tried and transitions accepted, after each depth.
    counts: Vec<(u64, u64, u64)>,
    /// Distinct (state, failures spent) pairs, and distinct states.
    keys: usize,
    clusters: usize,
}

/// A breadth-first search written with a `HashSet` of whole states, to `depth`. Under a
/// failure `budget` it keeps (state, failures spent) pairs and tries no failure once the
/// budget is spent; without one, every failure costs nothing.
fn plain_search(budget: Option<u8>, depth: usize) -> PlainSearch {
    use std::collections::HashSet;
    let (t, s) = three();
    let inputs = Inputs::new(&t, &s, Alphabet::CCTRL_AND_FAULTS, 1);
    let rules = Rules::default();
    let cost = |input: &Input| u8::from(budget.is_some() && input.is_failure());
    let (mut states, mut transitions, mut accepted) = (1_u64, 0_u64, 0_u64);
    let mut seen = HashSet::from([(s, 0_u8)]);
    let mut frontier = vec![(s, 0_u8)];
    let mut buffer = Vec::new();
    let mut counts = Vec::new();
    for _ in 1..=depth {
        let mut next = Vec::new();
        for &(state, spent) in &frontier {
            inputs.fill(&state, Typing::OnePerGroup, &mut buffer);
            for input in &buffer {
                if cost(input) > 0 && budget.is_some_and(|b| spent >= b) {
                    continue;
                }
                transitions += 1;
                if let Ok(n) = machine::step(&t, &state, input, &rules, &mut ()) {
                    accepted += 1;
                    let key = (n, spent + cost(input));
                    if seen.insert(key) {
                        next.push(key);
                    }
                }
            }
        }
        states += next.len() as u64;
        frontier = next;
        counts.push((states, transitions, accepted));
    }
    let clusters = seen.iter().map(|(state, _)| *state).collect::<HashSet<_>>();
    PlainSearch {
        counts,
        keys: seen.len(),
        clusters: clusters.len(),
    }
}

/// The explorer's counts, on one thread and on two, against [`plain_search`]'s at every depth
/// to 3.
fn assert_counts_match(budget: Option<u8>) -> PlainSearch {
    let (t, s) = three();
    let plain = plain_search(budget, 3);
    for (depth, &counts) in (1..).zip(&plain.counts) {
        for threads in [1, 2] {
            let config = Config {
                depth,
                alphabet: Alphabet::CCTRL_AND_FAULTS,
                threads,
                max_failures: budget,
                ..Config::default()
            };
            let e = explore::explore(&t, &s, &config, |_| {});
            assert_eq!(
                (e.states, e.transitions, e.accepted, e.depth),
                (counts.0, counts.1, counts.2, depth),
                "budget {budget:?}, depth {depth}, {threads} thread(s)"
            );
            let per_state = e.seen_bytes_per_state();
            #[expect(clippy::cast_precision_loss, reason = "a ratio")]
            let expected = e.seen_bytes as f64 / e.states as f64;
            assert!((per_state - expected).abs() < 1e-9 && per_state >= 8.0);
        }
    }
    plain
}

/// The explorer's counts against a plain breadth-first search written with a `HashSet` of
/// whole states: the same distinct states, transitions and accepted transitions per depth, on
/// one thread and on two.
#[test]
fn the_counts_match_a_plain_breadth_first_search() {
    let plain = assert_counts_match(None);
    assert!(plain.keys > 15_000, "{}", plain.keys);
}

/// Under a failure budget the explorer's counts match a plain breadth-first search over
/// (state, failures spent) pairs: failures are not tried once the budget is spent, and the
/// same cluster reached with fewer failures spent is a state of its own.
#[test]
fn a_failure_budget_explores_states_with_the_failures_spent() {
    assert_counts_match(Some(0));
    let one = assert_counts_match(Some(1));
    // Reaching a cluster with a failure in hand is not reaching it with none.
    assert!(one.keys > one.clusters, "{} {}", one.keys, one.clusters);
    // No budget at all goes further than a budget of one.
    let (t, s) = three();
    let unbounded = explore::explore(&t, &s, &config(3), |_| {});
    let budget = Config {
        max_failures: Some(1),
        ..config(3)
    };
    assert!(unbounded.transitions > explore::explore(&t, &s, &budget, |_| {}).transitions);
}

/// `Inputs::len` bounds what `fill` gives in any state, and is reached when every manager
/// runs and cctrl goes to each; writes stop at the bound.
#[test]
fn inputs_are_bounded_and_writes_stop_at_the_bound() {
    let (t, s) = three();
    let inputs = Inputs::new(&t, &s, Alphabet::ALL, 1);
    let mut buffer = Vec::new();
    inputs.fill(&s, Typing::EveryManager, &mut buffer);
    assert_eq!(buffer.len(), inputs.len());
    inputs.fill(&s, Typing::OnePerGroup, &mut buffer);
    assert!(buffer.len() < inputs.len());
    let db1 = t.host_id("db1").unwrap();
    // Every `replicator <host> slave <other host>`, never a host slave of itself.
    let db2 = t.host_id("db2").unwrap();
    let slave_of = |h, m| Input::Cctrl {
        at: db1,
        op: CctrlOp::Replicator(h, ReplicatorOp::Slave(Some(m))),
    };
    assert!(buffer.contains(&slave_of(db1, db2)) && buffer.contains(&slave_of(db2, db1)));
    assert!(!buffer.contains(&slave_of(db1, db1)));
    let write = Input::Fault(Fault::Write(db1));
    assert!(buffer.contains(&write));
    let after = machine::step(&t, &s, &write, &Rules::default(), &mut ()).unwrap();
    inputs.fill(&after, Typing::EveryManager, &mut buffer);
    assert!(
        !buffer.contains(&write),
        "a second write past the bound of one"
    );
    assert!(buffer.len() < inputs.len());
}

/// The stateright model (feature `stateright`) is the same model: its BFS reaches exactly the
/// explorer's states, it holds where the explorer holds, and with the one-master rule removed
/// it finds a break exactly as deep as the explorer's shortest (none shallower).
#[cfg(feature = "stateright")]
#[test]
fn stateright_checks_the_same_model() {
    use stateright::{Checker, Model};
    use tungsten_model::checker::TungstenModel;
    let (t, s) = three();
    for depth in [1, 2, 3] {
        let config = Config {
            depth,
            alphabet: Alphabet::CCTRL_AND_FAULTS,
            ..config(depth)
        };
        let ours = explore::explore(&t, &s, &config, |_| {});
        let model = TungstenModel::new(t.clone(), s, &config);
        assert_eq!(model.topology(), &t);
        // stateright counts the starting state as depth 1.
        let checker = model
            .checker()
            .target_max_depth(depth + 1)
            .spawn_bfs()
            .join();
        checker.assert_properties();
        assert_eq!(
            checker.unique_state_count() as u64,
            ours.states,
            "depth {depth}"
        );
    }
    let rules = without_the_one_master_rule();
    let config = Config { rules, ..config(6) };
    let inputs = Inputs::new(&t, &s, Alphabet::CCTRL_AND_FAULTS, 1).retain(dangerous);
    let ours = explore::explore_with(&t, &s, &config, &inputs, |_| {});
    let shortest = ours.counterexample.as_ref().unwrap().len();
    let model = TungstenModel::with_inputs(t.clone(), s, &config, inputs);
    let check = |inputs: usize| {
        let depth = TungstenModel::target_depth(inputs);
        model
            .clone()
            .checker()
            .target_max_depth(depth)
            .spawn_bfs()
            .join()
    };
    assert!(
        check(shortest - 1)
            .discovery("every invariant holds")
            .is_none()
    );
    let path = check(shortest).discovery("every invariant holds").unwrap();
    assert_eq!(path.into_actions().len(), shortest);
    let mut actions = Vec::new();
    model.actions(&s, &mut actions);
    assert!(!actions.is_empty());
    assert_eq!(model.format_action(&actions[0]), actions[0].render(&t));
}

/// Inputs built for a larger topology explore a smaller one as its own inputs do: those naming
/// hosts it lacks are left out, as `machine::step` refuses them (found in review: they went
/// through the explorer's own transitions unchecked and wrote slots past the last host).
#[test]
fn inputs_of_a_larger_topology_explore_as_the_topologys_own() {
    let (t, s) = three();
    let five = Topology::single("alpha", &["db1", "db2", "db3", "db4", "db5"]).unwrap();
    let config = Config {
        alphabet: Alphabet::CCTRL_AND_FAULTS,
        threads: 1,
        ..config(3)
    };
    let no_partition = |i: &Input| !matches!(i, Input::Fault(Fault::Partition(_) | Fault::Heal));
    let own = Inputs::new(&t, &s, config.alphabet, config.writes).retain(no_partition);
    let larger = Inputs::new(
        &five,
        &State::healthy(&five),
        config.alphabet,
        config.writes,
    )
    .retain(no_partition);
    assert!(larger.len() > own.len());
    let a = explore::explore_with(&t, &s, &config, &own, |_| {});
    let b = explore::explore_with(&t, &s, &config, &larger, |_| {});
    assert_eq!((b.states, b.transitions), (a.states, a.transitions));
}

/// A trace's runbook starts cctrl again after the manager its session typed into stopped or
/// restarted, and only then: not after an input that left the session as it was, nor after a
/// cctrl command that changed it (`set force true` is typed in the session it changes). Five
/// mutants of this rule survived every test (a replay reaches the same states either way).
#[test]
fn a_trace_starts_cctrl_again_only_where_its_session_ended() {
    use tungsten_model::command::Lifecycle;
    use tungsten_model::explore::Trace;
    use tungsten_model::machine::{HostOp, Install, TrepctlOp, Violation};
    use tungsten_model::model::{HostSet, ServiceId};
    let (t, s) = three();
    let [db1, db2] = ["db1", "db2"].map(|h| t.host_id(h).unwrap());
    let policy = |to| Input::Cctrl {
        at: db1,
        op: CctrlOp::SetPolicy(to),
    };
    let manager = |l| Input::Host {
        on: db1,
        op: HostOp::Manager(l),
    };
    let runbook = |inputs: &[Input]| {
        let violation = Violation {
            invariant: Invariant::SingleWritableMaster,
            service: ServiceId::from_index(0).unwrap(),
            hosts: HostSet::EMPTY,
        };
        let trace = Trace::replay(&t, &s, inputs, Rules::default(), violation);
        assert_eq!(trace.len(), inputs.len());
        trace.runbook(&t)
    };
    let starts = |text: &str| {
        text.matches("shell db1> /opt/continuent/tungsten/tungsten-manager/bin/cctrl\n")
            .count()
    };
    // The manager stopped and started: cctrl again.
    let text = runbook(&[
        policy(PolicyMode::Maintenance),
        manager(Lifecycle::Stop),
        manager(Lifecycle::Start),
        policy(PolicyMode::Automatic),
    ]);
    assert_eq!(starts(&text), 2, "{text}");
    // A step on another host leaves the session: one start.
    let offline = Input::Trepctl {
        on: db2,
        target: db2,
        install: Install::Cluster,
        op: TrepctlOp::Offline,
    };
    let text = runbook(&[
        policy(PolicyMode::Maintenance),
        offline,
        policy(PolicyMode::Automatic),
    ]);
    assert_eq!(starts(&text), 1, "{text}");
    // `set force true` changes the session it is typed in: one start, force typed once.
    let force = Input::Cctrl {
        at: db1,
        op: CctrlOp::SetForce(true),
    };
    let text = runbook(&[force, policy(PolicyMode::Maintenance)]);
    assert_eq!(starts(&text), 1, "{text}");
    assert_eq!(text.matches("cctrl> set force true\n").count(), 1, "{text}");
}

/// A composite `failover` assumes the active site lost, not cut off (nothing across the sites
/// tells the two apart), as `set force true` assumes of what a manager cannot reach: offered
/// with force only. With it, the explorer finds by itself, three inputs deep, `use global` at
/// the passive site, a partition between the sites and `failover`: west's relay a master
/// beside east's, which east's managers keep in service.
#[test]
fn a_composite_failover_across_a_partition_is_found_by_the_explorer() {
    let (t, s) = composite();
    let forced = Config {
        alphabet: Alphabet {
            force: true,
            ..Alphabet::CCTRL_AND_FAULTS
        },
        ..config(3)
    };
    let e = explore::explore(&t, &s, &forced, |_| {});
    report("composite, with failover", &e);
    let trace = e.counterexample.as_ref().unwrap();
    assert_eq!(trace.violation.invariant, Invariant::SingleWritableMaster);
    let inputs: Vec<Input> = trace.steps.iter().map(|s| s.input).collect();
    // The explorer tries cctrl commands before faults: `use global` comes first.
    assert!(
        matches!(
            inputs.as_slice(),
            [
                Input::Cctrl {
                    op: CctrlOp::Use(_),
                    ..
                },
                Input::Fault(tungsten_model::fault::Fault::Partition(_)),
                Input::Cctrl {
                    op: CctrlOp::FailoverSite(None),
                    ..
                }
            ]
        ),
        "{inputs:?}"
    );
    // Without it, three inputs deep holds (`an_active_passive_composite_keeps_the_invariants`).
    let e = explore::explore(&t, &s, &config(3), |_| {});
    assert!(e.counterexample.is_none());
}

/// A start no engine state could be (here a five-node state explored as a three-node
/// topology, which `State::validate` refuses) is not explored: the explorer says so, with no
/// state counted (an embedder's review found 970 states explored from it without a word).
#[test]
fn an_invalid_start_is_not_explored() {
    let (t, _) = three();
    let five = Topology::single("alpha", &["db1", "db2", "db3", "db4", "db5"]).unwrap();
    let start = State::healthy(&five);
    assert!(start.validate(&t).is_err());
    let e = explore::explore(&t, &start, &config(2), |_| {});
    assert_eq!(e.stop, Stop::InvalidStart, "{e:?}");
    assert_eq!((e.states, e.transitions), (0, 0));
    assert!(e.counterexample.is_none());
    let (t, s) = three();
    assert_ne!(
        explore::explore(&t, &s, &config(1), |_| {}).stop,
        Stop::InvalidStart
    );
}

/// A session left in a service whose managers have all stopped since cannot be made again in
/// a runbook (`use` of that service is refused, `Refusal::NoServiceManager`): the trace's
/// runbook starts cctrl in the host's own service instead, where the command typed next (a
/// `use` of another service) reads the same. The replay property found `use west` written
/// before `use east`, and refused.
#[test]
fn a_traces_runbook_uses_no_service_whose_managers_all_stopped() {
    use tungsten_model::explore::Trace;
    use tungsten_model::fault::Process;
    use tungsten_model::machine::Violation;
    use tungsten_model::model::{HostSet, ServiceId};
    use tungsten_model::runbook::{self, Options, Runbook, Start};
    let t: Topology = serde_json::from_value(serde_json::json!({
        "services": [{"name": "east", "datasources": ["e1"]},
                     {"name": "west", "datasources": ["w1"]}],
    }))
    .unwrap();
    let [e1, w1] = ["e1", "w1"].map(|h| t.host_id(h).unwrap());
    let [east, west] = ["east", "west"].map(|s| t.service_id(s).unwrap());
    let rules = Rules::default();
    let mut s = State::healthy(&t);
    for input in [
        Input::Cctrl {
            at: e1,
            op: CctrlOp::Use(west),
        },
        Input::Fault(Fault::Stop(w1, Process::Manager)),
    ] {
        s = machine::step(&t, &s, &input, &rules, &mut ()).unwrap();
    }
    let back = Input::Cctrl {
        at: e1,
        op: CctrlOp::Use(east),
    };
    let violation = Violation {
        invariant: Invariant::SingleWritableMaster,
        service: ServiceId::from_index(0).unwrap(),
        hosts: HostSet::EMPTY,
    };
    let trace = Trace::replay(&t, &s, &[back], rules, violation);
    assert_eq!(trace.len(), 1);
    let text = trace.runbook(&t);
    assert!(!text.contains("use west"), "{text}");
    let plan: Runbook = text.parse().unwrap();
    let start = Start {
        topology: t.clone(),
        state: s,
        assumptions: Vec::new(),
    };
    let report = runbook::validate(
        &start,
        &plan,
        Options {
            settle: false,
            rules,
        },
    );
    assert!(report.steps.iter().all(|s| !s.rejected()), "{report}");
}

/// A trace gives each service's listing at its end typed, the very one it prints, so a tool
/// reads roles and states without parsing `Trace::listings` (an embedder's review).
#[test]
fn a_trace_gives_its_last_listings_typed() {
    use tungsten_model::explore::Trace;
    use tungsten_model::machine::Violation;
    use tungsten_model::model::{HostSet, ServiceId};
    let (t, s) = three();
    let db1 = t.host_id("db1").unwrap();
    let alpha = ServiceId::from_index(0).unwrap();
    let violation = Violation {
        invariant: Invariant::SingleWritableMaster,
        service: alpha,
        hosts: HostSet::EMPTY,
    };
    let maintenance = Input::Cctrl {
        at: db1,
        op: CctrlOp::SetPolicy(PolicyMode::Maintenance),
    };
    let trace = Trace::replay(&t, &s, &[maintenance], Rules::default(), violation);
    let typed: Vec<String> = t
        .physical_services()
        .filter_map(|service| trace.listing(&t, service))
        .map(|listing| listing.to_string())
        .collect();
    assert_eq!(typed, trace.listings);
    let listing = trace.listing(&t, alpha).unwrap();
    assert_eq!(listing.coordinator.policy, PolicyMode::Maintenance);
    assert!(
        trace
            .listing(&t, ServiceId::from_index(3).unwrap())
            .is_none()
    );
}
