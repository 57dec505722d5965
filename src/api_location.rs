//! Where the WorkOS REST API lives and how long one call may take: the one parser of that location,
//! for the provider config (`apiHostname`, `apiPort`, `apiHttps`, `apiTimeout`) and for the `WorkOS`
//! constructor (`new WorkOS(key, { apiHostname, port, https, timeout })`).
//!
//! Below both users (`config` and `workos`), so that neither reaches into the other.

use std::cell::RefCell;
use std::time::Duration;

use napi::bindgen_prelude::Either;
use reqwest::Url;
use serde_json::{Map, Value};

use crate::error::ConfigError;
use crate::options::{invalid, millis, Members};

const DEFAULT_API_HOSTNAME: &str = "api.workos.com";

/// Where the WorkOS REST API lives and how long one call may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiLocation {
  /// `https://api.workos.com` or whatever config / environment chose, without a trailing slash.
  pub base_url: String,
  pub timeout: Duration,
}

/// The option names of one source of the WorkOS API location.
pub struct ApiLocationFields {
  pub hostname: &'static str,
  pub port: &'static str,
  pub https: &'static str,
  pub timeout: &'static str,
}

/// The provider config's names (with `WORKOS_API_*` fallbacks from the environment).
pub const PROVIDER_API_FIELDS: ApiLocationFields = ApiLocationFields {
  hostname: "apiHostname",
  port: "apiPort",
  https: "apiHttps",
  timeout: "apiTimeout",
};

/// The `WorkOS` constructor's names (`new WorkOS(key, { apiHostname, port, https, timeout })`).
pub const CLIENT_API_FIELDS: ApiLocationFields = ApiLocationFields {
  hostname: "apiHostname",
  port: "port",
  https: "https",
  timeout: "timeout",
};

/// The location options as given (their types checked), before defaults and the environment.
#[derive(Debug, Clone, Default)]
pub struct LocationOptions {
  pub hostname: Option<String>,
  pub port: Option<Either<f64, String>>,
  pub https: Option<bool>,
  pub timeout: Option<f64>,
}

/// The `WorkOS` constructor's location: the members of `obj` named by `fields`, resolved.
pub fn parse_api_location(
  obj: &Map<String, Value>,
  env: &impl Fn(&str) -> Option<String>,
  fields: &ApiLocationFields,
) -> Result<ApiLocation, ConfigError> {
  let log = RefCell::new(Vec::new());
  let members = Members::root(obj, &log);
  let options = LocationOptions {
    hostname: members.string(fields.hostname)?,
    port: members.port(fields.port)?,
    https: members.boolean(fields.https)?,
    timeout: members.number(fields.timeout)?,
  };
  options.resolve(env, fields)
}

impl LocationOptions {
  /// The options over `WORKOS_API_HOSTNAME` / `WORKOS_API_PORT` / `WORKOS_API_HTTPS` (from `env`)
  /// over `https://api.workos.com`, and the timeout of one call (default 60 s). Mistakes are
  /// reported under the names in `fields`.
  pub fn resolve(
    &self,
    env: &impl Fn(&str) -> Option<String>,
    fields: &ApiLocationFields,
  ) -> Result<ApiLocation, ConfigError> {
    let env_nonempty = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let port_number = |raw: &str, from: &str| {
      raw.trim().parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
        invalid(
          fields.port,
          format!("{from}must be a port number from 1 to 65535, got {raw:?}"),
        )
      })
    };

    let hostname = match &self.hostname {
      Some(h) => h.clone(),
      None => env_nonempty("WORKOS_API_HOSTNAME").unwrap_or_else(|| DEFAULT_API_HOSTNAME.to_string()),
    };
    let hostname = hostname.trim().to_string();
    let host_ok = !hostname.is_empty()
      && hostname
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '[' | ']'));
    if !host_ok {
      return Err(invalid(
        fields.hostname,
        "must be a host name such as \"api.workos.com\" (no scheme or path)",
      ));
    }

    let port: Option<u16> = match &self.port {
      None => match env_nonempty("WORKOS_API_PORT") {
        None => None,
        Some(raw) => Some(port_number(&raw, "(from WORKOS_API_PORT) ")?),
      },
      Some(Either::B(raw)) => Some(port_number(raw, "")?),
      Some(Either::A(n)) => Some(port_number(&n.to_string(), "")?),
    };

    let https = match self.https {
      Some(b) => b,
      None => match env_nonempty("WORKOS_API_HTTPS") {
        None => true,
        Some(raw) => match raw.trim().to_ascii_lowercase().as_str() {
          "true" | "1" | "yes" => true,
          "false" | "0" | "no" => false,
          _ => {
            return Err(invalid(
              fields.https,
              format!("(from WORKOS_API_HTTPS={raw:?}) must be true or false"),
            ))
          }
        },
      },
    };

    let scheme = if https { "https" } else { "http" };
    let base_url = match port {
      Some(p) => format!("{scheme}://{hostname}:{p}"),
      None => format!("{scheme}://{hostname}"),
    };
    Url::parse(&base_url).map_err(|e| invalid(fields.hostname, format!("does not form a valid URL ({e})")))?;
    let timeout = millis(self.timeout, fields.timeout, 1, 600_000)?.unwrap_or(Duration::from_secs(60));
    Ok(ApiLocation { base_url, timeout })
  }
}
