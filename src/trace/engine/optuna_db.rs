//! Optuna's RDB storage in an SQLite file (`sqlite:///study.db`), opened
//! read-only: studies, trials, values, parameters, intermediate values and
//! user attributes, read into the same [`Journal`] a journal replays to,
//! so the studies become runs the same way (as `optuna.rs` says).
//!
//! The schema is Optuna's since 2.4 (a `trial_values` table; `alembic_version`
//! names it, e.g. `v3.2.0.a`). A database being written by workers is read
//! again when its trials change; a writer holding the lock makes a poll
//! wait for the next one.

use super::replay::{Completion, Dists, Journal, Params, State, StoredTrial, Study};
use super::sqlite::{for_each_ref, for_each_row, open_read_only, settle, tables_present};
use super::studies::Runs;
use super::{EngineReader, StorageKind};
use crate::trace::scan::FxMap;
use crate::trace::TraceError;
use rusqlite::Connection;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Reads an Optuna SQLite database, now and as it changes.
pub struct DbReader {
    path: PathBuf,
    pub journal: Journal,
    pub runs: Runs,
    /// The completed trials (by database id) in the order taken in.
    completion: Completion<i64>,
    /// What the trials table looked like at the last read.
    signature: Option<Signature>,
    /// The schema, as `alembic_version` names it.
    pub schema: String,
}

/// What the trials table looked like: rows, the largest id, and how many
/// are waiting, running and complete.
type Signature = (i64, i64, i64, i64, i64);

/// Trials' places in the replayed journal, by database id.
type TrialIndex = HashMap<i64, usize>;

fn state_of(s: &str) -> Option<State> {
    Some(match s {
        "RUNNING" => State::Running,
        "COMPLETE" => State::Complete,
        "PRUNED" => State::Pruned,
        "FAIL" => State::Fail,
        "WAITING" => State::Waiting,
        _ => return None,
    })
}

impl EngineReader for DbReader {
    /// Reads what changed; returns the trials added to the runs. A database
    /// locked by a writer is `Ok(0)` once something was read (the next poll
    /// tries again), an error at the first read.
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
        StorageKind::OptunaDb {
            schema: self.schema.clone(),
        }
    }
    replayed_in_fields!();
}

