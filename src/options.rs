//! The options of `workosProvider()` as JavaScript passes them.
//!
//! Each object of the config is one `#[napi(object)]` struct here, and napi-rs writes these structs,
//! their `///` docs included, into the generated `binding.d.ts`, which `index.d.ts` re-exports as the
//! public `config` type. [`ProviderOptions::read`] is the only reader of the user's object: it fills
//! these structs, checking each member's type with a message that names it, and `config.rs` takes
//! its input from them alone. So the declared options and the options the addon reads are one list.
//!
//! Every member read is recorded under its path (`jwks.cooldownMs`, `tools.*.scopes`):
//! [`option_paths`] hands that record to the test that compares it with the declarations.

use std::cell::RefCell;
use std::time::Duration;

use indexmap::IndexMap;
use napi::bindgen_prelude::Either;
use napi_derive::napi;
use serde_json::{Map, Value};

use crate::error::ConfigError;

/// Options of `workosProvider()`. The first five are the 1.x options; the rest are optional
/// additions. Invalid values throw at startup: `[WorkOS] Missing required config: <field>` or
/// `[WorkOS] Invalid config: <field> …`.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct ProviderOptions {
  /// WorkOS API key (`sk_...`).
  pub api_key: String,
  /// WorkOS client id (`client_...`): the default audience of AuthKit access tokens.
  pub client_id: String,
  /// Public base URL of this MCP server, e.g. `https://mcp.example.com`.
  #[napi(js_name = "baseURL")]
  pub base_url: String,
  /// AuthKit domain, e.g. `yourcompany.authkit.app` (https), or an origin such as
  /// `http://127.0.0.1:4000` for local use (plain http only for a loopback host).
  pub authkit_domain: String,
  /// URL of your MCP server's documentation (`resource_documentation`).
  #[napi(js_name = "docsURL")]
  pub docs_url: Option<String>,
  /// The guarded MCP endpoint path. Default `/mcp`.
  pub endpoint: Option<String>,
  /// Accepted `aud` values. Default: `clientId` and the MCP resource URL (`baseURL` + endpoint),
  /// which AuthKit uses when a Resource Indicator is configured.
  pub audience: Option<Either<String, Vec<String>>>,
  /// WorkOS API host. Default `WORKOS_API_HOSTNAME`, else `api.workos.com`.
  pub api_hostname: Option<String>,
  /// WorkOS API port (a number, or a string of digits). Default `WORKOS_API_PORT`, else the scheme's.
  pub api_port: Option<Either<f64, String>>,
  /// Use https for the WorkOS API. Default `WORKOS_API_HTTPS`, else `true`.
  pub api_https: Option<bool>,
  /// Timeout of one WorkOS API call in milliseconds. Default 60 000.
  pub api_timeout: Option<f64>,
  /// AuthKit key cache.
  pub jwks: Option<JwksOptions>,
  /// The verified-token cache: `false` turns it off (`true`: the defaults).
  pub token_cache: Option<Either<bool, TokenCacheOptions>>,
  /// AuthKit authorization-server metadata cache.
  pub metadata: Option<MetadataOptions>,
  /// Every scope this server knows, published as `scopes_supported` in the protected-resource
  /// documents (never `offline_access`).
  pub scopes: Option<Vec<String>>,
  /// Per-tool policies, checked for every `tools/call` before the tool runs. Keys are tool names,
  /// and `"*"` for every tool; a tool's entry adds to the `"*"` entry.
  pub tools: Option<IndexMap<String, ToolPolicy>>,
  /// Per-prompt policies, checked for every `prompts/get` (and prompt completion) before the prompt
  /// runs. Keys are prompt names, and `"*"` for every prompt.
  pub prompts: Option<IndexMap<String, ToolPolicy>>,
  /// Per-resource policies, checked for every `resources/read` (and resource completion) before it
  /// runs. Keys are resource URIs or URI templates (`notes://{day}`), and `"*"` for every resource;
  /// every entry whose URI or template matches the read applies.
  pub resources: Option<IndexMap<String, ToolPolicy>>,
  /// Scopes that grant other scopes, transitively: `{ "files:admin": ["files:write"], "files:write":
  /// ["files:read"] }` makes a token with `files:admin` meet a policy that needs `files:read`.
  /// Cycles are refused.
  pub scope_hierarchy: Option<IndexMap<String, Vec<String>>>,
  /// Roles and permissions read from WorkOS (for tokens that carry none) are reused this long.
  pub permission_cache: Option<PermissionCacheOptions>,
  /// Accept WorkOS Connect machine-to-machine tokens (client-credentials grant: no `sid`, `sub` is
  /// the application's client id): `true` for every M2M application of the environment, or the
  /// client ids of those accepted. Default `false` (refused, as in 1.x).
  pub machine_tokens: Option<Either<bool, Vec<String>>>,
  /// The MCP server's own first-party WorkOS Connect application, for `exchangeToken()`. The secret
  /// stays in the native addon; nothing the package returns contains it.
  pub connect: Option<ConnectOptions>,
}

