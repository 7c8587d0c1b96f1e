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

use crate::command::shell_syntax::{Bare, bare};

/// What sets a wrapper apart from one that runs its command here, once, after its options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trait {
    /// A shell builtin: it runs a command only first on the line (`sudo exec stopall`
    /// fails).
    Builtin,
    /// Its first operand is a script to run, not a command the line names (`bash x.sh`).
    ScriptOperands,
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
    /// Options with which it runs no command: `sudo -l` lists, `command -v` prints a path
    /// (alone or in a bundle: `sudo -nl`).
    runs_nothing: &'static [&'static str],
    /// The option whose value, one word, is the command: `-c` of a shell, `su` or `flock`,
    /// `-S` of `env`, `-a` of `ansible`; with its long spelling.
    command_option: Option<(char, &'static str)>,
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
            command_option: None,
            traits: &[],
        }
    }

    /// Parallel ssh, under either of its names.
    const fn pssh(name: &'static str) -> Self {
        Self {
            valued: "hHlpoetxXO",
            long_valued: &[
                "--hosts",
                "--host",
                "--user",
                "--par",
                "--outdir",
                "--errdir",
                "--timeout",
            ],
            traits: &[Trait::NotLocal],
            ..Self::new(name)
        }
    }

    fn has(&self, t: Trait) -> bool {
        self.traits.contains(&t)
    }
}

