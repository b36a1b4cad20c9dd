//! The edits a search (or a user) makes to an architecture. Node indices
//! refer to the architecture's own numbering (for NB-101 the vertex index,
//! for NB-201 the edge index 0..6, for NAS-Bench-Graph the computing node
//! 0..4, for layer lists the position).

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Mutation {
    /// Give node `node` the op `to` (`from` is recorded for display only).
    ChangeOp {
        node: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<String>,
        to: String,
    },
    /// Add the edge `from -> to`. In NAS-Bench-Graph, where each node has
    /// exactly one input, this rewires node `to`'s input to `from`.
    AddEdge { from: usize, to: usize },
    /// Remove the edge `from -> to`.
    RemoveEdge { from: usize, to: usize },
    /// Insert a new layer with op `layer` between `from` and `to`: if the edge
    /// `from -> to` exists it is split, otherwise the layer forms a new
    /// branch `from -> new -> to`. The new node gets index `to` and later
    /// nodes shift up by one.
    AddNode {
        layer: String,
        from: usize,
        to: usize,
    },
    /// Delete node `node`; its predecessors are connected to its successors
    /// so that data still flows around it.
    RemoveNode { node: usize },
    /// Move node `node`'s single input from node `from` to node `to`
    /// (NAS-Bench-Graph, where every node has one input). Unlike the other
    /// edits, all three are in the numbering of the DAG the views draw
    /// (0 the raw input, 1..=4 the computing nodes), so that a reader of
    /// the trace alone can apply and draw it.
    Rewire { node: usize, from: usize, to: usize },
}

impl Mutation {
    /// The snake_case name of this kind of edit, as written in traces.
    pub fn kind(&self) -> &'static str {
        match self {
            Mutation::ChangeOp { .. } => "change_op",
            Mutation::AddEdge { .. } => "add_edge",
            Mutation::RemoveEdge { .. } => "remove_edge",
            Mutation::AddNode { .. } => "add_node",
            Mutation::RemoveNode { .. } => "remove_node",
            Mutation::Rewire { .. } => "rewire",
        }
    }
}
