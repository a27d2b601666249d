"""The notebook picture: one shape per node, by xname hierarchy, readable without colour."""

import xml.etree.ElementTree as ET

import pytest

import ochami
from conftest import import_or_missing

SVG = "{http://www.w3.org/2000/svg}"


def _nodes(svg: str):
    root = ET.fromstring(svg)
    return [e for e in root.iter() if e.get("class", "").split(" ")[0] == "node"]


@pytest.fixture
def store(store):
    with ochami.sim.start_synthetic(systems=2, count=3) as fleet:
        ochami.discover(fleet.urls, scheme="http", store=store)
    store.add_components([{"ID": "x3000c0s7b0n0", "State": "Ready", "Flag": "Alert", "NID": 100}])
    return store


def test_one_shape_per_node(store):
    view = store.machine_view(title="demo")
    assert isinstance(view, ochami.MachineView)
    ids = [c["ID"] for c in store.components(type="Node")]
    assert len(ids) == 7
    shapes = _nodes(view._repr_svg_())
    assert sorted(s.get("data-xname") for s in shapes) == sorted(ids)
    for s in shapes:
        state = store.component(s.get("data-xname"))["State"]
        assert s.get("data-state") == state
        # A title names the node and its state for readers without colour, and each state
        # has its own shape.
        assert s.find(f"{SVG}title").text.startswith(f"{s.get('data-xname')} State={state}")
    root = ET.fromstring(view.svg)
    cabinets = [g.get("data-xname") for g in root.iter(f"{SVG}g") if g.get("class") == "cabinet"]
    assert cabinets == ["x1000", "x3000"]
    alert = next(s for s in shapes if s.get("data-xname") == "x3000c0s7b0n0")
    assert alert.get("stroke") == "#d7191c"
    assert "nodes" in view._repr_html_()


def test_filters_and_shapes_by_state(store):
    some = store.components(type="Node")[0]["ID"]
    store.set_state(some, "Standby", force=True)
    off = store.machine_view(state="Standby")
    assert [s.get("data-xname") for s in _nodes(off.svg)] == [some]
    shapes = {s.get("data-state"): s.get("data-shape") for s in _nodes(store.machine_view().svg)}
    assert len(set(shapes.values())) == len(shapes)  # every state present has its own shape
    with pytest.raises(ochami.InvalidError):
        store.machine_view(type="Chassis")
    assert len(_nodes(store.machine_view(state="Halt").svg)) == 0


def test_hardware_plot_when_matplotlib_is_there(store):
    import_or_missing("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    ax = ochami.plot_hardware(store.hardware(), by="type")
    assert {t.get_text() for t in ax.get_xticklabels()} >= {"Processor", "Memory"}
