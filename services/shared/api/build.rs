//! Generates the gRPC types, servers and clients from `proto/services` with the
//! vendored `protoc`, plus one encoded descriptor set for reflection.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../proto/services");
    let files = [
        root.join("nova/identity/v1/identity.proto"),
        root.join("nova/content/v1/content.proto"),
        root.join("nova/feed/v1/feed.proto"),
        root.join("nova/media/v1/media.proto"),
        root.join("nova/messaging/v1/messaging.proto"),
        root.join("nova/chat/v1/chat.proto"),
    ];
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    let include = protoc_bin_vendored::include_path()?;
    // SAFETY: build scripts are single-threaded; prost-build reads PROTOC.
    unsafe { std::env::set_var("PROTOC", protoc) };
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    tonic_prost_build::configure()
        .file_descriptor_set_path(out.join("nova_services_descriptor.bin"))
        .compile_protos(&files, &[root, include])?;
    Ok(())
}
