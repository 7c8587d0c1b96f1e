//! The dynamic state: ground truth (what is really running) kept apart from what each manager
//! believes (its view, which `ls` prints).
//!
//! Everything here is `Copy + Eq + Hash` over fixed-size arrays indexed by [`HostId`], so a
//! state can be cloned without allocating and deduplicated by the explorer. Slots past the
//! topology's last host stay at their defaults and are never read.

use std::fmt;

use crate::model::HostSet;
use serde::{Deserialize, Serialize};

use super::history::{EpochId, History, Pos};
use super::ids::{HostId, MAX_HOSTS, ReasonId, ServiceId};
use super::topology::Topology;
use super::{DataSourceRole, PolicyMode, ReplicatorRole, ReplicatorState};

/// The cluster-install replicator of a host (`/opt/continuent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClusterReplicator {
    /// Whether the process runs.
    pub running: bool,
    /// Its state when running: `ONLINE`, `OFFLINE:NORMAL` or `OFFLINE:ERROR` (the transient
    /// `GOING-*` states are not modelled: transitions are atomic). `OFFLINE:NORMAL` when stopped.
    pub state: ReplicatorState,
    /// Its role.
    pub role: ReplicatorRole,
    /// The host it replicates from (slave, relay).
    pub master: Option<HostId>,
    /// Where it restarts from, as THL resets leave it ([`RestartPosition`]).
    #[serde(default, skip_serializing_if = "RestartPosition::is_kept")]
    pub restart: RestartPosition,
}

/// Where a cluster replicator restarts reading its master, as `trepctl reset` leaves it.
///
/// A master's THL reset (`trepctl reset -all|-thl`) restarts its history, so a replicator of
/// its service (or one reading it) holding a position in the old history asks it for an event
/// that is not there: going online from that master stops it in `OFFLINE:ERROR`, whichever
/// master it read meanwhile. Its own reset (`-all` or `-db`) clears its restart position, and
/// it then reads its master's THL from the start: once that THL is reset too (before or
/// after), it resumes; while the THL is kept, its first events are ones the replicator holds,
/// and it stops in `OFFLINE:ERROR` (**modelling decision**). Source: Continuent docs *operations-msmm-resetsingle* reset every replicator of the
/// service together; that a replicator left out stops in error is a **modelling decision**
/// (the model keeps no THL contents; an operator's review found a master reset alone, its
/// slaves resuming, VALID).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RestartPosition {
    /// Its catalog holds its position in its master's history: the usual case.
    #[default]
    Kept,
    /// Its own reset cleared its position: it reads its master's THL from the start, so it
    /// resumes only once that THL is reset too (a replicator holding no event yet resumes).
    Cleared,
    /// The THL of this master was reset while the replicator held a position in the
    /// history it had: from there, the event it asks for is gone. Its own reset, a
    /// reprovisioning, taking the master role, or that host reading a master again (its
    /// THL then follows that master's) ends this; reading another master meanwhile does not.
    LostAt(HostId),
    /// As [`Self::LostAt`], the replicator behind that master when its THL was reset: the
    /// events between are in no THL any more, so its own reset leaves it
    /// [`Self::Skipping`] them.
    LostBehindAt(HostId),
    /// Its position cleared, it reads this master's reset THL from the start, which begins
    /// past events it never applied (it was behind when that THL was reset): going online
    /// from that master, it resumes without them, and its data is marked drifted
    /// (**modelling decision**: the replicator cannot tell; nothing stops it). Reading
    /// another source, it is as [`Self::Cleared`].
    Skipping(HostId),
}

impl RestartPosition {
    /// Whether it is [`RestartPosition::Kept`].
    #[must_use]
    pub fn is_kept(&self) -> bool {
        *self == Self::Kept
    }
}

impl ClusterReplicator {
    /// Running, online and in role `role`.
    #[must_use]
    pub fn online(role: ReplicatorRole, master: Option<HostId>) -> Self {
        Self {
            running: true,
            state: ReplicatorState::Online,
            role,
            master,
            restart: RestartPosition::Kept,
        }
    }

    /// Whether it runs and is online.
    #[must_use]
    pub fn is_online(&self) -> bool {
        self.running && self.state == ReplicatorState::Online
    }
}

impl Default for ClusterReplicator {
    fn default() -> Self {
        Self {
            running: false,
            state: ReplicatorState::OfflineNormal,
            role: ReplicatorRole::Slave,
            master: None,
            restart: RestartPosition::Kept,
        }
    }
}

/// The cross-site replicator of a host (`/opt/replicator`, pre-6.x multisite): it applies the
/// master of another site (the topology's `cross_site_from`) into this host's site.
///
/// States serialised by earlier builds held `"online": true|false` in place of `state`; they
/// still read, as `ONLINE` or `OFFLINE:NORMAL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "CrossSiteReplicatorText")]
pub struct CrossSiteReplicator {
    /// Whether the process runs.
    pub running: bool,
    /// Its service's state: `ONLINE`, `OFFLINE:NORMAL`, or `OFFLINE:ERROR` once it has found
    /// the other site's history diverged from what it applied (the engine holds no other).
    pub state: ReplicatorState,
    /// The last event of the source site it applied; `None` after `reset`, when it starts from
    /// the source's current position on going online.
    pub applied: Option<Pos>,
}

