//! identity-service's gRPC handlers.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use nova_api::identity::identity_service_server::IdentityService;
use nova_api::identity::{
    GetJwksRequest, GetJwksResponse, GetMeRequest, LoginRequest, RefreshRequest, RegisterRequest,
    RegisterResponse, TokenResponse, UpdateProfileRequest, User,
};
use nova_auth::{Claims, Jwks, SigningKey, Verifier};
use nova_kit::{internal, invalid_argument};
use nova_outbox::Outbox;
use sha2::{Digest as _, Sha256};
use sqlx::PgPool;
use tonic::{Request, Response, Status};
use uuid::Uuid;

use crate::config::Config;
use crate::events;
use crate::store::{self, StoreError, UserRow};

/// The handlers, with their pool, keys and outbox.
#[derive(Clone)]
pub struct Identity {
    inner: Arc<Inner>,
}

struct Inner {
    pool: PgPool,
    outbox: Outbox,
    signing_key: SigningKey,
    jwks_json: String,
    verifier: Verifier,
    issuer: String,
    access_ttl_secs: i64,
    refresh_ttl: chrono::Duration,
    argon2: Argon2<'static>,
    /// A hash of a random password, checked when the username is unknown.
    dummy_hash: String,
}

impl Identity {
    /// Handlers over `pool` (migrated) with the keys and limits of `config`.
    pub fn new(pool: PgPool, outbox: Outbox, config: &Config) -> Result<Self, crate::Error> {
        let signing_key = config
            .signing_keys
            .first()
            .cloned()
            .ok_or(crate::Error::NoSigningKey)?;
        let public: Vec<_> = config
            .signing_keys
            .iter()
            .map(SigningKey::public_key)
            .collect();
        let params = Params::new(config.argon2_memory_kib, config.argon2_iterations, 1, None)
            .map_err(|e| crate::Error::Argon2(e.to_string()))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let dummy_salt: [u8; 16] = rand::random();
        let dummy_password: [u8; 16] = rand::random();
        let dummy_hash = SaltString::encode_b64(&dummy_salt)
            .and_then(|salt| {
                argon2
                    .hash_password(&dummy_password, &salt)
                    .map(|h| h.to_string())
            })
            .map_err(|e| crate::Error::Argon2(e.to_string()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                pool,
                outbox,
                signing_key,
                jwks_json: Jwks::from_keys(&public).to_json(),
                verifier: Verifier::new(public).with_issuer(config.issuer.clone()),
                issuer: config.issuer.clone(),
                access_ttl_secs: i64::try_from(config.access_ttl.as_secs()).unwrap_or(i64::MAX),
                refresh_ttl: chrono::Duration::from_std(config.refresh_ttl)
                    .unwrap_or(chrono::Duration::days(30)),
                argon2,
                dummy_hash,
            }),
        })
    }

    /// argon2id hash of `password` (on a blocking thread: it takes tens of ms).
    async fn hash_password(&self, password: &str) -> Result<String, Status> {
        let argon2 = self.inner.argon2.clone();
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || {
            let salt_bytes: [u8; 16] = rand::random();
            let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| internal("salt", e))?;
            argon2
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| internal("password hashing", e))
        })
        .await
        .map_err(|e| internal("password hashing", e))?
    }

    /// Whether `password` matches `hash` (on a blocking thread). Without a
    /// user, checks against a dummy hash so that an unknown username takes
    /// as long as a wrong password.
    async fn password_matches(&self, password: &str, hash: Option<&str>) -> bool {
        let argon2 = self.inner.argon2.clone();
        let password = password.to_owned();
        let known = hash.is_some();
        let hash = hash.map_or_else(|| self.inner.dummy_hash.clone(), str::to_owned);
        tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|parsed| argon2.verify_password(password.as_bytes(), &parsed).is_ok())
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false)
            && known
    }

    /// Issues an access token and a stored (hashed) refresh token for `user_id`.
    async fn issue_tokens(&self, user_id: Uuid) -> Result<TokenResponse, Status> {
        let now = nova_auth::now_unix();
        let claims = Claims::new(
            user_id.to_string(),
            &self.inner.issuer,
            now,
            self.inner.access_ttl_secs,
        );
        let access_token = self
            .inner
            .signing_key
            .sign(&claims)
            .map_err(|e| internal("token signing", e))?;
        let refresh_bytes: [u8; 32] = rand::random();
        let refresh_token = URL_SAFE_NO_PAD.encode(refresh_bytes);
        let mut conn = self
            .inner
            .pool
            .acquire()
            .await
            .map_err(|e| internal("database", e))?;
        store::insert_refresh_token(
            &mut conn,
            &refresh_hash(&refresh_token),
            user_id,
            chrono::Utc::now() + self.inner.refresh_ttl,
        )
        .await
        .map_err(|e| internal("storing the refresh token", e))?;
        Ok(TokenResponse {
            access_token,
            refresh_token,
            expires_in_seconds: self.inner.access_ttl_secs,
            user_id: user_id.to_string(),
        })
    }

    fn caller(&self, metadata: &tonic::metadata::MetadataMap) -> Result<Uuid, Status> {
        let claims = nova_kit::authenticate(&self.inner.verifier, metadata)?;
        Uuid::parse_str(&claims.sub)
            .map_err(|_| Status::unauthenticated("token subject is not a user id"))
    }
}

