//! What edit mode looks choices up in when it edits a trial of a followed
//! Optuna study ([`StudyBench`]): the edited architecture written as the
//! study's parameters (in the base trial's convention, each value among
//! the study's choices), scored by a tabular benchmark when the user names
//! one (`nasviz view --follow study.journal --predict nbgraph:cora`), and
//! otherwise estimated from the trials seen so far: the base's accuracy
//! moved by the difference of the marginal means (the mean accuracy of
//! the completed trials with each value) of what changed.

use super::Benchmark;
use crate::arch::{Arch, Mutation, Space};
use crate::rng::Rng;
use crate::table::{LookupError, Metrics};
use crate::trace::engine::replay::{Dist, Journal};
use crate::trace::params::params_for;
use crate::trace::Run;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// The mean validation and test accuracy of the trials with one value of
/// a parameter, and how many they are.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Mean {
    val: f64,
    test: f64,
    n: usize,
}

/// A followed study as a benchmark for edit mode, from one base trial.
pub struct StudyBench {
    study: String,
    base: Arch,
    /// The base trial's parameters and accuracies.
    base_params: Map<String, Value>,
    base_acc: (f64, f64),
    /// Each categorical parameter's choices, as the study declares them.
    choices: HashMap<String, Vec<Value>>,
    /// Marginal means by parameter and value (its JSON text).
    means: HashMap<(String, String), Mean>,
    /// Completed trials the means are made of.
    seen: usize,
    predict: Option<Arc<dyn Benchmark + Send + Sync>>,
    /// Why the `--predict` benchmark given cannot score this study.
    unfit: Option<String>,
}

impl StudyBench {
    /// Edit mode's benchmark for trial `base` (its number) of study
    /// `study` of `journal`, whose completed trials `run` holds; `Err`
    /// says why its edits cannot be enqueued.
    pub fn new(
        journal: &Journal,
        study: usize,
        run: &Run,
        base: u64,
        predict: Option<Arc<dyn Benchmark + Send + Sync>>,
    ) -> Result<StudyBench, String> {
        let s = journal
            .studies
            .get(study)
            .ok_or_else(|| format!("study #{study} is not in the storage"))?;
        let trial_of = |number: u64| {
            usize::try_from(number)
                .ok()
                .and_then(|n| s.trials.get(n))
                .and_then(|&id| journal.trials.get(id))
        };
        let base_trial =
            trial_of(base).ok_or_else(|| format!("trial {base} is not in the study"))?;
        let base_run = run
            .trial(base)
            .ok_or_else(|| format!("trial {base} is not drawn"))?;
        let mut choices = HashMap::new();
        for &id in &s.trials {
            for (k, d) in journal.trials[id].dists.iter() {
                if let Dist::Categorical(c) = d.as_ref() {
                    choices.entry(k.clone()).or_insert_with(|| c.clone());
                }
            }
        }
        let mut sums: HashMap<(String, String), Mean> = HashMap::new();
        for t in &run.trials {
            let Some(o) = trial_of(t.trial_id) else {
                continue;
            };
            for (k, v) in o.params.iter() {
                let m = sums.entry((k.clone(), v.to_string())).or_default();
                m.val += t.metrics.val_acc;
                m.test += t.metrics.test_acc;
                m.n += 1;
            }
        }
        for m in sums.values_mut() {
            m.val /= m.n as f64;
            m.test /= m.n as f64;
        }
        let bench = StudyBench {
            study: s.name.clone(),
            base: base_run.arch.clone(),
            base_params: (*base_trial.params).clone(),
            base_acc: (base_run.metrics.val_acc, base_run.metrics.test_acc),
            choices,
            means: sums,
            seen: run.trials.len(),
            unfit: predict
                .as_ref()
                .filter(|p| p.space() != base_run.arch.space())
                .map(|p| {
                    format!(
                        "{} holds {} architectures, this study {}",
                        p.name(),
                        p.space().name(),
                        base_run.arch.space().name()
                    )
                }),
            predict: predict.filter(|p| p.space() == base_run.arch.space()),
        };
        // the base itself must be writable as parameters
        bench
            .params(&bench.base)
            .map_err(|why| format!("its edits cannot be enqueued: {why}"))?;
        Ok(bench)
    }

    /// The parameters that give `arch` (the base's, edited).
    pub fn params(&self, arch: &Arch) -> Result<Map<String, Value>, String> {
        params_for(&self.base_params, arch, &|k| self.choices.get(k).cloned())
    }

