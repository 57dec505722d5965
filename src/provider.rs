//! The native half of `workosProvider()`: one per provider, holding its config, key cache, metadata
//! cache and WorkOS client.
//!
//! The glue decides in JavaScript which requests are guarded (the rule of `guard.rs`, handed over
//! once as data), and answers repeated headers from its own small cache. For the others it makes
//! one call, `authenticateSync(header)`, and gets back either a string (the verified session, see
//! `jwt/session.rs`) or a small number: the index of a rejection whose complete answer it built
//! once at start-up from `routerInfo.rejections`. Only `PENDING` (the keys must be downloaded first)
//! sends it to the async `authenticate(header)`, which answers the same way.
//!
//! One answer has a part that changes: the `Retry-After` of "retry later" for a token whose key we
//! may not download yet ([`Rejection::KeyPending`]). It crosses as a code of its own range,
//! `RETRY_AFTER_CODES + seconds`, and the glue builds that answer from the `key_pending` template
//! (code [`KEY_PENDING`]) the first time it sees a given number of seconds. The hot path is
//! untouched: codes below the range index the table as before.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::Either;
use napi_derive::napi;
use serde_json::Value;

use crate::authz::directory::Directory;
use crate::authz::{Authorizer, Decision, Target};
use crate::config::{ProviderConfig, AUTHORIZATION_SERVER_PATH, PROTECTED_RESOURCE_PATH};
use crate::connect::Exchanger;
use crate::error::{guarded, guarded_async};
use crate::guard::Guard;
use crate::jwt::bearer::bearer_token;
use crate::jwt::jwks::{JwksCache, OnNewKeys};
use crate::jwt::token_cache::TokenCache;
use crate::jwt::verify::{Verified, VerifiedToken, Verifier, LEEWAY_SECONDS};
use crate::jwt::{Reason, Rejection, MAX_RETRY_AFTER};
use crate::metadata::{protected_resource_document, AuthorizationServerMetadata};
use crate::refresher::COLD_RETRY;
use crate::workos::{NativeWorkOS, WorkOsApi};

/// What `authenticateSync` returns when only a JWKS download can decide: call `authenticate`.
pub const PENDING: u32 = 0;
const MISSING_TOKEN: u32 = 1;
const EXPIRED: u32 = 2;
const UNAVAILABLE: u32 = 3;
const INTERNAL: u32 = 4;
/// The template of the `key_pending` answers (503, `Retry-After`); never returned itself: the
/// verdicts are `RETRY_AFTER_CODES + seconds`.
const KEY_PENDING: u32 = 5;
/// Codes from here on are `invalid_token` rejections, one per [`Reason`], in [`Reason::ALL`] order.
const FIRST_INVALID: u32 = 6;
/// `RETRY_AFTER_CODES + s` is the `key_pending` answer with `Retry-After: s` (1 ≤ s ≤
/// [`MAX_RETRY_AFTER`]); the glue reads it from `routerInfo.retryAfterCodes`.
pub const RETRY_AFTER_CODES: u32 = 0x10000;

/// A verdict as it crosses: the session reply, or a rejection code.
pub type Verdict = Either<String, u32>;

/// The answer of an entry point whose work panicked (see `error::guarded`).
fn internal() -> Verdict {
  Either::B(INTERNAL)
}

fn verdict(result: Verified) -> Verdict {
  match result {
    Ok(token) => Either::A(token.reply.to_string()),
    Err(rejection) => Either::B(code(rejection)),
  }
}

fn code(rejection: Rejection) -> u32 {
  match rejection {
    Rejection::Expired => EXPIRED,
    Rejection::Unavailable => UNAVAILABLE,
    Rejection::KeyPending { retry_after } => RETRY_AFTER_CODES + retry_after.clamp(1, MAX_RETRY_AFTER),
    Rejection::Invalid(reason) => {
      let index = Reason::ALL.iter().position(|r| *r == reason).unwrap_or_default();
      FIRST_INVALID + index as u32
    }
  }
}

/// The complete answer to one kind of refused request, built once.
#[napi(object)]
#[derive(Clone)]
pub struct Rejected {
  /// For logs and tests, never sent to the client: `missing_token`, `expired`, `jwks_unavailable`,
  /// `internal_error` or the reason the token is invalid (`pending` for code 0, which is not an
  /// answer).
  pub reason: String,
  pub status: u32,
  /// JSON body.
  pub body: String,
  pub headers: HashMap<String, String>,
}