fn refresh_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn to_api(user: &UserRow) -> User {
    User {
        user_id: user.id.to_string(),
        username: user.username.clone(),
        email: user.email.clone(),
        display_name: user.display_name.clone(),
        bio: user.bio.clone(),
    }
}

/// Checks a username: 3–32 of `a-z`, `0-9`, `_`, `.`, `-`.
fn check_username(username: &str) -> Result<(), Status> {
    if !(3..=32).contains(&username.chars().count()) {
        return Err(invalid_argument("username", "must be 3 to 32 characters"));
    }
    if !username
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'))
    {
        return Err(invalid_argument(
            "username",
            "may only contain a-z, 0-9, `_`, `.` and `-`",
        ));
    }
    Ok(())
}

fn check_email(email: &str) -> Result<(), Status> {
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !email.chars().any(char::is_whitespace);
    if valid {
        Ok(())
    } else {
        Err(invalid_argument("email", "is not an email address"))
    }
}

fn check_text(field: &str, value: &str, max_chars: usize) -> Result<(), Status> {
    if value.chars().count() > max_chars {
        return Err(invalid_argument(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    Ok(())
}

#[tonic::async_trait]
impl IdentityService for Identity {
    async fn register(
        &self,
        request: Request<RegisterRequest>,
    ) -> Result<Response<RegisterResponse>, Status> {
        let req = request.into_inner();
        let username = req.username.trim().to_owned();
        let email = req.email.trim().to_ascii_lowercase();
        check_username(&username)?;
        check_email(&email)?;
        if req.password.chars().count() < 8 {
            return Err(invalid_argument(
                "password",
                "must be at least 8 characters",
            ));
        }
        check_text("password", &req.password, 256)?;
        check_text("display_name", &req.display_name, 64)?;
        let row = UserRow {
            id: Uuid::now_v7(),
            username,
            email,
            display_name: req.display_name.trim().to_owned(),
            bio: String::new(),
            password_hash: self.hash_password(&req.password).await?,
        };
        let mut tx = self
            .inner
            .pool
            .begin()
            .await
            .map_err(|e| internal("database", e))?;
        match store::insert_user(&mut tx, &row).await {
            Ok(()) => {}
            Err(StoreError::Taken(field)) => {
                return Err(Status::already_exists(format!(
                    "field `{field}`: is already taken"
                )));
            }
            Err(StoreError::Database(e)) => return Err(internal("registering", e)),
        }
        let mut published = vec![events::user_registered(&row)];
        if !row.display_name.is_empty() {
            published.push(events::user_profile_updated(&row));
        }
        self.inner
            .outbox
            .enqueue_all(&mut tx, &published)
            .await
            .map_err(|e| internal("outbox", e))?;
        tx.commit().await.map_err(|e| internal("commit", e))?;
        tracing::info!(user_id = %row.id, "user registered");
        Ok(Response::new(RegisterResponse {
            user: Some(to_api(&row)),
        }))
    }

    async fn login(
        &self,
        request: Request<LoginRequest>,
    ) -> Result<Response<TokenResponse>, Status> {
        let req = request.into_inner();
        if req.username.trim().is_empty() {
            return Err(invalid_argument("username", "must not be empty"));
        }
        if req.password.is_empty() {
            return Err(invalid_argument("password", "must not be empty"));
        }
        let mut conn = self
            .inner
            .pool
            .acquire()
            .await
            .map_err(|e| internal("database", e))?;
        let user = store::user_by_username(&mut conn, req.username.trim())
            .await
            .map_err(|e| internal("login", e))?;
        drop(conn);
        // Same answer, and about the same time, for an unknown user and a wrong password.
        let matches = self
            .password_matches(
                &req.password,
                user.as_ref().map(|u| u.password_hash.as_str()),
            )
            .await;
        let Some(user) = user.filter(|_| matches) else {
            return Err(Status::unauthenticated("wrong username or password"));
        };
        Ok(Response::new(self.issue_tokens(user.id).await?))
    }

    async fn refresh(
        &self,
        request: Request<RefreshRequest>,
    ) -> Result<Response<TokenResponse>, Status> {
        let req = request.into_inner();
        if req.refresh_token.trim().is_empty() {
            return Err(invalid_argument("refresh_token", "must not be empty"));
        }
        let mut conn = self
            .inner
            .pool
            .acquire()
            .await
            .map_err(|e| internal("database", e))?;
        let user_id = store::use_refresh_token(&mut conn, &refresh_hash(req.refresh_token.trim()))
            .await
            .map_err(|e| internal("refresh", e))?
            .ok_or_else(|| Status::unauthenticated("refresh token is unknown, used or expired"))?;
        drop(conn);
        Ok(Response::new(self.issue_tokens(user_id).await?))
    }

    async fn get_jwks(
        &self,
        _: Request<GetJwksRequest>,
    ) -> Result<Response<GetJwksResponse>, Status> {
        Ok(Response::new(GetJwksResponse {
            jwks_json: self.inner.jwks_json.clone(),
        }))
    }

    async fn update_profile(
        &self,
        request: Request<UpdateProfileRequest>,
    ) -> Result<Response<User>, Status> {
        let user_id = self.caller(request.metadata())?;
        let req = request.into_inner();
        check_text("display_name", &req.display_name, 64)?;
        check_text("bio", &req.bio, 1000)?;
        let mut tx = self
            .inner
            .pool
            .begin()
            .await
            .map_err(|e| internal("database", e))?;
        let user = store::update_profile(&mut tx, user_id, req.display_name.trim(), req.bio.trim())
            .await
            .map_err(|e| internal("profile update", e))?
            .ok_or_else(|| Status::not_found("user not found"))?;
        self.inner
            .outbox
            .enqueue(&mut tx, &events::user_profile_updated(&user))
            .await
            .map_err(|e| internal("outbox", e))?;
        tx.commit().await.map_err(|e| internal("commit", e))?;
        Ok(Response::new(to_api(&user)))
    }

    async fn get_me(&self, request: Request<GetMeRequest>) -> Result<Response<User>, Status> {
        let user_id = self.caller(request.metadata())?;
        let mut conn = self
            .inner
            .pool
            .acquire()
            .await
            .map_err(|e| internal("database", e))?;
        let user = store::user_by_id(&mut conn, user_id)
            .await
            .map_err(|e| internal("get user", e))?
            .ok_or_else(|| Status::not_found("user not found"))?;
        Ok(Response::new(to_api(&user)))
    }
}
