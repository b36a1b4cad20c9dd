//! `nasviz info --insight`: the numbers of the insight views (Pareto
//! front, lineage of the best trial, choice importance, edit effects) of
//! each run at a step, as text or as one JSON object.

use anyhow::{Context, Result};
use nasviz::analysis::insight::{report, InsightReport};
use nasviz::analysis::pareto::{Cost, Objective};
use nasviz::analysis::Analytics;
use nasviz::fmt::{fmt_int, fmt_pct, fmt_pp};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// What `info --insight` was asked.
pub struct Ask<'a> {
    pub run: Option<&'a str>,
    pub step: Option<usize>,
    pub json: bool,
    pub cost: Option<&'a str>,
    pub objective: &'a str,
}

pub fn run(file: &Path, format: Option<nasviz::trace::open::Format>, ask: Ask) -> Result<ExitCode> {
    let (trace, notes) = nasviz::trace::open::open_noted(file, format)?;
    for n in notes {
        eprintln!("{n}");
    }
    let cost: Option<Cost> = ask
        .cost
        .map(|c| {
            c.parse()
                .map_err(|e: String| anyhow::anyhow!("--cost: {e}"))
        })
        .transpose()?;
    let objective = match ask.objective {
        "val" | "val_acc" | "validation" => Objective::ValAcc,
        "test" | "test_acc" => Objective::TestAcc,
        o => anyhow::bail!("--objective {o:?}: expected val or test"),
    };
    let runs: Vec<&nasviz::trace::Run> = match ask.run {
        Some(id) => vec![trace.run(id).with_context(|| {
            let ids: Vec<&str> = trace.runs.iter().map(|r| r.info.run_id.as_str()).collect();
            format!(
                "no run {id:?} in {} (runs: {})",
                file.display(),
                ids.join(", ")
            )
        })?],
        None => trace.runs.iter().collect(),
    };
    let step = ask
        .step
        .map(|s| super::step_index("--step", s))
        .transpose()?;
    let mut table = None;
    let mut reports = Vec::new();
    for r in runs {
        if r.trials.is_empty() {
            continue;
        }
        if let Some(s) = step {
            if s >= r.trials.len() && ask.run.is_some() {
                anyhow::bail!(
                    "--step {} is past the end: run {:?} has {} trials",
                    s + 1,
                    r.info.run_id,
                    r.trials.len()
                );
            }
        }
        let a = Analytics::of_run(r);
        let at = step.unwrap_or(usize::MAX);
        let Some(mut rep) = report(r, &a, at, cost, objective) else {
            continue;
        };
        if r.info.benchmark == "nas-bench-graph/cora" {
            if table.is_none() {
                let t = nasviz::table::nbgraph::NbGraphTable::cora()?;
                table = Some(nasviz::analysis::importance::of_nbgraph_table(&t));
            }
            rep.table_importance = table.clone();
        }
        reports.push(rep);
    }
    let mut out = std::io::stdout().lock();
    if ask.json {
        let v = serde_json::json!({ "runs": reports });
        writeln!(out, "{}", serde_json::to_string(&v)?)?;
    } else {
        for r in &reports {
            out.write_all(text(r).as_bytes())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn interval(lo: Option<f64>, hi: Option<f64>) -> String {
    match (lo, hi) {
        (Some(l), Some(h)) => format!("± {:.2} pp", (h - l) * 50.0),
        _ => "(one trial)".into(),
    }
}

/// The report as text.
fn text(r: &InsightReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "run {} at step {}", r.run, fmt_int(r.step));
    let p = &r.pareto;
    match (&p.cost, &p.note) {
        (Some(c), _) => {
            let _ = writeln!(
                s,
                "  Pareto front ({} against {c}; costs: {}): {} trials: {}",
                p.objective,
                p.costs.join(", "),
                p.front.len(),
                ids(&p.front)
            );
        }
        (None, Some(n)) => {
            let _ = writeln!(s, "  Pareto front: {n}");
        }
        (None, None) => {}
    }
    let l = &r.lineage;
    match &l.note {
        Some(n) => {
            let _ = writeln!(s, "  lineage: {n}");
        }
        None => {
            let _ = writeln!(
                s,
                "  lineage of the best trial {}: {} ancestors{}: {}",
                l.trial,
                l.ancestors.len(),
                l.cut
                    .map(|c| format!(" (cut: parent {c} is missing from the run)"))
                    .unwrap_or_default(),
                ids(&l.ancestors)
            );
        }
    }
    let _ = writeln!(
        s,
        "  importance ({}, {} trials){}",
        r.importance.estimator,
        fmt_int(r.importance.n as usize),
        r.importance
            .note
            .as_ref()
            .map(|n| format!(": {n}"))
            .unwrap_or_default()
    );
    for d in &r.importance.decisions {
        let best = d.values.first();
        let _ = writeln!(
            s,
            "    {:<10} {:>6}  best {}",
            d.name,
            fmt_pct(d.share),
            best.map(|v| format!(
                "{} {} {} n={}",
                v.value,
                fmt_pct(v.mean),
                interval(v.lo, v.hi),
                v.n
            ))
            .unwrap_or_default()
        );
    }
    if let Some(t) = &r.table_importance {
        let _ = writeln!(
            s,
            "  importance over the whole table ({} architectures): {}",
            fmt_int(t.n as usize),
            t.decisions
                .iter()
                .take(4)
                .map(|d| format!("{} {}", d.name, fmt_pct(d.share)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if r.edits.is_empty() {
        let _ = writeln!(s, "  edit effects: no recorded edits in this run");
    } else {
        let _ = writeln!(s, "  edit effects (child - parent validation):");
        for k in &r.edits {
            let _ = writeln!(
                s,
                "    {:<34} n={:<6} mean {} {}",
                k.kind,
                k.n,
                fmt_pp(k.mean),
                interval(k.lo, k.hi)
            );
        }
    }
    s
}

fn ids(v: &[u64]) -> String {
    let mut s: Vec<String> = v.iter().take(12).map(|i| i.to_string()).collect();
    if v.len() > 12 {
        s.push(format!("... ({} more)", v.len() - 12));
    }
    s.join(", ")
}

/// Opens every file and returns all their runs.
pub fn open_all(
    files: &[std::path::PathBuf],
    format: Option<nasviz::trace::open::Format>,
) -> Result<Vec<nasviz::trace::Run>> {
    let mut runs = Vec::new();
    for f in files {
        let (trace, notes) = nasviz::trace::open::open_noted(f, format)?;
        for n in notes {
            eprintln!("{n}");
        }
        runs.extend(trace.runs);
    }
    // the same run id in two files: name both places
    for (i, r) in runs.iter().enumerate() {
        if runs[..i].iter().any(|o| o.info.run_id == r.info.run_id) {
            anyhow::bail!(
                "run {:?} is given twice (two files hold a run of that id); \
                 compare runs with distinct ids",
                r.info.run_id
            );
        }
    }
    Ok(runs)
}

/// `info --strategies`: the groups, as text or JSON.
pub fn strategies(
    files: &[std::path::PathBuf],
    format: Option<nasviz::trace::open::Format>,
    group_by: Option<&str>,
    json: bool,
) -> Result<ExitCode> {
    let runs = open_all(files, format)?;
    let refs: Vec<&nasviz::trace::Run> = runs.iter().filter(|r| !r.trials.is_empty()).collect();
    if refs.is_empty() {
        anyhow::bail!("no run with trials in the files given");
    }
    let s = nasviz::analysis::strategies::compare(&refs, group_by)?;
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string(&s)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{} groups; bands: {}", s.groups.len(), s.interval)?;
    for g in &s.groups {
        let last = g.steps.len().saturating_sub(1);
        let cut = if g.cut() {
            format!(
                " (cut at the shortest run; runs have {} to {} trials)",
                g.lengths.iter().min().unwrap_or(&0),
                g.lengths.iter().max().unwrap_or(&0)
            )
        } else {
            String::new()
        };
        writeln!(
            out,
            "  {} on {}: {} runs ({}), {} steps{cut}",
            g.label,
            if g.benchmark.is_empty() {
                "?"
            } else {
                &g.benchmark
            },
            g.runs.len(),
            g.runs.join(", "),
            fmt_int(g.steps.len())
        )?;
        if let (Some(m), Some(l), Some(h)) = (g.mean.get(last), g.lo.get(last), g.hi.get(last)) {
            writeln!(
                out,
                "    best so far at step {}: {} ({} to {}); test of that trial {}",
                fmt_int(last + 1),
                fmt_pct(*m),
                fmt_pct(*l),
                fmt_pct(*h),
                g.test_mean.get(last).map_or("–".into(), |t| fmt_pct(*t))
            )?;
        }
    }
    for a in &s.ahead {
        writeln!(
            out,
            "  {} is above {} from step {} on (95% intervals apart)",
            a.a,
            a.b,
            fmt_int(a.from_step)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