/// What a serialised [`CrossSiteReplicator`] may hold: `state`, or the earlier `online`.
#[derive(Deserialize)]
struct CrossSiteReplicatorText {
    running: bool,
    state: Option<ReplicatorState>,
    online: Option<bool>,
    applied: Option<Pos>,
}

impl TryFrom<CrossSiteReplicatorText> for CrossSiteReplicator {
    type Error = String;

    fn try_from(text: CrossSiteReplicatorText) -> Result<Self, String> {
        let state = match (text.state, text.online) {
            (Some(state), None) if state.is_modelled() => state,
            (Some(state), None) => {
                return Err(format!(
                    "a cross-site replicator in {state}: the model holds ONLINE, OFFLINE:NORMAL or OFFLINE:ERROR"
                ));
            }
            (None, Some(true)) => ReplicatorState::Online,
            (None, Some(false)) => ReplicatorState::OfflineNormal,
            (Some(_), Some(_)) => {
                return Err("a cross-site replicator with both `state` and `online`".to_owned());
            }
            (None, None) => return Err("missing field `state`".to_owned()),
        };
        Ok(Self {
            running: text.running,
            state,
            applied: text.applied,
        })
    }
}

impl CrossSiteReplicator {
    /// As starting the process leaves it (`running`) or stopping it does (not): a cross-site
    /// replicator is a standalone one and goes online when it starts, with the position it
    /// had (`None` here; the caller sets one).
    #[must_use]
    pub fn started(running: bool) -> Self {
        Self {
            running,
            state: if running {
                ReplicatorState::Online
            } else {
                ReplicatorState::OfflineNormal
            },
            applied: None,
        }
    }

    /// Whether it runs and is online.
    #[must_use]
    pub fn is_online(&self) -> bool {
        self.running && self.state == ReplicatorState::Online
    }
}

/// A host's connector (router).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Connector {
    /// Whether the process runs.
    pub running: bool,
    /// The routing state the managers set (`router .. online|offline`): whether it routes
    /// when it runs. It survives the process restarting.
    pub online: bool,
}

/// The data a host's dataserver holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Data {
    /// The last event it holds, in its site's history.
    pub pos: Option<Pos>,
    /// Whether it holds changes that no replication explains (drift between sites,
    /// seed 000): only reprovisioning from a consistent source clears it.
    pub drift: bool,
    /// While this host is master: the epoch its writes go into. A new epoch starts with the
    /// first write after it becomes master (THL `epochNumber`).
    pub writing: Option<EpochId>,
    /// Whether a promotion left events of this host behind, and which: it held events the
    /// master then promoted lacked (Tungsten's orphaned events,
    /// *manager-failover-behavior-recovery*), and the loss was reported
    /// (`Finding::LostEvents`). A later promotion reports the host again only for events the
    /// mark does not cover (**modelling decision**: the view cannot tell which of its
    /// master-role entries a promotion replaced, so the loss is recorded where the events
    /// are). Each promotion moves the mark to where the host's line and the new master's
    /// part, and clears it when the new master holds all of the host's events (they are the
    /// service's line again) or is the host itself. A copy of the events (catching up,
    /// provisioning from a host of the same site) carries the source's mark; a write, or a
    /// restore, clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orphaned: Option<Orphaned>,
}

impl Data {
    /// Whether promoting a master whose last event is `master` leaves events of this data
    /// behind that no earlier promotion reported ([`Data::orphaned`]).
    #[must_use]
    pub fn loses_unreported(&self, history: &History, master: Option<Pos>) -> bool {
        self.after_promotion(history, master).0
    }

    /// What promoting a master whose last event is `master` does to this data's mark:
    /// whether it leaves behind events no earlier promotion reported, and the mark after it
    /// (where this line and the master's part; none when the master holds every event).
    /// Lines of history are prefix-closed, so events go unreported exactly when the lines
    /// now part before the point the mark names.
    #[must_use]
    pub fn after_promotion(
        &self,
        history: &History,
        master: Option<Pos>,
    ) -> (bool, Option<Orphaned>) {
        if history.contains(master, self.pos) {
            return (false, None);
        }
        let shared = history.shared(self.pos, master);
        let lost = self.orphaned.is_none_or(|mark| shared < mark.shared);
        (lost, Some(Orphaned { shared }))
    }
}

/// The events of a host a promotion reported as left behind ([`Data::orphaned`]): every
/// event after `shared`, to the host's position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Orphaned {
    /// The seqno of the host's last event the master promoted then held (the line of
    /// history they share, [`History::shared`]); `None` when it held none of its events.
    pub shared: Option<u64>,
}

/// The ground truth of one host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct HostState {
    /// Whether the host is up. A host that is down runs nothing.
    pub up: bool,
    /// Whether its manager runs.
    pub manager: bool,
    /// Its connector.
    pub connector: Connector,
    /// Whether its dataserver (`MySQL`) runs.
    pub dataserver: bool,
    /// Its cluster replicator.
    pub replicator: ClusterReplicator,
    /// Its cross-site replicator (only for hosts the topology gives one).
    pub cross_site: CrossSiteReplicator,
    /// Its data.
    pub data: Data,
}

impl HostState {
    /// The host gone down: nothing runs, every replicator left OFFLINE:NORMAL; its data
    /// stays. A crash does this, and an import reading a lost site's hosts as down.
    pub(crate) fn go_down(&mut self) {
        self.up = false;
        self.manager = false;
        self.connector.running = false;
        self.dataserver = false;
        self.replicator.running = false;
        self.replicator.state = ReplicatorState::OfflineNormal;
        self.cross_site.running = false;
        self.cross_site.state = ReplicatorState::OfflineNormal;
    }
}

