//! Reading `cctrl ls` text into a [`Listing`].
//!
//! The text is first cut into rows (blank, border, content) so that borders, padding and
//! trailing blanks never reach the grammar; every content row is then read with a
//! [`Scanner`] over its place in the original line, so errors carry true columns.

use std::fmt::Display;
use std::str::FromStr;

use strum::VariantArray;

use super::{
    Coordinator, DEFAULT_WIDTH, DataSourceBlock, DataSources, Layout, Listing, MemberBlock,
    Progress, ReplicatorRow, RouterRow, SiteCoordinator, StatusLine,
};
use crate::model::{
    AlertStatus, CompositeRole, Connections, ConnectorState, DataServerState, DataSourceRole,
    DataSourceState, HostName, Latency, ManagerState, PolicyMode, ReasonText, ReplicatorRole,
    ReplicatorState, Seqno, ServiceName, ShunReason, StatusTime,
};
use crate::text::{ParseError, Scanner, Span};

const COORDINATOR_LINE: &str = "a `COORDINATOR[<host>:<policy>:<state>]` line";
const HOST_NAME: &str = "a host name (letters, digits, `-`, `_` or `.`)";
const SERVICE_NAME: &str = "a service name (letters, digits, `-`, `_` or `.`)";
const HEADER: &str =
    "a datasource header such as `db1(master:ONLINE, progress=7, THL latency=0.271)`";
const STATUS_LINE: &str = "a `STATUS [<status>] [<time>]` line";
const NUMBER: &str = "a whole number";
const COMPONENTS: [&str; 4] = ["MANAGER", "REPLICATOR", "DATASERVER", "CONNECTIONS"];

impl FromStr for Listing {
    type Err = ParseError;

    /// Read `cctrl ls` output.
    ///
    /// # Errors
    /// A [`ParseError`] naming the line and column of the first thing that is not part of a
    /// listing, what was expected there and what was found.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Parser::new(text).listing()
    }
}

/// One line of input, classified.
#[derive(Debug, Clone, Copy)]
struct Row<'a> {
    /// 1-based line number.
    number: usize,
    /// The line without its line terminator.
    raw: &'a str,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Blank,
    /// `+----+`, with its width in columns.
    Border(usize),
    /// Text, as the byte range of the line it occupies once the `|` borders and the padding
    /// are taken off; `boxed` tells whether the line was drawn inside a box.
    Content {
        start: usize,
        end: usize,
        boxed: bool,
    },
}

impl<'a> Row<'a> {
    fn classify(number: usize, line: &'a str) -> Self {
        let raw = line.strip_suffix('\r').unwrap_or(line);
        let trimmed = raw.trim();
        let lead = raw.len() - raw.trim_start().len();
        let tail = lead + trimmed.len();
        let kind = if trimmed.is_empty() {
            Kind::Blank
        } else if trimmed.len() >= 2
            && trimmed.starts_with('+')
            && trimmed.ends_with('+')
            && trimmed[1..trimmed.len() - 1].bytes().all(|b| b == b'-')
        {
            Kind::Border(trimmed.chars().count())
        } else if let Some(inner) = trimmed.strip_prefix('|') {
            let inner = inner.strip_suffix('|').unwrap_or(inner);
            let inner_start = lead + 1;
            let start = inner_start + (inner.len() - inner.trim_start().len());
            let end = start + inner.trim().len();
            if start == end {
                Kind::Blank
            } else {
                Kind::Content {
                    start,
                    end,
                    boxed: true,
                }
            }
        } else {
            Kind::Content {
                start: lead,
                end: tail,
                boxed: false,
            }
        };
        Self { number, raw, kind }
    }

