//! NNI experiment databases: metrics are linked to parameters through
//! their parameterId (the fixture, written by NNI 3.0 with two trials at a
//! time, has jobs that got each other's parameters in its events: linking
//! by job id would give trials the wrong accuracies), the succeeded trials
//! become a run of NAS-Bench-201 cells, and trials finishing later are
//! taken in once.

use nasviz::trace::engine::nni::NniReader;
use nasviz::trace::engine::replay::State;
use nasviz::trace::engine::EngineReader;
use std::path::{Path, PathBuf};

const DB: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/nni_nb201.sqlite"
);

/// The fixture's synthetic accuracy of a cell (tests/fixtures/nni_trial.py).
fn accuracy(ops: &[&str]) -> f64 {
    0.55 + ops
        .iter()
        .map(|o| match *o {
            "skip_connect" => 0.01,
            "nor_conv_1x1" => 0.025,
            "nor_conv_3x3" => 0.04,
            "avg_pool_3x3" => 0.012,
            _ => 0.0,
        })
        .sum::<f64>()
}

const EDGES: [&str; 6] = ["1<-0", "2<-0", "2<-1", "3<-0", "3<-1", "3<-2"];

#[test]
fn metrics_follow_their_parameters() {
    let mut r = NniReader::new(Path::new(DB));
    r.poll().expect("read");
    let j = &r.journal;
    assert_eq!(j.studies[0].name, "nni_nb201");
    assert_eq!(j.trials.len(), 12);
    for t in &j.trials {
        let ops: Vec<&str> = EDGES
            .iter()
            .map(|e| t.params[*e].as_str().expect("op"))
            .collect();
        let nones = ops.iter().filter(|o| **o == "none").count();
        if nones >= 3 {
            // the trial script fails these cells
            assert_eq!(t.state, State::Fail, "{ops:?}");
            continue;
        }
        assert_eq!(t.state, State::Complete, "{ops:?}");
        let v = t.values.as_ref().expect("final")[0];
        assert!((v - accuracy(&ops)).abs() < 1e-9, "{v} for {ops:?}");
        let test = t.user_attrs["test_acc"].as_f64().expect("test");
        assert!((test - (accuracy(&ops) - 0.01)).abs() < 1e-9);
        assert_eq!(t.intermediate.len(), 3);
    }
    let run = &r.trace().runs[0];
    assert_eq!(run.info.strategy, "NNI");
    assert_eq!(run.trials.len(), 11);
    let times: Vec<f64> = run.trials.iter().filter_map(|t| t.time_s).collect();
    assert_eq!(times.len(), 11);
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
}

#[test]
fn trials_finishing_later_are_taken_in_once() {
    let path: PathBuf =
        std::env::temp_dir().join(format!("nasviz-nni-{}.sqlite", std::process::id()));
    std::fs::copy(DB, &path).expect("copy");
    let c = rusqlite::Connection::open(&path).expect("open");
    c.execute_batch(
        "CREATE TABLE held AS SELECT * FROM MetricData WHERE type = 'FINAL' AND CAST(parameterId AS INTEGER) >= 6;
         DELETE FROM MetricData WHERE type = 'FINAL' AND CAST(parameterId AS INTEGER) >= 6;
         UPDATE TrialJobEvent SET event = 'RUNNING' WHERE event = 'SUCCEEDED' AND rowid IN
           (SELECT rowid FROM TrialJobEvent WHERE event = 'SUCCEEDED' ORDER BY timestamp DESC LIMIT 3);",
    )
    .expect("hold back");
    let mut r = NniReader::new(&path);
    let first = r.poll().expect("poll");
    assert!(first > 0 && first < 11, "{first}");
    c.execute_batch(
        "INSERT INTO MetricData SELECT * FROM held; DROP TABLE held;
         UPDATE TrialJobEvent SET event = 'SUCCEEDED' WHERE event = 'RUNNING' AND data IS NULL;",
    )
    .expect("release");
    let more = r.poll().expect("poll");
    assert_eq!(first + more, 11, "every trial once");
    assert_eq!(r.poll().expect("poll"), 0);
    let _ = std::fs::remove_file(&path);
}

