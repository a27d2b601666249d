//! Crawling one BMC into a [`BmcInventory`].
//!
//! The crawl reads, in this order: the Systems collection; the Chassis collection and every
//! system linked from `Chassis/*/Links/ComputerSystems` (some BMCs list nodes only there),
//! merged with `/Systems` by `@odata.id` so that nothing gathered from either side is lost
//! (Magellan overwrites the chassis side, magellan #141); each system's
//! EthernetInterfaces, and its Processors and Memory collections only when
//! `ProcessorSummary.Count` / `MemorySummary.TotalSystemMemoryGiB` are missing or zero;
//! the Managers and their EthernetInterfaces (kept even without IPv4, unlike Magellan).
//!
//! Systems are sorted by `@odata.id` (digit runs compared as numbers, so `Node2` comes
//! before `Node10`) and become nodes `<bmc xname>n0`, `n1`, ... through
//! [`EndpointIngest::expand`]; systems without a UUID stay distinct. A BMC without systems
//! (a chassis controller) yields its controller and no node.
//!
//! The BMC's MAC (`MACAddr`) is the MAC of the manager NIC holding the scanned IPv4
//! address; when none holds it (Magellan then leaves `MACAddr` out, magellan #92), the first
//! MAC of a manager of type `BMC`, else of any manager. No password is put in the
//! endpoint (`Password` stays empty, as in Magellan's body), so reports can be printed.
//!
//! Failures of the top-level collections (and auth, TLS, timeouts) fail the crawl;
//! failures of optional sub-resources become [`BmcInventory::warnings`].
//!
//! ```
//! # #[cfg(feature = "sim")]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> ochami_redfish::Result<()> {
//! use std::sync::Arc;
//! use ochami_redfish::sim::{SimBmc, SimBmcConfig, SyntheticBmc};
//! use ochami_redfish::{ClientOptions, CrawlOptions, HttpTransport, RedfishClient, TransportOptions, crawl};
//!
//! let bmc = SimBmc::spawn(SimBmcConfig::new(SyntheticBmc::new(0, 2).build())).await?;
//! let transport = Arc::new(HttpTransport::new(&TransportOptions::default())?);
//! let client = RedfishClient::connect(transport, &bmc.base_url(), ClientOptions::default()).await?;
//! let xname = "x1000c0s0b0".parse().unwrap();
//! let inventory = crawl(&client, &bmc.target(), xname, &CrawlOptions::default()).await?;
//! client.close().await;
//! let nodes: Vec<String> = inventory.nodes().iter().map(|x| x.to_string()).collect();
//! assert_eq!(nodes, ["x1000c0s0b0n0", "x1000c0s0b0n1"]);
//! assert_eq!(inventory.ingest.systems[0].ethernet_interfaces.len(), 2);
//! # Ok(()) }
//! # #[cfg(not(feature = "sim"))]
//! # fn main() {}
//! ```

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::net::IpAddr;

use futures::StreamExt;
use ochami_core::ingest::{
    EndpointIngest, InterfaceDetail, Inventory, LinksDetail, ManagerDetail, PowerDetail,
    SystemDetail,
};
use ochami_core::{MacAddr, RedfishEndpoint, Xname};
use serde::Serialize;
use serde_json::Value;

use crate::auth::AuthKind;
use crate::client::RedfishClient;
use crate::error::{Error, Result};
use crate::resources::{
    Chassis, ComputerSystem, EthernetInterface, Manager, Memory, Processor, lenient,
};
use crate::scan::{RedfishService, ScanTarget};

/// What to read beyond the essentials.
#[derive(Debug, Clone)]
pub struct CrawlOptions {
    /// Walk the Chassis collection for systems linked only there (and power controls).
    pub chassis: bool,
    /// Read the Processors and Memory collections when the summaries are missing.
    pub summaries_fallback: bool,
}

impl Default for CrawlOptions {
    fn default() -> Self {
        CrawlOptions {
            chassis: true,
            summaries_fallback: true,
        }
    }
}

/// Everything found behind one BMC.
#[derive(Debug, Clone, Serialize)]
pub struct BmcInventory {
    /// The BMC's xname.
    pub xname: Xname,
    /// Where it was reached.
    pub target: ScanTarget,
    /// What its service root says.
    pub service: RedfishService,
    /// How the crawl authenticated.
    pub auth: AuthKind,
    /// The SMD ingest body (`POST /hsm/v2/Inventory/RedfishEndpoints`).
    pub ingest: EndpointIngest,
    /// The ingest expanded into SMD inventory (components, endpoints, NICs, hardware).
    pub inventory: Inventory,
    /// Optional resources that could not be read.
    pub warnings: Vec<String>,
}

