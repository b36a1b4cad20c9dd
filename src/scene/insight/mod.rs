//! The insight views as plain data: lineage (the chain of ancestors of a
//! trial and every parent link of the run), the Pareto front of accuracy
//! against a cost, choice importance (each decision's share of variance
//! and its values' marginal means), and edit effects (each kind of edit's
//! validation delta). Each view also returns where its clickable things
//! are ([`Hit`]), so that the viewer can hover and select them.

mod edits;
mod importance;
mod lineage;
mod pareto;
mod strategies;

pub use strategies::StrategyCurves;
pub(crate) use strategies::GROUP_COLORS;

use super::panel::{empty_view, panel_frame, to_pixel};
use super::plots::{draw_axes, Axes, AxisSpec, Ranges};
use super::theme::Theme;
use super::{Measure, ViewScene};
use crate::analysis::importance::ImportanceReport;
use crate::analysis::Analytics;
use crate::layout::Rect;
use crate::render::{Circle, Color, HAlign, MeshBuilder, TextRun, VAlign};
use crate::trace::Run;

/// Which insight view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InsightKind {
    Lineage,
    Pareto,
    Importance,
    Edits,
    Strategies,
}

impl InsightKind {
    pub const ALL: [InsightKind; 5] = [
        InsightKind::Lineage,
        InsightKind::Pareto,
        InsightKind::Importance,
        InsightKind::Edits,
        InsightKind::Strategies,
    ];

    pub fn name(self) -> &'static str {
        match self {
            InsightKind::Lineage => "lineage",
            InsightKind::Pareto => "pareto",
            InsightKind::Importance => "importance",
            InsightKind::Edits => "edits",
            InsightKind::Strategies => "strategies",
        }
    }
}

/// Something an insight view drew that the pointer can hover or click.
#[derive(Clone, Debug, PartialEq)]
pub enum Hit {
    /// A trial, by position in the run.
    Trial(usize),
    /// A value of a decision (`op[3] = gcn`): trials that have it.
    Value { decision: String, value: String },
    /// A kind of edit: trials made by it.
    Edit(String),
    /// A group's curve in the strategies view at a step (from 0).
    Curve { group: usize, step: usize },
}

/// What the insight views are asked to show besides the run and step.
#[derive(Clone, Debug, Default)]
pub struct InsightOptions {
    /// The trial whose lineage is drawn (default: the best so far).
    pub focus: Option<usize>,
    /// Which of the run's costs the Pareto view uses (cycled).
    pub cost: usize,
    /// The Pareto view plots test accuracy instead of validation.
    pub test: bool,
    /// The importance over a complete table, shown beside the search's.
    pub table: Option<std::sync::Arc<ImportanceReport>>,
    /// The highlighted thing (a clicked value or edit kind).
    pub highlight: Option<Hit>,
    /// Groups of runs compared (the strategies view).
    pub strategies: Option<std::sync::Arc<StrategyCurves>>,
    /// The strategies view's x axis is simulated time.
    pub x_time: bool,
}

/// Most trials drawn as dots in an overview; more are sampled evenly.
pub const MAX_DOTS: usize = 8_000;
/// Most parent links drawn in the lineage overview (an even sample).
pub const MAX_LINKS: usize = 5_000;

/// A view and its clickable places.
pub struct InsightScene {
    pub view: ViewScene,
    pub hits: Vec<(Rect, Hit)>,
}

/// What an insight view is of: a run at a step, and a compared run.
#[derive(Clone, Copy)]
pub struct InsightBase<'a> {
    pub run: &'a Run,
    pub analytics: &'a Analytics,
    pub step: usize,
    /// The compared run, its analytics and the step shown of it.
    pub other: Option<(&'a Run, &'a Analytics, usize)>,
    /// The accuracy ranges of the plots (so the axes agree).
    pub ranges: Ranges,
}

