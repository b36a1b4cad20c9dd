//! Writing into the storage of a running Optuna study, as Optuna itself
//! writes: a trial enqueued as `Study.enqueue_trial` enqueues it (a
//! WAITING trial whose `fixed_params` system attribute the next free
//! worker takes), and a still-waiting trial withdrawn (failed, so that no
//! worker takes it).
//!
//! - **Journal** (`JournalFileBackend`): Optuna's own lock, the file
//!   `STUDY.journal.lock` made as a symbolic link (what
//!   `JournalFileSymlinkLock` makes; an open lock, `JournalFileOpenLock`'s
//!   plain file of the same name, blocks it the same way), with its
//!   stale-lock rule: a lock whose modification time has not changed for
//!   the grace period (30 s) is released by force. Under the lock the
//!   journal is read to its end, one complete line is appended and synced,
//!   and the lock is released by renaming and removing it. The file is
//!   never rewritten. A journal with an operation nasviz does not know (a
//!   newer Optuna), or that ends in a partial line, is not written.
//! - **RDB** (an SQLite file): one immediate transaction that inserts the
//!   trial, its attributes and its number as `RDBStorage` assigns it (the
//!   count of the study's trials with a smaller id).
//!
//! Whatever cannot be written (a read-only file, a lock held past the
//! timeout, an unknown schema, a study that is gone) is an error naming
//! the file, and nothing was written.

use super::engine::optuna::JournalReader;
use super::engine::optuna_db::{check_schema, DbReader};
use super::engine::replay::{Journal, State, FIXED_PARAMS};
use super::engine::{Engine, EngineReader};
use super::open::Followed;
use super::TraceError;
use serde_json::{Map, Value};
use std::any::Any;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};
use thiserror::Error;

/// Optuna's default grace period before a lock is taken as stale.
pub(crate) const GRACE: Duration = Duration::from_secs(30);

/// The RDB schemas (Alembic revisions) whose tables this writer knows.
pub(crate) const KNOWN_SCHEMAS: [&str; 7] = [
    "v2.4.0.a", "v2.6.0.a", "v3.0.0.a", "v3.0.0.b", "v3.0.0.c", "v3.0.0.d", "v3.2.0.a",
];

/// Why a write to a study's storage did not happen. In every case nothing
/// was written.
#[derive(Debug, Error)]
pub enum WriteError {
    #[error("{path}: cannot be written ({source}); nothing was written")]
    ReadOnly {
        path: String,
        source: std::io::Error,
    },
    #[error("{lock}: the journal's lock has been held by another process for {secs:.1} s; nothing was written (try again; Optuna releases a lock left for {grace} s)", grace = GRACE.as_secs())]
    Locked { lock: String, secs: f64 },
    #[error("{path}: the database has been locked by a writer for {secs:.1} s; nothing was written (try again)")]
    Busy { path: String, secs: f64 },
    #[error("{path}:{line}: op_code {op} is not an operation nasviz knows (a newer Optuna wrote this journal); nasviz does not write to it")]
    NewerJournal { path: String, line: usize, op: i64 },
    #[error("{path}: ends in a partial line of {bytes} bytes (a writer stopped mid-line); nasviz does not append after it")]
    Partial { path: String, bytes: usize },
    #[error("{path}: Optuna schema {schema:?} is not one nasviz writes to (known: {known}); nothing was written", known = KNOWN_SCHEMAS.join(", "))]
    UnknownSchema { path: String, schema: String },
    #[error("{path}: study {study} is not in the storage (deleted?)")]
    NoStudy { path: String, study: String },
    #[error("{path}: trial {number} of study {study:?} does not exist")]
    NoTrial {
        path: String,
        study: String,
        number: usize,
    },
    #[error(
        "trial {number} is already running{by}: a trial a worker has taken cannot be withdrawn"
    )]
    Claimed { number: usize, by: String },
    #[error("trial {number} has already finished ({state}): it cannot be withdrawn")]
    Finished { number: usize, state: &'static str },
    #[error("{0}")]
    NoQueue(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Db {
        path: String,
        source: rusqlite::Error,
    },
    #[error("{path}: {why}")]
    NotReadBack { path: String, why: String },
    #[error(transparent)]
    Read(#[from] TraceError),
}

/// A trial to enqueue: its parameters (as the user sees them; Optuna's
/// `fixed_params`) and user attributes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Request {
    pub params: Map<String, Value>,
    pub user_attrs: Map<String, Value>,
}

/// Where an enqueued trial is: its study (index in the replayed storage)
/// and its number in the study.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Enqueued {
    pub study: usize,
    pub number: usize,
}

