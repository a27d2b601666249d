//! Finding BMCs: targets from CIDRs and host lists x ports, probed for a Redfish service root.
//!
//! A host counts as a BMC only when `GET /redfish/v1/` answers a Redfish service root (JSON
//! with `RedfishVersion` or an `@odata.type` of `ServiceRoot`); an open port alone is not
//! enough. The probe sends no credentials, unless the BMC answers 401 and credentials are
//! given. CIDRs are walked from the network address, skipping the network and broadcast
//! addresses (except in /31 and /32), and their size is capped
//! ([`TargetSpec::max_addresses`]). Magellan, by contrast, starts after the given host
//! address and includes the broadcast address.
//!
//! ```
//! use ochami_redfish::{Scheme, TargetSpec};
//!
//! let targets = TargetSpec::new()
//!     .cidr("10.0.0.0/30")
//!     .host("bmc7.example:8443")
//!     .ports([443])
//!     .expand()?;
//! let urls: Vec<String> = targets.iter().map(|t| t.base_url()).collect();
//! assert_eq!(urls, ["https://10.0.0.1:443", "https://10.0.0.2:443", "https://bmc7.example:8443"]);
//! # Ok::<(), ochami_redfish::Error>(())
//! ```

use std::collections::BTreeSet;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use ipnet::IpNet;
use serde::Serialize;
use serde_json::Value;

use crate::client::{ClientOptions, fetch_service_root};
use crate::error::{Error, Result, TargetError};
use crate::resources::ServiceRoot;
use crate::retry::RetryPolicy;
use crate::secret::Credentials;
use crate::transport::Transport;

/// `http` or `https`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// Plain HTTP (simulators, labs).
    Http,
    /// HTTPS (the default; what BMCs speak).
    #[default]
    Https,
}

impl Scheme {
    /// `"http"` or `"https"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

impl FromStr for Scheme {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "http" => Ok(Scheme::Http),
            "https" => Ok(Scheme::Https),
            _ => Err(Error::InvalidTarget {
                input: s.to_owned(),
                message: "scheme must be http or https".into(),
            }),
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `scheme://host:port` to probe.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ScanTarget {
    /// `http` or `https`.
    pub scheme: Scheme,
    /// An IP address or a host name (lower-cased).
    pub host: String,
    /// The TCP port.
    pub port: u16,
}

impl ScanTarget {
    /// A target from its parts.
    pub fn new(scheme: Scheme, host: impl Into<String>, port: u16) -> Self {
        ScanTarget {
            scheme,
            host: host.into().to_ascii_lowercase(),
            port,
        }
    }

    /// The host as an IP address, if it is one.
    pub fn ip(&self) -> Option<IpAddr> {
        self.host.trim_matches(['[', ']']).parse().ok()
    }

    /// `scheme://host:port` (IPv6 in brackets).
    pub fn base_url(&self) -> String {
        match self.ip() {
            Some(IpAddr::V6(v6)) => format!("{}://[{v6}]:{}", self.scheme, self.port),
            _ => format!("{}://{}:{}", self.scheme, self.host, self.port),
        }
    }

    /// Sort key: IP addresses numerically (v4 before v6), then host names, then port.
    pub(crate) fn sort_key(&self) -> (u8, u128, String, u16) {
        match self.ip() {
            Some(IpAddr::V4(v4)) => (0, u32::from(v4) as u128, String::new(), self.port),
            Some(IpAddr::V6(v6)) => (1, u128::from(v6), String::new(), self.port),
            None => (2, 0, self.host.clone(), self.port),
        }
    }
}

impl fmt::Display for ScanTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base_url())
    }
}

impl PartialOrd for ScanTarget {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ScanTarget {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.sort_key(), self.scheme).cmp(&(other.sort_key(), other.scheme))
    }
}

/// What to scan: CIDRs and hosts, each tried on every port (unless a host names its own).
#[derive(Debug, Clone)]
pub struct TargetSpec {
    cidrs: Vec<String>,
    hosts: Vec<String>,
    ports: Vec<u16>,
    scheme: Scheme,
    max_addresses: usize,
}

