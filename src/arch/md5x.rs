//! Multi-lane MD5: up to 32 independent messages hashed at once with
//! AVX-512 where the processor has it (checked at run time), one by one
//! otherwise. Used by NAS-Bench-101's module hash, which needs many short
//! MD5s per cell.

use super::md5;

/// Messages per batch.
pub const LANES: usize = 32;
/// Longest message a lane holds, in 64-byte blocks (after padding).
pub(crate) const MAX_BLOCKS: usize = 5;
/// Longest message a lane holds, in bytes.
pub const MAX_LEN: usize = MAX_BLOCKS * 64 - 9;

/// Up to [`LANES`] messages of at most [`MAX_LEN`] bytes each.
pub(crate) struct Lanes {
    buf: [[u8; MAX_BLOCKS * 64]; LANES],
    blocks: [u8; LANES],
    len: usize,
}

impl Default for Lanes {
    fn default() -> Self {
        Lanes {
            buf: [[0u8; MAX_BLOCKS * 64]; LANES],
            blocks: [0; LANES],
            len: 0,
        }
    }
}

impl Lanes {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn is_full(&self) -> bool {
        self.len == LANES
    }

    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Adds a message written by `write` into the lane's buffer (at most
    /// [`MAX_LEN`] bytes; `write` returns the length). Returns the lane.
    ///
    /// # Panics
    /// When the batch is full or `write` reports more than [`MAX_LEN`]
    /// bytes: both are bugs of the caller, not of the data.
    #[inline]
    pub fn push(&mut self, write: impl FnOnce(&mut [u8]) -> usize) -> usize {
        assert!(self.len < LANES, "md5 lanes are full");
        let lane = self.len;
        let buf = &mut self.buf[lane];
        // fixed-size clear: a few vector stores, cheaper than a memset call
        *buf = [0u8; MAX_BLOCKS * 64];
        let n = write(&mut buf[..MAX_LEN]);
        assert!(n <= MAX_LEN, "md5 lane message too long");
        let blocks = (n + 9).div_ceil(64);
        buf[n] = 0x80;
        let end = blocks * 64;
        buf[end - 8..end].copy_from_slice(&((n as u64) * 8).to_le_bytes());
        self.blocks[lane] = blocks as u8;
        self.len += 1;
        lane
    }

    /// The digests of the messages, in lane order.
    pub fn digests(&self) -> [[u8; 16]; LANES] {
        #[cfg(target_arch = "x86_64")]
        {
            if self.len > 1 && avx512() {
                let mut out = [[0u8; 16]; LANES];
                // SAFETY: the processor supports AVX-512F (checked above).
                unsafe {
                    if self.len > 16 {
                        self.avx512_kernel::<true>(0, &mut out);
                    } else {
                        self.avx512_kernel::<false>(0, &mut out);
                    }
                }
                return out;
            }
        }
        self.digests_scalar()
    }

    /// The digests computed one message at a time (the reference).
    pub(crate) fn digests_scalar(&self) -> [[u8; 16]; LANES] {
        let mut out = [[0u8; 16]; LANES];
        for (lane, o) in out.iter_mut().enumerate().take(self.len) {
            let mut state = md5::INIT;
            for b in 0..self.blocks[lane] as usize {
                let mut block = [0u8; 64];
                block.copy_from_slice(&self.buf[lane][b * 64..b * 64 + 64]);
                md5::compress(&mut state, &block);
            }
            *o = md5::state_bytes(&state);
        }
        out
    }

