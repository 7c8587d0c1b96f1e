//! proptest strategies for the crate's types (feature `proptest`).
//!
//! They generate well-formed values: names that validate, reasons that print back, listings,
//! commands and runbooks whose text reads back to themselves, topologies (one service of 1 to
//! 5 datasources with or without a witness, or two sites), states reachable from a healthy
//! deployment, and engine inputs over a topology, biased toward the dangerous commands. Use
//! them to property-test code that consumes this crate's types, or your own procedures
//! against the model.

mod input;
mod listing;
mod text;
mod topology;

pub use input::{Alphabet, cctrl, fault, host, input, sequence, split, trepctl};
pub use listing::{datasource_state, host_name, listing, reason_text, service_name};
pub use text::{
    cctrl_command, host_command, host_ref, option_value, runbook, seqno, trepctl_command,
};
pub use topology::{
    composite_topology, multisite_topology, reachable_state, scenario, scenario_in, service_names,
    single_topology, topology,
};

/// What the strategies' own tests draw from.
#[cfg(test)]
pub(crate) mod draws {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;

    /// `n` values of `strategy`, the same on every run (a deterministic runner).
    pub(crate) fn draws<S: Strategy>(strategy: &S, n: usize) -> Vec<S::Value> {
        let mut runner = TestRunner::deterministic();
        (0..n)
            .map(|_| strategy.new_tree(&mut runner).unwrap().current())
            .collect()
    }
}