impl Default for TargetSpec {
    fn default() -> Self {
        Self::new()
    }
}

impl TargetSpec {
    /// Default cap on the addresses one CIDR may expand to (a /16).
    pub const DEFAULT_MAX_ADDRESSES: usize = 65_536;

    /// An empty spec: https, port 443, CIDRs up to a /16.
    pub fn new() -> Self {
        TargetSpec {
            cidrs: Vec::new(),
            hosts: Vec::new(),
            ports: Vec::new(),
            scheme: Scheme::Https,
            max_addresses: Self::DEFAULT_MAX_ADDRESSES,
        }
    }

    /// Adds a CIDR (`10.0.0.0/24`) or a single address.
    pub fn cidr(mut self, cidr: impl Into<String>) -> Self {
        self.cidrs.push(cidr.into());
        self
    }

    /// Adds a host: `name`, `ip`, `host:port`, `[v6]:port` or `scheme://host[:port]`; a
    /// string with a `/` prefix length is taken as a CIDR.
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.hosts.push(host.into());
        self
    }

    /// Sets the ports tried on every host without its own port (default `[443]`).
    pub fn ports(mut self, ports: impl IntoIterator<Item = u16>) -> Self {
        self.ports = ports.into_iter().collect();
        self
    }

    /// Sets the default scheme (default https).
    pub fn scheme(mut self, scheme: Scheme) -> Self {
        self.scheme = scheme;
        self
    }

    /// Caps the number of addresses a single CIDR may expand to.
    pub fn max_addresses(mut self, max: usize) -> Self {
        self.max_addresses = max;
        self
    }

    /// The targets, deduplicated and sorted (addresses numerically).
    pub fn expand(&self) -> Result<Vec<ScanTarget>> {
        let ports: Vec<u16> = if self.ports.is_empty() {
            vec![match self.scheme {
                Scheme::Https => 443,
                Scheme::Http => 80,
            }]
        } else {
            self.ports.clone()
        };
        let mut out = BTreeSet::new();
        let mut add_ip = |ip: IpAddr, scheme: Scheme, port: Option<u16>| {
            for p in port.map_or_else(|| ports.clone(), |p| vec![p]) {
                out.insert(ScanTarget::new(scheme, ip.to_string(), p));
            }
        };
        for c in &self.cidrs {
            for ip in expand_cidr(c, self.max_addresses)? {
                add_ip(ip, self.scheme, None);
            }
        }
        let mut named = Vec::new();
        for h in &self.hosts {
            // `user:password@host` is refused without echoing the user info.
            if let Some((_, host)) = h.rsplit_once('@') {
                return Err(Error::InvalidTarget {
                    input: format!("***@{host}"),
                    message: "credentials in a target are not accepted; pass them as options"
                        .into(),
                });
            }
            let (scheme, rest) = split_scheme(h, self.scheme)?;
            if rest.contains('/') {
                for ip in expand_cidr(rest, self.max_addresses)? {
                    add_ip(ip, scheme, None);
                }
                continue;
            }
            let (host, port) = split_port(rest).map_err(|message| Error::InvalidTarget {
                input: h.clone(),
                message,
            })?;
            match host.parse::<IpAddr>() {
                Ok(ip) => add_ip(ip, scheme, port),
                Err(_) => {
                    if !valid_hostname(host) {
                        return Err(Error::InvalidTarget {
                            input: h.clone(),
                            message: "not an IP address or a host name".into(),
                        });
                    }
                    named.push((scheme, host.to_owned(), port));
                }
            }
        }
        for (scheme, host, port) in named {
            for p in port.map_or_else(|| ports.clone(), |p| vec![p]) {
                out.insert(ScanTarget::new(scheme, host.clone(), p));
            }
        }
        Ok(out.into_iter().collect())
    }
}

fn split_scheme(input: &str, default: Scheme) -> Result<(Scheme, &str)> {
    let input = input.trim();
    match input.split_once("://") {
        Some((s, rest)) => Ok((s.parse()?, rest.trim_end_matches('/'))),
        None => Ok((default, input)),
    }
}

