"""Shared fixtures: a store of every backend (PostgreSQL only with OCHAMI_TEST_DATABASE_URL)."""

import os

import pytest

import ochami

BACKENDS = ["memory", "sqlite"] + (
    ["postgres"] if os.environ.get("OCHAMI_TEST_DATABASE_URL") else []
)


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    if request.param == "memory":
        url = "memory:"
    elif request.param == "sqlite":
        url = f"sqlite://{tmp_path / 'ochami.db'}"
    else:
        url = os.environ["OCHAMI_TEST_DATABASE_URL"]
    s = ochami.Store.open(url)
    if request.param == "postgres":
        # A shared database: start from empty tables.
        for row in s.components():
            s.delete_component(row["ID"])
        for row in s.redfish_endpoints():
            s.delete_redfish_endpoint(row["ID"])
        for row in s.ethernet_interfaces():
            s.delete_ethernet_interface(row["MACAddress"])
        for row in s.groups():
            s.delete_group(row["label"])
        for row in s.boot_params():
            s.delete_boot_params(row)
    return s