    /// The estimate of `arch` from the marginal means (NaN where a value
    /// changed to has no completed trial yet).
    fn estimate(&self, params: &Map<String, Value>) -> (f64, f64) {
        let (mut v, mut t) = self.base_acc;
        for (k, x) in params {
            let was = self.base_params.get(k);
            if was == Some(x) {
                continue;
            }
            let mean = |x: &Value| self.means.get(&(k.clone(), x.to_string())).copied();
            match (mean(x), was.and_then(mean)) {
                (Some(a), Some(b)) => {
                    v += a.val - b.val;
                    t += a.test - b.test;
                }
                _ => return (f64::NAN, f64::NAN),
            }
        }
        (v.clamp(0.0, 1.0), t.clamp(0.0, 1.0))
    }
}

impl Benchmark for StudyBench {
    fn name(&self) -> String {
        format!("Optuna study {:?}", self.study)
    }

    fn space(&self) -> Space {
        self.base.space()
    }

    fn query(&self, arch: &Arch) -> Result<(String, Metrics), LookupError> {
        let params = self.params(arch).map_err(LookupError::Refused)?;
        let key = Value::Object(params.clone()).to_string();
        if let Some(p) = &self.predict {
            return p.query(arch).map(|(_, m)| (key, m));
        }
        let (val_acc, test_acc) = self.estimate(&params);
        Ok((
            key,
            Metrics {
                val_acc,
                test_acc,
                train_time_s: None,
                latency_s: None,
                params: None,
                repeats: Vec::new(),
            },
        ))
    }

    fn random_arch(&self, _rng: &mut Rng) -> Arch {
        self.base.clone()
    }

    fn random_mutation(&self, _arch: &Arch, _rng: &mut Rng) -> Option<(Arch, Mutation)> {
        None
    }

    /// The space's ops the study's categorical parameters offer (all of
    /// the space's when its parameters name none).
    fn ops(&self) -> Vec<String> {
        let all = super::steer::default_ops(self.space());
        let offered: Vec<String> = all
            .iter()
            .filter(|op| {
                self.choices
                    .values()
                    .any(|c| c.iter().any(|v| v.as_str() == Some(op.as_str())))
            })
            .cloned()
            .collect();
        if offered.is_empty() {
            all
        } else {
            offered
        }
    }

