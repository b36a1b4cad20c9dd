//! Opening whatever a user gives where a trace is expected: a native trace,
//! or a file nasviz can read as one (a NASLib NAS-Bench-201 result, a folder
//! of them, the original dashboard's records), judged by content. Files
//! that are not traces (benchmark tables, TFRecords, the package's
//! pickles) are refused with the command that uses or converts them.

use super::{import, Trace, TraceError};
use std::io::Read;
use std::path::Path;

/// What kind of file a path holds, from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Native,
    Naslib,
    NaslibFolder,
    Dashboard,
    /// An Optuna journal (`JournalFileBackend`).
    OptunaJournal,
    /// An SQLite database (Optuna's RDB storage).
    Sqlite,
    /// A Ray Tune experiment directory.
    RayExperiment,
    NbGraphTable,
    Nb101Table,
    TfRecord,
    Pickle,
    Unknown,
}

/// A format a user names (`--format`) when judging by content is not
/// wanted, e.g. an Optuna journal whose first line is damaged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Native,
    Naslib,
    Dashboard,
    Optuna,
    Ray,
    Nni,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        Ok(match s {
            "native" => Format::Native,
            "naslib" => Format::Naslib,
            "dashboard" => Format::Dashboard,
            "optuna" => Format::Optuna,
            "ray" => Format::Ray,
            "nni" => Format::Nni,
            other => {
                return Err(format!(
                    "unknown format {other:?} (native, naslib, dashboard, optuna, ray, nni)"
                ))
            }
        })
    }
}

impl Format {
    /// The search engine whose storage this format names, if it names one.
    pub fn engine(self) -> Option<super::storage::Engine> {
        use super::storage::Engine;
        match self {
            Format::Optuna => Some(Engine::Optuna),
            Format::Nni => Some(Engine::Nni),
            Format::Ray => Some(Engine::Ray),
            _ => None,
        }
    }

    /// The kind of file `path` is read as in this format.
    fn kind(self, path: &Path) -> Kind {
        match self {
            Format::Native => Kind::Native,
            Format::Naslib if path.is_dir() => Kind::NaslibFolder,
            Format::Naslib => Kind::Naslib,
            Format::Dashboard => Kind::Dashboard,
            Format::Optuna | Format::Nni if starts_with_sqlite(path) => Kind::Sqlite,
            Format::Optuna | Format::Nni => Kind::OptunaJournal,
            Format::Ray => Kind::RayExperiment,
        }
    }
}

/// Whether the first line of `path` is a JSON object with `key`.
fn first_line_has(path: &Path, key: &str) -> bool {
    let mut head = Vec::new();
    let _ = std::fs::File::open(path).and_then(|f| f.take(64 << 10).read_to_end(&mut head));
    let text = String::from_utf8_lossy(&head);
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    serde_json::from_str::<serde_json::Value>(first)
        .ok()
        .is_some_and(|v| v.get(key).is_some())
}

fn starts_with_sqlite(path: &Path) -> bool {
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|_| head.starts_with(super::storage::SQLITE_MAGIC))
}

/// The kind of `path`: as `format` says, or judged by content.
pub fn kind_as(path: &Path, format: Option<Format>) -> Result<Kind, TraceError> {
    match format {
        Some(f) => Ok(f.kind(path)),
        None => kind_of(path),
    }
}

/// Judges `path` from its name and its first 64 KiB.
pub fn kind_of(path: &Path) -> Result<Kind, TraceError> {
    if path.is_dir() {
        if super::ray::is_experiment(path) {
            return Ok(Kind::RayExperiment);
        }
        return Ok(Kind::NaslibFolder);
    }
    let io = |source| TraceError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(64 << 10).read_to_end(&mut head))
        .map_err(io)?;
    Ok(kind_of_head(&head, &extension(path)))
}

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// The kind of a file from its first bytes (up to 64 KiB) and its
/// extension (lowercase, without the dot).
pub fn kind_of_head(head: &[u8], ext: &str) -> Kind {
    if head.starts_with(crate::table::nbgraph::MAGIC) {
        return Kind::NbGraphTable;
    }
    if head.starts_with(crate::table::nb101::MAGIC) {
        return Kind::Nb101Table;
    }
    if head.starts_with(super::storage::SQLITE_MAGIC) {
        return Kind::Sqlite;
    }
    if ext == "tfrecord" {
        return Kind::TfRecord;
    }
    if head.first() == Some(&0x80) {
        return Kind::Pickle;
    }
    let text = String::from_utf8_lossy(head);
    let body = text.trim_start();
    if body.starts_with('[') {
        return Kind::Dashboard;
    }
    if body.starts_with('{') {
        let first = body.lines().next().unwrap_or("");
        if super::optuna::looks_like_journal(first) {
            return Kind::OptunaJournal;
        }
        let native = serde_json::from_str::<serde_json::Value>(first)
            .ok()
            .is_some_and(|v| v.get("kind").is_some());
        return if native { Kind::Native } else { Kind::Naslib };
    }
    Kind::Unknown
}

