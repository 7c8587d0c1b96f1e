//! Validated names of services and hosts.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The longest name accepted, in bytes. Host names may be fully qualified, so this is the
/// DNS limit; Tungsten itself imposes no shorter one that the documents state.
pub const MAX_NAME_LEN: usize = 253;

/// What kind of name failed validation; part of [`NameError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::Display)]
#[non_exhaustive]
pub enum NameKind {
    /// A dataservice name such as `alpha` or `east`.
    #[strum(to_string = "service name")]
    Service,
    /// A host (datasource) name such as `db1` or `db1.example.com`.
    #[strum(to_string = "host name")]
    Host,
}

/// Why a name was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// The name was empty.
    #[error("{kind} is empty: expected at least one letter or digit")]
    Empty {
        /// Service or host.
        kind: NameKind,
    },
    /// The name was longer than [`MAX_NAME_LEN`].
    #[error("{kind} `{name}` is {len} bytes long: at most {max} are allowed", max = MAX_NAME_LEN)]
    TooLong {
        /// Service or host.
        kind: NameKind,
        /// The name as given.
        name: String,
        /// Its length in bytes.
        len: usize,
    },
    /// The name held a character outside letters, digits, `-`, `_` and `.`, or did not start
    /// with a letter or digit.
    #[error(
        "{kind} `{name}` has `{character}` at position {position}: expected letters, digits, `-`, `_` or `.`, starting with a letter or digit"
    )]
    BadCharacter {
        /// Service or host.
        kind: NameKind,
        /// The name as given.
        name: String,
        /// The offending character.
        character: char,
        /// Its 1-based position in characters.
        position: usize,
    },
}

fn validate(kind: NameKind, name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty { kind });
    }
    if name.len() > MAX_NAME_LEN {
        return Err(NameError::TooLong {
            kind,
            name: name.to_owned(),
            len: name.len(),
        });
    }
    for (index, character) in name.chars().enumerate() {
        let allowed = if index == 0 {
            character.is_ascii_alphanumeric()
        } else {
            character.is_ascii_alphanumeric() || matches!(character, '-' | '_' | '.')
        };
        if !allowed {
            return Err(NameError::BadCharacter {
                kind,
                name: name.to_owned(),
                character,
                position: index + 1,
            });
        }
    }
    Ok(())
}

macro_rules! name_type {
    ($(#[$doc:meta])* $name:ident, $kind:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Check `name` and wrap it.
            ///
            /// # Errors
            /// [`NameError`] if `name` is empty, longer than [`MAX_NAME_LEN`] bytes, or holds a
            /// character other than ASCII letters, digits, `-`, `_` and `.` (the first must
            /// be a letter or digit).
            pub fn new(name: impl Into<String>) -> Result<Self, NameError> {
                let name = name.into();
                validate($kind, &name)?;
                Ok(Self(name))
            }

            /// The name as text.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = NameError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let name = String::deserialize(deserializer)?;
                Self::new(name).map_err(serde::de::Error::custom)
            }
        }
    };
}

name_type!(
    /// The name of a dataservice: a physical service such as `alpha` or `east`, or a composite
    /// such as `global`.
    ///
    /// ```
    /// use tungsten_model::model::ServiceName;
    /// let east: ServiceName = "east".parse()?;
    /// assert_eq!(east.as_str(), "east");
    /// assert!("east site".parse::<ServiceName>().is_err());
    /// # Ok::<(), tungsten_model::model::NameError>(())
    /// ```
    ServiceName,
    NameKind::Service
);

name_type!(
    /// The name of a host, which is also the name of the datasource on it (`db1`), as `ls`
    /// prints it.
    ///
    /// ```
    /// use tungsten_model::model::HostName;
    /// let db1: HostName = "db1.example.com".parse()?;
    /// assert_eq!(db1.to_string(), "db1.example.com");
    /// assert!("-db1".parse::<HostName>().is_err());
    /// # Ok::<(), tungsten_model::model::NameError>(())
    /// ```
    HostName,
    NameKind::Host
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_say_why() {
        insta::assert_snapshot!(HostName::new("").unwrap_err(), @"host name is empty: expected at least one letter or digit");
        insta::assert_snapshot!(HostName::new("db 1").unwrap_err(), @"host name `db 1` has ` ` at position 3: expected letters, digits, `-`, `_` or `.`, starting with a letter or digit");
        insta::assert_snapshot!(ServiceName::new("_alpha").unwrap_err(), @"service name `_alpha` has `_` at position 1: expected letters, digits, `-`, `_` or `.`, starting with a letter or digit");
        let long = "a".repeat(MAX_NAME_LEN + 1);
        assert!(matches!(
            ServiceName::new(long),
            Err(NameError::TooLong { len: 254, .. })
        ));
        assert!(ServiceName::new("a".repeat(MAX_NAME_LEN)).is_ok());
    }

    #[test]
    fn accepts_qualified_names() {
        for ok in ["db1", "db1.example.com", "east_1", "DB-2", "1host"] {
            assert!(HostName::new(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn deserializing_validates() {
        let bad: Result<HostName, _> = serde_json::from_str("\"db 1\"");
        assert!(bad.is_err());
        let good: HostName = serde_json::from_str("\"db1\"").unwrap();
        assert_eq!(good.as_str(), "db1");
    }
}
