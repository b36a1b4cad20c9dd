//! NNI experiments, read from their database (`<experiment>/db/nni.sqlite`),
//! opened read-only.
//!
//! `TrialJobEvent` holds each trial job's events (WAITING, RUNNING,
//! SUCCEEDED, FAILED, USER_CANCELED, SYS_CANCELED, EARLY_STOPPED); the event
//! that starts a job carries its parameters as JSON (`parameter_id`,
//! `parameters`). `MetricData` holds the reports, FINAL and PERIODICAL, with
//! `data` JSON-encoded twice (a JSON string holding a number, or a
//! dictionary whose `default` is the main metric). A metric belongs to the
//! parameters its `parameterId` names, not to its `trialJobId`, which NNI
//! sometimes records wrongly. `ExperimentProfile` gives the experiment's
//! name and whether the tuner maximises.
//!
//! NNI's events may also give a job the parameters of another job started
//! at the same time, so a parameter set's state comes from its metrics:
//! done when its FINAL metric arrived, failed when it has none and no job
//! is running any more.
//!
//! Each parameter set that succeeded becomes a trial (its final `default`
//! the objective, other entries of the final dictionary attributes such as
//! `test_acc`), in the order they succeeded; see `studies.rs`.

use super::replay::{Completion, Journal, Params, State, StoredTrial, Study};
use super::sqlite::{for_each_ref, open_read_only, settle};
use super::studies::Runs;
use super::{Engine, EngineReader, StorageKind};
use crate::trace::scan::FxMap;
use crate::trace::TraceError;
use rusqlite::Connection;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The tables every NNI experiment database has.
pub(crate) const TABLES: [&str; 2] = ["TrialJobEvent", "MetricData"];

/// Reads an NNI experiment database, now and as it changes.
pub struct NniReader {
    path: PathBuf,
    pub journal: Journal,
    pub runs: Runs,
    /// The succeeded parameter sets (by parameter id) in the order taken in.
    completion: Completion<i64>,
    signature: Option<(i64, i64)>,
}

/// A value JSON-encoded once or twice, decoded.
fn decode(text: &str) -> Option<Value> {
    let once: Value = serde_json::from_str(text).ok()?;
    match once {
        Value::String(s) => serde_json::from_str(&s).ok().or(Some(Value::String(s))),
        v => Some(v),
    }
}

impl EngineReader for NniReader {
    /// Reads what changed; returns the trials added to the runs (a writer's
    /// lock makes a later poll wait, as for Optuna's database).
    fn poll(&mut self) -> Result<usize, TraceError> {
        let read = self.read();
        settle(
            &self.path,
            read,
            self.signature.is_some(),
            &mut self.journal,
            &mut self.runs,
        )
    }
    fn kind(&self) -> StorageKind {
        StorageKind::NniDb
    }
    replayed_in_fields!();
}

impl NniReader {
    pub fn new(path: &Path) -> NniReader {
        NniReader {
            path: path.to_path_buf(),
            journal: Journal::default(),
            runs: Runs::of_engine(Engine::Nni.label()),
            completion: Completion::default(),
            signature: None,
        }
    }

    /// The database read again, or `None` when its events and metrics
    /// are unchanged.
    fn read(&mut self) -> Result<Option<Journal>, rusqlite::Error> {
        let c = open_read_only(&self.path)?;
        let sig: (i64, i64) = c.query_row(
            "SELECT (SELECT COUNT(*) FROM TrialJobEvent), (SELECT COUNT(*) FROM MetricData)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if self.signature == Some(sig) {
            return Ok(None);
        }
        let mut j = Journal {
            studies: vec![experiment(&c)],
            ..Journal::default()
        };
        let jobs = Jobs::read(&c, &mut j)?;
        jobs.stamp_ends(&mut j);
        read_metrics(&c, &mut j, &jobs.by_param)?;
        // a parameter set without its final metric failed once no job runs
        let all_ended = jobs.all_ended();
        for t in &mut j.trials {
            if t.state != State::Complete {
                t.state = if all_ended {
                    State::Fail
                } else {
                    State::Running
                };
            }
        }
        // succeeded sets keep their place; new ones follow by end time
        j.completed = self.completion.update(
            &j,
            &jobs.by_param,
            |t| t.state == State::Complete && t.values.is_some(),
            |&pid, _| pid,
        );
        j.lines = j.trials.len();
        self.signature = Some(sig);
        Ok(Some(j))
    }
}

