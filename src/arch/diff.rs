//! Structural difference between two architectures: which nodes (layers)
//! were added, removed or given another op, and which edges were added or
//! removed.
//!
//! Nodes are matched by a minimum-cost edit: every added or removed node,
//! changed op and added or removed edge costs 1, and the matching with the
//! least total cost wins (ties keep vertex numbers). The input (first node)
//! and the output (last node) always match each other. For small graphs
//! (up to 8 interior nodes, every NB-101, NB-201 and NAS-Bench-Graph cell)
//! the search is exact, so the diff does not depend on vertex numbering;
//! chains and larger graphs are aligned in node order (edit distance).

use super::Dag;
use serde::Serialize;

/// What changed from an old DAG to a new one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ArchDiff {
    /// For every node of the old DAG, the node of the new DAG it became.
    pub(crate) node_map: Vec<Option<usize>>,
    /// Nodes of the new DAG that have no counterpart in the old one.
    pub nodes_added: Vec<usize>,
    /// Nodes of the old DAG that have no counterpart in the new one.
    pub(crate) nodes_removed: Vec<usize>,
    /// `(old, new)` pairs of matched nodes whose op changed.
    pub(crate) ops_changed: Vec<(usize, usize)>,
    /// Edges of the new DAG (new numbering) not present before.
    pub(crate) edges_added: Vec<(usize, usize)>,
    /// Edges of the old DAG (old numbering) no longer present.
    pub(crate) edges_removed: Vec<(usize, usize)>,
}

impl ArchDiff {
    pub fn is_empty(&self) -> bool {
        self.nodes_added.is_empty()
            && self.nodes_removed.is_empty()
            && self.ops_changed.is_empty()
            && self.edges_added.is_empty()
            && self.edges_removed.is_empty()
    }

    /// Number of elementary edits.
    #[cfg(test)]
    fn edit_count(&self) -> usize {
        self.nodes_added.len()
            + self.nodes_removed.len()
            + self.ops_changed.len()
            + self.edges_added.len()
            + self.edges_removed.len()
    }

    /// The ops that entered the architecture: those of added nodes and the
    /// new ops of changed nodes (the "layers added" of a step).
    pub fn ops_added<'a>(&self, new: &'a Dag) -> Vec<&'a str> {
        let mut v: Vec<&str> = self
            .nodes_added
            .iter()
            .chain(self.ops_changed.iter().map(|(_, n)| n))
            .filter_map(|&i| new.nodes.get(i).map(String::as_str))
            .collect();
        v.sort_unstable();
        v
    }
}

/// Largest number of interior nodes (per side) searched exactly.
const EXACT_LIMIT: usize = 8;

/// The diff from `old` to `new`. With `isomorphic`, graphs are matched by
/// structure (exact for small graphs); without it, chains are aligned by
/// position.
pub fn diff(old: &Dag, new: &Dag, isomorphic: bool) -> ArchDiff {
    let chains = is_chain(old) && is_chain(new);
    let small = old.len() <= EXACT_LIMIT + 2 && new.len() <= EXACT_LIMIT + 2;
    let map = if old.is_empty() || new.is_empty() {
        vec![None; old.len()]
    } else if small && (isomorphic || !chains) {
        exact_map(old, new)
    } else {
        align_map(old, new)
    };
    finish(old, new, map)
}

fn is_chain(d: &Dag) -> bool {
    d.edges.len() + 1 == d.len() && d.edges.iter().enumerate().all(|(i, &e)| e == (i, i + 1))
}

fn finish(old: &Dag, new: &Dag, node_map: Vec<Option<usize>>) -> ArchDiff {
    let mut used = vec![false; new.len()];
    let mut nodes_removed = Vec::new();
    let mut ops_changed = Vec::new();
    for (o, m) in node_map.iter().enumerate() {
        match m {
            Some(n) => {
                used[*n] = true;
                if old.nodes[o] != new.nodes[*n] {
                    ops_changed.push((o, *n));
                }
            }
            None => nodes_removed.push(o),
        }
    }
    let nodes_added = (0..new.len()).filter(|&n| !used[n]).collect();
    let mut covered = vec![false; new.edges.len()];
    let mut edges_removed = Vec::new();
    for &(a, b) in &old.edges {
        let image = match (
            node_map.get(a).copied().flatten(),
            node_map.get(b).copied().flatten(),
        ) {
            (Some(x), Some(y)) => new.edges.binary_search(&(x, y)).ok(),
            _ => None,
        };
        match image {
            Some(k) => covered[k] = true,
            None => edges_removed.push((a, b)),
        }
    }
    let edges_added = new
        .edges
        .iter()
        .zip(&covered)
        .filter(|(_, &c)| !c)
        .map(|(&e, _)| e)
        .collect();
    ArchDiff {
        node_map,
        nodes_added,
        nodes_removed,
        ops_changed,
        edges_added,
        edges_removed,
    }
}

