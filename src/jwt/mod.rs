//! AuthKit access-token verification: the bearer header, the token, its keys and its claims.

pub mod b64;
pub mod bearer;
pub mod claims;
pub mod jwks;
pub mod session;
pub mod token_cache;
pub mod verify;

/// Why a token was not accepted. Expected outcomes, carried as data to the glue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
  /// The `exp` claim has passed (beyond the leeway): the client should refresh.
  Expired,
  /// Anything else wrong with the token; the reason is for logs and tests, never sent to clients.
  Invalid(Reason),
  /// No signing keys could ever be obtained from AuthKit: the server cannot judge the token.
  Unavailable,
  /// The token's `kid` is not in the keys we hold, the token may be newer than them, and no
  /// download may start now: retry after this many seconds, when one will have run.
  KeyPending { retry_after: u32 },
}

/// The longest `Retry-After` a [`Rejection::KeyPending`] carries (the longest `jwks.cooldownMs`).
pub const MAX_RETRY_AFTER: u32 = 3600;

macro_rules! reasons {
  ($($variant:ident = $text:literal,)*) => {
    /// What exactly was wrong with an invalid token (`invalid_token` to the client either way).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Reason {
      $($variant,)*
    }

    impl Reason {
      /// Every reason, in a fixed order (the glue learns the order once, at start-up).
      pub const ALL: &'static [Reason] = &[$(Reason::$variant,)*];

      /// The reason's stable name, as tests and logs see it.
      pub fn as_str(self) -> &'static str {
        match self {
          $(Reason::$variant => $text,)*
        }
      }
    }
  };
}

reasons! {
  TokenTooLarge = "token_too_large",
  NotAJws = "not_a_jws",
  MalformedHeader = "malformed_header",
  AlgorithmNotAllowed = "algorithm_not_allowed",
  CritNotSupported = "crit_not_supported",
  B64NotSupported = "b64_not_supported",
  MalformedKid = "malformed_kid",
  UnknownKey = "unknown_key",
  MalformedSignature = "malformed_signature",
  BadSignature = "bad_signature",
  MalformedPayload = "malformed_payload",
  IssuerMismatch = "issuer_mismatch",
  AudienceMismatch = "audience_mismatch",
  MissingSub = "missing_sub",
  MissingSid = "missing_sid",
  MachineNotAllowed = "machine_not_allowed",
  MissingExp = "missing_exp",
  ExpNotANumber = "exp_not_a_number",
  NbfNotANumber = "nbf_not_a_number",
  IatNotANumber = "iat_not_a_number",
  NotYetValid = "not_yet_valid",
  IssuedInTheFuture = "issued_in_the_future",
}
