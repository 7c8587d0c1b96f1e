//! The static topology: services, sites, hosts, witnesses, connectors and installs.
//!
//! The topology holds every name; the dynamic [`State`](super::State) refers to hosts and
//! services by [`HostId`] and [`ServiceId`] only, so it stays small, `Copy` and quick to hash.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::ids::{HostId, HostSet, MAX_HOSTS, MAX_SERVICES, ReasonId, ServiceId};
use super::{HostName, ReasonText, ServiceName};

/// The cluster install root every host has by default (`/opt/continuent`).
pub const DEFAULT_CLUSTER_ROOT: &str = "/opt/continuent";
/// The cross-site replicator install root of a pre-6.x multisite setup (`/opt/replicator`).
pub const DEFAULT_CROSS_SITE_ROOT: &str = "/opt/replicator";

/// The executable prefix of the cross-site install: tpm's `executable-prefix=mm`, which the
/// Multi-Site/Active-Active procedures assume (`mm_trepctl`, `mm_replicator`). Source:
/// Continuent docs *deployment-startupdown-msmm-replicator* (6.1) and
/// *operations-msmm-resetsingle* (7.0).
pub const DEFAULT_CROSS_SITE_PREFIX: &str = "mm";

/// What runs on a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum HostKind {
    /// A database node: dataserver, replicator and manager (and usually a connector).
    DataSource,
    /// An active witness: a manager that votes for quorum and holds no data
    /// (Continuent docs, *manager-failover-failsafe-shun*; passive witnesses were removed in 6.2
    /// and are not modelled).
    Witness,
    /// An application host that runs a connector only.
    ConnectorOnly,
}

/// One host of the topology.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Host {
    /// Its name, which is also its datasource name.
    pub name: HostName,
    /// The physical service it belongs to.
    pub service: ServiceId,
    /// What runs on it.
    pub kind: HostKind,
    /// Whether it runs a connector (router).
    pub connector: bool,
    /// Failover precedence (`resourcePrecedence`): on a tie of positions the lower number wins.
    pub precedence: u8,
    /// The cross-site replicator service this host runs under the cross-site root, if any:
    /// the service it replicates from (on a west host, service `east`).
    pub cross_site_from: Option<ServiceId>,
}

impl Host {
    /// Whether the host holds data and runs a replicator.
    #[must_use]
    pub fn is_datasource(&self) -> bool {
        self.kind == HostKind::DataSource
    }

    /// Whether the host runs a manager (datasources and witnesses).
    #[must_use]
    pub fn has_manager(&self) -> bool {
        matches!(self.kind, HostKind::DataSource | HostKind::Witness)
    }
}

/// One service of the topology.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Service {
    /// Its name.
    pub name: ServiceName,
    /// Physical, or composite over physical members.
    pub kind: ServiceKind,
}

/// Whether a service is physical (holds datasources) or composite (holds services).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ServiceKind {
    /// A physical dataservice (a cluster, a site).
    Physical,
    /// A composite dataservice over physical members (active/passive sites).
    Composite {
        /// The member services.
        members: Vec<ServiceId>,
    },
}

/// Where the installs live on every host.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InstallRoots {
    /// The cluster install (manager, replicator, connector), `/opt/continuent` by default.
    pub cluster: String,
    /// The cross-site replicator install of a pre-6.x multisite setup, `/opt/replicator` by
    /// default.
    pub cross_site: String,
    /// The prefix the cross-site install's tools are called by from any directory
    /// (`<prefix>_trepctl`, `<prefix>_replicator`), [`DEFAULT_CROSS_SITE_PREFIX`] by default.
    #[serde(default = "default_cross_site_prefix")]
    pub cross_site_prefix: String,
}

fn default_cross_site_prefix() -> String {
    DEFAULT_CROSS_SITE_PREFIX.to_owned()
}

impl Default for InstallRoots {
    fn default() -> Self {
        Self {
            cluster: DEFAULT_CLUSTER_ROOT.to_owned(),
            cross_site: DEFAULT_CROSS_SITE_ROOT.to_owned(),
            cross_site_prefix: default_cross_site_prefix(),
        }
    }
}

/// Manager properties that change how faults are handled (`tpm --property=...`).
///
/// Source: Continuent docs *operations-fencing-replicas*, *operations-fencing-primary*,
/// *manager-failover-tuning*.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ManagerOptions {
    /// `policy.fence.slaveReplicator`: a slave whose replicator stops or fails is put OFFLINE
    /// (and back ONLINE when the replicator recovers). Off by default.
    #[serde(default)]
    pub fence_slave_replicator: bool,
    /// `policy.fence.masterReplicator`: a master whose replicator stops or fails is marked
    /// FAILED, which triggers failover under AUTOMATIC. Off by default.
    #[serde(default)]
    pub fence_master_replicator: bool,
}

/// Why a topology was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[non_exhaustive]
pub enum TopologyError {
    /// A name that is not a valid service or host name.
    #[error(transparent)]
    Name(#[from] super::NameError),
    /// Two services or two hosts share a name, ignoring case (**modelling decision**: host
    /// names are DNS names, which ignore case, RFC 4343; a service and a host named alike
    /// would read the same in cctrl).
    #[error(
        "`{0}` is declared twice: expected every service and host name to be unique, ignoring case"
    )]
    Duplicate(String),
    /// A name refers to a service the topology does not declare.
    #[error("service `{0}` is not declared: expected one of the topology's services")]
    UnknownService(String),
    /// More hosts than the model's fixed capacity.
    #[error("{count} hosts declared: the model holds at most {max}", max = MAX_HOSTS)]
    TooManyHosts {
        /// How many were declared.
        count: usize,
    },
    /// More services than the model's fixed capacity.
    #[error("{count} services declared: the model holds at most {max}", max = MAX_SERVICES)]
    TooManyServices {
        /// How many were declared.
        count: usize,
    },
    /// More distinct free-text reasons than ids.
    #[error("too many distinct reason texts: the model holds at most 256")]
    TooManyReasons,
    /// A composite names a member that is not a physical service.
    #[error(
        "composite `{composite}` names `{member}`, which is not a physical service: expected physical members"
    )]
    BadMember {
        /// The composite.
        composite: String,
        /// The member.
        member: String,
    },
    /// A composite with no member, a member named twice, or a site that is a member of two
    /// composites (an independent review found each accepted: a duplicate gave a site that
    /// relayed itself, two composites two relays reading each other).
    #[error("composite `{composite}` is invalid: {why}")]
    BadComposite {
        /// The composite.
        composite: String,
        /// What is wrong.
        why: String,
    },
    /// A cross-site service that would replicate a site into itself, or a host with two.
    #[error("cross-site service `{from}` into `{to}` is invalid: {why}")]
    BadCrossSite {
        /// Source site.
        from: String,
        /// Target site.
        to: String,
        /// What is wrong.
        why: String,
    },
    /// No physical service: a topology holds at least one datasource (its accessors index
    /// its hosts and services, and every model state describes some).
    #[error("no service: expected at least one service with a datasource")]
    NoService,
    /// A physical service without any datasource.
    #[error("service `{0}` has no datasource: expected at least one")]
    EmptyService(String),
    /// Install roots that commands could not tell apart or type: the cluster and cross-site
    /// roots the same path (a command's path names its install by its root), a root holding
    /// a blank or a control character (a command line under it does not read back as one
    /// executable) or ending in `/` (a command's path names its root without the slash), or
    /// a cross-site prefix that is empty or holds other than letters, digits,
    /// `-` and `_`.
    #[error("install roots are invalid: {0}")]
    BadInstallRoots(String),
    /// A connector or precedence entry names a host the service does not have.
    #[error("`{host}` is not a host of service `{service}`")]
    UnknownHost {
        /// The service.
        service: String,
        /// The host.
        host: String,
    },
}

