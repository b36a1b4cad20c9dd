use super::command::{Action, Command, Key, KeyPress};
use super::frame::blend_at;
use super::state::TRANSITION_S;
use super::*;
use crate::scene::approx_measure;

fn demo() -> Viewer {
    let runs = crate::app::demo_runs().unwrap_or_default();
    assert_eq!(runs.len(), 2);
    let mut v = Viewer::new(runs, (1280, 800));
    v.handle(Command::Tick(0.0));
    v
}

#[test]
fn frames_build_without_a_gpu_in_every_mode() {
    let mut v = demo();
    v.state.set_step(300);
    let still = v.frame(&mut approx_measure);
    assert!(still.is_ok_and(|f| f.dash.is_some()));
    let _ = v.state.act(Action::StepForward);
    v.handle(Command::Tick(TRANSITION_S / 2.0));
    let mid = v.frame(&mut approx_measure);
    // mid-transition the newest point is held back and grown by the views
    assert!(mid.is_ok_and(|f| f.dash.is_some_and(|d| d.held == 1)));
    let _ = v.state.act(Action::ToggleCompare);
    assert!(v.state.comparing());
    let cmp = v.frame(&mut approx_measure);
    assert!(cmp.is_ok_and(|f| f.points_len(&v).1 > 0));
    let _ = v.state.act(Action::ToggleTimeAxis);
    assert!(v.frame(&mut approx_measure).is_ok());
    // a window too small for the dashboard still gets the bar
    v.handle(Command::Resize(300, 200));
    let tiny = v.frame(&mut approx_measure);
    assert!(tiny.is_ok_and(|f| f.dash.is_none()));
}

