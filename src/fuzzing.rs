//! Fuzzing support (feature `arbitrary`): the checks the cargo-fuzz targets in `fuzz/` run on
//! arbitrary bytes, shared with the test that replays every corpus file.
//!
//! Each function takes the fuzzer's bytes and returns `Ok(())` when the crate kept its
//! promises on them, or a [`Failure`] that says which promise broke and on what:
//! - [`parse_ls`]: any text gives a [`Listing`] or a located error; a listing renders back to
//!   itself;
//! - [`parse_command`]: any text gives a cctrl, trepctl or host command or a located error; a
//!   command prints back to itself;
//! - [`parse_runbook`]: any text gives a [`Runbook`] or a located error; a runbook prints back
//!   to itself; starting and validating it never panics;
//! - [`apply_sequence`]: a topology and up to [`MAX_INPUTS`] engine inputs drawn from the bytes,
//!   applied from a healthy state: refusals name their input and rule, the transition is
//!   deterministic, and no accepted input breaks an invariant unless a forced session and a
//!   partition were in force together (the one combination where force's assumption,
//!   "unreachable means down", is wrong);
//! - [`apply_state`]: a state with fields overwritten from the bytes, as an embedder might read
//!   from a file (consistent or not), and inputs applied to it: every entry point that takes a
//!   state answers, the same way twice, and what it answers renders.
//!
//! None of them panics on any input: a panic is a bug the fuzzer reports as a crash.
//!
//! ```
//! use tungsten_model::fuzzing;
//!
//! fuzzing::parse_command(b"datasource db2 recover")?;
//! fuzzing::parse_ls(b"COORDINATOR[db1:AUTOMATIK:ONLINE]")?; // an error, located: fine
//! fuzzing::apply_sequence(&[1, 9, 0, 3, 2, 0, 7])?;
//! fuzzing::apply_state(&[1, 3, 0, 1, 6, 1, 2, 9, 0, 3, 2, 0, 7])?;
//! # Ok::<(), tungsten_model::fuzzing::Failure>(())
//! ```

use std::fmt;

/// The byte reader [`input`] and [`inputs_in`] draw from, re-exported so that a fuzz target
/// uses the `arbitrary` version this crate was built with.
pub use arbitrary::Unstructured;

use crate::command::{
    CctrlCommand, DatasourceAction, HostCommand, Lifecycle, ResetScope, TpmAction, TrepctlCommand,
};
use crate::fault::{Fault, Process, Split};
use crate::ls::{self, Listing};
use crate::machine::{self, CctrlOp, HostOp, Input, Install, ReplicatorOp, TrepctlOp, invariant};
use crate::model::{
    HostId, HostName, MAX_HOSTS, PolicyMode, ReplicatorRole, ServiceId, ServiceName, State,
    Topology, TopologySpec,
};
use crate::runbook::{self, Runbook};
use crate::text::ParseError;

/// The most inputs [`apply_sequence`] draws from one run's bytes.
pub const MAX_INPUTS: usize = 64;

/// A promise the crate broke on a fuzz input: what was checked, on what, and what happened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Failure {
    /// A parse error points outside the text it was read from, or its caret does not render.
    #[error("{what}: the parse error is not located in the input ({lines} line(s)): {error}")]
    Unlocated {
        /// What was parsed (`ls`, `cctrl`, `runbook`, ...).
        what: &'static str,
        /// How many lines the input has.
        lines: usize,
        /// The error, as its caret renders.
        error: String,
    },
    /// A value parsed from the input does not read back from its own rendering.
    #[error(
        "{what}: the rendering does not read back to the same value: {detail}\n--- input ---\n{input}\n--- rendered ---\n{rendered}"
    )]
    RoundTrip {
        /// What was rendered (`ls`, `cctrl`, `runbook`, a projected listing, ...).
        what: &'static str,
        /// The text it was read from (or, for a projection, what it was projected from).
        input: String,
        /// Its rendering.
        rendered: String,
        /// The parse error of the rendering, or the two values that differ.
        detail: String,
    },
    /// One of the fuzzer's fixed topologies could not be built.
    #[error("topology {index}: {message}")]
    Topology {
        /// Which topology.
        index: u8,
        /// Why it could not be built.
        message: String,
    },
    /// `apply` changed the state it was given, or gave two different answers to the same
    /// input on the same state, or a refusal does not describe itself.
    #[error("{topology}: input {step} ({input}): {what}\n  after:\n{trace}")]
    Engine {
        /// The topology, as text.
        topology: String,
        /// The index of the input in the sequence.
        step: usize,
        /// The input, in debug form.
        input: String,
        /// What went wrong.
        what: String,
        /// The inputs accepted before it, one per line.
        trace: Trace,
    },
    /// An accepted input left an invariant broken, with no forced session coexisting with a
    /// partition before it.
    #[error(
        "{topology}: input {step} ({input}) was accepted and broke {violation}\n  after:\n{trace}"
    )]
    Invariant {
        /// The topology, as text.
        topology: String,
        /// The index of the input in the sequence.
        step: usize,
        /// The input, in debug form.
        input: String,
        /// The broken invariant, described.
        violation: String,
        /// The inputs accepted up to and including it, one per line.
        trace: Trace,
    },
    /// A listing imported into a state that [`State::validate`] refuses: one the engine
    /// could not have built over the imported topology.
    #[error("ls import built an inconsistent state, {error}, from:\n{input}")]
    Import {
        /// The listing's text.
        input: String,
        /// What `validate` found.
        error: String,
    },
}

