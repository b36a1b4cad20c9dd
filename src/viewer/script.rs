//! `--script FILE`: the viewer driven from a text file, one command a
//! line, `#` comments. Parsed and checked whole before anything runs, so
//! a bad line is reported as `FILE:LINE: what is wrong` up front.
//!
//! ```text
//! wait 500            # viewer time, in milliseconds
//! key space           # space, left, b, plus, 1, ctrl+z, ...
//! move 640 400        # pointer to pixel (x, y)
//! click 640 400
//! click shift 700 420 # with modifiers: shift, ctrl, alt, ctrl+shift, ...
//! dblclick 640 400
//! drag 100 760 900 760
//! drag ctrl 300 200 400 300
//! wheel 640 400 2     # notches: positive zooms in, negative out
//! resize 1024 700
//! screenshot out/step.png
//! quit
//! ```

use super::command::{KeyPress, Mods};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// One script command.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// Milliseconds of viewer time.
    Wait(f64),
    /// Milliseconds of real time, the viewer idle (e.g. to stop a viewer
    /// from outside while it holds a live session).
    Sleep(f64),
    Key(KeyPress),
    Move([f32; 2]),
    Click([f32; 2], Mods),
    DoubleClick([f32; 2]),
    Drag([f32; 2], [f32; 2], Mods),
    Wheel([f32; 2], f32),
    Resize(u32, u32),
    Screenshot(PathBuf),
    Quit,
}

/// A parsed script: each command with its line number.
#[derive(Clone, Debug, PartialEq)]
pub struct Script {
    pub file: String,
    pub ops: Vec<(usize, Op)>,
}

#[derive(Debug, Error, PartialEq)]
#[error("{file}:{line}: {what}")]
pub struct ScriptError {
    pub file: String,
    pub line: usize,
    pub what: String,
}

/// The largest window a script may ask for.
pub(crate) const MAX_SIZE: u32 = 8192;
/// The longest single wait (10 minutes).
pub(crate) const MAX_WAIT_MS: f64 = 600_000.0;

impl Script {
    /// Reads and checks a script file; `size` is the window's size at the
    /// start (coordinates are checked against the size in effect).
    pub fn load(path: &Path, size: (u32, u32)) -> Result<Script, ScriptError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ScriptError {
            file: file.clone(),
            line: 0,
            what: format!("cannot read the script: {e}"),
        })?;
        Script::parse(&file, &text, size)
    }

    /// Parses script text; screenshot paths are taken relative to the
    /// current directory, as on the command line.
    pub fn parse(file: &str, text: &str, size: (u32, u32)) -> Result<Script, ScriptError> {
        let mut ops = Vec::new();
        let mut size = size;
        for (i, raw) in text.lines().enumerate() {
            let body = raw.split('#').next().unwrap_or("").trim();
            if body.is_empty() {
                continue;
            }
            let mut words = body.split_whitespace();
            let mut l = ScriptLine {
                file,
                line: i + 1,
                cmd: words.next().unwrap_or(""),
                args: words.collect(),
                mods: Mods::default(),
                size,
            };
            l.take_mods()?;
            let op = l.op()?;
            if let Op::Resize(w, h) = op {
                size = (w, h);
            }
            ops.push((l.line, op));
        }
        Ok(Script {
            file: file.to_string(),
            ops,
        })
    }
}

/// One line of a script being parsed: its command, arguments and
/// modifiers, and the window's size at that point of the script.
struct ScriptLine<'a> {
    file: &'a str,
    line: usize,
    cmd: &'a str,
    args: Vec<&'a str>,
    mods: Mods,
    size: (u32, u32),
}

