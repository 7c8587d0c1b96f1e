//! The STATUS line of an `ls` datasource block: alert status and its timestamp.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The alert status printed on a datasource's `STATUS [..]` line.
///
/// Source: open-source code `DataSourceAlertStatus`; Continuent docs *operations-status*.
/// Usually ONLINE prints OK, ONLINE with a faulty component DIMINISHED (with a `REASON[..]`
/// line), FAILED prints CRITICAL and SHUNNED prints SHUNNED. It is nevertheless data of its
/// own, not derived: the manager refreshes it on its own schedule, and seed 004 shows a
/// datasource `SHUNNED(FAILSAFE_SHUN)` whose STATUS is still `OK`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "UPPERCASE")]
#[strum(serialize_all = "UPPERCASE")]
#[strum(parse_err_ty = crate::text::UnknownName, parse_err_fn = crate::text::UnknownName::of::<Self>)]
pub enum AlertStatus {
    /// All components healthy.
    Ok,
    /// A warning condition.
    Warn,
    /// Serving, but a component is faulty.
    Diminished,
    /// Failed.
    Critical,
    /// Shunned.
    Shunned,
    /// Not known.
    Unknown,
}

/// AM or PM on a STATUS timestamp.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[strum(serialize_all = "UPPERCASE")]
#[strum(parse_err_ty = crate::text::UnknownName, parse_err_fn = crate::text::UnknownName::of::<Self>)]
#[serde(rename_all = "UPPERCASE")]
pub enum Meridiem {
    /// Before noon.
    Am,
    /// Noon and after.
    Pm,
}

/// The timestamp on a STATUS line, as the manager prints it:
/// `2025/06/04 01:51:34 PM UTC` (12-hour clock, zone abbreviation).
///
/// The model never reads a clock: this is world data carried from a listing to its
/// rendering. Fields are checked for range; the zone is kept as printed.
///
/// ```
/// use tungsten_model::model::StatusTime;
/// let t: StatusTime = "2025/06/04 01:51:34 PM UTC".parse()?;
/// assert_eq!(t.to_string(), "2025/06/04 01:51:34 PM UTC");
/// assert!("2025/13/04 01:51:34 PM UTC".parse::<StatusTime>().is_err());
/// # Ok::<(), tungsten_model::model::StatusTimeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "StatusTimeFields")]
pub struct StatusTime {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    meridiem: Meridiem,
    zone: String,
}

/// A [`StatusTime`]'s fields as JSON holds them, checked by [`StatusTime::new`] on the way in
/// (found by an API review: month 13 and hour 0 loaded, and printed a listing the parser
/// rejects).
#[derive(Deserialize)]
struct StatusTimeFields {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    meridiem: Meridiem,
    zone: String,
}

impl TryFrom<StatusTimeFields> for StatusTime {
    type Error = StatusTimeError;

    fn try_from(f: StatusTimeFields) -> Result<Self, Self::Error> {
        Self::new(
            f.year, f.month, f.day, f.hour, f.minute, f.second, f.meridiem, f.zone,
        )
    }
}

/// Why text is not a [`StatusTime`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error(
    "`{0}` is not a status time: expected `yyyy/mm/dd hh:mm:ss AM|PM ZONE`, e.g. `2025/06/04 01:51:34 PM UTC`"
)]
pub struct StatusTimeError(String);

impl StatusTime {
    /// A checked timestamp. `hour` is on the 12-hour clock (1..=12); `year` has at most four
    /// digits, as `ls` prints it (`yyyy`), so that every time built prints as text that reads
    /// back (a library user's review found year 10000 accepted and printed as a listing the
    /// parser refuses).
    ///
    /// # Errors
    /// [`StatusTimeError`] if a field is out of range (`year` past 9999 included) or `zone`
    /// is not a single word of letters, digits, `+`, `-` or `:`.
    #[expect(clippy::too_many_arguments, reason = "one argument per printed field")]
    pub fn new(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        meridiem: Meridiem,
        zone: impl Into<String>,
    ) -> Result<Self, StatusTimeError> {
        let zone = zone.into();
        let t = Self {
            year,
            month,
            day,
            hour,
            minute,
            second,
            meridiem,
            zone,
        };
        let zone_ok = !t.zone.is_empty()
            && t.zone.len() <= 32
            && t.zone
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | ':' | '_' | '/'));
        if year <= 9999
            && (1..=12).contains(&month)
            && (1..=31).contains(&day)
            && (1..=12).contains(&hour)
            && minute < 60
            && second < 61
            && zone_ok
        {
            Ok(t)
        } else {
            Err(StatusTimeError(t.to_string()))
        }
    }

    /// The zone abbreviation as printed (`UTC`, `BST`, ...).
    #[must_use]
    pub fn zone(&self) -> &str {
        &self.zone
    }
}

