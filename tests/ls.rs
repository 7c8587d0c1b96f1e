//! `cctrl ls` listings: seeds and real copies parse, render back in Tungsten's layout, and
//! damaged text fails with a located error.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a test fails by panicking"
)]

use tungsten_model::ls::{DataSources, Listing};
use tungsten_model::model::{DataSourceRole, DataSourceState, ReplicatorState, ShunReason};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/ls/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// What the documents' copies lost: runs of blanks folded to one, blank lines dropped,
/// trailing blanks removed.
fn folded(text: &str) -> String {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn wrap_block(block: &str) -> String {
    format!("COORDINATOR[db2:AUTOMATIC:ONLINE]\nDATASOURCES:\n{block}")
}

#[test]
fn seed004_listings_render_back_as_printed() {
    for name in ["seed004_failsafe.txt", "seed004_last_man_standing.txt"] {
        let text = fixture(name);
        let listing: Listing = text.parse().unwrap();
        let rendered = listing.to_string();
        assert_eq!(folded(&rendered), folded(&text), "{name}");
        insta::assert_snapshot!(name, rendered);
        // The canonical rendering reads back to the same value.
        assert_eq!(rendered.parse::<Listing>().unwrap(), listing);
    }
}

#[test]
fn seed004_failsafe_is_read_into_the_model() {
    let listing: Listing = fixture("seed004_failsafe.txt").parse().unwrap();
    assert_eq!(listing.layout.width, 83);
    assert_eq!(listing.coordinator.host.as_str(), "db2");
    let db2 = listing.datasource("db2").unwrap();
    assert_eq!(db2.role, DataSourceRole::Slave);
    assert_eq!(
        db2.state,
        DataSourceState::Shunned(Some(ShunReason::FailsafeShun))
    );
    // STATUS is data of its own: OK while the state is SHUNNED.
    assert_eq!(db2.status.alert.to_string(), "OK");
    let progress = db2.progress.unwrap();
    assert_eq!((progress.seqno, progress.latency), (None, None));
    let replicator = db2.replicator.as_ref().unwrap();
    assert_eq!(replicator.master.as_ref().unwrap().as_str(), "db3");
    assert_eq!(replicator.state, ReplicatorState::Offline);
    let db1 = listing.datasource("db1").unwrap();
    assert!(db1.progress.is_none());
    assert_eq!(
        db1.replicator.as_ref().unwrap().state,
        ReplicatorState::StatusNotAvailable
    );
}

#[test]
fn real_copies_parse_and_keep_their_width() {
    let healthy: Listing = fixture("docs40_healthy_76col.txt").parse().unwrap();
    assert_eq!(healthy.layout.width, 78);
    assert_eq!(healthy.to_string(), fixture("docs40_healthy_76col.txt"));

    let composite: Listing = fixture("docs70_composite_failsafe_83col.txt")
        .parse()
        .unwrap();
    assert_eq!(composite.site_coordinators.len(), 1);
    assert_eq!(composite.site_coordinators[0].service.as_str(), "alpha");
    let DataSources::Composite { members, summary } = &composite.datasources else {
        panic!("composite listing read as physical");
    };
    assert_eq!(members.len(), 2);
    assert_eq!(members[1].state.to_string(), "SHUNNED(FAILSAFE_SHUN)");
    assert!(summary.is_none());
    assert_eq!(
        composite.to_string(),
        fixture("docs70_composite_failsafe_83col.txt")
    );

    let older: Listing = fixture("docs71_composite_76col.txt").parse().unwrap();
    assert!(older.routers.is_none());
    assert_eq!(older.to_string(), fixture("docs71_composite_76col.txt"));
}

/// A header wrapped over three rows, the middle one closing a parenthesis the first opened,
/// still joins into one (cargo-mutants on the wrapped-header loop).
#[test]
fn a_header_wrapped_over_three_rows_is_joined() {
    let text = wrap_block(&fixture("docs61_failed_wrapped_block.txt")).replace(
        "|host3(slave:FAILED(DATASERVER 'host3@alpha' STOPPED),                       |",
        "|host3(slave:FAILED(DATASERVER                                               |\n|'host3@alpha' STOPPED),                                                     |",
    );
    assert_eq!(text.matches("host3@alpha' STOPPED),").count(), 1, "{text}");
    let listing: Listing = text
        .parse()
        .unwrap_or_else(|e: tungsten_model::ParseError| panic!("{}", e.caret()));
    let host3 = listing.datasource("host3").unwrap();
    assert_eq!(host3.progress.unwrap().seqno.unwrap().get(), 154_146);
}

/// A block copied without its component rows (a blog post's) prints back without an empty
/// box for them, and reads back the same (it printed two borders with nothing between).
#[test]
fn a_block_without_component_rows_prints_no_empty_box() {
    let text = "COORDINATOR[db1:AUTOMATIC:ONLINE]\n\nDATASOURCES:\n|db1(slave:SHUNNED(MANUALLY-SHUNNED), |\n|progress=31893503241, latency=0.777) |\n|STATUS [SHUNNED] [2023/01/13 04:30:02 AM EST] |\n";
    let listing: Listing = text.parse().unwrap();
    let printed = listing.to_string();
    insta::assert_snapshot!(printed, @"
    COORDINATOR[db1:AUTOMATIC:ONLINE]

    DATASOURCES:
    +---------------------------------------------------------------------------------+
    |db1(slave:SHUNNED(MANUALLY-SHUNNED), progress=31893503241, latency=0.777)        |
    |STATUS [SHUNNED] [2023/01/13 04:30:02 AM EST]                                    |
    +---------------------------------------------------------------------------------+
    ");
    let again: Listing = printed.parse().unwrap();
    assert_eq!(again, listing);
}

#[test]
fn a_wrapped_header_is_joined() {
    let listing: Listing = wrap_block(&fixture("docs61_failed_wrapped_block.txt"))
        .parse()
        .unwrap();
    let host3 = listing.datasource("host3").unwrap();
    assert_eq!(
        host3.state.to_string(),
        "FAILED(DATASERVER 'host3@alpha' STOPPED)"
    );
    assert_eq!(host3.progress.unwrap().seqno.unwrap().get(), 154_146);
    assert_eq!(
        host3.reason.as_ref().unwrap().as_str(),
        "DATASERVER 'host3@alpha' STOPPED"
    );
    // Printed back as the documents print it: wrapped before its progress (it was printed
    // on one row past the border; an independent review).
    let block = fixture("docs61_failed_wrapped_block.txt");
    assert!(listing.to_string().ends_with(&block), "{listing}");
    insta::assert_snapshot!(listing.to_string(), @"
    COORDINATOR[db2:AUTOMATIC:ONLINE]

    DATASOURCES:
    +----------------------------------------------------------------------------+
    |host3(slave:FAILED(DATASERVER 'host3@alpha' STOPPED),                       |
    |progress=154146, latency=31.419)                                            |
    |STATUS [CRITICAL] [2013/05/10 11:51:42 PM BST]                              |
    |REASON[DATASERVER 'host3@alpha' STOPPED]                                    |
    +----------------------------------------------------------------------------+
    |  MANAGER(state=ONLINE)                                                     |
    |  REPLICATOR(role=slave, master=host1, state=ONLINE)                        |
    |  DATASERVER(state=STOPPED)                                                 |
    |  CONNECTIONS(created=208, active=0)                                        |
    +----------------------------------------------------------------------------+
    ");
}

#[test]
fn trailing_blanks_and_one_blank_indents_are_taken() {
    let listing: Listing = wrap_block(&fixture("docs70_relay_trailing_blanks_block.txt"))
        .parse()
        .unwrap();
    let db4 = listing.datasource("db4").unwrap();
    assert_eq!(db4.role, DataSourceRole::Relay);
    assert_eq!(db4.connections.unwrap().created, 8108);
}

#[test]
fn variants_real_copies_show() {
    // No blank lines, no borders at all, padding collapsed.
    let bare = "COORDINATOR[db1:MAINTENANCE:ONLINE]\nROUTERS:\nconnector@db1[1](OFFLINE, created=3, active=1)\nDATASOURCES:\ndb1(master:ONLINE)\nSTATUS [OK]\nMANAGER(state=ONLINE)\n";
    let listing: Listing = bare.parse().unwrap();
    assert_eq!(listing.layout.width, 83);
    let db1 = listing.datasource("db1").unwrap();
    assert!(db1.progress.is_none() && db1.replicator.is_none() && db1.dataserver.is_none());
    // A prompt line before the listing, CRLF line ends, a space before `(`.
    let prompted = "[LOGICAL] /alpha > ls\r\n\r\nCOORDINATOR[db1:AUTOMATIC:ONLINE]\r\nDATASOURCES:\r\n|db1 (master:ONLINE, progress=12, THL latency=0.5) |\r\n|STATUS [OK] [2025/06/04 01:49:28 PM GMT+00:00]|\r\n";
    let listing: Listing = prompted.parse().unwrap();
    let db1 = listing.datasource("db1").unwrap();
    assert_eq!(db1.progress.unwrap().latency.unwrap().millis(), 500);
    assert_eq!(db1.status.time.as_ref().unwrap().zone(), "GMT+00:00");
    // The closing line some composite copies show is kept verbatim.
    let with_summary = format!(
        "{}Composite Active Dataservice (Primary) - east\n",
        fixture("docs71_composite_76col.txt")
    );
    let listing: Listing = with_summary.parse().unwrap();
    let DataSources::Composite { summary, .. } = &listing.datasources else {
        panic!()
    };
    assert_eq!(
        summary.as_deref(),
        Some("Composite Active Dataservice (Primary) - east")
    );
    assert_eq!(listing.to_string(), with_summary);
}

fn caret(text: &str) -> String {
    text.parse::<Listing>().unwrap_err().caret()
}

const HEAD: &str = "COORDINATOR[db1:AUTOMATIC:ONLINE]\nDATASOURCES:\n";

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one snapshot per damaged input, read top to bottom"
)]
fn damaged_listings_fail_with_located_errors() {
    // 1. A block cut off after its header.
    insta::assert_snapshot!(caret(&format!("{HEAD}|db1(master:ONLINE) |\n")), @"
    error: expected a `STATUS [<status>] [<time>]` line, found the end of the listing
     --> line 3, column 22
      |
    3 | |db1(master:ONLINE) |
      |                      ^
    ");
    // 1b. A header followed by the next datasource's, the first block's STATUS line lost: the
    // error is at the second header, not a header joined from both (cargo-mutants on the
    // wrapped-header loop).
    insta::assert_snapshot!(caret(&format!("{HEAD}|db1(master:ONLINE) |\n|db2(slave:ONLINE) |\n|STATUS [OK]|\n")), @"
    error: expected a `STATUS [<status>] [<time>]` line, found `db2`
     --> line 4, column 2
      |
    4 | |db2(slave:ONLINE) |
      |  ^^^
    ");
    // 1c. The same after a header wrapped over two rows.
    insta::assert_snapshot!(caret(&format!("{HEAD}|db3(slave:FAILED(DATASERVER 'db3@alpha' STOPPED), |\n|progress=1, latency=0.1) |\n|db2(slave:ONLINE) |\n|STATUS [OK]|\n")), @"
    error: expected a `STATUS [<status>] [<time>]` line, found `db2`
     --> line 5, column 2
      |
    5 | |db2(slave:ONLINE) |
      |  ^^^
    ");
    // 2. A misspelt state.
    insta::assert_snapshot!(caret(&format!("{HEAD}|db1(master:ONLIEN) |\n|STATUS [OK]|\n")), @"
    error: expected a datasource state (ONLINE, OFFLINE, SHUNNED(<reason>) or FAILED(<reason>)), found `ONLIEN`
     --> line 3, column 13
      |
    3 | |db1(master:ONLIEN) |
      |             ^^^^^^
    ");
    // 3. Unbalanced parentheses.
    insta::assert_snapshot!(caret(&format!("{HEAD}|db1(master:SHUNNED(FAILSAFE_SHUN) |\n|STATUS [OK]|\n")), @"
    error: expected `,` or `)`, found the end of the line
     --> line 3, column 35
      |
    3 | |db1(master:SHUNNED(FAILSAFE_SHUN) |
      |                                   ^
    ");
    // 4. An unknown role.
    insta::assert_snapshot!(caret(&format!("{HEAD}|db1(mastr:ONLINE) |\n|STATUS [OK]|\n")), @"
    error: expected a role (master, slave, relay, standby, archive, witness, composite master or composite slave), found `mastr`
     --> line 3, column 6
      |
    3 | |db1(mastr:ONLINE) |
      |      ^^^^^
    ");
    // 5. A stray line among the blocks.
    insta::assert_snapshot!(caret(&format!("{HEAD}|db1(master:ONLINE) |\n|STATUS [OK]|\nsee the note below\n")), @"
    error: expected a datasource header such as `db1(master:ONLINE, progress=7, THL latency=0.271)`, found `see the note below`
     --> line 5, column 1
      |
    5 | see the note below
      | ^^^^^^^^^^^^^^^^^^
    ");
    // 6. A misspelt policy.
    insta::assert_snapshot!(caret("COORDINATOR[db1:AUTOMATIK:ONLINE]\nDATASOURCES:\n"), @"
    error: expected a policy (AUTOMATIC, MANUAL or MAINTENANCE), found `AUTOMATIK`
     --> line 1, column 17
      |
    1 | COORDINATOR[db1:AUTOMATIK:ONLINE]
      |                 ^^^^^^^^^
    ");
    // 7. No DATASOURCES section.
    insta::assert_snapshot!(caret("COORDINATOR[db1:AUTOMATIC:ONLINE]\nROUTERS:\n"), @"
    error: expected a router row or `DATASOURCES:`, found the end of the listing
     --> line 2, column 9
      |
    2 | ROUTERS:
      |         ^
    ");
    // 8. A process id that is not a number.
    insta::assert_snapshot!(caret("COORDINATOR[db1:AUTOMATIC:ONLINE]\nROUTERS:\n|connector@db1[75x9](ONLINE, created=0, active=0)|\nDATASOURCES:\n"), @"
    error: expected a whole number, found `75x9`
     --> line 3, column 16
      |
    3 | |connector@db1[75x9](ONLINE, created=0, active=0)|
      |                ^^^^
    ");
    // 9. A misspelt replicator state.
    insta::assert_snapshot!(caret(&format!("{HEAD}|db1(slave:ONLINE) |\n|STATUS [OK]|\n|  REPLICATOR(role=slave, master=db2, state=ONLIEN) |\n")), @"
    error: expected a replicator state (ONLINE, OFFLINE:NORMAL, OFFLINE:ERROR, OFFLINE:NORMAL:RESTORING, GOING-ONLINE:SYNCHRONIZING, GOING-ONLINE:PROVISIONING, GOING-ONLINE:RESTORING, GOING-OFFLINE, OFFLINE, STOPPED, DEGRADED, SUSPECT or STATUS NOT AVAILABLE), found `ONLIEN`
     --> line 5, column 45
      |
    5 | |  REPLICATOR(role=slave, master=db2, state=ONLIEN) |
      |                                             ^^^^^^
    ");
    // 10. A component row twice.
    insta::assert_snapshot!(caret(&format!("{HEAD}|db1(slave:ONLINE) |\n|STATUS [OK]|\n|  MANAGER(state=ONLINE)|\n|  MANAGER(state=ONLINE)|\n")), @"
    error: expected one MANAGER row per datasource, not two, found `MANAGER(state=ONLINE)`
     --> line 6, column 4
      |
    6 | |  MANAGER(state=ONLINE)|
      |    ^^^^^^^^^^^^^^^^^^^^^
    ");
    // 11. An alert status that does not exist.
    insta::assert_snapshot!(caret(&format!("{HEAD}|db1(slave:ONLINE) |\n|STATUS [FINE]|\n")), @"
    error: expected an alert status (OK, WARN, DIMINISHED, CRITICAL, SHUNNED or UNKNOWN), found `FINE`
     --> line 4, column 10
      |
    4 | |STATUS [FINE]|
      |          ^^^^
    ");
    // 12. A timestamp out of range.
    insta::assert_snapshot!(caret(&format!("{HEAD}|db1(slave:ONLINE) |\n|STATUS [OK] [2025/06/04 13:51:34 PM UTC]|\n")), @"
    error: expected a time such as `2025/06/04 01:51:34 PM UTC`, found `2025/06/04 13:51:34 PM UTC`
     --> line 4, column 15
      |
    4 | |STATUS [OK] [2025/06/04 13:51:34 PM UTC]|
      |               ^^^^^^^^^^^^^^^^^^^^^^^^^^
    ");
    // 13. Nothing at all.
    insta::assert_snapshot!(caret(""), @"
    error: expected a `COORDINATOR[<host>:<policy>:<state>]` line, found the end of the listing
     --> line 1, column 1
      |
    1 | 
      | ^
    ");
    // 14. A composite member among physical datasources.
    insta::assert_snapshot!(caret(&format!("{HEAD}|db1(slave:ONLINE) |\n|STATUS [OK]|\n|east(composite master:ONLINE)|\n|STATUS [OK]|\n")), @"
    error: expected a datasource header such as `db1(master:ONLINE, progress=7, THL latency=0.271)`, found `east(composite master:ONLINE)`
     --> line 5, column 2
      |
    5 | |east(composite master:ONLINE)|
      |  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
    ");
    // 14b. And the other way round: a physical datasource among composite members.
    insta::assert_snapshot!(caret(&format!("{HEAD}|east(composite master:ONLINE)|\n|STATUS [OK]|\n|db1(slave:ONLINE) |\n|STATUS [OK]|\n")), @"
    error: expected a composite member header such as `east(composite master:ONLINE)`, found `db1(slave:ONLINE)`
     --> line 5, column 2
      |
    5 | |db1(slave:ONLINE) |
      |  ^^^^^^^^^^^^^^^^^
    ");
    // 15. A progress that is not a number.
    insta::assert_snapshot!(caret(&format!("{HEAD}|db1(slave:ONLINE, progress=seven, latency=0.1) |\n|STATUS [OK]|\n")), @"
    error: expected a seqno from 0 to 9223372036854775807, or -1, found `seven`
     --> line 3, column 29
      |
    3 | |db1(slave:ONLINE, progress=seven, latency=0.1) |
      |                             ^^^^^
    ");
    // 15b. A progress past the largest seqno (2^63 - 1): one more than it is refused, and
    // the largest reads.
    insta::assert_snapshot!(caret(&format!("{HEAD}|db1(slave:ONLINE, progress=9223372036854775808, latency=0.1) |\n|STATUS [OK]|\n")), @"
    error: expected a seqno from 0 to 9223372036854775807, or -1, found `9223372036854775808`
     --> line 3, column 29
      |
    3 | |db1(slave:ONLINE, progress=9223372036854775808, latency=0.1) |
      |                             ^^^^^^^^^^^^^^^^^^^
    ");
    let largest = format!(
        "{HEAD}|db1(slave:ONLINE, progress=9223372036854775807, latency=0.1) |\n|STATUS [OK]|\n"
    );
    let listing: Listing = largest.parse().unwrap();
    let DataSources::Physical(blocks) = &listing.datasources else {
        panic!("a physical listing read as composite")
    };
    assert_eq!(
        blocks[0].progress.and_then(|p| p.seqno),
        Some(tungsten_model::model::Seqno::MAX)
    );
    // 16. A wrapped header whose second row is damaged: the caret is on that row.
    insta::assert_snapshot!(caret(&format!("{HEAD}|db1(slave:FAILED(DATASERVER 'db1@alpha' STOPPED), |\n|progress=3, latenzy=0.1) |\n|STATUS [OK]|\n")), @"
    error: expected `progress=`, `latency=` or `THL latency=`, found `latenzy=0.1`
     --> line 4, column 14
      |
    4 | |progress=3, latenzy=0.1) |
      |              ^^^^^^^^^^^
    ");
    // 17. A copy cut off inside a row (the documents' stored copy).
    insta::assert_snapshot!(caret(&wrap_block(&fixture("docs40_suspect_truncated_block.txt"))), @"
    error: expected the end of the row, found `[... truncated in store ...]`
     --> line 9, column 54
      |
    9 | | DATASERVER(state=ONLINE)                           [... truncated in store ...]
      |                                                      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^
    ");
    // 18. A bad host name.
    insta::assert_snapshot!(caret(&format!("{HEAD}|db_1!(slave:ONLINE) |\n|STATUS [OK]|\n")), @"
    error: expected a host name (letters, digits, `-`, `_` or `.`, starting with a letter or digit), found `!`
     --> line 3, column 6
      |
    3 | |db_1!(slave:ONLINE) |
      |      ^
    ");
}

/// The service a copied listing names in its prompt, in both prompt styles; no name from
/// anything that is not an `ls` prompt.
#[test]
fn a_listing_names_its_service_in_its_prompt() {
    use tungsten_model::ls::prompt_service;
    let named = |text: &str| prompt_service(text).map(|s| s.to_string());
    assert_eq!(
        named("\n  [LOGICAL] /alpha > ls\nCOORDINATOR[db1:AUTOMATIC:ONLINE]"),
        Some("alpha".to_owned())
    );
    assert_eq!(named("cctrl [east]> LS"), Some("east".to_owned()));
    assert_eq!(named("[LOGICAL] /alpha > switch"), None);
    assert_eq!(named("COORDINATOR[db1:AUTOMATIC:ONLINE]"), None);
    assert_eq!(named("cctrl east> ls"), None);
    assert_eq!(named(""), None);
}

/// A box border where a content line belongs is named as what was found, with the whole
/// border underlined.
#[test]
fn a_border_where_the_coordinator_belongs_is_named() {
    let e = "+--------+\nCOORDINATOR[db1:AUTOMATIC:ONLINE]\n"
        .parse::<Listing>()
        .unwrap_err();
    assert_eq!(e.found(), "`+--------+`");
    assert_eq!((e.span().line, e.span().column), (1, 1));
}

/// A composite listing's closing line is kept as its summary only when it is the last line;
/// the same text between two members is an error at that line.
#[test]
fn a_composite_summary_is_only_the_last_line() {
    let listing = fixture("docs71_composite_76col.txt");
    let summary = format!("{listing}\nall members online\n");
    let read: Listing = summary.parse().unwrap();
    match read.datasources {
        DataSources::Composite { summary, .. } => {
            assert_eq!(summary.as_deref(), Some("all members online"));
        }
        DataSources::Physical(_) => panic!("a composite listing read as physical"),
    }
    let between = listing.replacen(
        "+----------------------------------------------------------------------------+\n|west",
        "all members online\n+----------------------------------------------------------------------------+\n|west",
        1,
    );
    assert_ne!(between, listing);
    let e = between.parse::<Listing>().unwrap_err();
    assert_eq!(e.span().line, 8, "{}", e.caret());
    // Inside the box it is no summary but a row of a block, and not a valid one.
    let boxed = format!("{listing}|all members online|\n");
    assert!(boxed.parse::<Listing>().is_err());
}

/// Each component row appears once per datasource block.
#[test]
fn a_component_row_twice_in_one_block_is_an_error() {
    let listing = fixture("docs40_healthy_76col.txt");
    for row in [
        "MANAGER(state=ONLINE)",
        "REPLICATOR(role=master, state=ONLINE)",
        "DATASERVER(state=ONLINE)",
        "CONNECTIONS(created=0, active=0)",
    ] {
        let twice = listing.replacen(&format!("|  {row}"), &format!("|  {row}\n|  {row}"), 1);
        assert_ne!(twice, listing, "{row}");
        let e = twice.parse::<Listing>().unwrap_err();
        let keyword = row.split('(').next().unwrap();
        assert!(
            e.to_string()
                .contains(&format!("one {keyword} row per datasource")),
            "{row}: {e}"
        );
    }
}

/// Errors inside a row underline what is wrong: the `(` of a reason never closed, the whole
/// of a process id too large to be one.
#[test]
fn errors_inside_a_row_underline_the_culprit() {
    let healthy = fixture("docs40_healthy_76col.txt");
    let read = |from: &str, to: &str| {
        let text = healthy.replacen(from, to, 1);
        assert_ne!(text, healthy);
        let e = text.parse::<Listing>().unwrap_err();
        let span = e.span();
        (span.line, span.column, span.len, e.expected().to_owned())
    };
    assert_eq!(
        read(
            "|host1(master:ONLINE, progress=3, THL latency=0.561)                         |",
            "|host1(master:SHUNNED(MANUALLY",
        ),
        (12, 22, 1, "a `)` closing the reason".to_owned())
    );
    assert_eq!(
        read("connector@host1[8805]", "connector@host1[88050000000000]"),
        (5, 18, 14, "a process id".to_owned())
    );
}

/// A header wrapped at a space inside its state (not after a comma) is joined with that
/// space: the reason reads `'host3@alpha' STOPPED`, not `'host3@alpha'STOPPED`.
#[test]
fn a_header_wrapped_at_a_space_keeps_the_space() {
    let row = |text: &str| format!("|{text:<76}|");
    let block = fixture("docs61_failed_wrapped_block.txt")
        .replacen(
            &row("host3(slave:FAILED(DATASERVER 'host3@alpha' STOPPED),"),
            &row("host3(slave:FAILED(DATASERVER 'host3@alpha'"),
            1,
        )
        .replacen(
            &row("progress=154146, latency=31.419)"),
            &row("STOPPED), progress=154146, latency=31.419)"),
            1,
        );
    assert!(block.contains("'host3@alpha'  "), "{block}");
    let listing: Listing = wrap_block(&block).parse().unwrap();
    let host3 = listing.datasource("host3").unwrap();
    assert_eq!(
        host3.state.to_string(),
        "FAILED(DATASERVER 'host3@alpha' STOPPED)"
    );
    assert_eq!(host3.progress.unwrap().seqno.unwrap().get(), 154_146);
}

/// A name too long and a number too big are each underlined whole, where they stand.
#[test]
fn a_name_too_long_and_a_number_too_big_are_underlined_whole() {
    let check = |header: &str, bad: &str| {
        let text = format!("COORDINATOR[db1:AUTOMATIC:ONLINE]\nDATASOURCES:\n|{header}|\n");
        let error = text.parse::<Listing>().unwrap_err();
        let column = header.find(bad).unwrap() + 2;
        assert_eq!(
            (error.span().line, error.span().column, error.span().len),
            (3, column, bad.len()),
            "{}",
            error.caret()
        );
    };
    let long = "d".repeat(tungsten_model::model::MAX_NAME_LEN + 1);
    check(
        &format!("{long}(master:ONLINE, progress=1, THL latency=0.1)"),
        &long,
    );
    let big = "99999999999999999999";
    check(
        &format!("db1(master:ONLINE, progress={big}, THL latency=0.1)"),
        big,
    );
}

/// Each error underlines its culprit exactly, and quotes it (cargo-mutants on the spans of
/// `grammar.rs`): a keyword or state holding `-` or `_` is taken whole; a bad character in a
/// name is underlined alone, a multi-byte one included; a count, a sequence number and a
/// latency that do not read are underlined whole.
#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one snapshot per damaged input, read top to bottom"
)]
fn errors_quote_and_underline_their_culprit_exactly() {
    let row = |header: &str| format!("{HEAD}|{header} |\n|STATUS [OK]|\n");
    insta::assert_snapshot!(caret("COORDINATOR[db1:AUTO-MATIC:ONLINE]\nDATASOURCES:\n"), @"
    error: expected a policy (AUTOMATIC, MANUAL or MAINTENANCE), found `AUTO-MATIC`
     --> line 1, column 17
      |
    1 | COORDINATOR[db1:AUTO-MATIC:ONLINE]
      |                 ^^^^^^^^^^
    ");
    insta::assert_snapshot!(caret("COORDINATOR[db1:MANUAL:ON_LINE]\nDATASOURCES:\n"), @"
    error: expected a coordinator state (ONLINE, OFFLINE, STOPPED or UNKNOWN), found `ON_LINE`
     --> line 1, column 24
      |
    1 | COORDINATOR[db1:MANUAL:ON_LINE]
      |                        ^^^^^^^
    ");
    insta::assert_snapshot!(caret(&row("db1(master:ON-LINE)")), @"
    error: expected a datasource state (ONLINE, OFFLINE, SHUNNED(<reason>) or FAILED(<reason>)), found `ON-LINE`
     --> line 3, column 13
      |
    3 | |db1(master:ON-LINE) |
      |             ^^^^^^^
    ");
    insta::assert_snapshot!(caret(&row("db1(master:OFF_LINE)")), @"
    error: expected a datasource state (ONLINE, OFFLINE, SHUNNED(<reason>) or FAILED(<reason>)), found `OFF_LINE`
     --> line 3, column 13
      |
    3 | |db1(master:OFF_LINE) |
      |             ^^^^^^^^
    ");
    insta::assert_snapshot!(caret(&row("dbx#1(master:ONLINE)")), @"
    error: expected a host name (letters, digits, `-`, `_` or `.`, starting with a letter or digit), found `#`
     --> line 3, column 5
      |
    3 | |dbx#1(master:ONLINE) |
      |     ^
    ");
    insta::assert_snapshot!(caret(&row("dbxé1(master:ONLINE)")), @"
    error: expected a host name (letters, digits, `-`, `_` or `.`, starting with a letter or digit), found `é`
     --> line 3, column 5
      |
    3 | |dbxé1(master:ONLINE) |
      |     ^
    ");
    insta::assert_snapshot!(caret(&row("db1(master:ONLINE, progress=4x2, THL latency=0.1)")), @"
    error: expected a seqno from 0 to 9223372036854775807, or -1, found `4x2`
     --> line 3, column 30
      |
    3 | |db1(master:ONLINE, progress=4x2, THL latency=0.1) |
      |                              ^^^
    ");
    insta::assert_snapshot!(caret(&row("db1(master:ONLINE, progress=4, THL latency=zero)")), @"
    error: expected a latency in seconds (e.g. `0.271` or `-1.000`), found `zero`
     --> line 3, column 45
      |
    3 | |db1(master:ONLINE, progress=4, THL latency=zero) |
      |                                             ^^^^
    ");
    insta::assert_snapshot!(caret(&row("db1(master:SHUNNED(MANUALLY")), @"
    error: expected a `)` closing the reason, found `(`
     --> line 3, column 20
      |
    3 | |db1(master:SHUNNED(MANUALLY |
      |                    ^
    ");
    insta::assert_snapshot!(caret(&row("db1(master:SHUNNED())")), @"
    error: expected a shun reason: reason is empty: expected some text, found `)`
     --> line 3, column 21
      |
    3 | |db1(master:SHUNNED()) |
      |                     ^
    ");
    insta::assert_snapshot!(caret(&row("db1(master:FAILED())")), @"
    error: expected a failure reason: reason is empty: expected some text, found `)`
     --> line 3, column 20
      |
    3 | |db1(master:FAILED()) |
      |                    ^
    ");
    insta::assert_snapshot!(caret(&row("db1(master:SHUNNED( MANUALLY ))")), @"
    error: expected a shun reason: reason ` MANUALLY ` starts or ends with a blank: expected text without surrounding blanks, found ` MANUALLY `
     --> line 3, column 21
      |
    3 | |db1(master:SHUNNED( MANUALLY )) |
      |                     ^^^^^^^^^^
    ");
    insta::assert_snapshot!(caret(&row("db1(master:FAILED( DOWN ))")), @"
    error: expected a failure reason: reason ` DOWN ` starts or ends with a blank: expected text without surrounding blanks, found ` DOWN `
     --> line 3, column 20
      |
    3 | |db1(master:FAILED( DOWN )) |
      |                    ^^^^^^
    ");
    insta::assert_snapshot!(caret(&row("db1(master:ONLINE(FINE))")), @"
    error: expected `,` or `)`: ONLINE takes no reason, found `(`
     --> line 3, column 19
      |
    3 | |db1(master:ONLINE(FINE)) |
      |                   ^
    ");
    let block =
        |component: &str| format!("{HEAD}|db1(master:ONLINE) |\n|STATUS [OK]|\n|  {component} |\n");
    insta::assert_snapshot!(caret(&block("CONNECTIONS(created=1, idle=0)")), @"
    error: expected `created=` or `active=`, found `idle`
     --> line 5, column 27
      |
    5 | |  CONNECTIONS(created=1, idle=0) |
      |                           ^^^^
    ");
    insta::assert_snapshot!(caret(&block("CONNECTIONS(created=99999999999999999999, active=0)")), @"
    error: expected a number that fits in 64 bits, found `99999999999999999999`
     --> line 5, column 24
      |
    5 | |  CONNECTIONS(created=99999999999999999999, active=0) |
      |                        ^^^^^^^^^^^^^^^^^^^^
    ");
    // Padded to the listing's width, as real rows are: the underline stays on the culprit.
    insta::assert_snapshot!(caret(&block(&format!("{:<76}", "REPLICATOR(role=slave, master=db#2, state=ONLINE)"))), @"
    error: expected a host name (letters, digits, `-`, `_` or `.`, starting with a letter or digit), found `#`
     --> line 5, column 36
      |
    5 | |  REPLICATOR(role=slave, master=db#2, state=ONLINE)                            |
      |                                    ^
    ");
    insta::assert_snapshot!(caret(&block("MANAGER(role=slave)")), @"
    error: expected `state=`, found `role`
     --> line 5, column 12
      |
    5 | |  MANAGER(role=slave) |
      |            ^^^^
    ");
    insta::assert_snapshot!(caret(&block("MANGER(state=ONLINE)")), @"
    error: expected a role followed by `:` (e.g. `master:`), found `state`
     --> line 5, column 11
      |
    5 | |  MANGER(state=ONLINE) |
      |           ^^^^^
    ");
    insta::assert_snapshot!(caret(&format!("{HEAD}|db1(master:FAILED(X)) |\n|STATUS [CRITICAL]|\n|REASON[ X ] |\n")), @"
    error: expected a reason: reason ` X ` starts or ends with a blank: expected text without surrounding blanks, found ` X `
     --> line 5, column 9
      |
    5 | |REASON[ X ] |
      |         ^^^
    ");
    insta::assert_snapshot!(caret(&format!("{HEAD}|db1(master:FAILED(X)) |\n|STATUS [CRITICAL]|\n|REASON[NOT CLOSED |\n")), @"
    error: expected a `]` closing the reason, found `NOT CLOSED`
     --> line 5, column 9
      |
    5 | |REASON[NOT CLOSED |
      |         ^^^^^^^^^^
    ");
    insta::assert_snapshot!(caret(&format!("{HEAD}|db1(master:ONLINE) |\n|STATUS [OK]|\n|  CONNECTIONS(created=12ab, active=0) |\n")), @"
    error: expected a whole number, found `12ab`
     --> line 5, column 24
      |
    5 | |  CONNECTIONS(created=12ab, active=0) |
      |                        ^^^^
    ");
}

/// A whole cctrl session pasted around a listing (its banner, the `ls` prompt, the closing
/// prompt and `Exiting...`) reads as the listing alone, and an error inside it still names
/// the line of the pasted text (found by an API review: the banner failed at line 1, the
/// closing prompt at the last line).
#[test]
fn a_pasted_cctrl_session_reads_as_its_listing() {
    let bare = fixture("seed004_failsafe.txt");
    let listing: Listing = bare.parse().unwrap();
    let session = format!(
        "Tungsten Clustering 7.1.3 build 6\n\
         alpha: session established, encryption=false, authentication=false\n\
         jgroups: unencrypted, database: encrypted\n\
         [LOGICAL] /alpha > ls\n\
         {bare}\n\
         [LOGICAL] /alpha > \n\
         Exiting...\n"
    );
    assert_eq!(session.parse::<Listing>().unwrap(), listing);
    // As Continuent docs *operations-status* print it: the shell line that started cctrl,
    // and the manager it connected to (an audit against the docs found it refused).
    let printed = format!(
        "shell>cctrl\n\
         Tungsten Clustering (for MySQL) 7.0.3 build 141\n\
         connect to 'alpha@db1'\n\
         alpha: session established\n\
         [LOGICAL:EXPERT] /alpha >ls\n\
         {bare}\n"
    );
    assert_eq!(printed.parse::<Listing>().unwrap(), listing);
    // The banner is read only before the listing: the same line inside it is an error, on
    // its own line of the pasted text.
    let inside = session.replacen(
        "DATASOURCES:",
        "Tungsten Clustering 7.1.3 build 6\nDATASOURCES:",
        1,
    );
    let line = 1
        + inside
            .lines()
            .skip(3)
            .position(|l| l == "Tungsten Clustering 7.1.3 build 6")
            .unwrap()
        + 3;
    let error = inside.parse::<Listing>().unwrap_err().to_string();
    assert!(error.starts_with(&format!("line {line}, ")), "{error}");
}

/// A listing whose line breaks a paste lost is refused at the first place the row runs on,
/// with a hint, and shown around that place only: the message and every caret line stay
/// short (a review of pasted listings found the whole 1 000-character line and a caret as
/// long echoed).
#[test]
fn a_listing_pasted_on_one_line_is_refused_briefly() {
    let flat = fixture("docs40_healthy_76col.txt").replace('\n', " ");
    assert!(flat.chars().count() > 1_000);
    let err = flat.parse::<Listing>().unwrap_err();
    assert_eq!((err.span().line, err.span().column), (1, 38));
    assert!(err.expected().contains("line breaks lost"), "{err}");
    // The error keeps all it found; only what it prints is cut.
    assert!(err.found().chars().count() > 900);
    assert!(err.to_string().chars().count() < 250, "{err}");
    let caret = err.caret();
    for line in caret.lines() {
        assert!(line.chars().count() <= 230, "{line}");
    }
    insta::assert_snapshot!(caret, @"
    error: expected the end of the row (the row runs on into more of the listing: were its line breaks lost in the paste?), found `ROUTERS: +-------------------------------------------------…`
     --> line 1, column 38
      |
    1 | COORDINATOR[host1:AUTOMATIC:ONLINE]  ROUTERS: +-----------------------------------------------------…
      |                                      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
    ");
}

/// A long line with its error far along it is shown from shortly before that place, the cut
/// start marked, and the caret still under it.
#[test]
fn a_long_line_is_shown_around_its_error() {
    let line = format!("COORDINATOR[{}:AUTOMATIK:ONLINE]", "h".repeat(150));
    let err = line.parse::<Listing>().unwrap_err();
    let caret = err.caret();
    let lines: Vec<&str> = caret.lines().collect();
    let shown = lines[3];
    let under = lines[4];
    let at = under.find('^').unwrap();
    // The caret's first `^` stands under the `A` of AUTOMATIK, in the shown line.
    let shown_chars: Vec<char> = shown.chars().collect();
    let under_chars = under[..at].chars().count();
    assert_eq!(shown_chars[under_chars], 'A', "{caret}");
    assert!(shown.contains('…'), "{caret}");
    assert!(shown.chars().count() < 120, "{caret}");
}

/// A layout's width is padding the renderer writes: JSON holds one from 2 to `MAX_WIDTH`
/// (a width of `usize::MAX`, a few bytes of JSON, made `Display` panic asking for more memory
/// than exists), the parser refuses a wider border with a located error, and a width built in
/// code past the bound is drawn at it.
#[test]
fn a_layout_width_is_bounded_however_it_arrives() {
    use tungsten_model::ls::{Layout, MAX_WIDTH};

    let listing: Listing = fixture("seed004_failsafe.txt").parse().unwrap();
    let mut json = serde_json::to_value(&listing).unwrap();
    for bad in [0, 1, MAX_WIDTH + 1, usize::MAX] {
        json["layout"]["width"] = serde_json::json!(bad);
        let err = serde_json::from_value::<Listing>(json.clone()).unwrap_err();
        assert!(
            err.to_string().contains(&format!("layout width {bad}")),
            "{err}"
        );
    }
    json["layout"]["width"] = serde_json::json!(MAX_WIDTH);
    let widest: Listing = serde_json::from_value(json).unwrap();
    assert_eq!(widest.to_string().parse::<Listing>().unwrap(), widest);

    let mut huge = listing.clone();
    huge.layout = Layout { width: usize::MAX };
    assert_eq!(huge.to_string(), widest.to_string());

    let wide = format!("+{}+", "-".repeat(MAX_WIDTH - 1));
    let text = fixture("seed004_failsafe.txt");
    let border = text
        .lines()
        .find(|l| l.trim_start().starts_with("+-"))
        .unwrap()
        .trim()
        .to_owned();
    let err = text.replace(&border, &wide).parse::<Listing>().unwrap_err();
    assert_eq!(
        err.expected(),
        format!("a border at most {MAX_WIDTH} columns wide")
    );
    assert_eq!(err.span().column, 1);
}

/// A listing that would not read back from its text is told apart, the field named, and
/// the listings the documents show all read back (R5 of a library user's review: the open
/// fields allowed values that print as another listing).
#[test]
fn a_listing_that_would_not_read_back_names_the_field() {
    let composite = "\
COORDINATOR[db1:AUTOMATIC:ONLINE]

DATASOURCES:
+----------------------------------------------------------------------------+
|east(composite master:ONLINE)                                               |
|STATUS [OK] [2025/06/04 01:49:28 PM UTC]                                    |
+----------------------------------------------------------------------------+
|west(composite slave:SHUNNED(MANUALLY-SHUNNED))                             |
|STATUS [SHUNNED] [2025/06/04 01:49:28 PM UTC]                               |
+----------------------------------------------------------------------------+
Composite Active Dataservice (Primary) - east
";
    let listing: Listing = composite.parse().unwrap();
    assert_eq!(listing.validate(), Ok(()));

    let mut summary = listing.clone();
    if let DataSources::Composite { summary, .. } = &mut summary.datasources {
        *summary = Some("Exiting...".to_owned());
    }
    insta::assert_snapshot!(summary.validate().unwrap_err(), @r#"datasources.summary: found "Exiting..."; expected one line of text without blanks at either end that is not boxed, a border, a block's header or row, or a closing line of a cctrl session (or no summary)"#);

    let mut spelled = listing.clone();
    if let DataSources::Composite { members, .. } = &mut spelled.datasources {
        members[1].state = DataSourceState::Shunned(Some(ShunReason::Other(
            tungsten_model::model::ReasonText::new("MANUALLY-SHUNNED").unwrap(),
        )));
    }
    insta::assert_snapshot!(spelled.validate().unwrap_err(), @"datasources.members[1] (west).state: found SHUNNED(MANUALLY-SHUNNED) kept as an unknown reason; expected the known reason it spells, `ShunReason::ManuallyShunned`, or text that spells none");

    let mut empty = listing.clone();
    if let DataSources::Composite { members, .. } = &mut empty.datasources {
        members.clear();
    }
    insta::assert_snapshot!(empty.validate().unwrap_err(), @"datasources.members: found no member; expected at least one member block: a composite listing without one prints as a physical listing with no datasource");

    let mut wide = listing;
    wide.layout.width = usize::MAX;
    insta::assert_snapshot!(wide.validate().unwrap_err(), @"layout.width: found 18446744073709551615; expected a border from 2 to 1024 columns wide");
}
