//! One-time (or continuous) boot source override: `PATCH` of a system's `Boot` object.
//!
//! What is sent follows what the BMC shows and what vendors are known to need:
//!
//! - The target is checked against `BootSourceOverrideTarget@Redfish.AllowableValues`
//!   when listed; a target the BMC does not offer fails with
//!   [`Error::Unsupported`](crate::Error::Unsupported) naming what it offers.
//! - A system whose `Boot` has no `BootSourceOverrideTarget` (HPE Cray EX node cards, which
//!   always netboot) is left alone: [`BootOverrideOutcome::NotOffered`].
//! - `BootSourceOverrideMode` is sent only when asked for and different from the current
//!   mode (HPE iLO may treat it as read-only), except on Supermicro, which loses the mode
//!   unless every PATCH carries it.
//! - `If-Match` carries the ETag (the `ETag` header, else `@odata.etag`) whenever the BMC
//!   gave one (AMI, Lenovo XCC and Huawei iBMC refuse PATCHes without it, 428); a 412
//!   (stale ETag) re-reads the system and tries once more.
//! - A system with `@Redfish.Settings` takes the PATCH at its settings object (AMI
//!   MegaRAC's `Systems/Self/SD`), as the Redfish settings model says.
//! - The result is read back: a BMC that answers 200 and reverts (some AMI-based
//!   Supermicro boards) gives [`Error::NotApplied`](crate::Error::NotApplied).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::client::RedfishClient;
use crate::error::{Error, Result};
use crate::resources::lenient;
use crate::transport::{Method, RequestBody};

/// Where to boot from (`BootSourceOverrideTarget`); only the network targets and the
/// usual undo are typed, any other value is [`BootTarget::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BootTarget {
    /// PXE network boot.
    Pxe,
    /// UEFI HTTP boot (with [`BootOverride::http_boot_uri`] when given).
    UefiHttp,
    /// The normal boot order (`None`).
    None,
    /// Any other Redfish value (`Hdd`, `Cd`, `BiosSetup`, ...).
    Other(String),
}

impl BootTarget {
    /// The Redfish spelling.
    pub fn as_str(&self) -> &str {
        match self {
            BootTarget::Pxe => "Pxe",
            BootTarget::UefiHttp => "UefiHttp",
            BootTarget::None => "None",
            BootTarget::Other(s) => s,
        }
    }
}

/// How long the override holds (`BootSourceOverrideEnabled`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BootOverrideEnabled {
    /// The next boot only.
    Once,
    /// Every boot until changed.
    Continuous,
    /// Off.
    Disabled,
}

impl BootOverrideEnabled {
    /// The Redfish spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            BootOverrideEnabled::Once => "Once",
            BootOverrideEnabled::Continuous => "Continuous",
            BootOverrideEnabled::Disabled => "Disabled",
        }
    }
}

/// Firmware boot mode (`BootSourceOverrideMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BootMode {
    /// UEFI.
    #[serde(rename = "UEFI")]
    Uefi,
    /// Legacy BIOS.
    Legacy,
}

impl BootMode {
    /// The Redfish spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            BootMode::Uefi => "UEFI",
            BootMode::Legacy => "Legacy",
        }
    }
}

/// A boot override to set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootOverride {
    /// Where to boot from.
    pub target: BootTarget,
    /// For how long.
    pub enabled: BootOverrideEnabled,
    /// The firmware mode, when it matters (sent only if it differs, see the module docs).
    pub mode: Option<BootMode>,
    /// `Boot.HttpBootUri` for [`BootTarget::UefiHttp`] (Redfish `ComputerSystem` v1_9).
    pub http_boot_uri: Option<String>,
}

