//! Opening whatever a user gives where a trace is expected: a native trace,
//! or a file nasviz can read as one (a NASLib NAS-Bench-201 result, a folder
//! of them, the original dashboard's records, a search engine's storage),
//! judged by content. Files that are not traces (benchmark tables,
//! TFRecords, the package's pickles, NAS-Bench-101 cells) are refused with
//! the command that uses or converts them.
//!
//! What a file is is judged here and only here ([`Kind`]): `--format` and
//! `nasviz import ENGINE` name how to read it, and a file that is not what
//! they name is refused, saying what it is; `nasviz info` asks the same
//! [`kind_as`].

use super::engine::optuna::JournalReader;
use super::engine::ray::RayReader;
use super::engine::studies::{summary, Mapping};
use super::engine::{Engine, EngineReader, Storage};
use super::jsonl::Follower;
use super::{import, Trace, TraceError};
use std::io::Read;
use std::path::Path;

/// The first bytes of every SQLite database file.
pub(crate) const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// What the browser build says of an SQLite file (it has no SQLite).
pub(crate) const NO_SQLITE_HERE: &str =
    "an SQLite database (an Optuna RDB or NNI storage): the browser \
     build does not read SQLite; convert it with `nasviz import optuna STUDY.db -o trace.jsonl` \
     and open the trace";

/// What kind of file a path holds, from its first bytes (and, for an
/// SQLite database, its tables).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Native,
    Naslib,
    NaslibFolder,
    Dashboard,
    /// An Optuna journal (`JournalFileBackend`).
    OptunaJournal,
    /// An SQLite database without NNI's tables: Optuna's RDB storage (its
    /// reader says what an SQLite file that is not Optuna's lacks).
    OptunaDb,
    /// An NNI experiment's database (SQLite with NNI's tables).
    NniDb,
    /// A Ray Tune experiment directory.
    RayExperiment,
    /// NAS-Bench-101 cells, one JSON object with `matrix` and `ops` a line.
    Nb101Cells,
    NbGraphTable,
    Nb101Table,
    TfRecord,
    Pickle,
    Unknown,
}

impl Kind {
    /// The search engine whose storage a file of this kind is.
    pub fn engine(self) -> Option<Engine> {
        match self {
            Kind::OptunaJournal | Kind::OptunaDb => Some(Engine::Optuna),
            Kind::NniDb => Some(Engine::Nni),
            Kind::RayExperiment => Some(Engine::Ray),
            _ => None,
        }
    }

    /// What a file of this kind is, in words, where its kind says it for
    /// sure (a file judged NASLib's or unknown may be a damaged one of
    /// another kind).
    pub(crate) fn noun(self) -> Option<&'static str> {
        Some(match self {
            Kind::Native => "a nasviz trace",
            Kind::NaslibFolder | Kind::RayExperiment => "a folder",
            Kind::Dashboard => "a JSON array",
            Kind::OptunaJournal => "an Optuna journal",
            Kind::OptunaDb => "an Optuna SQLite database",
            Kind::NniDb => "an NNI experiment database",
            Kind::Nb101Cells => "NAS-Bench-101 cells",
            Kind::NbGraphTable | Kind::Nb101Table => "a benchmark table",
            Kind::TfRecord => "a NAS-Bench-101 TFRecord",
            Kind::Pickle => "a pickle",
            Kind::Naslib | Kind::Unknown => return None,
        })
    }

    /// Why a file of this kind is not a trace, with the command that uses
    /// or converts it (`shown`: the file as the user named it); `None` for
    /// the kinds that are read as traces.
    pub(crate) fn not_a_trace(self, shown: &str) -> Option<String> {
        Some(match self {
            Kind::Nb101Cells => format!(
                "NAS-Bench-101 cells (JSON Lines), not a trace: `nasviz arch hash {shown}` hashes \
                 them, `nasviz info {shown}` checks them"
            ),
            Kind::NbGraphTable | Kind::Nb101Table => format!(
                "a benchmark table, not a trace: run a search on it with \
                 `nasviz search --space {}:{shown} --strategy evolution --budget 2000 -o run.jsonl`",
                if self == Kind::NbGraphTable {
                    "nbgraph"
                } else {
                    "nb101"
                }
            ),
            Kind::TfRecord => format!(
                "a NAS-Bench-101 TFRecord, not a trace: convert it with \
                 `nasviz import nb101-tfrecord {shown} -o nb101.nb101`, then search on it"
            ),
            Kind::Pickle => format!(
                "a pickle (the nas-bench-graph package's .bench?), not a trace: convert it with \
                 `nasviz import nas-bench-graph {shown} -o table.nbt`, then search on it"
            ),
            Kind::Unknown => "not a trace nasviz reads: expected a nasviz trace (JSON Lines, a \
                 \"kind\" on every line), a NASLib NAS-Bench-201 result (errors_<seed>.json, or \
                 a folder of them), the original dashboard's records (a JSON array), or an \
                 Optuna journal"
                .into(),
            _ => return None,
        })
    }
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
    pub fn engine(self) -> Option<Engine> {
        match self {
            Format::Optuna => Some(Engine::Optuna),
            Format::Nni => Some(Engine::Nni),
            Format::Ray => Some(Engine::Ray),
            _ => None,
        }
    }
}

