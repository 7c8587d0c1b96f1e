use std::fmt;

use serde::{Deserialize, Serialize};

/// A place in a text: 1-based line, 1-based column (in characters) and a length in characters.
///
/// Columns count Unicode scalar values, so a caret drawn under [`Span::column`] lines up with
/// what a terminal shows for ASCII and most other text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    /// Line number, starting at 1.
    pub line: usize,
    /// Column of the first character, starting at 1.
    pub column: usize,
    /// Number of characters covered; at least 1 so a caret is always drawn.
    pub len: usize,
}

impl Span {
    /// A span of `len` characters (at least one) starting at `line`, `column`.
    #[must_use]
    pub fn new(line: usize, column: usize, len: usize) -> Self {
        Self {
            line,
            column,
            len: len.max(1),
        }
    }
}

/// Text that could not be read: where, what was expected there and what was found.
///
/// Produced by every parser in the crate (`ls` listings, commands, runbooks). The error keeps
/// the offending line so that [`ParseError::caret`] can show it with a caret under the bad
/// part, in the style of `rustc` and `regex-syntax`:
///
/// ```
/// use tungsten_model::ls::Listing;
///
/// let err = "COORDINATOR[db1:AUTOMATIK:ONLINE]".parse::<Listing>().unwrap_err();
/// assert_eq!(err.span().line, 1);
/// assert_eq!(err.span().column, 17);
/// assert!(err.caret().contains("^^^^^^^^^"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("line {line}, column {column}: expected {expected}, found {found}{note}", line = span.line, column = span.column, found = shortened(found), note = lookalike_note(found).map(|n| format!("; {n}")).unwrap_or_default())]
pub struct ParseError {
    span: Span,
    expected: String,
    found: String,
    source_line: String,
}

impl ParseError {
    /// An error at `span` in `source_line`: `expected` says what would have been valid there,
    /// `found` what the text held instead (already quoted or described, e.g. `` `ONLIEN` `` or
    /// "the end of the input").
    #[must_use]
    pub fn new(
        span: Span,
        expected: impl Into<String>,
        found: impl Into<String>,
        source_line: impl Into<String>,
    ) -> Self {
        Self {
            span,
            expected: expected.into(),
            found: found.into(),
            source_line: source_line.into(),
        }
    }

    /// Where the error is.
    #[must_use]
    pub fn span(&self) -> Span {
        self.span
    }

    /// What would have been valid at [`ParseError::span`].
    #[must_use]
    pub fn expected(&self) -> &str {
        &self.expected
    }

    /// What the text held instead.
    #[must_use]
    pub fn found(&self) -> &str {
        &self.found
    }

    /// The whole line the error is on, as it was in the input.
    #[must_use]
    pub fn source_line(&self) -> &str {
        &self.source_line
    }

    /// The same error moved down by `lines` lines: used when a parser reads a fragment that
    /// starts part-way through a larger text (a listing inside a runbook, say). The line
    /// stops at `usize::MAX` (an error read from JSON may hold any line; shifting one near the
    /// top overflowed, a panic in debug builds).
    #[must_use]
    pub fn shifted(mut self, lines: usize) -> Self {
        self.span.line = self.span.line.saturating_add(lines);
        self
    }

    /// The same error placed at `span` on `source_line`: used when an error found in text
    /// joined from several lines is mapped back to the line it came from.
    #[must_use]
    pub(crate) fn relocated(mut self, span: Span, source_line: &str) -> Self {
        self.span = span;
        source_line.clone_into(&mut self.source_line);
        self
    }

    /// The same error shown against `source_line` (the line as it was typed, when the error
    /// was found in a padded or joined copy of it).
    #[must_use]
    pub(crate) fn on_line(mut self, source_line: &str) -> Self {
        source_line.clone_into(&mut self.source_line);
        self
    }

    /// When what was found holds a typographic character that stands in for an ASCII one
    /// (a dash for `-`, curly quotes for `"` or `'`), a sentence naming it and what to type
    /// instead. Web pages and word processors print commands with such characters; a shell,
    /// cctrl and trepctl read them as other characters, so the command fails there too.
    ///
    /// ```
    /// use tungsten_model::command::HostCommand;
    ///
    /// let err = "trepctl online \u{2013}from-event 1".parse::<HostCommand>().unwrap_err();
    /// assert!(err.note().unwrap().contains("U+2013"));
    /// assert!(err.caret().contains("= note:"));
    /// ```
    #[must_use]
    pub fn note(&self) -> Option<String> {
        lookalike_note(&self.found)
    }

