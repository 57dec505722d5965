//! Entry points for the coverage-guided fuzz targets in `fuzz/` (built only with the `fuzzing`
//! feature). Each takes arbitrary bytes and must return without panicking, whatever they are.

use jsonwebtoken::DecodingKey;
use serde_json::{Map, Value};

use crate::jwt::bearer::bearer_token;
use crate::jwt::claims::{check_claims, parse_object, ClaimRules};
use crate::jwt::jwks::{KeySet, RsaKey};
use crate::jwt::verify::{parse_token, verify_with_key};
use crate::workos::ApiErrorData;

const NOW: f64 = 1_800_000_000.0;

fn rules() -> (String, Vec<String>) {
  (
    "https://acme.authkit.app".to_string(),
    vec!["client_1".to_string(), "https://mcp.example/mcp".to_string()],
  )
}

fn fixed_key() -> RsaKey {
  let modulus = [0xC5u8; 256];
  RsaKey {
    kid: Some("k".into()),
    key: DecodingKey::from_rsa_raw_components(&modulus, &[1, 0, 1]),
    fingerprint: [0; 32],
  }
}

/// The whole token path: `Authorization` header parsing, the compact-JWS checks, the signature check
/// against a fixed RSA key, and (through [`claims`]) the claims rules.
pub fn token(data: &[u8]) {
  let Ok(text) = std::str::from_utf8(data) else { return };
  let (issuer, audiences) = rules();
  let rules = ClaimRules {
    issuer: &issuer,
    audiences: &audiences,
    leeway: 30.0,
  };
  for candidate in [Some(text), bearer_token(Some(text))].into_iter().flatten() {
    if let Ok(parsed) = parse_token(candidate) {
      let _ = verify_with_key(&parsed, &fixed_key(), &rules, NOW);
    }
  }
}

/// A payload as it would be after a valid signature: strict JSON object parsing and claims rules.
pub fn claims(data: &[u8]) {
  let (issuer, audiences) = rules();
  let rules = ClaimRules {
    issuer: &issuer,
    audiences: &audiences,
    leeway: 30.0,
  };
  if let Some(object) = parse_object(data) {
    let _ = check_claims(object, &rules, NOW);
  }
}

/// The `Authorization` header parser and the path guard.
pub fn authorization_header(data: &[u8]) {
  let text = String::from_utf8_lossy(data);
  let _ = bearer_token(Some(&text));
  let public = [
    "/.well-known/oauth-protected-resource".to_string(),
    "/.well-known/oauth-protected-resource/mcp".to_string(),
  ];
  let _ = crate::provider::guards(&text, "/mcp", &public);
}

/// Upstream documents: a JWKS, the JSON object check of metadata, and WorkOS API error bodies.
pub fn documents(data: &[u8]) {
  if let Ok(keys) = KeySet::parse(data) {
    let _ = keys.find(Some("k"));
    let _ = keys.find(None);
  }
  if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(data) {
    let status = data.first().map_or(400, |b| 400 + u16::from(*b % 200));
    let _ = ApiErrorData::from_response(status, "/p", String::new(), std::str::from_utf8(data).ok(), map);
  } else {
    let _ = ApiErrorData::from_response(500, "/p", String::new(), None, Map::new());
  }
}
