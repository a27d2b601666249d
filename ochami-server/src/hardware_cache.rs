//! Rendered hardware answers, kept while the store's hardware generation
//! ([`ochami_store::InventoryStore::hardware_generation`]) stays the same.
//!
//! SMD's commonest hardware read is one type across the machine (`?type=NodeAccel`: every
//! GPU), tens of megabytes at 20,000 nodes that take the database hundreds of milliseconds
//! to gather, while the inventory itself changes only when something is discovered or
//! posted. Each answer is kept with the generation it was read under and its `ETag`; a
//! request reads the generation (one row) and gets the kept bytes when it has not moved.
//! The generation lives in the database, so several servers on one Postgres never answer
//! from a view older than the last write any of them made.
//!
//! - **Correct by ordering:** the generation is read before the records, so an answer is
//!   never kept under a generation newer than what it shows, and a request is answered
//!   with one read at its own generation or a later one (the number only grows).
//! - **One rendering at a time per answer:** requests for an answer being rendered wait
//!   for it instead of each gathering the same records.
//! - **Bounded:** the kept bytes stay under a budget (least recently used answers go
//!   first); an answer larger than the whole budget is answered and not kept.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::problem::ApiError;

/// How many answers are kept at most, whatever their size (a bound on the map of keys,
/// which any query string can add to).
const MAX_ANSWERS: usize = 256;

/// A JSON answer with its strong `ETag`.
#[derive(Clone)]
pub(crate) struct JsonAnswer {
    body: Bytes,
    etag: HeaderValue,
}

impl JsonAnswer {
    /// `text` as an answer, tagged with a hash of its bytes.
    pub(crate) fn new(text: String) -> Self {
        let body = Bytes::from(text);
        let tag = crate::ui::tag_for(&body);
        let etag = HeaderValue::from_str(&tag).expect("a quoted hex digest is a header value");
        JsonAnswer { body, etag }
    }
}

impl IntoResponse for JsonAnswer {
    fn into_response(self) -> Response {
        let json = HeaderValue::from_static("application/json");
        (
            [(header::CONTENT_TYPE, json), (header::ETAG, self.etag)],
            self.body,
        )
            .into_response()
    }
}

/// One key's kept answer.
#[derive(Default)]
struct Slot {
    /// The answer and the generation it was read under; locked while rendering, so the
    /// requests that find it stale wait for one rendering.
    kept: Arc<tokio::sync::Mutex<Option<(u64, JsonAnswer)>>>,
    /// Bytes kept in `kept` (read without its lock when making room).
    bytes: AtomicUsize,
    /// The cache's clock at the last use.
    used: AtomicU64,
}

/// Rendered answers by request (path and query), each valid for one hardware generation.
pub(crate) struct HardwareCache {
    budget: usize,
    slots: Mutex<HashMap<String, Arc<Slot>>>,
    kept: AtomicUsize,
    clock: AtomicU64,
}

impl HardwareCache {
    /// A cache keeping at most `budget` bytes of answers; 0 keeps nothing.
    pub(crate) fn new(budget: usize) -> Self {
        HardwareCache {
            budget,
            slots: Mutex::new(HashMap::new()),
            kept: AtomicUsize::new(0),
            clock: AtomicU64::new(0),
        }
    }

    /// The answer for `key` at `generation` (`None`: the store cannot tell, keep nothing):
    /// the kept one when it was read under the same generation, else `render`'s, kept for
    /// the next request when it fits.
    pub(crate) async fn answer<F>(
        &self,
        key: String,
        generation: Option<u64>,
        render: F,
    ) -> Result<JsonAnswer, ApiError>
    where
        F: Future<Output = Result<String, ApiError>>,
    {
        let Some(generation) = generation.filter(|_| self.budget > 0) else {
            return render.await.map(JsonAnswer::new);
        };
        // A slot can be evicted between taking it from the map and locking it; only one
        // still in the map is used (nothing removes a slot while its lock is held), so the
        // bytes it keeps are always counted and always evictable.
        let (slot, mut kept) = loop {
            let slot = self.slot(&key);
            let kept = Arc::clone(&slot.kept).lock_owned().await;
            if self.is_in_map(&key, &slot) {
                break (slot, kept);
            }
        };
        slot.used.store(
            self.clock.fetch_add(1, Ordering::Relaxed),
            Ordering::Relaxed,
        );
        // The generation only grows: an answer read at a later generation than this
        // request's is at least as new as the request (and one rendering serves every
        // request that queued behind it).
        if let Some((g, answer)) = kept.as_ref()
            && *g >= generation
        {
            return Ok(answer.clone());
        }
        let answer = match render.await {
            Ok(text) => JsonAnswer::new(text),
            Err(e) => {
                drop(kept);
                self.forget_if_empty(&key, &slot);
                return Err(e);
            }
        };
        let size = answer.body.len();
        let old = slot.bytes.swap(0, Ordering::Relaxed);
        self.kept.fetch_sub(old, Ordering::Relaxed);
        if size <= self.budget {
            *kept = Some((generation, answer.clone()));
            slot.bytes.store(size, Ordering::Relaxed);
            self.kept.fetch_add(size, Ordering::Relaxed);
        } else {
            *kept = None;
        }
        drop(kept);
        if size > self.budget {
            self.forget_if_empty(&key, &slot);
        }
        self.make_room(&key);
        Ok(answer)
    }

