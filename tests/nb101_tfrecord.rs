//! NAS-Bench-101 TFRecord import: small files built here with the real
//! framing and payload (JSON list with a base64 ModelMetrics protobuf),
//! from the 5 real records in `../shared/data/nb101-naslib-dummy` when
//! present.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use nasviz::arch::nb101::{hash_many, Cell, ModuleHash};
use nasviz::table::nb101::{ImportProgress, Nb101Table};
use nasviz::table::tfrecord::TfRecordWriter;
use nasviz::table::{LookupError, TableError};

// ---- test-side encoders ----

fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for c in data.chunks(3) {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= c.len() {
                s.push(A[((v >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn double(out: &mut Vec<u8>, field: u64, v: f64) {
    varint(out, field << 3 | 1);
    out.extend_from_slice(&v.to_le_bytes());
}

fn message(out: &mut Vec<u8>, field: u64, m: &[u8]) {
    varint(out, field << 3 | 2);
    varint(out, m.len() as u64);
    out.extend_from_slice(m);
}

/// One training run: final and halfway (val, test, time).
#[derive(Clone, Copy, Debug)]
struct Run {
    fin: [f64; 3],
    half: [f64; 3],
    params: i64,
}

/// A ModelMetrics message: evaluations at the start, halfway and end.
fn model_metrics(r: &Run, epochs: i64) -> Vec<u8> {
    let mut out = Vec::new();
    let evals = [
        (0.0, [0.1, 0.1, 0.0]),
        (epochs as f64 / 2.0, r.half),
        (epochs as f64, r.fin),
    ];
    for (epoch, [val, test, time]) in evals {
        let mut e = Vec::new();
        double(&mut e, 1, epoch);
        double(&mut e, 2, time);
        double(&mut e, 3, 0.99);
        double(&mut e, 4, val);
        double(&mut e, 5, test);
        message(&mut e, 6, b"gs://bucket/model.ckpt-123");
        message(&mut out, 1, &e);
    }
    varint(&mut out, 2 << 3);
    varint(&mut out, r.params as u64);
    double(&mut out, 3, 5000.0);
    out
}

fn adjacency(c: &Cell) -> String {
    c.matrix()
        .iter()
        .flatten()
        .map(|&x| if x == 1 { '1' } else { '0' })
        .collect()
}

fn ops(c: &Cell) -> String {
    c.ops()
        .iter()
        .map(|o| o.name())
        .collect::<Vec<_>>()
        .join(",")
}

fn payload(hash: &str, epochs: i64, cell: &Cell, r: &Run) -> Vec<u8> {
    serde_json::to_vec(&(
        hash,
        epochs,
        adjacency(cell),
        ops(cell),
        base64(&model_metrics(r, epochs)),
    ))
    .unwrap()
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("nasviz-nb101tf-{}-{name}", std::process::id()))
}

fn write_file(name: &str, payloads: &[Vec<u8>]) -> PathBuf {
    let path = temp(name);
    let f = std::fs::File::create(&path).unwrap();
    let mut w = TfRecordWriter::new(std::io::BufWriter::new(f));
    for p in payloads {
        w.write_record(p).unwrap();
    }
    w.into_inner().unwrap();
    path
}

fn import(path: &Path, epochs: u32) -> (Result<Nb101Table, TableError>, Vec<ImportProgress>) {
    let mut seen = Vec::new();
    let r = Nb101Table::import_tfrecord(path, epochs, &mut |p| seen.push(p));
    (r, seen)
}

// ---- the 5 real records ----

struct Source {
    hash: String,
    cell: Cell,
    params: i64,
    runs: Vec<Run>,
    mean_val: f64,
    mean_test: f64,
    mean_time: f64,
}

fn sources() -> Vec<Source> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/nb101-naslib-dummy/nb101_dummy_5.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "SKIP: {} is missing: using synthetic cells hashed by nasviz itself instead of the real records",
            path.display()
        );
        return synthetic_sources();
    };
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let matrix: Vec<Vec<i64>> =
                serde_json::from_value(r["module_adjacency"].clone()).unwrap();
            let ops: Vec<String> = serde_json::from_value(r["module_operations"].clone()).unwrap();
            let f = |x: &serde_json::Value, k: &str| x[k].as_f64().unwrap();
            let runs = r["epochs"]["108"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| Run {
                    fin: [
                        f(x, "final_validation_accuracy"),
                        f(x, "final_test_accuracy"),
                        f(x, "final_training_time"),
                    ],
                    half: [
                        f(x, "halfway_validation_accuracy"),
                        f(x, "halfway_test_accuracy"),
                        f(x, "halfway_training_time"),
                    ],
                    params: r["trainable_parameters"].as_i64().unwrap(),
                })
                .collect::<Vec<_>>();
            assert_eq!(runs.len(), 3);
            Source {
                hash: r["hash"].as_str().unwrap().to_string(),
                cell: Cell::new(&matrix, &ops).unwrap(),
                params: r["trainable_parameters"].as_i64().unwrap(),
                runs,
                mean_val: f(r, "derived_mean_final_validation_accuracy"),
                mean_test: f(r, "derived_mean_final_test_accuracy"),
                mean_time: f(r, "derived_mean_final_training_time"),
            }
        })
        .collect()
}

