//! `GET /admin/snapshot`: the store's snapshot (the JSON Lines of
//! [`ochami_store::snapshot`]), streamed while it is read in one consistent view, for
//! backups of a running server. It needs SMD's write scope (reads included), and carries no
//! BMC password.

use std::io::Write;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use ochami_store::snapshot::export_snapshot;
use std::sync::mpsc;

use crate::AppState;
use crate::problem::NoQuery;

/// Chunks buffered between the export and the socket.
const CHANNEL: usize = 64;

/// Bytes per chunk sent to the socket.
const CHUNK: usize = 64 * 1024;

/// A `Write` that sends full chunks down a bounded channel (blocking the export while the
/// client is slow); the export stops with an error when the client went away.
struct ChannelWriter {
    buf: Vec<u8>,
    tx: mpsc::SyncSender<Result<Bytes, std::io::Error>>,
}

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buf));
        self.tx
            .send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client gone"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// The admin routes: `GET /admin/snapshot`.
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/admin/snapshot", axum::routing::get(get_snapshot))
}

/// `GET /admin/snapshot`.
async fn get_snapshot(
    axum::extract::State(state): axum::extract::State<AppState>,
    _: NoQuery,
) -> Response {
    let (tx, rx) = mpsc::sync_channel(CHANNEL);
    let errors = tx.clone();
    // The sink is synchronous: the export runs on a blocking thread, driving the store's
    // async reads through the runtime handle.
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let out = ChannelWriter {
            buf: Vec::new(),
            tx,
        };
        let result = handle.block_on(export_snapshot(state.store(), out));
        if let Err(e) = result {
            tracing::warn!(error = %e, "snapshot export failed");
            // The body ends with an error: the client sees a broken transfer, and the
            // snapshot lacks its trailer, so it can never be imported as whole.
            let _ = errors.send(Err(std::io::Error::other(e.to_string())));
        }
    });
    let body = Body::from_stream(chunks(rx));
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/jsonl")],
        body,
    )
        .into_response()
}

/// The receiver as a stream of chunks (each received on the blocking pool).
fn chunks(
    rx: mpsc::Receiver<Result<Bytes, std::io::Error>>,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> {
    futures::stream::unfold(Some(rx), |rx| async move {
        let rx = rx?;
        let (next, rx) = tokio::task::spawn_blocking(move || (rx.recv(), rx))
            .await
            .ok()?;
        next.ok().map(|chunk| (chunk, Some(rx)))
    })
}
