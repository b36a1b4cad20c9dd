//! Bad input: nothing here may panic.

mod common;

use nasviz::render::{
    CachedLayer, Circle, CircleBatch, CircleRenderer, Color, MeshBuilder, OffscreenTarget, Panel,
    PixelRect, RenderError, Renderer, Scene, SizeMode, TextRun, TARGET_FORMAT,
};

const W: u32 = 65;
const H: u32 = 33;

/// An upload to `ctx` for a `W` x `H` target.
fn upload(ctx: &nasviz::render::GpuContext) -> nasviz::render::Upload<'_> {
    nasviz::render::Upload {
        device: &ctx.device,
        queue: &ctx.queue,
        target_size: (W, H),
    }
}

#[test]
fn zero_instances_draw_nothing() {
    let ctx = gpu_or_skip!("zero_instances_draw_nothing");
    let mut r = Renderer::new(ctx, TARGET_FORMAT);
    let target = OffscreenTarget::new(ctx, W, H).expect("target");
    let mesh = MeshBuilder::new().build();
    let panel = Panel::full(W, H);
    let mut scene = Scene::new(Some(Color::rgb(10, 20, 30)));
    scene.circles(0, panel, &[], SizeMode::Pixels);
    scene.circles(0, panel, &[], SizeMode::Data);
    scene.mesh(0, panel, &mesh);
    scene.text(0, panel, &[]);
    let stats = r
        .render(ctx, target.view(), (W, H), &scene)
        .expect("render");
    assert_eq!(stats.circles.drawn, 0);
    let img = target.read(ctx).expect("read");
    assert!(img.pixels.chunks(4).all(|p| p == [10, 20, 30, 255]));
    // the primitive renderer alone, with nothing prepared at all
    let mut circles = CircleRenderer::new(&ctx.device, TARGET_FORMAT);
    let s = circles.prepare(&upload(ctx), &[]).expect("prepare");
    assert_eq!(s.drawn, 0);
    // an empty scene, and rendering a second time
    r.render(ctx, target.view(), (W, H), &Scene::new(None))
        .expect("empty scene");
}

#[test]
fn zero_size_target_is_an_error() {
    let ctx = gpu_or_skip!("zero_size_target_is_an_error");
    for (w, h) in [(0, 0), (0, 10), (10, 0)] {
        assert!(matches!(
            OffscreenTarget::new(ctx, w, h),
            Err(RenderError::ZeroSize { .. })
        ));
    }
    let mut r = Renderer::new(ctx, TARGET_FORMAT);
    assert!(matches!(
        CachedLayer::new(ctx, &r.compositor, 0, 5),
        Err(RenderError::ZeroSize { .. })
    ));
    let target = OffscreenTarget::new(ctx, 4, 4).expect("target");
    let err = r.render(ctx, target.view(), (0, 4), &Scene::new(Some(Color::WHITE)));
    assert!(matches!(err, Err(RenderError::ZeroSize { .. })), "{err:?}");
}

