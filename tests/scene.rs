//! Dashboard scenes without a GPU: edge cases build, errors are clear, and
//! a step change only touches the points in between.

use nasviz::analysis::Analytics;
use nasviz::arch::sequential::LayerList;
use nasviz::arch::Arch;
use nasviz::scene::dashboard::SceneError;
use nasviz::scene::plots::PointCache;
use nasviz::scene::{approx_measure, build_dashboard, DashboardOptions, ViewKind};
use nasviz::trace::jsonl::read_trace_from;
use nasviz::trace::{Run, RunInfo, Trial, TrialMetrics};

fn opts(view: ViewKind) -> DashboardOptions {
    DashboardOptions {
        view,
        ..DashboardOptions::default()
    }
}

fn run_of(trials: Vec<Trial>) -> Run {
    let mut r = Run::new(RunInfo {
        run_id: "t".into(),
        strategy: "random_search".into(),
        space: "sequential".into(),
        benchmark: String::new(),
        seed: None,
        objectives: vec![],
        config: None,
    });
    for t in trials {
        r.push(t).unwrap();
    }
    r
}

fn trial(i: u64, layers: &[&str], val: f64, test: f64) -> Trial {
    Trial::new(
        i,
        Arch::Sequential(LayerList::new(layers.iter().map(|s| s.to_string()).collect()).unwrap()),
        TrialMetrics {
            val_acc: val,
            test_acc: test,
            train_time_s: None,
            params: None,
            flops: None,
            latency_s: None,
        },
    )
}

fn all_text(d: &nasviz::scene::dashboard::Dashboard) -> String {
    let mut s = String::new();
    for t in &d.chrome.texts {
        s.push_str(&t.text);
        s.push('\n');
    }
    for (_, v) in &d.views {
        for t in &v.texts {
            s.push_str(&t.text);
            s.push('\n');
        }
    }
    s
}

fn build(
    run: &Run,
    step: usize,
    view: ViewKind,
) -> Result<(nasviz::scene::dashboard::Dashboard, PointCache), SceneError> {
    let a = Analytics::of_run(run);
    let mut cache = PointCache::new();
    let mut m = approx_measure;
    let d = build_dashboard(run, &a, step, &opts(view), &mut cache, &mut m)?;
    Ok((d, cache))
}

#[test]
fn edge_cases_build_without_panic() {
    // no trials: an empty-state message in every view
    let empty = run_of(vec![]);
    let (d, _) = build(&empty, 0, ViewKind::Dashboard).unwrap();
    assert!(all_text(&d).contains("No trials yet"));
    // one trial
    let one = run_of(vec![trial(0, &["input", "conv", "output"], 0.5, 0.4)]);
    let (d, cache) = build(&one, 0, ViewKind::Dashboard).unwrap();
    assert_eq!(cache.scatter.len(), 1);
    assert!(all_text(&d).contains("1 of 1"));
    // all-equal accuracies
    let flat = run_of(
        (0..50)
            .map(|i| trial(i, &["input", "a", "output"], 0.7, 0.7))
            .collect(),
    );
    let (_, cache) = build(&flat, 49, ViewKind::Dashboard).unwrap();
    assert_eq!(cache.scatter.len(), 50);
    assert!(cache.scatter.iter().all(|c| c.is_valid()));
    // NaN metrics (only possible through the API): no panic, the trial is
    // not drawn inside the range
    let mut bad = trial(1, &["input", "b", "output"], 0.6, 0.6);
    bad.metrics.val_acc = f64::NAN;
    let nan = run_of(vec![trial(0, &["input", "a", "output"], 0.5, 0.5), bad]);
    build(&nan, 1, ViewKind::Dashboard).unwrap();
    // a 1,000-layer architecture
    let mut layers = vec!["input".to_string()];
    layers.extend((0..998).map(|i| format!("l{}", i % 7)));
    layers.push("output".into());
    let long: Vec<&str> = layers.iter().map(String::as_str).collect();
    let big = run_of(vec![
        trial(0, &long, 0.5, 0.5),
        trial(1, &long[..500], 0.6, 0.6),
    ]);
    let (d, _) = build(&big, 1, ViewKind::Dag).unwrap();
    assert!(!d.views[0].1.mesh.is_empty());
    // a step past the end is a clear error
    let e = build(&flat, 50, ViewKind::Dashboard).err().unwrap();
    assert_eq!(
        e.to_string(),
        "step 50 is past the end: run \"t\" has 50 trials (steps 0 to 49)"
    );
    // too small a target
    let a = Analytics::of_run(&flat);
    let mut o = opts(ViewKind::Dashboard);
    o.width = 100;
    let mut m = approx_measure;
    assert!(build_dashboard(&flat, &a, 0, &o, &mut PointCache::new(), &mut m).is_err());
}

#[test]
fn the_summary_shows_the_step_analytics() {
    let (trace, _) = read_trace_from(nasviz::export::DEMO_EVOLUTION.as_bytes(), "demo").unwrap();
    let run = &trace.runs[0];
    let (d, _) = build(run, 300, ViewKind::Table).unwrap();
    let text = all_text(&d);
    let a = Analytics::of_run(run);
    let st = a.step(300).unwrap();
    assert!(text.contains("301 of 2,000"), "{text}");
    assert!(
        text.contains(&nasviz::scene::fmt_pp(st.val_delta.unwrap())),
        "{text}"
    );
    assert!(
        text.contains(&format!("trial {}", run.trials.at(st.best).trial_id)),
        "{text}"
    );
    let e = st.most_effective.unwrap();
    assert!(
        text.contains(&nasviz::scene::theme::op_label(a.op_name(e.op))),
        "{text}"
    );
}

#[test]
fn step_changes_are_incremental() {
    let (trace, _) = read_trace_from(nasviz::export::DEMO_RANDOM.as_bytes(), "demo").unwrap();
    let run = &trace.runs[0];
    let a = Analytics::of_run(run);
    let mut cache = PointCache::new();
    let mut m = approx_measure;
    let o = opts(ViewKind::Dashboard);
    build_dashboard(run, &a, 1000, &o, &mut cache, &mut m).unwrap();
    assert_eq!(cache.scatter.len(), 1001);
    let before: Vec<_> = cache.scatter[..900].to_vec();
    build_dashboard(run, &a, 899, &o, &mut cache, &mut m).unwrap();
    assert_eq!(cache.scatter.len(), 900);
    assert_eq!(cache.scatter, before);
    build_dashboard(run, &a, 1999, &o, &mut cache, &mut m).unwrap();
    assert_eq!(cache.scatter.len(), 2000);
    // the same as building from scratch
    let mut fresh = PointCache::new();
    build_dashboard(run, &a, 1999, &o, &mut fresh, &mut m).unwrap();
    assert_eq!(fresh.scatter, cache.scatter);
    assert_eq!(fresh.line, cache.line);
}

#[test]
fn full_range_leaves_no_trial_outside() {
    let (trace, _) = read_trace_from(nasviz::export::DEMO_EVOLUTION.as_bytes(), "demo").unwrap();
    let run = &trace.runs[0];
    let a = Analytics::of_run(run);
    let mut m = approx_measure;
    let mut o = opts(ViewKind::Scatter);
    let mut dense = PointCache::new();
    build_dashboard(run, &a, 1999, &o, &mut dense, &mut m).unwrap();
    assert!(dense.outside > 0);
    o.full_range = true;
    let mut full = PointCache::new();
    build_dashboard(run, &a, 1999, &o, &mut full, &mut m).unwrap();
    assert_eq!(full.outside, 0);
}
