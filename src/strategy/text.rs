//! Strategies for what operators type: cctrl, trepctl and host commands, and whole runbooks.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use super::listing::{host_name, service_name};
use crate::command::{
    CctrlCommand, CctrlInfo, CctrlMode, DatasourceAction, HostAction, HostCommand, HostRef,
    Lifecycle, OnlineOptions, OnlineProvision, OptionValue, Provisioner, RelaySource,
    ReplicatorAction, ResetScope, Retry, RouterTarget, SelectorRole, SeqnoSet, StopPoint, StopTime,
    ThlUri, TpmAction, TrepctlAction, TrepctlCommand, TrepctlInfo, Unit, WaitFor,
};
use crate::fault::{Event, Process};
use crate::model::{HostName, PolicyMode, ReplicatorRole, ReplicatorState, Seqno, ServiceName};
use crate::runbook::{
    Declaration, Declared, Goal, Item, Prompt, PromptStyle, Runbook, SCENARIOS, Step, StepCommand,
};
use strum::VariantArray;

fn datasource_action() -> impl Strategy<Value = DatasourceAction> {
    prop_oneof![
        Just(DatasourceAction::Online),
        Just(DatasourceAction::Offline),
        Just(DatasourceAction::Shun),
        Just(DatasourceAction::Welcome),
        Just(DatasourceAction::Recover),
        Just(DatasourceAction::Fail),
        Just(DatasourceAction::Slave),
        Just(DatasourceAction::Master),
        Just(DatasourceAction::Relay),
        Just(DatasourceAction::Restore),
        Just(DatasourceAction::Backup),
        option::of(0_u32..3600).prop_map(DatasourceAction::Drain),
    ]
}

fn replicator_action() -> impl Strategy<Value = ReplicatorAction> {
    prop_oneof![
        Just(ReplicatorAction::Online),
        Just(ReplicatorAction::Offline),
        Just(ReplicatorAction::Master),
        option::of(host_name()).prop_map(ReplicatorAction::Slave),
        option::of(
            (option::of(service_name()), host_name())
                .prop_map(|(service, host)| { RelaySource { service, host } })
        )
        .prop_map(ReplicatorAction::Relay),
        Just(ReplicatorAction::Start),
        Just(ReplicatorAction::Stop),
        Just(ReplicatorAction::Restart),
        Just(ReplicatorAction::Status),
    ]
}

/// The documented cctrl commands the model reads but does not know the effect of.
fn cctrl_not_modelled() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec!["cluster offline", "cluster online", "cd .."]).prop_map(str::to_owned),
        option::of((host_name(), option::of((1_u32..100, 1_u32..1000)))).prop_map(|table| {
            match table {
                None => "cluster check".to_owned(),
                Some((t, None)) => format!("cluster check accounting.{t}"),
                Some((t, Some((from, rows)))) => {
                    format!("cluster check accounting.{t} -limit {from},{rows}")
                }
            }
        }),
        (
            host_name(),
            select(vec!["mysql", "replicator", "connector"]),
            select(vec!["start", "stop", "restart"])
        )
            .prop_map(|(h, component, action)| format!("service {h}/{component} {action}")),
        service_name().prop_map(|s| format!("create composite {s}")),
    ]
}

fn policy() -> impl Strategy<Value = PolicyMode> {
    select(vec![
        PolicyMode::Automatic,
        PolicyMode::Manual,
        PolicyMode::Maintenance,
    ])
}

/// The words of `ls`, `ping` and `help`: none, or a few as operators type them.
fn printed_words() -> impl Strategy<Value = String> {
    select(vec!["", "-l", "db2", "-l db2", "resources", "datasource"]).prop_map(str::to_owned)
}