    /// Whether keeping answers is on (a budget above 0): when off, callers need not read
    /// the generation at all.
    pub(crate) fn enabled(&self) -> bool {
        self.budget > 0
    }

    /// Whether `slot` is still the map's slot for `key`.
    fn is_in_map(&self, key: &str, slot: &Arc<Slot>) -> bool {
        let slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots.get(key).is_some_and(|s| Arc::ptr_eq(s, slot))
    }

    /// `key`'s slot, made when absent.
    fn slot(&self, key: &str) -> Arc<Slot> {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(s) = slots.get(key) {
            return Arc::clone(s);
        }
        let s = Arc::new(Slot::default());
        slots.insert(key.to_owned(), Arc::clone(&s));
        s
    }

    /// Drop `key`'s slot when it keeps nothing and is not being rendered.
    fn forget_if_empty(&self, key: &str, slot: &Arc<Slot>) {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let idle = slot.kept.try_lock().is_ok_and(|k| k.is_none());
        if idle && slots.get(key).is_some_and(|s| Arc::ptr_eq(s, slot)) {
            slots.remove(key);
        }
    }

    /// Evict the least recently used answers (never `keep`'s, never one being rendered)
    /// until the kept bytes fit the budget and the answers fit [`MAX_ANSWERS`]. Each answer
    /// is tried once: one being rendered is skipped, and its renderer makes room when done.
    fn make_room(&self, keep: &str) {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let over = |slots: &HashMap<String, Arc<Slot>>| {
            self.kept.load(Ordering::Relaxed) > self.budget || slots.len() > MAX_ANSWERS
        };
        if !over(&slots) {
            return;
        }
        let mut by_age: Vec<(u64, String)> = slots
            .iter()
            .filter(|(k, _)| k.as_str() != keep)
            .map(|(k, s)| (s.used.load(Ordering::Relaxed), k.clone()))
            .collect();
        by_age.sort_unstable();
        for (_, key) in by_age {
            if !over(&slots) {
                break;
            }
            let Some(slot) = slots.get(&key).map(Arc::clone) else {
                continue;
            };
            let Ok(mut kept) = slot.kept.try_lock() else {
                continue;
            };
            *kept = None;
            self.kept
                .fetch_sub(slot.bytes.swap(0, Ordering::Relaxed), Ordering::Relaxed);
            drop(kept);
            slots.remove(&key);
        }
    }

