//! BSS's reads by name: `GET /boot/v1/bootparameters` and `GET /boot/v1/hosts` take
//! `name=`, `mac=` and `nid=` (comma-separated, repeatable), and the first also a BootParams
//! body. [`BootQuery`] holds what was asked and knows the rules: when names count as given,
//! which boot-service configurations a listing shows, and which nodes `hosts` keeps.

use crate::{
    BootConfiguration, BootKey, BootOrigin, BootParams, Error, MacAddr, Result, SmComponent, Xname,
};

/// The names a BSS read asks for, with the BootParams body of `GET /bootparameters`.
///
/// ```
/// use ochami_core::BootQuery;
/// let mut q = BootQuery::default();
/// assert!(!q.names_given());
/// q.add_names(vec!["x0c0s0b0n0,Compute".into()], vec!["AA-BB-CC-DD-EE-FF".into()], vec!["7".into()])?;
/// assert_eq!(q.params.hosts, ["x0c0s0b0n0", "Compute"]);
/// assert_eq!(q.keys()?.map(|k| k.len()), Some(4));
/// assert!(q.add_names(vec![], vec![], vec!["seven".into()]).is_err());
/// # Ok::<(), ochami_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BootQuery {
    /// The body (when one was sent) with the names of the query string appended.
    pub params: BootParams,
}

/// Split `a,b` values of repeated parameters; empty entries are dropped.
fn split_values(values: Vec<String>) -> impl Iterator<Item = String> {
    values
        .into_iter()
        .flat_map(|v| {
            v.split(',')
                .map(|s| s.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .filter(|s| !s.is_empty())
}

impl BootQuery {
    /// A query starting from a BootParams body.
    pub fn new(params: BootParams) -> Self {
        BootQuery { params }
    }

    /// Append the values of `name=`, `mac=` and `nid=` (each comma-separated, repeatable).
    /// A NID that is not a number is [`Error::InvalidQuery`] on `nid`.
    pub fn add_names(
        &mut self,
        names: Vec<String>,
        macs: Vec<String>,
        nids: Vec<String>,
    ) -> Result<()> {
        self.params.hosts.extend(split_values(names));
        self.params.macs.extend(split_values(macs));
        for n in split_values(nids) {
            let nid = n.parse::<i32>().map_err(|_| Error::InvalidQuery {
                key: "nid".into(),
                reason: format!("{n:?} is not a NID"),
            })?;
            self.params.nids.push(nid);
        }
        Ok(())
    }

    /// Whether any host, MAC or NID was named: without names a read answers everything.
    pub fn names_given(&self) -> bool {
        let p = &self.params;
        !(p.hosts.is_empty() && p.macs.is_empty() && p.nids.is_empty())
    }

    /// The names asked for as store keys, the query normalized first
    /// ([`BootParams::normalize`], which also refuses unsafe kernel, initrd or params text in
    /// the body); `None` when no names were given.
    pub fn keys(&self) -> Result<Option<Vec<BootKey>>> {
        if !self.names_given() {
            return Ok(None);
        }
        let (_, keys) = BootKey::normalized(&self.params)?;
        Ok(Some(keys))
    }

    /// Whether a stored configuration belongs in BSS's listing for `keys` (from
    /// [`BootQuery::keys`]): one written through boot-service (BSS's own rows are listed
    /// from the BSS table), and with names, one whose selectors name one of them
    /// ([`BootConfiguration::names`]).
    pub fn lists(keys: Option<&[BootKey]>, configuration: &BootConfiguration) -> bool {
        configuration.origin == BootOrigin::BootService
            && keys.is_none_or(|ks| ks.iter().any(|k| configuration.names(k)))
    }

    /// The nodes `GET /boot/v1/hosts` answers: with names, those a name, MAC or NID of the
    /// query names ([`SmComponent::named_by`]; names must be xnames, MACs must parse);
    /// without, all of them.
    pub fn select_hosts(&self, mut nodes: Vec<SmComponent>) -> Result<Vec<SmComponent>> {
        let p = &self.params;
        let names: Vec<Xname> = p
            .hosts
            .iter()
            .map(|h| h.parse::<Xname>())
            .collect::<std::result::Result<_, _>>()?;
        let macs: Vec<MacAddr> = p
            .macs
            .iter()
            .map(|m| m.parse::<MacAddr>())
            .collect::<Result<_>>()?;
        let nids: Vec<i64> = p.nids.iter().map(|n| i64::from(*n)).collect();
        if self.names_given() {
            nodes.retain(|h| h.named_by(&names, &macs, &nids));
        }
        Ok(nodes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Component, sm_components};

    #[test]
    fn hosts_are_selected_by_any_name_and_all_without_names() {
        let a = Component::new("x0c0s0b0n0".parse().unwrap()).with_nid(1);
        let b = Component::new("x0c0s1b0n0".parse().unwrap()).with_nid(2);
        let nodes = sm_components(&[a, b], &[], &[]);
        let all = BootQuery::default().select_hosts(nodes.clone()).unwrap();
        assert_eq!(all.len(), 2);
        let mut q = BootQuery::default();
        q.add_names(vec![], vec![], vec!["2".into()]).unwrap();
        let picked = q.select_hosts(nodes.clone()).unwrap();
        assert_eq!(picked.len(), 1);
        assert_eq!(picked[0].component.id.to_string(), "x0c0s1b0n0");
        let mut bad = BootQuery::default();
        bad.add_names(vec!["Compute".into()], vec![], vec![])
            .unwrap();
        assert!(bad.select_hosts(nodes).is_err());
    }

    #[test]
    fn a_bad_nid_names_the_parameter() {
        let e = BootQuery::default()
            .add_names(vec![], vec![], vec!["1,x".into()])
            .unwrap_err();
        assert_eq!(e.to_string(), "bad query param \"nid\": \"x\" is not a NID");
    }
}