/// Which requests the middleware guards, as data for the glue's copy of `guard.rs`'s rule.
#[napi(object)]
pub struct GuardRule {
  /// The endpoint, lower-cased.
  pub endpoint: String,
  /// The discovery document paths, lower-cased, without a trailing slash.
  pub documents: Vec<String>,
}

/// The paths, documents and answers of one provider, computed once.
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
  pub guard: GuardRule,
  /// The answer for each rejection code `authenticate` returns (index = code; 0 is `PENDING`).
  pub rejections: Vec<Rejected>,
  /// Whether policies (`tools`, `prompts`, `resources`) are configured: only then does the glue
  /// look at what a message runs.
  pub policies: bool,
  /// Codes from here on are the `key_pending` answer with `Retry-After: code - retryAfterCodes`
  /// seconds (the glue builds each from the `key_pending` template).
  pub retry_after_codes: u32,
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

/// Every rejection's answer, by code: the original's bodies and challenges, `no-store` on all. With
/// tool policies whose `"*"` entry needs scopes, the challenges name them (`scope="…"`), so that a
/// client first asks only for what every tool needs.
fn rejections(config: &ProviderConfig) -> Vec<Rejected> {
  let mut challenge = format!("Bearer resource_metadata={}", quoted(&config.resource_metadata_url()));
  let baseline = config
    .scope_hierarchy
    .narrowest(config.policies.tools.baseline_scopes());
  if !baseline.is_empty() {
    challenge.push_str(&format!(", scope={}", quoted(&baseline.join(" "))));
  }
  let invalid_challenge = format!("{challenge}, error={}", quoted("invalid_token"));
  let body = |error: &str, description: &str| {
    serde_json::json!({ "error": error, "error_description": description }).to_string()
  };
  let unauthorized = |reason: &str, body: String, challenge: &str| Rejected {
    reason: reason.to_string(),
    status: 401,
    body,
    headers: HashMap::from([
      ("WWW-Authenticate".to_string(), challenge.to_string()),
      ("Cache-Control".to_string(), "no-store".to_string()),
    ]),
  };
  let invalid_body = body("invalid_token", "Token verification failed");
  let mut all = vec![
    Rejected {
      reason: "pending".into(),
      status: 0,
      body: String::new(),
      headers: HashMap::new(),
    },
    unauthorized(
      "missing_token",
      body("unauthorized", "Missing or invalid bearer token"),
      &challenge,
    ),
    unauthorized(
      "expired",
      body("token_expired", "Access token has expired. Please refresh your token."),
      &format!("{invalid_challenge}, error_description={}", quoted("Token has expired")),
    ),
    Rejected {
      reason: "jwks_unavailable".into(),
      status: 503,
      body: body(
        "server_error",
        "The authorization server's signing keys are unavailable, so the access token cannot be verified right now. Retry later.",
      ),
      headers: HashMap::from([
        ("Retry-After".to_string(), COLD_RETRY.as_secs().max(1).to_string()),
        ("Cache-Control".to_string(), "no-store".to_string()),
      ]),
    },
    unauthorized(
      "internal_error",
      body("server_error", "Authentication processing failed"),
      &invalid_challenge,
    ),
    // A 503, not a 401: the token may be signed by a key AuthKit published after our last download;
    // we do not know that it is bad, and a 401 would send the client into a login that gets the
    // same answer. The glue puts the actual seconds in `Retry-After`.
    Rejected {
      reason: "key_pending".into(),
      status: 503,
      body: body(
        "server_error",
        "The access token is signed by a key this server has not downloaded yet. Retry after the time in Retry-After.",
      ),
      headers: HashMap::from([
        ("Retry-After".to_string(), config.jwks.cooldown.as_secs().max(1).to_string()),
        ("Cache-Control".to_string(), "no-store".to_string()),
      ]),
    },
  ];
  all.extend(
    Reason::ALL
      .iter()
      .map(|reason| unauthorized(reason.as_str(), invalid_body.clone(), &invalid_challenge)),
  );
  debug_assert_eq!(all[KEY_PENDING as usize].reason, "key_pending");
  debug_assert_eq!(all.len(), FIRST_INVALID as usize + Reason::ALL.len());
  all
}

