//! `nasviz share TRACE... -o site/`: a folder any static host serves (or
//! `python3 -m http.server`), holding the page built by `web/build.sh`
//! and the traces as native JSON Lines, which the page opens at once.

use anyhow::{bail, Context, Result};
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct ShareArgs {
    /// Traces, in any format nasviz reads (written into the folder as
    /// native JSON Lines); their runs together, as `nasviz view` shows them.
    #[arg(required = true)]
    traces: Vec<PathBuf>,
    /// The folder to write (made; it must not exist, or be empty, unless
    /// --force).
    #[arg(short, long)]
    output: PathBuf,
    /// The page's title.
    #[arg(long)]
    title: Option<String>,
    /// The step shown first, counted from 1 (default: the last).
    #[arg(long)]
    step: Option<usize>,
    /// The run shown first (default: the first).
    #[arg(long)]
    run: Option<String>,
    /// Read the traces as this format instead of judging by content.
    #[arg(long)]
    format: Option<nasviz::trace::open::Format>,
    /// Replace OUTPUT if it exists and is not empty.
    #[arg(long)]
    force: bool,
}

/// The files of a built page.
const PAGE_FILES: [&str; 3] = ["index.html", "nasviz.js", "nasviz_bg.wasm"];
/// The line of `index.html` that `share` replaces with what to open.
const SHARE_MARKER: &str = "window.NASVIZ_SHARE = null;";

/// Where a built page may be: `NASVIZ_WEB_DIR`, `target/web` here, and
/// beside the running binary's target folder.
fn page_candidates() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(d) = std::env::var_os("NASVIZ_WEB_DIR").filter(|d| !d.is_empty()) {
        out.push(PathBuf::from(d));
        return out;
    }
    out.push(PathBuf::from("target/web"));
    if let Ok(exe) = std::env::current_exe() {
        // target/release/nasviz -> target/web
        if let Some(target) = exe.parent().and_then(Path::parent) {
            out.push(target.join("web"));
        }
    }
    out
}

fn find_page() -> Result<PathBuf> {
    let tried = page_candidates();
    for d in &tried {
        if PAGE_FILES.iter().all(|f| d.join(f).is_file()) {
            return Ok(d.clone());
        }
    }
    let names: Vec<String> = tried.iter().map(|d| d.display().to_string()).collect();
    bail!(
        "no built page (looked in {}): build it with `web/build.sh` in nasviz's source folder, \
         or name its folder with NASVIZ_WEB_DIR=DIR",
        names.join(", ")
    )
}

/// A file name for a trace in the folder, unique among `taken`.
fn site_name(path: &Path, taken: &mut Vec<String>) -> String {
    let stem: String = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "trace".into())
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut name = format!("{stem}.jsonl");
    let mut k = 2;
    while taken.contains(&name) {
        name = format!("{stem}-{k}.jsonl");
        k += 1;
    }
    taken.push(name.clone());
    name
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1 << 20) as f64)
}

/// `share`'s settings for the page, as a script's JSON (`</` escaped).
fn share_script(traces: &[String], args: &ShareArgs) -> String {
    let json = serde_json::json!({
        "traces": traces.iter().map(|t| format!("traces/{t}")).collect::<Vec<_>>(),
        "title": args.title,
        "step": args.step,
        "run": args.run,
    });
    format!(
        "window.NASVIZ_SHARE = {};",
        json.to_string().replace("</", "<\\/")
    )
}

/// A trace to write into the folder: its name there, where it was read
/// from, what was read.
struct SiteTrace<'a> {
    name: String,
    src: &'a Path,
    trace: nasviz::trace::Trace,
}

