//! Geometry for the dashboard, free of any GPU type: the layered layout of
//! architecture DAGs with curved, arrow-headed edges, axis ticks and
//! scales, and the rectangles of the dashboard's panels.

mod curve;
mod dag;
mod panels;
mod ticks;

pub use curve::{arrow_at_end, shorten_end, smooth_polyline, Arrow, Cubic};
pub use dag::{
    layout_dag, layout_dag_with, layout_graph, DagLayout, Direction, EdgePath, LayoutOptions,
    NodeBox,
};
pub use panels::{dashboard_panels, Panels, Rect};
pub use ticks::{
    format_number, format_percent, format_tick, nice_ticks, step_decimals, LinearScale, TickStyle,
    Ticks,
};
