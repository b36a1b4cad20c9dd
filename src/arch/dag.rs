//! The one labelled DAG that every view draws: nodes carry an op label,
//! edges run from an earlier to a later node.

use serde::{Deserialize, Serialize};

/// A labelled directed acyclic graph. Node `0` is the input and the last
/// node the output for every search space nasviz knows; `edges` are
/// `(from, to)` pairs of node indices, sorted and without duplicates.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Dag {
    pub nodes: Vec<String>,
    pub edges: Vec<(usize, usize)>,
}

impl Dag {
    /// Builds a DAG, sorting and de-duplicating the edges.
    pub fn new(nodes: Vec<String>, mut edges: Vec<(usize, usize)>) -> Self {
        edges.sort_unstable();
        edges.dedup();
        Dag { nodes, edges }
    }

    /// A chain `nodes[0] -> nodes[1] -> ...`.
    pub fn chain(nodes: Vec<String>) -> Self {
        let edges = (1..nodes.len()).map(|i| (i - 1, i)).collect();
        Dag { nodes, edges }
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn has_edge(&self, from: usize, to: usize) -> bool {
        self.edges.binary_search(&(from, to)).is_ok()
    }
}
