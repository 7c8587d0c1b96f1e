//! Building a topology and a compact state from `ls` listings.
//!
//! A listing is one manager group's view plus what that group can see of the hosts. It says
//! nothing of hosts it cannot reach, of partitions, or of positions it does not print; the
//! import fills those gaps with stated assumptions (returned in [`Import::assumptions`]) so
//! that a report can show what its verdict rests on.

use serde::{Deserialize, Serialize};

use super::{DataSourceBlock, DataSources, Listing, ReplicatorRow};
use crate::model::{
    ClusterReplicator, CompositeRole, Connector, ConnectorState, CrossSiteReplicator, Data,
    DataServerState, DataSourceRole, DataSourceState, DsEntry, DsState, EpochId, FailCause, HostId,
    HostKind, HostName, HostSet, HostState, MAX_HOSTS, ManagerState, ManagerView, Orphaned, Pos,
    Quorum, ReasonText, ReplicatorRole, ReplicatorState, RestartPosition, Seqno, ServiceId,
    ServiceKind, ServiceName, ServiceSpec, Session, ShunCause, ShunReason, State, Topology,
    TopologyError, TopologySpec,
};

/// The result of importing listings: the topology they describe, the state, and what had to
/// be assumed because the listings do not say it.
///
/// Read from JSON, the state must be one the engine could have built over the topology
/// ([`State::validate`]), as an import's always is: the same check as
/// [`crate::runbook::Start`]'s, which an import converts into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ImportText")]
pub struct Import {
    /// The topology (services, hosts, connectors).
    pub topology: Topology,
    /// The state.
    pub state: State,
    /// Assumptions made, one sentence each, naming the hosts concerned.
    pub assumptions: Vec<String>,
}

/// An [`Import`] as read, before its state is checked against its topology (a library user's
/// review loaded an import whose state another topology's file held, and turned it into a
/// `Start` that `Start`'s own JSON would have refused).
#[derive(Deserialize)]
struct ImportText {
    topology: Topology,
    state: State,
    #[serde(default)]
    assumptions: Vec<String>,
}

impl TryFrom<ImportText> for Import {
    type Error = crate::model::StateError;

    fn try_from(text: ImportText) -> Result<Self, Self::Error> {
        text.state.validate(&text.topology)?;
        Ok(Self {
            topology: text.topology,
            state: text.state,
            assumptions: text.assumptions,
        })
    }
}

/// Why listings could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The topology the listings describe is not valid.
    #[error(transparent)]
    Topology(#[from] TopologyError),
    /// Two listings for one service.
    #[error("service `{0}` has two listings: expected one listing per service")]
    DuplicateService(String),
    /// A relay reads a site that has no listing, so its positions have nothing to compare
    /// with.
    #[error(
        "listing of `{service}` shows its relay reading `{source_site}`, which has no listing: give `{source_site}`'s listing too, so that the two sites' positions compare"
    )]
    UnlistedSourceSite {
        /// The service whose relay reads the other site.
        service: String,
        /// The site it reads.
        source_site: String,
    },
    /// A replicator of a datasource reads a host the listing gives no block, though not a
    /// relay (which reads another site): a block lost in the paste. An operator's review
    /// found the listing refused as showing a host not in its service.
    #[error(
        "listing of `{service}` shows `{host}` reading `{reads}`, which has no block in that listing: expected a block for every datasource (was one lost in the paste?)"
    )]
    SourceWithoutBlock {
        /// The service.
        service: String,
        /// The datasource whose replicator reads `reads`.
        host: String,
        /// The host it reads.
        reads: String,
    },
    /// A relay reads a host that no listing shows: a relay reads the master of another site
    /// (Continuent docs *operations-status-roles*), whose listing, and the composite's,
    /// are needed to know that site. A review of the documents' listings found a passive
    /// site's listing alone refused as showing a host not in its service.
    #[error(
        "listing of `{service}` shows the relay on `{host}` reading `{reads}`, which no listing shows: a relay reads another site's master, so give that site's listing and the composite's (`use <composite>`, then `ls`), or a topology that declares them"
    )]
    RelaySourceUnlisted {
        /// The relay's service.
        service: String,
        /// The relay.
        host: String,
        /// The host it reads.
        reads: String,
    },
    /// A relay reads a host of another site that no composite of the topology joins to its
    /// own: a relay is a composite's passive site (Continuent docs *operations-status-roles*).
    /// A review of the documents' listings found the message saying only that the host was
    /// not of the relay's service.
    #[error(
        "listing of `{service}` shows the relay on `{host}` reading `{reads}` of `{site}`, but no composite joins `{site}` and `{service}`: give the composite's listing too (without a topology), or a topology that declares the composite (a JSON `TopologySpec` with `composites`: the one-line `single` and `multisite` forms declare none)"
    )]
    RelayWithoutComposite {
        /// The relay's service.
        service: String,
        /// The relay.
        host: String,
        /// The host it reads.
        reads: String,
        /// That host's site.
        site: String,
    },
    /// A composite listing names a member without a physical listing.
    #[error(
        "composite `{composite}` lists `{member}`, which has no listing: give the physical listing of every member"
    )]
    MissingMember {
        /// The composite service.
        composite: String,
        /// The member without a listing.
        member: String,
    },
    /// A listing names a host the given topology does not have, or that belongs to another
    /// service.
    #[error(
        "listing of `{service}` shows `{host}`, which is not a host of that service in the topology"
    )]
    UnknownHost {
        /// The service.
        service: String,
        /// The host.
        host: String,
    },
    /// A listing holds a block whose role is `witness`: the model takes witnesses from the
    /// topology, where they vote for quorum and hold no data, not from a listing, whose
    /// blocks it reads as datasources (an audit against the docs found such a block read
    /// as a datasource, with a replicator and a dataserver added on the way back).
    #[error(
        "listing of `{service}` shows `{host}` as a witness: witnesses are read from the topology, not from a listing: remove its block and declare `{host}` a witness of `{service}` in the topology the listing is read with"
    )]
    WitnessBlock {
        /// The service.
        service: String,
        /// The host.
        host: String,
    },
    /// A listing shows a host where a datasource belongs (a datasource block, a replicator's
    /// master) that the given topology makes a witness or a connector host.
    #[error(
        "listing of `{service}` shows `{host}` where a datasource belongs (a datasource block, or a replicator's master), but the topology makes it a witness or a connector host: expected a topology where `{host}` holds data"
    )]
    NotADatasource {
        /// The service.
        service: String,
        /// The host.
        host: String,
    },
    /// A listing's ROUTERS section shows a connector on a host the given topology places
    /// none on.
    #[error(
        "listing of `{service}` shows a connector on `{host}`, where the topology places none: expected a topology with a connector there"
    )]
    UnexpectedConnector {
        /// The service.
        service: String,
        /// The host.
        host: String,
    },
    /// A listing lacks datasources its service has in the given topology: `ls` lists every
    /// datasource of its service, failed or not, so the listing is partial or the topology is
    /// another cluster's.
    #[error(
        "listing of `{service}` does not show {hosts}, which the topology gives `{service}`: `ls` lists every datasource of its service; give the whole listing, or a topology without them"
    )]
    UnlistedDatasources {
        /// The service.
        service: String,
        /// The datasources missing, in words.
        hosts: String,
    },
    /// A composite listing disagrees with the state of its members (their listings, or the
    /// healthy start of a member without one, which makes the composite's first member the
    /// active site): which site holds the composite's master.
    #[error(
        "composite `{composite}` lists `{member}` as `{listed}`, but {found}: give the listings of the composite's members taken with it"
    )]
    CompositeDisagrees {
        /// The composite.
        composite: String,
        /// The member whose role disagrees.
        member: String,
        /// Its role and state in the composite listing.
        listed: String,
        /// What the members' state holds instead.
        found: String,
    },
    /// A listing's service is not in the given topology.
    #[error("service `{0}` is not in the topology")]
    UnknownService(String),
    /// The coordinator is not a host of the service.
    #[error("the coordinator `{host}` of `{service}` is not one of its hosts")]
    UnknownCoordinator {
        /// The service.
        service: String,
        /// The coordinator named.
        host: String,
    },
    /// The coordinator is a host of the service that runs no manager (a connector host). The
    /// coordinator is the manager that decides for its group (only the coordinator of a
    /// primary partition fails over), so a host without a manager cannot be one.
    #[error(
        "the coordinator `{host}` of `{service}` runs no manager: a coordinator is one of the service's managers (a datasource or an active witness)"
    )]
    CoordinatorWithoutManager {
        /// The service.
        service: String,
        /// The coordinator named.
        host: String,
    },
    /// A replicator listed as reading from its own host.
    #[error(
        "listing of `{service}` shows the replicator on `{host}` reading from itself (`master={host}`): expected another datasource as its master"
    )]
    OwnSource {
        /// The service.
        service: String,
        /// The host.
        host: String,
    },
    /// A replicator in role master listed with a source: a master extracts from its own
    /// dataserver, and Tungsten lists no `master=` for it.
    #[error(
        "listing of `{service}` shows the master replicator on `{host}` reading from `{reads}`: a master extracts from its own dataserver; expected role slave or relay, or no `master=`"
    )]
    MasterWithSource {
        /// The service.
        service: String,
        /// The host.
        host: String,
        /// The source listed.
        reads: String,
    },
}

