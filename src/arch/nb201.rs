//! NAS-Bench-201 cells (Dong & Yang, "NAS-Bench-201: Extending the Scope of
//! Reproducible Neural Architecture Search", ICLR 2020): 4 nodes, an op on
//! each of the 6 edges `j -> i` (j < i), written
//! `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`.

use super::{ArchError, Dag, Mutation};
use std::fmt;

/// The op on one edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    None,
    SkipConnect,
    NorConv1x1,
    NorConv3x3,
    AvgPool3x3,
}

impl Op {
    pub const ALL: [Op; 5] = [
        Op::None,
        Op::SkipConnect,
        Op::NorConv1x1,
        Op::NorConv3x3,
        Op::AvgPool3x3,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Op::None => "none",
            Op::SkipConnect => "skip_connect",
            Op::NorConv1x1 => "nor_conv_1x1",
            Op::NorConv3x3 => "nor_conv_3x3",
            Op::AvgPool3x3 => "avg_pool_3x3",
        }
    }

    pub fn parse(s: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|o| o.name() == s)
    }
}

/// The edges in string order: `(to, from)`.
pub const EDGES: [(usize, usize); 6] = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)];

/// A NAS-Bench-201 cell: `ops[e]` is the op on edge `EDGES[e]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cell {
    pub ops: [Op; 6],
}

const EXPECTED: &str = "none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3";

impl Cell {
    pub fn new(ops: [Op; 6]) -> Cell {
        Cell { ops }
    }

    /// Parses the standard string `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`.
    pub fn parse(text: &str) -> Result<Cell, ArchError> {
        let bad = |rule: String| ArchError::BadString {
            space: "nb201",
            text: text.to_string(),
            rule,
        };
        let groups: Vec<&str> = text.split('+').collect();
        if groups.len() != 3 {
            return Err(bad(format!(
                "expected 3 groups separated by '+', found {}",
                groups.len()
            )));
        }
        let mut ops = [Op::None; 6];
        let mut e = 0;
        for (g, group) in groups.iter().enumerate() {
            let node = g + 1;
            let inner = group
                .strip_prefix('|')
                .and_then(|s| s.strip_suffix('|'))
                .ok_or_else(|| bad(format!("group {node} must start and end with '|'")))?;
            let items: Vec<&str> = inner.split('|').collect();
            if items.len() != node {
                return Err(bad(format!(
                    "node {node} must have {node} input edge(s), found {}",
                    items.len()
                )));
            }
            for (j, item) in items.iter().enumerate() {
                let (op, from) = item
                    .split_once('~')
                    .ok_or_else(|| bad(format!("{item:?} is not op~input")))?;
                if from != j.to_string() {
                    return Err(bad(format!(
                        "edge {j} of node {node} must read from node {j}, not {from:?}"
                    )));
                }
                ops[e] = Op::parse(op).ok_or_else(|| ArchError::UnknownOp {
                    op: op.to_string(),
                    vertex: e,
                    expected: EXPECTED.to_string(),
                })?;
                e += 1;
            }
        }
        Ok(Cell { ops })
    }

    /// The display form: a DAG of layers. Every edge whose op is not `none`
    /// becomes a node; a layer on edge `j -> i` reads from the layers that
    /// end at node `j` (or the input when `j = 0`) and feeds the layers that
    /// start at node `i` (or the output when `i = 3`). `none` edges vanish.
    pub fn to_dag(&self) -> Dag {
        let mut nodes = vec!["input".to_string()];
        let mut id = [usize::MAX; 6];
        for (e, op) in self.ops.iter().enumerate() {
            if *op != Op::None {
                id[e] = nodes.len();
                nodes.push(op.name().to_string());
            }
        }
        let output = nodes.len();
        nodes.push("output".to_string());
        let mut edges = Vec::new();
        for (e, &(to, from)) in EDGES.iter().enumerate() {
            if id[e] == usize::MAX {
                continue;
            }
            if from == 0 {
                edges.push((0, id[e]));
            }
            if to == 3 {
                edges.push((id[e], output));
            }
            // layers ending at `from` feed this one
            for (p, &(pto, _)) in EDGES.iter().enumerate() {
                if pto == from && id[p] != usize::MAX {
                    edges.push((id[p], id[e]));
                }
            }
        }
        Dag::new(nodes, edges)
    }

