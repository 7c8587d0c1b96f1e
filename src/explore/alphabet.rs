//! What the explorer may do in a state: every operator command and every fault of the kinds an
//! [`Alphabet`] allows, over the topology's hosts.

use serde::{Deserialize, Serialize};

use crate::command::{DatasourceAction, Lifecycle, ResetScope, TpmAction};
use crate::fault::{Fault, Process, Split};
use crate::machine::{CctrlOp, HostOp, Input, Install, ReplicatorOp, TrepctlOp};
use crate::model::{HostId, MAX_HOSTS, PolicyMode, ReplicatorRole, ServiceId, State, Topology};

/// Which kinds of input to draw (the proptest strategies and the explorer share it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent switches, one per kind of input"
)]
pub struct Alphabet {
    /// cctrl commands.
    pub cctrl: bool,
    /// `set force true` among the cctrl commands.
    pub force: bool,
    /// trepctl commands.
    pub trepctl: bool,
    /// Host commands (scripts, provisioning).
    pub host: bool,
    /// Faults and world events other than partitions: crashes, process stops and starts,
    /// replicator errors, writes, drift, catching up.
    pub faults: bool,
    /// Network partitions and heals.
    pub partitions: bool,
}

impl Alphabet {
    /// Everything.
    pub const ALL: Self = Self {
        cctrl: true,
        force: true,
        trepctl: true,
        host: true,
        faults: true,
        partitions: true,
    };

    /// Everything but `set force true`: no operator assumption can be wrong.
    pub const UNFORCED: Self = Self {
        force: false,
        ..Self::ALL
    };

    /// Everything but partitions: the assumption behind force (unreachable means down) holds.
    pub const NO_PARTITIONS: Self = Self {
        partitions: false,
        ..Self::ALL
    };

    /// Nothing: a base to build an alphabet on (a library user's review found every switch
    /// spelled out for "cctrl only").
    ///
    /// ```
    /// use tungsten_model::explore::Alphabet;
    ///
    /// let cctrl_and_trepctl = Alphabet { cctrl: true, trepctl: true, ..Alphabet::NONE };
    /// assert_eq!(Alphabet { trepctl: false, ..cctrl_and_trepctl }, Alphabet::CCTRL);
    /// ```
    pub const NONE: Self = Self {
        cctrl: false,
        force: false,
        trepctl: false,
        host: false,
        faults: false,
        partitions: false,
    };

    /// cctrl commands alone, without force: what an operator at cctrl can do with no fault.
    pub const CCTRL: Self = Self {
        cctrl: true,
        ..Self::NONE
    };

    /// cctrl commands (without force) and every fault: what the managers and an operator at
    /// cctrl can do between them.
    pub const CCTRL_AND_FAULTS: Self = Self {
        cctrl: true,
        force: false,
        trepctl: false,
        host: false,
        faults: true,
        partitions: true,
    };
}

/// Where the explorer types cctrl commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Typing {
    /// Into one running manager per group of managers of one service that reach each other
    /// (the first in topology order). Managers of a service that reach each other share one
    /// view, so another manager of the group would see the same cluster; what this leaves
    /// out is a session left open on a manager that is not first in its group (forced, or
    /// moved by `use` to another service: the first manager reaches the same session one
    /// `use` or `set force` later). A modelling decision that divides the commands to try by
    /// the number of managers per service. Each service's managers are typed into apart: an
    /// independent review found a composite's passive site never typed into, its managers
    /// sharing no view with the active site's.
    #[default]
    OnePerGroup,
    /// Into every running manager.
    EveryManager,
}

/// The inputs of one topology, computed once; [`Inputs::fill`] picks those that apply in a
/// state.
#[derive(Debug, Clone)]
pub struct Inputs {
    managers: Vec<HostId>,
    /// The service of each of `managers`: managers of different services hold views of
    /// different datasources, so each service's are a group of their own.
    services: Vec<ServiceId>,
    /// cctrl operations, to be typed at a manager.
    cctrl: Vec<CctrlOp>,
    /// Everything else.
    others: Vec<Input>,
    /// Every host, to find the most advanced one.
    hosts: Vec<HostId>,
    /// Writes stop once the seqno a host's next write would take reaches this.
    write_limit: u64,
}

