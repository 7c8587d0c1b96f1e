//! `cctrl ls` listings: the typed form of what `ls` prints, its parser and its renderer.
//!
//! A [`Listing`] holds everything `ls` prints, world data included (STATUS timestamps, connector
//! pids, connection counters, latencies), so that a listing parsed from text renders back the
//! same, in cctrl's layout: boxes as wide as its borders (a paste whose padding was collapsed
//! gets the default width), a datasource header too wide for its box wrapped before its
//! progress, as cctrl wraps it. It is the text edge of the crate; the compact state the engine works on is built from
//! it with [`State::from_listings`](crate::model::State::from_listings) and projected back to it
//! with [`project`].
//!
//! ```
//! use tungsten_model::ls::Listing;
//!
//! let text = "\
//! COORDINATOR[db1:AUTOMATIC:ONLINE]
//!
//! DATASOURCES:
//! +---------------------------------------------------------------------------------+
//! |db1(master:ONLINE, progress=7, THL latency=0.271)                                |
//! |STATUS [OK] [2025/06/04 01:49:28 PM UTC]                                         |
//! +---------------------------------------------------------------------------------+
//! |  MANAGER(state=ONLINE)                                                          |
//! |  REPLICATOR(role=master, state=ONLINE)                                          |
//! |  DATASERVER(state=ONLINE)                                                       |
//! |  CONNECTIONS(created=0, active=0)                                               |
//! +---------------------------------------------------------------------------------+
//! ";
//! let listing: Listing = text.parse()?;
//! assert_eq!(listing.coordinator.host.as_str(), "db1");
//! assert_eq!(listing.to_string(), text);
//! # Ok::<(), tungsten_model::ParseError>(())
//! ```
//!
//! Source of the layout: Continuent docs *operations-status* (4.0 to 8.0) and the seeds. The
//! parser takes real copies: padding collapsed, 76- or 83-column borders or none, blank lines
//! present or missing, headers wrapped over several rows, trailing blanks after the border,
//! optional rows missing, a leading `[LOGICAL] /svc > ls` prompt line.

mod import;
mod parse;
mod project;
mod render;
mod validate;

pub use import::{Import, ImportError};
pub use project::{default_viewer, project, project_composite, state_text};
pub use validate::ListingError;

use serde::{Deserialize, Serialize};

use crate::model::{
    AlertStatus, CompositeRole, Connections, ConnectorState, DataServerState, DataSourceRole,
    DataSourceState, HostName, Latency, ManagerState, PolicyMode, ReasonText, ReplicatorRole,
    ReplicatorState, Seqno, ServiceName, StatusTime,
};

/// The border width used when a listing had none: the 83 columns of current releases.
pub const DEFAULT_WIDTH: usize = 83;

/// The widest border a [`Layout`] holds, in columns. Tungsten prints 76 or 83; this leaves
/// room for any terminal a listing was copied from. The parser refuses a wider border, JSON
/// a wider [`Layout::width`], and a listing built in code with one is drawn at this width: a
/// width is padding the renderer writes, and a layout of `usize::MAX` read from a few bytes of
/// JSON asked it for more memory than exists (a library user's review: a panic in `Display`).
pub const MAX_WIDTH: usize = 1024;

/// One `cctrl ls` listing: of a physical dataservice, or of a composite one.
///
/// Its fields are open, to read and to edit, and every value prints
/// ([`Display`](std::fmt::Display) never fails). Nearly every value also reads back from what
/// it prints (`listing.to_string().parse() == Ok(listing)`); [`Listing::validate`] tells
/// which do not, naming the field. These are the values whose text holds something else,
/// none of them a listing cctrl prints:
/// - a [`Layout::width`] outside `2..=`[`MAX_WIDTH`] (it is drawn at the nearest width held);
/// - a width other than [`DEFAULT_WIDTH`] on a listing that draws no border, with no `ROUTERS:`
///   section and no block (there is no border to read the width from);
/// - a [`DataSources::Composite`] with no member (its text is that of a physical listing with
///   no datasource);
/// - a composite's `summary` that is not one line the parser takes for a closing line: empty,
///   with blanks or a line break at either end or a line break inside, boxed (`|...|`) or a
///   border, a block's row or header (`STATUS [OK]`, `east(composite master:ONLINE)`), or a
///   closing line of a cctrl session (`Exiting...`, `[LOGICAL] /east >`);
/// - a [`ShunReason::Other`](crate::model::ShunReason::Other) whose text spells a known reason
///   (`MANUALLY-SHUNNED`), which reads back as that reason.
///
/// A listing parsed from text always validates. Validation is a method rather than a checked
/// constructor: the fields being open, no constructor could keep a rule once the listing is
/// edited, and a listing that does not read back still prints.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Listing {
    /// How the listing is laid out (border width).
    pub layout: Layout,
    /// The `COORDINATOR[host:POLICY:STATE]` line.
    pub coordinator: Coordinator,
    /// Composite level only: the indented `<svc>:COORDINATOR[...]` lines, one per reachable
    /// member service (newer releases print them).
    pub site_coordinators: Vec<SiteCoordinator>,
    /// The `ROUTERS:` section, or `None` when the listing has none (older composite listings).
    pub routers: Option<Vec<RouterRow>>,
    /// The `DATASOURCES:` section.
    pub datasources: DataSources,
}

/// The layout of a listing: what a renderer needs to print it the way it was read.
///
/// Read from JSON, a width outside `2..=`[`MAX_WIDTH`] is an error. Built in code, a width
/// below 2 is drawn as 2 (`++`) and one past [`MAX_WIDTH`] as [`MAX_WIDTH`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "LayoutFields")]
pub struct Layout {
    /// Width of a border line in columns, `+` included (76 and 83 are seen in the documents).
    pub width: usize,
}

