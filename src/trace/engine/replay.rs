//! What a search engine's storage replays to, whichever the engine:
//! studies and their trials as Optuna models them (state, parameters
//! decoded through their distributions, values, attributes, times, the
//! worker). Optuna's journal (`optuna.rs`) and RDB (`optuna_db.rs`), NNI's
//! database (`nni.rs`) and Ray Tune's folders (`ray.rs`) each fill a
//! [`Journal`]; `studies.rs` turns it into runs.

use crate::trace::scan::FxMap;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::Arc;

/// A trial's state, as Optuna numbers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Running,
    Complete,
    Pruned,
    Fail,
    Waiting,
}

impl State {
    pub(crate) fn from_code(c: i64) -> Option<State> {
        Some(match c {
            0 => State::Running,
            1 => State::Complete,
            2 => State::Pruned,
            3 => State::Fail,
            4 => State::Waiting,
            _ => return None,
        })
    }
    pub(crate) fn finished(self) -> bool {
        matches!(self, State::Complete | State::Pruned | State::Fail)
    }
    pub fn name(self) -> &'static str {
        match self {
            State::Running => "RUNNING",
            State::Complete => "COMPLETE",
            State::Pruned => "PRUNED",
            State::Fail => "FAIL",
            State::Waiting => "WAITING",
        }
    }
}

/// A parameter's distribution, enough to decode its values.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Dist {
    Categorical(Vec<Value>),
    Float,
    Int,
}

impl Dist {
    pub(crate) fn parse(text: &str) -> Result<Dist, String> {
        let v: Value =
            serde_json::from_str(text).map_err(|e| format!("distribution {text:?}: {e}"))?;
        let (name, attrs) = match (v.get("name"), v.get("type")) {
            (Some(n), _) => (
                n.as_str().unwrap_or_default().to_string(),
                v.get("attributes").cloned().unwrap_or(Value::Null),
            ),
            (None, Some(t)) => (t.as_str().unwrap_or_default().to_string(), v.clone()),
            _ => return Err(format!("distribution {text:?}: no name or type")),
        };
        match name.as_str() {
            "CategoricalDistribution" | "categorical" => match attrs.get("choices") {
                Some(Value::Array(c)) => Ok(Dist::Categorical(c.clone())),
                _ => Err(format!("categorical distribution {text:?} has no choices")),
            },
            "FloatDistribution"
            | "UniformDistribution"
            | "LogUniformDistribution"
            | "DiscreteUniformDistribution"
            | "float" => Ok(Dist::Float),
            "IntDistribution" | "IntUniformDistribution" | "IntLogUniformDistribution" | "int" => {
                Ok(Dist::Int)
            }
            other => Err(format!("unknown distribution {other:?}")),
        }
    }

    /// The value a user sees for an internal one.
    pub(crate) fn external(&self, internal: &Value) -> Result<Value, String> {
        let x = internal
            .as_f64()
            .ok_or_else(|| format!("parameter value {internal} is not a number"))?;
        match self {
            Dist::Categorical(c) => c
                .get(x as usize)
                .filter(|_| x >= 0.0 && x.fract() == 0.0)
                .cloned()
                .ok_or_else(|| format!("choice {x} of {} choices", c.len())),
            Dist::Float => Ok(internal.clone()),
            Dist::Int => Ok(Value::from(x as i64)),
        }
    }

    pub(crate) fn compatible(&self, other: &Dist) -> bool {
        match (self, other) {
            (Dist::Categorical(a), Dist::Categorical(b)) => a == b,
            (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b),
        }
    }
}

/// A study as replayed.
#[derive(Clone, Debug)]
pub struct Study {
    pub name: String,
    /// 1 minimise, 2 maximise, per objective.
    pub directions: Vec<i64>,
    pub deleted: bool,
    /// Trial ids (global), in creation order.
    pub trials: Vec<usize>,
}

/// Parameters' distributions by name, shared by the trials that declare
/// the same ones (every trial of a study, typically).
pub(crate) type Dists = Arc<HashMap<String, Arc<Dist>>>;

/// A trial's parameters as the user sees them, shared by the trials that
/// have the same ones.
pub(crate) type Params = Arc<Map<String, Value>>;

/// A trial as replayed, whichever engine stored it.
#[derive(Clone, Debug)]
pub struct StoredTrial {
    pub study: usize,
    pub number: usize,
    pub state: State,
    pub params: Params,
    pub(crate) dists: Dists,
    pub values: Option<Vec<f64>>,
    pub user_attrs: Map<String, Value>,
    pub intermediate: Vec<(i64, f64)>,
    /// Seconds since the Unix epoch.
    pub start: Option<f64>,
    pub complete: Option<f64>,
    /// The worker (or host) that ran it, where recorded.
    pub worker: Option<String>,
    /// The parameters it was enqueued with (Optuna's `fixed_params`
    /// system attribute, as `Study.enqueue_trial` writes it).
    pub fixed: Option<Map<String, Value>>,
}

