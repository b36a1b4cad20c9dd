use super::{
    CachedLayer, Circle, CircleBatch, CircleRenderer, CircleStats, Color, Compositor, GpuContext,
    Mesh, MeshBatch, MeshRenderer, Panel, PixelRect, RenderError, SizeMode, SplatRenderer,
    TextBatch, TextRenderer, TextRun, Upload,
};

/// What one scene item draws.
#[derive(Clone, Copy, Debug)]
pub enum Content<'a> {
    /// Circles; small pixel-sized ones may take the compute splat path
    /// (see [`Renderer::set_splat`]).
    Circles {
        /// The circles.
        circles: &'a [Circle],
        /// Units of radius and stroke width.
        size: SizeMode,
    },
    /// A tessellated mesh.
    Mesh(&'a Mesh),
    /// Text runs.
    Text(&'a [TextRun]),
    /// A cached layer, composited within its panel's rectangle (the layer
    /// is of the target's size; only that part of it is drawn).
    Layer(&'a CachedLayer),
}

/// One scene item: content in a panel, on a layer.
#[derive(Clone, Copy, Debug)]
pub struct Item<'a> {
    /// Draw order: lower layers first; items on one layer keep their order.
    pub layer: i32,
    /// Clip rectangle and view.
    pub panel: Panel,
    /// What to draw.
    pub content: Content<'a>,
}

/// Everything drawn in one frame.
#[derive(Clone, Debug, Default)]
pub struct Scene<'a> {
    /// Clear colour, or `None` to draw over the target's content.
    pub clear: Option<Color>,
    /// Items, drawn by layer.
    pub items: Vec<Item<'a>>,
}

impl<'a> Scene<'a> {
    /// An empty scene cleared to `clear`.
    pub fn new(clear: Option<Color>) -> Self {
        Scene {
            clear,
            items: Vec::new(),
        }
    }

    /// Adds circles.
    pub fn circles(&mut self, layer: i32, panel: Panel, circles: &'a [Circle], size: SizeMode) {
        self.items.push(Item {
            layer,
            panel,
            content: Content::Circles { circles, size },
        });
    }

    /// Adds a mesh.
    pub fn mesh(&mut self, layer: i32, panel: Panel, mesh: &'a Mesh) {
        self.items.push(Item {
            layer,
            panel,
            content: Content::Mesh(mesh),
        });
    }

    /// Adds text.
    pub fn text(&mut self, layer: i32, panel: Panel, runs: &'a [TextRun]) {
        self.items.push(Item {
            layer,
            panel,
            content: Content::Text(runs),
        });
    }

    /// Adds a cached layer, composited over the whole target.
    pub fn cached(&mut self, layer: i32, cached: &'a CachedLayer) {
        let rect = super::PixelRect::full(cached.size().0, cached.size().1);
        self.cached_in(layer, cached, rect);
    }

    /// Adds the part of a cached layer within `rect` (where its content
    /// is: a software rasteriser pays for every pixel composited).
    pub(crate) fn cached_in(
        &mut self,
        layer: i32,
        cached: &'a CachedLayer,
        rect: super::PixelRect,
    ) {
        self.items.push(Item {
            layer,
            panel: Panel {
                rect,
                view: super::ViewTransform::IDENTITY,
            },
            content: Content::Layer(cached),
        });
    }
}

/// Counts from one [`Renderer::render`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FrameStats {
    /// Circles drawn and skipped (both paths).
    pub circles: CircleStats,
    /// Circles that took the compute splat path.
    pub splatted: usize,
    /// Text runs skipped for bad input.
    pub text_skipped: usize,
    /// Bytes written to the GPU for the frame (instances, vertices,
    /// uniforms, glyph vertices).
    pub uploaded: u64,
}

/// Which renderer draws the next item, and its batch there.
enum Step {
    Circles(usize),
    Splat(usize),
    Mesh(usize),
    Text(usize),
    Layer(usize),
}

