//! The AuthKit signing keys: parsing a JWKS document into RSA verification keys, and the per-provider
//! cache with jose's `createRemoteJWKSet` semantics (plus stale-while-revalidate and outage survival).
//!
//! Downloads happen for three reasons: the first use (or warm-up), a background refresh once the keys
//! are `max_age` old, and a token whose `kid` is not in the cached set. Only the last kind is
//! rate-limited by `cooldown`, and only downloads of that kind spend that budget: a key AuthKit
//! published after our last download is fetched on the first request that needs it, whether the last
//! download was a warm-up a second ago or a background refresh, while a flood of random `kid`s still
//! costs at most one download per cooldown.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_lc_rs::digest::{digest, SHA256};
use jsonwebtoken::DecodingKey;
use serde_json::Value;

use crate::http;
use crate::jwt::b64;
use crate::refresher::{Refresher, Snapshot, COLD_RETRY};

/// At most this many keys are taken from one document.
const MAX_KEYS: usize = 64;
/// `kid` values longer than this are not looked up.
pub const MAX_KID_LEN: usize = 256;
/// RSA moduli outside this range (in bits) are not used: below 2048 is too weak, above 8192 only
/// makes every verification slow.
const MODULUS_BITS: std::ops::RangeInclusive<usize> = 2048..=8192;

/// How the AuthKit JWKS is cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JwksPolicy {
  /// Keys are refreshed once they are this old (in the background while they still verify tokens).
  pub max_age: Duration,
  /// An unknown `kid` causes a download at most this often (other downloads do not count).
  pub cooldown: Duration,
  /// Upper bound for one JWKS download.
  pub timeout: Duration,
  /// Fetch the keys as soon as the provider is created.
  pub warm_up: bool,
}

impl Default for JwksPolicy {
  fn default() -> Self {
    JwksPolicy {
      max_age: Duration::from_secs(600),
      cooldown: Duration::from_secs(30),
      timeout: Duration::from_secs(5),
      warm_up: true,
    }
  }
}

/// SHA-256 of a key's modulus and exponent: identifies the key across JWKS downloads.
pub type KeyFingerprint = [u8; 32];

/// One RSA public key allowed to verify RS256 signatures.
pub struct RsaKey {
  pub kid: Option<String>,
  pub key: DecodingKey,
  /// SHA-256 of modulus and exponent: identifies the key across JWKS downloads.
  pub fingerprint: KeyFingerprint,
}

/// The usable keys of one JWKS document.
#[derive(Default)]
pub struct KeySet {
  by_kid: HashMap<String, Arc<RsaKey>>,
  all: Vec<Arc<RsaKey>>,
  fingerprints: HashSet<KeyFingerprint>,
}

impl KeySet {
  /// Keeps only RSA keys meant for RS256 signature verification (`use`, `alg` and `key_ops`, when
  /// present, must allow that) with a 2048 to 8192-bit modulus and an odd public exponent of at least
  /// 3. Anything else, `kty: oct` keys above all, is ignored: a symmetric key in the set must never
  /// become an HMAC secret. When a `kid` appears more than once, the first *usable* entry wins.
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
          continue; // A repeated kid: the first usable entry already answers for it.
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
  pub fn has_fingerprint(&self, fingerprint: &KeyFingerprint) -> bool {
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
  let modulus_bits = match modulus.first() {
    Some(top) => modulus.len() * 8 - top.leading_zeros() as usize,
    None => 0,
  };
  if !MODULUS_BITS.contains(&modulus_bits) || !usable_exponent(exponent) {
    return None;
  }
  let mut material = Vec::with_capacity(modulus.len() + exponent.len() + 1);
  material.extend_from_slice(modulus);
  material.push(b'.');
  material.extend_from_slice(exponent);
  let mut fingerprint = [0u8; 32];
  fingerprint.copy_from_slice(digest(&SHA256, &material).as_ref());
  Some(RsaKey {
    kid,
    key: DecodingKey::from_rsa_raw_components(modulus, exponent),
    fingerprint,
  })
}

/// An RSA public exponent must be odd and at least 3 (RFC 8017 §3.1); 1 would make the signature
/// check trivial. At most 64 bits, as every real key's is (65537).
fn usable_exponent(exponent: &[u8]) -> bool {
  if exponent.is_empty() || exponent.len() > 8 {
    return false;
  }
  let value = exponent.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
  value >= 3 && value % 2 == 1
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
  let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
  &bytes[first..]
}

/// What a key lookup found.
pub enum KeyLookup {
  Found(Arc<RsaKey>),
  /// Keys are known, none matches (after a download, when one was allowed).
  NoMatchingKey,
  /// No keys were ever obtained: AuthKit could not be reached.
  Unavailable,
}

/// Called with every newly downloaded key set (the token cache drops entries of removed keys).
pub type OnNewKeys = Box<dyn Fn(&KeySet) + Send + Sync>;

/// One provider's cache of the AuthKit JWKS.
pub struct JwksCache {
  url: String,
  policy: JwksPolicy,
  cell: Refresher<KeySet>,
  /// When an unknown `kid` last caused a download: the budget that `cooldown` limits.
  unknown_kid_download: Mutex<Option<Instant>>,
  on_new_keys: Option<OnNewKeys>,
}

impl JwksCache {
  pub fn new(url: String, policy: JwksPolicy, on_new_keys: Option<OnNewKeys>) -> Arc<Self> {
    Arc::new(JwksCache {
      url,
      policy,
      cell: Refresher::default(),
      unknown_kid_download: Mutex::new(None),
      on_new_keys,
    })
  }

