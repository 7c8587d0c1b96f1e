//! A counterexample: the inputs from the start to a broken state, with the state after each,
//! rendered for an operator (text) and as a runbook that replays the operator's part.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::ls;
use crate::machine::{self, Input, Rules, Typed, Violation};
use crate::model::{ServiceId, State, Topology};

/// One input of a trace and the state after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TraceStep {
    /// The input.
    pub input: Input,
    /// The input as text (`cctrl@db2> datasource db2 welcome`, `fault: db3 crashes`).
    pub text: String,
    /// The state after it.
    pub state: State,
}

/// A sequence of inputs that leads from a start to a state breaking an invariant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Trace {
    /// Where it starts.
    pub start: State,
    /// The inputs, each with the state after it.
    pub steps: Vec<TraceStep>,
    /// What broke in the last state.
    pub violation: Violation,
    /// The broken invariant, described with host names.
    pub description: String,
    /// Each physical service's listing in the last state, as its default viewer prints it.
    pub listings: Vec<String>,
}

impl Trace {
    /// A trace from states already computed.
    #[must_use]
    pub fn new(
        topology: &Topology,
        start: State,
        steps: Vec<TraceStep>,
        violation: Violation,
    ) -> Self {
        let last = steps.last().map_or(start, |s| s.state);
        let listings = topology
            .physical_services()
            .filter_map(|service| {
                let viewer = ls::default_viewer(topology, &last, service)?;
                Some(ls::project(topology, &last, viewer, None).to_string())
            })
            .collect();
        Self {
            start,
            steps,
            description: violation.describe(topology),
            violation,
            listings,
        }
    }

    /// Apply `inputs` from `start` under `rules`, keeping the state after each. It stops at a
    /// refusal, so a trace shorter than `inputs` was refused part way; the explorer gives no
    /// counterexample rather than such a trace.
    #[must_use]
    pub fn replay(
        topology: &Topology,
        start: &State,
        inputs: &[Input],
        rules: Rules,
        violation: Violation,
    ) -> Self {
        let mut state = *start;
        let mut steps = Vec::with_capacity(inputs.len());
        for input in inputs {
            let Ok(next) = machine::step(topology, &state, input, &rules, &mut ()) else {
                break;
            };
            state = next;
            steps.push(TraceStep {
                input: *input,
                text: input.render(topology),
                state,
            });
        }
        Self::new(topology, *start, steps, violation)
    }

    /// The last state as `service`'s coordinator would list it (`None` when no manager of
    /// the service runs, or `service` is past `topology`'s last): the typed listing that
    /// [`Self::listings`] holds printed, so that a tool reads roles and states from it
    /// rather than parsing the text. `topology` is the one the trace was found over.
    #[must_use]
    pub fn listing(&self, topology: &Topology, service: ServiceId) -> Option<ls::Listing> {
        topology.get_service(service)?;
        let last = self.steps.last().map_or(self.start, |s| s.state);
        let viewer = ls::default_viewer(topology, &last, service)?;
        Some(ls::project(topology, &last, viewer, None))
    }

    /// How many inputs it takes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether the start itself is broken.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The trace for an operator: numbered inputs, what broke, and the listings at the end.
    #[must_use]
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (i, step) in self.steps.iter().enumerate() {
            let _ = writeln!(out, "{:>3}. {}", i + 1, step.text);
        }
        let _ = writeln!(out, "then: invariant {}", self.description);
        for listing in &self.listings {
            let _ = writeln!(out);
            out.push_str(listing);
            if !listing.ends_with('\n') {
                out.push('\n');
            }
        }
        out
    }

    /// The trace as a runbook: each operator input a step typed where the explorer typed it,
    /// each fault or world event an `event>` step, so that the runbook replays the whole
    /// trace ([`crate::fault::Event`]). The cctrl commands typed into a host's manager
    /// follow a `shell <host>> .../cctrl` step that starts cctrl there; a cctrl started
    /// anew begins in the host's own service without `set force`, so where the explorer's
    /// session on that host had moved on, `use` and `set force true` come first.
    #[must_use]
    pub fn runbook(&self, topology: &Topology) -> String {
        let mut out = String::from("# Counterexample found by the explorer: ");
        out.push_str(&self.description);
        out.push('\n');
        let mut connected = None;
        let mut before = self.start;
        for step in &self.steps {
            match step.input.typed(topology) {
                Some(Typed::Cctrl { at, command }) => {
                    if connected != Some(at) {
                        connected = Some(at);
                        let _ = writeln!(
                            out,
                            "shell {}> {}/tungsten/tungsten-manager/bin/cctrl",
                            topology.host_name(at),
                            topology.install_roots().cluster
                        );
                        // A session left in a service whose managers have all stopped since
                        // cannot be made again (`use` it is refused): the command typed in it
                        // (another `use`) reads the same from the host's own service.
                        let session = before.session(at);
                        if session.service != topology.host(at).service
                            && before.service_manager_runs(topology, session.service)
                        {
                            let _ = writeln!(
                                out,
                                "cctrl> use {}",
                                topology.service_name(session.service)
                            );
                        }
                        if session.force {
                            out.push_str("cctrl> set force true\n");
                        }
                    }
                    let _ = writeln!(out, "cctrl> {command}");
                }
                Some(Typed::Shell { on, line }) => {
                    let _ = writeln!(out, "shell {}> {line}", topology.host_name(on));
                }
                None => match step.input {
                    Input::Fault(fault) => {
                        let _ = writeln!(out, "event> {}", fault.render(topology));
                    }
                    _ => {
                        let _ = writeln!(out, "# {}", step.text);
                    }
                },
            }
            // A manager stopped (or restarted) ended the session typed into it: cctrl
            // starts again.
            if connected.is_some_and(|h| {
                !step.state.manager_running(h)
                    || (!matches!(step.input, Input::Cctrl { .. })
                        && step.state.session(h) != before.session(h))
            }) {
                connected = None;
            }
            before = step.state;
        }
        out
    }
}
