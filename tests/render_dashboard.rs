//! Golden images of the dashboard views on the demo runs and on an
//! imported NAS-Bench-201 run.

mod common;

use nasviz::analysis::Analytics;
use nasviz::render::{Renderer, TARGET_FORMAT};
use nasviz::scene::{DashboardOptions, ViewKind};
use nasviz::trace::jsonl::read_trace_from;
use nasviz::trace::Run;
use std::path::PathBuf;

fn demo(evolution: bool) -> Run {
    let text = if evolution {
        nasviz::export::DEMO_EVOLUTION
    } else {
        nasviz::export::DEMO_RANDOM
    };
    let (mut t, _) = read_trace_from(text.as_bytes(), "demo").unwrap();
    t.runs.remove(0)
}

fn options(view: ViewKind, width: u32, height: u32) -> DashboardOptions {
    DashboardOptions {
        view,
        width,
        height,
        ..DashboardOptions::default()
    }
}

/// Renders `step` of `run` (beside `other`, if any) and compares it with
/// the golden image `name`.
fn shot_with(name: &str, run: &Run, other: Option<&Run>, step: usize, opts: &DashboardOptions) {
    let ctx = gpu_or_skip!(name);
    let mut r = Renderer::new(ctx, TARGET_FORMAT);
    let a = Analytics::of_run(run);
    let b = other.map(Analytics::of_run);
    let o = other.zip(b.as_ref());
    let img = nasviz::export::render_comparison(ctx, &mut r, run, &a, o, step, opts).unwrap();
    // text anti-aliasing may differ by a few pixels between drivers
    common::assert_snapshot(name, &img, (opts.width * opts.height / 2000) as usize);
}

fn shot(name: &str, run: &Run, step: usize, view: ViewKind, w: u32, h: u32) {
    shot_with(name, run, None, step, &options(view, w, h));
}

/// An imported NASLib NB-201 run from `../shared/data`, or `None` after a
/// SKIP line.
fn shared_nb201(rel: &str) -> Option<Run> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/nb201-naslib-traces/raw")
        .join(rel);
    if !p.exists() {
        eprintln!(
            "SKIP: {} not found; this test needs ../shared/data",
            p.display()
        );
        return None;
    }
    Some(nasviz::trace::import::naslib_nb201(&p, None, None).unwrap())
}

#[test]
fn dashboard_evolution_step_300() {
    shot(
        "dashboard_evolution_300",
        &demo(true),
        300,
        ViewKind::Dashboard,
        1280,
        800,
    );
}

#[test]
fn dashboard_random_last_step() {
    shot(
        "dashboard_random_1999",
        &demo(false),
        1999,
        ViewKind::Dashboard,
        1280,
        800,
    );
}

#[test]
fn dashboard_small_window() {
    shot(
        "dashboard_evolution_1500_800x600",
        &demo(true),
        1500,
        ViewKind::Dashboard,
        800,
        600,
    );
}

#[test]
fn single_views() {
    let run = demo(true);
    shot("view_dag_evolution_120", &run, 120, ViewKind::Dag, 481, 357);
    shot(
        "view_scatter_evolution_1999",
        &run,
        1999,
        ViewKind::Scatter,
        640,
        480,
    );
    shot(
        "view_line_evolution_1999",
        &run,
        1999,
        ViewKind::Line,
        640,
        301,
    );
    shot(
        "view_table_evolution_777",
        &run,
        777,
        ViewKind::Table,
        520,
        300,
    );
}

#[test]
fn dashboard_of_an_imported_nb201_run() {
    let Some(run) = shared_nb201("RE/errors_0.json") else {
        return;
    };
    shot(
        "dashboard_nb201_re0_150",
        &run,
        150,
        ViewKind::Dashboard,
        1280,
        800,
    );
}

#[test]
fn line_chart_over_simulated_time() {
    let Some(run) = shared_nb201("RS/errors_0.json") else {
        return;
    };
    let opts = DashboardOptions {
        x_time: true,
        ..options(ViewKind::Line, 640, 300)
    };
    shot_with("view_line_nb201_rs0_time", &run, None, 199, &opts);
}

