//! Resets whose answer is lost: the state is read before anything is sent again, restarts
//! are never repeated, iDRAC's 409 to a redundant `On` is a success.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use ochami_redfish::power::{OperationOptions, PowerOperation, ResetType};
use ochami_redfish::sim::{SimBmc, SimBmcConfig, SimQuirks, SyntheticBmc};
use ochami_redfish::{
    ClientOptions, ErrorKind, HttpRequest, HttpResponse, HttpTransport, Method, RedfishClient,
    RetryPolicy, Transport, TransportError, TransportOptions,
};

use crate::common::{creds, spawn};

const NODE0: &str = "/redfish/v1/Systems/Node0";
const NODE1: &str = "/redfish/v1/Systems/Node1";

/// Loses the answer to the first `lose` POSTs: after delivering them (`deliver`) or before.
struct LossyTransport {
    inner: HttpTransport,
    deliver: bool,
    lose: AtomicU32,
}

#[async_trait]
impl Transport for LossyTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let is_reset = request.method == Method::Post && request.url.contains("/Actions/");
        if is_reset
            && self
                .lose
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
        {
            if self.deliver {
                let _ = self.inner.send(request).await;
            }
            return Err(TransportError::Timeout);
        }
        self.inner.send(request).await
    }
}

async fn lossy_client(bmc: &SimBmc, deliver: bool, lose: u32) -> RedfishClient {
    let transport = Arc::new(LossyTransport {
        inner: HttpTransport::new(&TransportOptions::default()).unwrap(),
        deliver,
        lose: AtomicU32::new(lose),
    });
    let options = ClientOptions {
        retry: RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
        },
        ..ClientOptions::with_credentials(creds())
    };
    RedfishClient::connect(transport, &bmc.base_url(), options)
        .await
        .unwrap()
}

fn quick() -> OperationOptions {
    OperationOptions {
        wait: true,
        poll_interval: Duration::from_millis(5),
        state_timeout: Duration::from_secs(5),
        graceful_timeout: Duration::from_secs(5),
    }
}

async fn synthetic(quirks: SimQuirks) -> SimBmc {
    // Node0 starts On, Node1 Off.
    spawn(
        SimBmcConfig::new(SyntheticBmc::new(9, 2).build())
            .credentials(creds())
            .quirks(quirks),
    )
    .await
}

#[tokio::test]
async fn a_lost_answer_to_a_delivered_off_is_confirmed_by_the_state() {
    let bmc = synthetic(SimQuirks::default()).await;
    let client = lossy_client(&bmc, true, 1).await;
    let report = client
        .power_operation(NODE0, PowerOperation::ForceOff, &quick())
        .await
        .unwrap();
    assert_eq!(report.sent, [ResetType::ForceOff]);
    assert_eq!(bmc.stats().reset_actions, 1, "not sent again");
    assert_eq!(bmc.power_state(NODE0).as_deref(), Some("Off"));
}

#[tokio::test]
async fn a_lost_on_that_never_arrived_is_sent_again_after_reading_the_state() {
    let bmc = synthetic(SimQuirks::default()).await;
    let client = lossy_client(&bmc, false, 1).await;
    let power = client.system_power(NODE1).await.unwrap();
    let sent = client
        .reset(NODE1, &power.reset.unwrap(), &ResetType::On)
        .await
        .unwrap();
    assert_eq!(sent.attempts, 2);
    assert_eq!(sent.status, Some(204));
    assert_eq!(bmc.stats().reset_actions, 1, "the BMC saw one reset");
    assert_eq!(bmc.power_state(NODE1).as_deref(), Some("On"));
}

#[tokio::test]
async fn a_restart_with_a_lost_answer_is_never_repeated() {
    for deliver in [true, false] {
        let bmc = synthetic(SimQuirks::default()).await;
        let client = lossy_client(&bmc, deliver, 1).await;
        let err = client
            .power_operation(NODE0, PowerOperation::HardRestart, &quick())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{err}");
        assert!(err.to_string().contains("ForceRestart"), "{err}");
        let seen = u64::from(deliver);
        assert_eq!(bmc.stats().reset_actions, seen, "deliver={deliver}");
    }
}

#[tokio::test]
async fn resends_are_bounded() {
    let bmc = synthetic(SimQuirks::default()).await;
    // Every answer lost, nothing delivered: 1 try + 2 resends, then unknown.
    let client = lossy_client(&bmc, false, 10).await;
    let err = client
        .power_operation(NODE1, PowerOperation::On, &quick())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{err}");
    assert!(err.to_string().contains("PowerState reads Off"), "{err}");
    assert_eq!(bmc.stats().reset_actions, 0);
}

#[tokio::test]
async fn idrac_conflict_on_a_redundant_on_is_success() {
    let quirks = SimQuirks {
        conflict_on_redundant_on: true,
        ..SimQuirks::default()
    };
    let bmc = synthetic(quirks).await;
    let client = lossy_client(&bmc, true, 0).await;
    let action = client.system_power(NODE0).await.unwrap().reset.unwrap();
    let sent = client.reset(NODE0, &action, &ResetType::On).await.unwrap();
    assert_eq!(sent.status, Some(409));
    assert_eq!(sent.attempts, 1);
    assert_eq!(bmc.power_state(NODE0).as_deref(), Some("On"));
}
