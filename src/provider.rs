//! The native half of `workosProvider()`: one per provider, holding its config, key cache, metadata
//! cache and WorkOS client. The glue asks it one question per request ("may this request in, and if
//! not, what exactly do I answer?") and gets the complete answer as data.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

use napi_derive::napi;
use serde_json::Value;

use crate::config::{ProviderConfig, AUTHORIZATION_SERVER_PATH, PROTECTED_RESOURCE_PATH};
use crate::error::note_internal_failure;
use crate::guard::Guard;
use crate::jwt::bearer::bearer_token;
use crate::jwt::claims::VerifiedClaims;
use crate::jwt::jwks::{JwksCache, OnNewKeys};
use crate::jwt::token_cache::TokenCache;
use crate::jwt::verify::{Verified, Verifier, LEEWAY_SECONDS};
use crate::jwt::Rejection;
use crate::metadata::{protected_resource_document, AuthorizationServerMetadata};
use crate::refresher::COLD_RETRY;
use crate::workos::{NativeWorkOS, WorkOsApi};

/// The verified session, as the glue turns it into the `Session` object (Dates made there).
#[napi(object)]
pub struct SessionData {
  pub user_id: String,
  pub session_id: String,
  pub organization_id: Option<String>,
  pub role: Option<String>,
  pub permissions: Option<Vec<String>>,
  /// `exp` in milliseconds.
  pub expires_at_ms: f64,
  /// `iat` in milliseconds; absent when the token had no `iat`.
  pub issued_at_ms: Option<f64>,
  /// The verified payload's JSON text exactly as signed (the glue parses it into `claims`).
  pub claims_json: String,
}

/// What to do with one request: `status` 200 with a `session`, or the full error response.
#[napi(object)]
pub struct AuthOutcome {
  pub status: u32,
  pub session: Option<SessionData>,
  /// JSON body of the error response.
  pub body: Option<String>,
  /// Headers of the error response.
  pub headers: Option<HashMap<String, String>>,
  /// `missing_token`, `expired`, an invalid-token reason, `jwks_unavailable` or `internal_error`:
  /// for logs and tests, never sent to the client.
  pub reason: Option<String>,
}

/// The paths and documents the router serves, computed once.
#[napi(object)]
pub struct RouterInfo {
  /// The guarded endpoint path, `/mcp` by default.
  pub endpoint: String,
  pub protected_resource_path: String,
  pub resource_metadata_path: String,
  pub authorization_server_path: String,
  /// The root RFC 9728 document (`resource` = `baseURL`), as in the original.
  pub protected_resource_document: String,
  /// The endpoint-suffixed document (`resource` = `baseURL` + endpoint).
  pub resource_metadata_document: String,
}

/// Quotes a `WWW-Authenticate` parameter value (RFC 9110 §5.6.4).
fn quoted(value: &str) -> String {
  let mut out = String::with_capacity(value.len() + 2);
  out.push('"');
  for c in value.chars() {
    if c == '"' || c == '\\' {
      out.push('\\');
    }
    out.push(c);
  }
  out.push('"');
  out
}

/// The precomputed failure responses.
struct Responses {
  missing: (String, String),
  expired: (String, String),
  invalid: (String, String),
  internal: (String, String),
  unavailable_body: String,
  retry_after: String,
}

impl Responses {
  fn new(config: &ProviderConfig) -> Self {
    let challenge = format!("Bearer resource_metadata={}", quoted(&config.resource_metadata_url()));
    let body = |error: &str, description: &str| {
      serde_json::json!({ "error": error, "error_description": description }).to_string()
    };
    let invalid_challenge = format!("{challenge}, error={}", quoted("invalid_token"));
    Responses {
      missing: (body("unauthorized", "Missing or invalid bearer token"), challenge.clone()),
      expired: (
        body("token_expired", "Access token has expired. Please refresh your token."),
        format!("{invalid_challenge}, error_description={}", quoted("Token has expired")),
      ),
      invalid: (body("invalid_token", "Token verification failed"), invalid_challenge.clone()),
      internal: (body("server_error", "Authentication processing failed"), invalid_challenge),
      unavailable_body: body(
        "server_error",
        "The authorization server's signing keys are unavailable, so the access token cannot be verified right now. Retry later.",
      ),
      retry_after: COLD_RETRY.as_secs().max(1).to_string(),
    }
  }