impl ScriptLine<'_> {
    fn err(&self, what: String) -> ScriptError {
        ScriptError {
            file: self.file.to_string(),
            line: self.line,
            what,
        }
    }

    /// Modifiers before a click's or a drag's coordinates.
    fn take_mods(&mut self) -> Result<(), ScriptError> {
        if !matches!(self.cmd, "click" | "drag") {
            return Ok(());
        }
        let Some(first) = self.args.first().copied() else {
            return Ok(());
        };
        if first.parse::<f64>().is_ok() {
            return Ok(());
        }
        for m in first.split('+') {
            match m.to_ascii_lowercase().as_str() {
                "shift" => self.mods.shift = true,
                "ctrl" => self.mods.ctrl = true,
                "alt" => self.mods.alt = true,
                other => {
                    return Err(self.err(format!(
                        "{}: unknown modifier {other:?} (known: shift, ctrl, alt, joined by +)",
                        self.cmd
                    )))
                }
            }
        }
        self.args.remove(0);
        Ok(())
    }

    /// Fails unless the line has `n` arguments (`usage` names them).
    fn want(&self, n: usize, usage: &str) -> Result<(), ScriptError> {
        if self.args.len() == n {
            return Ok(());
        }
        Err(self.err(format!(
            "`{}` takes {n} argument{} ({usage}), got {}",
            self.cmd,
            if n == 1 { "" } else { "s" },
            self.args.len()
        )))
    }

    fn num(&self, s: &str, what: &str) -> Result<f64, ScriptError> {
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(self.err(format!("{what}: {s:?} is not a number"))),
        }
    }

    /// The point of arguments `k` and `k + 1`, inside the window.
    fn point(&self, k: usize) -> Result<[f32; 2], ScriptError> {
        let (x, y) = (self.args[k], self.args[k + 1]);
        let (px, py) = (self.num(x, "x")?, self.num(y, "y")?);
        let (w, h) = self.size;
        if px < 0.0 || py < 0.0 || px >= w as f64 || py >= h as f64 {
            return Err(self.err(format!(
                "({x}, {y}) is off the window, which is {w}x{h} here"
            )));
        }
        Ok([px as f32, py as f32])
    }

    /// The one argument of `wait` and `sleep`: milliseconds in range.
    fn millis(&self) -> Result<f64, ScriptError> {
        self.want(1, "milliseconds")?;
        let ms = self.num(self.args[0], self.cmd)?;
        if !(0.0..=MAX_WAIT_MS).contains(&ms) {
            return Err(self.err(format!(
                "{} {ms}: must be between 0 and {MAX_WAIT_MS} ms",
                self.cmd
            )));
        }
        Ok(ms)
    }

    /// A window dimension of `resize`.
    fn dim(&self, s: &str) -> Result<u32, ScriptError> {
        match s.parse::<u32>() {
            Ok(v) if (200..=MAX_SIZE).contains(&v) => Ok(v),
            _ => Err(self.err(format!(
                "resize: {s:?} must be a whole number of pixels from 200 to {MAX_SIZE}"
            ))),
        }
    }

    /// The operation the line names, its arguments checked.
    fn op(&self) -> Result<Op, ScriptError> {
        Ok(match self.cmd {
            "wait" => Op::Wait(self.millis()?),
            "sleep" => Op::Sleep(self.millis()?),
            "key" => {
                self.want(1, "a key name, e.g. space or ctrl+z")?;
                Op::Key(
                    self.args[0]
                        .parse::<KeyPress>()
                        .map_err(|e| self.err(e))?,
                )
            }
            "move" => {
                self.want(2, "X Y")?;
                Op::Move(self.point(0)?)
            }
            "click" => {
                self.want(2, "[MODIFIERS] X Y")?;
                Op::Click(self.point(0)?, self.mods)
            }
            "dblclick" => {
                self.want(2, "X Y")?;
                Op::DoubleClick(self.point(0)?)
            }
            "drag" => {
                self.want(4, "[MODIFIERS] X1 Y1 X2 Y2")?;
                Op::Drag(self.point(0)?, self.point(2)?, self.mods)
            }
            "wheel" => {
                self.want(3, "X Y NOTCHES")?;
                let p = self.point(0)?;
                let n = self.num(self.args[2], "notches")?;
                if n.abs() > 100.0 {
                    return Err(self.err(format!("wheel {n}: at most 100 notches either way")));
                }
                Op::Wheel(p, n as f32)
            }
            "resize" => {
                self.want(2, "WIDTH HEIGHT")?;
                Op::Resize(self.dim(self.args[0])?, self.dim(self.args[1])?)
            }
            "screenshot" => {
                self.want(1, "a .png path")?;
                let p = PathBuf::from(self.args[0]);
                check_writable(&p).map_err(|e| self.err(e))?;
                Op::Screenshot(p)
            }
            "quit" => {
                self.want(0, "none")?;
                Op::Quit
            }
            other => {
                return Err(self.err(format!(
                    "unknown command {other:?} (known: wait, key, move, click, dblclick, drag, wheel, resize, screenshot, quit)"
                )))
            }
        })
    }
}