/// A scene's items sorted into each renderer's batches, in layer order,
/// and the order to draw them in.
#[derive(Default)]
struct Batches<'a> {
    circles: Vec<CircleBatch<'a>>,
    splat: Vec<CircleBatch<'a>>,
    meshes: Vec<MeshBatch<'a>>,
    text: Vec<TextBatch<'a>>,
    layers: Vec<(&'a CachedLayer, PixelRect)>,
    steps: Vec<Step>,
}

/// All primitive renderers for one target format, drawing a [`Scene`] in layer order into
/// a texture view (a window surface frame, an offscreen target, or a cached layer).
pub struct Renderer {
    format: wgpu::TextureFormat,
    /// Circle renderer.
    pub circles: CircleRenderer,
    /// Compute splat renderer for small circles.
    pub splat: SplatRenderer,
    /// Mesh renderer.
    pub meshes: MeshRenderer,
    /// Text renderer.
    pub text: TextRenderer,
    /// Layer compositor.
    pub compositor: Compositor,
    splat_enabled: bool,
}

impl Renderer {
    /// Renderers for targets of `format` (offscreen: [`super::TARGET_FORMAT`]).
    pub fn new(ctx: &GpuContext, format: wgpu::TextureFormat) -> Self {
        let device = &ctx.device;
        Renderer {
            format,
            circles: CircleRenderer::new(device, format),
            splat: SplatRenderer::new(device, format),
            meshes: MeshRenderer::new(device, format),
            text: TextRenderer::new(device, &ctx.queue, format),
            compositor: Compositor::new(device, format),
            splat_enabled: true,
        }
    }

    /// The target format.
    pub fn format(&self) -> wgpu::TextureFormat {
        self.format
    }

    /// Enables or disables the compute splat path for small circles (on by default).
    pub fn set_splat(&mut self, enabled: bool) {
        self.splat_enabled = enabled;
    }

