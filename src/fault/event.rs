//! A fault or world event in words, hosts by name: what a runbook's `event>` step holds and
//! what reports print (`db1 crashes`, `the network splits into {db1} | {db2, db3}`).
//!
//! The words are the ones [`Fault::render`] prints, so a line of `check plan --faults` (`if
//! db1 crashes`) or of an explorer's trace pastes into a runbook as a step. Names are
//! resolved against a topology only when the step runs ([`Event::resolve`]), as a command's
//! are.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{Fault, Process, Split};
use crate::command::words::Words;
use crate::model::{HostId, HostName, Topology};
use crate::text::{ParseError, Span};

/// A fault or world event, with hosts by name: the words of a runbook's `event>` step.
///
/// ```
/// use tungsten_model::fault::{Event, Fault};
/// use tungsten_model::model::Topology;
///
/// let topology = Topology::single("alpha", &["db1", "db2", "db3"])?;
/// let event: Event = "the network splits into {db1} | {db2, db3}".parse()?;
/// let Fault::Partition(split) = event.resolve(&topology)? else { unreachable!() };
/// assert_eq!(split.describe(&topology), "{db1} | {db2, db3}");
/// // A misspelt event names the column and what would have been valid there.
/// let error = "db1 crashed".parse::<Event>().unwrap_err();
/// assert_eq!(error.span().column, 5);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// `<host> crashes`: [`Fault::HostCrash`].
    Crash(HostName),
    /// `<host> restarts` (also `boots`, `powers on`): [`Fault::HostRestart`], the host up
    /// again with what its boot starts. A host a plan powered off comes back so.
    Restart(HostName),
    /// `the <process> on <host> stops`: [`Fault::Stop`].
    Stop(HostName, Process),
    /// `the <process> on <host> starts`: [`Fault::Start`].
    Start(HostName, Process),
    /// `the replicator on <host> fails with an error`: [`Fault::ReplicatorError`].
    ReplicatorError(HostName),
    /// `the network splits into {a, b} | {c}`: [`Fault::Partition`]; a host no group names
    /// stays with the first group, as [`Split::new`] puts it. One group alone separates
    /// nothing: it joins the network again, as a split of the engine's that separates nothing
    /// prints.
    Partition(Vec<Vec<HostName>>),
    /// `the network heals`: [`Fault::Heal`].
    Heal,
    /// `a client writes to <host>`: [`Fault::Write`].
    Write(HostName),
    /// `<host> drifts`, optionally followed by the words in parentheses reports print:
    /// [`Fault::Drift`].
    Drift(HostName),
    /// `<host> catches up with its master`: [`Fault::CatchUp`].
    CatchUp(HostName),
    /// `the cross-site replicator on <host> catches up`: [`Fault::CrossSiteCatchUp`].
    CrossSiteCatchUp(HostName),
}

/// Why an [`Event`] names no fault over a topology: what [`Event::resolve`] returns.
///
/// ```
/// use tungsten_model::fault::{Event, EventError};
/// use tungsten_model::model::Topology;
///
/// let topology = Topology::single("alpha", &["db1", "db2", "db3"])?;
/// let event: Event = "the network splits into {db1, db2} | {db2}".parse()?;
/// let error = event.resolve(&topology).unwrap_err();
/// assert!(matches!(&error, EventError::HostInTwoGroups { host } if host.as_str() == "db2"));
/// assert_eq!(
///     error.to_string(),
///     "`db2` is in two groups of the partition: expected each host in one group at most"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventError {
    /// The event names a host the topology does not have (a misspelt name, or a host of
    /// another topology).
    #[error("no host `{host}` in the topology")]
    UnknownHost {
        /// The host as the event names it.
        host: HostName,
    },
    /// A partition names a host in more than one of its groups: a host is on one side of a
    /// split only.
    #[error("`{host}` is in two groups of the partition: expected each host in one group at most")]
    HostInTwoGroups {
        /// The host named twice (the first such, reading left to right).
        host: HostName,
    },
}

/// The processes by the words that name them.
const PROCESSES: [(&str, Process); 4] = [
    ("manager", Process::Manager),
    ("replicator", Process::Replicator),
    ("connector", Process::Connector),
    ("dataserver", Process::DataServer),
];

/// What may happen to a host, after its name.
const HOST_VERBS: [&str; 6] = [
    "crashes", "restarts", "boots", "powers", "drifts", "catches",
];

