use identity_client::IdentityClient;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("IDENTITY_URL").unwrap_or_else(|_| "http://identity-svc:50051".into());
    let identity = IdentityClient::connect(url).await?;
    match identity.verify("token").await? {
        Some(user) => println!("hello {user}"),
        None => println!("who are you?"),
    }
    Ok(())
}