const ACTIONS: [DatasourceAction; 11] = [
    DatasourceAction::Online,
    DatasourceAction::Offline,
    DatasourceAction::Shun,
    DatasourceAction::Welcome,
    DatasourceAction::Recover,
    DatasourceAction::Fail,
    DatasourceAction::Slave,
    DatasourceAction::Master,
    DatasourceAction::Restore,
    DatasourceAction::Backup,
    DatasourceAction::Drain(None),
];

const PROCESSES: [Process; 4] = [
    Process::Manager,
    Process::Replicator,
    Process::Connector,
    Process::DataServer,
];

impl Inputs {
    /// Every input of `alphabet` over `topology`'s hosts, with writes bounded to `writes`
    /// beyond the last event of `start`'s most advanced host.
    #[must_use]
    pub fn new(topology: &Topology, start: &State, alphabet: Alphabet, writes: u64) -> Self {
        let hosts: Vec<HostId> = topology.host_ids().collect();
        let ds: Vec<HostId> = hosts
            .iter()
            .copied()
            .filter(|&h| topology.host(h).is_datasource())
            .collect();
        let managers: Vec<HostId> = hosts
            .iter()
            .copied()
            .filter(|&h| topology.host(h).has_manager())
            .collect();
        let services = managers.iter().map(|&m| topology.host(m).service).collect();
        let cross_site = topology.hosts().iter().any(|h| h.cross_site_from.is_some());
        let installs: &[Install] = if cross_site {
            &[Install::Cluster, Install::CrossSite]
        } else {
            &[Install::Cluster]
        };
        let cctrl = if alphabet.cctrl {
            cctrl_ops(topology, &ds, alphabet.force)
        } else {
            Vec::new()
        };
        let mut others = Vec::new();
        if alphabet.trepctl {
            others.extend(trepctl_inputs(&ds, installs));
        }
        if alphabet.host {
            others.extend(host_inputs(&hosts, &ds, installs));
        }
        if alphabet.faults {
            others.extend(fault_inputs(&hosts, &ds, cross_site));
        }
        if alphabet.partitions {
            others.extend(
                splits(hosts.len())
                    .into_iter()
                    .map(|s| Input::Fault(Fault::Partition(s))),
            );
            others.push(Input::Fault(Fault::Heal));
        }
        let next = hosts
            .iter()
            .map(|&h| next_seqno(start, h))
            .max()
            .unwrap_or(0);
        Self {
            managers,
            services,
            cctrl,
            others,
            hosts,
            write_limit: next.saturating_add(writes),
        }
    }

    /// Keep only the inputs `keep` accepts (a cctrl operation is judged typed into the first
    /// manager): for focused explorations, such as the commands of one procedure and the
    /// faults that threaten it.
    #[must_use]
    pub fn retain(mut self, keep: impl Fn(&Input) -> bool) -> Self {
        if let Some(&at) = self.managers.first() {
            self.cctrl.retain(|&op| keep(&Input::Cctrl { at, op }));
        }
        self.others.retain(|input| keep(input));
        self
    }

    /// Keep only the inputs that name hosts and services of `topology`: inputs built for
    /// another topology would be refused by [`crate::machine::step`] (rule `in-topology`),
    /// and the explorer's own transitions skip that check. Managers and hosts past the last
    /// may stay: a state's slots past the last host hold their defaults, so no manager runs
    /// there to type into, and no data there bounds the writes.
    #[must_use]
    pub(crate) fn within(mut self, topology: &Topology) -> Self {
        let fits = |input: &Input| crate::machine::check_membership(topology, input).is_ok();
        // An operation is judged typed at one of `topology`'s hosts: what it names decides.
        if let Some(at) = topology.host_ids().next() {
            self.cctrl.retain(|&op| fits(&Input::Cctrl { at, op }));
        }
        self.others.retain(|input| fits(input));
        self
    }

    /// How many inputs there are at most in one state.
    #[must_use]
    pub fn len(&self) -> usize {
        self.cctrl.len() * self.managers.len() + self.others.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.cctrl.is_empty() && self.others.is_empty()
    }

    /// Replace `out` with the inputs worth trying in `state`: cctrl commands typed where
    /// `typing` says, into running managers only (a command typed into a stopped manager is
    /// refused), and writes only below the bound: a write fault while its host's next seqno
    /// is below it, a cctrl `heartbeat` (a write on whichever datasource the session's
    /// managers hold as master) while every host's is.
    pub fn fill(&self, state: &State, typing: Typing, out: &mut Vec<Input>) {
        out.clear();
        self.each(state, typing, |_, input| out.push(input));
    }

