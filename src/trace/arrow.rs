//! A trace as Arrow IPC (Feather v2), one row per trial, with the columns
//! of [`super::csv`] typed: `pandas.read_feather`, `polars.read_ipc` and
//! `pyarrow.feather.read_table` read it without parsing text. Built with
//! the `arrow` cargo feature.

use super::{Source, Trace};
use arrow_array::builder::{Float64Builder, ListBuilder, StringBuilder, UInt64Builder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, Field, Schema};
use std::io::Write;
use std::sync::Arc;

/// Rows per record batch: memory stays bounded on large traces.
const BATCH: usize = 65_536;

/// The columns, in order: the CSV's, with types.
pub fn schema() -> Schema {
    let f64_ = |name: &str, nullable: bool| Field::new(name, DataType::Float64, nullable);
    let text = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
    Schema::new(vec![
        text("run_id", false),
        Field::new("step", DataType::UInt64, false),
        Field::new("trial_id", DataType::UInt64, false),
        f64_("val_acc", false),
        f64_("test_acc", false),
        f64_("train_time_s", true),
        f64_("params", true),
        f64_("flops", true),
        f64_("latency_s", true),
        f64_("time_s", true),
        text("space", false),
        text("arch", false),
        text("hash", true),
        Field::new(
            "parents",
            DataType::List(Arc::new(Field::new("item", DataType::UInt64, true))),
            false,
        ),
        text("mutation", true),
        text("source", false),
    ])
}

/// Column builders of one batch.
struct Columns {
    run_id: StringBuilder,
    step: UInt64Builder,
    trial_id: UInt64Builder,
    metrics: [Float64Builder; 7],
    space: StringBuilder,
    arch: StringBuilder,
    hash: StringBuilder,
    parents: ListBuilder<UInt64Builder>,
    mutation: StringBuilder,
    source: StringBuilder,
}

impl Columns {
    fn new() -> Columns {
        Columns {
            run_id: StringBuilder::new(),
            step: UInt64Builder::new(),
            trial_id: UInt64Builder::new(),
            metrics: std::array::from_fn(|_| Float64Builder::new()),
            space: StringBuilder::new(),
            arch: StringBuilder::new(),
            hash: StringBuilder::new(),
            parents: ListBuilder::new(UInt64Builder::new()),
            mutation: StringBuilder::new(),
            source: StringBuilder::new(),
        }
    }

    fn finish(&mut self, schema: &Arc<Schema>) -> Result<RecordBatch, ArrowError> {
        let mut cols: Vec<ArrayRef> = vec![
            Arc::new(self.run_id.finish()),
            Arc::new(self.step.finish()),
            Arc::new(self.trial_id.finish()),
        ];
        for m in &mut self.metrics {
            cols.push(Arc::new(m.finish()));
        }
        cols.push(Arc::new(self.space.finish()));
        cols.push(Arc::new(self.arch.finish()));
        cols.push(Arc::new(self.hash.finish()));
        // the list's items are declared nullable, as the builder makes them
        cols.push(Arc::new(self.parents.finish()));
        cols.push(Arc::new(self.mutation.finish()));
        cols.push(Arc::new(self.source.finish()));
        RecordBatch::try_new(schema.clone(), cols)
    }
}

