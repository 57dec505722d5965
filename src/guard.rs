//! Which requests the middleware guards: one rule, decided from the method and Express's `req.path`.
//!
//! - `GET`, `HEAD` and `OPTIONS` of a discovery document, spelt the way Express routes to the
//!   package's router (ASCII case ignored, one optional trailing slash, no percent-decoding), are
//!   never guarded: the router answers them. Any other method on those paths is guarded like every
//!   other path, so with `endpoint: "/"` a `POST` to a metadata path cannot reach the MCP handler
//!   without a token.
//! - Every other request whose path, percent-decoded and with ASCII case ignored, starts with the
//!   endpoint is guarded (Express matches routes case-insensitively, so `/MCP` must not slip past a
//!   guard on `/mcp`; decoding first means `/%6Dcp` cannot either).
//!
//! The endpoint itself is restricted at start-up (see `config::parse_endpoint`) to characters that
//! mean the same to Express, to this rule and to a URL parser.

use percent_encoding::percent_decode_str;

use crate::config::{ProviderConfig, AUTHORIZATION_SERVER_PATH, PROTECTED_RESOURCE_PATH};

/// The guard of one provider, computed once.
pub struct Guard {
  /// The endpoint, lower-cased.
  endpoint: String,
  /// The discovery document paths, lower-cased.
  documents: [String; 3],
}

impl Guard {
  pub fn new(config: &ProviderConfig) -> Self {
    Guard {
      endpoint: config.endpoint.to_ascii_lowercase(),
      documents: [
        PROTECTED_RESOURCE_PATH,
        &config.resource_metadata_path(),
        AUTHORIZATION_SERVER_PATH,
      ]
      .map(|path| without_trailing_slash(path).to_ascii_lowercase()),
    }
  }

  /// The rule as data: the lower-cased endpoint and document paths (the glue's copy of the rule).
  pub fn rule(&self) -> (&str, &[String]) {
    (&self.endpoint, &self.documents)
  }

  /// Whether the middleware guards a `method` request for `path` (Express `req.path`).
  pub fn guards(&self, method: &str, path: &str) -> bool {
    if matches!(method, "GET" | "HEAD" | "OPTIONS") && self.is_document_route(path) {
      return false;
    }
    let decoded = percent_decode_str(path).decode_utf8_lossy();
    decoded.to_ascii_lowercase().starts_with(&self.endpoint)
  }

  /// Whether Express routes `path` to one of the router's document routes (`router.get(path)`:
  /// case-insensitive, non-strict, matched against the raw path).
  fn is_document_route(&self, path: &str) -> bool {
    let path = without_trailing_slash(path);
    self.documents.iter().any(|doc| doc.eq_ignore_ascii_case(path))
  }
}

/// `path` without one trailing slash (Express's non-strict routing makes it optional).
fn without_trailing_slash(path: &str) -> &str {
  match path.strip_suffix('/') {
    Some(stripped) if !stripped.is_empty() => stripped,
    _ => path,
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  fn guard(endpoint: &str) -> Guard {
    let config = ProviderConfig::from_json(
      &json!({"apiKey": "k", "clientId": "c", "baseURL": "https://mcp.example", "authkitDomain": "acme.authkit.app",
              "endpoint": endpoint}),
      |_| None,
    )
    .unwrap();
    Guard::new(&config)
  }

  #[test]
  fn the_endpoint_prefix_is_guarded_in_every_spelling() {
    let g = guard("/mcp");
    for path in [
      "/mcp",
      "/mcp/",
      "/MCP",
      "/Mcp/x",
      "/%6Dcp",
      "/%6dCP",
      "/mcpx",
      "/%6D%63%70/x",
    ] {
      assert!(g.guards("POST", path), "{path}");
      assert!(g.guards("GET", path), "{path}");
    }
    for path in [
      "/",
      "/public",
      "/mc",
      "/m%63",
      "/.well-known/oauth-protected-resource/mcp",
    ] {
      assert!(!g.guards("GET", path), "{path}");
    }
  }

  #[test]
  fn documents_are_exempt_only_for_reads_and_as_express_routes_them() {
    let cases = [
      ("/", "/.well-known/oauth-protected-resource"),
      ("/", "/.well-known/OAUTH-protected-resource/"),
      ("/", "/.WELL-KNOWN/oauth-authorization-server"),
      ("/.well-known", "/.well-known/oauth-protected-resource/.well-known"),
      ("/.well-known", "/.well-known/oauth-authorization-server/"),
    ];
    for (endpoint, path) in cases {
      let g = guard(endpoint);
      for method in ["GET", "HEAD", "OPTIONS"] {
        assert!(!g.guards(method, path), "{endpoint}: {method} {path}");
      }
      for method in ["POST", "PUT", "DELETE", "PATCH"] {
        assert!(g.guards(method, path), "{endpoint}: {method} {path}");
      }
    }
    let g = guard("/");
    // Spellings Express does not route to the document are not exempt.
    for path in [
      "/.well-known/oauth-protected-resourc%65",
      "/.well-known/oauth-protected-resource//",
      "//.well-known/oauth-protected-resource",
      "/.well-known/oauth-protected-resource/x",
    ] {
      assert!(g.guards("GET", path), "{path}");
    }
  }
}
