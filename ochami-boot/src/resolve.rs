//! Boot resolution: which node a request names and which configuration it boots with. One
//! rule for every store backend and for both boot APIs (BSS `/boot/v1` and boot-service
//! `/boot-service`), read through a [`BootSource`].
//!
//! # The rule
//!
//! 1. **Find the node.** Only a component of type `Node` (or `VirtualNode`) whose state is
//!    not `Empty` counts (BSS's MAC look-up skips `Empty` ones; we do so for every key).
//!    * `mac=`: the ethernet interface with that MAC, then its `ComponentID`.
//!    * `name=` / `host=`: the component with that xname.
//!    * `nid=`: the node with that NID.
//! 2. **What identifies it** ([`BootSelection`]): its MACs (by MAC: the requested one; by
//!    name or NID: its interfaces' MACs in id order), xname, NID, role and SMD groups.
//! 3. **Candidates.** The BSS rows stored under one of its MACs, its xname, its NID, its role
//!    or `Default`, and the boot-service configurations whose selectors match it. Without a
//!    known node only what names the request exactly counts: the BSS row under the requested
//!    MAC, xname or NID, and configurations listing it (no role, `Default`, group, pattern or
//!    catch-all): BSS stores boot data for machines SMD does not know, and they still boot.
//! 4. **Score** ([`score`]), boot-service's table for its configurations:
//!    * +100 per `macs` entry that is one of the node's MACs,
//!    * +75 per `nids` entry equal to its NID,
//!    * +50 per `hosts` entry matching its xname (exactly, `*`, or a prefix ending in `*`),
//!    * +25 per `groups` entry it is a member of,
//!    * 1 for a configuration without selectors (a catch-all);
//!
//!    and for a BSS row, whose one name keeps BSS's order (MAC > xname > NID > role >
//!    `Default`): 100 under a MAC, 80 under the xname, 75 under the NID, 25 under the role,
//!    1 under `Default`.
//! 5. **Pick** the highest score; ties go to the higher `priority` (BSS rows have 0), then
//!    the name in ascending order (a BSS row is named `legacy-<name>`, so of two MAC rows
//!    the lower MAC wins, as BSS's interface order has it), then the uid.
//! 6. **Decide.** A winner with a kernel boots ([`BootDecision::Boot`] for a BSS row,
//!    [`BootDecision::Configured`] for a boot-service configuration). Otherwise (nothing
//!    found, or a BSS winner without a kernel) the node is *unknown*: with `arch=` set and
//!    parameters stored under `Unknown-<arch>` that have a kernel,
//!    [`BootDecision::Discovery`]; else [`BootDecision::Wait`], the script that sleeps and
//!    chains back with `arch=${buildarch}`.
//!
//! # Differences from BSS and boot-service
//!
//! * The same fallbacks in every backend. BSS's Postgres mode has no role, `Default` or
//!   `Unknown-<arch>` fallback and can answer 500 to an unknown node with `arch=`.
//! * MAC-specific parameters come before the xname's (BSS maps known MACs to the xname when
//!   storing; our stores keep the MAC, so the more specific name must win on reading).
//! * A Redfish endpoint's `Enabled` flag is not consulted; BSS treats nodes behind a disabled
//!   endpoint as unknown.
//! * Unknown nodes asking with `arch=` but with no `Unknown-<arch>` parameters keep polling
//!   (the wait script) instead of getting a 404.
//! * boot-service finds nodes only in its own copy of SMD (synced every 5 minutes, boot MAC =
//!   the last interface); here the node is read from the inventory itself, every MAC of it
//!   counts, and `hosts` patterns match (upstream compares them exactly). Hostnames are not
//!   matched: SMD components have none.

use ochami_core::{
    BootConfig, BootConfiguration, BootKey, BootOrigin, BootSelection, Component, MacAddr, Role,
    State, Xname, host_matches,
};

use crate::{BootRequest, BootSource, BootTarget, Result};

/// The name tag of the last-resort parameters.
pub const DEFAULT_TAG: &str = "Default";

/// The prefix of the parameters unknown nodes boot for discovery (`Unknown-x86_64`).
pub const UNKNOWN_PREFIX: &str = "Unknown-";

/// A node the inventory knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BootNode {
    /// Its xname.
    pub xname: Xname,
    /// Its NID, if it has one.
    pub nid: Option<i64>,
    /// Its role, if it has one.
    pub role: Option<Role>,
}

impl BootNode {
    /// The node view of a component, when it is a present node.
    pub fn of(c: &Component) -> Option<Self> {
        let present = c.is_node() && c.state != Some(State::Empty);
        present.then_some(BootNode {
            xname: c.id,
            nid: c.nid,
            role: c.role,
        })
    }
}

