//! A small reader for the subset of Python's pickle format (protocols 2–4)
//! that benchmark files use: plain values, containers, and numpy float64
//! scalars. Nothing is executed: the only globals accepted are
//! `numpy.core.multiarray.scalar` (also `numpy._core.multiarray.scalar`)
//! and `numpy.dtype`, and they are interpreted, not called. Any other
//! opcode or global, truncation, a bad memo reference or a malformed value
//! is a [`TableError::Corrupt`] naming the byte offset.

use std::collections::HashMap;

use super::TableError;

/// A decoded pickle value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    Tuple(Vec<Value>),
    List(Vec<Value>),
    /// Key/value pairs as written; a repeated key appears twice (Python
    /// keeps the last, as [`Value::get`] does).
    Dict(Vec<(Value, Value)>),
    /// An accepted global, not yet applied.
    Global(Global),
    /// A `numpy.dtype`; `byteorder` comes from its pickled state (`BUILD`).
    /// `id` tells dtype objects apart: `BUILD` changes the object in place,
    /// so earlier memo copies of it see the byte order too.
    Dtype {
        descr: String,
        byteorder: Option<String>,
        id: u32,
    },
    /// `BUILD` applied to something other than a dtype.
    Build {
        obj: Box<Value>,
        state: Box<Value>,
    },
}

/// The globals a pickle may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Global {
    /// `numpy.core.multiarray.scalar(dtype, raw_bytes)`.
    NumpyScalar,
    /// `numpy.dtype(descr, align, copy)`.
    NumpyDtype,
}

impl Value {
    /// A short name of the value's type, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::None => "None",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::Tuple(_) => "tuple",
            Value::List(_) => "list",
            Value::Dict(_) => "dict",
            Value::Global(_) => "global",
            Value::Dtype { .. } => "numpy dtype",
            Value::Build { .. } => "built object",
        }
    }

    /// The number, for ints and floats.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Float(f) => Some(f),
            Value::Int(i) => Some(i as f64),
            _ => None,
        }
    }

    pub(crate) fn as_int(&self) -> Option<i64> {
        match *self {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_dict(&self) -> Option<&[(Value, Value)]> {
        match self {
            Value::Dict(d) => Some(d),
            _ => None,
        }
    }

    /// The value stored under the string key `key` of a dict.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_dict()?
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }
}

/// Nesting deeper than this is refused (dropping deeply nested values
/// recurses).
pub(crate) const MAX_DEPTH: u32 = 100;

/// A value on the stack or in the memo, with its nesting depth and node
/// count (to bound what memo copies may allocate).
#[derive(Clone)]
struct Item {
    v: Value,
    depth: u32,
    size: u64,
}

impl Item {
    fn leaf(v: Value) -> Item {
        Item {
            v,
            depth: 1,
            size: 1,
        }
    }
}

enum Slot {
    Item(Item),
    Mark,
}

struct Parser<'a> {
    data: &'a [u8],
    pos: usize,
    path: &'a str,
    /// Offset of the opcode being executed.
    op_at: usize,
    stack: Vec<Slot>,
    memo: HashMap<u32, Item>,
    /// Nodes allocated by memo copies so far, and the cap on them.
    copied: u64,
    copy_cap: u64,
    /// Byte order of each dtype object, by id, once `BUILD` has set it.
    dtype_orders: Vec<Option<String>>,
}

/// Parses a whole pickle. Bytes after `STOP` are an error.
pub fn parse(data: &[u8], path: &str) -> Result<Value, TableError> {
    let mut p = Parser {
        data,
        pos: 0,
        path,
        op_at: 0,
        stack: Vec::new(),
        memo: HashMap::new(),
        copied: 0,
        copy_cap: 4 * data.len() as u64 + 1024,
        dtype_orders: Vec::new(),
    };
    let v = p.run()?;
    if p.pos != data.len() {
        return Err(p.corrupt_at(
            p.pos,
            format!("{} bytes after the STOP opcode", data.len() - p.pos),
        ));
    }
    Ok(v)
}

impl<'a> Parser<'a> {
    fn corrupt_at(&self, offset: usize, what: impl Into<String>) -> TableError {
        TableError::Corrupt {
            path: self.path.to_string(),
            offset,
            what: what.into(),
        }
    }

