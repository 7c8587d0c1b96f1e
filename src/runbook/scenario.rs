//! Built-in starting states, named for `#! scenario <name>`. Each is built by the engine from a
//! healthy deployment, so it is a state the model can reach.

use super::validate::Start;
use crate::fault::Fault;
use crate::machine::{self, Input};
use crate::model::{State, Topology};

/// The built-in scenarios: name and what it is.
pub const SCENARIOS: &[(&str, &str)] = &[
    (
        "healthy-3",
        "service alpha with db1 (master), db2, db3 (slaves), AUTOMATIC",
    ),
    (
        "healthy-5",
        "service alpha with db1 (master), db2 to db5 (slaves), AUTOMATIC",
    ),
    (
        "seed004-failsafe",
        "alpha after db1 failed (db3 promoted) and db3 failed: every datasource SHUNNED(FAILSAFE_SHUN), db2 alone",
    ),
    (
        "seed000-drifted",
        "multisite east (db1 master, db2, db3) and west (db4 master, db5, db6), writes replicated within and across sites, then east's data drifted",
    ),
];

/// A fault of a scenario, built once its topology exists.
type FaultOn = fn(&Topology) -> Option<Fault>;

/// The scenario called `name`, if there is one.
#[must_use]
pub fn scenario(name: &str) -> Option<Start> {
    let (topology, faults): (Topology, Vec<(&str, FaultOn)>) = match name {
        "healthy-3" => (
            Topology::single("alpha", &["db1", "db2", "db3"]).ok()?,
            Vec::new(),
        ),
        "healthy-5" => (
            Topology::single("alpha", &["db1", "db2", "db3", "db4", "db5"]).ok()?,
            Vec::new(),
        ),
        "seed004-failsafe" => (
            Topology::single("alpha", &["db1", "db2", "db3"]).ok()?,
            // db3 is the most caught up when db1 fails, so it is promoted, as in the seed.
            vec![
                ("db1", |t| t.host_id("db1").map(Fault::Write)),
                ("db2", |t| t.host_id("db2").map(Fault::CatchUp)),
                ("db3", |t| t.host_id("db3").map(Fault::CatchUp)),
                ("db1", |t| t.host_id("db1").map(Fault::Write)),
                ("db3", |t| t.host_id("db3").map(Fault::CatchUp)),
                ("db1", |t| t.host_id("db1").map(Fault::HostCrash)),
                ("db2", |t| t.host_id("db2").map(Fault::CatchUp)),
                ("db3", |t| t.host_id("db3").map(Fault::HostCrash)),
            ],
        ),
        "seed000-drifted" => (
            Topology::multisite(&[
                ("east", &["db1", "db2", "db3"]),
                ("west", &["db4", "db5", "db6"]),
            ])
            .ok()?,
            vec![
                ("db1", |t| t.host_id("db1").map(Fault::Write)),
                ("db1", |t| t.host_id("db1").map(Fault::Write)),
                ("db2", |t| t.host_id("db2").map(Fault::CatchUp)),
                ("db3", |t| t.host_id("db3").map(Fault::CatchUp)),
                ("db4", |t| t.host_id("db4").map(Fault::Write)),
                ("db5", |t| t.host_id("db5").map(Fault::CatchUp)),
                ("db6", |t| t.host_id("db6").map(Fault::CatchUp)),
                ("db1", |t| t.host_id("db1").map(Fault::CrossSiteCatchUp)),
                ("db2", |t| t.host_id("db2").map(Fault::CrossSiteCatchUp)),
                ("db3", |t| t.host_id("db3").map(Fault::CrossSiteCatchUp)),
                ("db4", |t| t.host_id("db4").map(Fault::CrossSiteCatchUp)),
                ("db5", |t| t.host_id("db5").map(Fault::CrossSiteCatchUp)),
                ("db6", |t| t.host_id("db6").map(Fault::CrossSiteCatchUp)),
                ("db1", |t| t.host_id("db1").map(Fault::Drift)),
                ("db2", |t| t.host_id("db2").map(Fault::Drift)),
                ("db3", |t| t.host_id("db3").map(Fault::Drift)),
            ],
        ),
        _ => return None,
    };
    let mut state = State::healthy(&topology);
    for (_, fault) in faults {
        let input = Input::Fault(fault(&topology)?);
        state = machine::apply(&topology, &state, &input).ok()?.state;
    }
    let assumptions = match name {
        "seed004-failsafe" => vec![
            "alpha: db1 and db3 are down (their hosts crashed), not cut off by a partition"
                .to_owned(),
        ],
        "seed000-drifted" => {
            vec![
                "east's datasources hold changes west never saw: west is the definitive copy"
                    .to_owned(),
            ]
        }
        _ => Vec::new(),
    };
    Some(Start {
        topology,
        state,
        assumptions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_builds() {
        for (name, _) in SCENARIOS {
            let start = scenario(name).unwrap_or_else(|| panic!("{name}"));
            assert!(
                machine::invariant::check(&start.topology, &start.state).is_none(),
                "{name}"
            );
        }
        assert!(scenario("nope").is_none());
    }
}
