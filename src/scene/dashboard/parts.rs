//! The steps a dashboard frame is built in ([`super::build_comparison`]):
//! the checks, the point caches brought up to the step, the marks and
//! counts of the plots, the title bar, each view drawn from what the frame
//! is drawn from ([`Views`]), density, and the legend.

use super::*;

/// What the views of one dashboard frame are drawn from, and each view
/// drawn in a rectangle.
pub(super) struct Views<'a> {
    pub(super) run: &'a Run,
    pub(super) analytics: &'a Analytics,
    pub(super) step: usize,
    /// The compared run, its analytics and its step on show.
    pub(super) compared: Option<(&'a Run, &'a Analytics, usize)>,
    pub(super) ranges: Ranges,
    pub(super) opts: &'a DashboardOptions,
    pub(super) motion: Option<&'a Motion>,
    pub(super) held: usize,
    pub(super) cache: &'a PointCache,
    /// The run, analytics and step the summary table describes.
    pub(super) table: (&'a Run, &'a Analytics, usize),
    pub(super) improvements: &'a [usize],
    /// The compared run's best-so-far line in the line chart.
    pub(super) line_other: Option<BestLine<'a>>,
    /// The scatter's and the line chart's windows, marks and outside counts.
    pub(super) pv: [PlotView<'a>; 2],
    /// The picture the architecture view draws instead of the step's own.
    pub(super) picture: Option<&'a DagPicture>,
}

/// The views of a frame as drawn, where an insight view's clickable
/// things are, and where the legend goes (with the compared runs' names).
pub(super) struct Drawn {
    pub(super) views: Vec<(ViewKind, ViewScene)>,
    pub(super) hits: Vec<(Rect, Hit)>,
    pub(super) legend_at: Option<(Rect, Option<[String; 2]>)>,
}