/// Where the command a wrapper runs begins.
enum Start {
    /// At this byte offset, to the end of the text.
    At(usize),
    /// In the word at these byte offsets alone: an option's value (`-c 'stopall'`).
    Word(usize, usize),
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
        command_option: Some(('S', "--split-string")),
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
        command_option: Some(('c', "--command")),
        traits: &[Trait::NotLocal],
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
        command_option: Some(('c', "--command")),
        traits: &[Trait::NotLocal, Trait::UserOperands],
        ..Wrapper::new("runuser")
    },
    Wrapper {
        valued: "gGsw",
        long_valued: &["--group", "--supp-group", "--shell"],
        command_option: Some(('c', "--command")),
        traits: &[Trait::NotLocal, Trait::UserOperands],
        ..Wrapper::new("su")
    },
    Wrapper {
        command_option: Some(('c', "--command")),
        traits: &[Trait::NotLocal, Trait::ScriptOperands],
        ..Wrapper::new("bash")
    },
    Wrapper {
        command_option: Some(('c', "--command")),
        traits: &[Trait::NotLocal, Trait::ScriptOperands],
        ..Wrapper::new("sh")
    },
    Wrapper {
        command_option: Some(('c', "--command")),
        traits: &[Trait::NotLocal, Trait::ScriptOperands],
        ..Wrapper::new("zsh")
    },
    Wrapper {
        command_option: Some(('c', "--command")),
        traits: &[Trait::NotLocal, Trait::ScriptOperands],
        ..Wrapper::new("dash")
    },
    Wrapper {
        command_option: Some(('c', "--command")),
        traits: &[Trait::NotLocal, Trait::UserOperands],
        ..Wrapper::new("script")
    },
    Wrapper {
        traits: &[Trait::Builtin],
        ..Wrapper::new("coproc")
    },
    // Tools that run the command on many hosts.
    Wrapper {
        valued: "wxlRtufFgN",
        traits: &[Trait::NotLocal],
        ..Wrapper::new("pdsh")
    },
    Wrapper {
        valued: "wxgXlfOtuR",
        long_valued: &["--nodes", "--exclude", "--group", "--fanout"],
        traits: &[Trait::NotLocal],
        ..Wrapper::new("clush")
    },
    Wrapper::pssh("pssh"),
    Wrapper::pssh("parallel-ssh"),
    Wrapper {
        valued: "mifeuTcBPlMt",
        long_valued: &[
            "--module-name",
            "--inventory",
            "--forks",
            "--extra-vars",
            "--user",
            "--timeout",
            "--connection",
            "--limit",
        ],
        operands: 1,
        command_option: Some(('a', "--args")),
        traits: &[Trait::NotLocal, Trait::ScriptOperands],
        ..Wrapper::new("ansible")
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
pub(super) fn program(word: &str) -> &str {
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
    let value = |i: usize| {
        spans
            .get(i)
            .map_or(Start::Unknown, |&(s, e)| Start::Word(s, e))
    };
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
            if let Some((_, option)) = wrapper.command_option {
                if word == option {
                    return value(i + 1);
                }
                if let Some(attached) = long
                    .strip_prefix(&option[2..])
                    .and_then(|v| v.strip_prefix('='))
                {
                    return Start::Word(e - attached.len(), e);
                }
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
                let alone = |r: &&str| r.len() == 2 && r.ends_with(letter);
                if wrapper.runs_nothing.iter().any(alone) {
                    return Start::Nothing;
                }
                if wrapper.command_option.is_some_and(|(c, _)| c == letter) {
                    return if last {
                        value(i)
                    } else {
                        Start::Word(s + 1 + k + letter.len_utf8(), e)
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
        if wrapper.has(Trait::ScriptOperands) {
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
        // A group or subshell glued to its command: `(stopall)`, `{stopall;}`.
        if let Some(inner) = rest.strip_prefix(['(', '{', '!']) {
            rest = inner;
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
            Start::Word(s, e) => rest = &rest[s..e],
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

/// The commands `text` joins, each whole, with the stages of its pipes after it: split at `&&`, `||`, `;`, a lone `&` (not one of
/// a redirection's: `2>&1`, `<&-`, `&>`) and `|` outside quotes, up to a comment (`#` at a
/// word's start), each segment with a pipe first as a whole (`echo 'switch' | cctrl` is one
/// command); then what each process or command substitution runs (`<(..)`, `>(..)`,
/// `$(..)`, backquotes, none inside single quotes). A third review found `history | grep -E
/// 'stopall|startall'`, `echo "done & stopall"` and `echo 'see $(stopall)'` split inside
/// their quotes, and refused.
pub(super) fn segments(text: &str) -> Vec<Vec<&str>> {
    let mut chains = Vec::new();
    let mut pipes: Vec<Vec<&str>> = vec![Vec::new()];
    let bytes = text.as_bytes();
    let (mut start, mut piece) = (0, 0);
    let mut end = bytes.len();
    // Quotes, escapes and expansions as bash reads them: only their bare characters split.
    let marks: Vec<Bare> = bare(text).collect();
    let mut k = 0;
    while let Some(&Bare {
        at: i,
        c,
        word_start,
    }) = marks.get(k)
    {
        k += 1;
        let doubled = marks.get(k).is_some_and(|n| n.at == i + 1 && n.c == c);
        let separator = match c {
            '#' if word_start => {
                end = i;
                break;
            }
            '&' | '|' if doubled => {
                k += 1;
                2
            }
            ';' => 1,
            '&' if !matches!(i.checked_sub(1).map(|p| bytes[p]), Some(b'>' | b'<'))
                && bytes.get(i + 1) != Some(&b'>') =>
            {
                1
            }
            '|' => {
                if let Some(last) = pipes.last_mut() {
                    last.push(&text[piece..i]);
                }
                piece = i + 1;
                0
            }
            _ => 0,
        };
        if separator > 0 {
            chains.push(&text[start..i]);
            if let Some(last) = pipes.last_mut() {
                last.push(&text[piece..i]);
            }
            pipes.push(Vec::new());
            start = i + separator;
            piece = start;
        }
    }
    chains.push(&text[start..end]);
    if let Some(last) = pipes.last_mut() {
        last.push(&text[piece..end]);
    }
    let mut all: Vec<Vec<&str>> = chains
        .into_iter()
        .zip(pipes)
        .map(|(chain, pieces)| {
            let mut group = vec![chain];
            if pieces.len() > 1 {
                group.extend(pieces);
            }
            group
        })
        .collect();
    all.extend(substitutions(&text[..end]).into_iter().map(|s| vec![s]));
    all
}

/// What the process and command substitutions of `text` run: the text inside `<(..)`,
/// `>(..)`, `$(..)` (to the matching parenthesis) and between backquotes, outside single
/// quotes (where bash substitutes nothing).
fn substitutions(text: &str) -> Vec<&str> {
    // Blank out what single quotes hold, keeping byte offsets: a character is blanked with
    // as many spaces as it has bytes (the `parse_runbook` fuzzer found a quoted multi-byte
    // character shift every offset after it, and a slice cut inside a character).
    let mut open = false;
    let mut visible = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\'' {
            open = !open;
            visible.push(' ');
        } else if open {
            visible.extend(std::iter::repeat_n(' ', c.len_utf8()));
        } else {
            visible.push(c);
        }
    }
    let mut out = Vec::new();
    for opener in ["<(", ">(", "$("] {
        for (at, _) in visible.match_indices(opener) {
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
    let ticks: Vec<usize> = visible.match_indices('`').map(|(i, _)| i).collect();
    out.extend(
        ticks
            .chunks_exact(2)
            .map(|pair| &text[pair[0] + 1..pair[1]]),
    );
    out
}

/// `text` without its redirections (`< /dev/null`, `>x`, `2>&1`, `<&-`, `&> log`): what is
/// left is the command they feed or save (a third review found
/// `nohup stopall </dev/null >/tmp/x 2>&1 &` not read as `stopall`).
pub(super) fn without_redirections(text: &str) -> String {
    let spans = words(text);
    let mut kept = Vec::new();
    let mut spans = spans.iter();
    while let Some(&(s, e)) = spans.next() {
        let word = &text[s..e];
        let op = word
            .strip_prefix('&')
            .unwrap_or_else(|| word.trim_start_matches(|c: char| c.is_ascii_digit()));
        if op.starts_with(['<', '>']) {
            // The operator alone takes the next word as its target.
            let target = op.trim_start_matches(['<', '>', '&', '|']);
            if target.is_empty() {
                spans.next();
            }
            continue;
        }
        kept.push(word);
    }
    kept.join(" ")
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
                .flatten()
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

    fn commands(line: &str) -> Vec<&str> {
        segments(line)
            .into_iter()
            .flatten()
            .map(str::trim)
            .collect()
    }

    /// Bash reads a comment only from a `#` that starts a word: inside a word it is a plain
    /// character, and the `;` after it still ends a command.
    #[test]
    fn a_hash_inside_a_word_is_not_a_comment() {
        assert_eq!(commands("echo a#b; stopall"), ["echo a#b", "stopall"]);
    }

    /// After a comment sign that starts a word, nothing is a command, chained or not.
    #[test]
    fn a_comment_hides_what_follows_it() {
        assert_eq!(commands("trepctl status # ; stopall"), ["trepctl status"]);
        assert_eq!(commands("trepctl status #$(stopall)"), ["trepctl status"]);
    }
}
