//! `verify_access_token`: from a compact JWS to verified claims, RS256 only.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::Algorithm;
use serde_json::Value;

use crate::authz::scopes::ScopeHierarchy;
use crate::jwt::claims::{check_claims, parse_object, ClaimRules, MachineTokens, VerifiedClaims};
use crate::jwt::jwks::{JwksCache, KeyLookup, RsaKey, MAX_KID_LEN};
use crate::jwt::token_cache::{token_digest, TokenCache, TokenDigest, Validity};
use crate::jwt::{b64, session, Reason, Rejection, MAX_RETRY_AFTER};

/// Tokens longer than this are rejected before any parsing (AuthKit's are about 1 KiB).
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;
/// Clock tolerance for `exp`, `nbf` and `iat`, as in the original.
pub const LEEWAY_SECONDS: f64 = 30.0;

/// A token whose header passed the checks; its signature is not verified yet.
pub struct ParsedToken<'t> {
  /// `base64url(header) . base64url(payload)`, the signed bytes.
  signing_input: &'t str,
  payload_b64: &'t str,
  signature_b64: &'t str,
  pub kid: Option<String>,
}

/// Splits and checks the header: exactly three canonical base64url segments, a strict JSON header
/// with `alg` exactly `RS256`, no `crit` (we implement no extension, RFC 7515 §4.1.11), no `b64`, and
/// a `kid` that is a reasonable string when present. `jku`, `x5u`, `jwk` and `x5c` are ignored: keys
/// come only from the configured JWKS.
pub fn parse_token(token: &str) -> Result<ParsedToken<'_>, Rejection> {
  if token.len() > MAX_TOKEN_BYTES {
    return Err(Rejection::Invalid(Reason::TokenTooLarge));
  }
  let mut segments = token.split('.');
  let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
    (segments.next(), segments.next(), segments.next(), segments.next())
  else {
    return Err(Rejection::Invalid(Reason::NotAJws));
  };
  let header_bytes = b64::decode_strict(header_b64).ok_or(Rejection::Invalid(Reason::MalformedHeader))?;
  let header = parse_object(&header_bytes).ok_or(Rejection::Invalid(Reason::MalformedHeader))?;
  if header.get("alg").and_then(Value::as_str) != Some("RS256") {
    return Err(Rejection::Invalid(Reason::AlgorithmNotAllowed));
  }
  if header.contains_key("crit") {
    return Err(Rejection::Invalid(Reason::CritNotSupported));
  }
  if header.contains_key("b64") {
    return Err(Rejection::Invalid(Reason::B64NotSupported));
  }
  let kid = match header.get("kid") {
    None => None,
    Some(Value::String(kid)) if !kid.is_empty() && kid.len() <= MAX_KID_LEN => Some(kid.clone()),
    Some(_) => return Err(Rejection::Invalid(Reason::MalformedKid)),
  };
  let signing_input = &token[..header_b64.len() + 1 + payload_b64.len()];
  Ok(ParsedToken {
    signing_input,
    payload_b64,
    signature_b64,
    kid,
  })
}

/// Checks the signature with `key`, then decodes and checks the claims.
pub fn verify_with_key(
  parsed: &ParsedToken,
  key: &RsaKey,
  rules: &ClaimRules,
  now: f64,
) -> Result<VerifiedClaims, Rejection> {
  // Canonical encoding first, so one signature has exactly one accepted spelling.
  b64::decode_strict(parsed.signature_b64).ok_or(Rejection::Invalid(Reason::MalformedSignature))?;
  let valid = jsonwebtoken::crypto::verify(
    parsed.signature_b64,
    parsed.signing_input.as_bytes(),
    &key.key,
    Algorithm::RS256,
  )
  .unwrap_or(false);
  if !valid {
    return Err(Rejection::Invalid(Reason::BadSignature));
  }
  // Only signed bytes are parsed past this point.
  let payload = b64::decode_strict(parsed.payload_b64).ok_or(Rejection::Invalid(Reason::MalformedPayload))?;
  check_claims(&payload, rules, now)
}

