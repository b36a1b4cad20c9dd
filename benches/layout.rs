//! Layout benchmark: layered layout of random 1,000-node DAGs with 2,000
//! edges. `cargo bench --bench layout` (release).
//!
//! Three shapes: "deep", where every node takes its inputs from the 32
//! nodes before it (a long network with skip connections); "uniform",
//! where every node takes an input from any earlier node (so all are
//! reachable from node 0) plus random extra edges; "random pairs", edges
//! between uniformly random pairs of nodes. Prints the median and best of
//! several runs, and the crossings before and after crossing reduction.
//! `NASVIZ_BENCH_WORST=1` adds a chain whose input feeds every node (about
//! 500,000 dummy nodes).

use std::time::Instant;

use nasviz::layout::{layout_graph, LayoutOptions};
use nasviz::rng::Rng;
use perf::Figure;

/// The measurements of `nasviz bench`, shared by path with the command line.
#[path = "../src/cli/perf/mod.rs"]
#[allow(dead_code)]
mod perf;

/// `n` nodes; node `j > 0` gets an edge from a random earlier node within
/// `window` (so everything is reachable from node 0), then edges are added
/// between random pairs within `window` until there are `m`.
fn random_dag(n: usize, m: usize, window: usize, seed: u64) -> Vec<(usize, usize)> {
    let mut rng = Rng::new(seed);
    let mut edges = Vec::with_capacity(m);
    for j in 1..n {
        let w = window.min(j);
        edges.push((j - 1 - rng.below(w), j));
    }
    while edges.len() < m {
        let j = 1 + rng.below(n - 1);
        let w = window.min(j);
        edges.push((j - 1 - rng.below(w), j));
        if edges.len() == m {
            edges.sort_unstable();
            edges.dedup();
        }
    }
    edges.sort_unstable();
    edges
}

/// `m` distinct edges between uniformly random pairs `i < j`.
fn uniform_pairs(n: usize, m: usize, seed: u64) -> Vec<(usize, usize)> {
    let mut rng = Rng::new(seed);
    let mut edges = std::collections::BTreeSet::new();
    while edges.len() < m {
        let (a, b) = (rng.below(n), rng.below(n));
        if a != b {
            edges.insert((a.min(b), a.max(b)));
        }
    }
    edges.into_iter().collect()
}

fn measure(name: &str, n: usize, edges: &[(usize, usize)], goal: Option<f64>) {
    let options = LayoutOptions::default();
    let sizes = |i: usize| Some([60.0 + (i % 7) as f32 * 10.0, 28.0]);
    let warm = layout_graph(n, edges, &options, sizes);
    let runs = 15;
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let l = layout_graph(n, edges, &options, sizes);
            let ms = t.elapsed().as_secs_f64() * 1e3;
            std::hint::black_box(l);
            ms
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let median = times[runs / 2];
    println!(
        "{}",
        Figure {
            name: format!("layout {name}: median of {runs}"),
            value: median,
            unit: "ms",
            goal: goal.map(|g| (g, false)),
        }
    );
    println!(
        "{}",
        Figure {
            name: format!("layout {name}: best"),
            value: times[0],
            unit: "ms",
            goal: None,
        }
    );
    let input_order = LayoutOptions {
        crossing_passes: 0,
        ..LayoutOptions::default()
    };
    let unordered = layout_graph(n, edges, &input_order, sizes);
    println!(
        "  ({} nodes, {} edges, {} layers, {} crossings; {} in input order)",
        n,
        edges.len(),
        warm.layer_count,
        warm.crossings,
        unordered.crossings
    );
}

fn main() {
    let n = 1000;
    let deep = random_dag(n, 2000, 32, 7);
    measure("1,000-node DAG, deep", n, &deep, Some(50.0));
    let uniform = random_dag(n, 2000, n, 7);
    measure("1,000-node DAG, uniform", n, &uniform, Some(50.0));
    let pairs = uniform_pairs(n, 2000, 7);
    measure("1,000-node DAG, random pairs", n, &pairs, Some(50.0));
    if std::env::var_os("NASVIZ_BENCH_WORST").is_some() {
        // A chain with the input feeding every node: ~500,000 dummy nodes.
        let mut fan: Vec<(usize, usize)> = (1..n).map(|j| (j - 1, j)).collect();
        fan.extend((2..n).map(|j| (0, j)));
        fan.sort_unstable();
        measure("1,000-node chain, input feeds all", n, &fan, None);
    }
    let cell = [(0, 1), (0, 2), (1, 3), (2, 3), (3, 4)];
    measure("NB-101 cell (5 nodes)", 5, &cell, None);
}
