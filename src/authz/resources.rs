//! Resource policies (config `resources`): keyed by a resource URI, or by a URI template as the MCP
//! server registers templated resources (`notes://{day}`), and `"*"` for every resource.
//!
//! A `resources/read` is matched the way the MCP server finds the resource it reads: the URI as
//! `new URL(uri).href` writes it (the glue normalises it), equal to an exact key, or matched by a
//! template key with the SDK's `UriTemplate.match` rules (RFC 6570 expressions: `{x}` one segment
//! without `,`; `{+x}` and `{#x}` anything; `{.x}`, `{/x}`; `{?x,y}` and `{&x}` query pairs; `*`
//! explodes a list). Every entry that matches applies, and the `"*"` entry always does.
//! `__test__/resources.test.js` compares this matcher with the SDK's over generated URIs.

use std::collections::HashMap;

use indexmap::IndexMap;

use crate::authz::policy::{requirement, Requirement};
use crate::error::ConfigError;
use crate::options::{invalid, ToolPolicy};

/// Past this length a URI is taken to match every template, so their policies apply (the matcher
/// is quadratic at worst; refusing more than the server would is the safe side).
const MAX_MATCHED_URI: usize = 2048;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
  Literal(Vec<char>),
  /// A `{…}` expression: its operator (`'\0'` for none), whether it explodes, and its names.
  Expression {
    operator: char,
    exploded: bool,
    names: Vec<String>,
  },
}

/// A URI template, parsed as the SDK parses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
  parts: Vec<Part>,
}

/// What one piece of the generated pattern accepts.
#[derive(Clone, Copy)]
enum Class {
  /// One or more characters other than `/` and `,` (exploded: such runs joined by single commas).
  Segment { exploded: bool },
  /// One or more characters other than line terminators (JavaScript's `.`).
  Any,
  /// One or more characters other than `&`.
  QueryValue,
}

enum Piece {
  Literal(Vec<char>),
  Run(Class),
}

impl Template {
  /// Whether a key is a template (the SDK's `UriTemplate.isTemplate`: a `{…}` without spaces).
  pub fn is_template(key: &str) -> bool {
    let mut rest = key;
    while let Some(open) = rest.find('{') {
      let after = &rest[open + 1..];
      match after.find('}') {
        Some(close) if close > 0 && !after[..close].chars().any(char::is_whitespace) => return true,
        Some(close) => rest = &after[close..],
        None => return false,
      }
    }
    false
  }

  pub fn parse(template: &str) -> Result<Template, String> {
    let mut parts = Vec::new();
    let mut literal = Vec::new();
    let chars: Vec<char> = template.chars().collect();
    let mut i = 0;
    while i < chars.len() {
      if chars[i] != '{' {
        literal.push(chars[i]);
        i += 1;
        continue;
      }
      if !literal.is_empty() {
        parts.push(Part::Literal(std::mem::take(&mut literal)));
      }
      let close = chars[i..]
        .iter()
        .position(|c| *c == '}')
        .ok_or("has an unclosed template expression")?;
      let inner: String = chars[i + 1..i + close].iter().collect();
      let operator = ['+', '#', '.', '/', '?', '&']
        .into_iter()
        .find(|op| inner.starts_with(*op))
        .unwrap_or('\0');
      let body = if operator == '\0' { &inner[..] } else { &inner[1..] };
      let names: Vec<String> = body
        .split(',')
        .map(|name| name.replace('*', "").trim().to_string())
        .filter(|name| !name.is_empty())
        .collect();
      parts.push(Part::Expression {
        operator,
        exploded: inner.contains('*'),
        names,
      });
      i += close + 1;
    }
    if !literal.is_empty() {
      parts.push(Part::Literal(literal));
    }
    Ok(Template { parts })
  }

  /// The pattern the SDK generates, as pieces.
  fn pieces(&self) -> Vec<Piece> {
    let mut pieces = Vec::new();
    for part in &self.parts {
      match part {
        Part::Literal(text) => pieces.push(Piece::Literal(text.clone())),
        Part::Expression { operator, names, .. } if *operator == '?' || *operator == '&' => {
          for (i, name) in names.iter().enumerate() {
            let mut prefix = vec![if i == 0 { *operator } else { '&' }];
            prefix.extend(name.chars());
            prefix.push('=');
            pieces.push(Piece::Literal(prefix));
            pieces.push(Piece::Run(Class::QueryValue));
          }
        }
        Part::Expression { operator, exploded, .. } => match operator {
          '+' | '#' => pieces.push(Piece::Run(Class::Any)),
          '.' => {
            pieces.push(Piece::Literal(vec!['.']));
            pieces.push(Piece::Run(Class::Segment { exploded: false }));
          }
          '/' => {
            pieces.push(Piece::Literal(vec!['/']));
            pieces.push(Piece::Run(Class::Segment { exploded: *exploded }));
          }
          _ => pieces.push(Piece::Run(Class::Segment { exploded: *exploded })),
        },
      }
    }
    pieces
  }

  /// Whether `uri` matches the whole template (any URI longer than [`MAX_MATCHED_URI`] does).
  pub fn matches(&self, uri: &str) -> bool {
    if uri.len() > MAX_MATCHED_URI {
      return true;
    }
    let uri: Vec<char> = uri.chars().collect();
    let pieces = self.pieces();
    let mut failed = vec![false; (pieces.len() + 1) * (uri.len() + 1)];
    matches_from(&pieces, 0, &uri, 0, &mut failed)
  }
}

