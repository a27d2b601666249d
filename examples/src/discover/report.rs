//! What `ochami discover` shows: progress while it runs (a progress bar on a terminal,
//! plain log lines otherwise, both on stderr), then a summary table or the JSON report on
//! stdout.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ochami_redfish::{BmcInventory, DiscoveryEvent, OutcomeResult, ScanTarget, TargetError};

use super::{DiscoverRun, WriteOutcome};

#[derive(Clone)]
enum Mode {
    Bar(ProgressBar),
    Lines,
    Silent,
}

/// Progress reporting on stderr. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Progress {
    mode: Mode,
}

impl Progress {
    /// A progress bar when stderr is a terminal, log lines otherwise.
    pub(crate) fn for_stderr() -> Self {
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} BMC targets {msg}",
            ) {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            Progress {
                mode: Mode::Bar(bar),
            }
        } else {
            Self::lines()
        }
    }

    /// Plain log lines on stderr.
    pub(crate) fn lines() -> Self {
        Progress { mode: Mode::Lines }
    }

    /// Nothing at all.
    pub(crate) fn silent() -> Self {
        Progress { mode: Mode::Silent }
    }

    fn line(&self, text: &str) {
        match &self.mode {
            Mode::Bar(bar) => bar.println(text),
            Mode::Lines => eprintln!("{text}"),
            Mode::Silent => {}
        }
    }

    /// The callback for `discover_targets`.
    pub(crate) fn handler(&self) -> impl Fn(&DiscoveryEvent) + Send + Sync + 'static {
        let me = self.clone();
        move |event: &DiscoveryEvent| me.event(event)
    }

    fn event(&self, event: &DiscoveryEvent) {
        let bar = match &self.mode {
            Mode::Bar(bar) => Some(bar),
            _ => None,
        };
        match event {
            DiscoveryEvent::Started { targets } => {
                if let Some(bar) = bar {
                    bar.set_length(*targets as u64);
                } else {
                    self.line(&format!("discover: {targets} targets"));
                }
            }
            DiscoveryEvent::Found { target, service } => {
                let what = [service.vendor.as_deref(), service.product.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                let version = service.redfish_version.as_deref().unwrap_or("?");
                match bar {
                    Some(bar) => bar.set_message(format!("found {target}")),
                    None => self.line(&format!(
                        "found {target}: {} (Redfish {version})",
                        if what.is_empty() {
                            "unnamed service"
                        } else {
                            &what
                        }
                    )),
                }
            }
            DiscoveryEvent::Crawled {
                target,
                xname,
                nodes,
            } => {
                if let Some(bar) = bar {
                    bar.inc(1);
                }
                if bar.is_none() {
                    self.line(&format!("crawled {target} as {xname}: {nodes} node(s)"));
                }
            }
            DiscoveryEvent::Failed { target, error } => {
                if let Some(bar) = bar {
                    bar.inc(1);
                }
                self.line(&format!("failed {target}: {}", describe(target, error)));
            }
            DiscoveryEvent::Finished {
                discovered,
                failed,
                elapsed_ms,
            } if bar.is_none() => {
                self.line(&format!(
                    "discovered {discovered}, failed {failed} in {elapsed_ms} ms"
                ));
            }
            _ => {}
        }
    }

    /// Reports the write of one BMC.
    pub(crate) fn written(&self, inv: &BmcInventory, outcome: &WriteOutcome) {
        match outcome {
            WriteOutcome::Failed { error } => self.line(&format!(
                "write failed for {} ({}): {error}",
                inv.xname, inv.target
            )),
            WriteOutcome::Written { how } if matches!(self.mode, Mode::Lines) => {
                self.line(&format!("{how} {} ({})", inv.xname, inv.target))
            }
            _ => {}
        }
    }

    /// Counts an empty scanned address (no line of its own).
    pub(crate) fn absent(&self) {
        if let Mode::Bar(bar) = &self.mode {
            bar.inc(1);
        }
    }

    /// Removes the progress bar, if any.
    pub(crate) fn clear(&self) {
        if let Mode::Bar(bar) = &self.mode {
            bar.finish_and_clear();
        }
    }
}

/// `kind: message` without the target the message starts with (tables and log lines show
/// it already), and without the kind when the message starts with it.
fn describe(target: &ScanTarget, error: &TargetError) -> String {
    let prefix = format!("{target}: ");
    let message = error
        .message
        .strip_prefix(&prefix)
        .unwrap_or(&error.message);
    let kind = error.kind.as_str();
    if message.starts_with(kind) {
        message.to_owned()
    } else {
        format!("{kind}: {message}")
    }
}

