"""Shared fixtures: a store of every backend.

PostgreSQL comes from the project's one throwaway-Postgres harness, the Rust binary
`ochami-test-postgres` (crate `ochami-testing`): started once per session (through
`cargo run`, or the program named by `OCHAMI_TEST_POSTGRES`), it hands out a fresh, empty
database per test, on `OCHAMI_TEST_DATABASE_URL` when that is set, else on a server it starts
from the installed binaries and stops when this session ends. Without any PostgreSQL the
Postgres tests are skipped with a notice; under `CI=true` that is an error.
"""

import os
import subprocess
from pathlib import Path

import pytest

import ochami

BACKENDS = ["memory", "sqlite", "postgres"]

REPO = Path(__file__).resolve().parents[2]

_notices = []


def missing(what: str):
    """A peer the test needs is absent: skip with a notice, or fail under `CI=true` (CI
    installs it)."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} (required under CI=true)")
    pytest.skip(what)


def import_or_missing(module: str):
    """Import `module`, or call `missing` naming it."""
    try:
        return __import__(module)
    except ImportError:
        missing(f"the Python module {module} is not installed")


def pytest_terminal_summary(terminalreporter):
    for notice in _notices:
        terminalreporter.write_line(notice, yellow=True, bold=True)


class PostgresHarness:
    """A running `ochami-test-postgres`: one line on stdin asks for a database, its URL comes
    back on stdout; closing stdin stops it (and the server it started)."""

    def __init__(self, proc: subprocess.Popen, first_url: str):
        self._proc = proc
        self._first = first_url

    def database(self) -> str:
        """The URL of a fresh, empty database."""
        if self._first is not None:
            url, self._first = self._first, None
            return url
        self._proc.stdin.write("database\n")
        self._proc.stdin.flush()
        return _read_url(self._proc)

    def stop(self) -> None:
        self._proc.stdin.close()
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()


def _read_url(proc: subprocess.Popen) -> str:
    line = proc.stdout.readline().strip()
    if not line.startswith("postgres"):
        proc.kill()
        pytest.fail(f"ochami-test-postgres failed (exit {proc.wait()}): {line!r}", pytrace=False)
    return line


def _command() -> list[str]:
    explicit = os.environ.get("OCHAMI_TEST_POSTGRES", "").strip()
    if explicit:
        return [explicit]
    return ["cargo", "run", "--quiet", "-p", "ochami-testing", "--bin", "ochami-test-postgres"]


@pytest.fixture(scope="session")
def postgres_server():
    """The session's `ochami-test-postgres`."""
    proc = subprocess.Popen(
        _command(), cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    first = proc.stdout.readline().strip()
    if first.startswith("skip:"):
        proc.wait()
        notice = first.removeprefix("skip:").strip()
        _notices.append(f"*** SKIPPED postgres tests: {notice} ***")
        pytest.skip(notice)
    if not first.startswith("postgres"):
        proc.kill()
        pytest.fail(f"ochami-test-postgres failed (exit {proc.wait()}): {first!r}", pytrace=False)
    server = PostgresHarness(proc, first)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    if request.param == "memory":
        return ochami.Store.open("memory:")
    if request.param == "sqlite":
        return ochami.Store.open(f"sqlite://{tmp_path / 'ochami.db'}")
    server = request.getfixturevalue("postgres_server")
    return ochami.Store.open(server.database())


# ---- a real `ochami serve` for the Client tests ----

def _target_dir() -> Path:
    return Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))


@pytest.fixture(scope="session")
def ochami_binary() -> str:
    """The `ochami` binary: `OCHAMI_BIN`, else built once with cargo (crate ochami-examples)."""
    explicit = os.environ.get("OCHAMI_BIN", "").strip()
    if explicit:
        return explicit
    subprocess.run(
        ["cargo", "build", "--quiet", "-p", "ochami-examples", "--bin", "ochami"],
        cwd=REPO,
        check=True,
    )
    return str(_target_dir() / "debug" / "ochami")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """An `ochami serve` process on a loopback port, stopped by `stop()`."""

    def __init__(self, binary: str, store_url: str, tmp: Path, extra: list[str], env: dict[str, str]):
        import time
        import urllib.request

        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.store_url = store_url
        self._log = open(tmp / f"serve-{port}.log", "w+")
        self._proc = subprocess.Popen(
            [binary, "serve", "--listen", f"127.0.0.1:{port}", "--store", store_url, *extra],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**{k: v for k, v in os.environ.items() if not k.startswith("OCHAMI_")}, **env},
        )
        deadline = time.monotonic() + 30
        while True:
            if self._proc.poll() is not None:
                self._log.seek(0)
                pytest.fail(f"ochami serve exited {self._proc.returncode}: {self._log.read()}")
            try:
                urllib.request.urlopen(f"{self.url}/hsm/v2/service/liveness", timeout=1)
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    pytest.fail("ochami serve did not answer within 30 s")
                time.sleep(0.1)

    def stop(self) -> None:
        self._proc.terminate()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._log.close()


@pytest.fixture
def start_server(ochami_binary, tmp_path):
    """Starts `ochami serve` on a store URL with extra flags (and environment variables);
    every server stops at the end."""
    started = []

    def start(store_url: str, *extra: str, env: dict[str, str] | None = None) -> Server:
        s = Server(ochami_binary, store_url, tmp_path, list(extra), env or {})
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def served(request, start_server, tmp_path):
    """A server and a `Store` opened on the same database: (Client, Store)."""
    if request.param == "sqlite":
        url = f"sqlite://{tmp_path / 'served.db'}"
    else:
        url = request.getfixturevalue("postgres_server").database()
    store = ochami.Store.open(url)
    server = start_server(url)
    return ochami.Client(server.url), store