/// The static part of a model: every name, and the shape of the deployment.
///
/// Build one with [`Topology::single`], [`Topology::multisite`], from a [`TopologySpec`] (its
/// serde form, which is also the file format of `check --topology`), or from `ls` listings
/// with [`super::State::from_listings`].
///
/// ```
/// use tungsten_model::model::Topology;
/// let topology = Topology::single("alpha", &["db1", "db2", "db3"])?;
/// assert_eq!(topology.hosts().len(), 3);
/// let db2 = topology.host_id("db2").unwrap();
/// assert_eq!(topology.host(db2).name.as_str(), "db2");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "TopologySpec", try_from = "TopologySpec")]
pub struct Topology {
    services: Vec<Service>,
    hosts: Vec<Host>,
    roots: InstallRoots,
    options: ManagerOptions,
    reasons: Vec<ReasonText>,
    /// Derived from `hosts` at construction, so the engine's hot loops walk bitmasks instead
    /// of filtering the host list on every call.
    sets: HostSets,
    /// Derived from `services` and `hosts` at construction: the engine asks which composite a
    /// site belongs to on most transitions.
    composites: CompositeIndex,
}

/// The active/passive composites of a [`Topology`], by service, computed once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
struct CompositeIndex {
    /// For each service, by [`ServiceId`]: the active/passive composite it is a member of.
    member_of: [Option<ServiceId>; MAX_SERVICES],
    /// For each service: whether it is an active/passive composite.
    active_passive: [bool; MAX_SERVICES],
}

/// The host sets a [`Topology`] answers most often, computed once from its hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
struct HostSets {
    /// Every host.
    all: HostSet,
    /// Every datasource, of any service.
    datasources_anywhere: HostSet,
    /// Every witness, of any service.
    witnesses_anywhere: HostSet,
    /// The hosts of each service, by [`ServiceId`] (empty for a composite).
    hosts: [HostSet; MAX_SERVICES],
    /// The datasources of each service.
    datasources: [HostSet; MAX_SERVICES],
    /// The hosts of each service that run a manager (datasources and witnesses).
    managers: [HostSet; MAX_SERVICES],
    /// The hosts of each service that run a connector.
    connectors: [HostSet; MAX_SERVICES],
}

impl HostSets {
    fn of(hosts: &[Host]) -> Self {
        let mut sets = Self::default();
        for (id, host) in hosts
            .iter()
            .enumerate()
            .filter_map(|(i, h)| Some((HostId::from_index(i)?, h)))
        {
            sets.all.insert(id);
            match host.kind {
                HostKind::DataSource => sets.datasources_anywhere.insert(id),
                HostKind::Witness => sets.witnesses_anywhere.insert(id),
                HostKind::ConnectorOnly => {}
            }
            if let Some(set) = sets.hosts.get_mut(host.service.index()) {
                set.insert(id);
            }
            let kinds = [
                (host.is_datasource(), &mut sets.datasources),
                (host.has_manager(), &mut sets.managers),
                (host.connector, &mut sets.connectors),
            ];
            for (member, by_service) in kinds {
                if member && let Some(set) = by_service.get_mut(host.service.index()) {
                    set.insert(id);
                }
            }
        }
        sets
    }
}

impl Topology {
    /// One physical service `service` with a datasource (and a connector) on each of `hosts`.
    ///
    /// # Errors
    /// [`TopologyError`] for a bad or duplicate name or too many hosts.
    pub fn single(service: &str, hosts: &[&str]) -> Result<Self, TopologyError> {
        Self::try_from(TopologySpec::single(service, hosts)?)
    }

    /// A pre-6.x multisite/multimaster setup: each `(site, hosts)` is a physical service with a
    /// datasource and connector per host, and every host of each site runs a cross-site
    /// replicator service named after each other site (two sites: west hosts run `east`).
    ///
    /// # Errors
    /// [`TopologyError`] for a bad or duplicate name, too many hosts, or more than two sites
    /// (a host runs one cross-site service in this model).
    pub fn multisite(sites: &[(&str, &[&str])]) -> Result<Self, TopologyError> {
        let mut spec = TopologySpec {
            services: Vec::new(),
            composites: Vec::new(),
            cross_site: Vec::new(),
            install_roots: InstallRoots::default(),
            options: ManagerOptions::default(),
            reasons: Vec::new(),
        };
        for (site, hosts) in sites {
            spec.services.push(ServiceSpec::plain(site, hosts)?);
        }
        for (from, _) in sites {
            for (to, _) in sites {
                if from != to {
                    spec.cross_site.push(CrossSiteSpec {
                        from: name(ServiceName::new(*from))?,
                        to: name(ServiceName::new(*to))?,
                    });
                }
            }
        }
        Self::try_from(spec)
    }

    /// Every service, indexed by [`ServiceId`].
    #[must_use]
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// Every host, indexed by [`HostId`].
    #[must_use]
    pub fn hosts(&self) -> &[Host] {
        &self.hosts
    }

