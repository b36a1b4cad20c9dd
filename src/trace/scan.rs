//! A fast reader of the trial lines nasviz writes.
//!
//! [`TrialScanner::scan`] reads a line laid out exactly as
//! `jsonl::TraceWriter` writes a trial (keys in that order, no
//! escapes, no spaces) with a cursor instead of a general JSON parser, and
//! parses each distinct architecture once (lines of a search repeat a few
//! thousand architectures hundreds of times). Anything else, including
//! every line with an error, returns `None` and goes to the general
//! reader, which reports it; so the scanner never decides what is valid,
//! only that a line is one it knows. A property test checks that both
//! readers agree on every line.

use super::line::Event;
use super::{Parents, Source, Trial, TrialMetrics};
use crate::arch::{Arch, Mutation};
use std::collections::HashMap;
use std::sync::Arc;

/// Cursor over one line.
struct Cur<'a> {
    s: &'a [u8],
    i: usize,
}

/// Where the ASCII digits of `b` from `k` on end.
#[inline(always)]
fn digits(b: &[u8], mut k: usize) -> usize {
    while b.get(k).is_some_and(u8::is_ascii_digit) {
        k += 1;
    }
    k
}

impl<'a> Cur<'a> {
    #[inline(always)]
    fn lit(&mut self, t: &[u8]) -> bool {
        if self.s[self.i..].starts_with(t) {
            self.i += t.len();
            true
        } else {
            false
        }
    }

    /// [`Cur::lit`] that must be there: `None` when it is not.
    #[inline(always)]
    fn must(&mut self, t: &[u8]) -> Option<()> {
        self.lit(t).then_some(())
    }

    /// A trial's optional `time_s` (not negative); `None` when it is bad.
    #[inline]
    fn time(&mut self) -> Option<Option<f64>> {
        if !self.lit(b",\"time_s\":") {
            return Some(None);
        }
        let t = self.float()?;
        (t >= 0.0).then_some(Some(t))
    }

    /// A trial's optional `parents` list.
    #[inline]
    fn parents(&mut self) -> Option<Parents> {
        let mut ids = [0u64; 2];
        let mut n = 0;
        let mut more = Vec::new();
        if self.lit(b",\"parents\":[") && !self.lit(b"]") {
            loop {
                let id = self.uint()?;
                match ids.get_mut(n) {
                    Some(slot) => *slot = id,
                    None => more.push(id),
                }
                n += 1;
                if self.lit(b"]") {
                    break;
                }
                self.must(b",")?;
            }
        }
        Some(if more.is_empty() {
            Parents::from(&ids[..n.min(2)])
        } else {
            Parents::from([&ids[..], &more[..]].concat())
        })
    }

    /// A trial's `metrics` object, checked.
    #[inline]
    fn metrics(&mut self) -> Option<TrialMetrics> {
        self.must(b",\"metrics\":{\"val_acc\":")?;
        let val_acc = self.float()?;
        self.must(b",\"test_acc\":")?;
        let test_acc = self.float()?;
        let mut opt = |key: &[u8]| -> Option<Option<f64>> {
            if self.lit(key) {
                self.float().map(Some)
            } else {
                Some(None)
            }
        };
        let metrics = TrialMetrics {
            val_acc,
            test_acc,
            train_time_s: opt(b",\"train_time_s\":")?,
            params: opt(b",\"params\":")?,
            flops: opt(b",\"flops\":")?,
            latency_s: opt(b",\"latency_s\":")?,
        };
        self.must(b"}")?;
        metrics.check().ok()?;
        Some(metrics)
    }

    /// A trial's optional `source` (`search` when absent).
    #[inline]
    fn source(&mut self) -> Option<Source> {
        if !self.lit(b",\"source\":") {
            return Some(Source::Search);
        }
        match self.string()? {
            "search" => Some(Source::Search),
            "user" => Some(Source::User),
            "import" => Some(Source::Import),
            _ => None,
        }
    }

