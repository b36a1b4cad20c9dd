//! The thin UI of the viewer, drawn: the bar's toolbar buttons and
//! timeline scrubber, as meshes and text runs like any view (where they
//! sit and what the pointer hits is [`super::bar`]; what floats above the
//! dashboard is `overlay.rs`); nothing here talks to the GPU or a window.

use super::bar::text_w;
pub use super::bar::{Button, Face, Target, UiLayout};
use super::command::Action;
use super::state::{RunMeta, ViewerState};
use crate::fmt::{fmt_int, fmt_speed};
use crate::layout::{nice_ticks, Rect};
use crate::render::{Color, HAlign, MeshBuilder, TextRun, VAlign};
use crate::scene::Theme;

/// Mesh and text of one UI layer.
pub(crate) struct UiPaint {
    pub mesh: MeshBuilder,
    pub texts: Vec<TextRun>,
    /// Where edit mode's menu rows were drawn (for the pointer).
    pub(crate) menu_rows: Vec<Rect>,
}

impl UiPaint {
    pub(super) fn new() -> Self {
        UiPaint {
            mesh: MeshBuilder::new(),
            texts: Vec::new(),
            menu_rows: Vec::new(),
        }
    }
}

const HOVER: Color = Color::hex(0xeceae3);
const PRESSED: Color = Color::hex(0xdcdad2);
const ON: Color = Color::hex(0xdde8fb);
const ICON: Color = Color::hex(0x3b4148);

/// The bar (timeline and toolbar), drawn under the overlays. `shown` is
/// the step on screen (fractional during a transition).
pub(crate) fn draw_bar(state: &ViewerState, shown: f32, theme: &Theme) -> UiPaint {
    let mut p = UiPaint::new();
    let ui = state.ui();
    let bar = ui.bar;
    if bar.h < 20.0 {
        return p;
    }
    p.mesh.rounded_rect(
        [bar.x, bar.y],
        [bar.right(), bar.bottom()],
        0.0,
        Some(theme.panel),
        None,
    );
    p.mesh.line(
        [bar.x, bar.y],
        [bar.right(), bar.y],
        theme.panel_border,
        1.0,
    );
    let Some(run) = state.runs().get(state.run()) else {
        return p;
    };
    draw_timeline(&mut p, state, run, shown, theme);
    for b in &ui.buttons {
        draw_button(&mut p, state, b, theme);
    }
    draw_bar_labels(&mut p, state, run, theme);
    p
}

/// Whether a button's toggle is on (the run on show, comparing, ...).
fn button_on(state: &ViewerState, action: Action) -> bool {
    match action {
        Action::SelectRun(i) => i == state.run() || Some(i) == state.other_run(),
        Action::ToggleCompare => state.comparing(),
        Action::ToggleTimeAxis => state.time_axis(),
        Action::ToggleHelp => state.help_shown(),
        Action::TogglePlay => state.shown_playing(),
        _ => false,
    }
}

/// One toolbar button: its face lit by hover, press and toggle, then its
/// label or icon.
fn draw_button(p: &mut UiPaint, state: &ViewerState, b: &Button, theme: &Theme) {
    let s = state.ui().scale;
    let r = b.rect;
    let hovered = state.hover() == Some(Target::Button(b.action));
    let on = button_on(state, b.action);
    let pressed = hovered && state.pressed() == Some(Target::Button(b.action));
    let fill = match (pressed, hovered, on) {
        (true, _, _) => PRESSED,
        (_, true, true) => Color::hex(0xc9dbf8),
        (_, true, false) => HOVER,
        (_, false, true) => ON,
        _ => theme.panel,
    };
    let stroke = if on { theme.accent } else { theme.panel_border };
    p.mesh.rounded_rect(
        [r.x, r.y],
        [r.right(), r.bottom()],
        6.0 * s,
        Some(fill),
        Some((stroke, 1.0)),
    );
    match &b.face {
        Face::Text(t) => button_label(p, state, b, t, theme),
        Face::Icon => icon(&mut p.mesh, b.action, state.shown_playing(), r, s, theme),
    }
}

