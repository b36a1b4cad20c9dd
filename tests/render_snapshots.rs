//! Golden-image tests of the renderer on a software (or any) GPU adapter.

mod common;

use nasviz::render::{
    CachedLayer, Circle, Color, GpuContext, HAlign, Image, Mesh, MeshBuilder, MeshVertex,
    OffscreenTarget, Panel, PixelRect, Renderer, Scene, SizeMode, SplatMode, TextRun, VAlign,
    ViewTransform, TARGET_FORMAT,
};

const BG: Color = Color::rgb(250, 250, 245);

fn draw(ctx: &GpuContext, renderer: &mut Renderer, w: u32, h: u32, scene: &Scene<'_>) -> Image {
    let target = OffscreenTarget::new(ctx, w, h).expect("target");
    renderer
        .render(ctx, target.view(), target.size(), scene)
        .expect("render");
    target.read(ctx).expect("readback")
}

fn px(img: &Image, x: u32, y: u32) -> [u8; 4] {
    img.pixel(x, y).expect("pixel inside")
}

#[test]
fn circles_edge_stroke_overlap() {
    let ctx = gpu_or_skip!("circles_edge_stroke_overlap");
    let mut r = Renderer::new(ctx, TARGET_FORMAT);
    let (w, h) = (333, 217);
    let navy = Color::hex(0x1f3b73);
    let mut circles = vec![];
    // sizes from sub-pixel to large, filled
    for (i, rad) in [0.3f32, 1.0, 2.5, 5.0, 9.0, 16.0].iter().enumerate() {
        circles.push(Circle::new(
            [20.0 + i as f32 * 40.0 + rad, 30.0],
            *rad,
            navy,
        ));
    }
    // strokes of several widths
    for (i, sw) in [1.0f32, 2.5, 6.0].iter().enumerate() {
        circles.push(
            Circle::new([40.0 + i as f32 * 60.0, 95.0], 24.0, Color::hex(0xf2c14e))
                .with_stroke(Color::hex(0x7a1f1f), *sw),
        );
    }
    // ring only (transparent fill)
    circles
        .push(Circle::new([225.0, 95.0], 24.0, Color::TRANSPARENT).with_stroke(Color::BLACK, 3.0));
    // overlap order: red, then green, then translucent blue on top
    circles.push(Circle::new([70.0, 170.0], 30.0, Color::hex(0xd62728)));
    circles.push(Circle::new([100.0, 170.0], 30.0, Color::hex(0x2ca02c)));
    circles.push(Circle::new(
        [130.0, 170.0],
        30.0,
        Color::rgba(31, 119, 180, 160),
    ));
    // a circle crossing the right and bottom edges
    circles.push(Circle::new([320.0, 205.0], 40.0, Color::hex(0x9467bd)));
    let mut scene = Scene::new(Some(BG));
    scene.circles(0, Panel::full(w, h), &circles, SizeMode::Pixels);
    let img = draw(ctx, &mut r, w, h, &scene);
    common::assert_snapshot("circles_333x217", &img, 20);

    // overlap: green over red, blue over green
    let red_only = px(&img, 50, 170);
    assert!(red_only[0] > 180 && red_only[1] < 80, "{red_only:?}");
    let green_over_red = px(&img, 85, 170);
    assert!(
        green_over_red[1] > 120 && green_over_red[0] < 100,
        "{green_over_red:?}"
    );
    let blue_over_green = px(&img, 115, 170);
    assert!(
        blue_over_green[2] > blue_over_green[0],
        "{blue_over_green:?}"
    );
    // stroke colour at the rim, fill inside
    let rim = px(&img, 40 + 60 * 2, 95 - 24 + 3);
    assert!(rim[0] > 100 && rim[1] < 60, "rim {rim:?}");
    let inside = px(&img, 160, 95);
    assert_eq!(&inside[..3], &[0xf2, 0xc1, 0x4e], "fill {inside:?}");
    // ring has no fill
    assert_eq!(px(&img, 225, 95), [BG.r, BG.g, BG.b, 255]);
    // anti-aliased edge: some pixel on the big navy circle's rim is between fill and bg
    let cx = 20.0 + 5.0 * 40.0 + 16.0;
    let partial = (0..40).any(|dx| {
        let p = px(&img, cx as u32 + dx, 37);
        p[0] > navy.r + 5 && p[0] < BG.r - 5
    });
    assert!(partial, "no anti-aliased edge pixels");
}