/// What the cache did that the user should hear of, in words.
fn cache_note(shown: &str, cache: super::cache::CacheUse) -> Option<String> {
    match cache {
        super::cache::CacheUse::Rebuilt(why) => Some(format!("{shown}: cache rebuilt: {why}")),
        super::cache::CacheUse::Unwritable(why) => Some(format!("{shown}: no cache ({why})")),
        _ => None,
    }
}

/// The trace at `path`, whatever readable form it is in.
pub fn open(path: &Path) -> Result<Trace, TraceError> {
    open_as(path, None)
}

/// The trace at `path`, read in `format` (or as its content says).
pub fn open_as(path: &Path, format: Option<Format>) -> Result<Trace, TraceError> {
    open_noted(path, format).map(|(t, _)| t)
}

/// [`open_as`], with what was skipped on the way (`file:line: why`, and
/// what an engine's trials lacked), for the command to say.
pub fn open_noted(path: &Path, format: Option<Format>) -> Result<(Trace, Vec<String>), TraceError> {
    let mut notes = Vec::new();
    let trace = open_inner(path, format, &mut notes)?;
    Ok((trace, notes))
}

fn open_inner(
    path: &Path,
    format: Option<Format>,
    notes: &mut Vec<String>,
) -> Result<Trace, TraceError> {
    let shown = path.display().to_string();
    let refuse = |what: String| Err(TraceError::bad(shown.clone(), what));
    if std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0) {
        return refuse("the file is empty".into());
    }
    let kind = kind_as(path, format)?;
    match kind {
        Kind::Native => {
            let (trace, _, cache) = super::cache::read_trace_cached(path)?;
            notes.extend(cache_note(&shown, cache));
            if trace.runs.is_empty() {
                return refuse(
                    "no run in it: a nasviz trace declares its run first \
                     ({\"kind\":\"run\",\"run_id\":...}), then its trials"
                        .into(),
                );
            }
            Ok(trace)
        }
        Kind::Naslib if first_line_has(path, "matrix") => refuse(format!(
            "NAS-Bench-101 cells (JSON Lines), not a trace: `nasviz arch hash {shown}` hashes \
             them, `nasviz info {shown}` checks them"
        )),
        Kind::Naslib => Ok(Trace {
            runs: vec![import::naslib_nb201(path, None, None)?],
        }),
        Kind::NaslibFolder => import::naslib_dir(path),
        Kind::RayExperiment => {
            let mut r = super::ray::RayReader::new(path);
            r.poll()?;
            if r.trace().runs.is_empty() {
                return refuse(format!(
                    "a Ray Tune experiment with nothing to draw: {}",
                    super::studies::summary(&r.journal, &r.runs).join("; ")
                ));
            }
            notes.extend(r.skipped.iter().map(|s| format!("skipped {s}")));
            Ok(r.runs.trace)
        }
        // a journal's replay is cached (its runs, while the file is as it
        // was); a journal named as another engine's storage is refused below
        Kind::OptunaJournal
            if format
                .and_then(Format::engine)
                .is_none_or(|e| e == super::storage::Engine::Optuna) =>
        {
            let (trace, more, cache) =
                super::cache::derived_cached(path, "optuna-journal-1", || {
                    let s = super::storage::read_storage(path)?;
                    if s.trace().runs.is_empty() {
                        return Err(TraceError::bad(
                            shown.clone(),
                            format!(
                                "an {} with nothing to draw: {}",
                                s.kind,
                                s.summary().join("; ")
                            ),
                        ));
                    }
                    let skipped = s.journal.skipped.iter().map(|l| format!("skipped {l}"));
                    Ok((s.runs.trace, skipped.collect()))
                })?;
            notes.extend(cache_note(&shown, cache));
            notes.extend(more);
            Ok(trace)
        }
        Kind::OptunaJournal | Kind::Sqlite => {
            let s = super::storage::read_storage_as(path, format.and_then(Format::engine), None)?;
            if s.trace().runs.is_empty() {
                return refuse(format!(
                    "an {} with nothing to draw: {}",
                    s.kind,
                    s.summary().join("; ")
                ));
            }
            notes.extend(s.journal.skipped.iter().map(|l| format!("skipped {l}")));
            Ok(s.runs.trace)
        }
        Kind::Dashboard => {
            let id = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "dashboard".into());
            Ok(Trace {
                runs: vec![import::dashboard_records(path, &id)?],
            })
        }
        Kind::NbGraphTable | Kind::Nb101Table => refuse(format!(
            "a benchmark table, not a trace: run a search on it with \
             `nasviz search --space {}:{shown} --strategy evolution --budget 2000 -o run.jsonl`",
            if kind == Kind::NbGraphTable {
                "nbgraph"
            } else {
                "nb101"
            }
        )),
        Kind::TfRecord => refuse(format!(
            "a NAS-Bench-101 TFRecord, not a trace: convert it with \
             `nasviz import nb101-tfrecord {shown} -o nb101.nb101`, then search on it"
        )),
        Kind::Pickle => refuse(format!(
            "a pickle (the nas-bench-graph package's .bench?), not a trace: convert it with \
             `nasviz import nas-bench-graph {shown} -o table.nbt`, then search on it"
        )),
        Kind::Unknown => refuse(
            "not a trace nasviz reads: expected a nasviz trace (JSON Lines, a \"kind\" on \
             every line), a NASLib NAS-Bench-201 result (errors_<seed>.json, or a folder of \
             them), the original dashboard's records (a JSON array), or an Optuna journal"
                .into(),
        ),
    }
}

