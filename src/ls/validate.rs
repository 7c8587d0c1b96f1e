//! Which listings read back from what they print: [`Listing::validate`].

use super::parse::reads_back_as_summary;
use super::{DEFAULT_WIDTH, DataSources, Listing, MAX_WIDTH};
use crate::model::{DataSourceState, ShunReason};

/// Why a listing does not read back from the text it prints: where, what it holds there, and
/// what would read back. See [`Listing::validate`].
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, thiserror::Error,
)]
#[error("{at}: found {found}; expected {expected}")]
#[non_exhaustive]
pub struct ListingError {
    /// The field, as a path into the listing's serialised form, with the datasource or
    /// service named: `layout.width`, `datasources[1] (db2).state`.
    pub at: String,
    /// What it holds.
    pub found: String,
    /// What would read back.
    pub expected: String,
}

impl ListingError {
    fn new(at: impl Into<String>, found: impl Into<String>, expected: impl Into<String>) -> Self {
        Self {
            at: at.into(),
            found: found.into(),
            expected: expected.into(),
        }
    }
}

impl Listing {
    /// Whether the listing reads back from the text it prints: `Ok` exactly when
    /// `self.to_string().parse::<Listing>() == Ok(self.clone())`. The values that do not are
    /// listed on [`Listing`]; a listing parsed from text always validates.
    ///
    /// # Errors
    /// A [`ListingError`] naming the first field whose value would read back as another,
    /// what it holds and what would read back.
    ///
    /// # Example
    /// ```
    /// use tungsten_model::ls::Listing;
    ///
    /// let mut listing: Listing = "COORDINATOR[db1:AUTOMATIC:ONLINE]\n\nDATASOURCES:\n".parse()?;
    /// assert!(listing.validate().is_ok());
    /// // No border is printed, so a width other than the default cannot be read back.
    /// listing.layout.width = 76;
    /// assert_eq!(listing.validate().unwrap_err().at, "layout.width");
    /// # Ok::<(), tungsten_model::ParseError>(())
    /// ```
    pub fn validate(&self) -> Result<(), ListingError> {
        let width = self.layout.width;
        if !(2..=MAX_WIDTH).contains(&width) {
            return Err(ListingError::new(
                "layout.width",
                width.to_string(),
                format!("a border from 2 to {MAX_WIDTH} columns wide"),
            ));
        }
        if let DataSources::Composite { members, .. } = &self.datasources
            && members.is_empty()
        {
            return Err(ListingError::new(
                "datasources.members",
                "no member",
                "at least one member block: a composite listing without one prints as a physical listing with no datasource",
            ));
        }
        let blocks = match &self.datasources {
            DataSources::Physical(blocks) => blocks.len(),
            DataSources::Composite { members, .. } => members.len(),
        };
        if self.routers.is_none() && blocks == 0 && width != DEFAULT_WIDTH {
            return Err(ListingError::new(
                "layout.width",
                width.to_string(),
                format!(
                    "{DEFAULT_WIDTH}, the default: the listing draws no border (no `ROUTERS:` section and no block) to read a width from"
                ),
            ));
        }
        match &self.datasources {
            DataSources::Physical(blocks) => {
                for (i, block) in blocks.iter().enumerate() {
                    shun_reason_reads_back(&block.state, || {
                        format!("datasources[{i}] ({}).state", block.host)
                    })?;
                }
            }
            DataSources::Composite { members, summary } => {
                for (i, member) in members.iter().enumerate() {
                    shun_reason_reads_back(&member.state, || {
                        format!("datasources.members[{i}] ({}).state", member.service)
                    })?;
                }
                if let Some(summary) = summary
                    && !reads_back_as_summary(summary)
                {
                    return Err(ListingError::new(
                        "datasources.summary",
                        format!("{summary:?}"),
                        "one line of text without blanks at either end that is not boxed, a border, a block's header or row, or a closing line of a cctrl session (or no summary)",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// `Err` if `state` is shunned for a reason kept as text that spells a known one, which would
/// read back as that reason.
fn shun_reason_reads_back(
    state: &DataSourceState,
    at: impl FnOnce() -> String,
) -> Result<(), ListingError> {
    if let DataSourceState::Shunned(Some(reason @ ShunReason::Other(text))) = state
        && text.as_str().parse::<ShunReason>().as_ref() != Ok(reason)
    {
        return Err(ListingError::new(
            at(),
            format!("SHUNNED({text}) kept as an unknown reason"),
            format!(
                "the known reason it spells, {}, or text that spells none",
                text.as_str().parse::<ShunReason>().map_or_else(
                    |_| text.to_string(),
                    |known| format!("`ShunReason::{known:?}`")
                )
            ),
        ));
    }
    Ok(())
}
