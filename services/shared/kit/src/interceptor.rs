//! Bearer-token verification for tonic services.

use std::sync::Arc;

use nova_auth::{Claims, Verifier};
use tonic::metadata::MetadataMap;
use tonic::service::Interceptor;
use tonic::{Request, Status};

/// A tonic interceptor: verifies `authorization: Bearer <token>` locally and
/// stores the [`Claims`] in the request's extensions (read them with
/// [`caller`]); a missing or refused token is `Unauthenticated`.
///
/// Use with the generated `XServer::with_interceptor(service, authenticator)`.
#[derive(Clone, Debug)]
pub struct Authenticator {
    verifier: Arc<Verifier>,
}

impl Authenticator {
    /// An interceptor checking tokens with `verifier`.
    pub fn new(verifier: Verifier) -> Self {
        Self {
            verifier: Arc::new(verifier),
        }
    }

    /// An interceptor sharing an existing verifier.
    pub fn from_shared(verifier: Arc<Verifier>) -> Self {
        Self { verifier }
    }

    /// The verifier used.
    pub fn verifier(&self) -> &Arc<Verifier> {
        &self.verifier
    }
}

impl Interceptor for Authenticator {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let claims = authenticate(&self.verifier, request.metadata())?;
        request.extensions_mut().insert(claims);
        Ok(request)
    }
}

/// The token of an `authorization: Bearer <token>` header.
pub fn bearer_token(metadata: &MetadataMap) -> Result<&str, Status> {
    let value = metadata
        .get("authorization")
        .ok_or_else(|| Status::unauthenticated("missing authorization header"))?;
    let value = value
        .to_str()
        .map_err(|_| Status::unauthenticated("authorization header is not ASCII"))?;
    let (scheme, token) = value
        .trim()
        .split_once(' ')
        .ok_or_else(|| Status::unauthenticated("authorization header must be `Bearer <token>`"))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(Status::unauthenticated(
            "authorization header must be `Bearer <token>`",
        ));
    }
    Ok(token.trim())
}

/// Verifies the bearer token of `metadata` (for services where only some
/// methods need a caller); refusals are `Unauthenticated` with the reason.
pub fn authenticate(verifier: &Verifier, metadata: &MetadataMap) -> Result<Claims, Status> {
    let token = bearer_token(metadata)?;
    verifier
        .verify(token)
        .map_err(|e| Status::unauthenticated(e.to_string()))
}

/// The verified caller of a request that went through an [`Authenticator`].
pub fn caller<T>(request: &Request<T>) -> Result<&Claims, Status> {
    request
        .extensions()
        .get::<Claims>()
        .ok_or_else(|| Status::unauthenticated("request was not authenticated"))
}
