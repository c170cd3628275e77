use sidecar_proto::v1::{sidecar_client::SidecarClient, StateRequest};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut client = SidecarClient::connect("http://sidecar-svc:50051").await?;
    client.get_state(StateRequest { key: "a".into() }).await?;
    Ok(())
}
