//! Steering a running Optuna study: nasviz enqueues edited architectures
//! into the storage real Optuna workers share (a journal and an SQLite
//! database), the workers train exactly those parameters, Optuna's own API
//! lists them with nasviz's provenance attribute, and nasviz shows them as
//! user trials with their deltas against the base. Also what must not be
//! written: a read-only file, a lock held past the timeout, a journal of a
//! newer Optuna, an unknown schema, a trial a worker took.
//!
//! The worker tests need a Python with `optuna` (`NASVIZ_OPTUNA_PYTHON`,
//! else `target/py-engines/bin/python` as `.ci/run` makes it, else
//! `python3`); without one they SKIP loudly, and fail when
//! NASVIZ_REQUIRE_PYTHON=1.

use nasviz::arch::nbgraph::GraphArch;
use nasviz::scene::approx_measure;
use nasviz::table::nbgraph::NbGraphTable;
use nasviz::trace::engine::optuna::JournalReader;
use nasviz::trace::engine::replay::State;
use nasviz::trace::engine::EngineReader;
use nasviz::trace::enqueue::{self, JournalLock, Request, WriteError};
use nasviz::trace::open::Followed;
use nasviz::trace::Source;
use nasviz::viewer::command::{Command, Key, KeyPress};
use nasviz::viewer::Viewer;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process};
use std::time::{Duration, Instant};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/optuna_steer/cora_study.py"
);
const OPS: [&str; 5] = ["gcn", "gat", "sage", "gin", "cheb"];

