//! The one way nasviz's renderers make their render pipelines: what
//! differs between them (the shader's entry points, the vertex buffer, the
//! topology, the blending, specialisation constants) in a
//! [`PipelineSpec`]; everything else (no depth, no multisampling, one
//! colour target) is the same for all.

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
