//! `check`: the command-line front of tungsten-model.
//!
//! ```text
//! cargo run --example check                        # seed 004, "last man standing", end to end
//! cargo run --example check -- ls FILE...          # parse listings, print them back
//! cargo run --example check -- ls --json FILE...   # the model as JSON, one line per file
//! cargo run --example check -- plan [--state FILE]... [--topology FILE] [--json] RUNBOOK
//! cargo run --example check -- plan --faults RUNBOOK  # every single fault at every step
//! cargo run --example check -- procedure primary-maintenance alpha --scenario healthy-3
//! cargo run --release --example check -- explore [--nodes N] [--depth D] [--scenario S]
//! cargo run --release --example check -- explore --ui     # stateright's Explorer, 127.0.0.1
//! ```
//! Exit status: `ls` gives 0 when every input reads, 2 when one cannot be read (the error
//! names the file, line and column); `plan` gives 0 when the runbook is valid (with `--faults`:
//! and no injected fault hurts it), 1 when it is not, 2 when the runbook or a starting state cannot be read; `procedure` gives
//! 0 when the runbook it writes validates from the state it is written for, 1 when it does
//! not, 2 when it cannot be written (the reason is printed), for an unknown procedure or
//! arguments, or when the state cannot be read;
//! `explore` gives 0 when no invariant breaks, 1 with a counterexample, 2 for bad arguments.
#![expect(
    clippy::print_stderr,
    reason = "a command-line tool reports bad input on stderr"
)]

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Write to stdout, ignoring a closed pipe (`check ... | head` must not panic).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// [`out!`] with a line end.
macro_rules! outln {
    () => { out!("\n") };
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}
use tungsten_model::command::CctrlCommand;
use tungsten_model::fault::Fault;
use tungsten_model::ls::{self, Listing};
use tungsten_model::machine::{self, Input, Outcome};
use tungsten_model::model::{ServiceName, State, Topology};
use tungsten_model::runbook;

