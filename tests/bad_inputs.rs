//! A corpus of more than 200 broken files, made here: native traces cut at
//! every structural boundary of a line, with wrong types, impossible
//! accuracies, duplicate ids, unknown ops, cyclic and oversized cells,
//! invalid UTF-8; NASLib results and the original dashboard's records cut
//! and mistyped; TFRecords with a 2 GB length prefix, bad checksums, cut
//! short; benchmark tables damaged; NB-101 cells that break every rule;
//! Optuna journals with nothing readable; empty files and binary garbage.
//! `info`, `render`, `import` and `arch hash` run on each: every run must
//! fail with exit code 1 (no panic, whose code is 101), and the message
//! must name the file and where in it (line, record or byte), or say that
//! it is empty.

use std::path::{Path, PathBuf};
use std::process::Command;

const DEMO: &str = include_str!("../datasets/cora-evolution-2000.jsonl");

/// A file of the corpus: its name, its bytes, and the import subcommand
/// that fits its family.
struct Case {
    name: String,
    bytes: Vec<u8>,
    import: &'static str,
}

fn case(name: impl Into<String>, bytes: impl Into<Vec<u8>>, import: &'static str) -> Case {
    Case {
        name: name.into(),
        bytes: bytes.into(),
        import,
    }
}

/// Byte offsets in `line` just after each structural character.
fn boundaries(line: &str) -> Vec<usize> {
    line.char_indices()
        .filter(|(_, c)| matches!(c, '{' | '}' | '[' | ']' | ',' | ':' | '"'))
        .map(|(i, _)| i + 1)
        .collect()
}

