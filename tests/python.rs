//! The Python module (`python/nasviz`): its tests (`tests/python`, standard
//! library `unittest`) run against the `nasviz` built by this `cargo test`.
//! Without a Python 3 they SKIP loudly, and fail when
//! NASVIZ_REQUIRE_PYTHON=1 (as `.ci/run` sets).

use std::path::Path;
use std::process::Command;

fn python() -> Option<String> {
    for exe in ["python3", "python"] {
        let ok = Command::new(exe)
            .args(["-c", "import sys; sys.exit(sys.version_info < (3, 8))"])
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(exe.to_string());
        }
    }
    None
}

#[test]
fn python_module_writes_traces_nasviz_reads() {
    let Some(py) = python() else {
        if std::env::var("NASVIZ_REQUIRE_PYTHON").is_ok_and(|v| v == "1") {
            panic!("NASVIZ_REQUIRE_PYTHON=1 but no Python 3.8+ was found");
        }
        eprintln!("SKIP python_module_writes_traces_nasviz_reads: no Python 3.8+ found");
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(&py)
        .args(["-m", "unittest", "discover", "-v", "-s"])
        .arg(root.join("tests/python"))
        .env("PYTHONPATH", root.join("python"))
        .env("NASVIZ_BIN", env!("CARGO_BIN_EXE_nasviz"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("run python");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the Python tests failed:\n{err}");
    assert!(err.contains("OK"), "{err}");
    assert!(!err.contains("skipped"), "a Python test skipped:\n{err}");
}