fn sample_mesh() -> Mesh {
    let mut b = MeshBuilder::new();
    let ink = Color::hex(0x333333);
    b.line([10.0, 10.0], [150.0, 10.0], ink, 1.0);
    b.line([10.0, 20.0], [150.0, 20.0], ink, 3.0);
    b.line([10.0, 35.0], [150.0, 60.0], Color::hex(0xd62728), 2.0);
    b.polyline(
        &[
            [10.0, 110.0],
            [40.0, 75.0],
            [70.0, 100.0],
            [100.0, 70.0],
            [150.0, 95.0],
        ],
        Color::hex(0x1f77b4),
        2.5,
    );
    b.cubic(
        [170.0, 110.0],
        [190.0, 10.0],
        [260.0, 10.0],
        [290.0, 100.0],
        Color::hex(0x2ca02c),
        3.0,
    );
    b.arrowhead(
        [290.0, 100.0],
        [30.0, 90.0],
        14.0,
        10.0,
        Color::hex(0x2ca02c),
    );
    b.rounded_rect(
        [20.0, 130.0],
        [140.0, 185.0],
        10.0,
        Some(Color::hex(0xfde0a0)),
        Some((Color::hex(0x8c564b), 2.0)),
    );
    b.line([150.0, 158.0], [205.0, 158.0], ink, 2.0);
    b.arrowhead([215.0, 158.0], [1.0, 0.0], 12.0, 10.0, ink);
    b.rounded_rect(
        [215.0, 135.0],
        [300.0, 180.0],
        22.0,
        Some(Color::hex(0xc5dbf0)),
        None,
    );
    let mut mesh = b.build();
    // a triangle with per-vertex colours
    let base = mesh.vertices.len() as u32;
    for (p, c) in [
        ([230.0f32, 195.0f32], Color::rgb(255, 0, 0)),
        ([300.0, 195.0], Color::rgb(0, 255, 0)),
        ([265.0, 130.0], Color::rgb(0, 0, 255)),
    ] {
        mesh.vertices.push(MeshVertex {
            position: p,
            color: c.packed(),
            _pad: 0,
        });
    }
    mesh.indices.extend([base, base + 1, base + 2]);
    mesh
}

#[test]
fn meshes_shapes() {
    let ctx = gpu_or_skip!("meshes_shapes");
    let mut r = Renderer::new(ctx, TARGET_FORMAT);
    let (w, h) = (320, 200);
    let mesh = sample_mesh();
    let mut scene = Scene::new(Some(BG));
    scene.mesh(0, Panel::full(w, h), &mesh);
    let img = draw(ctx, &mut r, w, h, &scene);
    // inside the filled rounded rectangle
    assert_eq!(&px(&img, 80, 160)[..3], &[0xfd, 0xe0, 0xa0]);
    // rounded corner left empty
    assert_eq!(&px(&img, 20, 130)[..3], &[BG.r, BG.g, BG.b]);
    // thick line is dark
    assert!(px(&img, 80, 20)[0] < 100);
    common::assert_snapshot("meshes_320x200", &img, 30);
}

