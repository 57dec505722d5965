//! `autoPagination()`'s walk: pages of a list, fetched one after another by following
//! `list_metadata.after`, 350 ms apart, their `data` items joined into one JSON array.
//!
//! Only what the walk needs is read from a page (its `data` items as raw JSON text and the
//! `after` cursor), so the items reach JavaScript as the API wrote them and `JSON.parse` reads them
//! there, exactly as it reads a single result. The reading accepts all the JSON `JSON.parse`
//! accepts in those places, lone surrogate escapes (`"\ud800"`) in keys and strings included.

use std::fmt;
use std::time::Duration;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::errors::Failure;
use super::transport::{Answer, Call, WorkOsApi};

/// The SDK's pause between two pages of `autoPagination()` ("4 rps to respect list users rate limits").
const PAGE_DELAY: Duration = Duration::from_millis(350);

/// How a walk ended.
pub enum Walked {
  /// Every item of the pages walked, as one JSON array.
  Items(Vec<u8>),
  /// A page that is not a successful list page: the glue reads it as it reads a first page, which
  /// gives the error (an exception for its status, a `ParseError`, a shape error).
  Page(Answer, String),
}

/// Fetches pages of `call` from `start` (the first page's cursor, none for the head of the list),
/// following each page's `after` until there is none. `pause_first`: the walk continues from a page
/// the caller already has, so it waits before the first fetch too.
pub async fn walk(api: &WorkOsApi, call: &Call, start: Option<String>, pause_first: bool) -> Result<Walked, Failure> {
  let mut items: Vec<u8> = b"[".to_vec();
  let (mut cursor, mut pause) = (start, pause_first);
  loop {
    if pause {
      tokio::time::sleep(PAGE_DELAY).await;
    }
    pause = true;
    let answer = api.send(call, cursor.as_deref(), "retry-").await?;
    if !answer.is_success() || !answer.json {
      return Ok(Walked::Page(answer, "not a successful JSON answer".into()));
    }
    let page = match read_page(&answer.body) {
      Ok(page) => page,
      Err(reason) => return Ok(Walked::Page(answer, reason)),
    };
    for item in page.data {
      if items.len() > 1 {
        items.push(b',');
      }
      items.extend_from_slice(item.get().as_bytes());
    }
    cursor = page.after;
    if cursor.is_none() {
      items.push(b']');
      return Ok(Walked::Items(items));
    }
  }
}

/// What the walk reads of a page.
pub struct Page<'a> {
  pub data: Vec<&'a RawValue>,
  /// `list_metadata.after` when it is a non-empty string: where the next page starts.
  pub after: Option<String>,
}

/// Reads a list page: `data` must be an array (absent and `null` are the same error), the cursor is
/// `list_metadata.after`.
pub fn read_page(body: &[u8]) -> Result<Page<'_>, String> {
  // The decoder JavaScript reads the body with drops a byte order mark; so does this.
  let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
  let text = std::str::from_utf8(body).map_err(|e| format!("the page is not UTF-8: {e}"))?;
  let [data, meta] = members(text, ["data", "list_metadata"]).map_err(|e| format!("the page: {e}"))?;
  let data: Vec<&RawValue> = data
    .and_then(|raw| serde_json::from_str(raw.get()).ok())
    .ok_or("the page has no `data` array")?;
  let after = match meta {
    Some(meta) if meta.get().starts_with('{') => {
      let [after] = members(meta.get(), ["after"]).map_err(|e| format!("list_metadata: {e}"))?;
      after.and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
    }
    _ => None,
  };
  Ok(Page {
    data,
    after: after.filter(|a| !a.is_empty()),
  })
}

/// The raw values of the named members of the JSON object `text` (the last one of a repeated name,
/// as `JSON.parse` keeps); an error when `text` is not a JSON object.
pub fn members<'a, const N: usize>(text: &'a str, names: [&str; N]) -> Result<[Option<&'a RawValue>; N], String> {
  let mut deserializer = serde_json::Deserializer::from_str(text);
  let found = Members { names }
    .deserialize(&mut deserializer)
    .map_err(|e| e.to_string())?;
  deserializer.end().map_err(|e| e.to_string())?;
  Ok(found)
}