/// An Optuna storage that `f` follows, which nasviz writes to as Optuna
/// does.
enum Writable<'a> {
    Journal(&'a mut JournalReader),
    Db(&'a mut DbReader),
}

/// The Optuna storage `f` follows, if it follows one.
fn writable(f: &mut Followed) -> Option<Writable<'_>> {
    let any: &mut dyn Any = f.reader_mut()?;
    if any.is::<JournalReader>() {
        return any.downcast_mut().map(Writable::Journal);
    }
    any.downcast_mut().map(Writable::Db)
}

/// The reader of the Optuna storage `f` follows, if it follows one.
fn optuna_reader(f: &Followed) -> Option<&dyn EngineReader> {
    f.reader().filter(|r| r.engine() == Engine::Optuna)
}

/// Enqueues `req` into study `study` of the storage `f` follows; `timeout`
/// bounds the wait for the journal's lock or the database's.
pub fn enqueue(
    f: &mut Followed,
    study: usize,
    req: &Request,
    timeout: Duration,
) -> Result<Enqueued, WriteError> {
    match writable(f) {
        Some(Writable::Journal(r)) => enqueue_journal(r, study, req, timeout),
        Some(Writable::Db(r)) => enqueue_db(r, study, req, timeout),
        None => Err(WriteError::NoQueue(no_queue(f, req))),
    }
}

/// Withdraws trial `number` of study `study`, if it is still waiting: it
/// is failed, so that no worker takes it.
pub fn withdraw(
    f: &mut Followed,
    study: usize,
    number: usize,
    timeout: Duration,
) -> Result<(), WriteError> {
    match writable(f) {
        Some(Writable::Journal(r)) => withdraw_journal(r, study, number, timeout),
        Some(Writable::Db(r)) => withdraw_db(r, study, number, timeout),
        None => Err(WriteError::NoQueue(no_queue(f, &Request::default()))),
    }
}

/// Whether trials can be enqueued into what `f` follows, or why not.
pub fn queue_of(f: &Followed) -> Result<&Journal, String> {
    match optuna_reader(f) {
        Some(r) => Ok(r.journal()),
        None => Err(no_queue(f, &Request::default())),
    }
}

fn no_queue(f: &Followed, req: &Request) -> String {
    match f.reader().map(|r| r.engine()) {
        Some(Engine::Ray) => "Ray Tune has no queue another process can add to: trials are made \
             inside the Tuner's own process (a searcher's points_to_evaluate), so an edit \
             cannot be sent to a running Ray experiment"
            .into(),
        Some(Engine::Nni) => format!(
            "nasviz reads NNI's database but cannot add to its queue: add the trial with NNI's \
             web UI (Trials detail, Add/Customized trial){}",
            if req.params.is_empty() {
                String::new()
            } else {
                format!(" with the parameters {}", Value::Object(req.params.clone()))
            }
        ),
        _ => "this is a trace, not a running study's storage: edits need a live search \
              (nasviz view --live nbgraph:cora) or a followed Optuna study \
              (nasviz view --follow study.journal)"
            .into(),
    }
}

