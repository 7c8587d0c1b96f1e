//! The transition engine: `apply(topology, state, input) -> Result<Outcome, Rejection>`.
//!
//! # Calling protocol
//! 1. Parse text into commands ([`crate::command`]) or build [`Fault`]s.
//! 2. Resolve commands against a topology and state into an [`Input`] ([`resolve_cctrl`],
//!    [`resolve_trepctl`], [`resolve_host`]); names that do not exist are refused there. An
//!    input built another way (in code, read from JSON) that names an id past the topology's
//!    last host or service is refused by [`apply`] and [`step`] (rule `in-topology`).
//! 3. [`apply`] the input to a state. It returns the next state, the effects (what happened,
//!    the managers' reactions included) and findings (warnings, invariant breaks); or a
//!    [`Rejection`] that says which rule refused it, and the state given is unchanged: the
//!    engine only ever reads it and builds the next state in a copy.
//! 4. [`step`] is the same transition without collecting: effects and findings go to an
//!    [`Observer`] (`()` discards them), which is what the explorer uses.
//!
//! # What happens in a transition
//! The input acts first (a command's rule, a fault's effect). Then every manager group
//! reacts, as Tungsten's managers do (Continuent docs *operations-policymodes*,
//! *manager-failover-failsafe-shun*, *manager-failover-tuning*), until nothing more changes:
//! - managers that reach each other share one view; when groups join, the view of a group in
//!   a primary partition wins, except that a datasource a minority group shunned stays shunned;
//! - quorum counts the DB members whose hosts a group reaches (a stopped manager on a
//!   reachable host still counts: a **modelling decision** looser than Tungsten, which counts
//!   only members whose manager runs; see [`State::quorum_members`] for why and what it
//!   leaves out) plus active witnesses; a group that loses quorum shuns every
//!   datasource it sees (`SHUNNED(FAILSAFE_SHUN)`) and takes the replicators it reaches
//!   offline, under every policy, MAINTENANCE included (**modelling decision**: the failsafe
//!   guards against partitions, which a policy does not prevent; without it, a partition in
//!   MAINTENANCE lets one side fail over while the other keeps the old master writable);
//! - with quorum, under AUTOMATIC or MANUAL, a datasource whose host, manager or dataserver
//!   is gone becomes FAILED (fencing properties add replicator failures);
//! - under AUTOMATIC: a FAILED master is failed over to the best candidate (the old master
//!   becomes `SHUNNED(FAILED-OVER-TO-<new>)`, slaves are repointed), chosen once the slaves
//!   reading from it hold what its replicator can still extract: its host up and reached,
//!   its replicator online, the dataserver stopped or not (Continuent release notes 5.4.1,
//!   CT-583); FAILED slaves that are healthy again are recovered; OFFLINE datasources are
//!   brought ONLINE;
//! - under AUTOMATIC and MANUAL, an offline replicator of a datasource that is not shunned is
//!   put back online (a master-role one only on the master the managers let extract, below);
//!   a stopped replicator process is not started: that is the operator's (the datasource is
//!   DIMINISHED, *operations-status-datasource*);
//! - under every policy, a group with quorum takes offline a master-role replicator on any
//!   datasource but one: the FAILED master that a failover is still to replace, which keeps
//!   extracting so that the failover, the managers' or an operator's, waits for its last
//!   events; or else the service's master: the ONLINE master, or else the one master OFFLINE
//!   or shunned by an operator (`shun`, `drain`), whose replicator keeps running as any
//!   shunned datasource's does (*operations-status-changingstates*);
//! - a FAILED master that no slave can replace stays FAILED, even once healthy again, until
//!   a slave becomes eligible or an operator brings a master back (`recover master using`);
//! - a composite's site whose managers all start again, reaching another site's managers
//!   that hold an ONLINE master, holds its own master `SHUNNED(SUPERSEDED)` (a composite
//!   failover moved the Active role away while they were down; **modelling decision**, the
//!   composite module's); there is no automatic failover between sites
//!   (*operations-policymodes*): cctrl at the composite moves the Active role;
//! - a round of reactions that writes nothing is the last (test builds assert that no round
//!   writes and then undoes its writes).
//!
//! Reactions are atomic with the input that triggers them (**modelling decision**: the
//! managers' 20-30 s detection delays are not modelled; an operator step cannot fall between
//! a fault and the managers' reaction to it).
//!
//! Candidate selection for failover and switch (Continuent docs
//! *manual-switch-versus-automatic-failover*): a slave, relay or standby (never an archive),
//! ONLINE, reachable with its manager and dataserver running, its replicator ONLINE; the
//! highest applied seqno wins, then the lowest precedence, then the first in the topology.
//! Applied latency is not modelled.

