//! Resetting a site of a multisite/multimaster topology from the other.

use std::fmt::Write as _;

use super::{ProcedureError, ProcedureErrorKind, finish, service_id, viewer};
use crate::model::{DataSourceRole, DsState, HostId, ManagerView, ReplicatorRole, ServiceId};
use crate::runbook::{Runbook, Start};

/// Why `bad` cannot be reset from `good` as [`reset_site`] writes it, if it cannot.
///
/// **Modelling decisions**, each found needed by `reset_site_is_valid_where_it_can_be_written`:
/// the docs' page starts from two sites that run, one with bad data, and the procedure's
/// steps restart processes, routers and the policy but recover no datasource, so a site not
/// in service at the start stays so; the good site is the copy every datasource of the bad
/// one ends up with, so it must hold no drifted data and no old master with events of its
/// own; and its cross-site replicators reading the bad site are reset by the procedure, so
/// they must run, and must not replay the bad site's drifted changes before the reset; and
/// every manager of the bad site runs (the procedure restarts them together).
fn resettable(start: &Start, bad: ServiceId, good: ServiceId) -> Result<(), ProcedureError> {
    let (t, s) = (&start.topology, &start.state);
    let (bad_name, good_name) = (t.service_name(bad), t.service_name(good));
    let reads = |reader: ServiceId, source: ServiceId| {
        t.hosts_of(reader)
            .any(|h| t.host(h).cross_site_from == Some(source))
    };
    if bad == good || !reads(bad, good) || !reads(good, bad) {
        return Err(ProcedureError::new(
            ProcedureErrorKind::WrongTarget,
            format!("{bad_name} and {good_name} are not two sites replicating each other"),
        ));
    }
    if s.is_partitioned() {
        return Err(ProcedureError::new(
            ProcedureErrorKind::Unreachable,
            "the network is split: restore it before resetting a site".to_owned(),
        ));
    }
    for h in t.hosts_of(bad).chain(t.hosts_of(good)) {
        host_resettable(start, bad, h)?;
    }
    if let Some(d) = t.datasources_of(good).find(|&d| s.host(d).data.drift) {
        return Err(ProcedureError::new(
            ProcedureErrorKind::DataAtRisk,
            format!(
                "{}'s data has drifted: {good_name} is no good source; reprovision it first",
                t.host_name(d)
            ),
        ));
    }
    // Each datasource ONLINE, its replicator online in the role its managers give it.
    let serving = |view: &ManagerView, d: HostId| {
        let r = s.host(d).replicator;
        view.entry(d).state == DsState::Online
            && r.is_online()
            && (view.entry(d).role == DataSourceRole::Master) == (r.role == ReplicatorRole::Master)
    };
    // The docs' starting point: the site runs, only its data is bad.
    let bad_view = s.view(viewer(start, bad)?);
    if let Some(d) = t.datasources_of(bad).find(|&d| !serving(bad_view, d)) {
        return Err(ProcedureError::new(
            ProcedureErrorKind::NotReady,
            format!(
                "{} is not ONLINE and replicating in its role: a site reset starts from a site in service (only its data bad); recover it first",
                t.host_name(d)
            ),
        ));
    }
    let view = s.view(viewer(start, good)?);
    if !t
        .datasources_of(good)
        .any(|d| view.entry(d).is_online_master())
    {
        return Err(ProcedureError::new(
            ProcedureErrorKind::NotReady,
            format!("{good_name} has no ONLINE master: recover it before copying from it"),
        ));
    }
    // The good site is the copy to trust, and the copy comes from its first replica
    // (`{good}{slave}`): every datasource in service (an old master left shunned
    // may hold events the site's master lacks, and the cross-site replicators may read them).
    if let Some(d) = t.datasources_of(good).find(|&d| !serving(view, d)) {
        return Err(ProcedureError::new(
            ProcedureErrorKind::NotReady,
            format!(
                "{} is not ONLINE and replicating in its role: {good_name} is the copy to trust; recover it first",
                t.host_name(d)
            ),
        ));
    }
    if !t
        .datasources_of(good)
        .any(|d| view.entry(d).role != DataSourceRole::Master)
    {
        return Err(ProcedureError::new(
            ProcedureErrorKind::NotReady,
            format!("{good_name} has no replica to copy from"),
        ));
    }
    Ok(())
}

