use content_proto::content::content_service_server::{ContentService, ContentServiceServer};
use content_proto::content::{GetPostRequest, Post};
use tonic::{transport::Server, Request, Response, Status};

struct Content;

#[tonic::async_trait]
impl ContentService for Content {
    async fn get_post(&self, req: Request<GetPostRequest>) -> Result<Response<Post>, Status> {
        Ok(Response::new(Post { id: req.into_inner().id, body: String::new() }))
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    Server::builder()
        .add_service(ContentServiceServer::new(Content))
        .serve("0.0.0.0:50051".parse()?)
        .await?;
    Ok(())
}
