//! The discovery documents: RFC 9728 protected-resource metadata (ours, computed once) and RFC 8414
//! authorization-server metadata (AuthKit's, passed through and cached).

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::config::ProviderConfig;
use crate::http;
use crate::refresher::{Refresher, Snapshot, COLD_RETRY};

/// RFC 9728 §2, with the original's members in the original's order.
#[derive(Serialize)]
struct ProtectedResourceMetadata<'a> {
  resource: &'a str,
  authorization_servers: [&'a str; 1],
  bearer_methods_supported: [&'static str; 1],
  #[serde(skip_serializing_if = "Option::is_none")]
  resource_documentation: Option<&'a str>,
  #[serde(skip_serializing_if = "<[String]>::is_empty")]
  scopes_supported: &'a [String],
}

/// The protected-resource document whose `resource` is `resource` (the root document uses
/// `baseURL`, the endpoint-suffixed one the MCP endpoint URL).
pub fn protected_resource_document(config: &ProviderConfig, resource: &str) -> String {
  let scopes = config.scopes_supported();
  let doc = ProtectedResourceMetadata {
    resource,
    authorization_servers: [&config.authkit_url],
    bearer_methods_supported: ["header"],
    resource_documentation: config.docs_url.as_deref(),
    scopes_supported: &scopes,
  };
  serde_json::to_string(&doc).unwrap_or_default()
}

/// The original's static RFC 8414 document, served when AuthKit's was never obtained.
#[derive(Serialize)]
struct FallbackAuthorizationServerMetadata<'a> {
  issuer: &'a str,
  authorization_endpoint: String,
  token_endpoint: String,
  jwks_uri: String,
  response_types_supported: [&'static str; 1],
  grant_types_supported: [&'static str; 2],
  code_challenge_methods_supported: [&'static str; 1],
  token_endpoint_auth_methods_supported: [&'static str; 2],
  scopes_supported: [&'static str; 4],
}

pub fn fallback_authorization_server_document(authkit_url: &str) -> String {
  let doc = FallbackAuthorizationServerMetadata {
    issuer: authkit_url,
    authorization_endpoint: format!("{authkit_url}/oauth2/authorize"),
    token_endpoint: format!("{authkit_url}/oauth2/token"),
    jwks_uri: format!("{authkit_url}/oauth2/jwks"),
    response_types_supported: ["code"],
    grant_types_supported: ["authorization_code", "refresh_token"],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: ["none", "client_secret_post"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
  };
  serde_json::to_string(&doc).unwrap_or_default()
}

/// AuthKit's RFC 8414 document, cached. Fresh for `max_age`; once stale it is still served while a
/// background refresh runs; after a failure it is served as long as nothing better is known. Only
/// when no document was ever obtained does the static fallback answer.
pub struct AuthorizationServerMetadata {
  url: String,
  fallback: String,
  max_age: Duration,
  timeout: Duration,
  cell: Refresher<String>,
}

/// After a failed fetch, the next one waits this long (the stale copy or fallback answers meanwhile).
const FAILURE_COOLDOWN: Duration = Duration::from_secs(30);

impl AuthorizationServerMetadata {
  pub fn new(config: &ProviderConfig, max_age: Duration, timeout: Duration) -> Arc<Self> {
    Arc::new(AuthorizationServerMetadata {
      url: config.authorization_server_metadata_url(),
      fallback: fallback_authorization_server_document(&config.authkit_url),
      max_age,
      timeout,
      cell: Refresher::default(),
    })
  }

  pub fn fallback_document(&self) -> String {
    self.fallback.clone()
  }

  /// The document to serve now. Waits for the network (at most the timeout) only when nothing was
  /// ever fetched.
  pub async fn document(self: &Arc<Self>) -> String {
    let snap = self.cell.snapshot();
    let now = Instant::now();
    if let Some(doc) = &snap.value {
      let retry_after = if snap.last_error.is_some() {
        FAILURE_COOLDOWN
      } else {
        Duration::ZERO
      };
      if snap.is_stale(self.max_age, now) && snap.attempt_allowed(retry_after, now) && !self.cell.is_fetching() {
        let (this, seen) = (self.clone(), snap.generation);
        tokio::spawn(async move {
          this.fetch(seen, true).await;
        });
      }
      return doc.as_ref().clone();
    }
    let may_fetch = snap.retry_allowed(COLD_RETRY, now);
    let snap = self.fetch(snap.generation, may_fetch).await;
    snap
      .value
      .map(|doc| doc.as_ref().clone())
      .unwrap_or_else(|| self.fallback.clone())
  }

  async fn fetch(&self, seen: u64, may_fetch: bool) -> Snapshot<String> {
    let (url, timeout) = (self.url.as_str(), self.timeout);
    self
      .cell
      .refresh(seen, may_fetch, |_| async move {
        let body = http::get_json_document(url, timeout).await?;
        String::from_utf8(body)
          .map(Arc::new)
          .map_err(|_| http::FetchError::NotJson("not UTF-8".into()))
      })
      .await
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  #[test]
  fn documents_have_the_original_members() {
    let cfg = ProviderConfig::from_json(
      &json!({"apiKey": "k", "clientId": "c", "baseURL": "https://mcp.example", "authkitDomain": "acme.authkit.app"}),
      |_| None,
    )
    .unwrap();
    assert_eq!(
      protected_resource_document(&cfg, &cfg.base_url),
      r#"{"resource":"https://mcp.example","authorization_servers":["https://acme.authkit.app"],"bearer_methods_supported":["header"]}"#
    );
    let with_scopes = ProviderConfig::from_json(
      &json!({"apiKey": "k", "clientId": "c", "baseURL": "https://mcp.example", "authkitDomain": "acme.authkit.app",
              "scopes": ["mcp", "files:read"], "tools": {"*": {"scopes": ["mcp"]}}}),
      |_| None,
    )
    .unwrap();
    assert!(protected_resource_document(&with_scopes, "r").ends_with(r#""scopes_supported":["mcp","files:read"]}"#));
    let fallback: serde_json::Value =
      serde_json::from_str(&fallback_authorization_server_document(&cfg.authkit_url)).unwrap();
    assert_eq!(fallback["token_endpoint"], "https://acme.authkit.app/oauth2/token");
    assert_eq!(
      fallback["scopes_supported"],
      json!(["openid", "profile", "email", "offline_access"])
    );
  }
}