    /// Bytes kept now.
    #[cfg(test)]
    fn kept_bytes(&self) -> usize {
        self.kept.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;

    async fn render(calls: &AtomicUsize, text: &str) -> Result<String, ApiError> {
        calls.fetch_add(1, Ordering::SeqCst);
        Ok(text.to_owned())
    }

    fn body(a: &JsonAnswer) -> &[u8] {
        &a.body
    }

    #[tokio::test]
    async fn kept_while_the_generation_holds_rendered_again_when_it_moves() {
        let cache = HardwareCache::new(1024);
        let calls = AtomicUsize::new(0);
        let a = cache
            .answer("k".into(), Some(1), render(&calls, "[1]"))
            .await;
        let b = cache
            .answer("k".into(), Some(1), render(&calls, "[2]"))
            .await;
        assert_eq!(body(&a.unwrap()), b"[1]");
        assert_eq!(
            body(&b.unwrap()),
            b"[1]",
            "same generation: the kept answer"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let c = cache
            .answer("k".into(), Some(2), render(&calls, "[3]"))
            .await;
        assert_eq!(body(&c.unwrap()), b"[3]", "a moved generation renders anew");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        let d = cache
            .answer("k".into(), Some(1), render(&calls, "[old]"))
            .await;
        assert_eq!(
            body(&d.unwrap()),
            b"[3]",
            "a request older than the kept answer"
        );
        assert_eq!(
            calls.load(Ordering::SeqCst),
            2,
            "is served it, not an older rendering"
        );
        assert_eq!(cache.kept_bytes(), 3);
    }

    #[tokio::test]
    async fn no_generation_or_no_budget_keeps_nothing() {
        let calls = AtomicUsize::new(0);
        let cache = HardwareCache::new(1024);
        for _ in 0..2 {
            cache
                .answer("k".into(), None, render(&calls, "[]"))
                .await
                .unwrap();
        }
        let off = HardwareCache::new(0);
        for _ in 0..2 {
            off.answer("k".into(), Some(1), render(&calls, "[]"))
                .await
                .unwrap();
        }
        assert_eq!(calls.load(Ordering::SeqCst), 4);
        assert_eq!(cache.kept_bytes() + off.kept_bytes(), 0);
    }

    #[tokio::test]
    async fn errors_are_not_kept() {
        let cache = HardwareCache::new(1024);
        let failed = cache
            .answer("k".into(), Some(1), async {
                Err(ApiError::not_found("gone".to_owned()))
            })
            .await;
        assert!(failed.is_err());
        let calls = AtomicUsize::new(0);
        let ok = cache
            .answer("k".into(), Some(1), render(&calls, "[]"))
            .await;
        assert_eq!(body(&ok.unwrap()), b"[]");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn the_budget_evicts_the_least_recently_used_and_skips_what_cannot_fit() {
        let cache = HardwareCache::new(10);
        let calls = AtomicUsize::new(0);
        for key in ["a", "b"] {
            cache
                .answer(key.into(), Some(1), render(&calls, "12345"))
                .await
                .unwrap();
        }
        // `a` is used again, so `b` is the one to go when `c` arrives.
        cache
            .answer("a".into(), Some(1), render(&calls, "12345"))
            .await
            .unwrap();
        cache
            .answer("c".into(), Some(1), render(&calls, "12345"))
            .await
            .unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!(cache.kept_bytes(), 10);
        cache
            .answer("a".into(), Some(1), render(&calls, "12345"))
            .await
            .unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 3, "a was kept");
        cache
            .answer("b".into(), Some(1), render(&calls, "12345"))
            .await
            .unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 4, "b was evicted");
        let big = cache
            .answer("d".into(), Some(1), render(&calls, "0123456789ab"))
            .await;
        assert_eq!(body(&big.unwrap()), b"0123456789ab", "too big: answered");
        assert!(cache.kept_bytes() <= 10, "and not kept");
    }

    #[tokio::test]
    async fn concurrent_requests_for_a_stale_answer_render_it_once() {
        let cache = Arc::new(HardwareCache::new(1024));
        let calls = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let first = {
            let (cache, calls) = (Arc::clone(&cache), Arc::clone(&calls));
            tokio::spawn(async move {
                cache
                    .answer("k".into(), Some(7), async move {
                        calls.fetch_add(1, Ordering::SeqCst);
                        rx.await.ok();
                        Ok("[7]".to_owned())
                    })
                    .await
            })
        };
        while calls.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        let second = {
            let (cache, calls) = (Arc::clone(&cache), Arc::clone(&calls));
            tokio::spawn(async move {
                cache
                    .answer("k".into(), Some(7), async move {
                        calls.fetch_add(1, Ordering::SeqCst);
                        Ok("[other]".to_owned())
                    })
                    .await
            })
        };
        tokio::task::yield_now().await;
        tx.send(()).unwrap();
        assert_eq!(body(&first.await.unwrap().unwrap()), b"[7]");
        assert_eq!(body(&second.await.unwrap().unwrap()), b"[7]");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn an_answer_being_rendered_is_never_evicted_and_room_is_made_after() {
        let cache = Arc::new(HardwareCache::new(10));
        let calls = AtomicUsize::new(0);
        cache
            .answer("a".into(), Some(1), render(&calls, "12345678"))
            .await
            .unwrap();
        // `a` is rendered again (generation 2) and held there: its 8 old bytes still count.
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let started = Arc::new(AtomicUsize::new(0));
        let again = {
            let (cache, started) = (Arc::clone(&cache), Arc::clone(&started));
            tokio::spawn(async move {
                cache
                    .answer("a".into(), Some(2), async move {
                        started.fetch_add(1, Ordering::SeqCst);
                        rx.await.ok();
                        Ok("87654321".to_owned())
                    })
                    .await
            })
        };
        while started.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        // Over budget with the only other answer locked: `b` is answered all the same.
        let b = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            cache.answer("b".into(), Some(2), render(&calls, "12345")),
        )
        .await
        .expect("making room never waits on an answer being rendered");
        assert_eq!(body(&b.unwrap()), b"12345");
        tx.send(()).unwrap();
        assert_eq!(body(&again.await.unwrap().unwrap()), b"87654321");
        assert!(
            cache.kept_bytes() <= 10,
            "{} bytes kept",
            cache.kept_bytes()
        );
    }
}