  /// True when an unknown `kid` may cause a download now. With `take`, the budget is spent.
  fn unknown_kid_budget(&self, now: Instant, take: bool) -> bool {
    let mut last = self.unknown_kid_download.lock().unwrap_or_else(|e| e.into_inner());
    let allowed = last.is_none_or(|at| now.saturating_duration_since(at) >= self.policy.cooldown);
    if allowed && take {
      *last = Some(now);
    }
    allowed
  }

  /// Looks `kid` up without waiting for the network. `None` means only a download can tell (the
  /// keys are cold, a download is in flight, or an unknown `kid` may still cause one): then call
  /// [`JwksCache::key_for`].
  pub fn lookup_now(self: &Arc<Self>, kid: Option<&str>) -> Option<KeyLookup> {
    let snap = self.cell.snapshot();
    let now = Instant::now();
    match &snap.value {
      Some(keys) => {
        if let Some(key) = keys.find(kid) {
          self.revalidate_if_stale(&snap);
          return Some(KeyLookup::Found(key));
        }
        let settled = !self.cell.is_fetching() && !self.unknown_kid_budget(now, false);
        settled.then_some(KeyLookup::NoMatchingKey)
      }
      None => {
        let settled = !self.cell.is_fetching() && snap.last_error.is_some() && !snap.attempt_allowed(COLD_RETRY, now);
        settled.then_some(KeyLookup::Unavailable)
      }
    }
  }

  /// Finds the key for `kid`, downloading the JWKS when the cache is cold (at most once per
  /// [`COLD_RETRY`] after a failure), or when `kid` is unknown and the unknown-`kid` budget allows.
  /// Callers arriving during a download wait for it and look again before deciding to download.
  pub async fn key_for(self: &Arc<Self>, kid: Option<&str>) -> KeyLookup {
    let snap = self.cell.snapshot();
    if let Some(key) = snap.value.as_ref().and_then(|keys| keys.find(kid)) {
      self.revalidate_if_stale(&snap);
      return KeyLookup::Found(key);
    }
    let snap = self
      .download_when(|current| match &current.value {
        Some(keys) => keys.find(kid).is_none() && self.unknown_kid_budget(Instant::now(), true),
        None => current.attempt_allowed(COLD_RETRY, Instant::now()),
      })
      .await;
    match snap.value.as_ref() {
      Some(keys) => keys.find(kid).map_or(KeyLookup::NoMatchingKey, KeyLookup::Found),
      None => KeyLookup::Unavailable,
    }
  }

