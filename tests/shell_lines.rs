//! Shell lines that run a command the model knows behind another, or glue a second one on:
//! none passes unchecked. Each case here was found by an independent adversarial review
//! (checked against what bash runs, with logging stand-ins for the Tungsten tools): the
//! line read as a step the model does not know with a warning only, or as another command,
//! and the plan VALID.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a test fails by panicking"
)]

use tungsten_model::command::{HostAction, HostCommand};
use tungsten_model::runbook::{self, Report, Runbook, Verdict};

fn check(text: &str) -> Report {
    let rb: Runbook = text
        .parse()
        .unwrap_or_else(|e: tungsten_model::ParseError| panic!("{}", e.caret()));
    let start = runbook::start(&rb, &[], &mut |p| Err(format!("no file {p}"))).unwrap();
    runbook::validate(&start, &rb, runbook::Options::default())
}

fn one_line(host: &str, line: &str) -> Report {
    check(&format!("#! scenario healthy-3\nshell {host}> {line}\n"))
}

/// Each line runs a cluster-changing command in bash; the plan must not come back VALID.
fn assert_not_valid(lines: &[&str]) {
    let mut passed = Vec::new();
    for line in lines {
        let r = one_line("db1", line);
        if r.verdict == Verdict::Valid {
            passed.push(*line);
        }
    }
    assert!(
        passed.is_empty(),
        "VALID although bash runs a cluster-changing command:\n{}",
        passed.join("\n")
    );
}

/// `sudo \ssh db1 stopall` typed on db3 stops db1: it was run on db3.
#[test]
fn a_command_behind_sudo_and_ssh_runs_on_the_ssh_host() {
    let r = check(
        "#! scenario healthy-3\n#! goal alpha all-online, alpha policy automatic\ncctrl> set policy maintenance\nshell db3> sudo \\ssh db1 stopall\nshell db3> startall\ncctrl> set policy automatic\n",
    );
    assert_ne!(r.verdict, Verdict::Valid, "{r}");
}

/// A `;` glued to the words of a tool that only prints, or to cctrl's options, runs a second
/// command.
#[test]
fn a_second_command_glued_on_with_a_semicolon_is_not_passed_over() {
    assert_not_valid(&[
        "thl list x;stopall",
        "thl list -service alpha>/tmp/x;stopall",
        "tpm query version;trepctl offline",
        "tungsten_find_orphaned x;stopall",
        "check_tungsten_online -s alpha;stopall",
        "echo 'ls' | cctrl -expert;stopall",
        "echo 'switch' | cctrl -expert;startall",
    ]);
}

/// A background `&` or a process substitution runs the command it holds: the
/// `wrapped-command` error, where the warning alone was given.
#[test]
fn a_background_job_or_a_process_substitution_is_a_wrapped_command() {
    assert_not_valid(&[
        "stopall &",
        "trepctl offline &",
        "nohup stopall > /tmp/stop.log 2>&1 &",
        "thl list & stopall",
        "trepctl status >x&stopall",
        "echo 'ls' | cctrl | tee >/tmp/ls.log& trepctl offline",
        "thl list | tee >(stopall)",
        "thl list <(stopall)",
        "trepctl status >(stopall)",
    ]);
}

/// The known wrappers with options whose values are attached, spelled long, or missing from
/// an earlier list; quoted, pathed or stacked wrappers.
#[test]
fn wrapper_options_and_their_values_are_read_past() {
    assert_not_valid(&[
        "ssh -oStrictHostKeyChecking=no db3 stopall",
        "ssh -oUserKnownHostsFile=/dev/null db3 trepctl offline",
        "timeout --signal KILL 5 stopall",
        "timeout --kill-after 5 10 stopall",
        "timeout -k5s 10 stopall",
        "env -S 'trepctl offline'",
        "env --unset X stopall",
        "env --chdir /tmp stopall",
        "sudo --user tungsten stopall",
        "sudo -T 30 stopall",
        "exec -a name stopall",
        "A='x y' stopall",
        "A+=1 stopall",
        "ssh db3 'sudo trepctl offline'",
        "ssh db3 'nohup stopall'",
        "/usr/bin/ssh db3 stopall",
    ]);
}

