//! Decoding NAS-Bench-101's records as the TFRecord file holds them: the
//! base64 of each evaluation's protobuf, its metrics, the cell's adjacency
//! and ops, and the check of the cell against its recorded hash.

use super::*;

/// Decodes one 144-byte `.nb101` record; errors carry an offset into it.
pub(super) fn decode_record(
    r: &[u8],
    matrix: &mut Vec<Vec<i64>>,
) -> Result<(Record, ModuleHash), (usize, String)> {
    if r.len() != RECORD_LEN {
        return Err((0, format!("{} bytes, not {RECORD_LEN}", r.len())));
    }
    let mut h = [0u8; 16];
    h.copy_from_slice(&r[..16]);
    let hash = ModuleHash(h);
    let n = usize::from(r[16]);
    if !(2..=MAX_VERTICES).contains(&n) {
        return Err((16, format!("{hash}: {n} vertices, not 2..=7")));
    }
    let rows = &r[17..24];
    let ops = &r[24..31];
    matrix.resize_with(n.max(matrix.len()), Vec::new);
    let mut names = [""; MAX_VERTICES];
    for i in 0..MAX_VERTICES {
        let (row, op) = (rows[i], ops[i]);
        if i >= n {
            if row != 0 || op != 0 {
                return Err((17 + i, format!("{hash}: unused vertex {i} is not zero")));
            }
            continue;
        }
        if row >> n != 0 {
            return Err((17 + i, format!("{hash}: row {i} has edges past vertex {n}")));
        }
        if let Some(m) = matrix.get_mut(i) {
            m.clear();
            m.extend((0..n).map(|j| i64::from((row >> j) & 1)));
        }
        let Some(o) = OP_BY_CODE.get(usize::from(op)) else {
            return Err((24 + i, format!("{hash}: op code {op} at vertex {i}")));
        };
        names[i] = o.name();
    }
    let m = matrix.get(..n).unwrap_or(&[]);
    let cell = Cell::new(m, &names[..n]).map_err(|e| (17, format!("{hash}: {e}")))?;
    let repeats = r[31];
    if !(1..=MAX_REPEATS as u8).contains(&repeats) {
        return Err((31, format!("{hash}: {repeats} repeats, not 1..=3")));
    }
    let params = u32::from_le_bytes([r[32], r[33], r[34], r[35]]);
    let mut rec = Record {
        cell,
        repeats,
        params,
        fin: [[0.0; 3]; MAX_REPEATS],
        half: [[0.0; 3]; MAX_REPEATS],
    };
    for k in 0..MAX_REPEATS {
        for m in 0..3 {
            let at = 36 + (k * 3 + m) * 8;
            let mut a = [0u8; 8];
            a.copy_from_slice(&r[at..at + 8]);
            let v = f64::from_le_bytes(a);
            rec.fin[k][m] = v;
            let at_h = 108 + (k * 3 + m) * 4;
            let vh = f32::from_le_bytes([r[at_h], r[at_h + 1], r[at_h + 2], r[at_h + 3]]);
            rec.half[k][m] = vh;
            if k >= usize::from(repeats) {
                if v.to_bits() != 0 {
                    return Err((at, format!("{hash}: unused repeat {k} is not zero")));
                }
                if vh.to_bits() != 0 {
                    return Err((at_h, format!("{hash}: unused repeat {k} is not zero")));
                }
                continue;
            }
            let names = ["val_acc", "test_acc", "train_time_s"];
            let ok = |x: f64| if m == 2 { time_ok(x) } else { acc_ok(x) };
            if !ok(v) {
                return Err((at, format!("{hash}: repeat {k} {} is {v}", names[m])));
            }
            if !ok(f64::from(vh)) {
                return Err((
                    at_h,
                    format!("{hash}: repeat {k} halfway {} is {vh}", names[m]),
                ));
            }
        }
    }
    Ok((rec, hash))
}

/// Buffers reused from record to record.
#[derive(Default)]
pub(super) struct Scratch {
    pub(super) matrix: Vec<Vec<i64>>,
    pub(super) proto: Vec<u8>,
}

/// One training run read from a record.
pub(super) struct Run {
    pub(super) hash: ModuleHash,
    pub(super) cell: Cell,
    pub(super) params: u32,
    pub(super) fin: [f64; 3],
    pub(super) half: [f32; 3],
}

pub(super) enum Parsed {
    Run(Run),
    Skipped,
}

