use super::batch::Upload;
use super::circles::BLEND;
use super::pipeline::{layout_of, shader_module, PipelineSpec, SPLAT_WGSL};
use super::view::{set_scissor, ViewUniform};
use super::{Circle, CircleBatch, CircleStats, RenderError, SizeMode};

/// Default largest pixel radius a batch may have to take the splat path
/// ([`SplatRenderer::set_max_radius`] changes it).
pub const SPLAT_MAX_RADIUS: f32 = 4.0;
/// Smallest batch that takes the splat path (below it instanced quads are as fast).
pub const SPLAT_MIN_COUNT: usize = 20_000;

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
struct SplatUniform {
    view: ViewUniform,
    clip: [u32; 4],
    count: u32,
    row: u32,
    _pad: [u32; 2],
}

const _: () = assert!(std::mem::size_of::<SplatUniform>() == 64);

const WORKGROUP: u32 = 64;
const MAX_GROUPS: u32 = 65_535;

struct Slot {
    uniform: wgpu::Buffer,
    circles: wgpu::Buffer,
    circles_capacity: u64,
    ids: wgpu::Buffer,
    ids_capacity: u64,
    compute_group: wgpu::BindGroup,
    resolve_group: wgpu::BindGroup,
}

struct Prepared {
    slot: usize,
    count: u32,
    rect: super::PixelRect,
    ids_bytes: u64,
}

fn entry(binding: u32, buffer: &wgpu::Buffer) -> wgpu::BindGroupEntry<'_> {
    wgpu::BindGroupEntry {
        binding,
        resource: buffer.as_entire_binding(),
    }
}

/// How the splat path blends circles that share a pixel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SplatMode {
    /// Composites the top circle touching the pixel, the top one covering at least half of
    /// it and the top one covering it fully: rims over other circles look nearly as with
    /// instanced quads.
    #[default]
    Blended,
    /// Shades only the top circle touching the pixel; its rim blends with what lies below
    /// the batch. Cheaper.
    Fast,
}

impl SplatMode {
    fn planes(self) -> u64 {
        match self {
            SplatMode::Blended => 3,
            SplatMode::Fast => 1,
        }
    }

    fn index(self) -> usize {
        match self {
            SplatMode::Blended => 0,
            SplatMode::Fast => 1,
        }
    }
}

struct Pipelines {
    /// Indexed by [`SplatMode::index`].
    compute: [wgpu::ComputePipeline; 2],
    resolve: [wgpu::RenderPipeline; 2],
    compute_layout: wgpu::BindGroupLayout,
    resolve_layout: wgpu::BindGroupLayout,
}

/// Draws large batches of small circles with a compute pass instead of one quad each.
///
/// Software rasterisers pay per primitive, so a compute pass that writes the winning circle
/// index of each pixel (the last circle in the batch wins, as with quads) and a full-screen
/// pass that shades it is several times faster for 10^5–10^6 dots. Per pixel, the top
/// circle touching it, the top one covering at least half of it and the top one covering it
/// fully are composited in order, so anti-aliased rims over other circles look nearly as
/// with quads; where more rims or translucent circles stack in one pixel, only those three
/// are blended (quads blend them all). Used for batches in [`SizeMode::Pixels`] whose circles are
/// all at most [`SPLAT_MAX_RADIUS`] pixels (by default).
pub struct SplatRenderer {
    format: wgpu::TextureFormat,
    pipelines: Option<Pipelines>,
    slots: Vec<Slot>,
    prepared: Vec<Prepared>,
    target_size: (u32, u32),
    max_binding: u64,
    scratch: Vec<Circle>,
    max_radius: f32,
    mode: SplatMode,
    uploaded: u64,
}

impl SplatRenderer {
    /// A splat renderer for targets of `format`; inert on devices without compute shaders
    /// or fragment-stage storage buffers.
    pub fn new(device: &wgpu::Device, format: wgpu::TextureFormat) -> Self {
        let limits = device.limits();
        let usable = limits.max_storage_buffers_per_shader_stage >= 2
            && limits.max_compute_invocations_per_workgroup >= WORKGROUP
            && limits.max_compute_workgroups_per_dimension >= MAX_GROUPS;
        let pipelines = usable.then(|| Self::pipelines(device, format));
        SplatRenderer {
            format,
            pipelines,
            slots: Vec::new(),
            prepared: Vec::new(),
            target_size: (1, 1),
            max_binding: limits.max_storage_buffer_binding_size,
            scratch: Vec::new(),
            max_radius: SPLAT_MAX_RADIUS,
            mode: SplatMode::default(),
            uploaded: 0,
        }
    }

