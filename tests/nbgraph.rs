//! NAS-Bench-Graph: the embedded Cora table against the reference CSV, the
//! canonical hash against the package's `Arch.valid_hash()`, and bad input.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use nasviz::arch::nbgraph::{GnnOp, GraphArch};
use nasviz::table::nbgraph::{NbGraphTable, OpSet};
use nasviz::table::{LookupError, TableError};

const CORA_CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/nasbenchgraph-cora/nasbenchgraph_cora.csv"
);
const SAMPLE: &str = include_str!("fixtures/nbgraph_valid_hash_sample.txt");

/// FNV-1a 64 of `"{valid_hash}\n"` for all 157,440 combinations in the
/// enumeration order of [`all_combinations`], computed with the package
/// (nas-bench-graph 1.4.0) by this script, run from the unpacked wheel as
/// `PYTHONPATH=. python3 gen.py > tests/fixtures/nbgraph_valid_hash_sample.txt`
/// (then prepend the fixture's `#` header):
///
/// ```python
/// import itertools, sys
/// from nas_bench_graph.architecture import Arch, gnn_list
/// h, i, out = 0xCBF29CE484222325, 0, []
/// for l in itertools.product(range(1), range(2), range(3), range(4)):
///     for o in itertools.product(range(9), repeat=4):
///         if o == (8, 8, 8, 8):
///             continue
///         v = Arch(list(l), [gnn_list[k] for k in o]).valid_hash()
///         for b in b"%d\n" % v:
///             h = ((h ^ b) * 0x100000001B3) % 2**64
///         if i % 53 == 0 or (o.count(8) >= 2 and i % 13 == 0):
///             out.append(" ".join(map(str, l + o + (v,))))
///         i += 1
/// sys.stderr.write("%d combinations, fnv1a64 %#018x\n" % (i, h))
/// print("\n".join(out))
/// ```
const PACKAGE_DIGEST: u64 = 0x1df8_a9bd_8365_0967;

fn fnv1a64(h: &mut u64, data: &[u8]) {
    for &b in data {
        *h ^= u64::from(b);
        *h = h.wrapping_mul(0x0100_0000_01b3);
    }
}

/// Every valid architecture: links `[0, l1 <= 1, l2 <= 2, l3 <= 3]`
/// (lexicographic), then ops as four base-9 digits (lexicographic), minus
/// all-`skip`.
fn all_combinations() -> Vec<GraphArch> {
    let mut out = Vec::with_capacity(157_440);
    for l1 in 0..=1u8 {
        for l2 in 0..=2u8 {
            for l3 in 0..=3u8 {
                for code in 0..9u32.pow(4) {
                    let ops = [3u32, 2, 1, 0]
                        .map(|k| GnnOp::from_index(((code / 9u32.pow(k)) % 9) as u8).unwrap());
                    if let Ok(a) = GraphArch::new([0, l1, l2, l3], ops) {
                        out.push(a);
                    }
                }
            }
        }
    }
    out
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("nasviz-{}-{name}", std::process::id()))
}

#[test]
fn embedded_cora_matches_reference_csv() {
    let t = NbGraphTable::cora().unwrap();
    assert_eq!(t.dataset(), "cora");
    assert_eq!(t.op_set(), OpSet::Full);
    assert_eq!(t.len(), 26_206);

    let Ok(csv) = std::fs::read_to_string(CORA_CSV) else {
        eprintln!("SKIP: {CORA_CSV} not found; the embedded Cora table was not compared with it");
        return;
    };
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "hash,link_0,link_1,link_2,link_3,op_0,op_1,op_2,op_3,valid_perf,test_perf,latency_s,params_m"
    );
    let mut rows = 0;
    let mut max_test = f64::MIN;
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 13, "{line}");
        let hash: u32 = f[0].parse().unwrap();
        let arch = GraphArch::from_hash(hash).unwrap();
        let links: Vec<u8> = f[1..5].iter().map(|s| s.parse().unwrap()).collect();
        assert_eq!(arch.links.to_vec(), links, "{line}");
        let ops: Vec<&str> = arch.ops.iter().map(|o| o.name()).collect();
        assert_eq!(ops, f[5..9].to_vec(), "{line}");
        let m = t.get(hash).unwrap_or_else(|| panic!("{hash} missing"));
        let num = |i: usize| f[i].parse::<f64>().unwrap();
        assert_eq!(m.val_acc, num(9), "{line}");
        assert_eq!(m.test_acc, num(10), "{line}");
        assert_eq!(m.latency_s, Some(num(11)), "{line}");
        assert_eq!(m.params, Some((num(12) * 1e6).round()), "{line}");
        assert_eq!(t.lookup(&arch).unwrap(), m);
        max_test = max_test.max(num(10));
        rows += 1;
    }
    assert_eq!(rows, t.len());
    let (best, m) = t.best_by_test().unwrap();
    assert_eq!(m.test_acc, max_test);
    assert_eq!(t.get(best), Some(m));
}

