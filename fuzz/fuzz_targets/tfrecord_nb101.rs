//! TFRecord framing and NAS-Bench-101's protobuf records on any bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut r = nasviz::table::tfrecord::TfRecordReader::new(data, "fuzz.tfrecord")
        .with_max_len(1 << 20);
    while let Ok(Some(_)) = r.next_record() {}
    let _ = nasviz::table::nb101::Nb101Table::import_reader(
        data,
        data.len() as u64,
        108,
        "fuzz.tfrecord",
        &mut |_| {},
    );
});
