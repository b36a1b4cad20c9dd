//! Search engines' storages, read as they are written: Optuna's journal
//! (`optuna.rs`) and SQLite database (`optuna_db.rs`), NNI's experiment
//! database (`nni.rs`), Ray Tune's experiment folders (`ray.rs`). Each
//! engine's reader replays its storage into a [`Journal`] (`replay.rs`),
//! whose studies `studies.rs` turns into runs, and answers to one trait,
//! [`EngineReader`]. The two SQLite readers open their files through
//! `sqlite.rs`. Which reader a file takes is judged in `trace/open.rs`.

/// The accessors of an [`EngineReader`] whose reader keeps the replayed
/// storage and its runs in fields `journal` and `runs` (every engine's
/// does), written into its `impl EngineReader`.
macro_rules! replayed_in_fields {
    () => {
        fn journal(&self) -> &Journal {
            &self.journal
        }
        fn runs(&self) -> &Runs {
            &self.runs
        }
        fn runs_mut(&mut self) -> &mut Runs {
            &mut self.runs
        }
        fn take(&mut self) -> (Journal, Runs) {
            (
                std::mem::take(&mut self.journal),
                std::mem::take(&mut self.runs),
            )
        }
    };
}

#[cfg(not(target_arch = "wasm32"))]
pub mod nni;
pub mod optuna;
#[cfg(not(target_arch = "wasm32"))]
pub mod optuna_db;
pub mod ray;
pub mod replay;
#[cfg(not(target_arch = "wasm32"))]
pub mod sqlite;
pub mod studies;

use self::replay::Journal;
use self::studies::{summary, Mapping, Runs};
use crate::trace::{Trace, TraceError};

/// A search engine whose storage nasviz reads (`--format`, `nasviz import
/// ENGINE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Optuna,
    Nni,
    Ray,
}

impl Engine {
    /// The engine as a run's strategy names it (`Optuna`, `NNI`, `Ray Tune`).
    pub fn label(self) -> &'static str {
        match self {
            Engine::Optuna => "Optuna",
            Engine::Nni => "NNI",
            Engine::Ray => "Ray Tune",
        }
    }

    /// The `nasviz import` subcommand that converts its storage.
    pub fn command(self) -> &'static str {
        match self {
            Engine::Optuna => "optuna",
            Engine::Nni => "nni",
            Engine::Ray => "ray",
        }
    }
}

/// What kind of storage a reader reads; `Display` says it in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StorageKind {
    /// An Optuna journal (`JournalFileBackend`).
    OptunaJournal,
    /// Optuna's RDB storage in an SQLite file, of the schema Alembic names.
    OptunaDb { schema: String },
    /// An NNI experiment's database.
    NniDb,
    /// A Ray Tune experiment folder.
    RayExperiment,
}

impl StorageKind {
    /// The engine that writes this kind of storage.
    pub fn engine(&self) -> Engine {
        match self {
            StorageKind::OptunaJournal | StorageKind::OptunaDb { .. } => Engine::Optuna,
            StorageKind::NniDb => Engine::Nni,
            StorageKind::RayExperiment => Engine::Ray,
        }
    }
}

impl std::fmt::Display for StorageKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StorageKind::OptunaJournal => f.write_str("Optuna journal"),
            StorageKind::OptunaDb { schema } => {
                write!(f, "Optuna SQLite database (schema {schema})")
            }
            StorageKind::NniDb => f.write_str("NNI experiment database"),
            StorageKind::RayExperiment => f.write_str("Ray Tune experiment"),
        }
    }
}

/// A kind compared with its words (`kind == "Optuna journal"`).
impl PartialEq<&str> for StorageKind {
    fn eq(&self, words: &&str) -> bool {
        let text = self.to_string();
        text.as_str() == *words
    }
}

/// What every engine's reader does: reads what changed in its storage,
/// keeps the storage replayed and its studies as runs, says what it is.
/// (`Any`: a writer that needs one engine's reader, as `enqueue.rs` needs
/// Optuna's, gets it by downcasting.)
pub trait EngineReader: std::any::Any {
    /// Reads what changed; returns the trials added to the runs.
    fn poll(&mut self) -> Result<usize, TraceError>;

    /// What kind of storage this is.
    fn kind(&self) -> StorageKind;

    /// The storage as replayed so far.
    fn journal(&self) -> &Journal;

    /// Its studies as runs.
    fn runs(&self) -> &Runs;

    /// The runs, to change how they are made before the first poll.
    fn runs_mut(&mut self) -> &mut Runs;

    /// The replayed storage and the runs, taken out of the reader.
    fn take(&mut self) -> (Journal, Runs);

    /// The engine that wrote the storage.
    fn engine(&self) -> Engine {
        self.kind().engine()
    }

    /// The runs' trace.
    fn trace(&self) -> &Trace {
        &self.runs().trace
    }

    /// What could not be read (`file:line: why`).
    fn skipped(&self) -> &[String] {
        &self.journal().skipped
    }

    /// Makes the runs with the user's mapping of metrics and architecture
    /// (`--map`), from the next poll on.
    fn set_mapping(&mut self, mapping: Mapping) {
        self.runs_mut().mapping = Some(mapping);
    }
}

/// A search engine's storage read whole.
pub struct Storage {
    pub journal: Journal,
    pub runs: Runs,
    /// What the storage is (`Display`: `Optuna journal`, `Optuna SQLite
    /// database (schema ...)`, `NNI experiment database`, `Ray Tune
    /// experiment`).
    pub kind: StorageKind,
}

impl Storage {
    /// What `reader` has read, taken out of it.
    pub fn of(reader: &mut dyn EngineReader) -> Storage {
        let kind = reader.kind();
        let (journal, runs) = reader.take();
        Storage {
            journal,
            runs,
            kind,
        }
    }

    /// The studies as runs.
    pub fn trace(&self) -> &Trace {
        &self.runs.trace
    }

    /// What became of the studies, in words (one line per study).
    pub fn summary(&self) -> Vec<String> {
        summary(&self.journal, &self.runs)
    }
}
