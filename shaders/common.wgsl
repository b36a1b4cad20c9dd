// What the circle, mesh and splat shaders share: the layout of the view uniform and the
// colour conversions. WGSL has no include: this file is put before each of them where its
// module is made (render/pipeline.rs).

struct View {
    // data -> pixel: pixel = data * scale + offset (pixels, y down)
    scale: vec2<f32>,
    offset: vec2<f32>,
    target_size: vec2<f32>,
    // multiplies radius and stroke width (1 = pixels, zoom = data units)
    size_scale: f32,
    // 1 when the target is not an sRGB format: encode in the shader
    encode_srgb: u32,
};

// A pixel position (origin top-left, y down) of a target `target_size` pixels large, in
// clip space.
fn clip_position(pixel: vec2<f32>, target_size: vec2<f32>) -> vec4<f32> {
    let ndc = pixel / target_size * 2.0 - 1.0;
    return vec4<f32>(ndc.x, -ndc.y, 0.0, 1.0);
}

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

// A packed sRGB RGBA8 colour (red in the low byte) in linear light, straight alpha.
fn unpack_color(packed: u32) -> vec4<f32> {
    let c = unpack4x8unorm(packed);
    return vec4<f32>(srgb_to_linear(c.rgb), c.a);
}

// Linear `rgb` as the target stores it: encoded here when the target does not encode
// sRGB itself (`encode_srgb` of the view).
fn to_target(rgb: vec3<f32>, encode_srgb: u32) -> vec3<f32> {
    if (encode_srgb != 0u) {
        return linear_to_srgb(rgb);
    }
    return rgb;
}