impl State {
    /// Build the topology and state that `listings` describe, one listing per service, each
    /// paired with its service's name (the listing itself does not print it). Composite
    /// listings declare the composite service over the physical ones.
    ///
    /// Every datasource listed becomes a host of its service with a connector; witnesses and
    /// cross-site services do not show in `ls`, so use [`State::from_listings_in`] with a
    /// topology to have them.
    ///
    /// # Errors
    /// [`ImportError`] for duplicate services or hosts, more hosts than [`MAX_HOSTS`], or a
    /// composite member without a listing.
    pub fn from_listings(listings: &[(ServiceName, &Listing)]) -> Result<Import, ImportError> {
        let mut spec = TopologySpec::single("unused", &["unused"])?;
        spec.services.clear();
        let physical_hosts: Vec<&HostName> = listings
            .iter()
            .flat_map(|(_, l)| l.physical().iter().map(|b| &b.host))
            .collect();
        for (service, listing) in listings {
            for block in listing.physical() {
                let Some(row) = &block.replicator else {
                    continue;
                };
                let Some(reads) = &row.master else {
                    continue;
                };
                if row.role == Some(ReplicatorRole::Relay) && !physical_hosts.contains(&reads) {
                    return Err(ImportError::RelaySourceUnlisted {
                        service: service.to_string(),
                        host: block.host.to_string(),
                        reads: reads.to_string(),
                    });
                }
                if row.role != Some(ReplicatorRole::Relay)
                    && !listing.physical().iter().any(|b| &b.host == reads)
                {
                    return Err(ImportError::SourceWithoutBlock {
                        service: service.to_string(),
                        host: block.host.to_string(),
                        reads: reads.to_string(),
                    });
                }
            }
            if spec.services.iter().any(|s| &s.name == service)
                || spec.composites.iter().any(|c| &c.name == service)
            {
                return Err(ImportError::DuplicateService(service.to_string()));
            }
            match &listing.datasources {
                DataSources::Physical(blocks) => {
                    let datasources: Vec<HostName> =
                        blocks.iter().map(|b| b.host.clone()).collect();
                    let mut connectors = datasources.clone();
                    for router in listing.routers.iter().flatten() {
                        let elsewhere = physical_hosts.contains(&&router.host)
                            && !datasources.contains(&router.host);
                        if !elsewhere && !connectors.contains(&router.host) {
                            connectors.push(router.host.clone());
                        }
                    }
                    spec.services.push(ServiceSpec {
                        name: service.clone(),
                        datasources,
                        witnesses: Vec::new(),
                        connectors: Some(connectors),
                        precedence: std::collections::BTreeMap::new(),
                    });
                }
                DataSources::Composite { members, .. } => {
                    spec.composites.push(crate::model::CompositeSpec {
                        name: service.clone(),
                        members: members.iter().map(|m| m.service.clone()).collect(),
                    });
                }
            }
        }
        for composite in &spec.composites {
            for member in &composite.members {
                if !spec.services.iter().any(|s| &s.name == member) {
                    return Err(ImportError::MissingMember {
                        composite: composite.name.to_string(),
                        member: member.to_string(),
                    });
                }
            }
        }
        let topology = Topology::try_from(spec)?;
        Self::from_listings_in(topology, listings)
    }

