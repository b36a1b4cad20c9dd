//! `nasviz info`: says what a file holds.

use crate::arch::nb101::Cell;
use crate::fmt::{fmt_duration, fmt_int, fmt_pct};
use crate::table::nbgraph::{NbGraphTable, OpSet};
use crate::trace::engine::StorageKind;
use crate::trace::open::{kind_as, Format, Kind};
use std::collections::HashSet;
use std::fmt::Write;
use std::path::Path;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum InfoError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {what}")]
    Unknown { path: String, what: String },
    #[error(transparent)]
    Table(#[from] crate::table::TableError),
    #[error(transparent)]
    Trace(#[from] crate::trace::TraceError),
}

/// A NAS-Bench-101 TFRecord: its records, and the cells at 108 epochs.
fn describe_tfrecord(path: &Path, shown: &str) -> Result<String, InfoError> {
    let mut last = None;
    let t = crate::table::nb101::Nb101Table::import_tfrecord(path, 108, &mut |p| last = Some(p))?;
    let mut s = format!("{shown}: NAS-Bench-101 TFRecord\n");
    if let Some(p) = last {
        let _ = writeln!(s, "records:    {}", fmt_int(p.records as usize));
        let _ = writeln!(
            s,
            "at 108 epochs: {} cells ({} records of other budgets)",
            fmt_int(t.len()),
            fmt_int(p.skipped as usize)
        );
    }
    let _ = writeln!(
        s,
        "convert:    nasviz import nb101-tfrecord {shown} -o nb101.nb101 (--epochs 4, 12, 36 or 108)"
    );
    Ok(s)
}

/// A human-readable description of the file at `path`.
pub fn describe(path: &Path) -> Result<String, InfoError> {
    describe_as(path, None)
}

/// [`describe`], reading the file in `format` when one is named. What the
/// file is is judged as every command judges it (`trace::open::kind_as`):
/// a file that is not what `format` names is refused.
pub fn describe_as(path: &Path, format: Option<Format>) -> Result<String, InfoError> {
    let shown = path.display().to_string();
    if let Some(Format::Naslib | Format::Dashboard) = format {
        let t = crate::trace::open::open_as(path, format)?;
        return Ok(describe_trace(&t, &shown, false));
    }
    // traces and TFRecords are streamed, not read whole (gigabytes)
    let kind = kind_as(path, format)?;
    match kind {
        Kind::TfRecord => return describe_tfrecord(path, &shown),
        Kind::Native => {
            let (trace, stats, _) = crate::trace::cache::read_trace_cached(path)?;
            check_links(&trace, path, &shown)?;
            return Ok(describe_trace(&trace, &shown, stats.partial_tail));
        }
        k if k.engine().is_some() => return describe_storage(path, &shown, k),
        _ => {}
    }
    let bytes = std::fs::read(path).map_err(|source| InfoError::Io {
        path: shown.clone(),
        source,
    })?;
    match kind {
        Kind::NbGraphTable | Kind::Nb101Table | Kind::Pickle => {
            describe_table(path, &shown, kind, &bytes)
        }
        _ => describe_text(path, shown, &bytes),
    }
}

/// A file judged to be text: a JSON document (NAS-Bench-101 records, a
/// NASLib result, the dashboard's records), a nasviz trace, or JSON Lines
/// of NAS-Bench-101 cells.
fn describe_text(path: &Path, shown: String, bytes: &[u8]) -> Result<String, InfoError> {
    let text = std::str::from_utf8(bytes).map_err(|e| InfoError::Unknown {
        path: shown.clone(),
        what: format!("not a known binary format and not UTF-8 text ({e})"),
    })?;
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(InfoError::Unknown {
            path: shown,
            what: "the file is empty".into(),
        });
    }
    // a single JSON document?
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
        if let Some(s) = describe_json(&v, &shown) {
            // every record must be valid, not only the first fields
            if v.get("arch_eval").is_some() {
                let run = crate::trace::import::naslib_nb201(path, None, None)?;
                return Ok(format!(
                    "{s}valid:      all {} records (architecture, accuracies, time)\n",
                    fmt_int(run.trials.len())
                ));
            }
            return Ok(s);
        }
        if v.as_array()
            .is_some_and(|a| a.iter().any(|r| r.get("layers").is_some()))
        {
            let run = crate::trace::import::dashboard_records(path, "dashboard")?;
            return Ok(format!(
                "{shown}: the original dashboard's records\nrecords:    {}\n",
                fmt_int(run.trials.len())
            ));
        }
    }
    // a nasviz trace?
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if serde_json::from_str::<serde_json::Value>(first)
        .ok()
        .is_some_and(|v| v.get("kind").is_some())
    {
        let (trace, stats) = crate::trace::jsonl::read_trace_from(text.as_bytes(), &shown)?;
        return Ok(describe_trace(&trace, &shown, stats.partial_tail));
    }
    describe_cell_lines(text, shown)
}