/// Engine inputs in debug form, printed one per line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Trace(
    /// The inputs, oldest first.
    pub Vec<String>,
);

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.0 {
            writeln!(f, "    {line}")?;
        }
        Ok(())
    }
}

/// The number of lines of `text`, as the parsers count them.
fn line_count(text: &str) -> usize {
    text.split('\n').count().max(1)
}

/// A parse error must point at a line of the input, and its caret must render.
fn located(what: &'static str, text: &str, error: &ParseError) -> Result<(), Failure> {
    let lines = line_count(text);
    let caret = error.caret();
    let line = error.span().line;
    if line == 0 || line > lines || !caret.contains('^') {
        return Err(Failure::Unlocated {
            what,
            lines,
            error: caret,
        });
    }
    Ok(())
}

/// `listing` renders to text that reads back to it.
fn listing_round_trip(what: &'static str, input: &str, listing: &Listing) -> Result<(), Failure> {
    let rendered = listing.to_string();
    let detail = match rendered.parse::<Listing>() {
        Ok(back) if &back == listing => return Ok(()),
        Ok(back) => format!("read back as {back:?}, was {listing:?}"),
        Err(e) => e.caret(),
    };
    Err(Failure::RoundTrip {
        what,
        input: input.to_owned(),
        rendered,
        detail,
    })
}

/// Read the bytes as an `ls` listing. A listing must render back to itself; an error must be
/// located in the input. A listing that imports must give a state [`State::validate`]
/// accepts, which projects back to a listing that renders back to itself too.
///
/// # Errors
/// The [`Failure`] that says which promise broke.
pub fn parse_ls(data: &[u8]) -> Result<(), Failure> {
    let text = String::from_utf8_lossy(data);
    let listing = match text.parse::<Listing>() {
        Ok(listing) => listing,
        Err(e) => return located("ls", &text, &e),
    };
    listing_round_trip("ls", &text, &listing)?;
    let service = ls::prompt_service(&text)
        .or_else(|| ServiceName::new("alpha").ok())
        .into_iter();
    let pairs: Vec<(ServiceName, &Listing)> = service.map(|s| (s, &listing)).collect();
    if let Ok(import) = State::from_listings(&pairs) {
        if let Err(e) = import.state.validate(&import.topology) {
            return Err(Failure::Import {
                input: text.into_owned(),
                error: e.to_string(),
            });
        }
        for service in import.topology.physical_services() {
            if let Some(viewer) = ls::default_viewer(&import.topology, &import.state, service) {
                let projected =
                    ls::project(&import.topology, &import.state, viewer, Some(&listing));
                listing_round_trip("ls import, projected back", &text, &projected)?;
            }
        }
    }
    Ok(())
}

/// One command grammar: what it is called and how a line is read.
fn command_round_trip<T>(
    what: &'static str,
    text: &str,
    parse: fn(&str, usize) -> Result<T, ParseError>,
) -> Result<(), Failure>
where
    T: fmt::Display + fmt::Debug + PartialEq,
{
    let command = match parse(text, 1) {
        Ok(command) => command,
        Err(e) => return located(what, text, &e),
    };
    let rendered = command.to_string();
    let detail = match parse(&rendered, 1) {
        Ok(back) if back == command => return Ok(()),
        Ok(back) => format!("read back as {back:?}, was {command:?}"),
        Err(e) => e.caret(),
    };
    Err(Failure::RoundTrip {
        what,
        input: text.to_owned(),
        rendered,
        detail,
    })
}

/// Read the bytes as a cctrl command, a trepctl command and a host command. Whatever reads
/// must print back to itself; errors must be located in the input.
///
/// # Errors
/// The [`Failure`] that says which promise broke.
pub fn parse_command(data: &[u8]) -> Result<(), Failure> {
    let text = String::from_utf8_lossy(data);
    command_round_trip("cctrl", &text, CctrlCommand::parse_line)?;
    command_round_trip("trepctl", &text, TrepctlCommand::parse_line)?;
    command_round_trip("host", &text, HostCommand::parse_line)
}