/// The words after `the` that start an event.
const THE_SUBJECTS: [&str; 6] = [
    "network",
    "cross-site",
    "manager",
    "replicator",
    "connector",
    "dataserver",
];

/// What a drift prints after the host's verb, in parentheses.
const DRIFT_NOTE: &str = "(a write behind replication's back)";

impl Event {
    /// The event of `fault`, its hosts named from `topology`.
    #[must_use]
    pub fn of(fault: Fault, topology: &Topology) -> Self {
        let name = |h: HostId| topology.host_name(h).clone();
        match fault {
            Fault::HostCrash(h) => Self::Crash(name(h)),
            Fault::HostRestart(h) => Self::Restart(name(h)),
            Fault::Stop(h, p) => Self::Stop(name(h), p),
            Fault::Start(h, p) => Self::Start(name(h), p),
            Fault::ReplicatorError(h) => Self::ReplicatorError(name(h)),
            Fault::Partition(split) => Self::Partition(
                split
                    .groups(topology)
                    .into_iter()
                    .map(|g| g.into_iter().map(name).collect())
                    .collect(),
            ),
            Fault::Heal => Self::Heal,
            Fault::Write(h) => Self::Write(name(h)),
            Fault::Drift(h) => Self::Drift(name(h)),
            Fault::CatchUp(h) => Self::CatchUp(name(h)),
            Fault::CrossSiteCatchUp(h) => Self::CrossSiteCatchUp(name(h)),
        }
    }

    /// The fault over `topology`.
    ///
    /// # Errors
    /// [`EventError::UnknownHost`] for a host the topology does not have, and
    /// [`EventError::HostInTwoGroups`] for a host named in two groups of a partition.
    pub fn resolve(&self, topology: &Topology) -> Result<Fault, EventError> {
        let id = |name: &HostName| {
            topology
                .host_id(name.as_str())
                .ok_or_else(|| EventError::UnknownHost { host: name.clone() })
        };
        Ok(match self {
            Self::Crash(h) => Fault::HostCrash(id(h)?),
            Self::Restart(h) => Fault::HostRestart(id(h)?),
            Self::Stop(h, p) => Fault::Stop(id(h)?, *p),
            Self::Start(h, p) => Fault::Start(id(h)?, *p),
            Self::ReplicatorError(h) => Fault::ReplicatorError(id(h)?),
            Self::Partition(groups) => {
                let mut seen = Vec::new();
                let mut ids = Vec::with_capacity(groups.len());
                for group in groups {
                    let mut hosts = Vec::with_capacity(group.len());
                    for name in group {
                        let h = id(name)?;
                        if seen.contains(&h) {
                            return Err(EventError::HostInTwoGroups { host: name.clone() });
                        }
                        seen.push(h);
                        hosts.push(h);
                    }
                    ids.push(hosts);
                }
                let groups: Vec<&[HostId]> = ids.iter().map(Vec::as_slice).collect();
                Fault::Partition(Split::new(&groups).within(topology.hosts().len()))
            }
            Self::Heal => Fault::Heal,
            Self::Write(h) => Fault::Write(id(h)?),
            Self::Drift(h) => Fault::Drift(id(h)?),
            Self::CatchUp(h) => Fault::CatchUp(id(h)?),
            Self::CrossSiteCatchUp(h) => Fault::CrossSiteCatchUp(id(h)?),
        })
    }

