//! Reading runbook text.

use std::str::FromStr;

use super::goal::parse_goals;
use super::{
    Declaration, Declared, Item, Prompt, PromptStyle, Runbook, StateSource, Step, StepCommand,
    TopologySource,
};
use crate::command::{CctrlCommand, HostCommand, HostRef};
use crate::fault::Event;
use crate::ls::Listing;
use crate::model::{HostName, ServiceName, TopologySpec};
use crate::text::{ParseError, Span};

impl FromStr for Runbook {
    type Err = ParseError;

    /// Read a runbook (see the [module docs](super) for the format).
    ///
    /// # Errors
    /// A [`ParseError`] at the first step or declaration that does not read, with its line and
    /// column. Lines that are not steps or declarations are notes, never errors.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        // A byte-order mark, as some editors write at the start of a file, is not text.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let lines: Vec<&str> = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .collect();
        let mut runbook = Self {
            declarations: Vec::new(),
            items: Vec::new(),
        };
        let mut i = 0;
        let mut previous_service: Option<ServiceName> = None;
        let mut once = Once::default();
        while i < lines.len() {
            let number = i + 1;
            let raw = lines[i];
            let trimmed = raw.trim_start();
            i += 1;
            if trimmed.trim().is_empty() {
                continue;
            }
            if let Some(rest) = trimmed.strip_prefix("#!") {
                let offset = raw.len() - rest.len();
                let declaration = declaration(raw, offset, number, &lines, &mut i)?;
                once.check(&declaration, raw, rest, number)?;
                runbook.declarations.push(Declared {
                    line: number,
                    declaration,
                });
                continue;
            }
            if trimmed.starts_with('#') {
                runbook.items.push(Item::Note {
                    line: number,
                    text: raw.trim().to_owned(),
                });
                continue;
            }
            // A line is a step when it starts with a prompt (module docs), so whether it is one
            // is decided on the line itself, its continuation backslash set aside: prose never
            // joins the lines after it, whatever they are. (Deciding on the joined text made a
            // note's meaning depend on the line after it, which printing does not keep: blank
            // lines are dropped and declarations move to the top, so a note such as `shell \`
            // read back joined to a different line, as a broken step.)
            let first = raw.trim_end();
            let head = first.strip_suffix('\\').unwrap_or(first);
            let probe = step(head, number, &mut previous_service.clone());
            if matches!(probe, Ok(None)) {
                runbook.items.push(Item::Note {
                    line: number,
                    text: raw.trim().to_owned(),
                });
                continue;
            }
            // Steps continue over lines ending in `\`.
            let mut joined = first.to_owned();
            // Where each line's text starts in `joined`, to map an error back to its line.
            let mut pieces = vec![Piece {
                at: 0,
                number,
                indent: 0,
                raw,
            }];
            // A backslash on the last line continues into nothing: it is dropped all the same.
            let event = matches!(&probe, Ok(Some(s)) if matches!(s.prompt, Prompt::Event));
            while continues(&joined, event) {
                joined.pop();
                let Some(next) = lines.get(i) else { break };
                joined.push(' ');
                pieces.push(Piece {
                    at: joined.chars().count(),
                    number: i + 1,
                    indent: next.chars().count() - next.trim_start().chars().count(),
                    raw: next,
                });
                joined.push_str(next.trim());
                i += 1;
            }
            // A literal backslash before the last one (`foo \\` followed by a blank line or the
            // end of the text) would print as a step that continues: it is dropped too, so that
            // no step reads as ending in a backslash.
            let kept = joined
                .trim_end_matches(|c: char| c == '\\' || c.is_whitespace())
                .len();
            joined.truncate(kept);
            let (command, comment) = without_comment(&joined);
            // Likewise before a comment, which prints as a note on a line of its own: `x \\ #
            // note` would print as a step ending in a backslash, which reads back continued
            // into the note (the `parse_runbook` fuzzer found it).
            let command = match comment {
                Some(_) => command.trim_end_matches(|c: char| c == '\\' || c.is_whitespace()),
                None => command,
            };
            let parsed = step(command, number, &mut previous_service)
                .map_err(|e| relocate(naming_a_lone_comment(e, comment, &joined), &pieces))?;
            match parsed {
                Some(step) => {
                    runbook.items.push(Item::Step(step));
                    // A comment after the command is kept as a note of its own.
                    if let Some(comment) = comment {
                        // Printed on a line of its own, `#!` would read back as a declaration.
                        let text = match comment.strip_prefix("#!") {
                            Some(rest) => format!("# !{rest}"),
                            None => comment.to_owned(),
                        };
                        runbook.items.push(Item::Note { line: number, text });
                    }
                }
                // The prompt starts on the first line but the joined text does not read as one
                // (`cctrl [east \` then `] text`): the first line's own error says why.
                None => {
                    return Err(probe.err().unwrap_or_else(|| {
                        error_at(raw, number, raw.len() - trimmed.len(), 1, "a step")
                    }));
                }
            }
        }
        Ok(runbook)
    }
}

