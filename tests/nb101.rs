//! NAS-Bench-101 cells: official hashes, pruning, invariance, bad input.

use nasviz::arch::nb101::{Cell, Op};
use nasviz::arch::{Arch, ArchError, Mutation};
use serde_json::Value;
use std::path::PathBuf;

fn shared(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "SKIP: {} not found; this test needs ../shared/data",
            p.display()
        );
        None
    }
}

fn read_json(p: &PathBuf) -> Value {
    let text = std::fs::read_to_string(p).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn cell(matrix: &Value, ops: &Value) -> Result<Cell, ArchError> {
    Cell::from_json(&serde_json::json!({"matrix": matrix, "ops": ops}))
}

#[test]
fn official_hashes_of_the_dummy_records() {
    let Some(p) = shared("nb101-naslib-dummy/nb101_dummy_5.json") else {
        return;
    };
    let records = read_json(&p);
    let records = records.as_array().unwrap();
    assert_eq!(records.len(), 5);
    for r in records {
        let c = cell(&r["module_adjacency"], &r["module_operations"]).unwrap();
        assert_eq!(c.hash().unwrap().to_string(), r["hash"].as_str().unwrap());
    }
}

fn permute(c: &Cell, perm: &[usize]) -> Cell {
    // perm maps old vertex -> new vertex; must keep the matrix upper-triangular
    let n = c.len();
    let mut m = vec![vec![0i64; n]; n];
    let mut ops = vec![String::new(); n];
    for i in 0..n {
        ops[perm[i]] = c.op(i).name().to_string();
        for j in 0..n {
            if c.has_edge(i, j) {
                m[perm[i]][perm[j]] = 1;
            }
        }
    }
    Cell::new(&m, &ops).unwrap()
}

/// Every relabelling of the interior vertices that keeps edges pointing
/// forward (a topological order) must give the same hash.
fn topological_relabellings(c: &Cell) -> Vec<Vec<usize>> {
    let n = c.len();
    let mut out = Vec::new();
    let mut order = vec![0usize];
    let mut placed = vec![false; n];
    placed[0] = true;
    fn rec(c: &Cell, order: &mut Vec<usize>, placed: &mut Vec<bool>, out: &mut Vec<Vec<usize>>) {
        let n = c.len();
        if order.len() == n {
            let mut perm = vec![0; n];
            for (new, &old) in order.iter().enumerate() {
                perm[old] = new;
            }
            out.push(perm);
            return;
        }
        for v in 1..n {
            if placed[v] || (v == n - 1 && order.len() != n - 1) {
                continue;
            }
            if (0..n).any(|u| c.has_edge(u, v) && !placed[u]) {
                continue;
            }
            placed[v] = true;
            order.push(v);
            rec(c, order, placed, out);
            order.pop();
            placed[v] = false;
        }
    }
    rec(c, &mut order, &mut placed, &mut out);
    out
}

#[test]
fn zc500_cells_that_prune_alike_hash_alike() {
    let Some(p) = shared("nb101-naslib-zc500/zc_nasbench101_decoded.json") else {
        return;
    };
    let records = read_json(&p);
    let records = records.as_array().unwrap();
    assert_eq!(records.len(), 500);
    let mut by_pruned = std::collections::HashMap::new();
    let mut trivial = 0;
    for (i, r) in records.iter().enumerate() {
        let raw = cell(&r["module_adjacency"], &r["module_operations"]).unwrap();
        let pruned = raw.pruned().unwrap();
        // our pruning equals the recorded one
        let want = cell(&r["pruned_adjacency"], &r["pruned_operations"]).unwrap();
        assert_eq!(pruned, want, "record {i}");
        let h = raw.hash().unwrap();
        assert_eq!(h, want.module_hash(), "record {i}");
        if pruned.len() == 2 {
            trivial += 1;
        }
        by_pruned
            .entry((pruned.matrix(), pruned.ops().to_vec()))
            .or_insert_with(Vec::new)
            .push(h);
    }
    assert_eq!(
        trivial, 55,
        "SOURCE.md says 55 cells prune to input->output"
    );
    for (k, hashes) in &by_pruned {
        assert!(hashes.windows(2).all(|w| w[0] == w[1]), "{k:?}");
    }
    // isomorphic relabellings hash equal, and distinct pruned graphs that
    // are not relabellings of each other hash differently
    for r in records.iter().take(60) {
        let c = cell(&r["pruned_adjacency"], &r["pruned_operations"]).unwrap();
        let h = c.module_hash();
        let perms = topological_relabellings(&c);
        assert!(!perms.is_empty());
        for perm in perms.iter().take(50) {
            assert_eq!(permute(&c, perm).module_hash(), h);
        }
    }
}

#[test]
fn python_reference_fixture() {
    let text = include_str!("fixtures/nb101_hash_reference.jsonl");
    let mut checked = 0;
    for (i, line) in text.lines().enumerate() {
        let v: Value = serde_json::from_str(line).unwrap();
        let c = Cell::from_json(&v).unwrap();
        let expect = v["expect"].as_str().unwrap();
        match (expect, c.hash()) {
            ("prunes_to_nothing", Err(ArchError::PrunesToNothing)) => {}
            ("too_many_edges", Err(ArchError::TooManyEdges { .. })) => {}
            (h, Ok(got)) => assert_eq!(got.to_string(), h, "line {}", i + 1),
            (e, got) => panic!("line {}: expected {e}, got {got:?}", i + 1),
        }
        checked += 1;
    }
    assert_eq!(checked, 500);
}

fn m(rows: &[&[i64]]) -> Vec<Vec<i64>> {
    rows.iter().map(|r| r.to_vec()).collect()
}

const IO3: [&str; 3] = ["input", "conv3x3-bn-relu", "output"];

#[test]
fn bad_cells_name_the_rule() {
    let cases: Vec<(Result<Cell, ArchError>, &str)> = vec![
        (Cell::new(&[], &[] as &[&str]), "empty"),
        (
            Cell::new(&m(&[&[0, 1, 0], &[0, 0], &[0, 0, 0]]), &IO3),
            "not square",
        ),
        (
            Cell::new(&m(&[&[0, 2, 0], &[0, 0, 1], &[0, 0, 0]]), &IO3),
            "must be 0 or 1",
        ),
        (
            Cell::new(&m(&[&[0, 1, 0], &[0, 0, 1], &[1, 0, 0]]), &IO3),
            "below the diagonal",
        ),
        (
            Cell::new(&m(&[&[1, 1, 0], &[0, 0, 1], &[0, 0, 0]]), &IO3),
            "on or below the diagonal",
        ),
        (
            Cell::new(
                &m(&[&[0, 1, 0], &[0, 0, 1], &[0, 0, 0]]),
                &["input", "conv5x5", "output"],
            ),
            "unknown op \"conv5x5\"",
        ),
        (
            Cell::new(
                &m(&[&[0, 1, 0], &[0, 0, 1], &[0, 0, 0]]),
                &["conv3x3-bn-relu", "input", "output"],
            ),
            "first vertex must be the input",
        ),
        (
            Cell::new(
                &m(&[&[0, 1, 0], &[0, 0, 1], &[0, 0, 0]]),
                &["input", "output", "output"],
            ),
            "only the first vertex",
        ),
        (
            Cell::new(
                &m(&[&[0, 1, 0], &[0, 0, 1], &[0, 0, 0]]),
                &["input", "output"],
            ),
            "one op per vertex",
        ),
        (Cell::new(&vec![vec![0; 8]; 8], &["x"; 8]), "at most 7"),
        (Cell::new(&m(&[&[0]]), &["input"]), "at least 2"),
    ];
    for (got, needle) in cases {
        let e = got.unwrap_err().to_string();
        assert!(e.contains(needle), "expected {needle:?} in {e:?}");
    }
    // prunes to nothing
    let c = Cell::new(&m(&[&[0, 1, 0], &[0, 0, 0], &[0, 0, 0]]), &IO3).unwrap();
    assert_eq!(c.hash().unwrap_err(), ArchError::PrunesToNothing);
    // 10 edges after pruning
    let mut full = vec![vec![0i64; 7]; 7];
    for (i, row) in full.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            *v = i64::from(j > i);
        }
    }
    let ops = [
        "input",
        "conv3x3-bn-relu",
        "conv3x3-bn-relu",
        "maxpool3x3",
        "conv1x1-bn-relu",
        "maxpool3x3",
        "output",
    ];
    let c = Cell::new(&full, &ops).unwrap();
    assert!(matches!(
        c.hash(),
        Err(ArchError::TooManyEdges { count: 21, max: 9 })
    ));
    // non-integer entries through JSON
    let e = Cell::from_json(
        &serde_json::json!({"matrix": [[0, 0.5], [0, 0]], "ops": ["input", "output"]}),
    )
    .unwrap_err();
    assert!(e.to_string().contains("must be 0 or 1"), "{e}");
}

