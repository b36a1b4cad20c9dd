//! The native window (winit 0.30 + a wgpu surface): maps keys and the
//! pointer to viewer commands, draws only when something changed or moves
//! (`ControlFlow::Wait` otherwise), and survives resizes, minimising,
//! scale-factor changes and surface loss.

use super::runner::{Need, Runner};
use super::{save_png, AppError, Painter};
use crate::render::{AdapterChoice, GpuContext, WindowSurface, TARGET_FORMAT};
use crate::trace::Run;
use crate::viewer::command::Command;
use crate::viewer::script::Script;
use crate::viewer::Viewer;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::Arc;
use std::time::{Duration, Instant};
use winit::application::ApplicationHandler;
use winit::dpi::{LogicalSize, PhysicalSize};
use winit::event::WindowEvent;
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop};
use winit::keyboard::ModifiersState;
use winit::window::{Window, WindowId};

/// Whether a display server is named in the environment.
pub fn has_display() -> bool {
    let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
    set("DISPLAY") || set("WAYLAND_DISPLAY")
}

/// Options of a window.
pub struct WindowOptions {
    pub title: String,
    /// Inner size in logical pixels.
    pub size: (u32, u32),
    /// Print the time to the first frame on standard error.
    pub timing: bool,
}

struct Gpu {
    window: Arc<Window>,
    ctx: GpuContext,
    surface: WindowSurface,
    painter: Painter,
    /// Draws script screenshots (offscreen format), made on first use.
    shooter: Option<Painter>,
}

/// What a window opens on: a viewer, or runs still being read on another
/// thread (a large trace), shown as a progress line until they arrive.
pub enum Opening {
    Ready(Box<Viewer>),
    Reading(Reading),
}

/// Runs being read on another thread, and how the viewer is made of them.
pub struct Reading {
    /// What is read, in words (the files and their size).
    pub what: String,
    /// The runs, or why they could not be read (the reader's error).
    pub runs: Receiver<Result<Vec<Run>, AppError>>,
    /// The viewer of the runs (options the user gave applied), or why not.
    pub make: Box<dyn FnOnce(Vec<Run>) -> Result<Viewer, AppError>>,
}

struct App {
    /// The viewer, once its runs are read.
    viewer: Option<Viewer>,
    reading: Option<Reading>,
    /// The script, until the viewer it drives is there.
    script: Option<Script>,
    /// When the progress line is drawn again, while reading.
    next_progress: Instant,
    opts: WindowOptions,
    gpu: Option<Gpu>,
    runner: Option<Runner>,
    /// A script resize asked for and not yet applied by the window system.
    pending_resize: Option<((u32, u32), Instant)>,
    mods: ModifiersState,
    started: Instant,
    first_frame: bool,
    /// The first frame while reading was timed.
    reading_said: bool,
    error: Option<AppError>,
}

/// Opens the window and runs until it is closed (or the script ends).
pub fn run(viewer: Viewer, script: Option<Script>, opts: WindowOptions) -> Result<(), AppError> {
    run_opening(Opening::Ready(Box::new(viewer)), script, opts)
}