/// Read the bytes as a runbook. A runbook must print back to itself (line numbers aside); an
/// error must be located in the input. A runbook that declares a starting state is started
/// (with a loader that reads no file) and validated, which must not panic.
///
/// # Errors
/// The [`Failure`] that says which promise broke.
pub fn parse_runbook(data: &[u8]) -> Result<(), Failure> {
    let text = String::from_utf8_lossy(data);
    let book = match text.parse::<Runbook>() {
        Ok(book) => book,
        Err(e) => return located("runbook", &text, &e),
    };
    let rendered = book.to_string();
    let detail = match rendered.parse::<Runbook>() {
        Ok(back) if back.without_lines() == book.without_lines() => None,
        Ok(back) => Some(format!(
            "read back as {:?}, was {:?}",
            back.without_lines(),
            book.without_lines()
        )),
        Err(e) => Some(e.caret()),
    };
    if let Some(detail) = detail {
        return Err(Failure::RoundTrip {
            what: "runbook",
            input: text.into_owned(),
            rendered,
            detail,
        });
    }
    let mut no_files = |path: &str| Err(format!("the fuzzer reads no file (`{path}`)"));
    if let Ok(start) = runbook::start(&book, &[], &mut no_files) {
        let report = runbook::validate(&start, &book, runbook::Options::default());
        let _ = report.to_string();
    }
    Ok(())
}

/// The topologies [`apply_sequence`] picks from, by index (taken modulo their number).
///
/// 0: one datasource; 1: three; 2: five; 3: two datasources, an active witness and a
/// connector-only host; 4: two sites of two with cross-site replicators; 5: the same sites
/// under a composite service.
///
/// # Errors
/// [`Failure::Topology`] if the topology cannot be built (a bug in the crate).
pub fn topology(index: u8) -> Result<Topology, Failure> {
    let index = index % TOPOLOGIES;
    let fail = |message: String| Failure::Topology { index, message };
    let host = |name: &str| HostName::new(name).map_err(|e| fail(e.to_string()));
    match index {
        0 => Topology::single("alpha", &["db1"]),
        1 => Topology::single("alpha", &["db1", "db2", "db3"]),
        2 => Topology::single("alpha", &["db1", "db2", "db3", "db4", "db5"]),
        3 => {
            let mut spec =
                TopologySpec::single("alpha", &["db1", "db2"]).map_err(|e| fail(e.to_string()))?;
            let witness = host("w1")?;
            let connectors = vec![host("db1")?, host("db2")?, host("app1")?];
            for service in &mut spec.services {
                service.witnesses.push(witness.clone());
                service.connectors = Some(connectors.clone());
            }
            Topology::try_from(spec)
        }
        4 => Topology::multisite(&[("east", &["db1", "db2"]), ("west", &["db3", "db4"])]),
        _ => {
            let mut spec =
                TopologySpec::single("east", &["db1", "db2"]).map_err(|e| fail(e.to_string()))?;
            let west =
                TopologySpec::single("west", &["db3", "db4"]).map_err(|e| fail(e.to_string()))?;
            spec.services.extend(west.services);
            let name = |n: &str| ServiceName::new(n).map_err(|e| fail(e.to_string()));
            spec.composites.push(crate::model::CompositeSpec {
                name: name("global")?,
                members: vec![name("east")?, name("west")?],
            });
            Topology::try_from(spec)
        }
    }
    .map_err(|e| fail(e.to_string()))
}

/// How many topologies [`topology`] knows.
pub const TOPOLOGIES: u8 = 6;

/// What inputs can name in one topology.
struct Alphabet {
    hosts: Vec<HostId>,
    services: Vec<ServiceId>,
}

impl Alphabet {
    fn of(topology: &Topology) -> Self {
        Self {
            hosts: topology.host_ids().collect(),
            services: (0..topology.services().len())
                .filter_map(ServiceId::from_index)
                .collect(),
        }
    }

    fn host(&self, u: &mut Unstructured<'_>) -> arbitrary::Result<HostId> {
        u.choose(&self.hosts).copied()
    }

    fn maybe_host(&self, u: &mut Unstructured<'_>) -> arbitrary::Result<Option<HostId>> {
        Ok(if u.arbitrary::<bool>()? {
            Some(self.host(u)?)
        } else {
            None
        })
    }

    fn input(&self, u: &mut Unstructured<'_>) -> arbitrary::Result<Input> {
        Ok(match u.int_in_range(0_u8..=12)? {
            0..=5 => Input::Cctrl {
                at: self.host(u)?,
                op: self.cctrl(u)?,
            },
            6 => Input::Trepctl {
                on: self.host(u)?,
                target: self.host(u)?,
                install: install(u)?,
                op: self.trepctl(u)?,
            },
            7 => Input::Host {
                on: self.host(u)?,
                op: self.host_op(u)?,
            },
            _ => Input::Fault(self.fault(u)?),
        })
    }