/// The largest end of a run of `class` from `at` (at most `uri.len()`; `at` when none is possible):
/// every class is closed under shortening, so the ends allowed are the ones up to this.
fn run_limit(class: Class, uri: &[char], at: usize) -> usize {
  let stop = |forbidden: &dyn Fn(char) -> bool| {
    uri[at..]
      .iter()
      .position(|c| forbidden(*c))
      .map_or(uri.len(), |i| at + i)
  };
  match class {
    Class::Any => stop(&|c| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')),
    Class::QueryValue => stop(&|c| c == '&'),
    Class::Segment { exploded: false } => stop(&|c| c == '/' || c == ','),
    Class::Segment { exploded: true } => {
      if uri.get(at) == Some(&',') {
        return at;
      }
      let slash = stop(&|c| c == '/');
      // A run may not hold ",,": it may reach the first comma of the first such pair.
      let double = (at + 1..slash)
        .find(|&i| uri[i] == ',' && uri[i - 1] == ',')
        .unwrap_or(slash);
      double.min(slash)
    }
  }
}

/// Whether a run of `class` may end at `end` (an exploded list does not end with a comma).
fn may_end(class: Class, uri: &[char], end: usize) -> bool {
  !matches!(class, Class::Segment { exploded: true }) || uri[end - 1] != ','
}

/// Backtracking over the pieces (a run takes as much as it can, then less, until the rest matches),
/// remembering the (piece, position) pairs that failed, so that each is tried once.
fn matches_from(pieces: &[Piece], piece: usize, uri: &[char], at: usize, failed: &mut [bool]) -> bool {
  let Some(first) = pieces.get(piece) else {
    return at == uri.len();
  };
  let state = piece * (uri.len() + 1) + at;
  if failed[state] {
    return false;
  }
  let found = match first {
    Piece::Literal(text) => {
      uri[at..].starts_with(text) && matches_from(pieces, piece + 1, uri, at + text.len(), failed)
    }
    Piece::Run(class) => (at + 1..=run_limit(*class, uri, at))
      .rev()
      .any(|end| may_end(*class, uri, end) && matches_from(pieces, piece + 1, uri, end, failed)),
  };
  if !found {
    failed[state] = true;
  }
  found
}

/// Every resource policy of one provider.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourcePolicies {
  every: Requirement,
  exact: HashMap<String, Requirement>,
  templates: Vec<(Template, Requirement)>,
}

impl ResourcePolicies {
  pub fn from_options(
    written: &IndexMap<String, ToolPolicy>,
    supported: Option<&[String]>,
  ) -> Result<Self, ConfigError> {
    let mut policies = ResourcePolicies::default();
    for (key, policy) in written {
      let requirement = requirement("resources", key, policy, supported)?;
      if key == "*" {
        policies.every = requirement;
      } else if Template::is_template(key) {
        let template = Template::parse(key).map_err(|why| invalid("resources", format!("[{key:?}] {why}")))?;
        policies.templates.push((template, requirement));
      } else {
        policies.exact.insert(key.clone(), requirement);
      }
    }
    Ok(policies)
  }

  pub fn is_empty(&self) -> bool {
    self.every == Requirement::default() && self.exact.is_empty() && self.templates.is_empty()
  }

  /// The entries that apply to a read of `uri`: the `"*"` entry, the exact one, every matching template.
  pub fn for_uri<'a>(&'a self, uri: &'a str) -> impl Iterator<Item = &'a Requirement> + 'a {
    std::iter::once(&self.every).chain(self.exact.get(uri)).chain(
      self
        .templates
        .iter()
        .filter(move |(template, _)| template.matches(uri))
        .map(|(_, requirement)| requirement),
    )
  }

  /// Whether machine tokens may read `uri`: no matching entry says no, and the one that says
  /// anything (else the `"*"` entry, else yes) says yes.
  pub fn machines_allowed(&self, uri: &str) -> bool {
    let own: Vec<Option<bool>> = self.for_uri(uri).skip(1).map(|r| r.machines).collect();
    if own.contains(&Some(false)) {
      return false;
    }
    own.into_iter().flatten().next().or(self.every.machines).unwrap_or(true)
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn matches(template: &str, uri: &str) -> bool {
    Template::parse(template).unwrap().matches(uri)
  }

  #[test]
  fn templates_match_as_the_sdk_matches() {
    assert!(matches("notes://{day}", "notes://today"));
    assert!(!matches("notes://{day}", "notes://a/b"));
    assert!(!matches("notes://{day}", "notes://a,b"));
    assert!(!matches("notes://{day}", "notes://"));
    assert!(matches("notes://{days*}", "notes://a,b"));
    assert!(!matches("notes://{days*}", "notes://a,,b"));
    assert!(matches("file://{+path}", "file:///etc/passwd"));
    assert!(matches("users://{id}/profile", "users://42/profile"));
    assert!(!matches("users://{id}/profile", "users://42/settings"));
    assert!(matches("search://q{?term,page}", "search://q?term=a&page=2"));
    assert!(!matches("search://q{?term,page}", "search://q?term=a"));
    assert!(matches("x://a{/seg}", "x://a/b"));
    assert!(matches("x://a{.ext}", "x://a.json"));
  }

  #[test]
  fn what_is_a_template() {
    assert!(Template::is_template("notes://{day}"));
    assert!(!Template::is_template("notes://today"));
    assert!(!Template::is_template("notes://{ day }"));
    assert!(!Template::is_template("notes://{}"));
    assert!(Template::parse("notes://{day").is_err());
  }
}