/// The decision on a message's `tools/call`s, as the glue acts on it (JSON): `{"allow":true}`, the
/// complete 403 step-up answer `{"status","headers","body"}`, or `{"denied":[message or null per
/// call]}`.
fn decision_json(decision: Decision, resource_metadata_url: &str) -> String {
  match decision {
    Decision::Allow => r#"{"allow":true}"#.to_string(),
    Decision::Denied(denials) => serde_json::json!({ "denied": denials }).to_string(),
    Decision::InsufficientScope(scopes) => {
      let scope = scopes.join(" ");
      let description = format!("This request needs the scopes: {scope}");
      let challenge = format!(
        "Bearer error=\"insufficient_scope\", scope={}, resource_metadata={}, error_description={}",
        quoted(&scope),
        quoted(resource_metadata_url),
        quoted(&description)
      );
      serde_json::json!({
        "status": 403,
        "headers": { "WWW-Authenticate": challenge, "Cache-Control": "no-store" },
        "body": serde_json::json!({ "error": "insufficient_scope", "error_description": description }).to_string(),
      })
      .to_string()
    }
  }
}

struct ProviderCore {
  verifier: Verifier,
  authorizer: Authorizer,
  exchanger: Exchanger,
  resource_metadata_url: String,
  metadata: Arc<AuthorizationServerMetadata>,
  api: Arc<WorkOsApi>,
  router: (String, String, String),
  guard: Guard,
  rejections: Vec<Rejected>,
}

impl ProviderCore {
  async fn authenticate(&self, authorization: Option<String>) -> Verdict {
    match bearer_token(authorization.as_deref()) {
      None => Either::B(MISSING_TOKEN),
      Some(token) => verdict(self.verifier.verify_access_token(token).await),
    }
  }

  fn authenticate_cached(&self, authorization: Option<&str>) -> Verdict {
    match bearer_token(authorization) {
      None => Either::B(MISSING_TOKEN),
      Some(token) => self.verifier.verify_cached(token).map_or(Either::B(PENDING), verdict),
    }
  }

  /// The verified token of `authorization` without waiting, `Err(code)` otherwise.
  fn token_now(&self, authorization: Option<&str>) -> Result<Arc<VerifiedToken>, u32> {
    let token = bearer_token(authorization).ok_or(MISSING_TOKEN)?;
    match self.verifier.verify_cached(token) {
      None => Err(PENDING),
      Some(result) => result.map_err(code),
    }
  }

  async fn token(&self, authorization: Option<&str>) -> Result<Arc<VerifiedToken>, u32> {
    let token = bearer_token(authorization).ok_or(MISSING_TOKEN)?;
    self.verifier.verify_access_token(token).await.map_err(code)
  }

  fn authorize_now(&self, authorization: Option<&str>, targets: &[String]) -> Verdict {
    let targets: Vec<Target> = targets.iter().map(|t| Target::parse(t)).collect();
    match self.token_now(authorization) {
      Err(code) => Either::B(code),
      Ok(token) => match self.authorizer.decide_now(&token.grants, &targets) {
        None => Either::B(PENDING),
        Some(decision) => Either::A(decision_json(decision, &self.resource_metadata_url)),
      },
    }
  }

  async fn authorize(&self, authorization: Option<&str>, targets: &[String]) -> Verdict {
    let targets: Vec<Target> = targets.iter().map(|t| Target::parse(t)).collect();
    match self.token(authorization).await {
      Err(code) => Either::B(code),
      Ok(token) => {
        let decision = self.authorizer.decide(&token.grants, &targets).await;
        Either::A(decision_json(decision, &self.resource_metadata_url))
      }
    }
  }

  /// A token for `resource` in exchange for the caller's (see `connect.rs`): its JSON, or
  /// `{"error":…}`; a rejection code when the caller's token is no longer accepted.
  async fn exchange(&self, authorization: Option<&str>, resource: &str, scope: Option<&str>) -> Verdict {
    let token = match self.token(authorization).await {
      Err(code) => return Either::B(code),
      Ok(token) => token,
    };
    let subject = bearer_token(authorization).unwrap_or_default();
    Either::A(
      match self.exchanger.exchange(subject, token.exp, resource, scope).await {
        Ok(exchanged) => exchanged.to_json(),
        Err(error) => error.to_json(),
      },
    )
  }

