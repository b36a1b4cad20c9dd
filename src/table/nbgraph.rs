//! The NAS-Bench-Graph benchmark table: for every canonical architecture
//! of one dataset, validation and test accuracy, inference latency and
//! parameter count, keyed by the package's hash
//! ([`GraphArch::valid_hash`]).
//!
//! Tables are imported from the package's `.bench` pickles
//! ([`NbGraphTable::from_bench_file`]) and stored in a compact binary
//! format, `.nbt`:
//!
//! ```text
//! offset    size       field
//! 0         8          magic "NASVZNBT"
//! 8         2          format version, u16 = 1
//! 10        1          op set: 0 = full (9 ops), 1 = proteins (gcn sage arma fc skip)
//! 11        1          n = length of the dataset name in bytes (1..=255)
//! 12        n          dataset name, UTF-8
//! 12+n      4          count of records, u32 (at least 1)
//! 16+n      36*count   records, hashes strictly ascending:
//!                        hash u32, val_acc f64, test_acc f64, latency_s f64, params u64
//! end-8     8          checksum of every preceding byte, u64 (see [`checksum`])
//! ```
//!
//! All integers and floats are little-endian. Accuracies are fractions in
//! [0, 1], latency is in seconds, params is a count. Loading checks the
//! magic, version, exact length, checksum, that hashes decode to canonical
//! link patterns and ascend, and that every value is finite and in range.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use super::pickle::{self, Value};
use super::{LookupError, Metrics, TableError};
use crate::arch::nbgraph::{GnnOp, GraphArch};

/// Magic bytes that open an `.nbt` file.
pub(crate) const MAGIC: &[u8; 8] = b"NASVZNBT";
/// The `.nbt` format version this code reads and writes.
pub(crate) const VERSION: u16 = 1;
const RECORD_LEN: usize = 36;

/// The ops a dataset's architectures use. Hashes use the full op
/// numbering in both (the package's `hash_arch` with `gnn_list`); the
/// Proteins table only holds architectures built from its five ops.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpSet {
    /// All nine ops (every dataset except Proteins).
    Full,
    /// `gcn sage arma fc skip` (the Proteins dataset).
    Proteins,
}

impl OpSet {
    pub fn name(self) -> &'static str {
        match self {
            OpSet::Full => "full",
            OpSet::Proteins => "proteins",
        }
    }

    pub fn ops(self) -> &'static [GnnOp] {
        match self {
            OpSet::Full => &GnnOp::ALL,
            OpSet::Proteins => &GnnOp::PROTEINS,
        }
    }

    /// The op set of a package dataset name (`proteins` or any other).
    pub fn for_dataset(name: &str) -> OpSet {
        if name.eq_ignore_ascii_case("proteins") {
            OpSet::Proteins
        } else {
            OpSet::Full
        }
    }

    /// Whether `op` belongs to this op set.
    pub fn allows(self, op: GnnOp) -> bool {
        self.mask() & (1 << op.index()) != 0
    }

    /// Bit `i` set for the op with index `i`.
    fn mask(self) -> u16 {
        match self {
            OpSet::Full => 0x1ff,
            // gcn 1, sage 4, arma 5, fc 7, skip 8
            OpSet::Proteins => 0b1_1011_0010,
        }
    }

    fn code(self) -> u8 {
        match self {
            OpSet::Full => 0,
            OpSet::Proteins => 1,
        }
    }

    fn from_code(c: u8) -> Option<OpSet> {
        match c {
            0 => Some(OpSet::Full),
            1 => Some(OpSet::Proteins),
            _ => None,
        }
    }
}

impl FromStr for OpSet {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "full" => Ok(OpSet::Full),
            "proteins" => Ok(OpSet::Proteins),
            _ => Err(format!("unknown op set {s:?}: expected full or proteins")),
        }
    }
}

impl fmt::Display for OpSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Record {
    val: f64,
    test: f64,
    latency: f64,
    params: u64,
}

impl Record {
    fn metrics(&self) -> Metrics {
        Metrics {
            val_acc: self.val,
            test_acc: self.test,
            train_time_s: None,
            latency_s: Some(self.latency),
            params: Some(self.params as f64),
            repeats: Vec::new(),
        }
    }
}

