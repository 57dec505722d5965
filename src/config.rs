//! The provider configuration, validated once when `workosProvider()` runs.
//!
//! The user's object is read by `options.rs` (each member's type checked, with a message naming it)
//! into the typed options that `binding.d.ts` declares; here those options are checked for what they
//! mean (URLs, ranges, names) and turned into what the provider runs on.

use std::time::Duration;

use napi::bindgen_prelude::Either;
use reqwest::Url;
use serde_json::Value;
use url::Host;

use crate::api_location::{ApiLocation, LocationOptions, PROVIDER_API_FIELDS};
use crate::authz::policy::{union, Policies, OFFLINE_ACCESS};
use indexmap::IndexMap;

use crate::authz::resources::ResourcePolicies;
use crate::authz::scopes::ScopeHierarchy;
use crate::authz::Rules;
use crate::error::ConfigError;
use crate::jwt::claims::MachineTokens;
use crate::jwt::jwks::JwksPolicy;
use crate::jwt::token_cache::TokenCachePolicy;
use crate::memo::CachePolicy;
use crate::options::{
  invalid, millis, ConnectOptions, JwksOptions, PermissionCacheOptions, ProviderOptions, TokenCacheOptions, ToolPolicy,
  AUDIENCE_REASON, MACHINE_TOKENS_REASON, SCOPES_REASON,
};

/// Path of the RFC 9728 protected-resource metadata document (the root one, as in the original).
pub const PROTECTED_RESOURCE_PATH: &str = "/.well-known/oauth-protected-resource";
/// Path of the RFC 8414 authorization-server metadata document we serve.
pub const AUTHORIZATION_SERVER_PATH: &str = "/.well-known/oauth-authorization-server";

const DEFAULT_ENDPOINT: &str = "/mcp";

/// Everything the provider needs, checked and normalised.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
  pub api_key: String,
  /// `baseURL` without a trailing slash.
  pub base_url: String,
  /// The AuthKit base URL (`https://<authkitDomain>` unless a scheme was given), no trailing slash.
  /// Tokens must carry exactly this `iss`.
  pub authkit_url: String,
  pub docs_url: Option<String>,
  /// The guarded MCP endpoint path, `/mcp` by default.
  pub endpoint: String,
  /// Accepted `aud` values: the client id and the MCP resource URL unless `audience` replaced them.
  pub audiences: Vec<String>,
  pub api: ApiLocation,
  pub jwks: JwksPolicy,
  /// How long AuthKit's RFC 8414 document is served before it is refreshed (10 min by default).
  pub metadata_max_age: Duration,
  pub token_cache: TokenCachePolicy,
  /// The policies of tools, prompts and resources (`tools`, `prompts`, `resources`).
  pub policies: Rules,
  /// The `scopes` option: every scope this server knows, published as `scopes_supported`.
  pub scopes: Option<Vec<String>>,
  /// Which scopes grant which (`scopeHierarchy`); empty when there is none.
  pub scope_hierarchy: ScopeHierarchy,
  /// How long roles and permissions read from WorkOS are reused (`permissionCache`).
  pub permission_cache: CachePolicy,
  /// Machine-to-machine tokens accepted (`machineTokens`).
  pub machine_tokens: MachineTokens,
  /// The MCP server's own WorkOS Connect application (`connect`), for token exchange.
  pub connect: Option<ConnectOptions>,
}

impl ProviderConfig {
  /// `baseURL` + endpoint: the MCP resource URL (RFC 8707 / RFC 9728 `resource`).
  pub fn resource_url(&self) -> String {
    format!("{}{}", self.base_url, self.endpoint)
  }

  /// Path of the endpoint-suffixed protected-resource document (RFC 9728 §3.1).
  pub fn resource_metadata_path(&self) -> String {
    format!("{PROTECTED_RESOURCE_PATH}{}", self.endpoint)
  }