pub fn share(args: ShareArgs) -> Result<ExitCode> {
    let out = &args.output;
    check_output(out, args.force)?;
    let page = find_page()?;
    // every trace read first: nothing is written for a trace that cannot be
    let traces = read_traces(&args)?;
    let html = std::fs::read_to_string(page.join("index.html"))
        .with_context(|| format!("{}", page.join("index.html").display()))?;
    if !html.contains(SHARE_MARKER) {
        bail!(
            "{}: not a page built by this nasviz (no share marker); rebuild it with `web/build.sh`",
            page.join("index.html").display()
        );
    }
    // written beside the folder, then moved into place
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let leaf = out
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".into());
    let tmp = parent.join(format!(".{leaf}.nasviz-tmp-{}", std::process::id()));
    let (page_bytes, trace_bytes) = match write_site(&tmp, &page, &html, &traces, &args) {
        Ok(sizes) => sizes,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e.context(format!("writing {}", out.display())));
        }
    };
    let old = parent.join(format!(".{leaf}.nasviz-old-{}", std::process::id()));
    replace_folder(out, &tmp, &old)?;
    let n = traces.len();
    println!(
        "{}: the page ({}) and {n} trace{} ({}); {} in all",
        out.display(),
        mib(page_bytes),
        if n == 1 { "" } else { "s" },
        mib(trace_bytes),
        mib(page_bytes + trace_bytes)
    );
    println!(
        "serve it: python3 -m http.server -d {} 8000, then open http://127.0.0.1:8000/",
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Refuses a folder that is not empty (without --force) and a file.
fn check_output(out: &Path, force: bool) -> Result<()> {
    let occupied = out.is_file() || std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_some());
    if occupied && !force {
        bail!(
            "{}: exists and is not empty; pass --force to replace it",
            out.display()
        );
    }
    if out.is_file() {
        bail!("{}: is a file, not a folder", out.display());
    }
    Ok(())
}

/// Every trace read, each with its name in the folder; `--run` and
/// `--step` checked against them.
fn read_traces(args: &ShareArgs) -> Result<Vec<SiteTrace<'_>>> {
    let mut taken = Vec::new();
    let mut traces = Vec::new();
    let mut trials_of_first = None;
    for p in &args.traces {
        let (trace, notes) = nasviz::trace::open::open_noted(p, args.format)?;
        for n in notes {
            eprintln!("{n}");
        }
        if trials_of_first.is_none() {
            let run = match &args.run {
                Some(id) => trace.runs.iter().find(|r| &r.info.run_id == id),
                None => trace.runs.first(),
            };
            trials_of_first = run.map(|r| r.trials.len());
        }
        traces.push(SiteTrace {
            name: site_name(p, &mut taken),
            src: p,
            trace,
        });
    }
    if let Some(id) = &args.run {
        let known = traces
            .iter()
            .any(|t| t.trace.runs.iter().any(|r| &r.info.run_id == id));
        if !known {
            bail!("--run {id}: no run of that id in the traces");
        }
    }
    if let (Some(s), Some(n)) = (args.step, trials_of_first) {
        if s == 0 || s > n {
            bail!("--step {s}: the run shown first has {n} trials (steps 1 to {n})");
        }
    }
    Ok(traces)
}

/// Writes the page (its `index.html` opening the traces) and the traces
/// (native ones copied, others converted) into `tmp`; returns the bytes
/// of each.
fn write_site(
    tmp: &Path,
    page: &Path,
    html: &str,
    traces: &[SiteTrace],
    args: &ShareArgs,
) -> Result<(u64, u64)> {
    std::fs::create_dir_all(tmp.join("traces"))?;
    let mut page_bytes = 0;
    for f in PAGE_FILES {
        let bytes = if f == "index.html" {
            let names: Vec<String> = traces.iter().map(|t| t.name.clone()).collect();
            html.replacen(SHARE_MARKER, &share_script(&names, args), 1)
                .into_bytes()
        } else {
            std::fs::read(page.join(f)).with_context(|| page.join(f).display().to_string())?
        };
        page_bytes += bytes.len() as u64;
        std::fs::write(tmp.join(f), bytes)?;
    }
    let mut trace_bytes = 0;
    for t in traces {
        let dst = tmp.join("traces").join(&t.name);
        let native =
            nasviz::trace::open::kind_as(t.src, args.format)? == nasviz::trace::open::Kind::Native;
        if native {
            std::fs::copy(t.src, &dst)?;
        } else {
            nasviz::trace::jsonl::write_trace(&dst, &t.trace)?;
        }
        trace_bytes += std::fs::metadata(&dst)?.len();
    }
    Ok((page_bytes, trace_bytes))
}

/// Moves the written folder `tmp` to `out`, a folder there first moved
/// to `old` (put back if the move fails) and then removed.
fn replace_folder(out: &Path, tmp: &Path, old: &Path) -> Result<()> {
    if out.exists() {
        std::fs::rename(out, old).with_context(|| format!("{}: cannot replace", out.display()))?;
    }
    if let Err(e) = std::fs::rename(tmp, out) {
        let _ = std::fs::rename(old, out);
        let _ = std::fs::remove_dir_all(tmp);
        return Err(e).with_context(|| format!("{}: cannot write", out.display()));
    }
    let _ = std::fs::remove_dir_all(old);
    Ok(())
}
