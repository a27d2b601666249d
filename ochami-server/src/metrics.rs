//! Request metrics in the Prometheus text format (`GET /metrics`): a request counter and a
//! latency histogram per route template, method and status.
//!
//! Hand-rolled with atomics: the hot path is two read-locked map look-ups and a few relaxed
//! atomic adds, so the boot storm is not slowed by it. Each process counts its own requests
//! (Prometheus scrapes every replica), which is the usual meaning of these series.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// Route label of requests that matched no route.
const UNMATCHED: &str = "unmatched";

/// One series: the requests of one (route, method, status).
#[derive(Default)]
struct Series {
    count: AtomicU64,
    sum_nanos: AtomicU64,
    /// Cumulative counts are computed when rendering; each slot counts its own bucket
    /// (the last slot is `+Inf`).
    buckets: [AtomicU64; BUCKETS.len() + 1],
}

impl Series {
    fn observe(&self, nanos: u64) {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
        let secs = nanos as f64 / 1e9;
        let slot = BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(BUCKETS.len());
        if let Some(b) = self.buckets.get(slot) {
            b.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The series of one route template.
#[derive(Default)]
struct RouteSeries {
    by_method_status: RwLock<Vec<(Method, u16, Arc<Series>)>>,
}

impl RouteSeries {
    fn series(&self, method: &Method, status: u16) -> Arc<Series> {
        if let Ok(list) = self.by_method_status.read()
            && let Some((_, _, s)) = list.iter().find(|(m, st, _)| m == method && *st == status)
        {
            return s.clone();
        }
        let mut list = self
            .by_method_status
            .write()
            .unwrap_or_else(|p| p.into_inner());
        if let Some((_, _, s)) = list.iter().find(|(m, st, _)| m == method && *st == status) {
            return s.clone();
        }
        let s = Arc::new(Series::default());
        list.push((method.clone(), status, s.clone()));
        s
    }
}

/// The metrics registry of one server process.
#[derive(Default)]
pub struct Metrics {
    routes: RwLock<HashMap<String, Arc<RouteSeries>>>,
}

impl Metrics {
    /// Count one request of `route` (a template such as `/hsm/v2/State/Components/{xname}`).
    pub fn observe(&self, route: &str, method: &Method, status: u16, nanos: u64) {
        self.route(route).series(method, status).observe(nanos);
    }

    fn route(&self, route: &str) -> Arc<RouteSeries> {
        if let Ok(map) = self.routes.read()
            && let Some(r) = map.get(route)
        {
            return r.clone();
        }
        let mut map = self.routes.write().unwrap_or_else(|p| p.into_inner());
        map.entry(route.to_owned()).or_default().clone()
    }

    /// The Prometheus text exposition of every series.
    pub fn render(&self) -> String {
        let mut rows: Vec<(String, Method, u16, Arc<Series>)> = Vec::new();
        if let Ok(map) = self.routes.read() {
            for (route, r) in map.iter() {
                if let Ok(list) = r.by_method_status.read() {
                    rows.extend(
                        list.iter()
                            .map(|(m, st, s)| (route.clone(), m.clone(), *st, s.clone())),
                    );
                }
            }
        }
        rows.sort_by(|a, b| (&a.0, a.1.as_str(), a.2).cmp(&(&b.0, b.1.as_str(), b.2)));
        let mut out = String::with_capacity(256 + rows.len() * 1200);
        out.push_str("# HELP ochami_http_requests_total HTTP requests answered, by route template, method and status.\n");
        out.push_str("# TYPE ochami_http_requests_total counter\n");
        for (route, m, st, s) in &rows {
            let _ = writeln!(
                out,
                "ochami_http_requests_total{{route=\"{}\",method=\"{m}\",status=\"{st}\"}} {}",
                escape(route),
                s.count.load(Ordering::Relaxed)
            );
        }
        out.push_str("# HELP ochami_http_request_duration_seconds Time to answer HTTP requests, by route template, method and status.\n");
        out.push_str("# TYPE ochami_http_request_duration_seconds histogram\n");
        for (route, m, st, s) in &rows {
            let labels = format!("route=\"{}\",method=\"{m}\",status=\"{st}\"", escape(route));
            let mut cumulative = 0;
            for (i, le) in BUCKETS.iter().enumerate() {
                cumulative += s.buckets[i].load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "ochami_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {cumulative}"
                );
            }
            let count = s.count.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "ochami_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {count}"
            );
            let sum = s.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
            let _ = writeln!(
                out,
                "ochami_http_request_duration_seconds_sum{{{labels}}} {sum}"
            );
            let _ = writeln!(
                out,
                "ochami_http_request_duration_seconds_count{{{labels}}} {count}"
            );
        }
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Middleware: time the request and count it under its route template.
pub(crate) async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let resp = next.run(req).await;
    let nanos = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    let route = route.as_ref().map_or(UNMATCHED, MatchedPath::as_str);
    let status = resp.status().as_u16();
    state.metrics().observe(route, &method, status, nanos);
    tracing::debug!(%method, route, status, micros = nanos / 1000, "request");
    resp
}

/// `GET /metrics`.
pub(crate) async fn render(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        state.metrics().render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::default();
        m.observe("/boot/v1/bootscript", &Method::GET, 200, 200_000);
        m.observe("/boot/v1/bootscript", &Method::GET, 200, 3_000_000);
        m.observe("/boot/v1/bootscript", &Method::GET, 404, 1_000);
        let text = m.render();
        assert!(text.contains("ochami_http_requests_total{route=\"/boot/v1/bootscript\",method=\"GET\",status=\"200\"} 2\n"), "{text}");
        assert!(text.contains("status=\"404\"} 1\n"));
        let labels = "route=\"/boot/v1/bootscript\",method=\"GET\",status=\"200\"";
        assert!(text.contains(&format!(
            "ochami_http_request_duration_seconds_bucket{{{labels},le=\"0.0001\"}} 0\n"
        )));
        assert!(text.contains(&format!(
            "ochami_http_request_duration_seconds_bucket{{{labels},le=\"0.00025\"}} 1\n"
        )));
        assert!(text.contains(&format!(
            "ochami_http_request_duration_seconds_bucket{{{labels},le=\"0.005\"}} 2\n"
        )));
        assert!(text.contains(&format!(
            "ochami_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} 2\n"
        )));
        assert!(text.contains(&format!(
            "ochami_http_request_duration_seconds_count{{{labels}}} 2\n"
        )));
    }
}
