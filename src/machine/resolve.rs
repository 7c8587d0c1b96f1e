//! From commands with names to engine inputs with ids, against a topology (and, for
//! selectors such as `east{master}`, a state).

use serde::{Deserialize, Serialize};

use super::input::{CctrlOp, HostOp, Input, Install, ReplicatorOp, TrepctlOp};
use crate::command::{
    CctrlCommand, CctrlMode, DatasourceAction, HostAction, HostCommand, HostRef, RelaySource,
    ReplicatorAction, ResetScope, RouterTarget, SelectorRole, SeqnoSet, TrepctlAction,
    TrepctlCommand, TrepctlInfo, Unit, WaitFor,
};
use crate::ls::default_viewer;
use crate::model::{
    DataSourceRole, DsState, HostId, HostName, ReplicatorState, ServiceId, ServiceKind, State,
    Topology,
};

/// Why a command could not be resolved against a topology.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// No such host: the name as written, and the topology's hosts (with a host whose name
    /// differs only in case first, as the likely meant one: names match exactly).
    #[error("`{name}` is not a host of the topology: expected {expected}")]
    UnknownHost {
        /// The name as written.
        name: String,
        /// What would resolve.
        expected: String,
    },
    /// No such service.
    #[error("`{0}` is not a service of the topology")]
    UnknownService(String),
    /// A command typed at a composite names a site the composite does not have.
    #[error("`{name}` is not a site of `{composite}`: expected {expected}")]
    NotASite {
        /// The name as written.
        name: String,
        /// The composite.
        composite: String,
        /// Its sites.
        expected: String,
    },
    /// The host belongs to another service than the one the command addresses.
    #[error("`{host}` is not a datasource of `{service}`: `use` its service first")]
    NotInService {
        /// The host.
        host: String,
        /// The service addressed.
        service: String,
    },
    /// A relay's source written `<service>/<host>` where the host is not of that service.
    #[error(
        "`{service}/{host}`: `{host}` is a datasource of `{actual}`, not of `{service}`: write `{actual}/{host}`"
    )]
    RelaySourceService {
        /// The host.
        host: String,
        /// The service written.
        service: String,
        /// The host's service.
        actual: String,
    },
    /// `trepctl reset` without `-service`.
    #[error(
        "`trepctl reset` needs `-service <name>`: the replicator refuses to guess which service to delete"
    )]
    ServiceRequired,
    /// `-service` names no service of that replicator install.
    #[error(
        "the {install} replicator on `{host}` has no service `{service}`: expected `{expected}`"
    )]
    WrongService {
        /// The host.
        host: String,
        /// Which install.
        install: &'static str,
        /// The service named.
        service: String,
        /// The service it has.
        expected: String,
    },
    /// The executable lives under no install root of the topology.
    #[error(
        "`{0}` is under no install root of the topology (expected the cluster or cross-site root)"
    )]
    UnknownRoot(String),
    /// The executable's prefix is not the cross-site install's, or it sits under the cluster
    /// install's root, whose tools take no prefix.
    #[error(
        "`{executable}` is no tool of the topology: the cross-site install's tools are called `{expected}_trepctl` and `{expected}_replicator`, the cluster install's by their own names"
    )]
    UnknownPrefix {
        /// The executable as typed.
        executable: String,
        /// The cross-site install's prefix.
        expected: String,
    },
    /// A `systemctl` or `service` command whose unit name is not the unit it holds (a value
    /// built by hand).
    #[error(
        "`{name}` does not name the unit the command acts on: expected `{}` or another name of that unit", unit.name()
    )]
    UnitName {
        /// The name it prints.
        name: String,
        /// The unit it holds.
        unit: Unit,
    },
    /// A command that changes state, piped into `cctrl -multi` where the topology has more
    /// than one physical service: that session starts at the root of the data services,
    /// where no service is chosen (Continuent docs *operations-composite-switch*).
    #[error(
        "`cctrl -multi` starts at the root of the data services ({services}), where `{command}` acts on none: pipe it into `cctrl` without `-multi` to act on {host}'s own service, or start `cctrl -multi` and type `use <service>` before it"
    )]
    AtRoot {
        /// The command as typed.
        command: String,
        /// The topology's services, as the root lists them.
        services: String,
        /// The host cctrl runs on.
        host: String,
    },
    /// A selector names nothing in the current state.
    #[error("`{selector}` names no host now: {why}")]
    Selector {
        /// The selector as written.
        selector: String,
        /// Why.
        why: String,
    },
}

/// The services `ls` lists at the root of a `cctrl -multi` session: every service's name,
/// in order (Continuent docs *operations-composite-switch* lists them so).
pub(crate) fn root_services(topology: &Topology) -> Vec<&str> {
    let mut names: Vec<&str> = topology
        .services()
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    names.sort_unstable();
    names
}