/// Removes a test's folder, unless NASVIZ_KEEP_TMP is set (to look at it).
fn done_with(dir: &Path) {
    if std::env::var_os("NASVIZ_KEEP_TMP").is_none() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nasviz-steer-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A Python that imports optuna, or None (after a loud SKIP; a failure
/// when NASVIZ_REQUIRE_PYTHON=1).
fn optuna_python(test: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut tried: Vec<PathBuf> = Vec::new();
    if let Some(p) = std::env::var_os("NASVIZ_OPTUNA_PYTHON") {
        tried.push(p.into());
    }
    tried.push(root.join("target/py-engines/bin/python"));
    tried.push("python3".into());
    for p in &tried {
        let ok = Process::new(p)
            .args(["-c", "import optuna"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(p.clone());
        }
    }
    if std::env::var("NASVIZ_REQUIRE_PYTHON").is_ok_and(|v| v == "1") {
        panic!("NASVIZ_REQUIRE_PYTHON=1 but no Python with optuna was found (tried {tried:?}); .ci/run makes target/py-engines");
    }
    eprintln!("SKIP {test}: no Python with optuna (tried {tried:?}; python3 -m venv target/py-engines && target/py-engines/bin/pip install optuna)");
    None
}

fn py(python: &Path, args: &[&str]) -> String {
    let out = Process::new(python)
        .arg(SCRIPT)
        .args(args)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "cora_study.py {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The Cora table as the workers' objective reads it: every architecture
/// of the study's space (node inputs, ops among OPS) the table holds.
fn export_table(path: &Path) -> Map<String, Value> {
    let table = NbGraphTable::cora().expect("Cora table");
    let mut out = Map::new();
    for l1 in 0..2u8 {
        for l2 in 0..3u8 {
            for l3 in 0..4u8 {
                let links = [0, l1, l2, l3];
                for code in 0..OPS.len().pow(4) {
                    let ops: Vec<&str> = (0..4)
                        .map(|i| OPS[code / OPS.len().pow(i) % OPS.len()])
                        .collect();
                    let Ok(arch) = GraphArch::from_names(links, &ops) else {
                        continue;
                    };
                    if let Ok(m) = table.lookup(&arch) {
                        let key = format!("0,{l1},{l2},{l3}|{}", ops.join(","));
                        out.insert(key, json!([m.val_acc, m.test_acc]));
                    }
                }
            }
        }
    }
    std::fs::write(path, Value::Object(out.clone()).to_string()).unwrap();
    out
}

fn key_of(params: &Value) -> String {
    let p = |k: String| params.get(&k).cloned().unwrap_or(Value::Null);
    let links: Vec<String> = (0..4).map(|i| p(format!("lk{i}")).to_string()).collect();
    let ops: Vec<String> = (0..4)
        .map(|i| p(format!("op{i}")).as_str().unwrap_or("?").to_string())
        .collect();
    format!("{}|{}", links.join(","), ops.join(","))
}

struct Workers(Vec<Child>);

impl Workers {
    fn start(python: &Path, storage: &Path, table: &Path, n: usize, trials: usize) -> Workers {
        let kids = (0..n)
            .map(|_| {
                Process::new(python)
                    .arg(SCRIPT)
                    .args(["work", &storage.display().to_string(), "cora"])
                    .arg(table)
                    .args([&trials.to_string(), "0.3"])
                    .spawn()
                    .expect("start a worker")
            })
            .collect();
        Workers(kids)
    }

    fn wait(&mut self, limit: Duration) {
        let start = Instant::now();
        for k in &mut self.0 {
            loop {
                if let Some(s) = k.try_wait().expect("worker") {
                    assert!(s.success(), "a worker failed: {s}");
                    break;
                }
                assert!(start.elapsed() < limit, "the workers ran past {limit:?}");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        for k in &mut self.0 {
            let _ = k.kill();
            let _ = k.wait();
        }
    }
}

fn press(v: &mut Viewer, k: Key) {
    v.handle(Command::Key(KeyPress::plain(k)));
}

/// Ticks the viewer (it polls the storage) until `done` or `limit`.
fn tick_until(v: &mut Viewer, t: &mut f64, limit: Duration, done: impl Fn(&Viewer) -> bool) {
    let start = Instant::now();
    while !done(v) {
        assert!(start.elapsed() < limit, "waited {limit:?}");
        *t += 0.5;
        v.handle(Command::Tick(*t));
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// What the overlay of the next frame says (notice and queue strip).
fn overlay_text(v: &mut Viewer) -> String {
    let mut m = approx_measure;
    let f = v.frame(&mut m).expect("frame");
    f.overlay_text
        .iter()
        .map(|t| t.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Follows `storage` in a viewer, enqueues two edits through edit mode
/// while the workers run, and checks what Optuna and nasviz then say.
fn steer_a_running_study(storage_name: &str, workers: usize) {
    let test = format!("steer_a_running_study({storage_name})");
    let Some(python) = optuna_python(&test) else {
        return;
    };
    let dir = tmp(storage_name);
    let storage = dir.join(storage_name);
    let table_path = dir.join("table.json");
    let table = export_table(&table_path);
    assert!(table.len() > 1000, "the study's space in the table");
    py(&python, &["create", &storage.display().to_string(), "cora"]);
    let mut pool = Workers::start(&python, &storage, &table_path, workers, 14);
    // wait for a few completed trials
    let start = Instant::now();
    let follower = loop {
        if let Ok(f) = Followed::start(&storage) {
            if f.trace().runs.first().is_some_and(|r| r.trials.len() >= 5) {
                break f;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "no trials completed"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let runs = follower.trace().runs.clone();
    let mut v = Viewer::new(runs, (1400, 900));
    v.follow(follower);
    let mut t = 0.0;
    v.handle(Command::Tick(t));
    let mut bases = Vec::new();
    for (step, moves) in [(0usize, 0usize), (2, 1)] {
        v.state.set_playing(false);
        v.state.set_step(step);
        press(&mut v, Key::Char('e'));
        let e = v.editor().expect("edit mode on the study's trial");
        bases.push(e.base_id);
        // the focus moves to another layer, then its op menu
        for _ in 0..moves {
            press(&mut v, Key::Tab);
        }
        press(&mut v, Key::Char('o'));
        let menu = v.editor().and_then(|e| e.menu()).expect("the op menu");
        let note = menu.note.clone().unwrap_or_default();
        assert!(note.starts_with("estimates"), "{note}");
        // the highlighted choice is a change (not the base's own op)
        press(&mut v, Key::Down);
        press(&mut v, Key::Enter);
        assert!(v.editor().is_none(), "{}", overlay_text(&mut v));
        let said = overlay_text(&mut v);
        assert!(said.contains("enqueued as trial"), "{said}");
        assert!(said.contains("queued"), "the queue strip: {said}");
    }
    // a third edit, taken back at once: withdrawn while it waits, or, if
    // a worker was quicker, refused as taken (Optuna's records must agree)
    v.state.set_step(1);
    press(&mut v, Key::Char('e'));
    press(&mut v, Key::Char('o'));
    press(&mut v, Key::Down);
    press(&mut v, Key::Enter);
    assert!(overlay_text(&mut v).contains("enqueued as trial"));
    v.handle(Command::Key(KeyPress {
        key: Key::Char('z'),
        mods: nasviz::viewer::command::Mods {
            ctrl: true,
            ..Default::default()
        },
    }));
    let undo = overlay_text(&mut v);
    let withdrawn = undo.contains("withdrawn: marked failed");
    assert!(withdrawn || undo.contains("cannot undo: trial"), "{undo}");
    // the workers take the enqueued trials; the strip follows them
    tick_until(&mut v, &mut t, Duration::from_secs(120), |v| {
        v.runs()[0]
            .trials
            .iter()
            .filter(|x| x.source == Source::User)
            .count()
            == if withdrawn { 2 } else { 3 }
    });
    let said = overlay_text(&mut v);
    assert!(said.contains("landed"), "{said}");
    pool.wait(Duration::from_secs(180));

    // Optuna's own records
    let dump: Vec<Value> = serde_json::from_str(&py(
        &python,
        &["dump", &storage.display().to_string(), "cora"],
    ))
    .expect("dump");
    let mut ours: Vec<&Value> = dump
        .iter()
        .filter(|t| t["user_attrs"].get("nasviz_edit").is_some())
        .collect();
    assert_eq!(ours.len(), 3, "{dump:?}");
    let third = ours.pop().expect("the third");
    if withdrawn {
        assert_eq!(third["state"], "FAIL", "withdrawn: {third}");
        assert!(
            third["params"].as_object().is_some_and(|p| p.is_empty()),
            "no worker ran it: {third}"
        );
    } else {
        assert_eq!(third["state"], "COMPLETE", "{third}");
    }
    for (o, base) in ours.iter().zip(&bases) {
        assert_eq!(o["state"], "COMPLETE", "{o}");
        assert_eq!(
            o["params"], o["fixed_params"],
            "trained what was enqueued: {o}"
        );
        let prov = &o["user_attrs"]["nasviz_edit"];
        assert_eq!(prov["base_trial"], json!(base), "{o}");
        assert!(prov["edit"].as_str().is_some_and(|s| !s.is_empty()), "{o}");
        let key = key_of(&o["params"]);
        let want = table[&key][0].as_f64().unwrap();
        assert_eq!(o["value"].as_f64(), Some(want), "{key}");
        // the base's params differ from the enqueued ones
        let b = dump
            .iter()
            .find(|t| t["number"] == json!(base))
            .expect("base");
        assert_ne!(b["params"], o["params"]);
    }

    // nasviz's reading: user trials made from their bases, with deltas
    let s = nasviz::trace::open::read_storage(&storage).expect("read");
    let run = &s.trace().runs[0];
    let user: Vec<_> = run
        .trials
        .iter()
        .filter(|x| x.source == Source::User)
        .collect();
    assert_eq!(user.len(), if withdrawn { 2 } else { 3 });
    ours.push(third);
    for u in user {
        let o = ours
            .iter()
            .find(|o| o["number"] == json!(u.trial_id))
            .expect("the same trial");
        let base = &o["user_attrs"]["nasviz_edit"]["base_trial"]
            .as_u64()
            .expect("base");
        let b = run.trial(*base).expect("base in the run");
        assert_eq!(u.parents.to_vec(), vec![*base]);
        assert!(u.mutation.is_some());
        assert_eq!(Some(u.metrics.val_acc), o["value"].as_f64());
        let steer = run
            .steers
            .iter()
            .find(|x| x.trial_id == Some(u.trial_id))
            .expect("a steer event");
        assert_eq!(steer.base, Some(*base));
        // the delta shown on landing
        let delta = nasviz::fmt::fmt_pp(u.metrics.val_acc - b.metrics.val_acc);
        let shown = v.runs()[0].trial(u.trial_id).expect("in the viewer");
        assert_eq!(shown.source, Source::User);
        assert_eq!(shown.metrics.val_acc, u.metrics.val_acc);
        eprintln!("trial {} (edit of {base}): {delta}", u.trial_id);
    }
    done_with(&dir);
}

#[test]
fn steer_a_running_study_through_its_journal() {
    steer_a_running_study("study.journal", 3);
}

#[test]
fn steer_a_running_study_through_its_sqlite_database() {
    steer_a_running_study("study.db", 2);
}

/// The line nasviz appends is the line Optuna's `enqueue_trial` appends,
/// but for the worker id; and a waiting trial is withdrawn so that no
/// worker takes it.
#[test]
fn the_journal_line_is_optunas_own() {
    let Some(python) = optuna_python("the_journal_line_is_optunas_own") else {
        return;
    };
    let dir = tmp("line");
    let (a, b) = (dir.join("a.journal"), dir.join("b.journal"));
    let params = json!({"lk0": 0, "lk1": 1, "lk2": 0, "lk3": 2, "op0": "gcn", "op1": "gat", "op2": "sage", "op3": "gin"});
    let attrs = json!({"nasviz_edit": {"base_trial": 3, "edit": "change to gat → sage"}});
    for p in [&a, &b] {
        py(&python, &["create", &p.display().to_string(), "cora"]);
    }
    py(
        &python,
        &[
            "enqueue",
            &a.display().to_string(),
            "cora",
            &params.to_string(),
            &attrs.to_string(),
        ],
    );
    let mut r = JournalReader::new(&b);
    r.poll().unwrap();
    let req = Request {
        params: params.as_object().unwrap().clone(),
        user_attrs: attrs.as_object().unwrap().clone(),
    };
    let q = enqueue::enqueue_journal(&mut r, 0, &req, Duration::from_secs(2)).unwrap();
    assert_eq!((q.study, q.number), (0, 0));
    let last = |p: &Path| -> Value {
        let text = std::fs::read_to_string(p).unwrap();
        let line = text.lines().last().unwrap().to_string();
        let mut v: Value = serde_json::from_str(&line).unwrap();
        v.as_object_mut().unwrap().remove("worker_id");
        v
    };
    let (theirs, mine) = (
        std::fs::read_to_string(&a).unwrap(),
        std::fs::read_to_string(&b).unwrap(),
    );
    assert_eq!(last(&a), last(&b), "\n{theirs}\n{mine}");
    // byte for byte but for the worker id: field order and escapes
    let strip = |s: &str| {
        let l = s.lines().last().unwrap();
        let (head, rest) = l.split_at(l.find("\"study_id\"").unwrap());
        assert!(head.starts_with("{\"op_code\":4,\"worker_id\":"));
        rest.to_string()
    };
    assert_eq!(strip(&theirs), strip(&mine));
    assert!(!r.journal.trials[0].state.name().is_empty());
    assert_eq!(r.journal.trials[0].state, State::Waiting);
    // Optuna reads it as its own: a waiting trial with those fixed params
    let dump: Vec<Value> =
        serde_json::from_str(&py(&python, &["dump", &b.display().to_string(), "cora"])).unwrap();
    assert_eq!(dump[0]["state"], "WAITING");
    assert_eq!(dump[0]["fixed_params"], params);
    assert_eq!(dump[0]["user_attrs"], attrs);
    // withdrawn: failed, and a worker then makes a trial of its own
    enqueue::withdraw_journal(&mut r, 0, 0, Duration::from_secs(2)).unwrap();
    let table = dir.join("table.json");
    export_table(&table);
    Workers::start(&python, &b, &table, 1, 1).wait(Duration::from_secs(60));
    let dump: Vec<Value> =
        serde_json::from_str(&py(&python, &["dump", &b.display().to_string(), "cora"])).unwrap();
    assert_eq!(dump[0]["state"], "FAIL", "{dump:?}");
    assert_eq!(dump.len(), 2, "the worker made a new trial: {dump:?}");
    assert_ne!(dump[1]["params"], params);
    // a trial that finished cannot be withdrawn
    let e = enqueue::withdraw_journal(&mut r, 0, 0, Duration::from_secs(2)).unwrap_err();
    assert!(matches!(e, WriteError::Finished { .. }), "{e}");
    done_with(&dir);
}

// ---- what must not be written (no Python needed) ----

const CREATE: &str = r#"{"op_code":0,"worker_id":"w","study_name":"cora","directions":[2]}"#;

fn journal_with(dir: &Path, lines: &[&str]) -> PathBuf {
    let p = dir.join("s.journal");
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    p
}

fn req() -> Request {
    let mut params = Map::new();
    params.insert("op0".into(), json!("gcn"));
    Request {
        params,
        user_attrs: Map::new(),
    }
}

#[test]
fn a_read_only_journal_is_not_written() {
    let dir = tmp("ro");
    let p = journal_with(&dir, &[CREATE]);
    let before = std::fs::read(&p).unwrap();
    let mut perm = std::fs::metadata(&p).unwrap().permissions();
    perm.set_readonly(true);
    std::fs::set_permissions(&p, perm).unwrap();
    let mut r = JournalReader::new(&p);
    r.poll().unwrap();
    let e = enqueue::enqueue_journal(&mut r, 0, &req(), Duration::from_millis(300)).unwrap_err();
    assert!(matches!(e, WriteError::ReadOnly { .. }), "{e}");
    assert!(e.to_string().contains("s.journal"), "{e}");
    assert_eq!(std::fs::read(&p).unwrap(), before);
    assert!(!enqueue::lock_path(&p).exists(), "no lock left behind");
    done_with(&dir);
}

#[test]
fn a_lock_held_past_the_timeout_is_said_and_nothing_is_written() {
    let dir = tmp("lock");
    let p = journal_with(&dir, &[CREATE]);
    let before = std::fs::read(&p).unwrap();
    // another process holds Optuna's lock (its open-lock form, a plain file)
    let lock = enqueue::lock_path(&p);
    let status = Process::new("sh")
        .arg("-c")
        .arg(format!("touch '{}'", lock.display()))
        .status()
        .unwrap();
    assert!(status.success());
    let mut r = JournalReader::new(&p);
    r.poll().unwrap();
    let start = Instant::now();
    let e = enqueue::enqueue_journal(&mut r, 0, &req(), Duration::from_millis(400)).unwrap_err();
    assert!(start.elapsed() >= Duration::from_millis(400));
    assert!(matches!(e, WriteError::Locked { .. }), "{e}");
    assert!(e.to_string().contains("s.journal.lock"), "{e}");
    assert_eq!(std::fs::read(&p).unwrap(), before);
    assert!(
        lock.exists(),
        "another's lock is not taken before its grace period"
    );
    // a lock left unchanged past the grace period is stale: Optuna breaks it
    let held = JournalLock::acquire(&p, Duration::from_secs(5), Duration::from_millis(300))
        .expect("the stale lock is broken");
    // and ours excludes the next taker until it is dropped
    let e =
        JournalLock::acquire(&p, Duration::from_millis(200), Duration::from_secs(30)).unwrap_err();
    assert!(matches!(e, WriteError::Locked { .. }), "{e}");
    drop(held);
    assert!(!lock.exists(), "released");
    assert!(std::fs::read_dir(&dir).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .ends_with(".rename")));
    done_with(&dir);
}

#[test]
fn a_journal_of_a_newer_optuna_is_not_written() {
    let dir = tmp("newer");
    let p = journal_with(
        &dir,
        &[CREATE, r#"{"op_code":11,"worker_id":"w","study_id":0}"#],
    );
    let before = std::fs::read(&p).unwrap();
    let mut r = JournalReader::new(&p);
    r.poll().unwrap();
    let e = enqueue::enqueue_journal(&mut r, 0, &req(), Duration::from_millis(300)).unwrap_err();
    assert!(
        matches!(
            e,
            WriteError::NewerJournal {
                line: 2,
                op: 11,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("s.journal:2: op_code 11"), "{e}");
    assert_eq!(std::fs::read(&p).unwrap(), before);
    assert!(!enqueue::lock_path(&p).exists(), "the lock is released");
    // a partial last line (a writer stopped mid-line) is not appended to
    let q = dir.join("p.journal");
    std::fs::write(&q, format!("{CREATE}\n{{\"op_code\":4,")).unwrap();
    let mut r = JournalReader::new(&q);
    r.poll().unwrap();
    let e = enqueue::enqueue_journal(&mut r, 0, &req(), Duration::from_millis(300)).unwrap_err();
    assert!(matches!(e, WriteError::Partial { .. }), "{e}");
    // a study that is not there
    let mut r = JournalReader::new(&p);
    r.poll().unwrap();
    let ok = journal_with(&dir, &[CREATE]);
    let mut r2 = JournalReader::new(&ok);
    r2.poll().unwrap();
    let e = enqueue::enqueue_journal(&mut r2, 3, &req(), Duration::from_millis(300)).unwrap_err();
    assert!(matches!(e, WriteError::NoStudy { .. }), "{e}");
    done_with(&dir);
}

/// A minimal Optuna RDB (schema v3.2.0.a's tables nasviz reads and
/// writes), with one study.
fn sqlite_study(path: &Path, version: &str) {
    let sql = format!(
        "CREATE TABLE studies (study_id INTEGER PRIMARY KEY, study_name VARCHAR(512) UNIQUE NOT NULL);
         CREATE TABLE study_directions (study_direction_id INTEGER PRIMARY KEY, direction VARCHAR(8) NOT NULL, study_id INTEGER NOT NULL, objective INTEGER NOT NULL);
         CREATE TABLE trials (trial_id INTEGER PRIMARY KEY, number INTEGER, study_id INTEGER, state VARCHAR(8) NOT NULL, datetime_start DATETIME, datetime_complete DATETIME);
         CREATE TABLE trial_values (trial_value_id INTEGER PRIMARY KEY, trial_id INTEGER NOT NULL, objective INTEGER NOT NULL, value FLOAT, value_type VARCHAR(7) NOT NULL);
         CREATE TABLE trial_params (param_id INTEGER PRIMARY KEY, trial_id INTEGER, param_name VARCHAR(512), param_value FLOAT, distribution_json TEXT);
         CREATE TABLE trial_user_attributes (trial_user_attribute_id INTEGER PRIMARY KEY, trial_id INTEGER, key VARCHAR(512), value_json TEXT);
         CREATE TABLE trial_system_attributes (trial_system_attribute_id INTEGER PRIMARY KEY, trial_id INTEGER, key VARCHAR(512), value_json TEXT);
         CREATE TABLE trial_intermediate_values (trial_intermediate_value_id INTEGER PRIMARY KEY, trial_id INTEGER NOT NULL, step INTEGER NOT NULL, intermediate_value FLOAT, intermediate_value_type VARCHAR(7) NOT NULL);
         CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);
         INSERT INTO alembic_version VALUES ('{version}');
         INSERT INTO studies VALUES (1, 'cora');
         INSERT INTO study_directions VALUES (1, 'MAXIMIZE', 1, 0);
         INSERT INTO trials VALUES (1, 0, 1, 'RUNNING', '2026-12-05 01:00:00.000000', NULL);"
    );
    let c = rusqlite::Connection::open(path).expect("make the db");
    c.execute_batch(&sql).expect("the tables");
}

#[test]
fn sqlite_refusals_change_nothing() {
    let dir = tmp("sqlite");
    let unknown = dir.join("new.db");
    sqlite_study(&unknown, "v9.0.0.a");
    let f = Followed::start(&unknown);
    let mut f = f.expect("read");
    let before = std::fs::read(&unknown).unwrap();
    let e = enqueue::enqueue(&mut f, 0, &req(), Duration::from_millis(300)).unwrap_err();
    assert!(matches!(e, WriteError::UnknownSchema { .. }), "{e}");
    assert!(e.to_string().contains("v9.0.0.a"), "{e}");
    assert_eq!(std::fs::read(&unknown).unwrap(), before);

    let ok = dir.join("ok.db");
    sqlite_study(&ok, "v3.2.0.a");
    let mut f = Followed::start(&ok).expect("read");
    // a trial a worker took cannot be withdrawn
    let e = enqueue::withdraw(&mut f, 0, 0, Duration::from_millis(300)).unwrap_err();
    assert!(matches!(e, WriteError::Claimed { number: 0, .. }), "{e}");
    // enqueued: number 1, WAITING, with its fixed params
    let q = enqueue::enqueue(&mut f, 0, &req(), Duration::from_millis(300)).unwrap();
    assert_eq!(q.number, 1);
    let j = enqueue::queue_of(&f).unwrap();
    let t = &j.trials[j.studies[0].trials[1]];
    assert_eq!(t.state, State::Waiting);
    assert_eq!(t.fixed.as_ref(), Some(&req().params));
    enqueue::withdraw(&mut f, 0, 1, Duration::from_millis(300)).unwrap();
    let j = enqueue::queue_of(&f).unwrap();
    assert_eq!(j.trials[j.studies[0].trials[1]].state, State::Fail);
    // read-only
    let mut perm = std::fs::metadata(&ok).unwrap().permissions();
    perm.set_readonly(true);
    std::fs::set_permissions(&ok, perm).unwrap();
    let before = std::fs::read(&ok).unwrap();
    let e = enqueue::enqueue(&mut f, 0, &req(), Duration::from_millis(300)).unwrap_err();
    assert!(matches!(e, WriteError::ReadOnly { .. }), "{e}");
    assert_eq!(std::fs::read(&ok).unwrap(), before);
    done_with(&dir);
}

#[test]
fn ray_and_nni_say_why_they_take_no_edits() {
    let ray = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ray_nb201");
    let mut f = Followed::start(&ray).expect("ray");
    let e = enqueue::enqueue(&mut f, 0, &req(), Duration::from_millis(100)).unwrap_err();
    assert!(e.to_string().contains("Ray Tune has no queue"), "{e}");
    // edit mode on the Ray experiment says so
    let f = Followed::start(&ray).expect("ray");
    let mut v = Viewer::new(f.trace().runs.clone(), (1200, 800));
    v.follow(f);
    v.handle(Command::Tick(0.0));
    press(&mut v, Key::Char('e'));
    assert!(v.editor().is_none());
    let said = overlay_text(&mut v);
    assert!(said.contains("Ray Tune has no queue"), "{said}");
    let nni = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nni_nb201.sqlite");
    let mut f = Followed::start(&nni).expect("nni");
    let e = enqueue::enqueue(&mut f, 0, &req(), Duration::from_millis(100)).unwrap_err();
    assert!(e.to_string().contains("NNI's web UI"), "{e}");
    assert!(e.to_string().contains("\"op0\":\"gcn\""), "{e}");
}
