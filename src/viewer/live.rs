//! A search running in the viewer: a [`Session`] against a tabular
//! benchmark that playback drives (Space runs and pauses it, each step at
//! the end of the run makes a trial), that edits steer, and whose every
//! trial and steer event is appended to a session file as it happens.

use crate::search::{Benchmark, SearchError, Session, Strategy};
use crate::trace::log::SessionLog;
use crate::trace::Run;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a live session is made of.
pub struct LiveOptions {
    pub bench: Arc<dyn Benchmark + Send + Sync>,
    pub strategy: Strategy,
    pub seed: u64,
    pub run_id: String,
    /// Trials made before the window opens (at least one: a run on show
    /// has a step).
    pub warm: usize,
    pub save: SaveTo,
}

/// Where a live session is saved.
#[derive(Clone, Debug, PartialEq)]
pub enum SaveTo {
    /// This file, opened at once (a file that cannot be written is said at
    /// start; the session goes on in memory).
    File(PathBuf),
    /// This file, made only once the user runs or edits the search (the
    /// demo's live run: opening the demo leaves no file behind).
    Lazy(PathBuf),
    /// Nowhere (tests).
    Nowhere,
}

impl Save {
    fn pending(&self) -> Option<PathBuf> {
        match self {
            Save::Pending(p) => Some(p.clone()),
            _ => None,
        }
    }
}

enum Save {
    Off,
    Pending(PathBuf),
    Open(SessionLog),
    /// Could not write there: the session is held in memory.
    Failed(PathBuf, String),
}

/// A search in progress in the viewer.
pub struct Live {
    session: Session<'static>,
    save: Save,
    /// User trials that can still be undone, newest last.
    undoable: Vec<u64>,
    /// Trials and steer events when the session started: a lazy file is
    /// made only once there is more.
    pristine: (usize, usize),
}

impl Live {
    /// Starts the session and makes its first `warm` trials.
    pub fn start(opts: LiveOptions) -> Result<Live, SearchError> {
        let mut session = Session::shared(opts.bench, opts.strategy, opts.seed, &opts.run_id)?;
        session.run_n(opts.warm.max(1))?;
        let save = match opts.save {
            SaveTo::File(p) => match SessionLog::create(&p) {
                Ok(mut log) => match log.sync(session.run()) {
                    Ok(()) => Save::Open(log),
                    Err(e) => Save::Failed(p, e.to_string()),
                },
                Err(e) => Save::Failed(p, e.to_string()),
            },
            SaveTo::Lazy(p) => Save::Pending(p),
            SaveTo::Nowhere => Save::Off,
        };
        let pristine = (session.run().trials.len(), session.run().steers.len());
        Ok(Live {
            session,
            save,
            undoable: Vec::new(),
            pristine,
        })
    }

    pub fn run(&self) -> &Run {
        self.session.run()
    }

    pub fn bench(&self) -> &dyn Benchmark {
        self.session.bench()
    }

    /// Where the session is saved, or why it is not.
    pub(crate) fn saved_to(&self) -> Result<Option<&Path>, (&Path, &str)> {
        match &self.save {
            Save::Off => Ok(None),
            Save::Pending(p) => Ok(Some(p)),
            Save::Open(l) => Ok(Some(l.path())),
            Save::Failed(p, why) => Err((p, why)),
        }
    }

    /// Makes up to `n` trials; returns how many.
    pub fn step(&mut self, n: usize) -> Result<usize, SearchError> {
        self.session.run_n(n)
    }

    /// Applies `mutation` to trial `base` through the benchmark: a user
    /// trial and its steer event, which in evolution joins the population.
    pub fn edit(
        &mut self,
        base: u64,
        mutation: &crate::arch::Mutation,
    ) -> Result<u64, SearchError> {
        let id = self.session.edit(base, mutation, None)?.trial_id;
        self.undoable.push(id);
        Ok(id)
    }

