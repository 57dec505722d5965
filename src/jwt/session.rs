//! The session as it crosses into JavaScript: one string per verified token, built once when the
//! token is verified and kept in the token cache, so a cache hit hands over a string and nothing
//! else (an object tree would cost an N-API call per key).
//!
//! The string is `<cacheable until, Unix ms>,<session JSON>`, for example
//! `1767225630000,{"userId":"user_1","sessionId":"s","expiresAtMs":1767225600000,"claims":{…}}`.
//! The glue (`index.js`, `respond`) splits it at the first comma; the number says how long the
//! glue may reuse this answer for the same `Authorization` header (0: not at all), and the JSON
//! becomes the `Session` when a tool first asks for it. `claims` is the payload's own JSON text, so
//! `JSON.parse` gives every member, `__proto__` included, as plain own data.

use serde::Serialize;
use serde_json::value::RawValue;

use crate::jwt::claims::VerifiedClaims;

/// The `Session` fields, as the glue turns them into the `Session` object (`Date`s made there).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionJson<'a> {
  user_id: &'a str,
  #[serde(skip_serializing_if = "Option::is_none")]
  session_id: Option<&'a str>,
  #[serde(skip_serializing_if = "Option::is_none")]
  organization_id: Option<&'a str>,
  #[serde(skip_serializing_if = "Option::is_none")]
  role: Option<&'a str>,
  #[serde(skip_serializing_if = "Option::is_none")]
  permissions: Option<&'a [String]>,
  expires_at_ms: f64,
  #[serde(skip_serializing_if = "Option::is_none")]
  issued_at_ms: Option<f64>,
  claims: &'a RawValue,
  #[serde(skip_serializing_if = "Option::is_none")]
  client_id: Option<&'a str>,
  scopes: &'a [String],
  /// With a `scopeHierarchy`: `scopes` and every scope they grant.
  #[serde(skip_serializing_if = "Option::is_none")]
  granted_scopes: Option<&'a [String]>,
  #[serde(skip_serializing_if = "Option::is_none")]
  roles: Option<&'a [String]>,
  #[serde(skip_serializing_if = "Option::is_none")]
  entitlements: Option<&'a [String]>,
  #[serde(skip_serializing_if = "Option::is_none")]
  feature_flags: Option<&'a [String]>,
  /// `user` or `machine` (a machine-to-machine token).
  kind: &'static str,
  /// `act`, whoever acts for the user.
  #[serde(skip_serializing_if = "Option::is_none")]
  actor: Option<&'a RawValue>,
  /// `act`, when it names a person rather than an application (an impersonation).
  #[serde(skip_serializing_if = "Option::is_none")]
  impersonator: Option<&'a RawValue>,
  /// The MCP resource URL, when the token's `aud` names it (the SDK's `AuthInfo.resource`).
  #[serde(skip_serializing_if = "Option::is_none")]
  resource: Option<&'a str>,
}

/// Raw JSON text that was parsed before it got here; an empty object keeps the reply valid in the
/// case that cannot happen.
fn raw(json: &str) -> Box<RawValue> {
  RawValue::from_string(json.to_string())
    .or_else(|_| RawValue::from_string("{}".to_string()))
    .unwrap_or_default()
}

/// The reply for a verified token that the glue may reuse until `cacheable_until` (Unix seconds;
/// 0 or less: never); `resource` is the MCP resource URL; `granted_scopes` what the token's scopes
/// grant, when a `scopeHierarchy` is configured.
pub fn reply(
  claims: &VerifiedClaims,
  resource: &str,
  cacheable_until: f64,
  granted_scopes: Option<&[String]>,
) -> String {
  let payload = raw(&claims.payload);
  let act = claims.act.as_deref().map(raw);
  let session = SessionJson {
    user_id: &claims.sub,
    session_id: claims.sid.as_deref(),
    organization_id: claims.org_id.as_deref(),
    role: claims.role.as_deref(),
    permissions: claims.permissions.as_deref(),
    expires_at_ms: claims.exp * 1000.0,
    issued_at_ms: claims.iat.map(|iat| iat * 1000.0),
    claims: &payload,
    client_id: claims.client_id.as_deref(),
    scopes: &claims.scopes,
    granted_scopes,
    roles: claims.roles.as_deref(),
    entitlements: claims.entitlements.as_deref(),
    feature_flags: claims.feature_flags.as_deref(),
    kind: if claims.machine { "machine" } else { "user" },
    actor: act.as_deref(),
    impersonator: act.as_deref().filter(|_| !claims.act_is_application),
    resource: claims.resource_audience.then_some(resource),
  };
  let json = serde_json::to_string(&session).unwrap_or_default();
  let until_ms = if cacheable_until > 0.0 {
    (cacheable_until * 1000.0).floor()
  } else {
    0.0
  };
  format!("{until_ms},{json}")
}

#[cfg(test)]
mod tests {
  use super::*;

  fn claims(payload: &str) -> VerifiedClaims {
    VerifiedClaims {
      sub: "user_1".into(),
      sid: Some("session_1".into()),
      machine: false,
      org_id: Some("org_1".into()),
      role: None,
      permissions: Some(vec!["a".into()]),
      client_id: Some("client_mcp".into()),
      scopes: vec!["openid".into()],
      roles: None,
      entitlements: None,
      feature_flags: Some(vec!["beta".into()]),
      act: Some(r#"{"sub":"admin@example.com"}"#.into()),
      act_is_application: false,
      resource_audience: true,
      exp: 1_800_000_060.0,
      nbf: None,
      iat: Some(1_800_000_000.5),
      payload: payload.into(),
    }
  }

  #[test]
  fn the_reply_is_the_cache_limit_then_the_session_json() {
    let reply = reply(
      &claims(r#"{"sub":"user_1","__proto__":{"x":1}}"#),
      "https://mcp.example/mcp",
      1_800_000_090.25,
      None,
    );
    let (until, json) = reply.split_once(',').unwrap();
    assert_eq!(until, "1800000090250");
    assert_eq!(
      json,
      r#"{"userId":"user_1","sessionId":"session_1","organizationId":"org_1","permissions":["a"],"expiresAtMs":1800000060000.0,"issuedAtMs":1800000000500.0,"claims":{"sub":"user_1","__proto__":{"x":1}},"clientId":"client_mcp","scopes":["openid"],"featureFlags":["beta"],"kind":"user","actor":{"sub":"admin@example.com"},"impersonator":{"sub":"admin@example.com"},"resource":"https://mcp.example/mcp"}"#
    );
  }

  #[test]
  fn an_uncacheable_reply_says_zero() {
    assert!(reply(&claims("{}"), "https://mcp.example/mcp", 0.0, None).starts_with("0,{"));
    let granted = ["openid".to_string(), "profile".to_string()];
    assert!(reply(&claims("{}"), "https://mcp.example/mcp", 0.0, Some(&granted))
      .contains(r#""scopes":["openid"],"grantedScopes":["openid","profile"]"#));
  }
}
