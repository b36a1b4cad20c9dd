//! TFRecord files: a sequence of records, each framed as
//!
//! ```text
//! u64 LE   length of the data
//! u32 LE   masked CRC32C of the 8 length bytes
//! length   data
//! u32 LE   masked CRC32C of the data
//! ```
//!
//! The CRC is CRC-32C (Castagnoli, reflected polynomial `0x82F63B78`), masked
//! as `((crc >> 15) | (crc << 17)) + 0xa282ead8` (mod 2^32).
//! [`TfRecordReader`] streams records from any [`Read`] in constant memory
//! (one buffer, reused) and checks both CRCs; [`TfRecordWriter`] writes them.

use std::io::{self, Read, Write};

use super::TableError;

/// Records longer than this are refused as corrupt by default.
pub(crate) const DEFAULT_MAX_RECORD_LEN: usize = 1 << 20;

const HEADER_LEN: usize = 12;
const MASK_DELTA: u32 = 0xa282_ead8;

/// Slice-by-8 tables for CRC-32C, built at compile time.
static CRC_TABLES: [[u32; 256]; 8] = crc_tables();

const fn crc_tables() -> [[u32; 256]; 8] {
    let mut t = [[0u32; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0x82F6_3B78
            } else {
                c >> 1
            };
            k += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut i = 0;
    while i < 256 {
        let mut k = 1;
        while k < 8 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
            k += 1;
        }
        i += 1;
    }
    t
}

/// Continues a CRC-32C: `crc32c_update(crc32c(a), b) == crc32c(a ++ b)`.
pub fn crc32c_update(crc: u32, data: &[u8]) -> u32 {
    let t = &CRC_TABLES;
    let mut c = !crc;
    let mut chunks = data.chunks_exact(8);
    for w in &mut chunks {
        let lo = c ^ u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        let hi = u32::from_le_bytes([w[4], w[5], w[6], w[7]]);
        c = t[7][(lo & 0xff) as usize]
            ^ t[6][((lo >> 8) & 0xff) as usize]
            ^ t[5][((lo >> 16) & 0xff) as usize]
            ^ t[4][(lo >> 24) as usize]
            ^ t[3][(hi & 0xff) as usize]
            ^ t[2][((hi >> 8) & 0xff) as usize]
            ^ t[1][((hi >> 16) & 0xff) as usize]
            ^ t[0][(hi >> 24) as usize];
    }
    for &b in chunks.remainder() {
        c = (c >> 8) ^ t[0][((c ^ u32::from(b)) & 0xff) as usize];
    }
    !c
}

/// CRC-32C of `data`.
pub fn crc32c(data: &[u8]) -> u32 {
    crc32c_update(0, data)
}

/// The masked CRC-32C that TFRecord stores.
pub fn masked_crc32c(data: &[u8]) -> u32 {
    crc32c(data).rotate_right(15).wrapping_add(MASK_DELTA)
}

