//! NoCloud documents, parsed back with serde_yaml_ng and checked field by field.

use ochami_boot::{
    BootError, BootOptions, group_document, instance_id, meta_data, node_for_ip, user_data,
    vendor_data,
};
use ochami_core::cloud_init::{
    CloudConfigFile, ClusterDefaults, GroupData, InstanceInfo, NodeData,
};
use ochami_core::{Group, Members, Role};
use ochami_store::Store;
use serde_yaml_ng::Value;

use crate::{add_node, store, x};

const NODE: &str = "x1000c0s0b0n0";

fn opts() -> BootOptions {
    BootOptions::for_server("http://10.0.0.1:27778")
}

fn yaml(text: &str) -> Value {
    serde_yaml_ng::from_str(text).unwrap_or_else(|e| panic!("invalid YAML ({e}):\n{text}"))
}

fn at<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(v, |v, k| {
        v.get(*k)
            .unwrap_or_else(|| panic!("no {k} in path {path:?}"))
    })
}

fn text<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    at(v, path)
        .as_str()
        .unwrap_or_else(|| panic!("{path:?} is not a string: {:?}", at(v, path)))
}

async fn smd_group(s: &dyn Store, label: &str, members: &[&str]) {
    let g = Group {
        label: label.into(),
        description: String::new(),
        exclusive_group: String::new(),
        tags: vec![],
        members: Members {
            ids: members.iter().map(|m| x(m)).collect(),
        },
    };
    s.create_group(&g).await.unwrap();
}

fn group_data(
    name: &str,
    description: &str,
    meta: serde_json::Value,
    file: &str,
    encoding: &str,
) -> GroupData {
    GroupData {
        name: name.into(),
        description: description.into(),
        meta_data: meta.as_object().cloned(),
        file: CloudConfigFile {
            content: file.into(),
            filename: format!("{name}.yaml"),
            encoding: encoding.into(),
        },
        versions: Default::default(),
    }
}

/// A cluster "demo" and node x1000c0s0b0n0 (NID 1, IP 172.16.0.1) in groups compute and
/// x3001; compute's meta-data holds values that would break naive YAML.
async fn cluster() -> std::sync::Arc<dyn Store> {
    let s = store().await;
    add_node(
        &*s,
        NODE,
        Some(1),
        Some(Role::Compute),
        &[("aa:bb:cc:dd:ee:01", "172.16.0.1")],
    )
    .await;
    add_node(
        &*s,
        "x1000c0s0b1n0",
        Some(2),
        None,
        &[("aa:bb:cc:dd:ee:02", "172.16.0.2")],
    )
    .await;
    smd_group(&*s, "compute", &[NODE]).await;
    smd_group(&*s, "x3001", &[NODE]).await;
    smd_group(&*s, "empty", &[NODE]).await;
    let compute_meta = serde_json::json!({
        "syslog_aggregator": "172.16.0.253",
        "motd": "key: value\n- not a list\n#not a comment",
        "ports": [514, 6514],
        "yes": "no",
    });
    s.put_group_data(&group_data(
        "compute",
        "compute nodes",
        compute_meta,
        "#cloud-config\npackages: [vim]\n",
        "",
    ))
    .await
    .unwrap();
    // "runcmd:\n  - echo hi\n" in base64.
    s.put_group_data(&group_data(
        "x3001",
        "",
        serde_json::json!({}),
        "cnVuY21kOgogIC0gZWNobyBoaQo=",
        "base64",
    ))
    .await
    .unwrap();
    s.put_group_data(&group_data(
        "empty",
        "no file",
        serde_json::json!({}),
        "",
        "",
    ))
    .await
    .unwrap();
    let defaults = ClusterDefaults {
        cluster_name: "demo".into(),
        region: "region1".into(),
        availability_zone: "az1".into(),
        cloud_provider: "openchami".into(),
        public_keys: vec!["ssh-ed25519 AAAA admin@head".into()],
        ..ClusterDefaults::default()
    };
    s.put_cluster_defaults(&defaults).await.unwrap();
    s
}

