//! The README's "Using the library" example: kept here so that it compiles and runs.
#![allow(
    clippy::print_stdout,
    reason = "the example prints, as a user's program would"
)]

// --- README: begin ---
use tungsten_model::ls::{self, Listing};
use tungsten_model::model::{ServiceName, State};

fn show(path: &str) -> Result<(), Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(path)?;
    let listing: Listing = text.parse()?; // or a ParseError with line and column
    let alpha = ServiceName::new("alpha")?;
    let import = State::from_listings(&[(alpha, &listing)])?;
    for assumption in &import.assumptions {
        println!("assumed: {assumption}"); // what the listing does not say
    }
    let db2 = import.topology.host_id("db2").ok_or("no db2")?;
    print!(
        "{}",
        ls::project(&import.topology, &import.state, db2, Some(&listing))
    );
    Ok(())
}
// --- README: end ---

/// The example runs on the seed 004 listing, and fails with an error, not a panic, on a file
/// that is not there.
#[test]
fn the_readme_library_example_runs() {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/ls/seed004_failsafe.txt"
    );
    assert!(show(fixture).is_ok());
    assert!(show("no/such/listing.txt").is_err());
}

/// The README shows this file's example verbatim.
#[test]
fn the_readme_shows_this_example() {
    let this = include_str!("readme_library.rs");
    let begin = this.find("// --- README: begin ---\n").map(|i| i + 25);
    let end = this.find("// --- README: end ---");
    let (Some(begin), Some(end)) = (begin, end) else {
        panic!("markers missing");
    };
    assert!(include_str!("../README.md").contains(&this[begin..end]));
}
