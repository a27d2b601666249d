//! Edits of one ethernet interface's IP list, shared by the memory and SQL backends so both
//! answer the same errors. Each backend applies an edit inside its own write transaction
//! (the memory write lock, a SQL row lock), which makes the read-change-write atomic.

use ochami_core::{EthernetInterface, IpAddressEntry};

use crate::{ConflictKind, Record, Result, StoreError};

/// One change to an interface's IP list.
pub(crate) enum IpEdit<'a> {
    /// Append an address; a conflict naming `IPAddress` when it is already on the interface.
    Add(&'a IpAddressEntry),
    /// Set the network of an address; NotFound when it is not on the interface.
    SetNetwork {
        /// The address to change.
        ip: &'a str,
        /// Its new network.
        network: &'a str,
    },
    /// Remove an address; no change when it is not on the interface.
    Remove(&'a str),
}

impl IpEdit<'_> {
    /// Apply the edit to `e`'s IPs; whether the list changed (so `LastUpdate` moves).
    pub(crate) fn apply(&self, e: &mut EthernetInterface) -> Result<bool> {
        let ips = &mut e.ip_addresses;
        match *self {
            IpEdit::Add(entry) => {
                if ips.iter().any(|x| x.ip_address == entry.ip_address) {
                    return Err(StoreError::conflict(
                        ConflictKind::IpAddress,
                        &entry.ip_address,
                        format!("IP address {} is already on {}", entry.ip_address, e.id),
                    ));
                }
                ips.push(entry.clone());
                Ok(true)
            }
            IpEdit::SetNetwork { ip, network } => {
                let Some(x) = ips.iter_mut().find(|x| x.ip_address == ip) else {
                    return Err(StoreError::not_found(Record::IpAddress, ip));
                };
                let changed = x.network != network;
                network.clone_into(&mut x.network);
                Ok(changed)
            }
            IpEdit::Remove(ip) => {
                let before = ips.len();
                ips.retain(|x| x.ip_address != ip);
                Ok(ips.len() != before)
            }
        }
    }
}