/// Check Tungsten Clustering listings, commands and runbooks against the model.
#[derive(Debug, Parser)]
#[command(name = "check", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate a runbook step by step and print the report.
    Plan {
        /// A starting listing: `SERVICE=FILE`, or a FILE whose first line is the `ls` prompt
        /// naming its service (`[LOGICAL] /alpha > ls`).
        #[arg(long = "state", value_name = "FILE")]
        states: Vec<String>,
        /// The topology: a `TopologySpec` JSON file, or one line such as
        /// `multisite east=db1,db2,db3 west=db4,db5,db6`.
        #[arg(long, value_name = "FILE")]
        topology: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Do not let replication catch up between steps.
        #[arg(long)]
        no_settle: bool,
        /// Run the plan again with every single fault (a crash, a process stop, a host cut
        /// off) injected at every step boundary; report the pairs that break an invariant,
        /// make a later step unsafe (an error the plain run's step does not draw) or
        /// impossible, or miss a goal.
        #[arg(long)]
        faults: bool,
        /// The runbook.
        runbook: PathBuf,
    },
    /// Explore every sequence of commands and faults to a depth; print the counts, the rate
    /// and any counterexample (shortest first), as text and as a runbook.
    Explore {
        /// Datasources of a single service `alpha` (db1 master, the rest slaves), 1 to 5.
        #[arg(long, default_value_t = 3)]
        nodes: usize,
        /// How many inputs deep.
        #[arg(long, default_value_t = 8)]
        depth: usize,
        /// Start from a built-in scenario instead (healthy-3, healthy-5, seed004-failsafe,
        /// seed000-drifted).
        #[arg(long)]
        scenario: Option<String>,
        /// Which inputs: dangerous (the commands that move the master role and the faults
        /// that make managers act, force aside: goes deep), cctrl-and-faults (every cctrl
        /// command but force, every fault), all, unforced (all but force), no-partitions.
        #[arg(long, default_value = "dangerous")]
        alphabet: String,
        /// Type cctrl commands into every running manager, not one per service and partition.
        #[arg(long)]
        every_manager: bool,
        /// Writes a host may take beyond the starting seqno.
        #[arg(long, default_value_t = 1)]
        writes: u64,
        /// Worker threads, at least 1 (default: every core; 1 for reproducible timings).
        #[arg(long)]
        threads: Option<std::num::NonZeroUsize>,
        /// Stop after this many distinct states (checked between levels and after each slice
        /// of 262 144 parents; a level cut short is not counted as explored).
        #[arg(long)]
        max_states: Option<usize>,
        /// At most this many failures (crashes, process stops, replicator errors, partitions,
        /// drift) on any path; recoveries, writes and catching up are free.
        #[arg(long)]
        max_failures: Option<u8>,
        /// Serve stateright's Explorer web UI on the same model instead, on 127.0.0.1 only
        /// (port 3000 unless given), until interrupted.
        #[arg(long)]
        ui: bool,
        /// The port for `--ui`.
        #[arg(long, default_value_t = 3000)]
        port: u16,
    },
    /// Write a built-in procedure's runbook for a starting state (a scenario, or listings
    /// as for `plan`), print it, and validate it from that state.
    Procedure {
        /// Which procedure and its arguments (`runbook::Procedure`): last-man-standing SERVICE,
        /// recover-replica HOST, recover-old-master HOST, replica-maintenance HOST,
        /// primary-maintenance SERVICE [TARGET], switch SERVICE [TARGET], failover SERVICE
        /// [TARGET], reset-site BAD GOOD.
        #[arg(required = true, value_name = "PROCEDURE [ARG]...")]
        words: Vec<String>,
        /// Start from a built-in scenario (healthy-3, healthy-5, seed004-failsafe,
        /// seed000-drifted).
        #[arg(long, conflicts_with_all = ["states", "topology"])]
        scenario: Option<String>,
        /// A starting listing, as for `plan`.
        #[arg(long = "state", value_name = "FILE")]
        states: Vec<String>,
        /// The topology, as for `plan`.
        #[arg(long, value_name = "FILE")]
        topology: Option<PathBuf>,
    },
    /// Parse `cctrl ls` listings and print each back in Tungsten's layout.
    Ls {
        /// Print the parsed model as JSON, one object per file per line.
        #[arg(long)]
        json: bool,
        /// Files holding one listing each; `-` reads standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// What went wrong with an input: printed on stderr, exit status 2.
struct BadInput(String);

fn read(path: &PathBuf) -> Result<String, BadInput> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| BadInput(format!("standard input: {e}")))?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).map_err(|e| BadInput(format!("{}: {e}", path.display())))
    }
}

fn ls(files: &[PathBuf], json: bool) -> Result<(), BadInput> {
    for path in files {
        let text = read(path)?;
        let listing: Listing = text.parse().map_err(|e: tungsten_model::ParseError| {
            BadInput(format!("{}:\n{}", path.display(), e.caret()))
        })?;
        if json {
            let line =
                serde_json::json!({ "file": path.display().to_string(), "listing": listing });
            outln!("{line}");
        } else {
            out!("{listing}");
        }
    }
    Ok(())
}

/// The starting point `--topology` and `--state` give: the topology goes into `book` as its
/// first declaration; the listings are returned, each with its service.
fn plan_start(
    states: &[String],
    topology: Option<&PathBuf>,
    book: &mut runbook::Runbook,
) -> Result<Vec<(ServiceName, Listing)>, BadInput> {
    if let Some(file) = topology {
        let text = read(file)?;
        let spec = runbook::topology_file(&text)
            .map_err(|e| BadInput(format!("{}: {e}", file.display())))?;
        book.declarations.insert(
            0,
            runbook::Declaration::Topology(runbook::TopologySource::Inline(spec)).into(),
        );
    }
    let mut listings = Vec::new();
    for state in states {
        let (service, file) = match state.split_once('=') {
            Some((service, file)) => (Some(service.to_owned()), PathBuf::from(file)),
            None => (None, PathBuf::from(state)),
        };
        let text = read(&file)?;
        let service = match service {
            Some(s) => ServiceName::new(s).map_err(|e| BadInput(format!("--state {state}: {e}")))?,
            None => ls::prompt_service(&text).ok_or_else(|| {
                BadInput(format!(
                    "--state {state}: say which service it lists (`--state alpha={state}`), or keep its `[LOGICAL] /alpha > ls` prompt line"
                ))
            })?,
        };
        let listing: Listing = text.parse().map_err(|e: tungsten_model::ParseError| {
            BadInput(format!("{}:\n{}", file.display(), e.caret()))
        })?;
        listings.push((service, listing));
    }
    Ok(listings)
}