/// JSON Lines of NAS-Bench-101 cells, each checked and hashed.
fn describe_cell_lines(text: &str, shown: String) -> Result<String, InfoError> {
    let mut cells = 0usize;
    let mut invalid = 0usize;
    let mut why: Vec<String> = Vec::new();
    let mut other = 0usize;
    let mut distinct = HashSet::new();
    let mut lines = 0usize;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        lines += 1;
        match serde_json::from_str::<serde_json::Value>(line) {
            Ok(v) if v.get("matrix").is_some() && v.get("ops").is_some() => {
                cells += 1;
                match Cell::from_json(&v).and_then(|c| c.hash()) {
                    Ok(h) => {
                        distinct.insert(h);
                    }
                    Err(e) => {
                        invalid += 1;
                        if why.len() < 5 {
                            why.push(format!("{shown}:{lines}: {e}"));
                        }
                    }
                }
            }
            Ok(_) => other += 1,
            Err(_) => {
                return Err(InfoError::Unknown {
                    path: shown,
                    what: format!(
                        "line {}: not JSON, and not a file format nasviz knows",
                        lines
                    ),
                })
            }
        }
    }
    if cells > 0 && other == 0 && invalid > 0 {
        return Err(InfoError::Unknown {
            path: shown,
            what: format!(
                "NAS-Bench-101 cells, {} of {} invalid:\n{}",
                fmt_int(invalid),
                fmt_int(cells),
                why.join("\n")
            ),
        });
    }
    if cells > 0 && other == 0 {
        return Ok(format!(
            "{shown}: NAS-Bench-101 cells, JSON Lines\ncells:      {}\nvalid:      {} ({} distinct architectures)\ninvalid:    {}\n",
            fmt_int(cells),
            fmt_int(cells - invalid),
            fmt_int(distinct.len()),
            fmt_int(invalid)
        ));
    }
    Err(InfoError::Unknown {
        path: shown,
        what: "JSON, but not a file format nasviz knows (expected NB-101 cells, NB-101 records, a NASLib search result or a benchmark table)".into(),
    })
}

/// What an engine's storage holds: its studies, their trials by state,
/// what was not drawn, lines skipped (an error when any), and the command
/// that converts it.
fn describe_storage(path: &Path, shown: &str, kind: Kind) -> Result<String, InfoError> {
    let r = crate::trace::open::read_storage_of(path, kind, None)?;
    let n = fmt_int(r.journal.trials.len());
    let what = match r.kind {
        StorageKind::OptunaJournal => format!("{} lines", fmt_int(r.journal.lines)),
        StorageKind::RayExperiment => format!("{n} trial folders"),
        StorageKind::NniDb => format!("{n} parameter sets"),
        StorageKind::OptunaDb { .. } => format!("{n} trials"),
    };
    let mut s = format!(
        "{shown}: {}, {what}, {} studies\n",
        r.kind,
        r.journal.studies.iter().filter(|s| !s.deleted).count()
    );
    for l in r.summary() {
        let _ = writeln!(s, "{l}");
    }
    for l in r.journal.skipped.iter().take(10) {
        let _ = writeln!(s, "skipped: {l}");
    }
    if r.journal.skipped.len() > 10 {
        let _ = writeln!(s, "skipped: {} more lines", r.journal.skipped.len() - 10);
    }
    let _ = writeln!(
        s,
        "convert:    nasviz import {} {shown} -o trace.jsonl (render and view read it as it is)",
        r.kind.engine().command()
    );
    if !r.journal.skipped.is_empty() {
        return Err(InfoError::Unknown {
            path: shown.to_string(),
            what: format!("{} unreadable lines skipped:\n{s}", r.journal.skipped.len()),
        });
    }
    Ok(s)
}

