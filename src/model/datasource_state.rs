//! Datasource states and the reasons printed with them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::name::HostName;

/// Free text printed inside `SHUNNED(...)`, `FAILED(...)` or `REASON[...]` that the model keeps
/// as it is: not empty, one line without leading or trailing blanks, parentheses balanced (so
/// that it can be printed back inside parentheses, padded, and read again unchanged).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ReasonText(String);

/// Why a [`ReasonText`] was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[non_exhaustive]
pub enum ReasonTextError {
    /// Blank text.
    #[error("reason is empty: expected some text")]
    Empty,
    /// Blanks at either end, which a padded listing could not keep.
    #[error("reason `{0}` starts or ends with a blank: expected text without surrounding blanks")]
    SurroundingBlanks(String),
    /// A line break or other control character.
    #[error("reason `{0}` holds a control character: expected a single line of text")]
    ControlCharacter(String),
    /// A `)` without its `(`, or the other way round.
    #[error("reason `{0}` has unbalanced parentheses: expected every `(` closed by a `)`")]
    Unbalanced(String),
}

impl ReasonText {
    /// Check `text` and wrap it.
    ///
    /// # Errors
    /// [`ReasonTextError`] if `text` is blank, holds a control character, or has unbalanced
    /// parentheses.
    pub fn new(text: impl Into<String>) -> Result<Self, ReasonTextError> {
        let text = text.into();
        if text.trim().is_empty() {
            return Err(ReasonTextError::Empty);
        }
        if text.trim() != text {
            return Err(ReasonTextError::SurroundingBlanks(text));
        }
        if text.chars().any(char::is_control) {
            return Err(ReasonTextError::ControlCharacter(text));
        }
        let mut depth = 0_usize;
        for c in text.chars() {
            match c {
                '(' => depth += 1,
                ')' => match depth.checked_sub(1) {
                    Some(d) => depth = d,
                    None => return Err(ReasonTextError::Unbalanced(text)),
                },
                _ => {}
            }
        }
        if depth != 0 {
            return Err(ReasonTextError::Unbalanced(text));
        }
        Ok(Self(text))
    }

    /// The text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ReasonText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ReasonText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// Why a datasource is `SHUNNED`.
///
/// Source: Continuent docs *operations-status-states*, *manager-failover-failsafe-shun*,
/// composite failover pages. A reason the model does not know is kept as text, so listings
/// from other versions still parse and print back unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ShunReason {
    /// `MANUALLY-SHUNNED`: an operator ran `datasource X shun`.
    ManuallyShunned,
    /// `FAILSAFE_SHUN`: the manager lost quorum and shunned everything it sees.
    FailsafeShun,
    /// `FAILED-OVER-TO-<ds>`: the old master after a failover to `<ds>`.
    FailedOverTo(HostName),
    /// `SUPERSEDED`: a composite member displaced by a composite failover.
    Superseded,
    /// `SUBSERVICE-SWITCH-FAILED`: a composite switch that did not complete.
    SubserviceSwitchFailed,
    /// `DRAIN-CONNECTIONS`: an operator ran `datasource X drain` (Continuent blog *Recently a
    /// Continuent customer asked, part 5: the state field*, which lists this reason).
    DrainConnections,
    /// Any other reason, verbatim.
    Other(ReasonText),
}

impl fmt::Display for ShunReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ManuallyShunned => f.write_str("MANUALLY-SHUNNED"),
            Self::FailsafeShun => f.write_str("FAILSAFE_SHUN"),
            Self::FailedOverTo(host) => write!(f, "FAILED-OVER-TO-{host}"),
            Self::Superseded => f.write_str("SUPERSEDED"),
            Self::SubserviceSwitchFailed => f.write_str("SUBSERVICE-SWITCH-FAILED"),
            Self::DrainConnections => f.write_str("DRAIN-CONNECTIONS"),
            Self::Other(text) => f.write_str(text.as_str()),
        }
    }
}

impl FromStr for ShunReason {
    type Err = ReasonTextError;

    /// Known reasons by their exact spelling; anything else (that is valid [`ReasonText`])
    /// becomes [`ShunReason::Other`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "MANUALLY-SHUNNED" => Self::ManuallyShunned,
            "FAILSAFE_SHUN" => Self::FailsafeShun,
            "SUPERSEDED" => Self::Superseded,
            "SUBSERVICE-SWITCH-FAILED" => Self::SubserviceSwitchFailed,
            "DRAIN-CONNECTIONS" => Self::DrainConnections,
            _ => match s.strip_prefix("FAILED-OVER-TO-").map(HostName::new) {
                Some(Ok(host)) => Self::FailedOverTo(host),
                _ => Self::Other(ReasonText::new(s)?),
            },
        })
    }
}

