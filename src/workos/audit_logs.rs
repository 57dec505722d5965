//! `auditLogs`: events and exports, serialized as `@workos-inc/node` 7.x does. The glue turns the
//! `Date` arguments (`occurredAt`, `rangeStart`, `rangeEnd`) into ISO strings before they get here.

use napi_derive::napi;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::js::{Js, Maybe};
use super::{api_path, uuid_v4, wire, ApiErrorData, ApiResult, Call, NativeWorkOS};

/// `serializeCreateAuditLogEventOptions`; `actor`, `targets` and `metadata` pass through as given.
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(deserialize = "camelCase"))]
struct CreateEvent {
  action: Maybe,
  version: Maybe,
  occurred_at: Maybe,
  actor: Maybe,
  targets: Maybe,
  context: Maybe,
  metadata: Maybe,
}

/// `serializeAuditLogExportOptions` (`rangeStart`/`rangeEnd` already ISO strings).
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(deserialize = "camelCase"))]
struct CreateExport {
  actions: Maybe,
  actors: Maybe,
  actor_names: Maybe,
  actor_ids: Maybe,
  organization_id: Maybe,
  range_end: Maybe,
  range_start: Maybe,
  targets: Maybe,
}

/// `deserializeAuditLogExport`.
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(serialize = "camelCase"))]
struct AuditLogExport {
  object: Maybe,
  id: Maybe,
  state: Maybe,
  url: Maybe,
  created_at: Maybe,
  updated_at: Maybe,
}

/// `{ event: <serialized event>, organization_id }`: `context` becomes `{ location, user_agent }`
/// (the SDK reads `event.context.location`, so a missing context is its `TypeError`).
fn event_body(organization: Option<Value>, event: Option<Value>) -> Result<Js, ApiErrorData> {
  let reading =
    |what: &str, of: &str| ApiErrorData::invalid_argument(format!("Cannot read properties of {what} (reading '{of}')"));
  let event = match event {
    None => return Err(reading("undefined", "action")),
    Some(Value::Null) => return Err(reading("null", "action")),
    Some(event) => event,
  };
  let context = match event.get("context") {
    None => return Err(reading("undefined", "location")),
    Some(Value::Null) => return Err(reading("null", "location")),
    Some(context) => Js::Object(vec![
      ("location".into(), Maybe(context.get("location").cloned()).to_js()),
      ("user_agent".into(), Maybe(context.get("userAgent").cloned()).to_js()),
    ]),
  };
  let mut serialized = wire::<CreateEvent>(Some(event))?;
  serialized.set("context", context);
  Ok(Js::Object(vec![
    ("event".into(), serialized),
    ("organization_id".into(), Maybe(organization).to_js()),
  ]))
}

#[napi]
impl NativeWorkOS {
  /// `POST /audit_logs/events` with `Idempotency-Key`: the given one, else `workos-node-<uuid>`.
  #[napi]
  pub async fn audit_logs_create_event(
    &self,
    organization: Option<Value>,
    event: Option<Value>,
    idempotency_key: Option<String>,
  ) -> ApiResult {
    let call = event_body(organization, event).and_then(|body| {
      let key = match idempotency_key.filter(|k| !k.is_empty()) {
        Some(key) => key,
        None => format!("workos-node-{}", uuid_v4()?),
      };
      Ok(Call::post("/audit_logs/events".into(), body).idempotency_key(Some(key)))
    });
    self.execute(call).await
  }

  /// `POST /audit_logs/exports`.
  #[napi]
  pub async fn audit_logs_create_export(&self, options: Option<Value>) -> ApiResult {
    let call = wire::<CreateExport>(options).map(|body| Call::post("/audit_logs/exports".into(), body));
    self.fetch::<AuditLogExport>(call).await
  }

  /// `GET /audit_logs/exports/{id}`.
  #[napi]
  pub async fn audit_logs_get_export(&self, id: String) -> ApiResult {
    let path = api_path("/audit_logs/exports", &[("auditLogExportId", &id)]);
    self.fetch::<AuditLogExport>(path.map(Call::get)).await
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  #[test]
  fn events_are_serialized_like_the_sdk() {
    let body = event_body(
      Some(json!("org_1")),
      Some(json!({ "action": "doc.viewed", "occurredAt": "2024-05-06T07:08:09.123Z", "actor": { "id": "u", "type": "user" },
        "targets": [{ "id": "d", "type": "doc" }], "context": { "location": "1.2.3.4", "userAgent": "UA" }, "metadata": { "k": 1 } })),
    )
    .unwrap();
    assert_eq!(
      body.to_json().unwrap().to_string(),
      r#"{"event":{"action":"doc.viewed","occurred_at":"2024-05-06T07:08:09.123Z","actor":{"id":"u","type":"user"},"targets":[{"id":"d","type":"doc"}],"context":{"location":"1.2.3.4","user_agent":"UA"},"metadata":{"k":1}},"organization_id":"org_1"}"#
    );
    let err = event_body(Some(json!("org_1")), Some(json!({ "action": "a" }))).unwrap_err();
    assert_eq!(
      err.message.as_deref(),
      Some("Cannot read properties of undefined (reading 'location')")
    );
  }
}
