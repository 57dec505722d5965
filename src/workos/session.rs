//! The access token inside a sealed session, checked as 7.x's `isValidJwt` does (jose's `jwtVerify`
//! with the environment's key set at `<baseURL>/sso/jwks/<clientId>` and no other option): an RS256
//! signature by a published key, `exp` not passed and `nbf` reached, without clock tolerance. The
//! key set is cached per URL like the AuthKit one (jose's `cooldownDuration` of 5 minutes for an
//! unknown `kid`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jsonwebtoken::Algorithm;
use serde_json::Value;

use crate::jwt::b64;
use crate::jwt::claims::parse_object;
use crate::jwt::jwks::{JwksCache, JwksPolicy, KeyLookup, MAX_KID_LEN};
use crate::jwt::verify::{unix_now, MAX_TOKEN_BYTES};

const POLICY: JwksPolicy = JwksPolicy {
  max_age: Duration::from_secs(600),
  cooldown: Duration::from_secs(300),
  timeout: Duration::from_secs(5),
  warm_up: false,
};

/// The key sets of one client, by URL.
#[derive(Default)]
pub struct SessionKeys {
  caches: Mutex<HashMap<String, Arc<JwksCache>>>,
}

impl SessionKeys {
  fn cache(&self, url: &str) -> Arc<JwksCache> {
    let mut caches = self.caches.lock().unwrap_or_else(|e| e.into_inner());
    caches
      .entry(url.to_string())
      .or_insert_with(|| JwksCache::new(url.to_string(), POLICY, None))
      .clone()
  }

  /// The payload (JSON text) of `token` when it is valid for the key set at `jwks_url`.
  pub async fn verify(&self, jwks_url: &str, token: &str) -> Option<String> {
    let parts = split(token)?;
    let cache = self.cache(jwks_url);
    let KeyLookup::Found(key) = cache.key_for(parts.kid.as_deref()).await else {
      return None;
    };
    let signed = jsonwebtoken::crypto::verify(
      parts.signature,
      parts.signing_input.as_bytes(),
      &key.key,
      Algorithm::RS256,
    );
    if !signed.unwrap_or(false) {
      return None;
    }
    let payload = b64::decode_strict(parts.payload)?;
    let claims = parse_object(&payload)?;
    times_hold(&claims, unix_now().floor()).then(|| String::from_utf8(payload).ok())?
  }
}

struct Parts<'t> {
  signing_input: &'t str,
  payload: &'t str,
  signature: &'t str,
  kid: Option<String>,
}

/// A compact JWS whose header asks for RS256 and no extension.
fn split(token: &str) -> Option<Parts<'_>> {
  if token.len() > MAX_TOKEN_BYTES {
    return None;
  }
  let mut segments = token.split('.');
  let (Some(header), Some(payload), Some(signature), None) =
    (segments.next(), segments.next(), segments.next(), segments.next())
  else {
    return None;
  };
  let header = parse_object(&b64::decode_strict(header)?)?;
  if header.get("alg").and_then(Value::as_str) != Some("RS256") || header.contains_key("crit") {
    return None;
  }
  let kid = match header.get("kid") {
    None => None,
    Some(Value::String(kid)) if kid.len() <= MAX_KID_LEN => Some(kid.clone()),
    Some(_) => return None,
  };
  let signing_input = &token[..token.len() - signature.len() - 1];
  Some(Parts {
    signing_input,
    payload,
    signature,
    kid,
  })
}

/// jose's time rules without tolerance: `exp` after now, `nbf` not after now, `iat` a number.
fn times_hold(claims: &serde_json::Map<String, Value>, now: f64) -> bool {
  let number = |name: &str| match claims.get(name) {
    None => Some(None),
    Some(Value::Number(n)) => n.as_f64().map(Some),
    Some(_) => None,
  };
  match (number("exp"), number("nbf"), number("iat")) {
    (Some(exp), Some(nbf), Some(_)) => exp.is_none_or(|exp| exp > now) && nbf.is_none_or(|nbf| nbf <= now),
    _ => false,
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn claims(json: &str) -> serde_json::Map<String, Value> {
    parse_object(json.as_bytes()).unwrap()
  }

  #[test]
  fn time_claims_without_tolerance() {
    assert!(times_hold(&claims(r#"{"exp":101}"#), 100.0));
    assert!(!times_hold(&claims(r#"{"exp":100}"#), 100.0));
    assert!(times_hold(&claims(r#"{"nbf":100}"#), 100.0));
    assert!(!times_hold(&claims(r#"{"nbf":101}"#), 100.0));
    assert!(times_hold(&claims("{}"), 100.0), "exp is optional for jose");
    assert!(!times_hold(&claims(r#"{"exp":"101"}"#), 100.0));
    assert!(!times_hold(&claims(r#"{"iat":"x"}"#), 100.0));
  }

  #[test]
  fn only_rs256_compact_tokens_are_looked_at() {
    let header = |h: &str| b64::encode(h.as_bytes());
    let token = |h: &str| format!("{}.{}.c2ln", header(h), header("{}"));
    assert_eq!(
      split(&token(r#"{"alg":"RS256","kid":"k"}"#)).unwrap().kid.as_deref(),
      Some("k")
    );
    assert!(split(&token(r#"{"alg":"HS256"}"#)).is_none());
    assert!(split(&token(r#"{"alg":"RS256","crit":["b64"]}"#)).is_none());
    assert!(split(&token(r#"{"alg":"RS256","kid":1}"#)).is_none());
    assert!(split("a.b").is_none());
    let plain = token(r#"{"alg":"RS256"}"#);
    let parts = split(&plain).unwrap();
    assert_eq!(parts.signature, "c2ln");
    assert!(parts.signing_input.ends_with(&header("{}")));
  }
}
