//! The end of a shell line that only saves or filters what its command prints: output
//! redirections (`> out.log`, `>> out.log`, `2>&1`, `&> out.log`) and pipes into programs
//! that only read their input (`| tee out.log`, `| grep ONLINE`).
//!
//! Such a tail changes nothing the command does to the cluster, so a host line is read
//! without it: `trepctl offline > /tmp/offline.log` is `trepctl offline`, and
//! `echo 'switch' | cctrl | tee switch.log` is the piped `switch` (an independent review
//! found that line read as a step the model does not know, the switch passing unchecked).
//!
//! A tail is cut off only when every character of it is understood: it is read token by
//! token as bash would, and anything that could run or feed another command keeps the line
//! whole: a control operator (`&&`, `&`, `;`, `||`, `|&`), a substitution (`$(..)`,
//! backquotes, `>(..)`, `<(..)`), an input redirection (`<`), an expansion (`$`), an escape
//! (`\`), a comment (`#`), a reader's option that runs a program or stops reading early, a
//! reader named by any path but the system's (a second review found each of these cut off
//! with the command they ran: `>/dev/null&&stopall`, `| tee >(stopall)`,
//! `| sort --compress-program=stopall`, a `$'..'` quote read as a plain one).

mod readers;

use readers::{may_write, reads_the_pipe};

/// Where the tail of `line` that only saves or filters output begins, if it has one: the
/// byte index of its first redirection or pipe. The line before it is the command.
pub(crate) fn start(line: &str) -> Option<usize> {
    // An escape moves where quotes end (`$'..\'..'`), so a cut could fall inside a quoted
    // argument; after a comment sign, bash reads nothing. (An expansion, `${X:-a | b}`, is
    // left to the tokens: `$`, `{` and `}` are none of a tail's.)
    if line.contains(['\\', '#']) {
        return None;
    }
    candidates(line).find(|&at| is_output_tail(&line[at..]))
}

/// The byte indices of unquoted `|` and of unquoted words that begin with `>`, `N>` or
/// `&>`, left to right, quotes and expansions read as every other check reads them
/// ([`super::shell_syntax::bare`]); and, when it comes before all of them, an unquoted `>`
/// glued to the word before it (`trepctl offline>/tmp/out`, which bash reads as `trepctl
/// offline >/tmp/out`). Only first of its command: after a redirection that is not cut
/// off, the command would keep it (`> a '2'>b`, whose quoted `2` is an argument); a `|`
/// starts another command, whose glued `>` is read again (`echo 'switch' | cctrl>/tmp/out`,
/// which bash runs as the piped `switch`; what is left is read whole, chains and all).
fn candidates(line: &str) -> impl Iterator<Item = usize> + '_ {
    let mut first = true;
    super::shell_syntax::bare(line)
        .filter(move |b| {
            let candidate = b.c == '|'
                || (b.word_start && opens_redirection(&line[b.at..]))
                || (first && b.c == '>' && !b.word_start && ends_an_argument(&line[..b.at]));
            first = b.c == '|' || (first && !candidate);
            candidate
        })
        .map(|b| b.at)
}

/// Whether `before`, the line up to a glued `>`, ends in a character that leaves the word
/// an argument of the command: not a digit (`3>x` names a descriptor, and `offline2>x`
/// is left whole rather than told apart from it), nor `&` (`status&>x` is bash's `&>`,
/// which a cut at the `>` would split).
fn ends_an_argument(before: &str) -> bool {
    before
        .chars()
        .next_back()
        .is_some_and(|c| !c.is_ascii_digit() && c != '&')
}

/// Whether `text` begins with an output redirection operator: digits, then `>`; or `&>`.
fn opens_redirection(text: &str) -> bool {
    let rest = text.trim_start_matches(|c: char| c.is_ascii_digit());
    rest.starts_with('>') || (rest.len() == text.len() && text.starts_with("&>"))
}

/// A token of a tail, as bash splits it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A word, its quotes removed.
    Word(String),
    /// `>`, `>>`, `N>`, `N>>`, `&>`, `&>>`: its target is the next word.
    Redirect,
    /// `N>&M`, `>&M`, `N>&-`: a duplication, complete in itself.
    Duplicate,
    /// `|`.
    Pipe,
}