/// Whether the step text `joined` continues on the next line: it ends in a backslash that
/// bash reads as joining lines. One that ends a comment is the comment's: bash continues no
/// comment (a review found `trepctl status # db1 only \` swallow the `trepctl offline` after
/// it). Nor does one that single quotes hold (`echo 'switch \` types that backslash and the
/// line break into cctrl; a review, helper-143, found it joined into `switch to db3`) or that a
/// backslash before it escapes (`echo a \\`: helper-144 found the next step swallowed),
/// except in an `event` step, whose words take no quotes.
fn continues(joined: &str, event: bool) -> bool {
    joined.ends_with('\\')
        && without_comment(joined).1.is_none()
        && (event || !crate::command::shell_syntax::ends_in_literal_backslash(joined))
}

/// `error`, for a prompt followed by `comment` alone (in `joined`), naming the comment rather
/// than the end of the line it does not see (an independent review found the text wrong).
fn naming_a_lone_comment(error: ParseError, comment: Option<&str>, joined: &str) -> ParseError {
    match comment {
        Some(comment) if error.found() == "the end of the line" => ParseError::new(
            error.span(),
            format!(
                "{} (a comment alone is a note: start the line with `#`)",
                error.expected()
            ),
            format!("only the comment `{comment}`"),
            joined,
        ),
        _ => error,
    }
}

/// `step` without a comment after its command, and the comment: from the first `#` that
/// starts a word outside quotes and expansions, as a shell reads a comment
/// ([`crate::command::shell_syntax::bare`]). An operator's
/// runbook annotates its steps so (`trepctl offline   # db2 only`), which read as the
/// command's own words, a parse error. For cctrl, whose commands take no `#`, the same rule is
/// the runbook's (**modelling decision**).
fn without_comment(step: &str) -> (&str, Option<&str>) {
    // The command starts after the prompt, whose first `>` ends it in every notation: its
    // first character starts a word, as a line's first does in bash (the `parse_runbook`
    // fuzzer found `shell db1>#x` read as the command `#x`, printed back as `shell db1> #x`,
    // which read as a comment).
    let command_start = step.find('>').map_or(0, |i| i + 1);
    let command = step.get(command_start..).unwrap_or_default();
    // An event's words are no shell's: they take no quotes, and the note a drift prints
    // (`replication's back`) holds an apostrophe, which read as an opening quote hid the
    // comment after it, so that the event as reports print it did not read back with one
    // (a review, helper-119 F1). Its comment starts at the first `#` that starts a word.
    let prompt = step.get(..command_start).unwrap_or_default();
    let at = if prompt.trim().strip_suffix('>').map(str::trim_end) == Some("event") {
        command
            .char_indices()
            .find(|&(i, c)| {
                c == '#'
                    && command.get(..i).is_none_or(|before| {
                        before.is_empty() || before.ends_with(char::is_whitespace)
                    })
            })
            .map(|(i, _)| i)
    } else {
        crate::command::shell_syntax::bare(command)
            .find(|b| b.c == '#' && b.word_start)
            .map(|b| b.at)
    };
    at.map_or((step, None), |at| {
        let (kept, comment) = step.split_at(command_start + at);
        (kept.trim_end(), Some(comment.trim_end()))
    })
}

/// One line of a step continued over several (`\`), as it sits in the joined text.
struct Piece<'a> {
    /// The character where its text starts in the joined text.
    at: usize,
    /// Its line number.
    number: usize,
    /// The characters of indent trimmed from its start.
    indent: usize,
    /// The line as written.
    raw: &'a str,
}

