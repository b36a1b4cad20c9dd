//! Search strategies compared over many seeds, as NAS papers report them:
//! runs grouped by strategy and benchmark (or by a pattern on run ids),
//! and per group the mean best-so-far validation accuracy over its seeds
//! at each step (and the test accuracy of the best-by-validation trial),
//! with a 95% t-interval over seeds; the step from which one group's
//! interval stays above another's.
//!
//! On the step axis every group is cut at its shortest run (each step has
//! all seeds). On the time axis each run holds its last best after it
//! ends, and counts from its first trial on.

use super::stats::Acc;
use crate::trace::Run;
use serde::Serialize;

/// A group of runs (seeds) of one strategy on one benchmark.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Group {
    pub strategy: String,
    pub benchmark: String,
    /// What the views call it (the strategy, or the `--group-by` key).
    pub label: String,
    /// Run ids.
    pub runs: Vec<String>,
    /// Positions of the runs in the list given.
    #[serde(skip)]
    pub members: Vec<usize>,
    /// Steps (from 1) up to the shortest run of the group.
    pub steps: Vec<usize>,
    /// Mean best-so-far validation accuracy over the seeds, per step.
    pub mean: Vec<f64>,
    /// Its 95% t-interval over the seeds (equal to the mean with one seed).
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
    /// The same of the test accuracy of each seed's best-by-validation trial.
    pub test_mean: Vec<f64>,
    pub(crate) test_lo: Vec<f64>,
    pub(crate) test_hi: Vec<f64>,
    /// Each run's length; the group is cut at the shortest.
    pub lengths: Vec<usize>,
}

impl Group {
    /// Whether longer runs were cut to the shortest.
    pub fn cut(&self) -> bool {
        self.lengths.iter().any(|&l| l > self.steps.len())
    }
}

/// From which step (from 1) group `a`'s interval lies above group `b`'s
/// and stays there to the end of the shorter of the two.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ahead {
    pub a: String,
    pub b: String,
    pub from_step: usize,
}

/// Everything `info --strategies` prints.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Strategies {
    /// How the interval is made.
    pub interval: &'static str,
    pub groups: Vec<Group>,
    pub ahead: Vec<Ahead>,
}

pub(crate) const INTERVAL: &str = "95% t-interval of the mean over seeds";

/// Why runs could not be grouped.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum GroupError {
    #[error("--group-by {pattern:?}: {what}")]
    BadPattern { pattern: String, what: String },
    #[error("--group-by {pattern:?} does not match run {run:?}")]
    NoMatch { pattern: String, run: String },
}

/// The key runs are grouped by: strategy and benchmark from the run
/// records, or with `pattern` the first capture group of the run id (the
/// whole match when the pattern has none).
pub fn group_keys(runs: &[&Run], pattern: Option<&str>) -> Result<Vec<String>, GroupError> {
    let Some(p) = pattern else {
        return Ok(runs
            .iter()
            .map(|r| format!("{}\u{1f}{}", r.info.strategy, r.info.benchmark))
            .collect());
    };
    let re = regex_lite::Regex::new(p).map_err(|e| GroupError::BadPattern {
        pattern: p.to_string(),
        what: e.to_string(),
    })?;
    runs.iter()
        .map(|r| {
            let id = &r.info.run_id;
            let caps = re.captures(id).ok_or_else(|| GroupError::NoMatch {
                pattern: p.to_string(),
                run: id.clone(),
            })?;
            let m = caps.get(1).or_else(|| caps.get(0));
            Ok(m.map_or("", |m| m.as_str()).to_string())
        })
        .collect()
}

/// Best-so-far validation accuracy of `run` at each position, and the test
/// accuracy of the best-by-validation trial (the first of equals).
pub fn best_so_far(run: &Run) -> (Vec<f64>, Vec<f64>) {
    let mut val = Vec::with_capacity(run.trials.len());
    let mut test = Vec::with_capacity(run.trials.len());
    let mut best: Option<(f64, f64)> = None;
    for t in &run.trials {
        let m = &t.metrics;
        if best.is_none_or(|(v, _)| m.val_acc > v) {
            best = Some((m.val_acc, m.test_acc));
        }
        if let Some((v, te)) = best {
            val.push(v);
            test.push(te);
        }
    }
    (val, test)
}

/// Groups `runs` and computes each group's curves.
pub fn compare(runs: &[&Run], pattern: Option<&str>) -> Result<Strategies, GroupError> {
    let curves: Vec<(Vec<f64>, Vec<f64>)> = runs.iter().map(|r| best_so_far(r)).collect();
    compare_curves(runs, pattern, &curves)
}

