//! Ray Tune experiment directories (`<storage_path>/<name>/`), read from
//! the files Ray writes: each trial's folder holds `params.json` (its
//! config) and `result.json` (one JSON line per report:
//! `training_iteration`, `time_total_s`, `timestamp`, `trial_id`, `done`,
//! the user's metrics), and the experiment's `experiment_state-*.json`
//! says each trial's status.
//!
//! Ray re-copies these files at checkpoints instead of appending, so a
//! reader reads each again when it changed, takes complete lines only, and
//! treats a half-written JSON file as not there yet. A trial is drawn once
//! it is finished (`TERMINATED`, or its last report says `done`), with its
//! last report's metrics (see `studies.rs` for the names read) and the
//! architecture in its config (`trace/params.rs`); errored and running
//! trials are counted.

use super::replay::{Completion, Journal, State, StoredTrial, Study};
use super::studies::Runs;
use super::{Engine, EngineReader, StorageKind};
use crate::trace::TraceError;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What was read of one trial folder.
#[derive(Clone, Debug, Default)]
struct TrialFiles {
    config: Map<String, Value>,
    last: Option<Map<String, Value>>,
    first_start: Option<f64>,
    reports: usize,
}

/// Reads a Ray Tune experiment directory, now and as it changes.
pub struct RayReader {
    dir: PathBuf,
    name: String,
    trials: HashMap<String, TrialFiles>,
    /// Each trial folder's `result.json` stamp when last read.
    seen: HashMap<PathBuf, Option<Stamp>>,
    /// The experiment state files' stamps, and the statuses read from them.
    state_stamps: Option<Vec<Stamp>>,
    status: HashMap<String, String>,
    /// Whether a poll has read the folder (the first builds the runs).
    polled: bool,
    pub journal: Journal,
    pub runs: Runs,
    /// The finished trials (by trial id) in the order taken in.
    completion: Completion<String>,
    /// Lines or files that could not be read (`file:line: why`).
    pub skipped: Vec<String>,
}

/// Whether `dir` is a Ray Tune experiment: an `experiment_state-*.json`,
/// or folders holding `result.json`.
pub(crate) fn is_experiment(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        (name.starts_with("experiment_state-") && name.ends_with(".json"))
            || e.path().join("result.json").is_file()
    })
}

/// The trial id in a trial folder's name (`trainable_f6f1f_00000_0_...`:
/// `f6f1f_00000`), for a trial that reported nothing.
fn id_in_name(d: &Path) -> Option<String> {
    let name = d.file_name()?.to_string_lossy().into_owned();
    let parts: Vec<&str> = name.split('_').collect();
    parts.windows(2).find_map(|w| {
        let hex = w[0].len() == 5 && w[0].bytes().all(|b| b.is_ascii_hexdigit());
        let num = w[1].len() == 5 && w[1].bytes().all(|b| b.is_ascii_digit());
        (hex && num).then(|| format!("{}_{}", w[0], w[1]))
    })
}

/// A file's length and modification time: a file re-copied by Ray
/// changes one or the other.
type Stamp = (u64, Option<SystemTime>);

fn stamp_of(p: &Path) -> Stamp {
    std::fs::metadata(p).map_or((0, None), |m| (m.len(), m.modified().ok()))
}

fn number_of(trial_id: &str) -> Option<usize> {
    trial_id.rsplit('_').next()?.parse().ok()
}

impl EngineReader for RayReader {
    /// Reads what changed; returns the trials added to the runs.
    fn poll(&mut self) -> Result<usize, TraceError> {
        if !self.refresh()? {
            return Ok(0);
        }
        let (mut j, index) = self.replay();
        // finished trials keep their place; new ones follow by end time
        j.completed = self.completion.update(
            &j,
            &index,
            |t| t.state == State::Complete,
            |id, t| (t.number, id.clone()),
        );
        j.lines = j.trials.len();
        j.skipped = self.skipped.clone();
        self.journal = j;
        self.runs.update(&self.journal)
    }
    fn kind(&self) -> StorageKind {
        StorageKind::RayExperiment
    }
    replayed_in_fields!();
    fn skipped(&self) -> &[String] {
        &self.skipped
    }
}