/// What a request resolves to.
#[derive(Debug, Clone, PartialEq)]
pub enum BootDecision {
    /// Boot with a boot-service configuration.
    Configured {
        /// Its uid.
        uid: String,
        /// What it boots (`kernel` is not empty).
        config: BootConfig,
    },
    /// Boot with the BSS parameters stored under `key`.
    Boot {
        /// Where they were found.
        key: BootKey,
        /// The parameters (`kernel` is not empty).
        config: BootConfig,
    },
    /// An unknown node (or one without a kernel) boots the `Unknown-<arch>` parameters.
    Discovery {
        /// `Unknown-<arch>`.
        key: BootKey,
        /// The parameters (`kernel` is not empty).
        config: BootConfig,
    },
    /// An unknown node with nothing to boot: sleep, then ask again with `arch=${buildarch}`.
    Wait,
}

/// The outcome of [`resolve`]: the node, the MAC for the chain line and the decision.
/// Render it with [`crate::render_script`] or [`crate::render_json`].
#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
    /// The node, when the inventory knows it.
    pub node: Option<BootNode>,
    /// The MAC chain lines name: the requested one, else the node's first interface's.
    pub mac: Option<MacAddr>,
    /// What to serve.
    pub decision: BootDecision,
}

impl Resolution {
    /// The known node that boots with stored parameters: what BSS records in its endpoint
    /// history for a bootscript request (unknown nodes and discovery or wait scripts are not
    /// recorded).
    pub fn booting_node(&self) -> Option<Xname> {
        match (&self.node, &self.decision) {
            (Some(node), BootDecision::Boot { .. } | BootDecision::Configured { .. }) => {
                Some(node.xname)
            }
            _ => None,
        }
    }
}

/// Resolve a request against the store (see the module docs for the algorithm).
///
/// An unknown node is not an error: it resolves to [`BootDecision::Wait`] or
/// [`BootDecision::Discovery`]. Errors are failures of the source only.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use ochami_boot::{BootDecision, BootRequest, resolve};
/// use ochami_core::{BootParams, Component, Role, State};
///
/// let store = ochami_store::open("memory:").await?;
/// let node = Component::new("x1000c0s0b0n0".parse()?).with_state(State::Ready).with_role(Role::Compute);
/// store.upsert_components(&[node], false).await?;
/// store.set_boot_params(&BootParams { hosts: vec!["Compute".into()], kernel: "http://s/vmlinuz".into(), ..Default::default() }).await?;
///
/// let res = resolve(&*store, &BootRequest::name("x1000c0s0b0n0".parse()?)).await?;
/// assert!(matches!(&res.decision, BootDecision::Boot { config, .. } if config.kernel == "http://s/vmlinuz"));
/// assert_eq!(res.booting_node(), Some("x1000c0s0b0n0".parse()?));
/// let res = resolve(&*store, &BootRequest::mac("aa:bb:cc:dd:ee:ff".parse()?)).await?;
/// assert_eq!(res.decision, BootDecision::Wait);
/// assert_eq!(res.booting_node(), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
pub async fn resolve(store: &(impl BootSource + ?Sized), req: &BootRequest) -> Result<Resolution> {
    // By MAC, the boot storm's hot path: one call (one round trip on SQL) returns the node,
    // every BSS row that could apply, the node's groups and the boot-service configurations
    // that may select it. By name or NID (rarer), those are read one by one.
    let (node, macs, bss, prefetched) = match req.target {
        BootTarget::Mac(mac) => {
            let found = store
                .boot_candidates_by_mac(&mac, &[DEFAULT_TAG.to_owned()])
                .await?;
            let node = found.component.as_ref().and_then(BootNode::of);
            let configs = match &node {
                Some(_) => found.configs,
                None => found
                    .configs
                    .into_iter()
                    .filter(|(k, _)| *k == BootKey::Mac(mac))
                    .collect(),
            };
            let groups = if node.is_some() {
                found.groups
            } else {
                Vec::new()
            };
            (
                node,
                vec![mac],
                configs,
                Some((groups, found.configurations)),
            )
        }
        BootTarget::Name(x) => {
            let node = store.component(&x).await?.as_ref().and_then(BootNode::of);
            let (node, macs, bss) = bss_candidates(store, req, node).await?;
            (node, macs, bss, None)
        }
        BootTarget::Nid(n) => {
            let node = node_with_nid(store, n).await?;
            let (node, macs, bss) = bss_candidates(store, req, node).await?;
            (node, macs, bss, None)
        }
    };
    let (groups, prefetched) = match prefetched {
        Some((groups, configurations)) => (groups, Some(configurations)),
        None => match &node {
            Some(n) => (store.group_labels(&n.xname).await?, None),
            None => (Vec::new(), None),
        },
    };
    let selection = BootSelection {
        xname: node.map(|n| n.xname).or(match req.target {
            BootTarget::Name(x) => Some(x),
            _ => None,
        }),
        macs: macs.clone(),
        nid: match (&node, req.target) {
            (Some(n), _) => n.nid.and_then(|n| i32::try_from(n).ok()),
            (None, BootTarget::Nid(n)) => i32::try_from(n).ok(),
            (None, _) => None,
        },
        groups,
        known: node.is_some(),
    };
    let configured = match prefetched {
        Some(c) => c,
        None => store.boot_configurations_for(&selection).await?,
    };
    let role = node.and_then(|n| n.role);
    let candidates = bss
        .into_iter()
        .map(|(k, c)| BootConfiguration::of_bss(k, c))
        .chain(configured);
    let decision = decide(store, req, pick(candidates, &selection, role)).await?;
    let mac = match req.target {
        BootTarget::Mac(m) => Some(m),
        _ => macs.first().copied(),
    };
    Ok(Resolution {
        node,
        mac,
        decision,
    })
}

