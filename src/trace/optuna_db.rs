//! Optuna's RDB storage in an SQLite file (`sqlite:///study.db`), opened
//! read-only: studies, trials, values, parameters, intermediate values and
//! user attributes, read into the same [`Journal`] a journal replays to,
//! so the studies become runs the same way (see [`super::optuna`]).
//!
//! The schema is Optuna's since 2.4 (a `trial_values` table; `alembic_version`
//! names it, e.g. `v3.2.0.a`). A database being written by workers is read
//! again when its trials change; a writer holding the lock makes a poll
//! wait for the next one.

use super::replay::{Journal, OptunaTrial, State, Study};
use super::studies::Runs;
use super::{Trace, TraceError};
use rusqlite::{Connection, OpenFlags};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Reads an Optuna SQLite database, now and as it changes.
pub struct DbReader {
    path: PathBuf,
    pub journal: Journal,
    pub runs: Runs,
    /// Database ids of the completed trials, in the order first seen
    /// complete (by completion time within one read).
    order: Vec<i64>,
    /// What the trials table looked like at the last read.
    signature: Option<Signature>,
    /// The schema, as `alembic_version` names it.
    pub schema: String,
}

/// What the trials table looked like: rows, the largest id, and how many
/// are waiting, running and complete.
type Signature = (i64, i64, i64, i64, i64);

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

impl DbReader {
    pub fn new(path: &Path) -> DbReader {
        DbReader {
            path: path.to_path_buf(),
            journal: Journal::default(),
            runs: Runs::default(),
            order: Vec::new(),
            signature: None,
            schema: String::new(),
        }
    }

    pub fn trace(&self) -> &Trace {
        &self.runs.trace
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads what changed; returns the trials added to the runs. A database
    /// locked by a writer is `Ok(0)` once something was read (the next poll
    /// tries again), an error at the first read.
    pub fn poll(&mut self) -> Result<usize, TraceError> {
        match self.read() {
            Err(e) => fault(&self.path, e, self.signature.is_some()),
            Ok(None) => Ok(0),
            Ok(Some(j)) => {
                self.journal = j;
                self.runs.update(&self.journal)
            }
        }
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
        // studies, with their directions
        let mut study_index: HashMap<i64, usize> = HashMap::new();
        {
            let mut q = c.prepare("SELECT study_id, study_name FROM studies ORDER BY study_id")?;
            let rows = q.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (id, name) = row?;
                study_index.insert(id, j.studies.len());
                j.studies.push(Study {
                    name,
                    directions: Vec::new(),
                    deleted: false,
                    trials: Vec::new(),
                });
            }
            let mut q = c.prepare(
                "SELECT study_id, direction FROM study_directions ORDER BY study_id, objective",
            )?;
            let rows = q.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (id, d) = row?;
                if let Some(&s) = study_index.get(&id) {
                    j.studies[s]
                        .directions
                        .push(if d == "MAXIMIZE" { 2 } else { 1 });
                }
            }
        }
        // trials
        let mut trial_index: HashMap<i64, usize> = HashMap::new();
        let mut db_ids = Vec::new();
        {
            let mut q = c.prepare(
                "SELECT trial_id, number, study_id, state, datetime_start, datetime_complete \
                 FROM trials ORDER BY trial_id",
            )?;
            let rows = q.query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })?;
            for row in rows {
                let (id, number, study, state, start, complete) = row?;
                let (Some(&s), Some(state)) = (study_index.get(&study), state_of(&state)) else {
                    continue;
                };
                trial_index.insert(id, j.trials.len());
                j.studies[s].trials.push(j.trials.len());
                db_ids.push(id);
                j.trials.push(OptunaTrial {
                    study: s,
                    number: number
                        .and_then(|n| usize::try_from(n).ok())
                        .unwrap_or(j.studies[s].trials.len() - 1),
                    state,
                    params: Default::default(),
                    dists: Default::default(),
                    values: None,
                    user_attrs: Map::new(),
                    intermediate: Vec::new(),
                    start: start.as_deref().and_then(super::replay::parse_time),
                    complete: complete.as_deref().and_then(super::replay::parse_time),
                    worker: None,
                    fixed: None,
                });
            }
        }
        read_params(&c, &mut j, &trial_index)?;
        read_values(&c, &mut j, &trial_index)?;
        read_intermediate(&c, &mut j, &trial_index)?;
        read_user_attrs(&c, &mut j, &trial_index)?;
        read_fixed(&c, &mut j, &trial_index)?;
        // completed trials: those seen before keep their place, new ones
        // follow by completion time
        self.order.retain(|id| {
            trial_index
                .get(id)
                .is_some_and(|&t| j.trials[t].state == State::Complete)
        });
        let known: std::collections::HashSet<i64> = self.order.iter().copied().collect();
        let mut fresh: Vec<(f64, i64)> = db_ids
            .iter()
            .filter(|id| !known.contains(id))
            .filter_map(|&id| {
                let t = &j.trials[trial_index[&id]];
                (t.state == State::Complete).then_some((t.complete.unwrap_or(f64::MAX), id))
            })
            .collect();
        fresh.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        self.order.extend(fresh.into_iter().map(|(_, id)| id));
        j.completed = self.order.iter().map(|id| trial_index[id]).collect();
        j.lines = j.trials.len();
        self.signature = Some(sig);
        Ok(Some(j))
    }
}