    fn cctrl(&self, u: &mut Unstructured<'_>) -> arbitrary::Result<CctrlOp> {
        Ok(match u.int_in_range(0_u8..=28)? {
            0..=2 => CctrlOp::SetPolicy(*u.choose(&[
                PolicyMode::Automatic,
                PolicyMode::Manual,
                PolicyMode::Maintenance,
            ])?),
            3..=4 => CctrlOp::SetForce(u.arbitrary()?),
            5 => CctrlOp::Use(*u.choose(&self.services)?),
            6..=13 => CctrlOp::Datasource(self.host(u)?, datasource_action(u)?),
            14..=16 => CctrlOp::Replicator(self.host(u)?, self.replicator_op(u)?),
            17 => CctrlOp::Router(self.maybe_host(u)?, u.arbitrary()?),
            18 => CctrlOp::Recover,
            19 => CctrlOp::RecoverMasterUsing(self.host(u)?),
            20..=21 => CctrlOp::Switch(self.maybe_host(u)?),
            22 => CctrlOp::Failover(self.maybe_host(u)?),
            23 => CctrlOp::Heartbeat,
            // The commands on whole sites, typed at a composite (`use` it first) or refused.
            25 => CctrlOp::SwitchSite(self.maybe_service(u)?),
            26 => CctrlOp::FailoverSite(self.maybe_service(u)?),
            27 => CctrlOp::RecoverSites,
            28 => CctrlOp::SiteDatasource(*u.choose(&self.services)?, datasource_action(u)?),
            _ => CctrlOp::Inspect,
        })
    }

    fn maybe_service(&self, u: &mut Unstructured<'_>) -> arbitrary::Result<Option<ServiceId>> {
        Ok(if u.arbitrary()? {
            Some(*u.choose(&self.services)?)
        } else {
            None
        })
    }

    fn replicator_op(&self, u: &mut Unstructured<'_>) -> arbitrary::Result<ReplicatorOp> {
        Ok(match u.int_in_range(0_u8..=6)? {
            0 => ReplicatorOp::Online,
            1 => ReplicatorOp::Offline,
            2 => ReplicatorOp::Master,
            3 => ReplicatorOp::Slave(self.maybe_host(u)?),
            4 => ReplicatorOp::Relay(self.maybe_host(u)?),
            _ => ReplicatorOp::Process(lifecycle(u)?),
        })
    }

    fn trepctl(&self, u: &mut Unstructured<'_>) -> arbitrary::Result<TrepctlOp> {
        Ok(match u.int_in_range(0_u8..=6)? {
            0 => TrepctlOp::Online,
            1 => TrepctlOp::Offline,
            2 => TrepctlOp::Reset(*u.choose(&[
                ResetScope::All,
                ResetScope::Thl,
                ResetScope::Relay,
                ResetScope::Db,
            ])?),
            3 => TrepctlOp::SetRole(*u.choose(&ReplicatorRole::ALL)?, self.maybe_host(u)?),
            4 => TrepctlOp::Flush,
            5 => TrepctlOp::Heartbeat,
            // A byte more, here only, so that inputs decoded before `offline-deferred` was
            // added (the committed regressions among them) decode as they did.
            _ if u.arbitrary()? => TrepctlOp::OfflineDeferred,
            _ => TrepctlOp::Inspect,
        })
    }

    fn host_op(&self, u: &mut Unstructured<'_>) -> arbitrary::Result<HostOp> {
        Ok(match u.int_in_range(0_u8..=7)? {
            0 => HostOp::StartAll(install(u)?),
            1 => HostOp::StopAll(install(u)?),
            2 => HostOp::Manager(lifecycle(u)?),
            3 => HostOp::Replicator(install(u)?, lifecycle(u)?),
            4 => HostOp::Connector(lifecycle(u)?),
            5 => HostOp::Provision {
                source: self.host(u)?,
            },
            6 => HostOp::Tpm(*u.choose(&[
                TpmAction::Validate,
                TpmAction::Update,
                TpmAction::Reset,
            ])?),
            // A byte more, as for `offline-deferred` above: an input saved before the
            // dataserver's commands were added that reaches this arm decodes differently from
            // here on, and the committed regressions are replayed for what they promise (no
            // panic, every invariant holds), not for their exact sequence.
            _ if u.arbitrary()? => HostOp::DataServer(lifecycle(u)?),
            // And one more for `start offline` and the tools that only read, added later
            // still.
            _ if u.arbitrary()? => HostOp::ReplicatorStartOffline {
                install: install(u)?,
                restart: u.arbitrary()?,
            },
            _ if u.arbitrary()? => HostOp::Inspect,
            _ => HostOp::NotModelled,
        })
    }