    /// The ids of every host, in topology order.
    pub fn host_ids(&self) -> impl Iterator<Item = HostId> + '_ {
        self.sets.all.iter()
    }

    /// Every host, as a set.
    #[must_use]
    pub fn host_set(&self) -> HostSet {
        self.sets.all
    }

    /// The host `id`.
    ///
    /// For ids known to come from this topology: an id from another topology that is out of
    /// range yields the last host rather than a panic. An id kept from elsewhere (read from
    /// JSON, or from a topology since changed) is checked with [`Topology::get_host`].
    ///
    /// # Out-of-range ids
    /// The clamp is a silent wrong answer, not an error: whatever is built on this lookup
    /// ([`Topology::host_name`], [`crate::ls::project`] with a stale viewer id, ...) then
    /// speaks for the last host. An embedder holding an id it did not just take from this
    /// topology ([`Topology::host_ids`], [`Topology::host_id`]) checks it first:
    ///
    /// ```
    /// use tungsten_model::model::{HostId, Topology};
    ///
    /// let topology = Topology::single("alpha", &["db1", "db2", "db3"])?;
    /// let stale = HostId::from_index(5).expect("an index below MAX_HOSTS");
    /// assert_eq!(topology.host(stale).name.as_str(), "db3"); // clamped: not db6
    /// assert!(topology.get_host(stale).is_none()); // checked
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn host(&self, id: HostId) -> &Host {
        let last = self.hosts.len().saturating_sub(1);
        &self.hosts[id.index().min(last)]
    }

    /// The host `id`, or `None` if this topology has no host with that id.
    ///
    /// ```
    /// use tungsten_model::model::{HostId, Topology};
    ///
    /// let topology = Topology::single("alpha", &["db1", "db2", "db3"])?;
    /// let db3 = HostId::from_index(2).expect("an index below MAX_HOSTS");
    /// assert_eq!(topology.get_host(db3).map(|h| h.name.as_str()), Some("db3"));
    /// let sixth = HostId::from_index(5).expect("an index below MAX_HOSTS");
    /// assert!(topology.get_host(sixth).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn get_host(&self, id: HostId) -> Option<&Host> {
        self.hosts.get(id.index())
    }

    /// The service `id` (same out-of-range rule as [`Topology::host`]: an id past the last
    /// service yields the last service; see [`Topology::get_service`] for a checked lookup).
    #[must_use]
    pub fn service(&self, id: ServiceId) -> &Service {
        let last = self.services.len().saturating_sub(1);
        &self.services[id.index().min(last)]
    }

    /// The service `id`, or `None` if this topology has no service with that id.
    #[must_use]
    pub fn get_service(&self, id: ServiceId) -> Option<&Service> {
        self.services.get(id.index())
    }

    /// The name of host `id` (out-of-range ids as in [`Topology::host`]: the last host's name;
    /// check an id from elsewhere with [`Topology::get_host`]).
    #[must_use]
    pub fn host_name(&self, id: HostId) -> &HostName {
        &self.host(id).name
    }

    /// The name of service `id` (out-of-range ids as in [`Topology::service`]: the last
    /// service's name; check an id from elsewhere with [`Topology::get_service`]).
    #[must_use]
    pub fn service_name(&self, id: ServiceId) -> &ServiceName {
        &self.service(id).name
    }

    /// The host called `name` (exact match).
    #[must_use]
    pub fn host_id(&self, name: &str) -> Option<HostId> {
        self.hosts
            .iter()
            .position(|h| h.name.as_str() == name)
            .and_then(HostId::from_index)
    }

    /// The service called `name` (exact match).
    #[must_use]
    pub fn service_id(&self, name: &str) -> Option<ServiceId> {
        self.services
            .iter()
            .position(|s| s.name.as_str() == name)
            .and_then(ServiceId::from_index)
    }

    /// The physical services (sites).
    pub fn physical_services(&self) -> impl Iterator<Item = ServiceId> + '_ {
        self.services
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind == ServiceKind::Physical)
            .filter_map(|(i, _)| ServiceId::from_index(i))
    }

    /// The active/passive composites: each with its members, the first the active site in a
    /// healthy start. A composite whose members replicate to each other through cross-site
    /// replicators is active/active (Continuent's Composite Active/Active: each site writable,
    /// its cross-site services carrying its writes to the others) and is not listed.
    pub fn active_passive(&self) -> impl Iterator<Item = (ServiceId, &[ServiceId])> + '_ {
        self.services
            .iter()
            .enumerate()
            .filter(|&(i, _)| self.composites.active_passive.get(i) == Some(&true))
            .filter_map(|(i, s)| match &s.kind {
                ServiceKind::Composite { members } => {
                    Some((ServiceId::from_index(i)?, members.as_slice()))
                }
                ServiceKind::Physical => None,
            })
    }

    /// The index behind [`Self::active_passive`] and [`Self::composite_of`]: a composite is
    /// active/passive unless a member's host replicates from another member.
    fn index_composites(&self) -> CompositeIndex {
        let mut index = CompositeIndex::default();
        let found = self
            .services
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match &s.kind {
                ServiceKind::Composite { members } => {
                    let crossed = members.iter().any(|&m| {
                        self.hosts_of(m).any(|h| {
                            self.host(h)
                                .cross_site_from
                                .is_some_and(|from| members.contains(&from))
                        })
                    });
                    (!crossed)
                        .then_some(())
                        .and(ServiceId::from_index(i))
                        .map(|id| (id, members.as_slice()))
                }
                ServiceKind::Physical => None,
            });
        for (composite, members) in found {
            if let Some(flag) = index.active_passive.get_mut(composite.index()) {
                *flag = true;
            }
            for member in members {
                if let Some(slot) = index.member_of.get_mut(member.index()) {
                    // The first composite listing a site, as a search in order finds it.
                    slot.get_or_insert(composite);
                }
            }
        }
        index
    }

    /// The active/passive composite `service` is a member of, with its members.
    #[must_use]
    pub fn composite_of(&self, service: ServiceId) -> Option<(ServiceId, &[ServiceId])> {
        let composite = (*self.composites.member_of.get(service.index())?)?;
        match &self.services.get(composite.index())?.kind {
            ServiceKind::Composite { members } => Some((composite, members.as_slice())),
            ServiceKind::Physical => None,
        }
    }

    /// Every host of physical service `service`, in topology order (none for a composite).
    pub fn hosts_of(&self, service: ServiceId) -> impl Iterator<Item = HostId> + '_ {
        self.service_host_set(service).iter()
    }

    /// The datasources (hosts holding data) of physical service `service`, in topology order.
    pub fn datasources_of(&self, service: ServiceId) -> impl Iterator<Item = HostId> + '_ {
        self.datasource_set(service).iter()
    }

    /// The hosts of `service` as a set.
    #[must_use]
    pub fn service_host_set(&self, service: ServiceId) -> HostSet {
        self.sets
            .hosts
            .get(service.index())
            .copied()
            .unwrap_or_default()
    }

    /// The datasources of `service` as a set: iterating it borrows nothing, so a transition
    /// can change the state while it walks them (in topology order, as ids are).
    #[must_use]
    pub fn datasource_set(&self, service: ServiceId) -> HostSet {
        self.sets
            .datasources
            .get(service.index())
            .copied()
            .unwrap_or_default()
    }

    /// The hosts of `service` that run a manager (its datasources and witnesses), as a set.
    #[must_use]
    pub fn manager_set(&self, service: ServiceId) -> HostSet {
        self.sets
            .managers
            .get(service.index())
            .copied()
            .unwrap_or_default()
    }

    /// Every datasource of the topology, of any service, as a set.
    #[must_use]
    pub fn datasource_hosts(&self) -> HostSet {
        self.sets.datasources_anywhere
    }

    /// Every witness of the topology, of any service, as a set.
    #[must_use]
    pub fn witness_hosts(&self) -> HostSet {
        self.sets.witnesses_anywhere
    }

    /// The hosts of `service` that run a connector, as a set.
    #[must_use]
    pub fn connector_set(&self, service: ServiceId) -> HostSet {
        self.sets
            .connectors
            .get(service.index())
            .copied()
            .unwrap_or_default()
    }

    /// Where the installs live.
    #[must_use]
    pub fn install_roots(&self) -> &InstallRoots {
        &self.roots
    }

    /// The manager properties in force.
    #[must_use]
    pub fn options(&self) -> ManagerOptions {
        self.options
    }

    /// The same topology with other manager properties.
    #[must_use]
    pub fn with_options(mut self, options: ManagerOptions) -> Self {
        self.options = options;
        self
    }

    /// Configurations in which Tungsten's quorum rule itself lets both sides of a partition
    /// keep quorum, one sentence each: an active witness beside an odd number of
    /// datasources, or more than one active witness in a service. Continuent docs
    /// (*deployment-host-types*, the passive witness deprecation note) give witnesses for
    /// two-node deployments; the rule (open-source `ClusterMembershipDigest`: a majority of
    /// DB members, or one fewer plus an active witness) is sound only there.
    #[must_use]
    pub fn quorum_hazards(&self) -> Vec<String> {
        let mut hazards = Vec::new();
        for service in self.physical_services() {
            let datasources = self.datasources_of(service).count();
            let witnesses = self
                .hosts_of(service)
                .filter(|&h| self.host(h).kind == HostKind::Witness)
                .count();
            let name = self.service_name(service);
            if witnesses > 1 {
                hazards.push(format!(
                    "{name} has {witnesses} active witnesses: each side of a partition holding half the datasources and one witness keeps quorum"
                ));
            } else if witnesses == 1 && datasources % 2 == 1 {
                let small = datasources / 2;
                hazards.push(format!(
                    "{name} has an active witness beside {datasources} datasources: a partition with {small} datasource{} and the witness on one side and {} on the other gives both sides quorum",
                    if small == 1 { "" } else { "s" },
                    small + 1
                ));
            }
        }
        hazards
    }

    /// The free-text reason `id`.
    #[must_use]
    pub fn reason(&self, id: ReasonId) -> Option<&ReasonText> {
        self.reasons.get(id.index())
    }

    /// The id of reason `text`, adding it if it is new.
    ///
    /// # Errors
    /// [`TopologyError::TooManyReasons`] past 256 distinct texts.
    pub fn intern_reason(&mut self, text: &ReasonText) -> Result<ReasonId, TopologyError> {
        if let Some(i) = self.reasons.iter().position(|r| r == text) {
            return u8::try_from(i)
                .map(ReasonId)
                .map_err(|_| TopologyError::TooManyReasons);
        }
        let id = u8::try_from(self.reasons.len()).map_err(|_| TopologyError::TooManyReasons)?;
        self.reasons.push(text.clone());
        Ok(ReasonId(id))
    }
}

