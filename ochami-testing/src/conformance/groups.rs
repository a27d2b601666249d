//! Groups, partitions and memberships: label rules, exclusive groups, one partition per
//! component, member changes.

use std::sync::Arc;

use ochami_core::{GroupFilter, Membership, PartitionScope, State};
use ochami_store::{ConflictKind, GroupPatch, Record, Store};

use super::components::{group, partition};
use super::{comp, expect_conflict, expect_invalid, expect_not_found, filter, x};

/// Four nodes and a BMC.
async fn nodes(store: &Arc<dyn Store>) {
    let rows = [
        "x0c0s0b0",
        "x0c0s0b0n0",
        "x0c0s0b0n1",
        "x0c0s0b0n2",
        "x0c0s0b0n10",
    ]
    .map(|id| comp(id, State::Ready));
    store.upsert_components(&rows, false).await.unwrap();
}

fn member_ids(ids: &[ochami_core::Xname]) -> Vec<String> {
    ids.iter().map(ToString::to_string).collect()
}

/// Labels of the groups `filter` admits, each with its member ids.
async fn listed(store: &Arc<dyn Store>, filter: GroupFilter) -> Vec<(String, Vec<String>)> {
    store
        .list_groups(&filter)
        .await
        .unwrap()
        .into_iter()
        .map(|g| (g.label, member_ids(&g.members.ids)))
        .collect()
}

/// Check: group and partition lists by name, tag and partition scope (`partition=NULL`).
pub async fn group_filter_terms_and_partition_scope(store: Arc<dyn Store>) {
    nodes(&store).await;
    let mut blue = group("blue", "", &["x0c0s0b0n0", "x0c0s0b0n1", "x0c0s0b0n2"]);
    blue.tags = vec!["fast".into()];
    store.create_group(&blue).await.unwrap();
    store
        .create_group(&group("red", "", &["x0c0s0b0n10"]))
        .await
        .unwrap();
    let mut p1 = partition("p1", &["x0c0s0b0n0"]);
    p1.tags = vec!["prod".into()];
    store.create_partition(&p1).await.unwrap();
    store
        .create_partition(&partition("p2", &["x0c0s0b0n1"]))
        .await
        .unwrap();

    let one = |l: &str, ids: &[&str]| (l.to_owned(), ids.iter().map(|s| s.to_string()).collect());
    let terms = |raw: &[(&str, &str)]| GroupFilter::groups_from_query(raw.iter().copied()).unwrap();
    assert_eq!(
        listed(&store, terms(&[("group", "RED")])).await,
        [one("red", &["x0c0s0b0n10"])]
    );
    assert_eq!(
        listed(&store, terms(&[("tag", "fast")])).await,
        [one("blue", &["x0c0s0b0n0", "x0c0s0b0n1", "x0c0s0b0n2"])]
    );
    assert_eq!(
        listed(&store, terms(&[("group", "blue"), ("partition", "p1")])).await,
        [one("blue", &["x0c0s0b0n0"])],
        "members restricted to partition p1"
    );
    assert_eq!(
        listed(&store, terms(&[("partition", "NULL")])).await,
        [one("blue", &["x0c0s0b0n2"]), one("red", &["x0c0s0b0n10"])],
        "partition=NULL keeps members of no partition"
    );
    assert_eq!(
        listed(&store, terms(&[("group", "blue"), ("partition", "p9")])).await,
        [one("blue", &[])],
        "an unknown partition has no members"
    );
    assert_eq!(listed(&store, terms(&[("group", "green")])).await, []);
    let scoped = GroupFilter {
        partition: PartitionScope::In("p2".into()),
        ..GroupFilter::named("blue")
    };
    assert_eq!(listed(&store, scoped).await, [one("blue", &["x0c0s0b0n1"])]);

    let parts =
        |raw: &[(&str, &str)]| GroupFilter::partitions_from_query(raw.iter().copied()).unwrap();
    let names =
        |ps: Vec<ochami_core::Partition>| ps.into_iter().map(|p| p.name).collect::<Vec<_>>();
    assert_eq!(
        names(
            store
                .list_partitions(&parts(&[("tag", "PROD")]))
                .await
                .unwrap()
        ),
        ["p1"]
    );
    assert_eq!(
        names(
            store
                .list_partitions(&parts(&[("partition", "P2")]))
                .await
                .unwrap()
        ),
        ["p2"]
    );
}

