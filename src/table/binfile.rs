//! What nasviz's binary table files (`.nbt`, `.nb101`) share: a magic and
//! a format version up front, a record count, fixed-size records, and a
//! checksum of everything before it at the end. Every check names the
//! byte offset where the file goes wrong.

use super::TableError;
use std::path::Path;

/// A table file's bytes, read whole, and its path as errors name it.
pub fn read(path: &Path) -> Result<(Vec<u8>, String), TableError> {
    let shown = path.display().to_string();
    match std::fs::read(path) {
        Ok(data) => Ok((data, shown)),
        Err(source) => Err(TableError::Io {
            path: shown,
            source,
        }),
    }
}

/// Writes a table file (atomically: a file that was there is kept on
/// failure).
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), TableError> {
    crate::fsutil::write_atomic(path, bytes).map_err(|source| TableError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// The checksum of the table formats: FNV-1a 64 over 64-bit words instead
/// of bytes (8x fewer multiplications). The data is read as little-endian
/// `u64` words, the last one zero-padded; then the byte length is mixed in
/// as a last word.
/// ```text
/// h = 0xcbf29ce484222325
/// for each word w, then w = len:  h = (h ^ w) * 0x100000001b3 (mod 2^64)
/// ```
pub fn checksum(data: &[u8]) -> u64 {
    const PRIME: u64 = 0x0100_0000_01b3;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut words = data.chunks_exact(8);
    for w in &mut words {
        let mut a = [0u8; 8];
        a.copy_from_slice(w);
        h = (h ^ u64::from_le_bytes(a)).wrapping_mul(PRIME);
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut a = [0u8; 8];
        a[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(a)).wrapping_mul(PRIME);
    }
    (h ^ data.len() as u64).wrapping_mul(PRIME)
}

/// Appends the checksum of `out` to it (the last step of writing a table).
pub(crate) fn seal(out: &mut Vec<u8>) {
    let sum = checksum(out);
    out.extend_from_slice(&sum.to_le_bytes());
}

/// A table file's bytes being checked; errors name `path`.
pub struct Image<'a> {
    pub bytes: &'a [u8],
    pub path: &'a str,
}

impl<'a> Image<'a> {
    pub fn new(bytes: &'a [u8], path: &'a str) -> Self {
        Image { bytes, path }
    }

    pub fn corrupt(&self, offset: usize, what: String) -> TableError {
        TableError::Corrupt {
            path: self.path.to_string(),
            offset,
            what,
        }
    }

    /// `n` bytes at `at`, or a truncation error naming `what`.
    pub fn get(&self, at: usize, n: usize, what: &str) -> Result<&'a [u8], TableError> {
        let len = self.bytes.len();
        self.bytes.get(at..at.saturating_add(n)).ok_or_else(|| {
            self.corrupt(
                len.min(at),
                format!("truncated: {what} needs {n} bytes at byte {at}, the file has {len}"),
            )
        })
    }

    pub(crate) fn u16_at(&self, at: usize, what: &str) -> Result<u16, TableError> {
        let b = self.get(at, 2, what)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    pub(crate) fn u32_at(&self, at: usize, what: &str) -> Result<u32, TableError> {
        let b = self.get(at, 4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Checks the 8-byte magic (a `kind` table) and the u16 version after it.
    pub fn header(&self, magic: &[u8; 8], kind: &str, version: u16) -> Result<(), TableError> {
        if self.get(0, 8, "magic")? != magic {
            return Err(self.corrupt(0, format!("not an {kind} table (bad magic)")));
        }
        let found = self.u16_at(8, "version")?;
        if found != version {
            return Err(self.corrupt(
                8,
                format!("format version {found}, this build reads {version}"),
            ));
        }
        Ok(())
    }

    /// Reads the u32 record count at `count_at` and checks that it is not
    /// zero, that `count` records of `record_len` bytes from `records_at`
    /// plus the checksum make exactly the file, and the checksum.
    pub fn records(
        &self,
        count_at: usize,
        records_at: usize,
        record_len: usize,
    ) -> Result<usize, TableError> {
        let len = self.bytes.len();
        let count = self.u32_at(count_at, "record count")? as usize;
        if count == 0 {
            return Err(self.corrupt(count_at, "the table holds no records".into()));
        }
        let expected = count
            .checked_mul(record_len)
            .and_then(|r| r.checked_add(records_at + 8));
        if expected != Some(len) {
            let what = match expected {
                Some(e) => format!("{count} records make a {e}-byte file, but it has {len} bytes"),
                None => format!("record count {count} is impossibly large"),
            };
            return Err(self.corrupt(count_at, what));
        }
        let sum_at = len - 8;
        let s = self.get(sum_at, 8, "checksum")?;
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        let stored = u64::from_le_bytes(a);
        let actual = checksum(&self.bytes[..sum_at]);
        if stored != actual {
            return Err(self.corrupt(
                sum_at,
                format!("checksum mismatch: stored {stored:016x}, computed {actual:016x}"),
            ));
        }
        Ok(count)
    }
}

/// Checks that every truncation of a table file's bytes, and every flip of
/// a bit of each byte, is refused as corrupt by `decode` (the formats'
/// tests).
#[cfg(test)]
pub fn assert_damage_is_corrupt<T: std::fmt::Debug>(
    bytes: &[u8],
    decode: impl Fn(&[u8]) -> Result<T, TableError>,
) {
    for n in 0..bytes.len() {
        let e = decode(&bytes[..n]).unwrap_err();
        assert!(matches!(e, TableError::Corrupt { .. }), "{n}: {e}");
    }
    for i in 0..bytes.len() {
        let mut c = bytes.to_vec();
        c[i] ^= 0x10;
        let e = decode(&c).unwrap_err();
        assert!(matches!(e, TableError::Corrupt { .. }), "{i}: {e}");
    }
}
