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
//! `test_acc`), in the order they succeeded; see [`super::studies::Runs`].

use super::replay::{Journal, OptunaTrial, State, Study};
use super::studies::Runs;
use super::{Trace, TraceError};
use rusqlite::Connection;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Reads an NNI experiment database, now and as it changes.
pub struct NniReader {
    path: PathBuf,
    pub journal: Journal,
    pub runs: Runs,
    order: Vec<i64>,
    signature: Option<(i64, i64)>,
}

/// Whether an SQLite connection holds an NNI experiment.
pub fn is_nni(c: &Connection) -> bool {
    c.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('TrialJobEvent', 'MetricData')",
        [],
        |r| r.get::<_, i64>(0),
    )
    .is_ok_and(|n| n == 2)
}

/// A value JSON-encoded once or twice, decoded.
fn decode(text: &str) -> Option<Value> {
    let once: Value = serde_json::from_str(text).ok()?;
    match once {
        Value::String(s) => serde_json::from_str(&s).ok().or(Some(Value::String(s))),
        v => Some(v),
    }
}

impl NniReader {
    pub fn new(path: &Path) -> NniReader {
        NniReader {
            path: path.to_path_buf(),
            journal: Journal::default(),
            runs: Runs::of_engine("NNI"),
            order: Vec::new(),
            signature: None,
        }
    }

    pub fn trace(&self) -> &Trace {
        &self.runs.trace
    }

    /// Reads what changed; returns the trials added to the runs (a writer's
    /// lock makes a later poll wait, as for Optuna's database).
    pub fn poll(&mut self) -> Result<usize, TraceError> {
        match self.read() {
            Err(e) => super::optuna_db::fault(&self.path, e, self.signature.is_some()),
            Ok(None) => Ok(0),
            Ok(Some(j)) => {
                self.journal = j;
                self.runs.update(&self.journal)
            }
        }
    }

    fn read(&mut self) -> Result<Option<Journal>, rusqlite::Error> {
        let c = super::optuna_db::open_read_only(&self.path)?;
        let sig: (i64, i64) = c.query_row(
            "SELECT (SELECT COUNT(*) FROM TrialJobEvent), (SELECT COUNT(*) FROM MetricData)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if self.signature == Some(sig) {
            return Ok(None);
        }
        // the experiment: its name, and whether it maximises
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
        let mut j = Journal {
            studies: vec![Study {
                name,
                directions: vec![if maximise { 2 } else { 1 }],
                deleted: false,
                trials: Vec::new(),
            }],
            ..Journal::default()
        };
        // parameter sets, from the events that started their jobs; each
        // job's state is its last event
        let mut by_param: HashMap<i64, usize> = HashMap::new();
        let mut job_params: HashMap<String, Vec<usize>> = HashMap::new();
        let mut job_state: HashMap<String, (State, f64)> = HashMap::new();
        {
            let mut q = c.prepare(
                "SELECT timestamp, trialJobId, event, data, environmentId FROM TrialJobEvent \
                 ORDER BY timestamp, rowid",
            )?;
            let rows = q.query_map([], |r| {
                Ok((
                    r.get::<_, Option<f64>>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })?;
            for row in rows {
                let (ts, job, event, data, env) = row?;
                let at = ts.unwrap_or(0.0) / 1000.0;
                if let Some(v) = data.as_deref().and_then(decode) {
                    if let (Some(pid), Some(Value::Object(params))) =
                        (v["parameter_id"].as_i64(), v.get("parameters"))
                    {
                        if let std::collections::hash_map::Entry::Vacant(e) = by_param.entry(pid) {
                            e.insert(j.trials.len());
                            job_params
                                .entry(job.clone())
                                .or_default()
                                .push(j.trials.len());
                            j.studies[0].trials.push(j.trials.len());
                            j.trials.push(OptunaTrial {
                                study: 0,
                                number: usize::try_from(pid).unwrap_or(j.trials.len()),
                                state: State::Running,
                                params: std::sync::Arc::new(params.clone()),
                                dists: Default::default(),
                                values: None,
                                user_attrs: Map::new(),
                                intermediate: Vec::new(),
                                start: Some(at),
                                complete: None,
                                worker: env.clone(),
                                fixed: None,
                            });
                        }
                    }
                }
                let state = match event.as_str() {
                    "SUCCEEDED" => State::Complete,
                    "FAILED" | "USER_CANCELED" | "SYS_CANCELED" => State::Fail,
                    "EARLY_STOPPED" => State::Pruned,
                    "WAITING" => State::Waiting,
                    _ => State::Running,
                };
                job_state.insert(job, (state, at));
            }
        }
        // which job ran which parameters is not reliable in NNI's events
        // (concurrent jobs get each other's); metrics name their
        // parameters rightly. A parameter set is done when its final
        // metric arrived, failed when it has none and no job is running.
        let all_ended = job_state
            .values()
            .all(|(s, _)| !matches!(s, State::Running | State::Waiting));
        for (job, ts) in &job_params {
            if let Some(&(state, at)) = job_state.get(job) {
                for &t in ts {
                    if state != State::Running && state != State::Waiting {
                        j.trials[t].complete = Some(at);
                    }
                }
            }
        }
        // metrics, by parameter id
        {
            let mut q = c.prepare(
                "SELECT parameterId, type, sequence, data, timestamp FROM MetricData \
                 ORDER BY timestamp, rowid",
            )?;
            let rows = q.query_map([], |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<f64>>(4)?,
                ))
            })?;
            for row in rows {
                let (pid, kind, seq, data, ts) = row?;
                let Some(&t) = pid
                    .as_deref()
                    .and_then(|p| p.trim().parse::<i64>().ok())
                    .and_then(|p| by_param.get(&p))
                else {
                    continue;
                };
                let Some(v) = data.as_deref().and_then(decode) else {
                    continue;
                };
                let main = match &v {
                    Value::Object(m) => m.get("default").and_then(Value::as_f64),
                    other => other.as_f64(),
                };
                let tr = &mut j.trials[t];
                if kind.as_deref() == Some("FINAL") {
                    tr.values = main.map(|x| vec![x]);
                    tr.state = State::Complete;
                    tr.complete = ts.map(|x| x / 1000.0).or(tr.complete);
                    if let Value::Object(m) = v {
                        for (k, x) in m {
                            if k != "default" {
                                tr.user_attrs.insert(k, x);
                            }
                        }
                    }
                } else if let Some(x) = main {
                    tr.intermediate.push((seq.unwrap_or(0), x));
                }
            }
        }
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
        let done = |t: &OptunaTrial| t.state == State::Complete && t.values.is_some();
        self.order
            .retain(|pid| by_param.get(pid).is_some_and(|&t| done(&j.trials[t])));
        let known: std::collections::HashSet<i64> = self.order.iter().copied().collect();
        let mut fresh: Vec<(f64, i64)> = by_param
            .iter()
            .filter(|(pid, &t)| !known.contains(pid) && done(&j.trials[t]))
            .map(|(&pid, &t)| (j.trials[t].complete.unwrap_or(f64::MAX), pid))
            .collect();
        fresh.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        self.order.extend(fresh.into_iter().map(|x| x.1));
        j.completed = self.order.iter().map(|pid| by_param[pid]).collect();
        j.lines = j.trials.len();
        self.signature = Some(sig);
        Ok(Some(j))
    }
}
