//! Where a trial came from: its chain of ancestors back to a trial made
//! from nothing (the initial population, a random draw) or a parent that
//! is missing from the run, each link with the edit and its validation
//! delta; and every trial's depth in that tree, kept as trials arrive
//! (O(1) each).

use crate::trace::Run;
use serde::Serialize;

/// No depth: the trial names no parent.
const ROOT: u32 = 0;

/// One link of a lineage: a trial and the parent it was made from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Link {
    /// Position of the child.
    pub pos: usize,
    pub trial_id: u64,
    /// Position of its first parent, where the run has it.
    pub parent: Option<usize>,
    /// The first parent's id, when the trial names one.
    pub(crate) parent_id: Option<u64>,
    /// Further parents (a crossover), by id.
    pub others: Vec<u64>,
    /// The edit that made it, as a label (`change_op gat->gcn`).
    pub edit: Option<String>,
    /// Child minus parent validation accuracy.
    pub val_delta: Option<f64>,
    /// Made by the user's edit.
    pub user: bool,
}

/// A trial's ancestry: `links[0]` is the trial itself, each next link its
/// first parent's.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lineage {
    pub links: Vec<Link>,
    /// The id of a parent named but missing from the run (a cut link).
    pub cut: Option<u64>,
}

impl Lineage {
    /// Ancestor ids, parent first.
    pub fn ancestors(&self) -> Vec<u64> {
        self.links.iter().skip(1).map(|l| l.trial_id).collect()
    }
}

/// Depth of every trial (0 for one made from nothing), kept incrementally.
#[derive(Clone, Debug, Default)]
pub struct Depths {
    depth: Vec<u32>,
    /// Trials that name a parent, and of them those whose parent is missing.
    pub(crate) with_parents: u64,
    pub cut: u64,
}

impl Depths {
    pub fn push(&mut self, run: &Run) {
        let i = self.depth.len();
        let Some(t) = run.trials.get(i) else { return };
        let d = match t.parents.first() {
            Some(&p) => {
                self.with_parents += 1;
                match run.position(p).filter(|&p| p < i) {
                    Some(p) => self.depth.get(p).map_or(ROOT, |d| d.saturating_add(1)),
                    None => {
                        self.cut += 1;
                        ROOT
                    }
                }
            }
            None => ROOT,
        };
        self.depth.push(d);
    }

    pub fn depth(&self, pos: usize) -> Option<u32> {
        self.depth.get(pos).copied()
    }

    /// The deepest lineage among trials `0..=step`: `(position, depth)`.
    pub fn deepest(&self, step: usize) -> Option<(usize, u32)> {
        self.depth
            .iter()
            .take(step.saturating_add(1))
            .enumerate()
            .max_by_key(|(i, d)| (**d, std::cmp::Reverse(*i)))
            .map(|(i, d)| (i, *d))
    }
}

/// The label of an edit, for lineages and edit effects: the kind, and
/// for a changed op `from->to` (from the parent's architecture when the
/// trace does not record it), for an added layer its op.
pub(crate) fn edit_label(m: &crate::arch::Mutation, parent: Option<&crate::arch::Arch>) -> String {
    use crate::arch::Mutation as M;
    match m {
        M::ChangeOp { from, to, node } => {
            let from = from
                .clone()
                .or_else(|| parent.and_then(|p| op_at(p, *node)))
                .unwrap_or_else(|| "?".into());
            format!("change_op {from}->{to}")
        }
        M::AddNode { layer, .. } => format!("add_node {layer}"),
        other => other.kind().to_string(),
    }
}

/// The op at node `node` of `arch`, in the mutation's numbering.
pub(crate) fn op_at(arch: &crate::arch::Arch, node: usize) -> Option<String> {
    use crate::arch::Arch;
    match arch {
        Arch::NbGraph(a) => a.ops.get(node).map(|o| o.name().to_string()),
        Arch::Nb201(c) => c.ops.get(node).map(|o| o.name().to_string()),
        Arch::Nb101(c) => (node < c.len()).then(|| c.op(node).name().to_string()),
        Arch::Sequential(l) => l.layers.get(node).cloned(),
    }
}

/// The lineage of the trial at `pos`, at most `limit` links long (a cycle
/// of ids in a broken trace ends there too).
pub fn lineage(run: &Run, pos: usize, limit: usize) -> Lineage {
    let mut links = Vec::new();
    let mut cut = None;
    let mut at = Some(pos);
    while let Some(i) = at {
        let Some(t) = run.trials.get(i) else { break };
        if links.len() >= limit {
            break;
        }
        let parent_id = t.parents.first().copied();
        let parent = parent_id.and_then(|p| run.position(p)).filter(|&p| p < i);
        if parent_id.is_some() && parent.is_none() {
            cut = parent_id;
        }
        let p = parent.and_then(|p| run.trials.get(p));
        links.push(Link {
            pos: i,
            trial_id: t.trial_id,
            parent,
            parent_id,
            others: t.parents.iter().skip(1).copied().collect(),
            edit: t.mutation.map(|m| edit_label(m, p.map(|p| p.arch))),
            val_delta: p.map(|p| t.metrics.val_acc - p.metrics.val_acc),
            user: t.source == crate::trace::Source::User,
        });
        at = parent;
    }
    Lineage { links, cut }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixtures;

    #[test]
    fn lineage_follows_first_parents_and_depths_agree() {
        let trace = fixtures::demo_evolution();
        let run = &trace.runs[0];
        let mut depths = Depths::default();
        for _ in 0..run.trials.len() {
            depths.push(run);
        }
        // brute force: follow ids through a map
        let by_id: std::collections::HashMap<u64, crate::trace::TrialRef<'_>> =
            run.trials.iter().map(|t| (t.trial_id, t)).collect();
        for pos in (0..run.trials.len()).step_by(37) {
            let mut chain = Vec::new();
            let mut t = run.trials.at(pos);
            while let Some(p) = t.parents.first() {
                let Some(pt) = by_id.get(p) else { break };
                chain.push(pt.trial_id);
                t = *pt;
            }
            let l = lineage(run, pos, usize::MAX);
            assert_eq!(l.ancestors(), chain, "trial at {pos}");
            assert_eq!(depths.depth(pos), Some(chain.len() as u32));
            assert_eq!(l.cut, None);
            for w in l.links.windows(2) {
                let d = run.trials.at(w[0].pos).metrics.val_acc
                    - run.trials.at(w[1].pos).metrics.val_acc;
                assert_eq!(w[0].val_delta, Some(d));
                assert!(w[0].edit.is_some());
            }
        }
        assert!(depths.deepest(1999).is_some_and(|(_, d)| d > 5));
    }

    #[test]
    fn a_missing_parent_is_a_cut_link() {
        let mut run = fixtures::sequential_run("r", "regularized_evolution");
        let arch = fixtures::one_conv();
        for (id, parents) in [(5u64, vec![3u64]), (6, vec![5, 2])] {
            let mut t = crate::trace::Trial::new(
                id,
                arch.clone(),
                crate::trace::TrialMetrics::accuracies(0.5, 0.5),
            );
            t.parents = parents.into();
            run.push(t).unwrap_or_else(|e| panic!("{e}"));
        }
        let l = lineage(&run, 1, 100);
        assert_eq!(l.ancestors(), vec![5]);
        assert_eq!(l.links[0].others, vec![2]);
        assert_eq!(l.cut, Some(3));
        let mut d = Depths::default();
        d.push(&run);
        d.push(&run);
        assert_eq!((d.depth(1), d.cut, d.with_parents), (Some(1), 1, 2));
    }
}
