//! Number and duration formatting shared by the command line, the info
//! reports and every view (GPU-free; the tick labels' rules live in
//! `layout::ticks`, which this module builds on).

/// `12345` -> `12,345`.
pub fn fmt_int(n: usize) -> String {
    crate::layout::format_number(n as f64, 0)
}

/// `0.93456` -> `93.46%` (`–` when not a number).
pub fn fmt_pct(x: f64) -> String {
    if x.is_finite() {
        crate::layout::format_percent(x, 2)
    } else {
        "–".into()
    }
}

/// `0.0123` -> `+1.23 pp` (percentage points).
pub fn fmt_pp(d: f64) -> String {
    if !d.is_finite() {
        return "–".into();
    }
    let v = d * 100.0;
    if v.abs() < 0.005 {
        "±0.00 pp".into()
    } else {
        format!("{:+.2} pp", v)
    }
}

/// `93784.0` -> `1d 2h 3m`.
pub(crate) fn fmt_duration(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return "?".into();
    }
    let s = secs.round() as u64;
    let (d, h, m, sec) = (s / 86400, s / 3600 % 24, s / 60 % 60, s % 60);
    if d > 0 {
        format!("{d}d {h}h {m}m")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m {sec}s")
    } else {
        format!("{sec}s")
    }
}

/// A playback speed in steps per second: `0.5`, `10`, `1,000`.
pub(crate) fn fmt_speed(s: f64) -> String {
    if s < 1.0 {
        format!("{s}")
    } else {
        crate::layout::format_number(s, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(fmt_int(1234567), "1,234,567");
        assert_eq!(fmt_pct(0.5), "50.00%");
        assert_eq!(fmt_pct(f64::NAN), "–");
        assert_eq!(fmt_pp(0.0123), "+1.23 pp");
        assert_eq!(fmt_pp(-0.005), "-0.50 pp");
        assert_eq!(fmt_pp(0.0), "±0.00 pp");
        assert_eq!(fmt_pp(f64::NAN), "–");
        assert_eq!(fmt_duration(93784.0), "1d 2h 3m");
        assert_eq!(fmt_speed(0.5), "0.5");
        assert_eq!(fmt_speed(1000.0), "1,000");
    }
}