/// Wrappers an earlier list lacked, shells' `-c`, and the shell's own groups.
#[test]
fn other_wrappers_and_shell_groups_are_read_past() {
    assert_not_valid(&[
        "nice -n 5 stopall",
        "ionice -c3 stopall",
        "stdbuf -oL trepctl offline",
        "setsid stopall",
        "su - tungsten -c 'trepctl offline'",
        "bash -c 'stopall'",
        "sh -c \"trepctl offline\"",
        "runuser -u tungsten -- stopall",
        "eval stopall",
        "! stopall",
        "{ stopall; }",
        "( trepctl offline )",
        "if true; then stopall; fi",
        "flock /tmp/lock stopall",
        "doas stopall",
        "watch trepctl offline",
    ]);
}

/// What runs nothing is not read as running the command: `sudo -l` lists, `command -v`
/// prints a path, and sudo cannot run the builtin `exec`.
#[test]
fn lines_that_run_nothing_are_not_refused() {
    assert_valid(&[
        "sudo -l stopall",
        "sudo --list stopall",
        "command -v stopall",
        "sudo exec stopall",
    ]);
}

/// Each line, alone at db1 from a healthy start, is VALID: bash runs nothing harmful there.
fn assert_valid(lines: &[&str]) {
    let refused: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|line| one_line("db1", line).verdict != Verdict::Valid)
        .collect();
    assert!(
        refused.is_empty(),
        "refused though bash does not run the command:\n{}",
        refused.join("\n")
    );
}

/// Each line reads as a step the model does not know, kept whole.
fn assert_not_modelled(lines: &[&str]) {
    for line in lines {
        let c = HostCommand::parse_line(line, 1).unwrap();
        assert!(
            matches!(c.action, HostAction::NotModelled(_)),
            "{line}: {:?}",
            c.action
        );
    }
}

/// A redirection of cctrl's input takes the piped command away: not cut off as output.
#[test]
fn cctrl_with_its_input_redirected_away_is_not_modelled() {
    assert_not_modelled(&[
        "echo 'switch to db2' | cctrl 0>&-",
        "echo 'switch to db2' | cctrl 0>/dev/null",
        "echo 'switch to db2' | cctrl 0>&2",
    ]);
}

/// Readers that do not read the pipe (a file of their own, `--help`, an ambiguous option)
/// may end it early, as `head` does: the line is kept whole.
#[test]
fn readers_that_do_not_read_the_pipe_keep_the_line_whole() {
    assert_not_modelled(&[
        "trepctl offline | cat /etc/hosts",
        "trepctl offline | grep ONLINE /etc/hosts",
        "trepctl offline | grep -r ONLINE",
        "trepctl offline | wc -l /etc/hosts",
        "trepctl offline | wc --files0-from=/tmp/list",
        "trepctl offline | uniq /tmp/a /tmp/b",
        "trepctl offline | tee --help",
        "trepctl offline | grep --co x",
    ]);
}

/// A `|` inside a parameter expansion (`${X:-a | b}`) is no pipe: the line is not cut there.
#[test]
fn a_pipe_inside_an_expansion_is_not_cut() {
    let line = "tungsten_purge_thl ${X:-x | grep -A }";
    let c = HostCommand::parse_line(line, 1).unwrap();
    assert!(
        !matches!(c.action, HostAction::Inspect(_)),
        "{:?}",
        c.action
    );
}

