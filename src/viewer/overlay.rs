//! What floats above the dashboard, drawn: the hovered thing's tooltip (a
//! button's, or the dashboard's [`Tip`]), a box-zoom's box, edit mode's
//! focus and menu, the queue strip of a steered study, the notice and the
//! key help.

use super::bar::text_w;
use super::command::Action;
use super::state::{ViewerState, SPEEDS};
use super::ui::{Target, UiPaint};
use crate::fmt::{fmt_int, fmt_speed};
use crate::layout::Rect;
use crate::render::{Color, HAlign, MeshBuilder, TextRun, VAlign};
use crate::scene::{Measure, Theme};

/// What edit mode shows over the dashboard, as plain data.
#[derive(Clone, Debug, Default)]
pub(crate) struct EditView {
    /// The layer in focus (a box) or the edge (its curve).
    pub(crate) focus_box: Option<Rect>,
    pub(crate) focus_path: Vec<[f32; 2]>,
    /// The layer a new edge starts from.
    pub(crate) link_from: Option<Rect>,
    /// Where the panel goes beside.
    pub avoid: Rect,
    pub title: String,
    pub rows: Vec<MenuRow>,
    /// The highlighted row.
    pub at: Option<usize>,
    /// A refusal or the next step, in the note colour.
    pub message: Option<String>,
    /// The keys that work now.
    pub keys: String,
}

/// The strip of trials enqueued into a followed study, as plain data.
#[derive(Clone, Debug, Default)]
pub(crate) struct QueueView {
    pub title: String,
    /// One line a trial (queued, running, landed), in its colour.
    pub lines: Vec<(String, Color)>,
    /// The panel the strip sits in (its top right).
    pub anchor: Rect,
}

/// One line of edit mode's menu.
#[derive(Clone, Debug)]
pub(crate) struct MenuRow {
    pub label: String,
    /// The numbers, e.g. `val 78.10% (+0.40 pp) · test ...`, or the reason
    /// it is refused.
    pub(crate) detail: String,
    pub color: Color,
    pub best: bool,
}

/// A tooltip of the dashboard: a title and lines, placed beside `avoid`
/// (the hovered thing's box), never over it.
#[derive(Clone, Debug, PartialEq)]
pub struct Tip {
    pub avoid: Rect,
    /// Ring `avoid` (a box of the architecture, a table row) to show what
    /// the tooltip is about.
    pub outline: bool,
    pub title: String,
    pub lines: Vec<(String, Color)>,
}

/// Text colours of tooltip lines.
pub(crate) const TIP_TEXT: Color = Color::hex(0xd8dee4);
pub(crate) const TIP_GOOD: Color = Color::hex(0x7ee2a8);
pub(crate) const TIP_BAD: Color = Color::hex(0xff9492);
pub(crate) const TIP_NOTE: Color = Color::hex(0xf2cc60);

/// Where a box of `size` goes beside `avoid` inside a `w` x `h` window:
/// right of it, else left, below, above; clamped into the window.
pub(crate) fn place_beside(avoid: Rect, size: [f32; 2], w: f32, h: f32, gap: f32) -> [f32; 2] {
    let fits =
        |x: f32, y: f32| x >= 2.0 && y >= 2.0 && x + size[0] <= w - 2.0 && y + size[1] <= h - 2.0;
    let cy = (avoid.y + avoid.h / 2.0 - size[1] * 0.3).clamp(2.0, (h - size[1] - 2.0).max(2.0));
    let cx = (avoid.x + avoid.w / 2.0 - size[0] / 2.0).clamp(2.0, (w - size[0] - 2.0).max(2.0));
    let candidates = [
        [avoid.right() + gap, cy],
        [avoid.x - gap - size[0], cy],
        [cx, avoid.bottom() + gap],
        [cx, avoid.y - gap - size[1]],
    ];
    for c in candidates {
        if fits(c[0], c[1]) {
            return c;
        }
    }
    [
        candidates[0][0].clamp(2.0, (w - size[0] - 2.0).max(2.0)),
        candidates[0][1],
    ]
}