impl RayReader {
    pub fn new(dir: &Path) -> RayReader {
        let name = dir
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "ray".into());
        let runs = Runs::of_engine(Engine::Ray.label());
        RayReader {
            dir: dir.to_path_buf(),
            name,
            trials: HashMap::new(),
            seen: HashMap::new(),
            state_stamps: None,
            status: HashMap::new(),
            polled: false,
            journal: Journal::default(),
            runs,
            completion: Completion::default(),
            skipped: Vec::new(),
        }
    }

    /// Reads each trial's status again from the newest readable
    /// experiment state, when the state files changed; returns whether
    /// they did.
    fn refresh_statuses(&mut self) -> bool {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return false;
        };
        let mut states: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name().is_some_and(|n| {
                    let n = n.to_string_lossy();
                    n.starts_with("experiment_state-") && n.ends_with(".json")
                })
            })
            .collect();
        states.sort();
        let stamps: Vec<Stamp> = states.iter().map(|p| stamp_of(p)).collect();
        if self.state_stamps.as_ref() == Some(&stamps) {
            return false;
        }
        self.state_stamps = Some(stamps);
        let mut out = HashMap::new();
        for p in states.iter().rev() {
            let Ok(text) = std::fs::read_to_string(p) else {
                continue;
            };
            // a state being copied is not JSON yet: an older one speaks
            let Ok(v) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            for t in v["trial_data"].as_array().into_iter().flatten() {
                let Some(meta) = t.get(0).and_then(Value::as_str) else {
                    continue;
                };
                let Ok(m) = serde_json::from_str::<Value>(meta) else {
                    continue;
                };
                if let (Some(id), Some(s)) = (m["trial_id"].as_str(), m["status"].as_str()) {
                    out.insert(id.to_string(), s.to_string());
                }
            }
            break;
        }
        self.status = out;
        true
    }

    /// Reads what changed: the trial folders and the experiment state
    /// again where they changed; whether anything did.
    fn refresh(&mut self) -> Result<bool, TraceError> {
        let entries = std::fs::read_dir(&self.dir).map_err(|source| TraceError::Io {
            path: self.dir.display().to_string(),
            source,
        })?;
        let mut dirs: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("result.json").is_file() || p.join("params.json").is_file())
            .collect();
        dirs.sort();
        let mut changed = !self.polled;
        for d in &dirs {
            changed |= self.read_trial(d);
        }
        changed |= self.refresh_statuses();
        self.polled = true;
        Ok(changed)
    }

    /// The journal the runs are made from: one study, a trial per folder;
    /// and each trial's place in it by trial id.
    fn replay(&self) -> (Journal, HashMap<String, usize>) {
        let mut j = Journal {
            studies: vec![Study {
                name: self.name.clone(),
                directions: Vec::new(),
                deleted: false,
                trials: Vec::new(),
            }],
            ..Journal::default()
        };
        let mut ids: Vec<&String> = self.trials.keys().collect();
        ids.sort_by_key(|id| (number_of(id), id.to_string()));
        let mut index = HashMap::new();
        for id in ids {
            let t = j.trials.len();
            index.insert(id.clone(), t);
            j.studies[0].trials.push(t);
            j.trials.push(self.trial(id, t));
        }
        (j, index)
    }

    /// Trial `id` as stored (`at`: its place, the number of one whose id
    /// has none): its state from the experiment state or its last report,
    /// its config, its last report as attributes, its times and host.
    fn trial(&self, id: &str, at: usize) -> StoredTrial {
        let f = &self.trials[id];
        let last = f.last.clone().unwrap_or_default();
        let done = last.get("done").and_then(Value::as_bool) == Some(true);
        let state = match self.status.get(id).map(String::as_str) {
            Some("TERMINATED") => State::Complete,
            Some("ERROR") => State::Fail,
            Some(_) if !done => State::Running,
            _ if done => State::Complete,
            _ => State::Running,
        };
        let mut t = StoredTrial::new(0, number_of(id).unwrap_or(at), state);
        t.complete = last.get("timestamp").and_then(Value::as_f64);
        t.worker = match (last.get("hostname"), last.get("pid")) {
            (Some(Value::String(h)), Some(p)) => Some(format!("{h} (pid {p})")),
            (Some(Value::String(h)), None) => Some(h.clone()),
            _ => None,
        };
        t.params = std::sync::Arc::new(f.config.clone());
        t.user_attrs = last;
        t.start = f.first_start;
        t
    }

    /// Reads one trial folder again when its results changed; returns
    /// whether it did.
    fn read_trial(&mut self, d: &Path) -> bool {
        let results = d.join("result.json");
        let stamp = Some(stamp_of(&results)).filter(|s| s.0 > 0 || s.1.is_some());
        if stamp.is_some() && self.seen.get(d) == Some(&stamp) {
            return false;
        }
        let key_dir = d.display().to_string();
        let mut f = TrialFiles::default();
        if let Ok(text) = std::fs::read_to_string(d.join("params.json")) {
            // being re-copied, it is not JSON: the config comes with the results
            if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(&text) {
                f.config = m;
            }
        }
        let text = std::fs::read_to_string(&results).unwrap_or_default();
        let complete = match text.rfind('\n') {
            Some(i) => &text[..=i],
            None => "",
        };
        let mut id = None;
        for (n, line) in complete.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Value>(line) {
                Ok(Value::Object(m)) => {
                    if f.first_start.is_none() {
                        let ts = m.get("timestamp").and_then(Value::as_f64);
                        let took = m.get("time_total_s").and_then(Value::as_f64).unwrap_or(0.0);
                        f.first_start = ts.map(|t| t - took);
                    }
                    if f.config.is_empty() {
                        if let Some(Value::Object(c)) = m.get("config") {
                            f.config = c.clone();
                        }
                    }
                    id = m
                        .get("trial_id")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    f.reports += 1;
                    f.last = Some(m);
                }
                _ => {
                    let place = format!("{}:{}", results.display(), n + 1);
                    if !self.skipped.iter().any(|s| s.starts_with(&place)) {
                        self.skipped.push(format!("{place}: not a JSON report"));
                    }
                }
            }
        }
        let id = id.or_else(|| id_in_name(d)).unwrap_or(key_dir);
        self.seen.insert(d.to_path_buf(), stamp);
        self.trials.insert(id, f);
        true
    }
}