/// A worker id in Optuna's form (a random UUID, a dash, a thread id).
fn worker_id() -> String {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut rng = crate::rng::Rng::new(now ^ (u64::from(std::process::id()) << 32));
    let (a, b) = (rng.next_u64(), rng.next_u64());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}-{}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff,
        std::process::id()
    )
}

/// Now, as Optuna's journal writes times
/// (`2026-12-05T04:55:01.123456+00:00`) or its RDB stores them (naive UTC,
/// `2026-12-05 04:55:01.123456`).
fn now_iso(journal: bool) -> String {
    let d = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = d.as_secs();
    let (y, m, day) = super::log::civil((secs / 86_400) as i64);
    let rest = secs % 86_400;
    let (sep, zone) = if journal { ('T', "+00:00") } else { (' ', "") };
    format!(
        "{y:04}-{m:02}-{day:02}{sep}{:02}:{:02}:{:02}.{:06}{zone}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        d.subsec_micros()
    )
}

/// JSON with non-ASCII characters escaped, as Python's `json.dumps` writes
/// by default.
fn ascii(json: String) -> String {
    if json.is_ascii() {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out += &format!("\\u{u:04x}");
            }
        }
    }
    out
}

/// `json.dumps(v)` with Python's default separators (`", "`, `": "`), as
/// Optuna's RDB stores attribute values.
fn py_json(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let items: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", py_json(&Value::String(k.clone())), py_json(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(py_json).collect();
            format!("[{}]", items.join(", "))
        }
        other => ascii(other.to_string()),
    }
}

/// One journal line as Optuna's `JournalStorage._write_log` writes it:
/// `op_code`, `worker_id`, then the operation's fields, compact.
fn journal_line(op: i64, worker: &str, fields: &[(&str, Value)]) -> String {
    let mut s = format!(
        "{{\"op_code\":{op},\"worker_id\":{}",
        ascii(Value::from(worker).to_string())
    );
    for (k, v) in fields {
        s += &format!(",\"{k}\":{}", ascii(v.to_string()));
    }
    s.push('}');
    s
}

/// The lock file of a journal: `PATH.lock`.
pub fn lock_path(journal: &Path) -> PathBuf {
    let mut s = journal.as_os_str().to_os_string();
    s.push(".lock");
    PathBuf::from(s)
}

/// Optuna's journal lock, held until dropped.
#[derive(Debug)]
pub struct JournalLock {
    path: PathBuf,
}

impl JournalLock {
    /// Takes the lock of `journal`, waiting at most `timeout`; a lock
    /// unchanged for `grace` is released by force, as Optuna does.
    pub fn acquire(journal: &Path, timeout: Duration, grace: Duration) -> Result<Self, WriteError> {
        let lock = lock_path(journal);
        let shown = lock.display().to_string();
        let target = std::path::absolute(journal).unwrap_or_else(|_| journal.to_path_buf());
        let start = Instant::now();
        let mut pause = Duration::from_millis(1);
        let mut seen: Option<(SystemTime, Instant)> = None;
        loop {
            match make_lock(&target, &lock) {
                Ok(()) => return Ok(JournalLock { path: lock }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(source) => {
                    return Err(WriteError::ReadOnly {
                        path: shown,
                        source,
                    })
                }
            }
            // the stale-lock rule: the lock's time (the journal's, through
            // a symbolic link) unchanged for the grace period
            if let Ok(t) = std::fs::metadata(&lock).and_then(|m| m.modified()) {
                match seen {
                    Some((m, since)) if m == t => {
                        if since.elapsed() > grace {
                            let _ = release(&lock);
                            seen = None;
                            pause = Duration::from_millis(1);
                            continue;
                        }
                    }
                    _ => seen = Some((t, Instant::now())),
                }
            }
            let waited = start.elapsed();
            if waited >= timeout {
                return Err(WriteError::Locked {
                    lock: shown,
                    secs: waited.as_secs_f64(),
                });
            }
            std::thread::sleep(pause.min(timeout - waited));
            pause = (pause * 2).min(Duration::from_secs(1));
        }
    }
}

impl Drop for JournalLock {
    fn drop(&mut self) {
        let _ = release(&self.path);
    }
}

#[cfg(unix)]
fn make_lock(target: &Path, lock: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, lock)
}

