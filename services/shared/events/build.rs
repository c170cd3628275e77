//! Generates the prost types from `proto/events` with the vendored `protoc`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../proto/events");
    let files = [
        root.join("nova/events/v1/envelope.proto"),
        root.join("nova/events/v1/domain.proto"),
    ];
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    let include = protoc_bin_vendored::include_path()?;
    let mut config = prost_build::Config::new();
    config.protoc_executable(protoc);
    config.compile_protos(&files, &[root, include])?;
    Ok(())
}