/// The dashboard tooltip: a dark rounded box with a soft shadow.
fn draw_tip(p: &mut UiPaint, tip: &Tip, w: f32, h: f32, s: f32, measure: &mut Measure) {
    let title = 13.5 * s;
    let body = 12.5 * s;
    let pad = 10.0 * s;
    let line_h = body * 1.45;
    let mut tw = measure(&tip.title, title).0;
    for (l, _) in &tip.lines {
        tw = tw.max(measure(l, body).0);
    }
    let tw = tw.min(w * 0.6);
    let size = [
        tw + 2.0 * pad,
        title * 1.5 + tip.lines.len() as f32 * line_h + 1.6 * pad,
    ];
    let [x, y] = place_beside(tip.avoid, size, w, h, 10.0 * s);
    if tip.outline {
        let a = tip.avoid;
        p.mesh.rounded_rect(
            [a.x - 3.0 * s, a.y - 3.0 * s],
            [a.right() + 3.0 * s, a.bottom() + 3.0 * s],
            8.0 * s,
            None,
            Some((Color::hex(0x8250df), 2.5 * s)),
        );
    }
    let box_ = Rect::new(x, y, size[0], size[1]);
    let fill = Color::rgba(30, 34, 40, 242);
    let mut ly = titled_box(p, box_, fill, (&tip.title, title), [pad, pad * 0.8], 1.5, s);
    for (line, color) in &tip.lines {
        p.texts
            .push(TextRun::new(line.clone(), [x + pad, ly], body, *color));
        ly += line_h;
    }
}

/// What floats above everything: the hovered thing's tooltip (a button's,
/// or `tip` from the dashboard), a box-zoom's box, a notice, and the key
/// help.
pub(crate) fn draw_overlay(
    state: &ViewerState,
    tip: Option<&Tip>,
    edit: Option<&EditView>,
    queue: Option<&QueueView>,
    theme: &Theme,
    measure: &mut Measure,
) -> UiPaint {
    let mut p = UiPaint::new();
    let ui = state.ui();
    let s = ui.scale;
    let (w, h) = (state.size().0 as f32, state.size().1 as f32);
    let dark = Color::rgba(36, 41, 47, 238);
    let font = 12.5 * s;
    if let Some((a, b)) = state.zoom_box() {
        let (min, max) = (
            [a[0].min(b[0]), a[1].min(b[1])],
            [a[0].max(b[0]), a[1].max(b[1])],
        );
        p.mesh.rounded_rect(
            min,
            max,
            0.0,
            Some(theme.accent.with_alpha(40)),
            Some((theme.accent, 1.2)),
        );
    }
    if let Some(q) = queue {
        if !state.help_shown() {
            draw_queue(&mut p, q, s, measure);
        }
    }
    if let Some(e) = edit {
        if !state.help_shown() {
            draw_edit(&mut p, e, w, h, s, theme, measure);
        }
    }
    if let Some(t) = tip {
        if !state.help_shown() {
            draw_tip(&mut p, t, w, h, s, measure);
        }
    }
    if let Some(Target::Button(a)) = state.hover() {
        if let Some(b) = ui.button(a) {
            let what = match a {
                Action::SelectRun(i) => match state.runs().get(i) {
                    Some(r) => format!("Show run {} ({} trials)", r.id, fmt_int(r.len)),
                    None => a.describe().to_string(),
                },
                _ => a.describe().to_string(),
            };
            let text = format!("{what}   {}", a.key_name());
            let tw = text_w(&text, font) * 0.92 + 20.0 * s;
            let th = 26.0 * s;
            let x = (b.rect.center()[0] - tw / 2.0).clamp(4.0, (w - tw - 4.0).max(4.0));
            let y = (b.rect.y - th - 8.0 * s).max(4.0);
            tooltip_box(&mut p.mesh, [x, y], [x + tw, y + th], s, dark);
            p.texts.push(
                TextRun::new(text, [x + tw / 2.0, y + th / 2.0], font, Color::WHITE)
                    .aligned(HAlign::Center, VAlign::Middle),
            );
        }
    }
    if let Some(msg) = state.notice() {
        let tw = text_w(msg, font) * 0.92 + 28.0 * s;
        let th = 30.0 * s;
        let x = (w - tw) / 2.0;
        // over the timeline for the moment it shows, not over the table's
        // or the line chart's last rows
        let y = ui.scrubber.y + (ui.scrubber.h - th) / 2.0;
        tooltip_box(&mut p.mesh, [x, y], [x + tw, y + th], s, dark);
        p.texts.push(
            TextRun::new(msg, [w / 2.0, y + th / 2.0], font, Color::WHITE)
                .aligned(HAlign::Center, VAlign::Middle),
        );
    }
    if state.help_shown() {
        help(&mut p, state, w, h, s, theme);
    }
    p
}

