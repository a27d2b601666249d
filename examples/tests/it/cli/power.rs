//! `ochami power on|off|reset|status` and `ochami boot next pxe` against an in-process
//! server whose PCS routes drive simulated BMCs, on every store backend: per-node results
//! in JSON and table form (golden transcript), components following the power state,
//! per-node failures exiting 2, refused requests exiting 1 with one line, and no BMC
//! password in any output.

use ochami_redfish::discovery::discover_targets;
use ochami_redfish::{Credentials, DiscoveryOptions, Scheme};
use serde_json::{Value, json};

use super::client::{Session, json_of};
use super::common::{Backend, PASSWORD, USER, bmcs, golden, ochami_ok, on_every_backend};

on_every_backend!(power_and_boot_next);

async fn power_and_boot_next(backend: Backend) {
    let Some(s) = Session::open(backend).await else {
        return;
    };
    let env = s.env();
    let mut t = s.transcript();

    // One BMC with three nodes (several BMCs would get xnames in the order of their random
    // ports), discovered here and registered with its credentials through `smd rfe add -d`
    // (not recorded: the body carries the password).
    let sims = bmcs(&[(1, 3)]).await;
    for (i, b) in sims.iter().enumerate() {
        let host = b.base_url().trim_start_matches("http://").to_owned();
        t.mask(&host, &format!("BMC{}", i + 1));
    }
    let options = DiscoveryOptions {
        credentials: Some(Credentials::new(USER, PASSWORD)),
        scheme: Scheme::Http,
        ..DiscoveryOptions::default()
    };
    let report = discover_targets(sims.iter().map(|b| b.target()).collect(), &options, |_| {})
        .await
        .expect("discovery");
    let mut nodes = Vec::new();
    for inv in report.inventories() {
        let mut body = serde_json::to_value(&inv.ingest).expect("ingest body");
        body["User"] = json!(USER);
        body["Password"] = json!(PASSWORD);
        let data = body.to_string();
        ochami_ok(&["smd", "rfe", "add", "-d", &data], &env).await;
        nodes.extend(inv.nodes().iter().map(ToString::to_string));
    }
    nodes.sort();
    assert_eq!(nodes.len(), 3, "{nodes:?}");
    let (n0, n1, n2) = (nodes[0].as_str(), nodes[1].as_str(), nodes[2].as_str());
    let mut group = vec!["smd", "group", "add", "compute"];
    for n in &nodes {
        group.extend(["--member", n]);
    }
    t.ok(&group, &env).await;

    let status = json_of(&t.ok(&["power", "status", "-F", "json"], &env).await);
    let states: Vec<(&str, &str)> = status["status"]
        .as_array()
        .expect("status list")
        .iter()
        .map(|s| {
            (
                s["xname"].as_str().unwrap_or_default(),
                s["powerState"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    // The synthetic BMC starts its second system off.
    assert_eq!(states, [(n0, "on"), (n1, "off"), (n2, "on")]);

    // Off at once for two nodes; their components follow.
    let off = json_of(
        &t.ok(&["power", "off", "--force", n0, n2, "-F", "json"], &env)
            .await,
    );
    assert_eq!(off["operation"], "Force-Off");
    assert_eq!(off["transitionStatus"], "completed");
    assert_eq!(off["taskCounts"]["succeeded"], 2, "{off}");
    let tasks: Vec<&str> = off["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| t["xname"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(tasks, [n0, n2]);
    let c = json_of(&t.ok(&["smd", "component", "get", n0], &env).await);
    assert_eq!(c["State"], "Off");
    t.ok(
        &["power", "status", "--group", "compute", "-F", "table"],
        &env,
    )
    .await;

    // The group, on, as a table; then a restart of one node.
    let table = t
        .ok(&["power", "on", "--group", "compute", "-F", "table"], &env)
        .await;
    assert_eq!(table.lines().count(), 4, "{table}");
    assert!(
        table.starts_with("taskStatus  taskStatusDescription  xname\n"),
        "{table}"
    );
    let reset = json_of(&t.ok(&["power", "reset", n1], &env).await);
    assert_eq!(reset["tasks"][0]["taskStatus"], "succeeded", "{reset}");

    // One-time PXE boot on the group.
    let next = json_of(
        &t.ok(&["boot", "next", "pxe", "--group", "compute"], &env)
            .await,
    );
    assert_eq!(next["target"], "Pxe");
    assert_eq!(next["enabled"], "Once");
    let ok: Vec<&str> = next["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["status"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(ok, ["succeeded"; 3], "{next}");
    t.ok(&["boot", "next", "pxe", n0, "-F", "table"], &env)
        .await;

    // A node the server cannot reach fails alone and the command exits 2.
    let (out, err) = t
        .exits(&["power", "on", n0, "x9c0s0b0n0", "-F", "json"], &env, 2)
        .await;
    let v = json_of(&out);
    assert_eq!(v["tasks"][0]["taskStatus"], "succeeded", "{v}");
    assert_eq!(v["tasks"][1]["taskStatus"], "failed", "{v}");
    assert_eq!(err, "ochami: power on: 1 of 2 nodes failed\n");
    let (_, err) = t
        .exits(&["boot", "next", "pxe", "x9c0s0b0n0", n1], &env, 2)
        .await;
    assert_eq!(err, "ochami: boot next pxe: 1 of 2 nodes failed\n");

    // Refused requests: one line, exit 1.
    let (out, err) = t.exits(&["power", "on", "not-an-xname"], &env, 1).await;
    assert_eq!(out, "");
    assert!(err.starts_with("ochami: 400 "), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let (_, err) = t.exits(&["power", "off"], &env, 1).await;
    assert_eq!(
        err,
        "ochami: power soft-off: give at least one xname or --group\n"
    );
    let (_, err) = t
        .exits(&["power", "reset", "--group", "nosuch"], &env, 1)
        .await;
    assert!(err.starts_with("ochami: 404 "), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");

    assert!(!t.text.contains(PASSWORD), "a password was printed");
    // The component endpoints discovery wrote; without one a node cannot be driven.
    t.ok(&["smd", "compep", "get", n0, "-F", "table"], &env)
        .await;
    t.ok(&["smd", "compep", "delete", n1], &env).await;
    let (_, err) = t.exits(&["power", "on", n1], &env, 2).await;
    assert_eq!(err, "ochami: power on: 1 of 1 nodes failed\n");
    let last: Value = json_of(&t.ok(&["smd", "component", "get", n2], &env).await);
    assert_eq!(last["State"], "On");

    // UEFI HTTP boot with a URI, and a transition not waited for (last: it runs on).
    let uefi = json_of(
        &t.ok(
            &[
                "boot",
                "next",
                "uefi-http",
                n2,
                "--uri",
                "http://boot/ipxe.efi",
            ],
            &env,
        )
        .await,
    );
    assert_eq!(uefi["target"], "UefiHttp");
    assert_eq!(uefi["results"][0]["status"], "succeeded", "{uefi}");
    let started = json_of(
        &t.ok(&["power", "off", "--force", n2, "--no-wait"], &env)
            .await,
    );
    assert_eq!(started["operation"], "Force-Off");
    assert!(started["transitionID"].is_string(), "{started}");
    assert!(!t.text.contains(PASSWORD), "a password was printed");
    golden("client/power.txt", &t.text);
}
