//! The `.nbt` and `.nb101` table files on any bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = nasviz::table::nbgraph::NbGraphTable::from_bytes(data, "fuzz.nbt");
    let _ = nasviz::table::nb101::Nb101Table::from_bytes(data, "fuzz.nb101");
});
