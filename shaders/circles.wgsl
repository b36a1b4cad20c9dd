// Instanced anti-aliased circles: one quad (4-vertex triangle strip) per instance.
// Colours arrive as packed sRGB RGBA8 and are blended in linear space. After common.wgsl.

@group(0) @binding(0) var<uniform> view: View;

struct VsIn {
    @builtin(vertex_index) vertex: u32,
    @location(0) center: vec2<f32>,
    @location(1) radius: f32,
    @location(2) stroke_width: f32,
    @location(3) fill: u32,
    @location(4) stroke: u32,
};

struct VsOut {
    @builtin(position) position: vec4<f32>,
    @location(0) local: vec2<f32>,
    @location(1) @interpolate(flat) radius: f32,
    @location(2) @interpolate(flat) stroke_width: f32,
    @location(3) @interpolate(flat) fill: vec4<f32>,
    @location(4) @interpolate(flat) stroke: vec4<f32>,
    @location(5) @interpolate(flat) alpha_scale: f32,
};

const MAX_RADIUS_PX: f32 = 1000000.0;

@vertex
fn vs_main(in: VsIn) -> VsOut {
    var out: VsOut;
    let r_true = min(in.radius * view.size_scale, MAX_RADIUS_PX);
    // Sub-pixel circles are drawn at half a pixel radius with alpha scaled by area.
    let r = max(r_true, 0.5);
    out.alpha_scale = clamp((r_true * r_true) / (r * r), 0.0, 1.0);
    let corner = vec2<f32>(f32(in.vertex & 1u), f32(in.vertex >> 1u)) * 2.0 - 1.0;
    let extent = r + 1.0;
    let local = corner * extent;
    let pixel = in.center * view.scale + view.offset + local;
    out.position = clip_position(pixel, view.target_size);
    out.local = local;
    out.radius = r;
    out.stroke_width = clamp(in.stroke_width * view.size_scale, 0.0, r);
    out.fill = unpack_color(in.fill);
    out.stroke = unpack_color(in.stroke);
    return out;
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    let d = length(in.local);
    let outer = clamp(in.radius - d + 0.5, 0.0, 1.0);
    if (outer <= 0.0) {
        discard;
    }
    var color = in.fill;
    if (in.stroke_width > 0.0) {
        let inner = clamp(in.radius - in.stroke_width - d + 0.5, 0.0, 1.0);
        color = mix(in.stroke, in.fill, inner);
    }
    return vec4<f32>(to_target(color.rgb, view.encode_srgb), color.a * outer * in.alpha_scale);
}
