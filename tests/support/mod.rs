//! Helpers shared by the integration tests: a small cluster driver over names.
#![allow(dead_code, reason = "each test file uses a part")]
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail a test by panicking"
)]

pub(crate) mod runbook;

use proptest::test_runner::{Config as ProptestConfig, FileFailurePersistence};
use tungsten_model::command::{CctrlCommand, HostCommand, TrepctlCommand};
use tungsten_model::fault::{Fault, Split};
use tungsten_model::machine::{self, Input, Rules, invariant};
use tungsten_model::model::{HostId, State, Topology};

/// A topology, a state, and the rules to apply inputs under.
pub(crate) struct Cluster {
    pub(crate) t: Topology,
    pub(crate) s: State,
    pub(crate) rules: Rules,
}

impl Cluster {
    /// A healthy single service `alpha` over `hosts`, the guard off so that the specific
    /// rules are what is tested.
    pub(crate) fn new(hosts: &[&str]) -> Self {
        Self::over(Topology::single("alpha", hosts).unwrap())
    }

    /// A healthy cluster over `t`, the guard off.
    pub(crate) fn over(t: Topology) -> Self {
        Self {
            s: State::healthy(&t),
            t,
            rules: Rules::unguarded(),
        }
    }

    /// A healthy cluster over the topology that `json`, a `TopologySpec`, declares, the guard
    /// off.
    pub(crate) fn from_spec(json: &str) -> Self {
        let spec: tungsten_model::model::TopologySpec = serde_json::from_str(json).unwrap();
        Self::over(Topology::try_from(spec).unwrap())
    }

    pub(crate) fn id(&self, name: &str) -> HostId {
        self.t.host_id(name).unwrap()
    }

    /// Apply `input`; on acceptance check every invariant. `Ok(())` or the refusal's rule.
    pub(crate) fn apply(&mut self, input: Input) -> Result<(), machine::Rule> {
        match machine::apply_with(&self.t, &self.s, &input, &self.rules) {
            Ok(outcome) => {
                if let Some(v) = invariant::check(&self.t, &outcome.state) {
                    panic!("{} after {input:?}", v.describe(&self.t));
                }
                self.s = outcome.state;
                Ok(())
            }
            Err(r) => Err(r.refusal.rule()),
        }
    }

    /// Welcome `old`, a master a failover replaced, back beside `new`, the master that
    /// replaced it, typed at `at`. The engine refuses that (`one-online-master`: `recover`
    /// is the way back), so the rule is lifted for this one step: the state it leaves, an
    /// OFFLINE master beside the ONLINE one, is still one an import of such a listing gives,
    /// and the regression cases found through it keep testing the managers' reactions to it.
    pub(crate) fn welcome_beside(&mut self, at: &str, old: &str, new: &str) {
        assert!(
            self.s
                .view(self.id(at))
                .entry(self.id(new))
                .is_online_master(),
            "{new} is the ONLINE master"
        );
        assert_eq!(
            self.cctrl(at, &format!("datasource {old} welcome")),
            Err(machine::Rule::OneOnlineMaster)
        );
        let rules = self.rules;
        self.rules.one_online_master = false;
        let welcomed = self.cctrl(at, &format!("datasource {old} welcome"));
        self.rules = rules;
        welcomed.unwrap();
    }

    pub(crate) fn fault(&mut self, fault: Fault) -> Result<(), machine::Rule> {
        self.apply(Input::Fault(fault))
    }

    pub(crate) fn cctrl(&mut self, at: &str, line: &str) -> Result<(), machine::Rule> {
        let command: CctrlCommand = line.parse().unwrap();
        let input = machine::resolve_cctrl(&self.t, &self.s, self.id(at), &command).unwrap();
        self.apply(input)
    }

    pub(crate) fn trepctl(&mut self, on: &str, line: &str) -> Result<(), machine::Rule> {
        let command: TrepctlCommand = line.parse().unwrap();
        let input = machine::resolve_trepctl(&self.t, self.id(on), None, &command).unwrap();
        self.apply(input)
    }

    pub(crate) fn shell(&mut self, on: &str, line: &str) -> Result<(), machine::Rule> {
        let command: HostCommand = line.parse().unwrap();
        let input = machine::resolve_host(&self.t, &self.s, self.id(on), &command).unwrap();
        self.apply(input)
    }

    /// Split the network into the named groups.
    pub(crate) fn partition(&mut self, groups: &[&[&str]]) -> Result<(), machine::Rule> {
        let ids: Vec<Vec<HostId>> = groups
            .iter()
            .map(|g| g.iter().map(|h| self.id(h)).collect())
            .collect();
        let refs: Vec<&[HostId]> = ids.iter().map(Vec::as_slice).collect();
        self.fault(Fault::Partition(Split::new(&refs)))
    }
}

/// The property tests' configuration: 10 000 cases unless `PROPTEST_CASES` says otherwise,
/// and past failures kept (and replayed first) in `proptest-regressions/<name>.txt`.
pub(crate) fn proptest_config(regressions: &'static str) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(10_000);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(regressions))),
        ..ProptestConfig::default()
    }
}
