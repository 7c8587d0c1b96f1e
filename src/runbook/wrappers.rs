//! What a shell line runs its command through, and the commands a line it does not read as
//! one command holds: the runbook's check that no command the model knows passes unchecked
//! behind another (`sudo stopall`, `ssh db2 trepctl offline`, `nohup stopall &`,
//! `bash -c 'trepctl offline'`, `thl list <(stopall)`).
//!
//! Independent reviews found each of these read as a step the model does not know, with a
//! warning only: commands behind `nohup`, `timeout`, `env`, `nice` and the like, behind
//! options with attached values (`ssh -oStrictHostKeyChecking=no db3 stopall`), behind a
//! shell's `-c`, in the background (`&`), in a process substitution; and `sudo \ssh db1
//! stopall` run on the step's own host.

/// What sets a wrapper apart from one that runs its command here, once, after its options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trait {
    /// A shell builtin: it runs a command only first on the line (`sudo exec stopall`
    /// fails).
    Builtin,
    /// Its command is the value of `-c` (`bash -c 'stopall'`, `su - tungsten -c '...'`).
    DashC,
    /// It runs the command elsewhere, as another user, or more than once (`ssh`, `su -c`,
    /// `watch`, `xargs`): `sudo` before it is not simply the command run on the step's host.
    NotLocal,
    /// Its words that are not options name a user, not the command (`su - tungsten -c ..`).
    UserOperands,
}

/// A program or builtin that runs a command given after its options (and operands).
struct Wrapper {
    /// Its name.
    name: &'static str,
    /// Short options taking a value (the letters), attached (`-oX=y`) or as the next word.
    valued: &'static str,
    /// Long options taking the next word as their value, when not given with `=`.
    long_valued: &'static [&'static str],
    /// Operands before the command: `ssh`'s host, `timeout`'s duration, `chrt`'s priority,
    /// `taskset`'s mask, `flock`'s lock file.
    operands: usize,
    /// Options with which it runs no command: `sudo -l` lists, `command -v` prints a path.
    runs_nothing: &'static [&'static str],
    /// What sets it apart.
    traits: &'static [Trait],
}

impl Wrapper {
    const fn new(name: &'static str) -> Self {
        Self {
            name,
            valued: "",
            long_valued: &[],
            operands: 0,
            runs_nothing: &[],
            traits: &[],
        }
    }

    fn has(&self, t: Trait) -> bool {
        self.traits.contains(&t)
    }
}

/// Where the command a wrapper runs begins.
enum Start {
    /// At this byte offset.
    At(usize),
    /// Its options say it runs none.
    Nothing,
    /// No command follows that the line names (a shell given a script).
    Unknown,
}

