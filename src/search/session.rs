//! A steerable search session: step it, run it for N trials, pause it,
//! and inject an architecture (a user edit) that is evaluated through the
//! benchmark and, in evolution, joins the population so the search
//! continues from it.

use super::{Benchmark, SearchError};
use crate::arch::{Arch, Mutation};
use crate::rng::Rng;
use crate::trace::{Objective, Run, RunInfo, Source, Steer, Trial, TrialMetrics, TrialRef};
use std::collections::VecDeque;

/// How the next architecture is chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Uniformly random architectures.
    Random,
    /// Regularized (aging) evolution (Real et al., AAAI 2019), as run on
    /// NAS-Bench-101 by Ying et al. 2019: fill a population with random
    /// architectures; then sample `sample` members, mutate the one with the
    /// best validation accuracy, add the child, and drop the oldest member.
    Evolution { population: usize, sample: usize },
}

impl Strategy {
    /// The defaults of the NAS-Bench-101 paper: population 50, sample 10.
    pub const EVOLUTION: Strategy = Strategy::Evolution {
        population: 50,
        sample: 10,
    };

    pub fn name(self) -> &'static str {
        match self {
            Strategy::Random => "random_search",
            Strategy::Evolution { .. } => "regularized_evolution",
        }
    }
}

/// A search in progress. Deterministic for a seed: the same benchmark,
/// strategy, seed and sequence of calls give the same trials.
pub struct Session<'b> {
    bench: BenchRef<'b>,
    strategy: Strategy,
    rng: Rng,
    run: Run,
    /// Positions in `run.trials` of the living population, oldest first.
    population: VecDeque<usize>,
    clock: f64,
    has_clock: bool,
    paused: bool,
    budget: Option<usize>,
}

/// The benchmark a session queries: borrowed, or shared with a viewer.
enum BenchRef<'b> {
    Borrowed(&'b dyn Benchmark),
    Shared(std::sync::Arc<dyn Benchmark + Send + Sync>),
}

impl BenchRef<'_> {
    fn get(&self) -> &dyn Benchmark {
        match self {
            BenchRef::Borrowed(b) => *b,
            BenchRef::Shared(b) => b.as_ref(),
        }
    }
}

impl Session<'static> {
    /// A session that shares its benchmark (a viewer holds it for as long
    /// as the window is open).
    pub fn shared(
        bench: std::sync::Arc<dyn Benchmark + Send + Sync>,
        strategy: Strategy,
        seed: u64,
        run_id: &str,
    ) -> Result<Session<'static>, SearchError> {
        Session::with(BenchRef::Shared(bench), strategy, seed, run_id)
    }
}

impl<'b> Session<'b> {
    /// The benchmark queried.
    pub fn bench(&self) -> &dyn Benchmark {
        self.bench.get()
    }

