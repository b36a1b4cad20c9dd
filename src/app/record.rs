//! `nasviz record`: the animated replay of a stretch of a search, drawn
//! offscreen through the same viewer, as a GIF or an animated PNG.

use super::{offscreen, AppError};
use crate::render::Image;
use crate::viewer::command::Command;
use crate::viewer::Viewer;
use std::io::Write;
use std::path::Path;

/// Settings of a recording.
#[derive(Clone, Debug)]
pub struct RecordOptions {
    pub from: usize,
    pub to: usize,
    pub fps: u32,
    /// Playback speed in steps per second.
    pub speed: f64,
}

/// The number of frames a recording of `opts` has: one per `1/fps` of
/// playback from `from` to `to` at `speed`, plus the last step settled.
pub fn frame_count(opts: &RecordOptions) -> usize {
    let steps = opts.to.saturating_sub(opts.from) as f64;
    (steps / opts.speed * opts.fps as f64).ceil() as usize + 1
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Gif,
    Apng,
}

impl Format {
    pub fn of(path: &Path) -> Option<Format> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref()
        {
            Some("gif") => Some(Format::Gif),
            Some("png") | Some("apng") => Some(Format::Apng),
            _ => None,
        }
    }
}

/// Renders the replay and writes it to `out` (atomically); `progress`
/// hears `(frames done, frames in all)`.
pub fn record(
    viewer: &mut Viewer,
    opts: &RecordOptions,
    out: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, AppError> {
    let bad = |what: String| AppError::Output {
        path: out.display().to_string(),
        what,
    };
    let format =
        Format::of(out).ok_or_else(|| bad("the name must end in .gif or .png (APNG)".into()))?;
    let (ctx, mut painter) = offscreen()?;
    viewer.state.set_adapter(ctx.adapter_name());
    let n = frame_count(opts);
    let (w, h) = viewer.state.size();
    // written beside OUT and renamed when complete
    let result = crate::fsutil::write_atomic_with(out, false, |file| -> Result<(), Failed> {
        let mut sink = Sink::new(format, file, w, h, opts.fps, n).map_err(&bad)?;
        viewer.state.set_step(opts.from);
        viewer.state.show_playback(opts.speed);
        viewer.handle(Command::Tick(0.0));
        let dt = 1.0 / opts.fps as f64;
        let mut now = 0.0;
        for i in 0..n {
            if i > 0 {
                now += dt;
                // playback at `speed`: the step due at this time
                let due = (opts.from + (now * opts.speed).floor() as usize).min(opts.to);
                viewer.handle(Command::Tick(now));
                if i == n - 1 {
                    viewer.state.set_step(opts.to);
                } else if due != viewer.state.step() {
                    viewer.state.go_to(due, (0.8 / opts.speed).min(0.3));
                }
            }
            let img = painter.snapshot(&ctx, viewer)?;
            sink.add(&img).map_err(&bad)?;
            progress(i + 1, n);
        }
        sink.finish().map_err(&bad)?;
        Ok(())
    });
    match result {
        Ok(()) => Ok(n),
        Err(Failed::Io(e)) => Err(bad(e.to_string())),
        Err(Failed::App(e)) => Err(e),
    }
}

/// Why a recording was not written: the file, or the drawing.
enum Failed {
    Io(std::io::Error),
    App(AppError),
}

impl From<std::io::Error> for Failed {
    fn from(e: std::io::Error) -> Self {
        Failed::Io(e)
    }
}

impl From<AppError> for Failed {
    fn from(e: AppError) -> Self {
        Failed::App(e)
    }
}

enum Sink<W: Write> {
    Gif(gif::Encoder<W>, u16),
    Apng(png::Writer<W>),
}

impl<W: Write> Sink<W> {
    fn new(
        format: Format,
        w: W,
        width: u32,
        height: u32,
        fps: u32,
        n: usize,
    ) -> Result<Self, String> {
        let (gw, gh) = (
            u16::try_from(width).map_err(|_| "GIFs are at most 65,535 pixels wide".to_string())?,
            u16::try_from(height).map_err(|_| "GIFs are at most 65,535 pixels high".to_string())?,
        );
        match format {
            Format::Gif => {
                let mut enc = gif::Encoder::new(w, gw, gh, &[]).map_err(|e| e.to_string())?;
                enc.set_repeat(gif::Repeat::Infinite)
                    .map_err(|e| e.to_string())?;
                // GIF delays are in hundredths of a second
                let delay = (100.0 / fps as f64).round().max(1.0) as u16;
                Ok(Sink::Gif(enc, delay))
            }
            Format::Apng => {
                let mut enc = png::Encoder::new(w, width, height);
                enc.set_color(png::ColorType::Rgba);
                enc.set_depth(png::BitDepth::Eight);
                enc.set_animated(n as u32, 0).map_err(|e| e.to_string())?;
                enc.set_frame_delay(1, fps.min(u16::MAX as u32) as u16)
                    .map_err(|e| e.to_string())?;
                Ok(Sink::Apng(enc.write_header().map_err(|e| e.to_string())?))
            }
        }
    }

    fn add(&mut self, img: &Image) -> Result<(), String> {
        match self {
            Sink::Gif(enc, delay) => {
                let mut rgba = img.pixels.clone();
                let mut f =
                    gif::Frame::from_rgba_speed(img.width as u16, img.height as u16, &mut rgba, 20);
                f.delay = *delay;
                enc.write_frame(&f).map_err(|e| e.to_string())
            }
            Sink::Apng(wr) => wr.write_image_data(&img.pixels).map_err(|e| e.to_string()),
        }
    }

    fn finish(self) -> Result<(), String> {
        match self {
            Sink::Gif(enc, _) => {
                let mut w = enc.into_inner().map_err(|e| e.to_string())?;
                w.flush().map_err(|e| e.to_string())
            }
            Sink::Apng(wr) => wr.finish().map_err(|e| e.to_string()),
        }
    }
}
