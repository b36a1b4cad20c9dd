//! The native trace reader (fast scanner and serde) on any bytes, whole
//! and line by line.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = nasviz::trace::jsonl::read_trace_from(data, "fuzz.jsonl");
    if let Ok(text) = std::str::from_utf8(data) {
        for line in text.lines() {
            let _ = nasviz::trace::jsonl::parse_line(line, &|| "fuzz:1".to_string());
        }
    }
});
