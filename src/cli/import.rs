//! `nasviz import`: external NAS data into nasviz's formats.

use super::{refuse_overwrite, ImportFormat, OpSetArg};
use anyhow::{bail, Result};
use nasviz::table::nbgraph::{NbGraphTable, OpSet};
use std::path::Path;
use std::process::ExitCode;

pub fn run(format: ImportFormat) -> Result<ExitCode> {
    use nasviz::trace::engine::Engine;
    match format {
        ImportFormat::NasBenchGraph {
            input,
            output,
            op_set,
            force,
        } => nas_bench_graph(&input, &output, op_set, force),
        ImportFormat::Nb101Tfrecord {
            input,
            output,
            epochs,
            force,
        } => nb101_tfrecord(&input, &output, epochs, force),
        ImportFormat::NaslibNb201 {
            input,
            output,
            force,
            strategy,
            benchmark,
        } => naslib_nb201(&input, &output, force, strategy, benchmark),
        // the engine the subcommand names: its storage is read as that engine's
        ImportFormat::Optuna(args) => engine_storage(args, Engine::Optuna),
        ImportFormat::Ray(args) => engine_storage(args, Engine::Ray),
        ImportFormat::Nni(args) => engine_storage(args, Engine::Nni),
        ImportFormat::Dashboard {
            input,
            output,
            run_id,
            force,
        } => dashboard(&input, &output, &run_id, force),
    }
}

/// A NAS-Bench-Graph `.bench` pickle into a `.nbt` table.
fn nas_bench_graph(
    input: &Path,
    output: &Path,
    op_set: Option<OpSetArg>,
    force: bool,
) -> Result<ExitCode> {
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
    refuse_overwrite(output, force)?;
    let table = NbGraphTable::from_bench_file(input, op_set)?;
    table.write(output)?;
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

/// A NAS-Bench-101 `.tfrecord` into a `.nb101` table, with a progress bar.
fn nb101_tfrecord(input: &Path, output: &Path, epochs: u32, force: bool) -> Result<ExitCode> {
    refuse_overwrite(output, force)?;
    let mut last = None;
    let bar = super::progress_bytes(0);
    let table = nasviz::table::nb101::Nb101Table::import_tfrecord(input, epochs, &mut |p| {
        if !p.done {
            bar.set_length(p.total_bytes);
            bar.set_position(p.bytes_read);
            bar.set_message(format!("{} records", p.records));
        }
        last = Some(p);
    });
    bar.finish_and_clear();
    let table = table?;
    table.write(output)?;
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

/// NASLib NAS-Bench-201 results (a file or a folder of them) into a
/// trace, with the strategy and benchmark the user names.
fn naslib_nb201(
    input: &Path,
    output: &Path,
    force: bool,
    strategy: Option<String>,
    benchmark: Option<String>,
) -> Result<ExitCode> {
    refuse_overwrite(output, force)?;
    let mut trace = if input.is_dir() {
        nasviz::trace::import::naslib_dir(input)?
    } else {
        nasviz::trace::Trace {
            runs: vec![nasviz::trace::import::naslib_nb201(input, None, None)?],
        }
    };
    // what the user knows better than the folder name
    for run in &mut trace.runs {
        if let Some(s) = strategy.as_deref().filter(|s| !s.trim().is_empty()) {
            run.info.strategy = s.to_string();
        }
        if let Some(b) = benchmark.as_deref().filter(|b| !b.trim().is_empty()) {
            run.info.benchmark = b.to_string();
        }
    }
    if trace.runs.is_empty() {
        bail!("{}: no errors_<seed>.json files found", input.display());
    }
    write_runs(output, &trace)
}

/// A search engine's storage, read as `engine`'s, into a trace.
fn engine_storage(
    args: super::EngineImport,
    engine: nasviz::trace::engine::Engine,
) -> Result<ExitCode> {
    let super::EngineImport {
        input,
        output,
        force,
        map,
    } = args;
    refuse_overwrite(&output, force)?;
    let mapping = match &map {
        Some(p) => Some(nasviz::trace::engine::studies::Mapping::load(p)?),
        None => None,
    };
    let r = nasviz::trace::open::read_storage_as(&input, Some(engine), mapping)?;
    for l in r.summary() {
        eprintln!("{}: {l}", input.display());
    }
    for l in &r.journal.skipped {
        eprintln!("skipped {l}");
    }
    if r.trace().runs.is_empty() {
        bail!(
            "{}: no completed trial with an accuracy and a NAS-Bench-201 architecture",
            input.display()
        );
    }
    write_runs(&output, r.trace())
}

/// Writes an imported trace and says how many runs and trials it holds.
fn write_runs(output: &Path, trace: &nasviz::trace::Trace) -> Result<ExitCode> {
    nasviz::trace::jsonl::write_trace(output, trace)?;
    eprintln!(
        "{}: {} runs, {} trials",
        output.display(),
        trace.runs.len(),
        nasviz::fmt::fmt_int(trace.trial_count())
    );
    Ok(ExitCode::SUCCESS)
}

/// The original dashboard's records into a trace of one run.
fn dashboard(input: &Path, output: &Path, run_id: &str, force: bool) -> Result<ExitCode> {
    refuse_overwrite(output, force)?;
    let run = nasviz::trace::import::dashboard_records(input, run_id)?;
    let n = run.trials.len();
    let trace = nasviz::trace::Trace { runs: vec![run] };
    nasviz::trace::jsonl::write_trace(output, &trace)?;
    eprintln!(
        "{}: 1 run, {} trials",
        output.display(),
        nasviz::fmt::fmt_int(n)
    );
    Ok(ExitCode::SUCCESS)
}

pub fn parse_epochs(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(e) if [4, 12, 36, 108].contains(&e) => Ok(e),
        _ => Err(format!(
            "{s:?}: NAS-Bench-101 trained for 4, 12, 36 or 108 epochs"
        )),
    }
}
