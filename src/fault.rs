//! Faults and world events: what happens to a deployment without an operator typing anything.
//!
//! They are inputs in the same alphabet as commands, so a test or the explorer can interleave
//! them freely. A world event that would change nothing is refused like a command, so that a
//! sequence never holds steps that do nothing.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::{HostId, MAX_HOSTS, Topology};

mod event;
pub use event::{Event, EventError};

/// A process of a host that a fault can stop or start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Process {
    /// The Tungsten manager.
    Manager,
    /// The cluster-install replicator.
    Replicator,
    /// The connector.
    Connector,
    /// The dataserver (`MySQL`).
    DataServer,
}

impl fmt::Display for Process {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Manager => "manager",
            Self::Replicator => "replicator",
            Self::Connector => "connector",
            Self::DataServer => "dataserver",
        })
    }
}

/// How a partition splits the hosts: a group label per host (hosts with one label reach each
/// other). Labels are made canonical on construction, and when read from JSON, so two equal
/// splits compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "[u8; MAX_HOSTS]")]
pub struct Split([u8; MAX_HOSTS]);

impl From<[u8; MAX_HOSTS]> for Split {
    /// [`Split::from_labels`]: a split read from JSON is made canonical (a library user's
    /// review found `[0, 0, 200, ...]` and `[0, 0, 2, ...]` unequal as inputs, though one
    /// partition).
    fn from(labels: [u8; MAX_HOSTS]) -> Self {
        Self::from_labels(labels)
    }
}

impl Split {
    /// The split that puts each host of `groups` in the group of that index; hosts not named
    /// stay with the first group.
    #[must_use]
    pub fn new(groups: &[&[HostId]]) -> Self {
        let mut labels = [0_u8; MAX_HOSTS];
        for (label, group) in groups.iter().enumerate() {
            for h in *group {
                if let Some(slot) = labels.get_mut(h.index()) {
                    *slot = u8::try_from(label).unwrap_or(u8::MAX);
                }
            }
        }
        Self::from_labels(labels)
    }

    /// The split given by raw labels, made canonical (each label becomes the index of the
    /// first host carrying it).
    #[must_use]
    pub fn from_labels(labels: [u8; MAX_HOSTS]) -> Self {
        let mut canonical = [0_u8; MAX_HOSTS];
        for (i, label) in labels.iter().enumerate() {
            let first = labels.iter().position(|l| l == label).unwrap_or(i);
            canonical[i] = u8::try_from(first).unwrap_or(0);
        }
        Self(canonical)
    }

    /// The canonical labels.
    #[must_use]
    pub fn labels(&self) -> [u8; MAX_HOSTS] {
        self.0
    }

    /// The same split of the first `hosts` hosts, with every later slot (a host the topology
    /// does not have) put with host 0: what the engine keeps, so that two splits that group a
    /// topology's hosts alike are one state.
    #[must_use]
    pub fn within(&self, hosts: usize) -> Self {
        // Canonical first (every constructor makes it so; kept against a split built some
        // other way): zeroing later slots of raw labels would leave them a label other than
        // host 0's (found in review: raw labels `[5, 0, 5]` over three hosts put the later
        // slots with host 1).
        let mut labels = Self::from_labels(self.0).0;
        for slot in labels.iter_mut().skip(hosts) {
            *slot = 0;
        }
        Self(labels)
    }

    /// Whether this split separates anything among the first `hosts` hosts.
    #[must_use]
    pub fn separates(&self, hosts: usize) -> bool {
        self.0.iter().take(hosts).any(|&l| l != 0)
    }

    /// The groups among `topology`'s hosts, in the order of their first hosts, each in
    /// topology order.
    #[must_use]
    pub fn groups(&self, topology: &Topology) -> Vec<Vec<HostId>> {
        let mut groups: Vec<Vec<HostId>> = Vec::new();
        let mut labels: Vec<u8> = Vec::new();
        for h in topology.host_ids() {
            let label = self.0[h.index()];
            match labels.iter().position(|&l| l == label) {
                Some(i) => groups[i].push(h),
                None => {
                    labels.push(label);
                    groups.push(vec![h]);
                }
            }
        }
        groups
    }

    /// The groups among `topology`'s hosts, as text: `{db1} | {db2, db3}`.
    #[must_use]
    pub fn describe(&self, topology: &Topology) -> String {
        self.groups(topology)
            .iter()
            .map(|g| {
                let names: Vec<&str> = g.iter().map(|&h| topology.host_name(h).as_str()).collect();
                format!("{{{}}}", names.join(", "))
            })
            .collect::<Vec<_>>()
            .join(" | ")
    }
}

