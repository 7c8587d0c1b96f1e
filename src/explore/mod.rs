//! The explorer: every sequence of inputs up to a depth, breadth first, with every invariant
//! checked in every state reached.
//!
//! From a starting state it applies every input of an [`Alphabet`] (cctrl commands, trepctl
//! and host commands, faults, world events) to every state of the current level, keeps the
//! states not seen before (by [`fingerprint`]), checks the invariants on each, and goes one
//! level deeper. Because it goes level by level, the first broken state it meets is one of the
//! nearest: the [`Trace`] it returns is a shortest counterexample.
//!
//! The space is finite: writes are bounded ([`Config::writes`] beyond the starting seqno),
//! histories fork a bounded number of times, everything else in a [`State`] is a finite enum.
//! So what the explorer covers is every sequence within those bounds: no write past the
//! write bound is tried, and an input that would fork the history once more than the model
//! holds is refused (`model-capacity`), like any refused input.
//!
//! **Memory.** A level is kept as links (parent index and the input's code in the alphabet:
//! 8 bytes a state), not as states (1 080 bytes): a state is rebuilt when it is expanded, by
//! replaying its inputs from the start (the transition is a pure function, so the replay
//! gives the state found). The replay keeps the last state rebuilt at each depth, and a level holds siblings side by
//! side, so it costs about one transition per state expanded, against the hundred or so
//! inputs tried on each. A level is expanded a slice at a time, so the successors in flight
//! stay few; the last level's links are counted, not kept. What grows with the states is the
//! seen-set (at most 16 bytes a state) and the links (8): about 24 bytes a state.
//!
//! **Symmetry.** Slaves are not interchangeable in this model, so no symmetry reduction is
//! done: the managers break ties between equally advanced candidates by topology order (see
//! DOMAIN.md, failover candidate selection), so swapping two slaves can change which one a
//! failover promotes. Merging such states would be unsound.
//!
//! ```
//! use tungsten_model::explore::{self, Alphabet, Config};
//! use tungsten_model::model::{State, Topology};
//!
//! let topology = Topology::single("alpha", &["db1", "db2", "db3"])?;
//! let start = State::healthy(&topology);
//! let config = Config { depth: 2, alphabet: Alphabet::CCTRL_AND_FAULTS, ..Config::default() };
//! let exploration = explore::explore(&topology, &start, &config, |_| {});
//! assert!(exploration.counterexample.is_none());
//! assert!(exploration.states > 100);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod alphabet;
mod seen;
mod trace;

use std::ops::Range;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use alphabet::{Alphabet, Inputs, Typing, dangerous};
pub use seen::{FingerprintSet, Fingerprinter, fingerprint, fingerprint_in};
pub use trace::{Trace, TraceStep};

use crate::machine::{self, Input, Rules, invariant};
use crate::model::{State, Topology};

/// What to explore.
///
/// The default explores every cctrl command and fault to depth 5 (over three datasources,
/// 4.4 M states: seconds in a release build) and stops at [`DEFAULT_MAX_STATES`]. The space
/// grows ten- to twenty-fold per level, so set [`Self::depth`] and [`Self::max_states`]
/// together: depth 8 over that alphabet would take some 5 billion states. Read from JSON, a
/// field left out takes its default (`{"depth": 3}` is the default at depth 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// How many inputs deep.
    pub depth: usize,
    /// Which inputs.
    pub alphabet: Alphabet,
    /// Where cctrl commands are typed.
    pub typing: Typing,
    /// How many writes a host may take beyond the last event of the most advanced host of the
    /// starting state (from a cluster with no events yet: exactly this many). Write faults
    /// and cctrl `heartbeat`s both count: a heartbeat is offered only while every host is
    /// below the bound.
    pub writes: u64,
    /// The rules the engine runs under (turn one off to see what it prevents).
    pub rules: Rules,
    /// Worker threads (1 for reproducible timings; the default is every core, as
    /// [`std::thread::available_parallelism`] reports them, else 1). 0 counts as 1, and more
    /// than 64 as 64. The number changes only the time a run takes and the seen-set's memory
    /// (its shards): counts, a
    /// [`Self::max_states`] stop and the counterexample are the same for any number, and
    /// from run to run (several threads put each level's new states back into the order one
    /// thread finds them in, so each level is the same list; see `in_order`).
    pub threads: usize,
    /// Stop once this many distinct states are known (the result says it stopped early). It
    /// is checked before each level and after each slice of a level's parents is expanded
    /// (262 144 parents, whose successors can number a few million), so the count can pass
    /// it by up to a slice's worth; a level cut short is not counted as explored. `None`,
    /// and any number past [`MAX_STATES`], stop at [`MAX_STATES`].
    pub max_states: Option<usize>,
    /// At most this many failures ([`Input::is_failure`]: crashes, process stops, replicator
    /// errors, partitions, drift) on any path. Recoveries, writes and catching up are free. A
    /// state is then told apart by the failures spent reaching it too (the same cluster with
    /// a failure left to spend can go further), and failures are not tried once the budget is
    /// spent. `None`: no bound.
    #[serde(default)]
    pub max_failures: Option<u8>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            depth: 5,
            alphabet: Alphabet::CCTRL_AND_FAULTS,
            typing: Typing::OnePerGroup,
            writes: 1,
            rules: Rules::default(),
            threads: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            max_states: Some(DEFAULT_MAX_STATES),
            max_failures: None,
        }
    }
}

/// The default [`Config::max_states`]: about 0.3 GB of seen-set, so that a default run deeper
/// than it can afford stops rather than exhausts memory.
pub const DEFAULT_MAX_STATES: usize = 20_000_000;

/// The most distinct states an exploration reaches, whatever [`Config::max_states`] says:
/// the states of a level are numbered with 32 bits (a link is 8 bytes), and the count can
/// pass the limit by a slice's worth (a few million), so the limit stays that far below
/// 2^32. Without it, a level past 2^32 states (some 100 GB) had its last states left
/// unexpanded and the depth still counted as explored (an embedder's review).
pub const MAX_STATES: usize = 4_000_000_000;

