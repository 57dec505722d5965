//! The signatures of WorkOS webhooks and Actions: HMAC-SHA256 of `<timestamp>.<JSON payload>` with
//! the endpoint's secret, written as lower-case hex (what `computeSignature` of 7.x returns), and the
//! check of a received signature against it in constant time.

use aws_lc_rs::{constant_time, hmac};

/// HMAC-SHA256 of `message` keyed with `secret`, as lower-case hex.
pub fn sign(message: &str, secret: &str) -> String {
  let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
  hex(hmac::sign(&key, message.as_bytes()).as_ref())
}

/// Whether `signature` is the signature of `message` (compared in constant time, as 7.x's
/// `secureCompare` does; strings of different lengths differ at once).
pub fn matches(message: &str, secret: &str, signature: &str) -> bool {
  let expected = sign(message, secret);
  expected.len() == signature.len()
    && constant_time::verify_slices_are_equal(expected.as_bytes(), signature.as_bytes()).is_ok()
}

fn hex(bytes: &[u8]) -> String {
  const DIGITS: &[u8; 16] = b"0123456789abcdef";
  bytes
    .iter()
    .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])
    .map(char::from)
    .collect()
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn rfc_4231_case_2() {
    assert_eq!(
      sign("what do ya want for nothing?", "Jefe"),
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
  }

  #[test]
  fn a_signature_matches_only_itself() {
    let good = sign("1.{}", "secret");
    assert!(matches("1.{}", "secret", &good));
    assert!(!matches("1.{}", "other", &good));
    assert!(!matches("2.{}", "secret", &good));
    assert!(!matches("1.{}", "secret", &good[1..]));
    assert!(!matches("1.{}", "secret", &good.to_uppercase()));
    assert!(!matches("1.{}", "secret", ""));
  }
}
