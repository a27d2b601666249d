//! Where boot parameters are stored and what is stored there: [`BootKey`] (a MAC, a host
//! name or tag, a NID) and [`BootConfig`] (kernel, initrd, parameters, cloud-init data).
//! Every store backend keeps boot data as `BootKey -> BootConfig` rows, and `ochami-boot`
//! resolves a request to one of them; BSS's `BootParams` is the grouped wire view.

use crate::{BootParams, CloudInit, Component, Error as CoreError, MacAddr, Xname};
use serde::{Deserialize, Serialize};

/// A name boot parameters are stored under.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BootKey {
    /// A MAC address.
    Mac(MacAddr),
    /// A node xname (normalized) or a tag (`Default`, `Global`, a role, `Unknown-<arch>`).
    Host(String),
    /// A NID.
    Nid(i32),
}

impl BootKey {
    /// Every name a BootParams addresses, in hosts, macs, nids order. MACs and hosts must
    /// already be normalized ([`BootParams::normalize`]).
    pub fn all_of(bp: &BootParams) -> Result<Vec<BootKey>, CoreError> {
        let mut keys = Vec::with_capacity(bp.hosts.len() + bp.macs.len() + bp.nids.len());
        keys.extend(bp.hosts.iter().map(|h| BootKey::Host(h.clone())));
        for m in &bp.macs {
            keys.push(BootKey::Mac(m.parse()?));
        }
        keys.extend(bp.nids.iter().map(|n| BootKey::Nid(*n)));
        Ok(keys)
    }

    /// A normalized copy of `params` ([`BootParams::normalize`]) and every name it addresses
    /// ([`BootKey::all_of`]): what each backend's writes start from.
    pub fn normalized(params: &BootParams) -> Result<(BootParams, Vec<BootKey>), CoreError> {
        let mut bp = params.clone();
        bp.normalize()?;
        let keys = BootKey::all_of(&bp)?;
        Ok((bp, keys))
    }

    /// A node's xname as a key.
    pub fn node(x: &Xname) -> Self {
        BootKey::Host(x.to_string())
    }

    /// The wire field the name comes from (`macs`, `hosts` or `nids`), for errors.
    pub fn field(&self) -> &'static str {
        match self {
            BootKey::Mac(_) => "macs",
            BootKey::Host(_) => "hosts",
            BootKey::Nid(_) => "nids",
        }
    }

    /// The name as a user writes it (`aa:bb:cc:dd:ee:ff`, `x0c0s0b0n0`, `Default`, `7`).
    pub fn name(&self) -> String {
        match self {
            BootKey::Mac(m) => m.to_string(),
            BootKey::Host(h) => h.clone(),
            BootKey::Nid(n) => n.to_string(),
        }
    }

    /// A BSS body that names only this key (what `DELETE /bootparameters` takes).
    pub fn as_params(&self) -> BootParams {
        let mut params = BootParams::default();
        match self {
            BootKey::Mac(m) => params.macs.push(m.to_string()),
            BootKey::Host(h) => params.hosts.push(h.clone()),
            BootKey::Nid(n) => params.nids.push(*n),
        }
        params
    }
}

/// What is stored under one boot name.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BootConfig {
    /// Kernel URL.
    pub kernel: String,
    /// Initrd URL.
    pub initrd: String,
    /// Kernel command line.
    pub params: String,
    /// Cloud-init data.
    pub cloud_init: CloudInit,
}

impl BootConfig {
    /// The config part of a BootParams.
    pub fn of(bp: &BootParams) -> Self {
        BootConfig {
            kernel: bp.kernel.clone(),
            initrd: bp.initrd.clone(),
            params: bp.params.clone(),
            cloud_init: bp.cloud_init.clone(),
        }
    }

    /// BSS PATCH semantics: non-empty fields replace, cloud-init data is merge-patched.
    pub fn patch(&mut self, bp: &BootParams) {
        for (mine, theirs) in [
            (&mut self.kernel, &bp.kernel),
            (&mut self.initrd, &bp.initrd),
            (&mut self.params, &bp.params),
        ] {
            if !theirs.is_empty() {
                mine.clone_from(theirs);
            }
        }
        merge_opt(&mut self.cloud_init.meta_data, &bp.cloud_init.meta_data);
        merge_opt(&mut self.cloud_init.user_data, &bp.cloud_init.user_data);
        if bp.cloud_init.phone_home != Default::default() {
            self.cloud_init.phone_home = bp.cloud_init.phone_home.clone();
        }
    }
}

