//! The WorkOS REST API client. Every call is made here, in Rust, on the shared HTTP client; results
//! are the `@workos-inc/node` 7.x camelCase objects, failures are [`ApiErrorData`].
//!
//! One file per API resource; each adds `#[napi]` methods to [`NativeWorkOS`] that describe a
//! [`Call`] and the shape of its result, so the transport (this file: headers, query, bodies,
//! timeouts, retries, idempotency keys, error classification) is written once.

// API errors are returned by value on the cold path only; boxing them would buy nothing.
#![allow(clippy::result_large_err)]

// The class comes before the resource modules: napi-rs names each `#[napi] impl NativeWorkOS` block
// after the struct's `js_name` only once the struct has been seen.
/// The native half of the `WorkOS` client class (the JS glue gives it the SDK's shape).
#[napi(js_name = "NativeWorkOS")]
pub struct NativeWorkOS {
  pub(crate) api: Arc<WorkOsApi>,
}

pub mod audit_logs;
pub mod directory_sync;
pub mod errors;
pub mod js;
pub mod organizations;
pub mod pagination;
pub mod query;
pub mod sso;
pub mod user_management;

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use napi_derive::napi;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::ApiLocation;
use crate::http::{self, FetchError};
pub use errors::ApiErrorData;
use js::{to_js, Js, Void};
use pagination::Walk;

/// Upper bound for one API response body.
const API_BODY_LIMIT: usize = 16 * 1024 * 1024;
/// Retries after the first attempt (the current SDK's `maxRetries` default).
const MAX_RETRIES: u32 = 3;
/// Answers worth another attempt: timeouts, rate limits and transient server failures.
const RETRY_STATUSES: [u16; 6] = [408, 429, 500, 502, 503, 504];
/// A `Retry-After` longer than this is cut to it.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(60);
const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded;charset=utf-8";

/// Builds `/a/b/<segment>` paths. Dynamic segments are percent-encoded so an id can never reach
/// another path, and `.` / `..` / empty ids are refused.
pub fn api_path(fixed: &str, dynamic: &[(&str, &str)]) -> Result<String, ApiErrorData> {
  let mut path = fixed.to_string();
  for (name, value) in dynamic {
    if value.is_empty() || *value == "." || *value == ".." {
      return Err(ApiErrorData::invalid_argument(format!(
        "{name} must be a non-empty id, got {value:?}"
      )));
    }
    path.push('/');
    for byte in value.bytes() {
      if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
        path.push(byte as char);
      } else {
        path.push_str(&format!("%{byte:02X}"));
      }
    }
  }
  Ok(path)
}

/// `/fixed/{id}/suffix`: [`api_path`] with one id and a fixed tail.
pub fn api_path_with(fixed: &str, name: &str, id: &str, tail: &str) -> Result<String, ApiErrorData> {
  api_path(fixed, &[(name, id)]).map(|path| format!("{path}{tail}"))
}

/// Maps SDK-shaped input (`{ firstName }`) to the wire object (`{ first_name }`) through `T`, a
/// serde struct naming the members the SDK's serializer copies; the ones not given are `undefined`.
pub fn wire<T: DeserializeOwned + Serialize>(input: Option<Value>) -> Result<Js, ApiErrorData> {
  let input = input
    .filter(Value::is_object)
    .unwrap_or_else(|| Value::Object(Map::new()));
  let options: T = serde_json::from_value(input).map_err(|e| ApiErrorData::invalid_argument(e.to_string()))?;
  to_js(&options).map_err(|e| ApiErrorData::internal(&e.to_string()))
}

/// A random (version 4) UUID, as `crypto.randomUUID()` writes it.
pub fn uuid_v4() -> Result<String, ApiErrorData> {
  let mut bytes = [0u8; 16];
  getrandom::getrandom(&mut bytes).map_err(|e| ApiErrorData::internal(&format!("no randomness available: {e}")))?;
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
  Ok(format!(
    "{}-{}-{}-{}-{}",
    &hex[0..8],
    &hex[8..12],
    &hex[12..16],
    &hex[16..20],
    &hex[20..32]
  ))
}

/// How a request body is sent (the SDK's `HttpClient.getBody`).
pub enum Body {
  /// GET and DELETE.
  None,
  /// `JSON.stringify(entity)`; a `null` entity is an empty body.
  Json(Js),
  /// A `URLSearchParams` entity: form-encoded, with the SDK's form content type.
  Form(Vec<(String, String)>),
}

