//! Query strings as the SDK writes them: `URLSearchParams` for API calls (`HttpClient.getQueryString`)
//! and `qs.stringify(…, { arrayFormat: 'repeat', sort: localeCompare, format: 'RFC1738' })` for the
//! authorization URLs.

use std::cmp::Ordering;

use super::js::Js;

/// `HttpClient.getQueryString`: members that are `undefined` or `''` are dropped, every other value
/// is `String()`-ed (arrays comma-joined, `null` as `"null"`), in insertion order.
pub fn search_params(query: &Js) -> Vec<(String, String)> {
  let Js::Object(members) = query else {
    return Vec::new();
  };
  members
    .iter()
    .filter(|(_, v)| !matches!(v, Js::Undefined) && !matches!(v, Js::String(s) if s.is_empty()))
    .map(|(k, v)| (k.clone(), v.to_js_string()))
    .collect()
}

/// `application/x-www-form-urlencoded` serialization, as `URLSearchParams.toString()` writes it.
pub fn form_urlencoded(pairs: &[(String, String)]) -> String {
  pairs
    .iter()
    .map(|(k, v)| format!("{}={}", form_component(k), form_component(v)))
    .collect::<Vec<_>>()
    .join("&")
}

fn form_component(s: &str) -> String {
  let mut out = String::with_capacity(s.len());
  for byte in s.bytes() {
    match byte {
      b' ' => out.push('+'),
      b'*' | b'-' | b'.' | b'_' => out.push(byte as char),
      b if b.is_ascii_alphanumeric() => out.push(b as char),
      b => out.push_str(&format!("%{b:02X}")),
    }
  }
  out
}

/// `qs.stringify` with the SDK's options: keys sorted with `localeCompare` at every level, arrays
/// repeated (`k=a&k=b`), nested objects bracketed (`k[x]=v`), `undefined` skipped, `null` as `k=`,
/// RFC 1738 encoding (space as `+`).
pub fn qs_stringify(params: &Js) -> String {
  let mut out = Vec::new();
  if let Js::Object(members) = params {
    for (key, value) in sorted(members.iter().map(|(k, v)| (k.clone(), v))) {
      qs_value(&key, value, &mut out);
    }
  }
  out.join("&")
}

/// `${baseURL}${path}?${query}` of an authorization URL: `params` and `response_type=code`, through
/// [`qs_stringify`].
pub fn authorize_url(base_url: &str, path: &str, mut params: Js) -> String {
  params.set("response_type", Js::String("code".into()));
  format!("{base_url}{path}?{}", qs_stringify(&params))
}

fn qs_value(prefix: &str, value: &Js, out: &mut Vec<String>) {
  match value {
    Js::Undefined => {}
    Js::Null => out.push(format!("{}=", qs_encode(prefix))),
    Js::Array(items) => {
      let indexed = items.iter().enumerate().map(|(i, v)| (i.to_string(), v));
      for (_, item) in sorted(indexed) {
        qs_value(prefix, item, out);
      }
    }
    Js::Object(members) => {
      for (key, member) in sorted(members.iter().map(|(k, v)| (k.clone(), v))) {
        qs_value(&format!("{prefix}[{key}]"), member, out);
      }
    }
    scalar => out.push(format!("{}={}", qs_encode(prefix), qs_encode(&scalar.to_js_string()))),
  }
}

fn sorted<'a>(entries: impl Iterator<Item = (String, &'a Js)>) -> Vec<(String, &'a Js)> {
  let mut entries: Vec<_> = entries.collect();
  entries.sort_by(|(a, _), (b, _)| locale_compare(a, b));
  entries
}

/// qs's `utils.encode` in RFC 1738 mode, then its formatter (`%20` → `+`).
fn qs_encode(s: &str) -> String {
  let mut out = String::with_capacity(s.len());
  for byte in s.bytes() {
    match byte {
      b'-' | b'.' | b'_' | b'~' | b'(' | b')' => out.push(byte as char),
      b' ' => out.push('+'),
      b if b.is_ascii_alphanumeric() => out.push(b as char),
      b => out.push_str(&format!("%{b:02X}")),
    }
  }
  out
}

/// ASCII in the order of the ICU root collation Node's `localeCompare` uses: spaces and
/// punctuation first, then digits, then letters (case folded).
const COLLATION_ORDER: &str = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz";

fn primary_weight(c: char) -> u32 {
  let folded = c.to_ascii_lowercase();
  match COLLATION_ORDER.find(folded) {
    Some(i) => i as u32 + 1,
    // Control characters first; anything beyond ASCII after the letters, by code point.
    None if c.is_ascii() => 0,
    None => COLLATION_ORDER.len() as u32 + c as u32,
  }
}

/// `a.localeCompare(b)` for the keys the SDK sorts: letters compared without case first, then
/// lower case before upper case, as ICU's root collation does. Exact for ASCII keys.
pub fn locale_compare(a: &str, b: &str) -> Ordering {
  let primary = |s: &str| s.chars().map(primary_weight).collect::<Vec<_>>();
  let tertiary = |s: &str| s.chars().map(|c| c.is_ascii_uppercase()).collect::<Vec<_>>();
  primary(a)
    .cmp(&primary(b))
    .then_with(|| tertiary(a).cmp(&tertiary(b)))
    .then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  #[test]
  fn search_params_follow_url_search_params() {
    let q = Js::from(json!({ "email": "", "limit": 5, "statuses": "a,b", "after": null, "x": ["a", "b"] }));
    let mut q = q;
    q.set("skipped", Js::Undefined);
    assert_eq!(
      search_params(&q),
      vec![
        ("limit".to_string(), "5".to_string()),
        ("statuses".into(), "a,b".into()),
        ("after".into(), "null".into()),
        ("x".into(), "a,b".into()),
      ]
    );
    assert_eq!(
      form_urlencoded(&[("a b".into(), "x/y*z~".into())]),
      "a+b=x%2Fy*z%7E".to_string()
    );
  }

  #[test]
  fn qs_matches_the_sdk_authorization_query() {
    let q = Js::from(json!({
      "provider": "authkit", "provider_query_params": { "hd": "x.com" }, "provider_scopes": ["s1", "s2"],
      "client_id": "client_123", "redirect_uri": "https://x.y/cb", "response_type": "code", "state": "a b", "empty": null
    }));
    assert_eq!(
      qs_stringify(&q),
      "client_id=client_123&empty=&provider=authkit&provider_query_params%5Bhd%5D=x.com&provider_scopes=s1\
       &provider_scopes=s2&redirect_uri=https%3A%2F%2Fx.y%2Fcb&response_type=code&state=a+b"
    );
  }

  #[test]
  fn keys_sort_like_locale_compare() {
    let mut keys = vec![
      "provider_scopes",
      "b",
      "B",
      "a_b",
      "ab",
      "10",
      "2",
      "1",
      "provider",
      "a1",
    ];
    keys.sort_by(|a, b| locale_compare(a, b));
    assert_eq!(
      keys,
      vec![
        "1",
        "10",
        "2",
        "a_b",
        "a1",
        "ab",
        "b",
        "B",
        "provider",
        "provider_scopes"
      ]
    );
  }
}
