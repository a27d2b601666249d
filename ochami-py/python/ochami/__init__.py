"""ochami: OpenCHAMI inventory, Redfish discovery and boot scripts from Python.

A thin binding over the ochami Rust crates: xnames (:class:`Xname`, :func:`parse_xnames`),
the inventory and boot store (:class:`Store`, results as :class:`Rows`), Redfish discovery
(:func:`discover`), bootscript and cloud-init rendering, and simulated BMCs
(:mod:`ochami.sim`) for notebooks and tests.

Every slow call runs on one shared tokio runtime with the GIL released, and can be
interrupted with Ctrl-C.
"""

from ochami import _ochami
from ochami._ochami import (
    BootError,
    InvalidError,
    OchamiError,
    RedfishError,
    Rows,
    Store,
    StoreError,
    Xname,
    XnameError,
    __version__,
    parse_xnames,
)

__all__ = [
    "BootError",
    "InvalidError",
    "OchamiError",
    "RedfishError",
    "Rows",
    "Store",
    "StoreError",
    "Xname",
    "XnameError",
    "__version__",
    "parse_xnames",
]

# Discovery, rendering and the simulator are exported when the extension has them.
for _name in (
    "discover",
    "DiscoveryReport",
    "render_bootscript",
    "meta_data",
    "user_data",
    "vendor_data",
):
    if hasattr(_ochami, _name):
        globals()[_name] = getattr(_ochami, _name)
        __all__.append(_name)
del _name
