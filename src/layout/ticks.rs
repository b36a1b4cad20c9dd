//! "Nice" axis ticks (steps of 1, 2 or 5 times a power of ten), tick label
//! formatting and a linear scale.

/// Ticks for an axis: evenly spaced `values` from `lo` to `hi` (both
/// multiples of `step`), covering the requested range.
#[derive(Clone, Debug, PartialEq)]
pub struct Ticks {
    /// Tick positions, ascending, `lo` first and `hi` last.
    pub values: Vec<f64>,
    /// Distance between ticks: 1, 2 or 5 times a power of ten.
    pub step: f64,
    /// First tick, at or below the range's minimum.
    pub lo: f64,
    /// Last tick, at or above the range's maximum.
    pub hi: f64,
    /// Decimal places that show every tick exactly.
    pub decimals: usize,
}

impl Ticks {
    /// The ticks that fall inside `[min, max]` (in either order).
    pub fn within(&self, min: f64, max: f64) -> Vec<f64> {
        let (a, b) = if min <= max { (min, max) } else { (max, min) };
        let eps = self.step * 1e-9;
        self.values
            .iter()
            .copied()
            .filter(|&v| v >= a - eps && v <= b + eps)
            .collect()
    }

    /// Labels for all ticks in `style`, at the step's precision.
    pub fn labels(&self, style: TickStyle) -> Vec<String> {
        self.values
            .iter()
            .map(|&v| format_tick(v, self.step, style))
            .collect()
    }
}

/// How tick values are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TickStyle {
    /// Plain numbers with thousands separators: `12,500`, `0.25`.
    #[default]
    Plain,
    /// Fractions as percentages: `0.925` -> `92.5%`.
    Percent,
}

/// Largest magnitude handled; larger inputs are clamped to it.
const LIMIT: f64 = 1e300;
/// Ranges narrower than this (absolute) count as a single value.
const TINY: f64 = 1e-200;
/// Most ticks ever produced.
const MAX_TICKS: usize = 10_000;

/// Ticks covering `[min, max]` with about `target_count` intervals.
///
/// The bounds may come in either order. A single value (`min == max`) gets
/// a range around it; NaN or infinite bounds are replaced by the other
/// bound, or by `[0, 1]` when both are unusable. Never panics.
pub fn nice_ticks(min: f64, max: f64, target_count: usize) -> Ticks {
    let (a, b) = match (min.is_finite(), max.is_finite()) {
        (true, true) => (min, max),
        (true, false) => (min, min),
        (false, true) => (max, max),
        (false, false) => (0.0, 1.0),
    };
    let (mut a, mut b) = if a <= b { (a, b) } else { (b, a) };
    a = a.clamp(-LIMIT, LIMIT);
    b = b.clamp(-LIMIT, LIMIT);
    let magnitude = a.abs().max(b.abs());
    if b - a <= TINY || b - a <= magnitude * 1e-12 {
        let c = a * 0.5 + b * 0.5;
        let pad = if c.abs() > TINY { c.abs() * 0.1 } else { 1.0 };
        a = c - pad;
        b = c + pad;
    }
    let target = target_count.clamp(1, 1000);
    let (step, exp) = nice_step((b - a) / target as f64);
    // Ticks are `k * step` for integer k; `k` as f64 stays exact here
    // because the number of ticks is bounded.
    let k0 = snap(a / step).unwrap_or_else(|| (a / step).floor());
    let k1 = snap(b / step).unwrap_or_else(|| (b / step).ceil());
    let count = ((k1 - k0).max(0.0) as usize + 1).min(MAX_TICKS);
    let values: Vec<f64> = (0..count)
        .map(|i| tick_value(k0 + i as f64, step, exp))
        .collect();
    let lo = values.first().copied().unwrap_or(a);
    let hi = values.last().copied().unwrap_or(b);
    Ticks {
        values,
        step,
        lo,
        hi,
        decimals: decimals_for_exp(exp),
    }
}

/// The 1-2-5 step nearest to `raw` (rounded to the geometric midpoints),
/// with the power of ten of its leading digit.
fn nice_step(raw: f64) -> (f64, i32) {
    let raw = if raw.is_finite() && raw > 0.0 {
        raw
    } else {
        1.0
    };
    let mut exp = raw.log10().floor() as i32;
    let mag = pow10(exp);
    let norm = raw / mag;
    let mult = if norm >= 50f64.sqrt() {
        exp += 1;
        1.0
    } else if norm >= 10f64.sqrt() {
        5.0
    } else if norm >= 2f64.sqrt() {
        2.0
    } else {
        1.0
    };
    (mult * pow10(exp), exp)
}

/// `x` rounded to the nearest integer when it is within rounding error of
/// it.
fn snap(x: f64) -> Option<f64> {
    let r = x.round();
    ((x - r).abs() <= 1e-9 * r.abs().max(1.0)).then_some(r)
}