    /// [`Self::fill`], each input with its code ([`Self::decode`] gives it back). Codes rise
    /// in the order the inputs come: the explorer keeps a level's states as (parent, code)
    /// pairs, in that order.
    pub(crate) fn fill_coded(&self, state: &State, typing: Typing, out: &mut Vec<(u32, Input)>) {
        out.clear();
        self.each(state, typing, |code, input| out.push((code, input)));
    }

    /// The input whose code is `code`: a cctrl operation typed at a manager is
    /// `manager × operations + operation`, any other input follows every such pair.
    pub(crate) fn decode(&self, code: u32) -> Option<Input> {
        let code = code as usize;
        let typed = self.cctrl.len() * self.managers.len();
        if code < typed {
            let at = *self.managers.get(code / self.cctrl.len())?;
            let op = *self.cctrl.get(code % self.cctrl.len())?;
            Some(Input::Cctrl { at, op })
        } else {
            self.others.get(code - typed).copied()
        }
    }

    /// Call `found` with each input worth trying in `state`, in order, and its code.
    fn each(&self, state: &State, typing: Typing, mut found: impl FnMut(u32, Input)) {
        // Codes past u32 would need more inputs than any alphabet holds; none is offered.
        let code = |i: usize| u32::try_from(i).ok();
        let heartbeat = self
            .hosts
            .iter()
            .all(|&h| next_seqno(state, h) < self.write_limit);
        // The (service, partition) of each group met so far.
        let mut groups = [(ServiceId::default(), u8::MAX); MAX_HOSTS];
        let mut taken = 0;
        for (m, (&at, &service)) in self.managers.iter().zip(&self.services).enumerate() {
            if !state.manager_running(at) {
                continue;
            }
            if typing == Typing::OnePerGroup {
                let group = (service, state.partition_label(at));
                if groups[..taken].contains(&group) {
                    continue;
                }
                if let Some(slot) = groups.get_mut(taken) {
                    *slot = group;
                    taken += 1;
                }
            }
            let first = m * self.cctrl.len();
            for (o, &op) in self.cctrl.iter().enumerate() {
                if let Some(code) = code(first + o)
                    && (heartbeat || op != CctrlOp::Heartbeat)
                {
                    found(code, Input::Cctrl { at, op });
                }
            }
        }
        let first = self.cctrl.len() * self.managers.len();
        for (o, &input) in self.others.iter().enumerate() {
            let offered = match input {
                Input::Fault(Fault::Write(h)) => next_seqno(state, h) < self.write_limit,
                _ => true,
            };
            if let Some(code) = code(first + o)
                && offered
            {
                found(code, input);
            }
        }
    }
}

/// The seqno `host`'s next write would take: one past its last event, 0 with none.
fn next_seqno(state: &State, host: HostId) -> u64 {
    state
        .host(host)
        .data
        .pos
        .map_or(0, |p| p.seqno.saturating_add(1))
}

fn trepctl_inputs(ds: &[HostId], installs: &[Install]) -> Vec<Input> {
    let mut out = Vec::new();
    for &h in ds {
        for &install in installs {
            let mut ops = vec![
                TrepctlOp::Online,
                TrepctlOp::Offline,
                TrepctlOp::Reset(ResetScope::All),
                TrepctlOp::SetRole(ReplicatorRole::Master, None),
                TrepctlOp::Flush,
            ];
            ops.extend(
                ds.iter()
                    .filter(|&&m| m != h)
                    .map(|&m| TrepctlOp::SetRole(ReplicatorRole::Slave, Some(m))),
            );
            out.extend(ops.into_iter().map(|op| Input::Trepctl {
                on: h,
                target: h,
                install,
                op,
            }));
        }
    }
    out
}

