//! A replayed storage's studies as nasviz runs (any engine's: Optuna's
//! journal or RDB, NNI's database, Ray Tune's folders).
//!
//! Each study becomes a run; its COMPLETE trials become trials, in the
//! order they completed (the steps a cluster made), with:
//! - validation accuracy: the objective (the study must maximise it), or a
//!   user attribute `val_acc` / `val_accuracy` / `valid_acc`;
//! - test accuracy: a user attribute `test_acc` / `test_accuracy`; absent,
//!   the validation accuracy stands in and the run says so;
//! - both read as fractions, or as percentages when above 1;
//! - the architecture: from the parameters or user attributes, in any
//!   convention `trace/params.rs` knows (NAS-Bench-201's string or one op
//!   per edge, NAS-Bench-Graph's fields, NNI's NAS-Bench-101 `op1`/`input1`
//!   lists, nasviz's own architecture JSON, a list of layers);
//! - the time: seconds from the study's first start to the trial's end;
//! - a trial nasviz enqueued ([`PROVENANCE`]): a user trial made from its
//!   base.
//!
//! Trials that were pruned, failed, are still running or have no readable
//! architecture are counted, not drawn; a user's [`Mapping`] names other
//! metrics and the architecture's parameter.

use super::replay::{Journal, Params, StoredTrial, Study};
use crate::arch::Arch;
use crate::trace::scan::FxMap;
use crate::trace::{Parents, Run, RunInfo, Source, Steer, Trace, TraceError, Trial, TrialMetrics};
use serde_json::{Map, Value};
use std::path::Path;
use std::sync::Arc;

/// The user attribute nasviz writes on a trial it enqueues: the base
/// trial's number, the edit in words and as nasviz records it, e.g.
/// `{"base_trial": 12, "edit": "change the op of layer 2 to gat",
/// "mutation": {"op": "change_op", "node": 2, "to": "gat"}}`.
pub const PROVENANCE: &str = "nasviz_edit";

const VAL_KEYS: [&str; 3] = ["val_acc", "val_accuracy", "valid_acc"];

const TEST_KEYS: [&str; 3] = ["test_acc", "test_accuracy", "test"];

/// An accuracy as a fraction (percentages above 1 are divided by 100).
fn fraction(x: f64) -> Option<f64> {
    if !x.is_finite() || x < 0.0 {
        None
    } else if x <= 1.0 {
        Some(x)
    } else if x <= 100.0 {
        Some(x / 100.0)
    } else {
        None
    }
}

/// What became of a study's trials in its run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mapped {
    pub drawn: usize,
    /// Completed trials whose architecture nasviz cannot read.
    pub(crate) no_arch: usize,
    /// Completed trials without a usable accuracy.
    pub(crate) no_acc: usize,
    /// Whether the test accuracy stands in for a missing one.
    pub(crate) test_is_val: bool,
}

/// Builds runs from a journal, one per study, and keeps them up to date
/// as more of the journal is replayed.
#[derive(Default)]
pub struct Runs {
    pub trace: Trace,
    /// Per study: its run's index in the trace, and what was mapped.
    pub studies: Vec<(Option<usize>, Mapped)>,
    /// Completed trials taken in so far.
    taken: usize,
    /// Per study, the first start.
    origin: Vec<Option<f64>>,
    /// The engine that ran the search, as run strategies say it
    /// (default `Optuna`).
    pub engine: Option<&'static str>,
    /// The user's mapping of metrics and architecture, when given.
    pub mapping: Option<Mapping>,
    /// The architecture (and its key) of each distinct parameters, by
    /// their address (the clone kept here keeps the address theirs).
    arch_memo: ArchMemo,
}

/// Distinct parameters (by address, with the clone that keeps the address
/// theirs), and the architecture and key they give.
type ArchMemo = FxMap<usize, (Params, Option<(Arch, Option<Arc<str>>)>)>;

/// The architecture `t`'s parameters and attributes give, with its key:
/// looked up by the parameters' address when the attributes cannot name
/// one (numbers only, as a `test_acc`), so trials that share parameters
/// read them once.
fn arch_memoized(memo: &mut ArchMemo, t: &StoredTrial) -> Option<(Arch, Option<Arc<str>>)> {
    let read = || {
        crate::trace::params::arch_of(&t.params, &t.user_attrs)
            .map(|a| (a.key().ok().map(Into::into), a))
            .map(|(k, a)| (a, k))
    };
    let scalar = t
        .user_attrs
        .values()
        .all(|v| v.is_number() || v.is_boolean() || v.is_null());
    if !scalar {
        return read();
    }
    let at = Arc::as_ptr(&t.params) as usize;
    if let Some((_, got)) = memo.get(&at) {
        return got.clone();
    }
    let got = read();
    if memo.len() < 1 << 18 {
        memo.insert(at, (t.params.clone(), got.clone()));
    }
    got
}

/// How accuracies are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// Fractions, or percentages when above 1.
    #[default]
    Auto,
    Fraction,
    Percent,
}

