//! `nasviz import`: external NAS data into nasviz's formats.

use super::{refuse_overwrite, ImportFormat, OpSetArg};
use anyhow::{bail, Result};
use nasviz::table::nbgraph::{NbGraphTable, OpSet};
use std::process::ExitCode;

pub fn run(format: ImportFormat) -> Result<ExitCode> {
    use nasviz::trace::engine::Engine;
    // the engine the subcommand names: its storage is read as that engine's
    let engine = match &format {
        ImportFormat::Optuna(_) => Some(Engine::Optuna),
        ImportFormat::Ray(_) => Some(Engine::Ray),
        ImportFormat::Nni(_) => Some(Engine::Nni),
        _ => None,
    };
    match format {
        ImportFormat::NasBenchGraph {
            input,
            output,
            op_set,
            force,
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
        ImportFormat::Nb101Tfrecord {
            input,
            output,
            epochs,
            force,
        } => {
            refuse_overwrite(&output, force)?;
            let mut last = None;
            let bar = super::progress_bytes(0);
            let table =
                nasviz::table::nb101::Nb101Table::import_tfrecord(&input, epochs, &mut |p| {
                    if !p.done {
                        bar.set_length(p.total_bytes);
                        bar.set_position(p.bytes_read);
                        bar.set_message(format!("{} records", p.records));
                    }
                    last = Some(p);
                });
            bar.finish_and_clear();
            let table = table?;
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
        ImportFormat::NaslibNb201 {
            input,
            output,
            force,
            strategy,
            benchmark,
        } => {
            refuse_overwrite(&output, force)?;
            let mut trace = if input.is_dir() {
                nasviz::trace::import::naslib_dir(&input)?
            } else {
                nasviz::trace::Trace {
                    runs: vec![nasviz::trace::import::naslib_nb201(&input, None, None)?],
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
            nasviz::trace::jsonl::write_trace(&output, &trace)?;
            eprintln!(
                "{}: {} runs, {} trials",
                output.display(),
                trace.runs.len(),
                nasviz::fmt::fmt_int(trace.trial_count())
            );
            Ok(ExitCode::SUCCESS)
        }
        ImportFormat::Optuna(args) | ImportFormat::Ray(args) | ImportFormat::Nni(args) => {
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
            let r = nasviz::trace::open::read_storage_as(&input, engine, mapping)?;
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
            nasviz::trace::jsonl::write_trace(&output, r.trace())?;
            eprintln!(
                "{}: {} runs, {} trials",
                output.display(),
                r.trace().runs.len(),
                nasviz::fmt::fmt_int(r.trace().trial_count())
            );
            Ok(ExitCode::SUCCESS)
        }
        ImportFormat::Dashboard {
            input,
            output,
            run_id,
            force,
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
    }
}

pub fn parse_epochs(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(e) if [4, 12, 36, 108].contains(&e) => Ok(e),
        _ => Err(format!(
            "{s:?}: NAS-Bench-101 trained for 4, 12, 36 or 108 epochs"
        )),
    }
}