pub(super) fn verify_hash(run: &Run) -> Result<(), String> {
    let ours = run
        .cell
        .hash()
        .map_err(|e| format!("the cell is invalid: {e}"))?;
    if ours != run.hash {
        return Err(format!(
            "the record says {}, its cell hashes to {ours}",
            run.hash
        ));
    }
    Ok(())
}

/// Parses and checks one record (all but the hash, see [`verify_hash`]).
pub(super) fn parse_record(
    data: &[u8],
    want_epochs: u32,
    s: &mut Scratch,
) -> Result<Parsed, String> {
    let (hash, epochs, adjacency, ops, metrics): (&str, i64, &str, &str, &str) =
        serde_json::from_slice(data).map_err(|e| {
            format!("not a JSON list [module_hash, epochs, adjacency, ops, metrics]: {e}")
        })?;
    if !EPOCH_BUDGETS.iter().any(|&b| i64::from(b) == epochs) {
        return Err(format!("epochs {epochs} is not one of 4, 12, 36, 108"));
    }
    if epochs != i64::from(want_epochs) {
        return Ok(Parsed::Skipped);
    }
    let hash: ModuleHash = hash.parse().map_err(|e| format!("module hash: {e}"))?;
    let cell = parse_cell(adjacency, ops, &mut s.matrix)?;
    decode_base64(metrics.as_bytes(), &mut s.proto).map_err(|e| format!("metrics: {e}"))?;
    let m = decode_metrics(&s.proto).map_err(|e| format!("{hash}: ModelMetrics {e}"))?;
    Ok(Parsed::Run(Run {
        hash,
        cell,
        params: m.params,
        fin: m.fin,
        half: m.half,
    }))
}

pub(super) fn parse_cell(
    adjacency: &str,
    ops: &str,
    matrix: &mut Vec<Vec<i64>>,
) -> Result<Cell, String> {
    let len = adjacency.len();
    let n = (1..=MAX_VERTICES).find(|n| n * n == len).ok_or_else(|| {
        format!("adjacency has {len} characters: not the square of a vertex count 1..=7")
    })?;
    matrix.resize_with(n.max(matrix.len()), Vec::new);
    for (i, row) in matrix.iter_mut().take(n).enumerate() {
        row.clear();
        for (j, c) in adjacency.bytes().skip(i * n).take(n).enumerate() {
            row.push(match c {
                b'0' => 0,
                b'1' => 1,
                _ => {
                    return Err(format!(
                        "adjacency character {} is {:?}, not 0 or 1",
                        i * n + j,
                        char::from(c)
                    ))
                }
            });
        }
    }
    let mut names = [""; MAX_VERTICES];
    let mut k = 0;
    for op in ops.split(',') {
        let Some(slot) = names.get_mut(k) else {
            return Err(format!(
                "ops {ops:?} name more than {MAX_VERTICES} vertices"
            ));
        };
        *slot = op;
        k += 1;
    }
    let m = matrix.get(..n).unwrap_or(&[]);
    Cell::new(m, &names[..k]).map_err(|e| format!("cell: {e}"))
}

/// Decoded `ModelMetrics`: final and halfway (val, test, time), params.
#[derive(Debug)]
pub(super) struct DecodedMetrics {
    pub(super) params: u32,
    pub(super) fin: [f64; 3],
    pub(super) half: [f32; 3],
}

#[derive(Default, Clone, Copy)]
pub(super) struct Evaluation {
    pub(super) time: Option<f64>,
    pub(super) val: Option<f64>,
    pub(super) test: Option<f64>,
}

pub(super) fn proto_msg(e: ProtoError) -> String {
    e.to_string()
}

pub(super) fn decode_evaluation(buf: &[u8], base: usize) -> Result<Evaluation, String> {
    let mut r = protobuf::Reader::nested(buf, base);
    let mut e = Evaluation::default();
    while let Some((num, v, at)) = r.next_field().map_err(proto_msg)? {
        let slot = match num {
            2 => &mut e.time,
            4 => &mut e.val,
            5 => &mut e.test,
            _ => continue,
        };
        let protobuf::Value::Fixed64(bits) = v else {
            return Err(format!(
                "byte {at}: evaluation field {num} is {}, not a double",
                v.kind()
            ));
        };
        *slot = Some(f64::from_bits(bits));
    }
    Ok(e)
}

