//! Boot-parameter resolution: which node a request names and which stored parameters it
//! boots with. One algorithm for every store backend, read through a [`BootSource`].
//!
//! # The algorithm
//!
//! 1. **Find the node.** Only a component of type `Node` (or `VirtualNode`) whose state is
//!    not `Empty` counts (BSS's MAC look-up skips `Empty` ones; we do so for every key).
//!    * `mac=`: the ethernet interface with that MAC, then its `ComponentID`.
//!    * `name=`: the component with that xname.
//!    * `nid=`: the node with that NID.
//! 2. **The node's MACs.** By MAC: the requested one. By name or NID: the MACs of the node's
//!    ethernet interfaces in id order (the first one is also the chain line's MAC).
//! 3. **Look up stored parameters, first found wins**, under these names in order:
//!    1. each of those MACs,
//!    2. the node's xname,
//!    3. the node's NID,
//!    4. the node's role (`Compute`, `Application`...),
//!    5. `Default`.
//!
//!    Without a known node only the requested name itself is tried (the MAC, the xname or
//!    the NID), never the role or `Default`: BSS stores boot data for MACs and NIDs SMD does
//!    not know under the MAC or NID itself, and such a machine still boots with them.
//! 4. **Decide.** Parameters with a kernel: [`BootDecision::Boot`]. Otherwise (nothing found,
//!    or the first entry found has no kernel) the node is *unknown*: with `arch=` set and
//!    parameters stored under `Unknown-<arch>` that have a kernel, [`BootDecision::Discovery`];
//!    else [`BootDecision::Wait`], the script that sleeps and chains back with
//!    `arch=${buildarch}`.
//!
//! # Differences from BSS
//!
//! * The same fallbacks in every backend. BSS's Postgres mode has no role, `Default` or
//!   `Unknown-<arch>` fallback and can answer 500 to an unknown node with `arch=`.
//! * MAC-specific parameters come before the xname's (BSS maps known MACs to the xname when
//!   storing; our stores keep the MAC, so the more specific name must win on reading).
//! * A Redfish endpoint's `Enabled` flag is not consulted; BSS treats nodes behind a disabled
//!   endpoint as unknown.
//! * Unknown nodes asking with `arch=` but with no `Unknown-<arch>` parameters keep polling
//!   (the wait script) instead of getting a 404.

use ochami_core::{BootConfig, BootKey, Component, MacAddr, Role, State, Xname};

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
    /// Boot with the parameters stored under `key`.
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
            (Some(node), BootDecision::Boot { .. }) => Some(node.xname),
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
    let node = match req.target {
        BootTarget::Mac(m) => return resolve_mac(store, req, m).await,
        BootTarget::Name(x) => store.component(&x).await?.as_ref().and_then(BootNode::of),
        BootTarget::Nid(n) => node_with_nid(store, n).await?,
    };
    let (macs, keys) = match &node {
        Some(n) => {
            let macs = node_macs(store, &n.xname).await?;
            let keys = candidate_keys(&macs, n);
            (macs, keys)
        }
        None => (Vec::new(), vec![direct_key(req.target)]),
    };
    let decision = decide(store, req, first_config(store, keys).await?).await?;
    Ok(Resolution {
        node,
        mac: macs.first().copied(),
        decision,
    })
}

/// By MAC, the boot storm's hot path: one call ([`BootSource::boot_candidates_by_mac`], one
/// round trip on SQL) returns the node and every config that could apply; the order of the
/// module docs picks one, exactly as the general path would.
async fn resolve_mac(
    store: &(impl BootSource + ?Sized),
    req: &BootRequest,
    mac: MacAddr,
) -> Result<Resolution> {
    let found = store
        .boot_candidates_by_mac(&mac, &[DEFAULT_TAG.to_owned()])
        .await?;
    let node = found.component.as_ref().and_then(BootNode::of);
    let keys = match &node {
        Some(n) => candidate_keys(&[mac], n),
        None => vec![direct_key(req.target)],
    };
    let pick = keys.into_iter().find_map(|k| {
        found
            .configs
            .iter()
            .find(|(stored, _)| *stored == k)
            .cloned()
    });
    Ok(Resolution {
        node,
        mac: Some(mac),
        decision: decide(store, req, pick).await?,
    })
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

async fn first_config(
    store: &(impl BootSource + ?Sized),
    keys: impl IntoIterator<Item = BootKey>,
) -> Result<Option<(BootKey, BootConfig)>> {
    for key in keys {
        if let Some(config) = store.boot_config(&key).await? {
            return Ok(Some((key, config)));
        }
    }
    Ok(None)
}

/// Boot what was found when it has a kernel; otherwise the node is unknown (step 4).
async fn decide(
    store: &(impl BootSource + ?Sized),
    req: &BootRequest,
    found: Option<(BootKey, BootConfig)>,
) -> Result<BootDecision> {
    match found {
        Some((key, config)) if !config.kernel.is_empty() => Ok(BootDecision::Boot { key, config }),
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