struct Search<'a> {
    old: &'a Dag,
    new: &'a Dag,
    new_adj: Vec<u64>,
    old_adj: Vec<u64>,
    map: Vec<Option<usize>>,
    used: Vec<bool>,
    best: Vec<Option<usize>>,
    best_cost: usize,
}

fn exact_map(old: &Dag, new: &Dag) -> Vec<Option<usize>> {
    let adj = |d: &Dag| {
        let mut a = vec![0u64; d.len()];
        for &(f, t) in &d.edges {
            a[f] |= 1 << t;
        }
        a
    };
    let (no, nn) = (old.len(), new.len());
    let mut map = vec![None; no];
    let mut used = vec![false; nn];
    map[0] = Some(0);
    used[0] = true;
    if no > 1 && nn > 1 {
        map[no - 1] = Some(nn - 1);
        used[nn - 1] = true;
    }
    let mut s = Search {
        old,
        new,
        new_adj: adj(new),
        old_adj: adj(old),
        best: map.clone(),
        map,
        used,
        best_cost: usize::MAX,
    };
    s.go(1, 0);
    s.best
}

impl Search<'_> {
    /// Cost of the decisions for old node `v` against all already-decided
    /// nodes (those before `v`, plus input and output).
    fn step_cost(&self, v: usize) -> usize {
        let no = self.old.len();
        let mut c = 0;
        match self.map[v] {
            None => c += 1,
            Some(n) => {
                if self.old.nodes[v] != self.new.nodes[n] {
                    c += 1
                }
            }
        }
        let decided = |u: usize| u < v || u == no - 1 || u == 0;
        for u in 0..no {
            if u == v || !decided(u) {
                continue;
            }
            // edges between u and v, both directions
            for (a, b) in [(u, v), (v, u)] {
                let in_old = self.old_adj[a] & (1 << b) != 0;
                let in_new = match (self.map[a], self.map[b]) {
                    (Some(x), Some(y)) => self.new_adj[x] & (1 << y) != 0,
                    _ => false,
                };
                if in_old != in_new {
                    c += 1;
                }
            }
        }
        c
    }

    /// Cost of the fixed input/output pair's own edge plus, at the end,
    /// unmatched new nodes and new edges among them.
    fn final_cost(&self) -> usize {
        let no = self.old.len();
        let mut c = 0;
        // input-output edge
        if no > 1 {
            let in_old = self.old_adj[0] & (1 << (no - 1)) != 0;
            let in_new = match (self.map[0], self.map[no - 1]) {
                (Some(x), Some(y)) => self.new_adj[x] & (1 << y) != 0,
                _ => false,
            };
            if in_old != in_new {
                c += 1;
            }
        }
        // every new edge touching an unmatched new node is an addition
        let nn = self.new.len();
        for x in 0..nn {
            if !self.used[x] {
                c += 1;
                for y in 0..nn {
                    if self.new_adj[x] & (1 << y) != 0 {
                        c += 1;
                    }
                    if self.used[y] && self.new_adj[y] & (1 << x) != 0 {
                        c += 1;
                    }
                }
            }
        }
        c
    }

    fn go(&mut self, v: usize, cost: usize) {
        let no = self.old.len();
        if cost >= self.best_cost {
            return;
        }
        if v >= no - 1 {
            let total = cost + self.final_cost();
            if total < self.best_cost {
                self.best_cost = total;
                self.best = self.map.clone();
            }
            return;
        }
        let nn = self.new.len();
        // same index first, so ties keep numbering; then the others; then removal
        let mut order: Vec<Option<usize>> = Vec::with_capacity(nn);
        if v < nn - 1 && !self.used[v] {
            order.push(Some(v));
        }
        for n in 1..nn.saturating_sub(1) {
            if n != v && !self.used[n] {
                order.push(Some(n));
            }
        }
        order.push(None);
        for choice in order {
            self.map[v] = choice;
            if let Some(n) = choice {
                self.used[n] = true;
            }
            let c = self.step_cost(v);
            self.go(v + 1, cost + c);
            if let Some(n) = choice {
                self.used[n] = false;
            }
        }
        self.map[v] = None;
    }
}