pub(super) fn decode_metrics(buf: &[u8]) -> Result<DecodedMetrics, String> {
    let mut r = protobuf::Reader::new(buf);
    let mut count = 0usize;
    let mut half = None;
    let mut last = None;
    let mut params = None;
    while let Some((num, v, at)) = r.next_field().map_err(proto_msg)? {
        match (num, v) {
            (1, protobuf::Value::Bytes(b)) => {
                let e = decode_evaluation(b, at)?;
                if count == 1 {
                    half = Some(e);
                }
                last = Some(e);
                count += 1;
            }
            (2, protobuf::Value::Varint(x)) => params = Some(x as i64),
            (1 | 2, v) => {
                return Err(format!(
                    "byte {at}: field {num} is {}, expected {}",
                    v.kind(),
                    if num == 1 { "a message" } else { "a varint" }
                ))
            }
            _ => {}
        }
    }
    let (Some(half), Some(last), true) = (half, last, count >= 3) else {
        return Err(format!(
            "has {count} evaluations; NAS-Bench-101 records have 3 (start, halfway, end)"
        ));
    };
    let params = match params {
        None => return Err("has no trainable_parameters".into()),
        Some(p) => u32::try_from(p)
            .ok()
            .filter(|&p| p <= i32::MAX as u32)
            .ok_or_else(|| format!("trainable_parameters {p} is negative"))?,
    };
    let get = |e: &Evaluation, which: &str| -> Result<[f64; 3], String> {
        let (Some(val), Some(test), Some(time)) = (e.val, e.test, e.time) else {
            return Err(format!(
                "{which} evaluation lacks validation_accuracy, test_accuracy or training_time"
            ));
        };
        if !acc_ok(val) {
            return Err(format!(
                "{which} validation_accuracy {val} is not a fraction in [0, 1]"
            ));
        }
        if !acc_ok(test) {
            return Err(format!(
                "{which} test_accuracy {test} is not a fraction in [0, 1]"
            ));
        }
        if !time_ok(time) {
            return Err(format!(
                "{which} training_time {time} is not a finite time >= 0"
            ));
        }
        Ok([val, test, time])
    };
    let fin = get(&last, "final")?;
    let h = get(&half, "halfway")?;
    if !(h[2] as f32).is_finite() {
        return Err(format!(
            "halfway training_time {} does not fit in single precision",
            h[2]
        ));
    }
    Ok(DecodedMetrics {
        params,
        fin,
        half: [h[0] as f32, h[1] as f32, h[2] as f32],
    })
}

/// Standard base64 (RFC 4648, `+/`, `=` padding optional) into `out`.
pub(crate) fn decode_base64(input: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    const INVALID: u8 = 0xff;
    const TABLE: [u8; 256] = {
        let mut t = [INVALID; 256];
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut i = 0;
        while i < 64 {
            t[alphabet[i] as usize] = i as u8;
            i += 1;
        }
        t
    };
    out.clear();
    let body = match input {
        [rest @ .., b'=', b'='] => rest,
        [rest @ .., b'='] => rest,
        _ => input,
    };
    if input.len() != body.len() && !input.len().is_multiple_of(4) {
        return Err(format!(
            "base64 of {} characters: padded input must be a multiple of 4",
            input.len()
        ));
    }
    if body.len() % 4 == 1 {
        return Err(format!(
            "base64 of {} characters: a final group of 1 character",
            body.len()
        ));
    }
    out.reserve(body.len() / 4 * 3 + 2);
    let mut chunks = body.chunks_exact(4);
    let sextet = |c: u8, at: usize| -> Result<u32, String> {
        match TABLE[usize::from(c)] {
            INVALID => Err(format!(
                "base64 character {at} is {:?}, not in the alphabet",
                char::from(c)
            )),
            v => Ok(u32::from(v)),
        }
    };
    let mut at = 0;
    for c in &mut chunks {
        let v = sextet(c[0], at)? << 18
            | sextet(c[1], at + 1)? << 12
            | sextet(c[2], at + 2)? << 6
            | sextet(c[3], at + 3)?;
        out.extend_from_slice(&[(v >> 16) as u8, (v >> 8) as u8, v as u8]);
        at += 4;
    }
    let rest = chunks.remainder();
    let mut v = 0u32;
    for (k, &c) in rest.iter().enumerate() {
        v |= sextet(c, at + k)? << (18 - 6 * k);
    }
    match rest.len() {
        2 => {
            if v & 0xffff != 0 {
                return Err("base64: non-zero bits in the padding".into());
            }
            out.push((v >> 16) as u8);
        }
        3 => {
            if v & 0xff != 0 {
                return Err("base64: non-zero bits in the padding".into());
            }
            out.extend_from_slice(&[(v >> 16) as u8, (v >> 8) as u8]);
        }
        _ => {}
    }
    Ok(())
}
