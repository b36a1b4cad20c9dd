//! Importers of other tools' search records into runs.

use super::{Run, RunInfo, Source, Trace, TraceError, Trial, TrialMetrics};
use crate::arch::{nb201, sequential::LayerList, Arch};
use serde_json::Value;
use std::path::Path;

fn read_json(path: &Path) -> Result<Value, TraceError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| TraceError::Io {
        path: name.clone(),
        source,
    })?;
    parse_json(&name, &bytes)
}

/// One JSON document; `name` names it in errors.
fn parse_json(name: &str, bytes: &[u8]) -> Result<Value, TraceError> {
    let name = name.to_string();
    let text = std::str::from_utf8(bytes).map_err(|e| {
        TraceError::bad(
            name.clone(),
            format!("not UTF-8 text: byte {} is not valid", e.valid_up_to()),
        )
    })?;
    serde_json::from_str(text).map_err(|e| {
        let what = if e.is_eof() {
            format!("truncated JSON ({e})")
        } else {
            format!("malformed JSON: {e}")
        };
        TraceError::bad(name, what)
    })
}

fn num(v: &Value, path: &[&str]) -> Result<f64, String> {
    let mut cur = v;
    for key in path {
        cur = cur
            .get(key)
            .ok_or_else(|| format!("missing \"{}\"", path.join(".")))?;
    }
    cur.as_f64()
        .ok_or_else(|| format!("\"{}\" is {cur}, not a number", path.join(".")))
}

/// The strategy named by a NASLib results folder (`RS`, `RE`, ...).
fn naslib_strategy(folder: &str) -> &'static str {
    match folder.to_ascii_uppercase().as_str() {
        "RS" => "random_search",
        "RE" => "regularized_evolution",
        "LS" => "local_search",
        "BANANAS" => "bananas",
        _ => "unknown",
    }
}

/// Reads a NASLib NAS-Bench-201 search result (`errors_<seed>.json`): one
/// run, trials in evaluation order. Validation accuracy is
/// `cifar10-valid`'s, test accuracy `cifar10`'s, both as fractions;
/// training time (`cifar10-valid`, seconds) also advances the simulated
/// clock `time_s`; params and FLOPs become counts, latency seconds.
/// The run id and strategy come from the path (`RE/errors_3.json` is run
/// `RE-3`, regularized evolution) unless given.
pub fn naslib_nb201(
    path: &Path,
    run_id: Option<&str>,
    strategy: Option<&str>,
) -> Result<Run, TraceError> {
    naslib_nb201_doc(path, read_json(path)?, run_id, strategy)
}

/// [`naslib_nb201`] of a result held in memory (a file dropped on the
/// page): `name` is its file name, as the run id and strategy come from it.
pub(crate) fn naslib_nb201_bytes(name: &str, bytes: &[u8]) -> Result<Run, TraceError> {
    naslib_nb201_doc(Path::new(name), parse_json(name, bytes)?, None, None)
}

