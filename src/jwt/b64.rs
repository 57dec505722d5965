//! base64url as JWTs use it (RFC 7515 §2): strict for token segments, lenient for JWKS members.

use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

/// Unpadded, canonical base64url: padding, `+`, `/`, whitespace and non-zero trailing bits are errors,
/// so every token has exactly one encoding.
const STRICT: GeneralPurpose = GeneralPurpose::new(
  &URL_SAFE,
  GeneralPurposeConfig::new()
    .with_encode_padding(false)
    .with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

/// Key material published by the authorization server may carry padding.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
  &URL_SAFE,
  GeneralPurposeConfig::new()
    .with_encode_padding(false)
    .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

pub fn decode_strict(segment: &str) -> Option<Vec<u8>> {
  STRICT.decode(segment).ok()
}

pub fn decode_lenient(value: &str) -> Option<Vec<u8>> {
  LENIENT.decode(value).ok()
}

#[cfg(test)]
pub fn encode(bytes: &[u8]) -> String {
  STRICT.encode(bytes)
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn strict_rejects_non_canonical_forms() {
    assert_eq!(decode_strict("YQ").as_deref(), Some(&b"a"[..]));
    for bad in ["YQ==", "YR", "Y Q", "YQ\n", "a+b/", "Y"] {
      assert!(decode_strict(bad).is_none(), "{bad:?}");
    }
    assert_eq!(decode_lenient("YQ==").as_deref(), Some(&b"a"[..]));
  }
}
