//! The restricted pickle reader of the nas-bench-graph package's files.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = nasviz::table::nbgraph::NbGraphTable::from_bench_bytes(
        data,
        "cora",
        nasviz::table::nbgraph::OpSet::Full,
        "fuzz.bench",
    );
});
