//! Scene rebuild when only the step changes, on a 423,624-trial run (the
//! size of NAS-Bench-101): `cargo bench --bench scene`. Goal: <= 5 ms.

use nasviz::analysis::Analytics;
use nasviz::scene::plots::PointCache;
use nasviz::scene::{approx_measure, build_dashboard, DashboardOptions};
use nasviz::search::{NbGraphBench, Session, Strategy};
use nasviz::table::nbgraph::NbGraphTable;
use std::time::Instant;

fn main() {
    let n: usize = std::env::var("NASVIZ_BENCH_TRIALS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(423_624);
    let table = match NbGraphTable::cora() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let bench = NbGraphBench::new(table);
    let t = Instant::now();
    let Ok(mut s) = Session::new(&bench, Strategy::EVOLUTION, 0, "re-0") else {
        std::process::exit(1);
    };
    if let Err(e) = s.run_n(n) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
    let run = s.into_run();
    let analytics = Analytics::of_run(&run);
    eprintln!(
        "generated {} trials in {:.2} s",
        run.trials.len(),
        t.elapsed().as_secs_f64()
    );
    let opts = DashboardOptions::default();
    let mut cache = PointCache::new();
    let mut measure = approx_measure;
    let t = Instant::now();
    let start = n / 2;
    if let Err(e) = build_dashboard(&run, &analytics, start, &opts, &mut cache, &mut measure) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
    println!(
        "first build (all {} points up to step {start}): {:.1} ms",
        nasviz::fmt::fmt_int(start + 1),
        t.elapsed().as_secs_f64() * 1e3
    );
    // animation: one step at a time, forwards and back
    let mut times = Vec::new();
    for k in 1..=200usize {
        let step = if k <= 100 { start + k } else { start + 200 - k };
        let t = Instant::now();
        let d = build_dashboard(&run, &analytics, step, &opts, &mut cache, &mut measure);
        times.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(d.is_ok());
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let p95 = times[times.len() * 95 / 100];
    println!(
        "scene rebuild on a step change, {} trials: median {median:.2} ms, p95 {p95:.2} ms   goal <= 5 ms: {}",
        nasviz::fmt::fmt_int(n),
        if median <= 5.0 { "met" } else { "NOT met" }
    );
}
