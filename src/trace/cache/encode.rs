//! A trace written as a cache: the columns streamed out in pieces, summed
//! as they go, while the distinct texts are gathered (their table ends
//! the body), and the header written last in front.

use super::format::{header_bytes, BodySum, Header, HEADER_LEN, NONE};
use crate::arch::{Arch, Mutation};
use crate::trace::scan::FxMap;
use crate::trace::{Run, Source, Trace};
use std::io::{Seek, SeekFrom, Write};
use std::sync::mpsc::{Receiver, Sender, SyncSender};
use std::sync::Arc;

/// Writes the cache of `trace`, described by `h`, to `w` (at its start).
/// The body is made on this thread, summed and written on a second, a
/// piece at a time, while a third gathers the texts for the first run's
/// numbers to be written meanwhile.
pub(super) fn write_cache<W: Write + Seek + Send>(
    w: &mut W,
    h: &Header,
    trace: &Trace,
) -> std::io::Result<()> {
    // the header needs the body's length and checksum: room for it first
    w.write_all(&[0; HEADER_LEN])?;
    let (len, sum) = std::thread::scope(|sc| {
        let texts = sc.spawn(|| Texts::of(trace));
        let (full, pieces) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
        let (spent, free) = std::sync::mpsc::channel::<Vec<u8>>();
        let writer = sc.spawn(|| write_pieces(&mut *w, pieces, spent));
        let mut out = Sink::new(full, free);
        out.u32(trace.runs.len() as u32);
        if let Some(run) = trace.runs.first() {
            out.numbers(run);
        }
        let failed = |what: &str| std::io::Error::other(format!("the cache's {what} failed"));
        let texts = texts.join().map_err(|_| failed("texts"))?;
        for (k, (run, ids)) in trace.runs.iter().zip(&texts.runs).enumerate() {
            if k > 0 {
                out.numbers(run);
            }
            out.texts(ids);
        }
        out.strings(&texts.strings.list);
        out.finish();
        // freed while the last pieces are written
        drop(texts);
        writer.join().unwrap_or_else(|_| Err(failed("writer")))
    })?;
    w.seek(SeekFrom::Start(0))?;
    w.write_all(&header_bytes(h, len, sum))?;
    w.seek(SeekFrom::End(0))?;
    Ok(())
}

/// Sums and writes the pieces of a body as they come, handing each buffer
/// back to be filled again; the body's length and checksum.
fn write_pieces<W: Write>(
    w: &mut W,
    pieces: Receiver<Vec<u8>>,
    spent: Sender<Vec<u8>>,
) -> std::io::Result<(u64, u64)> {
    let mut sum = BodySum::default();
    let mut len = 0;
    for mut piece in pieces {
        sum.update(&piece);
        len += piece.len() as u64;
        // on an error the maker's next send fails, and it stops
        w.write_all(&piece)?;
        piece.clear();
        let _ = spent.send(piece);
    }
    Ok((len, sum.finish()))
}

/// Strings stored once, referred to by index.
#[derive(Default)]
struct Strings {
    list: Vec<Arc<str>>,
    index: FxMap<Arc<str>, u32>,
}

impl Strings {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.list.len() as u32;
        let s: Arc<str> = s.into();
        self.index.insert(s.clone(), i);
        self.list.push(s);
        i
    }
}

/// The texts of a trace (run headers, architectures, keys, edits,
/// workers, steer events) each stored once, and what each run's rows name.
#[derive(Default)]
struct Texts {
    strings: Strings,
    runs: Vec<RunTexts>,
}

/// The indices of a run's texts into the table of strings.
struct RunTexts {
    info: u32,
    archs: Vec<u32>,
    hashes: Vec<u32>,
    muts: Vec<u32>,
    workers: Vec<u32>,
    steers: Vec<u32>,
}

