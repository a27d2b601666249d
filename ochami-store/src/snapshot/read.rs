//! Reading a snapshot: every line is checked before anything is written, so a truncated or
//! corrupted file imports nothing and the error names its first bad line.

use std::io::BufRead;

use serde::Deserialize;

use super::{Counts, Entry, FORMAT_NAME, FORMAT_VERSION, ImportMode, SnapshotStore};
use crate::{Result, StoreError};

/// The kind of a line, read before the record itself.
#[derive(Deserialize)]
struct Kind<'a> {
    #[serde(borrow)]
    kind: std::borrow::Cow<'a, str>,
}

#[derive(Deserialize)]
struct Header {
    format: String,
    version: u64,
}

#[derive(Deserialize)]
struct Trailer {
    records: u64,
    counts: Counts,
}

#[derive(Deserialize)]
struct Tagged<T> {
    record: T,
}

fn bad(line: u64, reason: impl Into<String>) -> StoreError {
    StoreError::SnapshotLine {
        line,
        reason: reason.into(),
    }
}

/// Read and check a whole snapshot: the header (a newer format version is
/// [`StoreError::SnapshotTooNew`]), every record, and the trailer, whose counts must match
/// the records read. Any bad line is [`StoreError::SnapshotLine`] naming it (1-based); a
/// file that ends before its trailer names the line after its last one.
pub fn read_snapshot(input: impl BufRead) -> Result<(Vec<Entry>, Counts)> {
    let mut entries = Vec::new();
    let mut counts = Counts::default();
    let mut n = 0u64;
    let mut ended = false;
    for text in input.lines() {
        n += 1;
        let text = text.map_err(|e| bad(n, format!("cannot read: {e}")))?;
        if ended {
            if text.trim().is_empty() {
                continue;
            }
            return Err(bad(n, "data after the end of the snapshot"));
        }
        let kind: Kind<'_> =
            serde_json::from_str(&text).map_err(|e| bad(n, format!("not a snapshot line: {e}")))?;
        match (n, kind.kind.as_ref()) {
            (1, "header") => {
                let h: Tagged<Header> =
                    serde_json::from_str(&text).map_err(|e| bad(n, format!("bad header: {e}")))?;
                if h.record.format != FORMAT_NAME {
                    return Err(bad(
                        n,
                        format!("not an ochami snapshot (format {:?})", h.record.format),
                    ));
                }
                if h.record.version > FORMAT_VERSION {
                    return Err(StoreError::SnapshotTooNew {
                        found: h.record.version,
                        supported: FORMAT_VERSION,
                    });
                }
            }
            (1, _) => return Err(bad(n, "the first line is not a snapshot header")),
            (_, "header") => return Err(bad(n, "a second header")),
            (_, "end") => {
                let t: Tagged<Trailer> =
                    serde_json::from_str(&text).map_err(|e| bad(n, format!("bad trailer: {e}")))?;
                if t.record.records != counts.total() || t.record.counts != counts {
                    return Err(bad(
                        n,
                        format!(
                            "the trailer counts {} records, the file holds {}",
                            t.record.records,
                            counts.total()
                        ),
                    ));
                }
                ended = true;
            }
            (_, kind) => {
                let e: Entry = serde_json::from_str(&text)
                    .map_err(|e| bad(n, format!("bad {kind} record: {e}")))?;
                counts.add(&e);
                entries.push(e);
            }
        }
    }
    if !ended {
        return Err(bad(
            n + 1,
            "the snapshot ends without its trailer (truncated?)",
        ));
    }
    Ok((entries, counts))
}

/// Import a snapshot into `store`: read and check all of it ([`read_snapshot`]), then write
/// it in one transaction ([`SnapshotStore::import_entries`]); the counts imported. Nothing
/// is written when any line is bad.
pub async fn import_snapshot(
    store: &(impl SnapshotStore + ?Sized),
    input: impl BufRead,
    mode: ImportMode,
) -> Result<Counts> {
    let (entries, counts) = read_snapshot(input)?;
    for (i, e) in entries.iter().enumerate() {
        if let Entry::RedfishEndpoint(ep) = e
            && ep.password.starts_with("enc:")
        {
            return Err(StoreError::SnapshotLine {
                line: i as u64 + 2,
                reason: format!(
                    "the credentials of {} are encrypted: import with the key the snapshot was exported with",
                    ep.id
                ),
            });
        }
    }
    store.import_entries(&entries, mode).await?;
    Ok(counts)
}
