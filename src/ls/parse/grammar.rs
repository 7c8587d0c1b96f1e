//! The grammar of the rows of a listing: one function per kind of row.

use std::fmt::Display;
use std::str::FromStr;

use strum::VariantArray;

use crate::ls::{Coordinator, Progress, ReplicatorRow, RouterRow, SiteCoordinator, StatusLine};
use crate::model::{
    AlertStatus, CompositeRole, Connections, ConnectorState, DataServerState, DataSourceRole,
    DataSourceState, HostName, Latency, ManagerState, NameError, PolicyMode, ReasonText,
    ReplicatorRole, Seqno, ServiceName, ShunReason, StatusTime,
};
use crate::text::{ParseError, Scanner};

pub(super) const COORDINATOR_LINE: &str = "a `COORDINATOR[<host>:<policy>:<state>]` line";
const HOST_NAME: &str =
    "a host name (letters, digits, `-`, `_` or `.`, starting with a letter or digit)";
const SERVICE_NAME: &str =
    "a service name (letters, digits, `-`, `_` or `.`, starting with a letter or digit)";
pub(super) const HEADER: &str =
    "a datasource header such as `db1(master:ONLINE, progress=7, THL latency=0.271)`";
pub(super) const STATUS_LINE: &str = "a `STATUS [<status>] [<time>]` line";
const NUMBER: &str = "a whole number";
/// What a header's `progress=` holds.
const PROGRESS: &str = "a seqno from 0 to 9223372036854775807, or -1";
pub(super) const COMPONENTS: [&str; 4] = ["MANAGER", "REPLICATOR", "DATASERVER", "CONNECTIONS"];

