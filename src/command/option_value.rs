//! The value a trepctl option takes (`-from-event ID`, `-name NAME`, `-tz ZONE`,
//! `-provision SCN`, `-until-event ID`, `-until-heartbeat NAME`), checked so that every command
//! holding one prints a line that reads back to it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::words::Words;
use crate::text::ParseError;

/// One word an option takes as its value: not empty, no blank, not starting with `-` (trepctl
/// would read it as the next option) or `#` (a shell comment), not wrapped in a pair of quotes
/// (the shell drops them, and the trepctl reader with it), none of the shell's `|`, `&`,
/// `<`, `>`, `(`, `)`, `$` or a backquote, no unbalanced quote, no `;` at either end, and no
/// trailing `\` (a continued runbook line).
///
/// Most rules are the readers': a value breaking one prints a line that does not read back as
/// the command it came from (a blank splits it, a `|` makes a pipe, a trailing `\` joins the
/// next runbook line). The others keep a shell from reading more into the line than the model
/// does (a redirection, a substitution, a comment). A `;` inside the word is kept, as the
/// docs print event ids unquoted (`-from-event mysql-bin.000004:0000000000000412;0`), and so
/// is the line reader; a shell splits there, so quote such a value in single quotes
/// (`'...;0'`) on the command line: the reader drops the quotes as the shell does, and keeps
/// what is inside. The parsers refuse a word breaking a rule where a value is expected, and
/// this type makes the same true of commands built in code or read from JSON.
///
/// ```
/// use tungsten_model::command::{OptionValue, OptionValueError};
///
/// let event = OptionValue::new("mysql-bin.000003:0000000000000401;-1")?;
/// assert_eq!(event.as_str(), "mysql-bin.000003:0000000000000401;-1");
/// assert_eq!(OptionValue::new("-force"), Err(OptionValueError::Option));
/// assert_eq!(OptionValue::new("two words"), Err(OptionValueError::Blank));
/// # Ok::<(), OptionValueError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OptionValue(String);

/// Why a word cannot be an option's value (see [`OptionValue`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OptionValueError {
    /// No characters.
    #[error("an option's value cannot be empty")]
    Empty,
    /// A blank (space, tab, line break or any other whitespace) splits it into words.
    #[error("an option's value is one word: it cannot hold a blank")]
    Blank,
    /// It starts with `-`, so it reads as the next option.
    #[error("an option's value cannot start with `-`: it would read as the next option")]
    Option,
    /// It is wrapped in a pair of single or double quotes: a shell drops them, and trepctl
    /// reads what is inside (see the trepctl reader, which drops them too), so the value would
    /// not read back as typed.
    #[error(
        "an option's value cannot be wrapped in quotes: the shell drops them, and trepctl reads what is inside"
    )]
    Quoted,
    /// Shell syntax that makes the line more than one command or more than the model reads
    /// (a redirection, a substitution, a comment, an open quote), or a runbook line continued.
    #[error(
        "an option's value cannot hold `{0}`: the line would read as {reads_as}",
        reads_as = if *.0 == "\\" { "continued on the next line" } else { "more than the one command the model reads" }
    )]
    Shell(&'static str),
}

impl OptionValue {
    /// `value` as an option's value, or why it cannot be one.
    ///
    /// # Errors
    /// An [`OptionValueError`] naming the rule `value` breaks.
    pub fn new(value: impl Into<String>) -> Result<Self, OptionValueError> {
        let value = value.into();
        check(&value)?;
        Ok(Self(value))
    }

    /// The value as typed.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The next word of `w` as an option's value, `what` naming it for the error.
    pub(crate) fn parse(w: &mut Words<'_>, what: &str) -> Result<Self, ParseError> {
        let word = w.next().ok_or_else(|| w.error_next(what))?;
        check(word).map_err(|e| w.error_previous(format!("{what} ({e})")))?;
        Ok(Self(word.to_owned()))
    }
}