fn chain3() -> Cell {
    Cell::new(
        &m(&[&[0, 1, 0, 0], &[0, 0, 1, 0], &[0, 0, 0, 1], &[0, 0, 0, 0]]),
        &["input", "conv3x3-bn-relu", "maxpool3x3", "output"],
    )
    .unwrap()
}

#[test]
fn mutations_return_valid_cells_or_the_reason() {
    let c = chain3();
    // change op
    let d = c
        .mutate(&Mutation::ChangeOp {
            node: 1,
            from: None,
            to: "conv1x1-bn-relu".into(),
        })
        .unwrap();
    assert_eq!(d.op(1), Op::Conv1x1);
    assert!(matches!(
        c.mutate(&Mutation::ChangeOp {
            node: 0,
            from: None,
            to: "maxpool3x3".into()
        }),
        Err(ArchError::FixedNode { .. })
    ));
    assert!(matches!(
        c.mutate(&Mutation::ChangeOp {
            node: 1,
            from: None,
            to: "conv3x3-bn-relu".into()
        }),
        Err(ArchError::SameOp { .. })
    ));
    // add and remove an edge
    let e = c.mutate(&Mutation::AddEdge { from: 0, to: 3 }).unwrap();
    assert!(e.has_edge(0, 3));
    assert!(matches!(
        c.mutate(&Mutation::AddEdge { from: 2, to: 1 }),
        Err(ArchError::BadEdge { .. })
    ));
    assert!(matches!(
        c.mutate(&Mutation::RemoveEdge { from: 1, to: 2 }),
        Err(ArchError::PrunesToNothing)
    ));
    // add a layer: split 1->2
    let f = c
        .mutate(&Mutation::AddNode {
            layer: "conv1x1-bn-relu".into(),
            from: 1,
            to: 2,
        })
        .unwrap();
    assert_eq!(f.len(), 5);
    assert_eq!(f.op(2), Op::Conv1x1);
    assert!(f.has_edge(1, 2) && f.has_edge(2, 3) && !f.has_edge(1, 3));
    assert_eq!(f.op(3), Op::MaxPool3x3);
    // delete it again: back to the original
    let g = f.mutate(&Mutation::RemoveNode { node: 2 }).unwrap();
    assert_eq!(g, c);
    // delete a layer of the chain: bridged
    let h = c.mutate(&Mutation::RemoveNode { node: 1 }).unwrap();
    assert_eq!(h.len(), 3);
    assert!(h.has_edge(0, 1) && h.has_edge(1, 2));
    // a full cell cannot grow
    let mut big = vec![vec![0i64; 7]; 7];
    for (i, row) in big.iter_mut().enumerate().take(6) {
        row[i + 1] = 1;
    }
    let ops = [
        "input",
        "conv3x3-bn-relu",
        "conv3x3-bn-relu",
        "conv3x3-bn-relu",
        "conv3x3-bn-relu",
        "conv3x3-bn-relu",
        "output",
    ];
    let big = Cell::new(&big, &ops).unwrap();
    assert!(matches!(
        big.mutate(&Mutation::AddNode {
            layer: "maxpool3x3".into(),
            from: 0,
            to: 1
        }),
        Err(ArchError::TooManyVertices { .. })
    ));
}

