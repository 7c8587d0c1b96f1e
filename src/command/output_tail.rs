//! The end of a shell line that only saves or filters what its command prints: output
//! redirections (`> out.log`, `>> out.log`, `2>&1`, `&> out.log`) and pipes into programs
//! that only read their input (`| tee out.log`, `| grep ONLINE`).
//!
//! Such a tail changes nothing the command does to the cluster, so a host line is read
//! without it: `trepctl offline > /tmp/offline.log` is `trepctl offline`, and
//! `echo 'switch' | cctrl | tee switch.log` is the piped `switch` (an independent review
//! found that line read as a step the model does not know, the switch passing unchecked and
//! the plan VALID). An input redirection (`<`) is never part of one: it changes what the
//! command reads.

/// Programs that only read what is piped into them, write at most to files and the
/// terminal, and read to the end of their input (**modelling decision**: `head`, and `grep`
/// with an option that stops at the first match, end the pipe early, and whether the
/// command before them then finishes its work depends on when it writes; they are left
/// out, so such a line stays a step the model does not know).
const READERS: [&str; 10] = [
    "tee", "cat", "less", "more", "wc", "sort", "uniq", "grep", "egrep", "fgrep",
];

/// `grep` options that stop reading early (at the first match, or after a count).
const EARLY_EXIT: [&str; 6] = ["-q", "--quiet", "--silent", "-m", "--max-count", "-l"];

/// Where the tail of `line` that only saves or filters output begins, if it has one: the
/// byte index of its first redirection or pipe. The line before it is the command.
pub(crate) fn start(line: &str) -> Option<usize> {
    candidates(line).find(|&at| is_output_tail(&line[at..]))
}

/// The byte indices of unquoted `|` (not `||`) and of unquoted words that begin a
/// redirection (`>`, `2>`, `&>`), left to right.
fn candidates(line: &str) -> impl Iterator<Item = usize> + '_ {
    let mut quote = None;
    let mut word_start = true;
    let mut previous = None;
    line.char_indices().filter_map(move |(i, c)| {
        let at_word_start = word_start;
        let before = previous;
        previous = Some(c);
        word_start = c.is_whitespace();
        match quote {
            Some(q) if c == q => {
                quote = None;
                return None;
            }
            Some(_) => return None,
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                return None;
            }
            None => {}
        }
        let pipe = c == '|' && before != Some('|') && !line[i + 1..].starts_with('|');
        let redirection = at_word_start
            && (c == '>' || c == '&' || c.is_ascii_digit())
            && opens_redirection(&line[i..]);
        (pipe || redirection).then_some(i)
    })
}

/// Whether `word...` begins with an output redirection operator: digits, then `>`; or `&>`.
fn opens_redirection(text: &str) -> bool {
    let rest = text.trim_start_matches(|c: char| c.is_ascii_digit());
    rest.starts_with('>') || (rest.len() == text.len() && text.starts_with("&>"))
}

/// Whether `tail` is nothing but output redirections and pipes into [`READERS`].
fn is_output_tail(tail: &str) -> bool {
    // Substitutions, chains and a lone `&` (in the background) are the caller's to refuse: a
    // tail holding one is not plain. An `&` is fine only inside a redirection (`2>&1`).
    let plain = !(tail.contains(['`', ';', '<']) || tail.contains("$("))
        && tail
            .split(|c: char| c.is_whitespace() || c == '|')
            .all(|word| !word.contains('&') || is_redirection(word));
    let mut segments = tail.split('|');
    // The text before the first `|` (or the whole tail): redirections of the command itself.
    let own = segments.next().unwrap_or_default();
    plain
        && redirections_only(&mut own.split_whitespace())
        && segments.all(|segment| {
            // A reader's own words are free (files, patterns, its own redirections).
            segment.split_whitespace().next().is_some_and(|program| {
                let program = program.rsplit('/').next().unwrap_or(program);
                READERS.contains(&program) && reads_to_the_end(program, segment)
            })
        })
}

/// Whether `program` (a reader) with the words of `segment` reads its whole input.
fn reads_to_the_end(program: &str, segment: &str) -> bool {
    !program.ends_with("grep")
        || !segment.split_whitespace().any(|w| {
            EARLY_EXIT.contains(&w)
                || w.starts_with("--max-count=")
                || (w.starts_with('-') && !w.starts_with("--") && w.contains(['q', 'm', 'l']))
        })
}

/// Whether `words` are output redirections alone, each with its target (`> file`, `>file`,
/// `2>&1`, `&>> file`).
fn redirections_only<'a>(words: &mut impl Iterator<Item = &'a str>) -> bool {
    while let Some(word) = words.next() {
        if !is_redirection(word) {
            return false;
        }
        let operator_alone = word
            .trim_start_matches(|c: char| c.is_ascii_digit() || c == '&')
            .trim_start_matches('>')
            .is_empty();
        if operator_alone && words.next().is_none() {
            return false;
        }
    }
    true
}

/// Whether `word` is an output redirection: `>`, `>>`, `N>`, `N>>`, `N>&M`, `&>`, `&>>`, with
/// or without its target attached.
fn is_redirection(word: &str) -> bool {
    let rest = word
        .strip_prefix('&')
        .unwrap_or_else(|| word.trim_start_matches(|c: char| c.is_ascii_digit()));
    rest.starts_with('>')
}

#[cfg(test)]
mod tests {
    use super::start;

    fn command(line: &str) -> &str {
        start(line).map_or(line, |at| line[..at].trim_end())
    }

    /// What only saves or filters output is cut off; the command is kept whole.
    #[test]
    fn output_tails_are_cut_off() {
        for (line, cmd) in [
            ("trepctl offline > /tmp/out", "trepctl offline"),
            ("trepctl offline >/tmp/out", "trepctl offline"),
            ("trepctl offline >> /tmp/out 2>&1", "trepctl offline"),
            ("trepctl status 2>/dev/null | grep state", "trepctl status"),
            ("trepctl status &> /tmp/out", "trepctl status"),
            (
                "echo 'switch' | cctrl > /tmp/switch.log",
                "echo 'switch' | cctrl",
            ),
            (
                "echo 'switch' | cctrl | tee /tmp/switch.log",
                "echo 'switch' | cctrl",
            ),
            (
                "echo 'switch' | cctrl -expert 2>&1 | tee -a /tmp/switch.log",
                "echo 'switch' | cctrl -expert",
            ),
            (
                "echo \"ls | grep x\" | cctrl | less",
                "echo \"ls | grep x\" | cctrl",
            ),
            ("trepctl status | tee", "trepctl status"),
            ("/usr/bin/tee", "/usr/bin/tee"),
        ] {
            assert_eq!(command(line), cmd, "{line}");
        }
    }

    /// A pipe into a program that does more than read, an input redirection, a chain, a
    /// reader that stops early or a redirection with no target: the line is kept whole.
    #[test]
    fn other_tails_are_kept() {
        for line in [
            "echo 'switch' | cctrl",
            "echo 'switch' | cctrl | sh",
            "trepctl offline | xargs trepctl online",
            "trepctl offline < /tmp/in",
            "trepctl offline > /tmp/out && stopall",
            "trepctl offline > $(date)",
            "trepctl offline > /tmp/out &",
            "trepctl offline | tee /tmp/out & stopall",
            "trepctl offline | head -1",
            "trepctl offline | grep -q ONLINE",
            "trepctl offline | grep -m1 ONLINE",
            "trepctl offline || true",
            "trepctl offline >",
            "mysql -e 'select 1 > 0'",
            "trepctl offline | ",
        ] {
            assert_eq!(command(line), line, "{line}");
        }
    }
}