impl StoredTrial {
    /// Trial `number` of study `study`, in `state`, with nothing else
    /// known yet.
    pub fn new(study: usize, number: usize, state: State) -> StoredTrial {
        StoredTrial {
            study,
            number,
            state,
            params: Params::default(),
            dists: Dists::default(),
            values: None,
            user_attrs: Map::new(),
            intermediate: Vec::new(),
            start: None,
            complete: None,
            worker: None,
            fixed: None,
        }
    }
}

/// The replayed journal.
#[derive(Clone, Debug, Default)]
pub struct Journal {
    pub studies: Vec<Study>,
    pub trials: Vec<StoredTrial>,
    /// Lines read, and those skipped as unreadable (`file:line: why`).
    pub lines: usize,
    pub skipped: Vec<String>,
    /// Trials that completed, in the order their completion was read.
    pub completed: Vec<usize>,
    /// Distributions by their JSON text (every trial repeats them).
    pub(crate) dist_memo: HashMap<String, Arc<Dist>>,
    /// A create line's distributions by their JSON text.
    pub(crate) dist_sets: FxMap<Box<str>, Dists>,
    /// A create line's parameters by the address of their distributions
    /// (one of `dist_sets`) and their JSON text.
    pub(crate) param_sets: FxMap<usize, FxMap<Box<str>, Params>>,
    /// The first line with an operation this replay does not know (a newer
    /// Optuna wrote it): its line number and op code. nasviz reads around
    /// it but never writes to such a journal.
    pub newer: Option<(usize, i64)>,
}

/// The system attribute that holds an enqueued trial's parameters.
pub(crate) const FIXED_PARAMS: &str = "fixed_params";

impl Journal {
    /// A distribution from its JSON form in the journal (a string holding
    /// JSON, or the object itself), parsed once per distinct text.
    pub(crate) fn dist(&mut self, raw: &str) -> Result<Arc<Dist>, String> {
        if let Some(d) = self.dist_memo.get(raw) {
            return Ok(d.clone());
        }
        let text = match serde_json::from_str::<Value>(raw) {
            Ok(Value::String(s)) => s,
            _ => raw.to_string(),
        };
        let d = Arc::new(Dist::parse(&text)?);
        let text = raw;
        if self.dist_memo.len() < 4096 {
            self.dist_memo.insert(text.to_string(), d.clone());
        }
        Ok(d)
    }

    /// Counts of a study's trials by state.
    pub fn states(&self, study: usize) -> Vec<(State, usize)> {
        let mut out: Vec<(State, usize)> = Vec::new();
        for &t in &self.studies[study].trials {
            let s = self.trials[t].state;
            match out.iter_mut().find(|(x, _)| *x == s) {
                Some((_, n)) => *n += 1,
                None => out.push((s, 1)),
            }
        }
        out
    }
}

/// The order in which a storage read whole again (a database, a folder)
/// gives its completed trials to the runs: those given before keep their
/// place, newly completed ones follow by completion time, then by a
/// tie-breaker. `K` names a trial across reads (a database id, a folder's
/// trial id).
#[derive(Clone, Debug)]
pub(crate) struct Completion<K> {
    order: Vec<K>,
}

impl<K> Default for Completion<K> {
    fn default() -> Self {
        Completion { order: Vec::new() }
    }
}

impl<K: Clone + Eq + Hash> Completion<K> {
    /// The completed trials of `j` in order (its `completed`): `index`
    /// places each trial of this read, `done` says which count as
    /// completed, `tie` orders those that completed at the same time.
    pub(crate) fn update<T: Ord>(
        &mut self,
        j: &Journal,
        index: &HashMap<K, usize>,
        done: impl Fn(&StoredTrial) -> bool,
        tie: impl Fn(&K, &StoredTrial) -> T,
    ) -> Vec<usize> {
        self.order
            .retain(|k| index.get(k).is_some_and(|&t| done(&j.trials[t])));
        let known: HashSet<&K> = self.order.iter().collect();
        let mut fresh: Vec<(f64, T, K)> = index
            .iter()
            .filter(|(k, &t)| !known.contains(k) && done(&j.trials[t]))
            .map(|(k, &t)| {
                let tr = &j.trials[t];
                (tr.complete.unwrap_or(f64::MAX), tie(k, tr), k.clone())
            })
            .collect();
        fresh.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        self.order.extend(fresh.into_iter().map(|x| x.2));
        self.order
            .iter()
            .filter_map(|k| index.get(k).copied())
            .collect()
    }
}

/// Seconds since the Unix epoch of an ISO 8601 time such as
/// `2026-11-30T13:34:54.024964+00:00` (no offset: UTC).
pub(crate) fn parse_time(s: &str) -> Option<f64> {
    crate::trace::import::parse_iso_seconds(s)
}
