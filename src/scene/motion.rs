//! The arithmetic of animation: easing curves, interpolation of numbers,
//! points and colours, fading, resampling a polyline. Everything here is a
//! pure function of (from, to, u), u in 0..=1 already eased, so a test can
//! build the frame at any point of a transition exactly.

use crate::render::Color;
use glam::Vec2;

/// Cubic ease in-out: slow start, slow end.
pub(crate) fn ease_in_out(t: f32) -> f32 {
    let t = t.clamp(0.0, 1.0);
    if t < 0.5 {
        4.0 * t * t * t
    } else {
        1.0 - (-2.0 * t + 2.0).powi(3) / 2.0
    }
}

/// Ease out with a slight overshoot (for things that pop in).
pub(crate) fn ease_out_back(t: f32) -> f32 {
    let t = t.clamp(0.0, 1.0);
    let c1 = 1.70158;
    let c3 = c1 + 1.0;
    1.0 + c3 * (t - 1.0).powi(3) + c1 * (t - 1.0).powi(2)
}

pub(crate) fn lerp(a: f32, b: f32, u: f32) -> f32 {
    a + (b - a) * u
}

pub(crate) fn lerp2(a: [f32; 2], b: [f32; 2], u: f32) -> [f32; 2] {
    Vec2::from(a).lerp(Vec2::from(b), u).to_array()
}

/// Colour interpolated channel by channel (in sRGB bytes).
pub(crate) fn lerp_color(a: Color, b: Color, u: f32) -> Color {
    let m = |x: u8, y: u8| {
        (x as f32 + (y as f32 - x as f32) * u)
            .round()
            .clamp(0.0, 255.0) as u8
    };
    Color::rgba(m(a.r, b.r), m(a.g, b.g), m(a.b, b.b), m(a.a, b.a))
}

/// `c` with its alpha multiplied by `f` (0..=1).
pub fn fade(c: Color, f: f32) -> Color {
    c.with_alpha((c.a as f32 * f.clamp(0.0, 1.0)).round() as u8)
}

/// `points` resampled to `n` points evenly spaced along its length.
pub(crate) fn resample(points: &[[f32; 2]], n: usize) -> Vec<[f32; 2]> {
    let n = n.max(2);
    match points {
        [] => return Vec::new(),
        [p] => return vec![*p; n],
        _ => {}
    }
    let pts: Vec<Vec2> = points.iter().map(|&p| Vec2::from(p)).collect();
    let mut cum = vec![0.0f32];
    for w in pts.windows(2) {
        let l = cum[cum.len() - 1] + w[0].distance(w[1]);
        cum.push(l);
    }
    let total = cum[cum.len() - 1];
    if total <= 1e-6 {
        return vec![points[0]; n];
    }
    let mut out = Vec::with_capacity(n);
    let mut seg = 0;
    for i in 0..n {
        let d = total * i as f32 / (n - 1) as f32;
        while seg + 2 < cum.len() && cum[seg + 1] < d {
            seg += 1;
        }
        let span = (cum[seg + 1] - cum[seg]).max(1e-6);
        let t = ((d - cum[seg]) / span).clamp(0.0, 1.0);
        out.push(pts[seg].lerp(pts[seg + 1], t).to_array());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn easing_ends_and_middle() {
        assert_eq!(ease_in_out(0.0), 0.0);
        assert_eq!(ease_in_out(1.0), 1.0);
        assert!((ease_in_out(0.5) - 0.5).abs() < 1e-6);
        assert!(ease_in_out(0.25) < 0.25);
        assert!((ease_out_back(1.0) - 1.0).abs() < 1e-6);
        assert!(ease_out_back(0.8) > 1.0, "overshoots before settling");
    }

    #[test]
    fn lerps() {
        assert_eq!(lerp2([0.0, 10.0], [10.0, 20.0], 0.5), [5.0, 15.0]);
        let c = lerp_color(Color::rgb(0, 0, 0), Color::rgb(200, 100, 50), 0.5);
        assert_eq!((c.r, c.g, c.b, c.a), (100, 50, 25, 255));
        assert_eq!(fade(Color::rgba(1, 2, 3, 200), 0.5).a, 100);
    }

    #[test]
    fn resampling_keeps_ends_and_spacing() {
        let r = resample(&[[0.0, 0.0], [10.0, 0.0], [10.0, 10.0]], 5);
        assert_eq!(r.len(), 5);
        assert_eq!(r[0], [0.0, 0.0]);
        assert_eq!(r[2], [10.0, 0.0]);
        assert_eq!(r[4], [10.0, 10.0]);
        assert!(resample(&[], 4).is_empty());
    }
}