    fn corrupt(&self, what: impl Into<String>) -> TableError {
        self.corrupt_at(self.op_at, what)
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], TableError> {
        let remaining = self.data.len() - self.pos;
        if n > remaining {
            return Err(self.corrupt_at(
                self.pos,
                format!("truncated: {what} needs {n} bytes, {remaining} remain"),
            ));
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], TableError> {
        let s = self.take(N, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    fn u8(&mut self, what: &str) -> Result<u8, TableError> {
        Ok(self.array::<1>(what)?[0])
    }

    fn u32(&mut self, what: &str) -> Result<u32, TableError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    fn string(&mut self, n: usize, what: &str) -> Result<String, TableError> {
        let at = self.pos;
        let s = self.take(n, what)?;
        String::from_utf8(s.to_vec())
            .map_err(|e| self.corrupt_at(at, format!("{what} is not valid UTF-8: {e}")))
    }

    /// A `\n`-terminated line (for `GLOBAL`), without the newline.
    fn line(&mut self, what: &str) -> Result<String, TableError> {
        let rest = &self.data[self.pos..];
        let n = rest.iter().position(|&b| b == b'\n').ok_or_else(|| {
            self.corrupt_at(
                self.pos,
                format!("truncated: {what} has no terminating newline"),
            )
        })?;
        let s = self.string(n, what)?;
        self.pos += 1;
        Ok(s)
    }

    fn push(&mut self, item: Item) -> Result<(), TableError> {
        if item.depth > MAX_DEPTH {
            return Err(self.corrupt(format!("values nested deeper than {MAX_DEPTH}")));
        }
        self.stack.push(Slot::Item(item));
        Ok(())
    }

    fn push_leaf(&mut self, v: Value) -> Result<(), TableError> {
        self.push(Item::leaf(v))
    }

    fn pop(&mut self, what: &str) -> Result<Item, TableError> {
        match self.stack.pop() {
            Some(Slot::Item(it)) => Ok(it),
            Some(Slot::Mark) => {
                Err(self.corrupt(format!("{what}: found a MARK, expected a value")))
            }
            None => Err(self.corrupt(format!("{what}: the stack is empty"))),
        }
    }

    fn top(&self, what: &str) -> Result<&Item, TableError> {
        match self.stack.last() {
            Some(Slot::Item(it)) => Ok(it),
            Some(Slot::Mark) => {
                Err(self.corrupt(format!("{what}: found a MARK, expected a value")))
            }
            None => Err(self.corrupt(format!("{what}: the stack is empty"))),
        }
    }

    /// Pops everything above the topmost MARK, and the MARK.
    fn pop_mark(&mut self, what: &str) -> Result<Vec<Item>, TableError> {
        let Some(m) = self.stack.iter().rposition(|s| matches!(s, Slot::Mark)) else {
            return Err(self.corrupt(format!("{what}: no MARK on the stack")));
        };
        let items = self
            .stack
            .drain(m..)
            .skip(1)
            .filter_map(|s| match s {
                Slot::Item(it) => Some(it),
                Slot::Mark => None,
            })
            .collect();
        Ok(items)
    }

    fn container(items: Vec<Item>, make: impl FnOnce(Vec<Value>) -> Value) -> Item {
        let depth = 1 + items.iter().map(|i| i.depth).max().unwrap_or(0);
        let size = 1 + items.iter().map(|i| i.size).sum::<u64>();
        Item {
            v: make(items.into_iter().map(|i| i.v).collect()),
            depth,
            size,
        }
    }

    fn pop_n(&mut self, n: usize, what: &str) -> Result<Vec<Item>, TableError> {
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            items.push(self.pop(what)?);
        }
        items.reverse();
        Ok(items)
    }

    fn memo_put(&mut self, idx: u32) -> Result<(), TableError> {
        let it = self.top("memoize")?.clone();
        self.memo.insert(idx, it);
        Ok(())
    }

    fn memo_get(&mut self, idx: u32) -> Result<(), TableError> {
        let Some(it) = self.memo.get(&idx) else {
            return Err(self.corrupt(format!("memo index {idx} was never stored")));
        };
        if matches!(it.v, Value::Dict(_) | Value::List(_)) {
            // The memo holds a copy, which would miss later SETITEMS/APPENDS.
            return Err(self.corrupt(format!(
                "memo index {idx} refers to a mutable {} (shared containers are not supported)",
                it.v.kind()
            )));
        }
        self.copied += it.size;
        if self.copied > self.copy_cap {
            return Err(self.corrupt("memo references copy more values than the file can describe"));
        }
        let it = it.clone();
        self.push(it)
    }

    fn set_items(&mut self, pairs: Vec<Item>, what: &str) -> Result<(), TableError> {
        if !pairs.len().is_multiple_of(2) {
            return Err(self.corrupt(format!("{what}: odd number of keys and values")));
        }
        let Some(Slot::Item(dict)) = self.stack.last_mut() else {
            return Err(self.corrupt(format!("{what}: no dict below the items")));
        };
        let Value::Dict(entries) = &mut dict.v else {
            let kind = dict.v.kind();
            return Err(self.corrupt(format!("{what}: target is a {kind}, not a dict")));
        };
        let mut depth = dict.depth;
        let mut it = pairs.into_iter();
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            depth = depth.max(1 + k.depth.max(v.depth));
            dict.size += k.size + v.size;
            entries.push((k.v, v.v));
        }
        dict.depth = depth;
        if depth > MAX_DEPTH {
            return Err(self.corrupt(format!("values nested deeper than {MAX_DEPTH}")));
        }
        Ok(())
    }

    fn append(&mut self, items: Vec<Item>, what: &str) -> Result<(), TableError> {
        let Some(Slot::Item(list)) = self.stack.last_mut() else {
            return Err(self.corrupt(format!("{what}: no list below the items")));
        };
        let Value::List(values) = &mut list.v else {
            let kind = list.v.kind();
            return Err(self.corrupt(format!("{what}: target is a {kind}, not a list")));
        };
        for it in items {
            list.depth = list.depth.max(1 + it.depth);
            list.size += it.size;
            values.push(it.v);
        }
        if list.depth > MAX_DEPTH {
            return Err(self.corrupt(format!("values nested deeper than {MAX_DEPTH}")));
        }
        Ok(())
    }

    fn reduce(&mut self) -> Result<(), TableError> {
        let args = self.pop("REDUCE arguments")?;
        let callable = self.pop("REDUCE callable")?;
        let Value::Tuple(args) = args.v else {
            return Err(self.corrupt(format!(
                "REDUCE arguments are a {}, not a tuple",
                args.v.kind()
            )));
        };
        let v = match callable.v {
            Value::Global(Global::NumpyDtype) => match args.as_slice() {
                [Value::Str(descr), Value::Bool(_), Value::Bool(_)] => {
                    let id = u32::try_from(self.dtype_orders.len())
                        .map_err(|_| self.corrupt("too many numpy dtypes"))?;
                    self.dtype_orders.push(None);
                    Value::Dtype {
                        descr: descr.clone(),
                        byteorder: None,
                        id,
                    }
                }
                _ => return Err(self.corrupt("numpy.dtype expects (str, bool, bool)")),
            },
            Value::Global(Global::NumpyScalar) => self.scalar(&args)?,
            other => {
                return Err(self.corrupt(format!(
                    "REDUCE applies a {}: only numpy globals are accepted",
                    other.kind()
                )))
            }
        };
        self.push_leaf(v)
    }

    /// `numpy.core.multiarray.scalar(dtype, raw)`: float64 only.
    fn scalar(&self, args: &[Value]) -> Result<Value, TableError> {
        let [Value::Dtype {
            descr,
            byteorder,
            id,
        }, Value::Bytes(raw)] = args
        else {
            return Err(self.corrupt("numpy scalar expects (dtype, bytes)"));
        };
        if descr != "f8" {
            return Err(self.corrupt(format!(
                "numpy scalar of dtype {descr:?}: only float64 ('f8') is read"
            )));
        }
        let raw: [u8; 8] = raw.as_slice().try_into().map_err(|_| {
            self.corrupt(format!(
                "numpy float64 scalar has {} bytes, not 8",
                raw.len()
            ))
        })?;
        let byteorder = byteorder.as_deref().or_else(|| {
            self.dtype_orders
                .get(usize::try_from(*id).ok()?)?
                .as_deref()
        });
        match byteorder {
            Some("<") => Ok(Value::Float(f64::from_le_bytes(raw))),
            Some(">") => Ok(Value::Float(f64::from_be_bytes(raw))),
            Some(b) => Err(self.corrupt(format!(
                "numpy float64 scalar with byte order {b:?}: only '<' and '>' are read"
            ))),
            None => Err(self.corrupt("numpy dtype has no byte order (missing BUILD state)")),
        }
    }

    fn build(&mut self) -> Result<(), TableError> {
        let state = self.pop("BUILD state")?;
        let obj = self.pop("BUILD object")?;
        match obj.v {
            Value::Dtype { descr, id, .. } => {
                let Some(slot) = usize::try_from(id)
                    .ok()
                    .and_then(|i| self.dtype_orders.get(i))
                else {
                    return Err(self.corrupt("BUILD on an unknown numpy dtype"));
                };
                if slot.is_some() {
                    return Err(self.corrupt("numpy dtype state set twice"));
                }
                // numpy's dtype state: (version, byteorder, subarray, names,
                // fields, elsize, alignment, flags[, metadata]).
                let order = match &state.v {
                    Value::Tuple(t) if t.len() >= 2 => match (&t[0], &t[1]) {
                        (Value::Int(3 | 4), Value::Str(b)) => b.clone(),
                        _ => {
                            return Err(
                                self.corrupt("numpy dtype state is not (3 or 4, byteorder, ...)")
                            )
                        }
                    },
                    _ => return Err(self.corrupt("numpy dtype state is not a tuple")),
                };
                if let Some(slot) = usize::try_from(id)
                    .ok()
                    .and_then(|i| self.dtype_orders.get_mut(i))
                {
                    *slot = Some(order.clone());
                }
                self.push_leaf(Value::Dtype {
                    descr,
                    byteorder: Some(order),
                    id,
                })
            }
            v => {
                let depth = 1 + obj.depth.max(state.depth);
                let size = 1 + obj.size + state.size;
                self.push(Item {
                    v: Value::Build {
                        obj: Box::new(v),
                        state: Box::new(state.v),
                    },
                    depth,
                    size,
                })
            }
        }
    }

    /// Runs the opcodes up to STOP and returns what it pops.
    fn run(&mut self) -> Result<Value, TableError> {
        loop {
            self.op_at = self.pos;
            let op = self.u8("opcode")?;
            match op {
                // PROTO
                0x80 => {
                    let v = self.u8("PROTO version")?;
                    if v > 5 {
                        return Err(self.corrupt(format!("pickle protocol {v} is not supported")));
                    }
                }
                // FRAME: a hint only.
                0x95 => {
                    self.take(8, "FRAME length")?;
                }
                // STOP
                b'.' => {
                    let it = self.pop("STOP")?;
                    return Ok(it.v);
                }
                b'c' => self.global()?,
                b'R' => self.reduce()?,
                b'b' => self.build()?,
                b'(' | b't' | b')' | 0x85..=0x87 | b']' | b'a' | b'e' | b'}' | b's' | b'u' => {
                    self.container_op(op)?
                }
                b'q' | b'r' | 0x94 | b'h' | b'j' => self.memo_op(op)?,
                _ => {
                    let v = self.literal(op)?;
                    self.push_leaf(v)?;
                }
            }
        }
    }

    /// The value of an opcode that pushes a constant read from the stream
    /// (None, booleans, integers, floats, strings, bytes); any other
    /// opcode is not read.
    fn literal(&mut self, op: u8) -> Result<Value, TableError> {
        Ok(match op {
            b'N' => Value::None,
            0x88 => Value::Bool(true),
            0x89 => Value::Bool(false),
            // BININT, BININT1, BININT2
            b'J' => Value::Int(i64::from(i32::from_le_bytes(self.array("BININT")?))),
            b'K' => Value::Int(i64::from(self.u8("BININT1")?)),
            b'M' => Value::Int(i64::from(u16::from_le_bytes(self.array("BININT2")?))),
            0x8a => Value::Int(self.long1()?),
            // BINFLOAT: big-endian.
            b'G' => Value::Float(f64::from_be_bytes(self.array("BINFLOAT")?)),
            // BINUNICODE, SHORT_BINUNICODE
            b'X' => {
                let n = self.u32("BINUNICODE length")? as usize;
                Value::Str(self.string(n, "BINUNICODE")?)
            }
            0x8c => {
                let n = usize::from(self.u8("SHORT_BINUNICODE length")?);
                Value::Str(self.string(n, "SHORT_BINUNICODE")?)
            }
            // BINBYTES, SHORT_BINBYTES
            b'B' => {
                let n = self.u32("BINBYTES length")? as usize;
                Value::Bytes(self.take(n, "BINBYTES")?.to_vec())
            }
            b'C' => {
                let n = usize::from(self.u8("SHORT_BINBYTES length")?);
                Value::Bytes(self.take(n, "SHORT_BINBYTES")?.to_vec())
            }
            _ => {
                return Err(self.corrupt(format!(
                    "unsupported pickle opcode 0x{op:02x} ({:?})",
                    char::from(op)
                )))
            }
        })
    }

    /// LONG1: little-endian two's complement of n bytes.
    fn long1(&mut self) -> Result<i64, TableError> {
        let n = usize::from(self.u8("LONG1 length")?);
        let bytes = self.take(n, "LONG1")?;
        if n > 8 {
            return Err(self.corrupt(format!("LONG1 of {n} bytes does not fit 64 bits")));
        }
        let mut buf = if bytes.last().is_some_and(|&b| b & 0x80 != 0) {
            [0xffu8; 8]
        } else {
            [0u8; 8]
        };
        buf[..n].copy_from_slice(bytes);
        Ok(i64::from_le_bytes(buf))
    }

    /// GLOBAL: only the two numpy callables a float scalar needs.
    fn global(&mut self) -> Result<(), TableError> {
        let module = self.line("GLOBAL module")?;
        let name = self.line("GLOBAL name")?;
        let g = match (module.as_str(), name.as_str()) {
            ("numpy.core.multiarray" | "numpy._core.multiarray", "scalar") => Global::NumpyScalar,
            ("numpy", "dtype") => Global::NumpyDtype,
            _ => {
                return Err(self.corrupt(format!(
                    "unexpected global {module}.{name}: only numpy float scalars are read"
                )))
            }
        };
        self.push_leaf(Value::Global(g))
    }

    /// MARK and the opcodes that make and fill tuples, lists and dicts.
    fn container_op(&mut self, op: u8) -> Result<(), TableError> {
        match op {
            // MARK
            b'(' => {
                self.stack.push(Slot::Mark);
                Ok(())
            }
            // TUPLE, EMPTY_TUPLE, TUPLE1/2/3
            b't' => {
                let items = self.pop_mark("TUPLE")?;
                self.push(Self::container(items, Value::Tuple))
            }
            b')' => self.push_leaf(Value::Tuple(Vec::new())),
            0x85..=0x87 => {
                let n = usize::from(op - 0x84);
                let items = self.pop_n(n, "TUPLE1/2/3")?;
                self.push(Self::container(items, Value::Tuple))
            }
            // EMPTY_LIST, APPEND, APPENDS
            b']' => self.push_leaf(Value::List(Vec::new())),
            b'a' => {
                let it = self.pop("APPEND")?;
                self.append(vec![it], "APPEND")
            }
            b'e' => {
                let items = self.pop_mark("APPENDS")?;
                self.append(items, "APPENDS")
            }
            // EMPTY_DICT, SETITEM, SETITEMS
            b'}' => self.push_leaf(Value::Dict(Vec::new())),
            b's' => {
                let items = self.pop_n(2, "SETITEM")?;
                self.set_items(items, "SETITEM")
            }
            _ => {
                let items = self.pop_mark("SETITEMS")?;
                self.set_items(items, "SETITEMS")
            }
        }
    }

    /// BINPUT, LONG_BINPUT, MEMOIZE (store the top of the stack) and
    /// BINGET, LONG_BINGET (push a stored item again).
    fn memo_op(&mut self, op: u8) -> Result<(), TableError> {
        match op {
            b'q' => {
                let i = self.u8("BINPUT index")?;
                self.memo_put(u32::from(i))
            }
            b'r' => {
                let i = self.u32("LONG_BINPUT index")?;
                self.memo_put(i)
            }
            0x94 => {
                let i = u32::try_from(self.memo.len()).map_err(|_| self.corrupt("memo is full"))?;
                self.memo_put(i)
            }
            b'h' => {
                let i = self.u8("BINGET index")?;
                self.memo_get(u32::from(i))
            }
            _ => {
                let i = self.u32("LONG_BINGET index")?;
                self.memo_get(i)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(data: &[u8]) -> Result<Value, TableError> {
        parse(data, "t.pkl")
    }

    /// `pickle.dumps({1: {"a": numpy.float64(0.5)}, "k": (1, -2, 300, 70000, 2**40, None, True)}, protocol=3)`,
    /// written by hand with the same opcodes Python emits.
    fn sample() -> Vec<u8> {
        let mut d = vec![
            0x80, 3, b'}', b'q', 0, b'(', b'K', 1, b'}', b'q', 1, b'X', 1, 0, 0, 0, b'a',
        ];
        d.extend_from_slice(b"q\x02cnumpy.core.multiarray\nscalar\nq\x03cnumpy\ndtype\nq\x04");
        d.extend_from_slice(b"X\x02\x00\x00\x00f8q\x05\x89\x88\x87q\x06Rq\x07");
        d.extend_from_slice(
            b"(K\x03X\x01\x00\x00\x00<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb",
        );
        d.extend_from_slice(b"C\x08");
        d.extend_from_slice(&0.5f64.to_le_bytes());
        d.extend_from_slice(b"\x86Rs");
        d.extend_from_slice(b"\x8c\x01k(K\x01J\xfe\xff\xff\xffM\x2c\x01J\x70\x11\x01\x00");
        d.extend_from_slice(b"\x8a\x06\x00\x00\x00\x00\x00\x01N\x88tu.");
        d
    }

    #[test]
    fn parses_sample() {
        let v = p(&sample()).unwrap();
        let d = v.as_dict().unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].0, Value::Int(1));
        assert_eq!(d[0].1.get("a"), Some(&Value::Float(0.5)));
        assert_eq!(
            v.get("k"),
            Some(&Value::Tuple(vec![
                Value::Int(1),
                Value::Int(-2),
                Value::Int(300),
                Value::Int(70000),
                Value::Int(1 << 40),
                Value::None,
                Value::Bool(true),
            ]))
        );
    }

    #[test]
    fn every_truncation_is_an_error() {
        let d = sample();
        for n in 0..d.len() {
            match p(&d[..n]) {
                Err(TableError::Corrupt { offset, .. }) => assert!(offset <= n),
                other => panic!("prefix {n}: {other:?}"),
            }
        }
    }

    #[test]
    fn byte_flips_never_panic() {
        let d = sample();
        for i in 0..d.len() {
            for x in [0x01u8, 0x80, 0xff] {
                let mut e = d.clone();
                e[i] ^= x;
                let _ = p(&e);
            }
        }
    }

    #[test]
    fn rejects_what_it_does_not_read() {
        let msg = |d: &[u8]| p(d).unwrap_err().to_string();
        assert!(msg(b"\x80\x03cos\nsystem\n.").contains("unexpected global os.system"));
        assert!(msg(b"\x80\x03h\x05.").contains("memo index 5"));
        assert!(msg(b"\x80\x03\xff.").contains("byte 2: unsupported pickle opcode 0xff"));
        assert!(msg(b"\x80\x03X\xff\xff\xff\xff").contains("truncated"));
        assert!(msg(b"\x80\x03N.N").contains("after the STOP"));
        assert!(msg(b"\x80\x03}q\x00h\x00.").contains("mutable dict"));
        assert!(msg(b"\x80\x03t.").contains("no MARK"));
        assert!(msg(b"\x80\x03NNu.").contains("no MARK"));
        let deep: Vec<u8> = [&b"\x80\x03N"[..], &[0x85; 200], b"."].concat();
        assert!(msg(&deep).contains("nested deeper"));
        let dt = b"\x80\x03cnumpy.core.multiarray\nscalar\ncnumpy\ndtype\nX\x02\x00\x00\x00i8\x89\x88\x87R(K\x03X\x01\x00\x00\x00<tbC\x08\x00\x00\x00\x00\x00\x00\x00\x00\x86R.";
        assert!(msg(dt).contains("only float64"));
        let at = |pat: &[u8]| dt.windows(pat.len()).position(|w| w == pat).unwrap();
        let (i8_at, lt_at) = (at(b"i8"), at(b"<"));
        let mut be = dt.to_vec();
        be[i8_at..i8_at + 2].copy_from_slice(b"f8");
        be[lt_at] = b'>';
        assert_eq!(p(&be).unwrap(), Value::Float(0.0));
    }

    #[test]
    fn memo_copies_are_bounded() {
        // A 50-element tuple memoized once and fetched 10,000 times.
        let mut d = b"\x80\x03(".to_vec();
        d.extend(std::iter::repeat_n(b'N', 50));
        d.extend_from_slice(b"tq\x00(");
        for _ in 0..10_000 {
            d.extend_from_slice(b"h\x00");
        }
        d.extend_from_slice(b"t.");
        assert!(p(&d).unwrap_err().to_string().contains("memo references"));
    }
}
