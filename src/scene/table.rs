//! The summary table: the step's validation and test deltas, the best
//! model so far, the most effective layer added so far.

use super::motion::fade;
use super::panel::{fit, panel_content, panel_frame};
use super::theme::{op_label, Theme};
use super::transition::Motion;
use super::{fmt_pct, fmt_pp, Measure, ViewScene};
use crate::analysis::Analytics;
use crate::arch::Arch;
use crate::layout::Rect;
use crate::render::{MeshBuilder, PixelRect, TextRun};
use crate::trace::Run;

/// The ops of an architecture, in order, for one line of text.
pub(crate) fn arch_summary(arch: &Arch) -> String {
    let dag = arch.evaluated_dag();
    let ops: Vec<String> = dag
        .nodes
        .iter()
        .filter(|n| *n != "input" && *n != "output")
        .map(|n| op_label(n))
        .collect();
    if ops.is_empty() {
        "input → output".into()
    } else {
        ops.join(", ")
    }
}

/// How a value is set in `width` pixels and a row of `row_h`: at `size`
/// when it fits; else a little smaller; else on two lines, broken where it
/// reads well (` · `, ` (`, `, `); else shortened with an ellipsis. Returns
/// the lines and their size, so that every number stays readable.
fn set_value(
    s: &str,
    size: f32,
    width: f32,
    row_h: f32,
    measure: &mut Measure,
) -> (Vec<String>, f32) {
    if measure(s, size).0 <= width {
        return (vec![s.to_string()], size);
    }
    let small = size * 0.86;
    if measure(s, small).0 <= width {
        return (vec![s.to_string()], small);
    }
    // two lines, as large as the row allows (at least 0.78 of the size)
    let two = (row_h / (2.0 * 1.05)).min(small);
    if two >= size * 0.78 {
        let small = two;
        for sep in [" · ", " (", ", ", " "] {
            // the break nearest the middle
            let mid = s.len() / 2;
            let at = s
                .match_indices(sep)
                .map(|(i, _)| i)
                .min_by_key(|&i| i.abs_diff(mid));
            if let Some(i) = at {
                let keep = if sep == " (" { i + 1 } else { i + sep.len() };
                let (a, b) = (s[..i].trim_end(), s[keep.min(s.len())..].trim_start());
                let b = if sep == " (" { &s[i + 1..] } else { b };
                if measure(a, small).0 <= width && measure(b, small).0 <= width {
                    return (vec![a.to_string(), b.to_string()], small);
                }
            }
        }
    }
    (vec![fit(s, small, width, measure)], small)
}

/// The values shown in the table's rows at `step` (empty without trials);
/// the viewer compares two steps' values to highlight what changed.
pub(crate) fn table_values(run: &Run, analytics: &Analytics, step: usize) -> Vec<String> {
    table_rows(run, analytics, step, &Theme::default())
        .into_iter()
        .map(|(_, v, _)| v)
        .collect()
}