impl DbReader {
    pub fn new(path: &Path) -> DbReader {
        DbReader {
            path: path.to_path_buf(),
            journal: Journal::default(),
            runs: Runs::default(),
            completion: Completion::default(),
            signature: None,
            schema: String::new(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The database read again, or `None` when its trials are unchanged.
    fn read(&mut self) -> Result<Option<Journal>, rusqlite::Error> {
        let c = open_read_only(&self.path)?;
        if self.schema.is_empty() {
            self.schema = check_schema(&c, &self.path)?;
        }
        // a trial only moves forward (waiting, running, finished), so the
        // counts by state see every change of state
        let sig: Signature = c.query_row(
            "SELECT COUNT(*), COALESCE(MAX(trial_id), 0), \
             COALESCE(SUM(state = 'WAITING'), 0), COALESCE(SUM(state = 'RUNNING'), 0), \
             COALESCE(SUM(state = 'COMPLETE'), 0) FROM trials",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?;
        if self.signature == Some(sig) {
            return Ok(None);
        }
        let mut j = Journal::default();
        let studies = read_studies(&c, &mut j)?;
        let trials = read_trials(&c, &mut j, &studies)?;
        read_params(&c, &mut j, &trials)?;
        read_values(&c, &mut j, &trials)?;
        read_intermediate(&c, &mut j, &trials)?;
        read_user_attrs(&c, &mut j, &trials)?;
        read_fixed(&c, &mut j, &trials)?;
        j.completed =
            self.completion
                .update(&j, &trials, |t| t.state == State::Complete, |&id, _| id);
        j.lines = j.trials.len();
        self.signature = Some(sig);
        Ok(Some(j))
    }
}

/// The studies, with their directions; their places by database id.
fn read_studies(c: &Connection, j: &mut Journal) -> Result<HashMap<i64, usize>, rusqlite::Error> {
    let mut index = HashMap::new();
    for_each_row(
        c,
        "SELECT study_id, study_name FROM studies ORDER BY study_id",
        [],
        |(id, name): (i64, String)| {
            index.insert(id, j.studies.len());
            j.studies.push(Study {
                name,
                directions: Vec::new(),
                deleted: false,
                trials: Vec::new(),
            });
        },
    )?;
    for_each_row(
        c,
        "SELECT study_id, direction FROM study_directions ORDER BY study_id, objective",
        [],
        |(id, d): (i64, String)| {
            if let Some(&s) = index.get(&id) {
                j.studies[s]
                    .directions
                    .push(if d == "MAXIMIZE" { 2 } else { 1 });
            }
        },
    )?;
    Ok(index)
}

/// The trials of the studies read, with their state and times; their
/// places by database id.
fn read_trials(
    c: &Connection,
    j: &mut Journal,
    studies: &HashMap<i64, usize>,
) -> Result<TrialIndex, rusqlite::Error> {
    let mut index = TrialIndex::new();
    for_each_ref(
        c,
        "SELECT trial_id, number, study_id, state, datetime_start, datetime_complete \
         FROM trials ORDER BY trial_id",
        [],
        |r| {
            let (id, number, study): (i64, Option<i64>, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            let state = r.get_ref(3)?.as_str()?;
            let start = r.get_ref(4)?.as_str_or_null()?;
            let complete = r.get_ref(5)?.as_str_or_null()?;
            let (Some(&s), Some(state)) = (studies.get(&study), state_of(state)) else {
                return Ok(());
            };
            index.insert(id, j.trials.len());
            j.studies[s].trials.push(j.trials.len());
            let number = number
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(j.studies[s].trials.len() - 1);
            let mut t = StoredTrial::new(s, number, state);
            t.start = start.and_then(super::replay::parse_time);
            t.complete = complete.and_then(super::replay::parse_time);
            j.trials.push(t);
            Ok(())
        },
    )?;
    Ok(index)
}

/// The trials' parameters, decoded through their distributions. Rows
/// come trial by trial (as Optuna writes them); trials with the same
/// parameters share one decoded copy (a NAS space has far fewer distinct
/// architectures than trials), and each text is read in place.
fn read_params(
    c: &Connection,
    j: &mut Journal,
    trials: &TrialIndex,
) -> Result<(), rusqlite::Error> {
    let mut sets = ParamSets::default();
    // the trial whose rows are being read, and its rows so far
    let mut at: Option<usize> = None;
    let mut set: Vec<ParamRow> = Vec::new();
    for_each_ref(
        c,
        "SELECT trial_id, param_name, param_value, distribution_json FROM trial_params \
         ORDER BY param_id",
        [],
        |row| {
            let id: i64 = row.get(0)?;
            let Some(&t) = trials.get(&id) else {
                return Ok(());
            };
            if at != Some(t) {
                if let Some(prev) = at {
                    sets.give(j, prev, &mut set);
                }
                at = Some(t);
            }
            let name = row.get_ref(1)?.as_str()?;
            let value: Option<f64> = row.get(2)?;
            if let Ok(d) = sets.dist(j, name, row.get_ref(3)?.as_str()?) {
                set.push((sets.name(name), value.unwrap_or(f64::NAN).to_bits(), d));
            }
            Ok(())
        },
    )?;
    if let Some(prev) = at {
        sets.give(j, prev, &mut set);
    }
    Ok(())
}

/// One parameter of a trial as stored: its name, its internal value's
/// bits, its distribution.
type ParamRow = (
    std::sync::Arc<str>,
    u64,
    std::sync::Arc<super::replay::Dist>,
);

/// A parameter as a set of them is known by: its name, its internal
/// value's bits, the address of its distribution.
type SetKey = (std::sync::Arc<str>, u64, usize);

/// The parameter sets read so far, each decoded once.
#[derive(Default)]
struct ParamSets {
    names: FxMap<Box<str>, std::sync::Arc<str>>,
    /// The last distribution text of each parameter, and what it reads as.
    last_dist: FxMap<std::sync::Arc<str>, (Box<str>, std::sync::Arc<super::replay::Dist>)>,
    decoded: FxMap<Vec<SetKey>, (Params, Dists)>,
}

impl ParamSets {
    fn name(&mut self, name: &str) -> std::sync::Arc<str> {
        if let Some(n) = self.names.get(name) {
            return n.clone();
        }
        let n: std::sync::Arc<str> = name.into();
        self.names.insert(name.into(), n.clone());
        n
    }

    /// The distribution of `text`, found without hashing it when it is the
    /// one the same parameter had before.
    fn dist(
        &mut self,
        j: &mut Journal,
        name: &str,
        text: &str,
    ) -> Result<std::sync::Arc<super::replay::Dist>, String> {
        if let Some((t, d)) = self.last_dist.get(name) {
            if **t == *text {
                return Ok(d.clone());
            }
        }
        let d = j.dist(text)?;
        let name = self.name(name);
        self.last_dist.insert(name, (text.into(), d.clone()));
        Ok(d)
    }

    /// Gives trial `t` the parameters of `set` (emptied): the shared copy
    /// of that set when the trial had none, else added to its own.
    fn give(&mut self, j: &mut Journal, t: usize, set: &mut Vec<ParamRow>) {
        let Some(trial) = j.trials.get_mut(t) else {
            set.clear();
            return;
        };
        let decode = |rows: &[ParamRow], params: &mut Params, dists: &mut Dists| {
            for (name, bits, d) in rows {
                if let Ok(v) = d.external(&Value::from(f64::from_bits(*bits))) {
                    std::sync::Arc::make_mut(params).insert(name.to_string(), v);
                    std::sync::Arc::make_mut(dists).insert(name.to_string(), d.clone());
                }
            }
        };
        if trial.params.is_empty() && trial.dists.is_empty() {
            let key: Vec<_> = (set.iter())
                .map(|(n, bits, d)| (n.clone(), *bits, std::sync::Arc::as_ptr(d) as usize))
                .collect();
            let (params, dists) = self.decoded.entry(key).or_insert_with(|| {
                let (mut p, mut d) = (Params::default(), Dists::default());
                decode(set, &mut p, &mut d);
                (p, d)
            });
            trial.params = params.clone();
            trial.dists = dists.clone();
        } else {
            // a trial whose rows were not together: added one by one
            decode(set, &mut trial.params, &mut trial.dists);
        }
        set.clear();
    }
}

/// The trials' objective values (infinities as Optuna stores them).
fn read_values(
    c: &Connection,
    j: &mut Journal,
    trials: &TrialIndex,
) -> Result<(), rusqlite::Error> {
    for_each_ref(
        c,
        "SELECT trial_id, value, value_type FROM trial_values ORDER BY trial_id, objective",
        [],
        |r| {
            let (id, value): (i64, Option<f64>) = (r.get(0)?, r.get(1)?);
            let Some(&t) = trials.get(&id) else {
                return Ok(());
            };
            let v = match r.get_ref(2)?.as_str()? {
                "INF_POS" => f64::INFINITY,
                "INF_NEG" => f64::NEG_INFINITY,
                _ => value.unwrap_or(f64::NAN),
            };
            j.trials[t].values.get_or_insert_with(Vec::new).push(v);
            Ok(())
        },
    )
}

/// The trials' intermediate values.
fn read_intermediate(
    c: &Connection,
    j: &mut Journal,
    trials: &TrialIndex,
) -> Result<(), rusqlite::Error> {
    for_each_row(
        c,
        "SELECT trial_id, step, intermediate_value FROM trial_intermediate_values \
         ORDER BY trial_id, step",
        [],
        |(id, step, v): (i64, i64, Option<f64>)| {
            if let Some(&t) = trials.get(&id) {
                j.trials[t].intermediate.push((step, v.unwrap_or(f64::NAN)));
            }
        },
    )
}

/// The trials' user attributes.
fn read_user_attrs(
    c: &Connection,
    j: &mut Journal,
    trials: &TrialIndex,
) -> Result<(), rusqlite::Error> {
    for_each_ref(
        c,
        "SELECT trial_id, key, value_json FROM trial_user_attributes \
         ORDER BY trial_user_attribute_id",
        [],
        |r| {
            let id: i64 = r.get(0)?;
            if let Some(&t) = trials.get(&id) {
                let json = r.get_ref(2)?.as_str()?;
                let v = serde_json::from_str(json).unwrap_or_else(|_| Value::String(json.into()));
                j.trials[t]
                    .user_attrs
                    .insert(r.get_ref(1)?.as_str()?.into(), v);
            }
            Ok(())
        },
    )
}

/// The parameters a trial was enqueued with (`fixed_params`).
fn read_fixed(c: &Connection, j: &mut Journal, trials: &TrialIndex) -> Result<(), rusqlite::Error> {
    for_each_row(
        c,
        "SELECT trial_id, value_json FROM trial_system_attributes WHERE key = ?1",
        [super::replay::FIXED_PARAMS],
        |(id, json): (i64, String)| {
            if let (Some(&t), Ok(Value::Object(m))) =
                (trials.get(&id), serde_json::from_str::<Value>(&json))
            {
                j.trials[t].fixed = Some(m);
            }
        },
    )
}

/// Checks that the database is Optuna's, of a schema this reader knows.
pub(crate) fn check_schema(c: &Connection, path: &Path) -> Result<String, rusqlite::Error> {
    let has = |table: &str| tables_present(c, &[table]).map(|n| n > 0);
    let fail = |what: String| {
        rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
            Some(what),
        )
    };
    if !has("studies")? || !has("trials")? {
        return Err(fail(
            "an SQLite database, but not Optuna's (no studies and trials tables)".into(),
        ));
    }
    let version: String = if has("alembic_version")? {
        c.query_row("SELECT version_num FROM alembic_version", [], |r| r.get(0))
            .unwrap_or_default()
    } else {
        String::new()
    };
    if !has("trial_values")? {
        return Err(fail(format!(
            "Optuna's schema {} is older than 2.4 (no trial_values table); upgrade it with \
             `optuna storage upgrade --storage sqlite:///{}`",
            if version.is_empty() {
                "(unnamed)"
            } else {
                &version
            },
            path.display()
        )));
    }
    Ok(version)
}