/// A cctrl command piped into cctrl run through a wrapper, a shell's `-c` followed by more
/// words, input redirections, a subshell glued to its command, tools that run a command on
/// many hosts, `env`'s split string attached: each runs the command (a third review).
#[test]
fn commands_behind_more_wrappers_and_redirections_are_found() {
    assert_not_valid(&[
        "echo 'switch to db2' | sudo -u tungsten cctrl",
        "echo 'set policy maintenance' | sudo -u tungsten cctrl",
        "echo 'datasource db2 shun' | ssh db2 cctrl",
        "echo switch | sudo -u tungsten cctrl -expert",
        "su -c stopall tungsten",
        "su -c \"trepctl offline\" tungsten",
        "su -s /bin/bash -c \"stopall\" tungsten",
        "bash -c 'trepctl offline' bash",
        "nohup stopall </dev/null >/tmp/x 2>&1 &",
        "stopall <&-",
        "trepctl offline 0<&-",
        "(stopall)",
        "(trepctl offline)",
        "pdsh -w db1,db2,db3 stopall",
        "clush -w db1 stopall",
        "parallel-ssh -h hosts stopall",
        "ansible db1 -m shell -a stopall",
        "script -c stopall /dev/null",
        "env -S'trepctl offline'",
        "env --split-string='trepctl offline'",
    ]);
}

/// What quotes or a comment hold is not a command of the line, and sudo's list mode runs
/// nothing, bundled or not (a third review found each refused).
#[test]
fn quoted_text_comments_and_listing_are_not_refused() {
    assert_valid(&[
        "history | grep -E 'stopall|startall'",
        "logger -t tungsten \"maintenance start; stopall\"",
        "echo \"done & stopall\"",
        "curl -s \"http://db1:8090/x?a=1&stopall\"",
        "echo 'see $(stopall)'",
        "echo 'backquote `stopall`'",
        "echo hi # ; stopall",
        "sudo -ll stopall",
        "sudo -nl stopall",
    ]);
}

/// The shell's own read-only commands only print: the docs' upgrade steps (`cd
/// /opt/continuent/software`) no longer warn as steps the model does not know (an operator's
/// review). With a redirection left on the line, or a command that can also set something
/// (`date -s`, `hostname`), the line is kept whole. A `cd` chained before a command the model
/// knows is the shell's, not cctrl's `cd <service>`: the wrapped-command error names the
/// command behind it.
#[test]
fn the_shells_read_only_commands_only_print() {
    for line in [
        "cd /opt/continuent/software",
        "pwd",
        "ls -l /opt/continuent",
        "cat /etc/tungsten/tungsten.ini",
        "tail -f /opt/continuent/service_logs/tmsvc.log",
        "cat /etc/tungsten/tungsten.ini > /tmp/ini.txt",
    ] {
        let c = HostCommand::parse_line(line, 1).unwrap();
        assert!(matches!(c.action, HostAction::Inspect(_)), "{line}: {c:?}");
    }
    assert_not_modelled(&[
        "cat a > /etc/tungsten/tungsten.ini",
        "cat a >/etc/tungsten/tungsten.ini",
        "cat <<EOF",
        "date -s '2026-01-01'",
        "hostname db9",
        "tar zxf tungsten-clustering-7.1.4-10.tar.gz",
    ]);
    let report = one_line("db1", "cd software; stopall");
    let text = report.to_string();
    assert!(
        text.contains("runs `stopall` behind `sudo`, `ssh`, a pipe or a chain of commands"),
        "{text}"
    );
}

