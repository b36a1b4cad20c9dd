//! The binary cache of large traces: a reopen reads it instead of the
//! trace, a trace that grew parses only its new lines, and a changed
//! trace, a damaged cache or an unwritable cache folder never give a wrong
//! trace (the cache is rebuilt, or not used).

use nasviz::trace::cache::{read_with, CacheOptions, CacheUse};
use nasviz::trace::jsonl::read_trace;
use std::io::Write;
use std::path::{Path, PathBuf};

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nasviz-cache-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("dir");
    d
}

fn opts(d: &Path) -> CacheOptions {
    CacheOptions {
        dir: Some(d.join("cache")),
        min_bytes: 0,
    }
}

fn demo_lines() -> Vec<String> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/datasets/cora-evolution-2000.jsonl"
    ))
    .expect("demo");
    text.lines().map(str::to_string).collect()
}

#[test]
fn reopen_grow_change_and_damage() {
    let d = dir("cycle");
    let path = d.join("t.jsonl");
    let lines = demo_lines();
    std::fs::write(&path, lines[..1200].join("\n") + "\n").expect("write");
    let o = opts(&d);
    let (a, _, u) = read_with(&path, &o).expect("first");
    assert_eq!(u, CacheUse::Written);
    let (b, s, u) = read_with(&path, &o).expect("again");
    assert_eq!(u, CacheUse::Hit);
    assert_eq!(a, b);
    assert_eq!(s.lines, 1200);
    // the trace grows: only the new lines are parsed
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("open");
    f.write_all((lines[1200..].join("\n") + "\n").as_bytes())
        .expect("append");
    drop(f);
    let (c, s, u) = read_with(&path, &o).expect("grown");
    assert_eq!(
        u,
        CacheUse::Grown {
            lines: (lines.len() - 1200) as u64
        }
    );
    assert_eq!(c, read_trace(&path).expect("full").0);
    assert_eq!(s.lines, lines.len() as u64);
    assert_eq!(read_with(&path, &o).expect("hit").2, CacheUse::Hit);
    // a trial changed in the middle, same length: rebuilt, never stale
    let text = std::fs::read_to_string(&path).expect("read");
    let at = text.find("\"val_acc\":0.").expect("a val_acc") + "\"val_acc\":0.".len();
    let mut bytes = text.into_bytes();
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&path, &bytes).expect("rewrite");
    let (e, _, u) = read_with(&path, &o).expect("changed");
    assert!(
        matches!(&u, CacheUse::Rebuilt(w) if w.contains("changed")),
        "{u:?}"
    );
    assert_eq!(e, read_trace(&path).expect("full").0);
    assert_ne!(e, c);
    // a damaged cache is rebuilt
    let cache = std::fs::read_dir(d.join("cache"))
        .expect("cache dir")
        .flatten()
        .next()
        .expect("a cache file")
        .path();
    let mut cb = std::fs::read(&cache).expect("cache");
    let mid = cb.len() / 2;
    cb[mid] ^= 0xff;
    std::fs::write(&cache, &cb).expect("damage");
    let (g, _, u) = read_with(&path, &o).expect("damaged");
    assert!(
        matches!(&u, CacheUse::Rebuilt(w) if w.contains("damaged")),
        "{u:?}"
    );
    assert_eq!(g, e);
    // a shorter trace is not served from a longer cache
    std::fs::write(&path, lines[..300].join("\n") + "\n").expect("shorten");
    let (h, _, u) = read_with(&path, &o).expect("shorter");
    assert!(matches!(u, CacheUse::Rebuilt(_)), "{u:?}");
    assert_eq!(h.runs[0].trials.len(), 299);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn no_cache_where_it_cannot_help_or_cannot_be_written() {
    let d = dir("off");
    let path = d.join("t.jsonl");
    let lines = demo_lines();
    // mid-line: being written, not cached
    std::fs::write(&path, lines[..100].join("\n")).expect("write");
    assert_eq!(read_with(&path, &opts(&d)).expect("read").2, CacheUse::Off);
    // small traces are not cached by default
    std::fs::write(&path, lines[..100].join("\n") + "\n").expect("write");
    let small = CacheOptions {
        dir: Some(d.join("cache")),
        ..CacheOptions::default()
    };
    assert_eq!(read_with(&path, &small).expect("read").2, CacheUse::Off);
    // a cache folder that cannot be made: the trace is read all the same
    let blocker = d.join("file");
    std::fs::write(&blocker, b"x").expect("write");
    let o = CacheOptions {
        dir: Some(blocker.join("cache")),
        min_bytes: 0,
    };
    let (t, _, u) = read_with(&path, &o).expect("read");
    assert!(matches!(u, CacheUse::Unwritable(_)), "{u:?}");
    assert_eq!(t, read_trace(&path).expect("full").0);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_large_trace_reopens_exactly_whatever_its_trials_hold() {
    use nasviz::trace::jsonl::TraceWriter;
    use nasviz::trace::{Parents, Source};
    // past the size where the cache builds trials on every core: an
    // evolution run (ids are positions), and a run whose ids are not,
    // with crossovers of 2 and 3 parents, workers and user trials
    let d = dir("large");
    let path = d.join("t.jsonl");
    let evo = d.join("evo.jsonl");
    nasviz::testdata::write_trace_file(&evo, 70_000).expect("generate");
    let (first, _) = read_trace(&evo).expect("read");
    let mut other = first.runs[0].clone();
    other.info.run_id = "mixed".into();
    let mut w = TraceWriter::new(Vec::new());
    w.write_run(&first.runs[0]).expect("write");
    w.run(&other.info).expect("write");
    let mut rows = other.trials.to_vec();
    for (i, t) in rows.iter_mut().enumerate() {
        let i = i as u64;
        t.trial_id = 2 * i + 7;
        t.parents = match i % 4 {
            0 => Parents::none(),
            1 => Parents::from(vec![2 * i + 5]),
            2 => Parents::from(vec![2 * i + 5, 2 * i + 3]),
            _ => Parents::from(vec![2 * i + 5, 2 * i + 3, 2 * i + 1]),
        };
        if i.is_multiple_of(5) {
            t.worker = Some(format!("host-{}", i % 3).into());
        }
        if i.is_multiple_of(7) {
            t.source = Source::User;
        }
        w.trial("mixed", t.trial_ref()).expect("write");
    }
    other.trials = rows.into();
    std::fs::write(&path, w.into_inner()).expect("write");
    let o = opts(&d);
    let (a, _, u) = read_with(&path, &o).expect("first");
    assert_eq!(u, CacheUse::Written);
    let (b, _, u) = read_with(&path, &o).expect("again");
    assert_eq!(u, CacheUse::Hit);
    assert_eq!(a, b);
    assert_eq!(b.runs.len(), 2);
    assert_eq!(b.runs[1].trials, other.trials);
    assert_eq!(b.runs[1].position(2 * 69_999 + 7), Some(69_999));
    assert_eq!(b.runs[1].position(8), None);
    let _ = std::fs::remove_dir_all(&d);
}

/// An Optuna journal's runs are cached while the journal is exactly as it
/// was: a reopen reads the cache, any change reads the journal again, and
/// a journal with skipped lines is not cached (what was skipped is said
/// every time).
#[test]
fn a_journal_reopens_from_its_cache_while_unchanged() {
    use nasviz::trace::cache::derived_with;
    let d = dir("journal");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/optuna_nb201.journal");
    let path = d.join("s.journal");
    std::fs::copy(&src, &path).expect("copy");
    let o = opts(&d);
    let read =
        |p: &Path| -> Result<(nasviz::trace::Trace, Vec<String>), nasviz::trace::TraceError> {
            let s = nasviz::trace::open::read_storage(p)?;
            let notes = s.journal.skipped.clone();
            Ok((s.runs.trace, notes))
        };
    let calls = std::cell::Cell::new(0);
    let derive = |p: &Path| {
        calls.set(calls.get() + 1);
        read(p)
    };
    let (a, notes, u) = derived_with(&path, "t", &o, || derive(&path)).expect("first");
    assert_eq!((u, notes.len(), calls.get()), (CacheUse::Written, 0, 1));
    let (b, _, u) = derived_with(&path, "t", &o, || derive(&path)).expect("again");
    assert_eq!((u, calls.get()), (CacheUse::Hit, 1), "read from the cache");
    assert_eq!(a, b, "the same runs, every field");
    // another reading of the same file has its own cache
    let (_, _, u) = derived_with(&path, "other", &o, || derive(&path)).expect("salted");
    assert_eq!((u, calls.get()), (CacheUse::Written, 2));
    // the journal grows (a worker appends): read again, the new trial in
    let cell =
        "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|";
    let dist =
        serde_json::json!({"name": "CategoricalDistribution", "attributes": {"choices": [cell]}})
            .to_string();
    let line = serde_json::json!({"op_code": 4, "worker_id": "w", "study_id": 0, "state": 1,
        "values": [0.9], "datetime_start": "2026-12-05T00:00:00", "datetime_complete": "2026-12-05T00:00:09",
        "distributions": {"late_arch": dist}, "params": {"late_arch": 0}, "user_attrs": {"test_acc": 0.85}});
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("open");
    writeln!(f, "{line}").expect("append");
    drop(f);
    let (c, _, u) = derived_with(&path, "t", &o, || derive(&path)).expect("grown");
    assert!(matches!(u, CacheUse::Rebuilt(_)), "{u:?}");
    assert_eq!(calls.get(), 3);
    assert!(
        c == read(&path).expect("direct").0,
        "the journal as it is now"
    );
    assert_eq!(c.trial_count(), a.trial_count() + 1, "the new trial is in");
    // a line that cannot be read: said each time, never cached
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("open");
    writeln!(f, "{{not json").expect("append");
    drop(f);
    for _ in 0..2 {
        let (_, notes, u) = derived_with(&path, "t", &o, || derive(&path)).expect("bad line");
        assert_eq!(u, CacheUse::Off);
        assert_eq!(notes.len(), 1, "{notes:?}");
    }
    let _ = std::fs::remove_dir_all(&d);
}
