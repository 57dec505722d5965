//! Per-tool policies (config `tools`): what a caller needs to run each tool.
//!
//! `tools` maps tool names, and `"*"` for every tool, to `{ scopes?, permissions?, roles?,
//! organization?, machines? }`. A tool's entry adds to the `"*"` entry: scopes and permissions are all
//! required, `roles` means one of them (each entry's list must be met), `organization: true` means the
//! token must carry an `org_id`. `machines` says whether machine tokens may call the tool: the tool's
//! own setting, else the `"*"` entry's, else yes (where `machineTokens` accepts them at all).

use std::collections::HashMap;

use indexmap::IndexMap;
#[cfg(test)]
use serde_json::Value;

use crate::error::ConfigError;
use crate::options::{invalid, names_reason, ToolPolicy};
#[cfg(test)]
use crate::options::{policies, Members};

/// The scope MCP clients ask for on their own to get refresh tokens; servers should not require or
/// advertise it (MCP authorization, scope selection).
pub const OFFLINE_ACCESS: &str = "offline_access";

/// What one policy entry asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requirement {
  pub scopes: Vec<String>,
  pub permissions: Vec<String>,
  /// One of these (empty: no role needed).
  pub roles: Vec<String>,
  pub organization: bool,
  /// Whether machine tokens may call the tool (`None`: not said here).
  pub machines: Option<bool>,
}

impl Requirement {
  /// Whether checking this needs the caller's roles or permissions.
  pub fn needs_roles(&self) -> bool {
    !self.roles.is_empty()
  }

  pub fn needs_permissions(&self) -> bool {
    !self.permissions.is_empty()
  }
}

/// Every tool policy of one provider.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policies {
  /// The `"*"` entry (empty when there is none).
  every: Requirement,
  tools: HashMap<String, Requirement>,
}

impl Policies {
  /// The policies of one option (`field`: `tools` or `prompts`), keyed by names. `supported` is the
  /// `scopes` option, when given: policies may only name scopes from it, so that every scope a tool
  /// needs is one clients can ask for.
  pub fn from_options(
    field: &'static str,
    written: &IndexMap<String, ToolPolicy>,
    supported: Option<&[String]>,
  ) -> Result<Self, ConfigError> {
    let mut policies = Policies::default();
    for (name, policy) in written {
      let requirement = requirement(field, name, policy, supported)?;
      if name == "*" {
        policies.every = requirement;
      } else {
        policies.tools.insert(name.clone(), requirement);
      }
    }
    Ok(policies)
  }

  /// The policies of a `tools` value as the user wrote it (absent: no policy).
  #[cfg(test)]
  pub fn from_json(value: Option<&Value>, supported: Option<&[String]>) -> Result<Self, ConfigError> {
    let log = std::cell::RefCell::new(Vec::new());
    let config = serde_json::Map::new();
    match value {
      None | Some(Value::Null) => Ok(Policies::default()),
      Some(value) => Self::from_options(
        "tools",
        &policies("tools", &Members::root(&config, &log), value)?,
        supported,
      ),
    }
  }

  pub fn is_empty(&self) -> bool {
    self.every == Requirement::default() && self.tools.is_empty()
  }

  /// The scopes every tool needs (the `"*"` entry's): what the 401 challenge asks for.
  pub fn baseline_scopes(&self) -> &[String] {
    &self.every.scopes
  }

  /// The entries that apply to `tool`: the `"*"` entry, then the tool's own.
  pub fn for_tool(&self, tool: &str) -> impl Iterator<Item = &Requirement> {
    std::iter::once(&self.every).chain(self.tools.get(tool))
  }

  /// Whether machine tokens may call `tool`: its own `machines`, else the `"*"` entry's, else yes.
  pub fn machines_allowed(&self, tool: &str) -> bool {
    self
      .tools
      .get(tool)
      .and_then(|r| r.machines)
      .or(self.every.machines)
      .unwrap_or(true)
  }
}

/// The strings in order of first appearance, each once.
pub fn union<'a>(items: impl IntoIterator<Item = &'a String>) -> Vec<String> {
  let mut out: Vec<String> = Vec::new();
  for item in items {
    if !out.contains(item) {
      out.push(item.clone());
    }
  }
  out
}