impl Views<'_> {
    /// The views `opts.view` asks for: the whole dashboard (with its
    /// title bar into `chrome_text`; the insight page in place of the
    /// architecture and table), or one view filling the frame.
    pub(super) fn draw(&self, chrome_text: &mut Vec<TextRun>, measure: &mut Measure) -> Drawn {
        let (opts, motion) = (self.opts, self.motion);
        let (w, h) = (opts.width, opts.height);
        let mut drawn = Drawn {
            views: Vec::new(),
            hits: Vec::new(),
            legend_at: None,
        };
        let views = &mut drawn.views;
        match opts.view {
            ViewKind::Dashboard => {
                let p = dashboard_panels(w, h);
                let compared = self.compared.map(|c| c.0);
                let runs = title_bar(
                    self.run,
                    compared,
                    self.step,
                    p.title,
                    &opts.theme,
                    measure,
                    chrome_text,
                );
                drawn.legend_at = Some((p.legend, runs));
                if let Some(kind) = opts.page {
                    let rect = Rect::from_edges(p.dag.x, p.dag.y, p.dag.right(), p.table.bottom());
                    let s = self.insight(kind, rect, measure);
                    drawn.hits = s.hits;
                    views.push((ViewKind::Insight(kind), s.view));
                } else {
                    views.push((ViewKind::Dag, self.dag(p.dag, measure)));
                    let table_motion = motion.filter(|_| opts.table_at.is_none());
                    views.push((ViewKind::Table, self.table(p.table, table_motion, measure)));
                }
                views.push((ViewKind::Scatter, self.scatter(p.scatter, measure)));
                views.push((ViewKind::Line, self.line(p.line, measure)));
            }
            kind => {
                let m = 12.0;
                let rect = Rect::new(m, m, w as f32 - 2.0 * m, h as f32 - 2.0 * m);
                let v = match kind {
                    ViewKind::Insight(k) => {
                        let s = self.insight(k, rect, measure);
                        drawn.hits = s.hits;
                        s.view
                    }
                    ViewKind::Dag => self.dag(rect, measure),
                    ViewKind::Table => self.table(rect, motion, measure),
                    ViewKind::Scatter => self.scatter(rect, measure),
                    _ => self.line(rect, measure),
                };
                views.push((kind, v));
            }
        }
        drawn
    }

    pub(super) fn dag(&self, rect: Rect, measure: &mut Measure) -> ViewScene {
        let theme = &self.opts.theme;
        match self.picture {
            Some(p) => draw_picture(p, theme),
            None => draw_picture(
                &step_picture(self.run, self.analytics, self.step, rect, theme, measure),
                theme,
            ),
        }
    }

    /// An insight view, with the compared run's front beside the first's.
    pub(super) fn insight(
        &self,
        kind: InsightKind,
        rect: Rect,
        measure: &mut Measure,
    ) -> InsightScene {
        let base = InsightBase {
            run: self.run,
            analytics: self.analytics,
            step: self.step,
            other: self.compared,
            ranges: self.ranges,
        };
        insight_view(
            kind,
            &base,
            rect,
            &self.opts.insight,
            &self.opts.theme,
            measure,
        )
    }

    pub(super) fn table(
        &self,
        rect: Rect,
        motion: Option<&Motion>,
        measure: &mut Measure,
    ) -> ViewScene {
        let (run, analytics, step) = self.table;
        table_view(
            run,
            analytics,
            step,
            rect,
            motion,
            &self.opts.theme,
            measure,
        )
    }

    /// What plot `plot` (0 the scatter, 1 the line chart) is drawn from.
    fn plot_input(&self, plot: usize) -> PlotInput<'_> {
        PlotInput {
            run: self.run,
            analytics: self.analytics,
            step: self.step,
            ranges: self.ranges,
            cache: self.cache,
            motion: self.motion,
            held: self.held,
            view: self.pv[plot],
            theme: &self.opts.theme,
        }
    }

    pub(super) fn scatter(&self, rect: Rect, measure: &mut Measure) -> ViewScene {
        scatter_view(&self.plot_input(0), rect, measure)
    }

    pub(super) fn line(&self, rect: Rect, measure: &mut Measure) -> ViewScene {
        let line = LineInput {
            improvements: self.improvements,
            other: self.line_other,
            x_time: self.opts.x_time,
        };
        line_view(&self.plot_input(1), &line, rect, measure)
    }
}

/// The run, analytics and trial the summary table describes: the step on
/// show, or the trial asked for (`(run, position)`, run 0 the first, 1
/// the compared one) where there is one.
pub(super) fn table_source<'a>(
    shown: (&'a Run, &'a Analytics, usize),
    asked: Option<(usize, usize)>,
    compared: Option<(&'a Run, &'a Analytics, usize)>,
) -> (&'a Run, &'a Analytics, usize) {
    let (run, analytics, _) = shown;
    match asked {
        Some((0, i)) if i < run.trials.len() => (run, analytics, i),
        Some((_, i)) => match compared {
            Some((o, oa, _)) if i < o.trials.len() => (o, oa, i),
            _ => shown,
        },
        None => shown,
    }
}

/// How many trailing cached points the views draw themselves: 1 while
/// the trial at `step` grows in (the points are cached up to it), else 0.
pub(super) fn held_count(
    run: &Run,
    step: usize,
    motion: Option<&Motion>,
    cache: &PointCache,
) -> usize {
    match motion.and_then(|m| m.grow) {
        Some(g) if !run.trials.is_empty() && g == step && cache.scatter.len() == step + 1 => 1,
        _ => 0,
    }
}

/// A dashboard too small to draw, or a step past the run's end.
pub(super) fn check_frame(
    run: &Run,
    step: usize,
    opts: &DashboardOptions,
) -> Result<(), SceneError> {
    let (w, h) = (opts.width, opts.height);
    if w < 200 || h < 150 {
        return Err(SceneError::TooSmall {
            width: w,
            height: h,
        });
    }
    let n = run.trials.len();
    if n > 0 && step >= n {
        return Err(SceneError::StepPastEnd {
            step,
            count: n,
            run: run.info.run_id.clone(),
        });
    }
    Ok(())
}

