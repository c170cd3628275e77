//! `nova-stack`: every reference service in one process, configured from the
//! environment (each service's defaults work on a local machine). Prints where
//! each listens; stops on Ctrl-C / SIGTERM, letting relays and consumers finish.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    nova_kit::init_tracing();
    let config = nova_stack::StackConfig::from_env()?;
    nova_stack::run(config, nova_kit::Shutdown::on_signals(), |listening| {
        for (service, addr) in listening {
            println!("{service:<22} grpc://{addr}");
        }
    })
    .await?;
    Ok(())
}
