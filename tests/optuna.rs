//! Optuna journals: nasviz's replay equals Optuna's own (the fixture's
//! expected file was written by Optuna 5.0 from the same journal, which
//! four worker processes wrote at once), the studies become runs of
//! NAS-Bench-201 cells, a journal still being written is followed line by
//! line, and a corrupt line is skipped with its place.

use nasviz::trace::engine::optuna::{read_journal, JournalReader};
use nasviz::trace::engine::optuna_db::DbReader;
use nasviz::trace::engine::replay::State;
use nasviz::trace::engine::EngineReader;
use nasviz::trace::open::read_storage;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

const JOURNAL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/optuna_nb201.journal"
);
const EXPECTED: &str = include_str!("fixtures/optuna_nb201.expected.jsonl");
const DB: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/optuna_nb201.db"
);
const DB_EXPECTED: &str = include_str!("fixtures/optuna_nb201_db.expected.jsonl");

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nasviz-optuna-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("tmp");
    d.join(name)
}

fn close(a: f64, b: &Value) -> bool {
    b.as_f64().is_some_and(|b| (a - b).abs() < 1e-12)
}

#[test]
fn replay_equals_optunas() {
    check_against_optuna(JOURNAL, EXPECTED);
}

#[test]
fn an_sqlite_database_reads_as_optuna_reads_it() {
    check_against_optuna(DB, DB_EXPECTED);
    let s = read_storage(Path::new(DB)).expect("db");
    assert_eq!(s.kind, "Optuna SQLite database (schema v3.2.0.a)");
    let complete = s
        .journal
        .trials
        .iter()
        .filter(|t| t.state == State::Complete)
        .count();
    assert_eq!(s.trace().trial_count(), complete);
    // trials with the same parameters share one decoded copy
    let mut seen = std::collections::HashMap::new();
    let mut shared = 0;
    for t in s.journal.trials.iter().filter(|t| !t.params.is_empty()) {
        let key = serde_json::to_string(&*t.params).expect("json");
        match seen.get(&key) {
            Some(p) => {
                assert!(std::sync::Arc::ptr_eq(p, &t.params), "{key}");
                shared += 1;
            }
            None => {
                seen.insert(key, t.params.clone());
            }
        }
    }
    assert!(shared > 0, "the fixture repeats a parameter set");
}

/// Compares nasviz's reading of an Optuna storage with Optuna's own.
fn check_against_optuna(path: &str, expected: &str) {
    let r = read_storage(Path::new(path)).expect("storage");
    let j = &r.journal;
    assert!(j.skipped.is_empty(), "{:?}", j.skipped);
    let mut n = 0;
    for line in expected.lines() {
        let want: Value = serde_json::from_str(line).expect("expected line");
        let study = j
            .studies
            .iter()
            .position(|s| Some(s.name.as_str()) == want["study"].as_str())
            .expect("study");
        let number = want["number"].as_u64().expect("number") as usize;
        let t = &j.trials[j.studies[study].trials[number]];
        assert_eq!(t.number, number);
        assert_eq!(Some(t.state.name()), want["state"].as_str(), "{line}");
        assert_eq!(Value::Object((*t.params).clone()), want["params"], "{line}");
        assert_eq!(
            Value::Object(t.user_attrs.clone()),
            want["user_attrs"],
            "{line}"
        );
        match (&t.values, want["values"].as_array()) {
            (None, None) => {}
            (Some(v), Some(w)) => {
                assert_eq!(v.len(), w.len());
                assert!(v.iter().zip(w).all(|(a, b)| close(*a, b)), "{line}");
            }
            other => panic!("values differ: {other:?} in {line}"),
        }
        let iv = want["intermediate_values"].as_object().expect("map");
        assert_eq!(t.intermediate.len(), iv.len(), "{line}");
        for (s, v) in &t.intermediate {
            assert!(close(*v, &iv[&s.to_string()]), "{line}");
        }
        n += 1;
    }
    assert_eq!(n, j.trials.len(), "every trial Optuna has, and no other");
    // pruned, failed and running trials are all there
    for s in [State::Pruned, State::Fail, State::Running] {
        assert!(j.trials.iter().any(|t| t.state == s), "{s:?}");
    }
}

