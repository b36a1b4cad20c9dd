//! The page (wasm32, built by `web/build.sh`): the same viewer in a canvas
//! of a browser, through WebGPU where the browser has an adapter for it and
//! WebGL2 otherwise. A page cannot block, so the GPU is set up
//! asynchronously and handed to the event loop as a [`WebEvent`]; traces
//! arrive as bytes (a file dropped or picked, or fetched from `?trace=URL`)
//! from the page's script through [`open_trace`]. The page learns how the
//! viewer is doing from attributes of the canvas (`data-state`,
//! `data-backend`, `data-error`) and from [`probe`].

use super::input::user_input;
use super::{make_viewer, Painter};
use crate::render::{AdapterChoice, GpuContext, WindowSurface};
use crate::trace::Run;
use crate::viewer::command::Command;
use crate::viewer::spot::TrialRef;
use crate::viewer::Viewer;
use std::cell::RefCell;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use web_time::{Duration, Instant};
use winit::application::ApplicationHandler;
use winit::event::WindowEvent;
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop, EventLoopProxy};
use winit::keyboard::ModifiersState;
use winit::platform::web::{EventLoopExtWebSys, WindowAttributesExtWebSys};
use winit::window::{Window, WindowId};

/// What the page's URL asks for (`?backend=webgl2&run=ID&step=N&paused=1`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PageOptions {
    /// The id of the canvas to draw into.
    pub canvas_id: String,
    /// `webgpu` or `webgl2`: that backend only (tests); both otherwise.
    pub backend: Option<String>,
    /// The run shown first.
    pub run: Option<String>,
    /// The step shown first (1-based, as the viewer shows steps).
    pub step: Option<usize>,
    /// Open paused instead of playing.
    pub paused: bool,
    /// Compare the runs from the start.
    pub compare: bool,
    /// Traces will be handed over (`?trace=`): show no demo meanwhile.
    pub(crate) wait_for_trace: bool,
}

impl PageOptions {
    /// Reads a URL's query string (`?` optional); unknown keys are left to
    /// the page's script (`trace`, `title`).
    pub fn from_query(canvas_id: &str, query: &str) -> PageOptions {
        let mut o = PageOptions {
            canvas_id: canvas_id.to_string(),
            ..PageOptions::default()
        };
        for pair in query.trim_start_matches('?').split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = js_sys::decode_uri_component(&v.replace('+', " "))
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_else(|| v.to_string());
            let yes = v.is_empty() || v == "1" || v == "true";
            match k {
                "backend" => o.backend = Some(v.to_ascii_lowercase()),
                "run" => o.run = Some(v),
                "step" => o.step = v.trim().parse().ok().filter(|&s: &usize| s >= 1),
                "paused" => o.paused = yes,
                "compare" => o.compare = yes,
                "trace" => o.wait_for_trace = true,
                _ => {}
            }
        }
        o
    }

    fn choice(&self) -> AdapterChoice {
        let backends = match self.backend.as_deref() {
            Some("webgl2") | Some("webgl") | Some("gl") => wgpu::Backends::GL,
            Some("webgpu") => wgpu::Backends::BROWSER_WEBGPU,
            _ => wgpu::Backends::BROWSER_WEBGPU | wgpu::Backends::GL,
        };
        AdapterChoice {
            backends,
            prefer_cpu: false,
        }
    }
}

/// What reaches the page's event loop from outside it.
pub enum WebEvent {
    /// The GPU, set up (or why it could not be).
    Gpu(Result<Box<Gpu>, String>),
    /// A trace's bytes: `replace` the runs on show, or add to them.
    Trace {
        name: String,
        bytes: Vec<u8>,
        replace: bool,
    },
}

/// The page's GPU: its canvas's surface and the painter of its frames.
pub struct Gpu {
    window: Arc<Window>,
    ctx: GpuContext,
    surface: WindowSurface,
    painter: Painter,
    /// `WebGPU` or `WebGL2`.
    backend: &'static str,
}

thread_local! {
    static PROXY: RefCell<Option<EventLoopProxy<WebEvent>>> = const { RefCell::new(None) };
    static PROBE: RefCell<String> = RefCell::new("{\"state\":\"starting\"}".to_string());
}

