//! Smooth curves through polylines, and arrowheads at their ends.

/// A cubic Bézier segment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cubic {
    pub from: [f32; 2],
    pub(crate) ctrl1: [f32; 2],
    pub(crate) ctrl2: [f32; 2],
    pub to: [f32; 2],
}

impl Cubic {
    /// A straight segment as a cubic.
    pub fn line(from: [f32; 2], to: [f32; 2]) -> Cubic {
        Cubic {
            from,
            ctrl1: lerp(from, to, 1.0 / 3.0),
            ctrl2: lerp(from, to, 2.0 / 3.0),
            to,
        }
    }

    /// The point at parameter `t` in `[0, 1]`.
    pub fn point(&self, t: f32) -> [f32; 2] {
        let u = 1.0 - t;
        let (a, b, c, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
        [
            a * self.from[0] + b * self.ctrl1[0] + c * self.ctrl2[0] + d * self.to[0],
            a * self.from[1] + b * self.ctrl1[1] + c * self.ctrl2[1] + d * self.to[1],
        ]
    }
}

/// An arrowhead: its `tip` and the unit direction it points in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Arrow {
    pub tip: [f32; 2],
    pub dir: [f32; 2],
}

impl Arrow {
    /// The middle of the arrowhead's base, `length` back from the tip.
    pub fn base(&self, length: f32) -> [f32; 2] {
        [
            self.tip[0] - self.dir[0] * length,
            self.tip[1] - self.dir[1] * length,
        ]
    }

    /// The arrowhead as a triangle: tip, then the two base corners.
    pub fn triangle(&self, length: f32, width: f32) -> [[f32; 2]; 3] {
        let b = self.base(length);
        let n = [-self.dir[1] * width * 0.5, self.dir[0] * width * 0.5];
        [
            self.tip,
            [b[0] + n[0], b[1] + n[1]],
            [b[0] - n[0], b[1] - n[1]],
        ]
    }
}