#[test]
fn text_alignment_and_extents() {
    let ctx = gpu_or_skip!("text_alignment_and_extents");
    let mut r = Renderer::new(ctx, TARGET_FORMAT);
    let (w, h) = (401, 221);
    let panel = Panel::full(w, h);
    let ink = Color::hex(0x202020);
    let runs = vec![
        TextRun::new("left/top", [200.0, 20.0], 16.0, ink),
        TextRun::new("centre/top", [200.0, 50.0], 16.0, ink).aligned(HAlign::Center, VAlign::Top),
        TextRun::new("right/top", [200.0, 80.0], 16.0, ink).aligned(HAlign::Right, VAlign::Top),
        TextRun::new("baseline gy", [20.0, 140.0], 22.0, Color::hex(0x1f77b4))
            .aligned(HAlign::Left, VAlign::Baseline),
        TextRun::new("middle", [380.0, 140.0], 12.0, Color::hex(0xd62728))
            .aligned(HAlign::Right, VAlign::Middle),
        TextRun::new(
            "two lines,\ncentred",
            [200.0, 200.0],
            14.0,
            Color::hex(0x2ca02c),
        )
        .aligned(HAlign::Center, VAlign::Bottom),
    ];
    // guides: the anchor lines, and each run's measured box
    let mut b = MeshBuilder::new();
    let guide = Color::rgba(0, 0, 0, 60);
    b.line([200.0, 0.0], [200.0, h as f32], guide, 1.0);
    b.line([0.0, 140.0], [w as f32, 140.0], guide, 1.0);
    let mut boxes = vec![];
    for run in &runs {
        let rect = r.text.layout_box(run, &panel);
        boxes.push(rect);
        b.rounded_rect(
            [rect.x, rect.y],
            [rect.x + rect.w, rect.y + rect.h],
            0.0,
            Some(Color::rgba(255, 200, 0, 50)),
            None,
        );
    }
    let guides = b.build();
    let mut scene = Scene::new(Some(Color::WHITE));
    scene.text(1, panel, &runs);
    scene.mesh(0, panel, &guides);
    let img = draw(ctx, &mut r, w, h, &scene);

    // extents: left-anchored box starts at the anchor, right-anchored ends at it
    assert_eq!(boxes[0].x, 200.0);
    assert!(
        (boxes[2].x + boxes[2].w - 200.0).abs() <= 1.0,
        "{:?}",
        boxes[2]
    );
    assert!(
        (boxes[1].x + boxes[1].w * 0.5 - 200.0).abs() <= 1.0,
        "{:?}",
        boxes[1]
    );
    assert!(boxes[0].w > 40.0 && boxes[0].h >= 16.0, "{:?}", boxes[0]);
    let e = r.text.measure("two lines,\ncentred", 14.0);
    assert!(e.height >= 2.0 * 14.0, "{e:?}");
    // some dark glyph pixels inside the first box, none far outside all boxes
    let dark = |p: [u8; 4]| p[0] < 120 && p[1] < 120 && p[2] < 120;
    let b0 = boxes[0];
    let inside = (b0.x as u32..(b0.x + b0.w) as u32)
        .flat_map(|x| (b0.y as u32..(b0.y + b0.h) as u32).map(move |y| (x, y)))
        .filter(|&(x, y)| dark(px(&img, x, y)))
        .count();
    assert!(inside > 20, "{inside} glyph pixels in the measured box");
    common::assert_snapshot("text_401x221", &img, 40);
}

#[test]
fn panels_clip_and_transform() {
    let ctx = gpu_or_skip!("panels_clip_and_transform");
    let mut r = Renderer::new(ctx, TARGET_FORMAT);
    let (w, h) = (300, 160);
    let left = PixelRect::new(10.0, 10.0, 130.0, 140.0);
    let right = PixelRect::new(160.0, 10.0, 130.0, 140.0);
    // the same data, [0,1]^2, shown plainly on the left and zoomed 2x about its centre on
    // the right (and panned), so it spills over the panel edges and must be clipped.
    let lv = ViewTransform::fit(left, 0.0, 1.0, 0.0, 1.0);
    let rv = ViewTransform::fit(right, 0.0, 1.0, 0.0, 1.0)
        .zoom(2.0, [225.0, 80.0])
        .pan(20.0, 0.0);
    let lp = Panel {
        rect: left,
        view: lv,
    };
    let rp = Panel {
        rect: right,
        view: rv,
    };
    let circles: Vec<Circle> = (0..25)
        .map(|i| {
            let (x, y) = ((i % 5) as f32 / 4.0, (i / 5) as f32 / 4.0);
            let c = Color::rgb((40 + i * 8) as u8, 90, (230 - i * 6) as u8);
            Circle::new([x, y], 0.08, c).with_stroke(Color::BLACK, 0.01)
        })
        .collect();
    let mut frame = MeshBuilder::new().with_tolerance(0.001);
    frame.rounded_rect(
        [0.0, 0.0],
        [1.0, 1.0],
        0.0,
        None,
        Some((Color::hex(0x888888), 0.01)),
    );
    frame.line([0.0, 0.0], [1.0, 1.0], Color::hex(0xd62728), 0.015);
    let frame = frame.build();
    let label = vec![
        TextRun::new("clipped label", [0.5, 0.5], 18.0, Color::BLACK)
            .aligned(HAlign::Center, VAlign::Middle),
    ];
    let border = {
        let mut b = MeshBuilder::new();
        for rect in [left, right] {
            b.rounded_rect(
                [rect.x, rect.y],
                [rect.x + rect.w, rect.y + rect.h],
                0.0,
                Some(Color::WHITE),
                None,
            );
        }
        b.build()
    };
    let mut scene = Scene::new(Some(Color::hex(0xdddddd)));
    scene.mesh(0, Panel::full(w, h), &border);
    for p in [lp, rp] {
        scene.circles(1, p, &circles, SizeMode::Data);
        scene.mesh(2, p, &frame);
        scene.text(3, p, &label);
    }
    let img = draw(ctx, &mut r, w, h, &scene);
    // everything outside the panels keeps the background
    for (x, y) in [(5, 5), (150, 80), (295, 155), (200, 155), (155, 5)] {
        assert_eq!(&px(&img, x, y)[..3], &[0xdd, 0xdd, 0xdd], "at {x},{y}");
    }
    common::assert_snapshot("clipping_300x160", &img, 30);
}

