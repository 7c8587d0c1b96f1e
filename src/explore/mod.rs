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

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

pub use alphabet::{Alphabet, Inputs, Typing, dangerous};
pub use seen::{FingerprintSet, Fingerprinter, fingerprint, fingerprint_in};
pub use trace::{Trace, TraceStep};

use crate::machine::{self, Input, Rules, invariant};
use crate::model::{State, Topology};

/// What to explore.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// How many inputs deep.
    pub depth: usize,
    /// Which inputs.
    pub alphabet: Alphabet,
    /// Where cctrl commands are typed.
    pub typing: Typing,
    /// How many writes a host may take beyond the last event of the most advanced host of the
    /// starting state (from a cluster with no events yet: exactly this many).
    pub writes: u64,
    /// The rules the engine runs under (turn one off to see what it prevents).
    pub rules: Rules,
    /// Worker threads (1 for reproducible timings; the default is every core).
    pub threads: usize,
    /// Stop once this many distinct states are known (the result says it stopped early).
    pub max_states: Option<usize>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            depth: 8,
            alphabet: Alphabet::CCTRL_AND_FAULTS,
            typing: Typing::OnePerGroup,
            writes: 1,
            rules: Rules::default(),
            threads: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            max_states: None,
        }
    }
}

/// How far an exploration has got, reported after each level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// The depth just finished.
    pub depth: usize,
    /// Distinct states known.
    pub states: u64,
    /// Inputs applied (accepted or refused).
    pub transitions: u64,
    /// States waiting at the next depth.
    pub frontier: usize,
    /// Time since the start.
    pub elapsed: Duration,
}

/// Why an exploration stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stop {
    /// Every state reachable was explored before the depth bound: the result covers every
    /// sequence of any length.
    Exhausted,
    /// The depth bound was reached.
    Depth,
    /// An invariant broke.
    Counterexample,
    /// [`Config::max_states`] was reached.
    StateLimit,
}

/// The result of an exploration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    /// A shortest sequence of inputs that breaks an invariant, if one was found.
    pub counterexample: Option<Trace>,
    /// Wall time.
    pub elapsed: Duration,
    /// Bytes of the seen-set's tables at the end.
    pub seen_bytes: usize,
}

impl Exploration {
    /// Inputs applied per second.
    #[must_use]
    pub fn transitions_per_second(&self) -> f64 {
        per_second(self.transitions, self.elapsed)
    }

