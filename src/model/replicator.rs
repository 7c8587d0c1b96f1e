//! The replicator: its role, its state and its position in the transaction history (THL).

use std::fmt;

use serde::{Deserialize, Serialize};

/// The role a replicator plays, as `trepctl setrole -role R` sets it and `ls` prints it.
///
/// Source: `trepctl` help; open-source code `OpenReplicatorManager`. Input accepts
/// `primary`/`replica` for master/slave.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case", ascii_case_insensitive)]
#[strum(parse_err_ty = crate::text::UnknownName, parse_err_fn = crate::text::UnknownName::of::<Self>)]
pub enum ReplicatorRole {
    /// Extracts transactions from its dataserver's binary log into THL.
    #[strum(to_string = "master", serialize = "primary")]
    #[serde(alias = "primary")]
    Master,
    /// Applies THL fetched from a master.
    #[default]
    #[strum(to_string = "slave", serialize = "replica")]
    #[serde(alias = "replica")]
    Slave,
    /// Applies from a master of another site and serves THL to its own site.
    Relay,
    /// Serves THL only.
    ThlServer,
    /// Fetches THL only.
    ThlClient,
    /// Applies THL only.
    ThlApplier,
}

impl ReplicatorRole {
    /// Every role, in declaration order.
    pub const ALL: [Self; 6] = [
        Self::Master,
        Self::Slave,
        Self::Relay,
        Self::ThlServer,
        Self::ThlClient,
        Self::ThlApplier,
    ];

    /// Whether this role extracts new transactions (the source of a service's history).
    #[must_use]
    pub fn extracts(self) -> bool {
        self == Self::Master
    }

    /// Whether this role reads transactions from another replicator: every role but master and
    /// thl-server. All of them apply what they read to their dataserver except a thl-client
    /// (see [`Self::applies_to_dataserver`]).
    #[must_use]
    pub fn applies(self) -> bool {
        matches!(
            self,
            Self::Slave | Self::Relay | Self::ThlClient | Self::ThlApplier
        )
    }

    /// Whether this role writes what it reads into its dataserver: every reading role but a
    /// thl-client, which only stores the THL (Continuent docs *operations-status-repl-roles*).
    #[must_use]
    pub fn applies_to_dataserver(self) -> bool {
        self.applies() && self != Self::ThlClient
    }
}

/// The state of a replicator, in the `PARENT:CHILD` spelling `trepctl status` prints, plus the
/// summaries the manager prints in `ls` (`OFFLINE`, `STOPPED`, `DEGRADED`,
/// `STATUS NOT AVAILABLE`).
///
/// Source: open-source code `OpenReplicatorManager` (state machine); Continuent docs
/// *operations-status* for the manager's spellings. Only `OFFLINE:NORMAL` accepts `setrole`;
/// `online` is accepted from `OFFLINE:NORMAL` and `OFFLINE:ERROR`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[strum(ascii_case_insensitive)]
#[strum(parse_err_ty = crate::text::UnknownName, parse_err_fn = crate::text::UnknownName::of::<Self>)]
#[non_exhaustive]
pub enum ReplicatorState {
    /// `ONLINE`: replicating.
    #[strum(to_string = "ONLINE")]
    #[serde(rename = "ONLINE")]
    Online,
    /// `OFFLINE:NORMAL`: stopped cleanly; accepts `setrole`, `reset`, `online`.
    #[default]
    #[strum(to_string = "OFFLINE:NORMAL")]
    #[serde(rename = "OFFLINE:NORMAL")]
    OfflineNormal,
    /// `OFFLINE:ERROR`: stopped by an error; accepts `online` (after the cause is fixed).
    #[strum(to_string = "OFFLINE:ERROR")]
    #[serde(rename = "OFFLINE:ERROR")]
    OfflineError,
    /// `OFFLINE:NORMAL:RESTORING`: a restore is under way.
    #[strum(to_string = "OFFLINE:NORMAL:RESTORING")]
    #[serde(rename = "OFFLINE:NORMAL:RESTORING")]
    OfflineNormalRestoring,
    /// `GOING-ONLINE:SYNCHRONIZING`: connecting to its master and catching up.
    #[strum(to_string = "GOING-ONLINE:SYNCHRONIZING")]
    #[serde(rename = "GOING-ONLINE:SYNCHRONIZING")]
    GoingOnlineSynchronizing,
    /// `GOING-ONLINE:PROVISIONING`: being provisioned.
    #[strum(to_string = "GOING-ONLINE:PROVISIONING")]
    #[serde(rename = "GOING-ONLINE:PROVISIONING")]
    GoingOnlineProvisioning,
    /// `GOING-ONLINE:RESTORING`: restoring before going online.
    #[strum(to_string = "GOING-ONLINE:RESTORING")]
    #[serde(rename = "GOING-ONLINE:RESTORING")]
    GoingOnlineRestoring,
    /// `GOING-OFFLINE`: on its way to OFFLINE.
    #[strum(to_string = "GOING-OFFLINE")]
    #[serde(rename = "GOING-OFFLINE")]
    GoingOffline,
    /// `OFFLINE` as the manager summarises it in `ls`.
    #[strum(to_string = "OFFLINE")]
    #[serde(rename = "OFFLINE")]
    Offline,
    /// `STOPPED`: the process is not running.
    #[strum(to_string = "STOPPED")]
    #[serde(rename = "STOPPED")]
    Stopped,
    /// `DEGRADED`: running but in trouble, as the manager reports it.
    #[strum(to_string = "DEGRADED")]
    #[serde(rename = "DEGRADED")]
    Degraded,
    /// `SUSPECT`: the manager doubts the replicator's health (seen in 4.0 `ls` output).
    #[strum(to_string = "SUSPECT")]
    #[serde(rename = "SUSPECT")]
    Suspect,
    /// `STATUS NOT AVAILABLE`: the manager cannot reach the replicator.
    #[strum(to_string = "STATUS NOT AVAILABLE")]
    #[serde(rename = "STATUS NOT AVAILABLE")]
    StatusNotAvailable,
}

