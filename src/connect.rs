//! WorkOS Connect token exchange (RFC 8693): the MCP server trades the caller's access token for one
//! issued for a downstream API, as its own first-party Connect application, so the user's token is
//! never passed through to another service (MCP authorization, token passthrough).
//!
//! The request goes to AuthKit's token endpoint with the application's credentials in the body
//! (`client_secret_post`, as WorkOS Connect authenticates its token endpoint). Results are cached per
//! (subject token, resource, scope) until shortly before they expire, never past the subject token's
//! own expiry, with single flight. Refusals are never cached.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use serde::{Deserialize, Serialize};

use crate::http;
use crate::jwt::token_cache::{token_digest, TokenDigest};
use crate::jwt::verify::unix_now;
use crate::memo::{CachePolicy, Memo};
use crate::options::ConnectOptions;

const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
/// Attempts at most (network failures, 429 and 5xx are tried again).
const ATTEMPTS: u32 = 3;
/// One attempt, connect to body.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// A cached token is used until this long before it expires (or half its life, if shorter).
const EXPIRY_MARGIN: f64 = 30.0;
/// At most this many exchanged tokens are cached.
const MAX_ENTRIES: usize = 1000;
/// Token endpoint answers are small; anything bigger is not one.
const BODY_LIMIT: usize = 256 * 1024;

/// An exchanged token.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exchanged {
  #[serde(skip)]
  access_token: String,
  /// When the exchanged token expires (Unix ms).
  expires_at_ms: f64,
  /// The granted scope, when AuthKit says (or the one asked for).
  #[serde(skip_serializing_if = "Option::is_none")]
  scope: Option<String>,
  /// Until when the cache may hand it out (Unix s).
  #[serde(skip)]
  reusable_until: f64,
}

impl Exchanged {
  /// The glue's view: the token itself, its expiry and scope (JSON).
  pub fn to_json(&self) -> String {
    serde_json::json!({
      "accessToken": self.access_token,
      "expiresAtMs": self.expires_at_ms,
      "scope": self.scope,
    })
    .to_string()
  }
}

/// Why no token was exchanged (the glue throws `TokenExchangeError` with these members).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExchangeError {
  /// `not_configured`, `invalid_argument`, `refused` or `unreachable`.
  pub kind: &'static str,
  /// AuthKit's `error` (`invalid_grant`, `invalid_target`, `unauthorized_client`, …), for `refused`.
  #[serde(skip_serializing_if = "Option::is_none")]
  pub error: Option<String>,
  /// AuthKit's `error_description`, or what failed.
  pub description: String,
  /// The HTTP status of AuthKit's answer, when there was one.
  #[serde(skip_serializing_if = "Option::is_none")]
  pub status: Option<u16>,
}

impl ExchangeError {
  fn new(kind: &'static str, description: impl Into<String>) -> Self {
    ExchangeError {
      kind,
      error: None,
      description: description.into(),
      status: None,
    }
  }

  pub fn to_json(&self) -> String {
    serde_json::json!({ "error": self }).to_string()
  }
}

#[derive(Deserialize)]
struct TokenAnswer {
  access_token: String,
  #[serde(default)]
  expires_in: Option<f64>,
  #[serde(default)]
  scope: Option<String>,
}

#[derive(Deserialize, Default)]
struct ErrorAnswer {
  #[serde(default)]
  error: Option<String>,
  #[serde(default)]
  error_description: Option<String>,
}

type Key = (TokenDigest, String, Option<String>);

/// Token exchange for one provider.
pub struct Exchanger {
  token_url: String,
  app: Option<ConnectOptions>,
  cache: Memo<Key, Exchanged, ExchangeError>,
}

impl Exchanger {
  pub fn new(authkit_url: &str, app: Option<ConnectOptions>) -> Self {
    Exchanger {
      token_url: format!("{authkit_url}/oauth2/token"),
      app,
      cache: Memo::new(CachePolicy {
        max_age: Duration::from_secs(24 * 3600),
        max_entries: MAX_ENTRIES,
      }),
    }
  }

