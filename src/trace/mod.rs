//! Search traces: runs, trials and steer events, in memory and in the
//! native JSON Lines format (see [`jsonl`]), plus importers of other
//! formats (see [`import`]) and readers of search engines' storages (see
//! [`engine`]).

#[cfg(feature = "arrow")]
pub mod arrow;
pub mod cache;
pub mod csv;
pub mod engine;
#[cfg(not(target_arch = "wasm32"))]
pub mod enqueue;
pub mod import;
pub mod jsonl;
pub mod line;
pub mod log;
pub mod memory;
pub mod open;
pub mod params;
pub mod scan;
pub mod trials;

pub use trials::{TrialRef, Trials};

use crate::arch::{Arch, Mutation};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use thiserror::Error;

/// An objective of a run (what the search maximises or minimises).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    pub name: String,
    pub mode: String,
}

/// The header of one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    pub run_id: String,
    /// `random_search`, `regularized_evolution`, or what the source says.
    pub strategy: String,
    pub space: String,
    #[serde(default)]
    pub benchmark: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objectives: Vec<Objective>,
    /// Strategy settings (population, sample size, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<serde_json::Value>,
}

impl RunInfo {
    /// A run's header with no benchmark, seed, objectives or settings.
    pub fn new(run_id: &str, strategy: &str, space: &str) -> RunInfo {
        RunInfo {
            run_id: run_id.into(),
            strategy: strategy.into(),
            space: space.into(),
            benchmark: String::new(),
            seed: None,
            objectives: Vec::new(),
            config: None,
        }
    }
}

/// Where a trial came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Proposed by the search strategy.
    #[default]
    Search,
    /// An architecture the user made (a steering edit).
    User,
    /// Converted from another tool's records.
    Import,
}

/// What a benchmark reported for a trial. Accuracies are fractions.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrialMetrics {
    pub val_acc: f64,
    pub test_acc: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_time_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flops: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_s: Option<f64>,
}

impl TrialMetrics {
    /// Validation and test accuracy alone (no costs).
    pub fn accuracies(val_acc: f64, test_acc: f64) -> TrialMetrics {
        TrialMetrics {
            val_acc,
            test_acc,
            train_time_s: None,
            params: None,
            flops: None,
            latency_s: None,
        }
    }

    /// Checks that accuracies are finite fractions and the rest finite and
    /// non-negative; returns what is wrong.
    pub fn check(&self) -> Result<(), String> {
        for (name, v) in [("val_acc", self.val_acc), ("test_acc", self.test_acc)] {
            if !v.is_finite() {
                return Err(format!("{name} is {v}: accuracies must be finite"));
            }
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("{name} is {v}: accuracies are fractions in [0, 1]"));
            }
        }
        for (name, v) in [
            ("train_time_s", self.train_time_s),
            ("params", self.params),
            ("flops", self.flops),
            ("latency_s", self.latency_s),
        ] {
            if let Some(v) = v {
                if !v.is_finite() || v < 0.0 {
                    return Err(format!("{name} is {v}: must be finite and >= 0"));
                }
            }
        }
        Ok(())
    }
}

impl From<&crate::table::Metrics> for TrialMetrics {
    fn from(m: &crate::table::Metrics) -> Self {
        TrialMetrics {
            val_acc: m.val_acc,
            test_acc: m.test_acc,
            train_time_s: m.train_time_s,
            params: m.params,
            flops: None,
            latency_s: m.latency_s,
        }
    }
}

/// The trials an architecture was made from: none (sampled), one (a
/// mutation) or more (a crossover). Up to two are kept inline, so a trial
/// of a million-trial trace owns no heap memory for them.
#[derive(Clone, PartialEq, Eq)]
pub struct Parents(Repr);

#[derive(Clone, PartialEq, Eq)]
enum Repr {
    Inline(u8, [u64; 2]),
    Heap(Box<[u64]>),
}

impl Parents {
    /// No parents.
    pub const fn none() -> Parents {
        Parents(Repr::Inline(0, [0; 2]))
    }