    /// A multi-line rendering with the offending line and a caret under the bad part.
    ///
    /// ```text
    /// error: expected a policy (AUTOMATIC, MANUAL, MAINTENANCE), found `AUTOMATIK`
    ///  --> line 1, column 17
    ///   |
    /// 1 | COORDINATOR[db1:AUTOMATIK:ONLINE]
    ///   |                 ^^^^^^^^^
    /// ```
    #[must_use]
    pub fn caret(&self) -> String {
        Caret(self).to_string()
    }
}

struct Caret<'a>(&'a ParseError);

impl fmt::Display for Caret<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.0;
        let number = e.span.line.to_string();
        let gutter = " ".repeat(number.len());
        // Tabs would throw the caret off; show them as single blanks.
        let line: String = e
            .source_line
            .chars()
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        let width = line.chars().count();
        // A column past the end of the line is drawn right after it (a review found a column
        // far past it showing no line at all, and one near `usize::MAX` overflowing).
        let column = e.span.column.clamp(1, width + 1);
        // A caret past the end of the line (an unexpected end of line) goes right after it.
        let len = if column > width {
            1
        } else {
            e.span.len.min(width + 1 - column).max(1)
        };
        // A line longer than a terminal (a paste whose line breaks were lost) is shown around
        // the column only, cut ends marked `…`, and the caret no longer than what is shown
        // (a review of pasted listings found a 450-character line and caret echoed whole).
        let first = if column + WINDOW_AFTER <= WINDOW {
            0
        } else {
            column.saturating_sub(WINDOW - WINDOW_AFTER + 1)
        };
        let shown: String = line.chars().skip(first).take(WINDOW).collect();
        let cut_before = first > 0;
        let cut_after = first + WINDOW < width;
        let line = format!(
            "{}{shown}{}",
            if cut_before { "…" } else { "" },
            if cut_after { "…" } else { "" }
        );
        let column_shown = column - first + usize::from(cut_before);
        let len = len.min((first + WINDOW + 1).saturating_sub(column)).max(1);
        writeln!(
            f,
            "error: expected {}, found {}",
            e.expected,
            shortened(&e.found)
        )?;
        writeln!(
            f,
            "{gutter}--> line {}, column {}",
            e.span.line, e.span.column
        )?;
        writeln!(f, "{gutter} |")?;
        writeln!(f, "{number} | {line}")?;
        write!(
            f,
            "{gutter} | {}{}",
            " ".repeat(column_shown - 1),
            "^".repeat(len)
        )?;
        match e.note() {
            Some(note) => write!(f, "\n{gutter} = note: {note}"),
            None => Ok(()),
        }
    }
}

/// Typographic characters that stand in for ASCII ones when a command is copied from a web
/// page or a word processor, with what they stand in for, a name for each, and what to do.
const LOOKALIKES: &[(char, &str, &str, Fix)] = &[
    ('\u{2010}', "-", "a hyphen", Fix::Type),
    ('\u{2011}', "-", "a non-breaking hyphen", Fix::Type),
    ('\u{2012}', "-", "a figure dash", Fix::Type),
    ('\u{2013}', "-", "an en dash", Fix::Type),
    ('\u{2014}', "-", "an em dash", Fix::Type),
    ('\u{2212}', "-", "a minus sign", Fix::Type),
    ('\u{2018}', "'", "a left single quotation mark", Fix::Quote),
    ('\u{2019}', "'", "a right single quotation mark", Fix::Quote),
    ('\u{201C}', "\"", "a left double quotation mark", Fix::Quote),
    (
        '\u{201D}',
        "\"",
        "a right double quotation mark",
        Fix::Quote,
    ),
    ('\u{2026}', "...", "an ellipsis", Fix::Elided),
];

/// What a [`ParseError::note`] tells the reader to do about a typographic stand-in.
#[derive(Clone, Copy)]
enum Fix {
    /// Type the ASCII character instead.
    Type,
    /// A quotation mark: commands quote only what holds spaces, so most often the quotes go
    /// (a review found "type `\"` instead" leading to another error for
    /// `set policy "maintenance"`).
    Quote,
    /// An ellipsis marks text left out of the copy: write it in full.
    Elided,
}

/// The sentence [`ParseError::note`] gives for the first typographic stand-in in `found`.
fn lookalike_note(found: &str) -> Option<String> {
    found.chars().find_map(|c| {
        LOOKALIKES
            .iter()
            .find(|(lookalike, ..)| *lookalike == c)
            .map(|&(_, ascii, name, fix)| {
                let code = u32::from(c);
                let what = format!(
                    "`{c}` (U+{code:04X}) is {name}, not `{ascii}` (text copied from a web page or a word processor often holds one)"
                );
                match fix {
                    Fix::Type => format!("{what}; type `{ascii}` instead"),
                    Fix::Quote => format!(
                        "{what}; drop the quotes, or type `{ascii}` where the command needs quoting"
                    ),
                    Fix::Elided => format!(
                        "{what}, which in a copied command marks text left out: write it in full"
                    ),
                }
            })
    })
}