impl ReplicatorState {
    /// Whether the replicator is online (or on its way, synchronizing): what failover candidate
    /// selection accepts (Continuent docs *manual-switch-versus-automatic-failover*).
    #[must_use]
    pub fn is_online_or_synchronizing(self) -> bool {
        matches!(self, Self::Online | Self::GoingOnlineSynchronizing)
    }

    /// Whether the engine's state can hold this state: `ONLINE`, `OFFLINE:NORMAL` and
    /// `OFFLINE:ERROR` (transitions are atomic, so the transient `GOING-*` states and
    /// `OFFLINE:NORMAL:RESTORING` are not modelled).
    #[must_use]
    pub fn is_modelled(self) -> bool {
        matches!(
            self,
            Self::Online | Self::OfflineNormal | Self::OfflineError
        )
    }

    /// Whether this is a word only the manager prints, summarising the replicator in `ls`
    /// (`OFFLINE`, `STOPPED`, `DEGRADED`, `SUSPECT`, `STATUS NOT AVAILABLE`), not a state
    /// trepctl reports. Continuent docs *operations-status-states* list the replicator's own:
    /// START, OFFLINE:NORMAL, OFFLINE:ERROR, GOING-ONLINE:*, ONLINE and GOING-OFFLINE.
    #[must_use]
    pub fn is_manager_summary(self) -> bool {
        matches!(
            self,
            Self::Offline
                | Self::Stopped
                | Self::Degraded
                | Self::Suspect
                | Self::StatusNotAvailable
        )
    }

    /// Whether the replicator is in one of the offline states.
    #[must_use]
    pub fn is_offline(self) -> bool {
        matches!(
            self,
            Self::OfflineNormal | Self::OfflineError | Self::OfflineNormalRestoring | Self::Offline
        )
    }
}

/// A THL sequence number, from 0 to [`Seqno::MAX`]. Sequence numbers increase across a
/// service's whole history.
///
/// `ls` and `trepctl` print `-1` for "none yet / unknown"; the model uses `Option<Seqno>` for
/// that and keeps `-1` at the text edge only. A `Seqno` is built checked ([`Seqno::new`],
/// `TryFrom<u64>`, or deserialised from a number, which is checked the same way), so every
/// seqno a command or a listing holds prints as a line that reads back.
///
/// ```
/// use tungsten_model::model::Seqno;
///
/// assert_eq!(Seqno::new(42).map(Seqno::get), Some(42));
/// assert_eq!(Seqno::new(u64::MAX), None);
/// assert!(Seqno::try_from(1_u64 << 63).is_err());
/// assert!(serde_json::from_str::<Seqno>("9223372036854775808").is_err());
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(try_from = "u64", into = "u64")]
pub struct Seqno(u64);