fn split_port(s: &str) -> std::result::Result<(&str, Option<u16>), String> {
    let bad_port = |p: &str| format!("bad port {p:?}");
    if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or("unclosed '['")?;
        return match after.strip_prefix(':') {
            Some(p) => Ok((host, Some(p.parse().map_err(|_| bad_port(p))?))),
            None if after.is_empty() => Ok((host, None)),
            None => Err("junk after ']'".into()),
        };
    }
    if s.matches(':').count() > 1 {
        return Ok((s, None)); // a bare IPv6 address
    }
    match s.split_once(':') {
        Some((h, p)) => Ok((h, Some(p.parse().map_err(|_| bad_port(p))?))),
        None => Ok((s, None)),
    }
}

fn valid_hostname(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// The usable host addresses of a CIDR (or the one address of a bare IP), capped at `max`.
pub fn expand_cidr(input: &str, max: usize) -> Result<Vec<IpAddr>> {
    let s = input.trim();
    let net: IpNet = match s.parse() {
        Ok(n) => n,
        Err(_) => match s.parse::<IpAddr>() {
            Ok(ip) => IpNet::from(ip),
            Err(_) => {
                return Err(Error::InvalidTarget {
                    input: input.to_owned(),
                    message: "not a CIDR or IP address".into(),
                });
            }
        },
    };
    let bits = net.max_prefix_len() - net.prefix_len();
    let count: u128 = if bits >= 128 {
        u128::MAX
    } else {
        1u128 << bits
    };
    if count > max as u128 {
        return Err(Error::TooManyTargets {
            cidr: input.to_owned(),
            count,
            limit: max,
        });
    }
    // `hosts()` skips the network and broadcast addresses of IPv4 nets up to /30 and keeps
    // both addresses of a /31 and the single one of a /32.
    Ok(net.trunc().hosts().collect())
}

/// Options of a scan.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Probes in flight at once.
    pub concurrency: usize,
    /// Limit of each probe request.
    pub request_timeout: Duration,
    /// Retries of a probe (connect errors, 5xx, 429). Default: none, a scan should be quick.
    pub retry: RetryPolicy,
    /// Credentials sent only if a BMC refuses the anonymous service-root read.
    pub credentials: Option<Credentials>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            concurrency: 64,
            request_timeout: Duration::from_secs(5),
            retry: RetryPolicy::none(),
            credentials: None,
        }
    }
}

/// What a service root says about a BMC.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RedfishService {
    /// `RedfishVersion`.
    pub redfish_version: Option<String>,
    /// `Vendor`.
    pub vendor: Option<String>,
    /// `Product`.
    pub product: Option<String>,
    /// `UUID` of the service.
    pub uuid: Option<String>,
}

impl RedfishService {
    /// The summary of a service root.
    pub fn from_root(root: &ServiceRoot) -> Self {
        RedfishService {
            redfish_version: root.redfish_version.clone(),
            vendor: root.vendor.clone(),
            product: root.product.clone(),
            uuid: root.uuid.clone(),
        }
    }
}

/// The probe of one target.
#[derive(Debug, Clone, Serialize)]
pub struct ScanResult {
    /// The target probed.
    pub target: ScanTarget,
    /// The service found, or why none was.
    #[serde(flatten)]
    pub outcome: ScanOutcome,
}

/// Found a BMC, or not.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ScanOutcome {
    /// A Redfish service root answered.
    Found {
        /// What it says about itself.
        service: RedfishService,
    },
    /// No Redfish service (unreachable, TLS, not Redfish, ...).
    Failed {
        /// Why.
        error: TargetError,
    },
}

impl ScanResult {
    /// The service, when the target is a BMC.
    pub fn service(&self) -> Option<&RedfishService> {
        match &self.outcome {
            ScanOutcome::Found { service } => Some(service),
            ScanOutcome::Failed { .. } => None,
        }
    }
}

