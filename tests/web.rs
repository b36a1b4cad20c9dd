//! The browser build: the page built by `web/build.sh` (target/web) in
//! Debian's headless Chromium, driven by npm's playwright-core
//! (`tests/web/browser.mjs`), on WebGL2 and on WebGPU (SwiftShader): the
//! demo is drawn in the state the URL asks for and matches the native
//! viewer's frame of that state, plays, a hover picks a point, a click
//! opens it, a dropped trace replaces the demo, a dropped non-trace is
//! refused by name, no console errors; and a folder written by `nasviz
//! share` loads the same way. Screenshots land in target/web-test/.
//!
//! Without a built page, Node.js, Chromium or playwright-core this prints
//! SKIP; with NASVIZ_REQUIRE_BROWSER=1 (set by `.ci/run`) it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Why the browser tests cannot run here, if they cannot.
fn missing() -> Option<String> {
    let page = root().join("target/web");
    for f in ["index.html", "nasviz.js", "nasviz_bg.wasm"] {
        if !page.join(f).is_file() {
            return Some(format!(
                "no built page ({} missing): run web/build.sh",
                page.join(f).display()
            ));
        }
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("no Node.js (node) on the PATH".into());
    }
    let chromium = std::env::var("NASVIZ_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some(format!(
            "no Chromium at {chromium} (apt-get install chromium)"
        ));
    }
    let pw = root().join("target/web-tools/node_modules/playwright-core");
    if !pw.is_dir() {
        return Some(format!(
            "no playwright-core at {} (npm install --prefix target/web-tools playwright-core)",
            pw.display()
        ));
    }
    None
}

fn skip_or_fail(why: &str) {
    if std::env::var("NASVIZ_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
        panic!("NASVIZ_REQUIRE_BROWSER=1, but {why}");
    }
    eprintln!("SKIP browser tests: {why}");
}

fn nasviz(args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_nasviz"))
        .args(args)
        .env("NASVIZ_WEB_DIR", root().join("target/web"))
        .output();
    match out {
        Ok(o) if o.status.success() => o,
        Ok(o) => panic!(
            "nasviz {args:?} failed: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => panic!("nasviz {args:?}: {e}"),
    }
}

#[test]
fn the_page_draws_plays_answers_and_opens_traces_on_webgl2_and_webgpu() {
    if let Some(why) = missing() {
        skip_or_fail(&why);
        return;
    }
    let out = root().join("target/web-test");
    let _ = std::fs::remove_dir_all(&out);
    if let Err(e) = std::fs::create_dir_all(&out) {
        panic!("{}: {e}", out.display());
    }
    let s = |p: &Path| p.display().to_string();
    // the native viewer's frame of the state the page is asked for
    let script = out.join("native.script");
    let native = out.join("native-demo.png");
    let text = format!("wait 500\nscreenshot {}\nquit\n", s(&native));
    if let Err(e) = std::fs::write(&script, text) {
        panic!("{}: {e}", script.display());
    }
    let headless = Command::new(env!("CARGO_BIN_EXE_nasviz"))
        .args(["view", "--headless", "--run", "re-0", "--step", "400"])
        .args(["--size", "1100x700", "--script", &s(&script)])
        .output();
    let native_ok = matches!(&headless, Ok(o) if o.status.success()) && native.is_file();
    if !native_ok {
        // no GPU here: the page is still checked, without the comparison
        eprintln!("SKIP the native comparison: the headless viewer drew nothing ({headless:?})");
        if std::env::var("NASVIZ_REQUIRE_GPU").is_ok_and(|v| v == "1") {
            panic!("NASVIZ_REQUIRE_GPU=1, but the headless viewer failed: {headless:?}");
        }
    }
    // a trace to drop, and a folder to share
    let drop = out.join("rs-7.jsonl");
    nasviz(&[
        "search",
        "--strategy",
        "random",
        "--budget",
        "300",
        "--seed",
        "7",
        "-o",
        &s(&drop),
    ]);
    let site = out.join("site");
    let shared = nasviz(&[
        "share",
        &s(&root().join("datasets/cora-random-2000.jsonl")),
        &s(&drop),
        "-o",
        &s(&site),
        "--title",
        "shared demo",
        "--step",
        "25",
    ]);
    let said = String::from_utf8_lossy(&shared.stdout);
    assert!(said.contains("2 traces"), "{said}");
    for f in [
        "index.html",
        "nasviz.js",
        "nasviz_bg.wasm",
        "traces/rs-7.jsonl",
    ] {
        assert!(site.join(f).is_file(), "share wrote no {f}");
    }
    let mut cmd = Command::new("node");
    cmd.arg(root().join("tests/web/browser.mjs"))
        .env("NASVIZ_WEB_PAGE", root().join("target/web"))
        .env("NASVIZ_WEB_SHARE", &site)
        .env("NASVIZ_WEB_DROP", &drop)
        .env("NASVIZ_WEB_OUT", &out)
        .env("NASVIZ_WEB_TOOLS", root().join("target/web-tools"));
    if native_ok {
        cmd.env("NASVIZ_WEB_NATIVE", &native);
    }
    let run = match cmd.output() {
        Ok(o) => o,
        Err(e) => panic!("node: {e}"),
    };
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    eprintln!("{log}");
    assert!(run.status.success(), "browser checks failed:\n{log}");
    assert!(log.contains("all browser checks passed"), "{log}");
}

#[test]
fn share_refuses_what_it_cannot_do_and_keeps_what_was_there() {
    let out = std::env::temp_dir().join(format!("nasviz-share-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let site = out.join("site");
    if let Err(e) = std::fs::create_dir_all(&site) {
        panic!("{e}");
    }
    let keep = site.join("keep.txt");
    if let Err(e) = std::fs::write(&keep, "mine") {
        panic!("{e}");
    }
    let demo = root().join("datasets/cora-random-2000.jsonl");
    let run = |args: &[&str], web: &Path| match Command::new(env!("CARGO_BIN_EXE_nasviz"))
        .args(args)
        .env("NASVIZ_WEB_DIR", web)
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!("{e}"),
    };
    let site_s = site.display().to_string();
    let demo_s = demo.display().to_string();
    // an occupied folder without --force
    let o = run(
        &["share", &demo_s, "-o", &site_s],
        &root().join("target/web"),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("not empty"), "{err}");
    assert!(keep.is_file());
    // no built page: says how to build one, writes nothing
    let fresh = out.join("fresh").display().to_string();
    let o = run(&["share", &demo_s, "-o", &fresh], &out.join("nowhere"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("web/build.sh"), "{err}");
    assert!(!out.join("fresh").exists());
    // a trace that cannot be read: named, nothing replaced even with --force
    let bad = out.join("bad.jsonl");
    if let Err(e) = std::fs::write(&bad, "{\"kind\":\"run\"\n") {
        panic!("{e}");
    }
    let o = run(
        &[
            "share",
            &bad.display().to_string(),
            "-o",
            &site_s,
            "--force",
        ],
        &root().join("target/web"),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("bad.jsonl"), "{err}");
    assert!(keep.is_file(), "a failed share removed what was there");
    // a step past the end
    let o = run(
        &["share", &demo_s, "-o", &fresh, "--step", "5000"],
        &root().join("target/web"),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && (err.contains("--step 5000") || err.contains("web/build.sh")),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&out);
}