/// The state of a datasource as the manager records it.
///
/// Source: Continuent docs *operations-status-states* and *operations-status-changingstates*;
/// open-source code `ResourceState`.
/// - `ONLINE`: in service; the connector routes to it.
/// - `OFFLINE`: the connector sends it nothing. Under AUTOMATIC the manager brings it back
///   ONLINE by itself; under MANUAL and MAINTENANCE it stays OFFLINE.
/// - `SHUNNED(reason)`: taken out of the service; never brought back automatically.
/// - `FAILED(reason)`: the manager found it broken; `recover` tries to bring it back.
///
/// ```
/// use tungsten_model::model::{DataSourceState, ShunReason};
/// let s: DataSourceState = "SHUNNED(FAILSAFE_SHUN)".parse()?;
/// assert_eq!(s, DataSourceState::Shunned(Some(ShunReason::FailsafeShun)));
/// assert_eq!(s.to_string(), "SHUNNED(FAILSAFE_SHUN)");
/// # Ok::<(), tungsten_model::model::DataSourceStateError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DataSourceState {
    /// `ONLINE`.
    Online,
    /// `OFFLINE`.
    Offline,
    /// `SHUNNED` or `SHUNNED(<reason>)`.
    Shunned(Option<ShunReason>),
    /// `FAILED` or `FAILED(<reason>)`, e.g. `FAILED(DATASERVER 'db3@alpha' STOPPED)`.
    Failed(Option<ReasonText>),
}

impl DataSourceState {
    /// The bare state word (`ONLINE`, `OFFLINE`, `SHUNNED`, `FAILED`).
    #[must_use]
    pub fn keyword(&self) -> &'static str {
        match self {
            Self::Online => "ONLINE",
            Self::Offline => "OFFLINE",
            Self::Shunned(_) => "SHUNNED",
            Self::Failed(_) => "FAILED",
        }
    }
}

impl fmt::Display for DataSourceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())?;
        match self {
            Self::Shunned(Some(reason)) => write!(f, "({reason})"),
            Self::Failed(Some(reason)) => write!(f, "({reason})"),
            _ => Ok(()),
        }
    }
}

/// Why text is not a [`DataSourceState`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[non_exhaustive]
pub enum DataSourceStateError {
    /// Not one of the four state words.
    #[error(
        "`{0}` is not a datasource state: expected ONLINE, OFFLINE, SHUNNED(<reason>) or FAILED(<reason>)"
    )]
    Unknown(String),
    /// The reason in parentheses was not valid text.
    #[error(transparent)]
    Reason(#[from] ReasonTextError),
}

impl FromStr for DataSourceState {
    type Err = DataSourceStateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (word, reason) = match s.split_once('(') {
            Some((word, rest)) => match rest.strip_suffix(')') {
                Some(reason) => (word, Some(reason)),
                None => return Err(DataSourceStateError::Unknown(s.to_owned())),
            },
            None => (s, None),
        };
        match (word, reason) {
            ("ONLINE", None) => Ok(Self::Online),
            ("OFFLINE", None) => Ok(Self::Offline),
            ("SHUNNED", None) => Ok(Self::Shunned(None)),
            ("SHUNNED", Some(r)) => Ok(Self::Shunned(Some(r.parse()?))),
            ("FAILED", None) => Ok(Self::Failed(None)),
            ("FAILED", Some(r)) => Ok(Self::Failed(Some(ReasonText::new(r)?))),
            _ => Err(DataSourceStateError::Unknown(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for text in [
            "ONLINE",
            "OFFLINE",
            "SHUNNED",
            "SHUNNED(MANUALLY-SHUNNED)",
            "SHUNNED(FAILSAFE_SHUN)",
            "SHUNNED(FAILED-OVER-TO-db3)",
            "SHUNNED(SUPERSEDED)",
            "SHUNNED(SUBSERVICE-SWITCH-FAILED)",
            "SHUNNED(SUBSERVICE-SWITCH-FAI)",
            "FAILED",
            "FAILED(DATASERVER 'db3@alpha' STOPPED)",
        ] {
            let state: DataSourceState = text.parse().unwrap();
            assert_eq!(state.to_string(), text);
        }
    }

    #[test]
    fn unknown_reasons_are_kept() {
        let s: DataSourceState = "SHUNNED(SUBSERVICE-SWITCH-FAI)".parse().unwrap();
        assert!(matches!(
            s,
            DataSourceState::Shunned(Some(ShunReason::Other(_)))
        ));
        let s: DataSourceState = "SHUNNED(FAILED-OVER-TO-)".parse().unwrap();
        assert!(matches!(
            s,
            DataSourceState::Shunned(Some(ShunReason::Other(_)))
        ));
    }

    #[test]
    fn refusals() {
        insta::assert_snapshot!("ONLIEN".parse::<DataSourceState>().unwrap_err(), @"`ONLIEN` is not a datasource state: expected ONLINE, OFFLINE, SHUNNED(<reason>) or FAILED(<reason>)");
        insta::assert_snapshot!("FAILED(a(b)".parse::<DataSourceState>().unwrap_err(), @"reason `a(b` has unbalanced parentheses: expected every `(` closed by a `)`");
        assert!("ONLINE(x)".parse::<DataSourceState>().is_err());
    }
}
