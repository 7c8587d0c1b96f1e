//! Helpers for the runbook tests: fixtures, validation, and starting states.

use tungsten_model::runbook::{self, Report, RunStatus, Runbook, Start};

/// A runbook of `tests/fixtures/runbooks/`.
pub(crate) fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/runbooks/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Validate `text` from the starting state it declares.
pub(crate) fn check(text: &str) -> Report {
    let rb: Runbook = text
        .parse()
        .unwrap_or_else(|e: tungsten_model::ParseError| panic!("{}", e.caret()));
    let start = runbook::start(&rb, &[], &mut |p| Err(format!("no file {p} in tests"))).unwrap();
    runbook::validate(&start, &rb, runbook::Options::default())
}

/// A topology file's JSON: service `alpha` over db1, db2 and db3, with the managers' fence
/// on a master's replicator (`policy.fence.masterReplicator`).
pub(crate) const FENCED: &str = r#"{"services":[{"name":"alpha","datasources":["db1","db2","db3"]}],
    "options":{"fence_master_replicator":true}}"#;

/// `text` after a `#! topology file fenced.json` line, read with that file holding [`FENCED`],
/// and its starting point.
pub(crate) fn fenced(text: &str) -> (Runbook, Start) {
    let rb: Runbook = format!("#! topology file fenced.json\n{text}")
        .parse()
        .unwrap_or_else(|e: tungsten_model::ParseError| panic!("{}", e.caret()));
    let start = runbook::start(&rb, &[], &mut |_| Ok(FENCED.to_owned())).unwrap();
    (rb, start)
}

/// The rule of the first refused run, and its step's line text.
pub(crate) fn refusal(report: &Report) -> Option<(tungsten_model::machine::Rule, String)> {
    let step = report.first_rejected()?;
    step.runs.iter().find_map(|r| match &r.status {
        RunStatus::Rejected { rule, .. } => Some((*rule, step.text.clone())),
        _ => None,
    })
}

/// The rule of the first refused run, and its step's line text; the test fails, printing the
/// report, when no step was refused.
pub(crate) fn refused(report: &Report) -> (tungsten_model::machine::Rule, String) {
    refusal(report).unwrap_or_else(|| panic!("no step was refused:\n{report}"))
}

/// Apply a cctrl command typed into the manager on `at`.
pub(crate) fn cctrl(start: &mut Start, at: &str, line: &str) {
    use tungsten_model::machine;
    let at = start.topology.host_id(at).unwrap();
    let cmd: tungsten_model::command::CctrlCommand = line.parse().unwrap();
    let input = machine::resolve_cctrl(&start.topology, &start.state, at, &cmd).unwrap();
    start.state = machine::apply(&start.topology, &start.state, &input)
        .unwrap()
        .state;
}

/// The `healthy-3` scenario and its hosts db1, db2, db3.
pub(crate) fn healthy() -> (Start, [tungsten_model::model::HostId; 3]) {
    let start = runbook::scenario("healthy-3").unwrap();
    let t = &start.topology;
    let ids = ["db1", "db2", "db3"].map(|h| t.host_id(h).unwrap());
    (start, ids)
}

/// The kinds of the findings of `severity` a report holds, in step order.
pub(crate) fn kinds(
    report: &Report,
    severity: tungsten_model::machine::Severity,
) -> Vec<tungsten_model::machine::FindingKind> {
    report
        .steps
        .iter()
        .flat_map(|s| &s.findings)
        .filter(|f| f.severity == severity)
        .map(|f| f.kind)
        .collect()
}
