//! What the analyses' tests build their runs from.

use crate::arch::{sequential::LayerList, Arch};
use crate::trace::{jsonl, Run, RunInfo, Trace};

/// The demo's regularized evolution (one run of 2,000 trials).
pub(crate) fn demo_evolution() -> Trace {
    let (trace, _) = jsonl::read_trace_from(
        crate::export::DEMO_EVOLUTION.as_bytes(),
        "cora-evolution-2000.jsonl",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    trace
}

/// An empty run of layer lists.
pub(crate) fn sequential_run(id: &str, strategy: &str) -> Run {
    Run::new(RunInfo::new(id, strategy, "sequential"))
}

/// One `conv` layer: the architecture of every trial of a run made by hand.
pub(crate) fn one_conv() -> Arch {
    Arch::Sequential(LayerList::new(vec!["conv".into()]).unwrap_or_else(|e| panic!("{e}")))
}
