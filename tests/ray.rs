//! Ray Tune experiment directories: nasviz's reading equals Ray's own (the
//! expected file was written by Ray's ExperimentAnalysis from the same
//! directory), finished trials become a run of NAS-Bench-201 cells, trials
//! that arrive later are taken in once, and files caught mid-copy wait.

use nasviz::trace::engine::ray::RayReader;
use nasviz::trace::engine::replay::State;
use nasviz::trace::engine::EngineReader;
use serde_json::Value;
use std::path::{Path, PathBuf};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ray_nb201");
const EXPECTED: &str = include_str!("fixtures/ray_nb201.expected.jsonl");

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nasviz-ray-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let p = e.path();
        let dest = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).expect("copy");
        }
    }
}

#[test]
fn reading_equals_rays() {
    let mut r = RayReader::new(Path::new(DIR));
    r.poll().expect("read");
    let j = &r.journal;
    let mut terminated = 0;
    for line in EXPECTED.lines() {
        let want: Value = serde_json::from_str(line).expect("line");
        let id = want["trial_id"].as_str().expect("id");
        let number: usize = id
            .rsplit('_')
            .next()
            .and_then(|x| x.parse().ok())
            .expect("n");
        let t = j.trials.iter().find(|t| t.number == number).expect("trial");
        let state = match want["status"].as_str() {
            Some("TERMINATED") => {
                terminated += 1;
                State::Complete
            }
            Some("ERROR") => State::Fail,
            other => panic!("{other:?}"),
        };
        assert_eq!(t.state, state, "{line}");
        assert_eq!(Value::Object((*t.params).clone()), want["config"], "{line}");
        for k in ["val_acc", "test_acc", "training_iteration"] {
            if !want[k].is_null() {
                assert_eq!(t.user_attrs.get(k), Some(&want[k]), "{k} of {line}");
            }
        }
    }
    assert_eq!(j.trials.len(), EXPECTED.lines().count());
    let run = &r.trace().runs[0];
    assert_eq!(run.info.run_id, "ray_nb201");
    assert_eq!(run.info.strategy, "Ray Tune");
    assert_eq!(run.trials.len(), terminated);
    let times: Vec<f64> = run.trials.iter().filter_map(|t| t.time_s).collect();
    assert_eq!(times.len(), terminated);
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
}

#[test]
fn trials_arriving_and_files_mid_copy() {
    let whole = {
        let mut r = RayReader::new(Path::new(DIR));
        r.poll().expect("read");
        r.trace().clone()
    };
    let dir = tmp("copy");
    copy_dir(Path::new(DIR), &dir);
    // half the trial folders are not there yet; one result.json is cut
    // mid-line and the experiment state mid-file
    let mut trials: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    trials.sort();
    let later = dir.with_extension("later");
    std::fs::create_dir_all(&later).expect("mkdir");
    for p in &trials[6..] {
        std::fs::rename(p, later.join(p.file_name().expect("name"))).expect("move");
    }
    let state = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().contains("experiment_state-"))
        .expect("state");
    let state_text = std::fs::read(&state).expect("state");
    std::fs::write(&state, &state_text[..state_text.len() / 2]).expect("cut");
    let cut = trials[1].join("result.json");
    let cut_text = std::fs::read(&cut).expect("result");
    std::fs::write(&cut, &cut_text[..cut_text.len() - 30]).expect("cut");
    let mut r = RayReader::new(&dir);
    let first = r.poll().expect("poll");
    assert!(first > 0 && first < whole.trial_count(), "{first}");
    // the cut trial is not shown as finished from its half line
    let cut_id = r.journal.trials.iter().find(|t| {
        t.user_attrs
            .get("trial_id")
            .and_then(Value::as_str)
            .is_some_and(|id| trials[1].to_string_lossy().contains(id))
    });
    if let Some(t) = cut_id {
        assert_ne!(
            t.state,
            State::Complete,
            "a half-copied trial is not finished"
        );
    }
    // the copy completes, the rest arrives
    std::fs::write(&cut, &cut_text).expect("restore");
    std::fs::write(&state, &state_text).expect("restore");
    for p in &trials[6..] {
        std::fs::rename(later.join(p.file_name().expect("name")), p).expect("move");
    }
    let more = r.poll().expect("poll");
    assert_eq!(first + more, whole.trial_count(), "every trial once");
    assert_eq!(r.poll().expect("poll"), 0);
    let mut got: Vec<u64> = r.trace().runs[0]
        .trials
        .iter()
        .map(|t| t.trial_id)
        .collect();
    let mut want: Vec<u64> = whole.runs[0].trials.iter().map(|t| t.trial_id).collect();
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got, want);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&later);
}

#[test]
fn each_trial_names_its_host_and_process() {
    let mut r = RayReader::new(Path::new(DIR));
    r.poll().expect("read");
    for t in &r.trace().runs[0].trials {
        let w = t.worker.expect("worker");
        assert!(w.contains("(pid "), "{w}");
    }
}