fn host(topology: &Topology, name: &HostName) -> Result<HostId, ResolveError> {
    topology
        .host_id(name.as_str())
        .ok_or_else(|| ResolveError::UnknownHost {
            name: name.to_string(),
            expected: match service_named(topology, name.as_str()) {
                Some(service) => service,
                None => hosts_expected(topology, name.as_str()),
            },
        })
}

/// What a name that is a service, not a host, should have been typed as: a site of a
/// composite at the composite's prompt (`switch to west` after `use global`), any service
/// after `use` (an operator's review found `switch to west` typed at a site's prompt told
/// only that `west` is no host).
fn service_named(topology: &Topology, name: &str) -> Option<String> {
    let service = topology.service_id(name)?;
    Some(match topology.composite_of(service) {
        Some((composite, _)) => format!(
            "a host: `{name}` is a site of `{composite}`, and commands on a whole site are typed at the composite (`use {composite}` first); `use {name}` reaches its hosts",
            composite = topology.service_name(composite)
        ),
        None => format!("a host: `{name}` is a service (`use {name}` reaches its hosts)"),
    })
}

/// What a name that is no host of `topology` should have been: the host whose name differs
/// only in case, if any, as the likely meant one (names match as written, as cctrl matches
/// datasource names), and the topology's hosts.
pub(crate) fn hosts_expected(topology: &Topology, name: &str) -> String {
    let names: Vec<&str> = topology.hosts().iter().map(|h| h.name.as_str()).collect();
    match names.iter().find(|n| n.eq_ignore_ascii_case(name)) {
        Some(close) => format!(
            "`{close}` (names match as written, case too); the hosts are {}",
            crate::text::series(&names, "and")
        ),
        None => format!("one of {}", crate::text::series(&names, "or")),
    }
}

fn in_service(
    topology: &Topology,
    name: &HostName,
    service: ServiceId,
) -> Result<HostId, ResolveError> {
    let h = host(topology, name)?;
    if topology.host(h).service == service {
        Ok(h)
    } else {
        Err(ResolveError::NotInService {
            host: name.to_string(),
            service: topology.service_name(service).to_string(),
        })
    }
}

/// The host `reference` names now: a host by name, or a site's master / n-th slave as the
/// site's managers see it.
///
/// # Errors
/// [`ResolveError`] when the name is unknown or the selector matches no host.
pub fn resolve_ref(
    topology: &Topology,
    state: &State,
    reference: &HostRef,
) -> Result<HostId, ResolveError> {
    match reference {
        HostRef::Host(name) => host(topology, name),
        HostRef::Selector { site, role } => {
            let service = topology
                .service_id(site.as_str())
                .ok_or_else(|| ResolveError::UnknownService(site.to_string()))?;
            let bad = |why: &str| ResolveError::Selector {
                selector: reference.to_string(),
                why: why.to_owned(),
            };
            let viewer = default_viewer(topology, state, service);
            let entry = |d: HostId| match viewer {
                Some(v) => state.view(v).entry(d),
                None => state.view(d).entry(d),
            };
            let datasources: Vec<HostId> = topology.datasources_of(service).collect();
            match role {
                SelectorRole::Master => datasources
                    .iter()
                    .copied()
                    .find(|&d| entry(d).is_online_master())
                    .or_else(|| {
                        datasources.iter().copied().find(|&d| {
                            entry(d).role == DataSourceRole::Master
                                && !matches!(entry(d).state, DsState::Shunned(_))
                        })
                    })
                    .or_else(|| {
                        datasources
                            .iter()
                            .copied()
                            .find(|&d| entry(d).role == DataSourceRole::Master)
                    })
                    .ok_or_else(|| bad("the site has no master")),
                // Slaves are numbered from 1 (`{slave1}`); a `SlaveN(0)` built in code or read
                // from JSON names none (found by an API review: it meant the first slave).
                SelectorRole::SlaveN(0) => Err(bad("slaves are numbered from 1 (`{slave1}`)")),
                SelectorRole::Slave | SelectorRole::SlaveN(_) => {
                    let n = match role {
                        SelectorRole::SlaveN(n) => usize::from(*n),
                        _ => 1,
                    };
                    datasources
                        .iter()
                        .copied()
                        .filter(|&d| entry(d).role != DataSourceRole::Master)
                        .nth(n.saturating_sub(1))
                        .ok_or_else(|| bad("the site has fewer slaves"))
                }
            }
        }
    }
}

