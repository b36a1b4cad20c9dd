//! The viewer's figures of `nasviz bench`: frames of animation, hover,
//! scrubbing and the insight views on large runs, timed as the window
//! would draw them (offscreen).

use super::*;
use nasviz::testdata::evolution_run;
use nasviz::viewer::command::Command;
use nasviz::viewer::Viewer;

/// One frame drawn by the viewer bench.
#[derive(Clone, Copy, Debug)]
pub struct FrameSample {
    /// Wall time of the frame, drawn and waited for.
    pub ms: f64,
    /// Bytes written to the GPU for it.
    pub uploaded: u64,
    /// Whether it redrew the points layer whole.
    pub full_redraw: bool,
}

/// Frames of the viewer at 1280x800 while a transition is always in
/// flight (a step every 10 frames, each animating for 18): `frames` frames
/// drawn offscreen, each waited for.
pub fn viewer_animation_ms(
    ctx: &nasviz::render::GpuContext,
    painter: &mut nasviz::app::Painter,
    viewer: &mut nasviz::viewer::Viewer,
    frames: usize,
) -> Result<Vec<FrameSample>, String> {
    use nasviz::viewer::command::{Command, Key, KeyPress};
    let size = viewer.state.size();
    let target =
        nasviz::render::OffscreenTarget::new(ctx, size.0, size.1).map_err(|e| e.to_string())?;
    let mut now = viewer.state.now();
    let mut times = Vec::with_capacity(frames);
    for i in 0..frames + 5 {
        if i % 10 == 0 {
            viewer.handle(Command::Key(KeyPress::plain(Key::Right)));
        }
        now += nasviz::viewer::state::FRAME_S;
        viewer.handle(Command::Tick(now));
        let t = Instant::now();
        let stats = draw_frame(ctx, painter, viewer, &target)?;
        if i >= 5 {
            times.push(FrameSample {
                ms: t.elapsed().as_secs_f64() * 1e3,
                uploaded: stats.uploaded,
                full_redraw: painter.last_full_redraw,
            });
        }
    }
    Ok(times)
}

/// Draws the viewer's frame into `target` and waits for the GPU.
fn draw_frame(
    ctx: &nasviz::render::GpuContext,
    painter: &mut nasviz::app::Painter,
    viewer: &mut nasviz::viewer::Viewer,
    target: &nasviz::render::OffscreenTarget,
) -> Result<nasviz::render::FrameStats, String> {
    let stats = painter
        .paint(ctx, viewer, target.view(), target.size())
        .map_err(|e| e.to_string())?;
    ctx.wait().map_err(|e| e.to_string())?;
    viewer.state.frame_drawn();
    Ok(stats)
}

/// Median and 99th percentile frame times of `samples`.
fn frame_ms(samples: &[FrameSample]) -> (f64, f64) {
    median_p99(samples.iter().map(|s| s.ms).collect())
}

/// Hover frames (ms) of the viewer: the pointer moves between points of
/// the scatter, each move drawn (tooltip and grown circle over the cached
/// points) and waited for; and the time of each move's pick alone.
pub fn viewer_hover_ms(
    ctx: &nasviz::render::GpuContext,
    painter: &mut nasviz::app::Painter,
    viewer: &mut nasviz::viewer::Viewer,
    frames: usize,
) -> Result<(Vec<f64>, Vec<f64>), String> {
    use nasviz::viewer::command::Command;
    use nasviz::viewer::spot::{Plot, TrialRef};
    let size = viewer.state.size();
    let target =
        nasviz::render::OffscreenTarget::new(ctx, size.0, size.1).map_err(|e| e.to_string())?;
    let mut now = viewer.state.now();
    // a first frame caches the points and places the views
    painter
        .paint(ctx, viewer, target.view(), target.size())
        .map_err(|e| e.to_string())?;
    let step = viewer.state.step();
    let spots: Vec<[f32; 2]> = (0..frames)
        .filter_map(|i| {
            let index = step.saturating_sub(i * 997 % step.max(1));
            viewer.point_of(TrialRef { run: 0, index }, Plot::Scatter)
        })
        .collect();
    if spots.is_empty() {
        return Err("no scatter point on show to hover".into());
    }
    let (mut frame_ms, mut pick_ms) = (Vec::new(), Vec::new());
    for (i, p) in spots.iter().cycle().take(frames + 5).enumerate() {
        let t = Instant::now();
        let _ = viewer.spot_at(*p);
        let picked = t.elapsed().as_secs_f64() * 1e3;
        now += nasviz::viewer::state::FRAME_S;
        let t = Instant::now();
        viewer.handle(Command::Move(*p));
        viewer.handle(Command::Tick(now));
        draw_frame(ctx, painter, viewer, &target)?;
        if i >= 5 {
            frame_ms.push(t.elapsed().as_secs_f64() * 1e3);
            pick_ms.push(picked);
        }
    }
    Ok((frame_ms, pick_ms))
}

