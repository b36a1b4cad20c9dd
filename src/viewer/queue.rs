//! Steering a followed Optuna study: edit mode on its trials (the study as
//! a [`StudyBench`]), Enter enqueues the edited architecture into the
//! storage the study's workers share ([`crate::trace::enqueue`]), the
//! queue strip follows each enqueued trial (queued, running on a worker,
//! landed with its accuracy and delta against its base), and Ctrl+Z
//! withdraws one that is still waiting.

use super::*;
use crate::search::study::StudyBench;
use crate::trace::engine::replay::State as TrialState;
use crate::trace::enqueue::{self, Request};
use std::time::Duration;

/// How long an enqueue waits for the journal's lock or the database's.
pub(super) const LOCK_TIMEOUT: Duration = Duration::from_secs(3);

/// A trial nasviz enqueued into a followed study.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Queued {
    /// The viewer's run and the storage's study.
    pub run: usize,
    pub study: usize,
    /// Its number in the study.
    pub number: usize,
    /// The base trial (its number) and its accuracies.
    pub base: u64,
    pub(crate) base_acc: (f64, f64),
    /// The edit, in words.
    pub label: String,
    /// What the menu said it would give (NaN: no estimate).
    pub(crate) predicted: (f64, f64),
    pub(crate) phase: Phase,
}

/// Where an enqueued trial is.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Phase {
    /// Waiting for a free worker.
    Waiting,
    /// Taken by a worker (its id, where the storage records one).
    Running(Option<String>),
    /// Completed and drawn: its accuracies.
    Landed(f64, f64),
    /// Finished without a result to draw (failed, pruned, or completed
    /// without an accuracy nasviz reads).
    Ended(&'static str),
    /// Withdrawn by Ctrl+Z before a worker took it.
    Withdrawn,
}

impl Phase {
    fn over(&self) -> bool {
        matches!(self, Phase::Landed(..) | Phase::Ended(_) | Phase::Withdrawn)
    }
}

impl Viewer {
    /// A tabular benchmark the what-if menu of a followed study looks its
    /// choices up in (`--predict`), instead of estimating them.
    pub fn set_predict(&mut self, bench: Option<Arc<dyn crate::search::Benchmark + Send + Sync>>) {
        self.predict = bench;
    }

    /// E on a run of a followed study: edit mode on its selected trial, or
    /// its step on show. Returns false when nothing followed takes edits
    /// (the live search's edit mode is then tried).
    pub(super) fn enter_study_edit(&mut self) -> bool {
        let Some(f) = &self.follow else {
            return false;
        };
        let journal = match enqueue::queue_of(&f.follower) {
            Ok(j) => j,
            Err(_) if matches!(f.follower, crate::trace::open::Followed::Native(_)) => {
                return false
            }
            Err(why) => {
                self.state.notify_for(format!("no edits here: {why}"), 10.0);
                return true;
            }
        };
        let r = self.state.run();
        let Some(study) = enqueue::study_of_run(&f.follower, r) else {
            self.state
                .notify("this run is not a study of the followed storage".into());
            return true;
        };
        self.state.set_playing(false);
        let base = match self.state.selected().filter(|t| t.run == r) {
            Some(t) => t.index,
            None => self.state.step(),
        };
        let Some(base_id) = self.runs[r].trials.get(base).map(|t| t.trial_id) else {
            return true;
        };
        match StudyBench::new(journal, study, &self.runs[r], base_id, self.predict.clone()) {
            Ok(b) => {
                self.study_bench = Some(b);
                self.editor = edit::Editor::new(r, &self.runs[r], base);
            }
            Err(why) => self
                .state
                .notify_for(format!("cannot edit trial {base_id}: {why}"), 10.0),
        }
        self.state.notify_changed();
        true
    }