/// One dataset of NAS-Bench-Graph: metrics of every canonical architecture.
#[derive(Clone, Debug, PartialEq)]
pub struct NbGraphTable {
    dataset: String,
    op_set: OpSet,
    /// Strictly ascending; `records[i]` belongs to `hashes[i]`.
    hashes: Vec<u32>,
    records: Vec<Record>,
}

pub use super::binfile::checksum;

fn acc_ok(x: f64) -> bool {
    x.is_finite() && (0.0..=1.0).contains(&x)
}

impl NbGraphTable {
    /// Reads one of the package's `.bench` pickles (`nas_bench_graph/light/
    /// <dataset>.bench`): a dict from hash to `{valid_perf, perf, latency,
    /// para}`. `para` (millions) becomes a count. Every hash must be a
    /// canonical architecture using only `op_set`'s ops; accuracies must be
    /// finite fractions, latency and params finite and non-negative. The
    /// dataset is named after the file stem.
    pub fn from_bench_file(path: &Path, op_set: OpSet) -> Result<Self, TableError> {
        let (data, shown) = super::binfile::read(path)?;
        let dataset = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "unknown".to_string());
        Self::from_bench_bytes(&data, &dataset, op_set, &shown)
    }

    /// [`NbGraphTable::from_bench_file`] on bytes already read.
    pub fn from_bench_bytes(
        data: &[u8],
        dataset: &str,
        op_set: OpSet,
        path_for_errors: &str,
    ) -> Result<Self, TableError> {
        let path = path_for_errors;
        let bad = |record: String, what: String| TableError::BadRecord {
            path: path.to_string(),
            record,
            what,
        };
        let entries = bench_entries(pickle::parse(data, path)?, path)?;
        let name = truncate_name(dataset);
        let mut rows: Vec<(u32, Record)> = Vec::with_capacity(entries.len());
        for (k, v) in &entries {
            let hash = bench_key(k).map_err(|what| bad(format!("{k:?}"), what))?;
            let rec = check_canonical(hash, op_set)
                .and_then(|()| bench_record(v))
                .map_err(|what| bad(hash.to_string(), what))?;
            rows.push((hash, rec));
        }
        rows.sort_unstable_by_key(|r| r.0);
        if let Some(w) = rows.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(bad(w[0].0.to_string(), "appears twice".into()));
        }
        Ok(NbGraphTable {
            dataset: name,
            op_set,
            hashes: rows.iter().map(|r| r.0).collect(),
            records: rows.into_iter().map(|r| r.1).collect(),
        })
    }

    /// The table for Cora that ships with nasviz (26,206 architectures).
    pub fn cora() -> Result<Self, TableError> {
        #[cfg(not(target_arch = "wasm32"))]
        let bytes: &[u8] = include_bytes!("../../datasets/nbgraph-cora.nbt");
        #[cfg(target_arch = "wasm32")]
        let bytes = &crate::embedded::inflate(crate::embedded::CORA_Z, "the Cora table").map_err(
            |source| TableError::Io {
                path: "datasets/nbgraph-cora.nbt (embedded)".into(),
                source,
            },
        )?[..];
        Self::from_bytes(bytes, "datasets/nbgraph-cora.nbt (embedded)")
    }

    /// Reads an `.nbt` file.
    pub fn load(path: &Path) -> Result<Self, TableError> {
        let (data, shown) = super::binfile::read(path)?;
        Self::from_bytes(&data, &shown)
    }

    /// Writes an `.nbt` file.
    pub fn write(&self, path: &Path) -> Result<(), TableError> {
        super::binfile::write(path, &self.to_bytes())
    }

    /// The `.nbt` encoding of this table.
    pub fn to_bytes(&self) -> Vec<u8> {
        let name = self.dataset.as_bytes();
        let mut out = Vec::with_capacity(16 + name.len() + RECORD_LEN * self.hashes.len() + 8);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.push(self.op_set.code());
        // `dataset` is 1..=255 bytes by construction.
        out.push(u8::try_from(name.len()).unwrap_or(u8::MAX));
        out.extend_from_slice(&name[..name.len().min(255)]);
        out.extend_from_slice(&(self.hashes.len() as u32).to_le_bytes());
        for (h, r) in self.hashes.iter().zip(&self.records) {
            out.extend_from_slice(&h.to_le_bytes());
            out.extend_from_slice(&r.val.to_le_bytes());
            out.extend_from_slice(&r.test.to_le_bytes());
            out.extend_from_slice(&r.latency.to_le_bytes());
            out.extend_from_slice(&r.params.to_le_bytes());
        }
        super::binfile::seal(&mut out);
        out
    }

    /// Decodes an `.nbt` image; `path_for_errors` names it in errors.
    pub fn from_bytes(bytes: &[u8], path_for_errors: &str) -> Result<Self, TableError> {
        let img = super::binfile::Image::new(bytes, path_for_errors);
        let corrupt = |offset: usize, what: String| img.corrupt(offset, what);
        let get = |at: usize, n: usize, what: &str| img.get(at, n, what);
        img.header(MAGIC, "nbt", VERSION)?;
        let op_code = get(10, 1, "op set")?[0];
        let op_set = OpSet::from_code(op_code)
            .ok_or_else(|| corrupt(10, format!("unknown op set code {op_code}")))?;
        let n = usize::from(get(11, 1, "name length")?[0]);
        if n == 0 {
            return Err(corrupt(11, "empty dataset name".into()));
        }
        let name = std::str::from_utf8(get(12, n, "dataset name")?)
            .map_err(|e| corrupt(12, format!("dataset name is not UTF-8: {e}")))?
            .to_string();
        let count_at = 12 + n;
        let records_at = count_at + 4;
        let count = img.records(count_at, records_at, RECORD_LEN)?;
        let mut hashes = Vec::with_capacity(count);
        let mut records = Vec::with_capacity(count);
        let f64_at = |r: &[u8], o: usize| {
            let mut a = [0u8; 8];
            a.copy_from_slice(&r[o..o + 8]);
            a
        };
        for (i, r) in bytes[records_at..bytes.len() - 8]
            .chunks_exact(RECORD_LEN)
            .enumerate()
        {
            let at = records_at + i * RECORD_LEN;
            let hash = u32::from_le_bytes([r[0], r[1], r[2], r[3]]);
            if !hash_fits(hash, op_set) {
                return Err(corrupt(
                    at,
                    format!("record {i}: {hash} is not a NAS-Bench-Graph hash with {op_set} ops"),
                ));
            }
            if let Some(&prev) = hashes.last() {
                if hash <= prev {
                    return Err(corrupt(
                        at,
                        format!(
                            "record {i}: hash {hash} does not follow {prev} in ascending order"
                        ),
                    ));
                }
            }
            let val = f64::from_le_bytes(f64_at(r, 4));
            let test = f64::from_le_bytes(f64_at(r, 12));
            let latency = f64::from_le_bytes(f64_at(r, 20));
            let params = u64::from_le_bytes(f64_at(r, 28));
            if !acc_ok(val) {
                return Err(corrupt(
                    at + 4,
                    format!("record {i} (hash {hash}): val_acc {val} is not in [0, 1]"),
                ));
            }
            if !acc_ok(test) {
                return Err(corrupt(
                    at + 12,
                    format!("record {i} (hash {hash}): test_acc {test} is not in [0, 1]"),
                ));
            }
            if !(latency.is_finite() && latency >= 0.0) {
                return Err(corrupt(
                    at + 20,
                    format!(
                        "record {i} (hash {hash}): latency {latency} is not a finite time >= 0"
                    ),
                ));
            }
            hashes.push(hash);
            records.push(Record {
                val,
                test,
                latency,
                params,
            });
        }
        Ok(NbGraphTable {
            dataset: name,
            op_set,
            hashes,
            records,
        })
    }

    /// The dataset name (`cora`, `citeseer`, ...).
    pub fn dataset(&self) -> &str {
        &self.dataset
    }

    pub fn op_set(&self) -> OpSet {
        self.op_set
    }

    /// Number of architectures.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Metrics stored under `hash` (a canonical hash; see [`NbGraphTable::lookup`]).
    pub fn get(&self, hash: u32) -> Option<Metrics> {
        let i = self.hashes.binary_search(&hash).ok()?;
        self.records.get(i).map(Record::metrics)
    }

    pub fn contains(&self, hash: u32) -> bool {
        self.hashes.binary_search(&hash).is_ok()
    }

    /// Metrics of any architecture: it is canonicalised with
    /// [`GraphArch::valid_hash`] first. Missing architectures (for Proteins:
    /// any using an op outside its five) are `NotInTable`.
    pub fn lookup(&self, arch: &GraphArch) -> Result<Metrics, LookupError> {
        let hash = arch.valid_hash()?;
        self.get(hash).ok_or_else(|| LookupError::NotInTable {
            key: hash.to_string(),
            table: format!("NAS-Bench-Graph {}", self.dataset),
        })
    }

    /// `(hash, metrics)` in ascending hash order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, Metrics)> + '_ {
        self.hashes
            .iter()
            .zip(&self.records)
            .map(|(&h, r)| (h, r.metrics()))
    }

    /// The hashes in ascending order.
    pub fn hashes(&self) -> &[u32] {
        &self.hashes
    }

    /// The architecture with the highest test accuracy (the lowest hash on ties).
    pub fn best_by_test(&self) -> Option<(u32, Metrics)> {
        let mut best: Option<(usize, f64)> = None;
        for (i, r) in self.records.iter().enumerate() {
            if best.is_none_or(|(_, t)| r.test > t) {
                best = Some((i, r.test));
            }
        }
        let (i, _) = best?;
        Some((*self.hashes.get(i)?, self.records.get(i)?.metrics()))
    }
}