    /// Build the state that `listings` describe over a given topology (which may add
    /// witnesses, connector hosts, precedence and cross-site services the listings do not
    /// show). Services without a listing start healthy.
    ///
    /// # Errors
    /// [`ImportError`] when a listing names a service or host the topology lacks.
    pub fn from_listings_in(
        topology: Topology,
        listings: &[(ServiceName, &Listing)],
    ) -> Result<Import, ImportError> {
        if let Some((service, block)) = listings.iter().find_map(|(service, listing)| {
            listing
                .physical()
                .iter()
                .find(|b| b.role == DataSourceRole::Witness)
                .map(|b| (service, b))
        }) {
            return Err(ImportError::WitnessBlock {
                service: service.to_string(),
                host: block.host.to_string(),
            });
        }
        let mut topology = topology;
        let mut state = Self::healthy(&topology);
        let mut assumptions = Vec::new();
        let read_elsewhere = read_by_other_sites(&topology, listings);
        for (service_name, listing) in listings {
            let DataSources::Physical(blocks) = &listing.datasources else {
                continue;
            };
            let service = topology
                .service_id(service_name.as_str())
                .ok_or_else(|| ImportError::UnknownService(service_name.to_string()))?;
            // A relay's site is read on the line of the site it reads, which must be listed:
            // that site starting healthy at no events would put the relay ahead of it (an
            // independent review found the advice then to provision the other site's master
            // from the relay).
            let line = history_site(&topology, service, blocks);
            if line != service
                && !listings
                    .iter()
                    .any(|(n, _)| n == topology.service_name(line))
                && !shown_lost(listings, topology.service_name(line))
            {
                return Err(ImportError::UnlistedSourceSite {
                    service: service_name.to_string(),
                    source_site: topology.service_name(line).to_string(),
                });
            }
            let elsewhere = read_elsewhere.get(service.index()).copied().flatten();
            import_service(
                &mut topology,
                &mut state,
                (service, line),
                (listing, blocks, elsewhere),
                &mut assumptions,
            )?;
        }
        for (_, listing) in listings {
            if let DataSources::Composite { members, .. } = &listing.datasources {
                for member in members {
                    lose_unlisted_site(
                        &topology,
                        &mut state,
                        (member, listings),
                        &read_elsewhere,
                        &mut assumptions,
                    );
                }
            }
        }
        for (composite, listing) in listings {
            if let DataSources::Composite { members, .. } = &listing.datasources {
                composite_agrees(&topology, &state, composite, members)?;
            }
        }
        sync_cross_site(&topology, &mut state);
        Ok(Import {
            topology,
            state,
            assumptions,
        })
    }
}

fn host_of(
    topology: &Topology,
    service: ServiceId,
    name: &HostName,
) -> Result<HostId, ImportError> {
    let h = topology
        .host_id(name.as_str())
        .filter(|&h| topology.host(h).service == service)
        .ok_or_else(|| ImportError::UnknownHost {
            service: topology.service_name(service).to_string(),
            host: name.to_string(),
        })?;
    if !topology.host(h).is_datasource() {
        return Err(ImportError::NotADatasource {
            service: topology.service_name(service).to_string(),
            host: name.to_string(),
        });
    }
    Ok(h)
}

/// The compact form of a listed state.
pub(crate) fn ds_state(
    topology: &mut Topology,
    service: ServiceId,
    state: &DataSourceState,
) -> Result<DsState, ImportError> {
    Ok(match state {
        DataSourceState::Online => DsState::Online,
        DataSourceState::Offline => DsState::Offline,
        DataSourceState::Shunned(reason) => DsState::Shunned(match reason {
            None => ShunCause::Unstated,
            Some(ShunReason::ManuallyShunned) => ShunCause::Manual,
            Some(ShunReason::FailsafeShun) => ShunCause::Failsafe,
            Some(ShunReason::Superseded) => ShunCause::Superseded,
            Some(ShunReason::SubserviceSwitchFailed) => ShunCause::SubserviceSwitchFailed,
            Some(ShunReason::DrainConnections) => ShunCause::DrainConnections,
            // Only a datasource of the service is one a failover went to; any other name
            // (a connector host's, say) is kept as the text it is.
            Some(ShunReason::FailedOverTo(host)) => {
                match topology.host_id(host.as_str()).filter(|&h| {
                    topology.host(h).service == service && topology.host(h).is_datasource()
                }) {
                    Some(h) => ShunCause::FailedOverTo(h),
                    None => match ReasonText::new(format!("FAILED-OVER-TO-{host}")) {
                        Ok(text) => ShunCause::Other(topology.intern_reason(&text)?),
                        Err(_) => ShunCause::Unstated,
                    },
                }
            }
            Some(ShunReason::Other(text)) => ShunCause::Other(topology.intern_reason(text)?),
        }),
        DataSourceState::Failed(None) => DsState::Failed(FailCause::Unstated),
        DataSourceState::Failed(Some(text)) => DsState::Failed(
            match super::project::known_failure(topology, service, text.as_str()) {
                Some(cause) => cause,
                None => FailCause::Other(topology.intern_reason(text)?),
            },
        ),
    })
}

/// The engine's state for a listed replicator state (`None`: not running). A SUSPECT
/// replicator counts as online, with an assumption line saying so (**modelling decision**:
/// its manager saw it online and doubts it; reading it as offline would hide it from a
/// failover the real managers may still make). A replicator on
/// its way online while it synchronizes counts as online, as failover candidate selection
/// counts it (Continuent docs *manual-switch-versus-automatic-failover*: a candidate's
/// replicator is online or synchronizing); one provisioning or restoring does not hold its
/// data yet, so it is read as `OFFLINE:NORMAL` (see [`not_yet_holding_data`]).
fn replicator_state(state: ReplicatorState) -> Option<ReplicatorState> {
    use ReplicatorState as R;
    match state {
        R::Online | R::GoingOnlineSynchronizing | R::Suspect => Some(R::Online),
        R::OfflineNormal
        | R::OfflineNormalRestoring
        | R::GoingOnlineProvisioning
        | R::GoingOnlineRestoring
        | R::GoingOffline
        | R::Offline => Some(R::OfflineNormal),
        R::OfflineError | R::Degraded => Some(R::OfflineError),
        R::Stopped | R::StatusNotAvailable => None,
    }
}

/// The position `block` prints (`progress=`), in `service`'s first epoch: the listing shows
/// no epochs, so the model reads every datasource as on one line of history.
fn listed_position(service: ServiceId, block: &DataSourceBlock) -> Option<Pos> {
    let seqno = block.progress.and_then(|p| p.seqno)?;
    Some(Pos {
        seqno: seqno.get(),
        epoch: EpochId::root(service),
    })
}

/// The site whose line of history `service`'s listed positions are on: its own, or, where
/// a relay reads another site's master (a composite's passive site), that site's, whose
/// events it applies under their own seqnos.
fn history_site(topology: &Topology, service: ServiceId, blocks: &[DataSourceBlock]) -> ServiceId {
    blocks
        .iter()
        .filter_map(|b| b.replicator.as_ref())
        .filter(|r| r.role == Some(ReplicatorRole::Relay))
        .find_map(|r| relay_source(topology, service, r.master.as_ref()?))
        .map_or(service, |source| topology.host(source).service)
}

/// The datasource `named` of another site of a composite `service` belongs to: the source a
/// relay of `service` may read (an independent review found a relay reading a host of an
/// unrelated service accepted).
fn relay_source(topology: &Topology, service: ServiceId, named: &HostName) -> Option<HostId> {
    let source = topology.host_id(named.as_str())?;
    let site = topology.host(source).service;
    let one_composite = topology.services().iter().any(|s| match &s.kind {
        ServiceKind::Composite { members } => members.contains(&service) && members.contains(&site),
        ServiceKind::Physical => false,
    });
    (site != service && one_composite && topology.host(source).is_datasource()).then_some(source)
}