/// A relay's source: its host, of the service written before it (`east/db1`), when one is.
/// An operator review found `west/db1` and `global/db1` accepted for east's db1.
fn relay_source(topology: &Topology, source: &RelaySource) -> Result<HostId, ResolveError> {
    let h = host(topology, &source.host)?;
    let actual = topology.service_name(topology.host(h).service);
    match &source.service {
        Some(service) if service.as_str() != actual.as_str() => {
            Err(ResolveError::RelaySourceService {
                host: source.host.to_string(),
                service: service.to_string(),
                actual: actual.to_string(),
            })
        }
        _ => Ok(h),
    }
}

/// Resolve a cctrl command typed into the manager on `at`.
///
/// A [`CctrlCommand::NotModelled`] command resolves to a step on `at` the model does not know
/// ([`HostOp::NotModelled`]): it changes nothing and is reported as not modelled.
///
/// # Errors
/// [`ResolveError`] for unknown names or a datasource of another service.
pub fn resolve_cctrl(
    topology: &Topology,
    state: &State,
    at: HostId,
    command: &CctrlCommand,
) -> Result<Input, ResolveError> {
    let service = state.session(at).service;
    // At a composite dataservice (`use global`, `[LOGICAL] /global >`) cctrl acts on whole
    // sites: `switch` moves the Active role to another site, `datasource <site> fail` fails a
    // site over (Continuent docs *operations-composite-switch*, *operations-composite-failover*).
    // The model runs each site's managers alone (**modelling decision**), so every command
    // there but `use` and `set force` (the session's own) is not modelled; an operator's review
    // found `use global` then `switch` run as a switch inside the session's site.
    // Commands that only print change nothing there either: `ls`, `members`, `show topology`,
    // `cluster validate` and the like are read-only steps.
    if let Some((composite, members)) = topology
        .active_passive()
        .find(|&(composite, _)| composite == service)
        && let Some(op) = at_composite(topology, (composite, members), command)?
    {
        return Ok(Input::Cctrl { at, op });
    }
    if topology.service(service).kind != ServiceKind::Physical
        && !matches!(command, CctrlCommand::Use(_) | CctrlCommand::SetForce(_))
    {
        if !command.changes_state() {
            return Ok(Input::Host {
                on: at,
                op: HostOp::Inspect,
            });
        }
        return Ok(Input::Host {
            on: at,
            op: HostOp::NotModelled,
        });
    }
    let ds = |name: &HostName| in_service(topology, name, service);
    let op = match command {
        CctrlCommand::SetPolicy(p) => CctrlOp::SetPolicy(*p),
        CctrlCommand::SetForce(on) => CctrlOp::SetForce(*on),
        CctrlCommand::SetMaster(h) => CctrlOp::Datasource(ds(h)?, DatasourceAction::Master),
        CctrlCommand::Datasource { host, action } => CctrlOp::Datasource(ds(host)?, *action),
        CctrlCommand::DatasourceConnections { host, .. } => {
            ds(host)?;
            CctrlOp::Inspect
        }
        CctrlCommand::Replicator { host, action } => {
            let h = ds(host)?;
            CctrlOp::Replicator(
                h,
                match action {
                    ReplicatorAction::Online => ReplicatorOp::Online,
                    ReplicatorAction::Offline => ReplicatorOp::Offline,
                    ReplicatorAction::Master => ReplicatorOp::Master,
                    ReplicatorAction::Slave(m) => {
                        ReplicatorOp::Slave(m.as_ref().map(ds).transpose()?)
                    }
                    ReplicatorAction::Relay(source) => ReplicatorOp::Relay(
                        source
                            .as_ref()
                            .map(|s| relay_source(topology, s))
                            .transpose()?,
                    ),
                    ReplicatorAction::Start => {
                        ReplicatorOp::Process(crate::command::Lifecycle::Start)
                    }
                    ReplicatorAction::Stop => {
                        ReplicatorOp::Process(crate::command::Lifecycle::Stop)
                    }
                    ReplicatorAction::Restart => {
                        ReplicatorOp::Process(crate::command::Lifecycle::Restart)
                    }
                    ReplicatorAction::Status => {
                        return Ok(Input::Cctrl {
                            at,
                            op: CctrlOp::Inspect,
                        });
                    }
                },
            )
        }
        CctrlCommand::Router { target, online } => CctrlOp::Router(
            match target {
                RouterTarget::All => None,
                RouterTarget::Host(h) => Some(in_service(topology, h, service)?),
            },
            *online,
        ),
        CctrlCommand::Recover => CctrlOp::Recover,
        CctrlCommand::RecoverMasterUsing(h) => CctrlOp::RecoverMasterUsing(ds(h)?),
        CctrlCommand::Switch { to } => CctrlOp::Switch(to.as_ref().map(ds).transpose()?),
        CctrlCommand::Failover { to } => CctrlOp::Failover(to.as_ref().map(ds).transpose()?),
        CctrlCommand::ClusterHeartbeat | CctrlCommand::ClusterFlush => CctrlOp::Heartbeat,
        CctrlCommand::Use(s) => CctrlOp::Use(
            topology
                .service_id(s.as_str())
                .ok_or_else(|| ResolveError::UnknownService(s.to_string()))?,
        ),
        CctrlCommand::NotModelled(_) => {
            return Ok(Input::Host {
                on: at,
                op: HostOp::NotModelled,
            });
        }
        _ => CctrlOp::Inspect,
    };
    Ok(Input::Cctrl { at, op })
}