/// A number past [`Seqno::MAX`] offered as a seqno.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("seqno {value} is past the largest a replicator holds, {max}", max = Seqno::MAX)]
pub struct SeqnoRangeError {
    /// The number refused.
    pub value: u64,
}

impl Seqno {
    /// Seqno 0, the first event of a history.
    pub const ZERO: Self = Self(0);

    /// The largest sequence number a replicator holds: 2^63 − 1.
    ///
    /// Tungsten prints `-1` where there is no sequence number (`progress=-1` in `ls`,
    /// `appliedLastSeqno : -1` in `trepctl status`), so its seqnos are signed, and the THL keeps
    /// each in 8 bytes (*terminology-thl-event*). The docs give no bound; the model takes the
    /// largest signed 8-byte value (**modelling decision**): every parser reads seqnos up to it,
    /// [`crate::model::State::validate`] refuses positions past it, and a write on a master
    /// holding it is refused (rule `seqno-range`), so no write is accepted without advancing.
    pub const MAX: Self = Self(i64::MAX.unsigned_abs());

    /// The seqno `value`, or `None` past [`Seqno::MAX`].
    #[must_use]
    pub const fn new(value: u64) -> Option<Self> {
        if value <= Self::MAX.0 {
            Some(Self(value))
        } else {
            None
        }
    }

    /// The number.
    #[must_use]
    pub const fn get(self) -> u64 {
        self.0
    }

    /// What the parsers expect where a seqno goes.
    pub(crate) const EXPECTED: &'static str = "a seqno from 0 to 9223372036854775807";

    /// A seqno written as decimal digits, at most [`Seqno::MAX`]; `None` for anything else
    /// (signs, blanks, `-1`, which each parser reads as "none" where Tungsten prints it).
    pub(crate) fn from_digits(text: &str) -> Option<Self> {
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok().filter(|&n| n <= Self::MAX.0).map(Self)
    }
}

impl TryFrom<u64> for Seqno {
    type Error = SeqnoRangeError;

    fn try_from(value: u64) -> Result<Self, Self::Error> {
        Self::new(value).ok_or(SeqnoRangeError { value })
    }
}

/// Every `u32` is a seqno: the conversion that cannot fail.
impl From<u32> for Seqno {
    fn from(value: u32) -> Self {
        Self(u64::from(value))
    }
}

impl From<Seqno> for u64 {
    fn from(seqno: Seqno) -> Self {
        seqno.0
    }
}

impl fmt::Display for Seqno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A THL epoch number: a new epoch starts each time a datasource becomes master.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Epoch(pub u64);

impl fmt::Display for Epoch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A position in a service's history: the last event's sequence number and the epoch it
/// belongs to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub struct Position {
    /// The epoch the event belongs to.
    pub epoch: Epoch,
    /// The event's sequence number.
    pub seqno: Seqno,
}

/// A replication latency in milliseconds, printed in seconds with three decimals (`0.271`),
/// as `ls` prints it in a datasource's header (`latency=0.271`, `THL latency=0.271`; Continuent
/// docs *operations-status*).
///
/// `ls` prints `-1.000` when the latency is unknown; the model uses `Option<Latency>`, read with
/// [`Latency::parse`] and printed with [`Latency::render`]. A known latency reads and prints
/// on its own with [`FromStr`](std::str::FromStr) and [`Display`](fmt::Display), and every
/// value prints as text that reads back to it:
///
/// ```
/// use tungsten_model::model::Latency;
///
/// let latency: Latency = "0.271".parse()?;
/// assert_eq!(latency.millis(), 271);
/// assert_eq!(latency.to_string(), "0.271");
/// assert_eq!("12".parse::<Latency>()?.to_string(), "12.000");
/// assert!("-1.000".parse::<Latency>().is_err()); // unknown: see `Latency::parse`
/// # Ok::<(), tungsten_model::model::LatencyError>(())
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Latency(pub u64);