#[cfg(not(unix))]
fn make_lock(_target: &Path, lock: &Path) -> std::io::Result<()> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(lock)
        .map(|_| ())
}

/// Releases a lock as Optuna does: renamed to a unique name, then removed
/// (so that two releasers never remove each other's lock).
fn release(lock: &Path) -> std::io::Result<()> {
    let mut name = lock.as_os_str().to_os_string();
    name.push(format!("{}.rename", worker_id()));
    let renamed = PathBuf::from(name);
    std::fs::rename(lock, &renamed)?;
    std::fs::remove_file(&renamed)
}

/// Whether `path` can be opened for appending (nothing is written). A
/// file marked read-only is refused even where the user could write it
/// anyway (root).
fn check_writable(path: &Path) -> Result<(), WriteError> {
    if std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly()) {
        return Err(WriteError::ReadOnly {
            path: path.display().to_string(),
            source: std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "the file is marked read-only",
            ),
        });
    }
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .map(|_| ())
        .map_err(|source| WriteError::ReadOnly {
            path: path.display().to_string(),
            source,
        })
}

/// Reads the journal to its end (under the lock) and checks that nasviz
/// may append to it.
fn catch_up(r: &mut JournalReader) -> Result<(), WriteError> {
    r.poll()?;
    let path = r.path().display().to_string();
    if let Some((line, op)) = r.journal.newer {
        return Err(WriteError::NewerJournal { path, line, op });
    }
    if r.partial() > 0 {
        return Err(WriteError::Partial {
            path,
            bytes: r.partial(),
        });
    }
    Ok(())
}

fn append_line(path: &Path, line: &str) -> Result<(), WriteError> {
    let io = |source| WriteError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(io)?;
    f.write_all(format!("{line}\n").as_bytes()).map_err(io)?;
    f.flush().map_err(io)?;
    f.sync_all().map_err(io)
}

fn study_name(j: &Journal, study: usize) -> String {
    j.studies
        .get(study)
        .map_or_else(|| format!("#{study}"), |s| format!("{:?}", s.name))
}

/// [`enqueue`] into a journal.
pub fn enqueue_journal(
    r: &mut JournalReader,
    study: usize,
    req: &Request,
    timeout: Duration,
) -> Result<Enqueued, WriteError> {
    let path = r.path().to_path_buf();
    check_writable(&path)?;
    let lock = JournalLock::acquire(&path, timeout, GRACE)?;
    catch_up(r)?;
    let live = r.journal.studies.get(study).filter(|s| !s.deleted);
    let Some(s) = live else {
        return Err(WriteError::NoStudy {
            path: path.display().to_string(),
            study: study_name(&r.journal, study),
        });
    };
    let number = s.trials.len();
    let trial_id = r.journal.trials.len();
    let mut system = Map::new();
    system.insert(FIXED_PARAMS.into(), Value::Object(req.params.clone()));
    let line = journal_line(
        4,
        &worker_id(),
        &[
            ("study_id", Value::from(study)),
            ("datetime_start", Value::Null),
            ("state", Value::from(4)),
            ("value", Value::Null),
            ("values", Value::Null),
            ("distributions", Value::Object(Map::new())),
            ("params", Value::Object(Map::new())),
            ("user_attrs", Value::Object(req.user_attrs.clone())),
            ("system_attrs", Value::Object(system)),
            ("intermediate_values", Value::Object(Map::new())),
        ],
    );
    append_line(&path, &line)?;
    drop(lock);
    r.poll()?;
    let back = r.journal.trials.get(trial_id);
    if !back.is_some_and(|t| t.study == study && t.number == number) {
        return Err(WriteError::NotReadBack {
            path: path.display().to_string(),
            why: format!("the trial appended (number {number}) was not read back"),
        });
    }
    Ok(Enqueued { study, number })
}