fn host_inputs(hosts: &[HostId], ds: &[HostId], installs: &[Install]) -> Vec<Input> {
    let mut out = Vec::new();
    for &h in hosts {
        let mut ops = Vec::new();
        for &install in installs {
            ops.push(HostOp::StartAll(install));
            ops.push(HostOp::StopAll(install));
            ops.push(HostOp::Replicator(install, Lifecycle::Start));
            ops.push(HostOp::Replicator(install, Lifecycle::Stop));
        }
        // `start offline` differs from `start` only for the cross-site replicator.
        if installs.contains(&Install::CrossSite) {
            ops.push(HostOp::ReplicatorStartOffline {
                install: Install::CrossSite,
                restart: false,
            });
        }
        ops.extend([
            HostOp::Manager(Lifecycle::Start),
            HostOp::Manager(Lifecycle::Stop),
            HostOp::Connector(Lifecycle::Start),
            HostOp::Connector(Lifecycle::Stop),
            HostOp::Tpm(TpmAction::Validate),
        ]);
        ops.extend(
            ds.iter()
                .filter(|&&s| s != h)
                .map(|&source| HostOp::Provision { source }),
        );
        out.extend(ops.into_iter().map(|op| Input::Host { on: h, op }));
    }
    out
}

fn fault_inputs(hosts: &[HostId], ds: &[HostId], cross_site: bool) -> Vec<Input> {
    let mut out = Vec::new();
    for &h in hosts {
        out.push(Input::Fault(Fault::HostCrash(h)));
        out.push(Input::Fault(Fault::HostRestart(h)));
        for p in PROCESSES {
            out.push(Input::Fault(Fault::Stop(h, p)));
            out.push(Input::Fault(Fault::Start(h, p)));
        }
    }
    for &h in ds {
        out.push(Input::Fault(Fault::ReplicatorError(h)));
        out.push(Input::Fault(Fault::Write(h)));
        out.push(Input::Fault(Fault::Drift(h)));
        out.push(Input::Fault(Fault::CatchUp(h)));
        if cross_site {
            out.push(Input::Fault(Fault::CrossSiteCatchUp(h)));
        }
    }
    out
}

fn cctrl_ops(topology: &Topology, ds: &[HostId], force: bool) -> Vec<CctrlOp> {
    let mut ops = vec![
        CctrlOp::SetPolicy(PolicyMode::Automatic),
        CctrlOp::SetPolicy(PolicyMode::Manual),
        CctrlOp::SetPolicy(PolicyMode::Maintenance),
        CctrlOp::Recover,
        CctrlOp::Switch(None),
        CctrlOp::Failover(None),
        CctrlOp::Router(None, true),
        CctrlOp::Router(None, false),
        CctrlOp::Heartbeat,
    ];
    if force {
        ops.push(CctrlOp::SetForce(true));
        ops.push(CctrlOp::SetForce(false));
    }
    let services: Vec<_> = topology.physical_services().collect();
    if services.len() > 1 {
        ops.extend(services.iter().map(|&s| CctrlOp::Use(s)));
    }
    // At an active/passive composite: `use <composite>`, then the commands on whole sites
    // (`set policy` and `recover` are the ones above, typed there). A composite `failover`
    // assumes the lost site down rather than cut off, as `set force true` does: offered with
    // force only. `datasource <site> fail` changes nothing the model tracks. Not offered,
    // each reached another way (an independent review asked for the reasons): `switch to
    // <site>` and `failover to <site>`, which name the one other site with two sites (more
    // sites are not explored); `datasource <site> offline|shun|online|welcome`, which act on
    // the site's master or relay as the same command typed at the site does, one `use
    // <site>` away; `datasource <site> recover`, which is `recover` for one site; and
    // `replicator <ds> relay <site>/<host>`, a repointing the composite's commands make.
    for (composite, _) in topology.active_passive() {
        ops.push(CctrlOp::Use(composite));
        ops.push(CctrlOp::SwitchSite(None));
        if force {
            ops.push(CctrlOp::FailoverSite(None));
        }
    }
    if topology.active_passive().next().is_some() {
        ops.push(CctrlOp::RecoverSites);
    }
    // `datasource <ds> relay` is refused outside a composite's passive site: offered only
    // where there is one, so that the single-service counts stay comparable.
    let relays = topology.active_passive().next().is_some();
    for &h in ds {
        ops.extend(ACTIONS.iter().map(|&a| CctrlOp::Datasource(h, a)));
        if relays {
            ops.push(CctrlOp::Datasource(h, DatasourceAction::Relay));
        }
        ops.extend(
            [
                ReplicatorOp::Online,
                ReplicatorOp::Offline,
                ReplicatorOp::Master,
                ReplicatorOp::Slave(None),
                ReplicatorOp::Process(Lifecycle::Start),
                ReplicatorOp::Process(Lifecycle::Stop),
                ReplicatorOp::Process(Lifecycle::Restart),
            ]
            .map(|op| CctrlOp::Replicator(h, op)),
        );
        ops.extend(
            ds.iter()
                .filter(|&&m| m != h)
                .map(|&m| CctrlOp::Replicator(h, ReplicatorOp::Slave(Some(m)))),
        );
        ops.push(CctrlOp::Router(Some(h), true));
        ops.push(CctrlOp::Router(Some(h), false));
        ops.push(CctrlOp::RecoverMasterUsing(h));
        ops.push(CctrlOp::Switch(Some(h)));
        ops.push(CctrlOp::Failover(Some(h)));
    }
    ops
}