    /// The content text, or `""` for blanks and borders.
    fn text(&self) -> &'a str {
        match self.kind {
            Kind::Content { start, end, .. } => self.raw.get(start..end).unwrap_or(""),
            _ => "",
        }
    }

    fn is_content(&self) -> bool {
        matches!(self.kind, Kind::Content { .. })
    }

    fn is_boxed(&self) -> bool {
        matches!(self.kind, Kind::Content { boxed: true, .. })
    }

    /// A scanner over the content.
    fn scanner(&self) -> Scanner<'a> {
        match self.kind {
            Kind::Content { start, end, .. } => Scanner::within(self.raw, self.number, start, end),
            _ => Scanner::within(self.raw, self.number, 0, 0),
        }
    }

    /// An error covering the whole row.
    fn error(&self, expected: impl Into<String>) -> ParseError {
        let scanner = self.scanner();
        match self.kind {
            Kind::Content { start, end, .. } => scanner.error_at(start, end, expected),
            _ => {
                let width = self.raw.chars().count();
                let found = if self.raw.trim().is_empty() {
                    "a blank line".to_owned()
                } else {
                    format!("`{}`", self.raw.trim())
                };
                ParseError::new(Span::new(self.number, 1, width), expected, found, self.raw)
            }
        }
    }

    /// Whether the content starts with one of the keywords of the rows inside a block.
    fn is_block_row(&self) -> bool {
        let text = self.text();
        text.starts_with("STATUS")
            || text.starts_with("REASON[")
            || component_keyword(text).is_some()
    }
}

fn component_keyword(text: &str) -> Option<&'static str> {
    COMPONENTS.into_iter().find(|k| {
        text.strip_prefix(k)
            .is_some_and(|rest| rest.trim_start().starts_with('('))
    })
}

/// Net parenthesis depth of `text`: positive while some `(` is still open.
fn paren_depth(text: &str) -> isize {
    text.chars().fold(0, |d, c| match c {
        '(' => d + 1,
        ')' => d - 1,
        _ => d,
    })
}

/// `[LOGICAL] /alpha > ls`, `cctrl> ls`, `cctrl [east]> ls`: a prompt line copied with the
/// listing.
fn is_ls_prompt(text: &str) -> bool {
    text.rsplit_once('>').is_some_and(|(prompt, command)| {
        let prompt = prompt.trim_start();
        command.trim().eq_ignore_ascii_case("ls")
            && (prompt.starts_with('[') || prompt.starts_with("cctrl"))
    })
}

/// `what (A, B or C)` for an enum whose variants print as Tungsten spells them.
fn one_of<T: VariantArray + Display>(what: &str) -> String {
    let names: Vec<String> = T::VARIANTS.iter().map(ToString::to_string).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            format!("{what} ({} or {last})", rest.join(", "))
        }
        Some((last, _)) => format!("{what} ({last})"),
        None => what.to_owned(),
    }
}

/// Read `text` (at bytes `start..end` of the scanner's line) as one of `T`'s variants.
fn typed<T: FromStr + VariantArray + Display>(
    sc: &Scanner<'_>,
    start: usize,
    text: &str,
    what: &str,
) -> Result<T, ParseError> {
    text.trim()
        .parse()
        .map_err(|_| sc.error_at(start, start + text.len(), one_of::<T>(what)))
}

/// Read a run of letters (and `_`, `-`) at the cursor as one of `T`'s variants.
fn keyword<T: FromStr + VariantArray + Display>(
    sc: &mut Scanner<'_>,
    what: &str,
) -> Result<T, ParseError> {
    let (start, word) = sc.take_while(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if word.is_empty() {
        return Err(sc.error_here(one_of::<T>(what)));
    }
    typed(sc, start, word, what)
}

fn host_name(sc: &Scanner<'_>, start: usize, text: &str) -> Result<HostName, ParseError> {
    HostName::new(text)
        .map_err(|e| sc.error_at(start, start + text.len(), format!("{HOST_NAME}: {e}")))
}

fn service_name(sc: &Scanner<'_>, start: usize, text: &str) -> Result<ServiceName, ParseError> {
    ServiceName::new(text)
        .map_err(|e| sc.error_at(start, start + text.len(), format!("{SERVICE_NAME}: {e}")))
}

fn count(sc: &Scanner<'_>, start: usize, text: &str) -> Result<u64, ParseError> {
    let digits = text.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(sc.error_at(start, start + text.len(), NUMBER));
    }
    digits
        .parse()
        .map_err(|_| sc.error_at(start, start + text.len(), "a number that fits in 64 bits"))
}

