// Generated code is checked in; the .proto it came from is not.
pub mod v1 {
    include!("sidecar.v1.rs");
}