    fn fault(&self, u: &mut Unstructured<'_>) -> arbitrary::Result<Fault> {
        Ok(match u.int_in_range(0_u8..=20)? {
            0..=1 => Fault::HostCrash(self.host(u)?),
            2..=4 => Fault::HostRestart(self.host(u)?),
            5..=6 => Fault::Stop(self.host(u)?, process(u)?),
            7..=8 => Fault::Start(self.host(u)?, process(u)?),
            9 => Fault::ReplicatorError(self.host(u)?),
            10..=11 => Fault::Partition(self.split(u)?),
            12..=13 => Fault::Heal,
            14..=16 => Fault::Write(self.host(u)?),
            17 => Fault::Drift(self.host(u)?),
            18..=19 => Fault::CatchUp(self.host(u)?),
            _ => Fault::CrossSiteCatchUp(self.host(u)?),
        })
    }

    /// Two or three groups over the topology's hosts; hosts past them stay with the first.
    fn split(&self, u: &mut Unstructured<'_>) -> arbitrary::Result<Split> {
        let mut labels = [0_u8; MAX_HOSTS];
        for slot in labels.iter_mut().take(self.hosts.len()) {
            *slot = u.int_in_range(0_u8..=2)?;
        }
        Ok(Split::from_labels(labels))
    }
}

fn install(u: &mut Unstructured<'_>) -> arbitrary::Result<Install> {
    Ok(if u.arbitrary::<bool>()? {
        Install::CrossSite
    } else {
        Install::Cluster
    })
}

fn lifecycle(u: &mut Unstructured<'_>) -> arbitrary::Result<Lifecycle> {
    u.choose(&[Lifecycle::Start, Lifecycle::Stop, Lifecycle::Restart])
        .copied()
}

fn process(u: &mut Unstructured<'_>) -> arbitrary::Result<Process> {
    u.choose(&[
        Process::Manager,
        Process::Replicator,
        Process::Connector,
        Process::DataServer,
    ])
    .copied()
}

fn datasource_action(u: &mut Unstructured<'_>) -> arbitrary::Result<DatasourceAction> {
    Ok(match u.int_in_range(0_u8..=12)? {
        0 => DatasourceAction::Online,
        1 => DatasourceAction::Offline,
        2 => DatasourceAction::Shun,
        3 => DatasourceAction::Welcome,
        4 => DatasourceAction::Recover,
        5 => DatasourceAction::Fail,
        6 => DatasourceAction::Slave,
        7 => DatasourceAction::Master,
        8 => DatasourceAction::Restore,
        9 => DatasourceAction::Backup,
        10 => DatasourceAction::Drain(None),
        11 => DatasourceAction::Relay,
        _ => DatasourceAction::Drain(Some(u.arbitrary()?)),
    })
}

/// The most fields [`apply_state`] overwrites, and the most inputs it applies.
const MAX_EDITS: u8 = 16;

/// Draw a topology, a state (a healthy one with up to 16 fields overwritten from the bytes,
/// in slots of the topology's hosts or past them: what an embedder might read from a file,
/// which [`State::validate`] may refuse) and up to 16 inputs. Every entry point that takes a
/// state must answer, whatever the state: `validate`, the invariants, `settle`, each host's
/// listing, and `apply` of each input, which must give the same answer twice and render its
/// refusal, effects and findings. A hang shows as the fuzzer's timeout (an embedder's review
/// found `apply` spinning on such a state before the source-chain walk was bounded).
///
/// # Errors
/// [`Failure::Engine`] where `apply` answers two ways, [`Failure::Topology`] for a bug in
/// the fuzzer's topologies.
pub fn apply_state(data: &[u8]) -> Result<(), Failure> {
    let mut u = Unstructured::new(data);
    let topology = topology(u.arbitrary::<u8>().unwrap_or(0))?;
    let mut state = State::healthy(&topology);
    let edits = u.int_in_range(0..=MAX_EDITS).unwrap_or(0);
    for _ in 0..edits {
        if overwrite(&mut u, &mut state).is_err() {
            break;
        }
    }
    let alphabet = Alphabet::of(&topology);
    let mut inputs = Vec::new();
    while inputs.len() < usize::from(MAX_EDITS) && !u.is_empty() {
        match alphabet.input(&mut u) {
            Ok(input) => inputs.push(input),
            Err(_) => break,
        }
    }
    let _ = state.validate(&topology);
    let _ = invariant::check_all(&topology, &state);
    let settled = machine::settle(&topology, &state, &machine::Rules::default());
    for effect in &settled.effects {
        let _ = effect.render(&topology);
    }
    for h in topology.host_ids() {
        let _ = ls::project(&topology, &state, h, None).to_string();
    }
    for (step, input) in inputs.iter().enumerate() {
        let first = machine::apply(&topology, &state, input);
        if first != machine::apply(&topology, &state, input) {
            return Err(Failure::Engine {
                topology: topology.to_string(),
                step,
                input: format!("{input:?}"),
                what: format!("applied twice to a drawn state, it gave two answers: {first:?}"),
                trace: Trace(vec![format!("{state:?}")]),
            });
        }
        match first {
            Ok(outcome) => {
                for effect in &outcome.effects {
                    let _ = effect.render(&topology);
                }
                for finding in &outcome.findings {
                    let _ = finding.render(&topology);
                }
            }
            Err(refusal) => {
                let _ = refusal.render(&topology);
            }
        }
    }
    Ok(())
}

