//! What a transition did (effects) and what it should make an operator think twice about
//! (findings). Both are `Copy` data over ids; `render` puts them in words with the topology's
//! names, in the words Tungsten prints where the documents show them.

use serde::{Deserialize, Serialize};

use super::FindingKind;
use super::input::Install;
use super::invariant::Violation;
use super::rejection::Refusal;
use crate::command::ResetScope;
use crate::fault::{Process, Split};
use crate::ls::state_text;
use crate::model::{
    DataSourceRole, DsState, HostId, HostSet, PolicyMode, ReplicatorRole, ReplicatorState,
    ServiceId, ShunCause, Topology,
};

/// Something a transition did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Effect {
    /// `policy mode is now <MODE>`.
    Policy {
        /// The service.
        service: ServiceId,
        /// The new policy.
        to: PolicyMode,
    },
    /// `SET POLICY: AUTOMATIC => MAINTENANCE`: a command that runs in MAINTENANCE (`switch`,
    /// `recover`) sets it for its duration.
    PolicyStep {
        /// The service.
        service: ServiceId,
        /// Before.
        from: PolicyMode,
        /// After.
        to: PolicyMode,
    },
    /// `REVERT POLICY: MAINTENANCE => AUTOMATIC`: the same command puts the policy back at its
    /// end (Continuent docs *operations-recovery*, the output of `recover`).
    PolicyRevert {
        /// The service.
        service: ServiceId,
        /// Before (MAINTENANCE).
        from: PolicyMode,
        /// After: the policy the command found.
        to: PolicyMode,
    },
    /// The session's force flag changed.
    Force {
        /// The session's host.
        host: HostId,
        /// On or off.
        on: bool,
    },
    /// The session now works on another service.
    Use {
        /// The session's host.
        host: HostId,
        /// The service.
        service: ServiceId,
    },
    /// A datasource's state changed in a view: `DataSource 'db2' is now OFFLINE`,
    /// `DataSource 'host3' set to SHUNNED`.
    State {
        /// The datasource.
        host: HostId,
        /// The new state.
        to: DsState,
        /// Whose view changed, when the service's running managers are split into groups
        /// that do not reach each other: each group keeps its own view, so a partition's
        /// minority shunning every datasource it sees (`FAILSAFE_SHUN`) is not the
        /// majority's view. `None` when the service's running managers form one group.
        #[serde(skip_serializing_if = "Option::is_none")]
        view: Option<HostSet>,
    },
    /// The managers fenced a slave whose replicator stopped or failed
    /// (`policy.fence.slaveReplicator`, Continuent docs *operations-fencing-replicas*), right
    /// after its [`Effect::State`] to OFFLINE.
    Fenced {
        /// The datasource.
        host: HostId,
    },
    /// The managers lifted a fence: the datasource's replicator is ONLINE again, so it goes
    /// back ONLINE (under MANUAL too); its [`Effect::State`] to ONLINE follows.
    FenceLifted {
        /// The datasource.
        host: HostId,
    },
    /// A datasource's role changed: `SETTING THE ROLE OF DATASOURCE 'db3@alpha' FROM 'master'
    /// TO 'slave'`.
    Role {
        /// The datasource.
        host: HostId,
        /// Before.
        from: DataSourceRole,
        /// After.
        to: DataSourceRole,
        /// Whose view changed, as for [`Effect::State`].
        #[serde(skip_serializing_if = "Option::is_none")]
        view: Option<HostSet>,
    },
    /// A replicator's state changed.
    Replicator {
        /// The host.
        host: HostId,
        /// Which install.
        install: Install,
        /// The new state.
        to: ReplicatorState,
    },
    /// A replicator's role or master changed.
    ReplicatorRole {
        /// The host.
        host: HostId,
        /// The new role.
        role: ReplicatorRole,
        /// The master it replicates from.
        master: Option<HostId>,
    },
    /// A process started or stopped.
    Process {
        /// The host.
        host: HostId,
        /// Which process.
        process: Process,
        /// Which install (for a replicator).
        install: Install,
        /// Running now or not.
        running: bool,
    },
    /// A connector was put online or offline.
    Router {
        /// The connector's host.
        host: HostId,
        /// Online now or not.
        online: bool,
    },
    /// A manager group lost quorum: `CONCLUSION: I AM IN A NON-PRIMARY PARTITION OF 1 MEMBERS
    /// OUT OF A REQUIRED MAJORITY SIZE OF 2`.
    QuorumLost {
        /// The service.
        service: ServiceId,
        /// The group's coordinator.
        host: HostId,
        /// DB members it reaches.
        members: u8,
        /// The majority needed.
        majority: u8,
        /// Active witnesses it reaches.
        witnesses: u8,
    },
    /// A manager group has quorum again.
    QuorumRegained {
        /// The service.
        service: ServiceId,
        /// The group's coordinator.
        host: HostId,
        /// DB members it reaches.
        members: u8,
    },
    /// A failover or switch chose a datasource: `SELECTED SLAVE: db3@alpha`.
    Selected {
        /// The datasource.
        host: HostId,
    },
    /// `FLUSH TRANSACTIONS ON CURRENT MASTER 'db1@alpha'`.
    Flush {
        /// The master.
        host: HostId,
    },
    /// `PUT THE NEW MASTER 'db3@alpha' ONLINE`.
    NewMaster {
        /// The new master.
        host: HostId,
    },
    /// A passive site's new relay is in service, reading the active site's master (the
    /// model's words, after the master's).
    NewRelay {
        /// The new relay.
        host: HostId,
    },
    /// `COMPOSITE DATA SOURCE 'east' IS NOW IN THE FAILED STATE` (Continuent docs
    /// *operations-composite-failover*).
    SiteFailed {
        /// The site.
        site: ServiceId,
    },
    /// `composite data source 'west@global' role is now master` (the words of Continuent docs
    /// *operations-composite-recovery*, where a recovered site's role is now slave).
    SiteRole {
        /// The site.
        site: ServiceId,
        /// Whether it is now the composite master (else a composite slave).
        master: bool,
    },
    /// `SWITCH TO 'db3@alpha' WAS SUCCESSFUL`.
    Switched {
        /// The new master.
        host: HostId,
    },
    /// A failover completed (the model's words).
    FailedOver {
        /// The old master, if one was failed.
        from: Option<HostId>,
        /// The new master.
        to: HostId,
    },
    /// The replicator of `host` stopped with an error: its position is not in its master's
    /// history.
    Diverged {
        /// The slave.
        host: HostId,
        /// Its master.
        master: HostId,
    },
    /// The replicator of `host` stopped with an error: `master`'s THL was reset since it last
    /// read it, so the event it asks for is not there
    /// ([`crate::model::RestartPosition::LostAt`]).
    PositionLost {
        /// The slave.
        host: HostId,
        /// Its master.
        master: HostId,
    },
    /// The replicator of `host` stopped with an error: its own reset cleared its position
    /// ([`crate::model::RestartPosition::Cleared`]) while `master`'s THL was kept, so it reads
    /// that THL from its first event and meets events its data holds already.
    PositionCleared {
        /// The slave.
        host: HostId,
        /// Its master.
        master: HostId,
    },
    /// The replicator of `host` went online reading `master`'s reset THL from its start, past
    /// events it had not applied when that THL was reset
    /// ([`crate::model::RestartPosition::Skipping`]): they are in no THL, and its data, marked
    /// drifted, lacks them.
    MissedEvents {
        /// The slave.
        host: HostId,
        /// Its master.
        master: HostId,
    },
    /// Data copied from `source` into `target`.
    Provisioned {
        /// The target.
        target: HostId,
        /// The source.
        source: HostId,
    },
    /// A datasource's data was restored from a backup (`datasource <ds> restore`): it holds
    /// an earlier point of its service's history, which the model does not track, so its
    /// position is unknown until it catches up.
    Restored {
        /// The datasource.
        host: HostId,
        /// The master whose THL reset lost its replicator's position, when one did: the
        /// restore does not bring it back.
        lost_at: Option<HostId>,
    },
    /// A replicator's service was reset (`trepctl reset`).
    Reset {
        /// The host.
        host: HostId,
        /// Which install.
        install: Install,
        /// What the reset cleared.
        scope: ResetScope,
    },
    /// A client write, or a heartbeat, reached the master: its last seqno.
    Write {
        /// The master.
        host: HostId,
        /// Its new last seqno.
        seqno: u64,
    },
    /// A replicator applied its master's events.
    CaughtUp {
        /// The host.
        host: HostId,
        /// Which install.
        install: Install,
        /// Its new last seqno.
        seqno: Option<u64>,
    },
    /// A host went down or came up.
    Host {
        /// The host.
        host: HostId,
        /// Up now or not.
        up: bool,
    },
    /// The network split.
    Partition(Split),
    /// The network healed.
    Heal,
    /// A host's data drifted.
    Drift {
        /// The host.
        host: HostId,
    },
    /// A dataserver took a write directly (`mysql -e 'INSERT ...'` on it) that no replicator
    /// carries (a replica's, or a master's that is not extracting): its data is marked
    /// drifted.
    DirectWrite {
        /// The host.
        host: HostId,
    },
    /// A replicator went online skipping events (`trepctl online -skip-seqno`): its host's
    /// data no longer matches its source, and is marked drifted.
    Skipped {
        /// The host.
        host: HostId,
    },
    /// The model does not know this step.
    NotModelled,
}

