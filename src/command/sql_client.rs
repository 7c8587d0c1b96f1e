//! The `MySQL` client tools typed in a host's shell: `mysql -e '<statement>'` and
//! `mysqladmin <command>`, against the host's own dataserver.
//!
//! Rules (**modelling decisions**, from what the client tools do to the dataserver; a library
//! user's review found `mysqladmin shutdown` and `mysql -e 'insert ...'` on a replica reading
//! VALID as steps the model did not know):
//! - `mysqladmin shutdown` (or `mariadb-admin`) stops the dataserver, as `systemctl stop
//!   mysqld` does; `mysqladmin status|ping|processlist|version|variables|extended-status`
//!   only print.
//! - `mysql -e` (`--execute`, or a bundle of flags ending in `e` such as `-Bse`) with one
//!   statement: `SELECT`, `SHOW`, `DESCRIBE`/`DESC` and `EXPLAIN` only read; `INSERT`,
//!   `UPDATE`, `DELETE`, `REPLACE`, `CREATE`, `DROP`, `ALTER`, `TRUNCATE`, `RENAME` and `LOAD
//!   DATA|XML` write to the host's dataserver ([`HostAction::SqlWrite`]); `SHUTDOWN` stops it.
//!   Anything else (`SET GLOBAL read_only=0`, several statements, a statement after `\g` or
//!   `\G`) is kept as a step the model does not know.
//! - Only the options that choose the user, password, database and output are read past
//!   (`-u`, `-p`, `-D`, `-B`, `-s`, `-N`, `-t`, `-E`, `-v`, `-f` and their long forms), and
//!   `-h`/`--host` naming `localhost` or `127.0.0.1`. Any other option (`--login-path`,
//!   `--defaults-file`, `-P`, `--protocol`, `-S`, `--init-command`, ...) keeps the line as a
//!   step the model does not know: it may reach another server or run other statements (an
//!   independent review found `--login-path=db2` and `select 1\G delete ...` read as local
//!   and read-only).

use super::host::HostAction;

/// Statements that only read.
const READS: [&str; 5] = ["select", "show", "describe", "desc", "explain"];

/// Statements that write to the dataserver they run on (and its binlog); `LOAD` only as `LOAD
/// DATA` or `LOAD XML`.
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

/// Short flags that take no value and change only the output or error handling.
const PLAIN_FLAGS: &str = "BsNtEvf";

/// Long options that take no value and change only the output or error handling.
const PLAIN_LONG: [&str; 7] = [
    "--batch",
    "--silent",
    "--skip-column-names",
    "--table",
    "--vertical",
    "--verbose",
    "--force",
];

/// The action of `line`, whose program (after any `sudo`) has the base name `program`, when
/// it is a `MySQL` client tool the model reads; `None` otherwise.
pub(super) fn action(program: &str, line: &str) -> Option<HostAction> {
    let text = || line.trim().to_owned();
    let tokens = tokens(line)?;
    let at = tokens
        .iter()
        .position(|t| t.rsplit('/').next() == Some(program))?;
    let args = &tokens[at + 1..];
    match program {
        "mysqladmin" | "mariadb-admin" => {
            let command = admin_command(args)?;
            if command.eq_ignore_ascii_case("shutdown") {
                Some(HostAction::DataServerShutdown(text()))
            } else {
                ADMIN_READS
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(&command))
                    .then(|| HostAction::Inspect(text()))
            }
        }
        "mysql" | "mariadb" => match classify(&statement(args)?)? {
            Statement::Reads => Some(HostAction::Inspect(text())),
            Statement::Writes => Some(HostAction::SqlWrite(text())),
            Statement::Shutdown => Some(HostAction::DataServerShutdown(text())),
        },
        _ => None,
    }
}

/// Whether `statement`, typed at a `MySQL` client's prompt, changes nothing on the server:
/// one statement that only reads, or a client command (`exit`, `quit`, `use <db>`, `help`,
/// `status` and their `\\` forms).
pub(crate) fn changes_nothing(statement: &str) -> bool {
    let t = statement.trim().trim_end_matches(';').trim_end();
    let first = t
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let rest = t.get(first.len()..).unwrap_or_default();
    let client = [
        "exit", "quit", "use", "help", "status", "\\q", "\\s", "\\h", "\\u",
    ]
    .contains(&first.as_str())
        && !rest.contains(['\\', ';']);
    client || matches!(classify(statement), Some(Statement::Reads))
}

