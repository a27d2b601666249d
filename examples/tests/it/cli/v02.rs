//! `ochami boot config|node` (boot-service) and `ochami metadata defaults|group|instance`
//! (metadata-service) against an in-process server on every store backend: flat specs and
//! envelopes in, envelopes out (golden transcripts), merge and JSON patches, `set` creating
//! or replacing, the same data seen through BSS and the cloud-init admin API, and
//! boot-service's `{"error","code"}` answers as one line with exit 1.

use serde_json::json;

use super::client::{Session, json_of};
use super::common::{Backend, golden, ochami_ok, on_every_backend};

on_every_backend!(boot_service_commands, metadata_service_commands);

async fn boot_service_commands(backend: Backend) {
    let Some(s) = Session::open(backend).await else {
        return;
    };
    let env = s.env();
    let mut t = s.transcript();

    t.add_ready_node(&env).await;
    let add = json!({
        "name": "compute",
        "hosts": ["x1000c0s0b0n0"],
        "kernel": "http://s/vmlinuz",
        "initrd": "http://s/initrd",
        "params": "console=ttyS0",
        "priority": 10,
    })
    .to_string();
    let added = json_of(&t.ok(&["boot", "config", "add", "-d", &add], &env).await);
    assert_eq!(added["kind"], "BootConfiguration");
    assert_eq!(added["metadata"]["name"], "compute");
    assert_eq!(added["spec"]["priority"], 10);
    let uid = added["metadata"]["uid"].as_str().expect("uid").to_owned();

    // From flags, laid over -d; and a list, one request each.
    let flagged = json_of(
        &t.ok(
            &[
                "boot",
                "config",
                "add",
                "--name",
                "rack",
                "--group",
                "compute",
                "--nid",
                "1,2",
                "--kernel",
                "http://s/k2",
                "-d",
                r#"{"params":"quiet"}"#,
            ],
            &env,
        )
        .await,
    );
    assert_eq!(flagged["spec"]["nids"], json!([1, 2]));
    assert_eq!(flagged["spec"]["params"], "quiet");
    let listed = json_of(
        &t.ok(
            &[
                "boot",
                "config",
                "add",
                "-f",
                "yaml",
                "-d",
                "[{name: a, hosts: ['x9*'], kernel: http://s/a}]",
            ],
            &env,
        )
        .await,
    );
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    let others: Vec<String> = [&flagged, &listed[0]]
        .iter()
        .map(|v| v["metadata"]["uid"].as_str().expect("uid").to_owned())
        .collect();
    // Listed in uid order (random uids): checked here, recorded below with one left.
    let list = json_of(&ochami_ok(&["boot", "config", "get"], &env).await);
    let mut names: Vec<&str> = list
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|v| v["metadata"]["name"].as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["a", "compute", "rack"]);
    for u in &others {
        t.ok(&["boot", "config", "delete", u], &env).await;
    }
    t.ok(&["boot", "config", "get"], &env).await;
    let merged = json_of(
        &t.ok(
            &[
                "boot",
                "config",
                "update",
                &uid,
                "-d",
                r#"{"params":"console=tty0"}"#,
            ],
            &env,
        )
        .await,
    );
    assert_eq!(merged["spec"]["params"], "console=tty0");
    assert_eq!(merged["spec"]["kernel"], "http://s/vmlinuz");
    let patched = json_of(
        &t.ok(
            &[
                "boot",
                "config",
                "update",
                &uid,
                "--json-patch",
                "-d",
                r#"[{"op":"add","path":"/macs","value":["AA:BB:CC:DD:EE:01"]}]"#,
            ],
            &env,
        )
        .await,
    );
    assert_eq!(patched["spec"]["macs"], json!(["aa:bb:cc:dd:ee:01"]));
    // The configuration written through boot-service is the node's BSS boot parameters.
    let script = t
        .ok(
            &["bss", "boot", "script", "get", "--xname", "x1000c0s0b0n0"],
            &env,
        )
        .await;
    assert!(script.contains("http://s/vmlinuz"), "{script}");
    t.ok(
        &[
            "boot",
            "config",
            "set",
            &uid,
            "-f",
            "yaml",
            "-d",
            "hosts: [x1000c0s0b0n0]\nkernel: http://s/vmlinuz2\n",
        ],
        &env,
    )
    .await;
    t.ok(&["boot", "config", "get", &uid, "-F", "yaml"], &env)
        .await;
    t.ok(&["boot", "config", "get", "-F", "table"], &env).await;
    t.ok(&["boot", "node", "get"], &env).await;
    t.ok(
        &["boot", "node", "get", "x1000c0s0b0n0", "-F", "yaml"],
        &env,
    )
    .await;

    let (_, err) = t
        .exits(
            &["boot", "config", "add", "-d", r#"{"kernel":"k"}"#],
            &env,
            1,
        )
        .await;
    assert_eq!(
        err,
        "ochami: boot config add: every configuration needs a name\n"
    );
    let (_, err) = t
        .exits(
            &["boot", "config", "add", "--name", "x", "-d", "[{}]"],
            &env,
            1,
        )
        .await;
    assert_eq!(
        err,
        "ochami: boot config add: flags apply to one configuration, not to a list in -d\n"
    );
    let (_, err) = t
        .exits(
            &[
                "boot",
                "config",
                "update",
                &uid,
                "--json-patch",
                "-d",
                r#"[{"op":"remove","path":"/nope"}]"#,
            ],
            &env,
            1,
        )
        .await;
    assert!(err.starts_with("ochami: 422 "), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    t.ok(&["boot", "config", "delete", &uid], &env).await;
    let (_, err) = t.exits(&["boot", "config", "get", &uid], &env, 1).await;
    assert_eq!(
        err,
        format!("ochami: 404 Not Found: BootConfiguration {uid:?} not found\n")
    );
    let mut text = t.text.replace(&uid, "UID");
    for (i, u) in others.iter().enumerate() {
        text = text.replace(u.as_str(), &format!("UID{}", i + 2));
    }
    golden("client/boot_service.txt", &text);
}

async fn metadata_service_commands(backend: Backend) {
    let Some(s) = Session::open(backend).await else {
        return;
    };
    let env = s.env();
    let mut t = s.transcript();

    t.add_ready_node(&env).await;
    let d = json_of(
        &t.ok(
            &[
                "metadata",
                "defaults",
                "set",
                "-d",
                r#"{"base_url":"http://s/cloud-init","cluster_name":"demo","short_name":"de","nid_length":3}"#,
            ],
            &env,
        )
        .await,
    );
    assert_eq!(d["spec"]["cluster_name"], "demo");
    t.ok(&["metadata", "defaults", "get", "-F", "yaml"], &env)
        .await;

    let g = json_of(
        &t.ok(
            &[
                "metadata",
                "group",
                "set",
                "compute",
                "-f",
                "yaml",
                "-d",
                "description: compute nodes\nmetaData: {sys: hpc}\ntemplate: \"#cloud-config\\nruncmd: [echo hi]\\n\"\n",
            ],
            &env,
        )
        .await,
    );
    assert_eq!(g["metadata"]["uid"], "group-compute");
    let g = json_of(
        &t.ok(
            &[
                "metadata",
                "group",
                "set",
                "compute",
                "-d",
                r#"{"spec":{"metaData":{"sys":"hpc2"}}}"#,
            ],
            &env,
        )
        .await,
    );
    assert_eq!(g["spec"]["metaData"]["sys"], "hpc2");
    t.ok(&["metadata", "group", "get"], &env).await;
    // The same group through the cloud-init admin API.
    t.ok(&["cloud-init", "group", "get", "compute"], &env).await;

    let i = json_of(
        &t.ok(
            &[
                "metadata",
                "instance",
                "set",
                "x1000c0s0b0n0",
                "-d",
                r#"{"instance_id":"x1000c0s0b0n0","local_hostname":"de001"}"#,
            ],
            &env,
        )
        .await,
    );
    assert_eq!(i["metadata"]["uid"], "instanceinfo-x1000c0s0b0n0");
    t.ok(&["metadata", "instance", "get", "-F", "table"], &env)
        .await;
    t.ok(&["metadata", "instance", "get", "x1000c0s0b0n0"], &env)
        .await;

    t.ok(&["metadata", "instance", "delete", "x1000c0s0b0n0"], &env)
        .await;
    t.ok(&["metadata", "group", "delete", "compute"], &env)
        .await;
    t.ok(&["metadata", "defaults", "delete"], &env).await;
    let (_, err) = t
        .exits(&["metadata", "group", "get", "compute"], &env, 1)
        .await;
    assert!(err.starts_with("ochami: 404 Not Found: "), "{err}");
    let (_, err) = t
        .exits(&["metadata", "defaults", "set", "-d", "[1]"], &env, 1)
        .await;
    assert_eq!(
        err,
        "ochami: metadata defaults set: the data must be a JSON/YAML object\n"
    );
    golden("client/metadata_service.txt", &t.text);
}
