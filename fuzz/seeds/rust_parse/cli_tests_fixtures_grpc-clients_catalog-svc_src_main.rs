use tonic::{transport::Server, Request, Response, Status};

pub mod pb {
    tonic::include_proto!("catalog.v1");
}

use pb::catalog_service_server::{CatalogService, CatalogServiceServer};
use pb::{GetItemRequest, Item, ListItemsRequest, ListItemsResponse};

#[derive(Default)]
struct Catalog;

#[tonic::async_trait]
impl CatalogService for Catalog {
    async fn get_item(&self, req: Request<GetItemRequest>) -> Result<Response<Item>, Status> {
        let id = req.into_inner().id;
        Ok(Response::new(Item { id, name: "thing".into() }))
    }

    async fn list_items(&self, _req: Request<ListItemsRequest>) -> Result<Response<ListItemsResponse>, Status> {
        Ok(Response::new(ListItemsResponse { items: vec![] }))
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    Server::builder()
        .add_service(CatalogServiceServer::new(Catalog))
        .serve("0.0.0.0:50051".parse()?)
        .await?;
    Ok(())
}
