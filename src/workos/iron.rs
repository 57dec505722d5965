//! Sealed sessions as 7.x writes and reads them: iron-session 6's `sealData` / `unsealData` over the
//! `Fe26.2` format of `iron-webcrypto` (AES-256-CBC for the JSON text, HMAC-SHA256 over the sealed
//! string, both keys derived from the cookie password with PBKDF2-SHA1, one iteration, and their own
//! random salts; base64url without padding), followed by `~2`, the iron-session version.
//!
//! The password only passes through: nothing here keeps it.

use std::num::NonZeroU32;

use aws_lc_rs::cipher::{
  DecryptionContext, EncryptionContext, PaddedBlockDecryptingKey, PaddedBlockEncryptingKey, UnboundCipherKey, AES_256,
};
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::{constant_time, hmac, pbkdf2};
use base64::alphabet::{STANDARD, URL_SAFE};
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

const PREFIX: &str = "Fe26.2";
/// iron-session keeps its one password under id `1`.
const PASSWORD_ID: &str = "1";
const MIN_PASSWORD_LEN: usize = 32;
const SALT_BYTES: usize = 32;
const TIMESTAMP_SKEW_MS: f64 = 60_000.0;

const B64URL: GeneralPurpose = GeneralPurpose::new(&URL_SAFE, GeneralPurposeConfig::new().with_encode_padding(false));
/// `Buffer.from(text, 'base64')`: either alphabet, padding optional.
const BUFFER_B64: [GeneralPurpose; 2] = [
  GeneralPurpose::new(&URL_SAFE, lenient()),
  GeneralPurpose::new(&STANDARD, lenient()),
];

const fn lenient() -> GeneralPurposeConfig {
  GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true)
}

/// What `unsealData` found.
#[derive(Debug, PartialEq, Eq)]
pub enum Unsealed {
  /// The sealed JSON text of an iron-session 2 seal (`~2`).
  Current(String),
  /// The sealed JSON text of an older seal: its `persistent` member is the data.
  Legacy(String),
  /// A seal that is expired, forged, for another password or malformed: iron-session gives `{}`.
  Empty,
}

/// `sealData(json, { password, ttl: 0 })` of iron-session 6: the seal never expires.
pub fn seal(json: &str, password: &str) -> Result<String, String> {
  let salt = random_salt()?;
  let key = derive(password, &salt)?;
  let mut iv = [0u8; 16];
  aws_lc_rs::rand::fill(&mut iv).map_err(|_| "no randomness".to_string())?;
  let cipher = UnboundCipherKey::new(&AES_256, &key)
    .and_then(PaddedBlockEncryptingKey::cbc_pkcs7)
    .map_err(|_| "encryption failed".to_string())?;
  let mut data = json.as_bytes().to_vec();
  cipher
    .less_safe_encrypt(&mut data, EncryptionContext::Iv128(FixedLength::from(iv)))
    .map_err(|_| "encryption failed".to_string())?;
  let base = format!(
    "{PREFIX}*{PASSWORD_ID}*{salt}*{}*{}*",
    B64URL.encode(iv),
    B64URL.encode(&data)
  );
  let mac_salt = random_salt()?;
  let mac = mac(password, &mac_salt, &base)?;
  Ok(format!("{base}*{mac_salt}*{mac}~2"))
}

/// `unsealData(seal, { password })` of iron-session 6, at `now_ms`. An error is what the libraries
/// throw (other failures read as [`Unsealed::Empty`], as they do).
pub fn unseal(sealed: &str, password: &str, now_ms: f64) -> Result<Unsealed, String> {
  let chars: Vec<char> = sealed.chars().collect();
  let (body, current) = match chars.len().checked_sub(2).map(|i| chars[i]) {
    Some('~') => match sealed.split('~').collect::<Vec<_>>()[..] {
      [body, version, ..] => (body, version.parse::<u32>().ok() == Some(2)),
      _ => (sealed, false),
    },
    _ => (sealed, false),
  };
  let parts: Vec<&str> = body.split('*').collect();
  let [prefix, id, salt, iv, encrypted, expiration, mac_salt, digest] = parts[..] else {
    return Ok(Unsealed::Empty); // "Incorrect number of sealed components"
  };
  if prefix != PREFIX {
    return Err("Wrong mac prefix".into());
  }
  if !expiration.is_empty() {
    if !expiration.bytes().all(|b| b.is_ascii_digit()) {
      return Err("Invalid expiration".into());
    }
    if expiration.parse::<f64>().unwrap_or(f64::INFINITY) <= now_ms - TIMESTAMP_SKEW_MS {
      return Ok(Unsealed::Empty); // "Expired seal"
    }
  }
  if id != PASSWORD_ID {
    return Ok(Unsealed::Empty); // "Cannot find password: <id>"
  }
  let base = format!("{prefix}*{id}*{salt}*{iv}*{encrypted}*{expiration}");
  let expected = mac(password, mac_salt, &base)?;
  if expected.len() != digest.len()
    || constant_time::verify_slices_are_equal(expected.as_bytes(), digest.as_bytes()).is_err()
  {
    return Ok(Unsealed::Empty); // "Bad hmac value"
  }
  let failed = || "The operation failed for an operation-specific reason".to_string();
  let iv: [u8; 16] = buffer_b64(iv).try_into().map_err(|_| failed())?;
  let mut data = buffer_b64(encrypted);
  let cipher = UnboundCipherKey::new(&AES_256, &derive(password, salt)?)
    .and_then(PaddedBlockDecryptingKey::cbc_pkcs7)
    .map_err(|_| failed())?;
  let plain = cipher
    .decrypt(&mut data, DecryptionContext::Iv128(FixedLength::from(iv)))
    .map_err(|_| failed())?;
  let text = String::from_utf8_lossy(plain).into_owned();
  Ok(if current {
    Unsealed::Current(text)
  } else {
    Unsealed::Legacy(text)
  })
}