fn pow10(exp: i32) -> f64 {
    10f64.powi(exp)
}

/// `k * step`, computed so that e.g. `3 * 0.1` gives exactly `0.3`.
fn tick_value(k: f64, step: f64, exp: i32) -> f64 {
    if exp < 0 {
        let scale = pow10(-exp);
        let v = (k * (step * scale).round()) / scale;
        if v.is_finite() {
            return v;
        }
    }
    k * step
}

fn decimals_for_exp(exp: i32) -> usize {
    if exp < 0 {
        exp.unsigned_abs() as usize
    } else {
        0
    }
}

/// Decimal places that show multiples of `step` exactly (0 for steps of
/// 1 and above, or for a non-finite or non-positive step).
pub(crate) fn step_decimals(step: f64) -> usize {
    if !(step.is_finite() && step > 0.0) {
        return 0;
    }
    // Tolerate a step like 0.30000000000000004.
    let exp = (step.log10() + 1e-9).floor() as i32;
    let mut d = decimals_for_exp(exp);
    while d < 20 {
        let scaled = step * pow10(d as i32);
        if (scaled - scaled.round()).abs() <= 1e-6 * scaled.abs().max(1.0) {
            break;
        }
        d += 1;
    }
    d
}

/// A tick label for `value` on an axis with ticks `step` apart.
///
/// `Plain`: `1,250`, `0.25`; `Percent` (value is a fraction): `0.9` with a
/// step of `0.1` -> `90%`, `0.925` with a step of `0.005` -> `92.5%`.
pub fn format_tick(value: f64, step: f64, style: TickStyle) -> String {
    match style {
        TickStyle::Plain => format_number(value, step_decimals(step)),
        TickStyle::Percent => format_percent(value, step_decimals(step * 100.0)),
    }
}

/// `fraction` as a percentage with `decimals` places: `0.925, 1` -> `92.5%`.
pub fn format_percent(fraction: f64, decimals: usize) -> String {
    if !fraction.is_finite() {
        return format_number(fraction, decimals);
    }
    let mut s = format_number(fraction * 100.0, decimals);
    s.push('%');
    s
}

/// `value` with `decimals` places and `,` between thousands: `1234567.5, 1`
/// -> `1,234,567.5`. Magnitudes of 1e15 and above, and values that would
/// need more than 12 places, use scientific notation; NaN and infinities
/// read `NaN`, `inf`, `-inf`.
pub(crate) fn format_number(value: f64, decimals: usize) -> String {
    if value.is_nan() {
        return "NaN".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    let abs = value.abs();
    if abs >= 1e15 || decimals > 12 {
        let lead = if abs > 0.0 {
            abs.log10().floor() as i64
        } else {
            0
        };
        // Keep the digits the requested precision asks for, up to 15.
        let digits = (lead + decimals as i64).clamp(0, 15) as usize;
        let text = format!("{value:.digits$e}");
        return match text.split_once('e') {
            Some((m, e)) if m.contains('.') => {
                format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.'))
            }
            _ => text,
        };
    }
    let text = format!("{abs:.decimals$}");
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut out = String::with_capacity(text.len() + text.len() / 3 + 1);
    let is_zero = text.bytes().all(|c| c == b'0' || c == b'.');
    if value < 0.0 && !is_zero {
        out.push('-');
    }
    let len = int_part.len();
    for (i, c) in int_part.chars().enumerate() {
        if i > 0 && (len - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac_part {
        out.push('.');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_range() {
        let t = nice_ticks(0.0, 1.0, 5);
        assert_eq!(t.step, 0.2);
        assert_eq!(t.values, vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(t.decimals, 1);
    }

    #[test]
    fn values_are_exact_decimals() {
        let t = nice_ticks(0.0, 1.0, 10);
        assert_eq!(t.values[3], 0.3);
        assert_eq!(t.values[7], 0.7);
    }

    #[test]
    fn decimals_of_steps() {
        assert_eq!(step_decimals(0.005), 3);
        assert_eq!(step_decimals(0.25), 2);
        assert_eq!(step_decimals(10.0), 0);
        assert_eq!(step_decimals(0.1 + 0.2), 1);
        assert_eq!(step_decimals(f64::NAN), 0);
    }

    #[test]
    fn numbers() {
        assert_eq!(format_number(1234567.0, 0), "1,234,567");
        assert_eq!(format_number(-1234.5, 1), "-1,234.5");
        assert_eq!(format_number(-0.0001, 2), "0.00");
        assert_eq!(format_number(999.0, 0), "999");
        assert_eq!(format_number(0.25, 2), "0.25");
        assert_eq!(format_number(f64::NAN, 2), "NaN");
        assert_eq!(format_number(2e20, 0), "2e20");
        assert_eq!(format_number(1.25e20, 0), "1.25e20");
        assert_eq!(format_number(1.5e-14, 15), "1.5e-14");
    }
}
