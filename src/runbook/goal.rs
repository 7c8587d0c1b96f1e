//! Goals: what must hold once a runbook has run.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ls::default_viewer;
use crate::machine::invariant::writable_masters;
use crate::model::{
    DsState, HostId, HostName, PolicyMode, ReplicatorRole, ServiceId, ServiceKind, ServiceName,
    State, Topology,
};
use crate::text::{ParseError, Span};

/// A predicate on the final state.
///
/// Printed and read as a runbook's `#! goal` line writes it (`alpha all-online`, `master
/// db2`). A host or service named exactly like a word of that grammar (`all-online`,
/// `routers-online`, `cross-site-online`, `consistent-with`, `writable`, `no-drift`,
/// `master`, `online`, `policy`) is printed in double quotes, and a word in double quotes
/// always reads as a name, never as a goal word: `master "writable"` is the goal on a host
/// called `writable`, while `master writable` is `writable` of a service called `master`.
/// Any name may be written quoted; names never hold a quote themselves.
///
/// ```
/// use tungsten_model::model::HostName;
/// use tungsten_model::runbook::Goal;
///
/// let goal = Goal::Master(HostName::new("all-online")?);
/// assert_eq!(goal.to_string(), r#"master "all-online""#);
/// assert_eq!(goal.to_string().parse::<Goal>()?, goal);
/// assert_eq!("master \"db2\"".parse::<Goal>()?, Goal::Master(HostName::new("db2")?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Goal {
    /// `[<svc>] all-online`: every datasource ONLINE, as the service's managers see it, with
    /// its replicator ONLINE (a datasource whose replicator stopped in `OFFLINE:ERROR` can stay
    /// ONLINE in the managers' view, and replicates nothing).
    AllOnline(Option<ServiceName>),
    /// `[<svc>] policy <mode>`.
    Policy(Option<ServiceName>, PolicyMode),
    /// `[<svc>] routers-online`: every connector running and routing.
    RoutersOnline(Option<ServiceName>),
    /// `cross-site-online`: every cross-site replicator running and online.
    CrossSiteOnline,
    /// `<site> consistent-with <site>`: neither site's datasources have drifted, and the
    /// first site's cross-site replicators hold only the second site's history.
    Consistent(ServiceName, ServiceName),
    /// `[<svc>] writable`: exactly one writable master.
    Writable(Option<ServiceName>),
    /// `master <host>`: that host is its service's writable master.
    Master(HostName),
    /// `[<svc>] no-drift`: no datasource has drifted.
    NoDrift(Option<ServiceName>),
    /// `online <host>`: that datasource is ONLINE, as its service's managers see it.
    Online(HostName),
}

/// Whether a goal holds, and why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GoalResult {
    /// The goal.
    pub goal: Goal,
    /// Whether it holds.
    pub met: bool,
    /// What falls short, when it does not.
    pub detail: String,
    /// The line of the `#! goal` declaring it: 0 for a goal made in code (a library user's
    /// review found an unmet goal, an error, the one finding with no line).
    #[serde(default)]
    pub line: usize,
}

/// The words of the goal grammar, as `#! goal` lines spell them (case matters): a host or
/// service whose name is one of them is printed in double quotes.
pub(crate) const WORDS: [&str; 9] = [
    "all-online",
    "routers-online",
    "cross-site-online",
    "consistent-with",
    "writable",
    "no-drift",
    "master",
    "online",
    "policy",
];

/// A host or service name as a goal prints it: in double quotes when it is spelt like a goal
/// word, so that it reads back as a name.
struct Name<'a>(&'a str);

impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if WORDS.contains(&self.0) {
            write!(f, "\"{}\"", self.0)
        } else {
            f.write_str(self.0)
        }
    }
}

/// The name a goal's word holds: the word, or what its double quotes hold.
fn unquoted(word: &str) -> &str {
    word.strip_prefix('"')
        .and_then(|w| w.strip_suffix('"'))
        .unwrap_or(word)
}

