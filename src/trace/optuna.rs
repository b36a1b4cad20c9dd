//! Optuna's journal (`JournalStorage(JournalFileBackend(path))`), read as
//! Optuna replays it, and turned into nasviz runs.
//!
//! The journal is JSON Lines; each line is an operation (`op_code` 0-10)
//! that several workers append under a lock. Replay follows Optuna 5
//! (`JournalStorageReplayResult`): study and trial ids are counters over
//! the create lines that were accepted; a second study of the same name,
//! an update to a finished trial, a second RUNNING for a running trial, a
//! parameter whose distribution differs from an earlier trial's, and lines
//! naming a missing study or trial are dropped. Parameters are stored in
//! Optuna's internal form and decoded through their distribution
//! (categorical values are indices into `choices`).
//!
//! Each study becomes a run; its COMPLETE trials become trials, in the
//! order they completed (the steps a cluster made), with:
//! - validation accuracy: the objective (the study must maximise it), or a
//!   user attribute `val_acc` / `val_accuracy` / `valid_acc`;
//! - test accuracy: a user attribute `test_acc` / `test_accuracy`; absent,
//!   the validation accuracy stands in and the run says so;
//! - both read as fractions, or as percentages when above 1;
//! - the architecture: from the parameters or user attributes, in any
//!   convention [`super::params`] knows (NAS-Bench-201's string or one op
//!   per edge, NNI's NAS-Bench-101 `op1`/`input1` lists, nasviz's own
//!   architecture JSON, a list of layers);
//! - the time: seconds from the study's first start to the trial's end.
//!
//! Trials that were pruned, failed, are still running or have no readable
//! architecture are counted, not drawn.

