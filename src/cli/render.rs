//! `nasviz render`: a dashboard (or one view) of a run at a step, to PNG.

use super::{parse_size, refuse_overwrite};
use anyhow::{Context, Result};
use clap::Args;
use nasviz::analysis::Analytics;
use nasviz::export::ExportError;
use nasviz::scene::density::ScatterMode;
use nasviz::scene::insight::{InsightKind, InsightOptions, StrategyCurves};
use nasviz::scene::{DashboardOptions, ViewKind};
use nasviz::trace::{Run, Trace};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct RenderArgs {
    /// Traces (JSON Lines, or any format nasviz reads); their runs
    /// together. The embedded demo runs when absent.
    traces: Vec<PathBuf>,
    /// With --view strategies: group runs by this pattern on their ids
    /// (its first capture group, else the whole match).
    #[arg(long)]
    group_by: Option<String>,
    /// The run to draw (default: the first; for the demo, the
    /// evolution run `re-0`, or `rs-0` for random search).
    #[arg(long)]
    run: Option<String>,
    /// A second run of the trace to compare with (its points coloured
    /// by run), e.g. `--run re-0 --compare rs-0` on the demo.
    #[arg(long)]
    compare: Option<String>,
    /// The step, counted from 1 as the picture counts; default: the
    /// last.
    #[arg(long)]
    step: Option<usize>,
    /// Image size, WIDTHxHEIGHT.
    #[arg(long, default_value = "1280x800")]
    size: String,
    /// dashboard, dag, scatter, line or table; or an insight view:
    /// lineage, pareto, importance or edits.
    #[arg(long, default_value = "dashboard")]
    view: String,
    /// The line chart's x axis: `step`, or `time` (the simulated search
    /// time, when the trace has one).
    #[arg(long, default_value = "step", value_parser = ["step", "time"])]
    x: String,
    /// Accuracy axes: `dense` (zoom on where most trials are) or `full`
    /// (every trial, outliers included).
    #[arg(long, default_value = "dense", value_parser = ["dense", "full"])]
    range: String,
    /// The scatter's points: `circles`, `density` (trials per pixel,
    /// coloured by mean step), or `auto` (density when they crowd).
    #[arg(long, default_value = "auto", value_parser = ["auto", "circles", "density"])]
    points: String,
    #[arg(short, long)]
    output: PathBuf,
    /// Replace OUTPUT if it already exists.
    #[arg(long)]
    force: bool,
    /// Read the trace as this format instead of judging by content:
    /// native, naslib, dashboard, optuna, ray or nni.
    #[arg(long)]
    format: Option<nasviz::trace::open::Format>,
}

/// A thread that is waited for when dropped: a command that stops early
/// (a trace it cannot read) lets the GPU's setup finish before the
/// process exits under it.
struct Joined<T>(Option<std::thread::JoinHandle<T>>);

impl<T> Drop for Joined<T> {
    fn drop(&mut self) {
        if let Some(h) = self.0.take() {
            let _ = h.join();
        }
    }
}