/// The coordinator `listing` names: a host of `service` running a manager.
fn coordinator_of(
    topology: &Topology,
    service: ServiceId,
    listing: &Listing,
) -> Result<HostId, ImportError> {
    let error_service = || topology.service_name(service).to_string();
    let coordinator = topology
        .host_id(listing.coordinator.host.as_str())
        .filter(|&h| topology.host(h).service == service)
        .ok_or_else(|| ImportError::UnknownCoordinator {
            service: error_service(),
            host: listing.coordinator.host.to_string(),
        })?;
    if !topology.host(coordinator).has_manager() {
        return Err(ImportError::CoordinatorWithoutManager {
            service: error_service(),
            host: listing.coordinator.host.to_string(),
        });
    }
    Ok(coordinator)
}

/// The most advanced position `blocks` print, if any prints one.
fn most_printed(blocks: &[DataSourceBlock]) -> Option<u64> {
    blocks
        .iter()
        .filter_map(|b| b.progress.and_then(|p| p.seqno))
        .map(Seqno::get)
        .max()
}

/// Whether a composite listing's `member` block shows its site lost: `SHUNNED(FAILSAFE_SHUN)`
/// (FAILED is not enough: `datasource <site> fail` prints it for a live site).
fn listed_lost(member: &super::MemberBlock) -> bool {
    member.state == DataSourceState::Shunned(Some(ShunReason::FailsafeShun))
}

/// Whether a composite listing shows `site` lost (`SHUNNED(FAILSAFE_SHUN)`): no
/// listing of it can be taken, so a relay reading it is read against the lost site
/// ([`lose_unlisted_site`] credits its master with what the relay's site prints).
fn shown_lost(listings: &[(ServiceName, &Listing)], site: &ServiceName) -> bool {
    listings
        .iter()
        .any(|(_, listing)| match &listing.datasources {
            DataSources::Composite { members, .. } => {
                members.iter().any(|m| &m.service == site && listed_lost(m))
            }
            DataSources::Physical(_) => false,
        })
}

/// A site a composite listing shows lost (`composite master:SHUNNED(FAILSAFE_SHUN)`), given no
/// listing of its own, is read as down (FAILED is not enough: `datasource <site> fail` prints
/// it for a live site, whose listing can be taken; a review found such a site read as down): each of its hosts crashed, its
/// managers' views holding every datasource `SHUNNED(FAILSAFE_SHUN)` without quorum, as
/// the managers that fail safe leave them (Continuent docs *manager-failover-failsafe-shun*),
/// and its master holding what a passive site replicating from it prints (`elsewhere`), or
/// no events when none does. No listing of such a site can be taken: its managers are gone,
/// as on *operations-composite-failover*, whose listing is the composite's alone (an
/// operator's review found that listing refused as a start, with the advice to give the
/// site's). **Modelling decision**: down, not cut off by a partition, as a lost host of a
/// listing is read; the assumption says so.
fn lose_unlisted_site(
    topology: &Topology,
    state: &mut State,
    (member, listings): (&super::MemberBlock, &[(ServiceName, &Listing)]),
    elsewhere: &[Option<u64>],
    assumptions: &mut Vec<String>,
) {
    let lost = listed_lost(member);
    let listed = listings.iter().any(|(n, _)| n == &member.service);
    let Some(site) = topology.service_id(member.service.as_str()) else {
        return;
    };
    if !lost || listed || topology.composite_of(site).is_none() {
        return;
    }
    let hosts: Vec<HostId> = topology
        .hosts_of(site)
        .filter(|&h| topology.host(h).has_manager())
        .collect();
    let master = topology
        .datasources_of(site)
        .find(|&d| state.view(d).entry(d).role == DataSourceRole::Master);
    for &h in &hosts {
        state.hosts[h.index()].go_down();
        let view = &mut state.views[h.index()];
        view.quorum = Quorum::NonPrimary;
        for d in topology.datasources_of(site) {
            if let Some(e) = view.entry_mut(d) {
                e.state = DsState::Shunned(ShunCause::Failsafe);
            }
        }
    }
    let read = elsewhere.get(site.index()).copied().flatten();
    let mut credit = String::new();
    if let (Some(m), Some(seqno)) = (master, read) {
        state.hosts[m.index()].data.pos = Some(Pos {
            seqno,
            epoch: EpochId::root(site),
        });
        credit = format!(
            "; its master {} read as holding what a site replicating from it prints (to seqno {seqno}) and no more: check with `thl list` or tungsten_find_orphaned before recovering it",
            topology.host_name(m)
        );
    }
    let names: Vec<&str> = hosts
        .iter()
        .map(|&h| topology.host_name(h).as_str())
        .collect();
    assumptions.push(format!(
        "{}: listed as `{}:{}` and given no listing of its own: {} read as down, not cut off by a partition, every datasource SHUNNED(FAILSAFE_SHUN){credit}",
        member.service,
        member.role,
        member.state,
        crate::text::series(&names, "and")
    ));
}

/// Import `listing` of `service`, whose positions are on the line of history of `line`
/// ([`history_site`]).
/// Check a composite listing against its members' imported state: the member it lists as
/// the ONLINE `composite master` must hold a master, and a member it lists as a `composite
/// slave` must hold none (a passive site's managers hold a relay: Continuent docs
/// *operations-status-roles*). A composite master listed SHUNNED or FAILED must not be held
/// ONLINE by its site: its site may hold its master out of service, or be down. A composite
/// slave listed SHUNNED or FAILED must not be held with its relay ONLINE by its site (the
/// model reads a passive site's composite state from its relay). **Modelling decision**: the model does not import
/// a composite's own state (a superseded site, the composite's policy), so a listing it cannot
/// reconcile with its members is refused rather than left unused; before, a composite listing
/// showing the second site active started the first one active, with nothing said (a review
/// of the documents' listings). An active/active composite (its sites write each) is not
/// checked.
fn composite_agrees(
    topology: &Topology,
    state: &State,
    composite: &ServiceName,
    members: &[super::MemberBlock],
) -> Result<(), ImportError> {
    let id = topology
        .service_id(composite.as_str())
        .ok_or_else(|| ImportError::UnknownService(composite.to_string()))?;
    let Some((_, sites)) = topology.active_passive().find(|&(c, _)| c == id) else {
        return Ok(());
    };
    for member in members {
        let disagrees = |found: String| ImportError::CompositeDisagrees {
            composite: composite.to_string(),
            member: member.service.to_string(),
            listed: format!("{}:{}", member.role, member.state),
            found,
        };
        let Some(site) = topology
            .service_id(member.service.as_str())
            .filter(|s| sites.contains(s))
        else {
            return Err(disagrees(format!(
                "the topology's `{composite}` has no member `{}`",
                member.service
            )));
        };
        let holds_master = state.site_holds(topology, site, DataSourceRole::Master);
        let active = member.role == CompositeRole::Master;
        let online = member.state == DataSourceState::Online;
        if active && online && !holds_master {
            return Err(disagrees(format!(
                "no datasource of `{}` is in the master role (its listing, or its healthy start, makes it a passive site)",
                member.service
            )));
        }
        // A composite master listed SHUNNED or FAILED at a site whose state holds its
        // master ONLINE: the site's own listing, or its healthy start when it has none, says
        // otherwise (an operator's review found the docs' failover listing, the active site
        // `SHUNNED(FAILSAFE_SHUN)`, started healthy with nothing said).
        let online_master = topology.hosts_of(site).any(|m| {
            topology
                .datasources_of(site)
                .any(|d| state.view(m).entry(d).is_online_master())
        });
        if active && !online && online_master {
            return Err(disagrees(format!(
                "`{}` holds its master ONLINE (its listing, or its healthy start when it has none)",
                member.service
            )));
        }
        if !active && holds_master {
            return Err(disagrees(format!(
                "`{}` holds a datasource in the master role (its listing, or its healthy start as the composite's first member, makes it the active site)",
                member.service
            )));
        }
        // A composite slave listed SHUNNED or FAILED at a site whose state holds its relay
        // ONLINE: the model reads a passive site's composite state from its relay, so the
        // listing's shun would be lost and a `switch` to the site accepted (an operator's
        // review found `switch to west` VALID from a listing showing
        // `west(composite slave:SHUNNED(MANUALLY-SHUNNED))`). OFFLINE is let through: the
        // docs' *operations-composite-recovery* prints a recovered site OFFLINE beside its
        // ONLINE relay.
        let out_of_service = matches!(
            member.state,
            DataSourceState::Shunned(_) | DataSourceState::Failed(_)
        );
        let online_relay = topology.hosts_of(site).any(|m| {
            topology.datasources_of(site).any(|d| {
                state.view(m).entry(d) == DsEntry::new(DataSourceRole::Relay, DsState::Online)
            })
        });
        if !active && out_of_service && online_relay {
            return Err(disagrees(format!(
                "`{}` holds its relay ONLINE (its listing, or its healthy start when it has none), and the model reads a passive site's composite state from its relay",
                member.service
            )));
        }
    }
    Ok(())
}