/// The queue strip: a dark box at the top right of its panel, a title
/// and one line per enqueued trial.
fn draw_queue(p: &mut UiPaint, q: &QueueView, s: f32, measure: &mut Measure) {
    let title = 12.5 * s;
    let body = 11.5 * s;
    let pad = 8.0 * s;
    let line_h = body * 1.55;
    let head = measure(&q.title, title).0;
    let tw = q
        .lines
        .iter()
        .map(|(l, _)| measure(l, body).0)
        .fold(head, f32::max);
    let bw = (tw + 2.0 * pad).min(q.anchor.w - 16.0 * s);
    let bh = pad * 2.0 + title * 1.4 + line_h * q.lines.len() as f32;
    let x = q.anchor.right() - bw - 10.0 * s;
    let y = q.anchor.y + 30.0 * s;
    let box_ = Rect::new(x, y, bw, bh);
    let fill = Color::rgba(36, 41, 47, 230);
    let mut ly = titled_box(p, box_, fill, (&q.title, title), [pad, pad], 1.4, s);
    for (line, color) in &q.lines {
        p.texts
            .push(TextRun::new(line.clone(), [x + pad, ly], body, *color));
        ly += line_h;
    }
}

/// Edit mode's focus: the ring around the focused layer (and the layer an
/// edge being added starts from), or the focused edge's path.
fn draw_edit_focus(p: &mut UiPaint, e: &EditView, s: f32, theme: &Theme) {
    let ring = |p: &mut UiPaint, r: Rect, c: Color| {
        p.mesh.rounded_rect(
            [r.x - 4.0 * s, r.y - 4.0 * s],
            [r.right() + 4.0 * s, r.bottom() + 4.0 * s],
            8.0 * s,
            None,
            Some((c, 3.0 * s)),
        );
    };
    if let Some(r) = e.link_from {
        ring(p, r, theme.user);
    }
    if let Some(r) = e.focus_box {
        ring(p, r, Color::WHITE);
        ring(p, r, theme.selected);
    }
    if e.focus_path.len() >= 2 {
        p.mesh
            .polyline(&e.focus_path, theme.selected.with_alpha(150), 7.0 * s);
    }
}

