//! The programs a tail may pipe into, and the files it may write: each reads the whole pipe
//! and writes only to the terminal or to files a tail may write (**modelling decision**,
//! from the programs' manual pages: options outside the lists below, a reader given a file
//! of its own to read (`| cat notes`, `| grep x file`, `| grep -r x`), or one that stops
//! early (`| grep -q`, `| head`) keep the line whole; an independent review found such
//! readers cut off with the command before them, which they may never let finish).

/// Whether a tail may write to `path`: the null device, the terminal, a file under `/tmp`
/// or `/var/tmp`, or an output file named relative to the working directory, without `..`,
/// its name ending in one of [`OUTPUT_EXTENSIONS`] (**modelling decision**: a file elsewhere
/// may be one of Tungsten's own, its configuration under `/opt/continuent` say, which a
/// redirection would overwrite; a second review found `> .../static-alpha.properties` cut off
/// as if it only saved output, and a third `> tungsten.ini` and `> thl.data.0000000001`,
/// relative names that a `cd` into Tungsten's directories makes its files).
pub(super) fn may_write(path: &str) -> bool {
    let up = path.split('/').any(|segment| segment == "..");
    let output_file = path
        .rsplit('/')
        .next()
        .and_then(|name| name.rsplit_once('.'))
        .is_some_and(|(stem, extension)| {
            !stem.is_empty() && OUTPUT_EXTENSIONS.contains(&extension)
        });
    ["/dev/null", "/dev/stdout", "/dev/stderr"].contains(&path)
        || (!up
            && (path.starts_with("/tmp/")
                || path.starts_with("/var/tmp/")
                || (output_file && !(path.starts_with('/') || path.starts_with('~')))))
}

/// The endings of a file named relative to the working directory that a tail may write: what
/// an operator saves a command's output as. None is a Tungsten file's (its configuration is
/// `.ini`, `.properties` or `.cfg`; its logs under `/opt/continuent` are reached by an
/// absolute path, and its THL files end in digits).
const OUTPUT_EXTENSIONS: [&str; 4] = ["log", "txt", "out", "err"];

/// Whether `program` (bare, or from `/usr/bin` or `/bin`) run with `words` reads the whole
/// pipe and writes only where a tail may: `tee` to such files, `cat`, `wc`, `uniq` and
/// `grep` (`egrep`, `fgrep`) with options that neither read another file nor stop early.
pub(super) fn reads_the_pipe(program: &str, words: &[&str]) -> bool {
    let name = ["/usr/bin/", "/bin/"]
        .iter()
        .find_map(|dir| program.strip_prefix(dir))
        .unwrap_or(program);
    match name {
        "tee" => words.iter().all(|w| {
            ["-a", "--append", "-i", "--ignore-interrupts", "-p"].contains(w)
                || w.starts_with("--output-error")
                || (!w.starts_with('-') && may_write(w))
        }),
        "cat" => words
            .iter()
            .all(|w| *w == "-" || short_flags(w, "AbeEnstTuv")),
        "wc" => words.iter().all(|w| {
            short_flags(w, "clmwL")
                || [
                    "--bytes",
                    "--chars",
                    "--lines",
                    "--words",
                    "--max-line-length",
                ]
                .contains(w)
        }),
        "uniq" => options_only(
            words,
            "cdiuzD",
            "fsw",
            &["--count", "--repeated", "--unique", "--ignore-case"],
        ),
        "grep" | "egrep" | "fgrep" => grep_reads_the_pipe(words),
        _ => false,
    }
}

/// Whether `word` is a bundle of short flags, all of `letters`.
fn short_flags(word: &str, letters: &str) -> bool {
    word.strip_prefix('-')
        .is_some_and(|flags| !flags.is_empty() && flags.chars().all(|c| letters.contains(c)))
}

/// Whether `words` are options alone: bundles of `flags`, ending at most with one of
/// `valued` (its value attached or the next word), or one of `long`.
fn options_only(words: &[&str], flags: &str, valued: &str, long: &[&str]) -> bool {
    let mut words = words.iter();
    while let Some(word) = words.next() {
        if long.contains(word) {
            continue;
        }
        let Some(letters) = word
            .strip_prefix('-')
            .filter(|l| !l.is_empty() && !l.starts_with('-'))
        else {
            return false;
        };
        for (k, letter) in letters.char_indices() {
            if valued.contains(letter) {
                if k + 1 == letters.len() && words.next().is_none() {
                    return false;
                }
                break;
            }
            if !flags.contains(letter) {
                return false;
            }
        }
    }
    true
}

/// grep's flags that change neither what it reads nor when it stops.
const GREP_FLAGS: &str = "EFGPivwxcnhHbsoaUzTyZ";

/// grep's long flags of the same kind, spelled out (an abbreviation may be ambiguous, which
/// grep refuses without reading).
const GREP_LONG: [&str; 17] = [
    "--extended-regexp",
    "--fixed-strings",
    "--basic-regexp",
    "--perl-regexp",
    "--ignore-case",
    "--no-ignore-case",
    "--invert-match",
    "--word-regexp",
    "--line-regexp",
    "--count",
    "--line-number",
    "--byte-offset",
    "--no-filename",
    "--with-filename",
    "--only-matching",
    "--text",
    "--null-data",
];

