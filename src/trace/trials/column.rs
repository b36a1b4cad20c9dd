//! The kinds of column a run's trials are stored in: optional numbers,
//! whole numbers that are mostly their positions, and values each held
//! once and named by index.

use crate::arch::Arch;
use crate::trace::scan::FxMap;
use std::hash::Hash;
use std::sync::Arc;

/// The index of "none" in an interned column.
pub(super) const NONE: u32 = u32::MAX;

/// A column of optional numbers: empty while every value is none, then
/// one value a trial, NaN for none.
#[derive(Clone, Debug, Default)]
pub(crate) struct OptColumn(pub(super) Vec<f64>);

impl OptColumn {
    #[inline]
    pub(super) fn get(&self, i: usize) -> Option<f64> {
        self.0.get(i).copied().filter(|v| !v.is_nan())
    }

    /// Appends the value of trial `n` (the column's trials so far).
    pub(super) fn push(&mut self, n: usize, v: Option<f64>) {
        match v {
            None if self.0.is_empty() => {}
            None => self.0.push(f64::NAN),
            Some(v) => {
                self.0.resize(n, f64::NAN);
                self.0.push(v);
            }
        }
    }

    /// Appends `other` (of `m` trials) after this column's `n`.
    pub(super) fn append(&mut self, n: usize, other: OptColumn, m: usize) {
        if other.0.is_empty() {
            if !self.0.is_empty() {
                self.0.resize(n + m, f64::NAN);
            }
            return;
        }
        self.0.resize(n, f64::NAN);
        self.0.extend_from_slice(&other.0);
    }

    /// A column of `n` values, NaN for none.
    pub(crate) fn from_values(values: Vec<f64>) -> OptColumn {
        if values.iter().all(|v| v.is_nan()) {
            return OptColumn(Vec::new());
        }
        OptColumn(values)
    }
}

/// How a value is found among those interned before hashing it: a shared
/// one (an `Arc`) by the address it is at, one with a place in a small
/// dense table (a NAS-Bench-Graph architecture) by that place.
pub(crate) trait Shared {
    fn address(&self) -> Option<usize>;

    /// The value's place among `0..SLOTS`.
    fn slot(&self) -> Option<usize> {
        None
    }
}

impl Shared for Arc<str> {
    fn address(&self) -> Option<usize> {
        Some(Arc::as_ptr(self) as *const u8 as usize)
    }
}

impl Shared for Arch {
    fn address(&self) -> Option<usize> {
        None
    }

    fn slot(&self) -> Option<usize> {
        match self {
            Arch::NbGraph(g) => g.slot(),
            _ => None,
        }
    }
}

/// A column of whole numbers, empty while every value is its position
/// (ids and steps, as searches write them, take no memory).
#[derive(Clone, Debug, Default)]
pub(crate) struct Counted(pub(super) Vec<u64>);

impl Counted {
    /// A column of `values`.
    pub(crate) fn from_values(values: Vec<u64>) -> Counted {
        if values.iter().enumerate().all(|(i, &v)| v == i as u64) {
            return Counted(Vec::new());
        }
        Counted(values)
    }

    /// Value `i` of a column of `n` values.
    #[inline]
    pub(super) fn get(&self, i: usize) -> u64 {
        if self.0.is_empty() {
            i as u64
        } else {
            self.0.get(i).copied().unwrap_or(0)
        }
    }

    /// Appends the value of trial `n` (the column's trials so far).
    pub(super) fn push(&mut self, n: usize, v: u64) {
        if self.0.is_empty() {
            if v == n as u64 {
                return;
            }
            self.0.extend(0..n as u64);
        }
        self.0.push(v);
    }

    /// Appends `other` (of `m` values) after this column's `n`.
    pub(super) fn append(&mut self, n: usize, other: Counted, m: usize) {
        if self.0.is_empty() {
            self.0.extend(0..n as u64);
        }
        if other.0.is_empty() {
            self.0.extend(0..m as u64);
        } else {
            self.0.extend_from_slice(&other.0);
        }
        if self.0.iter().enumerate().all(|(i, &v)| v == i as u64) {
            self.0 = Vec::new();
        }
    }

    pub(super) fn reserve(&mut self, n: usize) {
        if !self.0.is_empty() {
            self.0.reserve(n);
        }
    }
}

