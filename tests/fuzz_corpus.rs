//! Replays every committed fuzz seed (`fuzz/seeds/<target>/`), every saved crash
//! (`tests/fuzz_regressions/<target>/`) and, where a local fuzz run left one, the working corpus
//! (`fuzz/corpus/<target>/`, not committed) through the check its fuzz target runs.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a test fails by panicking"
)]

use std::fs;
use std::path::{Path, PathBuf};

use tungsten_model::fuzzing::{self, Failure};

type Check = fn(&[u8]) -> Result<(), Failure>;

/// The fuzz targets, by name, with the check each runs.
const TARGETS: &[(&str, Check)] = &[
    ("parse_ls", fuzzing::parse_ls),
    ("parse_command", fuzzing::parse_command),
    ("parse_runbook", fuzzing::parse_runbook),
    ("apply_sequence", fuzzing::apply_sequence),
    ("apply_state", fuzzing::apply_state),
];

/// The committed seed inputs, one directory per target.
const SEEDS: &str = "fuzz/seeds";

/// What local fuzz runs kept (git-ignored; absent on a fresh clone), one directory per target.
const CORPUS: &str = "fuzz/corpus";

/// Inputs that once crashed a fuzz target, one directory per target.
const REGRESSIONS: &str = "tests/fuzz_regressions";

/// The directories whose subdirectories are named after fuzz targets.
/// The input kept as `tests/fuzz_regressions/<target>/<name>`.
fn regression(target: &str, name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join(REGRESSIONS)
            .join(target)
            .join(name),
    )
    .unwrap()
}

fn roots() -> Vec<PathBuf> {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    [SEEDS, CORPUS, REGRESSIONS]
        .iter()
        .map(|root| crate_dir.join(root))
        .collect()
}

