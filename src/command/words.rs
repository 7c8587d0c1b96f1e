//! A cursor over the words of one command line, for the command parsers.

use crate::model::{HostName, NameError, ServiceName};
use crate::text::{ParseError, Span};

/// The words of a line (maximal runs of non-blank characters) with their byte ranges.
#[derive(Debug, Clone)]
pub(crate) struct Words<'a> {
    line: &'a str,
    number: usize,
    spans: Vec<(usize, usize)>,
    at: usize,
    /// The program whose keywords match only as spelt, not in any case (see
    /// [`Self::set_exact`]); `None` for any case.
    exact: Option<&'static str>,
    /// Whether each word is read as a shell passes it on, without a pair of quotes around it
    /// (see [`Self::set_shell_quotes`]).
    shell_quotes: bool,
}

impl<'a> Words<'a> {
    /// The words of `line`, which is line `number` of its input.
    pub(crate) fn new(line: &'a str, number: usize) -> Self {
        let mut spans = Vec::new();
        let mut start = None;
        for (i, c) in line.char_indices() {
            match (c.is_whitespace(), start) {
                (false, None) => start = Some(i),
                (true, Some(s)) => {
                    spans.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            spans.push((s, line.len()));
        }
        Self {
            line,
            number,
            spans,
            at: 0,
            exact: None,
            shell_quotes: false,
        }
    }

    /// Read every word from now on as a shell passes it to the program it runs (`true`), or as
    /// typed (`false`, the default); returns the setting it replaces, to put back. The shell
    /// drops a pair of single or double quotes around a word before the program sees it, so
    /// `-host 'db2'`, `-seqno '100'` and `-state "ONLINE"` reach trepctl as `-host db2`,
    /// `-seqno 100` and `-state ONLINE`: every word of a trepctl line is read so, the option
    /// words too, in this one place rather than option by option (operators' reviews found
    /// quoted values read with their quotes and refused, helper-135 and helper-138 R1).
    ///
    /// Only a pair around the whole word is dropped; a word quoted in part (`thl://'db1'/`),
    /// or holding a quote the shell would read otherwise, is read as typed, and its value's
    /// own checks refuse it. An error inside a word still points into the quotes.
    pub(crate) fn set_shell_quotes(&mut self, on: bool) -> bool {
        std::mem::replace(&mut self.shell_quotes, on)
    }

    /// The byte range of word `i` as the program reads it: its span, without a pair of quotes
    /// around it where [`Self::set_shell_quotes`] is on.
    fn value_range(&self, i: usize) -> Option<(usize, usize)> {
        let &(s, e) = self.spans.get(i)?;
        if self.shell_quotes
            && let Some(word) = self.line.get(s..e)
            && word.len() >= 2
            && ['\'', '"']
                .iter()
                .any(|&q| word.starts_with(q) && word.ends_with(q))
        {
            // Both quotes are one byte each, so the inner range is on character boundaries.
            return Some((s + 1, e - 1));
        }
        Some((s, e))
    }

    /// How many characters of word `i` come before what the program reads of it (1 past an
    /// opening quote [`Self::set_shell_quotes`] drops, else 0).
    fn quote_offset(&self, i: usize) -> usize {
        match (self.spans.get(i), self.value_range(i)) {
            (Some(&(s, _)), Some((v, _))) => v - s,
            _ => 0,
        }
    }

    /// Match keywords ([`Self::eat`], [`Self::one_of`]) only as spelt from now on, as
    /// `program` reads them (`Some`, named in errors), or in any case (`None`, the default);
    /// returns the setting it replaces, to put back. cctrl reads its words in any case;
    /// trepctl compares its command and option words with Java's `equals` (open-source
    /// `OpenReplicatorManagerCtrl`), so `trepctl ONLINE` is an unknown command there and does
    /// nothing.
    pub(crate) fn set_exact(&mut self, program: Option<&'static str>) -> Option<&'static str> {
        std::mem::replace(&mut self.exact, program)
    }

    /// Whether `word` is `keyword`: as spelt, or in any case (see [`Self::set_exact`]).
    fn is_keyword(&self, word: &str, keyword: &str) -> bool {
        if self.exact.is_some() {
            word == keyword
        } else {
            word.eq_ignore_ascii_case(keyword)
        }
    }

    /// The next word without taking it (as the program reads it: see
    /// [`Self::set_shell_quotes`]).
    pub(crate) fn peek(&self) -> Option<&'a str> {
        self.value_range(self.at)
            .and_then(|(s, e)| self.line.get(s..e))
    }

    /// The byte offset in the line of the next word, if one is left.
    pub(crate) fn next_offset(&self) -> Option<usize> {
        self.spans.get(self.at).map(|&(s, _)| s)
    }

    /// Take the next word.
    pub(crate) fn next(&mut self) -> Option<&'a str> {
        let word = self.peek()?;
        self.at += 1;
        Some(word)
    }

    /// Take every word left: what follows changes nothing the caller reads.
    pub(crate) fn skip_rest(&mut self) {
        while self.next().is_some() {}
    }

    /// Whether no word is left.
    pub(crate) fn is_empty(&self) -> bool {
        self.at >= self.spans.len()
    }

    /// Take the next word if it is `keyword` (in any case, unless [`Self::set_exact`]).
    pub(crate) fn eat(&mut self, keyword: &str) -> bool {
        if self.peek().is_some_and(|w| self.is_keyword(w, keyword)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// The span of the word at index `i`, or just past the end of the line.
    fn span_of(&self, i: usize) -> Span {
        match self.spans.get(i) {
            Some(&(s, e)) => Span::new(
                self.number,
                self.line[..s].chars().count() + 1,
                self.line[s..e].chars().count(),
            ),
            None => Span::new(self.number, self.line.trim_end().chars().count() + 1, 1),
        }
    }

    /// An error at the word just taken (or the next one if none was taken yet).
    pub(crate) fn error_previous(&self, expected: impl Into<String>) -> ParseError {
        let i = self.at.saturating_sub(1);
        self.error_word(i, expected)
    }

    /// An error at the next word, or at the end of the line.
    pub(crate) fn error_next(&self, expected: impl Into<String>) -> ParseError {
        self.error_word(self.at, expected)
    }

    fn error_word(&self, i: usize, expected: impl Into<String>) -> ParseError {
        let found = match self.spans.get(i).and_then(|&(s, e)| self.line.get(s..e)) {
            Some(word) => format!("`{word}`"),
            None => "the end of the command".to_owned(),
        };
        ParseError::new(self.span_of(i), expected, found, self.line)
    }

    /// An error covering the characters `offset..offset + len` of the word just taken, as the
    /// program reads it (counted past a quote [`Self::set_shell_quotes`] drops).
    pub(crate) fn error_inside_previous(
        &self,
        offset: usize,
        len: usize,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> ParseError {
        let previous = self.at.saturating_sub(1);
        let mut span = self.span_of(previous);
        span.column += self.quote_offset(previous) + offset;
        span.len = len.max(1);
        ParseError::new(span, expected, found, self.line)
    }

    /// Take the next word, which must be one of `choices` (in any case, unless
    /// [`Self::set_exact`]); returns the choice as spelt in `choices`. `what` names the kind of
    /// word for the error.
    pub(crate) fn one_of(
        &mut self,
        choices: &[&'static str],
        what: &str,
    ) -> Result<&'static str, ParseError> {
        self.take_choice(choices).ok_or_else(|| {
            self.miscased(choices)
                .unwrap_or_else(|| self.error_next(expect_list(what, choices)))
        })
    }

    /// Where keywords match only as spelt ([`Self::set_exact`]) and the next word is one of
    /// `known` in another case, the error that names its spelling.
    pub(crate) fn miscased<'k>(
        &self,
        known: impl IntoIterator<Item = &'k &'static str>,
    ) -> Option<ParseError> {
        let program = self.exact?;
        let word = self.peek()?;
        let spelt = known
            .into_iter()
            .find(|k| k.eq_ignore_ascii_case(word) && **k != word)?;
        Some(self.error_next(format!(
            "`{spelt}`, spelt so ({program} reads its command and option words case by case, and knows no `{word}`)"
        )))
    }

    /// The next word, if it is one of `choices` (in any case, unless [`Self::set_exact`]),
    /// taken.
    fn take_choice(&mut self, choices: &[&'static str]) -> Option<&'static str> {
        let found = self
            .peek()
            .and_then(|w| choices.iter().find(|c| self.is_keyword(w, c)).copied());
        if found.is_some() {
            self.at += 1;
        }
        found
    }

    /// [`Self::one_of`], whose error says `expected` as given, not a list of `choices` (a
    /// command that also takes words read elsewhere names them all there).
    pub(crate) fn one_of_described(
        &mut self,
        choices: &[&'static str],
        expected: &str,
    ) -> Result<&'static str, ParseError> {
        self.take_choice(choices).ok_or_else(|| {
            self.miscased(choices)
                .unwrap_or_else(|| self.error_next(expected))
        })
    }

    /// The end of the command: no word may be left.
    pub(crate) fn end(&self) -> Result<(), ParseError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self.error_next("the end of the command"))
        }
    }

    /// How many characters of the word just taken (as the program reads it) come before
    /// `piece`, a slice of it. A `piece` that is not a slice of that word (a copy, say) counts
    /// from the word's start: callers pass slices.
    fn chars_before_in_previous(&self, piece: &str) -> usize {
        let Some(previous) = self
            .value_range(self.at.saturating_sub(1))
            .and_then(|(s, e)| self.line.get(s..e))
        else {
            return 0;
        };
        let start = piece.as_ptr().addr().wrapping_sub(previous.as_ptr().addr());
        previous
            .get(..start)
            .map_or(0, |before| before.chars().count())
    }

    /// Take the next word as a host name.
    pub(crate) fn host(&mut self, what: &str) -> Result<HostName, ParseError> {
        let Some(word) = self.next() else {
            return Err(self.error_next(format!("{what} (a host name)")));
        };
        HostName::new(word).map_err(|e| self.name_error(word, &e, what))
    }

    /// Take the next word as a service name.
    pub(crate) fn service(&mut self, what: &str) -> Result<ServiceName, ParseError> {
        let Some(word) = self.next() else {
            return Err(self.error_next(format!("{what} (a service name)")));
        };
        ServiceName::new(word).map_err(|e| self.name_error(word, &e, what))
    }

    /// The error for a name that failed validation, with the caret on the bad character.
    /// `word` is the word just taken or a piece of it (the host of `east/db1`, the name of
    /// `connector@db1`): the caret counts from where that piece starts.
    pub(crate) fn name_error(&self, word: &str, e: &NameError, what: &str) -> ParseError {
        match e {
            NameError::BadCharacter {
                character,
                position,
                ..
            } => self.error_inside_previous(
                self.chars_before_in_previous(word) + position.saturating_sub(1),
                1,
                format!(
                    "{what}: letters, digits, `-`, `_` or `.`, starting with a letter or digit"
                ),
                format!("`{character}` in `{word}`"),
            ),
            _ => self.error_previous(format!("{what}: {e}")),
        }
    }
}

/// `what (a, b or c)`, or `` `a`, `b` or `c` `` when `what` is empty.
pub(crate) fn expect_list(what: &str, choices: &[&str]) -> String {
    if what.is_empty() {
        let quoted: Vec<String> = choices.iter().map(|c| format!("`{c}`")).collect();
        return crate::text::series(&quoted, "or");
    }
    if choices.is_empty() {
        return what.to_owned();
    }
    format!("{what} ({})", crate::text::series(choices, "or"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_errors_are_located() {
        let mut w = Words::new("  set  polcy x", 4);
        assert!(w.eat("SET"));
        let e = w.one_of(&["policy", "force"], "a setting").unwrap_err();
        assert_eq!(e.span(), Span::new(4, 8, 5));
        assert_eq!(e.found(), "`polcy`");
        w.next();
        w.next();
        let e = w.error_next("more");
        assert_eq!(e.found(), "the end of the command");
        assert_eq!(e.span().column, 15);
    }

    #[test]
    fn choices_read_as_a_list() {
        assert_eq!(expect_list("", &["a"]), "`a`");
        assert_eq!(expect_list("", &["a", "b", "c"]), "`a`, `b` or `c`");
        assert_eq!(expect_list("", &[]), "");
        assert_eq!(expect_list("a mode", &["on"]), "a mode (on)");
        assert_eq!(expect_list("a mode", &["on", "off"]), "a mode (on or off)");
        assert_eq!(expect_list("a mode", &[]), "a mode");
    }
}