/// The `iat` a token *claims*, read without checking the signature. Only ever used to choose between
/// "unknown key" and "retry later" for a token whose key we lack (a forger gains a 503 at most, and
/// random `kid`s cost one download per cooldown whatever they claim); decoded as strictly as the
/// verified payload is. `None` when the payload does not decode or `iat` is not a finite number.
pub fn unverified_iat(payload_b64: &str) -> Option<f64> {
  let payload = b64::decode_strict(payload_b64)?;
  parse_object(&payload)?
    .get("iat")?
    .as_f64()
    .filter(|iat| iat.is_finite())
}

/// A `Retry-After` in whole seconds: rounded up, at least 1, at most [`MAX_RETRY_AFTER`].
pub fn retry_after_seconds(wait: Duration) -> u32 {
  let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
  secs.clamp(1, u64::from(MAX_RETRY_AFTER)) as u32
}

pub fn unix_now() -> f64 {
  SystemTime::now()
    .duration_since(UNIX_EPOCH)
    .map(|d| d.as_secs_f64())
    .unwrap_or(0.0)
}

/// A verified token as the caches keep it: the times the rules re-check on every hit, the reply
/// the glue gets (see [`session`]), and what authorization needs to know of the caller.
pub struct VerifiedToken {
  pub exp: f64,
  pub nbf: Option<f64>,
  pub reply: Box<str>,
  pub grants: Grants,
}

impl Validity for VerifiedToken {
  fn exp(&self) -> f64 {
    self.exp
  }

  fn nbf(&self) -> Option<f64> {
    self.nbf
  }
}

/// What the token itself says the caller may do.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Grants {
  /// `sub`: the user, or for a machine token the application's client id.
  pub user_id: String,
  /// A machine-to-machine token: no user, so no roles or permissions.
  pub machine: bool,
  pub organization_id: Option<String>,
  pub scopes: Vec<String>,
  /// `roles`, else `[role]`; `None` when the token names no role (then WorkOS is asked).
  pub roles: Option<Vec<String>>,
  /// `None` when the token carries no `permissions` (then the roles' permissions are looked up).
  pub permissions: Option<Vec<String>>,
}

impl Grants {
  /// What `claims` grant; `scopes` are the token's with those they grant (see `scopeHierarchy`).
  fn of(claims: &VerifiedClaims, scopes: Vec<String>) -> Self {
    Grants {
      user_id: claims.sub.clone(),
      machine: claims.machine,
      organization_id: claims.org_id.clone(),
      scopes,
      roles: claims
        .roles
        .clone()
        .or_else(|| claims.role.clone().map(|role| vec![role])),
      permissions: claims.permissions.clone(),
    }
  }
}

/// Verifies AuthKit access tokens for one provider.
pub struct Verifier {
  pub issuer: String,
  pub audiences: Vec<String>,
  /// The MCP resource URL (`baseURL` + endpoint).
  pub resource: String,
  pub machines: MachineTokens,
  pub jwks: Arc<JwksCache>,
  /// Tokens that already verified; `None` when the cache is turned off.
  pub tokens: Option<Arc<TokenCache<VerifiedToken>>>,
  /// Which scopes grant which (`scopeHierarchy`).
  pub scope_hierarchy: ScopeHierarchy,
}

/// A verdict: the verified token (shared with the token cache), or why not.
pub type Verified = Result<Arc<VerifiedToken>, Rejection>;

