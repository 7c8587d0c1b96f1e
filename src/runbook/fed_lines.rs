//! The lines a pipe's first stage types into cctrl (`printf 'a\nb\n' | cctrl`, `echo -e
//! 'a\nb' | cctrl`, `printf '%s\n' a b | cctrl`), for the runbook's check that no cctrl
//! command passes unchecked behind a pipe the model does not read as one command.
//!
//! cctrl reads its standard input a line at a time, as it reads a terminal: each line the
//! stage before it writes is one command typed at its prompt. A review (helper-143) found
//! `printf 'set policy maintenance\ndatasource db2 shun\n' | cctrl` read as a step the model
//! does not know, with a warning only, and the plan VALID, although cctrl shuns db2 there.
//!
//! **Modelling decision**: the lines are read as bash's `printf` writes them and as `echo -e`
//! does; a `\n` in plain `echo`'s words is read as a line break too (bash's `echo` prints it
//! as typed, `sh`'s on Debian-like systems breaks the line there), so that no shell's reading
//! hides a command. The lines serve only to find a command the model knows, which makes the
//! step an error: reading one too many can only ask for a step to be written out.

/// The shell words of `text` with bash's quote removal: `'..'` kept as typed, `".."` with
/// its `\"`, `\\`, `\$` and `` \` `` unescaped, a backslash outside quotes escaping the
/// character after it. Expansions (`$x`) are kept as typed.
fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if let Some(w) = word.take() {
                    words.push(w);
                }
            }
            // An ANSI-C quote (`$'a\nb'`): its escapes are kept as typed, read as a
            // feeder's are ([`lines_of`]), and `\'` does not close it.
            '$' if chars.peek() == Some(&'\'') => {
                chars.next();
                let w = word.get_or_insert_with(String::new);
                while let Some(q) = chars.next() {
                    match q {
                        '\'' => break,
                        '\\' => {
                            w.push('\\');
                            w.extend(chars.next());
                        }
                        q => w.push(q),
                    }
                }
            }
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    w.push(q);
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' if chars
                            .peek()
                            .is_some_and(|n| matches!(n, '"' | '\\' | '$' | '`')) =>
                        {
                            w.extend(chars.next());
                        }
                        q => w.push(q),
                    }
                }
            }
            '\\' => {
                let w = word.get_or_insert_with(String::new);
                w.extend(chars.next());
            }
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

/// `format` as `printf` fills it with `args`: each `%s` or `%b` takes the next argument (none
/// left, an empty one), and the format is used again while arguments are left (bash's
/// `printf`); `%%` is a `%`.
fn printf_output(format: &str, args: &[String]) -> String {
    let mut out = String::new();
    let mut args = args.iter();
    loop {
        let mut took = false;
        let mut rest = format;
        while let Some(at) = rest.find('%') {
            out.push_str(&rest[..at]);
            let spec = rest.get(at + 1..at + 2).unwrap_or_default();
            match spec {
                "s" | "b" => {
                    took = true;
                    out.push_str(args.next().map_or("", String::as_str));
                }
                "%" => out.push('%'),
                other => {
                    out.push('%');
                    out.push_str(other);
                }
            }
            rest = rest.get(at + 1 + spec.len()..).unwrap_or_default();
        }
        out.push_str(rest);
        // A format that takes no argument is written once; one that does, until none is left.
        if !took || args.len() == 0 {
            return out;
        }
    }
}

/// The lines that `feeder`, the stage of a pipe before cctrl, writes: for `echo` (after its
/// options `-n`, `-e`, `-E`) and `printf`; none for any other program. Each line is trimmed,
/// and empty ones are left out.
pub(super) fn lines_typed(feeder: &str) -> Vec<String> {
    let words = shell_words(feeder);
    let Some((program, rest)) = words.split_first() else {
        return Vec::new();
    };
    let program = super::wrappers::program(program);
    let output = match program {
        "echo" => {
            let first = rest
                .iter()
                .position(|w| {
                    w.strip_prefix('-').is_none_or(|flags| {
                        flags.is_empty() || !flags.chars().all(|f| "neE".contains(f))
                    })
                })
                .unwrap_or(rest.len());
            rest[first..].join(" ")
        }
        "printf" => {
            let rest = match rest.first() {
                Some(w) if w == "--" => &rest[1..],
                _ => rest,
            };
            let Some((format, args)) = rest.split_first() else {
                return Vec::new();
            };
            printf_output(format, args)
        }
        _ => return Vec::new(),
    };
    lines_of(&output)
}

/// The lines a here-string types into cctrl (`cctrl -host db2 <<< 'switch'`,
/// `cctrl <<< $'ls\nswitch'`): its word, split at its line breaks; none when `command` is not
/// cctrl's or holds no here-string.
pub(super) fn here_string_lines(command: &str) -> Vec<String> {
    let Some((before, after)) = command.split_once("<<<") else {
        return Vec::new();
    };
    if !runs_cctrl(before) {
        return Vec::new();
    }
    shell_words(after)
        .first()
        .map_or_else(Vec::new, |word| lines_of(word))
}