fn prefix(f: &mut fmt::Formatter<'_>, service: Option<&ServiceName>) -> fmt::Result {
    match service {
        Some(s) => write!(f, "{} ", Name(s.as_str())),
        None => Ok(()),
    }
}

impl fmt::Display for Goal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AllOnline(s) => {
                prefix(f, s.as_ref())?;
                f.write_str("all-online")
            }
            Self::Policy(s, p) => {
                prefix(f, s.as_ref())?;
                write!(f, "policy {}", p.to_string().to_lowercase())
            }
            Self::RoutersOnline(s) => {
                prefix(f, s.as_ref())?;
                f.write_str("routers-online")
            }
            Self::CrossSiteOnline => f.write_str("cross-site-online"),
            Self::Consistent(a, b) => write!(
                f,
                "{} consistent-with {}",
                Name(a.as_str()),
                Name(b.as_str())
            ),
            Self::Writable(s) => {
                prefix(f, s.as_ref())?;
                f.write_str("writable")
            }
            Self::Master(h) => write!(f, "master {}", Name(h.as_str())),
            Self::NoDrift(s) => {
                prefix(f, s.as_ref())?;
                f.write_str("no-drift")
            }
            Self::Online(h) => write!(f, "online {}", Name(h.as_str())),
        }
    }
}

impl std::str::FromStr for Goal {
    type Err = ParseError;

    /// Read one goal as a runbook's `#! goal` line writes it (`alpha all-online`, `master
    /// db2`): what it prints reads back as itself, a name spelt like a goal word in double
    /// quotes included (see [`Goal`]).
    ///
    /// # Errors
    /// A [`ParseError`] at the first word that is not a goal, or at the second of two goals
    /// (`,` separates goals in a runbook, not here).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut goals = parse_goals(text, 0, 1)?;
        match (goals.pop(), goals.is_empty()) {
            (Some(goal), true) => Ok(goal),
            _ => {
                let at = text.find(',').unwrap_or(0);
                let column = text.get(..at).map_or(1, |p| p.chars().count() + 1);
                Err(ParseError::new(
                    Span::new(1, column, 1),
                    "one goal",
                    "`,` and another goal",
                    text,
                ))
            }
        }
    }
}

const GOALS: &str = "a goal (`online <host>`, `[svc] all-online`, `[svc] policy <mode>`, `[svc] routers-online`, `cross-site-online`, `<site> consistent-with <site>`, `[svc] writable`, `master <host>`, `[svc] no-drift`)";

/// Read the comma-separated goals at byte `start` of `line`.
pub(super) fn parse_goals(
    line: &str,
    start: usize,
    number: usize,
) -> Result<Vec<Goal>, ParseError> {
    let mut goals = Vec::new();
    let text = line.get(start..).unwrap_or("");
    let mut offset = start;
    for part in text.split(',') {
        let lead = part.len() - part.trim_start().len();
        let at = offset + lead;
        offset += part.len() + 1;
        let words: Vec<&str> = part.split_whitespace().collect();
        let fail = || {
            let column = line.get(..at).map_or(1, |p| p.chars().count() + 1);
            let found = if part.trim().is_empty() {
                "nothing".to_owned()
            } else {
                format!("`{}`", part.trim())
            };
            ParseError::new(
                Span::new(number, column, part.trim().chars().count().max(1)),
                GOALS,
                found,
                line,
            )
        };
        // A quoted word is a name, never a goal word: the patterns below hold goal words
        // unquoted, so `"writable"` matches none of them.
        let service = |w: &str| ServiceName::new(unquoted(w)).map_err(|_| fail());
        let host = |w: &str| HostName::new(unquoted(w)).map_err(|_| fail());
        let goal = match words.as_slice() {
            ["all-online"] => Goal::AllOnline(None),
            [s, "all-online"] => Goal::AllOnline(Some(service(s)?)),
            ["routers-online"] => Goal::RoutersOnline(None),
            [s, "routers-online"] => Goal::RoutersOnline(Some(service(s)?)),
            ["cross-site-online"] => Goal::CrossSiteOnline,
            [a, "consistent-with", b] => Goal::Consistent(service(a)?, service(b)?),
            ["writable"] => Goal::Writable(None),
            [s, "writable"] => Goal::Writable(Some(service(s)?)),
            ["no-drift"] => Goal::NoDrift(None),
            [s, "no-drift"] => Goal::NoDrift(Some(service(s)?)),
            ["master", h] => Goal::Master(host(h)?),
            ["online", h] => Goal::Online(host(h)?),
            ["policy", p] => Goal::Policy(None, p.parse().map_err(|_| fail())?),
            [s, "policy", p] => Goal::Policy(Some(service(s)?), p.parse().map_err(|_| fail())?),
            _ => return Err(fail()),
        };
        goals.push(goal);
    }
    Ok(goals)
}

