//! Positions in text, located parse errors and the scanner every parser shares, and the one
//! way the crate writes lists in prose (`a, b and c`) in errors, refusals and findings.
//!
//! This is the edge of the crate: text comes in here and leaves as typed values or as a
//! [`ParseError`] that names the line, the column, what was expected and what was found.

mod error;
mod scanner;
mod series;
mod unknown;

pub use error::{ParseError, Span};
pub(crate) use scanner::Scanner;
pub(crate) use series::{counted, series};
pub(crate) use unknown::Named;
pub use unknown::UnknownName;
#[cfg(test)]
pub(crate) use unknown::assert_names_read_back;
