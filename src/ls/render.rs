//! Printing a [`Listing`] the way `cctrl ls` does.

use std::fmt::{self, Write as _};

use super::{DataSourceBlock, DataSources, Listing, MemberBlock, Progress, StatusLine};
use crate::model::{DataSourceRole, Latency};

impl fmt::Display for Listing {
    /// Tungsten's layout: rows padded to the border width, a blank line after the coordinator
    /// lines and after each section, component rows indented by two blanks, `THL latency=` on
    /// masters and `latency=` on every other role, composite member boxes back to back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Boxes {
            f,
            // A width built in code past what a layout holds is drawn at the widest (it used
            // to be padded out whole: `usize::MAX` panicked).
            width: self.layout.width.min(super::MAX_WIDTH),
        };
        writeln!(
            out.f,
            "COORDINATOR[{}:{}:{}]",
            self.coordinator.host, self.coordinator.policy, self.coordinator.state
        )?;
        for site in &self.site_coordinators {
            let c = &site.coordinator;
            writeln!(
                out.f,
                "   {}:COORDINATOR[{}:{}:{}]",
                site.service, c.host, c.policy, c.state
            )?;
        }
        writeln!(out.f)?;
        if let Some(routers) = &self.routers {
            writeln!(out.f, "ROUTERS:")?;
            out.border()?;
            for r in routers {
                let mut row = format!("connector@{}", r.host);
                if let Some(pid) = r.pid {
                    let _ = write!(row, "[{pid}]");
                }
                let _ = write!(
                    row,
                    "({}, created={}, active={})",
                    r.state, r.connections.created, r.connections.active
                );
                out.row(&row)?;
            }
            out.border()?;
            writeln!(out.f)?;
        }
        writeln!(out.f, "DATASOURCES:")?;
        match &self.datasources {
            DataSources::Physical(blocks) => {
                for (i, block) in blocks.iter().enumerate() {
                    if i > 0 {
                        writeln!(out.f)?;
                    }
                    out.datasource(block)?;
                }
            }
            DataSources::Composite { members, summary } => {
                for member in members {
                    out.member(member)?;
                }
                if let Some(summary) = summary {
                    writeln!(out.f, "{summary}")?;
                }
            }
        }
        Ok(())
    }
}

struct Boxes<'a, 'b> {
    f: &'a mut fmt::Formatter<'b>,
    width: usize,
}

impl Boxes<'_, '_> {
    fn border(&mut self) -> fmt::Result {
        writeln!(self.f, "+{}+", "-".repeat(self.width.saturating_sub(2)))
    }

    /// `|content<padding>|`; content wider than the box is printed whole (a datasource's
    /// header is wrapped before it gets here).
    fn row(&mut self, content: &str) -> fmt::Result {
        let inner = self.width.saturating_sub(2);
        let len = content.chars().count();
        writeln!(
            self.f,
            "|{content}{}|",
            " ".repeat(inner.saturating_sub(len))
        )
    }

    fn status(&mut self, status: &StatusLine) -> fmt::Result {
        match &status.time {
            Some(time) => self.row(&format!("STATUS [{}] [{time}]", status.alert)),
            None => self.row(&format!("STATUS [{}]", status.alert)),
        }
    }

    fn datasource(&mut self, b: &DataSourceBlock) -> fmt::Result {
        self.border()?;
        let mut header = format!("{}({}:{}", b.host, b.role, b.state);
        let mut progress = String::new();
        if let Some(Progress { seqno, latency }) = b.progress {
            let seqno = seqno.map_or_else(|| "-1".to_owned(), |s| s.to_string());
            let label = if b.role == DataSourceRole::Master {
                "THL latency"
            } else {
                "latency"
            };
            let _ = write!(
                progress,
                "progress={seqno}, {label}={})",
                Latency::render(latency)
            );
        } else {
            header.push(')');
        }
        // A header wider than the box goes on two rows, the progress on the second, as the
        // documents' listings of a long state show it (Continuent docs *operations-status-
        // states*, 4.0; an independent review found it printed on one row past the border).
        if progress.is_empty() {
            self.row(&header)?;
        } else if header.chars().count() + 2 + progress.chars().count()
            > self.width.saturating_sub(2)
        {
            header.push(',');
            self.row(&header)?;
            self.row(&progress)?;
        } else {
            self.row(&format!("{header}, {progress}"))?;
        }
        self.status(&b.status)?;
        if let Some(reason) = &b.reason {
            self.row(&format!("REASON[{reason}]"))?;
        }
        self.border()?;
        // A block copied without its component rows prints none, and no empty box for them
        // (a review of the documents' listings found two borders with nothing between).
        let components = b.manager.is_some()
            || b.replicator.is_some()
            || b.dataserver.is_some()
            || b.connections.is_some();
        if !components {
            return Ok(());
        }
        if let Some(state) = b.manager {
            self.row(&format!("  MANAGER(state={state})"))?;
        }
        if let Some(r) = &b.replicator {
            let mut row = String::from("  REPLICATOR(");
            if let Some(role) = r.role {
                let _ = write!(row, "role={role}, ");
            }
            if let Some(master) = &r.master {
                let _ = write!(row, "master={master}, ");
            }
            let _ = write!(row, "state={})", r.state);
            self.row(&row)?;
        }
        if let Some(state) = b.dataserver {
            self.row(&format!("  DATASERVER(state={state})"))?;
        }
        if let Some(c) = b.connections {
            self.row(&format!(
                "  CONNECTIONS(created={}, active={})",
                c.created, c.active
            ))?;
        }
        self.border()
    }

    fn member(&mut self, m: &MemberBlock) -> fmt::Result {
        self.border()?;
        self.row(&format!("{}({}:{})", m.service, m.role, m.state))?;
        self.status(&m.status)?;
        if let Some(reason) = &m.reason {
            self.row(&format!("REASON[{reason}]"))?;
        }
        self.border()
    }
}