#[test]
fn too_large_target_is_a_clear_error() {
    let ctx = gpu_or_skip!("too_large_target_is_a_clear_error");
    let max = ctx.max_texture_dimension();
    let err = OffscreenTarget::new(ctx, max + 1, 16)
        .err()
        .expect("must fail");
    assert!(matches!(err, RenderError::TargetTooLarge { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("exceeds the device limit"), "{msg}");
    let err = OffscreenTarget::new(ctx, 16, u32::MAX)
        .err()
        .expect("must fail");
    assert!(matches!(err, RenderError::TargetTooLarge { .. }), "{err:?}");
}

#[test]
fn huge_radii_do_not_break_rendering() {
    let ctx = gpu_or_skip!("huge_radii_do_not_break_rendering");
    let mut r = Renderer::new(ctx, TARGET_FORMAT);
    let target = OffscreenTarget::new(ctx, W, H).expect("target");
    let fill = Color::rgb(200, 40, 40);
    for radius in [1.0e4f32, 1.0e7, 1.0e30, f32::MAX] {
        let circles = [Circle::new([30.0, 15.0], radius, fill).with_stroke(Color::BLACK, 1e30)];
        let mut scene = Scene::new(Some(Color::WHITE));
        scene.circles(0, Panel::full(W, H), &circles, SizeMode::Pixels);
        let stats = r
            .render(ctx, target.view(), (W, H), &scene)
            .expect("render");
        assert_eq!(stats.circles.drawn, 1);
        let img = target.read(ctx).expect("read");
        // stroke clamps to the radius: the visible part is all stroke or all fill, no holes
        let p = img.pixel(30, 15).expect("pixel");
        assert_eq!(p[3], 255, "radius {radius}");
        assert!(
            img.pixels.chunks(4).all(|q| q == p),
            "radius {radius}: uneven fill"
        );
    }
}

#[test]
fn non_finite_circles_are_skipped_and_counted() {
    let ctx = gpu_or_skip!("non_finite_circles_are_skipped_and_counted");
    let mut r = Renderer::new(ctx, TARGET_FORMAT);
    let target = OffscreenTarget::new(ctx, W, H).expect("target");
    let good = Circle::new([20.0, 16.0], 6.0, Color::rgb(0, 0, 255));
    let bad = [
        Circle::new([f32::NAN, 16.0], 6.0, Color::rgb(255, 0, 0)),
        Circle::new([40.0, f32::INFINITY], 6.0, Color::rgb(255, 0, 0)),
        Circle::new([40.0, 16.0], f32::NAN, Color::rgb(255, 0, 0)),
        Circle::new([40.0, 16.0], f32::INFINITY, Color::rgb(255, 0, 0)),
        Circle::new([40.0, 16.0], -3.0, Color::rgb(255, 0, 0)),
        Circle::new([40.0, 16.0], 6.0, Color::rgb(255, 0, 0))
            .with_stroke(Color::BLACK, f32::NEG_INFINITY),
    ];
    let mut mixed = vec![good];
    mixed.extend_from_slice(&bad);
    mixed.push(good);
    let mut scene = Scene::new(Some(Color::WHITE));
    scene.circles(0, Panel::full(W, H), &mixed, SizeMode::Pixels);
    let stats = r
        .render(ctx, target.view(), (W, H), &scene)
        .expect("render");
    assert_eq!(stats.circles.drawn, 2);
    assert_eq!(stats.circles.skipped, bad.len());
    let img = target.read(ctx).expect("read");
    assert_eq!(img.pixel(20, 16), Some([0, 0, 255, 255]));
    assert!(img.pixels.chunks(4).all(|p| p[0] != 255 || p[1] == 255));

    // the same through the splat path (a large batch of small circles)
    let mut many = vec![Circle::new([50.0, 16.0], 2.0, Color::rgb(0, 0, 255)); 25_000];
    many.extend_from_slice(&bad);
    many[100].center[0] = f32::NAN;
    let mut scene = Scene::new(Some(Color::WHITE));
    scene.circles(0, Panel::full(W, H), &many, SizeMode::Pixels);
    let stats = r
        .render(ctx, target.view(), (W, H), &scene)
        .expect("render");
    assert_eq!(stats.splatted, 25_000 - 1);
    assert_eq!(stats.circles.skipped, bad.len() + 1);

    // direct use of the circle renderer reports the same counts
    let mut cr = CircleRenderer::new(&ctx.device, TARGET_FORMAT);
    let s = cr
        .prepare(
            &upload(ctx),
            &[CircleBatch {
                panel: Panel::full(W, H),
                circles: &mixed,
                size: SizeMode::Pixels,
            }],
        )
        .expect("prepare");
    assert_eq!((s.drawn, s.skipped), (2, bad.len()));
}

#[test]
fn bad_text_and_mesh_input_is_skipped() {
    let ctx = gpu_or_skip!("bad_text_and_mesh_input_is_skipped");
    let mut r = Renderer::new(ctx, TARGET_FORMAT);
    let target = OffscreenTarget::new(ctx, W, H).expect("target");
    let runs = vec![
        TextRun::new("ok", [2.0, 2.0], 12.0, Color::BLACK),
        TextRun::new("nan", [f32::NAN, 2.0], 12.0, Color::BLACK),
        TextRun::new("zero size", [2.0, 2.0], 0.0, Color::BLACK),
        TextRun::new("huge", [2.0, 2.0], f32::INFINITY, Color::BLACK),
        TextRun::new("", [2.0, 2.0], 12.0, Color::BLACK),
    ];
    let mut b = MeshBuilder::new();
    b.line([0.0, 0.0], [f32::NAN, 1.0], Color::BLACK, 1.0);
    b.polyline(&[[0.0, 0.0]], Color::BLACK, 1.0);
    b.cubic(
        [0.0; 2],
        [1.0; 2],
        [f32::INFINITY; 2],
        [3.0; 2],
        Color::BLACK,
        1.0,
    );
    b.line([0.0, 0.0], [10.0, 10.0], Color::BLACK, f32::NAN);
    b.rounded_rect([0.0; 2], [f32::NAN; 2], 2.0, Some(Color::BLACK), None);
    b.arrowhead([5.0; 2], [0.0, 0.0], 3.0, 3.0, Color::BLACK);
    b.rounded_rect([5.0, 5.0], [1.0, 1.0], -4.0, Some(Color::BLACK), None);
    assert_eq!(b.skipped(), 6);
    let mut mesh = b.build();
    mesh.indices.extend([0, 1, 9_999_999]); // out of range: dropped
    let mut scene = Scene::new(Some(Color::WHITE));
    scene.text(0, Panel::full(W, H), &runs);
    scene.mesh(0, Panel::full(W, H), &mesh);
    let stats = r
        .render(ctx, target.view(), (W, H), &scene)
        .expect("render");
    assert_eq!(stats.text_skipped, 3);
    assert_eq!(r.text.measure("x", f32::NAN).width, 0.0);
}

#[test]
fn panels_outside_the_target_and_layer_mismatch() {
    let ctx = gpu_or_skip!("panels_outside_the_target_and_layer_mismatch");
    let mut r = Renderer::new(ctx, TARGET_FORMAT);
    let target = OffscreenTarget::new(ctx, W, H).expect("target");
    let circles = vec![Circle::new([5.0, 5.0], 3.0, Color::BLACK); 3];
    let runs = vec![TextRun::new("x", [0.0, 0.0], 12.0, Color::BLACK)];
    let mut scene = Scene::new(Some(Color::WHITE));
    for rect in [
        PixelRect::new(-100.0, -100.0, 50.0, 50.0),
        PixelRect::new(1000.0, 0.0, 50.0, 50.0),
        PixelRect::new(10.0, 10.0, 0.0, 0.0),
        PixelRect::new(f32::NAN, 0.0, 10.0, 10.0),
    ] {
        let panel = Panel {
            rect,
            view: Default::default(),
        };
        scene.circles(0, panel, &circles, SizeMode::Pixels);
        scene.text(0, panel, &runs);
    }
    r.render(ctx, target.view(), (W, H), &scene)
        .expect("render");
    let img = target.read(ctx).expect("read");
    assert!(img.pixels.chunks(4).all(|p| p == [255, 255, 255, 255]));

    let layer = CachedLayer::new(ctx, &r.compositor, W + 1, H).expect("layer");
    let mut scene = Scene::new(Some(Color::WHITE));
    scene.cached(0, &layer);
    let err = r.render(ctx, target.view(), (W, H), &scene);
    assert!(
        matches!(err, Err(RenderError::LayerSizeMismatch { .. })),
        "{err:?}"
    );
    // the device is still usable afterwards
    r.render(ctx, target.view(), (W, H), &Scene::new(Some(Color::BLACK)))
        .expect("render after error");
    assert_eq!(
        target.read(ctx).expect("read").pixel(0, 0),
        Some([0, 0, 0, 255])
    );
}

#[test]
fn a_frame_counts_the_bytes_it_uploads() {
    let ctx = gpu_or_skip!("a_frame_counts_the_bytes_it_uploads");
    let mut r = Renderer::new(ctx, TARGET_FORMAT);
    let target = OffscreenTarget::new(ctx, W, H).expect("target");
    let panel = Panel::full(W, H);
    let frame = |r: &mut Renderer, scene: &Scene<'_>| {
        r.render(ctx, target.view(), (W, H), scene)
            .expect("render")
            .uploaded
    };
    assert_eq!(frame(&mut r, &Scene::new(Some(Color::WHITE))), 0);
    let circles: Vec<Circle> = (0..1000)
        .map(|i| Circle::new([(i % W as usize) as f32, 10.0], 2.0, Color::BLACK))
        .collect();
    let mut scene = Scene::new(Some(Color::WHITE));
    scene.circles(0, panel, &circles, SizeMode::Pixels);
    let with_circles = frame(&mut r, &scene);
    let instances = std::mem::size_of_val(circles.as_slice()) as u64;
    // the instances and one view uniform, nothing else
    assert!(with_circles >= instances, "{with_circles} < {instances}");
    assert!(with_circles < instances + 1024, "{with_circles}");
    let runs = [TextRun::new("twelve glyph", [2.0, 2.0], 12.0, Color::BLACK)];
    scene.text(1, panel, &runs);
    let with_text = frame(&mut r, &scene);
    assert!(
        with_text >= with_circles + 11 * 28,
        "{with_text} vs {with_circles}"
    );
    // the same frame again uploads the same again (no state carried over)
    assert_eq!(frame(&mut r, &scene), with_text);
}
