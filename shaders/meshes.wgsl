// Tessellated meshes (lyon) with per-vertex packed sRGB RGBA8 colour. After common.wgsl.

@group(0) @binding(0) var<uniform> view: View;

struct VsIn {
    @location(0) position: vec2<f32>,
    @location(1) color: u32,
};

struct VsOut {
    @builtin(position) position: vec4<f32>,
    @location(0) color: vec4<f32>,
};

@vertex
fn vs_main(in: VsIn) -> VsOut {
    var out: VsOut;
    let pixel = in.position * view.scale + view.offset;
    out.position = clip_position(pixel, view.target_size);
    out.color = unpack_color(in.color);
    return out;
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    return vec4<f32>(to_target(in.color.rgb, view.encode_srgb), in.color.a);
}