/// `Ok` if `blocks` show every datasource the topology gives `service`
/// ([`ImportError::UnlistedDatasources`]).
fn every_datasource_listed(
    topology: &Topology,
    service: ServiceId,
    blocks: &[DataSourceBlock],
) -> Result<(), ImportError> {
    let unlisted: Vec<String> = topology
        .datasources_of(service)
        .filter(|&d| {
            let name = topology.host_name(d);
            !blocks.iter().any(|b| &b.host == name)
        })
        .map(|d| format!("`{}`", topology.host_name(d)))
        .collect();
    if unlisted.is_empty() {
        return Ok(());
    }
    Err(ImportError::UnlistedDatasources {
        service: topology.service_name(service).to_string(),
        hosts: crate::text::series(&unlisted, "and"),
    })
}

fn import_service(
    topology: &mut Topology,
    state: &mut State,
    (service, line): (ServiceId, ServiceId),
    (listing, blocks, elsewhere): (&Listing, &[DataSourceBlock], Option<u64>),
    assumptions: &mut Vec<String>,
) -> Result<(), ImportError> {
    let service_name = topology.service_name(service).clone();
    let coordinator = coordinator_of(topology, service, listing)?;
    let mut view = ManagerView {
        policy: listing.coordinator.policy,
        coordinator: Some(coordinator),
        quorum: Quorum::Unknown,
        datasources: [DsEntry::default(); MAX_HOSTS],
        fenced: HostSet::EMPTY,
    };
    let listed_master = blocks
        .iter()
        .find(|b| b.role == DataSourceRole::Master && b.state == DataSourceState::Online)
        .or_else(|| blocks.iter().find(|b| b.role == DataSourceRole::Master))
        .map(|b| host_of(topology, service, &b.host))
        .transpose()?;
    let mut down = Vec::new();
    let mut up_by_connector = Vec::new();
    let mut unknown_positions = Vec::new();
    let mut lost_rows = LostRows::default();
    for block in blocks {
        let h = host_of(topology, service, &block.host)?;
        view.datasources[h.index()] =
            DsEntry::new(block.role, ds_state(topology, service, &block.state)?);
        let manager_online = block.manager == Some(ManagerState::Online) || h == coordinator;
        let up = match host_evidence(listing, block, manager_online) {
            Evidence::None => {
                down.push(block.host.to_string());
                false
            }
            Evidence::ConnectorOnly => {
                up_by_connector.push(block.host.to_string());
                true
            }
            Evidence::ManagerOrDataServer => true,
        };
        lost_rows.note(block, h == coordinator, up, manager_online);
        let replicator = replicator_from(
            topology,
            service,
            block,
            h,
            up && manager_online,
            listed_master,
        )?;
        let replicator = ClusterReplicator {
            running: up && replicator.running,
            ..replicator
        };
        let pos = listed_position(line, block);
        if pos.is_none() {
            unknown_positions.push((h, block.role, block.host.to_string()));
        }
        let host = &mut state.hosts[h.index()];
        *host = HostState {
            up,
            manager: manager_online,
            connector: Connector::default(),
            dataserver: up && block.dataserver != Some(DataServerState::Stopped),
            replicator,
            cross_site: host.cross_site,
            data: Data {
                pos,
                drift: false,
                orphaned: None,
                writing: None,
            },
        };
    }
    every_datasource_listed(topology, service, blocks)?;
    let read_otherwise = read_otherwise(blocks, |b| {
        host_of(topology, service, &b.host).is_ok_and(|h| state.manager_running(h))
    });
    let printed = (blocks, elsewhere);
    let (unprinted, credited) =
        credit_unprinted_masters(state, (service, &service_name), printed, unknown_positions);
    let left_behind = mark_left_behind(
        topology,
        state,
        service,
        &service_name,
        &view,
        listed_master,
    );
    let unlisted_connectors = wire_service(topology, state, service, listing, view)?;
    let gaps = gaps(
        &service_name,
        &Silences {
            down: &down,
            up_by_connector: &up_by_connector,
            read_otherwise: &read_otherwise,
            unknown_positions: &unprinted,
            no_replicator_row: &lost_rows.replicator,
            no_manager_row: &lost_rows.manager,
            no_dataserver_row: &lost_rows.dataserver,
            unlisted_connectors: &unlisted_connectors,
        },
    );
    assumptions.extend(gaps.into_iter().chain(credited).chain(left_behind));
    Ok(())
}

