//! NASLib results and the original dashboard's records on any bytes
//! (through a file, as users give them).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("nasviz-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let p = dir.join("errors_0.json");
    if std::fs::write(&p, data).is_ok() {
        let _ = nasviz::trace::import::naslib_nb201(&p, None, None);
        let _ = nasviz::trace::import::dashboard_records(&p, "fuzz");
        let _ = nasviz::trace::open::open(&p);
    }
});
