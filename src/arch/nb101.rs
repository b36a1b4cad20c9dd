//! NAS-Bench-101 cells (Ying et al., "NAS-Bench-101: Towards Reproducible
//! Neural Architecture Search", ICML 2019): an upper-triangular 0/1
//! adjacency matrix of at most 7 vertices and, once pruned, at most 9
//! edges; the first vertex is the input, the last the output, the others
//! are `conv3x3-bn-relu`, `conv1x1-bn-relu` or `maxpool3x3`.
//!
//! The canonical hash is NAS-Bench-101's module hash (`hash_module` in the
//! benchmark's `graph_util`): each vertex starts from the MD5 of
//! `str((out_degree, in_degree, label))`; then, once per vertex, every
//! vertex's hash becomes the MD5 of its in-neighbours' hex hashes sorted and
//! concatenated, `|`, its out-neighbours' likewise, `|`, and its own hash;
//! the fingerprint is the MD5 of `str(sorted(hashes))`. Labels are -1 for
//! the input, -2 for the output and 0, 1, 2 for the three ops. It does not
//! depend on vertex numbering, and it is computed on the pruned cell.

mod hash;
pub use hash::{hash_many, hash_module};

use super::{md5, md5x};
use super::{ArchError, Dag, Mutation};
use std::fmt;
use std::sync::OnceLock;

/// Most vertices a cell may have.
pub(crate) const MAX_VERTICES: usize = 7;
/// Most edges a (pruned) cell may have.
pub(crate) const MAX_EDGES: usize = 9;

/// The op of one vertex.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    Input,
    Conv3x3,
    Conv1x1,
    MaxPool3x3,
    Output,
}

impl Op {
    /// The ops an interior vertex may have, in NAS-Bench-101's order.
    pub(crate) const INTERIOR: [Op; 3] = [Op::Conv3x3, Op::Conv1x1, Op::MaxPool3x3];

    pub fn name(self) -> &'static str {
        match self {
            Op::Input => "input",
            Op::Conv3x3 => "conv3x3-bn-relu",
            Op::Conv1x1 => "conv1x1-bn-relu",
            Op::MaxPool3x3 => "maxpool3x3",
            Op::Output => "output",
        }
    }

    /// The integer label NAS-Bench-101 hashes.
    pub fn label(self) -> i8 {
        match self {
            Op::Input => -1,
            Op::Conv3x3 => 0,
            Op::Conv1x1 => 1,
            Op::MaxPool3x3 => 2,
            Op::Output => -2,
        }
    }

    pub fn parse(s: &str) -> Option<Op> {
        match s {
            "input" => Some(Op::Input),
            "conv3x3-bn-relu" => Some(Op::Conv3x3),
            "conv1x1-bn-relu" => Some(Op::Conv1x1),
            "maxpool3x3" => Some(Op::MaxPool3x3),
            "output" => Some(Op::Output),
            _ => None,
        }
    }

    fn parse_at(s: &str, vertex: usize) -> Result<Op, ArchError> {
        Op::parse(s).ok_or_else(|| ArchError::UnknownOp {
            op: s.to_string(),
            vertex,
            expected: "input, conv3x3-bn-relu, conv1x1-bn-relu, maxpool3x3, output".into(),
        })
    }

    fn parse_interior(s: &str, vertex: usize) -> Result<Op, ArchError> {
        match Op::parse(s) {
            Some(op) if Op::INTERIOR.contains(&op) => Ok(op),
            _ => Err(ArchError::UnknownOp {
                op: s.to_string(),
                vertex,
                expected: "conv3x3-bn-relu, conv1x1-bn-relu, maxpool3x3".into(),
            }),
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// NAS-Bench-101's module hash: 16 bytes, shown as 32 lower-case hex digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleHash(pub [u8; 16]);

impl fmt::Display for ModuleHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 32];
        md5::hex_into(&self.0, &mut buf);
        // hex digits are ASCII
        f.write_str(std::str::from_utf8(&buf).map_err(|_| fmt::Error)?)
    }
}

