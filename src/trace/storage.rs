//! A search engine's storage read whole: an Optuna journal or SQLite
//! database, an NNI database or a Ray Tune experiment folder, judged by
//! its content or read as the engine the user names (`--format`, `nasviz
//! import ENGINE`).

use super::optuna::read_journal;
use super::replay::Journal;
use super::studies::{summary, Mapping, Runs};
use super::{Trace, TraceError};
use std::io::Read;
use std::path::Path;

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
        let mut runs = Runs::default();
        runs.engine = s.runs.engine;
        runs.mapping = mapping;
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
