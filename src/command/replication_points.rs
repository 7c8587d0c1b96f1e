//! Points in a replication stream as trepctl's options name them: the seqnos `online
//! -skip-seqno` skips and the point where `online -until-*` or `offline-deferred -at-*` takes
//! the replicator offline. Source: Continuent docs *cmdline-tools-trepctl-command-online*,
//! *trepctl-offline-deferred* and *operations-transactions-skipping*.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::option_value::OptionValue;
use super::words::Words;
use crate::model::Seqno;
use crate::text::ParseError;

/// The seqnos `trepctl online -skip-seqno` skips, as written: single seqnos and inclusive
/// ranges separated by commas (`10`, `10-20`, `10,12-14,16,19-20`).
///
/// A set holds at least one range and no range's first seqno is above its last, however it
/// is built ([`SeqnoSet::new`], parsing, or deserialising, which is checked the same way),
/// so it always prints as a `-skip-seqno` argument that reads back.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "SeqnoRanges", into = "SeqnoRanges")]
pub struct SeqnoSet {
    ranges: Vec<(Seqno, Seqno)>,
}

/// The serialised form of a [`SeqnoSet`], checked on the way in.
#[derive(Serialize, Deserialize)]
struct SeqnoRanges {
    ranges: Vec<(Seqno, Seqno)>,
}

/// Why ranges do not make a [`SeqnoSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SeqnoSetError {
    /// No range at all: `-skip-seqno` takes at least one seqno.
    #[error("no seqno to skip: expected at least one seqno or range")]
    Empty,
    /// A range whose first seqno is above its last (trepctl's `SEQDEF` is `lo-hi`).
    #[error("range {first}-{last} runs backwards: expected its first seqno not above its last")]
    Backwards {
        /// The range's first seqno.
        first: Seqno,
        /// The range's last seqno.
        last: Seqno,
    },
}

impl SeqnoSet {
    /// The set of these inclusive ranges, in this order.
    ///
    /// # Errors
    ///
    /// [`SeqnoSetError::Empty`] for no range, [`SeqnoSetError::Backwards`] for the first
    /// range whose first seqno is above its last.
    ///
    /// ```
    /// use tungsten_model::command::{SeqnoSet, SeqnoSetError};
    /// use tungsten_model::model::Seqno;
    ///
    /// let s = |n| Seqno::new(n).unwrap();
    /// assert_eq!(SeqnoSet::new(vec![(s(10), s(10)), (s(12), s(14))]).unwrap().to_string(), "10,12-14");
    /// assert_eq!(SeqnoSet::new(vec![]), Err(SeqnoSetError::Empty));
    /// assert!(SeqnoSet::new(vec![(s(14), s(12))]).is_err());
    /// ```
    pub fn new(ranges: Vec<(Seqno, Seqno)>) -> Result<Self, SeqnoSetError> {
        if ranges.is_empty() {
            return Err(SeqnoSetError::Empty);
        }
        if let Some(&(first, last)) = ranges.iter().find(|(lo, hi)| lo > hi) {
            return Err(SeqnoSetError::Backwards { first, last });
        }
        Ok(Self { ranges })
    }

    /// The one seqno `seqno`.
    #[must_use]
    pub fn single(seqno: Seqno) -> Self {
        Self {
            ranges: vec![(seqno, seqno)],
        }
    }

    /// The inclusive ranges in the order written (a single seqno is a range of one).
    #[must_use]
    pub fn ranges(&self) -> &[(Seqno, Seqno)] {
        &self.ranges
    }

    /// Whether `seqno` is skipped.
    #[must_use]
    pub fn contains(&self, seqno: Seqno) -> bool {
        self.ranges
            .iter()
            .any(|&(lo, hi)| lo <= seqno && seqno <= hi)
    }