use super::scan::FxMap;
use super::{Run, RunInfo, Source, Trace, TraceError, Trial, TrialMetrics};
use crate::arch::Arch;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
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
    fn from_code(c: i64) -> Option<State> {
        Some(match c {
            0 => State::Running,
            1 => State::Complete,
            2 => State::Pruned,
            3 => State::Fail,
            4 => State::Waiting,
            _ => return None,
        })
    }
    fn finished(self) -> bool {
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
pub enum Dist {
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

    fn compatible(&self, other: &Dist) -> bool {
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
pub type Dists = Arc<HashMap<String, Arc<Dist>>>;

/// A trial's parameters as the user sees them, shared by the trials that
/// have the same ones.
pub type Params = Arc<Map<String, Value>>;

/// A trial as replayed.
#[derive(Clone, Debug)]
pub struct OptunaTrial {
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

/// One journal line, with every field any operation uses.
#[derive(Deserialize)]
struct Line<'a> {
    op_code: i64,
    #[serde(default, borrow)]
    worker_id: Option<&'a str>,
    #[serde(default, borrow)]
    study_name: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    directions: Option<Vec<i64>>,
    #[serde(default)]
    study_id: Option<i64>,
    #[serde(default)]
    trial_id: Option<i64>,
    #[serde(default, borrow)]
    datetime_start: Option<std::borrow::Cow<'a, str>>,
    #[serde(default, borrow)]
    datetime_complete: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    state: Option<i64>,
    #[serde(default)]
    values: Option<Vec<Option<f64>>>,
    #[serde(default)]
    value: Option<f64>,
    #[serde(default, borrow)]
    param_name: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    param_value_internal: Option<Value>,
    /// A JSON string holding the distribution's JSON, kept raw: trials
    /// repeat it, so it is decoded once (see `Journal::dist`).
    #[serde(default, borrow)]
    distribution: Option<&'a serde_json::value::RawValue>,
    /// A trial's distributions and parameters, kept raw: trials repeat
    /// them, so each distinct text is decoded once (`Journal::dist_set`,
    /// `Journal::param_set`).
    #[serde(default, borrow)]
    distributions: Option<&'a serde_json::value::RawValue>,
    #[serde(default, borrow)]
    params: Option<&'a serde_json::value::RawValue>,
    #[serde(default)]
    user_attr: Option<Map<String, Value>>,
    #[serde(default)]
    user_attrs: Option<Map<String, Value>>,
    #[serde(default)]
    system_attr: Option<Map<String, Value>>,
    /// Kept raw: only an enqueued trial's `fixed_params` is read.
    #[serde(default, borrow)]
    system_attrs: Option<&'a serde_json::value::RawValue>,
    #[serde(default)]
    step: Option<i64>,
    #[serde(default)]
    intermediate_value: Option<f64>,
    #[serde(default, borrow)]
    intermediate_values: Option<&'a serde_json::value::RawValue>,
}

/// The replayed journal.
#[derive(Clone, Debug, Default)]
pub struct Journal {
    pub studies: Vec<Study>,
    pub trials: Vec<OptunaTrial>,
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

/// Seconds since the Unix epoch of an ISO 8601 time such as
/// `2026-11-30T13:34:54.024964+00:00` (no offset: UTC).
pub fn parse_time(s: &str) -> Option<f64> {
    super::import::parse_iso_seconds(s)
}

/// One journal line parsed (borrowing from its text).
fn parse_line(text: &[u8]) -> Result<Line<'_>, String> {
    serde_json::from_slice(text).map_err(|e| match std::str::from_utf8(text) {
        Err(u) => format!("not UTF-8: {u}"),
        Ok(_) => format!("not a journal line: {e}"),
    })
}

/// A line of a block parsed ahead of its replay.
#[allow(clippy::large_enum_variant)] // nearly every line is a `Line`: boxing would cost each one
enum Parsed<'a> {
    Blank,
    Line(Line<'a>),
    Bad(String),
}

/// The lines of `part` (whole lines, each ending in a newline), parsed.
fn parse_lines(part: &[u8]) -> Vec<Parsed<'_>> {
    part.split(|&b| b == b'\n')
        .take(memchr::memchr_iter(b'\n', part).count())
        .map(|l| {
            let l = l.trim_ascii();
            if l.is_empty() {
                Parsed::Blank
            } else {
                match parse_line(l) {
                    Ok(x) => Parsed::Line(x),
                    Err(e) => Parsed::Bad(e),
                }
            }
        })
        .collect()
}

/// [`parse_lines`] on up to `threads` threads, in order.
fn parse_block(block: &[u8], threads: usize) -> Vec<Parsed<'_>> {
    if threads < 2 || block.len() < 1 << 20 {
        return parse_lines(block);
    }
    // cut at newlines into parts of about equal size
    let mut cuts = vec![0];
    for k in 1..threads {
        let at = (block.len() * k / threads).max(*cuts.last().unwrap_or(&0));
        let end = memchr::memchr(b'\n', &block[at..]).map_or(block.len(), |i| at + i + 1);
        cuts.push(end);
    }
    cuts.push(block.len());
    cuts.dedup();
    std::thread::scope(|s| {
        let handles: Vec<_> = cuts
            .windows(2)
            .map(|w| {
                let part = &block[w[0]..w[1]];
                s.spawn(move || parse_lines(part))
            })
            .collect();
        let mut out = Vec::new();
        for h in handles {
            match h.join() {
                Ok(v) => out.extend(v),
                Err(p) => std::panic::resume_unwind(p),
            }
        }
        out
    })
}

impl Journal {
    /// Replays one line; `Err` says why it cannot be read (the caller
    /// skips it and goes on, as Optuna's readers do with lines they drop).
    pub fn apply_line(&mut self, text: &str) -> Result<(), String> {
        self.apply_bytes(text.as_bytes())
    }

    /// [`Journal::apply_line`] on the line's bytes (UTF-8 is checked as
    /// they are parsed, and said when it is what failed).
    pub fn apply_bytes(&mut self, text: &[u8]) -> Result<(), String> {
        self.lines += 1;
        self.apply_parsed(parse_line(text)?)
    }

    /// Replays a parsed line (counted already in `lines`).
    fn apply_parsed(&mut self, l: Line<'_>) -> Result<(), String> {
        match l.op_code {
            0 => {
                let name = l
                    .study_name
                    .ok_or("create_study without study_name")?
                    .into_owned();
                if self.studies.iter().any(|s| s.name == name && !s.deleted) {
                    return Ok(());
                }
                self.studies.push(Study {
                    name,
                    directions: l.directions.unwrap_or_default(),
                    deleted: false,
                    trials: Vec::new(),
                });
            }
            1 => {
                if let Some(s) = self.study_mut(l.study_id) {
                    s.deleted = true;
                }
            }
            2 | 3 | 10 => {}
            4 => {
                let Some(study) = l
                    .study_id
                    .and_then(|i| usize::try_from(i).ok())
                    .filter(|&i| self.studies.get(i).is_some_and(|s| !s.deleted))
                else {
                    return Ok(());
                };
                let (dists, shared) = match l.distributions {
                    Some(raw) => self.dist_set(raw.get())?,
                    None => (Dists::default(), false),
                };
                let params = match l.params {
                    Some(raw) => self.param_set(&dists, shared, raw.get())?,
                    None => Params::default(),
                };
                let state = match l.state {
                    Some(c) => State::from_code(c).ok_or(format!("unknown state {c}"))?,
                    None => State::Running,
                };
                let values = match (l.values, l.value) {
                    (Some(v), _) => Some(v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect()),
                    (None, Some(v)) => Some(vec![v]),
                    _ => None,
                };
                // raw, and read only when not empty (`{}`, as most are)
                let object = |raw: Option<&serde_json::value::RawValue>| {
                    raw.filter(|r| r.get().len() > 2)
                        .and_then(|r| serde_json::from_str::<Map<String, Value>>(r.get()).ok())
                };
                let intermediate = object(l.intermediate_values)
                    .iter()
                    .flatten()
                    .filter_map(|(k, v)| Some((k.parse().ok()?, v.as_f64()?)))
                    .collect();
                let id = self.trials.len();
                let number = self.studies[study].trials.len();
                self.studies[study].trials.push(id);
                self.trials.push(OptunaTrial {
                    study,
                    number,
                    state,
                    params,
                    dists,
                    values,
                    user_attrs: l.user_attrs.unwrap_or_default(),
                    intermediate,
                    start: l.datetime_start.as_deref().and_then(parse_time),
                    complete: l.datetime_complete.as_deref().and_then(parse_time),
                    worker: l.worker_id.map(str::to_string),
                    fixed: object(l.system_attrs)
                        .and_then(|mut a| a.remove(FIXED_PARAMS))
                        .and_then(|v| match v {
                            Value::Object(m) => Some(m),
                            _ => None,
                        }),
                });
                if state == State::Complete {
                    self.completed.push(id);
                }
            }
            5 => {
                let Some(id) = self.updatable(l.trial_id) else {
                    return Ok(());
                };
                let name = l
                    .param_name
                    .ok_or("set_trial_param without param_name")?
                    .into_owned();
                let dist = self.dist(l.distribution.map_or("null", |r| r.get()))?;
                let internal = l.param_value_internal.ok_or("no param_value_internal")?;
                let study = self.trials[id].study;
                // an earlier trial's distribution of the same name must agree
                let earlier = self.studies[study]
                    .trials
                    .iter()
                    .find_map(|&t| self.trials[t].dists.get(&name));
                if earlier.is_some_and(|e| !e.compatible(&dist)) {
                    return Ok(());
                }
                let value = dist.external(&internal)?;
                let t = &mut self.trials[id];
                Arc::make_mut(&mut t.params).insert(name.clone(), value);
                Arc::make_mut(&mut t.dists).insert(name, dist);
            }
            6 => {
                let Some(id) = self.updatable(l.trial_id) else {
                    return Ok(());
                };
                let code = l.state.ok_or("set_trial_state_values without state")?;
                let state = State::from_code(code).ok_or(format!("unknown state {code}"))?;
                let t = &mut self.trials[id];
                if state == State::Running && t.state == State::Running {
                    return Ok(());
                }
                if state == State::Running {
                    t.start = l.datetime_start.as_deref().and_then(parse_time);
                    // the worker that took a waiting trial runs it
                    t.worker = l.worker_id.map(str::to_string).or(t.worker.take());
                }
                if state.finished() {
                    t.complete = l.datetime_complete.as_deref().and_then(parse_time);
                }
                t.state = state;
                if let Some(v) = l.values {
                    t.values = Some(v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect());
                }
                if state == State::Complete {
                    self.completed.push(id);
                }
            }
            7 => {
                if let Some(id) = self.updatable(l.trial_id) {
                    let (Some(step), Some(v)) = (l.step, l.intermediate_value) else {
                        return Err("intermediate value without step or value".into());
                    };
                    let t = &mut self.trials[id];
                    t.intermediate.retain(|&(s, _)| s != step);
                    t.intermediate.push((step, v));
                }
            }
            8 => {
                if let Some(id) = self.updatable(l.trial_id) {
                    let attrs = l.user_attr.ok_or("set_trial_user_attr without user_attr")?;
                    self.trials[id].user_attrs.extend(attrs);
                }
            }
            9 => {
                if let Some(id) = self.updatable(l.trial_id) {
                    if let Some(Value::Object(m)) =
                        l.system_attr.and_then(|mut a| a.remove(FIXED_PARAMS))
                    {
                        self.trials[id].fixed = Some(m);
                    }
                }
            }
            other => {
                if self.newer.is_none() {
                    self.newer = Some((self.lines, other));
                }
                return Err(format!("unknown op_code {other}"));
            }
        }
        Ok(())
    }

    /// A create line's distributions (a JSON object of distributions),
    /// decoded once per distinct text; and whether the set is kept (its
    /// address then names it for [`Journal::param_set`]).
    fn dist_set(&mut self, text: &str) -> Result<(Dists, bool), String> {
        if let Some(d) = self.dist_sets.get(text) {
            return Ok((d.clone(), true));
        }
        let raw: HashMap<String, &serde_json::value::RawValue> =
            serde_json::from_str(text).map_err(|e| format!("distributions: {e}"))?;
        let mut set = HashMap::with_capacity(raw.len());
        for (k, v) in raw {
            set.insert(k, self.dist(v.get())?);
        }
        let set = Arc::new(set);
        let keep = self.dist_sets.len() < 4096;
        if keep {
            self.dist_sets.insert(text.into(), set.clone());
        }
        Ok((set, keep))
    }

    /// A create line's parameters (internal values) in the user's form,
    /// decoded once per distinct text and distributions.
    fn param_set(&mut self, dists: &Dists, shared: bool, text: &str) -> Result<Params, String> {
        let at = Arc::as_ptr(dists) as usize;
        if shared {
            if let Some(p) = self.param_sets.get(&at).and_then(|m| m.get(text)) {
                return Ok(p.clone());
            }
        }
        let raw: HashMap<String, Value> =
            serde_json::from_str(text).map_err(|e| format!("params: {e}"))?;
        let mut params = Map::new();
        for (k, v) in raw {
            let d = dists
                .get(&k)
                .ok_or_else(|| format!("parameter {k:?} has no distribution"))?;
            let x = d.external(&v)?;
            params.insert(k, x);
        }
        let params = Arc::new(params);
        if shared {
            let memo = self.param_sets.entry(at).or_default();
            // float parameters are rarely repeated: keep a bounded memo
            if memo.len() < 1 << 16 {
                memo.insert(text.into(), params.clone());
            }
        }
        Ok(params)
    }

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

    fn study_mut(&mut self, id: Option<i64>) -> Option<&mut Study> {
        let i = usize::try_from(id?).ok()?;
        self.studies.get_mut(i).filter(|s| !s.deleted)
    }

    /// A trial that exists and is not finished.
    fn updatable(&self, id: Option<i64>) -> Option<usize> {
        let i = usize::try_from(id?).ok()?;
        self.trials
            .get(i)
            .filter(|t| !t.state.finished())
            .map(|_| i)
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

/// The system attribute that holds an enqueued trial's parameters.
pub const FIXED_PARAMS: &str = "fixed_params";

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
    pub no_arch: usize,
    /// Completed trials without a usable accuracy.
    pub no_acc: usize,
    /// Whether the test accuracy stands in for a missing one.
    pub test_is_val: bool,
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
fn arch_memoized(memo: &mut ArchMemo, t: &OptunaTrial) -> Option<(Arch, Option<Arc<str>>)> {
    let read = || {
        super::params::arch_of(&t.params, &t.user_attrs)
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
    pub fn of_engine(engine: &'static str) -> Runs {
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
        let before: usize = self.trace.runs.iter().map(|r| r.trials.len()).sum();
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
        for &id in &j.completed[self.taken..] {
            let t = &j.trials[id];
            let study = &j.studies[t.study];
            if study.deleted {
                continue;
            }
            let (slot, mapped) = &mut self.studies[t.study];
            let maximise = study.directions.first().is_none_or(|&d| d == 2);
            let attr = |keys: &[&str]| {
                keys.iter()
                    .find_map(|k| t.user_attrs.get(*k).and_then(Value::as_f64))
            };
            let objective = t
                .values
                .as_ref()
                .and_then(|v| v.first().copied())
                .filter(|_| maximise);
            let map = self.mapping.as_ref();
            // a named metric: the objective, or an attribute (report key)
            let named = |name: &str| match name {
                "objective" => t.values.as_ref().and_then(|v| v.first().copied()),
                k => t.user_attrs.get(k).and_then(Value::as_f64),
            };
            let scale = |x: f64| match map.map(|m| m.scale) {
                Some(Scale::Percent) => Some(x / 100.0).filter(|x| (0.0..=1.0).contains(x)),
                Some(Scale::Fraction) => Some(x).filter(|x| (0.0..=1.0).contains(x)),
                _ => fraction(x),
            };
            let val = match map.and_then(|m| m.validation.as_deref()) {
                Some(name) => named(name),
                None => attr(&VAL_KEYS).or(objective),
            };
            let Some(val) = val.and_then(scale) else {
                mapped.no_acc += 1;
                continue;
            };
            let test = match map.and_then(|m| m.test.as_deref()) {
                Some(name) => named(name),
                None => attr(&TEST_KEYS),
            };
            let test = match test.and_then(scale) {
                Some(x) => x,
                None => {
                    mapped.test_is_val = true;
                    val
                }
            };
            let found = match map.and_then(|m| m.architecture.as_deref()) {
                Some(name) => {
                    let one = |m: &Map<String, Value>| -> Map<String, Value> {
                        m.get(name)
                            .map(|v| {
                                let mut x = Map::new();
                                x.insert(name.to_string(), v.clone());
                                x
                            })
                            .unwrap_or_default()
                    };
                    super::params::arch_of(&one(&t.params), &one(&t.user_attrs))
                        .map(|a| (a.key().ok().map(Into::into), a))
                        .map(|(k, a)| (a, k))
                }
                None => arch_memoized(&mut self.arch_memo, t),
            };
            let Some((arch, hash)) = found else {
                mapped.no_arch += 1;
                continue;
            };
            let run = match *slot {
                Some(r) => r,
                None => {
                    self.trace.runs.push(Run::new(RunInfo {
                        run_id: study.name.clone(),
                        strategy: self.engine.unwrap_or("Optuna").into(),
                        space: arch.space().name().into(),
                        benchmark: String::new(),
                        seed: None,
                        objectives: Vec::new(),
                        config: None,
                    }));
                    *slot = Some(self.trace.runs.len() - 1);
                    self.trace.runs.len() - 1
                }
            };
            let r = &mut self.trace.runs[run];
            let step = r.trials.len() as u64;
            let time_s = match (t.complete, self.origin[t.study]) {
                (Some(c), Some(o)) if c >= o => Some(c - o),
                _ => None,
            };
            let trial = Trial {
                trial_id: t.number as u64,
                step,
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
            // a trial nasviz enqueued: a user trial, made from its base
            let made = provenance(t);
            let mut trial = trial;
            if let Some((base, m)) = &made {
                trial.source = Source::User;
                trial.mutation = m.clone().map(Arc::new);
                if r.position(*base).is_some() {
                    trial.parents = super::Parents::one(*base);
                }
            }
            r.push(trial)
                .map_err(|e| TraceError::bad(study.name.clone(), e))?;
            if let Some((base, m)) = made {
                let steer = super::Steer {
                    run_id: study.name.clone(),
                    step,
                    action: m.as_ref().map_or("inject", |m| m.kind()).to_string(),
                    base: r.position(base).map(|_| base),
                    trial_id: Some(t.number as u64),
                    mutation: m,
                    note: Some("enqueued into the study by nasviz".into()),
                };
                r.push_steer(steer)
                    .map_err(|e| TraceError::bad(study.name.clone(), e))?;
            }
            mapped.drawn += 1;
        }
        self.taken = j.completed.len();
        let after: usize = self.trace.runs.iter().map(|r| r.trials.len()).sum();
        Ok(after - before)
    }
}

/// The base trial's number and the edit, of a trial nasviz enqueued (its
/// [`PROVENANCE`] attribute).
fn provenance(t: &OptunaTrial) -> Option<(u64, Option<crate::arch::Mutation>)> {
    let p = t.user_attrs.get(PROVENANCE)?;
    let base = p.get("base_trial")?.as_u64()?;
    let m = p
        .get("mutation")
        .and_then(|m| super::line::parse_mutation(&m.to_string()).ok());
    Some((base, m))
}

/// Reads a journal that may still be written: a byte offset, complete
/// lines only (a partial last line waits), as Optuna's readers do.
pub struct JournalReader {
    path: PathBuf,
    tail: super::jsonl::Tail,
    line: usize,
    pending: Vec<u8>,
    pub journal: Journal,
    pub runs: Runs,
}

impl JournalReader {
    pub fn new(path: &Path) -> JournalReader {
        JournalReader {
            path: path.to_path_buf(),
            tail: super::jsonl::Tail::new(path),
            line: 0,
            pending: Vec::new(),
            journal: Journal::default(),
            runs: Runs::default(),
        }
    }

    /// A whole journal held in memory (a file dropped on the page); `name`
    /// names its lines in what was skipped.
    pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<JournalReader, TraceError> {
        let mut r = JournalReader::new(Path::new(name));
        r.pending.extend_from_slice(bytes);
        if !bytes.ends_with(b"\n") {
            r.pending.push(b'\n');
        }
        r.apply_pending(name, threads());
        r.runs.update(&r.journal)?;
        Ok(r)
    }

    /// Reads what was appended; returns the trials added to the runs. A
    /// line that cannot be read is skipped and kept in
    /// `journal.skipped` as `file:line: why`.
    pub fn poll(&mut self) -> Result<usize, TraceError> {
        let name = self.path.display().to_string();
        let io = |source| TraceError::Io {
            path: name.clone(),
            source,
        };
        let mut f = self.tail.appended()?;
        let mut chunk = vec![0u8; 8 << 20];
        loop {
            let n = f.read(&mut chunk).map_err(io)?;
            if n == 0 {
                break;
            }
            self.tail.offset += n as u64;
            self.pending.extend_from_slice(&chunk[..n]);
            self.apply_pending(&name, threads());
        }
        self.runs.update(&self.journal)
    }

    /// Replays the complete lines held, keeping a partial last one.
    /// Lines are parsed on `threads` threads, then replayed in order.
    fn apply_pending(&mut self, name: &str, threads: usize) {
        let Some(last) = memchr::memrchr(b'\n', &self.pending) else {
            return;
        };
        let JournalReader {
            pending,
            journal,
            line,
            ..
        } = self;
        for p in parse_block(&pending[..=last], threads) {
            *line += 1;
            let applied = match p {
                Parsed::Blank => Ok(()),
                Parsed::Line(l) => {
                    journal.lines += 1;
                    journal.apply_parsed(l)
                }
                Parsed::Bad(why) => {
                    journal.lines += 1;
                    Err(why)
                }
            };
            if let Err(why) = applied {
                journal.skipped.push(format!("{name}:{line}: {why}"));
            }
        }
        pending.drain(..=last);
    }

    pub fn trace(&self) -> &Trace {
        &self.runs.trace
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes of a partial last line held back (a writer is mid-line).
    pub fn partial(&self) -> usize {
        self.pending.len()
    }
}

/// The threads a journal's lines are parsed on: every core (the browser
/// build has one thread).
fn threads() -> usize {
    #[cfg(not(target_arch = "wasm32"))]
    return std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    #[cfg(target_arch = "wasm32")]
    return 1;
}

/// Whether the first line of a file is an Optuna journal operation.
pub fn looks_like_journal(first_line: &str) -> bool {
    serde_json::from_str::<Value>(first_line)
        .ok()
        .is_some_and(|v| v.get("op_code").is_some() && v.get("worker_id").is_some())
}

/// An Optuna study storage read whole: a journal, or an SQLite database.
pub struct Storage {
    pub journal: Journal,
    pub runs: Runs,
    /// `journal`, or `SQLite database (schema ...)`.
    pub kind: String,
}

impl Storage {
    pub fn trace(&self) -> &Trace {
        &self.runs.trace
    }
    pub fn summary(&self) -> Vec<String> {
        summary(&self.journal, &self.runs)
    }
}

/// The first bytes of every SQLite database file.
pub const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// What the browser build says of an SQLite file (it has no SQLite).
pub const NO_SQLITE_HERE: &str = "an SQLite database (an Optuna RDB or NNI storage): the browser \
     build does not read SQLite; convert it with `nasviz import optuna STUDY.db -o trace.jsonl` \
     and open the trace";

/// A search engine whose storage a user names (`--format`, `nasviz
/// import ENGINE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Optuna,
    Nni,
    Ray,
}

/// Reads a search engine's storage: an Optuna journal or SQLite database,
/// an NNI database (judged by their first bytes and tables), or a Ray Tune
/// experiment directory.
pub fn read_storage(path: &Path) -> Result<Storage, TraceError> {
    read_storage_as(path, None, None)
}

/// [`read_storage`] with the user's mapping of metrics and architecture.
pub fn read_storage_mapped(path: &Path, mapping: Option<Mapping>) -> Result<Storage, TraceError> {
    read_storage_as(path, None, mapping)
}

/// [`read_storage_mapped`] as the engine `engine` names, when one is named
/// (`--format`, `nasviz import optuna|nni|ray`): an Optuna storage is never
/// read as NNI's, and a file that is not that engine's is refused.
pub fn read_storage_as(
    path: &Path,
    engine: Option<Engine>,
    mapping: Option<Mapping>,
) -> Result<Storage, TraceError> {
    let mut s = read_storage_raw(path, engine)?;
    if mapping.is_some() {
        let mut runs = Runs {
            engine: s.runs.engine,
            mapping,
            ..Runs::default()
        };
        runs.update(&s.journal)?;
        s.runs = runs;
    }
    Ok(s)
}

/// Which engine's reader a storage takes: as named, or by content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reader {
    Journal,
    OptunaDb,
    NniDb,
    Ray,
}

fn reader_of(path: &Path, engine: Option<Engine>) -> Result<Reader, TraceError> {
    let shown = path.display().to_string();
    let is_dir = path.is_dir();
    let mut head = [0u8; 16];
    let n = if is_dir {
        0
    } else {
        std::fs::File::open(path)
            .and_then(|mut f| f.read(&mut head))
            .map_err(|source| TraceError::Io {
                path: shown.clone(),
                source,
            })?
    };
    let sqlite = head[..n].starts_with(SQLITE_MAGIC);
    let ray = is_dir && super::ray::is_experiment(path);
    let reader = match engine {
        Some(Engine::Nni) if !sqlite => {
            return Err(TraceError::bad(
                shown,
                "not an NNI experiment database: not SQLite (NNI keeps its trials in \
                 db/nni.sqlite of the experiment's folder)",
            ))
        }
        Some(Engine::Nni) => Reader::NniDb,
        Some(Engine::Optuna) if is_dir => {
            return Err(TraceError::bad(
                shown,
                "not an Optuna storage: a folder (Optuna stores a study in a journal file \
                 or an SQLite database)",
            ))
        }
        Some(Engine::Optuna) if sqlite => Reader::OptunaDb,
        Some(Engine::Optuna) => Reader::Journal,
        Some(Engine::Ray) if !ray => {
            return Err(TraceError::bad(
                shown,
                "not a Ray Tune experiment folder (trial folders with params.json and \
                 result.json)",
            ))
        }
        _ if ray => Reader::Ray,
        _ if sqlite && sqlite_is_nni_checked(path) => Reader::NniDb,
        _ if sqlite => Reader::OptunaDb,
        _ => Reader::Journal,
    };
    Ok(reader)
}

#[cfg(not(target_arch = "wasm32"))]
fn sqlite_is_nni_checked(path: &Path) -> bool {
    sqlite_is_nni(path)
}

#[cfg(target_arch = "wasm32")]
fn sqlite_is_nni_checked(_: &Path) -> bool {
    false
}

fn read_storage_raw(path: &Path, engine: Option<Engine>) -> Result<Storage, TraceError> {
    match reader_of(path, engine)? {
        Reader::Ray => {
            let mut r = super::ray::RayReader::new(path);
            r.poll()?;
            Ok(Storage {
                journal: r.journal,
                runs: r.runs,
                kind: "Ray Tune experiment".into(),
            })
        }
        #[cfg(target_arch = "wasm32")]
        Reader::NniDb | Reader::OptunaDb => Err(TraceError::bad(
            path.display().to_string(),
            NO_SQLITE_HERE.to_string(),
        )),
        #[cfg(not(target_arch = "wasm32"))]
        Reader::NniDb => {
            let shown = path.display().to_string();
            let is_nni =
                super::optuna_db::open_read_only(path).is_ok_and(|c| super::nni::is_nni(&c));
            if !is_nni {
                return Err(TraceError::bad(
                    shown,
                    "not an NNI experiment database: SQLite without NNI's tables \
                     (TrialJobEvent, MetricData)",
                ));
            }
            let mut r = super::nni::NniReader::new(path);
            r.poll()?;
            Ok(Storage {
                journal: r.journal,
                runs: r.runs,
                kind: "NNI experiment database".into(),
            })
        }
        #[cfg(not(target_arch = "wasm32"))]
        Reader::OptunaDb => {
            let mut r = super::optuna_db::DbReader::new(path);
            r.poll()?;
            let kind = format!("Optuna SQLite database (schema {})", r.schema);
            Ok(Storage {
                journal: r.journal,
                runs: r.runs,
                kind,
            })
        }
        Reader::Journal => {
            let r = read_journal(path)?;
            Ok(Storage {
                journal: r.journal,
                runs: r.runs,
                kind: "Optuna journal".into(),
            })
        }
    }
}

/// Whether the SQLite database at `path` is an NNI experiment's.
#[cfg(not(target_arch = "wasm32"))]
pub fn sqlite_is_nni(path: &Path) -> bool {
    super::optuna_db::open_read_only(path).is_ok_and(|c| super::nni::is_nni(&c))
}

/// Reads a whole journal into runs.
pub fn read_journal(path: &Path) -> Result<JournalReader, TraceError> {
    let mut r = JournalReader::new(path);
    r.poll()?;
    Ok(r)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times() {
        assert_eq!(parse_time("1970-01-01T00:00:00"), Some(0.0));
        assert_eq!(parse_time("1970-01-01T01:00:00+01:00"), Some(0.0));
        let t = parse_time("2026-11-30T14:15:02.5+00:00").unwrap();
        assert_eq!(t, 1_796_048_102.5);
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn replay_drops_what_optuna_drops() {
        let mut j = Journal::default();
        let cat = r#"{\"name\": \"CategoricalDistribution\", \"attributes\": {\"choices\": [\"a\", \"b\"]}}"#;
        let lines = [
            r#"{"op_code":0,"worker_id":"w","study_name":"s","directions":[2]}"#.to_string(),
            r#"{"op_code":0,"worker_id":"w","study_name":"s","directions":[2]}"#.to_string(),
            r#"{"op_code":4,"worker_id":"w","study_id":7,"datetime_start":null}"#.to_string(),
            r#"{"op_code":4,"worker_id":"w","study_id":0,"datetime_start":"2026-01-01T00:00:00"}"#
                .to_string(),
            format!(
                r#"{{"op_code":5,"worker_id":"w","trial_id":0,"param_name":"x","param_value_internal":1,"distribution":"{cat}"}}"#
            ),
            r#"{"op_code":6,"worker_id":"w","trial_id":0,"state":0,"values":null,"datetime_start":"2026-01-01T00:00:00"}"#.to_string(),
            r#"{"op_code":6,"worker_id":"w","trial_id":0,"state":1,"values":[0.5],"datetime_complete":"2026-01-01T00:00:10"}"#.to_string(),
            r#"{"op_code":8,"worker_id":"w","trial_id":0,"user_attr":{"late":1}}"#.to_string(),
            r#"{"op_code":6,"worker_id":"w","trial_id":9,"state":1,"values":[0.9]}"#.to_string(),
        ];
        for l in &lines {
            j.apply_line(l).unwrap();
        }
        assert_eq!(
            j.studies.len(),
            1,
            "a second study of the same name is dropped"
        );
        assert_eq!(j.trials.len(), 1, "a trial of a missing study is dropped");
        let t = &j.trials[0];
        assert_eq!(t.params.get("x"), Some(&Value::from("b")));
        assert_eq!(t.state, State::Complete);
        assert_eq!(t.values, Some(vec![0.5]));
        assert!(t.user_attrs.is_empty(), "a finished trial is not updated");
        assert_eq!(t.complete.zip(t.start).map(|(c, s)| c - s), Some(10.0));
        assert!(j.apply_line("{not json").is_err());
        assert!(j.apply_line(r#"{"op_code":42,"worker_id":"w"}"#).is_err());
    }

    /// Lines parsed in parallel and replayed in order give what replaying
    /// them one by one gives: the same trials, the same runs, the same
    /// skipped lines with the same line numbers.
    #[test]
    fn parallel_replay_equals_line_by_line() {
        let ops = [
            "none",
            "skip_connect",
            "nor_conv_1x1",
            "nor_conv_3x3",
            "avg_pool_3x3",
        ];
        let edges = ["1<-0", "2<-0", "2<-1", "3<-0", "3<-1", "3<-2"];
        let cat =
            serde_json::json!({"name": "CategoricalDistribution", "attributes": {"choices": ops}})
                .to_string();
        let mut rng = crate::rng::Rng::new(7);
        let mut lines = vec![
            r#"{"op_code":0,"worker_id":"w","study_name":"a","directions":[2]}"#.to_string(),
            r#"{"op_code":0,"worker_id":"w","study_name":"b","directions":[2]}"#.to_string(),
        ];
        for i in 0..4000u64 {
            let mut dists = Map::new();
            let mut params = Map::new();
            for e in edges {
                dists.insert(e.into(), Value::from(cat.clone()));
                params.insert(e.into(), Value::from(rng.next_u64() % 5));
            }
            let v = 0.5 + (rng.next_u64() % 400) as f64 / 1000.0;
            let state = if i % 7 == 3 { 0 } else { 1 };
            lines.push(
                serde_json::json!({"op_code": 4, "worker_id": format!("w{}", i % 3),
                    "study_id": i % 2, "state": state, "values": [v],
                    "datetime_start": "2026-12-05T00:00:00+00:00",
                    "datetime_complete": "2026-12-05T00:00:01+00:00",
                    "distributions": dists, "params": params,
                    "user_attrs": {"test_acc": v - 0.01}})
                .to_string(),
            );
            match i % 500 {
                5 => lines.push("{broken".into()),
                9 => lines.push(String::new()),
                11 => lines.push(r#"{"op_code":8,"worker_id":"w","trial_id":3,"user_attr":{"k":1}}"#.into()),
                13 => lines.push(format!(
                    r#"{{"op_code":6,"worker_id":"w","trial_id":{},"state":1,"values":[0.9],"datetime_complete":"2026-12-05T00:00:02+00:00"}}"#,
                    i.saturating_sub(4)
                )),
                _ => {}
            }
        }
        let text = lines.join("\n") + "\n";
        assert!(text.len() > 2 << 20, "large enough to be cut in parts");
        // one by one
        let mut j = Journal::default();
        let mut skipped = Vec::new();
        for (n, l) in lines.iter().enumerate() {
            if l.trim().is_empty() {
                continue;
            }
            if let Err(why) = j.apply_line(l) {
                skipped.push(format!("x:{}: {why}", n + 1));
            }
        }
        let mut runs = Runs::default();
        runs.update(&j).unwrap();
        for threads in [1, 2, 3, 8] {
            let mut r = JournalReader::new(Path::new("x"));
            r.pending.extend_from_slice(text.as_bytes());
            r.apply_pending("x", threads);
            r.runs.update(&r.journal).unwrap();
            assert_eq!(r.journal.skipped, skipped, "{threads} threads");
            assert_eq!(r.journal.lines, j.lines);
            assert_eq!(r.journal.completed, j.completed);
            assert_eq!(r.journal.trials.len(), j.trials.len());
            for (a, b) in r.journal.trials.iter().zip(&j.trials) {
                assert_eq!(
                    (a.number, a.state, &a.params, &a.values),
                    (b.number, b.state, &b.params, &b.values)
                );
                assert_eq!((&a.user_attrs, &a.worker), (&b.user_attrs, &b.worker));
            }
            assert!(
                r.runs.trace == runs.trace,
                "{threads} threads: the same runs"
            );
        }
        assert_eq!(runs.trace.runs.len(), 2);
        assert!(skipped.len() >= 8, "{skipped:?}");
    }
}