fn layered_content() -> (Vec<Circle>, Mesh, Vec<TextRun>) {
    let circles: Vec<Circle> = (0..400)
        .map(|i| {
            let t = i as f32 * 0.137;
            let x = 166.0 + (t * 3.1).sin() * 140.0 * (i as f32 / 400.0);
            let y = 108.0 + (t * 2.3).cos() * 90.0 * (i as f32 / 400.0);
            let a = 120 + (i % 4) as u8 * 40;
            Circle::new([x, y], 2.0 + (i % 7) as f32, Color::rgba(31, 119, 180, a))
                .with_stroke(Color::rgba(0, 0, 0, 140), 1.0)
        })
        .collect();
    let mut b = MeshBuilder::new();
    b.line([10.0, 200.0], [320.0, 200.0], Color::BLACK, 1.5);
    b.line([10.0, 10.0], [10.0, 200.0], Color::BLACK, 1.5);
    b.rounded_rect(
        [200.0, 20.0],
        [320.0, 60.0],
        8.0,
        Some(Color::rgba(255, 127, 14, 120)),
        Some((Color::hex(0xff7f0e), 2.0)),
    );
    let text = vec![
        TextRun::new("cached layer", [260.0, 40.0], 14.0, Color::BLACK)
            .aligned(HAlign::Center, VAlign::Middle),
    ];
    (circles, b.build(), text)
}

#[test]
fn cached_layer_equals_direct_draw() {
    let ctx = gpu_or_skip!("cached_layer_equals_direct_draw");
    let mut r = Renderer::new(ctx, TARGET_FORMAT);
    let (w, h) = (333, 217);
    let panel = Panel::full(w, h);
    let (circles, mesh, text) = layered_content();
    let moving = vec![Circle::new([100.0, 100.0], 12.0, Color::hex(0xd62728))];

    let mut direct = Scene::new(Some(BG));
    direct.circles(0, panel, &circles, SizeMode::Pixels);
    direct.mesh(0, panel, &mesh);
    direct.text(0, panel, &text);
    direct.circles(1, panel, &moving, SizeMode::Pixels);
    let a = draw(ctx, &mut r, w, h, &direct);

    let mut layer = CachedLayer::new(ctx, &r.compositor, w, h).expect("layer");
    assert!(!layer.is_valid());
    let mut content = Scene::new(None);
    content.circles(0, panel, &circles, SizeMode::Pixels);
    content.mesh(0, panel, &mesh);
    content.text(0, panel, &text);
    r.render_layer(ctx, &mut layer, &content)
        .expect("layer render");
    assert!(layer.is_valid());
    let mut frame = Scene::new(Some(BG));
    frame.cached(0, &layer);
    frame.circles(1, panel, &moving, SizeMode::Pixels);
    let b = draw(ctx, &mut r, w, h, &frame);
    // composite again after moving the red circle: the layer is reused as is
    let moved = vec![Circle::new([200.0, 120.0], 12.0, Color::hex(0xd62728))];
    let mut frame2 = Scene::new(Some(BG));
    frame2.cached(0, &layer);
    frame2.circles(1, panel, &moved, SizeMode::Pixels);
    let c = draw(ctx, &mut r, w, h, &frame2);
    assert!(layer.is_valid());
    layer.invalidate();
    assert!(!layer.is_valid());

    let (n, _) = common::diff_images(&a, &b);
    assert!(n <= 10, "{n} pixels differ between direct and cached");
    assert_ne!(b, c);
    common::assert_snapshot("cached_layer_333x217", &b, 20);
    common::assert_snapshot("cached_layer_moved_333x217", &c, 20);
}

