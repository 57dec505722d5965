//! The one shared HTTP client (keep-alive pool, rustls, system roots plus `NODE_EXTRA_CA_CERTS`,
//! `HTTPS_PROXY` / `NO_PROXY`) and bounded reads of upstream responses.
//!
//! Every outbound call of the addon goes through [`client`]; all of them run on napi-rs's shared tokio
//! runtime. Redirects are never followed: AuthKit and the WorkOS API answer directly, and following a
//! redirect could carry the API key, or trust, to another host.

use std::time::Duration;

use once_cell::sync::Lazy;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, ETAG, IF_NONE_MATCH};
use reqwest::{redirect, Certificate, Client, Response};

/// What our requests say they are.
pub const USER_AGENT: &str = concat!("xmcp-workos/", env!("CARGO_PKG_VERSION"));

/// Upper bound for an AuthKit document (JWKS, RFC 8414 metadata). Real ones are a few KiB.
pub const DOCUMENT_BODY_LIMIT: usize = 1024 * 1024;

static CLIENT: Lazy<Result<Client, String>> = Lazy::new(build_client);

/// The process-wide client. Building it can only fail when the TLS backend cannot start, which is
/// reported on every call rather than crashing the process.
pub fn client() -> Result<&'static Client, FetchError> {
  CLIENT.as_ref().map_err(|e| FetchError::Client(e.clone()))
}

fn build_client() -> Result<Client, String> {
  let mut builder = Client::builder()
    .user_agent(USER_AGENT)
    .redirect(redirect::Policy::none())
    .connect_timeout(Duration::from_secs(5))
    .pool_idle_timeout(Duration::from_secs(60))
    .tcp_keepalive(Duration::from_secs(30));
  let extra = extra_ca_certificates();
  if !extra.is_empty() {
    builder = builder.tls_certs_merge(extra);
  }
  builder
    .build()
    .map_err(|e| format!("could not start the HTTP client: {e}"))
}

/// Node trusts the PEM bundle named by `NODE_EXTRA_CA_CERTS` in addition to its roots; so do we.
/// Like Node, an unreadable file is a warning, not a failure.
fn extra_ca_certificates() -> Vec<Certificate> {
  let Some(path) = std::env::var_os("NODE_EXTRA_CA_CERTS").filter(|p| !p.is_empty()) else {
    return Vec::new();
  };
  match std::fs::read(&path)
    .map_err(|e| e.to_string())
    .and_then(|pem| Certificate::from_pem_bundle(&pem).map_err(|e| e.to_string()))
  {
    Ok(certs) => certs,
    Err(e) => {
      eprintln!(
        "[WorkOS] Warning: ignoring extra certs from `{}`, load failed: {e}",
        std::path::Path::new(&path).display()
      );
      Vec::new()
    }
  }
}

/// Why an upstream call produced no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
  Client(String),
  Timeout,
  Network(String),
  Status(u16),
  TooLarge,
  NotJson(String),
}

impl std::fmt::Display for FetchError {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    match self {
      FetchError::Client(e) => write!(f, "{e}"),
      FetchError::Timeout => write!(f, "timed out"),
      FetchError::Network(e) => write!(f, "network error: {e}"),
      FetchError::Status(s) => write!(f, "unexpected HTTP status {s}"),
      FetchError::TooLarge => write!(f, "response body too large"),
      FetchError::NotJson(e) => write!(f, "response is not valid JSON: {e}"),
    }
  }
}

pub fn classify(err: reqwest::Error) -> FetchError {
  if err.is_timeout() {
    FetchError::Timeout
  } else {
    // The source chain says what actually failed (DNS, refused, TLS); the top level only says "error
    // sending request".
    let mut msg = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
      msg.push_str(": ");
      msg.push_str(&s.to_string());
      source = s.source();
    }
    FetchError::Network(msg)
  }
}

/// Reads at most `limit` bytes of body; a longer body is an error, never silently truncated.
pub async fn read_body_limited(mut response: Response, limit: usize) -> Result<Vec<u8>, FetchError> {
  if response.content_length().is_some_and(|len| len > limit as u64) {
    return Err(FetchError::TooLarge);
  }
  let mut body = Vec::new();
  while let Some(chunk) = response.chunk().await.map_err(classify)? {
    if body.len() + chunk.len() > limit {
      return Err(FetchError::TooLarge);
    }
    body.extend_from_slice(&chunk);
  }
  Ok(body)
}

/// What a conditional GET of a document gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Document {
  /// A new body (checked to be a JSON object), with the `ETag` the server sent for it, if any.
  Body { bytes: Vec<u8>, etag: Option<String> },
  /// `304 Not Modified`: the document we hold (whose tag we sent) is still current.
  NotModified,
}

/// GETs an AuthKit JSON document: 2xx only, body capped, whole exchange bounded by `timeout`.
/// Returns the raw bytes after checking they parse as a JSON object.
pub async fn get_json_document(url: &str, timeout: Duration) -> Result<Vec<u8>, FetchError> {
  match get_json_document_if(url, timeout, None).await? {
    Document::Body { bytes, .. } => Ok(bytes),
    Document::NotModified => Err(FetchError::Status(304)),
  }
}

/// [`get_json_document`], conditional on `etag` (sent as `If-None-Match`) when there is one: then
/// a `304` is [`Document::NotModified`] and costs the server no body.
///
/// A network failure is retried once at once, within the same deadline: a pooled keep-alive
/// connection that the server closes just as the request goes out fails that way, and a GET is
/// safe to repeat (`bench/diagnose-keepalive.js` reproduces the race: without the retry a warm-up
/// could leave no keys).
pub async fn get_json_document_if(url: &str, timeout: Duration, etag: Option<&str>) -> Result<Document, FetchError> {
  let attempt = || async {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    if let Some(tag) = etag.and_then(|tag| HeaderValue::from_str(tag).ok()) {
      headers.insert(IF_NONE_MATCH, tag);
    }
    let response = client()?.get(url).headers(headers).send().await.map_err(classify)?;
    let status = response.status();
    if status == reqwest::StatusCode::NOT_MODIFIED && etag.is_some() {
      return Ok(None);
    }
    if !status.is_success() {
      return Err(FetchError::Status(status.as_u16()));
    }
    let tag = response
      .headers()
      .get(ETAG)
      .and_then(|v| v.to_str().ok())
      .filter(|v| !v.is_empty() && v.len() <= 256)
      .map(str::to_string);
    Ok(Some((read_body_limited(response, DOCUMENT_BODY_LIMIT).await?, tag)))
  };
  let work = async {
    match attempt().await {
      Err(FetchError::Network(_)) => attempt().await,
      other => other,
    }
  };
  // One deadline over both attempts: connect, headers and body together.
  let Some((bytes, etag)) = tokio::time::timeout(timeout, work)
    .await
    .map_err(|_| FetchError::Timeout)??
  else {
    return Ok(Document::NotModified);
  };
  match serde_json::from_slice::<serde_json::Value>(&bytes) {
    Ok(serde_json::Value::Object(_)) => Ok(Document::Body { bytes, etag }),
    Ok(_) => Err(FetchError::NotJson("expected a JSON object".into())),
    Err(e) => Err(FetchError::NotJson(e.to_string())),
  }
}
