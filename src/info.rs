//! `nasviz info`: says what a file holds.

use crate::arch::nb101::Cell;
use crate::fmt::{fmt_duration, fmt_int, fmt_pct};
use crate::table::nbgraph::{NbGraphTable, OpSet};
use crate::trace::cache::{read_columns_with, read_with, CacheOptions, ColumnRun};
use crate::trace::engine::StorageKind;
use crate::trace::open::{kind_as, Format, Kind};
use crate::trace::{Parents, Run, RunInfo, Steer, Trace};
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
        Kind::Native => return describe_native(path, &shown, &CacheOptions::default()),
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

/// A native trace described: from its cache's columns when it has a valid
/// cache (no trial is built), else read (and its cache written). Fails on
/// the first trial whose parent is not a trial of its run recorded before
/// it, or steer event at a step the run does not have, naming its line.
fn describe_native(path: &Path, shown: &str, opts: &CacheOptions) -> Result<String, InfoError> {
    // a cache that does not read as it should: the trace itself decides
    let (mut runs, partial) = match summarize_columns(path, opts)? {
        Some(Ok(runs)) => (runs, false),
        _ => {
            let (trace, stats, _) = read_with(path, opts)?;
            let runs = summarize_trace(&trace);
            // a million trials take a while to free: freed beside, while
            // the description is written (or inline, without a thread)
            let _ = std::thread::Builder::new().spawn(move || drop(trace));
            (runs, stats.partial_tail)
        }
    };
    if let Some(loose) = runs.iter_mut().find_map(|r| r.loose.take()) {
        return Err(loose_error(loose, path, shown));
    }
    Ok(write_summary(&runs, shown, partial))
}

/// The error of a `loose` record, at its line of `path` (found by reading
/// the file again, only then).
fn loose_error(loose: Loose, path: &Path, shown: &str) -> InfoError {
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
    match line_of(path, &wanted) {
        Ok(Some(n)) => InfoError::Unknown {
            path: format!("{shown}:{n}"),
            what,
        },
        Ok(None) => InfoError::Unknown {
            path: shown.to_string(),
            what,
        },
        Err(source) => InfoError::Io {
            path: shown.to_string(),
            source,
        },
    }
}

/// The number (from 1) of the first line of `path` that is the one sought.
fn line_of(path: &Path, wanted: &LineMatch) -> std::io::Result<Option<usize>> {
    use std::io::BufRead;
    let f = std::io::BufReader::new(std::fs::File::open(path)?);
    for (n, line) in f.lines().enumerate() {
        let line = line?;
        if serde_json::from_str::<serde_json::Value>(&line).is_ok_and(|v| wanted(&v)) {
            return Ok(Some(n + 1));
        }
    }
    Ok(None)
}

/// A run's trials as `info` reads them: a run in memory, or its cache's
/// columns (nothing built per trial).
trait Trials {
    fn info(&self) -> &RunInfo;
    fn steers(&self) -> &[Steer];
    fn len(&self) -> usize;
    /// The position of a trial by id.
    fn position(&self, id: u64) -> Option<usize>;
    fn trial_id(&self, i: usize) -> u64;
    fn val_acc(&self, i: usize) -> f64;
    fn test_acc(&self, i: usize) -> f64;
    fn time_s(&self, i: usize) -> Option<f64>;
    fn by_user(&self, i: usize) -> bool;
    /// The next trial's parents: trial 0's first, then trial after trial.
    fn next_parents(&mut self) -> Result<Parents, String>;
    /// The layer the step from trial `old` to trial `new` (whose parents
    /// are `parents`) is credited with (`analysis::credited_layer`).
    fn credited(
        &mut self,
        old: usize,
        new: usize,
        parents: Parents,
    ) -> Result<Option<String>, String>;
}

/// A run in memory, its trials' parents read in order.
struct InMemory<'r> {
    run: &'r Run,
    next: usize,
}