/// Builds insight view `kind` of `base` in `rect`.
pub fn insight_view(
    kind: InsightKind,
    base: &InsightBase<'_>,
    rect: Rect,
    opts: &InsightOptions,
    theme: &Theme,
    measure: &mut Measure,
) -> InsightScene {
    let (run, _analytics, step, _ranges) = (base.run, base.analytics, base.step, base.ranges);
    let mut mesh = MeshBuilder::new();
    let mut texts = Vec::new();
    let title = match kind {
        InsightKind::Lineage => "Lineage · where the trial came from",
        InsightKind::Pareto => "Pareto front · what accuracy costs",
        InsightKind::Importance => "Choice importance · which decisions matter",
        InsightKind::Edits => "Edit effects · which edits pay off",
        InsightKind::Strategies => "Strategies over seeds · best so far",
    };
    let content = panel_frame(&mut mesh, &mut texts, rect, title, theme);
    let hint_fits = measure(title, theme.label_size + 1.0).0
        + measure("V: next view", theme.tick_size).0
        + 48.0
        < rect.w;
    if hint_fits {
        texts.push(
            TextRun::new(
                "V: next view",
                [rect.x + rect.w - 12.0, rect.y + 10.0],
                theme.tick_size,
                theme.muted,
            )
            .aligned(HAlign::Right, VAlign::Top),
        );
    }
    if run.trials.is_empty() {
        return InsightScene {
            view: empty_view(mesh, texts, rect, content, "No trials yet", theme),
            hits: Vec::new(),
        };
    }
    let step = step.min(run.trials.len() - 1);
    let mut out = Out {
        mesh,
        texts,
        circles: Vec::new(),
        hits: Vec::new(),
    };
    let base = &InsightBase { step, ..*base };
    let body = match kind {
        InsightKind::Lineage => lineage::lineage_body,
        InsightKind::Pareto => pareto::pareto_body,
        InsightKind::Importance => importance::importance_body,
        InsightKind::Edits => edits::edits_body,
        InsightKind::Strategies => strategies::strategies_body,
    };
    let message = body(
        &mut out,
        Body {
            base,
            content,
            opts,
            theme,
            measure,
        },
    );
    if let Some(m) = message {
        return InsightScene {
            view: empty_view(out.mesh, out.texts, rect, content, &m, theme),
            hits: Vec::new(),
        };
    }
    let mut view = ViewScene::new(to_pixel(rect));
    view.mesh = out.mesh.build();
    view.circles = out.circles;
    view.texts = out.texts;
    InsightScene {
        view,
        hits: out.hits,
    }
}

/// What a view's body draws from and in: the run at its step, the
/// content rectangle, the options, the theme and the text measure.
pub(super) struct Body<'a, 'm> {
    base: &'a InsightBase<'a>,
    content: Rect,
    opts: &'a InsightOptions,
    theme: &'a Theme,
    measure: &'m mut Measure<'m>,
}

impl<'a, 'm> Body<'a, 'm> {
    /// Its parts, each named as the bodies name them.
    #[allow(clippy::type_complexity)]
    fn parts(
        self,
    ) -> (
        &'a InsightBase<'a>,
        Rect,
        &'a InsightOptions,
        &'a Theme,
        &'m mut Measure<'m>,
    ) {
        (self.base, self.content, self.opts, self.theme, self.measure)
    }
}

pub(super) struct Out {
    mesh: MeshBuilder,
    texts: Vec<TextRun>,
    /// In pixels (the view's data transform is the identity).
    circles: Vec<Circle>,
    hits: Vec<(Rect, Hit)>,
}

impl Out {
    /// The first of `choices` that fits in `width` (else the last).
    fn fit(
        &mut self,
        choices: &[&str],
        at: [f32; 2],
        width: f32,
        size: f32,
        color: Color,
        measure: &mut Measure,
    ) {
        let pick = choices
            .iter()
            .find(|c| measure(c, size).0 <= width)
            .or(choices.last());
        if let Some(c) = pick {
            self.text(c.to_string(), at, size, color, HAlign::Left);
        }
    }

    fn text(&mut self, s: impl Into<String>, at: [f32; 2], size: f32, color: Color, h: HAlign) {
        self.texts
            .push(TextRun::new(s, at, size, color).aligned(h, VAlign::Middle));
    }

