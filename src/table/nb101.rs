//! The NAS-Bench-101 benchmark table for one epoch budget: for every cell,
//! keyed by its module hash ([`Cell::hash`]), the cell and the final
//! validation accuracy, test accuracy and training time of each training
//! repeat (3 in the benchmark), the halfway ones, and the trainable
//! parameters.
//!
//! Tables are imported from the benchmark's TFRecord files
//! (`nasbench_only108.tfrecord`, `nasbench_full.tfrecord`) with
//! [`Nb101Table::import_tfrecord`]. Each record's data is a JSON list
//! `[module_hash, epochs, adjacency, ops, metrics]`: the adjacency a
//! row-major string of `0`/`1`, the ops comma-separated, the metrics a base64
//! `ModelMetrics` protobuf (`evaluation_data = 1` repeated, with
//! `current_epoch = 1`, `training_time = 2`, `train_accuracy = 3`,
//! `validation_accuracy = 4`, `test_accuracy = 5` doubles;
//! `trainable_parameters = 2` int32; `total_time = 3` double). As in the
//! benchmark's API, `evaluation_data[1]` is the halfway evaluation and the
//! last one the final evaluation.
//!
//! Tables are stored in a compact binary format, `.nb101`:
//!
//! ```text
//! offset     size        field
//! 0          8           magic "NASVZ101"
//! 8          2           format version, u16 = 1
//! 10         2           epoch budget, u16: 4, 12, 36 or 108
//! 12         4           count of records, u32 (at least 1)
//! 16         144*count   records, hashes strictly ascending:
//!                          hash [u8; 16]
//!                          n u8 (2..=7), rows [u8; 7] (row i bit j = edge i->j),
//!                          ops [u8; 7] (0 input, 1 conv3x3, 2 conv1x1, 3 maxpool, 4 output)
//!                          repeats u8 (1..=3), params u32
//!                          3 x (val_acc f64, test_acc f64, train_time_s f64)
//!                          3 x (halfway val_acc f32, test_acc f32, train_time_s f32)
//! end-8      8           checksum of every preceding byte, u64 (binfile::checksum)
//! ```
//!
//! All integers and floats are little-endian; unused repeat slots and unused
//! rows/ops are zero. Halfway values are kept as f32 (the benchmark recorded
//! them in single precision). Loading checks the magic, version, budget,
//! exact length, checksum, ascending hashes, that every cell is well formed
//! and every value finite and in range; it does not re-hash the cells (the
//! import did).
//!
//! An import checks every record of the selected budget: the JSON shape,
//! the adjacency (a square of at most 7 x 7 `0`/`1`), the ops, the cell's
//! validity, that the record's module hash is the cell's [`Cell::hash`],
//! accuracies finite in [0, 1], times finite and non-negative, at most 3
//! repeats per cell and the same parameter count in each.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::time::{Duration, Instant};

use super::protobuf::{self, ProtoError};
use super::tfrecord::TfRecordReader;
use super::{LookupError, Metrics, Repeat, TableError};
use crate::arch::nb101::{Cell, ModuleHash, Op, MAX_VERTICES};

/// Magic bytes that open an `.nb101` file.
pub const MAGIC: &[u8; 8] = b"NASVZ101";
/// The `.nb101` format version this code reads and writes.
pub const VERSION: u16 = 1;
/// The epoch budgets NAS-Bench-101 trained for.
pub const EPOCH_BUDGETS: [u32; 4] = [4, 12, 36, 108];
/// Most training repeats per cell and budget.
pub const MAX_REPEATS: usize = 3;
const RECORD_LEN: usize = 144;
const HEADER_LEN: usize = 16;

/// How far an import has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportProgress {
    /// Bytes of the input read so far.
    pub bytes_read: u64,
    /// Size of the input (0 if unknown).
    pub total_bytes: u64,
    /// TFRecord records read so far.
    pub records: u64,
    /// Records of the selected epoch budget imported so far.
    pub imported: u64,
    /// Records of other epoch budgets skipped so far.
    pub skipped: u64,
    /// Distinct cells so far.
    pub cells: u64,
    /// Whether this is the last report (the import is complete).
    pub done: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Record {
    cell: Cell,
    repeats: u8,
    params: u32,
    /// Per repeat: validation accuracy, test accuracy, training time.
    fin: [[f64; 3]; MAX_REPEATS],
    /// The same at the halfway evaluation.
    half: [[f32; 3]; MAX_REPEATS],
}

impl Record {
    fn used(&self) -> usize {
        usize::from(self.repeats).min(MAX_REPEATS)
    }

    fn metrics(&self) -> Metrics {
        let repeats = self.fin[..self.used()]
            .iter()
            .map(|r| Repeat {
                val_acc: r[0],
                test_acc: r[1],
                train_time_s: Some(r[2]),
            })
            .collect();
        metrics_or_empty(repeats, self.params)
    }

