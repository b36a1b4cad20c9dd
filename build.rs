//! For the browser build only (wasm32): the data compiled into nasviz (the
//! demo traces, the Cora table, the font) is deflated here and inflated
//! when first used, keeping the page's .wasm small. Native builds embed
//! the files as they are.

use std::path::PathBuf;

const EMBEDDED: [(&str, &str); 4] = [
    (
        "datasets/cora-evolution-2000.jsonl",
        "demo-evolution.jsonl.z",
    ),
    ("datasets/cora-random-2000.jsonl", "demo-random.jsonl.z"),
    ("datasets/nbgraph-cora.nbt", "nbgraph-cora.nbt.z"),
    ("assets/fonts/DejaVuSans.ttf", "DejaVuSans.ttf.z"),
];

fn main() -> Result<(), String> {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() != Ok("wasm32") {
        return Ok(());
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| format!("OUT_DIR: {e}"))?);
    for (src, name) in EMBEDDED {
        println!("cargo:rerun-if-changed={src}");
        let data = std::fs::read(src).map_err(|e| format!("{src}: {e}"))?;
        let z = miniz_oxide::deflate::compress_to_vec_zlib(&data, 9);
        let dst = out.join(name);
        std::fs::write(&dst, z).map_err(|e| format!("{}: {e}", dst.display()))?;
    }
    Ok(())
}
