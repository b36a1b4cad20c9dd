//! NAS-Bench-101's module hash as the official code computes it (an MD5
//! per vertex over its in- and out-degree and label, iterated), for one
//! cell or for many at once (32 messages per MD5 call where the processor
//! has AVX-512, see `md5x.rs`).

use super::*;

/// Digests of `str((out_degree, in_degree, label))` for every degree pair
/// and label, computed once.
pub(super) fn initial_table() -> &'static [[u8; 16]; 8 * 8 * 5] {
    static TABLE: OnceLock<[[u8; 16]; 8 * 8 * 5]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [[0u8; 16]; 8 * 8 * 5];
        for out in 0..8 {
            for inn in 0..8 {
                for l in -2i8..=2 {
                    let s = format!("({out}, {inn}, {l})");
                    t[(out * 8 + inn) * 5 + (l + 2) as usize] = md5::digest(s.as_bytes());
                }
            }
        }
        t
    })
}

/// One cell's state while its module hash is computed.
pub(super) struct Work {
    pub(super) n: usize,
    pub(super) rows: [u8; MAX_VERTICES],
    pub(super) cols: [u8; MAX_VERTICES],
    pub(super) hashes: [[u8; 16]; MAX_VERTICES],
    pub(super) hex: [[u8; 32]; MAX_VERTICES],
    pub(super) order: [u8; MAX_VERTICES],
    pub(super) rank_bit: [u8; MAX_VERTICES],
}

impl Work {
    pub(super) fn new(n: usize, rows: &[u8; MAX_VERTICES], labels: &[i8]) -> Work {
        let table = initial_table();
        let n = n.min(MAX_VERTICES).min(labels.len());
        let mut cols = [0u8; MAX_VERTICES];
        let mut rs = [0u8; MAX_VERTICES];
        for i in 0..n {
            // only edges between existing vertices count
            let r = rows[i] & ((1u16 << n) - 1) as u8;
            rs[i] = r;
            let mut bits = r;
            while bits != 0 {
                let j = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                cols[j] |= 1 << i;
            }
        }
        let mut hashes = [[0u8; 16]; MAX_VERTICES];
        for v in 0..n {
            let out = rs[v].count_ones() as usize;
            let inn = cols[v].count_ones() as usize;
            let l = (labels[v].clamp(-2, 2) + 2) as usize;
            hashes[v] = table[(out * 8 + inn) * 5 + l];
        }
        Work {
            n,
            rows: rs,
            cols,
            hashes,
            hex: [[0u8; 32]; MAX_VERTICES],
            order: [0; MAX_VERTICES],
            rank_bit: [0; MAX_VERTICES],
        }
    }

    /// Hex forms and the order of the vertices by hash, for this round.
    #[allow(clippy::needless_range_loop)] // indices are vertex/lane numbers
    pub(super) fn refresh_hex(&mut self) {
        let mut keys = [0u128; MAX_VERTICES];
        for v in 0..self.n {
            md5::hex_into(&self.hashes[v], &mut self.hex[v]);
            keys[v] = u128::from_be_bytes(self.hashes[v]);
        }
        // rank of each vertex by hash (hex order equals byte order), ties
        // by index; counted without branches
        for i in 0..self.n {
            let mut r = 0usize;
            for j in 0..self.n {
                r += usize::from(keys[j] < keys[i]) + usize::from(keys[j] == keys[i] && j < i);
            }
            self.order[r] = i as u8;
        }
        for (r, &v) in self.order[..self.n].iter().enumerate() {
            self.rank_bit[v as usize] = 1 << r;
        }
    }

    /// Writes vertex `v`'s message for the next round: sorted in-neighbour
    /// hashes, `|`, sorted out-neighbour hashes, `|`, its own hash.
    #[inline]
    pub(super) fn message(&self, v: usize, buf: &mut [u8]) -> usize {
        let mut len = 0;
        for bits in [self.cols[v], self.rows[v]] {
            // neighbours as a mask over ranks, then walked in rank order
            let mut ranks = 0u8;
            let mut b = bits;
            while b != 0 {
                let w = b.trailing_zeros() as usize;
                b &= b - 1;
                ranks |= self.rank_bit[w];
            }
            while ranks != 0 {
                let r = ranks.trailing_zeros() as usize;
                ranks &= ranks - 1;
                let w = self.order[r] as usize;
                buf[len..len + 32].copy_from_slice(&self.hex[w]);
                len += 32;
            }
            buf[len] = b'|';
            len += 1;
        }
        buf[len..len + 32].copy_from_slice(&self.hex[v]);
        len + 32
    }