/// Every cctrl command, with generated names.
pub fn cctrl_command() -> impl Strategy<Value = CctrlCommand> {
    prop_oneof![
        policy().prop_map(CctrlCommand::SetPolicy),
        any::<bool>().prop_map(CctrlCommand::SetForce),
        host_name().prop_map(CctrlCommand::SetMaster),
        (host_name(), datasource_action())
            .prop_map(|(host, action)| CctrlCommand::Datasource { host, action }),
        (host_name(), any::<bool>())
            .prop_map(|(host, long)| CctrlCommand::DatasourceConnections { host, long }),
        (host_name(), replicator_action())
            .prop_map(|(host, action)| CctrlCommand::Replicator { host, action }),
        (
            prop_oneof![
                Just(RouterTarget::All),
                host_name().prop_map(RouterTarget::Host)
            ],
            any::<bool>()
        )
            .prop_map(|(target, online)| CctrlCommand::Router { target, online }),
        Just(CctrlCommand::Recover),
        host_name().prop_map(CctrlCommand::RecoverMasterUsing),
        option::of(host_name()).prop_map(|to| CctrlCommand::Switch { to }),
        option::of(host_name()).prop_map(|to| CctrlCommand::Failover { to }),
        Just(CctrlCommand::ClusterHeartbeat),
        Just(CctrlCommand::ClusterFlush),
        cctrl_not_modelled().prop_map(CctrlCommand::NotModelled),
        service_name().prop_map(CctrlCommand::Use),
        printed_words().prop_map(CctrlCommand::Ls),
        Just(CctrlCommand::Expert),
        Just(CctrlCommand::Physical),
        prop_oneof![
            Just(CctrlInfo::Members),
            printed_words().prop_map(CctrlInfo::Ping),
            Just(CctrlInfo::ShowTopology),
            Just(CctrlInfo::ClusterValidate),
            Just(CctrlInfo::ClusterTopologyValidate),
            printed_words().prop_map(CctrlInfo::Help),
            Just(CctrlInfo::Admin),
            Just(CctrlInfo::Quit),
        ]
        .prop_map(CctrlCommand::Info),
    ]
}

/// Every trepctl command, with generated names.
pub fn trepctl_command() -> impl Strategy<Value = TrepctlCommand> {
    let scope = option::of(select(vec![
        ResetScope::All,
        ResetScope::Thl,
        ResetScope::Relay,
        ResetScope::Db,
    ]));
    let action = prop_oneof![
        online_options().prop_map(|o| TrepctlAction::Online(Box::new(o))),
        (any::<bool>(), any::<bool>()).prop_map(|(all_services, immediate)| {
            TrepctlAction::Offline {
                all_services,
                immediate,
            }
        }),
        option::of(stop_point()).prop_map(|at| TrepctlAction::OfflineDeferred { at }),
        (any::<bool>(), scope)
            .prop_map(|(confirmed, scope)| TrepctlAction::Reset { confirmed, scope }),
        (
            select(ReplicatorRole::ALL.to_vec()),
            option::of(
                (host_name(), option::of(1_u16..65535))
                    .prop_map(|(host, port)| ThlUri { host, port })
            )
        )
            .prop_map(|(role, uri)| TrepctlAction::SetRole { role, uri }),
        (option::of(option_value()), any::<bool>())
            .prop_map(|(name, json)| TrepctlAction::Status { name, json }),
        option::of(any::<u32>()).prop_map(|limit| TrepctlAction::Flush { limit }),
        (option::of(option_value()), option::of(option_value()))
            .prop_map(|(name, tz)| TrepctlAction::Heartbeat { name, tz }),
        (any::<bool>(), any::<bool>())
            .prop_map(|(full, json)| TrepctlAction::Services { full, json }),
        (
            prop_oneof![
                select(
                    ReplicatorState::VARIANTS
                        .iter()
                        .copied()
                        .filter(|s| !s.is_manager_summary())
                        .collect::<Vec<_>>()
                )
                .prop_map(WaitFor::State),
                seqno().prop_map(WaitFor::Applied),
            ],
            option::of(any::<u32>())
        )
            .prop_map(|(until, limit)| TrepctlAction::Wait { until, limit }),
        select(TrepctlInfo::VARIANTS).prop_map(TrepctlAction::Info),
    ];
    (
        option::of(host_name()),
        option::of(any::<u16>()),
        option::of(prop_oneof![
            Just(Retry::Default),
            any::<u32>().prop_map(Retry::Seconds)
        ]),
        option::of(service_name()),
        any::<bool>(),
        action,
    )
        .prop_map(
            |(host, port, retry, service, verbose, action)| TrepctlCommand {
                host,
                port,
                retry,
                service,
                verbose,
                action,
            },
        )
        .boxed()
}

