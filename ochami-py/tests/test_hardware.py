"""Hardware rows: flat, pandas-friendly, filtered like SMD's /Inventory/Hardware."""

import pytest

import ochami
from conftest import import_or_missing

COLUMNS = [
    "xname", "type", "node", "location", "status", "manufacturer", "model", "part_number",
    "serial", "fru_id", "processor_type", "cores", "threads", "speed_mhz", "memory_type",
    "capacity_mib", "capacity_bytes",
]


@pytest.fixture
def store(store):
    with ochami.sim.start_synthetic(systems=2, count=2) as fleet:
        ochami.discover(fleet.urls, scheme="http", store=store)
    return store


def test_hardware_rows_have_one_shape(store):
    rows = store.hardware()
    assert rows.kind == "hardware"
    assert len(rows) > 0
    assert rows.columns == COLUMNS
    records = store.hardware_records()
    assert [r["xname"] for r in rows] == [r["ID"] for r in records]
    for r in rows:
        assert r["type"] == ochami.Xname(r["xname"]).type
        if r["type"] in ("Processor", "Memory", "NodeAccel", "Drive"):
            assert r["node"] == str(ochami.Xname(r["xname"]).parent)


def test_hardware_filters(store):
    cpus = store.hardware(type="Processor")
    assert len(cpus) > 0 and {r["type"] for r in cpus} == {"Processor"}
    assert all(r["cores"] for r in cpus)
    one = cpus[0]
    assert [r["xname"] for r in store.hardware(fru_id=one["fru_id"])] == [one["xname"]]
    assert [r["xname"] for r in store.hardware(serial_number=one["serial"], type="Processor")] == [
        one["xname"]
    ]
    assert len(store.hardware(type="Processor", manufacturer="nobody")) == 0
    with pytest.raises(ochami.InvalidError):
        store.hardware(colour="red")
    with pytest.raises(ochami.InvalidError):
        store.hardware(type="Toaster")


def test_gpus_per_node_with_pandas(store):
    pandas = import_or_missing("pandas")
    df = store.hardware(type=["NodeAccel", "Memory"]).to_pandas()
    assert isinstance(df, pandas.DataFrame)
    per_node = df[df.type == "Memory"].groupby("node").capacity_mib.sum()
    assert len(per_node) == 4 and (per_node > 0).all()
