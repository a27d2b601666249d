//! Power and boot control against a real peer: sushy-tools' emulator with its fake driver
//! (`pip install sushy-tools`, then `sushy-emulator --fake`). Skipped with a notice when
//! `sushy-emulator` is not on `PATH` (or named by `SUSHY_EMULATOR`); a failure under
//! `CI=true`.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ochami_redfish::power::{
    BootOverride, BootOverrideEnabled, BootOverrideOutcome, OperationOptions, PowerOperation,
    PowerState, ResetType,
};
use ochami_redfish::{ClientOptions, ErrorKind, RedfishClient};

use crate::common::transport;

struct Emulator {
    child: Child,
    base: String,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn program() -> Option<String> {
    if let Ok(p) = std::env::var("SUSHY_EMULATOR") {
        return Some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("sushy-emulator"))
        .find(|p| p.is_file())
        .map(|p| p.display().to_string())
}

async fn start() -> Option<Emulator> {
    let Some(program) = program() else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "sushy-emulator is not installed (required under CI=true): pip install sushy-tools"
            );
        }
        eprintln!("notice: sushy-emulator not found; skipping (pip install sushy-tools)");
        return None;
    };
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(&program)
        .args(["--fake", "-i", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    let emulator = Emulator {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    loop {
        let up = reqwest::get(format!("{}/redfish/v1/", emulator.base)).await;
        if up.is_ok_and(|r| r.status().is_success()) {
            return Some(emulator);
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "sushy-emulator did not start"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// sushy's fake driver applies a power change 1 to 11 whole seconds after the request
/// (`random.randint(1, 11)` in its `fakedriver.py`), so waits allow 20 s.
fn quick() -> OperationOptions {
    OperationOptions {
        wait: true,
        poll_interval: Duration::from_millis(50),
        state_timeout: Duration::from_secs(20),
        graceful_timeout: Duration::from_secs(20),
    }
}

#[tokio::test]
async fn sushy_fake_driver_power_and_boot() {
    let Some(emulator) = start().await else {
        return;
    };
    let client = RedfishClient::connect(transport(), &emulator.base, ClientOptions::default())
        .await
        .unwrap();
    let systems = client.get_collection("/redfish/v1/Systems").await.unwrap();
    let system = systems.members[0].clone();
    let power = client.system_power(&system).await.unwrap();
    let action = power
        .reset
        .clone()
        .expect("sushy offers ComputerSystem.Reset");
    assert!(
        action
            .allowed
            .as_ref()
            .unwrap()
            .contains(&ResetType::ForceOff)
    );

    // Whatever the start state, force it off, then on, then hard-restart.
    let off = client
        .power_operation(&system, PowerOperation::ForceOff, &quick())
        .await
        .unwrap();
    assert_eq!(
        client.power_state(&system).await.unwrap(),
        Some(PowerState::Off)
    );
    if power.power_state == Some(PowerState::On) {
        assert_eq!(off.sent, [ResetType::ForceOff]);
    }
    let on = client
        .power_operation(&system, PowerOperation::On, &quick())
        .await
        .unwrap();
    assert_eq!(on.sent, [ResetType::On]);
    assert_eq!(on.after, Some(PowerState::On));
    let restart = client
        .power_operation(&system, PowerOperation::HardRestart, &quick())
        .await
        .unwrap();
    assert_eq!(restart.sent, [ResetType::ForceRestart]);
    assert_eq!(
        client.power_state(&system).await.unwrap(),
        Some(PowerState::On)
    );

    // A value sushy does not know: refused (501), not mistaken for a lost answer.
    let mut any = action.clone();
    any.allowed = None;
    let err = client
        .reset(&system, &any, &ResetType::Other("Bogus".into()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Refused, "{err}");

    // Continuous PXE is applied and read back.
    let continuous = BootOverride {
        enabled: BootOverrideEnabled::Continuous,
        ..BootOverride::pxe_once()
    };
    let outcome = client
        .set_boot_override(&system, &continuous)
        .await
        .unwrap();
    assert!(
        matches!(
            outcome,
            BootOverrideOutcome::Applied {
                if_match: false,
                ..
            }
        ),
        "{outcome:?}"
    );
    // The fake driver ignores BootSourceOverrideEnabled (it always reads Continuous): a
    // one-time override is reported as not applied rather than trusted.
    let err = client
        .set_boot_override(&system, &BootOverride::pxe_once())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Refused, "{err}");
    assert!(
        err.to_string()
            .contains("BootSourceOverrideEnabled sent \"Once\", read back \"Continuous\""),
        "{err}"
    );
    client.close().await;
}