/// A policy entry's requirement: names without spaces, no `offline_access`, only known scopes.
pub fn requirement(
  field: &'static str,
  name: &str,
  policy: &ToolPolicy,
  supported: Option<&[String]>,
) -> Result<Requirement, ConfigError> {
  let at = format!("[{name:?}]");
  let names = |list: &Option<Vec<String>>, member: &str| {
    let list = list.as_deref().unwrap_or_default();
    if list.iter().any(|s| s.is_empty() || s.contains(char::is_whitespace)) {
      return Err(invalid(field, names_reason(&at, member)));
    }
    Ok(union(list))
  };
  let scopes = names(&policy.scopes, "scopes")?;
  for scope in &scopes {
    if scope == OFFLINE_ACCESS {
      return Err(invalid(
        field,
        format!(
          "{at}.scopes must not require \"offline_access\": clients ask for it on their own, and a tool cannot need it"
        ),
      ));
    }
    if supported.is_some_and(|supported| !supported.contains(scope)) {
      return Err(invalid(
        field,
        format!("{at}.scopes names {scope:?}, which is not in the `scopes` option (every scope this server knows)"),
      ));
    }
  }
  Ok(Requirement {
    scopes,
    permissions: names(&policy.permissions, "permissions")?,
    roles: names(&policy.roles, "roles")?,
    organization: policy.organization.unwrap_or(false),
    machines: policy.machines,
  })
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  fn parse(value: Value) -> Result<Policies, ConfigError> {
    Policies::from_json(Some(&value), None)
  }

  #[test]
  fn a_tool_entry_adds_to_the_star_entry() {
    let p = parse(json!({
      "*": { "scopes": ["mcp"] },
      "deploy": { "scopes": ["deploy", "mcp"], "permissions": ["deploy:run"], "organization": true },
      "read": { "roles": ["admin", "viewer"] }
    }))
    .unwrap();
    assert_eq!(p.baseline_scopes(), ["mcp"]);
    let scopes_for = |tools: &[&str]| union(tools.iter().flat_map(|t| p.for_tool(t)).flat_map(|r| r.scopes.iter()));
    assert_eq!(scopes_for(&["deploy"]), vec!["mcp", "deploy"]);
    assert_eq!(scopes_for(&["unknown", "read"]), vec!["mcp"]);
    assert_eq!(p.for_tool("deploy").count(), 2);
    assert_eq!(p.for_tool("unknown").count(), 1);
    assert!(!p.is_empty());
    assert!(parse(json!({})).unwrap().is_empty());
  }

  #[test]
  fn machines_follow_the_tool_then_the_star_entry() {
    let p = parse(json!({ "*": { "machines": false }, "sync": { "machines": true }, "read": {} })).unwrap();
    assert!(p.machines_allowed("sync"));
    assert!(!p.machines_allowed("read"));
    assert!(!p.machines_allowed("unknown"));
    assert!(parse(json!({ "t": {} })).unwrap().machines_allowed("t"));
    assert!(parse(json!({ "t": { "machines": 1 } })).is_err());
  }

  #[test]
  fn mistakes_are_named() {
    let message = |v: Value| parse(v).unwrap_err().to_string();
    assert!(message(json!([])).starts_with("[WorkOS] Invalid config: tools must be an object"));
    assert!(message(json!({"t": true})).contains("[\"t\"] must be an object"));
    assert!(message(json!({"t": {"scope": ["a"]}})).contains("unknown member \"scope\""));
    assert!(message(json!({"t": {"scopes": "a"}})).contains("[\"t\"].scopes must be an array"));
    assert!(message(json!({"t": {"scopes": ["a b"]}})).contains("without spaces"));
    assert!(message(json!({"t": {"permissions": [""]}})).contains("non-empty"));
    assert!(message(json!({"t": {"organization": "yes"}})).contains("must be a boolean"));
    assert!(message(json!({"t": {"scopes": ["offline_access"]}})).contains("offline_access"));
    assert!(message(json!({"": {}})).contains("has an empty key"));
    let supported = vec!["a".to_string()];
    let err = Policies::from_json(Some(&json!({"t": {"scopes": ["b"]}})), Some(&supported)).unwrap_err();
    assert!(err.to_string().contains("not in the `scopes` option"));
  }
}