/// Whether `command` runs cctrl: its first word names it as bash reads a program's name, past
/// quotes, a `\` and a directory (`'cctrl'`, `/opt/continuent/tungsten/tungsten-manager/bin/cctrl`;
/// helper-144 found `printf 'ls\nswitch\n' | "cctrl"` and `'cctrl' <<< $'ls\nswitch'` passed
/// with a warning only).
pub(super) fn runs_cctrl(command: &str) -> bool {
    command
        .split_whitespace()
        .next()
        .is_some_and(|word| super::wrappers::program(word) == "cctrl")
}

/// `output` split into lines at its line breaks and at the `\n` and `\r` escapes in it,
/// each trimmed, empty ones left out.
fn lines_of(output: &str) -> Vec<String> {
    output
        .replace("\\r", "\n")
        .replace("\\n", "\n")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{here_string_lines, lines_typed};

    /// The lines `echo` and `printf` write, as cctrl reads them a line at a time.
    #[test]
    fn the_lines_a_feeder_writes_are_read() {
        for (feeder, lines) in [
            (
                r"printf 'set policy maintenance\ndatasource db2 shun\n'",
                &["set policy maintenance", "datasource db2 shun"][..],
            ),
            (r"echo -e 'ls\nswitch'", &["ls", "switch"]),
            (r#"echo -ne "ls\nswitch""#, &["ls", "switch"]),
            ("echo -n switch", &["switch"]),
            (r"echo switch\ to\ db3", &["switch to db3"]),
            ("echo 'switch' 'to' db3", &["switch to db3"]),
            (
                r"printf '%s\n' 'set force true' 'datasource db2 welcome'",
                &["set force true", "datasource db2 welcome"],
            ),
            (r"printf -- 'ls\nswitch\n'", &["ls", "switch"]),
            (r"/usr/bin/printf 'a\n\nb'", &["a", "b"]),
            (r#"echo "say \"hi\"""#, &[r#"say "hi""#]),
            ("cat cmds.txt", &[]),
            ("", &[]),
        ] {
            assert_eq!(lines_typed(feeder), lines, "{feeder}");
        }
    }

    /// A format filled in after its start (`printf 'datasource %s shun\n' db2`), echo's
    /// words that only look like its options (`-ex`, `-`: echo prints them) and an expansion
    /// outside quotes (kept as typed, not read as an ANSI-C quote) give the lines the shell
    /// writes.
    #[test]
    fn formats_filled_mid_line_echo_words_and_expansions_are_read_as_written() {
        for (feeder, lines) in [
            (
                r"printf 'datasource %s shun\n' db2",
                &["datasource db2 shun"][..],
            ),
            (
                r"printf 'datasource %s %s\n' db2 shun db3 welcome",
                &["datasource db2 shun", "datasource db3 welcome"],
            ),
            (r"printf 'switch to %s\n' db3", &["switch to db3"]),
            ("echo -ex switch", &["-ex switch"]),
            ("echo - switch", &["- switch"]),
            ("echo -n -e switch", &["switch"]),
            ("echo switch to $DS", &["switch to $DS"]),
            ("echo datasource $DS shun", &["datasource $DS shun"]),
        ] {
            assert_eq!(lines_typed(feeder), lines, "{feeder}");
        }
    }

    proptest::proptest! {
        /// Any feeder or here-string, however quoted or escaped, is read without a panic into
        /// trimmed lines that are not empty.
        #[test]
        fn any_text_reads_into_trimmed_lines(
            program in "(echo|printf|/bin/echo|cctrl) ?",
            rest in r#"[-a-z %'"\\$ ;|<>\n]{0,30}|\PC{0,30}"#,
        ) {
            let text = format!("{program}{rest}");
            for line in lines_typed(&text).into_iter().chain(here_string_lines(&text)) {
                proptest::prop_assert!(!line.is_empty() && line.trim() == line, "{text:?}: {line:?}");
            }
        }
    }

    /// The lines a here-string types into cctrl, whatever its options.
    #[test]
    fn a_here_string_types_its_word() {
        for (command, lines) in [
            ("cctrl -host db2 <<< 'switch'", &["switch"][..]),
            (r"cctrl <<< $'ls\nswitch'", &["ls", "switch"]),
            (r"cctrl <<< $'it\'s\nswitch'", &[r"it\'s", "switch"]),
            ("cctrl <<<switch", &["switch"]),
            ("trepctl <<< 'switch'", &[]),
            ("cctrl -host db2", &[]),
        ] {
            assert_eq!(here_string_lines(command), lines, "{command}");
        }
    }
}