    /// `str(sorted(hashes))`: `['h0', 'h1', ...]`.
    pub(super) fn fingerprint_message(&self, buf: &mut [u8]) -> usize {
        let mut sorted = self.hashes;
        sorted[..self.n].sort_unstable();
        let mut len = 0;
        buf[len] = b'[';
        len += 1;
        for (i, h) in sorted[..self.n].iter().enumerate() {
            if i > 0 {
                buf[len] = b',';
                buf[len + 1] = b' ';
                len += 2;
            }
            buf[len] = b'\'';
            md5::hex_into(h, &mut buf[len + 1..len + 33]);
            buf[len + 33] = b'\'';
            len += 34;
        }
        buf[len] = b']';
        len + 1
    }
}

/// Runs the module hash of every cell in `works`, sharing MD5 lanes
/// between cells.
pub(super) fn hash_works(works: &mut [Work]) -> Vec<[u8; 16]> {
    let rounds = works.iter().map(|w| w.n).max().unwrap_or(0);
    let mut lanes = md5x::Lanes::default();
    let mut targets = [(0usize, 0usize); md5x::LANES];
    let mut next: Vec<[[u8; 16]; MAX_VERTICES]> = works.iter().map(|w| w.hashes).collect();
    let mut buckets: [Vec<(usize, usize)>; md5x::MAX_BLOCKS + 1] = Default::default();
    let flush = |lanes: &mut md5x::Lanes,
                 targets: &[(usize, usize)],
                 next: &mut Vec<[[u8; 16]; MAX_VERTICES]>| {
        let d = lanes.digests();
        for (lane, &(wi, v)) in targets.iter().enumerate().take(lanes.len()) {
            next[wi][v] = d[lane];
        }
        lanes.clear();
    };
    for r in 0..rounds {
        for w in works.iter_mut().filter(|w| r < w.n) {
            w.refresh_hex();
        }
        // messages grouped by block count, so lanes of a batch finish together
        for b in buckets.iter_mut() {
            b.clear();
        }
        for (wi, w) in works.iter().enumerate() {
            if r >= w.n {
                continue;
            }
            for v in 0..w.n {
                let deg = (w.cols[v].count_ones() + w.rows[v].count_ones()) as usize;
                let len = 32 * (deg + 1) + 2;
                buckets[(len + 9).div_ceil(64)].push((wi, v));
            }
        }
        for bucket in buckets.iter() {
            for &(wi, v) in bucket {
                let w = &works[wi];
                let lane = lanes.push(|buf| w.message(v, buf));
                targets[lane] = (wi, v);
                if lanes.is_full() {
                    flush(&mut lanes, &targets, &mut next);
                }
            }
        }
        if !lanes.is_empty() {
            flush(&mut lanes, &targets, &mut next);
        }
        for (w, nx) in works.iter_mut().zip(&next) {
            if r < w.n {
                w.hashes = *nx;
            }
        }
    }
    let mut out = vec![[0u8; 16]; works.len()];
    let mut owners = [0usize; md5x::LANES];
    for (wi, w) in works.iter().enumerate() {
        let lane = lanes.push(|buf| w.fingerprint_message(buf));
        owners[lane] = wi;
        if lanes.is_full() || wi + 1 == works.len() {
            let d = lanes.digests();
            for (lane, &o) in owners.iter().enumerate().take(lanes.len()) {
                out[o] = d[lane];
            }
            lanes.clear();
        }
    }
    out
}

/// NAS-Bench-101's `hash_module` for a cell of `n` vertices whose edges are
/// `rows[i]` bit `j`, with integer `labels`.
pub fn hash_module(n: usize, rows: &[u8; MAX_VERTICES], labels: &[i8]) -> [u8; 16] {
    let mut w = [Work::new(n, rows, labels)];
    hash_works(&mut w)[0]
}

/// Canonical hashes of many cells at once (faster per cell than
/// [`Cell::hash`] one by one: MD5 lanes are shared between cells).
pub fn hash_many(cells: &[Cell]) -> Vec<Result<ModuleHash, ArchError>> {
    const GROUP: usize = 32;
    let mut out = Vec::with_capacity(cells.len());
    let mut works = Vec::with_capacity(GROUP);
    let mut slots = Vec::with_capacity(GROUP);
    for chunk in cells.chunks(GROUP) {
        works.clear();
        slots.clear();
        for c in chunk {
            match c.pruned() {
                Ok(p) => {
                    let mut labels = [0i8; MAX_VERTICES];
                    for (l, op) in labels.iter_mut().zip(p.ops()) {
                        *l = op.label();
                    }
                    slots.push(out.len());
                    works.push(Work::new(p.len(), &p.rows, &labels[..p.len()]));
                    out.push(Ok(ModuleHash([0; 16])));
                }
                Err(e) => out.push(Err(e)),
            }
        }
        for (slot, h) in slots.iter().zip(hash_works(&mut works)) {
            out[*slot] = Ok(ModuleHash(h));
        }
    }
    out
}
