//! Every power operation against every shared mockup tree: the exact resets the BMC
//! receives (value and action URI) and the PowerState it ends in.

use std::time::Duration;

use ochami_redfish::power::{OperationOptions, PowerOperation, PowerState, ResetType};
use ochami_redfish::sim::{MockupTree, SimAction, SimBmc, SimBmcConfig};

use crate::common::{connect_with_creds, creds, mockups_dir};

fn quick() -> OperationOptions {
    OperationOptions {
        wait: true,
        poll_interval: Duration::from_millis(5),
        state_timeout: Duration::from_secs(5),
        graceful_timeout: Duration::from_secs(5),
    }
}

async fn spawn_tree(name: &str) -> Option<SimBmc> {
    let tree = MockupTree::from_dir(mockups_dir()?.join(name)).expect("tree loads");
    Some(
        SimBmc::spawn(SimBmcConfig::new(tree).credentials(creds()))
            .await
            .unwrap(),
    )
}

/// The ResetTypes a BMC received, in order, all for `system` and all accepted (204).
fn resets(bmc: &SimBmc, system: &str) -> Vec<String> {
    bmc.actions()
        .into_iter()
        .map(|a| match a {
            SimAction::Reset {
                system: s,
                reset_type,
                status,
            } => {
                assert_eq!(s, system);
                assert_eq!(status, 204, "{reset_type} refused");
                reset_type
            }
            other => panic!("unexpected write {other:?}"),
        })
        .collect()
}

struct Case {
    tree: &'static str,
    system: &'static str,
    operation: PowerOperation,
    before: &'static str,
    sent: &'static [&'static str],
    after: &'static str,
}

async fn run(case: &Case) -> bool {
    let Some(bmc) = spawn_tree(case.tree).await else {
        return false;
    };
    let client = connect_with_creds(&bmc).await;
    let what = format!("{} {} {}", case.tree, case.system, case.operation);
    let report = client
        .power_operation(case.system, case.operation, &quick())
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(
        report.before.as_ref().map(PowerState::as_str),
        Some(case.before),
        "{what}"
    );
    let sent: Vec<String> = report.sent.iter().map(|r| r.to_string()).collect();
    assert_eq!(sent, case.sent, "{what}: report");
    assert_eq!(resets(&bmc, case.system), case.sent, "{what}: received");
    assert_eq!(
        bmc.power_state(case.system).as_deref(),
        Some(case.after),
        "{what}"
    );
    if !case.sent.is_empty() && case.operation != PowerOperation::Nmi {
        assert_eq!(
            report.after.as_ref().map(PowerState::as_str),
            Some(case.after),
            "{what}"
        );
    }
    client.close().await;
    true
}

const DMTF: &str = "/redfish/v1/Systems/437XR1138R2";
const CRAY: &str = "/redfish/v1/Systems/Node0";
const ILO: &str = "/redfish/v1/Systems/1";
const OPENBMC: &str = "/redfish/v1/Systems/system";

#[tokio::test]
async fn dmtf_public_rackmount1_operations() {
    use PowerOperation::*;
    let t = "dmtf-public-rackmount1";
    for (operation, sent, after) in [
        (On, &[][..], "On"),
        (ForceOff, &["ForceOff"][..], "Off"),
        (SoftOff, &["GracefulShutdown"][..], "Off"),
        (Off, &["GracefulShutdown"][..], "Off"),
        (SoftRestart, &["GracefulRestart"][..], "On"),
        (HardRestart, &["ForceRestart"][..], "On"),
        (Init, &["GracefulShutdown", "On"][..], "On"),
        (Nmi, &["Nmi"][..], "On"),
    ] {
        let case = Case {
            tree: t,
            system: DMTF,
            operation,
            before: "On",
            sent,
            after,
        };
        if !run(&case).await {
            return;
        }
    }
}

#[tokio::test]
async fn hpe_cray_ex425_operations_use_its_action_info() {
    use PowerOperation::*;
    // ActionInfo allows ForceOff, On and the non-DMTF Off (its graceful off); no restart
    // value, so restarts are off then on.
    let t = "hpe-cray-ex425";
    for (operation, sent) in [
        (ForceOff, &["ForceOff"][..]),
        (SoftOff, &["Off"][..]),
        (SoftRestart, &["Off", "On"][..]),
        (HardRestart, &["ForceOff", "On"][..]),
        (Init, &["Off", "On"][..]),
    ] {
        let after = if sent.last() == Some(&"On") {
            "On"
        } else {
            "Off"
        };
        let case = Case {
            tree: t,
            system: CRAY,
            operation,
            before: "On",
            sent,
            after,
        };
        if !run(&case).await {
            return;
        }
    }
}

