//! Power runs over many simulated BMCs: per-system outcomes in target order, a faulty BMC
//! fails alone with its error kind, boot override before the reset, abort.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ochami_redfish::power::{
    BootOverride, BootOverrideOutcome, OperationOptions, PowerAbort, PowerOperation, PowerOptions,
    PowerResult, PowerState, PowerTarget, ResetType, power_many, power_status_many,
};
use ochami_redfish::sim::{FaultKind, Faults, SimAction, SimBmcConfig, SimFleet, SyntheticBmc};
use ochami_redfish::{Credentials, ErrorKind, RetryPolicy};

use crate::common::{creds, transport};

fn options() -> PowerOptions {
    PowerOptions {
        concurrency: 8,
        request_timeout: Duration::from_millis(1500),
        node_deadline: Duration::from_secs(5),
        retry: RetryPolicy {
            max_retries: 1,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
        },
        operation: OperationOptions {
            wait: true,
            poll_interval: Duration::from_millis(10),
            state_timeout: Duration::from_secs(3),
            graceful_timeout: Duration::from_secs(3),
        },
        ..PowerOptions::default()
    }
}

/// 12 one-system BMCs; BMC 3 answers 500 to everything, BMC 7 hangs, BMC 9 wants other
/// credentials.
async fn fleet() -> SimFleet {
    SimFleet::spawn(12, |i| {
        let c = SimBmcConfig::new(SyntheticBmc::new(i as u32, 1).build())
            .power_delay(Duration::from_millis(30));
        match i {
            3 => c
                .credentials(creds())
                .faults(Faults::always(FaultKind::Status500)),
            7 => c
                .credentials(creds())
                .faults(Faults::always(FaultKind::Hang)),
            9 => c.credentials(Credentials::new("root", "another-password")),
            _ => c.credentials(creds()),
        }
    })
    .await
    .unwrap()
}

fn targets(fleet: &SimFleet) -> Vec<PowerTarget> {
    fleet
        .bmcs()
        .iter()
        .enumerate()
        .map(|(i, b)| PowerTarget::new(format!("x1000c0s{i}b0n0"), b.base_url(), Some(creds())))
        .collect()
}

#[tokio::test]
async fn one_faulty_bmc_among_many_fails_alone_with_its_kind() {
    let fleet = fleet().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let mut opts = options();
    opts.request_timeout = Duration::from_millis(500);
    opts.boot_override = Some(BootOverride::pxe_once());
    let outcomes = power_many(
        transport(),
        targets(&fleet),
        PowerOperation::HardRestart,
        &opts,
        move |o| s.lock().unwrap().push(o.id.clone()),
    )
    .await;
    assert_eq!(outcomes.len(), 12);
    assert_eq!(
        seen.lock().unwrap().len(),
        12,
        "every outcome reported once"
    );
    for (i, o) in outcomes.iter().enumerate() {
        assert_eq!(o.id, format!("x1000c0s{i}b0n0"), "target order");
        let kind = o.error().map(|e| e.kind);
        match i {
            3 => assert_eq!(kind, Some(ErrorKind::Protocol), "{o:?}"),
            7 => assert_eq!(kind, Some(ErrorKind::Timeout), "{o:?}"),
            9 => assert_eq!(kind, Some(ErrorKind::Auth), "{o:?}"),
            _ => {
                let done = o.value().unwrap_or_else(|| panic!("{i}: {o:?}"));
                assert_eq!(o.system.as_deref(), Some("/redfish/v1/Systems/Node0"));
                assert_eq!(done.report.before, Some(PowerState::On));
                assert_eq!(done.report.sent, [ResetType::ForceRestart]);
                assert_eq!(done.report.after, Some(PowerState::On));
                assert!(matches!(
                    done.boot_override,
                    Some(BootOverrideOutcome::Applied { .. })
                ));
                let bmc = &fleet.bmcs()[i];
                let actions = bmc.actions();
                assert_eq!(actions.len(), 2, "{i}: {actions:?}");
                assert!(matches!(&actions[0], SimAction::Patch { status: 204, .. }));
                assert!(
                    matches!(&actions[1], SimAction::Reset { reset_type, status: 204, .. } if reset_type == "ForceRestart")
                );
                assert_eq!(bmc.stats().active_sessions, 0, "{i}: session closed");
            }
        }
    }
    for i in [3, 7, 9] {
        assert!(fleet.bmcs()[i].actions().is_empty(), "{i} got no write");
    }
    // Errors name the BMC and never the password.
    let text = serde_json::to_string(&outcomes).unwrap();
    assert!(!text.contains(creds().password.expose()));
    assert!(text.contains(&fleet.bmcs()[9].base_url()));
}

#[tokio::test]
async fn status_of_many_systems() {
    let fleet = SimFleet::spawn(3, |i| {
        SimBmcConfig::new(SyntheticBmc::new(i as u32, 2).build()).credentials(creds())
    })
    .await
    .unwrap();
    let targets: Vec<PowerTarget> = fleet
        .bmcs()
        .iter()
        .flat_map(|b| {
            (0..2).map(move |n| {
                PowerTarget::new(format!("n{n}"), b.base_url(), Some(creds()))
                    .system(format!("/redfish/v1/Systems/Node{n}"))
            })
        })
        .collect();
    let outcomes = power_status_many(transport(), targets, &options(), |_| {}).await;
    let states: Vec<Option<String>> = outcomes
        .iter()
        .map(|o| {
            o.value()
                .and_then(|v| v.power_state.as_ref())
                .map(|s| s.to_string())
        })
        .collect();
    let on = Some("On".to_owned());
    let off = Some("Off".to_owned());
    assert_eq!(
        states,
        [on.clone(), off.clone(), on.clone(), off.clone(), on, off]
    );
    // Two systems and none named: the run says which to pick.
    let unnamed = vec![PowerTarget::new(
        "bmc",
        fleet.bmcs()[0].base_url(),
        Some(creds()),
    )];
    let outcomes = power_status_many(transport(), unnamed, &options(), |_| {}).await;
    let err = outcomes[0].error().unwrap();
    assert_eq!(err.kind, ErrorKind::Config);
    assert!(
        err.message.contains("the BMC has 2 systems; name one"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn abort_stops_systems_not_yet_started() {
    let fleet = SimFleet::spawn(10, |i| {
        SimBmcConfig::new(SyntheticBmc::new(i as u32, 1).build())
            .credentials(creds())
            .power_delay(Duration::from_millis(200))
    })
    .await
    .unwrap();
    let mut opts = options();
    opts.concurrency = 2;
    let abort = PowerAbort::default();
    opts.abort = abort.clone();
    // Abort as soon as the first system is done.
    let outcomes = power_many(
        transport(),
        targets(&fleet),
        PowerOperation::ForceOff,
        &opts,
        move |_| abort.abort(),
    )
    .await;
    let done = outcomes.iter().filter(|o| o.value().is_some()).count();
    let aborted = outcomes
        .iter()
        .filter(|o| matches!(o.result, PowerResult::Aborted))
        .count();
    assert_eq!(
        done + aborted,
        10,
        "every system is done or aborted: {outcomes:?}"
    );
    assert!(
        (1..=2).contains(&done),
        "only the systems in progress finish: {done}"
    );
    for (o, bmc) in outcomes.iter().zip(fleet.bmcs()) {
        let want = if o.value().is_some() { "Off" } else { "On" };
        assert_eq!(
            bmc.power_state("/redfish/v1/Systems/Node0").as_deref(),
            Some(want)
        );
    }
}
