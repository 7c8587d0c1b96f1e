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

/// Why a number is no [`HostId`] or [`ServiceId`]: it is at or past the most a topology
/// holds ([`MAX_HOSTS`], [`MAX_SERVICES`]). What their `TryFrom<u8>` returns, and what reading
/// an id from JSON reports.
///
/// ```
/// use tungsten_model::model::{HostId, IdRangeError};
///
/// let error = HostId::try_from(8).unwrap_err();
/// assert_eq!(error, IdRangeError::Host { index: 8 });
/// assert_eq!(
///     error.to_string(),
///     "host id 8: expected below 8, the most a topology holds"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IdRangeError {
    /// A host id at or past [`MAX_HOSTS`].
    #[error("host id {index}: expected below {max}, the most a topology holds", max = MAX_HOSTS)]
    Host {
        /// The id given.
        index: u8,
    },
    /// A service id at or past [`MAX_SERVICES`].
    #[error("service id {index}: expected below {max}, the most a topology holds", max = MAX_SERVICES)]
    Service {
        /// The id given.
        index: u8,
    },
}

/// A host (datasource or witness) of a topology: its index in [`super::Topology::hosts`].
///
/// Read from JSON, an id at or past [`MAX_HOSTS`] is an error: no state can hold it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(try_from = "u8", into = "u8")]
pub struct HostId(pub(crate) u8);

impl TryFrom<u8> for HostId {
    type Error = IdRangeError;

    /// The id `index`, if it is below [`MAX_HOSTS`]; else [`IdRangeError::Host`].
    fn try_from(index: u8) -> Result<Self, Self::Error> {
        Self::from_index(usize::from(index)).ok_or(IdRangeError::Host { index })
    }
}

impl From<HostId> for u8 {
    fn from(id: HostId) -> Self {
        id.0
    }
}

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
///
/// Read from JSON, an id at or past [`MAX_SERVICES`] is an error: no state can hold it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(try_from = "u8", into = "u8")]
pub struct ServiceId(pub(crate) u8);

impl TryFrom<u8> for ServiceId {
    type Error = IdRangeError;

    /// The id `index`, if it is below [`MAX_SERVICES`]; else [`IdRangeError::Service`].
    fn try_from(index: u8) -> Result<Self, Self::Error> {
        Self::from_index(usize::from(index)).ok_or(IdRangeError::Service { index })
    }
}

impl From<ServiceId> for u8 {
    fn from(id: ServiceId) -> Self {
        id.0
    }
}

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

/// A set of hosts of one topology, as a bitmask: `Copy`, no heap. Serialised as the bitmask
/// (bit `i` for the host of index `i`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HostSet(u8);

impl HostSet {
    /// The empty set.
    pub const EMPTY: Self = Self(0);

    /// The set holding `hosts`.
    #[inline]
    pub fn of(hosts: impl IntoIterator<Item = HostId>) -> Self {
        let mut set = Self::EMPTY;
        for h in hosts {
            set.insert(h);
        }
        set
    }

    /// Add `host`.
    #[inline]
    pub fn insert(&mut self, host: HostId) {
        if host.index() < MAX_HOSTS {
            self.0 |= 1 << host.0;
        }
    }

    /// Remove `host`.
    #[inline]
    pub fn remove(&mut self, host: HostId) {
        if host.index() < MAX_HOSTS {
            self.0 &= !(1 << host.0);
        }
    }

    /// Whether `host` is in the set.
    #[must_use]
    #[inline]
    pub fn contains(self, host: HostId) -> bool {
        host.index() < MAX_HOSTS && self.0 & (1 << host.0) != 0
    }

    /// How many hosts the set holds.
    #[must_use]
    #[inline]
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether the set is empty.
    #[must_use]
    #[inline]
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The hosts in both `self` and `other`.
    #[must_use]
    #[inline]
    pub fn intersection(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// The hosts in `self`, `other` or both.
    #[must_use]
    #[inline]
    pub(crate) fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// The hosts, lowest id first.
    #[inline]
    #[must_use]
    pub fn iter(self) -> HostSetIter {
        HostSetIter(self.0)
    }

    /// The lowest host in the set.
    #[must_use]
    #[inline]
    pub fn first(self) -> Option<HostId> {
        self.iter().next()
    }
}

/// The hosts of a [`HostSet`], lowest id first: [`HostSet::iter`], or a `for` loop over the
/// set.
#[derive(Debug, Clone)]
pub struct HostSetIter(u8);

impl Iterator for HostSetIter {
    type Item = HostId;

    #[inline]
    fn next(&mut self) -> Option<HostId> {
        let index = self.0.trailing_zeros() as usize;
        // Clear the lowest set bit; an empty set has no bit below 8.
        self.0 &= self.0.wrapping_sub(1);
        HostId::from_index(index)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let len = self.0.count_ones() as usize;
        (len, Some(len))
    }
}

impl ExactSizeIterator for HostSetIter {}

impl IntoIterator for HostSet {
    type Item = HostId;
    type IntoIter = HostSetIter;