/// Why host `h` of either site keeps [`resettable`] from holding, if it does: it must be up
/// with its processes running, and a cross-site replicator reading `bad` must be able to be
/// reset before it replays `bad`'s drift.
fn host_resettable(start: &Start, bad: ServiceId, h: HostId) -> Result<(), ProcedureError> {
    let (t, s) = (&start.topology, &start.state);
    let bad_name = t.service_name(bad);
    let name = t.host_name(h);
    if !s.host(h).up {
        return Err(ProcedureError::new(
            ProcedureErrorKind::Unreachable,
            format!("{name} is down: bring it back first"),
        ));
    }
    if t.host(h).is_datasource() && !s.host(h).dataserver {
        return Err(ProcedureError::new(
            ProcedureErrorKind::Unreachable,
            format!("the dataserver on {name} is stopped: start it first"),
        ));
    }
    // The procedure stops and restarts every manager of the bad site together: one
    // stopped now holds a view of the site as it last saw it, which may name another
    // master than the running managers do, and the restarted site may take it up (the
    // 300 000-case run of `reset_site_is_valid_where_it_can_be_written` found the master
    // provisioned by the running managers' view refused its `trepctl online` by the
    // stopped one's).
    if t.host(h).service == bad && t.host(h).has_manager() && !s.manager_running(h) {
        return Err(ProcedureError::new(
            ProcedureErrorKind::Unreachable,
            format!(
                "the manager on {name} is stopped: its view of {bad_name} may be stale, and the reset restarts every manager of the site together; start it (`manager start`) and let it join first"
            ),
        ));
    }
    // The good site's cross-site replicators reading the bad site are taken offline and
    // reset by the procedure: they must run.
    if t.host(h).cross_site_from == Some(bad) && !s.host(h).cross_site.running {
        return Err(ProcedureError::new(
            ProcedureErrorKind::Unreachable,
            format!("the cross-site replicator on {name} is stopped: start it first"),
        ));
    }
    // One that has applied nothing yet replays the bad site's whole history, its drifted
    // changes included, as soon as it runs on: before the procedure's reset reaches it.
    let x = s.host(h).cross_site;
    if t.host(h).cross_site_from == Some(bad)
        && x.is_online()
        && x.applied.is_none()
        && t.datasources_of(bad).any(|d| s.host(d).data.drift)
    {
        return Err(ProcedureError::new(
            ProcedureErrorKind::DataAtRisk,
            format!(
                "the cross-site replicator on {name} has applied nothing of {bad_name} yet and would replay its drifted changes: take it offline (`trepctl -service {bad_name} offline` on {name}) first"
            ),
        ));
    }
    Ok(())
}

/// Reset a site of a pre-6.x multisite/multimaster topology from the good one (Continuent docs
/// *deployment-multimaster-clustering-monitoring-resetsingle*): MAINTENANCE, its routers
/// offline, its services stopped, the cross-site services reading it offline and reset, its
/// master reprovisioned from a slave of the good site, restarted, the cross-site services back
/// online, routers online, AUTOMATIC, then its slaves reprovisioned one after the other.
///
/// # Errors
/// [`ProcedureError`] for unknown sites, or two that do not replicate each other; and where
/// the reset would fail or leave the sites inconsistent (the docs start from two sites in
/// service, one with bad data): the network split; a host of either site down or its
/// dataserver stopped; no manager of either site running; a datasource of either site not
/// ONLINE with its replicator online in its role; the good site with drifted data, no ONLINE
/// master or no replica to copy from; one of its cross-site replicators reading the bad site
/// stopped, or about to replay the bad site's drifted changes (it has applied nothing yet).
pub fn reset_site(start: &Start, bad: &str, good: &str) -> Result<Runbook, ProcedureError> {
    let start = &super::settled(start);
    let t = &start.topology;
    let bad_id = service_id(t, bad)?;
    let good_id = service_id(t, good)?;
    resettable(start, bad_id, good_id)?;
    let roots = t.install_roots();
    let (cluster, cross) = (&roots.cluster, &roots.cross_site);
    let slaves = t.datasources_of(bad_id).count().saturating_sub(1);
    let mut text = String::new();
    let _ = writeln!(
        text,
        "#! goal {bad} all-online, {bad} routers-online, {bad} policy automatic, cross-site-online, {bad} consistent-with {good}"
    );
    let _ = writeln!(text, "cctrl [{bad}]> set policy maintenance");
    let _ = writeln!(text, "cctrl [{bad}]> router * offline");
    let _ = writeln!(
        text,
        "shell {bad}> {cluster}/tungsten/cluster-home/bin/stopall"
    );
    let _ = writeln!(
        text,
        "shell {bad}> {cross}/tungsten/cluster-home/bin/stopall"
    );
    let trepctl = format!("{cross}/tungsten/tungsten-replicator/bin/trepctl -service {bad}");
    let _ = writeln!(text, "shell {good}> {trepctl} offline");
    let _ = writeln!(text, "shell {good}> {trepctl} reset -all -y");
    let provision =
        format!("{cluster}/tungsten/tungsten-replicator/scripts/tungsten_provision_slave");
    let _ = writeln!(
        text,
        "shell {bad}{{master}}> {provision} --source {good}{{slave}}"
    );
    let _ = writeln!(
        text,
        "shell {bad}> {cluster}/tungsten/cluster-home/bin/startall"
    );
    let _ = writeln!(
        text,
        "shell {bad}> {cluster}/tungsten/tungsten-replicator/bin/trepctl online"
    );
    let _ = writeln!(
        text,
        "shell {bad}> {cross}/tungsten/cluster-home/bin/startall"
    );
    let _ = writeln!(
        text,
        "shell {bad}> echo ls | {cluster}/tungsten/tungsten-manager/bin/cctrl"
    );
    let _ = writeln!(
        text,
        "shell {bad}> {cross}/tungsten/tungsten-replicator/bin/trepctl status"
    );
    let _ = writeln!(text, "shell {good}> {trepctl} online");
    let _ = writeln!(text, "cctrl> router * online");
    let _ = writeln!(text, "cctrl> set policy automatic");
    let mut source = format!("{bad}{{master}}");
    for n in 1..=slaves {
        let target = format!("{bad}{{slave{n}}}");
        let _ = writeln!(text, "shell {target}> {provision} --source {source}");
        let _ = writeln!(
            text,
            "shell {target}> {cluster}/tungsten/cluster-home/bin/startall"
        );
        let _ = writeln!(
            text,
            "shell {target}> {cross}/tungsten/cluster-home/bin/startall"
        );
        source = target;
    }
    finish(start, &text)
}
