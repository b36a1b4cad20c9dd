//! What the dashboard's tooltips say: a trial (id, step, accuracies, cost,
//! layers, parent and edit), the best-so-far line at a step, a box or an
//! edge of the architecture view.

use super::overlay::{Tip, TIP_BAD, TIP_GOOD, TIP_NOTE, TIP_TEXT};
use crate::analysis::Analytics;
use crate::arch::Mutation;
use crate::fmt::{fmt_duration, fmt_int, fmt_pct, fmt_pp};
use crate::layout::Rect;
use crate::scene::dag::{DagPicture, Mark};
use crate::scene::table::arch_summary;
use crate::scene::theme::op_label;
use crate::trace::{Run, Source};

/// The longest line of layers a tooltip shows.
const MAX_LAYERS_CHARS: usize = 64;

/// A count in a short form: 1,234 or 1.23 M.
fn fmt_count(x: f64) -> String {
    if x >= 1e9 {
        format!("{:.2} G", x / 1e9)
    } else if x >= 1e6 {
        format!("{:.2} M", x / 1e6)
    } else if x >= 1e4 {
        format!("{:.1} k", x / 1e3)
    } else {
        fmt_int(x.max(0.0).round() as usize)
    }
}

/// An edit in words.
pub(crate) fn describe_edit(m: &Mutation) -> String {
    match m {
        Mutation::ChangeOp { node, from, to } => match from {
            Some(f) => format!("node {node}: {} → {}", op_label(f), op_label(to)),
            None => format!("node {node} → {}", op_label(to)),
        },
        Mutation::AddEdge { from, to } => format!("edge {from} → {to} added"),
        Mutation::RemoveEdge { from, to } => format!("edge {from} → {to} removed"),
        Mutation::AddNode { layer, from, to } => {
            format!("{} inserted between {from} and {to}", op_label(layer))
        }
        Mutation::RemoveNode { node } => format!("node {node} removed"),
        Mutation::Rewire { node, from, to } => {
            let name = |k: usize| {
                if k == 0 {
                    "input".to_string()
                } else {
                    format!("node {k}")
                }
            };
            format!("node {node} rewired: {} → {}", name(*from), name(*to))
        }
    }
}

fn shorten(s: String, max: usize) -> String {
    if s.chars().count() <= max {
        return s;
    }
    let cut: String = s.chars().take(max.saturating_sub(1)).collect();
    cut + "…"
}

/// Where each architecture of a run was evaluated, built once (when a
/// tooltip first asks) and extended as the run grows.
#[derive(Default)]
pub struct RepeatIndex {
    at: crate::trace::scan::FxMap<crate::arch::Arch, Vec<u32>>,
    len: usize,
}

impl RepeatIndex {
    /// Indexes the trials of `run` not indexed yet (all of them again if
    /// the run is shorter than what was indexed: it was replaced).
    pub fn sync(&mut self, run: &Run) {
        if run.trials.len() < self.len {
            *self = RepeatIndex::default();
        }
        for (i, t) in run.trials.iter().enumerate().skip(self.len) {
            self.at.entry(t.arch.clone()).or_default().push(i as u32);
        }
        self.len = run.trials.len();
    }

    /// How often trial `i`'s architecture was evaluated in the first
    /// `upto + 1` trials of `run` (tabular benchmarks give each evaluation
    /// the same accuracies, so their points coincide), and the first of
    /// them; `run` must be the one last synced.
    pub fn repeats(&self, run: &Run, i: usize, upto: usize) -> Repeats {
        let Some(at) = run.trials.get(i).and_then(|t| self.at.get(t.arch)) else {
            return Repeats { count: 0, first: i };
        };
        let end = upto.max(i);
        Repeats {
            count: at.partition_point(|&p| p as usize <= end),
            first: at.first().map_or(i, |&p| p as usize),
        }
    }
}

/// Evaluations of one architecture: how many, and the first one's position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Repeats {
    pub count: usize,
    pub first: usize,
}