/// A fault or world event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Fault {
    /// The host goes down: everything on it stops. Its data stays.
    HostCrash(HostId),
    /// The host comes back with the processes an install starts at boot: manager, connector,
    /// dataserver, the cluster replicator (OFFLINE:NORMAL, for its manager to bring online)
    /// and a cross-site replicator (online). **Modelling decision**: Tungsten is installed with
    /// boot scripts, so "a host comes back" means its services come back too.
    HostRestart(HostId),
    /// A process stops (crash or kill).
    Stop(HostId, Process),
    /// A stopped process starts again on a host that is up.
    Start(HostId, Process),
    /// The cluster replicator hits an error: ONLINE → OFFLINE:ERROR.
    ReplicatorError(HostId),
    /// The network splits into groups.
    Partition(Split),
    /// The network heals.
    Heal,
    /// A client writes through the connectors to the master on `host`: its seqno advances by
    /// one. Refused unless `host` is a writable master.
    Write(HostId),
    /// Something writes into `host`'s dataserver behind replication's back (a direct write on a
    /// slave, a conflicting write on another site): its data drifts. Refused when it already
    /// has.
    Drift(HostId),
    /// The cluster replicator of `host` catches up with its master: it applies every event the
    /// master has (if its own position is in the master's history; otherwise it stops with an
    /// error). Refused when already caught up or not replicating.
    CatchUp(HostId),
    /// The cross-site replicator of `host` catches up with the master of the site it reads.
    CrossSiteCatchUp(HostId),
}

impl Fault {
    /// The host it befalls; `None` for the network splitting or healing (a split is made to
    /// fit the topology, [`Split::within`], so it names no host past the last).
    #[must_use]
    pub fn host(&self) -> Option<HostId> {
        match *self {
            Self::HostCrash(h)
            | Self::HostRestart(h)
            | Self::Stop(h, _)
            | Self::Start(h, _)
            | Self::ReplicatorError(h)
            | Self::Write(h)
            | Self::Drift(h)
            | Self::CatchUp(h)
            | Self::CrossSiteCatchUp(h) => Some(h),
            Self::Partition(_) | Self::Heal => None,
        }
    }

    /// Whether this fault breaks something: a host crashing, a process stopping, a replicator
    /// error, the network splitting, data drifting. Its opposites (a host coming back, a
    /// process starting, the network healing) and the world's normal work (writes, catching
    /// up) are not failures. This is what a failure budget counts
    /// ([`crate::explore::Config::max_failures`]).
    #[must_use]
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Self::HostCrash(_)
                | Self::Stop(..)
                | Self::ReplicatorError(_)
                | Self::Partition(_)
                | Self::Drift(_)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A split read from JSON is made canonical, so it equals (and hashes as) the split built
    /// for the same groups; within a topology every slot past the last host is put with host
    /// 0, as a canonical split's are.
    #[test]
    fn a_split_read_from_json_is_made_canonical_within_a_topology() {
        let raw: Split = serde_json::from_str("[5, 0, 5, 0, 0, 0, 0, 0]").unwrap();
        assert_eq!(raw.labels(), [0, 1, 0, 1, 1, 1, 1, 1]);
        let read: Split = serde_json::from_str("[0, 0, 200, 0, 0, 0, 0, 0]").unwrap();
        let built = Split::new(&[&[], &[HostId::from_index(2).unwrap_or_default()]]);
        assert_eq!(read, built);
        assert_eq!(serde_json::to_string(&read).unwrap(), "[0,0,2,0,0,0,0,0]");
        assert_eq!(raw.within(3).labels(), [0, 1, 0, 0, 0, 0, 0, 0]);
        let canonical = Split::from_labels([0, 1, 0, 3, 3, 0, 0, 0]);
        assert_eq!(canonical.within(4).labels(), [0, 1, 0, 3, 0, 0, 0, 0]);
    }

    /// Failures break something; recoveries and the world's normal work do not.
    #[test]
    fn failures_are_what_breaks_something() {
        let h = HostId::from_index(1).unwrap_or_default();
        let failures = [
            Fault::HostCrash(h),
            Fault::Stop(h, Process::Replicator),
            Fault::Stop(h, Process::Connector),
            Fault::ReplicatorError(h),
            Fault::Partition(Split::from_labels([0, 1, 0, 0, 0, 0, 0, 0])),
            Fault::Drift(h),
        ];
        let others = [
            Fault::HostRestart(h),
            Fault::Start(h, Process::Manager),
            Fault::Heal,
            Fault::Write(h),
            Fault::CatchUp(h),
            Fault::CrossSiteCatchUp(h),
        ];
        assert!(failures.iter().all(Fault::is_failure));
        assert!(!others.iter().any(Fault::is_failure));
    }
}