/// Whether grep run with `words` reads the pipe to its end: its flags from [`GREP_FLAGS`]
/// and [`GREP_LONG`], `--color`, patterns by `-e` or `-f` (a pattern file is read, not
/// searched), context counts; then one pattern operand, or none after `-e`/`-f`, and no
/// file to search.
fn grep_reads_the_pipe(words: &[&str]) -> bool {
    let mut operands = 0;
    let mut patterns_given = false;
    let mut words = words.iter();
    let mut options_done = false;
    while let Some(&word) = words.next() {
        if options_done || !word.starts_with('-') || word == "-" {
            operands += 1;
            continue;
        }
        if word == "--" {
            options_done = true;
            continue;
        }
        if let Some(long) = word.strip_prefix("--") {
            let (name, value) = long
                .split_once('=')
                .map_or((long, None), |(n, v)| (n, Some(v)));
            let takes_value = [
                "regexp",
                "file",
                "after-context",
                "before-context",
                "context",
            ];
            if takes_value.contains(&name) {
                patterns_given |= name == "regexp" || name == "file";
                if value.is_none() && words.next().is_none() {
                    return false;
                }
            } else if !(GREP_LONG.contains(&word) || name == "color" || name == "colour") {
                return false;
            }
            continue;
        }
        for (k, letter) in word[1..].char_indices() {
            if "eABCf".contains(letter) {
                patterns_given |= letter == 'e' || letter == 'f';
                if k + 2 == word.len() && words.next().is_none() {
                    return false;
                }
                break;
            }
            if !GREP_FLAGS.contains(letter) {
                return false;
            }
        }
    }
    operands == usize::from(!patterns_given)
}

#[cfg(test)]
mod tests {
    use super::{may_write, reads_the_pipe};

    #[test]
    fn readers_read_the_pipe_to_its_end() {
        for (program, words) in [
            ("tee", &["-a", "/tmp/x", "out.log"][..]),
            ("/usr/bin/tee", &[][..]),
            ("cat", &["-n"][..]),
            ("wc", &["-l"][..]),
            ("uniq", &["-c", "-f", "2"][..]),
            ("grep", &["-i", "state"][..]),
            ("grep", &["-e", "a", "-e", "b"][..]),
            ("grep", &["--color=auto", "-A2", "ONLINE"][..]),
            ("egrep", &["--", "-x"][..]),
        ] {
            assert!(reads_the_pipe(program, words), "{program} {words:?}");
        }
        for (program, words) in [
            ("tee", &["--help"][..]),
            ("tee", &["/opt/continuent/tungsten/conf/x"][..]),
            ("cat", &["/etc/hosts"][..]),
            ("wc", &["-l", "file"][..]),
            ("wc", &["--files0-from=/tmp/list"][..]),
            ("uniq", &["/tmp/a", "/tmp/b"][..]),
            ("grep", &["ONLINE", "/etc/hosts"][..]),
            ("grep", &["-r", "ONLINE"][..]),
            ("grep", &["--co", "x"][..]),
            ("grep", &["-q", "x"][..]),
            ("grep", &["-e", "a", "file"][..]),
            ("grep", &["-A"][..]),
            ("grep", &[][..]),
            ("/usr/local/bin/grep", &["x"][..]),
            ("head", &["-1"][..]),
        ] {
            assert!(!reads_the_pipe(program, words), "{program} {words:?}");
        }
    }

    #[test]
    fn a_tail_writes_only_where_nothing_of_tungsten_lies() {
        for path in [
            "/dev/null",
            "/dev/stderr",
            "/tmp/x.log",
            "/var/tmp/a/b",
            "switch.log",
            "logs/x.txt",
            "status.out",
        ] {
            assert!(may_write(path), "{path}");
        }
        for path in [
            "logs/x",
            "tungsten.ini",
            "thl.data.0000000001",
            "static-alpha.properties",
            ".log",
            "/opt/continuent/tungsten/tungsten-replicator/conf/static-alpha.properties",
            "/etc/tungsten/tungsten.ini",
            "/dev/tcp/host/80",
            "/tmp/../etc/x",
            "../x",
            "~/x",
            "",
        ] {
            assert!(!may_write(path), "{path}");
        }
    }

    /// An output file's ending is trusted only for a name relative to the working
    /// directory: an absolute or home path outside `/tmp` is refused whatever it ends in.
    #[test]
    fn an_output_ending_is_not_enough_outside_the_working_directory() {
        for path in [
            "/etc/tungsten/switch.log",
            "/opt/continuent/x.out",
            "~/switch.log",
        ] {
            assert!(!may_write(path), "{path}");
        }
    }

    #[test]
    fn tee_may_be_told_how_to_handle_write_errors() {
        assert!(reads_the_pipe(
            "tee",
            &["--output-error=warn", "/tmp/x.log"]
        ));
        assert!(reads_the_pipe("tee", &["--output-error"]));
    }

    /// A lone `-` is no bundle of uniq's flags, so it keeps the line whole like any operand.
    #[test]
    fn a_lone_dash_is_not_one_of_uniqs_options() {
        assert!(reads_the_pipe("uniq", &["-c"]));
        assert!(!reads_the_pipe("uniq", &["-"]));
        assert!(!reads_the_pipe("uniq", &["-c", "-"]));
    }

    /// grep's long options that take a value read it like their short forms do: a pattern
    /// by `--regexp` or `--file` leaves no operand, and a context count leaves the pattern.
    #[test]
    fn grep_long_options_take_their_values_like_the_short_ones() {
        for words in [
            &["--regexp=ONLINE"][..],
            &["--regexp", "ONLINE"][..],
            &["--file", "/tmp/patterns"][..],
            &["--context=2", "ONLINE"][..],
            &["--after-context", "1", "ONLINE"][..],
            &["--before-context=3", "-e", "ONLINE"][..],
        ] {
            assert!(reads_the_pipe("grep", words), "{words:?}");
        }
        for words in [
            &["--regexp=a", "ONLINE"][..],
            &["--file=/tmp/patterns", "/etc/hosts"][..],
            &["--context=2"][..],
            &["--regexp"][..],
        ] {
            assert!(!reads_the_pipe("grep", words), "{words:?}");
        }
    }
}