/// Opens the window on `opening` and runs until it is closed (or the
/// script ends): runs still being read show as a progress line, and the
/// script starts once the viewer is there.
pub fn run_opening(
    opening: Opening,
    script: Option<Script>,
    opts: WindowOptions,
) -> Result<(), AppError> {
    if !has_display() {
        return Err(AppError::NoDisplay);
    }
    let started = Instant::now();
    let event_loop = EventLoop::new().map_err(|e| AppError::Window(e.to_string()))?;
    event_loop.set_control_flow(ControlFlow::Wait);
    let mut app = App {
        viewer: None,
        reading: None,
        script,
        next_progress: started,
        opts,
        gpu: None,
        runner: None,
        pending_resize: None,
        mods: ModifiersState::empty(),
        started,
        first_frame: true,
        reading_said: false,
        error: None,
    };
    match opening {
        Opening::Ready(v) => app.install(*v),
        Opening::Reading(r) => app.reading = Some(r),
    }
    event_loop
        .run_app(&mut app)
        .map_err(|e| AppError::Window(e.to_string()))?;
    match app.error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

impl App {
    fn fail(&mut self, event_loop: &ActiveEventLoop, e: AppError) {
        if self.error.is_none() {
            self.error = Some(e);
        }
        event_loop.exit();
    }

    fn open(&mut self, event_loop: &ActiveEventLoop) -> Result<(), AppError> {
        let (w, h) = self.opts.size;
        let attrs = Window::default_attributes()
            .with_title(self.opts.title.clone())
            .with_inner_size(LogicalSize::new(w as f64, h as f64))
            .with_min_inner_size(LogicalSize::new(480.0, 360.0));
        let window = Arc::new(
            event_loop
                .create_window(attrs)
                .map_err(|e| AppError::Window(e.to_string()))?,
        );
        let choice = AdapterChoice::default().with_env();
        let instance = GpuContext::new_instance(choice);
        let surface = instance
            .create_surface(window.clone())
            .map_err(|e| AppError::Window(format!("cannot draw into the window: {e}")))?;
        let t_adapter = Instant::now();
        let ctx = pollster::block_on(GpuContext::with_instance(instance, choice, Some(&surface)))?;
        let adapter_ms = t_adapter.elapsed().as_secs_f64() * 1e3;
        let info = ctx.adapter.get_info();
        if info.device_type == wgpu::DeviceType::Cpu {
            eprintln!(
                "nasviz: no hardware GPU adapter found; drawing with the software renderer {}",
                ctx.adapter_name()
            );
        }
        if self.opts.timing {
            eprintln!(
                "nasviz: adapter {} ready after {adapter_ms:.0} ms",
                ctx.adapter_name()
            );
        }
        let size = window.inner_size();
        let surface = WindowSurface::new(&ctx, surface, size.width, size.height)?;
        let painter = Painter::new(&ctx, surface.format());
        self.started = if self.runner.is_some() {
            self.started
        } else {
            Instant::now()
        };
        self.gpu = Some(Gpu {
            window,
            ctx,
            surface,
            painter,
            shooter: None,
        });
        if let Some(v) = self.viewer.as_mut() {
            Self::fit(v, self.gpu.as_ref());
        }
        Ok(())
    }

    /// The viewer told the window's adapter, scale and size.
    fn fit(viewer: &mut Viewer, gpu: Option<&Gpu>) {
        let Some(g) = gpu else { return };
        viewer.state.set_adapter(g.ctx.adapter_name());
        viewer.handle(Command::Scale(g.window.scale_factor() as f32));
        let size = g.window.inner_size();
        viewer.handle(Command::Resize(size.width, size.height));
    }

    /// Starts showing `viewer`: the script drives it from here, or it plays.
    fn install(&mut self, mut viewer: Viewer) {
        self.runner = self.script.take().map(|s| Runner::new(s, &mut viewer));
        if self.runner.is_none() {
            viewer.state.set_playing(true);
        }
        Self::fit(&mut viewer, self.gpu.as_ref());
        if let Some(g) = &self.gpu {
            g.window.request_redraw();
        }
        self.viewer = Some(viewer);
    }

    /// Takes the runs read on the other thread when they are there; false
    /// when reading failed (the loop is told to exit).
    fn take_runs(&mut self, event_loop: &ActiveEventLoop) -> bool {
        let Some(r) = &self.reading else {
            return true;
        };
        let got = match r.runs.try_recv() {
            Ok(got) => got,
            Err(TryRecvError::Empty) => return true,
            Err(TryRecvError::Disconnected) => Err(AppError::Window(format!(
                "reading {} stopped without a result",
                r.what
            ))),
        };
        let Some(r) = self.reading.take() else {
            return true;
        };
        if self.opts.timing {
            eprintln!(
                "nasviz: {} read after {:.0} ms",
                r.what,
                self.started.elapsed().as_secs_f64() * 1e3
            );
        }
        match got.and_then(r.make) {
            Ok(v) => {
                self.install(v);
                true
            }
            Err(e) => {
                self.fail(event_loop, e);
                false
            }
        }
    }

    fn now(&self) -> f64 {
        match &self.runner {
            Some(r) => r.now(),
            None => self.started.elapsed().as_secs_f64(),
        }
    }

    /// Advances the script to its next frame; false when it is over.
    fn script_step(&mut self) -> Result<bool, AppError> {
        let (Some(runner), Some(viewer)) = (self.runner.as_mut(), self.viewer.as_mut()) else {
            return Ok(true);
        };
        if let Some((want, since)) = self.pending_resize {
            // wait (a little, in real time) for the window system to apply it
            if viewer.state.size() != want && since.elapsed() < Duration::from_secs(3) {
                return Ok(true);
            }
            self.pending_resize = None;
        }
        loop {
            match runner.next(viewer) {
                Need::Frame => return Ok(true),
                Need::Done => return Ok(false),
                Need::Resize(w, h) => {
                    if let Some(g) = &self.gpu {
                        let applied = g.window.request_inner_size(PhysicalSize::new(w, h));
                        if let Some(s) = applied {
                            g.window.request_redraw();
                            viewer.handle(Command::Resize(s.width, s.height));
                        }
                    }
                    self.pending_resize = Some(((w, h), Instant::now()));
                    return Ok(true);
                }
                Need::Screenshot { path, line } => {
                    let Some(g) = self.gpu.as_mut() else {
                        return Ok(true);
                    };
                    let shooter = g
                        .shooter
                        .get_or_insert_with(|| Painter::new(&g.ctx, TARGET_FORMAT));
                    let img = shooter.snapshot(&g.ctx, viewer)?;
                    save_png(&img, &path, &format!("{}:{line}", runner.file()))?;
                }
            }
        }
    }

    fn redraw(&mut self, event_loop: &ActiveEventLoop) -> Result<(), AppError> {
        if !self.take_runs(event_loop) {
            return Ok(());
        }
        let now = self.now();
        if let Some(v) = self.viewer.as_mut() {
            v.handle(Command::Tick(now));
        }
        if !self.script_step()? || self.quit_requested() {
            event_loop.exit();
            return Ok(());
        }
        let Some(g) = self.gpu.as_mut() else {
            return Ok(());
        };
        let inner = g.window.inner_size();
        if inner.width == 0 || inner.height == 0 {
            return Ok(()); // minimised
        }
        let (drawn, what) = match (self.viewer.as_mut(), &self.reading) {
            (Some(v), _) => {
                let drawn =
                    super::paint_surface(&g.ctx, &mut g.surface, &g.window, &mut g.painter, v)?;
                (drawn, "first frame")
            }
            (None, Some(r)) => {
                let line = format!(
                    "Reading {} … {:.1} s",
                    r.what,
                    self.started.elapsed().as_secs_f64()
                );
                let drawn =
                    super::paint_message(&g.ctx, &mut g.surface, &g.window, &mut g.painter, &line)?;
                (drawn, "first frame (reading)")
            }
            (None, None) => return Ok(()),
        };
        // the first frame is timed, and the dashboard's after a reading one
        let first = drawn
            && match what {
                "first frame" => std::mem::take(&mut self.first_frame),
                _ => !std::mem::replace(&mut self.reading_said, true),
            };
        if first && self.opts.timing {
            eprintln!(
                "nasviz: {what} after {:.0} ms",
                self.started.elapsed().as_secs_f64() * 1e3
            );
        }
        Ok(())
    }

    fn quit_requested(&self) -> bool {
        self.viewer
            .as_ref()
            .is_some_and(|v| v.state.quit_requested())
    }
}

impl ApplicationHandler for App {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.gpu.is_some() {
            return;
        }
        if let Err(e) = self.open(event_loop) {
            self.fail(event_loop, e);
            return;
        }
        if let Some(g) = &self.gpu {
            g.window.request_redraw();
        }
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _id: WindowId, event: WindowEvent) {
        let scripted = self.runner.is_some();
        match event {
            WindowEvent::CloseRequested => event_loop.exit(),
            WindowEvent::Resized(size) => {
                if let Some(g) = self.gpu.as_mut() {
                    g.surface.resize(&g.ctx, size.width, size.height);
                    g.window.request_redraw();
                }
                if let Some(v) = self.viewer.as_mut() {
                    v.handle(Command::Resize(size.width, size.height));
                }
            }
            WindowEvent::ScaleFactorChanged { scale_factor, .. } => {
                if let Some(v) = self.viewer.as_mut() {
                    v.handle(Command::Scale(scale_factor as f32));
                }
            }
            WindowEvent::RedrawRequested => {
                if let Err(e) = self.redraw(event_loop) {
                    self.fail(event_loop, e);
                }
            }
            WindowEvent::ModifiersChanged(m) if scripted => self.mods = m.state(),
            // a script owns the input while it runs
            ref e if !scripted => {
                let now = self.now();
                if let Some(v) = self.viewer.as_mut() {
                    super::input::user_input(v, e, &mut self.mods, now);
                }
            }
            _ => {}
        }
        if self.quit_requested() {
            event_loop.exit();
        }
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        if self.gpu.is_none() || !self.take_runs(event_loop) {
            return;
        }
        let Some(g) = &self.gpu else {
            return;
        };
        if self.runner.is_some() {
            // virtual time moves a frame per redraw
            g.window.request_redraw();
            event_loop.set_control_flow(ControlFlow::Wait);
            return;
        }
        if self.reading.is_some() {
            // the runs are looked for often; the progress line counts
            // tenths of a second
            let now = Instant::now();
            if now >= self.next_progress {
                g.window.request_redraw();
                self.next_progress = now + Duration::from_millis(100);
            }
            let wake = (now + Duration::from_millis(10)).min(self.next_progress);
            event_loop.set_control_flow(ControlFlow::WaitUntil(wake));
            return;
        }
        let now = self.now();
        let Some(viewer) = self.viewer.as_mut() else {
            return;
        };
        let flow = match super::schedule(viewer, now) {
            super::Wake::Frame => {
                g.window.request_redraw();
                ControlFlow::Wait
            }
            super::Wake::At(t) => ControlFlow::WaitUntil(self.started + Duration::from_secs_f64(t)),
            super::Wake::Input => ControlFlow::Wait,
        };
        event_loop.set_control_flow(flow);
    }
}