/// The trials' parameters, decoded through their distributions.
fn read_params(
    c: &Connection,
    j: &mut Journal,
    trial_index: &HashMap<i64, usize>,
) -> Result<(), rusqlite::Error> {
    let mut q = c.prepare(
        "SELECT trial_id, param_name, param_value, distribution_json FROM trial_params \
         ORDER BY param_id",
    )?;
    let rows = q.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<f64>>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    for row in rows {
        let (id, name, value, dist) = row?;
        let Some(&t) = trial_index.get(&id) else {
            continue;
        };
        let Ok(d) = j.dist(&dist) else {
            continue;
        };
        if let Ok(v) = d.external(&Value::from(value.unwrap_or(f64::NAN))) {
            let t = &mut j.trials[t];
            std::sync::Arc::make_mut(&mut t.params).insert(name.clone(), v);
            std::sync::Arc::make_mut(&mut t.dists).insert(name, d);
        }
    }
    Ok(())
}

/// The trials' objective values (infinities as Optuna stores them).
fn read_values(
    c: &Connection,
    j: &mut Journal,
    trial_index: &HashMap<i64, usize>,
) -> Result<(), rusqlite::Error> {
    let mut q = c.prepare(
        "SELECT trial_id, value, value_type FROM trial_values ORDER BY trial_id, objective",
    )?;
    let rows = q.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Option<f64>>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    for row in rows {
        let (id, value, kind) = row?;
        let Some(&t) = trial_index.get(&id) else {
            continue;
        };
        let v = match kind.as_str() {
            "INF_POS" => f64::INFINITY,
            "INF_NEG" => f64::NEG_INFINITY,
            _ => value.unwrap_or(f64::NAN),
        };
        j.trials[t].values.get_or_insert_with(Vec::new).push(v);
    }
    Ok(())
}

/// The trials' intermediate values.
fn read_intermediate(
    c: &Connection,
    j: &mut Journal,
    trial_index: &HashMap<i64, usize>,
) -> Result<(), rusqlite::Error> {
    let mut q = c.prepare(
        "SELECT trial_id, step, intermediate_value FROM trial_intermediate_values \
         ORDER BY trial_id, step",
    )?;
    let rows = q.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, Option<f64>>(2)?,
        ))
    })?;
    for row in rows {
        let (id, step, v) = row?;
        if let Some(&t) = trial_index.get(&id) {
            j.trials[t].intermediate.push((step, v.unwrap_or(f64::NAN)));
        }
    }
    Ok(())
}

/// The trials' user attributes.
fn read_user_attrs(
    c: &Connection,
    j: &mut Journal,
    trial_index: &HashMap<i64, usize>,
) -> Result<(), rusqlite::Error> {
    let mut q = c.prepare(
        "SELECT trial_id, key, value_json FROM trial_user_attributes \
         ORDER BY trial_user_attribute_id",
    )?;
    let rows = q.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    for row in rows {
        let (id, key, json) = row?;
        if let Some(&t) = trial_index.get(&id) {
            let v = serde_json::from_str(&json).unwrap_or(Value::String(json));
            j.trials[t].user_attrs.insert(key, v);
        }
    }
    Ok(())
}

/// The parameters a trial was enqueued with (`fixed_params`).
fn read_fixed(
    c: &Connection,
    j: &mut Journal,
    trial_index: &HashMap<i64, usize>,
) -> Result<(), rusqlite::Error> {
    // the parameters a trial was enqueued with
    let mut q =
        c.prepare("SELECT trial_id, value_json FROM trial_system_attributes WHERE key = ?1")?;
    let rows = q.query_map([super::replay::FIXED_PARAMS], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (id, json) = row?;
        if let (Some(&t), Ok(Value::Object(m))) =
            (trial_index.get(&id), serde_json::from_str(&json))
        {
            j.trials[t].fixed = Some(m);
        }
    }
    Ok(())
}

/// An engine's database, opened read-only; a writer's lock is waited for
/// half a second.
pub(crate) fn open_read_only(path: &Path) -> Result<Connection, rusqlite::Error> {
    let c = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    c.busy_timeout(std::time::Duration::from_millis(500))?;
    Ok(c)
}

/// What a failed read of an engine's database means: a writer's lock is
/// waited out once something was read (`Ok(0)`: the next poll tries
/// again); anything else is an error naming the file.
pub(crate) fn fault(
    path: &Path,
    e: rusqlite::Error,
    read_before: bool,
) -> Result<usize, TraceError> {
    let busy = e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy);
    if busy && read_before {
        return Ok(0);
    }
    Err(TraceError::bad(
        path.display().to_string(),
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy) => {
                "the database is locked by a writer; try again in a moment".to_string()
            }
            Some(rusqlite::ErrorCode::NotADatabase) => "not an SQLite database".to_string(),
            _ => e.to_string(),
        },
    ))
}

/// Checks that the database is Optuna's, of a schema this reader knows.
pub(crate) fn check_schema(c: &Connection, path: &Path) -> Result<String, rusqlite::Error> {
    let has = |table: &str| -> Result<bool, rusqlite::Error> {
        c.query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [table],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n > 0)
    };
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
