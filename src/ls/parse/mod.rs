//! Reading `cctrl ls` text into a [`Listing`].
//!
//! The text is first cut into rows (blank, border, content) so that borders, padding and
//! trailing blanks never reach the grammar; every content row is then read with a
//! [`Scanner`] over its place in the original line, so errors carry true columns.

mod grammar;
mod rows;

use std::str::FromStr;

use grammar::{
    COORDINATOR_LINE, Component, HEADER, Header, STATUS_LINE, component, coordinator, header,
    reason_line, router, site_coordinator, status_line,
};
use rows::{
    Kind, Row, component_keyword, is_ls_prompt, is_session_banner, is_session_tail, paren_depth,
};

use super::{
    DEFAULT_WIDTH, DataSourceBlock, DataSources, Layout, Listing, MAX_WIDTH, MemberBlock, RouterRow,
};
use crate::text::{ParseError, Scanner, Span};

impl FromStr for Listing {
    type Err = ParseError;

    /// Read `cctrl ls` output.
    ///
    /// # Errors
    /// A [`ParseError`] naming the line and column of the first thing that is not part of a
    /// listing, what was expected there and what was found.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        // A byte-order mark, as some editors write at the start of a file, is not text.
        Parser::new(text.strip_prefix('\u{feff}').unwrap_or(text)).listing()
    }
}

/// Whether `text`, printed as a composite listing's closing line, reads back as that line
/// and nothing else: the parser's own test for a summary ([`Parser::is_summary`]), on the one
/// line it would be, and not a closing line of a cctrl session, which the parser drops.
pub(super) fn reads_back_as_summary(text: &str) -> bool {
    if text.contains('\n') {
        return false;
    }
    let row = Row::classify(1, text);
    row.is_content()
        && row.text() == text
        && !row.is_boxed()
        && !row.is_block_row()
        && header(&mut row.scanner()).is_err()
        && !is_session_tail(text)
}

/// A block as read, before it is checked against its neighbours' kind.
enum Block {
    Physical(DataSourceBlock),
    Member(MemberBlock),
}

/// Which kind of datasource section the parser is in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Undecided,
    Physical,
    Composite,
}