/// The services a goal is about: the one named (a composite's members for a composite: it has
/// no datasources or managers of its own), or every physical service. An operator review
/// found `global all-online` judged "no manager of global runs".
fn services(topology: &Topology, service: Option<&ServiceName>) -> Result<Vec<ServiceId>, String> {
    match service {
        Some(s) => {
            let id = topology
                .service_id(s.as_str())
                .ok_or_else(|| format!("no service `{s}` in the topology"))?;
            Ok(match &topology.service(id).kind {
                ServiceKind::Composite { members } => members.clone(),
                ServiceKind::Physical => vec![id],
            })
        }
        None => Ok(topology.physical_services().collect()),
    }
}

fn names(topology: &Topology, hosts: &[HostId]) -> String {
    let names: Vec<&str> = hosts
        .iter()
        .map(|h| topology.host_name(*h).as_str())
        .collect();
    names.join(", ")
}

impl Goal {
    /// Whether the goal holds in `state`.
    #[must_use]
    pub fn evaluate(&self, topology: &Topology, state: &State) -> GoalResult {
        let detail = match self.check(topology, state) {
            Ok(()) => String::new(),
            Err(why) => why,
        };
        GoalResult {
            goal: self.clone(),
            met: detail.is_empty(),
            detail,
            line: 0,
        }
    }

    fn check(&self, topology: &Topology, state: &State) -> Result<(), String> {
        match self {
            Self::AllOnline(s) => all_online(topology, state, s.as_ref()),
            Self::Policy(s, mode) => policy(topology, state, s.as_ref(), *mode),
            Self::RoutersOnline(s) => routers_online(topology, state, s.as_ref()),
            Self::CrossSiteOnline => cross_site_online(topology, state),
            Self::Consistent(a, b) => consistent(topology, state, a, b),
            Self::Writable(s) => writable(topology, state, s.as_ref()),
            Self::Master(h) => master(topology, state, h),
            Self::Online(h) => online(topology, state, h),
            Self::NoDrift(s) => no_drift(topology, state, s.as_ref()),
        }
    }
}

fn viewer(topology: &Topology, state: &State, service: ServiceId) -> Result<HostId, String> {
    default_viewer(topology, state, service)
        .ok_or_else(|| format!("no manager of {} runs", topology.service_name(service)))
}

fn all_online(topology: &Topology, state: &State, s: Option<&ServiceName>) -> Result<(), String> {
    for service in services(topology, s)? {
        let v = viewer(topology, state, service)?;
        let off: Vec<_> = topology
            .datasources_of(service)
            .filter(|&d| state.view(v).entry(d).state != DsState::Online)
            .collect();
        if !off.is_empty() {
            return Err(format!("not ONLINE: {}", names(topology, &off)));
        }
        let stopped: Vec<_> = topology
            .datasources_of(service)
            .filter(|&d| !state.host(d).replicator.is_online())
            .collect();
        if !stopped.is_empty() {
            return Err(format!(
                "ONLINE, but not replicating (replicator not ONLINE): {}",
                names(topology, &stopped)
            ));
        }
        // A passive site's relay must read the active site's master: one reading a former
        // master replicates nothing new, its replicator ONLINE all the same (an operator
        // review found the goal met after a switch in the active site and its old master's
        // stop). The model does not repoint a relay by itself (Continuent docs
        // *operations-composite-relay-recovery* give the operator's steps).
        for d in topology.datasources_of(service) {
            let r = state.host(d).replicator;
            if let (ReplicatorRole::Relay, Some(source)) = (r.role, r.master) {
                let site = topology.host(source).service;
                let is_master = topology.hosts_of(site).any(|m| {
                    state.manager_running(m) && state.view(m).entry(source).is_online_master()
                });
                if site != service && !(is_master && state.host(source).replicator.is_online()) {
                    return Err(format!(
                        "ONLINE, but the relay {} reads {}, which is not {}'s ONLINE master",
                        topology.host_name(d),
                        topology.host_name(source),
                        topology.service_name(site)
                    ));
                }
            }
        }
    }
    Ok(())
}

