//! [`crate::Store::write_boot_node`] on SQL: the node's component, interfaces and groups in
//! one write transaction, so any error leaves the database as it was.

use ochami_core::BootNodeRecords;

use super::components::prepare_component;
use super::driver::{Backend, Conn, Dialect};
use super::inventory::prepare_interface;
use super::{SqlStore, write_tx};
use crate::Result;
use crate::boot_node::{check_distinct_macs, interface_is_new, node_exists};

/// Postgres advisory lock key every boot-service node write takes for its transaction
/// ("bootnd" in ASCII).
const NODE_WRITE_LOCK: i64 = 0x626f6f746e64;

impl<B: Backend> SqlStore<B> {
    /// The body of [`crate::Store::write_boot_node`].
    pub(super) async fn write_boot_node_in_one(
        &self,
        records: &BootNodeRecords,
        new: bool,
    ) -> Result<()> {
        check_distinct_macs(records)?;
        let c = prepare_component(&records.component)?;
        let x = c.id;
        let interfaces = records
            .interfaces
            .iter()
            .map(|e| prepare_interface(e, None))
            .collect::<Result<Vec<_>>>()?;
        let result = write_tx!(self, |tx| {
            // Under READ COMMITTED a check finds nothing to lock when the row is not there
            // yet (a new xname, MAC or group): node writes take turns on Postgres so two of
            // them cannot both pass the same check. SQLite's writers already take turns.
            if B::DIALECT == Dialect::Postgres {
                tx.execute(self.sql(
                    "SELECT pg_advisory_xact_lock($1)",
                    vec![NODE_WRITE_LOCK.into()],
                ))
                .await?;
            }
            if new {
                let found = tx
                    .fetch(self.sql(
                        "SELECT 1 FROM components WHERE id = $1",
                        vec![x.to_string().into()],
                    ))
                    .await?;
                if !found.is_empty() {
                    return Err(node_exists(&x));
                }
            }
            // Every MAC is checked (and locked) before anything is written.
            let mut added = Vec::with_capacity(interfaces.len());
            for e in &interfaces {
                let stored = self
                    .read_ethernet_interface(&mut tx, &e.mac_address, true)
                    .await?;
                if interface_is_new(x, stored.as_ref())? {
                    added.push(e);
                }
            }
            self.replace_components(&mut tx, std::slice::from_ref(&c))
                .await?;
            for e in added {
                self.insert_new_ethernet_interface(&mut tx, e).await?;
            }
            for label in &records.groups {
                self.join_or_create_group(&mut tx, label, &x).await?;
            }
            Ok(())
        });
        self.naming_nid_conflict(result, &c).await
    }
}