/// Why text is not a [`Latency`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LatencyError {
    /// Not a number of seconds with up to three decimals.
    #[error(
        "`{found}` is not a latency: expected seconds with up to three decimals, e.g. `0.271` or `12`"
    )]
    Malformed {
        /// The text given.
        found: String,
    },
    /// A negative number: what `ls` prints for a latency it does not know (`-1.000`). A
    /// [`Latency`] holds a known one; [`Latency::parse`] reads either.
    #[error(
        "`{found}` is an unknown latency, as `ls` prints one: expected a known latency, seconds from 0 with up to three decimals (read an optional one with `Latency::parse`)"
    )]
    Unknown {
        /// The text given.
        found: String,
    },
    /// More seconds than a `u64` of milliseconds holds.
    #[error(
        "`{found}` is past the largest latency: expected at most {max} seconds",
        max = Latency(u64::MAX)
    )]
    TooLarge {
        /// The text given.
        found: String,
    },
}

impl Latency {
    /// The latency in whole milliseconds.
    #[must_use]
    pub fn millis(self) -> u64 {
        self.0
    }

    /// The latency as Tungsten prints it for an optional value: `0.271`, or `-1.000`.
    #[must_use]
    pub fn render(latency: Option<Self>) -> String {
        latency.map_or_else(|| "-1.000".to_owned(), |l| l.to_string())
    }

    /// Read `-1.000` (unknown), `0.271`, `12`, `3.5`: seconds with up to three decimals.
    /// Returns `None` for text that is not such a number, `Some(None)` for a negative one.
    /// To be told why text is not a latency, use [`FromStr`](std::str::FromStr).
    #[must_use]
    pub fn parse(text: &str) -> Option<Option<Self>> {
        match Self::read(text) {
            Ok(latency) => Some(Some(latency)),
            Err(Unreadable::Unknown) => Some(None),
            Err(Unreadable::Malformed | Unreadable::TooLarge) => None,
        }
    }

    /// A known latency, or why the text is not one (copied into an error only by
    /// [`FromStr`](std::str::FromStr): `ls` reads a latency per datasource, most of them
    /// unknown, with [`Self::parse`]).
    fn read(text: &str) -> Result<Self, Unreadable> {
        match text.strip_prefix('-') {
            // Any negative value means "unknown"; still insist it is a number (one sign: the
            // fuzzer found that a run of dashes used to recurse once per dash).
            Some(positive) => match Self::read_unsigned(positive) {
                Err(Unreadable::Malformed) => Err(Unreadable::Malformed),
                Ok(_) | Err(_) => Err(Unreadable::Unknown),
            },
            None => Self::read_unsigned(text),
        }
    }

    /// Digits, optionally a point and up to three more digits.
    fn read_unsigned(text: &str) -> Result<Self, Unreadable> {
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        if whole.is_empty()
            || fraction.len() > 3
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !fraction.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(Unreadable::Malformed);
        }
        // All digits: the only failure left is overflow.
        let whole: u64 = whole.parse().map_err(|_| Unreadable::TooLarge)?;
        let mut millis = 0_u64;
        for (i, b) in fraction
            .bytes()
            .chain(std::iter::repeat(b'0'))
            .take(3)
            .enumerate()
        {
            let digit = u64::from(b - b'0');
            millis += digit * [100, 10, 1][i];
        }
        // Every value `render` prints reads back, up to `u64::MAX` milliseconds (found by an
        // API review: from 10^15 ms on, the printed latency had more whole digits than were
        // read).
        whole
            .checked_mul(1000)
            .and_then(|ms| ms.checked_add(millis))
            .map(Self)
            .ok_or(Unreadable::TooLarge)
    }
}

/// Why text is not a latency, before the text is put in a [`LatencyError`].
enum Unreadable {
    Malformed,
    /// A negative number: `ls`'s unknown latency.
    Unknown,
    TooLarge,
}

impl fmt::Display for Latency {
    /// Seconds with three decimals, as `ls` prints a known latency: `0.271`, `12.000`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03}", self.0 / 1000, self.0 % 1000)
    }
}

impl std::str::FromStr for Latency {
    type Err = LatencyError;