impl Texts {
    /// The table of strings of `trace`, numbered in the order the columns
    /// name them (run after run: header, architectures, keys, edits,
    /// workers, steer events).
    fn of(trace: &Trace) -> Texts {
        let mut t = Texts::default();
        let mut archs = ArchIds::default();
        // shared texts are looked up once per shared copy
        let mut seen: FxMap<usize, u32> = Default::default();
        for run in &trace.runs {
            let s = &mut t.strings;
            let info = s.id(&serde_json::to_string(&run.info).unwrap_or_default());
            let n = run.trials.len();
            // each distinct value's text once, then the column through it
            let (table, ids) = run.trials.arch_column();
            let texts: Vec<u32> = table.iter().map(|a| archs.id(s, a)).collect();
            let archs = ids.iter().map(|&k| texts[k as usize]).collect();
            let mut texts_of = |(table, ids): (&[Arc<str>], &[u32])| -> Vec<u32> {
                let texts: Vec<u32> = table.iter().map(|h| shared(s, &mut seen, &**h)).collect();
                let mut col: Vec<u32> = (ids.iter())
                    .map(|&k| if k == NONE { NONE } else { texts[k as usize] })
                    .collect();
                col.resize(n, NONE);
                col
            };
            let hashes = texts_of(run.trials.hash_column());
            let workers = texts_of(run.trials.worker_column());
            let mut muts: Vec<u32> = (run.trials.edit_column().iter())
                .map(|m| m.as_deref().map_or(NONE, |m| shared(s, &mut seen, m)))
                .collect();
            muts.resize(n, NONE);
            let steers = run
                .steers
                .iter()
                .map(|st| s.id(&serde_json::to_string(st).unwrap_or_default()))
                .collect();
            t.runs.push(RunTexts {
                info,
                archs,
                hashes,
                muts,
                workers,
                steers,
            });
        }
        t
    }
}

/// A text a trial shares with others (a key, a worker, an edit).
trait SharedText {
    /// Its text in the cache.
    fn text(&self) -> std::borrow::Cow<'_, str>;
}

impl SharedText for str {
    fn text(&self) -> std::borrow::Cow<'_, str> {
        self.into()
    }
}

impl SharedText for Mutation {
    fn text(&self) -> std::borrow::Cow<'_, str> {
        serde_json::to_string(self).unwrap_or_default().into()
    }
}

/// The index of a shared text, remembered by the address of the shared
/// copy: trials that share one look its text up once.
fn shared<T: SharedText + ?Sized>(s: &mut Strings, seen: &mut FxMap<usize, u32>, x: &T) -> u32 {
    let at = std::ptr::from_ref(x) as *const u8 as usize;
    if let Some(&i) = seen.get(&at) {
        return i;
    }
    let i = s.id(&x.text());
    seen.insert(at, i);
    i
}

/// The indices of architectures' texts: a NAS-Bench-Graph architecture
/// by its place in a table of all of them (no hashing: a million trials
/// look theirs up), any other by a map.
#[derive(Default)]
struct ArchIds {
    graph: Vec<u32>,
    other: FxMap<Arch, u32>,
}

use crate::arch::nbgraph::SLOTS as GRAPH_SLOTS;

impl ArchIds {
    fn id(&mut self, s: &mut Strings, a: &Arch) -> u32 {
        let text = |s: &mut Strings| s.id(&arch_text(a));
        if let Some(k) = graph_slot(a) {
            if self.graph.is_empty() {
                self.graph = vec![NONE; GRAPH_SLOTS];
            }
            if self.graph[k] == NONE {
                self.graph[k] = text(s);
            }
            return self.graph[k];
        }
        if let Some(&i) = self.other.get(a) {
            return i;
        }
        let i = text(s);
        self.other.insert(a.clone(), i);
        i
    }
}

/// An architecture's text: its JSON form as traces write it (written by
/// hand for NAS-Bench-Graph, the common case, where a search draws a
/// hundred thousand distinct ones).
pub(super) fn arch_text(a: &Arch) -> String {
    use std::fmt::Write;
    let Arch::NbGraph(g) = a else {
        return serde_json::to_string(&a.to_json()).unwrap_or_default();
    };
    let [l0, l1, l2, l3] = g.links;
    let [o0, o1, o2, o3] = g.ops.map(|o| o.name());
    let mut s = String::with_capacity(80);
    let _ = write!(
        s,
        r#"{{"space":"nbgraph","links":[{l0},{l1},{l2},{l3}],"ops":["{o0}","{o1}","{o2}","{o3}"]}}"#
    );
    s
}