/// `trepctl online`'s options, each present or not.
fn online_options() -> impl Strategy<Value = OnlineOptions> {
    let skip = vec((0_u32..1000, 0_u32..5), 1..4).prop_filter_map(
        "a set holds at least one range, none backwards",
        |parts| {
            let ranges = parts
                .into_iter()
                .map(|(lo, len)| (Seqno::from(lo), Seqno::from(lo + len)))
                .collect();
            SeqnoSet::new(ranges).ok()
        },
    );
    (
        (any::<bool>(), any::<bool>(), any::<bool>()),
        option::of(option::of(option_value()).prop_map(|scn| OnlineProvision { scn })),
        option::of(skip),
        // Where replication restarts: `-from-event` or `-base-seqno`, never both (trepctl
        // refuses the pair, and so does the parser; `-provision <event>` below likewise).
        prop_oneof![
            Just((None, None)),
            event_id().prop_map(|e| (Some(e), None)),
            seqno().prop_map(|n| (None, Some(n))),
        ],
        option::of(stop_point()),
    )
        .prop_map(
            |(
                (force, all_services, no_checksum),
                provision,
                skip_seqno,
                (from_event, base_seqno),
                until,
            )| {
                OnlineOptions {
                    force,
                    all_services,
                    skip_seqno,
                    from_event,
                    base_seqno,
                    no_checksum,
                    // `-provision <event>` is a restart point too: not with `-base-seqno`.
                    provision: provision.map(|p| match base_seqno {
                        Some(_) => OnlineProvision { scn: None },
                        None => p,
                    }),
                    until,
                }
            },
        )
        .boxed()
}

/// Any seqno, weighted to the edges: small ones, any up to [`Seqno::MAX`], and the largest
/// itself.
pub fn seqno() -> impl Strategy<Value = Seqno> {
    prop_oneof![
        (0_u32..1000).prop_map(Seqno::from),
        (0..=Seqno::MAX.get()).prop_filter_map("at most Seqno::MAX", Seqno::new),
        Just(Seqno::MAX),
    ]
}

/// Where a replicator is to go offline.
fn stop_point() -> impl Strategy<Value = StopPoint> {
    prop_oneof![
        seqno().prop_map(StopPoint::Seqno),
        event_id().prop_map(StopPoint::Event),
        option::of(option_value()).prop_map(StopPoint::Heartbeat),
        (
            2000_u32..2100,
            1_u32..13,
            1_u32..29,
            0_u32..24,
            0_u32..60,
            0_u32..60
        )
            .prop_filter_map("a time as YYYY-MM-DD_hh:mm:ss", |(y, mo, d, h, mi, s)| {
                StopTime::new(format!("{y:04}-{mo:02}-{d:02}_{h:02}:{mi:02}:{s:02}"))
                    .ok()
                    .map(StopPoint::Time)
            }),
    ]
    .boxed()
}

/// A native event id as trepctl prints them (`mysql-bin.000004:0000000000000412;0`), or any
/// other option value.
fn event_id() -> impl Strategy<Value = OptionValue> {
    prop_oneof![
        3 => "[a-z][a-z0-9-]{0,8}\\.[0-9]{6}:[0-9]{16};-?[0-9]{1,3}"
            .prop_filter_map("an event id is an option value", |e| OptionValue::new(e).ok()),
        1 => option_value(),
    ]
}

/// Any value of a trepctl option ([`OptionValue`]): mostly names as the docs write them
/// (`stages`, `UTC`), and any printable word the rule admits, drawn from text that holds
/// blanks, dashes and shell syntax so that the round-trip properties test the rule itself.
pub fn option_value() -> impl Strategy<Value = OptionValue> {
    prop_oneof![
        3 => "[a-z][a-z0-9_]{0,10}",
        1 => "\\PC{1,8}",
        2 => vec(
            select(&[
                "a", "-", ";", "|", "&", "`", "$(", ")", "\\", " ", "#", "'", "\"", "**", ">",
                "\u{e9}", "\u{a0}", "=",
            ][..]),
            1..6,
        )
        .prop_map(|parts| parts.concat()),
    ]
    .prop_filter_map("an option value", |s| OptionValue::new(s).ok())
}