fn at(topology: &Topology, host: HostId) -> String {
    format!(
        "'{}@{}'",
        topology.host_name(host),
        topology.service_name(topology.host(host).service)
    )
}

/// The hosts of `set` by name, in a series (`db1, db2 and db3`), or `no host`.
fn host_names(topology: &Topology, set: HostSet) -> String {
    let names: Vec<&str> = set.iter().map(|h| topology.host_name(h).as_str()).collect();
    if names.is_empty() {
        "no host".to_owned()
    } else {
        crate::text::series(&names, "and")
    }
}

/// `line`, followed by whose view it is when the managers are split into groups.
fn in_view(topology: &Topology, line: String, view: Option<HostSet>) -> String {
    match view {
        Some(group) if group.len() == 1 => format!(
            "{line} (in the view of {}'s manager)",
            host_names(topology, group)
        ),
        Some(group) if group.len() > 1 => format!(
            "{line} (in the view of the managers on {})",
            host_names(topology, group)
        ),
        _ => line,
    }
}

fn install_word(install: Install) -> &'static str {
    match install {
        Install::Cluster => "",
        Install::CrossSite => " (cross-site)",
    }
}

impl Effect {
    /// The effect in words, with `topology`'s names.
    #[must_use]
    #[expect(
        clippy::too_many_lines,
        reason = "one arm per variant, read as a table"
    )]
    pub fn render(&self, topology: &Topology) -> String {
        let name = |h: HostId| topology.host_name(h).as_str().to_owned();
        match *self {
            Self::Policy { to, .. } => format!("policy mode is now {to}"),
            Self::PolicyStep { from, to, .. } => format!("SET POLICY: {from} => {to}"),
            Self::PolicyRevert { from, to, .. } => format!("REVERT POLICY: {from} => {to}"),
            Self::Force { on, .. } => format!("force mode is now {on}"),
            Self::Use { service, .. } => {
                format!("now using service {}", topology.service_name(service))
            }
            Self::State { host, to, view } => {
                let line = match to {
                    DsState::Shunned(ShunCause::Manual | ShunCause::DrainConnections) => {
                        format!("DataSource '{}' set to SHUNNED", name(host))
                    }
                    other => format!(
                        "DataSource '{}' is now {}",
                        name(host),
                        state_text(topology, host, other)
                    ),
                };
                in_view(topology, line, view)
            }
            Self::Fenced { host } => format!(
                "DataSource '{}' fenced: its replicator is stopped or in error \
                 (policy.fence.slaveReplicator)",
                name(host)
            ),
            Self::FenceLifted { host } => format!(
                "DataSource '{}' fence lifted: its replicator is ONLINE again",
                name(host)
            ),
            Self::Role {
                host,
                from,
                to,
                view,
            } => in_view(
                topology,
                format!(
                    "SETTING THE ROLE OF DATASOURCE {} FROM '{from}' TO '{to}'",
                    at(topology, host)
                ),
                view,
            ),
            Self::Replicator { host, install, to } => {
                format!(
                    "replicator{} on {} is now {to}",
                    install_word(install),
                    name(host)
                )
            }
            Self::ReplicatorRole { host, role, master } => match master {
                Some(m) => format!("replicator on {} is now {role} of {}", name(host), name(m)),
                None => format!("replicator on {} is now {role}", name(host)),
            },
            Self::Process {
                host,
                process,
                install,
                running,
            } => format!(
                "{process}{} on {} {}",
                install_word(install),
                name(host),
                if running { "started" } else { "stopped" }
            ),
            Self::Router { host, online } => format!(
                "connector@{} is now {}",
                name(host),
                if online { "ONLINE" } else { "OFFLINE" }
            ),
            Self::QuorumLost {
                members,
                majority,
                witnesses,
                host,
                ..
            } => format!(
                "{}: CONCLUSION: I AM IN A NON-PRIMARY PARTITION OF {members} MEMBERS OUT OF A REQUIRED MAJORITY SIZE OF {majority} AND THERE ARE {witnesses} REACHABLE WITNESSES",
                name(host)
            ),
            Self::QuorumRegained { members, host, .. } => format!(
                "{}: quorum regained with {members} DB members: in a primary partition again",
                name(host)
            ),
            Self::Selected { host } => format!(
                "SELECTED SLAVE: {}@{}",
                name(host),
                topology.service_name(topology.host(host).service)
            ),
            Self::Flush { host } => format!(
                "FLUSH TRANSACTIONS ON CURRENT MASTER {}",
                at(topology, host)
            ),
            Self::NewMaster { host } => format!("PUT THE NEW MASTER {} ONLINE", at(topology, host)),
            Self::NewRelay { host } => format!("PUT THE NEW RELAY {} ONLINE", at(topology, host)),
            Self::Switched { host } => format!("SWITCH TO {} WAS SUCCESSFUL", at(topology, host)),
            Self::SiteFailed { site } => format!(
                "COMPOSITE DATA SOURCE '{}' IS NOW IN THE FAILED STATE",
                topology.service_name(site)
            ),
            Self::SiteRole { site, master } => format!(
                "composite data source '{}@{}' role is now {}",
                topology.service_name(site),
                topology
                    .composite_of(site)
                    .map_or("", |(c, _)| topology.service_name(c).as_str()),
                if master { "master" } else { "slave" }
            ),
            Self::FailedOver { from, to } => match from {
                Some(from) => format!(
                    "failed over from {} to {}",
                    at(topology, from),
                    at(topology, to)
                ),
                None => format!("promoted {} to master", at(topology, to)),
            },
            Self::Diverged { host, master } => format!(
                "replicator on {} stopped in OFFLINE:ERROR: it holds events {} does not have",
                name(host),
                name(master)
            ),
            Self::PositionLost { host, master } => format!(
                "replicator on {} stopped in OFFLINE:ERROR: {}'s THL was reset since it last read it, and holds no event at its position; reset {}'s replicator too (`trepctl -service {} reset -all -y`, its data reprovisioned from {} if it is behind), as a service reset does",
                name(host),
                name(master),
                name(host),
                topology.service_name(topology.host(host).service),
                name(master)
            ),
            Self::PositionCleared { host, master } => format!(
                "replicator on {} stopped in OFFLINE:ERROR: its reset cleared its position but not {}'s THL, which it reads from the first event, one its data holds already; reprovision it from {} (`tprovision --source {}`), or reset the whole service together, every replicator level with the master, as a service reset does",
                name(host),
                name(master),
                name(master),
                name(master)
            ),
            Self::MissedEvents { host, master } => format!(
                "replicator on {} resumed reading {}'s reset THL from its start, past events it had not applied when that THL was reset: no THL holds them, so its data lacks them (treated as drifted; reprovision it from {} to clear)",
                name(host),
                name(master),
                name(master)
            ),
            Self::Provisioned { target, source } => {
                format!("{} provisioned from {}", name(target), name(source))
            }
            Self::Restored {
                host,
                lost_at: None,
            } => format!(
                "{} restored from its latest backup, an earlier point of its data: as a slave, it catches up from its master once online",
                name(host)
            ),
            Self::Restored {
                host,
                lost_at: Some(master),
            } => format!(
                "{} restored from its latest backup, but its replicator's position was lost when {}'s THL was reset: once online it stops in OFFLINE:ERROR; reprovision it from its master instead",
                name(host),
                name(master)
            ),
            Self::Reset {
                host,
                install,
                scope,
            } => {
                let cleared = match scope {
                    ResetScope::All => "THL, relay logs and catalog cleared",
                    ResetScope::Thl => "THL cleared",
                    ResetScope::Relay => "relay logs cleared",
                    ResetScope::Db => "catalog cleared",
                };
                format!(
                    "replicator{} on {} reset: {cleared}",
                    install_word(install),
                    name(host)
                )
            }
            Self::Write { host, seqno } => format!("write on {}: seqno {seqno}", name(host)),
            Self::CaughtUp {
                host,
                install,
                seqno,
            } => match seqno {
                Some(s) => format!(
                    "replicator{} on {} caught up to seqno {s}",
                    install_word(install),
                    name(host)
                ),
                None => format!(
                    "replicator{} on {} caught up (no events)",
                    install_word(install),
                    name(host)
                ),
            },
            Self::Host { host, up } => {
                format!("host {} is {}", name(host), if up { "up" } else { "down" })
            }
            Self::Partition(split) => format!("network partitioned: {}", split.describe(topology)),
            Self::Heal => "network healed".to_owned(),
            Self::Drift { host } => format!("data on {} drifted from its site", name(host)),
            Self::DirectWrite { host } => format!(
                "{} took a write at its own dataserver that no replicator carries: its data no longer matches its service's (reprovision it to clear)",
                name(host)
            ),
            Self::Skipped { host } => format!(
                "{} skipped events: its data may no longer match its source, and is treated as drifted (reprovision it to clear)",
                name(host)
            ),
            Self::NotModelled => "not modelled: the model does not know this step".to_owned(),
        }
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth reading before going on.
    Warning,
    /// The step leaves the cluster unsafe.
    Error,
}

