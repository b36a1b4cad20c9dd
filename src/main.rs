//! The `nasviz` command line.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use nasviz::arch::nb101::Cell;
use nasviz::search::{Benchmark, NbGraphBench, Strategy};
use nasviz::table::nbgraph::{NbGraphTable, OpSet};
use std::io::{BufRead, BufWriter, Write};
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
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Say what a file holds (benchmark table, NB-101 cells or records, ...).
    Info {
        /// The file to describe.
        file: PathBuf,
    },
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
    Search {
        /// The benchmark: `nbgraph:cora` (shipped), `nbgraph:FILE.nbt`, or
        /// `nb101:FILE.nb101` (made by `nasviz import nb101-tfrecord`).
        #[arg(long, default_value = "nbgraph:cora")]
        space: String,
        /// `random` or `evolution` (regularized evolution).
        #[arg(long, value_enum)]
        strategy: StrategyArg,
        /// Number of trials.
        #[arg(long)]
        budget: usize,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Evolution's population size (NAS-Bench-101 paper: 50; NASLib: 100).
        #[arg(long, default_value_t = 50)]
        population: usize,
        /// Evolution's tournament sample size.
        #[arg(long, default_value_t = 10)]
        sample: usize,
        /// The run's id in the trace (default: `rs-SEED` or `re-SEED`).
        #[arg(long)]
        run_id: Option<String>,
        /// Where to write the trace (JSON Lines).
        #[arg(short, long)]
        output: PathBuf,
        /// Replace OUTPUT if it already exists.
        #[arg(long)]
        force: bool,
    },
    /// Draw the dashboard (or one view) of a run at a step to a PNG.
    Render {
        /// A trace (JSON Lines); the embedded demo runs when absent.
        trace: Option<PathBuf>,
        /// The run to draw (default: the first; for the demo, the
        /// evolution run `re-0`, or `rs-0` for random search).
        #[arg(long)]
        run: Option<String>,
        /// A second run of the trace to compare with (its points coloured
        /// by run), e.g. `--run re-0 --compare rs-0` on the demo.
        #[arg(long)]
        compare: Option<String>,
        /// The step (0-based trial position); default: the last.
        #[arg(long)]
        step: Option<usize>,
        /// Image size, WIDTHxHEIGHT.
        #[arg(long, default_value = "1280x800")]
        size: String,
        /// dashboard, dag, scatter, line or table.
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
    },
}