/// `error`, found in the text joined from `pieces`, placed on the line its column falls in
/// (the last line whose text starts at or before it), at that line's own column.
fn relocate(error: ParseError, pieces: &[Piece<'_>]) -> ParseError {
    let span = error.span();
    let offset = span.column.saturating_sub(1);
    let Some(piece) = pieces.iter().rev().find(|p| p.at <= offset) else {
        return error;
    };
    let column = offset - piece.at + piece.indent + 1;
    error.relocated(Span::new(piece.number, column, span.len), piece.raw)
}

/// The text of `line` with everything before byte `start` blanked, so that a parser reading
/// it reports true columns.
fn padded(line: &str, start: usize) -> String {
    let start = start.min(line.len());
    let prefix = line.get(..start).map_or(0, |p| p.chars().count());
    format!("{}{}", " ".repeat(prefix), line.get(start..).unwrap_or(""))
}

fn error_at(line: &str, number: usize, start: usize, len: usize, expected: &str) -> ParseError {
    let column = line.get(..start).map_or(1, |p| p.chars().count() + 1);
    let found = match line.get(start..).map(str::trim) {
        Some(rest) if !rest.is_empty() => {
            format!("`{}`", rest.split_whitespace().next().unwrap_or(rest))
        }
        _ => "the end of the line".to_owned(),
    };
    ParseError::new(Span::new(number, column, len), expected, found, line)
}

/// A step, if `line` starts with a prompt; `None` for prose.
fn step(
    line: &str,
    number: usize,
    previous_service: &mut Option<ServiceName>,
) -> Result<Option<Step>, ParseError> {
    let lead = line.len() - line.trim_start().len();
    let t = &line[lead..];
    let step = if t.starts_with('[') {
        logical_step(line, t, number)?
    } else if let Some(rest) = t.strip_prefix("cctrl") {
        cctrl_step(line, rest, number)?
    } else if let Some(rest) = t.strip_prefix("shell") {
        shell_step(line, rest, number)?
    } else if let Some(rest) = t.strip_prefix("event") {
        event_step(line, rest, number)?
    } else {
        None
    };
    if let Some(Step {
        prompt: Prompt::Cctrl {
            service: Some(service),
            ..
        },
        ..
    }) = &step
    {
        *previous_service = Some(service.clone());
    }
    Ok(step)
}

/// `[LOGICAL] /alpha > cmd`, `[LOGICAL:EXPERT] /alpha > cmd`.
fn logical_step(line: &str, t: &str, number: usize) -> Result<Option<Step>, ParseError> {
    let Some(close) = t.find(']') else {
        return Ok(None);
    };
    let style = match &t[1..close] {
        "LOGICAL" | "PHYSICAL" | "ADMIN" => PromptStyle::Logical,
        "LOGICAL:EXPERT" | "PHYSICAL:EXPERT" | "ADMIN:EXPERT" => PromptStyle::Expert,
        _ => return Ok(None),
    };
    let slash = t[close + 1..].trim_start();
    let Some(path) = slash.strip_prefix('/') else {
        let at = line.len() - slash.len();
        return Err(error_at(
            line,
            number,
            at,
            1,
            "`/` and the service after the cctrl prompt",
        ));
    };
    let Some(gt) = path.find('>') else {
        let at = line.len() - path.len();
        return Err(error_at(
            line,
            number,
            at,
            1,
            "`>` closing the cctrl prompt",
        ));
    };
    let name = path[..gt].trim();
    let service = if name.is_empty() {
        None
    } else {
        let at = line.len() - path.len();
        Some(ServiceName::new(name).map_err(|e| {
            error_at(
                line,
                number,
                at,
                name.len(),
                &format!("a service name: {e}"),
            )
        })?)
    };
    let command = cctrl_command(line, line.len() - path.len() + gt + 1, number)?;
    Ok(Some(Step {
        line: number,
        prompt: Prompt::Cctrl { service, style },
        command: StepCommand::Cctrl(command),
    }))
}

/// `cctrl [east]> cmd`, `cctrl> cmd`; `rest` follows the word `cctrl`.
fn cctrl_step(line: &str, rest: &str, number: usize) -> Result<Option<Step>, ParseError> {
    let r = rest.trim_start();
    let (service, after) = if let Some(inner) = r.strip_prefix('[') {
        let Some(close) = inner.find(']') else {
            let at = line.len() - inner.len();
            return Err(error_at(line, number, at, 1, "`]` closing the service"));
        };
        let name = inner[..close].trim();
        let at = line.len() - inner.len();
        let service = ServiceName::new(name).map_err(|e| {
            error_at(
                line,
                number,
                at,
                name.len().max(1),
                &format!("a service name: {e}"),
            )
        })?;
        (Some(service), inner[close + 1..].trim_start())
    } else {
        (None, r)
    };
    let Some(command) = after.strip_prefix('>') else {
        // `cctrl` typed as a shell command, or prose mentioning cctrl.
        return Ok(None);
    };
    let parsed = cctrl_command(line, line.len() - command.len(), number)?;
    Ok(Some(Step {
        line: number,
        prompt: Prompt::Cctrl {
            service,
            style: PromptStyle::Cctrl,
        },
        command: StepCommand::Cctrl(parsed),
    }))
}

/// `shell east{master}> cmd`; `rest` follows the word `shell`.
fn shell_step(line: &str, rest: &str, number: usize) -> Result<Option<Step>, ParseError> {
    if !rest.starts_with(char::is_whitespace) && !rest.starts_with('>') {
        return Ok(None);
    }
    let r = rest.trim_start();
    let Some(gt) = r.find('>') else {
        return Ok(None);
    };
    let target_text = r[..gt].trim();
    let at = line.len() - r.len();
    if target_text.is_empty() {
        // `shell> cctrl -multi`, as the docs print a shell prompt: a note, which the report
        // lists as a command it did not check, naming the prompt to write (an operator's
        // review found a pasted docs page stop at it, a parse error, with no report at all).
        return Ok(None);
    }
    let target: HostRef = target_text.parse().map_err(|_| {
        let column = line.get(..at).map_or(1, |p| p.chars().count() + 1);
        ParseError::new(
            Span::new(number, column, target_text.chars().count()),
            "a host or site (`east`, `db2`, `east{master}`, `west{slave}`, `east{slave1}`)",
            format!("`{target_text}`"),
            line,
        )
    })?;
    let command_start = line.len() - r.len() + gt + 1;
    if line[command_start..].trim().is_empty() {
        return Err(error_at(
            line,
            number,
            command_start,
            1,
            "a command after the prompt",
        ));
    }
    let command = HostCommand::parse_line(&padded(line, command_start), number)
        .map_err(|e| e.on_line(line))?;
    Ok(Some(Step {
        line: number,
        prompt: Prompt::Shell { target },
        command: StepCommand::Host(command),
    }))
}

/// `event> db1 crashes`: a fault or world event at this point of the plan. Only `event`, blanks
/// and `>` make the prompt; any other line starting `event` is prose.
fn event_step(line: &str, rest: &str, number: usize) -> Result<Option<Step>, ParseError> {
    let Some(after) = rest.trim_start().strip_prefix('>') else {
        return Ok(None);
    };
    let command_start = line.len() - after.len();
    if after.trim().is_empty() {
        return Err(error_at(
            line,
            number,
            command_start,
            1,
            "an event after the prompt (`db1 crashes`, `db1 powers on`, `the network heals`, ...)",
        ));
    }
    let event =
        Event::parse_line(&padded(line, command_start), number).map_err(|e| e.on_line(line))?;
    Ok(Some(Step {
        line: number,
        prompt: Prompt::Event,
        command: StepCommand::Event(event),
    }))
}

fn cctrl_command(line: &str, start: usize, number: usize) -> Result<CctrlCommand, ParseError> {
    if line.get(start..).is_none_or(|rest| rest.trim().is_empty()) {
        return Err(error_at(
            line,
            number,
            start,
            1,
            "a cctrl command after the prompt",
        ));
    }
    CctrlCommand::parse_line(&padded(line, start), number).map_err(|e| e.on_line(line))
}

const KINDS: &str = "a declaration (`scenario`, `topology`, `state`, `assume`, `goal` or `settle`)";

/// A `#!` declaration starting at byte `offset` of `raw`; an inline state consumes the lines
/// up to `#! end`.
fn declaration(
    raw: &str,
    offset: usize,
    number: usize,
    lines: &[&str],
    next: &mut usize,
) -> Result<Declaration, ParseError> {
    let rest = &raw[offset..];
    let words: Vec<&str> = rest.split_whitespace().collect();
    let starts = word_starts(raw, offset);
    let word_at = |k: usize| starts.get(k).copied().unwrap_or(raw.len());
    let bad = |k: usize, expected: &str| {
        let at = word_at(k);
        let len = words.get(k).map_or(1, |w| w.chars().count());
        error_at(raw, number, at, len, expected)
    };
    match words.first().copied() {
        Some("scenario") => match words.get(1) {
            Some(name) if words.len() == 2 => {
                if super::scenario::SCENARIOS
                    .iter()
                    .all(|(known, _)| known != name)
                {
                    let known: Vec<&str> = super::SCENARIOS.iter().map(|(n, _)| *n).collect();
                    return Err(bad(
                        1,
                        &format!("a built-in scenario ({})", known.join(", ")),
                    ));
                }
                Ok(Declaration::Scenario((*name).to_owned()))
            }
            _ => Err(bad(1 + usize::from(words.len() > 2), "one scenario name")),
        },
        Some("topology") => topology_declaration(&words).map_err(|(k, expected)| bad(k, &expected)),
        Some("state") => {
            let Some(service) = words.get(1) else {
                return Err(bad(1, "the service whose listing follows"));
            };
            let service =
                ServiceName::new(*service).map_err(|e| bad(1, &format!("a service name: {e}")))?;
            match words.get(2).copied() {
                Some("file") if words.len() == 4 => Ok(Declaration::State {
                    service,
                    source: StateSource::File(words[3].to_owned()),
                }),
                None => inline_state(service, lines, next),
                _ => Err(bad(
                    2,
                    "`file <path>`, or nothing and the listing on the next lines",
                )),
            }
        }
        Some("assume") => match words.get(1).copied() {
            Some("down") if words.len() > 2 => {
                let mut hosts = Vec::new();
                for (k, w) in words.iter().enumerate().skip(2) {
                    hosts
                        .push(HostName::new(*w).map_err(|e| bad(k, &format!("a host name: {e}")))?);
                }
                Ok(Declaration::AssumeDown(hosts))
            }
            _ => Err(bad(1, "`down <host> ...`")),
        },
        Some("goal") => {
            let start = word_at(1);
            parse_goals(raw, start, number).map(Declaration::Goal)
        }
        Some("settle") => match words.get(1).copied() {
            Some("on") if words.len() == 2 => Ok(Declaration::Settle(true)),
            Some("off") if words.len() == 2 => Ok(Declaration::Settle(false)),
            _ => Err(bad(1, "`on` or `off`")),
        },
        _ => Err(bad(0, KINDS)),
    }
}

/// The lines that declared what a runbook declares once.
#[derive(Default)]
struct Once {
    /// The scenario or topology: a second would replace the first unseen (an adversarial
    /// review found the last one silently taken).
    start: Option<usize>,
    /// `settle`: a second would override the first unseen (a library user's review found
    /// `off` then `on` accepted).
    settle: Option<usize>,
}

impl Once {
    /// `Ok` if `declaration`, on line `number` (`raw`, its text after `#!` being `rest`), is
    /// the first of its kind that must be declared once, or of no such kind.
    fn check(
        &mut self,
        declaration: &Declaration,
        raw: &str,
        rest: &str,
        number: usize,
    ) -> Result<(), ParseError> {
        let (slot, what) = match declaration {
            Declaration::Scenario(_) | Declaration::Topology(_) => {
                (&mut self.start, "one scenario or topology per runbook")
            }
            Declaration::Settle(_) => (&mut self.settle, "one `settle` per runbook"),
            _ => return Ok(()),
        };
        if let Some(first) = *slot {
            let at = raw.len() - rest.trim_start().len();
            let word = rest.split_whitespace().next().unwrap_or_default();
            return Err(error_at(
                raw,
                number,
                at,
                word.chars().count().max(1),
                &format!("{what} (line {first} declares one already)"),
            ));
        }
        *slot = Some(number);
        Ok(())
    }
}

/// The byte offsets in `raw` of the words from byte `offset` on, for error columns.
fn word_starts(raw: &str, offset: usize) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut after_blank = true;
    for (i, c) in raw[offset..].char_indices() {
        if !c.is_whitespace() && after_blank {
            starts.push(offset + i);
        }
        after_blank = c.is_whitespace();
    }
    starts
}

