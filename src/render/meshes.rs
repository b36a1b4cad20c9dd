use super::pipeline::{layout_of, shader_module, PipelineSpec, MESHES_WGSL};
use lyon::math::{point, Box2D, Point};
use lyon::path::builder::BorderRadii;
use lyon::path::{Path, Winding};
use lyon::tessellation::{
    BuffersBuilder, FillOptions, FillTessellator, FillVertex, FillVertexConstructor, LineCap,
    LineJoin, StrokeOptions, StrokeTessellator, StrokeVertex, StrokeVertexConstructor,
    VertexBuffers,
};

use super::batch::{GrowBuffer, Upload};
use super::circles::BLEND;
use super::view::{set_scissor, UniformArena, ViewUniform};
use super::{Color, Panel, RenderError};

/// One mesh vertex as the GPU reads it (16 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct MeshVertex {
    /// Position in data coordinates.
    pub position: [f32; 2],
    /// Colour, [`Color::packed`].
    pub color: u32,
    /// Padding to 16 bytes.
    pub _pad: u32,
}

const _: () = assert!(std::mem::size_of::<MeshVertex>() == 16);

impl MeshVertex {
    /// A vertex at `position` of `color` ([`Color::packed`]).
    pub const fn new(position: [f32; 2], color: u32) -> Self {
        MeshVertex {
            position,
            color,
            _pad: 0,
        }
    }
}

/// Triangles with per-vertex colour, in data coordinates.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mesh {
    /// Vertices.
    pub vertices: Vec<MeshVertex>,
    /// Triangle list indices into `vertices`.
    pub indices: Vec<u32>,
}

impl Mesh {
    /// True when there is nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }
}

/// Builds a [`Mesh`] with lyon: fills and strokes of lines, polylines, cubic Béziers,
/// rounded rectangles and arrowheads. Shapes with non-finite coordinates, or that lyon
/// cannot tessellate, are skipped and counted in [`MeshBuilder::skipped`].
pub struct MeshBuilder {
    geometry: VertexBuffers<MeshVertex, u32>,
    fill: FillTessellator,
    stroke: StrokeTessellator,
    tolerance: f32,
    skipped: usize,
}

impl Default for MeshBuilder {
    fn default() -> Self {
        Self::new()
    }
}

fn finite(p: [f32; 2]) -> bool {
    p[0].is_finite() && p[1].is_finite()
}

fn pt(p: [f32; 2]) -> Point {
    point(p[0], p[1])
}

/// Makes lyon's fill and stroke vertices into [`MeshVertex`]es of one
/// packed colour.
struct Colored(u32);

impl FillVertexConstructor<MeshVertex> for Colored {
    fn new_vertex(&mut self, v: FillVertex) -> MeshVertex {
        MeshVertex::new(v.position().to_array(), self.0)
    }
}

impl StrokeVertexConstructor<MeshVertex> for Colored {
    fn new_vertex(&mut self, v: StrokeVertex) -> MeshVertex {
        MeshVertex::new(v.position().to_array(), self.0)
    }
}

impl MeshBuilder {
    /// An empty builder with a flattening tolerance of 0.1 data units.
    pub fn new() -> Self {
        MeshBuilder {
            geometry: VertexBuffers::new(),
            fill: FillTessellator::new(),
            stroke: StrokeTessellator::new(),
            tolerance: 0.1,
            skipped: 0,
        }
    }

    /// Sets the curve flattening tolerance in data units (use about 0.1 pixel's worth).
    pub fn with_tolerance(mut self, tolerance: f32) -> Self {
        if tolerance.is_finite() && tolerance > 0.0 {
            self.tolerance = tolerance;
        }
        self
    }

    /// Shapes skipped so far.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// Fills a lyon path.
    pub(crate) fn fill_path(&mut self, path: &Path, color: Color) -> &mut Self {
        let options = FillOptions::tolerance(self.tolerance);
        let r = self.fill.tessellate_path(
            path,
            &options,
            &mut BuffersBuilder::new(&mut self.geometry, Colored(color.packed())),
        );
        self.skip_on_error(r)
    }

    /// Strokes a lyon path with round joins and butt caps.
    pub(crate) fn stroke_path(&mut self, path: &Path, color: Color, width: f32) -> &mut Self {
        if !(width.is_finite() && width > 0.0) {
            self.skipped += 1;
            return self;
        }
        let options = StrokeOptions::tolerance(self.tolerance)
            .with_line_width(width)
            .with_line_join(LineJoin::Round)
            .with_line_cap(LineCap::Butt);
        let r = self.stroke.tessellate_path(
            path,
            &options,
            &mut BuffersBuilder::new(&mut self.geometry, Colored(color.packed())),
        );
        self.skip_on_error(r)
    }

