//! A stateful reference test: a deliberately simple model of who is the writable master in a
//! three-node cluster, run beside the engine over random sequences of switches, master
//! offline/online, policy changes, one crash at a time with its restart, and recovery of old
//! masters. The reference has preconditions that keep it where it is simple; where they hold,
//! the engine must accept the step, and both must agree on the writable master afterwards.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a test fails by panicking"
)]

mod support;

use std::cell::Cell;

use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use tungsten_model::command::DatasourceAction;
use tungsten_model::fault::Fault;
use tungsten_model::ls::default_viewer;
use tungsten_model::machine::{self, CctrlOp, Input, invariant::writable_masters};
use tungsten_model::model::{HostId, HostSet, PolicyMode, State, Topology};

const N: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ds {
    Online,
    Offline,
    /// Shunned or failed: out of service until recovered.
    Out,
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Switch,
    MasterOffline,
    MasterOnline,
    Policy(bool),
    Crash(usize),
    Restart(usize),
    Recover(usize),
}

/// The reference: the master, each host up or down, each datasource's state, each replicator
/// online or not, and the policy (AUTOMATIC or MAINTENANCE).
#[derive(Debug, Clone)]
struct Reference {
    master: usize,
    up: [bool; N],
    ds: [Ds; N],
    replicating: [bool; N],
    automatic: bool,
    /// Hosts that were master when they failed over (bit per host): the managers leave them
    /// shunned until an operator recovers them.
    old_masters: u8,
}

impl Reference {
    fn new() -> Self {
        Self {
            master: 0,
            up: [true; N],
            ds: [Ds::Online; N],
            replicating: [true; N],
            automatic: true,
            old_masters: 0,
        }
    }

    /// A slave that could be promoted: up, ONLINE, replicating; the first one wins (no writes
    /// happen, so every position is equal and the topology order breaks the tie).
    fn candidate(&self) -> Option<usize> {
        (0..N).find(|&h| {
            h != self.master && self.up[h] && self.ds[h] == Ds::Online && self.replicating[h]
        })
    }

    fn all_up(&self) -> bool {
        self.up.iter().all(|&u| u)
    }

    /// Whether the reference knows what `op` does here.
    fn allows(&self, op: Op) -> bool {
        let m = self.master;
        match op {
            Op::Switch => {
                self.all_up()
                    && self.ds[m] == Ds::Online
                    && self.replicating[m]
                    && self.candidate().is_some()
            }
            Op::MasterOffline => self.up[m] && self.ds[m] == Ds::Online,
            Op::MasterOnline => self.up[m] && self.ds[m] == Ds::Offline,
            Op::Policy(automatic) => automatic != self.automatic && self.all_up(),
            Op::Crash(h) => {
                self.all_up() && (h != m || !self.automatic || self.candidate_besides(h).is_some())
            }
            Op::Restart(h) => !self.up[h],
            Op::Recover(h) => {
                self.all_up() && h != m && self.ds[h] == Ds::Out && self.ds[m] == Ds::Online
            }
        }
    }

    fn candidate_besides(&self, crashed: usize) -> Option<usize> {
        (0..N).find(|&h| {
            h != self.master && h != crashed && self.ds[h] == Ds::Online && self.replicating[h]
        })
    }

    fn apply(&mut self, op: Op) {
        let m = self.master;
        match op {
            Op::Switch => {
                let new = self.candidate().unwrap();
                self.master = new;
            }
            Op::MasterOffline => {
                if !self.automatic {
                    self.ds[m] = Ds::Offline;
                }
            }
            Op::MasterOnline => self.ds[m] = Ds::Online,
            Op::Policy(automatic) => {
                self.automatic = automatic;
                if automatic {
                    for h in 0..N {
                        if self.ds[h] == Ds::Offline {
                            self.ds[h] = Ds::Online;
                        }
                        if self.ds[h] != Ds::Out {
                            self.replicating[h] = true;
                        }
                    }
                }
            }
            Op::Crash(h) => {
                self.up[h] = false;
                self.replicating[h] = false;
                if self.automatic {
                    if h == m {
                        self.master = self.candidate_besides(h).unwrap();
                        self.old_masters |= 1 << h;
                    }
                    self.ds[h] = Ds::Out;
                }
            }
            Op::Restart(h) => {
                self.up[h] = true;
                // The boot starts the replicator, and it goes online by itself, whatever the
                // policy; an old master's extractor does not, beside the master's.
                if self.was_slave(h) || h == self.master {
                    self.replicating[h] = true;
                }
                if self.automatic && h != self.master && self.ds[h] == Ds::Out && self.was_slave(h)
                {
                    // A failed slave that is healthy again is recovered by the managers.
                    self.ds[h] = Ds::Online;
                    self.replicating[h] = true;
                }
            }
            Op::Recover(h) => {
                self.ds[h] = if self.automatic {
                    Ds::Online
                } else {
                    Ds::Offline
                };
                self.replicating[h] = true;
                self.old_masters &= !(1 << h);
            }
        }
    }

