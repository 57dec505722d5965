//! The WorkOS REST API client's native half: one generic transport for every endpoint.
//!
//! The JavaScript glue (`client.js`) declares each `@workos-inc/node` 7.x method as a table row and
//! does what is JavaScript's own: `JSON.stringify` of request entities, `String()` of query values,
//! `JSON.parse` of answers, the SDK's result objects (`undefined` members included) and exceptions.
//! This module does the network: the URL (ids percent-encoded into their segment), headers,
//! idempotency keys, timeouts, body caps, retries with backoff and `Retry-After`, and the walk of a
//! list's pages. It hands back each answer's status, request id and raw body. It also does what 7.x
//! computes without the API, with secrets that stay on this side: webhook and Action signatures
//! (`signature`), vault encryption (`vault`), sealed sessions (`iron`) and their access tokens
//! (`session`).

pub mod errors;
pub mod iron;
pub mod pagination;
pub mod session;
pub mod signature;
pub mod transport;
pub mod vault;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use reqwest::Method;
use serde_json::Value;

use crate::api_location::{parse_api_location, CLIENT_API_FIELDS};
use errors::Failure;
use pagination::Walked;
pub use transport::WorkOsApi;
use transport::{api_path, header_map, Answer, Call};

/// The native half of the `WorkOS` client class (the JS glue gives it the SDK's shape).
#[napi(js_name = "NativeWorkOS")]
pub struct NativeWorkOS {
  pub(crate) api: Arc<WorkOsApi>,
}

/// One API request, as the glue describes it.
#[napi(object)]
pub struct Request {
  /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
  pub method: String,
  /// The path's literal pieces around its ids (a template literal's strings):
  /// `['/user_management/users/', '/sessions']`.
  pub path: Vec<String>,
  /// The ids between the pieces, each percent-encoded into its own segment.
  pub ids: Vec<String>,
  /// Query members in order, values as `String()` writes them; a `null` value is the slot of the
  /// pagination cursor.
  pub query: Vec<(String, Option<String>)>,
  /// The body as sent (`JSON.stringify` of the entity, or a form).
  pub body: Option<String>,
  /// Sent after the client's headers: `Idempotency-Key`, `Authorization`, a form's `Content-Type`.
  pub headers: Vec<(String, String)>,
  /// A POST without an `Idempotency-Key` gets `<keyPrefix><uuid>`; default `retry-`.
  pub key_prefix: Option<String>,
}

/// How a request ended, as data: an HTTP answer (any status), or a `failure` without one.
#[napi(object)]
pub struct Reply {
  /// The HTTP status; 0 with a `failure`.
  pub status: u32,
  /// The answer's `X-Request-ID`, `""` without one.
  pub request_id: String,
  /// The path as sent (ids encoded).
  pub path: String,
  /// The answer declares a JSON body (`Content-Type: application/json`).
  pub json: bool,
  /// The raw body (for a walk: every item of the pages, as one JSON array).
  pub body: Buffer,
  /// The `Retry-After` header, as sent.
  pub retry_after: Option<String>,
  /// No usable answer: `invalid_argument`, `network`, `timeout`, `too_large`, `internal`; or `page`,
  /// a walk stopped at this answer (the reply is that page).
  pub failure: Option<String>,
  /// What failed, in words.
  pub detail: Option<String>,
}

impl Reply {
  fn answer(path: String, answer: Answer) -> Self {
    Reply {
      status: answer.status.into(),
      request_id: answer.request_id,
      path,
      json: answer.json,
      body: answer.body.into(),
      retry_after: answer.retry_after,
      failure: None,
      detail: None,
    }
  }

  fn failure(path: String, failure: &Failure) -> Self {
    Reply {
      status: 0,
      request_id: String::new(),
      path,
      json: false,
      body: Vec::new().into(),
      retry_after: None,
      failure: Some(failure.code().to_string()),
      detail: Some(failure.to_string()),
    }
  }
}

fn call_of(request: Request) -> Result<Call, Failure> {
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
    path: api_path(&request.path, &request.ids)?,
    query: request.query,
    body: request.body,
    headers: header_map(&request.headers)?,
  })
}

#[napi]
impl NativeWorkOS {
  /// `new NativeWorkOS(apiKey, { apiHostname?, https?, port?, timeout? }, headers, appInfo?)`: the
  /// 7.x constructor's location (read by the provider config's parser), `config.headers` as pairs,
  /// and `appInfo` as `<name>: <version>` for the User-Agent.
  #[napi(constructor)]
  pub fn new(
    api_key: String,
    location: Option<Value>,
    headers: Option<Vec<(String, String)>>,
    app_info: Option<String>,
  ) -> napi::Result<Self> {
    let options = match location {
      Some(Value::Object(options)) => options,
      _ => serde_json::Map::new(),
    };
    let location = parse_api_location(&options, &|_| None, &CLIENT_API_FIELDS)?;
    let headers = headers.unwrap_or_default();
    let api = WorkOsApi::with_headers(&api_key, location, &headers, app_info.as_deref())
      .map_err(|e| napi::Error::from_reason(format!("[WorkOS] {e}")))?;
    Ok(NativeWorkOS { api: Arc::new(api) })
  }

