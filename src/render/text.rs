use glyphon::cosmic_text::Align;
use glyphon::{
    Attrs, Buffer, Cache, Family, FontSystem, Metrics, Resolution, Shaping, SwashCache, TextArea,
    TextAtlas, TextBounds, Viewport,
};

use super::batch::Upload;
use super::{Color, Panel, PixelRect, RenderError, BUNDLED_FONT_FAMILY};

/// Horizontal anchor of a text run at its position.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HAlign {
    /// Position is the left edge.
    #[default]
    Left,
    /// Position is the horizontal centre.
    Center,
    /// Position is the right edge.
    Right,
}

/// Vertical anchor of a text run at its position.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VAlign {
    /// Position is the top of the first line.
    #[default]
    Top,
    /// Position is the vertical centre of the block.
    Middle,
    /// Position is the baseline of the first line.
    Baseline,
    /// Position is the bottom of the last line.
    Bottom,
}

/// A piece of text to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct TextRun {
    /// The text; `\n` starts a new line.
    pub text: String,
    /// Anchor position in the panel's data coordinates.
    pub position: [f32; 2],
    /// Font size in pixels.
    pub size: f32,
    /// Colour.
    pub color: Color,
    /// Horizontal anchor (multi-line text is aligned the same way).
    pub(crate) halign: HAlign,
    /// Vertical anchor.
    pub(crate) valign: VAlign,
}

impl TextRun {
    /// Left/top-anchored text.
    pub fn new(text: impl Into<String>, position: [f32; 2], size: f32, color: Color) -> Self {
        TextRun {
            text: text.into(),
            position,
            size,
            color,
            halign: HAlign::Left,
            valign: VAlign::Top,
        }
    }

    /// The same run with other anchors.
    pub fn aligned(self, halign: HAlign, valign: VAlign) -> Self {
        TextRun {
            halign,
            valign,
            ..self
        }
    }
}

/// Measured size of a shaped text block, in pixels.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TextExtent {
    /// Width of the widest line.
    pub width: f32,
    /// Height of all lines.
    pub height: f32,
    /// Distance from the block's top to the first baseline.
    pub baseline: f32,
}

/// Text runs drawn in one panel, clipped to it.
#[derive(Clone, Copy, Debug)]
pub struct TextBatch<'a> {
    /// Clip rectangle and view (positions are transformed, sizes are not).
    pub panel: Panel,
    /// The runs.
    pub runs: &'a [TextRun],
}

struct Shaped {
    buffer: Buffer,
    left: f32,
    top: f32,
    color: Color,
}

/// Draws text with glyphon using the bundled font only (no system fonts are read).
pub struct TextRenderer {
    font_system: FontSystem,
    swash: SwashCache,
    atlas: TextAtlas,
    viewport: Viewport,
    renderers: Vec<glyphon::TextRenderer>,
    batches: Vec<(Panel, usize)>,
    target_size: (u32, u32),
    uploaded: u64,
}

fn line_height(size: f32) -> f32 {
    (size * 1.25).ceil()
}

fn valid_size(size: f32) -> bool {
    (1.0..=4096.0).contains(&size)
}

impl TextRenderer {
    /// A renderer for targets of `format`.
    pub fn new(device: &wgpu::Device, queue: &wgpu::Queue, format: wgpu::TextureFormat) -> Self {
        let mut db = glyphon::fontdb::Database::new();
        #[cfg(not(target_arch = "wasm32"))]
        db.load_font_data(super::BUNDLED_FONT.to_vec());
        #[cfg(target_arch = "wasm32")]
        if let Ok(font) = crate::embedded::inflate(crate::embedded::FONT_Z, "the font") {
            db.load_font_data(font);
        }
        db.set_sans_serif_family(BUNDLED_FONT_FAMILY);
        db.set_serif_family(BUNDLED_FONT_FAMILY);
        db.set_monospace_family(BUNDLED_FONT_FAMILY);
        let font_system = FontSystem::new_with_locale_and_db("en-US".into(), db);
        let cache = Cache::new(device);
        let viewport = Viewport::new(device, &cache);
        let mode = if format.is_srgb() {
            glyphon::ColorMode::Accurate
        } else {
            glyphon::ColorMode::Web
        };
        let atlas = TextAtlas::with_color_mode(device, queue, &cache, format, mode);
        TextRenderer {
            font_system,
            swash: SwashCache::new(),
            atlas,
            viewport,
            renderers: Vec::new(),
            batches: Vec::new(),
            target_size: (1, 1),
            uploaded: 0,
        }
    }

    fn shape(&mut self, text: &str, size: f32, halign: HAlign) -> (Buffer, TextExtent) {
        let mut buffer = Buffer::new(&mut self.font_system, Metrics::new(size, line_height(size)));
        let attrs = Attrs::new().family(Family::Name(BUNDLED_FONT_FAMILY));
        buffer.set_size(None, None);
        buffer.set_text(text, &attrs, Shaping::Advanced, None);
        buffer.shape_until_scroll(&mut self.font_system, false);
        let extent = Self::extent_of(&buffer, size);
        let multi_line = buffer.layout_runs().nth(1).is_some();
        if multi_line && halign != HAlign::Left {
            let align = match halign {
                HAlign::Left => Align::Left,
                HAlign::Center => Align::Center,
                HAlign::Right => Align::Right,
            };
            buffer.set_size(Some(extent.width.ceil()), None);
            buffer.set_text(text, &attrs, Shaping::Advanced, Some(align));
            buffer.shape_until_scroll(&mut self.font_system, false);
        }
        (buffer, extent)
    }