fn native_cases(out: &mut Vec<Case>) {
    let lines: Vec<&str> = DEMO.lines().take(6).collect();
    let (run, t1, t2) = (lines[0], lines[1], lines[2]);
    let join = |middle: &str| format!("{run}\n{t1}\n{middle}\n{}\n", lines[3]);
    // a trial line cut at every boundary, with more lines after it
    for (k, at) in boundaries(t2).into_iter().enumerate() {
        if at < t2.len() {
            out.push(case(
                format!("cut-{k:03}.jsonl"),
                join(&t2[..at]),
                "dashboard",
            ));
        }
    }
    // the run line cut
    for (k, at) in boundaries(run).into_iter().enumerate().step_by(3) {
        if at < run.len() {
            out.push(case(
                format!("cut-run-{k:03}.jsonl"),
                format!("{}\n{t1}\n", &run[..at]),
                "dashboard",
            ));
        }
    }
    let swaps: &[(&str, &str, &str)] = &[
        ("val-string", "\"val_acc\":0.", "\"val_acc\":\"x\",\"z\":0."),
        ("val-nan", "\"val_acc\":0.", "\"val_acc\":NaN,\"z\":0."),
        ("val-inf", "\"val_acc\":0.", "\"val_acc\":1e999,\"z\":0."),
        ("val-negative", "\"val_acc\":0.", "\"val_acc\":-0."),
        ("val-over", "\"val_acc\":0.", "\"val_acc\":150."),
        ("test-over", "\"test_acc\":0.", "\"test_acc\":2."),
        ("test-negative", "\"test_acc\":0.", "\"test_acc\":-1."),
        ("test-null", "\"test_acc\":0.", "\"test_acc\":null,\"z\":0."),
        ("id-string", "\"trial_id\":0,", "\"trial_id\":\"one\","),
        ("id-negative", "\"trial_id\":0,", "\"trial_id\":-1,"),
        ("id-float", "\"trial_id\":0,", "\"trial_id\":1.5,"),
        ("arch-number", "\"arch\":{", "\"arch\":5,\"y\":{"),
        ("arch-list", "\"arch\":{", "\"arch\":[],\"y\":{"),
        ("metrics-list", "\"metrics\":{", "\"metrics\":[],\"y\":{"),
        ("op-unknown", "\"ops\":[\"", "\"ops\":[\"conv9x9\",\""),
        ("links-short", "\"links\":[", "\"links\":[0],\"x\":["),
        ("links-forward", "\"links\":[0", "\"links\":[7"),
        (
            "space-unknown",
            "\"space\":\"nbgraph\"",
            "\"space\":\"nb999\"",
        ),
        ("time-negative", "\"step\":0,", "\"step\":0,\"time_s\":-5,"),
        (
            "parents-string",
            "\"step\":0,",
            "\"step\":0,\"parents\":\"0\",",
        ),
        ("kind-unknown", "\"kind\":\"trial\"", "\"kind\":\"trail\""),
        ("kind-missing", "{\"kind\":\"trial\",", "{"),
        (
            "run-unknown",
            "\"run_id\":\"re-0\"",
            "\"run_id\":\"nobody\"",
        ),
        (
            "mutation-bad",
            "\"step\":0,",
            "\"step\":0,\"mutation\":{\"op\":\"teleport\"},",
        ),
    ];
    for (name, from, to) in swaps {
        assert!(t1.contains(from), "{name}: {from} not in {t1}");
        let bad = t1.replacen(from, to, 1);
        out.push(case(
            format!("{name}.jsonl"),
            format!("{run}\n{bad}\n{t2}\n"),
            "dashboard",
        ));
    }
    // records out of place
    out.push(case(
        "dup-id.jsonl",
        format!("{run}\n{t1}\n{t1}\n"),
        "dashboard",
    ));
    out.push(case(
        "trial-first.jsonl",
        format!("{t1}\n{run}\n"),
        "dashboard",
    ));
    out.push(case(
        "run-twice.jsonl",
        format!("{run}\n{t1}\n{run}\n"),
        "dashboard",
    ));
    out.push(case(
        "steer-missing.jsonl",
        format!(
            "{run}\n{t1}\n{{\"kind\":\"steer\",\"run_id\":\"re-0\",\"step\":1,\"action\":\"change_op\",\"trial_id\":99}}\n"
        ),
        "dashboard",
    ));
    out.push(case(
        "not-json.jsonl",
        format!("{run}\nhello world\n"),
        "dashboard",
    ));
    out.push(case(
        "array-line.jsonl",
        format!("{run}\n[1,2,3]\n"),
        "dashboard",
    ));
    let mut utf = format!("{run}\n").into_bytes();
    utf.extend_from_slice(&t1.as_bytes()[..40]);
    utf.extend_from_slice(&[0xff, 0xfe, 0xc3]);
    utf.extend_from_slice(&t1.as_bytes()[40..]);
    utf.push(b'\n');
    out.push(case("bad-utf8.jsonl", utf, "dashboard"));
    // NB-101 cells in traces: cyclic, disconnected, oversized, unknown op
    let nb101_run = r#"{"kind":"run","run_id":"a","strategy":"random_search","space":"nb101"}"#;
    let cells = [
        (
            "cycle",
            r#"[[0,1,0],[0,0,1],[0,1,0]]"#,
            r#"["input","conv3x3-bn-relu","output"]"#,
        ),
        (
            "disconnected",
            r#"[[0,0,0],[0,0,0],[0,0,0]]"#,
            r#"["input","conv3x3-bn-relu","output"]"#,
        ),
        (
            "too-big",
            &format!(
                "[{}]",
                vec![format!("[{}]", ["0"; 9].join(",")); 9].join(",")
            ),
            r#"["input","conv3x3-bn-relu","conv3x3-bn-relu","conv3x3-bn-relu","conv3x3-bn-relu","conv3x3-bn-relu","conv3x3-bn-relu","conv3x3-bn-relu","output"]"#,
        ),
        (
            "huge",
            &format!(
                "[{}]",
                vec![format!("[{}]", ["0"; 100].join(",")); 100].join(",")
            ),
            r#"["input","output"]"#,
        ),
        (
            "ragged",
            r#"[[0,1],[0,0,1],[0]]"#,
            r#"["input","conv3x3-bn-relu","output"]"#,
        ),
        (
            "op",
            r#"[[0,1,0],[0,0,1],[0,0,0]]"#,
            r#"["input","conv5x5","output"]"#,
        ),
        (
            "ops-short",
            r#"[[0,1,0],[0,0,1],[0,0,0]]"#,
            r#"["input","output"]"#,
        ),
        (
            "not-01",
            r#"[[0,2,0],[0,0,1],[0,0,0]]"#,
            r#"["input","conv3x3-bn-relu","output"]"#,
        ),
    ];
    for (name, m, ops) in cells {
        let t = format!(
            r#"{{"kind":"trial","run_id":"a","trial_id":0,"arch":{{"space":"nb101","matrix":{m},"ops":{ops}}},"metrics":{{"val_acc":0.5,"test_acc":0.5}}}}"#
        );
        out.push(case(
            format!("nb101-{name}.jsonl"),
            format!("{nb101_run}\n{t}\n"),
            "dashboard",
        ));
    }
    // NB-201 strings
    for (name, s) in [
        ("short", "|none~0|+|none~0|none~1|"),
        ("op", "|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|"),
        ("index", "|none~5|+|none~0|none~1|+|none~0|none~1|none~2|"),
        ("pipes", "none~0+none~0|none~1+none~0|none~1|none~2"),
    ] {
        let r = r#"{"kind":"run","run_id":"a","strategy":"random_search","space":"nb201"}"#;
        let t = format!(
            r#"{{"kind":"trial","run_id":"a","trial_id":0,"arch":{{"space":"nb201","string":"{s}"}},"metrics":{{"val_acc":0.5,"test_acc":0.5}}}}"#
        );
        out.push(case(
            format!("nb201-{name}.jsonl"),
            format!("{r}\n{t}\n"),
            "dashboard",
        ));
    }
}

