/// A rectangle in target pixels (origin top-left, y down).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PixelRect {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
}

impl PixelRect {
    /// A rectangle from its top-left corner and size.
    pub const fn new(x: f32, y: f32, w: f32, h: f32) -> Self {
        PixelRect { x, y, w, h }
    }

    /// The whole of a `width` x `height` target.
    pub fn full(width: u32, height: u32) -> Self {
        PixelRect::new(0.0, 0.0, width as f32, height as f32)
    }

    /// The scissor rectangle `(x, y, w, h)` of this rectangle clamped to the target, or
    /// `None` when nothing of it is visible.
    pub fn scissor(&self, target_w: u32, target_h: u32) -> Option<(u32, u32, u32, u32)> {
        if !(self.x.is_finite() && self.y.is_finite() && self.w.is_finite() && self.h.is_finite()) {
            return None;
        }
        let x0 = self.x.round().clamp(0.0, target_w as f32) as u32;
        let y0 = self.y.round().clamp(0.0, target_h as f32) as u32;
        let x1 = (self.x + self.w).round().clamp(0.0, target_w as f32) as u32;
        let y1 = (self.y + self.h).round().clamp(0.0, target_h as f32) as u32;
        (x1 > x0 && y1 > y0).then_some((x0, y0, x1 - x0, y1 - y0))
    }
}

/// A 2-D pan/zoom from data coordinates to pixels: `pixel = data * scale + offset`.
///
/// A negative `scale[1]` gives a y-up data space.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ViewTransform {
    /// Pixels per data unit, per axis.
    pub scale: [f32; 2],
    /// Pixel position of the data origin.
    pub offset: [f32; 2],
}

impl Default for ViewTransform {
    fn default() -> Self {
        Self::IDENTITY
    }
}

impl ViewTransform {
    /// Data coordinates are pixels.
    pub(crate) const IDENTITY: ViewTransform = ViewTransform {
        scale: [1.0, 1.0],
        offset: [0.0, 0.0],
    };

    /// Maps the data box `[x0, x1] x [y0, y1]` onto `rect`, y up (y0 at the bottom).
    pub fn fit(rect: PixelRect, x0: f32, x1: f32, y0: f32, y1: f32) -> Self {
        let sx = rect.w / (x1 - x0);
        let sy = -rect.h / (y1 - y0);
        ViewTransform {
            scale: [sx, sy],
            offset: [rect.x - x0 * sx, rect.y + rect.h - y0 * sy],
        }
    }

    /// Data point to pixel.
    pub fn apply(&self, p: [f32; 2]) -> [f32; 2] {
        [
            p[0] * self.scale[0] + self.offset[0],
            p[1] * self.scale[1] + self.offset[1],
        ]
    }

    /// Pixel to data point.
    pub(crate) fn invert(&self, px: [f32; 2]) -> [f32; 2] {
        [
            (px[0] - self.offset[0]) / self.scale[0],
            (px[1] - self.offset[1]) / self.scale[1],
        ]
    }

    /// Moves the view by `dx, dy` pixels.
    pub fn pan(&self, dx: f32, dy: f32) -> Self {
        ViewTransform {
            scale: self.scale,
            offset: [self.offset[0] + dx, self.offset[1] + dy],
        }
    }

    /// Zooms by `factor` keeping the pixel `anchor` fixed.
    pub fn zoom(&self, factor: f32, anchor: [f32; 2]) -> Self {
        ViewTransform {
            scale: [self.scale[0] * factor, self.scale[1] * factor],
            offset: [
                anchor[0] - (anchor[0] - self.offset[0]) * factor,
                anchor[1] - (anchor[1] - self.offset[1]) * factor,
            ],
        }
    }

    /// Geometric mean of the axis scales: how sizes in data units scale to pixels.
    pub(crate) fn size_scale(&self) -> f32 {
        (self.scale[0] * self.scale[1]).abs().sqrt()
    }
}

/// A plot panel: a clip rectangle and the view transform of what is drawn in it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Panel {
    /// Pixel rectangle everything in the panel is clipped to.
    pub rect: PixelRect,
    /// Data to pixel transform.
    pub view: ViewTransform,
}

impl Panel {
    /// The whole target, data in pixels.
    pub fn full(width: u32, height: u32) -> Self {
        Panel {
            rect: PixelRect::full(width, height),
            view: ViewTransform::IDENTITY,
        }
    }
}