#[test]
fn edge_cases_render_without_panic() {
    use nasviz::arch::sequential::LayerList;
    use nasviz::arch::Arch;
    use nasviz::trace::{RunInfo, Trial, TrialMetrics};
    let ctx = gpu_or_skip!("edge_cases_render_without_panic");
    let mut r = Renderer::new(ctx, TARGET_FORMAT);
    let info = RunInfo {
        run_id: "edge".into(),
        strategy: "random_search".into(),
        space: "sequential".into(),
        benchmark: String::new(),
        seed: None,
        objectives: vec![],
        config: None,
    };
    let metrics = |v: f64| TrialMetrics {
        val_acc: v,
        test_acc: v,
        train_time_s: None,
        params: None,
        flops: None,
        latency_s: None,
    };
    let mut layers = vec!["input".to_string()];
    layers.extend((0..998).map(|i| format!("l{}", i % 5)));
    layers.push("output".into());
    let cases: Vec<Vec<Trial>> = vec![
        vec![],
        vec![Trial::new(
            0,
            Arch::Sequential(LayerList::new(vec!["input".into(), "output".into()]).unwrap()),
            metrics(0.5),
        )],
        (0..30)
            .map(|i| {
                Trial::new(
                    i,
                    Arch::Sequential(
                        LayerList::new(vec!["input".into(), "x".into(), "output".into()]).unwrap(),
                    ),
                    metrics(0.8),
                )
            })
            .collect(),
        vec![Trial::new(
            0,
            Arch::Sequential(LayerList::new(layers.clone()).unwrap()),
            metrics(0.4),
        )],
    ];
    for (k, trials) in cases.into_iter().enumerate() {
        let mut run = Run::new(info.clone());
        for t in trials {
            run.push(t).unwrap();
        }
        let a = Analytics::of_run(&run);
        let opts = options(ViewKind::Dashboard, 1280, 800);
        let step = run.trials.len().saturating_sub(1);
        let img = nasviz::export::render_image(ctx, &mut r, &run, &a, step, &opts)
            .unwrap_or_else(|e| panic!("case {k}: {e}"));
        // something was drawn: not a single flat colour
        let first = img.pixel(0, 0).unwrap();
        let differs = (0..img.height).step_by(7).any(|y| {
            (0..img.width)
                .step_by(7)
                .any(|x| img.pixel(x, y).unwrap() != first)
        });
        assert!(differs, "case {k} drew nothing");
        // a step past the end is an error, not a picture
        let e = nasviz::export::render_image(ctx, &mut r, &run, &a, run.trials.len() + 3, &opts);
        if !run.trials.is_empty() {
            assert!(e.is_err(), "case {k}");
        }
    }
}

#[test]
fn two_runs_compared() {
    let opts = options(ViewKind::Dashboard, 1280, 800);
    shot_with(
        "dashboard_compare_re_rs_800",
        &demo(true),
        Some(&demo(false)),
        800,
        &opts,
    );
}

#[test]
fn full_range_shows_the_outliers() {
    let opts = DashboardOptions {
        full_range: true,
        ..options(ViewKind::Scatter, 640, 480)
    };
    shot_with(
        "view_scatter_full_range_1999",
        &demo(true),
        None,
        1999,
        &opts,
    );
}

#[test]
fn nb101_cells_from_the_shared_records() {
    use nasviz::arch::nb101::Cell;
    use nasviz::arch::Arch;
    use nasviz::trace::{RunInfo, Trial, TrialMetrics};
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/nb101-naslib-dummy/nb101_dummy_5.json");
    if !p.exists() {
        eprintln!(
            "SKIP: {} not found; this test needs ../shared/data",
            p.display()
        );
        return;
    }
    let recs: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    let mut run = Run::new(RunInfo {
        run_id: "nb101".into(),
        strategy: "random_search".into(),
        space: "nb101".into(),
        benchmark: "nas-bench-101/108-epochs".into(),
        seed: None,
        objectives: vec![],
        config: None,
    });
    for (i, r) in recs.as_array().unwrap().iter().enumerate() {
        let cell = Cell::from_json(r).unwrap();
        let mut t = Trial::new(
            i as u64,
            Arch::Nb101(cell),
            TrialMetrics {
                val_acc: r["derived_mean_final_validation_accuracy"]
                    .as_f64()
                    .unwrap(),
                test_acc: r["derived_mean_final_test_accuracy"].as_f64().unwrap(),
                train_time_s: r["derived_mean_final_training_time"].as_f64(),
                params: r["trainable_parameters"].as_f64(),
                flops: None,
                latency_s: None,
            },
        );
        t.hash = r["hash"].as_str().map(Into::into);
        run.push(t).unwrap();
    }
    shot("view_dag_nb101_3", &run, 3, ViewKind::Dag, 600, 500);
}

