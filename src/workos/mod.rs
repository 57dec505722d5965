//! The WorkOS REST API client. Every call is made here, in Rust, on the shared HTTP client; results
//! are the `@workos-inc/node` 7.x camelCase objects, failures are [`ApiErrorData`].
//!
//! One file per API resource; each adds methods to [`WorkOsApi`] and `#[napi]` methods to
//! [`NativeWorkOS`], so new resources slot in without touching the transport.

// API errors are returned by value on the cold path only; boxing them would buy nothing.
#![allow(clippy::result_large_err)]

pub mod errors;
pub mod user_management;

use std::sync::Arc;
use std::time::Duration;

use napi_derive::napi;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::config::ApiLocation;
use crate::http::{self, FetchError};
pub use errors::ApiErrorData;

/// Upper bound for one API response body.
const API_BODY_LIMIT: usize = 16 * 1024 * 1024;

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

/// The transport: base URL, API key, timeout.
pub struct WorkOsApi {
  location: ApiLocation,
  headers: HeaderMap,
}

impl WorkOsApi {
  pub fn new(api_key: &str, location: ApiLocation) -> Result<Self, String> {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json, text/plain, */*"));
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let mut auth = HeaderValue::from_str(&format!("Bearer {api_key}"))
      .map_err(|_| "apiKey contains characters that cannot be sent in an HTTP header".to_string())?;
    auth.set_sensitive(true);
    headers.insert(AUTHORIZATION, auth);
    Ok(WorkOsApi { location, headers })
  }

  pub fn base_url(&self) -> &str {
    &self.location.base_url
  }

  /// GETs `path` and deserializes the wire object into `T`.
  pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiErrorData> {
    let value = self.send(Method::GET, path).await?;
    serde_json::from_value(value.unwrap_or(Value::Null)).map_err(|e| {
      ApiErrorData::parse_error(
        500,
        String::new(),
        format!("unexpected response shape: {e}"),
        String::new(),
      )
    })
  }

  /// Sends one request; returns the decoded JSON body (`None` for a non-JSON success body, as the SDK).
  async fn send(&self, method: Method, path: &str) -> Result<Option<Value>, ApiErrorData> {
    let url = format!("{}{}", self.location.base_url, path);
    let client = http::client().map_err(|e| ApiErrorData::network(&e.to_string()))?;
    let request = client.request(method, &url).headers(self.headers.clone());
    let work = async {
      let response = request.send().await.map_err(http::classify)?;
      let status = response.status().as_u16();
      let headers = response.headers().clone();
      let body = http::read_body_limited(response, API_BODY_LIMIT).await?;
      Ok::<_, FetchError>((status, headers, body))
    };
    let (status, headers, body) = match tokio::time::timeout(self.location.timeout, work).await {
      Err(_) | Ok(Err(FetchError::Timeout)) => return Err(ApiErrorData::timeout(String::new())),
      Ok(Err(e)) => return Err(ApiErrorData::network(&e.to_string())),
      Ok(Ok(answer)) => answer,
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let request_id = header("x-request-id").unwrap_or_default();
    let raw = || String::from_utf8_lossy(&body).into_owned();

    if !(200..300).contains(&status) {
      // Like the SDK, an error body is parsed as JSON whatever its content type.
      let data = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(map)) => map,
        Ok(_) => Map::new(),
        Err(e) => return Err(ApiErrorData::parse_error(status, request_id, e.to_string(), raw())),
      };
      return Err(ApiErrorData::from_response(
        status,
        path,
        request_id,
        header("retry-after").as_deref(),
        data,
      ));
    }
    if !http::is_json_content_type(&headers) {
      return Ok(None);
    }
    serde_json::from_slice::<Value>(&body)
      .map(Some)
      .map_err(|e| ApiErrorData::parse_error(500, request_id, e.to_string(), raw()))
  }
}

/// The outcome of one API call, as data: exactly one of `data` and `error` is set.
#[napi(object)]
pub struct ApiResult {
  pub data: Option<Value>,
  pub error: Option<ApiErrorData>,
}

impl<T: serde::Serialize> From<Result<T, ApiErrorData>> for ApiResult {
  fn from(result: Result<T, ApiErrorData>) -> Self {
    match result.map(|v| serde_json::to_value(v)) {
      Ok(Ok(data)) => ApiResult {
        data: Some(data),
        error: None,
      },
      Ok(Err(e)) => ApiResult {
        data: None,
        error: Some(ApiErrorData::parse_error(
          500,
          String::new(),
          e.to_string(),
          String::new(),
        )),
      },
      Err(error) => ApiResult {
        data: None,
        error: Some(error),
      },
    }
  }
}

/// The native half of the `WorkOS` client class (the JS glue gives it the SDK's shape).
#[napi(js_name = "NativeWorkOS")]
pub struct NativeWorkOS {
  pub(crate) api: Arc<WorkOsApi>,
}

#[napi]
impl NativeWorkOS {
  /// `new NativeWorkOS(apiKey, { apiHostname?, https?, port?, timeout? })`, the 7.x constructor's
  /// options: base URL `http(s)://<apiHostname or api.workos.com>[:port]`, timeout 60 s by default.
  #[napi(constructor)]
  pub fn new(api_key: String, options: Option<Value>) -> napi::Result<Self> {
    let options = options.unwrap_or(Value::Null);
    let get = |name: &str| options.get(name).filter(|v| !v.is_null());
    let hostname = match get("apiHostname") {
      None => "api.workos.com".to_string(),
      Some(Value::String(h)) if !h.is_empty() => h.clone(),
      Some(_) => return Err(napi::Error::from_reason("apiHostname must be a non-empty string")),
    };
    let https = get("https")
      .map(|v| {
        v.as_bool()
          .ok_or_else(|| napi::Error::from_reason("https must be a boolean"))
      })
      .transpose()?;
    let port = get("port")
      .map(|v| {
        v.as_u64()
          .filter(|p| (1..=65535).contains(p))
          .ok_or_else(|| napi::Error::from_reason("port must be a port number"))
      })
      .transpose()?;
    let timeout = get("timeout")
      .map(|v| {
        v.as_f64()
          .filter(|t| *t > 0.0 && *t <= 3_600_000.0)
          .ok_or_else(|| napi::Error::from_reason("timeout must be a positive number of milliseconds"))
      })
      .transpose()?
      .unwrap_or(60_000.0);
    let scheme = if https.unwrap_or(true) { "https" } else { "http" };
    let base_url = match port {
      Some(p) => format!("{scheme}://{hostname}:{p}"),
      None => format!("{scheme}://{hostname}"),
    };
    reqwest::Url::parse(&base_url)
      .map_err(|e| napi::Error::from_reason(format!("invalid API location {base_url:?}: {e}")))?;
    let location = ApiLocation {
      base_url,
      timeout: Duration::from_millis(timeout as u64),
    };
    Ok(NativeWorkOS {
      api: Arc::new(WorkOsApi::new(&api_key, location).map_err(napi::Error::from_reason)?),
    })
  }

  /// The base URL every call goes to, e.g. `https://api.workos.com`.
  #[napi(getter)]
  pub fn base_url(&self) -> String {
    self.api.base_url().to_string()
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
      ApiResult {
        data: None,
        error: Some(ApiErrorData::network("internal error in the native client")),
      }
    }
  }
}

#[cfg(test)]
mod tests {
  use super::api_path;

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
}
