//! The `nasviz` command line.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use nasviz::arch::nb101::Cell;
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
            if output.exists() && !force {
                bail!(
                    "{}: already exists; pass --force to replace it",
                    output.display()
                );
            }
            let table = NbGraphTable::from_bench_file(&input, op_set)?;
            table.write(&output)?;
            let best = table
                .best_by_test()
                .map(|(_, m)| nasviz::info::fmt_pct(m.test_acc))
                .unwrap_or_default();
            eprintln!(
                "{}: {} architectures of {} (op set {}), best test accuracy {best}",
                output.display(),
                nasviz::info::fmt_int(table.len()),
                table.dataset(),
                op_set.name()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench { seconds } => {
            if !(seconds.is_finite() && seconds > 0.0) {
                bail!("--seconds must be a positive number, not {seconds}");
            }
            let mut out = std::io::stdout().lock();
            for line in nasviz::perf::run_all(seconds)? {
                writeln!(out, "{line}")?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
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
    for (i, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("{name}:{}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        cells += 1;
        let result = serde_json::from_str::<serde_json::Value>(&line)
            .map_err(|e| format!("malformed JSON: {e}"))
            .and_then(|v| {
                Cell::from_json(&v)
                    .and_then(|c| c.hash())
                    .map_err(|e| e.to_string())
            });
        match result {
            Ok(h) => writeln!(out, "{h}")?,
            Err(e) => {
                bad += 1;
                writeln!(out, "error: {name}:{}: {e}", i + 1)?;
            }
        }
    }
    out.flush()?;
    if bad > 0 {
        eprintln!("error: {bad} of {cells} cells in {name} are invalid");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