fn naslib_cases(out: &mut Vec<Case>) {
    let rec = |arch: &str, val: &str, test: &str| {
        format!(
            r#"{{"arch": "{arch}", "cifar10-valid": {{"valid_accuracy": {val}, "training_time": 10}}, "cifar10": {{"test_accuracy": {test}}}}}"#
        )
    };
    let ok = "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_1x1~2|";
    let good = format!(
        r#"{{"arch_eval": [{}, {}]}}"#,
        rec(ok, "80.5", "79"),
        rec(ok, "81", "80")
    );
    for (k, at) in boundaries(&good).into_iter().enumerate().step_by(2) {
        if at < good.len() {
            out.push(case(
                format!("errors_{k}.json"),
                &good[..at],
                "naslib-nb201",
            ));
        }
    }
    for (name, r) in [
        ("val-over", rec(ok, "180", "79")),
        ("val-negative", rec(ok, "-3", "79")),
        ("val-string", rec(ok, "\"high\"", "79")),
        ("test-over", rec(ok, "80", "1000")),
        ("arch-bad", rec("|x~0|", "80", "79")),
        ("arch-empty", rec("", "80", "79")),
    ] {
        out.push(case(
            format!("errors_{name}.json"),
            format!(r#"{{"arch_eval": [{r}]}}"#),
            "naslib-nb201",
        ));
    }
    out.push(case(
        "errors_list.json",
        r#"{"arch_eval": 5}"#,
        "naslib-nb201",
    ));
}

fn dashboard_cases(out: &mut Vec<Case>) {
    let good = r#"[{"layers": ["input", "conv3x3", "output"], "val_acc": 71.5, "test_acc": 70.0, "timestamp": "2021-03-01T10:00:00"}, {"layers": ["input", "conv3x3", "relu", "output"], "val_acc": 72.5, "test_acc": 71.0, "timestamp": "2021-03-01T10:05:00"}]"#;
    for (k, at) in boundaries(good).into_iter().enumerate().step_by(2) {
        if at < good.len() && at > 1 {
            out.push(case(
                format!("dash-cut-{k:03}.json"),
                &good[..at],
                "dashboard",
            ));
        }
    }
    for (name, from, to) in [
        ("val-string", "71.5", "\"a lot\""),
        ("val-over", "71.5", "7150"),
        ("layers-number", "[\"input\", \"conv3x3\", \"output\"]", "3"),
        ("layers-empty", "[\"input\", \"conv3x3\", \"output\"]", "[]"),
        ("time-bad", "2021-03-01T10:00:00", "yesterday"),
    ] {
        out.push(case(
            format!("dash-{name}.json"),
            good.replacen(from, to, 1),
            "dashboard",
        ));
    }
}

fn record(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    nasviz::table::tfrecord::encode_record(data, &mut out);
    out
}

fn binary_cases(out: &mut Vec<Case>) {
    // TFRecords: a 2 GB length prefix, bad CRCs, cut short, compressed
    let mut big = (2u64 << 30).to_le_bytes().to_vec();
    big.extend_from_slice(&nasviz::table::tfrecord::masked_crc32c(&big).to_le_bytes());
    big.extend_from_slice(b"xxxx");
    out.push(case("huge-length.tfrecord", big, "nb101-tfrecord"));
    let rec = record(b"not a protobuf at all");
    let mut bad_len_crc = rec.clone();
    bad_len_crc[8] ^= 1;
    out.push(case(
        "bad-length-crc.tfrecord",
        bad_len_crc,
        "nb101-tfrecord",
    ));
    let mut bad_data_crc = rec.clone();
    let n = bad_data_crc.len();
    bad_data_crc[n - 1] ^= 1;
    out.push(case(
        "bad-data-crc.tfrecord",
        bad_data_crc,
        "nb101-tfrecord",
    ));
    for cut in [3, 11, 14, rec.len() - 2] {
        out.push(case(
            format!("cut-{cut}.tfrecord"),
            &rec[..cut],
            "nb101-tfrecord",
        ));
    }
    out.push(case("garbage.tfrecord", rec.clone(), "nb101-tfrecord"));
    out.push(case(
        "gzip.tfrecord",
        vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3],
        "nb101-tfrecord",
    ));
    // benchmark tables: cut and damaged
    let cora = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/datasets/nbgraph-cora.nbt"
    ))
    .expect("cora table");
    for cut in [4, 9, 30, 1000, cora.len() / 2, cora.len() - 1] {
        out.push(case(
            format!("cut-{cut}.nbt"),
            &cora[..cut],
            "nas-bench-graph",
        ));
    }
    for at in [40, cora.len() / 3, cora.len() - 5] {
        let mut b = cora.clone();
        b[at] ^= 0x41;
        out.push(case(format!("flip-{at}.nbt"), b, "nas-bench-graph"));
    }
    // pickles the reader must refuse
    for (k, p) in [
        vec![0x80, 0x04, 0x95],
        vec![
            0x80, 0x02, b'c', b'o', b's', b'\n', b's', b'y', b's', b't', b'e', b'm', b'\n',
        ],
        vec![0x80, 0x04, b'}', b'q', 0xff, 0xff],
    ]
    .into_iter()
    .enumerate()
    {
        out.push(case(format!("bad-{k}.bench"), p, "nas-bench-graph"));
    }
    // binary garbage, and nothing at all
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for k in 0..12 {
        let n = 1 + (k * 997) % 5000;
        let bytes: Vec<u8> = (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        out.push(case(format!("garbage-{k}.bin"), bytes, "dashboard"));
    }
    out.push(case("empty.jsonl", Vec::new(), "dashboard"));
    out.push(case("blank.jsonl", "\n\n   \n", "dashboard"));
    out.push(case("null.json", "null", "naslib-nb201"));
    out.push(case("number.json", "42", "naslib-nb201"));
    out.push(case("empty-array.json", "[]", "dashboard"));
}