#[test]
fn layers_draw_in_order() {
    let ctx = gpu_or_skip!("layers_draw_in_order");
    let mut r = Renderer::new(ctx, TARGET_FORMAT);
    let (w, h) = (64, 48);
    let panel = Panel::full(w, h);
    let red = vec![Circle::new([32.0, 24.0], 20.0, Color::rgb(255, 0, 0))];
    let blue = vec![Circle::new([32.0, 24.0], 10.0, Color::rgb(0, 0, 255))];
    let mut scene = Scene::new(Some(Color::WHITE));
    // added top-first; layers put blue above red
    scene.circles(5, panel, &blue, SizeMode::Pixels);
    scene.circles(-1, panel, &red, SizeMode::Pixels);
    let img = draw(ctx, &mut r, w, h, &scene);
    assert_eq!(px(&img, 32, 24), [0, 0, 255, 255]);
    assert_eq!(px(&img, 32, 8), [255, 0, 0, 255]);
}

fn dense_scatter(n: usize, w: f32, h: f32) -> Vec<Circle> {
    let mut s: u32 = 12345;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        (s as f32) / (u32::MAX as f32)
    };
    (0..n)
        .map(|i| {
            let (u, v) = (next(), next());
            let x = w * (0.5 + 0.45 * (u * std::f32::consts::TAU).cos() * v.sqrt());
            let y = h * (0.5 + 0.45 * (u * std::f32::consts::TAU).sin() * v.sqrt());
            let c = if i % 3 == 0 {
                Color::rgba(214, 39, 40, 200)
            } else {
                Color::rgba(31, 119, 180, 200)
            };
            Circle::new([x, y], 0.8 + 2.0 * next(), c)
        })
        .collect()
}

#[test]
fn splat_path_matches_quads() {
    let ctx = gpu_or_skip!("splat_path_matches_quads");
    let mut r = Renderer::new(ctx, TARGET_FORMAT);
    let (w, h) = (257, 191);
    let panel = Panel::full(w, h);
    // separated circles: both paths must agree closely
    // (circles beyond the target are clipped by both paths)
    let grid: Vec<Circle> = (0..30_000)
        .map(|i| {
            let (x, y) = ((i % 200) as f32 * 3.0, (i / 200) as f32 * 3.0);
            Circle::new(
                [x + 1.7, y + 1.3],
                0.3 + (i % 3) as f32 * 0.2,
                Color::hex(0x1f3b73),
            )
        })
        .collect();
    let sparse: Vec<Circle> = (0..(200 * 150))
        .map(|i| {
            let (x, y) = ((i % 200) as f32 * 9.0, (i / 200) as f32 * 9.0);
            Circle::new([x + 4.5, y + 4.5], 3.5, Color::hex(0x2ca02c))
                .with_stroke(Color::BLACK, 1.0)
        })
        .collect();
    for (name, circles) in [("grid", &grid), ("sparse", &sparse)] {
        assert!(circles.len() >= 20_000, "{name}: {}", circles.len());
        let mut scene = Scene::new(Some(Color::WHITE));
        scene.circles(0, panel, circles, SizeMode::Pixels);
        r.set_splat(false);
        let quads = draw(ctx, &mut r, w, h, &scene);
        r.set_splat(true);
        assert!(r.splat.is_available());
        let target = OffscreenTarget::new(ctx, w, h).expect("target");
        let stats = r
            .render(ctx, target.view(), (w, h), &scene)
            .expect("render");
        assert_eq!(stats.splatted, circles.len(), "{name} took the splat path");
        let splat = target.read(ctx).expect("read");
        let (n, _) = common::diff_images(&quads, &splat);
        assert!(n <= 4, "{name}: {n} pixels differ between quads and splat");
    }
    // dense, overlapping, opaque scatter: rims over other circles match quads too
    let opaque: Vec<Circle> = dense_scatter(60_000, w as f32, h as f32)
        .into_iter()
        .map(|c| Circle {
            fill: c.fill | 0xff00_0000,
            ..c
        })
        .collect();
    let mut scene = Scene::new(Some(Color::WHITE));
    scene.circles(0, panel, &opaque, SizeMode::Pixels);
    r.set_splat(false);
    let quads = draw(ctx, &mut r, w, h, &scene);
    r.set_splat(true);
    let mean_diff = |a: &Image, b: &Image| {
        a.pixels
            .chunks_exact(4)
            .zip(b.pixels.chunks_exact(4))
            .map(|(p, q)| (0..3).map(|k| p[k].abs_diff(q[k])).max().unwrap_or(0) as f64)
            .sum::<f64>()
            / f64::from(a.width * a.height)
    };
    // Sub-pixel blending of stacked rims differs (the splat path composites at most three
    // circles per pixel), so compare the mean difference, not a pixel count.
    r.splat.set_mode(SplatMode::Blended);
    let blended = mean_diff(&quads, &draw(ctx, &mut r, w, h, &scene));
    r.splat.set_mode(SplatMode::Fast);
    let fast = mean_diff(&quads, &draw(ctx, &mut r, w, h, &scene));
    r.splat.set_mode(SplatMode::default());
    eprintln!(
        "dense opaque scatter, mean difference from quads: blended {blended:.1}, fast {fast:.1}"
    );
    assert!(blended < 10.0, "blended: mean difference {blended:.1}/255");
    assert!(fast < 80.0, "fast: mean difference {fast:.1}/255");

    // dense, translucent scatter through the splat path
    let dense = dense_scatter(60_000, w as f32, h as f32);
    let mut scene = Scene::new(Some(Color::WHITE));
    scene.circles(0, panel, &dense, SizeMode::Pixels);
    let img = draw(ctx, &mut r, w, h, &scene);
    common::assert_snapshot("splat_dense_257x191", &img, 40);
}