/// The wrappers read through, from their manual pages' synopses (**modelling decision**: a
/// wrapper not listed here leaves the line not modelled, with its warning).
const WRAPPERS: &[Wrapper] = &[
    Wrapper {
        valued: "ughpCDUTrt",
        long_valued: &[
            "--user",
            "--group",
            "--host",
            "--prompt",
            "--close-from",
            "--chdir",
            "--other-user",
            "--command-timeout",
            "--role",
            "--type",
        ],
        runs_nothing: &[
            "-l",
            "--list",
            "-e",
            "--edit",
            "-V",
            "--version",
            "-v",
            "--validate",
            "-K",
            "--remove-timestamp",
        ],
        ..Wrapper::new("sudo")
    },
    Wrapper {
        valued: "iplFJbcoELRDWmOQSwBe",
        operands: 1,
        traits: &[Trait::NotLocal],
        ..Wrapper::new("ssh")
    },
    Wrapper::new("nohup"),
    Wrapper::new("setsid"),
    Wrapper {
        valued: "fo",
        long_valued: &["--format", "--output"],
        ..Wrapper::new("time")
    },
    Wrapper {
        valued: "a",
        traits: &[Trait::Builtin],
        ..Wrapper::new("exec")
    },
    Wrapper {
        runs_nothing: &["-v", "-V"],
        traits: &[Trait::Builtin],
        ..Wrapper::new("command")
    },
    Wrapper {
        traits: &[Trait::Builtin],
        ..Wrapper::new("builtin")
    },
    Wrapper {
        traits: &[Trait::Builtin],
        ..Wrapper::new("eval")
    },
    Wrapper {
        valued: "uC",
        long_valued: &["--unset", "--chdir"],
        ..Wrapper::new("env")
    },
    Wrapper {
        valued: "sk",
        long_valued: &["--signal", "--kill-after"],
        operands: 1,
        ..Wrapper::new("timeout")
    },
    Wrapper {
        valued: "n",
        long_valued: &["--adjustment"],
        ..Wrapper::new("nice")
    },
    Wrapper {
        valued: "cn",
        long_valued: &["--class", "--classdata"],
        runs_nothing: &["-p", "--pid", "-P", "--pgid", "-u", "--uid"],
        ..Wrapper::new("ionice")
    },
    Wrapper {
        valued: "ioe",
        long_valued: &["--input", "--output", "--error"],
        ..Wrapper::new("stdbuf")
    },
    Wrapper {
        valued: "uC",
        ..Wrapper::new("doas")
    },
    Wrapper {
        operands: 1,
        runs_nothing: &["-p", "--pid"],
        ..Wrapper::new("chrt")
    },
    Wrapper {
        operands: 1,
        runs_nothing: &["-p", "--pid"],
        ..Wrapper::new("taskset")
    },
    Wrapper {
        valued: "wE",
        long_valued: &["--timeout", "--conflict-exit-code"],
        operands: 1,
        traits: &[Trait::DashC, Trait::NotLocal],
        ..Wrapper::new("flock")
    },
    Wrapper {
        valued: "n",
        long_valued: &["--interval"],
        traits: &[Trait::NotLocal],
        ..Wrapper::new("watch")
    },
    Wrapper {
        valued: "adEILnPs",
        long_valued: &["--arg-file", "--delimiter", "--max-args", "--max-procs"],
        traits: &[Trait::NotLocal],
        ..Wrapper::new("xargs")
    },
    Wrapper {
        valued: "ugGsw",
        long_valued: &["--user", "--group", "--supp-group", "--shell"],
        traits: &[Trait::DashC, Trait::NotLocal, Trait::UserOperands],
        ..Wrapper::new("runuser")
    },
    Wrapper {
        valued: "gGsw",
        long_valued: &["--group", "--supp-group", "--shell"],
        traits: &[Trait::DashC, Trait::NotLocal, Trait::UserOperands],
        ..Wrapper::new("su")
    },
    Wrapper {
        traits: &[Trait::DashC, Trait::NotLocal],
        ..Wrapper::new("bash")
    },
    Wrapper {
        traits: &[Trait::DashC, Trait::NotLocal],
        ..Wrapper::new("sh")
    },
    Wrapper {
        traits: &[Trait::DashC, Trait::NotLocal],
        ..Wrapper::new("zsh")
    },
    Wrapper {
        traits: &[Trait::DashC, Trait::NotLocal],
        ..Wrapper::new("dash")
    },
];

/// Shell words that begin a command of their own: a negation, a group, a subshell, the
/// clauses of `if`, `while` and `until`.
const OPENERS: [&str; 10] = [
    "!", "{", "(", "if", "then", "else", "elif", "do", "while", "until",
];

/// The command `part` runs past what runs it, with whether everything taken off runs it
/// locally, once (see [`Trait::NotLocal`]); `""` when what runs it runs nothing (`sudo -l`).
pub(super) struct Unwrapped<'a> {
    /// The command.
    pub(super) command: &'a str,
    /// The wrappers taken off, by name, in order.
    pub(super) through: Vec<&'static str>,
    /// Every wrapper taken off runs the command on the step's host, once.
    pub(super) local: bool,
}

/// A word as bash would name the program it runs: without the `\` that skips an alias,
/// without quotes, without its directory.
fn program(word: &str) -> &str {
    let word = word.trim_start_matches('\\').trim_matches(['\'', '"']);
    word.rsplit('/').next().unwrap_or(word)
}

/// Whether `word` is an assignment before a command (`FOO=1`, `A+=x`, `B='x y'`): a name of
/// letters, digits and `_`, not starting with a digit, then `=` or `+=`.
fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        let name = name.strip_suffix('+').unwrap_or(name);
        name.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// The byte spans of the words of `text`, quotes kept in the word they belong to