    /// Distinct states per second.
    #[must_use]
    pub fn states_per_second(&self) -> f64 {
        per_second(self.states, self.elapsed)
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

/// A state at the frontier: the state, and how it was reached (its parent's index in the
/// previous level and the input).
#[derive(Clone, Copy)]
struct Node {
    state: State,
    link: Link,
}

/// How a state was first reached.
#[derive(Clone, Copy)]
struct Link {
    parent: u32,
    input: Input,
}

/// A successor found by a worker, not yet checked against the seen-set's shard.
struct Candidate {
    fp: u64,
    node: Node,
}

/// What one worker did with its share of a level.
#[derive(Default)]
struct Work {
    /// New-looking successors, by the shard their fingerprint falls in.
    shards: Vec<Vec<Candidate>>,
    transitions: u64,
    accepted: u64,
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
/// alphabet and write bound are those `inputs` was built with.
#[must_use]
pub fn explore_with(
    topology: &Topology,
    start: &State,
    config: &Config,
    inputs: &Inputs,
    mut progress: impl FnMut(&Progress),
) -> Exploration {
    let began = Instant::now();
    let threads = config.threads.clamp(1, 64);
    let mut seen: Vec<FingerprintSet> = (0..threads).map(|_| FingerprintSet::default()).collect();
    let shard_of = |fp: u64| shard(fp, threads);
    let start_fp = fingerprint_in(topology, start);
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
        elapsed: Duration::ZERO,
        seen_bytes: 0,
    };
    if let Some(violation) = invariant::check(topology, start) {
        result.stop = Stop::Counterexample;
        result.counterexample = Some(Trace::new(topology, *start, Vec::new(), violation));
    }
    // The links of every level, to rebuild a counterexample's inputs.
    let mut levels: Vec<Vec<Link>> = Vec::new();
    let mut frontier = vec![Node {
        state: *start,
        link: Link {
            parent: 0,
            input: Input::Fault(crate::fault::Fault::Heal),
        },
    }];
    while result.counterexample.is_none() && result.depth < config.depth {
        if frontier.is_empty() {
            result.stop = Stop::Exhausted;
            break;
        }
        if config
            .max_states
            .is_some_and(|max| result.states >= max as u64)
        {
            result.stop = Stop::StateLimit;
            break;
        }
        let (next, broken, transitions, accepted) = level(
            topology, inputs, config, &frontier, &mut seen, threads, &shard_of,
        );
        result.transitions += transitions;
        result.accepted += accepted;
        result.states += next.len() as u64;
        levels.push(frontier.iter().map(|n| n.link).collect());
        result.depth += 1;
        if let Some((index, violation)) = broken {
            let inputs = rebuild(&levels, &next, index);
            result.stop = Stop::Counterexample;
            result.counterexample = Some(Trace::replay(
                topology,
                start,
                &inputs,
                config.rules,
                violation,
            ));
        }
        frontier = next;
        progress(&Progress {
            depth: result.depth,
            states: result.states,
            transitions: result.transitions,
            frontier: frontier.len(),
            elapsed: began.elapsed(),
        });
    }
    if result.counterexample.is_none() && result.depth >= config.depth && frontier.is_empty() {
        result.stop = Stop::Exhausted;
    }
    result.elapsed = began.elapsed();
    result.seen_bytes = seen.iter().map(FingerprintSet::bytes).sum();
    result
}

/// One level: the new states reached from `frontier`, the first of them (by index) that
/// breaks an invariant, and the transitions tried and accepted.
fn level(
    topology: &Topology,
    inputs: &Inputs,
    config: &Config,
    frontier: &[Node],
    seen: &mut [FingerprintSet],
    threads: usize,
    shard_of: &(impl Fn(u64) -> usize + Sync),
) -> (Vec<Node>, Option<(usize, invariant::Violation)>, u64, u64) {
    let mut next: Vec<Node> = Vec::with_capacity(frontier.len());
    let mut broken: Option<(usize, invariant::Violation)> = None;
    let (mut transitions, mut accepted) = (0, 0);
    if threads == 1 {
        // One thread: successors go straight into the seen-set, with no candidate copies.
        if let Some(set) = seen.first_mut() {
            (transitions, accepted) = expand_alone(
                topology,
                inputs,
                config,
                frontier,
                set,
                &mut next,
                &mut broken,
            );
        }
    } else {
        let works = expand(topology, inputs, config, frontier, seen, threads, shard_of);
        for work in &works {
            transitions += work.transitions;
            accepted += work.accepted;
        }
        for (nodes, found) in merge(topology, works, seen, threads) {
            if let Some((i, v)) = found
                && broken.is_none()
            {
                broken = Some((next.len() + i, v));
            }
            next.extend(nodes);
        }
    }
    (next, broken, transitions, accepted)
}

/// One thread's level: apply every input to every state of `frontier`, keep the successors
/// `seen` did not hold in `next`, note the first that breaks an invariant. Returns the
/// transitions tried and accepted.
fn expand_alone(
    topology: &Topology,
    inputs: &Inputs,
    config: &Config,
    frontier: &[Node],
    seen: &mut FingerprintSet,
    next: &mut Vec<Node>,
    broken: &mut Option<(usize, invariant::Violation)>,
) -> (u64, u64) {
    let (mut transitions, mut accepted) = (0, 0);
    let mut buffer = Vec::with_capacity(inputs.len());
    for (i, node) in frontier.iter().enumerate() {
        inputs.fill(&node.state, config.typing, &mut buffer);
        for input in &buffer {
            transitions += 1;
            let Ok(state) = machine::step(topology, &node.state, input, &config.rules, &mut ())
            else {
                continue;
            };
            accepted += 1;
            if !seen.insert(fingerprint_in(topology, &state)) {
                continue;
            }
            if broken.is_none()
                && let Some(v) = invariant::check(topology, &state)
            {
                *broken = Some((next.len(), v));
            }
            next.push(Node {
                state,
                link: Link {
                    parent: u32::try_from(i).unwrap_or(u32::MAX),
                    input: *input,
                },
            });
        }
    }
    (transitions, accepted)
}

/// Apply every input to every state of `frontier`, split between `threads` workers; keep the
/// successors whose fingerprint is not yet in `seen`, bucketed by shard.
fn expand(
    topology: &Topology,
    inputs: &Inputs,
    config: &Config,
    frontier: &[Node],
    seen: &[FingerprintSet],
    threads: usize,
    shard_of: &(impl Fn(u64) -> usize + Sync),
) -> Vec<Work> {
    let chunk = frontier.len().div_ceil(threads).max(1);
    let work = |offset: usize, nodes: &[Node]| -> Work {
        let mut work = Work {
            shards: (0..threads).map(|_| Vec::new()).collect(),
            ..Work::default()
        };
        let mut buffer = Vec::with_capacity(inputs.len());
        for (i, node) in nodes.iter().enumerate() {
            inputs.fill(&node.state, config.typing, &mut buffer);
            for input in &buffer {
                work.transitions += 1;
                let Ok(next) = machine::step(topology, &node.state, input, &config.rules, &mut ())
                else {
                    continue;
                };
                work.accepted += 1;
                let fp = fingerprint_in(topology, &next);
                let shard = shard_of(fp);
                if seen.get(shard).is_some_and(|s| s.contains(fp)) {
                    continue;
                }
                if let Some(bucket) = work.shards.get_mut(shard) {
                    bucket.push(Candidate {
                        fp,
                        node: Node {
                            state: next,
                            link: Link {
                                parent: u32::try_from(offset + i).unwrap_or(u32::MAX),
                                input: *input,
                            },
                        },
                    });
                }
            }
        }
        work
    };
    if threads == 1 {
        return vec![work(0, frontier)];
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = frontier
            .chunks(chunk)
            .enumerate()
            .map(|(k, nodes)| {
                let work = &work;
                scope.spawn(move || work(k * chunk, nodes))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// The new states of one shard, in a fixed order, and the first of them (by index) that
/// breaks an invariant.
type Merged = (Vec<Node>, Option<(usize, invariant::Violation)>);

/// Insert each shard's candidates into its seen-set (one worker per shard), keep those that
/// are new and check the invariants on them.
fn merge(
    topology: &Topology,
    works: Vec<Work>,
    seen: &mut [FingerprintSet],
    threads: usize,
) -> Vec<Merged> {
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
        let mut nodes = Vec::new();
        let mut broken = None;
        for candidate in buckets.into_iter().flatten() {
            if set.insert(candidate.fp) {
                if broken.is_none()
                    && let Some(v) = invariant::check(topology, &candidate.node.state)
                {
                    broken = Some((nodes.len(), v));
                }
                nodes.push(candidate.node);
            }
        }
        (nodes, broken)
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

/// The inputs from the start to `next[index]`, following the links back level by level.
fn rebuild(levels: &[Vec<Link>], next: &[Node], index: usize) -> Vec<Input> {
    let mut inputs = Vec::new();
    let Some(node) = next.get(index) else {
        return inputs;
    };
    inputs.push(node.link.input);
    let mut parent = node.link.parent as usize;
    // levels[0] holds the start's (unused) link; levels[d] the links of depth-d states.
    for level in levels.iter().skip(1).rev() {
        let Some(link) = level.get(parent) else { break };
        inputs.push(link.input);
        parent = link.parent as usize;
    }
    inputs.reverse();
    inputs
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn rates_are_counts_over_wall_time() {
        let e = Exploration {
            states: 300,
            transitions: 1200,
            accepted: 600,
            depth: 2,
            stop: Stop::Exhausted,
            counterexample: None,
            elapsed: Duration::from_millis(1500),
            seen_bytes: 0,
        };
        assert!((e.transitions_per_second() - 800.0).abs() < 1e-6);
        assert!((e.states_per_second() - 200.0).abs() < 1e-6);
    }
}
