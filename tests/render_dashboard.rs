//! Golden images of the dashboard views on the demo runs and on an
//! imported NAS-Bench-201 run.

mod common;

use nasviz::analysis::Analytics;
use nasviz::render::{Renderer, TARGET_FORMAT};
use nasviz::scene::{DashboardOptions, Theme, ViewKind};
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

fn shot(name: &str, run: &Run, step: usize, view: ViewKind, w: u32, h: u32) {
    let ctx = gpu_or_skip!(name);
    let mut r = Renderer::new(ctx, TARGET_FORMAT);
    let a = Analytics::of_run(run);
    let opts = DashboardOptions {
        view,
        width: w,
        height: h,
        theme: Theme::default(),
        x_time: false,
        full_range: false,
    };
    let img = nasviz::export::render_image(ctx, &mut r, run, &a, step, &opts).unwrap();
    // text anti-aliasing may differ by a few pixels between drivers
    common::assert_snapshot(name, &img, (w * h / 500) as usize);
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
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/nb201-naslib-traces/raw/RE/errors_0.json");
    if !p.exists() {
        eprintln!(
            "SKIP: {} not found; this test needs ../shared/data",
            p.display()
        );
        return;
    }
    let run = nasviz::trace::import::naslib_nb201(&p, None, None).unwrap();
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
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/nb201-naslib-traces/raw/RS/errors_0.json");
    if !p.exists() {
        eprintln!(
            "SKIP: {} not found; this test needs ../shared/data",
            p.display()
        );
        return;
    }
    let run = nasviz::trace::import::naslib_nb201(&p, None, None).unwrap();
    let ctx = gpu_or_skip!("line_chart_over_simulated_time");
    let mut r = Renderer::new(ctx, TARGET_FORMAT);
    let a = Analytics::of_run(&run);
    let opts = DashboardOptions {
        view: ViewKind::Line,
        width: 640,
        height: 300,
        theme: Theme::default(),
        x_time: true,
        full_range: false,
    };
    let img = nasviz::export::render_image(ctx, &mut r, &run, &a, 199, &opts).unwrap();
    common::assert_snapshot("view_line_nb201_rs0_time", &img, 640 * 300 / 500);
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
        let opts = DashboardOptions {
            view: ViewKind::Dashboard,
            width: 1280,
            height: 800,
            theme: Theme::default(),
            x_time: false,
            full_range: false,
        };
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
    let ctx = gpu_or_skip!("two_runs_compared");
    let mut r = Renderer::new(ctx, TARGET_FORMAT);
    let (re, rs) = (demo(true), demo(false));
    let (a, b) = (Analytics::of_run(&re), Analytics::of_run(&rs));
    let opts = DashboardOptions {
        view: ViewKind::Dashboard,
        width: 1280,
        height: 800,
        theme: Theme::default(),
        x_time: false,
        full_range: false,
    };
    let img = nasviz::export::render_comparison(ctx, &mut r, &re, &a, Some((&rs, &b)), 800, &opts)
        .unwrap();
    common::assert_snapshot("dashboard_compare_re_rs_800", &img, 1280 * 800 / 500);
}

#[test]
fn full_range_shows_the_outliers() {
    let ctx = gpu_or_skip!("full_range_shows_the_outliers");
    let mut r = Renderer::new(ctx, TARGET_FORMAT);
    let run = demo(true);
    let a = Analytics::of_run(&run);
    let opts = DashboardOptions {
        view: ViewKind::Scatter,
        width: 640,
        height: 480,
        theme: Theme::default(),
        x_time: false,
        full_range: true,
    };
    let img = nasviz::export::render_image(ctx, &mut r, &run, &a, 1999, &opts).unwrap();
    common::assert_snapshot("view_scatter_full_range_1999", &img, 640 * 480 / 500);
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
        t.hash = r["hash"].as_str().map(str::to_string);
        run.push(t).unwrap();
    }
    shot("view_dag_nb101_3", &run, 3, ViewKind::Dag, 600, 500);
}
