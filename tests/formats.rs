//! What a file is is judged in one place (`trace::open`): `--format` and
//! `nasviz import ENGINE` read a file as the engine they name or refuse it,
//! naming the file and what it is; `info` and `render` say the same kind of
//! thing of a file that is not a trace.

use nasviz::trace::engine::{Engine, StorageKind};
use nasviz::trace::open::{kind_of, open_as, read_storage_as, Followed, Format, Kind};
use std::path::{Path, PathBuf};
use std::process::Command;

const JOURNAL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/optuna_nb201.journal"
);
const OPTUNA_DB: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/optuna_nb201.db"
);
const NNI_DB: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/nni_nb201.sqlite"
);

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nasviz-formats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    dir.join(name)
}

/// The command's success, and its standard error.
fn nasviz(args: &[&str]) -> (bool, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_nasviz"))
        .args(args)
        .output()
        .expect("run nasviz");
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn each_storage_is_judged_as_its_engine() {
    assert_eq!(kind_of(Path::new(JOURNAL)).unwrap(), Kind::OptunaJournal);
    assert_eq!(kind_of(Path::new(OPTUNA_DB)).unwrap(), Kind::OptunaDb);
    assert_eq!(kind_of(Path::new(NNI_DB)).unwrap(), Kind::NniDb);
    let cells = tmp("cells.jsonl");
    std::fs::write(
        &cells,
        "{\"matrix\": [[0, 1], [0, 0]], \"ops\": [\"input\", \"output\"]}\n",
    )
    .unwrap();
    assert_eq!(kind_of(&cells).unwrap(), Kind::Nb101Cells);
    // what each storage is, in the words info prints
    let kind = |p: &str| read_storage_as(Path::new(p), None, None).unwrap().kind;
    assert_eq!(kind(JOURNAL).to_string(), "Optuna journal");
    assert_eq!(kind(NNI_DB), StorageKind::NniDb);
    assert_eq!(kind(NNI_DB).to_string(), "NNI experiment database");
    assert!(kind(OPTUNA_DB)
        .to_string()
        .starts_with("Optuna SQLite database (schema "));
}

#[test]
fn format_nni_on_a_journal_is_refused_by_every_reader() {
    let want = |e: String| {
        assert!(
            e.contains(JOURNAL)
                && e.contains("not an NNI experiment database")
                && e.contains("an Optuna journal"),
            "{e}"
        );
    };
    want(
        open_as(Path::new(JOURNAL), Some(Format::Nni))
            .unwrap_err()
            .to_string(),
    );
    want(
        match Followed::start_as(Path::new(JOURNAL), Some(Format::Nni)) {
            Ok(_) => String::from("followed"),
            Err(e) => e.to_string(),
        },
    );
    want(
        read_storage_as(Path::new(JOURNAL), Some(Engine::Nni), None)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default(),
    );
    let png = tmp("nni.png");
    let (ok, err) = nasviz(&[
        "render",
        JOURNAL,
        "--format",
        "nni",
        "-o",
        png.to_str().unwrap(),
        "--force",
    ]);
    assert!(!ok);
    want(err);
}

#[test]
fn format_optuna_on_an_nni_database_is_refused_not_read_as_nni() {
    let want = |e: String| {
        assert!(
            e.contains(NNI_DB)
                && e.contains("not an Optuna storage")
                && e.contains("an NNI experiment database"),
            "{e}"
        );
    };
    want(
        open_as(Path::new(NNI_DB), Some(Format::Optuna))
            .unwrap_err()
            .to_string(),
    );
    want(
        match Followed::start_as(Path::new(NNI_DB), Some(Format::Optuna)) {
            Ok(_) => String::from("followed"),
            Err(e) => e.to_string(),
        },
    );
    for args in [
        vec!["info", NNI_DB, "--format", "optuna"],
        vec!["info", "--format", "optuna", NNI_DB],
    ] {
        let (ok, err) = nasviz(&args);
        assert!(!ok);
        want(err);
    }
    // judged by content, or named as NNI's, it reads
    assert!(open_as(Path::new(NNI_DB), None).is_ok());
    assert!(open_as(Path::new(NNI_DB), Some(Format::Nni)).is_ok());
}

#[test]
fn info_and_render_say_the_same_of_a_pickle() {
    let pkl = tmp("x.pkl");
    std::fs::write(&pkl, [0x80, 0x04, 0x95]).unwrap();
    let p = pkl.to_str().unwrap();
    let png = tmp("x.png");
    let (ok_info, info) = nasviz(&["info", p]);
    let (ok_render, render) = nasviz(&["render", p, "-o", png.to_str().unwrap(), "--force"]);
    assert!(!ok_info && !ok_render);
    for err in [&info, &render] {
        assert!(
            err.contains(p)
                && err.contains("a pickle")
                && err.contains("nasviz import nas-bench-graph"),
            "{err}"
        );
        assert!(!err.contains("UTF-8"), "{err}");
    }
    assert_eq!(info, render);
}

#[test]
fn a_run_line_longer_than_the_sniffed_head_is_still_a_trace() {
    // a run whose settings are larger than the 64 KiB a file is judged by
    let pad = "x".repeat(200 << 10);
    let text = format!(
        "{{\"kind\":\"run\",\"run_id\":\"r\",\"strategy\":\"random_search\",\"space\":\"nbgraph\",\
         \"config\":{{\"note\":\"{pad}\"}}}}\n\
         {{\"kind\":\"trial\",\"run_id\":\"r\",\"trial_id\":0,\"step\":0,\
         \"arch\":{{\"space\":\"nbgraph\",\"links\":[0,0,0,0],\"ops\":[\"gcn\",\"gcn\",\"gcn\",\"gcn\"]}},\
         \"metrics\":{{\"val_acc\":0.7,\"test_acc\":0.71}},\"source\":\"search\"}}\n"
    );
    let p = tmp("long-run-line.jsonl");
    std::fs::write(&p, &text).expect("write");
    assert_eq!(kind_of(&p).expect("judged"), Kind::Native);
    let t = open_as(&p, None).expect("opens");
    assert_eq!(t.trial_count(), 1);
    let (t, _) = nasviz::trace::open::open_bytes("long-run-line.jsonl", text.as_bytes())
        .expect("opens from bytes");
    assert_eq!(t.trial_count(), 1);
    let (ok, err) = nasviz(&[
        "render",
        p.to_str().unwrap_or(""),
        "-o",
        tmp("long.png").to_str().unwrap_or(""),
        "--force",
    ]);
    assert!(ok, "{err}");
}
