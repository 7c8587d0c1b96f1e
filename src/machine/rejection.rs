//! Why the engine refused an input: structured, read back with `serde`, and rendered in words that name the
//! datasource or service, what was expected, what was found and what would make it legal.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::input::{CctrlOp, Input, Install};
use super::invariant::Violation;
use super::rule::Rule;
use crate::ls::state_text;
use crate::model::{
    DataSourceRole, DsState, HostId, HostSet, PolicyMode, ReplicatorRole, ReplicatorState,
    ServiceId, Topology,
};

/// Why a candidate cannot be promoted. Source: Continuent docs
/// *manual-switch-versus-automatic-failover*, *manager-intro-best-practices*.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Ineligible {
    /// Not ONLINE in the view.
    NotOnline(DsState),
    /// The master itself, or at a passive site the relay: a switch to it has nothing to do.
    Current {
        /// Its role in the view (master, or relay).
        role: DataSourceRole,
    },
    /// Not a slave, relay or standby: an archive (never promoted), a witness, or a master
    /// other than the current one.
    Role,
    /// Its manager, host or dataserver cannot be reached.
    Unreachable,
    /// Its replicator is not ONLINE.
    Replicator,
    /// It holds events the master lacks (it diverged).
    Diverged,
    /// A switch's flush would not reach it: `through`, on its replication path to the master
    /// (or it, itself), does not pass the master's events on (its replicator not ONLINE, out
    /// of reach of its source, off the master's line, or reading elsewhere).
    NotFed {
        /// The host where the events stop.
        through: HostId,
    },
}

/// Why the managers cannot reach a datasource they hold ONLINE ([`Refusal::HeldOnline`]),
/// the first that holds in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OutOfReach {
    /// Its host is down.
    HostDown,
    /// Its host is up, cut off from the manager by a partition.
    CutOff,
    /// Its dataserver is stopped.
    DataServerStopped,
    /// Its manager alone is stopped: its dataserver still serves.
    ManagerStopped,
}

