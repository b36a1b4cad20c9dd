// Compute "splat" path for many small circles.
// Pass 1 (cs_splat): one thread per circle writes its index + 1 with atomicMax into one of
// three slots of each pixel it touches (interleaved, `PLANES` u32 per pixel), chosen by
// coverage: rim (under half), at least half, full. The highest index wins each slot,
// whatever the thread order, so the result is deterministic.
// Pass 2 (vs_resolve/fs_resolve): a full-screen triangle shades each pixel by compositing,
// in order, the top circle touching it (max of the three slots), the top one covering at
// least half of it (max of the last two) and the top one covering it fully (last slot).
// This matches instanced quads except where more partial rims, or translucent circles,
// stack in one pixel. After common.wgsl.

struct Splat {
    view: View,
    // clip rectangle in pixels: x0, y0, x1, y1 (exclusive)
    clip: vec4<u32>,
    count: u32,
    // threads per row of the 2-D dispatch
    row: u32,
    _pad0: u32,
    _pad1: u32,
};

struct Circle {
    center: vec2<f32>,
    radius: f32,
    stroke_width: f32,
    fill: u32,
    stroke: u32,
};

@group(0) @binding(0) var<uniform> u: Splat;
@group(0) @binding(1) var<storage, read> circles: array<Circle>;
@group(0) @binding(2) var<storage, read_write> ids: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read> ids_read: array<u32>;

const MAX_SPLAT_RADIUS_PX: f32 = 64.0;

// 3: composite any/half/core winners; 1: only the `any` winner (faster, rims over other
// circles blend with what lies below the batch instead).
override PLANES: u32 = 3u;

@compute @workgroup_size(64)
fn cs_splat(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.y * u.row + gid.x;
    if (i >= u.count) {
        return;
    }
    let c = circles[i];
    let p = c.center * u.view.scale + u.view.offset;
    let r = max(min(c.radius * u.view.size_scale, MAX_SPLAT_RADIUS_PX), 0.5);
    let reach = r + 0.5;
    let lo = max(floor(p - vec2<f32>(reach)), vec2<f32>(f32(u.clip.x), f32(u.clip.y)));
    let hi = min(ceil(p + vec2<f32>(reach)), vec2<f32>(f32(u.clip.z), f32(u.clip.w)));
    if (hi.x <= lo.x || hi.y <= lo.y) {
        return;
    }
    let w = u32(u.view.target_size.x);
    let id = i + 1u;
    // full coverage needs a pixel centre half a pixel inside, and a circle of at least
    // half a pixel radius (smaller ones are faded by area)
    let r_true = min(c.radius * u.view.size_scale, MAX_SPLAT_RADIUS_PX);
    let core = select(-1.0, r - 0.5, r_true >= 0.5);
    let cx0 = f32(u.clip.x);
    let cx1 = f32(u.clip.z);
    for (var y = u32(lo.y); y < u32(hi.y); y++) {
        let dy = f32(y) + 0.5 - p.y;
        let row = y * w;
        // pixels whose centre lies strictly within `reach`: one span per row
        let s_any = reach * reach - dy * dy;
        if (s_any <= 0.0) {
            continue;
        }
        let ha = sqrt(s_any);
        let a0 = u32(max(floor(p.x - ha - 0.5) + 1.0, cx0));
        let a1 = u32(min(ceil(p.x + ha - 0.5), cx1));
        // nested spans: at least half coverage (centre within r), full coverage (centre
        // within r - 0.5); empty in the single-plane mode
        var h0 = 0u;
        var h1 = 0u;
        var k0 = 0u;
        var k1 = 0u;
        let s_half = r * r - dy * dy;
        if (PLANES > 1u && s_half >= 0.0) {
            let hh = sqrt(s_half);
            h0 = u32(max(ceil(p.x - hh - 0.5), cx0));
            h1 = u32(min(floor(p.x + hh - 0.5) + 1.0, cx1));
            let s_core = core * core - dy * dy;
            if (core >= 0.0 && s_core >= 0.0) {
                let hc = sqrt(s_core);
                k0 = u32(max(ceil(p.x - hc - 0.5), cx0));
                k1 = u32(min(floor(p.x + hc - 0.5) + 1.0, cx1));
            }
        }
        for (var x = a0; x < a1; x++) {
            // one slot per pixel and circle: 0 rim, 1 at least half, 2 full coverage
            let k = u32(x >= h0 && x < h1) + u32(x >= k0 && x < k1);
            atomicMax(&ids[(row + x) * PLANES + k], id);
        }
    }
}

@vertex
fn vs_resolve(@builtin(vertex_index) vertex: u32) -> @builtin(position) vec4<f32> {
    let uv = vec2<f32>(f32((vertex << 1u) & 2u), f32(vertex & 2u));
    return vec4<f32>(uv * 2.0 - 1.0, 0.0, 1.0);
}

fn finish(rgb: vec3<f32>, alpha: f32) -> vec4<f32> {
    return vec4<f32>(to_target(rgb, u.view.encode_srgb), alpha);
}

// Straight-alpha colour of circle `id` (1-based) at pixel position `pos`.
fn shade(id: u32, pos: vec2<f32>) -> vec4<f32> {
    let c = circles[id - 1u];
    let p = c.center * u.view.scale + u.view.offset;
    let r_true = min(c.radius * u.view.size_scale, MAX_SPLAT_RADIUS_PX);
    let r = max(r_true, 0.5);
    let alpha_scale = clamp((r_true * r_true) / (r * r), 0.0, 1.0);
    let d = length(pos - p);
    let outer = clamp(r - d + 0.5, 0.0, 1.0);
    var color = unpack_color(c.fill);
    let sw = clamp(c.stroke_width * u.view.size_scale, 0.0, r);
    if (sw > 0.0) {
        let inner = clamp(r - sw - d + 0.5, 0.0, 1.0);
        color = mix(unpack_color(c.stroke), color, inner);
    }
    return vec4<f32>(color.rgb, color.a * outer * alpha_scale);
}

@fragment
fn fs_resolve(@builtin(position) position: vec4<f32>) -> @location(0) vec4<f32> {
    let w = u32(u.view.target_size.x);
    let px = vec2<u32>(position.xy);
    let at = (px.y * w + px.x) * PLANES;
    // each circle wrote one slot per pixel, by its coverage class
    var top = ids_read[at];
    var half = 0u;
    var core = 0u;
    if (PLANES > 1u) {
        core = ids_read[at + 2u];
        half = max(ids_read[at + 1u], core);
        top = max(top, half);
    }
    if (top == 0u) {
        discard;
    }
    // premultiplied "top over half over core", skipping repeats
    let a = shade(top, position.xy);
    var rgb = a.rgb * a.a;
    var alpha = a.a;
    if (PLANES == 1u) {
        if (alpha <= 0.0) {
            discard;
        }
        return finish(a.rgb, alpha);
    }
    if (half != 0u && half != top) {
        let b = shade(half, position.xy);
        rgb += b.rgb * b.a * (1.0 - alpha);
        alpha += b.a * (1.0 - alpha);
    }
    if (core != 0u && core != half && core != top) {
        let b = shade(core, position.xy);
        rgb += b.rgb * b.a * (1.0 - alpha);
        alpha += b.a * (1.0 - alpha);
    }
    if (alpha <= 0.0) {
        discard;
    }
    return finish(rgb / alpha, alpha);
}
