//! The AuthKit signing keys: parsing a JWKS document into RSA verification keys, and the per-provider
//! cache with jose's `createRemoteJWKSet` semantics (plus stale-while-revalidate and outage survival).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::DecodingKey;
use serde_json::Value;

use crate::cache::{Refreshing, Snapshot};
use crate::config::JwksPolicy;
use crate::http::{self, FetchError};
use crate::jwt::b64;
use crate::jwt::token_cache::{token_digest_bytes, TokenCache, TokenDigest};

/// After a failed fetch with no keys at all, requests are answered 503 for this long before the next
/// fetch is tried, so an AuthKit outage does not turn every request into a 5-second wait.
pub const COLD_RETRY: Duration = Duration::from_secs(2);
/// At most this many keys are taken from one document.
const MAX_KEYS: usize = 64;
/// `kid` values longer than this are not looked up.
pub const MAX_KID_LEN: usize = 256;

/// One RSA public key allowed to verify RS256 signatures.
pub struct RsaKey {
  pub kid: Option<String>,
  pub key: DecodingKey,
  /// SHA-256 of modulus and exponent: identifies the key across JWKS downloads.
  pub fingerprint: TokenDigest,
}

/// The usable keys of one JWKS document.
#[derive(Default)]
pub struct KeySet {
  by_kid: HashMap<String, Arc<RsaKey>>,
  all: Vec<Arc<RsaKey>>,
  fingerprints: HashSet<TokenDigest>,
}

impl KeySet {
  /// Keeps only RSA keys meant for RS256 signature verification (`use`, `alg` and `key_ops`, when
  /// present, must allow that) with a 2048 to 8192-bit modulus. Anything else, `kty: oct` keys above
  /// all, is ignored: a symmetric key in the set must never become an HMAC secret.
  pub fn parse(document: &[u8]) -> Result<KeySet, String> {
    let doc: Value = serde_json::from_slice(document).map_err(|e| format!("JWKS is not JSON: {e}"))?;
    let keys = doc
      .get("keys")
      .and_then(Value::as_array)
      .ok_or("JWKS has no \"keys\" array")?;
    let mut set = KeySet::default();
    for jwk in keys.iter().take(MAX_KEYS) {
      let Some(key) = rsa_signing_key(jwk) else { continue };
      let key = Arc::new(key);
      if let Some(kid) = &key.kid {
        if set.by_kid.contains_key(kid) {
          continue; // A repeated kid is ambiguous; the first one wins, as with jose's lookup order.
        }
        set.by_kid.insert(kid.clone(), key.clone());
      }
      set.fingerprints.insert(key.fingerprint);
      set.all.push(key);
    }
    if set.all.is_empty() {
      return Err("JWKS has no RSA signing key usable for RS256".into());
    }
    Ok(set)
  }

  /// The key for `kid`; without a `kid` only an unambiguous single key is used.
  pub fn find(&self, kid: Option<&str>) -> Option<Arc<RsaKey>> {
    match kid {
      Some(kid) => self.by_kid.get(kid).cloned(),
      None if self.all.len() == 1 => self.all.first().cloned(),
      None => None,
    }
  }

  /// Whether a key with this fingerprint is published.
  pub fn has_fingerprint(&self, fingerprint: &TokenDigest) -> bool {
    self.fingerprints.contains(fingerprint)
  }

  #[cfg(test)]
  pub fn len(&self) -> usize {
    self.all.len()
  }
}

