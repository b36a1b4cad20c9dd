//! The `nasviz` command line: its arguments, and one file per family of
//! commands (`view`, `render`, `search`, `import`, `arch`, `share`).

mod arch;
mod import;
mod insight;
mod perf;
mod render;
mod search;
mod share;
mod view;

use anyhow::{bail, Result};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "nasviz",
    version,
    about = "View and steer Neural Architecture Search runs",
    long_about = "View and steer Neural Architecture Search runs: search spaces \
(NAS-Bench-101, NAS-Bench-201, NAS-Bench-Graph, layer lists), tabular benchmarks, \
and tools to inspect and convert NAS data."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Read large traces without their binary cache (kept in
    /// ~/.cache/nasviz/traces/; also NASVIZ_NO_CACHE=1).
    #[arg(long, global = true)]
    no_cache: bool,
}

#[derive(Subcommand)]
pub enum Command {
    /// Open the viewer window on traces (the embedded demo without any):
    /// the search plays step by step; Space pauses, ←/→ step, ? lists
    /// the keys.
    View(view::ViewArgs),
    /// Record the animated replay of a stretch of a run as a GIF or an
    /// animated PNG (drawn offscreen).
    Record(view::RecordArgs),
    /// Say what a file holds (benchmark table, NB-101 cells or records, ...).
    Info(InfoArgs),
    /// Work with architectures.
    Arch {
        #[command(subcommand)]
        command: ArchCommand,
    },
    /// Convert external NAS data into nasviz's formats.
    Import {
        #[command(subcommand)]
        format: ImportFormat,
    },
    /// Run a search against a tabular benchmark and write its trace.
    Search(search::SearchArgs),
    /// Draw the dashboard (or one view) of a run at a step to a PNG.
    Render(render::RenderArgs),
    /// Write a folder that shows traces in a browser: the page built by
    /// `web/build.sh` and the traces, for any static host or
    /// `python3 -m http.server`.
    Share(share::ShareArgs),
    /// Write a trace's trials as a table, one row per trial (for pandas
    /// or polars): run, step (from 1), ids, metrics, the architecture as
    /// JSON, parents, the edit, the source.
    Export {
        /// A trace (or a NASLib result, a folder of them, the original
        /// dashboard's records).
        trace: PathBuf,
        /// The table format: `csv`, or `arrow` (Arrow IPC, Feather v2, for
        /// `pandas.read_feather` or `polars.read_ipc`; in builds with the
        /// `arrow` feature).
        #[arg(long, default_value = "csv", value_parser = ["csv", "arrow"])]
        format: String,
        #[arg(short, long)]
        output: PathBuf,
        /// Replace OUTPUT if it already exists.
        #[arg(long)]
        force: bool,
    },
    /// Measure the speed of nasviz's core operations on this machine.
    Bench {
        /// Seconds to spend on each measurement.
        #[arg(long, default_value_t = 2.0)]
        seconds: f64,
        /// Instead of measuring, write a synthetic trace of N trials
        /// (regularized evolution on the shipped Cora table, seed 0, the
        /// trace the figures are measured on) to --output.
        #[arg(long, value_name = "N")]
        generate: Option<usize>,
        /// Where --generate writes.
        #[arg(short, long, requires = "generate")]
        output: Option<PathBuf>,
        /// Measure only the insight views (analyses per trial, view
        /// switches and frames) on N trials of evolution.
        #[arg(long, value_name = "N", conflicts_with = "generate")]
        insight: Option<usize>,
        /// Replace OUTPUT if it already exists.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
pub enum ArchCommand {
    /// Print the canonical NAS-Bench-101 hash of each cell: reads JSON Lines
    /// `{"matrix":[[...]],"ops":[...]}` from FILE (or standard input) and
    /// prints, one line per cell, the module hash of the pruned cell or an
    /// error naming the line and the broken rule. Exits with 1 if any cell
    /// was invalid.
    Hash {
        /// JSON Lines file of cells; standard input when absent or `-`.
        file: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum ImportFormat {
    /// A NAS-Bench-Graph `.bench` file from the `nas-bench-graph` PyPI
    /// package (e.g. nas_bench_graph/light/cora.bench) into a `.nbt` table.
    #[command(name = "nas-bench-graph")]
    NasBenchGraph {
        /// The package's `.bench` pickle.
        input: PathBuf,
        /// Where to write the `.nbt` table.
        #[arg(short, long)]
        output: PathBuf,
        /// The dataset's op set (default: `proteins` for proteins.bench,
        /// `full` otherwise).
        #[arg(long, value_enum)]
        op_set: Option<OpSetArg>,
        /// Replace OUTPUT if it already exists.
        #[arg(long)]
        force: bool,
    },
    /// A NAS-Bench-101 `.tfrecord` (nasbench_only108.tfrecord or
    /// nasbench_full.tfrecord) into a `.nb101` benchmark table.
    #[command(name = "nb101-tfrecord")]
    Nb101Tfrecord {
        input: PathBuf,
        #[arg(short, long)]
        output: PathBuf,
        /// The training budget to keep: 4, 12, 36 or 108 epochs.
        #[arg(long, default_value_t = 108, value_parser = import::parse_epochs)]
        epochs: u32,
        #[arg(long)]
        force: bool,
    },
    /// NASLib NAS-Bench-201 search results (`errors_<seed>.json`, or a
    /// folder of them) into a trace.
    #[command(name = "naslib-nb201")]
    NaslibNb201 {
        /// A results file or a folder searched recursively.
        input: PathBuf,
        #[arg(short, long)]
        output: PathBuf,
        #[arg(long)]
        force: bool,
        /// The strategy the runs used (default: from the folder name, `RS`
        /// random search, `RE` regularized evolution, ...), e.g.
        /// `regularized_evolution`.
        #[arg(long)]
        strategy: Option<String>,
        /// The benchmark the runs searched (default:
        /// `nas-bench-201/cifar10`).
        #[arg(long)]
        benchmark: Option<String>,
    },
    /// An Optuna study storage, a journal
    /// (`JournalStorage(JournalFileBackend(path))`) or an SQLite database
    /// (`sqlite:///study.db`), into a trace: a run per study, its completed
    /// trials with the architecture in their parameters or attributes.
    Optuna(EngineImport),
    /// A Ray Tune experiment directory (`<storage_path>/<name>/`) into a
    /// trace: its finished trials, with the architecture in their config.
    Ray(EngineImport),
    /// An NNI experiment's database (`<experiment>/db/nni.sqlite`) into a
    /// trace: its succeeded trials, with the architecture in their
    /// parameters.
    Nni(EngineImport),
    /// The original dashboard's records (a JSON array of `layers` with
    /// validation and test accuracy and a timestamp) into a trace.
    Dashboard {
        input: PathBuf,
        #[arg(short, long)]
        output: PathBuf,
        /// The run's id in the trace.
        #[arg(long, default_value = "dashboard")]
        run_id: String,
        #[arg(long)]
        force: bool,
    },
}

/// What `nasviz info` takes.
#[derive(clap::Args, Debug)]
pub struct InfoArgs {
    /// The file to describe (several with --strategies).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Read it as this format instead of judging by content: native,
    /// naslib, dashboard, optuna, ray or nni.
    #[arg(long)]
    format: Option<nasviz::trace::open::Format>,
    /// Print the insight views' numbers of a trace instead: the Pareto
    /// front, the best trial's lineage, choice importance and edit
    /// effects of each run at a step.
    #[arg(long)]
    insight: bool,
    /// With --insight: only this run.
    #[arg(long, requires = "insight")]
    run: Option<String>,
    /// With --insight: the step, counted from 1 (default: the last).
    #[arg(long, requires = "insight")]
    step: Option<usize>,
    /// With --insight or --strategies: one JSON object.
    #[arg(long)]
    json: bool,
    /// With --insight: the Pareto front's cost (params, latency,
    /// train_time or flops; default: the first the run carries).
    #[arg(long, requires = "insight")]
    cost: Option<String>,
    /// With --insight: the accuracy the front maximises, val or test.
    #[arg(long, requires = "insight", default_value = "val")]
    objective: String,
    /// Compare search strategies over the runs of every file given
    /// (seeds): per group of runs, the mean best-so-far validation
    /// accuracy per step with its 95% interval over seeds.
    #[arg(long, conflicts_with = "insight")]
    strategies: bool,
    /// With --strategies: group runs by this pattern on their ids
    /// (its first capture group, else the whole match) instead of by
    /// strategy and benchmark, e.g. '^(\w+)-\d+$'.
    #[arg(long, requires = "strategies")]
    group_by: Option<String>,
}

/// What importing a search engine's storage takes.
#[derive(clap::Args, Debug)]
pub struct EngineImport {
    input: PathBuf,
    #[arg(short, long)]
    output: PathBuf,
    #[arg(long)]
    force: bool,
    /// A JSON mapping: which metric is validation and which test
    /// (`objective` or an attribute name), which parameter or attribute
    /// holds the architecture, and `scale` (auto|fraction|percent).
    #[arg(long, value_name = "FILE")]
    map: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum StrategyArg {
    Random,
    Evolution,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum OpSetArg {
    Full,
    Proteins,
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    if cli.no_cache {
        nasviz::trace::cache::disable();
    }
    // no command: `view` with its defaults, as clap gives them
    let command = match cli.command {
        Some(c) => c,
        None => match Cli::try_parse_from(["nasviz", "view"])?.command {
            Some(c) => c,
            None => bail!("internal error: `view` did not parse"),
        },
    };
    match command {
        Command::View(args) => view::view(args),
        Command::Record(args) => view::record(args),
        Command::Info(args) => info(args),
        Command::Arch {
            command: ArchCommand::Hash { file },
        } => arch::hash(file),
        Command::Import { format } => import::run(format),
        Command::Search(args) => search::command(args),
        Command::Render(args) => render::run(args),
        Command::Share(args) => share::share(args),
        Command::Export {
            trace,
            format,
            output,
            force,
        } => export(trace, format, output, force),
        Command::Bench {
            seconds,
            generate,
            output,
            force,
            insight,
        } => bench(seconds, generate, output, force, insight),
    }
}

/// `nasviz info`: what a file holds; with --insight the insight views'
/// numbers of its runs, with --strategies the comparison of several
/// files' runs.
fn info(args: InfoArgs) -> Result<ExitCode> {
    if args.strategies {
        return insight::strategies(
            &args.files,
            args.format,
            args.group_by.as_deref(),
            args.json,
        );
    }
    if args.files.len() != 1 {
        bail!(
            "info describes one file ({} given); --strategies compares the runs of several",
            args.files.len()
        );
    }
    if args.json && !args.insight {
        bail!("--json goes with --insight or --strategies")
    }
    if args.insight {
        return insight::run(
            &args.files[0],
            args.format,
            insight::Ask {
                run: args.run.as_deref(),
                step: args.step,
                json: args.json,
                cost: args.cost.as_deref(),
                objective: &args.objective,
            },
        );
    }
    let s = nasviz::info::describe_as(&args.files[0], args.format)?;
    std::io::stdout().write_all(s.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// `nasviz export`: a trace as CSV or Arrow, written whole or not at all.
fn export(trace: PathBuf, format: String, output: PathBuf, force: bool) -> Result<ExitCode> {
    refuse_overwrite(&output, force)?;
    let arrow = format == "arrow";
    if arrow && !cfg!(feature = "arrow") {
        anyhow::bail!(
            "--format arrow: this nasviz was built without Arrow support; \
             build it with `cargo build --release --features arrow`, or export CSV"
        );
    }
    let t = nasviz::trace::open::open(&trace)?;
    let written = nasviz::fsutil::write_atomic_with(&output, false, |out| {
        if arrow {
            write_arrow(&t, out)
        } else {
            nasviz::trace::csv::write_csv(&t, out).map_err(anyhow::Error::from)
        }
    })
    .map_err(|e| anyhow::anyhow!("{}: {e}", output.display()));
    let rows = written?;
    eprintln!(
        "{}: {} trials of {} run{}",
        output.display(),
        nasviz::fmt::fmt_int(rows),
        t.runs.len(),
        if t.runs.len() == 1 { "" } else { "s" }
    );
    Ok(ExitCode::SUCCESS)
}

/// `nasviz bench`: the figures of BENCHMARKS.md, or `--generate N` the
/// trace they are measured on.
fn bench(
    seconds: f64,
    generate: Option<usize>,
    output: Option<PathBuf>,
    force: bool,
    insight: Option<usize>,
) -> Result<ExitCode> {
    if let Some(n) = generate {
        let Some(output) = output else {
            bail!("--generate {n} needs --output FILE");
        };
        if n == 0 {
            bail!("--generate 0: give a number of trials above 0");
        }
        refuse_overwrite(&output, force)?;
        nasviz::testdata::write_trace_file(&output, n).map_err(anyhow::Error::msg)?;
        eprintln!("{}: {} trials", output.display(), nasviz::fmt::fmt_int(n));
        return Ok(ExitCode::SUCCESS);
    }
    if !(seconds.is_finite() && seconds > 0.0) {
        bail!("--seconds must be a positive number, not {seconds}");
    }
    let figures = match insight {
        Some(0) => bail!("--insight 0: give a number of trials above 0"),
        Some(n) => perf::insight_figures(n, 60).and_then(|mut f| {
            // the strategies view: 100 seeds of n / 100 trials
            f.extend(perf::strategies_figures(100, (n / 100).max(1), 60)?);
            Ok(f)
        }),
        None => perf::run_all(seconds),
    };
    let mut out = std::io::stdout().lock();
    for line in figures.map_err(anyhow::Error::msg)? {
        writeln!(out, "{line}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A progress bar on stderr for `len` units of `unit` (rate and time
/// left); silent when stderr is not a terminal.
fn progress(len: u64, unit: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    let template =
        format!("[{{bar:25}}] {{percent:>3}}% {{human_pos}}/{{human_len}} {unit} · {{per_sec}} · {{eta}} left");
    if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
        bar.set_style(style.progress_chars("#>."));
    }
    bar
}

/// A progress bar on stderr for reading `len` bytes (rate, time left and
/// a message); silent when stderr is not a terminal.
fn progress_bytes(len: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    let template =
        "[{bar:25}] {percent:>3}% {bytes}/{total_bytes} · {binary_bytes_per_sec} · {eta} left · {msg}";
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("#>."));
    }
    bar
}

fn refuse_overwrite(output: &std::path::Path, force: bool) -> Result<()> {
    if output.exists() && !force {
        bail!(
            "{}: already exists; pass --force to replace it",
            output.display()
        );
    }
    Ok(())
}

/// `1280x800` -> `(1280, 800)`.
fn parse_size(flag: &str, size: &str) -> Result<(u32, u32)> {
    let parsed = size
        .split_once(['x', 'X'])
        .and_then(|(a, b)| Some((a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?)));
    match parsed {
        Some((w, h)) if w > 0 && h > 0 => Ok((w, h)),
        _ => bail!("{flag} {size:?}: expected WIDTHxHEIGHT, e.g. 1280x800"),
    }
}

/// A step given on the command line, counted from 1 as every view and
/// message counts, as a position in the run.
pub fn step_index(flag: &str, n: usize) -> anyhow::Result<usize> {
    if n == 0 {
        anyhow::bail!("{flag} 0: steps count from 1, as on screen");
    }
    Ok(n - 1)
}

/// Writes `t` as Arrow IPC to `out`.
#[cfg(feature = "arrow")]
fn write_arrow(t: &nasviz::trace::Trace, out: impl std::io::Write) -> Result<usize> {
    Ok(nasviz::trace::arrow::write_arrow(t, out)?)
}

#[cfg(not(feature = "arrow"))]
fn write_arrow(_: &nasviz::trace::Trace, _: impl std::io::Write) -> Result<usize> {
    anyhow::bail!("this nasviz was built without Arrow support")
}