/// The refusal, by rule.
///
/// Its texts (what a command takes, why, what is already so) are the rules' own words, borrowed
/// when the engine refuses and owned when read back with `serde`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Refusal {
    /// No manager runs on the host the command is typed into.
    NoManager {
        /// The host.
        host: HostId,
    },
    /// `use <service>` where no manager of `service` runs (at a composite, no manager of any
    /// of its sites): cctrl works through a running manager (Continuent docs
    /// *cmdline-tools-cctrl*), and `cctrl -multi` reaches another service through that
    /// service's managers, so it cannot connect to one with none running.
    NoServiceManager {
        /// The service named.
        service: ServiceId,
    },
    /// The manager's group has no quorum and the session is not forced.
    NoQuorum {
        /// The service.
        service: ServiceId,
        /// The manager the command was typed into.
        manager: HostId,
        /// DB members the group reaches.
        members: u8,
        /// The majority.
        majority: u8,
        /// The datasources it cannot reach.
        unreachable: HostSet,
    },
    /// The datasource is not in a state the command takes.
    WrongState {
        /// The datasource.
        host: HostId,
        /// What it is.
        found: DsState,
        /// What the command takes, in words (`OFFLINE`, `SHUNNED`, ...).
        expected: Cow<'static, str>,
    },
    /// Another master is ONLINE in the view.
    OtherMaster {
        /// The datasource the command addresses.
        host: HostId,
        /// The master already ONLINE.
        master: HostId,
    },
    /// The command needs MAINTENANCE.
    NeedsMaintenance {
        /// The service.
        service: ServiceId,
        /// Its policy.
        found: PolicyMode,
        /// Whether `set force true` in the cctrl session lets the command through instead
        /// (false for a command typed outside cctrl, such as `trepctl setrole`).
        forceable: bool,
    },
    /// The host cannot be reached from where the command runs (down, cut off, or its manager
    /// stopped).
    Unreachable {
        /// The host.
        host: HostId,
    },
    /// The datasource's dataserver is not running.
    DataServerStopped {
        /// The datasource.
        host: HostId,
    },
    /// No master is ONLINE in the service.
    NoMaster {
        /// The service.
        service: ServiceId,
        /// The master the managers hold out of service, taken OFFLINE or shunned by an
        /// operator, else the only master-role datasource FAILED (no failover replaced
        /// it), and its state; `None` when there is none (failed over, more than one, or
        /// none at all).
        held: Option<(HostId, DsState)>,
    },
    /// `service` is a passive site of the active/passive composite `composite`: its managers
    /// hold no datasource in the master role (a relay reads the active site; Continuent docs
    /// *operations-composite-relay-recovery*). Promoting a master there makes a second
    /// writable master in the composite dataservice: a relay becomes a master only when the
    /// Active role moves at the composite (*operations-status-roles*; [`super::CctrlOp::SwitchSite`]).
    /// A passive site's replicas read from its relay instead
    /// ([`Refusal::NoRelay`] when none is ONLINE).
    PassiveSite {
        /// The passive site.
        service: ServiceId,
        /// The composite.
        composite: ServiceId,
    },
    /// `service` is a passive site of an active/passive composite and no relay is ONLINE in
    /// its managers' views: its replicas read from its relay (Continuent docs
    /// *operations-status-roles*), so a replica's recovery there waits for the relay.
    NoRelay {
        /// The passive site.
        service: ServiceId,
        /// The relay the views hold out of service, with its state, if any.
        held: Option<(HostId, DsState)>,
    },
    /// A passive site's relay is in service already: `failover` there replaces a FAILED relay,
    /// and `datasource <ds> relay` makes one where none serves.
    RelayInService {
        /// The passive site.
        service: ServiceId,
        /// The relay.
        relay: HostId,
    },
    /// The command makes a relay, and the service is not a composite's passive site.
    NotPassive {
        /// The service.
        service: ServiceId,
    },
    /// A command that acts on whole sites (`switch`, `failover`, `recover` and `datasource
    /// <site> fail` typed at a composite) typed in a session whose service is not an
    /// active/passive composite.
    NotComposite {
        /// The session's service.
        service: ServiceId,
    },
    /// A command on datasources typed in a session at an active/passive composite, where cctrl
    /// acts on whole sites.
    AtComposite {
        /// The composite.
        composite: ServiceId,
    },
    /// The site a composite `switch` or `failover` names, or every site when it names none,
    /// cannot take the Active role.
    NoSiteTarget {
        /// The site named, if any.
        site: Option<ServiceId>,
        /// The composite.
        composite: ServiceId,
        /// Why, in words.
        why: Cow<'static, str>,
    },
    /// No manager of the site runs where the manager the command is typed into reaches it.
    SiteUnreachable {
        /// The site.
        site: ServiceId,
    },
    /// `datasource <site> fail` at a composite, and the site is in service: `host`, its
    /// master (or its relay, at a passive site), is ONLINE.
    SiteInService {
        /// The site.
        site: ServiceId,
        /// Its ONLINE master or relay.
        host: HostId,
    },
    /// `service` is a composite's site that a composite failover superseded: its master,
    /// `master`, is `SHUNNED(SUPERSEDED)`. Bringing it or another master of the site into
    /// service there would be a second master beside the active site's; `recover` at the
    /// composite brings the site back as a passive one (Continuent docs
    /// *operations-composite-recovery*).
    Superseded {
        /// The site.
        service: ServiceId,
        /// The composite.
        composite: ServiceId,
        /// Its superseded master.
        master: HostId,
    },
    /// A master is ONLINE already (failover, recover master using), or, for a composite's
    /// `failover`, the active site's master is healthy and OFFLINE or shunned by an operator:
    /// not lost.
    MasterOnline {
        /// The service.
        service: ServiceId,
        /// The master.
        master: HostId,
        /// Its state in the view.
        state: DsState,
    },
    /// `failover` while the managers hold the master (at a passive site, the relay) ONLINE
    /// though it is out of their reach: its host down or cut off, or its manager or
    /// dataserver stopped. Under MAINTENANCE the managers fail no datasource, and a failover
    /// replaces a FAILED one (Continuent docs *cctrl-failover*, *operations-policymodes*):
    /// `datasource <ds> fail` first, if it is lost and not only cut off. It was refused as an
    /// ONLINE master (or relay in service) with advice to `switch`, which an unreachable
    /// master refuses too (an operator's review, helper-118 F5).
    HeldOnline {
        /// The service.
        service: ServiceId,
        /// The master or relay.
        datasource: HostId,
        /// Its role: master, or relay.
        role: DataSourceRole,
        /// Why they cannot reach it, which decides the advice: a datasource whose manager
        /// alone stopped still serves, and is not one to fail (a review, helper-119 F4).
        cause: OutOfReach,
    },
    /// `failover` while the service's master is SHUNNED by an operator (`shun`, `drain`) and
    /// its host is not healthy (dataserver or manager stopped, host down or cut off). The
    /// managers do not fail a datasource an operator shunned: a SHUNNED datasource is out of
    /// the dataservice, and its services may be stopped and restarted without affecting the
    /// others (Continuent docs *operations-status-states*), so it is never FAILED, and
    /// "the primary data source must be in a failed state to use failover" (*cctrl-failover*).
    /// With no master to switch from, `recover master using <ds>` sets a new one
    /// (*operations-recovery-master*).
    ShunnedMaster {
        /// The service.
        service: ServiceId,
        /// The master.
        master: HostId,
        /// Its state in the view.
        state: DsState,
    },
    /// The datasource holds events the master lacks: recovering it would lose or replay them.
    Orphaned {
        /// The datasource.
        host: HostId,
        /// The master.
        master: HostId,
    },
    /// No datasource is eligible to be promoted.
    NoCandidate {
        /// The service.
        service: ServiceId,
    },
    /// The named target cannot be promoted.
    NotEligible {
        /// The target.
        host: HostId,
        /// Why.
        why: Ineligible,
    },
    /// The replicator process does not run.
    ReplicatorStopped {
        /// The host.
        host: HostId,
        /// Which install.
        install: Install,
    },
    /// The replicator is not in a state the command takes.
    ReplicatorState {
        /// The host.
        host: HostId,
        /// Which install.
        install: Install,
        /// Its state.
        found: ReplicatorState,
        /// What the command takes.
        expected: Cow<'static, str>,
    },
    /// Another replicator extracts as master in the service.
    OtherExtractor {
        /// The replicator the command addresses.
        host: HostId,
        /// The one extracting.
        extractor: HostId,
    },
    /// The replicator's role does not allow the command.
    ReplicatorRole {
        /// The host.
        host: HostId,
        /// Its role.
        found: ReplicatorRole,
        /// What the command needs.
        expected: Cow<'static, str>,
    },
    /// A master the manager holds as not shunned nor failed cannot be reached: no other
    /// master may start extracting until it is shunned or failed.
    HiddenMaster {
        /// The datasource to promote.
        host: HostId,
        /// The master out of reach.
        master: HostId,
    },
    /// `replicator <ds> relay <site>/<source>` naming a source its site's managers hold out
    /// of service (a master a failover there replaced, a datasource shunned or failed) while
    /// they hold another ONLINE master: a relay replicates from the active site's master
    /// (Continuent docs *operations-composite-relay-recovery*), or from one of its ONLINE
    /// replicas.
    RelaySource {
        /// The relay.
        host: HostId,
        /// The source named.
        source: HostId,
        /// The master its site's managers hold.
        master: HostId,
    },
    /// Changing the role of, or resetting the THL of (`trepctl reset -all|-thl`), a datasource
    /// that online slaves replicate from.
    ServesSlaves {
        /// The target.
        host: HostId,
        /// A slave replicating from it.
        slave: HostId,
    },
    /// Provisioning from the target itself.
    ProvisionFromSelf {
        /// The host.
        host: HostId,
    },
    /// The host is not a datasource (a witness, a connector host).
    NotADatasource {
        /// The host.
        host: HostId,
    },
    /// The host has no cross-site replicator.
    NoCrossSite {
        /// The host.
        host: HostId,
    },
    /// Nothing would change: the command or event is a no-op here.
    NoChange {
        /// The host concerned, if one.
        host: Option<HostId>,
        /// What is already so, in words.
        already: Cow<'static, str>,
    },
    /// The master does not take writes (a write event, a heartbeat).
    NotWritable {
        /// The host.
        host: HostId,
    },
    /// After the managers' reactions, an invariant would be broken among the hosts the
    /// command can reach (the guard behind every operator input).
    WouldBreak(Violation),
    /// The model's fixed capacity for diverging histories is used up.
    HistoryFull,
    /// A write on a master whose last event has the largest seqno a replicator holds
    /// ([`crate::model::Seqno::MAX`]): no event can follow it.
    SeqnoRange {
        /// The master.
        host: HostId,
    },
    /// The host is down.
    HostDown {
        /// The host.
        host: HostId,
    },
    /// A cctrl command names a host of another service than its session's: cctrl acts on
    /// the service in use and needs `use <service>` first.
    OtherService {
        /// The host.
        host: HostId,
        /// The session's service.
        session: ServiceId,
    },
    /// The input names a host the topology does not have: its id is past the last host's
    /// (an input resolved against another topology, or built by hand).
    UnknownHost {
        /// The id named.
        host: HostId,
    },
    /// The input names a service the topology does not have (as for [`Self::UnknownHost`]).
    UnknownService {
        /// The id named.
        service: ServiceId,
    },
}