    fn halfway(&self) -> Metrics {
        let repeats = self.half[..self.used()]
            .iter()
            .map(|r| Repeat {
                val_acc: f64::from(r[0]),
                test_acc: f64::from(r[1]),
                train_time_s: Some(f64::from(r[2])),
            })
            .collect();
        metrics_or_empty(repeats, self.params)
    }

    fn mean_test(&self) -> f64 {
        let n = self.used();
        self.fin[..n].iter().map(|r| r[1]).sum::<f64>() / n.max(1) as f64
    }
}

fn metrics_or_empty(repeats: Vec<Repeat>, params: u32) -> Metrics {
    let params = Some(f64::from(params));
    Metrics::from_repeats(repeats, params).unwrap_or(Metrics {
        val_acc: 0.0,
        test_acc: 0.0,
        train_time_s: None,
        latency_s: None,
        params,
        repeats: Vec::new(),
    })
}

/// NAS-Bench-101 at one epoch budget.
#[derive(Clone, Debug, PartialEq)]
pub struct Nb101Table {
    epochs: u32,
    /// Strictly ascending; `records[i]` belongs to `hashes[i]`.
    hashes: Vec<ModuleHash>,
    records: Vec<Record>,
}

fn acc_ok(x: f64) -> bool {
    x.is_finite() && (0.0..=1.0).contains(&x)
}

fn time_ok(x: f64) -> bool {
    x.is_finite() && x >= 0.0
}

fn op_code(op: Op) -> u8 {
    match op {
        Op::Input => 0,
        Op::Conv3x3 => 1,
        Op::Conv1x1 => 2,
        Op::MaxPool3x3 => 3,
        Op::Output => 4,
    }
}

const OP_BY_CODE: [Op; 5] = [
    Op::Input,
    Op::Conv3x3,
    Op::Conv1x1,
    Op::MaxPool3x3,
    Op::Output,
];