/// A command typed at the active/passive composite `composite`, whose sites are `members`:
/// `switch [to <site>]`, `failover [to <site>]`, `recover`, `datasource <site>
/// fail|offline|shun|online|welcome|recover` and `set policy` act on whole sites
/// ([`CctrlOp::SwitchSite`] and the rest; Continuent docs *operations-composite*). `None` for
/// the commands the model does not run there (the other `datasource <site>` actions), left
/// to the caller.
fn at_composite(
    topology: &Topology,
    (composite, members): (ServiceId, &[ServiceId]),
    command: &CctrlCommand,
) -> Result<Option<CctrlOp>, ResolveError> {
    let site = |name: &HostName| -> Result<ServiceId, ResolveError> {
        topology
            .service_id(name.as_str())
            .filter(|s| members.contains(s))
            .ok_or_else(|| ResolveError::NotASite {
                name: name.to_string(),
                composite: topology.service_name(composite).to_string(),
                expected: members
                    .iter()
                    .map(|&m| format!("`{}`", topology.service_name(m)))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    };
    Ok(Some(match command {
        CctrlCommand::SetPolicy(p) => CctrlOp::SetPolicy(*p),
        CctrlCommand::Switch { to } => CctrlOp::SwitchSite(to.as_ref().map(site).transpose()?),
        CctrlCommand::Failover { to } => CctrlOp::FailoverSite(to.as_ref().map(site).transpose()?),
        CctrlCommand::Recover => CctrlOp::RecoverSites,
        CctrlCommand::ClusterHeartbeat | CctrlCommand::ClusterFlush => CctrlOp::Heartbeat,
        CctrlCommand::Datasource {
            host,
            action:
                action @ (DatasourceAction::Fail
                | DatasourceAction::Offline
                | DatasourceAction::Shun
                | DatasourceAction::Online
                | DatasourceAction::Welcome
                | DatasourceAction::Recover),
        } => CctrlOp::SiteDatasource(site(host)?, *action),
        _ => return Ok(None),
    }))
}

/// Which install an executable path's root names; `None` for a bare name.
fn install_at(topology: &Topology, root: Option<&str>) -> Result<Option<Install>, ResolveError> {
    let roots = topology.install_roots();
    match root {
        None => Ok(None),
        Some(r) if r == roots.cluster => Ok(Some(Install::Cluster)),
        Some(r) if r == roots.cross_site => Ok(Some(Install::CrossSite)),
        Some(r) => Err(ResolveError::UnknownRoot(r.to_owned())),
    }
}

/// Which install a host command's executable belongs to, by its path's root or its
/// executable prefix (`mm_trepctl` is the cross-site install's); `None` for a bare name
/// without a prefix.
fn install_of(topology: &Topology, command: &HostCommand) -> Result<Option<Install>, ResolveError> {
    let by_root = install_at(topology, command.install_root())?;
    let Some(prefix) = command.executable_prefix() else {
        return Ok(by_root);
    };
    let expected = &topology.install_roots().cross_site_prefix;
    if prefix != expected || by_root == Some(Install::Cluster) {
        return Err(ResolveError::UnknownPrefix {
            executable: command.executable.clone(),
            expected: expected.clone(),
        });
    }
    Ok(Some(Install::CrossSite))
}

/// Resolve a trepctl command run on `on`, from the install under `root` (`None` for a bare
/// `trepctl`: the cluster install, unless `-service` names the host's cross-site service).
///
/// # Errors
/// [`ResolveError`] for unknown names, `reset` without `-service`, or a `-service` the
/// install does not have.
pub fn resolve_trepctl(
    topology: &Topology,
    on: HostId,
    root: Option<&str>,
    command: &TrepctlCommand,
) -> Result<Input, ResolveError> {
    trepctl_in(topology, on, install_at(topology, root)?, command)
}

/// [`resolve_trepctl`] for the install the executable names (`None` for a bare `trepctl`).
fn trepctl_in(
    topology: &Topology,
    on: HostId,
    named: Option<Install>,
    command: &TrepctlCommand,
) -> Result<Input, ResolveError> {
    // trepctl prints its usage before connecting to any replicator (open-source
    // `OpenReplicatorManagerCtrl`): a tool that only reads on the host it runs on.
    if command.action == TrepctlAction::Info(TrepctlInfo::Help) {
        return Ok(Input::Host {
            on,
            op: HostOp::Inspect,
        });
    }
    let target = match &command.host {
        Some(h) => host(topology, h)?,
        None => on,
    };
    let spec = topology.host(target);
    let name_of = |install: Install| {
        install
            .service(topology, target)
            .map(|s| topology.service_name(s))
    };
    let install = named.unwrap_or_else(|| {
        if command.service.is_some() && command.service.as_ref() == name_of(Install::CrossSite) {
            Install::CrossSite
        } else {
            Install::Cluster
        }
    });
    if let Some(service) = &command.service {
        let expected = name_of(install);
        if expected != Some(service) {
            return Err(ResolveError::WrongService {
                host: spec.name.to_string(),
                install: match install {
                    Install::Cluster => "cluster",
                    Install::CrossSite => "cross-site",
                },
                service: service.to_string(),
                expected: expected.map_or_else(|| "none".to_owned(), ToString::to_string),
            });
        }
    }
    let op = match &command.action {
        TrepctlAction::Online(options) => match (
            options.base_seqno,
            options.skip_seqno.as_ref().map(SeqnoSet::ranges),
        ) {
            // A master's: skipping leaves nothing out of a master's data.
            (Some(seqno), _) => TrepctlOp::OnlineFromBaseSeqno(seqno),
            (None, Some(ranges)) if !ranges.is_empty() => TrepctlOp::OnlineSkipping {
                lowest: ranges.iter().map(|&(lo, _)| lo).min().unwrap_or_default(),
                highest: ranges.iter().map(|&(_, hi)| hi).max().unwrap_or_default(),
            },
            _ => TrepctlOp::Online,
        },
        TrepctlAction::Offline { .. } => TrepctlOp::Offline,
        TrepctlAction::OfflineDeferred { .. } => TrepctlOp::OfflineDeferred,
        TrepctlAction::Reset { scope, .. } => {
            if command.service.is_none() {
                return Err(ResolveError::ServiceRequired);
            }
            TrepctlOp::Reset(scope.unwrap_or(ResetScope::All))
        }
        TrepctlAction::SetRole { role, uri } => TrepctlOp::SetRole(
            *role,
            uri.as_ref().map(|u| host(topology, &u.host)).transpose()?,
        ),
        TrepctlAction::Flush { .. } => TrepctlOp::Flush,
        TrepctlAction::Heartbeat { .. } => TrepctlOp::Heartbeat,
        TrepctlAction::Wait {
            until: WaitFor::State(state),
            ..
        } if awaitable(*state) => TrepctlOp::Wait(*state),
        TrepctlAction::Status { .. }
        | TrepctlAction::Services { .. }
        | TrepctlAction::Wait { .. }
        | TrepctlAction::Info(_) => TrepctlOp::Inspect,
    };
    Ok(Input::Trepctl {
        on,
        target,
        install,
        op,
    })
}

/// The options of `command` that [`resolve_trepctl`] reads past, because the model does not
/// track what they change: where a replicator restarts (`-from-event`, `-base-seqno`,
/// `-provision`), what `online -force` overrides (the docs say only that it forces the
/// online state; the command is checked as a plain `online`, so what the model refuses
/// stays refused), a wait on a seqno or on a transient state, and `-port` (the install is
/// told by the path and `-service`). A runbook report warns of each; the command is checked
/// as if they were absent.
///
/// A later stop (`online -until-*`, `offline-deferred -at-*`) is not listed: the runbook
/// validator follows it itself. [`resolve_trepctl`] turns `offline-deferred -at-*` into
/// [`TrepctlOp::OfflineDeferred`], the replicator having reached the point, but a runbook
/// step keeps the replicator ONLINE until `trepctl wait -state OFFLINE:NORMAL` (**modelling
/// decision**: Continuent docs *cmdline-tools-trepctl-command-offline-deferred* and
/// *cmdline-tools-trepctl-command-online* describe a point in the replication stream still to
/// come, and the model moves no events on its own, so it cannot tell when the replicator
/// reaches it; an operator's review found a reset after `offline-deferred -at-seqno 1000`
/// read VALID although the replicator it resets was still ONLINE).
#[must_use]
pub fn untracked_options(command: &TrepctlCommand) -> Vec<String> {
    let mut out = Vec::new();
    if command.port.is_some() {
        out.push("-port".to_owned());
    }
    match &command.action {
        TrepctlAction::Online(o) => {
            let flags = [
                (o.from_event.is_some(), "-from-event"),
                (o.base_seqno.is_some(), "-base-seqno"),
                (o.provision.is_some(), "-provision"),
                (o.force, "-force"),
            ];
            out.extend(
                flags
                    .iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, f)| (*f).to_owned()),
            );
        }
        TrepctlAction::Wait {
            until: WaitFor::Applied(_),
            ..
        } => out.push("-applied".to_owned()),
        TrepctlAction::Wait {
            until: WaitFor::State(state),
            ..
        } if !awaitable(*state) => out.push("-state".to_owned()),
        _ => {}
    }
    out
}

