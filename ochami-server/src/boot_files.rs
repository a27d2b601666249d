//! Kernels and initrds over HTTP (`GET /boot-files/<path>`), read-only from one directory,
//! for sites without an object store: the bootscript's `kernel` and `initrd` URLs point
//! here. Single byte ranges are honoured (RFC 9110 §14: `206 Partial Content` with
//! `Content-Range`, `416` with `Content-Range: bytes */<len>` when nothing is satisfiable);
//! several ranges, or an `If-Range`, get the whole file (a server may always do that).
//!
//! Paths are confined to the root as the TFTP server confines them
//! ([`ochami_boot::tftp::resolve_path`]: no `..`, no absolute names, no drive prefixes),
//! and the opened file's canonical path must lie inside the canonical root, so a symlink
//! cannot lead out. Refusals are `403`, missing files `404`, both as problem+json. The routes
//! are public (nodes fetch them before they hold any token), like the bootscript.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use axum::body::Body;
//! use axum::http::Request;
//! use ochami_server::boot_files::BootFileRoot;
//! use ochami_server::{AppState, Settings, router_with};
//! use tower::ServiceExt;
//!
//! let dir = tempfile::tempdir()?;
//! std::fs::write(dir.path().join("vmlinuz"), b"0123456789")?;
//! let files = BootFileRoot::new(dir.path()).await?;
//! let state = AppState::new(ochami_store::open("memory:").await?, Settings::default(), None);
//! let app = router_with(state, files.routes());
//! let req = Request::get("/boot-files/vmlinuz").header("range", "bytes=2-4").body(Body::empty())?;
//! let resp = app.oneshot(req).await?;
//! assert_eq!(resp.status(), 206);
//! assert_eq!(resp.headers()["content-range"], "bytes 2-4/10");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

use std::io::{self, SeekFrom};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ochami_boot::tftp::{ErrorCode, resolve_path};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::AppState;
use crate::problem::problem_response;

/// How much of a file is read per body chunk.
const CHUNK: usize = 64 * 1024;

/// The directory served under `/boot-files/`, canonicalized once.
#[derive(Debug, Clone)]
pub struct BootFileRoot {
    root: Arc<PathBuf>,
}

impl BootFileRoot {
    /// The directory `dir`, which must exist.
    pub async fn new(dir: impl AsRef<Path>) -> io::Result<Self> {
        let dir = dir.as_ref();
        let root = tokio::fs::canonicalize(dir)
            .await
            .map_err(|e| io::Error::new(e.kind(), format!("boot files {}: {e}", dir.display())))?;
        if !tokio::fs::metadata(&root).await?.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("boot files {} is not a directory", root.display()),
            ));
        }
        Ok(BootFileRoot {
            root: Arc::new(root),
        })
    }

    /// The canonical directory served.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `GET /boot-files/{*path}` (and `HEAD`), to merge with [`crate::router_with`].
    pub fn routes(self) -> Router<AppState> {
        Router::new().route(
            "/boot-files/{*path}",
            get(serve_file).with_state::<AppState>(self),
        )
    }
}

async fn serve_file(
    State(files): State<BootFileRoot>,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let (file, len) = match open_confined(&files.root, &name).await {
        Ok(f) => f,
        Err(resp) => return *resp,
    };
    let range = if headers.contains_key(header::IF_RANGE) {
        None
    } else {
        headers
            .get(header::RANGE)
            .and_then(|v| v.to_str().ok())
            .map(|v| byte_range(v, len))
    };
    let mut resp = match range {
        None | Some(Range::Ignored) => body(file, 0, len, StatusCode::OK).await,
        Some(Range::Unsatisfiable) => {
            let mut r = problem_response(
                StatusCode::RANGE_NOT_SATISFIABLE,
                format!("the range is outside the file ({len} bytes)"),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            r
        }
        Some(Range::Bytes(r)) => {
            let (start, end) = (*r.start(), *r.end());
            let mut resp = body(file, start, end - start + 1, StatusCode::PARTIAL_CONTENT).await;
            if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{len}")) {
                resp.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            resp
        }
    };
    resp.headers_mut()
        .insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    resp
}

/// Open the file `name` names under the canonical `root`: refused (403) when the name or
/// its real location leads outside the root, 404 when it is missing or not a file.
async fn open_confined(root: &Path, name: &str) -> Result<(tokio::fs::File, u64), Box<Response>> {
    let denied = |detail: &str| {
        Box::new(problem_response(
            StatusCode::FORBIDDEN,
            format!("{name:?}: {detail}"),
        ))
    };
    let missing = || {
        Box::new(problem_response(
            StatusCode::NOT_FOUND,
            format!("no boot file {name:?}"),
        ))
    };
    let path = resolve_path(root, name).map_err(|r| match r.code {
        ErrorCode::AccessViolation => denied(&r.message),
        _ => missing(),
    })?;
    let real = tokio::fs::canonicalize(&path)
        .await
        .map_err(|_| missing())?;
    if !real.starts_with(root) {
        return Err(denied("the file is outside the boot-files directory"));
    }
    let file = tokio::fs::File::open(&real).await.map_err(|_| missing())?;
    let meta = file.metadata().await.map_err(|_| missing())?;
    if !meta.is_file() {
        return Err(missing());
    }
    Ok((file, meta.len()))
}

/// `count` bytes of `file` from `start`, streamed in [`CHUNK`]s.
async fn body(mut file: tokio::fs::File, start: u64, count: u64, status: StatusCode) -> Response {
    if start > 0
        && let Err(e) = file.seek(SeekFrom::Start(start)).await
    {
        tracing::warn!(error = %e, "cannot seek in a boot file");
        return problem_response(StatusCode::INTERNAL_SERVER_ERROR, "cannot read the file");
    }
    let stream = futures::stream::unfold((file, count), |(mut file, left)| async move {
        if left == 0 {
            return None;
        }
        let want = usize::try_from(left).map_or(CHUNK, |l| l.min(CHUNK));
        let mut buf = vec![0u8; want];
        match file.read(&mut buf).await {
            // The file shrank under us: end the body early (the client sees a short read).
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((
                    Ok::<_, io::Error>(Bytes::from(buf)),
                    (file, left - n as u64),
                ))
            }
            Err(e) => Some((Err(e), (file, 0))),
        }
    });
    let mut resp = (status, Body::from_stream(stream)).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(count));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    resp
}

