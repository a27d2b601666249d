"""A notebook-style tour of ochami: simulated BMCs -> discovery -> inventory rows ->
hardware -> a picture of the machine -> power -> boot.

Run it as a script (CI does) or paste the cells into Jupyter, where Rows render as tables
and the machine view as a picture. With OCHAMI_CLUSTER_URI set (and OCHAMI_ACCESS_TOKEN
when the server wants one), the inventory lives on that server instead of a local store:
the cells read and write the same way through ochami.Client (power is then
the server's to do: client.power(...); this tour powers the simulated nodes only
through a local store).
"""

# %% Start three simulated BMCs with two nodes each.
import ochami

fleet = ochami.sim.start_synthetic(systems=2, count=3)
print(fleet)

# %% Discover them into an in-memory store (use "sqlite://inventory.db" to keep it), or
# into a remote server: discovery runs here, the state service there.
import os

remote = os.environ.get("OCHAMI_CLUSTER_URI")
store = ochami.Client(remote) if remote else ochami.Store.open("memory:")
report = ochami.discover(
    fleet.urls,
    concurrency=8,
    progress=lambda e: print("  event:", e["event"], e.get("target", {}).get("port", "")),
    store=store,
)
print(report)
print(report.outcomes)

# %% Inventory as rows: a pandas DataFrame when pandas is installed.
nodes = store.components(type="Node")
try:
    import pandas  # noqa: F401

    df = nodes.to_pandas()
    print(df[["ID", "State", "Role", "NID"]].to_string(index=False))
    nics = store.ethernet_interfaces().to_pandas()
    print(nics[["MACAddress", "ComponentID"]].head().to_string(index=False))
except ImportError:
    for row in nodes:
        print(row["ID"], row["State"], row.get("Role"), row.get("NID"))

# %% Hardware inventory as flat rows: CPUs, DIMMs, GPUs per node across the cluster.
cpus = store.hardware(type="Processor")
print(cpus)
try:
    import pandas  # noqa: F401

    hw = store.hardware().to_pandas()
    print(hw.groupby(["node", "type"]).size().unstack(fill_value=0).to_string())
    print(hw[hw.type == "Memory"].groupby("node").capacity_mib.sum().to_string())
except ImportError:
    pass
try:
    import matplotlib

    matplotlib.use("Agg")
    import tempfile

    png = os.path.join(tempfile.gettempdir(), "ochami-hardware.png")
    ochami.plot_hardware(store.hardware(), by="type").figure.savefig(png)
    print("wrote", png)
except ImportError:
    print("matplotlib not installed: no hardware plot")

# %% A picture of the machine: cabinets, chassis, slots, one shape per node by State.
view = store.machine_view(title="simulated machine")
print(view)
svg = view._repr_svg_()  # what Jupyter shows
assert svg.count('class="node ') == len(nodes)

# %% Power: the nodes that are off, on (one-time PXE boot first), read back.
if isinstance(store, ochami.Store):
    off = [c["ID"] for c in store.components(type="Node", state="Off")]
    done = ochami.power(off, "on", store=store, scheme="http", boot="pxe",
                        progress=lambda r: print("  power:", r["id"], r["result"], r["after"]))
    assert all(r["result"] == "done" for r in done)
    states = ochami.power_status([c["ID"] for c in nodes], store=store, scheme="http")
    for r in states:
        print("  ", r["id"], r["power_state"])

# %% Boot parameters for every node, then the bootscript one node would fetch.
store.set_boot_params(
    {
        "hosts": ["Default"],
        "kernel": "http://10.0.0.1/images/vmlinuz",
        "initrd": "http://10.0.0.1/images/initrd.img",
        "params": "console=ttyS0,115200 root=live:http://10.0.0.1/images/rootfs",
    }
)
first = nodes[0]["ID"]
mac = store.ethernet_interfaces(component_id=first)[0]["MACAddress"]
if isinstance(store, ochami.Store):
    script = ochami.render_bootscript(store, mac=mac, base_url="http://10.0.0.1:27778")
else:
    script = store.bootscript(mac=mac)  # what the server answers the node
print(script)
assert script.startswith("#!ipxe\nkernel ")
assert f"xname={first}" in script

# %% cloud-init meta-data of the same node.
print(ochami.meta_data(store, first) if isinstance(store, ochami.Store) else store.meta_data(first))

fleet.stop()