fn synthetic_sources() -> Vec<Source> {
    // 7-vertex cells like the real ones: two parallel branches (1, 2) that
    // join at 3, then a chain to the output.
    let m: Vec<Vec<i64>> = [
        [0, 1, 1, 0, 0, 0, 0],
        [0, 0, 0, 1, 0, 0, 0],
        [0, 0, 0, 1, 0, 0, 0],
        [0, 0, 0, 0, 1, 0, 0],
        [0, 0, 0, 0, 0, 1, 0],
        [0, 0, 0, 0, 0, 0, 1],
        [0; 7],
    ]
    .iter()
    .map(|r| r.to_vec())
    .collect();
    let (c3, c1, mp) = ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3");
    let interiors = [
        [c3, c1, c3, c3, c3],
        [c3, mp, c1, c1, c3],
        [c1, mp, c3, mp, c1],
        [mp, c3, c3, c1, c1],
        [c1, c3, mp, mp, mp],
    ];
    let mut seen = HashSet::new();
    interiors
        .iter()
        .map(|ops| {
            let mut names = vec!["input"];
            names.extend(ops);
            names.push("output");
            Cell::new(&m, &names).unwrap()
        })
        .filter(|c| seen.insert(c.hash().unwrap()))
        .enumerate()
        .map(|(i, cell)| {
            let runs: Vec<Run> = (0..3)
                .map(|k| Run {
                    fin: [
                        0.9 + 0.01 * k as f64,
                        0.89 + 0.01 * i as f64,
                        1000.0 + k as f64,
                    ],
                    half: [0.7, 0.69, 500.0],
                    params: 1_000_000 + i as i64,
                })
                .collect();
            let mean = |m: usize| runs.iter().map(|r| r.fin[m]).sum::<f64>() / 3.0;
            Source {
                hash: cell.hash().unwrap().to_string(),
                cell,
                params: 1_000_000 + i as i64,
                mean_val: mean(0),
                mean_test: mean(1),
                mean_time: mean(2),
                runs,
            }
        })
        .collect()
}

/// Synthetic runs for the budgets other than 108 (distinct values).
fn short_run(epochs: i64, s: &Source, k: usize) -> Run {
    let e = epochs as f64;
    Run {
        fin: [
            0.5 + e / 1000.0,
            0.4 + e / 1000.0 + k as f64 * 0.001,
            10.0 * e,
        ],
        half: [0.3, 0.3, 5.0 * e],
        params: s.params,
    }
}

/// All records of the 5 sources, as the full file has them: every budget,
/// 3 repeats each, interleaved (repeat-major) so a cell's repeats are not
/// adjacent.
fn full_payloads(src: &[Source]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for k in 0..3 {
        for epochs in [4i64, 12, 36, 108] {
            for s in src {
                let run = if epochs == 108 {
                    s.runs[k]
                } else {
                    short_run(epochs, s, k)
                };
                out.push(payload(&s.hash, epochs, &s.cell, &run));
            }
        }
    }
    out
}

fn only108(src: &[Source]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for s in src {
        for r in &s.runs {
            out.push(payload(&s.hash, 108, &s.cell, r));
        }
    }
    out
}

