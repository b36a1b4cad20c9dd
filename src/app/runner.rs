//! Plays a `--script` against a viewer in virtual time: the clock moves
//! only by `wait`, one frame step (1/60 s) at a time, so every screenshot
//! is the same on every machine.

use crate::viewer::command::{Command, Mods};
use crate::viewer::script::{Op, Script};
use crate::viewer::state::FRAME_S;
use crate::viewer::Viewer;
use std::path::PathBuf;

/// What the runner needs from its host before it can go on.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Need {
    /// One frame of virtual time passed: draw it (a window) or not (headless).
    Frame,
    /// Take a screenshot of the current frame.
    Screenshot { path: PathBuf, line: usize },
    /// Make the window (or target) this size, then go on.
    Resize(u32, u32),
    /// The script is over.
    Done,
}

pub(crate) struct Runner {
    script: Script,
    pc: usize,
    frames_left: u64,
    now: f64,
}

impl Runner {
    /// Starts a script; the viewer's clock is set to 0 and playback paused.
    pub fn new(script: Script, viewer: &mut Viewer) -> Runner {
        viewer.state.set_playing(false);
        viewer.handle(Command::Tick(0.0));
        Runner {
            script,
            pc: 0,
            frames_left: 0,
            now: 0.0,
        }
    }

    /// The script's file name.
    pub fn file(&self) -> &str {
        &self.script.file
    }

    /// Whether the next command points (move, click, drag, wheel) once
    /// the frames in progress have passed.
    pub(crate) fn pointer_next(&self) -> bool {
        self.frames_left == 0
            && matches!(
                self.script.ops.get(self.pc).map(|(_, op)| op),
                Some(
                    Op::Move(_) | Op::Click(..) | Op::DoubleClick(_) | Op::Drag(..) | Op::Wheel(..)
                )
            )
    }

    /// Virtual time, in seconds.
    pub fn now(&self) -> f64 {
        self.now
    }

    /// Runs commands until one needs the host.
    pub fn next(&mut self, viewer: &mut Viewer) -> Need {
        loop {
            if self.frames_left > 0 {
                self.frames_left -= 1;
                self.now += FRAME_S;
                viewer.handle(Command::Tick(self.now));
                return Need::Frame;
            }
            let Some((line, op)) = self.script.ops.get(self.pc).cloned() else {
                return Need::Done;
            };
            self.pc += 1;
            match op {
                Op::Wait(ms) => {
                    self.frames_left = (ms / 1000.0 / FRAME_S).round() as u64;
                }
                Op::Sleep(ms) => {
                    std::thread::sleep(std::time::Duration::from_secs_f64(ms / 1000.0))
                }
                Op::Key(k) => viewer.handle(Command::Key(k)),
                Op::Move(p) => viewer.handle(Command::Move(p)),
                Op::Click(p, mods) => {
                    viewer.handle(Command::Modifiers(mods));
                    viewer.handle(Command::Move(p));
                    viewer.handle(Command::Press(p));
                    viewer.handle(Command::Release(p));
                    viewer.handle(Command::Modifiers(Mods::default()));
                }
                Op::DoubleClick(p) => {
                    viewer.handle(Command::Move(p));
                    for _ in 0..2 {
                        viewer.handle(Command::Press(p));
                        viewer.handle(Command::Release(p));
                    }
                }
                Op::Wheel(p, n) => {
                    viewer.handle(Command::Move(p));
                    viewer.handle(Command::Wheel(p, n));
                }
                Op::Drag(a, b, mods) => {
                    viewer.handle(Command::Modifiers(mods));
                    viewer.handle(Command::Move(a));
                    viewer.handle(Command::Press(a));
                    let n = 12;
                    for i in 1..=n {
                        let t = i as f32 / n as f32;
                        viewer.handle(Command::Move([
                            a[0] + (b[0] - a[0]) * t,
                            a[1] + (b[1] - a[1]) * t,
                        ]));
                    }
                    viewer.handle(Command::Release(b));
                    viewer.handle(Command::Modifiers(Mods::default()));
                }
                Op::Resize(w, h) => return Need::Resize(w, h),
                Op::Screenshot(path) => return Need::Screenshot { path, line },
                Op::Quit => {
                    self.pc = self.script.ops.len();
                    return Need::Done;
                }
            }
            if viewer.state.quit_requested() {
                return Need::Done;
            }
        }
    }
}