  /// Absolute URL of the endpoint-suffixed document, as sent in `WWW-Authenticate`.
  pub fn resource_metadata_url(&self) -> String {
    format!("{}{}", self.base_url, self.resource_metadata_path())
  }

  pub fn jwks_url(&self) -> String {
    format!("{}/oauth2/jwks", self.authkit_url)
  }

  /// What the protected-resource documents publish as `scopes_supported`: the `scopes` option (none:
  /// the member is left out, as in the original). Not derived from the policies: a client that finds
  /// no `scope` in the 401 asks for `scopes_supported`, so publishing every tool's scopes would make
  /// it ask for all of them up front instead of stepping up when a tool needs more.
  pub fn scopes_supported(&self) -> Vec<String> {
    self.scopes.clone().unwrap_or_default()
  }

  pub fn authorization_server_metadata_url(&self) -> String {
    format!("{}{AUTHORIZATION_SERVER_PATH}", self.authkit_url)
  }

  /// Validates the object passed to `workosProvider()`. `env` looks up environment variables
  /// (`WORKOS_API_HOSTNAME`, `WORKOS_API_PORT`, `WORKOS_API_HTTPS`); config fields win over them.
  pub fn from_json(value: &Value, env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
    Self::from_options(ProviderOptions::read(value)?, env)
  }

  /// Checks what the options mean, in their declaration order, and applies the defaults.
  pub fn from_options(options: ProviderOptions, env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
    let base_url = parse_base_url(&options.base_url)?;
    let authkit_url = parse_authkit_domain(&options.authkit_domain)?;
    let endpoint = match &options.endpoint {
      Some(raw) => parse_endpoint(raw)?,
      None => DEFAULT_ENDPOINT.to_string(),
    };
    let audiences = match &options.audience {
      None => vec![options.client_id.clone(), format!("{base_url}{endpoint}")],
      Some(audience) => parse_audience(audience)?,
    };
    let location = LocationOptions {
      hostname: options.api_hostname.clone(),
      port: options.api_port.clone(),
      https: options.api_https,
      timeout: options.api_timeout,
    };
    let api = location.resolve(&env, &PROVIDER_API_FIELDS)?;
    let jwks = jwks_policy(options.jwks.as_ref())?;
    let metadata_max_age = millis(
      options.metadata.as_ref().and_then(|m| m.cache_max_age_ms),
      "metadata.cacheMaxAgeMs",
      1_000,
      86_400_000,
    )?
    .unwrap_or(Duration::from_secs(600));
    let token_cache = token_cache_policy(options.token_cache.as_ref())?;
    let scopes = options.scopes.as_deref().map(parse_scopes).transpose()?;
    let named = |field: &'static str, written: &Option<IndexMap<String, ToolPolicy>>| match written {
      None => Ok(Policies::default()),
      Some(written) => Policies::from_options(field, written, scopes.as_deref()),
    };
    let policies = Rules {
      tools: named("tools", &options.tools)?,
      prompts: named("prompts", &options.prompts)?,
      resources: match &options.resources {
        None => ResourcePolicies::default(),
        Some(written) => ResourcePolicies::from_options(written, scopes.as_deref())?,
      },
    };
    let scope_hierarchy = match &options.scope_hierarchy {
      None => ScopeHierarchy::default(),
      Some(written) => ScopeHierarchy::from_options(written, scopes.as_deref())?,
    };
    let permission_cache = permission_cache_policy(options.permission_cache.as_ref())?;
    let machine_tokens = machine_tokens(options.machine_tokens.as_ref())?;

    Ok(ProviderConfig {
      api_key: options.api_key,
      base_url,
      authkit_url,
      docs_url: options.docs_url,
      endpoint,
      audiences,
      api,
      jwks,
      metadata_max_age,
      token_cache,
      policies,
      scopes,
      scope_hierarchy,
      permission_cache,
      machine_tokens,
      connect: options.connect,
    })
  }
}