impl fmt::Display for Topology {
    /// A one-line summary: `alpha: db1, db2, db3 | east: ...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, service) in self.services.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{}:", service.name)?;
            match &service.kind {
                ServiceKind::Physical => {
                    let id = ServiceId::from_index(i).unwrap_or_default();
                    for (j, h) in self.hosts_of(id).enumerate() {
                        let host = self.host(h);
                        let sep = if j == 0 { " " } else { ", " };
                        let tag = match host.kind {
                            HostKind::DataSource => "",
                            HostKind::Witness => " (witness)",
                            HostKind::ConnectorOnly => " (connector)",
                        };
                        write!(f, "{sep}{}{tag}", host.name)?;
                    }
                }
                ServiceKind::Composite { members } => {
                    for (j, m) in members.iter().enumerate() {
                        let sep = if j == 0 { " " } else { ", " };
                        write!(f, "{sep}{}", self.service_name(*m))?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The serde form of a [`Topology`], and the file format `check --topology` reads (JSON).
///
/// ```json
/// {
///   "services": [
///     { "name": "east", "datasources": ["db1", "db2", "db3"] },
///     { "name": "west", "datasources": ["db4", "db5", "db6"], "witnesses": [] }
///   ],
///   "cross_site": [ { "from": "east", "to": "west" }, { "from": "west", "to": "east" } ]
/// }
/// ```
/// Every field but `services` may be left out. A service's `connectors` defaults to every
/// datasource; a name in `connectors` that is not a datasource or witness adds an application
/// host running only a connector. `precedence` maps hosts to their failover precedence
/// (default 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopologySpec {
    /// The physical services (sites).
    pub services: Vec<ServiceSpec>,
    /// Composite services over them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub composites: Vec<CompositeSpec>,
    /// Cross-site replicator services (pre-6.x multisite).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cross_site: Vec<CrossSiteSpec>,
    /// Install roots.
    #[serde(default)]
    pub install_roots: InstallRoots,
    /// Manager properties.
    #[serde(default)]
    pub options: ManagerOptions,
    /// Free-text reasons the state refers to by [`ReasonId`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<ReasonText>,
}

/// A physical service in a [`TopologySpec`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    /// The service (site) name.
    pub name: ServiceName,
    /// Its datasources, in order.
    pub datasources: Vec<HostName>,
    /// Its active witnesses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub witnesses: Vec<HostName>,
    /// The hosts running a connector; `None` means every datasource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connectors: Option<Vec<HostName>>,
    /// Failover precedence by host (default 1).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub precedence: BTreeMap<HostName, u8>,
}

impl ServiceSpec {
    fn plain(service: &str, hosts: &[&str]) -> Result<Self, TopologyError> {
        Ok(Self {
            name: name(ServiceName::new(service))?,
            datasources: hosts
                .iter()
                .map(|h| name(HostName::new(*h)))
                .collect::<Result<_, _>>()?,
            witnesses: Vec::new(),
            connectors: None,
            precedence: BTreeMap::new(),
        })
    }
}

/// A composite service in a [`TopologySpec`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompositeSpec {
    /// The composite's name (`global`).
    pub name: ServiceName,
    /// Its physical members.
    pub members: Vec<ServiceName>,
}

/// A cross-site replicator service: every host of site `to` runs, under the cross-site root,
/// a replicator service named `from` that applies `from`'s master into `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrossSiteSpec {
    /// The site replicated from (and the service's name).
    pub from: ServiceName,
    /// The site replicated into.
    pub to: ServiceName,
}

