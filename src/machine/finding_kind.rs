//! The kinds of finding a step can have: a closed set, so that a tool matching on one is
//! checked by the compiler (a library user's review found `findings_of("unplanned-failovers")`
//! compile and match nothing).

use serde::{Deserialize, Serialize};

/// The kind of a finding: what [`crate::runbook::ReportFinding::kind`] holds and
/// [`crate::machine::Finding::kind`] returns.
///
/// Each kind has a stable kebab-case name (`unplanned-failover`), which the JSON form of a
/// report holds, [`FindingKind::as_str`] and `Display` give, and `FromStr` reads back. A kind
/// is compared with kinds, not with names: a misspelt name would compile and match nothing,
/// which is what the enum is for (a review found the string comparisons let
/// `kind == "unplanned-failovers"` through). Compare `kind.as_str()` to read a name.
///
/// ```
/// use tungsten_model::machine::FindingKind;
///
/// let kind: FindingKind = "unplanned-failover".parse()?;
/// assert_eq!(kind, FindingKind::UnplannedFailover);
/// assert_eq!(kind.to_string(), "unplanned-failover");
/// assert_eq!(kind.as_str(), "unplanned-failover");
/// // A misspelt name is an error, not a kind that matches nothing.
/// assert!("unplanned-failovers".parse::<FindingKind>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
#[strum(parse_err_ty = crate::text::UnknownName, parse_err_fn = crate::text::UnknownName::of::<Self>)]
#[non_exhaustive]
pub enum FindingKind {
    /// Error: a safety invariant broke ([`crate::machine::Invariant`]).
    Invariant,
    /// Warning: an invariant broken before the step still is.
    InvariantStillBroken,
    /// Warning: the step went through on `set force true`; it names the hosts it assumes down.
    Forced,
    /// Error: the same, with one of those hosts up behind a partition.
    ForcedAcrossPartition,
    /// Warning: the running managers keep quorum only by counting DB members whose manager is
    /// stopped, which Tungsten does not: its managers may fail safe.
    QuorumByStoppedManagers,
    /// Error: a shell step runs a command the model knows behind `ssh` or a chain (`&&`, `||`,
    /// `;`), or behind `sudo` together with those, which it does not read (`sudo` and its
    /// options alone run the command).
    WrappedCommand,
    /// Error, or warning where the holder is down or its dataserver stopped: a promotion left
    /// events behind, a step made a master writable that lacks events another datasource
    /// holds, or a provisioning or a restore (`datasource <ds> restore`) discarded them.
    LostEvents,
    /// Error: a `datasource <site>` action at an active/passive composite other than `fail`,
    /// `offline`, `shun`, `online`, `welcome` and `recover` (`master`, `slave`, `restore`,
    /// ...), or a command at an active/active composite that may change a site, which the model
    /// does not run.
    CompositeNotModelled,
    /// Error: a step moves a replicator's position with a tool the model does not follow
    /// (`tungsten_set_position`, `tungsten_skip_all`, `dsctl set`, `trepctl online
    /// -from-event` or `-base-seqno`).
    PositionNotModelled,
    /// Error: a step would go otherwise once a replicator reached the point of an earlier
    /// `trepctl offline-deferred -at-*` or `trepctl online -until-*`, which the model does not
    /// follow: it checks the steps after such a point with the replicator still ONLINE.
    StopPointNotModelled,
    /// Error: `tprovision` run on the ONLINE master its running managers route writes to.
    ProvisionMaster,
    /// Warning: the plan ends with a site in MAINTENANCE that was not at the start.
    LeftInMaintenance,
    /// Error: the managers failed over on their own during the step.
    UnplannedFailover,
    /// Error: a host took drifted data by copy or replay.
    Drift,
    /// Error: writes were opened to a host whose data drifted.
    DriftedWritable,
    /// Warning: a host whose data had drifted before the step is listed ONLINE again:
    /// connectors send it reads.
    DriftedOnline,
    /// Warning: a replicator went online skipping events.
    SkippedEvents,
    /// Warning: an applier that started in OFFLINE:ERROR, for a cause the model does not know,
    /// went ONLINE with the event it stopped at neither skipped nor its data replaced: the
    /// plan assumes the cause gone.
    ErrorAssumedFixed,
    /// Warning: a replicator stopped in OFFLINE:ERROR: it holds events its master does not
    /// (its master was reprovisioned, or it was pointed at a master on another line of
    /// history).
    ReplicationStopped,
    /// Warning: the managers put back what the step did.
    Undone,
    /// Warning: the plan ends with a datasource's replicator stopped that ran at the start
    /// (its host and dataserver up): the managers do not start it.
    ReplicatorLeftStopped,
    /// Warning: the plan ends with a datasource OFFLINE, SHUNNED or FAILED, on a host that is
    /// up, that was ONLINE at the start: the managers do not bring it back by themselves.
    LeftOutOfService,
    /// Warning: a step restarted the replicator of a datasource in service outside
    /// MAINTENANCE: replication pauses meanwhile, and the docs ask for MAINTENANCE or a shun
    /// first.
    RestartedInService,
    /// Warning: a step stopped the replicator of a datasource in service outside MAINTENANCE;
    /// the managers leave it stopped (DIMINISHED) until an operator starts it.
    StoppedInService,
    /// Warning: under MAINTENANCE, a step took down the host or the dataserver of a replica
    /// listed ONLINE: the managers neither detect nor fence failures in that policy, so it
    /// stays ONLINE, where connectors may send it reads; the docs shun a replica before its
    /// maintenance.
    DownInService,
    /// Warning: the service has no writable master, had none while a step restarted its
    /// master in place (a reboot, a dataserver restart: `switch` first), or a composite's
    /// passive site has no relay carrying the active site's writes.
    Availability,
    /// Warning: the master failed and no slave can replace it.
    NoCandidate,
    /// Warning: a service-wide recovery left a datasource out.
    NotRecovered,
    /// Warning: a passive site's relay is left reading a datasource of the active site other
    /// than its master (the managers leave it while it is fed, or while its site is in
    /// MAINTENANCE; *operations-composite-relay-recovery* repoints it).
    RelayOffMaster,
    /// Warning: a replica listed ONLINE is left reading a datasource of its own service
    /// other than its master (at a passive site, its relay): its replicator was stopped, or
    /// out of reach, when another datasource was promoted, so it kept the old one as its
    /// source; `datasource <ds> shun`, then `datasource <ds> recover`, points it right.
    ReplicaOffMaster,
    /// Warning: `set policy` at a composite reached none of a site's managers: that site
    /// keeps its policy.
    NotReached,
    /// Warning: `set policy` typed in a non-primary partition while the primary partition's
    /// managers run: their policy replaces it when the network heals.
    PolicyOverridden,
    /// Warning: the cctrl session a step started on a host (`shell db1> cctrl`) ended with
    /// its manager or its host; the step is checked as typed into another manager, where
    /// the operator must start cctrl again.
    SessionMoved,
    /// Warning: a trepctl option the model does not track.
    UntrackedOption,
    /// Warning: a command the model does not know: the steps after it are checked as if it
    /// changed nothing.
    NotModelled,
    /// Warning: the managers act on the starting state at once, before any step
    /// ([`crate::runbook::Report::start_findings`]).
    UnsettledStart,
    /// Warning: a host starts with drifted data, which a listing cannot show (a state built
    /// in code or read from JSON) ([`crate::runbook::Report::start_findings`]).
    DriftedStart,
}

impl FindingKind {
    /// Its stable kebab-case name (`unplanned-failover`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl crate::text::Named for FindingKind {
    const WHAT: &'static str = "a finding kind";
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind's name reads back as the kind, in text and in JSON, no two kinds share a
    /// name, and a misspelt one is an error listing them.
    #[test]
    fn every_kind_reads_back_from_its_name() {
        crate::text::assert_names_read_back::<FindingKind>();
        assert_eq!(
            FindingKind::QuorumByStoppedManagers.as_str(),
            "quorum-by-stopped-managers"
        );
        let misspelt = "unplanned-failovers".parse::<FindingKind>().unwrap_err();
        assert!(
            misspelt
                .to_string()
                .starts_with("expected a finding kind (invariant, invariant-still-broken, "),
            "{misspelt}"
        );
    }
}