#[tokio::test]
async fn meta_data_for_a_node_in_two_groups() {
    let s = cluster().await;
    let doc = meta_data(&*s, &x(NODE), &opts()).await.unwrap();
    let md = yaml(&doc);
    let id = instance_id(&x(NODE));
    assert_eq!(text(&md, &["instance-id"]), id);
    assert_eq!(text(&md, &["local-hostname"]), "de0001");
    assert_eq!(text(&md, &["hostname"]), "de0001");
    assert_eq!(text(&md, &["cluster-name"]), "demo");
    let v1 = at(&md, &["instance_data", "v1"]);
    assert_eq!(text(v1, &["availability_zone"]), "az1");
    assert_eq!(text(v1, &["instance_id"]), id);
    assert_eq!(text(v1, &["region"]), "region1");
    assert_eq!(text(v1, &["local_ipv4"]), "172.16.0.1");
    assert_eq!(text(v1, &["cloud_provider"]), "openchami");
    assert_eq!(
        at(v1, &["public_keys"]),
        &yaml("[ssh-ed25519 AAAA admin@head]")
    );
    assert!(v1.get("instance_type").is_none() && v1.get("cloud_name").is_none());
    let vendor = at(v1, &["vendor_data"]);
    assert_eq!(text(vendor, &["version"]), "1.0");
    assert_eq!(
        text(vendor, &["cloud_init_base_url"]),
        "http://10.0.0.1:27778/cloud-init"
    );
    assert_eq!(text(vendor, &["cluster_name"]), "demo");
    let groups = at(vendor, &["groups"]).as_mapping().unwrap();
    assert_eq!(groups.len(), 3, "{doc}");
    let compute = at(vendor, &["groups", "compute"]);
    assert_eq!(text(compute, &["Description"]), "compute nodes");
    assert_eq!(text(compute, &["syslog_aggregator"]), "172.16.0.253");
    assert_eq!(
        text(compute, &["motd"]),
        "key: value\n- not a list\n#not a comment"
    );
    assert_eq!(text(compute, &["yes"]), "no");
    assert_eq!(at(compute, &["ports"]), &yaml("[514, 6514]"));
    assert_eq!(
        text(vendor, &["groups", "x3001", "Description"]),
        "No description Found"
    );
    assert_eq!(
        at(vendor, &["groups", "x3001"]).as_mapping().unwrap().len(),
        1
    );
    // The same document on every request.
    assert_eq!(meta_data(&*s, &x(NODE), &opts()).await.unwrap(), doc);
}

#[tokio::test]
async fn meta_data_for_a_node_in_no_group() {
    let s = cluster().await;
    let md = yaml(&meta_data(&*s, &x("x1000c0s0b1n0"), &opts()).await.unwrap());
    assert_eq!(text(&md, &["hostname"]), "de0002");
    assert_eq!(
        text(&md, &["instance-id"]),
        instance_id(&x("x1000c0s0b1n0"))
    );
    let groups = at(&md, &["instance_data", "v1", "vendor_data", "groups"]);
    assert_eq!(groups.as_mapping().map(|m| m.len()), Some(0), "{groups:?}");
    assert_eq!(
        text(&md, &["instance_data", "v1", "local_ipv4"]),
        "172.16.0.2"
    );
}

#[tokio::test]
async fn instance_info_overrides() {
    let s = cluster().await;
    let info = InstanceInfo {
        id: NODE.into(),
        instance_id: "i-custom".into(),
        local_hostname: "login1".into(),
        hostname: "login1.demo.example".into(),
        cluster_name: "other".into(),
        instance_type: "t.large".into(),
        cloud_init_base_url: "http://ci.example:8081/cloud-init/".into(),
        public_keys: vec!["ssh-rsa BBBB me@laptop".into()],
        ..InstanceInfo::default()
    };
    let data = NodeData {
        id: Some(x(NODE)),
        instance_info: info,
        user_data: None,
    };
    s.put_node_data(&x(NODE), &data).await.unwrap();
    let md = yaml(&meta_data(&*s, &x(NODE), &opts()).await.unwrap());
    assert_eq!(text(&md, &["instance-id"]), "i-custom");
    assert_eq!(text(&md, &["local-hostname"]), "login1");
    assert_eq!(text(&md, &["hostname"]), "login1.demo.example");
    assert_eq!(text(&md, &["cluster-name"]), "other");
    let v1 = at(&md, &["instance_data", "v1"]);
    assert_eq!(text(v1, &["instance_type"]), "t.large");
    assert_eq!(
        at(v1, &["public_keys"]),
        &yaml("[ssh-ed25519 AAAA admin@head, ssh-rsa BBBB me@laptop]")
    );
    assert_eq!(
        text(v1, &["vendor_data", "cloud_init_base_url"]),
        "http://ci.example:8081/cloud-init"
    );
    let vd = vendor_data(&*s, &x(NODE), &opts()).await.unwrap();
    assert!(
        vd.lines()
            .skip(1)
            .all(|l| l.starts_with("http://ci.example:8081/cloud-init/")),
        "{vd}"
    );
}

