//! The live search and edit mode in the viewer: playback driving the
//! search, the keys and clicks of edit mode, applying and undoing an edit,
//! and what edit mode draws.

use super::*;

/// What edit mode on run `run` looks its choices up in: the live search's
/// benchmark, or a followed study's.
fn edit_bench<'a>(
    live: &'a Option<(usize, live::Live)>,
    study: &'a Option<crate::search::study::StudyBench>,
    run: usize,
) -> Option<&'a dyn crate::search::Benchmark> {
    match (live, study) {
        (Some((r, l)), _) if *r == run => Some(l.bench()),
        (_, Some(b)) => Some(b),
        _ => None,
    }
}

impl Viewer {
    /// Makes the `want` trials playback asked of the live search, records
    /// pause and resume, and saves.
    pub(super) fn drive_live(&mut self, want: usize) {
        let Some((r, mut live)) = self.live.take() else {
            return;
        };
        let on_show = self.state.run() == r;
        let playing = on_show && self.state.playing();
        let mut fault = None;
        if playing != self.live_playing && on_show {
            let _ = live.mark(if playing { "resume" } else { "pause" });
        }
        self.live_playing = playing;
        if want > 0 && playing {
            if let Err(e) = live.step(want) {
                fault = Some(format!("the search stopped: {e}"));
            }
        }
        let saved = live.save();
        self.sync_run(r, live.run());
        self.live = Some((r, live));
        if let Some(m) = saved.or(fault) {
            self.state.set_playing(false);
            self.state.notify_for(m, 8.0);
        }
    }

    /// Keys of the live search and edit mode: E, Ctrl+Z, Ctrl+S, and every
    /// key while editing. Returns whether the key was taken.
    pub(super) fn steer_key(&mut self, k: command::KeyPress) -> bool {
        use command::Key;
        let ctrl = k.mods.ctrl && !k.mods.alt;
        if ctrl && k.key == Key::Char('z') {
            self.undo();
            return true;
        }
        if ctrl && k.key == Key::Char('s') {
            self.save_elsewhere();
            return true;
        }
        if let Some(e) = &mut self.editor {
            let Some(bench) = edit_bench(&self.live, &self.study_bench, e.run) else {
                self.editor = None;
                return false;
            };
            let out = e.key(k, bench);
            self.state.notify_changed();
            match out {
                edit::EditOutcome::Done => return true,
                edit::EditOutcome::Ignored => {
                    // help and quit still work; playback waits
                    return !matches!(
                        command::Action::for_key(k),
                        Some(command::Action::ToggleHelp | command::Action::Quit)
                    );
                }
                edit::EditOutcome::Leave => {
                    self.editor = None;
                    return true;
                }
                edit::EditOutcome::Apply(m) => {
                    self.apply_edit(m);
                    return true;
                }
            }
        }
        false
    }

    /// E: edit mode on the selected trial of the live run, or its step on
    /// show; the search pauses.
    pub(super) fn enter_edit(&mut self) {
        let on_live = self.live.as_ref().map(|l| l.0) == Some(self.state.run());
        #[cfg(not(target_arch = "wasm32"))]
        if !on_live && self.enter_study_edit() {
            return;
        }
        let _ = on_live;
        let Some((r, _)) = &self.live else {
            self.state.notify(
                "editing needs a live search: nasviz view --live nbgraph:cora (the demo has one)"
                    .into(),
            );
            return;
        };
        let r = *r;
        if self.state.run() != r {
            self.state.select_run(r);
        }
        self.state.set_playing(false);
        let base = match self.state.selected().filter(|t| t.run == r) {
            Some(t) => t.index,
            None => self.state.step(),
        };
        self.editor = edit::Editor::new(r, &self.runs[r], base);
        self.state.notify_changed();
    }