#[test]
fn imports_the_real_records_exactly() {
    let src = sources();
    let path = write_file("full.tfrecord", &full_payloads(&src));
    let (t, seen) = import(&path, 108);
    let t = t.unwrap();
    assert_eq!(t.len(), 5);
    assert_eq!(t.epochs(), 108);
    for s in &src {
        let h: ModuleHash = s.hash.parse().unwrap();
        assert_eq!(s.cell.hash().unwrap(), h, "our hash of the source's cell");
        let m = t.get(&h).unwrap();
        assert_eq!(m.params, Some(s.params as f64));
        assert_eq!(m.repeats.len(), 3);
        for (r, want) in m.repeats.iter().zip(&s.runs) {
            assert_eq!(r.val_acc, want.fin[0]);
            assert_eq!(r.test_acc, want.fin[1]);
            assert_eq!(r.train_time_s, Some(want.fin[2]));
        }
        let mean = |m: usize| s.runs.iter().map(|r| r.fin[m]).sum::<f64>() / 3.0;
        assert_eq!(m.val_acc, mean(0));
        assert_eq!(m.test_acc, mean(1));
        assert_eq!(m.train_time_s, Some(mean(2)));
        // The source's own means (computed in float32 and float64 by numpy).
        assert!(
            (m.val_acc - s.mean_val).abs() < 1e-6,
            "{} {}",
            m.val_acc,
            s.mean_val
        );
        assert!((m.test_acc - s.mean_test).abs() < 1e-6);
        assert!((m.train_time_s.unwrap() - s.mean_time).abs() < 1e-3);
        let half = t.halfway(&h).unwrap();
        for (r, want) in half.repeats.iter().zip(&s.runs) {
            assert_eq!(r.val_acc, want.half[0] as f32 as f64);
            assert_eq!(r.test_acc, want.half[1] as f32 as f64);
            assert_eq!(r.train_time_s, Some(want.half[2] as f32 as f64));
        }
        assert_eq!(t.cell(&h), Some(s.cell));
        assert_eq!(t.lookup(&s.cell).unwrap(), m);
    }
    let best = src
        .iter()
        .max_by(|a, b| a.mean_test.total_cmp(&b.mean_test))
        .unwrap();
    assert_eq!(t.best_by_test().unwrap().0.to_string(), best.hash);
    let hashes: Vec<String> = t.iter().map(|(h, _)| h.to_string()).collect();
    let mut sorted: Vec<String> = src.iter().map(|s| s.hash.clone()).collect();
    sorted.sort();
    assert_eq!(hashes, sorted);
    // Records of the other budgets are skipped and counted.
    let last = seen.last().unwrap();
    assert!(last.done);
    assert_eq!(
        (last.records, last.imported, last.skipped, last.cells),
        (60, 15, 45, 5)
    );
    assert_eq!(last.bytes_read, std::fs::metadata(&path).unwrap().len());
    // Another budget from the same file.
    let (t12, _) = import(&path, 12);
    let t12 = t12.unwrap();
    assert_eq!((t12.len(), t12.epochs()), (5, 12));
    let m = t12.get(&src[0].hash.parse().unwrap()).unwrap();
    assert_eq!(m.repeats[2].test_acc, short_run(12, &src[0], 2).fin[1]);
    // From memory, size unknown: progress by time only, and at the end.
    let bytes = std::fs::read(&path).unwrap();
    let mut calls = Vec::new();
    let mem = Nb101Table::import_reader(&bytes[..], 0, 108, "mem", &mut |p| calls.push(p)).unwrap();
    assert_eq!(mem, t);
    assert!(calls.len() <= 2 && calls.last().unwrap().done, "{calls:?}");
    // The only-108 layout imports the same table.
    let p108 = write_file("only108.tfrecord", &only108(&src));
    assert_eq!(import(&p108, 108).0.unwrap(), t);
    let e = import(&p108, 36).0.unwrap_err().to_string();
    assert!(e.contains("no records with 36 epochs"), "{e}");
    assert!(import(&p108, 100).0.is_err());
    for p in [path, p108] {
        std::fs::remove_file(p).unwrap();
    }
}