/// Check: group create get list.
pub async fn group_create_get_list(store: Arc<dyn Store>) {
    nodes(&store).await;
    let mut g = group("Compute", "", &["x0c0s0b0n10", "x0c0s0b0n2", "x0c0s0b0n10"]);
    g.description = "compute nodes".into();
    g.tags = vec!["Blue".into()];
    store.create_group(&g).await.unwrap();
    store
        .create_group(&group("aardvark", "", &[]))
        .await
        .unwrap();

    let got = store
        .get_group("COMPUTE")
        .await
        .unwrap()
        .expect("labels are case-insensitive");
    assert_eq!(got.label, "compute");
    assert_eq!(got.tags, ["blue"]);
    assert_eq!(got.description, "compute nodes");
    assert_eq!(
        member_ids(&got.members.ids),
        ["x0c0s0b0n2", "x0c0s0b0n10"],
        "members deduplicated, natural order"
    );
    let labels: Vec<String> = store
        .list_groups(&GroupFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.label)
        .collect();
    assert_eq!(labels, ["aardvark", "compute"]);
    assert_eq!(store.get_group("nosuch").await.unwrap(), None);

    let (value, _) = expect_conflict(
        store.create_group(&group("compute", "", &[])).await,
        ConflictKind::GroupLabel,
    );
    assert_eq!(value, "compute");
    expect_not_found(
        store
            .create_group(&group("ghosts", "", &["x0c0s0b0n0", "x0c0s0b0n7"]))
            .await,
        Record::Component,
        "x0c0s0b0n7",
    );
    assert_eq!(
        store.get_group("ghosts").await.unwrap(),
        None,
        "a failed create leaves no group"
    );
    expect_invalid(store.create_group(&group("bad label", "", &[])).await);
}

/// Check: group exclusivity.
pub async fn group_exclusivity(store: Arc<dyn Store>) {
    nodes(&store).await;
    store
        .create_group(&group("red", "colour", &["x0c0s0b0n0", "x0c0s0b0n1"]))
        .await
        .unwrap();
    let (value, detail) = expect_conflict(
        store
            .create_group(&group("blue", "Colour", &["x0c0s0b0n2", "x0c0s0b0n1"]))
            .await,
        ConflictKind::ExclusiveGroup,
    );
    assert_eq!(value, "colour");
    assert!(
        detail.contains("x0c0s0b0n1") && detail.contains("red"),
        "{detail}"
    );
    assert_eq!(store.get_group("blue").await.unwrap(), None);

    store
        .create_group(&group("blue", "colour", &["x0c0s0b0n2"]))
        .await
        .unwrap();
    expect_conflict(
        store.add_group_member("blue", &x("x0c0s0b0n0")).await,
        ConflictKind::ExclusiveGroup,
    );
    store
        .create_group(&group("compute", "", &["x0c0s0b0n0", "x0c0s0b0n2"]))
        .await
        .expect("shared groups overlap freely");
    store
        .create_group(&group("big", "size", &["x0c0s0b0n0"]))
        .await
        .expect("another exclusive group is independent");
    let before = store.get_group("blue").await.unwrap();
    let moved = [x("x0c0s0b0n2"), x("x0c0s0b0n1")];
    expect_conflict(
        store.replace_group_members("blue", &moved).await,
        ConflictKind::ExclusiveGroup,
    );
    assert_eq!(
        store.get_group("blue").await.unwrap(),
        before,
        "a refused replace changes nothing"
    );
    store
        .remove_group_member("red", &x("x0c0s0b0n1"))
        .await
        .unwrap();
    store
        .replace_group_members("blue", &moved)
        .await
        .expect("free to join once it left red");
}