/// Why a datasource is shunned, in the compact form the state keeps.
///
/// [`super::ShunReason`] is the text form; the two convert through the topology.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ShunCause {
    /// `MANUALLY-SHUNNED`.
    Manual,
    /// `FAILSAFE_SHUN`.
    Failsafe,
    /// `FAILED-OVER-TO-<host>`.
    FailedOverTo(HostId),
    /// `SUPERSEDED`.
    Superseded,
    /// `SUBSERVICE-SWITCH-FAILED`.
    SubserviceSwitchFailed,
    /// `DRAIN-CONNECTIONS`.
    DrainConnections,
    /// A reason kept as text in the topology.
    Other(ReasonId),
    /// `SHUNNED` printed without a reason.
    Unstated,
}

impl ShunCause {
    /// Whether an operator shunned the datasource (`datasource <ds> shun` or `drain`), rather
    /// than the managers (failsafe, failover, a composite switch) or an unknown hand. Shunning
    /// leaves the replicator running (Continuent docs *operations-status-changingstates*), and
    /// nothing replaces a master an operator shunned, so the managers still hold it as the
    /// service's master ([`crate::machine`] module docs).
    #[must_use]
    pub fn by_operator(self) -> bool {
        matches!(self, Self::Manual | Self::DrainConnections)
    }
}

/// Why a datasource is failed, in the compact form the state keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum FailCause {
    /// Its dataserver stopped: `DATASERVER '<host>@<service>' STOPPED` (Continuent docs,
    /// *operations-status-states*).
    DataServerStopped,
    /// Its host or manager cannot be reached. The wording `HOST '<host>@<service>' UNREACHABLE`
    /// is the model's own (modelling decision: the documents do not show this case's text).
    Unreachable,
    /// Its replicator failed while fencing is on. Wording `REPLICATOR '<host>@<service>'
    /// FAILED` is the model's own.
    Replicator,
    /// An operator ran `datasource X fail`. Wording `FAILED BY OPERATOR` is the model's own.
    Operator,
    /// A reason kept as text in the topology.
    Other(ReasonId),
    /// `FAILED` printed without a reason.
    Unstated,
}

/// The state of a datasource in a manager's view (compact form of
/// [`super::DataSourceState`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DsState {
    /// `ONLINE`.
    Online,
    /// `OFFLINE`.
    #[default]
    Offline,
    /// `SHUNNED(..)`.
    Shunned(ShunCause),
    /// `FAILED(..)`.
    Failed(FailCause),
}

impl DsState {
    /// Whether this is `SHUNNED` by an operator (`shun`, `drain`: [`ShunCause::by_operator`]).
    #[must_use]
    pub fn shunned_by_operator(self) -> bool {
        matches!(self, Self::Shunned(cause) if cause.by_operator())
    }
}

/// One datasource as a manager's view records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct DsEntry {
    /// Its role.
    pub role: DataSourceRole,
    /// Its state.
    pub state: DsState,
}

impl DsEntry {
    /// An entry with this role and state.
    #[must_use]
    pub const fn new(role: DataSourceRole, state: DsState) -> Self {
        Self { role, state }
    }

    /// Whether this entry is a master in state ONLINE: what a connector sends writes to.
    #[must_use]
    pub fn is_online_master(&self) -> bool {
        self.role == DataSourceRole::Master && self.state == DsState::Online
    }
}

/// What a manager group last concluded about its membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quorum {
    /// A manager that has just started and not yet evaluated membership: its view is stale,
    /// and loses to any live group's view when groups join.
    #[default]
    Unknown,
    /// In a primary partition: it sees a majority of the DB members.
    Primary,
    /// Outside any primary partition: it shunned everything it sees (`FAILSAFE_SHUN`).
    NonPrimary,
}

/// What one manager believes about its service: what `ls` prints when typed into it.
///
/// Managers that can reach each other share one view (the engine keeps their copies equal); a
/// partition gives each side its own until it heals.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ManagerView {
    /// The service's policy mode.
    pub policy: PolicyMode,
    /// The coordinator of the manager's group.
    pub coordinator: Option<HostId>,
    /// What the group concluded when membership was last evaluated. Losing quorum is what
    /// triggers `FAILSAFE_SHUN`.
    pub quorum: Quorum,
    /// Every datasource of the service, indexed by host (other slots unused).
    pub datasources: [DsEntry; MAX_HOSTS],
    /// The datasources the managers fenced: put OFFLINE because their replicator stopped or
    /// failed (`policy.fence.slaveReplicator`). Only an OFFLINE datasource is fenced. The
    /// managers lift the fence, and put the datasource ONLINE, once its replicator is ONLINE
    /// again, under AUTOMATIC and MANUAL alike (Continuent docs *operations-fencing-replicas*:
    /// the state is cleared automatically); an OFFLINE an operator chose stays OFFLINE under
    /// MANUAL (*operations-status-states*). A listing prints both as `OFFLINE`.
    #[serde(default, skip_serializing_if = "no_host")]
    pub fenced: HostSet,
}