/// The kind of `path`: as `format` says, or judged by content. An engine
/// named (`--format optuna|nni|ray`) reads a file that is that engine's
/// storage, and refuses one that is not (see [`storage_kind_as`]).
pub fn kind_as(path: &Path, format: Option<Format>) -> Result<Kind, TraceError> {
    match format {
        None => kind_of(path),
        Some(Format::Native) => Ok(Kind::Native),
        Some(Format::Dashboard) => Ok(Kind::Dashboard),
        // NAS-Bench-101 cells are never read as a NASLib result
        Some(Format::Naslib) if kind_of(path).ok() == Some(Kind::Nb101Cells) => {
            Ok(Kind::Nb101Cells)
        }
        Some(Format::Naslib) if path.is_dir() => Ok(Kind::NaslibFolder),
        Some(Format::Naslib) => Ok(Kind::Naslib),
        Some(Format::Optuna) => storage_kind_as(path, Engine::Optuna),
        Some(Format::Nni) => storage_kind_as(path, Engine::Nni),
        Some(Format::Ray) => storage_kind_as(path, Engine::Ray),
    }
}

/// The kind of storage `path` is when read as `engine`'s: what its content
/// says when that is `engine`'s. Optuna's reader also takes a text file
/// whose first line is not a journal's (a damaged journal: the lines it
/// cannot read are skipped). Anything else is refused, naming the file
/// and what it is.
pub fn storage_kind_as(path: &Path, engine: Engine) -> Result<Kind, TraceError> {
    let kind = kind_of(path)?;
    let refuse = |what: String| Err(TraceError::bad(path.display().to_string(), what));
    let is = kind.noun().map(|n| format!("{n}, ")).unwrap_or_default();
    match (engine, kind) {
        (_, k) if k.engine() == Some(engine) => Ok(k),
        (Engine::Optuna, Kind::NniDb) => refuse(
            "not an Optuna storage: an NNI experiment database (read it as NNI's: --format \
             nni, or `nasviz import nni`)"
                .into(),
        ),
        (Engine::Optuna, Kind::RayExperiment | Kind::NaslibFolder) => refuse(
            "not an Optuna storage: a folder (Optuna stores a study in a journal file or an \
             SQLite database)"
                .into(),
        ),
        (Engine::Optuna, Kind::NbGraphTable | Kind::Nb101Table | Kind::TfRecord | Kind::Pickle) => {
            refuse(format!(
                "not an Optuna storage: {is}not a journal or an SQLite database"
            ))
        }
        (Engine::Optuna, _) => Ok(Kind::OptunaJournal),
        (Engine::Nni, Kind::OptunaDb) => refuse(
            "not an NNI experiment database: SQLite without NNI's tables (TrialJobEvent, \
             MetricData)"
                .into(),
        ),
        (Engine::Nni, _) => refuse(format!(
            "not an NNI experiment database: {is}not SQLite (NNI keeps its trials in \
             db/nni.sqlite of the experiment's folder)"
        )),
        (Engine::Ray, _) => refuse(format!(
            "not a Ray Tune experiment folder (trial folders with params.json and \
             result.json){}",
            kind.noun().map(|n| format!(": {n}")).unwrap_or_default()
        )),
    }
}