/// The state count at which an exploration under `config` stops: [`Config::max_states`],
/// at most [`MAX_STATES`].
fn state_limit(config: &Config) -> u64 {
    config
        .max_states
        .map_or(MAX_STATES, |max| max.min(MAX_STATES)) as u64
}

/// What the explorer tells states apart by: the state's fingerprint over the topology's
/// hosts, and under a failure budget the failures spent too.
fn identity(topology: &Topology, state: &State, spent: u8, config: &Config) -> u64 {
    seen::fingerprint_counted(topology, state, config.max_failures.map(|_| spent))
}

/// Whether `input` may be tried from a state reached with `spent` failures.
fn affordable(input: &Input, spent: u8, config: &Config) -> bool {
    config.max_failures.is_none_or(|max| spent < max) || !input.is_failure()
}

/// The failures spent after `input`, from `spent`.
fn spend(input: &Input, spent: u8) -> u8 {
    spent.saturating_add(u8::from(input.is_failure()))
}

/// How far an exploration has got: reported after each level, and within a level after each
/// slice of its parents is expanded (a deep level takes most of a run's time: at depth 7 of
/// every cctrl command and fault, a quarter of an hour). It holds no time, for the reason
/// [`Exploration`] gives: a caller that prints a rate reads its own clock in the callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Progress {
    /// The depth being reached: finished once every parent is expanded ([`Self::finished`]).
    pub depth: usize,
    /// Distinct states known.
    pub states: u64,
    /// Inputs applied (accepted or refused).
    pub transitions: u64,
    /// States found at this depth so far (the next depth's parents, once it is finished).
    pub frontier: usize,
    /// Of the states of the depth above (the parents), how many have been expanded.
    pub expanded: usize,
    /// How many states the depth above holds.
    pub parents: usize,
}

impl Progress {
    /// Whether the depth is finished: every parent has been expanded.
    #[must_use]
    pub fn finished(&self) -> bool {
        self.expanded >= self.parents
    }
}

/// Why an exploration stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Stop {
    /// Every state reachable was explored before the depth bound: the result covers every
    /// sequence of any length, within the write bound and the model's capacity (see the
    /// module docs).
    Exhausted,
    /// The depth bound was reached.
    Depth,
    /// An invariant broke.
    Counterexample,
    /// [`Config::max_states`] was reached.
    StateLimit,
    /// The start is no state the engine could hold ([`State::validate`] refuses it, and
    /// names the field): nothing was explored, since what the engine makes of such a state
    /// says nothing about the cluster (an embedder's review found one explored without a
    /// word).
    InvalidStart,
}

/// The result of an exploration. It holds no time: the explorer reads no clock (the crate's
/// purity contract), so a caller that wants rates times the call and passes the time taken
/// to [`Self::transitions_per_second`] and [`Self::states_per_second`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Exploration {
    /// Distinct states reached (the start included).
    pub states: u64,
    /// Inputs applied, accepted or refused.
    pub transitions: u64,
    /// Of those, accepted.
    pub accepted: u64,
    /// The deepest level fully explored.
    pub depth: usize,
    /// Why it stopped.
    pub stop: Stop,
    /// A shortest sequence of inputs that breaks an invariant, if one was found: set
    /// whenever [`Self::stop`] is [`Stop::Counterexample`], unless the trace does not
    /// rebuild. It is rebuilt from the kept links by replaying the engine, which is
    /// deterministic; were a link not to rebuild, or its replay refused part way (either
    /// would be an engine bug, which test builds assert against), no trace is given rather
    /// than a shortened one.
    pub counterexample: Option<Trace>,
    /// Bytes of the seen-set's tables at the end.
    pub seen_bytes: usize,
}

impl Exploration {
    /// Inputs applied per second, had the exploration taken `elapsed`.
    #[must_use]
    pub fn transitions_per_second(&self, elapsed: Duration) -> f64 {
        per_second(self.transitions, elapsed)
    }

    /// Distinct states per second, had the exploration taken `elapsed`.
    #[must_use]
    pub fn states_per_second(&self, elapsed: Duration) -> f64 {
        per_second(self.states, elapsed)
    }

    /// Bytes of seen-set per distinct state.
    #[must_use]
    pub fn seen_bytes_per_state(&self) -> f64 {
        #[expect(clippy::cast_precision_loss, reason = "a ratio for a report")]
        let ratio = self.seen_bytes as f64 / self.states.max(1) as f64;
        ratio
    }
}

/// Which of `shards` seen-sets holds `fp`: its middle bits scaled onto the shards (the high
/// bits choose the slot inside a set, so the shard takes others and both stay spread).
fn shard(fp: u64, shards: usize) -> usize {
    let scaled = (u128::from(fp.rotate_left(32)) * shards as u128) >> 64;
    // Less than `shards`, which is a `usize`.
    usize::try_from(scaled).unwrap_or(0)
}

#[expect(clippy::cast_precision_loss, reason = "a rate for a report")]
fn per_second(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64().max(1e-9)
}

/// How a state was first reached: its parent's index in the previous level and the input's
/// code ([`Inputs::decode`]).
///
/// A level is kept as its links alone (8 bytes a state, against 1 080 for a [`State`]); a
/// state is rebuilt when it is expanded by replaying its inputs from the start (see
/// [`Replayer`]). The transition is a pure function, so the replay gives the very state
/// that was found.
///
/// Links order as (parent, input code): the order in which one thread expanding a level in
/// order meets its successors, since a parent's inputs come in code order. Several threads
/// put a level's new states back into that order, so every level, and with it every count,
/// limit and counterexample, is the same for any thread count.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Link {
    parent: u32,
    input: u32,
}

/// A successor found by a worker, not yet checked against the seen-set's shard: its
/// fingerprint, how it was reached, and the invariant it breaks, if any.
struct Candidate {
    fp: u64,
    link: Link,
    broken: Option<invariant::Violation>,
}