    /// Enqueues the base of `e` edited by `m` into its study.
    pub(super) fn enqueue_edit(&mut self, e: edit::Editor, m: crate::arch::Mutation) {
        let refuse = |this: &mut Viewer, e: edit::Editor, msg: String| {
            this.state.notify_for(msg, 10.0);
            this.editor = Some(e);
        };
        let Some(bench) = &self.study_bench else {
            return;
        };
        let prepared = e
            .arch
            .mutate(&m)
            .map_err(|why| format!("edit refused: {why}"))
            .and_then(|arch| {
                let params = bench
                    .params(&arch)
                    .map_err(|why| format!("not enqueued: {why}"))?;
                let predicted = crate::search::Benchmark::query(bench, &arch)
                    .map_or((f64::NAN, f64::NAN), |(_, x)| (x.val_acc, x.test_acc));
                Ok((params, predicted))
            });
        let (params, predicted) = match prepared {
            Ok(x) => x,
            Err(msg) => return refuse(self, e, msg),
        };
        let label = super::tips::describe_edit(&m);
        let mut provenance = serde_json::Map::new();
        provenance.insert("base_trial".into(), e.base_id.into());
        provenance.insert("edit".into(), label.clone().into());
        if let Ok(v) = serde_json::to_value(&m) {
            provenance.insert("mutation".into(), v);
        }
        let mut user_attrs = serde_json::Map::new();
        user_attrs.insert(
            crate::trace::engine::studies::PROVENANCE.into(),
            serde_json::Value::Object(provenance),
        );
        let req = Request { params, user_attrs };
        let Some(f) = &mut self.follow else {
            return;
        };
        let result = match enqueue::study_of_run(&f.follower, e.run) {
            None => Err("the study is no longer in the storage".to_string()),
            Some(study) => enqueue::enqueue(&mut f.follower, study, &req, LOCK_TIMEOUT)
                .map_err(|why| why.to_string()),
        };
        let study_name = result.as_ref().ok().and_then(|q| {
            enqueue::queue_of(&f.follower)
                .ok()
                .and_then(|j| j.studies.get(q.study))
                .map(|s| format!(" of study {:?}", s.name))
        });
        match result {
            Err(why) => refuse(self, e, format!("not enqueued: {why}")),
            Ok(q) => {
                self.queue.push(Queued {
                    run: e.run,
                    study: q.study,
                    number: q.number,
                    base: e.base_id,
                    base_acc: e.base_acc,
                    label,
                    predicted,
                    phase: Phase::Waiting,
                });
                self.state.notify_for(
                    format!(
                        "enqueued as trial {}{}: the next free worker trains it; Ctrl+Z withdraws it while it waits",
                        q.number,
                        study_name.unwrap_or_default()
                    ),
                    10.0,
                );
                // what the storage now holds (the trial, waiting)
                self.absorb_followed();
            }
        }
    }

    /// Ctrl+Z on a followed study: withdraws the newest enqueued trial
    /// that is not over, if no worker has taken it.
    pub(super) fn withdraw_last(&mut self) {
        let Some(f) = &mut self.follow else {
            return;
        };
        let Some(i) = self.queue.iter().rposition(|q| !q.phase.over()) else {
            let msg = match self.queue.last() {
                Some(q) if matches!(q.phase, Phase::Landed(..)) => format!(
                    "nothing to undo: trial {} has already run (a trial a worker took cannot be withdrawn)",
                    q.number
                ),
                _ => "nothing to undo: no enqueued trial is waiting".into(),
            };
            self.state.notify(msg);
            return;
        };
        let q = self.queue[i].clone();
        let msg = match enqueue::withdraw(&mut f.follower, q.study, q.number, LOCK_TIMEOUT) {
            Ok(()) => {
                self.queue[i].phase = Phase::Withdrawn;
                format!(
                    "trial {} withdrawn: marked failed while waiting, so no worker takes it",
                    q.number
                )
            }
            Err(e) => format!("cannot undo: {e}"),
        };
        self.state.notify_for(msg, 10.0);
        self.absorb_followed();
    }

    /// Takes in what the followed storage holds now and moves each
    /// enqueued trial along (queued, running, landed).
    pub(super) fn absorb_followed(&mut self) {
        let Some(f) = self.follow.take() else {
            return;
        };
        self.absorb(f.follower.trace());
        self.update_queue(&f.follower);
        self.follow = Some(f);
    }

