//! Values loaded once per key and reused for a while, with single flight: callers asking while a load
//! runs wait for its result instead of starting their own. A failed load is handed to the callers
//! that waited for it, then forgotten, so the next caller tries again.
//!
//! Roles and permissions read from WorkOS (`authz::directory`) and exchanged tokens (`connect`) are
//! kept this way.

use std::future::Future;
use std::hash::Hash;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lru::LruCache;

/// How long lookups are reused and how many are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachePolicy {
  pub max_age: Duration,
  pub max_entries: usize,
}

impl Default for CachePolicy {
  fn default() -> Self {
    CachePolicy {
      max_age: Duration::from_secs(60),
      max_entries: 10_000,
    }
  }
}

/// A loaded value, or why it could not be loaded.
pub type Loaded<V, E = String> = Result<Arc<V>, E>;

struct Slot<V, E> {
  created: Instant,
  value: tokio::sync::OnceCell<Loaded<V, E>>,
}

/// Values loaded once per key and reused for `max_age`; callers asking while a load runs wait for
/// it. Failures are handed to the callers that waited for them, then forgotten.
pub struct Memo<K, V, E = String> {
  slots: Mutex<LruCache<K, Arc<Slot<V, E>>>>,
  max_age: Duration,
}

impl<K: Hash + Eq + Clone, V, E: Clone> Memo<K, V, E> {
  pub fn new(policy: CachePolicy) -> Self {
    let capacity = NonZeroUsize::new(policy.max_entries.max(1)).unwrap_or(NonZeroUsize::MIN);
    Memo {
      slots: Mutex::new(LruCache::new(capacity)),
      max_age: if policy.max_entries == 0 {
        Duration::ZERO
      } else {
        policy.max_age
      },
    }
  }

  fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<K, Arc<Slot<V, E>>>> {
    self.slots.lock().unwrap_or_else(|e| e.into_inner())
  }

  pub async fn get<F, Fut>(&self, key: &K, load: F) -> Loaded<V, E>
  where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<V, E>>,
  {
    self.get_fresh(key, |_| true, load).await
  }

  /// [`Memo::get`], where a loaded value is also replaced once `fresh` says it is not.
  pub async fn get_fresh<F, Fut>(&self, key: &K, fresh: impl Fn(&V) -> bool, load: F) -> Loaded<V, E>
  where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<V, E>>,
  {
    let usable = |slot: &Slot<V, E>| match slot.value.get() {
      None => true, // still loading: wait for it
      Some(Ok(value)) => slot.created.elapsed() < self.max_age && fresh(value),
      Some(Err(_)) => false,
    };
    let slot = {
      let mut slots = self.lock();
      match slots.get(key) {
        Some(slot) if usable(slot) => slot.clone(),
        _ => {
          let slot = Arc::new(Slot {
            created: Instant::now(),
            value: tokio::sync::OnceCell::new(),
          });
          slots.put(key.clone(), slot.clone());
          slot
        }
      }
    };
    let result = slot
      .value
      .get_or_init(|| async { load().await.map(Arc::new) })
      .await
      .clone();
    if result.is_err() {
      let mut slots = self.lock();
      if slots.peek(key).is_some_and(|current| Arc::ptr_eq(current, &slot)) {
        slots.pop(key);
      }
    }
    result
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::sync::atomic::{AtomicUsize, Ordering};

  #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
  async fn a_burst_shares_one_load_and_failures_are_not_kept() {
    let memo = Arc::new(Memo::<u32, u32>::new(CachePolicy::default()));
    let loads = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..50 {
      let (memo, loads) = (memo.clone(), loads.clone());
      tasks.push(tokio::spawn(async move {
        memo
          .get(&1, || async {
            loads.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok(7)
          })
          .await
      }));
    }
    for task in tasks {
      assert_eq!(*task.await.unwrap().unwrap(), 7);
    }
    assert_eq!(loads.load(Ordering::SeqCst), 1);

    let failed = memo.get(&2, || async { Err::<u32, _>("down".to_string()) }).await;
    assert_eq!(failed.unwrap_err(), "down");
    let retried = memo.get(&2, || async { Ok(3) }).await;
    assert_eq!(*retried.unwrap(), 3, "the failure was not kept");
  }

  #[tokio::test]
  async fn entries_expire() {
    let memo = Memo::<u32, u32>::new(CachePolicy {
      max_age: Duration::from_millis(20),
      max_entries: 10,
    });
    assert_eq!(*memo.get(&1, || async { Ok(1) }).await.unwrap(), 1);
    assert_eq!(*memo.get(&1, || async { Ok(2) }).await.unwrap(), 1);
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert_eq!(*memo.get(&1, || async { Ok(3) }).await.unwrap(), 3);
  }
}
