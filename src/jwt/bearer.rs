//! The `Authorization` header, read the way the original does.

/// Returns the token of `Bearer <token>`: the header split on single spaces must give exactly two
/// parts, the first `bearer` in any case, the second non-empty. Anything else counts as no token.
pub fn bearer_token(header: Option<&str>) -> Option<&str> {
  let mut parts = header?.split(' ');
  let (scheme, token) = (parts.next()?, parts.next()?);
  if parts.next().is_some() || !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
    return None;
  }
  Some(token)
}

#[cfg(test)]
mod tests {
  use super::bearer_token;

  #[test]
  fn only_two_single_space_separated_parts_count() {
    assert_eq!(bearer_token(Some("Bearer abc")), Some("abc"));
    assert_eq!(bearer_token(Some("bearer abc")), Some("abc"));
    assert_eq!(bearer_token(Some("BEARER abc")), Some("abc"));
    for bad in [
      "",
      "Bearer",
      "Bearer ",
      "Bearer  abc",
      "Bearer abc def",
      "Basic abc",
      " Bearer abc",
      "Bearer\tabc",
    ] {
      assert_eq!(bearer_token(Some(bad)), None, "{bad:?}");
    }
    assert_eq!(bearer_token(None), None);
  }
}