/// The points of both runs outside the scatter's and the line chart's
/// windows (unzoomed: outside the scatter's dense range).
pub(super) fn outside_counts(
    run: &Run,
    opts: &DashboardOptions,
    ranges: Ranges,
    cache: &mut PointCache,
    mut other: Option<&mut Other<'_>>,
) -> (usize, usize) {
    let [zs, zl] = opts.zoom;
    let scatter = if zs.is_full() {
        cache.outside + other.as_ref().map_or(0, |o| o.cache.outside)
    } else {
        let (x, y) = (zs.range(0, ranges.val), zs.range(1, ranges.test));
        cache.outside_of(0, x, y) + other.as_mut().map_or(0, |o| o.cache.outside_of(0, x, y))
    };
    let line = if zl.is_full() {
        0
    } else {
        let (x, y) = (
            zl.range(0, line_x_range(run, opts.x_time)),
            zl.range(1, ranges.val),
        );
        cache.outside_of(1, x, y) + other.map_or(0, |o| o.cache.outside_of(1, x, y))
    };
    (scatter, line)
}

/// Brings both runs' point caches to the steps on show over shared
/// ranges; returns the ranges and each run's improving steps so far.
pub(super) fn sync_caches(
    run: &Run,
    analytics: &Analytics,
    other: Option<&mut Other<'_>>,
    step: usize,
    opts: &DashboardOptions,
    cache: &mut PointCache,
) -> (Ranges, Vec<usize>, Vec<usize>) {
    let n = run.trials.len();
    let mut ranges = cache.ranges(run, opts.full_range);
    let mut other_improvements = Vec::new();
    if let Some(o) = other {
        let r2 = o.cache.ranges(o.run, opts.full_range);
        ranges.val = (ranges.val.0.min(r2.val.0), ranges.val.1.max(r2.val.1));
        ranges.test = (ranges.test.0.min(r2.test.0), ranges.test.1.max(r2.test.1));
        cache.set_tint(Some(RUN_COLORS[0]));
        o.cache.set_tint(Some(RUN_COLORS[1]));
        let on = o.run.trials.len();
        o.cache
            .sync(o.run, (o.step + 1).min(on), ranges, opts.x_time);
        if on > 0 {
            other_improvements = o
                .cache
                .improvements_until(o.analytics, o.step.min(on - 1))
                .to_vec();
        }
    } else {
        cache.set_tint(None);
    }
    cache.sync(run, if n == 0 { 0 } else { step + 1 }, ranges, opts.x_time);
    let improvements = cache.improvements_until(analytics, step).to_vec();
    (ranges, improvements, other_improvements)
}

/// The marked points (hovered, selected), from the cache of their run:
/// the scatter's, then the line chart's.
pub(super) fn point_marks(
    opts: &DashboardOptions,
    cache: &PointCache,
    other: Option<&Other<'_>>,
) -> [Vec<PointMark>; 2] {
    let mut marks: [Vec<PointMark>; 2] = [Vec::new(), Vec::new()];
    for &(slot, i, kind) in &opts.marks {
        let c = match slot {
            0 => Some(cache),
            _ => other.map(|o| &*o.cache),
        };
        if let Some(c) = c {
            if let Some(p) = c.scatter.get(i) {
                marks[0].push((*p, kind));
            }
            if let Some(p) = c.line.get(i) {
                marks[1].push((*p, kind));
            }
        }
    }
    marks
}