    /// Counts a shape lyon could not tessellate.
    fn skip_on_error<E>(&mut self, r: Result<(), E>) -> &mut Self {
        if r.is_err() {
            self.skipped += 1;
        }
        self
    }

    /// A straight line segment.
    pub fn line(&mut self, a: [f32; 2], b: [f32; 2], color: Color, width: f32) -> &mut Self {
        self.polyline(&[a, b], color, width)
    }

    /// An open polyline through `points`.
    pub fn polyline(&mut self, points: &[[f32; 2]], color: Color, width: f32) -> &mut Self {
        match self.path_through(points, 2, false) {
            Some(path) => self.stroke_path(&path, color, width),
            None => self,
        }
    }

    /// The path through `points`, `closed` or not; `None` (counted as
    /// skipped) for fewer than `least` points or a non-finite one.
    fn path_through(&mut self, points: &[[f32; 2]], least: usize, closed: bool) -> Option<Path> {
        if points.len() < least || !points.iter().all(|p| finite(*p)) {
            self.skipped += 1;
            return None;
        }
        let mut b = Path::builder();
        b.begin(pt(points[0]));
        for p in &points[1..] {
            b.line_to(pt(*p));
        }
        b.end(closed);
        Some(b.build())
    }

    /// A cubic Bézier from `from` to `to` with control points `c1`, `c2`, stroked.
    pub fn cubic(
        &mut self,
        from: [f32; 2],
        c1: [f32; 2],
        c2: [f32; 2],
        to: [f32; 2],
        color: Color,
        width: f32,
    ) -> &mut Self {
        if ![from, c1, c2, to].iter().all(|p| finite(*p)) {
            self.skipped += 1;
            return self;
        }
        let mut b = Path::builder();
        b.begin(pt(from));
        b.cubic_bezier_to(pt(c1), pt(c2), pt(to));
        b.end(false);
        let path = b.build();
        self.stroke_path(&path, color, width)
    }

    /// A filled convex or concave polygon.
    pub fn polygon(&mut self, points: &[[f32; 2]], color: Color) -> &mut Self {
        match self.path_through(points, 3, true) {
            Some(path) => self.fill_path(&path, color),
            None => self,
        }
    }

    /// A rectangle from `min` to `max` with corner `radius`, optionally filled and/or
    /// stroked (the stroke is centred on the outline).
    pub fn rounded_rect(
        &mut self,
        min: [f32; 2],
        max: [f32; 2],
        radius: f32,
        fill: Option<Color>,
        stroke: Option<(Color, f32)>,
    ) -> &mut Self {
        if !(finite(min) && finite(max) && radius.is_finite()) {
            self.skipped += 1;
            return self;
        }
        let rect = Box2D::new(
            point(min[0].min(max[0]), min[1].min(max[1])),
            point(min[0].max(max[0]), min[1].max(max[1])),
        );
        let r = radius.clamp(0.0, 0.5 * rect.width().min(rect.height()));
        let mut b = Path::builder();
        b.add_rounded_rectangle(&rect, &BorderRadii::new(r), Winding::Positive);
        let path = b.build();
        if let Some(c) = fill {
            self.fill_path(&path, c);
        }
        if let Some((c, w)) = stroke {
            self.stroke_path(&path, c, w);
        }
        self
    }

    /// A circle's outline: `width` wide, centred on the circle of `radius`
    /// around `center`.
    pub fn ring(&mut self, center: [f32; 2], radius: f32, color: Color, width: f32) -> &mut Self {
        self.rounded_rect(
            [center[0] - radius, center[1] - radius],
            [center[0] + radius, center[1] + radius],
            radius,
            None,
            Some((color, width)),
        )
    }

    /// A filled triangular arrowhead with its point at `tip`, pointing along `direction`
    /// (from the shaft towards the tip), `length` long and `width` wide at its base.
    pub fn arrowhead(
        &mut self,
        tip: [f32; 2],
        direction: [f32; 2],
        length: f32,
        width: f32,
        color: Color,
    ) -> &mut Self {
        let n = (direction[0] * direction[0] + direction[1] * direction[1]).sqrt();
        if !(finite(tip) && n.is_finite() && n > 0.0 && length.is_finite() && width.is_finite()) {
            self.skipped += 1;
            return self;
        }
        let d = [direction[0] / n, direction[1] / n];
        let base = [tip[0] - d[0] * length, tip[1] - d[1] * length];
        let perp = [-d[1] * width * 0.5, d[0] * width * 0.5];
        self.polygon(
            &[
                tip,
                [base[0] + perp[0], base[1] + perp[1]],
                [base[0] - perp[0], base[1] - perp[1]],
            ],
            color,
        )
    }