    /// Hashes lanes `first..first + 16` (and, with `two`, also
    /// `first + 16..first + 32`, interleaved to hide instruction latency).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    #[allow(clippy::needless_range_loop)] // indices are vertex/lane numbers
    unsafe fn avx512_kernel<const TWO: bool>(&self, first: usize, out: &mut [[u8; 16]; LANES]) {
        use std::arch::x86_64::*;
        let sets = if TWO { 2 } else { 1 };
        let last = (first + 16 * sets).min(self.len);
        let maxb = self.blocks[first..last].iter().copied().max().unwrap_or(0) as usize;
        let init = [
            _mm512_set1_epi32(md5::INIT[0] as i32),
            _mm512_set1_epi32(md5::INIT[1] as i32),
            _mm512_set1_epi32(md5::INIT[2] as i32),
            _mm512_set1_epi32(md5::INIT[3] as i32),
        ];
        let mut st = [init, init];
        let mut res = [init, init];
        for blk in 0..maxb {
            let mut m = [[_mm512_setzero_si512(); 16]; 2];
            for (set, ms) in m.iter_mut().enumerate().take(sets) {
                let mut r = [_mm512_setzero_si512(); 16];
                for (i, ri) in r.iter_mut().enumerate() {
                    let buf = &self.buf[first + 16 * set + i];
                    *ri = _mm512_loadu_si512(buf[blk * 64..blk * 64 + 64].as_ptr().cast());
                }
                *ms = transpose16(&r);
            }
            let [mut a0, mut b0, mut c0, mut d0] = st[0];
            let [mut a1, mut b1, mut c1, mut d1] = st[1];
            // step `i` of MD5 on the 16 lanes of each set: the round's
            // boolean function as a ternary-logic table, constant `K[i]`,
            // message word `word(i)`, rotation `S[i]` (all known at compile
            // time: the steps are unrolled by the macros below)
            macro_rules! step {
                ($i:expr) => {{
                    let k = _mm512_set1_epi32(const { md5::K[$i] } as i32);
                    let f0 = _mm512_ternarylogic_epi32::<{ TERNARY[$i / 16] }>(b0, c0, d0);
                    let w0 = m[0][const { md5::word($i) }];
                    let t0 = _mm512_add_epi32(_mm512_add_epi32(a0, k), _mm512_add_epi32(w0, f0));
                    a0 = d0;
                    d0 = c0;
                    c0 = b0;
                    b0 = _mm512_add_epi32(b0, _mm512_rol_epi32::<{ md5::S[$i] as i32 }>(t0));
                    if TWO {
                        let f1 = _mm512_ternarylogic_epi32::<{ TERNARY[$i / 16] }>(b1, c1, d1);
                        let w1 = m[1][const { md5::word($i) }];
                        let t1 =
                            _mm512_add_epi32(_mm512_add_epi32(a1, k), _mm512_add_epi32(w1, f1));
                        a1 = d1;
                        d1 = c1;
                        c1 = b1;
                        b1 = _mm512_add_epi32(b1, _mm512_rol_epi32::<{ md5::S[$i] as i32 }>(t1));
                    }
                }};
            }
            macro_rules! four_steps {
                ($i:expr) => {
                    step!($i);
                    step!($i + 1);
                    step!($i + 2);
                    step!($i + 3);
                };
            }
            macro_rules! round {
                ($r:expr) => {
                    four_steps!(16 * $r);
                    four_steps!(16 * $r + 4);
                    four_steps!(16 * $r + 8);
                    four_steps!(16 * $r + 12);
                };
            }
            round!(0);
            round!(1);
            round!(2);
            round!(3);
            for (set, (a, b, c, d)) in [(a0, b0, c0, d0), (a1, b1, c1, d1)]
                .into_iter()
                .enumerate()
                .take(sets)
            {
                let s = &mut st[set];
                s[0] = _mm512_add_epi32(s[0], a);
                s[1] = _mm512_add_epi32(s[1], b);
                s[2] = _mm512_add_epi32(s[2], c);
                s[3] = _mm512_add_epi32(s[3], d);
                let mut done: u16 = 0;
                for i in 0..16 {
                    let lane = first + 16 * set + i;
                    if lane < self.len && self.blocks[lane] as usize == blk + 1 {
                        done |= 1 << i;
                    }
                }
                for w in 0..4 {
                    res[set][w] = _mm512_mask_mov_epi32(res[set][w], done, s[w]);
                }
            }
        }
        for (set, r) in res.iter().enumerate().take(sets) {
            let mut words = [[0u32; 16]; 4];
            for w in 0..4 {
                _mm512_storeu_si512(words[w].as_mut_ptr().cast(), r[w]);
            }
            for i in 0..16 {
                let lane = first + 16 * set + i;
                if lane < self.len {
                    out[lane] =
                        md5::state_bytes(&[words[0][i], words[1][i], words[2][i], words[3][i]]);
                }
            }
        }
    }
}