impl BootOverride {
    /// An override from its parts, checked: an HTTP boot URI goes with
    /// [`BootTarget::UefiHttp`] only ([`Error::HttpBootUriWithoutUefiHttp`]), and UEFI HTTP
    /// boot asks for UEFI mode unless `mode` says otherwise.
    ///
    /// ```
    /// use ochami_redfish::power::{BootMode, BootOverride, BootOverrideEnabled, BootTarget};
    /// let once = BootOverrideEnabled::Once;
    /// let http = BootOverride::new(BootTarget::UefiHttp, once, None, None)?;
    /// assert_eq!(http.mode, Some(BootMode::Uefi));
    /// assert!(BootOverride::new(BootTarget::Pxe, once, None, Some("http://s/b.efi".into())).is_err());
    /// # Ok::<(), ochami_redfish::Error>(())
    /// ```
    pub fn new(
        target: BootTarget,
        enabled: BootOverrideEnabled,
        mode: Option<BootMode>,
        http_boot_uri: Option<String>,
    ) -> Result<Self> {
        let http = target == BootTarget::UefiHttp;
        if http_boot_uri.is_some() && !http {
            return Err(Error::HttpBootUriWithoutUefiHttp);
        }
        Ok(BootOverride {
            mode: mode.or(http.then_some(BootMode::Uefi)),
            target,
            enabled,
            http_boot_uri,
        })
    }

    /// PXE on the next boot only.
    pub fn pxe_once() -> Self {
        BootOverride {
            target: BootTarget::Pxe,
            enabled: BootOverrideEnabled::Once,
            mode: None,
            http_boot_uri: None,
        }
    }

    /// UEFI HTTP boot on the next boot only, from `uri` when given (else the URI the
    /// firmware gets from DHCP).
    pub fn uefi_http_once(uri: Option<String>) -> Self {
        BootOverride {
            target: BootTarget::UefiHttp,
            enabled: BootOverrideEnabled::Once,
            mode: Some(BootMode::Uefi),
            http_boot_uri: uri,
        }
    }

    /// Sets the mode.
    pub fn with_mode(mut self, mode: BootMode) -> Self {
        self.mode = Some(mode);
        self
    }
}

/// What setting a boot override did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "result")]
pub enum BootOverrideOutcome {
    /// PATCHed and read back as asked.
    Applied {
        /// The path PATCHed (the system, or its settings object).
        path: String,
        /// The `Boot` object sent.
        sent: Value,
        /// Whether an `If-Match` header was sent.
        if_match: bool,
    },
    /// The system has no boot override (no `BootSourceOverrideTarget`); nothing was sent.
    NotOffered,
}

/// The raw `Boot` field, keeping `"None"` (which [`lenient::text`] treats as absent).
fn boot_str<'a>(boot: &'a Value, key: &str) -> Option<&'a str> {
    boot.get(key).and_then(Value::as_str)
}

impl RedfishClient {
    /// Sets a boot override on `system` (see the module docs for what is sent and why).
    pub async fn set_boot_override(
        &self,
        system: &str,
        wanted: &BootOverride,
    ) -> Result<BootOverrideOutcome> {
        let (body, etag) = self.get_with_etag(system).await?;
        let boot = &body["Boot"];
        if boot_str(boot, "BootSourceOverrideTarget").is_none()
            && boot
                .get("BootSourceOverrideTarget@Redfish.AllowableValues")
                .is_none()
        {
            tracing::info!(bmc = %self.base, system, "no BootSourceOverrideTarget: boot override not offered");
            return Ok(BootOverrideOutcome::NotOffered);
        }
        if let Some(allowed) = boot["BootSourceOverrideTarget@Redfish.AllowableValues"].as_array()
            && !allowed
                .iter()
                .any(|v| v.as_str() == Some(wanted.target.as_str()))
        {
            let offered: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
            return Err(Error::Unsupported {
                target: self.base.clone(),
                path: system.to_owned(),
                message: format!(
                    "boot target {} is not offered; the BMC offers [{}]",
                    wanted.target.as_str(),
                    offered.join(", ")
                ),
            });
        }
        let patch = boot_patch(&body, wanted);
        // The settings object, when the system has one, takes the PATCH (AMI's Systems/Self/SD).
        let settings = body["@Redfish.Settings"]["SettingsObject"]
            .get("@odata.id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let (path, mut etag) = match settings {
            Some(sd) => {
                let (_, sd_etag) = self.get_with_etag(&sd).await?;
                (sd, sd_etag.or(etag))
            }
            None => (system.to_owned(), etag),
        };
        let request = json!({ "Boot": patch });
        let mut retried = false;
        let if_match = loop {
            let response = self
                .send_once(
                    Method::Patch,
                    &path,
                    RequestBody::Json(request.clone()),
                    etag.as_deref(),
                )
                .await?;
            match response.status {
                200..=299 => break etag.is_some(),
                412 | 428 if !retried => {
                    // Stale or missing ETag: read it again and retry once.
                    retried = true;
                    let (_, fresh) = self.get_with_etag(&path).await?;
                    if fresh.is_none() {
                        return Err(self.refusal(Method::Patch, &path, &response));
                    }
                    etag = fresh;
                }
                _ => return Err(self.refusal(Method::Patch, &path, &response)),
            }
        };
        self.verify_boot(&path, &patch).await?;
        tracing::info!(bmc = %self.base, system, target = wanted.target.as_str(), "boot override set");
        Ok(BootOverrideOutcome::Applied {
            path,
            sent: Value::Object(patch),
            if_match,
        })
    }