/// Interior vertex permutations of `c` that keep it upper-triangular.
fn permuted(c: &Cell) -> Option<Cell> {
    let n = c.len();
    let m = c.matrix();
    let names: Vec<&str> = c.ops().iter().map(|o| o.name()).collect();
    let interior: Vec<usize> = (1..n - 1).collect();
    // Heap's algorithm over the interior vertices.
    let mut perm = interior.clone();
    let mut stack = vec![0usize; perm.len()];
    let mut i = 0;
    while i < perm.len() {
        if stack[i] < i {
            if i % 2 == 0 {
                perm.swap(0, i);
            } else {
                perm.swap(stack[i], i);
            }
            stack[i] += 1;
            i = 0;
            // new position of vertex v
            let pos = |v: usize| if v == 0 || v == n - 1 { v } else { perm[v - 1] };
            let ok = (0..n).all(|a| (0..n).all(|b| m[a][b] == 0 || pos(a) < pos(b)));
            if ok {
                let mut pm = vec![vec![0i64; n]; n];
                let mut po = vec![""; n];
                for a in 0..n {
                    po[pos(a)] = names[a];
                    for b in 0..n {
                        pm[pos(a)][pos(b)] = i64::from(m[a][b]);
                    }
                }
                let p = Cell::new(&pm, &po).unwrap();
                if p != *c {
                    return Some(p);
                }
            }
        } else {
            stack[i] = 0;
            i += 1;
        }
    }
    None
}

#[test]
fn lookups_find_equivalent_cells_and_refuse_others() {
    let src = sources();
    // The real cells (all 7 vertices, already pruned) and a 6-vertex chain
    // hashed by nasviz, to look up through an unpruned form.
    let chain_ops = [
        "input",
        "conv3x3-bn-relu",
        "conv1x1-bn-relu",
        "maxpool3x3",
        "conv3x3-bn-relu",
        "output",
    ];
    let chain_m: Vec<Vec<i64>> = (0..6)
        .map(|i| (0..6).map(|j| i64::from(j == i + 1)).collect())
        .collect();
    let chain = Cell::new(&chain_m, &chain_ops).unwrap();
    let chain_hash = chain.hash().unwrap().to_string();
    let chain_run = Run {
        fin: [0.91, 0.9, 1500.0],
        half: [0.8, 0.79, 750.0],
        params: 2_000_000,
    };
    let mut payloads = only108(&src);
    for _ in 0..3 {
        payloads.push(payload(&chain_hash, 108, &chain, &chain_run));
    }
    let path = write_file("lookup.tfrecord", &payloads);
    let t = import(&path, 108).0.unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(t.len(), 6);
    // A renumbered cell.
    let (s, p) = src
        .iter()
        .find_map(|s| permuted(&s.cell).map(|p| (s, p)))
        .expect("a source cell with a non-trivial renumbering");
    assert_ne!(p, s.cell);
    assert_eq!(t.lookup(&p).unwrap(), t.lookup(&s.cell).unwrap());
    // An unpruned cell: the chain with a seventh vertex fed by the input
    // that leads nowhere (pruning removes it).
    let mut big = vec![vec![0i64; 7]; 7];
    for i in 0..4 {
        big[i][i + 1] = 1;
    }
    big[4][6] = 1;
    big[0][5] = 1;
    let mut names = chain_ops[..5].to_vec();
    names.extend(["maxpool3x3", "output"]);
    let unpruned = Cell::new(&big, &names).unwrap();
    assert_ne!(unpruned.module_hash(), chain.module_hash());
    let m = t.lookup(&unpruned).unwrap();
    assert_eq!(m.val_acc, 0.91);
    assert_eq!(m, t.get(&chain_hash.parse().unwrap()).unwrap());
    // A valid cell that is not in the table.
    let other = Cell::new(
        &[vec![0, 1, 0], vec![0, 0, 1], vec![0, 0, 0]],
        &["input", "conv1x1-bn-relu", "output"],
    )
    .unwrap();
    match t.lookup(&other) {
        Err(LookupError::NotInTable { key, .. }) => {
            assert_eq!(key, other.hash().unwrap().to_string())
        }
        r => panic!("expected NotInTable, got {r:?}"),
    }
    // A cell outside the space (the output is unreachable).
    let cut = Cell::new(
        &[vec![0, 1, 0], vec![0, 0, 0], vec![0, 0, 0]],
        &["input", "conv1x1-bn-relu", "output"],
    )
    .unwrap();
    assert!(matches!(t.lookup(&cut), Err(LookupError::Invalid(_))));
}