/// What one worker did with its share of a level.
#[derive(Default)]
struct Work {
    /// New-looking successors, by the shard their fingerprint falls in.
    shards: Vec<Vec<Candidate>>,
    transitions: u64,
    accepted: u64,
}

/// The links of every level so far: `levels[d]` holds those of the states first reached at
/// depth `d` (`levels[0]` the start's, which is unused).
type Levels = Vec<Vec<Link>>;

/// Rebuilds the states of the deepest level from the start by replaying their inputs. It
/// keeps the last state it rebuilt at every depth, so siblings (which a level holds side by
/// side) cost one transition each, not one per depth.
struct Replayer<'a> {
    topology: &'a Topology,
    start: &'a State,
    inputs: &'a Inputs,
    rules: Rules,
    levels: &'a [Vec<Link>],
    /// `path[d - 1]`: the index, state and failures spent of the last state rebuilt at
    /// depth `d`.
    path: Vec<Option<(u32, State, u8)>>,
    /// The (depth, index) pairs left to replay, deepest first (kept to reuse its buffer).
    chain: Vec<(usize, u32)>,
}

impl<'a> Replayer<'a> {
    fn new(
        topology: &'a Topology,
        start: &'a State,
        inputs: &'a Inputs,
        rules: Rules,
        levels: &'a [Vec<Link>],
    ) -> Self {
        Self {
            topology,
            start,
            inputs,
            rules,
            levels,
            path: vec![None; levels.len().saturating_sub(1)],
            chain: Vec::with_capacity(levels.len()),
        }
    }

    /// The state at `index` of level `depth`, and the failures spent reaching it. `None`
    /// only for an index out of range, or if the transition were not a pure function (an
    /// input accepted once, refused on replay).
    fn state(&mut self, depth: usize, index: u32) -> Option<(State, u8)> {
        // Walk up to the deepest ancestor already rebuilt (or the start)...
        self.chain.clear();
        let (mut d, mut i) = (depth, index);
        let (mut state, mut spent) = loop {
            if d == 0 {
                break (*self.start, 0);
            }
            if let Some(Some((cached, state, spent))) = self.path.get(d - 1)
                && *cached == i
            {
                break (*state, *spent);
            }
            self.chain.push((d, i));
            i = self.levels.get(d)?.get(i as usize)?.parent;
            d -= 1;
        };
        // ...then replay down from it, keeping each state rebuilt.
        for &(d, i) in self.chain.iter().rev() {
            let link = self.levels.get(d)?.get(i as usize)?;
            let input = self.inputs.decode(link.input)?;
            state = machine::step(self.topology, &state, &input, &self.rules, &mut ()).ok()?;
            spent = spend(&input, spent);
            if let Some(slot) = self.path.get_mut(d - 1) {
                *slot = Some((i, state, spent));
            }
        }
        Some((state, spent))
    }
}

/// Explore from `start` under `config`, calling `progress` after each level.
#[must_use]
pub fn explore(
    topology: &Topology,
    start: &State,
    config: &Config,
    progress: impl FnMut(&Progress),
) -> Exploration {
    let inputs = Inputs::new(topology, start, config.alphabet, config.writes);
    explore_with(topology, start, config, &inputs, progress)
}

/// [`explore`] over inputs prepared by the caller (see [`Inputs::retain`]); the config's
/// alphabet and write bound are those `inputs` was built with. Inputs that name a host or
/// service `topology` lacks (built for another topology) are left out, as
/// [`crate::machine::step`] would refuse them.
#[must_use]
pub fn explore_with(
    topology: &Topology,
    start: &State,
    config: &Config,
    inputs: &Inputs,
    progress: impl FnMut(&Progress),
) -> Exploration {
    let inputs = inputs.clone().within(topology);
    explore_in_slices(topology, start, config, &inputs, progress, SLICE)
}

/// [`explore_with`], expanding `slice` states of a level at a time.
fn explore_in_slices(
    topology: &Topology,
    start: &State,
    config: &Config,
    inputs: &Inputs,
    mut progress: impl FnMut(&Progress),
    slice: u32,
) -> Exploration {
    let slice_len = slice.max(1);
    let threads = config.threads.clamp(1, 64);
    let mut seen: Vec<FingerprintSet> = (0..threads).map(|_| FingerprintSet::default()).collect();
    let shard_of = |fp: u64| shard(fp, threads);
    let start_fp = identity(topology, start, 0, config);
    if let Some(set) = seen.get_mut(shard_of(start_fp)) {
        set.insert(start_fp);
    }
    let mut result = Exploration {
        states: 1,
        transitions: 0,
        accepted: 0,
        depth: 0,
        stop: Stop::Depth,
        counterexample: None,
        seen_bytes: 0,
    };
    if start.validate(topology).is_err() {
        result.states = 0;
        result.stop = Stop::InvalidStart;
        return result;
    }
    if let Some(violation) = invariant::check(topology, start) {
        result.stop = Stop::Counterexample;
        result.counterexample = Some(Trace::new(topology, *start, Vec::new(), violation));
    }
    // The links of every level: a counterexample's inputs, and the way to rebuild a state.
    let mut levels: Levels = vec![vec![Link {
        parent: 0,
        input: 0,
    }]];
    let limit = state_limit(config);
    let over_limit = |states: u64| states >= limit;
    while result.counterexample.is_none() && result.depth < config.depth {
        if over_limit(result.states) {
            result.stop = Stop::StateLimit;
            break;
        }
        // The deepest level is expanded a slice at a time, so the candidates in flight stay
        // few whatever its size; the last level's links are counted, not kept.
        let last = result.depth + 1 == config.depth;
        let (_, len) = deepest(&levels);
        let mut next: Vec<Link> = Vec::new();
        let mut found = 0_usize;
        let mut broken = None;
        let mut cut_short = false;
        for from in (0..len).step_by(slice_len as usize) {
            let slice = from..from.saturating_add(slice_len).min(len);
            let done = slice.end;
            let expansion = Expansion {
                topology,
                start,
                inputs,
                config,
                levels: &levels,
            };
            let expanded = level(expansion, slice, &mut seen, threads, &shard_of, !last);
            result.transitions += expanded.transitions;
            result.accepted += expanded.accepted;
            found += expanded.found;
            broken = broken.or(expanded.broken);
            next.extend(expanded.links);
            // After each slice; after the last, the level is finished.
            progress(&Progress {
                depth: result.depth + 1,
                states: result.states + found as u64,
                transitions: result.transitions,
                frontier: found,
                expanded: done as usize,
                parents: len as usize,
            });
            if done < len && over_limit(result.states + found as u64) {
                // Stopped within the level: it is not finished, so not counted as explored.
                cut_short = true;
                result.stop = Stop::StateLimit;
                break;
            }
        }
        result.states += found as u64;
        if !cut_short {
            result.depth += 1;
        }
        if let Some((link, violation)) = broken {
            result.stop = Stop::Counterexample;
            // A replay refused part way would be a shortened trace: none is given (an
            // independent review found `Trace::replay` stopping at a refusal silently).
            result.counterexample = rebuild(&levels, inputs, link).and_then(|path| {
                let trace = Trace::replay(topology, start, &path, config.rules, violation);
                debug_assert_eq!(trace.len(), path.len(), "a replay refused part way");
                (trace.len() == path.len()).then_some(trace)
            });
        }
        if cut_short {
            break;
        }
        levels.push(next);
        if found == 0 {
            result.stop = Stop::Exhausted;
            break;
        }
    }
    result.seen_bytes = seen.iter().map(FingerprintSet::bytes).sum();
    result
}

