//! [`HardwareJson`]: a hardware record as its wire JSON text, the form the stores keep, so
//! answers of thousands of records are written by joining stored text instead of decoding
//! and re-encoding every record.

use crate::{HardwareRecord, Xname};

/// A hardware record as its `HWInvByLoc` JSON object, with its location.
///
/// ```
/// use ochami_core::{HardwareJson, HardwareRecord};
/// let r: HardwareRecord = serde_json::from_str(r#"{"ID":"x0c0s0b0n0p1","Status":"Empty"}"#)?;
/// let j = HardwareJson::of(&r);
/// assert_eq!(j.json, serde_json::to_string(&r)?);
/// assert_eq!(HardwareJson::array(&[j.clone(), j.clone()]), format!("[{0},{0}]", j.json));
/// assert_eq!(j.decode()?, r);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HardwareJson {
    /// The location (`ID`).
    pub id: Xname,
    /// The record's JSON object, exactly as [`HardwareRecord`]'s `Serialize` writes it.
    pub json: String,
}

impl HardwareJson {
    /// The wire form of `r`.
    pub fn of(r: &HardwareRecord) -> HardwareJson {
        // Serializing a record writes maps with string keys and JSON values only: it
        // cannot fail, so an empty object is never produced in practice.
        let json = serde_json::to_string(r).unwrap_or_else(|_| String::from("{}"));
        HardwareJson { id: r.id, json }
    }

    /// The record back (for callers that need its fields).
    pub fn decode(&self) -> Result<HardwareRecord, serde_json::Error> {
        serde_json::from_str(&self.json)
    }

    /// A JSON array of `items`, in their order: byte for byte what serializing the
    /// decoded records as a list writes.
    pub fn array(items: &[HardwareJson]) -> String {
        let mut out =
            String::with_capacity(items.iter().map(|h| h.json.len() + 1).sum::<usize>() + 2);
        push_array(&mut out, items.iter());
        out
    }
}

impl From<&HardwareRecord> for HardwareJson {
    fn from(r: &HardwareRecord) -> Self {
        HardwareJson::of(r)
    }
}

/// Append `[a,b,...]` of the items' JSON to `out`.
pub(crate) fn push_array<'a>(out: &mut String, items: impl Iterator<Item = &'a HardwareJson>) {
    out.push('[');
    for (i, h) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&h.json);
    }
    out.push(']');
}

/// The body of SMD's `POST /Inventory/Hardware`: `{"Hardware": [...]}`.
///
/// ```
/// use ochami_core::HardwarePost;
/// let body: HardwarePost = serde_json::from_str(r#"{"Hardware":[{"ID":"x0c0s0b0n0p0",
///   "PopulatedFRU":{"ProcessorFRUInfo":{"Manufacturer":"Intel","SerialNumber":"S1"}}}]}"#)?;
/// let records = body.into_records()?;
/// assert!(records[0].fru_id().is_some_and(|id| id.contains("S1")));
/// let empty: HardwarePost = serde_json::from_str(r#"{"Hardware":[]}"#)?;
/// assert_eq!(empty.into_records().unwrap_err().to_string(), "Missing Hardware");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, serde::Deserialize)]
pub struct HardwarePost {
    /// The records (`Hardware`; `hardware` is accepted too).
    #[serde(rename = "Hardware", alias = "hardware")]
    pub hardware: Vec<HardwareRecord>,
}

impl HardwarePost {
    /// The records to store, normalized as SMD does ([`HardwareRecord::normalize`]); an
    /// empty list is [`crate::Error::MissingUpdate`] (`Missing Hardware`).
    pub fn into_records(mut self) -> Result<Vec<HardwareRecord>, crate::Error> {
        if self.hardware.is_empty() {
            return Err(crate::Error::MissingUpdate("Hardware"));
        }
        self.hardware.iter_mut().for_each(HardwareRecord::normalize);
        Ok(self.hardware)
    }
}
