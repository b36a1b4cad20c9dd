use super::batch::{GrowBuffer, Upload};
use super::pipeline::{layout_of, shader_module, PipelineSpec, CIRCLES_WGSL};
use super::view::{set_scissor, UniformArena, ViewUniform};
use super::{Color, Panel, RenderError};

/// One circle instance, exactly as the GPU reads it (24 bytes).
///
/// The stroke lies inside the radius: `stroke_width` pixels (or data units, see
/// [`SizeMode`]) of the disc's rim are painted with `stroke`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Circle {
    /// Centre in data coordinates.
    pub center: [f32; 2],
    /// Radius.
    pub radius: f32,
    /// Stroke width (0 for none).
    pub stroke_width: f32,
    /// Fill colour, [`Color::packed`].
    pub fill: u32,
    /// Stroke colour, [`Color::packed`].
    pub stroke: u32,
}

const _: () = assert!(std::mem::size_of::<Circle>() == 24);

impl Circle {
    /// A filled circle without stroke.
    pub fn new(center: [f32; 2], radius: f32, fill: Color) -> Self {
        Circle {
            center,
            radius,
            stroke_width: 0.0,
            fill: fill.packed(),
            stroke: 0,
        }
    }

    /// The same circle with a stroke.
    pub fn with_stroke(self, color: Color, width: f32) -> Self {
        Circle {
            stroke_width: width,
            stroke: color.packed(),
            ..self
        }
    }

    /// Finite centre, radius and stroke, and a non-negative radius.
    pub fn is_valid(&self) -> bool {
        self.center[0].is_finite()
            && self.center[1].is_finite()
            && self.radius.is_finite()
            && self.radius >= 0.0
            && self.stroke_width.is_finite()
    }
}

/// What radii and stroke widths are measured in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SizeMode {
    /// Pixels: circles keep their size when zooming (scatter plots).
    #[default]
    Pixels,
    /// Data units: circles scale with the view's zoom (graph nodes).
    Data,
}

/// A set of circles drawn in one panel; later circles are drawn over earlier ones.
#[derive(Clone, Copy, Debug)]
pub struct CircleBatch<'a> {
    /// Clip rectangle and view.
    pub panel: Panel,
    /// The circles.
    pub circles: &'a [Circle],
    /// Units of radius and stroke width.
    pub size: SizeMode,
}

/// Counts from [`CircleRenderer::prepare`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CircleStats {
    /// Circles uploaded for drawing.
    pub drawn: usize,
    /// Circles skipped for a non-finite position, radius or stroke, or a negative radius.
    pub skipped: usize,
}

impl std::ops::AddAssign for CircleStats {
    fn add_assign(&mut self, o: Self) {
        self.drawn += o.drawn;
        self.skipped += o.skipped;
    }
}

impl CircleStats {
    /// The valid ones of `circles` (all of them, or those copied into
    /// `scratch`), counted as drawn, the others as skipped.
    pub(crate) fn valid<'a>(
        &mut self,
        circles: &'a [Circle],
        scratch: &'a mut Vec<Circle>,
    ) -> &'a [Circle] {
        let data: &[Circle] = if circles.iter().all(Circle::is_valid) {
            circles
        } else {
            scratch.clear();
            scratch.extend(circles.iter().filter(|c| c.is_valid()).copied());
            scratch
        };
        self.drawn += data.len();
        self.skipped += circles.len() - data.len();
        data
    }
}

struct PreparedBatch {
    panel: Panel,
    first: u32,
    count: u32,
}

/// Draws circles as instanced quads with an anti-aliased signed-distance edge.
pub struct CircleRenderer {
    format: wgpu::TextureFormat,
    pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
    uniforms: UniformArena,
    instances: GrowBuffer,
    batches: Vec<PreparedBatch>,
    target_size: (u32, u32),
    scratch: Vec<Circle>,
    uploaded: u64,
}

/// Blend state shared by all primitives: straight-alpha source over, with alpha
/// accumulated so a layer drawn on transparent ends up premultiplied.
pub(crate) const BLEND: wgpu::BlendState = wgpu::BlendState {
    color: wgpu::BlendComponent {
        src_factor: wgpu::BlendFactor::SrcAlpha,
        dst_factor: wgpu::BlendFactor::OneMinusSrcAlpha,
        operation: wgpu::BlendOperation::Add,
    },
    alpha: wgpu::BlendComponent {
        src_factor: wgpu::BlendFactor::One,
        dst_factor: wgpu::BlendFactor::OneMinusSrcAlpha,
        operation: wgpu::BlendOperation::Add,
    },
};