  fn unauthorized(&self, (body, challenge): &(String, String), reason: &str) -> AuthOutcome {
    let headers = HashMap::from([
      ("WWW-Authenticate".to_string(), challenge.clone()),
      ("Cache-Control".to_string(), "no-store".to_string()),
    ]);
    AuthOutcome {
      status: 401,
      session: None,
      body: Some(body.clone()),
      headers: Some(headers),
      reason: Some(reason.into()),
    }
  }

  fn unavailable(&self) -> AuthOutcome {
    let headers = HashMap::from([
      ("Retry-After".to_string(), self.retry_after.clone()),
      ("Cache-Control".to_string(), "no-store".to_string()),
    ]);
    AuthOutcome {
      status: 503,
      session: None,
      body: Some(self.unavailable_body.clone()),
      headers: Some(headers),
      reason: Some("jwks_unavailable".into()),
    }
  }

  fn internal(&self) -> AuthOutcome {
    self.unauthorized(&self.internal, "internal_error")
  }

  fn for_result(&self, result: Verified) -> AuthOutcome {
    match result {
      Ok(claims) => AuthOutcome {
        status: 200,
        session: Some(session_data(&claims)),
        body: None,
        headers: None,
        reason: None,
      },
      Err(Rejection::Expired) => self.unauthorized(&self.expired, "expired"),
      Err(Rejection::Invalid(reason)) => self.unauthorized(&self.invalid, reason),
      Err(Rejection::Unavailable) => self.unavailable(),
    }
  }
}

fn session_data(v: &VerifiedClaims) -> SessionData {
  SessionData {
    user_id: v.sub.clone(),
    session_id: v.sid.clone(),
    organization_id: v.org_id.clone(),
    role: v.role.clone(),
    permissions: v.permissions.clone(),
    expires_at_ms: v.exp * 1000.0,
    issued_at_ms: v.iat.map(|iat| iat * 1000.0),
    claims_json: v.payload.to_string(),
  }
}

struct ProviderCore {
  verifier: Verifier,
  responses: Responses,
  metadata: Arc<AuthorizationServerMetadata>,
  api: Arc<WorkOsApi>,
  router: (String, String, String),
  guard: Guard,
}

impl ProviderCore {
  async fn authenticate(&self, authorization: Option<String>) -> AuthOutcome {
    let Some(token) = bearer_token(authorization.as_deref()) else {
      return self.responses.unauthorized(&self.responses.missing, "missing_token");
    };
    self
      .responses
      .for_result(self.verifier.verify_access_token(token).await)
  }

  fn authenticate_cached(&self, authorization: Option<&str>) -> Option<AuthOutcome> {
    let Some(token) = bearer_token(authorization) else {
      return Some(self.responses.unauthorized(&self.responses.missing, "missing_token"));
    };
    self
      .verifier
      .verify_cached(token)
      .map(|result| self.responses.for_result(result))
  }
}

/// One `workosProvider()` instance.
#[napi(js_name = "NativeProvider")]
pub struct NativeProvider {
  core: Arc<ProviderCore>,
}