impl fmt::Debug for ManagerView {
    /// The view's fields, its datasource entries up to the last one that is not the default
    /// (slots past the topology's hosts are unused): a failing property prints states, and an
    /// embedder's review found them unreadable at eight entries a view.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let used = self
            .datasources
            .iter()
            .rposition(|e| *e != DsEntry::default())
            .map_or(0, |last| last + 1);
        f.debug_struct("ManagerView")
            .field("policy", &self.policy)
            .field("coordinator", &self.coordinator)
            .field("quorum", &self.quorum)
            .field("datasources", &&self.datasources[..used])
            .field("fenced", &self.fenced)
            .finish()
    }
}

/// Whether `set` is empty (serde's `skip_serializing_if` passes a reference).
#[expect(clippy::trivially_copy_pass_by_ref, reason = "serde's signature")]
fn no_host(set: &HostSet) -> bool {
    set.is_empty()
}

impl ManagerView {
    /// The entry for `host`.
    #[must_use]
    pub fn entry(&self, host: HostId) -> DsEntry {
        self.datasources
            .get(host.index())
            .copied()
            .unwrap_or_default()
    }

    /// Whether `self` and `other` agree on everything but the entries past the first
    /// `hosts` (which stay default within one topology; see [`State::hash_used`]).
    #[must_use]
    pub fn eq_used(&self, other: &Self, hosts: usize) -> bool {
        let n = hosts.min(MAX_HOSTS);
        self.policy == other.policy
            && self.coordinator == other.coordinator
            && self.quorum == other.quorum
            && self.datasources[..n] == other.datasources[..n]
            && self.fenced == other.fenced
    }

    /// The entry for `host`, to change it.
    pub fn entry_mut(&mut self, host: HostId) -> Option<&mut DsEntry> {
        self.datasources.get_mut(host.index())
    }
}

/// An operator's cctrl session on one host's manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Session {
    /// `set force true` in this session.
    pub force: bool,
    /// The service `use`/`cd` selected; the host's own service until changed.
    pub service: ServiceId,
}

impl Session {
    /// A new cctrl session on `host`: in the host's own service, without `set force`.
    #[must_use]
    pub fn fresh(topology: &Topology, host: HostId) -> Self {
        Self {
            force: false,
            service: topology.host(host).service,
        }
    }
}

/// The whole dynamic state of a deployment.
///
/// Read it with the accessors; the engine changes it, keeping its parts consistent. A state
/// from elsewhere (read from JSON, built in a test) is checked with [`State::validate`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct State {
    pub(crate) hosts: [HostState; MAX_HOSTS],
    /// Partition labels: two hosts reach each other when both are up and share a label.
    /// Labels are canonical (each is the index of the first host carrying it).
    pub(crate) partition: [u8; MAX_HOSTS],
    pub(crate) views: [ManagerView; MAX_HOSTS],
    pub(crate) sessions: [Session; MAX_HOSTS],
    pub(crate) history: History,
}

impl fmt::Debug for State {
    /// The state's parts up to the last slot in use (the slots past the topology's hosts hold
    /// their defaults, and are left out): a failing property prints states, and an embedder's
    /// review found them some 700 lines long.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let used = (0..=MAX_HOSTS)
            .find(|&n| self.unused_slots_default(n))
            .unwrap_or(MAX_HOSTS);
        f.debug_struct("State")
            .field("hosts", &&self.hosts[..used])
            .field("partition", &&self.partition[..used])
            .field("views", &&self.views[..used])
            .field("sessions", &&self.sessions[..used])
            .field("history", &self.history)
            .finish()
    }
}

impl State {
    /// A healthy deployment: every host up with all its processes running and online, every
    /// physical service in AUTOMATIC with its first datasource master and the others slaves
    /// replicating from it, all at no events yet, routers online, cross-site services online.
    #[must_use]
    pub fn healthy(topology: &Topology) -> Self {
        let mut state = Self {
            hosts: [HostState::default(); MAX_HOSTS],
            partition: [0; MAX_HOSTS],
            views: [ManagerView::default(); MAX_HOSTS],
            sessions: [Session::default(); MAX_HOSTS],
            history: History::default(),
        };
        for service in topology.physical_services() {
            let master = topology.datasources_of(service).next();
            // A composite's sites past its first are passive: their first datasource a relay
            // reading the active site's master, the others slaves of the relay.
            let active = passive_of(topology, service);
            let mut view = ManagerView {
                policy: PolicyMode::Automatic,
                coordinator: topology
                    .hosts_of(service)
                    .find(|&h| topology.host(h).has_manager()),
                quorum: Quorum::Primary,
                datasources: [DsEntry::default(); MAX_HOSTS],
                fenced: HostSet::EMPTY,
            };
            for h in topology.datasources_of(service) {
                let role = match (Some(h) == master, active) {
                    (true, None) => DataSourceRole::Master,
                    (true, Some(_)) => DataSourceRole::Relay,
                    (false, _) => DataSourceRole::Slave,
                };
                view.datasources[h.index()] = DsEntry::new(role, DsState::Online);
            }
            for h in topology.hosts_of(service) {
                let host = topology.host(h);
                let replicator = if !host.is_datasource() {
                    ClusterReplicator::default()
                } else if Some(h) == master {
                    match active {
                        None => ClusterReplicator::online(ReplicatorRole::Master, None),
                        Some(source) => {
                            ClusterReplicator::online(ReplicatorRole::Relay, Some(source))
                        }
                    }
                } else {
                    ClusterReplicator::online(ReplicatorRole::Slave, master)
                };
                state.hosts[h.index()] = HostState {
                    up: true,
                    manager: host.has_manager(),
                    connector: Connector {
                        running: host.connector,
                        online: host.connector,
                    },
                    dataserver: host.is_datasource(),
                    replicator,
                    cross_site: CrossSiteReplicator::started(host.cross_site_from.is_some()),
                    data: Data::default(),
                };
                state.views[h.index()] = view;
                state.sessions[h.index()] = Session::fresh(topology, h);
            }
        }
        state
    }