/// A refused input: which, and why. The state it was applied to is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rejection {
    /// The input.
    pub input: Input,
    /// Why.
    pub refusal: Refusal,
}

impl Refusal {
    /// Whether the command was refused only because what it asks for is so already
    /// ([`Refusal::NoChange`]: `set policy maintenance` under MAINTENANCE): a caller
    /// applying a procedure may take it as done. A runbook reports such a step unchanged,
    /// not refused.
    #[must_use]
    pub fn is_no_change(&self) -> bool {
        matches!(self, Self::NoChange { .. })
    }

    /// The rule that refused the command ([`Rule`], whose kebab-case name is stable for
    /// tests and reports).
    #[must_use]
    pub fn rule(&self) -> Rule {
        match self {
            Self::NoManager { .. } | Self::NoServiceManager { .. } => Rule::ManagerRunning,
            Self::NoQuorum { .. } => Rule::Quorum,
            Self::WrongState { .. } => Rule::DatasourceState,
            Self::OtherMaster { .. } => Rule::OneOnlineMaster,
            Self::NeedsMaintenance { .. } => Rule::Maintenance,
            Self::Unreachable { .. } | Self::SiteUnreachable { .. } => Rule::Reachable,
            Self::DataServerStopped { .. } => Rule::DataserverRunning,
            Self::NoMaster { .. } => Rule::MasterOnline,
            Self::PassiveSite { .. } => Rule::PassiveSite,
            Self::NoRelay { .. } => Rule::NoRelay,
            Self::MasterOnline { .. } | Self::ShunnedMaster { .. } | Self::HeldOnline { .. } => {
                Rule::MasterFailed
            }
            Self::NotComposite { .. } | Self::AtComposite { .. } => Rule::CompositeSession,
            Self::NoSiteTarget { .. } => Rule::EligibleSite,
            Self::SiteInService { .. } => Rule::SiteInService,
            Self::Superseded { .. } => Rule::SupersededSite,
            Self::RelayInService { .. } => Rule::OneRelay,
            Self::NotPassive { .. } => Rule::RelaySite,
            Self::Orphaned { .. } => Rule::OrphanedEvents,
            Self::NoCandidate { .. } => Rule::Candidate,
            Self::NotEligible { .. } => Rule::EligibleTarget,
            Self::ReplicatorStopped { .. } => Rule::ReplicatorRunning,
            Self::ReplicatorState { .. } => Rule::ReplicatorState,
            Self::OtherExtractor { .. } => Rule::SingleExtractor,
            Self::ReplicatorRole { .. } => Rule::ReplicatorRole,
            Self::ProvisionFromSelf { .. } => Rule::ProvisionSource,
            Self::ServesSlaves { .. } => Rule::ServesSlaves,
            Self::RelaySource { .. } => Rule::RelaySource,
            Self::HiddenMaster { .. } => Rule::HiddenMaster,
            Self::NotADatasource { .. } => Rule::Datasource,
            Self::NoCrossSite { .. } => Rule::CrossSiteInstall,
            Self::NoChange { .. } => Rule::NoChange,
            Self::NotWritable { .. } => Rule::WritableMaster,
            Self::WouldBreak(_) => Rule::InvariantGuard,
            Self::HistoryFull => Rule::ModelCapacity,
            Self::SeqnoRange { .. } => Rule::SeqnoRange,
            Self::HostDown { .. } => Rule::HostUp,
            Self::OtherService { .. } => Rule::SessionService,
            Self::UnknownHost { .. } | Self::UnknownService { .. } => Rule::InTopology,
        }
    }

