//! The engine's promises as properties, from healthy three- and five-node clusters:
//! accepted commands and faults never break an invariant, refusals change nothing, and the
//! transition is deterministic.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a test fails by panicking"
)]

use proptest::prelude::*;
use tungsten_model::machine::{self, Input, Rules, invariant};
use tungsten_model::model::{State, Topology};
use tungsten_model::strategy::{self, Alphabet};

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(10_000)
}

fn three() -> Topology {
    Topology::single("alpha", &["db1", "db2", "db3"]).unwrap()
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
    #![proptest_config(ProptestConfig::with_cases(cases()))]

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
    /// an accepted one gives the same outcome twice.
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
                    state = a.state;
                }
                (Err(a), Err(b)) => {
                    prop_assert_eq!(a, b);
                    prop_assert_eq!(a.input, *input);
                    prop_assert!(!a.render(&t).is_empty());
                }
                (a, b) => prop_assert!(false, "apply gave {:?} then {:?}", a.is_ok(), b.is_ok()),
            }
        }
    }
}