/// The 32-byte key of `password` and `salt` (a hex string, used as text).
fn derive(password: &str, salt: &str) -> Result<[u8; 32], String> {
  if password.is_empty() {
    return Err("Empty password".into());
  }
  if password.encode_utf16().count() < MIN_PASSWORD_LEN {
    return Err(format!(
      "Password string too short (min {MIN_PASSWORD_LEN} characters required)"
    ));
  }
  let mut key = [0u8; 32];
  pbkdf2::derive(
    pbkdf2::PBKDF2_HMAC_SHA1,
    NonZeroU32::MIN,
    salt.as_bytes(),
    password.as_bytes(),
    &mut key,
  );
  Ok(key)
}

fn mac(password: &str, salt: &str, base: &str) -> Result<String, String> {
  let key = hmac::Key::new(hmac::HMAC_SHA256, &derive(password, salt)?);
  Ok(B64URL.encode(hmac::sign(&key, base.as_bytes())))
}

fn random_salt() -> Result<String, String> {
  let mut bytes = [0u8; SALT_BYTES];
  aws_lc_rs::rand::fill(&mut bytes).map_err(|_| "no randomness".to_string())?;
  Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Node's lenient base64 reading (it skips what it cannot read; here that is an empty result).
fn buffer_b64(text: &str) -> Vec<u8> {
  BUFFER_B64
    .iter()
    .find_map(|engine| engine.decode(text).ok())
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
  use super::*;

  const PASSWORD: &str = "a cookie password of at least 32 characters";

  #[test]
  fn a_seal_opens_with_its_password_only() {
    let sealed = seal(r#"{"accessToken":"at","user":{"id":"u"}}"#, PASSWORD).unwrap();
    assert!(sealed.starts_with("Fe26.2*1*") && sealed.ends_with("~2"), "{sealed}");
    assert_eq!(sealed.split('*').nth(5), Some(""), "no expiration (ttl 0)");
    assert_eq!(
      unseal(&sealed, PASSWORD, 0.0),
      Ok(Unsealed::Current(r#"{"accessToken":"at","user":{"id":"u"}}"#.into()))
    );
    let other = "another cookie password, also 32 characters long";
    assert_eq!(unseal(&sealed, other, 0.0), Ok(Unsealed::Empty));
    assert_ne!(
      seal("{}", PASSWORD).unwrap(),
      seal("{}", PASSWORD).unwrap(),
      "random salts and IV"
    );
  }

  #[test]
  fn tampering_expiry_and_malformed_seals() {
    let sealed = seal("{}", PASSWORD).unwrap();
    let tampered = sealed.replacen("*1*", "*1*0", 1);
    assert_eq!(unseal(&tampered, PASSWORD, 0.0), Ok(Unsealed::Empty));
    assert_eq!(unseal("a*b", PASSWORD, 0.0), Ok(Unsealed::Empty));
    assert_eq!(
      unseal("Fe26.1*1*a*b*c**d*e", PASSWORD, 0.0),
      Err("Wrong mac prefix".into())
    );
    assert_eq!(
      unseal("Fe26.2*1*a*b*c*x1*d*e", PASSWORD, 0.0),
      Err("Invalid expiration".into())
    );
    assert_eq!(
      unseal("Fe26.2*1*a*b*c*1000*d*e", PASSWORD, 70_000.0),
      Ok(Unsealed::Empty)
    );
    assert_eq!(unseal("Fe26.2*2*a*b*c**d*e", PASSWORD, 0.0), Ok(Unsealed::Empty));
    assert_eq!(
      unseal("Fe26.2*1*a*b*c**d*e", "short", 0.0),
      Err("Password string too short (min 32 characters required)".into())
    );
    assert_eq!(seal("{}", ""), Err("Empty password".into()));
    let legacy = sealed.trim_end_matches("~2");
    assert_eq!(unseal(legacy, PASSWORD, 0.0), Ok(Unsealed::Legacy("{}".into())));
  }
}