/// Hands a trace's bytes to the page's viewer. A trace that cannot be read
/// is said in the viewer and on the canvas (`data-error`); what was shown
/// stays.
pub fn open_trace(name: String, bytes: Vec<u8>, replace: bool) -> Result<(), String> {
    PROXY.with(|p| match &*p.borrow() {
        Some(proxy) => proxy
            .send_event(WebEvent::Trace {
                name,
                bytes,
                replace,
            })
            .map_err(|_| "the viewer has stopped".to_string()),
        None => Err("the viewer has not started: call start first".into()),
    })
}

/// The viewer's state as JSON, for the page's script and its tests: the
/// backend, frames drawn, run and step on show, the trial hovered and
/// selected, the notice, and a point of the scatter that a pointer there
/// would pick (`point`, CSS pixels, with its trial).
pub fn probe() -> String {
    PROBE.with(|p| p.borrow().clone())
}

/// Starts the viewer in the page's canvas: the demo (with its live search
/// against the shipped Cora table), or nothing until a trace is handed
/// over when the URL names one.
pub fn start(opts: PageOptions) -> Result<(), String> {
    let event_loop = EventLoop::<WebEvent>::with_user_event()
        .build()
        .map_err(|e| format!("the page's event loop: {e}"))?;
    PROXY.with(|p| *p.borrow_mut() = Some(event_loop.create_proxy()));
    let canvas = canvas(&opts.canvas_id)?;
    let size = (
        canvas.client_width().max(1) as u32,
        canvas.client_height().max(1) as u32,
    );
    let viewer = if opts.wait_for_trace {
        None
    } else {
        Some(demo_viewer(size, &opts).map_err(|e| e.to_string())?)
    };
    let app = WebApp {
        opts,
        canvas,
        viewer,
        gpu: None,
        mods: ModifiersState::empty(),
        started: Instant::now(),
        frames: 0,
        paint_ms: 0.0,
        size,
        scale: 1.0,
    };
    event_loop.spawn_app(app);
    Ok(())
}

fn canvas(id: &str) -> Result<web_sys::HtmlCanvasElement, String> {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok())
        .ok_or_else(|| format!("the page has no <canvas id=\"{id}\">"))
}

/// The demo's recorded runs beside a live search on the shipped Cora
/// table (kept in memory: a page has no files).
fn demo_viewer(size: (u32, u32), opts: &PageOptions) -> Result<Viewer, super::AppError> {
    let runs = super::demo_runs()?;
    let step = opts.step.map(|s| s - 1);
    let mut v = make_viewer(runs, size, opts.run.as_deref(), step)?;
    let live = super::demo_live(crate::viewer::live::SaveTo::Nowhere)
        .map_err(|e| super::AppError::Window(e.to_string()))?;
    let live = crate::viewer::live::Live::start(live)
        .map_err(|e| super::AppError::Window(e.to_string()))?;
    v.start_live(live, false);
    Ok(v)
}

struct WebApp {
    opts: PageOptions,
    canvas: web_sys::HtmlCanvasElement,
    viewer: Option<Viewer>,
    gpu: Option<Box<Gpu>>,
    mods: ModifiersState,
    started: Instant,
    frames: u64,
    /// The time `paint` took, in ms, averaged over recent frames.
    paint_ms: f64,
    /// The canvas's size in device pixels, and the device pixel ratio.
    size: (u32, u32),
    scale: f32,
}

