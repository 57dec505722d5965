//! Authorization: may this caller run what these requests run (tools, prompts, resources)? The
//! policies of each kind (`policy.rs`, `resources.rs` for URIs and URI templates), scope hierarchies
//! (`scopes.rs`), the caller's grants (the token's scopes, and its roles and permissions, or, when the
//! token has none, those of the user's organization membership in WorkOS: `directory.rs`), and the
//! decision for one JSON-RPC message, which may hold several requests ([`Target`]s).
//!
//! Missing scopes are answered for the whole message with the MCP specification's step-up challenge
//! (HTTP 403, `insufficient_scope`, the narrowest scopes that cover the message): new scopes can fix
//! that. Missing permissions, roles or organization cannot be fixed by asking again, so each such
//! request is answered with a refusal that says what is missing (the glue writes it in the form of
//! the request's method), and nothing runs.

pub mod directory;
pub mod policy;
pub mod resources;
pub mod scopes;

use serde::Serialize;

use crate::jwt::verify::Grants;
use directory::Directory;
use policy::{union, Policies, Requirement};
use resources::ResourcePolicies;
use scopes::ScopeHierarchy;

/// The decision for one message.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
  Allow,
  /// The scopes the message needs (all of them, not only the missing ones).
  InsufficientScope(Vec<String>),
  /// Per call, in the message's order: why it may not run, or `None` when it may.
  Denied(Vec<Option<String>>),
}

/// The caller's roles and permissions, as far as they were needed and could be read.
#[derive(Debug, Default, Serialize)]
pub struct Resolved {
  pub roles: Vec<String>,
  pub permissions: Vec<String>,
}

/// What the calls of a message need beyond scopes.
#[derive(Clone, Copy, Default)]
struct Needs {
  roles: bool,
  permissions: bool,
}

/// What a request of a message runs, as the glue names it: one kind letter, then the name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
  /// `t<name>`: a `tools/call`.
  Tool(String),
  /// `p<name>`: a `prompts/get` (or the completion of one of its arguments).
  Prompt(String),
  /// `r<uri>`: a `resources/read` (the URI normalised as the MCP server looks it up), or the
  /// completion of a template's variable (the template).
  Resource(String),
  /// `u<tool>\0<uri>`: a `resources/read` of a tool's interface, which runs the tool.
  ToolResource { tool: String, uri: String },
}

impl Target {
  /// The target the glue wrote; anything else is judged as a tool of that name (the `"*"` policy).
  pub fn parse(written: &str) -> Target {
    let mut chars = written.chars();
    let kind = chars.next();
    let rest = chars.as_str().to_string();
    match kind {
      Some('t') => Target::Tool(rest),
      Some('p') => Target::Prompt(rest),
      Some('r') => Target::Resource(rest),
      Some('u') => match rest.split_once('\0') {
        Some((tool, uri)) => Target::ToolResource {
          tool: tool.to_string(),
          uri: uri.to_string(),
        },
        None => Target::Tool(rest),
      },
      _ => Target::Tool(written.to_string()),
    }
  }

  /// How refusals name it.
  fn label(&self) -> String {
    match self {
      Target::Tool(name) | Target::ToolResource { tool: name, .. } => format!("the tool \"{name}\""),
      Target::Prompt(name) => format!("the prompt \"{name}\""),
      Target::Resource(uri) => format!("the resource \"{uri}\""),
    }
  }
}

/// Every policy of one provider: tools, prompts and resources.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
  pub tools: Policies,
  pub prompts: Policies,
  pub resources: ResourcePolicies,
}

impl Rules {
  pub fn is_empty(&self) -> bool {
    self.tools.is_empty() && self.prompts.is_empty() && self.resources.is_empty()
  }

  /// The entries that apply to `target`.
  fn requirements<'a>(&'a self, target: &'a Target) -> Vec<&'a Requirement> {
    match target {
      Target::Tool(name) => self.tools.for_tool(name).collect(),
      Target::Prompt(name) => self.prompts.for_tool(name).collect(),
      Target::Resource(uri) => self.resources.for_uri(uri).collect(),
      Target::ToolResource { tool, uri } => self.tools.for_tool(tool).chain(self.resources.for_uri(uri)).collect(),
    }
  }

  /// Whether machine tokens may run `target`.
  fn machines_allowed(&self, target: &Target) -> bool {
    match target {
      Target::Tool(name) => self.tools.machines_allowed(name),
      Target::Prompt(name) => self.prompts.machines_allowed(name),
      Target::Resource(uri) => self.resources.machines_allowed(uri),
      Target::ToolResource { tool, uri } => self.tools.machines_allowed(tool) && self.resources.machines_allowed(uri),
    }
  }