/// Probes one target: `GET /redfish/v1/`, returning the raw service root.
pub async fn probe(
    transport: &dyn Transport,
    target: &ScanTarget,
    options: &ScanOptions,
) -> Result<Value> {
    let client_options = ClientOptions {
        credentials: options.credentials.clone(),
        request_timeout: options.request_timeout,
        retry: options.retry,
        ..ClientOptions::default()
    };
    fetch_service_root(transport, &target.base_url(), &client_options).await
}

/// Probes every target with bounded concurrency; results come back in target order.
pub async fn scan(
    transport: Arc<dyn Transport>,
    targets: &[ScanTarget],
    options: &ScanOptions,
) -> Vec<ScanResult> {
    futures::stream::iter(targets.iter().map(|t| {
        let transport = transport.clone();
        async move {
            let outcome = match probe(&*transport, t, options).await {
                Ok(v) => ScanOutcome::Found {
                    service: RedfishService::from_root(&ServiceRoot::from_value(&v)),
                },
                Err(e) => ScanOutcome::Failed { error: e.into() },
            };
            ScanResult {
                target: t.clone(),
                outcome,
            }
        }
    }))
    .buffered(options.concurrency.max(1))
    .collect()
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_skips_network_and_broadcast() {
        let ips = expand_cidr("10.0.0.5/29", 1000).unwrap();
        let s: Vec<String> = ips.iter().map(|i| i.to_string()).collect();
        assert_eq!(
            s,
            [
                "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"
            ]
        );
        assert_eq!(expand_cidr("10.0.0.7/32", 10).unwrap().len(), 1);
        assert_eq!(expand_cidr("10.0.0.6/31", 10).unwrap().len(), 2);
        assert_eq!(expand_cidr("10.0.0.7", 10).unwrap().len(), 1);
        assert_eq!(expand_cidr("10.0.0.0/24", 1000).unwrap().len(), 254);
    }

    #[test]
    fn cidr_cap_is_a_clear_error() {
        let e = expand_cidr("10.0.0.0/8", 65_536).unwrap_err();
        assert!(e.to_string().contains("16777216"), "{e}");
        assert_eq!(e.kind(), crate::ErrorKind::Config);
        assert!(expand_cidr("::/0", 65_536).is_err());
        assert!(expand_cidr("banana", 10).is_err());
    }

    #[test]
    fn hosts_ports_and_schemes() {
        let t = TargetSpec::new()
            .host("http://10.0.0.9:8000")
            .host("[fe80::1]:8443")
            .host("BMC1.example")
            .host("10.0.0.2")
            .ports([443, 5000])
            .expand()
            .unwrap();
        let urls: Vec<String> = t.iter().map(|t| t.base_url()).collect();
        assert_eq!(
            urls,
            [
                "https://10.0.0.2:443",
                "https://10.0.0.2:5000",
                "http://10.0.0.9:8000",
                "https://[fe80::1]:8443",
                "https://bmc1.example:443",
                "https://bmc1.example:5000"
            ]
        );
        assert!(TargetSpec::new().host("bad host!").expand().is_err());
        assert!(TargetSpec::new().host("h:99999").expand().is_err());
        assert!(TargetSpec::new().host("ftp://h").expand().is_err());
        assert_eq!(
            TargetSpec::new()
                .scheme(Scheme::Http)
                .host("h")
                .expand()
                .unwrap()[0]
                .base_url(),
            "http://h:80"
        );
    }

    #[test]
    fn sorted_numerically() {
        let t = TargetSpec::new()
            .host("10.0.0.10")
            .host("10.0.0.9")
            .expand()
            .unwrap();
        assert_eq!(t[0].host, "10.0.0.9");
    }

    #[test]
    fn credentials_in_a_target_are_refused_unseen() {
        let err = TargetSpec::new()
            .host("https://root:hunter2@bmc7.example:8443")
            .expand()
            .unwrap_err()
            .to_string();
        assert!(err.contains("***@bmc7.example:8443"), "{err}");
        assert!(!err.contains("hunter2") && !err.contains("root"), "{err}");
    }
}