    /// Applies `m` to the editor's base through the benchmark and shows
    /// the new trial.
    pub(super) fn apply_edit(&mut self, m: crate::arch::Mutation) {
        let Some(e) = self.editor.take() else {
            return;
        };
        // a followed study's trial: the edit is enqueued for its workers
        #[cfg(not(target_arch = "wasm32"))]
        if self.live.as_ref().map(|l| l.0) != Some(e.run) {
            self.enqueue_edit(e, m);
            return;
        }
        let Some((r, mut live)) = self.live.take() else {
            return;
        };
        let result = live.edit(e.base_id, &m);
        let saved = live.save();
        self.sync_run(r, live.run());
        self.live = Some((r, live));
        match result {
            Err(err) => {
                self.state.notify_for(format!("edit refused: {err}"), 6.0);
                self.editor = Some(e);
            }
            Ok(id) => {
                let Some(pos) = self.runs[r].position(id) else {
                    return;
                };
                let t = self.runs[r].trials.at(pos);
                let (v, te) = (t.metrics.val_acc, t.metrics.test_acc);
                let msg = format!(
                    "your edit is step {}: validation {} ({} vs step {}), test {} ({}); Space continues the search from it, Ctrl+Z undoes",
                    pos + 1,
                    crate::fmt::fmt_pct(v),
                    crate::fmt::fmt_pp(v - e.base_acc.0),
                    e.base + 1,
                    crate::fmt::fmt_pct(te),
                    crate::fmt::fmt_pp(te - e.base_acc.1),
                );
                self.state.clear_selection();
                self.state.go_to(pos, 0.45);
                self.state.notify_for(saved.unwrap_or(msg), 8.0);
            }
        }
    }

    /// Ctrl+Z: takes back the newest user trial of the live run and shows
    /// its base again.
    pub(super) fn undo(&mut self) {
        #[cfg(not(target_arch = "wasm32"))]
        if self.follow.is_some() && self.live.as_ref().map(|l| l.0) != Some(self.state.run()) {
            self.withdraw_last();
            return;
        }
        let Some((r, mut live)) = self.live.take() else {
            self.state.notify("nothing to undo: no live search".into());
            return;
        };
        let result = live.undo();
        let saved = live.save();
        self.sync_run(r, live.run());
        self.live = Some((r, live));
        let msg = match result {
            Ok(None) => "nothing to undo".to_string(),
            Err(e) => format!("cannot undo: {e}"),
            Ok(Some((id, base))) => {
                let run = &self.runs[r];
                let at = |id: u64| run.position(id).map_or(0, |p| p + 1);
                self.editor = None;
                self.state.clear_selection();
                if self.state.run() != r {
                    self.state.select_run(r);
                }
                if let Some(b) = base.and_then(|b| run.position(b)) {
                    self.state.go_to(b, 0.45);
                }
                format!(
                    "undone: step {} leaves the search (it stays in the record); back to step {}",
                    at(id),
                    base.map_or(0, at)
                )
            }
        };
        self.state.notify_for(saved.unwrap_or(msg), 6.0);
    }

    /// Ctrl+S: saves the live session to a new file in the data folder
    /// (after a failure to save, or to keep a copy).
    pub(super) fn save_elsewhere(&mut self) {
        let Some((_, live)) = &mut self.live else {
            self.state.notify("nothing to save: no live search".into());
            return;
        };
        let path = crate::trace::log::default_session_path(std::time::SystemTime::now());
        let msg = match live.save_to(&path) {
            Ok(()) => {
                self.state
                    .set_session_file(Some(path.display().to_string()));
                format!("saved; every trial and edit now goes to {}", path.display())
            }
            Err(e) => format!("cannot save to {}: {e}", path.display()),
        };
        self.state.notify_for(msg, 8.0);
    }

    /// A press in edit mode: a menu row applies, a layer or an edge of
    /// the architecture takes the focus. Returns whether it was taken.
    pub(super) fn edit_press(&mut self, p: [f32; 2]) -> bool {
        if let Some(i) = self.geom.menu.iter().position(|r| r.contains_point(p)) {
            let out = self.editor.as_mut().map(|e| e.choose(i));
            self.state.notify_changed();
            if let Some(edit::EditOutcome::Apply(m)) = out {
                self.apply_edit(m);
            }
            return true;
        }
        let spot = self.spot_at(p);
        let pic = self.geom.dag.clone();
        let target = match (spot.thing, &pic) {
            (Some(Thing::Node(i)), Some(pic)) => pic
                .nodes
                .get(i)
                .and_then(|n| n.id)
                .map(crate::search::steer::EditTarget::Node),
            (Some(Thing::Edge(e)), Some(pic)) => pic
                .edges
                .get(e)
                .and_then(|e| e.key)
                .map(|(a, b)| crate::search::steer::EditTarget::Edge(a, b)),
            _ => None,
        };
        let (Some(t), Some(e)) = (target, &mut self.editor) else {
            return false;
        };
        let Some(bench) = edit_bench(&self.live, &self.study_bench, e.run) else {
            return false;
        };
        e.click(t, bench);
        self.drag_from = match t {
            crate::search::steer::EditTarget::Node(i) => Some(i),
            _ => None,
        };
        self.state.notify_changed();
        true
    }