    fn extent_of(buffer: &Buffer, size: f32) -> TextExtent {
        let mut width: f32 = 0.0;
        let mut bottom: f32 = 0.0;
        let mut baseline = None;
        for run in buffer.layout_runs() {
            width = width.max(run.line_w);
            bottom = bottom.max(run.line_top + run.line_height);
            baseline.get_or_insert(run.line_y);
        }
        TextExtent {
            width,
            height: bottom,
            baseline: baseline.unwrap_or(size),
        }
    }

    /// Measures `text` at `size` pixels (zero extent for an empty or invalid size).
    pub fn measure(&mut self, text: &str, size: f32) -> TextExtent {
        if !valid_size(size) {
            return TextExtent::default();
        }
        self.shape(text, size, HAlign::Left).1
    }

    /// The pixel rectangle `run` occupies when drawn with `panel`, for layouts that avoid
    /// overlaps.
    pub fn layout_box(&mut self, run: &TextRun, panel: &Panel) -> PixelRect {
        let e = self.measure(&run.text, run.size);
        let (left, top) = Self::anchor(run, panel, &e);
        PixelRect::new(left, top, e.width, e.height)
    }

    fn anchor(run: &TextRun, panel: &Panel, e: &TextExtent) -> (f32, f32) {
        let p = panel.view.apply(run.position);
        let left = match run.halign {
            HAlign::Left => p[0],
            HAlign::Center => p[0] - e.width * 0.5,
            HAlign::Right => p[0] - e.width,
        };
        let top = match run.valign {
            VAlign::Top => p[1],
            VAlign::Middle => p[1] - e.height * 0.5,
            VAlign::Baseline => p[1] - e.baseline,
            VAlign::Bottom => p[1] - e.height,
        };
        (left.round(), top.round())
    }

    /// Shapes and uploads `batches` for a target of `up.target_size`, replacing what was
    /// prepared before. Runs with a non-finite position or a size outside 1..=4096 px are
    /// skipped; the number skipped is returned.
    pub fn prepare(
        &mut self,
        up: &Upload<'_>,
        batches: &[TextBatch<'_>],
    ) -> Result<usize, RenderError> {
        let (device, queue, target_size) = (up.device, up.queue, up.target_size);
        self.atlas.trim();
        self.batches.clear();
        self.target_size = target_size;
        self.viewport.update(
            queue,
            Resolution {
                width: target_size.0.max(1),
                height: target_size.1.max(1),
            },
        );
        let mut skipped = 0;
        self.uploaded = 0;
        for (i, batch) in batches.iter().enumerate() {
            let mut shaped = Vec::with_capacity(batch.runs.len());
            for run in batch.runs {
                let p = batch.panel.view.apply(run.position);
                if !(valid_size(run.size) && p[0].is_finite() && p[1].is_finite()) {
                    skipped += 1;
                    continue;
                }
                let (buffer, extent) = self.shape(&run.text, run.size, run.halign);
                let (left, top) = Self::anchor(run, &batch.panel, &extent);
                shaped.push(Shaped {
                    buffer,
                    left,
                    top,
                    color: run.color,
                });
            }
            let bounds = match batch.panel.rect.scissor(target_size.0, target_size.1) {
                Some((x, y, w, h)) => TextBounds {
                    left: x as i32,
                    top: y as i32,
                    right: (x + w) as i32,
                    bottom: (y + h) as i32,
                },
                None => TextBounds {
                    left: 0,
                    top: 0,
                    right: 0,
                    bottom: 0,
                },
            };
            // glyphon writes one 28-byte vertex per glyph it draws (those
            // outside the bounds are culled, so this is an upper bound)
            self.uploaded += 28
                * shaped
                    .iter()
                    .flat_map(|s| s.buffer.layout_runs())
                    .map(|r| r.glyphs.len() as u64)
                    .sum::<u64>();
            let areas = shaped.iter().map(|s| TextArea {
                buffer: &s.buffer,
                left: s.left,
                top: s.top,
                scale: 1.0,
                bounds,
                default_color: glyphon::Color::rgba(s.color.r, s.color.g, s.color.b, s.color.a),
                custom_glyphs: &[],
            });
            if self.renderers.len() <= i {
                self.renderers.push(glyphon::TextRenderer::new(
                    &mut self.atlas,
                    device,
                    wgpu::MultisampleState::default(),
                    None,
                ));
            }
            self.renderers[i]
                .prepare(
                    device,
                    queue,
                    &mut self.font_system,
                    &mut self.atlas,
                    &self.viewport,
                    areas,
                    &mut self.swash,
                )
                .map_err(|e| RenderError::Text(e.to_string()))?;
            self.batches.push((batch.panel, i));
        }
        Ok(skipped)
    }

    /// Bytes the last [`Self::prepare`] wrote to the GPU (glyph vertices).
    pub fn uploaded(&self) -> u64 {
        self.uploaded
    }

    /// Draws prepared batch `index` (nothing if out of range).
    pub fn render_batch(
        &self,
        pass: &mut wgpu::RenderPass<'_>,
        index: usize,
    ) -> Result<(), RenderError> {
        let Some((panel, r)) = self.batches.get(index) else {
            return Ok(());
        };
        let Some(renderer) = self.renderers.get(*r) else {
            return Ok(());
        };
        if !super::view::set_scissor(pass, &panel.rect, self.target_size) {
            return Ok(());
        }
        renderer
            .render(&self.atlas, &self.viewport, pass)
            .map_err(|e| RenderError::Text(e.to_string()))
    }
}
