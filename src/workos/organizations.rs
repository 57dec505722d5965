//! `organizations`: organizations and their roles, as `@workos-inc/node` 7.x shapes them.

use napi_derive::napi;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::js::{Maybe, OrEmptyObject};
use super::pagination::{raw_options, Walk};
use super::{api_path, api_path_with, wire, ApiResult, Call, NativeWorkOS};

const ORGANIZATIONS: &str = "/organizations";

/// `deserializeOrganizationDomain`.
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(serialize = "camelCase"))]
struct OrganizationDomain {
  object: Maybe,
  id: Maybe,
  domain: Maybe,
  organization_id: Maybe,
  state: Maybe,
  verification_token: Maybe,
  verification_strategy: Maybe,
  created_at: Maybe,
  updated_at: Maybe,
}

/// `deserializeOrganization`: `stripeCustomerId` only when the API sent it, `externalId ?? null`,
/// `metadata ?? {}`.
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(serialize = "camelCase"))]
struct Organization {
  object: Maybe,
  id: Maybe,
  name: Maybe,
  allow_profiles_outside_organization: Maybe,
  domains: Vec<OrganizationDomain>,
  #[serde(skip_serializing_if = "Maybe::is_absent")]
  stripe_customer_id: Maybe,
  created_at: Maybe,
  updated_at: Maybe,
  external_id: Value,
  metadata: OrEmptyObject,
}

/// `deserializeRole`.
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(serialize = "camelCase"))]
struct Role {
  object: Maybe,
  id: Maybe,
  name: Maybe,
  slug: Maybe,
  description: Maybe,
  permissions: Maybe,
  r#type: Maybe,
  created_at: Maybe,
  updated_at: Maybe,
}

fn list_object() -> Value {
  Value::String("list".into())
}

/// `listOrganizationRoles`: `{ object: 'list', data }`, no pagination.
#[derive(Serialize, Deserialize)]
struct RoleList {
  #[serde(skip_deserializing, default = "list_object")]
  object: Value,
  data: Vec<Role>,
}

/// `serializeCreateOrganizationOptions`.
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(deserialize = "camelCase"))]
struct CreateOrganization {
  name: Maybe,
  allow_profiles_outside_organization: Maybe,
  domain_data: Maybe,
  domains: Maybe,
  external_id: Maybe,
  metadata: Maybe,
}

/// `serializeUpdateOrganizationOptions` (the `organization` member names the path).
#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all(deserialize = "camelCase"))]
struct UpdateOrganization {
  name: Maybe,
  allow_profiles_outside_organization: Maybe,
  domain_data: Maybe,
  domains: Maybe,
  stripe_customer_id: Maybe,
  external_id: Maybe,
  metadata: Maybe,
}

fn organization_path(id: &str) -> Result<String, super::ApiErrorData> {
  api_path(ORGANIZATIONS, &[("id", id)])
}

#[napi]
impl NativeWorkOS {
  /// `GET /organizations/{id}`.
  #[napi]
  pub async fn organizations_get_organization(&self, id: String) -> ApiResult {
    self.fetch::<Organization>(organization_path(&id).map(Call::get)).await
  }

  /// `GET /organizations/external_id/{externalId}`.
  #[napi]
  pub async fn organizations_get_organization_by_external_id(&self, external_id: String) -> ApiResult {
    let path = api_path("/organizations/external_id", &[("externalId", &external_id)]);
    self.fetch::<Organization>(path.map(Call::get)).await
  }

  /// `GET /organizations`, options passed through (`domains` comma-joined by the query).
  #[napi]
  pub async fn organizations_list_organizations(&self, options: Option<Value>, walk: Option<Walk>) -> ApiResult {
    self
      .list::<Organization>(Ok(ORGANIZATIONS.into()), Ok(raw_options(options)), walk)
      .await
  }

  /// `POST /organizations`, with `Idempotency-Key` when `idempotency_key` is given.
  #[napi]
  pub async fn organizations_create_organization(
    &self,
    payload: Option<Value>,
    idempotency_key: Option<String>,
  ) -> ApiResult {
    let call = wire::<CreateOrganization>(payload)
      .map(|body| Call::post(ORGANIZATIONS.into(), body).idempotency_key(idempotency_key));
    self.fetch::<Organization>(call).await
  }

  /// `PUT /organizations/{organization}` with the rest of the options.
  #[napi]
  pub async fn organizations_update_organization(&self, organization: String, options: Option<Value>) -> ApiResult {
    let call =
      organization_path(&organization).and_then(|path| Ok(Call::put(path, wire::<UpdateOrganization>(options)?)));
    self.fetch::<Organization>(call).await
  }

  /// `DELETE /organizations/{id}`.
  #[napi]
  pub async fn organizations_delete_organization(&self, id: String) -> ApiResult {
    self.execute(organization_path(&id).map(Call::delete)).await
  }

  /// `GET /organizations/{organizationId}/roles`: `{ object: 'list', data }`.
  #[napi]
  pub async fn organizations_list_organization_roles(&self, organization_id: String) -> ApiResult {
    let path = api_path_with(ORGANIZATIONS, "organizationId", &organization_id, "/roles");
    self.fetch::<RoleList>(path.map(Call::get)).await
  }
}