    /// The refusal in one sentence: what is wrong, what was expected, and what would make the
    /// command legal, the datasource refused named where a remedy gives a command for it.
    #[must_use]
    #[expect(
        clippy::too_many_lines,
        reason = "one arm per variant, read as a table"
    )]
    pub fn render(&self, topology: &Topology) -> String {
        let n = |h: HostId| topology.host_name(h).as_str().to_owned();
        let s = |sv: ServiceId| topology.service_name(sv).as_str().to_owned();
        let list = |set: HostSet| {
            let names: Vec<&str> = set.iter().map(|h| topology.host_name(h).as_str()).collect();
            if names.is_empty() {
                "none".to_owned()
            } else {
                crate::text::series(&names, "and")
            }
        };
        // The rules' remedies say `<ds>` for the datasource refused: name it.
        let naming = |h: HostId, text: &str| text.replace("<ds>", &n(h));
        let install = |i: Install| match i {
            Install::Cluster => "replicator",
            Install::CrossSite => "cross-site replicator",
        };
        match *self {
            Self::NoManager { host } => format!("no manager runs on {}: start it, or type the command into a running manager", n(host)),
            Self::NoServiceManager { service } => format!(
                "no manager of {} runs: cctrl cannot connect to a service with no manager running; start one on a host of {} (`manager start`, or `startall`), then `use {}`",
                s(service),
                s(service),
                s(service)
            ),
            Self::NoQuorum { service, manager, members, majority, unreachable } => format!(
                "{} has no quorum: the manager on {} reaches {members} DB member{} and needs {majority}, so it cannot confirm that {} {} down rather than cut off; bring them back, or `set force true` if you know they are down",
                s(service),
                n(manager),
                if members == 1 { "" } else { "s" },
                list(unreachable),
                if unreachable.len() == 1 { "is" } else { "are" }
            ),
            Self::WrongState { host, found, ref expected } => format!(
                "{} is {}: expected {}",
                n(host),
                state_text(topology, host, found),
                naming(host, expected)
            ),
            Self::OtherMaster { host, master } => format!(
                "{} is already an ONLINE master: {} cannot be one too; to keep {}, make {} its slave with `datasource {} recover` (shun {} first if it is OFFLINE); to replace it, take {} offline or shun it first",
                n(master),
                n(host),
                n(master),
                n(host),
                n(host),
                n(host),
                n(master)
            ),
            Self::NeedsMaintenance { service, found, forceable } => format!(
                "{} is in {found}: expected MAINTENANCE (`set policy maintenance`){}",
                s(service),
                if forceable { " or `set force true`" } else { " first" }
            ),
            Self::Unreachable { host } => format!(
                "{} cannot be reached from here (host down, cut off, or its manager stopped): bring it back first",
                n(host)
            ),
            Self::DataServerStopped { host } => format!("the dataserver on {} is stopped: start it first", n(host)),
            Self::NoMaster {
                service,
                held: Some((master, state)),
            } => {
                let back = if matches!(state, DsState::Shunned(_)) {
                    format!(
                        "`datasource {m} welcome` brings it back (then `datasource {m} online` if it comes back OFFLINE)",
                        m = n(master)
                    )
                } else if matches!(state, DsState::Failed(_)) {
                    format!(
                        "`recover master using {m}` brings it back as the master (or `datasource {m} offline`, then `datasource {m} online`)",
                        m = n(master)
                    )
                } else {
                    format!(
                        "`datasource {m} online` puts it back in service",
                        m = n(master)
                    )
                };
                format!(
                    "{} has no ONLINE master to replicate from: its master, {}, is {}: {back}",
                    s(service),
                    n(master),
                    state_text(topology, master, state)
                )
            }
            Self::NoMaster {
                service,
                held: None,
            } => format!(
                "{} has no ONLINE master to replicate from: bring a master online first (`recover master using <ds>`; by hand, `datasource <ds> master`, its replicator in role master, then `datasource <ds> online`)",
                s(service)
            ),
            Self::PassiveSite { service, composite } => format!(
                "{} is a passive site of {}: its managers hold no master, and a master \
                 promoted here would be a second writable master in {}; the Active role moves \
                 at the composite (`use {}`, then `switch to {}`)",
                s(service),
                s(composite),
                s(composite),
                s(composite),
                s(service)
            ),
            Self::NoRelay {
                service,
                held: Some((relay, state)),
            } if !matches!(state, DsState::Failed(_)) => format!(
                "{} is a passive site: its replicas read from its relay, {}, which is {}: bring it back first (`datasource {} {}`); to move the relay role to a replica, `switch` once it serves again{}",
                s(service),
                n(relay),
                state_text(topology, relay, state),
                n(relay),
                if state == DsState::Offline { "online" } else { "recover" },
                // `datasource <ds> fail` takes an ONLINE or OFFLINE datasource only (a review
                // found it advised for a shunned relay, and refused).
                if state == DsState::Offline {
                    format!(" (or, if it is lost, `datasource {} fail`, then `failover`)", n(relay))
                } else {
                    String::new()
                }
            ),
            Self::NoRelay {
                service,
                held: Some((relay, state)),
            } => format!(
                "{} is a passive site: its replicas read from its relay, {}, which is {}: bring it back first (`datasource {} recover`), or move the relay role to a replica (`failover`)",
                s(service),
                n(relay),
                state_text(topology, relay, state),
                n(relay)
            ),
            Self::NoRelay { service, held: None } => format!(
                "{} is a passive site: its replicas read from its relay, and its managers hold none: check such a step by hand",
                s(service)
            ),
            Self::RelayInService { service, relay } => format!(
                "{} has a relay in service, {}: a passive site's replicas read from one relay; another datasource in the relay role becomes a slave with `datasource <ds> slave`, `switch` moves the role in a planned change, and `failover` replaces a FAILED relay",
                s(service),
                n(relay)
            ),
            Self::NotPassive { service } => format!(
                "{} is not a passive site of a composite: a relay serves only there",
                s(service)
            ),
            Self::NotComposite { service } => format!(
                "{} is not an active/passive composite: `switch`, `failover` and `recover` act on whole sites only at the composite (`use <composite>` first)",
                s(service)
            ),
            Self::AtComposite { composite } => format!(
                "{} is a composite: cctrl acts on whole sites there; `use <site>` first to act on a datasource",
                s(composite)
            ),
            Self::NoSiteTarget { site: Some(site), composite, ref why } => format!(
                "{} cannot take the Active role of {}: {why}",
                s(site),
                s(composite)
            ),
            Self::NoSiteTarget { site: None, composite, ref why } => format!(
                "no site of {} can take the Active role: {why}",
                s(composite)
            ),
            Self::SiteUnreachable { site } => format!(
                "no manager of {} runs where this manager reaches it (its hosts down, cut off, or their managers stopped): bring one back first",
                s(site)
            ),
            Self::Superseded { service, composite, master } => format!(
                "{} was superseded by a failover at {}: its master, {}, is SHUNNED(SUPERSEDED), and a datasource in service there could become a second master beside the active site's; `use {}`, then `recover`, brings the site back as a passive one",
                s(service),
                s(composite),
                n(master),
                s(composite)
            ),
            Self::SiteInService { site, host } => format!(
                "{} is in service ({} is ONLINE): `datasource <site> fail` marks a site that is lost, before `failover`; the model refuses it for a site in service, where Tungsten asks for confirmation of an expert command that may corrupt data; `switch` moves the Active role away from a site in service",
                s(site),
                n(host)
            ),
            Self::MasterOnline { service, master, state: DsState::Online } => format!(
                "{} has an ONLINE master, {}: expected the master FAILED; use `switch` for a planned change",
                s(service),
                n(master)
            ),
            Self::MasterOnline { service, master, state } => format!(
                "{}'s master, {}, is {} on a healthy host, not failed: a failover replaces a failed master; bring it back (`datasource {} {}`), then `switch` for a planned change{}",
                s(service),
                n(master),
                state_text(topology, master, state),
                n(master),
                if state == DsState::Offline { "online" } else { "welcome" },
                // `datasource <ds> fail` takes an ONLINE or OFFLINE datasource only.
                if state == DsState::Offline {
                    format!("; or, to replace it, `datasource {} fail` first", n(master))
                } else {
                    String::new()
                }
            ),
            Self::HeldOnline {
                service,
                datasource,
                role,
                cause,
            } => {
                let d = n(datasource);
                let fail = format!("`datasource {d} fail` first, then `failover`");
                let (why, then) = match cause {
                    OutOfReach::HostDown => (
                        "its host is down".to_owned(),
                        format!("if {d} is lost, not only restarting, {fail}"),
                    ),
                    OutOfReach::CutOff => (
                        "its host is cut off from this manager".to_owned(),
                        format!(
                            "restore the network first: while {d} is up it may still take writes, and a failover from this side would make a second master; if {d} is lost, not only cut off, {fail}"
                        ),
                    ),
                    OutOfReach::DataServerStopped => (
                        "its dataserver is stopped".to_owned(),
                        format!(
                            "start the dataserver again, then `datasource {d} recover`; if it cannot be, {fail}"
                        ),
                    ),
                    OutOfReach::ManagerStopped => (
                        "its manager alone is stopped, and its dataserver still serves".to_owned(),
                        format!(
                            "start the manager (`manager start` on {d}), then `switch` for a planned change; `datasource {d} fail` and `failover` would replace a {role} that still works"
                        ),
                    ),
                };
                format!(
                    "{}'s {role}, {d}, is out of the managers' reach ({why}), yet they hold it ONLINE: under MAINTENANCE they fail no datasource, and a failover replaces a FAILED {role}: {then}",
                    s(service),
                )
            }
            Self::ShunnedMaster { service, master, state } => format!(
                "{}'s master, {}, is {}, not FAILED: a failover replaces a failed master, and the managers do not fail a datasource an operator shunned, whatever stops on it; to keep it, start what is stopped on its host, then `datasource {} welcome` (and `switch` for a planned change); to replace it, `recover master using <ds>` (with `replicator {} offline` first if it still extracts)",
                s(service),
                n(master),
                state_text(topology, master, state),
                n(master),
                n(master)
            ),
            Self::Orphaned { host, master } => format!(
                "{} holds events {} does not have (orphaned events): recovering it would lose them; inspect them (tungsten_find_orphaned), then `datasource {} restore` or reprovision it",
                n(host),
                n(master),
                n(host)
            ),
            Self::NoCandidate { service } => format!(
                "{} has no eligible slave to promote: a candidate must be ONLINE, a slave, relay or standby, reachable with its manager, and its replicator ONLINE",
                s(service)
            ),
            Self::NotEligible { host, why } => {
                let why = match why {
                    Ineligible::NotOnline(state) => format!("it is {}, expected ONLINE", state_text(topology, host, state)),
                    // Apart from the other roles: a fault may have promoted the target
                    // already, and the generic text hid that (an operator's review).
                    Ineligible::Current { role } => format!("it is the {role} already: there is nothing to switch to (`ls` shows the roles)"),
                    Ineligible::Role => "its role cannot be promoted: a candidate is a slave, a relay or a standby (not an archive, a witness or an old master)".to_owned(),
                    Ineligible::Unreachable => "it cannot be reached, or its manager or dataserver is stopped".to_owned(),
                    // With the way back (an operator's review found the bare text at a
                    // composite switch, where the other refusals name their remedy).
                    Ineligible::Replicator => "its replicator is not ONLINE: bring it ONLINE first (`replicator start` on the host if the process is stopped, else `trepctl online` there), then try again".to_owned(),
                    Ineligible::Diverged => "it holds events the master lacks".to_owned(),
                    Ineligible::NotFed { through } if through == host => "the switch's flush would not reach it: its replicator is not ONLINE reading the master (or a replica of it) within reach".to_owned(),
                    Ineligible::NotFed { through } => format!(
                        "the switch's flush would not reach it: {}, which it reads through, does not pass the master's events on (bring its replicator ONLINE, or repoint the target at the master)",
                        n(through)
                    ),
                };
                format!("{} cannot be promoted: {why}", n(host))
            }
            Self::ReplicatorStopped { host, install: i } => format!("the {} on {} is not running: start it first", install(i), n(host)),
            Self::ReplicatorState { host, install: i, found, ref expected } => format!(
                "the {} on {} is {found}: expected {}",
                install(i),
                n(host),
                naming(host, expected)
            ),
            Self::OtherExtractor { host, extractor } => format!(
                "{} already extracts as master: a second extractor on {} would fork the history; take {}'s replicator offline first",
                n(extractor),
                n(host),
                n(extractor)
            ),
            Self::ReplicatorRole { host, found, ref expected } => format!(
                "the replicator on {} is a {found}: expected {}",
                n(host),
                naming(host, expected)
            ),
            Self::RelaySource { host, source, master } => {
                let site = s(topology.host(master).service);
                format!(
                    "{} is out of {site}'s service: its managers hold {} as the master; relay {} from {site}/{}",
                    n(source),
                    n(master),
                    n(host),
                    n(master)
                )
            }
            Self::ServesSlaves { host, slave } => format!(
                "{} replicates from {}: this would cut it off from its master or rewrite the history it reads; repoint {} or take its replicator offline first",
                n(slave),
                n(host),
                n(slave)
            ),
            Self::HiddenMaster { host, master } => format!(
                "{} is still a master (not shunned nor failed) and cannot be reached: it may be extracting beyond a partition; shun or fail {} before {} extracts",
                n(master),
                n(master),
                n(host)
            ),
            Self::ProvisionFromSelf { host } => format!("{} cannot be provisioned from itself: give another --source", n(host)),
            Self::NotADatasource { host } => format!("{} holds no data (a witness or connector host): expected a datasource", n(host)),
            Self::NoCrossSite { host } => format!("{} has no cross-site replicator install", n(host)),
            Self::NoChange { host, ref already } => match host {
                Some(h) => format!("nothing to do: {} {}", n(h), naming(h, already)),
                None => format!("nothing to do: {already}"),
            },
            Self::NotWritable { host } => format!(
                "{} takes no writes: it is not an ONLINE master reachable by a connector",
                n(host)
            ),
            Self::WouldBreak(v) => format!(
                "refused: once the managers react, {} (as seen from where the command runs)",
                v.describe(topology)
            ),
            Self::HistoryFull => "the model holds no more diverging lines of history: this sequence is beyond its capacity".to_owned(),
            Self::SeqnoRange { host } => format!(
                "{} holds seqno {}, the largest a replicator holds: no event can follow it, so the model takes no more writes there",
                n(host),
                crate::model::Seqno::MAX
            ),
            Self::HostDown { host } => format!("{} is down: restart it first", n(host)),
            Self::OtherService { host, session } => {
                let own = topology.host(host).service;
                format!(
                    "{} is a host of {}, not of {}, the service in use: `use {}` first",
                    n(host),
                    topology.service_name(own),
                    topology.service_name(session),
                    topology.service_name(own)
                )
            }
            Self::UnknownHost { host } => format!(
                "{host} is not a host of this topology, whose {} hosts are {}: resolve the command against the topology it runs on",
                topology.hosts().len(),
                list(topology.host_set())
            ),
            Self::UnknownService { service } => {
                let names: Vec<&str> = topology.services().iter().map(|sv| sv.name.as_str()).collect();
                format!(
                    "{service} is not a service of this topology, whose services are {}: resolve the command against the topology it runs on",
                    crate::text::series(&names, "and")
                )
            }
        }
    }
}

