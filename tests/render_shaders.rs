//! Every WGSL shader parses and validates with naga, as its module is made
//! (the circle, mesh and splat shaders after their shared prelude), and
//! every file of `shaders/` is part of one.

#[test]
fn every_shader_validates() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
    let mut count = 0;
    for (name, src) in nasviz::render::SHADER_SOURCES {
        let module = naga::front::wgsl::parse_str(src)
            .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(src)));
        naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::default(),
        )
        .validate(&module)
        .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(src)));
        count += 1;
    }
    assert!(count >= 4, "expected the shaders in {}", dir.display());
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("shaders dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "wgsl"))
        .collect();
    entries.sort();
    for path in entries {
        let file = std::fs::read_to_string(&path).expect("read shader");
        assert!(
            nasviz::render::SHADER_SOURCES
                .iter()
                .any(|(_, src)| src.contains(&file)),
            "{} is in no shader's source",
            path.display()
        );
    }
}
