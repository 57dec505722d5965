//! The transport every WorkOS API call goes through: the client's headers and API key, the URL (the
//! SDK's finished URL, checked; or, for the provider's own lookups, ids percent-encoded into their
//! path segment and the query as `URLSearchParams` writes it), idempotency keys, the per-attempt
//! timeout, the body-size cap, and retries with backoff and `Retry-After`.

use std::time::{Duration, SystemTime};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use reqwest::Url;

use super::errors::Failure;
use crate::api_location::ApiLocation;
use crate::http::{self, FetchError};

/// Upper bound for one API response body.
pub const API_BODY_LIMIT: usize = 16 * 1024 * 1024;
/// Retries after the first attempt (the current SDK's `maxRetries` default).
const MAX_RETRIES: u32 = 3;
/// Answers worth another attempt: timeouts, rate limits and transient server failures.
const RETRY_STATUSES: [u16; 6] = [408, 429, 500, 502, 503, 504];
/// A `Retry-After` longer than this is cut to it.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(60);
/// What stays literal in an id's path segment: RFC 3986 unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// `parts[0] id[0] parts[1] id[1] …` (a template literal's pieces): each id percent-encoded into its
/// own segment, so it can never reach another path; ids that are empty, `.` or `..` are refused.
pub fn api_path(parts: &[String], ids: &[String]) -> Result<String, Failure> {
  if parts.len() != ids.len() + 1 {
    return Err(Failure::InvalidArgument(format!(
      "a path of {} parts needs {} ids, got {}",
      parts.len(),
      parts.len().saturating_sub(1),
      ids.len()
    )));
  }
  let mut path = parts[0].clone();
  for (id, part) in ids.iter().zip(&parts[1..]) {
    if matches!(id.as_str(), "" | "." | "..") {
      let template = parts.join("{}");
      return Err(Failure::InvalidArgument(format!(
        "the id in {template} must not be empty, \".\" or \"..\", got {id:?}"
      )));
    }
    path.extend(utf8_percent_encode(id, SEGMENT));
    path.push_str(part);
  }
  Ok(path)
}

/// The path and query of `url`, a URL the SDK finished, when it is on `base_url`'s origin and its
/// path has no empty, `.` or `..` segment (`%2e` is a dot, as URL parsers read it) and no `\\` or
/// control character: a request that would resolve elsewhere than it reads is refused, not sent.
pub fn finished_path(base_url: &str, url: &str) -> Result<String, Failure> {
  let refuse = |why: &str| {
    Err(Failure::InvalidArgument(format!(
      "[WorkOS] refused to send {url:?}: {why}"
    )))
  };
  if url.contains('#') || url.chars().any(|c| c.is_control() || c == '\\') {
    return refuse("a URL with '#', '\\' or a control character");
  }
  let after_scheme = url.find("://").map_or(0, |i| i + 3);
  let Some(path_at) = url[after_scheme..].find('/').map(|i| i + after_scheme) else {
    return refuse("no path");
  };
  let (Ok(target), Ok(base)) = (Url::parse(url), Url::parse(base_url)) else {
    return refuse("not a URL");
  };
  if target.origin() != base.origin() || !target.username().is_empty() || target.password().is_some() {
    return refuse(&format!("not on {base_url}"));
  }
  let rest = &url[path_at..];
  let path = rest.split('?').next().unwrap_or_default();
  for segment in path[1..].split('/') {
    let dots = segment.to_ascii_lowercase().replace("%2e", ".");
    if matches!(dots.as_str(), "" | "." | "..") {
      return refuse("a path segment that is empty, '.' or '..'");
    }
  }
  Ok(rest.to_string())
}

/// One request, ready to send (and to send again).
pub struct Call {
  pub method: Method,
  pub path: String,
  /// Query members in order; `None` marks the slot of the pagination cursor (left out without one).
  pub query: Vec<(String, Option<String>)>,
  pub body: Option<String>,
  pub headers: HeaderMap,
}

impl Call {
  /// The URL with `cursor` in the cursor slot of the query.
  fn url(&self, base_url: &str, cursor: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in &self.query {
      if let Some(value) = value.as_deref().or(cursor) {
        query.append_pair(name, value);
      }
    }
    match query.finish() {
      q if q.is_empty() => format!("{base_url}{}", self.path),
      q => format!("{base_url}{}?{q}", self.path),
    }
  }
}

/// An HTTP answer, whatever its status.
pub struct Answer {
  pub status: u16,
  /// The headers whose value is text, in the order sent.
  pub headers: Vec<(String, String)>,
  pub body: Vec<u8>,
  pub retry_after: Option<String>,
}

impl Answer {
  pub fn is_success(&self) -> bool {
    (200..300).contains(&self.status)
  }
}

/// The client's location and default headers (the API key among them, marked sensitive).
pub struct WorkOsApi {
  location: ApiLocation,
  headers: HeaderMap,
}

