//! `userManagement`: users, organization memberships, sessions, identities, invitations and the
//! AuthKit URLs, as `@workos-inc/node` 7.x shapes them.

use napi_derive::napi;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::js::{Js, Maybe, OrEmptyObject};
use super::pagination::{list_options, raw_options, PageOptions, Walk};
use super::{
  api_path, api_path_with, guarded_sync, query, url_with_warning, wire, ApiErrorData, ApiResult, Call, NativeWorkOS,
};

const USERS: &str = "/user_management/users";
const MEMBERSHIPS: &str = "/user_management/organization_memberships";
const INVITATIONS: &str = "/user_management/invitations";

/// A user: `deserializeUser` of 7.82, same keys in the same order, values passed through
/// (timestamps stay ISO strings), `externalId ?? null`, `metadata ?? {}`.
#[derive(Serialize, Deserialize, Default, Debug, PartialEq)]
#[serde(default, rename_all(serialize = "camelCase"))]
pub struct User {
  object: Maybe,
  id: Maybe,
  email: Maybe,
  email_verified: Maybe,
  first_name: Maybe,
  profile_picture_url: Maybe,
  last_name: Maybe,
  last_sign_in_at: Maybe,
  locale: Maybe,
  created_at: Maybe,
  updated_at: Maybe,
  external_id: Value,
  metadata: OrEmptyObject,
}

/// `deserializeOrganizationMembership`: `role` passed through, `roles` only when the API sent it.
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(serialize = "camelCase"))]
struct OrganizationMembership {
  object: Maybe,
  id: Maybe,
  user_id: Maybe,
  organization_id: Maybe,
  organization_name: Maybe,
  status: Maybe,
  created_at: Maybe,
  updated_at: Maybe,
  role: Maybe,
  #[serde(skip_serializing_if = "Maybe::is_falsy")]
  roles: Maybe,
}

fn session_object() -> Value {
  Value::String("session".into())
}

/// `deserializeSession`: `object` is always `'session'`.
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(serialize = "camelCase"))]
struct Session {
  #[serde(skip_deserializing, default = "session_object")]
  object: Value,
  id: Maybe,
  user_id: Maybe,
  ip_address: Maybe,
  user_agent: Maybe,
  organization_id: Maybe,
  impersonator: Maybe,
  auth_method: Maybe,
  status: Maybe,
  expires_at: Maybe,
  ended_at: Maybe,
  created_at: Maybe,
  updated_at: Maybe,
}

/// `deserializeIdentities`, one element.
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(serialize = "camelCase"))]
struct Identity {
  idp_id: Maybe,
  r#type: Maybe,
  provider: Maybe,
}

/// `deserializeInvitation` (7.x has no `roleSlug`).
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(serialize = "camelCase"))]
struct Invitation {
  object: Maybe,
  id: Maybe,
  email: Maybe,
  state: Maybe,
  accepted_at: Maybe,
  revoked_at: Maybe,
  expires_at: Maybe,
  organization_id: Maybe,
  inviter_user_id: Maybe,
  accepted_user_id: Maybe,
  token: Maybe,
  accept_invitation_url: Maybe,
  created_at: Maybe,
  updated_at: Maybe,
}

/// `serializeListUsersOptions`, and `serializeListInvitationsOptions` (the same members).
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(deserialize = "camelCase"))]
struct ListByEmailOptions {
  email: Maybe,
  organization_id: Maybe,
  #[serde(flatten)]
  page: PageOptions,
}

/// `serializeCreateUserOptions`.
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(deserialize = "camelCase"))]
struct CreateUser {
  email: Maybe,
  password: Maybe,
  password_hash: Maybe,
  password_hash_type: Maybe,
  first_name: Maybe,
  last_name: Maybe,
  email_verified: Maybe,
  external_id: Maybe,
  metadata: Maybe,
}

/// `serializeUpdateUserOptions` (the `userId` member names the path).
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(deserialize = "camelCase"))]
struct UpdateUser {
  email: Maybe,
  email_verified: Maybe,
  first_name: Maybe,
  last_name: Maybe,
  password: Maybe,
  password_hash: Maybe,
  password_hash_type: Maybe,
  external_id: Maybe,
  locale: Maybe,
  metadata: Maybe,
}

/// `serializeListOrganizationMembershipsOptions`: `statuses` comma-joined.
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(deserialize = "camelCase"))]
struct ListMembershipsOptions {
  user_id: Maybe,
  organization_id: Maybe,
  #[serde(deserialize_with = "joined")]
  statuses: Maybe,
  #[serde(flatten)]
  page: PageOptions,
}