    fn estimates(&self) -> Option<String> {
        match &self.predict {
            Some(p) => Some(format!("predicted by {}", p.name())),
            None => Some(format!(
                "estimates: the base moved by marginal means of {} trials{}",
                self.seen,
                self.unfit
                    .as_ref()
                    .map_or(String::new(), |why| format!(" (--predict: {why})"))
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::engine::replay::Journal;
    use crate::trace::engine::studies::Runs;
    use serde_json::json;

    const OPS: [&str; 3] = ["gcn", "gat", "sage"];

    /// A completed trial's create line, as Optuna's `add_trial` writes it.
    fn line(links: [usize; 4], ops: [usize; 4], val: f64, test: f64) -> String {
        let cat = |choices: Value| {
            json!({"name": "CategoricalDistribution", "attributes": {"choices": choices}})
                .to_string()
        };
        let mut dists = Map::new();
        let mut params = Map::new();
        for i in 0..4 {
            dists.insert(
                format!("lk{i}"),
                json!(cat(json!((0..=i).collect::<Vec<_>>()))),
            );
            dists.insert(format!("op{i}"), json!(cat(json!(OPS))));
            params.insert(format!("lk{i}"), json!(links[i]));
            params.insert(format!("op{i}"), json!(ops[i]));
        }
        json!({"op_code": 4, "worker_id": "w", "study_id": 0, "state": 1, "values": [val],
            "datetime_start": "2026-12-05T00:00:00", "datetime_complete": "2026-12-05T00:01:00",
            "distributions": dists, "params": params, "user_attrs": {"test_acc": test}})
        .to_string()
    }

    /// A benchmark of another space (NAS-Bench-101), never queried.
    struct Other101;

    impl Benchmark for Other101 {
        fn name(&self) -> String {
            "nb101-test".into()
        }
        fn space(&self) -> Space {
            Space::Nb101
        }
        fn query(&self, _: &Arch) -> Result<(String, Metrics), LookupError> {
            Err(LookupError::Refused("not queried".into()))
        }
        fn random_arch(&self, _: &mut Rng) -> Arch {
            Arch::Nb101(crate::arch::nb101::Cell::random(&mut Rng::new(1)))
        }
        fn random_mutation(&self, _: &Arch, _: &mut Rng) -> Option<(Arch, Mutation)> {
            None
        }
    }

    #[test]
    fn estimates_are_the_base_moved_by_marginal_means() {
        let mut j = Journal::default();
        j.apply_line(r#"{"op_code":0,"worker_id":"w","study_name":"s","directions":[2]}"#)
            .unwrap();
        let trials = [
            ([0, 0, 1, 2], [0, 1, 2, 0], 0.80, 0.78),
            ([0, 1, 1, 2], [1, 1, 2, 0], 0.70, 0.71),
            ([0, 0, 2, 1], [2, 0, 2, 1], 0.75, 0.74),
            ([0, 1, 0, 3], [0, 2, 1, 1], 0.82, 0.80),
            ([0, 0, 1, 2], [1, 0, 0, 2], 0.60, 0.62),
        ];
        for (l, o, v, t) in trials {
            j.apply_line(&line(l, o, v, t)).unwrap();
        }
        let mut runs = Runs::default();
        runs.update(&j).unwrap();
        let run = &runs.trace.runs[0];
        assert_eq!(run.trials.len(), trials.len());
        let b = StudyBench::new(&j, 0, run, 0, None).unwrap();
        assert!(b.estimates().is_some_and(|n| n.contains("5 trials")));
        assert_eq!(b.ops(), vec!["gat", "gcn", "sage"]);
        // node 0's op gcn -> gat: brute force over the trials
        let mean = |node: usize, op: usize, k: usize| {
            let xs: Vec<f64> = trials
                .iter()
                .filter(|t| t.1[node] == op)
                .map(|t| if k == 0 { t.2 } else { t.3 })
                .collect();
            xs.iter().sum::<f64>() / xs.len() as f64
        };
        let base = run.trials.at(0).arch;
        let crate::arch::Arch::NbGraph(g) = base else {
            panic!("nbgraph")
        };
        let mut edited = g.clone();
        edited.ops[0] = crate::arch::nbgraph::GnnOp::Gat;
        let (_, m) = b.query(&crate::arch::Arch::NbGraph(edited)).unwrap();
        let want_v = 0.80 + mean(0, 1, 0) - mean(0, 0, 0);
        let want_t = 0.78 + mean(0, 1, 1) - mean(0, 0, 1);
        assert!((m.val_acc - want_v).abs() < 1e-12, "{} {want_v}", m.val_acc);
        assert!((m.test_acc - want_t).abs() < 1e-12);
        // a link no trial has had: no estimate (NaN), not a refusal
        let mut unseen = g.clone();
        unseen.links[3] = 0;
        let (_, m) = b.query(&crate::arch::Arch::NbGraph(unseen)).unwrap();
        assert!(m.val_acc.is_nan());
        // an op the study does not offer: refused
        let mut off = g.clone();
        off.ops[1] = crate::arch::nbgraph::GnnOp::Fc;
        let e = b
            .query(&crate::arch::Arch::NbGraph(off.clone()))
            .unwrap_err();
        assert!(
            e.to_string().contains("not among the study's choices"),
            "{e}"
        );
        // the base itself: exactly its own accuracy
        let (_, m) = b.query(base).unwrap();
        assert_eq!((m.val_acc, m.test_acc), (0.80, 0.78));
        // with a table named (--predict), the table's numbers
        let table = crate::table::nbgraph::NbGraphTable::cora().unwrap();
        let cora: Arc<dyn Benchmark + Send + Sync> =
            Arc::new(crate::search::NbGraphBench::new(table));
        let p = StudyBench::new(&j, 0, run, 0, Some(cora.clone())).unwrap();
        assert!(p.estimates().is_some_and(|n| n.starts_with("predicted by")));
        let a = crate::arch::Arch::NbGraph(g.clone());
        assert_eq!(p.query(&a).unwrap().1, cora.query(&a).unwrap().1);
        // and still refuses what the study does not offer
        let off = crate::arch::Arch::NbGraph(off);
        assert!(p.query(&off).is_err());
        // a table of another space is not used, and the note says why
        let nb101: Arc<dyn Benchmark + Send + Sync> = Arc::new(Other101);
        let u = StudyBench::new(&j, 0, run, 0, Some(nb101)).unwrap();
        let note = u.estimates().unwrap_or_default();
        assert!(
            note.starts_with("estimates")
                && note.contains(
                    "--predict: nb101-test holds nb101 architectures, this study nbgraph"
                ),
            "{note}"
        );
    }
}
