//! The error for a word that names none of an enum's values.

use serde::{Deserialize, Serialize};

/// A word that names none of the values it should (a policy, a role, a state): what was
/// expected, with every value it could have named, and what was found. Each named enum's
/// [`std::str::FromStr`] returns it (case does not matter where the listings' own spelling
/// varies).
///
/// ```
/// use tungsten_model::model::PolicyMode;
///
/// let error = "AUTOMATIK".parse::<PolicyMode>().unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "expected a policy (AUTOMATIC, MANUAL or MAINTENANCE), found `AUTOMATIK`"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[error("expected {expected}, found `{found}`")]
pub struct UnknownName {
    /// What would have been valid, with its values.
    pub expected: String,
    /// The text given, control characters escaped.
    pub found: String,
}

/// An enum whose values are named by words ([`UnknownName`] lists them).
pub(crate) trait Named: strum::VariantArray + Into<&'static str> + Copy + 'static {
    /// What one value is, in an error (`a policy`).
    const WHAT: &'static str;
}

impl UnknownName {
    /// `found` named no value of `T`.
    pub(crate) fn of<T: Named>(found: &str) -> Self {
        let names: Vec<&str> = T::VARIANTS.iter().map(|&v| v.into()).collect();
        Self {
            expected: format!("{} ({})", T::WHAT, super::series(&names, "or")),
            found: found.escape_debug().to_string(),
        }
    }
}

/// Every value of `T` has a distinct name that reads back as the value, in text and in JSON
/// (the kebab-case names tools match on), and a word that names none is an error listing them.
#[cfg(test)]
pub(crate) fn assert_names_read_back<T>()
where
    T: Named
        + std::str::FromStr<Err = UnknownName>
        + std::fmt::Display
        + std::fmt::Debug
        + PartialEq
        + Serialize
        + serde::de::DeserializeOwned,
{
    let mut names = std::collections::BTreeSet::new();
    for &value in T::VARIANTS {
        let name: &'static str = value.into();
        assert!(!name.is_empty() && names.insert(name), "{name:?}");
        assert_eq!(name.parse::<T>(), Ok(value));
        assert_eq!(value.to_string(), name);
        let json = serde_json::to_string(&value).expect("a name serializes");
        assert_eq!(json, format!("\"{name}\""));
        assert_eq!(
            serde_json::from_str::<T>(&json).expect("and reads back"),
            value
        );
    }
    let unknown = "no-such-name"
        .parse::<T>()
        .expect_err("no value has that name");
    assert!(unknown.expected.starts_with(T::WHAT), "{unknown}");
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

    use crate::machine::Invariant;
    use crate::model::{DataSourceRole, ManagerState, ReplicatorState};

    /// Each named enum's error lists its values, and a control character in the text is
    /// shown escaped, not raw (found by an API review: strum's error said only "Matching
    /// variant not found", and NUL reached the message as it was).
    #[test]
    fn an_unknown_name_lists_the_values_and_escapes_the_text() {
        let role = "boss".parse::<DataSourceRole>().unwrap_err().to_string();
        assert_eq!(
            role,
            "expected a datasource role (master, slave, relay, standby, archive or witness), found `boss`"
        );
        let state = "ONLIEN\0".parse::<ManagerState>().unwrap_err().to_string();
        assert_eq!(
            state,
            "expected a manager state (ONLINE, OFFLINE, STOPPED or UNKNOWN), found `ONLIEN\\0`"
        );
        let replicator = "up".parse::<ReplicatorState>().unwrap_err();
        assert!(
            replicator.expected.contains("OFFLINE:ERROR"),
            "{replicator}"
        );
        let invariant = "two-masters".parse::<Invariant>().unwrap_err();
        assert!(
            invariant
                .expected
                .starts_with("an invariant (single-writable-master, "),
            "{invariant}"
        );
    }
}