#[tokio::test]
async fn hpe_proliant_dl325_operations() {
    use PowerOperation::*;
    let t = "hpe-proliant-dl325";
    for (operation, sent, after) in [
        (ForceOff, &["ForceOff"][..], "Off"),
        (SoftRestart, &["GracefulRestart"][..], "On"),
        (HardRestart, &["ForceRestart"][..], "On"),
        (Nmi, &["Nmi"][..], "On"),
    ] {
        let case = Case {
            tree: t,
            system: ILO,
            operation,
            before: "On",
            sent,
            after,
        };
        if !run(&case).await {
            return;
        }
    }
}

#[tokio::test]
async fn openbmc_stock_operations_start_from_off() {
    use PowerOperation::*;
    // The capture is Off: off operations do nothing, restarts power on.
    let t = "openbmc-stock";
    for (operation, sent, after) in [
        (On, &["On"][..], "On"),
        (Off, &[][..], "Off"),
        (ForceOff, &[][..], "Off"),
        (HardRestart, &["On"][..], "On"),
        (Init, &["On"][..], "On"),
    ] {
        let case = Case {
            tree: t,
            system: OPENBMC,
            operation,
            before: "Off",
            sent,
            after,
        };
        if !run(&case).await {
            return;
        }
    }
}

#[tokio::test]
async fn allowed_values_come_from_the_annotation_or_the_action_info() {
    use ochami_redfish::power::AllowedValuesSource::*;
    for (tree, system, source, allowed) in [
        ("dmtf-public-rackmount1", DMTF, Annotation, 8),
        ("hpe-cray-ex425", CRAY, ActionInfo, 3),
        ("hpe-proliant-dl325", ILO, Annotation, 7),
        ("openbmc-stock", OPENBMC, ActionInfo, 8),
    ] {
        let Some(bmc) = spawn_tree(tree).await else {
            return;
        };
        let client = connect_with_creds(&bmc).await;
        let power = client.system_power(system).await.unwrap();
        let action = power.reset.expect("reset action");
        assert_eq!(action.source, source, "{tree}");
        assert_eq!(
            action.allowed.as_ref().map(Vec::len),
            Some(allowed),
            "{tree}"
        );
        assert!(
            action.target.ends_with("/Actions/ComputerSystem.Reset"),
            "{tree}"
        );
        client.close().await;
    }
}

#[tokio::test]
async fn a_value_the_bmc_does_not_allow_is_refused_with_a_redfish_error() {
    let Some(bmc) = spawn_tree("hpe-cray-ex425").await else {
        return;
    };
    let client = connect_with_creds(&bmc).await;
    let mut action = client.system_power(CRAY).await.unwrap().reset.unwrap();
    // Pretend the BMC advertised nothing, so the client sends what it is told.
    action.allowed = None;
    let err = client
        .reset(CRAY, &action, &ResetType::GracefulRestart)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ochami_redfish::ErrorKind::Refused, "{err}");
    match &err {
        ochami_redfish::Error::Refused {
            status,
            message_id,
            message,
            ..
        } => {
            assert_eq!(*status, 400);
            assert_eq!(
                message_id.as_deref(),
                Some("Base.1.8.ActionParameterNotSupported")
            );
            assert!(message.contains("GracefulRestart"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // Sent once (a refusal is not retried), state unchanged.
    assert_eq!(bmc.stats().reset_actions, 1);
    assert_eq!(bmc.power_state(CRAY).as_deref(), Some("On"));
    // And an operation the BMC cannot do fails before sending anything.
    let err = client
        .power_operation(CRAY, PowerOperation::Nmi, &quick())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ochami_redfish::ErrorKind::Unsupported);
    assert!(err.to_string().contains("[ForceOff, On, Off]"), "{err}");
    assert_eq!(bmc.stats().reset_actions, 1);
    client.close().await;
}
