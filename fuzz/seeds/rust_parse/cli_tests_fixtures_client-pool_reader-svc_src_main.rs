use grpc_pool::pb::GetPostRequest;
use grpc_pool::ClientPool;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pool = ClientPool::from_env()?;
    let post = pool
        .content()
        .get_post(GetPostRequest { id: "42".into() })
        .await?
        .into_inner();
    println!("{}", post.body);
    Ok(())
}