mod cctrl;
mod composite;
mod context;
mod describe;
mod effect;
mod finding_kind;
mod host;
mod input;
pub mod invariant;
mod membership;
mod promote;
mod react;
mod rejection;
mod replication;
mod resolve;
mod rule;
mod trepctl;
mod world;

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

pub use describe::Typed;
pub use effect::{Effect, Finding, Severity};
pub use finding_kind::FindingKind;
pub use input::{CctrlOp, HostOp, Input, Install, ReplicatorOp, TrepctlOp};
pub use invariant::{Invariant, Violation};
pub(crate) use membership::check as check_membership;
pub use rejection::{Ineligible, OutOfReach, Refusal, Rejection};
pub use resolve::{
    ResolveError, resolve_cctrl, resolve_host, resolve_ref, resolve_trepctl, untracked_options,
};
pub(crate) use resolve::{hosts_expected, root_services};
pub use rule::Rule;

use crate::fault::Fault;
use crate::model::{HostSet, State, Topology};
use context::Ctx;

/// Receives what a transition does, as it happens.
///
/// It hears about a transition only once the transition is accepted: a refused input reports
/// nothing.
pub trait Observer {
    /// Something happened.
    fn effect(&mut self, _effect: Effect) {}

    /// Something to warn about, or an invariant break.
    fn finding(&mut self, _finding: Finding) {}

    /// Whether this observer wants effects and findings at all. An observer that returns
    /// false (like `()`) spares the transition the work of describing itself.
    fn detailed(&self) -> bool {
        true
    }
}

/// Discards everything, and asks for nothing.
impl Observer for () {
    fn detailed(&self) -> bool {
        false
    }
}

/// The rules the engine enforces beyond Tungsten's own. All on by default; turning one off is
/// for showing that the property tests and the explorer catch what the rule prevents. (Not to
/// be confused with [`Rule`], the name of the rule a refusal cites.)
///
/// Read from JSON, a rule left out is on, as in [`Rules::default`]: `{"guard": false}` is
/// [`Rules::unguarded`]. A name that is no rule is an error (a misspelt rule left out would
/// read as on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent switches, one per rule"
)]
pub struct Rules {
    /// Refuse an operator input that, once the managers have reacted, leaves an invariant
    /// broken among the hosts it can reach (and that was not already broken).
    pub guard: bool,
    /// `datasource X online`, `datasource X master`, `set master` refuse while another master
    /// is ONLINE in the view.
    pub one_online_master: bool,
    /// Commands that can put a datasource into service need quorum or force.
    pub quorum: bool,
    /// `recover` refuses a datasource holding events the master lacks.
    pub orphans: bool,
    /// Only the master extracts: a master replicator goes online only for the ONLINE master,
    /// never beside another extractor or a master out of reach; managers retire strays (all
    /// but the service's master and a FAILED master whose failover is still to come).
    pub single_extractor: bool,
    /// A promotion repoints every slave the group reaches to the new master, and managers
    /// retire slave replicators whose sources no longer lead to a master.
    pub repoint_slaves: bool,
    /// A replicator whose position is not in its master's history stops in OFFLINE:ERROR
    /// (on going online, catching up, being repointed, its master being reprovisioned)
    /// instead of applying.
    pub lineage: bool,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            guard: true,
            one_online_master: true,
            quorum: true,
            orphans: true,
            single_extractor: true,
            repoint_slaves: true,
            lineage: true,
        }
    }
}

impl Rules {
    /// Every rule but the guard: what the property tests run, so that the specific rules alone
    /// are shown to keep the invariants.
    #[must_use]
    pub fn unguarded() -> Self {
        Self {
            guard: false,
            ..Self::default()
        }
    }
}

/// The result of an accepted input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[must_use]
#[non_exhaustive]
pub struct Outcome {
    /// The next state.
    pub state: State,
    /// What happened, in order.
    pub effects: Vec<Effect>,
    /// Warnings and invariant breaks (an invariant break is an error finding).
    pub findings: Vec<Finding>,
    /// False when the input is a step the model does not know (nothing changed, and nothing
    /// can be said about it): an executable it does not know, or `tpm reset`, whose effects
    /// it does not track.
    pub modelled: bool,
}

