//! What a frame in the middle of a step transition draws differently from
//! a still one, as plain data (the views blend with [`super::motion`]).

use super::dag::DagPicture;
use std::sync::Arc;

/// What moves in a frame between the previous pose and the current step.
#[derive(Clone, Debug)]
pub struct Motion {
    /// Progress of the transition, eased, 0 (from) to 1 (the step).
    pub u: f32,
    /// The current-trial ring's (validation, test) at the start.
    pub(crate) ring_from: Option<[f64; 2]>,
    /// The line chart's cursor x (step or time) at the start.
    pub(crate) cursor_from: Option<f64>,
    /// The architecture picture to draw (a [`super::dag::morph`] of the
    /// pictures at both ends), instead of the step's own.
    pub dag: Option<Arc<DagPicture>>,
    /// The summary table's values at the start: rows whose value changed
    /// are highlighted, fading out.
    pub(crate) table_from: Option<Vec<String>>,
    /// The newest trial grows in (its circles drawn scaled, with a pulse).
    pub grow: Option<usize>,
}