/// A [`Layout`] as JSON holds it, checked on the way in.
#[derive(Deserialize)]
struct LayoutFields {
    width: usize,
}

impl TryFrom<LayoutFields> for Layout {
    type Error = String;

    fn try_from(fields: LayoutFields) -> Result<Self, Self::Error> {
        if (2..=MAX_WIDTH).contains(&fields.width) {
            Ok(Self {
                width: fields.width,
            })
        } else {
            Err(format!(
                "layout width {}: expected a border from 2 to {MAX_WIDTH} columns wide",
                fields.width
            ))
        }
    }
}

impl Default for Layout {
    fn default() -> Self {
        Self {
            width: DEFAULT_WIDTH,
        }
    }
}

/// `COORDINATOR[<host>:<POLICY>:<STATE>]`: the manager that coordinates the service, the
/// service's policy and the coordinator's state.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Coordinator {
    /// The coordinator's host.
    pub host: HostName,
    /// The dataservice's policy mode.
    pub policy: PolicyMode,
    /// The coordinator's state.
    pub state: ManagerState,
}

/// `<svc>:COORDINATOR[...]` at composite level: the coordinator of one member service.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SiteCoordinator {
    /// The member service.
    pub service: ServiceName,
    /// Its coordinator line.
    pub coordinator: Coordinator,
}

/// A router row: `connector@<host>[<pid>](<STATE>, created=<n>, active=<n>)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RouterRow {
    /// The connector's host.
    pub host: HostName,
    /// The connector's process id, when printed.
    pub pid: Option<u32>,
    /// The connector's state.
    pub state: ConnectorState,
    /// Its connection counters.
    pub connections: Connections,
}

/// The `DATASOURCES:` section: physical datasources, or member services at composite level.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataSources {
    /// A physical service's datasources, one block each.
    Physical(Vec<DataSourceBlock>),
    /// A composite service's members, one two-row block each, and the free-text line some
    /// copies show after the last box (e.g. `Composite Active Dataservice (Primary) - east`;
    /// the documents may have added it, so it is kept verbatim and never interpreted).
    Composite {
        /// The member blocks.
        members: Vec<MemberBlock>,
        /// The closing line, if any.
        summary: Option<String>,
    },
}

/// The `STATUS [<status>] [<time>]` line of a block.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StatusLine {
    /// The alert status.
    pub alert: AlertStatus,
    /// When the manager last set it, if printed.
    pub time: Option<StatusTime>,
}

/// Replication progress printed in a header: `progress=<seqno>, latency=<secs>` (slaves) or
/// `progress=<seqno>, THL latency=<secs>` (masters). `-1` and `-1.000` read as `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Progress {
    /// The last applied sequence number, if known.
    pub seqno: Option<Seqno>,
    /// The latency, if known.
    pub latency: Option<Latency>,
}

/// The `REPLICATOR(...)` row: `role=` and `master=` are printed only when known.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReplicatorRow {
    /// The replicator's role.
    pub role: Option<ReplicatorRole>,
    /// The host it replicates from (slaves and relays).
    pub master: Option<HostName>,
    /// Its state.
    pub state: ReplicatorState,
}

/// One datasource block of a physical listing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DataSourceBlock {
    /// The datasource (host) name.
    pub host: HostName,
    /// Its role.
    pub role: DataSourceRole,
    /// Its state, with the shun or failure reason.
    pub state: DataSourceState,
    /// Replication progress, when the header prints it.
    pub progress: Option<Progress>,
    /// The STATUS line.
    pub status: StatusLine,
    /// The `REASON[...]` line, when printed.
    pub reason: Option<ReasonText>,
    /// The `MANAGER(state=..)` row.
    pub manager: Option<ManagerState>,
    /// The `REPLICATOR(..)` row.
    pub replicator: Option<ReplicatorRow>,
    /// The `DATASERVER(state=..)` row.
    pub dataserver: Option<DataServerState>,
    /// The `CONNECTIONS(created=.., active=..)` row.
    pub connections: Option<Connections>,
}

/// One member block of a composite listing: header and STATUS line, no component rows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MemberBlock {
    /// The member service.
    pub service: ServiceName,
    /// `composite master` or `composite slave`.
    pub role: CompositeRole,
    /// Its state, with the shun or failure reason.
    pub state: DataSourceState,
    /// The STATUS line.
    pub status: StatusLine,
    /// The `REASON[...]` line, when printed.
    pub reason: Option<ReasonText>,
}

/// The service a copied listing names in its prompt line (`[LOGICAL] /alpha > ls`,
/// `cctrl [east]> ls`), if its first non-blank line is such a prompt.
#[must_use]
pub fn prompt_service(text: &str) -> Option<ServiceName> {
    let first = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let (prompt, command) = first.rsplit_once('>')?;
    if !command.trim().eq_ignore_ascii_case("ls") {
        return None;
    }
    let prompt = prompt.trim();
    let name = if let Some(rest) = prompt.strip_prefix("cctrl") {
        rest.trim().strip_prefix('[')?.strip_suffix(']')?
    } else {
        prompt.rsplit_once('/')?.1
    };
    ServiceName::new(name.trim()).ok()
}

impl Listing {
    /// The physical datasource blocks, or an empty slice for a composite listing.
    #[must_use]
    pub fn physical(&self) -> &[DataSourceBlock] {
        match &self.datasources {
            DataSources::Physical(blocks) => blocks,
            DataSources::Composite { .. } => &[],
        }
    }

    /// The block of datasource `host`, if the listing has one.
    #[must_use]
    pub fn datasource(&self, host: &str) -> Option<&DataSourceBlock> {
        self.physical().iter().find(|b| b.host.as_str() == host)
    }
}