fn expect_end(sc: &mut Scanner<'_>) -> Result<(), ParseError> {
    sc.skip_blanks();
    if sc.at_end() {
        Ok(())
    } else {
        let (start, rest) = sc.take_rest();
        Err(sc.error_at(start, start + rest.trim_end().len(), "the end of the row"))
    }
}

/// `key=value, key=value)`: the arguments of a component row or a router row, up to and
/// including the closing parenthesis. Values run to the next `,` or `)`.
fn key_values<'a>(
    sc: &mut Scanner<'a>,
) -> Result<Vec<(usize, &'a str, usize, &'a str)>, ParseError> {
    let mut pairs = Vec::new();
    loop {
        sc.skip_blanks();
        let (key_start, key) = sc.take_while(|c| c.is_ascii_alphanumeric() || c == '_');
        if key.is_empty() {
            return Err(sc.error_here("a `key=value` pair"));
        }
        sc.expect("=")?;
        let value_start = sc.pos();
        let (_, value) = sc.take_while(|c| c != ',' && c != ')');
        let value = value.trim_end();
        if value.trim().is_empty() {
            return Err(sc.error_here(format!("a value for `{key}=`")));
        }
        pairs.push((key_start, key, value_start, value));
        sc.skip_blanks();
        if sc.eat(")") {
            return Ok(pairs);
        }
        if !sc.eat(",") {
            return Err(sc.error_here("`,` or `)`"));
        }
    }
}

/// What a header row announced: a physical datasource or a composite member.
enum Header {
    Physical {
        host: HostName,
        role: DataSourceRole,
        state: DataSourceState,
        progress: Option<Progress>,
    },
    Member {
        service: ServiceName,
        role: CompositeRole,
        state: DataSourceState,
    },
}

/// `<name>(<role>:<STATE>[(<reason>)][, progress=<n>, [THL ]latency=<secs>])`.
fn header(sc: &mut Scanner<'_>) -> Result<Header, ParseError> {
    sc.skip_blanks();
    let (name_start, name) = sc.take_while(|c| c != '(' && !c.is_whitespace());
    if name.is_empty() {
        return Err(sc.error_here(HEADER));
    }
    sc.skip_blanks();
    if !sc.eat("(") {
        return Err(sc.error_here(format!("`(` after the name in {HEADER}")));
    }
    let role_start = sc.pos();
    let Some((_, role_text)) = sc.take_until(':') else {
        return Err(sc.error_here("a role followed by `:` (e.g. `master:`)"));
    };
    let role_text = role_text.trim();
    let physical_role = DataSourceRole::from_str(role_text).ok();
    let composite_role = CompositeRole::from_str(role_text).ok();
    if physical_role.is_none() && composite_role.is_none() {
        let roles: Vec<String> = DataSourceRole::VARIANTS
            .iter()
            .map(ToString::to_string)
            .chain(CompositeRole::VARIANTS.iter().map(ToString::to_string))
            .collect();
        return Err(sc.error_at(
            role_start,
            role_start + role_text.len(),
            format!("a role ({})", roles.join(", ")),
        ));
    }
    sc.expect(":")?;
    let state = datasource_state(sc)?;
    let mut seqno = None;
    let mut latency = None;
    loop {
        sc.skip_blanks();
        if sc.eat(")") {
            break;
        }
        if !sc.eat(",") {
            return Err(sc.error_here("`,` or `)`"));
        }
        sc.skip_blanks();
        let field_start = sc.pos();
        if sc.eat("progress=") {
            let (start, text) = sc.take_while(|c| c != ',' && c != ')');
            let text = text.trim_end();
            seqno = Some(if text == "-1" {
                None
            } else {
                Some(Seqno(count(sc, start, text).map_err(|_| {
                    sc.error_at(start, start + text.len(), "a sequence number or -1")
                })?))
            });
        } else if sc.eat("latency=") || sc.eat("THL latency=") {
            let (start, text) = sc.take_while(|c| c != ',' && c != ')');
            let text = text.trim_end();
            latency = Some(Latency::parse(text).ok_or_else(|| {
                sc.error_at(
                    start,
                    start + text.len(),
                    "a latency in seconds (e.g. `0.271` or `-1.000`)",
                )
            })?);
        } else {
            return Err(sc.error_at(
                field_start,
                field_start + sc.rest().find([',', ')', ' ']).unwrap_or(sc.rest().len()),
                "`progress=`, `latency=` or `THL latency=`",
            ));
        }
    }
    expect_end(sc)?;
    let progress = match (seqno, latency) {
        (None, None) => None,
        (Some(seqno), Some(latency)) => Some(Progress { seqno, latency }),
        (Some(_), None) => {
            return Err(sc.error_here("`latency=` or `THL latency=` after `progress=`"));
        }
        (None, Some(_)) => return Err(sc.error_here("`progress=` before the latency")),
    };
    match (physical_role, composite_role) {
        (_, Some(role)) => {
            if progress.is_some() {
                return Err(sc.error_at(
                    name_start,
                    sc.pos(),
                    "a composite member header without progress or latency",
                ));
            }
            Ok(Header::Member {
                service: service_name(sc, name_start, name)?,
                role,
                state,
            })
        }
        (Some(role), None) => Ok(Header::Physical {
            host: host_name(sc, name_start, name)?,
            role,
            state,
            progress,
        }),
        (None, None) => Err(sc.error_here(HEADER)),
    }
}