fn policy(
    topology: &Topology,
    state: &State,
    s: Option<&ServiceName>,
    mode: PolicyMode,
) -> Result<(), String> {
    for service in services(topology, s)? {
        let policy = state.view(viewer(topology, state, service)?).policy;
        if policy != mode {
            return Err(format!("{} is in {policy}", topology.service_name(service)));
        }
    }
    Ok(())
}

fn routers_online(
    topology: &Topology,
    state: &State,
    s: Option<&ServiceName>,
) -> Result<(), String> {
    for service in services(topology, s)? {
        let off: Vec<_> = topology
            .hosts_of(service)
            .filter(|&h| topology.host(h).connector)
            .filter(|&h| {
                let c = state.host(h).connector;
                !(state.host(h).up && c.running && c.online)
            })
            .collect();
        if !off.is_empty() {
            return Err(format!("connectors not routing: {}", names(topology, &off)));
        }
    }
    Ok(())
}

fn cross_site_online(topology: &Topology, state: &State) -> Result<(), String> {
    let off: Vec<_> = topology
        .host_ids()
        .filter(|&h| topology.host(h).cross_site_from.is_some())
        .filter(|&h| {
            let x = state.host(h).cross_site;
            !(state.host(h).up && x.is_online())
        })
        .collect();
    if off.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "cross-site replicators not online: {}",
            names(topology, &off)
        ))
    }
}

fn consistent(
    topology: &Topology,
    state: &State,
    a: &ServiceName,
    b: &ServiceName,
) -> Result<(), String> {
    let site = |n: &ServiceName| {
        topology
            .service_id(n.as_str())
            .ok_or_else(|| format!("no site `{n}` in the topology"))
    };
    let (a, b) = (site(a)?, site(b)?);
    let drifted: Vec<_> = topology
        .datasources_of(a)
        .chain(topology.datasources_of(b))
        .filter(|&d| state.host(d).data.drift)
        .collect();
    if !drifted.is_empty() {
        return Err(format!("drifted data on {}", names(topology, &drifted)));
    }
    let source = topology
        .datasources_of(b)
        .map(|d| state.host(d).data.pos)
        .max_by_key(|p| p.map(|p| p.seqno))
        .flatten();
    let foreign: Vec<_> = topology
        .datasources_of(a)
        .filter(|&d| topology.host(d).cross_site_from == Some(b))
        .filter(|&d| {
            !state
                .history()
                .contains(source, state.host(d).cross_site.applied)
        })
        .collect();
    if foreign.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "cross-site replicators holding history {} lacks: {}",
            topology.service_name(b),
            names(topology, &foreign)
        ))
    }
}