    pub fn new(
        bench: &'b dyn Benchmark,
        strategy: Strategy,
        seed: u64,
        run_id: &str,
    ) -> Result<Session<'b>, SearchError> {
        Session::with(BenchRef::Borrowed(bench), strategy, seed, run_id)
    }

    fn with(
        bench: BenchRef<'b>,
        strategy: Strategy,
        seed: u64,
        run_id: &str,
    ) -> Result<Session<'b>, SearchError> {
        let (space, benchmark) = (bench.get().space().name().to_string(), bench.get().name());
        if let Strategy::Evolution { population, sample } = strategy {
            if population == 0 || sample == 0 || sample > population {
                return Err(SearchError::Settings(format!(
                    "population {population} and sample {sample}: need 1 <= sample <= population"
                )));
            }
        }
        let config = match strategy {
            Strategy::Random => None,
            Strategy::Evolution { population, sample } => Some(serde_json::json!({
                "population": population,
                "sample": sample,
            })),
        };
        let info = RunInfo {
            run_id: run_id.to_string(),
            strategy: strategy.name().to_string(),
            space,
            benchmark,
            seed: Some(seed),
            objectives: vec![Objective {
                name: "val_acc".into(),
                mode: "max".into(),
            }],
            config,
        };
        Ok(Session {
            bench,
            strategy,
            rng: Rng::new(seed),
            run: Run::new(info),
            population: VecDeque::new(),
            clock: 0.0,
            has_clock: true,
            paused: false,
            budget: None,
        })
    }

    /// Stops [`Session::step`] after `n` trials in all.
    pub(crate) fn set_budget(&mut self, n: Option<usize>) {
        self.budget = n;
    }

    pub fn run(&self) -> &Run {
        &self.run
    }

    pub fn into_run(self) -> Run {
        self.run
    }

    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// Trial ids of the living population, oldest first.
    pub fn population(&self) -> Vec<u64> {
        self.population
            .iter()
            .filter_map(|&i| self.run.trials.get(i).map(|t| t.trial_id))
            .collect()
    }

    pub fn pause(&mut self) {
        self.paused = true;
    }

    pub fn resume(&mut self) {
        self.paused = false;
    }

    /// Evaluates `arch` and records it as the next trial.
    fn record(
        &mut self,
        arch: Arch,
        parents: Vec<u64>,
        mutation: Option<Mutation>,
        source: Source,
    ) -> Result<usize, SearchError> {
        let (key, m) = self.bench.get().query(&arch)?;
        match m.train_time_s {
            Some(t) => self.clock += t,
            None => self.has_clock = false,
        }
        let id = self.run.trials.len() as u64;
        let trial = Trial {
            trial_id: id,
            step: id,
            time_s: if self.has_clock {
                Some(self.clock)
            } else {
                None
            },
            parents: parents.into(),
            mutation: mutation.map(std::sync::Arc::new),
            arch,
            hash: Some(key.into()),
            metrics: TrialMetrics::from(&m),
            source,
            worker: None,
        };
        self.run
            .push(trial)
            .map_err(|e| SearchError::Settings(e.to_string()))?;
        let pos = self.run.trials.len() - 1;
        if let Strategy::Evolution { population, .. } = self.strategy {
            self.population.push_back(pos);
            while self.population.len() > population {
                self.population.pop_front();
            }
        }
        Ok(pos)
    }

    /// Proposes, evaluates and records one trial.
    pub fn step(&mut self) -> Result<TrialRef<'_>, SearchError> {
        if self.paused {
            return Err(SearchError::Paused);
        }
        if let Some(b) = self.budget {
            if self.run.trials.len() >= b {
                return Err(SearchError::BudgetSpent(b));
            }
        }
        let pos = match self.strategy {
            Strategy::Random => {
                let a = self.bench.get().random_arch(&mut self.rng);
                self.record(a, Vec::new(), None, Source::Search)?
            }
            Strategy::Evolution { population, sample } => {
                if self.population.len() < population {
                    let a = self.bench.get().random_arch(&mut self.rng);
                    self.record(a, Vec::new(), None, Source::Search)?
                } else {
                    let parent = self.tournament(sample);
                    let p = self.run.trials.at(parent);
                    let (pid, parch) = (p.trial_id, p.arch.clone());
                    if parch.space() != self.bench.get().space() {
                        return Err(SearchError::WrongSpace {
                            bench: self.bench.get().space().name(),
                            arch: parch.space().name(),
                        });
                    }
                    match self.bench.get().random_mutation(&parch, &mut self.rng) {
                        Some((child, m)) => {
                            self.record(child, vec![pid], Some(m), Source::Search)?
                        }
                        None => {
                            // no single edit of the parent is in the table (a
                            // partial table): the search goes on from a
                            // random member instead (a trial without a
                            // parent, which `nasviz search` counts)
                            let a = self.bench.get().random_arch(&mut self.rng);
                            self.record(a, Vec::new(), None, Source::Search)?
                        }
                    }
                }
            }
        };
        Ok(self.run.trials.at(pos))
    }

    /// The position of the best of `sample` distinct population members
    /// drawn uniformly (best validation accuracy; the earlier drawn wins a
    /// tie).
    fn tournament(&mut self, sample: usize) -> usize {
        let mut idx: Vec<usize> = self.population.iter().copied().collect();
        let k = sample.min(idx.len());
        let mut best: Option<usize> = None;
        for i in 0..k {
            let j = i + self.rng.below(idx.len() - i);
            idx.swap(i, j);
            let cand = idx[i];
            let better = match best {
                None => true,
                Some(b) => {
                    self.run.trials.at(cand).metrics.val_acc > self.run.trials.at(b).metrics.val_acc
                }
            };
            if better {
                best = Some(cand);
            }
        }
        best.unwrap_or(0)
    }

    /// Runs up to `n` steps; returns how many were taken (fewer when the
    /// budget ran out).
    pub fn run_n(&mut self, n: usize) -> Result<usize, SearchError> {
        for done in 0..n {
            match self.step() {
                Ok(_) => {}
                Err(SearchError::BudgetSpent(_)) => return Ok(done),
                Err(e) => return Err(e),
            }
        }
        Ok(n)
    }

    /// Evaluates a user's architecture and records it (`source: user`)
    /// with a steer event; in evolution it joins the population. A refused
    /// architecture leaves the session unchanged.
    pub fn inject(
        &mut self,
        arch: Arch,
        base: Option<u64>,
        mutation: Option<Mutation>,
        note: Option<String>,
    ) -> Result<TrialRef<'_>, SearchError> {
        if arch.space() != self.bench.get().space() {
            return Err(SearchError::WrongSpace {
                bench: self.bench.get().space().name(),
                arch: arch.space().name(),
            });
        }
        if let Some(b) = base {
            if self.run.position(b).is_none() {
                return Err(SearchError::NoSuchTrial(b));
            }
        }
        // look up first: a failed lookup must not change anything
        self.bench.get().query(&arch)?;
        let action = mutation
            .as_ref()
            .map(|m| m.kind().to_string())
            .unwrap_or_else(|| "inject".to_string());
        let pos = self.record(
            arch,
            base.into_iter().collect(),
            mutation.clone(),
            Source::User,
        )?;
        let t = self.run.trials.at(pos);
        let steer = Steer {
            run_id: self.run.info.run_id.clone(),
            step: t.step,
            action,
            base,
            trial_id: Some(t.trial_id),
            mutation,
            note,
        };
        self.run
            .push_steer(steer)
            .map_err(|e| SearchError::Settings(e.to_string()))?;
        Ok(self.run.trials.at(pos))
    }

    /// Applies `mutation` to trial `base`'s architecture and injects the
    /// result. An invalid edit is refused with its reason.
    pub fn edit(
        &mut self,
        base: u64,
        mutation: &Mutation,
        note: Option<String>,
    ) -> Result<TrialRef<'_>, SearchError> {
        let t = self.run.trial(base).ok_or(SearchError::NoSuchTrial(base))?;
        let arch = t.arch.mutate(mutation)?;
        self.inject(arch, Some(base), Some(mutation.clone()), note)
    }

    /// Records a steer event that makes no trial (`pause`, `resume`).
    pub fn mark(&mut self, action: &str, note: Option<String>) -> Result<&Steer, SearchError> {
        let step = self.run.trials.len().saturating_sub(1) as u64;
        self.push_steer(Steer {
            run_id: self.run.info.run_id.clone(),
            step,
            action: action.to_string(),
            base: None,
            trial_id: None,
            mutation: None,
            note,
        })
    }

    /// Takes back the user's trial `trial`: it leaves the population (the
    /// search goes on as if from its base) and an `undo` steer event names
    /// it and its base. Nothing is erased from the run.
    pub fn undo(&mut self, trial: u64) -> Result<&Steer, SearchError> {
        let pos = self
            .run
            .position(trial)
            .ok_or(SearchError::NoSuchTrial(trial))?;
        let t = self.run.trials.at(pos);
        if t.source != Source::User {
            return Err(SearchError::Settings(format!(
                "trial {trial} was made by the search, not by a user"
            )));
        }
        let base = t.parents.first().copied();
        self.population.retain(|&p| p != pos);
        let step = self.run.trials.len().saturating_sub(1) as u64;
        self.push_steer(Steer {
            run_id: self.run.info.run_id.clone(),
            step,
            action: "undo".into(),
            base,
            trial_id: Some(trial),
            mutation: None,
            note: None,
        })
    }

    fn push_steer(&mut self, s: Steer) -> Result<&Steer, SearchError> {
        self.run
            .push_steer(s)
            .map_err(|e| SearchError::Settings(e.to_string()))?;
        self.run
            .steers
            .last()
            .ok_or_else(|| SearchError::Settings("steer event not kept".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{LookupError, Metrics};

    /// A table of layer lists that knows every list but finds no edit.
    struct NoEdits;

    impl Benchmark for NoEdits {
        fn name(&self) -> String {
            "no-edits".into()
        }
        fn space(&self) -> crate::arch::Space {
            crate::arch::Space::Sequential
        }
        fn query(&self, arch: &Arch) -> Result<(String, Metrics), LookupError> {
            let n = arch.evaluated_dag().nodes.len() as f64;
            Ok((
                arch.key().unwrap_or_default(),
                Metrics {
                    val_acc: 0.5 + n / 100.0,
                    test_acc: 0.5,
                    train_time_s: None,
                    latency_s: None,
                    params: None,
                    repeats: Vec::new(),
                },
            ))
        }
        fn random_arch(&self, rng: &mut Rng) -> Arch {
            let n = 2 + rng.below(4);
            Arch::Sequential(
                crate::arch::sequential::LayerList::new((0..n).map(|i| format!("l{i}")).collect())
                    .unwrap_or_else(|_| crate::arch::sequential::LayerList { layers: Vec::new() }),
            )
        }
        fn random_mutation(&self, _: &Arch, _: &mut Rng) -> Option<(Arch, Mutation)> {
            None
        }
    }

    #[test]
    fn evolution_goes_on_when_no_edit_of_the_parent_is_in_the_table() {
        let bench = NoEdits;
        let strategy = Strategy::Evolution {
            population: 5,
            sample: 2,
        };
        let mut s = Session::new(&bench, strategy, 1, "re").expect("session");
        assert_eq!(s.run_n(20).expect("steps"), 20);
        // every step after the first population drew a random architecture
        assert!(s.run().trials.iter().all(|t| t.parents.is_empty()));
        assert!(s.run().trials.iter().all(|t| t.mutation.is_none()));
    }
}
