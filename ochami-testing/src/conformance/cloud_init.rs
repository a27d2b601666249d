//! cloud-init data: group documents, node data and cluster defaults round-trip exactly;
//! the admin writes that must be atomic (insert a group once, set a node's instance info
//! keeping its user-data) are.

use std::collections::BTreeMap;
use std::sync::Arc;

use ochami_core::Error as CoreError;
use ochami_core::cloud_init::{
    CloudConfigFile, ClusterDefaults, GroupData, InstanceInfo, NodeData,
};
use ochami_store::{ConflictKind, Store};
use serde_json::json;

use super::{expect_conflict, expect_invalid, x};

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

/// `insert_group_data` creates a group's data once: a second insert under the same name in
/// any case is a conflict naming it and changes nothing; bad input is refused before.
pub async fn group_data_insert_refuses_existing(store: Arc<dyn Store>) {
    store
        .insert_group_data(&group_data("Compute", "packages: [vim]"))
        .await
        .unwrap();
    let (value, detail) = expect_conflict(
        store
            .insert_group_data(&group_data("COMPUTE", "packages: [emacs]"))
            .await,
        ConflictKind::CloudInitGroup,
    );
    assert_eq!(value, "compute");
    assert!(detail.contains("already exists"), "{detail}");
    assert_eq!(
        store.get_group_data("compute").await.unwrap(),
        Some(group_data("compute", "packages: [vim]")),
        "the first insert is kept"
    );
    let (_, cause) = expect_invalid(store.insert_group_data(&group_data(" ", "")).await);
    assert_eq!(cause, CoreError::MissingField { field: "name" });
    assert_eq!(store.list_group_data().await.unwrap().len(), 1);
}

/// Eight concurrent inserts of the same group: exactly one wins, the others are conflicts,
/// and the stored document is the winner's.
pub async fn group_data_concurrent_inserts_one_wins(store: Arc<dyn Store>) {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let store = store.clone();
        tasks.spawn(async move {
            let content = format!("runcmd: [echo {i}]");
            let r = store
                .insert_group_data(&group_data("racers", &content))
                .await;
            (content, r)
        });
    }
    let mut winners = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (content, r) = joined.expect("insert task");
        match r {
            Ok(()) => winners.push(content),
            other => {
                expect_conflict(other, ConflictKind::CloudInitGroup);
            }
        }
    }
    assert_eq!(winners.len(), 1, "exactly one insert wins: {winners:?}");
    let stored = store
        .get_group_data("racers")
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(stored.file.content, winners[0]);
}

/// `put_instance_info` creates a node's record when absent and otherwise replaces only its
/// instance info, keeping its user-data; the stored info names the node.
pub async fn instance_info_put_keeps_user_data(store: Arc<dyn Store>) {
    let id = x("x0c0s0b0n0");
    let info = |host: &str| InstanceInfo {
        id: "ignored".into(),
        instance_id: "i-0001".into(),
        hostname: host.into(),
        ..Default::default()
    };
    store.put_instance_info(&id, &info("first")).await.unwrap();
    let created = store.get_node_data(&id).await.unwrap().expect("created");
    assert_eq!(created.id, Some(id));
    assert_eq!(created.instance_info.hostname, "first");
    assert_eq!(created.instance_info.id, id.to_string(), "names its node");
    assert_eq!(created.user_data, None);

    store
        .put_node_data(
            &id,
            &NodeData {
                user_data: Some("packages: [vim]".into()),
                ..created
            },
        )
        .await
        .unwrap();
    store.put_instance_info(&id, &info("second")).await.unwrap();
    let got = store.get_node_data(&id).await.unwrap().expect("kept");
    assert_eq!(got.instance_info.hostname, "second");
    assert_eq!(got.instance_info.id, id.to_string());
    assert_eq!(
        got.user_data.as_deref(),
        Some("packages: [vim]"),
        "user-data kept"
    );
    assert_eq!(
        store.get_node_data(&x("x0c0s0b0n1")).await.unwrap(),
        None,
        "no other node touched"
    );
}

/// Check: [`ochami_store::Store::instance_infos`] lists the nodes whose instance info is set
/// beyond their id; [`ochami_store::CloudInitStore::remove_instance_info`] keeps a node's
/// user-data (its instance info reset to its id) and deletes the record of a node without.
pub async fn instance_info_listed_and_removed(store: Arc<dyn Store>) {
    use ochami_core::{Component, State};

    let (a, b, c) = (x("x0c0s0b0n0"), x("x0c0s1b0n0"), x("x0c0s2b0n0"));
    // s9 before s10 (xname order, not text order); s20's data has no component.
    let (s9, s10, s20) = (x("x0c0s9b0n0"), x("x0c0s10b0n0"), x("x0c0s20b0n0"));
    let nodes: Vec<Component> = [a, b, c, s9, s10]
        .into_iter()
        .map(|id| Component::new(id).with_state(State::Ready))
        .collect();
    store.upsert_components(&nodes, false).await.unwrap();
    let info = InstanceInfo {
        instance_id: "i-1".into(),
        ..Default::default()
    };
    store
        .put_node_data(
            &a,
            &NodeData {
                id: Some(a),
                instance_info: info.clone(),
                user_data: Some("packages: [vim]".into()),
            },
        )
        .await
        .unwrap();
    store.put_instance_info(&b, &info).await.unwrap();
    let only_id = InstanceInfo {
        id: c.to_string(),
        ..Default::default()
    };
    store.put_instance_info(&c, &only_id).await.unwrap();
    for id in [s10, s20, s9] {
        store.put_instance_info(&id, &info).await.unwrap();
    }
    let all: Vec<_> = store
        .list_node_data()
        .await
        .unwrap()
        .into_iter()
        .map(|(id, d)| (id, d.id))
        .collect();
    let with_data = [a, b, c, s9, s10, s20];
    assert_eq!(
        all,
        with_data.map(|id| (id, Some(id))),
        "xname order, ids set"
    );
    let listed: Vec<_> = store
        .instance_infos()
        .await
        .unwrap()
        .into_iter()
        .map(|(id, i)| (id, i.instance_id))
        .collect();
    let i1 = || "i-1".to_owned();
    assert_eq!(listed, [(a, i1()), (b, i1()), (s9, i1()), (s10, i1())]);
    for id in [s9, s10, s20] {
        assert!(store.delete_node_data(&id).await.unwrap());
    }

    store.remove_instance_info(&a).await.unwrap();
    let kept = store
        .get_node_data(&a)
        .await
        .unwrap()
        .expect("user-data kept");
    assert_eq!(kept.user_data.as_deref(), Some("packages: [vim]"));
    assert_eq!(
        kept.instance_info,
        InstanceInfo {
            id: a.to_string(),
            ..Default::default()
        }
    );
    store.remove_instance_info(&b).await.unwrap();
    assert_eq!(store.get_node_data(&b).await.unwrap(), None, "deleted");
    store.remove_instance_info(&x("x0c0s3b0n0")).await.unwrap();
    assert!(store.instance_infos().await.unwrap().is_empty());
}