impl std::fmt::Display for Severity {
    /// `warning` or `error`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Warning => "warning",
            Self::Error => "error",
        })
    }
}

/// Something about a transition an operator should know.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Finding {
    /// An invariant is broken after the transition.
    Invariant(Violation),
    /// A step went through only because of `set force true`; it rests on the assumption that
    /// the datasources the manager cannot reach are down, not cut off by a partition.
    Forced {
        /// The service.
        service: ServiceId,
        /// The hosts assumed down.
        unreachable: HostSet,
    },
    /// The managers undid what the step did (AUTOMATIC brought it back).
    Undone {
        /// The host whose datasource or replicator was put back.
        host: HostId,
        /// The policy that did it.
        policy: PolicyMode,
    },
    /// The service has no writable master while it could have one.
    NoWritableMaster {
        /// The service.
        service: ServiceId,
    },
    /// The service had a writable master before the step and has one after it, but none
    /// while the step ran: it took `host` down, or restarted its dataserver or manager, and
    /// `host` was the master applications wrote to, with no other taking over meanwhile
    /// (under MAINTENANCE or MANUAL the managers do not fail over). Applications cannot
    /// write until it is back. Maintenance on the master starts with a `switch` that moves
    /// the role to a replica (Continuent docs *operations-maintenance-primary*).
    WritesPaused {
        /// The service (or active/passive composite) that could not take writes.
        service: ServiceId,
        /// The host the step took down or restarted.
        host: HostId,
        /// Whether `host` was a master applications wrote to before the step (else its
        /// outage paused writes another way: it ran the only connector, say).
        was_master: bool,
    },
    /// A composite's passive site had a relay carrying the active site's writes and has none
    /// after the step: its replicas receive nothing until a relay serves again. The passive
    /// site's half of [`Self::NoWritableMaster`]: the relay is its only source
    /// (Continuent docs *operations-status-roles*).
    NoRelay {
        /// The passive site.
        service: ServiceId,
    },
    /// A promotion left events behind: `host` holds events the new master `promoted` lacks.
    LostEvents {
        /// The host holding the events.
        host: HostId,
        /// The promoted master.
        promoted: HostId,
    },
    /// `master` takes writes as its service's master while `host` holds events it never
    /// received, that no earlier finding reported: whatever `master` writes forks the
    /// history away from them. A master whose managers' view is stale (its manager restarted
    /// alone after a failover it did not see) is how this happens.
    WritableBehind {
        /// The host holding the events.
        host: HostId,
        /// The writable master lacking them.
        master: HostId,
    },
    /// Provisioning `host` from `source` replaced events that no other datasource of its
    /// service holds, and that no promotion had already reported lost: they are gone.
    DiscardedEvents {
        /// The host provisioned.
        host: HostId,
        /// The host its data was copied from.
        source: HostId,
    },
    /// Restoring `host` from a backup (`datasource <ds> restore`) replaced events that no
    /// other datasource of its service holds, and that no promotion had already reported
    /// lost: the backup is older than its last event, so they are gone.
    RestoreDiscards {
        /// The datasource restored.
        host: HostId,
    },
    /// The master failed and no slave can be promoted: it stays FAILED until a slave can
    /// replace it or an operator brings a master back (`recover master using <ds>`). With
    /// `relay`, a passive site's relay failed and no slave can take the relay role.
    NoCandidate {
        /// The service.
        service: ServiceId,
        /// Whether what failed is a passive site's relay.
        relay: bool,
    },
    /// `set policy` at a composite reached none of `site`'s managers (down, stopped, or cut
    /// off from the session): the site keeps `policy` while the others changed. Its managers
    /// take the new policy only when it is set again where they are reached.
    PolicyKept {
        /// The site left out.
        site: ServiceId,
        /// The policy its managers' views keep.
        policy: PolicyMode,
    },
    /// `set policy` typed in a non-primary partition of `service` while a primary partition
    /// of its managers runs on the other side: the primary's view, which keeps `policy`,
    /// replaces the minority's when the network heals, and the policy set here with it.
    /// **Modelling decision**: the docs say only that the policy is dataservice-wide
    /// (*operations-policymodes*); the model merges views so (an independent review found
    /// the policy dropped on the heal with nothing said).
    PolicyOverridden {
        /// The service.
        service: ServiceId,
        /// The policy the primary partition keeps.
        policy: PolicyMode,
    },
    /// A service-wide recovery (`recover`, `recover master using`) did not recover this
    /// SHUNNED or FAILED datasource: it is still shunned or failed (a master that `recover
    /// master using` replaced is marked `SHUNNED(FAILED-OVER-TO-<new>)`), and `datasource
    /// <host> recover` would be refused, for `reason`.
    NotRecovered {
        /// The datasource left out.
        host: HostId,
        /// Why `datasource <host> recover` was refused, with what would make it legal.
        reason: Refusal,
    },
}

