//! The WorkOS REST API client's native half: the HTTP layer under `@workos-inc/node`.
//!
//! The SDK's own code (its `WorkOS` class, modules, deserializers, pagination, sealed sessions,
//! webhooks, exceptions) runs in JavaScript; `workos.js` gives it an `HttpClient` whose requests come
//! here. This module sends them: one connection pool, the per-attempt timeout, the body-size cap,
//! retries with backoff and `Retry-After`, an `Idempotency-Key` on every POST, and the API key, which
//! is added here and never handed back. It refuses a request that is not on the API's origin or whose
//! path has an empty, `.` or `..` segment, and answers every response (any status) as data.

pub mod errors;
pub mod transport;

use std::sync::Arc;

use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use reqwest::Method;
use serde_json::Value;

use crate::api_location::{parse_api_location, CLIENT_API_FIELDS};
use errors::Failure;
pub use transport::WorkOsApi;
use transport::{finished_path, header_map, Answer, Call};

/// The HTTP client of one `WorkOS` instance (`workos.js` wraps it in the SDK's `HttpClient`).
#[napi(js_name = "NativeWorkOS")]
pub struct NativeWorkOS {
  pub(crate) api: Arc<WorkOsApi>,
}

/// One request, as the SDK's HTTP client finished it.
#[napi(object)]
pub struct Request {
  /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
  pub method: String,
  /// The whole URL, on the client's base URL.
  pub url: String,
  /// The SDK's headers; they replace the transport's own (`Accept`, `Content-Type`, `Authorization`).
  pub headers: Vec<(String, String)>,
  pub body: Option<String>,
}

/// How a request ended, as data: an HTTP answer (any status), or a `failure` without one.
#[napi(object)]
pub struct Reply {
  /// The HTTP status; 0 with a `failure`.
  pub status: u32,
  /// The answer's headers (those whose value is text), as sent.
  pub headers: Vec<(String, String)>,
  pub body: Buffer,
  /// No usable answer: `invalid_argument`, `network`, `timeout`, `too_large`, `internal`.
  pub failure: Option<String>,
  /// What failed, in words.
  pub detail: Option<String>,
}

impl Reply {
  fn answer(answer: Answer) -> Self {
    Reply {
      status: answer.status.into(),
      headers: answer.headers,
      body: answer.body.into(),
      failure: None,
      detail: None,
    }
  }

  fn failure(failure: &Failure) -> Self {
    Reply {
      status: 0,
      headers: Vec::new(),
      body: Vec::new().into(),
      failure: Some(failure.code().to_string()),
      detail: Some(failure.to_string()),
    }
  }
}

fn call_of(api: &WorkOsApi, request: Request) -> Result<Call, Failure> {
  let method = match request.method.as_str() {
    "GET" => Method::GET,
    "POST" => Method::POST,
    "PUT" => Method::PUT,
    "PATCH" => Method::PATCH,
    "DELETE" => Method::DELETE,
    other => return Err(Failure::InvalidArgument(format!("unknown HTTP method {other:?}"))),
  };
  Ok(Call {
    method,
    path: finished_path(api.base_url(), &request.url)?,
    query: Vec::new(),
    body: request.body,
    headers: header_map(&request.headers)?,
  })
}

#[napi]
impl NativeWorkOS {
  /// `new NativeWorkOS(apiKey, { apiHostname?, https?, port?, timeout? })`: the 7.x constructor's
  /// location, read by the provider config's parser.
  #[napi(constructor)]
  pub fn new(api_key: String, location: Option<Value>) -> napi::Result<Self> {
    let options = match location {
      Some(Value::Object(options)) => options,
      _ => serde_json::Map::new(),
    };
    let location = parse_api_location(&options, &|_| None, &CLIENT_API_FIELDS)?;
    let api = WorkOsApi::new(&api_key, location).map_err(|e| napi::Error::from_reason(format!("[WorkOS] {e}")))?;
    Ok(NativeWorkOS { api: Arc::new(api) })
  }

  /// The base URL every call goes to, e.g. `https://api.workos.com`.
  #[napi(getter)]
  pub fn base_url(&self) -> String {
    self.api.base_url().to_string()
  }

  /// Sends one request; resolves to its answer, whatever the status, or to its failure.
  #[napi]
  pub async fn fetch(&self, request: Request) -> Reply {
    let api = self.api.clone();
    let work = async move {
      let call = call_of(&api, request)?;
      api.send(&call, None, "retry-").await
    };
    let panicked = || Err(Failure::Internal("the call panicked".into()));
    match crate::error::guarded_async("WorkOS API call", panicked, work).await {
      Ok(answer) => Reply::answer(answer),
      Err(failure) => Reply::failure(&failure),
    }
  }
}
