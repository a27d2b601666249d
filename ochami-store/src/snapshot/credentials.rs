//! Snapshots that carry BMC passwords, encrypted with a key of the operator's (see the
//! module docs of [`crate::snapshot`], "Credentials").

use std::io::{BufRead, Write};

use super::{Counts, Entry, ImportMode, SnapshotStore, SnapshotWriter, read_snapshot};
use crate::Result;
use crate::secret::{SecretKey, is_sealed};

/// [`super::export_snapshot`] with each Redfish endpoint's password sealed with `key`; the
/// counts written. A password never leaves in clear.
pub async fn export_snapshot_with_credentials<W: Write + Send>(
    store: &(impl SnapshotStore + ?Sized),
    out: W,
    key: &SecretKey,
) -> Result<Counts> {
    let mut writer = SnapshotWriter::new(out)?;
    store
        .export_entries_with_credentials(&mut |e: Entry| match e {
            Entry::RedfishEndpoint(mut ep) => {
                ep.password = key.seal(&ep.id.to_string(), &ep.password)?;
                writer.entry(&Entry::RedfishEndpoint(ep))
            }
            other => writer.entry(&other),
        })
        .await?;
    writer.finish()
}

/// [`super::import_snapshot`] of a snapshot exported with credentials: each encrypted
/// password is opened with `key` (the export's) and stored as the target stores passwords.
/// A password `key` does not open is [`crate::StoreError::SecretKey`] naming the endpoint, and
/// nothing is written.
pub async fn import_snapshot_with_credentials(
    store: &(impl SnapshotStore + ?Sized),
    input: impl BufRead,
    mode: ImportMode,
    key: &SecretKey,
) -> Result<Counts> {
    let (mut entries, counts) = read_snapshot(input)?;
    for e in &mut entries {
        if let Entry::RedfishEndpoint(ep) = e
            && is_sealed(&ep.password)
        {
            ep.password = key.open(&ep.id.to_string(), &ep.password)?;
        }
    }
    store.import_entries(&entries, mode).await?;
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoreError;

    #[tokio::test]
    async fn a_wrong_key_imports_nothing() {
        let store = crate::MemoryStore::new();
        let mut ep = ochami_core::RedfishEndpoint::new("x0c0s0b0".parse().unwrap(), "10.0.0.1");
        ep.user = "root".into();
        ep.password = "pw-in-snapshot".into();
        crate::InventoryStore::put_redfish_endpoint(&store, &ep)
            .await
            .unwrap();
        let key = SecretKey::from_bytes(&[1; 32]);
        let mut file = Vec::new();
        export_snapshot_with_credentials(&store, &mut file, &key)
            .await
            .unwrap();
        let text = String::from_utf8(file.clone()).unwrap();
        assert!(!text.contains("pw-in-snapshot") && text.contains("\"Password\":\"enc:v1:"));

        let target = crate::MemoryStore::new();
        let wrong = SecretKey::from_bytes(&[2; 32]);
        let err =
            import_snapshot_with_credentials(&target, file.as_slice(), ImportMode::Merge, &wrong)
                .await
                .unwrap_err();
        assert!(matches!(err, StoreError::SecretKey { .. }), "{err}");
        let err = super::super::import_snapshot(&target, file.as_slice(), ImportMode::Merge)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::SnapshotLine { line: 2, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("x0c0s0b0"), "{err}");
        let listed = crate::InventoryStore::list_redfish_endpoints(&target, &Default::default())
            .await
            .unwrap();
        assert!(listed.is_empty(), "nothing imported");
        import_snapshot_with_credentials(&target, file.as_slice(), ImportMode::Merge, &key)
            .await
            .unwrap();
        let c = crate::CredentialStore::redfish_credentials(&target, &ep.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c.password, "pw-in-snapshot");
    }
}
