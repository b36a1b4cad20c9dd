//! Where the viewer's bar (timeline and toolbar) sits in a window of a
//! given size, and what the pointer hits there ([`UiLayout`]): geometry
//! only, so the state can hit-test without drawing (`ui.rs` draws it).

use super::command::Action;
use crate::layout::Rect;

/// Something under the pointer that reacts to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    Button(Action),
    Scrubber,
}

/// How a button is drawn.
#[derive(Clone, Debug, PartialEq)]
pub enum Face {
    Icon,
    Text(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Button {
    pub action: Action,
    pub rect: Rect,
    pub face: Face,
}

/// Where the UI sits in a window of a given size.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UiLayout {
    /// The strip under the dashboard holding the timeline and toolbar.
    pub bar: Rect,
    /// The timeline's hit region (the track runs along its middle).
    pub scrubber: Rect,
    pub buttons: Vec<Button>,
    /// Where the speed reads (between − and +).
    pub(crate) speed_label: Rect,
    /// Where the step reads (right of the toolbar).
    pub step_label: Rect,
    /// Height left for the dashboard above the bar.
    pub dashboard_height: u32,
    pub scale: f32,
    /// Each run's group (strategy and benchmark), when there are several:
    /// its run buttons are set apart and underlined in the group's colour.
    pub(crate) run_groups: Option<Vec<usize>>,
}

/// Height of the bar at scale 1.
const BAR_H: f32 = 90.0;

/// Text width estimate for laying out buttons (DejaVu Sans, generous).
pub(crate) fn text_w(s: &str, size: f32) -> f32 {
    s.chars().count() as f32 * size * 0.62
}

impl UiLayout {
    /// The layout for a `size` window at `scale`, with a button per run.
    pub fn new(
        size: (u32, u32),
        scale: f32,
        (run_ids, groups): (&[String], &[usize]),
        editable: bool,
        badge: bool,
    ) -> UiLayout {
        let s = scale;
        let (w, h) = (size.0 as f32, size.1 as f32);
        let bar_h = (BAR_H * s).min(h * 0.5).floor();
        let bar = Rect::new(0.0, h - bar_h, w, bar_h);
        let m = 16.0 * s;
        let scrubber = Rect::new(m, bar.y + 8.0 * s, (w - 2.0 * m).max(1.0), 36.0 * s);
        let row_y = bar.y + 52.0 * s;
        let bh = 30.0 * s;
        let icon_w = 34.0 * s;
        let gap = 4.0 * s;
        let group = 14.0 * s;
        let font = 13.0 * s;
        let mut buttons = Vec::new();
        let mut x = m;
        let right_limit = w - m - icon_w - 120.0 * s;
        // a button at `x` (left out when it would not fit), then a gap
        let put = |buttons: &mut Vec<Button>, x: &mut f32, action, face: Face| {
            let bw = match &face {
                Face::Icon => icon_w,
                Face::Text(t) => text_w(t, font) + 18.0 * s,
            };
            if *x + bw <= right_limit {
                buttons.push(Button {
                    action,
                    rect: Rect::new(*x, row_y, bw, bh),
                    face,
                });
            }
            *x += bw + gap;
        };
        for a in [
            Action::Start,
            Action::StepBack,
            Action::TogglePlay,
            Action::StepForward,
            Action::End,
        ] {
            put(&mut buttons, &mut x, a, Face::Icon);
        }
        x += group - gap;
        put(&mut buttons, &mut x, Action::Best, Face::Icon);
        x += group - gap;
        put(&mut buttons, &mut x, Action::SpeedDown, Face::Icon);
        let speed_w = text_w("1,000 steps/s", font) + 8.0 * s;
        let speed_label = Rect::new(x, row_y, speed_w, bh);
        x += speed_w + gap;
        put(&mut buttons, &mut x, Action::SpeedUp, Face::Icon);
        x += group - gap;
        if run_ids.len() > 1 {
            for (i, id) in run_ids.iter().enumerate().take(9) {
                if i > 0 && groups.get(i) != groups.get(i - 1) {
                    x += group - gap;
                }
                let label = Face::Text(format!("{} {id}", i + 1));
                put(&mut buttons, &mut x, Action::SelectRun(i), label);
            }
            x += group - gap;
            let label = Face::Text("compare".into());
            put(&mut buttons, &mut x, Action::ToggleCompare, label);
        }
        let label = Face::Text("x: step".into());
        put(&mut buttons, &mut x, Action::ToggleTimeAxis, label);
        let label = Face::Text("view: lineage".into());
        put(&mut buttons, &mut x, Action::CycleInsight, label);
        if editable {
            let label = Face::Text("edit".into());
            put(&mut buttons, &mut x, Action::Edit, label);
        }
        let help = Rect::new(w - m - icon_w, row_y, icon_w, bh);
        buttons.push(Button {
            action: Action::ToggleHelp,
            rect: help,
            face: Face::Text("?".into()),
        });
        let mut right = help.x;
        if badge {
            let bw = text_w("● LIVE", font) + 18.0 * s;
            let r = Rect::new(help.x - gap - bw, row_y, bw, bh);
            buttons.push(Button {
                action: Action::GoLive,
                rect: r,
                face: Face::Text("● LIVE".into()),
            });
            right = r.x;
        }
        let step_label = Rect::from_edges(x, row_y, right - 10.0 * s, row_y + bh);
        UiLayout {
            bar,
            scrubber,
            buttons,
            speed_label,
            step_label,
            dashboard_height: bar.y.max(0.0) as u32,
            scale: s,
            run_groups: groups.iter().any(|&g| g > 0).then(|| groups.to_vec()),
        }
    }

    /// The button of an action, if it is on the toolbar.
    pub fn button(&self, a: Action) -> Option<&Button> {
        self.buttons.iter().find(|b| b.action == a)
    }

    /// What is at pixel `p`.
    pub fn hit(&self, p: [f32; 2]) -> Option<Target> {
        if let Some(b) = self.buttons.iter().find(|b| b.rect.contains_point(p)) {
            return Some(Target::Button(b.action));
        }
        if self.scrubber.contains_point(p) {
            return Some(Target::Scrubber);
        }
        None
    }

    /// The track of the timeline: `(x0, x1, y)` of its centre line.
    pub fn track(&self) -> (f32, f32, f32) {
        let r = self.scrubber;
        (
            r.x + 8.0 * self.scale,
            r.right() - 8.0 * self.scale,
            r.y + 13.0 * self.scale,
        )
    }

    /// The step under pixel column `x` of a run of `len` trials.
    pub(crate) fn step_at(&self, x: f32, len: usize) -> usize {
        let (x0, x1, _) = self.track();
        if len <= 1 || x1 <= x0 {
            return 0;
        }
        let f = ((x - x0) / (x1 - x0)).clamp(0.0, 1.0);
        (f * (len - 1) as f32).round() as usize
    }

    /// The pixel column of `step` on the track.
    pub(crate) fn x_of(&self, step: f32, len: usize) -> f32 {
        let (x0, x1, _) = self.track();
        if len <= 1 {
            return x0;
        }
        x0 + (x1 - x0) * (step / (len - 1) as f32).clamp(0.0, 1.0)
    }
}