/// The lines describing trial `i` of `run` (`repeats`: its architecture's
/// evaluations, from [`repeats`]).
pub(crate) fn trial_lines(
    run: &Run,
    analytics: &Analytics,
    i: usize,
    repeats: Repeats,
) -> Vec<(String, super::Color)> {
    let Some(t) = run.trials.get(i) else {
        return Vec::new();
    };
    let m = &t.metrics;
    let mut lines = vec![(
        format!(
            "validation {}   test {}",
            fmt_pct(m.val_acc),
            fmt_pct(m.test_acc)
        ),
        TIP_TEXT,
    )];
    let mut cost = Vec::new();
    if let Some(p) = m.params {
        cost.push(format!("{} params", fmt_count(p)));
    }
    if let Some(s) = m.train_time_s {
        cost.push(format!("training {}", fmt_duration(s)));
    }
    if let Some(l) = m.latency_s {
        cost.push(format!("latency {:.2} ms", l * 1000.0));
    }
    if !cost.is_empty() {
        lines.push((cost.join(" · "), TIP_TEXT));
    }
    lines.push((
        shorten(
            format!("layers: {}", arch_summary(t.arch)),
            MAX_LAYERS_CHARS,
        ),
        TIP_TEXT,
    ));
    let st = analytics.step(i);
    let parent = t
        .parents
        .first()
        .map(|p| format!("parent trial {p}"))
        .unwrap_or_else(|| "no parent (a random draw)".into());
    let edit = t.mutation.map(describe_edit);
    lines.push((
        match edit {
            Some(e) => format!("{parent} · {e}"),
            None => parent,
        },
        TIP_TEXT,
    ));
    if let Some(d) = st.and_then(|s| s.val_delta) {
        let against = if t.parents.is_empty() {
            "vs previous"
        } else {
            "vs parent"
        };
        lines.push((
            format!("validation {} {against}", fmt_pp(d)),
            if d > 0.0 {
                TIP_GOOD
            } else if d < 0.0 {
                TIP_BAD
            } else {
                TIP_TEXT
            },
        ));
    }
    if t.source == Source::User {
        lines.push(("made by the user (a steering edit)".into(), TIP_NOTE));
    }
    if let Some(w) = &t.worker {
        lines.push((format!("ran on {w}"), TIP_TEXT));
    }
    if st.is_some_and(|s| s.best == i) {
        lines.push(("best so far at its step".into(), TIP_NOTE));
    }
    if repeats.count > 1 {
        let first = if repeats.first == i {
            "this is the first".to_string()
        } else {
            format!("first at step {}", fmt_int(repeats.first + 1))
        };
        lines.push((
            format!(
                "architecture evaluated {} times so far ({first})",
                fmt_int(repeats.count)
            ),
            TIP_NOTE,
        ));
    }
    lines
}

/// The title of trial `i`'s tooltip.
pub(crate) fn trial_title(run: &Run, i: usize, with_run: bool) -> String {
    let id = run.trials.get(i).map_or(0, |t| t.trial_id);
    let mut s = format!("Trial {id} · step {}", fmt_int(i + 1));
    if with_run {
        s = format!("{s} · run {}", run.info.run_id);
    }
    s
}

/// The tooltip of a trial beside `avoid`.
pub(crate) fn trial_tip(
    run: &Run,
    analytics: &Analytics,
    (i, repeats): (usize, Repeats),
    with_run: bool,
    avoid: Rect,
) -> Tip {
    Tip {
        avoid,
        outline: false,
        title: trial_title(run, i, with_run),
        lines: trial_lines(run, analytics, i, repeats),
    }
}

/// The tooltip of the best-so-far line at `step`: the best trial then.
pub(crate) fn best_tip(
    run: &Run,
    analytics: &Analytics,
    step: usize,
    (best, repeats): (usize, Repeats),
    avoid: Rect,
) -> Tip {
    let mut lines = vec![(
        format!("best so far at step {}", fmt_int(step + 1)),
        TIP_NOTE,
    )];
    lines.extend(trial_lines(run, analytics, best, repeats));
    Tip {
        avoid,
        outline: false,
        title: trial_title(run, best, false),
        lines,
    }
}

/// The nodes an edge of a picture joins: those nearest its two ends.
fn edge_ends(pic: &DagPicture, e: usize) -> Option<(usize, usize)> {
    let pts = &pic.edges.get(e)?.points;
    let nearest = |p: [f32; 2]| {
        pic.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.alpha > 0.0)
            .min_by(|(_, a), (_, b)| {
                let d = |n: [f32; 2]| (n[0] - p[0]).powi(2) + (n[1] - p[1]).powi(2);
                d(a.center).total_cmp(&d(b.center))
            })
            .map(|(i, _)| i)
    };
    Some((nearest(*pts.first()?)?, nearest(*pts.last()?)?))
}