impl std::str::FromStr for ModuleHash {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let b = s.as_bytes();
        if b.len() != 32 {
            return Err(format!("{s:?} is not 32 hex digits"));
        }
        let mut out = [0u8; 16];
        for (i, o) in out.iter_mut().enumerate() {
            let hi = (b[2 * i] as char).to_digit(16);
            let lo = (b[2 * i + 1] as char).to_digit(16);
            match (hi, lo) {
                (Some(h), Some(l)) => *o = (h * 16 + l) as u8,
                _ => return Err(format!("{s:?} is not 32 hex digits")),
            }
        }
        Ok(ModuleHash(out))
    }
}

/// A NAS-Bench-101 cell as given (not necessarily pruned). Its structure
/// is always well formed (square, 0/1, upper-triangular, at most 7
/// vertices, ops in place); whether it is a valid member of the space is
/// decided on the pruned cell, as NAS-Bench-101 does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cell {
    n: u8,
    /// `rows[i]` bit `j` is the edge `i -> j`.
    rows: [u8; MAX_VERTICES],
    ops: [Op; MAX_VERTICES],
}

impl Cell {
    /// Builds a cell from an adjacency matrix and one op per vertex,
    /// checking every structural rule.
    pub fn new<S: AsRef<str>>(matrix: &[Vec<i64>], ops: &[S]) -> Result<Cell, ArchError> {
        let n = matrix.len();
        if n == 0 {
            return Err(ArchError::EmptyMatrix);
        }
        for (row, r) in matrix.iter().enumerate() {
            if r.len() != n {
                return Err(ArchError::NotSquare {
                    row,
                    len: r.len(),
                    expected: n,
                });
            }
        }
        if n > MAX_VERTICES {
            return Err(ArchError::TooManyVertices {
                count: n,
                max: MAX_VERTICES,
            });
        }
        if ops.len() != n {
            return Err(ArchError::OpCountMismatch {
                vertices: n,
                ops: ops.len(),
            });
        }
        let mut rows = [0u8; MAX_VERTICES];
        for (i, r) in matrix.iter().enumerate() {
            for (j, &v) in r.iter().enumerate() {
                match v {
                    0 => {}
                    1 if j > i => rows[i] |= 1 << j,
                    1 => return Err(ArchError::EdgeBelowDiagonal { row: i, col: j }),
                    other => {
                        return Err(ArchError::NotBinary {
                            row: i,
                            col: j,
                            value: other.to_string(),
                        })
                    }
                }
            }
        }
        Self::from_rows(n, rows, ops)
    }

    fn from_rows<S: AsRef<str>>(
        n: usize,
        rows: [u8; MAX_VERTICES],
        ops: &[S],
    ) -> Result<Cell, ArchError> {
        if n < 2 {
            return Err(ArchError::TooFewVertices { count: n, min: 2 });
        }
        let mut parsed = [Op::Input; MAX_VERTICES];
        for (v, s) in ops.iter().enumerate() {
            let op = Op::parse_at(s.as_ref(), v)?;
            let rule = if v == 0 && op != Op::Input {
                Some("the first vertex must be the input")
            } else if v == n - 1 && op != Op::Output {
                Some("the last vertex must be the output")
            } else if v != 0 && v != n - 1 && (op == Op::Input || op == Op::Output) {
                Some("only the first vertex is the input and only the last the output")
            } else {
                None
            };
            if let Some(rule) = rule {
                return Err(ArchError::MisplacedOp {
                    vertex: v,
                    found: s.as_ref().to_string(),
                    rule,
                });
            }
            parsed[v] = op;
        }
        Ok(Cell {
            n: n as u8,
            rows,
            ops: parsed,
        })
    }

