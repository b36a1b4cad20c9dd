//! What a user can do to an architecture by hand, space by space: the
//! edits that apply to a layer or an edge of the DAG the views draw, each
//! as the [`Mutation`] it records, the architecture it gives or why the
//! space refuses it, and (through a [`Benchmark`]) what it would score.
//!
//! Targets are in the numbering of the drawn DAG
//! ([`Arch::evaluated_dag`]); the mutations are in each space's own
//! numbering (see [`crate::arch::mutation`]), so the recorded edit applied
//! to the base trial's architecture gives the new trial.
//!
//! The rules, enforced with a reason shown to the user:
//! - NAS-Bench-101: at most 7 vertices and 9 edges, edges run forward, and
//!   every vertex must lie on an input -> output path (checked by
//!   [`crate::arch::nb101::Cell::mutate`]).
//! - NAS-Bench-201: a fixed topology; only ops change (`none` removes a
//!   layer, `skip_connect` makes it an identity).
//! - NAS-Bench-Graph: four computing nodes with one input each; ops change,
//!   a node's input moves to the raw input or an earlier node, and
//!   deleting a layer makes it a `skip`.
//! - Layer lists: insert, delete or change a layer anywhere.

use super::Benchmark;
use crate::arch::{nb101, nb201, nbgraph, Arch, Mutation, Space};
use crate::table::Metrics;

/// A layer or an edge of the drawn DAG.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EditTarget {
    Node(usize),
    Edge(usize, usize),
}

/// What the user asks to do to a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EditKind {
    /// Insert a layer on an edge, or after a layer.
    AddLayer,
    /// Delete a layer (the space's reconnection rule applies).
    DeleteLayer,
    /// Give a layer another op.
    ChangeOp,
    /// Remove an edge (in NAS-Bench-Graph: move the node's input).
    RemoveEdge,
    /// Add an edge from the target layer to this layer.
    AddEdge { to: usize },
}

impl EditKind {
    /// The words of a menu title.
    pub(crate) fn verb(self) -> &'static str {
        match self {
            EditKind::AddLayer => "add a layer",
            EditKind::DeleteLayer => "delete the layer",
            EditKind::ChangeOp => "change the op",
            EditKind::RemoveEdge => "remove the edge",
            EditKind::AddEdge { .. } => "add an edge",
        }
    }
}

/// One possible edit: how a menu names it, the mutation recorded, and the
/// architecture it gives (or why the space refuses it).
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub label: String,
    pub mutation: Mutation,
    pub arch: Result<Arch, String>,
}

/// A candidate with what the benchmark says of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Preview {
    pub candidate: Candidate,
    /// The benchmark's metrics, or why there are none (a refused edit, an
    /// architecture the table does not hold).
    pub metrics: Result<Metrics, String>,
}

/// The layers and edges of `arch` a user can point at, in the order Tab
/// walks them: layers in DAG order, then edges.
pub fn targets(arch: &Arch) -> Vec<EditTarget> {
    let dag = arch.evaluated_dag();
    let mut t: Vec<EditTarget> = (0..dag.nodes.len()).map(EditTarget::Node).collect();
    t.extend(dag.edges.iter().map(|&(a, b)| EditTarget::Edge(a, b)));
    t
}