/// `statuses?.join(',')`.
fn joined<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Maybe, D::Error> {
  Ok(match Value::deserialize(deserializer)? {
    Value::Null => Maybe(None),
    Value::Array(items) => Maybe(Some(Value::String(Js::from(Value::Array(items)).to_js_string()))),
    other => Maybe(Some(other)),
  })
}

/// `serializeCreateOrganizationMembershipOptions`.
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(deserialize = "camelCase"))]
struct CreateMembership {
  organization_id: Maybe,
  user_id: Maybe,
  role_slug: Maybe,
  role_slugs: Maybe,
}

/// `serializeUpdateOrganizationMembershipOptions`.
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(deserialize = "camelCase"))]
struct UpdateMembership {
  role_slug: Maybe,
  role_slugs: Maybe,
}

/// `serializeRevokeSessionOptions`.
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(deserialize = "camelCase"))]
struct RevokeSession {
  session_id: Maybe,
}

/// `serializeSendInvitationOptions`.
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(deserialize = "camelCase"))]
struct SendInvitation {
  email: Maybe,
  organization_id: Maybe,
  expires_in_days: Maybe,
  inviter_user_id: Maybe,
  role_slug: Maybe,
}

/// The options of `getAuthorizationUrl` the SDK puts in the query (snake_case, sorted there).
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(deserialize = "camelCase"))]
struct AuthorizationUrlOptions {
  connection_id: Maybe,
  code_challenge: Maybe,
  code_challenge_method: Maybe,
  context: Maybe,
  client_id: Maybe,
  domain_hint: Maybe,
  login_hint: Maybe,
  organization_id: Maybe,
  provider: Maybe,
  provider_query_params: Maybe,
  provider_scopes: Maybe,
  prompt: Maybe,
  redirect_uri: Maybe,
  state: Maybe,
  screen_hint: Maybe,
}

const CONTEXT_DEPRECATED: &str =
  "`context` is deprecated. We previously required initiate login endpoints to return the
`context` query parameter when getting the authorization URL. This is no longer necessary.";

/// `getAuthorizationUrl`: the URL and the deprecation warning the SDK emits for `context`.
fn authorization_url(base_url: &str, options: Option<Value>) -> Result<(String, Option<&'static str>), ApiErrorData> {
  let params = wire::<AuthorizationUrlOptions>(options)?;
  let given = |name: &str| params.get(name).is_truthy();
  if !given("provider") && !given("connection_id") && !given("organization_id") {
    return Err(ApiErrorData::invalid_argument(
      "Incomplete arguments. Need to specify either a 'connectionId', 'organizationId', or 'provider'.",
    ));
  }
  if params.get("provider") != &Js::String("authkit".into()) && given("screen_hint") {
    return Err(ApiErrorData::invalid_argument(
      "'screenHint' is only supported for 'authkit' provider",
    ));
  }
  let warning = given("context").then_some(CONTEXT_DEPRECATED);
  Ok((
    query::authorize_url(base_url, "/user_management/authorize", params),
    warning,
  ))
}

fn user_path(user_id: &str) -> Result<String, ApiErrorData> {
  api_path(USERS, &[("userId", user_id)])
}

fn membership_path(id: &str, tail: &str) -> Result<String, ApiErrorData> {
  api_path_with(MEMBERSHIPS, "organizationMembershipId", id, tail)
}

fn invitation_path(id: &str, tail: &str) -> Result<String, ApiErrorData> {
  api_path_with(INVITATIONS, "invitationId", id, tail)
}

#[napi]
impl NativeWorkOS {
  /// `GET /user_management/users/{userId}`: the SDK's `User`.
  #[napi]
  pub async fn user_management_get_user(&self, user_id: String) -> ApiResult {
    self.fetch::<User>(user_path(&user_id).map(Call::get)).await
  }

  /// `GET /user_management/users/external_id/{externalId}`.
  #[napi]
  pub async fn user_management_get_user_by_external_id(&self, external_id: String) -> ApiResult {
    let path = api_path("/user_management/users/external_id", &[("externalId", &external_id)]);
    self.fetch::<User>(path.map(Call::get)).await
  }

  /// `GET /user_management/users`: a page of users (`walk`: the rest, for `autoPagination()`).
  #[napi]
  pub async fn user_management_list_users(&self, options: Option<Value>, walk: Option<Walk>) -> ApiResult {
    let options = list_options::<ListByEmailOptions>(options);
    self.list::<User>(Ok(USERS.into()), options, walk).await
  }