fn name<T>(r: Result<T, super::NameError>) -> Result<T, TopologyError> {
    r.map_err(TopologyError::from)
}

impl TopologySpec {
    /// One service with a datasource and connector on each host.
    ///
    /// # Errors
    /// [`TopologyError`] for a bad name.
    pub fn single(service: &str, hosts: &[&str]) -> Result<Self, TopologyError> {
        Ok(Self {
            services: vec![ServiceSpec::plain(service, hosts)?],
            composites: Vec::new(),
            cross_site: Vec::new(),
            install_roots: InstallRoots::default(),
            options: ManagerOptions::default(),
            reasons: Vec::new(),
        })
    }
}

/// Give every datasource of each `to` site its cross-site replicator service.
fn wire_cross_site(
    services: &[Service],
    hosts: &mut [Host],
    cross_site: &[CrossSiteSpec],
) -> Result<(), TopologyError> {
    let find = |name: &ServiceName| {
        services
            .iter()
            .position(|s| &s.name == name)
            .and_then(ServiceId::from_index)
            .ok_or_else(|| TopologyError::UnknownService(name.to_string()))
    };
    for x in cross_site {
        let from = find(&x.from)?;
        let to = find(&x.to)?;
        let bad = |why: &str| TopologyError::BadCrossSite {
            from: x.from.to_string(),
            to: x.to.to_string(),
            why: why.to_owned(),
        };
        if from == to {
            return Err(bad("a site cannot replicate into itself"));
        }
        if services[from.index()].kind != ServiceKind::Physical
            || services[to.index()].kind != ServiceKind::Physical
        {
            return Err(bad("both ends must be physical services"));
        }
        for host in hosts
            .iter_mut()
            .filter(|h| h.service == to && h.is_datasource())
        {
            if host.cross_site_from.is_some() {
                return Err(bad(
                    "a host runs at most one cross-site service in this model",
                ));
            }
            host.cross_site_from = Some(from);
        }
    }
    Ok(())
}

/// The members of composite `c` among `services` (the physical ones, and the composites
/// read before it): each a physical service, named once, in no other composite, and at least
/// one (an independent review found a member named twice, a site in two composites and an
/// empty composite accepted).
fn composite_members(
    services: &[Service],
    c: &CompositeSpec,
) -> Result<Vec<ServiceId>, TopologyError> {
    let bad = |why: String| TopologyError::BadComposite {
        composite: c.name.to_string(),
        why,
    };
    let mut members = Vec::new();
    for m in &c.members {
        let id = services
            .iter()
            .position(|s| &s.name == m)
            .and_then(ServiceId::from_index)
            .ok_or_else(|| TopologyError::UnknownService(m.to_string()))?;
        if services[id.index()].kind != ServiceKind::Physical {
            return Err(TopologyError::BadMember {
                composite: c.name.to_string(),
                member: m.to_string(),
            });
        }
        if members.contains(&id) {
            return Err(bad(format!("it names `{m}` twice")));
        }
        let elsewhere = services.iter().find(|s| match &s.kind {
            ServiceKind::Composite { members } => members.contains(&id),
            ServiceKind::Physical => false,
        });
        if let Some(other) = elsewhere {
            return Err(bad(format!(
                "`{m}` is a member of `{}` already: a site belongs to one composite",
                other.name
            )));
        }
        members.push(id);
    }
    if members.is_empty() {
        return Err(bad("it has no member: expected its sites".to_owned()));
    }
    Ok(members)
}

impl TryFrom<TopologySpec> for Topology {
    type Error = TopologyError;

    fn try_from(spec: TopologySpec) -> Result<Self, Self::Error> {
        let count = spec.services.len() + spec.composites.len();
        if count > MAX_SERVICES {
            return Err(TopologyError::TooManyServices { count });
        }
        if spec.services.is_empty() {
            return Err(TopologyError::NoService);
        }
        let mut services: Vec<Service> = Vec::new();
        let mut hosts: Vec<Host> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        let mut unique = |name: &str| {
            if seen.insert(name.to_ascii_lowercase()) {
                Ok(())
            } else {
                Err(TopologyError::Duplicate(name.to_owned()))
            }
        };
        for (index, s) in spec.services.iter().enumerate() {
            unique(s.name.as_str())?;
            let id =
                ServiceId::from_index(index).ok_or(TopologyError::TooManyServices { count })?;
            services.push(Service {
                name: s.name.clone(),
                kind: ServiceKind::Physical,
            });
            if s.datasources.is_empty() {
                return Err(TopologyError::EmptyService(s.name.to_string()));
            }
            let connectors: Vec<HostName> = s
                .connectors
                .clone()
                .unwrap_or_else(|| s.datasources.clone());
            let mut add = |name: &HostName, kind: HostKind| -> Result<(), TopologyError> {
                unique(name.as_str())?;
                hosts.push(Host {
                    name: name.clone(),
                    service: id,
                    kind,
                    connector: kind != HostKind::Witness && connectors.contains(name),
                    precedence: s.precedence.get(name).copied().unwrap_or(1),
                    cross_site_from: None,
                });
                Ok(())
            };
            for h in &s.datasources {
                add(h, HostKind::DataSource)?;
            }
            for h in &s.witnesses {
                add(h, HostKind::Witness)?;
            }
            for h in &connectors {
                if !s.datasources.contains(h) && !s.witnesses.contains(h) {
                    add(h, HostKind::ConnectorOnly)?;
                }
            }
            for h in s.precedence.keys() {
                if !s.datasources.contains(h) {
                    return Err(TopologyError::UnknownHost {
                        service: s.name.to_string(),
                        host: h.to_string(),
                    });
                }
            }
        }
        if hosts.len() > MAX_HOSTS {
            return Err(TopologyError::TooManyHosts { count: hosts.len() });
        }
        for c in &spec.composites {
            unique(c.name.as_str())?;
            let members = composite_members(&services, c)?;
            services.push(Service {
                name: c.name.clone(),
                kind: ServiceKind::Composite { members },
            });
        }
        wire_cross_site(&services, &mut hosts, &spec.cross_site)?;
        Self::assemble(services, hosts, spec)
    }
}

impl Topology {
    /// The topology of checked services and hosts, with the rest of `spec`.
    fn assemble(
        services: Vec<Service>,
        hosts: Vec<Host>,
        spec: TopologySpec,
    ) -> Result<Self, TopologyError> {
        if spec.reasons.len() > 256 {
            return Err(TopologyError::TooManyReasons);
        }
        check_install_roots(&spec.install_roots)?;
        let mut topology = Self {
            services,
            sets: HostSets::of(&hosts),
            hosts,
            roots: spec.install_roots,
            options: spec.options,
            reasons: spec.reasons,
            composites: CompositeIndex::default(),
        };
        topology.composites = topology.index_composites();
        Ok(topology)
    }
}