#[test]
fn embedded_cora_loads_quickly() {
    let mut best = f64::MAX;
    for _ in 0..10 {
        let t0 = Instant::now();
        let t = NbGraphTable::cora().unwrap();
        best = best.min(t0.elapsed().as_secs_f64());
        assert_eq!(t.len(), 26_206);
    }
    eprintln!("NbGraphTable::cora(): {:.2} ms (best of 10)", best * 1e3);
    assert!(best < 0.5, "loading took {best} s");
}

#[test]
fn valid_hash_matches_the_package() {
    let all = all_combinations();
    assert_eq!(all.len(), 157_440);

    let mut digest = 0xcbf2_9ce4_8422_2325u64;
    let mut hashes = Vec::with_capacity(all.len());
    for a in &all {
        let h = a.valid_hash().unwrap_or_else(|e| panic!("{a}: {e}"));
        fnv1a64(&mut digest, format!("{h}\n").as_bytes());
        hashes.push(h);
    }

    let mut sampled = 0;
    for line in SAMPLE.lines().filter(|l| !l.starts_with('#')) {
        let v: Vec<u32> = line.split(' ').map(|s| s.parse().unwrap()).collect();
        assert_eq!(v.len(), 9, "{line}");
        let links = [0, 1, 2, 3].map(|i| v[i] as u8);
        let ops = [4, 5, 6, 7].map(|i| GnnOp::from_index(v[i] as u8).unwrap());
        let a = GraphArch::new(links, ops).unwrap();
        assert_eq!(a.valid_hash(), Ok(v[8]), "{line}");
        sampled += 1;
    }
    assert_eq!(sampled, 3_728);
    assert_eq!(
        digest, PACKAGE_DIGEST,
        "the full mapping differs from the package's (digest {digest:#018x})"
    );

    let cora = NbGraphTable::cora().unwrap();
    let mut reached = HashSet::new();
    for (a, &h) in all.iter().zip(&hashes) {
        assert!(cora.contains(h), "{a} -> {h}, not in the Cora table");
        reached.insert(h);
    }
    assert_eq!(reached.len(), 26_206);
    assert_eq!(reached.len(), cora.len());
}