    /// Read a known latency: seconds with up to three decimals (`0.271`, `12`, `3.5`).
    ///
    /// # Errors
    /// [`LatencyError::Unknown`] for a negative number (`-1.000`, `ls`'s unknown latency:
    /// [`Latency::parse`] reads it as `None`), [`LatencyError::TooLarge`] past `u64::MAX`
    /// milliseconds, and [`LatencyError::Malformed`] for anything else that is not such a
    /// number (blanks and signs included).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let found = s.to_owned();
        Self::read(s).map_err(|e| match e {
            Unreadable::Malformed => LatencyError::Malformed { found },
            Unreadable::Unknown => LatencyError::Unknown { found },
            Unreadable::TooLarge => LatencyError::TooLarge { found },
        })
    }
}

impl crate::text::Named for ReplicatorRole {
    const WHAT: &'static str = "a replicator role";
}

impl crate::text::Named for ReplicatorState {
    const WHAT: &'static str = "a replicator state";
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A latency prints as `ls` prints it and reads back, up to the largest; text reads in
    /// the forms `ls` and operators write it (`3.5`, `12`) and prints with three decimals.
    #[test]
    fn latencies_print_and_read_back() {
        for millis in [0, 1, 271, 999, 1000, 12_345, u64::MAX] {
            let text = Latency(millis).to_string();
            assert_eq!(text.parse::<Latency>(), Ok(Latency(millis)), "{text}");
        }
        assert_eq!(Latency(271).to_string(), "0.271");
        assert_eq!(
            "3.5".parse::<Latency>().map(|l| l.to_string()).as_deref(),
            Ok("3.500")
        );
        assert_eq!("12".parse::<Latency>(), Ok(Latency(12_000)));
        assert_eq!(Latency::render(Some(Latency(271))), "0.271");
        assert_eq!(Latency::render(None), "-1.000");
        assert_eq!(Latency::parse("-1.000"), Some(None));
        assert_eq!(Latency::parse("0.271"), Some(Some(Latency(271))));
        assert_eq!(Latency::parse("1.2345"), None);
        assert_eq!(Latency::parse("--1"), None);
    }

    /// Text that is not a known latency says what it found and what was expected, and tells
    /// `ls`'s unknown latency apart from text that is no number.
    #[test]
    fn latency_errors_say_what_was_expected() {
        let error = |text: &str| text.parse::<Latency>().unwrap_err();
        assert!(matches!(error("-1.000"), LatencyError::Unknown { .. }));
        assert!(matches!(error("-1.2345"), LatencyError::Malformed { .. }));
        assert!(matches!(
            error("18446744073709552"),
            LatencyError::TooLarge { .. }
        ));
        assert!(matches!(
            error("99999999999999999999"),
            LatencyError::TooLarge { .. }
        ));
        for malformed in ["", " 1", "1 ", "+1", ".5", "1.2345", "0x10", "1,5"] {
            assert!(
                matches!(error(malformed), LatencyError::Malformed { .. }),
                "{malformed:?}"
            );
        }
        insta::assert_snapshot!(error("0,271"), @"`0,271` is not a latency: expected seconds with up to three decimals, e.g. `0.271` or `12`");
        insta::assert_snapshot!(error("-1.000"), @"`-1.000` is an unknown latency, as `ls` prints one: expected a known latency, seconds from 0 with up to three decimals (read an optional one with `Latency::parse`)");
        insta::assert_snapshot!(error("18446744073709552"), @"`18446744073709552` is past the largest latency: expected at most 18446744073709551.615 seconds");
    }

    /// A seqno is built up to [`Seqno::MAX`] and no further, whichever way it is built:
    /// `new`, `TryFrom<u64>`, deserialising; it serialises as the bare number it was.
    #[test]
    fn seqnos_stop_at_the_largest_however_built() {
        let max = i64::MAX.unsigned_abs();
        assert_eq!(Seqno::new(max), Some(Seqno::MAX));
        assert_eq!(Seqno::new(max + 1), None);
        assert_eq!(Seqno::try_from(max).map(u64::from), Ok(max));
        assert_eq!(
            Seqno::try_from(max + 1),
            Err(SeqnoRangeError { value: max + 1 })
        );
        assert_eq!(Seqno::from(u32::MAX).get(), u64::from(u32::MAX));
        assert_eq!(serde_json::to_string(&Seqno::MAX).unwrap(), max.to_string());
        assert_eq!(
            serde_json::from_str::<Seqno>(&max.to_string()).unwrap(),
            Seqno::MAX
        );
        let err = serde_json::from_str::<Seqno>(&(max + 1).to_string()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "seqno 9223372036854775808 is past the largest a replicator holds, 9223372036854775807"
        );
        assert!(serde_json::from_str::<Seqno>("-1").is_err());
    }