#[test]
fn nb101_file_round_trip_is_exact() {
    let src = sources();
    let path = write_file("rt.tfrecord", &full_payloads(&src));
    let t = import(&path, 108).0.unwrap();
    let out = temp("rt.nb101");
    t.write(&out).unwrap();
    let back = Nb101Table::load(&out).unwrap();
    assert_eq!(back, t);
    assert_eq!(back.to_bytes(), t.to_bytes());
    assert_eq!(std::fs::read(&out).unwrap().len(), 16 + 5 * 144 + 8);
    for (h, m) in t.iter() {
        assert_eq!(back.get(&h), Some(m));
    }
    // Corrupt and truncated copies.
    let bytes = t.to_bytes();
    for cut in [0, 7, 15, 16, 100, bytes.len() - 9, bytes.len() - 1] {
        let e = Nb101Table::from_bytes(&bytes[..cut], "cut.nb101").unwrap_err();
        assert!(matches!(e, TableError::Corrupt { .. }), "{cut}: {e}");
    }
    let mut bad = bytes.clone();
    bad[16 + 144 + 40] ^= 0x55;
    let e = Nb101Table::from_bytes(&bad, "flip.nb101").unwrap_err();
    assert!(e.to_string().contains("checksum mismatch"), "{e}");
    std::fs::write(&out, &bytes[..bytes.len() / 2]).unwrap();
    let e = Nb101Table::load(&out).unwrap_err().to_string();
    assert!(e.contains("rt.nb101: byte 12:"), "{e}");
    let e = Nb101Table::load(&temp("missing.nb101")).unwrap_err();
    assert!(matches!(e, TableError::Io { .. }));
    for p in [path, out] {
        std::fs::remove_file(p).unwrap();
    }
}

// ---- bad input ----

fn good_file() -> (Vec<Source>, Vec<u8>) {
    let src = sources();
    let mut w = TfRecordWriter::new(Vec::new());
    for p in only108(&src) {
        w.write_record(&p).unwrap();
    }
    (src, w.into_inner().unwrap())
}

fn import_bytes(name: &str, bytes: &[u8]) -> Result<Nb101Table, TableError> {
    let path = temp(name);
    std::fs::write(&path, bytes).unwrap();
    let r = import(&path, 108).0;
    std::fs::remove_file(&path).unwrap();
    r
}

/// A file of the good records with `bad` as record 4.
fn with_bad_record(name: &str, bad: &[u8]) -> String {
    let src = sources();
    let mut p = only108(&src);
    p.insert(4, bad.to_vec());
    let mut w = TfRecordWriter::new(Vec::new());
    for x in &p {
        w.write_record(x).unwrap();
    }
    let e = import_bytes(name, &w.into_inner().unwrap()).unwrap_err();
    assert!(matches!(e, TableError::BadRecord { .. }), "{e}");
    let s = e.to_string();
    assert!(s.contains(": record 4 (byte "), "{s}");
    s
}

#[test]
fn truncated_files_are_corrupt() {
    let (_, f) = good_file();
    let first_len = 12 + u64::from_le_bytes(f[..8].try_into().unwrap()) as usize + 4;
    for cut in [1, 8, 11, 12, 13, first_len - 1, first_len + 5, f.len() - 1] {
        let e = import_bytes("trunc.tfrecord", &f[..cut]).unwrap_err();
        let s = e.to_string();
        assert!(matches!(e, TableError::Corrupt { .. }), "{cut}: {s}");
        assert!(s.contains("truncated"), "{cut}: {s}");
        if cut < first_len + 12 {
            let at = if cut < first_len { 0 } else { first_len };
            assert!(s.contains(&format!("byte {at}:")), "{cut}: {s}");
        }
    }
    let e = import_bytes("empty.tfrecord", &[]).unwrap_err().to_string();
    assert!(e.contains("no records"), "{e}");
}