impl Rejection {
    /// The refusal in words (see [`Refusal::render`]). For a command typed at a composite
    /// (`use global`) whose remedy is a datasource's own command, it adds where that is
    /// typed: at the composite prompt cctrl takes a site's name there, not a datasource's (an
    /// independent review found `datasource db1 welcome` advised at `[global]`, which refuses
    /// it).
    ///
    /// Where the refusal is a site's master or relay out of service (shunned or OFFLINE),
    /// the remedy is the site-level command typed right there, `datasource <site> welcome`,
    /// `recover` or `online`, which cctrl applies to that datasource (Continuent docs
    /// *operations-composite*, the composite's operational scope; a review found the
    /// datasource-level remedy given there, with `switch` and `failover` advised for a site's
    /// relay, which at the composite prompt move the Active role instead).
    #[must_use]
    pub fn render(&self, topology: &Topology) -> String {
        let text = self.refusal.render(topology);
        let at_composite = matches!(
            self.input,
            Input::Cctrl {
                op: CctrlOp::SwitchSite(_)
                    | CctrlOp::FailoverSite(_)
                    | CctrlOp::RecoverSites
                    | CctrlOp::SiteDatasource(..),
                ..
            }
        );
        if let Some(remedy) = at_composite
            .then(|| self.site_level_remedy(topology))
            .flatten()
        {
            return remedy;
        }
        // Typed at the composite already: `recover` is typed right there (helper-93 F3).
        if let (true, Refusal::Superseded { composite, .. }) = (at_composite, &self.refusal) {
            let at = format!(
                "`use {}`, then `recover`,",
                topology.service_name(*composite)
            );
            return text.replace(&at, "`recover`, typed here,");
        }
        match at_composite.then(|| remedy_site(topology, &text)).flatten() {
            Some(site) => format!(
                "{text} (a datasource's own commands are typed at its site: `use {site}` first)"
            ),
            None => text,
        }
    }
}

