//! Architectures from text: NB-101 cell JSON, NB-201 strings, nasviz's
//! architecture JSON, and a random edit of each that parses.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
        if let Ok(c) = nasviz::arch::nb101::Cell::from_json(&v) {
            let _ = c.hash();
            let _ = c.kept_vertices();
        }
    }
    if let Ok(c) = nasviz::arch::nb201::Cell::parse(text) {
        let _ = c.to_dag();
    }
    if let Ok(a) = nasviz::arch::Arch::from_json_str(text) {
        let _ = a.key();
        let _ = a.evaluated_dag();
        for t in nasviz::search::steer::targets(&a) {
            let ops = nasviz::search::steer::default_ops(a.space());
            for k in [
                nasviz::search::steer::EditKind::AddLayer,
                nasviz::search::steer::EditKind::DeleteLayer,
                nasviz::search::steer::EditKind::ChangeOp,
                nasviz::search::steer::EditKind::RemoveEdge,
            ] {
                let _ = nasviz::search::steer::candidates(&a, t, k, &ops);
            }
        }
    }
});
