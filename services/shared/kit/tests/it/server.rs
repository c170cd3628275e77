//! The server bootstrap: health over real gRPC on loopback, graceful shutdown.

use std::time::Duration;

use nova_kit::{GrpcServer, Shutdown, bind};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

#[tokio::test]
async fn health_answers_serving_and_shutdown_stops_the_server() {
    let listener = bind("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let shutdown = Shutdown::new();
    let server = tokio::spawn(GrpcServer::new().serve(listener, shutdown.clone()));

    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .expect("endpoint")
        .connect()
        .await
        .expect("connect");
    let mut client = HealthClient::new(channel);
    let reply = client
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .expect("check");
    assert_eq!(reply.into_inner().status(), ServingStatus::Serving);
    let unknown = client
        .check(HealthCheckRequest {
            service: "no.such.Service".into(),
        })
        .await
        .expect_err("unknown service");
    assert_eq!(unknown.code(), tonic::Code::NotFound);

    assert!(!shutdown.is_triggered());
    shutdown.trigger();
    let stopped = tokio::time::timeout(Duration::from_secs(10), server).await;
    assert!(
        matches!(stopped, Ok(Ok(Ok(())))),
        "server did not stop cleanly: {stopped:?}"
    );
}

#[tokio::test]
async fn wait_completes_for_every_clone_even_after_the_trigger() {
    let shutdown = Shutdown::new();
    let early = shutdown.wait();
    shutdown.clone().trigger();
    early.await;
    shutdown.wait().await;
    assert!(shutdown.is_triggered());
}
