use sidecar_proto::v1::sidecar_server::{Sidecar, SidecarServer};
use sidecar_proto::v1::StateRequest;
use tonic::{transport::Server, Request, Response, Status};

struct State;

#[tonic::async_trait]
impl Sidecar for State {
    async fn get_state(&self, req: Request<StateRequest>) -> Result<Response<StateRequest>, Status> {
        Ok(Response::new(req.into_inner()))
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    Server::builder()
        .add_service(SidecarServer::new(State))
        .serve("0.0.0.0:50051".parse()?)
        .await?;
    Ok(())
}