    fn pipelines(device: &wgpu::Device, format: wgpu::TextureFormat) -> Pipelines {
        let shader = shader_module(device, "nasviz splat shader", SPLAT_WGSL);
        let uniform = |stages| wgpu::BindGroupLayoutEntry {
            binding: 0,
            visibility: stages,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Uniform,
                has_dynamic_offset: false,
                min_binding_size: wgpu::BufferSize::new(std::mem::size_of::<SplatUniform>() as u64),
            },
            count: None,
        };
        let storage = |binding, stages, read_only| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: stages,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Storage { read_only },
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        };
        let cs = wgpu::ShaderStages::COMPUTE;
        let fs = wgpu::ShaderStages::FRAGMENT;
        let compute_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("nasviz splat compute layout"),
            entries: &[uniform(cs), storage(1, cs, true), storage(2, cs, false)],
        });
        let resolve_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("nasviz splat resolve layout"),
            entries: &[uniform(fs), storage(1, fs, true), storage(3, fs, true)],
        });
        let compute_pl = layout_of(
            device,
            "nasviz splat compute pipeline layout",
            &compute_layout,
        );
        let resolve_pl = layout_of(
            device,
            "nasviz splat resolve pipeline layout",
            &resolve_layout,
        );
        let make = |mode: SplatMode| {
            let constants = [("PLANES", mode.planes() as f64)];
            let options = wgpu::PipelineCompilationOptions {
                constants: &constants,
                zero_initialize_workgroup_memory: true,
            };
            let compute = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some("nasviz splat compute pipeline"),
                layout: Some(&compute_pl),
                module: &shader,
                entry_point: Some("cs_splat"),
                compilation_options: options.clone(),
                cache: None,
            });
            let resolve = PipelineSpec {
                entries: ("vs_resolve", "fs_resolve"),
                blend: Some(BLEND),
                options,
                ..PipelineSpec::new(
                    "nasviz splat resolve pipeline",
                    &resolve_pl,
                    &shader,
                    format,
                )
            }
            .build(device);
            (compute, resolve)
        };
        let (c0, r0) = make(SplatMode::Blended);
        let (c1, r1) = make(SplatMode::Fast);
        let (compute, resolve) = ([c0, c1], [r0, r1]);
        Pipelines {
            compute,
            resolve,
            compute_layout,
            resolve_layout,
        }
    }

    /// Whether the device supports the splat path at all.
    pub fn is_available(&self) -> bool {
        self.pipelines.is_some()
    }

    /// Sets the largest pixel radius that takes the splat path (clamped to 0.5..=64;
    /// the compute pass's cost grows with the area of each circle).
    pub fn set_max_radius(&mut self, radius: f32) {
        if radius.is_finite() {
            self.max_radius = radius.clamp(0.5, 64.0);
        }
    }

    /// Bytes the last `prepare` wrote to the GPU.
    pub fn uploaded(&self) -> u64 {
        self.uploaded
    }

    /// Sets how circles sharing a pixel are blended.
    pub fn set_mode(&mut self, mode: SplatMode) {
        self.mode = mode;
    }

    /// How circles sharing a pixel are blended.
    pub fn mode(&self) -> SplatMode {
        self.mode
    }

    /// The largest pixel radius that takes the splat path.
    pub fn max_radius(&self) -> f32 {
        self.max_radius
    }

    /// Whether `batch` should take the splat path on a target of `size`: the path is
    /// available, the batch is large, sized in pixels, every valid circle's radius is at
    /// most [`SplatRenderer::max_radius`] pixels, and the buffers fit the device's binding limit.
    pub fn suits(&self, batch: &CircleBatch<'_>, size: (u32, u32)) -> bool {
        self.pipelines.is_some()
            && batch.size == SizeMode::Pixels
            && batch.circles.len() >= SPLAT_MIN_COUNT
            && std::mem::size_of_val(batch.circles) as u64 <= self.max_binding
            && u64::from(size.0) * u64::from(size.1) * 12 <= self.max_binding
            && batch
                .circles
                .iter()
                .all(|c| c.radius <= self.max_radius || !c.is_valid())
    }

    fn slot(
        &mut self,
        device: &wgpu::Device,
        index: usize,
        circles_bytes: u64,
        ids_bytes: u64,
    ) -> Option<&Slot> {
        let p = self.pipelines.as_ref()?;
        let fits = self
            .slots
            .get(index)
            .is_some_and(|s| s.circles_capacity >= circles_bytes && s.ids_capacity >= ids_bytes);
        if !fits {
            let old = self.slots.get(index);
            let circles_capacity = circles_bytes
                .max(old.map_or(0, |s| s.circles_capacity))
                .next_power_of_two()
                .min(self.max_binding)
                .max(circles_bytes);
            let ids_capacity = ids_bytes.max(old.map_or(0, |s| s.ids_capacity));
            let uniform = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("nasviz splat uniform"),
                size: std::mem::size_of::<SplatUniform>() as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            let circles = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("nasviz splat circles"),
                size: circles_capacity,
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            let ids = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("nasviz splat pixel ids"),
                size: ids_capacity,
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            let compute_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("nasviz splat compute bind group"),
                layout: &p.compute_layout,
                entries: &[entry(0, &uniform), entry(1, &circles), entry(2, &ids)],
            });
            let resolve_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("nasviz splat resolve bind group"),
                layout: &p.resolve_layout,
                entries: &[entry(0, &uniform), entry(1, &circles), entry(3, &ids)],
            });
            let slot = Slot {
                uniform,
                circles,
                circles_capacity,
                ids,
                ids_capacity,
                compute_group,
                resolve_group,
            };
            if index < self.slots.len() {
                self.slots[index] = slot;
            } else {
                self.slots.push(slot);
            }
        }
        self.slots.get(index)
    }

    /// Uploads `batches` (each should satisfy [`SplatRenderer::suits`]) for
    /// a target of `up.target_size`. Invalid circles are skipped and
    /// counted.
    pub fn prepare(
        &mut self,
        up: &Upload<'_>,
        batches: &[CircleBatch<'_>],
    ) -> Result<CircleStats, RenderError> {
        self.prepared.clear();
        let target_size = up.target_size;
        self.target_size = target_size;
        self.uploaded = 0;
        let mut stats = CircleStats::default();
        if self.pipelines.is_none() {
            return Ok(stats);
        }
        // three planes of u32 ids: any, at least half, and full coverage
        let ids_bytes = u64::from(target_size.0) * u64::from(target_size.1) * 12;
        for (i, b) in batches.iter().enumerate() {
            let mut scratch = std::mem::take(&mut self.scratch);
            let data = stats.valid(b.circles, &mut scratch);
            let circles_bytes = std::mem::size_of_val(data) as u64;
            // the circles (they grow with the points) or the id planes
            // (they grow with the target)
            for (what, bytes) in [
                (super::error::SPLAT_CIRCLES, circles_bytes),
                ("splat id planes", ids_bytes),
            ] {
                if bytes > self.max_binding {
                    self.scratch = scratch;
                    return Err(RenderError::BufferTooLarge {
                        what,
                        bytes,
                        max: self.max_binding,
                    });
                }
            }
            let count = data.len() as u32;
            let clip = b
                .panel
                .rect
                .scissor(target_size.0, target_size.1)
                .unwrap_or((0, 0, 0, 0));
            let groups = count.div_ceil(WORKGROUP);
            let uniform = SplatUniform {
                view: ViewUniform::new(&b.panel.view, target_size, self.format, 1.0),
                clip: [clip.0, clip.1, clip.0 + clip.2, clip.1 + clip.3],
                count,
                row: groups.min(MAX_GROUPS) * WORKGROUP,
                _pad: [0; 2],
            };
            let slot_index = i;
            let mut written = 0;
            if let Some(slot) = self.slot(up.device, slot_index, circles_bytes.max(24), ids_bytes) {
                up.queue
                    .write_buffer(&slot.uniform, 0, bytemuck::bytes_of(&uniform));
                written += std::mem::size_of_val(&uniform) as u64;
                if !data.is_empty() {
                    up.queue
                        .write_buffer(&slot.circles, 0, bytemuck::cast_slice(data));
                    written += circles_bytes;
                }
            }
            self.uploaded += written;
            self.scratch = scratch;
            self.prepared.push(Prepared {
                slot: slot_index,
                count: if clip.2 == 0 { 0 } else { count },
                rect: b.panel.rect,
                ids_bytes,
            });
        }
        Ok(stats)
    }

    /// Records the compute passes of every prepared batch (before the render pass).
    pub fn compute(&self, encoder: &mut wgpu::CommandEncoder) {
        let Some(p) = &self.pipelines else {
            return;
        };
        for b in &self.prepared {
            let Some(slot) = self.slots.get(b.slot) else {
                continue;
            };
            encoder.clear_buffer(&slot.ids, 0, Some(b.ids_bytes / 3 * self.mode.planes()));
            if b.count == 0 {
                continue;
            }
            let groups = b.count.div_ceil(WORKGROUP);
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("nasviz splat pass"),
                timestamp_writes: None,
            });
            pass.set_pipeline(&p.compute[self.mode.index()]);
            pass.set_bind_group(0, &slot.compute_group, &[]);
            pass.dispatch_workgroups(groups.min(MAX_GROUPS), groups.div_ceil(MAX_GROUPS), 1);
        }
    }

    /// Shades prepared batch `index` into the render pass (its compute
    /// pass recorded first, by [`SplatRenderer::compute`]).
    pub fn render_batch(&self, pass: &mut wgpu::RenderPass<'_>, index: usize) {
        let (Some(p), Some(b)) = (&self.pipelines, self.prepared.get(index)) else {
            return;
        };
        let Some(slot) = self.slots.get(b.slot) else {
            return;
        };
        if b.count == 0 || !set_scissor(pass, &b.rect, self.target_size) {
            return;
        }
        pass.set_pipeline(&p.resolve[self.mode.index()]);
        pass.set_bind_group(0, &slot.resolve_group, &[]);
        pass.draw(0..3, 0..1);
    }
}