impl Nb101Table {
    /// Imports the records of `epochs` (4, 12, 36 or 108) from a
    /// NAS-Bench-101 TFRecord file, streaming it; records of other budgets
    /// are skipped after their epochs field is read. `progress` is called
    /// about every 1% of the file or 0.25 s, and once at the end.
    pub fn import_tfrecord(
        path: &Path,
        epochs: u32,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<Self, TableError> {
        let shown = path.display().to_string();
        let io = |source| TableError::Io {
            path: shown.clone(),
            source,
        };
        let file = File::open(path).map_err(io)?;
        let total = file.metadata().map_err(io)?.len();
        let reader = BufReader::with_capacity(1 << 20, file);
        Self::import_reader(reader, total, epochs, &shown, progress)
    }

    /// [`Nb101Table::import_tfrecord`] over any reader; `total_bytes` (0 if
    /// unknown) is only used for progress.
    pub fn import_reader<R: Read>(
        input: R,
        total_bytes: u64,
        epochs: u32,
        path_for_errors: &str,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<Self, TableError> {
        let path = path_for_errors;
        if !EPOCH_BUDGETS.contains(&epochs) {
            return Err(TableError::Io {
                path: path.to_string(),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("epoch budget {epochs}: NAS-Bench-101 has 4, 12, 36 and 108"),
                ),
            });
        }
        let mut reader = TfRecordReader::new(input, path);
        let mut scratch = Scratch::default();
        let mut index: HashMap<ModuleHash, usize> = HashMap::new();
        let mut rows: Vec<(ModuleHash, Record)> = Vec::new();
        let mut p = ImportProgress {
            bytes_read: 0,
            total_bytes,
            records: 0,
            imported: 0,
            skipped: 0,
            cells: 0,
            done: false,
        };
        // With the size unknown, report by time only.
        let step = if total_bytes == 0 {
            u64::MAX
        } else {
            (total_bytes / 100).max(1)
        };
        let mut next_bytes = step;
        let mut last_report = Instant::now();
        loop {
            let parsed = match reader.next_record()? {
                None => break,
                Some(data) => parse_record(data, epochs, &mut scratch),
            };
            let record_no = reader.records().saturating_sub(1);
            let bad = |what: String| TableError::BadRecord {
                path: path.to_string(),
                record: format!("{record_no} (byte {})", reader.record_offset()),
                what,
            };
            match parsed.map_err(&bad)? {
                Parsed::Skipped => p.skipped += 1,
                Parsed::Run(run) => {
                    match index.get(&run.hash) {
                        Some(&i) => {
                            let Some((_, rec)) = rows.get_mut(i) else {
                                return Err(bad("internal index out of range".into()));
                            };
                            // Same cell as the first record of this hash: its
                            // hash is verified already.
                            if rec.cell != run.cell {
                                verify_hash(&run)
                                    .map_err(|what| bad(format!("module hash mismatch: {what}")))?;
                            }
                            if rec.params != run.params {
                                return Err(bad(format!(
                                    "{}: trainable_parameters {} differs from {} in an earlier record",
                                    run.hash, run.params, rec.params
                                )));
                            }
                            let slot = usize::from(rec.repeats);
                            let (Some(f), Some(h)) =
                                (rec.fin.get_mut(slot), rec.half.get_mut(slot))
                            else {
                                return Err(bad(format!(
                                    "{}: more than {MAX_REPEATS} records at {epochs} epochs",
                                    run.hash
                                )));
                            };
                            *f = run.fin;
                            *h = run.half;
                            rec.repeats += 1;
                        }
                        None => {
                            verify_hash(&run)
                                .map_err(|what| bad(format!("module hash mismatch: {what}")))?;
                            index.insert(run.hash, rows.len());
                            let mut rec = Record {
                                cell: run.cell,
                                repeats: 1,
                                params: run.params,
                                fin: [[0.0; 3]; MAX_REPEATS],
                                half: [[0.0; 3]; MAX_REPEATS],
                            };
                            rec.fin[0] = run.fin;
                            rec.half[0] = run.half;
                            rows.push((run.hash, rec));
                        }
                    }
                    p.imported += 1;
                }
            }
            p.records = reader.records();
            p.bytes_read = reader.offset();
            if p.bytes_read >= next_bytes
                || (p.records.is_multiple_of(256)
                    && last_report.elapsed() >= Duration::from_millis(250))
            {
                p.cells = rows.len() as u64;
                progress(p);
                next_bytes = p.bytes_read.saturating_add(step);
                last_report = Instant::now();
            }
        }
        p.records = reader.records();
        p.bytes_read = reader.offset();
        p.cells = rows.len() as u64;
        p.done = true;
        if rows.is_empty() {
            return Err(TableError::Corrupt {
                path: path.to_string(),
                offset: 0,
                what: format!(
                    "no records with {epochs} epochs ({} records, {} of other budgets)",
                    p.records, p.skipped
                ),
            });
        }
        drop(index);
        rows.sort_unstable_by_key(|r| r.0);
        let table = Nb101Table {
            epochs,
            hashes: rows.iter().map(|r| r.0).collect(),
            records: rows.into_iter().map(|r| r.1).collect(),
        };
        progress(p);
        Ok(table)
    }

    /// Reads an `.nb101` file.
    pub fn load(path: &Path) -> Result<Self, TableError> {
        let shown = path.display().to_string();
        let data = std::fs::read(path).map_err(|source| TableError::Io {
            path: shown.clone(),
            source,
        })?;
        Self::from_bytes(&data, &shown)
    }

    /// Writes an `.nb101` file.
    pub fn write(&self, path: &Path) -> Result<(), TableError> {
        crate::fsutil::write_atomic(path, &self.to_bytes()).map_err(|source| TableError::Io {
            path: path.display().to_string(),
            source,
        })
    }

    /// The `.nb101` encoding of this table.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + RECORD_LEN * self.hashes.len() + 8);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        // `epochs` is one of EPOCH_BUDGETS by construction.
        out.extend_from_slice(&(self.epochs as u16).to_le_bytes());
        out.extend_from_slice(&(self.hashes.len() as u32).to_le_bytes());
        for (h, r) in self.hashes.iter().zip(&self.records) {
            out.extend_from_slice(&h.0);
            let n = r.cell.len();
            out.push(n as u8);
            let mut rows = [0u8; MAX_VERTICES];
            let mut ops = [0u8; MAX_VERTICES];
            for (i, (row, op)) in rows.iter_mut().zip(ops.iter_mut()).enumerate().take(n) {
                for j in 0..n {
                    if r.cell.has_edge(i, j) {
                        *row |= 1 << j;
                    }
                }
                *op = op_code(r.cell.op(i));
            }
            out.extend_from_slice(&rows);
            out.extend_from_slice(&ops);
            out.push(r.repeats);
            out.extend_from_slice(&r.params.to_le_bytes());
            for f in &r.fin {
                for v in f {
                    out.extend_from_slice(&v.to_le_bytes());
                }
            }
            for f in &r.half {
                for v in f {
                    out.extend_from_slice(&v.to_le_bytes());
                }
            }
        }
        super::binfile::seal(&mut out);
        out
    }