    /// Parses `{"matrix": [[...]], "ops": [...]}` (also accepting NASLib's
    /// `module_adjacency`/`module_operations` names).
    pub fn from_json(value: &serde_json::Value) -> Result<Cell, ArchError> {
        let bad = |rule: &str| ArchError::BadString {
            space: "nb101",
            text: truncate(&value.to_string()),
            rule: rule.to_string(),
        };
        let obj = value
            .as_object()
            .ok_or_else(|| bad("expected an object with \"matrix\" and \"ops\""))?;
        let matrix = obj
            .get("matrix")
            .or_else(|| obj.get("module_adjacency"))
            .ok_or_else(|| bad("missing \"matrix\""))?;
        let ops = obj
            .get("ops")
            .or_else(|| obj.get("module_operations"))
            .ok_or_else(|| bad("missing \"ops\""))?;
        let rows = matrix
            .as_array()
            .ok_or_else(|| bad("\"matrix\" must be an array of rows"))?;
        let mut m = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let row = row
                .as_array()
                .ok_or_else(|| bad(&format!("matrix row {i} is not an array")))?;
            let mut r = Vec::with_capacity(row.len());
            for (j, v) in row.iter().enumerate() {
                match v.as_i64() {
                    Some(x) => r.push(x),
                    None => {
                        return Err(ArchError::NotBinary {
                            row: i,
                            col: j,
                            value: v.to_string(),
                        })
                    }
                }
            }
            m.push(r);
        }
        let ops = ops
            .as_array()
            .ok_or_else(|| bad("\"ops\" must be an array of strings"))?;
        let mut o = Vec::with_capacity(ops.len());
        for (v, op) in ops.iter().enumerate() {
            o.push(
                op.as_str()
                    .ok_or_else(|| bad(&format!("op {v} is not a string")))?
                    .to_string(),
            );
        }
        Cell::new(&m, &o)
    }

    /// A uniformly random valid 7-vertex cell, drawn as NAS-Bench-101's
    /// random search does: each upper-triangular entry is 1 with
    /// probability 1/2, each interior op uniform, redrawn until valid.
    pub fn random(rng: &mut crate::rng::Rng) -> Cell {
        loop {
            let mut rows = [0u8; MAX_VERTICES];
            for (i, r) in rows.iter_mut().enumerate() {
                for j in i + 1..MAX_VERTICES {
                    if rng.next_u64() & 1 == 1 {
                        *r |= 1 << j;
                    }
                }
            }
            let mut ops = [Op::Input; MAX_VERTICES];
            for op in ops.iter_mut().take(MAX_VERTICES - 1).skip(1) {
                *op = Op::INTERIOR[rng.below(3)];
            }
            ops[MAX_VERTICES - 1] = Op::Output;
            let c = Cell {
                n: MAX_VERTICES as u8,
                rows,
                ops,
            };
            if c.is_valid() {
                return c;
            }
        }
    }

    /// Number of vertices.
    pub fn len(&self) -> usize {
        self.n as usize
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    pub fn op(&self, v: usize) -> Op {
        self.ops[v]
    }

    pub fn ops(&self) -> &[Op] {
        &self.ops[..self.len()]
    }

    pub fn has_edge(&self, from: usize, to: usize) -> bool {
        from < self.len() && to < self.len() && self.rows[from] & (1 << to) != 0
    }

    pub fn edge_count(&self) -> usize {
        self.rows[..self.len()]
            .iter()
            .map(|r| r.count_ones() as usize)
            .sum()
    }

    /// The adjacency matrix as rows of 0/1.
    pub fn matrix(&self) -> Vec<Vec<u8>> {
        (0..self.len())
            .map(|i| (0..self.len()).map(|j| (self.rows[i] >> j) & 1).collect())
            .collect()
    }

    /// The cell with every vertex that is not on an input -> output path
    /// removed, as NAS-Bench-101 does before training; then checked against
    /// the edge limit.
    #[allow(clippy::needless_range_loop)] // indices are vertex/lane numbers
    pub fn pruned(&self) -> Result<Cell, ArchError> {
        let n = self.len();
        let keep = self.keep_mask();
        if keep & 1 == 0 || keep & (1 << (n - 1)) == 0 {
            return Err(ArchError::PrunesToNothing);
        }
        let cell = if keep.count_ones() as usize == n {
            *self
        } else {
            let mut idx = [0u8; MAX_VERTICES];
            let mut m = 0usize;
            let mut ops = [Op::Input; MAX_VERTICES];
            for v in 0..n {
                if keep & (1 << v) != 0 {
                    idx[v] = m as u8;
                    ops[m] = self.ops[v];
                    m += 1;
                }
            }
            let mut rows = [0u8; MAX_VERTICES];
            for v in 0..n {
                if keep & (1 << v) == 0 {
                    continue;
                }
                let mut r = self.rows[v] & keep;
                while r != 0 {
                    let w = r.trailing_zeros() as usize;
                    r &= r - 1;
                    rows[idx[v] as usize] |= 1 << idx[w];
                }
            }
            Cell {
                n: m as u8,
                rows,
                ops,
            }
        };
        let e = cell.edge_count();
        if e > MAX_EDGES {
            return Err(ArchError::TooManyEdges {
                count: e,
                max: MAX_EDGES,
            });
        }
        Ok(cell)
    }

    /// The vertices on an input -> output path, as a bit mask.
    fn keep_mask(&self) -> u8 {
        let n = self.len();
        // forward reachability from the input (vertices are topologically ordered)
        let mut from_in: u8 = 1;
        for v in 0..n {
            if from_in & (1 << v) != 0 {
                from_in |= self.rows[v];
            }
        }
        let mut to_out: u8 = 1 << (n - 1);
        for v in (0..n).rev() {
            if self.rows[v] & to_out != 0 {
                to_out |= 1 << v;
            }
        }
        from_in & to_out
    }

    /// The vertices that pruning keeps, in order: vertex `i` of
    /// [`Cell::pruned_dag`] is vertex `kept_vertices()[i]` of this cell
    /// (all of them when the cell prunes to nothing).
    pub fn kept_vertices(&self) -> Vec<usize> {
        let keep = self.keep_mask();
        let n = self.len();
        if keep & 1 == 0 || keep & (1 << (n - 1)) == 0 || self.pruned().is_err() {
            return (0..n).collect();
        }
        (0..n).filter(|v| keep & (1 << v) != 0).collect()
    }

    /// Whether the cell is a member of the NAS-Bench-101 space.
    pub fn is_valid(&self) -> bool {
        self.pruned().is_ok()
    }

    /// The canonical hash: NAS-Bench-101's module hash of the pruned cell.
    pub fn hash(&self) -> Result<ModuleHash, ArchError> {
        Ok(self.pruned()?.module_hash())
    }

    /// NAS-Bench-101's module hash of this cell exactly as it is (no pruning).
    pub fn module_hash(&self) -> ModuleHash {
        let mut labels = [0i8; MAX_VERTICES];
        for (l, op) in labels.iter_mut().zip(self.ops()) {
            *l = op.label();
        }
        ModuleHash(hash_module(self.len(), &self.rows, &labels[..self.len()]))
    }

    /// The labelled DAG of the cell as given.
    pub fn to_dag(&self) -> Dag {
        let nodes = self.ops().iter().map(|o| o.name().to_string()).collect();
        let mut edges = Vec::new();
        for i in 0..self.len() {
            for j in 0..self.len() {
                if self.has_edge(i, j) {
                    edges.push((i, j));
                }
            }
        }
        Dag::new(nodes, edges)
    }

    /// The DAG of the pruned cell (or of the cell as given when it prunes to
    /// nothing).
    pub fn pruned_dag(&self) -> Dag {
        self.pruned().unwrap_or(*self).to_dag()
    }

    /// Applies one edit and checks that the result is a valid cell.
    pub fn mutate(&self, m: &Mutation) -> Result<Cell, ArchError> {
        let c = match m {
            Mutation::ChangeOp { node, to, .. } => self.with_op(*node, to)?,
            Mutation::AddEdge { from, to } => self.with_edge(*from, *to, true)?,
            Mutation::RemoveEdge { from, to } => self.with_edge(*from, *to, false)?,
            Mutation::AddNode { layer, from, to } => self.with_node_on(layer, *from, *to)?,
            Mutation::Rewire { .. } => {
                return Err(ArchError::NotApplicable {
                    mutation: "rewire",
                    space: "NAS-Bench-101",
                    why: "a vertex may have many inputs; add or remove edges instead",
                })
            }
            Mutation::RemoveNode { node } => self.without_node(*node)?,
        };
        c.pruned()?;
        Ok(c)
    }

    /// Checks that `node` is a vertex an edit may change or delete: one
    /// of the cell's, neither its input nor its output.
    fn check_interior(&self, node: usize) -> Result<(), ArchError> {
        let n = self.len();
        if node >= n {
            Err(ArchError::NoSuchNode { node, count: n })
        } else if node == 0 {
            Err(ArchError::FixedNode {
                node,
                role: "input",
            })
        } else if node == n - 1 {
            Err(ArchError::FixedNode {
                node,
                role: "output",
            })
        } else {
            Ok(())
        }
    }

    /// Checks that `from -> to` joins two of the cell's vertices forward.
    fn check_edge(&self, from: usize, to: usize) -> Result<(), ArchError> {
        let n = self.len();
        if from >= n {
            return Err(ArchError::NoSuchNode {
                node: from,
                count: n,
            });
        }
        if to >= n {
            return Err(ArchError::NoSuchNode { node: to, count: n });
        }
        if from >= to {
            return Err(ArchError::BadEdge {
                from,
                to,
                rule: "edges go from a lower to a higher vertex",
            });
        }
        Ok(())
    }

    /// The cell with interior vertex `node` given the op named `to`.
    fn with_op(&self, node: usize, to: &str) -> Result<Cell, ArchError> {
        self.check_interior(node)?;
        let op = Op::parse_interior(to, node)?;
        ArchError::check_op_change(op == self.ops[node], node, to)?;
        let mut c = *self;
        c.ops[node] = op;
        Ok(c)
    }

    /// The cell with the edge `from -> to` added (`add`) or removed.
    fn with_edge(&self, from: usize, to: usize, add: bool) -> Result<Cell, ArchError> {
        self.check_edge(from, to)?;
        ArchError::check_edge_edit(add, self.has_edge(from, to), from, to)?;
        let mut c = *self;
        if add {
            c.rows[from] |= 1 << to;
        } else {
            c.rows[from] &= !(1 << to);
        }
        Ok(c)
    }

    /// The cell with a new vertex of op `layer` at index `to`, fed by
    /// `from` and feeding the old vertex `to` (which, with every vertex
    /// after it, moves up by one); an edge `from -> to` it replaces.
    fn with_node_on(&self, layer: &str, from: usize, to: usize) -> Result<Cell, ArchError> {
        let n = self.len();
        self.check_edge(from, to)?;
        if n >= MAX_VERTICES {
            return Err(ArchError::TooManyVertices {
                count: n + 1,
                max: MAX_VERTICES,
            });
        }
        let op = Op::parse_interior(layer, to)?;
        let split = self.has_edge(from, to);
        let shift = |r: u8| -> u16 {
            let low = r as u16 & ((1u16 << to) - 1);
            let high = (r as u16 >> to) << (to + 1);
            low | high
        };
        let mut rows = [0u8; MAX_VERTICES];
        let mut ops = [Op::Input; MAX_VERTICES];
        for v in 0..n {
            let nv = if v < to { v } else { v + 1 };
            rows[nv] = shift(self.rows[v]) as u8;
            ops[nv] = self.ops[v];
        }
        if split {
            rows[from] &= !(1 << (to + 1));
        }
        rows[from] |= 1 << to;
        rows[to] = 1 << (to + 1);
        ops[to] = op;
        Ok(Cell {
            n: (n + 1) as u8,
            rows,
            ops,
        })
    }

    /// The cell without interior vertex `node`: each of its inputs feeds
    /// each of its outputs instead.
    fn without_node(&self, node: usize) -> Result<Cell, ArchError> {
        let n = self.len();
        self.check_interior(node)?;
        let preds: Vec<usize> = (0..n).filter(|&p| self.has_edge(p, node)).collect();
        let succ_bits = self.rows[node];
        let mut rows = [0u8; MAX_VERTICES];
        let mut ops = [Op::Input; MAX_VERTICES];
        let squeeze = |r: u8| -> u8 {
            let low = r & ((1u8 << node) - 1);
            let high = (r >> (node + 1)) << node;
            low | high
        };
        for v in 0..n {
            if v == node {
                continue;
            }
            let mut r = self.rows[v];
            if preds.contains(&v) {
                r |= succ_bits;
            }
            let nv = if v < node { v } else { v - 1 };
            rows[nv] = squeeze(r);
            ops[nv] = self.ops[v];
        }
        Ok(Cell {
            n: (n - 1) as u8,
            rows,
            ops,
        })
    }
}

fn truncate(s: &str) -> String {
    if s.len() <= 80 {
        s.to_string()
    } else {
        let mut end = 77;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}...", &s[..end])
    }
}