fn naslib_nb201_doc(
    path: &Path,
    doc: Value,
    run_id: Option<&str>,
    strategy: Option<&str>,
) -> Result<Run, TraceError> {
    let name = path.display().to_string();
    let evals = doc
        .get("arch_eval")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            TraceError::bad(&name, "not a NASLib search result: no \"arch_eval\" list")
        })?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let seed = stem
        .strip_prefix("errors_")
        .and_then(|s| s.parse::<u64>().ok());
    let folder = path
        .parent()
        .and_then(|p| p.file_name())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let run_id = match run_id {
        Some(r) => r.to_string(),
        None => match seed {
            Some(s) if !folder.is_empty() => format!("{folder}-{s}"),
            _ => stem.clone(),
        },
    };
    let strategy = strategy.unwrap_or(naslib_strategy(&folder)).to_string();
    let mut run = Run::new(RunInfo {
        run_id,
        strategy,
        space: "nb201".into(),
        benchmark: "nas-bench-201/cifar10".into(),
        seed,
        objectives: vec![super::Objective {
            name: "val_acc".into(),
            mode: "max".into(),
        }],
        config: None,
    });
    let mut clock = 0.0;
    for (i, rec) in evals.iter().enumerate() {
        let bad = |what: String| TraceError::bad(format!("{name}: record {i}"), what);
        let arch_str = rec
            .get("arch")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("missing \"arch\" string".into()))?;
        let cell = nb201::Cell::parse(arch_str).map_err(|e| bad(e.to_string()))?;
        let val = num(rec, &["cifar10-valid", "valid_accuracy"]).map_err(bad)?;
        let test = num(rec, &["cifar10", "test_accuracy"]).map_err(bad)?;
        let train = num(rec, &["cifar10-valid", "training_time"]).map_err(bad)?;
        let params = num(rec, &["cifar10-valid", "params (MB)"]).ok();
        let flops = num(rec, &["cifar10-valid", "flop"]).ok();
        let latency = num(rec, &["cifar10-valid", "latency (ms)"]).ok();
        for (what, v) in [
            ("cifar10-valid.valid_accuracy", val),
            ("cifar10.test_accuracy", test),
        ] {
            if !v.is_finite() || !(0.0..=100.0).contains(&v) {
                return Err(bad(format!(
                    "{what} is {v}: expected a percentage in [0, 100]"
                )));
            }
        }
        if !train.is_finite() || train < 0.0 {
            return Err(bad(format!(
                "training_time is {train}: must be finite and >= 0"
            )));
        }
        clock += train;
        let metrics = TrialMetrics {
            val_acc: val / 100.0,
            test_acc: test / 100.0,
            train_time_s: Some(train),
            params: params.map(|p| (p * 1e6).round()),
            flops: flops.map(|f| f * 1e6),
            latency_s: latency.map(|l| l / 1000.0),
        };
        metrics.check().map_err(bad)?;
        let mut t = Trial::new(i as u64, Arch::Nb201(cell), metrics);
        t.time_s = Some(clock);
        t.hash = Some(arch_str.into());
        t.source = Source::Import;
        run.push(t).map_err(bad)?;
    }
    Ok(run)
}

fn first_num(rec: &Value, keys: &[&str]) -> Option<f64> {
    keys.iter()
        .find_map(|k| rec.get(*k).and_then(Value::as_f64))
}

/// Reads the original dashboard's records: a JSON array of objects with a
/// list of `layers`, a validation accuracy (`val_acc`, `validation_accuracy`,
/// `valid_acc` or `val_accuracy`), a test accuracy (`test_acc` or
/// `test_accuracy`) and a `timestamp` (seconds, or an ISO-8601 string).
/// Percentages (any accuracy above 1) become fractions; `time_s` counts
/// from the first record.
pub fn dashboard_records(path: &Path, run_id: &str) -> Result<Run, TraceError> {
    let name = path.display().to_string();
    dashboard_doc(&name, read_json(path)?, run_id)
}

/// [`dashboard_records`] of records held in memory; `name` names them in errors.
pub(crate) fn dashboard_bytes(name: &str, bytes: &[u8], run_id: &str) -> Result<Run, TraceError> {
    dashboard_doc(name, parse_json(name, bytes)?, run_id)
}

