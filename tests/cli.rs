//! The `nasviz` command line: output, errors and exit codes.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn nasviz(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nasviz"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nasviz-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn arch_hash_reproduces_the_official_hashes() {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/nb101-naslib-dummy/nb101_dummy_5.json");
    if !p.exists() {
        eprintln!("SKIP: {} not found", p.display());
        return;
    }
    let records: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    let mut input = String::new();
    let mut want = Vec::new();
    for r in records.as_array().unwrap() {
        let line =
            serde_json::json!({"matrix": r["module_adjacency"], "ops": r["module_operations"]});
        input.push_str(&line.to_string());
        input.push('\n');
        want.push(r["hash"].as_str().unwrap().to_string());
    }
    // from stdin and from a file
    let out = nasviz(&["arch", "hash"], Some(&input));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().collect::<Vec<_>>(), want);
    let f = tmp("cells.jsonl");
    std::fs::write(&f, &input).unwrap();
    let out = nasviz(&["arch", "hash", f.to_str().unwrap()], None);
    assert!(out.status.success());
    assert_eq!(text(&out.stdout).lines().collect::<Vec<_>>(), want);
}

#[test]
fn arch_hash_names_the_line_and_rule_and_fails() {
    let input = concat!(
        r#"{"matrix":[[0,1],[0,0]],"ops":["input","output"]}"#,
        "\n",
        "{not json\n",
        "\n",
        r#"{"matrix":[[0,1,0],[0,0,1],[0,0,0]],"ops":["input","conv7x7","output"]}"#,
        "\n",
        r#"{"matrix":[[0,1],[1,0]],"ops":["input","output"]}"#,
        "\n",
        r#"{"matrix":[[0,1,0],[0,0,0],[0,0,0]],"ops":["input","maxpool3x3","output"]}"#,
        "\n",
        r#"{"matrix":[[0,1,0],[0,0,1]],"ops":["input","maxpool3x3","output"]}"#,
        "\n",
    );
    let out = nasviz(&["arch", "hash"], Some(input));
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{stdout}");
    assert_eq!(lines[0], "043721b9c7fe8c5fad811d47d83132ec");
    assert!(
        lines[1].starts_with("error: stdin:2: malformed JSON"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("error: stdin:4: unknown op \"conv7x7\""),
        "{}",
        lines[2]
    );
    assert!(lines[3].contains("stdin:5:") && lines[3].contains("below the diagonal"));
    assert!(lines[4].contains("stdin:6:") && lines[4].contains("prunes to nothing"));
    assert!(lines[5].contains("stdin:7:") && lines[5].contains("not square"));
    assert!(text(&out.stderr).contains("5 of 6 cells"));
}

#[test]
fn missing_files_are_clear_errors() {
    let out = nasviz(&["arch", "hash", "/nonexistent/cells.jsonl"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("/nonexistent/cells.jsonl"));
    let out = nasviz(&["info", "/nonexistent/x.nbt"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("/nonexistent/x.nbt"));
    let out = nasviz(&["bench", "--seconds", "0"], None);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn info_describes_the_shipped_table() {
    let p = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/nbgraph-cora.nbt");
    let out = nasviz(&["info", p], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.contains("archs:      26,206"), "{s}");
    assert!(s.contains("dataset:    cora"), "{s}");
    assert!(s.contains("best test:  83.13%"), "{s}");
}

#[test]
fn info_refuses_unknown_files() {
    let f = tmp("unknown.txt");
    std::fs::write(&f, "hello\n").unwrap();
    let out = nasviz(&["info", f.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("unknown.txt"));
    let f = tmp("empty.json");
    std::fs::write(&f, "").unwrap();
    let out = nasviz(&["info", f.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("empty"));
}

#[test]
fn import_refuses_corrupt_input_and_keeps_existing_output() {
    let bench = tmp("cora.bench");
    // a pickle cut short
    std::fs::write(&bench, [0x80u8, 3, b'}', b'q', 0, b'(', b'K']).unwrap();
    let out_path = tmp("out.nbt");
    let out = nasviz(
        &[
            "import",
            "nas-bench-graph",
            bench.to_str().unwrap(),
            "-o",
            out_path.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("cora.bench"), "{err}");
    assert!(!out_path.exists(), "nothing is written on failure");
    // an existing output is not replaced without --force
    std::fs::write(&out_path, b"precious").unwrap();
    let out = nasviz(
        &[
            "import",
            "nas-bench-graph",
            bench.to_str().unwrap(),
            "-o",
            out_path.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--force"));
    assert_eq!(std::fs::read(&out_path).unwrap(), b"precious");
}

#[test]
fn search_writes_a_trace_and_refuses_bad_flags() {
    let out_path = tmp("search.jsonl");
    let _ = std::fs::remove_file(&out_path);
    let p = out_path.to_str().unwrap();
    let out = nasviz(
        &[
            "search",
            "--space",
            "nbgraph:cora",
            "--strategy",
            "evolution",
            "--budget",
            "120",
            "--seed",
            "4",
            "-o",
            p,
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("120 trials of regularized_evolution"));
    let (trace, _) = nasviz::trace::jsonl::read_trace(&out_path).unwrap();
    assert_eq!(trace.runs[0].trials.len(), 120);
    assert_eq!(trace.runs[0].info.run_id, "re-4");
    // the existing trace is kept
    let before = std::fs::read(&out_path).unwrap();
    let out = nasviz(
        &["search", "--strategy", "random", "--budget", "5", "-o", p],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--force"));
    assert_eq!(std::fs::read(&out_path).unwrap(), before);
    for (args, needle) in [
        (
            vec![
                "search",
                "--space",
                "nb999:x",
                "--strategy",
                "random",
                "--budget",
                "5",
                "-o",
                "/tmp/x.jsonl",
                "--force",
            ],
            "no benchmark table",
        ),
        (
            vec![
                "search",
                "--space",
                "cora",
                "--strategy",
                "random",
                "--budget",
                "5",
                "-o",
                "/tmp/x.jsonl",
                "--force",
            ],
            "expected SPACE:TABLE",
        ),
        (
            vec![
                "search",
                "--space",
                "nbgraph:/nonexistent.nbt",
                "--strategy",
                "random",
                "--budget",
                "5",
                "-o",
                "/tmp/x.jsonl",
                "--force",
            ],
            "/nonexistent.nbt",
        ),
        (
            vec![
                "search",
                "--strategy",
                "random",
                "--budget",
                "0",
                "-o",
                "/tmp/x.jsonl",
                "--force",
            ],
            "--budget",
        ),
        (
            vec![
                "search",
                "--strategy",
                "evolution",
                "--population",
                "5",
                "--sample",
                "9",
                "--budget",
                "5",
                "-o",
                "/tmp/x.jsonl",
                "--force",
            ],
            "sample",
        ),
    ] {
        let out = nasviz(&args, None);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            text(&out.stderr).contains(needle),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn info_describes_the_demo_datasets() {
    for (name, strategy) in [
        ("cora-random-2000.jsonl", "random_search"),
        ("cora-evolution-2000.jsonl", "regularized_evolution"),
    ] {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("datasets")
            .join(name);
        let out = nasviz(&["info", p.to_str().unwrap()], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let s = text(&out.stdout);
        assert!(s.contains("nasviz trace"), "{s}");
        assert!(s.contains(strategy), "{s}");
        assert!(s.contains("2,000"), "{s}");
        assert!(s.contains("nas-bench-graph/cora"), "{s}");
        assert!(s.contains("best:"), "{s}");
    }
}

#[test]
fn import_naslib_results() {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/nb201-naslib-traces/raw");
    if !dir.exists() {
        eprintln!("SKIP: {} not found", dir.display());
        return;
    }
    let out_path = tmp("nb201.jsonl");
    let out = nasviz(
        &[
            "import",
            "naslib-nb201",
            dir.to_str().unwrap(),
            "-o",
            out_path.to_str().unwrap(),
            "--force",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("10 runs, 2,000 trials"),
        "{}",
        text(&out.stderr)
    );
    let out = nasviz(&["info", out_path.to_str().unwrap()], None);
    let s = text(&out.stdout);
    assert!(s.contains("max test:   94.37%"), "{s}");
    // one file, outside its RS/RE folder: the user says what it was
    let one = dir.join("RE/errors_3.json");
    let out = nasviz(
        &[
            "import",
            "naslib-nb201",
            one.to_str().unwrap(),
            "-o",
            out_path.to_str().unwrap(),
            "--force",
            "--strategy",
            "aging_evolution",
            "--benchmark",
            "nas-bench-201/cifar10-valid",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (t, _) = nasviz::trace::jsonl::read_trace(&out_path).unwrap();
    assert_eq!(t.runs[0].info.strategy, "aging_evolution");
    assert_eq!(t.runs[0].info.benchmark, "nas-bench-201/cifar10-valid");
}

#[test]
fn export_writes_csv_and_keeps_what_was_there() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let input = root.join("datasets/cora-random-2000.jsonl");
    let out = tmp("random.csv");
    let _ = std::fs::remove_file(&out);
    let o = nasviz(
        &[
            "export",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("2,000 trials of 1 run"));
    let csv = std::fs::read_to_string(&out).unwrap();
    assert_eq!(csv.lines().count(), 2001);
    assert!(csv.lines().nth(1).unwrap().starts_with("rs-0,1,0,"));
    // an existing file is kept without --force
    let o = nasviz(
        &[
            "export",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("already exists"));
    // a table is not a trace: refused, the old file untouched, no temporary left
    let table = root.join("datasets/nbgraph-cora.nbt");
    let o = nasviz(
        &[
            "export",
            table.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--force",
        ],
        None,
    );
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("not a trace"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), csv);
    let dir = out.parent().unwrap();
    let leftovers = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("random.csv."))
        .count();
    assert_eq!(leftovers, 0);
}

#[test]
fn a_trace_larger_than_free_memory_is_refused_with_the_sizes() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let input = root.join("datasets/cora-random-2000.jsonl");
    let out = tmp("too-large.png");
    let _ = std::fs::remove_file(&out);
    for args in [
        vec!["info", input.to_str().unwrap()],
        vec![
            "render",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_nasviz"))
            .args(&args)
            .env("NASVIZ_MEMORY_LIMIT", "100000")
            .output()
            .unwrap();
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("cora-random-2000.jsonl"), "{err}");
        assert!(err.contains("needs about") && err.contains("free"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    assert!(!out.exists());
}

#[test]
fn export_arrow_writes_feather_or_says_how_to_get_it() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let input = root.join("datasets/cora-evolution-2000.jsonl");
    let out = tmp("evolution.arrow");
    let _ = std::fs::remove_file(&out);
    let o = nasviz(
        &[
            "export",
            input.to_str().unwrap(),
            "--format",
            "arrow",
            "-o",
            out.to_str().unwrap(),
        ],
        None,
    );
    let err = text(&o.stderr);
    if cfg!(feature = "arrow") {
        assert!(o.status.success(), "{err}");
        assert!(err.contains("2,000 trials of 1 run"), "{err}");
        let bytes = std::fs::read(&out).unwrap();
        // an Arrow IPC file opens and ends with its magic
        assert!(bytes.starts_with(b"ARROW1") && bytes.ends_with(b"ARROW1"));
    } else {
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains("--features arrow"), "{err}");
        assert!(!out.exists());
    }
}

/// `info --insight --json` on the shipped evolution run, checked against
/// brute force over its trials: the Pareto front by pairwise dominance,
/// the best trial's ancestors by following parent ids, each decision's
/// marginal means and variance share by grouping; and a run without
/// parents or costs says so.
#[test]
fn info_insight_json_equals_brute_force() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/datasets/cora-evolution-2000.jsonl"
    );
    let out = nasviz(
        &["info", "--insight", path, "--step", "1200", "--json"],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = &v["runs"][0];
    assert_eq!(r["run"], "re-0");
    assert_eq!(r["step"], 1200);
    let (trace, _) = nasviz::trace::jsonl::read_trace(std::path::Path::new(path)).unwrap();
    let trials: Vec<_> = trace.runs[0].trials.range(..1200).collect();
    // the front: params against validation, ties to the earlier trial
    let mut front: Vec<&nasviz::trace::TrialRef<'_>> = trials
        .iter()
        .enumerate()
        .filter(|(j, t)| {
            let (c, a) = (t.metrics.params.unwrap(), t.metrics.val_acc);
            !trials.iter().enumerate().any(|(k, o)| {
                let (ck, ak) = (o.metrics.params.unwrap(), o.metrics.val_acc);
                k != *j && ck <= c && ak >= a && (ck < c || ak > a || k < *j)
            })
        })
        .map(|(_, t)| t)
        .collect();
    front.sort_by(|a, b| a.metrics.params.partial_cmp(&b.metrics.params).unwrap());
    let ids: Vec<u64> = front.iter().map(|t| t.trial_id).collect();
    let got: Vec<u64> = r["pareto"]["front"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect();
    assert_eq!(r["pareto"]["cost"], "params");
    assert_eq!(got, ids);
    // lineage of the best by validation (the first of equals)
    let best = trials.iter().fold(&trials[0], |b, t| {
        if t.metrics.val_acc > b.metrics.val_acc {
            t
        } else {
            b
        }
    });
    assert_eq!(r["lineage"]["trial"], best.trial_id);
    let mut chain = Vec::new();
    let mut t = best;
    while let Some(p) = t.parents.first() {
        t = trials.iter().find(|x| x.trial_id == *p).unwrap();
        chain.push(t.trial_id);
    }
    let got: Vec<u64> = r["lineage"]["ancestors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect();
    assert_eq!(got, chain);
    assert!(chain.len() > 5, "depth {}", chain.len());
    // importance: op[k] and input[k] grouped by hand
    let vals: Vec<f64> = trials.iter().map(|t| t.metrics.val_acc).collect();
    let mean = vals.iter().sum::<f64>() / vals.len() as f64;
    let ss: f64 = vals.iter().map(|x| (x - mean).powi(2)).sum();
    let decisions = r["importance"]["decisions"].as_array().unwrap();
    assert_eq!(decisions.len(), 8);
    for d in decisions {
        let name = d["name"].as_str().unwrap();
        let key = |t: nasviz::trace::TrialRef<'_>| -> String {
            let nasviz::arch::Arch::NbGraph(g) = &t.arch else {
                panic!("not nbgraph")
            };
            let k: usize = name[name.find('[').unwrap() + 1..name.len() - 1]
                .parse()
                .unwrap();
            if name.starts_with("op[") {
                g.ops[k - 1].name().to_string()
            } else if g.links[k - 1] == 0 {
                "input".into()
            } else {
                format!("node {}", g.links[k - 1])
            }
        };
        let mut groups: std::collections::HashMap<String, Vec<f64>> = Default::default();
        for &t in &trials {
            groups.entry(key(t)).or_default().push(t.metrics.val_acc);
        }
        let between: f64 = groups
            .values()
            .map(|g| g.len() as f64 * (g.iter().sum::<f64>() / g.len() as f64 - mean).powi(2))
            .sum();
        let share = d["share"].as_f64().unwrap();
        assert!((share - between / ss).abs() < 1e-9, "{name}: {share}");
        for val in d["values"].as_array().unwrap() {
            let g = &groups[val["value"].as_str().unwrap()];
            assert_eq!(val["n"].as_u64().unwrap(), g.len() as u64);
            let m = g.iter().sum::<f64>() / g.len() as f64;
            assert!((val["mean"].as_f64().unwrap() - m).abs() < 1e-12);
        }
    }
    // the Cora table's own importance is beside it
    assert_eq!(r["table_importance"]["n"], 26206);
    assert!(r["edits"].as_array().unwrap().len() > 10);
    // random search: no lineage; too early: importance waits
    let rs = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/datasets/cora-random-2000.jsonl"
    );
    let out = nasviz(&["info", "--insight", rs, "--step", "10"], None);
    let s = text(&out.stdout);
    assert!(out.status.success());
    assert!(s.contains("no parents are recorded"), "{s}");
    assert!(s.contains("importance needs more trials"), "{s}");
    // bad flags are clear errors
    let out = nasviz(&["info", "--insight", rs, "--cost", "weight"], None);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("unknown cost"),
        "{}",
        text(&out.stderr)
    );
    let out = nasviz(&["info", "--insight", rs, "--run", "nope"], None);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("no run \"nope\""));
    let out = nasviz(&["bench", "--insight", "0"], None);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--insight 0"),
        "{}",
        text(&out.stderr)
    );
}

/// `info --strategies --json` over seeds made by `nasviz search`, checked
/// against the mean over seeds of each run's running maximum; and its
/// bad inputs.
#[test]
fn info_strategies_equals_the_mean_of_running_maxima() {
    let dir = tmp("strategies");
    let _ = std::fs::create_dir_all(&dir);
    let mut files = Vec::new();
    for (strategy, seeds, budget) in [("random", 3, 120), ("evolution", 4, 150)] {
        for seed in 0..seeds {
            let f = dir.join(format!("{strategy}-{seed}.jsonl"));
            let seed = seed.to_string();
            let budget = budget.to_string();
            let out = nasviz(
                &[
                    "search",
                    "--strategy",
                    strategy,
                    "--budget",
                    &budget,
                    "--seed",
                    &seed,
                    "--force",
                    "-o",
                    f.to_str().unwrap(),
                ],
                None,
            );
            assert!(out.status.success(), "{}", text(&out.stderr));
            files.push(f);
        }
    }
    let names: Vec<&str> = files.iter().map(|f| f.to_str().unwrap()).collect();
    let mut args = vec!["info", "--strategies", "--json"];
    args.extend(&names);
    let out = nasviz(&args, None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let groups = v["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    for g in groups {
        let ids: Vec<&str> = g["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap())
            .collect();
        let curves: Vec<Vec<f64>> = ids
            .iter()
            .map(|id| {
                let f = files.iter().find(|f| {
                    let (t, _) = nasviz::trace::jsonl::read_trace(f).unwrap();
                    t.runs[0].info.run_id == *id
                });
                let (t, _) = nasviz::trace::jsonl::read_trace(f.unwrap()).unwrap();
                let mut best = f64::MIN;
                t.runs[0]
                    .trials
                    .iter()
                    .map(|t| {
                        best = best.max(t.metrics.val_acc);
                        best
                    })
                    .collect()
            })
            .collect();
        let shortest = curves.iter().map(Vec::len).min().unwrap();
        let steps = g["steps"].as_array().unwrap();
        assert_eq!(steps.len(), shortest, "cut at the shortest run");
        assert_eq!(steps[0], 1);
        let mean = g["mean"].as_array().unwrap();
        let (lo, hi) = (g["lo"].as_array().unwrap(), g["hi"].as_array().unwrap());
        for s in 0..shortest {
            let m = curves.iter().map(|c| c[s]).sum::<f64>() / curves.len() as f64;
            assert!((mean[s].as_f64().unwrap() - m).abs() < 1e-12, "step {s}");
            assert!(lo[s].as_f64().unwrap() <= m + 1e-12 && hi[s].as_f64().unwrap() >= m - 1e-12);
        }
    }
    assert_eq!(groups[0]["strategy"], "random_search");
    assert_eq!(groups[1]["runs"].as_array().unwrap().len(), 4);
    // text names the groups; bad inputs are clear errors
    let mut t = vec!["info", "--strategies"];
    t.extend(&names);
    let out = nasviz(&t, None);
    assert!(
        text(&out.stdout).contains("regularized evolution on nas-bench-graph/cora: 4 runs"),
        "{}",
        text(&out.stdout)
    );
    let mut bad = vec!["info", "--strategies", "--group-by", "^zz(\\d)"];
    bad.extend(&names);
    let out = nasviz(&bad, None);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("does not match run"),
        "{}",
        text(&out.stderr)
    );
    let mut bad = vec!["info", "--strategies", "--group-by", "("];
    bad.extend(&names);
    let out = nasviz(&bad, None);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--group-by \"(\""),
        "{}",
        text(&out.stderr)
    );
    let out = nasviz(&["info", "--strategies", names[0], names[0]], None);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("given twice"),
        "{}",
        text(&out.stderr)
    );
    let out = nasviz(&["info", names[0], names[1]], None);
    assert!(!out.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `info` names the line of a trial whose parent is not in its run, and of
/// a steer event past the run's last step, and fails.
#[test]
fn info_names_loose_parents_and_steer_steps() {
    let head = r#"{"kind":"run","run_id":"r","strategy":"regularized_evolution","space":"sequential"}
{"kind":"trial","run_id":"r","trial_id":0,"step":0,"arch":{"space":"sequential","layers":["a"]},"metrics":{"val_acc":0.5,"test_acc":0.5}}
"#;
    let cases = [
        (
            r#"{"kind":"trial","run_id":"r","trial_id":1,"step":1,"parents":[7],"arch":{"space":"sequential","layers":["a"]},"metrics":{"val_acc":0.5,"test_acc":0.5}}"#,
            ":3: trial 1 names parent 7",
        ),
        (
            r#"{"kind":"steer","run_id":"r","step":4,"action":"pause"}"#,
            ":3: steer event \"pause\" at step 4",
        ),
    ];
    for (k, (line, want)) in cases.iter().enumerate() {
        let p = tmp(&format!("loose-{k}.jsonl"));
        std::fs::write(&p, format!("{head}{line}\n")).unwrap();
        let out = nasviz(&["info", p.to_str().unwrap()], None);
        assert!(!out.status.success());
        let err = text(&out.stderr);
        assert!(err.contains(want), "{err}");
        let _ = std::fs::remove_file(&p);
    }
    // a parent recorded before its child, and a steer at the last step, are fine
    let p = tmp("loose-ok.jsonl");
    std::fs::write(
        &p,
        format!(
            "{head}{}\n{}\n",
            r#"{"kind":"trial","run_id":"r","trial_id":1,"step":1,"parents":[0],"arch":{"space":"sequential","layers":["a"]},"metrics":{"val_acc":0.5,"test_acc":0.5}}"#,
            r#"{"kind":"steer","run_id":"r","step":1,"action":"pause"}"#
        ),
    )
    .unwrap();
    let out = nasviz(&["info", p.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let _ = std::fs::remove_file(&p);
}

#[test]
fn view_follow_map_and_predict_refuse_what_does_not_fit() {
    let fx = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let script = tmp("steer-flags.txt");
    std::fs::write(&script, "quit\n").unwrap();
    let map = tmp("steer-map.json");
    std::fs::write(&map, r#"{"test": "test_acc"}"#).unwrap();
    let s = script.to_str().unwrap();
    let m = map.to_str().unwrap();
    let native = fx.join("optuna_nb201.expected.jsonl");
    let journal = fx.join("optuna_nb201.journal");
    let run = |args: &[&str]| {
        let out = nasviz(args, None);
        (out.status.code(), text(&out.stderr))
    };
    // --map on a nasviz trace
    let (code, err) = run(&[
        "view",
        "--follow",
        native.to_str().unwrap(),
        "--map",
        m,
        "--headless",
        "--script",
        s,
    ]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("--map applies to a search engine's storage"),
        "{err}"
    );
    // a mapping file that is not one
    let bad = tmp("steer-bad-map.json");
    std::fs::write(&bad, r#"{"validaton": "x"}"#).unwrap();
    let (code, err) = run(&[
        "view",
        "--follow",
        journal.to_str().unwrap(),
        "--map",
        bad.to_str().unwrap(),
        "--headless",
        "--script",
        s,
    ]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("steer-bad-map.json") && err.contains("not a mapping"),
        "{err}"
    );
    // a benchmark that is not one
    let (code, err) = run(&[
        "view",
        "--follow",
        journal.to_str().unwrap(),
        "--predict",
        "nbgraph:nowhere.nbt",
        "--headless",
        "--script",
        s,
    ]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("--predict nbgraph:nowhere.nbt"), "{err}");
    // with a good mapping the journal is followed (and the script quits)
    let (code, err) = run(&[
        "view",
        "--follow",
        journal.to_str().unwrap(),
        "--map",
        m,
        "--headless",
        "--script",
        s,
    ]);
    assert_eq!(code, Some(0), "{err}");
}