impl BmcInventory {
    /// The same inventory under another xname (re-expanded).
    pub fn with_xname(mut self, xname: Xname) -> Result<Self> {
        self.ingest.endpoint.id = xname;
        self.ingest.endpoint.hms_type = xname.hms_type();
        self.inventory = self.ingest.expand().map_err(|source| Error::Ingest {
            target: self.target.base_url(),
            source,
        })?;
        self.xname = xname;
        Ok(self)
    }

    /// The node xnames, in order.
    pub fn nodes(&self) -> Vec<Xname> {
        self.inventory
            .components
            .iter()
            .map(|c| c.id)
            .filter(|id| *id != self.xname)
            .collect()
    }
}

/// Crawls one connected BMC. `xname` must be a controller xname (NodeBMC for a BMC with
/// systems).
pub async fn crawl(
    client: &RedfishClient,
    target: &ScanTarget,
    xname: Xname,
    options: &CrawlOptions,
) -> Result<BmcInventory> {
    let mut warnings = Vec::new();
    let root = client.service_root().clone();

    // Systems, keyed by @odata.id.
    let mut systems: BTreeMap<String, (Value, ComputerSystem)> = BTreeMap::new();
    if let Some(path) = &root.systems {
        for v in client.get_members(path).await? {
            insert_system(&mut systems, v);
        }
    }

    // Chassis: systems linked only there, chassis links and power controls.
    let mut power_controls: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if options.chassis
        && let Some(path) = &root.chassis
    {
        let chassis: Vec<Chassis> = client
            .get_members(path)
            .await?
            .iter()
            .map(Chassis::from_value)
            .collect();
        for ch in &chassis {
            let Some(ch_id) = &ch.odata_id else { continue };
            let mut controls = Vec::new();
            if !ch.computer_systems.is_empty()
                && let Some(power) = &ch.power
                && let Some(p) = tolerate(client.get(power).await, &mut warnings)?
            {
                controls = power_control_ids(&p);
            }
            for sys_id in &ch.computer_systems {
                if !systems.contains_key(sys_id) {
                    match tolerate(client.get(sys_id).await, &mut warnings)? {
                        Some(v) => insert_system(&mut systems, v),
                        None => continue,
                    }
                }
                if let Some((_, s)) = systems.get_mut(sys_id) {
                    if !s.chassis.contains(ch_id) {
                        s.chassis.push(ch_id.clone());
                    }
                    power_controls
                        .entry(sys_id.clone())
                        .or_default()
                        .extend(controls.iter().cloned());
                }
            }
        }
    }

    let mut ordered: Vec<(String, ComputerSystem)> =
        systems.into_iter().map(|(k, (_, s))| (k, s)).collect();
    ordered.sort_by(|a, b| natural_cmp(&a.0, &b.0));

    let parallel = client.options().max_parallel_requests.clamp(1, 4);
    let futures: Vec<_> = ordered
        .iter()
        .map(|(id, s)| {
            let controls = power_controls.get(id).cloned().unwrap_or_default();
            system_detail(client, s, controls, options)
        })
        .collect();
    let details: Vec<Result<(SystemDetail, Vec<String>)>> = futures::stream::iter(futures)
        .buffered(parallel)
        .collect()
        .await;
    let mut system_details = Vec::with_capacity(details.len());
    for d in details {
        let (detail, w) = d?;
        warnings.extend(w);
        system_details.push(detail);
    }

    // Managers and their NICs.
    let mut managers: Vec<(Manager, Vec<EthernetInterface>)> = Vec::new();
    if let Some(path) = &root.managers {
        for v in client.get_members(path).await? {
            let m = Manager::from_value(&v);
            let nics = read_nics(client, m.ethernet_interfaces.as_deref(), &mut warnings).await?;
            managers.push((m, nics));
        }
    }
    managers.sort_by(|a, b| {
        natural_cmp(
            a.0.odata_id.as_deref().unwrap_or(""),
            b.0.odata_id.as_deref().unwrap_or(""),
        )
    });

    let bmc_mac = bmc_mac(&managers, target.ip());
    let host_port = match (target.scheme, target.port) {
        (crate::Scheme::Https, 443) | (crate::Scheme::Http, 80) => target.host.clone(),
        _ => format!("{}:{}", bracket(&target.host), target.port),
    };
    let mut endpoint = RedfishEndpoint::new(xname, &target.host);
    endpoint.fqdn = host_port;
    endpoint.uuid = root.uuid.clone().unwrap_or_default();
    endpoint.user = client
        .options()
        .credentials
        .as_ref()
        .map(|c| c.username.clone())
        .unwrap_or_default();
    endpoint.mac_addr = bmc_mac;
    endpoint.name = root.product.clone().unwrap_or_default();

    let base = client.base_url();
    let ingest = EndpointIngest {
        endpoint,
        schema_version: 1,
        systems: system_details,
        managers: managers
            .iter()
            .map(|(m, nics)| ManagerDetail {
                uri: full_uri(base, m.odata_id.as_deref()),
                uuid: m.uuid.clone().unwrap_or_default(),
                name: m.name.clone().unwrap_or_default(),
                description: m.description.clone().unwrap_or_default(),
                model: m.model.clone().unwrap_or_default(),
                manager_type: m.manager_type.clone().unwrap_or_default(),
                firmware_version: m.firmware_version.clone().unwrap_or_default(),
                ethernet_interfaces: nics.iter().map(|n| interface_detail(base, n)).collect(),
            })
            .collect(),
    };
    let inventory = ingest.expand().map_err(|source| Error::Ingest {
        target: target.base_url(),
        source,
    })?;
    Ok(BmcInventory {
        xname,
        target: target.clone(),
        service: RedfishService::from_root(&root),
        auth: client.auth_kind(),
        ingest,
        inventory,
        warnings,
    })
}