impl BootConfig {
    /// `list_boot_params`' grouping, shared by every backend so that they answer alike:
    /// names whose configs are equal become one BootParams, with hosts (node xnames in
    /// natural order, then tags in string order), macs and nids each sorted; the groups are
    /// ordered by their first name, hosts before MACs before NIDs.
    ///
    /// ```
    /// use ochami_core::{BootConfig, BootKey};
    /// let cfg = BootConfig { kernel: "http://k".into(), ..Default::default() };
    /// let names = [BootKey::Nid(2), BootKey::Host("x0c0s0b0n10".into()), BootKey::Host("x0c0s0b0n2".into())];
    /// let grouped = BootConfig::group(names.into_iter().map(|k| (k, cfg.clone())));
    /// assert_eq!(grouped.len(), 1);
    /// assert_eq!(grouped[0].hosts, ["x0c0s0b0n2", "x0c0s0b0n10"]);
    /// assert_eq!(grouped[0].nids, [2]);
    /// ```
    pub fn group<C: std::borrow::Borrow<BootConfig>>(
        entries: impl IntoIterator<Item = (BootKey, C)>,
    ) -> Vec<BootParams> {
        // Bucket by a hash of the string fields, compare whole configs (cloud-init too)
        // within a bucket.
        let mut buckets: std::collections::HashMap<u64, Vec<usize>> = Default::default();
        let mut groups: Vec<(BootConfig, Vec<BootKey>)> = Vec::new();
        for (key, cfg) in entries {
            let cfg = cfg.borrow();
            let bucket = buckets.entry(fields_hash(cfg)).or_default();
            match bucket
                .iter()
                .copied()
                .find(|&g| groups.get(g).is_some_and(|(c, _)| c == cfg))
            {
                Some(g) => groups[g].1.push(key),
                None => {
                    bucket.push(groups.len());
                    groups.push((cfg.clone(), vec![key]));
                }
            }
        }
        let mut out: Vec<(FirstName, BootParams)> = groups
            .into_iter()
            .map(|(cfg, keys)| {
                let mut hosts = Vec::new();
                let mut macs = Vec::new();
                let mut nids = Vec::new();
                for k in keys {
                    match k {
                        BootKey::Host(h) => hosts.push(h),
                        BootKey::Mac(m) => macs.push(m),
                        BootKey::Nid(n) => nids.push(n),
                    }
                }
                hosts.sort_by(|a, b| host_order(a).cmp(&host_order(b)));
                macs.sort();
                nids.sort();
                let first = match (hosts.first(), macs.first(), nids.first()) {
                    (Some(h), _, _) => FirstName::Host(host_order(h).0, host_order(h).1, h.clone()),
                    (None, Some(m), _) => FirstName::Mac(*m),
                    (None, None, Some(n)) => FirstName::Nid(*n),
                    (None, None, None) => FirstName::None,
                };
                let bp = BootParams {
                    hosts,
                    macs: macs.iter().map(MacAddr::to_string).collect(),
                    nids,
                    params: cfg.params,
                    kernel: cfg.kernel,
                    initrd: cfg.initrd,
                    cloud_init: cfg.cloud_init,
                };
                (first, bp)
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out.into_iter().map(|(_, bp)| bp).collect()
    }
}

/// A hash of kernel, initrd and params, without copying them.
fn fields_hash(cfg: &BootConfig) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (&cfg.kernel, &cfg.initrd, &cfg.params).hash(&mut h);
    h.finish()
}

/// Sort key of a `hosts` entry: node xnames (natural order) before tags (string order).
fn host_order(h: &str) -> (bool, Option<Xname>, &str) {
    match h.parse::<Xname>() {
        Ok(x) => (false, Some(x), h),
        Err(_) => (true, None, h),
    }
}

/// Sort key of a grouped BootParams: its first name.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum FirstName {
    Host(bool, Option<Xname>, String),
    Mac(MacAddr),
    Nid(i32),
    None,
}

fn merge_opt(target: &mut Option<serde_json::Value>, patch: &Option<serde_json::Value>) {
    if let Some(p) = patch {
        merge_patch(target.get_or_insert(serde_json::Value::Null), p);
    }
}

/// RFC 7386 JSON merge patch.
pub fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    use serde_json::Value;
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Default::default());
            }
            if let Value::Object(t) = target {
                for (k, v) in p {
                    if v.is_null() {
                        t.remove(k);
                    } else {
                        merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}

/// The answer of `Store::boot_candidates_by_mac` (ochami-store): the component a MAC belongs to and
/// the boot configs that could apply to it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BootCandidates {
    /// The component owning the interface with the MAC, if any.
    pub component: Option<Component>,
    /// The configs found, each with the name it is stored under, in no particular order.
    pub configs: Vec<(BootKey, BootConfig)>,
    /// The labels of the component's SMD groups.
    pub groups: Vec<String>,
    /// Boot-service configurations that may select the component or the MAC (a superset:
    /// `ochami-boot` scores them), in no particular order.
    pub configurations: Vec<crate::BootConfiguration>,
}