/// A NAS-Bench-Graph architecture's place in the table of all of them
/// (`links[i] <= i`), if it is one.
pub(super) fn graph_slot(a: &Arch) -> Option<usize> {
    let Arch::NbGraph(g) = a else { return None };
    g.slot()
}

/// Bytes handed to the writer in pieces of about this size.
const PIECE: usize = 256 << 10;

/// The body as it is made: gathered into pieces, each handed to the
/// writer full; when the writer is gone (it failed), the rest is dropped.
struct Sink {
    buf: Vec<u8>,
    /// Bytes put so far.
    len: u64,
    full: SyncSender<Vec<u8>>,
    free: Receiver<Vec<u8>>,
    gone: bool,
}

impl Sink {
    fn new(full: SyncSender<Vec<u8>>, free: Receiver<Vec<u8>>) -> Self {
        Sink {
            buf: Vec::with_capacity(PIECE + 64),
            len: 0,
            full,
            free,
            gone: false,
        }
    }

    fn put(&mut self, bytes: &[u8]) {
        self.len += bytes.len() as u64;
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= PIECE {
            self.hand_over();
        }
    }

    fn u32(&mut self, x: u32) {
        self.put(&x.to_le_bytes());
    }

    fn u64(&mut self, x: u64) {
        self.put(&x.to_le_bytes());
    }

    fn f64(&mut self, x: f64) {
        self.put(&x.to_le_bytes());
    }

    /// The piece so far to the writer, and a spent buffer (or a new one)
    /// to go on in.
    fn hand_over(&mut self) {
        let next = self
            .free
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(PIECE + 64));
        let piece = std::mem::replace(&mut self.buf, next);
        if !self.gone && self.full.send(piece).is_err() {
            self.gone = true;
        }
    }

    /// The last piece to the writer.
    fn finish(mut self) {
        if !self.buf.is_empty() {
            self.hand_over();
        }
    }

    /// A run's numbers: its trial count, columns of numbers and parents.
    fn numbers(&mut self, run: &Run) {
        let t = &run.trials;
        let n = t.len();
        self.u64(n as u64);
        let opt = |x: Option<f64>| x.unwrap_or(f64::NAN);
        for i in 0..n {
            self.u64(t.id(i).unwrap_or(0));
        }
        for i in 0..n {
            self.u64(t.step(i).unwrap_or(0));
        }
        for i in 0..n {
            self.f64(opt(t.time_s(i)));
        }
        for (i, (&val, &test)) in t.val_accs().iter().zip(t.test_accs()).enumerate() {
            let row = [val, test]
                .into_iter()
                .chain((0..4).map(|k| opt(t.cost(k, i))));
            let mut bytes = [0u8; 48];
            for (b, x) in bytes.chunks_exact_mut(8).zip(row) {
                b.copy_from_slice(&x.to_le_bytes());
            }
            self.put(&bytes);
        }
        for &s in t.sources() {
            self.put(&[match s {
                Source::Search => 0,
                Source::User => 1,
                Source::Import => 2,
            }]);
        }
        for i in 0..n {
            let parents = t.parents(i);
            self.u32(parents.len() as u32);
            for &p in parents {
                self.u64(p);
            }
        }
    }

    /// A run's texts: its header's, its columns of text indices, its steer
    /// events'.
    fn texts(&mut self, ids: &RunTexts) {
        self.u32(ids.info);
        for col in [&ids.archs, &ids.hashes, &ids.muts, &ids.workers] {
            for &i in col {
                self.u32(i);
            }
        }
        self.u32(ids.steers.len() as u32);
        for &i in &ids.steers {
            self.u32(i);
        }
    }

    /// The table of strings, and where it starts in the body.
    fn strings(&mut self, list: &[Arc<str>]) {
        let at = self.len;
        self.u32(list.len() as u32);
        for s in list {
            self.u32(s.len() as u32);
            self.put(s.as_bytes());
        }
        self.u64(at);
    }
}
