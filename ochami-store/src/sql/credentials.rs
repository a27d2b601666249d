//! BMC credentials on SQL: the password column holds plaintext (no key) or a sealed value
//! (see [`crate::secret`]); [`CredentialStore`] is the one read of it.

use async_trait::async_trait;
use ochami_core::{RedfishEndpoint, Xname};

use super::driver::{Backend, Conn, Dialect, SqlRow};
use super::rows::req_text;
use super::{SqlStore, write_tx};
use crate::secret::{SecretKey, is_sealed, reveal};
use crate::{CredentialStore, RedfishCredentials, Result};

impl<B: Backend> SqlStore<B> {
    /// The password column's value for `ep`: sealed when the store has a key.
    pub(super) fn stored_password(&self, ep: &RedfishEndpoint) -> Result<String> {
        match &self.secret {
            Some(key) => key.seal(&ep.id.to_string(), &ep.password),
            None => Ok(ep.password.clone()),
        }
    }

    /// This store with credentials encrypted by `key` from now on. With a key, every
    /// encrypted password must open with it ([`crate::StoreError::SecretKey`] otherwise,
    /// before anything is written); plaintext ones are then encrypted in one transaction.
    /// Without a key, encrypted passwords stay as they are (a warning says so). On SQLite
    /// the WAL is then checkpointed and truncated, so no old page image keeps a plaintext
    /// password; on Postgres old row versions stay until the table is vacuumed.
    pub(crate) async fn keyed(mut self, key: Option<SecretKey>) -> Result<Self> {
        let Some(key) = key else {
            let sealed = self
                .fetch(self.sql(
                    "SELECT COUNT(*) FROM redfish_endpoints WHERE password LIKE 'enc:%'",
                    vec![],
                ))
                .await?
                .first()
                .map(|r| r.int(0))
                .transpose()?
                .flatten()
                .unwrap_or(0);
            if sealed > 0 {
                tracing::warn!(
                    endpoints = sealed,
                    "BMC credentials are encrypted and no secret key was given: power control cannot reach those BMCs"
                );
            }
            return Ok(self);
        };
        let encrypted = write_tx!(self, |tx| {
            let found = tx
                .fetch(self.sql(
                    "SELECT id, password FROM redfish_endpoints WHERE password <> '' ORDER BY id",
                    vec![],
                ))
                .await?;
            let mut plain = Vec::new();
            for r in &found {
                let id = req_text(r, 0, "RedfishEndpoint ID")?;
                let stored = r.text(1)?.unwrap_or_default();
                if is_sealed(&stored) {
                    key.open(&id, &stored)?;
                } else {
                    plain.push((id, stored));
                }
            }
            for (id, password) in &plain {
                tx.execute(self.sql(
                    "UPDATE redfish_endpoints SET password = $1 WHERE id = $2",
                    vec![key.seal(id, password)?.into(), id.clone().into()],
                ))
                .await?;
            }
            Ok(plain.len())
        })?;
        if encrypted > 0 && B::DIALECT == Dialect::Sqlite {
            // The plaintext may still sit in old WAL frames: copy the WAL into the file
            // (whose freed cells SQLite zeroes, `secure_delete`) and empty it.
            self.fetch(self.sql("PRAGMA wal_checkpoint(TRUNCATE)", vec![]))
                .await?;
        }
        if encrypted > 0 {
            tracing::info!(
                endpoints = encrypted,
                key = key.id(),
                "encrypted plaintext BMC credentials"
            );
        }
        self.secret = Some(key);
        Ok(self)
    }
}

#[async_trait]
impl<B: Backend> CredentialStore for SqlStore<B> {
    async fn redfish_credentials(&self, id: &Xname) -> Result<Option<RedfishCredentials>> {
        let found = self
            .fetch(self.sql(
                "SELECT username, password FROM redfish_endpoints WHERE id = $1",
                vec![id.to_string().into()],
            ))
            .await?;
        let Some(r) = found.first() else {
            return Ok(None);
        };
        let stored = r.text(1)?.unwrap_or_default();
        Ok(Some(RedfishCredentials {
            user: r.text(0)?.unwrap_or_default(),
            password: reveal(self.secret.as_ref(), &id.to_string(), &stored)?,
        }))
    }
}
