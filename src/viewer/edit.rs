//! Edit mode: a trial of the live run, a layer or edge of its DAG in
//! focus, and the menu of what an edit there would give. Keys (and clicks
//! routed here by the viewer) move the focus, open a menu, walk it and
//! apply; the rules are the space's ([`crate::search::steer`]), and every
//! candidate is looked up in the benchmark as the menu opens, so the menu
//! shows each choice's validation and test accuracy and its delta against
//! the base before anything is applied.

use super::command::{Key, KeyPress};
use crate::arch::{Arch, Mutation};
use crate::search::steer::{
    best_preview, candidates, preview, targets, EditKind, EditTarget, Preview,
};
use crate::search::Benchmark;
use crate::trace::Run;

/// An open menu: the edits of one kind on one target, each previewed.
#[derive(Clone, Debug)]
pub struct Menu {
    pub kind: EditKind,
    pub target: EditTarget,
    pub items: Vec<Preview>,
    /// The highlighted item.
    pub at: usize,
    /// The item with the best validation accuracy.
    pub best: Option<usize>,
    /// How the numbers were made, when they are estimates or predictions
    /// (a followed study's), not a benchmark's table.
    pub note: Option<String>,
}

/// What a key did.
#[derive(Clone, Debug, PartialEq)]
pub enum EditOutcome {
    /// Handled; nothing to apply.
    Done,
    /// Not an edit-mode key.
    Ignored,
    /// Apply this edit to the base trial.
    Apply(Mutation),
    /// Leave edit mode.
    Leave,
}

/// Edit mode on one trial.
#[derive(Clone, Debug)]
pub struct Editor {
    /// The run edited (the viewer's index).
    pub run: usize,
    /// The base trial's position in the run, and its id.
    pub base: usize,
    pub base_id: u64,
    pub arch: Arch,
    /// The base's validation and test accuracy.
    pub(crate) base_acc: (f64, f64),
    targets: Vec<EditTarget>,
    focus: usize,
    /// The layer an edge being added starts from.
    link_from: Option<usize>,
    menu: Option<Menu>,
    /// Why the last request was refused, or what to do next.
    message: Option<String>,
}

impl Editor {
    /// Edit mode on the trial at `base` of `run` (the viewer's run `index`).
    pub fn new(index: usize, run: &Run, base: usize) -> Option<Editor> {
        let t = run.trials.get(base)?;
        let targets = targets(t.arch);
        // start on the first layer that is not the input
        let focus = usize::from(targets.len() > 1);
        Some(Editor {
            run: index,
            base,
            base_id: t.trial_id,
            arch: t.arch.clone(),
            base_acc: (t.metrics.val_acc, t.metrics.test_acc),
            targets,
            focus,
            link_from: None,
            menu: None,
            message: None,
        })
    }

    pub fn focus(&self) -> Option<EditTarget> {
        self.targets.get(self.focus).copied()
    }
    pub fn menu(&self) -> Option<&Menu> {
        self.menu.as_ref()
    }
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
    pub(crate) fn link_from(&self) -> Option<usize> {
        self.link_from
    }

    /// The architecture of the highlighted menu item, when it is valid.
    pub fn what_if(&self) -> Option<(&Arch, &str)> {
        let m = self.menu.as_ref()?;
        let p = m.items.get(m.at)?;
        Some((p.candidate.arch.as_ref().ok()?, p.candidate.label.as_str()))
    }

    /// A click on a layer or an edge: it takes the focus. A click on an
    /// edge opens its menu (remove it, or move the input); a second click
    /// on the layer in focus opens its op menu; with an edge being added,
    /// a click on a layer opens the menu for that edge.
    pub fn click(&mut self, t: EditTarget, bench: &dyn Benchmark) {
        let Some(i) = self.targets.iter().position(|&x| x == t) else {
            return;
        };
        let again = self.focus == i;
        self.focus = i;
        self.menu = None;
        self.message = None;
        match (self.link_from.take(), t) {
            (Some(from), EditTarget::Node(to)) => {
                self.open(EditTarget::Node(from), EditKind::AddEdge { to }, bench)
            }
            (_, EditTarget::Edge(..)) => self.open(t, EditKind::RemoveEdge, bench),
            (_, EditTarget::Node(_)) if again => self.open(t, EditKind::ChangeOp, bench),
            _ => {}
        }
    }