/// Mark the events a promotion left behind before the listing was taken: a datasource the
/// listing shows in the master role beside the master (`SHUNNED(FAILED-OVER-TO-x)`, shunned
/// or failed otherwise, OFFLINE, or ONLINE too: a split brain), holding events that master
/// lacks, holds them as the promotion left them ([`Data::orphaned`], as if the engine had run
/// it), and the report says so once, as an assumption of the start. Unmarked, discarding them (restoring or
/// reprovisioning the old master, the documented cure; Continuent docs
/// *manager-failover-behavior-recovery*) read as a new loss whose advice named a host
/// holding them, when none does (an operator's review), and the built-in old-master
/// procedure wrote a plan that did not validate (an independent review). An old master the
/// master's position covers is read as on its line, which a listing cannot confirm (it does
/// not show where the promotion forked the history): that is said too. A second master in
/// service was left out, so a split brain's recovery of the master with fewer events passed
/// with nothing said (an operator review).
fn mark_left_behind(
    topology: &Topology,
    state: &mut State,
    service: ServiceId,
    service_name: &ServiceName,
    view: &ManagerView,
    master: Option<HostId>,
) -> Vec<String> {
    let Some(master) = master.filter(|&m| view.entry(m).state == DsState::Online) else {
        return Vec::new();
    };
    let history = state.history;
    let promoted = state.hosts[master.index()].data.pos;
    let mut said = Vec::new();
    for h in topology.datasources_of(service) {
        let entry = view.entry(h);
        if h == master || entry.role != DataSourceRole::Master {
            continue;
        }
        let (name, m) = (topology.host_name(h), topology.host_name(master));
        let data = &mut state.hosts[h.index()].data;
        if data.pos.is_none() {
            continue;
        }
        // A second ONLINE master (a split brain): both may have taken writes, so neither
        // is known to hold the other's events up to the lower position; the listing shows
        // one line of seqnos and cannot tell.
        let split = entry.state == DsState::Online;
        let covered = history.contains(promoted, data.pos);
        let shared = if covered {
            data.pos.map(|p| p.seqno)
        } else {
            let shared = history.shared(data.pos, promoted);
            data.orphaned = Some(Orphaned { shared });
            shared
        };
        let past = shared.map_or_else(
            || "all its events".to_owned(),
            |s| format!("its events past seqno {s}"),
        );
        said.push(match (split, covered) {
            (true, _) => {
                let own = if covered {
                    String::new()
                } else {
                    format!(" {name} holds {past}, which {m} lacks: read as its own line.")
                };
                let upto = shared.map_or_else(|| "no event".to_owned(), |s| format!("the events up to seqno {s}"));
                format!(
                    "{service_name}: {name} and {m} are both masters in service (a split brain: both may have taken writes).{own} They are read as holding {upto} alike, which the listing cannot confirm: check both with tungsten_find_orphaned before recovering either"
                )
            }
            (false, true) => format!(
                "{service_name}: {name}, a master beside {m}, is read as holding no event {m} lacks (its position is on {m}'s line; the listing does not show where {m}'s promotion left it): check with tungsten_find_orphaned before recovering it"
            ),
            (false, false) => format!(
                "{service_name}: {name} holds {past}, which {m}, the master promoted over it, lacks: read as left behind by that promotion (no datasource holds them for the service any more; find them with tungsten_find_orphaned before `datasource {name} restore` or reprovisioning it discards them)"
            ),
        });
    }
    said
}

/// An assumption's sentence about the hosts it names, given them listed ("db1 and db2").
type Sentence<'a> = dyn Fn(&str) -> String + 'a;

/// The hosts whose listed replicator is read other than as it is listed, by why: still
/// filling its data (provisioning or restoring), SUSPECT, or synchronizing on its way
/// online.
struct ReadOtherwise {
    filling: Vec<String>,
    suspect: Vec<String>,
    synchronizing: Vec<String>,
}

/// The hosts whose listed replicator is still filling its data, SUSPECT or synchronizing,
/// among the blocks whose replicator is read as listed (`read_as_listed`: the host up and its
/// manager answering; any other replicator is derived from its datasource's role, and what
/// the block lists of it says nothing). An independent review found the lines printed for a
/// host read as down, and a later one a synchronizing replicator read as ONLINE with nothing
/// said, where a SUSPECT one was.
fn read_otherwise(
    blocks: &[DataSourceBlock],
    read_as_listed: impl Fn(&DataSourceBlock) -> bool,
) -> ReadOtherwise {
    let listed = |pick: fn(ReplicatorState) -> bool| -> Vec<String> {
        blocks
            .iter()
            .filter(|b| read_as_listed(b) && b.replicator.as_ref().is_some_and(|r| pick(r.state)))
            .map(|b| b.host.to_string())
            .collect()
    };
    ReadOtherwise {
        filling: listed(not_yet_holding_data),
        suspect: listed(|r| r == ReplicatorState::Suspect),
        synchronizing: listed(|r| r == ReplicatorState::GoingOnlineSynchronizing),
    }
}

/// Read a master whose position is not printed as holding what the most advanced datasource
/// of `service` prints, or of a site replicating from it (`elsewhere`: a passive site's relay
/// and its slaves, whose positions are on `service`'s line): they replicated that from it
/// (**modelling decision**: the least it can hold; read as holding nothing, those datasources
/// would be ahead of it and the state broken from the start; an operator's review found the
/// docs' composite failover, from a listing whose lost site prints no positions, so broken).
/// Returns the names of the other hosts whose position is not printed (read as holding no
/// events) and the assumption the credit rests on, if any master was credited.
fn credit_unprinted_masters(
    state: &mut State,
    (service, service_name): (ServiceId, &ServiceName),
    (blocks, elsewhere): (&[DataSourceBlock], Option<u64>),
    unknown: Vec<(HostId, DataSourceRole, String)>,
) -> (Vec<String>, Option<String>) {
    let here = most_printed(blocks);
    let most_printed = here.max(elsewhere);
    let mut credited = Vec::new();
    let mut unprinted = Vec::new();
    for (h, role, name) in unknown {
        match most_printed {
            Some(seqno) if role == DataSourceRole::Master => {
                state.hosts[h.index()].data.pos = Some(Pos {
                    seqno,
                    epoch: EpochId::root(service),
                });
                credited.push(name);
            }
            _ => unprinted.push(name),
        }
    }
    let assumption = most_printed.filter(|_| !credited.is_empty()).map(|seqno| {
        let whose = if here >= elsewhere {
            "the most advanced datasource prints"
        } else {
            "a site replicating from it prints"
        };
        format!(
            "{}: the position of {} (master role) is not printed: read as holding every event {whose} (to seqno {seqno}) and no more; any beyond (not yet extracted, or orphaned by a failover) are not seen: check with `thl list` or tungsten_find_orphaned before recovering it or promoting around it",
            service_name,
            crate::text::series(&credited, "and")
        )
    });
    (unprinted, assumption)
}

/// For each service (by index), the most advanced position that the listings of other sites
/// print on its line: a passive site's relay, and the slaves reading it, apply the active
/// site's events under their own seqnos ([`history_site`]).
fn read_by_other_sites(
    topology: &Topology,
    listings: &[(ServiceName, &Listing)],
) -> Vec<Option<u64>> {
    let mut most = vec![None; topology.services().len()];
    for (name, listing) in listings {
        let (DataSources::Physical(blocks), Some(service)) =
            (&listing.datasources, topology.service_id(name.as_str()))
        else {
            continue;
        };
        let line = history_site(topology, service, blocks);
        if line == service {
            continue;
        }
        let printed = most_printed(blocks);
        if let Some(slot) = most.get_mut(line.index()) {
            *slot = (*slot).max(printed);
        }
    }
    most
}