/// Records in the package's `.bench` pickle layout (protocol 3, the same
/// opcodes as `nas_bench_graph/light/*.bench`): `para` as a numpy float64.
fn bench_pickle(records: &[(u32, [f64; 4])]) -> Vec<u8> {
    fn text(d: &mut Vec<u8>, s: &str) {
        d.push(b'X');
        d.extend_from_slice(&(s.len() as u32).to_le_bytes());
        d.extend_from_slice(s.as_bytes());
    }
    fn float(d: &mut Vec<u8>, x: f64) {
        d.push(b'G');
        d.extend_from_slice(&x.to_be_bytes());
    }
    let mut d = b"\x80\x03}q\x00".to_vec();
    for (n, (hash, [val, test, latency, para])) in records.iter().enumerate() {
        if n % 1000 == 0 {
            if n > 0 {
                d.push(b'u');
            }
            d.push(b'(');
        }
        d.push(b'J');
        d.extend_from_slice(&(*hash as i32).to_le_bytes());
        d.extend_from_slice(b"}(");
        text(&mut d, "valid_perf");
        float(&mut d, *val);
        text(&mut d, "perf");
        float(&mut d, *test);
        text(&mut d, "latency");
        float(&mut d, *latency);
        text(&mut d, "para");
        if n == 0 {
            d.extend_from_slice(b"cnumpy.core.multiarray\nscalar\nq\x06cnumpy\ndtype\n");
            text(&mut d, "f8");
            d.extend_from_slice(b"\x89\x88\x87Rq\x0a(K\x03");
            text(&mut d, "<");
            d.extend_from_slice(b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb");
        } else {
            d.extend_from_slice(b"h\x06h\x0a");
        }
        d.extend_from_slice(b"C\x08");
        d.extend_from_slice(&para.to_le_bytes());
        d.extend_from_slice(b"\x86Ru");
    }
    d.extend_from_slice(b"u.");
    d
}

fn cora_records(n: usize) -> Vec<(u32, [f64; 4])> {
    NbGraphTable::cora()
        .unwrap()
        .iter()
        .take(n)
        .map(|(h, m)| {
            let params = m.params.unwrap() / 1e6;
            (h, [m.val_acc, m.test_acc, m.latency_s.unwrap(), params])
        })
        .collect()
}

#[test]
fn bench_import_round_trip_and_lookup_miss() {
    let recs = cora_records(1500);
    let path = temp_path("subset.bench");
    std::fs::write(&path, bench_pickle(&recs)).unwrap();
    let t = NbGraphTable::from_bench_file(&path, OpSet::Full).unwrap();
    std::fs::remove_file(&path).ok();
    let cora = NbGraphTable::cora().unwrap();
    assert_eq!(t.dataset(), format!("nasviz-{}-subset", std::process::id()));
    assert_eq!(t.len(), 1500);
    for (h, m) in t.iter() {
        assert_eq!(cora.get(h), Some(m));
    }

    // Through .nbt and back.
    let nbt = temp_path("subset.nbt");
    t.write(&nbt).unwrap();
    let back = NbGraphTable::load(&nbt).unwrap();
    std::fs::remove_file(&nbt).ok();
    assert_eq!(back, t);

    // Not in the subset: reported, not invented.
    let last = GraphArch::from_hash(*cora.hashes().last().unwrap()).unwrap();
    match t.lookup(&last) {
        Err(LookupError::NotInTable { key, table }) => {
            assert_eq!(key, "88887");
            assert!(table.contains("subset"), "{table}");
        }
        other => panic!("{other:?}"),
    }
    // A non-canonical hash is not a key, but its architecture is found.
    assert_eq!(cora.get(8), None);
    let a = GraphArch::from_hash(8).unwrap();
    assert_eq!(
        cora.lookup(&a).unwrap(),
        cora.get(a.valid_hash().unwrap()).unwrap()
    );
}

#[test]
fn proteins_op_set_is_enforced() {
    let cora = NbGraphTable::cora().unwrap();
    // 11111: links [0,0,0,1], all gcn; 11110 has a gat.
    let recs: Vec<_> = [11111u32, 11114, 11110]
        .iter()
        .map(|&h| {
            let m = cora.get(h).unwrap();
            (h, [m.val_acc, m.test_acc, 0.001, 0.5])
        })
        .collect();
    let data = bench_pickle(&recs[..2]);
    let t = NbGraphTable::from_bench_bytes(&data, "proteins", OpSet::Proteins, "p.bench").unwrap();
    assert_eq!(t.op_set(), OpSet::Proteins);
    let back = NbGraphTable::from_bytes(&t.to_bytes(), "p.nbt").unwrap();
    assert_eq!(back, t);
    let e = NbGraphTable::from_bench_bytes(
        &bench_pickle(&recs),
        "proteins",
        OpSet::Proteins,
        "p.bench",
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("p.bench: record 11110: uses op gat"),
        "{e}"
    );
}

fn expect_table_error(r: Result<NbGraphTable, TableError>, path: &Path, what: &str) -> String {
    let e = match r {
        Ok(_) => panic!("{what}: accepted"),
        Err(e) => e,
    };
    let msg = e.to_string();
    assert!(
        msg.starts_with(&path.display().to_string()),
        "{what}: {msg}"
    );
    assert!(
        msg.contains(": byte ") || msg.contains(": record "),
        "{what}: {msg}"
    );
    msg
}

#[test]
fn corrupt_nbt_files_are_errors() {
    let good = NbGraphTable::cora().unwrap().to_bytes();
    let path = temp_path("bad.nbt");
    let len = good.len();
    for cut in [
        0,
        5,
        9,
        11,
        15,
        17,
        20,
        100,
        len / 2,
        len - 9,
        len - 8,
        len - 1,
    ] {
        std::fs::write(&path, &good[..cut]).unwrap();
        expect_table_error(NbGraphTable::load(&path), &path, &format!("cut at {cut}"));
    }
    let mut longer = good.clone();
    longer.push(0);
    std::fs::write(&path, &longer).unwrap();
    expect_table_error(NbGraphTable::load(&path), &path, "one byte too many");
    for at in [0, 8, 10, 11, 12, 16, 20, 30, len / 2, len - 9, len - 1] {
        let mut bad = good.clone();
        bad[at] ^= 0x04;
        std::fs::write(&path, &bad).unwrap();
        let msg = expect_table_error(NbGraphTable::load(&path), &path, &format!("flip at {at}"));
        if at >= 20 {
            assert!(msg.contains("checksum"), "{msg}");
        }
    }
    std::fs::remove_file(&path).ok();
    let missing = temp_path("missing.nbt");
    assert!(matches!(
        NbGraphTable::load(&missing),
        Err(TableError::Io { .. })
    ));
}

#[test]
fn corrupt_bench_files_are_errors() {
    let good = bench_pickle(&cora_records(40));
    let path = temp_path("bad.bench");
    let len = good.len();
    for cut in [0, 1, 2, 3, 5, 50, 150, 200, len / 2, len - 2, len - 1] {
        std::fs::write(&path, &good[..cut]).unwrap();
        let msg = expect_table_error(
            NbGraphTable::from_bench_file(&path, OpSet::Full),
            &path,
            &format!("cut at {cut}"),
        );
        assert!(msg.contains(": byte "), "{msg}");
    }
    // Every single-byte flip either still decodes or is an error; never a panic.
    for at in 0..len {
        let mut bad = good.clone();
        bad[at] ^= 0x21;
        let _ = NbGraphTable::from_bench_bytes(&bad, "x", OpSet::Full, "x.bench");
    }
    // An unsupported opcode in place of the first record key.
    let mut bad = good.clone();
    bad[6] = 0xff;
    std::fs::write(&path, &bad).unwrap();
    let msg = expect_table_error(
        NbGraphTable::from_bench_file(&path, OpSet::Full),
        &path,
        "bad opcode",
    );
    assert!(
        msg.contains("byte 6: unsupported pickle opcode 0xff"),
        "{msg}"
    );

    // Out-of-range values and non-canonical hashes name the record.
    let mut recs = cora_records(3);
    recs[1].1[1] = 1.5;
    std::fs::write(&path, bench_pickle(&recs)).unwrap();
    let msg = expect_table_error(
        NbGraphTable::from_bench_file(&path, OpSet::Full),
        &path,
        "perf 1.5",
    );
    assert!(
        msg.contains(&format!("record {}: perf 1.5", recs[1].0)),
        "{msg}"
    );
    let mut recs = cora_records(3);
    recs[2].0 = 8;
    std::fs::write(&path, bench_pickle(&recs)).unwrap();
    let msg = expect_table_error(
        NbGraphTable::from_bench_file(&path, OpSet::Full),
        &path,
        "non-canonical",
    );
    assert!(
        msg.contains("record 8: not a canonical architecture"),
        "{msg}"
    );
    std::fs::remove_file(&path).ok();
}
