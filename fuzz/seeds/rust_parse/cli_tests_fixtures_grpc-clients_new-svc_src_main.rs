use tonic::transport::Channel;

pub mod pb {
    tonic::include_proto!("catalog.v1");
}

use pb::catalog_service_client::CatalogServiceClient;
use pb::ListItemsRequest;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let channel = Channel::from_static("http://catalog-svc:50051").connect().await?;
    let mut client = CatalogServiceClient::new(channel);
    let items = client.list_items(ListItemsRequest { limit: 10 }).await?;
    println!("{}", items.into_inner().items.len());
    Ok(())
}