/// What a listing shows of a datasource's host being up.
enum Evidence {
    /// Its manager answers, or its dataserver's state is known.
    ManagerOrDataServer,
    /// Neither, but its connector is listed as running.
    ConnectorOnly,
    /// Nothing: the host is read as down.
    None,
}

/// What `listing` shows of `block`'s host being up. A connector listed as running answers
/// its managers from the host, so the host is up: a crashed host's connector drops out of
/// ROUTERS (seed 004 lists none for its two hosts that are down). The `parse_ls` fuzzer, once
/// imports were validated, found a listing read with a host down beside its running
/// connector.
fn host_evidence(listing: &Listing, block: &DataSourceBlock, manager_online: bool) -> Evidence {
    let dataserver_known = matches!(
        block.dataserver,
        Some(DataServerState::Online | DataServerState::Stopped | DataServerState::Offline)
    );
    let connector_runs = listing.routers.iter().flatten().any(|r| {
        r.host == block.host && matches!(r.state, ConnectorState::Online | ConnectorState::Offline)
    });
    if manager_online || dataserver_known {
        Evidence::ManagerOrDataServer
    } else if connector_runs {
        Evidence::ConnectorOnly
    } else {
        Evidence::None
    }
}

/// The hosts whose blocks print no MANAGER, DATASERVER or REPLICATOR row (a block copied
/// without its component rows, or a row lost in the paste), where the row's absence is read
/// one way or the other: either way it is said (an operator's review found a block without
/// its DATASERVER row read as running, with nothing said, where the row it lost showed the
/// dataserver stopped).
#[derive(Default)]
struct LostRows {
    /// No MANAGER row, on a host other than the coordinator (whose manager answers).
    manager: Vec<String>,
    /// No DATASERVER row, on a host read as up.
    dataserver: Vec<String>,
    /// No REPLICATOR row, on a host read as up with its manager answering.
    replicator: Vec<String>,
}

impl LostRows {
    fn note(&mut self, block: &DataSourceBlock, coordinator: bool, up: bool, manager: bool) {
        let host = || block.host.to_string();
        if block.manager.is_none() && !coordinator {
            self.manager.push(host());
        }
        if up && block.dataserver.is_none() {
            self.dataserver.push(host());
        }
        if up && manager && block.replicator.is_none() {
            self.replicator.push(host());
        }
    }
}

/// The hosts of a service whose listing leaves something to assume, by what it leaves.
struct Silences<'a> {
    /// No manager answers for them, nothing shows them up.
    down: &'a [String],
    /// No manager answers for them, but their connector runs.
    up_by_connector: &'a [String],
    /// Their replicators are provisioning, restoring, SUSPECT or synchronizing.
    read_otherwise: &'a ReadOtherwise,
    /// Their positions are not printed.
    unknown_positions: &'a [String],
    /// Their managers answer, but their blocks print no REPLICATOR row (a block copied
    /// without its component rows).
    no_replicator_row: &'a [String],
    /// Their blocks print no MANAGER row (the coordinator's aside, whose manager answers).
    no_manager_row: &'a [String],
    /// Read as up, their blocks print no DATASERVER row.
    no_dataserver_row: &'a [String],
    /// Their connectors, when the listing prints no ROUTERS section.
    unlisted_connectors: &'a [String],
}

