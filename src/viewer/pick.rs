//! What the pointer is over: points of the plots, the best-so-far line,
//! the architecture's layers and edges, the table's rows (`spot_at`).

use super::*;

impl Viewer {
    /// The topmost point of run `r` in plot `k` (0 scatter, 1 line) under
    /// `p`, through the run's pick grid.
    pub(super) fn pick(
        &mut self,
        r: usize,
        k: usize,
        area: PixelRect,
        view: ViewTransform,
        p: [f32; 2],
    ) -> Option<usize> {
        let cache = self.caches.get(r)?;
        let circles = cache.points(k);
        let grid = &mut self.grids.get_mut(r)?[k];
        grid.sync(circles, view, area, cache.generation());
        grid.pick(p)
    }

    /// Where the last frame drew trial `t`'s point in `plot` (pixels),
    /// when it is on show.
    pub fn point_of(&self, t: TrialRef, plot: Plot) -> Option<[f32; 2]> {
        self.drawn(t, plot.index()).map(|(_, p)| p)
    }

    /// Trial `t`'s circle in plot `k` (0 scatter, 1 line) as the last
    /// frame drew it, and its pixel position, when it is on show.
    pub(super) fn drawn(&self, t: TrialRef, k: usize) -> Option<(Circle, [f32; 2])> {
        let (area, view) = *self.geom.plots.get(k)?.as_ref()?;
        if t.run != self.geom.runs.0 && Some(t.run) != self.geom.runs.1 {
            return None;
        }
        let c = *self.caches.get(t.run)?.points(k).get(t.index)?;
        let p = view.apply(c.center);
        inside(area, p).then_some((c, p))
    }

    /// Where the last frame drew box `i` of the architecture view.
    pub fn node_center(&self, i: usize) -> Option<[f32; 2]> {
        Some(self.geom.dag.as_ref()?.nodes.get(i)?.center)
    }

    /// What the last frame has under pixel `p`.
    pub fn spot_at(&mut self, p: [f32; 2]) -> Spot {
        let g = self.geom.clone();
        let mut spot = Spot::default();
        for (k, plot) in [Plot::Scatter, Plot::Line].into_iter().enumerate() {
            let Some((area, view)) = g.plots[k] else {
                continue;
            };
            if !inside(area, p) {
                continue;
            }
            spot.plot = Some(PlotAt {
                plot,
                frac: [
                    ((p[0] - area.x) / area.w.max(1.0)) as f64,
                    ((area.y + area.h - p[1]) / area.h.max(1.0)) as f64,
                ],
                size: [area.w, area.h],
            });
            // the first run's points are drawn over the compared run's
            for r in [Some(g.runs.0), g.runs.1].into_iter().flatten() {
                if let Some(i) = self.pick(r, k, area, view, p) {
                    spot.thing = Some(Thing::Point(TrialRef { run: r, index: i }));
                    return spot;
                }
            }
            if plot == Plot::Line {
                spot.thing = self.best_line_at(g.runs.0, g.step, view, p);
            }
            return spot;
        }
        if let Some(k) = g.hits.iter().rposition(|(r, _)| r.contains_point(p)) {
            spot.thing = Some(match g.hits[k].1 {
                crate::scene::insight::Hit::Trial(index) => Thing::Point(TrialRef {
                    run: g.runs.0,
                    index,
                }),
                _ => Thing::Choice(k),
            });
            return spot;
        }
        if let Some(pic) = &g.dag {
            let node = pic.nodes.iter().rposition(|n| {
                let (w, h) = (n.size[0] * n.scale / 2.0, n.size[1] * n.scale / 2.0);
                n.alpha > 0.3 && (p[0] - n.center[0]).abs() <= w && (p[1] - n.center[1]).abs() <= h
            });
            if let Some(i) = node {
                spot.thing = Some(Thing::Node(i));
                return spot;
            }
            let edge = pic.edges.iter().rposition(|e| {
                e.alpha > 0.3 && tips::polyline_distance(&e.points, p) <= EDGE_REACH
            });
            if let Some(e) = edge {
                spot.thing = Some(Thing::Edge(e));
                return spot;
            }
        }
        if let Some(t) = g.table {
            if let Some(row) = g.rows.iter().position(|r| r.contains_point(p)) {
                let st = self.analytics.get(t.run).and_then(|a| a.step(t.index));
                let index = match row {
                    BEST_ROW | BEST_LAYERS_ROW => st.map(|s| s.best),
                    EFFECTIVE_ROW => st.and_then(|s| s.most_effective).map(|e| e.step),
                    _ => None,
                };
                if let Some(index) = index {
                    spot.thing = Some(Thing::Row {
                        trial: TrialRef { run: t.run, index },
                        row,
                    });
                }
            }
        }
        spot
    }

    /// The best-so-far line of run `r` near `p` in the line chart, up to
    /// `step`.
    pub(super) fn best_line_at(
        &self,
        r: usize,
        step: usize,
        view: ViewTransform,
        p: [f32; 2],
    ) -> Option<Thing> {
        let meta = self.state.runs().get(r)?;
        let run = self.runs.get(r)?;
        let x = view.invert(p)[0] as f64;
        let at = match meta.times.as_deref().filter(|_| self.state.time_axis()) {
            Some(times) => times.partition_point(|&t| t <= x).checked_sub(1)?,
            None if x >= -0.5 => x.round() as usize,
            None => return None,
        };
        if at > step {
            return None;
        }
        let best = meta.best_at(at)?;
        let val = run.trials.get(best)?.metrics.val_acc as f32;
        let y = view.apply([0.0, val])[1];
        ((y - p[1]).abs() <= LINE_REACH).then_some(Thing::Best {
            trial: TrialRef {
                run: r,
                index: best,
            },
            step: at,
        })
    }
}