    /// Takes back the newest user trial not yet taken back: returns it and
    /// its base.
    pub fn undo(&mut self) -> Result<Option<(u64, Option<u64>)>, SearchError> {
        let Some(id) = self.undoable.pop() else {
            return Ok(None);
        };
        let base = self.session.undo(id)?.base;
        Ok(Some((id, base)))
    }

    /// Records `pause` or `resume`.
    pub fn mark(&mut self, action: &str) -> Result<(), SearchError> {
        self.session.mark(action, None).map(|_| ())
    }

    /// Appends to the session file what it lacks; a failure is returned
    /// once (to be said on screen) and the session goes on in memory.
    pub fn save(&mut self) -> Option<String> {
        let run = self.session.run();
        let changed = (run.trials.len(), run.steers.len()) != self.pristine;
        if let Some(p) = self.save.pending().filter(|_| changed) {
            match SessionLog::create(&p) {
                Ok(log) => self.save = Save::Open(log),
                Err(e) => {
                    let msg = format!(
                        "cannot save to {}: {e}; the session is kept in memory, Ctrl+S saves it elsewhere",
                        p.display()
                    );
                    self.save = Save::Failed(p, e.to_string());
                    return Some(msg);
                }
            }
        }
        if let Save::Open(log) = &mut self.save {
            if let Err(e) = log.sync(self.session.run()) {
                let p = log.path().to_path_buf();
                let msg = format!(
                    "writing {} failed: {e}; the session is kept in memory, Ctrl+S saves it elsewhere",
                    p.display()
                );
                self.save = Save::Failed(p, e.to_string());
                return Some(msg);
            }
        }
        None
    }

    /// Saves the whole session to a new file at `path` and keeps
    /// appending there (after a failure, or to pick another file).
    pub(crate) fn save_to(&mut self, path: &Path) -> Result<(), std::io::Error> {
        let mut log = SessionLog::create(path)?;
        log.sync(self.session.run())?;
        self.save = Save::Open(log);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::NbGraphBench;
    use crate::table::nbgraph::NbGraphTable;

    fn opts(save: SaveTo) -> LiveOptions {
        LiveOptions {
            bench: Arc::new(NbGraphBench::new(NbGraphTable::cora().unwrap())),
            strategy: Strategy::Random,
            seed: 4,
            run_id: "live".into(),
            warm: 3,
            save,
        }
    }

    #[test]
    fn a_save_path_that_cannot_be_written_keeps_the_session_in_memory() {
        // a folder cannot be made under a file
        let dir = std::env::temp_dir().join(format!("nasviz-live-save-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let blocker = dir.join("a-file");
        std::fs::write(&blocker, "x").unwrap();
        let mut live = Live::start(opts(SaveTo::File(blocker.join("s.jsonl")))).unwrap();
        let (p, why) = live.saved_to().unwrap_err();
        assert!(p.ends_with("a-file/s.jsonl"), "{}", p.display());
        assert!(!why.is_empty());
        // the search goes on; nothing is said twice
        assert_eq!(live.step(5).unwrap(), 5);
        assert_eq!(live.save(), None);
        assert_eq!(live.run().trials.len(), 8);
        // another file gets everything so far, then what follows
        let other = dir.join("elsewhere.jsonl");
        live.save_to(&other).unwrap();
        live.step(2).unwrap();
        assert_eq!(live.save(), None);
        let (t, _) = crate::trace::jsonl::read_trace(&other).unwrap();
        assert_eq!(&t.runs[0], live.run());
        assert_eq!(t.runs[0].trials.len(), 10);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_lazy_file_is_made_only_once_the_session_changes() {
        let dir = std::env::temp_dir().join(format!("nasviz-live-lazy-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("s.jsonl");
        let mut live = Live::start(opts(SaveTo::Lazy(path.clone()))).unwrap();
        assert_eq!(live.save(), None);
        assert!(!path.exists(), "an untouched session leaves no file");
        live.step(1).unwrap();
        assert_eq!(live.save(), None);
        let (t, _) = crate::trace::jsonl::read_trace(&path).unwrap();
        assert_eq!(t.runs[0].trials.len(), 4);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