#[tokio::test]
async fn custom_short_name_and_nid_length() {
    let s = cluster().await;
    let mut d = s.get_cluster_defaults().await.unwrap();
    d.short_name = "nid".into();
    d.nid_length = Some(6);
    s.put_cluster_defaults(&d).await.unwrap();
    let md = yaml(&meta_data(&*s, &x(NODE), &opts()).await.unwrap());
    assert_eq!(text(&md, &["local-hostname"]), "nid000001");
}

#[tokio::test]
async fn unknown_node_is_not_found() {
    let s = cluster().await;
    let e = meta_data(&*s, &x("x9c0s0b0n0"), &opts()).await.unwrap_err();
    assert!(matches!(e, BootError::NodeNotFound(n) if n == x("x9c0s0b0n0")));
}

#[tokio::test]
async fn vendor_data_includes_groups_with_files() {
    let s = cluster().await;
    assert_eq!(
        vendor_data(&*s, &x(NODE), &opts()).await.unwrap(),
        "#include\nhttp://10.0.0.1:27778/cloud-init/compute.yaml\nhttp://10.0.0.1:27778/cloud-init/x3001.yaml\n"
    );
    assert_eq!(
        vendor_data(&*s, &x("x1000c0s0b1n0"), &opts())
            .await
            .unwrap(),
        "#include\n"
    );
    let mut d = s.get_cluster_defaults().await.unwrap();
    d.base_url = "http://cluster:8081/ci".into();
    s.put_cluster_defaults(&d).await.unwrap();
    let vd = vendor_data(&*s, &x(NODE), &BootOptions::default())
        .await
        .unwrap();
    assert_eq!(
        vd.lines().nth(1),
        Some("http://cluster:8081/ci/compute.yaml")
    );
    d.base_url = String::new();
    s.put_cluster_defaults(&d).await.unwrap();
    let e = vendor_data(&*s, &x(NODE), &BootOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(e, BootError::NoCloudInitUrl), "{e}");
}

#[tokio::test]
async fn group_documents() {
    let s = cluster().await;
    let node = x(NODE);
    assert_eq!(
        group_document(&*s, &node, "compute").await.unwrap(),
        "#cloud-config\npackages: [vim]\n"
    );
    let decoded = group_document(&*s, &node, "x3001").await.unwrap();
    assert_eq!(decoded, "#cloud-config\nruncmd:\n  - echo hi\n");
    assert_eq!(yaml(&decoded), yaml("runcmd: [echo hi]"));
    assert_eq!(
        group_document(&*s, &node, "empty").await.unwrap(),
        "#cloud-config"
    );
    let e = group_document(&*s, &x("x1000c0s0b1n0"), "compute")
        .await
        .unwrap_err();
    assert!(
        matches!(&e, BootError::NotInGroup { group, .. } if group == "compute"),
        "{e}"
    );
    let e = group_document(&*s, &node, "../etc").await.unwrap_err();
    assert!(
        matches!(e, BootError::InvalidParam { param: "group", .. }),
        "{e}"
    );
    s.put_group_data(&group_data(
        "x3001",
        "",
        serde_json::json!({}),
        "not base64!",
        "base64",
    ))
    .await
    .unwrap();
    let e = group_document(&*s, &node, "x3001").await.unwrap_err();
    assert!(
        matches!(&e, BootError::BadGroupFile { group, .. } if group == "x3001"),
        "{e}"
    );
}

#[tokio::test]
async fn user_data_documents() {
    let s = cluster().await;
    assert_eq!(user_data(&*s, &x(NODE)).await.unwrap(), "#cloud-config");
    let data = NodeData {
        id: Some(x(NODE)),
        instance_info: InstanceInfo {
            id: NODE.into(),
            ..InstanceInfo::default()
        },
        user_data: Some("hostname: n1\n".into()),
    };
    s.put_node_data(&x(NODE), &data).await.unwrap();
    let ud = user_data(&*s, &x(NODE)).await.unwrap();
    assert_eq!(ud, "#cloud-config\nhostname: n1\n");
    assert_eq!(yaml(&ud), yaml("hostname: n1"));
}

#[tokio::test]
async fn nodes_are_found_by_ip() {
    let s = cluster().await;
    assert_eq!(
        node_for_ip(&*s, "172.16.0.2".parse().unwrap())
            .await
            .unwrap(),
        Some(x("x1000c0s0b1n0"))
    );
    assert_eq!(
        node_for_ip(&*s, "172.16.0.9".parse().unwrap())
            .await
            .unwrap(),
        None
    );
}
