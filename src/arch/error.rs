//! Why an architecture is invalid or an edit cannot be applied. Every
//! message names the broken rule.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ArchError {
    #[error("the adjacency matrix is empty: a cell needs at least an input and an output vertex")]
    EmptyMatrix,
    #[error(
        "the adjacency matrix is not square: row {row} has {len} entries, expected {expected}"
    )]
    NotSquare {
        row: usize,
        len: usize,
        expected: usize,
    },
    #[error("matrix entry ({row},{col}) is {value}: entries must be 0 or 1")]
    NotBinary {
        row: usize,
        col: usize,
        value: String,
    },
    #[error("edge ({row},{col}) is on or below the diagonal: cells are upper-triangular (edges go from a lower to a higher vertex)")]
    EdgeBelowDiagonal { row: usize, col: usize },
    #[error("{vertices} vertices but {ops} ops: there must be one op per vertex")]
    OpCountMismatch { vertices: usize, ops: usize },
    #[error("{count} vertices: at most {max} are allowed")]
    TooManyVertices { count: usize, max: usize },
    #[error("{count} vertices: at least {min} are needed")]
    TooFewVertices { count: usize, min: usize },
    #[error("{count} edges: at most {max} are allowed")]
    TooManyEdges { count: usize, max: usize },
    #[error("unknown op {op:?} at vertex {vertex}: expected one of {expected}")]
    UnknownOp {
        op: String,
        vertex: usize,
        expected: String,
    },
    #[error("vertex {vertex} is {found:?}: {rule}")]
    MisplacedOp {
        vertex: usize,
        found: String,
        rule: &'static str,
    },
    #[error("the cell prunes to nothing: no path leads from the input to the output")]
    PrunesToNothing,
    #[error("node {node} does not exist (the architecture has {count} nodes)")]
    NoSuchNode { node: usize, count: usize },
    #[error("edge {from}->{to} already exists")]
    EdgeExists { from: usize, to: usize },
    #[error("edge {from}->{to} does not exist")]
    NoSuchEdge { from: usize, to: usize },
    #[error("edge {from}->{to} is not allowed: {rule}")]
    BadEdge {
        from: usize,
        to: usize,
        rule: &'static str,
    },
    #[error("node {node} is the {role}: the input and output cannot be changed or deleted")]
    FixedNode { node: usize, role: &'static str },
    #[error("node {node} already has op {op:?}: a change must pick a different op")]
    SameOp { node: usize, op: String },
    #[error("{mutation} is not an edit of a {space} architecture: {why}")]
    NotApplicable {
        mutation: &'static str,
        space: &'static str,
        why: &'static str,
    },
    #[error("malformed {space} architecture string {text:?}: {rule}")]
    BadString {
        space: &'static str,
        text: String,
        rule: String,
    },
    #[error("link of node {node} is {link}: {rule}")]
    BadLink {
        node: usize,
        link: usize,
        rule: &'static str,
    },
    #[error("all four nodes are `skip`: NAS-Bench-Graph has no such architecture")]
    AllSkip,
    #[error("links {links:?} have no canonical NAS-Bench-Graph form: they do not reduce to one of the 9 link patterns")]
    NoCanonicalForm { links: Vec<usize> },
    #[error("unknown search space {0:?}: expected nb101, nb201, nbgraph or sequential")]
    UnknownSpace(String),
    #[error("cannot compare a {a} architecture with a {b} one")]
    SpaceMismatch { a: &'static str, b: &'static str },
}

impl ArchError {
    /// Checks that an edit of the edge `from -> to` finds it as the edit
    /// needs it: absent to add it (`adding`), present to remove it.
    pub(crate) fn check_edge_edit(
        adding: bool,
        present: bool,
        from: usize,
        to: usize,
    ) -> Result<(), ArchError> {
        match (adding, present) {
            (true, true) => Err(ArchError::EdgeExists { from, to }),
            (false, false) => Err(ArchError::NoSuchEdge { from, to }),
            _ => Ok(()),
        }
    }

    /// Checks that a change of the op at `node` to `op` changes it (`same`:
    /// the node has that op already).
    pub(crate) fn check_op_change(same: bool, node: usize, op: &str) -> Result<(), ArchError> {
        if same {
            Err(ArchError::SameOp {
                node,
                op: op.to_string(),
            })
        } else {
            Ok(())
        }
    }
}