#[napi]
impl NativeProvider {
  /// Validates `config` (throws the original's messages) and prepares the caches. No network yet.
  #[napi(constructor)]
  pub fn new(config: Value) -> napi::Result<Self> {
    let config = ProviderConfig::from_json(&config, |name| std::env::var(name).ok())?;
    let metadata = AuthorizationServerMetadata::new(&config, config.metadata_max_age, Duration::from_secs(5));
    let api = WorkOsApi::new(&config.api_key, config.api.clone()).map_err(napi::Error::from_reason)?;
    let tokens = TokenCache::new(config.token_cache, LEEWAY_SECONDS);
    let on_new_keys = tokens
      .clone()
      .map(|tokens| -> OnNewKeys { Box::new(move |keys| tokens.retain_published(|key| keys.has_fingerprint(key))) });
    let verifier = Verifier {
      issuer: config.authkit_url.clone(),
      audiences: config.audiences.clone(),
      jwks: JwksCache::new(config.jwks_url(), config.jwks, on_new_keys),
      tokens,
    };
    if config.jwks.warm_up {
      // The first request should not pay for the download. Failures are kept like any fetch's.
      let jwks = verifier.jwks.clone();
      napi::bindgen_prelude::spawn(async move { jwks.warm_up().await });
    }
    let router = (
      protected_resource_document(&config, &config.base_url),
      protected_resource_document(&config, &config.resource_url()),
      config.endpoint.clone(),
    );
    let core = ProviderCore {
      guard: Guard::new(&config),
      responses: Responses::new(&config),
      verifier,
      metadata,
      api: Arc::new(api),
      router,
    };
    Ok(NativeProvider { core: Arc::new(core) })
  }

  /// The router's paths and static documents.
  #[napi(getter)]
  pub fn router_info(&self) -> RouterInfo {
    let (root, suffixed, endpoint) = &self.core.router;
    RouterInfo {
      protected_resource_path: PROTECTED_RESOURCE_PATH.to_string(),
      resource_metadata_path: format!("{PROTECTED_RESOURCE_PATH}{endpoint}"),
      authorization_server_path: AUTHORIZATION_SERVER_PATH.to_string(),
      endpoint: endpoint.clone(),
      protected_resource_document: root.clone(),
      resource_metadata_document: suffixed.clone(),
    }
  }

  /// Whether the middleware guards a `method` request for `path` (Express `req.path`); see
  /// `src/guard.rs` for the rule.
  #[napi]
  pub fn is_guarded(&self, method: String, path: String) -> bool {
    self.core.guard.guards(&method, &path)
  }

  /// Decides a request from its `Authorization` header without waiting for the network. Returns
  /// `null` when the answer needs the JWKS fetched; then call `authenticate`.
  #[napi]
  pub fn authenticate_sync(&self, authorization: Option<String>) -> Option<AuthOutcome> {
    let core = &self.core;
    catch_unwind(AssertUnwindSafe(|| core.authenticate_cached(authorization.as_deref()))).unwrap_or_else(|_| {
      note_internal_failure("authenticateSync");
      Some(core.responses.internal())
    })
  }

  /// Decides a request from its `Authorization` header, fetching AuthKit's keys when needed.
  #[napi]
  pub async fn authenticate(&self, authorization: Option<String>) -> AuthOutcome {
    let core = self.core.clone();
    match tokio::spawn(async move { core.authenticate(authorization).await }).await {
      Ok(outcome) => outcome,
      Err(_) => {
        note_internal_failure("authenticate");
        self.core.responses.internal()
      }
    }
  }

  /// AuthKit's RFC 8414 document (cached), or the static fallback when it was never obtained.
  #[napi]
  pub async fn authorization_server_document(&self) -> String {
    let metadata = self.core.metadata.clone();
    let fallback_metadata = self.core.metadata.clone();
    match tokio::spawn(async move { metadata.document().await }).await {
      Ok(doc) => doc,
      Err(_) => {
        note_internal_failure("authorizationServerDocument");
        fallback_metadata.fallback_document()
      }
    }
  }

  /// Fetches the JWKS now (optional start-up warm-up). Resolves when done, whatever the result.
  #[napi]
  pub async fn warm_up(&self) {
    let jwks = self.core.verifier.jwks.clone();
    let _ = tokio::spawn(async move { jwks.warm_up().await }).await;
  }

  /// How many verified tokens are cached now (diagnostics, tests and benchmarks).
  #[napi(getter)]
  pub fn token_cache_size(&self) -> u32 {
    self.core.verifier.tokens.as_ref().map_or(0, |t| t.len() as u32)
  }

  /// The WorkOS API client configured for this provider (`getClient()`).
  #[napi]
  pub fn client(&self) -> NativeWorkOS {
    NativeWorkOS {
      api: self.core.api.clone(),
    }
  }
}