/// The viewer's figures on the offscreen (software-first) adapter: time
/// from the demo runs to the first frame, animation frame times on the
/// demo, hover and animation on a generated random search of `large`
/// trials, and animated steps on one of `huge` trials (none if 0).
pub fn viewer_figures(large: usize, huge: usize, frames: usize) -> Result<Vec<Figure>, String> {
    let (ctx, mut painter) = nasviz::app::offscreen().map_err(|e| e.to_string())?;
    let mut figs = demo_figures(&ctx, &mut painter, frames)?;
    if large > 0 {
        figs.extend(large_figures(&ctx, &mut painter, large, frames)?);
    }
    if huge > 0 {
        figs.extend(huge_figures(&ctx, &mut painter, huge, frames)?);
    }
    Ok(figs)
}

/// The viewer at 1280x800, on the first frame.
const SIZE: (u32, u32) = (1280, 800);

/// A random search of `n` trials on the shipped Cora table.
fn random_run(n: usize) -> Result<nasviz::trace::Run, String> {
    let bench = nasviz::search::NbGraphBench::new(NbGraphTable::cora().map_err(|e| e.to_string())?);
    let mut session =
        nasviz::search::Session::new(&bench, nasviz::search::Strategy::Random, 0, "rs-large")
            .map_err(|e| e.to_string())?;
    for _ in 0..n {
        session.step().map_err(|e| e.to_string())?;
    }
    Ok(session.into_run())
}

/// A viewer of a random search of `n` trials, ticked once, at its middle step.
fn random_viewer(n: usize) -> Result<Viewer, String> {
    let mut v = Viewer::new(vec![random_run(n)?], SIZE);
    v.handle(Command::Tick(0.0));
    v.state.set_step(n / 2);
    Ok(v)
}

/// The demo: to the first frame, its animation frames and their uploads,
/// and frames drawn while idle.
fn demo_figures(
    ctx: &nasviz::render::GpuContext,
    painter: &mut nasviz::app::Painter,
    frames: usize,
) -> Result<Vec<Figure>, String> {
    let adapter = ctx.adapter_name();
    let size = SIZE;
    // from the embedded demo to the first frame on screen (adapter up)
    let t = Instant::now();
    let runs = nasviz::app::demo_runs().map_err(|e| e.to_string())?;
    let mut v = Viewer::new(runs, size);
    v.handle(Command::Tick(0.0));
    let target =
        nasviz::render::OffscreenTarget::new(ctx, size.0, size.1).map_err(|e| e.to_string())?;
    painter
        .paint(ctx, &mut v, target.view(), target.size())
        .map_err(|e| e.to_string())?;
    ctx.wait().map_err(|e| e.to_string())?;
    let first = t.elapsed().as_secs_f64() * 1e3;
    v.state.frame_drawn();
    let idle_frames = usize::from(v.state.needs_frame());
    v.state.set_step(1000);
    let demo = viewer_animation_ms(ctx, painter, &mut v, frames)?;
    let (med, p99) = frame_ms(&demo);
    let (demo_bytes, demo_bytes_max) = median_p99(demo.iter().map(|s| s.uploaded as f64).collect());
    let figs = vec![
        Figure {
            name: format!("viewer: demo to first frame ({adapter})"),
            value: first,
            unit: "ms",
            goal: Some((500.0, false)),
        },
        Figure {
            name: "viewer: animation frame, demo, median".into(),
            value: med,
            unit: "ms",
            goal: Some((16.0, false)),
        },
        Figure {
            name: "viewer: animation frame, demo, 99th percentile".into(),
            value: p99,
            unit: "ms",
            goal: None,
        },
        Figure {
            name: "viewer: bytes uploaded by an animation frame, demo (circles), median".into(),
            value: demo_bytes,
            unit: "B",
            goal: None,
        },
        Figure {
            name: "viewer: bytes uploaded by an animation frame, demo, 99th percentile".into(),
            value: demo_bytes_max,
            unit: "B",
            goal: None,
        },
        Figure {
            name: "viewer: frames drawn while idle".into(),
            value: idle_frames as f64,
            unit: "frames",
            goal: Some((0.0, false)),
        },
    ];
    Ok(figs)
}