/// Edit-distance alignment of the node sequences (a substitution is an op
/// change, an insertion an added node, a deletion a removed node).
fn align_map(old: &Dag, new: &Dag) -> Vec<Option<usize>> {
    let (n, m) = (old.len(), new.len());
    let mut d = vec![0usize; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in 0..=n {
        d[at(i, 0)] = i;
    }
    for j in 0..=m {
        d[at(0, j)] = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let sub = d[at(i - 1, j - 1)] + usize::from(old.nodes[i - 1] != new.nodes[j - 1]);
            d[at(i, j)] = sub.min(d[at(i - 1, j)] + 1).min(d[at(i, j - 1)] + 1);
        }
    }
    let mut map = vec![None; n];
    let (mut i, mut j) = (n, m);
    while i > 0 && j > 0 {
        let sub = d[at(i - 1, j - 1)] + usize::from(old.nodes[i - 1] != new.nodes[j - 1]);
        if d[at(i, j)] == sub {
            map[i - 1] = Some(j - 1);
            i -= 1;
            j -= 1;
        } else if d[at(i, j)] == d[at(i - 1, j)] + 1 {
            i -= 1;
        } else {
            j -= 1;
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dag(nodes: &[&str], edges: &[(usize, usize)]) -> Dag {
        Dag::new(
            nodes.iter().map(|s| s.to_string()).collect(),
            edges.to_vec(),
        )
    }

    #[test]
    fn identical_is_empty() {
        let a = dag(&["input", "a", "b", "output"], &[(0, 1), (1, 2), (2, 3)]);
        assert!(diff(&a, &a, true).is_empty());
    }

    #[test]
    fn renumbering_is_not_a_change() {
        let a = dag(
            &["input", "a", "b", "c", "output"],
            &[(0, 1), (0, 2), (1, 3), (2, 3), (3, 4), (1, 4)],
        );
        // swap nodes 1 and 2
        let b = dag(
            &["input", "b", "a", "c", "output"],
            &[(0, 2), (0, 1), (2, 3), (1, 3), (3, 4), (2, 4)],
        );
        let d = diff(&a, &b, true);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(d.node_map[1], Some(2));
    }

    #[test]
    fn added_layer_and_changed_op() {
        let a = dag(&["input", "a", "output"], &[(0, 1), (1, 2)]);
        let b = dag(&["input", "a", "x", "output"], &[(0, 1), (1, 2), (2, 3)]);
        let d = diff(&a, &b, true);
        assert_eq!(d.nodes_added, vec![2]);
        assert_eq!(d.edges_added, vec![(1, 2), (2, 3)]);
        assert_eq!(d.edges_removed, vec![(1, 2)]);
        assert_eq!(d.ops_added(&b), vec!["x"]);
        let c = dag(&["input", "y", "output"], &[(0, 1), (1, 2)]);
        let d = diff(&a, &c, true);
        assert_eq!(d.ops_changed, vec![(1, 1)]);
        assert_eq!(d.edit_count(), 1);
    }

    #[test]
    fn chains_align_by_position() {
        let a = Dag::chain(vec![
            "input".into(),
            "a".into(),
            "b".into(),
            "output".into(),
        ]);
        let b = Dag::chain(vec!["input".into(), "b".into(), "output".into()]);
        let d = diff(&a, &b, false);
        assert_eq!(d.nodes_removed, vec![1]);
        assert_eq!(d.node_map, vec![Some(0), None, Some(1), Some(2)]);
    }

    #[test]
    fn large_graphs_fall_back_without_panic() {
        let nodes: Vec<String> = (0..300).map(|i| format!("op{}", i % 3)).collect();
        let edges: Vec<(usize, usize)> = (1..300).map(|i| (i - 1, i)).chain([(0, 299)]).collect();
        let a = Dag::new(nodes.clone(), edges.clone());
        let mut n2 = nodes;
        n2[5] = "other".into();
        let b = Dag::new(n2, edges);
        let d = diff(&a, &b, true);
        assert_eq!(d.ops_changed, vec![(5, 5)]);
        assert_eq!(d.edit_count(), 1);
    }
}
