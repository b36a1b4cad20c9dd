//! `nasviz view` (the window, or a script run offscreen) and `nasviz
//! record` (a GIF or animated PNG of a replay).

use super::{parse_size, refuse_overwrite};
use anyhow::{bail, Context, Result};
use clap::Args;
use nasviz::app::record::{frame_count, Format, RecordOptions};
use nasviz::app::{load_runs, make_viewer, window};
use nasviz::viewer::script::Script;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct ViewArgs {
    /// Traces (JSON Lines); the embedded demo (regularized evolution and
    /// random search on NAS-Bench-Graph Cora) when none is given.
    traces: Vec<PathBuf>,
    /// The run shown first (default: the first run).
    #[arg(long)]
    run: Option<String>,
    /// The step shown first, counted from 1 as on screen; default: the
    /// first.
    #[arg(long)]
    step: Option<usize>,
    /// Window size, WIDTHxHEIGHT (logical pixels).
    #[arg(long, default_value = "1280x800")]
    size: String,
    /// Start in the comparison of the first two runs.
    #[arg(long)]
    compare: bool,
    /// The strategies view groups runs by this pattern on their ids (its
    /// first capture group, else the whole match) instead of by strategy
    /// and benchmark, e.g. '^(\w+)-\d+$'.
    #[arg(long)]
    group_by: Option<String>,
    /// Start on this view: dashboard, lineage, pareto, importance, edits
    /// or strategies.
    #[arg(long, default_value = "dashboard")]
    page: String,
    /// The line chart's x axis: `step` or `time` (simulated search time).
    #[arg(long, default_value = "step", value_parser = ["step", "time"])]
    x: String,
    /// Drive the viewer from a script (one command a line: wait MS, key
    /// NAME, move X Y, click X Y, drag X1 Y1 X2 Y2, resize W H,
    /// screenshot PATH, quit); time is then virtual and playback starts
    /// paused.
    #[arg(long)]
    script: Option<PathBuf>,
    /// Run the script offscreen, without a window or display.
    #[arg(long, requires = "script")]
    headless: bool,
    /// Print the time to the adapter and to the first frame.
    #[arg(long)]
    timing: bool,
    /// Follow a native trace another process is appending to (a search
    /// on this machine, a job writing to a shared filesystem): new trials
    /// appear as they are written, and the view keeps to the newest step
    /// unless you move away from it.
    #[arg(long, value_name = "TRACE", conflicts_with = "traces")]
    follow: Option<PathBuf>,
    /// Run a search live in the window against a tabular benchmark
    /// (`nbgraph:cora`, `nbgraph:FILE.nbt`, `nb101:FILE.nb101`), beside
    /// any traces given: Space runs and pauses it, E edits an
    /// architecture, Ctrl+Z undoes an edit.
    #[arg(long, value_name = "BENCHMARK", conflicts_with = "follow")]
    live: Option<String>,
    /// The live search's strategy.
    #[arg(long, value_enum, default_value = "evolution", requires = "live")]
    strategy: super::StrategyArg,
    /// The live search's seed.
    #[arg(long, default_value_t = 0, requires = "live")]
    seed: u64,
    /// Evolution's population size.
    #[arg(long, default_value_t = 50, requires = "live")]
    population: usize,
    /// Evolution's tournament sample size.
    #[arg(long, default_value_t = 10, requires = "live")]
    sample: usize,
    /// Where the live session is saved as it happens (a new file);
    /// default: a timestamped file in the data folder
    /// (`~/.local/share/nasviz/sessions/`), named on screen.
    #[arg(long, value_name = "FILE", requires = "live")]
    save: Option<PathBuf>,
    /// With --follow on an engine's storage: which metric is the
    /// validation and which the test accuracy, and which parameter holds
    /// the architecture (a JSON file, as `nasviz import ... --map` takes).
    #[arg(long, value_name = "FILE", requires = "follow")]
    map: Option<PathBuf>,
    /// With --follow on an Optuna study: the tabular benchmark the edit
    /// menu looks each choice up in (`nbgraph:cora`, `nbgraph:FILE.nbt`,
    /// `nb101:FILE.nb101`); without it the menu shows estimates from the
    /// trials seen so far.
    #[arg(long, value_name = "BENCHMARK", requires = "follow")]
    predict: Option<String>,
    /// Read the traces (or the followed file) as this format instead of
    /// judging by content: native, naslib, dashboard, optuna, ray or nni.
    #[arg(long)]
    format: Option<nasviz::trace::open::Format>,
}