/// The score of one configuration for a node (step 4 of the module docs); 0 = it does not
/// apply.
///
/// ```
/// use ochami_boot::resolve::score;
/// use ochami_core::{BootConfig, BootConfiguration, BootKey, BootSelection};
/// let node = BootSelection { xname: Some("x1c0s0b0n0".parse()?), nid: Some(4), known: true, ..Default::default() };
/// let bss_nid = BootConfiguration::of_bss(BootKey::Nid(4), BootConfig::default());
/// let bss_name = BootConfiguration::of_bss(BootKey::Host("x1c0s0b0n0".into()), BootConfig::default());
/// assert_eq!(score(&bss_nid, &node, None), 75);
/// assert_eq!(score(&bss_name, &node, None), 80);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn score(config: &BootConfiguration, node: &BootSelection, role: Option<Role>) -> u32 {
    let xname = node.xname.map(|x| x.to_string());
    match &config.origin {
        BootOrigin::Bss(key) => match key {
            BootKey::Mac(m) if node.macs.contains(m) => 100,
            BootKey::Nid(n) if node.nid == Some(*n) => 75,
            BootKey::Host(h) if xname.as_deref() == Some(h.as_str()) => 80,
            BootKey::Host(h) if node.known && h == DEFAULT_TAG => 1,
            BootKey::Host(h) if node.known && role.is_some_and(|r| r.to_string() == *h) => 25,
            _ => 0,
        },
        BootOrigin::BootService => {
            let spec = &config.spec;
            if spec.is_catch_all() {
                return u32::from(node.known);
            }
            let macs = spec
                .macs
                .iter()
                .filter(|m| node.macs.iter().any(|x| x.to_string() == **m))
                .count();
            let nids = spec.nids.iter().filter(|n| node.nid == Some(**n)).count();
            let hosts = xname.as_deref().map_or(0, |x| {
                spec.hosts
                    .iter()
                    .filter(|h| {
                        if node.known {
                            host_matches(h, x)
                        } else {
                            h.as_str() == x
                        }
                    })
                    .count()
            });
            let groups = spec
                .groups
                .iter()
                .filter(|g| node.groups.contains(g))
                .count();
            let total = 100 * macs + 75 * nids + 50 * hosts + 25 * groups;
            u32::try_from(total).unwrap_or(u32::MAX)
        }
    }
}

/// The winning configuration among `candidates` (steps 4 and 5 of the module docs).
pub fn pick(
    candidates: impl IntoIterator<Item = BootConfiguration>,
    node: &BootSelection,
    role: Option<Role>,
) -> Option<BootConfiguration> {
    candidates
        .into_iter()
        .map(|c| (score(&c, node, role), c))
        .filter(|(s, _)| *s > 0)
        .min_by(|(sa, a), (sb, b)| {
            sb.cmp(sa)
                .then(b.spec.priority.cmp(&a.spec.priority))
                .then_with(|| a.name.cmp(&b.name))
                .then_with(|| a.uid.cmp(&b.uid))
        })
        .map(|(_, c)| c)
}

/// A known node's MACs and the BSS rows under its names; an unknown one's own row only.
async fn bss_candidates(
    store: &(impl BootSource + ?Sized),
    req: &BootRequest,
    node: Option<BootNode>,
) -> Result<(Option<BootNode>, Vec<MacAddr>, Vec<(BootKey, BootConfig)>)> {
    let (macs, keys) = match &node {
        Some(n) => {
            let macs = node_macs(store, &n.xname).await?;
            let keys = candidate_keys(&macs, n);
            (macs, keys)
        }
        None => (Vec::new(), vec![direct_key(req.target)]),
    };
    let mut found = Vec::new();
    for key in keys {
        if let Some(config) = store.boot_config(&key).await? {
            found.push((key, config));
        }
    }
    Ok((node, macs, found))
}