#[test]
fn bad_crcs_are_corrupt() {
    let (_, f) = good_file();
    let mut c = f.clone();
    c[40] ^= 0x01; // first record's data
    let e = import_bytes("data-crc.tfrecord", &c)
        .unwrap_err()
        .to_string();
    assert!(e.contains("byte 12: record 0: bad data CRC"), "{e}");
    let first_len = 12 + u64::from_le_bytes(f[..8].try_into().unwrap()) as usize + 4;
    let mut c = f.clone();
    c[first_len + 1] ^= 0x80; // second record's length
    let e = import_bytes("len-crc.tfrecord", &c)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&format!("byte {first_len}: record 1: bad length CRC")),
        "{e}"
    );
    let mut c = f;
    let last = c.len() - 1;
    c[last] ^= 0xff; // the last record's data CRC
    let e = import_bytes("crc-crc.tfrecord", &c)
        .unwrap_err()
        .to_string();
    assert!(e.contains("bad data CRC"), "{e}");
}

#[test]
fn malformed_json_is_a_bad_record() {
    let s = with_bad_record(
        "json.tfrecord",
        br#"["ff92c322c5d9d3d587d9c146a63d0807", 108"#,
    );
    assert!(s.contains("not a JSON list"), "{s}");
    let s = with_bad_record("json2.tfrecord", br#"{"hash": 1}"#);
    assert!(s.contains("not a JSON list"), "{s}");
    let s = with_bad_record("json3.tfrecord", &[0xff, 0xfe]);
    assert!(s.contains("not a JSON list"), "{s}");
}

#[test]
fn hash_mismatch_names_both_hashes() {
    let src = sources();
    let wrong = &src[1].hash;
    let bad = payload(wrong, 108, &src[0].cell, &src[0].runs[0]);
    let s = with_bad_record("hash.tfrecord", &bad);
    assert!(s.contains("module hash mismatch"), "{s}");
    assert!(
        s.contains(wrong.as_str()) && s.contains(src[0].hash.as_str()),
        "{s}"
    );
    let bad = payload("not-a-hash", 108, &src[0].cell, &src[0].runs[0]);
    let s = with_bad_record("hash2.tfrecord", &bad);
    assert!(s.contains("module hash"), "{s}");
}

#[test]
fn nan_and_out_of_range_accuracies_are_bad_records() {
    let src = sources();
    let mut r = src[0].runs[0];
    r.fin[1] = f64::NAN;
    let s = with_bad_record(
        "nan.tfrecord",
        &payload(&src[0].hash, 108, &src[0].cell, &r),
    );
    assert!(s.contains("final test_accuracy NaN"), "{s}");
    let mut r = src[0].runs[0];
    r.fin[0] = 93.2; // a percentage
    let s = with_bad_record(
        "pct.tfrecord",
        &payload(&src[0].hash, 108, &src[0].cell, &r),
    );
    assert!(
        s.contains("validation_accuracy 93.2 is not a fraction"),
        "{s}"
    );
    let mut r = src[0].runs[0];
    r.half[1] = -0.1;
    let s = with_bad_record(
        "neg.tfrecord",
        &payload(&src[0].hash, 108, &src[0].cell, &r),
    );
    assert!(s.contains("halfway test_accuracy -0.1"), "{s}");
    let mut r = src[0].runs[0];
    r.fin[2] = f64::INFINITY;
    let s = with_bad_record(
        "inf.tfrecord",
        &payload(&src[0].hash, 108, &src[0].cell, &r),
    );
    assert!(s.contains("training_time inf"), "{s}");
}

#[test]
fn other_bad_payloads_are_bad_records() {
    let src = sources();
    let s0 = &src[0];
    let b64 = base64(&model_metrics(&s0.runs[0], 108));
    let rec = |adj: &str, ops: &str, metrics: &str, epochs: i64| {
        serde_json::to_vec(&(&s0.hash, epochs, adj, ops, metrics)).unwrap()
    };
    let (a, o) = (adjacency(&s0.cell), ops(&s0.cell));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("epochs", rec(&a, &o, &b64, 50), "epochs 50"),
        ("square", rec(&a[1..], &o, &b64, 108), "not the square"),
        (
            "binary",
            rec(&a.replacen('1', "2", 1), &o, &b64, 108),
            "not 0 or 1",
        ),
        (
            "op",
            rec(&a, &o.replacen("conv", "depthwise", 1), &b64, 108),
            "unknown op",
        ),
        ("b64", rec(&a, &o, "@@@@", 108), "base64"),
        (
            "proto",
            rec(&a, &o, &base64(&[0x0a, 0x40, 1]), 108),
            "truncated",
        ),
        ("no-evals", rec(&a, &o, "", 108), "0 evaluations"),
    ];
    for (name, bad, want) in cases {
        let s = with_bad_record(name, &bad);
        assert!(s.contains(want), "{name}: {s}");
    }
    // A fourth repeat of one cell.
    let mut p = only108(&src);
    p.push(payload(&s0.hash, 108, &s0.cell, &s0.runs[0]));
    let mut w = TfRecordWriter::new(Vec::new());
    for x in &p {
        w.write_record(x).unwrap();
    }
    let e = import_bytes("fourth.tfrecord", &w.into_inner().unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("record 15 (byte") && e.contains("more than 3 records"),
        "{e}"
    );
}

