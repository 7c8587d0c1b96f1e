//! The `MySQL` client tools typed in a host's shell: `mysql -e '<statement>'` and
//! `mysqladmin <command>`, against the host's own dataserver.
//!
//! Rules (**modelling decisions**, from what the client tools do to the dataserver; a library
//! user's review found `mysqladmin shutdown` and `mysql -e 'insert ...'` on a replica reading
//! VALID as steps the model did not know):
//! - `mysqladmin shutdown` stops the dataserver, as `systemctl stop mysqld` does;
//!   `mysqladmin status|ping|processlist|version|variables|extended-status` only print.
//! - `mysql -e` (`--execute`) with one statement: `SELECT`, `SHOW`, `DESCRIBE`/`DESC` and
//!   `EXPLAIN` only read; `INSERT`, `UPDATE`, `DELETE`, `REPLACE`, `CREATE`, `DROP`, `ALTER`,
//!   `TRUNCATE`, `RENAME` and `LOAD` write to the host's dataserver
//!   ([`HostAction::SqlWrite`]). Anything else (`SET GLOBAL read_only=0`, several
//!   statements) is kept as a step the model does not know.
//! - A client pointed at another server (`-h`/`--host` other than `localhost` or
//!   `127.0.0.1`, `-S`/`--socket`, `--defaults-file`) is kept as a step the model does not
//!   know: the model cannot tell which dataserver it reaches.

use super::host::HostAction;

/// The words of `mysqladmin` after which an option's value follows as the next word.
const TAKES_VALUE: [&str; 6] = ["-u", "-h", "-P", "-S", "-p", "--user"];

/// Statements that only read.
const READS: [&str; 5] = ["select", "show", "describe", "desc", "explain"];

/// Statements that write to the dataserver they run on (and its binlog).
const WRITES: [&str; 10] = [
    "insert", "update", "delete", "replace", "create", "drop", "alter", "truncate", "rename",
    "load",
];

/// `mysqladmin` commands that only print.
const ADMIN_READS: [&str; 6] = [
    "status",
    "ping",
    "processlist",
    "version",
    "variables",
    "extended-status",
];

/// The action of `line`, whose program (after any `sudo`) is `program` and whose words after
/// it are `words`, when it is a `MySQL` client tool the model reads; `None` otherwise.
pub(super) fn action(program: &str, words: &[&str], line: &str) -> Option<HostAction> {
    let text = || line.trim().to_owned();
    if words.iter().any(|w| elsewhere(w, words)) {
        return None;
    }
    match program {
        "mysqladmin" => {
            let command = admin_command(words)?;
            if command.eq_ignore_ascii_case("shutdown") {
                Some(HostAction::DataServerShutdown(text()))
            } else {
                ADMIN_READS
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(command))
                    .then(|| HostAction::Inspect(text()))
            }
        }
        "mysql" | "mariadb" => {
            let statement = statement(line)?;
            let first = statement
                .split(|c: char| c.is_whitespace() || c == '(')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            if READS.contains(&first.as_str()) {
                Some(HostAction::Inspect(text()))
            } else if WRITES.contains(&first.as_str()) {
                Some(HostAction::SqlWrite(text()))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Whether `word` points the client at a server other than the host's own.
fn elsewhere(word: &str, words: &[&str]) -> bool {
    let local = |host: &str| matches!(host, "localhost" | "127.0.0.1");
    if let Some(host) = word.strip_prefix("--host=") {
        return !local(host);
    }
    if let Some(host) = word.strip_prefix("-h").filter(|h| !h.is_empty()) {
        return !local(host);
    }
    if word == "-h" || word == "--host" {
        let next = words
            .iter()
            .skip_while(|w| **w != word)
            .nth(1)
            .copied()
            .unwrap_or_default();
        return !local(next);
    }
    word.starts_with("-S") || word.starts_with("--socket") || word.starts_with("--defaults-file")
}

/// The command word of `mysqladmin`'s `words`: the first word that is neither an option nor
/// an option's value, and the only one.
fn admin_command<'w>(words: &[&'w str]) -> Option<&'w str> {
    let mut commands = Vec::new();
    let mut skip_value = false;
    for &w in words {
        if skip_value {
            skip_value = false;
        } else if w.starts_with('-') {
            // `-p` alone asks for the password; `-pSECRET` carries it.
            skip_value = TAKES_VALUE.contains(&w) && w != "-p";
        } else {
            commands.push(w);
        }
    }
    match commands.as_slice() {
        [only] => Some(only),
        _ => None,
    }
}

/// The one statement `line` runs with `-e` or `--execute`, quotes taken off and a final `;`
/// allowed; `None` when there is none, more than one, or text after it.
fn statement(line: &str) -> Option<&str> {
    let line = line.trim();
    let start = [" -e", " --execute=", " --execute"]
        .iter()
        .find_map(|flag| line.find(flag).map(|i| i + flag.len()))?;
    let rest = line.get(start..)?.trim_start();
    let body = match rest.chars().next()? {
        quote @ ('\'' | '"') => {
            let inner = &rest[1..];
            let end = inner.find(quote)?;
            if !inner[end + 1..].trim().is_empty() {
                return None;
            }
            &inner[..end]
        }
        _ => rest,
    };
    let body = body.trim().trim_end_matches(';').trim_end();
    (!body.is_empty() && !body.contains(';')).then_some(body)
}

#[cfg(test)]
mod tests {
    use crate::command::{HostAction, HostCommand};

    fn kind(line: &str) -> &'static str {
        match line.parse::<HostCommand>().map(|c| c.action) {
            Ok(HostAction::SqlWrite(_)) => "write",
            Ok(HostAction::DataServerShutdown(_)) => "shutdown",
            Ok(HostAction::Inspect(_)) => "reads",
            Ok(HostAction::NotModelled(_)) => "not modelled",
            Ok(_) => "other",
            Err(_) => "error",
        }
    }

    /// The client tools' writes, reads and shutdown read as such and print back as typed; a
    /// client pointed elsewhere, several statements or a statement the model does not know
    /// stay not modelled.
    #[test]
    fn the_client_tools_read_writes_reads_and_shutdowns() {
        for (line, expected) in [
            ("mysql -e 'insert into app.t values (1)'", "write"),
            ("mysql -uroot -p -e \"UPDATE app.t SET x = 1;\"", "write"),
            ("sudo mysql --execute='DROP TABLE app.t'", "write"),
            ("mysql -h localhost -e 'delete from app.t'", "write"),
            ("mysql -e 'select * from app.t'", "reads"),
            ("mysql -e \"SHOW SLAVE STATUS\"", "reads"),
            ("mysqladmin shutdown", "shutdown"),
            ("mysqladmin -u root -p shutdown", "shutdown"),
            ("sudo mysqladmin --user=root shutdown", "shutdown"),
            ("mysqladmin -u root status", "reads"),
            (
                "mysql -h db1 -e 'insert into app.t values (1)'",
                "not modelled",
            ),
            ("mysqladmin -hdb2 shutdown", "not modelled"),
            ("mysql -e 'set global read_only=0'", "not modelled"),
            (
                "mysql -e 'insert into t values (1); insert into t values (2)'",
                "not modelled",
            ),
            ("mysql -e 'insert into t values (1)' extra", "not modelled"),
            ("mysql", "not modelled"),
            ("mysqladmin flush-logs", "not modelled"),
            ("mysqladmin -u shutdown", "not modelled"),
        ] {
            assert_eq!(kind(line), expected, "{line}");
            let command: HostCommand = line.parse().unwrap();
            assert_eq!(command.to_string(), line.trim(), "{line}");
        }
    }
}
