//! `nasviz arch hash`: canonical NAS-Bench-101 hashes of cells.

use anyhow::{Context, Result};
use nasviz::arch::nb101::Cell;
use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

pub fn hash(file: Option<PathBuf>) -> Result<ExitCode> {
    let (name, reader): (String, Box<dyn BufRead>) = match file {
        Some(p) if p.as_os_str() != "-" => {
            let f = std::fs::File::open(&p).with_context(|| format!("{}", p.display()))?;
            (
                p.display().to_string(),
                Box::new(std::io::BufReader::new(f)),
            )
        }
        _ => ("stdin".to_string(), Box::new(std::io::stdin().lock())),
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let (mut cells, mut bad) = (0usize, 0usize);
    // cells are hashed in batches (MD5 lanes shared between cells), and
    // printed in input order
    const BATCH: usize = 4096;
    let mut pending: Vec<(usize, Result<Cell, String>)> = Vec::with_capacity(BATCH);
    let flush = |pending: &mut Vec<(usize, Result<Cell, String>)>,
                 out: &mut BufWriter<std::io::StdoutLock<'_>>,
                 bad: &mut usize|
     -> Result<()> {
        let ok: Vec<Cell> = pending
            .iter()
            .filter_map(|(_, c)| c.as_ref().ok().copied())
            .collect();
        let mut hashes = nasviz::arch::nb101::hash_many(&ok).into_iter();
        for (line_no, c) in pending.drain(..) {
            let result = match c {
                Ok(_) => match hashes.next() {
                    Some(h) => h.map_err(|e| e.to_string()),
                    None => Err("internal error: missing hash".to_string()),
                },
                Err(e) => Err(e),
            };
            match result {
                Ok(h) => writeln!(out, "{h}")?,
                Err(e) => {
                    *bad += 1;
                    writeln!(out, "error: {name}:{line_no}: {e}")?;
                }
            }
        }
        Ok(())
    };
    for (i, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("{name}:{}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        cells += 1;
        let cell = serde_json::from_str::<serde_json::Value>(&line)
            .map_err(|e| format!("malformed JSON: {e}"))
            .and_then(|v| Cell::from_json(&v).map_err(|e| e.to_string()));
        pending.push((i + 1, cell));
        if pending.len() == BATCH {
            flush(&mut pending, &mut out, &mut bad)?;
        }
    }
    flush(&mut pending, &mut out, &mut bad)?;
    out.flush()?;
    if cells == 0 {
        eprintln!(
            "error: {name}: empty: no cells in it (expected JSON Lines of {{\"matrix\": [[...]], \"ops\": [...]}})"
        );
        return Ok(ExitCode::FAILURE);
    }
    if bad > 0 {
        eprintln!("error: {bad} of {cells} cells in {name} are invalid");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