/// The present node with NID `nid`, if any.
async fn node_with_nid(store: &(impl BootSource + ?Sized), nid: i64) -> Result<Option<BootNode>> {
    let found = store.components_with_nid(nid).await?;
    Ok(found.iter().find_map(BootNode::of))
}

/// The MACs of a node's interfaces, in id order.
async fn node_macs(store: &(impl BootSource + ?Sized), xname: &Xname) -> Result<Vec<MacAddr>> {
    let mut ifaces = store.interfaces_of(xname).await?;
    ifaces.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(ifaces.into_iter().map(|i| i.mac_address).collect())
}

/// The names a known node's parameters may be stored under, most specific first.
fn candidate_keys(macs: &[MacAddr], node: &BootNode) -> Vec<BootKey> {
    let nid_key = node
        .nid
        .and_then(|n| i32::try_from(n).ok())
        .map(BootKey::Nid);
    let role_key = node.role.map(|r| BootKey::Host(r.to_string()));
    macs.iter()
        .map(|m| BootKey::Mac(*m))
        .chain(std::iter::once(BootKey::node(&node.xname)))
        .chain(nid_key)
        .chain(role_key)
        .chain(std::iter::once(BootKey::Host(DEFAULT_TAG.to_owned())))
        .collect()
}

/// The name an unknown machine's own parameters are stored under.
fn direct_key(target: BootTarget) -> BootKey {
    match target {
        BootTarget::Mac(m) => BootKey::Mac(m),
        BootTarget::Name(x) => BootKey::node(&x),
        // A NID beyond i32 cannot have been stored; -1 is never stored either (NIDs are >= 0).
        BootTarget::Nid(n) => BootKey::Nid(i32::try_from(n).unwrap_or(-1)),
    }
}

/// Boot what was found when it has a kernel; otherwise the node is unknown (step 4).
async fn decide(
    store: &(impl BootSource + ?Sized),
    req: &BootRequest,
    found: Option<BootConfiguration>,
) -> Result<BootDecision> {
    match found {
        Some(c) if !c.spec.kernel.is_empty() => {
            let config = c.boot_config();
            Ok(match c.origin {
                BootOrigin::Bss(key) => BootDecision::Boot { key, config },
                BootOrigin::BootService => BootDecision::Configured { uid: c.uid, config },
            })
        }
        _ => discovery(store, req).await,
    }
}

async fn discovery(store: &(impl BootSource + ?Sized), req: &BootRequest) -> Result<BootDecision> {
    let Some(arch) = &req.arch else {
        return Ok(BootDecision::Wait);
    };
    let key = BootKey::Host(format!("{UNKNOWN_PREFIX}{arch}"));
    Ok(match store.boot_config(&key).await? {
        Some(config) if !config.kernel.is_empty() => BootDecision::Discovery { key, config },
        _ => BootDecision::Wait,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_order_for_a_known_node() {
        let node = BootNode {
            xname: "x1c0s0b0n0".parse().unwrap(),
            nid: Some(5),
            role: Some(Role::Compute),
        };
        let macs: Vec<MacAddr> = vec![
            "aa:bb:cc:dd:ee:01".parse().unwrap(),
            "aa:bb:cc:dd:ee:02".parse().unwrap(),
        ];
        let keys: Vec<BootKey> = candidate_keys(&macs, &node);
        assert_eq!(
            keys,
            [
                BootKey::Mac(macs[0]),
                BootKey::Mac(macs[1]),
                BootKey::Host("x1c0s0b0n0".into()),
                BootKey::Nid(5),
                BootKey::Host("Compute".into()),
                BootKey::Host("Default".into()),
            ]
        );
        let bare = BootNode {
            nid: None,
            role: None,
            ..node
        };
        let keys: Vec<BootKey> = candidate_keys(&[], &bare);
        assert_eq!(
            keys,
            [
                BootKey::Host("x1c0s0b0n0".into()),
                BootKey::Host("Default".into())
            ]
        );
    }

    #[test]
    fn only_present_nodes_count() {
        let id: Xname = "x1c0s0b0n0".parse().unwrap();
        assert!(BootNode::of(&Component::new(id).with_state(State::Ready)).is_some());
        assert!(BootNode::of(&Component::new(id)).is_some());
        assert!(BootNode::of(&Component::new(id).with_state(State::Empty)).is_none());
        assert!(BootNode::of(&Component::new("x1c0s0b0".parse().unwrap())).is_none());
    }
}
