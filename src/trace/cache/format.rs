//! The layout of a cache file, shared by its writer and its readers: the
//! header, the body's checksum, and bounds-checked cursors over the body's
//! table of strings and each run's columns.
//!
//! A cache is the header (`MAGIC`, the trace's length, modification time,
//! head and boundary checksums and line count, the body's length and
//! checksum), then the body: the runs (a count, then per run its trial
//! count, its columns of numbers, each trial's parents as a count and the
//! ids, its header's string, its columns of text indices (see
//! [`Columns`]), and its steer events' strings), then the table of strings
//! (a count, then each string's length and bytes), then where in the body
//! that table starts (8 bytes). The table comes last so that a writer can
//! stream the numbers while it gathers the texts.

use crate::trace::{Parents, RunInfo, Steer};

/// The first bytes of a cache of this version.
pub(super) const MAGIC: &[u8; 8] = b"NVZTRC03";

/// No text (an index into the table of strings a trial may lack).
pub(super) const NONE: u32 = u32::MAX;

/// FNV-1a, 64 bits.
pub(super) fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A checksum of a cache's body: four independent lanes over 8-byte
/// words (a gigabyte a second and more; FNV's byte at a time is ten times
/// slower), then the tail bytes.
pub(super) fn body_sum(bytes: &[u8]) -> u64 {
    let mut s = BodySum::default();
    s.update(bytes);
    s.finish()
}

/// [`body_sum`] over bytes given in pieces.
pub(super) struct BodySum {
    lanes: [u64; 4],
    /// Bytes short of a whole 32-byte block, carried to the next piece.
    pending: Vec<u8>,
    len: u64,
}

impl Default for BodySum {
    fn default() -> Self {
        BodySum {
            lanes: [1, 2, 3, 4],
            pending: Vec::with_capacity(32),
            len: 0,
        }
    }
}

impl BodySum {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;

    fn block(&mut self, c: &[u8]) {
        for (l, w) in self.lanes.iter_mut().zip(c.chunks_exact(8)) {
            let mut a = [0u8; 8];
            a.copy_from_slice(w);
            *l = (*l ^ u64::from_le_bytes(a))
                .wrapping_mul(Self::K)
                .rotate_left(29);
        }
    }

    pub(super) fn update(&mut self, mut bytes: &[u8]) {
        self.len += bytes.len() as u64;
        if !self.pending.is_empty() {
            let take = (32 - self.pending.len()).min(bytes.len());
            self.pending.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.pending.len() < 32 {
                return;
            }
            let block = std::mem::take(&mut self.pending);
            self.block(&block);
            self.pending = block;
            self.pending.clear();
        }
        let mut chunks = bytes.chunks_exact(32);
        for c in &mut chunks {
            self.block(c);
        }
        self.pending.extend_from_slice(chunks.remainder());
    }

    pub(super) fn finish(&self) -> u64 {
        let mut h = fnv(&self.pending) ^ self.len;
        for l in self.lanes {
            h = (h ^ l).wrapping_mul(Self::K).rotate_left(31);
        }
        h
    }
}

/// What a cache says of the trace it was made from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Header {
    pub(super) len: u64,
    pub(super) mtime: (u64, u32),
    pub(super) head: u64,
    pub(super) boundary: u64,
    pub(super) lines: u64,
}

/// The length of a cache's header in bytes.
pub(super) const HEADER_LEN: usize = 68;

