//! Scope hierarchies (config `scopeHierarchy`): a scope grants the scopes it lists, transitively.
//!
//! `{ "files:admin": ["files:write"], "files:write": ["files:read"] }` makes a token with
//! `files:admin` hold `files:write` and `files:read` too. The MCP authorization specification (scope
//! challenge handling) asks servers to account for such hierarchies: a policy that needs
//! `files:read` is met by `files:admin`, and a 403 challenge names the narrowest scopes that meet
//! what a message needs. Cycles are refused at start-up (a cycle would make its scopes one scope).

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;

use crate::authz::policy::OFFLINE_ACCESS;
use crate::error::ConfigError;
use crate::options::invalid;

/// The closure of a `scopeHierarchy`: for each scope, every scope it grants (not itself).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeHierarchy {
  grants: HashMap<String, Vec<String>>,
}

const FIELD: &str = "scopeHierarchy";

fn check_name(name: &str, supported: Option<&[String]>) -> Result<(), ConfigError> {
  if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c == '"' || c == '\\') {
    return Err(invalid(
      FIELD,
      format!("names a scope {name:?} that is empty or has a space, quote or backslash"),
    ));
  }
  if name == OFFLINE_ACCESS {
    return Err(invalid(
      FIELD,
      "may not name offline_access (clients ask for it on their own)",
    ));
  }
  if supported.is_some_and(|list| !list.iter().any(|s| s == name)) {
    return Err(invalid(
      FIELD,
      format!("names {name:?}, which is not in scopes (the scopes this server knows)"),
    ));
  }
  Ok(())
}

impl ScopeHierarchy {
  /// The hierarchy of the option as written; `supported` is the `scopes` option, when given: the
  /// hierarchy may only name scopes from it.
  pub fn from_options(
    written: &IndexMap<String, Vec<String>>,
    supported: Option<&[String]>,
  ) -> Result<Self, ConfigError> {
    for (scope, granted) in written {
      check_name(scope, supported)?;
      for name in granted {
        check_name(name, supported)?;
      }
    }
    let mut grants = HashMap::new();
    for scope in written.keys() {
      let mut closure = Vec::new();
      let mut path = vec![scope.as_str()];
      collect(written, scope, &mut path, &mut closure)?;
      grants.insert(scope.clone(), closure);
    }
    Ok(ScopeHierarchy { grants })
  }

  pub fn is_empty(&self) -> bool {
    self.grants.is_empty()
  }

  /// The scopes a token with `scopes` holds: its own, then those they grant, each once.
  pub fn expand(&self, scopes: &[String]) -> Vec<String> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out = Vec::with_capacity(scopes.len());
    let granted = scopes.iter().flat_map(|s| self.grants.get(s).into_iter().flatten());
    for scope in scopes.iter().chain(granted) {
      if seen.insert(scope.as_str()) {
        out.push(scope.clone());
      }
    }
    out
  }

  /// The narrowest scopes that still grant all of `needed`: a scope granted by another one of the
  /// list is left out (it comes with that one). The order of `needed` is kept.
  pub fn narrowest(&self, needed: &[String]) -> Vec<String> {
    needed
      .iter()
      .filter(|scope| {
        !needed
          .iter()
          .any(|other| other != *scope && self.grants.get(other).is_some_and(|g| g.contains(scope)))
      })
      .cloned()
      .collect()
  }
}

/// Adds to `closure` every scope `scope` grants, depth first; `path` is the chain that led here.
fn collect<'a>(
  written: &'a IndexMap<String, Vec<String>>,
  scope: &str,
  path: &mut Vec<&'a str>,
  closure: &mut Vec<String>,
) -> Result<(), ConfigError> {
  for granted in written.get(scope).into_iter().flatten() {
    if path.contains(&granted.as_str()) {
      let mut cycle: Vec<&str> = path.clone();
      cycle.push(granted);
      let start = cycle.iter().position(|s| *s == granted.as_str()).unwrap_or(0);
      return Err(invalid(FIELD, format!("has a cycle: {}", cycle[start..].join(" → "))));
    }
    if closure.contains(granted) {
      continue;
    }
    closure.push(granted.clone());
    path.push(granted);
    collect(written, granted, path, closure)?;
    path.pop();
  }
  Ok(())
}

#[cfg(test)]
mod tests {
  use super::*;

  fn hierarchy(pairs: &[(&str, &[&str])]) -> Result<ScopeHierarchy, ConfigError> {
    let written: IndexMap<String, Vec<String>> = pairs
      .iter()
      .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
      .collect();
    ScopeHierarchy::from_options(&written, None)
  }

  fn list(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
  }

  #[test]
  fn a_scope_grants_what_it_lists_transitively() {
    let h = hierarchy(&[
      ("files:admin", &["files:write"]),
      ("files:write", &["files:read"]),
      ("all", &["files:admin", "mail"]),
    ])
    .unwrap();
    assert_eq!(
      h.expand(&list(&["files:admin"])),
      list(&["files:admin", "files:write", "files:read"])
    );
    assert_eq!(
      h.expand(&list(&["mail", "all"])),
      list(&["mail", "all", "files:admin", "files:write", "files:read"])
    );
    assert_eq!(
      h.expand(&list(&["files:read", "other"])),
      list(&["files:read", "other"])
    );
    assert_eq!(h.expand(&[]), Vec::<String>::new());
  }

  #[test]
  fn the_narrowest_scopes_leave_out_what_another_grants() {
    let h = hierarchy(&[("files:admin", &["files:write"]), ("files:write", &["files:read"])]).unwrap();
    assert_eq!(
      h.narrowest(&list(&["mcp", "files:read", "files:write"])),
      list(&["mcp", "files:write"])
    );
    assert_eq!(
      h.narrowest(&list(&["files:read", "files:admin"])),
      list(&["files:admin"])
    );
    assert_eq!(h.narrowest(&list(&["files:read"])), list(&["files:read"]));
  }

  #[test]
  fn cycles_and_bad_names_are_refused() {
    for (pairs, says) in [
      (vec![("a", &["a"][..])], "a cycle: a → a"),
      (
        vec![("a", &["b"][..]), ("b", &["c"][..]), ("c", &["a"][..])],
        "a cycle: a → b → c → a",
      ),
      (vec![("a", &["has space"][..])], "has a space"),
      (vec![("", &["b"][..])], "empty"),
      (vec![("a", &["offline_access"][..])], "offline_access"),
    ] {
      let message = hierarchy(&pairs).unwrap_err().to_string();
      assert!(
        message.contains("scopeHierarchy") && message.contains(says),
        "{message}"
      );
    }
    let written: IndexMap<String, Vec<String>> = [("a".to_string(), vec!["b".to_string()])].into_iter().collect();
    let message = ScopeHierarchy::from_options(&written, Some(&list(&["a"])))
      .unwrap_err()
      .to_string();
    assert!(message.contains("not in scopes"), "{message}");
  }
}