/// Install roots every command can name unambiguously (an API review found equal roots
/// accepted, which made the cross-site install unreachable by path, and a root with a blank,
/// under which no command line reads back).
fn check_install_roots(roots: &InstallRoots) -> Result<(), TopologyError> {
    let bad = |why: String| Err(TopologyError::BadInstallRoots(why));
    if roots.cluster == roots.cross_site {
        return bad(format!(
            "the cluster and cross-site installs are both at `{}`: expected two roots, since a command's path names its install by its root",
            roots.cluster
        ));
    }
    for (which, root) in [
        ("cluster", &roots.cluster),
        ("cross-site", &roots.cross_site),
    ] {
        if root.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return bad(format!(
                "the {which} root `{}` holds a blank or a control character: expected a path a command line can hold unquoted",
                root.escape_debug()
            ));
        }
        // A command's path gives its root without a trailing slash (`install_root`).
        if root.ends_with('/') {
            return bad(format!(
                "the {which} root `{root}` ends in `/`: expected it without (a command under it, `{}/tungsten/...`, is under `{}`)",
                root.trim_end_matches('/'),
                root.trim_end_matches('/'),
            ));
        }
    }
    let prefix = &roots.cross_site_prefix;
    if prefix.is_empty()
        || !prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
    {
        return bad(format!(
            "the cross-site prefix `{}` is not a word: expected letters, digits, `-` or `_` (as in `mm_trepctl`)",
            prefix.escape_debug()
        ));
    }
    if prefix == "multi" || prefix.ends_with("_multi") {
        return bad(format!(
            "the cross-site prefix `{prefix}` would call `multi_trepctl`, a tool of its own: expected another prefix"
        ));
    }
    Ok(())
}

