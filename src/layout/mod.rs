//! Geometry for the dashboard, free of any GPU type: the layered layout of
//! architecture DAGs with curved, arrow-headed edges, axis ticks and
//! scales, and the rectangles of the dashboard's panels.

mod curve;
mod dag;
mod panels;
mod ticks;

pub(crate) use curve::{arrow_at_end, shorten_end};
pub use curve::{smooth_polyline, Arrow, Cubic};
pub use dag::{
    layout_dag, layout_dag_with, layout_graph, DagLayout, Direction, EdgePath, LayoutOptions,
    NodeBox,
};
pub use panels::{dashboard_panels, Panels, Rect};
pub(crate) use ticks::format_number;
pub use ticks::{format_percent, format_tick, nice_ticks, TickStyle, Ticks};