/// The experiment as a study: its name, and whether it maximises.
fn experiment(c: &Connection) -> Study {
    let (mut name, mut maximise) = (String::from("nni"), true);
    if let Ok(p) = c.query_row(
        "SELECT params FROM ExperimentProfile ORDER BY revision DESC LIMIT 1",
        [],
        |r| r.get::<_, String>(0),
    ) {
        if let Ok(v) = serde_json::from_str::<Value>(&p) {
            if let Some(n) = v["experimentName"].as_str().filter(|n| !n.is_empty()) {
                name = n.to_string();
            }
            let mode = v["tuner"]["classArgs"]["optimize_mode"]
                .as_str()
                .or(v["tuner"]["classArgs"]["optimizeMode"].as_str());
            maximise = mode != Some("minimize");
        }
    }
    Study {
        name,
        directions: vec![if maximise { 2 } else { 1 }],
        deleted: false,
        trials: Vec::new(),
    }
}

/// What the jobs' events say: the parameter sets (trials) they started,
/// which job started which, and each job's last state and its time.
#[derive(Default)]
struct Jobs {
    /// Trials by parameter id.
    by_param: HashMap<i64, usize>,
    /// The trials each job started.
    params: FxMap<String, Vec<usize>>,
    /// Each job's state (its last event) and when it came.
    state: FxMap<String, (State, f64)>,
    /// Parameters by their text, decoded once.
    memo: FxMap<Box<str>, Params>,
}

impl Jobs {
    /// Reads the events in time order; an event carrying a parameter set
    /// not seen before adds its trial to `j`.
    fn read(c: &Connection, j: &mut Journal) -> Result<Jobs, rusqlite::Error> {
        let mut jobs = Jobs::default();
        for_each_ref(
            c,
            "SELECT timestamp, trialJobId, event, data, environmentId FROM TrialJobEvent \
             ORDER BY timestamp, rowid",
            [],
            |r| {
                let ts: Option<f64> = r.get(0)?;
                let at = ts.unwrap_or(0.0) / 1000.0;
                let job = r.get_ref(1)?.as_str()?;
                if let Some(data) = r.get_ref(3)?.as_str_or_null()? {
                    if let Some((pid, params)) = jobs.parameters(data) {
                        let env = r.get_ref(4)?.as_str_or_null()?;
                        jobs.started(j, job, pid, params, at, env);
                    }
                }
                let state = match r.get_ref(2)?.as_str()? {
                    "SUCCEEDED" => State::Complete,
                    "FAILED" | "USER_CANCELED" | "SYS_CANCELED" => State::Fail,
                    "EARLY_STOPPED" => State::Pruned,
                    "WAITING" => State::Waiting,
                    _ => State::Running,
                };
                match jobs.state.get_mut(job) {
                    Some(s) => *s = (state, at),
                    None => {
                        jobs.state.insert(job.to_string(), (state, at));
                    }
                }
                Ok(())
            },
        )?;
        Ok(jobs)
    }