/// The discovery report as JSON, each outcome with a `write` member, and the counts of
/// written and failed writes at the top.
pub(crate) fn json(run: &DiscoverRun) -> String {
    let mut value = match serde_json::to_value(&run.report) {
        Ok(v) => v,
        Err(e) => {
            return serde_json::json!({ "error": format!("cannot serialize the report: {e}") })
                .to_string();
        }
    };
    if let Some(outcomes) = value.get_mut("outcomes").and_then(|o| o.as_array_mut()) {
        for ((o, w), absent) in outcomes.iter_mut().zip(&run.writes).zip(&run.absent) {
            if let (Some(obj), Ok(w)) = (o.as_object_mut(), serde_json::to_value(w)) {
                obj.insert("write".into(), w);
                obj.insert("absent".into(), (*absent).into());
            }
        }
    }
    if let Some(obj) = value.as_object_mut() {
        let written = run
            .writes
            .iter()
            .filter(|w| matches!(w, WriteOutcome::Written { .. }))
            .count();
        let failed = run
            .writes
            .iter()
            .filter(|w| matches!(w, WriteOutcome::Failed { .. }))
            .count();
        let absent = run.absent.iter().filter(|a| **a).count();
        obj.insert("absent".into(), absent.into());
        obj.insert("written".into(), written.into());
        obj.insert("write_failed".into(), failed.into());
    }
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// Counts over a run: BMCs, nodes, MACs, failures by kind.
#[derive(Debug, Default)]
pub(crate) struct Totals {
    /// BMCs crawled.
    pub(crate) bmcs: usize,
    /// Nodes behind them.
    pub(crate) nodes: usize,
    /// Ethernet interfaces with a MAC.
    pub(crate) macs: usize,
    /// Scanned addresses without a Redfish service.
    pub(crate) absent: usize,
    /// Failures by kind (`unreachable`, `auth`, ..., `write`).
    pub(crate) failed: BTreeMap<String, usize>,
}

/// Totals of a run.
pub(crate) fn totals(run: &DiscoverRun) -> Totals {
    let mut t = Totals::default();
    for ((o, w), absent) in run.report.outcomes.iter().zip(&run.writes).zip(&run.absent) {
        if *absent {
            t.absent += 1;
            continue;
        }
        match &o.result {
            OutcomeResult::Discovered { inventory } => {
                t.bmcs += 1;
                t.nodes += inventory.nodes().len();
                t.macs += inventory.inventory.ethernet_interfaces.len();
                if matches!(w, WriteOutcome::Failed { .. }) {
                    *t.failed.entry("write".into()).or_default() += 1;
                }
            }
            OutcomeResult::Failed { error } => {
                *t.failed.entry(error.kind.to_string()).or_default() += 1
            }
        }
    }
    t
}

/// The human summary: one row per target, failures by kind, totals.
pub(crate) fn summary(run: &DiscoverRun) -> String {
    let mut rows = vec![[
        "TARGET".to_owned(),
        "XNAME".into(),
        "NODES".into(),
        "MACS".into(),
        "RESULT".into(),
    ]];
    for ((o, w), absent) in run.report.outcomes.iter().zip(&run.writes).zip(&run.absent) {
        if *absent {
            continue;
        }
        let xname = o.xname.map(|x| x.to_string()).unwrap_or_else(|| "-".into());
        let row = match &o.result {
            OutcomeResult::Discovered { inventory } => {
                let result = match w {
                    WriteOutcome::Skipped => "discovered".to_owned(),
                    WriteOutcome::Written { how } => (*how).to_owned(),
                    WriteOutcome::Failed { error } => format!("write failed: {error}"),
                };
                [
                    o.target.to_string(),
                    xname,
                    inventory.nodes().len().to_string(),
                    inventory.inventory.ethernet_interfaces.len().to_string(),
                    result,
                ]
            }
            OutcomeResult::Failed { error } => [
                o.target.to_string(),
                xname,
                "-".into(),
                "-".into(),
                describe(&o.target, error),
            ],
        };
        rows.push(row);
    }
    let mut out = table(&rows);
    let t = totals(run);
    let _ = writeln!(
        out,
        "\n{} target(s): {} BMC(s) found, {} node(s), {} MAC(s) in {:.1} s",
        run.report.targets,
        t.bmcs,
        t.nodes,
        t.macs,
        run.report.elapsed_ms as f64 / 1000.0
    );
    if t.absent > 0 {
        let _ = writeln!(
            out,
            "no Redfish service: {} scanned address(es) (not listed, not failures)",
            t.absent
        );
    }
    if !t.failed.is_empty() {
        let by_kind: Vec<String> = t.failed.iter().map(|(k, n)| format!("{k} {n}")).collect();
        let _ = writeln!(out, "failed: {}", by_kind.join(", "));
    }
    out
}

/// A left-aligned text table; the last column is not padded.
pub(crate) fn table<const N: usize>(rows: &[[String; N]]) -> String {
    let mut widths = [0usize; N];
    for r in rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, (cell, w)) in r.iter().zip(widths).enumerate() {
            if i + 1 == N {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<w$}  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ochami_redfish::{ErrorKind, Scheme};

    #[test]
    fn table_pads_every_column_but_the_last() {
        let rows = [
            ["TARGET".to_owned(), "XNAME".into(), "RESULT".into()],
            ["http://h:1".to_owned(), "x1000c0s1b0".into(), "ok".into()],
        ];
        assert_eq!(
            table(&rows),
            "TARGET      XNAME        RESULT\nhttp://h:1  x1000c0s1b0  ok\n"
        );
    }

    #[test]
    fn describe_drops_the_repeated_target_and_kind() {
        let target = ScanTarget::new(Scheme::Https, "10.0.0.5", 443);
        let refused = TargetError {
            kind: ErrorKind::Unreachable,
            message: "https://10.0.0.5:443: unreachable: connection refused".into(),
        };
        assert_eq!(
            describe(&target, &refused),
            "unreachable: connection refused"
        );
        let status = TargetError {
            kind: ErrorKind::Protocol,
            message: "https://10.0.0.5:443: GET /redfish/v1/Systems answered HTTP 500".into(),
        };
        assert_eq!(
            describe(&target, &status),
            "protocol: GET /redfish/v1/Systems answered HTTP 500"
        );
    }
}