/// (`A='x y'` is one word).
fn words(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c.is_whitespace() => {
                if let Some(s) = start.take() {
                    out.push((s, i));
                }
            }
            None => {
                if start.is_none() {
                    start = Some(i);
                }
                if c == '\'' || c == '"' {
                    quote = Some(c);
                }
            }
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// [`Start::At`] the word `span` begins, or [`Start::Unknown`] without one.
fn start_at(span: Option<&(usize, usize)>) -> Start {
    span.map_or(Start::Unknown, |&(s, _)| Start::At(s))
}

/// Where the command `wrapper` runs begins in `text` (after its name, options and
/// operands), whose words are `spans`.
fn command_start(wrapper: &Wrapper, text: &str, spans: &[(usize, usize)]) -> Start {
    let mut operands = wrapper.operands;
    let mut i = 1;
    while let Some(&(s, e)) = spans.get(i) {
        let word = &text[s..e];
        if wrapper.runs_nothing.contains(&word) {
            return Start::Nothing;
        }
        // After `--`, the command.
        if word == "--" {
            return start_at(spans.get(i + 1));
        }
        if let Some(long) = word.strip_prefix("--") {
            if wrapper.has(Trait::DashC) && long == "command" {
                return start_at(spans.get(i + 1));
            }
            i += if wrapper.long_valued.contains(&word) {
                2
            } else {
                1
            };
            continue;
        }
        if let Some(short) = word.strip_prefix('-').filter(|s| !s.is_empty()) {
            i += 1;
            // Read the letters left to right: the first taking a value takes the rest of the
            // word, or the next word when it is the last letter.
            for (k, letter) in short.char_indices() {
                let last = k + letter.len_utf8() == short.len();
                if wrapper.has(Trait::DashC) && letter == 'c' {
                    return if last {
                        start_at(spans.get(i))
                    } else {
                        Start::At(s + 2 + k)
                    };
                }
                if wrapper.valued.contains(letter) {
                    if last {
                        i += 1;
                    }
                    break;
                }
            }
            continue;
        }
        if operands > 0 {
            operands -= 1;
            i += 1;
            continue;
        }
        // `su - tungsten -c '...'`: its operand is a user, and its command `-c`'s value;
        // a shell's first operand is a script, not a command the line names.
        if wrapper.has(Trait::UserOperands) || word == "-" {
            i += 1;
            continue;
        }
        if wrapper.has(Trait::DashC) && wrapper.operands == 0 {
            return Start::Unknown;
        }
        return Start::At(s);
    }
    Start::Unknown
}

/// `part` past what runs the command it holds, in any order and number: the wrappers of
/// [`WRAPPERS`] with their options and operands, assignments before the command
/// (`FOO=1 stopall`), the `\` that skips an alias, the shell words that open a command
/// ([`OPENERS`]) and a closing `)` or `}`, and the quotes around what `ssh` or a shell's `-c`
/// runs.
pub(super) fn unwrapped(part: &str) -> Unwrapped<'_> {
    let mut rest = part.trim();
    let mut through = Vec::new();
    let mut local = true;
    loop {
        let spans = words(rest);
        let Some(&(s, e)) = spans.first() else {
            break;
        };
        let first = &rest[s..e];
        let skip_first = |rest: &mut &str| {
            *rest = spans.get(1).map_or("", |&(next, _)| &rest[next..]);
        };
        if is_assignment(first) || OPENERS.contains(&first) {
            skip_first(&mut rest);
            continue;
        }
        let name = program(first);
        let Some(wrapper) = WRAPPERS.iter().find(|w| w.name == name) else {
            break;
        };
        if wrapper.has(Trait::Builtin) && !through.is_empty() {
            break;
        }
        through.push(wrapper.name);
        local &= !wrapper.has(Trait::NotLocal);
        match command_start(wrapper, rest, &spans) {
            Start::At(at) => rest = &rest[at..],
            Start::Nothing => {
                rest = "";
                break;
            }
            Start::Unknown => break,
        }
        rest = rest.trim();
        let quoted = |q: char| rest.len() >= 2 && rest.starts_with(q) && rest.ends_with(q);
        if quoted('\'') || quoted('"') {
            rest = rest[1..rest.len() - 1].trim();
        }
    }
    let rest = rest.trim_start_matches('\\');
    let rest = [")", "}"]
        .iter()
        .find_map(|close| rest.strip_suffix(close))
        .map_or(rest, str::trim_end);
    Unwrapped {
        command: rest,
        through,
        local,
    }
}

/// The commands `text` joins, each whole: split at `&&`, `||`, `;`, a lone `&` (not one of
/// a redirection's: `2>&1`, `&>`), each segment then also split at its pipes (`echo
/// 'switch' | cctrl` first as one), and what each process or command substitution runs
/// (`<(..)`, `>(..)`, `$(..)`, backquotes).
pub(super) fn segments(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let separator = match bytes[i] {
            b'&' if bytes.get(i + 1) == Some(&b'&') => 2,
            b'|' if bytes.get(i + 1) == Some(&b'|') => 2,
            b';' => 1,
            b'&' if i.checked_sub(1).and_then(|p| bytes.get(p)) != Some(&b'>')
                && bytes.get(i + 1) != Some(&b'>') =>
            {
                1
            }
            _ => 0,
        };
        if separator > 0 {
            out.push(&text[start..i]);
            start = i + separator;
            i = start;
        } else {
            i += 1;
        }
    }
    out.push(&text[start..]);
    let mut all: Vec<&str> = out
        .iter()
        .flat_map(|&part| {
            std::iter::once(part).chain(part.split('|').filter(move |_| part.contains('|')))
        })
        .collect();
    all.extend(substitutions(text));
    all
}

