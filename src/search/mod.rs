//! Searches over a tabular benchmark: random search and regularized
//! (aging) evolution, driven through a steerable [`Session`].

pub mod benchmark;
pub mod session;
pub mod steer;
pub mod study;

pub use benchmark::{Benchmark, Nb101Bench, NbGraphBench};
pub use session::{Session, Strategy};

use thiserror::Error;

#[derive(Debug, Error)]
pub enum SearchError {
    #[error("the search is paused: resume it before stepping")]
    Paused,
    #[error("the budget of {0} trials is spent")]
    BudgetSpent(usize),
    #[error("trial {0} does not exist in this run")]
    NoSuchTrial(u64),
    #[error("edit refused: {0}")]
    Edit(#[from] crate::arch::ArchError),
    #[error("{0}")]
    Lookup(#[from] crate::table::LookupError),
    #[error("the benchmark holds {bench} architectures; this one is {arch}")]
    WrongSpace {
        bench: &'static str,
        arch: &'static str,
    },
    #[error("invalid settings: {0}")]
    Settings(String),
}

/// Runs a search of `budget` trials and writes its trace (the run line,
/// then one line per trial) to `out`; `progress(done)` is called after
/// each trial. This is what `nasviz search` writes.
pub fn write_search<W: std::io::Write>(
    bench: &dyn Benchmark,
    strategy: Strategy,
    budget: usize,
    seed: u64,
    run_id: &str,
    out: W,
    mut progress: impl FnMut(usize),
) -> Result<crate::trace::Run, WriteSearchError> {
    let mut session = Session::new(bench, strategy, seed, run_id)?;
    session.set_budget(Some(budget));
    let mut w = crate::trace::jsonl::TraceWriter::new(out);
    w.run(&session.run().info)?;
    for i in 0..budget {
        let t = session.step()?;
        w.trial(run_id, t)?;
        progress(i + 1);
    }
    w.flush()?;
    Ok(session.into_run())
}

/// Why [`write_search`] stopped.
#[derive(Debug, Error)]
pub enum WriteSearchError {
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error("writing the trace: {0}")]
    Io(#[from] std::io::Error),
}