/// Whether `statement`, after a `MySQL` client's prompt in a note, reads as SQL rather than
/// prose: its first word is a statement's keyword or a client command (`\.`, `\!`, ...).
pub(crate) fn looks_like_sql(statement: &str) -> bool {
    const KEYWORDS: [&str; 44] = [
        "select",
        "show",
        "describe",
        "desc",
        "explain",
        "insert",
        "update",
        "delete",
        "replace",
        "create",
        "drop",
        "alter",
        "truncate",
        "rename",
        "load",
        "set",
        "grant",
        "revoke",
        "flush",
        "reset",
        "start",
        "stop",
        "change",
        "kill",
        "shutdown",
        "install",
        "uninstall",
        "purge",
        "lock",
        "unlock",
        "call",
        "source",
        "begin",
        "commit",
        "rollback",
        "do",
        "handler",
        "analyze",
        "optimize",
        "repair",
        "prepare",
        "execute",
        "use",
        "restart",
    ];
    let first = statement
        .split(|c: char| c.is_whitespace() || c == ';' || c == '(')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    first.starts_with('\\') || KEYWORDS.contains(&first.as_str())
}

/// What one statement does to the dataserver it runs on.
enum Statement {
    Reads,
    Writes,
    Shutdown,
}

/// The statement `text` is, when it is one the model knows: a final `;`, `\g` or `\G` is
/// allowed, another statement after one is not.
fn classify(text: &str) -> Option<Statement> {
    let mut body = text.trim().trim_end_matches(';').trim_end();
    for end in ["\\g", "\\G"] {
        body = body.strip_suffix(end).unwrap_or(body).trim_end();
    }
    // Any other client command (`\c` clears what came before it, `\.` runs a file, `\!` a
    // shell command: an independent review found writes behind them read as reads).
    if body.is_empty() || body.contains([';', '\\']) {
        return None;
    }
    let lower = body.to_ascii_lowercase();
    let mut words = lower.split(|c: char| c.is_whitespace() || c == '(');
    let first = words.next().unwrap_or_default();
    let second = words.find(|w| !w.is_empty()).unwrap_or_default();
    if READS.contains(&first) {
        Some(Statement::Reads)
    } else if first == "shutdown" && second.is_empty() {
        Some(Statement::Shutdown)
    } else if WRITES.contains(&first) && (first != "load" || matches!(second, "data" | "xml")) {
        Some(Statement::Writes)
    } else {
        None
    }
}

/// The words of `line`, a quoted run (`'...'` or `"..."`) being one word without its quotes;
/// `None` when a quote is left open, or a backslash stands outside single quotes (the shell
/// would take it as an escape: `\-hdb2` is the option `-hdb2`; an independent review found
/// it read as a database name, the line as local).
fn tokens(line: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote = None;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some('"') | None if c == '\\' => return None,
            Some(_) => word.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                in_word = true;
            }
            None if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            None => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return None;
    }
    if in_word {
        out.push(word);
    }
    Some(out)
}

/// Whether `host` is the host's own server.
fn local(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1")
}

/// What one option word of a client's arguments is.
enum Arg<'a> {
    /// Read past; `true` when the next word is its value.
    Skip(bool),
    /// `-e`, `--execute` or a flag bundle ending in `e`: the statement is the next word.
    ExecuteNext,
    /// `--execute=<statement>`.
    Execute(&'a str),
    /// Not an option.
    Word,
}

/// The option `a` is, or `None` for one the model does not read past.
fn option(a: &str) -> Option<Arg<'_>> {
    if !a.starts_with('-') {
        return Some(Arg::Word);
    }
    if let Some(statement) = a.strip_prefix("--execute=") {
        return Some(Arg::Execute(statement));
    }
    if let Some(host) = a.strip_prefix("--host=") {
        return local(host).then_some(Arg::Skip(false));
    }
    let arg = match a {
        "-e" | "--execute" => Arg::ExecuteNext,
        "-u" | "--user" | "-D" | "--database" | "-h" | "--host" => Arg::Skip(true),
        "-p" | "--password" => Arg::Skip(false),
        _ if PLAIN_LONG.contains(&a) => Arg::Skip(false),
        _ if ["--user=", "--password=", "--database="]
            .iter()
            .any(|p| a.starts_with(p)) =>
        {
            Arg::Skip(false)
        }
        // Glued values: `-uroot`, `-psecret`, `-Dapp`, `-hlocalhost`.
        _ if a.starts_with("-h") => return local(&a[2..]).then_some(Arg::Skip(false)),
        _ if ["-u", "-p", "-D"].iter().any(|p| a.starts_with(p)) => Arg::Skip(false),
        _ => {
            let flags = a
                .strip_prefix('-')
                .filter(|f| !f.starts_with('-') && f.is_ascii())?;
            let (rest, last) = flags.split_at(flags.len().checked_sub(1)?);
            if !rest.chars().all(|c| PLAIN_FLAGS.contains(c)) {
                return None;
            }
            match last {
                "e" => Arg::ExecuteNext,
                l if PLAIN_FLAGS.contains(l) => Arg::Skip(false),
                _ => return None,
            }
        }
    };
    Some(arg)
}