/// What the process and command substitutions of `text` run: the text inside `<(..)`,
/// `>(..)`, `$(..)` (to the matching parenthesis) and between backquotes.
fn substitutions(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for opener in ["<(", ">(", "$("] {
        for (at, _) in text.match_indices(opener) {
            let inner = &text[at + 2..];
            let mut depth = 1_usize;
            let end = inner.char_indices().find_map(|(i, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                (depth == 0).then_some(i)
            });
            out.push(&inner[..end.unwrap_or(inner.len())]);
        }
    }
    out.extend(text.split('`').skip(1).step_by(2));
    out
}

#[cfg(test)]
mod tests {
    use super::{segments, unwrapped};

    /// The command past each wrapper, and whether all it went through run it locally.
    #[test]
    fn wrappers_are_read_through() {
        for (line, command, local) in [
            ("sudo stopall", "stopall", true),
            ("sudo -u tungsten -i stopall", "stopall", true),
            ("sudo --user tungsten stopall", "stopall", true),
            ("sudo -T 30 stopall", "stopall", true),
            ("sudo -ggroup stopall", "stopall", true),
            ("ssh db3 stopall", "stopall", false),
            (
                "ssh -oStrictHostKeyChecking=no db3 stopall",
                "stopall",
                false,
            ),
            (
                "ssh -p2222 -o X=no db3 'trepctl offline'",
                "trepctl offline",
                false,
            ),
            (
                "ssh db3 'sudo nohup trepctl offline'",
                "trepctl offline",
                false,
            ),
            ("/usr/bin/ssh db3 stopall", "stopall", false),
            ("sudo \\ssh db1 stopall", "stopall", false),
            ("sudo 'ssh' db1 stopall", "stopall", false),
            ("nohup stopall", "stopall", true),
            ("timeout --signal KILL 5 stopall", "stopall", true),
            ("timeout --kill-after 5 10 stopall", "stopall", true),
            ("timeout -k5s 10 stopall", "stopall", true),
            (
                "timeout -s KILL 30 trepctl offline",
                "trepctl offline",
                true,
            ),
            ("env -S 'trepctl offline'", "trepctl offline", true),
            ("env --unset X stopall", "stopall", true),
            ("env --chdir /tmp stopall", "stopall", true),
            ("env -i FOO=1 trepctl offline", "trepctl offline", true),
            ("A='x y' stopall", "stopall", true),
            ("A+=1 stopall", "stopall", true),
            ("exec -a name stopall", "stopall", true),
            ("nice -n 5 stopall", "stopall", true),
            ("ionice -c3 stopall", "stopall", true),
            ("stdbuf -oL trepctl offline", "trepctl offline", true),
            ("setsid stopall", "stopall", true),
            ("doas stopall", "stopall", true),
            (
                "su - tungsten -c 'trepctl offline'",
                "trepctl offline",
                false,
            ),
            ("bash -c 'stopall'", "stopall", false),
            ("sh -c \"trepctl offline\"", "trepctl offline", false),
            ("runuser -u tungsten -- stopall", "stopall", false),
            ("flock /tmp/lock stopall", "stopall", false),
            ("watch trepctl offline", "trepctl offline", false),
            ("eval stopall", "stopall", true),
            ("! stopall", "stopall", true),
            ("( trepctl offline )", "trepctl offline", true),
            ("\\stopall", "stopall", true),
            // What runs nothing, or fails: `sudo` lists; `command -v` prints a path; `exec`
            // is a builtin sudo cannot run; `1A=x` is not an assignment.
            ("sudo -l stopall", "", true),
            ("sudo --list stopall", "", true),
            ("command -v stopall", "", true),
            ("sudo exec stopall", "exec stopall", true),
            ("1A=x stopall", "1A=x stopall", true),
        ] {
            let u = unwrapped(line);
            assert_eq!(
                (u.command, u.local),
                (command, local),
                "{line}: {:?}",
                u.through
            );
        }
    }

    /// The commands a line joins: chains, a background job, pipes, substitutions; a
    /// redirection's `&` joins nothing.
    #[test]
    fn a_line_is_split_into_the_commands_it_runs() {
        let parts = |line| {
            segments(line)
                .into_iter()
                .map(str::trim)
                .collect::<Vec<_>>()
        };
        assert_eq!(parts("a && b || c; d & e"), ["a", "b", "c", "d", "e"]);
        assert_eq!(
            parts("nohup stopall > /x 2>&1 &"),
            ["nohup stopall > /x 2>&1", ""]
        );
        assert_eq!(parts("a &> /x"), ["a &> /x"]);
        assert_eq!(
            parts("echo ls | cctrl"),
            ["echo ls | cctrl", "echo ls", "cctrl"]
        );
        assert_eq!(
            parts("thl list <(stopall) >(trepctl offline)"),
            [
                "thl list <(stopall) >(trepctl offline)",
                "stopall",
                "trepctl offline"
            ]
        );
        assert_eq!(
            parts("x $(a (b) c) `d`"),
            ["x $(a (b) c) `d`", "a (b) c", "d"]
        );
    }
}