impl WebApp {
    fn now(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    fn mark(&self, key: &str, value: &str) {
        let _ = self.canvas.set_attribute(&format!("data-{key}"), value);
    }

    /// Says a problem where the user and the page's script see it.
    fn say_error(&mut self, what: String) {
        web_sys::console::warn_1(&format!("nasviz: {what}").into());
        self.mark("error", &what);
        if let Some(v) = self.viewer.as_mut() {
            v.state.notify(what);
        }
        self.request_redraw();
    }

    fn request_redraw(&self) {
        if let Some(g) = &self.gpu {
            g.window.request_redraw();
        }
    }

    /// A viewer of new runs, set up as the page is (size, scale, adapter,
    /// what the URL asks).
    /// `at`: the run (by id) and step to show, else the last step of the
    /// first run.
    fn adopt(&mut self, runs: Vec<Run>, at: (Option<String>, Option<usize>)) -> Result<(), String> {
        let (run, step) = at;
        let mut v =
            make_viewer(runs, self.size, run.as_deref(), step).map_err(|e| e.to_string())?;
        if step.is_none() {
            // a trace opens at its last step, as `nasviz view` does
            let last = v.runs()[v.state.run()].trials.len();
            v.state.set_step(last.saturating_sub(1));
        }
        if self.opts.compare && v.runs().len() > 1 {
            v.state.set_compare(true);
        }
        self.setup(&mut v);
        self.viewer = Some(v);
        Ok(())
    }

    fn setup(&self, v: &mut Viewer) {
        // a page is closed by its tab, not by Q or Ctrl+W
        v.state.set_quit_key(false);
        if let Some(g) = &self.gpu {
            v.state.set_adapter(adapter_label(g));
        }
        v.handle(Command::Scale(self.scale));
        v.handle(Command::Resize(self.size.0, self.size.1));
        v.state.set_playing(!self.opts.paused);
    }

    fn on_trace(&mut self, name: String, bytes: Vec<u8>, replace: bool) {
        let (trace, notes) = match crate::trace::open::open_bytes(&name, &bytes) {
            Ok(t) => t,
            Err(e) => return self.say_error(e.to_string()),
        };
        for n in notes {
            web_sys::console::warn_1(&format!("nasviz: {n}").into());
        }
        // the URL's run and step for the traces it names; a trace added to
        // those on show keeps the run and step on show
        let at = match (&self.viewer, replace) {
            (None, _) if self.opts.wait_for_trace => {
                (self.opts.run.clone(), self.opts.step.map(|s| s - 1))
            }
            (Some(v), false) => (
                v.runs().get(v.state.run()).map(|r| r.info.run_id.clone()),
                Some(v.state.step()),
            ),
            _ => (None, None),
        };
        let mut runs: Vec<Run> = match (&self.viewer, replace) {
            (Some(v), false) => v.runs().iter().filter(|r| !is_live(r)).cloned().collect(),
            _ => Vec::new(),
        };
        let stem = std::path::Path::new(&name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        for mut r in trace.runs {
            if runs.iter().any(|o| o.info.run_id == r.info.run_id) {
                r.info.run_id = format!("{}@{stem}", r.info.run_id);
            }
            runs.push(r);
        }
        match self.adopt(runs, at) {
            Ok(()) => {
                self.mark("error", "");
                self.mark("trace", &name);
            }
            Err(e) => self.say_error(format!("{name}: {e}")),
        }
        self.request_redraw();
    }

    fn on_gpu(&mut self, gpu: Result<Box<Gpu>, String>) {
        match gpu {
            Ok(g) => {
                self.mark("backend", g.backend);
                let label = adapter_label(&g);
                self.mark("adapter", &label);
                self.gpu = Some(g);
                if let Some(v) = self.viewer.as_mut() {
                    v.state.set_adapter(label);
                }
                self.mark("state", "ready");
                self.request_redraw();
            }
            Err(e) => {
                self.mark("state", "failed");
                web_sys::console::error_1(&format!("nasviz: {e}").into());
                self.mark("error", &e);
            }
        }
    }

    fn redraw(&mut self) {
        let now = self.now();
        let (Some(v), Some(g)) = (self.viewer.as_mut(), self.gpu.as_mut()) else {
            return;
        };
        v.handle(Command::Tick(now));
        let (w, h) = g.surface.size();
        if w == 0 || h == 0 {
            return;
        }
        let t0 = Instant::now();
        let painted = super::paint_surface(&g.ctx, &mut g.surface, &g.window, &mut g.painter, v);
        let ms = t0.elapsed().as_secs_f64() * 1e3;
        self.paint_ms = if self.frames == 0 {
            ms
        } else {
            0.9 * self.paint_ms + 0.1 * ms
        };
        match painted {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => {
                web_sys::console::error_1(&format!("nasviz: drawing: {e}").into());
                self.mark("error", &e.to_string());
                return;
            }
        }
        self.frames += 1;
        let json = probe_json(v, g, self.frames, self.scale, self.paint_ms);
        PROBE.with(|p| *p.borrow_mut() = json);
        if self.frames == 1 {
            self.mark("state", "drawn");
        }
    }
}

fn is_live(r: &Run) -> bool {
    r.info.run_id == "live"
}

/// What the key help says of the drawing: the backend and the adapter,
/// and that dense scatters are drawn as instanced circles where the
/// backend has no compute shaders (WebGL2).
fn adapter_label(g: &Gpu) -> String {
    let splat = if g.painter.renderer.splat.is_available() {
        ""
    } else {
        " · no compute shaders: dense scatters as instanced circles"
    };
    // WebGL adapters' names are long ("ANGLE (vendor, renderer, driver)")
    let name = g.ctx.adapter.get_info().name;
    let short: String = name.chars().take(36).collect();
    let name = if short.len() < name.len() {
        format!("{short}…")
    } else {
        name
    };
    if name.is_empty() {
        format!("{}{splat}", g.backend)
    } else {
        format!("{}{splat} · {name}", g.backend)
    }
}

fn probe_json(v: &mut Viewer, g: &Gpu, frames: u64, scale: f32, paint_ms: f64) -> String {
    let run = v.state.run();
    let step = v.state.step();
    let id = |t: Option<TrialRef>, v: &Viewer| {
        t.and_then(|t| v.runs().get(t.run)?.trials.get(t.index))
            .map(|t| t.trial_id)
    };
    let hovered = id(v.state.hovered_trial(), v);
    let selected = id(v.state.selected(), v);
    // a point a pointer would pick: the newest such trial up to the step
    let point = (0..=step).rev().take(400).find_map(|k| {
        let t = TrialRef { run, index: k };
        let p = v.point_of(t, crate::viewer::spot::Plot::Scatter)?;
        (v.spot_at(p).thing == Some(crate::viewer::spot::Thing::Point(t))).then_some((k, p))
    });
    let point = point.map(|(k, p)| {
        serde_json::json!({
            "trial": v.runs()[run].trials.at(k).trial_id,
            "index": k,
            "x": p[0] / scale,
            "y": p[1] / scale,
        })
    });
    serde_json::json!({
        "state": "drawn",
        "backend": g.backend,
        "adapter": adapter_label(g),
        "splat": g.painter.renderer.splat.is_available(),
        "frames": frames,
        "paint_ms": paint_ms,
        "runs": v.runs().iter().map(|r| r.info.run_id.clone()).collect::<Vec<_>>(),
        "run": v.runs().get(run).map(|r| r.info.run_id.clone()),
        "step": step + 1,
        "trials": v.runs().get(run).map(|r| r.trials.len()),
        "playing": v.state.playing(),
        "editing": v.editor().is_some(),
        "hovered": hovered,
        "selected": selected,
        "notice": v.state.notice(),
        "point": point,
        "size": [v.state.size().0, v.state.size().1],
        "scale": scale,
    })
    .to_string()
}

/// Sets up the GPU for the canvas: the instance (WebGPU only where the
/// browser hands out an adapter), the surface from the canvas, then the
/// adapter and device compatible with it.
async fn setup_gpu(
    window: Arc<Window>,
    canvas: web_sys::HtmlCanvasElement,
    choice: AdapterChoice,
) -> Result<Box<Gpu>, String> {
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
    desc.backends = choice.backends;
    let instance = wgpu::util::new_instance_with_webgpu_detection(desc).await;
    let surface = instance
        .create_surface(window.clone())
        .map_err(|e| format!("cannot draw into the canvas: {e}"))?;
    let ctx = GpuContext::with_instance(instance, choice, Some(&surface))
        .await
        .map_err(|e| {
            format!(
                "{e}: this browser offers neither WebGPU nor WebGL2 to the page \
                 (try another browser, or enable hardware acceleration)"
            )
        })?;
    let backend = match ctx.adapter.get_info().backend {
        wgpu::Backend::BrowserWebGpu => "WebGPU",
        _ => "WebGL2",
    };
    let mut size = window.inner_size();
    if size.width == 0 || size.height == 0 {
        // before the first resize: the canvas's CSS size in device pixels
        let dpr = window.scale_factor();
        size.width = (canvas.client_width() as f64 * dpr).round() as u32;
        size.height = (canvas.client_height() as f64 * dpr).round() as u32;
    }
    let surface =
        WindowSurface::new(&ctx, surface, size.width, size.height).map_err(|e| e.to_string())?;
    let painter = Painter::new(&ctx, surface.format());
    Ok(Box::new(Gpu {
        window,
        ctx,
        surface,
        painter,
        backend,
    }))
}

impl ApplicationHandler<WebEvent> for WebApp {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.gpu.is_some() {
            return;
        }
        let attrs = Window::default_attributes()
            .with_title("nasviz")
            .with_canvas(Some(self.canvas.clone()))
            .with_prevent_default(true)
            .with_focusable(true);
        let window = match event_loop.create_window(attrs) {
            Ok(w) => Arc::new(w),
            Err(e) => {
                self.mark("state", "failed");
                self.mark("error", &format!("the canvas: {e}"));
                return;
            }
        };
        self.scale = window.scale_factor() as f32;
        let inner = window.inner_size();
        if inner.width > 0 && inner.height > 0 {
            self.size = (inner.width, inner.height);
        }
        if let Some(v) = self.viewer.as_mut() {
            v.state.set_quit_key(false);
            v.handle(Command::Scale(self.scale));
            v.handle(Command::Resize(self.size.0, self.size.1));
            v.state.set_playing(!self.opts.paused);
        }
        let _ = self.canvas.focus();
        let choice = self.opts.choice();
        let proxy = PROXY.with(|p| p.borrow().clone());
        let canvas = self.canvas.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let gpu = setup_gpu(window, canvas, choice).await;
            if let Some(p) = proxy {
                let _ = p.send_event(WebEvent::Gpu(gpu));
            }
        });
    }

    fn user_event(&mut self, _event_loop: &ActiveEventLoop, event: WebEvent) {
        match event {
            WebEvent::Gpu(g) => self.on_gpu(g),
            WebEvent::Trace {
                name,
                bytes,
                replace,
            } => self.on_trace(name, bytes, replace),
        }
    }

    fn window_event(&mut self, _event_loop: &ActiveEventLoop, _id: WindowId, event: WindowEvent) {
        match event {
            WindowEvent::Resized(size) => {
                if size.width > 0 && size.height > 0 {
                    self.size = (size.width, size.height);
                }
                if let Some(g) = self.gpu.as_mut() {
                    g.surface.resize(&g.ctx, size.width, size.height);
                    g.window.request_redraw();
                }
                if let Some(v) = self.viewer.as_mut() {
                    v.handle(Command::Resize(size.width, size.height));
                }
            }
            WindowEvent::ScaleFactorChanged { scale_factor, .. } => {
                self.scale = scale_factor as f32;
                if let Some(v) = self.viewer.as_mut() {
                    v.handle(Command::Scale(self.scale));
                }
            }
            WindowEvent::RedrawRequested => self.redraw(),
            WindowEvent::MouseInput { .. } => {
                // the canvas takes the keyboard when clicked
                let _ = self.canvas.focus();
                let now = self.now();
                if let Some(v) = self.viewer.as_mut() {
                    user_input(v, &event, &mut self.mods, now);
                }
            }
            ref e => {
                let now = self.now();
                if let Some(v) = self.viewer.as_mut() {
                    user_input(v, e, &mut self.mods, now);
                }
            }
        }
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        let now = self.now();
        let (Some(g), Some(v)) = (&self.gpu, self.viewer.as_mut()) else {
            event_loop.set_control_flow(ControlFlow::Wait);
            return;
        };
        let flow = match super::schedule(v, now) {
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