/// A host or a selector on a site.
pub fn host_ref() -> impl Strategy<Value = HostRef> {
    prop_oneof![
        host_name().prop_map(HostRef::Host),
        (
            service_name(),
            prop_oneof![
                Just(SelectorRole::Master),
                Just(SelectorRole::Slave),
                (1_u8..9).prop_map(SelectorRole::SlaveN)
            ]
        )
            .prop_map(|(site, role)| HostRef::Selector { site, role }),
    ]
}

/// `tprovision` or `tungsten_provision_slave` with a source, maybe `--direct`, and options the
/// model reads past.
fn provision() -> impl Strategy<Value = (&'static str, HostAction)> {
    (
        host_ref(),
        any::<bool>(),
        any::<bool>(),
        vec(
            select(vec![
                "--xtrabackup",
                "--mysqldump",
                "-m xtrabackup",
                "--method=mysqldump",
                "-t 8",
                "--offline",
            ]),
            0..3,
        ),
    )
        .prop_map(|(source, direct, t, options)| {
            let (exe, tool) = if t {
                (
                    "tungsten-replicator/scripts/tprovision",
                    Provisioner::Tprovision,
                )
            } else {
                (
                    "tungsten-replicator/scripts/tungsten_provision_slave",
                    Provisioner::ProvisionSlave,
                )
            };
            (
                exe,
                HostAction::Provision {
                    tool,
                    source,
                    direct,
                    options: options.into_iter().map(str::to_owned).collect(),
                },
            )
        })
}

/// The tools that only read and print.
fn inspection() -> impl Strategy<Value = HostCommand> {
    prop_oneof![
        "thl( -service alpha)? (list|info|index|tail)( -low [0-9]{1,3})?",
        "tungsten_find_orphaned( -q| -e [0-9]{1,4})?",
        "(tpm purge-thl|tungsten_purge_thl)( alpha)?",
        "tpm query (role|staging|version)",
        "check_tungsten_(latency -w 1 -c 2|services -r -c|online|policy)",
    ]
    .prop_map(|text| {
        let executable = text.split(' ').next().unwrap_or("").to_owned();
        HostCommand {
            executable,
            action: HostAction::Inspect(text),
        }
    })
}

