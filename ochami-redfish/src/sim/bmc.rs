//! Running simulated BMCs on loopback ports.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt;

use super::SimBmcConfig;
use super::server::{SimState, handle};
use crate::error::{Error, Result};
use crate::scan::{ScanTarget, Scheme};

/// What a simulated BMC has seen so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SimStats {
    /// HTTP requests received.
    pub requests: u64,
    /// Sessions created.
    pub sessions_created: u64,
    /// Sessions deleted.
    pub sessions_deleted: u64,
    /// Sessions expired by the simulator (after N requests, or by
    /// [`SimBmc::expire_sessions`]).
    pub sessions_expired: u64,
    /// Sessions open now.
    pub active_sessions: usize,
    /// Requests authenticated by a session token.
    pub token_requests: u64,
    /// Requests carrying HTTP Basic credentials.
    pub basic_requests: u64,
    /// Requests answered 401.
    pub unauthorized: u64,
    /// Collection requests with `$expand`.
    pub expand_requests: u64,
    /// Requests answered with an injected fault.
    pub faults: u64,
    /// Connections reset on purpose.
    pub resets: u64,
    /// `ComputerSystem.Reset` POSTs received (accepted or refused).
    pub reset_actions: u64,
    /// PATCHes of systems received (accepted or refused).
    pub patches: u64,
}

/// One simulated BMC serving on a loopback port until dropped.
#[derive(Debug)]
pub struct SimBmc {
    addr: SocketAddr,
    scheme: Scheme,
    state: Arc<SimState>,
    shutdown: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for SimState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimState").finish_non_exhaustive()
    }
}

impl SimBmc {
    /// Serves `config` on `127.0.0.1` and a free port. Needs a tokio runtime.
    pub async fn spawn(config: SimBmcConfig) -> Result<SimBmc> {
        Self::spawn_on(SocketAddr::from(([127, 0, 0, 1], 0)), config).await
    }

    /// Serves `config` on `addr` (port 0 picks a free one).
    pub async fn spawn_on(addr: SocketAddr, config: SimBmcConfig) -> Result<SimBmc> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| Error::Sim(format!("bind {addr}: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::Sim(format!("local address: {e}")))?;
        let scheme = if config.tls.is_some() {
            Scheme::Https
        } else {
            Scheme::Http
        };
        let acceptor = config
            .tls
            .as_ref()
            .map(|t| tokio_rustls::TlsAcceptor::from(t.server_config.clone()));
        let state = Arc::new(SimState::new(config));
        let router = axum::Router::new()
            .fallback(handle)
            .with_state(state.clone());
        let (shutdown, rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, router, acceptor, state.clone(), rx));
        Ok(SimBmc {
            addr,
            scheme,
            state,
            shutdown,
            task,
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>` (or `https://`).
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// The BMC as a discovery target.
    pub fn target(&self) -> ScanTarget {
        ScanTarget::new(self.scheme, self.addr.ip().to_string(), self.addr.port())
    }

    /// Counters so far.
    pub fn stats(&self) -> SimStats {
        let c = &self.state.counters;
        let l = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
        SimStats {
            requests: l(&c.requests),
            sessions_created: l(&c.sessions_created),
            sessions_deleted: l(&c.sessions_deleted),
            sessions_expired: l(&c.sessions_expired),
            active_sessions: self.state.active_sessions(),
            token_requests: l(&c.token_requests),
            basic_requests: l(&c.basic_requests),
            unauthorized: l(&c.unauthorized),
            expand_requests: l(&c.expand_requests),
            faults: l(&c.faults),
            resets: l(&c.resets),
            reset_actions: l(&c.reset_actions),
            patches: l(&c.patches),
        }
    }

    /// Every write (reset, PATCH) received so far, in order.
    pub fn actions(&self) -> Vec<super::SimAction> {
        self.state.systems.actions()
    }

    /// The current `PowerState` of a system (`/redfish/v1/Systems/1`), as a GET would
    /// show it.
    pub fn power_state(&self, system: &str) -> Option<String> {
        self.state.systems.power_state(system)
    }

    /// Forgets every open session, as a BMC reset would: later requests with their tokens
    /// are answered 401.
    pub fn expire_sessions(&self) {
        self.state.expire_sessions();
    }

    /// Stops serving and closes every connection.
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for SimBmc {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        self.task.abort();
    }
}

async fn accept_loop(
    listener: TcpListener,
    router: axum::Router,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    state: Arc<SimState>,
    mut shutdown: watch::Receiver<bool>,
) {
    // Connection tasks live in this set, so they are aborted with the loop.
    let mut conns = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            _ = shutdown.changed() => break,
            a = listener.accept() => a,
        };
        let Ok((stream, _)) = accepted else { continue };
        if state.draw_reset() {
            // SO_LINGER 0: closing sends RST instead of FIN.
            let _ = stream.set_zero_linger();
            drop(stream);
            continue;
        }
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let acceptor = acceptor.clone();
        conns.spawn(async move {
            let service =
                hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    router.clone().oneshot(req)
                });
            let http = hyper::server::conn::http1::Builder::new();
            match acceptor {
                Some(acceptor) => {
                    if let Ok(tls) = acceptor.accept(stream).await {
                        let _ = http.serve_connection(TokioIo::new(tls), service).await;
                    }
                }
                None => {
                    let _ = http.serve_connection(TokioIo::new(stream), service).await;
                }
            }
        });
        while conns.try_join_next().is_some() {}
    }
}

/// Many simulated BMCs, one loopback port each.
#[derive(Debug, Default)]
pub struct SimFleet {
    bmcs: Vec<SimBmc>,
}

impl SimFleet {
    /// Spawns `n` BMCs, the `i`-th with `config(i)`.
    pub async fn spawn(
        n: usize,
        mut config: impl FnMut(usize) -> SimBmcConfig,
    ) -> Result<SimFleet> {
        let mut bmcs = Vec::with_capacity(n);
        for i in 0..n {
            bmcs.push(SimBmc::spawn(config(i)).await?);
        }
        Ok(SimFleet { bmcs })
    }

    /// The BMCs, in spawn order.
    pub fn bmcs(&self) -> &[SimBmc] {
        &self.bmcs
    }

    /// Their discovery targets, in spawn order.
    pub fn targets(&self) -> Vec<ScanTarget> {
        self.bmcs.iter().map(SimBmc::target).collect()
    }

    /// Number of BMCs.
    pub fn len(&self) -> usize {
        self.bmcs.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.bmcs.is_empty()
    }

    /// Stops them all.
    pub fn shutdown(self) {
        drop(self);
    }
}
