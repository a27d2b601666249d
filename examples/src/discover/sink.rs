//! Where discovered BMCs go: a store (`Store::ingest` of each BMC's expanded inventory) or
//! an SMD-compatible server (one `POST /hsm/v2/Inventory/RedfishEndpoints` per BMC with the
//! `EndpointIngest` body Magellan sends, `PUT .../RedfishEndpoints/{ID}` after a 409 when
//! forced).

use std::sync::Arc;

use futures::StreamExt;
use ochami_redfish::{BmcInventory, DiscoveryReport};
use ochami_store::Store;
use reqwest::StatusCode;
use serde::Serialize;

use super::Progress;

/// Requests in flight at once against `--server`.
const SERVER_PARALLELISM: usize = 8;
/// How much of an error body is kept in a message.
const BODY_EXCERPT: usize = 300;

/// The destination of a run.
pub(crate) enum Sink {
    /// Report only.
    None,
    /// Ingest into a store.
    Store {
        /// The store.
        store: Arc<dyn Store>,
        /// Passed to `Store::ingest`.
        force: bool,
    },
    /// POST to a server.
    Server {
        /// The HTTP client.
        client: reqwest::Client,
        /// Base URL without a trailing slash.
        base: String,
        /// Bearer token.
        token: Option<String>,
        /// PUT after a 409.
        force: bool,
    },
}

/// What happened to one target's inventory.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub(crate) enum WriteOutcome {
    /// Nothing to write (the target failed) or no destination.
    Skipped,
    /// Written; `how` says how (`ingested`, `posted`, `replaced`).
    Written {
        /// `ingested` (store), `posted` (POST) or `replaced` (PUT after 409).
        how: &'static str,
    },
    /// The write failed.
    Failed {
        /// Why.
        error: String,
    },
}

impl Sink {
    /// Writes every crawled BMC; the result is aligned with `report.outcomes`.
    pub(crate) async fn write_all(
        &self,
        report: &DiscoveryReport,
        progress: &Progress,
    ) -> Vec<WriteOutcome> {
        if matches!(self, Sink::None) {
            return vec![WriteOutcome::Skipped; report.outcomes.len()];
        }
        let parallel = match self {
            Sink::Server { .. } => SERVER_PARALLELISM,
            // One transaction at a time: SQLite has one writer anyway.
            _ => 1,
        };
        futures::stream::iter(report.outcomes.iter().map(|o| async move {
            match o.inventory() {
                None => WriteOutcome::Skipped,
                Some(inv) => {
                    let w = self.write(inv).await;
                    progress.written(inv, &w);
                    w
                }
            }
        }))
        .buffered(parallel)
        .collect()
        .await
    }

    async fn write(&self, inv: &BmcInventory) -> WriteOutcome {
        match self {
            Sink::None => WriteOutcome::Skipped,
            Sink::Store { store, force } => match store.ingest(&inv.inventory, *force).await {
                Ok(()) => WriteOutcome::Written { how: "ingested" },
                Err(e) => WriteOutcome::Failed {
                    error: format!("store: {e}"),
                },
            },
            Sink::Server {
                client,
                base,
                token,
                force,
            } => post(client, base, token.as_deref(), *force, inv).await,
        }
    }
}

async fn post(
    client: &reqwest::Client,
    base: &str,
    token: Option<&str>,
    force: bool,
    inv: &BmcInventory,
) -> WriteOutcome {
    let collection = format!("{base}/hsm/v2/Inventory/RedfishEndpoints");
    let send = |req: reqwest::RequestBuilder| {
        let req = req.json(&inv.ingest);
        match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
        .send()
    };
    let resp = match send(client.post(&collection)).await {
        Ok(r) => r,
        Err(e) => {
            return WriteOutcome::Failed {
                error: format!("POST {collection}: {}", transport_error(&e)),
            };
        }
    };
    match resp.status() {
        s if s.is_success() => WriteOutcome::Written { how: "posted" },
        StatusCode::CONFLICT if force => {
            let one = format!("{collection}/{}", inv.xname);
            match send(client.put(&one)).await {
                Ok(r) if r.status().is_success() => WriteOutcome::Written { how: "replaced" },
                Ok(r) => WriteOutcome::Failed {
                    error: format!("PUT {one}: {}", status_error(r).await),
                },
                Err(e) => WriteOutcome::Failed {
                    error: format!("PUT {one}: {}", transport_error(&e)),
                },
            }
        }
        StatusCode::CONFLICT => WriteOutcome::Failed {
            error: format!(
                "POST {collection}: {} (--force retries as PUT)",
                status_error(resp).await
            ),
        },
        _ => WriteOutcome::Failed {
            error: format!("POST {collection}: {}", status_error(resp).await),
        },
    }
}

/// `HTTP 400: <detail or body excerpt>`.
async fn status_error(resp: reqwest::Response) -> String {
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    let detail = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("detail").and_then(|d| d.as_str()).map(str::to_owned))
        .unwrap_or(body);
    let detail: String = detail.chars().take(BODY_EXCERPT).collect();
    format!("HTTP {}: {}", status.as_u16(), detail.trim())
}

fn transport_error(e: &reqwest::Error) -> String {
    // The source chain says "connection refused" and the like.
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}