/// `machineTokens`: `true` (every M2M application of the environment), `false` (the default), or the
/// client ids of the applications accepted.
fn machine_tokens(option: Option<&Either<bool, Vec<String>>>) -> Result<MachineTokens, ConfigError> {
  match option {
    None | Some(Either::A(false)) => Ok(MachineTokens::Refused),
    Some(Either::A(true)) => Ok(MachineTokens::Any),
    Some(Either::B(ids)) if !ids.is_empty() && ids.iter().all(|id| !id.trim().is_empty()) => {
      Ok(MachineTokens::Only(ids.clone()))
    }
    Some(Either::B(_)) => Err(invalid("machineTokens", MACHINE_TOKENS_REASON)),
  }
}

/// `scopes`: the scopes this server knows (names without spaces, not `offline_access`).
fn parse_scopes(list: &[String]) -> Result<Vec<String>, ConfigError> {
  if list.iter().any(|s| s.is_empty() || s.contains(char::is_whitespace)) {
    return Err(invalid("scopes", SCOPES_REASON));
  }
  if list.iter().any(|s| s == OFFLINE_ACCESS) {
    return Err(invalid(
      "scopes",
      "must not list \"offline_access\": MCP clients ask for it on their own, and servers should not advertise it",
    ));
  }
  Ok(union(list))
}

/// `permissionCache`: `{ maxAgeMs, maxEntries }` for roles and permissions read from WorkOS.
fn permission_cache_policy(option: Option<&PermissionCacheOptions>) -> Result<CachePolicy, ConfigError> {
  let defaults = CachePolicy::default();
  let Some(option) = option else {
    return Ok(defaults);
  };
  Ok(CachePolicy {
    max_age: millis(option.max_age_ms, "permissionCache.maxAgeMs", 1_000, 3_600_000)?.unwrap_or(defaults.max_age),
    max_entries: max_entries(option.max_entries, "permissionCache", 1_000_000)?.unwrap_or(defaults.max_entries),
  })
}

/// A cache option's `maxEntries`: a whole number from 0 to `cap`.
fn max_entries(value: Option<f64>, field: &'static str, cap: u64) -> Result<Option<usize>, ConfigError> {
  match value {
    None => Ok(None),
    Some(n) if n.fract() == 0.0 && n >= 0.0 && n <= cap as f64 => Ok(Some(n as usize)),
    Some(_) => Err(invalid(
      field,
      format!("maxEntries must be a whole number from 0 to {cap}"),
    )),
  }
}

/// `baseURL` must be an absolute http(s) URL with a host and nothing after the path.
fn parse_base_url(raw: &str) -> Result<String, ConfigError> {
  let reason = "must be an absolute http(s) URL such as \"https://mcp.example.com\"";
  let url = Url::parse(raw.trim()).map_err(|e| invalid("baseURL", format!("{reason} ({e})")))?;
  if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() || url.cannot_be_a_base() {
    return Err(invalid("baseURL", reason));
  }
  if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
    return Err(invalid(
      "baseURL",
      format!("{reason}, without credentials, query or fragment"),
    ));
  }
  Ok(url.as_str().trim_end_matches('/').to_string())
}

/// `authkitDomain` is a bare host (`yourcompany.authkit.app`, meaning https) or, for local use, a URL
/// with an explicit scheme (`http://127.0.0.1:4000`). Either way only an origin is accepted.
fn parse_authkit_domain(raw: &str) -> Result<String, ConfigError> {
  let reason =
    "must be a host name such as \"yourcompany.authkit.app\" (or an origin such as \"http://127.0.0.1:4000\")";
  let trimmed = raw.trim();
  let candidate = if trimmed.contains("://") {
    trimmed.to_string()
  } else {
    format!("https://{trimmed}")
  };
  let url = Url::parse(&candidate).map_err(|e| invalid("authkitDomain", format!("{reason} ({e})")))?;
  let only_origin = url.path() == "/"
    && url.query().is_none()
    && url.fragment().is_none()
    && url.username().is_empty()
    && url.password().is_none();
  if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() || !only_origin {
    return Err(invalid("authkitDomain", reason));
  }
  if url.scheme() == "http" && !is_loopback(&url) {
    return Err(invalid(
      "authkitDomain",
      format!(
        "must use https unless its host is a loopback address (127.0.0.1, ::1, localhost): {raw:?} would \
         fetch the signing keys in plaintext"
      ),
    ));
  }
  Ok(url.origin().ascii_serialization())
}