/// How many characters of a long line [`ParseError::caret`] shows, and how many of them at
/// least come from the error's column on.
const WINDOW: usize = 100;
const WINDOW_AFTER: usize = 30;
/// How many characters of what was found an error's message shows.
const FOUND_SHOWN: usize = 60;

/// `found` as a message shows it: whole up to [`FOUND_SHOWN`] characters, else cut there
/// with `…` (and its closing backtick kept, when it is quoted).
fn shortened(found: &str) -> std::borrow::Cow<'_, str> {
    if found.chars().count() <= FOUND_SHOWN {
        return std::borrow::Cow::Borrowed(found);
    }
    let head: String = found.chars().take(FOUND_SHOWN).collect();
    let quoted = found.starts_with('`') && found.ends_with('`');
    std::borrow::Cow::Owned(format!("{head}…{}", if quoted { "`" } else { "" }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A column far past the end of a short line is drawn right after it, the line shown
    /// (it showed `…` alone); one near `usize::MAX`, as an error read from JSON may hold,
    /// does not overflow (both found in review).
    #[test]
    fn a_column_past_the_end_is_drawn_after_the_line() {
        for column in [200, usize::MAX] {
            let e = ParseError::new(
                Span::new(3, column, 1),
                "`)`",
                "the end of the line",
                "db1(master:ONLINE",
            );
            let caret = e.caret();
            let lines: Vec<&str> = caret.lines().collect();
            assert_eq!(lines[3], "3 | db1(master:ONLINE", "{caret}");
            assert_eq!(lines[4], format!("  | {}^", " ".repeat(17)), "{caret}");
        }
    }

    /// Shifting an error down never overflows, whatever line it holds (one read from JSON
    /// may hold any; found by a library user's review).
    #[test]
    fn shifting_stops_at_the_last_line() {
        let e = ParseError::new(Span::new(usize::MAX - 1, 1, 1), "x", "y", "z");
        assert_eq!(e.clone().shifted(1).span().line, usize::MAX);
        assert_eq!(e.shifted(5).span().line, usize::MAX);
        let e = ParseError::new(Span::new(3, 1, 1), "x", "y", "z");
        assert_eq!(e.shifted(4).span().line, 7);
    }

    /// Commands copied from a web page hold dashes and curly quotes where the shell needs
    /// `-` and `"`; the error names the character and what to type (helper-91 F9).
    #[test]
    fn a_typographic_stand_in_is_named_with_what_to_type() {
        for &(c, ascii, name, _) in LOOKALIKES {
            let e = ParseError::new(
                Span::new(1, 16, 6),
                "an online option",
                format!("`{c}{c}from`"),
                format!("trepctl online {c}{c}from"),
            );
            let note = e
                .note()
                .unwrap_or_else(|| panic!("no note for U+{:04X}", u32::from(c)));
            assert!(
                note.contains(name) && note.contains(&format!("not `{ascii}`")),
                "{note}"
            );
            assert!(e.to_string().ends_with(&format!("; {note}")), "{e}");
            assert!(
                e.caret().ends_with(&format!("\n  = note: {note}")),
                "{}",
                e.caret()
            );
        }
        let plain = ParseError::new(Span::new(1, 16, 5), "an option", "`-from`", "x");
        assert_eq!(plain.note(), None);
        assert!(!plain.caret().contains("note"));
        insta::assert_snapshot!(
            ParseError::new(Span::new(2, 8, 3), "a policy", "`“x”`", "policy “x”").caret(),
            @r#"
        error: expected a policy, found `“x”`
         --> line 2, column 8
          |
        2 | policy “x”
          |        ^^^
          = note: `“` (U+201C) is a left double quotation mark, not `"` (text copied from a web page or a word processor often holds one); drop the quotes, or type `"` where the command needs quoting
        "#
        );
    }

    #[test]
    fn caret_sits_under_the_span() {
        let e = ParseError::new(Span::new(12, 5, 3), "a role", "`foo`", "|db1(foo:ONLINE) |");
        insta::assert_snapshot!(e.caret(), @r"
        error: expected a role, found `foo`
          --> line 12, column 5
           |
        12 | |db1(foo:ONLINE) |
           |     ^^^
        ");
        insta::assert_snapshot!(e.to_string(), @"line 12, column 5: expected a role, found `foo`");
    }

    #[test]
    fn caret_after_the_end_of_a_line_is_one_wide() {
        let e = ParseError::new(Span::new(1, 6, 4), "`)`", "the end of the line", "db1(x");
        insta::assert_snapshot!(e.caret(), @r"
        error: expected `)`, found the end of the line
         --> line 1, column 6
          |
        1 | db1(x
          |      ^
        ");
    }
}