/// [`Finding::WritesPaused`] in words: the `switch` advice only where it helps, the master
/// restarted with a replica to take its role.
fn writes_paused(
    topology: &Topology,
    service: ServiceId,
    host: HostId,
    was_master: bool,
) -> String {
    let site = topology.host(host).service;
    let advice = if !was_master {
        ""
    } else if topology.datasource_set(site).len() > 1 {
        "; `switch` the master role to a replica first"
    } else {
        " (its service has no replica to take the writes meanwhile)"
    };
    format!(
        "{} has no writable master while {} restarts: applications cannot write until it is back{advice}",
        topology.service_name(service),
        topology.host_name(host)
    )
}

impl Finding {
    /// How serious it is.
    #[must_use]
    pub fn severity(&self) -> Severity {
        match self {
            Self::Invariant(_) => Severity::Error,
            _ => Severity::Warning,
        }
    }

    /// Its kind, as a runbook report names it ([`crate::runbook::ReportFinding::kind`]) before
    /// it weighs the state after the step: there `forced` may become
    /// `forced-across-partition`, and `invariant` `invariant-still-broken`. A tool matching
    /// on `machine::apply`'s findings can use the report's names (a library user's review).
    #[must_use]
    pub fn kind(&self) -> FindingKind {
        match self {
            Self::Invariant(_) => FindingKind::Invariant,
            Self::Forced { .. } => FindingKind::Forced,
            Self::Undone { .. } => FindingKind::Undone,
            Self::NoWritableMaster { .. } | Self::WritesPaused { .. } | Self::NoRelay { .. } => {
                FindingKind::Availability
            }
            Self::LostEvents { .. }
            | Self::WritableBehind { .. }
            | Self::DiscardedEvents { .. }
            | Self::RestoreDiscards { .. } => FindingKind::LostEvents,
            Self::NoCandidate { .. } => FindingKind::NoCandidate,
            Self::PolicyKept { .. } => FindingKind::NotReached,
            Self::PolicyOverridden { .. } => FindingKind::PolicyOverridden,
            Self::NotRecovered { .. } => FindingKind::NotRecovered,
        }
    }