    /// Moves each enqueued trial along, saying when one lands.
    pub(super) fn update_queue(&mut self, follower: &crate::trace::open::Followed) {
        let Ok(journal) = enqueue::queue_of(follower) else {
            return;
        };
        let mut landed = Vec::new();
        for q in self.queue.iter_mut().filter(|q| !q.phase.over()) {
            let t = journal
                .studies
                .get(q.study)
                .and_then(|s| s.trials.get(q.number))
                .and_then(|&id| journal.trials.get(id));
            let Some(t) = t else {
                continue;
            };
            let phase = match t.state {
                TrialState::Waiting => Phase::Waiting,
                TrialState::Running => Phase::Running(t.worker.clone()),
                TrialState::Complete => {
                    match self.runs.get(q.run).and_then(|r| r.trial(q.number as u64)) {
                        Some(x) => Phase::Landed(x.metrics.val_acc, x.metrics.test_acc),
                        None => Phase::Ended(
                            "completed without an accuracy or architecture nasviz reads",
                        ),
                    }
                }
                TrialState::Pruned => Phase::Ended("pruned"),
                TrialState::Fail => Phase::Ended("failed"),
            };
            if phase != q.phase {
                if let Phase::Landed(v, t) = phase {
                    landed.push(format!(
                        "trial {} landed: validation {} ({} vs trial {}), test {} ({})",
                        q.number,
                        crate::fmt::fmt_pct(v),
                        crate::fmt::fmt_pp(v - q.base_acc.0),
                        q.base,
                        crate::fmt::fmt_pct(t),
                        crate::fmt::fmt_pp(t - q.base_acc.1),
                    ));
                }
                q.phase = phase;
                self.state.notify_changed();
            }
        }
        if let Some(m) = landed.pop() {
            self.state.notify_for(m, 10.0);
        }
    }

    /// The queue strip: each enqueued trial of the run on show, newest
    /// last (at most five).
    pub(super) fn queue_view(&self) -> Option<overlay::QueueView> {
        let r = self.state.run();
        let mine: Vec<&Queued> = self.queue.iter().filter(|q| q.run == r).collect();
        if mine.is_empty() {
            return None;
        }
        let pct = crate::fmt::fmt_pct;
        let pp = crate::fmt::fmt_pp;
        let mut lines = Vec::new();
        for q in mine.iter().skip(mine.len().saturating_sub(5)) {
            let what = format!("trial {} ({}, from trial {})", q.number, q.label, q.base);
            let expect = if q.predicted.0.is_nan() {
                String::new()
            } else {
                format!(
                    " · expected {} ({})",
                    pct(q.predicted.0),
                    pp(q.predicted.0 - q.base_acc.0)
                )
            };
            let (text, color) = match &q.phase {
                Phase::Waiting => (format!("queued   {what}{expect}"), overlay::TIP_NOTE),
                Phase::Running(w) => (
                    format!(
                        "running  {what} on {}{expect}",
                        w.as_deref().map_or("a worker".to_string(), short_worker)
                    ),
                    overlay::TIP_TEXT,
                ),
                Phase::Landed(v, t) => (
                    format!(
                        "landed   {what}: validation {} ({}), test {} ({})",
                        pct(*v),
                        pp(v - q.base_acc.0),
                        pct(*t),
                        pp(t - q.base_acc.1)
                    ),
                    if *v >= q.base_acc.0 {
                        overlay::TIP_GOOD
                    } else {
                        overlay::TIP_BAD
                    },
                ),
                Phase::Ended(why) => (format!("ended    {what}: {why}"), Color::hex(0x8c959f)),
                Phase::Withdrawn => (format!("withdrawn {what}"), Color::hex(0x8c959f)),
            };
            lines.push((text, color));
        }
        let panels = dashboard_panels(self.state.size().0, self.state.ui().dashboard_height.max(1));
        Some(overlay::QueueView {
            title: format!("Enqueued into the study ({})", mine.len()),
            lines,
            anchor: panels.scatter,
        })
    }
}

/// A worker id made short enough for a strip: Optuna's are a UUID and a
/// thread id.
fn short_worker(w: &str) -> String {
    match w.split_once('-') {
        Some((head, _)) if w.len() > 16 => format!("worker {head}…"),
        _ => format!("worker {w}"),
    }
}