/// A trace held in memory (a file dropped on the page, fetched by URL, or
/// read from standard input), judged by its content as [`open`] judges a
/// file's; `name` is the file's name, naming it in errors. Formats that
/// need a folder beside them (NASLib folders, Ray experiments) or a
/// database are refused with what to do instead.
pub fn open_bytes(name: &str, bytes: &[u8]) -> Result<(Trace, Vec<String>), TraceError> {
    let refuse = |what: String| Err(TraceError::bad(name.to_string(), what));
    if bytes.is_empty() {
        return refuse("the file is empty".into());
    }
    let head = &bytes[..bytes.len().min(64 << 10)];
    let ext = extension(Path::new(name));
    let mut notes = Vec::new();
    let trace = match kind_of_head(head, &ext) {
        Kind::Native => super::jsonl::read_trace_from(bytes, name)?.0,
        Kind::Naslib => Trace {
            runs: vec![import::naslib_nb201_bytes(name, bytes)?],
        },
        Kind::Dashboard => {
            let id = Path::new(name)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "dashboard".into());
            Trace {
                runs: vec![import::dashboard_bytes(name, bytes, &id)?],
            }
        }
        Kind::OptunaJournal => {
            let r = super::optuna::JournalReader::from_bytes(name, bytes)?;
            if r.trace().runs.is_empty() {
                return refuse(format!(
                    "an Optuna journal with nothing to draw: {}",
                    super::studies::summary(&r.journal, &r.runs).join("; ")
                ));
            }
            notes.extend(r.journal.skipped.iter().map(|l| format!("skipped {l}")));
            r.runs.trace
        }
        Kind::Sqlite => return refuse(super::storage::NO_SQLITE_HERE.into()),
        Kind::NbGraphTable | Kind::Nb101Table => {
            return refuse(
                "a benchmark table, not a trace: run a search on it with `nasviz search`".into(),
            )
        }
        Kind::TfRecord | Kind::Pickle => {
            return refuse(
                "a benchmark file, not a trace: convert it with `nasviz import`, then search on it"
                    .into(),
            )
        }
        Kind::NaslibFolder | Kind::RayExperiment | Kind::Unknown => {
            return refuse(
                "not a trace nasviz reads: expected a nasviz trace (JSON Lines, a \"kind\" on \
                 every line), a NASLib NAS-Bench-201 result (errors_<seed>.json), the original \
                 dashboard's records (a JSON array), or an Optuna journal"
                    .into(),
            )
        }
    };
    if trace.runs.is_empty() {
        return refuse(
            "no run in it: a nasviz trace declares its run first \
             ({\"kind\":\"run\",\"run_id\":...}), then its trials"
                .into(),
        );
    }
    Ok((trace, notes))
}

