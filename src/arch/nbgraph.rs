//! The NAS-Bench-Graph search space (Qin et al., NeurIPS 2022 Datasets and
//! Benchmarks; package `nas-bench-graph` 1.4.0, Apache-2.0).
//!
//! An architecture has four computing nodes. Node `i` takes one input,
//! `links[i]`: `0` is the raw input and `k` the `k`-th computing node, so
//! `links[i] <= i`. Computing nodes that no other node consumes feed the
//! output. Each node carries one of nine GNN ops.
//!
//! The benchmark stores one representative per class of equivalent
//! architectures; [`GraphArch::valid_hash`] maps any architecture to its
//! representative's key exactly as the package's `Arch.valid_hash()` does.

use std::fmt;
use std::str::FromStr;

use super::{ArchError, Dag, Mutation};

/// A GNN operation, in the package's `gnn_list` order (the order gives the
/// op's digit in a hash).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GnnOp {
    /// Graph attention, 2 heads.
    Gat,
    Gcn,
    Gin,
    /// ChebNet.
    Cheb,
    /// GraphSAGE.
    Sage,
    Arma,
    /// k-GNN (`GraphConv`).
    Graph,
    /// Fully connected (no message passing).
    Fc,
    /// Identity.
    Skip,
}

impl GnnOp {
    /// All ops, in index order.
    pub const ALL: [GnnOp; 9] = [
        GnnOp::Gat,
        GnnOp::Gcn,
        GnnOp::Gin,
        GnnOp::Cheb,
        GnnOp::Sage,
        GnnOp::Arma,
        GnnOp::Graph,
        GnnOp::Fc,
        GnnOp::Skip,
    ];

    /// The reduced op set of the Proteins dataset (`gnn_list_proteins`).
    pub(crate) const PROTEINS: [GnnOp; 5] =
        [GnnOp::Gcn, GnnOp::Sage, GnnOp::Arma, GnnOp::Fc, GnnOp::Skip];