impl Rejection {
    /// For a refusal at a composite whose cause is a site's master or relay shunned or
    /// OFFLINE: the refusal with the site-level command that brings it back.
    fn site_level_remedy(&self, topology: &Topology) -> Option<String> {
        // The route for a head that is lost (its host down), which the render cannot see:
        // the site-level command would be refused there (helper-95 F2).
        let (site, head, state, what, then) = match self.refusal {
            Refusal::NoMaster {
                service,
                held: Some((master, state)),
            } => (
                service,
                master,
                state,
                "master",
                format!(
                    "then run this command again; if {} is lost, `failover` here moves the Active role away from the site",
                    topology.host_name(master)
                ),
            ),
            // A failover replaces a lost site: with the master back, the planned move is
            // `switch`.
            Refusal::MasterOnline {
                service,
                master,
                state,
            } => (
                service,
                master,
                state,
                "master",
                "then `switch` for a planned change (a failover replaces a lost site, and this one is not lost)".to_owned(),
            ),
            Refusal::NoRelay {
                service,
                held: Some((relay, state)),
            } => (
                service,
                relay,
                state,
                "relay",
                // `datasource <ds> fail` takes an ONLINE or OFFLINE datasource only, so the
                // lost relay's route is named for an OFFLINE one alone.
                if state == DsState::Offline {
                    format!(
                        "then run this command again; if {r} is lost, `use {s}`, then `datasource {r} fail` and `failover` there move the relay role to a replica",
                        r = topology.host_name(relay),
                        s = topology.service_name(service)
                    )
                } else {
                    format!(
                        "then run this command again (that needs {}'s host up)",
                        topology.host_name(relay)
                    )
                },
            ),
            _ => return None,
        };
        let action = match (state, what) {
            (DsState::Shunned(_), "master") => "welcome",
            (DsState::Shunned(_), _) => "recover",
            (DsState::Offline, _) => "online",
            _ => return None,
        };
        let site = topology.service_name(site);
        Some(format!(
            "{site}'s {what}, {}, is {}: bring {site} back from here with `datasource {site} {action}` (at the composite it acts on the site's {what}), {then}",
            topology.host_name(head),
            state_text(topology, head, state)
        ))
    }
}