/// Window surfaces are often BGRA or not sRGB: every format reads back the same colours.
#[test]
fn surface_formats_give_the_same_colours() {
    let ctx = gpu_or_skip!("surface_formats_give_the_same_colours");
    let (w, h) = (97, 61);
    let panel = Panel::full(w, h);
    let circles = vec![
        Circle::new([30.0, 30.0], 20.0, Color::hex(0xd62728)).with_stroke(Color::BLACK, 2.0),
        Circle::new([60.0, 30.0], 20.0, Color::rgba(31, 119, 180, 128)),
    ];
    let mesh = sample_mesh();
    let text = vec![TextRun::new("Ag", [70.0, 40.0], 14.0, Color::hex(0x2ca02c))];
    let mut scene = Scene::new(Some(BG));
    scene.mesh(0, panel, &mesh);
    scene.circles(1, panel, &circles, SizeMode::Pixels);
    scene.text(2, panel, &text);
    let mut images = vec![];
    for format in [
        TARGET_FORMAT,
        wgpu::TextureFormat::Bgra8UnormSrgb,
        wgpu::TextureFormat::Rgba8Unorm,
        wgpu::TextureFormat::Bgra8Unorm,
    ] {
        let mut r = Renderer::new(ctx, format);
        let layer = CachedLayer::new(ctx, &r.compositor, w, h).expect("layer");
        assert_eq!(layer.format(), format);
        // a layer is a texture of the renderer's format: draw the opaque scene into it
        r.render(ctx, layer.view(), (w, h), &scene).expect("render");
        images.push((format, layer.read(ctx).expect("read")));
    }
    let (_, reference) = &images[0];
    // opaque fills and the background read back as the sRGB bytes given
    assert_eq!(reference.pixel(30, 30), Some([0xd6, 0x27, 0x28, 255]));
    assert_eq!(reference.pixel(95, 2), Some([BG.r, BG.g, BG.b, 255]));
    for (format, img) in &images[1..] {
        assert_eq!(
            img.pixel(30, 30),
            Some([0xd6, 0x27, 0x28, 255]),
            "{format:?}"
        );
        let (n, _) = common::diff_images(reference, img);
        // non-sRGB targets blend in sRGB space: edges and translucent areas differ
        let allowed = if format.is_srgb() {
            0
        } else {
            (w * h / 3) as usize
        };
        assert!(n <= allowed, "{format:?}: {n} pixels differ");
    }
    // a layer of another format is refused, not drawn wrong
    let mut r = Renderer::new(ctx, TARGET_FORMAT);
    let other = Renderer::new(ctx, wgpu::TextureFormat::Bgra8UnormSrgb);
    let layer = CachedLayer::new(ctx, &other.compositor, w, h).expect("layer");
    let target = OffscreenTarget::new(ctx, w, h).expect("target");
    let mut frame = Scene::new(Some(Color::WHITE));
    frame.cached(0, &layer);
    let err = r.render(ctx, target.view(), (w, h), &frame);
    assert!(
        matches!(
            err,
            Err(nasviz::render::RenderError::LayerFormatMismatch { .. })
        ),
        "{err:?}"
    );
}