/// Hover and animation frames at `large` trials.
fn large_figures(
    ctx: &nasviz::render::GpuContext,
    painter: &mut nasviz::app::Painter,
    large: usize,
    frames: usize,
) -> Result<Vec<Figure>, String> {
    let mut figs = Vec::new();
    let mut v = random_viewer(large)?;
    let (hover, pick) = viewer_hover_ms(ctx, painter, &mut v, frames)?;
    let (pmed, _) = median_p99(pick);
    v.state.set_step(large / 2);
    let animation = frame_ms(&viewer_animation_ms(ctx, painter, &mut v, frames)?);
    let label = nasviz::fmt::fmt_int(large);
    let what = format!("viewer: hover frame, {label} trials");
    push_median_p99(&mut figs, &what, median_p99(hover), 20.0);
    figs.push(Figure {
        name: format!("viewer: pointer to picked trial, {label} trials, median"),
        value: pmed * 1e3,
        unit: "µs",
        goal: Some((200.0, false)),
    });
    let what = format!("viewer: animation frame, {label} trials");
    push_median_p99(&mut figs, &what, animation, 33.0);
    Ok(figs)
}

/// Animated step, density or circle, cached and scrub frames at `huge`
/// trials.
fn huge_figures(
    ctx: &nasviz::render::GpuContext,
    painter: &mut nasviz::app::Painter,
    huge: usize,
    frames: usize,
) -> Result<Vec<Figure>, String> {
    let mut figs = Vec::new();
    let mut v = random_viewer(huge)?;
    let samples = viewer_animation_ms(ctx, painter, &mut v, frames)?;
    let full: Vec<FrameSample> = samples.iter().filter(|s| s.full_redraw).copied().collect();
    let cached: Vec<FrameSample> = samples.iter().filter(|s| !s.full_redraw).copied().collect();
    let bytes = |v: &[FrameSample]| median_p99(v.iter().map(|s| s.uploaded as f64).collect());
    let label = nasviz::fmt::fmt_int(huge);
    let text = &mut painter.renderer.text;
    let density = v
        .frame(&mut |s: &str, sz: f32| {
            let e = text.measure(s, sz);
            (e.width, e.height)
        })
        .ok()
        .and_then(|f| f.dash.map(|d| d.density))
        .unwrap_or(false);
    let mode = if density { "density" } else { "circle" };
    let what = format!("viewer: animated step frame, {label} trials");
    push_median_p99(&mut figs, &what, frame_ms(&samples), 60.0);
    if !full.is_empty() {
        figs.push(Figure {
            name: format!(
                "viewer: {mode}-mode frame, scatter redrawn whole, {label} trials, median"
            ),
            value: frame_ms(&full).0,
            unit: "ms",
            goal: Some((30.0, false)),
        });
        figs.push(Figure {
            name: format!("viewer: bytes uploaded by a step frame, {label} trials, median"),
            value: bytes(&full).0,
            unit: "B",
            goal: None,
        });
    }
    if !cached.is_empty() {
        figs.push(Figure {
            name: format!("viewer: cached frame (tween), {label} trials, median"),
            value: frame_ms(&cached).0,
            unit: "ms",
            goal: None,
        });
        figs.push(Figure {
            name: format!("viewer: bytes uploaded by a tween frame, {label} trials, median"),
            value: bytes(&cached).0,
            unit: "B",
            goal: None,
        });
    }
    let scrub = viewer_scrub_ms(ctx, painter, &mut v, huge, frames)?;
    let what = format!("viewer: scrub frame (a jump anywhere), {label} trials");
    push_median_p99(&mut figs, &what, median_p99(scrub), 33.0);
    Ok(figs)
}