/// A parameter set that comes again (another parameter id, the same
/// choices) is read into the same decoded copy, and an event whose data
/// is encoded twice is read as well.
#[test]
fn repeated_parameters_are_shared_and_twice_encoded_events_read() {
    let path: PathBuf =
        std::env::temp_dir().join(format!("nasviz-nni-dup-{}.sqlite", std::process::id()));
    std::fs::copy(DB, &path).expect("copy");
    let c = rusqlite::Connection::open(&path).expect("open");
    c.execute_batch(
        r#"INSERT INTO TrialJobEvent SELECT timestamp + 1, 'again', 'RUNNING',
             replace(data, '"parameter_id": 0,', '"parameter_id": 100,'), logPath, 100, message, environmentId
           FROM TrialJobEvent WHERE data LIKE '%"parameter_id": 0,%';
           INSERT INTO TrialJobEvent SELECT timestamp + 2, 'twice', 'RUNNING',
             json_quote(replace(data, '"parameter_id": 0,', '"parameter_id": 101,')), logPath, 101, message, environmentId
           FROM TrialJobEvent WHERE trialJobId != 'again' AND data LIKE '%"parameter_id": 0,%';"#,
    )
    .expect("add events");
    let mut r = NniReader::new(&path);
    r.poll().expect("read");
    let j = &r.journal;
    let by_number = |n: usize| {
        j.trials
            .iter()
            .find(|t| t.number == n)
            .unwrap_or_else(|| panic!("trial {n}"))
    };
    let (first, again, twice) = (by_number(0), by_number(100), by_number(101));
    assert_eq!(first.params.len(), 6);
    assert!(std::sync::Arc::ptr_eq(&first.params, &again.params));
    assert_eq!(first.params, twice.params);
    let _ = std::fs::remove_file(&path);
}

/// A named engine is honoured: an NNI database is never read as Optuna's
/// (nor an Optuna storage as NNI's), and a file that is not that engine's
/// is refused by name, by `--format` and by `nasviz import ENGINE` alike.
#[test]
fn a_named_engine_is_read_as_that_engine_or_refused() {
    let journal = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/optuna_nb201.journal"
    );
    let optuna_db = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/optuna_nb201.db"
    );
    let dir = std::env::temp_dir().join(format!("nasviz-engine-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let out = dir.join("out.jsonl");
    let out = out.to_str().unwrap_or_default();
    let run = |args: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_nasviz"))
            .args(args)
            .output()
            .unwrap();
        (
            o.status.success(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    // judged by content, each reads as its engine
    let (ok, err) = run(&["info", DB]);
    assert!(ok, "{err}");
    let (ok, err) = run(&["info", journal]);
    assert!(ok, "{err}");
    let (ok, err) = run(&["info", journal, "--format", "nni"]);
    assert!(
        !ok && err.contains(journal) && err.contains("not an NNI experiment database"),
        "{err}"
    );
    let (ok, err) = run(&["import", "nni", journal, "-o", out, "--force"]);
    assert!(
        !ok && err.contains("not an NNI experiment database"),
        "{err}"
    );
    let (ok, err) = run(&["info", optuna_db, "--format", "nni"]);
    assert!(!ok && err.contains("without NNI's tables"), "{err}");
    // an NNI database named as Optuna's is refused, named for what it is
    let (ok, err) = run(&["import", "optuna", DB, "-o", out, "--force"]);
    assert!(!ok && err.contains(DB), "{err}");
    assert!(err.contains("not an Optuna storage"), "{err}");
    assert!(!err.contains("NNI experiment database,"), "{err}");
    let (ok, err) = run(&["import", "nni", DB, "-o", out, "--force"]);
    assert!(ok, "{err}");
    let (ok, err) = run(&["import", "ray", journal, "-o", out, "--force"]);
    assert!(
        !ok && err.contains("not a Ray Tune experiment folder"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