    /// Every latency prints as text that reads back as itself, the largest included; one more
    /// millisecond is not a latency.
    #[test]
    fn every_latency_reads_back() {
        for millis in [0, 271, 999_999_999_999_999, 1_000_000_000_000_000, u64::MAX] {
            let text = Latency::render(Some(Latency(millis)));
            assert_eq!(Latency::parse(&text), Some(Some(Latency(millis))), "{text}");
        }
        assert_eq!(Latency::parse("18446744073709551.616"), None);
    }

    #[test]
    fn offline_states_are_the_offline_ones() {
        use ReplicatorState as S;
        for s in [
            S::OfflineNormal,
            S::OfflineError,
            S::OfflineNormalRestoring,
            S::Offline,
        ] {
            assert!(s.is_offline(), "{s}");
        }
        for s in [S::Online, S::GoingOnlineSynchronizing] {
            assert!(!s.is_offline(), "{s}");
        }
    }

    #[test]
    fn replicator_state_spellings() {
        for s in <ReplicatorState as strum::VariantArray>::VARIANTS {
            assert_eq!(s.to_string().parse::<ReplicatorState>().unwrap(), *s);
        }
        assert_eq!(
            "status not available".parse::<ReplicatorState>().unwrap(),
            ReplicatorState::StatusNotAvailable
        );
        assert_eq!(ReplicatorRole::ThlServer.to_string(), "thl-server");
        assert_eq!(
            "primary".parse::<ReplicatorRole>().unwrap(),
            ReplicatorRole::Master
        );
    }

    #[test]
    fn latency_text() {
        assert_eq!(Latency::parse("0.271"), Some(Some(Latency(271))));
        assert_eq!(Latency::parse("-1.000"), Some(None));
        assert_eq!(Latency::parse("12"), Some(Some(Latency(12_000))));
        assert_eq!(Latency::parse("3.5"), Some(Some(Latency(3_500))));
        assert_eq!(Latency::parse("x"), None);
        assert_eq!(Latency::parse("1.2345"), None);
        assert_eq!(Latency::parse("-x"), None);
        assert_eq!(Latency::render(Some(Latency(271))), "0.271");
        assert_eq!(Latency::render(Some(Latency(12_005))), "12.005");
        assert_eq!(Latency::render(None), "-1.000");
    }

    /// The whole part is digits only (cargo-mutants: a sign let through to `u64::from_str`
    /// went unnoticed), and no longer than `u64` milliseconds hold.
    #[test]
    fn latency_whole_seconds_are_digits_that_fit() {
        assert_eq!(Latency::parse("18446744073709552"), None);
        assert_eq!(Latency::parse(&"9".repeat(40)), None);
        assert_eq!(Latency::parse("+5"), None);
        assert_eq!(Latency::parse("5.+1"), None);
        assert_eq!(Latency::parse(".5"), None);
    }

    /// Only a master extracts, and failover candidates are online or on their way
    /// (cargo-mutants: both public helpers, which nothing in the crate calls, could answer
    /// anything unnoticed).
    #[test]
    fn only_a_master_extracts_and_candidates_are_online_or_synchronizing() {
        use ReplicatorState as S;
        for &role in <ReplicatorRole as strum::VariantArray>::VARIANTS {
            assert_eq!(role.extracts(), role == ReplicatorRole::Master, "{role}");
        }
        for state in [S::Online, S::GoingOnlineSynchronizing] {
            assert!(state.is_online_or_synchronizing(), "{state}");
        }
        for state in [
            S::OfflineNormal,
            S::OfflineError,
            S::GoingOnlineProvisioning,
            S::Suspect,
        ] {
            assert!(!state.is_online_or_synchronizing(), "{state}");
        }
        assert_eq!(Epoch(7).to_string(), "7");
    }
}
