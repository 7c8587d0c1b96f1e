//! Cutting text into rows: blank, border, or content with its place in the line.

use crate::text::{ParseError, Scanner, Span};

use super::grammar::COMPONENTS;

/// One line of input, classified.
#[derive(Debug, Clone, Copy)]
pub(super) struct Row<'a> {
    /// 1-based line number.
    pub(super) number: usize,
    /// The line without its line terminator.
    pub(super) raw: &'a str,
    pub(super) kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
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
    pub(super) fn classify(number: usize, line: &'a str) -> Self {
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
    pub(super) fn text(&self) -> &'a str {
        match self.kind {
            Kind::Content { start, end, .. } => self.raw.get(start..end).unwrap_or(""),
            _ => "",
        }
    }

    pub(super) fn is_content(&self) -> bool {
        matches!(self.kind, Kind::Content { .. })
    }

    pub(super) fn is_boxed(&self) -> bool {
        matches!(self.kind, Kind::Content { boxed: true, .. })
    }

    /// A scanner over the content.
    pub(super) fn scanner(&self) -> Scanner<'a> {
        match self.kind {
            Kind::Content { start, end, .. } => Scanner::within(self.raw, self.number, start, end),
            _ => Scanner::within(self.raw, self.number, 0, 0),
        }
    }

    /// An error covering the whole row.
    pub(super) fn error(&self, expected: impl Into<String>) -> ParseError {
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
    pub(super) fn is_block_row(&self) -> bool {
        let text = self.text();
        text.starts_with("STATUS")
            || text.starts_with("REASON[")
            || component_keyword(text).is_some()
    }
}

pub(super) fn component_keyword(text: &str) -> Option<&'static str> {
    COMPONENTS.into_iter().find(|k| {
        text.strip_prefix(k)
            .is_some_and(|rest| rest.trim_start().starts_with('('))
    })
}

/// Net parenthesis depth of `text`: positive while some `(` is still open.
pub(super) fn paren_depth(text: &str) -> isize {
    text.chars().fold(0, |d, c| match c {
        '(' => d + 1,
        ')' => d - 1,
        _ => d,
    })
}

/// A line of a cctrl session before its first prompt: the shell line that started it
/// (`shell> cctrl`, `$ cctrl -expert`), then what cctrl prints as it opens: the product and
/// build (`Tungsten Clustering 7.1.3 build 6`), the manager it connects to (`connect to
/// 'alpha@host1'`), the session (`alpha: session established, encryption=false,
/// authentication=false`) and its encryption (`jgroups: unencrypted, database: encrypted`).
/// Continuent docs *operations-status* print such a session in full before its `ls`.
pub(super) fn is_session_banner(text: &str) -> bool {
    let text = text.trim();
    [
        "Tungsten Clustering ",
        "Continuent Tungsten ",
        "VMware Continuent Tungsten ",
    ]
    .iter()
    .any(|p| text.starts_with(p))
        || text.contains(": session established")
        || text.starts_with("jgroups: ")
        || (text.starts_with("connect to '") && text.ends_with('\''))
        || starts_cctrl(text)
}

/// `shell> cctrl`, `$ /opt/continuent/tungsten/tungsten-manager/bin/cctrl -expert`: a shell
/// prompt (or none) and cctrl with its flags alone.
fn starts_cctrl(text: &str) -> bool {
    let Some(at) = text.find("cctrl") else {
        return false;
    };
    let (before, after) = (&text[..at], &text[at + "cctrl".len()..]);
    // What comes before is a prompt, a path to the program, or both.
    let prompt = before
        .rsplit_once(char::is_whitespace)
        .map_or(
            before,
            |(p, path)| {
                if path.ends_with('/') { p } else { before }
            },
        );
    let prompt = prompt.trim_end();
    let prompt_only = prompt.is_empty()
        || prompt.ends_with(['>', '$', '#'])
        || (prompt.ends_with('/') && !prompt.contains(char::is_whitespace));
    let flags_only = after.is_empty()
        || (after.starts_with(char::is_whitespace)
            && after.split_whitespace().all(|flag| flag.starts_with('-')));
    prompt_only && flags_only
}

/// A line cctrl prints as a session ends: a prompt with no command (`[LOGICAL] /alpha >`,
/// `cctrl>`) or `Exiting...`.
pub(super) fn is_session_tail(text: &str) -> bool {
    let text = text.trim();
    text == "Exiting..."
        || text.strip_suffix('>').is_some_and(|prompt| {
            let prompt = prompt.trim_end();
            (prompt.starts_with('[') && prompt.contains('/')) || prompt.starts_with("cctrl")
        })
}

/// `[LOGICAL] /alpha > ls`, `cctrl> ls`, `cctrl [east]> ls`: a prompt line copied with the
/// listing.
pub(super) fn is_ls_prompt(text: &str) -> bool {
    text.rsplit_once('>').is_some_and(|(prompt, command)| {
        let prompt = prompt.trim_start();
        command.trim().eq_ignore_ascii_case("ls")
            && (prompt.starts_with('[') || prompt.starts_with("cctrl"))
    })
}

#[cfg(test)]
mod tests {
    use super::{is_session_banner, is_session_tail};

    /// Only cctrl's own lines are read as a session's frame: a closing prompt names a
    /// service path (`[LOGICAL] /alpha >`) or is cctrl's (`cctrl>`); other text ending in `>`
    /// is not (cargo-mutants: a bracket or a slash alone passed).
    #[test]
    fn only_cctrl_lines_frame_a_session() {
        for tail in [
            "[LOGICAL] /alpha >",
            "[LOGICAL:EXPERT] /east > ",
            "cctrl>",
            "Exiting...",
        ] {
            assert!(is_session_tail(tail), "{tail}");
        }
        for other in [
            "see /docs >",
            "[note] >",
            "db1 -> db2",
            "|db1(master:ONLINE) |",
        ] {
            assert!(!is_session_tail(other), "{other}");
        }
        assert!(is_session_banner("Tungsten Clustering 7.1.3 build 6"));
        assert!(is_session_banner(
            "alpha: session established, encryption=false, authentication=false"
        ));
        assert!(!is_session_banner("COORDINATOR[db2:AUTOMATIC:ONLINE]"));
        // The shell line that opened the session, and the manager it connected to (an
        // audit against the docs found *operations-status*'s session refused).
        for banner in [
            "shell> cctrl",
            "shell>cctrl",
            "$ cctrl -expert",
            "[tungsten@db1 ~]$ /opt/continuent/tungsten/tungsten-manager/bin/cctrl -multi",
            "cctrl",
            "connect to 'alpha@host1'",
        ] {
            assert!(is_session_banner(banner), "{banner}");
        }
        for other in [
            "shell> cctrl ls",
            "echo ls | cctrl",
            "cctrlx",
            "connect to alpha",
            "|connector@db1[8805](ONLINE, created=0, active=0) |",
        ] {
            assert!(!is_session_banner(other), "{other}");
        }
    }
}