/// One writable master in each service named, or in a composite named, one across its sites
/// (a composite is active/passive: one active site takes the writes).
fn writable(topology: &Topology, state: &State, s: Option<&ServiceName>) -> Result<(), String> {
    let all = topology.host_set();
    let across = |composite: ServiceId, members: &[ServiceId]| {
        let count: usize = members
            .iter()
            .map(|&m| writable_masters(topology, state, m, all).len())
            .sum();
        if count == 1 {
            Ok(())
        } else {
            Err(format!(
                "{} has {count} writable masters across its sites: expected 1, in its active site",
                topology.service_name(composite)
            ))
        }
    };
    let named = s.map(|n| services(topology, Some(n))).transpose()?;
    if let Some(name) = s
        && let Some(id) = topology.service_id(name.as_str())
        && let ServiceKind::Composite { members } = &topology.service(id).kind
    {
        return across(id, members);
    }
    // Unnamed: each site, a site of an active/passive composite counted with its composite
    // (its passive sites hold no master by design).
    if named.is_none() {
        for (composite, members) in topology.active_passive() {
            across(composite, members)?;
        }
    }
    let sites = named.unwrap_or_else(|| {
        topology
            .physical_services()
            .filter(|&p| topology.composite_of(p).is_none())
            .collect()
    });
    for service in sites {
        let writable = writable_masters(topology, state, service, all);
        if writable.len() != 1 {
            return Err(format!(
                "{} has {} writable masters",
                topology.service_name(service),
                writable.len()
            ));
        }
    }
    Ok(())
}

fn host_id(topology: &Topology, h: &HostName) -> Result<HostId, String> {
    topology
        .host_id(h.as_str())
        .ok_or_else(|| format!("no host `{h}`"))
}

fn master(topology: &Topology, state: &State, h: &HostName) -> Result<(), String> {
    let id = host_id(topology, h)?;
    let service = topology.host(id).service;
    if writable_masters(topology, state, service, topology.host_set()).contains(id) {
        Ok(())
    } else {
        Err(format!("{h} is not a writable master"))
    }
}

fn online(topology: &Topology, state: &State, h: &HostName) -> Result<(), String> {
    let id = host_id(topology, h)?;
    let v = viewer(topology, state, topology.host(id).service)?;
    match state.view(v).entry(id).state {
        DsState::Online => Ok(()),
        other => Err(format!(
            "{h} is {}",
            crate::ls::state_text(topology, id, other)
        )),
    }
}

