//! `directorySync`: directories, directory users and groups, as `@workos-inc/node` 7.x shapes them.

use napi_derive::napi;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::js::Maybe;
use super::pagination::{list_options, raw_options, PageOptions, Walk};
use super::{api_path, ApiResult, Call, NativeWorkOS};

/// `deserializeDirectoryState`: `linked` → `active`, `unlinked` → `inactive`, others unchanged.
fn directory_state<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Maybe, D::Error> {
  let state = Value::deserialize(deserializer)?;
  Ok(Maybe(Some(match state.as_str() {
    Some("linked") => Value::String("active".into()),
    Some("unlinked") => Value::String("inactive".into()),
    _ => state,
  })))
}

/// `deserializeDirectory`.
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(serialize = "camelCase"))]
struct Directory {
  object: Maybe,
  id: Maybe,
  domain: Maybe,
  external_key: Maybe,
  name: Maybe,
  organization_id: Maybe,
  #[serde(deserialize_with = "directory_state")]
  state: Maybe,
  r#type: Maybe,
  created_at: Maybe,
  updated_at: Maybe,
}

/// `deserializeDirectoryGroup` (it has no `object`).
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(serialize = "camelCase"))]
struct DirectoryGroup {
  id: Maybe,
  idp_id: Maybe,
  directory_id: Maybe,
  organization_id: Maybe,
  name: Maybe,
  created_at: Maybe,
  updated_at: Maybe,
  raw_attributes: Maybe,
}

/// `deserializeDirectoryUserWithGroups` of 7.x (with the deprecated `emails`, `username`, `jobTitle`).
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(serialize = "camelCase"))]
struct DirectoryUser {
  object: Maybe,
  id: Maybe,
  directory_id: Maybe,
  organization_id: Maybe,
  raw_attributes: Maybe,
  custom_attributes: Maybe,
  idp_id: Maybe,
  first_name: Maybe,
  email: Maybe,
  emails: Maybe,
  username: Maybe,
  last_name: Maybe,
  job_title: Maybe,
  state: Maybe,
  role: Maybe,
  roles: Maybe,
  created_at: Maybe,
  updated_at: Maybe,
  groups: Vec<DirectoryGroup>,
}

/// `serializeListDirectoriesOptions`.
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(deserialize = "camelCase"))]
struct ListDirectoriesOptions {
  organization_id: Maybe,
  search: Maybe,
  #[serde(flatten)]
  page: PageOptions,
}

fn path(collection: &str, name: &str, id: &str) -> Result<String, super::ApiErrorData> {
  api_path(collection, &[(name, id)])
}

#[napi]
impl NativeWorkOS {
  /// `GET /directories`.
  #[napi]
  pub async fn directory_sync_list_directories(&self, options: Option<Value>, walk: Option<Walk>) -> ApiResult {
    let options = list_options::<ListDirectoriesOptions>(options);
    self.list::<Directory>(Ok("/directories".into()), options, walk).await
  }

  /// `GET /directories/{id}`.
  #[napi]
  pub async fn directory_sync_get_directory(&self, id: String) -> ApiResult {
    self
      .fetch::<Directory>(path("/directories", "id", &id).map(Call::get))
      .await
  }

  /// `DELETE /directories/{id}`.
  #[napi]
  pub async fn directory_sync_delete_directory(&self, id: String) -> ApiResult {
    self.execute(path("/directories", "id", &id).map(Call::delete)).await
  }

  /// `GET /directory_users`, options (`directory`, `group`, pagination) passed through.
  #[napi]
  pub async fn directory_sync_list_users(&self, options: Option<Value>, walk: Option<Walk>) -> ApiResult {
    self
      .list::<DirectoryUser>(Ok("/directory_users".into()), Ok(raw_options(options)), walk)
      .await
  }

  /// `GET /directory_users/{user}`.
  #[napi]
  pub async fn directory_sync_get_user(&self, user: String) -> ApiResult {
    self
      .fetch::<DirectoryUser>(path("/directory_users", "user", &user).map(Call::get))
      .await
  }

  /// `GET /directory_groups`, options (`directory`, `user`, pagination) passed through.
  #[napi]
  pub async fn directory_sync_list_groups(&self, options: Option<Value>, walk: Option<Walk>) -> ApiResult {
    self
      .list::<DirectoryGroup>(Ok("/directory_groups".into()), Ok(raw_options(options)), walk)
      .await
  }

  /// `GET /directory_groups/{group}`.
  #[napi]
  pub async fn directory_sync_get_group(&self, group: String) -> ApiResult {
    self
      .fetch::<DirectoryGroup>(path("/directory_groups", "group", &group).map(Call::get))
      .await
  }
}