/// The title bar: who searched what (both runs when compared) and the
/// step on show, as much as fits; returns the legend's run names when
/// compared.
pub(super) fn title_bar(
    run: &Run,
    other: Option<&Run>,
    step: usize,
    t: Rect,
    theme: &Theme,
    measure: &mut Measure,
    chrome_text: &mut Vec<TextRun>,
) -> Option<[String; 2]> {
    let n = run.trials.len();
    let title = match other {
        Some(o) => format!(
            "{} vs {}{}",
            who(&run.info),
            who(&o.info).to_lowercase(),
            where_(&run.info)
        ),
        None => format!("{}{}", who(&run.info), where_(&run.info)),
    };
    let title_w = measure(&title, theme.title_size).0;
    chrome_text.push(
        TextRun::new(title, [t.x, t.y + t.h / 2.0], theme.title_size, theme.text)
            .aligned(HAlign::Left, VAlign::Middle),
    );
    let step_text = if n == 0 {
        "no trials".to_string()
    } else {
        format!(
            "step {} of {}",
            crate::fmt::fmt_int(step + 1),
            crate::fmt::fmt_int(n)
        )
    };
    // the longest right-hand text that fits beside the title
    let candidates = [
        format!(
            "run {} · space {} · {step_text}",
            run.info.run_id, run.info.space
        ),
        format!("run {} · {step_text}", run.info.run_id),
        step_text.clone(),
    ];
    let room = t.w - title_w - 24.0;
    if let Some(right) = candidates
        .into_iter()
        .find(|c| measure(c, theme.label_size).0 <= room)
    {
        chrome_text.push(
            TextRun::new(
                right,
                [t.x + t.w, t.y + t.h / 2.0],
                theme.label_size,
                theme.muted,
            )
            .aligned(HAlign::Right, VAlign::Middle),
        );
    }
    other.map(|o| {
        [
            format!(
                "{} ({})",
                run.info.run_id,
                pretty_strategy(&run.info.strategy).to_lowercase()
            ),
            format!(
                "{} ({})",
                o.info.run_id,
                pretty_strategy(&o.info.strategy).to_lowercase()
            ),
        ]
    })
}

/// Whether the scatter is drawn as density (asked, or crowded points of
/// one run), its grid and the line chart's envelope brought up to date.
pub(super) fn apply_density(
    opts: &DashboardOptions,
    single: bool,
    run: &Run,
    views: &[(ViewKind, ViewScene)],
    cache: &mut PointCache,
) -> bool {
    let mut density = false;
    if opts.scatter_mode != ScatterMode::Circles && single {
        if let Some((_, v)) = views.iter().find(|(k, _)| *k == ViewKind::Scatter) {
            let (view, area) = (v.data_view, v.rect);
            let total = run.trials.len();
            let source = cache.generation();
            cache
                .density
                .sync(&cache.scatter, view, area, source, total);
            density =
                opts.scatter_mode == ScatterMode::Density || cache.density.crowding() >= CROWDED;
        }
        if density {
            if let Some((_, v)) = views.iter().find(|(k, _)| *k == ViewKind::Line) {
                cache.sync_envelope(v.data_view, v.rect);
            }
        }
    }
    density
}

/// The cached points a view draws: the scatter's or the line chart's,
/// less the `held` newest (drawn by the view while they grow in).
pub(super) fn points_of(
    cache: &PointCache,
    kind: ViewKind,
    held: usize,
    density: bool,
) -> &[crate::render::Circle] {
    let all: &[crate::render::Circle] = match kind {
        ViewKind::Scatter if density => &cache.density.circles,
        ViewKind::Scatter => &cache.scatter,
        ViewKind::Line if density => &[],
        ViewKind::Line => &cache.line,
        _ => &[],
    };
    &all[..all.len().saturating_sub(held)]
}

/// What the legend strip explains.
pub(super) struct Legend {
    /// Trials of the (first) run: the colour ramp's end.
    pub(super) trials: usize,
    /// The compared runs' names, coloured by run instead of by step.
    pub(super) runs: Option<[String; 2]>,
    /// The scatter shows density.
    pub(super) density: bool,
}