/// Line `number` of a topology file, `single <svc>=<hosts>` or `multisite <site>=<hosts>
/// ...` as after `#! topology`: the topology, or an error whose column is in `line`.
pub(super) fn topology_line(line: &str, number: usize) -> Result<TopologySpec, ParseError> {
    const KIND: &str = "`single <svc>=<hosts>` or `multisite <site>=<hosts> ...` (or a JSON `TopologySpec`, starting with `{`)";
    let starts = word_starts(line, 0);
    let words: Vec<&str> = ["topology"]
        .into_iter()
        .chain(line.split_whitespace())
        .collect();
    // Word `k` of `words` is word `k - 1` of the line.
    let bad = |k: usize, expected: &str| {
        let at = k
            .checked_sub(1)
            .and_then(|i| starts.get(i).copied())
            .unwrap_or(line.len());
        let len = words.get(k).map_or(1, |w| w.chars().count());
        error_at(line, number, at, len, expected)
    };
    if !matches!(words.get(1).copied(), Some("single" | "multisite")) {
        return Err(bad(1, KIND));
    }
    match topology_declaration(&words) {
        Ok(Declaration::Topology(TopologySource::Inline(spec))) => Ok(spec),
        Ok(_) => Err(bad(1, KIND)),
        Err((k, expected)) => Err(bad(k, &expected)),
    }
}