  /// A token for `resource` (and `scope`, when given) in exchange for `subject`, which expires at
  /// `subject_exp` (Unix s).
  pub async fn exchange(
    &self,
    subject: &str,
    subject_exp: f64,
    resource: &str,
    scope: Option<&str>,
  ) -> Result<Arc<Exchanged>, ExchangeError> {
    let Some(app) = &self.app else {
      return Err(ExchangeError::new(
        "not_configured",
        "exchangeToken needs the `connect` option: { clientId, clientSecret } of your first-party WorkOS Connect application",
      ));
    };
    check_resource(resource)?;
    let scope = scope.map(str::trim).filter(|s| !s.is_empty());
    let key = (token_digest(subject), resource.to_string(), scope.map(str::to_string));
    self
      .cache
      .get_fresh(
        &key,
        |token| unix_now() < token.reusable_until,
        || self.request(app, subject, subject_exp, resource, scope),
      )
      .await
  }

  async fn request(
    &self,
    app: &ConnectOptions,
    subject: &str,
    subject_exp: f64,
    resource: &str,
    scope: Option<&str>,
  ) -> Result<Exchanged, ExchangeError> {
    let body = {
      let mut form = form_urlencoded::Serializer::new(String::new());
      form.append_pair("grant_type", GRANT_TYPE);
      form.append_pair("subject_token", subject);
      form.append_pair("subject_token_type", ACCESS_TOKEN_TYPE);
      form.append_pair("resource", resource);
      if let Some(scope) = scope {
        form.append_pair("scope", scope);
      }
      form.append_pair("client_id", &app.client_id);
      form.append_pair("client_secret", &app.client_secret);
      form.finish()
    };
    let client = http::client().map_err(|e| ExchangeError::new("unreachable", e.to_string()))?;
    let mut last = ExchangeError::new("unreachable", "no attempt was made");
    for attempt in 1..=ATTEMPTS {
      if attempt > 1 {
        tokio::time::sleep(Duration::from_millis(250 * 3u64.pow(attempt - 2))).await;
      }
      let sent = client
        .post(&self.token_url)
        .header(ACCEPT, HeaderValue::from_static("application/json"))
        .header(
          CONTENT_TYPE,
          HeaderValue::from_static("application/x-www-form-urlencoded"),
        )
        .body(body.clone())
        .send();
      let answer = async {
        let response = sent.await.map_err(http::classify)?;
        let status = response.status().as_u16();
        let body = http::read_body_limited(response, BODY_LIMIT).await?;
        Ok::<_, http::FetchError>((status, body))
      };
      let (status, bytes) = match tokio::time::timeout(ATTEMPT_TIMEOUT, answer).await {
        Err(_) => {
          last = ExchangeError::new(
            "unreachable",
            format!(
              "AuthKit's token endpoint did not answer within {} s",
              ATTEMPT_TIMEOUT.as_secs()
            ),
          );
          continue;
        }
        Ok(Err(e)) => {
          last = ExchangeError::new(
            "unreachable",
            format!("AuthKit's token endpoint could not be reached: {e}"),
          );
          continue;
        }
        Ok(Ok(answer)) => answer,
      };
      if (200..300).contains(&status) {
        return parsed(&bytes, subject_exp, scope);
      }
      let error: ErrorAnswer = serde_json::from_slice(&bytes).unwrap_or_default();
      if status == 429 || status >= 500 {
        last = ExchangeError {
          kind: "unreachable",
          error: error.error,
          description: format!("AuthKit's token endpoint answered HTTP {status}"),
          status: Some(status),
        };
        continue;
      }
      return Err(ExchangeError {
        kind: "refused",
        description: error
          .error_description
          .unwrap_or_else(|| format!("AuthKit's token endpoint answered HTTP {status}")),
        error: Some(error.error.unwrap_or_else(|| "invalid_request".to_string())),
        status: Some(status),
      });
    }
    Err(last)
  }
}