    /// Feed the slots of the first `hosts` hosts to `hasher`: everything the engine can change
    /// in a deployment of that many hosts. The slots past a topology's last host stay at their
    /// defaults (the engine never writes them), so within one topology two states are equal
    /// exactly when they agree on these slots, and hashing them alone is a sound and cheaper
    /// [`Hash`] over one topology's states (3 hosts: 9 of the 64 view entries). The explorer
    /// fingerprints the same slots packed into words instead
    /// ([`crate::explore::fingerprint_in`]).
    pub fn hash_used<H: std::hash::Hasher>(&self, hosts: usize, hasher: &mut H) {
        use std::hash::Hash;
        let n = hosts.min(MAX_HOSTS);
        self.hosts[..n].hash(hasher);
        self.partition[..n].hash(hasher);
        for view in &self.views[..n] {
            view.policy.hash(hasher);
            view.coordinator.hash(hasher);
            view.quorum.hash(hasher);
            view.datasources[..n].hash(hasher);
            view.fenced.hash(hasher);
        }
        self.sessions[..n].hash(hasher);
        self.history.hash(hasher);
    }

    /// Whether `self` and `other` agree on the slots of the first `hosts` hosts: equality
    /// within one topology (see [`State::hash_used`]), cheaper than `==` for few hosts.
    #[must_use]
    pub fn eq_used(&self, other: &Self, hosts: usize) -> bool {
        let n = hosts.min(MAX_HOSTS);
        self.hosts[..n] == other.hosts[..n]
            && self.partition[..n] == other.partition[..n]
            && self.views[..n]
                .iter()
                .zip(&other.views[..n])
                .all(|(a, b)| a.eq_used(b, n))
            && self.sessions[..n] == other.sessions[..n]
            && self.history == other.history
    }

    /// Make `self` equal to `other` by copying the slots of the first `hosts` hosts (and the
    /// partition labels, whole): a third of the bytes of a full copy for three hosts. The two
    /// must already agree past those slots, as any two states reached from one start do: a
    /// transition writes past them only in the partition labels, which it replaces whole. The
    /// explorer uses it to reset a successor's buffer to its parent.
    pub(crate) fn copy_used_from(&mut self, other: &Self, hosts: usize) {
        let n = hosts.min(MAX_HOSTS);
        // Every field named, so that a new one fails to compile here rather than go uncopied.
        let Self {
            hosts: other_hosts,
            partition,
            views,
            sessions,
            history,
        } = other;
        self.hosts[..n].copy_from_slice(&other_hosts[..n]);
        self.partition = *partition;
        self.views[..n].copy_from_slice(&views[..n]);
        self.sessions[..n].copy_from_slice(&sessions[..n]);
        self.history = *history;
        debug_assert!(
            self == other,
            "the two states differ past the first {n} hosts"
        );
    }

    /// Whether every slot past the first `hosts` holds its default: what [`State::hash_used`]
    /// relies on.
    #[must_use]
    pub fn unused_slots_default(&self, hosts: usize) -> bool {
        self.validate_unused_slots(hosts).is_ok()
    }

    /// The ground truth of `host`.
    #[must_use]
    pub fn host(&self, host: HostId) -> &HostState {
        &self.hosts[host.index().min(MAX_HOSTS - 1)]
    }

    /// A host whose cluster replicator is online and reads from `h` (its host up): what a
    /// restore or a role change of `h` would cut off.
    pub(crate) fn slave_of(&self, topology: &Topology, h: HostId) -> Option<HostId> {
        topology.host_ids().find(|&d| {
            let r = self.host(d).replicator;
            d != h && self.host(d).up && r.is_online() && r.master == Some(h)
        })
    }

    /// The ground truth of `host`, to change (the same out-of-range rule as [`State::host`]).
    pub(crate) fn host_mut(&mut self, host: HostId) -> &mut HostState {
        &mut self.hosts[host.index().min(MAX_HOSTS - 1)]
    }

    /// The view held by `host`'s manager (stale if the manager is not running).
    #[must_use]
    pub fn view(&self, host: HostId) -> &ManagerView {
        &self.views[host.index().min(MAX_HOSTS - 1)]
    }

    /// The cctrl session on `host`.
    #[must_use]
    pub fn session(&self, host: HostId) -> &Session {
        &self.sessions[host.index().min(MAX_HOSTS - 1)]
    }

    /// This state with a new cctrl session on `host` ([`Session::fresh`]): what starting
    /// cctrl there anew gives.
    #[must_use]
    pub fn with_fresh_session(&self, topology: &Topology, host: HostId) -> Self {
        let mut next = *self;
        if let Some(session) = next.sessions.get_mut(host.index()) {
            *session = Session::fresh(topology, host);
        }
        next
    }

    /// The epoch history.
    #[must_use]
    pub fn history(&self) -> &History {
        &self.history
    }