/// A second topology line in a topology file (line `number`, `line`): an error, since the file
/// holds one.
pub(super) fn extra_topology_line(line: &str, number: usize) -> ParseError {
    let at = line.len() - line.trim_start().len();
    let len = line.trim().chars().count();
    error_at(
        line,
        number,
        at,
        len,
        "the end of the file: a topology file holds one topology line (put every site on it)",
    )
}

/// `#! topology single <svc>=<hosts>`, `multisite <site>=<hosts> ...`, `file <path>`: the
/// declaration, or the index of the bad word and what was expected there.
fn topology_declaration(words: &[&str]) -> Result<Declaration, (usize, String)> {
    match words.get(1).copied() {
        Some("file") if words.len() == 3 => Ok(Declaration::Topology(TopologySource::File(
            words[2].to_owned(),
        ))),
        Some(kind @ ("single" | "multisite")) => {
            let mut sites: Vec<(&str, Vec<&str>)> = Vec::new();
            for (k, w) in words.iter().enumerate().skip(2) {
                let Some((site, hosts)) = w.split_once('=') else {
                    return Err((k, "`<service>=<host>,<host>,...`".to_owned()));
                };
                sites.push((site, hosts.split(',').filter(|h| !h.is_empty()).collect()));
            }
            if sites.is_empty() || (kind == "single" && sites.len() != 1) {
                return Err((
                    2,
                    "`<service>=<host>,<host>,...` (one for `single`)".to_owned(),
                ));
            }
            let spec = if kind == "single" {
                TopologySpec::single(sites[0].0, &sites[0].1)
            } else {
                let borrowed: Vec<(&str, &[&str])> =
                    sites.iter().map(|(s, h)| (*s, h.as_slice())).collect();
                crate::model::Topology::multisite(&borrowed).map(TopologySpec::from)
            };
            // Checked whole here, as `multisite` is by building it, so that a duplicate host
            // in `single` is located on its line too, not reported later without one.
            spec.and_then(|s| crate::model::Topology::try_from(s.clone()).map(|_| s))
                .map(|s| Declaration::Topology(TopologySource::Inline(s)))
                .map_err(|e| (2, format!("a valid topology: {e}")))
        }
        _ => Err((
            1,
            "`single <svc>=<hosts>`, `multisite <site>=<hosts> ...` or `file <path>`".to_owned(),
        )),
    }
}