    /// Read the words of an event: `line` is line `number` of its input, and may hold
    /// blanks before the event (a prompt blanked out), so that columns stay true.
    ///
    /// # Errors
    /// A [`ParseError`] at the first word (or, in a partition, the first character) that
    /// does not fit, naming what would.
    pub fn parse_line(line: &str, number: usize) -> Result<Self, ParseError> {
        let mut w = Words::new(line, number);
        // `the` and `a` start an event, unless what follows is what happens to a host: a
        // host may be called `the` or `a` (`the crashes`).
        let leads = |w: &Words<'_>, word: &str| {
            let mut ahead = w.clone();
            ahead.next().is_some_and(|f| f.eq_ignore_ascii_case(word))
                && !ahead
                    .peek()
                    .is_some_and(|n| HOST_VERBS.iter().any(|v| v.eq_ignore_ascii_case(n)))
        };
        let event = if leads(&w, "the") {
            w.next();
            Self::after_the(line, number, &mut w)?
        } else if leads(&w, "a") {
            w.next();
            w.one_of(&["client"], "`client`")?;
            w.one_of(&["writes"], "`writes`")?;
            w.one_of(&["to"], "`to`")?;
            Self::Write(w.host("the host written to")?)
        } else {
            let host = w.host(
                "an event: `<host> crashes`, `<host> restarts`, `the <process> on <host> stops`, `the network splits into {...} | {...}`, ...",
            )?;
            match w.one_of(
                &[
                    "crashes", "restarts", "boots", "powers", "drifts", "catches",
                ],
                "what happens to the host",
            )? {
                "crashes" => Self::Crash(host),
                "restarts" | "boots" => Self::Restart(host),
                "powers" => {
                    w.one_of(&["on"], "`on`")?;
                    Self::Restart(host)
                }
                "drifts" => {
                    drift_note(line, &mut w)?;
                    Self::Drift(host)
                }
                _ => {
                    for word in ["up", "with", "its", "master"] {
                        w.one_of_described(&[word], &format!("`{word}`"))?;
                    }
                    Self::CatchUp(host)
                }
            }
        };
        w.end()?;
        Ok(event)
    }

    /// The rest of an event starting `the`.
    fn after_the(line: &str, number: usize, w: &mut Words<'_>) -> Result<Self, ParseError> {
        let subject = w.one_of(&THE_SUBJECTS, "`network`, `cross-site` or a process")?;
        match subject {
            "network" => match w.one_of(&["heals", "splits"], "`heals` or `splits`")? {
                "heals" => Ok(Self::Heal),
                _ => {
                    w.one_of(&["into"], "`into`")?;
                    let groups = partition_groups(line, number, w)?;
                    Ok(Self::Partition(groups))
                }
            },
            "cross-site" => {
                w.one_of(&["replicator"], "`replicator`")?;
                w.one_of(&["on"], "`on`")?;
                let host = w.host("the host")?;
                w.one_of(&["catches"], "`catches`")?;
                w.one_of(&["up"], "`up`")?;
                Ok(Self::CrossSiteCatchUp(host))
            }
            process => {
                let process = PROCESSES
                    .iter()
                    .find(|(word, _)| *word == process)
                    .map_or(Process::Manager, |&(_, p)| p);
                w.one_of(&["on"], "`on`")?;
                let host = w.host("the host")?;
                let verbs: &[&'static str] = if process == Process::Replicator {
                    &["stops", "starts", "fails"]
                } else {
                    &["stops", "starts"]
                };
                match w.one_of(verbs, "what happens to it")? {
                    "stops" => Ok(Self::Stop(host, process)),
                    "starts" => Ok(Self::Start(host, process)),
                    _ => {
                        for word in ["with", "an", "error"] {
                            w.one_of_described(&[word], &format!("`{word}`"))?;
                        }
                        Ok(Self::ReplicatorError(host))
                    }
                }
            }
        }
    }
}

/// The words after `drifts`: the note reports print, whole, or nothing.
fn drift_note(line: &str, w: &mut Words<'_>) -> Result<(), ParseError> {
    let Some(start) = w.next_offset() else {
        return Ok(());
    };
    let rest = line.get(start..).unwrap_or_default().trim_end();
    if rest != DRIFT_NOTE {
        return Err(w.error_next(format!("the end of the event, or `{DRIFT_NOTE}`")));
    }
    w.skip_rest();
    Ok(())
}