    /// Reads `path` back and checks the target and enablement sent.
    async fn verify_boot(&self, path: &str, sent: &Map<String, Value>) -> Result<()> {
        let body = self.get(path).await?;
        let boot = &body["Boot"];
        for key in ["BootSourceOverrideTarget", "BootSourceOverrideEnabled"] {
            let want = sent.get(key).and_then(Value::as_str);
            let got = boot_str(boot, key);
            if want != got {
                return Err(Error::NotApplied {
                    target: self.base.clone(),
                    path: path.to_owned(),
                    message: format!(
                        "{key} sent {:?}, read back {:?}",
                        want.unwrap_or(""),
                        got.unwrap_or("")
                    ),
                });
            }
        }
        Ok(())
    }
}

/// The `Boot` object to send for `wanted` given the system as read.
fn boot_patch(system: &Value, wanted: &BootOverride) -> Map<String, Value> {
    let boot = &system["Boot"];
    let mut patch = Map::new();
    patch.insert(
        "BootSourceOverrideTarget".into(),
        Value::String(wanted.target.as_str().to_owned()),
    );
    patch.insert(
        "BootSourceOverrideEnabled".into(),
        Value::String(wanted.enabled.as_str().to_owned()),
    );
    let current_mode = boot_str(boot, "BootSourceOverrideMode");
    let supermicro = lenient::text(system, "Manufacturer")
        .is_some_and(|m| m.to_ascii_lowercase().contains("supermicro"));
    let mode = match (wanted.mode, current_mode) {
        (Some(m), Some(cur)) if m.as_str() != cur => Some(m.as_str().to_owned()),
        (Some(m), None) if supermicro => Some(m.as_str().to_owned()),
        (_, Some(cur)) if supermicro => Some(cur.to_owned()),
        _ => None,
    };
    if let Some(mode) = mode {
        patch.insert("BootSourceOverrideMode".into(), Value::String(mode));
    }
    if wanted.target == BootTarget::UefiHttp
        && let Some(uri) = &wanted.http_boot_uri
    {
        patch.insert("HttpBootUri".into(), Value::String(uri.clone()));
    }
    patch
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_is_sent_only_when_needed() {
        let ilo = json!({"Manufacturer": "HPE", "Boot": {"BootSourceOverrideMode": "UEFI"}});
        let p = boot_patch(&ilo, &BootOverride::pxe_once().with_mode(BootMode::Uefi));
        assert_eq!(
            Value::Object(p),
            json!({"BootSourceOverrideTarget": "Pxe", "BootSourceOverrideEnabled": "Once"})
        );
        let p = boot_patch(&ilo, &BootOverride::pxe_once().with_mode(BootMode::Legacy));
        assert_eq!(p["BootSourceOverrideMode"], "Legacy");
        // Supermicro: the current mode is resent even when not asked for.
        let smc = json!({"Manufacturer": "Supermicro", "Boot": {"BootSourceOverrideMode": "UEFI"}});
        let p = boot_patch(&smc, &BootOverride::pxe_once());
        assert_eq!(p["BootSourceOverrideMode"], "UEFI");
        let p = boot_patch(
            &ilo,
            &BootOverride::uefi_http_once(Some("http://10.0.0.1/boot.efi".into())),
        );
        assert_eq!(p["HttpBootUri"], "http://10.0.0.1/boot.efi");
        assert!(p.get("BootSourceOverrideMode").is_none());
    }
}