    /// Decodes an `.nb101` image; `path_for_errors` names it in errors.
    pub fn from_bytes(bytes: &[u8], path_for_errors: &str) -> Result<Self, TableError> {
        let img = super::binfile::Image::new(bytes, path_for_errors);
        let corrupt = |offset: usize, what: String| img.corrupt(offset, what);
        img.header(MAGIC, "nb101", VERSION)?;
        let epochs = u32::from(img.u16_at(10, "epoch budget")?);
        if !EPOCH_BUDGETS.contains(&epochs) {
            return Err(corrupt(
                10,
                format!("epoch budget {epochs} is not one of 4, 12, 36, 108"),
            ));
        }
        let count = img.records(12, HEADER_LEN, RECORD_LEN)?;
        let mut matrix = Vec::new();
        let mut hashes: Vec<ModuleHash> = Vec::with_capacity(count);
        let mut records = Vec::with_capacity(count);
        for (i, r) in bytes[HEADER_LEN..bytes.len() - 8]
            .chunks_exact(RECORD_LEN)
            .enumerate()
        {
            let at = HEADER_LEN + i * RECORD_LEN;
            let (rec, hash) = decode_record(r, &mut matrix)
                .map_err(|(o, what)| corrupt(at + o, format!("record {i}: {what}")))?;
            if let Some(prev) = hashes.last() {
                if hash <= *prev {
                    return Err(corrupt(
                        at,
                        format!(
                            "record {i}: hash {hash} does not follow {prev} in ascending order"
                        ),
                    ));
                }
            }
            hashes.push(hash);
            records.push(rec);
        }
        Ok(Nb101Table {
            epochs,
            hashes,
            records,
        })
    }

    /// The epoch budget (4, 12, 36 or 108).
    pub fn epochs(&self) -> u32 {
        self.epochs
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    fn index(&self, hash: &ModuleHash) -> Option<&Record> {
        let i = self.hashes.binary_search(hash).ok()?;
        self.records.get(i)
    }

    /// Final metrics stored under `hash`: the repeats and their means;
    /// `params` is the trainable parameter count.
    pub fn get(&self, hash: &ModuleHash) -> Option<Metrics> {
        self.index(hash).map(Record::metrics)
    }

    /// Metrics at the halfway evaluation (half the epoch budget).
    pub fn halfway(&self, hash: &ModuleHash) -> Option<Metrics> {
        self.index(hash).map(Record::halfway)
    }

    /// The cell recorded under `hash`, as the benchmark gives it.
    pub fn cell(&self, hash: &ModuleHash) -> Option<Cell> {
        self.index(hash).map(|r| r.cell)
    }

    pub fn contains(&self, hash: &ModuleHash) -> bool {
        self.hashes.binary_search(hash).is_ok()
    }

    /// Metrics of any cell (pruned and hashed first). A cell outside the
    /// space is `Invalid`; a valid one missing from the table `NotInTable`.
    pub fn lookup(&self, cell: &Cell) -> Result<Metrics, LookupError> {
        let hash = cell.hash()?;
        self.get(&hash).ok_or_else(|| LookupError::NotInTable {
            key: hash.to_string(),
            table: format!("NAS-Bench-101 ({} epochs)", self.epochs),
        })
    }

    /// `(hash, final metrics)` in ascending hash order.
    pub fn iter(&self) -> impl Iterator<Item = (ModuleHash, Metrics)> + '_ {
        self.hashes
            .iter()
            .zip(&self.records)
            .map(|(&h, r)| (h, r.metrics()))
    }

    /// `(hash, cell)` in ascending hash order.
    pub fn cells(&self) -> impl Iterator<Item = (ModuleHash, Cell)> + '_ {
        self.hashes
            .iter()
            .zip(&self.records)
            .map(|(&h, r)| (h, r.cell))
    }

    /// The hashes in ascending order.
    pub fn hashes(&self) -> &[ModuleHash] {
        &self.hashes
    }

    /// The cell with the highest mean final test accuracy (the lowest hash
    /// on ties).
    pub fn best_by_test(&self) -> Option<(ModuleHash, Metrics)> {
        let mut best: Option<(usize, f64)> = None;
        for (i, r) in self.records.iter().enumerate() {
            let t = r.mean_test();
            if best.is_none_or(|(_, b)| t > b) {
                best = Some((i, t));
            }
        }
        let (i, _) = best?;
        Some((*self.hashes.get(i)?, self.records.get(i)?.metrics()))
    }
}

