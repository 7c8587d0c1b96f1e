//! Built-in procedures: runbooks written for a given state, following Continuent's documented
//! procedures. Each returns the runbook as text an operator can paste (and the tests validate
//! each one in the state it is written for).

mod promotion;
mod site_reset;

use std::fmt::Write as _;

pub use promotion::{failover_procedure, switch_procedure};
pub use site_reset::reset_site;

use super::{Goal, Runbook, Start};
use crate::ls::default_viewer;
use crate::model::{
    DataSourceRole, DsState, HostId, ManagerView, PolicyMode, Quorum, ReplicatorRole,
    ReplicatorState, ServiceId, State, Topology,
};

/// Why a procedure cannot be written for a state: its [`kind`](Self::kind), for a tool that
/// acts on it (offer another procedure, wait, page someone), and a message in words naming
/// the hosts and what would let the procedure be written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ProcedureError {
    kind: ProcedureErrorKind,
    message: String,
}

impl ProcedureError {
    fn new(kind: ProcedureErrorKind, message: String) -> Self {
        Self { kind, message }
    }

    /// What kind of obstacle it is.
    #[must_use]
    pub fn kind(&self) -> ProcedureErrorKind {
        self.kind
    }

    /// The reason in words, with what would make the procedure possible.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// The kinds of [`ProcedureError`]. Their names (`kebab-case`, as serialized and printed by
/// `Display`) are stable.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    strum::Display,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
#[non_exhaustive]
pub enum ProcedureErrorKind {
    /// A service or host the topology does not have.
    UnknownName,
    /// A host the procedure needs is down or cut off, or a process it needs (manager,
    /// dataserver, replicator) is stopped, or the network is split where the procedure needs
    /// it whole.
    Unreachable,
    /// Another datasource or the service must be set right first (no ONLINE master, a slave
    /// still reading from the target, a site not in service).
    NotReady,
    /// The service has no quorum and the session is not forced.
    NoQuorum,
    /// An invariant is broken in the starting state already.
    Unsafe,
    /// A datasource beyond a partition is up: a forced step here could give the service two
    /// masters.
    Partition,
    /// The procedure would lose or spread data: orphaned events, drifted data opened to
    /// writes or copied.
    DataAtRisk,
    /// The target is not what the procedure is for (a master given to a replica's recovery, a
    /// host with no data); the message names the procedure to use.
    WrongTarget,
    /// The target needs no recovery.
    NothingToDo,
    /// The managers would refuse one of the procedure's commands, or it would leave the
    /// service with no ONLINE master.
    Refused,
    /// The procedure wrote a runbook that does not read: a bug in this crate.
    Internal,
}

/// `start` with the managers' reactions to it run ([`crate::machine::settle`]), then
/// replication caught up on it: a procedure is written for the state [`super::validate`]
/// checks its steps from (an independent review found plans written for a fenced master the
/// managers were about to fail over, then judged from the state after the failover; the
/// procedure property found a `switch` written while a drifted slave was behind, judged after
/// it caught up and became the one the switch picks).
pub(super) fn settled(start: &Start) -> Start {
    let rules = crate::machine::Rules::default();
    let reacted = crate::machine::settle(&start.topology, &start.state, &rules).state;
    Start {
        state: super::validate::catch_up(&start.topology, &reacted, rules, |_| {}),
        ..start.clone()
    }
}

fn service_id(topology: &Topology, service: &str) -> Result<ServiceId, ProcedureError> {
    topology.service_id(service).ok_or_else(|| {
        ProcedureError::new(
            ProcedureErrorKind::UnknownName,
            format!("no service `{service}` in the topology"),
        )
    })
}

fn host_id(topology: &Topology, host: &str) -> Result<HostId, ProcedureError> {
    topology.host_id(host).ok_or_else(|| {
        ProcedureError::new(
            ProcedureErrorKind::UnknownName,
            format!("no host `{host}` in the topology"),
        )
    })
}

/// The manager whose view a procedure on `svc` reads (the one cctrl connects to), or why
/// there is none.
fn viewer(start: &Start, svc: ServiceId) -> Result<HostId, ProcedureError> {
    default_viewer(&start.topology, &start.state, svc).ok_or_else(|| {
        ProcedureError::new(
            ProcedureErrorKind::Unreachable,
            format!("no manager of {} runs", start.topology.service_name(svc)),
        )
    })
}

/// Why `h` cannot be brought back under `viewer`'s managers by starting its processes, if it
/// cannot.
fn startable(start: &Start, viewer: HostId, h: HostId) -> Result<(), ProcedureError> {
    let host = start.topology.host_name(h);
    if !start.state.reachable(viewer, h) {
        return Err(ProcedureError::new(
            ProcedureErrorKind::Unreachable,
            format!("{host} is down or cut off: bring it back before recovering it"),
        ));
    }
    Ok(())
}

/// [`startable`], with its dataserver running too (for procedures that work on a datasource
/// in service, not recover one).
fn serving(start: &Start, viewer: HostId, h: HostId) -> Result<(), ProcedureError> {
    startable(start, viewer, h)?;
    if !start.state.host(h).dataserver {
        return Err(ProcedureError::new(
            ProcedureErrorKind::Unreachable,
            format!(
                "the dataserver on {} is stopped: start it (and check why it stopped) first",
                start.topology.host_name(h)
            ),
        ));
    }
    Ok(())
}

/// The steps that make `h` manageable from `viewer`'s managers, or why it cannot be. A
/// stopped dataserver is left to the recovery, which starts it (`datasource <ds> recover`
/// does, *operations-recovery-replica*; so does provisioning), after a line asking the
/// operator to find out why it stopped.
fn bring_up(start: &Start, viewer: HostId, h: HostId) -> Result<String, ProcedureError> {
    startable(start, viewer, h)?;
    let (t, s) = (&start.topology, &start.state);
    let host = t.host_name(h);
    let mut text = String::new();
    if !s.host(h).dataserver {
        let _ = writeln!(
            text,
            "The dataserver on {host} is stopped: find out why (its error log) before the recovery starts it."
        );
    }
    if !s.host(h).manager {
        let _ = writeln!(text, "shell {host}> manager start");
    }
    if !s.host(h).replicator.running {
        let _ = writeln!(text, "shell {host}> replicator start");
    }
    Ok(text)
}

/// How a runbook recovering `h` starts: its goal (`h` ONLINE), a shun unless `h` is shunned
/// already, so that the managers leave it alone while it is worked on, and the steps that
/// start its processes (see [`bring_up`]).
fn recovery_start(
    start: &Start,
    viewer: HostId,
    h: HostId,
    prompt: &str,
) -> Result<String, ProcedureError> {
    let host = start.topology.host_name(h);
    let mut text = format!("#! goal online {host}\n");
    if !matches!(start.state.view(viewer).entry(h).state, DsState::Shunned(_)) {
        let _ = writeln!(text, "{prompt} datasource {host} shun");
    }
    text.push_str(&bring_up(start, viewer, h)?);
    Ok(text)
}

/// A datasource a procedure recovers, read through the managers' view of its service.
struct Recovering {
    /// The datasource.
    host: HostId,
    /// Its service.
    service: ServiceId,
    /// The manager whose view the procedure reads.
    viewer: HostId,
    /// The service's ONLINE master in that view.
    master: HostId,
}

/// `host`, the manager whose view a procedure reads and its service's ONLINE master, or why
/// there is none (`purpose` ends the message: what the master was wanted for).
fn recovering(start: &Start, host: &str, purpose: &str) -> Result<Recovering, ProcedureError> {
    let h = host_id(&start.topology, host)?;
    let service = start.topology.host(h).service;
    let (viewer, master) = managed(start, service, purpose)?;
    Ok(Recovering {
        host: h,
        service,
        viewer,
        master,
    })
}

/// The manager whose view a procedure on `svc` reads, and the service's ONLINE master in it;
/// or why there is none (`purpose` ends the message: what the master was wanted for), or why
/// the managers cannot act (no quorum, no forced session).
fn managed(
    start: &Start,
    svc: ServiceId,
    purpose: &str,
) -> Result<(HostId, HostId), ProcedureError> {
    let (t, s) = (&start.topology, &start.state);
    let service = t.service_name(svc);
    let viewer = viewer(start, svc)?;
    let master = t
        .datasources_of(svc)
        .find(|&d| s.view(viewer).entry(d).is_online_master())
        .ok_or_else(|| {
            ProcedureError::new(
                ProcedureErrorKind::NotReady,
                format!("{service} has no ONLINE master{purpose}"),
            )
        })?;
    // `recover` and `switch` need quorum, or a session forced on the assumption that the
    // datasources the managers cannot reach are down.
    let members = s.quorum_members(t, svc, viewer);
    if !State::has_quorum(t, svc, members) {
        if !s.session(viewer).force {
            return Err(ProcedureError::new(
                ProcedureErrorKind::NoQuorum,
                format!(
                    "{service} has no quorum and the session is not forced: restore quorum, or bring the service up with last man standing if the datasources out of reach are down"
                ),
            ));
        }
        // Forced: the step rests on the datasources out of reach being down.
        assumed_down(start, svc, viewer)?;
    }
    Ok((viewer, master))
}

/// Where `viewer`'s managers lack quorum and its session is forced (as last man standing
/// leaves it), a step that needs quorum goes through on the assumption that the datasources
/// out of reach are down: why that is false here, if it is (see [`assumed_down`]).
fn forced_soundly(start: &Start, svc: ServiceId, viewer: HostId) -> Result<(), ProcedureError> {
    let (t, s) = (&start.topology, &start.state);
    let members = s.quorum_members(t, svc, viewer);
    if !State::has_quorum(t, svc, members) && s.session(viewer).force {
        assumed_down(start, svc, viewer)?;
    }
    Ok(())
}

/// Whether `h` holds events `master` lacks (orphaned events, or a history that forked):
/// `recover` refuses it.
fn diverged(s: &State, master: HostId, h: HostId) -> bool {
    !s.history()
        .contains(s.host(master).data.pos, s.host(h).data.pos)
}

/// The runbook `text` reads as; or why none is written: the cluster already breaks an
/// invariant (two writable masters, say), which no procedure here sets right (a modelling
/// decision: each starts from a state the docs' procedure starts from, and none of those is
/// unsafe already).
fn finish(start: &Start, text: &str) -> Result<Runbook, ProcedureError> {
    if let Some(v) = crate::machine::invariant::check(&start.topology, &start.state) {
        return Err(ProcedureError::new(
            ProcedureErrorKind::Unsafe,
            format!(
                "the cluster is unsafe already ({}): set that right first",
                v.describe(&start.topology)
            ),
        ));
    }
    text.parse().map_err(|e: crate::ParseError| {
        ProcedureError::new(
            ProcedureErrorKind::Internal,
            format!("the procedure wrote a runbook that does not read: {e}"),
        )
    })
}

/// The datasources of `svc` that `viewer`'s managers cannot reach, which a forced plan
/// declares down; or why forcing would rest on a false assumption.
///
/// Where the state shows such a host up (it is the ground truth: a listing read with
/// `ls::import` has no partitions, only hosts read as down), it is cut off by a partition,
/// and its side may promote a master of its own (issue 6's partition scenario; seed 004).
fn assumed_down(
    start: &Start,
    svc: ServiceId,
    viewer: HostId,
) -> Result<Vec<&str>, ProcedureError> {
    let (t, s) = (&start.topology, &start.state);
    let out_of_reach = || t.datasources_of(svc).filter(|&d| !s.reachable(viewer, d));
    let cut_off: Vec<&str> = out_of_reach()
        .filter(|&d| s.host(d).up)
        .map(|d| t.host_name(d).as_str())
        .collect();
    if !cut_off.is_empty() {
        let one = cut_off.len() == 1;
        return Err(ProcedureError::new(
            ProcedureErrorKind::Partition,
            format!(
                "{} {} up, cut off by a partition, not down: a forced step on this side could give {} two masters; restore the network (or make sure {} down) first",
                crate::text::series(&cut_off, "and"),
                if one { "is" } else { "are" },
                t.service_name(svc),
                if one { "it is" } else { "they are" },
            ),
        ));
    }
    Ok(out_of_reach().map(|d| t.host_name(d).as_str()).collect())
}

/// `Ok` unless a datasource of `svc` beyond `viewer`'s reach is a writable master on its
/// side of a partition: only a session forced there keeps one so (losing quorum shuns every
/// datasource, *manager-failover-behavior*), and a master promoted on this side would make
/// two. The managers here hold it FAILED and would promote (**modelling decision**: a
/// procedure is not written on a state the listing cannot show is unsafe to promote in; the
/// engine property `procedures_are_valid_where_they_can_be_written_with_force_across_partitions`
/// found `failover` written there).
fn no_writable_master_beyond(
    start: &Start,
    svc: ServiceId,
    viewer: HostId,
) -> Result<(), ProcedureError> {
    let (t, s) = (&start.topology, &start.state);
    let beyond =
        crate::model::HostSet::of(t.datasources_of(svc).filter(|&d| !s.reachable(viewer, d)));
    let far = crate::machine::invariant::writable_masters(t, s, svc, beyond);
    let Some(d) = far.iter().next() else {
        return Ok(());
    };
    let name = t.host_name(d);
    Err(ProcedureError::new(
        ProcedureErrorKind::Partition,
        format!(
            "{name} is up beyond a partition and a writable master on its side (a session forced there): promoting another master here would give {} two; restore the network, or shun {name} on its side, first",
            t.service_name(svc)
        ),
    ))
}

/// `Ok` unless promoting `survivor` would leave events behind on a host that is up with its
/// dataserver running: a runbook report judges that unsafe (`lost-events`), as
/// `failover_procedure` declines it. Events an earlier promotion reported as orphaned
/// ([`crate::model::Data::orphaned`]) are not this plan's doing.
fn orphans_no_live_host(
    start: &Start,
    svc: ServiceId,
    survivor: HostId,
) -> Result<(), ProcedureError> {
    let (t, s) = (&start.topology, &start.state);
    let Some(d) = t.datasources_of(svc).find(|&d| {
        let host = s.host(d);
        d != survivor
            && host.up
            && host.dataserver
            && host
                .data
                .loses_unreported(s.history(), s.host(survivor).data.pos)
    }) else {
        return Ok(());
    };
    let (held, x) = (t.host_name(d), t.host_name(survivor));
    Err(ProcedureError::new(
        ProcedureErrorKind::DataAtRisk,
        format!(
            "{held} is up with its dataserver running and holds events {x} lacks, which promoting {x} would orphan: make {held} the survivor (its manager running, reachable, its data not drifted), or let {x} catch up first"
        ),
    ))
}

/// "Last man standing" (Continuent docs *operations-recovery-multiple-failure*): the service
/// lost quorum and every datasource is shunned; bring the most up-to-date reachable datasource
/// up alone as master. The runbook declares the hosts it cannot reach as down: forcing rests
/// on that.
///
/// # Errors
/// [`ProcedureError`] when the service has quorum (use `switch`/`failover`), no datasource
/// can be reached, the datasources out of reach are up behind a partition (the state says
/// so: forcing would rest on a false assumption), or a host that is up holds events the
/// survivor lacks (promoting it would orphan them).
pub fn last_man_standing(start: &Start, service: &str) -> Result<Runbook, ProcedureError> {
    let start = &settled(start);
    let (t, s) = (&start.topology, &start.state);
    let svc = service_id(t, service)?;
    let viewer = viewer(start, svc)?;
    if s.view(viewer).quorum == Quorum::Primary {
        return Err(ProcedureError::new(
            ProcedureErrorKind::WrongTarget,
            format!("{service} has quorum: use `switch` or `failover`, not last man standing"),
        ));
    }
    let survivor = t
        .datasources_of(svc)
        .filter(|&d| s.reachable(viewer, d) && s.host(d).manager && s.host(d).dataserver)
        // Never open writes to data that drifted.
        .filter(|&d| !s.host(d).data.drift)
        .max_by_key(|&d| (s.host(d).data.pos.map(|p| p.seqno), std::cmp::Reverse(d)))
        .ok_or_else(|| {
            ProcedureError::new(
                ProcedureErrorKind::DataAtRisk,
                format!("no datasource of {service} can be reached whose data has not drifted"),
            )
        })?;
    let down = assumed_down(start, svc, viewer)?;
    let x = t.host_name(survivor);
    orphans_no_live_host(start, svc, survivor)?;
    let mut text = String::new();
    if !down.is_empty() {
        let _ = writeln!(text, "#! assume down {}", down.join(" "));
    }
    let _ = writeln!(text, "#! goal master {x}, {service} policy automatic");
    let prompt = format!("[LOGICAL] /{service} >");
    let _ = writeln!(text, "{prompt} set policy maintenance");
    let _ = writeln!(text, "{prompt} set force true");
    // A master the managers still hold in service but cannot reach would block the survivor
    // from extracting (it may be extracting beyond a partition): shun it first, which is the
    // operator's statement that it is down (`#! assume down` above says so).
    for d in t.datasources_of(svc) {
        let e = s.view(viewer).entry(d);
        if d != survivor
            && !s.reachable(viewer, d)
            && e.role == DataSourceRole::Master
            && matches!(e.state, DsState::Online | DsState::Offline)
        {
            let _ = writeln!(text, "{prompt} datasource {} shun", t.host_name(d));
        }
    }
    // Another datasource still extracting would refuse the survivor's extractor (a second
    // extractor forks the history): take it offline on its host (its manager may be stopped:
    // an old master cut off with its manager stopped goes on extracting, and once the network
    // heals a group without quorum does not retire it).
    for d in t.datasources_of(svc) {
        let r = s.host(d).replicator;
        if d != survivor
            && s.reachable(viewer, d)
            && r.is_online()
            && r.role == ReplicatorRole::Master
        {
            let _ = writeln!(text, "shell {}> trepctl offline", t.host_name(d));
        }
    }
    let entry = s.view(viewer).entry(survivor);
    match entry.state {
        DsState::Shunned(_) => {
            let _ = writeln!(text, "{prompt} datasource {x} welcome");
        }
        // `online` refuses a FAILED datasource, and `recover` wants another master to
        // follow: `offline` is the way from FAILED to OFFLINE.
        DsState::Failed(_) => {
            let _ = writeln!(text, "{prompt} datasource {x} offline");
        }
        DsState::Online | DsState::Offline => {}
    }
    if entry.role != DataSourceRole::Master {
        let _ = writeln!(text, "{prompt} datasource {x} master");
    }
    let r = s.host(survivor).replicator;
    // `setrole` (and going online as master) wants OFFLINE:NORMAL: a stopped replicator is
    // started offline (a plain start would take it online as it was, *deployment-startupdown-
    // replicator*).
    if !r.running {
        let _ = writeln!(text, "shell {x}> replicator start offline");
    } else if r.state != ReplicatorState::OfflineNormal {
        let _ = writeln!(text, "{prompt} replicator {x} offline");
    }
    if r.role != ReplicatorRole::Master {
        let _ = writeln!(text, "{prompt} replicator {x} master");
    }
    let _ = writeln!(text, "{prompt} datasource {x} online");
    let _ = writeln!(text, "{prompt} replicator {x} online");
    // Writes reach the survivor only through a connector on its side that runs and routes.
    let connectors: Vec<HostId> = t
        .hosts_of(svc)
        .filter(|&c| t.host(c).connector && s.reachable(survivor, c))
        .collect();
    // The connectors that run once the plan has started one where none runs; `router *
    // online` is needed when none of them routes (a stopped connector's ONLINE flag routes
    // nothing, which is how the property found this).
    let mut running: Vec<HostId> = connectors
        .iter()
        .copied()
        .filter(|&c| s.host(c).connector.running)
        .collect();
    if running.is_empty()
        && let Some(&c) = connectors.first()
    {
        let _ = writeln!(text, "shell {}> connector start", t.host_name(c));
        running.push(c);
    }
    if !running.is_empty() && !running.iter().any(|&c| s.host(c).connector.online) {
        let _ = writeln!(text, "{prompt} router * online");
    }
    let _ = writeln!(text, "{prompt} set policy automatic");
    finish(start, &text)
}

/// Recover a failed or shunned replica (Continuent docs *operations-recovery-replica*,
/// *operations-maintenance-replica*): shun it so the managers leave it alone, start what is
/// stopped, then `datasource <ds> recover`; or, when its data diverged from the master's,
/// reprovision it from the master (the script copies the data and recovers it).
///
/// # Errors
/// [`ProcedureError`] when the host is not a datasource, the service has no ONLINE master,
/// its managers lack quorum with no forced session, or the host must be reprovisioned while another datasource still replicates from it (point
/// that one at the master first).
pub fn recover_replica(start: &Start, host: &str) -> Result<Runbook, ProcedureError> {
    let start = &settled(start);
    let (t, s) = (&start.topology, &start.state);
    let Recovering {
        host: h,
        service: svc,
        viewer,
        master,
    } = recovering(start, host, &format!(" to recover {host} from"))?;
    let service = t.service_name(svc);
    let view = s.view(viewer);
    let entry = view.entry(h);
    if h == master || entry.role == DataSourceRole::Master {
        return Err(ProcedureError::new(
            ProcedureErrorKind::WrongTarget,
            format!(
                "{host} is a master, not a replica: use the `recover-old-master` procedure, or a switch"
            ),
        ));
    }
    if !t.host(h).is_datasource() {
        return Err(ProcedureError::new(
            ProcedureErrorKind::WrongTarget,
            format!("{host} holds no data"),
        ));
    }
    if entry.state == DsState::Online && s.host(h).replicator.is_online() {
        return Err(ProcedureError::new(
            ProcedureErrorKind::NothingToDo,
            format!("{host} is ONLINE and replicating: nothing to recover"),
        ));
    }
    let prompt = format!("[LOGICAL] /{service} >");
    let mut text = recovery_start(start, viewer, h, &prompt)?;
    if diverged(s, master, h) {
        // Provisioning rewrites the history the host's own slaves read, so it is refused
        // while one replicates from it (as for a restore in `recover_old_master`); that one
        // is pointed at the master first.
        if let Some(d) = s.slave_of(t, h) {
            let (slave, to) = (t.host_name(d), t.host_name(master));
            return Err(ProcedureError::new(
                ProcedureErrorKind::NotReady,
                format!(
                    "{slave} still replicates from {host}, which must be reprovisioned: point {slave} at {to} first (`replicator {slave} offline`, `replicator {slave} slave {to}`, `replicator {slave} online` in MAINTENANCE)"
                ),
            ));
        }
        // The provisioning script copies the master's data and recovers the datasource
        // through its manager.
        // Copy from data that has not drifted: the master's, else a replicating slave's.
        let source = std::iter::once(master)
            .chain(t.datasources_of(svc).filter(|&d| {
                d != h && view.entry(d).state == DsState::Online && s.host(d).replicator.is_online()
            }))
            .find(|&d| !s.host(d).data.drift && s.reachable(h, d) && s.host(d).dataserver)
            .ok_or_else(|| {
                ProcedureError::new(ProcedureErrorKind::DataAtRisk, format!(
                    "{host} must be reprovisioned, but no reachable datasource of {service} holds data that has not drifted"
                ))
            })?;
        let _ = writeln!(
            text,
            "shell {host}> tprovision --source {}",
            t.host_name(source)
        );
    } else {
        let _ = writeln!(text, "{prompt} datasource {host} recover");
    }
    online_unless_automatic(&mut text, &prompt, host, view);
    finish(start, &text)
}

/// Maintenance on one replica (Continuent docs *operations-maintenance-replica*, 6.1 and 7.1):
/// shun it so that the connectors stop using it and the managers leave it alone, take its
/// replicator offline (shunning does not stop replication), leave a note where the maintenance
/// goes, check the configuration (`tpm validate`), then `datasource <ds> recover`, and
/// `datasource <ds> online` where the managers would not bring it online themselves. A replica
/// already shunned is not shunned again; a stopped manager is started first (cctrl reaches the
/// replicator through it); a replicator not online is not taken offline, and one stopped is
/// started after the maintenance.
///
/// # Errors
/// [`ProcedureError`] when the host is not a datasource, is the master (use
/// [`primary_maintenance`]) or an old master (use [`recover_old_master`]), is down, cut off or
/// has its dataserver stopped, holds events the master lacks (`recover` refuses them: use
/// [`recover_replica`], which reprovisions it), or when the service has no ONLINE master or
/// its managers lack quorum with no forced session. Data that drifted is no reason to refuse:
/// the maintenance neither cures nor spreads it.
pub fn replica_maintenance(start: &Start, host: &str) -> Result<Runbook, ProcedureError> {
    let start = &settled(start);
    let (t, s) = (&start.topology, &start.state);
    let Recovering {
        host: h,
        service,
        viewer,
        master,
    } = recovering(start, host, &format!(" for {host} to return to"))?;
    if !t.host(h).is_datasource() {
        return Err(ProcedureError::new(
            ProcedureErrorKind::WrongTarget,
            format!("{host} holds no data"),
        ));
    }
    let view = s.view(viewer);
    let entry = view.entry(h);
    if h == master {
        return Err(ProcedureError::new(
            ProcedureErrorKind::WrongTarget,
            format!("{host} is the master, not a replica: use the `primary-maintenance` procedure"),
        ));
    }
    if entry.role == DataSourceRole::Master {
        return Err(ProcedureError::new(
            ProcedureErrorKind::WrongTarget,
            format!(
                "{host} is an old master, not a replica: use the `recover-old-master` procedure"
            ),
        ));
    }
    let prompt = format!("[LOGICAL] /{} >", t.service_name(service));
    let mut text = format!("#! goal online {host}\n");
    if !matches!(entry.state, DsState::Shunned(_)) {
        let _ = writeln!(text, "{prompt} datasource {host} shun");
    }
    serving(start, viewer, h)?;
    if diverged(s, master, h) {
        return Err(ProcedureError::new(
            ProcedureErrorKind::WrongTarget,
            format!(
                "{host} holds events {} lacks: `recover` would refuse it; reprovision it with the `recover-replica` procedure",
                t.host_name(master)
            ),
        ));
    }
    // cctrl reaches the replicator through the host's manager.
    if !s.host(h).manager {
        let _ = writeln!(text, "shell {host}> manager start");
    }
    if s.host(h).replicator.is_online() {
        let _ = writeln!(text, "{prompt} replicator {host} offline");
    }
    let _ = writeln!(
        text,
        "Do the maintenance on {host} now, then check its configuration."
    );
    let _ = writeln!(text, "shell {host}> tpm validate");
    if !s.host(h).replicator.running {
        let _ = writeln!(text, "shell {host}> replicator start");
    }
    let _ = writeln!(text, "{prompt} datasource {host} recover");
    online_unless_automatic(&mut text, &prompt, host, view);
    finish(start, &text)
}

/// Maintenance on the master (Continuent docs *operations-maintenance-primary*, 6.1 and 7.1):
/// MAINTENANCE, `switch to <target>` (or to the best candidate), shun the old master, leave a
/// note where the maintenance goes, check the configuration (`tpm validate`), recover it as a
/// replica, put it ONLINE, switch back to it, and restore the policy the service had (the docs'
/// last step is `set policy automatic`; restoring the policy the service had is a modelling
/// decision, so that a service run under MANUAL stays so). Its goal is the master back as it
/// was: writable if it was, else ONLINE.
///
/// One step is not in the docs' table: `datasource <ds> online` after the recovery. Under
/// MAINTENANCE `recover` leaves the datasource OFFLINE (*operations-status-policy-interaction*)
/// and a switch promotes only an ONLINE replica (*manual-switch-versus-automatic-failover*),
/// so without it the switch back is refused (`tests/docs_procedures.rs` runs the docs' steps as
/// printed and shows where).
///
/// # Errors
/// [`ProcedureError`] for an unknown service or target; a target that is not a replica of the
/// service a switch can promote, or no such replica at all; a service with no ONLINE master or
/// whose managers lack quorum with no forced session; or one with a datasource that is not
/// ONLINE and replicating, reachable, with its manager and dataserver running and its data in
/// the master's history and not drifted (the docs' starting point: the message says what to
/// do first).
pub fn primary_maintenance(
    start: &Start,
    service: &str,
    target: Option<&str>,
) -> Result<Runbook, ProcedureError> {
    let start = &settled(start);
    let (t, s) = (&start.topology, &start.state);
    let svc = service_id(t, service)?;
    let (viewer, master) = managed(start, svc, " to maintain")?;
    // Planned work starts from the docs' initial state: every datasource ONLINE and
    // replicating, reachable, with its processes running and its data in the master's
    // history; none drifted (a modelling decision: the switch, or the switch back, could
    // otherwise open writes to drifted data, which a runbook report judges unsafe).
    let view = s.view(viewer);
    for d in t.datasources_of(svc) {
        let (host, name) = (s.host(d), t.host_name(d));
        let unhealthy = if !s.reachable(viewer, d) {
            Some(format!("{name} is down or cut off: bring it back"))
        } else if view.entry(d).state != DsState::Online {
            Some(format!("{name} is not ONLINE: recover it"))
        } else if !host.manager {
            Some(format!("the manager on {name} is stopped: start it"))
        } else if !host.dataserver {
            Some(format!("the dataserver on {name} is stopped: start it"))
        } else if !host.replicator.is_online()
            || (d == master && host.replicator.role != ReplicatorRole::Master)
        {
            Some(format!(
                "the replicator on {name} is not online in its role: put it online"
            ))
        } else if diverged(s, master, d) {
            Some(format!(
                "{name} holds events {} lacks: reprovision it",
                t.host_name(master)
            ))
        } else if host.data.drift {
            Some(format!("{name}'s data has drifted: reprovision it"))
        } else {
            None
        };
        if let Some(why) = unhealthy {
            return Err(ProcedureError::new(
                ProcedureErrorKind::NotReady,
                format!("maintenance on the master starts from a healthy service: {why} first"),
            ));
        }
    }
    let old = t.host_name(master);
    // A switch promotes a replica whose role can be promoted (slave, relay, standby;
    // *manual-switch-versus-automatic-failover*).
    let candidate = |d: HostId| d != master && view.entry(d).role.is_failover_candidate();
    let switch = match target {
        Some(x) => {
            let to = host_id(t, x)?;
            if !t.host(to).is_datasource() || t.host(to).service != svc || !candidate(to) {
                return Err(ProcedureError::new(
                    ProcedureErrorKind::WrongTarget,
                    format!(
                        "{x} is not a replica of {service} a switch can promote (the master is {old})"
                    ),
                ));
            }
            format!("switch to {x}")
        }
        None => {
            if !t.datasources_of(svc).any(candidate) {
                return Err(ProcedureError::new(
                    ProcedureErrorKind::NotReady,
                    format!(
                        "{service} has no replica a switch can promote: its master cannot be switched away from"
                    ),
                ));
            }
            "switch".to_owned()
        }
    };
    let policy = s.view(viewer).policy;
    let policy_word = policy.to_string().to_lowercase();
    let prompt = format!("[LOGICAL] /{service} >");
    // The plan promises the master back as it was: writable if it was (a connector routes to
    // it), else ONLINE.
    let back = if Goal::Master(old.clone()).evaluate(t, s).met {
        "master"
    } else {
        "online"
    };
    let mut text = format!("#! goal {back} {old}, {service} policy {policy_word}\n");
    if policy != PolicyMode::Maintenance {
        let _ = writeln!(text, "{prompt} set policy maintenance");
    }
    let _ = writeln!(text, "{prompt} {switch}");
    let _ = writeln!(text, "{prompt} datasource {old} shun");
    let _ = writeln!(
        text,
        "Do the maintenance on {old} now, then check its configuration."
    );
    let _ = writeln!(text, "shell {old}> tpm validate");
    let _ = writeln!(text, "{prompt} datasource {old} recover");
    let _ = writeln!(text, "{prompt} datasource {old} online");
    let _ = writeln!(text, "{prompt} switch to {old}");
    if policy != PolicyMode::Maintenance {
        let _ = writeln!(text, "{prompt} set policy {policy_word}");
    }
    finish(start, &text)
}

/// Under MANUAL and MAINTENANCE `recover` leaves the datasource OFFLINE (Continuent docs
/// *operations-status-policy-interaction*), and so does AUTOMATIC in a group without quorum
/// (one run by force), whose managers bring nothing into service: the runbook brings it
/// online itself.
fn online_unless_automatic(text: &mut String, prompt: &str, host: &str, view: &ManagerView) {
    if view.policy != PolicyMode::Automatic || view.quorum != Quorum::Primary {
        let _ = writeln!(text, "{prompt} datasource {host} online");
    }
}

/// Recover an old master after a failover (Continuent docs
/// *manager-failover-behavior-recovery*): `datasource <ds> recover`; when it holds orphaned
/// events, restore it from a backup first (its replicator offline).
///
/// # Errors
/// [`ProcedureError`] when the service has no ONLINE master, its managers lack quorum with
/// no forced session, or the host must be restored while another datasource still replicates
/// from it (recover that one first) or while its dataserver is stopped (start it first).
pub fn recover_old_master(start: &Start, host: &str) -> Result<Runbook, ProcedureError> {
    let start = &settled(start);
    let (t, s) = (&start.topology, &start.state);
    let Recovering {
        host: h,
        service,
        viewer,
        master,
    } = recovering(start, host, "")?;
    let service = t.service_name(service);
    let entry = s.view(viewer).entry(h);
    if h == master || entry.role != DataSourceRole::Master {
        return Err(ProcedureError::new(
            ProcedureErrorKind::WrongTarget,
            format!(
                "{host} is not an old master (a master replaced by another): use the `recover-replica` procedure"
            ),
        ));
    }
    let prompt = format!("[LOGICAL] /{service} >");
    let mut text = recovery_start(start, viewer, h, &prompt)?;
    if diverged(s, master, h) {
        // A restore rewrites the history the host's own slaves read, so the manager refuses
        // it while one replicates from it; those are recovered first, from the master.
        if let Some(d) = s.slave_of(t, h) {
            return Err(ProcedureError::new(
                ProcedureErrorKind::NotReady,
                format!(
                    "{} still replicates from {host}, which must be restored: recover {} first (the `recover-replica` procedure)",
                    t.host_name(d),
                    t.host_name(d)
                ),
            ));
        }
        // `datasource restore` works on a running dataserver; only `recover` starts one.
        serving(start, viewer, h)?;
        if s.host(h).replicator.is_online() {
            let _ = writeln!(text, "{prompt} replicator {host} offline");
        }
        let _ = writeln!(text, "{prompt} datasource {host} restore");
    }
    let _ = writeln!(text, "{prompt} datasource {host} recover");
    online_unless_automatic(&mut text, &prompt, host, s.view(viewer));
    finish(start, &text)
}
