//! An Optuna journal read whole, under the path that the measurements
//! (`cli/perf/`) and the fuzz targets still name. The journal's reader is
//! `engine/optuna.rs`; what it replays to, `engine/replay.rs` and
//! `engine/studies.rs`.

pub use super::engine::replay::Journal;
pub use super::engine::studies::{summary, Runs};
use super::engine::Storage;
use super::open::{read_storage_of, Kind};
use super::TraceError;
use std::path::Path;

/// Reads a whole Optuna journal (lines it cannot read are skipped).
pub fn read_journal(path: &Path) -> Result<Storage, TraceError> {
    read_storage_of(path, Kind::OptunaJournal, None)
}