#[derive(Subcommand)]
enum ArchCommand {
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
enum ImportFormat {
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
        #[arg(long, default_value_t = 108, value_parser = parse_epochs)]
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
    },
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

#[derive(Clone, Copy, ValueEnum)]
enum StrategyArg {
    Random,
    Evolution,
}

#[derive(Clone, Copy, ValueEnum)]
enum OpSetArg {
    Full,
    Proteins,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // a closed pipe (`nasviz ... | head`) is not an error
            let broken_pipe = e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Info { file } => {
            let s = nasviz::info::describe(&file)?;
            std::io::stdout().write_all(s.as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Arch {
            command: ArchCommand::Hash { file },
        } => arch_hash(file),
        Command::Import {
            format:
                ImportFormat::NasBenchGraph {
                    input,
                    output,
                    op_set,
                    force,
                },
        } => {
            let op_set = match op_set {
                Some(OpSetArg::Full) => OpSet::Full,
                Some(OpSetArg::Proteins) => OpSet::Proteins,
                None => OpSet::for_dataset(
                    &input
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                ),
            };
            refuse_overwrite(&output, force)?;
            let table = NbGraphTable::from_bench_file(&input, op_set)?;
            table.write(&output)?;
            let best = table
                .best_by_test()
                .map(|(_, m)| nasviz::fmt::fmt_pct(m.test_acc))
                .unwrap_or_default();
            eprintln!(
                "{}: {} architectures of {} (op set {}), best test accuracy {best}",
                output.display(),
                nasviz::fmt::fmt_int(table.len()),
                table.dataset(),
                op_set.name()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            format:
                ImportFormat::Nb101Tfrecord {
                    input,
                    output,
                    epochs,
                    force,
                },
        } => {
            use std::io::IsTerminal;
            refuse_overwrite(&output, force)?;
            let tty = std::io::stderr().is_terminal();
            let mut last = None;
            let table =
                nasviz::table::nb101::Nb101Table::import_tfrecord(&input, epochs, &mut |p| {
                    if tty && !p.done {
                        let pct =
                            (p.bytes_read * 100).checked_div(p.total_bytes).unwrap_or(0) as usize;
                        let bar = "#".repeat(pct / 4) + &".".repeat(25 - (pct / 4).min(25));
                        eprint!("\r[{bar}] {pct:>3}% {} records", p.records);
                    }
                    last = Some(p);
                })?;
            if tty {
                eprintln!();
            }
            table.write(&output)?;
            if let Some(p) = last {
                eprintln!(
                    "{}: {} cells at {epochs} epochs from {} records ({} of other budgets skipped)",
                    output.display(),
                    nasviz::fmt::fmt_int(table.len()),
                    nasviz::fmt::fmt_int(p.records as usize),
                    nasviz::fmt::fmt_int(p.skipped as usize)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            format:
                ImportFormat::NaslibNb201 {
                    input,
                    output,
                    force,
                },
        } => {
            refuse_overwrite(&output, force)?;
            let trace = if input.is_dir() {
                nasviz::trace::import::naslib_dir(&input)?
            } else {
                nasviz::trace::Trace {
                    runs: vec![nasviz::trace::import::naslib_nb201(&input, None, None)?],
                }
            };
            if trace.runs.is_empty() {
                bail!("{}: no errors_<seed>.json files found", input.display());
            }
            nasviz::trace::jsonl::write_trace(&output, &trace)?;
            eprintln!(
                "{}: {} runs, {} trials",
                output.display(),
                trace.runs.len(),
                nasviz::fmt::fmt_int(trace.trial_count())
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            format:
                ImportFormat::Dashboard {
                    input,
                    output,
                    run_id,
                    force,
                },
        } => {
            refuse_overwrite(&output, force)?;
            let run = nasviz::trace::import::dashboard_records(&input, &run_id)?;
            let n = run.trials.len();
            let trace = nasviz::trace::Trace { runs: vec![run] };
            nasviz::trace::jsonl::write_trace(&output, &trace)?;
            eprintln!(
                "{}: 1 run, {} trials",
                output.display(),
                nasviz::fmt::fmt_int(n)
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Search {
            space,
            strategy,
            budget,
            seed,
            population,
            sample,
            run_id,
            output,
            force,
        } => {
            refuse_overwrite(&output, force)?;
            let strategy = match strategy {
                StrategyArg::Random => Strategy::Random,
                StrategyArg::Evolution => Strategy::Evolution { population, sample },
            };
            let bench = open_benchmark(&space)?;
            let run_id = run_id.unwrap_or_else(|| match strategy {
                Strategy::Random => format!("rs-{seed}"),
                Strategy::Evolution { .. } => format!("re-{seed}"),
            });
            search(bench.as_ref(), strategy, budget, seed, &run_id, &output)
        }
        Command::Render {
            trace,
            run,
            compare,
            step,
            size,
            view,
            x,
            range,
            output,
            force,
        } => render(
            trace,
            run,
            compare,
            step,
            &size,
            &view,
            x == "time",
            range == "full",
            &output,
            force,
        ),
        Command::Bench { seconds } => {
            if !(seconds.is_finite() && seconds > 0.0) {
                bail!("--seconds must be a positive number, not {seconds}");
            }
            let mut out = std::io::stdout().lock();
            for line in nasviz::perf::run_all(seconds).map_err(anyhow::Error::msg)? {
                writeln!(out, "{line}")?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn render(
    trace: Option<PathBuf>,
    run: Option<String>,
    compare: Option<String>,
    step: Option<usize>,
    size: &str,
    view: &str,
    x_time: bool,
    full_range: bool,
    output: &std::path::Path,
    force: bool,
) -> Result<ExitCode> {
    use nasviz::trace::jsonl::read_trace_from;
    refuse_overwrite(output, force)?;
    let view: nasviz::scene::ViewKind = view.parse().map_err(anyhow::Error::msg)?;
    let (w, h) = size
        .split_once(['x', 'X'])
        .and_then(|(a, b)| Some((a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?)))
        .with_context(|| format!("--size {size:?}: expected WIDTHxHEIGHT, e.g. 1280x800"))?;
    let trace = match &trace {
        Some(p) => nasviz::trace::jsonl::read_trace(p)?.0,
        None => {
            let (mut a, _) = read_trace_from(nasviz::export::DEMO_EVOLUTION.as_bytes(), "demo")?;
            let (b, _) = read_trace_from(nasviz::export::DEMO_RANDOM.as_bytes(), "demo")?;
            a.runs.extend(b.runs);
            a
        }
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
    let step = step.unwrap_or(run.trials.len().saturating_sub(1));
    let opts = nasviz::scene::DashboardOptions {
        view,
        width: w,
        height: h,
        theme: nasviz::scene::Theme::default(),
        x_time,
        full_range,
        motion: None,
    };
    let (ctx, mut renderer) = nasviz::export::headless()?;
    let png = nasviz::export::render_png_comparison(
        &ctx,
        &mut renderer,
        run,
        &analytics,
        other.as_ref().map(|(r, a)| (*r, a)),
        step,
        &opts,
    )?;
    nasviz::export::write_png(output, &png)?;
    eprintln!(
        "{}: {w}x{h}, run {}, step {} of {} ({})",
        output.display(),
        run.info.run_id,
        step,
        run.trials.len(),
        ctx.adapter_name()
    );
    Ok(ExitCode::SUCCESS)
}

fn parse_epochs(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(e) if [4, 12, 36, 108].contains(&e) => Ok(e),
        _ => Err(format!(
            "{s:?}: NAS-Bench-101 trained for 4, 12, 36 or 108 epochs"
        )),
    }
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

/// `nbgraph:cora` (shipped) or `nbgraph:FILE.nbt`.
fn open_benchmark(spec: &str) -> Result<Box<dyn Benchmark>> {
    let (space, what) = spec.split_once(':').with_context(|| {
        format!("--space {spec:?}: expected SPACE:TABLE, e.g. nbgraph:cora or nbgraph:pubmed.nbt")
    })?;
    match space {
        "nb101" => {
            let table = nasviz::table::nb101::Nb101Table::load(std::path::Path::new(what))?;
            Ok(Box::new(nasviz::search::Nb101Bench::new(table)))
        }
        "nbgraph" => {
            let table = if what == "cora" {
                NbGraphTable::cora()?
            } else {
                NbGraphTable::load(std::path::Path::new(what))?
            };
            Ok(Box::new(NbGraphBench::new(table)))
        }
        other => bail!(
            "--space {spec:?}: no benchmark table for space {other:?} (known: nbgraph:cora, nbgraph:FILE.nbt, nb101:FILE.nb101)"
        ),
    }
}

fn search(
    bench: &dyn Benchmark,
    strategy: Strategy,
    budget: usize,
    seed: u64,
    run_id: &str,
    output: &std::path::Path,
) -> Result<ExitCode> {
    use std::io::IsTerminal;
    if budget == 0 {
        bail!("--budget must be at least 1");
    }
    // written beside OUTPUT and renamed when complete
    let tmp = nasviz::fsutil::temp_sibling(output);
    let file = std::fs::File::create(&tmp).with_context(|| format!("{}", tmp.display()))?;
    let tty = std::io::stderr().is_terminal();
    let mut shown = usize::MAX;
    let result = nasviz::search::write_search(
        bench,
        strategy,
        budget,
        seed,
        run_id,
        BufWriter::new(file),
        |done| {
            let pct = done * 100 / budget;
            if tty && pct != shown {
                shown = pct;
                let bar = "#".repeat(pct / 4) + &".".repeat(25 - pct / 4);
                eprint!("\r[{bar}] {pct:>3}% {done}/{budget}");
            }
        },
    );
    if tty {
        eprintln!();
    }
    let run = match result {
        Ok(run) => run,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e.into());
        }
    };
    std::fs::rename(&tmp, output).with_context(|| format!("{}", output.display()))?;
    let run = &run;
    let a = nasviz::analysis::Analytics::of_run(run);
    if let Some(s) = a.step(run.trials.len().saturating_sub(1)) {
        let b = &run.trials[s.best];
        eprintln!(
            "{}: {} trials of {} on {}; best by validation: trial {} (validation {}, test {})",
            output.display(),
            nasviz::fmt::fmt_int(run.trials.len()),
            strategy.name(),
            bench.name(),
            b.trial_id,
            nasviz::fmt::fmt_pct(b.metrics.val_acc),
            nasviz::fmt::fmt_pct(b.metrics.test_acc)
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn arch_hash(file: Option<PathBuf>) -> Result<ExitCode> {
    let (name, reader): (String, Box<dyn BufRead>) = match file {
        Some(p) if p.as_os_str() != "-" => {
            let f = std::fs::File::open(&p).with_context(|| format!("{}", p.display()))?;
            (
                p.display().to_string(),
                Box::new(std::io::BufReader::new(f)),
            )
        }
        _ => ("stdin".to_string(), Box::new(std::io::stdin().lock())),
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let (mut cells, mut bad) = (0usize, 0usize);
    // cells are hashed in batches (MD5 lanes shared between cells), and
    // printed in input order
    const BATCH: usize = 4096;
    let mut pending: Vec<(usize, Result<Cell, String>)> = Vec::with_capacity(BATCH);
    let flush = |pending: &mut Vec<(usize, Result<Cell, String>)>,
                 out: &mut BufWriter<std::io::StdoutLock<'_>>,
                 bad: &mut usize|
     -> Result<()> {
        let ok: Vec<Cell> = pending
            .iter()
            .filter_map(|(_, c)| c.as_ref().ok().copied())
            .collect();
        let mut hashes = nasviz::arch::nb101::hash_many(&ok).into_iter();
        for (line_no, c) in pending.drain(..) {
            let result = match c {
                Ok(_) => match hashes.next() {
                    Some(h) => h.map_err(|e| e.to_string()),
                    None => Err("internal error: missing hash".to_string()),
                },
                Err(e) => Err(e),
            };
            match result {
                Ok(h) => writeln!(out, "{h}")?,
                Err(e) => {
                    *bad += 1;
                    writeln!(out, "error: {name}:{line_no}: {e}")?;
                }
            }
        }
        Ok(())
    };
    for (i, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("{name}:{}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        cells += 1;
        let cell = serde_json::from_str::<serde_json::Value>(&line)
            .map_err(|e| format!("malformed JSON: {e}"))
            .and_then(|v| Cell::from_json(&v).map_err(|e| e.to_string()));
        pending.push((i + 1, cell));
        if pending.len() == BATCH {
            flush(&mut pending, &mut out, &mut bad)?;
        }
    }
    flush(&mut pending, &mut out, &mut bad)?;
    out.flush()?;
    if bad > 0 {
        eprintln!("error: {bad} of {cells} cells in {name} are invalid");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