/// A file followed as another process writes it: a native trace, or an
/// Optuna journal that a study's workers append to.
pub enum Followed {
    Native(super::jsonl::Follower),
    Optuna(Box<super::optuna::JournalReader>),
    #[cfg(not(target_arch = "wasm32"))]
    OptunaDb(Box<super::optuna_db::DbReader>),
    Ray(Box<super::ray::RayReader>),
    #[cfg(not(target_arch = "wasm32"))]
    Nni(Box<super::nni::NniReader>),
}

impl Followed {
    /// Starts following `path`, judged by its content, and reads what it
    /// holds so far.
    pub fn start(path: &Path) -> Result<Followed, TraceError> {
        Followed::start_as(path, None)
    }

    /// [`Followed::start`], reading `path` in `format` when one is named.
    pub fn start_as(path: &Path, format: Option<Format>) -> Result<Followed, TraceError> {
        Followed::start_mapped(path, format, None)
    }

    /// [`Followed::start_as`] with the user's mapping of an engine's
    /// metrics and architecture (`--map`); a native trace takes none.
    pub fn start_mapped(
        path: &Path,
        format: Option<Format>,
        mapping: Option<super::optuna::Mapping>,
    ) -> Result<Followed, TraceError> {
        if format == Some(Format::Nni) && !starts_with_sqlite(path) {
            return Err(TraceError::bad(
                path.display().to_string(),
                "not an NNI experiment database: not SQLite (NNI keeps its trials in \
                 db/nni.sqlite of the experiment's folder)",
            ));
        }
        let mut f = match kind_as(path, format)? {
            Kind::OptunaJournal => {
                Followed::Optuna(Box::new(super::optuna::JournalReader::new(path)))
            }
            #[cfg(not(target_arch = "wasm32"))]
            Kind::Sqlite if format == Some(Format::Optuna) => {
                Followed::OptunaDb(Box::new(super::optuna_db::DbReader::new(path)))
            }
            #[cfg(not(target_arch = "wasm32"))]
            Kind::Sqlite if format == Some(Format::Nni) || super::storage::sqlite_is_nni(path) => {
                Followed::Nni(Box::new(super::nni::NniReader::new(path)))
            }
            #[cfg(not(target_arch = "wasm32"))]
            Kind::Sqlite => Followed::OptunaDb(Box::new(super::optuna_db::DbReader::new(path))),
            Kind::RayExperiment => Followed::Ray(Box::new(super::ray::RayReader::new(path))),
            _ => Followed::Native(super::jsonl::Follower::new(path)),
        };
        if let Some(m) = mapping {
            let runs = match &mut f {
                Followed::Native(_) => {
                    return Err(TraceError::bad(
                        path.display().to_string(),
                        "--map applies to a search engine's storage (Optuna, Ray Tune, NNI), \
                         not to a nasviz trace",
                    ))
                }
                Followed::Optuna(r) => &mut r.runs,
                #[cfg(not(target_arch = "wasm32"))]
                Followed::OptunaDb(r) => &mut r.runs,
                Followed::Ray(r) => &mut r.runs,
                #[cfg(not(target_arch = "wasm32"))]
                Followed::Nni(r) => &mut r.runs,
            };
            runs.mapping = Some(m);
        }
        f.poll()?;
        Ok(f)
    }

    /// Reads what was appended; whether anything new arrived.
    pub fn poll(&mut self) -> Result<bool, TraceError> {
        match self {
            Followed::Native(f) => Ok(!f.poll()?.is_empty()),
            Followed::Optuna(r) => Ok(r.poll()? > 0),
            #[cfg(not(target_arch = "wasm32"))]
            Followed::OptunaDb(r) => Ok(r.poll()? > 0),
            Followed::Ray(r) => Ok(r.poll()? > 0),
            #[cfg(not(target_arch = "wasm32"))]
            Followed::Nni(r) => Ok(r.poll()? > 0),
        }
    }

    pub fn trace(&self) -> &Trace {
        match self {
            Followed::Native(f) => f.trace(),
            Followed::Optuna(r) => r.trace(),
            #[cfg(not(target_arch = "wasm32"))]
            Followed::OptunaDb(r) => r.trace(),
            Followed::Ray(r) => r.trace(),
            #[cfg(not(target_arch = "wasm32"))]
            Followed::Nni(r) => r.trace(),
        }
    }
}