/// Decodes one 144-byte `.nb101` record; errors carry an offset into it.
fn decode_record(
    r: &[u8],
    matrix: &mut Vec<Vec<i64>>,
) -> Result<(Record, ModuleHash), (usize, String)> {
    if r.len() != RECORD_LEN {
        return Err((0, format!("{} bytes, not {RECORD_LEN}", r.len())));
    }
    let mut h = [0u8; 16];
    h.copy_from_slice(&r[..16]);
    let hash = ModuleHash(h);
    let n = usize::from(r[16]);
    if !(2..=MAX_VERTICES).contains(&n) {
        return Err((16, format!("{hash}: {n} vertices, not 2..=7")));
    }
    let rows = &r[17..24];
    let ops = &r[24..31];
    matrix.resize_with(n.max(matrix.len()), Vec::new);
    let mut names = [""; MAX_VERTICES];
    for i in 0..MAX_VERTICES {
        let (row, op) = (rows[i], ops[i]);
        if i >= n {
            if row != 0 || op != 0 {
                return Err((17 + i, format!("{hash}: unused vertex {i} is not zero")));
            }
            continue;
        }
        if row >> n != 0 {
            return Err((17 + i, format!("{hash}: row {i} has edges past vertex {n}")));
        }
        if let Some(m) = matrix.get_mut(i) {
            m.clear();
            m.extend((0..n).map(|j| i64::from((row >> j) & 1)));
        }
        let Some(o) = OP_BY_CODE.get(usize::from(op)) else {
            return Err((24 + i, format!("{hash}: op code {op} at vertex {i}")));
        };
        names[i] = o.name();
    }
    let m = matrix.get(..n).unwrap_or(&[]);
    let cell = Cell::new(m, &names[..n]).map_err(|e| (17, format!("{hash}: {e}")))?;
    let repeats = r[31];
    if !(1..=MAX_REPEATS as u8).contains(&repeats) {
        return Err((31, format!("{hash}: {repeats} repeats, not 1..=3")));
    }
    let params = u32::from_le_bytes([r[32], r[33], r[34], r[35]]);
    let mut rec = Record {
        cell,
        repeats,
        params,
        fin: [[0.0; 3]; MAX_REPEATS],
        half: [[0.0; 3]; MAX_REPEATS],
    };
    for k in 0..MAX_REPEATS {
        for m in 0..3 {
            let at = 36 + (k * 3 + m) * 8;
            let mut a = [0u8; 8];
            a.copy_from_slice(&r[at..at + 8]);
            let v = f64::from_le_bytes(a);
            rec.fin[k][m] = v;
            let at_h = 108 + (k * 3 + m) * 4;
            let vh = f32::from_le_bytes([r[at_h], r[at_h + 1], r[at_h + 2], r[at_h + 3]]);
            rec.half[k][m] = vh;
            if k >= usize::from(repeats) {
                if v.to_bits() != 0 {
                    return Err((at, format!("{hash}: unused repeat {k} is not zero")));
                }
                if vh.to_bits() != 0 {
                    return Err((at_h, format!("{hash}: unused repeat {k} is not zero")));
                }
                continue;
            }
            let names = ["val_acc", "test_acc", "train_time_s"];
            let ok = |x: f64| if m == 2 { time_ok(x) } else { acc_ok(x) };
            if !ok(v) {
                return Err((at, format!("{hash}: repeat {k} {} is {v}", names[m])));
            }
            if !ok(f64::from(vh)) {
                return Err((
                    at_h,
                    format!("{hash}: repeat {k} halfway {} is {vh}", names[m]),
                ));
            }
        }
    }
    Ok((rec, hash))
}

/// Buffers reused from record to record.
#[derive(Default)]
struct Scratch {
    matrix: Vec<Vec<i64>>,
    proto: Vec<u8>,
}

/// One training run read from a record.
struct Run {
    hash: ModuleHash,
    cell: Cell,
    params: u32,
    fin: [f64; 3],
    half: [f32; 3],
}

enum Parsed {
    Run(Run),
    Skipped,
}

fn verify_hash(run: &Run) -> Result<(), String> {
    let ours = run
        .cell
        .hash()
        .map_err(|e| format!("the cell is invalid: {e}"))?;
    if ours != run.hash {
        return Err(format!(
            "the record says {}, its cell hashes to {ours}",
            run.hash
        ));
    }
    Ok(())
}

/// Parses and checks one record (all but the hash, see [`verify_hash`]).
fn parse_record(data: &[u8], want_epochs: u32, s: &mut Scratch) -> Result<Parsed, String> {
    let (hash, epochs, adjacency, ops, metrics): (&str, i64, &str, &str, &str) =
        serde_json::from_slice(data).map_err(|e| {
            format!("not a JSON list [module_hash, epochs, adjacency, ops, metrics]: {e}")
        })?;
    if !EPOCH_BUDGETS.iter().any(|&b| i64::from(b) == epochs) {
        return Err(format!("epochs {epochs} is not one of 4, 12, 36, 108"));
    }
    if epochs != i64::from(want_epochs) {
        return Ok(Parsed::Skipped);
    }
    let hash: ModuleHash = hash.parse().map_err(|e| format!("module hash: {e}"))?;
    let cell = parse_cell(adjacency, ops, &mut s.matrix)?;
    decode_base64(metrics.as_bytes(), &mut s.proto).map_err(|e| format!("metrics: {e}"))?;
    let m = decode_metrics(&s.proto).map_err(|e| format!("{hash}: ModelMetrics {e}"))?;
    Ok(Parsed::Run(Run {
        hash,
        cell,
        params: m.params,
        fin: m.fin,
        half: m.half,
    }))
}

