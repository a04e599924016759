//! Regenerates the ONNX protobuf types of nn-export: `cargo run --manifest-path tools/onnx-codegen/Cargo.toml`.
//!
//! protox parses `crates/nn-export/proto/onnx.proto` (no `protoc` needed), prost-build writes the Rust types,
//! rustfmt formats them, and the file's first line records the SHA-256 of the schema it came from, which a
//! test of nn-export compares with the committed schema.

use sha2::Digest;
use std::path::Path;
use std::process::Command;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let crate_dir = root.join("crates/nn-export");
    let proto = crate_dir.join("proto/onnx.proto");
    let schema = std::fs::read(&proto).unwrap_or_else(|e| panic!("{}: {e}", proto.display()));
    let descriptors = protox::compile([&proto], [crate_dir.join("proto")])
        .unwrap_or_else(|e| panic!("onnx.proto does not parse: {e}"));
    let out_dir = std::env::temp_dir().join(format!("onnx-codegen-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).expect("a temporary directory");
    prost_build::Config::new()
        .out_dir(&out_dir)
        .compile_fds(descriptors)
        .unwrap_or_else(|e| panic!("prost-build failed: {e}"));
    let generated = std::fs::read_to_string(out_dir.join("onnx.rs")).expect("prost wrote onnx.rs");
    let _ = std::fs::remove_dir_all(&out_dir);
    let digest: String = sha2::Sha256::digest(&schema)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let header = format!(
        "// Generated from proto/onnx.proto (SHA-256 {digest}) by tools/onnx-codegen. Do not edit.\n\n"
    );
    let target = crate_dir.join("src/pb/onnx.rs");
    std::fs::write(&target, header + &generated).expect("writing the generated file");
    let status = Command::new("rustfmt")
        .args(["--edition", "2024"])
        .arg(&target)
        .status()
        .expect("rustfmt runs");
    assert!(status.success(), "rustfmt failed");
    println!("wrote {}", target.display());
}