/// Whether a screenshot can be written at `p`: a `.png` name in an
/// existing, writable folder.
fn check_writable(p: &Path) -> Result<(), String> {
    if p.extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        != Some("png".into())
    {
        return Err(format!(
            "screenshot {}: the name must end in .png",
            p.display()
        ));
    }
    let dir = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(format!(
            "screenshot {}: folder {} does not exist",
            p.display(),
            dir.display()
        ));
    }
    let md = std::fs::metadata(&dir).map_err(|e| format!("screenshot {}: {e}", p.display()))?;
    if md.permissions().readonly() {
        return Err(format!(
            "screenshot {}: folder {} is not writable",
            p.display(),
            dir.display()
        ));
    }
    if p.is_dir() {
        return Err(format!("screenshot {}: is a folder", p.display()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Script, ScriptError> {
        Script::parse("t.txt", s, (1280, 800))
    }

    #[test]
    fn a_good_script_parses() {
        let s = parse(
            "# demo\nwait 1000\nkey space\nmove 10 20 # hover\nclick 1 2\n\
             drag 1 2 3 4\nresize 800 600\nscreenshot shot.png\nquit\n",
        );
        let ops: Vec<Op> = s
            .map(|s| s.ops.into_iter().map(|o| o.1).collect())
            .unwrap_or_default();
        assert_eq!(ops.len(), 8);
        assert_eq!(ops[0], Op::Wait(1000.0));
        assert_eq!(ops[2], Op::Move([10.0, 20.0]));
        assert_eq!(ops[5], Op::Resize(800, 600));
        assert_eq!(ops[7], Op::Quit);
        let s = parse(
            "click shift 5 6
drag ctrl+alt 1 2 3 4
wheel 5 6 -2
dblclick 1 1
",
        );
        let ops: Vec<Op> = s
            .map(|s| s.ops.into_iter().map(|o| o.1).collect())
            .unwrap_or_default();
        let shift = Mods {
            shift: true,
            ..Mods::default()
        };
        assert_eq!(ops.first(), Some(&Op::Click([5.0, 6.0], shift)));
        assert!(matches!(ops.get(1), Some(Op::Drag(_, _, m)) if m.ctrl && m.alt && !m.shift));
        assert_eq!(ops.get(2), Some(&Op::Wheel([5.0, 6.0], -2.0)));
        assert_eq!(ops.get(3), Some(&Op::DoubleClick([1.0, 1.0])));
    }

    #[test]
    fn bad_lines_name_file_line_and_problem() {
        let e = |s: &str| parse(s).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            e("wait 10\njump 3\n"),
            "t.txt:2: unknown command \"jump\" (known: wait, key, move, click, dblclick, drag, wheel, resize, screenshot, quit)"
        );
        assert!(e("wait ten").starts_with("t.txt:1: wait: \"ten\" is not a number"));
        assert!(e("wait -5").contains("between 0"));
        assert!(e("click hyper 1 2").contains("unknown modifier \"hyper\""));
        assert!(e("wheel 1 2 500").contains("at most 100 notches"));
        assert!(e("wheel 1 2").contains("takes 3 arguments"));
        assert!(e("key spacebar").contains("unknown key"));
        assert!(e("move 2000 10").contains("off the window"));
        assert!(
            e("resize 800 600\nclick 900 10").starts_with("t.txt:2:"),
            "{}",
            e("resize 800 600\nclick 900 10")
        );
        assert!(e("click 1").contains("takes 2 arguments"));
        assert!(e("screenshot /no/such/dir/x.png").contains("does not exist"));
        assert!(e("screenshot shot.jpg").contains(".png"));
        assert!(e("resize 10 10").contains("200"));
        assert!(e("quit now").contains("takes 0"));
    }
}
