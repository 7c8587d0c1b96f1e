//! Seed 004 end to end: "last man standing" in a three-node cluster.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a test fails by panicking"
)]

use tungsten_model::command::CctrlCommand;
use tungsten_model::fault::Fault;
use tungsten_model::ls::{self, Listing};
use tungsten_model::machine::{self, Finding, Input, Outcome};
use tungsten_model::model::{HostId, State, Topology};

fn fixture(name: &str) -> Listing {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/ls/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .parse()
    .unwrap()
}

/// The seed's eight commands, as printed (prompt stripped).
const PROCEDURE: [&str; 8] = [
    "set policy maintenance",
    "set force true",
    "datasource db2 welcome",
    "datasource db2 master",
    "replicator db2 master",
    "datasource db2 online",
    "replicator db2 online",
    "set policy automatic",
];

struct Cluster {
    t: Topology,
    s: State,
    log: Vec<String>,
}

impl Cluster {
    fn new() -> Self {
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let s = State::healthy(&t);
        Self {
            t,
            s,
            log: Vec::new(),
        }
    }

    fn id(&self, name: &str) -> HostId {
        self.t.host_id(name).unwrap()
    }

    fn apply(&mut self, input: Input) -> Outcome {
        let outcome = machine::apply(&self.t, &self.s, &input)
            .unwrap_or_else(|r| panic!("{input:?} refused: {}", r.render(&self.t)));
        for e in &outcome.effects {
            self.log.push(e.render(&self.t));
        }
        self.s = outcome.state;
        outcome
    }

    /// Apply a fault that must be accepted.
    fn fault(&mut self, fault: Fault) {
        let _ = self.apply(Input::Fault(fault));
    }

    fn cctrl(&mut self, at: &str, line: &str) -> Result<Outcome, String> {
        let at = self.id(at);
        let command: CctrlCommand = line.parse().unwrap();
        let input = machine::resolve_cctrl(&self.t, &self.s, at, &command).unwrap();
        match machine::apply(&self.t, &self.s, &input) {
            Ok(outcome) => {
                self.s = outcome.state;
                Ok(outcome)
            }
            Err(r) => Err(format!("{}: {}", r.refusal.rule(), r.render(&self.t))),
        }
    }

    fn listing(&self, viewer: &str, world: &Listing) -> Listing {
        ls::project(&self.t, &self.s, self.id(viewer), Some(world))
    }

    /// db1 master fails, db3 (the most caught up) is promoted, db3 fails: no quorum.
    fn lose_db1_then_db3(&mut self) {
        let [db1, db2, db3] = ["db1", "db2", "db3"].map(|h| self.id(h));
        self.fault(Fault::Write(db1));
        self.fault(Fault::CatchUp(db2));
        self.fault(Fault::CatchUp(db3));
        self.fault(Fault::Write(db1));
        self.fault(Fault::CatchUp(db3));
        let outcome = self.apply(Input::Fault(Fault::HostCrash(db1)));
        assert!(outcome.findings.is_empty(), "{:?}", outcome.findings);
        self.fault(Fault::CatchUp(db2));
        self.fault(Fault::HostCrash(db3));
    }
}

/// What the seed's listings and ours must share: roles, states and reasons, coordinator,
/// routers, component rows. STATUS values, timestamps, progress and latency are world data.
fn shape(listing: &Listing) -> String {
    use std::fmt::Write as _;
    let mut out = format!("{:?}\n", listing.coordinator);
    for r in listing.routers.iter().flatten() {
        let _ = writeln!(out, "router {} {}", r.host, r.state);
    }
    for b in listing.physical() {
        let _ = writeln!(
            out,
            "{}({}:{}) {:?} {:?} {:?}",
            b.host, b.role, b.state, b.manager, b.replicator, b.dataserver
        );
    }
    out
}

#[test]
fn crashes_end_in_failsafe_as_the_seed_prints() {
    let mut c = Cluster::new();
    c.lose_db1_then_db3();
    let seed = fixture("seed004_failsafe.txt");
    let ours = c.listing("db2", &seed);
    assert_eq!(shape(&ours), shape(&seed), "\n{ours}");
    insta::assert_snapshot!("failsafe_log", c.log.join("\n"));
}