  async fn grants(&self, authorization: Option<&str>) -> Verdict {
    match self.token(authorization).await {
      Err(code) => Either::B(code),
      Ok(token) => Either::A(match self.authorizer.grants(&token.grants).await {
        Ok(resolved) => serde_json::to_string(&resolved).unwrap_or_default(),
        Err(reason) => serde_json::json!({ "error": reason }).to_string(),
      }),
    }
  }
}

/// One `workosProvider()` instance.
#[napi(js_name = "NativeProvider")]
pub struct NativeProvider {
  core: Arc<ProviderCore>,
}

#[napi]
impl NativeProvider {
  /// Validates `config` (throws the original's messages) and prepares the caches. With
  /// `jwks.warmUp` (the default) the download of AuthKit's keys starts here, in the background.
  #[napi(constructor, ts_args_type = "config: ProviderOptions")]
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
      resource: config.resource_url(),
      machines: config.machine_tokens.clone(),
      jwks: JwksCache::new(config.jwks_url(), config.jwks, on_new_keys),
      tokens,
      scope_hierarchy: config.scope_hierarchy.clone(),
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
    let api = Arc::new(api);
    let core = ProviderCore {
      guard: Guard::new(&config),
      rejections: rejections(&config),
      authorizer: Authorizer::new(
        config.policies.clone(),
        config.scope_hierarchy.clone(),
        Directory::new(api.clone(), config.permission_cache),
      ),
      resource_metadata_url: config.resource_metadata_url(),
      exchanger: Exchanger::new(&config.authkit_url, config.connect.clone()),
      verifier,
      metadata,
      api,
      router,
    };
    Ok(NativeProvider { core: Arc::new(core) })
  }

  /// The router's paths and static documents, the guard rule and the rejection answers.
  #[napi(getter)]
  pub fn router_info(&self) -> RouterInfo {
    let (root, suffixed, endpoint) = &self.core.router;
    let (guard_endpoint, documents) = self.core.guard.rule();
    RouterInfo {
      protected_resource_path: PROTECTED_RESOURCE_PATH.to_string(),
      resource_metadata_path: format!("{PROTECTED_RESOURCE_PATH}{endpoint}"),
      authorization_server_path: AUTHORIZATION_SERVER_PATH.to_string(),
      endpoint: endpoint.clone(),
      protected_resource_document: root.clone(),
      resource_metadata_document: suffixed.clone(),
      guard: GuardRule {
        endpoint: guard_endpoint.to_string(),
        documents: documents.to_vec(),
      },
      rejections: self.core.rejections.clone(),
      policies: !self.core.authorizer.policies.is_empty(),
      retry_after_codes: RETRY_AFTER_CODES,
    }
  }

  /// Whether the middleware guards a `method` request for `path` (Express `req.path`); see
  /// `src/guard.rs`. The glue applies the same rule in JavaScript; this is the reference the tests
  /// compare it with.
  #[napi]
  pub fn is_guarded(&self, method: String, path: String) -> bool {
    self.core.guard.guards(&method, &path)
  }

  /// Judges a request from its `Authorization` header without waiting for the network: the session
  /// reply (a string) or a rejection code; `PENDING` (0) when the keys must be downloaded first.
  #[napi(ts_return_type = "string | number")]
  pub fn authenticate_sync(&self, authorization: Option<String>) -> Verdict {
    guarded("authenticateSync", internal, || {
      self.core.authenticate_cached(authorization.as_deref())
    })
  }

  /// Judges a request from its `Authorization` header, downloading AuthKit's keys when needed; never
  /// `PENDING`.
  #[napi(ts_return_type = "Promise<string | number>")]
  pub async fn authenticate(&self, authorization: Option<String>) -> Verdict {
    let core = self.core.clone();
    guarded_async("authenticate", internal, async move {
      core.authenticate(authorization).await
    })
    .await
  }

  /// Decides what the requests of one message run (their targets, in order: `t<tool>`, `p<prompt>`,
  /// `r<resource URI>`, `u<tool>\0<URI>` for a tool's interface; see `authz::Target`) for the caller
  /// of `authorization` without waiting: the decision (JSON, see `decision_json`), a rejection code when
  /// the token is no longer accepted, or `PENDING` when keys or roles must be fetched first.
  #[napi(ts_return_type = "string | number")]
  pub fn authorize_sync(&self, authorization: Option<String>, tools: Vec<String>) -> Verdict {
    guarded("authorizeSync", internal, || {
      self.core.authorize_now(authorization.as_deref(), &tools)
    })
  }

  /// [`NativeProvider::authorize_sync`], fetching keys and reading roles and permissions from WorkOS
  /// when needed; never `PENDING`.
  #[napi(ts_return_type = "Promise<string | number>")]
  pub async fn authorize(&self, authorization: Option<String>, tools: Vec<String>) -> Verdict {
    let core = self.core.clone();
    let work = async move { core.authorize(authorization.as_deref(), &tools).await };
    guarded_async("authorize", internal, work).await
  }

  /// The caller's roles and permissions (`{"roles":[…],"permissions":[…]}`, or `{"error":"…"}` when
  /// WorkOS could not be read), or a rejection code.
  #[napi(ts_return_type = "Promise<string | number>")]
  pub async fn grants(&self, authorization: Option<String>) -> Verdict {
    let core = self.core.clone();
    guarded_async("grants", internal, async move {
      core.grants(authorization.as_deref()).await
    })
    .await
  }

  /// Exchanges the caller's token for one issued for `resource` (RFC 8693 through WorkOS Connect):
  /// `{"accessToken","expiresAtMs","scope"}`, or `{"error":{kind,error,description,status}}`, or a
  /// rejection code when the caller's token is no longer accepted.
  #[napi(ts_return_type = "Promise<string | number>")]
  pub async fn exchange_token(
    &self,
    authorization: Option<String>,
    resource: String,
    scope: Option<String>,
  ) -> Verdict {
    let core = self.core.clone();
    let work = async move {
      core
        .exchange(authorization.as_deref(), &resource, scope.as_deref())
        .await
    };
    guarded_async("exchangeToken", internal, work).await
  }

  /// AuthKit's RFC 8414 document (cached), or the static fallback when it was never obtained.
  #[napi]
  pub async fn authorization_server_document(&self) -> String {
    let (metadata, fallback) = (self.core.metadata.clone(), self.core.metadata.clone());
    let work = async move { metadata.document().await };
    guarded_async(
      "authorizationServerDocument",
      move || fallback.fallback_document(),
      work,
    )
    .await
  }

  /// Fetches the JWKS now (optional start-up warm-up). Resolves when done, whatever the result.
  #[napi]
  pub async fn warm_up(&self) {
    let jwks = self.core.verifier.jwks.clone();
    guarded_async("warmUp", || (), async move { jwks.warm_up().await }).await
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

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn every_code_has_its_answer() {
    let config = ProviderConfig::from_json(
      &serde_json::json!({"apiKey": "k", "clientId": "c", "baseURL": "https://mcp.example", "authkitDomain": "acme.authkit.app"}),
      |_| None,
    )
    .unwrap();
    let all = rejections(&config);
    assert_eq!(all.len(), FIRST_INVALID as usize + Reason::ALL.len());
    assert_eq!(all[MISSING_TOKEN as usize].reason, "missing_token");
    assert_eq!(all[EXPIRED as usize].reason, "expired");
    assert_eq!(all[UNAVAILABLE as usize].status, 503);
    assert_eq!(all[INTERNAL as usize].reason, "internal_error");
    assert_eq!(
      (
        all[KEY_PENDING as usize].reason.as_str(),
        all[KEY_PENDING as usize].status
      ),
      ("key_pending", 503)
    );
    assert_eq!(code(Rejection::KeyPending { retry_after: 7 }), RETRY_AFTER_CODES + 7);
    assert_eq!(code(Rejection::KeyPending { retry_after: 0 }), RETRY_AFTER_CODES + 1);
    assert!(RETRY_AFTER_CODES as usize > all.len());
    for reason in Reason::ALL {
      let rejected = &all[code(Rejection::Invalid(*reason)) as usize];
      assert_eq!((rejected.reason.as_str(), rejected.status), (reason.as_str(), 401));
    }
  }
}