/// Why the runbook at `path` (its `text`) has no starting state: the error, and when a
/// declaration is at fault, its line with the culprit underlined (the host an `assume down`
/// names, or the whole declaration).
fn start_error(path: &Path, text: &str, e: &runbook::RunbookError) -> String {
    let Some(number) = e.line() else {
        return format!("{}: {e}", path.display());
    };
    let cause = e.cause();
    let out = format!("{}:{number}: {cause}", path.display());
    let Some(line) = text
        .trim_start_matches('\u{feff}')
        .split('\n')
        .nth(number - 1)
    else {
        return out;
    };
    let line = line.trim_end().replace('\t', " ");
    let words = || {
        line.split(' ')
            .scan(0, |at, w| {
                let start = *at;
                *at += w.chars().count() + 1;
                Some((start, w))
            })
            .filter(|(_, w)| !w.is_empty())
    };
    let (at, len) = match cause {
        runbook::RunbookError::UnknownHost { name, .. }
        | runbook::RunbookError::NotDown { name } => words()
            .find(|(_, w)| w == name)
            .map(|(at, w)| (at, w.chars().count())),
        _ => None,
    }
    .unwrap_or_else(|| {
        let at = line.chars().take_while(|c| *c == ' ').count();
        (at, line.chars().count().saturating_sub(at).max(1))
    });
    let gutter = " ".repeat(number.to_string().len());
    format!(
        "{out}\n{gutter} |\n{number} | {line}\n{gutter} | {}{}",
        " ".repeat(at),
        "^".repeat(len)
    )
}

/// `check plan`: `Ok(true)` for a valid runbook.
fn plan(
    states: &[String],
    topology: Option<&PathBuf>,
    path: &PathBuf,
    json: bool,
    settle: bool,
    faults: bool,
) -> Result<bool, BadInput> {
    let text = read(path)?;
    let mut book: runbook::Runbook = text.parse().map_err(|e: tungsten_model::ParseError| {
        BadInput(format!("{}:\n{}", path.display(), e.caret()))
    })?;
    let listings = plan_start(states, topology, &mut book)?;
    let base = path.parent().map(PathBuf::from).unwrap_or_default();
    let start = runbook::start(&book, &listings, &mut |name| {
        std::fs::read_to_string(base.join(name)).map_err(|e| e.to_string())
    })
    .map_err(|e| BadInput(start_error(path, &text, &e)))?;
    let options = runbook::Options {
        settle,
        ..runbook::Options::default()
    };
    if faults {
        let report = runbook::under_faults(&start, &book, options);
        if json {
            let text = serde_json::to_string_pretty(&report)
                .map_err(|e| BadInput(format!("cannot print the report as JSON: {e}")))?;
            outln!("{text}");
        } else {
            outln!("{report}");
        }
        return Ok(report.verdict == runbook::Verdict::Valid && report.cases.is_empty());
    }
    let report = runbook::validate(&start, &book, options);
    if json {
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| BadInput(format!("cannot print the report as JSON: {e}")))?;
        outln!("{text}");
    } else {
        out!("{report}");
    }
    Ok(report.verdict == runbook::Verdict::Valid)
}

