//! The AuthKit signing keys: parsing a JWKS document into RSA verification keys, and the per-provider
//! cache with jose's `createRemoteJWKSet` semantics (plus stale-while-revalidate and outage survival).
//!
//! Downloads happen for three reasons: the first use (or warm-up), a background refresh once the keys
//! are `max_age` old, and a token whose `kid` is not in the cached set. Only the last kind is
//! rate-limited by `cooldown`, and only downloads of that kind spend that budget: a key AuthKit
//! published after our last download is fetched on the first request that needs it, whether the last
//! download was a warm-up a second ago or a background refresh, while a flood of random `kid`s still
//! costs at most one download per cooldown.
//!
//! One background task per cache (see [`JwksCache::schedule`]) keeps the schedule whatever the
//! traffic is made of: it refreshes the keys once they are `max_age` old (token-cache hits never
//! look at the keys' age), and runs the one download promised to tokens answered "retry later"
//! (see [`KeyLookup::Unconfirmed`]) as soon as the unknown-`kid` budget allows it. Downloads are
//! conditional (`If-None-Match`) when AuthKit tagged the keys: a `304` confirms them at no cost.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use aws_lc_rs::digest::{digest, SHA256};
use jsonwebtoken::DecodingKey;
use serde_json::Value;

use crate::http::{self, Document};
use crate::jwt::b64;
use crate::refresher::{Refresher, Snapshot, COLD_RETRY};

