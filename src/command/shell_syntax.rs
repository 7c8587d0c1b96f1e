//! Which characters of a shell line bash reads as syntax (a `;`, a `|`, a comment's `#`):
//! those outside quotes (`'..'`, `".."`, and ANSI-C `$'..'`, where a backslash escapes the
//! closing quote), not escaped by a backslash, and outside a parameter expansion (`${..}`).
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

/// Where the scan is: what the characters read are inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Inside {
    Nothing,
    SingleQuotes,
    DoubleQuotes,
    AnsiCQuotes,
    /// A parameter expansion, with how many braces are open.
    Expansion(u32),
    /// A quote inside a parameter expansion (`${x:-'}'}`): its quote character, and how many
    /// braces are open around it.
    QuotedInExpansion(char, u32),
}

/// The characters of `line` that bash reads as syntax, in order (see the module docs). An
/// escaped character, and everything quoted or inside `${..}`, is left out.
pub(crate) fn bare(line: &str) -> impl Iterator<Item = Bare> + '_ {
    let mut chars = line.char_indices().peekable();
    let mut inside = Inside::Nothing;
    let mut blank_before = true;
    std::iter::from_fn(move || {
        loop {
            let (at, c) = chars.next()?;
            let word_start = blank_before;
            blank_before = false;
            let next = chars.peek().map(|&(_, n)| n);
            match (inside, c) {
                // An escaped character is a literal one, inside double or ANSI-C quotes too.
                (
                    Inside::Nothing
                    | Inside::DoubleQuotes
                    | Inside::AnsiCQuotes
                    | Inside::Expansion(_)
                    | Inside::QuotedInExpansion('"', _),
                    '\\',
                ) => {
                    chars.next();
                }
                (Inside::Nothing, '\'') => inside = Inside::SingleQuotes,
                (Inside::Nothing, '"') => inside = Inside::DoubleQuotes,
                (Inside::Nothing, '$') if next == Some('\'') => {
                    chars.next();
                    inside = Inside::AnsiCQuotes;
                }
                (Inside::Nothing, '$') if next == Some('{') => {
                    chars.next();
                    inside = Inside::Expansion(1);
                }
                (Inside::Nothing, c) => {
                    blank_before = c.is_whitespace();
                    return Some(Bare { at, c, word_start });
                }
                (Inside::SingleQuotes | Inside::AnsiCQuotes, '\'')
                | (Inside::DoubleQuotes, '"') => inside = Inside::Nothing,
                // bash reads quotes inside an expansion: a `}` they hold closes nothing.
                (Inside::Expansion(open), '\'' | '"') => {
                    inside = Inside::QuotedInExpansion(c, open);
                }
                (Inside::QuotedInExpansion(quote, open), c) if c == quote => {
                    inside = Inside::Expansion(open);
                }
                (Inside::Expansion(open), '{') => inside = Inside::Expansion(open + 1),
                (Inside::Expansion(open), '}') => {
                    inside = if open > 1 {
                        Inside::Expansion(open - 1)
                    } else {
                        Inside::Nothing
                    };
                }
                _ => {}
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::bare;

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
