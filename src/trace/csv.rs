//! A trace as CSV, one row per trial, for pandas and polars: the run, the
//! step (counted from 1, as on screen), ids, metrics, the architecture in
//! its JSON form, parents, the edit and where the trial came from.

use super::{Source, Trace};
use std::io::Write;

/// The header row.
pub(crate) const HEADER: &str = "run_id,step,trial_id,val_acc,test_acc,train_time_s,params,flops,\
latency_s,time_s,space,arch,hash,parents,mutation,source";

/// A field, quoted when it holds a comma, a quote or a line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn num(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// Writes every trial of every run of `trace` to `out`; returns the number
/// of rows.
pub fn write_csv<W: Write>(trace: &Trace, mut out: W) -> std::io::Result<usize> {
    writeln!(out, "{HEADER}")?;
    let mut rows = 0;
    for run in &trace.runs {
        let id = field(&run.info.run_id);
        for (i, t) in run.trials.iter().enumerate() {
            let m = &t.metrics;
            let arch = serde_json::to_string(&t.arch.to_json()).unwrap_or_default();
            let parents: Vec<String> = t.parents.iter().map(u64::to_string).collect();
            let mutation = t
                .mutation
                .and_then(|m| serde_json::to_string(m).ok())
                .unwrap_or_default();
            let source = match t.source {
                Source::Search => "search",
                Source::User => "user",
                Source::Import => "import",
            };
            writeln!(
                out,
                "{id},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{source}",
                i + 1,
                t.trial_id,
                m.val_acc,
                m.test_acc,
                num(m.train_time_s),
                num(m.params),
                num(m.flops),
                num(m.latency_s),
                num(t.time_s),
                t.arch.space().name(),
                field(&arch),
                field(t.hash.unwrap_or("")),
                field(&parents.join(";")),
                field(&mutation),
            )?;
            rows += 1;
        }
    }
    out.flush()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_quote_what_needs_it_and_read_back() {
        let text = crate::export::DEMO_EVOLUTION;
        let (trace, _) = match crate::trace::jsonl::read_trace_from(text.as_bytes(), "demo") {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        };
        let mut buf = Vec::new();
        let rows = write_csv(&trace, &mut buf).unwrap_or(0);
        assert_eq!(rows, 2000);
        let csv = String::from_utf8(buf).unwrap_or_default();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], HEADER);
        assert_eq!(lines.len(), 2001);
        // a row of an evolved trial: its parent, its edit (quoted JSON), its arch
        let t = trace.runs[0].trials.at(100);
        let row = lines[101];
        assert!(
            row.starts_with(&format!("re-0,101,{},", t.trial_id)),
            "{row}"
        );
        assert!(row.contains(&format!(",{},", t.metrics.val_acc)), "{row}");
        assert!(row.contains("\"{\"\"space\"\":\"\"nbgraph\"\""), "{row}");
        assert!(row.ends_with(",search"), "{row}");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"x\""), "\"say \"\"x\"\"\"");
    }
}
