//! One-time boot overrides as each BMC expects them: the exact PATCH, If-Match, mode only
//! when needed, BMCs without an override left alone, reverted changes caught.

use ochami_redfish::ErrorKind;
use ochami_redfish::power::{BootMode, BootOverride, BootOverrideOutcome};
use ochami_redfish::sim::{MockupTree, SimAction, SimBmc, SimBmcConfig, SimQuirks, SyntheticBmc};
use serde_json::{Value, json};

use crate::common::{connect_with_creds, creds, mockups_dir, spawn};

async fn spawn_tree(name: &str) -> Option<SimBmc> {
    let tree = MockupTree::from_dir(mockups_dir()?.join(name)).expect("tree loads");
    Some(spawn(SimBmcConfig::new(tree).credentials(creds())).await)
}

/// The PATCHes a BMC received: `(path, body, If-Match, status)`.
fn patches(bmc: &SimBmc) -> Vec<(String, Value, Option<String>, u16)> {
    bmc.actions()
        .into_iter()
        .filter_map(|a| match a {
            SimAction::Patch {
                path,
                body,
                if_match,
                status,
            } => Some((path, body, if_match, status)),
            SimAction::Reset { .. } => None,
        })
        .collect()
}

/// Sets `wanted` on `system` of mockup `tree`; checks the single PATCH sent was `expected`
/// with the ETag served before, and that the system reads it back.
async fn applies(tree: &str, system: &str, wanted: BootOverride, expected: Value) {
    let Some(bmc) = spawn_tree(tree).await else {
        return;
    };
    let client = connect_with_creds(&bmc).await;
    let outcome = client
        .set_boot_override(system, &wanted)
        .await
        .unwrap_or_else(|e| panic!("{tree}: {e}"));
    let BootOverrideOutcome::Applied {
        path,
        sent,
        if_match,
    } = outcome
    else {
        panic!("{tree}: {outcome:?}");
    };
    assert_eq!(path, system);
    assert!(
        if_match,
        "{tree}: the simulator serves an ETag, so If-Match is sent"
    );
    assert_eq!(json!({ "Boot": sent }), expected, "{tree}");
    let got = patches(&bmc);
    assert_eq!(got.len(), 1, "{tree}: {got:?}");
    assert_eq!(got[0].0, system);
    assert_eq!(got[0].1, expected, "{tree}: on the wire");
    assert_eq!(got[0].2.as_deref(), Some("W/\"sim-1\""), "{tree}");
    assert_eq!(got[0].3, 204);
    let boot = &client.get(system).await.unwrap()["Boot"];
    for (k, v) in expected["Boot"].as_object().unwrap() {
        assert_eq!(&boot[k], v, "{tree}: {k} read back");
    }
    client.close().await;
}

#[tokio::test]
async fn dmtf_pxe_once() {
    applies(
        "dmtf-public-rackmount1",
        "/redfish/v1/Systems/437XR1138R2",
        BootOverride::pxe_once().with_mode(BootMode::Uefi),
        json!({"Boot": {"BootSourceOverrideTarget": "Pxe", "BootSourceOverrideEnabled": "Once"}}),
    )
    .await;
}

#[tokio::test]
async fn ilo_uefi_http_with_uri_and_no_mode() {
    // iLO offers UefiHttp; its mode is already UEFI, so no mode is sent (iLO may refuse it).
    applies(
        "hpe-proliant-dl325",
        "/redfish/v1/Systems/1",
        BootOverride::uefi_http_once(Some("http://10.1.0.1/boot/ipxe.efi".into())),
        json!({"Boot": {"BootSourceOverrideTarget": "UefiHttp", "BootSourceOverrideEnabled": "Once",
                        "HttpBootUri": "http://10.1.0.1/boot/ipxe.efi"}}),
    )
    .await;
}

#[tokio::test]
async fn openbmc_pxe_once_in_legacy_mode_sends_the_mode() {
    applies(
        "openbmc-stock",
        "/redfish/v1/Systems/system",
        BootOverride::pxe_once().with_mode(BootMode::Legacy),
        json!({"Boot": {"BootSourceOverrideTarget": "Pxe", "BootSourceOverrideEnabled": "Once",
                        "BootSourceOverrideMode": "Legacy"}}),
    )
    .await;
}

#[tokio::test]
async fn cray_ex_has_no_override_and_gets_no_patch() {
    let Some(bmc) = spawn_tree("hpe-cray-ex425").await else {
        return;
    };
    let client = connect_with_creds(&bmc).await;
    let outcome = client
        .set_boot_override("/redfish/v1/Systems/Node0", &BootOverride::pxe_once())
        .await
        .unwrap();
    assert_eq!(outcome, BootOverrideOutcome::NotOffered);
    assert_eq!(bmc.stats().patches, 0);
    client.close().await;
}

#[tokio::test]
async fn a_target_the_bmc_does_not_offer_is_refused_before_sending() {
    let Some(bmc) = spawn_tree("openbmc-stock").await else {
        return;
    };
    let client = connect_with_creds(&bmc).await;
    let err = client
        .set_boot_override(
            "/redfish/v1/Systems/system",
            &BootOverride::uefi_http_once(None),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert!(
        err.to_string()
            .contains("boot target UefiHttp is not offered; the BMC offers [None, Pxe, Hdd, Cd, Diags, BiosSetup, Usb]"),
        "{err}"
    );
    assert_eq!(bmc.stats().patches, 0);
    client.close().await;
}

#[tokio::test]
async fn if_match_required_bmc_accepts_the_etag_it_served() {
    let quirks = SimQuirks {
        require_if_match: true,
        ..SimQuirks::default()
    };
    let bmc = spawn(
        SimBmcConfig::new(SyntheticBmc::new(1, 1).build())
            .credentials(creds())
            .quirks(quirks),
    )
    .await;
    let client = connect_with_creds(&bmc).await;
    let system = "/redfish/v1/Systems/Node0";
    client
        .set_boot_override(system, &BootOverride::pxe_once())
        .await
        .unwrap();
    // The ETag changed; a second override reads the new one.
    client
        .set_boot_override(system, &BootOverride::uefi_http_once(None))
        .await
        .unwrap();
    let tags: Vec<Option<String>> = patches(&bmc).into_iter().map(|p| p.2).collect();
    assert_eq!(
        tags,
        [
            Some("W/\"sim-1\"".to_owned()),
            Some("W/\"sim-2\"".to_owned())
        ]
    );
    client.close().await;
}

#[tokio::test]
async fn a_bmc_that_reverts_the_change_is_caught() {
    let quirks = SimQuirks {
        revert_boot_patch: true,
        ..SimQuirks::default()
    };
    let bmc = spawn(
        SimBmcConfig::new(SyntheticBmc::new(1, 1).build())
            .credentials(creds())
            .quirks(quirks),
    )
    .await;
    let client = connect_with_creds(&bmc).await;
    let err = client
        .set_boot_override("/redfish/v1/Systems/Node0", &BootOverride::pxe_once())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Refused);
    assert!(
        err.to_string()
            .contains("BootSourceOverrideTarget sent \"Pxe\", read back \"None\""),
        "{err}"
    );
    client.close().await;
}