    /// The finding in words.
    #[must_use]
    pub fn render(&self, topology: &Topology) -> String {
        match *self {
            Self::Invariant(v) => v.describe(topology),
            Self::Forced {
                service,
                unreachable,
            } => format!(
                "forced in {}: assumes {} {} down, not cut off by a partition",
                topology.service_name(service),
                host_names(topology, unreachable),
                if unreachable.len() == 1 { "is" } else { "are" }
            ),
            // The service named: at a composite, MAINTENANCE set on one site leaves the
            // other's policy as it was (an operator's review read "use MAINTENANCE first",
            // just after setting it on the other site, as a contradiction).
            Self::Undone { host, policy } => format!(
                "{policy} put {} back: the step does not last while {service} is in {policy}; `set policy maintenance` in {service} first (or, to keep it out of service, shun it)",
                topology.host_name(host),
                service = topology.service_name(topology.host(host).service)
            ),
            Self::NoWritableMaster { service } => format!(
                "{} has no writable master: applications cannot write",
                topology.service_name(service)
            ),
            Self::WritesPaused {
                service,
                host,
                was_master,
            } => writes_paused(topology, service, host, was_master),
            Self::NoRelay { service } => format!(
                "{} has no relay in service: its replicas receive none of the active site's writes until a relay replicates again",
                topology.service_name(service)
            ),
            Self::LostEvents { host, promoted } => format!(
                "{} holds events {} never received: they are lost to the new master (orphaned)",
                topology.host_name(host),
                topology.host_name(promoted)
            ),
            Self::WritableBehind { host, master } => format!(
                "{} holds events {} never received, and {} takes writes as the master: its writes fork the history away from them (orphaned)",
                topology.host_name(host),
                topology.host_name(master),
                topology.host_name(master)
            ),
            Self::DiscardedEvents { host, source } => format!(
                "provisioning {} from {} discards events of {}'s line that no other datasource on that line holds; they are lost, or kept only by a slave that can no longer read from it",
                topology.host_name(host),
                topology.host_name(source),
                topology.host_name(host)
            ),
            Self::RestoreDiscards { host } => format!(
                "restoring {} from a backup discards its events past the backup that no other datasource holds; they are lost",
                topology.host_name(host)
            ),
            Self::NoCandidate {
                service,
                relay: true,
            } => format!(
                "{}: the relay failed and no slave is eligible to take its role; the site's replicas receive nothing until the relay is recovered (`datasource <relay> recover`) or a slave is eligible (`failover`)",
                topology.service_name(service)
            ),
            Self::NoCandidate {
                service,
                relay: false,
            } => format!(
                "{}: the master failed and no slave is eligible for failover; it stays FAILED until a slave is eligible or an operator runs `recover master using <ds>`",
                topology.service_name(service)
            ),
            Self::PolicyKept { site, policy } => format!(
                "no manager of {} was reached: it keeps policy {policy} (set the policy again where its managers are reached, once they are back)",
                topology.service_name(site)
            ),
            Self::PolicyOverridden { service, policy } => format!(
                "set in a non-primary partition of {service}: the primary partition keeps policy {policy}, and its view replaces this one when the network heals (set the policy there, or again once the network is back)",
                service = topology.service_name(service)
            ),
            Self::NotRecovered { host, ref reason } => format!(
                "{} was not recovered: {} ({})",
                topology.host_name(host),
                reason.render(topology),
                reason.rule()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::invariant::Invariant;

    /// The kinds the findings carry are the report's: forced steps, and the four ways events
    /// are left behind, under one name each (a runbook report grades them again in context).
    #[test]
    fn findings_carry_the_reports_kinds() {
        let (Some(host), Some(other), Some(service)) = (
            HostId::from_index(0),
            HostId::from_index(1),
            ServiceId::from_index(0),
        ) else {
            panic!("indices 0 and 1 are in range");
        };
        let forced = Finding::Forced {
            service,
            unreachable: HostSet::of([other]),
        };
        assert_eq!(forced.kind(), FindingKind::Forced);
        for lost in [
            Finding::LostEvents {
                host,
                promoted: other,
            },
            Finding::WritableBehind {
                host,
                master: other,
            },
            Finding::RestoreDiscards { host },
        ] {
            assert_eq!(lost.kind(), FindingKind::LostEvents, "{lost:?}");
        }
    }

    /// Only a broken invariant is an error; everything else a transition finds is a warning
    /// (a runbook's report grades some of them again, in context).
    #[test]
    fn only_a_broken_invariant_is_an_error() {
        let (Some(host), Some(service)) = (HostId::from_index(0), ServiceId::from_index(0)) else {
            panic!("index 0 is in range");
        };
        let broken = Finding::Invariant(Violation {
            invariant: Invariant::SingleWritableMaster,
            service,
            hosts: HostSet::of([host]),
        });
        assert_eq!(broken.severity(), Severity::Error);
        for finding in [
            Finding::NotRecovered {
                host,
                reason: Refusal::HostDown { host },
            },
            Finding::NoWritableMaster { service },
            Finding::WritesPaused {
                service,
                host,
                was_master: true,
            },
            Finding::NoRelay { service },
            Finding::PolicyKept {
                site: service,
                policy: PolicyMode::Automatic,
            },
        ] {
            assert_eq!(finding.severity(), Severity::Warning, "{finding:?}");
        }
    }

    /// A view change names whose view it is by the group's size: one manager by its host, two
    /// or more as the managers on their hosts, and no group at all (`None`) or a group of no
    /// host (which the engine never writes, but an effect built by hand or read from JSON,
    /// `"view": 0`, may hold) adds nothing to the line: "the managers on no host" would
    /// name a view no manager keeps. Found by mutation testing: the line for an empty group
    /// was left unchecked.
    #[test]
    fn a_view_label_names_the_group_and_an_empty_group_adds_nothing() {
        let Ok(topology) = Topology::single("alpha", &["db1", "db2", "db3"]) else {
            panic!("a valid topology");
        };
        let [Some(db1), Some(db2), Some(db3)] = [0, 1, 2].map(HostId::from_index) else {
            panic!("indices 0 to 2 are in range");
        };
        let state = |view| Effect::State {
            host: db2,
            to: DsState::Offline,
            view,
        };
        let role = |view| Effect::Role {
            host: db2,
            from: DataSourceRole::Slave,
            to: DataSourceRole::Master,
            view,
        };
        let state_line = "DataSource 'db2' is now OFFLINE";
        let role_line = "SETTING THE ROLE OF DATASOURCE 'db2@alpha' FROM 'slave' TO 'master'";
        for (view, label) in [
            (None, ""),
            (Some(HostSet::EMPTY), ""),
            (Some(HostSet::of([db1])), " (in the view of db1's manager)"),
            (
                Some(HostSet::of([db2, db3])),
                " (in the view of the managers on db2 and db3)",
            ),
            (
                Some(HostSet::of([db1, db2, db3])),
                " (in the view of the managers on db1, db2 and db3)",
            ),
        ] {
            assert_eq!(
                state(view).render(&topology),
                format!("{state_line}{label}"),
                "{view:?}"
            );
            assert_eq!(
                role(view).render(&topology),
                format!("{role_line}{label}"),
                "{view:?}"
            );
        }
        let Ok(read) =
            serde_json::from_str::<Effect>(r#"{"state":{"host":1,"to":"Offline","view":0}}"#)
        else {
            panic!("an effect with an empty view label reads");
        };
        assert_eq!(read, state(Some(HostSet::EMPTY)));
        assert_eq!(read.render(&topology), state_line);
    }
}