fn parse_cell(adjacency: &str, ops: &str, matrix: &mut Vec<Vec<i64>>) -> Result<Cell, String> {
    let len = adjacency.len();
    let n = (1..=MAX_VERTICES).find(|n| n * n == len).ok_or_else(|| {
        format!("adjacency has {len} characters: not the square of a vertex count 1..=7")
    })?;
    matrix.resize_with(n.max(matrix.len()), Vec::new);
    for (i, row) in matrix.iter_mut().take(n).enumerate() {
        row.clear();
        for (j, c) in adjacency.bytes().skip(i * n).take(n).enumerate() {
            row.push(match c {
                b'0' => 0,
                b'1' => 1,
                _ => {
                    return Err(format!(
                        "adjacency character {} is {:?}, not 0 or 1",
                        i * n + j,
                        char::from(c)
                    ))
                }
            });
        }
    }
    let mut names = [""; MAX_VERTICES];
    let mut k = 0;
    for op in ops.split(',') {
        let Some(slot) = names.get_mut(k) else {
            return Err(format!(
                "ops {ops:?} name more than {MAX_VERTICES} vertices"
            ));
        };
        *slot = op;
        k += 1;
    }
    let m = matrix.get(..n).unwrap_or(&[]);
    Cell::new(m, &names[..k]).map_err(|e| format!("cell: {e}"))
}

/// Decoded `ModelMetrics`: final and halfway (val, test, time), params.
#[derive(Debug)]
struct DecodedMetrics {
    params: u32,
    fin: [f64; 3],
    half: [f32; 3],
}

#[derive(Default, Clone, Copy)]
struct Evaluation {
    time: Option<f64>,
    val: Option<f64>,
    test: Option<f64>,
}

fn proto_msg(e: ProtoError) -> String {
    e.to_string()
}

fn decode_evaluation(buf: &[u8], base: usize) -> Result<Evaluation, String> {
    let mut r = protobuf::Reader::nested(buf, base);
    let mut e = Evaluation::default();
    while let Some((num, v, at)) = r.next_field().map_err(proto_msg)? {
        let slot = match num {
            2 => &mut e.time,
            4 => &mut e.val,
            5 => &mut e.test,
            _ => continue,
        };
        let protobuf::Value::Fixed64(bits) = v else {
            return Err(format!(
                "byte {at}: evaluation field {num} is {}, not a double",
                v.kind()
            ));
        };
        *slot = Some(f64::from_bits(bits));
    }
    Ok(e)
}

fn decode_metrics(buf: &[u8]) -> Result<DecodedMetrics, String> {
    let mut r = protobuf::Reader::new(buf);
    let mut count = 0usize;
    let mut half = None;
    let mut last = None;
    let mut params = None;
    while let Some((num, v, at)) = r.next_field().map_err(proto_msg)? {
        match (num, v) {
            (1, protobuf::Value::Bytes(b)) => {
                let e = decode_evaluation(b, at)?;
                if count == 1 {
                    half = Some(e);
                }
                last = Some(e);
                count += 1;
            }
            (2, protobuf::Value::Varint(x)) => params = Some(x as i64),
            (1 | 2, v) => {
                return Err(format!(
                    "byte {at}: field {num} is {}, expected {}",
                    v.kind(),
                    if num == 1 { "a message" } else { "a varint" }
                ))
            }
            _ => {}
        }
    }
    let (Some(half), Some(last), true) = (half, last, count >= 3) else {
        return Err(format!(
            "has {count} evaluations; NAS-Bench-101 records have 3 (start, halfway, end)"
        ));
    };
    let params = match params {
        None => return Err("has no trainable_parameters".into()),
        Some(p) => u32::try_from(p)
            .ok()
            .filter(|&p| p <= i32::MAX as u32)
            .ok_or_else(|| format!("trainable_parameters {p} is negative"))?,
    };
    let get = |e: &Evaluation, which: &str| -> Result<[f64; 3], String> {
        let (Some(val), Some(test), Some(time)) = (e.val, e.test, e.time) else {
            return Err(format!(
                "{which} evaluation lacks validation_accuracy, test_accuracy or training_time"
            ));
        };
        if !acc_ok(val) {
            return Err(format!(
                "{which} validation_accuracy {val} is not a fraction in [0, 1]"
            ));
        }
        if !acc_ok(test) {
            return Err(format!(
                "{which} test_accuracy {test} is not a fraction in [0, 1]"
            ));
        }
        if !time_ok(time) {
            return Err(format!(
                "{which} training_time {time} is not a finite time >= 0"
            ));
        }
        Ok([val, test, time])
    };
    let fin = get(&last, "final")?;
    let h = get(&half, "halfway")?;
    if !(h[2] as f32).is_finite() {
        return Err(format!(
            "halfway training_time {} does not fit in single precision",
            h[2]
        ));
    }
    Ok(DecodedMetrics {
        params,
        fin,
        half: [h[0] as f32, h[1] as f32, h[2] as f32],
    })
}