/// [`compare`] with each run's [`best_so_far`] made already.
pub(crate) fn compare_curves(
    runs: &[&Run],
    pattern: Option<&str>,
    curves: &[(Vec<f64>, Vec<f64>)],
) -> Result<Strategies, GroupError> {
    let keys = group_keys(runs, pattern)?;
    let mut order: Vec<String> = Vec::new();
    for k in &keys {
        if !order.contains(k) {
            order.push(k.clone());
        }
    }
    let mut groups = Vec::new();
    for key in order {
        let members: Vec<usize> = (0..runs.len()).filter(|&i| keys[i] == key).collect();
        let first = runs[members[0]];
        let lengths: Vec<usize> = members.iter().map(|&i| runs[i].trials.len()).collect();
        let n = lengths.iter().copied().min().unwrap_or(0);
        let mut g = Group {
            strategy: first.info.strategy.clone(),
            benchmark: first.info.benchmark.clone(),
            label: match pattern {
                Some(_) => key.clone(),
                None => first.info.strategy.replace('_', " "),
            },
            runs: members
                .iter()
                .map(|&i| runs[i].info.run_id.clone())
                .collect(),
            members: members.clone(),
            steps: (1..=n).collect(),
            mean: Vec::with_capacity(n),
            lo: Vec::with_capacity(n),
            hi: Vec::with_capacity(n),
            test_mean: Vec::with_capacity(n),
            test_lo: Vec::with_capacity(n),
            test_hi: Vec::with_capacity(n),
            lengths,
        };
        for s in 0..n {
            for (which, mean, lo, hi) in [
                (0, &mut g.mean, &mut g.lo, &mut g.hi),
                (1, &mut g.test_mean, &mut g.test_lo, &mut g.test_hi),
            ] {
                let mut a = Acc::default();
                for &i in &members {
                    let c = if which == 0 {
                        &curves[i].0
                    } else {
                        &curves[i].1
                    };
                    a.add(c[s]);
                }
                let m = a.mean();
                let (l, h) = a.interval().unwrap_or((m, m));
                mean.push(m);
                lo.push(l);
                hi.push(h);
            }
        }
        groups.push(g);
    }
    let mut ahead = Vec::new();
    for a in &groups {
        for b in &groups {
            if std::ptr::eq(a, b) || a.runs.len() < 2 || b.runs.len() < 2 {
                continue;
            }
            let n = a.steps.len().min(b.steps.len());
            // the last step where a's interval is not above b's
            let last_not = (0..n).rev().find(|&s| a.lo[s] <= b.hi[s]);
            let from = match last_not {
                None if n > 0 => Some(0),
                Some(s) if s + 1 < n => Some(s + 1),
                _ => None,
            };
            if let Some(s) = from {
                ahead.push(Ahead {
                    a: a.label.clone(),
                    b: b.label.clone(),
                    from_step: s + 1,
                });
            }
        }
    }
    Ok(Strategies {
        interval: INTERVAL,
        groups,
        ahead,
    })
}

