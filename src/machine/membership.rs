//! Whether every host and service an input names is one of the topology's.
//!
//! Inputs name hosts and services by index ([`HostId`], [`ServiceId`]). The resolvers only
//! hand out indices of the topology they resolve against, but an input built in code, read
//! from JSON or resolved against another topology can carry an index past the last one. The
//! engine refuses such an input rather than act on whichever host the index would fall on
//! (**modelling decision**: a command for a host the cluster does not have is an operator's
//! mistake, not an event; acting on it would also write the state's slots past the last
//! host, which [`crate::model::State::validate`] holds at their defaults).

use super::input::{CctrlOp, HostOp, Input, ReplicatorOp, TrepctlOp};
use super::rejection::Refusal;
use crate::model::{HostId, ServiceId, Topology};

/// The hosts and the service an input names: at most three hosts (a trepctl command's host,
/// its target and the source `setrole -uri` names) and one service (`use`).
struct Named {
    hosts: [Option<HostId>; 3],
    service: Option<ServiceId>,
}

impl Named {
    fn hosts(hosts: [Option<HostId>; 3]) -> Self {
        Self {
            hosts,
            service: None,
        }
    }

    fn of(input: &Input) -> Self {
        match *input {
            Input::Cctrl { at, op } | Input::PipedCctrl { at, op } => cctrl(at, op),
            Input::Trepctl { on, target, op, .. } => {
                let source = match op {
                    TrepctlOp::SetRole(_, source) => source,
                    _ => None,
                };
                Self::hosts([Some(on), Some(target), source])
            }
            Input::Host { on, op } => {
                let source = match op {
                    HostOp::Provision { source } => Some(source),
                    _ => None,
                };
                Self::hosts([Some(on), source, None])
            }
            Input::Fault(fault) => Self::hosts([fault.host(), None, None]),
        }
    }
}

/// What a cctrl operation typed at `at` names: `at`, a datasource and the source a
/// replicator is pointed at, or the service of `use`.
fn cctrl(at: HostId, op: CctrlOp) -> Named {
    let (host, source) = match op {
        CctrlOp::Use(service) => {
            return Named {
                hosts: [Some(at), None, None],
                service: Some(service),
            };
        }
        CctrlOp::SwitchSite(Some(site))
        | CctrlOp::FailoverSite(Some(site))
        | CctrlOp::SiteDatasource(site, _) => {
            return Named {
                hosts: [Some(at), None, None],
                service: Some(site),
            };
        }
        CctrlOp::Datasource(host, _) | CctrlOp::RecoverMasterUsing(host) => (Some(host), None),
        CctrlOp::Replicator(host, action) => match action {
            ReplicatorOp::Slave(source) | ReplicatorOp::Relay(source) => (Some(host), source),
            ReplicatorOp::Online
            | ReplicatorOp::Offline
            | ReplicatorOp::Master
            | ReplicatorOp::Process(_) => (Some(host), None),
        },
        CctrlOp::Router(host, _) | CctrlOp::Switch(host) | CctrlOp::Failover(host) => (host, None),
        CctrlOp::SetPolicy(_)
        | CctrlOp::SetForce(_)
        | CctrlOp::Recover
        | CctrlOp::RecoverSites
        | CctrlOp::SwitchSite(None)
        | CctrlOp::FailoverSite(None)
        | CctrlOp::Heartbeat
        | CctrlOp::Inspect => (None, None),
    };
    Named::hosts([Some(at), host, source])
}

/// Refuse an input that names a host or service past the topology's last.
pub(crate) fn check(topology: &Topology, input: &Input) -> Result<(), Refusal> {
    let named = Named::of(input);
    if let Some(host) = named
        .hosts
        .into_iter()
        .flatten()
        .find(|h| h.index() >= topology.hosts().len())
    {
        return Err(Refusal::UnknownHost { host });
    }
    match named.service {
        Some(service) if service.index() >= topology.services().len() => {
            Err(Refusal::UnknownService { service })
        }
        _ => Ok(()),
    }
}
