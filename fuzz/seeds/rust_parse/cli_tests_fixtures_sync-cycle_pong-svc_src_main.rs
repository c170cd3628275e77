use tonic::{transport::Server, Request, Response, Status};

pub mod pong {
    tonic::include_proto!("pong.v1");
}
pub mod ping {
    tonic::include_proto!("ping.v1");
}

use pong::pong_service_server::{PongService, PongServiceServer};
use ping::ping_service_client::PingServiceClient;

struct Handler;

#[tonic::async_trait]
impl PongService for Handler {
    async fn pong(&self, req: Request<pong::PongRequest>) -> Result<Response<pong::PongReply>, Status> {
        let n = req.into_inner().n;
        if n == 0 {
            return Ok(Response::new(pong::PongReply { n }));
        }
        let url = std::env::var("PING_URL").unwrap_or_else(|_| "http://ping-svc:50051".to_string());
        let mut other = PingServiceClient::connect(url)
            .await
            .map_err(|e| Status::unavailable(e.to_string()))?;
        let reply = other.ping(ping::PingRequest { n: n - 1 }).await?;
        Ok(Response::new(pong::PongReply { n: reply.into_inner().n }))
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    Server::builder()
        .add_service(PongServiceServer::new(Handler))
        .serve("0.0.0.0:50051".parse()?)
        .await?;
    Ok(())
}
