//! Small ids that the dynamic state uses in place of names. The [`Topology`](super::Topology)
//! maps them back to names.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The most hosts (datasources and witnesses, over every service) one topology may hold.
///
/// The dynamic state keeps fixed-size arrays of this length so that it is `Copy`, needs no
/// heap and hashes quickly for exhaustive exploration. Eight covers a three-node cluster with
/// witnesses, a five-node cluster, and two three-node sites of a multisite setup.
pub const MAX_HOSTS: usize = 8;

/// The most services (physical and composite) one topology may hold.
pub const MAX_SERVICES: usize = 4;

/// A host (datasource or witness) of a topology: its index in [`super::Topology::hosts`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct HostId(pub(crate) u8);

impl HostId {
    /// The index of the host in its topology.
    #[must_use]
    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    /// The id of the host at `index`, if `index` is below [`MAX_HOSTS`].
    #[must_use]
    pub fn from_index(index: usize) -> Option<Self> {
        (index < MAX_HOSTS)
            .then(|| u8::try_from(index).ok())
            .flatten()
            .map(Self)
    }
}

impl fmt::Display for HostId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "host#{}", self.0)
    }
}

/// A service of a topology: its index in [`super::Topology::services`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct ServiceId(pub(crate) u8);

impl ServiceId {
    /// The index of the service in its topology.
    #[must_use]
    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    /// The id of the service at `index`, if `index` is below [`MAX_SERVICES`].
    #[must_use]
    pub fn from_index(index: usize) -> Option<Self> {
        (index < MAX_SERVICES)
            .then(|| u8::try_from(index).ok())
            .flatten()
            .map(Self)
    }
}

impl fmt::Display for ServiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "service#{}", self.0)
    }
}

/// A reason text that a listing carried and the model does not interpret (an unknown shun
/// reason, a failure reason it cannot read): its index in the topology, read back with [`super::Topology::reason`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct ReasonId(pub(crate) u8);

impl ReasonId {
    /// The index of the reason in its topology.
    #[must_use]
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}