  /// The base URL every call goes to, e.g. `https://api.workos.com`.
  #[napi(getter)]
  pub fn base_url(&self) -> String {
    self.api.base_url().to_string()
  }

  /// `${baseURL}${path}` with the ids encoded as a request's are (`getJwksUrl`). Throws on an id
  /// that is empty, `.` or `..`.
  #[napi]
  pub fn url(&self, path: Vec<String>, ids: Vec<String>) -> napi::Result<String> {
    catch_unwind(AssertUnwindSafe(|| api_path(&path, &ids)))
      .unwrap_or_else(|_| Err(Failure::Internal("url".into())))
      .map(|path| format!("{}{path}", self.api.base_url()))
      .map_err(|e| napi::Error::from_reason(e.to_string()))
  }

  /// Sends one request; resolves to its answer, whatever the status, or to its failure.
  #[napi]
  pub async fn request(&self, request: Request) -> Reply {
    let api = self.api.clone();
    guarded(async move {
      let prefix = request.key_prefix.clone().unwrap_or_else(|| "retry-".into());
      let call = call_of(request)?;
      Ok(match api.send(&call, None, &prefix).await {
        Ok(answer) => Reply::answer(call.path, answer),
        Err(failure) => Reply::failure(call.path, &failure),
      })
    })
    .await
  }

  /// `autoPagination()`: the pages of a list request from `start` (none: the head of the list),
  /// following `list_metadata.after`. `pauseFirst`: the walk goes on from a page the caller has, so
  /// it waits before the first fetch too. Resolves to every item as one JSON array, or to the page
  /// where the walk stopped (`failure: 'page'`) or its failure.
  #[napi]
  pub async fn paginate(&self, request: Request, start: Option<String>, pause_first: bool) -> Reply {
    let api = self.api.clone();
    guarded(async move {
      let call = call_of(request)?;
      let reply = match pagination::walk(&api, &call, start, pause_first).await {
        Ok(Walked::Items(items)) => Reply {
          json: true,
          body: items.into(),
          ..Reply::answer(call.path, empty_answer())
        },
        Ok(Walked::Page(answer, reason)) => Reply {
          failure: Some("page".into()),
          detail: Some(reason),
          ..Reply::answer(call.path, answer)
        },
        Err(failure) => Reply::failure(call.path, &failure),
      };
      Ok(reply)
    })
    .await
  }
}

/// The parts of an encrypted vault value (`vault.decode`).
#[napi(object)]
pub struct VaultParts {
  pub iv: Buffer,
  pub tag: Buffer,
  /// The encrypted data keys, base64.
  pub keys: String,
  pub ciphertext: Buffer,
}

/// What `unsealData` found: the sealed JSON text, or nothing (an unreadable seal reads as `{}`).
#[napi(object)]
pub struct Unsealed {
  pub json: Option<String>,
  /// A seal without the iron-session version suffix: its data is under `persistent`.
  pub legacy: bool,
}

#[napi]
impl NativeWorkOS {
  /// `vault.encrypt`: asks the API for a data key (`request`), encrypts `plaintext` with it (and
  /// `aad`) and answers the framed value (base64) as the body; an error answer is handed back as is.
  #[napi]
  pub async fn vault_encrypt(&self, request: Request, plaintext: Buffer, aad: Option<Buffer>) -> Reply {
    let (plaintext, aad) = (plaintext.to_vec(), aad.map(|a| a.to_vec()));
    with_data_key(self.api.clone(), request, move |key, answer| {
      // 7.x reads a missing blob as `atob(undefined)`, which is not base64.
      let keys = answer
        .get("encrypted_keys")
        .and_then(Value::as_str)
        .ok_or(vault::VaultError::NotBase64(vault::NOT_CORRECTLY_ENCODED))?;
      vault::encrypt(&plaintext, key, keys, aad.as_deref()).map(String::into_bytes)
    })
    .await
  }

  /// `vault.decrypt`: asks the API to decrypt the data key of `payload` (`request`), then decrypts
  /// `payload` with it (and `aad`); the plaintext is the body.
  #[napi]
  pub async fn vault_decrypt(&self, request: Request, payload: String, aad: Option<Buffer>) -> Reply {
    let aad = aad.map(|a| a.to_vec());
    with_data_key(self.api.clone(), request, move |key, _| {
      vault::decrypt(&vault::decode(&payload)?, key, aad.as_deref())
    })
    .await
  }

