//! Measurements behind `nasviz bench` and `benches/` (which include this
//! module by path): each returns what it measured so that the figures can
//! be printed or checked against goals. The data they measure on comes from
//! `nasviz::testdata`.

mod views;
pub use views::{insight_figures, strategies_figures, viewer_figures};

use nasviz::arch::nb101::Cell;
use nasviz::rng::Rng;
use nasviz::table::nbgraph::NbGraphTable;
use nasviz::testdata::{
    accuracy_like_circles, moving_circles, random_nb101_cells, uniform_circles,
    write_optuna_journal, write_trace_file,
};
use std::time::Instant;

/// One measured figure.
#[derive(Clone, Debug)]
pub struct Figure {
    pub name: String,
    pub value: f64,
    pub unit: &'static str,
    /// The goal, and whether higher is better.
    pub goal: Option<(f64, bool)>,
}

/// Pushes the median of a time (against `goal`, lower is better) and its
/// 99th percentile, named `what, median` and `what, 99th percentile`.
fn push_median_p99(figs: &mut Vec<Figure>, what: &str, (med, p99): (f64, f64), goal: f64) {
    figs.push(Figure {
        name: format!("{what}, median"),
        value: med,
        unit: "ms",
        goal: Some((goal, false)),
    });
    figs.push(Figure {
        name: format!("{what}, 99th percentile"),
        value: p99,
        unit: "ms",
        goal: None,
    });
}

impl std::fmt::Display for Figure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:<44} {:>14.3} {}", self.name, self.value, self.unit)?;
        if let Some((goal, higher)) = self.goal {
            let met = if higher {
                self.value >= goal
            } else {
                self.value <= goal
            };
            let cmp = if higher { ">=" } else { "<=" };
            write!(
                f,
                "   goal {cmp} {goal} {}: {}",
                self.unit,
                if met { "met" } else { "NOT met" }
            )?;
        }
        Ok(())
    }
}

/// Canonical hashing (prune + module hash) throughput on one core, in
/// cells per second, over `cells` repeated for about `seconds`.
pub fn nb101_hash_rate(cells: &[Cell], seconds: f64) -> f64 {
    let start = Instant::now();
    let mut done = 0usize;
    let mut sink = 0u8;
    while done == 0 || start.elapsed().as_secs_f64() < seconds {
        for c in cells {
            if let Ok(h) = c.hash() {
                sink ^= h.0[0];
            }
        }
        done += cells.len();
    }
    std::hint::black_box(sink);
    done as f64 / start.elapsed().as_secs_f64()
}

/// Like [`nb101_hash_rate`] but through the batch API
/// ([`nasviz::arch::nb101::hash_many`]).
pub fn nb101_hash_many_rate(cells: &[Cell], seconds: f64) -> f64 {
    let start = Instant::now();
    let mut done = 0usize;
    let mut sink = 0u8;
    while done == 0 || start.elapsed().as_secs_f64() < seconds {
        for h in nasviz::arch::nb101::hash_many(cells).into_iter().flatten() {
            sink ^= h.0[0];
        }
        done += cells.len();
    }
    std::hint::black_box(sink);
    done as f64 / start.elapsed().as_secs_f64()
}