  /// Every scope the requests of one message need together, each once.
  fn scopes_for(&self, targets: &[Target]) -> Vec<String> {
    union(
      targets
        .iter()
        .flat_map(|target| self.requirements(target))
        .flat_map(|r| r.scopes.iter()),
    )
  }
}

pub struct Authorizer {
  pub policies: Rules,
  /// Which scopes grant which: the caller's scopes (`Grants::scopes`) already include what theirs
  /// grant; a step-up challenge names the narrowest scopes that meet the message.
  scope_hierarchy: ScopeHierarchy,
  directory: Directory,
}

impl Authorizer {
  pub fn new(policies: Rules, scope_hierarchy: ScopeHierarchy, directory: Directory) -> Self {
    Authorizer {
      policies,
      scope_hierarchy,
      directory,
    }
  }

  /// [`scope_decision`], its challenge narrowed by the hierarchy.
  fn scope_step_up(&self, grants: &Grants, targets: &[Target]) -> Option<Decision> {
    match scope_decision(&self.policies, grants, targets)? {
      Decision::InsufficientScope(needed) => Some(Decision::InsufficientScope(self.scope_hierarchy.narrowest(&needed))),
      other => Some(other),
    }
  }

  /// The decision without waiting, or `None` when roles or permissions must be read from WorkOS.
  pub fn decide_now(&self, grants: &Grants, targets: &[Target]) -> Option<Decision> {
    if let Some(decision) = self.scope_step_up(grants, targets) {
      return Some(decision);
    }
    let needs = needs(&self.policies, grants, targets);
    if needs.roles || needs.permissions {
      return None;
    }
    Some(check_calls(&self.policies, grants, targets, &Ok(from_token(grants))))
  }

  /// The decision, reading roles and permissions from WorkOS when the token lacks them.
  pub async fn decide(&self, grants: &Grants, targets: &[Target]) -> Decision {
    if let Some(decision) = self.scope_step_up(grants, targets) {
      return decision;
    }
    let needs = needs(&self.policies, grants, targets);
    let resolved = self.resolve(grants, needs).await;
    check_calls(&self.policies, grants, targets, &resolved)
  }

  /// The caller's roles and permissions (the `requireRole` / `requirePermission` helpers).
  pub async fn grants(&self, grants: &Grants) -> Result<Resolved, String> {
    let needs = Needs {
      roles: grants.roles.is_none(),
      permissions: grants.permissions.is_none(),
    };
    self.resolve(grants, needs).await
  }

  async fn resolve(&self, grants: &Grants, needs: Needs) -> Result<Resolved, String> {
    let mut resolved = from_token(grants);
    // A machine has no membership to read (its `sub` is an application, not a user).
    let Some(organization) = grants.organization_id.as_deref().filter(|_| !grants.machine) else {
      return Ok(resolved);
    };
    if needs.roles || (needs.permissions && grants.roles.is_none()) {
      resolved.roles = self.directory.roles_of(&grants.user_id, organization).await?.to_vec();
    }
    if needs.permissions {
      resolved.permissions = self.directory.permissions_of(organization, &resolved.roles).await?;
    }
    Ok(resolved)
  }
}

/// What must be read from WorkOS to check `targets`: roles and permissions that a policy asks for and
/// the token does not carry (nothing without an organization; the checks then say so).
fn needs(policies: &Rules, grants: &Grants, targets: &[Target]) -> Needs {
  let mut needs = Needs::default();
  if grants.organization_id.is_none() || grants.machine {
    return needs; // No membership to read: the checks say so.
  }
  for requirement in targets.iter().flat_map(|target| policies.requirements(target)) {
    needs.roles |= requirement.needs_roles() && grants.roles.is_none();
    needs.permissions |= requirement.needs_permissions() && grants.permissions.is_none();
  }
  needs
}

/// What the token itself grants.
fn from_token(grants: &Grants) -> Resolved {
  Resolved {
    roles: grants.roles.clone().unwrap_or_default(),
    permissions: grants.permissions.clone().unwrap_or_default(),
  }
}

/// The step-up answer, when the token lacks a scope the message needs.
fn scope_decision(policies: &Rules, grants: &Grants, targets: &[Target]) -> Option<Decision> {
  let needed = policies.scopes_for(targets);
  let satisfied = needed.iter().all(|scope| grants.scopes.contains(scope));
  (!satisfied).then_some(Decision::InsufficientScope(needed))
}

/// Each call checked against its policies, with the caller's roles and permissions.
fn check_calls(policies: &Rules, grants: &Grants, targets: &[Target], resolved: &Result<Resolved, String>) -> Decision {
  let denials: Vec<Option<String>> = targets
    .iter()
    .map(|target| {
      let what = target.label();
      if grants.machine && !policies.machines_allowed(target) {
        return Some(format!(
          "Forbidden: {what} does not accept machine tokens; only a signed-in user may use it."
        ));
      }
      check_call(&what, &policies.requirements(target), grants, resolved)
    })
    .collect();
  if denials.iter().all(Option::is_none) {
    Decision::Allow
  } else {
    Decision::Denied(denials)
  }
}

