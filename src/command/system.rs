//! The operating system's service commands: `systemctl` and `service`, with `sudo` or not,
//! for the units the model knows (see [`super::HostCommand`]'s module for the rules).

use serde::{Deserialize, Serialize};

use super::host::{HostAction, Lifecycle};
use super::words::Words;

/// A system service that `systemctl` or `service` starts and stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Unit {
    /// `tmanager`: the manager, as `deployall` installs it (Continuent docs
    /// *cmdline-tools-deployall*: `sudo systemctl start t<component>`).
    Manager,
    /// `treplicator`: the cluster install's replicator (**modelling decision**: the docs name
    /// no unit for a cross-site install's replicator).
    Replicator,
    /// `tconnector`: the connector (*cmdline-tools-deployall* names it in its example).
    Connector,
    /// `mysqld`, `mysql` or `mariadb`: the dataserver (**modelling decision**: the `MySQL` and
    /// `MariaDB` packages' unit names; Tungsten's docs leave the dataserver to the operating
    /// system).
    DataServer,
}

impl Unit {
    /// The unit's usual name: `tmanager`, `treplicator`, `tconnector`, `mysqld`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Manager => "tmanager",
            Self::Replicator => "treplicator",
            Self::Connector => "tconnector",
            Self::DataServer => "mysqld",
        }
    }

    /// The unit a name (`mysqld`, `tmanager.service`) stands for, if the model knows it.
    pub(crate) fn named(name: &str) -> Option<Self> {
        match name.strip_suffix(".service").unwrap_or(name) {
            "tmanager" => Some(Self::Manager),
            "treplicator" => Some(Self::Replicator),
            "tconnector" => Some(Self::Connector),
            "mysqld" | "mysql" | "mariadb" => Some(Self::DataServer),
            _ => None,
        }
    }
}

/// `/etc/init.d/<unit> <verb>` (after `sudo` when `sudo`), with the words after the script
/// in `w`: as `service <unit> <verb>`.
pub(super) fn init_script(unit: &str, w: &Words<'_>, sudo: bool) -> Option<HostAction> {
    let mut ahead = w.clone();
    let verb = ahead.next()?;
    unit_action(verb, unit, &ahead, sudo)
}

/// `systemctl <verb> <unit>` or `service <unit> <verb>` (after `sudo` when `sudo`), with the
/// rest of the line in `w`: the action when the verb is `start`, `stop` or `restart`, the
/// unit one the model knows and nothing follows. Anything else (`status`, `enable`, options,
/// several units) is `None`, and the line is kept as a step the model does not know.
pub(super) fn system_service(program: &str, w: &Words<'_>, sudo: bool) -> Option<HostAction> {
    let mut ahead = w.clone();
    let (verb, name) = match program {
        "systemctl" => {
            let verb = ahead.next()?;
            (verb, ahead.next()?)
        }
        "service" => {
            let name = ahead.next()?;
            (ahead.next()?, name)
        }
        _ => return None,
    };
    unit_action(verb, name, &ahead, sudo)
}

/// `verb` (`start`, `stop` or `restart`) on the unit `name`, with `rest` the words after
/// both: the action when the model knows the unit and nothing follows.
fn unit_action(verb: &str, name: &str, rest: &Words<'_>, sudo: bool) -> Option<HostAction> {
    let lifecycle = match verb {
        "start" => Lifecycle::Start,
        "stop" => Lifecycle::Stop,
        "restart" => Lifecycle::Restart,
        _ => return None,
    };
    if rest.clone().peek().is_some() {
        return None;
    }
    Some(HostAction::System {
        unit: Unit::named(name)?,
        name: name.to_owned(),
        lifecycle,
        sudo,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::HostCommand;

    /// `systemctl` and `service` start, stop and restart the units the model knows, with
    /// `sudo` or not; anything else they do, and `sudo` before anything else, is not modelled.
    #[test]
    fn system_services_read_and_print_as_typed() {
        for (line, unit, lifecycle) in [
            (
                "systemctl restart mysqld",
                Unit::DataServer,
                Lifecycle::Restart,
            ),
            (
                "sudo systemctl stop mariadb.service",
                Unit::DataServer,
                Lifecycle::Stop,
            ),
            (
                "sudo service mysql start",
                Unit::DataServer,
                Lifecycle::Start,
            ),
            (
                "sudo systemctl start tconnector",
                Unit::Connector,
                Lifecycle::Start,
            ),
            (
                "/usr/bin/systemctl stop tmanager",
                Unit::Manager,
                Lifecycle::Stop,
            ),
            (
                "service treplicator restart",
                Unit::Replicator,
                Lifecycle::Restart,
            ),
        ] {
            let c: HostCommand = line.parse().unwrap();
            match &c.action {
                HostAction::System {
                    unit: u,
                    lifecycle: l,
                    sudo,
                    ..
                } => {
                    assert_eq!(
                        (*u, *l, *sudo),
                        (unit, lifecycle, line.starts_with("sudo")),
                        "{line}"
                    );
                }
                other => panic!("{line}: {other:?}"),
            }
            assert_eq!(c.to_string(), line);
        }
        for line in [
            "systemctl status mysqld",
            "sudo systemctl enable tmanager",
            "systemctl start nginx",
            "systemctl start mysqld tmanager",
            "systemctl --now start mysqld",
            "service mysqld",
            "sudo deployall",
            "sudo trepctl online",
            "sudo",
        ] {
            let c: HostCommand = line.parse().unwrap();
            assert!(
                matches!(c.action, HostAction::NotModelled(_)),
                "{line}: {c:?}"
            );
            assert_eq!(c.to_string(), line);
        }
        // `sudo` with options of its own, or called by its path.
        let sudo: HostCommand = "/usr/bin/sudo systemctl start mysqld".parse().unwrap();
        assert!(matches!(sudo.action, HostAction::System { sudo: true, .. }));
        assert_eq!(sudo.to_string(), "sudo systemctl start mysqld");
        let sudo: HostCommand = "sudo -u root systemctl start mysqld".parse().unwrap();
        assert!(matches!(sudo.action, HostAction::NotModelled(_)));
        // Before anything else, `sudo` is the executable the line runs.
        let sudo: HostCommand = "sudo mm_trepctl status".parse().unwrap();
        assert_eq!(sudo.program(), "sudo");
    }
}