    /// Edits: `change_op` on an edge index 0..6; `add_edge`/`remove_edge`
    /// between cell nodes 0..4 set a `none` edge to `nor_conv_3x3`, or an
    /// edge to `none`. Layers (nodes) are fixed in this space.
    pub fn mutate(&self, m: &Mutation) -> Result<Cell, ArchError> {
        let edge_index = |from: usize, to: usize| -> Result<usize, ArchError> {
            EDGES
                .iter()
                .position(|&(t, f)| t == to && f == from)
                .ok_or(ArchError::BadEdge {
                    from,
                    to,
                    rule: "NB-201 edges run from node j to node i with j < i <= 3",
                })
        };
        let mut c = *self;
        match m {
            Mutation::ChangeOp { node, to, .. } => {
                if *node >= 6 {
                    return Err(ArchError::NoSuchNode {
                        node: *node,
                        count: 6,
                    });
                }
                let op = Op::parse(to).ok_or_else(|| ArchError::UnknownOp {
                    op: to.clone(),
                    vertex: *node,
                    expected: EXPECTED.to_string(),
                })?;
                ArchError::check_op_change(op == c.ops[*node], *node, to)?;
                c.ops[*node] = op;
            }
            Mutation::AddEdge { from, to } | Mutation::RemoveEdge { from, to } => {
                let add = matches!(m, Mutation::AddEdge { .. });
                let e = edge_index(*from, *to)?;
                ArchError::check_edge_edit(add, c.ops[e] != Op::None, *from, *to)?;
                c.ops[e] = if add { Op::NorConv3x3 } else { Op::None };
            }
            Mutation::AddNode { .. } | Mutation::RemoveNode { .. } | Mutation::Rewire { .. } => {
                return Err(ArchError::NotApplicable {
                    mutation: m.kind(),
                    space: "NAS-Bench-201",
                    why: "the cell always has 4 nodes and 6 edges; change an edge's op instead",
                })
            }
        }
        Ok(c)
    }
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut e = 0;
        for node in 1..4 {
            if node > 1 {
                f.write_str("+")?;
            }
            f.write_str("|")?;
            for j in 0..node {
                write!(f, "{}~{}|", self.ops[e].name(), j)?;
                e += 1;
            }
        }
        Ok(())
    }
}

impl std::str::FromStr for Cell {
    type Err = ArchError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cell::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: &str =
        "|avg_pool_3x3~0|+|none~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|skip_connect~2|";

    #[test]
    fn parse_print_round_trip() {
        let c = Cell::parse(S).unwrap();
        assert_eq!(c.ops[0], Op::AvgPool3x3);
        assert_eq!(c.ops[1], Op::None);
        assert_eq!(c.ops[5], Op::SkipConnect);
        assert_eq!(c.to_string(), S);
    }

    #[test]
    fn dag_drops_none_edges() {
        let c = Cell::parse(S).unwrap();
        let d = c.to_dag();
        // input + 5 layers + output
        assert_eq!(d.len(), 7);
        assert!(!d.nodes.iter().any(|n| n == "none"));
        // avg_pool on 0->1 (node 1) feeds nor_conv_3x3 on 1->2 (node 2)
        assert!(d.has_edge(1, 2));
        // skip 2->3 (node 5) feeds the output
        assert!(d.has_edge(5, 6));
        assert!(d.has_edge(0, 1));
    }

    #[test]
    fn bad_strings_name_the_rule() {
        for (s, needle) in [
            ("|a~0|+|b~0|", "3 groups"),
            ("|none~0|+|none~0|+|none~0|none~1|none~2|", "2 input edge"),
            ("|none~1|+|none~0|none~1|+|none~0|none~1|none~2|", "node 0"),
            (
                "none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
                "start and end",
            ),
        ] {
            let e = Cell::parse(s).unwrap_err().to_string();
            assert!(e.contains(needle), "{s}: {e}");
        }
        let e = Cell::parse("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|").unwrap_err();
        assert!(matches!(e, ArchError::UnknownOp { .. }), "{e}");
    }

    #[test]
    fn mutations() {
        let c = Cell::parse(S).unwrap();
        let m = c
            .mutate(&Mutation::ChangeOp {
                node: 1,
                from: None,
                to: "nor_conv_1x1".into(),
            })
            .unwrap();
        assert_eq!(m.ops[1], Op::NorConv1x1);
        assert!(matches!(
            c.mutate(&Mutation::RemoveEdge { from: 0, to: 2 }),
            Err(ArchError::NoSuchEdge { .. })
        ));
        let r = c.mutate(&Mutation::RemoveEdge { from: 0, to: 1 }).unwrap();
        assert_eq!(r.ops[0], Op::None);
        assert!(matches!(
            c.mutate(&Mutation::AddEdge { from: 2, to: 1 }),
            Err(ArchError::BadEdge { .. })
        ));
        assert!(matches!(
            c.mutate(&Mutation::RemoveNode { node: 1 }),
            Err(ArchError::NotApplicable { .. })
        ));
    }
}
