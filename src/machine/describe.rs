//! Inputs back to text: the command an operator would type (in the grammar the parsers read)
//! and where, or the fault in words. Used by the explorer's traces and by reports on plans
//! under faults.

use crate::command::{
    CctrlCommand, HostAction, HostCommand, HostRef, OnlineOptions, Provisioner, ReplicatorAction,
    RouterTarget, SeqnoSet, ThlUri, TrepctlAction, TrepctlCommand, Unit, WaitFor,
};
use crate::fault::Fault;
use crate::model::{HostId, Topology};

use super::{CctrlOp, HostOp, Input, Install, ReplicatorOp, TrepctlOp};

/// Where an operator input is typed, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Typed {
    /// A cctrl command typed into the manager on `at`.
    Cctrl {
        /// The manager's host.
        at: HostId,
        /// The command, as cctrl reads it.
        command: CctrlCommand,
    },
    /// A shell command run on `on` (trepctl or a host script), as the parsers read it.
    Shell {
        /// The host.
        on: HostId,
        /// The command line.
        line: String,
    },
}

impl Input {
    /// The input as an operator would type it and where, or `None` for a fault or world
    /// event, for a host command whose line the input does not keep (a tool that only prints,
    /// [`HostOp::Inspect`]; a command the model does not know, [`HostOp::NotModelled`]), and
    /// for an input naming a host or service past `topology`'s last.
    #[must_use]
    pub fn typed(&self, topology: &Topology) -> Option<Typed> {
        if super::membership::check(topology, self).is_err() {
            return None;
        }
        match *self {
            Self::Cctrl { at, op } => Some(Typed::Cctrl {
                at,
                command: cctrl_command(topology, op),
            }),
            Self::PipedCctrl { at, op } => Some(Typed::Shell {
                on: at,
                line: format!("echo '{}' | cctrl", cctrl_command(topology, op)),
            }),
            Self::Trepctl {
                on,
                target,
                install,
                op,
            } => Some(Typed::Shell {
                on,
                line: trepctl_line(topology, on, target, install, op),
            }),
            Self::Host { on, op } => host_line(topology, op).map(|line| Typed::Shell { on, line }),
            Self::Fault(_) => None,
        }
    }

    /// One line: `cctrl@db2> datasource db2 welcome`, `shell db1> trepctl online`,
    /// `fault: db3 crashes`, `shell db1> (a tool that only prints)`. An input naming a host
    /// past `topology`'s last says so (`host#4`), rather than naming another host.
    #[must_use]
    pub fn render(&self, topology: &Topology) -> String {
        if let Err(refusal) = super::membership::check(topology, self) {
            return format!(
                "an input outside this topology: {}",
                refusal.render(topology)
            );
        }
        let name = |h: HostId| topology.host_name(h).as_str();
        match (self.typed(topology), self) {
            (Some(Typed::Cctrl { at, command }), _) => format!("cctrl@{}> {command}", name(at)),
            (Some(Typed::Shell { on, line }), _) => format!("shell {}> {line}", name(on)),
            (None, Self::Fault(fault)) => format!("fault: {}", fault.render(topology)),
            (
                None,
                Self::Host {
                    on,
                    op: HostOp::Inspect,
                },
            ) => format!("shell {}> (a tool that only prints)", name(*on)),
            (None, Self::Host { on, .. }) => {
                format!("shell {}> (a command the model does not know)", name(*on))
            }
            (None, _) => "a step the model does not know".to_owned(),
        }
    }
}

impl Fault {
    /// The fault in words, hosts named: `db3 crashes`, `the network splits into {db1, db2} |
    /// {db3}`. They read back as the fault ([`crate::fault::Event`]), in a runbook's
    /// `event>` step.
    #[must_use]
    pub fn render(&self, topology: &Topology) -> String {
        crate::fault::Event::of(*self, topology).to_string()
    }
}

