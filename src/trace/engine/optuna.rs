//! Optuna's journal (`JournalStorage(JournalFileBackend(path))`), read as
//! Optuna replays it into a [`Journal`] (`replay.rs`), which [`Runs`]
//! (`studies.rs`) turns into nasviz runs.
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
//! Lines are parsed on every core and replayed in order; a trial's
//! distributions and parameters are decoded once per distinct text.

use super::replay::{parse_time, Dists, Journal, Params, State, StoredTrial, Study, FIXED_PARAMS};
use super::studies::Runs;
use super::{EngineReader, StorageKind};
use crate::trace::TraceError;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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

/// A raw JSON object of a line, read only when not empty (`{}`, as most
/// are).
fn raw_object(raw: Option<&serde_json::value::RawValue>) -> Option<Map<String, Value>> {
    raw.filter(|r| r.get().len() > 2)
        .and_then(|r| serde_json::from_str::<Map<String, Value>>(r.get()).ok())
}

/// The parameters an enqueued trial was made with, from its system
/// attributes.
fn fixed_params(system: Option<Map<String, Value>>) -> Option<Map<String, Value>> {
    match system?.remove(FIXED_PARAMS)? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

impl Journal {
    /// Replays one line; `Err` says why it cannot be read (the caller
    /// skips it and goes on, as Optuna's readers do with lines they drop).
    pub fn apply_line(&mut self, text: &str) -> Result<(), String> {
        self.apply_bytes(text.as_bytes())
    }

    /// [`Journal::apply_line`] on the line's bytes (UTF-8 is checked as
    /// they are parsed, and said when it is what failed).
    pub(crate) fn apply_bytes(&mut self, text: &[u8]) -> Result<(), String> {
        self.lines += 1;
        self.apply_parsed(parse_line(text)?)
    }

    /// Replays a parsed line (counted already in `lines`).
    fn apply_parsed(&mut self, l: Line<'_>) -> Result<(), String> {
        match l.op_code {
            0 => self.create_study(l),
            1 => {
                if let Some(s) = self.study_mut(l.study_id) {
                    s.deleted = true;
                }
                Ok(())
            }
            2 | 3 | 10 => Ok(()),
            4 => self.create_trial(l),
            5 => self.set_param(l),
            6 => self.set_state(l),
            7 => self.set_intermediate(l),
            8 => self.set_user_attr(l),
            9 => self.set_system_attr(l),
            other => {
                if self.newer.is_none() {
                    self.newer = Some((self.lines, other));
                }
                Err(format!("unknown op_code {other}"))
            }
        }
    }

    /// `create_study` (op 0): a second study of a live one's name is
    /// dropped.
    fn create_study(&mut self, l: Line<'_>) -> Result<(), String> {
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
        Ok(())
    }

    /// `create_trial` (op 4): a trial of a live study, with what the line
    /// gives of it (an enqueued one's `fixed_params`); one of a missing
    /// study is dropped.
    fn create_trial(&mut self, l: Line<'_>) -> Result<(), String> {
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
        let id = self.trials.len();
        let mut t = StoredTrial::new(study, self.studies[study].trials.len(), state);
        t.params = params;
        t.dists = dists;
        t.values = match (l.values, l.value) {
            (Some(v), _) => Some(v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect()),
            (None, Some(v)) => Some(vec![v]),
            _ => None,
        };
        t.user_attrs = l.user_attrs.unwrap_or_default();
        t.intermediate = raw_object(l.intermediate_values)
            .iter()
            .flatten()
            .filter_map(|(k, v)| Some((k.parse().ok()?, v.as_f64()?)))
            .collect();
        t.start = l.datetime_start.as_deref().and_then(parse_time);
        t.complete = l.datetime_complete.as_deref().and_then(parse_time);
        t.worker = l.worker_id.map(str::to_string);
        t.fixed = raw_object(l.system_attrs).and_then(|a| fixed_params(Some(a)));
        self.studies[study].trials.push(id);
        self.trials.push(t);
        if state == State::Complete {
            self.completed.push(id);
        }
        Ok(())
    }

    /// `set_trial_param` (op 5): a parameter whose distribution differs
    /// from an earlier trial's of the same name is dropped.
    fn set_param(&mut self, l: Line<'_>) -> Result<(), String> {
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
        Ok(())
    }

    /// `set_trial_state_values` (op 6): a second RUNNING of a running
    /// trial is dropped; the worker that takes a waiting trial runs it.
    fn set_state(&mut self, l: Line<'_>) -> Result<(), String> {
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
        Ok(())
    }

    /// `set_trial_intermediate_value` (op 7), replacing one of the same step.
    fn set_intermediate(&mut self, l: Line<'_>) -> Result<(), String> {
        if let Some(id) = self.updatable(l.trial_id) {
            let (Some(step), Some(v)) = (l.step, l.intermediate_value) else {
                return Err("intermediate value without step or value".into());
            };
            let t = &mut self.trials[id];
            t.intermediate.retain(|&(s, _)| s != step);
            t.intermediate.push((step, v));
        }
        Ok(())
    }

    /// `set_trial_user_attr` (op 8).
    fn set_user_attr(&mut self, l: Line<'_>) -> Result<(), String> {
        if let Some(id) = self.updatable(l.trial_id) {
            let attrs = l.user_attr.ok_or("set_trial_user_attr without user_attr")?;
            self.trials[id].user_attrs.extend(attrs);
        }
        Ok(())
    }

    /// `set_trial_system_attr` (op 9): only `fixed_params` is kept.
    fn set_system_attr(&mut self, l: Line<'_>) -> Result<(), String> {
        if let Some(id) = self.updatable(l.trial_id) {
            if let Some(m) = fixed_params(l.system_attr) {
                self.trials[id].fixed = Some(m);
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
}

/// Reads a journal that may still be written: a byte offset, complete
/// lines only (a partial last line waits), as Optuna's readers do.
pub struct JournalReader {
    path: PathBuf,
    tail: crate::trace::jsonl::Tail,
    line: usize,
    pending: Vec<u8>,
    pub journal: Journal,
    pub runs: Runs,
}

impl EngineReader for JournalReader {
    fn poll(&mut self) -> Result<usize, TraceError> {
        self.read_appended()
    }
    fn kind(&self) -> StorageKind {
        StorageKind::OptunaJournal
    }
    replayed_in_fields!();
}

impl JournalReader {
    pub fn new(path: &Path) -> JournalReader {
        JournalReader {
            path: path.to_path_buf(),
            tail: crate::trace::jsonl::Tail::new(path),
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
    fn read_appended(&mut self) -> Result<usize, TraceError> {
        let name = self.path.display().to_string();
        let io = |source| TraceError::Io {
            path: name.clone(),
            source,
        };
        let mut f = self.tail.appended()?;
        let mut chunk = vec![0u8; 2 << 20];
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
pub(crate) fn looks_like_journal(first_line: &str) -> bool {
    serde_json::from_str::<Value>(first_line)
        .ok()
        .is_some_and(|v| v.get("op_code").is_some() && v.get("worker_id").is_some())
}

/// Reads a whole journal into runs.
pub fn read_journal(path: &Path) -> Result<JournalReader, TraceError> {
    let mut r = JournalReader::new(path);
    r.read_appended()?;
    Ok(r)
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
        use crate::arch::nb201;
        let ops: Vec<&str> = nb201::Op::ALL.iter().map(|o| o.name()).collect();
        let edges: Vec<String> = nb201::EDGES
            .iter()
            .map(|(t, f)| format!("{t}<-{f}"))
            .collect();
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
            for e in &edges {
                dists.insert(e.clone(), Value::from(cat.clone()));
                params.insert(e.clone(), Value::from(rng.next_u64() % 5));
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