    /// A straight segment as one quad, without lyon (no caps or joins):
    /// for thousands of thin lines, such as a lineage's parent links.
    pub fn segment(&mut self, a: [f32; 2], b: [f32; 2], color: Color, width: f32) -> &mut Self {
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let len = (dx * dx + dy * dy).sqrt();
        if !(finite(a) && finite(b) && width.is_finite() && width > 0.0) || len <= 0.0 {
            self.skipped += 1;
            return self;
        }
        let (nx, ny) = (-dy / len * width / 2.0, dx / len * width / 2.0);
        let base = self.geometry.vertices.len() as u32;
        let c = color.packed();
        for p in [
            [a[0] + nx, a[1] + ny],
            [a[0] - nx, a[1] - ny],
            [b[0] + nx, b[1] + ny],
            [b[0] - nx, b[1] - ny],
        ] {
            self.geometry.vertices.push(MeshVertex::new(p, c));
        }
        self.geometry.indices.extend_from_slice(&[
            base,
            base + 1,
            base + 2,
            base + 1,
            base + 3,
            base + 2,
        ]);
        self
    }

    /// A filled disc (for small shapes; use [`super::CircleRenderer`] for many circles).
    pub fn disc(&mut self, center: [f32; 2], radius: f32, color: Color) -> &mut Self {
        if !(finite(center) && radius.is_finite() && radius > 0.0) {
            self.skipped += 1;
            return self;
        }
        let mut b = Path::builder();
        b.add_circle(pt(center), radius, Winding::Positive);
        let path = b.build();
        self.fill_path(&path, color)
    }

    /// The mesh built so far (the builder can go on).
    pub fn mesh(&self) -> Mesh {
        Mesh {
            vertices: self.geometry.vertices.clone(),
            indices: self.geometry.indices.clone(),
        }
    }

    /// Finishes the mesh.
    pub fn build(self) -> Mesh {
        Mesh {
            vertices: self.geometry.vertices,
            indices: self.geometry.indices,
        }
    }
}

/// A mesh drawn in one panel.
#[derive(Clone, Copy, Debug)]
pub struct MeshBatch<'a> {
    /// Clip rectangle and view.
    pub panel: Panel,
    /// The mesh.
    pub mesh: &'a Mesh,
}

struct PreparedBatch {
    panel: Panel,
    first_index: u32,
    index_count: u32,
    /// Every vertex fully opaque: drawn without blending.
    opaque: bool,
}

/// Draws [`Mesh`]es: one vertex and one index buffer for all batches of a frame.
pub struct MeshRenderer {
    format: wgpu::TextureFormat,
    pipeline: wgpu::RenderPipeline,
    opaque_pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
    uniforms: UniformArena,
    vertices: GrowBuffer,
    indices: GrowBuffer,
    batches: Vec<PreparedBatch>,
    target_size: (u32, u32),
    staging_v: Vec<MeshVertex>,
    staging_i: Vec<u32>,
    uploaded: u64,
}

impl MeshRenderer {
    /// A renderer for targets of `format`.
    pub fn new(device: &wgpu::Device, format: wgpu::TextureFormat) -> Self {
        let shader = shader_module(device, "nasviz meshes shader", MESHES_WGSL);
        let layout = UniformArena::layout(device, "nasviz meshes view layout");
        let pipeline_layout = layout_of(device, "nasviz meshes pipeline layout", &layout);
        const ATTRS: [wgpu::VertexAttribute; 2] =
            wgpu::vertex_attr_array![0 => Float32x2, 1 => Uint32];
        let make = |blend: Option<wgpu::BlendState>| {
            PipelineSpec {
                buffer: Some(wgpu::VertexBufferLayout {
                    array_stride: std::mem::size_of::<MeshVertex>() as u64,
                    step_mode: wgpu::VertexStepMode::Vertex,
                    attributes: &ATTRS,
                }),
                blend,
                ..PipelineSpec::new("nasviz meshes pipeline", &pipeline_layout, &shader, format)
            }
            .build(device)
        };
        // opaque meshes are drawn without blending: the same pixels, and a
        // software rasteriser does not read the target back
        let pipeline = make(Some(BLEND));
        let opaque_pipeline = make(None);
        let uniforms = UniformArena::new(device, &layout, "nasviz meshes view uniforms");
        MeshRenderer {
            format,
            pipeline,
            opaque_pipeline,
            layout,
            uniforms,
            vertices: GrowBuffer::new("nasviz mesh vertices", wgpu::BufferUsages::VERTEX),
            indices: GrowBuffer::new("nasviz mesh indices", wgpu::BufferUsages::INDEX),
            batches: Vec::new(),
            target_size: (1, 1),
            staging_v: Vec::new(),
            staging_i: Vec::new(),
            uploaded: 0,
        }
    }

