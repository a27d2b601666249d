"""ochami.sim: simulated BMCs from Python."""

import json
import os
import urllib.request
from pathlib import Path

import pytest

import ochami


def get_json(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.load(r)


def test_start_synthetic_serves_redfish_until_stopped():
    fleet = ochami.sim.start_synthetic(systems=2, count=3)
    assert len(fleet) == 3
    assert len(set(fleet.urls)) == 3
    bmc = fleet[0]
    assert bmc.url == f"http://{bmc.address}"
    assert bmc.address.startswith("127.0.0.1:")
    assert repr(bmc) == f"SimBmc(url='{bmc.url}', running)"
    systems = get_json(bmc.url + "/redfish/v1/Systems")
    assert systems["Members@odata.count"] == 2
    assert bmc.stats()["requests"] >= 1
    fleet.stop()
    assert not bmc.is_running
    assert repr(bmc).endswith("stopped)")
    with pytest.raises(OSError):
        get_json(bmc.url + "/redfish/v1/")
    fleet.stop()  # idempotent


def test_context_managers_stop_the_bmcs():
    with ochami.sim.start_synthetic(systems=1, count=2) as fleet:
        bmcs = list(fleet)
        assert all(b.is_running for b in bmcs)
    assert not any(b.is_running for b in bmcs)
    with ochami.sim.start_synthetic()[0] as bmc:
        assert bmc.is_running
    assert not bmc.is_running


def test_bad_simulator_options_raise():
    with pytest.raises(ochami.InvalidError, match="fault"):
        ochami.sim.start_synthetic(fault="explode")
    with pytest.raises(ochami.InvalidError, match="latency"):
        ochami.sim.start_synthetic(latency=-1)
    with pytest.raises(ochami.RedfishError):
        ochami.sim.start_mockup("/nonexistent/mockup")


MOCKUPS = Path(__file__).resolve().parents[2].parent / "shared" / "redfish-mockups"


def mockup_dirs():
    if not MOCKUPS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{MOCKUPS} is missing (required under CI=true)")
        pytest.skip(f"{MOCKUPS} not found")
    return sorted(p for p in MOCKUPS.iterdir() if p.is_dir())


def test_every_shared_mockup_serves_and_discovers():
    dirs = mockup_dirs()
    assert dirs
    for d in dirs:
        with ochami.sim.start_mockup(d) as fleet:
            report = ochami.discover(fleet.urls)
        assert report.discovered == 1, (d.name, report.outcomes.to_dicts())
        assert report.outcomes[0]["nodes"] >= 1, d.name
        assert len(report.redfish_endpoints) == 1