impl From<Topology> for TopologySpec {
    fn from(t: Topology) -> Self {
        let mut services = Vec::new();
        let mut composites = Vec::new();
        let mut cross_site = Vec::new();
        for (i, s) in t.services.iter().enumerate() {
            let id = ServiceId::from_index(i).unwrap_or_default();
            match &s.kind {
                ServiceKind::Physical => {
                    let of_kind = |kind: HostKind| -> Vec<HostName> {
                        t.hosts
                            .iter()
                            .filter(|h| h.service == id && h.kind == kind)
                            .map(|h| h.name.clone())
                            .collect()
                    };
                    let datasources = of_kind(HostKind::DataSource);
                    let connectors: Vec<HostName> = t
                        .hosts
                        .iter()
                        .filter(|h| h.service == id && h.connector)
                        .map(|h| h.name.clone())
                        .collect();
                    let precedence = t
                        .hosts
                        .iter()
                        .filter(|h| h.service == id && h.is_datasource() && h.precedence != 1)
                        .map(|h| (h.name.clone(), h.precedence))
                        .collect();
                    services.push(ServiceSpec {
                        name: s.name.clone(),
                        connectors: (connectors != datasources).then_some(connectors),
                        datasources,
                        witnesses: of_kind(HostKind::Witness),
                        precedence,
                    });
                    if let Some(from) = t
                        .hosts
                        .iter()
                        .find(|h| h.service == id)
                        .and_then(|h| h.cross_site_from)
                    {
                        cross_site.push(CrossSiteSpec {
                            from: t.service_name(from).clone(),
                            to: s.name.clone(),
                        });
                    }
                }
                ServiceKind::Composite { members } => composites.push(CompositeSpec {
                    name: s.name.clone(),
                    members: members.iter().map(|m| t.service_name(*m).clone()).collect(),
                }),
            }
        }
        Self {
            services,
            composites,
            cross_site,
            install_roots: t.roots,
            options: t.options,
            reasons: t.reasons,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checked lookups find every id the topology has and none past it, where the
    /// clamping ones fall back to the last host or service.
    #[test]
    fn checked_lookups_refuse_ids_past_the_topology() {
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        for id in t.host_ids() {
            assert_eq!(t.get_host(id), Some(t.host(id)));
        }
        let past = HostId::from_index(3).unwrap();
        assert_eq!(t.get_host(past), None);
        assert_eq!(t.host_name(past).as_str(), "db3");
        let alpha = t.service_id("alpha").unwrap();
        assert_eq!(t.get_service(alpha).map(|s| s.name.as_str()), Some("alpha"));
        assert_eq!(t.get_service(ServiceId::from_index(1).unwrap()), None);
    }

    /// A composite is active/passive unless its sites replicate to each other through
    /// cross-site services; only an active/passive one is listed and found from its sites
    /// (the index built at construction, checked against both kinds).
    #[test]
    fn only_an_active_passive_composite_is_indexed() {
        let composite = |cross_site: serde_json::Value| -> Topology {
            serde_json::from_value(serde_json::json!({
                "services": [{"name": "east", "datasources": ["db1", "db2"]},
                             {"name": "west", "datasources": ["db4", "db5"]}],
                "composites": [{"name": "global", "members": ["east", "west"]}],
                "cross_site": cross_site,
            }))
            .unwrap()
        };
        let passive = composite(serde_json::json!([]));
        let [east, west, global] =
            ["east", "west", "global"].map(|n| passive.service_id(n).unwrap());
        assert_eq!(
            passive.active_passive().collect::<Vec<_>>(),
            [(global, &[east, west][..])]
        );
        assert_eq!(
            passive.composite_of(west),
            Some((global, &[east, west][..]))
        );
        assert_eq!(passive.composite_of(global), None);
        let active = composite(serde_json::json!([{"from": "east", "to": "west"},
                                                  {"from": "west", "to": "east"}]));
        assert_eq!(active.active_passive().count(), 0);
        assert_eq!(active.composite_of(east), None);
    }

    /// The hazard names the split that gives both sides quorum: with five datasources and a
    /// witness, two and the witness against three (cargo-mutants: `/` for `%` gave the same
    /// words for three datasources, the only case tested).
    #[test]
    fn a_witness_beside_five_datasources_names_the_two_three_split() {
        let t: Topology = serde_json::from_value(serde_json::json!({
            "services": [{"name": "alpha", "datasources": ["d1", "d2", "d3", "d4", "d5"],
                          "witnesses": ["w"]}]
        }))
        .unwrap();
        assert_eq!(
            t.quorum_hazards(),
            [
                "alpha has an active witness beside 5 datasources: a partition with 2 datasources and the witness on one side and 3 on the other gives both sides quorum"
            ]
        );
    }

    /// The spec's install roots are the topology's (cargo-mutants: `install_roots` answering
    /// the defaults went unnoticed, since every other test uses them).
    #[test]
    fn install_roots_come_from_the_spec() {
        let t: Topology = serde_json::from_value(serde_json::json!({
            "services": [{"name": "alpha", "datasources": ["db1", "db2"]}],
            "install_roots": {
                "cluster": "/srv/tungsten",
                "cross_site": "/srv/xsite",
                "cross_site_prefix": "xs"
            }
        }))
        .unwrap();
        assert_eq!(
            t.install_roots(),
            &InstallRoots {
                cluster: "/srv/tungsten".to_owned(),
                cross_site: "/srv/xsite".to_owned(),
                cross_site_prefix: "xs".to_owned(),
            }
        );
        // A spec written before the prefix was modelled reads with the documented one.
        let earlier: Topology = serde_json::from_value(serde_json::json!({
            "services": [{"name": "alpha", "datasources": ["db1", "db2"]}],
            "install_roots": {"cluster": "/srv/tungsten", "cross_site": "/srv/xsite"}
        }))
        .unwrap();
        assert_eq!(earlier.install_roots().cross_site_prefix, "mm");
        assert_eq!(
            Topology::single("alpha", &["db1"]).unwrap().install_roots(),
            &InstallRoots::default()
        );
    }

    /// Install roots that no command could tell apart or type are refused: equal roots
    /// (the cross-site install was unreachable by path: `-service west` under the shared
    /// root resolved to the cluster install and was refused), a root with a blank (no command
    /// line under it reads back as one executable), a prefix that is no word.
    #[test]
    fn install_roots_commands_cannot_name_are_refused() {
        let with = |roots: serde_json::Value| {
            serde_json::from_value::<TopologySpec>(serde_json::json!({
                "services": [{"name": "alpha", "datasources": ["db1", "db2"]}],
                "install_roots": roots
            }))
            .map_err(|e| e.to_string())
            .and_then(|spec| Topology::try_from(spec).map_err(|e| e.to_string()))
        };
        for (roots, why) in [
            (
                serde_json::json!({"cluster": "/opt/x", "cross_site": "/opt/x"}),
                "both at `/opt/x`",
            ),
            (
                serde_json::json!({"cluster": "/opt/my continuent", "cross_site": "/opt/r"}),
                "cluster root `/opt/my continuent` holds a blank",
            ),
            (
                serde_json::json!({"cluster": "/opt/c", "cross_site": "/opt/r\n"}),
                "cross-site root `/opt/r\\n` holds a blank",
            ),
            (
                serde_json::json!({"cluster": "/opt/c", "cross_site": "/opt/r", "cross_site_prefix": ""}),
                "prefix `` is not a word",
            ),
            (
                serde_json::json!({"cluster": "/opt/c", "cross_site": "/opt/r", "cross_site_prefix": "m/m"}),
                "prefix `m/m` is not a word",
            ),
            (
                serde_json::json!({"cluster": "/opt/c", "cross_site": "/opt/r", "cross_site_prefix": "multi"}),
                "`multi_trepctl`",
            ),
        ] {
            let err = with(roots.clone()).unwrap_err();
            assert!(
                err.starts_with("install roots are invalid: ") && err.contains(why),
                "{roots}: {err}"
            );
        }
        assert!(
            with(serde_json::json!({"cluster": "/opt/tungsten", "cross_site": "/opt/replicator", "cross_site_prefix": "mm-2_x"}))
                .is_ok()
        );
    }

    /// A root ending in `/` names no install: a command's path gives its root without the
    /// slash (`/opt/continuent/tungsten/...` is under `/opt/continuent`), so a cluster root
    /// of `/opt/continuent/` refused every cluster command as under no root, and beside a
    /// cross-site root of `/opt/continuent` (equal but for the slash, which the equal-roots
    /// check let through) every cluster command resolved to the cross-site install. Found by
    /// review.
    #[test]
    fn install_roots_ending_in_a_slash_are_refused() {
        let with = |cluster: &str, cross_site: &str| {
            let spec: TopologySpec = serde_json::from_value(serde_json::json!({
                "services": [{"name": "alpha", "datasources": ["db1", "db2"]}],
                "install_roots": {"cluster": cluster, "cross_site": cross_site}
            }))
            .unwrap();
            Topology::try_from(spec).map_err(|e| e.to_string())
        };
        for (cluster, cross_site) in [
            ("/opt/continuent/", "/opt/continuent"),
            ("/opt/continuent/", "/opt/replicator"),
            ("/opt/continuent", "/opt/replicator/"),
            ("/", "/opt/replicator"),
        ] {
            let err = with(cluster, cross_site).unwrap_err();
            assert!(
                err.starts_with("install roots are invalid: ") && err.contains("ends in `/`"),
                "{cluster} {cross_site}: {err}"
            );
        }
        assert!(with("/opt/continuent", "/opt/replicator").is_ok());
    }

    #[test]
    fn multisite_wires_cross_site_services() {
        let t = Topology::multisite(&[("east", &["e1", "e2"]), ("west", &["w1", "w2"])]).unwrap();
        let east = t.service_id("east").unwrap();
        let west = t.service_id("west").unwrap();
        let w1 = t.host_id("w1").unwrap();
        let e2 = t.host_id("e2").unwrap();
        assert_eq!(t.host(w1).cross_site_from, Some(east));
        assert_eq!(t.host(e2).cross_site_from, Some(west));
        assert_eq!(t.datasources_of(east).count(), 2);
    }

    /// The cached sets answer what filtering the host list answers: hosts by service,
    /// datasources without witnesses or connector-only hosts, nothing for a composite.
    #[test]
    fn host_sets_match_the_host_list() {
        let t: Topology = serde_json::from_value(serde_json::json!({
            "services": [
                {"name": "east", "datasources": ["e1", "e2"], "witnesses": ["ew"],
                 "connectors": ["e1", "app"]},
                {"name": "west", "datasources": ["w1", "w2"]}
            ],
            "composites": [{"name": "global", "members": ["east", "west"]}]
        }))
        .unwrap();
        let names = |hosts: &mut dyn Iterator<Item = HostId>| {
            hosts.map(|h| t.host_name(h).as_str()).collect::<Vec<_>>()
        };
        let [east, west, global] =
            ["east", "west", "global"].map(|name| t.service_id(name).unwrap());
        assert_eq!(
            names(&mut t.host_ids()),
            ["e1", "e2", "ew", "app", "w1", "w2"]
        );
        assert_eq!(t.host_set().len(), t.hosts().len());
        assert_eq!(names(&mut t.hosts_of(east)), ["e1", "e2", "ew", "app"]);
        assert_eq!(names(&mut t.datasources_of(east)), ["e1", "e2"]);
        assert_eq!(names(&mut t.manager_set(east).iter()), ["e1", "e2", "ew"]);
        assert_eq!(names(&mut t.connector_set(east).iter()), ["e1", "app"]);
        assert_eq!(names(&mut t.manager_set(west).iter()), ["w1", "w2"]);
        assert_eq!(t.connector_set(west), t.datasource_set(west));
        assert!(t.manager_set(global).is_empty());
        assert_eq!(names(&mut t.hosts_of(west)), ["w1", "w2"]);
        assert_eq!(t.datasource_set(west), t.service_host_set(west));
        assert!(t.service_host_set(global).is_empty());
        assert_eq!(t.datasources_of(global).count(), 0);
    }

    /// What a spec may declare (cargo-mutants on `topology.rs`: each bound or test below could
    /// be loosened, or turned around, unnoticed).
    #[test]
    fn specs_are_checked_where_they_could_go_wrong() {
        let read = |json: serde_json::Value| {
            serde_json::from_value::<TopologySpec>(json)
                .map_err(|e| e.to_string())
                .and_then(|spec| Topology::try_from(spec).map_err(|e| e.to_string()))
        };
        let site =
            |name: &str, hosts: &[&str]| serde_json::json!({"name": name, "datasources": hosts});
        // Four services in all is the most: three sites and a composite, not four and one.
        let three = [
            site("a", &["a1", "a2"]),
            site("b", &["b1", "b2"]),
            site("c", &["c1", "c2"]),
        ];
        let composite = serde_json::json!([{"name": "g", "members": ["a", "b"]}]);
        let t = read(serde_json::json!({"services": three, "composites": composite})).unwrap();
        assert_eq!(t.to_string(), "a: a1, a2 | b: b1, b2 | c: c1, c2 | g: a, b");
        // A composite names each of its sites once, has one, and a site belongs to one.
        for (composites, why) in [
            (
                serde_json::json!([{"name": "g", "members": ["a", "a"]}]),
                "composite `g` is invalid: it names `a` twice",
            ),
            (
                serde_json::json!([{"name": "g", "members": []}]),
                "composite `g` is invalid: it has no member: expected its sites",
            ),
            (
                serde_json::json!([{"name": "g", "members": ["a", "b"]}, {"name": "h", "members": ["b"]}]),
                "composite `h` is invalid: `b` is a member of `g` already: a site belongs to one composite",
            ),
        ] {
            assert_eq!(
                read(serde_json::json!({"services": &three[..2], "composites": composites}))
                    .unwrap_err(),
                why
            );
        }
        let mut four = three.to_vec();
        four.push(site("d", &["d1", "d2"]));
        assert!(matches!(
            Topology::try_from(
                serde_json::from_value::<TopologySpec>(
                    serde_json::json!({"services": four, "composites": composite})
                )
                .unwrap()
            ),
            Err(TopologyError::TooManyServices { count: 5 })
        ));
        // A one-way cross-site service gives only its `to` site a cross-site replicator.
        let t = read(serde_json::json!({
            "services": [site("east", &["e1"]), site("west", &["w1"])],
            "cross_site": [{"from": "east", "to": "west"}]
        }))
        .unwrap();
        let (e1, w1) = (t.host_id("e1").unwrap(), t.host_id("w1").unwrap());
        assert_eq!(t.host(w1).cross_site_from, t.service_id("east"));
        assert_eq!(t.host(e1).cross_site_from, None);
        // Either end a composite is refused.
        for (from, to) in [("g", "c"), ("c", "g")] {
            let err = read(serde_json::json!({
                "services": three, "composites": composite,
                "cross_site": [{"from": from, "to": to}]
            }))
            .unwrap_err();
            assert!(
                err.contains("both ends must be physical services"),
                "{from}->{to}: {err}"
            );
        }
        // Precedence names a datasource of its own service.
        let with_precedence = |host: &str| {
            read(serde_json::json!({"services": [
                {"name": "a", "datasources": ["a1", "a2"], "precedence": {host: 2}}
            ]}))
        };
        assert_eq!(with_precedence("a2").unwrap().host(HostId(1)).precedence, 2);
        assert!(with_precedence("zz").unwrap_err().contains("zz"));
        // Back to a spec, only precedences other than the default are written.
        let spec = TopologySpec::from(with_precedence("a2").unwrap());
        let a2 = HostName::new("a2").unwrap();
        assert_eq!(
            spec.services[0].precedence,
            std::iter::once((a2, 2)).collect()
        );
        // At most 256 free-text reasons.
        let reasons = |n: usize| {
            let texts: Vec<String> = (0..n).map(|i| format!("REASON-{i}")).collect();
            read(serde_json::json!({"services": [site("a", &["a1"])], "reasons": texts}))
        };
        assert!(reasons(256).is_ok());
        assert!(reasons(257).is_err());
    }

    #[test]
    fn json_round_trip_and_refusals() {
        let t = Topology::multisite(&[("east", &["e1"]), ("west", &["w1"])]).unwrap();
        let json = serde_json::to_string(&t).unwrap();
        let back: Topology = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
        assert!(matches!(
            Topology::single("alpha", &["db1", "db1"]),
            Err(TopologyError::Duplicate(_))
        ));
        // Names that differ only in case are the same host (found by an API review: `db1`
        // and `DB1` made two hosts).
        assert!(matches!(
            Topology::single("alpha", &["db1", "DB1"]),
            Err(TopologyError::Duplicate(_))
        ));
        let nine: Vec<String> = (0..9).map(|i| format!("db{i}")).collect();
        let nine: Vec<&str> = nine.iter().map(String::as_str).collect();
        assert!(matches!(
            Topology::single("alpha", &nine),
            Err(TopologyError::TooManyHosts { count: 9 })
        ));
        assert_eq!(
            Topology::single("alpha", &nine[..8]).unwrap().hosts().len(),
            8
        );
        let bad = r#"{"services":[{"name":"a","datasources":["x"]}],"cross_site":[{"from":"a","to":"a"}]}"#;
        assert!(serde_json::from_str::<Topology>(bad).is_err());
    }

    #[test]
    fn witnesses_and_connector_hosts() {
        let spec: TopologySpec = serde_json::from_str(
            r#"{"services":[{"name":"alpha","datasources":["db1","db2"],"witnesses":["w1"],"connectors":["db1","app1"]}]}"#,
        )
        .unwrap();
        let t = Topology::try_from(spec).unwrap();
        assert_eq!(t.hosts().len(), 4);
        let w1 = t.host(t.host_id("w1").unwrap());
        assert_eq!(w1.kind, HostKind::Witness);
        assert!(!w1.connector);
        let app = t.host(t.host_id("app1").unwrap());
        assert_eq!(app.kind, HostKind::ConnectorOnly);
        assert!(!t.host(t.host_id("db2").unwrap()).connector);
        insta::assert_snapshot!(t.to_string(), @"alpha: db1, db2, w1 (witness), app1 (connector)");
    }
}
