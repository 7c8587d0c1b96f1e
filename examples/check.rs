//! `check`: the command-line front of tungsten-model.
//!
//! ```text
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
use tungsten_model::ls::Listing;

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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Ls { json, files }) => ls(&files, json),
        None => {
            println!("usage: check ls [--json] FILE...   (see --help)");
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(BadInput(message)) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}
