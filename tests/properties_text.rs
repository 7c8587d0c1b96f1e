//! Text round trips as properties: `ls` listings and JSON.

mod support;

use proptest::prelude::*;
use proptest::sample::select;
use tungsten_model::ls::{DataSources, Listing};
use tungsten_model::model::{DataSourceState, ReasonText, ShunReason};
use tungsten_model::strategy;

/// Texts for a composite's closing line: any short text, text near the lines the parser reads
/// as something else (borders, boxes, blanks and breaks at either end), and such lines whole.
fn summary_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,12}",
        "[ \t\r\n]?[A-Za-z|+>.\\[\\]/() -]{0,10}[ \t\r\n]?",
        select(
            &[
                "",
                "+----+",
                "|boxed|",
                "Exiting...",
                "[LOGICAL] /east >",
                "cctrl>",
                "STATUS [OK]",
                "REASON[X]",
                "MANAGER(state=ONLINE)",
                "east(composite master:ONLINE)",
                "Composite Active Dataservice (Primary) - east",
                "DATASOURCES:",
            ][..]
        )
        .prop_map(str::to_owned),
    ]
}

/// Reason texts that spell a known shun reason, and some that nearly do.
fn shun_text() -> impl Strategy<Value = ReasonText> {
    select(
        &[
            "MANUALLY-SHUNNED",
            "FAILSAFE_SHUN",
            "SUPERSEDED",
            "SUBSERVICE-SWITCH-FAILED",
            "DRAIN-CONNECTIONS",
            "FAILED-OVER-TO-db2",
            "FAILED-OVER-TO-",
            "FAILSAFE SHUN",
            "manually-shunned",
        ][..],
    )
    .prop_filter_map("valid reason text", |t| ReasonText::new(t).ok())
}

/// A drawn listing (which reads back), or one with one field set to a value that may not:
/// any width, no block, a composite's closing line, a shun reason kept as text.
fn listing_perhaps_unreadable() -> impl Strategy<Value = Listing> {
    (
        strategy::listing(),
        0_u8..5,
        prop_oneof![0_usize..40, 70_usize..90, 1000_usize..1100],
        summary_text(),
        shun_text(),
    )
        .prop_map(|(mut listing, change, width, text, reason)| {
            match (change, &mut listing.datasources) {
                (1, _) => listing.layout.width = width,
                (2, DataSources::Physical(blocks)) => blocks.clear(),
                (2, DataSources::Composite { members, .. }) => members.clear(),
                (3, DataSources::Composite { summary, .. }) => *summary = Some(text),
                (4, DataSources::Physical(blocks)) => {
                    if let Some(block) = blocks.first_mut() {
                        block.state = DataSourceState::Shunned(Some(ShunReason::Other(reason)));
                    }
                }
                (4, DataSources::Composite { members, .. }) => {
                    if let Some(member) = members.last_mut() {
                        member.state = DataSourceState::Shunned(Some(ShunReason::Other(reason)));
                    }
                }
                _ => {}
            }
            listing
        })
}

/// The values `listing_perhaps_unreadable` draws include, for each change it makes, listings
/// that read back and listings that do not: the property below is not won by drawing one side.
#[test]
fn unreadable_listings_are_drawn_with_readable_ones() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = listing_perhaps_unreadable();
    let (mut valid, mut invalid) = (0, std::collections::BTreeMap::new());
    for _ in 0..2000 {
        let listing = strategy.new_tree(&mut runner).unwrap().current();
        match listing.validate() {
            Ok(()) => valid += 1,
            Err(e) => {
                // The kind of error: the field without its index, and how the fix begins.
                let field = e.at.split(['[', ' ']).next().unwrap_or_default().to_owned();
                let fix: String = e.expected.chars().take(12).collect();
                *invalid.entry((field, fix)).or_insert(0) += 1;
            }
        }
    }
    assert!(valid > 1000, "{valid} valid of 2000");
    assert!(invalid.len() >= 5, "{invalid:?}");
}