/// `check procedure`: `Ok(true)` when the runbook written validates from the state it was
/// written for.
fn procedure(
    words: &[String],
    scenario: Option<&str>,
    states: &[String],
    topology: Option<&PathBuf>,
) -> Result<bool, BadInput> {
    if scenario.is_none() && states.is_empty() && topology.is_none() {
        return Err(BadInput(
            "say which state to write it for: --scenario NAME, or --state (and --topology) as for `plan`".to_owned(),
        ));
    }
    let mut book: runbook::Runbook = ""
        .parse()
        .map_err(|e: tungsten_model::ParseError| BadInput(e.to_string()))?;
    if let Some(name) = scenario {
        book.declarations
            .push(runbook::Declaration::Scenario(name.to_owned()).into());
    }
    let listings = plan_start(states, topology, &mut book)?;
    let start = runbook::start(&book, &listings, &mut |name| {
        Err(format!(
            "no file {name}: a procedure's starting state names no file"
        ))
    })
    .map_err(|e| BadInput(format!("the starting state: {e}")))?;
    let asked: runbook::Procedure = words
        .join(" ")
        .parse()
        .map_err(|e: tungsten_model::ParseError| BadInput(e.caret()))?;
    let written = asked.write(&start);
    let book = written.map_err(|e| {
        BadInput(format!(
            "cannot write it from this state ({}): {e}",
            e.kind()
        ))
    })?;
    out!("{book}");
    let report = runbook::validate(&start, &book, runbook::Options::default());
    if report.verdict == runbook::Verdict::Valid {
        let steps = report.steps.len();
        let plural = if steps == 1 { "" } else { "s" };
        outln!("# from this state: VALID ({steps} step{plural})");
        Ok(true)
    } else {
        outln!("\n# from this state it does not validate:\n{report}");
        Ok(false)
    }
}

/// Print what an accepted input did.
fn report(topology: &Topology, outcome: &Outcome) {
    for effect in &outcome.effects {
        outln!("    {}", effect.render(topology));
    }
    for finding in &outcome.findings {
        outln!("    ! {}", finding.render(topology));
    }
}

/// Seed 004 end to end: a healthy three-node `alpha` loses db1 (db3 is promoted) then db3
/// (no quorum: failsafe), the operator brings db2 up alone with the seed's eight commands,
/// and once db1 and db3 are back, `recover` makes them slaves of db2.
fn last_man_standing() -> Result<(), BadInput> {
    let bad = |e: &dyn std::fmt::Display| BadInput(e.to_string());
    let topology = Topology::single("alpha", &["db1", "db2", "db3"]).map_err(|e| bad(&e))?;
    let id = |name: &str| {
        topology
            .host_id(name)
            .ok_or_else(|| BadInput(format!("no host {name}")))
    };
    let (db1, db2, db3) = (id("db1")?, id("db2")?, id("db3")?);
    let world: Listing = include_str!("../tests/fixtures/ls/seed004_failsafe.txt")
        .parse()
        .map_err(|e| bad(&e))?;
    let mut state = State::healthy(&topology);
    outln!("# seed 004: last man standing, in a three-node cluster `alpha`\n");
    outln!("## the world: writes, replication, two host failures\n");
    for (label, fault) in [
        ("write on db1", Fault::Write(db1)),
        ("db2 catches up", Fault::CatchUp(db2)),
        ("db3 catches up", Fault::CatchUp(db3)),
        ("write on db1", Fault::Write(db1)),
        ("db3 catches up (db2 lags)", Fault::CatchUp(db3)),
        ("db1 crashes", Fault::HostCrash(db1)),
        ("db2 catches up", Fault::CatchUp(db2)),
        ("db3 crashes", Fault::HostCrash(db3)),
    ] {
        outln!("> {label}");
        let outcome = machine::apply(&topology, &state, &Input::Fault(fault))
            .map_err(|r| BadInput(r.render(&topology)))?;
        report(&topology, &outcome);
        state = outcome.state;
    }
    outln!("\n[LOGICAL] /alpha > ls");
    out!("{}", ls::project(&topology, &state, db2, Some(&world)));
    outln!("\n## the operator, on db2\n");
    for line in [
        "set policy maintenance",
        "set force true",
        "datasource db2 welcome",
        "datasource db2 master",
        "replicator db2 master",
        "datasource db2 online",
        "replicator db2 online",
        "set policy automatic",
    ] {
        outln!("[LOGICAL] /alpha > {line}");
        let command: CctrlCommand = line.parse().map_err(|e| bad(&e))?;
        let input =
            machine::resolve_cctrl(&topology, &state, db2, &command).map_err(|e| bad(&e))?;
        match machine::apply(&topology, &state, &input) {
            Ok(outcome) => {
                report(&topology, &outcome);
                state = outcome.state;
            }
            Err(r) => outln!("    refused: {}", r.render(&topology)),
        }
    }
    outln!("\n[LOGICAL] /alpha > ls");
    out!("{}", ls::project(&topology, &state, db2, Some(&world)));
    outln!("\n## db1 and db3 come back\n");
    for (label, input) in [
        ("db1 restarts", Input::Fault(Fault::HostRestart(db1))),
        ("db3 restarts", Input::Fault(Fault::HostRestart(db3))),
    ] {
        outln!("> {label}");
        let outcome =
            machine::apply(&topology, &state, &input).map_err(|r| BadInput(r.render(&topology)))?;
        report(&topology, &outcome);
        state = outcome.state;
    }
    outln!("[LOGICAL] /alpha > recover");
    let command: CctrlCommand = "recover".parse().map_err(|e| bad(&e))?;
    let input = machine::resolve_cctrl(&topology, &state, db2, &command).map_err(|e| bad(&e))?;
    let outcome =
        machine::apply(&topology, &state, &input).map_err(|r| BadInput(r.render(&topology)))?;
    report(&topology, &outcome);
    state = outcome.state;
    outln!("\n[LOGICAL] /alpha > ls");
    out!("{}", ls::project(&topology, &state, db2, Some(&world)));
    match machine::invariant::check(&topology, &state) {
        None => outln!("\nevery invariant holds"),
        Some(v) => outln!("\nINVARIANT BROKEN: {}", v.describe(&topology)),
    }
    Ok(())
}

