//! Optuna journal replay on any lines, and the runs made from it.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut j = nasviz::trace::engine::replay::Journal::default();
    for line in text.lines() {
        let _ = j.apply_line(line);
    }
    let mut runs = nasviz::trace::engine::studies::Runs::default();
    let _ = runs.update(&j);
    let _ = nasviz::trace::engine::studies::summary(&j, &runs);
});