    /// Bytes the last [`Self::prepare`] wrote to the GPU.
    pub fn uploaded(&self) -> u64 {
        self.uploaded
    }

    /// Uploads `batches` for a target of `up.target_size`, replacing what
    /// was prepared before.
    pub fn prepare(
        &mut self,
        up: &Upload<'_>,
        batches: &[MeshBatch<'_>],
    ) -> Result<(), RenderError> {
        self.batches.clear();
        self.target_size = up.target_size;
        self.staging_v.clear();
        self.staging_i.clear();
        let mut uniforms = Vec::with_capacity(batches.len());
        for b in batches {
            let base = self.staging_v.len() as u32;
            let first_index = self.staging_i.len() as u32;
            let nv = b.mesh.vertices.len() as u32;
            self.staging_v.extend_from_slice(&b.mesh.vertices);
            // Indices past the mesh's own vertices are dropped rather than drawn wrong.
            for tri in b.mesh.indices.chunks_exact(3) {
                if tri.iter().all(|&i| i < nv) {
                    self.staging_i.extend(tri.iter().map(|&i| i + base));
                }
            }
            uniforms.push(ViewUniform::new(
                &b.panel.view,
                up.target_size,
                self.format,
                b.panel.view.size_scale(),
            ));
            self.batches.push(PreparedBatch {
                panel: b.panel,
                first_index,
                index_count: self.staging_i.len() as u32 - first_index,
                opaque: b.mesh.vertices.iter().all(|v| v.color >> 24 == 0xff),
            });
        }
        let (vbytes, ibytes) = self.staged_bytes();
        let max = up.device.limits().max_buffer_size;
        if vbytes.max(ibytes) > max {
            self.batches.clear();
            return Err(RenderError::BufferTooLarge {
                what: "mesh",
                bytes: vbytes.max(ibytes),
                max,
            });
        }
        self.vertices.reserve(up.device, vbytes, max);
        self.indices.reserve(up.device, ibytes, max);
        self.uploaded = 0;
        if let (Some(v), false) = (self.vertices.get(), self.staging_v.is_empty()) {
            up.queue
                .write_buffer(v, 0, bytemuck::cast_slice(&self.staging_v));
            self.uploaded += std::mem::size_of_val(self.staging_v.as_slice()) as u64;
        }
        if let (Some(i), false) = (self.indices.get(), self.staging_i.is_empty()) {
            up.queue
                .write_buffer(i, 0, bytemuck::cast_slice(&self.staging_i));
            self.uploaded += std::mem::size_of_val(self.staging_i.as_slice()) as u64;
        }
        self.uploaded += self
            .uniforms
            .upload(up.device, up.queue, &self.layout, &uniforms);
        Ok(())
    }

    /// Bytes of the vertices and of the indices staged for the frame.
    fn staged_bytes(&self) -> (u64, u64) {
        (
            (self.staging_v.len() * std::mem::size_of::<MeshVertex>()) as u64,
            (self.staging_i.len() * 4) as u64,
        )
    }

    /// Draws prepared batch `index` (nothing if it is empty or out of range).
    pub fn render_batch(&self, pass: &mut wgpu::RenderPass<'_>, index: usize) {
        let (Some(b), Some(v), Some(i)) = (
            self.batches.get(index),
            self.vertices.get(),
            self.indices.get(),
        ) else {
            return;
        };
        if b.index_count == 0 || !set_scissor(pass, &b.panel.rect, self.target_size) {
            return;
        }
        let (vbytes, ibytes) = self.staged_bytes();
        pass.set_pipeline(if b.opaque {
            &self.opaque_pipeline
        } else {
            &self.pipeline
        });
        self.uniforms.bind(pass, 0, index);
        pass.set_vertex_buffer(0, v.slice(..vbytes));
        pass.set_index_buffer(i.slice(..ibytes), wgpu::IndexFormat::Uint32);
        pass.draw_indexed(b.first_index..b.first_index + b.index_count, 0, 0..1);
    }
}