/// Every host command, under both install roots or as a bare name.
pub fn host_command() -> impl Strategy<Value = HostCommand> {
    let root = select(vec![
        "",
        "/opt/continuent/tungsten/",
        "/opt/replicator/tungsten/",
    ]);
    let lifecycle = select(vec![Lifecycle::Start, Lifecycle::Stop, Lifecycle::Restart]);
    let action = prop_oneof![
        Just(("cluster-home/bin/startall", HostAction::StartAll)),
        Just(("cluster-home/bin/stopall", HostAction::StopAll)),
        lifecycle
            .clone()
            .prop_map(|l| ("tungsten-manager/bin/manager", HostAction::Manager(l))),
        lifecycle.clone().prop_map(|l| (
            "tungsten-replicator/bin/replicator",
            HostAction::Replicator(l)
        )),
        any::<bool>().prop_map(|restart| (
            "tungsten-replicator/bin/replicator",
            HostAction::ReplicatorStartOffline { restart }
        )),
        lifecycle.prop_map(|l| ("tungsten-connector/bin/connector", HostAction::Connector(l))),
        (proptest::option::of(any::<u32>()), any::<bool>()).prop_map(|(seconds, drain)| (
            "tungsten-connector/bin/connector",
            HostAction::ConnectorGracefulStop { seconds, drain }
        )),
        provision(),
        (
            select(vec![
                TpmAction::Validate,
                TpmAction::Update,
                TpmAction::Reset
            ]),
            // Words tpm takes after its verb; a manager policy property reads as not
            // modelled, so none is drawn here.
            vec(
                select(vec![
                    "alpha",
                    "--replace-release",
                    "--no-connectors",
                    "-i",
                    "--hosts=db1,db2",
                    "--property=replicator.filter.pkey.addColumnsToDeletes=true",
                ])
                .prop_map(str::to_owned),
                0..3
            )
        )
            .prop_map(|(action, args)| ("tools/tpm", HostAction::Tpm { action, args })),
        trepctl_command().prop_map(|c| ("tungsten-replicator/bin/trepctl", HostAction::Trepctl(c))),
        (
            cctrl_command(),
            proptest::sample::subsequence(vec![CctrlMode::Expert, CctrlMode::Multi], 0..=2)
        )
            .prop_map(|(command, modes)| (
                "tungsten-manager/bin/cctrl",
                HostAction::Cctrl { command, modes }
            )),
    ];
    let known = (root, action).prop_map(|(root, (path, action))| {
        let executable = if root.is_empty() {
            path.rsplit('/').next().unwrap_or(path).to_owned()
        } else {
            format!("{root}{path}")
        };
        HostCommand { executable, action }
    });
    let unknown = prop_oneof![
        "(mysql|cp|vi|tar) [a-z]{1,8}( [a-z]{1,6}){0,2}",
        // What `systemctl` and `service` do beyond starting and stopping a known unit.
        "(sudo )?systemctl (status|enable|reload) (mysqld|tmanager|[a-z]{1,8})",
        "(sudo )?(systemctl start|service) (nginx|sshd)( start)?",
        "sudo (deployall|ls|trepctl status)",
    ]
    .prop_map(|text| {
        let executable = text.split(' ').next().unwrap_or("").to_owned();
        HostCommand {
            executable,
            action: HostAction::NotModelled(text),
        }
    });
    // The cross-site install's tools by executable prefix, bare or under their own root.
    let prefixed = (
        select(vec![
            "",
            "/opt/replicator/tungsten/tungsten-replicator/bin/",
        ]),
        prop_oneof![
            trepctl_command().prop_map(|c| ("mm_trepctl", HostAction::Trepctl(c))),
            select(vec![Lifecycle::Start, Lifecycle::Stop, Lifecycle::Restart])
                .prop_map(|l| ("mm_replicator", HostAction::Replicator(l))),
            any::<bool>().prop_map(|restart| (
                "mm_replicator",
                HostAction::ReplicatorStartOffline { restart }
            )),
        ],
    )
        .prop_map(|(dir, (tool, action))| HostCommand {
            executable: format!("{dir}{tool}"),
            action,
        });
    prop_oneof![8 => known, 1 => prefixed, 1 => system_command(), 1 => inspection(), 1 => unknown]
}

/// The system services the model knows, by `systemctl` or `service`, with `sudo` or not.
fn system_command() -> impl Strategy<Value = HostCommand> {
    (
        select(vec![
            ("tmanager", Unit::Manager),
            ("treplicator.service", Unit::Replicator),
            ("tconnector", Unit::Connector),
            ("mysqld", Unit::DataServer),
            ("mysql", Unit::DataServer),
            ("mariadb.service", Unit::DataServer),
        ]),
        select(vec![Lifecycle::Start, Lifecycle::Stop, Lifecycle::Restart]),
        select(vec![
            "systemctl",
            "service",
            "/usr/bin/systemctl",
            "/sbin/service",
        ]),
        any::<bool>(),
    )
        .prop_map(|((name, unit), lifecycle, tool, sudo)| HostCommand {
            executable: tool.to_owned(),
            action: HostAction::System {
                unit,
                name: name.to_owned(),
                lifecycle,
                sudo,
            },
        })
}

/// A word of the goal grammar (`writable`, `master`), as a host or service name: a goal prints
/// such a name in double quotes so that it reads back as a name.
fn goal_word() -> impl Strategy<Value = &'static str> {
    select(crate::runbook::goal::WORDS.to_vec())
}

fn goal() -> impl Strategy<Value = Goal> {
    let host = || {
        prop_oneof![
            3 => host_name(),
            1 => goal_word().prop_filter_map("valid host name", |w| HostName::new(w).ok()),
        ]
    };
    let service = || {
        prop_oneof![
            3 => service_name(),
            1 => goal_word().prop_filter_map("valid service name", |w| ServiceName::new(w).ok()),
        ]
    };
    let svc = || option::of(service());
    prop_oneof![
        svc().prop_map(Goal::AllOnline),
        (svc(), policy()).prop_map(|(s, p)| Goal::Policy(s, p)),
        svc().prop_map(Goal::RoutersOnline),
        Just(Goal::CrossSiteOnline),
        (service(), service()).prop_map(|(a, b)| Goal::Consistent(a, b)),
        svc().prop_map(Goal::Writable),
        host().prop_map(Goal::Master),
        svc().prop_map(Goal::NoDrift),
        host().prop_map(Goal::Online),
    ]
}