    /// One parent.
    pub const fn one(id: u64) -> Parents {
        Parents(Repr::Inline(1, [id, 0]))
    }
}

impl Default for Parents {
    fn default() -> Parents {
        Parents::none()
    }
}

impl From<&[u64]> for Parents {
    fn from(ids: &[u64]) -> Parents {
        match *ids {
            [] => Parents::none(),
            [a] => Parents::one(a),
            [a, b] => Parents(Repr::Inline(2, [a, b])),
            _ => Parents(Repr::Heap(ids.into())),
        }
    }
}

impl From<Vec<u64>> for Parents {
    fn from(ids: Vec<u64>) -> Parents {
        Parents::from(ids.as_slice())
    }
}

impl std::ops::Deref for Parents {
    type Target = [u64];
    fn deref(&self) -> &[u64] {
        match &self.0 {
            Repr::Inline(n, ids) => &ids[..usize::from(*n)],
            Repr::Heap(ids) => ids,
        }
    }
}

impl std::fmt::Debug for Parents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq<Vec<u64>> for Parents {
    fn eq(&self, other: &Vec<u64>) -> bool {
        **self == **other
    }
}

impl<'a> IntoIterator for &'a Parents {
    type Item = &'a u64;
    type IntoIter = std::slice::Iter<'a, u64>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// One evaluated architecture.
#[derive(Clone, Debug, PartialEq)]
pub struct Trial {
    pub trial_id: u64,
    pub step: u64,
    /// Simulated (or recorded) search time when the trial finished.
    pub time_s: Option<f64>,
    pub parents: Parents,
    /// The edit that made it from its parent (shared: trials that record
    /// the same edit hold one copy, and a trial stays small).
    pub mutation: Option<Arc<Mutation>>,
    pub arch: Arch,
    /// The benchmark key (canonical hash) when known (shared, like the
    /// edit: a tabular benchmark's architectures recur).
    pub hash: Option<Arc<str>>,
    pub metrics: TrialMetrics,
    pub source: Source,
    /// The worker or host that ran it, where the engine records one
    /// (Optuna's worker id, Ray's host and process, NNI's environment).
    pub worker: Option<std::sync::Arc<str>>,
}

/// A steering action of the user, recorded beside the trial it produced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Steer {
    pub run_id: String,
    pub step: u64,
    /// `pause`, `resume`, `inject`, or the edit's kind (`add_node`, ...).
    pub action: String,
    /// The trial whose architecture was edited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<u64>,
    /// The trial the action produced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trial_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutation: Option<Mutation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A hasher for small integer keys (trial ids): one multiply.
#[derive(Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (n ^ self.0).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type IdMap = HashMap<u64, usize, std::hash::BuildHasherDefault<IdHasher>>;

/// One run and everything recorded in it, in order.
#[derive(Clone, Debug)]
pub struct Run {
    pub info: RunInfo,
    /// The trials in order, as columns.
    pub trials: Trials,
    pub steers: Vec<Steer>,
    /// Trial id to position, once ids stop being positions.
    index: IdMap,
    /// Every trial pushed so far has its position as its id (what
    /// searches write): positions are ids and no map is kept.
    dense: bool,
}

impl PartialEq for Run {
    /// Runs are equal when they hold the same records.
    fn eq(&self, other: &Run) -> bool {
        self.info == other.info && self.trials == other.trials && self.steers == other.steers
    }
}

impl Run {
    pub fn new(info: RunInfo) -> Run {
        Run {
            info,
            trials: Trials::default(),
            steers: Vec::new(),
            index: IdMap::default(),
            dense: true,
        }
    }

    /// Appends `trials` in order, as [`Run::push`] would one by one (their
    /// ids must be new), without copying them when this run is empty.
    pub(crate) fn adopt(&mut self, trials: Trials) -> Result<(), String> {
        let start = self.trials.len();
        let m = trials.len();
        let id = |j: usize| trials.id(j).unwrap_or(u64::MAX);
        let dense = self.dense && (0..m).all(|j| id(j) == (start + j) as u64);
        if !dense {
            self.index_all();
            for j in 0..m {
                if let Err(e) = self.index_new(id(j), start + j) {
                    for undo in 0..j {
                        self.index.remove(&id(undo));
                    }
                    return Err(e);
                }
            }
        }
        self.trials.append(trials);
        Ok(())
    }