    /// Read a set from the next word of `w`.
    pub(crate) fn parse(w: &mut Words<'_>) -> Result<Self, ParseError> {
        const WHAT: &str = "seqnos to skip (each from 0 to 9223372036854775807), such as `10`, `10-20` or `10,12-14`";
        let word = w.next().ok_or_else(|| w.error_next(WHAT))?;
        let mut ranges = Vec::new();
        let mut offset = 0;
        for part in word.split(',') {
            let bad =
                || w.error_inside_previous(offset, part.chars().count(), WHAT, format!("`{part}`"));
            let (lo, hi) = match part.split_once('-') {
                Some((lo, hi)) => (lo, hi),
                None => (part, part),
            };
            let lo = Seqno::from_digits(lo).ok_or_else(bad)?;
            let hi = Seqno::from_digits(hi).ok_or_else(bad)?;
            if lo > hi {
                return Err(w.error_inside_previous(
                    offset,
                    part.chars().count(),
                    "a range whose first seqno is not above its last",
                    format!("`{part}`"),
                ));
            }
            ranges.push((lo, hi));
            offset += part.chars().count() + 1;
        }
        Ok(Self { ranges })
    }
}

impl TryFrom<SeqnoRanges> for SeqnoSet {
    type Error = SeqnoSetError;

    fn try_from(raw: SeqnoRanges) -> Result<Self, Self::Error> {
        Self::new(raw.ranges)
    }
}

impl From<SeqnoSet> for SeqnoRanges {
    fn from(set: SeqnoSet) -> Self {
        Self { ranges: set.ranges }
    }
}

impl FromStr for SeqnoSet {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut w = Words::new(s, 1);
        let set = Self::parse(&mut w)?;
        w.end()?;
        Ok(set)
    }
}

impl fmt::Display for SeqnoSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &(lo, hi)) in self.ranges.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if lo == hi {
                write!(f, "{lo}")?;
            } else {
                write!(f, "{lo}-{hi}")?;
            }
        }
        Ok(())
    }
}

/// Where the replicator goes offline: `-until-*` of `online`, `-at-*` of `offline-deferred`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopPoint {
    /// `seqno N`: after the event with that seqno.
    Seqno(Seqno),
    /// `event ID`: at a native event id (a binlog position), kept verbatim.
    Event(OptionValue),
    /// `heartbeat [NAME]`: at the next heartbeat, or the next one with that name.
    Heartbeat(Option<OptionValue>),
    /// `time YYYY-MM-DD_hh:mm:ss`: at that time, kept verbatim.
    Time(StopTime),
}

/// The time of `-until-time`/`-at-time`: `YYYY-MM-DD_hh:mm:ss` (Continuent docs
/// *cmdline-tools-trepctl-command-online*), kept as typed. Only the digits and separators are
/// checked (**modelling decision**: the model never compares times, so `2026-13-40_25:00:00`
/// is read as trepctl would be given it).
///
/// ```
/// use tungsten_model::command::StopTime;
///
/// assert!(StopTime::new("2026-12-05_12:00:00").is_ok());
/// assert!(StopTime::new("2026-12-05 12:00:00").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StopTime(String);

/// A time not written `YYYY-MM-DD_hh:mm:ss`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a time as YYYY-MM-DD_hh:mm:ss")]
pub struct StopTimeError(pub String);

impl StopTime {
    /// `time` as a stop time, or an error when it is not `YYYY-MM-DD_hh:mm:ss`.
    ///
    /// # Errors
    /// [`StopTimeError`], holding the text refused.
    pub fn new(time: impl Into<String>) -> Result<Self, StopTimeError> {
        let time = time.into();
        if is_time(&time) {
            Ok(Self(time))
        } else {
            Err(StopTimeError(time))
        }
    }

    /// The time as typed.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for StopTime {
    type Error = StopTimeError;

    fn try_from(time: String) -> Result<Self, Self::Error> {
        Self::new(time)
    }
}

impl From<StopTime> for String {
    fn from(time: StopTime) -> Self {
        time.0
    }
}