/// The site of the first datasource a refusal's remedy names in a cctrl command
/// (`` `datasource db4 online` ``), if any.
fn remedy_site<'t>(topology: &'t Topology, text: &str) -> Option<&'t crate::model::ServiceName> {
    ["`datasource ", "`replicator ", "`recover master using "]
        .into_iter()
        .filter_map(|command| {
            let at = text.find(command)? + command.len();
            let name = text.get(at..)?.split([' ', '`']).next()?;
            let host = topology.host_id(name)?;
            Some((at, topology.service_name(topology.host(host).service)))
        })
        .min_by_key(|&(at, _)| at)
        .map(|(_, site)| site)
}

impl std::fmt::Display for Rejection {
    /// The rule and the refusal's data, hosts as ids (``refused by rule `manager-running`:
    /// NoManager { host: HostId(0) } (hosts as ids: `Rejection::render` names them)``);
    /// [`Rejection::render`] names them. A rejection holds no topology, so `?` into a boxed
    /// error shows this; the note says where the words are (a library user's review found
    /// the bare `Debug` text a trap). [`crate::machine::apply_all`]'s error carries the
    /// rendered text.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "refused by rule `{}`: {:?} (hosts as ids: `Rejection::render` names them)",
            self.refusal.rule(),
            self.refusal
        )
    }
}