/// `jwks`: the AuthKit key cache.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct JwksOptions {
  /// Keys are refreshed in the background once this old, on schedule whatever the traffic (a failed
  /// refresh is retried after `min(cooldownMs, cacheMaxAgeMs)`). Default 600 000 (10 min).
  pub cache_max_age_ms: Option<f64>,
  /// A token with an unknown `kid` triggers a download at most this often; the warm-up and
  /// background refreshes do not count. In between, such a token that may be newer than our keys
  /// is answered 503 with `Retry-After`, and one download is made when this allows. Default 30 000,
  /// minimum 1 000.
  pub cooldown_ms: Option<f64>,
  /// Timeout of one JWKS download. Default 5 000.
  pub timeout_ms: Option<f64>,
  /// Download the keys as soon as the provider is created. Default `true`.
  pub warm_up: Option<bool>,
}

/// `tokenCache`: the verified-token cache.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct TokenCacheOptions {
  /// Default 10 000.
  pub max_entries: Option<f64>,
  /// Upper bound of an entry's life in milliseconds, whatever its `exp`. Default 300 000.
  pub max_age_ms: Option<f64>,
}

/// `metadata`: AuthKit's authorization-server metadata cache.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct MetadataOptions {
  /// Served from cache this long before it is refreshed. Default 600 000 (10 min).
  pub cache_max_age_ms: Option<f64>,
}

/// `permissionCache`: how long roles and permissions read from WorkOS are reused.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct PermissionCacheOptions {
  /// Default 60 000 (1 min).
  pub max_age_ms: Option<f64>,
  /// Default 10 000.
  pub max_entries: Option<f64>,
}

/// `connect`: the MCP server's own first-party WorkOS Connect application. The secret never leaves
/// the addon: it has no `Debug` output and is only written into the token endpoint's form body.
#[napi(object)]
#[derive(Clone, Default)]
pub struct ConnectOptions {
  /// The application's client id (`client_...`).
  pub client_id: String,
  /// The application's client secret; sent only to AuthKit's token endpoint.
  pub client_secret: String,
}

impl std::fmt::Debug for ConnectOptions {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    f.debug_struct("ConnectOptions")
      .field("client_id", &self.client_id)
      .field("client_secret", &"[redacted]")
      .finish()
  }
}

/// What a caller needs to run a tool, get a prompt or read a resource.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct ToolPolicy {
  /// Every one of these scopes; a missing one is answered with HTTP 403 `insufficient_scope`
  /// (step-up).
  pub scopes: Option<Vec<String>>,
  /// Every one of these permissions (from the token, or the user's role in its organization).
  pub permissions: Option<Vec<String>>,
  /// One of these roles (from the token, or the user's organization membership).
  pub roles: Option<Vec<String>>,
  /// The token must name an organization (`org_id`).
  pub organization: Option<bool>,
  /// Whether machine tokens may call the tool. Default: the `"*"` entry's, else `true`.
  pub machines: Option<bool>,
}

