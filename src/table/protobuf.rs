//! A minimal reader of the protocol buffer wire format: fields as
//! `(number, value)` pairs over a byte slice, without a schema.

use thiserror::Error;

/// A malformed protocol buffer; `offset` is a byte offset into the message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("protobuf byte {offset}: {what}")]
pub(crate) struct ProtoError {
    pub offset: usize,
    pub what: String,
}

/// One field value as it is on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    /// Wire type 0 (int32, int64, uint32, uint64, bool, enum, ...).
    Varint(u64),
    /// Wire type 1 (fixed64, sfixed64, double).
    Fixed64(u64),
    /// Wire type 2 (string, bytes, embedded message, packed repeated).
    Bytes(&'a [u8]),
    /// Wire type 5 (fixed32, sfixed32, float).
    Fixed32(u32),
}

impl Value<'_> {
    /// The wire type's name, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Varint(_) => "varint",
            Value::Fixed64(_) => "64-bit",
            Value::Bytes(_) => "length-delimited",
            Value::Fixed32(_) => "32-bit",
        }
    }
}

/// Iterates the fields of one message.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Offset of `buf` in the outermost message, for errors.
    base: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader {
            buf,
            pos: 0,
            base: 0,
        }
    }

    /// A reader of an embedded message that starts `base` bytes into the
    /// outermost one (offsets in errors are then absolute).
    pub fn nested(buf: &'a [u8], base: usize) -> Self {
        Reader { buf, pos: 0, base }
    }

    /// Where the next field starts, in the outermost message.
    #[cfg(test)]
    fn position(&self) -> usize {
        self.base + self.pos
    }

    fn err(&self, at: usize, what: String) -> ProtoError {
        ProtoError {
            offset: self.base + at,
            what,
        }
    }

    fn varint(&mut self) -> Result<u64, ProtoError> {
        let start = self.pos;
        let mut v: u64 = 0;
        for i in 0..10 {
            let Some(&b) = self.buf.get(self.pos) else {
                return Err(self.err(start, "truncated varint".into()));
            };
            self.pos += 1;
            if i == 9 && b > 1 {
                return Err(self.err(start, "varint longer than 64 bits".into()));
            }
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.err(start, "varint longer than 10 bytes".into()))
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], ProtoError> {
        let start = self.pos;
        let end = start
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| {
                self.err(
                    start,
                    format!(
                        "truncated {what}: needs {n} bytes, {} remain",
                        self.buf.len() - start
                    ),
                )
            })?;
        self.pos = end;
        Ok(&self.buf[start..end])
    }

    /// The next field, `None` at the end of the message. Returns the field
    /// number, the value and the value's offset (for errors).
    #[allow(clippy::type_complexity)]
    pub(crate) fn next_field(&mut self) -> Result<Option<(u32, Value<'a>, usize)>, ProtoError> {
        if self.pos >= self.buf.len() {
            return Ok(None);
        }
        let key_at = self.pos;
        let key = self.varint()?;
        let number = key >> 3;
        if number == 0 || number > u64::from(u32::MAX >> 3) {
            return Err(self.err(key_at, format!("invalid field number {number}")));
        }
        let number = number as u32;
        let at = self.base + self.pos;
        let value = match key & 7 {
            0 => Value::Varint(self.varint()?),
            1 => {
                let b = self.take(8, "64-bit field")?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                Value::Fixed64(u64::from_le_bytes(a))
            }
            2 => {
                let len_at = self.pos;
                let len = self.varint()?;
                let len = usize::try_from(len)
                    .map_err(|_| self.err(len_at, format!("length {len} is too large")))?;
                Value::Bytes(self.take(len, "length-delimited field")?)
            }
            5 => {
                let b = self.take(4, "32-bit field")?;
                Value::Fixed32(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            }
            w => {
                return Err(self.err(
                    key_at,
                    format!("field {number} has wire type {w}, which is not supported"),
                ))
            }
        };
        Ok(Some((number, value, at)))
    }
}

/// Appends `v` as a varint (for writers and tests).
#[cfg(test)]
pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Appends a field key.
#[cfg(test)]
pub(crate) fn put_key(out: &mut Vec<u8>, number: u32, wire_type: u8) {
    put_varint(out, (u64::from(number) << 3) | u64::from(wire_type & 7));
}

/// Appends a double field.
#[cfg(test)]
pub(crate) fn put_double(out: &mut Vec<u8>, number: u32, v: f64) {
    put_key(out, number, 1);
    out.extend_from_slice(&v.to_bits().to_le_bytes());
}

/// Appends a length-delimited field.
#[cfg(test)]
pub(crate) fn put_bytes(out: &mut Vec<u8>, number: u32, data: &[u8]) {
    put_key(out, number, 2);
    put_varint(out, data.len() as u64);
    out.extend_from_slice(data);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(b: &[u8]) -> Result<Vec<(u32, Value<'_>)>, ProtoError> {
        let mut r = Reader::new(b);
        let mut out = Vec::new();
        while let Some((n, v, _)) = r.next_field()? {
            out.push((n, v));
        }
        Ok(out)
    }

    #[test]
    fn known_encodings() {
        // The protobuf documentation's example: field 1 = 150.
        assert_eq!(
            fields(&[0x08, 0x96, 0x01]).unwrap(),
            vec![(1, Value::Varint(150))]
        );
        // Field 2 = "testing".
        let b = [0x12, 0x07, b't', b'e', b's', b't', b'i', b'n', b'g'];
        assert_eq!(fields(&b).unwrap(), vec![(2, Value::Bytes(b"testing"))]);
        // int32 -1 is ten bytes, sign-extended.
        let mut b = Vec::new();
        put_key(&mut b, 2, 0);
        put_varint(&mut b, -1i64 as u64);
        assert_eq!(b.len(), 11);
        assert_eq!(fields(&b).unwrap(), vec![(2, Value::Varint(u64::MAX))]);
        // A double and a fixed32.
        let mut b = Vec::new();
        put_double(&mut b, 3, 0.5);
        assert_eq!(b, [0x19, 0, 0, 0, 0, 0, 0, 0xe0, 0x3f]);
        b.extend_from_slice(&[0x25, 1, 0, 0, 0]);
        assert_eq!(
            fields(&b).unwrap(),
            vec![
                (3, Value::Fixed64(0.5f64.to_bits())),
                (4, Value::Fixed32(1))
            ]
        );
        let mut r = Reader::nested(&b, 100);
        assert_eq!(r.next_field().unwrap().map(|f| f.2), Some(101));
        assert_eq!(r.position(), 109);
    }

    #[test]
    fn malformed_input_is_an_error() {
        let mut good = Vec::new();
        put_double(&mut good, 1, 2.0);
        put_bytes(&mut good, 6, b"ckpt");
        put_key(&mut good, 2, 0);
        put_varint(&mut good, 300);
        for n in 1..good.len() {
            if [9, 15].contains(&n) {
                assert!(fields(&good[..n]).is_ok(), "{n}");
                continue;
            }
            let e = fields(&good[..n]).unwrap_err();
            assert!(e.what.contains("truncated"), "{n}: {e}");
        }
        assert!(fields(&[0x0b]).unwrap_err().what.contains("wire type 3"));
        assert!(fields(&[0x00, 0x00])
            .unwrap_err()
            .what
            .contains("field number 0"));
        let e = fields(&[
            0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
        ])
        .unwrap_err();
        assert!(e.what.contains("64 bits"), "{e}");
        let e = fields(&[0x12, 0xff, 0xff, 0xff, 0xff, 0x0f]).unwrap_err();
        assert!(e.what.contains("truncated"), "{e}");
    }
}