fn declaration() -> impl Strategy<Value = Declaration> {
    let scenarios: Vec<String> = SCENARIOS.iter().map(|(n, _)| (*n).to_owned()).collect();
    prop_oneof![
        select(scenarios).prop_map(Declaration::Scenario),
        vec(host_name(), 1..3).prop_map(Declaration::AssumeDown),
        vec(goal(), 1..4).prop_map(Declaration::Goal),
        any::<bool>().prop_map(Declaration::Settle),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let cctrl = (
        option::of(service_name()),
        select(vec![
            PromptStyle::Logical,
            PromptStyle::Expert,
            PromptStyle::Cctrl,
        ]),
        cctrl_command(),
    )
        .prop_map(|(service, style, command)| Step {
            line: 0,
            prompt: Prompt::Cctrl { service, style },
            command: StepCommand::Cctrl(command),
        });
    let shell = (host_ref(), host_command()).prop_map(|(target, command)| Step {
        line: 0,
        prompt: Prompt::Shell { target },
        command: StepCommand::Host(command),
    });
    let event = event().prop_map(|event| Step {
        line: 0,
        prompt: Prompt::Event,
        command: StepCommand::Event(event),
    });
    prop_oneof![4 => cctrl, 4 => shell, 1 => event]
}

/// The events of `event>` steps, over any host names.
fn event() -> impl Strategy<Value = Event> {
    let process = select(vec![
        Process::Manager,
        Process::Replicator,
        Process::Connector,
        Process::DataServer,
    ]);
    prop_oneof![
        host_name().prop_map(Event::Crash),
        host_name().prop_map(Event::Restart),
        (host_name(), process.clone()).prop_map(|(h, p)| Event::Stop(h, p)),
        (host_name(), process).prop_map(|(h, p)| Event::Start(h, p)),
        host_name().prop_map(Event::ReplicatorError),
        vec(vec(host_name(), 1..3), 1..4).prop_map(Event::Partition),
        Just(Event::Heal),
        host_name().prop_map(Event::Write),
        host_name().prop_map(Event::Drift),
        host_name().prop_map(Event::CatchUp),
        host_name().prop_map(Event::CrossSiteCatchUp),
    ]
}

/// Whole runbooks: declarations, steps in every prompt notation, and prose notes.
pub fn runbook() -> impl Strategy<Value = Runbook> {
    let note =
        "[A-Z][a-z]{2,9}( [a-z]{1,8}){0,5}[.:]?".prop_map(|text| Item::Note { line: 0, text });
    (
        vec(declaration(), 0..4),
        vec(
            prop_oneof![4 => step().prop_map(Item::Step), 1 => note],
            0..12,
        ),
    )
        .prop_map(|(mut declarations, items)| {
            // One start and one `settle` per runbook: a second of either is a parse error.
            let (mut scenario, mut settle) = (false, false);
            declarations.retain(|d| match d {
                Declaration::Scenario(_) => !std::mem::replace(&mut scenario, true),
                Declaration::Settle(_) => !std::mem::replace(&mut settle, true),
                _ => true,
            });
            Runbook {
                declarations: declarations.into_iter().map(Declared::from).collect(),
                items,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::draws::draws;

    /// `trepctl online -skip-seqno` is drawn with ranges (`5-7`) as well as single seqnos.
    #[test]
    fn skip_seqno_sets_hold_ranges_and_single_seqnos() {
        let (mut range, mut single) = (false, false);
        for options in draws(&online_options(), 500) {
            for part in options.skip_seqno.iter().flat_map(|set| {
                set.to_string()
                    .split(',')
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            }) {
                match part.split_once('-') {
                    Some((lo, hi)) => {
                        assert!(lo.parse::<u64>().unwrap() < hi.parse::<u64>().unwrap());
                        range = true;
                    }
                    None => single = true,
                }
            }
        }
        assert!(range && single);
    }
}
