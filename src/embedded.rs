//! The browser build's embedded data, deflated by `build.rs` (the demo
//! traces, the Cora table, the font) and inflated on first use. Native
//! builds embed the files as they are and do not have this module.

pub(crate) const DEMO_EVOLUTION_Z: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/demo-evolution.jsonl.z"));
pub(crate) const DEMO_RANDOM_Z: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/demo-random.jsonl.z"));
pub(crate) const CORA_Z: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/nbgraph-cora.nbt.z"));
pub(crate) const FONT_Z: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/DejaVuSans.ttf.z"));

/// The bytes `z` deflates (`what` names them in the error).
pub(crate) fn inflate(z: &[u8], what: &str) -> Result<Vec<u8>, std::io::Error> {
    miniz_oxide::inflate::decompress_to_vec_zlib(z).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{what}: the embedded copy does not inflate ({e:?})"),
        )
    })
}
