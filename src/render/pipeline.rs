//! The one way nasviz's renderers make their render pipelines: what
//! differs between them (the shader's entry points, the vertex buffer, the
//! topology, the blending, specialisation constants) in a
//! [`PipelineSpec`]; everything else (no depth, no multisampling, one
//! colour target) is the same for all. And their shaders' sources: WGSL
//! has no include, so what the circle, mesh and splat shaders share
//! (`shaders/common.wgsl`) is put before each of them here.

/// `shaders/common.wgsl` followed by the shader file `$file`.
macro_rules! after_common {
    ($file:literal) => {
        concat!(
            include_str!("../../shaders/common.wgsl"),
            include_str!(concat!("../../shaders/", $file))
        )
    };
}

/// The instanced circles' shader.
pub(crate) const CIRCLES_WGSL: &str = after_common!("circles.wgsl");
/// The meshes' shader.
pub(crate) const MESHES_WGSL: &str = after_common!("meshes.wgsl");
/// The splat path's compute and resolve shader.
pub(crate) const SPLAT_WGSL: &str = after_common!("splat.wgsl");
/// The cached layers' compositing shader.
pub(crate) const COMPOSITE_WGSL: &str = include_str!("../../shaders/composite.wgsl");

/// Every shader's WGSL source as its module is made, by the file it
/// comes from (the shared prelude included).
pub const SHADER_SOURCES: [(&str, &str); 4] = [
    ("circles.wgsl", CIRCLES_WGSL),
    ("meshes.wgsl", MESHES_WGSL),
    ("splat.wgsl", SPLAT_WGSL),
    ("composite.wgsl", COMPOSITE_WGSL),
];

/// A shader module of WGSL `source`.
pub(crate) fn shader_module(
    device: &wgpu::Device,
    label: &str,
    source: &'static str,
) -> wgpu::ShaderModule {
    device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(label),
        source: wgpu::ShaderSource::Wgsl(source.into()),
    })
}

/// What differs between two of nasviz's render pipelines.
pub(crate) struct PipelineSpec<'a> {
    pub label: &'a str,
    pub layout: &'a wgpu::PipelineLayout,
    pub shader: &'a wgpu::ShaderModule,
    /// The vertex and fragment entry points.
    pub entries: (&'a str, &'a str),
    /// The one vertex buffer, if any (a full-screen pass has none).
    pub buffer: Option<wgpu::VertexBufferLayout<'a>>,
    pub topology: wgpu::PrimitiveTopology,
    pub format: wgpu::TextureFormat,
    pub blend: Option<wgpu::BlendState>,
    pub options: wgpu::PipelineCompilationOptions<'a>,
}

impl<'a> PipelineSpec<'a> {
    /// A triangle-list pipeline with entry points `vs_main` and `fs_main`,
    /// no vertex buffer and no blending; the fields say the rest.
    pub fn new(
        label: &'a str,
        layout: &'a wgpu::PipelineLayout,
        shader: &'a wgpu::ShaderModule,
        format: wgpu::TextureFormat,
    ) -> Self {
        PipelineSpec {
            label,
            layout,
            shader,
            entries: ("vs_main", "fs_main"),
            buffer: None,
            topology: wgpu::PrimitiveTopology::TriangleList,
            format,
            blend: None,
            options: Default::default(),
        }
    }

    pub fn build(self, device: &wgpu::Device) -> wgpu::RenderPipeline {
        let buffers = [self.buffer];
        device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some(self.label),
            layout: Some(self.layout),
            vertex: wgpu::VertexState {
                module: self.shader,
                entry_point: Some(self.entries.0),
                compilation_options: self.options.clone(),
                buffers: if buffers[0].is_some() { &buffers } else { &[] },
            },
            primitive: wgpu::PrimitiveState {
                topology: self.topology,
                ..Default::default()
            },
            depth_stencil: None,
            multisample: wgpu::MultisampleState::default(),
            fragment: Some(wgpu::FragmentState {
                module: self.shader,
                entry_point: Some(self.entries.1),
                compilation_options: self.options,
                targets: &[Some(wgpu::ColorTargetState {
                    format: self.format,
                    blend: self.blend,
                    write_mask: wgpu::ColorWrites::ALL,
                })],
            }),
            multiview_mask: None,
            cache: None,
        })
    }
}

/// A pipeline layout of one bind group.
pub(crate) fn layout_of(
    device: &wgpu::Device,
    label: &str,
    group: &wgpu::BindGroupLayout,
) -> wgpu::PipelineLayout {
    device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(label),
        bind_group_layouts: &[Some(group)],
        immediate_size: 0,
    })
}
