//! `feed-service`: configured from the environment (see `Config`).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    nova_kit::init_tracing();
    let config = feed_service::Config::from_env()?;
    feed_service::run(config, nova_kit::Shutdown::on_signals()).await?;
    Ok(())
}
