//! JSON objects of a JWT (header and payload), parsed strictly, and the claims rules.

use std::fmt;

use serde::de::{Deserializer, Error as _, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::jwt::{Reason, Rejection};

/// A JSON object whose top-level member names are unique. A repeated name is an error instead of
/// "last one wins", so a token cannot show one `aud` to one parser and another to the next.
pub struct StrictObject(pub Map<String, Value>);

impl<'de> Deserialize<'de> for StrictObject {
  fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
    struct ObjectVisitor;
    impl<'de> Visitor<'de> for ObjectVisitor {
      type Value = StrictObject;
      fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
      }
      fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<StrictObject, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
          if map.contains_key(&key) {
            return Err(A::Error::custom(format!("duplicate member {key:?}")));
          }
          let value: Value = access.next_value()?;
          map.insert(key, value);
        }
        Ok(StrictObject(map))
      }
    }
    deserializer.deserialize_map(ObjectVisitor)
  }
}

/// Parses bytes as one strict JSON object (valid UTF-8, unique top-level names, nothing after it).
pub fn parse_object(bytes: &[u8]) -> Option<Map<String, Value>> {
  serde_json::from_slice::<StrictObject>(bytes).ok().map(|o| o.0)
}

/// Which machine-to-machine tokens (WorkOS Connect M2M applications: no `sid`, `sub` = `client_id`)
/// are accepted (config `machineTokens`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum MachineTokens {
  /// None: a token without `sid` is refused, as in 1.x.
  #[default]
  Refused,
  /// Those of every M2M application of the environment.
  Any,
  /// Those of these application client ids.
  Only(Vec<String>),
}

/// What the provider requires of a token's claims.
pub struct ClaimRules<'a> {
  pub issuer: &'a str,
  pub audiences: &'a [String],
  /// The MCP resource URL (`baseURL` + endpoint): when `aud` names it, the session says so.
  pub resource: &'a str,
  /// Clock tolerance in seconds for `exp`, `nbf` and `iat`.
  pub leeway: f64,
  pub machines: &'a MachineTokens,
}

/// The verified claims the session is built from; `payload` is the JSON text exactly as signed.
#[derive(Debug, Clone)]
pub struct VerifiedClaims {
  pub sub: String,
  /// `None` for a machine token.
  pub sid: Option<String>,
  /// A machine-to-machine token (`sub` is the application's client id).
  pub machine: bool,
  pub org_id: Option<String>,
  pub role: Option<String>,
  pub permissions: Option<Vec<String>>,
  /// `client_id`: the OAuth client (the MCP client) the token was issued to.
  pub client_id: Option<String>,
  /// `scope`, split on spaces; empty when absent.
  pub scopes: Vec<String>,
  pub roles: Option<Vec<String>>,
  pub entitlements: Option<Vec<String>>,
  /// `feature_flags`.
  pub feature_flags: Option<Vec<String>>,
  /// `act` (who acts for the user: an impersonating admin, or an application after a token
  /// exchange), as its JSON text.
  pub act: Option<Box<str>>,
  /// Whether `act.sub` names an application (a WorkOS client id): the token came from a token
  /// exchange, not from an impersonation.
  pub act_is_application: bool,
  /// Whether `aud` names the MCP resource URL.
  pub resource_audience: bool,
  pub exp: f64,
  pub nbf: Option<f64>,
  pub iat: Option<f64>,
  /// The payload's JSON text. JavaScript parses it (`JSON.parse`), so every member, `__proto__`
  /// included, becomes plain own data, exactly as the token carried it.
  pub payload: Box<str>,
}

fn numeric_date(claims: &Map<String, Value>, name: &str, malformed: Reason) -> Result<Option<f64>, Rejection> {
  match claims.get(name) {
    None => Ok(None),
    Some(Value::Number(n)) => n.as_f64().map(Some).ok_or(Rejection::Invalid(malformed)),
    Some(_) => Err(Rejection::Invalid(malformed)),
  }
}

/// A claim that is an array of strings (all of them), else `None`.
fn string_list(claims: &Map<String, Value>, name: &str) -> Option<Vec<String>> {
  claims.get(name).and_then(Value::as_array).and_then(|list| {
    list
      .iter()
      .map(|item| item.as_str().map(str::to_string))
      .collect::<Option<Vec<_>>>()
  })
}