fn cctrl_command(topology: &Topology, op: CctrlOp) -> CctrlCommand {
    let name = |h: HostId| topology.host_name(h).clone();
    match op {
        CctrlOp::SetPolicy(mode) => CctrlCommand::SetPolicy(mode),
        CctrlOp::SetForce(on) => CctrlCommand::SetForce(on),
        CctrlOp::Use(service) => CctrlCommand::Use(topology.service_name(service).clone()),
        CctrlOp::Datasource(h, action) => CctrlCommand::Datasource {
            host: name(h),
            action,
        },
        CctrlOp::Replicator(h, op) => CctrlCommand::Replicator {
            host: name(h),
            action: match op {
                ReplicatorOp::Online => ReplicatorAction::Online,
                ReplicatorOp::Offline => ReplicatorAction::Offline,
                ReplicatorOp::Master => ReplicatorAction::Master,
                ReplicatorOp::Slave(m) => ReplicatorAction::Slave(m.map(name)),
                ReplicatorOp::Relay(m) => {
                    ReplicatorAction::Relay(m.map(|h| crate::command::RelaySource {
                        service: None,
                        host: name(h),
                    }))
                }
                ReplicatorOp::Process(crate::command::Lifecycle::Start) => ReplicatorAction::Start,
                ReplicatorOp::Process(crate::command::Lifecycle::Stop) => ReplicatorAction::Stop,
                ReplicatorOp::Process(crate::command::Lifecycle::Restart) => {
                    ReplicatorAction::Restart
                }
            },
        },
        CctrlOp::Router(h, online) => CctrlCommand::Router {
            target: h.map_or(RouterTarget::All, |h| RouterTarget::Host(name(h))),
            online,
        },
        CctrlOp::Recover | CctrlOp::RecoverSites => CctrlCommand::Recover,
        CctrlOp::RecoverMasterUsing(h) => CctrlCommand::RecoverMasterUsing(name(h)),
        CctrlOp::Switch(to) => CctrlCommand::Switch { to: to.map(name) },
        CctrlOp::Failover(to) => CctrlCommand::Failover { to: to.map(name) },
        CctrlOp::Heartbeat => CctrlCommand::ClusterHeartbeat,
        CctrlOp::Inspect => CctrlCommand::Ls(String::new()),
        // A site is named where cctrl takes a datasource's name; both names follow one rule.
        CctrlOp::SwitchSite(to) => CctrlCommand::Switch {
            to: to.and_then(|s| site(topology, s)),
        },
        CctrlOp::FailoverSite(to) => CctrlCommand::Failover {
            to: to.and_then(|s| site(topology, s)),
        },
        CctrlOp::SiteDatasource(s, action) => match site(topology, s) {
            Some(host) => CctrlCommand::Datasource { host, action },
            None => CctrlCommand::Ls(String::new()),
        },
    }
}

/// A site's name as cctrl takes it in a datasource's place.
fn site(topology: &Topology, service: crate::model::ServiceId) -> Option<crate::model::HostName> {
    crate::model::HostName::new(topology.service_name(service).as_str()).ok()
}

fn root(topology: &Topology, install: Install) -> &str {
    match install {
        Install::Cluster => &topology.install_roots().cluster,
        Install::CrossSite => &topology.install_roots().cross_site,
    }
}

