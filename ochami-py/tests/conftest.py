"""Shared fixtures: a store of every backend.

PostgreSQL runs on `OCHAMI_TEST_DATABASE_URL` when set (one shared database, emptied before
each test); otherwise on a throwaway server started once per session from the installed
binaries (tests/pg_harness.py), with a fresh database per test (given `psql`). Without any
PostgreSQL the Postgres tests are skipped with a notice; under `CI=true` that is an error.
"""

import os
import sys

import pytest

import ochami

sys.path.insert(0, os.path.dirname(__file__))
import pg_harness  # noqa: E402

BACKENDS = ["memory", "sqlite", "postgres"]

NO_POSTGRES = (
    "no PostgreSQL found (initdb/postgres on PATH or in /usr/lib/postgresql/*/bin); "
    "install it or set OCHAMI_TEST_DATABASE_URL"
)


def _external_url():
    url = os.environ.get("OCHAMI_TEST_DATABASE_URL", "").strip()
    return url or None


_notices = []


def pytest_terminal_summary(terminalreporter):
    for notice in _notices:
        terminalreporter.write_line(notice, yellow=True, bold=True)


@pytest.fixture(scope="session")
def postgres_server():
    """The session's throwaway server, or None when OCHAMI_TEST_DATABASE_URL names one."""
    if _external_url():
        yield None
        return
    bindir = pg_harness.find_binaries()
    if bindir is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {NO_POSTGRES}", pytrace=False)
        _notices.append(f"*** SKIPPED postgres tests: {NO_POSTGRES} ***")
        pytest.skip(NO_POSTGRES)
    server = pg_harness.ThrowawayPostgres.start(bindir)
    try:
        yield server
    finally:
        server.stop()


def _empty(s):
    """Empty a shared database's tables."""
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


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    if request.param == "memory":
        return ochami.Store.open("memory:")
    if request.param == "sqlite":
        return ochami.Store.open(f"sqlite://{tmp_path / 'ochami.db'}")
    server = request.getfixturevalue("postgres_server")
    if server is None:
        url = _external_url()
    else:
        url = server.create_database()
        if url is not None:
            return ochami.Store.open(url)
        url = server.url("postgres")  # no psql to create one: share the default database
    s = ochami.Store.open(url)
    _empty(s)
    return s