  /// `isValidJwt` of a sealed session's access token: its payload (JSON text) when it verifies
  /// against the key set at `jwksUrl`, else nothing.
  #[napi]
  pub async fn verify_session_token(&self, jwks_url: String, token: String) -> Option<String> {
    let api = self.api.clone();
    let work = async move { api.sessions.verify(&jwks_url, &token).await };
    tokio::spawn(work).await.unwrap_or_else(|_| {
      crate::error::note_internal_failure("session token check");
      None
    })
  }
}

/// Sends `request`; with a successful answer that carries a `data_key`, the body of the reply is
/// `local(key, answer)`. The key is read and used here only.
async fn with_data_key<F>(api: Arc<WorkOsApi>, request: Request, local: F) -> Reply
where
  F: FnOnce(&[u8], &Value) -> Result<Vec<u8>, vault::VaultError> + Send + 'static,
{
  guarded(async move {
    let call = call_of(request)?;
    let answer = match api.send(&call, None, "retry-").await {
      Ok(answer) if answer.is_success() => answer,
      Ok(answer) => return Ok(Reply::answer(call.path, answer)),
      Err(failure) => return Ok(Reply::failure(call.path, &failure)),
    };
    let unusable = |why: &str| Failure::Unusable(format!("the data key answer {why}"));
    let data: Value = serde_json::from_slice(&answer.body).map_err(|_| unusable("is not JSON"))?;
    let key = data
      .get("data_key")
      .and_then(Value::as_str)
      .ok_or_else(|| unusable("has no data_key"))?;
    let key = vault::atob(key).map_err(|_| unusable("has a data_key that is not base64"))?;
    let body = local(&key, &data).map_err(|e| match e {
      vault::VaultError::Crypto(why) => Failure::Crypto(why.into()),
      other => Failure::InvalidArgument(other.to_string()),
    })?;
    Ok(Reply {
      json: false,
      body: body.into(),
      ..Reply::answer(call.path, empty_answer())
    })
  })
  .await
}

/// `vault.decode`: the parts of an encrypted value. Throws on a value that is not base64 or whose
/// frame cannot be read.
#[napi(catch_unwind)]
pub fn vault_decode(payload: String) -> napi::Result<VaultParts> {
  let decoded = vault::decode(&payload).map_err(|e| napi::Error::from_reason(e.to_string()))?;
  Ok(VaultParts {
    iv: decoded.iv.into(),
    tag: decoded.tag.into(),
    keys: decoded.keys,
    ciphertext: decoded.ciphertext.into(),
  })
}

/// The signature of a webhook or Action payload: HMAC-SHA256 of `message` (`<timestamp>.<JSON>`)
/// with `secret`, lower-case hex.
#[napi(catch_unwind)]
pub fn payload_signature(message: String, secret: String) -> String {
  signature::sign(&message, &secret)
}

/// Whether `signature` is the signature of `message` with `secret` (compared in constant time).
#[napi(catch_unwind)]
pub fn payload_signature_matches(message: String, secret: String, signature: String) -> bool {
  signature::matches(&message, &secret, &signature)
}

/// iron-session's `sealData(json, { password, ttl: 0 })`: the sealed session cookie.
#[napi(catch_unwind)]
pub fn seal_session(json: String, password: String) -> napi::Result<String> {
  iron::seal(&json, &password).map_err(napi::Error::from_reason)
}

/// iron-session's `unsealData(seal, { password })`. Throws what iron-session throws.
#[napi(catch_unwind)]
pub fn unseal_session(sealed: String, password: String) -> napi::Result<Unsealed> {
  let now = crate::jwt::verify::unix_now() * 1000.0;
  Ok(
    match iron::unseal(&sealed, &password, now).map_err(napi::Error::from_reason)? {
      iron::Unsealed::Current(json) => Unsealed {
        json: Some(json),
        legacy: false,
      },
      iron::Unsealed::Legacy(json) => Unsealed {
        json: Some(json),
        legacy: true,
      },
      iron::Unsealed::Empty => Unsealed {
        json: None,
        legacy: false,
      },
    },
  )
}

fn empty_answer() -> Answer {
  Answer {
    status: 200,
    request_id: String::new(),
    json: true,
    body: Vec::new(),
    retry_after: None,
  }
}

/// Runs an API call on the runtime; a panic inside it, or a request that cannot be formed, becomes a
/// failure reply instead of reaching Node.
async fn guarded<F>(work: F) -> Reply
where
  F: std::future::Future<Output = Result<Reply, Failure>> + Send + 'static,
{
  match tokio::spawn(work).await {
    Ok(Ok(reply)) => reply,
    Ok(Err(failure)) => Reply::failure(String::new(), &failure),
    Err(_) => {
      crate::error::note_internal_failure("WorkOS API call");
      Reply::failure(String::new(), &Failure::Internal("the call panicked".into()))
    }
  }
}
