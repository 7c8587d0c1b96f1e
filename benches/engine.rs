//! Speed of the engine, the `ls` parser and renderer, runbook validation and the explorer.
//!
//! `cargo bench --bench engine` measures; `cargo bench --bench engine -- --test` runs each
//! benchmark once and checks its answer (what `.ci/run` does). Every benchmark asserts what it
//! computes before timing it, so a fast wrong answer fails instead of looking good. Heap
//! allocations per call are counted (`allocation-counter`) and printed beside the timings.
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    missing_docs,
    reason = "a benchmark fails by panicking and reports on stdout"
)]

use std::hint::black_box;
use std::time::Instant;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use tungsten_model::command::DatasourceAction;
use tungsten_model::explore::{self, Alphabet, Config, Stop};
use tungsten_model::ls::Listing;
use tungsten_model::machine::{self, CctrlOp, Input, Rules};
use tungsten_model::model::{PolicyMode, State, Topology};
use tungsten_model::runbook::{self, Verdict};

/// Heap allocations made by `f`, per call, over `n` calls.
/// (`allocation-counter` installs the counting global allocator: the crate forbids unsafe
/// code, benches included.)
fn allocations_per_call(n: u64, mut f: impl FnMut()) -> f64 {
    let info = allocation_counter::measure(|| {
        for _ in 0..n {
            f();
        }
    });
    #[allow(clippy::cast_precision_loss)]
    let per = info.count_total as f64 / n as f64;
    per
}

/// Keep a benchmark's result from being optimised away, in place.
///
/// What a routine returns to `Bencher::iter`, criterion 0.5 passes through its own
/// `black_box`, which on stable is a volatile read: a copy of the whole value that cannot use
/// `memcpy`. For `machine::step`'s result (a `State`, 952 bytes then) that copy measured about
/// 100 ns, more than a refused step itself. So routines hand their result here and return
/// `()`.
fn sink<T>(value: T) {
    drop(black_box(value));
}