    /// Appends a trial; its id must be new in this run.
    pub fn push(&mut self, t: Trial) -> Result<(), String> {
        let n = self.trials.len();
        if !(self.dense && t.trial_id == n as u64) {
            self.index_all();
            self.index_new(t.trial_id, n)?;
        }
        self.trials.push(t);
        Ok(())
    }

    /// Keeps an index of ids from here on (they are no longer positions).
    fn index_all(&mut self) {
        if self.dense {
            self.dense = false;
            self.index.reserve(self.trials.len() + 1);
            for i in 0..self.trials.len() {
                if let Some(id) = self.trials.id(i) {
                    self.index.insert(id, i);
                }
            }
        }
    }

    /// Indexes a new trial's id at `pos`; an error if the id is taken.
    fn index_new(&mut self, trial_id: u64, pos: usize) -> Result<(), String> {
        match self.index.entry(trial_id) {
            std::collections::hash_map::Entry::Occupied(_) => Err(format!(
                "duplicate trial_id {trial_id} in run {:?}",
                self.info.run_id
            )),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(pos);
                Ok(())
            }
        }
    }

    /// Appends a steer event; the trials it names must exist.
    pub(crate) fn push_steer(&mut self, s: Steer) -> Result<(), String> {
        for (what, id) in [("base", s.base), ("trial_id", s.trial_id)] {
            if let Some(id) = id {
                if self.position(id).is_none() {
                    return Err(format!(
                        "steer event names {what} {id}, which is not a trial of run {:?} recorded before it",
                        self.info.run_id
                    ));
                }
            }
        }
        self.steers.push(s);
        Ok(())
    }

    /// The position of a trial by id.
    pub fn position(&self, trial_id: u64) -> Option<usize> {
        if self.dense {
            let i = usize::try_from(trial_id).ok()?;
            return (self.trials.id(i)? == trial_id).then_some(i);
        }
        self.index.get(&trial_id).copied()
    }

    pub fn trial(&self, trial_id: u64) -> Option<TrialRef<'_>> {
        self.position(trial_id).and_then(|i| self.trials.get(i))
    }
}

/// A trace: one or more runs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trace {
    pub runs: Vec<Run>,
}

impl Trace {
    pub fn run(&self, run_id: &str) -> Option<&Run> {
        self.runs.iter().find(|r| r.info.run_id == run_id)
    }

    pub fn trial_count(&self) -> usize {
        self.runs.iter().map(|r| r.trials.len()).sum()
    }
}

/// A trace file or record that could not be read.
#[derive(Debug, Error)]
pub enum TraceError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// `place` is `file:line` or `file: record N`.
    #[error("{place}: {what}")]
    Bad { place: String, what: String },
}

impl TraceError {
    pub fn bad(place: impl Into<String>, what: impl Into<String>) -> Self {
        TraceError::Bad {
            place: place.into(),
            what: what.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Parents;

    #[test]
    fn parents_hold_any_number_of_ids_in_order() {
        for n in 0..6u64 {
            let ids: Vec<u64> = (0..n).map(|i| 1000 - 7 * i).collect();
            let p = Parents::from(ids.clone());
            assert_eq!(&*p, &ids[..], "{n} parents");
            assert_eq!(p, ids);
            assert_eq!(format!("{p:?}"), format!("{ids:?}"));
            assert_eq!(p.clone(), Parents::from(ids.as_slice()));
        }
        assert_eq!(Parents::one(9).first(), Some(&9));
        assert!(Parents::default().is_empty());
        assert_ne!(Parents::from(vec![1, 2]), Parents::from(vec![2, 1]));
        assert_eq!(
            std::mem::size_of::<Parents>(),
            std::mem::size_of::<Vec<u64>>()
        );
    }
}