/// The option paths `workosProvider()` reads (a tool policy's members as `tools.*.<member>`), each
/// once, as recorded while reading `config`; objects are only read into when `config` has them.
/// Throws what `workosProvider()` would throw for a member of the wrong type. For the test that
/// compares these paths with the declarations in `binding.d.ts`.
#[napi]
pub fn option_paths(config: Value) -> napi::Result<Vec<String>> {
  let log = RefCell::new(Vec::new());
  ProviderOptions::read_logged(&config, &log)?;
  Ok(log.into_inner())
}

impl ProviderOptions {
  /// Reads the object passed to `workosProvider()`: required members first, in the original's
  /// order and words, then the others in declaration order. `null` counts as absent everywhere.
  pub fn read(value: &Value) -> Result<Self, ConfigError> {
    Self::read_logged(value, &RefCell::new(Vec::new()))
  }

  fn read_logged(value: &Value, log: &RefCell<Vec<String>>) -> Result<Self, ConfigError> {
    let empty = Map::new();
    let obj = Members::root(
      match value {
        Value::Object(map) => map,
        // The original destructures the object; anything else fails on the first required field.
        _ => &empty,
      },
      log,
    );
    Ok(ProviderOptions {
      api_key: obj.required("apiKey")?,
      client_id: obj.required("clientId")?,
      base_url: obj.required("baseURL")?,
      authkit_domain: obj.required("authkitDomain")?,
      docs_url: obj.string("docsURL")?,
      endpoint: obj.string("endpoint")?,
      audience: obj.get("audience").map(audience).transpose()?,
      api_hostname: obj.string("apiHostname")?,
      api_port: obj.port("apiPort")?,
      api_https: obj.boolean("apiHttps")?,
      api_timeout: obj.number("apiTimeout")?,
      jwks: obj
        .object("jwks", "must be an object")?
        .map(|jwks| -> Result<_, ConfigError> {
          Ok(JwksOptions {
            cache_max_age_ms: jwks.number("cacheMaxAgeMs")?,
            cooldown_ms: jwks.number("cooldownMs")?,
            timeout_ms: jwks.number("timeoutMs")?,
            warm_up: jwks.boolean("warmUp")?,
          })
        })
        .transpose()?,
      token_cache: match obj.get("tokenCache") {
        None => None,
        Some(Value::Bool(on)) => Some(Either::A(*on)),
        Some(Value::Object(map)) => {
          let cache = obj.nested("tokenCache", map);
          Some(Either::B(TokenCacheOptions {
            max_entries: cache.max_entries("tokenCache")?,
            max_age_ms: cache.number("maxAgeMs")?,
          }))
        }
        Some(other) => {
          return Err(invalid(
            "tokenCache",
            format!("must be false or an object, got {}", type_name(other)),
          ))
        }
      },
      metadata: obj
        .object("metadata", "must be an object")?
        .map(|metadata| -> Result<_, ConfigError> {
          Ok(MetadataOptions {
            cache_max_age_ms: metadata.number("cacheMaxAgeMs")?,
          })
        })
        .transpose()?,
      scopes: obj
        .get("scopes")
        .map(|value| strings(value).ok_or_else(|| invalid("scopes", SCOPES_REASON)))
        .transpose()?,
      tools: obj
        .get("tools")
        .map(|value| policies("tools", &obj, value))
        .transpose()?,
      prompts: obj
        .get("prompts")
        .map(|value| policies("prompts", &obj, value))
        .transpose()?,
      resources: obj
        .get("resources")
        .map(|value| policies("resources", &obj, value))
        .transpose()?,
      scope_hierarchy: obj.get("scopeHierarchy").map(scope_hierarchy).transpose()?,
      permission_cache: obj
        .object("permissionCache", "must be an object")?
        .map(|cache| -> Result<_, ConfigError> {
          Ok(PermissionCacheOptions {
            max_age_ms: cache.number("maxAgeMs")?,
            max_entries: cache.max_entries("permissionCache")?,
          })
        })
        .transpose()?,
      machine_tokens: match obj.get("machineTokens") {
        None => None,
        Some(Value::Bool(on)) => Some(Either::A(*on)),
        Some(value) => Some(Either::B(
          strings(value).ok_or_else(|| invalid("machineTokens", MACHINE_TOKENS_REASON))?,
        )),
      },
      connect: obj
        .object("connect", "must be an object { clientId, clientSecret }")?
        .map(|connect| -> Result<_, ConfigError> {
          let member = |name: &str| match connect.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            _ => Err(invalid(
              "connect",
              format!("needs {name}: the non-empty {name} of your WorkOS Connect application"),
            )),
          };
          Ok(ConnectOptions {
            client_id: member("clientId")?,
            client_secret: member("clientSecret")?,
          })
        })
        .transpose()?,
    })
  }
}