/// A user's mapping file (`--map FILE`, JSON): which metric is the
/// validation accuracy and which the test accuracy (`objective`, or the
/// name of a user attribute or report key), which parameter or attribute
/// holds the architecture, and how accuracies are written.
///
/// ```json
/// {"validation": "valid_top1", "test": "test_top1", "architecture": "genotype", "scale": "percent"}
/// ```
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    #[serde(default)]
    pub validation: Option<String>,
    #[serde(default)]
    pub test: Option<String>,
    #[serde(default)]
    pub architecture: Option<String>,
    #[serde(default)]
    pub scale: Scale,
}

impl Mapping {
    /// Reads a mapping file, naming the file in any error.
    pub fn load(path: &Path) -> Result<Mapping, TraceError> {
        let text = std::fs::read_to_string(path).map_err(|source| TraceError::Io {
            path: path.display().to_string(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|e| {
            TraceError::bad(
                path.display().to_string(),
                format!(
                    "not a mapping: {e} (keys: validation, test, architecture, scale: auto|fraction|percent)"
                ),
            )
        })
    }
}

impl Runs {
    /// Runs of a search that `engine` ran (their strategy names it).
    pub(crate) fn of_engine(engine: &'static str) -> Runs {
        Runs {
            engine: Some(engine),
            ..Runs::default()
        }
    }

    /// Takes in the trials completed since the last call.
    pub fn update(&mut self, j: &Journal) -> Result<usize, TraceError> {
        // a poll that brought no completed trial costs nothing
        if self.taken == j.completed.len() && self.studies.len() == j.studies.len() {
            return Ok(0);
        }
        let before = self.trace.trial_count();
        self.note_studies(j);
        for &id in &j.completed[self.taken..] {
            let t = &j.trials[id];
            let study = &j.studies[t.study];
            if !study.deleted {
                self.take_in(t, study)?;
            }
        }
        self.taken = j.completed.len();
        Ok(self.trace.trial_count() - before)
    }

    /// Makes room for new studies and moves each study's origin to its
    /// first start.
    fn note_studies(&mut self, j: &Journal) {
        while self.studies.len() < j.studies.len() {
            self.studies.push((None, Mapped::default()));
            self.origin.push(None);
        }
        for (i, s) in j.studies.iter().enumerate() {
            let first = s
                .trials
                .iter()
                .filter_map(|&t| j.trials[t].start)
                .reduce(f64::min);
            self.origin[i] = match (self.origin[i], first) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
    }

    /// Takes in completed trial `t` of `study`: drawn in the study's run
    /// when it has an accuracy and an architecture, counted when not.
    fn take_in(&mut self, t: &StoredTrial, study: &Study) -> Result<(), TraceError> {
        let maximise = study.directions.first().is_none_or(|&d| d == 2);
        let Some((val, test)) = accuracies(t, maximise, self.mapping.as_ref()) else {
            self.studies[t.study].1.no_acc += 1;
            return Ok(());
        };
        let test = test.unwrap_or_else(|| {
            self.studies[t.study].1.test_is_val = true;
            val
        });
        let Some((arch, hash)) = self.arch(t) else {
            self.studies[t.study].1.no_arch += 1;
            return Ok(());
        };
        let run = self.run_of(t.study, &study.name, &arch);
        let time_s = match (t.complete, self.origin[t.study]) {
            (Some(c), Some(o)) if c >= o => Some(c - o),
            _ => None,
        };
        let r = &mut self.trace.runs[run];
        let trial = Trial {
            trial_id: t.number as u64,
            step: r.trials.len() as u64,
            time_s,
            parents: Default::default(),
            mutation: None,
            hash,
            arch,
            metrics: TrialMetrics {
                val_acc: val,
                test_acc: test,
                train_time_s: match (t.start, t.complete) {
                    (Some(a), Some(b)) if b >= a => Some(b - a),
                    _ => None,
                },
                params: None,
                flops: None,
                latency_s: None,
            },
            source: Source::Import,
            worker: t.worker.as_deref().map(Into::into),
        };
        push_trial(r, trial, provenance(t)).map_err(|e| TraceError::bad(study.name.clone(), e))?;
        self.studies[t.study].1.drawn += 1;
        Ok(())
    }

    /// The architecture of `t` and its key: from the parameter or
    /// attribute the mapping names, or found in any.
    fn arch(&mut self, t: &StoredTrial) -> Option<(Arch, Option<Arc<str>>)> {
        let Some(name) = self
            .mapping
            .as_ref()
            .and_then(|m| m.architecture.as_deref())
        else {
            return arch_memoized(&mut self.arch_memo, t);
        };
        let one = |m: &Map<String, Value>| -> Map<String, Value> {
            m.get(name)
                .map(|v| {
                    let mut x = Map::new();
                    x.insert(name.to_string(), v.clone());
                    x
                })
                .unwrap_or_default()
        };
        crate::trace::params::arch_of(&one(&t.params), &one(&t.user_attrs))
            .map(|a| (a.key().ok().map(Into::into), a))
            .map(|(k, a)| (a, k))
    }

    /// The index of study `s`'s run in the trace, made (named `name`, in
    /// the space of `arch`, its first drawn architecture) when it has none.
    fn run_of(&mut self, s: usize, name: &str, arch: &Arch) -> usize {
        if let Some(r) = self.studies[s].0 {
            return r;
        }
        self.trace.runs.push(Run::new(RunInfo {
            run_id: name.to_string(),
            strategy: self.engine.unwrap_or("Optuna").into(),
            space: arch.space().name().into(),
            benchmark: String::new(),
            seed: None,
            objectives: Vec::new(),
            config: None,
        }));
        let r = self.trace.runs.len() - 1;
        self.studies[s].0 = Some(r);
        r
    }
}

/// A trial's validation accuracy and its test accuracy if it has one, as
/// fractions: the metrics `map` names (the objective, or an attribute or
/// report key), else the usual attributes, the validation accuracy
/// falling back on a maximised objective. `None` without a validation
/// accuracy.
fn accuracies(
    t: &StoredTrial,
    maximise: bool,
    map: Option<&Mapping>,
) -> Option<(f64, Option<f64>)> {
    let attr = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| t.user_attrs.get(*k).and_then(Value::as_f64))
    };
    let objective = t.values.as_ref().and_then(|v| v.first().copied());
    // a named metric: the objective, or an attribute (report key)
    let named = |name: &str| match name {
        "objective" => objective,
        k => t.user_attrs.get(k).and_then(Value::as_f64),
    };
    let scale = |x: f64| match map.map(|m| m.scale) {
        Some(Scale::Percent) => Some(x / 100.0).filter(|x| (0.0..=1.0).contains(x)),
        Some(Scale::Fraction) => Some(x).filter(|x| (0.0..=1.0).contains(x)),
        _ => fraction(x),
    };
    let val = match map.and_then(|m| m.validation.as_deref()) {
        Some(name) => named(name),
        None => attr(&VAL_KEYS).or(objective.filter(|_| maximise)),
    };
    let val = val.and_then(scale)?;
    let test = match map.and_then(|m| m.test.as_deref()) {
        Some(name) => named(name),
        None => attr(&TEST_KEYS),
    };
    Some((val, test.and_then(scale)))
}

/// Pushes `trial` onto `r`; a trial nasviz enqueued (its base trial's
/// number and its edit, `made`) is a user trial made from its base, with
/// its steer event.
fn push_trial(
    r: &mut Run,
    mut trial: Trial,
    made: Option<(u64, Option<crate::arch::Mutation>)>,
) -> Result<(), String> {
    let Some((base, m)) = made else {
        return r.push(trial);
    };
    let (step, number) = (trial.step, trial.trial_id);
    trial.source = Source::User;
    trial.mutation = m.clone().map(Arc::new);
    if r.position(base).is_some() {
        trial.parents = Parents::one(base);
    }
    r.push(trial)?;
    r.push_steer(Steer {
        run_id: r.info.run_id.clone(),
        step,
        action: m.as_ref().map_or("inject", |m| m.kind()).to_string(),
        base: r.position(base).map(|_| base),
        trial_id: Some(number),
        mutation: m,
        note: Some("enqueued into the study by nasviz".into()),
    })
}

/// The base trial's number and the edit, of a trial nasviz enqueued (its
/// [`PROVENANCE`] attribute).
fn provenance(t: &StoredTrial) -> Option<(u64, Option<crate::arch::Mutation>)> {
    let p = t.user_attrs.get(PROVENANCE)?;
    let base = p.get("base_trial")?.as_u64()?;
    let m = p
        .get("mutation")
        .and_then(|m| crate::trace::line::parse_mutation(&m.to_string()).ok());
    Some((base, m))
}

/// What became of the studies, in words (one line per study).
pub fn summary(j: &Journal, runs: &Runs) -> Vec<String> {
    j.studies
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.deleted)
        .map(|(i, s)| {
            let states: Vec<String> = j
                .states(i)
                .iter()
                .map(|(st, n)| format!("{n} {}", st.name().to_ascii_lowercase()))
                .collect();
            let m = runs.studies.get(i).map(|x| x.1.clone()).unwrap_or_default();
            let mut line = format!(
                "study {:?}: {} trials ({}); {} drawn",
                s.name,
                s.trials.len(),
                states.join(", "),
                m.drawn
            );
            if m.no_arch > 0 {
                line += &format!(
                    ", {} without an architecture in their parameters or attributes",
                    m.no_arch
                );
            }
            if m.no_acc > 0 {
                line += &format!(
                    ", {} without an accuracy (a maximised objective or a val_acc attribute)",
                    m.no_acc
                );
            }
            if m.test_is_val {
                line += "; no test_acc attribute: test accuracy shown = validation";
            }
            line
        })
        .collect()
}