fn dashboard_doc(name: &str, doc: Value, run_id: &str) -> Result<Run, TraceError> {
    let name = name.to_string();
    let recs = doc
        .as_array()
        .ok_or_else(|| TraceError::bad(&name, "expected a JSON array of records"))?;
    if recs.is_empty() {
        return Err(TraceError::bad(
            &name,
            "the array is empty: no record to show",
        ));
    }
    let val_keys = [
        "val_acc",
        "validation_accuracy",
        "valid_acc",
        "val_accuracy",
    ];
    let test_keys = ["test_acc", "test_accuracy"];
    let percent = recs.iter().any(|r| {
        first_num(r, &val_keys).is_some_and(|v| v > 1.0)
            || first_num(r, &test_keys).is_some_and(|v| v > 1.0)
    });
    let scale = if percent { 0.01 } else { 1.0 };
    let mut run = Run::new(RunInfo {
        run_id: run_id.to_string(),
        strategy: "unknown".into(),
        space: "sequential".into(),
        benchmark: String::new(),
        seed: None,
        objectives: Vec::new(),
        config: None,
    });
    let mut t0 = None;
    for (i, rec) in recs.iter().enumerate() {
        let bad = |what: String| TraceError::bad(format!("{name}: record {i}"), what);
        let layers: Vec<String> = rec
            .get("layers")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("missing \"layers\" list".into()))?
            .iter()
            .map(|l| {
                l.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| bad(format!("layer {l} is not a string")))
            })
            .collect::<Result<_, _>>()?;
        let arch = LayerList::new(layers).map_err(|e| bad(e.to_string()))?;
        let val =
            first_num(rec, &val_keys).ok_or_else(|| bad("missing validation accuracy".into()))?;
        let test = first_num(rec, &test_keys).ok_or_else(|| bad("missing test accuracy".into()))?;
        let metrics = TrialMetrics {
            val_acc: val * scale,
            test_acc: test * scale,
            train_time_s: None,
            params: None,
            flops: None,
            latency_s: None,
        };
        metrics.check().map_err(bad)?;
        let ts = match rec.get("timestamp") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) => Some(parse_iso_seconds(s).ok_or_else(|| {
                bad(format!(
                    "timestamp {s:?} is not ISO-8601 (YYYY-MM-DDTHH:MM:SS[.fff])"
                ))
            })?),
            Some(other) => return Err(bad(format!("timestamp {other} is not a time"))),
        };
        let mut t = Trial::new(i as u64, Arch::Sequential(arch), metrics);
        if let Some(ts) = ts {
            let base = *t0.get_or_insert(ts);
            t.time_s = Some((ts - base).max(0.0));
        }
        t.source = Source::Import;
        run.push(t).map_err(bad)?;
    }
    Ok(run)
}

/// Seconds since 1970 of `YYYY-MM-DD[T ]HH:MM:SS[.fff][Z|±HH:MM]` (UTC
/// when no offset is given).
pub(crate) fn parse_iso_seconds(s: &str) -> Option<f64> {
    let s = s.trim().trim_end_matches('Z');
    let (date, time) = s.split_once(['T', ' '])?;
    // an offset from UTC, e.g. `+00:00` as Python's isoformat writes
    let (time, offset) = match time.find(['+', '-']) {
        Some(i) => {
            let sign = if time.as_bytes()[i] == b'-' { -1 } else { 1 };
            let mut o = time[i + 1..].split(':');
            let oh = o.next()?.parse::<i64>().ok()?;
            let om = o.next().map_or(Some(0), |x| x.parse::<i64>().ok())?;
            (&time[..i], sign * (oh * 3600 + om * 60))
        }
        None => (time, 0),
    };
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.split(':');
    let (hh, mm) = (
        t.next()?.parse::<i64>().ok()?,
        t.next()?.parse::<i64>().ok()?,
    );
    let ss: f64 = t.next().unwrap_or("0").parse().ok()?;
    if !(1..=12).contains(&m)
        || !(1..=31).contains(&day)
        || hh > 23
        || mm > 59
        || !(0.0..61.0).contains(&ss)
    {
        return None;
    }
    // days from civil (Howard Hinnant's algorithm)
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146097 + doe - 719468;
    Some(days as f64 * 86400.0 + (hh * 3600 + mm * 60 - offset) as f64 + ss)
}

/// Imports every `errors_<seed>.json` under `dir` (recursively, sorted by
/// path) into one trace.
pub fn naslib_dir(dir: &Path) -> Result<Trace, TraceError> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let rd = std::fs::read_dir(&d).map_err(|source| TraceError::Io {
            path: d.display().to_string(),
            source,
        })?;
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("errors_") && n.ends_with(".json"))
            {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut trace = Trace::default();
    for f in files {
        trace.runs.push(naslib_nb201(&f, None, None)?);
    }
    Ok(trace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times() {
        assert_eq!(parse_iso_seconds("1970-01-01T00:00:00"), Some(0.0));
        assert_eq!(
            parse_iso_seconds("2020-05-15T14:01:27.972"),
            Some(1589551287.972)
        );
        assert_eq!(parse_iso_seconds("2000-03-01 00:00:00Z"), Some(951868800.0));
        assert_eq!(parse_iso_seconds("yesterday"), None);
        assert_eq!(parse_iso_seconds("2020-13-01T00:00:00"), None);
    }
}