  /// Starts a background refresh when the keys are older than `max_age` (at most once per cooldown,
  /// so an outage is not hammered), while the current keys keep verifying tokens. It does not spend
  /// the unknown-`kid` budget.
  fn revalidate_if_stale(self: &Arc<Self>, snap: &Snapshot<KeySet>) {
    let now = Instant::now();
    if !snap.is_stale(self.policy.max_age, now)
      || !snap.attempt_allowed(self.policy.cooldown, now)
      || self.cell.is_fetching()
    {
      return;
    }
    let (cache, seen) = (self.clone(), snap.generation);
    let refresh = async move {
      cache.download_when(|current| current.generation == seen).await;
    };
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
      handle.spawn(refresh);
    } else {
      napi::bindgen_prelude::spawn(refresh);
    }
  }

  async fn download_when(&self, decide: impl FnOnce(&Snapshot<KeySet>) -> bool) -> Snapshot<KeySet> {
    let (url, timeout, on_new_keys) = (self.url.as_str(), self.policy.timeout, self.on_new_keys.as_deref());
    self
      .cell
      .refresh_when(decide, || async move {
        let body = http::get_json_document(url, timeout).await.map_err(|e| e.to_string())?;
        let keys = KeySet::parse(&body)?;
        if let Some(notify) = on_new_keys {
          notify(&keys);
        }
        Ok::<_, String>(keys)
      })
      .await
  }

  /// Whether the key with this fingerprint is in the current key set.
  pub fn is_published(&self, fingerprint: &KeyFingerprint) -> bool {
    self
      .cell
      .snapshot()
      .value
      .is_some_and(|keys| keys.has_fingerprint(fingerprint))
  }

  /// Downloads the keys now unless some are cached (start-up warm-up). Does not spend the
  /// unknown-`kid` budget.
  pub async fn warm_up(&self) {
    self.download_when(|current| current.value.is_none()).await;
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

  fn key_with(n: &[u8], e: &[u8]) -> Value {
    json!({ "kty": "RSA", "kid": "k", "n": b64::encode(n), "e": b64::encode(e) })
  }

  fn usable(jwk: Value) -> bool {
    KeySet::parse(json!({ "keys": [jwk] }).to_string().as_bytes()).is_ok()
  }

  #[test]
  fn the_modulus_counts_bits_not_bytes() {
    let modulus = |len: usize, top: u8| {
      let mut n = vec![0xC5u8; len];
      n[0] = top;
      n
    };
    assert!(usable(key_with(&modulus(256, 0x80), &[1, 0, 1])), "2048 bits");
    assert!(usable(key_with(&modulus(1024, 0xFF), &[1, 0, 1])), "8192 bits");
    for (n, bits) in [
      (modulus(256, 0x7F), 2047),
      (modulus(256, 0x01), 2041),
      (modulus(128, 0xFF), 1024),
      (modulus(1025, 0x01), 8193),
    ] {
      assert!(!usable(key_with(&n, &[1, 0, 1])), "{bits} bits");
    }
    let mut padded = vec![0u8; 3];
    padded.extend(modulus(256, 0x7F));
    assert!(
      !usable(key_with(&padded, &[1, 0, 1])),
      "leading zero bytes do not add bits"
    );
  }

  #[test]
  fn the_exponent_is_odd_and_at_least_three() {
    let n = b64::decode_lenient(&n_2048()).unwrap();
    for e in [&[3u8][..], &[1, 0, 1], &[0, 1, 0, 1], &[0xFF; 8]] {
      assert!(usable(key_with(&n, e)), "{e:?}");
    }
    for e in [&[][..], &[0], &[1], &[2], &[4], &[1, 0, 0], &[0, 1], &[0xFF; 9]] {
      assert!(!usable(key_with(&n, e)), "{e:?}");
    }
  }

  #[test]
  fn a_repeated_kid_resolves_to_its_first_usable_entry() {
    let n = b64::decode_lenient(&n_2048()).unwrap();
    let mut weak = n.clone();
    weak[0] = 0x7F;
    let doc = json!({ "keys": [key_with(&weak, &[1, 0, 1]), key_with(&n, &[1]), key_with(&n, &[1, 0, 1]), key_with(&n, &[3])] });
    let set = KeySet::parse(doc.to_string().as_bytes()).unwrap();
    let found = set.find(Some("k")).unwrap();
    let expected = KeySet::parse(json!({ "keys": [key_with(&n, &[1, 0, 1])] }).to_string().as_bytes()).unwrap();
    assert!(
      expected.has_fingerprint(&found.fingerprint),
      "the 65537 entry, the first usable one"
    );
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