impl Trials for InMemory<'_> {
    fn info(&self) -> &RunInfo {
        &self.run.info
    }
    fn steers(&self) -> &[Steer] {
        &self.run.steers
    }
    fn len(&self) -> usize {
        self.run.trials.len()
    }
    fn position(&self, id: u64) -> Option<usize> {
        self.run.position(id)
    }
    fn trial_id(&self, i: usize) -> u64 {
        self.run.trials.id(i).unwrap_or(0)
    }
    fn val_acc(&self, i: usize) -> f64 {
        self.run.trials.val_accs()[i]
    }
    fn test_acc(&self, i: usize) -> f64 {
        self.run.trials.test_accs()[i]
    }
    fn time_s(&self, i: usize) -> Option<f64> {
        self.run.trials.time_s(i)
    }
    fn by_user(&self, i: usize) -> bool {
        self.run.trials.sources()[i] == crate::trace::Source::User
    }
    fn next_parents(&mut self) -> Result<Parents, String> {
        let p = Parents::from(self.run.trials.parents(self.next));
        self.next += 1;
        Ok(p)
    }
    fn credited(&mut self, old: usize, new: usize, _: Parents) -> Result<Option<String>, String> {
        let t = &self.run.trials;
        Ok(crate::analysis::credited_layer(t.at(old), t.at(new)))
    }
}

/// A run of a cache, read in place.
struct Columns<'c, 'a>(&'c mut ColumnRun<'a>);

