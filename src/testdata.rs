//! Generated test data shared by the tests, `benches/` and `nasviz bench`:
//! search traces, Optuna journals, NB-101 cells and circle clouds, each
//! deterministic for its arguments. Not part of the stable API.

use crate::arch::nb101::Cell;
use crate::rng::Rng;
use crate::table::nbgraph::NbGraphTable;

/// `n` random valid NB-101 cells (as NAS-Bench-101's random search draws
/// them), deterministic for `seed`.
pub fn random_nb101_cells(n: usize, seed: u64) -> Vec<Cell> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| Cell::random(&mut rng)).collect()
}

/// Writes a native trace of `n` trials (regularized evolution on the
/// shipped NAS-Bench-Graph Cora table, seed 0) to `path`, atomically
/// (through a temporary file beside it).
pub fn write_trace_file(path: &std::path::Path, n: usize) -> Result<(), String> {
    let bench = crate::search::NbGraphBench::new(NbGraphTable::cora().map_err(|e| e.to_string())?);
    crate::fsutil::write_atomic_with(path, false, |w| {
        crate::search::write_search(
            &bench,
            crate::search::Strategy::EVOLUTION,
            n,
            0,
            "re-0",
            w,
            |_| {},
        )
        .map(|_| ())
        .map_err(std::io::Error::other)
    })
    .map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes an Optuna journal of `n` NAS-Bench-201 trials as Optuna 5 does
/// (create, six categorical edge parameters, a user attribute, the
/// completion: nine lines a trial).
pub fn write_optuna_journal(path: &std::path::Path, n: usize) -> Result<(), String> {
    use std::io::Write;
    let ops = [
        "none",
        "skip_connect",
        "nor_conv_1x1",
        "nor_conv_3x3",
        "avg_pool_3x3",
    ];
    let edges = ["1<-0", "2<-0", "2<-1", "3<-0", "3<-1", "3<-2"];
    let dist =
        serde_json::json!({"name": "CategoricalDistribution", "attributes": {"choices": ops}})
            .to_string();
    let dist = serde_json::to_string(&dist).map_err(|e| e.to_string())?;
    let w = "c21f6917-9e3f-4f2a-9c32-4e2074c4e17d-139752799968128";
    let f = std::fs::File::create(path).map_err(|e| e.to_string())?;
    let mut out = std::io::BufWriter::new(f);
    let mut rng = Rng::new(7);
    let io = |e: std::io::Error| e.to_string();
    writeln!(
        out,
        r#"{{"op_code":0,"worker_id":"{w}","study_name":"bench","directions":[2]}}"#
    )
    .map_err(io)?;
    for t in 0..n {
        writeln!(out, r#"{{"op_code":4,"worker_id":"{w}","study_id":0,"datetime_start":"2026-11-30T13:34:54.024964+00:00"}}"#).map_err(io)?;
        for e in edges {
            writeln!(out, r#"{{"op_code":5,"worker_id":"{w}","trial_id":{t},"param_name":"{e}","param_value_internal":{},"distribution":{dist}}}"#, rng.below(5)).map_err(io)?;
        }
        let (v, x) = (
            0.5 + rng.below(4000) as f64 / 10_000.0,
            0.5 + rng.below(4000) as f64 / 10_000.0,
        );
        writeln!(
            out,
            r#"{{"op_code":8,"worker_id":"{w}","trial_id":{t},"user_attr":{{"test_acc":{x}}}}}"#
        )
        .map_err(io)?;
        writeln!(out, r#"{{"op_code":6,"worker_id":"{w}","trial_id":{t},"state":1,"values":[{v}],"datetime_complete":"2026-11-30T13:35:54.024964+00:00"}}"#).map_err(io)?;
    }
    out.flush().map_err(io)
}

/// `n` circles scattered uniformly over a `w`x`h` target, radius 1.5–3 px,
/// alpha 200/255, two colours: the scene of the render benchmark.
pub fn uniform_circles(n: usize, w: u32, h: u32) -> Vec<crate::render::Circle> {
    use crate::render::{Circle, Color};
    let mut s: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 40) as f32 / (1u64 << 24) as f32
    };
    (0..n)
        .map(|i| {
            let x = w as f32 * (0.02 + 0.96 * next());
            let y = h as f32 * (0.02 + 0.96 * next());
            let fill = if i % 2 == 0 {
                Color::rgba(31, 119, 180, 200)
            } else {
                Color::rgba(255, 127, 14, 200)
            };
            Circle::new([x, y], 1.5 + 1.5 * next(), fill)
        })
        .collect()
}

/// The 100 circles moving over a cached layer in frame `f` of the render
/// benchmark (on a circle of radius 300 around (640, 400)).
pub fn moving_circles(f: usize) -> Vec<crate::render::Circle> {
    use crate::render::{Circle, Color};
    (0..100)
        .map(|i| {
            let a = f as f32 * 0.05 + i as f32 * 0.0628;
            Circle::new(
                [640.0 + 300.0 * a.cos(), 400.0 + 300.0 * a.sin()],
                6.0,
                Color::hex(0xd62728),
            )
            .with_stroke(Color::BLACK, 1.5)
        })
        .collect()
}

/// `n` circles spread like a search's accuracies (crowded near the top,
/// with a tail), sized as the scatter sizes them at that count.
pub fn accuracy_like_circles(n: usize, seed: u64) -> Vec<crate::render::Circle> {
    let mut rng = Rng::new(seed);
    let mut acc = || {
        // a sum of uniforms, skewed towards 1
        let s = (0..4).map(|_| rng.unit()).sum::<f64>() / 4.0;
        (1.0 - (1.0 - s).powi(2)) as f32
    };
    (0..n)
        .map(|_| {
            let (v, t) = (acc(), acc());
            crate::render::Circle::new([v, t], 1.2 + 0.3 * t, crate::render::Color::WHITE)
        })
        .collect()
}

/// An evolution run of `n` trials on the shipped Cora table (parents,
/// edits and costs: what the insight views read).
pub fn evolution_run(n: usize) -> Result<crate::trace::Run, String> {
    let bench = crate::search::NbGraphBench::new(NbGraphTable::cora().map_err(|e| e.to_string())?);
    let strategy = crate::search::Strategy::Evolution {
        population: 50,
        sample: 10,
    };
    let mut session =
        crate::search::Session::new(&bench, strategy, 0, "re-large").map_err(|e| e.to_string())?;
    for _ in 0..n {
        session.step().map_err(|e| e.to_string())?;
    }
    Ok(session.into_run())
}