/// What a `Range` header asks of a file of `len` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Range {
    /// One satisfiable range, inclusive, clamped to the file.
    Bytes(RangeInclusive<u64>),
    /// A well-formed single range that selects nothing of the file: 416.
    Unsatisfiable,
    /// Not a single byte range we serve (other unit, several ranges, bad syntax): the
    /// whole file with 200, as RFC 9110 allows.
    Ignored,
}

/// Parse `bytes=a-b`, `bytes=a-` or `bytes=-n` against a file of `len` bytes.
fn byte_range(header: &str, len: u64) -> Range {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return Range::Ignored;
    };
    let spec = spec.trim();
    if spec.contains(',') {
        return Range::Ignored;
    }
    let Some((first, last)) = spec.split_once('-') else {
        return Range::Ignored;
    };
    let num = |s: &str| -> Option<u64> {
        let s = s.trim();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    match (first.trim().is_empty(), last.trim().is_empty()) {
        // bytes=-n: the last n bytes.
        (true, false) => match num(last) {
            Some(0) => Range::Unsatisfiable,
            Some(_) if len == 0 => Range::Unsatisfiable,
            Some(n) => Range::Bytes(len.saturating_sub(n)..=len - 1),
            None => Range::Ignored,
        },
        // bytes=a-
        (false, true) => match num(first) {
            Some(a) if a < len => Range::Bytes(a..=len - 1),
            Some(_) => Range::Unsatisfiable,
            None => Range::Ignored,
        },
        // bytes=a-b
        (false, false) => match (num(first), num(last)) {
            (Some(a), Some(b)) if a > b => Range::Ignored,
            (Some(a), Some(b)) if a < len => Range::Bytes(a..=b.min(len - 1)),
            (Some(_), Some(_)) => Range::Unsatisfiable,
            _ => Range::Ignored,
        },
        (true, true) => Range::Ignored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(byte_range("bytes=0-0", 10), Range::Bytes(0..=0));
        assert_eq!(byte_range("bytes=2-4", 10), Range::Bytes(2..=4));
        assert_eq!(byte_range("bytes=2-400", 10), Range::Bytes(2..=9));
        assert_eq!(byte_range("bytes=7-", 10), Range::Bytes(7..=9));
        assert_eq!(byte_range("bytes=-3", 10), Range::Bytes(7..=9));
        assert_eq!(byte_range("bytes=-30", 10), Range::Bytes(0..=9));
        assert_eq!(byte_range("bytes=10-", 10), Range::Unsatisfiable);
        assert_eq!(byte_range("bytes=10-20", 10), Range::Unsatisfiable);
        assert_eq!(byte_range("bytes=-0", 10), Range::Unsatisfiable);
        assert_eq!(byte_range("bytes=0-", 0), Range::Unsatisfiable);
        assert_eq!(byte_range("bytes=-5", 0), Range::Unsatisfiable);
        for ignored in [
            "bytes=4-2",
            "bytes=0-1,3-4",
            "items=0-1",
            "bytes=-",
            "bytes=a-b",
            "bytes=+1-2",
            "bytes=1",
            "bytes=99999999999999999999999-",
        ] {
            assert_eq!(byte_range(ignored, 10), Range::Ignored, "{ignored}");
        }
    }
}