/// The longest first line a file is judged by (a longer one is judged by
/// its first 256 MB).
const MAX_FIRST_LINE: usize = 256 << 20;

/// Judges `path` from its name and its first 64 KiB, or its whole first
/// line when that is longer (and an SQLite database from its tables).
pub fn kind_of(path: &Path) -> Result<Kind, TraceError> {
    if path.is_dir() {
        if super::engine::ray::is_experiment(path) {
            return Ok(Kind::RayExperiment);
        }
        return Ok(Kind::NaslibFolder);
    }
    let io = |source| TraceError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut head = Vec::new();
    let mut f = std::fs::File::open(path).map_err(io)?;
    f.by_ref()
        .take(64 << 10)
        .read_to_end(&mut head)
        .map_err(io)?;
    // a first line longer than that (a run line with large settings) is
    // judged whole
    let text_like = matches!(head.iter().find(|b| !b.is_ascii_whitespace()), Some(b'{'));
    let mut seen = 0;
    while text_like && !head[seen..].contains(&b'\n') && head.len() < MAX_FIRST_LINE {
        seen = head.len();
        if f.by_ref()
            .take(1 << 20)
            .read_to_end(&mut head)
            .map_err(io)?
            == 0
        {
            break;
        }
    }
    Ok(match kind_of_head(&head, &extension(path)) {
        Kind::OptunaDb => sqlite_kind(path),
        kind => kind,
    })
}

/// The engine whose SQLite database `path` is: NNI's when it has NNI's
/// tables, else Optuna's.
fn sqlite_kind(path: &Path) -> Kind {
    #[cfg(not(target_arch = "wasm32"))]
    if super::engine::sqlite::has_tables(path, &super::engine::nni::TABLES) {
        return Kind::NniDb;
    }
    let _ = path;
    Kind::OptunaDb
}

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// The kind of a file from its first bytes (up to 64 KiB) and its
/// extension (lowercase, without the dot). An SQLite database is
/// [`Kind::OptunaDb`] here: only its tables (see [`kind_of`]) tell NNI's.
pub(crate) fn kind_of_head(head: &[u8], ext: &str) -> Kind {
    if head.starts_with(crate::table::nbgraph::MAGIC) {
        return Kind::NbGraphTable;
    }
    if head.starts_with(crate::table::nb101::MAGIC) {
        return Kind::Nb101Table;
    }
    if head.starts_with(SQLITE_MAGIC) {
        return Kind::OptunaDb;
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
        if super::engine::optuna::looks_like_journal(first) {
            return Kind::OptunaJournal;
        }
        let has = |key: &str| {
            serde_json::from_str::<serde_json::Value>(first)
                .ok()
                .is_some_and(|v| v.get(key).is_some())
        };
        return if has("kind") {
            Kind::Native
        } else if has("matrix") {
            Kind::Nb101Cells
        } else {
            Kind::Naslib
        };
    }
    Kind::Unknown
}

/// Reads a search engine's storage whole, judged by its content: an Optuna
/// journal or SQLite database, an NNI database, or a Ray Tune experiment
/// directory (anything else as an Optuna journal, whose unreadable lines
/// are skipped).
pub fn read_storage(path: &Path) -> Result<Storage, TraceError> {
    read_storage_as(path, None, None)
}

/// [`read_storage`] with the user's mapping of metrics and architecture.
pub fn read_storage_mapped(path: &Path, mapping: Option<Mapping>) -> Result<Storage, TraceError> {
    read_storage_as(path, None, mapping)
}

/// [`read_storage_mapped`] as the engine `engine` names, when one is named
/// (`--format`, `nasviz import optuna|nni|ray`): a storage of another
/// engine, or a file that is no storage of that engine, is refused (see
/// [`storage_kind_as`]).
pub fn read_storage_as(
    path: &Path,
    engine: Option<Engine>,
    mapping: Option<Mapping>,
) -> Result<Storage, TraceError> {
    let kind = match engine {
        Some(e) => storage_kind_as(path, e)?,
        None => kind_of(path)?,
    };
    read_storage_of(path, kind, mapping)
}