/// The groups of a partition, `{a, b} | {c}`, from the words left in `w` (all of them).
fn partition_groups(
    line: &str,
    number: usize,
    w: &mut Words<'_>,
) -> Result<Vec<Vec<HostName>>, ParseError> {
    let Some(start) = w.next_offset() else {
        return Err(w.error_next("the groups, `{db1} | {db2, db3}`"));
    };
    w.skip_rest();
    // What is found at `at`: the word there up to a delimiter, or the delimiter (a review
    // found `{dbé}` reported as found `d`, helper-119 F5).
    let error = |at: usize, expected: &str| {
        let column = line.get(..at).map_or(1, |p| p.chars().count() + 1);
        let rest = line.get(at..).unwrap_or_default().trim_end();
        let word_len = rest
            .find(|c: char| matches!(c, ',' | '{' | '}' | '|') || c.is_whitespace())
            .unwrap_or(rest.len());
        let word = match rest.get(..word_len) {
            Some(w) if !w.is_empty() => w,
            _ => rest
                .chars()
                .next()
                .and_then(|c| rest.get(..c.len_utf8()))
                .unwrap_or_default(),
        };
        let found = if word.is_empty() {
            "the end of the event".to_owned()
        } else {
            format!("`{word}`")
        };
        let len = word.chars().count().max(1);
        ParseError::new(Span::new(number, column, len), expected, found, line)
    };
    let text = line.get(..line.trim_end().len()).unwrap_or(line);
    let mut at = start;
    let skip_blanks = |at: &mut usize| {
        while let Some(c) = text.get(*at..).and_then(|r| r.chars().next())
            && c.is_whitespace()
        {
            *at += c.len_utf8();
        }
    };
    let mut groups = Vec::new();
    loop {
        skip_blanks(&mut at);
        if !text.get(at..).is_some_and(|r| r.starts_with('{')) {
            return Err(error(at, "`{`, a group of hosts"));
        }
        at += 1;
        let mut group = Vec::new();
        loop {
            skip_blanks(&mut at);
            let rest = text.get(at..).unwrap_or_default();
            let len = rest
                .find(|c: char| c == ',' || c == '}' || c.is_whitespace())
                .unwrap_or(rest.len());
            let word = rest.get(..len).unwrap_or_default();
            let host = HostName::new(word).map_err(|_| error(at, "a host name"))?;
            group.push(host);
            at += len;
            skip_blanks(&mut at);
            match text.get(at..).and_then(|r| r.chars().next()) {
                Some(',') => at += 1,
                Some('}') => {
                    at += 1;
                    break;
                }
                _ => return Err(error(at, "`,` or `}`")),
            }
        }
        groups.push(group);
        skip_blanks(&mut at);
        match text.get(at..).and_then(|r| r.chars().next()) {
            Some('|') => at += 1,
            // One group is what a split that separates nothing prints (it heals the network):
            // read back as printed.
            None => return Ok(groups),
            Some(_) => return Err(error(at, "`|` or the end of the event")),
        }
    }
}

impl FromStr for Event {
    type Err = ParseError;

    /// [`Event::parse_line`] on line 1.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_line(s, 1)
    }
}

