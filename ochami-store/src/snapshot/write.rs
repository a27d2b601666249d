//! Writing a snapshot: the header, each record as it comes out of the store, the trailer.

use std::io::Write;

use serde_json::json;

use super::{Counts, Entry, FORMAT_NAME, FORMAT_VERSION, SnapshotStore};
use crate::{Result, StoreError};

/// Writes the lines of a snapshot to `out`: [`SnapshotWriter::new`] writes the header,
/// [`SnapshotWriter::entry`] one record, [`SnapshotWriter::finish`] the trailer.
#[derive(Debug)]
pub struct SnapshotWriter<W: Write> {
    out: W,
    counts: Counts,
}

impl<W: Write> SnapshotWriter<W> {
    /// Start a snapshot on `out` (the header line is written now).
    pub fn new(mut out: W) -> Result<Self> {
        let header =
            json!({"kind": "header", "record": {"format": FORMAT_NAME, "version": FORMAT_VERSION}});
        line(&mut out, &header)?;
        Ok(SnapshotWriter {
            out,
            counts: Counts::default(),
        })
    }

    /// Write one record.
    pub fn entry(&mut self, e: &Entry) -> Result<()> {
        self.counts.add(e);
        line(&mut self.out, e)
    }

    /// The records written so far, by kind.
    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    /// Write the trailer and flush; the counts written.
    pub fn finish(mut self) -> Result<Counts> {
        let trailer = json!({"kind": "end", "record": {"records": self.counts.total(), "counts": self.counts}});
        line(&mut self.out, &trailer)?;
        self.out.flush().map_err(StoreError::SnapshotIo)?;
        Ok(self.counts)
    }
}

fn line<W: Write, T: serde::Serialize + ?Sized>(out: &mut W, v: &T) -> Result<()> {
    serde_json::to_writer(&mut *out, v).map_err(|e| StoreError::SnapshotIo(e.into()))?;
    out.write_all(b"\n").map_err(StoreError::SnapshotIo)
}

/// Export everything `store` holds to `out` as one snapshot, streamed record by record
/// (wrap a file in a `BufWriter`); the counts written.
///
/// ```
/// # #[cfg(feature = "memory")]
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use ochami_core::{Component, State};
/// use ochami_store::snapshot::{ImportMode, export_snapshot, import_snapshot};
/// let a = ochami_store::open("memory:").await?;
/// a.upsert_components(&[Component::new("x0c0s0b0n0".parse()?).with_state(State::Ready)], false).await?;
/// let mut file = Vec::new();
/// let counts = export_snapshot(a.as_ref(), &mut file).await?;
/// assert_eq!(counts.get("component"), 1);
/// let b = ochami_store::open("memory:").await?;
/// import_snapshot(b.as_ref(), file.as_slice(), ImportMode::Merge).await?;
/// let mut again = Vec::new();
/// export_snapshot(b.as_ref(), &mut again).await?;
/// assert_eq!(file, again);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
pub async fn export_snapshot<W: Write + Send>(
    store: &(impl SnapshotStore + ?Sized),
    out: W,
) -> Result<Counts> {
    let mut writer = SnapshotWriter::new(out)?;
    store
        .export_entries(&mut |e: Entry| writer.entry(&e))
        .await?;
    writer.finish()
}
