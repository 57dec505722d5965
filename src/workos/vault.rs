//! `vault.encrypt` / `vault.decrypt` / `vault.decode` of 7.x, locally: AES-GCM with a data key the
//! API hands out, framed as `base64(iv · tag · LEB128(len) · encrypted keys · ciphertext)`. The data
//! key never leaves this module: it is read from the API's answer here and dropped after use.

use aws_lc_rs::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use base64::alphabet::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

const IV_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// `atob`: the standard alphabet, padding optional, trailing bits ignored (whitespace is removed first).
const ATOB: GeneralPurpose = GeneralPurpose::new(
  &STANDARD,
  GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true),
);
/// `btoa`: the standard alphabet, padded.
const BTOA: GeneralPurpose = GeneralPurpose::new(&STANDARD, GeneralPurposeConfig::new());

/// Why a vault computation failed (in the words of what 7.x throws then).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
  /// Not base64 (`atob` throws an `InvalidCharacterError` with this message).
  #[error("{0}")]
  NotBase64(&'static str),
  /// The frame cannot be read (the `leb` package's message).
  #[error("{0}")]
  Frame(&'static str),
  /// Encryption or decryption failed: a key of the wrong size, or a tag that does not match.
  #[error("{0}")]
  Crypto(&'static str),
}

/// An encrypted value taken apart (`vault.decode`).
#[derive(Debug, PartialEq, Eq)]
pub struct Decoded {
  pub iv: Vec<u8>,
  pub tag: Vec<u8>,
  /// The encrypted data keys, base64 (what `decryptDataKey` sends).
  pub keys: String,
  pub ciphertext: Vec<u8>,
}

pub const INVALID_CHARACTER: &str = "Invalid character";
pub const NOT_CORRECTLY_ENCODED: &str = "The string to be decoded is not correctly encoded.";

/// `atob` of `text`, as bytes, with Node's checks in Node's order: the characters, the place and
/// number of `=`, then the length.
pub fn atob(text: &str) -> Result<Vec<u8>, VaultError> {
  let invalid = VaultError::NotBase64(INVALID_CHARACTER);
  let (mut clean, mut equals) = (String::with_capacity(text.len()), 0usize);
  for c in text.chars() {
    match c {
      '\t' | '\n' | '\x0c' | '\r' | ' ' => continue,
      '=' if equals < 2 => equals += 1,
      'A'..='Z' | 'a'..='z' | '0'..='9' | '+' | '/' if equals == 0 => clean.push(c),
      _ => return Err(invalid),
    }
  }
  let remainder = match (clean.len() + equals) % 4 {
    0 => clean.len() % 4,
    _ if equals > 0 => return Err(invalid),
    r => r,
  };
  if remainder == 1 {
    return Err(VaultError::NotBase64(NOT_CORRECTLY_ENCODED));
  }
  ATOB
    .decode(clean)
    .map_err(|_| VaultError::NotBase64(NOT_CORRECTLY_ENCODED))
}

/// `vault.decode` of 7.x: the parts of an encrypted value (short input gives short parts, as
/// `subarray` does).
pub fn decode(payload: &str) -> Result<Decoded, VaultError> {
  let bytes = atob(payload)?;
  let part = |from: usize, to: usize| bytes[from.min(bytes.len())..to.min(bytes.len())].to_vec();
  let (len, next) = read_leb_u32(&bytes, IV_LEN + TAG_LEN)?;
  let end = next.saturating_add(len as usize);
  Ok(Decoded {
    iv: part(0, IV_LEN),
    tag: part(IV_LEN, IV_LEN + TAG_LEN),
    keys: BTOA.encode(part(next, end)),
    ciphertext: part(end, bytes.len()),
  })
}

/// Encrypts `plaintext` with `key` (16, 24 or 32 bytes) and a random IV, binding `aad`, and frames
/// it with `encrypted_keys` (base64, as the API sent them).
pub fn encrypt(plaintext: &[u8], key: &[u8], encrypted_keys: &str, aad: Option<&[u8]>) -> Result<String, VaultError> {
  let keys = atob(encrypted_keys)?;
  let mut iv = [0u8; IV_LEN];
  aws_lc_rs::rand::fill(&mut iv).map_err(|_| VaultError::Crypto("no randomness"))?;
  let mut ciphertext = plaintext.to_vec();
  let tag = aead_key(key)?
    .seal_in_place_separate_tag(
      Nonce::assume_unique_for_key(iv),
      Aad::from(aad.unwrap_or_default()),
      &mut ciphertext,
    )
    .map_err(|_| VaultError::Crypto("encryption failed"))?;
  let mut out = Vec::with_capacity(IV_LEN + TAG_LEN + 5 + keys.len() + ciphertext.len());
  out.extend_from_slice(&iv);
  out.extend_from_slice(tag.as_ref());
  write_leb_u32(
    &mut out,
    u32::try_from(keys.len()).map_err(|_| VaultError::Frame("Value out of range."))?,
  );
  out.extend_from_slice(&keys);
  out.extend_from_slice(&ciphertext);
  Ok(BTOA.encode(out))
}

/// Decrypts a decoded value with `key`, checking its tag and `aad`.
pub fn decrypt(decoded: &Decoded, key: &[u8], aad: Option<&[u8]>) -> Result<Vec<u8>, VaultError> {
  let failed = VaultError::Crypto("The operation failed for an operation-specific reason");
  let nonce = Nonce::try_assume_unique_for_key(&decoded.iv).map_err(|_| VaultError::Crypto("bad IV"))?;
  let mut in_out = [decoded.ciphertext.as_slice(), decoded.tag.as_slice()].concat();
  let plain = aead_key(key)?
    .open_in_place(nonce, Aad::from(aad.unwrap_or_default()), &mut in_out)
    .map_err(|_| failed)?;
  Ok(plain.to_vec())
}

fn aead_key(key: &[u8]) -> Result<LessSafeKey, VaultError> {
  let algorithm = match key.len() {
    16 => &aead::AES_128_GCM,
    24 => &aead::AES_192_GCM,
    32 => &aead::AES_256_GCM,
    _ => return Err(VaultError::Crypto("Invalid key length")),
  };
  let key = UnboundKey::new(algorithm, key).map_err(|_| VaultError::Crypto("Invalid key length"))?;
  Ok(LessSafeKey::new(key))
}

/// Unsigned LEB128, as the `leb` package writes it (the shortest form).
fn write_leb_u32(out: &mut Vec<u8>, mut value: u32) {
  loop {
    let byte = (value & 0x7f) as u8;
    value >>= 7;
    if value == 0 {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

/// Unsigned LEB128 at `at`: the value and the index after it.
fn read_leb_u32(bytes: &[u8], at: usize) -> Result<(u32, usize), VaultError> {
  let mut value: u64 = 0;
  for (i, byte) in bytes.iter().enumerate().skip(at) {
    let shift = 7 * (i - at);
    if shift < 64 {
      value |= u64::from(byte & 0x7f) << shift;
    }
    if byte & 0x80 == 0 {
      let value = u32::try_from(value).map_err(|_| VaultError::Frame("Result out of range"))?;
      return Ok((value, i + 1));
    }
  }
  Err(VaultError::Frame("Bogus encoding"))
}

#[cfg(test)]
mod tests {
  use super::*;

  const KEY: [u8; 32] = [7; 32];

  #[test]
  fn what_is_encrypted_decrypts_and_frames_as_7x() {
    let keys = BTOA.encode(b"encrypted-keys-blob");
    let sealed = encrypt("secret ü".as_bytes(), &KEY, &keys, Some(b"ctx")).unwrap();
    let decoded = decode(&sealed).unwrap();
    assert_eq!(decoded.iv.len(), IV_LEN);
    assert_eq!(decoded.tag.len(), TAG_LEN);
    assert_eq!(decoded.keys, keys);
    assert_eq!(decrypt(&decoded, &KEY, Some(b"ctx")).unwrap(), "secret ü".as_bytes());
    assert!(
      matches!(decrypt(&decoded, &KEY, None), Err(VaultError::Crypto(_))),
      "the aad is bound"
    );
    assert!(matches!(
      decrypt(&decoded, &[8; 32], Some(b"ctx")),
      Err(VaultError::Crypto(_))
    ));
    assert_ne!(
      encrypt(b"x", &KEY, &keys, None).unwrap(),
      encrypt(b"x", &KEY, &keys, None).unwrap()
    );
  }

  #[test]
  fn keys_of_the_three_aes_sizes_and_no_other() {
    for len in [16, 24, 32] {
      let sealed = encrypt(b"v", &vec![1; len], "", None).unwrap();
      assert_eq!(decrypt(&decode(&sealed).unwrap(), &vec![1; len], None).unwrap(), b"v");
    }
    assert_eq!(
      encrypt(b"v", &[1; 31], "", None),
      Err(VaultError::Crypto("Invalid key length"))
    );
  }

  #[test]
  fn leb128_as_the_leb_package() {
    for (value, bytes) in [
      (0u32, vec![0u8]),
      (127, vec![0x7f]),
      (128, vec![0x80, 1]),
      (300, vec![0xac, 2]),
    ] {
      let mut out = vec![];
      write_leb_u32(&mut out, value);
      assert_eq!(out, bytes);
      assert_eq!(read_leb_u32(&out, 0), Ok((value, bytes.len())));
    }
    assert_eq!(read_leb_u32(&[0x80], 0), Err(VaultError::Frame("Bogus encoding")));
    assert_eq!(
      read_leb_u32(&[0xff, 0xff, 0xff, 0xff, 0x7f], 0),
      Err(VaultError::Frame("Result out of range"))
    );
  }

  #[test]
  fn atob_is_forgiving_as_in_browsers() {
    assert_eq!(atob("aGk=").unwrap(), b"hi");
    assert_eq!(atob("aGk").unwrap(), b"hi");
    assert_eq!(atob(" aG\nk= ").unwrap(), b"hi");
    assert_eq!(atob("aGl="), Ok(b"hi".to_vec()), "trailing bits ignored");
    for bad in ["aG-k", "aGk==x", "a=Gk", "aGk===", "aGk=="] {
      assert_eq!(atob(bad), Err(VaultError::NotBase64(INVALID_CHARACTER)), "{bad}");
    }
    for short in ["a", "aGk9a", "undefined"] {
      assert_eq!(
        atob(short),
        Err(VaultError::NotBase64(NOT_CORRECTLY_ENCODED)),
        "{short}"
      );
    }
  }
}