    fn into_iter(self) -> HostSetIter {
        self.iter()
    }
}

/// The set's hosts by id, as a set: `{HostId(0), HostId(2)}` (its bitmask says little).
impl fmt::Debug for HostSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl FromIterator<HostId> for HostSet {
    fn from_iter<I: IntoIterator<Item = HostId>>(iter: I) -> Self {
        Self::of(iter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Removing a host takes out that host only, and an id past the capacity (only a
    /// deserialised input holds one) is in no set and changes none (cargo-mutants: the bound
    /// moved by one, or the shift in `remove` turned around, went unnoticed).
    #[test]
    fn host_sets_remove_one_host_and_ignore_ids_past_the_capacity() {
        let mut set = HostSet::of([HostId(0), HostId(1), HostId(7)]);
        set.remove(HostId(1));
        assert_eq!(set, HostSet::of([HostId(0), HostId(7)]));
        set.remove(HostId(1));
        assert_eq!(set.len(), 2);
        let past = HostId(8);
        set.insert(past);
        set.remove(past);
        assert!(!set.contains(past));
        assert_eq!(set, HostSet::of([HostId(0), HostId(7)]));
        assert!(set.contains(HostId(7)));
    }

    #[test]
    fn ids_print_their_kind_and_index() {
        let (h, s) = (
            HostId::from_index(2).unwrap(),
            ServiceId::from_index(1).unwrap(),
        );
        assert_eq!(
            (h.to_string(), s.to_string()),
            ("host#2".to_owned(), "service#1".to_owned())
        );
        assert_eq!(HostId::from_index(MAX_HOSTS), None);
        assert_eq!(ServiceId::from_index(MAX_SERVICES), None);
    }

    #[test]
    fn a_host_set_adds_and_removes() {
        let [a, b] = [0, 3].map(|i| HostId::from_index(i).unwrap());
        let mut set = HostSet::EMPTY;
        set.insert(a);
        set.insert(b);
        assert!(set.contains(a) && set.contains(b));
        set.remove(a);
        assert!(!set.contains(a) && set.contains(b));
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn a_host_set_iterates_its_hosts_lowest_first() {
        let ids = |set: HostSet| set.iter().map(HostId::index).collect::<Vec<_>>();
        assert_eq!(ids(HostSet::EMPTY), Vec::<usize>::new());
        assert_eq!(ids(HostSet::of([5, 0, 2].map(HostId))), [0, 2, 5]);
        let full = HostSet::of((0..MAX_HOSTS).filter_map(HostId::from_index));
        assert_eq!(ids(full), (0..MAX_HOSTS).collect::<Vec<_>>());
        assert_eq!(full.first(), HostId::from_index(0));
        assert_eq!(HostSet::EMPTY.first(), None);
        // A `for` loop over the set, its exact length, and a `Debug` that lists the hosts.
        let set = HostSet::of([5, 0, 2].map(HostId));
        let mut looped = Vec::new();
        for h in set {
            looped.push(h.index());
        }
        assert_eq!(looped, [0, 2, 5]);
        assert_eq!(set.iter().len(), 3);
        assert_eq!(format!("{set:?}"), "{HostId(0), HostId(2), HostId(5)}");
        assert_eq!(serde_json::to_string(&set).unwrap(), "37");
    }

    /// Ids read from JSON stay below the bounds: a host id of 8 or more, a service id of 4 or
    /// more, is an error naming the id (an embedder's review found a state read with one
    /// sending `apply` into a loop); ids below read back as written.
    #[test]
    fn ids_read_from_json_are_bounded() {
        let host = |text: &str| serde_json::from_str::<HostId>(text).map_err(|e| e.to_string());
        let service =
            |text: &str| serde_json::from_str::<ServiceId>(text).map_err(|e| e.to_string());
        assert_eq!(host("7"), Ok(HostId(7)));
        assert_eq!(serde_json::to_string(&HostId(7)).unwrap(), "7");
        assert_eq!(
            host("8"),
            Err("host id 8: expected below 8, the most a topology holds".to_owned())
        );
        assert!(host("255").is_err());
        assert_eq!(service("3"), Ok(ServiceId(3)));
        assert_eq!(
            service("4"),
            Err("service id 4: expected below 4, the most a topology holds".to_owned())
        );
    }

    /// `TryFrom<u8>` for the ids returns an [`IdRangeError`] whose variant says which kind of
    /// id was out of range and holds the number given; every number below the bound converts.
    #[test]
    fn ids_out_of_range_are_structured_errors() {
        for index in 0..=u8::MAX {
            match HostId::try_from(index) {
                Ok(id) => assert_eq!(id.index(), usize::from(index)),
                Err(IdRangeError::Host { index: given }) => {
                    assert_eq!(given, index);
                    assert!(usize::from(index) >= MAX_HOSTS);
                }
                Err(other) => panic!("{index}: {other:?}"),
            }
            match ServiceId::try_from(index) {
                Ok(id) => assert_eq!(id.index(), usize::from(index)),
                Err(IdRangeError::Service { index: given }) => {
                    assert_eq!(given, index);
                    assert!(usize::from(index) >= MAX_SERVICES);
                }
                Err(other) => panic!("{index}: {other:?}"),
            }
        }
        assert_eq!(
            ServiceId::try_from(255).unwrap_err().to_string(),
            "service id 255: expected below 4, the most a topology holds"
        );
    }
}