#[test]
fn diff_ignores_numbering_and_finds_the_edit() {
    // two parallel branches, written in both orders
    let a = Cell::new(
        &m(&[&[0, 1, 1, 0], &[0, 0, 0, 1], &[0, 0, 0, 1], &[0, 0, 0, 0]]),
        &["input", "conv3x3-bn-relu", "maxpool3x3", "output"],
    )
    .unwrap();
    let b = Cell::new(
        &m(&[&[0, 1, 1, 0], &[0, 0, 0, 1], &[0, 0, 0, 1], &[0, 0, 0, 0]]),
        &["input", "maxpool3x3", "conv3x3-bn-relu", "output"],
    )
    .unwrap();
    assert_eq!(a.hash().unwrap(), b.hash().unwrap());
    let d = Arch::Nb101(a).diff(&Arch::Nb101(b)).unwrap();
    assert!(d.is_empty(), "{d:?}");
    let c = a
        .mutate(&Mutation::AddNode {
            layer: "conv1x1-bn-relu".into(),
            from: 1,
            to: 3,
        })
        .unwrap();
    let d = Arch::Nb101(b).diff(&Arch::Nb101(c)).unwrap();
    let dag = c.to_dag();
    assert_eq!(d.ops_added(&dag), vec!["conv1x1-bn-relu"]);
    assert_eq!(d.nodes_added.len(), 1);
}

#[test]
fn batch_hashing_equals_one_by_one() {
    let text = include_str!("fixtures/nb101_hash_reference.jsonl");
    let mut cells: Vec<Cell> = text
        .lines()
        .map(|l| Cell::from_json(&serde_json::from_str::<Value>(l).unwrap()).unwrap())
        .collect();
    cells.extend(nasviz::testdata::random_nb101_cells(300, 5));
    let batch = nasviz::arch::nb101::hash_many(&cells);
    assert_eq!(batch.len(), cells.len());
    for (c, b) in cells.iter().zip(&batch) {
        assert_eq!(&c.hash(), b);
    }
    assert!(batch.iter().filter(|b| b.is_ok()).count() > 500);
}