/// The per-batch uniform block the circle and mesh shaders read (`View` in WGSL).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct ViewUniform {
    /// Pixels per data unit.
    pub scale: [f32; 2],
    /// Pixel offset.
    pub offset: [f32; 2],
    /// Target size in pixels.
    pub target_size: [f32; 2],
    /// Multiplier for radii and stroke widths.
    pub(crate) size_scale: f32,
    /// 1 when the shader must encode sRGB itself (non-sRGB target).
    pub(crate) encode_srgb: u32,
}

const _: () = assert!(std::mem::size_of::<ViewUniform>() == 32);

impl ViewUniform {
    /// The uniform for `view` on a target of `size` and `format`.
    pub fn new(
        view: &ViewTransform,
        size: (u32, u32),
        format: wgpu::TextureFormat,
        size_scale: f32,
    ) -> Self {
        ViewUniform {
            scale: view.scale,
            offset: view.offset,
            target_size: [size.0.max(1) as f32, size.1.max(1) as f32],
            size_scale,
            encode_srgb: u32::from(!format.is_srgb()),
        }
    }
}

/// Stride between uniforms in one buffer, addressed with dynamic offsets.
pub(crate) const UNIFORM_STRIDE: u64 = 256;

/// A growable uniform buffer of [`ViewUniform`]s bound with a dynamic offset.
pub(crate) struct UniformArena {
    label: &'static str,
    buffer: wgpu::Buffer,
    capacity: u64,
    bind_group: wgpu::BindGroup,
    staging: Vec<u8>,
}

impl UniformArena {
    pub(crate) fn layout(device: &wgpu::Device, label: &'static str) -> wgpu::BindGroupLayout {
        device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some(label),
            entries: &[wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::VERTEX_FRAGMENT,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Uniform,
                    has_dynamic_offset: true,
                    min_binding_size: wgpu::BufferSize::new(
                        std::mem::size_of::<ViewUniform>() as u64
                    ),
                },
                count: None,
            }],
        })
    }

    pub(crate) fn new(
        device: &wgpu::Device,
        layout: &wgpu::BindGroupLayout,
        label: &'static str,
    ) -> Self {
        let (buffer, bind_group) = Self::alloc(device, layout, label, 4);
        UniformArena {
            label,
            buffer,
            capacity: 4,
            bind_group,
            staging: Vec::new(),
        }
    }

    fn alloc(
        device: &wgpu::Device,
        layout: &wgpu::BindGroupLayout,
        label: &'static str,
        capacity: u64,
    ) -> (wgpu::Buffer, wgpu::BindGroup) {
        let buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: capacity * UNIFORM_STRIDE,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(label),
            layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer: &buffer,
                    offset: 0,
                    size: wgpu::BufferSize::new(std::mem::size_of::<ViewUniform>() as u64),
                }),
            }],
        });
        (buffer, bind_group)
    }

    /// Uploads `uniforms`, one per stride.
    pub(crate) fn upload(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        layout: &wgpu::BindGroupLayout,
        uniforms: &[ViewUniform],
    ) -> u64 {
        if uniforms.is_empty() {
            return 0;
        }
        let n = uniforms.len() as u64;
        if n > self.capacity {
            let cap = n.next_power_of_two();
            let (b, g) = Self::alloc(device, layout, self.label, cap);
            self.buffer = b;
            self.bind_group = g;
            self.capacity = cap;
        }
        self.staging.clear();
        self.staging.resize((n * UNIFORM_STRIDE) as usize, 0);
        for (i, u) in uniforms.iter().enumerate() {
            let at = i * UNIFORM_STRIDE as usize;
            self.staging[at..at + std::mem::size_of::<ViewUniform>()]
                .copy_from_slice(bytemuck::bytes_of(u));
        }
        queue.write_buffer(&self.buffer, 0, &self.staging);
        self.staging.len() as u64
    }

    pub(crate) fn bind(&self, pass: &mut wgpu::RenderPass<'_>, group: u32, index: usize) {
        let offset = (index as u64 * UNIFORM_STRIDE) as u32;
        pass.set_bind_group(group, &self.bind_group, &[offset]);
    }
}

/// Sets the scissor for `rect`; returns false when nothing is visible (skip the draw).
pub(crate) fn set_scissor(
    pass: &mut wgpu::RenderPass<'_>,
    rect: &PixelRect,
    size: (u32, u32),
) -> bool {
    match rect.scissor(size.0, size.1) {
        Some((x, y, w, h)) => {
            pass.set_scissor_rect(x, y, w, h);
            true
        }
        None => false,
    }
}
