//! A value fetched from upstream and refreshed with single flight: at most one fetch runs at a time,
//! and callers that arrive while it runs wait for its result instead of starting their own.
//!
//! Both AuthKit caches (the JWKS and the authorization-server metadata) are built on this. A failed
//! fetch never discards the last good value. Whether to fetch is decided by the caller *under the
//! fetch lock*, from the state left by any fetch it waited for, so a decision never rests on a
//! stale view.

use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// A consistent view of the cache at one moment.
pub struct Snapshot<T> {
  pub value: Option<Arc<T>>,
  /// When the current value was fetched.
  pub fetched_at: Option<Instant>,
  /// When the last fetch (successful or not) started.
  pub last_attempt: Option<Instant>,
  /// Why the last fetch failed, if it did.
  pub last_error: Option<String>,
  /// Bumped by every finished fetch; tells a waiter whether someone fetched while it waited.
  pub generation: u64,
}

impl<T> Clone for Snapshot<T> {
  fn clone(&self) -> Self {
    Snapshot {
      value: self.value.clone(),
      fetched_at: self.fetched_at,
      last_attempt: self.last_attempt,
      last_error: self.last_error.clone(),
      generation: self.generation,
    }
  }
}

impl<T> Snapshot<T> {
  /// True when there is no value or it is older than `max_age`.
  pub fn is_stale(&self, max_age: Duration, now: Instant) -> bool {
    self
      .fetched_at
      .is_none_or(|at| now.saturating_duration_since(at) >= max_age)
  }

  /// True when no fetch started within the last `interval`.
  pub fn attempt_allowed(&self, interval: Duration, now: Instant) -> bool {
    self
      .last_attempt
      .is_none_or(|at| now.saturating_duration_since(at) >= interval)
  }
}

/// After a failed fetch with no value at all, callers are answered from that failure for this long
/// before the next fetch is tried, so an upstream outage does not turn every request into a wait.
pub const COLD_RETRY: Duration = Duration::from_secs(2);

pub struct Refresher<T> {
  state: RwLock<Snapshot<T>>,
  fetch_lock: tokio::sync::Mutex<()>,
}

impl<T> Default for Refresher<T> {
  fn default() -> Self {
    Refresher {
      state: RwLock::new(Snapshot {
        value: None,
        fetched_at: None,
        last_attempt: None,
        last_error: None,
        generation: 0,
      }),
      fetch_lock: tokio::sync::Mutex::new(()),
    }
  }
}

impl<T> Refresher<T> {
  pub fn snapshot(&self) -> Snapshot<T> {
    // A poisoned lock only means a panic happened elsewhere while holding it; the data is still a
    // valid snapshot (every write is a single assignment), so keep serving.
    self.state.read().unwrap_or_else(|e| e.into_inner()).clone()
  }

  fn update(&self, f: impl FnOnce(&mut Snapshot<T>)) {
    f(&mut self.state.write().unwrap_or_else(|e| e.into_inner()));
  }

  /// True while a fetch is running.
  pub fn is_fetching(&self) -> bool {
    self.fetch_lock.try_lock().is_err()
  }

  /// Waits for any fetch in flight, then asks `decide` (with the state that fetch left) whether to
  /// fetch now; returns the state after that. `decide` runs under the fetch lock, so it may also
  /// take a budget (see the JWKS cache) without racing other callers.
  pub async fn refresh_when<E, F, Fut>(&self, decide: impl FnOnce(&Snapshot<T>) -> bool, fetch: F) -> Snapshot<T>
  where
    E: std::fmt::Display,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<T, E>>,
  {
    let _guard = self.fetch_lock.lock().await;
    let current = self.snapshot();
    if !decide(&current) {
      return current;
    }
    let started = Instant::now();
    self.update(|s| s.last_attempt = Some(started));
    let result = fetch().await;
    self.update(|s| {
      match result {
        Ok(value) => {
          s.value = Some(Arc::new(value));
          s.fetched_at = Some(started);
          s.last_error = None;
        }
        Err(e) => s.last_error = Some(e.to_string()),
      }
      s.generation += 1;
    });
    self.snapshot()
  }

  /// [`Refresher::refresh_when`] for callers that saw generation `seen`: fetches when nobody
  /// fetched since and `may_fetch` allows it.
  pub async fn refresh<E, F, Fut>(&self, seen: u64, may_fetch: bool, fetch: F) -> Snapshot<T>
  where
    E: std::fmt::Display,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<T, E>>,
  {
    self
      .refresh_when(|current| may_fetch && current.generation == seen, fetch)
      .await
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::sync::atomic::{AtomicUsize, Ordering};

  #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
  async fn concurrent_callers_share_one_fetch() {
    let cell = Arc::new(Refresher::<u32>::default());
    let fetches = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..50 {
      let (cell, fetches) = (cell.clone(), fetches.clone());
      tasks.push(tokio::spawn(async move {
        cell
          .refresh(0, true, || async {
            fetches.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok::<_, String>(7)
          })
          .await
      }));
    }
    for t in tasks {
      assert_eq!(t.await.unwrap().value.as_deref(), Some(&7));
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
  }

  #[tokio::test]
  async fn a_failed_fetch_keeps_the_last_good_value() {
    let cell = Refresher::<u32>::default();
    let snap = cell.refresh(0, true, || async { Ok::<_, String>(1) }).await;
    let snap = cell
      .refresh(snap.generation, true, || async { Err::<u32, _>("down".to_string()) })
      .await;
    assert_eq!(snap.value.as_deref(), Some(&1));
    assert_eq!(snap.last_error.as_deref(), Some("down"));
    assert_eq!(snap.generation, 2);
  }

  #[tokio::test]
  async fn refresh_without_permission_does_not_fetch() {
    let cell = Refresher::<u32>::default();
    let snap = cell.refresh(0, false, || async { Ok::<_, String>(1) }).await;
    assert!(snap.value.is_none());
    assert!(snap.last_attempt.is_none());
  }
}