#[test]
fn twenty_thousand_records_stream_with_progress() {
    let cells = nasviz::testdata::random_nb101_cells(40_000, 42);
    let hashes = hash_many(&cells);
    let mut seen = HashSet::new();
    let unique: Vec<(Cell, ModuleHash)> = cells
        .iter()
        .zip(hashes)
        .map(|(c, h)| (*c, h.unwrap()))
        .filter(|(_, h)| seen.insert(*h))
        .take(6_700)
        .collect();
    assert_eq!(unique.len(), 6_700);
    let path = temp("big.tfrecord");
    {
        let f = std::fs::File::create(&path).unwrap();
        let mut w = TfRecordWriter::new(std::io::BufWriter::new(f));
        for k in 0..3 {
            for (i, (c, h)) in unique.iter().enumerate() {
                let x = (i % 1000) as f64 / 1000.0;
                let run = Run {
                    fin: [
                        0.8 + x / 10.0,
                        0.79 + x / 10.0 + k as f64 / 1000.0,
                        1000.0 + x,
                    ],
                    half: [0.6, 0.59, 500.0],
                    params: 1_000_000 + i as i64,
                };
                w.write_record(&payload(&h.to_string(), 108, c, &run))
                    .unwrap();
            }
        }
        w.into_inner().unwrap();
    }
    let size = std::fs::metadata(&path).unwrap().len();
    let start = Instant::now();
    let (t, seen) = import(&path, 108);
    let secs = start.elapsed().as_secs_f64();
    let t = t.unwrap();
    let n = 3 * unique.len();
    println!(
        "imported {n} records ({size} bytes) in {:.3} s: {:.0} records/s, {:.1} MB/s",
        secs,
        n as f64 / secs,
        size as f64 / secs / 1e6
    );
    assert_eq!(t.len(), unique.len());
    let bytes = t.to_bytes();
    let start = Instant::now();
    let back = Nb101Table::from_bytes(&bytes, "big.nb101").unwrap();
    let load = start.elapsed().as_secs_f64();
    println!(
        ".nb101 of {} cells ({} bytes) decoded in {:.2} ms ({:.0} ns per cell)",
        t.len(),
        bytes.len(),
        load * 1e3,
        load * 1e9 / t.len() as f64
    );
    assert_eq!(back, t);
    for (i, (c, h)) in unique.iter().enumerate().step_by(97) {
        let m = t.get(h).unwrap();
        assert_eq!(m.params, Some(1_000_000.0 + i as f64));
        assert_eq!(m.repeats.len(), 3);
        assert_eq!(t.lookup(c).unwrap(), m);
    }
    // Progress: monotonic, bounded in count, complete at the end.
    assert!(seen.len() >= 2, "{}", seen.len());
    assert!(seen.len() <= 102 + (secs / 0.25) as usize, "{}", seen.len());
    for w in seen.windows(2) {
        assert!(w[0].bytes_read <= w[1].bytes_read);
        assert!(w[0].records <= w[1].records);
        assert!(w[0].cells <= w[1].cells);
        assert!(!w[0].done);
    }
    let last = seen.last().unwrap();
    assert!(last.done);
    assert_eq!((last.bytes_read, last.total_bytes), (size, size));
    assert_eq!(last.records, n as u64);
    std::fs::remove_file(&path).unwrap();
}