/// Whether the engine checks `trepctl wait -state state`: a modelled state, or `OFFLINE`,
/// which either offline state meets (the wait matches the start of a state's name: the FSM
/// library's `StateTransitionLatch`). A transient state is read past ([`untracked_options`]).
fn awaitable(state: ReplicatorState) -> bool {
    state.is_modelled() || state == ReplicatorState::Offline
}

/// Resolve a host command run on `on`.
///
/// # Errors
/// [`ResolveError`] for unknown names, selectors that match nothing, or paths under no
/// install root.
pub fn resolve_host(
    topology: &Topology,
    state: &State,
    on: HostId,
    command: &HostCommand,
) -> Result<Input, ResolveError> {
    let install = || install_of(topology, command).map(|i| i.unwrap_or(Install::Cluster));
    let op = match &command.action {
        HostAction::StartAll => HostOp::StartAll(install()?),
        HostAction::StopAll => HostOp::StopAll(install()?),
        HostAction::Manager(l) => HostOp::Manager(*l),
        HostAction::Replicator(l) => HostOp::Replicator(install()?, *l),
        HostAction::ReplicatorStartOffline { restart } => HostOp::ReplicatorStartOffline {
            install: install()?,
            restart: *restart,
        },
        HostAction::Connector(l) => HostOp::Connector(*l),
        HostAction::ConnectorGracefulStop { .. } => {
            HostOp::Connector(crate::command::Lifecycle::Stop)
        }
        HostAction::System {
            unit,
            name,
            lifecycle,
            ..
        } => match unit {
            // Built by hand, the two can disagree: the command would print one unit and act
            // on another.
            _ if Unit::named(name) != Some(*unit) => {
                return Err(ResolveError::UnitName {
                    name: name.clone(),
                    unit: *unit,
                });
            }
            Unit::Manager => HostOp::Manager(*lifecycle),
            Unit::Replicator => HostOp::Replicator(Install::Cluster, *lifecycle),
            Unit::Connector => HostOp::Connector(*lifecycle),
            Unit::DataServer => HostOp::DataServer(*lifecycle),
        },
        HostAction::Provision { source, .. } => HostOp::Provision {
            source: resolve_ref(topology, state, source)?,
        },
        HostAction::Tpm { action, .. } => HostOp::Tpm(*action),
        HostAction::Power { reboot, .. } => HostOp::Power { reboot: *reboot },
        HostAction::DataServerShutdown(_) => HostOp::DataServer(crate::command::Lifecycle::Stop),
        HostAction::SqlWrite(_) => HostOp::SqlWrite,
        HostAction::Inspect(_) => {
            // A prefixed tool's still names an install.
            if command.executable_prefix().is_some() {
                install_of(topology, command)?;
            }
            HostOp::Inspect
        }
        HostAction::Trepctl(t) => {
            return trepctl_in(topology, on, install_of(topology, command)?, t);
        }
        HostAction::Cctrl { command, modes } => {
            if modes.contains(&CctrlMode::Multi) && topology.physical_services().nth(1).is_some() {
                // `cctrl -multi` starts at the root, as a `[LOGICAL] / >` prompt is read: a
                // command there acts on no service, and the session ends before a `use` could
                // choose one. What only prints changes nothing (`ls` lists the services).
                if !command.changes_state() || matches!(command, CctrlCommand::Use(_)) {
                    return Ok(Input::Host {
                        on,
                        op: HostOp::Inspect,
                    });
                }
                return Err(ResolveError::AtRoot {
                    command: command.to_string(),
                    services: root_services(topology).join(", "),
                    host: topology.host(on).name.to_string(),
                });
            }
            // A piped command runs in a new session ([`Input::PipedCctrl`]).
            let fresh = state.with_fresh_session(topology, on);
            return Ok(match resolve_cctrl(topology, &fresh, on, command)? {
                Input::Cctrl { at, op } => Input::PipedCctrl { at, op },
                other => other,
            });
        }
        _ => {
            // A prefixed tool's line the model does not know still names an install.
            if command.executable_prefix().is_some() {
                install_of(topology, command)?;
            }
            HostOp::NotModelled
        }
    };
    Ok(Input::Host { on, op })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

    use super::{resolve_cctrl, resolve_ref};
    use crate::command::{CctrlCommand, DatasourceAction, HostRef};
    use crate::machine::{CctrlOp, Input};
    use crate::model::{DataSourceRole, DsState, HostId, ShunCause, State, Topology};

    /// `{slave1}` is the first slave; a `SlaveN(0)`, which no text parses to but code or JSON
    /// can build, names none (an API review found it meant the first slave).
    #[test]
    fn slaves_are_numbered_from_one() {
        use crate::command::SelectorRole;
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let s = State::healthy(&t);
        let pick = |role| {
            resolve_ref(
                &t,
                &s,
                &HostRef::Selector {
                    site: "alpha".parse().unwrap(),
                    role,
                },
            )
        };
        assert_eq!(pick(SelectorRole::SlaveN(1)), Ok(t.host_id("db2").unwrap()));
        insta::assert_snapshot!(pick(SelectorRole::SlaveN(0)).unwrap_err(), @"`alpha{slave0}` names no host now: slaves are numbered from 1 (`{slave1}`)");
    }

    /// Set `host`'s entry in every manager's view.
    fn everywhere(s: &mut State, host: HostId, role: DataSourceRole, state: DsState) {
        for view in &mut s.views {
            if let Some(entry) = view.entry_mut(host) {
                entry.role = role;
                entry.state = state;
            }
        }
    }

    /// `alpha{master}` names the ONLINE master the site's managers hold; failing that, a
    /// master nobody shunned (one taken OFFLINE), before a shunned one; failing that, the
    /// shunned master, when it is the only master there is.
    #[test]
    fn a_master_selector_prefers_online_then_unshunned_masters() {
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let [db1, db2] = ["db1", "db2"].map(|h| t.host_id(h).unwrap());
        let selector: HostRef = "alpha{master}".parse().unwrap();
        let mut s = State::healthy(&t);
        assert_eq!(resolve_ref(&t, &s, &selector).unwrap(), db1);
        everywhere(&mut s, db1, DataSourceRole::Master, DsState::Offline);
        assert_eq!(resolve_ref(&t, &s, &selector).unwrap(), db1);
        let replaced = DsState::Shunned(ShunCause::FailedOverTo(db2));
        everywhere(&mut s, db1, DataSourceRole::Master, replaced);
        everywhere(&mut s, db2, DataSourceRole::Master, DsState::Offline);
        assert_eq!(resolve_ref(&t, &s, &selector).unwrap(), db2);
        everywhere(&mut s, db2, DataSourceRole::Slave, DsState::Online);
        assert_eq!(resolve_ref(&t, &s, &selector).unwrap(), db1);
    }

    /// A `systemctl` command built by hand whose name is not its unit's is refused rather
    /// than print one unit and act on another; each unit's usual name resolves to it.
    #[test]
    fn a_system_command_whose_name_is_not_its_unit_is_refused() {
        use crate::command::{HostAction, HostCommand, Lifecycle, Unit};
        use crate::machine::HostOp;
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let s = State::healthy(&t);
        let db1 = t.host_id("db1").unwrap();
        let command = |unit: Unit, name: &str| HostCommand {
            executable: "systemctl".to_owned(),
            action: HostAction::System {
                unit,
                name: name.to_owned(),
                lifecycle: Lifecycle::Stop,
                sudo: false,
            },
        };
        let ops = [
            (Unit::Manager, HostOp::Manager(Lifecycle::Stop)),
            (
                Unit::Replicator,
                HostOp::Replicator(crate::machine::Install::Cluster, Lifecycle::Stop),
            ),
            (Unit::Connector, HostOp::Connector(Lifecycle::Stop)),
            (Unit::DataServer, HostOp::DataServer(Lifecycle::Stop)),
        ];
        for (unit, op) in ops {
            let input = super::resolve_host(&t, &s, db1, &command(unit, unit.name())).unwrap();
            assert_eq!(input, Input::Host { on: db1, op }, "{unit:?}");
            assert_eq!(
                command(unit, unit.name()).to_string(),
                format!("systemctl stop {}", unit.name())
            );
        }
        let error =
            super::resolve_host(&t, &s, db1, &command(Unit::Manager, "mysqld")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`mysqld` does not name the unit the command acts on: expected `tmanager` or another name of that unit"
        );
    }

    /// A script under neither install root is refused with the root it is under, whichever
    /// script it is; one under either root resolves, and so does `tpm`.
    #[test]
    fn a_script_under_no_install_root_is_refused() {
        use crate::command::HostCommand;
        let t =
            Topology::multisite(&[("east", &["db1", "db2"]), ("west", &["db3", "db4"])]).unwrap();
        let s = State::healthy(&t);
        let db1 = t.host_id("db1").unwrap();
        let resolve = |line: &str| {
            let command: HostCommand = line.parse().unwrap();
            super::resolve_host(&t, &s, db1, &command).map_err(|e| e.to_string())
        };
        for script in [
            "tungsten-replicator/bin/trepctl status",
            "cluster-home/bin/startall",
        ] {
            assert_eq!(
                resolve(&format!("/usr/local/tungsten/{script}")),
                Err("`/usr/local` is under no install root of the topology (expected the cluster or cross-site root)".to_owned())
            );
            for root in ["/opt/continuent", "/opt/replicator"] {
                assert!(
                    resolve(&format!("{root}/tungsten/{script}")).is_ok(),
                    "{root}"
                );
            }
        }
        assert_eq!(
            resolve("tpm update --replace-release"),
            Ok(Input::Host {
                on: db1,
                op: crate::machine::HostOp::Tpm(crate::command::TpmAction::Update),
            })
        );
    }

    /// `set master <ds>` is `datasource <ds> master`.
    #[test]
    fn set_master_is_the_datasource_master_command() {
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let s = State::healthy(&t);
        let [db1, db2] = ["db1", "db2"].map(|h| t.host_id(h).unwrap());
        let command: CctrlCommand = "set master db2".parse().unwrap();
        assert_eq!(
            resolve_cctrl(&t, &s, db1, &command).unwrap(),
            Input::Cctrl {
                at: db1,
                op: CctrlOp::Datasource(db2, DatasourceAction::Master),
            }
        );
    }

    /// `datasource <ds> connections` only prints, and the datasource must be one of the
    /// session's service, as for every datasource command.
    #[test]
    fn datasource_connections_inspects_a_datasource_of_the_service() {
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let s = State::healthy(&t);
        let db1 = t.host_id("db1").unwrap();
        let resolve = |line: &str| resolve_cctrl(&t, &s, db1, &line.parse().unwrap());
        assert_eq!(
            resolve("datasource db2 connections -l"),
            Ok(Input::Cctrl {
                at: db1,
                op: CctrlOp::Inspect,
            })
        );
        // An unknown name lists what would resolve, a name that differs only in case first
        // (found by an API review: `DB2` was refused without the list).
        insta::assert_snapshot!(resolve("datasource DB2 offline").unwrap_err(), @"`DB2` is not a host of the topology: expected `db2` (names match as written, case too); the hosts are db1, db2 and db3");
        insta::assert_snapshot!(resolve("switch to alpha").unwrap_err(), @"`alpha` is not a host of the topology: expected a host: `alpha` is a service (`use alpha` reaches its hosts)");
        assert!(matches!(
            resolve("datasource db9 connections"),
            Err(super::ResolveError::UnknownHost { .. })
        ));
        // A datasource of another service is refused, as for every datasource command.
        let t =
            Topology::multisite(&[("east", &["db1", "db2"]), ("west", &["db3", "db4"])]).unwrap();
        let s = State::healthy(&t);
        let db1 = t.host_id("db1").unwrap();
        let command = "datasource db3 connections".parse().unwrap();
        assert!(matches!(
            resolve_cctrl(&t, &s, db1, &command),
            Err(super::ResolveError::NotInService { .. })
        ));
    }

    /// A site named where a host is expected, typed at a site's prompt, is told to be typed
    /// at the composite (an operator's review found `switch to west` answered only with the
    /// hosts).
    #[test]
    fn a_site_named_at_a_site_prompt_points_at_the_composite() {
        let spec: crate::model::TopologySpec = serde_json::from_str(
            r#"{"services": [{"name": "east", "datasources": ["db1", "db2"]}, {"name": "west", "datasources": ["db4", "db5"]}], "composites": [{"name": "global", "members": ["east", "west"]}]}"#,
        )
        .unwrap();
        let t = Topology::try_from(spec).unwrap();
        let s = State::healthy(&t);
        let db1 = t.host_id("db1").unwrap();
        let error = resolve_cctrl(&t, &s, db1, &"switch to west".parse().unwrap()).unwrap_err();
        insta::assert_snapshot!(error, @"`west` is not a host of the topology: expected a host: `west` is a site of `global`, and commands on a whole site are typed at the composite (`use global` first); `use west` reaches its hosts");
    }
}