/// The inputs that can move the master role or make the managers act, for explorations that
/// must go deep: policy changes to AUTOMATIC and MAINTENANCE, `set force true`, `datasource X
/// online|offline|welcome|recover|master|shun`, `replicator X master|online`, `switch`,
/// `failover`, `recover`; host crashes and restarts, partitions and heal, writes and catching
/// up. What it leaves out (routers, trepctl, host scripts, process stops, drift) cannot by
/// itself put a second master in service, and a drain reaches the state `shun` reaches but
/// for the printed reason (`DRAIN-CONNECTIONS`), which no rule reads; the full alphabets
/// still cover them at smaller depths.
#[must_use]
pub fn dangerous(input: &Input) -> bool {
    match input {
        Input::Cctrl { op, .. } => matches!(
            op,
            CctrlOp::SetPolicy(PolicyMode::Automatic | PolicyMode::Maintenance)
                | CctrlOp::SetForce(true)
                | CctrlOp::Datasource(
                    _,
                    DatasourceAction::Online
                        | DatasourceAction::Offline
                        | DatasourceAction::Welcome
                        | DatasourceAction::Recover
                        | DatasourceAction::Master
                        | DatasourceAction::Shun
                )
                | CctrlOp::Replicator(_, ReplicatorOp::Master | ReplicatorOp::Online)
                | CctrlOp::Switch(None)
                | CctrlOp::Failover(None)
                | CctrlOp::Recover
        ),
        Input::Fault(f) => matches!(
            f,
            Fault::HostCrash(_)
                | Fault::HostRestart(_)
                | Fault::Partition(_)
                | Fault::Heal
                | Fault::Write(_)
                | Fault::CatchUp(_)
        ),
        _ => false,
    }
}

/// Every way to split `n` hosts into two or more groups, each once (restricted growth
/// strings: host 0 is in group 0, each next host joins an existing group or opens the next).
fn splits(n: usize) -> Vec<Split> {
    let n = n.min(MAX_HOSTS);
    let mut out = Vec::new();
    let mut labels = [0_u8; MAX_HOSTS];
    grow(&mut labels, 1, n, 0, &mut out);
    out
}