/// Whether `url` names this machine: `localhost`, `127.0.0.0/8` or `::1`.
fn is_loopback(url: &Url) -> bool {
  match url.host() {
    Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
    Some(Host::Ipv4(ip)) => ip.is_loopback(),
    Some(Host::Ipv6(ip)) => ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    None => false,
  }
}

/// The endpoint is an absolute path of `/`-separated segments made of unreserved URL characters
/// (letters, digits, `-`, `.`, `_`, `~`): the only spelling that Express, the guard and a URL parser
/// all read the same way. Percent-escapes, Express route syntax (`:`, `*`, `(`, `?`, `+`, ...),
/// non-ASCII, whitespace, empty and dot segments are refused. One trailing slash is dropped.
fn parse_endpoint(raw: &str) -> Result<String, ConfigError> {
  if raw == "/" {
    return Ok(raw.to_string());
  }
  let path = raw.strip_suffix('/').unwrap_or(raw);
  let segment_ok = |segment: &str| {
    !segment.is_empty()
      && segment != "."
      && segment != ".."
      && segment
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
  };
  let ok = path.len() <= 256
    && path
      .strip_prefix('/')
      .is_some_and(|rest| rest.split('/').all(segment_ok));
  if !ok {
    return Err(invalid(
      "endpoint",
      format!(
        "must be an absolute path such as \"/mcp\", made of letters, digits, \"-\", \".\", \"_\" and \"~\" \
         between single slashes (no percent-escapes, route patterns or dot segments), got {raw:?}"
      ),
    ));
  }
  Ok(path.to_string())
}

/// `audience`: a non-empty string or a non-empty array of non-empty strings.
fn parse_audience(audience: &Either<String, Vec<String>>) -> Result<Vec<String>, ConfigError> {
  let list = match audience {
    Either::A(one) => vec![one.clone()],
    Either::B(list) => list.clone(),
  };
  if list.is_empty() || list.iter().any(String::is_empty) {
    return Err(invalid("audience", AUDIENCE_REASON));
  }
  Ok(list)
}

fn jwks_policy(option: Option<&JwksOptions>) -> Result<JwksPolicy, ConfigError> {
  let defaults = JwksPolicy::default();
  let Some(jwks) = option else {
    return Ok(defaults);
  };
  Ok(JwksPolicy {
    max_age: millis(jwks.cache_max_age_ms, "jwks.cacheMaxAgeMs", 1_000, 86_400_000)?.unwrap_or(defaults.max_age),
    cooldown: millis(jwks.cooldown_ms, "jwks.cooldownMs", 1_000, 3_600_000)?.unwrap_or(defaults.cooldown),
    timeout: millis(jwks.timeout_ms, "jwks.timeoutMs", 100, 60_000)?.unwrap_or(defaults.timeout),
    warm_up: jwks.warm_up.unwrap_or(defaults.warm_up),
  })
}

