"""ochami: OpenCHAMI inventory, Redfish discovery and boot scripts from Python.

A thin binding over the ochami Rust crates: xnames (:class:`Xname`, :func:`parse_xnames`),
the inventory and boot store (:class:`Store`, results as :class:`Rows`), Redfish discovery
(:func:`discover`), power control (:func:`power`, :func:`power_status`), a remote
server with the same methods as a store (:class:`Client`), a picture of the machine
(:class:`MachineView`), bootscript and cloud-init rendering, and simulated BMCs
(:mod:`ochami.sim`) for notebooks and tests.

Every slow call runs on one shared tokio runtime with the GIL released, and can be
interrupted with Ctrl-C.
"""

from ochami._ochami import (
    BootError,
    Client,
    DiscoveryReport,
    InvalidError,
    OchamiError,
    RedfishError,
    Rows,
    Store,
    StoreError,
    Xname,
    XnameError,
    __version__,
    discover,
    meta_data,
    parse_xnames,
    power,
    power_status,
    render_bootscript,
    user_data,
    vendor_data,
)
from ochami import sim
from ochami.machine_view import MachineView, plot_hardware

__all__ = [
    "BootError",
    "Client",
    "DiscoveryReport",
    "InvalidError",
    "MachineView",
    "OchamiError",
    "RedfishError",
    "Rows",
    "Store",
    "StoreError",
    "Xname",
    "XnameError",
    "__version__",
    "discover",
    "meta_data",
    "parse_xnames",
    "plot_hardware",
    "power",
    "power_status",
    "render_bootscript",
    "sim",
    "user_data",
    "vendor_data",
]