impl WorkOsApi {
  /// `Accept` and `Content-Type: application/json`, and `Authorization: Bearer <api_key>`; a
  /// request's own headers replace them (the SDK sends a user's access token that way).
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

  /// Sends `call` (with `cursor` in its cursor slot), retrying timeouts, network failures and
  /// [`RETRY_STATUSES`] up to [`MAX_RETRIES`] times; when they run out, the last answer or failure.
  /// A POST always carries an `Idempotency-Key`: the call's own, or `<key_prefix><uuid>`, the same on
  /// every attempt, so a retried POST cannot apply twice.
  pub async fn send(&self, call: &Call, cursor: Option<&str>, key_prefix: &str) -> Result<Answer, Failure> {
    let idempotency = HeaderName::from_static("idempotency-key");
    let mut headers = self.headers.clone();
    headers.extend(call.headers.clone());
    if call.method == Method::POST && !headers.contains_key(&idempotency) {
      let key = format!("{key_prefix}{}", uuid::Uuid::new_v4());
      headers.insert(idempotency, header_value(&key)?);
    }
    let url = call.url(&self.location.base_url, cursor);
    let mut retries = 0;
    loop {
      let outcome = self.attempt(call, &url, &headers).await;
      let wait = match &outcome {
        Ok(answer) if RETRY_STATUSES.contains(&answer.status) => answer.retry_after.as_deref().and_then(retry_after),
        Err(failure) if failure.is_transient() => None,
        _ => return outcome,
      };
      if retries >= MAX_RETRIES {
        return outcome;
      }
      retries += 1;
      tokio::time::sleep(wait.unwrap_or_else(|| backoff(retries))).await;
    }
  }

  async fn attempt(&self, call: &Call, url: &str, headers: &HeaderMap) -> Result<Answer, Failure> {
    let client = http::client().map_err(|e| Failure::Internal(e.to_string()))?;
    let mut request = client.request(call.method.clone(), url).headers(headers.clone());
    if let Some(body) = &call.body {
      request = request.body(body.clone());
    }
    let work = async {
      let response = request.send().await.map_err(http::classify)?;
      let status = response.status().as_u16();
      let headers = response.headers().clone();
      let body = http::read_body_limited(response, API_BODY_LIMIT).await?;
      Ok::<_, FetchError>((status, headers, body))
    };
    let (status, headers, body) = match tokio::time::timeout(self.location.timeout, work).await {
      Err(_) | Ok(Err(FetchError::Timeout)) => return Err(Failure::Timeout),
      Ok(Err(FetchError::TooLarge)) => return Err(Failure::TooLarge(API_BODY_LIMIT)),
      Ok(Err(e)) => return Err(Failure::Network(e.to_string())),
      Ok(Ok(answer)) => answer,
    };
    let retry_after = headers
      .get("retry-after")
      .and_then(|v| v.to_str().ok())
      .map(str::to_string);
    let headers = headers
      .iter()
      .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_string())))
      .collect();
    Ok(Answer {
      status,
      headers,
      body,
      retry_after,
    })
  }
}

fn header_value(value: &str) -> Result<HeaderValue, Failure> {
  HeaderValue::from_str(value).map_err(|_| Failure::InvalidArgument(format!("{value:?} cannot be sent in a header")))
}