/// How many states of a level are expanded at a time.
const SLICE: u32 = 1 << 18;

/// A new state that breaks an invariant: how it was reached, and what it breaks.
type Broken = (Link, invariant::Violation);

/// A state reached, and what the guard found in it if the guard checked every host.
struct Successor {
    /// Its identity in the seen-set.
    fp: u64,
    /// How it was reached.
    link: Link,
    state: State,
    checked: machine::Checked,
}

impl Successor {
    /// The first invariant the state breaks: the guard's finding, or a check of its own.
    fn broken(&self, topology: &Topology) -> Option<invariant::Violation> {
        match self.checked {
            machine::Checked::Whole(found) => found,
            machine::Checked::Partly => invariant::check(topology, &self.state),
        }
    }
}

/// What a level is expanded with: the model, the inputs, the exploration's settings, and the
/// links of every level so far (the deepest is the one expanded).
#[derive(Clone, Copy)]
struct Expansion<'a> {
    topology: &'a Topology,
    start: &'a State,
    inputs: &'a Inputs,
    config: &'a Config,
    levels: &'a [Vec<Link>],
}

impl Expansion<'_> {
    /// Apply every input that may be tried to the states `slice` of the deepest level, and
    /// call `found` with the successors of each parent, all at once: their identities, how
    /// they were reached, and the states with what the guard found in them. Handing them over
    /// together lets the caller look up every fingerprint before it needs the first answer,
    /// so that the seen-set's cache misses overlap instead of following one another.
    /// Returns the transitions tried and accepted.
    fn successors(&self, slice: Range<u32>, mut found: impl FnMut(&[Successor])) -> (u64, u64) {
        let (topology, config) = (self.topology, self.config);
        let (mut transitions, mut accepted) = (0, 0);
        let mut buffer = Vec::with_capacity(self.inputs.len());
        let mut batch: Vec<Successor> = Vec::with_capacity(self.inputs.len());
        let mut replayer =
            Replayer::new(topology, self.start, self.inputs, config.rules, self.levels);
        let (depth, _) = deepest(self.levels);
        for i in slice {
            let Some((from, spent)) = replayer.state(depth, i) else {
                continue;
            };
            self.inputs.fill_coded(&from, config.typing, &mut buffer);
            // Each input is tried in the batch's next free slot (slots are kept from parent to
            // parent), first reset to the parent; a refused input's slot is reset and tried
            // again, an accepted one is kept where it is, never copied out.
            let mut kept = 0;
            for (code, input) in buffer
                .iter()
                .filter(|(_, input)| affordable(input, spent, config))
            {
                transitions += 1;
                let link = Link {
                    parent: i,
                    input: *code,
                };
                if kept == batch.len() {
                    batch.push(Successor {
                        fp: 0,
                        link,
                        state: from,
                        checked: machine::Checked::Partly,
                    });
                }
                let Some(slot) = batch.get_mut(kept) else {
                    continue;
                };
                slot.state.copy_used_from(&from, topology.hosts().len());
                if let Ok(checked) = machine::step_in_place(
                    topology,
                    &from,
                    input,
                    config.rules,
                    &mut (),
                    &mut slot.state,
                ) {
                    accepted += 1;
                    slot.link = link;
                    slot.checked = checked;
                    slot.fp = identity(topology, &slot.state, spend(input, spent), config);
                    kept += 1;
                }
            }
            found(batch.get(..kept).unwrap_or_default());
        }
        (transitions, accepted)
    }
}

