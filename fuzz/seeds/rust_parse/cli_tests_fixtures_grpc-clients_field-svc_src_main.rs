use tonic::transport::Channel;

pub mod pb {
    tonic::include_proto!("catalog.v1");
}

use pb::catalog_service_client::CatalogServiceClient;
use pb::GetItemRequest;

struct Deps {
    catalog: CatalogServiceClient<Channel>,
}

impl Deps {
    async fn item_name(&self, id: &str) -> Result<String, tonic::Status> {
        let mut catalog = self.catalog.clone();
        let item = catalog.get_item(GetItemRequest { id: id.to_string() }).await?;
        Ok(item.into_inner().name)
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let channel = Channel::from_static("http://catalog-svc:50051").connect_lazy();
    let deps = Deps { catalog: CatalogServiceClient::new(channel) };
    println!("{}", deps.item_name("1").await?);
    Ok(())
}