/// What a client's arguments give, when every option is one the model reads past: the
/// statement (`-e`), if one, and the words that are no option's value (`mysql`'s database,
/// `mysqladmin`'s command). `None` for an option the model does not read past, or two
/// statements.
fn scan(args: &[String]) -> Option<(Option<String>, Vec<String>)> {
    let mut statement = None;
    let mut words = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        i += 1;
        match option(a)? {
            Arg::Skip(false) => {}
            Arg::Skip(true) => {
                let value = args.get(i).filter(|v| !v.starts_with('-'))?;
                if matches!(a.as_str(), "-h" | "--host") && !local(value) {
                    return None;
                }
                i += 1;
            }
            Arg::ExecuteNext | Arg::Execute(_) if statement.is_some() => return None,
            Arg::ExecuteNext => {
                statement = Some(args.get(i)?.clone());
                i += 1;
            }
            Arg::Execute(s) => statement = Some(s.to_owned()),
            Arg::Word => words.push(a.clone()),
        }
    }
    Some((statement, words))
}

/// The statement `mysql`'s arguments `args` run: exactly one, with at most one database named
/// before or after it.
fn statement(args: &[String]) -> Option<String> {
    let (statement, words) = scan(args)?;
    statement.filter(|_| words.len() <= 1)
}

/// The one command of `mysqladmin`'s arguments `args` (which take no statement).
fn admin_command(args: &[String]) -> Option<String> {
    match scan(args)? {
        (None, words) => match words.as_slice() {
            [only] => Some(only.clone()),
            _ => None,
        },
        (Some(_), _) => None,
    }
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
            // A word after the options names the database.
            ("mysql -e 'insert into t values (1)' app", "write"),
            (
                "mysql app other -e 'insert into t values (1)'",
                "not modelled",
            ),
            ("mysql", "not modelled"),
            ("mysqladmin flush-logs", "not modelled"),
            ("mysqladmin -u shutdown", "not modelled"),
            // An independent review's misreads: a write after `\G`, an init command, a
            // server chosen by login path, port or protocol, `-u` taking `-e` as its value.
            ("mysql -e 'select 1\\G delete from app.t'", "not modelled"),
            ("mysql -e 'select 1\\G'", "reads"),
            (
                "mysql --init-command='DELETE FROM app.t' -e 'select 1'",
                "not modelled",
            ),
            (
                "mysql --login-path=db2 -e 'delete from app.t'",
                "not modelled",
            ),
            ("mysql -P 3306 -e 'delete from app.t'", "not modelled"),
            (
                "mysql --protocol=tcp -e 'delete from app.t'",
                "not modelled",
            ),
            (
                "mysql --defaults-extra-file=x.cnf -e 'delete from app.t'",
                "not modelled",
            ),
            ("mysqladmin --login-path=db2 shutdown", "not modelled"),
            ("mysql -u -e 'delete from app.t'", "not modelled"),
            ("mysql -e 'LOAD INDEX INTO CACHE app.t'", "not modelled"),
            (
                "mysql -e 'load data infile \"x\" into table app.t'",
                "write",
            ),
            ("mysql -Bse 'delete from app.t'", "write"),
            ("mysql -uroot -psecret app -e 'delete from t'", "write"),
            ("mysql -e 'shutdown'", "shutdown"),
            ("mariadb-admin shutdown", "shutdown"),
            ("mysql -e 'select 1' -e 'delete from t'", "not modelled"),
            ("mysql -e 'select 1", "not modelled"),
            ("mysql -\u{e9} -e 'delete from t'", "not modelled"),
            // Client commands inside the statement, shell escapes outside it (an independent
            // review): each hides a write, a shutdown or another server.
            ("mysql -e 'select 1 \\c delete from app.t'", "not modelled"),
            ("mysql -e 'select 1 \\c shutdown'", "not modelled"),
            ("mysql -e 'select 1 \\. /root/fix.sql'", "not modelled"),
            (
                "mysql -e 'select 1 \\! sudo systemctl stop mysqld'",
                "not modelled",
            ),
            ("mysql -e 'delete from app.t' \\-hdb2", "not modelled"),
            ("mysql \\-hdb1 -e 'shutdown'", "not modelled"),
            (
                "mysql -e \"delete from app.t #\\\"\" -h db1 #\\\"",
                "not modelled",
            ),
            ("mysql -B\u{e9} -e 'delete from t'", "not modelled"),
        ] {
            assert_eq!(kind(line), expected, "{line}");
            let command: HostCommand = line.parse().unwrap();
            assert_eq!(command.to_string(), line.trim(), "{line}");
        }
    }
}
