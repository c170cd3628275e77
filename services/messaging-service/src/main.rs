//! `messaging-service`: configured from the environment (see `Config`).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    nova_kit::init_tracing();
    let config = messaging_service::Config::from_env()?;
    messaging_service::run(config, nova_kit::Shutdown::on_signals()).await?;
    Ok(())
}
