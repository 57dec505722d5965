//! Entry points for the coverage-guided fuzz targets in `fuzz/` (built only with the `fuzzing`
//! feature). Each takes arbitrary bytes and must return without panicking, whatever they are.

use jsonwebtoken::DecodingKey;
use once_cell::sync::Lazy;

use crate::config::ProviderConfig;
use crate::guard::Guard;
use crate::jwt::b64;
use crate::jwt::bearer::bearer_token;
use crate::jwt::claims::{check_claims, ClaimRules, MachineTokens};
use crate::jwt::jwks::{KeySet, RsaKey};
use crate::jwt::verify::{parse_token, verify_with_key};
use crate::workos::transport::finished_path;

const NOW: f64 = 1_800_000_000.0;

fn rules() -> (String, Vec<String>) {
  (
    "https://acme.authkit.app".to_string(),
    vec!["client_1".to_string(), "https://mcp.example/mcp".to_string()],
  )
}

/// The modulus of `fuzz/seed-key.pem` (exponent 65537), a throwaway RSA-2048 key that exists only to
/// sign the seed tokens in `fuzz/corpus/token/` (`fuzz/make-corpus.js`): seeds signed by it pass the
/// signature check, so the fuzzer starts from inputs that reach the payload decoding and the claims rules.
const SEED_KEY_N: &str = "xC53uzgeYHtZya7iOLS7o5d_ye0OWNumKrQoMPKA0OAiEA8IrEbrYsgDS7hoQqnn5YXJgILiv854eOCpvnQfcZCgSd67wYncR5Hdf13biT94VE51LK7EGlyuHP9AV5VH_4lrINE-MjXo3Rc4SXRIpc4d8j-DVJEaPrufcjIdVWtHq0bhBPnGOLBE8Y-TAuWExnj2ZYKw1YcJUK75IonwWCyyYy24kfvP6OL9VF58jnKD9kYwoVyUkmwTEHn73myVkGiRu6hGhqZ2bVs8l-tDnfd8DhqSvj2noT5y78A7ImYmULCMoEl0x7qei0jzfiEtqWJe5dPZclSQjBbIUUh3nQ";

static FIXED_KEY: Lazy<RsaKey> = Lazy::new(|| {
  let modulus = b64::decode_lenient(SEED_KEY_N).unwrap_or_default();
  debug_assert_eq!(modulus.len(), 256, "SEED_KEY_N must be a 2048-bit modulus");
  RsaKey {
    kid: Some("k".into()),
    key: DecodingKey::from_rsa_raw_components(&modulus, &[1, 0, 1]),
    fingerprint: [0; 32],
  }
});

static GUARD: Lazy<Guard> = Lazy::new(|| {
  let config = serde_json::json!({
    "apiKey": "k", "clientId": "c", "baseURL": "https://mcp.example", "authkitDomain": "acme.authkit.app"
  });
  match ProviderConfig::from_json(&config, |_| None) {
    Ok(config) => Guard::new(&config),
    Err(e) => panic!("the fuzzing config must be valid: {e}"),
  }
});

/// The whole token path: `Authorization` header parsing, the compact-JWS checks, the signature check
/// against a fixed RSA key (the seed key), and, for correctly signed inputs, the payload and claims rules.
pub fn token(data: &[u8]) {
  let Ok(text) = std::str::from_utf8(data) else { return };
  let (issuer, audiences) = rules();
  let rules = ClaimRules {
    issuer: &issuer,
    audiences: &audiences,
    resource: "https://mcp.example/mcp",
    leeway: 30.0,
    machines: &MachineTokens::Any,
  };
  for candidate in [Some(text), bearer_token(Some(text))].into_iter().flatten() {
    if let Ok(parsed) = parse_token(candidate) {
      let _ = verify_with_key(&parsed, &FIXED_KEY, &rules, NOW);
    }
  }
}

/// A payload as it would be after a valid signature: strict JSON object parsing and claims rules.
pub fn claims(data: &[u8]) {
  let (issuer, audiences) = rules();
  let rules = ClaimRules {
    issuer: &issuer,
    audiences: &audiences,
    resource: "https://mcp.example/mcp",
    leeway: 30.0,
    machines: &MachineTokens::Any,
  };
  let _ = check_claims(data, &rules, NOW);
}

/// The `Authorization` header parser and the path guard.
pub fn authorization_header(data: &[u8]) {
  let text = String::from_utf8_lossy(data);
  let _ = bearer_token(Some(&text));
  for method in ["GET", "POST"] {
    let _ = GUARD.guards(method, &text);
  }
}

/// Upstream documents and requests: a JWKS, and a WorkOS API request URL as the SDK finished it.
pub fn documents(data: &[u8]) {
  if let Ok(keys) = KeySet::parse(data) {
    let _ = keys.find(Some("k"));
    let _ = keys.find(None);
  }
  if let Ok(text) = std::str::from_utf8(data) {
    let _ = finished_path("https://api.workos.com", text);
  }
}