struct Parser<'a> {
    rows: Vec<Row<'a>>,
    at: usize,
    width: Option<usize>,
    /// The border the width was read from.
    border_row: Option<Row<'a>>,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        let mut rows: Vec<Row<'a>> = text
            .split('\n')
            .enumerate()
            .map(|(i, line)| Row::classify(i + 1, line))
            .collect();
        // A whole cctrl session pasted around the listing: its banner before, its closing
        // prompt and `Exiting...` after, read as blank lines so that line numbers stay the
        // text's (found by an API review: a captured session did not parse).
        for row in rows
            .iter_mut()
            .take_while(|r| r.kind == Kind::Blank || is_session_banner(r.text()))
        {
            row.kind = Kind::Blank;
        }
        for row in rows
            .iter_mut()
            .rev()
            .take_while(|r| r.kind == Kind::Blank || is_session_tail(r.text()))
        {
            row.kind = Kind::Blank;
        }
        Self {
            rows,
            at: 0,
            width: None,
            border_row: None,
        }
    }

    fn peek(&self) -> Option<Row<'a>> {
        self.rows.get(self.at).copied()
    }

    fn skip_blanks(&mut self) {
        while self.peek().is_some_and(|r| r.kind == Kind::Blank) {
            self.at += 1;
        }
    }

    fn skip_blanks_and_borders(&mut self) {
        while let Some(row) = self.peek() {
            match row.kind {
                Kind::Blank => {}
                Kind::Border(width) => {
                    if self.width.is_none() {
                        self.width = Some(width);
                        self.border_row = Some(row);
                    }
                }
                Kind::Content { .. } => return,
            }
            self.at += 1;
        }
    }

    /// An error at the end of the input: the caret goes after the last non-blank line.
    fn end_error(&self, expected: impl Into<String>) -> ParseError {
        let last = self
            .rows
            .iter()
            .rev()
            .find(|r| r.kind != Kind::Blank)
            .or_else(|| self.rows.last());
        match last {
            Some(row) => {
                let column = row.raw.trim_end().chars().count() + 1;
                ParseError::new(
                    Span::new(row.number, column, 1),
                    expected,
                    "the end of the listing",
                    row.raw,
                )
            }
            None => ParseError::new(Span::new(1, 1, 1), expected, "the end of the listing", ""),
        }
    }

    /// The next non-blank row, which must be content.
    fn next_content(&mut self, expected: &str) -> Result<Row<'a>, ParseError> {
        self.skip_blanks();
        match self.peek() {
            None => Err(self.end_error(expected)),
            Some(row) if row.is_content() => {
                self.at += 1;
                Ok(row)
            }
            Some(row) => Err(row.error(expected)),
        }
    }

    fn listing(mut self) -> Result<Listing, ParseError> {
        self.skip_blanks();
        if self.peek().is_some_and(|r| is_ls_prompt(r.text())) {
            self.at += 1;
        }
        let row = self.next_content(COORDINATOR_LINE)?;
        let coordinator = coordinator(&mut row.scanner())?;
        let mut site_coordinators = Vec::new();
        loop {
            self.skip_blanks();
            match self.peek() {
                Some(row)
                    if row.text().contains(":COORDINATOR")
                        && !row.text().starts_with("COORDINATOR") =>
                {
                    site_coordinators.push(site_coordinator(&mut row.scanner())?);
                    self.at += 1;
                }
                _ => break,
            }
        }
        let routers = if self.peek().is_some_and(|r| r.text() == "ROUTERS:") {
            self.at += 1;
            Some(self.routers()?)
        } else {
            None
        };
        let expected = if routers.is_some() {
            "`DATASOURCES:`"
        } else {
            "`ROUTERS:` or `DATASOURCES:`"
        };
        let row = self.next_content(expected)?;
        if row.text() != "DATASOURCES:" {
            return Err(row.error(expected));
        }
        let datasources = self.datasources()?;
        // A border that frames nothing has no width to keep: the rendering draws borders only
        // around a ROUTERS section and around datasource blocks.
        let framed = routers.is_some()
            || !matches!(&datasources, DataSources::Physical(blocks) if blocks.is_empty());
        let width = self.width.filter(|_| framed).unwrap_or(DEFAULT_WIDTH);
        if width > MAX_WIDTH
            && let Some(row) = self.border_row
        {
            return Err(ParseError::new(
                Span::new(row.number, 1, row.raw.chars().count()),
                format!("a border at most {MAX_WIDTH} columns wide"),
                format!("a border of {width} columns"),
                row.raw,
            ));
        }
        Ok(Listing {
            layout: Layout { width },
            coordinator,
            site_coordinators,
            routers,
            datasources,
        })
    }

    fn routers(&mut self) -> Result<Vec<RouterRow>, ParseError> {
        let mut rows = Vec::new();
        loop {
            self.skip_blanks_and_borders();
            match self.peek() {
                None => return Err(self.end_error("a router row or `DATASOURCES:`")),
                Some(row) if row.text() == "DATASOURCES:" => return Ok(rows),
                Some(row) => {
                    rows.push(router(&mut row.scanner()).map_err(|e| {
                        if row.text().starts_with("connector@") {
                            e
                        } else {
                            row.error("a router row (`connector@<host>[<pid>](<state>, created=<n>, active=<n>)`) or `DATASOURCES:`")
                        }
                    })?);
                    self.at += 1;
                }
            }
        }
    }

    fn datasources(&mut self) -> Result<DataSources, ParseError> {
        let mut section = Section::Undecided;
        let mut physical = Vec::new();
        let mut members = Vec::new();
        let mut summary = None;
        loop {
            self.skip_blanks_and_borders();
            let Some(row) = self.peek() else { break };
            if section == Section::Composite && self.is_summary(row) {
                summary = Some(row.text().to_owned());
                self.at += 1;
                continue;
            }
            match self.block(section)? {
                Block::Physical(block) => {
                    section = Section::Physical;
                    physical.push(block);
                }
                Block::Member(block) => {
                    section = Section::Composite;
                    members.push(block);
                }
            }
        }
        Ok(match section {
            Section::Composite => DataSources::Composite { members, summary },
            _ => DataSources::Physical(physical),
        })
    }

    /// The closing line of a composite listing: unboxed text, the last non-blank line,
    /// neither a header nor a row of a block.
    fn is_summary(&self, row: Row<'a>) -> bool {
        let last = self.rows[self.at + 1..]
            .iter()
            .all(|r| r.kind == Kind::Blank);
        last && row.is_content()
            && !row.is_boxed()
            && !row.is_block_row()
            && header(&mut row.scanner()).is_err()
    }

    /// The header rows of a block starting at the cursor, joined when the header was wrapped.
    fn block(&mut self, section: Section) -> Result<Block, ParseError> {
        let Some(first) = self.peek() else {
            return Err(self.end_error(HEADER));
        };
        let mut parts = vec![first];
        let mut depth = paren_depth(first.text());
        self.at += 1;
        while depth > 0 {
            match self.peek() {
                Some(row) if row.is_content() && !row.is_block_row() => {
                    depth += paren_depth(row.text());
                    parts.push(row);
                    self.at += 1;
                }
                _ => break,
            }
        }
        let header = if let [row] = parts.as_slice() {
            header(&mut row.scanner()).map_err(|e| {
                if row.is_block_row() {
                    row.error(HEADER)
                } else {
                    e
                }
            })?
        } else {
            joined_header(&parts)?
        };
        match (&header, section) {
            (Header::Physical { .. }, Section::Composite) => {
                return Err(first
                    .error("a composite member header such as `east(composite master:ONLINE)`"));
            }
            (Header::Member { .. }, Section::Physical) => {
                return Err(first.error(HEADER));
            }
            _ => {}
        }
        self.skip_blanks_and_borders();
        let status = match self.peek() {
            None => return Err(self.end_error(STATUS_LINE)),
            Some(row) => {
                let status = status_line(&mut row.scanner())?;
                self.at += 1;
                status
            }
        };
        self.skip_blanks();
        let reason = match self.peek() {
            Some(row) if row.text().starts_with("REASON[") => {
                self.at += 1;
                Some(reason_line(&mut row.scanner())?)
            }
            _ => None,
        };
        match header {
            Header::Member {
                service,
                role,
                state,
            } => Ok(Block::Member(MemberBlock {
                service,
                role,
                state,
                status,
                reason,
            })),
            Header::Physical {
                host,
                role,
                state,
                progress,
            } => {
                let mut block = DataSourceBlock {
                    host,
                    role,
                    state,
                    progress,
                    status,
                    reason,
                    manager: None,
                    replicator: None,
                    dataserver: None,
                    connections: None,
                };
                self.components(&mut block)?;
                Ok(Block::Physical(block))
            }
        }
    }

    fn components(&mut self, block: &mut DataSourceBlock) -> Result<(), ParseError> {
        loop {
            self.skip_blanks_and_borders();
            let Some(row) = self.peek() else {
                return Ok(());
            };
            if component_keyword(row.text()).is_none() {
                return Ok(());
            }
            let twice = |what: &str| row.error(format!("one {what} row per datasource, not two"));
            match component(&mut row.scanner())? {
                Component::Manager(s) if block.manager.is_none() => block.manager = Some(s),
                Component::Replicator(r) if block.replicator.is_none() => {
                    block.replicator = Some(r);
                }
                Component::DataServer(s) if block.dataserver.is_none() => {
                    block.dataserver = Some(s);
                }
                Component::Connections(c) if block.connections.is_none() => {
                    block.connections = Some(c);
                }
                Component::Manager(_) => return Err(twice("MANAGER")),
                Component::Replicator(_) => return Err(twice("REPLICATOR")),
                Component::DataServer(_) => return Err(twice("DATASERVER")),
                Component::Connections(_) => return Err(twice("CONNECTIONS")),
            }
            self.at += 1;
        }
    }
}