  /// `POST /user_management/users`.
  #[napi]
  pub async fn user_management_create_user(&self, payload: Option<Value>) -> ApiResult {
    let call = wire::<CreateUser>(payload).map(|body| Call::post(USERS.into(), body));
    self.fetch::<User>(call).await
  }

  /// `PUT /user_management/users/{userId}` with the rest of the payload.
  #[napi]
  pub async fn user_management_update_user(&self, user_id: String, payload: Option<Value>) -> ApiResult {
    let call = user_path(&user_id).and_then(|path| Ok(Call::put(path, wire::<UpdateUser>(payload)?)));
    self.fetch::<User>(call).await
  }

  /// `DELETE /user_management/users/{userId}`.
  #[napi]
  pub async fn user_management_delete_user(&self, user_id: String) -> ApiResult {
    self.execute(user_path(&user_id).map(Call::delete)).await
  }

  /// `GET /user_management/organization_memberships` (no options at all is allowed, as in 7.x).
  #[napi]
  pub async fn user_management_list_organization_memberships(
    &self,
    options: Option<Value>,
    walk: Option<Walk>,
  ) -> ApiResult {
    let options = list_options::<ListMembershipsOptions>(options);
    self
      .list::<OrganizationMembership>(Ok(MEMBERSHIPS.into()), options, walk)
      .await
  }

  /// `GET /user_management/organization_memberships/{id}`.
  #[napi]
  pub async fn user_management_get_organization_membership(&self, id: String) -> ApiResult {
    self
      .fetch::<OrganizationMembership>(membership_path(&id, "").map(Call::get))
      .await
  }

  /// `POST /user_management/organization_memberships`.
  #[napi]
  pub async fn user_management_create_organization_membership(&self, options: Option<Value>) -> ApiResult {
    let call = wire::<CreateMembership>(options).map(|body| Call::post(MEMBERSHIPS.into(), body));
    self.fetch::<OrganizationMembership>(call).await
  }

  /// `PUT /user_management/organization_memberships/{id}`.
  #[napi]
  pub async fn user_management_update_organization_membership(&self, id: String, options: Option<Value>) -> ApiResult {
    let call = membership_path(&id, "").and_then(|path| Ok(Call::put(path, wire::<UpdateMembership>(options)?)));
    self.fetch::<OrganizationMembership>(call).await
  }

  /// `DELETE /user_management/organization_memberships/{id}`.
  #[napi]
  pub async fn user_management_delete_organization_membership(&self, id: String) -> ApiResult {
    self.execute(membership_path(&id, "").map(Call::delete)).await
  }

  /// `PUT /user_management/organization_memberships/{id}/deactivate` (or `/reactivate` with
  /// `reactivate`), body `{}`.
  #[napi]
  pub async fn user_management_set_organization_membership_active(&self, id: String, reactivate: bool) -> ApiResult {
    let tail = if reactivate { "/reactivate" } else { "/deactivate" };
    let call = membership_path(&id, tail).map(|path| Call::put(path, Js::object()));
    self.fetch::<OrganizationMembership>(call).await
  }

  /// `GET /user_management/users/{userId}/sessions`, options passed through.
  #[napi]
  pub async fn user_management_list_sessions(
    &self,
    user_id: String,
    options: Option<Value>,
    walk: Option<Walk>,
  ) -> ApiResult {
    let path = api_path_with(USERS, "userId", &user_id, "/sessions");
    self.list::<Session>(path, Ok(raw_options(options)), walk).await
  }

  /// `POST /user_management/sessions/revoke`.
  #[napi]
  pub async fn user_management_revoke_session(&self, payload: Option<Value>) -> ApiResult {
    let call = wire::<RevokeSession>(payload).map(|body| Call::post("/user_management/sessions/revoke".into(), body));
    self.execute(call).await
  }

  /// `GET /user_management/users/{userId}/identities`; an empty id is the SDK's `TypeError`.
  #[napi]
  pub async fn user_management_get_user_identities(&self, user_id: String) -> ApiResult {
    let call = if user_id.is_empty() {
      Err(ApiErrorData::invalid_argument(
        "Incomplete arguments. Need to specify 'userId'.",
      ))
    } else {
      api_path_with(USERS, "userId", &user_id, "/identities").map(Call::get)
    };
    self.fetch::<Vec<Identity>>(call).await
  }

  /// `POST /user_management/invitations`.
  #[napi]
  pub async fn user_management_send_invitation(&self, payload: Option<Value>) -> ApiResult {
    let call = wire::<SendInvitation>(payload).map(|body| Call::post(INVITATIONS.into(), body));
    self.fetch::<Invitation>(call).await
  }