/// `tokenCache`: `false` turns the verified-token cache off; an object tunes it.
fn token_cache_policy(option: Option<&Either<bool, TokenCacheOptions>>) -> Result<TokenCachePolicy, ConfigError> {
  let defaults = TokenCachePolicy::default();
  let cache = match option {
    None | Some(Either::A(true)) => return Ok(defaults),
    Some(Either::A(false)) => {
      return Ok(TokenCachePolicy {
        max_entries: 0,
        ..defaults
      })
    }
    Some(Either::B(cache)) => cache,
  };
  let max_entries = max_entries(cache.max_entries, "tokenCache", 10_000_000)?.unwrap_or(defaults.max_entries);
  let max_age = millis(cache.max_age_ms, "tokenCache.maxAgeMs", 1_000, 86_400_000)?
    .map(|d| d.as_secs_f64())
    .unwrap_or(defaults.max_age);
  Ok(TokenCachePolicy { max_entries, max_age })
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  fn no_env(_: &str) -> Option<String> {
    None
  }

  fn base() -> Value {
    json!({
      "apiKey": "sk_test", "clientId": "client_1",
      "baseURL": "http://127.0.0.1:3002/", "authkitDomain": "acme.authkit.app"
    })
  }

  fn with(patch: Value) -> Value {
    let mut v = base();
    for (k, val) in patch.as_object().unwrap() {
      v[k] = val.clone();
    }
    v
  }

  #[test]
  fn missing_fields_are_reported_in_the_original_order_and_words() {
    let err = ProviderConfig::from_json(&json!({}), no_env).unwrap_err();
    assert_eq!(err.to_string(), "[WorkOS] Missing required config: apiKey");
    let err = ProviderConfig::from_json(&json!({"apiKey": "k", "clientId": ""}), no_env).unwrap_err();
    assert_eq!(err.to_string(), "[WorkOS] Missing required config: clientId");
    let err = ProviderConfig::from_json(&json!({"apiKey": "k", "clientId": "c"}), no_env).unwrap_err();
    assert_eq!(err.to_string(), "[WorkOS] Missing required config: baseURL");
    let err = ProviderConfig::from_json(&with(json!({"authkitDomain": null})), no_env).unwrap_err();
    assert_eq!(err.to_string(), "[WorkOS] Missing required config: authkitDomain");
    let err = ProviderConfig::from_json(&Value::Null, no_env).unwrap_err();
    assert_eq!(err.to_string(), "[WorkOS] Missing required config: apiKey");
  }

  #[test]
  fn derived_urls_follow_the_spec() {
    let cfg = ProviderConfig::from_json(&base(), no_env).unwrap();
    assert_eq!(cfg.base_url, "http://127.0.0.1:3002");
    assert_eq!(cfg.authkit_url, "https://acme.authkit.app");
    assert_eq!(cfg.resource_url(), "http://127.0.0.1:3002/mcp");
    assert_eq!(
      cfg.resource_metadata_url(),
      "http://127.0.0.1:3002/.well-known/oauth-protected-resource/mcp"
    );
    assert_eq!(cfg.jwks_url(), "https://acme.authkit.app/oauth2/jwks");
    assert_eq!(
      cfg.audiences,
      vec!["client_1".to_string(), "http://127.0.0.1:3002/mcp".to_string()]
    );
    assert_eq!(cfg.api.base_url, "https://api.workos.com");
  }

  #[test]
  fn authkit_domain_may_carry_a_scheme_for_local_use() {
    let cfg = ProviderConfig::from_json(&with(json!({"authkitDomain": "http://127.0.0.1:4000/"})), no_env).unwrap();
    assert_eq!(cfg.authkit_url, "http://127.0.0.1:4000");
    for bad in [
      "acme.authkit.app/path",
      "ftp://acme",
      "https://",
      "a b",
      "https://u:p@acme.app",
    ] {
      let err = ProviderConfig::from_json(&with(json!({ "authkitDomain": bad })), no_env).unwrap_err();
      assert!(
        err.to_string().starts_with("[WorkOS] Invalid config: authkitDomain"),
        "{bad}: {err}"
      );
    }
  }

  #[test]
  fn plaintext_authkit_is_only_for_loopback_hosts() {
    for ok in [
      "http://127.0.0.1:4000",
      "http://127.1.2.3",
      "http://localhost:4000",
      "http://[::1]:4000",
      "https://auth.example.com",
    ] {
      assert!(
        ProviderConfig::from_json(&with(json!({ "authkitDomain": ok })), no_env).is_ok(),
        "{ok}"
      );
    }
    for bad in [
      "http://auth.example.com",
      "http://10.0.0.1",
      "http://0.0.0.0",
      "http://localhost.example.com",
      "http://[::ffff:10.0.0.1]",
    ] {
      let err = ProviderConfig::from_json(&with(json!({ "authkitDomain": bad })), no_env).unwrap_err();
      assert!(
        err
          .to_string()
          .starts_with("[WorkOS] Invalid config: authkitDomain must use https"),
        "{bad}: {err}"
      );
    }
  }

  #[test]
  fn malformed_base_url_is_a_clear_error() {
    for bad in ["not a url", "127.0.0.1:3002", "ftp://x", "http://x/?q=1", "mailto:a@b"] {
      let err = ProviderConfig::from_json(&with(json!({ "baseURL": bad })), no_env).unwrap_err();
      assert!(
        err.to_string().starts_with("[WorkOS] Invalid config: baseURL"),
        "{bad}: {err}"
      );
    }
  }

  #[test]
  fn wrong_types_name_the_field() {
    let err = ProviderConfig::from_json(&with(json!({"apiKey": 42})), no_env).unwrap_err();
    assert_eq!(
      err.to_string(),
      "[WorkOS] Invalid config: apiKey must be a string, got a number"
    );
  }

  #[test]
  fn endpoint_and_audience_are_configurable() {
    let cfg =
      ProviderConfig::from_json(&with(json!({"endpoint": "/api/mcp/", "audience": ["a", "b"]})), no_env).unwrap();
    assert_eq!(cfg.endpoint, "/api/mcp");
    assert_eq!(cfg.audiences, vec!["a", "b"]);
    assert_eq!(
      cfg.resource_metadata_path(),
      "/.well-known/oauth-protected-resource/api/mcp"
    );
    for bad in [
      json!("mcp"),
      json!("/m?x"),
      json!("//evil"),
      json!("/m%63p"),
      json!("/:id"),
      json!("/mcp*"),
      json!("/a/../b"),
      json!("/mcé"),
      json!("/mcp//"),
      json!(5),
    ] {
      assert!(
        ProviderConfig::from_json(&with(json!({ "endpoint": bad })), no_env).is_err(),
        "{bad}"
      );
    }
    for (ok, normalised) in [("/", "/"), ("/mcp/", "/mcp"), ("/v1.0/mcp_x~y-z", "/v1.0/mcp_x~y-z")] {
      let cfg = ProviderConfig::from_json(&with(json!({ "endpoint": ok })), no_env).unwrap();
      assert_eq!(cfg.endpoint, normalised);
    }
    for bad in [json!([]), json!(""), json!([1]), json!(3)] {
      assert!(ProviderConfig::from_json(&with(json!({ "audience": bad })), no_env).is_err());
    }
  }

  #[test]
  fn api_location_config_wins_over_environment() {
    let env = |name: &str| match name {
      "WORKOS_API_HOSTNAME" => Some("env.example".to_string()),
      "WORKOS_API_PORT" => Some("8443".to_string()),
      "WORKOS_API_HTTPS" => Some("false".to_string()),
      _ => None,
    };
    let cfg = ProviderConfig::from_json(&base(), env).unwrap();
    assert_eq!(cfg.api.base_url, "http://env.example:8443");
    let cfg = ProviderConfig::from_json(
      &with(json!({"apiHostname": "127.0.0.1", "apiPort": 4000, "apiHttps": true})),
      env,
    )
    .unwrap();
    assert_eq!(cfg.api.base_url, "https://127.0.0.1:4000");
    let bad_env = |name: &str| (name == "WORKOS_API_PORT").then(|| "eighty".to_string());
    assert!(ProviderConfig::from_json(&base(), bad_env).is_err());
    assert!(ProviderConfig::from_json(&with(json!({"apiHostname": "http://x/y"})), no_env).is_err());
  }
}