fn mark_line(mark: Mark, what: &str) -> (String, super::Color) {
    match mark {
        Mark::Added => (format!("{what} added (not in the reference)"), TIP_GOOD),
        Mark::Ghost => (format!("{what} removed (only in the reference)"), TIP_BAD),
        Mark::Changed => (format!("{what} changed"), TIP_NOTE),
        Mark::Same => (format!("{what} unchanged"), TIP_TEXT),
    }
}

/// The box of node `i` of a picture, in pixels.
pub(crate) fn node_box(pic: &DagPicture, i: usize) -> Option<Rect> {
    let n = pic.nodes.get(i)?;
    let (w, h) = (n.size[0] * n.scale, n.size[1] * n.scale);
    Some(Rect::new(
        n.center[0] - w / 2.0,
        n.center[1] - h / 2.0,
        w,
        h,
    ))
}

/// The tooltip of box `i` of the architecture view: its op, inputs and
/// outputs, and what the diff says of it.
pub(crate) fn node_tip(pic: &DagPicture, i: usize) -> Option<Tip> {
    let n = pic.nodes.get(i)?;
    let mut ins = Vec::new();
    let mut outs = Vec::new();
    for e in 0..pic.edges.len() {
        if let Some((a, b)) = edge_ends(pic, e) {
            if b == i && a != i {
                ins.push(pic.nodes[a].label.clone());
            }
            if a == i && b != i {
                outs.push(pic.nodes[b].label.clone());
            }
        }
    }
    let list = |v: Vec<String>| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    let mut lines = vec![
        (format!("inputs: {}", list(ins)), TIP_TEXT),
        (format!("outputs: {}", list(outs)), TIP_TEXT),
    ];
    if !pic.summary.is_empty() {
        lines.push(match (n.mark, &n.was) {
            (Mark::Changed, Some(w)) => (
                format!("op changed from {} to {}", op_label(w), n.label),
                TIP_NOTE,
            ),
            (m, _) => mark_line(m, "layer"),
        });
    }
    Some(Tip {
        avoid: node_box(pic, i)?,
        outline: true,
        title: format!("{} ({})", n.label, n.op),
        lines,
    })
}

/// The tooltip of edge `e` of the architecture view, at pixel `p`.
pub(crate) fn edge_tip(pic: &DagPicture, e: usize, p: [f32; 2]) -> Option<Tip> {
    let edge = pic.edges.get(e)?;
    let (a, b) = edge_ends(pic, e)?;
    let mut lines = Vec::new();
    if !pic.summary.is_empty() {
        lines.push(mark_line(edge.mark, "edge"));
    }
    Some(Tip {
        avoid: Rect::new(p[0] - 8.0, p[1] - 8.0, 16.0, 16.0),
        outline: false,
        title: format!("{} → {}", pic.nodes[a].label, pic.nodes[b].label),
        lines,
    })
}