/// The files of `dir` (hidden ones aside: libFuzzer's temporary files), sorted; none if
/// `dir` does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    if !dir.is_dir() {
        return Vec::new();
    }
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .filter(|path| {
            !path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    files.sort();
    files
}

/// Run every file of `root/<target>/` through the target's check; fail listing every file
/// that fails. Returns how many files there were.
fn replay(root: &str, target: &str) -> usize {
    let (_, check) = TARGETS.iter().find(|(name, _)| *name == target).unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(root)
        .join(target);
    let files = files(&dir);
    let failures: Vec<String> = files
        .iter()
        .filter_map(|path| {
            // A fuzzer running beside the test may remove a corpus file it has reduced.
            let data = fs::read(path).ok()?;
            check(&data)
                .err()
                .map(|failure| format!("{}:\n{failure}", path.display()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} {target} input(s) fail:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
    files.len()
}

#[test]
fn parse_ls_seeds_and_corpus() {
    assert!(
        replay(SEEDS, "parse_ls") > 0,
        "the parse_ls seeds are missing"
    );
    replay(CORPUS, "parse_ls");
}

#[test]
fn parse_command_seeds_and_corpus() {
    assert!(
        replay(SEEDS, "parse_command") > 0,
        "the parse_command seeds are missing"
    );
    replay(CORPUS, "parse_command");
}

#[test]
fn parse_runbook_seeds_and_corpus() {
    assert!(
        replay(SEEDS, "parse_runbook") > 0,
        "the parse_runbook seeds are missing"
    );
    replay(CORPUS, "parse_runbook");
}

#[test]
fn apply_sequence_seeds_and_corpus() {
    assert!(
        replay(SEEDS, "apply_sequence") > 0,
        "the apply_sequence seeds are missing"
    );
    replay(CORPUS, "apply_sequence");
}

#[test]
fn apply_state_seeds_and_corpus() {
    assert!(
        replay(SEEDS, "apply_state") > 0,
        "the apply_state seeds are missing"
    );
    replay(CORPUS, "apply_state");
}

#[test]
fn parse_ls_regressions() {
    replay(REGRESSIONS, "parse_ls");
}

#[test]
fn parse_command_regressions() {
    replay(REGRESSIONS, "parse_command");
}

#[test]
fn parse_runbook_regressions() {
    replay(REGRESSIONS, "parse_runbook");
}

#[test]
fn apply_sequence_regressions() {
    replay(REGRESSIONS, "apply_sequence");
}

/// Every directory under the corpus and regression roots is a known target, so that a file
/// saved under a misspelt name is not silently skipped.
#[test]
fn every_saved_directory_is_a_target() {
    for root in roots() {
        let Ok(entries) = fs::read_dir(&root) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                assert!(
                    TARGETS.iter().any(|(target, _)| *target == name),
                    "{} is not a fuzz target's directory",
                    path.display()
                );
            }
        }
    }
}

/// Found by `parse_runbook`: a prose note ending in a backslash, a blank line, then a step. The
/// note used to swallow the step when the runbook was printed without the blank line.
#[test]
fn note_ending_in_backslash_keeps_the_next_step() {
    fuzzing::parse_runbook(b"a \\\n\nshell db1> manager stop\n").unwrap();
    fuzzing::parse_runbook(b"a \\\nshell db1> manager stop\n").unwrap();
}

/// Found by `parse_ls`: a DATASOURCES section with a border and no block. The border's width
/// was kept though the rendering draws no border, so the listing did not read back.
#[test]
fn empty_datasources_with_a_border_reads_back() {
    fuzzing::parse_ls(b"COORDINATOR[db1:AUTOMATIC:ONLINE]\nDATASOURCES:\n+-----+\n").unwrap();
}

/// Found by `parse_runbook`: the last line of a runbook is a step ending in a backslash with
/// no line after it. The backslash was kept, but printed with a line end it continued into an
/// empty line and was dropped, so the step read back differently.
#[test]
fn step_ending_in_backslash_at_end_of_file_reads_back() {
    fuzzing::parse_runbook(b"shell db1> /opt/replicator/tungsten/tung\\").unwrap();
}

/// Found by `apply_sequence`: in MAINTENANCE, `trepctl setrole -role thl-applier` turned the
/// ONLINE master's replicator into an applier of a slave; a write to the master then left it
/// ahead of its own source. The engine now refuses to turn the ONLINE master's replicator
/// away from extracting (the explorer found the same by `replicator db1 slave db3`).
#[test]
fn master_replicator_made_an_applier_then_written() {
    apply_sequence_regression("master_replicator_made_an_applier_then_written");
}

/// Found by replaying the `parse_ls` corpus in a debug build: a latency written as a long run
/// of dashes recursed once per dash and overflowed a test thread's stack.
#[test]
fn latency_of_many_dashes_is_an_error_not_a_stack_overflow() {
    let listing = format!(
        "COORDINATOR[db1:AUTOMATIC:ONLINE]\nDATASOURCES:\n+----+\n|db1(master:ONLINE, progress=0, THL latency={}1.000)|\n",
        "-".repeat(100_000)
    );
    fuzzing::parse_ls(listing.as_bytes()).unwrap();
}

/// Found by `parse_runbook`: a prose line that starts like a shell step but has no prompt
/// (`shell  \`), ending in a backslash, then a blank line, then more prose. Whether the line
/// was a step was decided on the text joined to the line after it, which printing does not
/// keep (blank lines are dropped, declarations move to the top): read back, the note joined the
/// next line into a broken step. A line is now a step only if it starts with a prompt on its
/// own, continuation aside; prose never joins the next line. A step whose joined text still
/// ends in a backslash (`foo \\` then a blank line) drops it, so that it prints as no
/// continuation.
#[test]
fn prose_shaped_like_a_step_ending_in_backslash_reads_back() {
    let data = regression(
        "parse_runbook",
        "prose_shaped_like_a_step_ending_in_backslash",
    );
    fuzzing::parse_runbook(&data).unwrap();
    fuzzing::parse_runbook(b"    shell  \\\n  \n  &l east> /opt/continuent\n").unwrap();
    fuzzing::parse_runbook(b"shell  \\\n#! settle on\nshell db1> manager stop\n").unwrap();
    fuzzing::parse_runbook(b"shell east> foo \\\\\n\nshell db1> manager stop\n").unwrap();
    fuzzing::parse_runbook(b"shell east> foo \\\\\n").unwrap();
}

/// Found by `parse_runbook` in CI: `shell east{slave1}>#/opt/..` read as the command
/// `#/opt/..`, which printed back with a blank after the prompt, where the `#` starts a
/// comment, and the step read as empty. The command's first character now starts a word, as
/// a line's first does in bash: the step is an empty command either way, an error.
#[test]
fn a_comment_right_after_the_prompt_reads_back() {
    let data = regression("parse_runbook", "a_comment_right_after_the_prompt");
    fuzzing::parse_runbook(&data).unwrap();
    for text in ["shell db1>#x\n", "shell db1> #x\n", "cctrl>#ls\n"] {
        assert!(
            text.parse::<tungsten_model::runbook::Runbook>().is_err(),
            "{text}"
        );
        fuzzing::parse_runbook(text.as_bytes()).unwrap();
    }
    fuzzing::parse_runbook(b"shell db1> trepctl status>#x\n").unwrap();
}

/// Found by `apply_sequence`: db3's manager, restarted alone with a stale view, failed over to
/// db3 and repointed db4 (the master its peers had elected meanwhile) as a slave of db3; after
/// db3's `stopall`, db4's manager restarted with its own stale view, holding db4 as the ONLINE
/// master, and brought db4's slave replicator online. A write to db4 then left a slave ahead
/// of its master. The managers now bring an applying replicator online only on a datasource
/// they do not hold as the master, and so do `trepctl online` and `replicator <ds> online`.
#[test]
fn stale_manager_restart_brings_a_slave_replicator_online_on_the_master() {
    apply_sequence_regression(
        "stale_manager_restart_brings_a_slave_replicator_online_on_the_master",
    );
}

/// Found by `apply_sequence` (`replication-source`): db5, beyond a partition, was brought
/// online as a slave of db1, which a switch had made a slave of db2; db1 crashed, and
/// `trepctl setrole -role thl-client` on db2, pointed at db5, closed a loop db5 -> db1 -> db2
/// -> db5. `setrole` checked only the replicators reading from db2 directly (db1's was down);
/// it now refuses a role change that cuts off any online slave whose sources reach the master
/// through the replicator it changes.
#[test]
fn setrole_loops_a_slave_of_a_slave_through_a_down_host() {
    apply_sequence_regression("setrole_loops_a_slave_of_a_slave_through_a_down_host");
}

/// Found by `apply_sequence` (`position-order`) once the stale-manager restart above was fixed:
/// db4, the master elected while db3's manager was stopped, was repointed as a slave by db3's
/// manager restarting with a stale view; db3 crashed, db4 was provisioned from db1 while its own manager was stopped
/// (its slave replicator back online), and db4's manager restarted holding db4 as the ONLINE
/// master. Its replicator was already online, so nothing brought it online to refuse. The
/// managers now also take offline an applying replicator on the datasource they hold as the
/// ONLINE master (`retire_strays`).
#[test]
fn stale_master_view_over_a_slave_provisioned_while_its_manager_was_stopped() {
    apply_sequence_regression(
        "stale_master_view_over_a_slave_provisioned_while_its_manager_was_stopped",
    );
}

/// Found by `apply_sequence` (`replication-source`) in a composite of two sites: db1, a relay
/// in east reading from db3 in west, stayed on db3 when a switch in west made db3 a slave of
/// db4. The chain db1 -> db3 -> db4 reaches west's master through a slave, which Tungsten
/// allows, but the check took the hop db3 -> db4 as leaving east, the relay's service. Each
/// hop is now checked against the service of the replicator that takes it.
#[test]
fn relay_reading_from_a_remote_slave_after_that_site_switched() {
    apply_sequence_regression("relay_reading_from_a_remote_slave_after_that_site_switched");
}

/// Found by `apply_sequence` (`replication-source`) across two sites: db1, east's master, is
/// shunned and made a relay of west's master db3 by `trepctl setrole`; db2 (a slave of db1)
/// loses its manager, db1 crashes; then db3's manager stops and west fails over to db4. db2
/// still reads through db1 from db3, a master a failover replaced, and no manager of east
/// runs to retire it. A chain a failover leaves behind now counts only where a manager of
/// the slave's own service with quorum reaches it, as `single-extractor` counts strays only
/// where managers can retire them.
#[test]
fn relay_of_a_remote_master_left_behind_while_its_own_site_has_no_manager() {
    apply_sequence_regression(
        "relay_of_a_remote_master_left_behind_while_its_own_site_has_no_manager",
    );
}

/// Replay one saved `apply_sequence` input through the fuzz target's checks.
fn apply_sequence_regression(name: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(REGRESSIONS)
        .join("apply_sequence")
        .join(name);
    let data = std::fs::read(&path).unwrap();
    if let Err(failure) = fuzzing::apply_sequence(&data) {
        panic!("{}: {failure}", path.display());
    }
}

/// Found by `parse_runbook`: a multi-byte character inside single quotes, then backquotes or
/// a `$(`: blanking the quoted text took one byte for each character, so every offset after
/// it was short and a slice was cut inside a character (a panic).
#[test]
fn a_quoted_multibyte_character_before_a_substitution_is_no_panic() {
    fuzzing::parse_runbook("shell db1> echo 'é' `stopall` \n".as_bytes()).unwrap();
    fuzzing::parse_runbook("shell db1> echo '\u{ffff}\u{ffff}' $(stopall)\n".as_bytes()).unwrap();
    fuzzing::parse_runbook(&regression(
        "parse_runbook",
        "quoted_multibyte_before_backquotes",
    ))
    .unwrap();
}

/// Found by `parse_runbook`: a step whose command ends in a literal backslash (`\\`) before a
/// comment (`shell db1> x \\ # y`, or a continuation line that is a `#!` comment). The comment
/// prints as a note on a line of its own, so the step printed ending in a backslash and read
/// back continued into the note. A trailing backslash before a comment is now dropped, as one
/// before a blank line or the end of the text is.
#[test]
fn literal_backslash_before_a_comment_reads_back() {
    fuzzing::parse_runbook(&regression(
        "parse_runbook",
        "literal_backslash_before_a_comment",
    ))
    .unwrap();
    for text in [
        "shell db1> x \\\\ # y\n",
        "shell db1> x \\\\ #! y\n",
        "shell db1> x \\\\\\\n#! y\n",
        "shell db1> \\\\ # y\n",
    ] {
        fuzzing::parse_runbook(text.as_bytes()).unwrap_or_else(|f| panic!("{text}: {f}"));
    }
    let book: tungsten_model::runbook::Runbook = "shell db1> x \\\\ # y\n".parse().unwrap();
    assert_eq!(book.to_string(), "shell db1> x\n# y\n");
}