    /// The notes above a view's rows, one a line from the top of
    /// `content` (at most three): of each, the first choice that fits.
    fn header(&mut self, lines: &[&[&str]], content: Rect, theme: &Theme, measure: &mut Measure) {
        let size = theme.tick_size;
        let ys = [
            content.y + 6.0,
            content.y + 8.0 + size * 1.4,
            content.y + 10.0 + size * 2.8,
        ];
        for (choices, y) in lines.iter().zip(ys) {
            let at = [content.x, y];
            self.fit(choices, at, content.w, size, theme.muted, measure);
        }
    }

    /// Axes in `plot`, drawn into this view.
    fn axes(
        &mut self,
        plot: Rect,
        spec: &AxisSpec<'_>,
        theme: &Theme,
        measure: &mut Measure,
    ) -> Axes {
        draw_axes(&mut self.mesh, &mut self.texts, plot, spec, theme, measure)
    }

    /// The trials up to `step` as small dots (an even sample of at most
    /// `max`), each where `at` places it (if anywhere).
    fn dot_cloud(
        &mut self,
        (step, max): (usize, usize),
        r: f32,
        color: Color,
        at: impl Fn(usize) -> Option<[f32; 2]>,
    ) {
        for i in sample(step, max) {
            if let Some(p) = at(i) {
                self.circles.push(trial_dot(p, r, color, None));
            }
        }
    }

    /// The ring around the trial on show, at `p`.
    fn current_ring(&mut self, p: [f32; 2], r: f32, theme: &Theme) {
        self.circles.push(trial_dot(
            p,
            r,
            Color::rgba(0, 0, 0, 0),
            Some(theme.current),
        ));
    }

    /// `hit` for a square `2 * half` wide around `p`.
    fn hit_around(&mut self, p: [f32; 2], half: f32, hit: Hit) {
        let rect = Rect::new(p[0] - half, p[1] - half, half * 2.0, half * 2.0);
        self.hits.push((rect, hit));
    }

    /// A band behind a row of a view's list, from `y0` to `y1`.
    fn row_band(&mut self, content: Rect, (y0, y1): (f32, f32), color: Color) {
        self.mesh.rounded_rect(
            [content.x - 4.0, y0],
            [content.x + content.w, y1],
            3.0,
            Some(color),
            None,
        );
    }

    /// Ticks under a strip at `y`: a short mark and its label at each
    /// value of `ticks` (in the strip's units) within the strip's range.
    fn strip_ticks(
        &mut self,
        strip: &Strip,
        ticks: impl Iterator<Item = (f64, String)>,
        y: f32,
        theme: &Theme,
    ) {
        let size = theme.tick_size;
        for (v, label) in ticks {
            if v < strip.lo || v > strip.hi {
                continue;
            }
            let x = strip.at(v);
            self.mesh.line([x, y], [x, y + 4.0], theme.axis, 1.0);
            self.text(
                label,
                [x, y + 4.0 + size * 0.7],
                size,
                theme.muted,
                HAlign::Center,
            );
        }
    }
}

/// A horizontal value scale of the row views: `lo..hi` over `w` pixels
/// from `x`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Strip {
    x: f32,
    w: f32,
    lo: f64,
    hi: f64,
}

impl Strip {
    /// The pixel x of value `v`.
    fn at(&self, v: f64) -> f32 {
        self.x + ((v - self.lo) / (self.hi - self.lo)) as f32 * self.w
    }
}

/// The positions `0..=step` to draw as dots: all, or an even sample.
pub(super) fn sample(step: usize, max: usize) -> impl Iterator<Item = usize> {
    let n = step + 1;
    let stride = n.div_ceil(max).max(1);
    (0..n).step_by(stride)
}

pub(super) fn trial_dot(at: [f32; 2], r: f32, fill: Color, stroke: Option<Color>) -> Circle {
    let mut c = Circle::new(at, r, fill);
    if let Some(s) = stroke {
        c.stroke = s.packed();
        c.stroke_width = 1.5;
    }
    c
}

/// `1234567` -> `1.23M`, `0.0032` -> `0.0032`.
pub(super) fn short_number(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.2}G", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.2}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 10.0 {
        format!("{v:.0}")
    } else if a == 0.0 {
        "0".into()
    } else if a >= 0.01 {
        format!("{v:.3}")
    } else {
        format!("{v:.1e}")
    }
}
