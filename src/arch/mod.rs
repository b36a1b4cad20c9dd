//! Architecture graphs and the search spaces built on them.
//!
//! Every space converts to the one labelled [`Dag`] that the views draw;
//! every space knows its validity rules, its canonical hash (the key of
//! its tabular benchmark), the [`Mutation`]s a search applies, and a
//! structural [`diff`](diff::diff) between two of its architectures.

pub mod dag;
pub mod diff;
pub mod error;
pub(crate) mod md5;
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
    pub(crate) fn allows_isomorphism(self) -> bool {
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

    /// The DAG that views draw and diffs compare: the architecture as it
    /// is evaluated (NB-101 cells pruned, as NAS-Bench-101 trains them).
    pub fn evaluated_dag(&self) -> Dag {
        match self {
            Arch::Nb101(c) => c.pruned_dag(),
            other => other.to_dag(),
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
        Ok(diff::diff(
            &self.evaluated_dag(),
            &new.evaluated_dag(),
            self.space().allows_isomorphism(),
        ))
    }
}

/// The JSON form of an architecture in traces: an object with `space` and
/// the space's fields — NB-101 `matrix` + `ops`; NB-201 `string`;
/// NAS-Bench-Graph `links` + `ops`; layer lists `layers`. Without `space`,
/// `layers` means a layer list and `matrix` an NB-101 cell.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct ArchJson<'a> {
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub space: Option<std::borrow::Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matrix: Option<Vec<Vec<i64>>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub string: Option<std::borrow::Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<Vec<i64>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub ops: Option<Vec<std::borrow::Cow<'a, str>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layers: Option<Vec<String>>,
}

/// The value of a field the space needs, or which one is missing.
fn required<'v, T>(
    value: &'v Option<T>,
    space: &'static str,
    field: &str,
) -> Result<&'v T, ArchError> {
    value.as_ref().ok_or_else(|| ArchError::BadString {
        space,
        text: String::new(),
        rule: format!("missing \"{field}\""),
    })
}

impl ArchJson<'_> {
    /// The architecture this JSON describes.
    pub(crate) fn to_arch(&self) -> Result<Arch, ArchError> {
        let space = match self.space.as_deref() {
            Some(s) => s.parse::<Space>()?,
            None if self.layers.is_some() => Space::Sequential,
            None if self.matrix.is_some() => Space::Nb101,
            None if self.string.is_some() => Space::Nb201,
            None if self.links.is_some() => Space::NbGraph,
            None => return Err(ArchError::UnknownSpace(String::new())),
        };
        match space {
            Space::Nb101 => {
                let m = required(&self.matrix, "nb101", "matrix")?;
                let ops = required(&self.ops, "nb101", "ops")?;
                let c = nb101::Cell::new(m, ops)?;
                // a member of the space: something must flow from input to output
                c.pruned()?;
                Ok(Arch::Nb101(c))
            }
            Space::Nb201 => {
                let s = required(&self.string, "nb201", "string")?;
                Ok(Arch::Nb201(nb201::Cell::parse(s)?))
            }
            Space::NbGraph => {
                let l = required(&self.links, "nbgraph", "links")?;
                let ops = required(&self.ops, "nbgraph", "ops")?;
                if l.len() != 4 {
                    return Err(ArchError::BadString {
                        space: "nbgraph",
                        text: format!("{l:?}"),
                        rule: format!("expected 4 links, found {}", l.len()),
                    });
                }
                let mut links = [0u8; 4];
                for (i, (dst, &src)) in links.iter_mut().zip(l).enumerate() {
                    *dst = u8::try_from(src).map_err(|_| ArchError::BadLink {
                        node: i,
                        link: src.max(0) as usize,
                        rule: "a link is 0 (the input) or an earlier node",
                    })?;
                }
                Ok(Arch::NbGraph(nbgraph::GraphArch::from_names(links, ops)?))
            }
            Space::Sequential => {
                let l = required(&self.layers, "sequential", "layers")?;
                Ok(Arch::Sequential(sequential::LayerList::new(l.clone())?))
            }
        }
    }
}

impl Arch {
    /// The JSON form written to traces.
    pub(crate) fn to_json(&self) -> ArchJson<'static> {
        use std::borrow::Cow;
        let mut j = ArchJson {
            space: Some(Cow::Borrowed(self.space().name())),
            ..Default::default()
        };
        match self {
            Arch::Nb101(c) => {
                j.matrix = Some(
                    c.matrix()
                        .into_iter()
                        .map(|r| r.into_iter().map(i64::from).collect())
                        .collect(),
                );
                j.ops = Some(c.ops().iter().map(|o| Cow::Borrowed(o.name())).collect());
            }
            Arch::Nb201(c) => j.string = Some(Cow::Owned(c.to_string())),
            Arch::NbGraph(a) => {
                j.links = Some(a.links.iter().map(|&l| i64::from(l)).collect());
                j.ops = Some(a.ops.iter().map(|o| Cow::Borrowed(o.name())).collect());
            }
            Arch::Sequential(l) => j.layers = Some(l.layers.clone()),
        }
        j
    }

    /// Parses the JSON form.
    pub fn from_json_str(s: &str) -> Result<Arch, ArchError> {
        let j: ArchJson = serde_json::from_str(s).map_err(|e| ArchError::BadString {
            space: "any",
            text: s.chars().take(80).collect(),
            rule: e.to_string(),
        })?;
        j.to_arch()
    }
}
