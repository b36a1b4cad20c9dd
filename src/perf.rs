//! Measurements behind `nasviz bench` and `benches/`: each returns what it
//! measured so that the figures can be printed or checked against goals.

use crate::arch::nb101::Cell;
use crate::rng::Rng;
use crate::table::nbgraph::NbGraphTable;
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

/// `n` random valid NB-101 cells (as NAS-Bench-101's random search draws
/// them), deterministic for `seed`.
pub fn random_nb101_cells(n: usize, seed: u64) -> Vec<Cell> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| Cell::random(&mut rng)).collect()
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
/// ([`crate::arch::nb101::hash_many`]).
pub fn nb101_hash_many_rate(cells: &[Cell], seconds: f64) -> f64 {
    let start = Instant::now();
    let mut done = 0usize;
    let mut sink = 0u8;
    while done == 0 || start.elapsed().as_secs_f64() < seconds {
        for h in crate::arch::nb101::hash_many(cells).into_iter().flatten() {
            sink ^= h.0[0];
        }
        done += cells.len();
    }
    std::hint::black_box(sink);
    done as f64 / start.elapsed().as_secs_f64()
}

/// Milliseconds to load the embedded NAS-Bench-Graph Cora table: the
/// median of `runs` loads.
pub fn cora_load_ms(runs: usize) -> Result<f64, crate::table::TableError> {
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

/// Every foundation measurement, spending about `seconds` on each.
pub fn run_all(seconds: f64) -> Result<Vec<Figure>, crate::table::TableError> {
    // 20,000 random valid cells, as NAS-Bench-101's random search draws them
    let cells = random_nb101_cells(20_000, 101);
    let rate = nb101_hash_rate(&cells, seconds);
    let batch = nb101_hash_many_rate(&cells, seconds);
    let load = cora_load_ms(((seconds * 50.0) as usize).clamp(5, 200))?;
    Ok(vec![
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
    ])
}