fn rsa_signing_key(jwk: &Value) -> Option<RsaKey> {
  let str_field = |name: &str| jwk.get(name).and_then(Value::as_str);
  if str_field("kty") != Some("RSA") {
    return None;
  }
  if jwk.get("use").is_some_and(|u| u.as_str() != Some("sig")) {
    return None;
  }
  if jwk.get("alg").is_some_and(|a| a.as_str() != Some("RS256")) {
    return None;
  }
  if let Some(ops) = jwk.get("key_ops") {
    let allows_verify = ops
      .as_array()
      .is_some_and(|ops| ops.iter().any(|op| op.as_str() == Some("verify")));
    if !allows_verify {
      return None;
    }
  }
  let kid = match jwk.get("kid") {
    None => None,
    Some(Value::String(kid)) if kid.len() <= MAX_KID_LEN => Some(kid.clone()),
    Some(_) => return None,
  };
  let n = b64::decode_lenient(str_field("n")?)?;
  let e = b64::decode_lenient(str_field("e")?)?;
  let modulus = strip_leading_zeros(&n);
  let exponent = strip_leading_zeros(&e);
  if !(256..=1024).contains(&modulus.len()) || exponent.is_empty() || exponent.len() > 8 {
    return None;
  }
  let mut material = Vec::with_capacity(modulus.len() + exponent.len() + 1);
  material.extend_from_slice(modulus);
  material.push(b'.');
  material.extend_from_slice(exponent);
  let fingerprint = token_digest_bytes(&material);
  Some(RsaKey {
    kid,
    key: DecodingKey::from_rsa_raw_components(modulus, exponent),
    fingerprint,
  })
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
  let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
  &bytes[first..]
}

/// What a key lookup found.
pub enum KeyLookup {
  Found(Arc<RsaKey>),
  /// Keys are known, none matches (after a refetch, when one was allowed).
  NoMatchingKey,
  /// No keys were ever obtained: AuthKit could not be reached.
  Unavailable,
}

/// One provider's cache of the AuthKit JWKS.
pub struct JwksCache {
  url: String,
  policy: JwksPolicy,
  cell: Refreshing<KeySet>,
  /// Told about every new key set, so it can drop tokens verified by keys no longer published.
  tokens: Option<Arc<TokenCache>>,
}

impl JwksCache {
  pub fn new(url: String, policy: JwksPolicy, tokens: Option<Arc<TokenCache>>) -> Arc<Self> {
    Arc::new(JwksCache {
      url,
      policy,
      cell: Refreshing::default(),
      tokens,
    })
  }

  /// Looks `kid` up in the cached keys without waiting for the network. `None` means the caller must
  /// go through [`JwksCache::key_for`] (cold cache, or unknown kid).
  pub fn cached_key(self: &Arc<Self>, kid: Option<&str>) -> Option<Arc<RsaKey>> {
    let snap = self.cell.snapshot();
    let keys = snap.value.as_ref()?;
    let key = keys.find(kid)?;
    self.revalidate_if_stale(&snap);
    Some(key)
  }

  /// Finds the key for `kid`, fetching the JWKS when the cache is cold, or when `kid` is unknown and
  /// the cooldown since the last fetch has passed. Callers arriving during a fetch wait for it.
  pub async fn key_for(self: &Arc<Self>, kid: Option<&str>) -> KeyLookup {
    let snap = self.cell.snapshot();
    let now = Instant::now();
    match &snap.value {
      Some(keys) => {
        if let Some(key) = keys.find(kid) {
          self.revalidate_if_stale(&snap);
          return KeyLookup::Found(key);
        }
        let may_fetch = snap.attempt_allowed(self.policy.cooldown, now);
        let snap = self.fetch(snap.generation, may_fetch).await;
        match snap.value.as_ref().and_then(|keys| keys.find(kid)) {
          Some(key) => KeyLookup::Found(key),
          None => KeyLookup::NoMatchingKey,
        }
      }
      None => {
        let may_fetch = snap.last_error.is_none() || snap.attempt_allowed(COLD_RETRY, now);
        let snap = self.fetch(snap.generation, may_fetch).await;
        match snap.value.as_ref() {
          Some(keys) => keys.find(kid).map_or(KeyLookup::NoMatchingKey, KeyLookup::Found),
          None => KeyLookup::Unavailable,
        }
      }
    }
  }

