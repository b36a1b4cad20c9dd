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
pub const MAX_SIZE: u32 = 8192;
/// The longest single wait (10 minutes).
pub const MAX_WAIT_MS: f64 = 600_000.0;

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
            let line = i + 1;
            let err = |what: String| ScriptError {
                file: file.to_string(),
                line,
                what,
            };
            let body = raw.split('#').next().unwrap_or("").trim();
            if body.is_empty() {
                continue;
            }
            let mut words = body.split_whitespace();
            let cmd = words.next().unwrap_or("");
            let mut args: Vec<&str> = words.collect();
            // modifiers before a click's or a drag's coordinates
            let mut mods = Mods::default();
            if matches!(cmd, "click" | "drag") {
                if let Some(first) = args.first().copied() {
                    if first.parse::<f64>().is_err() {
                        for m in first.split('+') {
                            match m.to_ascii_lowercase().as_str() {
                                "shift" => mods.shift = true,
                                "ctrl" => mods.ctrl = true,
                                "alt" => mods.alt = true,
                                other => {
                                    return Err(err(format!(
                                        "{cmd}: unknown modifier {other:?} (known: shift, ctrl, alt, joined by +)"
                                    )))
                                }
                            }
                        }
                        args.remove(0);
                    }
                }
            }
            let want = |n: usize, usage: &str| -> Result<(), ScriptError> {
                if args.len() == n {
                    Ok(())
                } else {
                    Err(err(format!(
                        "`{cmd}` takes {n} argument{} ({usage}), got {}",
                        if n == 1 { "" } else { "s" },
                        args.len()
                    )))
                }
            };
            let num = |s: &str, what: &str| -> Result<f64, ScriptError> {
                match s.parse::<f64>() {
                    Ok(v) if v.is_finite() => Ok(v),
                    _ => Err(err(format!("{what}: {s:?} is not a number"))),
                }
            };
            let point = |x: &str, y: &str, size: (u32, u32)| -> Result<[f32; 2], ScriptError> {
                let (px, py) = (num(x, "x")?, num(y, "y")?);
                if px < 0.0 || py < 0.0 || px >= size.0 as f64 || py >= size.1 as f64 {
                    return Err(err(format!(
                        "({x}, {y}) is off the window, which is {}x{} here",
                        size.0, size.1
                    )));
                }
                Ok([px as f32, py as f32])
            };
            let op = match cmd {
                "wait" => {
                    want(1, "milliseconds")?;
                    let ms = num(args[0], "wait")?;
                    if !(0.0..=MAX_WAIT_MS).contains(&ms) {
                        return Err(err(format!(
                            "wait {ms}: must be between 0 and {MAX_WAIT_MS} ms"
                        )));
                    }
                    Op::Wait(ms)
                }
                "sleep" => {
                    want(1, "milliseconds")?;
                    let ms = num(args[0], "sleep")?;
                    if !(0.0..=MAX_WAIT_MS).contains(&ms) {
                        return Err(err(format!(
                            "sleep {ms}: must be between 0 and {MAX_WAIT_MS} ms"
                        )));
                    }
                    Op::Sleep(ms)
                }
                "key" => {
                    want(1, "a key name, e.g. space or ctrl+z")?;
                    Op::Key(args[0].parse::<KeyPress>().map_err(err)?)
                }
                "move" => {
                    want(2, "X Y")?;
                    Op::Move(point(args[0], args[1], size)?)
                }
                "click" => {
                    want(2, "[MODIFIERS] X Y")?;
                    Op::Click(point(args[0], args[1], size)?, mods)
                }
                "dblclick" => {
                    want(2, "X Y")?;
                    Op::DoubleClick(point(args[0], args[1], size)?)
                }
                "drag" => {
                    want(4, "[MODIFIERS] X1 Y1 X2 Y2")?;
                    Op::Drag(
                        point(args[0], args[1], size)?,
                        point(args[2], args[3], size)?,
                        mods,
                    )
                }
                "wheel" => {
                    want(3, "X Y NOTCHES")?;
                    let p = point(args[0], args[1], size)?;
                    let n = num(args[2], "notches")?;
                    if n.abs() > 100.0 {
                        return Err(err(format!("wheel {n}: at most 100 notches either way")));
                    }
                    Op::Wheel(p, n as f32)
                }
                "resize" => {
                    want(2, "WIDTH HEIGHT")?;
                    let dim = |s: &str| -> Result<u32, ScriptError> {
                        match s.parse::<u32>() {
                            Ok(v) if (200..=MAX_SIZE).contains(&v) => Ok(v),
                            _ => Err(err(format!(
                                "resize: {s:?} must be a whole number of pixels from 200 to {MAX_SIZE}"
                            ))),
                        }
                    };
                    let (w, h) = (dim(args[0])?, dim(args[1])?);
                    size = (w, h);
                    Op::Resize(w, h)
                }
                "screenshot" => {
                    want(1, "a .png path")?;
                    let p = PathBuf::from(args[0]);
                    check_writable(&p).map_err(err)?;
                    Op::Screenshot(p)
                }
                "quit" => {
                    want(0, "none")?;
                    Op::Quit
                }
                other => {
                    return Err(err(format!(
                        "unknown command {other:?} (known: wait, key, move, click, dblclick, drag, wheel, resize, screenshot, quit)"
                    )))
                }
            };
            ops.push((line, op));
        }
        Ok(Script {
            file: file.to_string(),
            ops,
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