fn grow(labels: &mut [u8; MAX_HOSTS], i: usize, n: usize, max: u8, out: &mut Vec<Split>) {
    if i >= n {
        if max > 0 {
            out.push(Split::from_labels(*labels));
        }
        return;
    }
    for label in 0..=max.saturating_add(1) {
        if let Some(slot) = labels.get_mut(i) {
            *slot = label;
        }
        grow(labels, i + 1, n, max.max(label), out);
    }
    if let Some(slot) = labels.get_mut(i) {
        *slot = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_named_alphabet_leaves_out_what_its_name_says() {
        let all = Alphabet::ALL;
        assert!(all.cctrl && all.force && all.trepctl && all.host && all.faults && all.partitions);
        assert_eq!(
            Alphabet::UNFORCED,
            Alphabet {
                force: false,
                ..all
            }
        );
        assert_eq!(
            Alphabet::NO_PARTITIONS,
            Alphabet {
                partitions: false,
                ..all
            }
        );
        let cctrl = Alphabet::CCTRL_AND_FAULTS;
        assert!(cctrl.cctrl && cctrl.faults && cctrl.partitions);
        assert!(!(cctrl.force || cctrl.trepctl || cctrl.host));
        assert!(!crate::machine::Rules::unguarded().guard);
        assert!(crate::machine::Rules::default().guard);
    }

    /// The cluster states (sessions left out) `typing` reaches from `start` within `depth`
    /// inputs.
    fn clusters(
        topology: &Topology,
        start: &State,
        inputs: &Inputs,
        typing: Typing,
        depth: usize,
    ) -> std::collections::HashSet<State> {
        let mut all = std::collections::HashSet::from([*start]);
        let mut frontier = vec![*start];
        let mut buffer = Vec::new();
        for _ in 0..depth {
            let mut next = Vec::new();
            for state in &frontier {
                inputs.fill(state, typing, &mut buffer);
                for input in &buffer {
                    let rules = crate::machine::Rules::default();
                    if let Ok(n) = crate::machine::step(topology, state, input, &rules, &mut ())
                        && all.insert(n)
                    {
                        next.push(n);
                    }
                }
            }
            frontier = next;
        }
        all.into_iter()
            .map(|mut s| {
                s.sessions = Default::default();
                s
            })
            .collect()
    }

    /// Typing into one manager per group reaches every cluster state typing into every
    /// manager does, two inputs deep, on one service and on a composite. An independent
    /// review's case, kept: groups were told apart by partition alone, so on a composite
    /// only the active site's first manager was typed into, and `router db5 offline` typed
    /// at db4 was never tried.
    #[test]
    fn one_manager_per_group_reaches_what_every_manager_does() {
        let single = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let spec: crate::model::TopologySpec = serde_json::from_str(
            r#"{"services": [{"name": "east", "datasources": ["db1", "db2"]}, {"name": "west", "datasources": ["db4", "db5"]}], "composites": [{"name": "global", "members": ["east", "west"]}]}"#,
        )
        .unwrap();
        let composite = Topology::try_from(spec).unwrap();
        for topology in [single, composite] {
            let start = State::healthy(&topology);
            let inputs = Inputs::new(&topology, &start, Alphabet::CCTRL_AND_FAULTS, 1);
            let one = clusters(&topology, &start, &inputs, Typing::OnePerGroup, 2);
            let every = clusters(&topology, &start, &inputs, Typing::EveryManager, 2);
            assert_eq!(
                one.len(),
                every.len(),
                "{} services",
                topology.services().len()
            );
            assert!(one == every);
        }
    }

    /// `dangerous` keeps what moves the master role or makes the managers act, and leaves
    /// out what its doc says it leaves out, over the whole alphabet of a three-node cluster.
    #[test]
    fn dangerous_keeps_what_moves_the_master_and_nothing_else() {
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let s = State::healthy(&t);
        let all = Inputs::new(&t, &s, Alphabet::ALL, 1);
        let mut inputs = Vec::new();
        all.fill(&s, Typing::EveryManager, &mut inputs);
        let (kept, left): (Vec<Input>, Vec<Input>) = inputs.into_iter().partition(dangerous);
        assert!(kept.iter().any(|i| matches!(
            i,
            Input::Cctrl {
                op: CctrlOp::Switch(None),
                ..
            }
        )));
        assert!(
            kept.iter()
                .any(|i| matches!(i, Input::Fault(Fault::HostCrash(_))))
        );
        assert!(left.iter().any(|i| matches!(
            i,
            Input::Cctrl {
                op: CctrlOp::SetPolicy(PolicyMode::Manual),
                ..
            }
        )));
        assert!(left.iter().any(|i| matches!(
            i,
            Input::Cctrl {
                op: CctrlOp::Router(..),
                ..
            }
        )));
        assert!(
            left.iter()
                .any(|i| matches!(i, Input::Trepctl { .. } | Input::Host { .. }))
        );
        assert!(
            left.iter()
                .any(|i| matches!(i, Input::Fault(Fault::Stop(..) | Fault::Drift(_))))
        );
        assert!(
            kept.len() < left.len(),
            "{} kept, {} left",
            kept.len(),
            left.len()
        );
    }

    /// The whole alphabet of three nodes holds, for each datasource, every trepctl command
    /// and host command the explorer tries (a slave role and a provisioning source for each
    /// other datasource, never itself); `use` only where there is more than one service; and
    /// an alphabet is empty only when it holds neither cctrl operations nor other inputs.
    #[test]
    fn the_whole_alphabet_holds_each_kind_of_input() {
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let s = State::healthy(&t);
        let [db1, db2, db3] = ["db1", "db2", "db3"].map(|h| t.host_id(h).unwrap());
        let all = Inputs::new(&t, &s, Alphabet::ALL, 1);
        let mut inputs = Vec::new();
        all.fill(&s, Typing::EveryManager, &mut inputs);
        let trepctl: Vec<TrepctlOp> = inputs
            .iter()
            .filter_map(|i| match *i {
                Input::Trepctl { on, target, op, .. } if on == db2 && target == db2 => Some(op),
                _ => None,
            })
            .collect();
        assert_eq!(
            trepctl,
            [
                TrepctlOp::Online,
                TrepctlOp::Offline,
                TrepctlOp::Reset(ResetScope::All),
                TrepctlOp::SetRole(ReplicatorRole::Master, None),
                TrepctlOp::Flush,
                TrepctlOp::SetRole(ReplicatorRole::Slave, Some(db1)),
                TrepctlOp::SetRole(ReplicatorRole::Slave, Some(db3)),
            ]
        );
        let sources: Vec<HostId> = inputs
            .iter()
            .filter_map(|i| match *i {
                Input::Host {
                    on,
                    op: HostOp::Provision { source },
                } if on == db2 => Some(source),
                _ => None,
            })
            .collect();
        assert_eq!(sources, [db1, db3]);
        let host_ops = inputs
            .iter()
            .filter(|i| matches!(i, Input::Host { on, .. } if *on == db2))
            .count();
        assert_eq!(
            host_ops,
            4 + 5 + 2,
            "startall, stopall, replicator start and stop; manager and connector start and stop, tpm; two sources"
        );
        let uses = |inputs: &[Input]| {
            inputs
                .iter()
                .filter(|i| {
                    matches!(
                        i,
                        Input::Cctrl {
                            op: CctrlOp::Use(_),
                            ..
                        }
                    )
                })
                .count()
        };
        assert_eq!(uses(&inputs), 0);
        let sites = crate::runbook::scenario("seed000-drifted").unwrap();
        let both = Inputs::new(&sites.topology, &sites.state, Alphabet::ALL, 1);
        let mut two = Vec::new();
        both.fill(&sites.state, Typing::EveryManager, &mut two);
        let managers = both.managers.len();
        assert_eq!(
            uses(&two),
            2 * managers,
            "use east and use west, in every manager"
        );

        assert!(!all.is_empty());
        assert!(all.clone().retain(|_| false).is_empty());
        let cctrl_only = all.clone().retain(|i| matches!(i, Input::Cctrl { .. }));
        assert!(!cctrl_only.is_empty() && cctrl_only.others.is_empty());
        let others_only = all.retain(|i| !matches!(i, Input::Cctrl { .. }));
        assert!(!others_only.is_empty() && others_only.cctrl.is_empty());
    }

    /// `start offline` is offered only where it differs from `start`: the cross-site
    /// install's, on each host of a multisite topology, and nowhere in a single site.
    #[test]
    fn start_offline_is_offered_for_the_cross_site_install_only() {
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let s = State::healthy(&t);
        let mut inputs = Vec::new();
        Inputs::new(&t, &s, Alphabet::ALL, 1).fill(&s, Typing::EveryManager, &mut inputs);
        let sites = crate::runbook::scenario("seed000-drifted").unwrap();
        let mut two = Vec::new();
        Inputs::new(&sites.topology, &sites.state, Alphabet::ALL, 1).fill(
            &sites.state,
            Typing::EveryManager,
            &mut two,
        );
        let offline: Vec<HostOp> = two
            .iter()
            .filter_map(|i| match *i {
                Input::Host {
                    op: op @ HostOp::ReplicatorStartOffline { .. },
                    ..
                } => Some(op),
                _ => None,
            })
            .collect();
        assert_eq!(
            offline,
            vec![
                HostOp::ReplicatorStartOffline {
                    install: Install::CrossSite,
                    restart: false
                };
                sites.topology.hosts().len()
            ]
        );
        assert!(!inputs.iter().any(|i| matches!(
            i,
            Input::Host {
                op: HostOp::ReplicatorStartOffline { .. },
                ..
            }
        )));
    }

    /// The explorer keeps each input as its code: every code decodes to its input, codes
    /// rise in the order the inputs come (a level's order rests on it), and the coded fill
    /// offers what `fill` offers, with some managers stopped and a partition (which leave
    /// gaps in the codes) as well as from a healthy cluster.
    #[test]
    fn codes_rise_and_decode_to_their_inputs() {
        let t = Topology::single("alpha", &["db1", "db2", "db3", "db4"]).unwrap();
        let healthy = State::healthy(&t);
        let db2 = t.host_id("db2").unwrap();
        let rules = crate::machine::Rules::default();
        let step = |s: &State, input: Input| crate::machine::step(&t, s, &input, &rules, &mut ());
        let stopped = step(&healthy, Input::Fault(Fault::Stop(db2, Process::Manager))).unwrap();
        let split = step(
            &stopped,
            Input::Fault(Fault::Partition(splits(4).into_iter().nth(3).unwrap())),
        )
        .unwrap();
        assert_ne!(split, stopped);
        let inputs = Inputs::new(&t, &healthy, Alphabet::ALL, 1);
        for (state, typing) in [
            (&healthy, Typing::EveryManager),
            (&stopped, Typing::EveryManager),
            (&split, Typing::OnePerGroup),
        ] {
            let (mut plain, mut coded) = (Vec::new(), Vec::new());
            inputs.fill(state, typing, &mut plain);
            inputs.fill_coded(state, typing, &mut coded);
            assert!(!coded.is_empty());
            assert_eq!(coded.iter().map(|&(_, i)| i).collect::<Vec<_>>(), plain);
            for &(code, input) in &coded {
                assert_eq!(inputs.decode(code), Some(input), "code {code}");
            }
            assert!(coded.windows(2).all(|w| w[0].0 < w[1].0), "codes rise");
            assert!(coded.iter().all(|&(c, _)| (c as usize) < inputs.len()));
        }
        let past = u32::try_from(inputs.len()).unwrap();
        assert_eq!(inputs.decode(past), None, "one past the last code");
    }

    #[test]
    fn splits_are_the_set_partitions_but_one() {
        // Bell numbers 1, 2, 5, 15, 52, minus the partition into one group.
        let counts: Vec<usize> = (1..=5).map(|n| splits(n).len()).collect();
        assert_eq!(counts, [0, 1, 4, 14, 51]);
        let three = splits(3);
        let mut unique = three.clone();
        unique.dedup();
        assert_eq!(unique.len(), three.len());
    }

    /// Writes stop at the bound whichever input makes them: a write fault once its host's
    /// next seqno reaches it, a cctrl `heartbeat` (a write on the master) once any host's
    /// does. Without the second, heartbeats typed one after another would grow seqnos
    /// without end, and the space would not be finite.
    #[test]
    fn heartbeats_stop_at_the_write_bound_as_writes_do() {
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let start = State::healthy(&t);
        let db1 = t.host_id("db1").unwrap();
        let inputs = Inputs::new(&t, &start, Alphabet::CCTRL_AND_FAULTS, 1);
        let offered = |s: &State| {
            let mut out = Vec::new();
            inputs.fill(s, Typing::EveryManager, &mut out);
            let heartbeats = out
                .iter()
                .filter(|i| {
                    matches!(
                        i,
                        Input::Cctrl {
                            op: CctrlOp::Heartbeat,
                            ..
                        }
                    )
                })
                .count();
            (heartbeats, out.contains(&Input::Fault(Fault::Write(db1))))
        };
        assert_eq!(
            offered(&start),
            (3, true),
            "one heartbeat per manager, and the write"
        );
        let heartbeat = Input::Cctrl {
            at: db1,
            op: CctrlOp::Heartbeat,
        };
        let after = crate::machine::step(
            &t,
            &start,
            &heartbeat,
            &crate::machine::Rules::default(),
            &mut (),
        )
        .unwrap();
        assert_eq!(offered(&after), (0, false));
        // The same bound through the explorer: from the start, only the one heartbeat.
        let only = Inputs::new(&t, &start, Alphabet::CCTRL_AND_FAULTS, 1).retain(|i| {
            matches!(
                i,
                Input::Cctrl {
                    op: CctrlOp::Heartbeat,
                    ..
                }
            )
        });
        let config = crate::explore::Config {
            depth: 4,
            ..crate::explore::Config::default()
        };
        let e = crate::explore::explore_with(&t, &start, &config, &only, |_| {});
        assert_eq!(e.states, 2);
    }
}
