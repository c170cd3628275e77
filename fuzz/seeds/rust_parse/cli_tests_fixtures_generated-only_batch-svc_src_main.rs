// Hand-written code that borrows one re-export from tonic's codegen module:
// it is not generated code.
use sidecar_proto::v1::{sidecar_client::SidecarClient, StateRequest};
use tonic::codegen::tokio_stream;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut client = SidecarClient::connect("http://sidecar-svc:50051").await?;
    client.get_state(StateRequest { key: "b".into() }).await?;
    let _ = tokio_stream::empty::<()>();
    Ok(())
}