impl Verifier {
  fn rules(&self) -> ClaimRules<'_> {
    ClaimRules {
      issuer: &self.issuer,
      audiences: &self.audiences,
      resource: &self.resource,
      leeway: LEEWAY_SECONDS,
      machines: &self.machines,
    }
  }

  /// A cached verdict, if the token verified before and its key is still published.
  fn cached_verdict(&self, digest: Option<&TokenDigest>, now: f64) -> Option<Verified> {
    let hit = self.tokens.as_ref()?.get(digest?, now)?;
    match hit {
      Ok((token, key)) if self.jwks.is_published(&key) => Some(Ok(token)),
      Ok(_) => None,
      Err(rejection) => Some(Err(rejection)),
    }
  }

  /// Checks signature and claims with `key`, and caches what verified.
  fn verify_and_remember(&self, parsed: &ParsedToken, key: &RsaKey, digest: Option<TokenDigest>, now: f64) -> Verified {
    let claims = verify_with_key(parsed, key, &self.rules(), now)?;
    let cacheable_until = match (&self.tokens, digest) {
      (Some(tokens), Some(_)) => tokens.cacheable_until(claims.exp, now),
      _ => 0.0,
    };
    // With a hierarchy, the scopes the token's scopes grant, once per token (the session shows them as
    // `grantedScopes`; policies and helpers go by them).
    let granted = (!self.scope_hierarchy.is_empty()).then(|| self.scope_hierarchy.expand(&claims.scopes));
    let token = Arc::new(VerifiedToken {
      exp: claims.exp,
      nbf: claims.nbf,
      reply: session::reply(&claims, &self.resource, cacheable_until, granted.as_deref()).into(),
      grants: Grants::of(&claims, granted.unwrap_or_else(|| claims.scopes.clone())),
    });
    if let (Some(tokens), Some(digest)) = (&self.tokens, digest) {
      tokens.insert(digest, token.clone(), key.fingerprint, cacheable_until, now);
    }
    Ok(token)
  }

  /// The answer to a token whose `kid` the keys we hold lack, when no download may start now.
  ///
  /// - It says it was issued before those keys were downloaded (allowing [`LEEWAY_SECONDS`] of clock
  ///   difference with AuthKit, as for `iat` and `exp` elsewhere): its key should have been in them,
  ///   so `401 unknown_key`.
  /// - It says it is newer, so AuthKit may have rotated since: we do not know the token is bad, so
  ///   "retry later" (503), with the one download owed to such tokens scheduled for when the budget
  ///   allows; the retry finds the new key.
  /// - It carries no usable `iat`: AuthKit's tokens always do, so `401 unknown_key`.
  fn unconfirmed(&self, parsed: &ParsedToken, keys_from: f64) -> Rejection {
    match unverified_iat(parsed.payload_b64) {
      Some(iat) if iat + LEEWAY_SECONDS >= keys_from => Rejection::KeyPending {
        retry_after: retry_after_seconds(self.jwks.download_soon()),
      },
      _ => Rejection::Invalid(Reason::UnknownKey),
    }
  }

  fn digest(&self, token: &str) -> Option<TokenDigest> {
    // Tokens that parse_token rejects at once (oversized, or without the two dots of a compact JWS)
    // cannot be in the cache: don't hash them, so garbage is refused without that cost.
    let shaped = token.len() <= MAX_TOKEN_BYTES
      && matches!((token.find('.'), token.rfind('.')), (Some(first), Some(last)) if first < last);
    (self.tokens.is_some() && shaped).then(|| token_digest(token))
  }

  /// Verifies without waiting for the network: `None` when only a JWKS download can tell.
  pub fn verify_cached(&self, token: &str) -> Option<Verified> {
    let now = unix_now();
    let digest = self.digest(token);
    if let Some(verdict) = self.cached_verdict(digest.as_ref(), now) {
      return Some(verdict);
    }
    let parsed = match parse_token(token) {
      Ok(parsed) => parsed,
      Err(rejection) => return Some(Err(rejection)),
    };
    let key = match self.jwks.lookup_now(parsed.kid.as_deref())? {
      KeyLookup::Found(key) => key,
      KeyLookup::NoMatchingKey => return Some(Err(Rejection::Invalid(Reason::UnknownKey))),
      KeyLookup::Unconfirmed { keys_from } => return Some(Err(self.unconfirmed(&parsed, keys_from))),
      KeyLookup::Unavailable => return Some(Err(Rejection::Unavailable)),
    };
    Some(self.verify_and_remember(&parsed, &key, digest, now))
  }

  /// Verifies `token`, fetching the JWKS when the key is not cached (see [`JwksCache::key_for`]).
  pub async fn verify_access_token(&self, token: &str) -> Verified {
    let digest = self.digest(token);
    if let Some(verdict) = self.cached_verdict(digest.as_ref(), unix_now()) {
      return verdict;
    }
    let parsed = parse_token(token)?;
    let key = match self.jwks.key_for(parsed.kid.as_deref()).await {
      KeyLookup::Found(key) => key,
      KeyLookup::NoMatchingKey => return Err(Rejection::Invalid(Reason::UnknownKey)),
      KeyLookup::Unconfirmed { keys_from } => return Err(self.unconfirmed(&parsed, keys_from)),
      KeyLookup::Unavailable => return Err(Rejection::Unavailable),
    };
    self.verify_and_remember(&parsed, &key, digest, unix_now())
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn seg(json: &str) -> String {
    b64::encode(json.as_bytes())
  }

  fn token(header: &str) -> String {
    format!("{}.{}.{}", seg(header), seg("{}"), b64::encode(b"sig"))
  }

  #[test]
  fn header_rules() {
    assert!(parse_token(&token(r#"{"alg":"RS256","kid":"k"}"#)).is_ok());
    let cases = [
      (r#"{"alg":"none"}"#, "algorithm_not_allowed"),
      (r#"{"alg":"HS256"}"#, "algorithm_not_allowed"),
      (r#"{"alg":"rs256"}"#, "algorithm_not_allowed"),
      (r#"{"kid":"k"}"#, "algorithm_not_allowed"),
      (r#"{"alg":"RS256","crit":["exp"]}"#, "crit_not_supported"),
      (r#"{"alg":"RS256","b64":false}"#, "b64_not_supported"),
      (r#"{"alg":"RS256","kid":5}"#, "malformed_kid"),
      (r#"{"alg":"RS256","alg":"none"}"#, "malformed_header"),
    ];
    for (header, reason) in cases {
      let got = match parse_token(&token(header)) {
        Err(Rejection::Invalid(reason)) => reason.as_str(),
        _ => "accepted or not invalid",
      };
      assert_eq!(got, reason, "{header}");
    }
  }

  #[test]
  fn the_unverified_iat_is_read_strictly() {
    assert_eq!(unverified_iat(&seg(r#"{"iat":1700000000}"#)), Some(1_700_000_000.0));
    assert_eq!(unverified_iat(&seg(r#"{"iat":1.5e9}"#)), Some(1.5e9));
    for payload in [
      r#"{}"#,
      r#"{"iat":"1700000000"}"#,
      r#"{"iat":1,"iat":2}"#,
      "[1]",
      "not json",
    ] {
      assert_eq!(unverified_iat(&seg(payload)), None, "{payload}");
    }
    assert_eq!(
      unverified_iat(&format!("{}=", seg(r#"{"iat":1}"#))),
      None,
      "non-canonical base64url"
    );
  }

  #[test]
  fn retry_after_rounds_up_within_bounds() {
    assert_eq!(retry_after_seconds(Duration::ZERO), 1);
    assert_eq!(retry_after_seconds(Duration::from_millis(1)), 1);
    assert_eq!(retry_after_seconds(Duration::from_millis(23_100)), 24);
    assert_eq!(retry_after_seconds(Duration::from_secs(30)), 30);
    assert_eq!(retry_after_seconds(Duration::from_secs(10_000)), MAX_RETRY_AFTER);
  }

  #[test]
  fn shape_rules() {
    let good = token(r#"{"alg":"RS256"}"#);
    assert_eq!(
      parse_token(&format!("{good}.x.y")).err(),
      Some(Rejection::Invalid(Reason::NotAJws))
    );
    assert_eq!(parse_token("a.b").err(), Some(Rejection::Invalid(Reason::NotAJws)));
    assert_eq!(
      parse_token(&format!("{}=.e30.c2ln", seg(r#"{"alg":"RS256"}"#))).err(),
      Some(Rejection::Invalid(Reason::MalformedHeader))
    );
    let huge = format!("{}.{}.sig", seg(r#"{"alg":"RS256"}"#), "A".repeat(MAX_TOKEN_BYTES));
    assert_eq!(
      parse_token(&huge).err(),
      Some(Rejection::Invalid(Reason::TokenTooLarge))
    );
    let long_kid = format!(r#"{{"alg":"RS256","kid":"{}"}}"#, "k".repeat(MAX_KID_LEN + 1));
    assert_eq!(
      parse_token(&token(&long_kid)).err(),
      Some(Rejection::Invalid(Reason::MalformedKid))
    );
  }
}
