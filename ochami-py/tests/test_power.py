"""ochami.power and ochami.power_status against simulated BMCs."""

import pytest

import ochami


@pytest.fixture
def discovered():
    with ochami.sim.start_synthetic(systems=2, count=2) as fleet:
        store = ochami.Store.open("memory:")
        ochami.discover(fleet.urls, scheme="http", store=store)
        yield fleet, store


def test_power_by_xname_through_the_store(discovered):
    fleet, store = discovered
    nodes = [c["ID"] for c in store.components(type="Node")]
    assert len(nodes) == 4
    # Synthetic BMCs start their even systems on and their odd ones off.
    before = ochami.power_status(nodes, store=store, scheme="http")
    assert [r["power_state"] for r in before] == ["On", "Off", "On", "Off"]
    on = ochami.power(nodes, "on", store=store, scheme="http", boot="pxe")
    assert [(r["before"], r["sent"]) for r in on] == [("On", []), ("Off", ["On"])] * 2
    assert [r["after"] for r in on[1::2]] == ["On", "On"]
    assert all(r["result"] == "done" and r["boot_override"] for r in on)
    seen = []
    rows = ochami.power(nodes[:3], "force-off", store=store, scheme="http", progress=seen.append)
    assert rows.kind == "power"
    assert [r["id"] for r in rows] == nodes[:3]
    for r in rows:
        assert (r["result"], r["before"], r["after"], r["sent"]) == ("done", "On", "Off", ["ForceOff"])
        assert r["error"] is None
    assert sorted(r["id"] for r in seen) == sorted(nodes[:3])
    status = ochami.power_status(nodes, store=store, scheme="http")
    assert [r["power_state"] for r in status] == ["Off", "Off", "Off", "On"]
    assert "ForceOff" in status[0]["reset_types"]


def test_power_on_bmcs_given_directly(discovered):
    fleet, store = discovered
    url = fleet.urls[0]
    node0 = {"id": "n0", "url": url, "system": "/redfish/v1/Systems/Node0"}
    # A BMC with two systems needs the system named; the others in the run are unaffected.
    rows = ochami.power_status([fleet[0], node0])
    assert rows[0]["result"] == "failed"
    assert "has 2 systems" in rows[0]["error"]
    assert rows[1]["result"] == "done" and rows[1]["power_state"] == "On"
    # A BMC that does not answer fails alone with its error kind.
    rows = ochami.power_status(["http://127.0.0.1:9", node0], timeout=2)
    assert rows[0]["result"] == "failed" and rows[0]["error_kind"] is not None
    assert rows[1]["result"] == "done"


def test_bad_power_input_is_refused(discovered):
    fleet, store = discovered
    with pytest.raises(ochami.InvalidError, match='bad operation "reboot"'):
        ochami.power(fleet.urls, "reboot")
    with pytest.raises(ochami.InvalidError, match="x9c0s0b0n0 has no ComponentEndpoint"):
        ochami.power(["x9c0s0b0n0"], "on", store=store)
    with pytest.raises(ochami.XnameError):
        ochami.power(["nonsense"], "on", store=store)
    with pytest.raises(ochami.InvalidError, match="give a BMC URL"):
        ochami.power(["x1000c0s0b0n0"], "on")
    with pytest.raises(ochami.InvalidError, match="bad boot"):
        ochami.power(fleet.urls, "on", boot="floppy")
    with pytest.raises(TypeError):
        ochami.power(fleet.urls, "on", progress=3)


def test_an_exception_from_progress_stops_what_has_not_started():
    # Each request takes 0.2 s, so a system takes well over the 50 ms in which the callback
    # sees the first row; one system at a time.
    with ochami.sim.start_synthetic(systems=2, count=2, latency=0.2) as fleet:
        store = ochami.Store.open("memory:")
        ochami.discover(fleet.urls, scheme="http", store=store)
        nodes = [c["ID"] for c in store.components(type="Node")]
        ochami.power(nodes, "force-off", store=store, scheme="http")
        seen = []

        def stop(row):
            seen.append(row["id"])
            raise RuntimeError(f"stop after {row['id']}")

        with pytest.raises(RuntimeError, match="stop after x1000"):
            ochami.power(nodes, "on", store=store, scheme="http", concurrency=1, progress=stop)
        assert len(seen) == 1
        status = ochami.power_status(nodes, store=store, scheme="http")
        states = {r["id"]: r["power_state"] for r in status}
        # The first system was done, the one in progress when the callback raised was
        # finished (not dropped between its reset and its confirmation), the other two
        # were never started.
        assert states[seen[0]] == "On"
        assert sorted(states.values()) == ["Off", "Off", "On", "On"]
