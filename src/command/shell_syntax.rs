//! Which characters of a shell line bash reads as syntax (a `;`, a `|`, a comment's `#`):
//! those outside quotes (`'..'`, `".."`, and ANSI-C `$'..'`, where a backslash escapes the
//! closing quote), not escaped by a backslash, and outside a parameter expansion (`${..}`).
//! Inside double quotes or an expansion, a substitution (`$(..)`, backquotes, `${..}`) has
//! quotes of its own, followed to any depth up to [`MAX_NESTING`], past which the rest of the
//! line is bare (an independent review found `echo "${x:-"'"}";stopall` read as one quoted
//! word).
//! Every check that looks for a chain, a pipe or a comment reads the line through
//! [`bare`], so that a quote one of them missed cannot hide a second command from it: three
//! scanners of their own each let `cat $'\'';stopall` through (an independent review).

/// A character bash reads as syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bare {
    /// Its byte index in the line.
    pub(crate) at: usize,
    /// The character.
    pub(crate) c: char,
    /// Whether it starts a word: the line's start or an unquoted blank comes right before it.
    pub(crate) word_start: bool,
}

/// What the characters being read are inside, one level of nesting: quotes, and the
/// substitutions bash reads inside double quotes or an expansion, each with quotes of its
/// own (`"${x:-"'"}"`, `"$(echo "a")"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    SingleQuotes,
    DoubleQuotes,
    AnsiCQuotes,
    /// A parameter expansion: it ends at its first `}` that nothing inside it quotes or
    /// nests (bash counts no bare `{`: `${x:-a{b}c}` is `a{b` then `c}`; a nested `${..}`
    /// is a frame of its own).
    Expansion,
    /// A command substitution `$(..)` inside double quotes or an expansion, with how many
    /// parentheses are open. (Outside them its characters are left bare: the line-level
    /// checks read `$(` as a substitution.)
    Command(u32),
    /// A command substitution in backquotes inside double quotes or an expansion.
    Backquotes,
}

/// How deep quotes and substitutions nest before the scan gives up hiding anything: past it,
/// every later character is bare, so a line nested that deep is read as chaining commands
/// rather than let one through.
const MAX_NESTING: usize = 16;

/// The frames open at a point of the scan, innermost last (a fixed array: the scan runs on
/// every shell line and allocates nothing).
struct Frames {
    open: [Frame; MAX_NESTING],
    len: usize,
    /// Set once the nesting went past [`MAX_NESTING`].
    overflowed: bool,
}

impl Frames {
    fn top(&self) -> Option<Frame> {
        if self.overflowed {
            return None;
        }
        self.len
            .checked_sub(1)
            .and_then(|i| self.open.get(i))
            .copied()
    }

    fn push(&mut self, frame: Frame) {
        match self.open.get_mut(self.len) {
            Some(slot) => {
                *slot = frame;
                self.len += 1;
            }
            None => self.overflowed = true,
        }
    }

    fn pop(&mut self) {
        self.len = self.len.saturating_sub(1);
    }

    fn replace_top(&mut self, frame: Frame) {
        if let Some(slot) = self.len.checked_sub(1).and_then(|i| self.open.get_mut(i)) {
            *slot = frame;
        }
    }
}