/// The tokens of `tail`, or `None` when it holds anything but words, output redirections
/// and plain pipes.
fn tokens(tail: &str) -> Option<Vec<Token>> {
    let chars: Vec<char> = tail.chars().collect();
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    // Whether the word being read holds a quote: `'2'>` is the word `2`, then `>`.
    let mut quoted = false;
    let mut i = 0;
    let end_word = |word: &mut String, in_word: &mut bool, out: &mut Vec<Token>| {
        if *in_word {
            out.push(Token::Word(std::mem::take(word)));
            *in_word = false;
        }
    };
    while let Some(&c) = chars.get(i) {
        match c {
            c if c.is_whitespace() => end_word(&mut word, &mut in_word, &mut out),
            // `||` reads as a pipe into nothing, and `|&` as a pipe then a lone `&`: both
            // are refused below.
            '|' => {
                end_word(&mut word, &mut in_word, &mut out);
                out.push(Token::Pipe);
            }
            '\'' | '"' => {
                let close = chars[i + 1..].iter().position(|&q| q == c)? + i + 1;
                let inner = &chars[i + 1..close];
                // Inside double quotes, `$`, backquotes and `\` still expand.
                if c == '"' && inner.iter().any(|q| matches!(q, '$' | '`' | '\\')) {
                    return None;
                }
                word.extend(inner);
                in_word = true;
                quoted = true;
                i = close;
            }
            '>' | '&' => {
                // An operator starts a token of its own, unless the word before it names
                // the descriptor: standard output or error alone (`2>`; an independent
                // review found `0>&-`, which takes the piped commands away from cctrl, cut
                // off as output). A quoted digit is no descriptor: bash reads `'2'>x` as the
                // argument `2` with its output saved.
                if in_word && (quoted || !(word == "1" || word == "2")) {
                    return None;
                }
                word.clear();
                in_word = false;
                let (token, next) = operator(&chars, i)?;
                out.push(token);
                i = next;
                continue;
            }
            // Not the glob characters: which files they name is not known.
            c if c.is_ascii_alphanumeric() || "-_./:@%+=,~^".contains(c) => {
                if !in_word {
                    quoted = false;
                }
                word.push(c);
                in_word = true;
            }
            // `;`, `(`, `)`, `<`, `$`, backquote, `#`, `!` and anything else.
            _ => return None,
        }
        i += 1;
    }
    end_word(&mut word, &mut in_word, &mut out);
    Some(out)
}

/// The redirection operator at `chars[i]` (`>`, `>>`, `>&N`, `&>`, `&>>`) and the index
/// past it, or `None` for anything else (`>|`, `>(..)`, a lone `&`).
fn operator(chars: &[char], i: usize) -> Option<(Token, usize)> {
    let at = |j: usize| chars.get(j).copied();
    let mut j = i;
    let both = at(j) == Some('&');
    if both {
        j += 1;
        if at(j) != Some('>') {
            return None;
        }
    }
    j += 1; // the `>`
    if at(j) == Some('>') {
        j += 1;
    } else if !both && at(j) == Some('&') {
        // `>&1` or `>&2`: a duplication onto standard output or error, ended by a blank, a
        // pipe or the end.
        j += 1;
        let onto = matches!(at(j), Some('1' | '2'));
        j += 1;
        let ends = at(j).is_none_or(|c| c.is_whitespace() || c == '|');
        return (onto && ends).then_some((Token::Duplicate, j));
    }
    // What follows is the target: `>|` (a forced write) leaves a pipe with no target
    // before it, and `>(..)` an opening parenthesis, which the caller refuses.
    Some((Token::Redirect, j))
}

/// Whether `tail` is nothing but output redirections and pipes into programs that only read
/// the pipe ([`reads_the_pipe`]), writing only where a tail may ([`may_write`]).
fn is_output_tail(tail: &str) -> bool {
    let Some(tokens) = tokens(tail) else {
        return false;
    };
    let mut segments = tokens.split(|t| *t == Token::Pipe);
    // Before the first `|` (or the whole tail): redirections of the command itself.
    let own = segments.next().unwrap_or_default();
    let Some(own_words) = redirected(own) else {
        return false;
    };
    own_words.is_empty()
        && segments.all(|segment| {
            redirected(segment).is_some_and(|words| {
                words
                    .split_first()
                    .is_some_and(|(program, words)| reads_the_pipe(program, words))
            })
        })
}