/// The listing written after `#! state <svc>`, up to `#! end`.
fn inline_state(
    service: ServiceName,
    lines: &[&str],
    next: &mut usize,
) -> Result<Declaration, ParseError> {
    let first = *next;
    let end = (first..lines.len())
        .find(|&k| lines[k].trim() == "#! end")
        .ok_or_else(|| {
            let last = lines.len().max(1);
            ParseError::new(
                Span::new(last, 1, 1),
                "`#! end` closing the listing",
                "the end of the runbook",
                lines.last().copied().unwrap_or(""),
            )
        })?;
    *next = end + 1;
    let text = lines[first..end].join("\n");
    let listing: Listing = text.parse().map_err(|e: ParseError| e.shifted(first))?;
    Ok(Declaration::State {
        service,
        source: StateSource::Inline(listing),
    })
}

#[cfg(test)]
mod tests {
    use super::without_comment;

    /// A comment starts at a `#` that starts a word of the command, the prompt's `>` ending
    /// like a blank: the step before it and the comment are each kept whole.
    #[test]
    fn a_comment_is_split_off_after_the_prompt() {
        assert_eq!(
            without_comment("shell db1> trepctl offline   # db2 only"),
            ("shell db1> trepctl offline", Some("# db2 only"))
        );
        assert_eq!(without_comment("shell db1>#x"), ("shell db1>", Some("#x")));
        assert_eq!(
            without_comment("shell db1> echo a#b"),
            ("shell db1> echo a#b", None)
        );
    }
}