/// One API request, described by a resource method.
pub struct Call {
  method: Method,
  path: String,
  query: Vec<(String, String)>,
  body: Body,
  idempotency_key: Option<String>,
  access_token: Option<String>,
}

impl Call {
  fn new(method: Method, path: String, body: Body) -> Self {
    Call {
      method,
      path,
      query: Vec::new(),
      body,
      idempotency_key: None,
      access_token: None,
    }
  }

  pub fn get(path: String) -> Self {
    Call::new(Method::GET, path, Body::None)
  }

  pub fn delete(path: String) -> Self {
    Call::new(Method::DELETE, path, Body::None)
  }

  pub fn post(path: String, body: Js) -> Self {
    Call::new(Method::POST, path, Body::Json(body))
  }

  pub fn put(path: String, body: Js) -> Self {
    Call::new(Method::PUT, path, Body::Json(body))
  }

  pub fn post_form(path: String, form: Vec<(String, String)>) -> Self {
    Call::new(Method::POST, path, Body::Form(form))
  }

  /// Query members as the SDK's `params` (see [`query::search_params`]).
  pub fn query(mut self, query: &Js) -> Self {
    self.query = query::search_params(query);
    self
  }

  /// An explicit `Idempotency-Key` (falsy values are not sent, as in the SDK).
  pub fn idempotency_key(mut self, key: Option<String>) -> Self {
    self.idempotency_key = key.filter(|k| !k.is_empty());
    self
  }

  /// `Authorization: Bearer <token>` instead of the API key (`sso.getProfile`).
  pub fn access_token(mut self, token: Option<String>) -> Self {
    self.access_token = token.filter(|t| !t.is_empty());
    self
  }
}

/// One answer with a 2xx status.
struct Answer {
  status: u16,
  request_id: String,
  json: bool,
  body: Vec<u8>,
}

impl Answer {
  fn raw(&self) -> String {
    String::from_utf8_lossy(&self.body).into_owned()
  }
}

/// One failed attempt: the error it gives, and whether (and when) to try again.
struct Failure {
  error: ApiErrorData,
  retryable: bool,
  retry_after: Option<Duration>,
}

impl Failure {
  fn fatal(error: ApiErrorData) -> Self {
    Failure {
      error,
      retryable: false,
      retry_after: None,
    }
  }

  fn transient(error: ApiErrorData) -> Self {
    Failure {
      error,
      retryable: true,
      retry_after: None,
    }
  }
}

/// The transport: base URL, default headers, timeout.
pub struct WorkOsApi {
  location: ApiLocation,
  headers: HeaderMap,
  /// Sent as `client_secret` by `sso.getProfileAndToken`, as the SDK does.
  api_key: String,
}

impl WorkOsApi {
  pub fn new(api_key: &str, location: ApiLocation) -> Result<Self, String> {
    WorkOsApi::with_headers(api_key, location, HeaderMap::new(), None)
  }