/// A backslash escapes the quote after it, as bash reads it: the `;` that follows chains a
/// second command, which the wrapped-command error names. A pager runs commands of its own
/// (`less '+!stopall'`), and a relative file that is not an output file may be one of
/// Tungsten's after a `cd`: none of these only prints (a review of the read-only shell
/// commands found each VALID with no finding).
#[test]
fn escaped_quotes_pagers_and_tungstens_files_are_not_passed_over() {
    assert_not_valid(&[
        r"cat \';stopall",
        r#"cat \";stopall"#,
        r#"cat "\"";stopall"#,
        r"cd \';stopall;\'",
        r"thl list \';stopall",
        r"tpm query version \';stopall",
        r"ls \'; stopall",
    ]);
    assert_not_modelled(&[
        "less '+!stopall' /etc/hosts",
        "more /etc/hosts",
        "cat /dev/null > thl.data.0000000001",
        "cat /dev/null > tungsten.ini",
        "cat new.ini | tee tungsten.ini",
    ]);
    // An escaped `;` is a word of its own: `cat` reads a file named `;stopall`.
    assert_valid(&[r"cat \;stopall", "trepctl status > status.log"]);
}

/// ANSI-C quotes (`$'\''`, a quote character) and parameter expansions (`${x:- # }`) as bash
/// reads them: the `;` after them chains a second command, which is named (a review found
/// each VALID, or cut at the `#` inside the expansion as at a comment).
#[test]
fn ansi_c_quotes_and_expansions_hide_no_chain() {
    assert_not_valid(&[
        r"cat $'\'';stopall",
        r"thl list $'\'';trepctl offline",
        r"echo $'\'' && trepctl offline",
        r"cat $'a\' # ' ; trepctl offline",
        "echo ${x:- # }; trepctl offline",
    ]);
}

/// A redirection the output tail does not cut keeps the line whole as a step the model does
/// not know, named by the wrapped-command error when it runs a command the model knows; it was
/// a parse error that stopped the whole runbook. A script run as `./stopall` after a `cd` is
/// found too (a review found both).
#[test]
fn uncut_redirections_and_relative_scripts_are_judged() {
    assert_not_modelled(&["trepctl status > status.json", "trepctl status>x"]);
    assert_not_valid(&[
        "trepctl offline > /etc/tungsten/x",
        "cd /opt/continuent/tungsten/cluster-home/bin && ./stopall",
        "cd /opt/continuent/tungsten/cluster-home/bin; ./stopall",
    ]);
}

/// A redirection glued to `cctrl` at the end of a pipe is bash's redirection of cctrl's
/// output: the piped command is checked, not passed as a step the model does not know
/// (review of helper-114's glued `>`: `echo 'switch to db1' | cctrl>/tmp/out` read VALID as
/// not modelled, the switch unchecked).
#[test]
fn a_redirection_glued_to_a_piped_cctrl_is_read_past() {
    for line in [
        "echo 'switch to db2' | cctrl>/tmp/out",
        "echo 'switch to db2'|cctrl>>/tmp/out 2>&1",
    ] {
        let command = HostCommand::parse_line(line, 1).unwrap();
        assert!(
            matches!(command.action, HostAction::Cctrl { .. }),
            "{line}: {command:?}"
        );
        let r = one_line("db3", line);
        assert!(
            r.to_string()
                .contains("SWITCH TO 'db2@alpha' WAS SUCCESSFUL"),
            "{line}: {r}"
        );
    }
}

/// Several commands typed into cctrl by one pipe or here-string (`printf 'a\nb\n'`, `echo -e`,
/// `printf '%s\n' a b`, `<<< $'a\nb'`), and one typed into a cctrl the line is not read as
/// (`-host db2`, `-help`): cctrl runs each line, so a command the model knows among them is
/// the wrapped-command error, not a warning beside a VALID plan (helper-143 F1, F2).
#[test]
fn commands_typed_into_cctrl_by_lines_it_does_not_read_are_not_passed_over() {
    let lines = [
        r"printf 'set policy maintenance\ndatasource db2 shun\n' | cctrl",
        r"printf 'ls\nswitch\n' | cctrl",
        r"printf '%s\n' 'set policy maintenance' 'datasource db2 shun' | cctrl",
        r"echo -e 'ls\nswitch' | cctrl",
        r"printf 'ls\nswitch\n' | sudo -u tungsten cctrl -expert",
        r"cctrl <<< $'ls\nswitch'",
        "cctrl -host db2 <<< 'switch'",
        "echo 'switch' | cctrl -host db2",
        "echo 'switch' | cctrl -help",
        // cctrl named in quotes is cctrl still (helper-144: a warning only).
        r#"printf 'ls\nswitch\n' | "cctrl""#,
        r"'cctrl' <<< $'ls\nswitch'",
    ];
    assert_not_valid(&lines);
    for line in lines {
        let text = one_line("db1", line).to_string();
        assert!(
            text.contains("write each cctrl command as a step of its own (`cctrl> "),
            "{line}: {text}"
        );
    }
    // Lines that only print stay the not-modelled warning.
    assert_valid(&[r"printf 'ls\nls\n' | cctrl", "echo 'ls' | cctrl -host db2"]);
}