impl fmt::Display for StopTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl StopPoint {
    /// The option's suffix: `seqno`, `event`, `heartbeat` or `time`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Seqno(_) => "seqno",
            Self::Event(_) => "event",
            Self::Heartbeat(_) => "heartbeat",
            Self::Time(_) => "time",
        }
    }

    /// Read the argument of `<prefix>-<kind>` (the option word is taken already).
    pub(crate) fn parse(kind: &str, w: &mut Words<'_>) -> Result<Self, ParseError> {
        Ok(match kind {
            "seqno" => Self::Seqno(seqno(w)?),
            "event" => Self::Event(OptionValue::parse(w, "an event id")?),
            "heartbeat" => match w.peek() {
                Some(name) if !name.starts_with('-') => {
                    Self::Heartbeat(Some(OptionValue::parse(w, "a heartbeat name")?))
                }
                _ => Self::Heartbeat(None),
            },
            _ => {
                const WHAT: &str = "a time as YYYY-MM-DD_hh:mm:ss";
                let word = w.next().ok_or_else(|| w.error_next(WHAT))?;
                Self::Time(StopTime::new(word).map_err(|_| w.error_previous(WHAT))?)
            }
        })
    }
}

impl fmt::Display for StopPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Seqno(n) => write!(f, "seqno {n}"),
            Self::Event(e) => write!(f, "event {e}"),
            Self::Heartbeat(None) => f.write_str("heartbeat"),
            Self::Heartbeat(Some(name)) => write!(f, "heartbeat {name}"),
            Self::Time(t) => write!(f, "time {t}"),
        }
    }
}

/// The next word of `w` as a seqno (at most [`Seqno::MAX`]).
pub(super) fn seqno(w: &mut Words<'_>) -> Result<Seqno, ParseError> {
    let word = w.next().ok_or_else(|| w.error_next(Seqno::EXPECTED))?;
    Seqno::from_digits(word).ok_or_else(|| w.error_previous(Seqno::EXPECTED))
}