/// [`withdraw`] from a journal.
pub fn withdraw_journal(
    r: &mut JournalReader,
    study: usize,
    number: usize,
    timeout: Duration,
) -> Result<(), WriteError> {
    let path = r.path().to_path_buf();
    check_writable(&path)?;
    let lock = JournalLock::acquire(&path, timeout, GRACE)?;
    catch_up(r)?;
    let id = r
        .journal
        .studies
        .get(study)
        .and_then(|s| s.trials.get(number))
        .copied();
    let Some(t) = id.and_then(|i| r.journal.trials.get(i)) else {
        return Err(WriteError::NoTrial {
            path: path.display().to_string(),
            study: study_name(&r.journal, study),
            number,
        });
    };
    match t.state {
        State::Waiting => {}
        State::Running => {
            return Err(WriteError::Claimed {
                number,
                by: t
                    .worker
                    .as_deref()
                    .map_or(String::new(), |w| format!(" on worker {w}")),
            })
        }
        s => {
            return Err(WriteError::Finished {
                number,
                state: s.name(),
            })
        }
    }
    let line = journal_line(
        6,
        &worker_id(),
        &[
            ("trial_id", Value::from(id.unwrap_or_default())),
            ("state", Value::from(3)),
            ("values", Value::Null),
            ("datetime_complete", Value::from(now_iso(true))),
        ],
    );
    append_line(&path, &line)?;
    drop(lock);
    r.poll()?;
    Ok(())
}

/// Opens an Optuna SQLite database for writing, checking its schema.
fn open_db(path: &Path, timeout: Duration) -> Result<rusqlite::Connection, WriteError> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|source| WriteError::Io {
        path: shown.clone(),
        source,
    })?;
    if meta.permissions().readonly() {
        return Err(WriteError::ReadOnly {
            path: shown,
            source: std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "the file is marked read-only",
            ),
        });
    }
    let db = |source| WriteError::Db {
        path: shown.clone(),
        source,
    };
    let c = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(db)?;
    c.busy_timeout(timeout).map_err(db)?;
    let schema = check_schema(&c, path).map_err(db)?;
    if !KNOWN_SCHEMAS.contains(&schema.as_str()) {
        return Err(WriteError::UnknownSchema {
            path: shown,
            schema,
        });
    }
    Ok(c)
}

/// An SQLite error, with a writer's lock said as such.
fn db_error(path: &Path, source: rusqlite::Error, waited: Duration) -> WriteError {
    if source.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) {
        return WriteError::Busy {
            path: path.display().to_string(),
            secs: waited.as_secs_f64(),
        };
    }
    if source.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly) {
        return WriteError::ReadOnly {
            path: path.display().to_string(),
            source: std::io::Error::other(source.to_string()),
        };
    }
    WriteError::Db {
        path: path.display().to_string(),
        source,
    }
}