/// The characters of `line` that bash reads as syntax, in order (see the module docs). An
/// escaped character, and everything quoted or inside `${..}`, is left out.
pub(crate) fn bare(line: &str) -> impl Iterator<Item = Bare> + '_ {
    let mut chars = line.char_indices().peekable();
    let mut frames = Frames {
        open: [Frame::SingleQuotes; MAX_NESTING],
        len: 0,
        overflowed: false,
    };
    let mut blank_before = true;
    std::iter::from_fn(move || {
        loop {
            let (at, c) = chars.next()?;
            let word_start = blank_before;
            blank_before = false;
            let next = chars.peek().map(|&(_, n)| n);
            let top = frames.top();
            // Where bash reads quotes and substitutions: everywhere but inside single and
            // ANSI-C quotes, and, for single quotes, inside double ones.
            let reads_quotes = !matches!(
                top,
                Some(Frame::SingleQuotes | Frame::AnsiCQuotes | Frame::DoubleQuotes)
            );
            let reads_substitutions =
                !matches!(top, Some(Frame::SingleQuotes | Frame::AnsiCQuotes));
            match (top, c) {
                (Some(Frame::SingleQuotes), '\\') => {}
                // An escaped character is a literal one, inside double or ANSI-C quotes too.
                (_, '\\') => {
                    chars.next();
                }
                (Some(Frame::SingleQuotes | Frame::AnsiCQuotes), '\'')
                | (Some(Frame::DoubleQuotes), '"')
                | (Some(Frame::Backquotes), '`')
                | (Some(Frame::Expansion), '}') => frames.pop(),
                (Some(Frame::SingleQuotes | Frame::AnsiCQuotes), _) => {}
                (_, '$') if next == Some('\'') && reads_quotes => {
                    chars.next();
                    frames.push(Frame::AnsiCQuotes);
                }
                (_, '$') if next == Some('{') && reads_substitutions => {
                    chars.next();
                    frames.push(Frame::Expansion);
                }
                (Some(_), '$') if next == Some('(') => {
                    chars.next();
                    frames.push(Frame::Command(1));
                }
                (Some(_), '`') => frames.push(Frame::Backquotes),
                (_, '\'') if reads_quotes => frames.push(Frame::SingleQuotes),
                (_, '"') if reads_quotes => frames.push(Frame::DoubleQuotes),
                (Some(Frame::Command(open)), '(') => frames.replace_top(Frame::Command(open + 1)),
                (Some(Frame::Command(open)), ')') => {
                    if open > 1 {
                        frames.replace_top(Frame::Command(open - 1));
                    } else {
                        frames.pop();
                    }
                }
                (None, c) => {
                    blank_before = c.is_whitespace();
                    return Some(Bare { at, c, word_start });
                }
                _ => {}
            }
        }
    })
}

/// Whether the backslash that ends `line` is a literal one, joining no lines: held by single
/// quotes (or ANSI-C ones) still open there, or escaped by a backslash before it outside them
/// (`echo a \\`). bash keeps it, and the line break after it, as typed (bash manual, *Single
/// Quotes*: every character between them keeps its literal value; *Escape Character*: a
/// backslash and a newline join lines only where the backslash escapes). `false` for a line
/// not ending in a backslash.
pub(crate) fn ends_in_literal_backslash(line: &str) -> bool {
    let Some(body) = line.strip_suffix('\\') else {
        return false;
    };
    // A quote in place of the backslash closes single quotes open there, or is escaped by a
    // backslash before it (helper-144 found `echo a \\` and `echo 'a \\` join the next
    // line, hiding its step): only then is the `;` after it bash's own.
    let probe = format!("{body}';");
    let last = probe.len() - 1;
    bare(&probe).any(|b| b.at == last && b.c == ';')
}

#[cfg(test)]
mod tests {
    use super::{bare, ends_in_literal_backslash};

    /// A backslash at the end continues the line, unless single quotes hold it or a backslash
    /// escapes it.
    #[test]
    fn a_literal_backslash_continues_nothing() {
        for (line, held) in [
            ("echo 'switch \\", true),
            ("echo $'a \\", true),
            ("trepctl \\", false),
            ("echo 'a' \\", false),
            ("echo \"a \\", false),
            ("echo \"it's \\", false),
            // Two backslashes: in single quotes both literal; outside, the first escapes the
            // second; three outside, the third escapes the line break (helper-144).
            ("echo 'a \\\\", true),
            ("echo a \\\\", true),
            ("echo a \\\\\\", false),
            ("echo \"a \\\\\\", false),
            ("echo 'a", false),
        ] {
            assert_eq!(ends_in_literal_backslash(line), held, "{line}");
        }
    }

