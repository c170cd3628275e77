//! tonic server bootstrap: health, reflection, graceful shutdown.

use std::convert::Infallible;
use std::net::SocketAddr;

use tokio::net::TcpListener;
use tonic::body::Body;
use tonic::codegen::{Body as HttpBody, Bytes, Service, StdError, http};
use tonic::server::NamedService;
use tonic::service::Routes;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use tonic_health::ServingStatus;

use crate::error::KitError;
use crate::shutdown::Shutdown;

/// Binds `addr` (use port 0 for any free port; read it with `local_addr`).
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, KitError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| KitError::Bind { addr, source })
}

/// A gRPC server under construction: add the service(s), their descriptor
/// sets for reflection, then [`GrpcServer::serve`].
#[derive(Default)]
pub struct GrpcServer {
    routes: Routes,
    names: Vec<&'static str>,
    descriptor_sets: Vec<&'static [u8]>,
}

impl std::fmt::Debug for GrpcServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GrpcServer")
            .field("services", &self.names)
            .finish_non_exhaustive()
    }
}

impl GrpcServer {
    /// An empty server.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a generated service (or one wrapped in an interceptor); health
    /// reports it `SERVING` under its full name.
    #[must_use]
    pub fn add_service<S, B>(mut self, service: S) -> Self
    where
        S: Service<http::Request<Body>, Response = http::Response<B>, Error = Infallible>
            + NamedService
            + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
        B: HttpBody<Data = Bytes> + Send + 'static,
        B::Error: Into<StdError>,
    {
        self.names.push(S::NAME);
        self.routes = self.routes.add_service(service);
        self
    }

    /// Registers an encoded `FileDescriptorSet` (from `tonic_prost_build`'s
    /// `file_descriptor_set_path`) with the reflection service.
    #[must_use]
    pub fn file_descriptor_set(mut self, encoded: &'static [u8]) -> Self {
        self.descriptor_sets.push(encoded);
        self
    }

    /// The full names of the services added.
    pub fn service_names(&self) -> &[&'static str] {
        &self.names
    }

    /// Serves on `listener` until `shutdown` fires, then stops accepting and
    /// lets requests in flight finish.
    pub async fn serve(self, listener: TcpListener, shutdown: Shutdown) -> Result<(), KitError> {
        let (reporter, health) = tonic_health::server::health_reporter();
        reporter
            .set_service_status("", ServingStatus::Serving)
            .await;
        for name in &self.names {
            reporter
                .set_service_status(*name, ServingStatus::Serving)
                .await;
        }
        let mut reflection = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET);
        for set in &self.descriptor_sets {
            reflection = reflection.register_encoded_file_descriptor_set(set);
        }
        let reflection = reflection.build_v1()?;
        let routes = self.routes.add_service(health).add_service(reflection);
        let addr = listener.local_addr().ok();
        tracing::info!(?addr, services = ?self.names, "gRPC server listening");
        let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
        Server::builder()
            .add_routes(routes)
            .serve_with_incoming_shutdown(incoming, shutdown.wait())
            .await?;
        tracing::info!(?addr, "gRPC server stopped");
        Ok(())
    }
}
