//! `nasviz view --headless --script FILE`: the viewer on an offscreen
//! target, no window or display needed.

use super::runner::{Need, Runner};
use super::{offscreen, save_png, AppError};
use crate::viewer::command::Command;
use crate::viewer::script::Script;
use crate::viewer::Viewer;

/// Plays `script` offscreen; returns the screenshots written.
pub fn run_script(viewer: &mut Viewer, script: Script) -> Result<usize, AppError> {
    let (ctx, mut painter) = offscreen()?;
    viewer.state.set_adapter(ctx.adapter_name());
    let mut runner = Runner::new(script, viewer);
    let mut shots = 0;
    loop {
        match runner.next(viewer) {
            // nothing is drawn between screenshots: frames pass time, and
            // a pointer command finds the frame it would point at
            Need::Frame => {
                if runner.pointer_next() && viewer.state.needs_frame() {
                    painter.lay_out(viewer)?;
                }
            }
            Need::Resize(w, h) => viewer.handle(Command::Resize(w, h)),
            Need::Screenshot { path, line } => {
                let img = painter.snapshot(&ctx, viewer)?;
                save_png(&img, &path, &format!("{}:{line}", runner.file()))?;
                shots += 1;
            }
            Need::Done => return Ok(shots),
        }
    }
}