/// The arguments of `check explore`.
struct ExploreArgs {
    nodes: usize,
    depth: usize,
    scenario: Option<String>,
    alphabet: String,
    every_manager: bool,
    writes: u64,
    threads: Option<std::num::NonZeroUsize>,
    max_states: Option<usize>,
    max_failures: Option<u8>,
    ui: Option<u16>,
}

/// The topology and state `check explore` starts from.
fn starting_point(args: &ExploreArgs) -> Result<(Topology, State), BadInput> {
    Ok(match &args.scenario {
        Some(name) => {
            let start = runbook::scenario(name).ok_or_else(|| {
                let names: Vec<&str> = runbook::SCENARIOS.iter().map(|(n, _)| *n).collect();
                BadInput(format!(
                    "no scenario `{name}`: expected one of {}",
                    names.join(", ")
                ))
            })?;
            (start.topology, start.state)
        }
        None => {
            if !(1..=5).contains(&args.nodes) {
                return Err(BadInput(format!("--nodes {}: expected 1 to 5", args.nodes)));
            }
            let names: Vec<String> = (1..=args.nodes).map(|i| format!("db{i}")).collect();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let topology = Topology::single("alpha", &names)
                .map_err(|e| BadInput(format!("topology: {e}")))?;
            let state = State::healthy(&topology);
            (topology, state)
        }
    })
}

/// A line on stderr for each level finished, and one for each slice of a level expanded,
/// `secs` after the exploration began.
fn report_progress(p: &tungsten_model::explore::Progress, secs: f64) {
    if p.finished() {
        eprintln!(
            "depth {:>2}: {:>10} states, {:>12} transitions, {:>9} at the frontier, {secs:.1} s",
            p.depth, p.states, p.transitions, p.frontier,
        );
    } else {
        #[allow(
            clippy::cast_precision_loss,
            reason = "a share and a rate for a report"
        )]
        let (share, rate) = (
            100.0 * p.expanded as f64 / p.parents.max(1) as f64,
            p.transitions as f64 / secs.max(1e-9),
        );
        eprintln!(
            "depth {:>2}: {share:>3.0}% of {} parents expanded, {} states, {:.1} M transitions/s, {secs:.1} s",
            p.depth,
            p.parents,
            p.states,
            rate / 1e6,
        );
    }
}