/// Check: group members add remove replace.
pub async fn group_members_add_remove_replace(store: Arc<dyn Store>) {
    nodes(&store).await;
    store
        .create_group(&group("compute", "", &["x0c0s0b0n0"]))
        .await
        .unwrap();
    store
        .add_group_member("Compute", &x("x0c0s0b0n1"))
        .await
        .unwrap();
    let (value, _) = expect_conflict(
        store.add_group_member("compute", &x("x0c0s0b0n1")).await,
        ConflictKind::Member,
    );
    assert_eq!(value, "x0c0s0b0n1");
    expect_not_found(
        store.add_group_member("compute", &x("x0c0s0b0n9")).await,
        Record::Component,
        "x0c0s0b0n9",
    );
    expect_not_found(
        store.add_group_member("nosuch", &x("x0c0s0b0n1")).await,
        Record::Group,
        "nosuch",
    );
    let s = &store;
    let get =
        || async move { member_ids(&s.get_group("compute").await.unwrap().unwrap().members.ids) };
    assert_eq!(get().await, ["x0c0s0b0n0", "x0c0s0b0n1"]);

    assert!(
        store
            .remove_group_member("compute", &x("x0c0s0b0n0"))
            .await
            .unwrap()
    );
    assert!(
        !store
            .remove_group_member("compute", &x("x0c0s0b0n0"))
            .await
            .unwrap()
    );
    expect_not_found(
        store.remove_group_member("nosuch", &x("x0c0s0b0n0")).await,
        Record::Group,
        "nosuch",
    );

    store
        .replace_group_members(
            "compute",
            &[x("x0c0s0b0n10"), x("x0c0s0b0n2"), x("x0c0s0b0n1")],
        )
        .await
        .unwrap();
    assert_eq!(get().await, ["x0c0s0b0n1", "x0c0s0b0n2", "x0c0s0b0n10"]);
    expect_not_found(
        store
            .replace_group_members("compute", &[x("x0c0s0b0n0"), x("x0c0s0b0n8")])
            .await,
        Record::Component,
        "x0c0s0b0n8",
    );
    assert_eq!(get().await, ["x0c0s0b0n1", "x0c0s0b0n2", "x0c0s0b0n10"]);
    expect_not_found(
        store.replace_group_members("nosuch", &[]).await,
        Record::Group,
        "nosuch",
    );
    store.replace_group_members("compute", &[]).await.unwrap();
    assert!(get().await.is_empty());
}

/// Check: group patch and delete.
pub async fn group_patch_and_delete(store: Arc<dyn Store>) {
    nodes(&store).await;
    store
        .create_group(&group("compute", "", &["x0c0s0b0n0"]))
        .await
        .unwrap();
    let patch = GroupPatch {
        description: Some("new".into()),
        tags: Some(vec!["Tag1".into()]),
    };
    store.patch_group("compute", &patch).await.unwrap();
    let g = store.get_group("compute").await.unwrap().unwrap();
    assert_eq!(
        (g.description.as_str(), g.tags.clone()),
        ("new", vec!["tag1".to_owned()])
    );
    store
        .patch_group(
            "compute",
            &GroupPatch {
                description: None,
                tags: Some(vec![]),
            },
        )
        .await
        .unwrap();
    let g = store.get_group("compute").await.unwrap().unwrap();
    assert_eq!(
        (g.description.as_str(), g.tags.len()),
        ("new", 0),
        "absent fields stay"
    );
    expect_invalid(
        store
            .patch_group(
                "compute",
                &GroupPatch {
                    description: None,
                    tags: Some(vec!["bad tag".into()]),
                },
            )
            .await,
    );
    expect_not_found(
        store.patch_group("nosuch", &patch).await,
        Record::Group,
        "nosuch",
    );

    assert!(store.delete_group("Compute").await.unwrap());
    assert!(!store.delete_group("compute").await.unwrap());
    assert!(
        store
            .get_membership(&x("x0c0s0b0n0"))
            .await
            .unwrap()
            .unwrap()
            .group_labels
            .is_empty()
    );
    store
        .create_group(&group("compute", "", &[]))
        .await
        .expect("a deleted label is free again");
}

