pub mod pb {
    tonic::include_proto!("catalog.v1");
}

use pb::catalog_service_client::CatalogServiceClient;
use pb::GetItemRequest;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("CATALOG_URL").unwrap_or_else(|_| "http://catalog-svc:50051".to_string());
    let mut client = CatalogServiceClient::connect(url).await?;
    let item = client.get_item(GetItemRequest { id: "1".into() }).await?;
    println!("{:?}", item.into_inner().name);
    Ok(())
}
