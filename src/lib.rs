//! `@xmcp-dev/workos` native core: AuthKit access-token verification, the OAuth discovery documents
//! and the WorkOS API client, exposed to the JavaScript glue (`index.js`) through napi-rs.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod api_location;
mod authz;
mod config;
mod connect;
mod error;
mod guard;
mod http;
mod jwt;
mod memo;
mod metadata;
mod options;
mod provider;
mod refresher;
mod workos;

#[cfg(feature = "fuzzing")]
pub mod fuzzing;

pub use options::{
  option_paths, ConnectOptions, JwksOptions, MetadataOptions, PermissionCacheOptions, ProviderOptions,
  TokenCacheOptions, ToolPolicy,
};
pub use provider::{GuardRule, NativeProvider, Rejected, RouterInfo};
pub use workos::{NativeWorkOS, Reply, Request};

#[napi_derive::module_init]
fn init() {
  error::install_panic_hook();
}
