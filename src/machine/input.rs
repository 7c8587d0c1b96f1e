//! The engine's input alphabet: commands and faults resolved to ids. `Copy`, no heap, so the
//! explorer can hold and apply millions of them.

use serde::{Deserialize, Serialize};

use crate::command::{DatasourceAction, Lifecycle, ResetScope, TpmAction};
use crate::fault::Fault;
use crate::model::{HostId, PolicyMode, ReplicatorRole, ReplicatorState, Seqno, ServiceId};

/// Which install of a host a command addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Install {
    /// The cluster install (`/opt/continuent`).
    Cluster,
    /// The cross-site replicator install (`/opt/replicator`).
    CrossSite,
}

impl Install {
    /// The service this install of `host` replicates, the one `trepctl -service` names: the
    /// host's own for the cluster install, the other site's for the cross-site one (`None`
    /// when the host has no cross-site replicator).
    pub(crate) fn service(
        self,
        topology: &crate::model::Topology,
        host: HostId,
    ) -> Option<ServiceId> {
        let spec = topology.host(host);
        match self {
            Self::Cluster => Some(spec.service),
            Self::CrossSite => spec.cross_site_from,
        }
    }
}

/// A resolved `replicator <ds> ...` action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReplicatorOp {
    /// `online`.
    Online,
    /// `offline`.
    Offline,
    /// `master`.
    Master,
    /// `slave [<master>]`: the master resolved (given, or the ONLINE master).
    Slave(Option<HostId>),
    /// `relay [<source>]`.
    Relay(Option<HostId>),
    /// `start`, `stop`, `restart`.
    Process(Lifecycle),
}

/// A resolved cctrl command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CctrlOp {
    /// `set policy`.
    SetPolicy(PolicyMode),
    /// `set force`.
    SetForce(bool),
    /// `use` / `cd`.
    Use(ServiceId),
    /// `datasource <ds> <action>` (and `set master <ds>` as `Master`).
    Datasource(HostId, DatasourceAction),
    /// `replicator <ds> <action>`.
    Replicator(HostId, ReplicatorOp),
    /// `router <host|*> online|offline`: `None` is `*`.
    Router(Option<HostId>, bool),
    /// `recover`.
    Recover,
    /// `recover master using <ds>`.
    RecoverMasterUsing(HostId),
    /// `switch [to <ds>]`.
    Switch(Option<HostId>),
    /// `failover [to <ds>]`.
    Failover(Option<HostId>),
    /// `cluster heartbeat`.
    Heartbeat,
    /// `switch [to <site>]` typed at an active/passive composite (`use <composite>`): the
    /// Active role moves to a passive site, its relay becoming the master and the old master
    /// the relay of its site ([`super`]'s composite rules).
    SwitchSite(Option<ServiceId>),
    /// `failover [to <site>]` typed at an active/passive composite: a passive site's relay
    /// becomes the master in place of an active site that is lost; the lost site is
    /// superseded.
    FailoverSite(Option<ServiceId>),
    /// `recover` typed at an active/passive composite: a superseded site comes back as a
    /// passive site, its old master the relay.
    RecoverSites,
    /// `datasource <site> <action>` typed at an active/passive composite: `fail`, `offline`,
    /// `shun`, `online`, `welcome` or `recover` (any other action is refused there).
    SiteDatasource(ServiceId, DatasourceAction),
    /// `ls`, `expert`, `physical`: nothing changes.
    Inspect,
}

/// A resolved trepctl action on one replicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TrepctlOp {
    /// `online`.
    Online,
    /// `online -skip-seqno S`: `online`, leaving out the events listed; `lowest` and `highest`
    /// bound the seqnos listed (printed back as the range between them). Which events are left
    /// out is not tracked: a replicator that applies to its dataserver has its data marked
    /// drifted, as Continuent docs *operations-transactions-skipping* warn that skipping leaves
    /// the replica inconsistent, unless every seqno listed is at or behind what it applied
    /// already: the skip list acts on the events still to apply (the same page), so nothing is
    /// left out (an operator review found a false drift there). Between the two, any seqno
    /// listed past the applied position counts as skipped (**modelling decision**: the
    /// conservative side, even where that seqno was never to be applied).
    OnlineSkipping {
        /// The lowest seqno listed.
        lowest: Seqno,
        /// The highest seqno listed.
        highest: Seqno,
    },
    /// `online -base-seqno N`: `online` of a master whose extraction restarts at seqno `N`
    /// (kept to print the command back; where it restarts is not tracked). Refused on a
    /// replicator that applies: Continuent docs *cmdline-tools-trepctl-command-online* give
    /// `-base-seqno` for a Primary, and trepctl refuses it in slave role (on a slave
    /// `tungsten_set_position` sets the position); that a relay or a thl-client/-applier is
    /// refused too is a **modelling decision**, the docs' reading.
    OnlineFromBaseSeqno(Seqno),
    /// `offline`.
    Offline,
    /// `offline-deferred [-at-...]`: `offline` once its point is reached, taken as reached at
    /// once (time is not modelled). On a replicator that is not ONLINE it changes nothing
    /// (refused as no change): Continuent docs *cmdline-tools-trepctl-command-offline-deferred*
    /// say trepctl ignores it then, so unlike `offline` it does not clear OFFLINE:ERROR.
    OfflineDeferred,
    /// `reset` with what it clears.
    Reset(ResetScope),
    /// `setrole -role R [-uri thl://M/]`.
    SetRole(ReplicatorRole, Option<HostId>),
    /// `flush`.
    Flush,
    /// `heartbeat`.
    Heartbeat,
    /// `wait -state S`: nothing changes, and it is refused when the replicator is not in `S`:
    /// nothing happens in the model while trepctl waits, so the wait would run out
    /// (**modelling decision**). `S` is `OFFLINE` for a wait that either offline state ends
    /// (trepctl's `wait -state OFFLINE`).
    Wait(ReplicatorState),
    /// `status`, `services`, `wait -applied`: nothing changes.
    Inspect,
}

