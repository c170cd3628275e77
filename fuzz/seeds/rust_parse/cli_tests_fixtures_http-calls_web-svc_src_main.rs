struct Clients {
    http: reqwest::Client,
    users_base: String,
}

impl Clients {
    fn from_env() -> Self {
        Self {
            http: reqwest::Client::new(),
            users_base: std::env::var("USERS_SERVICE_URL")
                .unwrap_or_else(|_| "http://users-svc:8080".to_string()),
        }
    }

    async fn user_name(&self, id: u64) -> Result<String, reqwest::Error> {
        self.http
            .get(format!("{}/v1/users/{}", self.users_base, id))
            .send()
            .await?
            .text()
            .await
    }
}

async fn invoices() -> Result<String, reqwest::Error> {
    reqwest::get("http://billing-svc:9000/v1/invoices").await?.text().await
}

#[tokio::main]
async fn main() -> Result<(), reqwest::Error> {
    let clients = Clients::from_env();
    println!("{} {}", clients.user_name(1).await?, invoices().await?);
    Ok(())
}