    /// Whether `a` and `b` can reach each other: both up and on the same side of any
    /// partition.
    #[must_use]
    pub fn reachable(&self, a: HostId, b: HostId) -> bool {
        let (a, b) = (a.index(), b.index());
        a < MAX_HOSTS
            && b < MAX_HOSTS
            && self.hosts[a].up
            && self.hosts[b].up
            && self.partition[a] == self.partition[b]
    }

    /// Whether a manager view of `site`'s hosts (running or not: a stopped manager restarts
    /// with the view it had) holds one of its datasources in `role`: how a composite's
    /// active site (a master) and passive site (a relay) are told apart.
    pub(crate) fn site_holds(
        &self,
        topology: &Topology,
        site: ServiceId,
        role: DataSourceRole,
    ) -> bool {
        topology.hosts_of(site).any(|m| {
            topology
                .datasources_of(site)
                .any(|d| self.view(m).entry(d).role == role)
        })
    }

    /// Whether `host`'s manager runs (on a host that is up).
    #[must_use]
    pub fn manager_running(&self, host: HostId) -> bool {
        let h = self.host(host);
        h.up && h.manager
    }

    /// Whether a manager of `service` runs anywhere (at a composite, a manager of one of its
    /// sites): `use <service>` connects cctrl to it (Continuent docs *cmdline-tools-cctrl*:
    /// cctrl works through a running manager; *operations-composite-failover* runs `cctrl
    /// -multi` on the surviving site to reach the composite), so with none running there is
    /// nothing to connect to ([`crate::machine::Refusal::NoServiceManager`]). One that runs
    /// cut off from the session is left to the commands typed after `use`, which name what
    /// they cannot reach (**modelling decision**).
    #[must_use]
    pub fn service_manager_runs(&self, topology: &Topology, service: ServiceId) -> bool {
        let runs = |svc: ServiceId| {
            topology
                .hosts_of(svc)
                .any(|m| topology.host(m).has_manager() && self.manager_running(m))
        };
        match &topology.service(service).kind {
            super::ServiceKind::Composite { members } => members.iter().any(|&m| runs(m)),
            _ => runs(service),
        }
    }

    /// The partition label of `host` (hosts with equal labels reach each other when up).
    #[must_use]
    pub fn partition_label(&self, host: HostId) -> u8 {
        self.partition[host.index().min(MAX_HOSTS - 1)]
    }

    /// Whether any partition is in force.
    #[must_use]
    pub fn is_partitioned(&self) -> bool {
        self.partition.iter().any(|&p| p != 0)
    }

    /// The running managers of `service` that `host`'s manager can reach, `host` included if
    /// its manager runs: the group whose view a command typed into `host` uses.
    pub fn group_of<'a>(
        &'a self,
        topology: &'a Topology,
        host: HostId,
    ) -> impl Iterator<Item = HostId> + 'a {
        let service = topology.host(host).service;
        topology.hosts_of(service).filter(move |&m| {
            topology.host(m).has_manager() && self.manager_running(m) && self.reachable(host, m)
        })
    }

    /// The hosts a group of managers of `service` counts for quorum, seen from `rep`: the
    /// service's DB members whose host it reaches (up, same side of any partition; a stopped
    /// manager on a reachable host still counts), and its active witnesses that reach it
    /// with their manager running.
    ///
    /// **Modelling decision**, looser than Tungsten for DB members. The quorum log on
    /// Continuent's *manager-failover-failsafe-shun* page lists the group-communication view,
    /// the validated and the reachable DB members; Tungsten's `ClusterMembershipDigest`
    /// counts the validated ones, and validates only members in the view, that is, members
    /// whose manager runs. Seed 004 agrees ("if the manager process/host are no longer
    /// reachable", the cluster fails safe). Counting only running managers here makes the
    /// published seed 000 procedure invalid: its `stopall` on each east host in MAINTENANCE
    /// leaves the last manager alone, which fails safe (the model does so under every
    /// policy), and nothing in the model clears `FAILSAFE_SHUN` when quorum returns. How
    /// Tungsten's managers behave there (whether the failsafe applies in MAINTENANCE, and
    /// whether regaining quorum recovers what it shunned) is not established from the
    /// documents yet, so the looser count stays until it is, with this gap stated: a lone
    /// running manager whose peers' managers are stopped keeps quorum here, where Tungsten
    /// would fail safe. No second writable master follows from it (quorum still needs a
    /// majority of hosts on one side).
    #[must_use]
    pub fn quorum_members(&self, topology: &Topology, service: ServiceId, rep: HostId) -> HostSet {
        let datasources = topology.datasource_set(service);
        // The service's other manager hosts are its witnesses: they count while their manager
        // runs; connector-only hosts never count.
        let mut members = HostSet::EMPTY;
        for h in topology.manager_set(service) {
            if self.reachable(rep, h) && (datasources.contains(h) || self.manager_running(h)) {
                members.insert(h);
            }
        }
        members
    }

    /// Whether a group of managers of `service` that counts `members` (see
    /// [`State::quorum_members`]) is in a primary partition: it sees a majority of the
    /// service's DB members (`n / 2 + 1`), or one fewer plus at least one active witness. A
    /// single-member service is its own quorum.
    ///
    /// Source: open-source code `ClusterMembershipDigest`; Continuent docs
    /// *manager-failover-failsafe-shun*. The rule is Tungsten's, hazards included: see
    /// [`Topology::quorum_hazards`].
    #[must_use]
    pub fn has_quorum(topology: &Topology, service: ServiceId, members: HostSet) -> bool {
        let majority = topology.datasource_set(service).len() / 2 + 1;
        let db = members.intersection(topology.datasource_hosts()).len();
        let witnesses = members.intersection(topology.witness_hosts());
        db >= majority || (db + 1 == majority && !witnesses.is_empty())
    }
}