/// The ops a user can choose in `space` when no benchmark says otherwise.
pub fn default_ops(space: Space) -> Vec<String> {
    match space {
        Space::Nb101 => nb101::Op::INTERIOR
            .iter()
            .map(|o| o.name().to_string())
            .collect(),
        Space::Nb201 => nb201::Op::ALL
            .iter()
            .map(|o| o.name().to_string())
            .collect(),
        Space::NbGraph => nbgraph::GnnOp::ALL
            .iter()
            .map(|o| o.name().to_string())
            .collect(),
        Space::Sequential => [
            "conv3x3",
            "conv1x1",
            "maxpool",
            "relu",
            "batchnorm",
            "dense",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    }
}

fn candidate(arch: &Arch, label: String, mutation: Mutation) -> Candidate {
    let result = arch.mutate(&mutation).map_err(|e| e.to_string());
    Candidate {
        label,
        mutation,
        arch: result,
    }
}

/// The edits of `kind` on `target` of `arch`, one per choice (an op, an
/// input), with `ops` the space's ops. `Err` says why this kind of edit
/// does not apply to the target at all.
pub fn candidates(
    arch: &Arch,
    target: EditTarget,
    kind: EditKind,
    ops: &[String],
) -> Result<Vec<Candidate>, String> {
    let dag = arch.evaluated_dag();
    let n = dag.nodes.len();
    match target {
        EditTarget::Node(i) if i >= n => return Err(format!("there is no layer {i}")),
        EditTarget::Edge(a, b) if !dag.has_edge(a, b) => {
            return Err(format!("there is no edge {a} -> {b}"))
        }
        _ => {}
    }
    if let EditKind::AddEdge { to } = kind {
        if to >= n {
            return Err(format!("there is no layer {to}"));
        }
    }
    match arch {
        Arch::Nb101(c) => nb101_edits(arch, c, target, kind, ops)
            .map(|cs| cs.into_iter().map(connected).collect()),
        Arch::Nb201(c) => nb201_edits(arch, c, target, kind, ops),
        Arch::NbGraph(g) => nbgraph_edits(arch, g, target, kind, ops),
        Arch::Sequential(_) => sequential_edits(arch, n, target, kind, ops),
    }
}

fn op_choices(
    arch: &Arch,
    current: &str,
    ops: &[String],
    make: impl Fn(&str) -> Mutation,
) -> Vec<Candidate> {
    ops.iter()
        .filter(|o| o.as_str() != current)
        .map(|o| candidate(arch, o.clone(), make(o)))
        .collect()
}

fn nb101_edits(
    arch: &Arch,
    c: &nb101::Cell,
    target: EditTarget,
    kind: EditKind,
    ops: &[String],
) -> Result<Vec<Candidate>, String> {
    // the drawn DAG is the pruned cell: map its vertices back
    let kept = c.kept_vertices();
    let v = |i: usize| kept.get(i).copied().unwrap_or(i);
    let last = c.len() - 1;
    let fixed = |i: usize| -> Option<String> {
        let role = if v(i) == 0 {
            "input"
        } else if v(i) == last {
            "output"
        } else {
            return None;
        };
        Some(format!("the {role} vertex is fixed in NAS-Bench-101"))
    };
    match (kind, target) {
        (EditKind::ChangeOp, EditTarget::Node(i)) => {
            if let Some(r) = fixed(i) {
                return Err(r);
            }
            let node = v(i);
            let from = c.op(node).name().to_string();
            Ok(op_choices(arch, &from, ops, |o| Mutation::ChangeOp {
                node,
                from: Some(from.clone()),
                to: o.to_string(),
            }))
        }
        (EditKind::DeleteLayer, EditTarget::Node(i)) => {
            if let Some(r) = fixed(i) {
                return Err(r);
            }
            let node = v(i);
            Ok(vec![candidate(
                arch,
                format!("delete {} (inputs joined to outputs)", c.op(node).name()),
                Mutation::RemoveNode { node },
            )])
        }
        (EditKind::AddLayer, t) => {
            let (from, to, where_) = match t {
                EditTarget::Edge(a, b) => (v(a), v(b), "on the edge"),
                EditTarget::Node(i) if v(i) == last => {
                    return Err("nothing comes after the output vertex; pick an edge".into())
                }
                EditTarget::Node(i) => (v(i), last, "after it, into the output"),
            };
            if c.len() >= nb101::MAX_VERTICES {
                return Err(format!(
                    "the cell has {} vertices, NAS-Bench-101's most; delete one first",
                    c.len()
                ));
            }
            Ok(ops
                .iter()
                .map(|o| {
                    candidate(
                        arch,
                        format!("{o} {where_}"),
                        Mutation::AddNode {
                            layer: o.clone(),
                            from,
                            to,
                        },
                    )
                })
                .collect())
        }
        (EditKind::RemoveEdge, EditTarget::Edge(a, b)) => Ok(vec![candidate(
            arch,
            format!("remove {} -> {}", v(a), v(b)),
            Mutation::RemoveEdge {
                from: v(a),
                to: v(b),
            },
        )]),
        (EditKind::AddEdge { to }, EditTarget::Node(i)) => {
            let (from, to) = (v(i), v(to));
            Ok(vec![candidate(
                arch,
                format!("add {from} -> {to}"),
                Mutation::AddEdge { from, to },
            )])
        }
        (k, t) => Err(not_for(k, t)),
    }
}

/// Refuses an NB-101 edit that leaves a vertex on no input -> output
/// path (NAS-Bench-101 would prune it away: the layer would do nothing).
fn connected(mut c: Candidate) -> Candidate {
    if let Ok(Arch::Nb101(cell)) = &c.arch {
        let kept = cell.kept_vertices();
        if kept.len() < cell.len() {
            let off: Vec<String> = (0..cell.len())
                .filter(|v| !kept.contains(v))
                .map(|v| v.to_string())
                .collect();
            c.arch = Err(format!(
                "vertex {} would be on no input -> output path (every vertex must be)",
                off.join(", ")
            ));
        }
    }
    c
}

fn not_for(kind: EditKind, target: EditTarget) -> String {
    let what = match target {
        EditTarget::Node(_) => "a layer",
        EditTarget::Edge(..) => "an edge",
    };
    format!("{} does not apply to {what}", kind.verb())
}

/// NB-201's drawn DAG has one node per edge whose op is not `none`.
fn nb201_edits(
    arch: &Arch,
    c: &nb201::Cell,
    target: EditTarget,
    kind: EditKind,
    ops: &[String],
) -> Result<Vec<Candidate>, String> {
    const FIXED: &str = "NAS-Bench-201 has a fixed topology: change an op instead (none removes a layer, skip_connect makes it an identity)";
    let EditTarget::Node(i) = target else {
        return Err(FIXED.into());
    };
    let edges: Vec<usize> = (0..6).filter(|&e| c.ops[e] != nb201::Op::None).collect();
    let Some(&e) = i.checked_sub(1).and_then(|k| edges.get(k)) else {
        return Err("the input and output nodes of a NAS-Bench-201 cell are fixed".into());
    };
    let from = c.ops[e].name().to_string();
    match kind {
        EditKind::ChangeOp => Ok(op_choices(arch, &from, ops, |o| Mutation::ChangeOp {
            node: e,
            from: Some(from.clone()),
            to: o.to_string(),
        })),
        EditKind::DeleteLayer => Ok(vec![candidate(
            arch,
            "none (remove the layer)".into(),
            Mutation::ChangeOp {
                node: e,
                from: Some(from.clone()),
                to: nb201::Op::None.name().to_string(),
            },
        )]),
        _ => Err(FIXED.into()),
    }
}

/// NAS-Bench-Graph's drawn DAG: 0 the raw input, 1..=4 the computing
/// nodes, 5 the output.
fn nbgraph_edits(
    arch: &Arch,
    g: &nbgraph::GraphArch,
    target: EditTarget,
    kind: EditKind,
    ops: &[String],
) -> Result<Vec<Candidate>, String> {
    let out = nbgraph::NODES + 1;
    let computing = |i: usize| -> Result<usize, String> {
        if (1..=nbgraph::NODES).contains(&i) {
            Ok(i - 1)
        } else {
            Err("the input and output of a NAS-Bench-Graph architecture are fixed".into())
        }
    };
    // a DAG node in words: the input, or a layer and its op
    let name = |x: usize| {
        if x == 0 {
            "the input".to_string()
        } else {
            format!("layer {x} ({})", g.ops[x - 1].name())
        }
    };
    let rewires = |node: usize, except: usize| -> Vec<Candidate> {
        let from = g.links[node - 1] as usize;
        (0..node)
            .filter(|&x| x != from && x != except)
            .map(|x| {
                candidate(
                    arch,
                    format!("{} takes its input from {}", name(node), name(x)),
                    Mutation::Rewire { node, from, to: x },
                )
            })
            .collect()
    };
    match (kind, target) {
        (EditKind::ChangeOp, EditTarget::Node(i)) => {
            let node = computing(i)?;
            let from = g.ops[node].name().to_string();
            Ok(op_choices(arch, &from, ops, |o| Mutation::ChangeOp {
                node,
                from: Some(from.clone()),
                to: o.to_string(),
            }))
        }
        (EditKind::DeleteLayer, EditTarget::Node(i)) => {
            let node = computing(i)?;
            let from = g.ops[node].name();
            if g.ops[node] == nbgraph::GnnOp::Skip {
                return Err(format!(
                    "node {i} is already a skip; NAS-Bench-Graph keeps four nodes"
                ));
            }
            Ok(vec![candidate(
                arch,
                "skip (NAS-Bench-Graph keeps four nodes: the layer becomes an identity)".into(),
                Mutation::ChangeOp {
                    node,
                    from: Some(from.to_string()),
                    to: nbgraph::GnnOp::Skip.name().to_string(),
                },
            )])
        }
        (EditKind::AddLayer, _) => Err(
            "NAS-Bench-Graph has exactly four computing nodes: give a skip node an op, or move a node's input"
                .into(),
        ),
        (EditKind::RemoveEdge, EditTarget::Edge(_, b)) => {
            if b == out {
                return Err(
                    "edges into the output follow from which nodes feed no other; move a node's input instead"
                        .into(),
                );
            }
            computing(b)?;
            // every node keeps exactly one input: removing one moves it
            Ok(rewires(b, usize::MAX))
        }
        (EditKind::AddEdge { to }, EditTarget::Node(i)) => {
            if to == out {
                return Err("edges into the output follow from which nodes feed no other".into());
            }
            computing(to)?;
            if i >= to {
                return Err(format!(
                    "node {to} can take its input only from the input or an earlier node, not {i}"
                ));
            }
            let from = g.links[to - 1] as usize;
            Ok(vec![candidate(
                arch,
                format!(
                    "{} takes its input from {} (instead of {})",
                    name(to),
                    name(i),
                    name(from)
                ),
                Mutation::Rewire {
                    node: to,
                    from,
                    to: i,
                },
            )])
        }
        (k, t) => Err(not_for(k, t)),
    }
}

fn sequential_edits(
    arch: &Arch,
    n: usize,
    target: EditTarget,
    kind: EditKind,
    ops: &[String],
) -> Result<Vec<Candidate>, String> {
    let Arch::Sequential(l) = arch else {
        return Err(not_for(kind, target));
    };
    match (kind, target) {
        (EditKind::ChangeOp, EditTarget::Node(i)) => {
            let from = l.layers[i].clone();
            Ok(op_choices(arch, &from, ops, |o| Mutation::ChangeOp {
                node: i,
                from: Some(from.clone()),
                to: o.to_string(),
            }))
        }
        (EditKind::DeleteLayer, EditTarget::Node(i)) => Ok(vec![candidate(
            arch,
            format!("delete {}", l.layers[i]),
            Mutation::RemoveNode { node: i },
        )]),
        (EditKind::AddLayer, t) => {
            let (from, to) = match t {
                EditTarget::Edge(a, b) => (a, b),
                EditTarget::Node(i) if i + 1 < n => (i, i + 1),
                EditTarget::Node(_) => {
                    return Err("nothing comes after the last layer; pick an edge".into())
                }
            };
            Ok(ops
                .iter()
                .map(|o| {
                    candidate(
                        arch,
                        o.clone(),
                        Mutation::AddNode {
                            layer: o.clone(),
                            from,
                            to,
                        },
                    )
                })
                .collect())
        }
        _ => Err("a layer list is a chain: insert, delete or change layers".into()),
    }
}

/// What each candidate would score: a table lookup each.
pub fn preview(bench: &dyn Benchmark, candidates: Vec<Candidate>) -> Vec<Preview> {
    candidates
        .into_iter()
        .map(|c| {
            let metrics = match &c.arch {
                Err(why) => Err(why.clone()),
                Ok(a) => bench.query(a).map(|(_, m)| m).map_err(|e| e.to_string()),
            };
            Preview {
                candidate: c,
                metrics,
            }
        })
        .collect()
}

/// The preview with the best validation accuracy, if any scored.
pub(crate) fn best_preview(previews: &[Preview]) -> Option<usize> {
    previews
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.metrics.as_ref().ok().map(|m| (i, m.val_acc)))
        // an estimate that could not be made is no best
        .filter(|(_, v)| !v.is_nan())
        .fold(None, |best: Option<(usize, f64)>, (i, v)| match best {
            Some((_, b)) if b >= v => best,
            _ => Some((i, v)),
        })
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::nbgraph::GraphArch;

    fn nbgraph() -> Arch {
        use nbgraph::GnnOp::*;
        Arch::NbGraph(GraphArch::new([0, 0, 1, 2], [Gcn, Gat, Sage, Skip]).unwrap())
    }

    fn nb101() -> Arch {
        let m = vec![
            vec![0, 1, 1, 0, 0],
            vec![0, 0, 0, 1, 0],
            vec![0, 0, 0, 0, 1],
            vec![0, 0, 0, 0, 1],
            vec![0, 0, 0, 0, 0],
        ];
        let ops = [
            "input",
            "conv3x3-bn-relu",
            "conv1x1-bn-relu",
            "maxpool3x3",
            "output",
        ];
        Arch::Nb101(nb101::Cell::new(&m, &ops).unwrap())
    }

    #[test]
    fn every_candidate_applies_to_the_base_and_gives_its_arch() {
        let archs = [
            nbgraph(),
            nb101(),
            Arch::Nb201(
                nb201::Cell::parse(
                    "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|none~1|nor_conv_1x1~2|",
                )
                .unwrap(),
            ),
            Arch::Sequential(
                crate::arch::sequential::LayerList::new(
                    ["input", "conv3x3", "relu", "output"]
                        .iter()
                        .map(|s| s.to_string())
                        .collect(),
                )
                .unwrap(),
            ),
        ];
        let kinds = [
            EditKind::AddLayer,
            EditKind::DeleteLayer,
            EditKind::ChangeOp,
            EditKind::RemoveEdge,
        ];
        for a in &archs {
            let ops = default_ops(a.space());
            let n = a.evaluated_dag().nodes.len();
            let mut ok = 0;
            for t in targets(a) {
                let mut kinds = kinds.to_vec();
                kinds.extend((0..n).map(|to| EditKind::AddEdge { to }));
                for k in kinds {
                    let Ok(cs) = candidates(a, t, k, &ops) else {
                        continue;
                    };
                    for c in cs {
                        let again = a.mutate(&c.mutation).map_err(|e| e.to_string());
                        let pruned =
                            matches!(&c.arch, Err(w) if w.contains("no input -> output path"));
                        if !pruned {
                            assert_eq!(again, c.arch, "{a:?} {t:?} {k:?} {}", c.label);
                        }
                        ok += c.arch.is_ok() as usize;
                    }
                }
            }
            assert!(ok > 0, "{:?}: no edit applies", a.space());
        }
    }

    #[test]
    fn each_space_refuses_what_it_cannot_do_with_the_reason() {
        let g = nbgraph();
        let ops = default_ops(Space::NbGraph);
        let e = candidates(&g, EditTarget::Node(1), EditKind::AddLayer, &ops).unwrap_err();
        assert!(e.contains("exactly four computing nodes"), "{e}");
        let e = candidates(&g, EditTarget::Node(0), EditKind::ChangeOp, &ops).unwrap_err();
        assert!(e.contains("fixed"), "{e}");
        // node 4 is a skip: deleting it again is refused
        let e = candidates(&g, EditTarget::Node(4), EditKind::DeleteLayer, &ops).unwrap_err();
        assert!(e.contains("already a skip"), "{e}");
        // a node takes input only from an earlier one
        let e = candidates(&g, EditTarget::Node(3), EditKind::AddEdge { to: 2 }, &ops).unwrap_err();
        assert!(e.contains("earlier node"), "{e}");
        // removing node 3's input offers every other input it could take
        let cs = candidates(&g, EditTarget::Edge(1, 3), EditKind::RemoveEdge, &ops).unwrap();
        assert_eq!(cs.len(), 2, "{cs:?}");
        assert!(cs.iter().all(|c| c.arch.is_ok()));

        let c = nb101();
        let ops = default_ops(Space::Nb101);
        let e = candidates(&c, EditTarget::Node(0), EditKind::DeleteLayer, &ops).unwrap_err();
        assert!(e.contains("input vertex is fixed"), "{e}");
        // a backward edge would make a cycle
        let cs = candidates(&c, EditTarget::Node(3), EditKind::AddEdge { to: 1 }, &ops).unwrap();
        let why = cs[0].arch.clone().unwrap_err();
        assert!(why.contains("lower to a higher"), "{why}");
        // removing the only edge out of vertex 1 disconnects it
        let cs = candidates(&c, EditTarget::Edge(1, 3), EditKind::RemoveEdge, &ops).unwrap();
        let why = cs[0].arch.clone().unwrap_err();
        assert!(
            why.starts_with("vertex 1, 3 would be on no input -> output path"),
            "{why}"
        );
        // a 7-vertex cell takes no more layers
        let mut big = c.clone();
        for _ in 0..2 {
            let cs = candidates(&big, EditTarget::Edge(0, 1), EditKind::AddLayer, &ops).unwrap();
            big = cs[0].arch.clone().unwrap();
        }
        assert_eq!(big.evaluated_dag().nodes.len(), 7);
        let e = candidates(&big, EditTarget::Edge(0, 1), EditKind::AddLayer, &ops).unwrap_err();
        assert!(e.contains("7 vertices"), "{e}");
        // at most 9 edges: a 7-vertex cell with 9 takes no 10th
        let m: Vec<Vec<i64>> = (0..7)
            .map(|i| {
                (0..7)
                    .map(|j| i64::from(j == i + 1 || (i == 0 && (j == 2 || j == 3 || j == 6))))
                    .collect()
            })
            .collect();
        let ops7 = [
            "input",
            "conv3x3-bn-relu",
            "conv3x3-bn-relu",
            "conv1x1-bn-relu",
            "maxpool3x3",
            "conv3x3-bn-relu",
            "output",
        ];
        let nine = Arch::Nb101(nb101::Cell::new(&m, &ops7).unwrap());
        let cs = candidates(
            &nine,
            EditTarget::Node(1),
            EditKind::AddEdge { to: 4 },
            &ops,
        )
        .unwrap();
        let why = cs[0].arch.clone().unwrap_err();
        assert!(why.contains("10") && why.contains("9"), "{why}");
        // an op the space lacks
        let cs = candidates(
            &c,
            EditTarget::Node(1),
            EditKind::ChangeOp,
            &["gcn".to_string()],
        )
        .unwrap();
        assert!(cs[0].arch.is_err());

        let s = Arch::Nb201(
            nb201::Cell::parse(
                "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|none~1|nor_conv_1x1~2|",
            )
            .unwrap(),
        );
        let ops = default_ops(Space::Nb201);
        let e = candidates(&s, EditTarget::Edge(0, 1), EditKind::AddLayer, &ops).unwrap_err();
        assert!(e.contains("fixed topology"), "{e}");
        let cs = candidates(&s, EditTarget::Node(1), EditKind::DeleteLayer, &ops).unwrap();
        assert_eq!(
            cs[0].mutation,
            Mutation::ChangeOp {
                node: 0,
                from: Some("nor_conv_3x3".into()),
                to: "none".into()
            }
        );
    }

    #[test]
    fn nb101_targets_map_pruned_vertices_back_to_the_cell() {
        // vertex 2 is dangling (no path to the output): the drawn DAG skips it
        let m = vec![
            vec![0, 1, 1, 0],
            vec![0, 0, 0, 1],
            vec![0, 0, 0, 0],
            vec![0, 0, 0, 0],
        ];
        let ops = ["input", "conv3x3-bn-relu", "maxpool3x3", "output"];
        let a = Arch::Nb101(nb101::Cell::new(&m, &ops).unwrap());
        assert_eq!(a.evaluated_dag().nodes.len(), 3);
        let cs = candidates(
            &a,
            EditTarget::Node(1),
            EditKind::ChangeOp,
            &default_ops(Space::Nb101),
        )
        .unwrap();
        assert!(matches!(cs[0].mutation, Mutation::ChangeOp { node: 1, .. }));
        let cs = candidates(
            &a,
            EditTarget::Edge(1, 2),
            EditKind::RemoveEdge,
            &default_ops(Space::Nb101),
        )
        .unwrap();
        assert_eq!(cs[0].mutation, Mutation::RemoveEdge { from: 1, to: 3 });
    }
}
