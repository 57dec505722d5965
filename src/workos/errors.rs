//! WorkOS API failures, classified exactly as `@workos-inc/node` 7.x `handleHttpError` does, and
//! handed to the glue as data (the glue constructs the SDK's exception classes from it).

use napi_derive::napi;
use serde_json::{Map, Value};

/// One failed API call, as the fields of the SDK exception it becomes.
#[napi(object)]
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ApiErrorData {
  /// The exception class: `UnauthorizedException`, `NotFoundException`, `ConflictException`,
  /// `UnprocessableEntityException`, `RateLimitExceededException`, `OauthException`,
  /// `BadRequestException`, `GenericServerException`, `ParseError`, or `Error` / `TypeError` for
  /// failures that are not HTTP answers.
  pub kind: String,
  /// The HTTP status (for a `ParseError`, the status of the response that could not be parsed).
  pub status: Option<u32>,
  pub message: Option<String>,
  pub code: Option<String>,
  pub request_id: String,
  pub path: Option<String>,
  pub error: Option<String>,
  pub error_description: Option<String>,
  pub errors: Option<Value>,
  pub raw_data: Option<Value>,
  pub raw_body: Option<String>,
  pub retry_after: Option<f64>,
  /// For an `Error`: the class of the error it wraps, as the SDK's `Unexpected error: <cause>`
  /// (`TypeError` for a failed fetch, `ParseError` for an error answer whose body is not JSON).
  pub cause: Option<String>,
  /// What actually failed underneath (the connection error), for logs.
  pub detail: Option<String>,
}

fn string_member(data: &Map<String, Value>, name: &str) -> Option<String> {
  match data.get(name) {
    Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
    _ => None,
  }
}

impl ApiErrorData {
  /// A non-2xx answer with its decoded JSON body (`{}` when the body was not JSON).
  pub fn from_response(
    status: u16,
    path: &str,
    request_id: String,
    retry_after: Option<&str>,
    data: Map<String, Value>,
  ) -> Self {
    let message = string_member(&data, "message");
    let code = string_member(&data, "code");
    let error = string_member(&data, "error");
    let error_description = string_member(&data, "error_description");
    let errors = data.get("errors").filter(|e| !e.is_null()).cloned();
    let base = ApiErrorData {
      status: Some(status as u32),
      request_id,
      ..Default::default()
    };
    match status {
      401 => ApiErrorData {
        kind: "UnauthorizedException".into(),
        ..base
      },
      409 => ApiErrorData {
        kind: "ConflictException".into(),
        message,
        error,
        ..base
      },
      422 => ApiErrorData {
        kind: "UnprocessableEntityException".into(),
        message,
        code,
        errors,
        ..base
      },
      404 => ApiErrorData {
        kind: "NotFoundException".into(),
        message,
        code,
        path: Some(path.to_string()),
        ..base
      },
      429 => ApiErrorData {
        kind: "RateLimitExceededException".into(),
        message,
        // The SDK uses `header ? Number(header) : null`: a missing or empty header is null, a
        // non-numeric one NaN.
        retry_after: retry_after
          .filter(|v| !v.is_empty())
          .map(|v| v.trim().parse::<f64>().unwrap_or(f64::NAN)),
        ..base
      },
      _ if error.is_some() || error_description.is_some() => ApiErrorData {
        kind: "OauthException".into(),
        error,
        error_description,
        raw_data: Some(Value::Object(data)),
        ..base
      },
      _ if code.is_some() && errors.is_some() => ApiErrorData {
        kind: "BadRequestException".into(),
        message,
        code,
        errors,
        ..base
      },
      _ => ApiErrorData {
        kind: "GenericServerException".into(),
        message,
        raw_data: Some(Value::Object(data)),
        ..base
      },
    }
  }

  /// A successful response whose body claimed to be JSON but was not: a `ParseError` carrying the
  /// raw body (the glue words the message as `JSON.parse` would).
  pub fn parse_error(status: u16, request_id: String, raw_body: String) -> Self {
    ApiErrorData {
      kind: "ParseError".into(),
      status: Some(status as u32),
      request_id,
      raw_body: Some(raw_body),
      ..Default::default()
    }
  }

