//! List methods, as the SDK's `fetchAndDeserialize` and `AutoPaginatable` run them.
//!
//! A list method answers its first page: `{ object: 'list', data, listMetadata }` plus the
//! serialized options the SDK keeps on the list object. `autoPagination()` then walks the rest in
//! pages of 100, 350 ms apart, following `list_metadata.after`. Unlike the SDK, the walk continues
//! from the first page instead of fetching it again, except when the options carry `before`: that
//! window depends on the page size, so the walk starts over, as the SDK's does.

use std::time::Duration;

use napi_derive::napi;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::js::{to_js, Js, Maybe};
use super::query::search_params;
use super::{ApiErrorData, Call, WorkOsApi};

/// The SDK's pause between two pages of `autoPagination()` ("4 rps to respect list users rate limits").
const PAGE_DELAY: Duration = Duration::from_millis(350);
/// The page size of `autoPagination()`.
const WALK_LIMIT: u32 = 100;

/// A page, as the SDK's `deserializeList` builds it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct List<T> {
  object: &'static str,
  data: Vec<T>,
  list_metadata: Maybe,
}

/// A page as the API sends it; `data` is required (the SDK maps over it).
#[derive(Deserialize)]
struct WirePage<T> {
  data: Vec<T>,
  #[serde(default)]
  list_metadata: Maybe,
}

impl<T> WirePage<T> {
  /// `list_metadata.after` when truthy: where the next page starts.
  fn next(&self) -> Option<String> {
    match &self.list_metadata.0 {
      Some(Value::Object(meta)) => match meta.get("after") {
        Some(Value::String(after)) if !after.is_empty() => Some(after.clone()),
        _ => None,
      },
      _ => None,
    }
  }
}

/// Where `autoPagination()` goes on from a first page; the glue hands it back unchanged.
#[napi(object)]
#[derive(Serialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Walk {
  /// The cursor of the first page to fetch (`after`), none for the start of the list.
  pub after: Option<String>,
  /// The walk follows the first page (which stays part of the result): wait before fetching.
  pub continues: bool,
}

/// What a list method resolves to before the glue wraps it: the page, the options the SDK keeps
/// (`options` of its `AutoPaginatable`: the serialized options, `{}` when none were given), and
/// how to walk on (none when `limit` was given: the SDK then returns the first page only).
#[derive(Serialize)]
struct FirstPage<T> {
  list: List<T>,
  options: Js,
  walk: Option<Walk>,
}

/// The query of one page: the options, the walk's `limit`/`after` when walking, and `order`
/// defaulted to `desc` (the SDK's `setDefaultOptions`).
fn page_query(options: &Js, walk_after: Option<Option<String>>) -> Js {
  let mut query = options.clone();
  if let Some(after) = walk_after {
    query.set("limit", Js::Number(WALK_LIMIT.into()));
    query.set("after", after.map_or(Js::Undefined, Js::String));
  }
  if !query.get("order").is_truthy() {
    query.set("order", Js::String("desc".into()));
  }
  query
}

/// Whether a query member is sent (not `undefined` and not `''`).
fn is_sent(value: &Js) -> bool {
  !search_params(&Js::Object(vec![(String::new(), value.clone())])).is_empty()
}

/// A list method's first page, or with `walk`, the items of the rest of the list.
pub async fn list<T: DeserializeOwned + Serialize>(
  api: &WorkOsApi,
  path: String,
  options: Js,
  walk: Option<Walk>,
) -> Result<Js, ApiErrorData> {
  let result = match walk {
    None => to_js(&first_page::<T>(api, path, options).await?),
    Some(walk) => to_js(&rest::<T>(api, path, &options, walk).await?),
  };
  result.map_err(|e| ApiErrorData::internal(&e.to_string()))
}

async fn first_page<T: DeserializeOwned>(
  api: &WorkOsApi,
  path: String,
  options: Js,
) -> Result<FirstPage<T>, ApiErrorData> {
  let page: WirePage<T> = api.fetch(Call::get(path).query(&page_query(&options, None))).await?;
  let walk = if options.get("limit").is_truthy() {
    None
  } else if is_sent(options.get("before")) {
    let after = options.get("after");
    Some(Walk {
      after: is_sent(after).then(|| after.to_js_string()),
      continues: false,
    })
  } else {
    Some(Walk {
      after: page.next(),
      continues: true,
    })
  };
  let list = List {
    object: "list",
    data: page.data,
    list_metadata: page.list_metadata,
  };
  // `Object.assign({}, options)`: an absent options object becomes `{}`.
  let options = if matches!(options, Js::Undefined) {
    Js::object()
  } else {
    options
  };
  Ok(FirstPage { list, options, walk })
}

async fn rest<T: DeserializeOwned>(
  api: &WorkOsApi,
  path: String,
  options: &Js,
  walk: Walk,
) -> Result<Vec<T>, ApiErrorData> {
  let mut items = Vec::new();
  if walk.continues && walk.after.is_none() {
    return Ok(items);
  }
  let (mut after, mut wait) = (walk.after, walk.continues);
  loop {
    if wait {
      tokio::time::sleep(PAGE_DELAY).await;
    }
    wait = true;
    let query = page_query(options, Some(after));
    let page: WirePage<T> = api.fetch(Call::get(path.clone()).query(&query)).await?;
    after = page.next();
    items.extend(page.data);
    if after.is_none() {
      return Ok(items);
    }
  }
}

/// The options of a list method the SDK serializes (`options ? serialize(options) : undefined`).
pub fn list_options<T: DeserializeOwned + Serialize>(options: Option<Value>) -> Result<Js, ApiErrorData> {
  match options {
    Some(options) => super::wire::<T>(Some(options)),
    None => Ok(Js::Undefined),
  }
}

/// The options of a list method the SDK passes through unchanged.
pub fn raw_options(options: Option<Value>) -> Js {
  options.map_or(Js::Undefined, Js::from)
}

/// The pagination members every list method serializes, after its own.
#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub struct PageOptions {
  limit: Maybe,
  before: Maybe,
  after: Maybe,
  order: Maybe,
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  fn pairs(js: &Js) -> Vec<(String, String)> {
    search_params(js)
  }

  #[test]
  fn pages_default_to_desc_and_walks_use_100() {
    assert_eq!(
      pairs(&page_query(&Js::Undefined, None)),
      vec![("order".into(), "desc".into())]
    );
    let options = Js::from(json!({ "organization_id": "org_1", "order": "asc" }));
    assert_eq!(
      pairs(&page_query(&options, Some(Some("u1".into())))),
      vec![
        ("organization_id".to_string(), "org_1".to_string()),
        ("order".into(), "asc".into()),
        ("limit".into(), "100".into()),
        ("after".into(), "u1".into()),
      ]
    );
  }

  #[test]
  fn sent_means_neither_undefined_nor_empty() {
    assert!(!is_sent(&Js::Undefined));
    assert!(!is_sent(&Js::String(String::new())));
    assert!(is_sent(&Js::Null));
    assert!(is_sent(&Js::String("x".into())));
  }
}