#[derive(Default)]
struct Collect {
    effects: Vec<Effect>,
    findings: Vec<Finding>,
}

impl Observer for Collect {
    fn effect(&mut self, effect: Effect) {
        self.effects.push(effect);
    }

    fn finding(&mut self, finding: Finding) {
        if !self.findings.contains(&finding) {
            self.findings.push(finding);
        }
    }
}

/// Apply `input` to `state` under the default [`Rules`], collecting effects and findings, and
/// checking every invariant afterwards.
///
/// # Errors
/// A [`Rejection`] naming the rule that refuses the input; `state` is unchanged.
///
/// # Examples
/// ```
/// use tungsten_model::fault::Fault;
/// use tungsten_model::machine::{self, Effect, Input};
/// use tungsten_model::model::{State, Topology};
///
/// let topology = Topology::single("alpha", &["db1", "db2", "db3"])?;
/// let state = State::healthy(&topology);
/// let db1 = topology.host_id("db1").unwrap();
/// // The master's host crashes: the managers fail over under AUTOMATIC. A refusal's words
/// // name hosts only with the topology (`render`); its `Display` has ids alone.
/// let outcome = machine::apply(&topology, &state, &Input::Fault(Fault::HostCrash(db1)))
///     .map_err(|refused| refused.render(&topology))?;
/// assert!(outcome.effects.iter().any(|e| matches!(e, Effect::FailedOver { .. })));
/// assert!(outcome.findings.is_empty());
/// // The same crash again is refused, in words an operator reads.
/// let again = machine::apply(&topology, &outcome.state, &Input::Fault(Fault::HostCrash(db1)));
/// assert_eq!(again.unwrap_err().render(&topology), "nothing to do: db1 is down already");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn apply(topology: &Topology, state: &State, input: &Input) -> Result<Outcome, Rejection> {
    apply_with(topology, state, input, &Rules::default())
}

/// [`apply`] under given [`Rules`].
///
/// # Errors
/// A [`Rejection`]; `state` is unchanged.
pub fn apply_with(
    topology: &Topology,
    state: &State,
    input: &Input,
    rules: &Rules,
) -> Result<Outcome, Rejection> {
    let mut collect = Collect::default();
    let next = step(topology, state, input, rules, &mut collect)?;
    Ok(collect.into_outcome(topology, &next))
}

/// What the managers do to `state` as it stands, before any input: their reactions (the
/// [module docs](self)' rules) under `rules`, with the effects they report and the findings
/// of the state after.
///
/// The engine's own states are settled already: every input ends with the reactions, which
/// run until a round changes nothing. A state read from a listing need not be: an `ls` taken
/// as the managers were about to act (a fenced master's replicator failed under AUTOMATIC,
/// say) shows what they will change at once, whatever the operator types next.
/// [`crate::runbook::validate`] settles its starting state so, and reports what the managers
/// did as an assumption of the start rather than as the first step's doing.
///
/// # Example
/// ```
/// use tungsten_model::machine;
/// use tungsten_model::model::{State, Topology};
///
/// let topology = Topology::single("alpha", &["db1", "db2", "db3"])?;
/// let healthy = State::healthy(&topology);
/// let outcome = machine::settle(&topology, &healthy, &machine::Rules::default());
/// assert_eq!(outcome.state, healthy);
/// assert!(outcome.effects.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn settle(topology: &Topology, state: &State, rules: &Rules) -> Outcome {
    let mut collect = Collect::default();
    let mut next = *state;
    let mut ctx = Ctx::new(topology, &mut next, *rules, &mut collect);
    react::react(&mut ctx);
    let _ = ctx.report_writable_behind(state);
    ctx.commit();
    collect.into_outcome(topology, &next)
}

impl Collect {
    fn observe_violation(&mut self, violation: Violation) {
        self.finding(Finding::Invariant(violation));
    }

    /// The outcome of reaching `next`: what was collected, and the invariants `next` breaks.
    fn into_outcome(mut self, topology: &Topology, next: &State) -> Outcome {
        for violation in invariant::check_all(topology, next) {
            self.observe_violation(violation);
        }
        // A step the model does not know says so by its effect: an executable it does not
        // know, and `tpm reset`, whose effects it does not track.
        let modelled = !self
            .effects
            .iter()
            .any(|e| matches!(e, Effect::NotModelled));
        Outcome {
            state: *next,
            effects: self.effects,
            findings: self.findings,
            modelled,
        }
    }
}