fn lerp(a: [f32; 2], b: [f32; 2], t: f32) -> [f32; 2] {
    [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
}

fn sub(a: [f32; 2], b: [f32; 2]) -> [f32; 2] {
    [a[0] - b[0], a[1] - b[1]]
}

fn len(a: [f32; 2]) -> f32 {
    (a[0] * a[0] + a[1] * a[1]).sqrt()
}

fn unit(a: [f32; 2]) -> Option<[f32; 2]> {
    let l = len(a);
    (l > 1e-6 && l.is_finite()).then(|| [a[0] / l, a[1] / l])
}

/// The finite points of `points` with consecutive (near-)duplicates removed.
fn distinct(points: &[[f32; 2]]) -> Vec<[f32; 2]> {
    let mut out: Vec<[f32; 2]> = Vec::with_capacity(points.len());
    for &p in points {
        if !(p[0].is_finite() && p[1].is_finite()) {
            continue;
        }
        if out.last().is_some_and(|&q| len(sub(p, q)) <= 1e-4) {
            continue;
        }
        out.push(p);
    }
    out
}

/// Cubic Bézier segments through every point of a polyline, one per
/// segment, Catmull-Rom style: at an interior point the curve's tangent is
/// parallel to the chord between its neighbours, or to an adjacent segment
/// that is horizontal or vertical (so such segments, like an edge passing
/// through a layer, stay straight); each handle is a third of its segment
/// long, which avoids overshoot where segments differ in length. The ends
/// leave and arrive along the first and last segments.
/// Non-finite and repeated points are skipped; fewer than two distinct
/// points give no segments.
pub fn smooth_polyline(points: &[[f32; 2]]) -> Vec<Cubic> {
    let p = distinct(points);
    let n = p.len();
    if n < 2 {
        return Vec::new();
    }
    // Unit tangent at every point: along an adjacent axis-parallel segment
    // if there is one (the curve then runs straight along it), else along
    // the chord between the neighbours.
    let axis_parallel = |a: [f32; 2], b: [f32; 2]| {
        let d = sub(b, a);
        (d[0].abs() <= 1e-3 || d[1].abs() <= 1e-3)
            .then(|| unit(d))
            .flatten()
    };
    let tangents: Vec<[f32; 2]> = (0..n)
        .map(|i| {
            let prev = p[i.saturating_sub(1)];
            let next = p[(i + 1).min(n - 1)];
            let along_axis = if i == 0 || i + 1 == n {
                None
            } else {
                axis_parallel(prev, p[i]).or_else(|| axis_parallel(p[i], next))
            };
            along_axis
                .or_else(|| unit(sub(next, prev)))
                .unwrap_or([0.0, 0.0])
        })
        .collect();
    p.windows(2)
        .zip(tangents.windows(2))
        .map(|(seg, tan)| {
            let (a, b) = (seg[0], seg[1]);
            let h = len(sub(b, a)) / 3.0;
            Cubic {
                from: a,
                ctrl1: [a[0] + tan[0][0] * h, a[1] + tan[0][1] * h],
                ctrl2: [b[0] - tan[1][0] * h, b[1] - tan[1][1] * h],
                to: b,
            }
        })
        .collect()
}

/// The arrowhead at the end of a polyline: the last point, pointing along
/// the last segment (the direction in which [`smooth_polyline`] arrives).
/// `None` with fewer than two distinct points.
pub(crate) fn arrow_at_end(points: &[[f32; 2]]) -> Option<Arrow> {
    let p = distinct(points);
    let [.., a, b] = p.as_slice() else {
        return None;
    };
    unit(sub(*b, *a)).map(|dir| Arrow { tip: *b, dir })
}

/// The polyline with its end pulled back by up to `length` along the last
/// segment, so that a stroke stops at the base of an arrowhead (the last
/// segment keeps at least a tenth of its length).
pub(crate) fn shorten_end(points: &[[f32; 2]], length: f32) -> Vec<[f32; 2]> {
    let mut p = distinct(points);
    if let [.., a, b] = p.as_mut_slice() {
        let d = sub(*b, *a);
        let l = len(d);
        if l > 0.0 && length > 0.0 {
            let cut = length.min(l * 0.9);
            *b = [b[0] - d[0] / l * cut, b[1] - d[1] / l * cut];
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curve_passes_through_points() {
        let pts = [[0.0, 0.0], [10.0, 20.0], [10.0, 40.0], [0.0, 60.0]];
        let c = smooth_polyline(&pts);
        assert_eq!(c.len(), 3);
        for (i, s) in c.iter().enumerate() {
            assert_eq!(s.from, pts[i]);
            assert_eq!(s.to, pts[i + 1]);
            assert_eq!(s.point(0.0), pts[i]);
        }
        // G1 continuity: the handles on both sides of a joint are collinear.
        let d1 = sub(c[0].to, c[0].ctrl2);
        let d2 = sub(c[1].ctrl1, c[1].from);
        assert!((d1[0] * d2[1] - d1[1] * d2[0]).abs() < 1e-3);
    }

    #[test]
    fn arrow_points_along_last_segment() {
        let a = arrow_at_end(&[[0.0, 0.0], [0.0, 10.0], [0.0, 10.0]]).unwrap();
        assert_eq!(a.tip, [0.0, 10.0]);
        assert_eq!(a.dir, [0.0, 1.0]);
        assert_eq!(a.base(4.0), [0.0, 6.0]);
        let t = a.triangle(4.0, 2.0);
        assert_eq!(t[1][1], 6.0);
        assert!(arrow_at_end(&[[1.0, 1.0]]).is_none());
        let s = shorten_end(&[[0.0, 0.0], [0.0, 10.0]], 4.0);
        assert_eq!(s[1], [0.0, 6.0]);
    }

    #[test]
    fn degenerate_polylines() {
        assert!(smooth_polyline(&[]).is_empty());
        assert!(smooth_polyline(&[[1.0, 1.0], [1.0, 1.0]]).is_empty());
        assert_eq!(
            smooth_polyline(&[[0.0, 0.0], [f32::NAN, 1.0], [2.0, 0.0]]).len(),
            1
        );
    }
}
