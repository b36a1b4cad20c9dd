//! The file a live session is saved to as it happens: the run line, then
//! every trial and steer event, each appended and flushed to the operating
//! system the moment it exists, so a killed viewer loses nothing that was
//! done. The file is a native trace: `nasviz view FILE` replays it.

use super::jsonl::TraceWriter;
use super::Run;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// A session file being written.
pub(crate) struct SessionLog {
    path: PathBuf,
    out: TraceWriter<BufWriter<File>>,
    trials: usize,
    steers: usize,
}

impl SessionLog {
    /// Creates `path` (and its folder). An existing file is never
    /// replaced: a session is saved to a new file.
    pub fn create(path: &Path) -> std::io::Result<SessionLog> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)?;
        Ok(SessionLog {
            path: path.to_path_buf(),
            out: TraceWriter::new(BufWriter::new(file)),
            trials: 0,
            steers: 0,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends what `run` holds that the file does not yet (the run line
    /// first), then flushes. Steer events follow the trials they name, as
    /// the session records them.
    pub fn sync(&mut self, run: &Run) -> std::io::Result<()> {
        if self.trials == 0 && self.steers == 0 {
            self.out.run(&run.info)?;
        }
        for t in run.trials.iter().skip(self.trials) {
            self.out.trial(&run.info.run_id, t)?;
        }
        self.trials = run.trials.len();
        for s in run.steers.iter().skip(self.steers) {
            self.out.steer(s)?;
        }
        self.steers = run.steers.len();
        self.out.flush()
    }
}

/// Where a live session is saved when the user names no file:
/// `$XDG_DATA_HOME/nasviz/sessions/` (or `~/.local/share/...`), named by
/// the local time it started, e.g. `live-20261130-141502.jsonl`.
pub fn default_session_path(now: std::time::SystemTime) -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(std::env::temp_dir);
    let secs = now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    base.join("nasviz")
        .join("sessions")
        .join(format!("live-{}.jsonl", stamp(secs)))
}

/// `YYYYMMDD-HHMMSS` (UTC) of a Unix time.
pub fn stamp(secs: u64) -> String {
    let (y, m, d) = civil((secs / 86_400) as i64);
    let rest = secs % 86_400;
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The UTC date (year, month, day) of a day count since 1970-01-01
/// (Howard Hinnant's civil-from-days).
pub fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m as u32, d as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::{sequential::LayerList, Arch};
    use crate::trace::{RunInfo, Steer, Trial, TrialMetrics};

    #[test]
    fn stamps_are_calendar_times() {
        assert_eq!(stamp(0), "19700101-000000");
        // 2026-11-30 14:15:02 UTC
        assert_eq!(stamp(1_796_048_102), "20261130-141502");
        assert_eq!(stamp(951_782_400), "20000229-000000");
    }

    #[test]
    fn every_synced_event_is_in_the_file_and_it_is_never_replaced() {
        let dir = std::env::temp_dir().join(format!("nasviz-log-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("deep").join("s.jsonl");
        let mut log = SessionLog::create(&path).unwrap();
        let mut run = Run::new(RunInfo {
            run_id: "live".into(),
            strategy: "random_search".into(),
            space: "sequential".into(),
            benchmark: String::new(),
            seed: None,
            objectives: Vec::new(),
            config: None,
        });
        let arch = Arch::Sequential(LayerList::new(vec!["a".into(), "b".into()]).unwrap());
        for i in 0..3 {
            let m = TrialMetrics {
                val_acc: 0.5,
                test_acc: 0.4,
                train_time_s: None,
                params: None,
                flops: None,
                latency_s: None,
            };
            run.push(Trial::new(i, arch.clone(), m)).unwrap();
            log.sync(&run).unwrap();
            // each trial is in the file at once, without closing it
            let (t, _) = crate::trace::jsonl::read_trace(&path).unwrap();
            assert_eq!(t.runs[0].trials.len(), i as usize + 1);
        }
        run.push_steer(Steer {
            run_id: "live".into(),
            step: 2,
            action: "pause".into(),
            base: None,
            trial_id: None,
            mutation: None,
            note: None,
        })
        .unwrap();
        log.sync(&run).unwrap();
        let (t, _) = crate::trace::jsonl::read_trace(&path).unwrap();
        assert_eq!(t.runs[0], run);
        assert_eq!(t.runs[0].steers.len(), 1);
        let e = SessionLog::create(&path).err().unwrap();
        assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
