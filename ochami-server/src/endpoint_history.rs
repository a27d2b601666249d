//! BSS's endpoint-access history (`GET /boot/v1/endpoint-history`), written behind.
//!
//! Every bootscript and user-data answer records when a node fetched it. Writing that row
//! inside the request would put a database write on the boot storm's hot path, so requests
//! only note `(node, endpoint) -> time` in memory and a background task writes the notes
//! every [`FLUSH_INTERVAL`] in one transaction (repeated fetches by one node collapse into
//! one row). The history
//! route flushes first, so this process reads its own notes at once; other replicas see
//! them within the interval. A graceful shutdown flushes what is left.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use ochami_store::{EndpointAccess, Store};

/// How often noted accesses are written to the store.
pub(crate) const FLUSH_INTERVAL: Duration = Duration::from_secs(1);

/// Accesses noted but not yet written.
#[derive(Default)]
pub(crate) struct EndpointHistory {
    pending: Mutex<HashMap<(String, &'static str), i64>>,
}

impl EndpointHistory {
    /// Note that `name` fetched `endpoint` (`bootscript`, `user-data`) now.
    pub(crate) fn note(&self, name: String, endpoint: &'static str) {
        let now = chrono::Utc::now().timestamp();
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let slot = pending.entry((name, endpoint)).or_insert(now);
        *slot = (*slot).max(now);
    }

    /// Write every noted access. Notes that fail to be written are kept for the next try.
    pub(crate) async fn flush(&self, store: &dyn Store) -> ochami_store::Result<()> {
        let batch: Vec<((String, &'static str), i64)> = {
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            pending.drain().collect()
        };
        if batch.is_empty() {
            return Ok(());
        }
        let accesses: Vec<EndpointAccess> = batch
            .iter()
            .map(|((name, endpoint), last_epoch)| EndpointAccess {
                name: name.clone(),
                endpoint: (*endpoint).to_owned(),
                last_epoch: *last_epoch,
            })
            .collect();
        if let Err(e) = store.record_accesses(&accesses).await {
            // Keep the notes for the next try (newer ones noted meanwhile win).
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            for (key, epoch) in batch {
                let slot = pending.entry(key).or_insert(epoch);
                *slot = (*slot).max(epoch);
            }
            return Err(e);
        }
        Ok(())
    }

    /// Flush every [`FLUSH_INTERVAL`] until the task is aborted.
    pub(crate) async fn run(&self, store: &dyn Store) {
        let mut tick = tokio::time::interval(FLUSH_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = self.flush(store).await {
                tracing::warn!(error = %e, "cannot write endpoint-access history; will retry");
            }
        }
    }
}