impl CircleRenderer {
    /// A renderer for targets of `format`.
    pub fn new(device: &wgpu::Device, format: wgpu::TextureFormat) -> Self {
        let shader = shader_module(device, "nasviz circles shader", CIRCLES_WGSL);
        let layout = UniformArena::layout(device, "nasviz circles view layout");
        let pipeline_layout = layout_of(device, "nasviz circles pipeline layout", &layout);
        const ATTRS: [wgpu::VertexAttribute; 5] = wgpu::vertex_attr_array![
            0 => Float32x2, 1 => Float32, 2 => Float32, 3 => Uint32, 4 => Uint32
        ];
        let pipeline = PipelineSpec {
            buffer: Some(wgpu::VertexBufferLayout {
                array_stride: std::mem::size_of::<Circle>() as u64,
                step_mode: wgpu::VertexStepMode::Instance,
                attributes: &ATTRS,
            }),
            topology: wgpu::PrimitiveTopology::TriangleStrip,
            blend: Some(BLEND),
            ..PipelineSpec::new("nasviz circles pipeline", &pipeline_layout, &shader, format)
        }
        .build(device);
        let uniforms = UniformArena::new(device, &layout, "nasviz circles view uniforms");
        CircleRenderer {
            format,
            pipeline,
            layout,
            uniforms,
            instances: GrowBuffer::new("nasviz circle instances", wgpu::BufferUsages::VERTEX),
            batches: Vec::new(),
            target_size: (1, 1),
            scratch: Vec::new(),
            uploaded: 0,
        }
    }

    /// Uploads `batches` for a target of `up.target_size`, replacing what
    /// was prepared before. Invalid circles are skipped and counted.
    pub fn prepare(
        &mut self,
        up: &Upload<'_>,
        batches: &[CircleBatch<'_>],
    ) -> Result<CircleStats, RenderError> {
        self.batches.clear();
        self.target_size = up.target_size;
        let mut stats = CircleStats::default();
        let total: u64 = batches.iter().map(|b| b.circles.len() as u64).sum();
        let bytes = total * std::mem::size_of::<Circle>() as u64;
        let max = up.device.limits().max_buffer_size;
        if bytes > max {
            return Err(RenderError::BufferTooLarge {
                what: super::error::CIRCLE_INSTANCES,
                bytes,
                max,
            });
        }
        self.instances.reserve(up.device, bytes, max);
        let mut uniforms = Vec::with_capacity(batches.len());
        let mut first = 0u64;
        self.uploaded = 0;
        for b in batches {
            let data = stats.valid(b.circles, &mut self.scratch);
            if let (Some(buf), false) = (self.instances.get(), data.is_empty()) {
                up.queue.write_buffer(
                    buf,
                    first * std::mem::size_of::<Circle>() as u64,
                    bytemuck::cast_slice(data),
                );
                self.uploaded += std::mem::size_of_val(data) as u64;
            }
            let size_scale = match b.size {
                SizeMode::Pixels => 1.0,
                SizeMode::Data => b.panel.view.size_scale(),
            };
            uniforms.push(ViewUniform::new(
                &b.panel.view,
                up.target_size,
                self.format,
                size_scale,
            ));
            self.batches.push(PreparedBatch {
                panel: b.panel,
                first: first as u32,
                count: data.len() as u32,
            });
            first += data.len() as u64;
        }
        self.uploaded += self
            .uniforms
            .upload(up.device, up.queue, &self.layout, &uniforms);
        Ok(stats)
    }

    /// Bytes the last [`Self::prepare`] wrote to the GPU.
    pub fn uploaded(&self) -> u64 {
        self.uploaded
    }

    /// Draws prepared batch `index` (nothing if it is empty or out of range).
    pub fn render_batch(&self, pass: &mut wgpu::RenderPass<'_>, index: usize) {
        let (Some(b), Some(buf)) = (self.batches.get(index), self.instances.get()) else {
            return;
        };
        if b.count == 0 || !set_scissor(pass, &b.panel.rect, self.target_size) {
            return;
        }
        pass.set_pipeline(&self.pipeline);
        self.uniforms.bind(pass, 0, index);
        let stride = std::mem::size_of::<Circle>() as u64;
        let start = u64::from(b.first) * stride;
        let end = start + u64::from(b.count) * stride;
        pass.set_vertex_buffer(0, buf.slice(start..end));
        pass.draw(0..4, 0..b.count);
    }
}
