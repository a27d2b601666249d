//! The client half of `ochami`: subcommands that drive a running server (ours or
//! OpenCHAMI's) the way OpenCHAMI's `ochami` CLI does: `smd`, `bss`, `cloud-init`,
//! `discover static`, `power` (PCS), `boot next`, and OpenCHAMI v0.2's boot-service and
//! metadata-service (`boot config|node`, `metadata defaults|group|instance`), plus
//! `completions` and `man`.
//!
//! The server comes from `--cluster-uri`/`OCHAMI_CLUSTER_URI` or a named cluster of the
//! config files ([`config`]); the bearer token from `--token-file`, `<CLUSTER>_ACCESS_TOKEN`
//! or `OCHAMI_ACCESS_TOKEN`. A 4xx/5xx answer (an RFC 7807 problem, or boot-service's and
//! metadata-service's `{"error","code"}`) prints `ochami: <status> <title>: <detail>` on
//! one line of stderr and exits 1; a command over many nodes (`power`, `boot next`) prints
//! every node's result and exits 2 when some of them failed.

pub(crate) mod boot;
pub(crate) mod bss;
pub(crate) mod cloud_init;
mod config;
pub(crate) mod discover_static;
pub(crate) mod docs;
mod io;
pub(crate) mod metadata;
pub(crate) mod power;
pub(crate) mod smd;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

pub(crate) use config::Service;
pub(crate) use io::{Input, Output};

/// Connection flags shared by every client subcommand.
#[derive(Clone, clap::Args)]
pub(crate) struct ConnArgs {
    /// Base URI of the cluster's services (`https://demo.openchami.cluster:8443`); services
    /// are under `/hsm/v2`, `/boot/v1` and `/cloud-init`.
    #[arg(short = 'u', long, env = "OCHAMI_CLUSTER_URI", global = true)]
    cluster_uri: Option<String>,
    /// A cluster of the config files (default: their `default-cluster`).
    #[arg(short = 'C', long, env = "OCHAMI_CLUSTER", global = true)]
    cluster: Option<String>,
    /// A config file read after `/etc/ochami/config.yaml` and `~/.config/ochami/config.yaml`.
    #[arg(short = 'c', long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,
    /// A file holding the bearer token (else `<CLUSTER>_ACCESS_TOKEN`, then
    /// `OCHAMI_ACCESS_TOKEN`).
    #[arg(long, value_name = "FILE", global = true)]
    token_file: Option<PathBuf>,
    /// Send no token.
    #[arg(long, global = true)]
    no_token: bool,
    /// PEM CA bundle to trust for the server's certificate.
    #[arg(long, value_name = "FILE", global = true)]
    cacert: Option<PathBuf>,
    /// Do not verify the server's certificate.
    #[arg(short = 'k', long, global = true)]
    insecure: bool,
    /// Request timeout, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0, global = true)]
    timeout: f64,
    /// Output format (default: table on a terminal, JSON otherwise).
    #[arg(short = 'F', long = "format-output", value_enum, global = true)]
    output: Option<Output>,
}

impl ConnArgs {
    /// The output format: `-F`, else table on a terminal and JSON otherwise.
    pub(crate) fn output(&self) -> Output {
        self.output.unwrap_or_else(Output::default_for_stdout)
    }
}

/// Why a client command failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum ClientError {
    /// Bad configuration or flags.
    #[error("{0}")]
    Config(String),
    /// Unusable input data.
    #[error("{0}")]
    Input(String),
    /// The server could not be reached.
    #[error("{url}: {reason}")]
    Transport {
        /// The request URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// The server answered 4xx/5xx.
    #[error("{status} {title}{}", detail_suffix(.detail))]
    Status {
        /// HTTP status code.
        status: u16,
        /// The problem's title (or the reason phrase).
        title: String,
        /// The problem's detail, if any.
        detail: String,
    },
    /// Some nodes of a multi-node command failed (their results were printed).
    #[error("{what}: {failed} of {total} nodes failed")]
    NodesFailed {
        /// The command (`power on`).
        what: String,
        /// Nodes that failed.
        failed: usize,
        /// Nodes asked for.
        total: usize,
    },
}

fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(": {detail}")
    }
}

impl ClientError {
    /// Print the error on one line of stderr; the exit code (2 when only some nodes
    /// failed, else 1).
    pub(crate) fn report(&self) -> ExitCode {
        let line = self.to_string().replace(['\n', '\r'], " ");
        eprintln!("ochami: {line}");
        match self {
            ClientError::NodesFailed { .. } => ExitCode::from(2),
            _ => ExitCode::FAILURE,
        }
    }
}

/// A connection to one cluster.
pub(crate) struct Client {
    http: reqwest::Client,
    cluster: config::Cluster,
    token: Option<String>,
    pub(crate) output: Output,
}

