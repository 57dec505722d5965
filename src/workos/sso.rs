//! `sso`: connections, the SSO authorization URL and profiles, as `@workos-inc/node` 7.x shapes them.

use napi_derive::napi;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::js::Maybe;
use super::pagination::{list_options, PageOptions, Walk};
use super::{api_path, query, url_with_warning, wire, ApiErrorData, ApiResult, Call, NativeWorkOS};

/// A connection as the API sends it.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ConnectionWire {
  object: Maybe,
  id: Maybe,
  organization_id: Maybe,
  name: Maybe,
  connection_type: Maybe,
  state: Maybe,
  domains: Maybe,
  created_at: Maybe,
  updated_at: Maybe,
}

/// `deserializeConnection`: the wire `connection_type` is both `connectionType` (7.x) and `type`.
#[derive(Serialize, Deserialize)]
#[serde(from = "ConnectionWire", rename_all = "camelCase")]
struct Connection {
  object: Maybe,
  id: Maybe,
  organization_id: Maybe,
  name: Maybe,
  connection_type: Maybe,
  r#type: Maybe,
  state: Maybe,
  domains: Maybe,
  created_at: Maybe,
  updated_at: Maybe,
}

impl From<ConnectionWire> for Connection {
  fn from(w: ConnectionWire) -> Self {
    Connection {
      object: w.object,
      id: w.id,
      organization_id: w.organization_id,
      name: w.name,
      r#type: w.connection_type.clone(),
      connection_type: w.connection_type,
      state: w.state,
      domains: w.domains,
      created_at: w.created_at,
      updated_at: w.updated_at,
    }
  }
}

/// `deserializeProfile` (7.x has no `object` or `name`).
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(serialize = "camelCase"))]
struct Profile {
  id: Maybe,
  idp_id: Maybe,
  organization_id: Maybe,
  connection_id: Maybe,
  connection_type: Maybe,
  email: Maybe,
  first_name: Maybe,
  last_name: Maybe,
  role: Maybe,
  roles: Maybe,
  groups: Maybe,
  custom_attributes: Maybe,
  raw_attributes: Maybe,
}

/// `deserializeOauthTokens`.
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(serialize = "camelCase"))]
struct OauthTokens {
  access_token: Maybe,
  refresh_token: Maybe,
  expires_at: Maybe,
  scopes: Maybe,
}

/// `deserializeProfileAndToken`: `oauthTokens` is `undefined` unless the API sent them.
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(serialize = "camelCase"))]
struct ProfileAndToken {
  access_token: Maybe,
  profile: Profile,
  oauth_tokens: Option<OauthTokens>,
}

/// `serializeListConnectionsOptions`.
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(deserialize = "camelCase"))]
struct ListConnectionsOptions {
  connection_type: Maybe,
  domain: Maybe,
  organization_id: Maybe,
  #[serde(flatten)]
  page: PageOptions,
}

/// The options of `sso.getAuthorizationUrl` the SDK puts in the query (snake_case, sorted there).
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(deserialize = "camelCase"))]
struct AuthorizationUrlOptions {
  connection: Maybe,
  client_id: Maybe,
  domain: Maybe,
  domain_hint: Maybe,
  login_hint: Maybe,
  organization: Maybe,
  provider: Maybe,
  provider_query_params: Maybe,
  provider_scopes: Maybe,
  redirect_uri: Maybe,
  state: Maybe,
}

const DOMAIN_DEPRECATED: &str =
  "The `domain` parameter for `getAuthorizationURL` is deprecated. Please use `organization` instead.";