/// A group's mean best-so-far validation accuracy against simulated time:
/// `(times, mean, lo, hi)` at `points` times from 0 to the latest end of
/// any run given; each run counts from its first trial on and holds its
/// last best after it ends. Runs without times are left out. `best` is
/// each run's best so far ([`best_so_far`]).
pub(crate) fn over_time(
    runs: &[&Run],
    best: &[Vec<f64>],
    group: &Group,
    end: f64,
    points: usize,
) -> Vec<[f64; 4]> {
    let mut out = Vec::with_capacity(points);
    let members: Vec<(&Vec<f64>, &Run)> = group
        .members
        .iter()
        .filter_map(|&i| Some((best.get(i)?, *runs.get(i)?)))
        .filter(|(_, r)| r.trials.iter().all(|t| t.time_s.is_some()))
        .collect();
    let mut at = vec![0usize; members.len()];
    for k in 0..points {
        let t = end * k as f64 / (points.max(2) - 1) as f64;
        let mut a = Acc::default();
        for (j, (best, r)) in members.iter().enumerate() {
            while at[j] < r.trials.len() && r.trials.at(at[j]).time_s.is_some_and(|x| x <= t) {
                at[j] += 1;
            }
            if at[j] > 0 {
                a.add(best[at[j] - 1]);
            }
        }
        if a.n > 0 {
            let m = a.mean();
            let (l, h) = a.interval().unwrap_or((m, m));
            out.push([t, m, l, h]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{RunInfo, Trial, TrialMetrics};

    fn run(id: &str, strategy: &str, vals: &[f64]) -> Run {
        let mut info = RunInfo::new(id, strategy, "sequential");
        info.benchmark = "b".into();
        let mut r = Run::new(info);
        let arch = crate::analysis::fixtures::one_conv();
        for (i, &v) in vals.iter().enumerate() {
            let mut t = Trial::new(i as u64, arch.clone(), TrialMetrics::accuracies(v, 1.0 - v));
            t.time_s = Some(10.0 * (i + 1) as f64);
            r.push(t).unwrap_or_else(|e| panic!("{e}"));
        }
        r
    }

    #[test]
    fn curves_equal_the_mean_over_seeds_of_the_running_maximum() {
        let mut rng = crate::rng::Rng::new(5);
        let mut runs = Vec::new();
        for s in 0..4 {
            let n = 50 + 7 * s;
            let vals: Vec<f64> = (0..n).map(|_| 0.5 + 0.4 * rng.unit()).collect();
            runs.push(run(&format!("rs-{s}"), "random_search", &vals));
            let vals: Vec<f64> = (0..n)
                .map(|i| 0.6 + 0.3 * rng.unit() * (i as f64 / n as f64))
                .collect();
            runs.push(run(&format!("re-{s}"), "regularized_evolution", &vals));
        }
        let refs: Vec<&Run> = runs.iter().collect();
        let s = compare(&refs, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.groups.len(), 2);
        for g in &s.groups {
            assert_eq!(g.runs.len(), 4);
            assert_eq!(g.steps.len(), 50, "cut at the shortest");
            assert!(g.cut());
            for step in [0usize, 9, 49] {
                let maxes: Vec<f64> = g
                    .members
                    .iter()
                    .map(|&i| {
                        runs[i]
                            .trials
                            .range(..=step)
                            .map(|t| t.metrics.val_acc)
                            .fold(f64::MIN, f64::max)
                    })
                    .collect();
                let m = maxes.iter().sum::<f64>() / 4.0;
                let sd = (maxes.iter().map(|x| (x - m).powi(2)).sum::<f64>() / 3.0).sqrt();
                assert!((g.mean[step] - m).abs() < 1e-12);
                assert!((g.hi[step] - m - 3.182 * sd / 2.0).abs() < 1e-9);
                assert!(g.lo[step] <= g.mean[step] && g.mean[step] <= g.hi[step]);
            }
        }
        // by a pattern on run ids
        let by = compare(&refs, Some(r"^(\w+)-\d+$")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            by.groups
                .iter()
                .map(|g| g.label.as_str())
                .collect::<Vec<_>>(),
            vec!["rs", "re"]
        );
        assert!(matches!(
            compare(&refs, Some("^x")),
            Err(GroupError::NoMatch { .. })
        ));
        assert!(matches!(
            compare(&refs, Some("(")),
            Err(GroupError::BadPattern { .. })
        ));
    }

    #[test]
    fn ahead_is_the_step_from_which_the_intervals_stay_apart() {
        // a climbs above b at step 4 and stays there
        // three seeds of a strategy: its curve, raised by 0.001 a seed
        let seeds = |strategy: &str, vals: [f64; 6]| -> Vec<Run> {
            (0..3)
                .map(|s| {
                    let vals = vals.map(|v| v + 0.001 * s as f64);
                    run(&format!("{strategy}{s}"), strategy, &vals)
                })
                .collect()
        };
        let a = seeds("a", [0.1, 0.2, 0.3, 0.9, 0.9, 0.95]);
        let b = seeds("b", [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
        let refs: Vec<&Run> = a.iter().chain(&b).collect();
        let s = compare(&refs, None).unwrap_or_else(|e| panic!("{e}"));
        let ahead: Vec<(&str, &str, usize)> = s
            .ahead
            .iter()
            .map(|x| (x.a.as_str(), x.b.as_str(), x.from_step))
            .collect();
        assert_eq!(ahead, vec![("a", "b", 4)]);
        // on a time axis runs hold their best
        let g = &s.groups[0];
        let best: Vec<Vec<f64>> = refs.iter().map(|r| best_so_far(r).0).collect();
        let pts = over_time(&refs, &best, g, 100.0, 11);
        // none has a trial at t = 0; at t = 10 each has its first
        assert_eq!(pts.len(), 10);
        assert_eq!(pts[0][0], 10.0);
        assert!((pts[9][1] - (0.95 + 0.001)).abs() < 1e-9);
        assert!((pts[0][1] - (0.1 + 0.001)).abs() < 1e-9);
    }
}
