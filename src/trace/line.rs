//! What one line of a native trace is ([`Event`]), and the JSON of an edit
//! (a trial's `mutation`, [`parse_mutation`]): shared by the reader of
//! `jsonl.rs` and the fast scanner of `scan.rs`.

use super::{RunInfo, Steer, Trial};
use crate::arch::Mutation;
use serde::Deserialize;
use std::borrow::Cow;

/// One line of a trace.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    Run(RunInfo),
    /// A trial of a run (the run's id shared between the lines of a
    /// block: a large trace names its run a million times).
    Trial {
        run_id: std::sync::Arc<str>,
        trial: Trial,
    },
    Steer(Steer),
}

/// A mutation as written (read field by field: faster than serde's
/// buffering of internally tagged enums).
#[derive(Deserialize)]
pub(super) struct RawMutation<'a> {
    #[serde(borrow)]
    op: Cow<'a, str>,
    #[serde(default)]
    node: Option<usize>,
    #[serde(default)]
    from: Option<FromField<'a>>,
    #[serde(default)]
    to: Option<FromField<'a>>,
    #[serde(default, borrow)]
    layer: Option<Cow<'a, str>>,
}

/// `from`/`to` are node numbers in edge edits and op names in op changes.
enum FromField<'a> {
    Node(usize),
    Op(Cow<'a, str>),
}

impl<'de: 'a, 'a> Deserialize<'de> for FromField<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = FromField<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a node number or an op name")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
                usize::try_from(v)
                    .map(FromField::Node)
                    .map_err(|_| E::custom("node number too large"))
            }
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                v: &'de str,
            ) -> Result<Self::Value, E> {
                Ok(FromField::Op(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(FromField::Op(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_any(V)
    }
}

impl RawMutation<'_> {
    pub(super) fn to_mutation(&self) -> Result<Mutation, String> {
        let node = |f: &Option<FromField>, name: &str| match f {
            Some(FromField::Node(n)) => Ok(*n),
            Some(FromField::Op(s)) => Err(format!(
                "mutation {:?}: \"{name}\" is {s:?}, not a node number",
                self.op
            )),
            None => Err(format!("mutation {:?} without \"{name}\"", self.op)),
        };
        let op = |f: &Option<FromField>, name: &str| match f {
            Some(FromField::Op(s)) => Ok(s.to_string()),
            Some(FromField::Node(n)) => Err(format!(
                "mutation {:?}: \"{name}\" is {n}, not an op name",
                self.op
            )),
            None => Err(format!("mutation {:?} without \"{name}\"", self.op)),
        };
        let need_node = || {
            self.node
                .ok_or_else(|| format!("mutation {:?} without \"node\"", self.op))
        };
        Ok(match self.op.as_ref() {
            "change_op" => Mutation::ChangeOp {
                node: need_node()?,
                from: match &self.from {
                    None => None,
                    Some(_) => Some(op(&self.from, "from")?),
                },
                to: op(&self.to, "to")?,
            },
            "add_edge" => Mutation::AddEdge {
                from: node(&self.from, "from")?,
                to: node(&self.to, "to")?,
            },
            "remove_edge" => Mutation::RemoveEdge {
                from: node(&self.from, "from")?,
                to: node(&self.to, "to")?,
            },
            "add_node" => Mutation::AddNode {
                layer: self
                    .layer
                    .as_deref()
                    .ok_or_else(|| "mutation \"add_node\" without \"layer\"".to_string())?
                    .to_string(),
                from: node(&self.from, "from")?,
                to: node(&self.to, "to")?,
            },
            "remove_node" => Mutation::RemoveNode { node: need_node()? },
            "rewire" => Mutation::Rewire {
                node: need_node()?,
                from: node(&self.from, "from")?,
                to: node(&self.to, "to")?,
            },
            other => {
                return Err(format!(
                    "unknown mutation {other:?}: expected change_op, add_edge, remove_edge, add_node, remove_node or rewire"
                ))
            }
        })
    }
}

/// Parses the JSON of an edit (a trial's `mutation`).
pub fn parse_mutation(text: &str) -> Result<Mutation, String> {
    let raw: RawMutation = serde_json::from_str(text).map_err(|e| e.to_string())?;
    raw.to_mutation()
}
