//! Shared GPU test harness: one adapter per test binary and golden-image comparison.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::sync::LazyLock;

use nasviz::render::{AdapterChoice, GpuContext, Image};

/// The shared context: Vulkan first (preferring a CPU adapter such as lavapipe), GL as
/// fallback. `None` when no adapter exists.
static GPU: LazyLock<Option<GpuContext>> =
    LazyLock::new(
        || match GpuContext::headless(AdapterChoice::software_first().with_env()) {
            Ok(ctx) => {
                eprintln!("render tests: adapter {}", ctx.adapter_name());
                Some(ctx)
            }
            Err(e) => {
                eprintln!("render tests: no adapter: {e}");
                None
            }
        },
    );

/// The shared GPU context, or `None` after printing a loud SKIP line. With
/// `NASVIZ_REQUIRE_GPU=1` a missing adapter fails the test instead.
pub fn gpu(test: &str) -> Option<&'static GpuContext> {
    match GPU.as_ref() {
        Some(ctx) => Some(ctx),
        None => {
            if std::env::var("NASVIZ_REQUIRE_GPU").as_deref() == Ok("1") {
                panic!(
                    "{test}: no GPU adapter and NASVIZ_REQUIRE_GPU=1 \
                     (install mesa-vulkan-drivers libvulkan1)"
                );
            }
            // Written to the stderr handle directly so the test harness does not capture it.
            let _ = writeln!(
                std::io::stderr(),
                "\n======== SKIP: no GPU adapter; render test `{test}` did not run \
                 (install mesa-vulkan-drivers libvulkan1, or set NASVIZ_REQUIRE_GPU=1 to fail) ========\n"
            );
            None
        }
    }
}

/// Gets the context or returns from the test after a SKIP line.
#[macro_export]
macro_rules! gpu_or_skip {
    ($name:expr) => {
        match common::gpu($name) {
            Some(ctx) => ctx,
            None => return,
        }
    };
}

pub fn snapshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("snapshots")
}

/// Per-channel difference above which a pixel counts as different.
pub const PIXEL_THRESHOLD: u8 = 8;

/// Compares `image` with `tests/snapshots/{name}.png`: at most `max_diff_pixels` pixels may
/// differ by more than [`PIXEL_THRESHOLD`] in some channel. On failure writes
/// `{name}.new.png` and `{name}.diff.png` beside the golden and panics.
/// `UPDATE_SNAPSHOTS=1` rewrites the golden instead.
pub fn assert_snapshot(name: &str, image: &Image, max_diff_pixels: usize) {
    let dir = snapshot_dir();
    let golden = dir.join(format!("{name}.png"));
    let new = dir.join(format!("{name}.new.png"));
    let diff_path = dir.join(format!("{name}.diff.png"));
    if std::env::var("UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
        std::fs::create_dir_all(&dir).expect("create snapshot dir");
        image.save_png(&golden).expect("write golden");
        let _ = std::fs::remove_file(&new);
        let _ = std::fs::remove_file(&diff_path);
        eprintln!("updated snapshot {}", golden.display());
        return;
    }
    let expected = match Image::load_png(&golden) {
        Ok(img) => img,
        Err(e) => {
            image.save_png(&new).expect("write .new.png");
            panic!(
                "snapshot {name}: cannot read {} ({e}); wrote {}; run with UPDATE_SNAPSHOTS=1 to accept",
                golden.display(),
                new.display()
            );
        }
    };
    if (expected.width, expected.height) != (image.width, image.height) {
        image.save_png(&new).expect("write .new.png");
        panic!(
            "snapshot {name}: size {}x{} but golden is {}x{}; wrote {}",
            image.width,
            image.height,
            expected.width,
            expected.height,
            new.display()
        );
    }
    let (count, diff) = diff_images(&expected, image);
    if count > max_diff_pixels {
        image.save_png(&new).expect("write .new.png");
        diff.save_png(&diff_path).expect("write .diff.png");
        panic!(
            "snapshot {name}: {count} pixels differ by more than {PIXEL_THRESHOLD} (allowed {max_diff_pixels}); \
             wrote {} and {}",
            new.display(),
            diff_path.display()
        );
    }
    let _ = std::fs::remove_file(&new);
    let _ = std::fs::remove_file(&diff_path);
}

/// Number of pixels differing by more than [`PIXEL_THRESHOLD`], and a diff image: differing
/// pixels red, the rest a faded copy of `a`.
pub fn diff_images(a: &Image, b: &Image) -> (usize, Image) {
    let mut count = 0;
    let mut pixels = Vec::with_capacity(a.pixels.len());
    for (pa, pb) in a.pixels.chunks_exact(4).zip(b.pixels.chunks_exact(4)) {
        let differs = pa
            .iter()
            .zip(pb)
            .any(|(x, y)| x.abs_diff(*y) > PIXEL_THRESHOLD);
        if differs {
            count += 1;
            pixels.extend_from_slice(&[255, 0, 0, 255]);
        } else {
            let g = ((u16::from(pa[0]) + u16::from(pa[1]) + u16::from(pa[2])) / 3) as u8;
            let f = 160 + g / 3;
            pixels.extend_from_slice(&[f, f, f, 255]);
        }
    }
    (
        count,
        Image {
            width: a.width,
            height: a.height,
            pixels,
        },
    )
}