fn no_drift(topology: &Topology, state: &State, s: Option<&ServiceName>) -> Result<(), String> {
    for service in services(topology, s)? {
        let drifted: Vec<_> = topology
            .datasources_of(service)
            .filter(|&d| state.host(d).data.drift)
            .collect();
        if !drifted.is_empty() {
            return Err(format!("drifted data on {}", names(topology, &drifted)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

    use super::*;
    use crate::fault::Fault;
    use crate::machine::{self, Input};

    /// Every goal over every host or service spelled like a word of the goal grammar (and
    /// those words in other cases, and a plain name) prints as text that reads back as the
    /// same goal, as `Goal::from_str` promises: `master all-online` would read back as
    /// `AllOnline(Some("master"))` (a library review, R1).
    #[test]
    fn goals_naming_hosts_or_services_like_goal_words_read_back() {
        // The grammar's words written out here, not read from `WORDS`: a word dropped from
        // that list (and so printed unquoted) must still be tried, and fail the assertion.
        let words = [
            "all-online",
            "routers-online",
            "cross-site-online",
            "consistent-with",
            "writable",
            "no-drift",
            "master",
            "online",
            "policy",
        ];
        assert_eq!(words, WORDS);
        let mut names: Vec<String> = vec!["db1".to_owned(), "alpha".to_owned()];
        for word in words {
            names.extend([word.to_owned(), word.to_uppercase()]);
        }
        let modes = <PolicyMode as strum::VariantArray>::VARIANTS;
        let mut goals = vec![
            Goal::AllOnline(None),
            Goal::RoutersOnline(None),
            Goal::CrossSiteOnline,
            Goal::Writable(None),
            Goal::NoDrift(None),
        ];
        goals.extend(modes.iter().map(|&m| Goal::Policy(None, m)));
        for name in &names {
            let host = HostName::new(name.as_str()).unwrap();
            let svc = ServiceName::new(name.as_str()).unwrap();
            goals.extend([
                Goal::Master(host.clone()),
                Goal::Online(host),
                Goal::AllOnline(Some(svc.clone())),
                Goal::RoutersOnline(Some(svc.clone())),
                Goal::Writable(Some(svc.clone())),
                Goal::NoDrift(Some(svc.clone())),
            ]);
            goals.extend(modes.iter().map(|&m| Goal::Policy(Some(svc.clone()), m)));
            for other in &names {
                let other = ServiceName::new(other.as_str()).unwrap();
                goals.push(Goal::Consistent(svc.clone(), other));
            }
        }
        let mut wrong = Vec::new();
        for goal in &goals {
            let text = goal.to_string();
            if text.parse::<Goal>().as_ref() != Ok(goal) {
                wrong.push(format!(
                    "{goal:?} prints `{text}`, read back as {:?}",
                    text.parse::<Goal>()
                ));
            }
        }
        assert!(
            wrong.is_empty(),
            "{} of {}:\n{}",
            wrong.len(),
            goals.len(),
            wrong.join("\n")
        );
    }

    /// A name in double quotes is a name, never a goal word, in every place a name stands;
    /// a quoted word where a goal word must stand, or an unclosed quote, is an error at the
    /// goal's column.
    #[test]
    fn a_quoted_name_is_a_name_never_a_goal_word() {
        let host = |n: &str| HostName::new(n).unwrap();
        let svc = |n: &str| ServiceName::new(n).unwrap();
        for (text, goal) in [
            (r#"master "writable""#, Goal::Master(host("writable"))),
            (r#"online "no-drift""#, Goal::Online(host("no-drift"))),
            (r#"master "db2""#, Goal::Master(host("db2"))),
            ("master writable", Goal::Writable(Some(svc("master")))),
            (r#""master" writable"#, Goal::Writable(Some(svc("master")))),
            (
                r#""policy" policy maintenance"#,
                Goal::Policy(Some(svc("policy")), PolicyMode::Maintenance),
            ),
            (
                r#"east consistent-with "consistent-with""#,
                Goal::Consistent(svc("east"), svc("consistent-with")),
            ),
        ] {
            assert_eq!(text.parse::<Goal>(), Ok(goal), "{text}");
        }
        for text in [
            r#""writable""#,
            r#"alpha "all-online""#,
            r#"master "db2"#,
            r#"master ""#,
            r#"master """#,
        ] {
            let error = text.parse::<Goal>().unwrap_err();
            assert_eq!(error.span().column, 1, "{text}: {error}");
            assert!(error.expected().starts_with("a goal"), "{text}: {error}");
        }
        // In a runbook's `#! goal` line too, the caret at the goal.
        let goals =
            parse_goals(r#"#! goal master "writable", alpha "writable""#, 8, 3).unwrap_err();
        assert_eq!((goals.span().line, goals.span().column), (3, 28));
        assert_eq!(
            parse_goals(r#"#! goal master "writable", "master" writable"#, 8, 3),
            Ok(vec![
                Goal::Master(host("writable")),
                Goal::Writable(Some(svc("master")))
            ])
        );
    }

    /// A site is consistent with another only while its cross-site replicators hold nothing
    /// but the other site's history: once east's replicator reading west holds an event of
    /// east's own (which west never had), the goal names it.
    #[test]
    fn consistency_names_a_cross_site_replicator_holding_foreign_events() {
        let t =
            Topology::multisite(&[("east", &["db1", "db2"]), ("west", &["db3", "db4"])]).unwrap();
        let db1 = t.host_id("db1").unwrap();
        let healthy = State::healthy(&t);
        let goal = Goal::Consistent(
            ServiceName::new("east").unwrap(),
            ServiceName::new("west").unwrap(),
        );
        assert!(goal.evaluate(&t, &healthy).met);
        let mut state = machine::apply(&t, &healthy, &Input::Fault(Fault::Write(db1)))
            .unwrap()
            .state;
        let own = state.host(db1).data.pos;
        assert!(own.is_some());
        state.host_mut(db1).cross_site.applied = own;
        let result = goal.evaluate(&t, &state);
        assert!(!result.met);
        assert_eq!(
            result.detail,
            "cross-site replicators holding history west lacks: db1"
        );
    }
}