/// Edit mode: the focus ring, and the panel with the menu of previewed
/// edits (or the keys), beside the focus.
fn draw_edit(
    p: &mut UiPaint,
    e: &EditView,
    w: f32,
    h: f32,
    s: f32,
    theme: &Theme,
    measure: &mut Measure,
) {
    draw_edit_focus(p, e, s, theme);
    let title = 13.5 * s;
    let body = 12.5 * s;
    let pad = 10.0 * s;
    let line_h = body * 1.6;
    let mut tw = measure(&e.title, title)
        .0
        .max(measure(&e.keys, body * 0.92).0);
    let label_w = e
        .rows
        .iter()
        .map(|r| measure(&format!("9  {}", r.label), body).0)
        .fold(0.0f32, f32::max);
    let detail_w = e
        .rows
        .iter()
        .map(|r| measure(&format!("{}  ★ best", r.detail), body).0)
        .fold(0.0f32, f32::max);
    tw = tw.max(label_w + 16.0 * s + detail_w);
    if let Some(m) = &e.message {
        tw = tw.max(measure(m, body).0);
    }
    let tw = tw.min(w * 0.7);
    let lines = e.rows.len() + usize::from(e.message.is_some());
    let size = [
        tw + 2.0 * pad,
        title * 1.6 + lines as f32 * line_h + body * 1.5 + 1.6 * pad,
    ];
    let [x, y] = place_beside(e.avoid, size, w, h, 14.0 * s);
    let box_ = Rect::new(x, y, size[0], size[1]);
    let fill = Color::rgba(30, 34, 40, 246);
    let mut ly = titled_box(p, box_, fill, (&e.title, title), [pad, pad * 0.8], 1.6, s);
    for (i, r) in e.rows.iter().enumerate() {
        let row = Rect::new(x + 4.0 * s, ly - 0.25 * body, size[0] - 8.0 * s, line_h);
        if e.at == Some(i) {
            p.mesh.rounded_rect(
                [row.x, row.y],
                [row.right(), row.bottom()],
                4.0 * s,
                Some(theme.selected.with_alpha(150)),
                None,
            );
        }
        p.menu_rows.push(row);
        p.texts.push(TextRun::new(
            format!("{}  {}", i + 1, r.label),
            [x + pad, ly],
            body,
            Color::WHITE,
        ));
        let detail = if r.best {
            format!("{}  ★ best", r.detail)
        } else {
            r.detail.clone()
        };
        p.texts.push(TextRun::new(
            detail,
            [x + pad + label_w + 16.0 * s, ly],
            body,
            r.color,
        ));
        ly += line_h;
    }
    if let Some(m) = &e.message {
        p.texts
            .push(TextRun::new(m.clone(), [x + pad, ly], body, TIP_NOTE));
        ly += line_h;
    }
    p.texts.push(TextRun::new(
        e.keys.clone(),
        [x + pad, ly + 0.2 * body],
        body * 0.92,
        Color::hex(0x9aa4ae),
    ));
}

/// A dark box over `r` with a soft shadow and a white title (text and
/// size) `inset` from its corner; returns where the first line under the
/// title goes, `gap` title sizes below it.
fn titled_box(
    p: &mut UiPaint,
    r: Rect,
    fill: Color,
    (text, size): (&str, f32),
    inset: [f32; 2],
    gap: f32,
    s: f32,
) -> f32 {
    tooltip_box(&mut p.mesh, [r.x, r.y], [r.right(), r.bottom()], s, fill);
    let top = r.y + inset[1];
    p.texts.push(TextRun::new(
        text,
        [r.x + inset[0], top],
        size,
        Color::WHITE,
    ));
    top + size * gap
}

fn tooltip_box(m: &mut MeshBuilder, min: [f32; 2], max: [f32; 2], s: f32, fill: Color) {
    // a soft shadow: a few widening, fading rings
    for i in 1..=4 {
        let d = i as f32 * 1.5 * s;
        m.rounded_rect(
            [min[0] - d + s, min[1] - d + 2.0 * s],
            [max[0] + d + s, max[1] + d + 2.0 * s],
            6.0 * s + d,
            Some(Color::rgba(0, 0, 0, 14)),
            None,
        );
    }
    m.rounded_rect(min, max, 6.0 * s, Some(fill), None);
}

/// The keys every viewer takes, as (keys, what they do); the speed row is
/// added by [`help_rows`].
const HELP_KEYS: [(&str, &str); 19] = [
    ("Space", "play / pause"),
    ("← →", "step back / forward"),
    ("Home  End", "first / last step"),
    ("B", "the best trial so far"),
    ("1 … 9", "show that run (toolbar: run buttons)"),
    ("C", "compare two runs on one timeline"),
    ("T", "x axis: step or simulated time"),
    ("drag timeline", "scrub to any step"),
    (
        "hover / click",
        "a trial's numbers / select it (DAG and table follow)",
    ),
    ("Shift+click", "a second trial: diff the two architectures"),
    ("[  ]  P", "select the trial before / after / parent"),
    ("{  }", "move the diff's second trial"),
    ("Esc", "leave the selection (back to the step)"),
    ("wheel / drag", "zoom / pan a plot (Ctrl+drag: box zoom)"),
    ("double-click  Z", "reset the zoom"),
    ("D", "scatter: auto, density (trials per pixel), circles"),
    (
        "V  K  A",
        "insight views; Pareto: next cost / test accuracy",
    ),
    ("? or F1", "this help (Esc or any key closes)"),
    ("Q  Ctrl+Q  Ctrl+W", "quit"),
];