    /// The parameter id and parameters an event's data carries: the
    /// parameters decoded once per distinct text, and shared.
    fn parameters(&mut self, data: &str) -> Option<(i64, Params)> {
        #[derive(serde::Deserialize)]
        struct Event<'a> {
            parameter_id: Option<i64>,
            #[serde(borrow)]
            parameters: Option<&'a serde_json::value::RawValue>,
        }
        let shared = |memo: &mut FxMap<Box<str>, Params>, text: &str| -> Option<Params> {
            if let Some(p) = memo.get(text) {
                return Some(p.clone());
            }
            let Ok(Value::Object(m)) = serde_json::from_str(text) else {
                return None;
            };
            let p = Params::new(m);
            memo.insert(text.into(), p.clone());
            Some(p)
        };
        match serde_json::from_str::<Event<'_>>(data) {
            Ok(e) => {
                let (pid, raw) = (e.parameter_id?, e.parameters?);
                Some((pid, shared(&mut self.memo, raw.get())?))
            }
            // anything else (data encoded twice) in full
            Err(_) => {
                let v = decode(data)?;
                let pid = v["parameter_id"].as_i64()?;
                let text = serde_json::to_string(v.get("parameters")?).ok()?;
                Some((pid, shared(&mut self.memo, &text)?))
            }
        }
    }

    /// A trial for the parameter set `pid` an event of `job` carries, if
    /// it is one not seen before.
    fn started(
        &mut self,
        j: &mut Journal,
        job: &str,
        pid: i64,
        params: Params,
        at: f64,
        env: Option<&str>,
    ) {
        let std::collections::hash_map::Entry::Vacant(e) = self.by_param.entry(pid) else {
            return;
        };
        let t = j.trials.len();
        e.insert(t);
        match self.params.get_mut(job) {
            Some(ts) => ts.push(t),
            None => {
                self.params.insert(job.to_string(), vec![t]);
            }
        }
        j.studies[0].trials.push(t);
        let number = usize::try_from(pid).unwrap_or(t);
        let mut trial = StoredTrial::new(0, number, State::Running);
        trial.params = params;
        trial.start = Some(at);
        trial.worker = env.map(str::to_string);
        j.trials.push(trial);
    }

    /// Whether no job is running or waiting any more.
    fn all_ended(&self) -> bool {
        self.state
            .values()
            .all(|(s, _)| !matches!(s, State::Running | State::Waiting))
    }

    /// The trials of each job that ended end when it did (their final
    /// metric's time, when it comes, is closer).
    fn stamp_ends(&self, j: &mut Journal) {
        for (job, ts) in &self.params {
            if let Some(&(state, at)) = self.state.get(job) {
                for &t in ts {
                    if state != State::Running && state != State::Waiting {
                        j.trials[t].complete = Some(at);
                    }
                }
            }
        }
    }
}

/// The metrics, linked to their trials by parameter id (which job ran
/// which parameters is not reliable in NNI's events: concurrent jobs get
/// each other's; metrics name their parameters rightly). A parameter set
/// is done when its final metric arrived.
fn read_metrics(
    c: &Connection,
    j: &mut Journal,
    by_param: &HashMap<i64, usize>,
) -> Result<(), rusqlite::Error> {
    for_each_ref(
        c,
        "SELECT parameterId, type, sequence, data, timestamp FROM MetricData \
         ORDER BY timestamp, rowid",
        [],
        |r| {
            let Some(&t) = (r.get_ref(0)?.as_str_or_null()?)
                .and_then(|p| p.trim().parse::<i64>().ok())
                .and_then(|p| by_param.get(&p))
            else {
                return Ok(());
            };
            let Some(v) = r.get_ref(3)?.as_str_or_null()?.and_then(decode) else {
                return Ok(());
            };
            let (seq, ts): (Option<i64>, Option<f64>) = (r.get(2)?, r.get(4)?);
            let tr = &mut j.trials[t];
            if r.get_ref(1)?.as_str_or_null()? == Some("FINAL") {
                take_final(tr, v, ts);
            } else if let Some(x) = main_metric(&v) {
                tr.intermediate.push((seq.unwrap_or(0), x));
            }
            Ok(())
        },
    )
}

/// A report's main metric: the number, or a dictionary's `default`.
fn main_metric(v: &Value) -> Option<f64> {
    match v {
        Value::Object(m) => m.get("default").and_then(Value::as_f64),
        other => other.as_f64(),
    }
}

/// A trial's final report: its objective, its other entries as
/// attributes (`test_acc`), done at the report's time.
fn take_final(tr: &mut StoredTrial, v: Value, ts: Option<f64>) {
    tr.values = main_metric(&v).map(|x| vec![x]);
    tr.state = State::Complete;
    tr.complete = ts.map(|x| x / 1000.0).or(tr.complete);
    if let Value::Object(m) = v {
        for (k, x) in m {
            if k != "default" {
                tr.user_attrs.insert(k, x);
            }
        }
    }
}
