//! A topology file's text: the JSON form of [`TopologySpec`] or the one line a `#! topology`
//! declaration takes. `#! topology file F` and the CLI's `--topology F` both read it here.

use crate::model::TopologySpec;
use crate::text::ParseError;

/// Why a topology file's text is not a topology.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TopologyFileError {
    /// Nothing but blank lines and `#` comments.
    #[error(
        "the file holds no topology: expected a JSON `TopologySpec` or one line such as `single alpha=db1,db2,db3`"
    )]
    Empty,
    /// Text starting with `{` that is not the JSON form of a [`TopologySpec`].
    #[error("not a JSON topology (a `TopologySpec`): {message} (line {line}, column {column})")]
    Json {
        /// `serde_json`'s account of what it expected.
        message: String,
        /// The line, from 1.
        line: usize,
        /// The column, from 1.
        column: usize,
    },
    /// A line that is not a topology line.
    #[error("{0}")]
    Line(ParseError),
}

/// The topology `text` holds: the JSON form of [`TopologySpec`] (services with datasources,
/// witnesses, connectors, failover precedence, manager options such as fencing; composites;
/// cross-site services) when its first line other than blanks and `#` notes starts with `{`,
/// else one line as after `#! topology` (`single alpha=db1,db2,db3` or `multisite
/// east=db1,db2,db3 west=db4,db5,db6`) and no other. A byte-order mark is skipped.
///
/// # Errors
/// [`TopologyFileError`]: an empty file, JSON that is not a `TopologySpec` (with the line
/// and column `serde_json` stopped at), or a line that is not a topology line (with its
/// column; the line is counted in the file).
///
/// # Example
/// ```
/// use tungsten_model::runbook::topology_file;
///
/// let line = topology_file("# our lab\nsingle alpha=db1,db2,db3\n")?;
/// let json = topology_file(r#"{"services":[{"name":"alpha","datasources":["db1","db2","db3"]}]}"#)?;
/// assert_eq!(line, json);
/// # Ok::<(), tungsten_model::runbook::TopologyFileError>(())
/// ```
pub fn topology_file(text: &str) -> Result<TopologySpec, TopologyFileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut significant = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let Some((index, line)) = significant.next() else {
        return Err(TopologyFileError::Empty);
    };
    if line.trim_start().starts_with('{') {
        // The JSON runs from this line to the end; `#` lines before it are the file's notes.
        // Lines as written, ends included: `\r\n` takes two bytes (`lines()` drops them).
        let skipped: usize = text.split_inclusive('\n').take(index).map(str::len).sum();
        let json = text.get(skipped..).unwrap_or_default();
        return serde_json::from_str(json).map_err(|e| {
            let message = e.to_string();
            let message = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(what, _)| what)
                .to_owned();
            TopologyFileError::Json {
                message,
                line: e.line() + index,
                column: e.column(),
            }
        });
    }
    let spec = super::parse::topology_line(line, index + 1).map_err(TopologyFileError::Line)?;
    if let Some((extra, more)) = significant.next() {
        return Err(TopologyFileError::Line(super::parse::extra_topology_line(
            more,
            extra + 1,
        )));
    }
    Ok(spec)
}
