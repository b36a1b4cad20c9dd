//! Rendering benchmark: full-redraw frame time for N circles at 1280x800, and a
//! cached-layer frame (composite + 100 moving circles). Prints the adapter name.
//!
//! `cargo bench --bench render` (release). `NASVIZ_BENCH_QUICK=1` runs only the small sizes.

use std::time::{Duration, Instant};

use nasviz::render::{
    AdapterChoice, CachedLayer, Circle, Color, GpuContext, OffscreenTarget, Panel, Renderer, Scene,
    SizeMode, SplatMode, TARGET_FORMAT,
};

const W: u32 = 1280;
const H: u32 = 800;

fn scatter(n: usize) -> Vec<Circle> {
    nasviz::testdata::uniform_circles(n, W, H)
}

/// CPU time of this process, all threads (lavapipe renders on worker threads), from
/// `/proc/self/stat`; `None` where that is not available.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn frame(
    ctx: &GpuContext,
    r: &mut Renderer,
    target: &OffscreenTarget,
    scene: &Scene<'_>,
) -> Duration {
    let t = Instant::now();
    if let Err(e) = r.render(ctx, target.view(), target.size(), scene) {
        eprintln!("render failed: {e}");
    }
    if let Err(e) = ctx.wait() {
        eprintln!("wait failed: {e}");
    }
    t.elapsed()
}

/// Median wall-clock seconds and mean CPU seconds per frame, after one warm-up frame.
fn measure(
    ctx: &GpuContext,
    r: &mut Renderer,
    target: &OffscreenTarget,
    scene: &Scene<'_>,
    splat: Option<SplatMode>,
    reps: usize,
) -> (f64, f64) {
    r.set_splat(splat.is_some());
    if let Some(mode) = splat {
        r.splat.set_mode(mode);
    }
    frame(ctx, r, target, scene);
    let c0 = cpu_time();
    let wall = median((0..reps).map(|_| frame(ctx, r, target, scene)).collect());
    let cpu = match (c0, cpu_time()) {
        (Some(a), Some(b)) => (b - a).as_secs_f64() / reps as f64,
        _ => f64::NAN,
    };
    (wall.as_secs_f64(), cpu)
}

fn main() {
    let ctx = match GpuContext::headless(AdapterChoice::software_first().with_env()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("SKIP: no GPU adapter: {e}");
            return;
        }
    };
    println!("adapter: {}", ctx.adapter_name());
    println!("target: {W}x{H}, {:?}", TARGET_FORMAT);
    let quick = std::env::var("NASVIZ_BENCH_QUICK").as_deref() == Ok("1");
    let sizes: &[usize] = if quick {
        &[10_000, 100_000]
    } else {
        &[10_000, 100_000, 423_624, 1_000_000]
    };
    let Ok(target) = OffscreenTarget::new(&ctx, W, H) else {
        eprintln!("cannot create the target");
        return;
    };
    let mut r = Renderer::new(&ctx, TARGET_FORMAT);
    let panel = Panel::full(W, H);
    println!();
    println!("wall-clock median per frame in s (CPU s of all threads per frame in brackets)");
    println!("| circles | instanced quads | splat, blended | splat, fast | default path |");
    println!("|---:|---:|---:|---:|---:|");
    for &n in sizes {
        let circles = scatter(n);
        let mut scene = Scene::new(Some(Color::WHITE));
        scene.circles(0, panel, &circles, SizeMode::Pixels);
        let reps = if n >= 400_000 { 3 } else { 5 };
        let quads = measure(&ctx, &mut r, &target, &scene, None, reps);
        let fast = measure(&ctx, &mut r, &target, &scene, Some(SplatMode::Fast), reps);
        let splat = measure(
            &ctx,
            &mut r,
            &target,
            &scene,
            Some(SplatMode::Blended),
            reps,
        );
        let chosen = if n >= nasviz::render::SPLAT_MIN_COUNT {
            splat
        } else {
            quads
        };
        println!(
            "| {n} | {:.3} ({:.2}) | {:.3} ({:.2}) | {:.3} ({:.2}) | {:.3} |",
            quads.0, quads.1, splat.0, splat.1, fast.0, fast.1, chosen.0
        );
    }
    r.set_splat(true);

    // Where the splat path stops paying: one fixed radius for all circles.
    let n = if quick { 100_000 } else { 423_624 };
    println!();
    println!("| {n} circles, radius (px) | instanced quads | splat, blended |");
    println!("|---:|---:|---:|");
    r.splat.set_max_radius(64.0);
    for radius in [1.0f32, 2.0, 4.0, 8.0] {
        let mut circles = scatter(n);
        for c in &mut circles {
            c.radius = radius;
        }
        let mut scene = Scene::new(Some(Color::WHITE));
        scene.circles(0, panel, &circles, SizeMode::Pixels);
        let quads = measure(&ctx, &mut r, &target, &scene, None, 3);
        let splat = measure(&ctx, &mut r, &target, &scene, Some(SplatMode::Blended), 3);
        println!(
            "| {radius} | {:.3} ({:.2}) | {:.3} ({:.2}) |",
            quads.0, quads.1, splat.0, splat.1
        );
    }
    r.splat.set_max_radius(nasviz::render::SPLAT_MAX_RADIUS);
    r.set_splat(true);

    // Cached layer: all points drawn once into a layer; each frame composites it and draws
    // 100 moving circles.
    let n = if quick { 100_000 } else { 1_000_000 };
    let circles = scatter(n);
    let Ok(mut layer) = CachedLayer::new(&ctx, &r.compositor, W, H) else {
        eprintln!("cannot create the layer");
        return;
    };
    let mut content = Scene::new(None);
    content.circles(0, panel, &circles, SizeMode::Pixels);
    let t = Instant::now();
    if let Err(e) = r.render_layer(&ctx, &mut layer, &content) {
        eprintln!("layer render failed: {e}");
    }
    let _ = ctx.wait();
    let build = t.elapsed();
    let mut times = vec![];
    for f in 0..21 {
        let moving = nasviz::testdata::moving_circles(f);
        let mut scene = Scene::new(Some(Color::WHITE));
        scene.cached(0, &layer);
        scene.circles(1, panel, &moving, SizeMode::Pixels);
        let d = frame(&ctx, &mut r, &target, &scene);
        if f > 0 {
            times.push(d);
        }
    }
    println!();
    println!(
        "cached layer of {n} circles: built once in {:.3} s; frame (composite + 100 moving circles): {:.1} ms",
        build.as_secs_f64(),
        median(times).as_secs_f64() * 1e3
    );
    let t = Instant::now();
    match target.read(&ctx) {
        Ok(img) => {
            let read = t.elapsed();
            let t = Instant::now();
            let png = img.encode_png().map(|b| b.len()).unwrap_or(0);
            println!(
                "readback {W}x{H}: {:.1} ms; PNG encode: {:.1} ms ({png} bytes)",
                read.as_secs_f64() * 1e3,
                t.elapsed().as_secs_f64() * 1e3
            );
        }
        Err(e) => eprintln!("readback failed: {e}"),
    }
}