fn insert_system(map: &mut BTreeMap<String, (Value, ComputerSystem)>, v: Value) {
    let s = ComputerSystem::from_value(&v);
    if let Some(id) = s.odata_id.clone() {
        // First reader wins; a later copy only adds chassis links it lacks.
        map.entry(id).or_insert((v, s));
    }
}

/// Errors an optional sub-resource may have without failing the crawl.
fn soft(e: &Error) -> bool {
    matches!(
        e,
        Error::Http { .. } | Error::Parse { .. } | Error::Protocol { .. }
    )
}

/// The value of an optional read; a soft error becomes a warning and `None`.
fn tolerate<T>(result: Result<T>, warnings: &mut Vec<String>) -> Result<Option<T>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if soft(&e) => {
            warnings.push(e.to_string());
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The NICs of an EthernetInterfaces collection, if linked; none (and a warning) when
/// it cannot be read.
async fn read_nics(
    client: &RedfishClient,
    path: Option<&str>,
    warnings: &mut Vec<String>,
) -> Result<Vec<EthernetInterface>> {
    let Some(path) = path else {
        return Ok(Vec::new());
    };
    let members = tolerate(client.get_members(path).await, warnings)?.unwrap_or_default();
    Ok(members.iter().map(EthernetInterface::from_value).collect())
}

async fn system_detail(
    client: &RedfishClient,
    s: &ComputerSystem,
    power_control_ids: Vec<String>,
    options: &CrawlOptions,
) -> Result<(SystemDetail, Vec<String>)> {
    let mut warnings = Vec::new();
    let base = client.base_url();
    let nics = read_nics(client, s.ethernet_interfaces.as_deref(), &mut warnings).await?;

    let mut processor_count = s.processor_count.filter(|c| *c > 0);
    let mut processor_model = s.processor_model.clone();
    if options.summaries_fallback
        && (processor_count.is_none() || processor_model.is_none())
        && let Some(p) = &s.processors
        && let Some(members) = tolerate(client.get_members(p).await, &mut warnings)?
    {
        let cpus: Vec<Processor> = members
            .iter()
            .map(Processor::from_value)
            .filter(Processor::is_present_cpu)
            .collect();
        processor_count = processor_count.or(Some(cpus.len() as u64));
        processor_model = processor_model.or_else(|| cpus.iter().find_map(|c| c.model.clone()));
    }

    let mut memory_gib = s.memory_gib.filter(|g| *g > 0.0);
    if options.summaries_fallback
        && memory_gib.is_none()
        && let Some(p) = &s.memory
        && let Some(members) = tolerate(client.get_members(p).await, &mut warnings)?
    {
        // Saturating: capacities are whatever the BMC claims.
        let mib = members
            .iter()
            .map(|m| Memory::from_value(m).installed_mib())
            .fold(0u64, u64::saturating_add);
        memory_gib = Some(mib as f64 / 1024.0);
    }

    let detail = SystemDetail {
        uri: full_uri(base, s.odata_id.as_deref()),
        uuid: s.uuid.clone().unwrap_or_default(),
        manufacturer: s.asset.manufacturer.clone().unwrap_or_default(),
        system_type: s.system_type.clone().unwrap_or_default(),
        name: s.name.clone().unwrap_or_default(),
        model: s.asset.model.clone().unwrap_or_default(),
        serial: s.asset.serial_number.clone().unwrap_or_default(),
        bios_version: s.bios_version.clone().unwrap_or_default(),
        ethernet_interfaces: nics.iter().map(|n| interface_detail(base, n)).collect(),
        actions: s.reset_types.clone(),
        power: PowerDetail {
            state: s.power_state.clone().unwrap_or_default(),
            power_control_ids,
        },
        processor_count: processor_count
            .and_then(|c| u32::try_from(c).ok())
            .unwrap_or(0),
        processor_type: processor_model.unwrap_or_default(),
        memory_total: memory_gib.unwrap_or(0.0),
        links: LinksDetail {
            chassis: s.chassis.clone(),
            managers: s.managed_by.clone(),
        },
    };
    Ok((detail, warnings))
}

fn interface_detail(base: &str, n: &EthernetInterface) -> InterfaceDetail {
    InterfaceDetail {
        uri: full_uri(base, n.odata_id.as_deref()),
        mac: n.effective_mac().map(|m| m.to_string()).unwrap_or_default(),
        ip: n
            .ipv4
            .first()
            .or(n.ipv4_static.first())
            .map(|ip| ip.to_string())
            .unwrap_or_default(),
        name: n.name.clone().unwrap_or_default(),
        description: n.description.clone().unwrap_or_default(),
        enabled: n.enabled,
    }
}

fn full_uri(base: &str, path: Option<&str>) -> String {
    match path {
        Some(p) if p.starts_with('/') => format!("{base}{p}"),
        Some(p) => p.to_owned(),
        None => String::new(),
    }
}

fn bracket(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

fn power_control_ids(power: &Value) -> Vec<String> {
    match power.get("PowerControl") {
        Some(Value::Array(items)) => items.iter().filter_map(lenient::odata_id).collect(),
        _ => Vec::new(),
    }
}

/// The BMC's own MAC: the manager NIC holding the scanned IP, else the first MAC of a
/// `BMC`-type manager, else of any manager.
fn bmc_mac(managers: &[(Manager, Vec<EthernetInterface>)], ip: Option<IpAddr>) -> Option<MacAddr> {
    if let Some(IpAddr::V4(v4)) = ip
        && let Some(mac) = managers
            .iter()
            .flat_map(|(_, nics)| nics)
            .find(|n| n.has_ipv4(v4))
            .and_then(EthernetInterface::effective_mac)
    {
        return Some(mac);
    }
    let is_bmc = |m: &Manager| {
        m.manager_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("BMC"))
    };
    let first = |pred: &dyn Fn(&Manager) -> bool| {
        managers
            .iter()
            .filter(|(m, _)| pred(m))
            .flat_map(|(_, nics)| nics)
            .find_map(EthernetInterface::effective_mac)
    };
    first(&is_bmc).or_else(|| first(&|_| true))
}

/// Compares strings with digit runs as numbers (`Node2` < `Node10`), then bytewise.
pub(crate) fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let nx = x.iter().take_while(|c| c.is_ascii_digit()).count();
                let ny = y.iter().take_while(|c| c.is_ascii_digit()).count();
                let (dx, dy) = (trim_zeros(&x[..nx]), trim_zeros(&y[..ny]));
                let ord = dx.len().cmp(&dy.len()).then_with(|| dx.cmp(dy));
                if ord != Ordering::Equal {
                    return ord;
                }
                x = &x[nx..];
                y = &y[ny..];
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(d);
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
}

fn trim_zeros(d: &[u8]) -> &[u8] {
    let n = d.iter().take_while(|c| **c == b'0').count();
    &d[n..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut v = vec!["/S/Node10", "/S/Node2", "/S/Node1", "/S/a", "/S/Node02x"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            v,
            ["/S/Node1", "/S/Node2", "/S/Node02x", "/S/Node10", "/S/a"]
        );
        assert_eq!(natural_cmp("x", "x"), Ordering::Equal);
        assert_ne!(natural_cmp("n01", "n1"), Ordering::Equal);
    }

    #[test]
    fn power_controls_are_tolerant() {
        let p =
            serde_json::json!({"PowerControl": [{"@odata.id": "/c/1/Power#/PowerControl/0"}, 5]});
        assert_eq!(power_control_ids(&p), vec!["/c/1/Power#/PowerControl/0"]);
        assert!(power_control_ids(&serde_json::json!({"PowerControl": "x"})).is_empty());
    }
}