impl std::error::Error for Rejection {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hosts a refusal names read as a list: one alone, two joined by "and", more with
    /// commas.
    #[test]
    fn a_refusal_names_its_hosts_as_a_list() {
        let t = Topology::single("alpha", &["db1", "db2", "db3", "db4", "db5"]).unwrap();
        let id = |h: &str| t.host_id(h).unwrap();
        let refusal = |hosts: &[&str]| {
            Refusal::NoQuorum {
                service: t.service_id("alpha").unwrap(),
                manager: id("db1"),
                members: 2,
                majority: 3,
                unreachable: HostSet::of(hosts.iter().map(|h| id(h))),
            }
            .render(&t)
        };
        let named = |hosts: &[&str]| {
            let text = refusal(hosts);
            let from = text.find("confirm that ").unwrap() + "confirm that ".len();
            let to = text.find(" rather than").unwrap();
            text[from..to].to_owned()
        };
        assert_eq!(named(&["db3"]), "db3 is down");
        assert_eq!(named(&["db3", "db5"]), "db3 and db5 are down");
        assert_eq!(named(&["db2", "db3", "db5"]), "db2, db3 and db5 are down");
    }

    /// Without a topology at hand, a rejection prints its rule and the refusal's data.
    #[test]
    fn a_rejection_prints_its_rule() {
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let db1 = t.host_id("db1").unwrap();
        let rejection = Rejection {
            input: crate::machine::Input::Cctrl {
                at: db1,
                op: crate::machine::CctrlOp::Recover,
            },
            refusal: Refusal::NoManager { host: db1 },
        };
        insta::assert_snapshot!(rejection.to_string(), @"refused by rule `manager-running`: NoManager { host: HostId(0) } (hosts as ids: `Rejection::render` names them)");
        assert_eq!(
            rejection.render(&t),
            "no manager runs on db1: start it, or type the command into a running manager"
        );
    }
}
