"""Store: rows in, rows out, on every backend."""

import importlib.util

import pytest

import ochami

NODES = [
    {"ID": "x1000c0s0b0n0", "State": "Ready", "Role": "Compute", "NID": 1, "Arch": "X86"},
    {"ID": "x1000c0s0b0n1", "State": "On", "Role": "Compute", "NID": 2, "Arch": "X86"},
    {"ID": "x1000c0s1b0n0", "State": "Off", "Role": "Management", "NID": 3, "Arch": "X86"},
    {"ID": "X1000C0S10B0N0", "State": "Ready", "Role": "Compute", "NID": 4, "Arch": "X86"},
]


def ids(rows):
    return [r["ID"] for r in rows]


def test_open_and_repr(store):
    assert store.backend in ("memory", "sqlite", "postgres")
    assert repr(store).startswith(f"Store(backend={store.backend!r}")
    store.ping()


def test_components_round_trip(store):
    store.add_components(NODES)
    rows = store.components()
    assert isinstance(rows, ochami.Rows)
    assert len(rows) == 4
    # Sorted in natural xname order, normalized, Type derived, Flag defaulted.
    assert ids(rows) == ["x1000c0s0b0n0", "x1000c0s0b0n1", "x1000c0s1b0n0", "x1000c0s10b0n0"]
    assert rows[0] == {
        "ID": "x1000c0s0b0n0",
        "Type": "Node",
        "State": "Ready",
        "Flag": "OK",
        "Enabled": True,
        "Role": "Compute",
        "NID": 1,
        "Arch": "X86",
    }
    assert rows[-1]["ID"] == "x1000c0s10b0n0"
    assert list(rows) == rows.to_dicts()
    assert store.component("X1000C0S0B0N0")["NID"] == 1
    assert store.component(ochami.Xname("x1000c0s0b0n1"))["State"] == "On"
    assert store.component("x9c0s0b0n0") is None


def test_component_filters_map_onto_smd_queries(store):
    store.add_components(NODES)
    assert ids(store.components(role="Compute", state=["Ready", "On"], nid_start=1)) == [
        "x1000c0s0b0n0",
        "x1000c0s0b0n1",
        "x1000c0s10b0n0",
    ]
    assert ids(store.components(state="!Ready")) == ["x1000c0s0b0n1", "x1000c0s1b0n0"]
    assert ids(store.components(nid_start=2, nid_end=3)) == ["x1000c0s0b0n1", "x1000c0s1b0n0"]
    assert ids(store.components(id=[ochami.Xname("x1000c0s1b0n0")])) == ["x1000c0s1b0n0"]
    assert ids(store.components(type="NodeBMC")) == []
    assert ids(store.components(enabled=True, role="management")) == ["x1000c0s1b0n0"]
    only = store.components(stateonly=True, nid=[1])
    assert only.to_dicts() == [
        {"ID": "x1000c0s0b0n0", "Type": "Node", "State": "Ready", "Flag": "OK"}
    ]


def test_put_and_delete_component(store):
    store.put_component({"ID": "x3000c0s0b0n0", "State": "Ready", "NID": 7})
    assert store.component("x3000c0s0b0n0")["NID"] == 7
    store.put_component({"ID": "x3000c0s0b0n0", "State": "Off", "NID": 8})
    assert store.component("x3000c0s0b0n0")["State"] == "Off"
    assert store.delete_component("x3000c0s0b0n0") is True
    assert store.delete_component("x3000c0s0b0n0") is False


def test_bad_rows_are_rejected_whole(store):
    bad = NODES[:2] + [{"ID": "x1000c9s0b0n0", "State": "Ready"}]
    with pytest.raises(ochami.XnameError, match="x1000c9"):
        store.add_components(bad)
    with pytest.raises(ochami.InvalidError, match="row 1"):
        store.add_components([NODES[0], {"ID": "x1c0s0b0n0", "State": "Napping"}])
    assert len(store.components()) == 0