/// The legend strip: colour by step, size by test accuracy (or, with
/// density, shade by trials per pixel), the markers.
pub(super) fn legend(
    mesh: &mut MeshBuilder,
    texts: &mut Vec<TextRun>,
    r: Rect,
    what: &Legend,
    theme: &Theme,
    measure: &mut Measure,
) {
    let (n, density) = (what.trials, what.density);
    if r.w < 50.0 || r.h < 10.0 {
        return;
    }
    let y = r.y + r.h / 2.0;
    let size = theme.tick_size;
    let mut x = r.x + 4.0;
    let end = r.x + r.w;
    let put = |texts: &mut Vec<TextRun>, x: &mut f32, s: &str, measure: &mut Measure| {
        texts.push(
            TextRun::new(s, [*x, y], size, theme.muted).aligned(HAlign::Left, VAlign::Middle),
        );
        *x += measure(s, size).0 + 10.0;
    };
    if let Some(names) = &what.runs {
        for (name, color) in names.iter().zip(RUN_COLORS) {
            mesh.disc([x + 5.0, y], 5.0, color);
            x += 14.0;
            put(texts, &mut x, name, measure);
        }
    } else {
        put(texts, &mut x, "step", measure);
        let bar_w = 90.0f32.min(r.w * 0.2);
        let segments = 24;
        for i in 0..segments {
            let x0 = x + bar_w * i as f32 / segments as f32;
            let x1 = x + bar_w * (i + 1) as f32 / segments as f32 + 0.5;
            mesh.rounded_rect(
                [x0, y - 5.0],
                [x1, y + 5.0],
                0.0,
                Some(ramp(i as f64 / (segments - 1) as f64)),
                None,
            );
        }
        x += bar_w + 6.0;
        put(
            texts,
            &mut x,
            &format!("1 → {}", crate::fmt::fmt_int(n.max(1))),
            measure,
        );
    }
    // the other entries only where they fit whole
    let fits = |x: f32, label: &str, extra: f32, measure: &mut Measure| {
        x + extra + measure(label, size).0 + 10.0 <= end
    };
    x += 8.0;
    if density {
        let label = "shade: trials per pixel (log), colour: mean step";
        if fits(x, label, 40.0, measure) {
            for (i, a) in [90u8, 160, 255].iter().enumerate() {
                mesh.rounded_rect(
                    [x + i as f32 * 12.0, y - 5.0],
                    [x + i as f32 * 12.0 + 10.0, y + 5.0],
                    1.0,
                    Some(ramp(0.35).with_alpha(*a)),
                    None,
                );
            }
            x += 42.0;
            put(texts, &mut x, label, measure);
            x += 8.0;
        }
    } else if fits(x, "size: test accuracy", 40.0, measure) {
        for (i, rad) in [3.0f32, 5.0, 7.0].iter().enumerate() {
            mesh.disc([x + rad, y], *rad, theme.muted.with_alpha(150));
            x += rad * 2.0 + if i == 2 { 6.0 } else { 3.0 };
        }
        put(texts, &mut x, "size: test accuracy", measure);
        x += 8.0;
    }
    if fits(x, "current trial", 22.0, measure) {
        ring_from(mesh, [x, y], 8.0, (theme.current, 2.5));
        x += 22.0;
        put(texts, &mut x, "current trial", measure);
    }
    if fits(x, "best so far (validation)", 20.0, measure) {
        mesh.disc([x + 7.0, y], 7.0, theme.best);
        ring_from(mesh, [x, y], 7.0, (theme.text, 1.5));
        x += 20.0;
        put(texts, &mut x, "best so far (validation)", measure);
    }
}

/// A legend marker's ring of radius `r`, its left edge at `x`, centred
/// on `y`: `stroke` is its colour and width.
fn ring_from(mesh: &mut MeshBuilder, [x, y]: [f32; 2], r: f32, stroke: (Color, f32)) {
    mesh.rounded_rect([x, y - r], [x + 2.0 * r, y + r], r, None, Some(stroke));
}