/// echo's options, quotes within its words and escapes are no parse error naming echo's
/// words (`found -n`): the line is not read as one command, and the cctrl command it types is
/// the wrapped-command error (helper-143 F3).
#[test]
fn echo_shapes_the_pipe_does_not_read_name_the_command_they_type() {
    for (line, command) in [
        ("echo -n switch | cctrl", "switch"),
        (r"echo switch\ to\ db3 | cctrl", "switch to db3"),
        ("echo 'switch' 'to' 'db3' | cctrl", "switch to db3"),
    ] {
        let c = HostCommand::parse_line(line, 1).unwrap();
        assert!(
            matches!(c.action, HostAction::NotModelled(_)),
            "{line}: {c:?}"
        );
        names_the_typed_command(line, command);
    }
}

/// The step `line`, on db1, is the `wrapped-command` error naming `command`, the cctrl command
/// it types.
fn names_the_typed_command(line: &str, command: &str) {
    let text = one_line("db1", line).to_string();
    assert!(
        text.contains(&format!("runs `{command}` behind")),
        "{line}: {text}"
    );
}

/// A printf format filled in after its start types the filled-in command into cctrl: the
/// check names that command, the datasource in it, not the format as typed.
#[test]
fn a_printf_format_filled_mid_line_names_the_command_it_types() {
    for (line, command) in [
        (
            r"printf 'datasource %s shun\n' db2 | cctrl",
            "datasource db2 shun",
        ),
        (r"printf 'switch to %s\n' db3 | cctrl", "switch to db3"),
    ] {
        names_the_typed_command(line, command);
    }
}

/// `sudo -u tungsten cctrl` opens a session on the host as `cctrl` does: the cctrl steps after
/// it are typed into that host's manager, not the coordinator's (helper-143 F4).
#[test]
fn a_cctrl_started_through_sudo_types_into_the_hosts_manager() {
    let report = check(
        "#! scenario healthy-3\n\
         shell db2> sudo -u tungsten cctrl -expert\n\
         cctrl> set policy maintenance\n\
         shell db3> sudo -i -u tungsten cctrl\n\
         cctrl> set policy automatic\n",
    );
    let hosts: Vec<&str> = report
        .steps
        .iter()
        .flat_map(|s| s.runs.iter().map(|r| r.host.as_str()))
        .collect();
    assert_eq!(hosts, ["db2", "db2", "db3", "db3"], "{report}");
    assert!(report.steps.iter().all(|s| !s.not_modelled()), "{report}");
}

/// bash drops the quotes around the program's word and runs the program they hold: the line
/// is that program's step, not one the model does not know (helper-143 F5).
#[test]
fn a_quoted_program_word_runs_the_program() {
    for (line, host) in [
        ("'trepctl' offline", "db1"),
        ("\"trepctl\" -host db2 offline", "db2"),
        (
            "'/opt/continuent/tungsten/tungsten-replicator/bin/trepctl' offline",
            "db1",
        ),
    ] {
        let c = HostCommand::parse_line(line, 1).unwrap();
        assert!(matches!(c.action, HostAction::Trepctl(_)), "{line}: {c:?}");
        let r = one_line("db1", line);
        assert!(
            r.to_string()
                .contains(&format!("replicator on {host} is now OFFLINE:NORMAL")),
            "{line}: {r}"
        );
    }
    let stop = HostCommand::parse_line("'stopall'", 1).unwrap();
    assert_eq!(stop.action, HostAction::StopAll);
}