    /// A string without escapes (its content).
    fn string(&mut self) -> Option<&'a str> {
        if !self.lit(b"\"") {
            return None;
        }
        let start = self.i;
        let len = self.s[start..].iter().position(|&c| c == b'"')?;
        let body = &self.s[start..start + len];
        if body.iter().any(|&c| c == b'\\' || c < 0x20) {
            return None;
        }
        self.i = start + len + 1;
        if body.is_ascii() {
            // SAFETY: ASCII is UTF-8.
            return Some(unsafe { std::str::from_utf8_unchecked(body) });
        }
        std::str::from_utf8(body).ok()
    }

    /// The text of a JSON number.
    fn number_text(&mut self) -> Option<&'a str> {
        let start = self.i;
        while self
            .s
            .get(self.i)
            .is_some_and(|c| matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
        {
            self.i += 1;
        }
        if self.i == start {
            return None;
        }
        // SAFETY: every byte taken above is ASCII, and ASCII is UTF-8.
        Some(unsafe { std::str::from_utf8_unchecked(&self.s[start..self.i]) })
    }

    /// A non-negative integer, as serde reads a `u64` (no sign, fraction
    /// or exponent, no leading zeros).
    fn uint(&mut self) -> Option<u64> {
        let start = self.i;
        let mut v: u64 = 0;
        while let Some(&c) = self.s.get(self.i).filter(|c| c.is_ascii_digit()) {
            v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
            self.i += 1;
        }
        let len = self.i - start;
        if len == 0 || (len > 1 && self.s[start] == b'0') {
            return None;
        }
        // a number that goes on (a sign, fraction or exponent) is not a u64
        if self
            .s
            .get(self.i)
            .is_some_and(|c| matches!(c, b'-' | b'+' | b'.' | b'e' | b'E'))
        {
            return None;
        }
        Some(v)
    }

    /// A number as JSON allows it, parsed exactly (as serde_json with
    /// `float_roundtrip`).
    fn float(&mut self) -> Option<f64> {
        let t = self.number_text()?;
        // JSON's grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
        let b = t.as_bytes();
        let int_start = usize::from(b.first() == Some(&b'-'));
        let mut k = digits(b, int_start);
        let int_len = k - int_start;
        if int_len == 0 || (int_len > 1 && b[int_start] == b'0') {
            return None;
        }
        if b.get(k) == Some(&b'.') {
            let f = k + 1;
            k = digits(b, f);
            if k == f {
                return None;
            }
        }
        if matches!(b.get(k), Some(b'e' | b'E')) {
            k += 1;
            if matches!(b.get(k), Some(b'+' | b'-')) {
                k += 1;
            }
            let e = k;
            k = digits(b, e);
            if k == e {
                return None;
            }
        }
        if k != b.len() {
            return None;
        }
        let v: f64 = t.parse().ok()?;
        v.is_finite().then_some(v)
    }

    /// A flat-enough object without escapes: its bytes, braces balanced
    /// (UTF-8 is checked by whoever reads it as text).
    fn object(&mut self) -> Option<&'a [u8]> {
        if self.s.get(self.i) != Some(&b'{') {
            return None;
        }
        let start = self.i;
        let mut depth = 0usize;
        let mut in_string = false;
        while let Some(&c) = self.s.get(self.i) {
            self.i += 1;
            match (in_string, c) {
                (_, b'\\') => return None,
                (true, b'"') => in_string = false,
                (true, _) => {}
                (false, b'"') => in_string = true,
                (false, b'{') => depth += 1,
                (false, b'}') => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(&self.s[start..self.i]);
                    }
                }
                _ => {}
            }
        }
        None
    }
}

/// A fast hash of short texts (FxHash's mixing, 8 bytes at a time).
#[derive(Default)]
pub(crate) struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map hashed with [`Fx`].
pub(crate) type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fx>>;

type TextMap<V> = FxMap<Box<str>, V>;

/// Reads trial lines of the known layout; keeps the architectures (and
/// edits) it has parsed, by their text.
#[derive(Default)]
pub struct TrialScanner {
    archs: TextMap<Arch>,
    edits: TextMap<Arc<Mutation>>,
    /// Benchmark keys, each held once and shared by the trials that name it.
    hashes: std::collections::HashSet<Arc<str>, std::hash::BuildHasherDefault<Fx>>,
    /// The last run id read, shared by the lines that name it.
    run_id: Option<std::sync::Arc<str>>,
}

/// A NAS-Bench-Graph architecture as nasviz writes it, read directly from
/// the start of `text`; with the bytes it took.
fn nbgraph(text: &[u8]) -> Option<(Arch, usize)> {
    use crate::arch::nbgraph::{GnnOp, GraphArch};
    let mut c = Cur { s: text, i: 0 };
    c.must(b"{\"space\":\"nbgraph\",\"links\":[")?;
    let mut links = [0u8; 4];
    for (k, l) in links.iter_mut().enumerate() {
        if k > 0 && !c.lit(b",") {
            return None;
        }
        *l = u8::try_from(c.uint()?).ok()?;
    }
    c.must(b"],\"ops\":[")?;
    let mut ops = [GnnOp::Skip; 4];
    for (k, o) in ops.iter_mut().enumerate() {
        if k > 0 && !c.lit(b",") {
            return None;
        }
        let name = c.string()?;
        *o = GnnOp::ALL.iter().copied().find(|g| g.name() == name)?;
    }
    c.must(b"]}")?;
    let a = GraphArch::new(links, ops).ok()?;
    Some((Arch::NbGraph(a), c.i))
}