/// The transition itself: the next state, with effects and findings sent to `observer`.
/// Invariants are not checked here (the guard aside); use [`invariant::check`].
///
/// # Errors
/// A [`Rejection`]; `state` is unchanged (it is only read). An input that names a host or
/// service past the topology's last is refused first ([`Refusal::UnknownHost`],
/// [`Refusal::UnknownService`]).
pub fn step<O: Observer>(
    topology: &Topology,
    state: &State,
    input: &Input,
    rules: &Rules,
    observer: &mut O,
) -> Result<State, Rejection> {
    membership::check(topology, input).map_err(|refusal| Rejection {
        input: *input,
        refusal,
    })?;
    let mut next = *state;
    step_in_place(topology, state, input, *rules, observer, &mut next)?;
    Ok(next)
}

/// What the guard found in the state after an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Checked {
    /// It checked only part of the cluster (the operator reaches only some hosts), or did not
    /// run (a fault, or the guard off).
    Partly,
    /// It checked every host: the first invariant broken, as [`invariant::check`] finds it.
    Whole(Option<Violation>),
}

/// [`step`] into `next`, which must hold a copy of `state` (and holds the next state when
/// the input is accepted, anything when it is refused), with what the guard found in the next
/// state. The explorer checks every new state and spares itself the work when the guard has
/// done it; it builds successors in buffers it keeps from one parent to the next. Unlike
/// [`step`], it takes `input`'s hosts and services to be the topology's: the explorer's
/// inputs are built from the topology.
pub(crate) fn step_in_place<O: Observer>(
    topology: &Topology,
    state: &State,
    input: &Input,
    rules: Rules,
    observer: &mut O,
    next: &mut State,
) -> Result<Checked, Rejection> {
    let reject = |refusal| Rejection {
        input: *input,
        refusal,
    };
    let mut ctx = Ctx::new(topology, next, rules, observer);
    let subject = match *input {
        Input::Cctrl { at, op } => cctrl::apply(&mut ctx, at, op),
        Input::PipedCctrl {
            at,
            op: CctrlOp::SetForce(_) | CctrlOp::Use(_),
        } => Err(Refusal::NoChange {
            host: Some(at),
            already: Cow::Borrowed("ends the piped cctrl session with this command: `set force` or `use` there reaches no later command (type it in the cctrl session the commands after it run in)"),
        }),
        Input::PipedCctrl { at, op } => {
            // A session of its own, which ends with the command.
            let interactive = *ctx.state.session(at);
            ctx.end_session(at);
            let subject = cctrl::apply(&mut ctx, at, op);
            if let Some(session) = ctx.state.sessions.get_mut(at.index()) {
                *session = interactive;
            }
            subject
        }
        Input::Trepctl {
            on,
            target,
            install,
            op,
        } => trepctl::apply(&mut ctx, on, target, install, op),
        Input::Host { on, op } => host::apply(&mut ctx, on, op),
        Input::Fault(fault) => world::apply(&mut ctx, fault).map(|()| None),
    }
    .map_err(reject)?;
    if ctx.detailed {
        // What the input did before the managers reacted, to tell what they put back.
        let acted = *ctx.state;
        react::react(&mut ctx);
        if let (Some(subject), Some(origin)) = (subject, input.origin()) {
            ctx.report_undone(state, &acted, subject, origin);
        }
        ctx.report_availability(state);
    } else {
        react::react(&mut ctx);
    }
    let writable = ctx.report_writable_behind(state);
    let mut checked = Checked::Partly;
    if rules.guard
        && input.is_operator()
        && let Some(origin) = input.origin()
    {
        let scope = ctx.scope(origin);
        let known = invariant::Known {
            writable,
            chains: ctx.chains,
        };
        let after = invariant::check_within_known(topology, ctx.state, scope, &known);
        if let Some(v) = after
            && invariant::check_within(topology, state, scope).is_none()
        {
            return Err(reject(Refusal::WouldBreak(v)));
        }
        if scope == topology.host_set() {
            checked = Checked::Whole(after);
        }
    }
    ctx.commit();
    Ok(checked)
}

impl Ctx<'_, '_> {
    /// Hosts an operator on `origin` can reach: up and on its side of any partition.
    fn scope(&self, origin: crate::model::HostId) -> HostSet {
        self.topology
            .host_ids()
            .filter(|&h| self.state.reachable(origin, h))
            .collect()
    }
}