/// One slice of a level: the new states reached from the states `slice` of the deepest
/// level (their links kept only if `keep`), the first of them that breaks an invariant, and
/// the transitions tried and accepted.
fn level(
    expansion: Expansion<'_>,
    slice: Range<u32>,
    seen: &mut [FingerprintSet],
    threads: usize,
    shard_of: &(impl Fn(u64) -> usize + Sync),
    keep: bool,
) -> Expanded {
    let mut next: Vec<Link> = Vec::new();
    let mut found = 0;
    let mut broken: Option<Broken> = None;
    let (mut transitions, mut accepted) = (0, 0);
    if threads == 1 {
        // One thread: successors go straight into the seen-set, with no candidates.
        if let Some(set) = seen.first_mut() {
            (transitions, accepted) = expansion.successors(slice, |batch| {
                for successor in batch {
                    set.warm(successor.fp);
                }
                for successor in batch {
                    if !set.insert(successor.fp) {
                        continue;
                    }
                    if broken.is_none()
                        && let Some(v) = successor.broken(expansion.topology)
                    {
                        broken = Some((successor.link, v));
                    }
                    found += 1;
                    if keep {
                        next.push(successor.link);
                    }
                }
            });
        }
    } else {
        let works = expand(expansion, slice, seen, threads, shard_of);
        for work in &works {
            transitions += work.transitions;
            accepted += work.accepted;
        }
        let merged = merge(works, seen, threads);
        // The first in order, as one thread finds it.
        broken = merged
            .iter()
            .filter_map(|(_, found)| *found)
            .min_by_key(|(link, _)| *link);
        found = merged.iter().map(|(links, _)| links.len()).sum();
        if keep {
            next = in_order(merged.into_iter().map(|(links, _)| links).collect());
        }
    }
    Expanded {
        links: next,
        found,
        broken,
        transitions,
        accepted,
    }
}

/// What expanding one slice of a level gave.
struct Expanded {
    /// The new states' links, in the order one thread finds them (none unless kept).
    links: Vec<Link>,
    /// How many new states there are.
    found: usize,
    /// The first new state that breaks an invariant.
    broken: Option<Broken>,
    /// Transitions tried and accepted.
    transitions: u64,
    accepted: u64,
}

/// The links of `shards`, each in order, merged into one list in order: the order in which
/// one thread expanding the level would have found them.
fn in_order(shards: Vec<Vec<Link>>) -> Vec<Link> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut out = Vec::with_capacity(shards.iter().map(Vec::len).sum());
    let mut shards: Vec<_> = shards
        .into_iter()
        .map(|s| s.into_iter().peekable())
        .collect();
    // The next link of every shard not yet drained, least first. No two links are equal:
    // each (parent, input) is one successor, kept in one shard at most.
    let mut heads: BinaryHeap<Reverse<(Link, usize)>> = shards
        .iter_mut()
        .enumerate()
        .filter_map(|(i, s)| s.peek().map(|&link| Reverse((link, i))))
        .collect();
    while let Some(Reverse((link, i))) = heads.pop() {
        out.push(link);
        let Some(shard) = shards.get_mut(i) else {
            continue;
        };
        shard.next();
        if let Some(&next) = shard.peek() {
            heads.push(Reverse((next, i)));
        }
    }
    out
}

/// The deepest level of `levels`, as (depth, how many states it holds).
fn deepest(levels: &[Vec<Link>]) -> (usize, u32) {
    let depth = levels.len().saturating_sub(1);
    let len = levels.last().map_or(0, Vec::len);
    (depth, u32::try_from(len).unwrap_or(u32::MAX))
}