/// Header pairs as a map; a later pair replaces an earlier one of the same name.
pub fn header_map(pairs: &[(String, String)]) -> Result<HeaderMap, Failure> {
  let mut headers = HeaderMap::new();
  for (name, value) in pairs {
    let name = HeaderName::from_bytes(name.as_bytes())
      .map_err(|_| Failure::InvalidArgument(format!("{name:?} is not a header name")))?;
    headers.insert(name, header_value(value)?);
  }
  Ok(headers)
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
fn retry_after(value: &str) -> Option<Duration> {
  retry_after_at(value, SystemTime::now())
}

fn retry_after_at(value: &str, now: SystemTime) -> Option<Duration> {
  let value = value.trim();
  let wait = match value.parse::<f64>() {
    Ok(seconds) if seconds.is_finite() && seconds >= 0.0 => Duration::from_secs_f64(seconds.min(3600.0)),
    Ok(_) => return None,
    Err(_) => httpdate::parse_http_date(value)
      .ok()?
      .duration_since(now)
      .unwrap_or(Duration::ZERO),
  };
  Some(wait.min(RETRY_AFTER_CAP))
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::time::UNIX_EPOCH;

  fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
  }

  #[test]
  fn ids_stay_in_their_segment() {
    let users = strings(&["/user_management/users/", ""]);
    assert_eq!(
      api_path(&users, &strings(&["user_1"])).unwrap(),
      "/user_management/users/user_1"
    );
    assert_eq!(
      api_path(&users, &strings(&["a/../b"])).unwrap(),
      "/user_management/users/a%2F..%2Fb"
    );
    assert_eq!(
      api_path(&users, &strings(&["a?b#c d"])).unwrap(),
      "/user_management/users/a%3Fb%23c%20d"
    );
    assert_eq!(
      api_path(&users, &strings(&["ü:~"])).unwrap(),
      "/user_management/users/%C3%BC%3A~"
    );
    let sessions = strings(&["/user_management/users/", "/sessions"]);
    assert_eq!(
      api_path(&sessions, &strings(&["u 1"])).unwrap(),
      "/user_management/users/u%201/sessions"
    );
    for bad in ["", ".", ".."] {
      assert!(matches!(
        api_path(&users, &strings(&[bad])),
        Err(Failure::InvalidArgument(_))
      ));
    }
    assert!(api_path(&users, &[]).is_err(), "an id missing");
  }

  #[test]
  fn queries_are_written_as_url_search_params_and_the_cursor_fills_its_slot() {
    let call = Call {
      method: Method::GET,
      path: "/p".into(),
      query: vec![
        ("a b".into(), Some("x/y*z~ü".into())),
        ("after".into(), None),
        ("order".into(), Some("desc".into())),
      ],
      body: None,
      headers: HeaderMap::new(),
    };
    assert_eq!(call.url("http://h", None), "http://h/p?a+b=x%2Fy*z%7E%C3%BC&order=desc");
    assert_eq!(
      call.url("http://h", Some("u 1")),
      "http://h/p?a+b=x%2Fy*z%7E%C3%BC&after=u+1&order=desc"
    );
    let bare = Call { query: vec![], ..call };
    assert_eq!(bare.url("http://h", None), "http://h/p");
  }

  #[test]
  fn retry_after_takes_seconds_or_a_date_and_is_capped() {
    let now = UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
    let at = |v: &str| retry_after_at(v, now);
    assert_eq!(at("2"), Some(Duration::from_secs(2)));
    assert_eq!(at("0.5"), Some(Duration::from_millis(500)));
    assert_eq!(at("86400"), Some(RETRY_AFTER_CAP));
    assert_eq!(at("Sun, 06 Nov 1994 08:49:47 GMT"), Some(Duration::from_secs(10)));
    assert_eq!(
      at("Sunday, 06-Nov-94 08:49:47 GMT"),
      Some(Duration::from_secs(10)),
      "RFC 850"
    );
    assert_eq!(at("Sun Nov  6 08:49:47 1994"), Some(Duration::from_secs(10)), "asctime");
    assert_eq!(at("Sun, 06 Nov 1994 08:49:00 GMT"), Some(Duration::ZERO));
    // A year no clock reaches, and nonsense, are no wait at all rather than an overflow.
    assert_eq!(at("Fri, 31 Dec 99999999999 23:59:59 GMT"), None);
    assert_eq!(at("-1"), None);
    assert_eq!(at("soon"), None);
  }

  #[test]
  fn the_key_is_sent_unless_the_request_brings_its_own_authorization() {
    let location = ApiLocation {
      base_url: "https://h".into(),
      timeout: Duration::from_secs(1),
    };
    let api = WorkOsApi::new("sk_1", location.clone()).unwrap();
    assert_eq!(api.headers[AUTHORIZATION], "Bearer sk_1");
    assert!(api.headers[AUTHORIZATION].is_sensitive());
    assert!(WorkOsApi::new("sk\n", location).is_err());
  }

  #[test]
  fn finished_paths_stay_on_the_api_and_in_their_segments() {
    let base = "http://127.0.0.1:8080";
    let ok = |url: &str| finished_path(base, url).unwrap();
    assert_eq!(
      ok("http://127.0.0.1:8080/user_management/users/u%201"),
      "/user_management/users/u%201"
    );
    assert_eq!(
      ok("http://127.0.0.1:8080/vault/v1/kv?after=a%2F..&limit=2"),
      "/vault/v1/kv?after=a%2F..&limit=2"
    );
    assert_eq!(ok("http://127.0.0.1:8080/users/a%2F..%2Fb"), "/users/a%2F..%2Fb");
    assert_eq!(
      finished_path("https://h:443", "https://h/x").unwrap(),
      "/x",
      "the default port is the same origin"
    );
    for bad in [
      "http://127.0.0.1:8080/users/../b",
      "http://127.0.0.1:8080/users/./b",
      "http://127.0.0.1:8080/users/%2E%2e/b",
      "http://127.0.0.1:8080/users//b",
      "http://127.0.0.1:8080/users/",
      "http://127.0.0.1:8080/users/a#b",
      "http://127.0.0.1:8080/users/a\\b",
      "http://127.0.0.1:8080/users/a\tb",
      "http://127.0.0.1:8080",
      "http://127.0.0.1:8081/users",
      "https://127.0.0.1:8080/users",
      "http://evil.example/users",
      "http://u:p@127.0.0.1:8080/users",
      "//127.0.0.1:8080/users",
      "/users",
    ] {
      assert!(
        matches!(finished_path(base, bad), Err(Failure::InvalidArgument(_))),
        "{bad}"
      );
    }
  }
}