#[test]
fn the_ring_glides_along_the_blend() {
    let mut v = demo();
    v.state.set_step(10);
    let _ = v.state.act(Action::StepForward);
    v.handle(Command::Tick(TRANSITION_S / 2.0));
    let pose = v.state.pose();
    let ring = |s: usize| {
        v.runs()[0]
            .trials
            .get(s)
            .map(|t| [t.metrics.val_acc, t.metrics.test_acc])
    };
    let Pose::Blend { from, u, .. } = &pose else {
        panic!("{pose:?}")
    };
    assert!((u - 0.5).abs() < 1e-5);
    assert_eq!(blend_at(from, &ring), ring(10));
    let whole = blend_at(&pose, &ring);
    let (a, b) = (ring(10).unwrap_or_default(), ring(11).unwrap_or_default());
    let mid = [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
    assert!(whole.is_some_and(|w| (w[0] - mid[0]).abs() < 1e-6 && (w[1] - mid[1]).abs() < 1e-6));
}

fn texts_of(f: &Frame, kind: ViewKind) -> String {
    f.dash
        .as_ref()
        .and_then(|d| d.views.iter().find(|(k, _)| *k == kind))
        .map(|(_, v)| {
            v.texts
                .iter()
                .map(|t| t.text.clone())
                .collect::<Vec<_>>()
                .join("|")
        })
        .unwrap_or_default()
}

fn grown(f: &Frame, kind: ViewKind) -> Vec<[f32; 2]> {
    f.dash
        .as_ref()
        .and_then(|d| d.views.iter().find(|(k, _)| *k == kind))
        .map(|(_, v)| v.circles.iter().map(|c| c.center).collect())
        .unwrap_or_default()
}

/// A trial of run 0 whose scatter point is the topmost at its centre.
fn topmost(v: &mut Viewer, from: usize) -> Option<(usize, [f32; 2])> {
    (0..=from).rev().find_map(|k| {
        let t = TrialRef { run: 0, index: k };
        let p = v.point_of(t, Plot::Scatter)?;
        (v.spot_at(p).thing == Some(Thing::Point(t))).then_some((k, p))
    })
}

#[test]
fn hovering_a_point_highlights_it_in_both_plots_and_tells_its_story() {
    let mut v = demo();
    v.state.set_step(400);
    assert!(v.frame(&mut approx_measure).is_ok());
    let Some((k, p)) = topmost(&mut v, 390) else {
        panic!("no pickable point")
    };
    v.handle(Command::Move(p));
    assert_eq!(v.state.hovered_trial(), Some(TrialRef { run: 0, index: k }));
    v.handle(Command::Tick(1.0));
    let f = match v.frame(&mut approx_measure) {
        Ok(f) => f,
        Err(e) => panic!("{e}"),
    };
    let t = v.runs()[0].trials.at(k).to_trial();
    let here = [t.metrics.val_acc as f32, t.metrics.test_acc as f32];
    assert!(
        grown(&f, ViewKind::Scatter).contains(&here),
        "scatter not highlighted"
    );
    assert!(
        grown(&f, ViewKind::Line).contains(&[k as f32, here[0]]),
        "line not linked"
    );
    // the tooltip names the trial
    let tip: Vec<String> = f.overlay_text.iter().map(|t| t.text.clone()).collect();
    assert!(
        tip.iter()
            .any(|l| l.contains(&format!("Trial {} · step {}", t.trial_id, k + 1))),
        "{tip:?}"
    );
    assert!(tip.iter().any(|l| l.starts_with("validation ")));
    // a click selects it: the DAG and the table describe it
    v.handle(Command::Press(p));
    v.handle(Command::Release(p));
    let f = v.frame(&mut approx_measure).ok();
    let dag = f
        .as_ref()
        .map(|f| texts_of(f, ViewKind::Dag))
        .unwrap_or_default();
    assert!(
        dag.contains(&format!("Selected trial {}", t.trial_id)),
        "{dag}"
    );
    let table = f
        .as_ref()
        .map(|f| texts_of(f, ViewKind::Table))
        .unwrap_or_default();
    assert!(table.contains(&format!("{} of 2,000", k + 1)), "{table}");
    // a row naming the best trial highlights that trial in the plots
    let rows = v.geom.rows.clone();
    let best = v.analytics[0].step(k).map(|s| s.best);
    if let (Some(r), Some(best)) = (rows.get(BEST_ROW), best) {
        v.handle(Command::Move(r.center()));
        assert_eq!(
            v.state.hovered_trial(),
            Some(TrialRef {
                run: 0,
                index: best
            })
        );
    } else {
        panic!("no best row");
    }
    // Esc returns to the step
    v.handle(Command::Key(KeyPress::plain(Key::Escape)));
    let f = v.frame(&mut approx_measure).ok();
    let dag = f
        .as_ref()
        .map(|f| texts_of(f, ViewKind::Dag))
        .unwrap_or_default();
    assert!(dag.contains("trial 400"), "{dag}");
}

#[test]
fn shift_click_diffs_two_trials_node_for_node() {
    let mut v = demo();
    v.state.set_step(600);
    assert!(v.frame(&mut approx_measure).is_ok());
    let (Some((a, pa)), Some((b, pb))) = (topmost(&mut v, 590), topmost(&mut v, 300)) else {
        panic!("no pickable points")
    };
    v.handle(Command::Move(pa));
    v.handle(Command::Press(pa));
    v.handle(Command::Release(pa));
    v.handle(Command::Tick(1.0));
    v.handle(Command::Modifiers(super::command::Mods {
        shift: true,
        ..Default::default()
    }));
    v.handle(Command::Move(pb));
    v.handle(Command::Press(pb));
    v.handle(Command::Release(pb));
    assert_eq!(v.state.second(), Some(TrialRef { run: 0, index: b }));
    let f = v.frame(&mut approx_measure).ok();
    let dag = f
        .as_ref()
        .map(|f| texts_of(f, ViewKind::Dag))
        .unwrap_or_default();
    let trials = &v.runs()[0].trials;
    assert!(
        dag.contains(&format!(
            "Diff · trial {} (A) → trial {} (B)",
            trials.at(a).trial_id,
            trials.at(b).trial_id
        )),
        "{dag}"
    );
    let dv = trials.at(b).metrics.val_acc - trials.at(a).metrics.val_acc;
    assert!(
        dag.contains(&format!("validation {}", crate::fmt::fmt_pp(dv))),
        "{dag}"
    );
    // the boxes of the architecture answer the pointer
    let node = v
        .geom
        .dag
        .as_ref()
        .and_then(|d| d.nodes.first().map(|n| n.center));
    if let Some(c) = node {
        v.handle(Command::Move(c));
        assert_eq!(v.state.spot().thing, Some(Thing::Node(0)));
    }
}

#[test]
fn a_followed_file_grows_in_the_viewer_and_a_bad_line_stops_it() {
    use std::io::Write;
    let demo = crate::export::DEMO_RANDOM;
    let lines: Vec<&str> = demo.lines().collect();
    let dir = std::env::temp_dir().join(format!("nasviz-follow-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("live.jsonl");
    // the run line and 10 trials so far
    let _ = std::fs::write(&path, lines[..11].join("\n") + "\n");
    let mut f = crate::trace::jsonl::Follower::new(&path);
    assert!(f.poll().is_ok());
    let runs = f.trace().runs.clone();
    let f = crate::trace::open::Followed::Native(f);
    let mut v = Viewer::new(runs, (1280, 800));
    v.handle(Command::Tick(0.0));
    v.state.set_step(9);
    v.follow(f);
    assert!(v.state.following());
    assert!(v.state.next_wake().is_some(), "following wakes the viewer");
    // 40 more trials, and half a line still being written
    let mut out = match std::fs::OpenOptions::new().append(true).open(&path) {
        Ok(o) => o,
        Err(e) => panic!("{e}"),
    };
    let _ = out.write_all((lines[11..51].join("\n") + "\n").as_bytes());
    let _ = out.write_all(&lines[51].as_bytes()[..20]);
    let _ = out.flush();
    v.handle(Command::Tick(0.5));
    assert_eq!(v.runs()[0].trials.len(), 50);
    assert_eq!(v.state.runs()[0].len, 50);
    assert_eq!(v.state.step(), 49, "the view follows to the newest trial");
    assert!(v.state.runs()[0].best_at(49).is_some());
    assert_eq!(v.state.runs()[0].best_at(50), None);
    assert!(v.frame(&mut approx_measure).is_ok());
    // the rest of that line arrives; the user stepped back: no jump
    v.state.set_step(20);
    let _ = out.write_all(&lines[51].as_bytes()[20..]);
    let _ = out.write_all(b"\n");
    let _ = out.flush();
    v.handle(Command::Tick(1.0));
    assert_eq!(v.runs()[0].trials.len(), 51);
    assert_eq!(v.state.step(), 20);
    // a broken line: following stops with a notice, nothing is lost
    let _ = out.write_all(b"{\"kind\":\"trial\",\"run_id\":\"rs-0\",\"trial_id\":\n");
    let _ = out.flush();
    v.handle(Command::Tick(1.5));
    assert!(!v.state.following());
    assert!(v
        .state
        .notice()
        .is_some_and(|n| n.starts_with("stopped following")));
    assert_eq!(v.runs()[0].trials.len(), 51);
    // following again, a truncated file is said on screen too
    let mut f = crate::trace::jsonl::Follower::new(&path);
    let _ = f.poll();
    v.follow(crate::trace::open::Followed::Native(f));
    let _ = std::fs::write(&path, lines[..5].join("\n") + "\n");
    v.handle(Command::Tick(2.0));
    assert!(!v.state.following());
    assert!(
        v.state
            .notice()
            .is_some_and(|n| n.contains("the file shrank")),
        "{:?}",
        v.state.notice()
    );
    assert_eq!(v.runs()[0].trials.len(), 51, "nothing read is lost");
    let _ = std::fs::remove_dir_all(&dir);
}

fn over_text(f: &Frame) -> String {
    f.overlay_text
        .iter()
        .map(|t| t.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_live_search_runs_is_edited_through_a_previewed_menu_undone_and_saved() {
    use crate::search::{NbGraphBench, Strategy};
    use crate::table::nbgraph::NbGraphTable;
    use live::{Live, LiveOptions, SaveTo};
    let dir = std::env::temp_dir().join(format!("nasviz-live-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("session.jsonl");
    let bench = NbGraphBench::new(NbGraphTable::cora().unwrap());
    let live = Live::start(LiveOptions {
        bench: Arc::new(bench),
        strategy: Strategy::EVOLUTION,
        seed: 3,
        run_id: "live".into(),
        warm: 1,
        save: SaveTo::File(path.clone()),
    })
    .unwrap();
    let mut v = Viewer::new(Vec::new(), (1280, 800));
    v.start_live(live, true);
    let key = |v: &mut Viewer, k: &str| v.handle(Command::Key(k.parse().unwrap()));
    let mut now = 0.0;
    let mut run_for = |v: &mut Viewer, secs: f64| {
        for _ in 0..(secs * 60.0) as usize {
            now += 1.0 / 60.0;
            v.handle(Command::Tick(now));
            if v.state.needs_frame() {
                assert!(v.frame(&mut approx_measure).is_ok());
                v.state.frame_drawn();
            }
        }
    };
    run_for(&mut v, 0.1);
    // Space runs the search at the playback speed (10 steps/s)
    key(&mut v, "space");
    run_for(&mut v, 3.0);
    let n = v.runs()[0].trials.len();
    assert!((25..=35).contains(&n), "{n} trials after 3 s at 10/s");
    assert_eq!(v.state.step(), n - 1, "the view keeps to the newest trial");
    key(&mut v, "space");
    run_for(&mut v, 0.5);
    assert_eq!(v.runs()[0].trials.len(), n, "paused: no new trials");
    // every trial is already in the file
    let (t, _) = crate::trace::jsonl::read_trace(&path).unwrap();
    assert_eq!(t.runs[0].trials.len(), n);
    // E: edit mode on the step on show; NAS-Bench-Graph refuses a new layer
    key(&mut v, "e");
    assert_eq!(v.editor().map(|e| e.base), Some(n - 1));
    key(&mut v, "a");
    let f = v.frame(&mut approx_measure).unwrap();
    assert!(
        over_text(&f).contains("cannot add a layer"),
        "{}",
        over_text(&f)
    );
    // O: the op menu, each op with its numbers and delta; Enter applies
    key(&mut v, "o");
    let f = v.frame(&mut approx_measure).unwrap();
    let text = over_text(&f);
    assert!(text.contains("what each gives"), "{text}");
    assert!(text.contains("★ best"), "{text}");
    assert!(text.contains(" pp)"), "{text}");
    assert!(!v.geom.menu.is_empty(), "menu rows are clickable");
    let chosen = {
        let m = v.editor().and_then(|e| e.menu()).unwrap();
        m.items[m.at].clone()
    };
    key(&mut v, "enter");
    run_for(&mut v, 1.0);
    let run = &v.runs()[0];
    assert_eq!(run.trials.len(), n + 1);
    let mine = run.trials.at(n);
    assert_eq!(mine.source, crate::trace::Source::User);
    assert_eq!(mine.parents, vec![run.trials.at(n - 1).trial_id]);
    assert_eq!(
        Ok(mine.arch),
        chosen.candidate.arch.as_ref(),
        "the applied edit is the previewed one"
    );
    assert_eq!(
        mine.metrics.val_acc,
        chosen.metrics.as_ref().unwrap().val_acc
    );
    assert_eq!(v.state.step(), n, "the new trial is shown");
    assert_eq!(v.state.runs()[0].user, vec![n]);
    assert!(v.editor().is_none());
    // the search continues from it
    key(&mut v, "space");
    run_for(&mut v, 1.0);
    key(&mut v, "space");
    run_for(&mut v, 0.2);
    let m = v.runs()[0].trials.len();
    assert!(m > n + 5, "{m}");
    // Ctrl+Z: the edit is taken back, the view returns to its base
    key(&mut v, "ctrl+z");
    run_for(&mut v, 1.0);
    assert_eq!(v.state.step(), n - 1);
    assert_eq!(v.runs()[0].trials.len(), m, "nothing is erased");
    // the file holds it all: trials, the edit, pause/resume and undo
    let (t, _) = crate::trace::jsonl::read_trace(&path).unwrap();
    assert_eq!(t.runs[0], v.runs()[0]);
    let actions: Vec<&str> = t.runs[0].steers.iter().map(|s| s.action.as_str()).collect();
    assert_eq!(
        actions,
        ["resume", "pause", "change_op", "resume", "pause", "undo"]
    );
    let _ = std::fs::remove_dir_all(&dir);
}
