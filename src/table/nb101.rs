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

mod decode;
use decode::*;

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
pub(crate) const MAGIC: &[u8; 8] = b"NASVZ101";
/// The `.nb101` format version this code reads and writes.
pub(crate) const VERSION: u16 = 1;
/// The epoch budgets NAS-Bench-101 trained for.
pub(crate) const EPOCH_BUDGETS: [u32; 4] = [4, 12, 36, 108];
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

/// The cells of one epoch budget gathered from an import's records.
struct Gathered {
    epochs: u32,
    /// Where each hash is in `rows`.
    index: HashMap<ModuleHash, usize>,
    /// In the order the cells first appear.
    rows: Vec<(ModuleHash, Record)>,
}

impl Gathered {
    fn new(epochs: u32) -> Self {
        Gathered {
            epochs,
            index: HashMap::new(),
            rows: Vec::new(),
        }
    }

    /// Adds a record's training run: a new cell, or one more repeat of a
    /// cell seen before. `Err` says what is wrong with the record.
    fn add(&mut self, run: Run) -> Result<(), String> {
        match self.index.get(&run.hash) {
            Some(&i) => self.add_repeat(i, run),
            None => self.add_cell(run),
        }
    }

    /// A cell not seen before, its module hash checked.
    fn add_cell(&mut self, run: Run) -> Result<(), String> {
        verify_hash(&run).map_err(|what| format!("module hash mismatch: {what}"))?;
        self.index.insert(run.hash, self.rows.len());
        let mut rec = Record {
            cell: run.cell,
            repeats: 1,
            params: run.params,
            fin: [[0.0; 3]; MAX_REPEATS],
            half: [[0.0; 3]; MAX_REPEATS],
        };
        rec.fin[0] = run.fin;
        rec.half[0] = run.half;
        self.rows.push((run.hash, rec));
        Ok(())
    }

    /// One more repeat of the cell at `rows[i]`: the same parameter count,
    /// at most [`MAX_REPEATS`].
    fn add_repeat(&mut self, i: usize, run: Run) -> Result<(), String> {
        let epochs = self.epochs;
        let Some((_, rec)) = self.rows.get_mut(i) else {
            return Err("internal index out of range".into());
        };
        // Same cell as the first record of this hash: its hash is verified
        // already.
        if rec.cell != run.cell {
            verify_hash(&run).map_err(|what| format!("module hash mismatch: {what}"))?;
        }
        if rec.params != run.params {
            return Err(format!(
                "{}: trainable_parameters {} differs from {} in an earlier record",
                run.hash, run.params, rec.params
            ));
        }
        let slot = usize::from(rec.repeats);
        let (Some(f), Some(h)) = (rec.fin.get_mut(slot), rec.half.get_mut(slot)) else {
            return Err(format!(
                "{}: more than {MAX_REPEATS} records at {epochs} epochs",
                run.hash
            ));
        };
        *f = run.fin;
        *h = run.half;
        rec.repeats += 1;
        Ok(())
    }

    /// The table of the cells, by hash.
    fn into_table(self) -> Nb101Table {
        let mut rows = self.rows;
        rows.sort_unstable_by_key(|r| r.0);
        Nb101Table {
            epochs: self.epochs,
            hashes: rows.iter().map(|r| r.0).collect(),
            records: rows.into_iter().map(|r| r.1).collect(),
        }
    }
}

/// An import's progress and when to report it: about every 1% of the
/// input or 0.25 s.
struct Reporter {
    p: ImportProgress,
    /// Bytes between reports (`u64::MAX` with the size unknown: by time only).
    step: u64,
    next_bytes: u64,
    last_report: Instant,
}

impl Reporter {
    fn new(total_bytes: u64) -> Self {
        let step = if total_bytes == 0 {
            u64::MAX
        } else {
            (total_bytes / 100).max(1)
        };
        Reporter {
            p: ImportProgress {
                bytes_read: 0,
                total_bytes,
                records: 0,
                imported: 0,
                skipped: 0,
                cells: 0,
                done: false,
            },
            step,
            next_bytes: step,
            last_report: Instant::now(),
        }
    }

    /// Takes the reader's position and the count of cells; reports when
    /// due.
    fn advance<R: Read>(
        &mut self,
        reader: &TfRecordReader<R>,
        cells: usize,
        progress: &mut dyn FnMut(ImportProgress),
    ) {
        let p = &mut self.p;
        p.records = reader.records();
        p.bytes_read = reader.offset();
        if p.bytes_read >= self.next_bytes
            || (p.records.is_multiple_of(256)
                && self.last_report.elapsed() >= Duration::from_millis(250))
        {
            p.cells = cells as u64;
            progress(*p);
            self.next_bytes = p.bytes_read.saturating_add(self.step);
            self.last_report = Instant::now();
        }
    }

    /// The last report, made once the table is built.
    fn finish<R: Read>(self, reader: &TfRecordReader<R>, cells: usize) -> ImportProgress {
        ImportProgress {
            records: reader.records(),
            bytes_read: reader.offset(),
            cells: cells as u64,
            done: true,
            ..self.p
        }
    }
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
        let mut cells = Gathered::new(epochs);
        let mut reporter = Reporter::new(total_bytes);
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
                Parsed::Skipped => reporter.p.skipped += 1,
                Parsed::Run(run) => {
                    cells.add(run).map_err(&bad)?;
                    reporter.p.imported += 1;
                }
            }
            reporter.advance(&reader, cells.rows.len(), progress);
        }
        let p = reporter.finish(&reader, cells.rows.len());
        if cells.rows.is_empty() {
            return Err(TableError::Corrupt {
                path: path.to_string(),
                offset: 0,
                what: format!(
                    "no records with {epochs} epochs ({} records, {} of other budgets)",
                    p.records, p.skipped
                ),
            });
        }
        let table = cells.into_table();
        progress(p);
        Ok(table)
    }

    /// Reads an `.nb101` file.
    pub fn load(path: &Path) -> Result<Self, TableError> {
        let (data, shown) = super::binfile::read(path)?;
        Self::from_bytes(&data, &shown)
    }

    /// Writes an `.nb101` file.
    pub fn write(&self, path: &Path) -> Result<(), TableError> {
        super::binfile::write(path, &self.to_bytes())
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
        crate::table::binfile::assert_damage_is_corrupt(&table().to_bytes(), |b| {
            Nb101Table::from_bytes(b, "x")
        });
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