/// Overwrite one field of `state` from the bytes: a host's processes, its replicator (role,
/// state, source: any id below [`MAX_HOSTS`]), its partition label, a view's policy or one
/// of its entries.
fn overwrite(u: &mut Unstructured<'_>, state: &mut State) -> arbitrary::Result<()> {
    use crate::model::{DataSourceRole, DsEntry, DsState, FailCause, ReplicatorState, ShunCause};
    let slot = u.choose_index(MAX_HOSTS)?;
    let id = |u: &mut Unstructured<'_>| -> arbitrary::Result<HostId> {
        Ok(HostId::from_index(u.choose_index(MAX_HOSTS)?).unwrap_or_default())
    };
    let states = [
        ReplicatorState::Online,
        ReplicatorState::OfflineNormal,
        ReplicatorState::OfflineError,
    ];
    let host = &mut state.hosts[slot];
    match u.choose_index(10)? {
        0 => host.up = u.arbitrary()?,
        1 => host.manager = u.arbitrary()?,
        2 => host.dataserver = u.arbitrary()?,
        3 => host.replicator.running = u.arbitrary()?,
        4 => host.replicator.role = *u.choose(&ReplicatorRole::ALL)?,
        5 => host.replicator.state = *u.choose(&states)?,
        6 => host.replicator.master = if u.arbitrary()? { Some(id(u)?) } else { None },
        7 => state.partition[slot] = u8::try_from(u.choose_index(MAX_HOSTS)?).unwrap_or(0),
        8 => {
            state.views[slot].policy = *u.choose(&[
                PolicyMode::Automatic,
                PolicyMode::Manual,
                PolicyMode::Maintenance,
            ])?;
        }
        _ => {
            let entry = id(u)?;
            let role = *u.choose(&[
                DataSourceRole::Master,
                DataSourceRole::Slave,
                DataSourceRole::Relay,
            ])?;
            let ds = match u.choose_index(5)? {
                0 => DsState::Online,
                1 => DsState::Offline,
                2 => DsState::Shunned(ShunCause::Manual),
                3 => DsState::Shunned(ShunCause::FailedOverTo(id(u)?)),
                _ => DsState::Failed(FailCause::Unreachable),
            };
            if let Some(e) = state.views[slot].entry_mut(entry) {
                *e = DsEntry::new(role, ds);
            }
        }
    }
    Ok(())
}

/// Whether two hosts of `topology` are on different sides of a partition.
fn partitioned(topology: &Topology, state: &State) -> bool {
    let mut labels = topology.host_ids().map(|h| state.partition_label(h));
    labels
        .next()
        .is_some_and(|first| labels.any(|label| label != first))
}

/// Whether a cctrl session is forced while a partition is in force: force's assumption
/// (a host the manager cannot reach is down) may then be wrong, and a forced step may
/// legitimately leave two masters.
fn forced_under_partition(topology: &Topology, state: &State) -> bool {
    partitioned(topology, state) && topology.host_ids().any(|h| state.session(h).force)
}

/// The topology and the inputs [`apply_sequence`] draws from `data`: the first byte picks the
/// topology (see [`topology`]), then each input takes a few bytes (a kind, hosts taken modulo
/// the topology's, an operation), up to [`MAX_INPUTS`] inputs or the end of the bytes. Use it
/// to see what a crash file stands for.
///
/// # Errors
/// [`Failure::Topology`] if the topology cannot be built (a bug in the crate).
pub fn sequence(data: &[u8]) -> Result<(Topology, Vec<Input>), Failure> {
    let mut u = Unstructured::new(data);
    let topology = topology(u.arbitrary::<u8>().unwrap_or(0))?;
    let inputs = inputs_in(&mut u, &topology);
    Ok((topology, inputs))
}

/// One engine input over `topology`, drawn from `u` as [`sequence`] draws each of its
/// inputs: every kind of input the engine takes, its hosts and services the topology's. For
/// a fuzz target of one's own, over one's own topology (with [`inputs_in`] for a sequence).
///
/// # Errors
/// The `arbitrary` error when `u` runs out of bytes before the input is drawn.
///
/// # Example
/// ```
/// use tungsten_model::fuzzing::{self, Unstructured};
/// use tungsten_model::machine;
/// use tungsten_model::model::{State, Topology};
///
/// let topology = Topology::single("alpha", &["db1", "db2", "db3"])?;
/// let mut u = Unstructured::new(&[0, 1, 2, 3, 4, 5, 6, 7]);
/// let input = fuzzing::input(&mut u, &topology)?;
/// // Accepted or refused, with a reason: never a panic.
/// let _ = machine::apply(&topology, &State::healthy(&topology), &input);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn input(u: &mut Unstructured<'_>, topology: &Topology) -> arbitrary::Result<Input> {
    Alphabet::of(topology).input(u)
}

