//! Viewer benchmark: picking at 10^6 points (grid build, append, query),
//! time from the demo to the first frame, and animation and hover frame
//! times (median, 99th percentile) at 1280x800 on the demo and on a
//! 423,624-trial random-search run, and animated step, density, scrub
//! frames and bytes uploaded per frame on a 1,000,000-trial one, offscreen
//! on the software-first adapter.
//!
//! `cargo bench --bench viewer`; `NASVIZ_BENCH_QUICK=1` skips the large runs.

/// The measurements of `nasviz bench`, shared by path with the command line.
#[path = "../src/cli/perf/mod.rs"]
#[allow(dead_code)]
mod perf;

fn main() {
    let quick = std::env::var("NASVIZ_BENCH_QUICK").as_deref() == Ok("1");
    let (large, huge) = if quick { (0, 0) } else { (423_624, 1_000_000) };
    for f in perf::pick_figures(1_000_000) {
        println!("{f}");
    }
    match perf::viewer_figures(large, huge, 120) {
        Ok(figs) => {
            for f in figs {
                println!("{f}");
            }
        }
        Err(e) => {
            eprintln!("viewer bench: {e}");
            std::process::exit(1);
        }
    }
}