/// MD5's four round functions of (b, c, d) as `vpternlogd` truth tables:
/// F = b ? c : d, G = d ? b : c, H = b ^ c ^ d, I = c ^ (b | !d).
#[cfg(target_arch = "x86_64")]
const TERNARY: [i32; 4] = [0xCA, 0xE4, 0x96, 0x39];

/// Transposes 16 rows of 16 32-bit words (row = lane, column = word).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[inline]
fn transpose16(r: &[std::arch::x86_64::__m512i; 16]) -> [std::arch::x86_64::__m512i; 16] {
    use std::arch::x86_64::*;
    let mut t = [_mm512_setzero_si512(); 16];
    for p in 0..8 {
        t[2 * p] = _mm512_unpacklo_epi32(r[2 * p], r[2 * p + 1]);
        t[2 * p + 1] = _mm512_unpackhi_epi32(r[2 * p], r[2 * p + 1]);
    }
    // u[4m + k]: 128-bit lane L holds word 4L + k of rows 4m..4m+4
    let mut u = [_mm512_setzero_si512(); 16];
    for g in 0..4 {
        let b = 4 * g;
        u[b] = _mm512_unpacklo_epi64(t[b], t[b + 2]);
        u[b + 1] = _mm512_unpackhi_epi64(t[b], t[b + 2]);
        u[b + 2] = _mm512_unpacklo_epi64(t[b + 1], t[b + 3]);
        u[b + 3] = _mm512_unpackhi_epi64(t[b + 1], t[b + 3]);
    }
    let mut w = [_mm512_setzero_si512(); 16];
    for k in 0..4 {
        let lo_a = _mm512_shuffle_i32x4::<0x88>(u[k], u[4 + k]);
        let hi_a = _mm512_shuffle_i32x4::<0xdd>(u[k], u[4 + k]);
        let lo_b = _mm512_shuffle_i32x4::<0x88>(u[8 + k], u[12 + k]);
        let hi_b = _mm512_shuffle_i32x4::<0xdd>(u[8 + k], u[12 + k]);
        w[k] = _mm512_shuffle_i32x4::<0x88>(lo_a, lo_b);
        w[8 + k] = _mm512_shuffle_i32x4::<0xdd>(lo_a, lo_b);
        w[4 + k] = _mm512_shuffle_i32x4::<0x88>(hi_a, hi_b);
        w[12 + k] = _mm512_shuffle_i32x4::<0xdd>(hi_a, hi_b);
    }
    w
}

/// Whether the AVX-512 path is used on this processor.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub(crate) fn avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        use std::sync::OnceLock;
        static HAS: OnceLock<bool> = OnceLock::new();
        *HAS.get_or_init(|| {
            std::env::var_os("NASVIZ_NO_SIMD").is_none() && is_x86_feature_detected!("avx512f")
        })
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_match_the_scalar_digest() {
        // messages of every length 0..=MAX_LEN, 16 at a time, with mixed lengths
        let mut lanes = Lanes::default();
        let mut msgs: Vec<Vec<u8>> = Vec::new();
        for n in 0..=MAX_LEN {
            let msg: Vec<u8> = (0..n).map(|i| (i * 31 + n * 7) as u8).collect();
            let len = msg.len();
            lanes.push(|buf| {
                buf[..len].copy_from_slice(&msg);
                len
            });
            msgs.push(msg);
            if lanes.is_full() || n == MAX_LEN {
                let got = lanes.digests();
                for (i, m) in msgs.iter().enumerate() {
                    assert_eq!(got[i], md5::digest(m), "length {}", m.len());
                }
                assert_eq!(got, lanes.digests_scalar());
                lanes.clear();
                msgs.clear();
            }
        }
    }

    #[test]
    fn every_lane_count_matches_the_scalar_digest() {
        // 2..=16 lanes take the one-set kernel, 17..=32 the two-set one
        for count in 1..=LANES {
            let mut lanes = Lanes::default();
            for i in 0..count {
                let len = (i * 37 + count * 11) % (MAX_LEN + 1);
                lanes.push(|buf| {
                    for (j, b) in buf[..len].iter_mut().enumerate() {
                        *b = (j * 13 + i) as u8;
                    }
                    len
                });
            }
            assert_eq!(lanes.digests(), lanes.digests_scalar(), "{count} lanes");
        }
    }
}