    /// A drag from layer `from` to layer `to`: the menu of that new edge.
    pub fn drag(&mut self, from: usize, to: usize, bench: &dyn Benchmark) {
        self.link_from = None;
        if let Some(i) = self
            .targets
            .iter()
            .position(|&x| x == EditTarget::Node(from))
        {
            self.focus = i;
        }
        self.open(EditTarget::Node(from), EditKind::AddEdge { to }, bench);
    }

    /// Highlights menu item `i` (the pointer over it).
    pub fn highlight(&mut self, i: usize) {
        if let Some(m) = &mut self.menu {
            if i < m.items.len() {
                m.at = i;
            }
        }
    }

    /// Applies menu item `i` (a click on it).
    pub fn choose(&mut self, i: usize) -> EditOutcome {
        self.highlight(i);
        self.apply()
    }

    /// Opens the menu of `kind` on `target`, or says why it cannot be.
    pub fn open(&mut self, target: EditTarget, kind: EditKind, bench: &dyn Benchmark) {
        self.message = None;
        match candidates(&self.arch, target, kind, &bench.ops()) {
            Err(why) => {
                self.menu = None;
                self.message = Some(format!("cannot {}: {why}", kind.verb()));
            }
            Ok(c) if c.is_empty() => {
                self.menu = None;
                self.message = Some(format!("nothing to choose: {}", kind.verb()));
            }
            Ok(c) => {
                let items = preview(bench, c);
                let best = best_preview(&items);
                self.menu = Some(Menu {
                    kind,
                    target,
                    at: best.unwrap_or(0),
                    best,
                    items,
                    note: bench.estimates(),
                });
            }
        }
    }

    fn apply(&mut self) -> EditOutcome {
        let Some(m) = &self.menu else {
            return EditOutcome::Done;
        };
        let Some(p) = m.items.get(m.at) else {
            return EditOutcome::Done;
        };
        match &p.metrics {
            Ok(_) => {
                let mutation = p.candidate.mutation.clone();
                self.menu = None;
                EditOutcome::Apply(mutation)
            }
            Err(why) => {
                self.message = Some(format!("{}: refused: {why}", p.candidate.label));
                EditOutcome::Done
            }
        }
    }

    fn move_focus(&mut self, back: bool) {
        let n = self.targets.len().max(1);
        self.focus = if back {
            (self.focus + n - 1) % n
        } else {
            (self.focus + 1) % n
        };
    }