    fn was_slave(&self, h: usize) -> bool {
        self.old_masters & (1 << h) == 0
    }

    /// Who applications can write to.
    fn writable(&self) -> Option<usize> {
        let m = self.master;
        (self.up[m] && self.ds[m] == Ds::Online).then_some(m)
    }
}

struct Engine {
    t: Topology,
    s: State,
    ids: [HostId; N],
}

impl Engine {
    fn new() -> Self {
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let s = State::healthy(&t);
        let ids = ["db1", "db2", "db3"].map(|h| t.host_id(h).unwrap());
        Self { t, s, ids }
    }

    fn input(&self, op: Op, master: usize) -> Input {
        let service = self.t.host(self.ids[0]).service;
        let at = default_viewer(&self.t, &self.s, service).unwrap();
        let cctrl = |op| Input::Cctrl { at, op };
        match op {
            Op::Switch => cctrl(CctrlOp::Switch(None)),
            Op::MasterOffline => cctrl(CctrlOp::Datasource(
                self.ids[master],
                DatasourceAction::Offline,
            )),
            Op::MasterOnline => cctrl(CctrlOp::Datasource(
                self.ids[master],
                DatasourceAction::Online,
            )),
            Op::Policy(automatic) => cctrl(CctrlOp::SetPolicy(if automatic {
                PolicyMode::Automatic
            } else {
                PolicyMode::Maintenance
            })),
            Op::Crash(h) => Input::Fault(Fault::HostCrash(self.ids[h])),
            Op::Restart(h) => Input::Fault(Fault::HostRestart(self.ids[h])),
            Op::Recover(h) => cctrl(CctrlOp::Datasource(self.ids[h], DatasourceAction::Recover)),
        }
    }

    fn writable(&self) -> HostSet {
        let service = self.t.host(self.ids[0]).service;
        writable_masters(&self.t, &self.s, service, HostSet::of(self.t.host_ids()))
    }
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::Switch),
        2 => Just(Op::MasterOffline),
        2 => Just(Op::MasterOnline),
        2 => any::<bool>().prop_map(Op::Policy),
        3 => (0..N).prop_map(Op::Crash),
        3 => (0..N).prop_map(Op::Restart),
        2 => (0..N).prop_map(Op::Recover),
    ]
}

/// How many kinds of step [`run`] counts: the [`Op`]s, with a crash of the master under
/// AUTOMATIC (a failover) counted apart.
const KINDS: usize = 8;

fn kind(op: Op, reference: &Reference) -> usize {
    match op {
        Op::Switch => 0,
        Op::MasterOffline => 1,
        Op::MasterOnline => 2,
        Op::Policy(_) => 3,
        Op::Crash(h) if h == reference.master && reference.automatic => 5,
        Op::Crash(_) => 4,
        Op::Restart(_) => 6,
        Op::Recover(_) => 7,
    }
}

/// Run `ops` through both models; returns how many steps of each kind were applied.
fn run(ops: &[Op]) -> Result<[usize; KINDS], TestCaseError> {
    let mut reference = Reference::new();
    let mut engine = Engine::new();
    let mut applied = [0; KINDS];
    for &op in ops {
        if !reference.allows(op) {
            continue;
        }
        let input = engine.input(op, reference.master);
        let outcome = machine::apply(&engine.t, &engine.s, &input).map_err(|r| {
            TestCaseError::fail(format!(
                "{op:?} refused: {} (reference {reference:?})",
                r.render(&engine.t)
            ))
        })?;
        engine.s = outcome.state;
        applied[kind(op, &reference)] += 1;
        reference.apply(op);
        let expected = HostSet::of(reference.writable().map(|h| engine.ids[h]));
        prop_assert_eq!(
            engine.writable(),
            expected,
            "after {:?}, reference {:?}",
            op,
            reference
        );
    }
    Ok(applied)
}

/// The reference and the engine agree over random sequences; and the run is not vacuous: every
/// kind of step, failover by crash included, was applied in some case.
#[test]
fn the_engine_agrees_with_a_simple_model_of_who_is_writable() {
    let mut runner = TestRunner::new(support::proptest_config(
        "proptest-regressions/stateful.txt",
    ));
    let kinds = Cell::new([0usize; KINDS]);
    let result = runner.run(&proptest::collection::vec(op(), 0..40), |ops| {
        let counts = run(&ops)?;
        let mut total = kinds.get();
        for (t, c) in total.iter_mut().zip(counts) {
            *t += c;
        }
        kinds.set(total);
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    let kinds = kinds.get();
    eprintln!("steps applied, by kind: {kinds:?}");
    assert!(
        kinds.iter().all(|&k| k > 0),
        "some kind of step was never applied (Switch, MasterOffline, MasterOnline, Policy, Crash, Failover, Restart, Recover): {kinds:?}"
    );
}
