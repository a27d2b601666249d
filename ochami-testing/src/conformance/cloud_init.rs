//! cloud-init data: group documents, node data and cluster defaults round-trip exactly.

use std::collections::BTreeMap;
use std::sync::Arc;

use ochami_core::Error as CoreError;
use ochami_core::cloud_init::{
    CloudConfigFile, ClusterDefaults, GroupData, InstanceInfo, NodeData,
};
use ochami_store::Store;
use serde_json::json;

use super::{expect_invalid, x};

fn group_data(name: &str, content: &str) -> GroupData {
    GroupData {
        name: name.into(),
        description: "compute nodes".into(),
        meta_data: json!({"syslog": "10.0.0.1", "ntp": ["a", "b"]})
            .as_object()
            .cloned(),
        file: CloudConfigFile {
            content: content.into(),
            filename: "compute.yaml".into(),
            encoding: "plain".into(),
        },
        versions: BTreeMap::from([("v1".to_owned(), "2024-01-01".to_owned())]),
    }
}

/// Check: group data round trip.
pub async fn group_data_round_trip(store: Arc<dyn Store>) {
    store
        .put_group_data(&group_data("Compute", "packages: [vim]"))
        .await
        .unwrap();
    let expected = group_data("compute", "packages: [vim]");
    assert_eq!(
        store.get_group_data("compute").await.unwrap().as_ref(),
        Some(&expected)
    );
    assert_eq!(
        store.get_group_data("COMPUTE").await.unwrap().as_ref(),
        Some(&expected),
        "names are case-insensitive"
    );
    store
        .put_group_data(&group_data("alpha", ""))
        .await
        .unwrap();
    let names: Vec<String> = store
        .list_group_data()
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.name)
        .collect();
    assert_eq!(names, ["alpha", "compute"]);

    store
        .put_group_data(&group_data("compute", "packages: [emacs]"))
        .await
        .unwrap();
    assert_eq!(
        store
            .get_group_data("compute")
            .await
            .unwrap()
            .unwrap()
            .file
            .content,
        "packages: [emacs]",
        "PUT replaces"
    );

    let (_, cause) = expect_invalid(store.put_group_data(&group_data(" ", "")).await);
    assert_eq!(cause, CoreError::MissingField { field: "name" });
    let mut bad = group_data("gz", "");
    bad.file.encoding = "gzip".into();
    expect_invalid(store.put_group_data(&bad).await);
    assert_eq!(store.get_group_data("gz").await.unwrap(), None);

    assert!(store.delete_group_data("Compute").await.unwrap());
    assert!(!store.delete_group_data("compute").await.unwrap());
    assert_eq!(store.list_group_data().await.unwrap().len(), 1);
}

/// Check: node data round trip.
pub async fn node_data_round_trip(store: Arc<dyn Store>) {
    let id = x("x0c0s0b0n0");
    let data = NodeData {
        id: None,
        instance_info: InstanceInfo {
            id: id.to_string(),
            instance_id: "i-0001".into(),
            hostname: "nid0001".into(),
            public_keys: vec!["ssh-ed25519 AAAA test".into()],
            ..Default::default()
        },
        user_data: Some("packages: [vim]".into()),
    };
    assert_eq!(store.get_node_data(&id).await.unwrap(), None);
    store.put_node_data(&id, &data).await.unwrap();
    let got = store.get_node_data(&id).await.unwrap().expect("stored");
    assert_eq!(
        got,
        NodeData {
            id: Some(id),
            ..data.clone()
        },
        "stored under and naming its id"
    );
    let replaced = NodeData {
        user_data: None,
        ..data
    };
    store.put_node_data(&id, &replaced).await.unwrap();
    assert_eq!(
        store.get_node_data(&id).await.unwrap().unwrap().user_data,
        None
    );
    assert!(store.delete_node_data(&id).await.unwrap());
    assert!(!store.delete_node_data(&id).await.unwrap());
}

/// Check: cluster defaults round trip.
pub async fn cluster_defaults_round_trip(store: Arc<dyn Store>) {
    assert_eq!(
        store.get_cluster_defaults().await.unwrap(),
        ClusterDefaults::default()
    );
    let d = ClusterDefaults {
        cloud_provider: "openchami".into(),
        cluster_name: "demo".into(),
        public_keys: vec!["ssh-ed25519 AAAA admin".into()],
        short_name: "nid".into(),
        nid_length: Some(4),
        ..Default::default()
    };
    store.put_cluster_defaults(&d).await.unwrap();
    assert_eq!(store.get_cluster_defaults().await.unwrap(), d);
    let other = ClusterDefaults {
        region: "east".into(),
        ..Default::default()
    };
    store.put_cluster_defaults(&other).await.unwrap();
    assert_eq!(
        store.get_cluster_defaults().await.unwrap(),
        other,
        "PUT replaces"
    );
}
