//! Sequential layer lists: a chain `input -> layer -> ... -> output`, the
//! shape of records that list `layers` rather than a graph.

use super::{ArchError, Dag, Mutation};
use std::fmt;

/// A chain of layers; the first is the input and the last the output
/// when the list has them (any op name is accepted).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LayerList {
    pub layers: Vec<String>,
}

impl LayerList {
    pub fn new(layers: Vec<String>) -> Result<LayerList, ArchError> {
        if layers.is_empty() {
            return Err(ArchError::TooFewVertices { count: 0, min: 1 });
        }
        for (i, l) in layers.iter().enumerate() {
            if l.trim().is_empty() {
                return Err(ArchError::UnknownOp {
                    op: l.clone(),
                    vertex: i,
                    expected: "a non-empty layer name".into(),
                });
            }
        }
        Ok(LayerList { layers })
    }

    pub fn to_dag(&self) -> Dag {
        Dag::chain(self.layers.clone())
    }

    fn fixed(&self, node: usize) -> Option<&'static str> {
        let last = self.layers.len() - 1;
        if node == 0 && self.layers[0] == "input" {
            Some("input")
        } else if node == last && self.layers[last] == "output" {
            Some("output")
        } else {
            None
        }
    }

    /// Edits: `change_op` at a position, `add_node` between two adjacent
    /// positions (`to = from + 1`), `remove_node`. A chain has no free
    /// edges, so `add_edge`/`remove_edge` are refused.
    pub fn mutate(&self, m: &Mutation) -> Result<LayerList, ArchError> {
        let n = self.layers.len();
        let exists = |node: usize| {
            if node < n {
                Ok(())
            } else {
                Err(ArchError::NoSuchNode { node, count: n })
            }
        };
        let mut layers = self.layers.clone();
        match m {
            Mutation::ChangeOp { node, to, .. } => {
                exists(*node)?;
                if let Some(role) = self.fixed(*node) {
                    return Err(ArchError::FixedNode { node: *node, role });
                }
                ArchError::check_op_change(layers[*node] == *to, *node, to)?;
                layers[*node] = to.clone();
            }
            Mutation::AddNode { layer, from, to } => {
                exists(*from)?;
                exists(*to)?;
                if *to != *from + 1 {
                    return Err(ArchError::BadEdge {
                        from: *from,
                        to: *to,
                        rule: "a layer is inserted between two adjacent layers",
                    });
                }
                layers.insert(*to, layer.clone());
            }
            Mutation::RemoveNode { node } => {
                exists(*node)?;
                if let Some(role) = self.fixed(*node) {
                    return Err(ArchError::FixedNode { node: *node, role });
                }
                layers.remove(*node);
            }
            Mutation::AddEdge { .. } | Mutation::RemoveEdge { .. } | Mutation::Rewire { .. } => {
                return Err(ArchError::NotApplicable {
                    mutation: m.kind(),
                    space: "sequential",
                    why: "a chain's edges follow its layers; add or remove a layer instead",
                })
            }
        }
        LayerList::new(layers)
    }
}

impl fmt::Display for LayerList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.layers.join(" > "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(v: &[&str]) -> LayerList {
        LayerList::new(v.iter().map(|s| s.to_string()).collect()).unwrap()
    }

    #[test]
    fn chain_and_edits() {
        let a = l(&["input", "conv3x3", "output"]);
        assert_eq!(a.to_dag().edges, vec![(0, 1), (1, 2)]);
        let b = a
            .mutate(&Mutation::AddNode {
                layer: "maxpool".into(),
                from: 1,
                to: 2,
            })
            .unwrap();
        assert_eq!(b.layers, vec!["input", "conv3x3", "maxpool", "output"]);
        let c = b.mutate(&Mutation::RemoveNode { node: 1 }).unwrap();
        assert_eq!(c.layers, vec!["input", "maxpool", "output"]);
        assert!(matches!(
            c.mutate(&Mutation::RemoveNode { node: 0 }),
            Err(ArchError::FixedNode { .. })
        ));
        assert!(matches!(
            c.mutate(&Mutation::AddEdge { from: 0, to: 2 }),
            Err(ArchError::NotApplicable { .. })
        ));
        assert!(LayerList::new(vec![]).is_err());
    }
}
