//! Errors that cross into JavaScript as thrown exceptions.
//!
//! Expected outcomes (a rejected token, a WorkOS API error) are *data* and live next to the code that
//! produces them (`jwt::Rejection`, a WorkOS API answer). This enum is only for misuse (bad config) and
//! for failures of the addon itself.

/// A configuration problem, reported once at startup with a message that says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
  /// A required field is absent or empty. The message is the original package's, word for word.
  #[error("[WorkOS] Missing required config: {0}")]
  Missing(&'static str),
  /// A field is present but unusable.
  #[error("[WorkOS] Invalid config: {field} {reason}")]
  Invalid { field: &'static str, reason: String },
}

impl From<ConfigError> for napi::Error {
  fn from(err: ConfigError) -> Self {
    napi::Error::new(napi::Status::InvalidArg, err.to_string())
  }
}

static PANIC_LOGGED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Replaces Rust's default panic output: the first panic in the process is logged once, with its
/// message and location; later ones are silent so a hot failure cannot flood the logs. Every panic is
/// caught at the napi boundary and answered as `server_error`, so none reaches Node.
pub fn install_panic_hook() {
  std::panic::set_hook(Box::new(|info| {
    if !PANIC_LOGGED.swap(true, std::sync::atomic::Ordering::Relaxed) {
      eprintln!(
        "[WorkOS] internal error in the native addon: {info}. The request was answered with server_error; \
         further internal errors are not logged. Please report this."
      );
    }
  }));
}

/// Records that `what` failed internally (its panic was caught at the boundary).
pub fn note_internal_failure(what: &str) {
  if !PANIC_LOGGED.swap(true, std::sync::atomic::Ordering::Relaxed) {
    eprintln!("[WorkOS] internal error in the native addon ({what}); answered with server_error.");
  }
}

/// The panic boundary of a synchronous entry point: runs `work`, and answers `fallback()` (noting
/// the failure once) if it panics, so no Rust panic crosses into Node.
pub fn guarded<T>(what: &str, fallback: impl FnOnce() -> T, work: impl FnOnce() -> T) -> T {
  std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|_| {
    note_internal_failure(what);
    fallback()
  })
}

/// The panic boundary of an asynchronous entry point: runs `work` on a task of its own (a panic
/// ends only that task), and answers `fallback()` (noting the failure once) if it panics.
pub async fn guarded_async<T: Send + 'static>(
  what: &str,
  fallback: impl FnOnce() -> T,
  work: impl std::future::Future<Output = T> + Send + 'static,
) -> T {
  match tokio::spawn(work).await {
    Ok(value) => value,
    Err(_) => {
      note_internal_failure(what);
      fallback()
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn a_panic_at_a_sync_boundary_is_its_fallback() {
    assert_eq!(guarded("test", || 0, || 7), 7);
    assert_eq!(guarded("test", || 0, || -> i32 { panic!("boom") }), 0);
  }

  #[tokio::test]
  async fn a_panic_at_an_async_boundary_is_its_fallback() {
    assert_eq!(guarded_async("test", || 0, async { 7 }).await, 7);
    assert_eq!(guarded_async("test", || 0, async { panic!("boom") }).await, 0);
  }
}