fn cluster(n: usize) -> (Topology, State) {
    let names: Vec<String> = (1..=n).map(|i| format!("db{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let topology = Topology::single("alpha", &names).unwrap();
    let state = State::healthy(&topology);
    (topology, state)
}

fn apply(c: &mut Criterion) {
    let mut group = c.benchmark_group("apply");
    for n in [3, 5] {
        let (t, healthy) = cluster(n);
        let db1 = t.host_id("db1").unwrap();
        let db2 = t.host_id("db2").unwrap();
        // Accepted: `datasource db2 offline` in MAINTENANCE (no reaction undoes it).
        let maintenance = machine::apply(
            &t,
            &healthy,
            &Input::Cctrl {
                at: db1,
                op: CctrlOp::SetPolicy(PolicyMode::Maintenance),
            },
        )
        .unwrap()
        .state;
        let accepted = Input::Cctrl {
            at: db1,
            op: CctrlOp::Datasource(db2, DatasourceAction::Offline),
        };
        // Refused: `datasource db2 welcome` on a datasource that is not shunned.
        let refused = Input::Cctrl {
            at: db1,
            op: CctrlOp::Datasource(db2, DatasourceAction::Welcome),
        };
        let rules = Rules::default();
        let next = machine::step(&t, &maintenance, &accepted, &rules, &mut ()).unwrap();
        assert_ne!(next, maintenance);
        assert!(machine::step(&t, &maintenance, &refused, &rules, &mut ()).is_err());
        let step_allocs = allocations_per_call(1000, || {
            let _ = black_box(machine::step(&t, &maintenance, &accepted, &rules, &mut ()));
        });
        let refused_allocs = allocations_per_call(1000, || {
            let _ = black_box(machine::step(&t, &maintenance, &refused, &rules, &mut ()));
        });
        println!(
            "apply/{n} nodes: heap allocations per call: step accepted {step_allocs:.1}, step refused {refused_allocs:.1}"
        );
        group.bench_with_input(BenchmarkId::new("step accepted", n), &n, |b, _| {
            b.iter(|| {
                sink(machine::step(
                    &t,
                    black_box(&maintenance),
                    &accepted,
                    &rules,
                    &mut (),
                ));
            });
        });
        group.bench_with_input(BenchmarkId::new("step refused", n), &n, |b, _| {
            b.iter(|| {
                sink(machine::step(
                    &t,
                    black_box(&maintenance),
                    &refused,
                    &rules,
                    &mut (),
                ));
            });
        });
        group.bench_with_input(BenchmarkId::new("apply with effects", n), &n, |b, _| {
            b.iter(|| sink(machine::apply(&t, black_box(&maintenance), &accepted)));
        });
    }
    group.finish();
}

fn listing(c: &mut Criterion) {
    let text = include_str!("../tests/fixtures/ls/seed004_failsafe.txt");
    let parsed: Listing = text.parse().unwrap();
    let rendered = parsed.to_string();
    assert_eq!(rendered.parse::<Listing>().unwrap(), parsed);
    let mut group = c.benchmark_group("ls");
    group.bench_function("parse seed 004", |b| {
        b.iter(|| sink(black_box(text).parse::<Listing>()));
    });
    group.bench_function("render seed 004", |b| {
        b.iter(|| sink(black_box(&parsed).to_string()));
    });
    group.finish();
}

fn validation(c: &mut Criterion) {
    let text = include_str!("../tests/fixtures/runbooks/seed000_reset_east.txt");
    let book: runbook::Runbook = text.parse().unwrap();
    let mut no_files = |path: &str| Err(format!("no file `{path}`"));
    let start = runbook::start(&book, &[], &mut no_files).unwrap();
    let report = runbook::validate(&start, &book, runbook::Options::default());
    assert_eq!(report.verdict, Verdict::Valid);
    c.bench_function("validate seed 000 runbook", |b| {
        b.iter(|| {
            sink(runbook::validate(
                black_box(&start),
                &book,
                runbook::Options::default(),
            ));
        });
    });
}

fn exploration(c: &mut Criterion) {
    let (t, s) = cluster(3);
    let mut group = c.benchmark_group("explore");
    group.sample_size(10);
    for threads in [1, 2] {
        let config = Config {
            depth: 3,
            alphabet: Alphabet::CCTRL_AND_FAULTS,
            threads,
            ..Config::default()
        };
        let first = explore::explore(&t, &s, &config, |_| {});
        assert_eq!(first.stop, Stop::Depth);
        assert!(first.counterexample.is_none());
        // Rates from a timed run of their own, for the README table.
        let began = Instant::now();
        let e = explore::explore(&t, &s, &config, |_| {});
        let secs = began.elapsed().as_secs_f64();
        #[allow(clippy::cast_precision_loss)]
        let (tps, sps) = (e.transitions as f64 / secs, e.states as f64 / secs);
        println!(
            "explore/{threads} thread(s), 3 nodes, depth 3: {} states, {} transitions, {tps:.0} transitions/s, {sps:.0} states/s, {:.1} seen-set bytes/state",
            e.states,
            e.transitions,
            e.seen_bytes_per_state()
        );
        group.bench_with_input(
            BenchmarkId::new("3 nodes depth 3, threads", threads),
            &threads,
            |b, _| b.iter(|| sink(explore::explore(&t, black_box(&s), &config, |_| {}))),
        );
    }
    group.finish();
}

/// Runs of stateright and of the explorer, interleaved, that the printed ratio comes from.
const PAIRS: usize = 15;

/// The CPU time the process has used so far, in seconds: every thread's, ended ones included
/// (stateright's checker runs in threads of its own).
#[cfg(unix)]
#[allow(
    clippy::cast_precision_loss,
    clippy::unnecessary_wraps,
    reason = "seconds since the process started fit a double's 53 bits; `None` where there is no CPU clock"
)]
fn cpu_seconds() -> Option<f64> {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Some(t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9)
}

/// No CPU clock read here: the ratio is given in wall-clock time only.
#[cfg(not(unix))]
fn cpu_seconds() -> Option<f64> {
    None
}