/// A benchmark table (nasviz's `.nbt` or `.nb101`, or the NAS-Bench-Graph
/// package's pickle) described. A pickle that is not the package's
/// benchmark is refused as every command refuses it, with the command that
/// converts one; a `.bench` file says where it breaks.
fn describe_table(path: &Path, shown: &str, kind: Kind, bytes: &[u8]) -> Result<String, InfoError> {
    if kind == Kind::NbGraphTable {
        let t = NbGraphTable::from_bytes(bytes, shown)?;
        return Ok(describe_nbgraph(&t, shown, "nasviz benchmark table (.nbt)"));
    }
    if kind == Kind::Nb101Table {
        let t = crate::table::nb101::Nb101Table::from_bytes(bytes, shown)?;
        let mut s = format!("{shown}: NAS-Bench-101 table (.nb101)\n");
        let _ = writeln!(s, "space:      nb101, {} epochs", t.epochs());
        let _ = writeln!(s, "cells:      {}", fmt_int(t.len()));
        if let Some((h, m)) = t.best_by_test() {
            write_best(&mut s, h, m.test_acc, m.val_acc);
        }
        return Ok(s);
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match NbGraphTable::from_bench_bytes(bytes, &stem, OpSet::for_dataset(&stem), shown) {
        Ok(t) => {
            let mut s = describe_nbgraph(&t, shown, "NAS-Bench-Graph package benchmark (pickle)");
            let _ = writeln!(
                s,
                "convert:    nasviz import nas-bench-graph {shown} -o {stem}.nbt"
            );
            Ok(s)
        }
        Err(e) if path.extension().is_some_and(|e| e == "bench") => Err(e.into()),
        Err(_) => Err(InfoError::Unknown {
            path: shown.to_string(),
            what: Kind::Pickle.not_a_trace(shown).unwrap_or_default(),
        }),
    }
}

/// The best architecture by test accuracy, as a line of a description.
fn write_best(s: &mut String, hash: impl std::fmt::Display, test: f64, val: f64) {
    let _ = writeln!(
        s,
        "best test:  {} (hash {hash}, validation {})",
        fmt_pct(test),
        fmt_pct(val)
    );
}

fn describe_json(v: &serde_json::Value, shown: &str) -> Option<String> {
    if let Some(arr) = v.as_array() {
        let records = arr
            .iter()
            .filter(|r| r.get("module_adjacency").is_some() && r.get("module_operations").is_some())
            .count();
        if records > 0 && records == arr.len() {
            let with_hash = arr.iter().filter(|r| r.get("hash").is_some()).count();
            let mut matching = 0;
            for r in arr {
                let ok = Cell::from_json(r).and_then(|c| c.hash()).ok();
                if let (Some(h), Some(want)) = (ok, r.get("hash").and_then(|h| h.as_str())) {
                    if h.to_string() == want {
                        matching += 1;
                    }
                }
            }
            return Some(format!(
                "{shown}: NAS-Bench-101 records (NASLib / nasbench API format)\nrecords:    {}\nwith hash:  {} ({} equal to the canonical hash)\n",
                fmt_int(arr.len()),
                fmt_int(with_hash),
                fmt_int(matching)
            ));
        }
    }
    if let Some(evals) = v.get("arch_eval").and_then(|a| a.as_array()) {
        return Some(format!(
            "{shown}: NASLib NAS-Bench-201 search result\nevaluations: {}\n",
            fmt_int(evals.len())
        ));
    }
    None
}

/// Whether a line (parsed) is the one sought.
type LineMatch = Box<dyn Fn(&serde_json::Value) -> bool>;

/// A record that reads but does not hold together with the rest.
enum Loose {
    /// Trial `trial` of run `run` names `parent`, not a trial of the run
    /// recorded before it.
    Parent {
        run: String,
        trial: u64,
        parent: u64,
    },
    /// A steer event of run `run` at a step past the run's last.
    Steer {
        run: String,
        step: u64,
        action: String,
        last: usize,
    },
}

/// Fails on the first trial whose parent is not a trial of its run
/// recorded before it, or steer event at a step the run does not have,
/// naming its line of `path` (found by reading the file again, only then).
fn check_links(trace: &crate::trace::Trace, path: &Path, shown: &str) -> Result<(), InfoError> {
    let mut loose = None;
    'runs: for run in &trace.runs {
        for (i, t) in run.trials.iter().enumerate() {
            if let Some(&p) = t
                .parents
                .iter()
                .find(|&&p| run.position(p).is_none_or(|q| q >= i))
            {
                loose = Some(Loose::Parent {
                    run: run.info.run_id.clone(),
                    trial: t.trial_id,
                    parent: p,
                });
                break 'runs;
            }
        }
        let last = run.trials.len().max(1) - 1;
        if let Some(st) = run.steers.iter().find(|s| s.step as usize > last) {
            loose = Some(Loose::Steer {
                run: run.info.run_id.clone(),
                step: st.step,
                action: st.action.clone(),
                last,
            });
            break;
        }
    }
    let Some(loose) = loose else { return Ok(()) };
    let (what, wanted): (String, LineMatch) = match loose {
        Loose::Parent { run, trial, parent } => (
            format!(
                "trial {trial} names parent {parent}, which is not a trial of run {run:?} recorded before it"
            ),
            Box::new(move |v| {
                v["kind"] == "trial" && v["run_id"] == run.as_str() && v["trial_id"] == trial
            }),
        ),
        Loose::Steer {
            run,
            step,
            action,
            last,
        } => (
            format!(
                "steer event {action:?} at step {step}, but run {run:?} ends at step {last} (steps count from 0 in the file)"
            ),
            Box::new(move |v| {
                v["kind"] == "steer"
                    && v["run_id"] == run.as_str()
                    && v["step"] == step
                    && v["action"] == action.as_str()
            }),
        ),
    };
    let io = |source| InfoError::Io {
        path: shown.to_string(),
        source,
    };
    use std::io::BufRead;
    let f = std::io::BufReader::new(std::fs::File::open(path).map_err(io)?);
    for (n, line) in f.lines().enumerate() {
        let line = line.map_err(io)?;
        let hit = serde_json::from_str::<serde_json::Value>(&line).is_ok_and(|v| wanted(&v));
        if hit {
            return Err(InfoError::Unknown {
                path: format!("{shown}:{}", n + 1),
                what,
            });
        }
    }
    Err(InfoError::Unknown {
        path: shown.to_string(),
        what,
    })
}