/// The header of a cache whose body has `body_len` bytes summing to `sum`.
pub(super) fn header_bytes(h: &Header, body_len: u64, sum: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN);
    out.extend_from_slice(MAGIC);
    for x in [h.len, h.mtime.0] {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.extend_from_slice(&h.mtime.1.to_le_bytes());
    for x in [h.head, h.boundary, h.lines, body_len, sum] {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out
}

/// A cache's header, its body and the checksum the body must have (not
/// checked here); the body must be the rest of the file.
pub(super) fn split(bytes: &[u8]) -> Result<(Header, &[u8], u64), String> {
    let mut c = Cur::new(bytes);
    if c.take(8)? != MAGIC {
        return Err("the cache is of another version".into());
    }
    let h = Header {
        len: c.u64()?,
        mtime: (c.u64()?, c.u32()?),
        head: c.u64()?,
        boundary: c.u64()?,
        lines: c.u64()?,
    };
    let body_len = usize::try_from(c.u64()?).map_err(|_| "the cache is damaged")?;
    let sum = c.u64()?;
    let body = c.take(body_len)?;
    if c.i != bytes.len() {
        return Err(DAMAGED_SUM.into());
    }
    Ok((h, body, sum))
}

/// What a cache whose body does not sum to its checksum is.
pub(super) const DAMAGED_SUM: &str = "the cache is damaged (its checksum does not match)";

/// A cursor over a cache's bytes; every read is bounds-checked.
pub(super) struct Cur<'a> {
    pub(super) b: &'a [u8],
    pub(super) i: usize,
}

impl<'a> Cur<'a> {
    pub(super) fn new(b: &'a [u8]) -> Cur<'a> {
        Cur { b, i: 0 }
    }

    pub(super) fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.i.checked_add(n).filter(|&e| e <= self.b.len());
        let end = end.ok_or_else(|| "the cache is cut short".to_string())?;
        let s = &self.b[self.i..end];
        self.i = end;
        Ok(s)
    }

    pub(super) fn u32(&mut self) -> Result<u32, String> {
        let s = self.take(4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }

    pub(super) fn u64(&mut self) -> Result<u64, String> {
        let s = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        Ok(u64::from_le_bytes(a))
    }

    /// A column of `n` values of `W` bytes, checked to be there, read in
    /// place.
    pub(super) fn col<const W: usize>(&mut self, n: usize) -> Result<Col<'a, W>, String> {
        let bytes = self.take(n.checked_mul(W).ok_or("the cache is damaged")?)?;
        Ok(Col(bytes))
    }

    pub(super) fn u64s(&mut self, n: usize) -> Result<Vec<u64>, String> {
        let c = self.col::<8>(n)?;
        Ok((0..n).map(|i| c.u64(i)).collect())
    }

    /// The parents of one trial: their count, then their ids.
    pub(super) fn trial_parents(&mut self) -> Result<Parents, String> {
        let k = self.u32()? as usize;
        Ok(match k {
            0 => Parents::none(),
            1 => Parents::one(self.u64()?),
            _ => Parents::from(self.u64s(k)?),
        })
    }

    /// The table of strings at the start of a body.
    pub(super) fn strings(&mut self) -> Result<Vec<&'a str>, String> {
        let n = self.u32()? as usize;
        let mut strings = Vec::with_capacity(n.min(self.b.len() / 4));
        for _ in 0..n {
            let len = self.u32()? as usize;
            let s = std::str::from_utf8(self.take(len)?).map_err(|_| "the cache is damaged")?;
            strings.push(s);
        }
        Ok(strings)
    }

    /// A run: its trial count, its columns of numbers, its parents
    /// stepped over (checked to be there), its header and its columns of
    /// text indices.
    pub(super) fn run(&mut self, strings: &[&str]) -> Result<RunPart<'a>, String> {
        let n = usize::try_from(self.u64()?).map_err(|_| "the cache is damaged")?;
        if n > self.b.len() {
            return Err("the cache is damaged".into());
        }
        let (ids, steps, times) = (self.col::<8>(n)?, self.col::<8>(n)?, self.col::<8>(n)?);
        let (metrics, sources) = (self.col::<48>(n)?, self.take(n)?);
        let parents_at = self.i;
        for _ in 0..n {
            let k = self.u32()? as usize;
            self.take(k.checked_mul(8).ok_or("the cache is damaged")?)?;
        }
        let info = serde_json::from_str(text(strings, self.u32()?)?).map_err(damaged)?;
        let cols = Columns {
            ids,
            steps,
            times,
            metrics,
            sources,
            archs: self.col::<4>(n)?,
            hashes: self.col::<4>(n)?,
            muts: self.col::<4>(n)?,
            workers: self.col::<4>(n)?,
        };
        Ok(RunPart {
            info,
            cols,
            parents_at,
        })
    }

    /// A run's steer events.
    pub(super) fn steers(&mut self, strings: &[&str]) -> Result<Vec<Steer>, String> {
        let n = self.u32()? as usize;
        let mut steers = Vec::with_capacity(n.min(self.b.len() / 4));
        for _ in 0..n {
            steers.push(serde_json::from_str(text(strings, self.u32()?)?).map_err(damaged)?);
        }
        Ok(steers)
    }
}

