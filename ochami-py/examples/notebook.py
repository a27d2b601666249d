"""A notebook-style tour of ochami: simulated BMCs -> discovery -> inventory rows -> boot.

Run it as a script (CI does) or paste the cells into Jupyter, where Rows render as tables.
"""

# %% Start three simulated BMCs with two nodes each.
import ochami

fleet = ochami.sim.start_synthetic(systems=2, count=3)
print(fleet)

# %% Discover them into an in-memory store (use "sqlite://inventory.db" to keep it).
store = ochami.Store.open("memory:")
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
script = ochami.render_bootscript(store, mac=mac, base_url="http://10.0.0.1:27778")
print(script)
assert script.startswith("#!ipxe\nkernel ")
assert f"xname={first}" in script

# %% cloud-init meta-data of the same node.
print(ochami.meta_data(store, first))

fleet.stop()