/// A text button's label, coloured by what it stands for, and under a run's
/// button its group's colour when runs are grouped.
fn button_label(p: &mut UiPaint, state: &ViewerState, b: &Button, t: &str, theme: &Theme) {
    let ui = state.ui();
    let (s, r) = (ui.scale, b.rect);
    let label = match b.action {
        Action::ToggleTimeAxis if state.time_axis() => "x: time".to_string(),
        Action::CycleInsight => {
            format!("view: {}", state.page().map_or("dashboard", |k| k.name()))
        }
        _ => t.to_string(),
    };
    let color = match b.action {
        Action::SelectRun(i) if state.comparing() => {
            if i == state.run() {
                crate::scene::dashboard::RUN_COLORS[0]
            } else if Some(i) == state.other_run() {
                crate::scene::dashboard::RUN_COLORS[1]
            } else {
                theme.muted
            }
        }
        // lit while the newest trial is on show
        Action::GoLive if state.at_newest() => Color::hex(0xcf222e),
        Action::GoLive => theme.muted,
        _ => theme.text,
    };
    p.texts.push(
        TextRun::new(label, r.center(), 13.0 * s, color).aligned(HAlign::Center, VAlign::Middle),
    );
    // several groups of runs: each run's group colour beneath
    if let (Action::SelectRun(i), Some(groups)) = (b.action, &ui.run_groups) {
        if let Some(&g) = groups.get(i) {
            let c =
                crate::scene::insight::GROUP_COLORS[g % crate::scene::insight::GROUP_COLORS.len()];
            p.mesh.rounded_rect(
                [r.x + 6.0 * s, r.bottom() - 4.0 * s],
                [r.right() - 6.0 * s, r.bottom() - 1.5 * s],
                1.0,
                Some(c),
                None,
            );
        }
    }
}

/// The speed label, and the step label with what playback is doing.
fn draw_bar_labels(p: &mut UiPaint, state: &ViewerState, run: &RunMeta, theme: &Theme) {
    let ui = state.ui();
    let s = ui.scale;
    let font = 13.0 * s;
    let sl = ui.speed_label;
    p.texts.push(
        TextRun::new(
            format!("{} steps/s", fmt_speed(state.shown_speed())),
            sl.center(),
            font,
            theme.text,
        )
        .aligned(HAlign::Center, VAlign::Middle),
    );
    let st = ui.step_label;
    if st.w > 60.0 * s {
        let mut label = format!("step {} of {}", fmt_int(state.step() + 1), fmt_int(run.len));
        if let Some(o) = state.other_run().zip(state.other_step()) {
            let other = &state.runs()[o.0];
            label = format!("{label} · {} step {}", other.id, fmt_int(o.1 + 1));
        }
        let state_word = match state.second().or(state.selected()) {
            Some(t) if !state.shown_playing() => {
                format!("paused · selected step {} (Esc)", fmt_int(t.index + 1))
            }
            _ if state.live() && state.shown_playing() => "searching live".to_string(),
            _ if state.live() => "search paused · E edits".to_string(),
            _ if state.shown_playing() => "playing".to_string(),
            _ => "paused".to_string(),
        };
        let state_word = if state.following() && !state.at_newest() {
            format!("{state_word} · LIVE returns")
        } else {
            state_word
        };
        let full = format!("{label} · {state_word}");
        let text = if text_w(&full, font) <= st.w {
            full
        } else {
            label
        };
        p.texts.push(
            TextRun::new(text, [st.right(), st.y + st.h / 2.0], font, theme.muted)
                .aligned(HAlign::Right, VAlign::Middle),
        );
    }
}