/// A run as a cache holds it, read up to its steer events.
pub(super) struct RunPart<'a> {
    pub(super) info: RunInfo,
    pub(super) cols: Columns<'a>,
    /// Where the trials' parents start in the body.
    pub(super) parents_at: usize,
}

/// The table of strings of a body (at its end, where the body's last 8
/// bytes say), and a cursor over the runs before it.
pub(super) fn parts(body: &[u8]) -> Result<(Vec<&str>, Cur<'_>), String> {
    let end = body.len().checked_sub(8).ok_or("the cache is cut short")?;
    let at = Cur { b: body, i: end }.u64()?;
    let at = usize::try_from(at).ok().filter(|&a| a <= end);
    let at = at.ok_or("the cache is damaged")?;
    let mut c = Cur {
        b: &body[..end],
        i: at,
    };
    let strings = c.strings()?;
    if c.i != end {
        return Err("the cache is damaged".into());
    }
    Ok((
        strings,
        Cur {
            b: &body[..at],
            i: 0,
        },
    ))
}

/// String `i` of the table.
pub(super) fn text<'a>(strings: &[&'a str], i: u32) -> Result<&'a str, String> {
    strings
        .get(i as usize)
        .copied()
        .ok_or_else(|| "the cache is damaged".to_string())
}

/// What a cache whose text does not read is.
pub(super) fn damaged(e: impl std::fmt::Display) -> String {
    format!("the cache is damaged: {e}")
}

/// A column of fixed-width little-endian values, in the cache's bytes.
pub(super) struct Col<'a, const W: usize>(&'a [u8]);

impl Col<'_, 8> {
    /// Every value, in order.
    pub(super) fn u64s(&self) -> Vec<u64> {
        self.0
            .chunks_exact(8)
            .map(|c| {
                let mut a = [0u8; 8];
                a.copy_from_slice(c);
                u64::from_le_bytes(a)
            })
            .collect()
    }
}

impl<const W: usize> Col<'_, W> {
    /// Number of values.
    pub(super) fn len(&self) -> usize {
        self.0.len() / W
    }

    /// The 8 bytes at `offset` in value `i`.
    pub(super) fn u64_at(&self, i: usize, offset: usize) -> u64 {
        let mut a = [0u8; 8];
        a.copy_from_slice(&self.0[i * W + offset..i * W + offset + 8]);
        u64::from_le_bytes(a)
    }

    pub(super) fn u64(&self, i: usize) -> u64 {
        self.u64_at(i, 0)
    }

    /// The column's bytes.
    pub(super) fn bytes(&self) -> &[u8] {
        self.0
    }

    pub(super) fn u32(&self, i: usize) -> u32 {
        let s = &self.0[i * W..i * W + 4];
        u32::from_le_bytes([s[0], s[1], s[2], s[3]])
    }
}

/// The per-trial columns of one run, in the cache's bytes: ids, steps,
/// times (NaN for none), six metrics (validation and test accuracy,
/// training time, parameters, FLOPs, latency; NaN for none), the source
/// (0 search, 1 user, 2 import), and the indices into the table of strings
/// of the architecture, key, edit and worker ([`NONE`] for none).
pub(super) struct Columns<'a> {
    pub(super) ids: Col<'a, 8>,
    pub(super) steps: Col<'a, 8>,
    pub(super) times: Col<'a, 8>,
    pub(super) metrics: Col<'a, 48>,
    pub(super) sources: &'a [u8],
    pub(super) archs: Col<'a, 4>,
    pub(super) hashes: Col<'a, 4>,
    pub(super) muts: Col<'a, 4>,
    pub(super) workers: Col<'a, 4>,
}