type Row = (&'static str, String, crate::render::Color);

fn table_rows(run: &Run, analytics: &Analytics, step: usize, theme: &Theme) -> Vec<Row> {
    let Some(st) = analytics.step(step) else {
        return Vec::new();
    };
    let t = run.trials.at(step);
    let against = match (st.reference, t.parents.is_empty()) {
        (Some(r), false) => format!("vs parent, trial {}", run.trials.at(r).trial_id),
        (Some(r), true) => format!("vs previous, trial {}", run.trials.at(r).trial_id),
        (None, _) => "first trial".into(),
    };
    let best = run.trials.at(st.best);
    let effective = match st.most_effective {
        Some(e) => format!(
            "{} ({} at step {})",
            op_label(analytics.op_name(e.op)),
            fmt_pp(e.gain),
            crate::fmt::fmt_int(e.step + 1)
        ),
        None => "none yet".into(),
    };
    let delta = |d: Option<f64>| d.map(fmt_pp).unwrap_or_else(|| "–".into());
    let delta_color = |d: Option<f64>| match d {
        Some(x) if x > 0.0 => theme.gain,
        Some(x) if x < 0.0 => theme.loss,
        _ => theme.text,
    };
    vec![
        (
            "Step",
            format!(
                "{} of {}",
                crate::fmt::fmt_int(step + 1),
                crate::fmt::fmt_int(run.trials.len())
            ),
            theme.text,
        ),
        (
            "This trial",
            format!(
                "val {} · test {}",
                fmt_pct(t.metrics.val_acc),
                fmt_pct(t.metrics.test_acc)
            ),
            theme.text,
        ),
        (
            "Validation delta",
            format!("{}  ({against})", delta(st.val_delta)),
            delta_color(st.val_delta),
        ),
        (
            "Test delta",
            delta(st.test_delta),
            delta_color(st.test_delta),
        ),
        (
            "Best model yet",
            format!(
                "trial {} · val {} · test {}",
                best.trial_id,
                fmt_pct(best.metrics.val_acc),
                fmt_pct(best.metrics.test_acc)
            ),
            theme.text,
        ),
        ("  its layers", arch_summary(best.arch), theme.muted),
        ("Most effective layer\nadded yet", effective, theme.text),
    ]
}

/// The row of the best model so far (its layers follow on the next row).
pub const BEST_ROW: usize = 4;
/// The row listing the best trial's layers.
pub(crate) const BEST_LAYERS_ROW: usize = 5;
/// The row of the most effective layer added so far.
pub(crate) const EFFECTIVE_ROW: usize = 6;
/// Rows of the table when there are trials.
pub(crate) const ROWS: usize = 7;

fn row_height(content: Rect, rows: usize, theme: &Theme) -> f32 {
    let size = theme.body_size;
    (content.h / rows.max(1) as f32).clamp(size * 1.3, size * 2.2)
}

/// The box of each row of the table view in `rect` that is on show
/// (rows that do not fit are left out), for pointing at rows.
pub fn row_boxes(rect: Rect, theme: &Theme) -> Vec<Rect> {
    let content = panel_content(rect, theme);
    let row_h = row_height(content, ROWS, theme);
    (0..ROWS)
        .map(|i| {
            Rect::new(
                content.x - 6.0,
                content.y + i as f32 * row_h - 4.0,
                content.w + 12.0,
                row_h,
            )
        })
        .take_while(|r| r.y + 4.0 + theme.body_size <= content.y + content.h + 2.0)
        .collect()
}

/// The summary table view; during a transition (`motion` with the
/// previous values) rows whose value changed are briefly highlighted.
pub(crate) fn table_view(
    run: &Run,
    analytics: &Analytics,
    step: usize,
    rect: Rect,
    motion: Option<&Motion>,
    theme: &Theme,
    measure: &mut Measure,
) -> ViewScene {
    let mut mesh = MeshBuilder::new();
    let mut texts = Vec::new();
    let content = panel_frame(&mut mesh, &mut texts, rect, "Summary", theme);
    let mut scene = ViewScene::new(PixelRect::new(rect.x, rect.y, rect.w, rect.h));
    let rows = table_rows(run, analytics, step, theme);
    if rows.is_empty() {
        texts.push(TextRun::new(
            "No trials yet",
            [content.x, content.y],
            theme.body_size,
            theme.muted,
        ));
        scene.mesh = mesh.build();
        scene.texts = texts;
        return scene;
    }
    let flash = motion.and_then(|m| m.table_from.as_ref().map(|v| (v, 1.0 - m.u)));
    let size = theme.body_size;
    let label_w = rows
        .iter()
        .map(|(l, _, _)| measure(l, size - 1.0).0)
        .fold(0.0f32, f32::max)
        .min(content.w * 0.5);
    let row_h = row_height(content, rows.len(), theme);
    for (i, (label, value, color)) in rows.iter().enumerate() {
        let y = content.y + i as f32 * row_h;
        if y + size > content.y + content.h + 2.0 {
            break;
        }
        if let Some((old, k)) = flash {
            if k > 0.0 && old.get(i) != Some(value) {
                mesh.rounded_rect(
                    [content.x - 6.0, y - 3.0],
                    [content.x + content.w + 6.0, y + row_h - 5.0],
                    4.0,
                    Some(fade(theme.best.with_alpha(90), k)),
                    None,
                );
            }
        }
        if i > 0 {
            mesh.line(
                [content.x, y - 4.0],
                [content.x + content.w, y - 4.0],
                theme.grid,
                1.0,
            );
        }
        texts.push(TextRun::new(
            fit(label, size - 1.0, label_w, measure),
            [content.x, y],
            size - 1.0,
            theme.muted,
        ));
        let vx = content.x + label_w + 14.0;
        let (lines, vsize) = set_value(
            value,
            size,
            content.x + content.w - vx,
            row_h - 2.0,
            measure,
        );
        for (k, line) in lines.into_iter().enumerate() {
            texts.push(TextRun::new(
                line,
                [vx, y + k as f32 * vsize * 1.05],
                vsize,
                *color,
            ));
        }
    }
    scene.mesh = mesh.build();
    scene.texts = texts;
    scene
}