    fn syntax(line: &str) -> String {
        bare(line).map(|b| b.c).collect()
    }

    /// Quotes of every kind, escapes and expansions hide what they hold; an escaped quote
    /// opens nothing, and an ANSI-C quote ends at its first unescaped `'` (`$'\''` is one
    /// quote character: the `;` after it is bash's).
    #[test]
    fn only_what_bash_reads_as_syntax_is_bare() {
        assert_eq!(syntax("a 'b;c' d"), "a  d");
        assert_eq!(syntax(r#"a "b\";c" d"#), "a  d");
        assert_eq!(syntax(r"cat \';stopall"), "cat ;stopall");
        assert_eq!(syntax(r"cat $'\'';stopall"), "cat ;stopall");
        assert_eq!(syntax(r"cat 'it\';stopall"), "cat ;stopall");
        assert_eq!(syntax("echo ${x:- # }; y"), "echo ; y");
        assert_eq!(syntax("echo ${a:-${b}};c"), "echo ;c");
        assert_eq!(syntax(r"a \\;b"), "a ;b");
        assert_eq!(syntax("echo ${x:-'}'};stopall"), "echo ;stopall");
        assert_eq!(syntax(r#"echo ${x:-"\"}"};stopall"#), "echo ;stopall");
        // bash counts no bare `{` inside an expansion: its first `}` ends it (`${x:-{}` is
        // `{`), and the `;` after it is bash's, quoted or not.
        assert_eq!(syntax("echo ${x:-{};stopall"), "echo ;stopall");
        assert_eq!(syntax(r#"echo "${x:-{}"; stopall"#), "echo ; stopall");
        assert_eq!(syntax("echo ${x:-a{b}c};stopall"), "echo c};stopall");
    }

    /// Quotes inside a substitution or an expansion that double quotes hold are the
    /// substitution's: the double quotes end after it, and a `;` after them is bash's (an
    /// independent review found each of these reading as one quoted word to the line's end).
    #[test]
    fn quotes_nest_inside_quoted_substitutions() {
        assert_eq!(syntax(r#"echo "$(echo "a")"; stopall"#), "echo ; stopall");
        assert_eq!(syntax(r#"echo "`echo "a"`"; stopall"#), "echo ; stopall");
        assert_eq!(syntax(r#"echo "${x:-"'"}"; stopall"#), "echo ; stopall");
        assert_eq!(syntax(r#"echo "$(echo ")" ; x)"; y"#), "echo ; y");
        // Single quotes and `$'` are literal inside double quotes.
        assert_eq!(syntax(r#"echo "it's"; y"#), "echo ; y");
        assert_eq!(syntax(r#"echo "$'x"; y"#), "echo ; y");
        // Past the deepest nesting followed, the rest is bare: read as chaining, never hidden.
        let deep = format!("echo {}x", "\"$(".repeat(20));
        assert!(syntax(&deep).ends_with('x'), "{}", syntax(&deep));
    }

    /// A `$` opens a quote only before `'` and an expansion only before `{`: after a plain
    /// variable or a command substitution, a `;` is still bash's.
    #[test]
    fn a_dollar_hides_only_a_quote_or_braces() {
        assert_eq!(syntax("cat $HOME;stopall"), "cat $HOME;stopall");
        assert_eq!(syntax("cat $(date);stopall"), "cat $(date);stopall");
    }

    /// A character starts a word after the line's start or an unquoted blank only.
    #[test]
    fn a_word_starts_after_a_bare_blank() {
        let starts: Vec<(char, bool)> = bare("#a b'x' #c\"d\"#")
            .filter(|b| b.c == '#')
            .map(|b| (b.c, b.word_start))
            .collect();
        assert_eq!(starts, [('#', true), ('#', true), ('#', false)]);
        let quoted_blank: Vec<bool> = bare("a' '#")
            .filter(|b| b.c == '#')
            .map(|b| b.word_start)
            .collect();
        assert_eq!(quoted_blank, [false]);
    }
}