/// What an import of `service` assumed where its listing is silent: hosts no manager answers
/// for (down, or up because their connector runs), replicators still filling their data or
/// doubted, positions not printed.
fn gaps(service_name: &ServiceName, silences: &Silences<'_>) -> Vec<String> {
    let Silences {
        down,
        up_by_connector,
        read_otherwise:
            ReadOtherwise {
                filling,
                suspect,
                synchronizing,
            },
        unknown_positions,
        no_replicator_row,
        no_manager_row,
        no_dataserver_row,
        unlisted_connectors,
    } = *silences;
    // "the replicator of db2 is", "the replicators of db2 and db3 are".
    let replicators = |hosts: &[String], listed: &str| {
        let (noun, verb) = if hosts.len() == 1 {
            ("replicator", "is")
        } else {
            ("replicators", "are")
        };
        format!("the {noun} of {listed} {verb}")
    };
    let lost_row = |row: &str, reading: &str, listed: &str| {
        format!("the blocks of {listed} print no {row} row: read as {reading}")
    };
    let said: [(&[String], &Sentence<'_>); 10] = [
        (down, &|listed| {
            format!(
                "{listed} cannot be reached (no manager answers, dataserver state unknown): read as down, not cut off by a partition"
            )
        }),
        (up_by_connector, &|listed| {
            format!(
                "no manager answers for {listed} and the dataserver state is unknown, but the connector runs: read as up, with the dataserver running and the replicator OFFLINE:NORMAL in the role its datasource has"
            )
        }),
        (filling, &|listed| {
            format!(
                "the replicators of {listed} are provisioning or restoring: read as OFFLINE:NORMAL, so no failover picks them before their data is complete"
            )
        }),
        (suspect, &|listed| {
            format!(
                "{} SUSPECT (the manager doubts its health): read as ONLINE, so a failover may pick {}; check with `trepctl status` before relying on it",
                replicators(suspect, listed),
                if suspect.len() == 1 { "it" } else { "them" }
            )
        }),
        (synchronizing, &|listed| {
            format!(
                "{} GOING-ONLINE:SYNCHRONIZING: read as ONLINE and holding what the listing shows, as failover counts a synchronizing replicator a candidate; check with `trepctl status` that it reaches ONLINE",
                replicators(synchronizing, listed)
            )
        }),
        (unlisted_connectors, &|listed| {
            format!(
                "the listing prints no ROUTERS section: the connectors on {listed} are read as running and routing (ONLINE), so a master the managers hold takes writes; paste the whole `ls` output to have them as they are"
            )
        }),
        (no_manager_row, &|listed| {
            lost_row(
                "MANAGER",
                "the manager not answering (stopped, or the host down when nothing else shows it up)",
                listed,
            )
        }),
        (no_dataserver_row, &|listed| {
            lost_row("DATASERVER", "the dataserver running", listed)
        }),
        (no_replicator_row, &|listed| {
            lost_row(
                "REPLICATOR",
                "the replicator OFFLINE:NORMAL in the role its datasource has",
                listed,
            )
        }),
        (unknown_positions, &|listed| {
            format!(
                "the positions of {listed} are not printed: read as holding no events, on one line of history with the others"
            )
        }),
    ];
    said.iter()
        .filter(|(hosts, _)| !hosts.is_empty())
        .map(|(hosts, text)| {
            format!(
                "{service_name}: {}",
                text(&crate::text::series(hosts, "and"))
            )
        })
        .collect()
}

/// Whether a listed replicator state means its data is still being copied in.
fn not_yet_holding_data(state: ReplicatorState) -> bool {
    matches!(
        state,
        ReplicatorState::GoingOnlineProvisioning
            | ReplicatorState::GoingOnlineRestoring
            | ReplicatorState::OfflineNormalRestoring
    )
}

/// The replicator of `block`'s host `h`: as listed when its manager answers (`visible`), else
/// derived from the datasource's role.
fn replicator_from(
    topology: &Topology,
    service: ServiceId,
    block: &DataSourceBlock,
    h: HostId,
    visible: bool,
    listed_master: Option<HostId>,
) -> Result<ClusterReplicator, ImportError> {
    let default_role = if block.role == DataSourceRole::Master {
        ReplicatorRole::Master
    } else {
        ReplicatorRole::Slave
    };
    let master_for = |role: ReplicatorRole| {
        (role != ReplicatorRole::Master)
            .then(|| listed_master.filter(|&m| m != h))
            .flatten()
    };
    Ok(match &block.replicator {
        Some(ReplicatorRow {
            role,
            master,
            state,
        }) if visible => {
            let role = role.unwrap_or(default_role);
            match replicator_state(*state) {
                Some(state) => ClusterReplicator {
                    running: true,
                    state,
                    role,
                    master: match master {
                        Some(m) => Some(listed_source(topology, service, h, role, m)?),
                        None => master_for(role),
                    },
                    restart: RestartPosition::Kept,
                },
                None => ClusterReplicator {
                    role,
                    master: master_for(role),
                    ..ClusterReplicator::default()
                },
            }
        }
        _ => ClusterReplicator {
            running: true,
            state: ReplicatorState::OfflineNormal,
            role: default_role,
            master: master_for(default_role),
            restart: RestartPosition::Kept,
        },
    })
}

/// The source a running replicator's row names (`master=`), which must be another
/// datasource, and only for a replicator that is not a master.
fn listed_source(
    topology: &Topology,
    service: ServiceId,
    h: HostId,
    role: ReplicatorRole,
    named: &HostName,
) -> Result<HostId, ImportError> {
    // A relay reads the other site's master by design (the passive site of a composite,
    // Continuent docs *operations-composite-relay-recovery*: `REPLICATOR(role=relay,
    // master=<host of the active site>, ...)`); an operator's review found such a listing
    // refused.
    let other_site = (role == ReplicatorRole::Relay)
        .then(|| relay_source(topology, service, named))
        .flatten();
    let source = match other_site {
        Some(source) => source,
        None => {
            if role == ReplicatorRole::Relay
                && let Some(elsewhere) = topology.host_id(named.as_str())
                && topology.host(elsewhere).service != service
            {
                return Err(ImportError::RelayWithoutComposite {
                    service: topology.service_name(service).to_string(),
                    host: topology.host_name(h).to_string(),
                    reads: named.to_string(),
                    site: topology
                        .service_name(topology.host(elsewhere).service)
                        .to_string(),
                });
            }
            host_of(topology, service, named)?
        }
    };
    let service = topology.service_name(service).to_string();
    let host = topology.host_name(h).to_string();
    if role == ReplicatorRole::Master {
        return Err(ImportError::MasterWithSource {
            service,
            host,
            reads: named.to_string(),
        });
    }
    if source == h {
        return Err(ImportError::OwnSource { service, host });
    }
    Ok(source)
}

/// Connectors as the ROUTERS section lists them, witnesses and connector hosts up, and the
/// listed view held by every manager of the service.
///
/// A listing with no ROUTERS section at all (a paste cut short; cctrl prints the section)
/// says nothing of the connectors: they are read as running and ONLINE on every host read
/// as up (**modelling decision**: read as stopped, no master would take writes, and a plan
/// that makes two masters writable would read safe; an independent review found them read
/// as stopped with nothing said). Returns the hosts so read.
///
/// # Errors
/// [`ImportError::UnexpectedConnector`] for a connector listed where the topology places
/// none.
fn wire_service(
    topology: &Topology,
    state: &mut State,
    service: ServiceId,
    listing: &Listing,
    mut view: ManagerView,
) -> Result<Vec<String>, ImportError> {
    for h in topology.hosts_of(service).collect::<Vec<_>>() {
        let host = topology.host(h);
        if host.kind == HostKind::ConnectorOnly {
            state.hosts[h.index()].up = true;
        }
        if host.kind == HostKind::Witness {
            state.hosts[h.index()].up = true;
            state.hosts[h.index()].manager = true;
        }
        state.hosts[h.index()].connector = Connector::default();
    }
    let mut unlisted = Vec::new();
    if listing.routers.is_none() {
        for h in topology.hosts_of(service) {
            let host = &mut state.hosts[h.index()];
            if topology.host(h).connector && host.up {
                host.connector = Connector {
                    running: true,
                    online: true,
                };
                unlisted.push(topology.host_name(h).to_string());
            }
        }
    }
    for router in listing.routers.iter().flatten() {
        let Some(h) = topology.host_id(router.host.as_str()) else {
            continue;
        };
        if topology.host(h).service == service {
            if !topology.host(h).connector {
                return Err(ImportError::UnexpectedConnector {
                    service: topology.service_name(service).to_string(),
                    host: router.host.to_string(),
                });
            }
            // A connector in an unknown state is read as running where its host is up,
            // and as stopped on a host read as down (which runs nothing).
            let up = state.hosts[h.index()].up;
            state.hosts[h.index()].connector = Connector {
                running: match router.state {
                    ConnectorState::Online | ConnectorState::Offline => true,
                    ConnectorState::Stopped => false,
                    ConnectorState::Unknown => up,
                },
                online: router.state == ConnectorState::Online,
            };
        }
    }
    let rep = view.coordinator.unwrap_or_default();
    let members = state.quorum_members(topology, service, rep);
    view.quorum = if State::has_quorum(topology, service, members) {
        Quorum::Primary
    } else {
        Quorum::NonPrimary
    };
    for h in topology.hosts_of(service).collect::<Vec<_>>() {
        state.views[h.index()] = view;
        state.sessions[h.index()] = Session {
            force: false,
            service,
        };
    }
    Ok(unlisted)
}

/// Cross-site replicators are not in `ls`: they are read as online and caught up with the
/// master of the site they replicate from.
fn sync_cross_site(topology: &Topology, state: &mut State) {
    for h in topology.host_ids() {
        let Some(from) = topology.host(h).cross_site_from else {
            continue;
        };
        let source = topology
            .datasources_of(from)
            .find(|&m| state.view(m).entry(m).is_online_master())
            .map(|m| state.hosts[m.index()].data.pos);
        let host = &mut state.hosts[h.index()];
        host.cross_site = CrossSiteReplicator {
            applied: source.flatten(),
            ..CrossSiteReplicator::started(host.up)
        };
    }
}