impl fmt::Display for StatusTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}/{:02}/{:02} {:02}:{:02}:{:02} {} {}",
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            self.meridiem,
            self.zone
        )
    }
}

impl FromStr for StatusTime {
    type Err = StatusTimeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || StatusTimeError(s.to_owned());
        let mut words = s.split_whitespace();
        let (Some(date), Some(time), Some(meridiem), Some(zone), None) = (
            words.next(),
            words.next(),
            words.next(),
            words.next(),
            words.next(),
        ) else {
            return Err(bad());
        };
        let numbers = |text: &str, sep: char, widths: [usize; 3]| -> Option<[u16; 3]> {
            let mut out = [0_u16; 3];
            let mut parts = text.split(sep);
            for (slot, width) in out.iter_mut().zip(widths) {
                let part = parts.next()?;
                if part.len() != width || !part.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                *slot = part.parse().ok()?;
            }
            parts.next().is_none().then_some(out)
        };
        let [year, month, day] = numbers(date, '/', [4, 2, 2]).ok_or_else(bad)?;
        let [hour, minute, second] = numbers(time, ':', [2, 2, 2]).ok_or_else(bad)?;
        let meridiem: Meridiem = meridiem.parse().map_err(|_| bad())?;
        let small = |n: u16| u8::try_from(n).map_err(|_| bad());
        Self::new(
            year,
            small(month)?,
            small(day)?,
            small(hour)?,
            small(minute)?,
            small(second)?,
            meridiem,
            zone,
        )
        .map_err(|_| bad())
    }
}

impl crate::text::Named for AlertStatus {
    const WHAT: &'static str = "a status";
}

impl crate::text::Named for Meridiem {
    const WHAT: &'static str = "an AM or PM marker";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_time_round_trip_and_refusals() {
        for ok in ["2025/06/04 01:51:34 PM UTC", "2013/12/31 12:00:00 AM BST"] {
            assert_eq!(ok.parse::<StatusTime>().unwrap().to_string(), ok);
        }
        for bad in [
            "2025/06/04 13:51:34 PM UTC",
            "2025/06/04 01:51:34 XM UTC",
            "2025/6/04 01:51:34 PM UTC",
            "2025/06/04 01:51:34 PM",
            "2025/06/04 01:51:34 PM UTC extra",
        ] {
            assert!(bad.parse::<StatusTime>().is_err(), "{bad}");
        }
    }

    /// Every time `new` accepts prints as text that reads back as itself: the year has four
    /// digits at most, as `ls` prints it (year 10000 was accepted, printed five digits, and
    /// the listing holding it did not parse back).
    #[test]
    fn every_status_time_built_reads_back() {
        for year in [0, 2025, 9999] {
            let t = StatusTime::new(year, 1, 2, 3, 4, 5, Meridiem::Am, "UTC").unwrap();
            assert_eq!(t.to_string().parse::<StatusTime>(), Ok(t.clone()), "{t}");
        }
        for year in [10_000, u16::MAX] {
            assert!(
                StatusTime::new(year, 1, 2, 3, 4, 5, Meridiem::Am, "UTC").is_err(),
                "{year}"
            );
        }
        let t: StatusTime = "2025/06/04 01:51:34 PM UTC".parse().unwrap();
        let json = serde_json::to_string(&t).unwrap().replace("2025", "10000");
        assert!(serde_json::from_str::<StatusTime>(&json).is_err(), "{json}");
    }

    /// JSON is checked as text is: a time out of range does not load (an API review loaded
    /// month 13 and hour 0, which printed a listing the parser rejects).
    #[test]
    fn status_time_from_json_is_checked() {
        let t: StatusTime = "2025/06/04 01:51:34 PM UTC".parse().unwrap();
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<StatusTime>(&json).unwrap(), t);
        for (field, bad) in [
            ("\"month\":6", "\"month\":13"),
            ("\"hour\":1", "\"hour\":0"),
            ("\"zone\":\"UTC\"", "\"zone\":\"New York\""),
        ] {
            assert!(json.contains(field), "{json}");
            let broken = json.replace(field, bad);
            assert!(
                serde_json::from_str::<StatusTime>(&broken).is_err(),
                "{broken}"
            );
        }
    }

    #[test]
    fn alert_status_spelling() {
        assert_eq!(
            "DIMINISHED".parse::<AlertStatus>().unwrap(),
            AlertStatus::Diminished
        );
        assert_eq!(AlertStatus::Ok.to_string(), "OK");
    }
}