    /// The package's name of the op.
    pub fn name(self) -> &'static str {
        match self {
            GnnOp::Gat => "gat",
            GnnOp::Gcn => "gcn",
            GnnOp::Gin => "gin",
            GnnOp::Cheb => "cheb",
            GnnOp::Sage => "sage",
            GnnOp::Arma => "arma",
            GnnOp::Graph => "graph",
            GnnOp::Fc => "fc",
            GnnOp::Skip => "skip",
        }
    }

    /// Position in `gnn_list` (0..9).
    pub fn index(self) -> u8 {
        self as u8
    }

    pub fn from_index(i: u8) -> Option<GnnOp> {
        GnnOp::ALL.get(usize::from(i)).copied()
    }

    /// Parses an op name (case-insensitive) for computing node `node`.
    pub fn parse(s: &str, node: usize) -> Result<GnnOp, ArchError> {
        // the names as written, without making a lowercase copy
        if let Some(&op) = GnnOp::ALL.iter().find(|op| op.name() == s) {
            return Ok(op);
        }
        let lower = s.trim().to_ascii_lowercase();
        GnnOp::ALL
            .iter()
            .copied()
            .find(|op| op.name() == lower)
            .ok_or_else(|| ArchError::UnknownOp {
                op: s.to_string(),
                vertex: node,
                expected: GnnOp::ALL
                    .iter()
                    .map(|op| op.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

impl FromStr for GnnOp {
    type Err = ArchError;
    /// Like [`GnnOp::parse`]; the error names node 0, since no node is known.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        GnnOp::parse(s, 0)
    }
}

impl fmt::Display for GnnOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The package's `link_list`: the 9 link patterns of canonical
/// architectures; the position is the leading digit of a hash.
pub const LINK_LIST: [[u8; 4]; 9] = [
    [0, 0, 0, 0],
    [0, 0, 0, 1],
    [0, 0, 1, 1],
    [0, 0, 1, 2],
    [0, 0, 1, 3],
    [0, 1, 1, 1],
    [0, 1, 1, 2],
    [0, 1, 2, 2],
    [0, 1, 2, 3],
];

/// Number of computing nodes.
pub(crate) const NODES: usize = 4;

/// A NAS-Bench-Graph architecture: four computing nodes, node `i` fed by
/// `links[i]` (0 = raw input, `k` = `k`-th computing node) and running
/// `ops[i]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GraphArch {
    pub links: [u8; 4],
    pub ops: [GnnOp; 4],
}

/// Places of [`GraphArch::slot`]: 24 ways to link 4 nodes, 9^4 op choices.
pub const SLOTS: usize = 24 * 6561;

impl GraphArch {
    /// This architecture's place among all of them (`0..SLOTS`), when its
    /// links follow the space's rule (`links[i] <= i`): a table indexed by
    /// it finds an architecture without hashing.
    pub fn slot(&self) -> Option<usize> {
        let mut k = 0;
        for (i, &l) in self.links.iter().enumerate() {
            let l = usize::from(l);
            if l > i {
                return None;
            }
            k = k * (i + 1) + l;
        }
        Some(
            self.ops
                .iter()
                .fold(k, |k, op| k * 9 + usize::from(op.index())),
        )
    }

    /// A validated architecture: `links[i] <= i` and not all ops `skip`.
    pub fn new(links: [u8; 4], ops: [GnnOp; 4]) -> Result<Self, ArchError> {
        let a = GraphArch { links, ops };
        a.validate()?;
        Ok(a)
    }

    /// Parses op names (exactly four).
    pub fn from_names<S: AsRef<str>>(links: [u8; 4], ops: &[S]) -> Result<Self, ArchError> {
        if ops.len() != NODES {
            return Err(ArchError::OpCountMismatch {
                vertices: NODES,
                ops: ops.len(),
            });
        }
        let mut parsed = [GnnOp::Skip; 4];
        for (i, (slot, name)) in parsed.iter_mut().zip(ops).enumerate() {
            *slot = GnnOp::parse(name.as_ref(), i)?;
        }
        GraphArch::new(links, parsed)
    }

    /// Checks the rules [`GraphArch::new`] enforces (the fields are public).
    pub fn validate(&self) -> Result<(), ArchError> {
        for (i, &l) in self.links.iter().enumerate() {
            if usize::from(l) > i {
                return Err(ArchError::BadLink {
                    node: i,
                    link: usize::from(l),
                    rule: "node i's input must be 0 (the raw input) or an earlier computing node 1..=i",
                });
            }
        }
        if self.ops.iter().all(|&o| o == GnnOp::Skip) {
            return Err(ArchError::AllSkip);
        }
        Ok(())
    }

    /// Whether computing node `i` (0..4) feeds the output (no node consumes it).
    pub(crate) fn is_leaf(&self, i: usize) -> bool {
        i < NODES && !self.links.iter().any(|&l| usize::from(l) == i + 1)
    }

    /// Position of `links` in [`LINK_LIST`].
    pub fn link_index(&self) -> Option<usize> {
        LINK_LIST.iter().position(|l| *l == self.links)
    }

    /// The package's `Arch.hash_arch()`: `link_index * 10^4 + op0 * 10^3 +
    /// op1 * 10^2 + op2 * 10 + op3`. `None` when `links` is not one of the
    /// 9 patterns in [`LINK_LIST`] (the package fails there).
    pub fn hash_arch(&self) -> Option<u32> {
        let mut h = u32::try_from(self.link_index()?).ok()?;
        for op in self.ops {
            h = h * 10 + u32::from(op.index());
        }
        Some(h)
    }

    /// Decodes a hash made by [`GraphArch::hash_arch`]; `None` for numbers
    /// that are not one (or that decode to all-`skip`).
    pub fn from_hash(hash: u32) -> Option<GraphArch> {
        if hash > 88_888 {
            return None;
        }
        let links = *LINK_LIST.get(usize::try_from(hash / 10_000).ok()?)?;
        let mut ops = [GnnOp::Skip; 4];
        for (k, slot) in ops.iter_mut().enumerate() {
            let digit = (hash / 10u32.pow(3 - k as u32)) % 10;
            *slot = GnnOp::from_index(u8::try_from(digit).ok()?)?;
        }
        GraphArch::new(links, ops).ok()
    }

    /// The canonical representative of this architecture's class: the
    /// package's `regularize`, `move_skip_op` and `equalpart_sort`, in that
    /// order, ported with their exact behaviour.
    pub fn canonical(&self) -> Result<GraphArch, ArchError> {
        self.validate()?;
        let (links, ops) = regularize(self.links, self.ops);
        let (links, ops) = move_skip_op(links, ops).ok_or_else(|| no_form(self))?;
        let ops = equalpart_sort(&links, ops);
        let mut out = [0u8; 4];
        for (o, &l) in out.iter_mut().zip(&links) {
            *o = u8::try_from(l).map_err(|_| no_form(self))?;
        }
        let canon = GraphArch { links: out, ops };
        if canon.link_index().is_none() {
            return Err(no_form(self));
        }
        Ok(canon)
    }

    /// The package's `Arch.valid_hash()`: the benchmark key of this
    /// architecture's canonical representative.
    pub fn valid_hash(&self) -> Result<u32, ArchError> {
        self.canonical()?.hash_arch().ok_or_else(|| no_form(self))
    }

    /// Whether this architecture is its own canonical representative.
    #[cfg(test)]
    fn is_canonical(&self) -> bool {
        self.canonical().is_ok_and(|c| c == *self)
    }

    /// The drawable DAG: node 0 `input`, nodes 1..=4 the computing nodes,
    /// node 5 `output`; edges `links[i] -> i+1` and leaf -> output.
    pub fn to_dag(&self) -> Dag {
        let mut nodes = Vec::with_capacity(NODES + 2);
        nodes.push("input".to_string());
        nodes.extend(self.ops.iter().map(|o| o.name().to_string()));
        nodes.push("output".to_string());
        let mut edges = Vec::with_capacity(2 * NODES);
        for (i, &l) in self.links.iter().enumerate() {
            edges.push((usize::from(l), i + 1));
            if self.is_leaf(i) {
                edges.push((i + 1, NODES + 1));
            }
        }
        Dag::new(nodes, edges)
    }

    /// The architecture with link slot `slot` set to `link`; `to` is the
    /// node it feeds, as an error names it.
    fn with_link(&self, slot: usize, link: usize, to: usize) -> Result<GraphArch, ArchError> {
        let mut links = self.links;
        links[slot] = u8::try_from(link).map_err(|_| ArchError::BadEdge {
            from: link,
            to,
            rule: "link out of range",
        })?;
        GraphArch::new(links, self.ops)
    }

    /// Applies an edit. `ChangeOp { node, to }` sets computing node `node`
    /// (0..4). `AddEdge { from, to }` rewires computing node `to` (0..4) to
    /// take its single input from `from` in link numbering (0 = raw input,
    /// `k` = `k`-th computing node, so `from <= to`). Removing edges and
    /// adding or removing nodes do not apply: the space has four nodes with
    /// exactly one input each.
    pub fn mutate(&self, m: &Mutation) -> Result<GraphArch, ArchError> {
        match m {
            Mutation::ChangeOp { node, to, .. } => {
                let node = *node;
                let Some(&current) = self.ops.get(node) else {
                    return Err(ArchError::NoSuchNode { node, count: NODES });
                };
                let op = GnnOp::parse(to, node)?;
                ArchError::check_op_change(op == current, node, op.name())?;
                let mut ops = self.ops;
                ops[node] = op;
                GraphArch::new(self.links, ops)
            }
            Mutation::AddEdge { from, to } => {
                let (from, to) = (*from, *to);
                let Some(&current) = self.links.get(to) else {
                    return Err(ArchError::NoSuchNode {
                        node: to,
                        count: NODES,
                    });
                };
                if from > to {
                    return Err(ArchError::BadEdge {
                        from,
                        to,
                        rule: "computing node `to` can only take its input from the raw input (0) or an earlier node (1..=to)",
                    });
                }
                if usize::from(current) == from {
                    return Err(ArchError::EdgeExists { from, to });
                }
                // `from <= to < 4`, so it fits.
                self.with_link(to, from, to)
            }
            Mutation::RemoveEdge { .. } => Err(ArchError::NotApplicable {
                mutation: "remove_edge",
                space: "nbgraph",
                why: "every NAS-Bench-Graph node has exactly one input; rewire it with add_edge instead",
            }),
            Mutation::AddNode { .. } => Err(ArchError::NotApplicable {
                mutation: "add_node",
                space: "nbgraph",
                why: "NAS-Bench-Graph architectures have exactly four computing nodes; change an op instead",
            }),
            Mutation::Rewire { node, from, to } => {
                let (node, from, to) = (*node, *from, *to);
                // DAG numbering: computing node `node` is link slot `node - 1`
                let Some(&current) = node.checked_sub(1).and_then(|i| self.links.get(i)) else {
                    return Err(ArchError::NoSuchNode {
                        node,
                        count: NODES,
                    });
                };
                if usize::from(current) != from {
                    return Err(ArchError::BadEdge {
                        from,
                        to: node,
                        rule: "rewire: `from` must be the node's current input",
                    });
                }
                if to >= node {
                    return Err(ArchError::BadEdge {
                        from: to,
                        to: node,
                        rule: "a node takes its input from the raw input (0) or an earlier node",
                    });
                }
                if to == from {
                    return Err(ArchError::EdgeExists { from: to, to: node });
                }
                self.with_link(node - 1, to, node)
            }
            Mutation::RemoveNode { .. } => Err(ArchError::NotApplicable {
                mutation: "remove_node",
                space: "nbgraph",
                why: "NAS-Bench-Graph architectures have exactly four computing nodes; set the node's op to skip to bypass it",
            }),
        }
    }
}

impl fmt::Display for GraphArch {
    /// `links 0 0 1 2, ops gcn gat gin skip`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [l0, l1, l2, l3] = self.links;
        let [o0, o1, o2, o3] = self.ops;
        write!(f, "links {l0} {l1} {l2} {l3}, ops {o0} {o1} {o2} {o3}")
    }
}

fn no_form(a: &GraphArch) -> ArchError {
    ArchError::NoCanonicalForm {
        links: a.links.iter().map(|&l| usize::from(l)).collect(),
    }
}

/// `Arch.regularize()`: rewrites 15 link patterns outside `link_list` to
/// equivalent ones, permuting the ops accordingly.
fn regularize(lk: [u8; 4], o: [GnnOp; 4]) -> ([u8; 4], [GnnOp; 4]) {
    let [a, b, c, d] = o;
    match lk {
        [0, 0, 0, 2] => ([0, 0, 0, 1], [b, a, c, d]),
        [0, 0, 0, 3] => ([0, 0, 0, 1], [c, a, b, d]),
        [0, 0, 1, 0] => ([0, 0, 0, 1], [a, b, d, c]),
        [0, 0, 2, 0] => ([0, 0, 0, 1], [b, a, d, c]),
        [0, 0, 2, 1] => ([0, 0, 1, 2], [b, a, c, d]),
        [0, 0, 2, 2] => ([0, 0, 1, 1], [b, a, c, d]),
        [0, 0, 2, 3] => ([0, 0, 1, 3], [b, a, c, d]),
        [0, 1, 0, 0] => ([0, 0, 0, 1], [a, c, d, b]),
        [0, 1, 0, 1] => ([0, 0, 1, 1], [a, c, b, d]),
        [0, 1, 0, 2] => ([0, 0, 1, 3], [a, c, b, d]),
        [0, 1, 0, 3] => ([0, 0, 1, 2], [a, c, b, d]),
        [0, 1, 1, 0] => ([0, 0, 1, 1], [a, d, b, c]),
        [0, 1, 1, 3] => ([0, 1, 1, 2], [a, c, b, d]),
        [0, 1, 2, 0] => ([0, 0, 1, 3], [a, d, b, c]),
        [0, 1, 2, 1] => ([0, 1, 1, 2], [a, b, d, c]),
        _ => (lk, o),
    }
}

/// `Arch.move_skip_op()`: moves `skip` nodes that act as identities to the
/// front. Links are kept as `i64` because the package's arithmetic is on
/// unbounded ints; `None` where the package would raise (an index out of
/// range) or loop forever.
fn move_skip_op(lk: [u8; 4], o: [GnnOp; 4]) -> Option<([i64; 4], [GnnOp; 4])> {
    let mut link = lk.map(i64::from);
    let mut ops = o;
    for i in 0..NODES {
        if ops[i] != GnnOp::Skip {
            continue;
        }
        let me = *link.get(i)?;
        let mut son = false;
        let mut brother = false;
        for (j, &fa) in link.iter().enumerate() {
            if fa == i as i64 + 1 {
                son = true;
            } else if j != i && fa == me {
                brother = true;
            }
        }
        // Python: `son or not brother or check_dim(i, link, ops) and not son`;
        // the last `not son` is redundant, and check_dim runs in the same cases.
        if son || !brother || check_dim(i, &link, &ops)? {
            (link, ops) = move_one(i, link, ops)?;
        }
    }
    if link == [0, 1, 2, 1] {
        link = [0, 1, 1, 2];
        ops = [ops[0], ops[1], ops[3], ops[2]];
    } else if link == [0, 1, 1, 3] {
        link = [0, 1, 1, 2];
        ops = [ops[0], ops[2], ops[1], ops[3]];
    }
    Some((link, ops))
}

/// `first`, then the items of `xs` but the `k`-th (`k < 4`), in order.
fn front_and_rest<T: Copy>(first: T, xs: &[T; 4], k: usize) -> [T; 4] {
    let mut out = [first; 4];
    let rest = xs.iter().enumerate().filter(|&(j, _)| j != k);
    for (slot, (_, &x)) in out.iter_mut().skip(1).zip(rest) {
        *slot = x;
    }
    out
}

/// `move_skip_op.move_one`: node `k` moves to the front. The package
/// updates `link` in place while iterating, so a later node that reads
/// `link[k]` sees it already incremented; this keeps that order.
fn move_one(k: usize, mut link: [i64; 4], ops: [GnnOp; 4]) -> Option<([i64; 4], [GnnOp; 4])> {
    let new_ops = front_and_rest(*ops.get(k)?, &ops, k);
    let kk = k as i64;
    for i in 0..NODES {
        let father = link[i];
        if father == kk + 1 {
            link[i] = *link.get(k)?;
        }
        if father <= kk {
            link[i] += 1;
        }
    }
    Some((front_and_rest(0, &link, k), new_ops))
}

/// `move_skip_op.check_dim`: whether node `k` and every node above it up to
/// the raw input are `skip` (its output is the input itself).
fn check_dim(k: usize, link: &[i64; 4], ops: &[GnnOp; 4]) -> Option<bool> {
    let mut k = k as i64;
    // Each step moves to a strictly earlier node for any link vector the
    // package accepts; the bound turns the package's endless loop on a
    // malformed one into `None`.
    for _ in 0..=NODES {
        if k <= -1 {
            return Some(true);
        }
        let ku = usize::try_from(k).ok()?;
        if *ops.get(ku)? != GnnOp::Skip {
            return Some(false);
        }
        k = link.get(ku)? - 1;
    }
    None
}

/// `Arch.equalpart_sort()`: sorts ops at interchangeable positions. For
/// links `[0,0,1,2]` the package compares the ops list as it was on entry
/// (`op`), which here is the same list as the one it swaps.
fn equalpart_sort(link: &[i64; 4], ops: [GnnOp; 4]) -> [GnnOp; 4] {
    let ids: &[usize] = match link {
        [0, 0, 0, 0] => &[0, 1, 2, 3],
        [0, 0, 0, 1] => &[1, 2],
        [0, 0, 1, 1] => &[2, 3],
        [0, 0, 1, 2] => {
            let op = ops;
            let [a, b, c, d] = ops;
            if op[0] > op[1] || (op[0] == op[1] && op[2] > op[3]) {
                return [b, a, d, c];
            }
            return ops;
        }
        [0, 1, 1, 1] => &[1, 2, 3],
        [0, 1, 2, 2] => &[2, 3],
        _ => &[],
    };
    let mut buf = [GnnOp::Skip; 4];
    for (slot, &i) in buf.iter_mut().zip(ids) {
        *slot = ops[i];
    }
    let sorted = &mut buf[..ids.len()];
    sorted.sort_unstable();
    let mut out = ops;
    for (&pos, &op) in ids.iter().zip(sorted.iter()) {
        out[pos] = op;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use GnnOp::*;

    fn arch(links: [u8; 4], ops: [GnnOp; 4]) -> GraphArch {
        GraphArch::new(links, ops).unwrap()
    }

    #[test]
    fn op_names_round_trip() {
        for (i, op) in GnnOp::ALL.iter().enumerate() {
            assert_eq!(op.index() as usize, i);
            assert_eq!(GnnOp::from_index(i as u8), Some(*op));
            assert_eq!(op.name().parse::<GnnOp>().unwrap(), *op);
        }
        assert_eq!(GnnOp::from_index(9), None);
        assert_eq!(GnnOp::parse("GCN", 1).unwrap(), Gcn);
    }

    #[test]
    fn unknown_op_names_op_node_and_list() {
        let e = GnnOp::parse("conv3x3", 2).unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, ArchError::UnknownOp { vertex: 2, .. }));
        assert!(msg.contains("conv3x3") && msg.contains("vertex 2"), "{msg}");
        assert!(msg.contains("gat, gcn, gin, cheb, sage, arma, graph, fc, skip"));
        let e = GraphArch::from_names([0, 0, 0, 0], &["gcn", "gcn", "gcn", "nope"]).unwrap_err();
        assert!(matches!(e, ArchError::UnknownOp { vertex: 3, .. }));
        let e = GraphArch::from_names([0, 0, 0, 0], &["gcn"]).unwrap_err();
        assert!(matches!(e, ArchError::OpCountMismatch { ops: 1, .. }));
    }

    #[test]
    fn validation() {
        assert!(matches!(
            GraphArch::new([0, 2, 0, 0], [Gcn; 4]),
            Err(ArchError::BadLink {
                node: 1,
                link: 2,
                ..
            })
        ));
        assert!(matches!(
            GraphArch::new([1, 0, 0, 0], [Gcn; 4]),
            Err(ArchError::BadLink { node: 0, .. })
        ));
        assert_eq!(
            GraphArch::new([0, 1, 2, 3], [Skip; 4]),
            Err(ArchError::AllSkip)
        );
        assert!(GraphArch::new([0, 1, 2, 3], [Skip, Skip, Skip, Gat]).is_ok());
    }

    #[test]
    fn hash_encode_decode_round_trip() {
        let a = arch([0, 1, 2, 3], [Gat, Gcn, Fc, Skip]);
        assert_eq!(a.hash_arch(), Some(80178));
        assert_eq!(GraphArch::from_hash(80178), Some(a));
        assert_eq!(arch([0, 0, 0, 0], [Gat; 4]).hash_arch(), Some(0));
        // Not one of the 9 link patterns.
        assert_eq!(arch([0, 0, 0, 2], [Gat; 4]).hash_arch(), None);
        let mut n = 0;
        for h in 0..=100_000u32 {
            if let Some(a) = GraphArch::from_hash(h) {
                assert_eq!(a.hash_arch(), Some(h));
                n += 1;
            }
        }
        assert_eq!(n, 9 * (9usize.pow(4) - 1));
        assert_eq!(GraphArch::from_hash(8888), None); // all skip
        assert_eq!(GraphArch::from_hash(90000), None);
        assert_eq!(GraphArch::from_hash(9), None);
    }

    #[test]
    fn valid_hash_known_cases() {
        // Expected values from the package's `Arch(link, ops).valid_hash()`.
        let cases = [
            ([0, 0, 0, 2], [Gcn, Gat, Gin, Sage], 10124),
            ([0, 0, 1, 2], [Gcn, Gat, Sage, Gin], 30124),
            ([0, 1, 2, 3], [Gat, Gcn, Fc, Skip], 88017),
            ([0, 1, 2, 3], [Gat, Gcn, Fc, Sage], 80174),
            ([0, 0, 0, 0], [Skip, Gcn, Gcn, Skip], 78811),
            ([0, 1, 2, 3], [Skip, Skip, Gcn, Gcn], 88811),
        ];
        for (links, ops, want) in cases {
            let a = arch(links, ops);
            assert_eq!(a.valid_hash(), Ok(want), "{a}");
            let c = GraphArch::from_hash(want).unwrap();
            assert_eq!(a.canonical(), Ok(c.clone()));
            assert_eq!(c.valid_hash(), Ok(want));
            assert!(c.is_canonical());
        }
        // The package's own example in `check_isom`.
        assert!(!arch([0, 0, 0, 0], [Skip, Gcn, Gcn, Skip]).is_canonical());
    }

    #[test]
    fn canonical_never_fails_on_valid_archs() {
        for l1 in 0..=1 {
            for l2 in 0..=2 {
                for l3 in 0..=3 {
                    for code in 0..9u32.pow(4) {
                        let ops = [3, 2, 1, 0]
                            .map(|k| GnnOp::from_index(((code / 9u32.pow(k)) % 9) as u8).unwrap());
                        let Ok(a) = GraphArch::new([0, l1, l2, l3], ops) else {
                            continue;
                        };
                        let c = a.canonical().unwrap();
                        assert!(c.is_canonical(), "{a} -> {c}");
                    }
                }
            }
        }
    }

    #[test]
    fn invalid_fields_are_reported_not_panicked() {
        let a = GraphArch {
            links: [0, 3, 9, 0],
            ops: [Skip, Skip, Gcn, Skip],
        };
        assert!(matches!(a.valid_hash(), Err(ArchError::BadLink { .. })));
    }

    #[test]
    fn dag_shape() {
        let a = arch([0, 0, 1, 2], [Gat, Gcn, Gin, Sage]);
        let d = a.to_dag();
        assert_eq!(d.nodes, ["input", "gat", "gcn", "gin", "sage", "output"]);
        assert_eq!(
            d.edges,
            vec![(0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 5)]
        );
        let d = arch([0, 0, 0, 0], [Gat; 4]).to_dag();
        let preds: Vec<usize> = d.edges.iter().filter(|e| e.1 == 5).map(|e| e.0).collect();
        assert_eq!(preds, vec![1, 2, 3, 4]);
        let d = arch([0, 1, 2, 3], [Gat; 4]).to_dag();
        assert_eq!(d.edges, vec![(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)]);
    }

    #[test]
    fn mutations() {
        let a = arch([0, 0, 1, 2], [Gat, Gcn, Gin, Sage]);
        let m = |node, to: &str| Mutation::ChangeOp {
            node,
            from: None,
            to: to.into(),
        };
        assert_eq!(a.mutate(&m(2, "fc")).unwrap().ops, [Gat, Gcn, Fc, Sage]);
        assert!(matches!(
            a.mutate(&m(2, "gin")),
            Err(ArchError::SameOp { node: 2, .. })
        ));
        assert!(matches!(
            a.mutate(&m(4, "gin")),
            Err(ArchError::NoSuchNode { node: 4, count: 4 })
        ));
        assert!(matches!(
            a.mutate(&m(1, "zzz")),
            Err(ArchError::UnknownOp { vertex: 1, .. })
        ));
        let s = arch([0, 0, 1, 2], [Skip, Skip, Skip, Gat]);
        assert_eq!(s.mutate(&m(3, "skip")), Err(ArchError::AllSkip));

        let e = |from, to| Mutation::AddEdge { from, to };
        assert_eq!(a.mutate(&e(3, 3)).unwrap().links, [0, 0, 1, 3]);
        assert_eq!(a.mutate(&e(0, 2)).unwrap().links, [0, 0, 0, 2]);
        assert_eq!(
            a.mutate(&e(1, 2)),
            Err(ArchError::EdgeExists { from: 1, to: 2 })
        );
        assert!(matches!(
            a.mutate(&e(3, 2)),
            Err(ArchError::BadEdge { from: 3, to: 2, .. })
        ));
        assert!(matches!(
            a.mutate(&e(0, 4)),
            Err(ArchError::NoSuchNode { node: 4, .. })
        ));
        for m in [
            Mutation::RemoveEdge { from: 0, to: 1 },
            Mutation::AddNode {
                layer: "gcn".into(),
                from: 0,
                to: 1,
            },
            Mutation::RemoveNode { node: 1 },
        ] {
            assert!(matches!(
                a.mutate(&m),
                Err(ArchError::NotApplicable {
                    space: "nbgraph",
                    ..
                })
            ));
        }
    }
}
