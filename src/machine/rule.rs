//! The rules a command can be refused by: a closed set, so that a tool matching on one is
//! checked by the compiler (a review found refusals matched by name, where a misspelt name
//! compiles and matches nothing, as [`super::FindingKind`] had been).

use serde::{Deserialize, Serialize};

/// The rule that refused a command: what [`crate::machine::Refusal::rule`] returns and
/// [`crate::runbook::RunStatus::Rejected`] holds.
///
/// Each rule has a stable kebab-case name (`one-online-master`), which reports print, the
/// JSON form of a report holds, [`Rule::as_str`] and `Display` give, and `FromStr` reads back.
/// The typed [`crate::machine::Refusal`] says more (which datasource, what was found); the rule
/// groups refusals by what they guard.
///
/// ```
/// use tungsten_model::machine::Rule;
///
/// let rule: Rule = "one-online-master".parse()?;
/// assert_eq!(rule, Rule::OneOnlineMaster);
/// assert_eq!(rule.to_string(), "one-online-master");
/// assert!("one-master".parse::<Rule>().is_err());
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
pub enum Rule {
    /// cctrl needs a running manager to connect to, of the service it acts on.
    ManagerRunning,
    /// A command that can put a datasource into service needs quorum (or `set force true`).
    Quorum,
    /// The datasource is not in a state the command acts on (`welcome` of an ONLINE one).
    DatasourceState,
    /// No second master goes ONLINE while one is ONLINE in the view.
    OneOnlineMaster,
    /// The command is one the managers take only under MAINTENANCE.
    Maintenance,
    /// The manager cannot reach the datasource, or the site, it would act on.
    Reachable,
    /// The datasource's dataserver is stopped.
    DataserverRunning,
    /// The command needs an ONLINE master in the service.
    MasterOnline,
    /// The command is not taken at a passive site of a composite.
    PassiveSite,
    /// The passive site has no relay in service.
    NoRelay,
    /// `failover` and `recover master using` need the master lost to the managers (FAILED),
    /// not ONLINE, held ONLINE out of their reach, or shunned by an operator.
    MasterFailed,
    /// The command belongs at the composite's prompt, or not there.
    CompositeSession,
    /// A composite switch or failover needs a site to go to.
    EligibleSite,
    /// `datasource <site> fail` at a composite while the site is in service: the model
    /// refuses it where Tungsten asks for confirmation.
    SiteInService,
    /// The site was superseded by a composite switch or failover.
    SupersededSite,
    /// A passive site has one relay in service.
    OneRelay,
    /// The command needs the passive site of a composite.
    RelaySite,
    /// `recover` refuses a datasource that holds events the master lacks.
    OrphanedEvents,
    /// A promotion needs a candidate.
    Candidate,
    /// The target named for a switch or failover cannot be promoted.
    EligibleTarget,
    /// The replicator is stopped.
    ReplicatorRunning,
    /// The replicator is not in a state the command acts on.
    ReplicatorState,
    /// Only the master extracts: no second master-role replicator goes online.
    SingleExtractor,
    /// The replicator's role does not allow the command.
    ReplicatorRole,
    /// A datasource is not provisioned from itself.
    ProvisionSource,
    /// Changing the role of, or resetting the THL of, a datasource that online slaves read
    /// from.
    ServesSlaves,
    /// A relay's source is held out of service at its site while another master is ONLINE
    /// there: a relay reads from the active site's master or one of its ONLINE replicas.
    RelaySource,
    /// A master the managers hold in service cannot be reached: no other master starts
    /// extracting until it is shunned or failed.
    HiddenMaster,
    /// The host named is not a datasource (a witness or connector host).
    Datasource,
    /// The command needs the cross-site replicator installed.
    CrossSiteInstall,
    /// What the command asks for is so already: a runbook reports such a step unchanged.
    NoChange,
    /// A write (or heartbeat) on a master that does not take writes.
    WritableMaster,
    /// The guard: the command would leave an invariant broken ([`crate::machine::Rules::guard`]).
    InvariantGuard,
    /// The model's fixed capacity for diverging histories is used up: a modelling limit, not
    /// Tungsten's.
    ModelCapacity,
    /// A write after the largest seqno the model holds: a modelling limit, not Tungsten's.
    SeqnoRange,
    /// The host is down.
    HostUp,
    /// The command names a datasource of another service than the session's.
    SessionService,
    /// The command names a host or service the topology lacks.
    InTopology,
    /// A runbook step at a prompt its command cannot be typed at (cctrl at a shell prompt,
    /// or the other way round).
    Prompt,
    /// A runbook's cctrl step names a service it cannot be typed into.
    Service,
    /// A runbook step's hosts or services cannot be resolved (a role no host holds, a site
    /// of several hosts where one is needed).
    Resolve,
}

impl Rule {
    /// Its stable kebab-case name (`one-online-master`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl crate::text::Named for Rule {
    const WHAT: &'static str = "a refusal rule";
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every rule's name reads back as the rule, in text and in JSON, no two rules share a
    /// name, and a misspelt one is an error listing them.
    #[test]
    fn every_rule_reads_back_from_its_name() {
        crate::text::assert_names_read_back::<Rule>();
        assert_eq!(Rule::DataserverRunning.as_str(), "dataserver-running");
        assert_eq!(Rule::InTopology.as_str(), "in-topology");
    }
}
