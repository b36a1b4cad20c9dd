//! Architecture graphs and the search spaces built on them.
//!
//! Every space converts to the one labelled [`Dag`] that the views draw;
//! every space knows its validity rules, its canonical hash (the key of
//! its tabular benchmark), the [`Mutation`]s a search applies, and a
//! structural [`diff`](diff::diff) between two of its architectures.

pub mod dag;
pub mod diff;
pub mod error;
pub mod md5;
pub mod md5x;
pub mod mutation;
pub mod nb101;
pub mod nb201;
pub mod nbgraph;
pub mod sequential;

pub use dag::Dag;
pub use diff::ArchDiff;
pub use error::ArchError;
pub use mutation::Mutation;

use serde::{Deserialize, Serialize};

/// The search spaces nasviz knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Space {
    Nb101,
    Nb201,
    NbGraph,
    Sequential,
}

impl Space {
    pub fn name(self) -> &'static str {
        match self {
            Space::Nb101 => "nb101",
            Space::Nb201 => "nb201",
            Space::NbGraph => "nbgraph",
            Space::Sequential => "sequential",
        }
    }

    /// Whether two architectures of this space that differ only in vertex
    /// numbering are the same architecture (so diffs match vertices by
    /// structure, not by index).
    pub fn allows_isomorphism(self) -> bool {
        matches!(self, Space::Nb101 | Space::NbGraph)
    }
}

impl std::str::FromStr for Space {
    type Err = ArchError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "nb101" | "nasbench101" | "nas-bench-101" => Ok(Space::Nb101),
            "nb201" | "nasbench201" | "nas-bench-201" => Ok(Space::Nb201),
            "nbgraph" | "nasbenchgraph" | "nas-bench-graph" => Ok(Space::NbGraph),
            "sequential" | "layers" => Ok(Space::Sequential),
            _ => Err(ArchError::UnknownSpace(s.to_string())),
        }
    }
}

impl std::fmt::Display for Space {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// An architecture of any known space.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Arch {
    Nb101(nb101::Cell),
    Nb201(nb201::Cell),
    NbGraph(nbgraph::GraphArch),
    Sequential(sequential::LayerList),
}

impl Arch {
    pub fn space(&self) -> Space {
        match self {
            Arch::Nb101(_) => Space::Nb101,
            Arch::Nb201(_) => Space::Nb201,
            Arch::NbGraph(_) => Space::NbGraph,
            Arch::Sequential(_) => Space::Sequential,
        }
    }

    /// The labelled DAG the views draw.
    pub fn to_dag(&self) -> Dag {
        match self {
            Arch::Nb101(c) => c.to_dag(),
            Arch::Nb201(c) => c.to_dag(),
            Arch::NbGraph(a) => a.to_dag(),
            Arch::Sequential(l) => l.to_dag(),
        }
    }

    /// The canonical hash, as a string: the key under which the space's
    /// benchmark stores this architecture (NB-101: the official module hash
    /// of the pruned cell; NB-201: the standard string; NAS-Bench-Graph: the
    /// package's integer hash of the canonical representative).
    pub fn key(&self) -> Result<String, ArchError> {
        match self {
            Arch::Nb101(c) => Ok(c.hash()?.to_string()),
            Arch::Nb201(c) => Ok(c.to_string()),
            Arch::NbGraph(a) => Ok(a.valid_hash()?.to_string()),
            Arch::Sequential(l) => Ok(l.to_string()),
        }
    }

    /// Applies one edit, returning a valid architecture or why it is not.
    pub fn mutate(&self, m: &Mutation) -> Result<Arch, ArchError> {
        match self {
            Arch::Nb101(c) => c.mutate(m).map(Arch::Nb101),
            Arch::Nb201(c) => c.mutate(m).map(Arch::Nb201),
            Arch::NbGraph(a) => a.mutate(m).map(Arch::NbGraph),
            Arch::Sequential(l) => l.mutate(m).map(Arch::Sequential),
        }
    }

    /// The structural difference from `self` (old) to `new`.
    pub fn diff(&self, new: &Arch) -> Result<ArchDiff, ArchError> {
        if self.space() != new.space() {
            return Err(ArchError::SpaceMismatch {
                a: self.space().name(),
                b: new.space().name(),
            });
        }
        let (a, b) = match (self, new) {
            (Arch::Nb101(a), Arch::Nb101(b)) => (a.pruned_dag(), b.pruned_dag()),
            _ => (self.to_dag(), new.to_dag()),
        };
        Ok(diff::diff(&a, &b, self.space().allows_isomorphism()))
    }
}