proptest! {
    #![proptest_config(support::proptest_config("proptest-regressions/properties_text.txt"))]

    /// Rendering a listing and reading it back gives the same listing.
    #[test]
    fn listing_render_then_parse_is_identity(listing in strategy::listing()) {
        let text = listing.to_string();
        let back: Listing = text.parse().map_err(|e: tungsten_model::ParseError| TestCaseError::fail(format!("{}\n{text}", e.caret())))?;
        prop_assert_eq!(back, listing);
    }

    /// A listing reads back from what it prints exactly when `Listing::validate` says so:
    /// the rule the docs of `Listing` give is the parser's.
    #[test]
    fn a_listing_validates_exactly_when_it_reads_back(listing in listing_perhaps_unreadable()) {
        let text = listing.to_string();
        let reads_back = text.parse::<Listing>().as_ref() == Ok(&listing);
        let verdict = listing.validate();
        prop_assert_eq!(verdict.is_ok(), reads_back, "{:?}\n{}", verdict, text);
    }

    /// A listing survives JSON.
    #[test]
    fn listing_json_round_trip(listing in strategy::listing()) {
        let json = serde_json::to_string(&listing).unwrap();
        let back: Listing = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, listing);
    }

    /// Any text at all gives a listing or a located error, never a panic; the error's line
    /// exists in the input.
    #[test]
    fn any_text_parses_or_fails_located(text in "(\\PC{0,40}\n){0,12}") {
        if let Err(e) = text.parse::<Listing>() {
            let lines = text.split('\n').count();
            prop_assert!(e.span().line >= 1 && e.span().line <= lines.max(1));
            let _ = e.caret();
        }
    }
}

use tungsten_model::command::{
    CctrlCommand, HostAction, HostCommand, OptionValue, StopPoint, TrepctlAction, TrepctlCommand,
};
use tungsten_model::machine::{self, Outcome, Rejection};
use tungsten_model::model::{State, Topology};
use tungsten_model::runbook::{Runbook, StepCommand};