    /// Draws `scene` into `target` of `size` and submits.
    pub fn render(
        &mut self,
        ctx: &GpuContext,
        target: &wgpu::TextureView,
        size: (u32, u32),
        scene: &Scene<'_>,
    ) -> Result<FrameStats, RenderError> {
        if size.0 == 0 || size.1 == 0 {
            return Err(RenderError::ZeroSize {
                width: size.0,
                height: size.1,
            });
        }
        let batches = self.sort(scene, size)?;
        let up = Upload {
            device: &ctx.device,
            queue: &ctx.queue,
            target_size: size,
        };
        let stats = self.prepare(&up, &batches)?;
        let mut encoder = ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("nasviz frame"),
            });
        self.splat.compute(&mut encoder);
        self.draw_pass(&mut encoder, target, scene.clear, size, &batches)?;
        ctx.queue.submit([encoder.finish()]);
        ctx.check_errors()?;
        Ok(stats)
    }

    /// The items of `scene` by layer (in order within one), each in its
    /// renderer's batches: small circles of large batches to the splat
    /// path when it is on; cached layers checked against the target.
    fn sort<'a>(&self, scene: &Scene<'a>, size: (u32, u32)) -> Result<Batches<'a>, RenderError> {
        let mut order: Vec<&Item<'a>> = scene.items.iter().collect();
        order.sort_by_key(|i| i.layer);
        let mut b = Batches::default();
        b.steps.reserve(order.len());
        for item in order {
            let panel = item.panel;
            let step = match item.content {
                Content::Circles { circles, size: s } => {
                    let batch = CircleBatch {
                        panel,
                        circles,
                        size: s,
                    };
                    if self.splat_enabled && self.splat.suits(&batch, size) {
                        b.splat.push(batch);
                        Step::Splat(b.splat.len() - 1)
                    } else {
                        b.circles.push(batch);
                        Step::Circles(b.circles.len() - 1)
                    }
                }
                Content::Mesh(mesh) => {
                    b.meshes.push(MeshBatch { panel, mesh });
                    Step::Mesh(b.meshes.len() - 1)
                }
                Content::Text(runs) => {
                    b.text.push(TextBatch { panel, runs });
                    Step::Text(b.text.len() - 1)
                }
                Content::Layer(layer) => {
                    self.check_layer(layer, size)?;
                    b.layers.push((layer, panel.rect));
                    Step::Layer(b.layers.len() - 1)
                }
            };
            b.steps.push(step);
        }
        Ok(b)
    }

    /// A cached layer can be composited into a target of `size` drawn by
    /// this renderer: same format, same size.
    fn check_layer(&self, layer: &CachedLayer, size: (u32, u32)) -> Result<(), RenderError> {
        if layer.format() != self.format {
            return Err(RenderError::LayerFormatMismatch {
                layer: layer.format(),
                target: self.format,
            });
        }
        if layer.size() != size {
            let (lw, lh) = layer.size();
            return Err(RenderError::LayerSizeMismatch {
                layer_w: lw,
                layer_h: lh,
                target_w: size.0,
                target_h: size.1,
            });
        }
        Ok(())
    }

    /// Uploads every renderer's batches; what was drawn, skipped and
    /// uploaded.
    fn prepare(&mut self, up: &Upload<'_>, b: &Batches<'_>) -> Result<FrameStats, RenderError> {
        let mut stats = FrameStats {
            circles: self.circles.prepare(up, &b.circles)?,
            ..FrameStats::default()
        };
        let splat_stats = self.splat.prepare(up, &b.splat)?;
        stats.splatted = splat_stats.drawn;
        stats.circles += splat_stats;
        self.meshes.prepare(up, &b.meshes)?;
        stats.text_skipped = self.text.prepare(up, &b.text)?;
        stats.uploaded = self.circles.uploaded()
            + self.splat.uploaded()
            + self.meshes.uploaded()
            + self.text.uploaded();
        Ok(stats)
    }

    /// The render pass: cleared to `clear` (or loaded), then each batch
    /// in the sorted order.
    fn draw_pass(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        target: &wgpu::TextureView,
        clear: Option<Color>,
        size: (u32, u32),
        b: &Batches<'_>,
    ) -> Result<(), RenderError> {
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("nasviz frame pass"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: target,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: match clear {
                        Some(c) => wgpu::LoadOp::Clear(c.to_wgpu_for(self.format)),
                        None => wgpu::LoadOp::Load,
                    },
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: None,
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        for step in &b.steps {
            match *step {
                Step::Circles(i) => self.circles.render_batch(&mut pass, i),
                Step::Splat(i) => self.splat.render_batch(&mut pass, i),
                Step::Mesh(i) => self.meshes.render_batch(&mut pass, i),
                Step::Text(i) => self.text.render_batch(&mut pass, i)?,
                Step::Layer(i) => {
                    let (layer, rect) = b.layers[i];
                    self.compositor.render_in(&mut pass, layer, size, &rect)?
                }
            }
        }
        Ok(())
    }

    /// Draws `scene` over what `layer` already holds (nothing is cleared), e.g. the
    /// points appended since the layer was drawn. The layer's validity is unchanged.
    pub(crate) fn render_onto_layer(
        &mut self,
        ctx: &GpuContext,
        layer: &CachedLayer,
        scene: &Scene<'_>,
    ) -> Result<FrameStats, RenderError> {
        let content = Scene {
            clear: None,
            items: scene.items.clone(),
        };
        self.render(ctx, layer.view(), layer.size(), &content)
    }

    /// Draws `scene` into `layer` (cleared to transparent first; `scene.clear` is ignored)
    /// and marks the layer valid.
    pub fn render_layer(
        &mut self,
        ctx: &GpuContext,
        layer: &mut CachedLayer,
        scene: &Scene<'_>,
    ) -> Result<FrameStats, RenderError> {
        let content = Scene {
            clear: Some(Color::TRANSPARENT),
            items: scene.items.clone(),
        };
        let stats = self.render(ctx, layer.view(), layer.size(), &content)?;
        layer.mark_valid();
        Ok(stats)
    }
}