/// `ONLINE`, `OFFLINE`, `SHUNNED[(<reason>)]`, `FAILED[(<reason>)]`.
fn datasource_state(sc: &mut Scanner<'_>) -> Result<DataSourceState, ParseError> {
    const STATE: &str =
        "a datasource state (ONLINE, OFFLINE, SHUNNED(<reason>) or FAILED(<reason>))";
    let (start, word) = sc.take_while(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let reason = if sc.rest().starts_with('(') {
        let open = sc.pos();
        let mut depth = 0_usize;
        let mut close = None;
        for (i, c) in sc.rest().char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(open + i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(close) = close else {
            return Err(sc.error_at(open, open + 1, "a `)` closing the reason"));
        };
        let text = sc.line().get(open + 1..close).unwrap_or("");
        sc.advance_to(close + 1);
        Some((open + 1, text))
    } else {
        None
    };
    let state = match (word, reason) {
        ("ONLINE", None) => DataSourceState::Online,
        ("OFFLINE", None) => DataSourceState::Offline,
        ("SHUNNED", None) => DataSourceState::Shunned(None),
        ("FAILED", None) => DataSourceState::Failed(None),
        ("SHUNNED", Some((at, text))) => DataSourceState::Shunned(Some(
            ShunReason::from_str(text)
                .map_err(|e| sc.error_at(at, at + text.len(), format!("a shun reason: {e}")))?,
        )),
        ("FAILED", Some((at, text))) => {
            DataSourceState::Failed(Some(ReasonText::new(text).map_err(|e| {
                sc.error_at(at, at + text.len(), format!("a failure reason: {e}"))
            })?))
        }
        ("ONLINE" | "OFFLINE", Some((at, _))) => {
            return Err(sc.error_at(at - 1, at, format!("`,` or `)`: {word} takes no reason")));
        }
        _ => return Err(sc.error_at(start, start + word.len(), STATE)),
    };
    Ok(state)
}

/// `COORDINATOR[<host>:<POLICY>:<STATE>]`, the cursor at `COORDINATOR`.
fn coordinator(sc: &mut Scanner<'_>) -> Result<Coordinator, ParseError> {
    sc.skip_blanks();
    if !sc.eat("COORDINATOR") {
        return Err(sc.error_here(COORDINATOR_LINE));
    }
    sc.skip_blanks();
    sc.expect("[")?;
    let (host_start, host) = sc.take_while(|c| c != ':' && c != ']');
    let host = host_name(sc, host_start, host.trim())?;
    sc.expect(":")?;
    let policy = keyword::<PolicyMode>(sc, "a policy")?;
    sc.expect(":")?;
    let state = keyword::<ManagerState>(sc, "a coordinator state")?;
    sc.expect("]")?;
    expect_end(sc)?;
    Ok(Coordinator {
        host,
        policy,
        state,
    })
}

/// `<svc>:COORDINATOR[...]`.
fn site_coordinator(sc: &mut Scanner<'_>) -> Result<SiteCoordinator, ParseError> {
    sc.skip_blanks();
    let (start, name) = sc.take_while(|c| c != ':' && !c.is_whitespace());
    let service = service_name(sc, start, name)?;
    sc.expect(":")?;
    Ok(SiteCoordinator {
        service,
        coordinator: coordinator(sc)?,
    })
}

/// `connector@<host>[<pid>](<STATE>, created=<n>, active=<n>)`.
fn router(sc: &mut Scanner<'_>) -> Result<RouterRow, ParseError> {
    const ROUTER: &str = "a router row such as `connector@db1[7519](ONLINE, created=0, active=0)`";
    if !sc.eat("connector@") {
        return Err(sc.error_here(ROUTER));
    }
    let (host_start, host) = sc.take_while(|c| c != '[' && c != '(' && !c.is_whitespace());
    let host = host_name(sc, host_start, host)?;
    let pid = if sc.eat("[") {
        let (start, digits) = sc.take_while(|c| c != ']');
        let pid = count(sc, start, digits)?;
        let pid = u32::try_from(pid)
            .map_err(|_| sc.error_at(start, start + digits.len(), "a process id"))?;
        sc.expect("]")?;
        Some(pid)
    } else {
        None
    };
    sc.skip_blanks();
    sc.expect("(")?;
    sc.skip_blanks();
    let state = keyword::<ConnectorState>(sc, "a connector state")?;
    sc.skip_blanks();
    let connections = if sc.eat(")") {
        Connections::default()
    } else {
        sc.expect(",")?;
        connections(sc)?
    };
    expect_end(sc)?;
    Ok(RouterRow {
        host,
        pid,
        state,
        connections,
    })
}

/// `created=<n>, active=<n>)`.
fn connections(sc: &mut Scanner<'_>) -> Result<Connections, ParseError> {
    let mut created = None;
    let mut active = None;
    for (key_start, key, value_start, value) in key_values(sc)? {
        let slot = match key {
            "created" => &mut created,
            "active" => &mut active,
            _ => {
                return Err(sc.error_at(
                    key_start,
                    key_start + key.len(),
                    "`created=` or `active=`",
                ));
            }
        };
        *slot = Some(count(sc, value_start, value)?);
    }
    match (created, active) {
        (Some(created), Some(active)) => Ok(Connections { created, active }),
        _ => Err(sc.error_here("both `created=` and `active=`")),
    }
}

/// A component row's parsed value.
enum Component {
    Manager(ManagerState),
    Replicator(ReplicatorRow),
    DataServer(DataServerState),
    Connections(Connections),
}

/// `MANAGER(state=..)`, `REPLICATOR(role=.., master=.., state=..)`, `DATASERVER(state=..)`,
/// `CONNECTIONS(created=.., active=..)`.
fn component(sc: &mut Scanner<'_>) -> Result<Component, ParseError> {
    let (start, word) = sc.take_while(|c| c.is_ascii_alphabetic());
    let Some(keyword) = COMPONENTS.into_iter().find(|k| *k == word) else {
        return Err(sc.error_at(
            start,
            start + word.len(),
            "a component row (MANAGER, REPLICATOR, DATASERVER or CONNECTIONS)",
        ));
    };
    sc.skip_blanks();
    sc.expect("(")?;
    let component = if keyword == "CONNECTIONS" {
        Component::Connections(connections(sc)?)
    } else {
        let open = sc.pos();
        let pairs = key_values(sc)?;
        let mut state = None;
        let mut role = None;
        let mut master = None;
        let replicator = keyword == "REPLICATOR";
        for (key_start, key, value_start, value) in pairs {
            match (key, replicator) {
                ("state", _) => state = Some((value_start, value)),
                ("role", true) => {
                    role = Some(typed::<ReplicatorRole>(
                        sc,
                        value_start,
                        value,
                        "a replicator role",
                    )?);
                }
                ("master", true) => master = Some(host_name(sc, value_start, value)?),
                _ => {
                    let expected = if replicator {
                        "`role=`, `master=` or `state=`"
                    } else {
                        "`state=`"
                    };
                    return Err(sc.error_at(key_start, key_start + key.len(), expected));
                }
            }
        }
        let Some((at, state)) = state else {
            return Err(sc.error_at(open, sc.pos(), "a `state=` value"));
        };
        match keyword {
            "MANAGER" => Component::Manager(typed(sc, at, state, "a manager state")?),
            "DATASERVER" => Component::DataServer(typed(sc, at, state, "a dataserver state")?),
            _ => Component::Replicator(ReplicatorRow {
                role,
                master,
                state: typed(sc, at, state, "a replicator state")?,
            }),
        }
    };
    expect_end(sc)?;
    Ok(component)
}

/// `STATUS [<status>] [<time>]`.
fn status_line(sc: &mut Scanner<'_>) -> Result<StatusLine, ParseError> {
    if !sc.eat("STATUS") {
        return Err(sc.error_here(STATUS_LINE));
    }
    sc.skip_blanks();
    sc.expect("[")?;
    sc.skip_blanks();
    let alert = keyword::<AlertStatus>(sc, "an alert status")?;
    sc.skip_blanks();
    sc.expect("]")?;
    sc.skip_blanks();
    let time = if sc.eat("[") {
        let Some((start, text)) = sc.take_until(']') else {
            return Err(sc.error_here("a `]` closing the time"));
        };
        let time = StatusTime::from_str(text.trim()).map_err(|_| {
            sc.error_at(
                start,
                start + text.len(),
                "a time such as `2025/06/04 01:51:34 PM UTC`",
            )
        })?;
        sc.expect("]")?;
        Some(time)
    } else {
        None
    };
    expect_end(sc)?;
    Ok(StatusLine { alert, time })
}

/// `REASON[<text>]`.
fn reason_line(sc: &mut Scanner<'_>) -> Result<ReasonText, ParseError> {
    sc.expect("REASON[")?;
    let start = sc.pos();
    let rest = sc.rest();
    let Some(close) = rest.rfind(']') else {
        return Err(sc.error_at(start, start + rest.len(), "a `]` closing the reason"));
    };
    let text = rest.get(..close).unwrap_or("");
    let reason = ReasonText::new(text)
        .map_err(|e| sc.error_at(start, start + text.len(), format!("a reason: {e}")))?;
    sc.advance_to(start + close + 1);
    expect_end(sc)?;
    Ok(reason)
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
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        let rows = text
            .split('\n')
            .enumerate()
            .map(|(i, line)| Row::classify(i + 1, line))
            .collect();
        Self {
            rows,
            at: 0,
            width: None,
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
                    self.width.get_or_insert(width);
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
        Ok(Listing {
            layout: Layout {
                width: self.width.unwrap_or(DEFAULT_WIDTH),
            },
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
                    block.replicator = Some(r)
                }
                Component::DataServer(s) if block.dataserver.is_none() => {
                    block.dataserver = Some(s)
                }
                Component::Connections(c) if block.connections.is_none() => {
                    block.connections = Some(c)
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
