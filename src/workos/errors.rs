//! Why a WorkOS API call produced no HTTP answer to hand back. An answer with any status is not a
//! failure here: the SDK maps it to its exception class from its status and body.

/// A call that ended without a usable HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
  /// A request that is refused (not on the API's origin, a path segment that is empty, `.` or
  /// `..`, a bad header): nothing was sent. The glue throws it as a `TypeError`.
  #[error("{0}")]
  InvalidArgument(String),
  /// No answer: connection refused or reset, DNS, TLS. What failed, for `cause.cause`.
  #[error("{0}")]
  Network(String),
  /// The per-attempt timeout passed before the whole answer arrived.
  #[error("the request timed out")]
  Timeout,
  /// The answer's body is larger than the client reads.
  #[error("the response body is larger than {0} bytes")]
  TooLarge(usize),
  /// A failure of the client itself.
  #[error("internal error in the native client: {0}")]
  Internal(String),
}

impl Failure {
  /// The stable name the glue switches on.
  pub fn code(&self) -> &'static str {
    match self {
      Failure::InvalidArgument(_) => "invalid_argument",
      Failure::Network(_) => "network",
      Failure::Timeout => "timeout",
      Failure::TooLarge(_) => "too_large",
      Failure::Internal(_) => "internal",
    }
  }

  /// Whether another attempt may succeed (the transport retries these).
  pub fn is_transient(&self) -> bool {
    matches!(self, Failure::Network(_) | Failure::Timeout)
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn only_network_failures_and_timeouts_are_retried() {
    assert!(Failure::Network("refused".into()).is_transient());
    assert!(Failure::Timeout.is_transient());
    for fatal in [
      Failure::InvalidArgument("x".into()),
      Failure::TooLarge(1),
      Failure::Internal("x".into()),
    ] {
      assert!(!fatal.is_transient(), "{fatal:?}");
    }
    assert_eq!(
      Failure::TooLarge(16).to_string(),
      "the response body is larger than 16 bytes"
    );
  }
}