/// `scope` as RFC 6749 §3.3 writes it: space-separated, each scope once, in token order.
fn scopes(claims: &Map<String, Value>) -> Vec<String> {
  let mut scopes: Vec<String> = Vec::new();
  if let Some(Value::String(scope)) = claims.get("scope") {
    for scope in scope.split(' ').filter(|s| !s.is_empty()) {
      if !scopes.iter().any(|s| s == scope) {
        scopes.push(scope.to_string());
      }
    }
  }
  scopes
}

fn non_empty_string(claims: &Map<String, Value>, name: &str) -> Option<String> {
  claims
    .get(name)
    .and_then(Value::as_str)
    .filter(|s| !s.is_empty())
    .map(str::to_string)
}

/// Parses a signed payload (a strict JSON object) and applies the claims rules: `iss` exact, `aud`
/// containing an accepted audience, `sub` and `sid` non-empty strings, `exp` required, `nbf`/`iat`
/// honoured, all time checks with the leeway. Identity and audience are checked before time, so a
/// token that is both foreign and expired is "invalid" (re-login), not "expired" (refresh).
pub fn check_claims(payload: &[u8], rules: &ClaimRules, now: f64) -> Result<VerifiedClaims, Rejection> {
  let claims = parse_object(payload).ok_or(Rejection::Invalid(Reason::MalformedPayload))?;
  // parse_object accepted the bytes as JSON, so they are UTF-8.
  let payload = std::str::from_utf8(payload).map_err(|_| Rejection::Invalid(Reason::MalformedPayload))?;
  if claims.get("iss").and_then(Value::as_str) != Some(rules.issuer) {
    return Err(Rejection::Invalid(Reason::IssuerMismatch));
  }
  let audiences: Vec<&str> = match claims.get("aud") {
    Some(Value::String(aud)) => vec![aud.as_str()],
    Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
    _ => Vec::new(),
  };
  let audience_ok = audiences.iter().any(|aud| rules.audiences.iter().any(|a| a == aud));
  if !audience_ok {
    return Err(Rejection::Invalid(Reason::AudienceMismatch));
  }
  let sub = non_empty_string(&claims, "sub").ok_or(Rejection::Invalid(Reason::MissingSub))?;
  let sid = non_empty_string(&claims, "sid");
  let client_id = non_empty_string(&claims, "client_id");
  // Without `sid`, only a machine token of an allowed application passes.
  let machine = sid.is_none();
  if machine {
    if *rules.machines == MachineTokens::Refused || client_id.as_deref() != Some(sub.as_str()) {
      return Err(Rejection::Invalid(Reason::MissingSid));
    }
    if let MachineTokens::Only(allowed) = rules.machines {
      if !allowed.contains(&sub) {
        return Err(Rejection::Invalid(Reason::MachineNotAllowed));
      }
    }
  }

  let exp = numeric_date(&claims, "exp", Reason::ExpNotANumber)?.ok_or(Rejection::Invalid(Reason::MissingExp))?;
  let nbf = numeric_date(&claims, "nbf", Reason::NbfNotANumber)?;
  let iat = numeric_date(&claims, "iat", Reason::IatNotANumber)?;
  if nbf.is_some_and(|nbf| nbf > now + rules.leeway) {
    return Err(Rejection::Invalid(Reason::NotYetValid));
  }
  if iat.is_some_and(|iat| iat > now + rules.leeway) {
    return Err(Rejection::Invalid(Reason::IssuedInTheFuture));
  }
  if exp <= now - rules.leeway {
    return Err(Rejection::Expired);
  }

  // Optional session fields are taken only when they have the documented type; `claims` keeps
  // whatever the token carried.
  let org_id = non_empty_string(&claims, "org_id");
  let role = non_empty_string(&claims, "role");
  let (act, act_is_application) = match claims.get("act") {
    Some(act @ Value::Object(members)) => {
      let application = members
        .get("sub")
        .and_then(Value::as_str)
        .is_some_and(|sub| sub.starts_with("client_"));
      (Some(act.to_string().into()), application)
    }
    _ => (None, false),
  };
  Ok(VerifiedClaims {
    sub,
    sid,
    machine,
    org_id,
    role,
    permissions: string_list(&claims, "permissions"),
    client_id,
    scopes: scopes(&claims),
    roles: string_list(&claims, "roles"),
    entitlements: string_list(&claims, "entitlements"),
    feature_flags: string_list(&claims, "feature_flags"),
    act,
    act_is_application,
    resource_audience: audiences.contains(&rules.resource),
    exp,
    nbf,
    iat,
    payload: payload.into(),
  })
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  const NOW: f64 = 1_800_000_000.0;

  fn rules() -> (String, Vec<String>) {
    (
      "https://acme.authkit.app".into(),
      vec!["client_1".into(), "https://mcp.example/mcp".into()],
    )
  }

  fn check(patch: Value) -> Result<VerifiedClaims, Rejection> {
    let mut claims = json!({
      "iss": "https://acme.authkit.app", "aud": "client_1", "sub": "user_1", "sid": "session_1",
      "exp": NOW + 60.0, "iat": NOW - 1.0
    });
    for (k, v) in patch.as_object().unwrap() {
      if v.is_null() {
        claims.as_object_mut().unwrap().remove(k);
      } else {
        claims[k] = v.clone();
      }
    }
    let (issuer, audiences) = rules();
    let rules = ClaimRules {
      issuer: &issuer,
      audiences: &audiences,
      resource: "https://mcp.example/mcp",
      leeway: 30.0,
      machines: &MachineTokens::Refused,
    };
    check_claims(claims.to_string().as_bytes(), &rules, NOW)
  }

  #[test]
  fn a_valid_token_yields_the_session_fields() {
    let ok = check(json!({"org_id": "org_1", "role": "admin", "permissions": ["a", "b"]})).unwrap();
    assert_eq!(
      (ok.sub.as_str(), ok.sid.as_deref().unwrap_or(""), ok.org_id.as_deref()),
      ("user_1", "session_1", Some("org_1"))
    );
    assert_eq!(ok.permissions, Some(vec!["a".to_string(), "b".to_string()]));
  }

  #[test]
  fn authorization_claims_are_taken_when_they_have_their_documented_type() {
    let ok = check(json!({
      "client_id": "client_mcp", "scope": "openid  files:read files:read deploy", "roles": ["admin", "member"],
      "entitlements": ["pro"], "feature_flags": ["beta"], "act": {"sub": "admin@example.com", "__proto__": {"x": 1}},
      "aud": ["client_1", "https://mcp.example/mcp"]
    }))
    .unwrap();
    assert_eq!(ok.client_id.as_deref(), Some("client_mcp"));
    assert_eq!(ok.scopes, vec!["openid", "files:read", "deploy"]);
    assert_eq!(ok.roles, Some(vec!["admin".to_string(), "member".to_string()]));
    assert_eq!(ok.entitlements, Some(vec!["pro".to_string()]));
    assert_eq!(ok.feature_flags, Some(vec!["beta".to_string()]));
    assert_eq!(
      ok.act.as_deref(),
      Some(r#"{"sub":"admin@example.com","__proto__":{"x":1}}"#)
    );
    assert!(ok.resource_audience);
    let odd =
      check(json!({"client_id": 5, "scope": ["a"], "roles": ["a", 1], "entitlements": "pro", "act": "admin"})).unwrap();
    assert_eq!(
      (
        odd.client_id,
        odd.scopes.len(),
        odd.roles,
        odd.entitlements,
        odd.act,
        odd.resource_audience
      ),
      (None, 0, None, None, None, false)
    );
  }

  #[test]
  fn expiry_honours_the_leeway_exactly() {
    assert!(check(json!({"exp": NOW - 29.0})).is_ok());
    assert_eq!(check(json!({"exp": NOW - 30.0})).unwrap_err(), Rejection::Expired);
    assert_eq!(check(json!({"exp": 0})).unwrap_err(), Rejection::Expired);
    assert_eq!(
      check(json!({"exp": null})).unwrap_err(),
      Rejection::Invalid(Reason::MissingExp)
    );
    assert_eq!(
      check(json!({"exp": "9999999999"})).unwrap_err(),
      Rejection::Invalid(Reason::ExpNotANumber)
    );
  }

  #[test]
  fn nbf_and_iat_in_the_future_are_rejected() {
    assert!(check(json!({"nbf": NOW + 30.0})).is_ok());
    assert_eq!(
      check(json!({"nbf": NOW + 31.0})).unwrap_err(),
      Rejection::Invalid(Reason::NotYetValid)
    );
    assert_eq!(
      check(json!({"nbf": "0"})).unwrap_err(),
      Rejection::Invalid(Reason::NbfNotANumber)
    );
    assert_eq!(
      check(json!({"iat": NOW + 31.0})).unwrap_err(),
      Rejection::Invalid(Reason::IssuedInTheFuture)
    );
  }

  #[test]
  fn issuer_and_audience_must_match() {
    assert_eq!(
      check(json!({"iss": "https://acme.authkit.app/"})).unwrap_err(),
      Rejection::Invalid(Reason::IssuerMismatch)
    );
    assert_eq!(
      check(json!({"iss": "https://ACME.authkit.app"})).unwrap_err(),
      Rejection::Invalid(Reason::IssuerMismatch)
    );
    assert!(check(json!({"aud": ["other", "https://mcp.example/mcp"]})).is_ok());
    for aud in [json!([]), json!(["other"]), json!(null), json!(5)] {
      assert_eq!(
        check(json!({ "aud": aud })).unwrap_err(),
        Rejection::Invalid(Reason::AudienceMismatch)
      );
    }
  }

  #[test]
  fn machine_tokens_only_when_allowed() {
    let (issuer, audiences) = rules();
    let machine = json!({
      "iss": "https://acme.authkit.app", "aud": "client_1", "sub": "client_m2m", "client_id": "client_m2m",
      "org_id": "org_1", "scope": "read", "exp": NOW + 60.0
    });
    let judge = |policy: MachineTokens, claims: &Value| {
      let rules = ClaimRules {
        issuer: &issuer,
        audiences: &audiences,
        resource: "https://mcp.example/mcp",
        leeway: 30.0,
        machines: &policy,
      };
      check_claims(claims.to_string().as_bytes(), &rules, NOW)
    };
    assert_eq!(
      judge(MachineTokens::Refused, &machine).unwrap_err(),
      Rejection::Invalid(Reason::MissingSid)
    );
    let ok = judge(MachineTokens::Any, &machine).unwrap();
    assert!(ok.machine && ok.sid.is_none());
    assert!(judge(MachineTokens::Only(vec!["client_m2m".into()]), &machine).is_ok());
    assert_eq!(
      judge(MachineTokens::Only(vec!["client_other".into()]), &machine).unwrap_err(),
      Rejection::Invalid(Reason::MachineNotAllowed)
    );
    // A user token that lost its sid is not a machine token.
    let mut userish = machine.clone();
    userish["sub"] = json!("user_1");
    assert_eq!(
      judge(MachineTokens::Any, &userish).unwrap_err(),
      Rejection::Invalid(Reason::MissingSid)
    );
    let mut no_client = machine.clone();
    no_client.as_object_mut().unwrap().remove("client_id");
    assert_eq!(
      judge(MachineTokens::Any, &no_client).unwrap_err(),
      Rejection::Invalid(Reason::MissingSid)
    );
  }

  #[test]
  fn act_says_whether_an_application_acts() {
    let exchanged = check(json!({"act": {"sub": "client_mcp_server"}})).unwrap();
    assert!(exchanged.act.is_some() && exchanged.act_is_application);
    let impersonated = check(json!({"act": {"sub": "admin@example.com"}})).unwrap();
    assert!(impersonated.act.is_some() && !impersonated.act_is_application);
  }

  #[test]
  fn sub_and_sid_are_required_strings() {
    assert_eq!(
      check(json!({"sub": ""})).unwrap_err(),
      Rejection::Invalid(Reason::MissingSub)
    );
    assert_eq!(
      check(json!({"sid": 5})).unwrap_err(),
      Rejection::Invalid(Reason::MissingSid)
    );
  }

  #[test]
  fn duplicate_members_are_rejected() {
    assert!(parse_object(br#"{"a":1,"a":2}"#).is_none());
    assert!(parse_object(br#"{"a":1} x"#).is_none());
    assert!(parse_object(b"[1]").is_none());
    assert!(parse_object(b"{\"a\":\"\xff\"}").is_none());
    assert!(parse_object(br#"{"a":{"b":1}}"#).is_some());
  }
}