impl Trials for Columns<'_, '_> {
    fn info(&self) -> &RunInfo {
        &self.0.info
    }
    fn steers(&self) -> &[Steer] {
        &self.0.steers
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn position(&self, id: u64) -> Option<usize> {
        self.0.position(id)
    }
    fn trial_id(&self, i: usize) -> u64 {
        self.0.trial_id(i)
    }
    fn val_acc(&self, i: usize) -> f64 {
        self.0.val_acc(i)
    }
    fn test_acc(&self, i: usize) -> f64 {
        self.0.test_acc(i)
    }
    fn time_s(&self, i: usize) -> Option<f64> {
        self.0.time_s(i)
    }
    fn by_user(&self, i: usize) -> bool {
        self.0.by_user(i)
    }
    fn next_parents(&mut self) -> Result<Parents, String> {
        self.0.next_parents()
    }
    fn credited(
        &mut self,
        old: usize,
        new: usize,
        parents: Parents,
    ) -> Result<Option<String>, String> {
        // the credit reads the new trial's edit and parents, and the
        // architectures of both
        let new = self.0.trial(new, parents)?;
        let old = self.0.trial(old, Parents::none())?;
        Ok(crate::analysis::credited_layer(
            old.trial_ref(),
            new.trial_ref(),
        ))
    }
}

/// What `info` says of one run.
struct Summary {
    info: RunInfo,
    trials: usize,
    users: usize,
    steers: usize,
    /// The best trial by validation: id, validation and test accuracy.
    best: Option<(u64, f64, f64)>,
    max_test: f64,
    /// The most effective layer added: op, validation gain, position.
    effective: Option<(String, f64, usize)>,
    last_time: Option<f64>,
    /// The first record that does not hold together with the rest.
    loose: Option<Loose>,
}

/// The summary of every run of the trace at `path` from its cache's
/// columns; `None` without a valid cache, an error where a text of the
/// cache does not read.
fn summarize_columns(
    path: &Path,
    opts: &CacheOptions,
) -> Result<Option<Result<Vec<Summary>, String>>, InfoError> {
    Ok(read_columns_with(path, opts, |runs| {
        runs.iter_mut()
            .map(|r| summarize(&mut Columns(r)))
            .collect()
    })?)
}

/// The summary of every run of `trace`.
fn summarize_trace(trace: &Trace) -> Vec<Summary> {
    trace
        .runs
        .iter()
        .map(|run| summarize(&mut InMemory { run, next: 0 }))
        .collect::<Result<_, _>>()
        .unwrap_or_default()
}

/// A run summed up in one pass over its trials, as `Analytics` sees its
/// last step: the best trial by validation (the first of equals), and the
/// most effective layer added (the largest validation gain of a step
/// credited with a layer, the first of equals; only the steps that would
/// beat the one so far are asked for their layer).
fn summarize(run: &mut impl Trials) -> Result<Summary, String> {
    let n = run.len();
    let (mut users, mut best, mut max_test) = (0, None::<usize>, f64::NEG_INFINITY);
    let mut effective: Option<(String, f64, usize)> = None;
    let mut loose = None;
    for i in 0..n {
        let parents = run.next_parents()?;
        if loose.is_none() {
            let bad = parents
                .iter()
                .find(|&&p| run.position(p).is_none_or(|q| q >= i));
            loose = bad.map(|&parent| Loose::Parent {
                run: run.info().run_id.clone(),
                trial: run.trial_id(i),
                parent,
            });
        }
        let reference = match parents.first() {
            Some(&p) => run.position(p).filter(|&q| q < i),
            None => i.checked_sub(1),
        };
        let val = run.val_acc(i);
        if let Some(r) = reference {
            let gain = val - run.val_acc(r);
            if gain > 0.0 && effective.as_ref().is_none_or(|e| gain > e.1) {
                if let Some(op) = run.credited(r, i, parents)? {
                    effective = Some((op, gain, i));
                }
            }
        }
        best = match best {
            Some(b) if run.val_acc(b) >= val => Some(b),
            _ => Some(i),
        };
        max_test = max_test.max(run.test_acc(i));
        users += usize::from(run.by_user(i));
    }
    let last = n.max(1) - 1;
    if loose.is_none() {
        loose = run
            .steers()
            .iter()
            .find(|s| s.step as usize > last)
            .map(|s| Loose::Steer {
                run: run.info().run_id.clone(),
                step: s.step,
                action: s.action.clone(),
                last,
            });
    }
    Ok(Summary {
        info: run.info().clone(),
        trials: n,
        users,
        steers: run.steers().len(),
        best: best.map(|b| (run.trial_id(b), run.val_acc(b), run.test_acc(b))),
        max_test,
        effective,
        last_time: n.checked_sub(1).and_then(|i| run.time_s(i)),
        loose,
    })
}

fn describe_trace(trace: &Trace, shown: &str, partial: bool) -> String {
    write_summary(&summarize_trace(trace), shown, partial)
}

/// What `info` prints of a trace whose runs are `runs`.
fn write_summary(runs: &[Summary], shown: &str, partial: bool) -> String {
    let mut s = format!(
        "{shown}: nasviz trace (JSON Lines), {} run(s), {} trials\n",
        runs.len(),
        fmt_int(runs.iter().map(|r| r.trials).sum())
    );
    for run in runs {
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
        let _ = writeln!(
            s,
            "  trials:     {} ({} by the user, {} steer events)",
            fmt_int(run.trials),
            fmt_int(run.users),
            fmt_int(run.steers)
        );
        if let Some((id, val, test)) = run.best {
            let _ = writeln!(
                s,
                "  best:       trial {id} by validation {}, test {}",
                fmt_pct(val),
                fmt_pct(test)
            );
            let _ = writeln!(s, "  max test:   {}", fmt_pct(run.max_test));
            if let Some((op, gain, step)) = &run.effective {
                let _ = writeln!(
                    s,
                    "  most effective layer added: {op} ({} validation at step {})",
                    crate::fmt::fmt_pp(*gain),
                    fmt_int(step + 1)
                );
            }
        }
        if let Some(t) = run.last_time {
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

    /// What `info` found before runs were summed up in one pass: every step
    /// through `Analytics`, every link checked on the trace read whole. The
    /// one pass, over a run in memory or over its cache's columns, must find
    /// the same (and the text is then the same; `golden` checks the text).
    mod oracle {
        use super::*;

        /// The first record that does not hold together with the rest.
        pub(super) fn loose(trace: &Trace) -> Option<Loose> {
            for run in &trace.runs {
                for (i, t) in run.trials.iter().enumerate() {
                    if let Some(&p) = t
                        .parents
                        .iter()
                        .find(|&&p| run.position(p).is_none_or(|q| q >= i))
                    {
                        return Some(Loose::Parent {
                            run: run.info.run_id.clone(),
                            trial: t.trial_id,
                            parent: p,
                        });
                    }
                }
                let last = run.trials.len().max(1) - 1;
                if let Some(st) = run.steers.iter().find(|s| s.step as usize > last) {
                    return Some(Loose::Steer {
                        run: run.info.run_id.clone(),
                        step: st.step,
                        action: st.action.clone(),
                        last,
                    });
                }
            }
            None
        }

        /// A run summed up through its analytics' last step.
        pub(super) fn summary(run: &Run) -> Summary {
            let a = crate::analysis::Analytics::of_run(run);
            let last = a.step(run.trials.len().saturating_sub(1));
            let t = |i: usize| run.trials.at(i);
            Summary {
                info: run.info.clone(),
                trials: run.trials.len(),
                users: run
                    .trials
                    .iter()
                    .filter(|t| t.source == crate::trace::Source::User)
                    .count(),
                steers: run.steers.len(),
                best: last.map(|st| {
                    let b = t(st.best);
                    (b.trial_id, b.metrics.val_acc, b.metrics.test_acc)
                }),
                max_test: run
                    .trials
                    .iter()
                    .map(|t| t.metrics.test_acc)
                    .fold(f64::NEG_INFINITY, f64::max),
                effective: last
                    .and_then(|st| st.most_effective)
                    .map(|e| (a.op_name(e.op).to_string(), e.gain, e.step)),
                last_time: run.trials.last().and_then(|t| t.time_s),
                loose: None,
            }
        }

        /// What `info` said of the trace at `path`.
        pub(super) fn describe(path: &Path, shown: &str) -> Result<String, InfoError> {
            let (trace, stats) = crate::trace::jsonl::read_trace(path)?;
            if let Some(l) = loose(&trace) {
                return Err(loose_error(l, path, shown));
            }
            let runs: Vec<Summary> = trace.runs.iter().map(summary).collect();
            Ok(write_summary(&runs, shown, stats.partial_tail))
        }
    }

    /// A trace with every line `info` writes (two runs and an empty one, a
    /// user's edit and its steer event, an edit credited with a layer and
    /// a layer list one layer apart, ties, times), and what `info` said of
    /// it before runs were summed up in one pass.
    const GOLDEN: &str = r#"{"kind":"run","run_id":"evo","strategy":"regularized_evolution","space":"nbgraph","benchmark":"nas-bench-graph/cora","seed":3}
{"kind":"trial","run_id":"evo","trial_id":0,"step":0,"time_s":12.5,"arch":{"space":"nbgraph","links":[0,0,1,2],"ops":["gcn","gat","sage","fc"]},"hash":"1","metrics":{"val_acc":0.70,"test_acc":0.69},"source":"search"}
{"kind":"trial","run_id":"evo","trial_id":1,"step":1,"time_s":30.0,"arch":{"space":"nbgraph","links":[0,0,1,2],"ops":["gcn","gat","sage","gin"]},"hash":"2","metrics":{"val_acc":0.74,"test_acc":0.735},"source":"search"}
{"kind":"trial","run_id":"evo","trial_id":2,"step":2,"time_s":3700.0,"parents":[1],"mutation":{"op":"change_op","node":3,"to":"cheb"},"arch":{"space":"nbgraph","links":[0,0,1,2],"ops":["gcn","gat","cheb","gin"]},"hash":"3","metrics":{"val_acc":0.7950,"test_acc":0.78},"source":"user"}
{"kind":"steer","run_id":"evo","step":2,"action":"change_op","base":1,"trial_id":2}
{"kind":"trial","run_id":"evo","trial_id":3,"step":3,"time_s":93784.0,"parents":[2],"mutation":{"op":"remove_node","node":1},"arch":{"space":"nbgraph","links":[0,0,1,2],"ops":["gcn","skip","cheb","gin"]},"metrics":{"val_acc":0.7950,"test_acc":0.81},"source":"search"}
{"kind":"run","run_id":"rs","strategy":"random_search","space":"sequential"}
{"kind":"trial","run_id":"rs","trial_id":10,"step":0,"arch":{"space":"sequential","layers":["conv3x3","relu"]},"metrics":{"val_acc":0.5,"test_acc":0.4},"source":"search"}
{"kind":"trial","run_id":"rs","trial_id":11,"step":1,"arch":{"space":"sequential","layers":["conv3x3","relu","dropout"]},"metrics":{"val_acc":0.6,"test_acc":0.45},"source":"search"}
{"kind":"trial","run_id":"rs","trial_id":12,"step":2,"arch":{"space":"sequential","layers":["conv1x1"]},"metrics":{"val_acc":0.6,"test_acc":0.3},"source":"search"}
{"kind":"run","run_id":"empty","strategy":"random_search","space":"nb201"}
"#;

    /// A fresh folder for a test's traces, and cache options that cache
    /// any trace there.
    fn scratch(name: &str) -> (std::path::PathBuf, CacheOptions) {
        let dir = std::env::temp_dir().join(format!("nasviz-info-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let opts = CacheOptions {
            dir: Some(dir.join("cache")),
            min_bytes: 0,
        };
        (dir, opts)
    }

    const GOLDEN_SAID: &str = "FILE: nasviz trace (JSON Lines), 3 run(s), 7 trials
run evo: regularized_evolution on nas-bench-graph/cora (nbgraph), seed 3
  trials:     4 (1 by the user, 1 steer events)
  best:       trial 2 by validation 79.50%, test 78.00%
  max test:   81.00%
  most effective layer added: cheb (+5.50 pp validation at step 3)
  simulated time: 1d 2h 3m
run rs: random_search on ? (sequential)
  trials:     3 (0 by the user, 0 steer events)
  best:       trial 11 by validation 60.00%, test 45.00%
  max test:   45.00%
  most effective layer added: dropout (+10.00 pp validation at step 2)
run empty: random_search on ? (nb201)
  trials:     0 (0 by the user, 0 steer events)
";

    #[test]
    fn golden() {
        let (dir, opts) = scratch("golden");
        let path = dir.join("g.jsonl");
        let shown = path.display().to_string();
        let want = GOLDEN_SAID.replace("FILE", &shown);
        std::fs::write(&path, GOLDEN).expect("write");
        // read and cached, then from the cache, then as before
        assert_eq!(describe_native(&path, &shown, &opts).expect("read"), want);
        assert!(summarize_columns(&path, &opts).expect("hit").is_some());
        assert_eq!(describe_native(&path, &shown, &opts).expect("hit"), want);
        assert_eq!(oracle::describe(&path, &shown).expect("before"), want);
        // cut in the middle of a line: read, not cached, and said so
        let cut = format!("{GOLDEN}{{\"kind\":\"trial\",\"run_id\":\"rs\",\"trial_id\":13");
        std::fs::write(&path, cut).expect("write");
        let partial =
            format!("{want}(the last line is incomplete: the file may still be being written)\n");
        assert_eq!(describe_native(&path, &shown, &opts).expect("cut"), partial);
        // a parent recorded after its child: the line named
        let lines: Vec<&str> = GOLDEN.lines().collect();
        let broken = lines[1].replace(r#""step":0,"#, r#""step":0,"parents":[3],"#);
        std::fs::write(&path, [lines[0], &broken, lines[5], ""].join("\n")).expect("write");
        let e = describe_native(&path, &shown, &opts).expect_err("broken");
        assert_eq!(
            e.to_string(),
            format!("{shown}:2: trial 0 names parent 3, which is not a trial of run \"evo\" recorded before it")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    use crate::arch::nbgraph::{GnnOp, GraphArch};
    use crate::arch::sequential::LayerList;
    use crate::arch::{Arch, Mutation};
    use crate::rng::Rng;
    use crate::trace::{Source, Trial, TrialMetrics};
    use std::sync::Arc;

    /// A random architecture of `space` (0 NAS-Bench-Graph, 1 layer
    /// lists, 2 NB-201), from few enough choices that neighbours recur.
    fn arch(rng: &mut Rng, space: usize) -> Arch {
        let ops = ["gcn", "gat", "sage", "skip", "fc"];
        match space {
            0 => loop {
                let links = [
                    0,
                    rng.below(2) as u8,
                    rng.below(2) as u8,
                    rng.below(3) as u8,
                ];
                let ops = [0; 4].map(|_| GnnOp::ALL[[1, 0, 4, 8, 7][rng.below(5)]]);
                if let Ok(a) = GraphArch::new(links, ops) {
                    return Arch::NbGraph(a);
                }
            },
            1 => {
                let n = 2 + rng.below(3);
                let layers = (0..n)
                    .map(|_| ops[rng.below(ops.len())].to_string())
                    .collect();
                match LayerList::new(layers) {
                    Ok(l) => Arch::Sequential(l),
                    Err(e) => panic!("{e}"),
                }
            }
            _ => {
                let all = crate::arch::nb201::Op::ALL;
                let c = [0; 6].map(|_| all[rng.below(all.len())]);
                Arch::Nb201(crate::arch::nb201::Cell::new(c))
            }
        }
    }

    /// A random edit, sometimes one that credits a layer (or an op that is
    /// not one).
    fn edit(rng: &mut Rng) -> Mutation {
        let op = ["gcn", "skip", "conv", "none", "fc"][rng.below(5)].to_string();
        match rng.below(4) {
            0 => Mutation::ChangeOp {
                node: 1,
                from: None,
                to: op,
            },
            1 => Mutation::AddNode {
                layer: op,
                from: 0,
                to: 1,
            },
            2 => Mutation::RemoveNode { node: 1 },
            _ => Mutation::AddEdge { from: 0, to: 2 },
        }
    }

    /// A random run: ids positions or not, parents earlier (none, one, or
    /// several), edits, ties in accuracy, missing times, user trials and
    /// their steer events; `loose` adds a parent that breaks the rules.
    fn run(rng: &mut Rng, k: usize, loose: bool) -> Run {
        let space = rng.below(3);
        let mut info = RunInfo::new(
            &format!("r{k}"),
            "regularized_evolution",
            ["nbgraph", "sequential", "nb201"][space],
        );
        info.seed = (rng.below(2) == 0).then_some(k as u64);
        if rng.below(2) == 0 {
            info.benchmark = "nas-bench-graph/cora".into();
        }
        let mut run = Run::new(info);
        let n = [0, 1, 2, 30, 200][rng.below(5)];
        let dense = rng.below(2) == 0;
        let shared = Arc::new(edit(rng));
        let mut prev: Option<Arch> = None;
        for i in 0..n {
            let id = if dense { i as u64 } else { 1000 + 7 * i as u64 };
            // often a neighbour of the one before: a layer changed
            let a = match (&prev, rng.below(3)) {
                (Some(Arch::NbGraph(p)), 0) => {
                    let mut g = p.clone();
                    g.ops[rng.below(4)] = GnnOp::ALL[[1, 0, 4, 7][rng.below(4)]];
                    GraphArch::new(g.links, g.ops)
                        .map(Arch::NbGraph)
                        .unwrap_or_else(|_| arch(rng, space))
                }
                _ => arch(rng, space),
            };
            prev = Some(a.clone());
            let val = [0.5, 0.6, 0.7, 0.75, 0.8, 0.9, rng.unit()][rng.below(7)];
            let mut t = Trial::new(
                id,
                a,
                TrialMetrics::accuracies(val, [0.55, 0.8, rng.unit()][rng.below(3)]),
            );
            t.step = i as u64;
            t.time_s = (rng.below(4) != 0).then_some(i as f64 * 37.5);
            if i > 0 && rng.below(2) == 0 {
                let earlier = |rng: &mut Rng| run.trials.at(rng.below(i)).trial_id;
                t.parents = match rng.below(4) {
                    0 | 1 => Parents::one(earlier(rng)),
                    2 => Parents::from(vec![earlier(rng), earlier(rng)]),
                    _ => Parents::from(vec![earlier(rng), earlier(rng), earlier(rng)]),
                };
                t.mutation = match rng.below(3) {
                    0 => None,
                    1 => Some(shared.clone()),
                    _ => Some(Arc::new(edit(rng))),
                };
            } else if rng.below(5) == 0 {
                t.mutation = Some(Arc::new(edit(rng)));
            }
            if rng.below(6) == 0 {
                t.source = Source::User;
            }
            t.hash = (rng.below(2) == 0).then(|| format!("h{}", rng.below(9)).into());
            t.worker = (rng.below(5) == 0).then(|| "w1".into());
            run.push(t).expect("unique ids");
            if run.trials.at(i).source == Source::User {
                let base = run.trials.at(i).parents.first().copied();
                let s = Steer {
                    run_id: run.info.run_id.clone(),
                    step: i as u64,
                    action: "change_op".into(),
                    base,
                    trial_id: Some(id),
                    mutation: None,
                    note: None,
                };
                run.push_steer(s).expect("steer");
            }
        }
        if loose && n > 1 {
            let i = 1 + rng.below(n - 1);
            let bad = match rng.below(3) {
                0 => run.trials.at(i).trial_id,
                1 => 999_999,
                _ => run.trials.at(n - 1).trial_id,
            };
            let mut rows = run.trials.to_vec();
            let ps = &mut rows[i].parents;
            let mut ids: Vec<u64> = ps.to_vec();
            ids.insert(rng.below(ids.len() + 1), bad);
            *ps = Parents::from(ids);
            run.trials = rows.into();
        }
        if !loose && rng.below(4) == 0 {
            let s = Steer {
                run_id: run.info.run_id.clone(),
                step: n as u64 + rng.below(2) as u64,
                action: "pause".into(),
                base: None,
                trial_id: None,
                mutation: None,
                note: None,
            };
            run.push_steer(s).expect("steer");
        }
        run
    }

    /// What `info` said, text or error, as a string.
    fn said(r: Result<String, InfoError>) -> String {
        match r {
            Ok(s) => s,
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn one_pass_says_what_analytics_said_from_the_trace_and_from_its_cache() {
        let (dir, opts) = scratch("pass");
        let mut rng = Rng::new(7);
        let (mut hits, mut parents, mut steers, mut credited) = (0, 0, 0, 0);
        for case in 0..160 {
            let loose = case % 5 == 4;
            let trace = Trace {
                runs: (0..1 + rng.below(3))
                    .map(|k| run(&mut rng, k, loose))
                    .collect(),
            };
            let path = dir.join(format!("t{case}.jsonl"));
            crate::trace::jsonl::write_trace(&path, &trace).expect("write");
            let shown = path.display().to_string();
            let want = said(oracle::describe(&path, &shown));
            // the first open reads the trace and writes the cache; the
            // second reads the cache's columns
            let first = said(describe_native(&path, &shown, &opts));
            assert_eq!(first, want, "case {case}, first open");
            let columns = summarize_columns(&path, &opts).expect("columns");
            assert!(
                matches!(&columns, Some(Ok(r)) if r.len() == trace.runs.len()),
                "case {case}: read from the columns"
            );
            let again = said(describe_native(&path, &shown, &opts));
            assert_eq!(again, want, "case {case}, from the cache");
            hits += 1;
            // the error names the line: `error: FILE:LINE: ...`
            let at_line = want.starts_with(&format!("error: {shown}:"));
            parents += usize::from(at_line && want.contains("names parent"));
            steers += usize::from(at_line && want.contains("steer event"));
            credited += usize::from(want.contains("most effective"));
        }
        assert!(
            parents >= 20 && steers >= 20 && credited >= 25,
            "{parents} broken parents, {steers} steer events, {credited} credited"
        );
        assert_eq!(hits, 160);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_grown_trace_or_a_damaged_cache_is_described_from_the_trace() {
        let (dir, opts) = scratch("stale");
        let path = dir.join("t.jsonl");
        let shown = path.display().to_string();
        let oracle = || oracle::describe(&path, &shown).expect("before");
        let mut rng = Rng::new(3);
        let mut trace = Trace {
            runs: vec![run(&mut rng, 0, false)],
        };
        while trace.runs[0].trials.len() < 30 {
            trace.runs[0] = run(&mut rng, 0, false);
        }
        crate::trace::jsonl::write_trace(&path, &trace).expect("write");
        assert_eq!(
            describe_native(&path, &shown, &opts).expect("first"),
            oracle()
        );
        assert!(summarize_columns(&path, &opts).expect("hit").is_some());
        // grown: not a hit, the new lines are read
        let mut more = Trace {
            runs: vec![run(&mut rng, 1, false)],
        };
        more.runs[0].info.run_id = "more".into();
        let mut text = std::fs::read(&path).expect("read");
        let mut w = crate::trace::jsonl::TraceWriter::new(Vec::new());
        w.write_run(&more.runs[0]).expect("write");
        text.extend_from_slice(&w.into_inner());
        std::fs::write(&path, &text).expect("append");
        assert!(summarize_columns(&path, &opts).expect("grown").is_none());
        assert_eq!(
            describe_native(&path, &shown, &opts).expect("grown"),
            oracle()
        );
        assert!(summarize_columns(&path, &opts).expect("hit").is_some());
        // a byte of the cache's body flipped: its checksum fails
        let cache = std::fs::read_dir(dir.join("cache"))
            .expect("cache dir")
            .next()
            .expect("a cache")
            .expect("entry")
            .path();
        let mut bytes = std::fs::read(&cache).expect("cache");
        let at = bytes.len() - 9;
        bytes[at] ^= 0x10;
        std::fs::write(&cache, &bytes).expect("damage");
        assert!(summarize_columns(&path, &opts).expect("damaged").is_none());
        assert_eq!(
            describe_native(&path, &shown, &opts).expect("rebuilt"),
            oracle()
        );
        assert!(summarize_columns(&path, &opts).expect("hit").is_some());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