/// The words of `tokens` once its redirections and their targets are taken out, or `None`
/// when a redirection has no target.
fn redirected(tokens: &[Token]) -> Option<Vec<&str>> {
    let mut words = Vec::new();
    let mut tokens = tokens.iter();
    while let Some(token) = tokens.next() {
        match token {
            Token::Word(w) => words.push(w.as_str()),
            Token::Redirect => {
                tokens
                    .next()
                    .filter(|t| matches!(t, Token::Word(target) if may_write(target)))?;
            }
            Token::Duplicate => {}
            Token::Pipe => return None,
        }
    }
    Some(words)
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
            // Glued to the command's last word: bash reads the same redirection.
            ("trepctl offline>/tmp/out", "trepctl offline"),
            ("trepctl offline>>/tmp/out 2>&1", "trepctl offline"),
            ("trepctl status|grep state", "trepctl status"),
            // Glued to the last word of a piped command: the switch cctrl runs.
            (
                "echo 'switch to db2' | cctrl>/tmp/out",
                "echo 'switch to db2' | cctrl",
            ),
            (
                "echo 'switch to db2'|cctrl -expert>>/tmp/out 2>&1",
                "echo 'switch to db2'|cctrl -expert",
            ),
            ("mysql -e 'select 1'>/tmp/out", "mysql -e 'select 1'"),
            ("trepctl offline >> /tmp/out 2>&1", "trepctl offline"),
            ("trepctl offline 1>&2", "trepctl offline"),
            ("trepctl status 2>/dev/null | grep state", "trepctl status"),
            ("trepctl status &> /tmp/out", "trepctl status"),
            ("trepctl status | grep -i 'state  '", "trepctl status"),
            (
                "trepctl status | grep \"state\" | \"tee\" x.log",
                "trepctl status",
            ),
            ("trepctl status | /usr/bin/tee -a x.log", "trepctl status"),
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
                "echo \"ls | grep x\" | cctrl | wc -l",
                "echo \"ls | grep x\" | cctrl",
            ),
            ("trepctl status | tee", "trepctl status"),
            ("/usr/bin/tee", "/usr/bin/tee"),
        ] {
            assert_eq!(command(line), cmd, "{line}");
        }
    }

    /// A pipe into a program that does more than read, an input redirection, a chain, a
    /// substitution, a reader that stops early or runs a program, a redirection with no
    /// target, an escape: the line is kept whole.
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
            "trepctl offline | less",
            "trepctl offline | grep -q ONLINE",
            "trepctl offline | grep -m1 ONLINE",
            "trepctl offline | grep -L ONLINE",
            // Quotes do not hide an option.
            "trepctl offline | grep \"-q\" ONLINE",
            "trepctl offline | grep '-m' 1 ONLINE",
            // A word glued to a redirection is kept as a word: here, an option.
            "trepctl offline | grep -q>/dev/null ONLINE",
            "trepctl offline | grep --max=1 ONLINE",
            "trepctl offline | grep --qui ONLINE",
            "trepctl offline | grep --files-with-matches ONLINE",
            "trepctl offline || true",
            "trepctl offline |& tee x",
            "trepctl offline >",
            "trepctl offline >| x",
            "mysql -e 'select 1 > 0'",
            "trepctl offline | ",
            // Control operators glued to a redirection's target (a second review).
            "trepctl status >/dev/null&&stopall",
            "trepctl status >x&stopall",
            "trepctl status 2>&1&&stopall",
            "trepctl status | tee /tmp/s.log >/dev/null&& stopall",
            "echo 'ls' | cctrl | tee >/tmp/ls.log& trepctl offline",
            // Descriptors other than standard output and error, and a closed one: `0>&-`
            // takes the piped commands away from cctrl (a second review).
            "echo 'switch to db2' | cctrl 0>&-",
            "echo 'switch to db2' | cctrl 0>/dev/null",
            "echo 'switch to db2' | cctrl 0>&2",
            "trepctl offline 2>&-",
            "trepctl offline 3>/tmp/x",
            // A digit before a glued `>`: left whole (bash's reading of `offline2>x` as an
            // argument is not told apart from a descriptor).
            "trepctl offline2>/tmp/x",
            "trepctl offline 12>/tmp/x",
            "trepctl status>(stopall)",
            "trepctl status>/dev/null&&stopall",
            "trepctl status&>/dev/null",
            // After a pipe, a glued `>` whose tail runs or names more stays whole.
            "echo 'switch' | cctrl>/tmp/out&",
            "echo 'switch' | cctrl>/tmp/out;stopall",
            "echo 'switch' | cctrl>>(stopall)",
            "trepctl status | grep -q>/dev/null ONLINE",
            // Files a tail may not write, globs, an expansion.
            "trepctl offline > /opt/continuent/tungsten/tungsten-replicator/conf/static-alpha.properties",
            "trepctl offline | tee /etc/tungsten/tungsten.ini",
            "trepctl offline > /dev/tcp/host/80",
            "trepctl offline | tee *",
            "trepctl offline | grep x*",
            "tungsten_purge_thl ${X:-x | grep -A }",
            // Readers given something else to read (a second review).
            "trepctl offline | cat /etc/hosts",
            "trepctl offline | grep ONLINE /etc/hosts",
            "trepctl offline | grep -r ONLINE",
            "trepctl offline | wc -l /etc/hosts",
            "trepctl offline | uniq /tmp/a /tmp/b",
            "trepctl offline | tee --help",
            "trepctl offline | grep --co x",
            // Process substitution.
            "trepctl status | tee >(stopall)",
            "trepctl status >(stopall)",
            "trepctl status > >(stopall)",
            "trepctl status 2> >(stopall)",
            "trepctl status | grep x >(stopall)",
            // A reader that runs a program, or one named by another path.
            "trepctl status | sort -S 1 --compress-program=stopall",
            "trepctl status | /home/tungsten/bin/tee /tmp/x",
            // Escapes and ANSI-C quotes move where quotes end.
            r#"mysql -e "SELECT 1 "$'\'g | grep \'\g DROP DATABASE x'"#,
            r"trepctl status \| tee x",
            "trepctl status | grep \"$USER\"",
            "trepctl status # | tee x",
        ] {
            assert_eq!(command(line), line, "{line}");
        }
    }

    /// Inside single quotes a `$` is a plain character, so a pattern anchored at the end of
    /// the line is a reader's operand like any other.
    #[test]
    fn a_dollar_in_single_quotes_is_literal_and_the_tail_is_cut_off() {
        assert_eq!(command("trepctl status | grep 'ONLINE$'"), "trepctl status");
    }

    /// A duplication ended by a pipe with no blank between them is still a duplication.
    #[test]
    fn a_duplication_glued_to_a_pipe_is_cut_off() {
        assert_eq!(
            command("trepctl status 2>&1| tee /tmp/status.log"),
            "trepctl status"
        );
    }

    /// A word after a redirection's target is an argument of the command (bash runs
    /// `trepctl offline -service beta`), so the line is kept whole rather than read as
    /// `trepctl offline`.
    #[test]
    fn a_word_after_a_redirection_target_keeps_the_line_whole() {
        let line = "trepctl offline > /tmp/out.log -service beta";
        assert_eq!(command(line), line);
    }

    /// Digits at the end of a word are part of it, not a descriptor: bash runs
    /// `trepctl status2` with its output saved, so the line is not read as `trepctl status`.
    #[test]
    fn digits_ending_a_word_before_a_redirection_stay_in_the_word() {
        for line in [
            "trepctl status2>/tmp/out.log",
            "trepctl offline x1>/dev/null",
        ] {
            assert_eq!(command(line), line, "{line}");
        }
    }

    /// A quoted `2` is an argument, not standard error: bash runs `trepctl offline 2` for
    /// each of these lines, so none is cut down to `trepctl offline`.
    #[test]
    fn a_quoted_digit_before_a_redirection_is_an_argument() {
        for line in [
            "trepctl offline > /tmp/a.log '2'>/tmp/b.log",
            "trepctl offline > /tmp/a.log \"1\">/tmp/b.log",
            "trepctl offline > /tmp/a.log 2''>/tmp/b.log",
        ] {
            assert_eq!(command(line), line, "{line}");
        }
        // A quote in one word does not make the next word's digit a quoted one.
        assert_eq!(
            command("trepctl offline > '/tmp/a.log' 2>/dev/null"),
            "trepctl offline"
        );
    }
}