  /// Starts a background refresh when the keys are older than `max_age` (at most once per cooldown),
  /// while the current keys keep verifying tokens.
  fn revalidate_if_stale(self: &Arc<Self>, snap: &Snapshot<KeySet>) {
    let now = Instant::now();
    if !snap.is_stale(self.policy.max_age, now)
      || !snap.attempt_allowed(self.policy.cooldown, now)
      || self.cell.is_fetching()
    {
      return;
    }
    let (cache, seen) = (self.clone(), snap.generation);
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
      handle.spawn(async move {
        cache.fetch(seen, true).await;
      });
    } else {
      napi::bindgen_prelude::spawn(async move {
        cache.fetch(seen, true).await;
      });
    }
  }

  async fn fetch(&self, seen: u64, may_fetch: bool) -> Snapshot<KeySet> {
    let (url, timeout, tokens) = (self.url.as_str(), self.policy.timeout, self.tokens.as_deref());
    self
      .cell
      .refresh(seen, may_fetch, || async move {
        let body = http::get_json_document(url, timeout)
          .await
          .map_err(|e: FetchError| e.to_string())?;
        let keys = KeySet::parse(&body)?;
        if let Some(tokens) = tokens {
          tokens.retain_published(&keys);
        }
        Ok::<_, String>(keys)
      })
      .await
  }

  /// Whether the key with this fingerprint is in the current key set.
  pub fn is_published(&self, fingerprint: &TokenDigest) -> bool {
    self
      .cell
      .snapshot()
      .value
      .is_some_and(|keys| keys.has_fingerprint(fingerprint))
  }

  /// Fetches the keys now unless a fetch already happened (start-up warm-up).
  pub async fn warm_up(&self) {
    let snap = self.cell.snapshot();
    if snap.value.is_none() {
      self.fetch(snap.generation, true).await;
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  fn n_2048() -> String {
    // A syntactically valid 2048-bit modulus (top bit set); verification is tested from JavaScript.
    let mut bytes = vec![0xC5u8; 256];
    bytes[255] = 0x01;
    b64::encode(&bytes)
  }

  #[test]
  fn only_rsa_signing_keys_are_kept() {
    let n = n_2048();
    let doc = json!({ "keys": [
      { "kty": "oct", "kid": "hmac", "k": "c2VjcmV0" },
      { "kty": "RSA", "kid": "enc", "use": "enc", "n": n, "e": "AQAB" },
      { "kty": "RSA", "kid": "ps", "alg": "PS256", "n": n, "e": "AQAB" },
      { "kty": "RSA", "kid": "wrap", "key_ops": ["wrapKey"], "n": n, "e": "AQAB" },
      { "kty": "RSA", "kid": "small", "n": "AQAB", "e": "AQAB" },
      { "kty": "RSA", "kid": 7, "n": n, "e": "AQAB" },
      { "kty": "RSA", "kid": "good", "use": "sig", "alg": "RS256", "key_ops": ["verify"], "n": n, "e": "AQAB" }
    ]});
    let set = KeySet::parse(doc.to_string().as_bytes()).unwrap();
    assert_eq!(set.len(), 1);
    assert!(set.find(Some("good")).is_some());
    assert!(set.find(Some("hmac")).is_none());
    assert!(set.find(None).is_some(), "a single key may be used without kid");
  }

  #[test]
  fn missing_kid_with_several_keys_is_ambiguous() {
    let n = n_2048();
    let doc = json!({ "keys": [
      { "kty": "RSA", "kid": "a", "n": n, "e": "AQAB" },
      { "kty": "RSA", "kid": "b", "n": n, "e": "AQAB" }
    ]});
    let set = KeySet::parse(doc.to_string().as_bytes()).unwrap();
    assert!(set.find(None).is_none());
  }

  #[test]
  fn documents_without_usable_keys_are_errors() {
    for doc in [
      "[]",
      "{}",
      "{\"keys\":{}}",
      "{\"keys\":[]}",
      "not json",
      "{\"keys\":[{\"kty\":\"oct\",\"k\":\"AA\"}]}",
    ] {
      assert!(KeySet::parse(doc.as_bytes()).is_err(), "{doc}");
    }
  }
}