/// The same exploration through stateright's BFS checker, one thread, and the ratio of its
/// time to the explorer's.
fn stateright_bfs(c: &mut Criterion) {
    use stateright::{Checker, Model};
    use tungsten_model::checker::TungstenModel;
    let (t, s) = cluster(3);
    let config = Config {
        depth: 3,
        alphabet: Alphabet::CCTRL_AND_FAULTS,
        threads: 1,
        ..Config::default()
    };
    let ours = explore::explore(&t, &s, &config, |_| {});
    let model = TungstenModel::new(t.clone(), s, &config);
    // stateright counts the initial state as depth 1, and counts but neither checks nor
    // expands a state at its target depth: at `depth + 1` it generates exactly the explorer's
    // states and expands as many (it skips the invariants on the last level, which the
    // explorer checks, so the ratio slightly favours stateright).
    let run = || {
        model
            .clone()
            .checker()
            .target_max_depth(config.depth + 1)
            .threads(config.threads)
            .spawn_bfs()
            .join()
    };
    let checker = run();
    checker.assert_properties();
    assert_eq!(checker.unique_state_count() as u64, ours.states);
    // The same work on both sides: the same inputs accepted from the same states (stateright
    // counts every state it generates, duplicates and the start included), so the same depth
    // and alphabet; and neither finds a counterexample.
    assert_eq!(checker.state_count() as u64, ours.accepted + 1);
    assert_eq!((ours.stop, ours.depth), (Stop::Depth, config.depth));
    assert!(ours.counterexample.is_none());
    // The ratio from runs of the two interleaved, pair by pair: on a shared machine the load
    // moves between criterion's two groups, which run a minute apart. Each run is timed by
    // the wall clock and by the process's CPU time: on a loaded machine a run's wall-clock
    // time includes its waits for a core, which a short run suffers more from in proportion.
    let seconds = |f: &dyn Fn()| {
        let (began, cpu) = (Instant::now(), cpu_seconds());
        f();
        let used = cpu.zip(cpu_seconds()).map(|(before, after)| after - before);
        (began.elapsed().as_secs_f64(), used)
    };
    let (mut wall, mut cpu) = (Vec::new(), Vec::new());
    let (mut theirs, mut mine) = (f64::MAX, f64::MAX);
    for _ in 0..PAIRS {
        let stateright_run = seconds(&|| sink(run()));
        let explorer_run = seconds(&|| sink(explore::explore(&t, &s, &config, |_| {})));
        wall.push(stateright_run.0 / explorer_run.0);
        if let (Some(a), Some(b)) = (stateright_run.1, explorer_run.1) {
            cpu.push(a / b);
        }
        (theirs, mine) = (theirs.min(stateright_run.0), mine.min(explorer_run.0));
    }
    let spread = |ratios: &mut Vec<f64>| {
        ratios.sort_by(f64::total_cmp);
        format!(
            "{:.2}x faster (median of the pairs' ratios; {:.2}x to {:.2}x)",
            ratios[ratios.len() / 2],
            ratios[0],
            ratios[ratios.len() - 1]
        )
    };
    println!(
        "stateright BFS, 1 thread, same model and depth: {} unique states; {PAIRS} interleaved pairs: the explorer is {}, fastest runs {theirs:.3} s against {mine:.3} s",
        checker.unique_state_count(),
        spread(&mut wall),
    );
    if cpu.len() == PAIRS {
        println!(
            "stateright BFS against the explorer, the same {PAIRS} pairs in process CPU time: the explorer is {}",
            spread(&mut cpu)
        );
    } else {
        println!("stateright BFS against the explorer in CPU time: no CPU clock on this platform");
    }
    let mut group = c.benchmark_group("stateright");
    group.sample_size(10);
    group.bench_function("bfs 3 nodes depth 3, 1 thread", |b| b.iter(|| sink(run())));
    group.finish();
}

criterion_group!(
    benches,
    apply,
    listing,
    validation,
    exploration,
    stateright_bfs
);
criterion_main!(benches);
