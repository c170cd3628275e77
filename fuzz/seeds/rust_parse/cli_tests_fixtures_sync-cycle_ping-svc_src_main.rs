use tonic::{transport::Server, Request, Response, Status};

pub mod ping {
    tonic::include_proto!("ping.v1");
}
pub mod pong {
    tonic::include_proto!("pong.v1");
}

use ping::ping_service_server::{PingService, PingServiceServer};
use pong::pong_service_client::PongServiceClient;

struct Handler;

#[tonic::async_trait]
impl PingService for Handler {
    async fn ping(&self, req: Request<ping::PingRequest>) -> Result<Response<ping::PingReply>, Status> {
        let n = req.into_inner().n;
        if n == 0 {
            return Ok(Response::new(ping::PingReply { n }));
        }
        let url = std::env::var("PONG_URL").unwrap_or_else(|_| "http://pong-svc:50051".to_string());
        let mut other = PongServiceClient::connect(url)
            .await
            .map_err(|e| Status::unavailable(e.to_string()))?;
        let reply = other.pong(pong::PongRequest { n: n - 1 }).await?;
        Ok(Response::new(ping::PingReply { n: reply.into_inner().n }))
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    Server::builder()
        .add_service(PingServiceServer::new(Handler))
        .serve("0.0.0.0:50051".parse()?)
        .await?;
    Ok(())
}