/// Writes every trial of every run of `trace` to `out` as an Arrow IPC
/// file; returns the number of rows.
pub fn write_arrow<W: Write>(trace: &Trace, out: W) -> Result<usize, ArrowError> {
    let schema = Arc::new(schema());
    let mut w = arrow_ipc::writer::FileWriter::try_new_buffered(out, &schema)?;
    let mut c = Columns::new();
    let (mut rows, mut pending) = (0, 0);
    for run in &trace.runs {
        for (i, t) in run.trials.iter().enumerate() {
            let m = &t.metrics;
            c.run_id.append_value(&run.info.run_id);
            c.step.append_value(i as u64 + 1);
            c.trial_id.append_value(t.trial_id);
            let values = [
                Some(m.val_acc),
                Some(m.test_acc),
                m.train_time_s,
                m.params,
                m.flops,
                m.latency_s,
                t.time_s,
            ];
            for (b, v) in c.metrics.iter_mut().zip(values) {
                b.append_option(v);
            }
            c.space.append_value(t.arch.space().name());
            c.arch.append_value(
                serde_json::to_string(&t.arch.to_json())
                    .map_err(|e| ArrowError::ExternalError(Box::new(e)))?,
            );
            c.hash.append_option(t.hash);
            c.parents.append_value(t.parents.iter().map(|&p| Some(p)));
            c.mutation.append_option(
                t.mutation
                    .map(serde_json::to_string)
                    .transpose()
                    .map_err(|e| ArrowError::ExternalError(Box::new(e)))?,
            );
            c.source.append_value(match t.source {
                Source::Search => "search",
                Source::User => "user",
                Source::Import => "import",
            });
            rows += 1;
            pending += 1;
            if pending == BATCH {
                w.write(&c.finish(&schema)?)?;
                pending = 0;
            }
        }
    }
    if pending > 0 || rows == 0 {
        w.write(&c.finish(&schema)?)?;
    }
    w.finish()?;
    w.into_inner()?.flush()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Array, Float64Array, ListArray, StringArray, UInt64Array};

    fn column<'a, T: 'static>(b: &'a RecordBatch, name: &str) -> &'a T {
        match b
            .column_by_name(name)
            .and_then(|c| c.as_any().downcast_ref::<T>())
        {
            Some(c) => c,
            None => panic!("no column {name} of that type"),
        }
    }

    #[test]
    fn every_trial_reads_back_with_its_values() {
        let text = crate::export::DEMO_EVOLUTION;
        let (trace, _) = match crate::trace::jsonl::read_trace_from(text.as_bytes(), "demo") {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        };
        let mut buf = Vec::new();
        assert_eq!(write_arrow(&trace, &mut buf).ok(), Some(2000));
        let reader = match arrow_ipc::reader::FileReader::try_new(std::io::Cursor::new(buf), None) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(*reader.schema(), schema());
        let batches: Vec<RecordBatch> = reader.filter_map(Result::ok).collect();
        assert_eq!(
            batches.iter().map(RecordBatch::num_rows).sum::<usize>(),
            2000
        );
        let b = &batches[0];
        let run = &trace.runs[0];
        for i in [0, 100, 1999] {
            let t = run.trials.at(i);
            assert_eq!(column::<StringArray>(b, "run_id").value(i), "re-0");
            assert_eq!(column::<UInt64Array>(b, "step").value(i), i as u64 + 1);
            assert_eq!(column::<UInt64Array>(b, "trial_id").value(i), t.trial_id);
            assert_eq!(
                column::<Float64Array>(b, "val_acc").value(i),
                t.metrics.val_acc
            );
            assert_eq!(
                column::<Float64Array>(b, "test_acc").value(i),
                t.metrics.test_acc
            );
            let params = column::<Float64Array>(b, "params");
            assert_eq!(params.is_null(i), t.metrics.params.is_none());
            let parents = column::<ListArray>(b, "parents").value(i);
            let parents = match parents.as_any().downcast_ref::<UInt64Array>() {
                Some(p) => p.values().to_vec(),
                None => panic!("parents are not u64"),
            };
            assert_eq!(parents, t.parents.to_vec());
            let arch = column::<StringArray>(b, "arch").value(i);
            assert_eq!(
                crate::arch::Arch::from_json_str(arch).ok().as_ref(),
                Some(t.arch)
            );
            let mutation = column::<StringArray>(b, "mutation");
            assert_eq!(mutation.is_null(i), t.mutation.is_none());
            assert_eq!(column::<StringArray>(b, "source").value(i), "search");
        }
    }
}