/// The input of a sequence that [`apply_all`] stopped at: its index, the [`Rejection`], and
/// the rejection in words. A `std::error::Error` whose message names hosts and services as
/// the topology does (``input 1: refused by rule `quorum`: alpha has no quorum ...``), so `?`
/// carries a readable refusal into a caller's `Box<dyn Error>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[error("input {index}: refused by rule `{rule}`: {message}", rule = rejection.refusal.rule())]
pub struct RefusedAt {
    /// The index of the refused input in the sequence (0 for the first).
    pub index: usize,
    /// Why it was refused (in the message already, so not also a `source()`: an error
    /// chain would print it twice).
    pub rejection: Rejection,
    /// [`Rejection::render`] over the topology the sequence ran on: why, and what would make
    /// the input legal.
    pub message: String,
}

/// Apply `inputs` one after the other from `state`, stopping at the first refusal.
///
/// # Errors
/// [`RefusedAt`]: the index of the first input refused, and the [`Rejection`]. The outcomes
/// of the inputs before it are dropped; apply them one by one with [`apply`] to keep them.
pub fn apply_all<'a>(
    topology: &Topology,
    state: &State,
    inputs: impl IntoIterator<Item = &'a Input>,
) -> Result<Vec<Outcome>, RefusedAt> {
    let mut current = *state;
    let mut outcomes = Vec::new();
    for (index, input) in inputs.into_iter().enumerate() {
        let outcome = apply(topology, &current, input).map_err(|rejection| RefusedAt {
            index,
            message: rejection.render(topology),
            rejection,
        })?;
        current = outcome.state;
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// Shorthand for a fault input.
#[must_use]
pub fn fault(fault: Fault) -> Input {
    Input::Fault(fault)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

    use super::{Effect, Rules, settle};
    use crate::model::{State, Topology};

    /// A rule misspelt in JSON is an error, not a rule left out: since a rule left out is
    /// on, `{"gaurd": false}` read as every rule on, and a run meant to show what the
    /// guard prevents ran guarded (found by review of the `#[serde(default)]` change).
    #[test]
    fn rules_json_refuses_a_misspelt_rule() {
        let err = serde_json::from_str::<Rules>(r#"{"gaurd": false}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field `gaurd`"), "{err}");
        assert!(
            serde_json::from_str::<crate::runbook::Options>(r#"{"rules": {"lineage ": false}}"#)
                .is_err()
        );
        let all = serde_json::to_string(&Rules::unguarded()).unwrap();
        assert_eq!(
            serde_json::from_str::<Rules>(&all).unwrap(),
            Rules::unguarded()
        );
    }

    /// A rule left out of JSON is on, so that turning one off names that one alone, in
    /// `Rules` and inside `runbook::Options` and `explore::Config`, which read missing fields
    /// as their defaults (all seven had to be listed: `missing field one_online_master`).
    #[test]
    fn rules_left_out_of_json_are_on() {
        let unguarded: Rules = serde_json::from_str(r#"{"guard": false}"#).unwrap();
        assert_eq!(unguarded, Rules::unguarded());
        assert_eq!(
            serde_json::from_str::<Rules>("{}").unwrap(),
            Rules::default()
        );
        let options: crate::runbook::Options =
            serde_json::from_str(r#"{"rules": {"guard": false}}"#).unwrap();
        assert_eq!(options.rules, Rules::unguarded());
        assert!(options.settle);
        let config: crate::explore::Config =
            serde_json::from_str(r#"{"rules": {"lineage": false}}"#).unwrap();
        assert_eq!(
            config.rules,
            Rules {
                lineage: false,
                ..Rules::default()
            }
        );
    }

    /// A state the managers have not yet acted on (db1, the master, down, as a listing taken
    /// at that moment shows it) settles into their failover, and a settled state stays.
    #[test]
    fn settling_runs_the_managers_reactions_once_and_only_where_due() {
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let db1 = t.host_id("db1").unwrap();
        let mut s = State::healthy(&t);
        let host = &mut s.hosts[db1.index()];
        host.up = false;
        host.manager = false;
        host.connector.running = false;
        host.dataserver = false;
        host.replicator.running = false;
        let outcome = settle(&t, &s, &Rules::default());
        assert!(
            outcome
                .effects
                .iter()
                .any(|e| matches!(e, Effect::FailedOver { .. })),
            "{:?}",
            outcome.effects
        );
        assert_ne!(outcome.state, s);
        let again = settle(&t, &outcome.state, &Rules::default());
        assert!(again.effects.is_empty(), "{:?}", again.effects);
        assert_eq!(again.state, outcome.state);
    }
}
