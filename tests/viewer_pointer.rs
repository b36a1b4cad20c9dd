//! The viewer under the pointer: hover tooltips over each view, click to
//! select a trial, shift-click to diff two, keys to walk the selection,
//! pan and zoom; in process and under Xvfb with `--script`.

mod common;

use nasviz::app::{demo_runs, make_viewer, Painter};
use nasviz::render::TARGET_FORMAT;
use nasviz::viewer::command::Command;
use nasviz::viewer::spot::{Plot, Thing, TrialRef};
use nasviz::viewer::Viewer;

fn demo_viewer(size: (u32, u32), step: usize) -> Viewer {
    let runs = demo_runs().expect("demo runs");
    let mut v = make_viewer(runs, size, None, Some(step)).expect("viewer");
    v.handle(Command::Tick(0.0));
    v
}

/// A trial of run 0 whose point in `plot` is the topmost at its centre,
/// searching back from `from`.
fn topmost(v: &mut Viewer, plot: Plot, from: usize) -> (usize, [f32; 2]) {
    for k in (0..=from).rev() {
        let t = TrialRef { run: 0, index: k };
        if let Some(p) = v.point_of(t, plot) {
            if v.spot_at(p).thing == Some(Thing::Point(t)) {
                return (k, p);
            }
        }
    }
    panic!("no pickable trial in {plot:?}");
}

#[test]
fn explore() {
    let ctx = gpu_or_skip!("explore");
    let mut painter = Painter::new(ctx, TARGET_FORMAT);
    let mut v = demo_viewer((1280, 800), 300);
    painter.snapshot(ctx, &mut v).expect("first");
    let (k, p) = topmost(&mut v, Plot::Scatter, 250);
    eprintln!("scatter trial {k} at {p:?}");
    v.handle(Command::Move(p));
    v.handle(Command::Tick(0.5));
    let img = painter.snapshot(ctx, &mut v).expect("hover");
    img.save_png("/tmp/x-hover-scatter.png").expect("save");
    let (j, q) = topmost(&mut v, Plot::Line, 200);
    eprintln!("line trial {j} at {q:?}");
    v.handle(Command::Move(q));
    v.handle(Command::Tick(1.0));
    painter.snapshot(ctx, &mut v).expect("hover").save_png("/tmp/x-hover-line.png").expect("save");
    v.handle(Command::Move(p));
    v.handle(Command::Press(p));
    v.handle(Command::Release(p));
    v.handle(Command::Tick(1.5));
    painter.snapshot(ctx, &mut v).expect("sel").save_png("/tmp/x-selected.png").expect("save");
    v.handle(Command::Modifiers(nasviz::viewer::command::Mods { shift: true, ..Default::default() }));
    v.handle(Command::Move(q));
    v.handle(Command::Press(q));
    v.handle(Command::Release(q));
    v.handle(Command::Modifiers(Default::default()));
    v.handle(Command::Tick(2.0));
    painter.snapshot(ctx, &mut v).expect("diff").save_png("/tmp/x-diff.png").expect("save");
    if let Some(c) = v.node_center(2) {
        v.handle(Command::Move(c));
        v.handle(Command::Tick(2.5));
        painter.snapshot(ctx, &mut v).expect("node").save_png("/tmp/x-node.png").expect("save");
    }
}

#[test]
fn explore_zoom() {
    let ctx = gpu_or_skip!("explore_zoom");
    let mut painter = Painter::new(ctx, TARGET_FORMAT);
    let mut v = demo_viewer((1280, 800), 1500);
    painter.snapshot(ctx, &mut v).expect("first");
    let c = [900.0, 280.0];
    v.handle(Command::Move(c));
    v.handle(Command::Wheel(c, 3.0));
    v.handle(Command::Tick(0.1));
    painter.snapshot(ctx, &mut v).expect("mid").save_png("/tmp/x-zoom-mid.png").expect("save");
    v.handle(Command::Tick(1.0));
    painter.snapshot(ctx, &mut v).expect("z").save_png("/tmp/x-zoom.png").expect("save");
    // pan in the line chart, box in the line chart
    v.handle(Command::Modifiers(nasviz::viewer::command::Mods { ctrl: true, ..Default::default() }));
    v.handle(Command::Move([700.0, 560.0]));
    v.handle(Command::Press([700.0, 560.0]));
    v.handle(Command::Move([800.0, 600.0]));
    v.handle(Command::Move([900.0, 620.0]));
    painter.snapshot(ctx, &mut v).expect("box").save_png("/tmp/x-box.png").expect("save");
    v.handle(Command::Release([900.0, 620.0]));
    v.handle(Command::Modifiers(Default::default()));
    v.handle(Command::Tick(2.0));
    painter.snapshot(ctx, &mut v).expect("boxed").save_png("/tmp/x-boxed.png").expect("save");
    v.handle(Command::Key("p".parse().expect("key")));
    v.handle(Command::Tick(2.5));
    painter.snapshot(ctx, &mut v).expect("parent").save_png("/tmp/x-parent.png").expect("save");
}