  /// The 7.x client's headers: `Accept` and `Content-Type: application/json`, then `config.headers`
  /// (which may replace those two), then `Authorization` and the `User-Agent` (`appInfo` appended).
  pub fn with_headers(
    api_key: &str,
    location: ApiLocation,
    extra: HeaderMap,
    app_info: Option<String>,
  ) -> Result<Self, String> {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json, text/plain, */*"));
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    for (name, value) in extra.iter() {
      headers.insert(name.clone(), value.clone());
    }
    let mut auth = HeaderValue::from_str(&format!("Bearer {api_key}"))
      .map_err(|_| "apiKey contains characters that cannot be sent in an HTTP header".to_string())?;
    auth.set_sensitive(true);
    headers.insert(AUTHORIZATION, auth);
    if let Some(app) = app_info {
      let agent = HeaderValue::from_str(&format!("{} {app}", http::USER_AGENT))
        .map_err(|_| "appInfo cannot be sent in the User-Agent header".to_string())?;
      headers.insert(USER_AGENT, agent);
    }
    Ok(WorkOsApi {
      location,
      headers,
      api_key: api_key.to_string(),
    })
  }

  pub fn base_url(&self) -> &str {
    &self.location.base_url
  }

  pub fn api_key(&self) -> &str {
    &self.api_key
  }

  /// Sends `call` and deserializes the JSON answer into `T` (a struct shaped like the SDK's result).
  pub async fn fetch<T: DeserializeOwned>(&self, call: Call) -> Result<T, ApiErrorData> {
    let answer = self.send(&call).await?;
    if !answer.json {
      let message = "the response is not JSON".to_string();
      return Err(ApiErrorData::unexpected_answer(
        answer.status,
        answer.request_id.clone(),
        message,
        answer.raw(),
      ));
    }
    let value: Value = serde_json::from_slice(&answer.body)
      .map_err(|_| ApiErrorData::parse_error(answer.status, answer.request_id.clone(), answer.raw()))?;
    serde_json::from_value(value).map_err(|e| {
      let message = format!("unexpected response shape: {e}");
      ApiErrorData::unexpected_answer(answer.status, answer.request_id.clone(), message, answer.raw())
    })
  }

  /// Sends `call` for a method that resolves to nothing. Like the SDK, a POST/PUT answer that says
  /// it is JSON must parse (an empty one is accepted); a DELETE answer is not read.
  pub async fn execute(&self, call: Call) -> Result<Void, ApiErrorData> {
    let answer = self.send(&call).await?;
    let unparsable = answer.json && !answer.body.is_empty() && serde_json::from_slice::<Value>(&answer.body).is_err();
    if call.method != Method::DELETE && unparsable {
      return Err(ApiErrorData::parse_error(
        answer.status,
        answer.request_id.clone(),
        answer.raw(),
      ));
    }
    Ok(Void)
  }

  /// Sends `call`, retrying timeouts, network failures and [`RETRY_STATUSES`] up to
  /// [`MAX_RETRIES`] times. A POST always carries an `Idempotency-Key` (the caller's, or
  /// `retry-<uuid>`), the same on every attempt, so a retried POST cannot apply twice.
  async fn send(&self, call: &Call) -> Result<Answer, ApiErrorData> {
    let key = match &call.idempotency_key {
      Some(key) => Some(key.clone()),
      None if call.method == Method::POST => Some(format!("retry-{}", uuid_v4()?)),
      None => None,
    };
    let mut retries = 0;
    loop {
      match self.attempt(call, key.as_deref()).await {
        Ok(answer) => return Ok(answer),
        Err(failure) if !failure.retryable || retries >= MAX_RETRIES => return Err(failure.error),
        Err(failure) => {
          retries += 1;
          tokio::time::sleep(failure.retry_after.unwrap_or_else(|| backoff(retries))).await;
        }
      }
    }
  }

  async fn attempt(&self, call: &Call, idempotency_key: Option<&str>) -> Result<Answer, Failure> {
    let client = http::client().map_err(|e| Failure::fatal(ApiErrorData::internal(&e.to_string())))?;
    let mut url = format!("{}{}", self.location.base_url, call.path);
    if !call.query.is_empty() {
      url = format!("{url}?{}", query::form_urlencoded(&call.query));
    }
    let mut headers = self.headers.clone();
    let header =
      |value: String| HeaderValue::from_str(&value).map_err(|e| Failure::fatal(ApiErrorData::internal(&e.to_string())));
    if let Some(key) = idempotency_key {
      headers.insert(HeaderName::from_static("idempotency-key"), header(key.to_string())?);
    }
    if let Some(token) = &call.access_token {
      headers.insert(AUTHORIZATION, header(format!("Bearer {token}"))?);
    }
    let body = match &call.body {
      Body::None => None,
      // A `null` entity (acceptInvitation and friends) is sent as an empty body.
      Body::Json(Js::Null) => Some(String::new()),
      Body::Json(entity) => Some(entity.to_json().map(|v| v.to_string()).unwrap_or_default()),
      Body::Form(pairs) => {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(FORM_CONTENT_TYPE));
        Some(query::form_urlencoded(pairs))
      }
    };
    let mut request = client.request(call.method.clone(), &url).headers(headers);
    if let Some(body) = body {
      request = request.body(body);
    }
    let work = async {
      let response = request.send().await.map_err(http::classify)?;
      let status = response.status().as_u16();
      let headers = response.headers().clone();
      let body = http::read_body_limited(response, API_BODY_LIMIT).await?;
      Ok::<_, FetchError>((status, headers, body))
    };
    let (status, headers, body) = match tokio::time::timeout(self.location.timeout, work).await {
      Err(_) | Ok(Err(FetchError::Timeout)) => return Err(Failure::transient(ApiErrorData::timeout())),
      Ok(Err(FetchError::TooLarge)) => return Err(Failure::fatal(ApiErrorData::internal("response body too large"))),
      Ok(Err(e)) => return Err(Failure::transient(ApiErrorData::network(&e.to_string()))),
      Ok(Ok(answer)) => answer,
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let request_id = header("x-request-id").unwrap_or_default();
    if (200..300).contains(&status) {
      let json = http::is_json_content_type(&headers);
      return Ok(Answer {
        status,
        request_id,
        json,
        body,
      });
    }
    // Like the SDK, an error body is parsed as JSON whatever its content type.
    let error = match serde_json::from_slice::<Value>(&body) {
      Ok(Value::Object(data)) => {
        ApiErrorData::from_response(status, &call.path, request_id, header("retry-after").as_deref(), data)
      }
      Ok(_) => ApiErrorData::from_response(
        status,
        &call.path,
        request_id,
        header("retry-after").as_deref(),
        Map::new(),
      ),
      Err(_) => ApiErrorData::unparsable_error_answer(status, request_id, String::from_utf8_lossy(&body).into_owned()),
    };
    Err(Failure {
      error,
      retryable: RETRY_STATUSES.contains(&status),
      retry_after: header("retry-after").and_then(|v| retry_after(&v, SystemTime::now())),
    })
  }
}

/// The wait before retry number `retry` (1-based): `500 ms · 1.5^retry`, at most 8 s, times a
/// random factor in [0.5, 1.5) so that clients do not retry in step.
fn backoff(retry: u32) -> Duration {
  let base = (500.0 * 1.5f64.powi(retry as i32)).min(8000.0);
  let mut bytes = [0u8; 8];
  let jitter = match getrandom::getrandom(&mut bytes) {
    Ok(()) => 0.5 + (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64,
    Err(_) => 1.0,
  };
  Duration::from_millis((base * jitter) as u64)
}

/// A `Retry-After` value (delay-seconds or an HTTP date) as a wait, capped at [`RETRY_AFTER_CAP`].
fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
  let value = value.trim();
  let wait = match value.parse::<f64>() {
    Ok(seconds) if seconds.is_finite() && seconds >= 0.0 => Duration::from_secs_f64(seconds.min(3600.0)),
    Ok(_) => return None,
    Err(_) => http_date(value)?.duration_since(now).unwrap_or(Duration::ZERO),
  };
  Some(wait.min(RETRY_AFTER_CAP))
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the HTTP date servers send.
fn http_date(value: &str) -> Option<SystemTime> {
  let parts: Vec<&str> = value.split_whitespace().collect();
  let [_weekday, day, month, year, time, "GMT"] = parts.as_slice() else {
    return None;
  };
  const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  ];
  let month = MONTHS.iter().position(|m| m == month)? as i64 + 1;
  let (day, year): (i64, i64) = (day.parse().ok()?, year.parse().ok()?);
  let hms: Vec<i64> = time.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
  let [h, m, s] = hms.as_slice() else { return None };
  // Days from the civil date (Howard Hinnant's algorithm).
  let y = if month <= 2 { year - 1 } else { year };
  let era = y.div_euclid(400);
  let yoe = y - era * 400;
  let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
  let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  let days = era * 146_097 + doe - 719_468;
  let seconds = u64::try_from(days * 86_400 + h * 3600 + m * 60 + s).ok()?;
  Some(UNIX_EPOCH + Duration::from_secs(seconds))
}

/// The outcome of one API call, as data: exactly one of `data` and `error` is set (`data` may be
/// `undefined`, for methods that resolve to nothing).
#[napi(object, object_from_js = false)]
pub struct ApiResult {
  #[napi(ts_type = "any")]
  pub data: Option<Js>,
  pub error: Option<ApiErrorData>,
  /// A deprecation warning the SDK would print (`console.warn('WorkOS: ' + warning)`).
  pub warning: Option<String>,
}

impl<T: Serialize> From<Result<T, ApiErrorData>> for ApiResult {
  fn from(result: Result<T, ApiErrorData>) -> Self {
    let converted = result.and_then(|value| to_js(&value).map_err(|e| ApiErrorData::internal(&e.to_string())));
    match converted {
      Ok(data) => ApiResult {
        data: Some(data),
        error: None,
        warning: None,
      },
      Err(error) => ApiResult {
        data: None,
        error: Some(error),
        warning: None,
      },
    }
  }
}

/// A constructor option, with `undefined` / `null` as absent.
fn option<'a>(options: &'a Value, name: &str) -> Option<&'a Value> {
  options.get(name).filter(|v| !v.is_null())
}

#[napi]
impl NativeWorkOS {
  /// `new NativeWorkOS(apiKey, { apiHostname?, https?, port?, timeout?, appInfo?, headers? })`, the
  /// 7.x constructor's options: base URL `http(s)://<apiHostname or api.workos.com>[:port]`, timeout
  /// 60 s by default, `appInfo` appended to the User-Agent, `headers` (`config.headers`) sent with
  /// every request.
  #[napi(constructor)]
  pub fn new(api_key: String, options: Option<Value>) -> napi::Result<Self> {
    let options = options.unwrap_or(Value::Null);
    let reason = |message: &str| napi::Error::from_reason(message.to_string());
    let hostname = match option(&options, "apiHostname") {
      None => "api.workos.com".to_string(),
      Some(Value::String(h)) if h.is_empty() => "api.workos.com".to_string(),
      Some(Value::String(h)) => h.clone(),
      Some(_) => return Err(reason("apiHostname must be a string")),
    };
    let https = option(&options, "https")
      .map(|v| v.as_bool().ok_or_else(|| reason("https must be a boolean")))
      .transpose()?;
    let port = option(&options, "port")
      .filter(|v| v.as_u64() != Some(0))
      .map(|v| {
        v.as_u64()
          .filter(|p| *p <= 65535)
          .ok_or_else(|| reason("port must be a port number"))
      })
      .transpose()?;
    let timeout = option(&options, "timeout")
      .map(|v| {
        v.as_f64()
          .filter(|t| *t > 0.0 && *t <= 3_600_000.0)
          .ok_or_else(|| reason("timeout must be a positive number of milliseconds"))
      })
      .transpose()?
      .unwrap_or(60_000.0);
    let scheme = if https.unwrap_or(true) { "https" } else { "http" };
    let base_url = match port {
      Some(p) => format!("{scheme}://{hostname}:{p}"),
      None => format!("{scheme}://{hostname}"),
    };
    reqwest::Url::parse(&base_url).map_err(|e| reason(&format!("invalid API location {base_url:?}: {e}")))?;
    let location = ApiLocation {
      base_url,
      timeout: Duration::from_millis(timeout as u64),
    };
    let app_info = option(&options, "appInfo").map(|app| {
      let part = |name: &str| Js::from(app.get(name).cloned().unwrap_or(Value::Null)).to_js_string();
      format!("{}: {}", part("name"), part("version"))
    });
    let mut headers = HeaderMap::new();
    if let Some(Value::Object(extra)) = option(&options, "headers") {
      for (name, value) in extra {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| reason(&format!("config.headers: {e}")))?;
        let value = HeaderValue::from_str(&Js::from(value.clone()).to_js_string())
          .map_err(|e| reason(&format!("config.headers: {e}")))?;
        headers.insert(name, value);
      }
    }
    let api = WorkOsApi::with_headers(&api_key, location, headers, app_info).map_err(|e| reason(&e))?;
    Ok(NativeWorkOS { api: Arc::new(api) })
  }

  /// The base URL every call goes to, e.g. `https://api.workos.com`.
  #[napi(getter)]
  pub fn base_url(&self) -> String {
    self.api.base_url().to_string()
  }
}

impl NativeWorkOS {
  /// Runs `work` with this client's transport on the runtime; its result or error as an [`ApiResult`].
  async fn run<T, Fut>(&self, work: impl FnOnce(Arc<WorkOsApi>) -> Fut) -> ApiResult
  where
    T: Serialize + Send + 'static,
    Fut: Future<Output = Result<T, ApiErrorData>> + Send + 'static,
  {
    guarded(work(self.api.clone())).await
  }

  /// A call whose JSON answer is the SDK result shaped by `T`.
  pub(crate) async fn fetch<T>(&self, call: Result<Call, ApiErrorData>) -> ApiResult
  where
    T: DeserializeOwned + Serialize + Send + 'static,
  {
    self.run(|api| async move { api.fetch::<T>(call?).await }).await
  }

  /// A call for a method that resolves to `undefined`.
  pub(crate) async fn execute(&self, call: Result<Call, ApiErrorData>) -> ApiResult {
    self.run(|api| async move { api.execute(call?).await }).await
  }

  /// A list method: its first page, or with `walk`, the rest of the list (see [`pagination`]).
  pub(crate) async fn list<T>(
    &self,
    path: Result<String, ApiErrorData>,
    options: Result<Js, ApiErrorData>,
    walk: Option<Walk>,
  ) -> ApiResult
  where
    T: DeserializeOwned + Serialize + Send + 'static,
  {
    self
      .run(|api| async move { pagination::list::<T>(&api, path?, options?, walk).await })
      .await
  }
}

/// Runs an API call on the runtime, turning a panic inside it into an error result instead of
/// letting it reach Node.
pub(crate) async fn guarded<T, F>(work: F) -> ApiResult
where
  T: serde::Serialize + Send + 'static,
  F: std::future::Future<Output = Result<T, ApiErrorData>> + Send + 'static,
{
  match tokio::spawn(work).await {
    Ok(result) => result.into(),
    Err(_) => {
      crate::error::note_internal_failure("WorkOS API call");
      Err::<Void, _>(ApiErrorData::internal("internal error in the native client")).into()
    }
  }
}

/// A synchronous method (`getAuthorizationUrl`, `getJwksUrl`), with panics caught at the boundary.
pub(crate) fn guarded_sync<T: Serialize>(work: impl FnOnce() -> Result<T, ApiErrorData>) -> ApiResult {
  catch_unwind(AssertUnwindSafe(work))
    .unwrap_or_else(|_| {
      crate::error::note_internal_failure("WorkOS client");
      Err(ApiErrorData::internal("internal error in the native client"))
    })
    .into()
}

/// A synchronous URL builder (`getAuthorizationUrl`): the URL, and the deprecation warning the SDK
/// would emit, for the glue to emit.
pub(crate) fn url_with_warning(
  work: impl FnOnce() -> Result<(String, Option<&'static str>), ApiErrorData>,
) -> ApiResult {
  let mut warning = None;
  let mut result = guarded_sync(|| {
    work().map(|(url, warn)| {
      warning = warn;
      url
    })
  });
  result.warning = warning.map(str::to_string);
  result
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn path_segments_cannot_escape() {
    assert_eq!(
      api_path("/user_management/users", &[("userId", "user_1")]).unwrap(),
      "/user_management/users/user_1"
    );
    assert_eq!(api_path("/u", &[("id", "a/../b")]).unwrap(), "/u/a%2F..%2Fb");
    assert_eq!(api_path("/u", &[("id", "a?b#c d")]).unwrap(), "/u/a%3Fb%23c%20d");
    for bad in ["", ".", ".."] {
      assert_eq!(api_path("/u", &[("id", bad)]).unwrap_err().kind, "TypeError");
    }
  }

  #[test]
  fn uuids_are_version_4() {
    let id = uuid_v4().unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(&id[14..15], "4");
    assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
    assert_ne!(id, uuid_v4().unwrap());
  }

  #[test]
  fn backoff_grows_with_jitter_and_a_cap() {
    for retry in 1..=10 {
      let base = (500.0 * 1.5f64.powi(retry as i32)).min(8000.0);
      let wait = backoff(retry).as_millis() as f64;
      assert!(wait >= base * 0.5 - 1.0 && wait <= base * 1.5, "retry {retry}: {wait}");
    }
  }

  #[test]
  fn retry_after_takes_seconds_or_a_date_and_is_capped() {
    let now = UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
    assert_eq!(retry_after("2", now), Some(Duration::from_secs(2)));
    assert_eq!(retry_after("0.5", now), Some(Duration::from_millis(500)));
    assert_eq!(retry_after("86400", now), Some(RETRY_AFTER_CAP));
    assert_eq!(
      retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
      Some(Duration::from_secs(10))
    );
    assert_eq!(retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now), Some(Duration::ZERO));
    assert_eq!(retry_after("-1", now), None);
    assert_eq!(retry_after("soon", now), None);
  }
}