#[test]
fn studies_become_runs_of_nb201_cells() {
    let r = read_journal(Path::new(JOURNAL)).expect("journal");
    let trace = r.trace();
    assert_eq!(trace.runs.len(), 2);
    for run in &trace.runs {
        let study = r
            .journal
            .studies
            .iter()
            .position(|s| s.name == run.info.run_id)
            .expect("study");
        let complete: Vec<_> = r.journal.studies[study]
            .trials
            .iter()
            .map(|&t| &r.journal.trials[t])
            .filter(|t| t.state == State::Complete)
            .collect();
        assert_eq!(run.trials.len(), complete.len(), "{}", run.info.run_id);
        assert_eq!(run.info.space, "nb201");
        for t in &run.trials {
            let o = complete
                .iter()
                .find(|c| c.number as u64 == t.trial_id)
                .expect("a completed trial");
            let val = o.values.as_ref().expect("values")[0];
            assert_eq!(t.metrics.val_acc, val);
            assert_eq!(Some(t.metrics.test_acc), o.user_attrs["test_acc"].as_f64());
            assert!(t.time_s.is_some_and(|x| x >= 0.0));
        }
        // steps are the order trials completed in, times ascending
        let times: Vec<f64> = run.trials.iter().filter_map(|t| t.time_s).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    }
    // the per-edge study: each edge's op is the cell's
    let edges = trace.run("nb201-edges").expect("run");
    let t = edges.trials.at(0);
    let o = r
        .journal
        .trials
        .iter()
        .find(|x| x.study == 0 && x.number as u64 == t.trial_id)
        .expect("trial");
    let key = t.arch.key().expect("key");
    for (e, name) in ["1<-0", "2<-0", "2<-1", "3<-0", "3<-1", "3<-2"]
        .iter()
        .enumerate()
    {
        let op = o.params[*name].as_str().expect("op");
        let j = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)][e];
        assert!(
            key.contains(&format!("{op}~{}", j.1)),
            "{key} lacks {op} on {name}"
        );
    }
}

#[test]
fn a_journal_being_written_is_followed_line_by_line() {
    let bytes = std::fs::read(JOURNAL).expect("journal");
    let whole = read_journal(Path::new(JOURNAL)).expect("journal");
    let path = tmp("growing.journal");
    std::fs::write(&path, b"").expect("write");
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("open");
    let mut r = JournalReader::new(&path);
    let mut added = 0;
    for chunk in bytes.chunks(1013) {
        f.write_all(chunk).expect("append");
        f.flush().expect("flush");
        added += r.poll().expect("poll");
        let drawn: usize = r.trace().runs.iter().map(|x| x.trials.len()).sum();
        assert_eq!(drawn, added, "no trial twice");
    }
    assert_eq!(r.trace(), whole.trace());
    assert!(r.journal.skipped.is_empty());
}

#[test]
fn a_corrupt_line_is_skipped_with_its_place() {
    let text = std::fs::read_to_string(JOURNAL).expect("journal");
    let lines: Vec<&str> = text.lines().collect();
    let mid = lines.len() / 2;
    let mut broken = lines[..mid].join("\n");
    broken.push_str("\n{\"op_code\":6,\"worker_id\":\"x\",\"trial_id\":");
    broken.push('\n');
    broken.push_str(&lines[mid..].join("\n"));
    broken.push('\n');
    let path = tmp("broken.journal");
    std::fs::write(&path, &broken).expect("write");
    let r = read_journal(&path).expect("read");
    assert_eq!(r.journal.skipped.len(), 1);
    let place = format!("{}:{}:", path.display(), mid + 1);
    assert!(
        r.journal.skipped[0].starts_with(&place),
        "{:?}",
        r.journal.skipped
    );
    // every trial before and after it is there
    let whole = read_journal(Path::new(JOURNAL)).expect("journal");
    assert_eq!(r.trace(), whole.trace());
}

fn nasviz(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_nasviz"))
        .args(args)
        .output()
        .expect("run nasviz")
}