#[test]
fn the_procedure_with_force_matches_the_second_listing() {
    let mut c = Cluster::new();
    c.lose_db1_then_db3();
    let mut forced = Vec::new();
    for line in PROCEDURE {
        let outcome = c
            .cctrl("db2", line)
            .unwrap_or_else(|e| panic!("`{line}` refused: {e}"));
        for f in &outcome.findings {
            if let Finding::Forced { .. } = f {
                forced.push(format!("{line}: {}", f.render(&c.t)));
            }
        }
    }
    insta::assert_snapshot!(forced.join("\n"), @"
    datasource db2 welcome: forced in alpha: assumes db1 and db3 are down, not cut off by a partition
    datasource db2 master: forced in alpha: assumes db1 and db3 are down, not cut off by a partition
    replicator db2 master: forced in alpha: assumes db1 and db3 are down, not cut off by a partition
    datasource db2 online: forced in alpha: assumes db1 and db3 are down, not cut off by a partition
    replicator db2 online: forced in alpha: assumes db1 and db3 are down, not cut off by a partition
    ");
    let seed = fixture("seed004_last_man_standing.txt");
    let ours = c.listing("db2", &seed);
    assert_eq!(shape(&ours), shape(&seed), "\n{ours}");
    // The cluster is usable: db2 takes writes.
    let db2 = c.id("db2");
    c.fault(Fault::Write(db2));
    assert!(machine::invariant::check(&c.t, &c.s).is_none());
}

#[test]
fn without_force_welcome_is_refused_for_lack_of_quorum() {
    let mut c = Cluster::new();
    c.lose_db1_then_db3();
    let _ = c.cctrl("db2", "set policy maintenance").unwrap();
    let refusal = c.cctrl("db2", "datasource db2 welcome").unwrap_err();
    insta::assert_snapshot!(refusal, @"quorum: alpha has no quorum: the manager on db2 reaches 1 DB member and needs 2, so it cannot confirm that db1 and db3 are down rather than cut off; bring them back, or `set force true` if you know they are down");
}

#[test]
fn after_db1_and_db3_come_back_recover_makes_them_slaves_of_db2() {
    let mut c = Cluster::new();
    c.lose_db1_then_db3();
    for line in PROCEDURE {
        let _ = c.cctrl("db2", line).unwrap();
    }
    let [db1, db2, db3] = ["db1", "db2", "db3"].map(|h| c.id(h));
    c.fault(Fault::HostRestart(db1));
    c.fault(Fault::HostRestart(db3));
    let outcome = c.cctrl("db2", "recover").unwrap();
    let text: Vec<String> = outcome.effects.iter().map(|e| e.render(&c.t)).collect();
    insta::assert_snapshot!(text.join("\n"), @"
    SET POLICY: AUTOMATIC => MAINTENANCE
    SETTING THE ROLE OF DATASOURCE 'db1@alpha' FROM 'master' TO 'slave'
    DataSource 'db1' is now OFFLINE
    replicator on db1 is now slave of db2
    replicator on db1 is now ONLINE
    SETTING THE ROLE OF DATASOURCE 'db3@alpha' FROM 'master' TO 'slave'
    DataSource 'db3' is now OFFLINE
    replicator on db3 is now slave of db2
    replicator on db3 is now ONLINE
    REVERT POLICY: MAINTENANCE => AUTOMATIC
    DataSource 'db1' is now ONLINE
    DataSource 'db3' is now ONLINE
    ");
    for h in [db1, db3] {
        let r = c.s.host(h).replicator;
        assert!(r.is_online(), "{h}");
        assert_eq!(r.master, Some(db2));
        assert!(c.s.view(db2).entry(h).state == tungsten_model::model::DsState::Online);
    }
    assert!(machine::invariant::check(&c.t, &c.s).is_none());
}

#[test]
fn recover_refuses_an_old_master_with_orphaned_events_until_restored() {
    let mut c = Cluster::new();
    let [db1, db2, db3] = ["db1", "db2", "db3"].map(|h| c.id(h));
    c.fault(Fault::Write(db1));
    c.fault(Fault::CatchUp(db2));
    c.fault(Fault::CatchUp(db3));
    // Event 1 reaches no slave before db1 crashes: failover leaves it behind.
    c.fault(Fault::Write(db1));
    let outcome = c.apply(Input::Fault(Fault::HostCrash(db1)));
    let findings: Vec<String> = outcome.findings.iter().map(|f| f.render(&c.t)).collect();
    insta::assert_snapshot!(findings.join("\n"), @"db1 holds events db2 never received: they are lost to the new master (orphaned)");
    c.fault(Fault::Write(db2));
    c.fault(Fault::HostRestart(db1));
    let refusal = c.cctrl("db2", "datasource db1 recover").unwrap_err();
    insta::assert_snapshot!(refusal, @"orphaned-events: db1 holds events db2 does not have (orphaned events): recovering it would lose them; inspect them (tungsten_find_orphaned), then `datasource db1 restore` or reprovision it");
    // The documented cure: restore a backup, then recover.
    let _ = c.cctrl("db2", "datasource db1 restore").unwrap();
    let _ = c.cctrl("db2", "datasource db1 recover").unwrap();
    assert_eq!(c.s.host(db1).replicator.master, Some(db2));
    c.fault(Fault::CatchUp(db1));
    assert_eq!(c.s.host(db1).data.pos, c.s.host(db2).data.pos);
    let _ = db3;
    assert!(machine::invariant::check(&c.t, &c.s).is_none());
}