/// Appends the framing of one record holding `data` to `out`.
pub fn encode_record(data: &[u8], out: &mut Vec<u8>) {
    let len = (data.len() as u64).to_le_bytes();
    out.extend_from_slice(&len);
    out.extend_from_slice(&masked_crc32c(&len).to_le_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(&masked_crc32c(data).to_le_bytes());
}

/// Streams the records of a TFRecord file, checking both CRCs of each.
pub struct TfRecordReader<R> {
    inner: R,
    path: String,
    buf: Vec<u8>,
    offset: u64,
    record_offset: u64,
    records: u64,
    max_len: usize,
    failed: bool,
}

impl<R: Read> TfRecordReader<R> {
    /// A reader over `inner`; `path_for_errors` names it in errors.
    pub fn new(inner: R, path_for_errors: &str) -> Self {
        TfRecordReader {
            inner,
            path: path_for_errors.to_string(),
            buf: Vec::new(),
            offset: 0,
            record_offset: 0,
            records: 0,
            max_len: DEFAULT_MAX_RECORD_LEN,
            failed: false,
        }
    }

    /// Refuse records longer than `max_len` bytes (default 1 MiB).
    pub fn with_max_len(mut self, max_len: usize) -> Self {
        self.max_len = max_len;
        self
    }

    /// Bytes consumed so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Records returned so far.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Byte offset where the last returned record starts.
    pub(crate) fn record_offset(&self) -> u64 {
        self.record_offset
    }

    fn corrupt(&mut self, offset: u64, what: String) -> TableError {
        self.failed = true;
        TableError::Corrupt {
            path: self.path.clone(),
            offset: usize::try_from(offset).unwrap_or(usize::MAX),
            what,
        }
    }

    fn io(&mut self, source: io::Error) -> TableError {
        self.failed = true;
        TableError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// The next record's data, `None` at a clean end of the input. After an
    /// error the reader stays at the end (it returns `None`).
    pub fn next_record(&mut self) -> Result<Option<&[u8]>, TableError> {
        if self.failed {
            return Ok(None);
        }
        let start = self.offset;
        let index = self.records;
        let mut header = [0u8; HEADER_LEN];
        let got = match read_full(&mut self.inner, &mut header) {
            Ok(n) => n,
            Err(e) => return Err(self.io(e)),
        };
        self.offset += got as u64;
        if got == 0 {
            return Ok(None);
        }
        if got < HEADER_LEN {
            return Err(self.corrupt(
                start,
                format!(
                    "record {index}: truncated header: {got} of {HEADER_LEN} bytes before the end"
                ),
            ));
        }
        if start == 0 && header.starts_with(&[0x1f, 0x8b]) {
            return Err(self.corrupt(
                start,
                "the file is gzip-compressed, not a TFRecord: decompress it first \
                 (gunzip, or zcat FILE > FILE.tfrecord)"
                    .to_string(),
            ));
        }
        let mut len_bytes = [0u8; 8];
        len_bytes.copy_from_slice(&header[..8]);
        let stored = u32::from_le_bytes([header[8], header[9], header[10], header[11]]);
        let actual = masked_crc32c(&len_bytes);
        if stored != actual {
            return Err(self.corrupt(
                start,
                format!(
                    "record {index}: bad length CRC (stored {stored:08x}, computed {actual:08x})"
                ),
            ));
        }
        let len = u64::from_le_bytes(len_bytes);
        let len = match usize::try_from(len) {
            Ok(l) if l <= self.max_len => l,
            _ => {
                let max = self.max_len;
                return Err(self.corrupt(
                    start,
                    format!("record {index}: length {len} exceeds the maximum of {max} bytes"),
                ));
            }
        };
        let want = len + 4;
        self.buf.clear();
        let got = match (&mut self.inner)
            .take(want as u64)
            .read_to_end(&mut self.buf)
        {
            Ok(n) => n,
            Err(e) => return Err(self.io(e)),
        };
        self.offset += got as u64;
        if got < want {
            return Err(self.corrupt(
                start,
                format!(
                    "record {index}: truncated: {len} data bytes and a 4-byte CRC expected, {got} bytes before the end"
                ),
            ));
        }
        let (data, crc) = self.buf.split_at(len);
        let stored = u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]);
        let actual = masked_crc32c(data);
        if stored != actual {
            return Err(self.corrupt(
                start + HEADER_LEN as u64,
                format!(
                    "record {index}: bad data CRC (stored {stored:08x}, computed {actual:08x})"
                ),
            ));
        }
        self.record_offset = start;
        self.records += 1;
        Ok(self.buf.get(..len))
    }
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Writes TFRecord framing around each record.
pub struct TfRecordWriter<W> {
    inner: W,
    scratch: Vec<u8>,
}

impl<W: Write> TfRecordWriter<W> {
    pub fn new(inner: W) -> Self {
        TfRecordWriter {
            inner,
            scratch: Vec::new(),
        }
    }

    /// Writes one record.
    pub fn write_record(&mut self, data: &[u8]) -> io::Result<()> {
        self.scratch.clear();
        encode_record(data, &mut self.scratch);
        self.inner.write_all(&self.scratch)
    }

    /// Flushes and returns the inner writer.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.inner.flush()?;
        Ok(self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crc_bitwise(data: &[u8]) -> u32 {
        let mut c = !0u32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    (c >> 1) ^ 0x82F6_3B78
                } else {
                    c >> 1
                };
            }
        }
        !c
    }

    #[test]
    fn crc32c_known_vectors() {
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
        assert_eq!(crc32c(b""), 0);
        // RFC 3720 B.4: 32 bytes of zeros, of 0xff, ascending.
        assert_eq!(crc32c(&[0u8; 32]), 0x8A91_36AA);
        assert_eq!(crc32c(&[0xffu8; 32]), 0x62A8_AB43);
        let asc: Vec<u8> = (0..32).collect();
        assert_eq!(crc32c(&asc), 0x46DD_794E);
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 + i / 3) as u8).collect();
        for n in 0..data.len() {
            assert_eq!(crc32c(&data[..n]), crc_bitwise(&data[..n]), "{n}");
        }
        assert_eq!(
            crc32c_update(crc32c(&data[..123]), &data[123..]),
            crc32c(&data)
        );
    }

    #[test]
    #[allow(clippy::manual_rotate)] // TensorFlow's formula, as written there
    fn masked_crc_matches_tensorflow() {
        let c = crc32c(b"123456789");
        assert_eq!(
            masked_crc32c(b"123456789"),
            ((c >> 15) | (c << 17)).wrapping_add(0xa282ead8)
        );
        // The masked CRC TensorFlow writes for the length 0 (a record of no bytes).
        let zero = 0u64.to_le_bytes();
        let c = crc_bitwise(&zero);
        assert_eq!(
            masked_crc32c(&zero),
            ((c >> 15) | (c << 17)).wrapping_add(0xa282ead8)
        );
    }

    fn file(records: &[&[u8]]) -> Vec<u8> {
        let mut w = TfRecordWriter::new(Vec::new());
        for r in records {
            w.write_record(r).unwrap();
        }
        w.into_inner().unwrap()
    }

    fn read_all(bytes: &[u8]) -> Result<Vec<Vec<u8>>, TableError> {
        let mut r = TfRecordReader::new(bytes, "t.tfrecord");
        let mut out = Vec::new();
        while let Some(d) = r.next_record()? {
            out.push(d.to_vec());
        }
        Ok(out)
    }

    #[test]
    fn round_trip() {
        let recs: [&[u8]; 3] = [b"hello", b"", b"[\"x\", 108]"];
        let f = file(&recs);
        assert_eq!(f.len(), 3 * 16 + 5 + 10);
        let got = read_all(&f).unwrap();
        assert_eq!(got, recs.iter().map(|r| r.to_vec()).collect::<Vec<_>>());
        let mut r = TfRecordReader::new(&f[..], "t");
        r.next_record().unwrap();
        r.next_record().unwrap();
        assert_eq!(r.record_offset(), 21);
        assert_eq!(r.records(), 2);
        assert_eq!(r.offset(), 37);
        assert!(read_all(&[]).unwrap().is_empty());
    }

    #[test]
    fn every_truncation_is_corrupt() {
        let f = file(&[b"abc", b"defgh"]);
        for n in 1..f.len() {
            if n == 19 {
                assert_eq!(read_all(&f[..n]).unwrap().len(), 1);
                continue;
            }
            let e = read_all(&f[..n]).unwrap_err();
            let s = e.to_string();
            assert!(matches!(e, TableError::Corrupt { .. }), "{n}: {s}");
            assert!(s.contains("truncated"), "{n}: {s}");
        }
    }

    #[test]
    fn every_flip_is_caught() {
        let f = file(&[b"abc", b"defgh"]);
        for i in 0..f.len() {
            let mut c = f.clone();
            c[i] ^= 0x04;
            let e = read_all(&c).unwrap_err();
            let s = e.to_string();
            assert!(matches!(e, TableError::Corrupt { .. }), "{i}: {s}");
            assert!(s.contains("CRC"), "{i}: {s}");
        }
        let mut c = f.clone();
        c[32] ^= 1; // the second record's data
        let s = read_all(&c).unwrap_err().to_string();
        assert!(s.contains("byte 31: record 1: bad data CRC"), "{s}");
        let mut c = f;
        c[0] ^= 1;
        let s = read_all(&c).unwrap_err().to_string();
        assert!(s.contains("byte 0: record 0: bad length CRC"), "{s}");
        // a gzip-compressed file says so
        let gz = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0];
        let mut r = TfRecordReader::new(&gz[..], "f.tfrecord.gz");
        let s = r
            .next_record()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(s.contains("gzip-compressed"), "{s}");
    }

    #[test]
    fn oversized_record_is_refused() {
        let big = vec![7u8; 100];
        let f = file(&[&big]);
        let mut r = TfRecordReader::new(&f[..], "t").with_max_len(99);
        let s = r.next_record().unwrap_err().to_string();
        assert!(s.contains("exceeds the maximum of 99"), "{s}");
        assert!(r.next_record().unwrap().is_none());
        // A huge length with a valid length CRC.
        let mut f = Vec::new();
        let len = u64::MAX.to_le_bytes();
        f.extend_from_slice(&len);
        f.extend_from_slice(&masked_crc32c(&len).to_le_bytes());
        let s = read_all(&f).unwrap_err().to_string();
        assert!(s.contains("exceeds the maximum"), "{s}");
    }
}
