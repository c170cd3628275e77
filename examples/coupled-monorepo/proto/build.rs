//! The build script of every service with gRPC code (`build = "../../proto/build.rs"`
//! in its Cargo.toml): generates the servers, clients and messages of `proto/*.proto`
//! into `OUT_DIR`, where `tonic::include_proto!` finds them, with a vendored protoc.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../proto");
    let protos = ["identity.proto", "content.proto", "messaging.proto"].map(|p| dir.join(p));
    for p in &protos {
        println!("cargo:rerun-if-changed={}", p.display());
    }
    std::env::set_var("PROTOC", protoc_bin_vendored::protoc_bin_path()?);
    tonic_prost_build::configure().compile_protos(&protos, &[dir])?;
    Ok(())
}
