//! File helpers shared by the writers.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Makes sure `XDG_RUNTIME_DIR` names a private directory of this user
/// (Mesa's drivers print an error on every start without one): when it is
/// unset or unusable, a `nasviz-runtime-UID` directory (mode 0700) in the
/// temporary directory is made and named there. Call before any thread
/// starts. Does nothing when it cannot help; the drivers then say so.
#[cfg(unix)]
pub fn ensure_runtime_dir() {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    let uid = match std::fs::metadata("/proc/self") {
        Ok(m) => m.uid(),
        Err(_) => return,
    };
    let usable = |p: &Path| {
        std::fs::metadata(p)
            .is_ok_and(|m| m.is_dir() && m.uid() == uid && m.permissions().mode() & 0o077 == 0)
    };
    if let Some(d) = std::env::var_os("XDG_RUNTIME_DIR") {
        if !d.is_empty() && usable(Path::new(&d)) {
            return;
        }
    }
    let dir = std::env::temp_dir().join(format!("nasviz-runtime-{uid}"));
    let _ = std::fs::DirBuilder::new().mode(0o700).create(&dir);
    if usable(&dir) {
        std::env::set_var("XDG_RUNTIME_DIR", &dir);
    }
}

/// Nothing to set up off Unix.
#[cfg(not(unix))]
pub fn ensure_runtime_dir() {}

/// Writes `bytes` to `path` through a temporary file beside it, renamed
/// into place only when complete, so a failed write never leaves a partial
/// file where the user's file was.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, true, |w| w.write_all(bytes))
}

/// Writes `path` through a temporary file beside it: `write` fills the
/// file (through a buffer), which is then flushed, synced to disk when
/// `sync`, and renamed into place. When anything fails the temporary file
/// is removed and `path` is as it was. Returns what `write` returned.
pub fn write_atomic_with<T, E: From<std::io::Error>>(
    path: &Path,
    sync: bool,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<T, E>,
) -> Result<T, E> {
    let tmp = temp_sibling(path);
    let result = (|| {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        let out = write(&mut w)?;
        {
            // closed before the rename
            let f = w.into_inner().map_err(|e| e.into_error())?;
            if sync {
                f.sync_all()?;
            }
        }
        std::fs::rename(&tmp, path)?;
        Ok(out)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A temporary path in the same directory as `path`, unique to this
/// process and call (two threads writing one file do not share it).
pub(crate) fn temp_sibling(path: &Path) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_string());
    path.with_file_name(format!(".{name}.{}.{n}.tmp", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_file() {
        let dir = std::env::temp_dir().join(format!("nasviz-fsutil-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("a.bin");
        write_atomic(&p, b"first").unwrap();
        write_atomic(&p, b"second").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"second");
        assert!(!temp_sibling(&p).exists());
        // a directory that does not exist: an error, nothing created
        let bad = dir.join("missing/a.bin");
        assert!(write_atomic(&bad, b"x").is_err());
    }
}
