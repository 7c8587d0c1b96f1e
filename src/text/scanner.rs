use super::{ParseError, Span};

/// A cursor over one line of text that knows its line number, so that every error it makes
/// is located. Parsers for `ls` rows, commands and runbook steps are written on top of it.
#[derive(Debug, Clone)]
pub(crate) struct Scanner<'a> {
    line: &'a str,
    line_number: usize,
    pos: usize,
    end: usize,
}

impl<'a> Scanner<'a> {
    /// A scanner at the start of `line`, which is line `line_number` (1-based) of its input.
    pub(crate) fn new(line: &'a str, line_number: usize) -> Self {
        Self {
            line,
            line_number,
            pos: 0,
            end: line.len(),
        }
    }

    /// A scanner over the bytes `start..end` of `line` (both char boundaries; anything else
    /// falls back to the whole line), so that columns stay those of the whole line.
    pub(crate) fn within(line: &'a str, line_number: usize, start: usize, end: usize) -> Self {
        let valid = start <= end
            && end <= line.len()
            && line.is_char_boundary(start)
            && line.is_char_boundary(end);
        let (pos, end) = if valid { (start, end) } else { (0, line.len()) };
        Self {
            line,
            line_number,
            pos,
            end,
        }
    }

    /// The byte offset of the cursor in the line.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Move the cursor forward to byte `pos` (ignored unless it is a char boundary between
    /// the cursor and the end).
    pub(crate) fn advance_to(&mut self, pos: usize) {
        if pos >= self.pos && pos <= self.end && self.line.is_char_boundary(pos) {
            self.pos = pos;
        }
    }

    /// The whole line.
    pub(crate) fn line(&self) -> &'a str {
        self.line
    }

    /// The text from the cursor to the end of the line.
    pub(crate) fn rest(&self) -> &'a str {
        self.line.get(self.pos..self.end).unwrap_or("")
    }

    /// Whether only blanks remain.
    pub(crate) fn at_end(&self) -> bool {
        self.rest().trim().is_empty()
    }

    /// Skip spaces and tabs.
    pub(crate) fn skip_blanks(&mut self) {
        let rest = self.rest();
        let trimmed = rest.trim_start_matches([' ', '\t']);
        self.pos += rest.len() - trimmed.len();
    }

    /// Consume `token` if the text at the cursor starts with it (exact case).
    pub(crate) fn eat(&mut self, token: &str) -> bool {
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    /// Consume `token` or fail saying it was expected.
    pub(crate) fn require(&mut self, token: &str) -> Result<(), ParseError> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(self.error_here(format!("`{token}`")))
        }
    }

    /// Consume the longest run of characters satisfying `pred` and return it with its start.
    pub(crate) fn take_while(&mut self, pred: impl Fn(char) -> bool) -> (usize, &'a str) {
        let start = self.pos;
        let rest = self.rest();
        let len = rest.find(|c: char| !pred(c)).unwrap_or(rest.len());
        self.pos += len;
        (start, self.line.get(start..self.pos).unwrap_or(""))
    }

    /// Consume text up to (not including) the first `stop` character; `None` if there is none.
    pub(crate) fn take_until(&mut self, stop: char) -> Option<(usize, &'a str)> {
        let start = self.pos;
        let len = self.rest().find(stop)?;
        self.pos += len;
        Some((start, self.line.get(start..self.pos).unwrap_or("")))
    }

    /// Consume the rest of the line.
    pub(crate) fn take_rest(&mut self) -> (usize, &'a str) {
        let start = self.pos;
        self.pos = self.end;
        (start, self.line.get(start..self.end).unwrap_or(""))
    }

    /// The 1-based character column of byte offset `pos`.
    pub(crate) fn column_of(&self, pos: usize) -> usize {
        let pos = pos.min(self.line.len());
        self.line
            .get(..pos)
            .map_or(pos, |prefix| prefix.chars().count())
            + 1
    }

    /// A span over the bytes `start..end` of the line.
    pub(crate) fn span(&self, start: usize, end: usize) -> Span {
        let len = self
            .line
            .get(start..end.max(start))
            .map_or(1, |s| s.chars().count());
        Span::new(self.line_number, self.column_of(start), len)
    }

    /// An error over `start..end` saying what was expected; what was found is quoted from the
    /// text (or described as the end of the line).
    pub(crate) fn error_at(
        &self,
        start: usize,
        end: usize,
        expected: impl Into<String>,
    ) -> ParseError {
        let found = match self.line.get(start..end) {
            Some(text) if !text.is_empty() => format!("`{text}`"),
            _ => describe_next(self.line.get(start..self.end).unwrap_or("")),
        };
        ParseError::new(self.span(start, end), expected, found, self.line)
    }

    /// An error at the cursor covering the next word (or the end of the line).
    pub(crate) fn error_here(&self, expected: impl Into<String>) -> ParseError {
        let rest = self.rest();
        let word_len = rest
            .char_indices()
            .find(|&(i, c)| i > 0 && (c.is_whitespace() || "()[],=|:".contains(c)))
            .map_or(rest.len(), |(i, _)| i);
        let word_len = if word_len == 0 {
            rest.chars().next().map_or(0, char::len_utf8)
        } else {
            word_len
        };
        self.error_at(self.pos, self.pos + word_len, expected)
    }
}

/// How an error names what it found at the end of a fragment.
fn describe_next(rest: &str) -> String {
    match rest.chars().next() {
        None => "the end of the line".to_owned(),
        Some(c) => format!("`{c}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cursor only moves forward, to a character boundary inside the line.
    #[test]
    fn advance_to_moves_forward_within_the_line_only() {
        let mut s = Scanner::new("aé bc", 1);
        s.advance_to(4);
        assert_eq!(s.pos(), 4);
        for refused in [1, 2, 99] {
            // Backwards, inside `é`, past the end.
            s.advance_to(refused);
            assert_eq!(s.pos(), 4, "{refused}");
        }
        s.advance_to(6);
        assert_eq!(s.pos(), 6);
    }

    #[test]
    fn columns_count_characters() {
        let s = Scanner::new("é(x", 3);
        assert_eq!(s.column_of(2), 2);
        assert_eq!(s.span(2, 3), Span::new(3, 2, 1));
    }

    #[test]
    fn error_here_covers_the_next_word() {
        let mut s = Scanner::new("set policy automatik now", 1);
        s.eat("set policy ");
        let e = s.error_here("a policy");
        assert_eq!(e.span(), Span::new(1, 12, 9));
        assert_eq!(e.found(), "`automatik`");
    }

    #[test]
    fn error_at_end_of_line_says_so() {
        let mut s = Scanner::new("db1(", 1);
        s.eat("db1(");
        let e = s.error_here("a role");
        assert_eq!(e.found(), "the end of the line");
        assert_eq!(e.span().column, 5);
    }
}