/// Distance from `p` to the polyline `pts`.
pub(crate) fn polyline_distance(pts: &[[f32; 2]], p: [f32; 2]) -> f32 {
    let seg = |a: [f32; 2], b: [f32; 2]| {
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let len2 = dx * dx + dy * dy;
        let t = if len2 > 0.0 {
            (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (x, y) = (a[0] + t * dx, a[1] + t * dy);
        ((p[0] - x).powi(2) + (p[1] - y).powi(2)).sqrt()
    };
    match pts {
        [] => f32::INFINITY,
        [a] => seg(*a, *a),
        _ => pts
            .windows(2)
            .map(|w| seg(w[0], w[1]))
            .fold(f32::INFINITY, f32::min),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_read_as_words() {
        let m = Mutation::ChangeOp {
            node: 2,
            from: Some("gcn".into()),
            to: "gat".into(),
        };
        let d = describe_edit(&m);
        assert!(d.starts_with("node 2:") && d.contains('→'), "{d}");
        assert_eq!(
            describe_edit(&Mutation::RemoveNode { node: 3 }),
            "node 3 removed"
        );
        assert_eq!(
            describe_edit(&Mutation::Rewire {
                node: 3,
                from: 2,
                to: 0
            }),
            "node 3 rewired: node 2 → input"
        );
        assert_eq!(fmt_count(1_234_567.0), "1.23 M");
        assert_eq!(fmt_count(950.0), "950");
    }

    /// [`RepeatIndex::repeats`] of a fresh index, for one question.
    fn repeats(run: &Run, i: usize, upto: usize) -> Repeats {
        let mut index = RepeatIndex::default();
        index.sync(run);
        index.repeats(run, i, upto)
    }

    #[test]
    fn a_tooltip_says_how_often_its_architecture_was_evaluated() {
        use crate::arch::nbgraph::{GnnOp, GraphArch};
        use crate::arch::Arch;
        use crate::trace::{RunInfo, Trial, TrialMetrics};
        let arch = |op| match GraphArch::new([0, 1, 1, 1], [op, GnnOp::Gcn, GnnOp::Gat, GnnOp::Fc])
        {
            Ok(a) => Arch::NbGraph(a),
            Err(e) => panic!("{e}"),
        };
        let mut run = crate::trace::Run::new(RunInfo {
            run_id: "r".into(),
            strategy: "random_search".into(),
            space: "nbgraph".into(),
            benchmark: String::new(),
            seed: None,
            objectives: Vec::new(),
            config: None,
        });
        // A B A C A: A is evaluated at steps 1, 3 and 5
        for (id, op) in [
            GnnOp::Sage,
            GnnOp::Gin,
            GnnOp::Sage,
            GnnOp::Cheb,
            GnnOp::Sage,
        ]
        .into_iter()
        .enumerate()
        {
            let m = TrialMetrics {
                val_acc: 0.5,
                test_acc: 0.5,
                train_time_s: None,
                params: None,
                flops: None,
                latency_s: None,
            };
            if let Err(e) = run.push(Trial::new(id as u64, arch(op), m)) {
                panic!("{e}");
            }
        }
        assert_eq!(repeats(&run, 2, 4), Repeats { count: 3, first: 0 });
        // counted up to the step on show, never past it
        assert_eq!(repeats(&run, 2, 2), Repeats { count: 2, first: 0 });
        assert_eq!(repeats(&run, 1, 4), Repeats { count: 1, first: 1 });
        assert_eq!(repeats(&run, 9, 4).count, 0);
        let a = Analytics::of_run(&run);
        let said = |i: usize| -> Vec<String> {
            trial_lines(&run, &a, i, repeats(&run, i, 4))
                .into_iter()
                .map(|(l, _)| l)
                .collect()
        };
        assert!(
            said(4)
                .iter()
                .any(|l| l == "architecture evaluated 3 times so far (first at step 1)"),
            "{:?}",
            said(4)
        );
        assert!(said(0).iter().any(|l| l.ends_with("(this is the first)")));
        assert!(!said(1).iter().any(|l| l.contains("evaluated")));
    }

    #[test]
    fn the_index_agrees_with_a_scan_as_the_run_grows() {
        let text = crate::export::DEMO_EVOLUTION;
        let (trace, _) = match crate::trace::jsonl::read_trace_from(text.as_bytes(), "demo") {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        };
        let full = &trace.runs[0];
        let mut run = crate::trace::Run::new(full.info.clone());
        let mut index = RepeatIndex::default();
        let mut repeated = 0;
        for (k, t) in full.trials.iter().enumerate() {
            if let Err(e) = run.push(t.to_trial()) {
                panic!("{e}");
            }
            if k % 97 != 0 {
                continue;
            }
            index.sync(&run);
            for i in (0..=k).step_by(13) {
                for upto in [i, (i + k) / 2, k] {
                    let want =
                        (0..=upto).filter(|&j| run.trials.at(j).arch == run.trials.at(i).arch);
                    let first = (0..=k).find(|&j| run.trials.at(j).arch == run.trials.at(i).arch);
                    let got = index.repeats(&run, i, upto);
                    assert_eq!(got.count, want.count(), "trial {i} up to {upto}");
                    assert_eq!(Some(got.first), first);
                    repeated += usize::from(got.count > 1);
                }
            }
        }
        assert!(repeated > 50, "evolution re-evaluates: {repeated}");
    }

    #[test]
    fn distance_to_a_polyline() {
        let pts = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0]];
        assert!((polyline_distance(&pts, [5.0, 3.0]) - 3.0).abs() < 1e-6);
        assert!((polyline_distance(&pts, [12.0, 5.0]) - 2.0).abs() < 1e-6);
        assert!(polyline_distance(&[], [0.0, 0.0]).is_infinite());
    }
}
