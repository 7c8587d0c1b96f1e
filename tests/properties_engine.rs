//! The engine's promises as properties, from healthy three- and five-node clusters:
//! accepted commands and faults never break an invariant, refusals change nothing, the
//! transition is deterministic, and no slot past the topology's last host ever changes (the
//! explorer's fingerprint and equality skip them).
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a test fails by panicking"
)]

mod support;

use proptest::prelude::*;
use tungsten_model::ls;
use tungsten_model::machine::{self, Input, Rules, invariant};
use tungsten_model::model::{State, Topology};
use tungsten_model::runbook;
use tungsten_model::strategy::{self, Alphabet};

fn three() -> Topology {
    Topology::single("alpha", &["db1", "db2", "db3"]).unwrap()
}

fn one() -> Topology {
    Topology::single("alpha", &["db1"]).unwrap()
}

fn five() -> Topology {
    Topology::single("alpha", &["db1", "db2", "db3", "db4", "db5"]).unwrap()
}

/// Run `inputs` from a healthy state under `rules` (the guard off: the specific rules alone
/// must keep the invariants); fail at the first accepted input that
/// leaves an invariant broken, saying which and after what.
fn holds(topology: &Topology, inputs: &[Input], rules: Rules) -> Result<(), TestCaseError> {
    let mut state = State::healthy(topology);
    let mut trace = Vec::new();
    for input in inputs {
        if let Ok(outcome) = machine::apply_with(topology, &state, input, &rules) {
            trace.push(format!("{input:?}"));
            if let Err(e) = outcome.state.validate(topology) {
                return Err(TestCaseError::fail(format!(
                    "an inconsistent state, {e}, after:\n  {}",
                    trace.join("\n  ")
                )));
            }
            if let Some(v) = invariant::check(topology, &outcome.state) {
                return Err(TestCaseError::fail(format!(
                    "{}\nafter:\n  {}",
                    v.describe(topology),
                    trace.join("\n  ")
                )));
            }
            state = outcome.state;
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(support::proptest_config("proptest-regressions/properties_engine.txt"))]

    #[test]
    fn no_invariant_breaks_without_force_three_nodes(inputs in strategy::sequence(&three(), Alphabet::UNFORCED, 24)) {
        holds(&three(), &inputs, Rules::unguarded())?;
    }

    #[test]
    fn no_invariant_breaks_without_partitions_three_nodes(inputs in strategy::sequence(&three(), Alphabet::NO_PARTITIONS, 24)) {
        holds(&three(), &inputs, Rules::unguarded())?;
    }

    #[test]
    fn no_invariant_breaks_without_force_five_nodes(inputs in strategy::sequence(&five(), Alphabet::UNFORCED, 24)) {
        holds(&five(), &inputs, Rules::unguarded())?;
    }

    #[test]
    fn no_invariant_breaks_without_partitions_five_nodes(inputs in strategy::sequence(&five(), Alphabet::NO_PARTITIONS, 24)) {
        holds(&five(), &inputs, Rules::unguarded())?;
    }

    /// A refused input changes nothing, names its input, and is refused the same way again;
    /// an accepted one gives the same outcome twice, and a state [`State::validate`] accepts.
    #[test]
    fn refusals_are_inert_and_apply_is_deterministic(inputs in strategy::sequence(&three(), Alphabet::ALL, 24)) {
        let t = three();
        let mut state = State::healthy(&t);
        for input in &inputs {
            let before = state;
            let first = machine::apply(&t, &state, input);
            let second = machine::apply(&t, &state, input);
            prop_assert_eq!(state, before);
            match (first, second) {
                (Ok(a), Ok(b)) => {
                    prop_assert_eq!(&a, &b);
                    // Forced and partitioned steps may break an invariant, never consistency.
                    prop_assert!(a.state.validate(&t).is_ok(), "{:?} after {:?}", a.state.validate(&t), input);
                    state = a.state;
                }
                (Err(a), Err(b)) => {
                    prop_assert_eq!(&a, &b);
                    prop_assert_eq!(a.input, *input);
                    prop_assert!(!a.render(&t).is_empty());
                }
                (a, b) => prop_assert!(false, "apply gave {:?} then {:?}", a.is_ok(), b.is_ok()),
            }
        }
    }

    /// Inputs drawn for a larger topology (five hosts; two sites and their services), applied
    /// to a three-node cluster: those naming what the cluster lacks are refused, and no
    /// input leaves a state [`State::validate`] rejects (acting on a host past the last would
    /// write slots it holds at their defaults).
    #[test]
    fn inputs_of_a_larger_topology_are_refused_or_keep_the_state_valid(
        five_node in strategy::sequence(&five(), Alphabet::ALL, 12),
        two_site in strategy::sequence(&two_sites(), Alphabet::ALL, 12),
    ) {
        let t = three();
        let mut state = State::healthy(&t);
        for input in five_node.iter().chain(&two_site) {
            match machine::apply(&t, &state, input) {
                Ok(outcome) => {
                    prop_assert!(outcome.state.validate(&t).is_ok(), "{:?} after {:?}", outcome.state.validate(&t), input);
                    state = outcome.state;
                }
                Err(r) if r.refusal.rule() == machine::Rule::InTopology => {
                    let says = r.render(&t);
                    prop_assert!(says.contains("db1, db2 and db3") || says.contains("services are alpha"), "{}", says);
                }
                Err(_) => {}
            }
        }
    }
}

fn two_sites() -> Topology {
    Topology::multisite(&[
        ("east", &["db1", "db2", "db3"]),
        ("west", &["db4", "db5", "db6"]),
    ])
    .unwrap()
}

/// Records what a transition reports.
#[derive(Default)]
struct Recorder {
    heard: usize,
}

impl machine::Observer for Recorder {
    fn effect(&mut self, _: machine::Effect) {
        self.heard += 1;
    }
    fn finding(&mut self, _: machine::Finding) {
        self.heard += 1;
    }
}

proptest! {
    #![proptest_config(support::proptest_config("proptest-regressions/properties_engine.txt"))]

    /// From any topology the strategies know and any state reachable in it without force,
    /// accepted inputs keep every invariant (partitions included). The starting state is
    /// reached without force too: a session forced on one side of a partition stays forced.
    #[test]
    fn no_invariant_breaks_from_reachable_states_without_force(
        (topology, state, inputs) in strategy::scenario(Alphabet::UNFORCED, 16).prop_flat_map(|(t, s)| {
            let inputs = strategy::sequence(&t, Alphabet::UNFORCED, 16);
            (Just(t), Just(s), inputs)
        })
    ) {
        holds_from(&topology, &state, &inputs, Rules::unguarded())?;
    }

    /// The same, force included, partitions excluded: the assumption behind force holds.
    #[test]
    fn no_invariant_breaks_from_reachable_states_without_partitions(
        (topology, state, inputs) in strategy::scenario(Alphabet::NO_PARTITIONS, 16).prop_flat_map(|(t, s)| {
            let inputs = strategy::sequence(&t, Alphabet::NO_PARTITIONS, 16);
            (Just(t), Just(s), inputs)
        })
    ) {
        holds_from(&topology, &state, &inputs, Rules::unguarded())?;
    }

    /// An observer hears about a transition only when it is accepted.
    #[test]
    fn a_refused_input_reports_nothing(
        (topology, state, inputs) in strategy::scenario(Alphabet::ALL, 16).prop_flat_map(|(t, s)| {
            let inputs = strategy::sequence(&t, Alphabet::ALL, 16);
            (Just(t), Just(s), inputs)
        })
    ) {
        let mut state = state;
        for input in &inputs {
            let mut recorder = Recorder::default();
            let before = state;
            match machine::step(&topology, &state, input, &Rules::default(), &mut recorder) {
                Ok(next) => state = next,
                Err(_) => {
                    prop_assert_eq!(recorder.heard, 0);
                    prop_assert_eq!(state, before);
                }
            }
        }
    }

    /// Built-in procedures are valid wherever they can be written, in states reached
    /// without partitions.
    #[test]
    fn procedures_are_valid_where_they_can_be_written(
        (topology, state) in prop_oneof![Just(one()), Just(three()), Just(five())].prop_flat_map(|t| {
            let s = strategy::reachable_state(&t, Alphabet::NO_PARTITIONS, 20);
            (Just(t), s)
        })
    ) {
        procedures_are_valid(&runbook::Start { topology, state, assumptions: Vec::new() })?;
    }

    /// The same in states reached with partitions (and without force).
    #[test]
    fn procedures_are_valid_where_they_can_be_written_across_partitions(
        (topology, state) in prop_oneof![Just(three()), Just(five())].prop_flat_map(|t| {
            let s = strategy::reachable_state(&t, Alphabet::UNFORCED, 20);
            (Just(t), s)
        })
    ) {
        procedures_are_valid(&runbook::Start { topology, state, assumptions: Vec::new() })?;
    }

    /// The same in states reached with force and partitions both, where a session forced on
    /// one side stays forced: a procedure relying on it must not rest on hosts that are up.
    #[test]
    fn procedures_are_valid_where_they_can_be_written_with_force_across_partitions(
        (topology, state) in prop_oneof![Just(three()), Just(five())].prop_flat_map(|t| {
            let s = strategy::reachable_state(&t, Alphabet::ALL, 20);
            (Just(t), s)
        })
    ) {
        procedures_are_valid(&runbook::Start { topology, state, assumptions: Vec::new() })?;
    }

    /// A site reset is valid wherever it can be written, either site reset from the other,
    /// in states of two sites reached without force (partitions included).
    #[test]
    fn reset_site_is_valid_where_it_can_be_written(
        (topology, state) in strategy::scenario_in(strategy::multisite_topology(), Alphabet::UNFORCED, 16)
    ) {
        let start = runbook::Start { topology, state, assumptions: Vec::new() };
        let written = [("east", "west"), ("west", "east")]
            .into_iter()
            .filter_map(|(bad, good)| runbook::reset_site(&start, bad, good).ok());
        for rb in written {
            let report = runbook::validate(&start, &rb, runbook::Options::default());
            prop_assert!(report.verdict == runbook::Verdict::Valid, "{}\n{}\n{:?}", rb, report, start.state);
        }
    }
}

/// Write every built-in procedure that can be written from `start` and validate each.
fn procedures_are_valid(start: &runbook::Start) -> Result<(), TestCaseError> {
    let hosts: Vec<String> = start
        .topology
        .hosts()
        .iter()
        .map(|h| h.name.to_string())
        .collect();
    let mut written = Vec::new();
    written.extend(runbook::last_man_standing(start, "alpha"));
    written.extend(runbook::primary_maintenance(start, "alpha", None));
    written.extend(runbook::switch_procedure(start, "alpha", None));
    written.extend(runbook::failover_procedure(start, "alpha", None));
    for h in &hosts {
        written.extend(runbook::switch_procedure(start, "alpha", Some(h)));
        written.extend(runbook::failover_procedure(start, "alpha", Some(h)));
        written.extend(runbook::replica_maintenance(start, h));
        written.extend(runbook::primary_maintenance(start, "alpha", Some(h)));
        written.extend(runbook::recover_replica(start, h));
        written.extend(runbook::recover_old_master(start, h));
    }
    for rb in written {
        let report = runbook::validate(start, &rb, runbook::Options::default());
        if report.verdict != runbook::Verdict::Valid {
            // Say where the procedure was written, as the listing its author would read.
            let (t, s) = (&start.topology, &start.state);
            let listing = t
                .host_ids()
                .next()
                .and_then(|h| ls::default_viewer(t, s, t.host(h).service))
                .map(|v| ls::project(t, s, v, None).to_string())
                .unwrap_or_default();
            prop_assert!(
                false,
                "{}\n{}\nwritten from:\n{}\n{:?}",
                rb,
                report,
                listing,
                s
            );
        }
    }
    Ok(())
}

fn holds_from(
    topology: &Topology,
    start: &State,
    inputs: &[Input],
    rules: Rules,
) -> Result<(), TestCaseError> {
    let mut state = *start;
    for input in inputs {
        if let Ok(outcome) = machine::apply_with(topology, &state, input, &rules) {
            if let Err(e) = outcome.state.validate(topology) {
                return Err(TestCaseError::fail(format!(
                    "an inconsistent state, {e}, after {input:?} from {state:?}"
                )));
            }
            if let Some(v) = invariant::check(topology, &outcome.state) {
                return Err(TestCaseError::fail(format!(
                    "{} after {input:?} from {state:?}",
                    v.describe(topology)
                )));
            }
            state = outcome.state;
        }
    }
    Ok(())
}

/// The procedure properties above check only the states where a procedure can be written:
/// make sure that is not almost never.
#[test]
fn procedures_get_written_in_many_reachable_states() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let t = three();
    let mut runner = TestRunner::deterministic();
    let states = strategy::reachable_state(&t, Alphabet::NO_PARTITIONS, 20);
    let (mut survivor, mut replica, mut old_master) = (0, 0, 0);
    let (mut replica_maintenance, mut primary_maintenance) = (0, 0);
    let (mut switch, mut failover) = (0, 0);
    for _ in 0..2000 {
        let state = states.new_tree(&mut runner).unwrap().current();
        let start = runbook::Start {
            topology: t.clone(),
            state,
            assumptions: Vec::new(),
        };
        survivor += usize::from(runbook::last_man_standing(&start, "alpha").is_ok());
        primary_maintenance +=
            usize::from(runbook::primary_maintenance(&start, "alpha", None).is_ok());
        switch += usize::from(runbook::switch_procedure(&start, "alpha", None).is_ok());
        failover += usize::from(runbook::failover_procedure(&start, "alpha", None).is_ok());
        for h in ["db1", "db2", "db3"] {
            switch += usize::from(runbook::switch_procedure(&start, "alpha", Some(h)).is_ok());
            failover += usize::from(runbook::failover_procedure(&start, "alpha", Some(h)).is_ok());
            replica += usize::from(runbook::recover_replica(&start, h).is_ok());
            old_master += usize::from(runbook::recover_old_master(&start, h).is_ok());
            replica_maintenance += usize::from(runbook::replica_maintenance(&start, h).is_ok());
        }
    }
    assert!(
        survivor >= 20 && replica >= 200 && old_master >= 50,
        "{survivor} {replica} {old_master}"
    );
    assert!(
        replica_maintenance >= 200 && primary_maintenance >= 50,
        "{replica_maintenance} {primary_maintenance}"
    );
    assert!(switch >= 200 && failover >= 20, "{switch} {failover}");
    // Across partitions (without force, and with it): the partitioned states among them,
    // where the properties above have most to check.
    for alphabet in [Alphabet::UNFORCED, Alphabet::ALL] {
        let states = strategy::reachable_state(&t, alphabet, 20);
        let mut written = 0;
        for _ in 0..2000 {
            let state = states.new_tree(&mut runner).unwrap().current();
            if !state.is_partitioned() {
                continue;
            }
            let start = runbook::Start {
                topology: t.clone(),
                state,
                assumptions: Vec::new(),
            };
            written += usize::from(runbook::switch_procedure(&start, "alpha", None).is_ok());
            for h in ["db1", "db2", "db3"] {
                written += usize::from(runbook::recover_replica(&start, h).is_ok());
                written += usize::from(runbook::replica_maintenance(&start, h).is_ok());
            }
        }
        assert!(written >= 50, "{written}");
    }
    // Site resets, from states of two sites reached without force.
    let scenarios = strategy::scenario_in(strategy::multisite_topology(), Alphabet::UNFORCED, 16);
    let mut resets = 0;
    for _ in 0..500 {
        let (topology, state) = scenarios.new_tree(&mut runner).unwrap().current();
        let start = runbook::Start {
            topology,
            state,
            assumptions: Vec::new(),
        };
        resets += usize::from(runbook::reset_site(&start, "east", "west").is_ok());
        resets += usize::from(runbook::reset_site(&start, "west", "east").is_ok());
    }
    assert!(resets >= 100, "{resets}");
}