fn describe_trace(trace: &crate::trace::Trace, shown: &str, partial: bool) -> String {
    let mut s = format!(
        "{shown}: nasviz trace (JSON Lines), {} run(s), {} trials\n",
        trace.runs.len(),
        fmt_int(trace.trial_count())
    );
    for run in &trace.runs {
        let i = &run.info;
        let _ = writeln!(
            s,
            "run {}: {} on {} ({}){}",
            i.run_id,
            i.strategy,
            if i.benchmark.is_empty() {
                "?"
            } else {
                &i.benchmark
            },
            i.space,
            i.seed.map(|x| format!(", seed {x}")).unwrap_or_default()
        );
        let users = run
            .trials
            .iter()
            .filter(|t| t.source == crate::trace::Source::User)
            .count();
        let _ = writeln!(
            s,
            "  trials:     {} ({} by the user, {} steer events)",
            fmt_int(run.trials.len()),
            fmt_int(users),
            fmt_int(run.steers.len())
        );
        let a = crate::analysis::Analytics::of_run(run);
        if let Some(st) = a.step(run.trials.len().saturating_sub(1)) {
            let b = &run.trials[st.best];
            let _ = writeln!(
                s,
                "  best:       trial {} by validation {}, test {}",
                b.trial_id,
                fmt_pct(b.metrics.val_acc),
                fmt_pct(b.metrics.test_acc)
            );
            let max_test = run
                .trials
                .iter()
                .map(|t| t.metrics.test_acc)
                .fold(f64::NEG_INFINITY, f64::max);
            let _ = writeln!(s, "  max test:   {}", fmt_pct(max_test));
            if let Some(e) = st.most_effective {
                let _ = writeln!(
                    s,
                    "  most effective layer added: {} ({} validation at step {})",
                    a.op_name(e.op),
                    crate::fmt::fmt_pp(e.gain),
                    fmt_int(e.step + 1)
                );
            }
        }
        if let Some(t) = run.trials.last().and_then(|t| t.time_s) {
            let _ = writeln!(s, "  simulated time: {}", fmt_duration(t));
        }
    }
    if partial {
        let _ = writeln!(
            s,
            "(the last line is incomplete: the file may still be being written)"
        );
    }
    s
}

fn describe_nbgraph(t: &NbGraphTable, shown: &str, kind: &str) -> String {
    let mut s = format!("{shown}: {kind}\n");
    let _ = writeln!(
        s,
        "space:      nbgraph (NAS-Bench-Graph, op set {})",
        t.op_set().name()
    );
    let _ = writeln!(s, "dataset:    {}", t.dataset());
    let _ = writeln!(s, "archs:      {}", fmt_int(t.len()));
    if let Some((h, m)) = t.best_by_test() {
        write_best(&mut s, h, m.test_acc, m.val_acc);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(fmt_int(0), "0");
        assert_eq!(fmt_int(999), "999");
        assert_eq!(fmt_int(1000), "1,000");
        assert_eq!(fmt_int(26206), "26,206");
        assert_eq!(fmt_int(1234567), "1,234,567");
        assert_eq!(fmt_pct(0.8313), "83.13%");
        assert_eq!(fmt_duration(59.4), "59s");
        assert_eq!(fmt_duration(93784.0), "1d 2h 3m");
        assert_eq!(fmt_duration(3700.0), "1h 1m");
    }
}