fn explore(args: &ExploreArgs) -> Result<bool, BadInput> {
    use tungsten_model::explore::{self, Alphabet, Config, Typing};
    let (topology, start) = starting_point(args)?;
    let alphabet = match args.alphabet.as_str() {
        "dangerous" | "cctrl-and-faults" => Alphabet::CCTRL_AND_FAULTS,
        "all" => Alphabet::ALL,
        "unforced" => Alphabet::UNFORCED,
        "no-partitions" => Alphabet::NO_PARTITIONS,
        other => {
            return Err(BadInput(format!(
                "--alphabet {other}: expected dangerous, cctrl-and-faults, all, unforced or no-partitions"
            )));
        }
    };
    let mut config = Config {
        depth: args.depth,
        alphabet,
        typing: if args.every_manager {
            Typing::EveryManager
        } else {
            Typing::OnePerGroup
        },
        writes: args.writes,
        max_states: args.max_states,
        max_failures: args.max_failures,
        ..Config::default()
    };
    if let Some(threads) = args.threads {
        // The explorer runs at most 64 (see `explore::Config::threads`); say what it runs.
        config.threads = threads.get().min(64);
    }
    let mut inputs = explore::Inputs::new(&topology, &start, config.alphabet, config.writes);
    if args.alphabet == "dangerous" {
        inputs = inputs.retain(explore::dangerous);
    }
    if let Some(port) = args.ui {
        use stateright::Model as _;
        if args.max_failures.is_some() {
            return Err(BadInput(
                "--ui with --max-failures: stateright's states are cluster states alone, with no \
                 failure count; leave one out"
                    .to_owned(),
            ));
        }
        let model =
            tungsten_model::checker::TungstenModel::with_inputs(topology, start, &config, inputs);
        let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        eprintln!("stateright Explorer on http://{address}/ (loopback only); Ctrl-C stops it");
        let _checker = model
            .checker()
            .target_max_depth(tungsten_model::checker::TungstenModel::target_depth(
                config.depth,
            ))
            .threads(config.threads)
            .serve(address);
        // The server runs on its own threads; this one only waits for Ctrl-C.
        loop {
            std::thread::park();
        }
    }
    let began = std::time::Instant::now();
    let result = explore::explore_with(&topology, &start, &config, &inputs, |p| {
        report_progress(p, began.elapsed().as_secs_f64());
    });
    let elapsed = began.elapsed();
    outln!(
        "explored {} distinct states and {} transitions ({} accepted) to depth {} in {:.2} s on {} thread(s): {:.0} transitions/s, {:.0} states/s, {:.1} seen-set bytes per state; stopped: {:?}",
        result.states,
        result.transitions,
        result.accepted,
        result.depth,
        elapsed.as_secs_f64(),
        config.threads,
        result.transitions_per_second(elapsed),
        result.states_per_second(elapsed),
        result.seen_bytes_per_state(),
        result.stop
    );
    match &result.counterexample {
        None => {
            outln!("no invariant breaks");
            Ok(true)
        }
        Some(trace) => {
            outln!("\ncounterexample ({} inputs):", trace.len());
            out!("{}", trace.render());
            outln!("\nas a runbook:");
            out!("{}", trace.runbook(&topology));
            Ok(false)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Ls { json, files }) => ls(&files, json),
        Some(Command::Plan {
            states,
            topology,
            json,
            no_settle,
            faults,
            runbook,
        }) => match plan(
            &states,
            topology.as_ref(),
            &runbook,
            json,
            !no_settle,
            faults,
        ) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(1),
            Err(e) => Err(e),
        },
        Some(Command::Explore {
            nodes,
            depth,
            scenario,
            alphabet,
            every_manager,
            writes,
            threads,
            max_states,
            max_failures,
            ui,
            port,
        }) => match explore(&ExploreArgs {
            nodes,
            depth,
            scenario,
            alphabet,
            every_manager,
            writes,
            threads,
            max_states,
            max_failures,
            ui: ui.then_some(port),
        }) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(1),
            Err(e) => Err(e),
        },
        Some(Command::Procedure {
            words,
            scenario,
            states,
            topology,
        }) => match procedure(&words, scenario.as_deref(), &states, topology.as_ref()) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(1),
            Err(e) => Err(e),
        },
        None => last_man_standing(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(BadInput(message)) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}