/// Check: partition membership is unique.
pub async fn partition_membership_is_unique(store: Arc<dyn Store>) {
    nodes(&store).await;
    store
        .create_partition(&partition("P10", &["x0c0s0b0n0"]))
        .await
        .unwrap();
    store
        .create_partition(&partition("p2", &["x0c0s0b0n1"]))
        .await
        .unwrap();
    let names: Vec<String> = store
        .list_partitions(&GroupFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["p2", "p10"], "partitions sort in natural order");

    let (value, detail) = expect_conflict(
        store
            .create_partition(&partition("p3", &["x0c0s0b0n2", "x0c0s0b0n0"]))
            .await,
        ConflictKind::Partition,
    );
    assert_eq!(value, "p10");
    assert!(detail.contains("x0c0s0b0n0"), "{detail}");
    assert_eq!(store.get_partition("p3").await.unwrap(), None);
    expect_conflict(
        store.add_partition_member("p2", &x("x0c0s0b0n0")).await,
        ConflictKind::Partition,
    );
    expect_conflict(
        store.add_partition_member("p10", &x("x0c0s0b0n0")).await,
        ConflictKind::Member,
    );
    expect_conflict(
        store.create_partition(&partition("p2", &[])).await,
        ConflictKind::PartitionName,
    );
    expect_invalid(store.create_partition(&partition("compute", &[])).await);
    expect_not_found(
        store.add_partition_member("p2", &x("x0c0s0b0n9")).await,
        Record::Component,
        "x0c0s0b0n9",
    );
    expect_not_found(
        store.add_partition_member("p7", &x("x0c0s0b0n2")).await,
        Record::Partition,
        "p7",
    );

    assert!(
        store
            .remove_partition_member("p10", &x("x0c0s0b0n0"))
            .await
            .unwrap()
    );
    assert!(
        !store
            .remove_partition_member("p10", &x("x0c0s0b0n0"))
            .await
            .unwrap()
    );
    store
        .add_partition_member("p2", &x("x0c0s0b0n0"))
        .await
        .expect("free once it left p10");
    let p2 = store.get_partition("P2").await.unwrap().unwrap();
    assert_eq!(member_ids(&p2.members.ids), ["x0c0s0b0n0", "x0c0s0b0n1"]);

    store
        .patch_partition(
            "p2",
            &GroupPatch {
                description: Some("two".into()),
                tags: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .get_partition("p2")
            .await
            .unwrap()
            .unwrap()
            .description,
        "two"
    );
    expect_not_found(
        store.patch_partition("p7", &GroupPatch::default()).await,
        Record::Partition,
        "p7",
    );
    assert!(store.delete_partition("p2").await.unwrap());
    assert!(!store.delete_partition("p2").await.unwrap());
    assert_eq!(
        store
            .get_membership(&x("x0c0s0b0n1"))
            .await
            .unwrap()
            .unwrap()
            .partition_name,
        ""
    );
}

/// Check: memberships follow filters.
pub async fn memberships_follow_filters(store: Arc<dyn Store>) {
    nodes(&store).await;
    store
        .create_group(&group("compute", "", &["x0c0s0b0n0", "x0c0s0b0n1"]))
        .await
        .unwrap();
    store
        .create_group(&group("blue", "", &["x0c0s0b0n1"]))
        .await
        .unwrap();
    store
        .create_partition(&partition("p1", &["x0c0s0b0n1"]))
        .await
        .unwrap();
    let n1 = store
        .get_membership(&x("x0c0s0b0n1"))
        .await
        .unwrap()
        .expect("component exists");
    assert_eq!(
        n1,
        Membership {
            id: x("x0c0s0b0n1"),
            group_labels: vec!["blue".into(), "compute".into()],
            partition_name: "p1".into()
        }
    );
    assert_eq!(
        serde_json::to_string(&store.get_membership(&x("x0c0s0b0")).await.unwrap().unwrap())
            .unwrap(),
        r#"{"id":"x0c0s0b0","groupLabels":[],"partitionName":""}"#
    );
    assert_eq!(store.get_membership(&x("x0c0s0b0n7")).await.unwrap(), None);

    let all = store.list_memberships(&Default::default()).await.unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(all[4].id, x("x0c0s0b0n10"), "sorted by id in natural order");
    let grouped = store
        .list_memberships(&filter(&[("group", "compute"), ("partition", "NULL")]))
        .await
        .unwrap();
    assert_eq!(
        grouped.iter().map(|m| m.id.to_string()).collect::<Vec<_>>(),
        ["x0c0s0b0n0"]
    );
    let nodes_only = store
        .list_memberships(&filter(&[("type", "NodeBMC")]))
        .await
        .unwrap();
    assert_eq!(nodes_only.len(), 1);
}