/// [`enqueue`] into an SQLite database, in one transaction.
pub(crate) fn enqueue_db(
    r: &mut DbReader,
    study: usize,
    req: &Request,
    timeout: Duration,
) -> Result<Enqueued, WriteError> {
    let path = r.path().to_path_buf();
    let Some(name) = r.journal.studies.get(study).map(|s| s.name.clone()) else {
        return Err(WriteError::NoStudy {
            path: path.display().to_string(),
            study: format!("#{study}"),
        });
    };
    let mut c = open_db(&path, timeout)?;
    let start = Instant::now();
    let number = (|| -> Result<Option<i64>, rusqlite::Error> {
        use rusqlite::OptionalExtension;
        let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let Some(sid): Option<i64> = tx
            .query_row(
                "SELECT study_id FROM studies WHERE study_name = ?1",
                [&name],
                |row| row.get(0),
            )
            .optional()?
        else {
            return Ok(None);
        };
        // as RDBStorage: made RUNNING, its attributes set, then WAITING
        // with its number
        tx.execute(
            "INSERT INTO trials (number, study_id, state, datetime_start, datetime_complete) \
             VALUES (NULL, ?1, 'RUNNING', NULL, NULL)",
            [sid],
        )?;
        let tid = tx.last_insert_rowid();
        for (k, v) in &req.user_attrs {
            tx.execute(
                "INSERT INTO trial_user_attributes (trial_id, key, value_json) VALUES (?1, ?2, ?3)",
                rusqlite::params![tid, k, py_json(v)],
            )?;
        }
        tx.execute(
            "INSERT INTO trial_system_attributes (trial_id, key, value_json) VALUES (?1, ?2, ?3)",
            rusqlite::params![
                tid,
                FIXED_PARAMS,
                py_json(&Value::Object(req.params.clone()))
            ],
        )?;
        tx.execute(
            "UPDATE trials SET state = 'WAITING', number = (SELECT COUNT(trial_id) FROM trials \
             WHERE study_id = ?1 AND trial_id < ?2) WHERE trial_id = ?2",
            [sid, tid],
        )?;
        let number: i64 = tx.query_row(
            "SELECT number FROM trials WHERE trial_id = ?1",
            [tid],
            |row| row.get(0),
        )?;
        tx.commit()?;
        Ok(Some(number))
    })()
    .map_err(|e| db_error(&path, e, start.elapsed()))?;
    let Some(number) = number else {
        return Err(WriteError::NoStudy {
            path: path.display().to_string(),
            study: format!("{name:?}"),
        });
    };
    r.poll()?;
    Ok(Enqueued {
        study,
        number: usize::try_from(number).unwrap_or_default(),
    })
}

/// [`withdraw`] from an SQLite database, in one transaction.
pub(crate) fn withdraw_db(
    r: &mut DbReader,
    study: usize,
    number: usize,
    timeout: Duration,
) -> Result<(), WriteError> {
    let path = r.path().to_path_buf();
    let name = r
        .journal
        .studies
        .get(study)
        .map_or_else(String::new, |s| s.name.clone());
    let mut c = open_db(&path, timeout)?;
    let start = Instant::now();
    let found = (|| -> Result<Option<String>, rusqlite::Error> {
        use rusqlite::OptionalExtension;
        let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let row: Option<(i64, String)> = tx
            .query_row(
                "SELECT t.trial_id, t.state FROM trials t JOIN studies s \
                 ON s.study_id = t.study_id WHERE s.study_name = ?1 AND t.number = ?2",
                rusqlite::params![name, number as i64],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let Some((tid, state)) = row else {
            return Ok(None);
        };
        if state == "WAITING" {
            tx.execute(
                "UPDATE trials SET state = 'FAIL', datetime_complete = ?1 \
                 WHERE trial_id = ?2 AND state = 'WAITING'",
                rusqlite::params![now_iso(false), tid],
            )?;
            tx.commit()?;
        }
        Ok(Some(state))
    })()
    .map_err(|e| db_error(&path, e, start.elapsed()))?;
    match found.as_deref() {
        None => Err(WriteError::NoTrial {
            path: path.display().to_string(),
            study: format!("{name:?}"),
            number,
        }),
        Some("WAITING") => {
            r.poll()?;
            Ok(())
        }
        Some("RUNNING") => Err(WriteError::Claimed {
            number,
            by: String::new(),
        }),
        Some(s) => Err(WriteError::Finished {
            number,
            state: match s {
                "COMPLETE" => "COMPLETE",
                "PRUNED" => "PRUNED",
                "FAIL" => "FAIL",
                _ => "finished",
            },
        }),
    }
}

/// The study whose run is the trace's run `run`, in what `f` follows.
pub(crate) fn study_of_run(f: &Followed, run: usize) -> Option<usize> {
    let runs = optuna_reader(f)?.runs();
    runs.studies.iter().position(|(slot, _)| *slot == Some(run))
}