/// Why `audience` was refused.
pub const AUDIENCE_REASON: &str = "must be a non-empty string or a non-empty array of non-empty strings";
/// Why `scopes` was refused.
pub const SCOPES_REASON: &str =
  "must be an array of scope names without spaces, such as [\"files:read\", \"files:write\"]";
/// Why `scopeHierarchy` was refused.
pub const SCOPE_HIERARCHY_REASON: &str =
  "must be an object of scope names to arrays of the scopes they grant, such as { \"files:write\": [\"files:read\"] }";

/// `scopeHierarchy`: scope names to the scopes each grants (names are checked in `authz/scopes.rs`).
fn scope_hierarchy(value: &Value) -> Result<IndexMap<String, Vec<String>>, ConfigError> {
  let Value::Object(map) = value else {
    return Err(invalid("scopeHierarchy", SCOPE_HIERARCHY_REASON));
  };
  map
    .iter()
    .map(|(scope, granted)| {
      let granted = strings(granted).ok_or_else(|| invalid("scopeHierarchy", SCOPE_HIERARCHY_REASON))?;
      Ok((scope.clone(), granted))
    })
    .collect()
}

/// Why `machineTokens` was refused.
pub const MACHINE_TOKENS_REASON: &str =
  "must be true, false, or an array of M2M application client ids such as [\"client_01…\"]";

fn audience(value: &Value) -> Result<Either<String, Vec<String>>, ConfigError> {
  match value {
    Value::String(s) => Ok(Either::A(s.clone())),
    other => strings(other)
      .map(Either::B)
      .ok_or_else(|| invalid("audience", AUDIENCE_REASON)),
  }
}

/// An array of strings, or `None`.
fn strings(value: &Value) -> Option<Vec<String>> {
  match value {
    Value::Array(items) => items.iter().map(|item| item.as_str().map(str::to_string)).collect(),
    _ => None,
  }
}

/// `tools`, `prompts` or `resources` (`field`): names (tool or prompt names, resource URIs or URI
/// templates, and `"*"`) to policies whose members are only the known ones.
pub fn policies(
  field: &'static str,
  obj: &Members,
  value: &Value,
) -> Result<IndexMap<String, ToolPolicy>, ConfigError> {
  let keys = match field {
    "resources" => "resource URIs or URI templates",
    "prompts" => "prompt names",
    _ => "tool names",
  };
  let Value::Object(map) = value else {
    return Err(invalid(
      field,
      format!("must be an object mapping {keys} (or \"*\") to policies"),
    ));
  };
  let mut policies = IndexMap::new();
  for (name, entry) in map {
    if name.is_empty() {
      return Err(invalid(
        field,
        format!("has an empty key (one of the {keys}, or \"*\")"),
      ));
    }
    let at = format!("[{name:?}]");
    let Value::Object(entry) = entry else {
      return Err(invalid(
        field,
        format!("{at} must be an object such as {{ scopes: [\"files:read\"] }}"),
      ));
    };
    let entry = obj.nested(&format!("{field}.*"), entry);
    let (scopes, permissions, roles) = (entry.get("scopes"), entry.get("permissions"), entry.get("roles"));
    let (organization, machines) = (entry.get("organization"), entry.get("machines"));
    if let Some(unknown) = entry.unread() {
      return Err(invalid(
        field,
        format!(
          "{at} has an unknown member {unknown:?} (known: {})",
          entry.read().join(", ")
        ),
      ));
    }
    let names = |value: Option<&Value>, member: &str| {
      value
        .map(|v| strings(v).ok_or_else(|| invalid(field, names_reason(&at, member))))
        .transpose()
    };
    let flag = |value: Option<&Value>, member: &str| match value {
      None => Ok(None),
      Some(Value::Bool(b)) => Ok(Some(*b)),
      Some(_) => Err(invalid(field, format!("{at}.{member} must be a boolean"))),
    };
    let policy = ToolPolicy {
      scopes: names(scopes, "scopes")?,
      permissions: names(permissions, "permissions")?,
      roles: names(roles, "roles")?,
      organization: flag(organization, "organization")?,
      machines: flag(machines, "machines")?,
    };
    policies.insert(name.clone(), policy);
  }
  Ok(policies)
}