/// Up to [`MAX_INPUTS`] engine inputs over `topology` drawn from `u` (see [`input`]), until
/// its bytes run out.
#[must_use]
pub fn inputs_in(u: &mut Unstructured<'_>, topology: &Topology) -> Vec<Input> {
    let alphabet = Alphabet::of(topology);
    let mut inputs = Vec::new();
    while inputs.len() < MAX_INPUTS && !u.is_empty() {
        match alphabet.input(u) {
            Ok(input) => inputs.push(input),
            Err(_) => break,
        }
    }
    inputs
}

/// Draw a topology and up to [`MAX_INPUTS`] inputs from the bytes and apply them from a
/// healthy state. A refused input must leave the state unchanged, name its input and its rule
/// and render; applying an input twice must give the same result; every accepted input must
/// leave every invariant holding, unless a forced session and a partition have been in force
/// together at some point of the sequence. At the end, each physical service's listing, as
/// its default viewer would print it, must render back to itself.
///
/// # Errors
/// The [`Failure`] that says which promise broke, with the inputs that led there.
pub fn apply_sequence(data: &[u8]) -> Result<(), Failure> {
    let (topology, inputs) = sequence(data)?;
    let mut state = State::healthy(&topology);
    let mut trace = Trace::default();
    let mut forced_partition = forced_under_partition(&topology, &state);
    let engine = |step: usize, input: &Input, what: String, trace: &Trace| Failure::Engine {
        topology: topology.to_string(),
        step,
        input: format!("{input:?}"),
        what,
        trace: trace.clone(),
    };
    for (step, input) in inputs.into_iter().enumerate() {
        // `apply` borrows the state immutably, so it cannot change it; what is checked is
        // that a refusal describes itself and that the answer does not vary.
        let first = machine::apply(&topology, &state, &input);
        let second = machine::apply(&topology, &state, &input);
        match (first, second) {
            (Ok(a), Ok(b)) => {
                if a != b {
                    return Err(engine(
                        step,
                        &input,
                        format!("applied twice, it gave two outcomes: {a:?} then {b:?}"),
                        &trace,
                    ));
                }
                for effect in &a.effects {
                    let _ = effect.render(&topology);
                }
                for finding in &a.findings {
                    let _ = finding.render(&topology);
                }
                if let Err(e) = a.state.validate(&topology) {
                    return Err(engine(
                        step,
                        &input,
                        format!("it built a state the engine should not: {e}"),
                        &trace,
                    ));
                }
                state = a.state;
                trace.0.push(format!("{input:?}"));
                // A composite `failover` assumes what it cannot reach is down, as force does.
                let site_failover = matches!(
                    input,
                    Input::Cctrl {
                        op: CctrlOp::FailoverSite(_),
                        ..
                    }
                );
                forced_partition |= forced_under_partition(&topology, &state)
                    || (site_failover && partitioned(&topology, &state));
                if !forced_partition && let Some(v) = invariant::check(&topology, &state) {
                    return Err(Failure::Invariant {
                        topology: topology.to_string(),
                        step,
                        input: format!("{input:?}"),
                        violation: v.describe(&topology),
                        trace,
                    });
                }
            }
            (Err(a), Err(b)) => {
                let wrong = if a != b {
                    Some(format!("refused twice, for two reasons: {a:?} then {b:?}"))
                } else if a.input != input {
                    Some(format!("the refusal names another input: {:?}", a.input))
                } else if a.render(&topology).is_empty() {
                    Some(format!("the refusal renders as nothing: {:?}", a.refusal))
                } else {
                    None
                };
                if let Some(what) = wrong {
                    return Err(engine(step, &input, what, &trace));
                }
            }
            (a, b) => {
                return Err(engine(
                    step,
                    &input,
                    format!(
                        "applied twice, it was {} then {}",
                        if a.is_ok() { "accepted" } else { "refused" },
                        if b.is_ok() { "accepted" } else { "refused" }
                    ),
                    &trace,
                ));
            }
        }
    }
    for service in topology.physical_services() {
        if let Some(viewer) = ls::default_viewer(&topology, &state, service) {
            let projected = ls::project(&topology, &state, viewer, None);
            let from = format!("{topology}\nafter:\n{trace}");
            listing_round_trip("projected listing", &from, &projected)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::mem::discriminant;

    use super::*;

    /// Deterministic bytes (xorshift), so the test needs no fuzzer.
    fn bytes(seed: u64, len: usize) -> Vec<u8> {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x.to_le_bytes()[0]
            })
            .collect()
    }

    /// What the decoder reaches from many byte strings: every topology and every kind of
    /// input, operation, action and fault, and full-length sequences. A kind the decoder can
    /// no longer produce is a part of the engine the fuzzer stopped exercising.
    #[test]
    fn the_decoder_reaches_every_kind_of_input() {
        let mut topologies = HashSet::new();
        let (mut kinds, mut cctrl, mut actions, mut replicator) = (
            HashSet::new(),
            HashSet::new(),
            HashSet::new(),
            HashSet::new(),
        );
        let (mut trepctl, mut host, mut faults) = (HashSet::new(), HashSet::new(), HashSet::new());
        let (mut drain_with_time, mut drain_without, mut longest) = (false, false, 0);
        for seed in 0..3000 {
            let (topology, inputs) = sequence(&bytes(seed, 400)).unwrap();
            topologies.insert(topology.to_string());
            longest = longest.max(inputs.len());
            for input in inputs {
                kinds.insert(discriminant(&input));
                match input {
                    Input::Cctrl { op, .. } | Input::PipedCctrl { op, .. } => {
                        cctrl.insert(discriminant(&op));
                        match op {
                            CctrlOp::Datasource(_, action) => {
                                drain_with_time |=
                                    matches!(action, DatasourceAction::Drain(Some(_)));
                                drain_without |= action == DatasourceAction::Drain(None);
                                actions.insert(discriminant(&action));
                            }
                            CctrlOp::Replicator(_, op) => {
                                replicator.insert(discriminant(&op));
                            }
                            _ => {}
                        }
                    }
                    Input::Trepctl { op, .. } => {
                        trepctl.insert(discriminant(&op));
                    }
                    Input::Host { op, .. } => {
                        host.insert(discriminant(&op));
                    }
                    Input::Fault(fault) => {
                        faults.insert(discriminant(&fault));
                    }
                }
            }
        }
        assert_eq!(topologies.len(), usize::from(TOPOLOGIES));
        assert_eq!(kinds.len(), 4);
        assert_eq!(cctrl.len(), 16, "cctrl operations");
        assert_eq!(actions.len(), 12, "datasource actions");
        assert!(drain_with_time && drain_without);
        assert_eq!(replicator.len(), 6, "cctrl replicator operations");
        assert_eq!(trepctl.len(), 8, "trepctl operations");
        assert_eq!(host.len(), 11, "host operations");
        assert_eq!(faults.len(), 11, "faults");
        assert_eq!(longest, MAX_INPUTS);
    }

    /// A failure's trace prints one indented input per line.
    #[test]
    fn a_trace_prints_one_input_per_line() {
        let trace = Trace(vec![
            "cctrl@db1> switch".to_owned(),
            "fault: db1 crashes".to_owned(),
        ]);
        assert_eq!(
            trace.to_string(),
            "    cctrl@db1> switch\n    fault: db1 crashes\n"
        );
    }

    /// The round-trip check fails on a listing that does not read back: a composite summary
    /// with a line break in it prints as two lines.
    #[test]
    fn a_listing_that_does_not_read_back_fails_the_round_trip() {
        let text = "COORDINATOR[db1:AUTOMATIC:ONLINE]\n\nDATASOURCES:\n\
            +-------------------------------------+\n\
            |east(composite master:ONLINE)        |\n\
            |STATUS [OK] [2015/04/14 01:26:27 AM UTC]|\n\
            +-------------------------------------+\n\
            all members online\n";
        let mut listing: Listing = text.parse().unwrap();
        assert!(listing_round_trip("ls", text, &listing).is_ok());
        if let crate::ls::DataSources::Composite { summary, .. } = &mut listing.datasources {
            *summary = Some("all members\nonline\n|x|".to_owned());
        }
        assert!(matches!(
            listing_round_trip("ls", text, &listing),
            Err(Failure::RoundTrip { what: "ls", .. })
        ));
    }

    /// Forced sessions count against the invariants only together with a partition.
    #[test]
    fn force_alone_or_a_partition_alone_is_not_force_under_a_partition() {
        let topology = topology(1).unwrap();
        let healthy = State::healthy(&topology);
        let (db1, db2) = (
            topology.host_id("db1").unwrap(),
            topology.host_id("db2").unwrap(),
        );
        let force = Input::Cctrl {
            at: db1,
            op: CctrlOp::SetForce(true),
        };
        let cut = Input::Fault(Fault::Partition(Split::new(&[&[db1], &[db2]])));
        let forced = machine::apply(&topology, &healthy, &force).unwrap().state;
        let split = machine::apply(&topology, &healthy, &cut).unwrap().state;
        let both = machine::apply(&topology, &forced, &cut).unwrap().state;
        assert!(!partitioned(&topology, &healthy) && !partitioned(&topology, &forced));
        assert!(partitioned(&topology, &split));
        assert!(!forced_under_partition(&topology, &healthy));
        assert!(!forced_under_partition(&topology, &forced));
        assert!(!forced_under_partition(&topology, &split));
        assert!(forced_under_partition(&topology, &both));
    }
}