/// At most this many keys are taken from one document.
const MAX_KEYS: usize = 64;
/// At most this many retired `kid`s are remembered (see [`KeySet::is_retired`]).
const MAX_RETIRED: usize = 256;
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
  /// The document's `ETag`, sent back as `If-None-Match` by the next download.
  etag: Option<String>,
  /// `kid`s that earlier downloads published and this one no longer does.
  retired: HashSet<String>,
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

  /// Whether AuthKit published `kid` before and removed it since (as far as our downloads saw): a
  /// token naming it is surely not signed by a current key, however new it says it is.
  pub fn is_retired(&self, kid: Option<&str>) -> bool {
    kid.is_some_and(|kid| self.retired.contains(kid))
  }

  /// Carries the retired `kid`s over from `previous`, adding those it published that this set does
  /// not (those first: when the bound is reached, the most recently retired are the ones kept).
  fn retire_from(&mut self, previous: &KeySet) {
    let gone = previous.by_kid.keys().chain(previous.retired.iter());
    for kid in gone {
      if self.retired.len() >= MAX_RETIRED {
        break;
      }
      if !self.by_kid.contains_key(kid) {
        self.retired.insert(kid.clone());
      }
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
  /// Keys are known, none matches, and a download that started after the request arrived (or the
  /// `kid`'s retirement) says AuthKit does not publish it.
  NoMatchingKey,
  /// The `kid` is not in the keys we hold, and no download may start now (the unknown-`kid` budget
  /// is spent). A token issued before `keys_from` (Unix seconds, when the download of these keys
  /// started) is surely not AuthKit's; a newer one may be signed by a key AuthKit published since:
  /// ask it to retry after [`JwksCache::download_soon`].
  Unconfirmed {
    keys_from: f64,
  },
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
  /// Since when a token was told to retry later: the one download owed to it (see
  /// [`JwksCache::download_soon`]). Any download that starts after this pays the debt.
  owed_since: Mutex<Option<Instant>>,
  /// Wakes the background task when the schedule changes.
  wake: Arc<tokio::sync::Notify>,
  scheduled: AtomicBool,
  on_new_keys: Option<OnNewKeys>,
}

impl Drop for JwksCache {
  fn drop(&mut self) {
    // The background task holds only a weak reference: wake it so that it sees the cache is gone.
    self.wake.notify_one();
  }
}

/// Runs `work` on the tokio runtime we are on, or on napi-rs's (from a synchronous call).
fn spawn(work: impl Future<Output = ()> + Send + 'static) {
  if let Ok(handle) = tokio::runtime::Handle::try_current() {
    handle.spawn(work);
  } else {
    napi::bindgen_prelude::spawn(work);
  }
}

impl JwksCache {
  pub fn new(url: String, policy: JwksPolicy, on_new_keys: Option<OnNewKeys>) -> Arc<Self> {
    Arc::new(JwksCache {
      url,
      policy,
      cell: Refresher::default(),
      unknown_kid_download: Mutex::new(None),
      owed_since: Mutex::new(None),
      wake: Arc::new(tokio::sync::Notify::new()),
      scheduled: AtomicBool::new(false),
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

  /// When the unknown-`kid` budget allows the next download.
  fn budget_allows_at(&self, now: Instant) -> Instant {
    let last = self.unknown_kid_download.lock().unwrap_or_else(|e| e.into_inner());
    last.map_or(now, |at| at + self.policy.cooldown)
  }

  /// How long after a failed refresh (with keys kept) the next one is tried: the cooldown, but
  /// never longer than the keys' maximum age, so that the schedule `max_age` promises holds.
  fn refresh_retry(&self) -> Duration {
    self.policy.cooldown.min(self.policy.max_age)
  }

  /// When the keys of `snap` are due for a background refresh (`None` while there are none).
  fn refresh_due(&self, snap: &Snapshot<KeySet>) -> Option<Instant> {
    let due = snap.fetched_at? + self.policy.max_age;
    Some(
      snap
        .failed_at
        .map_or(due, |failed| due.max(failed + self.refresh_retry())),
    )
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
          self.revalidate_if_stale(&snap, now);
          return Some(KeyLookup::Found(key));
        }
        if keys.is_retired(kid) {
          return Some(KeyLookup::NoMatchingKey);
        }
        if self.cell.is_fetching() || self.unknown_kid_budget(now, false) {
          return None;
        }
        Some(Self::unconfirmed(kid, &snap))
      }
      None => {
        // Inside the retry window after a failed cold fetch, answer from that failure at once.
        let settled = !self.cell.is_fetching() && snap.failed_at.is_some() && !snap.retry_allowed(COLD_RETRY, now);
        settled.then_some(KeyLookup::Unavailable)
      }
    }
  }

  /// A `kid` that the keys of `snap` lack, with no download allowed now.
  fn unconfirmed(kid: Option<&str>, snap: &Snapshot<KeySet>) -> KeyLookup {
    match (kid, snap.fetched_unix) {
      // Without a `kid` only a single published key is used: a new key would not make it usable.
      (None, _) | (_, None) => KeyLookup::NoMatchingKey,
      (Some(_), Some(keys_from)) => KeyLookup::Unconfirmed { keys_from },
    }
  }

  /// Finds the key for `kid`, downloading the JWKS when the cache is cold (at most once per
  /// [`COLD_RETRY`] after a failure ended), or when `kid` is unknown and the unknown-`kid` budget
  /// allows. Callers arriving during a download wait for it and look again before deciding to
  /// download; a caller that waited for a cold download that failed is answered from that failure.
  pub async fn key_for(self: &Arc<Self>, kid: Option<&str>) -> KeyLookup {
    let arrived = Instant::now();
    let snap = self.cell.snapshot();
    if let Some(keys) = snap.value.as_ref() {
      if let Some(key) = keys.find(kid) {
        self.revalidate_if_stale(&snap, arrived);
        return KeyLookup::Found(key);
      }
      if keys.is_retired(kid) {
        return KeyLookup::NoMatchingKey;
      }
    }
    let seen = snap.generation;
    let snap = self
      .download_when(|current| match &current.value {
        Some(keys) => {
          keys.find(kid).is_none() && !keys.is_retired(kid) && self.unknown_kid_budget(Instant::now(), true)
        }
        None => current.generation == seen && current.retry_allowed(COLD_RETRY, Instant::now()),
      })
      .await;
    match snap.value.as_ref() {
      None => KeyLookup::Unavailable,
      Some(keys) => match keys.find(kid) {
        Some(key) => KeyLookup::Found(key),
        None if keys.is_retired(kid) || snap.fetched_at.is_some_and(|at| at >= arrived) => KeyLookup::NoMatchingKey,
        None => Self::unconfirmed(kid, &snap),
      },
    }
  }

  /// Promises a token answered "retry later" (see [`KeyLookup::Unconfirmed`]) one download as soon
  /// as the unknown-`kid` budget allows, run by the background task whether or not another request
  /// comes; returns how long until then. However many tokens ask, that is one download, and it
  /// spends the budget like any unknown-`kid` download: random `kid`s still cost at most one
  /// download per cooldown.
  pub fn download_soon(self: &Arc<Self>) -> Duration {
    let now = Instant::now();
    {
      let mut owed = self.owed_since.lock().unwrap_or_else(|e| e.into_inner());
      if owed.is_none() {
        *owed = Some(now);
        self.wake.notify_one();
      }
    }
    self.schedule();
    self.budget_allows_at(now).saturating_duration_since(now)
  }

  /// Starts a refresh at once when the keys are due one (see [`JwksCache::refresh_due`]), while the
  /// current keys keep verifying tokens. It does not spend the unknown-`kid` budget. The background
  /// task does the same on schedule; this only saves a wait when a lookup sees it first.
  fn revalidate_if_stale(self: &Arc<Self>, snap: &Snapshot<KeySet>, now: Instant) {
    if self.refresh_due(snap).is_none_or(|due| due > now) || self.cell.is_fetching() {
      return;
    }
    let (cache, seen) = (self.clone(), snap.generation);
    spawn(async move {
      cache.download_when(|current| current.generation == seen).await;
    });
  }

  /// Starts the background task once (see the module doc). It holds a weak reference, so it ends
  /// when the cache is dropped.
  fn schedule(self: &Arc<Self>) {
    if self.scheduled.swap(true, Ordering::AcqRel) {
      return;
    }
    let (cache, wake) = (Arc::downgrade(self), self.wake.clone());
    spawn(Self::keep_schedule(cache, wake));
  }

  async fn keep_schedule(cache: Weak<JwksCache>, wake: Arc<tokio::sync::Notify>) {
    loop {
      let Some(next) = cache.upgrade().map(|cache| cache.next_due(Instant::now())) else {
        return;
      };
      let woken = match next {
        // Never spin: at least a few milliseconds between two looks at the schedule.
        Some(at) => {
          let at = at.max(Instant::now() + Duration::from_millis(5));
          tokio::select! {
            _ = tokio::time::sleep_until(at.into()) => false,
            _ = wake.notified() => true,
          }
        }
        None => {
          wake.notified().await;
          true
        }
      };
      if woken {
        continue;
      }
      let Some(cache) = cache.upgrade() else { return };
      cache.run_due(Instant::now()).await;
    }
  }

  /// The next moment the background task has something to do.
  fn next_due(&self, now: Instant) -> Option<Instant> {
    let refresh = self.refresh_due(&self.cell.snapshot());
    let owed = self
      .owed_since
      .lock()
      .unwrap_or_else(|e| e.into_inner())
      .map(|_| self.budget_allows_at(now));
    match (refresh, owed) {
      (Some(a), Some(b)) => Some(a.min(b)),
      (a, b) => a.or(b),
    }
  }

  async fn run_due(self: &Arc<Self>, now: Instant) {
    let owed = self.owed_since.lock().unwrap_or_else(|e| e.into_inner()).is_some();
    if owed && self.budget_allows_at(now) <= now {
      self
        .download_when(|current| {
          let mut owed = self.owed_since.lock().unwrap_or_else(|e| e.into_inner());
          let Some(since) = *owed else { return false };
          if current.fetched_at.is_some_and(|at| at >= since) {
            *owed = None; // a download since then already answered it
            return false;
          }
          if !self.unknown_kid_budget(Instant::now(), true) {
            return false; // someone else spent the budget: wait for the next window
          }
          *owed = None;
          true
        })
        .await;
      return;
    }
    self
      .download_when(|current| self.refresh_due(current).is_some_and(|due| due <= Instant::now()))
      .await;
  }

  async fn download_when(self: &Arc<Self>, decide: impl FnOnce(&Snapshot<KeySet>) -> bool) -> Snapshot<KeySet> {
    let (url, timeout, on_new_keys) = (self.url.as_str(), self.policy.timeout, self.on_new_keys.as_deref());
    let snap = self
      .cell
      .refresh_when(decide, |current: Option<Arc<KeySet>>| async move {
        let etag = current.as_ref().and_then(|keys| keys.etag.as_deref());
        let (bytes, etag) = match http::get_json_document_if(url, timeout, etag).await {
          Ok(Document::Body { bytes, etag }) => (bytes, etag),
          Ok(Document::NotModified) => return current.ok_or_else(|| "304 without a cached JWKS".to_string()),
          Err(e) => return Err(e.to_string()),
        };
        let mut keys = KeySet::parse(&bytes)?;
        keys.etag = etag;
        if let Some(previous) = &current {
          keys.retire_from(previous);
        }
        if let Some(notify) = on_new_keys {
          notify(&keys);
        }
        Ok::<_, String>(Arc::new(keys))
      })
      .await;
    // The schedule may have changed (new keys, a failure, a debt paid).
    self.schedule();
    self.wake.notify_one();
    snap
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
  pub async fn warm_up(self: &Arc<Self>) {
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
  fn kids_that_a_download_no_longer_publishes_are_retired() {
    let n = n_2048();
    let doc = |kids: &[&str]| {
      let keys: Vec<Value> = kids
        .iter()
        .map(|kid| json!({ "kty": "RSA", "kid": kid, "n": n, "e": "AQAB" }))
        .collect();
      KeySet::parse(json!({ "keys": keys }).to_string().as_bytes()).unwrap()
    };
    let first = doc(&["a", "b"]);
    let mut second = doc(&["b", "c"]);
    second.retire_from(&first);
    assert!(second.is_retired(Some("a")));
    assert!(!second.is_retired(Some("b")) && !second.is_retired(Some("c")) && !second.is_retired(None));
    let mut third = doc(&["a", "d"]);
    third.retire_from(&second);
    assert!(!third.is_retired(Some("a")), "a kid published again is not retired");
    assert!(third.is_retired(Some("b")) && third.is_retired(Some("c")));
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