fn cell_cases(out: &mut Vec<Case>) {
    for (name, line) in [
        (
            "cycle",
            r#"{"matrix":[[0,1,0],[0,0,1],[0,1,0]],"ops":["input","conv3x3-bn-relu","output"]}"#,
        ),
        ("no-ops", r#"{"matrix":[[0,1],[0,0]]}"#),
        (
            "not-square",
            r#"{"matrix":[[0,1,0],[0,0]],"ops":["input","conv3x3-bn-relu","output"]}"#,
        ),
        (
            "eight",
            &format!(
                r#"{{"matrix":[{}],"ops":["input","a","b","c","d","e","f","output"]}}"#,
                vec![format!("[{}]", ["0"; 8].join(",")); 8].join(",")
            ),
        ),
        (
            "ten-edges",
            r#"{"matrix":[[0,1,1,1,1,1,1],[0,0,1,1,1,1,1],[0,0,0,1,1,1,1],[0,0,0,0,0,0,1],[0,0,0,0,0,0,1],[0,0,0,0,0,0,1],[0,0,0,0,0,0,0]],"ops":["input","conv3x3-bn-relu","conv3x3-bn-relu","conv3x3-bn-relu","conv3x3-bn-relu","conv3x3-bn-relu","output"]}"#,
        ),
        (
            "op",
            r#"{"matrix":[[0,1,0],[0,0,1],[0,0,0]],"ops":["input","dance","output"]}"#,
        ),
        (
            "first-not-input",
            r#"{"matrix":[[0,1,0],[0,0,1],[0,0,0]],"ops":["conv3x3-bn-relu","conv3x3-bn-relu","output"]}"#,
        ),
        (
            "dangling",
            r#"{"matrix":[[0,0,0],[0,0,1],[0,0,0]],"ops":["input","conv3x3-bn-relu","output"]}"#,
        ),
        ("strings", r#"{"matrix":"abc","ops":"def"}"#),
        ("truncated", r#"{"matrix":[[0,1,0],[0,0,1],"#),
    ] {
        out.push(case(
            format!("cell-{name}.jsonl"),
            format!("{line}\n"),
            "dashboard",
        ));
    }
}

fn journal_cases(out: &mut Vec<Case>) {
    // Optuna journals with nothing that can be drawn
    let study = r#"{"op_code":0,"worker_id":"w","study_name":"s","directions":[2]}"#;
    // (a journal whose trials are running, or lack an architecture, is
    // valid: `info` describes it; only render and import have nothing)
    for (name, rest) in [
        (
            "bad-state",
            r#"{"op_code":4,"worker_id":"w","study_id":0,"state":9,"datetime_start":null}"#
                .to_string(),
        ),
        ("garbage", "{\"op_code\":\"x\"}\n\u{1}\u{2}".to_string()),
        (
            "op-unknown",
            r#"{"op_code":77,"worker_id":"w"}"#.to_string(),
        ),
    ] {
        out.push(case(
            format!("journal-{name}.log"),
            format!("{study}\n{rest}\n"),
            "optuna",
        ));
    }
}

fn nasviz(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_nasviz"))
        .args(args)
        .env("NASVIZ_NO_CACHE", "1")
        .output()
        .expect("run nasviz")
}

/// Whether `err` names `path` and a place in it (a line, record or byte),
/// or says what is wrong with the file as a whole.
fn located(err: &str, path: &Path) -> bool {
    let p = path.display().to_string();
    err.match_indices(&p).any(|(at, _)| {
        let rest = err[at + p.len()..].lines().next().unwrap_or("");
        let numbered = rest
            .strip_prefix(':')
            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()));
        numbered
            || [
                "line",
                "record",
                "byte",
                "empty",
                "offset",
                "nothing to draw",
                "no run",
                // the file as a whole is of another kind, with the command for it
                "not a ",
                "no completed trial",
            ]
            .iter()
            .any(|w| rest.contains(w))
    })
}

#[test]
fn every_broken_file_fails_cleanly_with_its_place() {
    let mut cases = Vec::new();
    native_cases(&mut cases);
    naslib_cases(&mut cases);
    dashboard_cases(&mut cases);
    binary_cases(&mut cases);
    cell_cases(&mut cases);
    journal_cases(&mut cases);
    assert!(cases.len() >= 200, "only {} files", cases.len());
    let dir: PathBuf =
        std::env::temp_dir().join(format!("nasviz-bad-inputs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let mut failures = Vec::new();
    for c in &cases {
        let path = dir.join(&c.name);
        std::fs::write(&path, &c.bytes).expect("write");
        let p = path.to_str().unwrap_or("");
        let out_png = dir.join("out.png");
        let out_file = dir.join("out.imported");
        let runs: [Vec<&str>; 4] = [
            vec!["info", p],
            vec!["render", p, "-o", out_png.to_str().unwrap_or(""), "--force"],
            vec![
                "import",
                c.import,
                p,
                "-o",
                out_file.to_str().unwrap_or(""),
                "--force",
            ],
            vec!["arch", "hash", p],
        ];
        for args in runs {
            let out = nasviz(&args);
            let err = String::from_utf8_lossy(&out.stderr).into_owned();
            let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            let what = format!("nasviz {}", args.join(" "));
            if out.status.code() != Some(1) {
                failures.push(format!(
                    "{what}: exit {:?}\n{err}{stdout}",
                    out.status.code()
                ));
            } else if err.contains("panicked") {
                failures.push(format!("{what}: panicked\n{err}"));
            } else if !located(&err, &path) && !located(&stdout, &path) {
                failures.push(format!("{what}: no file and place in the message\n{err}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} runs on {} files did not fail cleanly:\n{}",
        failures.len(),
        cases.len() * 4,
        cases.len(),
        failures.join("\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