/// Largest number of distinct texts kept (the cache is cleared beyond).
const MAX_KEPT: usize = 1 << 20;

impl TrialScanner {
    pub fn new() -> Self {
        Self::default()
    }

    /// The event of `line` when it is a trial line of the layout nasviz
    /// writes and valid; `None` for anything else.
    pub fn scan(&mut self, line: &[u8]) -> Option<Event> {
        let mut c = Cur { s: line, i: 0 };
        c.must(b"{\"kind\":\"trial\",\"run_id\":")?;
        let run_id = c.string()?;
        c.must(b",\"trial_id\":")?;
        let trial_id = c.uint()?;
        c.must(b",\"step\":")?;
        let step = c.uint()?;
        let time_s = c.time()?;
        let parents = c.parents()?;
        let mut mutation = None;
        if c.lit(b",\"mutation\":") {
            let text = c.object()?;
            mutation = Some(self.edit(text)?);
        }
        c.must(b",\"arch\":")?;
        let arch = match nbgraph(&c.s[c.i..]) {
            Some((a, n)) => {
                c.i += n;
                a
            }
            None => self.arch(c.object()?)?,
        };
        let mut hash = None;
        if c.lit(b",\"hash\":") {
            hash = Some(self.hash(c.string()?));
        }
        let metrics = c.metrics()?;
        let source = c.source()?;
        if !c.lit(b"}") || c.i != line.len() {
            return None;
        }
        Some(Event::Trial {
            run_id: self.run_id(run_id),
            trial: Trial {
                trial_id,
                step,
                time_s,
                parents,
                mutation,
                arch,
                hash,
                metrics,
                source,
                worker: None,
            },
        })
    }

    /// The run id, shared with the last line's when it is the same.
    fn run_id(&mut self, run_id: &str) -> Arc<str> {
        match &self.run_id {
            Some(r) if **r == *run_id => r.clone(),
            _ => {
                let r: Arc<str> = run_id.into();
                self.run_id = Some(r.clone());
                r
            }
        }
    }

    fn arch(&mut self, text: &[u8]) -> Option<Arch> {
        let text = std::str::from_utf8(text).ok()?;
        if let Some(a) = self.archs.get(text) {
            return Some(a.clone());
        }
        let a = Arch::from_json_str(text).ok()?;
        if self.archs.len() >= MAX_KEPT {
            self.archs.clear();
        }
        self.archs.insert(text.into(), a.clone());
        Some(a)
    }

    fn hash(&mut self, text: &str) -> Arc<str> {
        if let Some(h) = self.hashes.get(text) {
            return h.clone();
        }
        let h: Arc<str> = text.into();
        if self.hashes.len() >= MAX_KEPT {
            self.hashes.clear();
        }
        self.hashes.insert(h.clone());
        h
    }

