//! A pure, typed model of Continuent Tungsten Clustering.
//!
//! **Purity contract.** This crate does no I/O, reads no clock, draws no random number and
//! keeps no global state. Text comes in as `&str`, time and choices come in as arguments, and
//! every transition is a function of its inputs: the same state and input always give the same
//! outcome, and an input that is refused leaves nothing changed. That is what lets the crate
//! be embedded in other tools, property-tested and explored exhaustively. One part touches the
//! machine it runs on: the explorer ([`explore`]) runs on worker threads, and its default
//! thread count ([`explore::Config::threads`]) is the number of cores the standard library
//! reports. The thread count changes only how long a run takes and the seen-set's memory: its counts and the
//! counterexample it returns are the same from run to run and for any number of threads.
//!
//! It reads what a Tungsten operator sees and types (`cctrl ls` listings, cctrl and trepctl
//! commands, host scripts, whole runbooks), models what the managers do in reaction, and checks
//! that no sequence of commands and faults leaves two writable masters in one dataservice.
//!
//! ```
//! use tungsten_model::ls::{self, Listing};
//! use tungsten_model::model::{DataSourceRole, Quorum, ServiceName, State};
//!
//! // The listing from the "last man standing" procedure, after db1 and db3 were lost.
//! let text = "\
//! COORDINATOR[db2:AUTOMATIC:ONLINE]
//! ROUTERS:
//! |connector@db2[7519](ONLINE, created=0, active=0) |
//! DATASOURCES:
//! |db1(master:SHUNNED(FAILSAFE_SHUN)) |
//! |STATUS [SHUNNED] [2025/06/04 01:51:34 PM UTC] |
//! | MANAGER(state=STOPPED) |
//! | REPLICATOR(state=STATUS NOT AVAILABLE) |
//! | DATASERVER(state=UNKNOWN) |
//! |db2(slave:SHUNNED(FAILSAFE_SHUN), progress=-1, latency=-1.000) |
//! |STATUS [OK] [2025/06/04 01:49:28 PM UTC] |
//! | MANAGER(state=ONLINE) |
//! | REPLICATOR(role=slave, master=db3, state=OFFLINE) |
//! | DATASERVER(state=ONLINE) |
//! |db3(master:SHUNNED(FAILSAFE_SHUN)) |
//! |STATUS [OK] [2025/06/04 01:51:38 PM UTC] |
//! | MANAGER(state=STOPPED) |
//! | REPLICATOR(state=STATUS NOT AVAILABLE) |
//! | DATASERVER(state=UNKNOWN) |
//! ";
//! let listing: Listing = text.parse()?;
//! assert_eq!(listing.datasource("db2").unwrap().role, DataSourceRole::Slave);
//!
//! // Into the compact model: a topology of names and a state over ids.
//! let alpha = ServiceName::new("alpha")?;
//! let import = State::from_listings(&[(alpha, &listing)])?;
//! let db2 = import.topology.host_id("db2").unwrap();
//! // db2's manager is alone: one of three DB members is no quorum.
//! assert_eq!(import.state.view(db2).quorum, Quorum::NonPrimary);
//! // What the import had to assume is stated, not hidden.
//! assert!(import.assumptions[0].contains("db1 and db3 cannot be reached"));
//!
//! // And back to text, as db2's manager would print it.
//! let again = ls::project(&import.topology, &import.state, db2, Some(&listing));
//! assert!(again.to_string().contains("|db2(slave:SHUNNED(FAILSAFE_SHUN), progress=-1, latency=-1.000)"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Layers
//! Text is parsed at the edge ([`ls`], [`text`]) into typed values ([`model`]); everything
//! inside works on types; output is rendered at the edge again. Data flows one way.
//!
//! # Ids
//! A state refers to hosts and services by [`model::HostId`] and [`model::ServiceId`],
//! indices into its [`model::Topology`]. The lookups that take an id
//! ([`model::Topology::host`], [`model::Topology::host_name`], [`ls::project`], ...) trust it
//! to be of that topology: an out-of-range id yields the last host or service rather than a
//! panic, a silent wrong answer. Check an id kept from elsewhere (read from JSON, from user
//! input, or from a topology since changed) with [`model::Topology::get_host`] or
//! [`model::Topology::get_service`] first.
//!
//! # Features
//! None is on by default; each adds a module.
//! - `proptest`: strategies in `strategy` to property-test code and procedures against the
//!   model.
//! - `arbitrary`: the checks the fuzz targets run (`fuzzing`), over bytes.
//! - `stateright`: `checker::TungstenModel`, the model as a `stateright::Model`, for
//!   stateright's checkers and its Explorer web UI.

#[cfg(feature = "stateright")]
pub mod checker;
pub mod command;
pub mod explore;
pub mod fault;
#[cfg(feature = "arbitrary")]
pub mod fuzzing;
pub mod ls;
pub mod machine;
pub mod model;
pub mod runbook;
#[cfg(feature = "proptest")]
pub mod strategy;
pub mod text;

pub use text::{ParseError, Span, UnknownName};