fn draw_timeline(p: &mut UiPaint, state: &ViewerState, run: &RunMeta, shown: f32, theme: &Theme) {
    let ui = state.ui();
    let s = ui.scale;
    let (x0, x1, y) = ui.track();
    let len = run.len;
    let hovered = state.hover() == Some(Target::Scrubber) || state.scrubbing();
    let th = if hovered { 4.0 } else { 3.0 } * s;
    p.mesh.rounded_rect(
        [x0, y - th],
        [x1, y + th],
        th,
        Some(Color::hex(0xe3e1da)),
        None,
    );
    let hx = ui.x_of(shown, len);
    if hx > x0 + 0.5 {
        p.mesh
            .rounded_rect([x0, y - th], [hx, y + th], th, Some(theme.accent), None);
    }
    // ticks and their labels under the track
    if len > 1 {
        let n = (((x1 - x0) / (110.0 * s)) as usize).clamp(2, 12);
        // steps count from 1 on screen: ticks at round step numbers
        let ticks = nice_ticks(1.0, len as f64, n);
        for &v in &ticks.values {
            // whole steps only (a short run's ticks fall between them)
            if v < 1.0 || v > len as f64 || v.fract() != 0.0 {
                continue;
            }
            let x = ui.x_of(v as f32 - 1.0, len);
            p.mesh.line(
                [x, y + th + 2.0 * s],
                [x, y + th + 6.0 * s],
                theme.axis,
                1.0,
            );
            let label = fmt_int(v as usize);
            // the last label ends at its tick when centring it would run
            // past the window's edge
            let half = super::bar::text_w(&label, 10.5 * s) / 2.0;
            let h = if x + half > ui.bar.right() - 4.0 * s {
                HAlign::Right
            } else {
                HAlign::Center
            };
            p.texts.push(
                TextRun::new(label, [x, y + th + 7.0 * s], 10.5 * s, theme.muted)
                    .aligned(h, VAlign::Top),
            );
        }
    }
    // new bests: small gold marks above the track
    let mut last_x = f32::NEG_INFINITY;
    for &i in &run.improvements {
        let x = ui.x_of(i as f32, len);
        if x - last_x < 2.0 {
            continue;
        }
        last_x = x;
        let top = y - th - 8.0 * s;
        p.mesh.polygon(
            &[
                [x, y - th - 1.5 * s],
                [x - 3.5 * s, top],
                [x + 3.5 * s, top],
            ],
            theme.best,
        );
    }
    // steer events: marks below the track in the user's colour
    for (i, _) in &run.steers {
        let x = ui.x_of(*i as f32, len);
        let top = y + th + 1.5 * s;
        p.mesh.polygon(
            &[
                [x, top],
                [x - 4.0 * s, top + 7.0 * s],
                [x + 4.0 * s, top + 7.0 * s],
            ],
            theme.user,
        );
    }
    // the handle
    let r = if hovered { 8.0 } else { 7.0 } * s;
    p.mesh.rounded_rect(
        [hx - r, y - r],
        [hx + r, y + r],
        r,
        Some(Color::WHITE),
        Some((theme.accent, 2.5 * s)),
    );
}

/// An icon centred in `r`.
fn icon(m: &mut MeshBuilder, a: Action, playing: bool, r: Rect, s: f32, theme: &Theme) {
    let [cx, cy] = r.center();
    let k = 6.0 * s;
    let tri_r = |m: &mut MeshBuilder, x: f32, size: f32| {
        m.polygon(
            &[
                [x - size * 0.6, cy - size],
                [x + size * 0.9, cy],
                [x - size * 0.6, cy + size],
            ],
            ICON,
        );
    };
    let tri_l = |m: &mut MeshBuilder, x: f32, size: f32| {
        m.polygon(
            &[
                [x + size * 0.6, cy - size],
                [x - size * 0.9, cy],
                [x + size * 0.6, cy + size],
            ],
            ICON,
        );
    };
    let bar = |m: &mut MeshBuilder, x: f32, half: f32| {
        m.rounded_rect(
            [x - 1.3 * s, cy - half],
            [x + 1.3 * s, cy + half],
            0.5,
            Some(ICON),
            None,
        );
    };
    match a {
        Action::TogglePlay if playing => {
            bar(m, cx - 3.5 * s, k);
            bar(m, cx + 3.5 * s, k);
        }
        Action::TogglePlay => tri_r(m, cx, k),
        Action::StepForward => {
            tri_r(m, cx - 1.5 * s, k * 0.75);
            bar(m, cx + 5.0 * s, k * 0.75);
        }
        Action::StepBack => {
            tri_l(m, cx + 1.5 * s, k * 0.75);
            bar(m, cx - 5.0 * s, k * 0.75);
        }
        Action::Start => {
            bar(m, cx - 6.0 * s, k * 0.75);
            tri_l(m, cx - 0.5 * s, k * 0.75);
            tri_l(m, cx + 5.5 * s, k * 0.75);
        }
        Action::End => {
            tri_r(m, cx - 5.5 * s, k * 0.75);
            tri_r(m, cx + 0.5 * s, k * 0.75);
            bar(m, cx + 6.0 * s, k * 0.75);
        }
        Action::Best => {
            m.disc([cx, cy], 7.0 * s, theme.best);
            m.rounded_rect(
                [cx - 7.0 * s, cy - 7.0 * s],
                [cx + 7.0 * s, cy + 7.0 * s],
                7.0 * s,
                None,
                Some((theme.text, 1.5 * s)),
            );
        }
        Action::SpeedDown | Action::SpeedUp => {
            m.line([cx - k, cy], [cx + k, cy], ICON, 2.2 * s);
            if a == Action::SpeedUp {
                m.line([cx, cy - k], [cx, cy + k], ICON, 2.2 * s);
            }
        }
        _ => {}
    }
}