/// `sso.getAuthorizationUrl`: the URL and the deprecation warning the SDK emits for `domain`.
fn authorization_url(base_url: &str, options: Option<Value>) -> Result<(String, Option<&'static str>), ApiErrorData> {
  let params = wire::<AuthorizationUrlOptions>(options)?;
  let given = |name: &str| params.get(name).is_truthy();
  if !given("domain") && !given("provider") && !given("connection") && !given("organization") {
    return Err(ApiErrorData::plain(
      "Incomplete arguments. Need to specify either a 'connection', 'organization', 'domain', or 'provider'.",
    ));
  }
  let warning = given("domain").then_some(DOMAIN_DEPRECATED);
  Ok((query::authorize_url(base_url, "/sso/authorize", params), warning))
}

fn connection_path(id: &str) -> Result<String, ApiErrorData> {
  api_path("/connections", &[("id", id)])
}

/// A member of an options object, `String()`-ed as `new URLSearchParams({...})` does.
fn form_value(options: &Value, name: &str) -> String {
  Maybe(options.get(name).cloned()).to_js().to_js_string()
}

#[napi]
impl NativeWorkOS {
  /// `GET /connections`.
  #[napi]
  pub async fn sso_list_connections(&self, options: Option<Value>, walk: Option<Walk>) -> ApiResult {
    let options = list_options::<ListConnectionsOptions>(options);
    self.list::<Connection>(Ok("/connections".into()), options, walk).await
  }

  /// `GET /connections/{id}`.
  #[napi]
  pub async fn sso_get_connection(&self, id: String) -> ApiResult {
    self.fetch::<Connection>(connection_path(&id).map(Call::get)).await
  }

  /// `DELETE /connections/{id}`.
  #[napi]
  pub async fn sso_delete_connection(&self, id: String) -> ApiResult {
    self.execute(connection_path(&id).map(Call::delete)).await
  }

  /// `getAuthorizationUrl(options)`: the SSO authorization URL (keys sorted, RFC 1738).
  #[napi]
  pub fn sso_get_authorization_url(&self, options: Option<Value>) -> ApiResult {
    url_with_warning(|| authorization_url(self.api.base_url(), options))
  }

  /// `POST /sso/token`, form-encoded: `client_id`, `client_secret` (the API key), `grant_type`,
  /// `code`.
  #[napi]
  pub async fn sso_get_profile_and_token(&self, options: Option<Value>) -> ApiResult {
    let options = options.unwrap_or(Value::Null);
    let form = vec![
      ("client_id".to_string(), form_value(&options, "clientId")),
      ("client_secret".to_string(), self.api.api_key().to_string()),
      ("grant_type".to_string(), "authorization_code".to_string()),
      ("code".to_string(), form_value(&options, "code")),
    ];
    self
      .fetch::<ProfileAndToken>(Ok(Call::post_form("/sso/token".into(), form)))
      .await
  }

  /// `GET /sso/profile` with `Authorization: Bearer <accessToken>`.
  #[napi]
  pub async fn sso_get_profile(&self, access_token: Option<String>) -> ApiResult {
    let call = Call::get("/sso/profile".into()).access_token(access_token);
    self.fetch::<Profile>(Ok(call)).await
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::workos::js::{to_js, Js};
  use serde_json::json;

  #[test]
  fn connections_carry_both_type_names() {
    let connection: Connection =
      serde_json::from_value(json!({ "id": "conn_1", "connection_type": "OktaSAML" })).unwrap();
    let js = to_js(&connection).unwrap();
    assert_eq!(js.get("connectionType"), &Js::String("OktaSAML".into()));
    assert_eq!(js.get("type"), &Js::String("OktaSAML".into()));
    assert_eq!(js.get("organizationId"), &Js::Undefined);
  }

  #[test]
  fn sso_urls_need_a_target() {
    let err = authorization_url("https://x", Some(json!({ "clientId": "c" }))).unwrap_err();
    assert_eq!(err.kind, "Error");
    let (url, warning) = authorization_url("https://x", Some(json!({ "clientId": "c", "domain": "d.com" }))).unwrap();
    assert_eq!(
      url,
      "https://x/sso/authorize?client_id=c&domain=d.com&response_type=code"
    );
    assert!(warning.is_some());
  }
}