/// A search of `n` trials on the shipped Cora table.
fn searched(strategy: nasviz::search::Strategy, seed: u64, n: usize) -> Run {
    let bench = nasviz::search::NbGraphBench::new(
        nasviz::table::nbgraph::NbGraphTable::cora().expect("the shipped Cora table"),
    );
    let mut s = nasviz::search::Session::new(&bench, strategy, seed, "x").expect("session");
    for _ in 0..n {
        s.step().expect("step");
    }
    s.into_run()
}

/// The scatter at 2,000, 50,000 and 423,624 trials: circles while they
/// can be told apart, trials per pixel (density) when they crowd, and
/// density asked for at 50,000.
#[test]
fn scatter_circles_and_density_by_size() {
    use nasviz::scene::density::ScatterMode;
    use nasviz::search::Strategy;
    let scatter = |mode| DashboardOptions {
        scatter_mode: mode,
        ..options(ViewKind::Scatter, 640, 420)
    };
    let demo_run = demo(true);
    shot_with(
        "scatter_auto_2000_640x420",
        &demo_run,
        None,
        1999,
        &scatter(ScatterMode::Auto),
    );
    let mid = searched(Strategy::EVOLUTION, 0, 50_000);
    shot_with(
        "scatter_density_50000_640x420",
        &mid,
        None,
        49_999,
        &scatter(ScatterMode::Density),
    );
    let big = searched(Strategy::Random, 0, 423_624);
    shot_with(
        "scatter_auto_423624_640x420",
        &big,
        None,
        423_623,
        &scatter(ScatterMode::Auto),
    );
    // the whole dashboard at that size: the line chart as per-column bars
    shot_with(
        "dashboard_auto_423624_1280x800",
        &big,
        None,
        423_623,
        &options(ViewKind::Dashboard, 1280, 800),
    );
}

#[test]
fn insight_views() {
    use nasviz::scene::insight::InsightKind;
    let run = demo(true);
    for k in InsightKind::ALL {
        shot(
            &format!("view_{}_evolution_1999", k.name()),
            &run,
            1999,
            ViewKind::Insight(k),
            1280,
            800,
        );
    }
    // a run with no parents says so; its front and importance still draw
    let rs = demo(false);
    shot(
        "view_lineage_random_1999",
        &rs,
        1999,
        ViewKind::Insight(InsightKind::Lineage),
        640,
        400,
    );
    shot(
        "view_importance_random_15",
        &rs,
        15,
        ViewKind::Insight(InsightKind::Importance),
        640,
        400,
    );
}

/// NASLib's random search and regularized evolution on NAS-Bench-201
/// CIFAR-10, five seeds each, in the strategies view (by step and by
/// simulated time).
#[test]
fn strategies_view_on_naslib_seeds() {
    use nasviz::scene::insight::{InsightKind, InsightOptions, StrategyCurves};
    let mut runs = Vec::new();
    for s in ["RE", "RS"] {
        for i in 0..5 {
            match shared_nb201(&format!("{s}/errors_{i}.json")) {
                Some(r) => runs.push(r),
                None => return,
            }
        }
    }
    let refs: Vec<&Run> = runs.iter().collect();
    let curves = std::sync::Arc::new(StrategyCurves::of(&refs, None).unwrap());
    assert_eq!(curves.stats.groups.len(), 2);
    for (name, x_time) in [
        ("view_strategies_naslib_nb201", false),
        ("view_strategies_naslib_nb201_time", true),
    ] {
        let opts = DashboardOptions {
            insight: InsightOptions {
                strategies: Some(curves.clone()),
                x_time,
                ..InsightOptions::default()
            },
            ..options(ViewKind::Insight(InsightKind::Strategies), 1280, 800)
        };
        shot_with(name, &runs[0], None, 199, &opts);
    }
}