fn trepctl_line(
    topology: &Topology,
    on: HostId,
    target: HostId,
    install: Install,
    op: TrepctlOp,
) -> String {
    let action = match op {
        TrepctlOp::Online => TrepctlAction::Online(Box::default()),
        TrepctlOp::OnlineSkipping { lowest, highest } => {
            TrepctlAction::Online(Box::new(OnlineOptions {
                skip_seqno: SeqnoSet::new(vec![(lowest, highest)]).ok(),
                ..OnlineOptions::default()
            }))
        }
        TrepctlOp::OnlineFromBaseSeqno(seqno) => TrepctlAction::Online(Box::new(OnlineOptions {
            base_seqno: Some(seqno),
            ..OnlineOptions::default()
        })),
        TrepctlOp::Offline => TrepctlAction::Offline {
            all_services: false,
            immediate: false,
        },
        TrepctlOp::OfflineDeferred => TrepctlAction::OfflineDeferred { at: None },
        TrepctlOp::Reset(scope) => TrepctlAction::Reset {
            confirmed: true,
            scope: Some(scope),
        },
        TrepctlOp::SetRole(role, master) => TrepctlAction::SetRole {
            role,
            uri: master.map(|m| ThlUri {
                host: topology.host_name(m).clone(),
                port: None,
            }),
        },
        TrepctlOp::Flush => TrepctlAction::Flush { limit: None },
        TrepctlOp::Heartbeat => TrepctlAction::Heartbeat {
            name: None,
            tz: None,
        },
        TrepctlOp::Wait(state) => TrepctlAction::Wait {
            until: WaitFor::State(state),
            limit: None,
        },
        TrepctlOp::Inspect => TrepctlAction::Status {
            name: None,
            json: false,
        },
    };
    // `reset` names its service, as the replicator requires (the service the install
    // replicates: the host's own, or the one its cross-site replicator reads).
    let service = matches!(op, TrepctlOp::Reset(_))
        .then(|| install.service(topology, target))
        .flatten()
        .map(|s| topology.service_name(s).clone());
    let command = TrepctlCommand {
        host: (target != on).then(|| topology.host_name(target).clone()),
        service,
        ..TrepctlCommand::new(action)
    };
    format!(
        "{}/tungsten/tungsten-replicator/bin/trepctl {command}",
        root(topology, install)
    )
}