  /// An error answer whose body is not JSON. The SDK's `JSON.parse` fails inside its fetch, and the
  /// `ParseError` reaches the caller wrapped: `Error('Unexpected error: ParseError: …')`.
  pub fn unparsable_error_answer(status: u16, request_id: String, raw_body: String) -> Self {
    ApiErrorData {
      kind: "Error".into(),
      cause: Some("ParseError".into()),
      ..ApiErrorData::parse_error(status, request_id, raw_body)
    }
  }

  /// A 2xx answer the method cannot use (not JSON, or not the shape of the result).
  pub fn unexpected_answer(status: u16, request_id: String, message: String, raw_body: String) -> Self {
    ApiErrorData {
      message: Some(message),
      ..ApiErrorData::parse_error(status, request_id, raw_body)
    }
  }

  /// No HTTP answer at all (connection refused or reset, TLS failure): the SDK's
  /// `Error('Unexpected error: TypeError: fetch failed')`, with what failed as `detail`.
  pub fn network(detail: &str) -> Self {
    ApiErrorData {
      kind: "Error".into(),
      message: Some("Unexpected error: TypeError: fetch failed".into()),
      cause: Some("TypeError".into()),
      detail: Some(detail.to_string()),
      ..Default::default()
    }
  }

  /// A failure of the client itself (not of the API), as a plain `Error`.
  pub fn internal(detail: &str) -> Self {
    ApiErrorData {
      kind: "Error".into(),
      message: Some(format!("Unexpected error: {detail}")),
      ..Default::default()
    }
  }

  /// The per-request timeout passed. The SDK turns its abort into a 408 whose body is
  /// `{ error: 'Request timeout' }`, which its classifier reports as an `OauthException`.
  pub fn timeout() -> Self {
    let mut data = Map::new();
    data.insert("error".into(), Value::String("Request timeout".into()));
    ApiErrorData::from_response(408, "", String::new(), None, data)
  }

  /// The caller passed an argument that cannot form a request.
  pub fn invalid_argument(message: impl Into<String>) -> Self {
    ApiErrorData {
      kind: "TypeError".into(),
      message: Some(message.into()),
      ..Default::default()
    }
  }

  /// The SDK throws a plain `Error` for this misuse (e.g. `sso.getAuthorizationUrl` without a target).
  pub fn plain(message: impl Into<String>) -> Self {
    ApiErrorData {
      kind: "Error".into(),
      message: Some(message.into()),
      ..Default::default()
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  fn classify(status: u16, body: Value) -> ApiErrorData {
    ApiErrorData::from_response(
      status,
      "/p",
      "req_1".into(),
      Some("7"),
      body.as_object().unwrap().clone(),
    )
  }

  #[test]
  fn statuses_map_to_the_sdk_classes() {
    assert_eq!(classify(401, json!({})).kind, "UnauthorizedException");
    let nf = classify(404, json!({"message": "User not found", "code": "entity_not_found"}));
    assert_eq!(
      (nf.kind.as_str(), nf.message.as_deref(), nf.code.as_deref()),
      ("NotFoundException", Some("User not found"), Some("entity_not_found"))
    );
    assert_eq!(classify(429, json!({})).retry_after, Some(7.0));
    let empty = ApiErrorData::from_response(429, "/p", String::new(), Some(""), Map::new());
    assert_eq!(empty.retry_after, None);
    assert_eq!(classify(400, json!({"error": "invalid_grant"})).kind, "OauthException");
    assert_eq!(
      classify(400, json!({"code": "x", "errors": []})).kind,
      "BadRequestException"
    );
    assert_eq!(classify(500, json!({"message": "boom"})).kind, "GenericServerException");
    assert_eq!(classify(409, json!({})).kind, "ConflictException");
    assert_eq!(
      classify(422, json!({"errors": [{"code": "c"}]})).kind,
      "UnprocessableEntityException"
    );
  }
}
