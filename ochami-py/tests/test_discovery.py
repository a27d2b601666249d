"""ochami.discover against simulated BMCs."""

import _thread
import threading
import time

import pytest

import ochami


def test_discover_reports_each_bmc_and_its_inventory():
    events = []
    with ochami.sim.start_synthetic(systems=2, count=3) as fleet:
        report = ochami.discover(fleet.urls, progress=events.append)
    assert isinstance(report, ochami.DiscoveryReport)
    assert (report.targets, report.discovered, report.failed) == (3, 3, 0)
    assert repr(report).startswith("DiscoveryReport(targets=3, discovered=3, failed=0")
    outcomes = report.outcomes.to_dicts()
    assert sorted(o["target"] for o in outcomes) == sorted(fleet.urls)
    assert {o["status"] for o in outcomes} == {"discovered"}
    assert [o["nodes"] for o in outcomes] == [2, 2, 2]
    assert all(o["error"] is None for o in outcomes)
    nodes = [c for c in report.components if c["Type"] == "Node"]
    assert len(nodes) == 6
    assert len(report.redfish_endpoints) == 3
    assert len(report.ethernet_interfaces) >= 12
    assert events[0] == {"event": "started", "targets": 3}
    assert events[-1]["event"] == "finished"
    assert sum(e["event"] == "crawled" for e in events) == 3
    full = report.to_dict()
    assert full["discovered"] == 3 and len(full["outcomes"]) == 3


def test_discover_saves_into_a_store(tmp_path):
    store = ochami.Store.open(f"sqlite://{tmp_path / 'd.db'}")
    with ochami.sim.start_synthetic(systems=2, count=2) as fleet:
        report = ochami.discover(fleet.urls, store=store)
    assert report.discovered == 2
    assert len(store.components(type="Node")) == 4
    assert len(store.redfish_endpoints()) == 2
    assert {r["ID"] for r in store.redfish_endpoints()} == {
        r["ID"] for r in report.redfish_endpoints
    }
    # report.save is the same write, and ingest takes the merged inventory dict.
    other = ochami.Store.open("memory:")
    other.ingest(report.inventory())
    assert len(other.components(type="Node")) == 4
    memory = ochami.Store.open("memory:")
    report.save(memory)
    assert memory.components().to_dicts() == other.components().to_dicts()


def test_xname_map_and_credentials():
    with ochami.sim.start_synthetic(systems=1, count=1, username="root", password="pw") as fleet:
        host = fleet[0].address.split(":")[0]
        denied = ochami.discover(fleet.urls)
        assert denied.failed == 1
        assert denied.outcomes[0]["status"] == "failed"
        assert denied.outcomes[0]["error"]
        ok = ochami.discover(
            fleet.urls, username="root", password="pw", xname_map={host: "x3000c0s5b0"}
        )
        strict = ochami.discover(
            fleet.urls,
            username="root",
            password="pw",
            xname_map={"10.9.9.9": "x3000c0s5b0"},
            strict_map=True,
        )
    assert ok.discovered == 1
    assert ok.outcomes[0]["xname"] == "x3000c0s5b0"
    assert strict.failed == 1
    assert "pw" not in str(denied.to_dict())


def test_credentials_default_to_the_environment(monkeypatch):
    monkeypatch.setenv("OCHAMI_BMC_USERNAME", "admin")
    monkeypatch.setenv("OCHAMI_BMC_PASSWORD", "s3cret")
    with ochami.sim.start_synthetic(systems=1, username="admin", password="s3cret") as fleet:
        assert ochami.discover(fleet.urls).discovered == 1
        assert ochami.discover(fleet.urls, password="wrong").failed == 1


def test_bad_options_raise():
    with pytest.raises(ochami.RedfishError):
        ochami.discover("10.0.0.0/33")
    with pytest.raises(ochami.RedfishError):
        ochami.discover("127.0.0.1", scheme="gopher")
    with pytest.raises(ochami.InvalidError):
        ochami.discover("127.0.0.1", xname_map={"127.0.0.1": "x1000c0s0b0n0"})
    with pytest.raises(TypeError):
        ochami.discover("127.0.0.1", progress=42)


def test_settings_are_checked_as_the_cli_checks_its_flags(monkeypatch):
    monkeypatch.delenv("OCHAMI_BMC_USERNAME", raising=False)
    monkeypatch.delenv("OCHAMI_BMC_PASSWORD", raising=False)
    cases = [
        ({"username": "root"}, "username: given without a password"),
        ({"password": "pw"}, "password: given without a username"),
        ({"timeout": 0}, "timeout: 0 is not a number of seconds in (0, 86400]"),
        ({"deadline": -1}, "deadline: -1 is not a number of seconds in (0, 86400]"),
        ({"concurrency": 0}, "concurrency: must be at least 1"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ochami.InvalidError) as e:
            ochami.discover("127.0.0.1", **kwargs)
        assert message in str(e.value)
        assert "pw" not in str(e.value)


def test_progress_callback_exception_stops_the_run():
    def boom(event):
        raise RuntimeError("stop here")

    with ochami.sim.start_synthetic(systems=1, count=2, latency=0.05) as fleet:
        with pytest.raises(RuntimeError, match="stop here"):
            ochami.discover(fleet.urls, progress=boom)


def test_gil_is_released_while_discovering():
    ticks = 0
    stop = threading.Event()

    def count():
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.001)

    with ochami.sim.start_synthetic(systems=2, count=2, latency=0.1) as fleet:
        t = threading.Thread(target=count)
        t.start()
        started = time.monotonic()
        try:
            report = ochami.discover(fleet.urls, concurrency=1)
        finally:
            stop.set()
            t.join()
        elapsed = time.monotonic() - started
    assert report.discovered == 2
    assert elapsed > 0.5
    # The other thread kept running (~1 tick per ms when it gets the GIL; were the GIL held
    # during the crawl it would get none until discover returned).
    assert ticks >= 100, (ticks, elapsed)


def test_ctrl_c_interrupts_discovery():
    with ochami.sim.start_synthetic(systems=1, count=1, fault="hang") as fleet:
        timer = threading.Timer(0.3, _thread.interrupt_main)
        started = time.monotonic()
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            ochami.discover(fleet.urls, timeout=60, deadline=60)
        assert time.monotonic() - started < 5