/// Why a tool policy's list of names was refused.
pub fn names_reason(at: &str, member: &str) -> String {
  format!("{at}.{member} must be an array of non-empty names without spaces")
}

/// The members of one object of the options, read by name. `null` reads as absent. Each name read
/// is recorded under its path, so that [`option_paths`] can list them.
pub struct Members<'a> {
  map: &'a Map<String, Value>,
  /// `""` for the config itself, else the object's path and a dot (`jwks.`, `tools.*.`).
  prefix: String,
  log: &'a RefCell<Vec<String>>,
}

impl<'a> Members<'a> {
  pub fn root(map: &'a Map<String, Value>, log: &'a RefCell<Vec<String>>) -> Self {
    Members {
      map,
      prefix: String::new(),
      log,
    }
  }

  /// The object at member `path` of this one (`tools.*` for an entry of a record).
  fn nested(&self, path: &str, map: &'a Map<String, Value>) -> Members<'a> {
    Members {
      map,
      prefix: format!("{}{path}.", self.prefix),
      log: self.log,
    }
  }

  pub fn get(&self, name: &str) -> Option<&'a Value> {
    let path = format!("{}{name}", self.prefix);
    let mut log = self.log.borrow_mut();
    if !log.contains(&path) {
      log.push(path);
    }
    self.map.get(name).filter(|value| !value.is_null())
  }

  /// The names read in this object so far, in order.
  fn read(&self) -> Vec<String> {
    let log = self.log.borrow();
    log
      .iter()
      .filter_map(|path| path.strip_prefix(&self.prefix))
      .filter(|rest| !rest.contains('.'))
      .map(str::to_string)
      .collect()
  }

