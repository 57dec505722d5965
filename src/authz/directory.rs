//! Roles and permissions from WorkOS, for tokens that do not carry them (WorkOS Connect access
//! tokens never do): the user's membership in the token's organization gives the role slugs, the
//! organization's roles give each slug's permissions. Both are cached for a short time (per user
//! and organization, and per organization), with single flight: a burst of tool calls by one user
//! costs one lookup of each. A failed lookup is never cached and never means "allowed".

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::Method;
use serde::Deserialize;

use crate::memo::{CachePolicy, Loaded, Memo};
use crate::workos::transport::{api_path, Call, WorkOsApi};

/// A whole lookup (every retry included) gives up after this long: a tool call should hear "could
/// not check" rather than wait for the API's own 60 s timeout, four times.
const LOOKUP_DEADLINE: Duration = Duration::from_secs(10);

#[derive(Deserialize)]
struct Page<T> {
  data: Vec<T>,
}

#[derive(Deserialize)]
struct Slug {
  slug: String,
}

#[derive(Deserialize)]
struct Membership {
  #[serde(default)]
  status: Option<String>,
  #[serde(default)]
  role: Option<Slug>,
  #[serde(default)]
  roles: Option<Vec<Slug>>,
}

#[derive(Deserialize)]
struct Role {
  slug: String,
  #[serde(default)]
  permissions: Vec<String>,
}

/// The role slugs and the permissions they grant, per organization, from the WorkOS API.
pub struct Directory {
  api: Arc<WorkOsApi>,
  memberships: Memo<(String, String), Vec<String>>,
  roles: Memo<String, HashMap<String, Vec<String>>>,
}

impl Directory {
  pub fn new(api: Arc<WorkOsApi>, policy: CachePolicy) -> Self {
    Directory {
      api,
      memberships: Memo::new(policy),
      roles: Memo::new(policy),
    }
  }

  /// The role slugs of `user` in `organization`: those of its active membership, none without one.
  pub async fn roles_of(&self, user: &str, organization: &str) -> Loaded<Vec<String>> {
    let key = (user.to_string(), organization.to_string());
    self
      .memberships
      .get(&key, || async {
        let query = vec![
          ("user_id".to_string(), Some(user.to_string())),
          ("organization_id".to_string(), Some(organization.to_string())),
          ("limit".to_string(), Some("100".to_string())),
        ];
        let page: Page<Membership> = self
          .fetch("/user_management/organization_memberships", &[], query)
          .await?;
        let mut slugs: Vec<String> = Vec::new();
        for membership in page.data {
          if membership.status.as_deref().is_some_and(|s| s != "active") {
            continue;
          }
          let roles = match membership.roles {
            Some(roles) if !roles.is_empty() => roles,
            _ => membership.role.into_iter().collect(),
          };
          for role in roles {
            if !slugs.contains(&role.slug) {
              slugs.push(role.slug);
            }
          }
        }
        Ok(slugs)
      })
      .await
  }

  /// The permissions `roles` grant in `organization`, each once, in the roles' order.
  pub async fn permissions_of(&self, organization: &str, roles: &[String]) -> Result<Vec<String>, String> {
    let definitions = self
      .roles
      .get(&organization.to_string(), || async {
        let page: Page<Role> = self.fetch("/organizations/", &[organization], Vec::new()).await?;
        Ok(
          page
            .data
            .into_iter()
            .map(|role| (role.slug, role.permissions))
            .collect(),
        )
      })
      .await?;
    let mut permissions: Vec<String> = Vec::new();
    for role in roles {
      for permission in definitions.get(role).into_iter().flatten() {
        if !permissions.contains(permission) {
          permissions.push(permission.clone());
        }
      }
    }
    Ok(permissions)
  }

  /// GETs `prefix` + ids (`/organizations/{id}/roles` when an id is given) and reads the JSON page.
  async fn fetch<T: for<'de> Deserialize<'de>>(
    &self,
    prefix: &str,
    ids: &[&str],
    query: Vec<(String, Option<String>)>,
  ) -> Result<T, String> {
    let parts: Vec<String> = if ids.is_empty() {
      vec![prefix.to_string()]
    } else {
      vec![prefix.to_string(), "/roles".to_string()]
    };
    let ids: Vec<String> = ids.iter().map(|id| id.to_string()).collect();
    let path = api_path(&parts, &ids).map_err(|e| e.to_string())?;
    let call = Call {
      method: Method::GET,
      path: path.clone(),
      query,
      body: None,
      headers: HeaderMap::new(),
    };
    let answer = tokio::time::timeout(LOOKUP_DEADLINE, self.api.send(&call, None, "retry-"))
      .await
      .map_err(|_| format!("GET {path} took longer than {} s", LOOKUP_DEADLINE.as_secs()))?
      .map_err(|e| format!("GET {path} failed: {e}"))?;
    if !answer.is_success() {
      return Err(format!("GET {path} answered HTTP {}", answer.status));
    }
    serde_json::from_slice(&answer.body).map_err(|e| format!("GET {path} answered an unexpected body: {e}"))
  }
}
