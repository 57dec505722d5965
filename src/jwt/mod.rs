//! AuthKit access-token verification: the bearer header, the token, its keys and its claims.

pub mod b64;
pub mod bearer;
pub mod claims;
pub mod jwks;
pub mod token_cache;
pub mod verify;

/// Why a token was not accepted. Expected outcomes, carried as data to the glue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
  /// The `exp` claim has passed (beyond the leeway): the client should refresh.
  Expired,
  /// Anything else wrong with the token; the reason is for logs and tests, never sent to clients.
  Invalid(&'static str),
  /// No signing keys could ever be obtained from AuthKit: the server cannot judge the token.
  Unavailable,
}