    /// The release of a press in edit mode: a drag from one layer to
    /// another proposes that edge. Returns whether it was taken.
    pub(super) fn edit_release(&mut self, p: [f32; 2]) -> bool {
        let Some(from) = self.drag_from.take() else {
            return false;
        };
        let spot = self.spot_at(p);
        let to = match (spot.thing, &self.geom.dag) {
            (Some(Thing::Node(i)), Some(pic)) => pic.nodes.get(i).and_then(|n| n.id),
            _ => None,
        };
        let (Some(to), Some(e)) = (to, &mut self.editor) else {
            return false;
        };
        let Some(bench) = edit_bench(&self.live, &self.study_bench, e.run) else {
            return false;
        };
        if to != from {
            e.drag(from, to, bench);
            self.state.notify_changed();
        }
        true
    }

    /// Edit mode's picture: the base trial's architecture, or the
    /// highlighted edit's result diffed against it (the what-if).
    pub(super) fn edit_picture(
        &mut self,
        rect: Rect,
        theme: &Theme,
        measure: &mut Measure,
    ) -> Option<Arc<DagPicture>> {
        let e = self.editor.as_ref()?;
        let key: EditPicKey = (e.base_id, e.menu().map(|m| (m.kind, m.target, m.at)));
        if let Some((k, pic)) = &self.edit_pic {
            if *k == key && pic.rect == rect {
                return Some(pic.clone());
            }
        }
        let pic = match e.what_if() {
            Some((arch, label)) => dag_picture(
                arch,
                Some(&e.arch),
                &format!("What if: {label}"),
                rect,
                theme,
                measure,
            ),
            None => dag_picture(
                &e.arch,
                None,
                &format!("Editing step {} (trial {})", e.base + 1, e.base_id),
                rect,
                theme,
                measure,
            ),
        };
        let pic = Arc::new(pic);
        self.edit_pic = Some((key, pic.clone()));
        Some(pic)
    }

    /// What edit mode draws over the dashboard for picture `pic`.
    pub(super) fn edit_view(&self, pic: &DagPicture) -> Option<overlay::EditView> {
        let e = self.editor.as_ref()?;
        let on_study = self.live.as_ref().map(|l| l.0) != Some(e.run);
        let mut v = overlay::EditView {
            avoid: pic.rect,
            message: e.message().map(str::to_string),
            ..Default::default()
        };
        if e.what_if().is_none() {
            mark_focus(&mut v, e, pic);
        }
        // the panel goes beside the DAG's panel at the focus's height, not
        // over the layers next to the focus
        let focus = v.focus_box.or_else(|| polyline_box(&v.focus_path));
        if let Some(r) = focus {
            v.avoid = Rect::new(pic.rect.x, r.y, pic.rect.w, r.h);
        }
        let pct = crate::fmt::fmt_pct;
        match e.menu() {
            Some(m) => {
                v.title = format!(
                    "{} · {}: what each gives (base: validation {}, test {})",
                    target_name(e, m.target),
                    m.kind.verb(),
                    pct(e.base_acc.0),
                    pct(e.base_acc.1)
                );
                v.at = Some(m.at);
                if v.message.is_none() {
                    v.message = m.note.clone();
                }
                v.rows = menu_rows(e, m);
                v.keys = if on_study {
                    "↑ ↓ choose (the DAG shows it) · Enter or click enqueues it for the study's workers · 1–9 pick · Esc back"
                } else {
                    "↑ ↓ choose (the DAG shows it) · Enter or click applies · 1–9 pick · Esc back"
                }
                .into();
            }
            None => {
                let on = e.focus().map_or(String::new(), |t| target_name(e, t));
                let (val, test) = (pct(e.base_acc.0), pct(e.base_acc.1));
                v.title = if on_study {
                    format!(
                        "Edit trial {} for the study's workers · {on} · validation {val}, test {test}",
                        e.base_id
                    )
                } else {
                    format!(
                        "Edit step {} · {on} · validation {val}, test {test}",
                        e.base + 1
                    )
                };
                v.keys = if e.link_from().is_some() {
                    "Tab / click the layer the edge goes to · Enter opens its preview · Esc cancels"
                        .into()
                } else {
                    "Tab / click: layer or edge · A add layer · D delete · O change op · L new edge · Esc leaves".into()
                };
            }
        }
        Some(v)
    }
}

