//! `nasviz render`: a dashboard (or one view) of a run at a step, to PNG.

use super::{parse_size, refuse_overwrite};
use anyhow::{Context, Result};
use nasviz::scene::density::ScatterMode;
use std::path::PathBuf;
use std::process::ExitCode;

#[allow(clippy::too_many_arguments)]
pub fn run(
    (traces, format, group_by): (
        Vec<PathBuf>,
        Option<nasviz::trace::open::Format>,
        Option<String>,
    ),
    run: Option<String>,
    compare: Option<String>,
    step: Option<usize>,
    size: &str,
    view: &str,
    (x_time, full_range, points): (bool, bool, &str),
    output: &std::path::Path,
    force: bool,
) -> Result<ExitCode> {
    refuse_overwrite(output, force)?;
    let view: nasviz::scene::ViewKind = view.parse().map_err(anyhow::Error::msg)?;
    let (w, h) = parse_size("--size", size)?;
    if group_by.is_some()
        && view != nasviz::scene::ViewKind::Insight(nasviz::scene::insight::InsightKind::Strategies)
    {
        anyhow::bail!("--group-by goes with --view strategies");
    }
    let trace = match traces.as_slice() {
        [] => nasviz::export::demo_trace()?,
        files => nasviz::trace::Trace {
            runs: super::insight::open_all(files, format)?,
        },
    };
    let run = match &run {
        Some(id) => trace.run(id).with_context(|| {
            let ids: Vec<&str> = trace.runs.iter().map(|r| r.info.run_id.as_str()).collect();
            format!("no run {id:?} in the trace (runs: {})", ids.join(", "))
        })?,
        None => trace.runs.first().context("the trace has no run")?,
    };
    let analytics = nasviz::analysis::Analytics::of_run(run);
    let other = match &compare {
        Some(id) => {
            let o = trace.run(id).with_context(|| {
                let ids: Vec<&str> = trace.runs.iter().map(|r| r.info.run_id.as_str()).collect();
                format!(
                    "--compare: no run {id:?} in the trace (runs: {})",
                    ids.join(", ")
                )
            })?;
            Some((o, nasviz::analysis::Analytics::of_run(o)))
        }
        None => None,
    };
    let len = run.trials.len();
    let step = match step {
        Some(s) => {
            let i = super::step_index("--step", s)?;
            if i >= len {
                anyhow::bail!(
                    "--step {s} is past the end: run {:?} has {len} trials (steps 1 to {len})",
                    run.info.run_id
                );
            }
            i
        }
        None => len.saturating_sub(1),
    };
    // trials a user's edit made are diamonds, as in the viewer
    let mut marks = nasviz::scene::dashboard::user_marks(run, step, 0);
    if let Some((o, _)) = &other {
        marks.extend(nasviz::scene::dashboard::user_marks(o, step, 1));
    }
    let mut opts = nasviz::scene::DashboardOptions {
        marks,
        view,
        width: w,
        height: h,
        x_time,
        full_range,
        insight: nasviz::scene::insight::InsightOptions {
            table: matches!(
                view,
                nasviz::scene::ViewKind::Insight(nasviz::scene::insight::InsightKind::Importance)
            )
            .then(|| nasviz::viewer::insight::table_importance(run))
            .flatten(),
            strategies: match view {
                nasviz::scene::ViewKind::Insight(
                    nasviz::scene::insight::InsightKind::Strategies,
                ) => {
                    let refs: Vec<&nasviz::trace::Run> =
                        trace.runs.iter().filter(|r| !r.trials.is_empty()).collect();
                    Some(std::sync::Arc::new(
                        nasviz::scene::insight::StrategyCurves::of(&refs, group_by.as_deref())?,
                    ))
                }
                _ => None,
            },
            x_time,
            ..Default::default()
        },
        scatter_mode: match points {
            "circles" => ScatterMode::Circles,
            "density" => ScatterMode::Density,
            _ => ScatterMode::Auto,
        },
        ..Default::default()
    };
    let (ctx, mut renderer) = nasviz::export::headless()?;
    let mut draw = |opts: &nasviz::scene::DashboardOptions| {
        nasviz::export::render_png_comparison(
            &ctx,
            &mut renderer,
            run,
            &analytics,
            other.as_ref().map(|(r, a)| (*r, a)),
            step,
            opts,
        )
    };
    let png = match draw(&opts) {
        // more points than the GPU's buffers hold: their density instead
        Err(nasviz::export::ExportError::Render(e))
            if e.is_too_many_circles() && opts.scatter_mode != ScatterMode::Density =>
        {
            eprintln!("note: {e}; drawing the scatter as density (trials per pixel) instead");
            opts.scatter_mode = ScatterMode::Density;
            draw(&opts)?
        }
        other => other?,
    };
    nasviz::export::write_png(output, &png)?;
    eprintln!(
        "{}: {w}x{h}, run {}, step {} of {} ({})",
        output.display(),
        run.info.run_id,
        nasviz::fmt::fmt_int(step + 1),
        nasviz::fmt::fmt_int(run.trials.len()),
        ctx.adapter_name()
    );
    Ok(ExitCode::SUCCESS)
}
