//! `nasviz search`: a search against a tabular benchmark, to a trace.

use super::{refuse_overwrite, StrategyArg};
use anyhow::{bail, Context, Result};
use clap::Args;
use nasviz::search::{Benchmark, NbGraphBench, Strategy};
use nasviz::table::nbgraph::NbGraphTable;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct SearchArgs {
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
}

/// `nasviz search`: the search the arguments name, its trace written.
pub fn command(args: SearchArgs) -> Result<ExitCode> {
    refuse_overwrite(&args.output, args.force)?;
    let strategy = match args.strategy {
        StrategyArg::Random => Strategy::Random,
        StrategyArg::Evolution => Strategy::Evolution {
            population: args.population,
            sample: args.sample,
        },
    };
    let bench = open_benchmark(&args.space)?;
    let seed = args.seed;
    let run_id = args.run_id.unwrap_or_else(|| match strategy {
        Strategy::Random => format!("rs-{seed}"),
        Strategy::Evolution { .. } => format!("re-{seed}"),
    });
    run(
        bench.as_ref(),
        strategy,
        args.budget,
        seed,
        &run_id,
        &args.output,
    )
}

/// `nbgraph:cora` (shipped), `nbgraph:FILE.nbt` or `nb101:FILE.nb101`.
pub fn open_benchmark(spec: &str) -> Result<std::sync::Arc<dyn Benchmark + Send + Sync>> {
    let (space, what) = spec.split_once(':').with_context(|| {
        format!("--space {spec:?}: expected SPACE:TABLE, e.g. nbgraph:cora or nbgraph:pubmed.nbt")
    })?;
    match space {
        "nb101" => {
            let table = nasviz::table::nb101::Nb101Table::load(std::path::Path::new(what))?;
            Ok(std::sync::Arc::new(nasviz::search::Nb101Bench::new(table)))
        }
        "nbgraph" => {
            let table = if what == "cora" {
                NbGraphTable::cora()?
            } else {
                NbGraphTable::load(std::path::Path::new(what))?
            };
            Ok(std::sync::Arc::new(NbGraphBench::new(table)))
        }
        other => bail!(
            "--space {spec:?}: no benchmark table for space {other:?} (known: nbgraph:cora, nbgraph:FILE.nbt, nb101:FILE.nb101)"
        ),
    }
}

pub fn run(
    bench: &dyn Benchmark,
    strategy: Strategy,
    budget: usize,
    seed: u64,
    run_id: &str,
    output: &std::path::Path,
) -> Result<ExitCode> {
    if budget == 0 {
        bail!("--budget must be at least 1");
    }
    // written beside OUTPUT and renamed when complete
    let bar = super::progress(budget as u64, "trials");
    let result = nasviz::fsutil::write_atomic_with(output, false, |w| {
        nasviz::search::write_search(bench, strategy, budget, seed, run_id, w, |done| {
            bar.set_position(done as u64)
        })
        .map_err(anyhow::Error::from)
    });
    bar.finish_and_clear();
    let run = result.with_context(|| format!("{}", output.display()))?;
    let run = &run;
    if let Strategy::Evolution { population, .. } = strategy {
        let drawn = run
            .trials
            .iter()
            .skip(population)
            .filter(|t| t.parents.is_empty())
            .count();
        if drawn > 0 {
            eprintln!(
                "{}: {drawn} of {} evolution steps found no single edit of the chosen parent in \
                 the table (a partial table?) and drew a random architecture instead",
                output.display(),
                run.trials.len().saturating_sub(population)
            );
        }
    }
    let a = nasviz::analysis::Analytics::of_run(run);
    if let Some(s) = a.step(run.trials.len().saturating_sub(1)) {
        let b = run.trials.at(s.best);
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
