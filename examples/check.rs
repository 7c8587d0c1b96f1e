//! `check`: the command-line front of tungsten-model.
//!
//! ```text
//! cargo run --example check                        # seed 004, "last man standing", end to end
//! cargo run --example check -- ls FILE...          # parse listings, print them back
//! cargo run --example check -- ls --json FILE...   # the model as JSON, one line per file
//! ```
//! Exit status: 0 when every input is good, 2 when an input cannot be read (the error names
//! the file, line and column).
#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool talks through stdout and stderr"
)]

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tungsten_model::command::CctrlCommand;
use tungsten_model::fault::Fault;
use tungsten_model::ls::{self, Listing};
use tungsten_model::machine::{self, Input, Outcome};
use tungsten_model::model::{State, Topology};

/// Check Tungsten Clustering listings, commands and runbooks against the model.
#[derive(Debug, Parser)]
#[command(name = "check", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
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
            println!("{line}");
        } else {
            print!("{listing}");
        }
    }
    Ok(())
}

/// Print what an accepted input did.
fn report(topology: &Topology, outcome: &Outcome) {
    for effect in &outcome.effects {
        println!("    {}", effect.render(topology));
    }
    for finding in &outcome.findings {
        println!("    ! {}", finding.render(topology));
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
    println!("# seed 004: last man standing, in a three-node cluster `alpha`\n");
    println!("## the world: writes, replication, two host failures\n");
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
        println!("> {label}");
        let outcome = machine::apply(&topology, &state, &Input::Fault(fault))
            .map_err(|r| BadInput(r.render(&topology)))?;
        report(&topology, &outcome);
        state = outcome.state;
    }
    println!("\n[LOGICAL] /alpha > ls");
    print!("{}", ls::project(&topology, &state, db2, Some(&world)));
    println!("\n## the operator, on db2\n");
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
        println!("[LOGICAL] /alpha > {line}");
        let command: CctrlCommand = line.parse().map_err(|e| bad(&e))?;
        let input =
            machine::resolve_cctrl(&topology, &state, db2, &command).map_err(|e| bad(&e))?;
        match machine::apply(&topology, &state, &input) {
            Ok(outcome) => {
                report(&topology, &outcome);
                state = outcome.state;
            }
            Err(r) => println!("    refused: {}", r.render(&topology)),
        }
    }
    println!("\n[LOGICAL] /alpha > ls");
    print!("{}", ls::project(&topology, &state, db2, Some(&world)));
    println!("\n## db1 and db3 come back\n");
    for (label, input) in [
        ("db1 restarts", Input::Fault(Fault::HostRestart(db1))),
        ("db3 restarts", Input::Fault(Fault::HostRestart(db3))),
    ] {
        println!("> {label}");
        let outcome =
            machine::apply(&topology, &state, &input).map_err(|r| BadInput(r.render(&topology)))?;
        report(&topology, &outcome);
        state = outcome.state;
    }
    println!("[LOGICAL] /alpha > recover");
    let command: CctrlCommand = "recover".parse().map_err(|e| bad(&e))?;
    let input = machine::resolve_cctrl(&topology, &state, db2, &command).map_err(|e| bad(&e))?;
    let outcome =
        machine::apply(&topology, &state, &input).map_err(|r| BadInput(r.render(&topology)))?;
    report(&topology, &outcome);
    state = outcome.state;
    println!("\n[LOGICAL] /alpha > ls");
    print!("{}", ls::project(&topology, &state, db2, Some(&world)));
    match machine::invariant::check(&topology, &state) {
        None => println!("\nevery invariant holds"),
        Some(v) => println!("\nINVARIANT BROKEN: {}", v.describe(&topology)),
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Ls { json, files }) => ls(&files, json),
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
