//! Headless export: draws a dashboard (or one view) of a run to a PNG on
//! whatever GPU adapter there is (a software one included).

use crate::analysis::Analytics;
use crate::render::{GpuContext, OffscreenTarget, RenderError, Renderer};
use crate::scene::dashboard::SceneError;
use crate::scene::dashboard::{build_comparison, Other};
use crate::scene::plots::PointCache;
use crate::scene::DashboardOptions;
use crate::trace::Run;
use std::path::Path;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ExportError {
    #[error(transparent)]
    Scene(#[from] SceneError),
    #[error("rendering: {0}")]
    Render(#[from] RenderError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// The demo runs compiled into the binary (see `datasets/README.md`).
#[cfg(not(target_arch = "wasm32"))]
pub const DEMO_EVOLUTION: &str = include_str!("../datasets/cora-evolution-2000.jsonl");
#[cfg(not(target_arch = "wasm32"))]
pub const DEMO_RANDOM: &str = include_str!("../datasets/cora-random-2000.jsonl");

/// The demo runs as one trace: regularized evolution (`re-0`), then
/// random search (`rs-0`).
pub fn demo_trace() -> Result<crate::trace::Trace, crate::trace::TraceError> {
    use crate::trace::jsonl::read_trace_from;
    #[cfg(not(target_arch = "wasm32"))]
    let (evolution, random) = (DEMO_EVOLUTION.as_bytes(), DEMO_RANDOM.as_bytes());
    #[cfg(target_arch = "wasm32")]
    let (evolution, random) = {
        use crate::embedded::{inflate, DEMO_EVOLUTION_Z, DEMO_RANDOM_Z};
        let io = |source| crate::trace::TraceError::Io {
            path: "the demo".into(),
            source,
        };
        (
            &inflate(DEMO_EVOLUTION_Z, "the demo").map_err(io)?[..],
            &inflate(DEMO_RANDOM_Z, "the demo").map_err(io)?[..],
        )
    };
    let (mut a, _) = read_trace_from(evolution, "demo")?;
    let (b, _) = read_trace_from(random, "demo")?;
    a.runs.extend(b.runs);
    Ok(a)
}

/// A renderer on the first adapter found (software adapters preferred, so
/// that images are the same on every machine).
#[cfg(not(target_arch = "wasm32"))]
pub fn headless() -> Result<(GpuContext, Renderer), RenderError> {
    use crate::render::{AdapterChoice, TARGET_FORMAT};
    let ctx = GpuContext::headless(AdapterChoice::software_first().with_env())?;
    let r = Renderer::new(&ctx, TARGET_FORMAT);
    Ok((ctx, r))
}

/// Draws `step` of `run` into an image.
pub fn render_image(
    ctx: &GpuContext,
    renderer: &mut Renderer,
    run: &Run,
    analytics: &Analytics,
    step: usize,
    opts: &DashboardOptions,
) -> Result<crate::render::Image, ExportError> {
    render_comparison(ctx, renderer, run, analytics, None, step, opts)
}

/// Draws `step` of `run`, with a second run's points beside it.
pub fn render_comparison(
    ctx: &GpuContext,
    renderer: &mut Renderer,
    run: &Run,
    analytics: &Analytics,
    other: Option<(&Run, &Analytics)>,
    step: usize,
    opts: &DashboardOptions,
) -> Result<crate::render::Image, ExportError> {
    let mut cache = PointCache::new();
    let mut other_cache = PointCache::new();
    let dash = {
        let text = &mut renderer.text;
        let mut measure = |s: &str, size: f32| {
            let e = text.measure(s, size);
            (e.width, e.height)
        };
        let o = other.map(|(run, analytics)| Other {
            run,
            analytics,
            cache: &mut other_cache,
            step: step.min(run.trials.len().saturating_sub(1)),
        });
        build_comparison(run, analytics, o, step, opts, &mut cache, &mut measure)?
    };
    let target = OffscreenTarget::new(ctx, opts.width, opts.height)?;
    let scene = dash.scene_with(&cache, other.map(|_| &other_cache));
    renderer.render(ctx, target.view(), target.size(), &scene)?;
    Ok(target.read(ctx)?)
}

/// Writes PNG bytes to `path` (atomically).
pub fn write_png(path: &Path, png: &[u8]) -> Result<(), ExportError> {
    crate::fsutil::write_atomic(path, png).map_err(|source| ExportError::Io {
        path: path.display().to_string(),
        source,
    })
}