/// Standard base64 (RFC 4648, `+/`, `=` padding optional) into `out`.
pub fn decode_base64(input: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    const INVALID: u8 = 0xff;
    const TABLE: [u8; 256] = {
        let mut t = [INVALID; 256];
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut i = 0;
        while i < 64 {
            t[alphabet[i] as usize] = i as u8;
            i += 1;
        }
        t
    };
    out.clear();
    let body = match input {
        [rest @ .., b'=', b'='] => rest,
        [rest @ .., b'='] => rest,
        _ => input,
    };
    if input.len() != body.len() && !input.len().is_multiple_of(4) {
        return Err(format!(
            "base64 of {} characters: padded input must be a multiple of 4",
            input.len()
        ));
    }
    if body.len() % 4 == 1 {
        return Err(format!(
            "base64 of {} characters: a final group of 1 character",
            body.len()
        ));
    }
    out.reserve(body.len() / 4 * 3 + 2);
    let mut chunks = body.chunks_exact(4);
    let sextet = |c: u8, at: usize| -> Result<u32, String> {
        match TABLE[usize::from(c)] {
            INVALID => Err(format!(
                "base64 character {at} is {:?}, not in the alphabet",
                char::from(c)
            )),
            v => Ok(u32::from(v)),
        }
    };
    let mut at = 0;
    for c in &mut chunks {
        let v = sextet(c[0], at)? << 18
            | sextet(c[1], at + 1)? << 12
            | sextet(c[2], at + 2)? << 6
            | sextet(c[3], at + 3)?;
        out.extend_from_slice(&[(v >> 16) as u8, (v >> 8) as u8, v as u8]);
        at += 4;
    }
    let rest = chunks.remainder();
    let mut v = 0u32;
    for (k, &c) in rest.iter().enumerate() {
        v |= sextet(c, at + k)? << (18 - 6 * k);
    }
    match rest.len() {
        2 => {
            if v & 0xffff != 0 {
                return Err("base64: non-zero bits in the padding".into());
            }
            out.push((v >> 16) as u8);
        }
        3 => {
            if v & 0xff != 0 {
                return Err("base64: non-zero bits in the padding".into());
            }
            out.extend_from_slice(&[(v >> 16) as u8, (v >> 8) as u8]);
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        decode_base64(s.as_bytes(), &mut out).map(|_| out)
    }

    #[test]
    fn base64_known_vectors() {
        // RFC 4648 section 10.
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(b64(enc).unwrap(), plain.as_bytes(), "{enc}");
            assert_eq!(b64(enc.trim_end_matches('=')).unwrap(), plain.as_bytes());
        }
        assert_eq!(b64("+/+/").unwrap(), [0xfb, 0xff, 0xbf]);
        assert!(b64("Zm9v!A").unwrap_err().contains("character 4"));
        assert!(b64("Zg=").is_err());
        assert!(b64("Z").is_err());
        assert!(b64("Zh==").unwrap_err().contains("padding"));
        assert!(b64("Zm9=v").is_err());
    }

    fn run_metrics(val: f64, test: f64, time: f64, params: i64) -> Vec<u8> {
        let mut out = Vec::new();
        for (epoch, k) in [(0.0, 0.1), (54.0, 0.5), (108.0, 1.0)] {
            let mut e = Vec::new();
            protobuf::put_double(&mut e, 1, epoch);
            protobuf::put_double(&mut e, 2, time * k);
            protobuf::put_double(&mut e, 3, 1.0);
            protobuf::put_double(&mut e, 4, val * k);
            protobuf::put_double(&mut e, 5, test * k);
            protobuf::put_bytes(&mut e, 6, b"/x/model.ckpt-1");
            protobuf::put_bytes(&mut out, 1, &e);
        }
        protobuf::put_key(&mut out, 2, 0);
        protobuf::put_varint(&mut out, params as u64);
        protobuf::put_double(&mut out, 3, 2000.0);
        out
    }

    #[test]
    fn model_metrics_decode() {
        let m = decode_metrics(&run_metrics(0.9, 0.8, 1000.0, 1234)).unwrap();
        assert_eq!(m.params, 1234);
        assert_eq!(m.fin, [0.9, 0.8, 1000.0]);
        assert_eq!(m.half, [0.45, 0.4, 500.0]);
        let e = decode_metrics(&run_metrics(0.9, 0.8, 1000.0, -1)).unwrap_err();
        assert!(e.contains("negative"), "{e}");
        let e = decode_metrics(&run_metrics(f64::NAN, 0.8, 1.0, 1)).unwrap_err();
        assert!(e.contains("final validation_accuracy NaN"), "{e}");
        let e = decode_metrics(&run_metrics(0.5, 1.5, 1.0, 1)).unwrap_err();
        assert!(e.contains("final test_accuracy 1.5"), "{e}");
        let e = decode_metrics(&run_metrics(0.5, 0.5, 1e300, 1)).unwrap_err();
        assert!(e.contains("single precision"), "{e}");
        let e = decode_metrics(&[]).unwrap_err();
        assert!(e.contains("0 evaluations"), "{e}");
        let full = run_metrics(0.9, 0.8, 1000.0, 1234);
        // Cut anywhere but before the optional total_time: an error.
        for n in (0..full.len()).filter(|&n| n != full.len() - 9) {
            assert!(decode_metrics(&full[..n]).is_err(), "{n}");
        }
    }

    fn table() -> Nb101Table {
        let cell = |m: &[Vec<i64>], ops: &[&str]| Cell::new(m, ops).unwrap();
        let a = cell(
            &[vec![0, 1, 1], vec![0, 0, 1], vec![0, 0, 0]],
            &["input", "maxpool3x3", "output"],
        );
        let b = cell(
            &[vec![0, 1, 0], vec![0, 0, 1], vec![0, 0, 0]],
            &["input", "conv3x3-bn-relu", "output"],
        );
        let mut rows = vec![
            (
                a.hash().unwrap(),
                Record {
                    cell: a,
                    repeats: 2,
                    params: 100,
                    fin: [[0.5, 0.25, 10.0], [0.75, 0.5, 12.0], [0.0; 3]],
                    half: [[0.25, 0.125, 5.0], [0.5, 0.25, 6.0], [0.0; 3]],
                },
            ),
            (
                b.hash().unwrap(),
                Record {
                    cell: b,
                    repeats: 3,
                    params: 200,
                    fin: [[0.9, 0.8, 1.0], [0.9, 0.85, 2.0], [0.95, 0.9, 3.0]],
                    half: [[0.5; 3]; 3],
                },
            ),
        ];
        rows.sort_by_key(|r| r.0);
        Nb101Table {
            epochs: 108,
            hashes: rows.iter().map(|r| r.0).collect(),
            records: rows.into_iter().map(|r| r.1).collect(),
        }
    }

    #[test]
    fn binary_round_trip() {
        let t = table();
        let b = t.to_bytes();
        assert_eq!(b.len(), HEADER_LEN + 2 * RECORD_LEN + 8);
        let back = Nb101Table::from_bytes(&b, "x").unwrap();
        assert_eq!(back, t);
        let (best, m) = t.best_by_test().unwrap();
        assert_eq!(m.params, Some(200.0));
        assert_eq!(m.repeats.len(), 3);
        assert!((m.test_acc - 0.85).abs() < 1e-12);
        assert_eq!(t.halfway(&best).unwrap().val_acc, 0.5);
        let c = t.cell(&best).unwrap();
        assert_eq!(t.lookup(&c).unwrap(), m);
    }

    #[test]
    fn every_truncation_and_flip_is_corrupt() {
        let b = table().to_bytes();
        for n in 0..b.len() {
            let e = Nb101Table::from_bytes(&b[..n], "x").unwrap_err();
            assert!(matches!(e, TableError::Corrupt { .. }), "{n}: {e}");
        }
        for i in 0..b.len() {
            let mut c = b.clone();
            c[i] ^= 0x10;
            let e = Nb101Table::from_bytes(&c, "x").unwrap_err();
            assert!(matches!(e, TableError::Corrupt { .. }), "{i}: {e}");
        }
    }

    #[test]
    fn bad_values_are_named_with_offsets() {
        let mut t = table();
        t.records[1].fin[0][1] = f64::NAN;
        let e = Nb101Table::from_bytes(&t.to_bytes(), "x").unwrap_err();
        let s = e.to_string();
        assert!(s.contains(&format!("byte {}", 16 + 144 + 36 + 8)), "{s}");
        assert!(
            s.contains("record 1") && s.contains("test_acc is NaN"),
            "{s}"
        );
        let mut t = table();
        t.hashes.swap(0, 1);
        let e = Nb101Table::from_bytes(&t.to_bytes(), "x").unwrap_err();
        assert!(e.to_string().contains("ascending"), "{e}");
        let mut t = table();
        t.records[0].fin[2][0] = 0.5;
        let e = Nb101Table::from_bytes(&t.to_bytes(), "x").unwrap_err();
        assert!(e.to_string().contains("unused repeat"), "{e}");
    }

    #[test]
    fn cells_parse_from_strings() {
        let mut m = Vec::new();
        let c = parse_cell("011001000", "input,conv1x1-bn-relu,output", &mut m).unwrap();
        assert_eq!(c.len(), 3);
        assert!(parse_cell("0110", "input,output,output", &mut m).is_err());
        let e = parse_cell("01100100", "input,conv1x1-bn-relu,output", &mut m).unwrap_err();
        assert!(e.contains("8 characters"), "{e}");
        let e = parse_cell("012001000", "input,conv1x1-bn-relu,output", &mut m).unwrap_err();
        assert!(e.contains("character 2"), "{e}");
        let e = parse_cell("011001000", "input,conv5x5,output", &mut m).unwrap_err();
        assert!(e.contains("conv5x5"), "{e}");
        let e = parse_cell("0".repeat(64).as_str(), "input", &mut m).unwrap_err();
        assert!(e.contains("64 characters"), "{e}");
        let ops = ["input"; 9].join(",");
        let e = parse_cell(&"0".repeat(49), &ops, &mut m).unwrap_err();
        assert!(e.contains("more than 7"), "{e}");
    }
}