/// `what (A, B or C)` for an enum whose variants print as Tungsten spells them.
fn one_of<T: VariantArray + Display>(what: &str) -> String {
    let names: Vec<String> = T::VARIANTS.iter().map(ToString::to_string).collect();
    if names.is_empty() {
        return what.to_owned();
    }
    format!("{what} ({})", crate::text::series(&names, "or"))
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

/// The error for a name refused by validation: the caret goes under the offending character
/// when there is one, under the whole name otherwise.
fn name_error(
    sc: &Scanner<'_>,
    start: usize,
    text: &str,
    e: &NameError,
    expected: &str,
) -> ParseError {
    match e {
        NameError::BadCharacter { position, .. } => {
            let offset = text
                .char_indices()
                .nth(position.saturating_sub(1))
                .map_or(0, |(i, _)| i);
            let len = text[offset..].chars().next().map_or(1, char::len_utf8);
            sc.error_at(start + offset, start + offset + len, expected)
        }
        _ => sc.error_at(start, start + text.len(), format!("{expected}: {e}")),
    }
}

fn host_name(sc: &Scanner<'_>, start: usize, text: &str) -> Result<HostName, ParseError> {
    HostName::new(text).map_err(|e| name_error(sc, start, text, &e, HOST_NAME))
}

fn service_name(sc: &Scanner<'_>, start: usize, text: &str) -> Result<ServiceName, ParseError> {
    ServiceName::new(text).map_err(|e| name_error(sc, start, text, &e, SERVICE_NAME))
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
        // A row running on into a section or a border is a listing whose line breaks a paste
        // lost (a review of pasted listings found only "the end of the row" said).
        let expected = if ["ROUTERS:", "DATASOURCES:", "+--", "COORDINATOR["]
            .iter()
            .any(|part| rest.contains(part))
        {
            "the end of the row (the row runs on into more of the listing: were its line breaks lost in the paste?)"
        } else {
            "the end of the row"
        };
        Err(sc.error_at(start, start + rest.trim_end().len(), expected))
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
        sc.require("=")?;
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
pub(super) enum Header {
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
pub(super) fn header(sc: &mut Scanner<'_>) -> Result<Header, ParseError> {
    sc.skip_blanks();
    let (name_start, name) = sc.take_while(|c| c != '(' && !c.is_whitespace());
    if name.is_empty() {
        return Err(sc.error_here(HEADER));
    }
    sc.skip_blanks();
    if !sc.eat("(") {
        // Not a header at all: name the whole row.
        let end = sc.pos() + sc.rest().len();
        return Err(sc.error_at(name_start, end, HEADER));
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
            format!("a role ({})", crate::text::series(&roles, "or")),
        ));
    }
    sc.require(":")?;
    let state = datasource_state(sc)?;
    let progress = header_fields(sc)?;
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

/// The rest of a header after its state: `[, progress=<n>, [THL ]latency=<secs>])`, up to the
/// end of the row.
fn header_fields(sc: &mut Scanner<'_>) -> Result<Option<Progress>, ParseError> {
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
                Some(
                    Seqno::from_digits(text.trim_start())
                        .ok_or_else(|| sc.error_at(start, start + text.len(), PROGRESS))?,
                )
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
    Ok(match (seqno, latency) {
        (None, None) => None,
        (Some(seqno), Some(latency)) => Some(Progress { seqno, latency }),
        (Some(_), None) => {
            return Err(sc.error_here("`latency=` or `THL latency=` after `progress=`"));
        }
        (None, Some(_)) => return Err(sc.error_here("`progress=` before the latency")),
    })
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
pub(super) fn coordinator(sc: &mut Scanner<'_>) -> Result<Coordinator, ParseError> {
    sc.skip_blanks();
    if !sc.eat("COORDINATOR") {
        return Err(sc.error_here(COORDINATOR_LINE));
    }
    sc.skip_blanks();
    sc.require("[")?;
    let (host_start, host) = sc.take_while(|c| c != ':' && c != ']');
    let host = host_name(sc, host_start, host.trim())?;
    sc.require(":")?;
    let policy = keyword::<PolicyMode>(sc, "a policy")?;
    sc.require(":")?;
    let state = keyword::<ManagerState>(sc, "a coordinator state")?;
    sc.require("]")?;
    expect_end(sc)?;
    Ok(Coordinator {
        host,
        policy,
        state,
    })
}

/// `<svc>:COORDINATOR[...]`.
pub(super) fn site_coordinator(sc: &mut Scanner<'_>) -> Result<SiteCoordinator, ParseError> {
    sc.skip_blanks();
    let (start, name) = sc.take_while(|c| c != ':' && !c.is_whitespace());
    let service = service_name(sc, start, name)?;
    sc.require(":")?;
    Ok(SiteCoordinator {
        service,
        coordinator: coordinator(sc)?,
    })
}

/// `connector@<host>[<pid>](<STATE>, created=<n>, active=<n>)`.
pub(super) fn router(sc: &mut Scanner<'_>) -> Result<RouterRow, ParseError> {
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
        sc.require("]")?;
        Some(pid)
    } else {
        None
    };
    sc.skip_blanks();
    sc.require("(")?;
    sc.skip_blanks();
    let state = keyword::<ConnectorState>(sc, "a connector state")?;
    sc.skip_blanks();
    let connections = if sc.eat(")") {
        Connections::default()
    } else {
        sc.require(",")?;
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
pub(super) enum Component {
    Manager(ManagerState),
    Replicator(ReplicatorRow),
    DataServer(DataServerState),
    Connections(Connections),
}

/// `MANAGER(state=..)`, `REPLICATOR(role=.., master=.., state=..)`, `DATASERVER(state=..)`,
/// `CONNECTIONS(created=.., active=..)`.
pub(super) fn component(sc: &mut Scanner<'_>) -> Result<Component, ParseError> {
    let (start, word) = sc.take_while(|c| c.is_ascii_alphabetic());
    let Some(keyword) = COMPONENTS.into_iter().find(|k| *k == word) else {
        return Err(sc.error_at(
            start,
            start + word.len(),
            "a component row (MANAGER, REPLICATOR, DATASERVER or CONNECTIONS)",
        ));
    };
    sc.skip_blanks();
    sc.require("(")?;
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
pub(super) fn status_line(sc: &mut Scanner<'_>) -> Result<StatusLine, ParseError> {
    if !sc.eat("STATUS") {
        return Err(sc.error_here(STATUS_LINE));
    }
    sc.skip_blanks();
    sc.require("[")?;
    sc.skip_blanks();
    let alert = keyword::<AlertStatus>(sc, "an alert status")?;
    sc.skip_blanks();
    sc.require("]")?;
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
        sc.require("]")?;
        Some(time)
    } else {
        None
    };
    expect_end(sc)?;
    Ok(StatusLine { alert, time })
}

/// `REASON[<text>]`.
pub(super) fn reason_line(sc: &mut Scanner<'_>) -> Result<ReasonText, ParseError> {
    sc.require("REASON[")?;
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
