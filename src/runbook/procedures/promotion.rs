//! The promotions: a planned switch and a manual failover, each tried on the managers first.

use std::fmt::Write as _;

use super::{
    ProcedureError, ProcedureErrorKind, finish, forced_soundly, host_id, no_writable_master_beyond,
    service_id, viewer,
};
use crate::runbook::{Runbook, Start};

/// A planned switch (Continuent docs *operations-primaryswitch-manual*): `switch to <target>`,
/// or to the best candidate. It leaves the routers as they are. Its goal is the target as the
/// writable master, or ONLINE where no connector that routes reaches it; with no target, the
/// service writable where a connector that routes reaches the replica promoted, else none.
///
/// # Errors
/// [`ProcedureError`] for an unknown service or target; where the managers would refuse the
/// switch (no ONLINE master, its replicator not online as master, no eligible replica or the
/// target not one, a target holding events the master lacks, no quorum and no forced session:
/// the message is the managers' reason, with what would make it legal); and where the replica
/// it would promote has drifted data (its clients would write to it).
pub fn switch_procedure(
    start: &Start,
    service: &str,
    target: Option<&str>,
) -> Result<Runbook, ProcedureError> {
    let start = &super::settled(start);
    promotion(start, service, target, Promotion::Switch)
}

/// A manual failover (Continuent docs *cctrl-failover*): `failover to <target>`, or to the
/// most caught-up replica, once the master has FAILED. Its goals are as for
/// [`switch_procedure`]; it leaves the policy as it is.
///
/// # Errors
/// [`ProcedureError`] for an unknown service or target; where the managers would refuse the
/// failover (a master still ONLINE: use [`switch_procedure`]; no FAILED master; no eligible
/// replica or the target not one; no quorum and no forced session); where the replica it
/// would promote has drifted data; and where the failed master is up with its dataserver
/// running and holds events the new master lacks (promote it, or a host holding its events,
/// instead).
pub fn failover_procedure(
    start: &Start,
    service: &str,
    target: Option<&str>,
) -> Result<Runbook, ProcedureError> {
    let start = &super::settled(start);
    promotion(start, service, target, Promotion::Failover)
}

/// The command a promotion procedure types.
#[derive(Clone, Copy)]
enum Promotion {
    Switch,
    Failover,
}

/// `switch` or `failover`, tried first on the manager cctrl would connect to: the managers'
/// own rules decide whether it is accepted, and the state it leads to gives the promoted
/// master, whose data the procedure then checks.
fn promotion(
    start: &Start,
    service: &str,
    target: Option<&str>,
    kind: Promotion,
) -> Result<Runbook, ProcedureError> {
    use crate::machine::{self, CctrlOp, Finding, Input};
    let (t, s) = (&start.topology, &start.state);
    let svc = service_id(t, service)?;
    let to = target.map(|x| host_id(t, x)).transpose()?;
    let viewer = viewer(start, svc)?;
    let (word, op) = match kind {
        Promotion::Switch => ("switch", CctrlOp::Switch(to)),
        Promotion::Failover => ("failover", CctrlOp::Failover(to)),
    };
    forced_soundly(start, svc, viewer)?;
    no_writable_master_beyond(start, svc, viewer)?;
    // The session uses the service the prompt names.
    let mut before = *s;
    if s.session(viewer).service != svc {
        let use_it = Input::Cctrl {
            at: viewer,
            op: CctrlOp::Use(svc),
        };
        if let Ok(o) = machine::apply(t, &before, &use_it) {
            before = o.state;
        }
    }
    let outcome = machine::apply(t, &before, &Input::Cctrl { at: viewer, op }).map_err(|r| {
        ProcedureError::new(
            ProcedureErrorKind::Refused,
            format!("the managers would refuse `{word}`: {}", r.render(t)),
        )
    })?;
    let after = outcome.state;
    let promoted = t
        .datasources_of(svc)
        .find(|&d| after.view(viewer).entry(d).is_online_master())
        .ok_or_else(|| {
            ProcedureError::new(
                ProcedureErrorKind::Refused,
                format!("`{word}` would leave {service} no ONLINE master"),
            )
        })?;
    let new = t.host_name(promoted);
    // Never open writes to drifted data (a modelling decision the runbook report makes too:
    // `drifted-writable`).
    if s.host(promoted).data.drift {
        return Err(ProcedureError::new(
            ProcedureErrorKind::DataAtRisk,
            format!(
                "{new}'s data has drifted: `{word}` would open writes to it; reprovision it, or name another target"
            ),
        ));
    }
    // Events the promotion leaves behind on a host that is up with its dataserver running:
    // a runbook report judges that unsafe (a modelling decision, see `validate`'s
    // `lost-events`), since that host, or one holding its events, could be promoted instead
    // (a crashed host's are lost whatever the operator does).
    let left_behind = outcome.findings.iter().find_map(|f| match *f {
        Finding::LostEvents { host, .. } if after.host(host).up && after.host(host).dataserver => {
            Some(host)
        }
        _ => None,
    });
    if let Some(d) = left_behind {
        let held = t.host_name(d);
        let instead = if after.reachable(d, promoted) {
            format!(
                "promote {held} (`recover master using {held}`, its processes started first), or let {new} catch up first"
            )
        } else {
            format!(
                "{held} is cut off by a partition: restore the network, then promote {held} or let {new} catch up"
            )
        };
        return Err(ProcedureError::new(
            ProcedureErrorKind::DataAtRisk,
            format!(
                "{held} is up with its dataserver running and holds events {new} lacks, which `{word}` would orphan: {instead}"
            ),
        ));
    }
    // The procedure leaves the routers as they are: it promises writes where a connector
    // that routes already reaches the new master.
    let writable = crate::machine::invariant::routed(t, s, svc, promoted);
    let prompt = format!("[LOGICAL] /{service} >");
    let mut text = String::new();
    match target {
        Some(x) => {
            let goal = if writable { "master" } else { "online" };
            let _ = writeln!(text, "#! goal {goal} {x}");
            let _ = writeln!(text, "{prompt} {word} to {x}");
        }
        None => {
            if writable {
                let _ = writeln!(text, "#! goal {service} writable");
            }
            let _ = writeln!(text, "{prompt} {word}");
        }
    }
    finish(start, &text)
}
