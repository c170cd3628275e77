use grpc_pool::ClientPool;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Builds the pool (shared start-up code) but never calls content-svc.
    let _pool = ClientPool::from_env()?;
    Ok(())
}