/// `what` with its first letter upper-cased ("the tool" → "The tool").
fn capitalized(what: &str) -> String {
  let mut chars = what.chars();
  chars
    .next()
    .map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

fn quoted_list(names: &[String]) -> String {
  names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
}

/// Why `what` ("the tool \"x\"", "the prompt …") may not run, or `None`.
fn check_call(
  what: &str,
  requirements: &[&Requirement],
  grants: &Grants,
  resolved: &Result<Resolved, String>,
) -> Option<String> {
  if requirements.iter().any(|r| r.organization) && grants.organization_id.is_none() {
    return Some(format!(
      "Forbidden: {what} needs an organization, and this session has none. Sign in to an organization and try again."
    ));
  }
  let needs_roles = requirements.iter().any(|r| r.needs_roles());
  let permissions = union(requirements.iter().flat_map(|r| r.permissions.iter()));
  if !needs_roles && permissions.is_empty() {
    return None;
  }
  if grants.machine {
    return Some(format!(
      "Forbidden: {what} needs {} of a user, and this request was authenticated with a machine token, which has none.",
      if needs_roles { "a role" } else { "permissions" }
    ));
  }
  if grants.organization_id.is_none() && (grants.roles.is_none() || grants.permissions.is_none()) {
    return Some(format!(
      "Forbidden: {what} needs {}, which come from an organization membership, and this session has no organization. Sign in to an organization and try again.",
      if needs_roles { "a role" } else { "permissions" }
    ));
  }
  let resolved = match resolved {
    Ok(resolved) => resolved,
    Err(reason) => {
      return Some(format!(
        "{} could not be authorized: your roles and permissions could not be read from WorkOS ({reason}). Nothing was run; try again later.",
        capitalized(what)
      ))
    }
  };
  for requirement in requirements.iter().filter(|r| r.needs_roles()) {
    if !requirement.roles.iter().any(|role| resolved.roles.contains(role)) {
      let yours = if resolved.roles.is_empty() {
        "you have none".to_string()
      } else {
        format!("yours: {}", quoted_list(&resolved.roles))
      };
      return Some(format!(
        "Forbidden: {what} needs one of the roles {} ({yours}).",
        quoted_list(&requirement.roles)
      ));
    }
  }
  let missing: Vec<String> = permissions
    .into_iter()
    .filter(|p| !resolved.permissions.contains(p))
    .collect();
  if !missing.is_empty() {
    return Some(format!(
      "Forbidden: {what} needs the permission{} {}, which your role does not grant.",
      if missing.len() == 1 { "" } else { "s" },
      quoted_list(&missing)
    ));
  }
  None
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  /// Tool policies only.
  fn rules(tools: Policies) -> Rules {
    Rules {
      tools,
      ..Rules::default()
    }
  }

  fn tool_targets(names: &[&str]) -> Vec<Target> {
    names.iter().map(|t| Target::Tool(t.to_string())).collect()
  }

  fn policies() -> Rules {
    rules(
      Policies::from_json(
        Some(&json!({
          "*": { "scopes": ["mcp"] },
          "deploy": { "scopes": ["deploy"], "permissions": ["deploy:run", "deploy:read"], "organization": true },
          "admin": { "roles": ["admin", "owner"] }
        })),
        None,
      )
      .unwrap(),
    )
  }

  fn grants(scopes: &[&str], org: Option<&str>, roles: Option<&[&str]>, permissions: Option<&[&str]>) -> Grants {
    let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    Grants {
      user_id: "user_1".into(),
      machine: false,
      organization_id: org.map(str::to_string),
      scopes: list(scopes),
      roles: roles.map(list),
      permissions: permissions.map(list),
    }
  }

  fn check(g: &Grants, tools: &[&str], resolved: Result<Resolved, String>) -> Decision {
    let policies = policies();
    let tools = tool_targets(tools);
    scope_decision(&policies, g, &tools).unwrap_or_else(|| check_calls(&policies, g, &tools, &resolved))
  }

  #[test]
  fn missing_scopes_ask_for_every_scope_the_message_needs() {
    let g = grants(&["mcp"], Some("org"), None, None);
    assert_eq!(
      check(&g, &["read", "deploy"], Ok(Resolved::default())),
      Decision::InsufficientScope(vec!["mcp".into(), "deploy".into()])
    );
    let none = grants(&[], None, None, None);
    assert_eq!(
      check(&none, &["anything"], Ok(Resolved::default())),
      Decision::InsufficientScope(vec!["mcp".into()])
    );
  }

  #[test]
  fn permissions_roles_and_organization_deny_per_call() {
    let resolved = || {
      Ok(Resolved {
        roles: vec!["member".into()],
        permissions: vec!["deploy:read".into()],
      })
    };
    let g = grants(&["mcp", "deploy"], Some("org"), None, None);
    let Decision::Denied(denials) = check(&g, &["read", "deploy", "admin"], resolved()) else {
      panic!("expected denials")
    };
    assert_eq!(denials[0], None);
    assert!(denials[1]
      .as_deref()
      .unwrap()
      .contains("needs the permission \"deploy:run\""));
    assert!(denials[2]
      .as_deref()
      .unwrap()
      .contains("needs one of the roles \"admin\", \"owner\" (yours: \"member\")"));

    let no_org = grants(&["mcp", "deploy"], None, None, None);
    let Decision::Denied(denials) = check(&no_org, &["deploy", "admin"], resolved()) else {
      panic!("expected denials")
    };
    assert!(denials[0].as_deref().unwrap().contains("needs an organization"));
    assert!(denials[1].as_deref().unwrap().contains("needs a role"));

    let outage = check(&g, &["deploy", "read"], Err("GET /x answered HTTP 503".into()));
    let Decision::Denied(denials) = outage else {
      panic!("an outage never allows")
    };
    assert!(denials[0]
      .as_deref()
      .unwrap()
      .contains("could not be read from WorkOS (GET /x answered HTTP 503)"));
    assert_eq!(denials[1], None, "a call that needs no lookup still runs");
  }

  #[test]
  fn machines_pass_scope_checks_and_never_role_or_permission_checks() {
    let p = rules(
      Policies::from_json(
        Some(&json!({
          "*": { "scopes": ["mcp"] },
          "sync": { "organization": true },
          "deploy": { "permissions": ["deploy:run"] },
          "admin": { "roles": ["admin"] },
          "human": { "machines": false }
        })),
        None,
      )
      .unwrap(),
    );
    let mut machine = grants(&["mcp"], Some("org"), None, None);
    machine.machine = true;
    let tools = tool_targets(&["sync", "deploy", "admin", "human"]);
    assert_eq!(
      scope_decision(&p, &grants(&[], Some("org"), None, None), &tools),
      Some(Decision::InsufficientScope(vec!["mcp".into()]))
    );
    let n = needs(&p, &machine, &tools);
    assert!(!n.roles && !n.permissions, "nothing is looked up for a machine");
    let Decision::Denied(denials) = check_calls(&p, &machine, &tools, &Ok(from_token(&machine))) else {
      panic!("expected denials")
    };
    assert_eq!(
      denials[0], None,
      "organization: the M2M application's organization counts"
    );
    assert!(denials[1].as_deref().unwrap().contains("needs permissions of a user"));
    assert!(denials[2].as_deref().unwrap().contains("needs a role of a user"));
    assert!(denials[3]
      .as_deref()
      .unwrap()
      .contains("does not accept machine tokens"));
  }

  #[test]
  fn token_claims_win() {
    let p = policies();
    let tools = tool_targets(&["admin", "deploy"]);
    let g = grants(
      &["mcp", "deploy"],
      Some("org"),
      Some(&["admin"]),
      Some(&["deploy:run", "deploy:read"]),
    );
    let n = needs(&p, &g, &tools);
    assert!(!n.roles && !n.permissions, "nothing to read from WorkOS");
    assert_eq!(check_calls(&p, &g, &tools, &Ok(from_token(&g))), Decision::Allow);
    let partial = grants(&["mcp", "deploy"], Some("org"), Some(&["admin"]), None);
    let n = needs(&p, &partial, &tools);
    assert!(
      !n.roles && n.permissions,
      "only the permissions of the token's roles are read"
    );
  }

  #[test]
  fn targets_are_read_as_the_glue_writes_them() {
    assert_eq!(Target::parse("tdeploy"), Target::Tool("deploy".into()));
    assert_eq!(Target::parse("psummarize"), Target::Prompt("summarize".into()));
    assert_eq!(
      Target::parse("rnotes://today"),
      Target::Resource("notes://today".into())
    );
    assert_eq!(
      Target::parse("udeploy\0ui://app/deploy.html"),
      Target::ToolResource {
        tool: "deploy".into(),
        uri: "ui://app/deploy.html".into()
      }
    );
    // Anything else is judged as a tool of that name: the "*" policy, never nothing.
    assert_eq!(Target::parse("udeploy"), Target::Tool("deploy".into()));
    assert_eq!(Target::parse("xyz"), Target::Tool("xyz".into()));
    assert_eq!(Target::parse(""), Target::Tool(String::new()));
  }
}