#[test]
fn info_and_import_take_a_journal() {
    let out = nasviz(&["info", JOURNAL]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Optuna journal, 592 lines, 2 studies"),
        "{text}"
    );
    assert!(
        text.contains(
            "study \"nb201-edges\": 40 trials (22 complete, 14 pruned, 4 fail); 22 drawn"
        ),
        "{text}"
    );
    assert!(
        text.contains("(10 complete, 1 running); 10 drawn"),
        "{text}"
    );
    let dest = tmp("imported.jsonl");
    let _ = std::fs::remove_file(&dest);
    let out = nasviz(&[
        "import",
        "optuna",
        JOURNAL,
        "-o",
        dest.to_str().unwrap_or(""),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (t, _) = nasviz::trace::jsonl::read_trace(&dest).expect("trace");
    assert_eq!(
        t,
        *read_journal(Path::new(JOURNAL)).expect("journal").trace()
    );
    let out = nasviz(&["info", DB]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Optuna SQLite database (schema v3.2.0.a), 51 trials, 2 studies"),
        "{text}"
    );
    // a corrupt line: info names it and fails
    let text = std::fs::read_to_string(JOURNAL).expect("journal");
    let bad = tmp("bad.journal");
    std::fs::write(
        &bad,
        text.replacen("\"op_code\":6,", "\"op_code\":\"six\",", 1),
    )
    .expect("write");
    let out = nasviz(&["info", bad.to_str().unwrap_or("")]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:", bad.display())) && err.contains("1 unreadable lines skipped"),
        "{err}"
    );
}

#[test]
fn the_benchmarks_journal_replays_whole() {
    // `nasviz bench` replays a generated journal; it must be one Optuna
    // would write, every trial drawn
    let path = tmp("generated.journal");
    nasviz::testdata::write_optuna_journal(&path, 500).expect("write");
    let r = nasviz::trace::engine::optuna::read_journal(&path).expect("replay");
    assert_eq!(r.trace().trial_count(), 500);
    assert!(r.journal.skipped.is_empty(), "{:?}", r.journal.skipped);
}

#[test]
fn the_viewer_follows_a_journal_as_workers_append() {
    use nasviz::trace::open::Followed;
    use nasviz::viewer::command::Command;
    let text = std::fs::read_to_string(JOURNAL).expect("journal");
    let lines: Vec<&str> = text.lines().collect();
    let path = tmp("followed.journal");
    let cut = lines.len() / 3;
    std::fs::write(&path, lines[..cut].join("\n") + "\n").expect("write");
    let f = Followed::start(&path).expect("follow");
    let runs = f.trace().runs.clone();
    assert!(!runs.is_empty(), "trials completed in the first third");
    let first: usize = runs.iter().map(|r| r.trials.len()).sum();
    let mut v = nasviz::viewer::Viewer::new(runs, (1280, 800));
    v.handle(Command::Tick(0.0));
    v.follow(f);
    // the rest arrives, the last line in two pieces
    let rest = lines[cut..].join("\n") + "\n";
    let (a, b) = rest.split_at(rest.len() - 40);
    let mut out = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("open");
    out.write_all(a.as_bytes()).expect("append");
    out.flush().expect("flush");
    v.handle(Command::Tick(0.5));
    let mid: usize = v.runs().iter().map(|r| r.trials.len()).sum();
    assert!(mid > first);
    out.write_all(b.as_bytes()).expect("append");
    out.flush().expect("flush");
    v.handle(Command::Tick(1.0));
    let whole = read_journal(Path::new(JOURNAL)).expect("journal");
    assert_eq!(
        v.runs(),
        &whole.trace().runs[..],
        "every trial once, none missed"
    );
}

fn db_copy(name: &str) -> PathBuf {
    let p = tmp(name);
    std::fs::copy(DB, &p).expect("copy");
    p
}

#[test]
fn a_database_being_written_is_followed_and_a_lock_waits() {
    let path = db_copy("growing.db");
    let c = rusqlite::Connection::open(&path).expect("open");
    // the last 20 trials are still running
    let states: Vec<(i64, String)> = {
        let mut q = c
            .prepare("SELECT trial_id, state FROM trials WHERE trial_id > 31")
            .expect("query");
        let rows = q
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("rows");
        rows.map(|r| r.expect("row")).collect()
    };
    c.execute(
        "UPDATE trials SET state = 'RUNNING' WHERE trial_id > 31",
        [],
    )
    .expect("update");
    let mut r = DbReader::new(&path);
    let first = r.poll().expect("poll");
    assert!(first > 0);
    assert_eq!(r.poll().expect("poll"), 0, "nothing changed");
    // a writer holds the lock: the poll waits for the next one
    c.execute_batch("BEGIN EXCLUSIVE").expect("lock");
    assert_eq!(r.poll().expect("a lock is not an error once reading"), 0);
    let e = DbReader::new(&path).poll().unwrap_err().to_string();
    assert!(e.contains("locked by a writer"), "{e}");
    c.execute_batch("ROLLBACK").expect("unlock");
    // they finish
    for (id, state) in &states {
        c.execute(
            "UPDATE trials SET state = ?1 WHERE trial_id = ?2",
            rusqlite::params![state, id],
        )
        .expect("finish");
    }
    let more = r.poll().expect("poll");
    assert!(more > 0);
    let whole = read_storage(Path::new(DB)).expect("db");
    assert_eq!(first + more, whole.trace().trial_count(), "no trial twice");
    // every (run, trial id, architecture), in order
    let rows = |t: &nasviz::trace::Trace| {
        let mut v: Vec<_> = t
            .runs
            .iter()
            .flat_map(|x| {
                x.trials
                    .iter()
                    .map(|t| (x.info.run_id.clone(), t.trial_id, t.arch.clone()))
            })
            .collect();
        v.sort_by_key(|x| (x.0.clone(), x.1));
        v
    };
    assert_eq!(rows(r.trace()), rows(whole.trace()));
}

#[test]
fn other_databases_are_refused_with_the_reason() {
    let path = tmp("old.db");
    let _ = std::fs::remove_file(&path);
    let c = rusqlite::Connection::open(&path).expect("open");
    c.execute_batch(
        "CREATE TABLE studies (study_id INTEGER, study_name TEXT);
         CREATE TABLE trials (trial_id INTEGER, number INTEGER, study_id INTEGER, state TEXT);
         CREATE TABLE alembic_version (version_num TEXT);
         INSERT INTO alembic_version VALUES ('v1.3.0.a');",
    )
    .expect("schema");
    drop(c);
    let e = read_storage(&path).err().expect("refused").to_string();
    assert!(e.contains("v1.3.0.a is older than 2.4"), "{e}");
    assert!(e.contains("optuna storage upgrade"), "{e}");
    let other = tmp("other.db");
    let _ = std::fs::remove_file(&other);
    rusqlite::Connection::open(&other)
        .and_then(|c| c.execute_batch("CREATE TABLE x (a)"))
        .expect("db");
    let e = read_storage(&other).err().expect("refused").to_string();
    assert!(e.contains("not Optuna's"), "{e}");
}

#[test]
fn a_mapping_names_the_metrics_and_the_architecture() {
    use nasviz::trace::engine::studies::Mapping;
    use nasviz::trace::open::read_storage_mapped;
    let map = tmp("map.json");
    std::fs::write(
        &map,
        r#"{"validation": "test_acc", "test": "objective", "architecture": "arch"}"#,
    )
    .expect("write");
    let m = Mapping::load(&map).expect("mapping");
    let s = read_storage_mapped(Path::new(JOURNAL), Some(m)).expect("read");
    // only the string study records an "arch" attribute
    assert_eq!(s.trace().runs.len(), 1);
    let run = &s.trace().runs[0];
    assert_eq!(run.info.run_id, "nb201-string");
    let plain = read_journal(Path::new(JOURNAL)).expect("journal");
    let before = plain.trace().run("nb201-string").expect("run");
    for (a, b) in run.trials.iter().zip(&before.trials) {
        assert_eq!(
            a.metrics.val_acc, b.metrics.test_acc,
            "validation is now test_acc"
        );
        assert_eq!(
            a.metrics.test_acc, b.metrics.val_acc,
            "test is now the objective"
        );
        assert_eq!(a.arch, b.arch);
    }
    assert!(
        s.summary()[0].contains("without an architecture"),
        "{:?}",
        s.summary()
    );
    // a mapping with a mistake names the file and the keys
    std::fs::write(&map, r#"{"valid": "x"}"#).expect("write");
    let e = Mapping::load(&map).unwrap_err().to_string();
    assert!(
        e.contains("map.json") && e.contains("keys: validation, test"),
        "{e}"
    );
}

#[test]
fn each_trial_names_the_worker_that_ran_it() {
    let r = read_journal(Path::new(JOURNAL)).expect("journal");
    let run = r.trace().run("nb201-edges").expect("run");
    let workers: std::collections::HashSet<_> =
        run.trials.iter().filter_map(|t| t.worker).collect();
    assert_eq!(
        run.trials.iter().filter(|t| t.worker.is_some()).count(),
        run.trials.len()
    );
    assert!(
        workers.len() >= 2,
        "four processes wrote the journal: {workers:?}"
    );
}

#[test]
fn format_reads_a_journal_whose_first_line_is_damaged() {
    use nasviz::trace::open::{open_as, open_noted, Format};
    let text = std::fs::read_to_string(JOURNAL).expect("journal");
    let damaged = tmp("damaged.journal");
    // the first study's create line is cut: content alone no longer says
    // what the file is
    std::fs::write(&damaged, format!("{{\"op_code\":0,\"worker\n{text}")).expect("write");
    assert!(open_as(&damaged, None).is_err());
    let (t, notes) = open_noted(&damaged, Some(Format::Optuna)).expect("read as optuna");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("damaged.journal:1:"), "{notes:?}");
    assert_eq!(
        t,
        *read_journal(Path::new(JOURNAL)).expect("journal").trace()
    );
    // info names the skipped line and fails; --format on the command line
    let out = nasviz(&["info", "--format", "optuna", damaged.to_str().unwrap_or("")]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 unreadable lines skipped") && err.contains("damaged.journal:1:"),
        "{err}"
    );
    let out = nasviz(&["info", "--format", "parquet", JOURNAL]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("native, naslib, dashboard, optuna, ray, nni"));
}