/// RFC 8693 §2.1: `resource` is an absolute URI without a fragment.
fn check_resource(resource: &str) -> Result<(), ExchangeError> {
  match reqwest::Url::parse(resource) {
    Ok(url) if url.fragment().is_none() && !url.cannot_be_a_base() => Ok(()),
    _ => Err(ExchangeError::new(
      "invalid_argument",
      format!("resource must be the absolute URL of the API, without a fragment, got {resource:?}"),
    )),
  }
}

fn parsed(bytes: &[u8], subject_exp: f64, asked: Option<&str>) -> Result<Exchanged, ExchangeError> {
  let answer: TokenAnswer = serde_json::from_slice(bytes).map_err(|e| ExchangeError {
    kind: "refused",
    error: Some("invalid_response".into()),
    description: format!("AuthKit's token endpoint answered a body that is not a token response: {e}"),
    status: None,
  })?;
  let now = unix_now();
  // The exchanged token's own `exp` when it is a JWT (read, not verified: only to report and cache
  // by), else `expires_in` from now, else the subject token's expiry, the only bound then known.
  let expires_at = jwt_exp(&answer.access_token)
    .or_else(|| {
      answer
        .expires_in
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| now + s)
    })
    .unwrap_or(subject_exp);
  let usable_until = expires_at.min(subject_exp);
  let margin = EXPIRY_MARGIN.min((usable_until - now).max(0.0) / 2.0);
  Ok(Exchanged {
    access_token: answer.access_token,
    expires_at_ms: (expires_at * 1000.0).floor(),
    scope: answer.scope.or_else(|| asked.map(str::to_string)),
    reusable_until: usable_until - margin,
  })
}

/// The `exp` of a compact JWT's payload, unverified.
fn jwt_exp(token: &str) -> Option<f64> {
  let payload = token.split('.').nth(1)?;
  let bytes = crate::jwt::b64::decode_lenient(payload)?;
  let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
  claims.get("exp")?.as_f64().filter(|exp| exp.is_finite())
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn resources_must_be_absolute_urls_without_fragments() {
    assert!(check_resource("https://api.example.com").is_ok());
    assert!(check_resource("http://127.0.0.1:4000/v1").is_ok());
    for bad in ["api.example.com", "/v1", "https://api.example.com/#x", "mailto:a@b", ""] {
      assert_eq!(check_resource(bad).unwrap_err().kind, "invalid_argument", "{bad}");
    }
  }

  #[test]
  fn an_answer_is_reused_until_shortly_before_it_or_the_subject_expires() {
    let now = unix_now();
    let long = parsed(
      br#"{"access_token":"t","expires_in":600,"scope":"read"}"#,
      now + 300.0,
      None,
    )
    .unwrap();
    assert!(
      (long.reusable_until - (now + 270.0)).abs() < 2.0,
      "capped by the subject token"
    );
    assert_eq!(long.scope.as_deref(), Some("read"));
    let short = parsed(br#"{"access_token":"t","expires_in":20}"#, now + 300.0, Some("a")).unwrap();
    assert!(
      (short.reusable_until - (now + 10.0)).abs() < 2.0,
      "half of a short life"
    );
    assert_eq!(short.scope.as_deref(), Some("a"));
    assert!(parsed(b"[]", now, None).is_err());
    let jwt = format!(
      "h.{}.s",
      crate::jwt::b64::encode(format!(r#"{{"exp":{}}}"#, now + 100.0).as_bytes())
    );
    let from_jwt = parsed(
      format!(r#"{{"access_token":"{jwt}","expires_in":9999}}"#).as_bytes(),
      now + 300.0,
      None,
    )
    .unwrap();
    assert!(
      (from_jwt.expires_at_ms / 1000.0 - (now + 100.0)).abs() < 1.0,
      "the token's own exp wins"
    );
    assert!(!long.to_json().contains("reusable"));
  }

  #[test]
  fn the_secret_is_never_in_debug_output() {
    let app = ConnectOptions {
      client_id: "client_1".into(),
      client_secret: "secret_value".into(),
    };
    assert!(!format!("{app:?}").contains("secret_value"));
  }
}