struct Members<'n, const N: usize> {
  names: [&'n str; N],
}

impl<'de, const N: usize> DeserializeSeed<'de> for Members<'_, N> {
  type Value = [Option<&'de RawValue>; N];

  fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
    deserializer.deserialize_map(self)
  }
}

impl<'de, const N: usize> Visitor<'de> for Members<'_, N> {
  type Value = [Option<&'de RawValue>; N];

  fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
    f.write_str("a JSON object")
  }

  fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
    let mut found = [None; N];
    while let Some(Key(key)) = map.next_key()? {
      match self.names.iter().position(|name| name.as_bytes() == key.as_slice()) {
        Some(i) => found[i] = Some(map.next_value()?),
        None => {
          map.next_value::<IgnoredAny>()?;
        }
      }
    }
    Ok(found)
  }
}

/// A member name, read as bytes: serde_json decodes a lone surrogate escape to bytes (WTF-8) where
/// it refuses it as a `str`, so no name makes the object unreadable.
struct Key(Vec<u8>);

impl<'de> de::Deserialize<'de> for Key {
  fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
    struct KeyVisitor;
    impl Visitor<'_> for KeyVisitor {
      type Value = Key;
      fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
      }
      fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Key, E> {
        Ok(Key(v.to_vec()))
      }
      fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(Key(v.as_bytes().to_vec()))
      }
    }
    deserializer.deserialize_bytes(KeyVisitor)
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn raw(items: &[&RawValue]) -> Vec<String> {
    items.iter().map(|r| r.get().to_string()).collect()
  }

  #[test]
  fn a_page_gives_its_items_verbatim_and_its_cursor() {
    let page = read_page(
      br#"{"object":"list","data":[{"id":"a","n":1.50},{"s":"\ud800"}],"list_metadata":{"before":null,"after":"a"}}"#,
    )
    .unwrap();
    assert_eq!(raw(&page.data), [r#"{"id":"a","n":1.50}"#, r#"{"s":"\ud800"}"#]);
    assert_eq!(page.after.as_deref(), Some("a"));
  }

  #[test]
  fn a_page_ends_the_walk_without_a_usable_cursor() {
    for meta in [
      r#""list_metadata":{"after":null}"#,
      r#""list_metadata":{"after":""}"#,
      r#""list_metadata":{"after":7}"#,
      r#""list_metadata":null"#,
      r#""x":1"#,
    ] {
      let body = format!(r#"{{"data":[],{meta}}}"#);
      assert_eq!(read_page(body.as_bytes()).unwrap().after, None, "{meta}");
    }
  }

  #[test]
  fn json_parse_rules_hold_for_odd_but_valid_pages() {
    // Lone surrogates in names, a repeated name (the last wins), an escaped name, a byte order mark.
    let body =
      "\u{feff}{\"\\ud800x\":1,\"data\":[1],\"d\\u0061ta\":[2],\"list_metadata\":{\"\\udc00\":0,\"after\":\"c\"}}";
    let page = read_page(body.as_bytes()).unwrap();
    assert_eq!(raw(&page.data), ["2"]);
    assert_eq!(page.after.as_deref(), Some("c"));
  }

  #[test]
  fn a_missing_or_null_data_is_one_error_and_non_objects_are_refused() {
    let missing = read_page(br#"{"list_metadata":{}}"#).err();
    let null = read_page(br#"{"data":null}"#).err();
    assert_eq!(missing, null);
    assert_eq!(missing.as_deref(), Some("the page has no `data` array"));
    for bad in [
      &br#"[{"data":[]}]"#[..],
      b"null",
      b"{\"data\":[]} x",
      b"<html>",
      b"{\"data\":{}}",
    ] {
      assert!(read_page(bad).is_err(), "{}", String::from_utf8_lossy(bad));
    }
  }
}
