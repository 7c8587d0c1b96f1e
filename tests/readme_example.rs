//! The README's example of property-testing a runbook of one's own with the crate's
//! strategies: kept here so that it compiles and passes.
#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

// --- README: begin ---
use proptest::prelude::*;
use tungsten_model::model::Topology;
use tungsten_model::runbook::{self, FindingKind, Options, Runbook, Start};
use tungsten_model::strategy::{self, Alphabet};

/// Our switch procedure, as we would paste it into the team's wiki.
const OUR_SWITCH: &str = "\
[LOGICAL] /alpha > set policy maintenance
[LOGICAL] /alpha > switch
[LOGICAL] /alpha > set policy automatic
";

fn alpha() -> Topology {
    Topology::single("alpha", &["db1", "db2", "db3"]).unwrap()
}

proptest! {
    /// From any state that faults and operators can reach (no forced steps), our switch may
    /// be refused, but it never leaves the cluster breaking an invariant.
    #[test]
    fn our_switch_is_never_unsafe(
        state in strategy::reachable_state(&alpha(), Alphabet::UNFORCED, 8)
    ) {
        let book: Runbook = OUR_SWITCH.parse().unwrap();
        let start = Start { topology: alpha(), state, assumptions: Vec::new() };
        let report = runbook::validate(&start, &book, Options::default());
        let unsafe_steps = report
            .steps
            .iter()
            .filter(|s| s.findings.iter().any(|f| f.kind == FindingKind::Invariant))
            .count();
        prop_assert_eq!(unsafe_steps, 0, "{}", report);
    }
}
// --- README: end ---

/// The README shows this file's example verbatim.
#[test]
fn the_readme_shows_this_example() {
    let this = include_str!("readme_example.rs");
    let begin = this.find("// --- README: begin ---\n").unwrap() + 25;
    let end = this.find("// --- README: end ---").unwrap();
    assert!(include_str!("../README.md").contains(&this[begin..end]));
}
