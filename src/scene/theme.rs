//! One consistent look: colours, sizes, and the colour and short label of
//! every op nasviz knows.

use crate::render::Color;

/// Colours and font sizes of the dashboard.
#[derive(Clone, Debug)]
pub struct Theme {
    pub background: Color,
    pub panel: Color,
    pub(crate) panel_border: Color,
    pub grid: Color,
    pub axis: Color,
    pub text: Color,
    pub(crate) muted: Color,
    pub accent: Color,
    pub best: Color,
    pub current: Color,
    /// Trials the user selected.
    pub selected: Color,
    /// Trials a user's edit made, and steer events on the timeline.
    pub user: Color,
    pub added: Color,
    pub changed: Color,
    pub removed: Color,
    pub edge: Color,
    pub gain: Color,
    pub loss: Color,
    pub(crate) title_size: f32,
    pub(crate) label_size: f32,
    pub(crate) tick_size: f32,
    pub(crate) body_size: f32,
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            background: Color::hex(0xf4f3ef),
            panel: Color::hex(0xffffff),
            panel_border: Color::hex(0xdddbd3),
            grid: Color::hex(0xebe9e2),
            axis: Color::hex(0x6b6b66),
            text: Color::hex(0x1f2328),
            muted: Color::hex(0x6e7681),
            accent: Color::hex(0x1f6feb),
            best: Color::hex(0xd29922),
            current: Color::hex(0xcf222e),
            selected: Color::hex(0x8250df),
            user: Color::hex(0xd4380d),
            added: Color::hex(0x1a7f37),
            changed: Color::hex(0xbf8700),
            removed: Color::hex(0x8c959f),
            edge: Color::hex(0x57606a),
            gain: Color::hex(0x1a7f37),
            loss: Color::hex(0xcf222e),
            title_size: 20.0,
            label_size: 14.0,
            tick_size: 12.0,
            body_size: 14.0,
        }
    }
}

/// The fill colour of an op's node.
pub(crate) fn op_color(op: &str) -> Color {
    let hex = match op {
        "input" => 0x57606a,
        "output" => 0x24292f,
        "conv3x3-bn-relu" | "nor_conv_3x3" | "conv3x3" => 0x1f6feb,
        "conv1x1-bn-relu" | "nor_conv_1x1" | "conv1x1" => 0x0e8a9e,
        "maxpool3x3" | "maxpool" => 0xbc4c00,
        "avg_pool_3x3" => 0xbf8700,
        "skip_connect" | "skip" => 0x6e7781,
        "gat" => 0x8250df,
        "gcn" => 0x1f6feb,
        "gin" => 0x0e8a9e,
        "cheb" => 0xbf3989,
        "sage" => 0x1a7f37,
        "arma" => 0xbc4c00,
        "graph" => 0xcf222e,
        "fc" => 0x4d2d00,
        _ => {
            // any other name: a stable colour from a small palette
            const PALETTE: [u32; 8] = [
                0x1f6feb, 0x1a7f37, 0xbc4c00, 0x8250df, 0xbf3989, 0x0e8a9e, 0xcf222e, 0x4d2d00,
            ];
            let h = op.bytes().fold(2166136261u32, |h, b| {
                (h ^ u32::from(b)).wrapping_mul(16777619)
            });
            PALETTE[(h % PALETTE.len() as u32) as usize]
        }
    };
    Color::hex(hex)
}

/// A short label for an op, as a reader of a paper expects it.
pub fn op_label(op: &str) -> String {
    match op {
        "conv3x3-bn-relu" | "nor_conv_3x3" => "conv 3×3".into(),
        "conv1x1-bn-relu" | "nor_conv_1x1" => "conv 1×1".into(),
        "maxpool3x3" => "max-pool 3×3".into(),
        "avg_pool_3x3" => "avg-pool 3×3".into(),
        "skip_connect" => "skip".into(),
        "gat" | "gcn" | "gin" | "fc" => op.to_uppercase(),
        "cheb" => "Cheb".into(),
        "sage" => "SAGE".into(),
        "arma" => "ARMA".into(),
        "graph" => "GraphConv".into(),
        other => other.to_string(),
    }
}

/// A colour along a perceptually ordered ramp (viridis-like), `t` in [0, 1].
pub fn ramp(t: f64) -> Color {
    const STOPS: [(f64, [f64; 3]); 5] = [
        (0.0, [68.0, 1.0, 84.0]),
        (0.25, [59.0, 82.0, 139.0]),
        (0.5, [33.0, 145.0, 140.0]),
        (0.75, [94.0, 201.0, 98.0]),
        (1.0, [253.0, 231.0, 37.0]),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    for w in STOPS.windows(2) {
        let (t0, c0) = w[0];
        let (t1, c1) = w[1];
        if t <= t1 {
            let f = (t - t0) / (t1 - t0);
            let c = |i: usize| (c0[i] + (c1[i] - c0[i]) * f).round() as u8;
            return Color::rgb(c(0), c(1), c(2));
        }
    }
    Color::rgb(253, 231, 37)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_labels() {
        assert_eq!(op_color("gcn"), op_color("conv3x3-bn-relu"));
        assert_eq!(op_color("zzz"), op_color("zzz"));
        assert_eq!(op_label("conv3x3-bn-relu"), "conv 3×3");
        assert_eq!(op_label("gat"), "GAT");
        assert_eq!(ramp(0.0), Color::rgb(68, 1, 84));
        assert_eq!(ramp(1.0), Color::rgb(253, 231, 37));
        assert_eq!(ramp(f64::NAN), Color::rgb(68, 1, 84));
    }
}
