//! `/power-control/v1` over HTTP against 100 simulated nodes (50 BMCs x 2 systems) on the
//! memory, SQLite and Postgres stores: a transition powers them off and the components
//! follow, power-status reads them, an abort mid-way leaves every node in a reported state,
//! a transition outlives its server (one abandoned mid-way is reported with its unfinished
//! tasks failed), bad input gets 400s or per-node failures, and no response carries a BMC
//! password.

use std::sync::Arc;
use std::time::Duration;

use ochami_redfish::discovery::discover_targets;
use ochami_redfish::power::{OperationOptions, PowerOptions};
use ochami_redfish::sim::{SimBmcConfig, SimFleet, SyntheticBmc};
use ochami_redfish::{Credentials, DiscoveryOptions, RetryPolicy, Scheme};
use ochami_server::{
    AppState, PowerConfig, power_routes_with, serve_router_on, smd_routes, with_layers,
};
use ochami_store::Store;
use serde_json::{Value, json};

use crate::common::{Api, Transport, settings};

const PASSWORD: &str = "pcs-test-bmc-password";

fn creds() -> Credentials {
    Credentials::new("root", PASSWORD)
}

/// The server (SMD + power routes, plain HTTP to the BMCs) over a socket on `store`.
async fn server(store: Arc<dyn Store>) -> Api {
    server_with_lease(store, Duration::from_secs(30)).await
}

/// [`server`] with a heartbeat lease of `lease`.
async fn server_with_lease(store: Arc<dyn Store>, lease: Duration) -> Api {
    let config = PowerConfig {
        lease,
        scheme: "http".into(),
        options: PowerOptions {
            concurrency: 16,
            request_timeout: Duration::from_secs(2),
            retry: RetryPolicy {
                max_retries: 1,
                initial_backoff: Duration::from_millis(1),
                max_backoff: Duration::from_millis(5),
            },
            operation: OperationOptions {
                wait: true,
                poll_interval: Duration::from_millis(20),
                state_timeout: Duration::from_secs(10),
                graceful_timeout: Duration::from_secs(10),
            },
            ..PowerOptions::default()
        },
        ..PowerConfig::default()
    };
    let state = AppState::new(store.clone(), settings(), None);
    let app = with_layers(state.clone(), smd_routes().merge(power_routes_with(config)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        serve_router_on(listener, state, app, async {
            let _ = stopped.await;
        })
        .await
        .expect("serve");
    });
    Api {
        store,
        transport: Transport::Socket {
            base: format!("http://{addr}"),
            client: reqwest::Client::builder().no_proxy().build().unwrap(),
            _stop: stop,
        },
        token: None,
    }
}

/// 50 BMCs x 2 systems discovered and posted to SMD with their credentials; the node
/// xnames, sorted.
async fn seed(api: &Api, fleet: &SimFleet) -> Vec<String> {
    let options = DiscoveryOptions {
        credentials: Some(creds()),
        scheme: Scheme::Http,
        concurrency: 16,
        ..DiscoveryOptions::default()
    };
    let report = discover_targets(fleet.targets(), &options, |_| {})
        .await
        .unwrap();
    let mut nodes = Vec::new();
    for inv in report.inventories() {
        let mut body = serde_json::to_value(&inv.ingest).unwrap();
        body["User"] = json!("root");
        body["Password"] = json!(PASSWORD);
        api.post("/hsm/v2/Inventory/RedfishEndpoints", &body)
            .await
            .assert_status(201);
        nodes.extend(inv.nodes().iter().map(ToString::to_string));
    }
    nodes.sort();
    nodes
}

async fn fleet(delay: Duration) -> SimFleet {
    SimFleet::spawn(50, |i| {
        SimBmcConfig::new(SyntheticBmc::new(i as u32, 2).build())
            .credentials(creds())
            .power_delay(delay)
    })
    .await
    .unwrap()
}