    fn edit(&mut self, text: &[u8]) -> Option<Arc<Mutation>> {
        let text = std::str::from_utf8(text).ok()?;
        if let Some(m) = self.edits.get(text) {
            return Some(m.clone());
        }
        let m = Arc::new(super::line::parse_mutation(text).ok()?);
        if self.edits.len() >= MAX_KEPT {
            self.edits.clear();
        }
        self.edits.insert(text.into(), m.clone());
        Some(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use crate::search::{NbGraphBench, Session, Strategy};
    use crate::table::nbgraph::NbGraphTable;
    use crate::trace::jsonl::{parse_line, TraceWriter};

    #[test]
    fn reads_a_written_trial_line() {
        let line = r#"{"kind":"trial","run_id":"rs-0","trial_id":1,"step":1,"arch":{"space":"nbgraph","links":[0,1,1,1],"ops":["sage","cheb","sage","skip"]},"hash":"54348","metrics":{"val_acc":0.7673333333333333,"test_acc":0.7786666666666667,"params":1197319.0,"latency_s":0.0033887227376302085},"source":"search"}"#;
        let mut s = TrialScanner::new();
        assert!(s.scan(line.as_bytes()).is_some());
    }

    /// Trial lines as nasviz writes them: evolution (parents, edits, a
    /// clock), random search, user edits, and every space's architecture.
    fn written_lines() -> Vec<String> {
        let mut out = Vec::new();
        let table = match NbGraphTable::cora() {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        };
        let bench = NbGraphBench::new(table);
        let mut w = TraceWriter::new(Vec::new());
        for (strategy, seed) in [(Strategy::EVOLUTION, 1), (Strategy::Random, 2)] {
            let Ok(mut s) = Session::new(&bench, strategy, seed, "run-a") else {
                panic!("session")
            };
            for _ in 0..600 {
                let _ = s.step();
            }
            let run = s.into_run();
            for t in &run.trials {
                let _ = w.trial(&run.info.run_id, t);
            }
        }
        let archs = [
            r#"{"space":"nb201","string":"|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|"}"#,
            r#"{"space":"sequential","layers":["conv3x3","relu","maxpool"]}"#,
            r#"{"space":"nb101","matrix":[[0,1,1],[0,0,1],[0,0,0]],"ops":["input","conv3x3-bn-relu","output"]}"#,
        ];
        for (i, a) in archs.iter().enumerate() {
            if let Ok(arch) = Arch::from_json_str(a) {
                let mut t = Trial::new(
                    i as u64,
                    arch,
                    TrialMetrics {
                        val_acc: 0.5 + i as f64 * 0.1,
                        test_acc: 0.25,
                        train_time_s: Some(12.5),
                        params: None,
                        flops: Some(3e9),
                        latency_s: None,
                    },
                );
                t.source = Source::User;
                t.time_s = Some(1e-3);
                // crossovers: two parents (inline) and three (on the heap)
                t.parents = (0..i as u64 + 1).map(|k| 40 + k).collect::<Vec<_>>().into();
                let _ = w.trial("other", t.trial_ref());
            }
        }
        let text = String::from_utf8(w.into_inner()).unwrap_or_default();
        out.extend(text.lines().map(str::to_string));
        out
    }

    /// A line changed at random: a byte flipped, dropped or doubled, a
    /// piece cut, a space or an escape put in, a number made odd.
    fn fuzzed(line: &str, rng: &mut Rng) -> Vec<u8> {
        let mut b = line.as_bytes().to_vec();
        let at = rng.below(b.len().max(1));
        match rng.below(9) {
            0 => b[at] ^= 1 << rng.below(8),
            1 => {
                b.remove(at);
            }
            2 => b.insert(at, b[at]),
            3 => b.truncate(at),
            4 => b.insert(at, b' '),
            5 => b.insert(at, b'\\'),
            6 => {
                let odd: &[&[u8]] = &[
                    b"-",
                    b"0",
                    b"1e400",
                    b".",
                    b"e",
                    b"-0",
                    b"00",
                    b"9999999999999999999999",
                ];
                let o = odd[rng.below(odd.len())];
                for (k, &c) in o.iter().enumerate() {
                    b.insert(at + k, c);
                }
            }
            7 => b[at] = 0xff,
            _ => {
                let k = rng.below(b.len().max(1));
                b.swap(at, k);
            }
        }
        b
    }

    #[test]
    fn the_scanner_and_serde_agree_on_every_line() {
        let lines = written_lines();
        assert!(lines.len() > 1000);
        let mut scanner = TrialScanner::new();
        let place = || "t:1".to_string();
        // every line nasviz writes takes the fast path, with serde's result
        for l in &lines {
            let fast = scanner.scan(l.as_bytes());
            assert!(fast.is_some(), "not scanned: {l}");
            assert_eq!(
                fast.map(Ok),
                Some(parse_line(l, &place).map_err(|e| e.to_string())),
                "{l}"
            );
        }
        // and wherever the scanner answers on a changed line, serde agrees
        let mut rng = Rng::new(5);
        let mut answered = 0;
        for i in 0..60_000 {
            let l = &lines[i % lines.len()];
            let b = fuzzed(l, &mut rng);
            if let Some(ev) = scanner.scan(&b) {
                answered += 1;
                let text = match std::str::from_utf8(&b) {
                    Ok(t) => t,
                    Err(e) => panic!("scanned a line that is not UTF-8 ({e}): {b:?}"),
                };
                let slow = parse_line(text, &place);
                assert_eq!(slow.map_err(|e| e.to_string()), Ok(ev), "{text}");
            }
        }
        // flips inside numbers and names still parse: the fast path is exercised
        assert!(answered > 1000, "{answered}");
    }
}