/// The live search `--live` asks for.
fn live_options(args: &ViewArgs, spec: &str) -> Result<nasviz::viewer::live::LiveOptions> {
    use nasviz::search::Strategy;
    use nasviz::viewer::live::{LiveOptions, SaveTo};
    let strategy = match args.strategy {
        super::StrategyArg::Random => Strategy::Random,
        super::StrategyArg::Evolution => Strategy::Evolution {
            population: args.population,
            sample: args.sample,
        },
    };
    let save = match &args.save {
        Some(p) if p.exists() => bail!(
            "--save {}: the file exists; a live session is saved to a new file",
            p.display()
        ),
        Some(p) => SaveTo::File(p.clone()),
        None => SaveTo::File(nasviz::trace::log::default_session_path(
            std::time::SystemTime::now(),
        )),
    };
    let run_id = match strategy {
        Strategy::Random => format!("live-rs-{}", args.seed),
        Strategy::Evolution { .. } => format!("live-re-{}", args.seed),
    };
    Ok(LiveOptions {
        bench: super::search::open_benchmark(spec)?,
        strategy,
        seed: args.seed,
        run_id,
        warm: 1,
        save,
    })
}

pub fn view(args: ViewArgs) -> Result<ExitCode> {
    let size = parse_size("--size", &args.size)?;
    if size.0 < 480 || size.1 < 360 {
        bail!("--size {}: the window needs at least 480x360", args.size);
    }
    // everything the user gave is checked before a window opens
    let page = start_page(&args.page)?;
    let script = match &args.script {
        Some(p) => Some(Script::load(p, size)?),
        None => None,
    };
    if !args.headless && !window::has_display() {
        return Err(nasviz::app::AppError::NoDisplay.into());
    }
    if let Some(what) = read_behind_window(&args) {
        return view_while_reading(args, what, page, script, size);
    }
    let (runs, follower) = runs_to_view(&args)?;
    let live = live_search(&args)?;
    let mut viewer = viewer_of(&args, runs, live, size)?;
    if let Some(f) = follower {
        if args.step.is_none() {
            // live: start at the newest trial
            let last = viewer.runs()[viewer.state.run()].trials.len();
            viewer.state.set_step(last.saturating_sub(1));
        }
        viewer.follow(f);
    }
    set_options(&mut viewer, &args)?;
    viewer.state.set_page(page);
    if args.headless {
        let Some(script) = script else {
            bail!("--headless needs --script FILE");
        };
        let shots = nasviz::app::headless::run_script(&mut viewer, script)?;
        eprintln!(
            "script done: {shots} screenshot{}",
            if shots == 1 { "" } else { "s" }
        );
        return Ok(ExitCode::SUCCESS);
    }
    let title = window_title(&args, &viewer);
    window::run(
        viewer,
        script,
        window::WindowOptions {
            title,
            size,
            timing: args.timing,
        },
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Traces this large are read while the window already shows a progress
/// line (smaller ones open at once, any error before a window opens).
const READ_BEHIND_WINDOW_BYTES: u64 = 32 << 20;

/// The files and their size in words when they are read behind an open
/// window: large traces named on the command line (not followed, not
/// headless).
fn read_behind_window(args: &ViewArgs) -> Option<String> {
    if args.headless || args.follow.is_some() || args.traces.is_empty() {
        return None;
    }
    let bytes: u64 = args
        .traces
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum();
    if bytes < READ_BEHIND_WINDOW_BYTES {
        return None;
    }
    let names: Vec<String> = args
        .traces
        .iter()
        .map(|p| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
        .collect();
    Some(format!("{} ({} MB)", names.join(", "), bytes / 1_000_000))
}

/// `view` on large traces: the window opens at once with a progress line
/// while another thread reads the runs; the viewer, with every option
/// applied, takes its place when they are read (an error closes the window
/// and is said as any other).
fn view_while_reading(
    args: ViewArgs,
    what: String,
    page: Option<nasviz::scene::insight::InsightKind>,
    script: Option<Script>,
    size: (u32, u32),
) -> Result<ExitCode> {
    use nasviz::app::AppError;
    let live = live_search(&args)?;
    let (tx, rx) = std::sync::mpsc::channel();
    let (traces, format) = (args.traces.clone(), args.format);
    std::thread::spawn(move || {
        let read = nasviz::app::load_runs_as(&traces, format).map(|(runs, notes)| {
            for n in notes {
                eprintln!("{n}");
            }
            runs
        });
        // the window may have been closed meanwhile: nobody to tell
        let _ = tx.send(read.map_err(AppError::from));
    });
    let title = format!("nasviz — {what}");
    let timing = args.timing;
    let make = move |runs: Vec<nasviz::trace::Run>| -> Result<nasviz::viewer::Viewer> {
        let mut viewer = viewer_of(&args, runs, live, size)?;
        set_options(&mut viewer, &args)?;
        viewer.state.set_page(page);
        Ok(viewer)
    };
    let make = Box::new(move |runs| make(runs).map_err(|e| AppError::Options(format!("{e:#}"))));
    window::run_opening(
        window::Opening::Reading(window::Reading {
            what,
            runs: rx,
            make,
        }),
        script,
        window::WindowOptions {
            title,
            size,
            timing,
        },
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The insight view `--page` opens on (`None`: the dashboard).
fn start_page(page: &str) -> Result<Option<nasviz::scene::insight::InsightKind>> {
    match page {
        "dashboard" => Ok(None),
        p => match p.parse() {
            Ok(nasviz::scene::ViewKind::Insight(k)) => Ok(Some(k)),
            _ => bail!(
                "--page {p:?}: expected dashboard, lineage, pareto, importance, edits or strategies"
            ),
        },
    }
}

/// The recorded runs to show: the followed file's (with its follower),
/// the traces', or none beside a live search of its own.
fn runs_to_view(
    args: &ViewArgs,
) -> Result<(
    Vec<nasviz::trace::Run>,
    Option<nasviz::trace::open::Followed>,
)> {
    match &args.follow {
        Some(path) => {
            let mapping = match &args.map {
                Some(p) => Some(nasviz::trace::engine::studies::Mapping::load(p)?),
                None => None,
            };
            let f = nasviz::trace::open::Followed::start_mapped(path, args.format, mapping)?;
            let runs = f.trace().runs.clone();
            if runs.is_empty() {
                bail!(
                    "{}: nothing to show yet; nasviz follows a trace once its run line is \
                     written (an Optuna journal once a trial completes)",
                    path.display()
                );
            }
            Ok((runs, Some(f)))
        }
        None if args.live.is_some() && args.traces.is_empty() => Ok((Vec::new(), None)),
        None => {
            let (runs, notes) = nasviz::app::load_runs_as(&args.traces, args.format)?;
            for n in notes {
                eprintln!("{n}");
            }
            Ok((runs, None))
        }
    }
}

/// The live search: `--live`'s, or with the demo one beside the recorded
/// runs (saved once used).
fn live_search(args: &ViewArgs) -> Result<Option<nasviz::viewer::live::Live>> {
    use nasviz::viewer::live::{Live, SaveTo};
    Ok(match &args.live {
        Some(spec) => Some(Live::start(live_options(args, spec)?)?),
        None if args.traces.is_empty() && args.follow.is_none() => {
            Some(Live::start(nasviz::app::demo_live(SaveTo::Lazy(
                nasviz::trace::log::default_session_path(std::time::SystemTime::now()),
            ))?)?)
        }
        None => None,
    })
}

/// The viewer on the runs at `--run` and `--step`, the live search
/// started in it (shown first when asked for with `--live`).
fn viewer_of(
    args: &ViewArgs,
    runs: Vec<nasviz::trace::Run>,
    live: Option<nasviz::viewer::live::Live>,
    size: (u32, u32),
) -> Result<nasviz::viewer::Viewer> {
    Ok(match (runs.is_empty(), live) {
        (true, Some(l)) => {
            let mut v = nasviz::viewer::Viewer::new(Vec::new(), size);
            v.start_live(l, true);
            v
        }
        (_, live) => {
            let step = args
                .step
                .map(|s| super::step_index("--step", s))
                .transpose()?;
            let mut v = make_viewer(runs, size, args.run.as_deref(), step)?;
            if let Some(l) = live {
                v.start_live(l, args.live.is_some());
            }
            v
        }
    })
}

/// `--predict`, `--compare`, `--x` and `--group-by` set on the viewer.
fn set_options(viewer: &mut nasviz::viewer::Viewer, args: &ViewArgs) -> Result<()> {
    if let Some(spec) = &args.predict {
        let bench =
            super::search::open_benchmark(spec).with_context(|| format!("--predict {spec}"))?;
        viewer.set_predict(Some(bench));
    }
    if args.compare {
        if viewer.runs().len() < 2 {
            bail!("--compare: the trace has one run; comparing needs two");
        }
        viewer.state.set_compare(true);
    }
    viewer.state.set_time_axis(args.x == "time");
    if let Some(p) = &args.group_by {
        // every run must match, as info --strategies checks
        let refs: Vec<&nasviz::trace::Run> = viewer.runs().iter().collect();
        nasviz::analysis::strategies::group_keys(&refs, Some(p))?;
        viewer.set_group_by(Some(p.clone()));
    }
    Ok(())
}

/// `nasviz — FILE (run ids)`, or the demo's.
fn window_title(args: &ViewArgs, viewer: &nasviz::viewer::Viewer) -> String {
    let ids: Vec<&str> = viewer
        .runs()
        .iter()
        .map(|r| r.info.run_id.as_str())
        .collect();
    match args.traces.first() {
        Some(p) => format!("nasviz — {} ({})", p.display(), ids.join(", ")),
        None => format!("nasviz — demo: {}", ids.join(", ")),
    }
}

#[derive(Args, Debug)]
pub struct RecordArgs {
    /// A trace (JSON Lines); the embedded demo when absent.
    trace: Option<PathBuf>,
    /// The run to record (default: the first).
    #[arg(long)]
    run: Option<String>,
    /// First step, counted from 1 as on screen.
    #[arg(long, default_value_t = 1)]
    from: usize,
    /// Last step (default: 60 steps after --from, or the run's last).
    #[arg(long)]
    to: Option<usize>,
    /// Frames per second of the recording.
    #[arg(long, default_value_t = 15)]
    fps: u32,
    /// Playback speed, steps per second.
    #[arg(long, default_value_t = 5.0)]
    speed: f64,
    /// Frame size, WIDTHxHEIGHT.
    #[arg(long, default_value = "960x600")]
    size: String,
    /// Output: `.gif`, or `.png` for an animated PNG.
    #[arg(short, long)]
    output: PathBuf,
    /// Replace OUTPUT if it already exists.
    #[arg(long)]
    force: bool,
}

pub fn record(args: RecordArgs) -> Result<ExitCode> {
    refuse_overwrite(&args.output, args.force)?;
    if Format::of(&args.output).is_none() {
        bail!(
            "{}: the name must end in .gif, or .png for an animated PNG",
            args.output.display()
        );
    }
    let size = parse_size("--size", &args.size)?;
    if size.0 < 480 || size.1 < 360 || size.0 > 4096 || size.1 > 4096 {
        bail!("--size {}: from 480x360 to 4096x4096", args.size);
    }
    if !(1..=60).contains(&args.fps) {
        bail!("--fps {}: from 1 to 60", args.fps);
    }
    if !(args.speed.is_finite() && args.speed > 0.0 && args.speed <= 1000.0) {
        bail!(
            "--speed {}: a number of steps per second above 0, at most 1000",
            args.speed
        );
    }
    let paths: Vec<PathBuf> = args.trace.iter().cloned().collect();
    let runs = load_runs(&paths)?;
    let from = super::step_index("--from", args.from)?;
    let mut viewer = match make_viewer(runs, size, args.run.as_deref(), Some(from)) {
        Err(nasviz::app::AppError::StepPastEnd { count, .. }) => bail!(
            "--from {} is past the end: the run has {count} trials (steps 1 to {count})",
            args.from
        ),
        other => other?,
    };
    let len = viewer.runs()[viewer.state.run()].trials.len();
    let to_shown = args.to.unwrap_or((args.from + 60).min(len));
    if to_shown > len {
        bail!("--to {to_shown} is past the end: the run has {len} trials (steps 1 to {len})");
    }
    let to = super::step_index("--to", to_shown)?;
    if to <= from {
        bail!("--to {to_shown} must come after --from {}", args.from);
    }
    let opts = RecordOptions {
        from,
        to,
        fps: args.fps,
        speed: args.speed,
    };
    let n = frame_count(&opts);
    if n > 3600 {
        bail!(
            "{n} frames: too long a recording (at most 3,600); raise --speed or narrow --from/--to"
        );
    }
    let bar = super::progress(n as u64, "frames");
    let frames = nasviz::app::record::record(&mut viewer, &opts, &args.output, &mut |i, _| {
        bar.set_position(i as u64);
    });
    bar.finish_and_clear();
    let frames = frames?;
    eprintln!(
        "{}: {frames} frames at {} fps, {}x{}, steps {} to {to_shown}",
        args.output.display(),
        args.fps,
        size.0,
        size.1,
        args.from
    );
    Ok(ExitCode::SUCCESS)
}