/// A storage of kind `kind` read whole (a kind that is no engine's is read
/// as an Optuna journal).
pub fn read_storage_of(
    path: &Path,
    kind: Kind,
    mapping: Option<Mapping>,
) -> Result<Storage, TraceError> {
    let kind = if kind.engine().is_some() {
        kind
    } else {
        Kind::OptunaJournal
    };
    let Some(mut r) = engine_reader(path, kind)? else {
        return Err(TraceError::bad(
            path.display().to_string(),
            "not a search engine's storage",
        ));
    };
    if let Some(m) = mapping {
        r.set_mapping(m);
    }
    r.poll()?;
    Ok(Storage::of(r.as_mut()))
}

/// The reader of `path` as the storage `kind` says, nothing read yet;
/// `None` when `kind` is no engine's storage. The browser build refuses
/// SQLite.
fn engine_reader(path: &Path, kind: Kind) -> Result<Option<Box<dyn EngineReader>>, TraceError> {
    Ok(Some(match kind {
        Kind::OptunaJournal => Box::new(JournalReader::new(path)),
        Kind::RayExperiment => Box::new(RayReader::new(path)),
        #[cfg(not(target_arch = "wasm32"))]
        Kind::OptunaDb => Box::new(super::engine::optuna_db::DbReader::new(path)),
        #[cfg(not(target_arch = "wasm32"))]
        Kind::NniDb => Box::new(super::engine::nni::NniReader::new(path)),
        #[cfg(target_arch = "wasm32")]
        Kind::OptunaDb | Kind::NniDb => {
            return Err(TraceError::bad(
                path.display().to_string(),
                NO_SQLITE_HERE.to_string(),
            ))
        }
        _ => return Ok(None),
    }))
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

/// What a native trace without a run is told.
const NO_RUN: &str = "no run in it: a nasviz trace declares its run first \
     ({\"kind\":\"run\",\"run_id\":...}), then its trials";

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
    if let Some(why) = kind.not_a_trace(&shown) {
        return refuse(why);
    }
    match kind {
        Kind::Native => {
            let (trace, _, cache) = super::cache::read_trace_cached(path)?;
            notes.extend(cache_note(&shown, cache));
            if trace.runs.is_empty() {
                return refuse(NO_RUN.into());
            }
            Ok(trace)
        }
        Kind::Naslib => Ok(Trace {
            runs: vec![import::naslib_nb201(path, None, None)?],
        }),
        Kind::NaslibFolder => import::naslib_dir(path),
        Kind::Dashboard => Ok(Trace {
            runs: vec![import::dashboard_records(path, &dashboard_id(path))?],
        }),
        // a journal's replay is cached (its runs, while the file is as it was)
        Kind::OptunaJournal => {
            let (trace, more, cache) =
                super::cache::derived_cached(path, "optuna-journal-1", || {
                    drawn_storage(path, &shown, Kind::OptunaJournal)
                })?;
            notes.extend(cache_note(&shown, cache));
            notes.extend(more);
            Ok(trace)
        }
        _ => {
            let (trace, more) = drawn_storage(path, &shown, kind)?;
            notes.extend(more);
            Ok(trace)
        }
    }
}

/// A dashboard's records' run id: the file's name without its extension.
fn dashboard_id(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "dashboard".into())
}