/// The focused layer's box or edge's path in picture `pic`, and the layer
/// an edge being added starts from.
fn mark_focus(v: &mut overlay::EditView, e: &edit::Editor, pic: &DagPicture) {
    use crate::search::steer::EditTarget;
    let node_rect = |i: usize| {
        pic.nodes.iter().find(|n| n.id == Some(i)).map(|n| {
            let (w, h) = (n.size[0] * n.scale, n.size[1] * n.scale);
            Rect::new(n.center[0] - w / 2.0, n.center[1] - h / 2.0, w, h)
        })
    };
    match e.focus() {
        Some(EditTarget::Node(i)) => v.focus_box = node_rect(i),
        Some(EditTarget::Edge(a, b)) => {
            v.focus_path = pic
                .edges
                .iter()
                .find(|x| x.key == Some((a, b)))
                .map(|x| x.points.clone())
                .unwrap_or_default();
        }
        None => {}
    }
    v.link_from = e.link_from().and_then(node_rect);
}

/// A layer (with its op) or an edge of the base architecture, in words.
fn target_name(e: &edit::Editor, t: crate::search::steer::EditTarget) -> String {
    use crate::search::steer::EditTarget;
    match t {
        EditTarget::Node(i) => {
            let dag = e.arch.evaluated_dag();
            let op = dag.nodes.get(i).map_or("", String::as_str);
            format!("layer {i} ({})", crate::scene::theme::op_label(op))
        }
        EditTarget::Edge(a, b) => format!("edge {a} -> {b}"),
    }
}

/// The what-if menu's rows: each edit with its accuracies and their change
/// against the base (marked ≈ where they are estimates), or why it is
/// refused.
fn menu_rows(e: &edit::Editor, m: &edit::Menu) -> Vec<overlay::MenuRow> {
    let (pct, pp) = (crate::fmt::fmt_pct, crate::fmt::fmt_pp);
    let estimates = m
        .note
        .as_deref()
        .is_some_and(|n| n.starts_with("estimates"));
    let approx = if estimates { "≈ " } else { "" };
    let row = |i: usize, p: &crate::search::steer::Preview| {
        let (detail, color) = match &p.metrics {
            Ok(x) if x.val_acc.is_nan() => (
                "no estimate: no completed trial has this choice yet".to_string(),
                overlay::TIP_TEXT,
            ),
            Ok(x) => {
                let dv = x.val_acc - e.base_acc.0;
                let color = if dv > 0.0 {
                    overlay::TIP_GOOD
                } else if dv < 0.0 {
                    overlay::TIP_BAD
                } else {
                    overlay::TIP_TEXT
                };
                let detail = format!(
                    "{approx}validation {} ({})   test {} ({})",
                    pct(x.val_acc),
                    pp(dv),
                    pct(x.test_acc),
                    pp(x.test_acc - e.base_acc.1)
                );
                (detail, color)
            }
            Err(why) => (format!("refused: {why}"), Color::hex(0x8c959f)),
        };
        overlay::MenuRow {
            label: p.candidate.label.clone(),
            detail,
            color,
            best: m.best == Some(i),
        }
    };
    m.items.iter().enumerate().map(|(i, p)| row(i, p)).collect()
}