/// Frame times (ms) of scrubbing: each frame jumps to a step anywhere on
/// the timeline (as dragging the timeline's handle does) and is drawn and
/// waited for.
pub fn viewer_scrub_ms(
    ctx: &nasviz::render::GpuContext,
    painter: &mut nasviz::app::Painter,
    viewer: &mut nasviz::viewer::Viewer,
    len: usize,
    frames: usize,
) -> Result<Vec<f64>, String> {
    use nasviz::viewer::command::Command;
    let size = viewer.state.size();
    let target =
        nasviz::render::OffscreenTarget::new(ctx, size.0, size.1).map_err(|e| e.to_string())?;
    let mut rng = Rng::new(11);
    let mut now = viewer.state.now();
    let mut times = Vec::with_capacity(frames);
    for i in 0..frames + 5 {
        let t = Instant::now();
        viewer.state.set_step(rng.below(len.max(1)));
        now += nasviz::viewer::state::FRAME_S;
        viewer.handle(Command::Tick(now));
        draw_frame(ctx, painter, viewer, &target)?;
        if i >= 5 {
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    Ok(times)
}

/// The insight views at `n` trials of evolution: what each analysis costs
/// per appended trial, and in the viewer at 1280x800 the frame that
/// switches to each view and its animation frames (a step every 10
/// frames), each drawn and waited for.
pub fn insight_figures(n: usize, frames: usize) -> Result<Vec<Figure>, String> {
    use nasviz::analysis::{edits::Edits, importance::Importance, lineage::Depths};
    use nasviz::scene::insight::InsightKind;
    use nasviz::viewer::command::Command;
    let run = evolution_run(n)?;
    let label = nasviz::fmt::fmt_int(n);
    let per_trial = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        for _ in 0..n {
            f();
        }
        t.elapsed().as_secs_f64() / n.max(1) as f64 * 1e9
    };
    let mut figs = Vec::new();
    let mut d = Depths::default();
    let ns = per_trial(&mut || d.push(&run));
    let mut f = nasviz::analysis::pareto::Fronts::default();
    let nf = per_trial(&mut || f.push(&run));
    let mut imp = Importance::new();
    let ni = per_trial(&mut || imp.push(&run));
    let mut e = Edits::default();
    let analytics = nasviz::analysis::Analytics::of_run(&run);
    let mut i = 0;
    let ne = per_trial(&mut || {
        e.push(&run, analytics.step(i).and_then(|s| s.reference));
        i += 1;
    });
    for (what, v) in [
        ("lineage depths", ns),
        ("Pareto fronts (every cost, both accuracies)", nf),
        ("importance sums", ni),
        ("edit effects", ne),
    ] {
        figs.push(Figure {
            name: format!("insight: append a trial to the {what}, {label} trials"),
            value: v,
            unit: "ns",
            goal: None,
        });
    }
    let t = Instant::now();
    let rep = imp.at(&run, n.saturating_sub(1));
    std::hint::black_box(rep.n);
    figs.push(Figure {
        name: format!("insight: importance at a step (snapshot + rest), {label} trials"),
        value: t.elapsed().as_secs_f64() * 1e6,
        unit: "µs",
        goal: None,
    });
    // the viewer
    let (ctx, mut painter) = nasviz::app::offscreen().map_err(|e| e.to_string())?;
    let size = (1280, 800);
    let mut v = nasviz::viewer::Viewer::new(vec![run], size);
    v.handle(Command::Tick(0.0));
    v.state.set_step(n / 2);
    let target =
        nasviz::render::OffscreenTarget::new(&ctx, size.0, size.1).map_err(|e| e.to_string())?;
    draw_frame(&ctx, &mut painter, &mut v, &target)?;
    for kind in InsightKind::ALL {
        // from the dashboard to the view, five times
        let mut switches = Vec::new();
        for _ in 0..5 {
            v.state.set_page(None);
            draw_frame(&ctx, &mut painter, &mut v, &target)?;
            let t = Instant::now();
            v.state.set_page(Some(kind));
            let now = v.state.now() + nasviz::viewer::state::FRAME_S;
            v.handle(Command::Tick(now));
            draw_frame(&ctx, &mut painter, &mut v, &target)?;
            switches.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let what = format!("viewer: switch to the {} view, {label} trials", kind.name());
        push_median_p99(&mut figs, &what, median_p99(switches), 33.0);
        let samples = viewer_animation_ms(&ctx, &mut painter, &mut v, frames)?;
        let what = format!(
            "viewer: {} view, animation frame, {label} trials",
            kind.name()
        );
        push_median_p99(&mut figs, &what, frame_ms(&samples), 33.0);
    }
    Ok(figs)
}

/// The strategies view at `runs` seeds of `trials` trials (half random
/// search, half evolution on the shipped Cora table): the first switch to
/// it (which groups the runs and makes their curves), later switches, and
/// its animation frames, at 1280x800.
pub fn strategies_figures(
    runs: usize,
    trials: usize,
    frames: usize,
) -> Result<Vec<Figure>, String> {
    use nasviz::scene::insight::InsightKind;
    use nasviz::viewer::command::Command;
    let bench = nasviz::search::NbGraphBench::new(NbGraphTable::cora().map_err(|e| e.to_string())?);
    let mut all = Vec::with_capacity(runs);
    for i in 0..runs {
        let (strategy, name) = if i % 2 == 0 {
            (nasviz::search::Strategy::Random, "rs")
        } else {
            (
                nasviz::search::Strategy::Evolution {
                    population: 50,
                    sample: 10,
                },
                "re",
            )
        };
        let mut s =
            nasviz::search::Session::new(&bench, strategy, i as u64, &format!("{name}-{i}"))
                .map_err(|e| e.to_string())?;
        for _ in 0..trials {
            s.step().map_err(|e| e.to_string())?;
        }
        all.push(s.into_run());
    }
    let (ctx, mut painter) = nasviz::app::offscreen().map_err(|e| e.to_string())?;
    let size = (1280, 800);
    let mut v = nasviz::viewer::Viewer::new(all, size);
    v.handle(Command::Tick(0.0));
    v.state.set_step(trials / 2);
    let target =
        nasviz::render::OffscreenTarget::new(&ctx, size.0, size.1).map_err(|e| e.to_string())?;
    draw_frame(&ctx, &mut painter, &mut v, &target)?;
    let label = format!("{runs} runs x {} trials", nasviz::fmt::fmt_int(trials));
    let mut switches = Vec::new();
    for _ in 0..6 {
        v.state.set_page(None);
        draw_frame(&ctx, &mut painter, &mut v, &target)?;
        let t = Instant::now();
        v.state.set_page(Some(InsightKind::Strategies));
        let now = v.state.now() + nasviz::viewer::state::FRAME_S;
        v.handle(Command::Tick(now));
        draw_frame(&ctx, &mut painter, &mut v, &target)?;
        switches.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let mut figs = vec![Figure {
        name: format!("viewer: first switch to the strategies view (grouping), {label}"),
        value: switches[0],
        unit: "ms",
        goal: Some((50.0, false)),
    }];
    let what = format!("viewer: switch to the strategies view, {label}");
    push_median_p99(&mut figs, &what, median_p99(switches[1..].to_vec()), 50.0);
    let samples = viewer_animation_ms(&ctx, &mut painter, &mut v, frames)?;
    let what = format!("viewer: strategies view, animation frame, {label}");
    push_median_p99(&mut figs, &what, frame_ms(&samples), 33.0);
    Ok(figs)
}