  /// `GET /user_management/invitations`.
  #[napi]
  pub async fn user_management_list_invitations(&self, options: Option<Value>, walk: Option<Walk>) -> ApiResult {
    let options = list_options::<ListByEmailOptions>(options);
    self.list::<Invitation>(Ok(INVITATIONS.into()), options, walk).await
  }

  /// `GET /user_management/invitations/{id}`.
  #[napi]
  pub async fn user_management_get_invitation(&self, id: String) -> ApiResult {
    self.fetch::<Invitation>(invitation_path(&id, "").map(Call::get)).await
  }

  /// `GET /user_management/invitations/by_token/{token}`.
  #[napi]
  pub async fn user_management_find_invitation_by_token(&self, token: String) -> ApiResult {
    let path = api_path("/user_management/invitations/by_token", &[("invitationToken", &token)]);
    self.fetch::<Invitation>(path.map(Call::get)).await
  }

  /// `POST /user_management/invitations/{id}/<action>` with an empty body, `action` one of
  /// `accept`, `revoke`, `resend`.
  #[napi]
  pub async fn user_management_invitation_action(&self, id: String, action: String) -> ApiResult {
    let call = match action.as_str() {
      "accept" | "revoke" | "resend" => {
        invitation_path(&id, &format!("/{action}")).map(|path| Call::post(path, Js::Null))
      }
      other => Err(ApiErrorData::invalid_argument(format!(
        "unknown invitation action {other:?}"
      ))),
    };
    self.fetch::<Invitation>(call).await
  }

  /// `getJwksUrl(clientId)`: `${baseURL}/sso/jwks/${clientId}`.
  #[napi]
  pub fn user_management_get_jwks_url(&self, client_id: String) -> ApiResult {
    guarded_sync(|| {
      if client_id.is_empty() {
        return Err(ApiErrorData::invalid_argument("clientId must be a valid clientId"));
      }
      api_path("/sso/jwks", &[("clientId", &client_id)]).map(|path| format!("{}{path}", self.api.base_url()))
    })
  }

  /// `getAuthorizationUrl(options)`: the AuthKit authorization URL (keys sorted, RFC 1738).
  #[napi]
  pub fn user_management_get_authorization_url(&self, options: Option<Value>) -> ApiResult {
    url_with_warning(|| authorization_url(self.api.base_url(), options))
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::workos::js::to_js;
  use serde_json::json;

  #[test]
  fn wire_users_become_sdk_users_in_sdk_key_order() {
    let user: User = serde_json::from_value(json!({
      "object": "user", "id": "user_1", "email": "a@b.c", "email_verified": true,
      "first_name": "Ada", "last_name": "Lovelace", "profile_picture_url": null,
      "last_sign_in_at": null, "locale": null, "created_at": "2026-01-01T00:00:00.000Z",
      "updated_at": "2026-01-02T00:00:00.000Z", "unknown_field": 1
    }))
    .unwrap();
    let js = to_js(&user).unwrap();
    assert_eq!(
      js.to_json().unwrap().to_string(),
      r#"{"object":"user","id":"user_1","email":"a@b.c","emailVerified":true,"firstName":"Ada","profilePictureUrl":null,"lastName":"Lovelace","lastSignInAt":null,"locale":null,"createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-02T00:00:00.000Z","externalId":null,"metadata":{}}"#
    );
  }

  #[test]
  fn options_are_renamed_and_statuses_joined() {
    let js = wire::<ListMembershipsOptions>(Some(
      json!({ "userId": "u", "statuses": ["active", "pending"], "limit": 5 }),
    ));
    assert_eq!(
      js.unwrap().to_json(),
      Some(json!({ "user_id": "u", "statuses": "active,pending", "limit": 5 }))
    );
  }

  #[test]
  fn authorization_urls_match_the_sdk() {
    let (url, warning) = authorization_url(
      "https://api.workos.com",
      Some(
        json!({ "clientId": "client_123", "provider": "authkit", "providerQueryParams": { "hd": "x.com" },
        "providerScopes": ["s1", "s2"], "redirectUri": "https://x.y/cb", "state": "a b" }),
      ),
    )
    .unwrap();
    assert_eq!(
      url,
      "https://api.workos.com/user_management/authorize?client_id=client_123&provider=authkit&provider_query_params%5Bhd%5D=x.com&provider_scopes=s1&provider_scopes=s2&redirect_uri=https%3A%2F%2Fx.y%2Fcb&response_type=code&state=a+b"
    );
    assert_eq!(warning, None);
    let err = authorization_url("https://x", Some(json!({ "clientId": "c" }))).unwrap_err();
    assert_eq!(err.kind, "TypeError");
  }
}