/// A header wrapped over `parts`: joined with a blank (the usual break after a comma) or, if
/// that does not read, with nothing (a break inside a word). Errors point into the row they
/// fall in.
fn joined_header(parts: &[Row<'_>]) -> Result<Header, ParseError> {
    let mut first_error = None;
    for separator in [" ", ""] {
        let mut joined = String::new();
        // (char offset in `joined`, row)
        let mut segments = Vec::new();
        for (i, row) in parts.iter().enumerate() {
            if i > 0 {
                joined.push_str(separator);
            }
            segments.push((joined.chars().count(), *row));
            joined.push_str(row.text());
        }
        let number = parts.first().map_or(1, |r| r.number);
        match header(&mut Scanner::new(&joined, number)) {
            Ok(header) => return Ok(header),
            Err(e) => {
                if first_error.is_none() {
                    first_error = Some(relocate(e, &segments));
                }
            }
        }
    }
    Err(first_error.unwrap_or_else(|| ParseError::new(Span::new(1, 1, 1), HEADER, "nothing", "")))
}

/// Map an error in joined header text back to the row its column falls in.
fn relocate(e: ParseError, segments: &[(usize, Row<'_>)]) -> ParseError {
    let offset = e.span().column.saturating_sub(1);
    let Some(&(seg_start, row)) = segments.iter().rev().find(|(start, _)| *start <= offset) else {
        return e;
    };
    let content_start = match row.kind {
        Kind::Content { start, .. } => row.raw.get(..start).map_or(0, |p| p.chars().count()),
        _ => 0,
    };
    let column = content_start + (offset - seg_start) + 1;
    let span = Span::new(row.number, column, e.span().len);
    e.relocated(span, row.raw)
}