pub fn run(args: RenderArgs) -> Result<ExitCode> {
    refuse_overwrite(&args.output, args.force)?;
    let view: ViewKind = args.view.parse().map_err(anyhow::Error::msg)?;
    let (w, h) = parse_size("--size", &args.size)?;
    if args.group_by.is_some() && view != ViewKind::Insight(InsightKind::Strategies) {
        anyhow::bail!("--group-by goes with --view strategies");
    }
    // the GPU is made ready while the trace is read
    let mut gpu = Joined(Some(std::thread::spawn(nasviz::export::headless)));
    let trace = match args.traces.as_slice() {
        [] => nasviz::export::demo_trace()?,
        files => Trace {
            runs: super::insight::open_all(files, args.format)?,
        },
    };
    let run = match &args.run {
        Some(id) => find_run(&trace, id, "")?,
        None => trace.runs.first().context("the trace has no run")?,
    };
    let analytics = Analytics::of_run(run);
    let other = match &args.compare {
        Some(id) => {
            let o = find_run(&trace, id, "--compare: ")?;
            Some((o, Analytics::of_run(o)))
        }
        None => None,
    };
    let step = step_of(run, args.step)?;
    // trials a user's edit made are diamonds, as in the viewer
    let mut marks = nasviz::scene::dashboard::user_marks(run, step, 0);
    if let Some((o, _)) = &other {
        marks.extend(nasviz::scene::dashboard::user_marks(o, step, 1));
    }
    let x_time = args.x == "time";
    let mut opts = DashboardOptions {
        marks,
        view,
        width: w,
        height: h,
        x_time,
        full_range: args.range == "full",
        insight: insight_options(view, &trace, run, args.group_by.as_deref(), x_time)?,
        scatter_mode: match args.points.as_str() {
            "circles" => ScatterMode::Circles,
            "density" => ScatterMode::Density,
            _ => ScatterMode::Auto,
        },
        ..Default::default()
    };
    let (ctx, mut renderer) = gpu
        .0
        .take()
        .context("the GPU was set up once")?
        .join()
        .map_err(|_| anyhow::anyhow!("the GPU could not be set up (its thread stopped)"))??;
    let mut draw = |opts: &DashboardOptions| {
        nasviz::export::render_comparison(
            &ctx,
            &mut renderer,
            run,
            &analytics,
            other.as_ref().map(|(r, a)| (*r, a)),
            step,
            opts,
        )
    };
    let image = match draw(&opts) {
        // more points than the GPU's buffers hold: their density instead
        Err(ExportError::Render(e))
            if e.is_too_many_circles() && opts.scatter_mode != ScatterMode::Density =>
        {
            eprintln!("note: {e}; drawing the scatter as density (trials per pixel) instead");
            opts.scatter_mode = ScatterMode::Density;
            draw(&opts)?
        }
        other => other?,
    };
    let png = image.encode_png().map_err(ExportError::from)?;
    nasviz::export::write_png(&args.output, &png)?;
    eprintln!(
        "{}: {w}x{h}, run {}, step {} of {} ({})",
        args.output.display(),
        run.info.run_id,
        nasviz::fmt::fmt_int(step + 1),
        nasviz::fmt::fmt_int(run.trials.len()),
        ctx.adapter_name()
    );
    Ok(ExitCode::SUCCESS)
}

/// The run of id `id`, or an error listing the trace's runs (`flag`, as
/// `--compare: `, opens it).
fn find_run<'t>(trace: &'t Trace, id: &str, flag: &str) -> Result<&'t Run> {
    trace.run(id).with_context(|| {
        let ids: Vec<&str> = trace.runs.iter().map(|r| r.info.run_id.as_str()).collect();
        format!(
            "{flag}no run {id:?} in the trace (runs: {})",
            ids.join(", ")
        )
    })
}

/// The position of `--step` in `run` (default: its last trial).
fn step_of(run: &Run, step: Option<usize>) -> Result<usize> {
    let len = run.trials.len();
    match step {
        Some(s) => {
            let i = super::step_index("--step", s)?;
            if i >= len {
                anyhow::bail!(
                    "--step {s} is past the end: run {:?} has {len} trials (steps 1 to {len})",
                    run.info.run_id
                );
            }
            Ok(i)
        }
        None => Ok(len.saturating_sub(1)),
    }
}

/// What the insight views need beyond the run: the complete table's
/// importance (importance view), the runs' groups (strategies view).
fn insight_options(
    view: ViewKind,
    trace: &Trace,
    run: &Run,
    group_by: Option<&str>,
    x_time: bool,
) -> Result<InsightOptions> {
    Ok(InsightOptions {
        table: matches!(view, ViewKind::Insight(InsightKind::Importance))
            .then(|| nasviz::viewer::insight::table_importance(run))
            .flatten(),
        strategies: match view {
            ViewKind::Insight(InsightKind::Strategies) => {
                let refs: Vec<&Run> = trace.runs.iter().filter(|r| !r.trials.is_empty()).collect();
                Some(std::sync::Arc::new(StrategyCurves::of(&refs, group_by)?))
            }
            _ => None,
        },
        x_time,
        ..Default::default()
    })
}
