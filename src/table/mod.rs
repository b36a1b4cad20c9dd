//! Tabular benchmarks: a lookup from an architecture to its metrics, as
//! recorded by the benchmark. Nothing is ever invented: an architecture
//! that is not in a table is reported as missing.

pub mod binfile;
pub mod nb101;
pub mod nbgraph;
pub mod pickle;
pub mod protobuf;
pub mod tfrecord;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// One training run of an architecture (benchmarks with repeats have several).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Repeat {
    pub val_acc: f64,
    pub test_acc: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_time_s: Option<f64>,
}

/// What a benchmark knows about one architecture. Accuracies are fractions
/// in [0, 1]; where a benchmark has repeats, `val_acc`/`test_acc`/
/// `train_time_s` are their means and `repeats` holds each run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub val_acc: f64,
    pub test_acc: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_time_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_s: Option<f64>,
    /// Trainable parameters (a count, not millions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repeats: Vec<Repeat>,
}

impl Metrics {
    /// Metrics from repeats: the accuracies and training time are the means.
    pub(crate) fn from_repeats(repeats: Vec<Repeat>, params: Option<f64>) -> Option<Self> {
        if repeats.is_empty() {
            return None;
        }
        let n = repeats.len() as f64;
        let val_acc = repeats.iter().map(|r| r.val_acc).sum::<f64>() / n;
        let test_acc = repeats.iter().map(|r| r.test_acc).sum::<f64>() / n;
        let train_time_s = if repeats.iter().all(|r| r.train_time_s.is_some()) {
            Some(repeats.iter().filter_map(|r| r.train_time_s).sum::<f64>() / n)
        } else {
            None
        };
        Some(Metrics {
            val_acc,
            test_acc,
            train_time_s,
            latency_s: None,
            params,
            repeats,
        })
    }
}

/// A lookup that did not find metrics.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum LookupError {
    #[error("architecture {key} is not in the {table} table")]
    NotInTable { key: String, table: String },
    #[error("the {table} table holds {expected} architectures, not {found} ones")]
    WrongSpace {
        table: String,
        expected: &'static str,
        found: &'static str,
    },
    #[error("architecture is invalid: {0}")]
    Invalid(#[from] crate::arch::ArchError),
    /// What the source of the numbers refuses, in words.
    #[error("{0}")]
    Refused(String),
}

/// Reading or writing a benchmark table file failed.
#[derive(Debug, Error)]
pub enum TableError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: byte {offset}: {what}")]
    Corrupt {
        path: String,
        offset: usize,
        what: String,
    },
    #[error("{path}: record {record}: {what}")]
    BadRecord {
        path: String,
        record: String,
        what: String,
    },
}