proptest! {
    #![proptest_config(support::proptest_config("proptest-regressions/properties_text.txt"))]

    /// cctrl commands print and read back.
    #[test]
    fn cctrl_commands_round_trip(command in strategy::cctrl_command()) {
        let text = command.to_string();
        let back: CctrlCommand = text.parse().map_err(|e: tungsten_model::ParseError| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(back, command);
    }

    /// trepctl commands print and read back.
    #[test]
    fn trepctl_commands_round_trip(command in strategy::trepctl_command()) {
        let text = command.to_string();
        let back: TrepctlCommand = text.parse().map_err(|e: tungsten_model::ParseError| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(back, command);
    }

    /// Host commands print and read back.
    #[test]
    fn host_commands_round_trip(command in strategy::host_command()) {
        let text = command.to_string();
        let back: HostCommand = text.parse().map_err(|e: tungsten_model::ParseError| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(back, command);
    }

    /// Every option value reads back in every trepctl option that takes one, at the end of a
    /// runbook line and before another option: the rule of `OptionValue` is the readers'.
    #[test]
    fn option_values_read_back_in_every_slot(value in strategy::option_value()) {
        let commands = [
            "online -from-event {v}", "online -from-event {v} -force", "online -provision {v}",
            "online -until-event {v}", "online -until-heartbeat {v}", "offline-deferred -at-event {v}",
            "status -name {v}", "status -name {v} -json", "heartbeat -name {v}", "heartbeat -tz {v}",
            "heartbeat -name {v} -tz {v}",
        ];
        for command in commands {
            let command: TrepctlCommand = command.replace("{v}", "x").parse().unwrap();
            let command = with_value(command, &value);
            let line = format!("shell db1> trepctl {command}");
            let runbook: Runbook = line.parse().map_err(|e: tungsten_model::ParseError| TestCaseError::fail(format!("{line}: {e}")))?;
            let read = runbook.steps().next().map(|s| s.command.clone());
            prop_assert_eq!(read, Some(StepCommand::Host(HostCommand { executable: "trepctl".into(), action: HostAction::Trepctl(command) })), "{}", line);
        }
    }

    /// Runbooks print and read back (line numbers aside), and survive JSON.
    #[test]
    fn runbooks_round_trip(runbook in strategy::runbook()) {
        let text = runbook.to_string();
        let back: Runbook = text.parse().map_err(|e: tungsten_model::ParseError| TestCaseError::fail(format!("{}\n{text}", e.caret())))?;
        prop_assert_eq!(back.without_lines(), runbook.without_lines());
        let json = serde_json::to_string(&runbook).unwrap();
        let back: Runbook = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, runbook);
    }

    /// What the engine answers survives JSON: an accepted input's outcome (its state, effects
    /// and findings, refusals among them) and a refused input's rejection read back equal, on
    /// every kind of topology, so a tool can hand them to another process.
    #[test]
    fn outcomes_and_rejections_survive_json((topology, inputs) in strategy::topology().prop_flat_map(|t| {
        let inputs = strategy::sequence(&t, strategy::Alphabet::ALL, 16);
        (Just(t), inputs)
    })) {
        let mut state = State::healthy(&topology);
        for input in &inputs {
            match machine::apply(&topology, &state, input) {
                Ok(outcome) => {
                    let back: Outcome = serde_json::from_str(&serde_json::to_string(&outcome).unwrap()).unwrap();
                    prop_assert_eq!(&back, &outcome);
                    state = outcome.state;
                }
                Err(rejection) => {
                    let back: Rejection = serde_json::from_str(&serde_json::to_string(&rejection).unwrap()).unwrap();
                    prop_assert_eq!(back, rejection);
                }
            }
        }
    }

    /// Topologies and reachable states survive JSON, and what is read back validates against
    /// the topology read back, as the healthy state of every topology does.
    #[test]
    fn topologies_and_states_survive_json((topology, state) in strategy::scenario(strategy::Alphabet::ALL, 12)) {
        let t: Topology = serde_json::from_str(&serde_json::to_string(&topology).unwrap()).unwrap();
        prop_assert_eq!(&t, &topology);
        let s: State = serde_json::from_str(&serde_json::to_string(&state).unwrap()).unwrap();
        prop_assert_eq!(s, state);
        prop_assert!(s.validate(&t).is_ok(), "{:?}", s.validate(&t));
        prop_assert!(State::healthy(&t).validate(&t).is_ok());
    }
}

/// `command` with every option value in it replaced by `value`.
fn with_value(mut command: TrepctlCommand, value: &OptionValue) -> TrepctlCommand {
    let set = |slot: &mut Option<OptionValue>| {
        if slot.is_some() {
            *slot = Some(value.clone());
        }
    };
    let set_point = |point: &mut Option<StopPoint>| match point {
        Some(StopPoint::Event(e)) => *e = value.clone(),
        Some(StopPoint::Heartbeat(name)) => *name = Some(value.clone()),
        _ => {}
    };
    match &mut command.action {
        TrepctlAction::Online(o) => {
            set(&mut o.from_event);
            if let Some(p) = &mut o.provision {
                set(&mut p.scn);
            }
            set_point(&mut o.until);
        }
        TrepctlAction::OfflineDeferred { at } => set_point(at),
        TrepctlAction::Status { name, .. } => set(name),
        TrepctlAction::Heartbeat { name, tz } => {
            set(name);
            set(tz);
        }
        _ => {}
    }
    command
}

/// The engine's inputs back to text: each accepted operator input, printed as the explorer's
/// trace prints it, resolves to itself, and the runbook the trace writes replays it to the
/// same state. Fewer cases than the others (each one validates a runbook per accepted input);
/// `PROPTEST_CASES` still raises them.
fn replay_config() -> ProptestConfig {
    let mut config = support::proptest_config("proptest-regressions/properties_text.txt");
    if std::env::var("PROPTEST_CASES").is_err() {
        config.cases = 2_000;
    }
    config
}

proptest! {
    #![proptest_config(replay_config())]

    #[test]
    fn accepted_inputs_replay_from_their_runbook(
        (topology, inputs) in strategy::topology().prop_flat_map(|t| {
            let inputs = strategy::sequence(&t, strategy::Alphabet::ALL, 16);
            (Just(t), inputs)
        })
    ) {
        use tungsten_model::explore::Trace;
        use tungsten_model::machine::{self, Input, Invariant, Rules, Violation};
        use tungsten_model::model::{HostSet, ServiceId};
        use tungsten_model::runbook::{self, Options, Start};
        let rules = Rules::default();
        let mut state = State::healthy(&topology);
        for input in &inputs {
            let Ok(next) = machine::step(&topology, &state, input, &rules, &mut ()) else {
                continue;
            };
            if input.typed(&topology).is_some() || matches!(input, Input::Fault(_)) {
                let violation = Violation {
                    invariant: Invariant::SingleWritableMaster,
                    service: ServiceId::from_index(0).unwrap(),
                    hosts: HostSet::EMPTY,
                };
                let trace = Trace::replay(&topology, &state, &[*input], rules, violation);
                let text = trace.runbook(&topology);
                let plan: Runbook = text.parse().map_err(|e: tungsten_model::ParseError| {
                    TestCaseError::fail(format!("{}\n{text}", e.caret()))
                })?;
                let start = Start { topology: topology.clone(), state, assumptions: Vec::new() };
                let report = runbook::validate(&start, &plan, Options { settle: false, rules });
                // A cctrl command follows the steps that start cctrl on its host and bring a
                // new session where the explorer's was (`use`, `set force true`).
                prop_assert!(!report.steps.is_empty(), "{}", text);
                prop_assert!(report.steps.iter().all(|s| !s.rejected()), "{}\n{}", text, report);
                prop_assert_eq!(report.steps[report.steps.len() - 1].state, next, "{}", text);
            }
            state = next;
        }
    }

    /// A whole trace of inputs, faults included (as `event>` steps), replays from its runbook
    /// to the same state, every step accepted: cctrl sessions carried across a manager's stop or restart, a `use` or a
    /// `set force true` typed where the session needs them (a trace replayed one input at a
    /// time never crosses those).
    #[test]
    fn whole_traces_replay_from_their_runbook(
        (topology, inputs) in strategy::topology().prop_flat_map(|t| {
            let inputs = strategy::sequence(&t, strategy::Alphabet::ALL, 16);
            (Just(t), inputs)
        })
    ) {
        use tungsten_model::explore::Trace;
        use tungsten_model::machine::{self, Invariant, Rules, Violation};
        use tungsten_model::model::{HostSet, ServiceId};
        use tungsten_model::runbook::{self, Options, Start};
        let rules = Rules::default();
        let start = State::healthy(&topology);
        let mut state = start;
        let mut typed = Vec::new();
        for input in &inputs {
            if let Ok(next) = machine::step(&topology, &state, input, &rules, &mut ()) {
                typed.push(*input);
                state = next;
            }
        }
        let violation = Violation {
            invariant: Invariant::SingleWritableMaster,
            service: ServiceId::from_index(0).unwrap(),
            hosts: HostSet::EMPTY,
        };
        let trace = Trace::replay(&topology, &start, &typed, rules, violation);
        prop_assert_eq!(trace.len(), typed.len());
        let text = trace.runbook(&topology);
        let plan: Runbook = text.parse().map_err(|e: tungsten_model::ParseError| {
            TestCaseError::fail(format!("{}\n{text}", e.caret()))
        })?;
        let begin = Start { topology: topology.clone(), state: start, assumptions: Vec::new() };
        let report = runbook::validate(&begin, &plan, Options { settle: false, rules });
        prop_assert!(report.steps.iter().all(|s| !s.rejected()), "{}\n{}", text, report);
        let last = report.steps.last().map_or(start, |s| s.state);
        prop_assert_eq!(last, state, "{}", text);
    }
}
