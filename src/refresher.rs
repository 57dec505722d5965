//! A value fetched from upstream and refreshed with single flight: at most one fetch runs at a time,
//! and callers that arrive while it runs wait for its result instead of starting their own.
//!
//! Both AuthKit caches (the JWKS and the authorization-server metadata) are built on this. A failed
//! fetch never discards the last good value. Whether to fetch is decided by the caller *under the
//! fetch lock*, from the state left by any fetch it waited for, so a decision never rests on a
//! stale view.

use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A consistent view of the cache at one moment.
pub struct Snapshot<T> {
  pub value: Option<Arc<T>>,
  /// When the fetch of the current value started (a fetch that confirmed the value, such as a
  /// `304 Not Modified`, counts as fetching it again).
  pub fetched_at: Option<Instant>,
  /// `fetched_at` on the wall clock (Unix seconds), to compare with times that tokens carry.
  pub fetched_unix: Option<f64>,
  /// When the last fetch (successful or not) started.
  pub last_attempt: Option<Instant>,
  /// Why the last fetch failed, if it did.
  pub last_error: Option<String>,
  /// When the last fetch *ended* in failure; `None` once a fetch succeeds. Retry windows are
  /// measured from here: a window measured from the start of a fetch that hung for longer than
  /// the window would already be over when its callers are answered.
  pub failed_at: Option<Instant>,
  /// Bumped by every finished fetch; tells a waiter whether someone fetched while it waited.
  pub generation: u64,
}

impl<T> Clone for Snapshot<T> {
  fn clone(&self) -> Self {
    Snapshot {
      value: self.value.clone(),
      fetched_at: self.fetched_at,
      fetched_unix: self.fetched_unix,
      last_attempt: self.last_attempt,
      last_error: self.last_error.clone(),
      failed_at: self.failed_at,
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

  /// True unless the last fetch failed less than `interval` before `now` (measured from the end of
  /// that fetch).
  pub fn retry_allowed(&self, interval: Duration, now: Instant) -> bool {
    self
      .failed_at
      .is_none_or(|at| now.saturating_duration_since(at) >= interval)
  }
}

/// After a failed fetch with no value at all, callers are answered from that failure for this long
/// (counted from the end of the failed fetch) before the next fetch is tried, so an upstream outage
/// does not turn every request into a wait: during a cold outage a request waits at most for the
/// one fetch in flight (its timeout), and the process makes one fetch per timeout + `COLD_RETRY`.
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
        fetched_unix: None,
        last_attempt: None,
        last_error: None,
        failed_at: None,
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
  /// take a budget (see the JWKS cache) without racing other callers. `fetch` gets the current
  /// value (to revalidate it: it may answer with that same value).
  pub async fn refresh_when<E, F, Fut>(&self, decide: impl FnOnce(&Snapshot<T>) -> bool, fetch: F) -> Snapshot<T>
  where
    E: std::fmt::Display,
    F: FnOnce(Option<Arc<T>>) -> Fut,
    Fut: Future<Output = Result<Arc<T>, E>>,
  {
    let _guard = self.fetch_lock.lock().await;
    let current = self.snapshot();
    if !decide(&current) {
      return current;
    }
    let started = Instant::now();
    let started_unix = SystemTime::now()
      .duration_since(UNIX_EPOCH)
      .map_or(0.0, |d| d.as_secs_f64());
    self.update(|s| s.last_attempt = Some(started));
    let result = fetch(current.value).await;
    self.update(|s| {
      match result {
        Ok(value) => {
          s.value = Some(value);
          s.fetched_at = Some(started);
          s.fetched_unix = Some(started_unix);
          s.last_error = None;
          s.failed_at = None;
        }
        Err(e) => {
          s.last_error = Some(e.to_string());
          s.failed_at = Some(Instant::now());
        }
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
    F: FnOnce(Option<Arc<T>>) -> Fut,
    Fut: Future<Output = Result<Arc<T>, E>>,
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
          .refresh(0, true, |_| async {
            fetches.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok::<_, String>(Arc::new(7))
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
    let snap = cell.refresh(0, true, |_| async { Ok::<_, String>(Arc::new(1)) }).await;
    let snap = cell
      .refresh(snap.generation, true, |_| async {
        Err::<Arc<u32>, _>("down".to_string())
      })
      .await;
    assert_eq!(snap.value.as_deref(), Some(&1));
    assert_eq!(snap.last_error.as_deref(), Some("down"));
    assert!(snap.failed_at.is_some());
    assert_eq!(snap.generation, 2);
    let snap = cell
      .refresh(snap.generation, true, |_| async { Ok::<_, String>(Arc::new(2)) })
      .await;
    assert!(snap.failed_at.is_none(), "a success clears the failure");
  }

  #[tokio::test]
  async fn the_retry_window_counts_from_the_end_of_a_failed_fetch() {
    let cell = Refresher::<u32>::default();
    let snap = cell
      .refresh(0, true, |_| async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        Err::<Arc<u32>, _>("hung".to_string())
      })
      .await;
    let now = Instant::now();
    assert!(
      snap.attempt_allowed(Duration::from_millis(200), now),
      "the attempt started 300 ms ago"
    );
    assert!(
      !snap.retry_allowed(Duration::from_millis(200), now),
      "but it failed just now"
    );
  }

  #[tokio::test]
  async fn refresh_without_permission_does_not_fetch() {
    let cell = Refresher::<u32>::default();
    let snap = cell.refresh(0, false, |_| async { Ok::<_, String>(Arc::new(1)) }).await;
    assert!(snap.value.is_none());
    assert!(snap.last_attempt.is_none());
  }
}