/// Every valid cell of at most 5 vertices (distinct after pruning), with
/// synthetic metrics: a complete table of that small space, so searches
/// over it never leave the table.
fn small_space_table() -> Nb101Table {
    let ops3 = ["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"];
    let mut seen = HashSet::new();
    let mut payloads = Vec::new();
    for n in 2..=5usize {
        let pairs: Vec<(usize, usize)> = (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
            .collect();
        for bits in 0u32..(1 << pairs.len()) {
            let mut m = vec![vec![0i64; n]; n];
            for (k, &(i, j)) in pairs.iter().enumerate() {
                m[i][j] = i64::from(bits >> k & 1 == 1);
            }
            for code in 0..3usize.pow((n - 2) as u32) {
                let mut o = vec!["input".to_string()];
                let mut c = code;
                for _ in 0..n - 2 {
                    o.push(ops3[c % 3].to_string());
                    c /= 3;
                }
                o.push("output".into());
                let Ok(cell) = Cell::new(&m, &o) else {
                    continue;
                };
                let Ok(p) = cell.pruned() else { continue };
                let h = p.module_hash();
                if !seen.insert(h) {
                    continue;
                }
                let conv3 = p
                    .ops()
                    .iter()
                    .filter(|o| o.name() == "conv3x3-bn-relu")
                    .count() as f64;
                let pool = p.ops().iter().filter(|o| o.name() == "maxpool3x3").count() as f64;
                let noise = f64::from(h.0[0]) / 255.0 * 0.01;
                let val = 0.80 + 0.03 * conv3 - 0.02 * pool + noise;
                let r = Run {
                    fin: [val, val - 0.005, 1000.0 + 100.0 * conv3],
                    half: [val - 0.05, val - 0.05, 500.0],
                    params: 1000 + p.edge_count() as i64,
                };
                for _ in 0..3 {
                    payloads.push(payload(&h.to_string(), 108, &p, &r));
                }
            }
        }
    }
    let path = write_file("small-space.tfrecord", &payloads);
    let (t, _) = import(&path, 108);
    let _ = std::fs::remove_file(&path);
    t.unwrap()
}

#[test]
fn searches_run_on_an_nb101_table() {
    use nasviz::search::{Benchmark, Nb101Bench, Session, Strategy};
    let bench = Nb101Bench::new(small_space_table());
    assert!(bench.table.len() > 100, "{}", bench.table.len());
    for strategy in [
        Strategy::Random,
        Strategy::Evolution {
            population: 20,
            sample: 5,
        },
    ] {
        let mut s = Session::new(&bench, strategy, 11, "nb101").unwrap();
        s.run_n(300).unwrap();
        let run = s.into_run();
        assert_eq!(run.trials.len(), 300);
        let mut clock = 0.0;
        for t in &run.trials {
            let (key, m) = bench.query(t.arch).unwrap();
            assert_eq!(t.hash, Some(key.as_str()));
            assert_eq!(t.metrics.val_acc, m.val_acc);
            clock += m.train_time_s.unwrap();
            assert_eq!(
                t.time_s,
                Some(clock),
                "the simulated clock adds training time"
            );
            if let Some(p) = t.parents.first() {
                let parent = run.trial(*p).unwrap();
                // the recorded edit turns the parent into the child
                let child = parent.arch.mutate(t.mutation.as_ref().unwrap()).unwrap();
                assert_eq!(child, *t.arch);
            }
        }
        let evolved = run.trials.iter().filter(|t| !t.parents.is_empty()).count();
        match strategy {
            Strategy::Random => assert_eq!(evolved, 0),
            _ => assert_eq!(evolved, 280),
        }
    }
}

/// `info` recognises a NAS-Bench-101 TFRecord (records, cells at 108
/// epochs, the command that converts it), and says when one is gzipped.
#[test]
fn info_describes_a_tfrecord_and_names_gzip() {
    let src = sources();
    let path = write_file("info.tfrecord", &full_payloads(&src));
    let s = nasviz::info::describe(&path).unwrap();
    assert!(s.contains("NAS-Bench-101 TFRecord"), "{s}");
    assert!(s.contains("at 108 epochs: 5 cells"), "{s}");
    assert!(s.contains("nasviz import nb101-tfrecord"), "{s}");
    let gz = temp("info.tfrecord.gz.tfrecord");
    std::fs::write(&gz, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6]).unwrap();
    let e = nasviz::info::describe(&gz).unwrap_err().to_string();
    assert!(e.contains("gzip-compressed"), "{e}");
}
