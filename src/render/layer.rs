use super::pipeline::{layout_of, shader_module, PipelineSpec, COMPOSITE_WGSL};
use super::target::{drawable_texture, read_texture};
use super::{GpuContext, Image, RenderError};

/// A texture holding a rendered layer (premultiplied alpha), drawn once and composited
/// every frame until [`CachedLayer::invalidate`] is called (data or view changed).
pub struct CachedLayer {
    texture: wgpu::Texture,
    view: wgpu::TextureView,
    bind_group: wgpu::BindGroup,
    size: (u32, u32),
    format: wgpu::TextureFormat,
    valid: bool,
}

impl std::fmt::Debug for CachedLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedLayer")
            .field("size", &self.size)
            .field("valid", &self.valid)
            .finish_non_exhaustive()
    }
}

impl CachedLayer {
    /// An invalid (not yet drawn) layer of `width` x `height`, composited by `compositor`
    /// (and in its target format, so the [`super::Renderer`] of that format draws into it).
    pub fn new(
        ctx: &GpuContext,
        compositor: &Compositor,
        width: u32,
        height: u32,
    ) -> Result<Self, RenderError> {
        let (texture, view) =
            drawable_texture(ctx, width, height, "nasviz cached layer", compositor.format)?;
        let bind_group = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("nasviz cached layer bind group"),
            layout: &compositor.layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::TextureView(&view),
            }],
        });
        Ok(CachedLayer {
            texture,
            view,
            bind_group,
            size: (width, height),
            format: compositor.format,
            valid: false,
        })
    }

    /// The view to render the layer's content into (clear it to transparent first).
    pub fn view(&self) -> &wgpu::TextureView {
        &self.view
    }

    /// `(width, height)`.
    pub fn size(&self) -> (u32, u32) {
        self.size
    }

    /// Whether the content is current.
    pub fn is_valid(&self) -> bool {
        self.valid
    }

    /// Marks the content stale: it must be drawn again before compositing.
    pub fn invalidate(&mut self) {
        self.valid = false;
    }

    /// Marks the content current (after drawing into [`CachedLayer::view`]).
    pub(crate) fn mark_valid(&mut self) {
        self.valid = true;
    }

    /// The texture format (the compositor's target format).
    pub fn format(&self) -> wgpu::TextureFormat {
        self.format
    }

    /// Reads the layer back (premultiplied RGBA8), for tests and debugging.
    pub fn read(&self, ctx: &GpuContext) -> Result<Image, RenderError> {
        read_texture(ctx, &self.texture, self.size.0, self.size.1, self.format)
    }
}

/// Composites [`CachedLayer`]s onto a target of the same size: one full-screen triangle
/// with premultiplied-alpha "over" blending.
pub struct Compositor {
    format: wgpu::TextureFormat,
    pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
}

impl Compositor {
    /// A compositor for targets of `format` (its layers have the same format).
    pub fn new(device: &wgpu::Device, format: wgpu::TextureFormat) -> Self {
        let shader = shader_module(device, "nasviz composite shader", COMPOSITE_WGSL);
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("nasviz composite layout"),
            entries: &[wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::FRAGMENT,
                ty: wgpu::BindingType::Texture {
                    sample_type: wgpu::TextureSampleType::Float { filterable: false },
                    view_dimension: wgpu::TextureViewDimension::D2,
                    multisampled: false,
                },
                count: None,
            }],
        });
        let pipeline_layout = layout_of(device, "nasviz composite pipeline layout", &layout);
        let premultiplied = wgpu::BlendComponent {
            src_factor: wgpu::BlendFactor::One,
            dst_factor: wgpu::BlendFactor::OneMinusSrcAlpha,
            operation: wgpu::BlendOperation::Add,
        };
        let pipeline = PipelineSpec {
            blend: Some(wgpu::BlendState {
                color: premultiplied,
                alpha: premultiplied,
            }),
            ..PipelineSpec::new(
                "nasviz composite pipeline",
                &pipeline_layout,
                &shader,
                format,
            )
        }
        .build(device);
        Compositor {
            format,
            pipeline,
            layout,
        }
    }

    /// Composites `layer` over what the pass has drawn so far on a `target_size` target.
    pub fn render(
        &self,
        pass: &mut wgpu::RenderPass<'_>,
        layer: &CachedLayer,
        target_size: (u32, u32),
    ) -> Result<(), RenderError> {
        let full = super::PixelRect::full(target_size.0, target_size.1);
        self.render_in(pass, layer, target_size, &full)
    }

    /// Composites the part of `layer` within `rect` (nothing when `rect`
    /// lies outside the target).
    pub(crate) fn render_in(
        &self,
        pass: &mut wgpu::RenderPass<'_>,
        layer: &CachedLayer,
        target_size: (u32, u32),
        rect: &super::PixelRect,
    ) -> Result<(), RenderError> {
        if layer.format != self.format {
            return Err(RenderError::LayerFormatMismatch {
                layer: layer.format,
                target: self.format,
            });
        }
        if layer.size != target_size {
            return Err(RenderError::LayerSizeMismatch {
                layer_w: layer.size.0,
                layer_h: layer.size.1,
                target_w: target_size.0,
                target_h: target_size.1,
            });
        }
        if !super::view::set_scissor(pass, rect, target_size) {
            return Ok(());
        }
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &layer.bind_group, &[]);
        pass.draw(0..3, 0..1);
        Ok(())
    }
}