async fn wait_done(api: &Api, id: &str) -> Value {
    for _ in 0..600 {
        let t = api
            .get(&format!("/power-control/v1/transitions/{id}"))
            .await
            .json();
        if matches!(
            t["transitionStatus"].as_str(),
            Some("completed" | "aborted")
        ) {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("transition {id} did not end");
}

fn location(nodes: &[String]) -> Value {
    Value::Array(nodes.iter().map(|x| json!({"xname": x})).collect())
}

/// The test bodies below run on every backend.
macro_rules! on_every_backend {
    ($name:ident) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn memory() {
                $name(ochami_store::open("memory:").await.unwrap()).await;
            }

            #[tokio::test]
            async fn sqlite() {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("ochami.db").display());
                $name(ochami_store::open(&url).await.unwrap()).await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(store) = crate::common::postgres_store().await else {
                    return;
                };
                $name(store).await;
            }
        }
    };
}

on_every_backend!(a_transition_over_100_nodes_and_the_components_follow);
on_every_backend!(abort_mid_way_leaves_every_node_reported);

async fn a_transition_over_100_nodes_and_the_components_follow(store: Arc<dyn Store>) {
    let api = server(store).await;
    let fleet = fleet(Duration::from_millis(20)).await;
    let nodes = seed(&api, &fleet).await;
    assert_eq!(nodes.len(), 100);

    let r = api
        .post(
            "/power-control/v1/transitions",
            &json!({"operation": "force-off", "location": location(&nodes)}),
        )
        .await;
    r.assert_status(200);
    let id = r.json()["transitionID"].as_str().unwrap().to_owned();
    assert_eq!(r.json()["operation"], "Force-Off");
    assert_eq!(r.header("location"), format!("../transitions/{id}"));

    let t = wait_done(&api, &id).await;
    assert_eq!(t["transitionStatus"], "completed");
    assert_eq!(
        t["taskCounts"],
        json!({"total": 100, "new": 0, "in-progress": 0, "failed": 0, "succeeded": 100, "un-supported": 0})
    );
    // Half the synthetic systems start Off: nothing to do there.
    let tasks = t["tasks"].as_array().unwrap();
    let sent = tasks
        .iter()
        .filter(|k| k["taskStatusDescription"] == "Force-Off done: sent ForceOff")
        .count();
    assert_eq!(sent, 50, "{tasks:?}");
    for b in fleet.bmcs() {
        for n in 0..2 {
            assert_eq!(
                b.power_state(&format!("/redfish/v1/Systems/Node{n}"))
                    .as_deref(),
                Some("Off")
            );
        }
    }
    // SMD's State follows.
    let comps = api.get("/hsm/v2/State/Components?type=Node").await.json();
    let states: Vec<&str> = comps["Components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["State"].as_str().unwrap())
        .collect();
    assert_eq!(states.len(), 100);
    assert!(states.iter().all(|s| *s == "Off"), "{states:?}");

    // power-status reads them live (and the list has no tasks).
    let q: String = nodes[..3].iter().map(|x| format!("xname={x}&")).collect();
    let s = api
        .get(&format!("/power-control/v1/power-status?{q}"))
        .await
        .json();
    let status = s["status"].as_array().unwrap();
    assert_eq!(status.len(), 3);
    assert_eq!(status[0]["powerState"], "off");
    assert_eq!(status[0]["managementState"], "available");
    assert_eq!(
        status[0]["supportedPowerTransitions"],
        json!([
            "Force-Off",
            "Soft-Restart",
            "Soft-Off",
            "Off",
            "On",
            "Init",
            "Hard-Restart"
        ])
    );
    let list = api.get("/power-control/v1/transitions").await.json();
    assert_eq!(list["transitions"].as_array().unwrap().len(), 1);
    assert!(list["transitions"][0].get("tasks").is_none());
    // A completed transition cannot be aborted.
    api.delete(&format!("/power-control/v1/transitions/{id}"))
        .await
        .assert_problem(400, "already completed");

    // No response of the power routes carries the password.
    for path in [
        format!("/power-control/v1/transitions/{id}"),
        "/power-control/v1/transitions".to_owned(),
        "/power-control/v1/power-status".to_owned(),
    ] {
        let body = api.get(&path).await.text();
        assert!(!body.contains(PASSWORD), "{path}");
    }
}

async fn abort_mid_way_leaves_every_node_reported(store: Arc<dyn Store>) {
    let api = server(store).await;
    // Slow transitions, so the abort arrives while most nodes wait their turn.
    let fleet = fleet(Duration::from_millis(400)).await;
    let nodes = seed(&api, &fleet).await;
    let r = api
        .post(
            "/power-control/v1/transitions",
            &json!({"operation": "init", "location": location(&nodes)}),
        )
        .await;
    let id = r.json()["transitionID"].as_str().unwrap().to_owned();
    // Abort once the first node is done (not after a fixed sleep: a loaded machine or a slow
    // store may not have finished any node by then).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let t = api
            .get(&format!("/power-control/v1/transitions/{id}"))
            .await
            .json();
        if t["taskCounts"]["succeeded"].as_u64().unwrap_or(0) >= 1 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no node done within 60 s: {t}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let a = api
        .delete(&format!("/power-control/v1/transitions/{id}"))
        .await;
    a.assert_status(202);
    assert_eq!(
        a.json(),
        json!({"abortStatus": "Accepted - abort initiated"})
    );
    let t = wait_done(&api, &id).await;
    assert_eq!(t["transitionStatus"], "aborted");
    let c = &t["taskCounts"];
    assert_eq!(c["total"], 100);
    assert_eq!(c["new"], 0);
    assert_eq!(c["in-progress"], 0);
    let succeeded = c["succeeded"].as_u64().unwrap();
    let failed = c["failed"].as_u64().unwrap();
    assert_eq!(succeeded + failed, 100);
    assert!(succeeded >= 1 && failed >= 1, "{c}");
    for task in t["tasks"].as_array().unwrap() {
        if task["taskStatus"] == "failed" {
            assert_eq!(task["taskStatusDescription"], "aborted before it started");
        }
    }
}

#[tokio::test]
async fn bad_input_is_a_400_or_a_per_node_failure() {
    let api = server(ochami_store::open("memory:").await.unwrap()).await;
    api.post(
        "/power-control/v1/transitions",
        &json!({"operation": "reboot", "location": [{"xname": "x1000c0s0b0n0"}]}),
    )
    .await
    .assert_problem(400, "unknown operation \"reboot\"; expected one of on, off, soft-off, soft-restart, hard-restart, init, force-off");
    api.post(
        "/power-control/v1/transitions",
        &json!({"operation": "on", "location": [{"xname": "not-an-xname"}]}),
    )
    .await
    .assert_problem(400, "not-an-xname");
    api.post("/power-control/v1/transitions", &json!({"operation": "on"}))
        .await
        .assert_problem(400, "location lists no xname");
    api.get("/power-control/v1/transitions/nope")
        .await
        .assert_problem(404, "no transition nope");
    // A well-formed xname nobody discovered: the task fails and says why.
    let r = api
        .post(
            "/power-control/v1/transitions",
            &json!({"operation": "On", "location": [{"xname": "x9000c0s0b0n0"}]}),
        )
        .await;
    r.assert_status(200);
    let t = wait_done(&api, r.json()["transitionID"].as_str().unwrap()).await;
    assert_eq!(t["tasks"][0]["taskStatus"], "failed");
    assert!(
        t["tasks"][0]["error"]
            .as_str()
            .unwrap()
            .contains("has no ComponentEndpoint"),
        "{t}"
    );
    let s = api
        .get("/power-control/v1/power-status?xname=x9000c0s0b0n0")
        .await
        .json();
    assert_eq!(s["status"][0]["xname"], "x9000c0s0b0n0");
    assert!(s["status"][0].get("powerState").is_none());
    api.get("/power-control/v1/power-status?powerStateFilter=sideways")
        .await
        .assert_problem(400, "powerStateFilter");
}

/// A server on a SQLite file runs one transition to the end and dies (its runtime is shut
/// down) in the middle of a second one; a new server on the same file reports both: the
/// first as it ended, the second completed with every unfinished task failed with the
/// restart as its reason, and no task left new or in progress.
#[test]
fn transitions_outlive_their_server() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("ochami.db").display());
    let first = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (done, cut) = first.block_on(async {
        let api = server(ochami_store::open(&url).await.unwrap()).await;
        let fleet = fleet(Duration::from_millis(600)).await;
        let nodes = seed(&api, &fleet).await;
        let r = api
            .post(
                "/power-control/v1/transitions",
                &json!({"operation": "force-off", "location": location(&nodes[..4])}),
            )
            .await;
        let done = r.json()["transitionID"].as_str().unwrap().to_owned();
        assert_eq!(
            wait_done(&api, &done).await["transitionStatus"],
            "completed"
        );
        let r = api
            .post(
                "/power-control/v1/transitions",
                &json!({"operation": "init", "location": location(&nodes)}),
            )
            .await;
        let cut = r.json()["transitionID"].as_str().unwrap().to_owned();
        // Let the first tasks end and be written.
        for _ in 0..100 {
            let t = api
                .get(&format!("/power-control/v1/transitions/{cut}"))
                .await
                .json();
            if t["taskCounts"]["succeeded"].as_u64().unwrap_or(0) > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        (done, cut)
    });
    // The server dies mid-way: its tasks stop where they are.
    first.shutdown_timeout(Duration::from_secs(5));

    let second = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    second.block_on(async {
        let lease = Duration::from_millis(300);
        let api = server_with_lease(ochami_store::open(&url).await.unwrap(), lease).await;
        tokio::time::sleep(lease * 2).await;
        let list = api.get("/power-control/v1/transitions").await.json();
        let ids: Vec<&str> = list["transitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["transitionID"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), 2, "{list}");
        assert!(ids.contains(&done.as_str()) && ids.contains(&cut.as_str()));

        let t = api
            .get(&format!("/power-control/v1/transitions/{done}"))
            .await
            .json();
        assert_eq!(t["transitionStatus"], "completed");
        assert_eq!(t["operation"], "Force-Off");
        assert_eq!(t["taskCounts"]["succeeded"], 4, "{t}");

        let t = api
            .get(&format!("/power-control/v1/transitions/{cut}"))
            .await
            .json();
        assert_eq!(t["transitionStatus"], "completed", "{t}");
        assert_eq!(t["operation"], "Init");
        let c = &t["taskCounts"];
        assert_eq!(c["total"], 100);
        assert_eq!(
            (c["new"].as_u64(), c["in-progress"].as_u64()),
            (Some(0), Some(0)),
            "{c}"
        );
        let succeeded = c["succeeded"].as_u64().unwrap();
        let failed = c["failed"].as_u64().unwrap();
        assert_eq!(succeeded + failed, 100, "{c}");
        assert!(succeeded >= 1 && failed >= 1, "{c}");
        for task in t["tasks"].as_array().unwrap() {
            if task["taskStatus"] == "failed" {
                assert_eq!(task["error"], ochami_server::ABANDONED);
                assert_eq!(task["taskStatusDescription"], ochami_server::ABANDONED);
            }
        }
        assert_eq!(
            ochami_server::ABANDONED,
            "server restarted during the transition"
        );
        // An ended transition cannot be aborted any more.
        api.delete(&format!("/power-control/v1/transitions/{cut}"))
            .await
            .assert_problem(400, "already completed");
    });
}
