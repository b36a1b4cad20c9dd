//! What a search needs from a benchmark: look an architecture up, draw a
//! random one, and mutate one.

use crate::arch::nbgraph::{GnnOp, GraphArch};
use crate::arch::{Arch, Mutation, Space};
use crate::rng::Rng;
use crate::table::nbgraph::NbGraphTable;
use crate::table::{LookupError, Metrics};

/// A tabular benchmark a search can query.
pub trait Benchmark {
    /// E.g. `nas-bench-graph/cora`.
    fn name(&self) -> String;
    fn space(&self) -> Space;
    /// The metrics of `arch` and its key in the table.
    fn query(&self, arch: &Arch) -> Result<(String, Metrics), LookupError>;
    /// A uniformly random member of the space.
    fn random_arch(&self, rng: &mut Rng) -> Arch;
    /// A random single edit of `arch` that gives another valid member in
    /// the table (`None` when `arch` is not of this space or no edit was
    /// found).
    fn random_mutation(&self, arch: &Arch, rng: &mut Rng) -> Option<(Arch, Mutation)>;
    /// The ops a user may choose for a layer.
    fn ops(&self) -> Vec<String> {
        super::steer::default_ops(self.space())
    }
    /// When [`Benchmark::query`] estimates rather than looks up, how (said
    /// beside the numbers it gives).
    fn estimates(&self) -> Option<String> {
        None
    }
}

/// NAS-Bench-Graph through its table.
pub struct NbGraphBench {
    pub table: NbGraphTable,
}

impl NbGraphBench {
    pub fn new(table: NbGraphTable) -> Self {
        NbGraphBench { table }
    }

    fn gnn_ops(&self) -> &'static [GnnOp] {
        self.table.op_set().ops()
    }
}

fn graph_of(arch: &Arch) -> Option<&GraphArch> {
    match arch {
        Arch::NbGraph(a) => Some(a),
        _ => None,
    }
}

impl Benchmark for NbGraphBench {
    fn name(&self) -> String {
        format!("nas-bench-graph/{}", self.table.dataset())
    }

    fn space(&self) -> Space {
        Space::NbGraph
    }

    fn ops(&self) -> Vec<String> {
        self.gnn_ops()
            .iter()
            .map(|o| o.name().to_string())
            .collect()
    }

    fn query(&self, arch: &Arch) -> Result<(String, Metrics), LookupError> {
        let a = graph_of(arch).ok_or(LookupError::WrongSpace {
            table: self.name(),
            expected: "nbgraph",
            found: arch.space().name(),
        })?;
        let m = self.table.lookup(a)?;
        Ok((a.valid_hash()?.to_string(), m))
    }

    fn random_arch(&self, rng: &mut Rng) -> Arch {
        let ops = self.gnn_ops();
        loop {
            let mut links = [0u8; 4];
            for (i, l) in links.iter_mut().enumerate() {
                *l = rng.below(i + 1) as u8;
            }
            let mut o = [GnnOp::Skip; 4];
            for x in o.iter_mut() {
                *x = ops[rng.below(ops.len())];
            }
            if let Ok(a) = GraphArch::new(links, o) {
                return Arch::NbGraph(a);
            }
        }
    }

    fn random_mutation(&self, arch: &Arch, rng: &mut Rng) -> Option<(Arch, Mutation)> {
        let a = graph_of(arch)?;
        let ops = self.gnn_ops();
        for _ in 0..10_000 {
            // half the time change an op, otherwise rewire a node's input
            let m = if rng.chance(0.5) {
                let node = rng.below(4);
                let to = ops[rng.below(ops.len())];
                if to == a.ops[node] {
                    continue;
                }
                Mutation::ChangeOp {
                    node,
                    from: Some(a.ops[node].name().to_string()),
                    to: to.name().to_string(),
                }
            } else {
                let node = 1 + rng.below(3);
                let from = rng.below(node + 1);
                if from == a.links[node] as usize {
                    continue;
                }
                // recorded in the DAG's numbering: computing node `node`
                // is DAG node `node + 1`; links are DAG nodes already
                Mutation::Rewire {
                    node: node + 1,
                    from: a.links[node] as usize,
                    to: from,
                }
            };
            if let Ok(b) = a.mutate(&m) {
                if self.table.lookup(&b).is_ok() {
                    return Some((Arch::NbGraph(b), m));
                }
            }
        }
        None
    }
}

/// NAS-Bench-101 through a table imported from the benchmark's
/// `.tfrecord` (`nasviz import nb101-tfrecord`).
pub struct Nb101Bench {
    pub table: crate::table::nb101::Nb101Table,
}

impl Nb101Bench {
    pub fn new(table: crate::table::nb101::Nb101Table) -> Self {
        Nb101Bench { table }
    }
}

impl Benchmark for Nb101Bench {
    fn name(&self) -> String {
        format!("nas-bench-101/{}-epochs", self.table.epochs())
    }

    fn space(&self) -> Space {
        Space::Nb101
    }

    fn query(&self, arch: &Arch) -> Result<(String, Metrics), LookupError> {
        let Arch::Nb101(c) = arch else {
            return Err(LookupError::WrongSpace {
                table: self.name(),
                expected: "nb101",
                found: arch.space().name(),
            });
        };
        let m = self.table.lookup(c)?;
        Ok((c.hash()?.to_string(), m))
    }

    /// A random valid cell that is in the table (NAS-Bench-101's random
    /// search draw; the full table holds every valid cell).
    fn random_arch(&self, rng: &mut Rng) -> Arch {
        for _ in 0..1000 {
            let c = crate::arch::nb101::Cell::random(rng);
            if self.table.lookup(&c).is_ok() {
                return Arch::Nb101(c);
            }
        }
        // a partial table: draw one of its cells
        let hashes = self.table.hashes();
        let h = hashes[rng
            .below(hashes.len().max(1))
            .min(hashes.len().saturating_sub(1))];
        match self.table.cell(&h) {
            Some(c) => Arch::Nb101(c),
            None => Arch::Nb101(crate::arch::nb101::Cell::random(rng)),
        }
    }

    /// One edit, as in the NAS-Bench-101 paper's evolution: change an
    /// interior op or flip one edge, until the cell is valid and in the
    /// table.
    fn random_mutation(&self, arch: &Arch, rng: &mut Rng) -> Option<(Arch, Mutation)> {
        use crate::arch::nb101::Op;
        let Arch::Nb101(c) = arch else {
            return None;
        };
        let n = c.len();
        for _ in 0..10_000 {
            let m = if n > 2 && rng.chance(0.5) {
                let node = 1 + rng.below(n - 2);
                let to = Op::INTERIOR[rng.below(3)];
                if to == c.op(node) {
                    continue;
                }
                Mutation::ChangeOp {
                    node,
                    from: Some(c.op(node).name().to_string()),
                    to: to.name().to_string(),
                }
            } else {
                let from = rng.below(n - 1);
                let to = from + 1 + rng.below(n - 1 - from);
                if c.has_edge(from, to) {
                    Mutation::RemoveEdge { from, to }
                } else {
                    Mutation::AddEdge { from, to }
                }
            };
            if let Ok(d) = c.mutate(&m) {
                if self.table.lookup(&d).is_ok() {
                    return Some((Arch::Nb101(d), m));
                }
            }
        }
        None
    }
}