/// The keys of a followed Optuna study that takes edits.
const HELP_STUDY: [(&str, &str); 2] = [
    (
        "E (followed study)",
        "edit a trial; Enter enqueues it for the study's workers",
    ),
    (
        "Ctrl+Z",
        "withdraw the newest enqueued trial, while it waits",
    ),
];

/// The keys of a live search.
const HELP_LIVE: [(&str, &str); 3] = [
    (
        "Space (live run)",
        "run / pause the search; each step is a new trial",
    ),
    (
        "E",
        "edit: Tab a layer or edge; A add, D delete, O op, L edge",
    ),
    ("Ctrl+Z  Ctrl+S", "undo an edit / save the session anew"),
];

/// The key help's rows for what this viewer shows: the common keys, the
/// speeds it offers, a study's or a live search's keys before the last two
/// rows, and quitting where Q quits.
fn help_rows(state: &ViewerState) -> Vec<(String, String)> {
    let speeds: Vec<String> = SPEEDS.iter().map(|&x| fmt_speed(x)).collect();
    let own = |rows: &[(&str, &str)]| -> Vec<(String, String)> {
        rows.iter()
            .map(|(k, d)| (k.to_string(), d.to_string()))
            .collect()
    };
    let mut rows = own(&HELP_KEYS);
    rows.insert(
        4,
        (
            "−  +".into(),
            format!("speed: {} steps/s", speeds.join(", ")),
        ),
    );
    if state.steerable() {
        let at = rows.len() - 2;
        rows.splice(at..at, own(&HELP_STUDY));
    }
    if state.runs().iter().any(|r| r.live) {
        let at = rows.len() - 2;
        rows.splice(at..at, own(&HELP_LIVE));
    }
    if !state.quit_key() {
        rows.retain(|(_, d)| d != "quit");
    }
    rows
}

/// The key help, centred over a dimmed window.
fn help(p: &mut UiPaint, state: &ViewerState, w: f32, h: f32, s: f32, theme: &Theme) {
    p.mesh.rounded_rect(
        [0.0, 0.0],
        [w, h],
        0.0,
        Some(Color::rgba(20, 22, 26, 130)),
        None,
    );
    let rows = help_rows(state);
    let title = 19.0 * s;
    let body = 14.0 * s;
    let row_h = body * 1.85;
    let pw = (620.0 * s).min(w - 24.0);
    let ph = (title * 2.6 + rows.len() as f32 * row_h + body * 3.2).min(h - 24.0);
    let x = (w - pw) / 2.0;
    let y = (h - ph) / 2.0;
    tooltip_box(&mut p.mesh, [x, y], [x + pw, y + ph], s, theme.panel);
    let pad = 24.0 * s;
    p.texts.push(TextRun::new(
        "nasviz — keys",
        [x + pad, y + pad * 0.8],
        title,
        theme.text,
    ));
    let key_w = 150.0 * s;
    let mut ry = y + pad * 0.8 + title * 2.0;
    for (k, d) in rows {
        if ry + body > y + ph - body * 2.0 {
            break;
        }
        let kw = text_w(&k, body * 0.95) + 14.0 * s;
        p.mesh.rounded_rect(
            [x + pad - 6.0 * s, ry - 4.0 * s],
            [x + pad - 6.0 * s + kw, ry + body + 4.0 * s],
            5.0 * s,
            Some(Color::hex(0xf0efe9)),
            Some((theme.panel_border, 1.0)),
        );
        p.texts
            .push(TextRun::new(k, [x + pad, ry], body * 0.95, theme.text));
        p.texts
            .push(TextRun::new(d, [x + pad + key_w, ry], body, theme.text));
        ry += row_h;
    }
    let adapter = if state.adapter().is_empty() {
        "adapter: –".to_string()
    } else {
        format!("adapter: {}", state.adapter())
    };
    let adapter = match state.session_file() {
        Some(f) => format!("{adapter} · live session saved to {f}"),
        None => adapter,
    };
    p.texts.push(
        TextRun::new(
            adapter,
            [x + pad, y + ph - pad * 0.6],
            12.0 * s,
            theme.muted,
        )
        .aligned(HAlign::Left, VAlign::Bottom),
    );
}
