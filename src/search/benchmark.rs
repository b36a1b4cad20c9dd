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
}

/// NAS-Bench-Graph through its table.
pub struct NbGraphBench {
    pub table: NbGraphTable,
}

impl NbGraphBench {
    pub fn new(table: NbGraphTable) -> Self {
        NbGraphBench { table }
    }

    fn ops(&self) -> &'static [GnnOp] {
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
        let ops = self.ops();
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
        let ops = self.ops();
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
                Mutation::AddEdge { from, to: node }
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