/// Expand the states `slice` of the deepest level, split between `threads` workers; keep the
/// successors whose fingerprint is not yet in `seen`, bucketed by shard, each with the
/// invariant it breaks.
fn expand(
    expansion: Expansion<'_>,
    slice: Range<u32>,
    seen: &[FingerprintSet],
    threads: usize,
    shard_of: &(impl Fn(u64) -> usize + Sync),
) -> Vec<Work> {
    let chunk = slice.len().div_ceil(threads).max(1);
    let work = |range: Range<u32>| -> Work {
        let mut shards: Vec<Vec<Candidate>> = (0..threads).map(|_| Vec::new()).collect();
        let (transitions, accepted) = expansion.successors(range, |batch| {
            for successor in batch {
                if let Some(set) = seen.get(shard_of(successor.fp)) {
                    set.warm(successor.fp);
                }
            }
            for successor in batch {
                let (fp, shard) = (successor.fp, shard_of(successor.fp));
                if seen.get(shard).is_some_and(|s| s.contains(fp)) {
                    continue;
                }
                if let Some(bucket) = shards.get_mut(shard) {
                    // Checked here, where the state is at hand (a candidate keeps only its
                    // link): one reached twice within this level is checked twice.
                    bucket.push(Candidate {
                        fp,
                        link: successor.link,
                        broken: successor.broken(expansion.topology),
                    });
                }
            }
        });
        Work {
            shards,
            transitions,
            accepted,
        }
    };
    if threads == 1 {
        return vec![work(slice)];
    }
    let end = slice.end;
    let chunk = u32::try_from(chunk).unwrap_or(u32::MAX);
    std::thread::scope(|scope| {
        let handles: Vec<_> = slice
            .step_by(chunk as usize)
            .map(|from| {
                let work = &work;
                scope.spawn(move || work(from..from.saturating_add(chunk).min(end)))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// The new states of one shard, in the order one thread would meet them, and the first of
/// them that breaks an invariant.
type Merged = (Vec<Link>, Option<Broken>);

/// Insert each shard's candidates into its seen-set (one worker per shard) and keep those
/// that are new. The workers expand consecutive ranges of parents, and each shard takes their
/// buckets in worker order, so a shard meets its candidates in link order, as one
/// thread would: where two reach the same state, the same one is kept.
fn merge(works: Vec<Work>, seen: &mut [FingerprintSet], threads: usize) -> Vec<Merged> {
    // Regroup by shard: shard k gets every worker's bucket k, in worker order.
    let mut by_shard: Vec<Vec<Vec<Candidate>>> = (0..threads).map(|_| Vec::new()).collect();
    for work in works {
        for (k, bucket) in work.shards.into_iter().enumerate() {
            if let Some(slot) = by_shard.get_mut(k) {
                slot.push(bucket);
            }
        }
    }
    let one = |set: &mut FingerprintSet, buckets: Vec<Vec<Candidate>>| -> Merged {
        let mut links = Vec::new();
        let mut broken = None;
        for candidate in buckets.into_iter().flatten() {
            if set.insert(candidate.fp) {
                if broken.is_none()
                    && let Some(v) = candidate.broken
                {
                    broken = Some((candidate.link, v));
                }
                links.push(candidate.link);
            }
        }
        (links, broken)
    };
    if threads == 1 {
        return seen
            .iter_mut()
            .zip(by_shard)
            .map(|(set, buckets)| one(set, buckets))
            .collect();
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = seen
            .iter_mut()
            .zip(by_shard)
            .map(|(set, buckets)| {
                let one = &one;
                scope.spawn(move || one(set, buckets))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// The inputs from the start to the state `link` reaches from the deepest level, following
/// the links back level by level; `None` if a link or a code is not one the explorer wrote
/// (a shortened path would be a wrong trace, so none is given).
fn rebuild(levels: &[Vec<Link>], inputs: &Inputs, link: Link) -> Option<Vec<Input>> {
    let mut codes = vec![link.input];
    let mut index = link.parent as usize;
    // levels[0] holds the start's (unused) link; levels[d] the links of depth-d states.
    for level in levels.iter().skip(1).rev() {
        let link = level.get(index)?;
        codes.push(link.input);
        index = link.parent as usize;
    }
    codes.iter().rev().map(|&c| inputs.decode(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// However many states a configuration allows, an exploration stops before a level
    /// could outgrow the 32 bits its states are numbered with, overshoot included: with no
    /// limit, or one past it, the limit is [`MAX_STATES`]; a smaller one is kept.
    #[test]
    fn the_state_limit_stays_below_what_a_level_can_number() {
        let with = |max_states| {
            state_limit(&Config {
                max_states,
                ..Config::default()
            })
        };
        // A slice's overshoot: 262 144 parents, each with at most a few hundred inputs.
        let overshoot = 262_144_u64 * 1_000;
        for max_states in [None, Some(usize::MAX), Some(MAX_STATES + 1)] {
            assert_eq!(with(max_states), MAX_STATES as u64);
            assert!(with(max_states) + overshoot < u64::from(u32::MAX));
        }
        assert_eq!(with(Some(200)), 200);
        assert_eq!(with(Some(0)), 0);
    }

    /// A configuration read from JSON may give only the fields it changes (a library user's
    /// review found `{"depth":3}` refused for want of `alphabet`).
    #[test]
    fn a_config_read_from_json_takes_the_defaults_it_leaves_out() {
        let config: Config = serde_json::from_str(r#"{"depth": 3}"#).unwrap();
        assert_eq!(
            config,
            Config {
                depth: 3,
                ..Config::default()
            }
        );
        let options: crate::runbook::Options = serde_json::from_str("{}").unwrap();
        assert_eq!(options, crate::runbook::Options::default());
    }

    /// Fingerprints spread evenly over the shards, so both threads' seen-sets do equal work.
    #[test]
    fn fingerprints_spread_evenly_over_the_shards() {
        for shards in [1, 2, 3, 64] {
            let mut counts = vec![0_u32; shards];
            let n = 1000 * shards as u64;
            for i in 1..=n {
                let mut h = seen::Fingerprinter::default();
                std::hash::Hasher::write_u64(&mut h, i);
                let fp = std::hash::Hasher::finish(&h);
                let s = shard(fp, shards);
                assert!(s < shards);
                counts[s] += 1;
            }
            let even = 1000;
            assert!(
                counts
                    .iter()
                    .all(|&c| c * 4 >= even * 3 && c * 4 <= even * 5),
                "{counts:?}"
            );
        }
    }

    /// The replayer rebuilds every state of every level, whatever order it is asked in (its
    /// cache of the last path must not answer for another state), and those states are the
    /// ones a breadth-first search that keeps whole states finds, in the same order.
    #[test]
    fn replayed_states_are_the_states_found() {
        let (topology, start, inputs) = three_nodes();
        let config = Config {
            threads: 1,
            ..Config::default()
        };
        // The reference: whole states, level by level, in the explorer's order.
        let mut kept: Vec<Vec<State>> = vec![vec![start]];
        let mut known = std::collections::HashSet::from([start]);
        let mut buffer = Vec::new();
        for _ in 0..3 {
            let mut next = Vec::new();
            for state in kept.last().unwrap() {
                inputs.fill(state, config.typing, &mut buffer);
                for input in &buffer {
                    if let Ok(n) = machine::step(&topology, state, input, &config.rules, &mut ())
                        && known.insert(n)
                    {
                        next.push(n);
                    }
                }
            }
            kept.push(next);
        }
        let mut levels: Levels = vec![vec![Link {
            parent: 0,
            input: 0,
        }]];
        let mut seen = [FingerprintSet::default()];
        seen[0].insert(fingerprint_in(&topology, &start));
        for _ in 0..3 {
            let (_, len) = deepest(&levels);
            let expansion = Expansion {
                topology: &topology,
                start: &start,
                inputs: &inputs,
                config: &config,
                levels: &levels,
            };
            let expanded = level(expansion, 0..len, &mut seen, 1, &|_| 0, true);
            assert!(expanded.broken.is_none());
            assert_eq!(expanded.found, expanded.links.len());
            levels.push(expanded.links);
        }
        let mut replayer = Replayer::new(&topology, &start, &inputs, config.rules, &levels);
        for (depth, states) in kept.iter().enumerate() {
            assert_eq!(levels[depth].len(), states.len(), "depth {depth}");
            // Every index once, in a scrambled order (a stride coprime with the length).
            let n = states.len();
            let stride = (n / 3..n).find(|s| gcd(*s, n) == 1).unwrap_or(1);
            for k in 0..n {
                let i = (k * stride) % n;
                let state = replayer.state(depth, u32::try_from(i).unwrap());
                assert_eq!(
                    state.map(|(s, _)| s),
                    Some(states[i]),
                    "depth {depth}, index {i}"
                );
            }
        }
        assert_eq!(replayer.state(3, u32::MAX), None);
    }

    /// Three healthy nodes, and every cctrl command and fault from there.
    fn three_nodes() -> (Topology, State, Inputs) {
        let topology = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let start = State::healthy(&topology);
        let inputs = Inputs::new(&topology, &start, Alphabet::CCTRL_AND_FAULTS, 1);
        (topology, start, inputs)
    }

    /// Three healthy nodes, and the inputs that move the master role and the faults that make
    /// the managers act ([`dangerous`]).
    fn three_nodes_dangerous() -> (Topology, State, Inputs) {
        let (topology, start, inputs) = three_nodes();
        (topology, start, inputs.retain(dangerous))
    }

    /// Rules under which `datasource X online` no longer checks for another master (nor the
    /// guard after it): the explorer finds two masters within five inputs.
    fn one_master_unchecked() -> Rules {
        Rules {
            guard: false,
            one_online_master: false,
            ..Rules::default()
        }
    }

    /// A path is rebuilt from the links level by level, in order from the start; a link or a
    /// code the explorer could not have written gives no path rather than a shorter one.
    #[test]
    fn a_path_is_rebuilt_whole_or_not_at_all() {
        let (_, _, inputs) = three_nodes();
        let code = |i: u32| inputs.decode(i).unwrap();
        let link = |parent, input| Link { parent, input };
        // The start's link, then depth 1 (two states), then depth 2 (one, from the second).
        let levels = vec![vec![link(0, 0)], vec![link(0, 3), link(0, 5)]];
        assert_eq!(
            rebuild(&levels, &inputs, link(1, 7)),
            Some(vec![code(5), code(7)])
        );
        assert_eq!(
            rebuild(&levels, &inputs, link(0, 7)),
            Some(vec![code(3), code(7)])
        );
        assert_eq!(
            rebuild(&levels, &inputs, link(2, 7)),
            None,
            "no such parent"
        );
        assert_eq!(
            rebuild(&levels, &inputs, link(1, u32::MAX)),
            None,
            "no such code"
        );
        let bad = vec![vec![link(0, 0)], vec![link(0, u32::MAX)]];
        assert_eq!(
            rebuild(&bad, &inputs, link(0, 7)),
            None,
            "an ancestor's code"
        );
    }

    /// Expanding a level a few states at a time finds what expanding it whole finds: the
    /// same counts and the same counterexample, on one thread and two.
    #[test]
    fn slices_of_a_level_find_what_the_whole_level_finds() {
        let (topology, start, inputs) = three_nodes_dangerous();
        let rules = one_master_unchecked();
        for threads in [1, 2] {
            let config = Config {
                depth: 5,
                rules,
                threads,
                ..Config::default()
            };
            let run = |slice| explore_in_slices(&topology, &start, &config, &inputs, |_| {}, slice);
            let (whole, sliced) = (run(u32::MAX), run(7));
            assert_eq!(summary(&sliced), summary(&whole), "{threads} thread(s)");
            assert_eq!(whole.stop, Stop::Counterexample);
        }
    }

    /// What a test compares of two explorations: the counts, where they stopped and the
    /// counterexample's inputs.
    fn summary(e: &Exploration) -> (u64, u64, u64, usize, Stop, Option<Vec<String>>) {
        let trace = e
            .counterexample
            .as_ref()
            .map(|t| t.steps.iter().map(|s| s.text.clone()).collect());
        (e.states, e.transitions, e.accepted, e.depth, e.stop, trace)
    }

    /// The thread count changes nothing but the time: the same counterexample, and the same
    /// counts when a state limit stops the run within a level, on one thread to four. (Before
    /// several threads put a level back into one thread's order, two threads returned another
    /// of the shortest counterexamples here, and stopped at other counts.)
    #[test]
    fn any_thread_count_finds_what_one_thread_finds() {
        let (topology, start, inputs) = three_nodes_dangerous();
        let broken = one_master_unchecked();
        let runs = [
            // A counterexample, with levels expanded whole (several shards hold states that
            // break an invariant) and a few parents at a time.
            (broken, 5, None, u32::MAX),
            (broken, 5, None, 7),
            // No counterexample: stopped by the state limit within a level.
            (Rules::default(), 6, Some(20_000), 7),
        ];
        for (rules, depth, max_states, slice) in runs {
            let run = |threads| {
                let config = Config {
                    depth,
                    rules,
                    threads,
                    max_states,
                    ..Config::default()
                };
                summary(&explore_in_slices(
                    &topology,
                    &start,
                    &config,
                    &inputs,
                    |_| {},
                    slice,
                ))
            };
            let one = run(1);
            assert!(
                one.5.is_some() || one.4 == Stop::StateLimit,
                "the run shows something: {one:?}"
            );
            for threads in 2..=4 {
                assert_eq!(run(threads), one, "{threads} threads against one");
            }
        }
    }

    /// Progress comes after every slice of a level, and the reports that say a level is
    /// finished are those of an exploration that expands each level whole.
    #[test]
    fn progress_is_reported_within_a_level_and_when_it_is_finished() {
        let (topology, start, inputs) = three_nodes_dangerous();
        for threads in [1, 2] {
            let config = Config {
                depth: 4,
                threads,
                ..Config::default()
            };
            let reports = |slice| {
                let mut out: Vec<Progress> = Vec::new();
                let e =
                    explore_in_slices(&topology, &start, &config, &inputs, |p| out.push(*p), slice);
                assert_eq!((e.stop, e.depth), (Stop::Depth, config.depth));
                (out, e.states)
            };
            let ((whole, states), (sliced, _)) = (reports(u32::MAX), reports(7));
            assert!(whole.iter().all(Progress::finished));
            let depths: Vec<usize> = whole.iter().map(|p| p.depth).collect();
            assert_eq!(depths, (1..=config.depth).collect::<Vec<_>>());
            assert_eq!(whole.last().map(|p| p.states), Some(states));
            let counts = |p: &Progress| (p.depth, p.states, p.transitions, p.frontier, p.parents);
            let finished: Vec<_> = sliced.iter().filter(|p| p.finished()).map(counts).collect();
            assert_eq!(finished, whole.iter().map(counts).collect::<Vec<_>>());
            // Within a level: seven more parents each time, the states known before the
            // level plus those found in it so far, more transitions.
            let mut before = 1;
            let mut last: Option<&Progress> = None;
            for p in &sliced {
                assert_eq!(p.states, before + p.frontier as u64);
                match last {
                    Some(a) if !a.finished() => {
                        assert_eq!(
                            (p.depth, p.expanded),
                            (a.depth, (a.expanded + 7).min(a.parents))
                        );
                        assert!(p.frontier >= a.frontier && p.transitions > a.transitions);
                    }
                    _ => assert_eq!(p.expanded, 7.min(p.parents)),
                }
                if p.finished() {
                    before = p.states;
                }
                last = Some(p);
            }
            assert!(sliced.len() > 2 * whole.len(), "{} reports", sliced.len());
        }
    }

    /// The public entry expands a level of fewer than [`SLICE`] parents whole: one progress
    /// report per level, each for a finished level.
    #[test]
    fn a_small_level_is_reported_once() {
        let (topology, start, inputs) = three_nodes_dangerous();
        let config = Config {
            depth: 4,
            threads: 1,
            ..Config::default()
        };
        let mut reports: Vec<Progress> = Vec::new();
        let e = explore_with(&topology, &start, &config, &inputs, |p| reports.push(*p));
        assert!(e.states < u64::from(SLICE), "{} states", e.states);
        let depths: Vec<usize> = reports.iter().map(|p| p.depth).collect();
        assert_eq!(depths, (1..=config.depth).collect::<Vec<_>>());
        assert!(reports.iter().all(Progress::finished));
    }

    /// What the guard hands the explorer is what the explorer would find itself. Over every
    /// input from the states two inputs from a healthy cluster or from two writable masters
    /// (reached with the one-master rule and the guard off, so broken and partitioned states
    /// are among them), a whole-cluster finding equals [`invariant::check`]; and the guard
    /// checks the whole cluster for some inputs and only part of it for others.
    #[test]
    fn the_guards_whole_check_is_the_explorers_check() {
        let (topology, start, inputs) = three_nodes();
        let loose = one_master_unchecked();
        // The states two inputs from the start, and those two inputs from the end of the
        // shortest way to two writable masters without the rule.
        let config = Config {
            depth: 6,
            rules: loose,
            threads: 1,
            ..Config::default()
        };
        let broken_end = explore_with(
            &topology,
            &start,
            &config,
            &inputs.clone().retain(dangerous),
            |_| {},
        )
        .counterexample
        .and_then(|t| t.steps.last().map(|s| s.state))
        .unwrap();
        let mut states: std::collections::HashSet<State> = std::collections::HashSet::new();
        let mut buffer = Vec::new();
        for from in [start, broken_end] {
            let mut level = vec![from];
            states.insert(from);
            for _ in 0..2 {
                let mut next = Vec::new();
                for state in &level {
                    inputs.fill(state, Typing::OnePerGroup, &mut buffer);
                    for input in &buffer {
                        if let Ok(s) = machine::step(&topology, state, input, &loose, &mut ())
                            && states.insert(s)
                        {
                            next.push(s);
                        }
                    }
                }
                level = next;
            }
        }
        let (mut clean, mut broken, mut partly) = (0, 0, 0);
        for state in &states {
            inputs.fill(state, Typing::OnePerGroup, &mut buffer);
            for input in &buffer {
                let mut next = *state;
                let Ok(checked) = machine::step_in_place(
                    &topology,
                    state,
                    input,
                    Rules::default(),
                    &mut (),
                    &mut next,
                ) else {
                    continue;
                };
                match checked {
                    machine::Checked::Whole(found) => {
                        assert_eq!(found, invariant::check(&topology, &next), "{input:?}");
                        if found.is_some() {
                            broken += 1;
                        } else {
                            clean += 1;
                        }
                    }
                    machine::Checked::Partly => partly += 1,
                }
            }
        }
        assert!(
            clean > 0 && broken > 0 && partly > 0,
            "{clean} {broken} {partly}"
        );
    }

    /// A state limit stops the exploration: between levels, or within one after a slice of
    /// its parents, in which case that level is not counted as explored.
    #[test]
    fn a_state_limit_stops_between_levels_or_within_one() {
        let (topology, start, inputs) = three_nodes_dangerous();
        let config = Config {
            depth: 6,
            max_states: Some(200),
            threads: 1,
            ..Config::default()
        };
        let run = |slice| {
            let mut finished = Vec::new();
            let e = explore_in_slices(
                &topology,
                &start,
                &config,
                &inputs,
                |p| {
                    if p.finished() {
                        finished.push(p.states);
                    }
                },
                slice,
            );
            (e, finished)
        };
        let (whole, levels) = run(u32::MAX);
        assert_eq!(whole.stop, Stop::StateLimit);
        // The first level to reach 200 states is finished, and nothing more is explored.
        let reached = levels.iter().position(|&n| n >= 200).unwrap();
        assert_eq!((whole.states, whole.depth), (levels[reached], reached + 1));
        assert!(whole.depth < config.depth);
        let (sliced, _) = run(3);
        assert_eq!(sliced.stop, Stop::StateLimit);
        // Cut short within that same level: fewer states, and that level not explored.
        assert!(
            sliced.states >= 200 && sliced.states < whole.states,
            "{}",
            sliced.states
        );
        assert_eq!(sliced.depth, whole.depth - 1);
    }

    fn gcd(a: usize, b: usize) -> usize {
        if b == 0 { a } else { gcd(b, a % b) }
    }

    #[test]
    fn rates_are_counts_over_wall_time() {
        let e = Exploration {
            states: 300,
            transitions: 1200,
            accepted: 600,
            depth: 2,
            stop: Stop::Exhausted,
            counterexample: None,
            seen_bytes: 0,
        };
        let elapsed = Duration::from_millis(1500);
        assert!((e.transitions_per_second(elapsed) - 800.0).abs() < 1e-6);
        assert!((e.states_per_second(elapsed) - 200.0).abs() < 1e-6);
    }
}