/// Milliseconds to load the embedded NAS-Bench-Graph Cora table: the
/// median of `runs` loads.
pub fn cora_load_ms(runs: usize) -> Result<f64, nasviz::table::TableError> {
    let mut times = Vec::with_capacity(runs.max(1));
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let table = NbGraphTable::cora()?;
        std::hint::black_box(table.len());
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// The peak resident memory of this process so far, in bytes (Linux;
/// `None` elsewhere).
pub fn peak_rss() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Seconds to read the trace at `path` (median of `runs`), and the trace.
pub fn trace_read_seconds(
    path: &std::path::Path,
    runs: usize,
) -> Result<(f64, nasviz::trace::Trace), String> {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs.max(1) {
        // one trace alive at a time
        drop(last.take());
        let t = Instant::now();
        let (trace, _) = nasviz::trace::jsonl::read_trace(path).map_err(|e| e.to_string())?;
        times.push(t.elapsed().as_secs_f64());
        last = Some(trace);
    }
    times.sort_by(f64::total_cmp);
    let trace = last.ok_or("no run")?;
    Ok((times[times.len() / 2], trace))
}

/// Seconds to append every trial of `run`, one by one, through the step
/// analytics.
pub fn analytics_append_seconds(run: &nasviz::trace::Run) -> f64 {
    let t = Instant::now();
    let mut a = nasviz::analysis::Analytics::new();
    for _ in 0..run.trials.len() {
        a.push(run);
    }
    std::hint::black_box(a.len());
    t.elapsed().as_secs_f64()
}

/// The best of three reopenings of `path` through its binary cache (made
/// first, in a temporary folder).
pub fn cache_reopen_seconds(path: &std::path::Path) -> Result<f64, String> {
    use nasviz::trace::cache::{read_with, CacheOptions, CacheUse};
    let dir = std::env::temp_dir().join(format!("nasviz-bench-cache-{}", std::process::id()));
    let opts = CacheOptions {
        dir: Some(dir.clone()),
        min_bytes: 0,
    };
    let result = (|| {
        read_with(path, &opts).map_err(|e| e.to_string())?;
        let mut best = f64::INFINITY;
        for _ in 0..3 {
            let t = Instant::now();
            let (trace, _, used) = read_with(path, &opts).map_err(|e| e.to_string())?;
            best = best.min(t.elapsed().as_secs_f64());
            if used != CacheUse::Hit {
                return Err(format!("the cache was not used: {used:?}"));
            }
            std::hint::black_box(trace.trial_count());
        }
        Ok(best)
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// Trace figures on a generated trace of `n` trials.
pub fn trace_figures(n: usize) -> Result<Vec<Figure>, String> {
    let path = std::env::temp_dir().join(format!("nasviz-bench-{}-{n}.jsonl", std::process::id()));
    write_trace_file(&path, n)?;
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let result = trace_read_seconds(&path, 3);
    let (read, trace) = match result {
        Ok(x) => x,
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
    };
    let run = trace.runs.first().ok_or("empty trace")?;
    let append = analytics_append_seconds(run);
    // the peak of reading, before the cache's reopenings add their own
    let rss = peak_rss();
    let reopen = cache_reopen_seconds(&path);
    let _ = std::fs::remove_file(&path);
    let reopen = reopen?;
    let scale = 1e6 / n as f64;
    let mut figs = vec![
        Figure {
            name: format!("read a trace, {} trials", nasviz::fmt::fmt_int(n)),
            value: n as f64 / read.max(1e-9),
            unit: "trials/s",
            goal: None,
        },
        Figure {
            name: format!("read a trace, {} trials", nasviz::fmt::fmt_int(n)),
            value: bytes as f64 / 1e6 / read.max(1e-9),
            unit: "MB/s",
            goal: None,
        },
    ];
    if let Some(rss) = rss {
        figs.push(Figure {
            name: format!(
                "peak memory after reading {} trials (+ analytics)",
                nasviz::fmt::fmt_int(n)
            ),
            value: rss as f64 / n as f64,
            unit: "bytes/trial",
            goal: Some(((200.0 + 300e6 / n as f64).round(), false)),
        });
    }
    figs.push(Figure {
        name: format!(
            "reopen a trace from its cache, {} trials",
            nasviz::fmt::fmt_int(n)
        ),
        value: n as f64 / reopen.max(1e-9),
        unit: "trials/s",
        goal: None,
    });
    figs.push(Figure {
        name: format!(
            "reopen a trace from its cache, {} trials (trace MB)",
            nasviz::fmt::fmt_int(n)
        ),
        value: bytes as f64 / 1e6 / reopen.max(1e-9),
        unit: "MB/s",
        goal: None,
    });
    figs.push(Figure {
        name: format!(
            "reopen {} trials from the trace's cache, scaled to 1M",
            nasviz::fmt::fmt_int(n)
        ),
        value: reopen * scale,
        unit: "s",
        goal: Some((0.1, false)),
    });
    figs.extend([
        Figure {
            name: format!(
                "read {} trials ({} MB), scaled to 1M",
                nasviz::fmt::fmt_int(n),
                bytes / 1_000_000
            ),
            value: read * scale,
            unit: "s",
            goal: Some((0.5, false)),
        },
        Figure {
            name: "append 1M trials through the analytics".into(),
            value: append * scale,
            unit: "s",
            goal: Some((1.0, false)),
        },
    ]);
    Ok(figs)
}

/// Replaying a generated Optuna journal of `n` trials into runs.
pub fn optuna_figures(n: usize) -> Result<Vec<Figure>, String> {
    let path =
        std::env::temp_dir().join(format!("nasviz-bench-{}-{n}.journal", std::process::id()));
    write_optuna_journal(&path, n)?;
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let t = Instant::now();
    let r =
        nasviz::trace::open::read_storage_of(&path, nasviz::trace::open::Kind::OptunaJournal, None)
            .map_err(|e| e.to_string());
    let secs = t.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&path);
    let drawn = r?.trace().trial_count();
    if drawn != n {
        return Err(format!("the journal's {n} trials gave {drawn}"));
    }
    Ok(vec![Figure {
        name: format!(
            "replay an Optuna journal, {} trials ({} MB), scaled to 100k",
            nasviz::fmt::fmt_int(n),
            bytes / 1_000_000
        ),
        value: secs * 1e5 / n as f64,
        unit: "s",
        goal: Some((1.0, false)),
    }])
}

/// Every foundation measurement, spending about `seconds` on each.
pub fn run_all(seconds: f64) -> Result<Vec<Figure>, String> {
    // 20,000 random valid cells, as NAS-Bench-101's random search draws them
    let cells = random_nb101_cells(20_000, 101);
    let rate = nb101_hash_rate(&cells, seconds);
    let batch = nb101_hash_many_rate(&cells, seconds);
    let load =
        cora_load_ms(((seconds * 50.0) as usize).clamp(5, 200)).map_err(|e| e.to_string())?;
    let trials = std::env::var("NASVIZ_BENCH_TRIALS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let mut figures = vec![
        Figure {
            name: "NB-101 canonical hash, one cell at a time".into(),
            value: rate,
            unit: "cells/s",
            goal: Some((1e6, true)),
        },
        Figure {
            name: "NB-101 canonical hash, batches (hash_many)".into(),
            value: batch,
            unit: "cells/s",
            goal: Some((1e6, true)),
        },
        Figure {
            name: "load NAS-Bench-Graph Cora table".into(),
            value: load,
            unit: "ms",
            goal: Some((20.0, false)),
        },
    ];
    figures.extend(trace_figures(trials)?);
    figures.extend(optuna_figures(100_000)?);
    let viewer_trials = std::env::var("NASVIZ_BENCH_VIEWER_TRIALS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(423_624);
    figures.extend(pick_figures(1_000_000));
    figures.extend(render_figures()?);
    figures.extend(viewer_figures(viewer_trials, 1_000_000, 120)?);
    figures.extend(insight_figures(trials, 60)?);
    figures.extend(strategies_figures(100, 10_000, 60)?);
    Ok(figures)
}

/// Renderer figures at 1280x800 on the offscreen (software-first) adapter:
/// a full redraw of a scatter drawn as circles at 423,624 and 10^6 points
/// (the default path, median of 3 after a warm-up), and a frame over a
/// cached layer of 10^6 points with 100 moving circles on top.
pub fn render_figures() -> Result<Vec<Figure>, String> {
    use nasviz::render::{
        AdapterChoice, CachedLayer, Color, GpuContext, OffscreenTarget, Panel, Renderer, Scene,
        SizeMode, TARGET_FORMAT,
    };
    let (w, h) = (1280, 800);
    let ctx = GpuContext::headless(AdapterChoice::software_first().with_env())
        .map_err(|e| e.to_string())?;
    let adapter = ctx.adapter_name();
    let target = OffscreenTarget::new(&ctx, w, h).map_err(|e| e.to_string())?;
    let mut r = Renderer::new(&ctx, TARGET_FORMAT);
    let panel = Panel::full(w, h);
    let frame = |r: &mut Renderer, scene: &Scene<'_>| -> Result<f64, String> {
        let t = Instant::now();
        r.render(&ctx, target.view(), target.size(), scene)
            .map_err(|e| e.to_string())?;
        ctx.wait().map_err(|e| e.to_string())?;
        Ok(t.elapsed().as_secs_f64())
    };
    let mut figs = Vec::new();
    for (n, goal) in [(423_624, 0.10), (1_000_000, 0.25)] {
        let circles = uniform_circles(n, w, h);
        let mut scene = Scene::new(Some(Color::WHITE));
        scene.circles(0, panel, &circles, SizeMode::Pixels);
        frame(&mut r, &scene)?;
        let mut times = (0..3)
            .map(|_| frame(&mut r, &scene))
            .collect::<Result<Vec<_>, _>>()?;
        times.sort_by(f64::total_cmp);
        figs.push(Figure {
            name: format!(
                "full scatter redraw, circle mode, {} circles ({adapter})",
                nasviz::fmt::fmt_int(n)
            ),
            value: times[1],
            unit: "s",
            goal: Some((goal, false)),
        });
    }
    let circles = uniform_circles(1_000_000, w, h);
    let mut layer = CachedLayer::new(&ctx, &r.compositor, w, h).map_err(|e| e.to_string())?;
    let mut content = Scene::new(None);
    content.circles(0, panel, &circles, SizeMode::Pixels);
    r.render_layer(&ctx, &mut layer, &content)
        .map_err(|e| e.to_string())?;
    let mut times = Vec::new();
    for f in 0..21 {
        let moving = moving_circles(f);
        let mut scene = Scene::new(Some(Color::WHITE));
        scene.cached(0, &layer);
        scene.circles(1, panel, &moving, SizeMode::Pixels);
        let t = frame(&mut r, &scene)?;
        if f > 0 {
            times.push(t * 1e3);
        }
    }
    figs.push(Figure {
        name: "cached-layer frame, 1,000,000 circles + 100 moving, median".into(),
        value: median_p99(times).0,
        unit: "ms",
        goal: Some((30.0, false)),
    });
    Ok(figs)
}

/// Pick-grid figures at `n` points in a 700x340 plot: build, a step's
/// append, query time (mean of many queries over the plot), and how many
/// sampled answers differ from a scan of every point (must be none).
pub fn pick_figures(n: usize) -> Vec<Figure> {
    use nasviz::render::{PixelRect, ViewTransform};
    use nasviz::scene::pick::{pick_brute, PickGrid};
    let circles = accuracy_like_circles(n, 7);
    let area = PixelRect::new(560.0, 160.0, 700.0, 340.0);
    let view = ViewTransform::fit(area, 0.3, 1.0, 0.3, 1.0);
    let mut grid = PickGrid::new();
    let appended = 1000.min(n);
    let t = Instant::now();
    grid.sync(&circles[..n - appended], view, area, 1);
    let build = t.elapsed().as_secs_f64() * 1e3;
    // steps append one trial at a time
    let t = Instant::now();
    for k in (n - appended + 1)..=n {
        grid.sync(&circles[..k], view, area, 1);
    }
    let append = t.elapsed().as_secs_f64() * 1e6 / appended.max(1) as f64;
    let mut rng = Rng::new(11);
    let probes: Vec<[f32; 2]> = (0..200_000)
        .map(|_| {
            [
                area.x + rng.unit() as f32 * area.w,
                area.y + rng.unit() as f32 * area.h,
            ]
        })
        .collect();
    let mut hits = 0usize;
    let mut each = Vec::with_capacity(probes.len());
    let all = Instant::now();
    for p in &probes {
        let t = Instant::now();
        hits += usize::from(grid.pick(*p).is_some());
        each.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let mean = all.elapsed().as_secs_f64() * 1e6 / probes.len() as f64;
    each.sort_by(f64::total_cmp);
    let worst = each.last().copied().unwrap_or(0.0);
    // a sample of answers checked against a scan of every point
    let mismatches = probes
        .iter()
        .step_by(probes.len() / 200)
        .filter(|p| grid.pick(**p) != pick_brute(&circles, &view, area, **p))
        .count();
    let label = nasviz::fmt::fmt_int(n);
    vec![
        Figure {
            name: format!("pick grid: build, {label} points"),
            value: build,
            unit: "ms",
            goal: None,
        },
        Figure {
            name: format!("pick grid: append a point, {label} points, mean"),
            value: append,
            unit: "µs",
            goal: None,
        },
        Figure {
            name: format!(
                "pick query, {label} points, mean ({:.0}% hits)",
                hits as f64 * 100.0 / probes.len() as f64
            ),
            value: mean,
            unit: "µs",
            goal: Some((200.0, false)),
        },
        Figure {
            name: format!("pick query, {label} points, slowest of 200,000"),
            value: worst,
            unit: "µs",
            goal: Some((200.0, false)),
        },
        Figure {
            name: "pick query answers unlike a full scan (of 200)".into(),
            value: mismatches as f64,
            unit: "queries",
            goal: Some((0.0, false)),
        },
    ]
}

/// Median and 99th percentile of `v` (milliseconds).
fn median_p99(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let q = |p: f64| v[(((v.len() - 1) as f64) * p).round() as usize];
    (q(0.5), q(0.99))
}
