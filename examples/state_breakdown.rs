//! Where the explorer's states come from: a plain breadth-first search of a healthy
//! three-node cluster under every cctrl command and fault (`Alphabet::CCTRL_AND_FAULTS`, one
//! write), then, for each part of a state, how many distinct states are left once that part is
//! dropped. A part whose dropping leaves many fewer states is one an abstraction could merge
//! (if merging it is sound); none does, which is why the explorer's depth is bounded by the
//! state count, not by its speed (README, *Speed*).
//!
//! ```text
//! cargo run --release --example state_breakdown -- 4
//! ```
//!
//! The argument is the depth (default 4: 310 641 states, half a minute, 1.7 GB; depth 5 holds
//! 4.2 million, some 5.5 minutes and 14 GB; each level is some ten times the last).

#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool: the table on stdout, progress on stderr"
)]

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use tungsten_model::explore::{Alphabet, Inputs, Typing};
use tungsten_model::machine::{self, Rules};
use tungsten_model::model::{HostId, HostState, State, Topology};

/// `state` written out, with `keep` deciding what of each host to write, and the history of
/// epochs first when `history` is set: dropping a part is a matter of not writing it.
fn key(
    state: &State,
    hosts: &[HostId],
    history: bool,
    keep: &dyn Fn(HostId, &HostState) -> String,
) -> String {
    let mut key = if history {
        format!("{:?}", state.history())
    } else {
        String::new()
    };
    for &h in hosts {
        key.push_str(&keep(h, state.host(h)));
    }
    key
}

/// A part of a state projected out: what is left of a state, written as text.
type Project<'a> = Box<dyn Fn(&State) -> String + 'a>;

/// Every state reached from a healthy three-node cluster within `depth` inputs.
fn reachable(depth: usize) -> Result<(Vec<HostId>, HashSet<State>), Box<dyn std::error::Error>> {
    let t = Topology::single("alpha", &["db1", "db2", "db3"])?;
    let start = State::healthy(&t);
    let inputs = Inputs::new(&t, &start, Alphabet::CCTRL_AND_FAULTS, 1);
    let rules = Rules::default();
    let mut seen = HashSet::from([start]);
    let mut frontier = vec![start];
    let mut buffer = Vec::new();
    for level in 1..=depth {
        let mut next = Vec::new();
        for state in &frontier {
            inputs.fill(state, Typing::OnePerGroup, &mut buffer);
            for input in &buffer {
                if let Ok(n) = machine::step(&t, state, input, &rules, &mut ())
                    && seen.insert(n)
                {
                    next.push(n);
                }
            }
        }
        eprintln!("depth {level}: {} states", seen.len());
        frontier = next;
    }
    Ok((t.host_ids().collect(), seen))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let depth: usize = std::env::args().nth(1).map_or(Ok(4), |d| d.parse())?;
    let (hosts, seen) = reachable(depth)?;
    let all = seen.len();
    println!("{all} distinct states to depth {depth}; with one part dropped:");
    for (name, project) in &projections(&hosts) {
        // 64-bit hashes of what is left, not the text: a chance collision among a few
        // million is below one in a million, and the text would not fit in memory at depth 5.
        let left: HashSet<u64> = seen
            .iter()
            .map(|s| {
                let mut hasher = DefaultHasher::new();
                project(s).hash(&mut hasher);
                hasher.finish()
            })
            .collect();
        #[expect(clippy::cast_precision_loss, reason = "a ratio to print")]
        let ratio = all as f64 / left.len() as f64;
        println!("  {name:45} {:>9} ({ratio:.1}x fewer)", left.len());
    }
    Ok(())
}

/// Whether `h`'s manager runs.
fn running(s: &State, h: HostId) -> bool {
    s.host(h).up && s.host(h).manager
}

/// Everything the state holds for `h`, its host state `x` in place of its own.
fn whole(h: HostId, s: &State, x: &HostState) -> String {
    format!("{x:?}{}{:?}", s.partition_label(h), s.view(h))
}

/// Everything but what `blank` resets in each host (and the history, unless `history`).
fn blanking(hosts: &[HostId], history: bool, blank: fn(&mut HostState)) -> Project<'_> {
    Box::new(move |s: &State| {
        key(s, hosts, history, &|h, x| {
            let mut x = *x;
            blank(&mut x);
            whole(h, s, &x)
        })
    })
}

/// The projections, each named by the part it drops.
fn projections(hosts: &[HostId]) -> [(&'static str, Project<'_>); 6] {
    use tungsten_model::model::{Connector, Data, ReplicatorState};
    [
        (
            "the managers' views (ground truth only)",
            Box::new(move |s: &State| {
                key(s, hosts, true, &|h, x| {
                    format!("{x:?}{}", s.partition_label(h))
                })
            }),
        ),
        (
            "the views of stopped managers",
            Box::new(move |s: &State| {
                key(s, hosts, true, &|h, x| {
                    if running(s, h) {
                        whole(h, s, x)
                    } else {
                        format!("{x:?}{}", s.partition_label(h))
                    }
                })
            }),
        ),
        (
            "positions and the history of epochs",
            blanking(hosts, false, |x| x.data = Data::default()),
        ),
        (
            "the connectors",
            blanking(hosts, true, |x| x.connector = Connector::default()),
        ),
        (
            "the replicators' states and sources",
            blanking(hosts, true, |x| {
                x.replicator.state = ReplicatorState::OfflineNormal;
                x.replicator.master = None;
            }),
        ),
        (
            "everything but which processes run",
            Box::new(move |s: &State| {
                key(s, hosts, false, &|_, x| {
                    format!(
                        "{}{}{}{}{}",
                        x.up, x.manager, x.connector.running, x.dataserver, x.replicator.running
                    )
                })
            }),
        ),
    ]
}
