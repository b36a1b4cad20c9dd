//! Putting the viewer on screen: the winit window ([`window`], the only
//! place that knows winit), the same viewer offscreen for `--headless`
//! scripts ([`headless`]), and recordings of a replay ([`record`]). All
//! three draw a [`crate::viewer::Frame`] through one [`Painter`].

#[cfg(not(target_arch = "wasm32"))]
pub mod headless;
pub mod input;
#[cfg(not(target_arch = "wasm32"))]
pub mod record;
#[cfg(not(target_arch = "wasm32"))]
pub mod runner;
#[cfg(target_arch = "wasm32")]
pub mod web;
#[cfg(not(target_arch = "wasm32"))]
pub mod window;

use crate::render::{
    CachedLayer, FrameStats, GpuContext, Image, OffscreenTarget, RenderError, Renderer,
};
use crate::scene::dashboard::SceneError;
use crate::trace::{Run, TraceError};
use crate::viewer::script::ScriptError;
use crate::viewer::PointsKey;
use crate::viewer::Viewer;
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum AppError {
    #[error(transparent)]
    Trace(#[from] TraceError),
    #[error("rendering: {0}")]
    Render(#[from] RenderError),
    #[error(transparent)]
    Scene(#[from] SceneError),
    #[error(transparent)]
    Script(#[from] ScriptError),
    #[error(
        "no display: neither DISPLAY nor WAYLAND_DISPLAY is set, so no window can open; \
         draw PNGs with `nasviz render`, or run a script offscreen with `nasviz view --headless --script FILE`"
    )]
    NoDisplay,
    #[error("the window system: {0}")]
    Window(String),
    #[error("no run {id:?} in the trace (runs: {known})")]
    UnknownRun { id: String, known: String },
    #[error("--step {shown} is past the end: run {run:?} has {count} trials (steps 1 to {count})", shown = step + 1)]
    StepPastEnd {
        step: usize,
        count: usize,
        run: String,
    },
    #[error("the trace has no run")]
    NoRun,
    #[error("{path}: {what}")]
    Output { path: String, what: String },
    /// What the command line asked of runs read behind an open window does
    /// not fit them (said as the command line would have said it).
    #[error("{0}")]
    Options(String),
}

/// The demo runs compiled into the binary, evolution first.
pub fn demo_runs() -> Result<Vec<Run>, TraceError> {
    Ok(crate::export::demo_trace()?.runs)
}

/// The runs of every trace in `paths` (the demo runs when empty). Run ids
/// repeated across files get the file's name appended.
pub fn load_runs(paths: &[PathBuf]) -> Result<Vec<Run>, TraceError> {
    load_runs_as(paths, None).map(|(r, _)| r)
}

/// [`load_runs`], reading every file in `format` when one is named; also
/// returns what was skipped on the way, for the command to say.
pub fn load_runs_as(
    paths: &[PathBuf],
    format: Option<crate::trace::open::Format>,
) -> Result<(Vec<Run>, Vec<String>), TraceError> {
    if paths.is_empty() {
        return demo_runs().map(|r| (r, Vec::new()));
    }
    let mut runs: Vec<Run> = Vec::new();
    let mut notes = Vec::new();
    for p in paths {
        let (trace, n) = crate::trace::open::open_noted(p, format)?;
        notes.extend(n);
        for mut r in trace.runs {
            if runs.iter().any(|o| o.info.run_id == r.info.run_id) {
                let stem = p
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                r.info.run_id = format!("{}@{stem}", r.info.run_id);
            }
            runs.push(r);
        }
    }
    Ok((runs, notes))
}

/// The demo's live search: regularized evolution on the shipped
/// NAS-Bench-Graph Cora table (seed 1), saved as `save` says.
pub fn demo_live(
    save: crate::viewer::live::SaveTo,
) -> Result<crate::viewer::live::LiveOptions, crate::table::TableError> {
    let table = crate::table::nbgraph::NbGraphTable::cora()?;
    Ok(crate::viewer::live::LiveOptions {
        bench: std::sync::Arc::new(crate::search::NbGraphBench::new(table)),
        strategy: crate::search::Strategy::EVOLUTION,
        seed: 1,
        run_id: "live".into(),
        warm: 1,
        save,
    })
}

/// What `nasviz view` and `nasviz record` share: a viewer of the runs,
/// showing `run` (by id) at `step`.
pub fn make_viewer(
    runs: Vec<Run>,
    size: (u32, u32),
    run: Option<&str>,
    step: Option<usize>,
) -> Result<Viewer, AppError> {
    if runs.is_empty() {
        return Err(AppError::NoRun);
    }
    let mut v = Viewer::new(runs, size);
    if let Some(id) = run {
        if !v.state.select_run_id(id) {
            let known: Vec<&str> = v.runs().iter().map(|r| r.info.run_id.as_str()).collect();
            return Err(AppError::UnknownRun {
                id: id.to_string(),
                known: known.join(", "),
            });
        }
    }
    if let Some(s) = step {
        let r = &v.runs()[v.state.run()];
        if s >= r.trials.len() {
            return Err(AppError::StepPastEnd {
                step: s,
                count: r.trials.len(),
                run: r.info.run_id.clone(),
            });
        }
        v.state.set_step(s);
    }
    Ok(v)
}

/// Draws viewer frames with one set of renderers (a window's surface
/// format, or the offscreen format). The scatter and line points live in
/// a cached layer: a frame composites it and draws only what moves; new
/// trials are drawn onto it, and it is redrawn whole only when the points
/// before them change (a step back, a resize, other ranges).
pub struct Painter {
    pub renderer: Renderer,
    points: Option<PointsLayer>,
    /// Whether the last frame redrew the points layer whole.
    pub last_full_redraw: bool,
}

struct PointsLayer {
    layer: CachedLayer,
    key: Option<PointsKey>,
    drawn: (usize, usize),
}

impl Painter {
    pub fn new(ctx: &GpuContext, format: wgpu::TextureFormat) -> Painter {
        Painter {
            renderer: Renderer::new(ctx, format),
            points: None,
            last_full_redraw: false,
        }
    }

    /// Lays the viewer's current frame out without drawing it, so that
    /// pointer commands find what it would show (offscreen scripts draw
    /// only their screenshots).
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn lay_out(&mut self, viewer: &mut Viewer) -> Result<(), AppError> {
        let text = &mut self.renderer.text;
        viewer.frame(&mut |s: &str, sz: f32| {
            let e = text.measure(s, sz);
            (e.width, e.height)
        })?;
        viewer.state.frame_drawn();
        Ok(())
    }

    /// Draws the viewer's current frame into `target` of `size`. Where the
    /// scatter's circles do not fit the GPU's buffers, it switches to
    /// density (saying so) and draws again.
    pub fn paint(
        &mut self,
        ctx: &GpuContext,
        viewer: &mut Viewer,
        target: &wgpu::TextureView,
        size: (u32, u32),
    ) -> Result<FrameStats, AppError> {
        use crate::scene::density::ScatterMode;
        match self.paint_once(ctx, viewer, target, size) {
            Err(AppError::Render(e))
                if e.is_too_many_circles()
                    && viewer.state.scatter_mode() != ScatterMode::Density =>
            {
                viewer.state.set_scatter_mode(ScatterMode::Density);
                viewer
                    .state
                    .notify(format!("{e}: the scatter shows density instead"));
                self.paint_once(ctx, viewer, target, size)
            }
            other => other,
        }
    }

    fn paint_once(
        &mut self,
        ctx: &GpuContext,
        viewer: &mut Viewer,
        target: &wgpu::TextureView,
        size: (u32, u32),
    ) -> Result<FrameStats, AppError> {
        let text = &mut self.renderer.text;
        let frame = viewer.frame(&mut |s: &str, sz: f32| {
            let e = text.measure(s, sz);
            (e.width, e.height)
        })?;
        let Some(key) = frame.points_key(viewer) else {
            let scene = frame.scene(viewer);
            return Ok(self.renderer.render(ctx, target, size, &scene)?);
        };
        // a layer of the target's size, kept from the last frame when it fits
        let points = match self.points.take() {
            Some(p) if p.layer.size() == size => p,
            _ => PointsLayer {
                layer: CachedLayer::new(ctx, &self.renderer.compositor, size.0, size.1)?,
                key: None,
                drawn: (0, 0),
            },
        };
        let points = self.points.insert(points);
        let len = frame.points_len(viewer);
        let extend = points.layer.is_valid()
            && points.key.as_ref() == Some(&key)
            && len.0 >= points.drawn.0
            && len.1 >= points.drawn.1;
        self.last_full_redraw = !extend;
        let mut layer_uploaded = 0;
        if !extend {
            let sc = frame.points_scene(viewer, (0, 0));
            layer_uploaded = self
                .renderer
                .render_layer(ctx, &mut points.layer, &sc)?
                .uploaded;
        } else if len != points.drawn {
            let sc = frame.points_scene(viewer, points.drawn);
            layer_uploaded = self
                .renderer
                .render_onto_layer(ctx, &points.layer, &sc)?
                .uploaded;
        }
        points.key = Some(key);
        points.drawn = len;
        // the points' layer shows through where the dashboard asks
        let (mut scene, slot) = frame.scene_around_points(viewer);
        if let Some(slot) = &slot {
            for r in &slot.rects {
                scene.cached_in(slot.layer, &points.layer, *r);
            }
        }
        let mut stats = self.renderer.render(ctx, target, size, &scene)?;
        // what a frame costs the bus: the layer's update and the frame itself
        stats.uploaded += layer_uploaded;
        Ok(stats)
    }

    /// Draws the current frame offscreen at the viewer's size and reads it
    /// back (the painter must be of [`crate::render::TARGET_FORMAT`]).
    pub fn snapshot(&mut self, ctx: &GpuContext, viewer: &mut Viewer) -> Result<Image, AppError> {
        let (w, h) = viewer.state.size();
        let target = OffscreenTarget::new(ctx, w.max(1), h.max(1))?;
        self.paint(ctx, viewer, target.view(), target.size())?;
        Ok(target.read(ctx)?)
    }
}

/// An offscreen painter on the software-first adapter (reproducible
/// pixels), for headless scripts and recordings.
#[cfg(not(target_arch = "wasm32"))]
pub fn offscreen() -> Result<(GpuContext, Painter), AppError> {
    let ctx = GpuContext::headless(crate::render::AdapterChoice::software_first().with_env())?;
    let p = Painter::new(&ctx, crate::render::TARGET_FORMAT);
    Ok((ctx, p))
}

/// Draws the viewer's frame into a window's (or a canvas's) surface and
/// presents it. `Ok(false)` when the surface gave no frame this time (it
/// was reconfigured or recreated; a redraw is asked for again).
pub(crate) fn paint_surface(
    ctx: &GpuContext,
    surface: &mut crate::render::WindowSurface,
    window: &std::sync::Arc<winit::window::Window>,
    painter: &mut Painter,
    viewer: &mut Viewer,
) -> Result<bool, AppError> {
    let drawn = present_with(ctx, surface, window, |view, size| {
        painter.paint(ctx, viewer, view, size).map(|_| ())
    })?;
    if drawn {
        viewer.state.frame_drawn();
    }
    Ok(drawn)
}

/// Draws one line of text centred on the dashboard's background into the
/// window's surface (what the window shows while a trace is read).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn paint_message(
    ctx: &GpuContext,
    surface: &mut crate::render::WindowSurface,
    window: &std::sync::Arc<winit::window::Window>,
    painter: &mut Painter,
    line: &str,
) -> Result<bool, AppError> {
    use crate::render::{HAlign, Panel, Scene, TextRun, VAlign};
    let theme = crate::scene::Theme::default();
    let scale = window.scale_factor() as f32;
    present_with(ctx, surface, window, |view, (w, h)| {
        let text = [TextRun::new(
            line,
            [w as f32 / 2.0, h as f32 / 2.0],
            theme.title_size * scale,
            theme.muted,
        )
        .aligned(HAlign::Center, VAlign::Middle)];
        let mut scene = Scene::new(Some(theme.background));
        scene.text(0, Panel::full(w.max(1), h.max(1)), &text);
        painter.renderer.render(ctx, view, (w, h), &scene)?;
        Ok(())
    })
}

/// Acquires the surface's next frame, lets `draw` draw into it, and
/// presents it; false when the surface was not ready (a redraw is asked
/// for).
fn present_with(
    ctx: &GpuContext,
    surface: &mut crate::render::WindowSurface,
    window: &std::sync::Arc<winit::window::Window>,
    draw: impl FnOnce(&wgpu::TextureView, (u32, u32)) -> Result<(), AppError>,
) -> Result<bool, AppError> {
    let (w, h) = surface.size();
    let target = window.clone();
    let frame = match surface.acquire(ctx, || ctx.instance.create_surface(target).ok()) {
        crate::render::SurfaceFrame::Ready(f) => f,
        crate::render::SurfaceFrame::Skip => {
            window.request_redraw();
            return Ok(false);
        }
    };
    let view = surface.view(&frame);
    draw(&view, (w, h))?;
    window.pre_present_notify();
    ctx.queue.present(frame);
    Ok(true)
}

/// When an event loop wakes the viewer next.
pub(crate) enum Wake {
    /// A frame is due now.
    Frame,
    /// At this many seconds of the viewer's clock (playback, a notice).
    At(f64),
    /// On input only.
    Input,
}

/// Ticks `viewer` at `now` (seconds of its clock) and says when the loop
/// should wake it next; the window's and the page's loops ask this.
pub(crate) fn schedule(viewer: &mut Viewer, now: f64) -> Wake {
    viewer.handle(crate::viewer::command::Command::Tick(now));
    if viewer.state.needs_frame() {
        Wake::Frame
    } else if let Some(t) = viewer.state.next_wake() {
        Wake::At(t.max(now).max(0.0))
    } else {
        Wake::Input
    }
}

/// Writes a PNG screenshot atomically, naming the script line on failure.
pub fn save_png(img: &Image, path: &Path, place: &str) -> Result<(), AppError> {
    let png = img.encode_png()?;
    crate::fsutil::write_atomic(path, &png).map_err(|e| AppError::Output {
        path: format!("{place}: screenshot {}", path.display()),
        what: e.to_string(),
    })
}