/// A backslash that single quotes hold continues nothing: bash types it and the line break
/// after it into cctrl (`switch \` then `to db3`), so the step is not the switch to db3 read
/// from the lines joined (helper-143 F6). Unquoted, the backslash still joins the lines.
#[test]
fn a_backslash_in_single_quotes_does_not_join_the_next_line() {
    let quoted = check("#! scenario healthy-3\nshell db1> echo 'switch \\\nto db3' | cctrl\n");
    let text = quoted.to_string();
    assert!(!text.contains("SWITCH TO 'db3@alpha'"), "{text}");
    assert!(quoted.steps[0].not_modelled(), "{text}");
    let unquoted = check("#! scenario healthy-3\nshell db1> echo switch \\\nto db3 | cctrl\n");
    assert!(
        unquoted
            .to_string()
            .contains("SWITCH TO 'db3@alpha' WAS SUCCESSFUL"),
        "{unquoted}"
    );
}

/// bash drops the quotes around the program a pipe feeds: `echo switch | 'cctrl'` types the
/// switch into this host's manager as `echo switch | cctrl` does (helper-144: a step the model
/// does not know, with a warning only).
#[test]
fn a_quoted_cctrl_after_a_pipe_reads_the_command_it_is_fed() {
    for line in [
        "echo switch | 'cctrl'",
        r#"echo 'switch' | "cctrl" -expert"#,
    ] {
        let c = HostCommand::parse_line(line, 1).unwrap();
        assert!(
            matches!(c.action, HostAction::Cctrl { .. }),
            "{line}: {c:?}"
        );
        let text = one_line("db1", line).to_string();
        assert!(
            text.contains("SWITCH TO 'db2@alpha' WAS SUCCESSFUL"),
            "{line}: {text}"
        );
    }
}

/// A backslash that another escapes, or that single quotes hold, ends the line: the step
/// after it is a step of its own and is checked (helper-144: `echo a \\` and `echo 'a \\`
/// joined the next line, so the `stopall` on it was never run).
#[test]
fn a_literal_backslash_at_the_end_does_not_swallow_the_next_step() {
    for first in [r"echo a \\", r"echo 'a \\"] {
        let report = check(&format!(
            "#! scenario healthy-3\nshell db1> {first}\nshell db2> stopall\n"
        ));
        assert_eq!(report.steps.len(), 2, "{first}: {report}");
        assert!(
            report.to_string().contains("manager on db2 stopped"),
            "{first}: {report}"
        );
    }
    // Three backslashes: the last escapes the line break, and the lines join.
    let joined = check("#! scenario healthy-3\nshell db1> echo a \\\\\\\nb\n");
    assert_eq!(joined.steps.len(), 1, "{joined}");
}

/// Inside echo's double quotes a single quote is a character cctrl receives: `echo
/// "datasource db2 shun 'now'" | cctrl` types `datasource db2 shun 'now'`, which the cctrl
/// parser reads and refuses at the stray word, pointing into the quotes, rather than the line
/// being passed over as one the model does not read.
#[test]
fn a_single_quote_inside_echos_double_quotes_reaches_cctrl() {
    let line = r#"echo "datasource db2 shun 'now'" | cctrl"#;
    let error = HostCommand::parse_line(line, 1).unwrap_err();
    assert_eq!(
        (error.span().line, error.span().column),
        (1, 27),
        "{error:?}"
    );
    assert_eq!(error.expected(), "the end of the command", "{error:?}");
    assert_eq!(error.found(), "`'now'`", "{error:?}");
}