/// Values each held once, and a column naming one of them (or none) a
/// trial. The column is empty while every trial names none.
#[derive(Clone, Debug)]
pub(crate) struct Interned<T: Hash + Eq + Clone + Shared> {
    pub(super) ids: Vec<u32>,
    pub(super) table: Vec<T>,
    /// Value to index, built when a value is first interned after a bulk
    /// fill (a cache read does not need it).
    index: Option<FxMap<T, u32>>,
    /// Address of a shared value to index (the table keeps each alive, so
    /// an address is never reused while it is here).
    by_address: FxMap<usize, u32>,
    /// Shared values found by address whose equal is in the table.
    kept: Vec<T>,
    /// Place to index, for values that have one (built on first use).
    slots: Vec<u32>,
}

impl<T: Hash + Eq + Clone + Shared> Default for Interned<T> {
    fn default() -> Self {
        Interned {
            ids: Vec::new(),
            table: Vec::new(),
            index: None,
            by_address: FxMap::default(),
            kept: Vec::new(),
            slots: Vec::new(),
        }
    }
}

impl<T: Hash + Eq + Clone + Shared> Interned<T> {
    /// A column from its table and per-trial indices ([`NONE`] for none);
    /// every index must be in the table.
    pub(crate) fn from_parts(table: Vec<T>, ids: Vec<u32>) -> Result<Interned<T>, String> {
        let len = table.len();
        if ids.iter().any(|&k| k != NONE && k as usize >= len) {
            return Err("an index is past its table".into());
        }
        let ids = if ids.iter().all(|&k| k == NONE) {
            Vec::new()
        } else {
            ids
        };
        Ok(Interned {
            ids,
            table,
            index: None,
            by_address: FxMap::default(),
            kept: Vec::new(),
            slots: Vec::new(),
        })
    }

    #[inline]
    pub(super) fn get(&self, i: usize) -> Option<&T> {
        match self.ids.get(i) {
            None | Some(&NONE) => None,
            Some(&k) => self.table.get(k as usize),
        }
    }

    pub(super) fn intern(&mut self, v: T) -> u32 {
        if let Some(s) = v.slot().filter(|&s| s < crate::arch::nbgraph::SLOTS) {
            if self.slots.is_empty() {
                self.slots = vec![NONE; crate::arch::nbgraph::SLOTS];
                for (k, t) in self.table.iter().enumerate() {
                    if let Some(s) = t.slot() {
                        self.slots[s] = k as u32;
                    }
                }
            }
            if self.slots[s] == NONE {
                self.slots[s] = self.table.len() as u32;
                self.table.push(v);
                if let Some(index) = &mut self.index {
                    if let Some(last) = self.table.last() {
                        index.insert(last.clone(), self.slots[s]);
                    }
                }
            }
            return self.slots[s];
        }
        let Some(a) = v.address() else {
            return self.intern_value(v);
        };
        if let Some(&k) = self.by_address.get(&a) {
            return k;
        }
        let k = self.intern_value(v.clone());
        self.by_address.insert(a, k);
        if self.table.get(k as usize).and_then(Shared::address) != Some(a) {
            // an equal value was there first: keep this one alive too, so
            // that its address stays its own
            self.kept.push(v);
        }
        k
    }

    fn intern_value(&mut self, v: T) -> u32 {
        let table = &self.table;
        let index = self.index.get_or_insert_with(|| {
            table
                .iter()
                .enumerate()
                .map(|(k, v)| (v.clone(), k as u32))
                .collect()
        });
        if let Some(&k) = index.get(&v) {
            return k;
        }
        let k = self.table.len() as u32;
        index.insert(v.clone(), k);
        self.table.push(v);
        k
    }

    /// Appends the value of trial `n` (the column's trials so far).
    pub(super) fn push(&mut self, n: usize, v: Option<T>) {
        match v {
            None if self.ids.is_empty() => {}
            None => self.ids.push(NONE),
            Some(v) => {
                let k = self.intern(v);
                self.ids.resize(n, NONE);
                self.ids.push(k);
            }
        }
    }

    /// Appends `other` (of `m` trials) after this column's `n`.
    pub(super) fn append(&mut self, n: usize, other: Interned<T>, m: usize) {
        if other.ids.is_empty() {
            if !self.ids.is_empty() {
                self.ids.resize(n + m, NONE);
            }
            return;
        }
        let map: Vec<u32> = other.table.into_iter().map(|v| self.intern(v)).collect();
        self.ids.resize(n, NONE);
        self.ids.extend(other.ids.iter().map(|&k| match k {
            NONE => NONE,
            k => map[k as usize],
        }));
    }
}
