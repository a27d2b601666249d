"""Simulated Redfish BMCs for notebooks and tests.

Each BMC serves on a loopback port from the module's shared runtime until ``.stop()``, the
end of its ``with`` block, or garbage collection::

    with ochami.sim.start_synthetic(systems=2, count=3) as fleet:
        report = ochami.discover(fleet.urls)
"""

from ochami._ochami import SimBmc, SimFleet, start_mockup, start_synthetic

__all__ = ["SimBmc", "SimFleet", "start_mockup", "start_synthetic"]