    /// Handles a key in edit mode.
    pub fn key(&mut self, k: KeyPress, bench: &dyn Benchmark) -> EditOutcome {
        if k.mods.ctrl || k.mods.alt {
            return EditOutcome::Ignored;
        }
        if let Some(m) = &mut self.menu {
            let n = m.items.len();
            match k.key {
                Key::Up | Key::Left => m.at = (m.at + n - 1) % n,
                Key::Down | Key::Right | Key::Tab => m.at = (m.at + 1) % n,
                Key::Enter | Key::Space => return self.apply(),
                Key::Escape => self.menu = None,
                Key::Char(c) if c.is_ascii_digit() && c != '0' => {
                    let i = c as usize - '1' as usize;
                    if i < n {
                        return self.choose(i);
                    }
                }
                Key::Char('e') => return EditOutcome::Leave,
                _ => return EditOutcome::Ignored,
            }
            return EditOutcome::Done;
        }
        let Some(focus) = self.focus() else {
            return EditOutcome::Leave;
        };
        match k.key {
            Key::Tab => self.move_focus(k.mods.shift),
            Key::Right | Key::Down => self.move_focus(false),
            Key::Left | Key::Up => self.move_focus(true),
            Key::Char('a') => self.open(focus, EditKind::AddLayer, bench),
            Key::Char('d') => {
                let kind = match focus {
                    EditTarget::Node(_) => EditKind::DeleteLayer,
                    EditTarget::Edge(..) => EditKind::RemoveEdge,
                };
                self.open(focus, kind, bench);
            }
            Key::Char('o') => self.open(focus, EditKind::ChangeOp, bench),
            Key::Char('l') => match focus {
                EditTarget::Node(i) => {
                    self.link_from = Some(i);
                    self.message = Some(format!(
                        "new edge from layer {i}: pick the layer it goes to (Tab, or click), then Enter"
                    ));
                }
                EditTarget::Edge(..) => {
                    self.message = Some("an edge starts at a layer: Tab to one, then L".into())
                }
            },
            Key::Enter => match (self.link_from.take(), focus) {
                (Some(from), EditTarget::Node(to)) => {
                    self.open(EditTarget::Node(from), EditKind::AddEdge { to }, bench)
                }
                (_, EditTarget::Node(_)) => self.open(focus, EditKind::ChangeOp, bench),
                (_, EditTarget::Edge(..)) => self.open(focus, EditKind::AddLayer, bench),
            },
            Key::Escape => {
                if self.link_from.take().is_some() {
                    self.message = None;
                } else {
                    return EditOutcome::Leave;
                }
            }
            Key::Char('e') => return EditOutcome::Leave,
            _ => return EditOutcome::Ignored,
        }
        EditOutcome::Done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{NbGraphBench, Session, Strategy};
    use crate::table::nbgraph::NbGraphTable;

    fn key(s: &str) -> KeyPress {
        s.parse().unwrap()
    }

    #[test]
    fn keys_open_a_previewed_menu_and_apply_the_chosen_edit() {
        let bench = NbGraphBench::new(NbGraphTable::cora().unwrap());
        let mut s = Session::new(&bench, Strategy::Random, 5, "live").unwrap();
        s.run_n(3).unwrap();
        let mut e = Editor::new(0, s.run(), 2).unwrap();
        assert_eq!(e.focus(), Some(EditTarget::Node(1)));
        // NAS-Bench-Graph refuses a new layer, with the reason
        assert_eq!(e.key(key("a"), &bench), EditOutcome::Done);
        assert!(
            e.message().unwrap().contains("exactly four"),
            "{:?}",
            e.message()
        );
        assert!(e.menu().is_none());
        // change the op: every other op, each with the table's numbers
        e.key(key("o"), &bench);
        let m = e.menu().unwrap();
        assert_eq!(m.items.len(), bench.ops().len() - 1);
        for p in &m.items {
            let arch = p.candidate.arch.as_ref().unwrap();
            let (_, want) = bench.query(arch).unwrap();
            assert_eq!(p.metrics.as_ref().unwrap(), &want, "{}", p.candidate.label);
        }
        // the best is highlighted first
        let best = m.best.unwrap();
        assert_eq!(m.at, best);
        let top = m.items[best].metrics.as_ref().unwrap().val_acc;
        assert!(m
            .items
            .iter()
            .all(|p| p.metrics.as_ref().unwrap().val_acc <= top));
        e.key(key("down"), &bench);
        let at = e.menu().unwrap().at;
        let want = e.menu().unwrap().items[at].candidate.mutation.clone();
        assert_eq!(
            e.key(key("enter"), &bench),
            EditOutcome::Apply(want.clone())
        );
        let t = s.edit(e.base_id, &want, None).unwrap();
        assert_eq!(t.source, crate::trace::Source::User);
        // Tab walks layers then edges, and wraps
        let n = targets(&e.arch).len();
        for _ in 0..n {
            e.key(key("tab"), &bench);
        }
        assert_eq!(e.focus(), Some(EditTarget::Node(1)));
        assert_eq!(e.key(key("escape"), &bench), EditOutcome::Leave);
    }

    /// An NB-101 benchmark that knows every cell: its numbers come from
    /// the cell's module hash (the editor only needs lookups).
    struct EveryCell;

    impl Benchmark for EveryCell {
        fn name(&self) -> String {
            "every-cell".into()
        }
        fn space(&self) -> crate::arch::Space {
            crate::arch::Space::Nb101
        }
        fn query(
            &self,
            arch: &Arch,
        ) -> Result<(String, crate::table::Metrics), crate::table::LookupError> {
            let key = arch.key().map_err(crate::table::LookupError::from)?;
            let h = key
                .bytes()
                .fold(7u64, |a, b| a.wrapping_mul(31).wrapping_add(b as u64));
            let m = crate::table::Metrics {
                val_acc: 0.8 + (h % 1000) as f64 / 10_000.0,
                test_acc: 0.8 + (h / 1000 % 1000) as f64 / 10_000.0,
                train_time_s: None,
                latency_s: None,
                params: None,
                repeats: Vec::new(),
            };
            Ok((key, m))
        }
        fn random_arch(&self, rng: &mut crate::rng::Rng) -> Arch {
            Arch::Nb101(crate::arch::nb101::Cell::random(rng))
        }
        fn random_mutation(&self, _: &Arch, _: &mut crate::rng::Rng) -> Option<(Arch, Mutation)> {
            None
        }
    }

    #[test]
    fn nb101_adds_a_layer_on_an_edge_by_keyboard() {
        let m = vec![
            vec![0, 1, 1, 0],
            vec![0, 0, 0, 1],
            vec![0, 0, 0, 1],
            vec![0, 0, 0, 0],
        ];
        let ops = ["input", "conv3x3-bn-relu", "maxpool3x3", "output"];
        let cell = crate::arch::nb101::Cell::new(&m, &ops).unwrap();
        let bench = EveryCell;
        let mut s = Session::new(&bench, Strategy::Random, 1, "live").unwrap();
        s.inject(Arch::Nb101(cell), None, None, None).unwrap();
        let mut e = Editor::new(0, s.run(), 0).unwrap();
        // Tab past the four layers to the first edge, 0 -> 1
        for _ in 0..3 {
            e.key(key("tab"), &bench);
        }
        assert_eq!(e.focus(), Some(EditTarget::Edge(0, 1)));
        e.key(key("a"), &bench);
        let menu = e.menu().unwrap();
        assert_eq!(menu.items.len(), 3, "one item per NB-101 op");
        for p in &menu.items {
            let (_, want) = bench.query(p.candidate.arch.as_ref().unwrap()).unwrap();
            assert_eq!(p.metrics.as_ref().unwrap(), &want);
        }
        // `1` applies the first op: conv3x3 between the input and layer 1
        let want = Mutation::AddNode {
            layer: "conv3x3-bn-relu".into(),
            from: 0,
            to: 1,
        };
        assert_eq!(e.key(key("1"), &bench), EditOutcome::Apply(want.clone()));
        let t = s.run().trials.len();
        let applied = s.edit(e.base_id, &want, None).unwrap();
        assert_eq!(applied.arch.evaluated_dag().nodes.len(), 5);
        assert_eq!(s.run().trials.len(), t + 1);
        // a layer between the output and nothing is refused, with the reason
        let mut e = Editor::new(0, s.run(), t).unwrap();
        for _ in 0..3 {
            e.key(key("tab"), &bench);
        }
        assert_eq!(e.focus(), Some(EditTarget::Node(4)));
        e.key(key("a"), &bench);
        assert!(
            e.message().unwrap().contains("after the output"),
            "{:?}",
            e.message()
        );
        // deleting a layer joins its inputs to its outputs
        e.key(key("shift+tab"), &bench);
        e.key(key("d"), &bench);
        let menu = e.menu().unwrap();
        assert!(matches!(
            menu.items[0].candidate.mutation,
            Mutation::RemoveNode { node: 3 }
        ));
    }
}