fn host_line(topology: &Topology, op: HostOp) -> Option<String> {
    let cluster = &topology.install_roots().cluster;
    let (executable, action) = match op {
        HostOp::StartAll(i) => (
            format!("{}/tungsten/cluster-home/bin/startall", root(topology, i)),
            HostAction::StartAll,
        ),
        HostOp::StopAll(i) => (
            format!("{}/tungsten/cluster-home/bin/stopall", root(topology, i)),
            HostAction::StopAll,
        ),
        HostOp::Manager(l) => (
            format!("{cluster}/tungsten/tungsten-manager/bin/manager"),
            HostAction::Manager(l),
        ),
        HostOp::Replicator(i, l) => (
            format!(
                "{}/tungsten/tungsten-replicator/bin/replicator",
                root(topology, i)
            ),
            HostAction::Replicator(l),
        ),
        HostOp::ReplicatorStartOffline { install, restart } => (
            format!(
                "{}/tungsten/tungsten-replicator/bin/replicator",
                root(topology, install)
            ),
            HostAction::ReplicatorStartOffline { restart },
        ),
        HostOp::Connector(l) => (
            format!("{cluster}/tungsten/tungsten-connector/bin/connector"),
            HostAction::Connector(l),
        ),
        HostOp::DataServer(l) => (
            "systemctl".to_owned(),
            HostAction::System {
                unit: Unit::DataServer,
                name: "mysqld".to_owned(),
                lifecycle: l,
                sudo: true,
            },
        ),
        HostOp::Power { reboot } => {
            let text = if reboot {
                "sudo reboot"
            } else {
                "sudo poweroff"
            };
            (
                "sudo".to_owned(),
                HostAction::Power {
                    reboot,
                    text: text.to_owned(),
                },
            )
        }
        HostOp::Provision { source } => (
            format!("{cluster}/tungsten/tungsten-replicator/scripts/tungsten_provision_slave"),
            HostAction::Provision {
                tool: Provisioner::ProvisionSlave,
                source: HostRef::Host(topology.host_name(source).clone()),
                direct: false,
                options: Vec::new(),
            },
        ),
        HostOp::Tpm(action) => (
            format!("{cluster}/tungsten/tools/tpm"),
            HostAction::Tpm {
                action,
                args: Vec::new(),
            },
        ),
        // Neither keeps the line it was read from.
        HostOp::SqlWrite => (
            "mysql".to_owned(),
            HostAction::SqlWrite("mysql -e 'INSERT INTO app.t VALUES (1)'".to_owned()),
        ),
        HostOp::Inspect | HostOp::NotModelled => return None,
    };
    Some(HostCommand { executable, action }.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

    use super::{Input, Install, TrepctlOp};
    use crate::machine::{self, HostOp};
    use crate::model::{State, Topology};

    /// Inputs the typed form cannot hold still render as where they ran and what they were,
    /// and an input naming a host past the topology's last says so rather than naming the
    /// last host (found by an API review: `fault: db3 crashes` for host#4 of three, and "a
    /// step the model does not know" for `thl list`, which the model knows only prints).
    #[test]
    fn reads_unknown_steps_and_foreign_hosts_render_as_what_they_are() {
        let t = Topology::single("alpha", &["db1", "db2", "db3"]).unwrap();
        let db2 = t.host_id("db2").unwrap();
        let foreign = crate::model::HostId::from_index(4).unwrap();
        let render = |input: Input| input.render(&t);
        insta::assert_snapshot!(
            [
                render(Input::Host { on: db2, op: HostOp::Inspect }),
                render(Input::Host { on: db2, op: HostOp::NotModelled }),
                render(Input::Fault(crate::fault::Fault::HostCrash(foreign))),
                render(Input::Fault(crate::fault::Fault::HostCrash(db2))),
            ]
            .join("\n"),
            @"
        shell db2> (a tool that only prints)
        shell db2> (a command the model does not know)
        an input outside this topology: host#4 is not a host of this topology, whose 3 hosts are db1, db2 and db3: resolve the command against the topology it runs on
        fault: db2 crashes
        "
        );
        assert_eq!(
            Input::Fault(crate::fault::Fault::HostCrash(foreign)).typed(&t),
            None
        );
    }

    /// The operations that keep a number print it back, and the line resolves to the same
    /// input (cargo-mutants: `online -base-seqno N` printed as a plain `online` went unseen,
    /// as both replay to the same state).
    #[test]
    fn restart_points_and_offline_starts_print_back() {
        let t =
            Topology::multisite(&[("east", &["db1", "db2"]), ("west", &["db3", "db4"])]).unwrap();
        let s = State::healthy(&t);
        let db1 = t.host_id("db1").unwrap();
        let inputs = [
            Input::Trepctl {
                on: db1,
                target: db1,
                install: Install::Cluster,
                op: TrepctlOp::OnlineFromBaseSeqno(7_u32.into()),
            },
            Input::Trepctl {
                on: db1,
                target: db1,
                install: Install::Cluster,
                op: TrepctlOp::OnlineSkipping {
                    lowest: 3_u32.into(),
                    highest: 5_u32.into(),
                },
            },
            Input::Host {
                on: db1,
                op: HostOp::ReplicatorStartOffline {
                    install: Install::CrossSite,
                    restart: true,
                },
            },
        ];
        let mut lines = Vec::new();
        for input in inputs {
            let line = input.render(&t);
            let Some(super::Typed::Shell { line: typed, .. }) = input.typed(&t) else {
                panic!("{line}");
            };
            let command: crate::command::HostCommand = typed.parse().unwrap();
            assert_eq!(
                machine::resolve_host(&t, &s, db1, &command),
                Ok(input),
                "{line}"
            );
            lines.push(line);
        }
        insta::assert_snapshot!(lines.join("\n"), @"
        shell db1> /opt/continuent/tungsten/tungsten-replicator/bin/trepctl online -base-seqno 7
        shell db1> /opt/continuent/tungsten/tungsten-replicator/bin/trepctl online -skip-seqno 3-5
        shell db1> /opt/replicator/tungsten/tungsten-replicator/bin/replicator restart offline
        ");
    }
}
