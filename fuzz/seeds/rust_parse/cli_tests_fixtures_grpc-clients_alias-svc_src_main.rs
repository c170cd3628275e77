use tonic::transport::Channel;

pub mod pb {
    tonic::include_proto!("catalog.v1");
}

use pb::ListItemsRequest;

type Catalog = pb::catalog_service_client::CatalogServiceClient<Channel>;

async fn count(catalog: &mut Catalog) -> Result<usize, tonic::Status> {
    let items = catalog.list_items(ListItemsRequest { limit: 100 }).await?;
    Ok(items.into_inner().items.len())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut catalog = Catalog::connect("http://catalog-svc:50051").await?;
    println!("{}", count(&mut catalog).await?);
    Ok(())
}
