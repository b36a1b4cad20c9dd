// Tessellated meshes (lyon) with per-vertex packed sRGB RGBA8 colour.

struct View {
    scale: vec2<f32>,
    offset: vec2<f32>,
    target_size: vec2<f32>,
    size_scale: f32,
    encode_srgb: u32,
};

@group(0) @binding(0) var<uniform> view: View;

struct VsIn {
    @location(0) position: vec2<f32>,
    @location(1) color: u32,
};

struct VsOut {
    @builtin(position) position: vec4<f32>,
    @location(0) color: vec4<f32>,
};

fn srgb_to_linear(c: vec3<f32>) -> vec3<f32> {
    let lo = c / 12.92;
    let hi = pow((c + 0.055) / 1.055, vec3<f32>(2.4));
    return select(hi, lo, c <= vec3<f32>(0.04045));
}

fn linear_to_srgb(c: vec3<f32>) -> vec3<f32> {
    let lo = c * 12.92;
    let hi = 1.055 * pow(c, vec3<f32>(1.0 / 2.4)) - 0.055;
    return select(hi, lo, c <= vec3<f32>(0.0031308));
}

@vertex
fn vs_main(in: VsIn) -> VsOut {
    var out: VsOut;
    let pixel = in.position * view.scale + view.offset;
    let ndc = pixel / view.target_size * 2.0 - 1.0;
    out.position = vec4<f32>(ndc.x, -ndc.y, 0.0, 1.0);
    let c = unpack4x8unorm(in.color);
    out.color = vec4<f32>(srgb_to_linear(c.rgb), c.a);
    return out;
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    var rgb = in.color.rgb;
    if (view.encode_srgb != 0u) {
        rgb = linear_to_srgb(rgb);
    }
    return vec4<f32>(rgb, in.color.a);
}