/// The records of a `.bench` pickle: a dict, not empty.
fn bench_entries(top: Value, path: &str) -> Result<Vec<(Value, Value)>, TableError> {
    let corrupt = |what: String| TableError::Corrupt {
        path: path.to_string(),
        offset: 0,
        what,
    };
    let Value::Dict(entries) = top else {
        return Err(corrupt(format!(
            "the pickle holds a {}, not a dict of records",
            top.kind()
        )));
    };
    if entries.is_empty() {
        return Err(corrupt("the pickle holds no records".to_string()));
    }
    Ok(entries)
}

/// A record's key as a hash (`Err`: what is wrong with it).
fn bench_key(k: &Value) -> Result<u32, String> {
    match k.as_int().map(u32::try_from) {
        Some(Ok(h)) => Ok(h),
        Some(Err(_)) => Err("key is not a NAS-Bench-Graph hash (0..=88888)".into()),
        None => Err(format!("key is a {}, not an integer hash", k.kind())),
    }
}

/// Checks that `hash` is the package's hash of a canonical architecture
/// whose ops are all in `op_set`.
fn check_canonical(hash: u32, op_set: OpSet) -> Result<(), String> {
    let Some(arch) = GraphArch::from_hash(hash) else {
        return Err(
            "not a NAS-Bench-Graph hash (link index * 10^4 + four op digits 0..=8, not all skip)"
                .into(),
        );
    };
    if let Some(op) = arch.ops.iter().find(|&&o| !op_set.allows(o)) {
        return Err(format!("uses op {op}, which is not in the {op_set} op set"));
    }
    match arch.valid_hash() {
        Ok(c) if c == hash => Ok(()),
        Ok(c) => Err(format!(
            "not a canonical architecture: valid_hash() maps it to {c}"
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// A record's metrics (`valid_perf`, `perf`, `latency`, `para` in
/// millions), each checked to be in range.
fn bench_record(v: &Value) -> Result<Record, String> {
    let field = |key: &str| -> Result<f64, String> {
        match v.get(key) {
            Some(x) => x
                .as_f64()
                .ok_or_else(|| format!("{key:?} is a {}, not a number", x.kind())),
            None if v.as_dict().is_none() => {
                Err(format!("the record is a {}, not a dict", v.kind()))
            }
            None => Err(format!("no {key:?} field")),
        }
    };
    let val = field("valid_perf")?;
    let test = field("perf")?;
    let latency = field("latency")?;
    let para = field("para")?;
    if !acc_ok(val) {
        return Err(format!("valid_perf {val} is not a fraction in [0, 1]"));
    }
    if !acc_ok(test) {
        return Err(format!("perf {test} is not a fraction in [0, 1]"));
    }
    if !(latency.is_finite() && latency >= 0.0) {
        return Err(format!("latency {latency} is not a finite time >= 0"));
    }
    if !(para.is_finite() && (0.0..=1e12).contains(&para)) {
        return Err(format!("para {para} is not a parameter count in millions"));
    }
    Ok(Record {
        val,
        test,
        latency,
        params: (para * 1e6).round() as u64,
    })
}

/// Whether `hash` decodes to an architecture ([`GraphArch::from_hash`])
/// whose ops are all in `op_set`; without building it.
fn hash_fits(hash: u32, op_set: OpSet) -> bool {
    if hash > 88_888 {
        return false;
    }
    let mask = op_set.mask();
    let mut rest = hash;
    let mut all_skip = true;
    for _ in 0..4 {
        let d = rest % 10;
        rest /= 10;
        if d > 8 || mask & (1 << d) == 0 {
            return false;
        }
        all_skip &= d == 8;
    }
    // `rest` is the link index, at most 8 since hash <= 88888.
    !all_skip
}

/// A dataset name fits the format's 255 bytes (cut at a char boundary).
fn truncate_name(name: &str) -> String {
    let name = if name.is_empty() { "unknown" } else { name };
    let mut end = name.len().min(255);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> NbGraphTable {
        NbGraphTable {
            dataset: "tiny".into(),
            op_set: OpSet::Full,
            hashes: vec![0, 10124, 80174],
            records: vec![
                Record {
                    val: 0.5,
                    test: 0.25,
                    latency: 0.001,
                    params: 1000,
                },
                Record {
                    val: 0.75,
                    test: 0.8,
                    latency: 0.002,
                    params: 2000,
                },
                Record {
                    val: 0.7,
                    test: 0.8,
                    latency: 0.003,
                    params: 3000,
                },
            ],
        }
    }

    #[test]
    fn round_trip() {
        let t = small();
        let b = t.to_bytes();
        assert_eq!(b.len(), 16 + 4 + 3 * 36 + 8);
        assert_eq!(NbGraphTable::from_bytes(&b, "x").unwrap(), t);
        assert_eq!(t.get(10124).unwrap().params, Some(2000.0));
        assert_eq!(t.get(1), None);
        assert_eq!(t.best_by_test().unwrap().0, 10124);
        let a = GraphArch::from_hash(80174).unwrap();
        assert_eq!(t.lookup(&a).unwrap().latency_s, Some(0.003));
        let missing = GraphArch::from_hash(80175).unwrap();
        assert!(matches!(
            t.lookup(&missing),
            Err(LookupError::NotInTable { .. })
        ));
    }

    #[test]
    fn every_truncation_and_flip_is_corrupt() {
        crate::table::binfile::assert_damage_is_corrupt(&small().to_bytes(), |b| {
            NbGraphTable::from_bytes(b, "x")
        });
    }

    #[test]
    fn bad_values_are_named() {
        let mut t = small();
        t.records[1].test = f64::NAN;
        let e = NbGraphTable::from_bytes(&t.to_bytes(), "x").unwrap_err();
        assert!(e.to_string().contains("hash 10124"), "{e}");
        let mut t = small();
        t.hashes.swap(0, 1);
        let e = NbGraphTable::from_bytes(&t.to_bytes(), "x").unwrap_err();
        assert!(e.to_string().contains("ascending"), "{e}");
    }

    #[test]
    fn hash_fits_agrees_with_from_hash() {
        for h in 0..=100_000 {
            for set in [OpSet::Full, OpSet::Proteins] {
                let want =
                    GraphArch::from_hash(h).is_some_and(|a| a.ops.iter().all(|&o| set.allows(o)));
                assert_eq!(hash_fits(h, set), want, "{h} {set}");
            }
        }
        for op in GnnOp::ALL {
            assert_eq!(OpSet::Proteins.allows(op), GnnOp::PROTEINS.contains(&op));
        }
    }

    #[test]
    fn op_set_names() {
        assert_eq!("Proteins".parse::<OpSet>(), Ok(OpSet::Proteins));
        assert!("x".parse::<OpSet>().is_err());
        assert_eq!(OpSet::for_dataset("cora"), OpSet::Full);
    }
}