/// `YYYY-MM-DD_hh:mm:ss`: digits where the pattern has them, the separators where it has them.
fn is_time(word: &str) -> bool {
    const PATTERN: &[u8] = b"dddd-dd-dd_dd:dd:dd";
    word.len() == PATTERN.len()
        && word.bytes().zip(PATTERN).all(|(c, &p)| {
            if p == b'd' {
                c.is_ascii_digit()
            } else {
                c == p
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(text: &str) -> Result<SeqnoSet, ParseError> {
        SeqnoSet::parse(&mut Words::new(text, 1))
    }

    #[test]
    fn seqno_sets_read_as_the_docs_write_them() {
        let s = set("10,12-14,16,19-20").unwrap();
        let ranges: Vec<(u64, u64)> = s
            .ranges()
            .iter()
            .map(|(lo, hi)| (lo.get(), hi.get()))
            .collect();
        assert_eq!(ranges, [(10, 10), (12, 14), (16, 16), (19, 20)]);
        assert_eq!(s.to_string(), "10,12-14,16,19-20");
        let applied: Vec<u64> = (10..=21)
            .filter(|&n| !s.contains(Seqno::new(n).unwrap()))
            .collect();
        assert_eq!(applied, [11, 15, 17, 18, 21]);
    }

    /// A set built or deserialised holds at least one range and none backwards, so it prints
    /// as an argument that reads back; its serialised form is the ranges as number pairs.
    #[test]
    fn seqno_sets_are_checked_however_built() {
        let n = Seqno::from;
        let set = SeqnoSet::new(vec![(n(10), n(10)), (n(12), n(14))]).unwrap();
        assert_eq!(set.to_string().parse::<SeqnoSet>(), Ok(set.clone()));
        let json = serde_json::to_string(&set).unwrap();
        assert_eq!(json, r#"{"ranges":[[10,10],[12,14]]}"#);
        assert_eq!(serde_json::from_str::<SeqnoSet>(&json).unwrap(), set);
        assert_eq!(SeqnoSet::new(vec![]), Err(SeqnoSetError::Empty));
        assert_eq!(
            SeqnoSet::new(vec![(n(10), n(10)), (n(14), n(12))]),
            Err(SeqnoSetError::Backwards {
                first: n(14),
                last: n(12)
            })
        );
        let refused = |json: &str| {
            serde_json::from_str::<SeqnoSet>(json)
                .unwrap_err()
                .to_string()
        };
        insta::assert_snapshot!(refused(r#"{"ranges":[]}"#), @"no seqno to skip: expected at least one seqno or range");
        insta::assert_snapshot!(refused(r#"{"ranges":[[14,12]]}"#), @"range 14-12 runs backwards: expected its first seqno not above its last");
        insta::assert_snapshot!(refused(r#"{"ranges":[[1,9223372036854775808]]}"#), @"seqno 9223372036854775808 is past the largest a replicator holds, 9223372036854775807 at line 1 column 34");
        assert!(SeqnoSet::single(n(7)).contains(n(7)));
        assert!(!SeqnoSet::single(n(7)).contains(n(8)));
    }

    #[test]
    fn bad_seqno_sets_name_the_part() {
        insta::assert_snapshot!(set("10,1x-3").unwrap_err(), @"line 1, column 4: expected seqnos to skip (each from 0 to 9223372036854775807), such as `10`, `10-20` or `10,12-14`, found `1x-3`");
        insta::assert_snapshot!(set("10,20-12").unwrap_err(), @"line 1, column 4: expected a range whose first seqno is not above its last, found `20-12`");
        insta::assert_snapshot!(set("").unwrap_err(), @"line 1, column 1: expected seqnos to skip (each from 0 to 9223372036854775807), such as `10`, `10-20` or `10,12-14`, found the end of the command");
        insta::assert_snapshot!(set("5,+6").unwrap_err(), @"line 1, column 3: expected seqnos to skip (each from 0 to 9223372036854775807), such as `10`, `10-20` or `10,12-14`, found `+6`");
        // One past the largest seqno, at either end of a range; the largest itself reads.
        insta::assert_snapshot!(set("1-9223372036854775808").unwrap_err(), @"line 1, column 1: expected seqnos to skip (each from 0 to 9223372036854775807), such as `10`, `10-20` or `10,12-14`, found `1-9223372036854775808`");
        insta::assert_snapshot!(set("9223372036854775808").unwrap_err(), @"line 1, column 1: expected seqnos to skip (each from 0 to 9223372036854775807), such as `10`, `10-20` or `10,12-14`, found `9223372036854775808`");
        assert!(set("0-9223372036854775807").is_ok());
    }

    /// A stop point's kind is the option suffix it prints after, and a heartbeat's name is
    /// never the next option (cargo-mutants: `kind` answering any one string, and a name
    /// read from a word starting with `-`, went unnoticed).
    #[test]
    fn stop_points_name_their_kind_and_leave_the_next_option() {
        let point = |kind: &str, text: &str| StopPoint::parse(kind, &mut Words::new(text, 1));
        for (kind, text) in [
            ("seqno", "42"),
            ("event", "mysql-bin.000032:0000000473863524"),
            ("heartbeat", "dataload"),
            ("heartbeat", ""),
            ("time", "2013-09-03_15:00:00"),
        ] {
            let p = point(kind, text).unwrap();
            assert_eq!(p.kind(), kind, "{p:?}");
            assert_eq!(p.to_string(), format!("{kind} {text}").trim_end());
        }
        let mut w = Words::new("-skip-seqno 5", 1);
        assert_eq!(
            StopPoint::parse("heartbeat", &mut w),
            Ok(StopPoint::Heartbeat(None))
        );
        assert_eq!(w.next(), Some("-skip-seqno"));
    }

    #[test]
    fn times_follow_the_documented_pattern() {
        assert!(is_time("2013-09-03_15:00:00"));
        assert!(!is_time("2013-09-03 15:00:00"));
        assert!(!is_time("2013-9-03_15:00:00"));
        assert!(!is_time("2013-09-03_15:00:0x"));
    }
}