def test_ethernet_interfaces_round_trip(store):
    store.add_components(NODES[:1])
    store.add_ethernet_interface(
        {
            "MACAddress": "AA-BB-CC-DD-EE-01",
            "ComponentID": "x1000c0s0b0n0",
            "Description": "eth0",
            "IPAddresses": [{"IPAddress": "10.1.0.1"}],
        }
    )
    rows = store.ethernet_interfaces()
    assert len(rows) == 1
    row = rows[0]
    assert row["ID"] == "aabbccddee01"
    assert row["MACAddress"] == "aa:bb:cc:dd:ee:01"
    assert row["ComponentID"] == "x1000c0s0b0n0"
    assert row["Type"] == "Node"
    assert row["IPAddresses"] == [{"IPAddress": "10.1.0.1"}]
    assert store.ethernet_interface("aa:bb:cc:dd:ee:01")["Description"] == "eth0"
    assert len(store.ethernet_interfaces(component_id="x1000c0s0b0n0")) == 1
    assert len(store.ethernet_interfaces(ip="10.1.0.2")) == 0
    with pytest.raises(ochami.StoreError, match="MACAddress"):
        store.add_ethernet_interface({"MACAddress": "aa:bb:cc:dd:ee:01"})
    with pytest.raises(ochami.InvalidError, match="MAC"):
        store.ethernet_interfaces(mac="not-a-mac")
    assert store.delete_ethernet_interface("aabbccddee01") is True


def test_redfish_endpoints_round_trip(store):
    store.put_redfish_endpoint(
        {"ID": "x1000c0s0b0", "FQDN": "10.0.0.1", "User": "root", "Password": "pw"}
    )
    rows = store.redfish_endpoints()
    assert ids(rows) == ["x1000c0s0b0"]
    assert rows[0]["Type"] == "NodeBMC"
    assert store.redfish_endpoint("x1000c0s0b0")["FQDN"] == "10.0.0.1"
    assert ids(store.redfish_endpoints(type="NodeBMC")) == ["x1000c0s0b0"]
    assert store.delete_redfish_endpoint("x1000c0s0b0") is True


def test_groups_round_trip(store):
    store.add_components(NODES)
    store.create_group({"label": "Blue", "members": {"ids": ["x1000c0s0b0n0"]}})
    store.add_group_member("blue", "x1000c0s0b0n1")
    g = store.group("blue")
    assert g["label"] == "blue"
    assert g["members"]["ids"] == ["x1000c0s0b0n0", "x1000c0s0b0n1"]
    assert [r["label"] for r in store.groups()] == ["blue"]
    assert ids(store.components(group="blue")) == ["x1000c0s0b0n0", "x1000c0s0b0n1"]
    with pytest.raises(ochami.StoreError):
        store.create_group({"label": "blue"})


def test_boot_params_round_trip(store):
    store.set_boot_params(
        {
            "hosts": ["x1000c0s0b0n0"],
            "kernel": "http://s3/kernel",
            "initrd": "http://s3/initrd",
            "params": "console=ttyS0",
        }
    )
    rows = store.boot_params(hosts="x1000c0s0b0n0")
    assert len(rows) == 1
    assert rows[0]["kernel"] == "http://s3/kernel"
    assert rows[0]["hosts"] == ["x1000c0s0b0n0"]
    assert store.delete_boot_params({"hosts": ["x1000c0s0b0n0"]}) == 1
    assert len(store.boot_params()) == 0


def test_rows_repr_and_html(store):
    store.add_components(NODES[:2])
    rows = store.components()
    assert rows.kind == "components"
    assert rows.columns[:4] == ["ID", "Type", "State", "Flag"]
    assert repr(rows).startswith("Rows(kind='components', len=2, columns=['ID', 'Type', ")
    html = rows._repr_html_()
    assert html.startswith("<table")
    assert "<th>ID</th>" in html and "<td>x1000c0s0b0n1</td>" in html
    with pytest.raises(IndexError):
        rows[2]


@pytest.mark.skipif(importlib.util.find_spec("pandas") is None, reason="pandas not installed")
def test_rows_to_pandas(store):
    store.add_components(NODES)
    df = store.components(role="Compute").to_pandas()
    assert list(df["ID"]) == ["x1000c0s0b0n0", "x1000c0s0b0n1", "x1000c0s10b0n0"]
    assert list(df.columns[:4]) == ["ID", "Type", "State", "Flag"]


def test_sqlite_persists_across_opens(tmp_path):
    url = f"sqlite://{tmp_path / 'p.db'}"
    ochami.Store.open(url).add_components(NODES[:1])
    assert ids(ochami.Store.open(url).components()) == ["x1000c0s0b0n0"]