/// The master a composite's passive site `service` relays, when `service` is a member of a
/// composite past its first (the active site, whose first datasource is its master in a
/// healthy start): a composite is active/passive (Continuent docs
/// *operations-composite-relay-recovery*).
fn passive_of(topology: &Topology, service: ServiceId) -> Option<HostId> {
    let (_, members) = topology.composite_of(service)?;
    let (&active, _) = members.split_first()?;
    (active != service)
        .then(|| topology.datasources_of(active).next())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A state's `Debug` shows the slots in use and each view's entries up to its last host:
    /// three hosts of a three-node topology, not eight.
    #[test]
    fn debug_leaves_out_unused_slots() {
        let three = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let text = format!("{:?}", State::healthy(&three));
        assert_eq!(text.matches("HostState {").count(), 3, "{text}");
        assert_eq!(text.matches("ManagerView {").count(), 3, "{text}");
        assert_eq!(text.matches("DsEntry {").count(), 9, "{text}");
        let five = Topology::single("alpha", &["db1", "db2", "db3", "db4", "db5"]).unwrap();
        let text = format!("{:?}", State::healthy(&five));
        assert_eq!(text.matches("HostState {").count(), 5, "{text}");
        assert_eq!(text.matches("DsEntry {").count(), 25, "{text}");
    }

    /// Every transition copies a `State`, and the README's speed section gives its size: a
    /// change to the layout shows here, so that the figure is measured again (64-bit targets;
    /// `Data` grew from 24 to 40 bytes with the orphan mark's seqno, the state from 1 080 to
    /// 1 088 with the views' fence marks).
    #[cfg(target_pointer_width = "64")]
    #[test]
    fn a_state_is_1088_bytes() {
        assert_eq!(std::mem::size_of::<Data>(), 40);
        assert_eq!(std::mem::size_of::<HostState>(), 80);
        assert_eq!(std::mem::size_of::<State>(), 1088);
    }

    /// A cross-site replicator reads as `state`, or as the `online` flag earlier builds wrote;
    /// a state the engine never holds, both fields, or neither is an error.
    #[test]
    fn a_cross_site_replicator_reads_its_state_or_the_earlier_online_flag() {
        let read = |json: &str| serde_json::from_str::<CrossSiteReplicator>(json);
        let state = |json: &str| read(json).map(|x| x.state).map_err(|e| e.to_string());
        assert_eq!(
            state(r#"{"running":true,"state":"OFFLINE:ERROR","applied":null}"#),
            Ok(ReplicatorState::OfflineError)
        );
        assert_eq!(
            state(r#"{"running":true,"online":true,"applied":null}"#),
            Ok(ReplicatorState::Online)
        );
        assert_eq!(
            state(r#"{"running":false,"online":false}"#),
            Ok(ReplicatorState::OfflineNormal)
        );
        for bad in [
            r#"{"running":true,"state":"DEGRADED"}"#,
            r#"{"running":true,"state":"ONLINE","online":true}"#,
            r#"{"running":true}"#,
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
        let x = CrossSiteReplicator {
            running: true,
            state: ReplicatorState::OfflineError,
            applied: None,
        };
        let json = serde_json::to_string(&x).unwrap();
        assert_eq!(read(&json).unwrap(), x);
    }

    /// A host id past the model's capacity (only a deserialised input can hold one) names
    /// the last slot rather than panicking.
    #[test]
    fn a_host_id_past_the_capacity_names_the_last_slot() {
        let t = Topology::single("alpha", &["db1"]).unwrap();
        let mut s = State::healthy(&t);
        let past = HostId(u8::MAX);
        s.host_mut(past).up = true;
        assert!(s.host(past).up);
        assert!(s.hosts[MAX_HOSTS - 1].up);
    }

    /// Each kind of slot past a topology's hosts counts: a host, a partition label, a whole
    /// view, a view's entry for a host past them, a session (cargo-mutants: every `&&`
    /// turned `||`, and the whole test answering `true`, went unnoticed, since the engine
    /// never writes those slots).
    #[test]
    fn unused_slots_are_default_until_any_kind_of_slot_past_the_hosts_is_written() {
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let healthy = State::healthy(&t);
        assert!(healthy.unused_slots_default(3));
        let writes: [fn(&mut State); 5] = [
            |s| s.hosts[3].up = true,
            |s| s.partition[3] = 1,
            |s| s.views[3].policy = PolicyMode::Maintenance,
            |s| s.views[0].datasources[3].state = DsState::Online,
            |s| s.sessions[3].force = true,
        ];
        for (i, write) in writes.iter().enumerate() {
            let mut s = healthy;
            write(&mut s);
            assert!(!s.unused_slots_default(3), "write {i}");
            // The same slot is a used one for a topology of four hosts.
            assert_eq!(s.unused_slots_default(4), healthy.unused_slots_default(4));
        }
    }

    /// `hash_used` tells apart states that differ in a used slot, and only reads those
    /// (cargo-mutants: a `hash_used` that hashed nothing went unnoticed, as nothing in the
    /// crate calls it).
    #[test]
    fn hash_used_tells_states_apart_by_their_used_slots_only() {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let hash = |s: &State| {
            let mut hasher = BuildHasherDefault::<DefaultHasher>::default().build_hasher();
            s.hash_used(3, &mut hasher);
            std::hash::Hasher::finish(&hasher)
        };
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let healthy = State::healthy(&t);
        let mut shunned = healthy;
        shunned.views[0].datasources[1].state = DsState::Shunned(ShunCause::Manual);
        let mut forced = healthy;
        forced.sessions[2].force = true;
        assert_ne!(hash(&healthy), hash(&shunned));
        assert_ne!(hash(&healthy), hash(&forced));
        assert_ne!(hash(&shunned), hash(&forced));
        let mut past = healthy;
        past.sessions[5].force = true;
        assert_eq!(hash(&healthy), hash(&past));
    }

    /// A host id at or past the capacity reaches nothing, from either side, without
    /// indexing past the slots (cargo-mutants: `b <= MAX_HOSTS` went unnoticed).
    #[test]
    fn a_host_id_past_the_capacity_reaches_nothing() {
        let t = Topology::single("alpha", &["db1", "db2"]).unwrap();
        let s = State::healthy(&t);
        let db1 = t.host_id("db1").unwrap();
        #[allow(clippy::cast_possible_truncation, reason = "MAX_HOSTS is below 256")]
        for past in [HostId(MAX_HOSTS as u8), HostId(u8::MAX)] {
            assert!(!s.reachable(db1, past), "{past:?}");
            assert!(!s.reachable(past, db1), "{past:?}");
        }
        assert!(s.reachable(db1, t.host_id("db2").unwrap()));
    }

    #[test]
    fn healthy_state_has_one_master_per_service() {
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let s = State::healthy(&t);
        let db1 = t.host_id("db1").unwrap();
        let db2 = t.host_id("db2").unwrap();
        assert!(s.view(db2).entry(db1).is_online_master());
        assert_eq!(s.host(db2).replicator.master, Some(db1));
        assert_eq!(s.view(db1).coordinator, Some(db1));
        assert!(s.reachable(db1, db2));
        let members: HostSet = s.group_of(&t, db2).collect();
        assert_eq!(members.len(), 3);
        assert!(State::has_quorum(&t, s.session(db1).service, members));
        assert!(!State::has_quorum(
            &t,
            s.session(db1).service,
            HostSet::of([db1])
        ));
    }

    /// Service `a`: datasources `d1`, `d2` and the active witness `w`.
    fn two_and_a_witness() -> Topology {
        let spec: crate::model::TopologySpec = serde_json::from_str(
            r#"{"services":[{"name":"a","datasources":["d1","d2"],"witnesses":["w"]}]}"#,
        )
        .unwrap();
        Topology::try_from(spec).unwrap()
    }

    #[test]
    fn quorum_counts_witnesses_only_to_make_up_one_member() {
        let t = two_and_a_witness();
        let a = t.service_id("a").unwrap();
        let d1 = t.host_id("d1").unwrap();
        let w = t.host_id("w").unwrap();
        assert!(State::has_quorum(&t, a, HostSet::of([d1, w])));
        assert!(!State::has_quorum(&t, a, HostSet::of([d1])));
        assert!(!State::has_quorum(&t, a, HostSet::of([w])));
        let one = Topology::single("solo", &["d"]).unwrap();
        let solo = one.service_id("solo").unwrap();
        assert!(State::has_quorum(
            &one,
            solo,
            HostSet::of([one.host_id("d").unwrap()])
        ));
    }

    /// A witness counts for quorum only reachable with its manager running; a DB member
    /// counts reachable even with its manager stopped (cargo-mutants: the witness's `&&`
    /// turned `||` went unnoticed).
    #[test]
    fn a_witness_counts_reachable_with_its_manager_running() {
        let t = two_and_a_witness();
        let a = t.service_id("a").unwrap();
        let [d1, d2, w] = ["d1", "d2", "w"].map(|n| t.host_id(n).unwrap());
        let healthy = State::healthy(&t);
        assert_eq!(healthy.quorum_members(&t, a, d1), HostSet::of([d1, d2, w]));
        let mut stopped = healthy;
        stopped.host_mut(w).manager = false;
        stopped.host_mut(d2).manager = false;
        assert_eq!(stopped.quorum_members(&t, a, d1), HostSet::of([d1, d2]));
        let mut cut = healthy;
        cut.partition[w.index()] = 1;
        assert_eq!(cut.quorum_members(&t, a, d1), HostSet::of([d1, d2]));
    }

    /// A command's group holds the managers that run and that its host reaches (cargo-mutants:
    /// either `&&` turned `||` went unnoticed).
    #[test]
    fn a_group_holds_the_running_managers_its_host_reaches() {
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let [db1, db2, db3] = ["db1", "db2", "db3"].map(|n| t.host_id(n).unwrap());
        let group = |s: &State| s.group_of(&t, db1).collect::<HostSet>();
        let healthy = State::healthy(&t);
        assert_eq!(group(&healthy), HostSet::of([db1, db2, db3]));
        let mut stopped = healthy;
        stopped.host_mut(db2).manager = false;
        assert_eq!(group(&stopped), HostSet::of([db1, db3]));
        let mut cut = healthy;
        cut.partition[db3.index()] = 1;
        assert_eq!(group(&cut), HostSet::of([db1, db2]));
    }
}
