//! The model as a [`stateright::Model`] (feature `stateright`), so that stateright's checkers
//! (breadth first, depth first, simulation) and its Explorer web UI run on the same states,
//! inputs and invariants as this crate's own [explorer](crate::explore).
//!
//! ```
//! use stateright::{Checker, Model};
//! use tungsten_model::checker::TungstenModel;
//! use tungsten_model::explore::{Alphabet, Config};
//! use tungsten_model::model::{State, Topology};
//!
//! let topology = Topology::single("alpha", &["db1", "db2", "db3"])?;
//! let start = State::healthy(&topology);
//! let config = Config { alphabet: Alphabet::CCTRL_AND_FAULTS, ..Config::default() };
//! let model = TungstenModel::new(topology, start, &config);
//! // Every state up to two inputs deep is checked (see `TungstenModel::target_depth`).
//! let checker = model.checker().target_max_depth(TungstenModel::target_depth(2)).spawn_bfs().join();
//! checker.assert_properties();
//! assert!(checker.unique_state_count() > 100);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use stateright::{Model, Property};

use crate::explore::{Config, Inputs, Typing};
use crate::machine::{self, Input, Rules, invariant};
use crate::model::{State, Topology};

/// A topology, a starting state and the inputs to try: the model stateright checks.
#[derive(Debug, Clone)]
pub struct TungstenModel {
    topology: Topology,
    start: State,
    inputs: Inputs,
    typing: Typing,
    rules: Rules,
}

impl TungstenModel {
    /// The model of `topology` from `start`, with the alphabet, typing, write bound and rules of
    /// `config` (its depth and threads are the checker's business: `target_max_depth`,
    /// `threads`). Its state and failure bounds are not carried over: stateright's states are
    /// cluster states alone, with no count of the failures spent reaching them.
    #[must_use]
    pub fn new(topology: Topology, start: State, config: &Config) -> Self {
        let inputs = Inputs::new(&topology, &start, config.alphabet, config.writes);
        Self {
            topology,
            start,
            inputs,
            typing: config.typing,
            rules: config.rules,
        }
    }

    /// The same with inputs prepared by the caller (see [`Inputs::retain`]).
    #[must_use]
    pub fn with_inputs(topology: Topology, start: State, config: &Config, inputs: Inputs) -> Self {
        Self {
            topology,
            start,
            inputs,
            typing: config.typing,
            rules: config.rules,
        }
    }

    /// The topology.
    #[must_use]
    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    /// The `target_max_depth` that makes stateright check every state up to `inputs` inputs
    /// deep: `inputs + 2`. stateright counts the starting state as depth 1, and a state at the
    /// target depth is counted but neither checked nor expanded (stateright 0.31, `bfs.rs`).
    /// With `inputs + 1` its count of unique states equals the explorer's at depth `inputs`,
    /// but the deepest of them go unchecked.
    #[must_use]
    pub const fn target_depth(inputs: usize) -> usize {
        inputs.saturating_add(2)
    }
}

impl Model for TungstenModel {
    type State = State;
    type Action = Input;

    fn init_states(&self) -> Vec<State> {
        vec![self.start]
    }

    fn actions(&self, state: &State, actions: &mut Vec<Input>) {
        self.inputs.fill(state, self.typing, actions);
    }

    fn next_state(&self, state: &State, action: Input) -> Option<State> {
        machine::step(&self.topology, state, &action, &self.rules, &mut ()).ok()
    }

    fn format_action(&self, action: &Input) -> String {
        action.render(&self.topology)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::always(
            "every invariant holds",
            |model: &Self, state: &State| invariant::check(&model.topology, state).is_none(),
        )]
    }
}