impl fmt::Display for Event {
    /// The words [`Fault::render`] prints, which read back as this event.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Crash(h) => write!(f, "{h} crashes"),
            Self::Restart(h) => write!(f, "{h} restarts"),
            Self::Stop(h, p) => write!(f, "the {p} on {h} stops"),
            Self::Start(h, p) => write!(f, "the {p} on {h} starts"),
            Self::ReplicatorError(h) => write!(f, "the replicator on {h} fails with an error"),
            Self::Partition(groups) => {
                f.write_str("the network splits into ")?;
                for (i, group) in groups.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" | ")?;
                    }
                    let names: Vec<&str> = group.iter().map(HostName::as_str).collect();
                    write!(f, "{{{}}}", names.join(", "))?;
                }
                Ok(())
            }
            Self::Heal => f.write_str("the network heals"),
            Self::Write(h) => write!(f, "a client writes to {h}"),
            Self::Drift(h) => write!(f, "{h} drifts {DRIFT_NOTE}"),
            Self::CatchUp(h) => write!(f, "{h} catches up with its master"),
            Self::CrossSiteCatchUp(h) => {
                write!(f, "the cross-site replicator on {h} catches up")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A partition's error names the whole word it found, not its first character
    /// (helper-119 F5).
    #[test]
    fn a_partitions_error_names_the_word_it_found() {
        let error = "the network splits into {dbé} | {db2}"
            .parse::<Event>()
            .unwrap_err();
        assert_eq!(error.found(), "`dbé`");
        assert_eq!((error.span().column, error.span().len), (26, 3));
        let error = "the network splits into {db1 db2} | {db3}"
            .parse::<Event>()
            .unwrap_err();
        assert_eq!(error.found(), "`db2`");
        let error = "the network splits into {db1,} | {db2}"
            .parse::<Event>()
            .unwrap_err();
        assert_eq!(error.found(), "`}`");
    }

    fn three() -> Topology {
        Topology::single("alpha", &["db1", "db2", "db3"]).unwrap()
    }

    /// Every fault over a topology prints as words that read back as the same event and
    /// resolve to the same fault.
    #[test]
    fn every_fault_reads_back_from_its_words() {
        let t = three();
        let processes = PROCESSES.map(|(_, p)| p);
        let mut faults = vec![Fault::Heal];
        for h in t.host_ids() {
            faults.extend([
                Fault::HostCrash(h),
                Fault::HostRestart(h),
                Fault::ReplicatorError(h),
                Fault::Write(h),
                Fault::Drift(h),
                Fault::CatchUp(h),
                Fault::CrossSiteCatchUp(h),
                Fault::Partition(Split::new(&[&[], &[h]]).within(3)),
            ]);
            for p in processes {
                faults.extend([Fault::Stop(h, p), Fault::Start(h, p)]);
            }
        }
        let [db1, db2, db3] = ["db1", "db2", "db3"].map(|n| t.host_id(n).unwrap());
        faults.push(Fault::Partition(
            Split::new(&[&[db1], &[db2], &[db3]]).within(3),
        ));
        for fault in faults {
            let words = fault.render(&t);
            let event: Event = words.parse().unwrap_or_else(|e| panic!("{words}: {e}"));
            assert_eq!(event, Event::of(fault, &t), "{words}");
            assert_eq!(event.resolve(&t), Ok(fault), "{words}");
        }
    }

    /// The other spellings of a host coming back, any case, and a drift without its note.
    #[test]
    fn a_host_comes_back_in_other_words_too() {
        for words in [
            "db1 restarts",
            "db1 boots",
            "db1 powers on",
            "DB1 Powers On",
        ] {
            let event: Event = words.parse().unwrap();
            assert!(matches!(&event, Event::Restart(h) if h.as_str().eq_ignore_ascii_case("db1")));
        }
        // Hosts called `the` or `a`.
        for words in [
            "the crashes",
            "a restarts",
            "the manager on the stops",
            "a client writes to a",
        ] {
            let event: Event = words.parse().unwrap_or_else(|e| panic!("{words}: {e}"));
            assert_eq!(event.to_string(), words);
        }
        assert_eq!(
            "db2 drifts".parse::<Event>().unwrap(),
            Event::Drift(HostName::new("db2").unwrap())
        );
        assert_eq!(
            "the network splits into {db1,db2}|{db3}"
                .parse::<Event>()
                .unwrap()
                .to_string(),
            "the network splits into {db1, db2} | {db3}"
        );
    }

    /// A word or character that does not fit is an error at its column, naming what would.
    #[test]
    fn a_misspelt_event_is_an_error_at_its_column() {
        for (words, column, expected) in [
            ("db1 crashed", 5, "what happens to the host"),
            ("the manger on db1 stops", 5, "a process"),
            (
                "the manager on db1 fails with an error",
                20,
                "stops or starts",
            ),
            ("the replicator on db1 fails with a error", 34, "`an`"),
            ("the network splits into {db1} {db2}", 31, "`|` or the end"),
            ("the network splits into {db1 | {db2}", 30, "`,` or `}`"),
            ("the network splits into {} | {db2}", 26, "a host name"),
            ("the network splits into db1 | db2", 25, "`{`"),
            ("db1 drifts a lot", 12, "the end of the event"),
            ("db1 crashes now", 13, "the end of the command"),
            ("", 1, "an event"),
        ] {
            let e = words.parse::<Event>().unwrap_err();
            assert_eq!(e.span().column, column, "{words}: {e}");
            assert!(e.expected().contains(expected), "{words}: {e}");
        }
    }

    /// Names are checked against the topology when the event runs.
    #[test]
    fn an_event_naming_what_the_topology_lacks_does_not_resolve() {
        let t = three();
        let resolve = |words: &str| words.parse::<Event>().unwrap().resolve(&t);
        let host = |name: &str| HostName::new(name).unwrap();
        assert_eq!(
            resolve("db9 crashes"),
            Err(EventError::UnknownHost { host: host("db9") })
        );
        assert_eq!(
            resolve("the network splits into {db1, db2} | {db2}"),
            Err(EventError::HostInTwoGroups { host: host("db2") })
        );
        assert_eq!(
            resolve("the network splits into {db1, db2, db3} | {db1}"),
            Err(EventError::HostInTwoGroups { host: host("db1") })
        );
        // An unknown host in a partition is named as such, wherever it stands.
        assert_eq!(
            resolve("the network splits into {db1} | {db2, db7}"),
            Err(EventError::UnknownHost { host: host("db7") })
        );
        // Hosts no group names stay with the first.
        let Ok(Fault::Partition(split)) = resolve("the network splits into {db1} | {db3}") else {
            panic!("a partition");
        };
        assert_eq!(split.describe(&t), "{db1, db2} | {db3}");
    }
}
