//! Foundation benchmarks: NB-101 canonical hashing and loading the
//! NAS-Bench-Graph Cora table. `cargo bench --bench foundation`.

/// The measurements of `nasviz bench`, shared by path with the command line.
#[path = "../src/cli/perf/mod.rs"]
#[allow(dead_code)]
mod perf;

fn main() {
    let seconds = std::env::var("NASVIZ_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    match perf::run_all(seconds) {
        Ok(figures) => {
            for f in figures {
                println!("{f}");
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