def test_bulk_updates_follow_smd_rules(store):
    store.add_components(NODES)
    store.set_state(["x1000c0s0b0n0", ochami.Xname("x1000c0s0b0n1")], "Off")
    assert [r["State"] for r in store.components(nid=[1, 2])] == ["Off", "Off"]
    with pytest.raises(ochami.InvalidError, match="Off cannot change to Standby without Force"):
        store.set_state("x1000c0s0b0n0", "Standby")
    store.set_state("x1000c0s0b0n0", "Standby", force=True)
    assert store.component("x1000c0s0b0n0")["State"] == "Standby"
    store.set_flag("x1000c0s0b0n0", "Warning")
    assert store.component("x1000c0s0b0n0")["Flag"] == "Warning"
    store.set_role("x1000c0s0b0n0", "Management", sub_role="Master")
    row = store.component("x1000c0s0b0n0")
    assert (row["Role"], row["SubRole"]) == ("Management", "Master")
    store.set_enabled(["x1000c0s1b0n0"], False)
    assert ids(store.components(enabled=False)) == ["x1000c0s1b0n0"]
    store.set_software_status("x1000c0s1b0n0", "AdminDown")
    assert store.component("x1000c0s1b0n0")["SoftwareStatus"] == "AdminDown"
    store.set_nids({"x1000c0s0b0n0": 100})
    assert store.component("x1000c0s0b0n0")["NID"] == 100
    with pytest.raises(ochami.StoreError, match="NID"):
        store.set_nids({"x1000c0s0b0n1": 100})
    with pytest.raises(ochami.StoreError, match="x9c0s0b0n0"):
        store.set_state(["x1000c0s0b0n0", "x9c0s0b0n0"], "Ready")
    assert store.component("x1000c0s0b0n0")["State"] == "Standby"  # all or nothing
    with pytest.raises(ochami.InvalidError, match="State"):
        store.set_state("x1000c0s0b0n0", "Sleepy")
    assert store.delete_all_components() == 4
    assert len(store.components()) == 0


def test_rows_slices(store):
    store.add_components(NODES)
    rows = store.components()
    head = rows[:2]
    assert isinstance(head, ochami.Rows)
    assert ids(head) == ["x1000c0s0b0n0", "x1000c0s0b0n1"]
    assert ids(rows[::-1])[0] == "x1000c0s10b0n0"
    assert len(rows[10:]) == 0


def test_rows_out_of_one_store_go_into_another(store):
    """What a notebook does: read rows, edit them as dicts, write them elsewhere."""
    with ochami.sim.start_synthetic(systems=2, count=2) as fleet:
        ochami.discover(fleet.urls, store=store)
    copy = ochami.Store.open("memory:")
    components = store.components().to_dicts()
    copy.add_components(components)
    for row in store.redfish_endpoints():
        copy.put_redfish_endpoint(row)
    for row in store.ethernet_interfaces():
        copy.add_ethernet_interface(row)
    assert copy.components().to_dicts() == components
    assert copy.redfish_endpoints().to_dicts() == store.redfish_endpoints().to_dicts()
    macs = [(r["MACAddress"], r["ComponentID"], r["IPAddresses"]) for r in store.ethernet_interfaces()]
    assert [(r["MACAddress"], r["ComponentID"], r["IPAddresses"]) for r in copy.ethernet_interfaces()] == macs
    edited = dict(components[0], Role="Service", NID=999)
    copy.put_component(edited)
    assert copy.component(edited["ID"]) == edited


def test_rows_html_is_escaped(store):
    store.add_components(NODES[:1])
    store.add_ethernet_interface(
        {"MACAddress": "aa:bb:cc:dd:ee:02", "Description": "<script>alert(1)</script> & co"}
    )
    html = store.ethernet_interfaces()._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "<p>1 ethernet_interfaces rows</p>" in html
    assert len(store.ethernet_interfaces()[:0]) == 0


def test_snapshot_export_import_round_trip(store, tmp_path):
    store.add_components(NODES)
    path = tmp_path / "site.jsonl"
    counts = store.export(path)
    assert counts["component"] == 4
    other = ochami.Store.open("memory:")
    assert other.import_(str(path))["component"] == 4
    assert ids(other.components()) == ids(store.components())
    again = tmp_path / "again.jsonl"
    other.export(again)
    assert path.read_bytes() == again.read_bytes()
    # A file cut before its trailer imports nothing and names the line.
    lines = path.read_text().splitlines()
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[:-1]) + "\n")
    fresh = ochami.Store.open("memory:")
    with pytest.raises(ochami.StoreError, match=f"line {len(lines)}"):
        fresh.import_(cut)
    assert len(fresh.components()) == 0
    assert other.import_(path, replace=True)["component"] == 4