/// The rule of [`OptionValue`], on a borrowed word.
fn check(value: &str) -> Result<(), OptionValueError> {
    if value.is_empty() {
        return Err(OptionValueError::Empty);
    }
    if value.contains(char::is_whitespace) {
        return Err(OptionValueError::Blank);
    }
    if value.starts_with('-') {
        return Err(OptionValueError::Option);
    }
    if value.len() >= 2
        && ['\'', '"']
            .iter()
            .any(|&q| value.starts_with(q) && value.ends_with(q))
    {
        return Err(OptionValueError::Quoted);
    }
    // What the host-line reader takes for a pipe or a chain of commands
    // (`HostCommand::parse_line`), what a shell reads as more (an independent review found
    // `-name >(stopall)` read as a name), and a runbook's continued line.
    let unbalanced = |q: char| value.matches(q).count() % 2 == 1;
    let shell = ["|", "&", "`", "$", "<", ">", "(", ")"]
        .into_iter()
        .find(|s| value.contains(s))
        .or_else(|| value.starts_with('#').then_some("#"))
        .or_else(|| unbalanced('\'').then_some("'"))
        .or_else(|| unbalanced('"').then_some("\""))
        .or_else(|| (value.starts_with(';') || value.ends_with(';')).then_some(";"))
        .or_else(|| value.ends_with('\\').then_some("\\"));
    shell.map_or(Ok(()), |s| Err(OptionValueError::Shell(s)))
}

impl fmt::Display for OptionValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for OptionValue {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for OptionValue {
    type Err = OptionValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<String> for OptionValue {
    type Error = OptionValueError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl TryFrom<&str> for OptionValue {
    type Error = OptionValueError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<OptionValue> for String {
    fn from(value: OptionValue) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each rule refuses the words that break it and names the rule.
    #[test]
    fn each_rule_refuses_its_words() {
        let refused = [
            ("", OptionValueError::Empty),
            ("a b", OptionValueError::Blank),
            ("a\u{a0}b", OptionValueError::Blank),
            ("a\n", OptionValueError::Blank),
            ("-x", OptionValueError::Option),
            ("a|b", OptionValueError::Shell("|")),
            ("a&b", OptionValueError::Shell("&")),
            ("`a`", OptionValueError::Shell("`")),
            ("$(a)", OptionValueError::Shell("$")),
            ("$HOME", OptionValueError::Shell("$")),
            (">(stopall)", OptionValueError::Shell(">")),
            ("a<b", OptionValueError::Shell("<")),
            ("(a", OptionValueError::Shell("(")),
            ("#upgrade", OptionValueError::Shell("#")),
            ("'a", OptionValueError::Shell("'")),
            ("a\"b", OptionValueError::Shell("\"")),
            (";a", OptionValueError::Shell(";")),
            ("a;", OptionValueError::Shell(";")),
            ("a\\", OptionValueError::Shell("\\")),
            // The shell and the trepctl reader drop a pair of quotes around a word: the value
            // is what is inside (helper-138 R1).
            (
                "'mysql-bin.000009:0000000000088140;0'",
                OptionValueError::Quoted,
            ),
            ("\"UTC\"", OptionValueError::Quoted),
        ];
        for (word, error) in refused {
            assert_eq!(OptionValue::new(word), Err(error), "{word:?}");
        }
        for word in [
            "stages",
            "UTC",
            "America/New_York",
            "a;b",
            "mysql-bin.000009:0000000000088140;0",
            "a'b'c",
            "a-b",
            "a#b",
            "a\\b",
            "é",
        ] {
            assert_eq!(
                OptionValue::new(word).map(String::from).as_deref(),
                Ok(word)
            );
        }
        assert_eq!(
            OptionValueError::Shell("\\").to_string(),
            "an option's value cannot hold `\\`: the line would read as continued on the next line"
        );
        assert_eq!(
            OptionValueError::Shell("|").to_string(),
            "an option's value cannot hold `|`: the line would read as more than the one command the model reads"
        );
    }

    /// JSON holds the word as a string, and a word breaking a rule does not load.
    #[test]
    fn json_is_a_string_and_refuses_bad_words() {
        let value = OptionValue::new("upgrade").unwrap();
        assert_eq!(serde_json::to_string(&value).unwrap(), "\"upgrade\"");
        assert_eq!(
            serde_json::from_str::<OptionValue>("\"upgrade\"").unwrap(),
            value
        );
        let err = serde_json::from_str::<OptionValue>("\"two words\"").unwrap_err();
        assert!(err.to_string().contains("cannot hold a blank"), "{err}");
    }
}