/// A resolved host command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum HostOp {
    /// `startall` of an install.
    StartAll(Install),
    /// `stopall` of an install.
    StopAll(Install),
    /// `manager start|stop|restart`.
    Manager(Lifecycle),
    /// `replicator start|stop|restart` of an install.
    Replicator(Install, Lifecycle),
    /// `replicator start|restart offline` of an install: the replicator starts with its
    /// services OFFLINE:NORMAL, where a plain start brings them ONLINE; a cluster replicator's
    /// managers then bring it online unless in MAINTENANCE (*trepctl-offline*).
    ReplicatorStartOffline {
        /// Which install's replicator.
        install: Install,
        /// `restart offline`: stopped first if it runs.
        restart: bool,
    },
    /// `connector start|stop|restart`.
    Connector(Lifecycle),
    /// The dataserver started, stopped or restarted (`systemctl start mysqld`).
    DataServer(Lifecycle),
    /// The host restarted (`reboot`: down, then back with the services its boot starts) or
    /// halted (down), its managers reacting while it is down.
    Power {
        /// A reboot, not a halt.
        reboot: bool,
    },
    /// Provisioning from `source`.
    Provision {
        /// The source host.
        source: HostId,
    },
    /// `tpm`.
    Tpm(TpmAction),
    /// A write to the host's own dataserver with the `mysql` client
    /// ([`crate::command::HostAction::SqlWrite`]), not through a connector.
    SqlWrite,
    /// A tool that only reads and prints ([`crate::command::HostAction::Inspect`]): refused
    /// on a host that is down, else it changes nothing.
    Inspect,
    /// An executable the model does not know.
    NotModelled,
}

/// One input to the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Input {
    /// A cctrl command typed into the manager on `at`.
    Cctrl {
        /// The host whose manager the session is connected to.
        at: HostId,
        /// The command.
        op: CctrlOp,
    },
    /// A cctrl command piped into a new cctrl session on `at` (`echo '<command>' | cctrl` in a
    /// shell there). The new session starts in the host's own service without `set force`,
    /// and ends with the command: a `use` or `set force` in it does not reach the interactive
    /// session of [`Input::Cctrl`], which stays as it was (Continuent docs *cmdline-tools-cctrl*:
    /// `use` and `set force` hold for the session they are typed in; an independent review
    /// found a piped command run in the interactive session's service).
    PipedCctrl {
        /// The host whose manager the new session connects to.
        at: HostId,
        /// The command.
        op: CctrlOp,
    },
    /// A trepctl command run on `on` against the replicator of `target`, install `install`.
    Trepctl {
        /// The host it is run on.
        on: HostId,
        /// The host whose replicator it addresses (`-host`, or `on`).
        target: HostId,
        /// Which install's replicator.
        install: Install,
        /// The action.
        op: TrepctlOp,
    },
    /// A host command run on `on`.
    Host {
        /// The host.
        on: HostId,
        /// The command.
        op: HostOp,
    },
    /// A fault or world event.
    Fault(Fault),
}

impl Input {
    /// Whether an operator typed this input (as opposed to a fault).
    #[must_use]
    pub fn is_operator(&self) -> bool {
        !matches!(self, Self::Fault(_))
    }

    /// Whether this input is a fault that breaks something ([`Fault::is_failure`]).
    #[must_use]
    pub fn is_failure(&self) -> bool {
        matches!(self, Self::Fault(fault) if fault.is_failure())
    }

    /// The host an operator input runs from.
    #[must_use]
    pub fn origin(&self) -> Option<HostId> {
        match self {
            Self::Cctrl { at, .. } | Self::PipedCctrl { at, .. } => Some(*at),
            Self::Trepctl { on, .. } | Self::Host { on, .. } => Some(*on),
            Self::Fault(_) => None,
        }
    }
}