/// The runs of a storage of kind `kind`, and its skipped lines as notes;
/// refused when nothing can be drawn, saying what became of its studies.
fn drawn_storage(path: &Path, shown: &str, kind: Kind) -> Result<(Trace, Vec<String>), TraceError> {
    let s = read_storage_of(path, kind, None)?;
    if s.trace().runs.is_empty() {
        let article = match s.kind {
            super::engine::StorageKind::RayExperiment => "a",
            _ => "an",
        };
        return Err(TraceError::bad(
            shown.to_string(),
            format!(
                "{article} {} with nothing to draw: {}",
                s.kind,
                s.summary().join("; ")
            ),
        ));
    }
    let skipped = s.journal.skipped.iter().map(|l| format!("skipped {l}"));
    Ok((s.runs.trace, skipped.collect()))
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
    // the first 64 KiB, or the whole first line of text when longer
    let text_like = matches!(bytes.iter().find(|b| !b.is_ascii_whitespace()), Some(b'{'));
    let first_line = match text_like {
        true => memchr::memchr(b'\n', bytes).map_or(bytes.len(), |i| i + 1),
        false => 0,
    };
    let head = &bytes[..bytes
        .len()
        .min((64 << 10).max(first_line.min(MAX_FIRST_LINE)))];
    let ext = extension(Path::new(name));
    let mut notes = Vec::new();
    let trace =
        match kind_of_head(head, &ext) {
            Kind::Native => super::jsonl::read_trace_from(bytes, name)?.0,
            Kind::Naslib => Trace {
                runs: vec![import::naslib_nb201_bytes(name, bytes)?],
            },
            Kind::Dashboard => Trace {
                runs: vec![import::dashboard_bytes(
                    name,
                    bytes,
                    &dashboard_id(Path::new(name)),
                )?],
            },
            Kind::OptunaJournal => {
                let r = JournalReader::from_bytes(name, bytes)?;
                if r.trace().runs.is_empty() {
                    return refuse(format!(
                        "an Optuna journal with nothing to draw: {}",
                        summary(&r.journal, &r.runs).join("; ")
                    ));
                }
                notes.extend(r.journal.skipped.iter().map(|l| format!("skipped {l}")));
                r.runs.trace
            }
            Kind::OptunaDb | Kind::NniDb => return refuse(NO_SQLITE_HERE.into()),
            Kind::NbGraphTable | Kind::Nb101Table => {
                return refuse(
                    "a benchmark table, not a trace: run a search on it with `nasviz search`"
                        .into(),
                )
            }
            Kind::TfRecord | Kind::Pickle => return refuse(
                "a benchmark file, not a trace: convert it with `nasviz import`, then search on it"
                    .into(),
            ),
            Kind::Nb101Cells => return refuse(
                "NAS-Bench-101 cells (JSON Lines), not a trace: `nasviz arch hash` hashes them, \
                 `nasviz info` checks them"
                    .into(),
            ),
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
        return refuse(NO_RUN.into());
    }
    Ok((trace, notes))
}

/// A file followed as another process writes it: a native trace, or a
/// search engine's storage that a study's workers write to.
pub enum Followed {
    Native(Follower),
    /// An engine's storage (Optuna's journal or database, Ray Tune's
    /// folder, NNI's database).
    Storage(Box<dyn EngineReader>),
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
        mapping: Option<Mapping>,
    ) -> Result<Followed, TraceError> {
        let mut f = match engine_reader(path, kind_as(path, format)?)? {
            Some(r) => Followed::Storage(r),
            None => Followed::Native(Follower::new(path)),
        };
        if let Some(m) = mapping {
            let Some(r) = f.reader_mut() else {
                return Err(TraceError::bad(
                    path.display().to_string(),
                    "--map applies to a search engine's storage (Optuna, Ray Tune, NNI), \
                     not to a nasviz trace",
                ));
            };
            r.set_mapping(m);
        }
        f.poll()?;
        Ok(f)
    }

    /// The engine's reader, when a storage is followed.
    pub fn reader(&self) -> Option<&dyn EngineReader> {
        match self {
            Followed::Native(_) => None,
            Followed::Storage(r) => Some(r.as_ref()),
        }
    }

    /// [`Followed::reader`], to read or write through.
    pub(crate) fn reader_mut(&mut self) -> Option<&mut dyn EngineReader> {
        match self {
            Followed::Native(_) => None,
            Followed::Storage(r) => Some(r.as_mut()),
        }
    }

    /// Reads what was appended; whether anything new arrived.
    pub fn poll(&mut self) -> Result<bool, TraceError> {
        match self {
            Followed::Native(f) => Ok(!f.poll()?.is_empty()),
            Followed::Storage(r) => Ok(r.poll()? > 0),
        }
    }

    /// What has been read so far.
    pub fn trace(&self) -> &Trace {
        match self {
            Followed::Native(f) => f.trace(),
            Followed::Storage(r) => r.trace(),
        }
    }
}