/// A response body: JSON, or text for non-JSON answers (scripts, YAML documents).
pub(crate) enum Body {
    /// A JSON document.
    Json(Value),
    /// Anything else, as received.
    Text(String),
    /// No body.
    Empty,
}

fn read_token(args: &ConnArgs, cluster: &config::Cluster) -> Result<Option<String>, ClientError> {
    if args.no_token || cluster.config.enable_auth == Some(false) {
        return Ok(None);
    }
    let token =
        if let Some(path) = &args.token_file {
            Some(std::fs::read_to_string(path).map_err(|e| {
                ClientError::Config(format!("--token-file {}: {e}", path.display()))
            })?)
        } else {
            cluster
                .token_var()
                .and_then(|v| std::env::var(v).ok())
                .or_else(|| std::env::var("OCHAMI_ACCESS_TOKEN").ok())
        };
    Ok(token.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()))
}

impl Client {
    /// Resolve the cluster and token and build the HTTP client.
    pub(crate) fn new(args: &ConnArgs) -> Result<Client, ClientError> {
        let cluster = config::resolve(
            args.cluster_uri.as_deref(),
            args.cluster.as_deref(),
            args.config.as_deref(),
        )?;
        let token = read_token(args, &cluster)?;
        if !(args.timeout.is_finite() && args.timeout > 0.0) {
            return Err(ClientError::Config(
                "--timeout must be a positive number of seconds".into(),
            ));
        }
        let mut builder = reqwest::Client::builder()
            .timeout(Duration::from_secs_f64(args.timeout))
            .user_agent(concat!("ochami/", env!("CARGO_PKG_VERSION")))
            // A redirect to another host would carry the token there.
            .redirect(reqwest::redirect::Policy::none());
        if args.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        if let Some(path) = &args.cacert {
            let pem = std::fs::read(path)
                .map_err(|e| ClientError::Config(format!("--cacert {}: {e}", path.display())))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| ClientError::Config(format!("--cacert {}: {e}", path.display())))?;
            if certs.is_empty() {
                return Err(ClientError::Config(format!(
                    "--cacert {}: no certificate in the file",
                    path.display()
                )));
            }
            builder = builder.tls_certs_only(certs);
        }
        let http = builder
            .build()
            .map_err(|e| ClientError::Config(format!("HTTP client: {e}")))?;
        let output = args.output();
        Ok(Client {
            http,
            cluster,
            token,
            output,
        })
    }

    /// Send `method` to `path` under `service`'s base, with an optional JSON body and
    /// query; 4xx/5xx become [`ClientError::Status`].
    pub(crate) async fn send(
        &self,
        method: Method,
        service: Service,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Body, ClientError> {
        self.send_as(method, service, path, query, body, None).await
    }

    /// [`send`](Self::send) with the body's media type (`application/json-patch+json`)
    /// instead of `application/json`.
    pub(crate) async fn send_as(
        &self,
        method: Method,
        service: Service,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        media_type: Option<&str>,
    ) -> Result<Body, ClientError> {
        let url = format!("{}{path}", self.cluster.base(service));
        let mut req = self.http.request(method, &url);
        if !query.is_empty() {
            req = req.query(query);
        }
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(m) = media_type {
            req = req.header(reqwest::header::CONTENT_TYPE, m);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        tracing::debug!(%url, "request");
        let transport = |e: reqwest::Error| ClientError::Transport {
            url: url.clone(),
            reason: error_chain(&e),
        };
        let resp = req.send().await.map_err(transport)?;
        let status = resp.status();
        let is_json = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("json"));
        let text = resp.text().await.map_err(transport)?;
        if status.is_client_error() || status.is_server_error() {
            return Err(problem(status, &text));
        }
        if text.trim().is_empty() {
            return Ok(Body::Empty);
        }
        if is_json {
            serde_json::from_str(&text)
                .map(Body::Json)
                .map_err(|e| ClientError::Transport {
                    url,
                    reason: format!("the answer is not JSON: {e}"),
                })
        } else {
            Ok(Body::Text(text))
        }
    }

    /// [`send`](Self::send) and print the answer in the chosen format.
    pub(crate) async fn print(
        &self,
        method: Method,
        service: Service,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<(), ClientError> {
        let b = self.send(method, service, path, query, body).await?;
        self.output.print(&b)
    }
}

impl Client {
    /// [`print`](Self::print) for boot-service and metadata-service resources: a table shows
    /// one row per resource, its `name` and `uid` then its spec's keys.
    pub(crate) async fn print_resources(
        &self,
        method: Method,
        service: Service,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(), ClientError> {
        let b = self.send(method, service, path, &[], body).await?;
        self.show_resources(b)
    }

    /// Print resources already received (see [`print_resources`](Self::print_resources)).
    pub(crate) fn show_resources(&self, body: Body) -> Result<(), ClientError> {
        match body {
            Body::Json(v) if self.output == Output::Table => {
                self.output.print(&Body::Json(resource_rows(v)))
            }
            b => self.output.print(&b),
        }
    }
}

/// Envelopes (one or a list) as flat rows: `name`, `uid`, then the spec's keys; anything
/// else as it is.
fn resource_rows(v: Value) -> Value {
    let row = |e: Value| match e {
        Value::Object(mut o) if o.contains_key("spec") && o.contains_key("metadata") => {
            let mut r = serde_json::Map::new();
            for k in ["name", "uid"] {
                r.insert(k.into(), o["metadata"][k].clone());
            }
            if let Some(Value::Object(spec)) = o.remove("spec") {
                r.extend(spec);
            }
            Value::Object(r)
        }
        other => other,
    };
    match v {
        Value::Array(a) => Value::Array(a.into_iter().map(row).collect()),
        v => row(v),
    }
}

/// A 4xx/5xx answer as an error: the RFC 7807 problem's title and detail (or the `error` of
/// boot-service's and metadata-service's `{"error","code"}`), else the body.
fn problem(status: reqwest::StatusCode, text: &str) -> ClientError {
    let reason = status.canonical_reason().unwrap_or("error");
    let v: Option<Value> = serde_json::from_str(text).ok();
    let field = |k: &str| {
        v.as_ref()
            .and_then(|v| v.get(k))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let title = Some(field("title"))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| reason.to_owned());
    let mut detail = field("detail");
    if detail.is_empty() {
        detail = field("error");
    }
    if detail.is_empty() && v.is_none() {
        detail = text.trim().chars().take(200).collect();
    }
    ClientError::Status {
        status: status.as_u16(),
        title,
        detail,
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = c.source();
    }
    s
}

/// Turn a command's result into the exit code.
pub(crate) fn finish(r: Result<(), ClientError>) -> ExitCode {
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.report(),
    }
}

/// Percent-encode one path segment.
pub(crate) fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A create or replace body for boot-service and metadata-service: `data` as is when it is
/// an envelope (has `spec`), else `data` is the flat spec, with an optional `name` key (the
/// `name` argument wins) moved into `metadata.name`.
pub(crate) fn envelope(what: &str, data: Value, name: Option<&str>) -> Result<Value, ClientError> {
    let Value::Object(mut o) = data else {
        return Err(ClientError::Input(format!(
            "{what}: the data must be a JSON/YAML object"
        )));
    };
    if o.contains_key("spec") {
        if let Some(n) = name {
            let meta = o
                .entry("metadata")
                .or_insert_with(|| Value::Object(Default::default()));
            match meta {
                Value::Object(m) => {
                    m.entry("name").or_insert_with(|| Value::from(n));
                }
                _ => {
                    return Err(ClientError::Input(format!(
                        "{what}: metadata must be an object"
                    )));
                }
            }
        }
        return Ok(Value::Object(o));
    }
    let flat_name = match o.remove("name") {
        None => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => {
            return Err(ClientError::Input(format!("{what}: name must be a string")));
        }
    };
    let mut metadata = serde_json::Map::new();
    if let Some(n) = name.map(str::to_owned).or(flat_name) {
        metadata.insert("name".into(), Value::from(n));
    }
    Ok(serde_json::json!({"metadata": metadata, "spec": o}))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn flat_specs_and_envelopes() {
        let e = envelope("t", json!({"name": "a", "kernel": "k"}), None).unwrap();
        assert_eq!(
            e,
            json!({"metadata": {"name": "a"}, "spec": {"kernel": "k"}})
        );
        let e = envelope("t", json!({"kernel": "k"}), Some("b")).unwrap();
        assert_eq!(
            e,
            json!({"metadata": {"name": "b"}, "spec": {"kernel": "k"}})
        );
        let env = json!({"kind": "Group", "spec": {}});
        let e = envelope("t", env, Some("g")).unwrap();
        assert_eq!(
            e,
            json!({"kind": "Group", "metadata": {"name": "g"}, "spec": {}})
        );
        let rows = resource_rows(
            json!([{"kind": "Group", "metadata": {"name": "g", "uid": "group-g"}, "spec": {"template": "t"}}]),
        );
        assert_eq!(
            rows,
            json!([{"name": "g", "uid": "group-g", "template": "t"}])
        );
        let err = envelope("t", json!([1]), None).unwrap_err();
        assert_eq!(err.to_string(), "t: the data must be a JSON/YAML object");
    }

    #[test]
    fn resource_errors_are_one_line() {
        let e = problem(
            reqwest::StatusCode::NOT_FOUND,
            r#"{"error":"BootConfiguration x not found","code":404}"#,
        );
        assert_eq!(
            e.to_string(),
            "404 Not Found: BootConfiguration x not found"
        );
    }
}
