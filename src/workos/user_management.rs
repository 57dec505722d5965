//! `userManagement`: users, as `@workos-inc/node` 7.x shapes them.

use napi_derive::napi;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{api_path, guarded, ApiResult, NativeWorkOS};

/// A user as the API sends it (snake_case); an absent member reads as `null`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct UserWire {
  object: Value,
  id: Value,
  email: Value,
  email_verified: Value,
  profile_picture_url: Value,
  first_name: Value,
  last_name: Value,
  last_sign_in_at: Value,
  locale: Value,
  created_at: Value,
  updated_at: Value,
  external_id: Option<Value>,
  metadata: Option<Map<String, Value>>,
}

/// A user as the SDK returns it: `deserializeUser` of 7.82, same keys in the same order, values
/// passed through (timestamps stay ISO strings), `externalId ?? null`, `metadata ?? {}`.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct User {
  object: Value,
  id: Value,
  email: Value,
  email_verified: Value,
  first_name: Value,
  profile_picture_url: Value,
  last_name: Value,
  last_sign_in_at: Value,
  locale: Value,
  created_at: Value,
  updated_at: Value,
  external_id: Value,
  metadata: Map<String, Value>,
}

impl From<UserWire> for User {
  fn from(w: UserWire) -> Self {
    User {
      object: w.object,
      id: w.id,
      email: w.email,
      email_verified: w.email_verified,
      first_name: w.first_name,
      profile_picture_url: w.profile_picture_url,
      last_name: w.last_name,
      last_sign_in_at: w.last_sign_in_at,
      locale: w.locale,
      created_at: w.created_at,
      updated_at: w.updated_at,
      external_id: w.external_id.filter(|v| !v.is_null()).unwrap_or(Value::Null),
      metadata: w.metadata.unwrap_or_default(),
    }
  }
}

#[napi]
impl NativeWorkOS {
  /// `GET /user_management/users/{userId}`: the SDK's `User`.
  #[napi]
  pub async fn user_management_get_user(&self, user_id: String) -> ApiResult {
    let api = self.api.clone();
    guarded(async move {
      let path = api_path("/user_management/users", &[("userId", &user_id)])?;
      let wire: UserWire = api.get(&path).await?;
      Ok(User::from(wire))
    })
    .await
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  #[test]
  fn wire_users_become_sdk_users_in_sdk_key_order() {
    let wire: UserWire = serde_json::from_value(json!({
      "object": "user", "id": "user_1", "email": "a@b.c", "email_verified": true,
      "first_name": "Ada", "last_name": "Lovelace", "profile_picture_url": null,
      "last_sign_in_at": null, "locale": null, "created_at": "2026-01-01T00:00:00.000Z",
      "updated_at": "2026-01-02T00:00:00.000Z", "unknown_field": 1
    }))
    .unwrap();
    let user = serde_json::to_string(&User::from(wire)).unwrap();
    assert_eq!(
      user,
      r#"{"object":"user","id":"user_1","email":"a@b.c","emailVerified":true,"firstName":"Ada","profilePictureUrl":null,"lastName":"Lovelace","lastSignInAt":null,"locale":null,"createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-02T00:00:00.000Z","externalId":null,"metadata":{}}"#
    );
  }
}