  /// The first member present that was never read.
  fn unread(&self) -> Option<&'a String> {
    let read = self.read();
    self.map.keys().find(|key| !read.contains(key))
  }

  /// A required string: absent, `null` or empty is missing (the original's message).
  fn required(&self, field: &'static str) -> Result<String, ConfigError> {
    match self.get(field) {
      None => Err(ConfigError::Missing(field)),
      Some(Value::String(s)) if s.is_empty() => Err(ConfigError::Missing(field)),
      Some(Value::String(s)) => Ok(s.clone()),
      Some(other) => Err(invalid(field, format!("must be a string, got {}", type_name(other)))),
    }
  }

  /// An optional string; empty counts as absent.
  pub fn string(&self, field: &'static str) -> Result<Option<String>, ConfigError> {
    match self.get(field) {
      None => Ok(None),
      Some(Value::String(s)) if s.is_empty() => Ok(None),
      Some(Value::String(s)) => Ok(Some(s.clone())),
      Some(other) => Err(invalid(field, format!("must be a string, got {}", type_name(other)))),
    }
  }

  pub fn boolean(&self, field: &'static str) -> Result<Option<bool>, ConfigError> {
    match self.get(field) {
      None => Ok(None),
      Some(Value::Bool(b)) => Ok(Some(*b)),
      Some(other) => Err(invalid(field, format!("must be a boolean, got {}", type_name(other)))),
    }
  }

  pub fn number(&self, field: &'static str) -> Result<Option<f64>, ConfigError> {
    match self.get(field) {
      None => Ok(None),
      Some(Value::Number(n)) => Ok(n.as_f64()),
      Some(other) => Err(invalid(field, format!("must be a number, got {}", type_name(other)))),
    }
  }

  /// A port: a number or a string (of digits, checked later).
  pub fn port(&self, field: &'static str) -> Result<Option<Either<f64, String>>, ConfigError> {
    match self.get(field) {
      None => Ok(None),
      Some(Value::Number(n)) => Ok(n.as_f64().map(Either::A)),
      Some(Value::String(s)) => Ok(Some(Either::B(s.clone()))),
      Some(other) => Err(invalid(field, format!("must be a number, got {}", type_name(other)))),
    }
  }

  /// A cache's `maxEntries` (a number), reported under the cache's name.
  fn max_entries(&self, cache: &'static str) -> Result<Option<f64>, ConfigError> {
    match self.get("maxEntries") {
      None => Ok(None),
      Some(Value::Number(n)) => Ok(n.as_f64()),
      Some(other) => Err(invalid(
        cache,
        format!("maxEntries must be a number, got {}", type_name(other)),
      )),
    }
  }

  /// A nested object; anything else is refused with `reason`, and the type found.
  fn object(&self, field: &'static str, reason: &str) -> Result<Option<Members<'a>>, ConfigError> {
    match self.get(field) {
      None => Ok(None),
      Some(Value::Object(map)) => Ok(Some(self.nested(field, map))),
      Some(other) => Err(invalid(field, format!("{reason}, got {}", type_name(other)))),
    }
  }
}

/// A whole number of milliseconds within `[min, max]`.
pub fn millis(value: Option<f64>, field: &'static str, min: u64, max: u64) -> Result<Option<Duration>, ConfigError> {
  match value {
    None => Ok(None),
    Some(ms) if ms.fract() == 0.0 && ms >= min as f64 && ms <= max as f64 => Ok(Some(Duration::from_millis(ms as u64))),
    Some(_) => Err(invalid(
      field,
      format!("must be a whole number of milliseconds from {min} to {max}"),
    )),
  }
}

pub fn invalid(field: &'static str, reason: impl Into<String>) -> ConfigError {
  ConfigError::Invalid {
    field,
    reason: reason.into(),
  }
}

pub fn type_name(value: &Value) -> &'static str {
  match value {
    Value::Null => "null",
    Value::Bool(_) => "a boolean",
    Value::Number(_) => "a number",
    Value::String(_) => "a string",
    Value::Array(_) => "an array",
    Value::Object(_) => "an object",
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  #[test]
  fn every_member_read_is_recorded_under_its_path() {
    let paths = option_paths(json!({
      "apiKey": "k", "clientId": "c", "baseURL": "b", "authkitDomain": "a",
      "jwks": {}, "tokenCache": {}, "tools": { "t": {}, "*": {} }
    }))
    .unwrap();
    for path in [
      "apiKey",
      "jwks.warmUp",
      "tokenCache.maxAgeMs",
      "tools.*.machines",
      "connect",
    ] {
      assert!(paths.contains(&path.to_string()), "{path}: {paths:?}");
    }
    assert!(
      !paths.iter().any(|p| p.starts_with("metadata.")),
      "not present, not read into"
    );
    assert_eq!(paths.iter().filter(|p| *p == "tools.*.scopes").count(), 1);
  }

  #[test]
  fn a_tool_policy_has_only_the_known_members() {
    let err = ProviderOptions::read(&json!({
      "apiKey": "k", "clientId": "c", "baseURL": "b", "authkitDomain": "a",
      "tools": { "t": { "scopes": [], "scope": ["a"] } }
    }))
    .unwrap_err();
    assert_eq!(
      err.to_string(),
      "[WorkOS] Invalid config: tools [\"t\"] has an unknown member \"scope\" (known: scopes, permissions, \
       roles, organization, machines)"
    );
  }
}
