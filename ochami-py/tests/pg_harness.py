"""A throwaway PostgreSQL server for the test suite, started from the installed binaries.

`ThrowawayPostgres.start()` runs `initdb` into a fresh temp dir and `postgres` on a free
loopback port with its socket in that dir and `fsync=off` (fine for tests only). As root
(which `initdb` and `postgres` refuse) both run as `nobody` through `setpriv` (or
`runuser`), with the temp dir given to that user. `stop()` sends SIGINT (fast shutdown) to
the postmaster, waits, and deletes the dir. A small `sh` watchdog does the same if the test
process dies without calling `stop()` (SIGTERM, SIGKILL), so no server outlives the run.

This mirrors ochami-store/src/testing.rs, the Rust suites' harness.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


class HarnessError(RuntimeError):
    """The throwaway server could not be set up."""


def find_binaries() -> Path | None:
    """The directory holding `initdb` and `postgres`: PATH first, then the newest
    /usr/lib/postgresql/<version>/bin."""

    def has_both(d: Path) -> bool:
        return (d / "initdb").is_file() and (d / "postgres").is_file()

    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if entry and has_both(Path(entry)):
            return Path(entry)
    versions = []
    root = Path("/usr/lib/postgresql")
    if root.is_dir():
        for child in root.iterdir():
            if child.name.isdigit() and has_both(child / "bin"):
                versions.append((int(child.name), child / "bin"))
    return max(versions)[1] if versions else None


def _as_nobody_prefix() -> list[str]:
    """The command prefix running a program as `nobody` (we are root)."""
    setpriv = shutil.which("setpriv")
    if setpriv:
        # setpriv execs the program: the process we start is the postmaster itself.
        uid, gid = _nobody()
        return [setpriv, f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--"]
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "nobody", "--"]
    raise HarnessError(
        "running as root, and neither setpriv nor runuser exists to run postgres as nobody"
    )


def _nobody() -> tuple[int, int]:
    """The uid and primary gid of user `nobody`."""
    try:
        entry = pwd.getpwnam("nobody")
    except KeyError:
        raise HarnessError("running as root, and there is no user nobody to run postgres as")
    return entry.pw_uid, entry.pw_gid


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 8) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return " | ".join(text.splitlines()[-lines:])


class ThrowawayPostgres:
    """A running private PostgreSQL; call `stop()` when done."""

    def __init__(self, bindir: Path, tmpdir: Path, port: int, proc: subprocess.Popen):
        self.bindir = bindir
        self.dir = tmpdir
        self.port = port
        self._proc = proc
        self._watchdog: subprocess.Popen | None = None
        self._next_db = 0

    @classmethod
    def start(cls, bindir: Path) -> ThrowawayPostgres:
        """`initdb` a temp dir and start `postgres` in it; returns once it accepts connections."""
        tmpdir = Path(tempfile.mkdtemp(prefix="ochami-py-pg-"))
        try:
            return cls._start_in(bindir, tmpdir)
        except BaseException:
            shutil.rmtree(tmpdir, ignore_errors=True)
            raise

    @classmethod
    def _start_in(cls, bindir: Path, tmpdir: Path) -> ThrowawayPostgres:
        prefix: list[str] = []
        env = dict(os.environ)
        cwd = None
        if os.geteuid() == 0:
            prefix = _as_nobody_prefix()
            uid, gid = _nobody()
            os.chown(tmpdir, uid, gid)
            # initdb and postgres look at HOME and the cwd; give them ones nobody can read.
            env["HOME"] = "/tmp"
            cwd = "/tmp"
        data = tmpdir / "data"
        init = subprocess.run(
            prefix
            + [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
            + ["-E", "UTF8", "--locale=C", "--no-sync"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=env,
            cwd=cwd,
        )
        if init.returncode != 0:
            raise HarnessError(f"initdb failed ({init.returncode}): {init.stderr.strip()}")
        port = _free_port()
        log_path = tmpdir / "postgres.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                prefix
                + [str(bindir / "postgres"), "-D", str(data), "-k", str(tmpdir)]
                + ["-c", "listen_addresses=127.0.0.1", "-p", str(port)]
                + ["-c", "fsync=off", "-c", "synchronous_commit=off"]
                + ["-c", "full_page_writes=off", "-c", "max_connections=200"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=cwd,
            )
        server = cls(bindir, tmpdir, port, proc)
        try:
            server._start_watchdog()
            server._wait_ready(log_path)
        except BaseException:
            server.stop()
            raise
        return server

    def _wait_ready(self, log_path: Path) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        pg_isready = self.tool("pg_isready")
        while True:
            if self._proc.poll() is not None:
                raise HarnessError(
                    f"postgres exited ({self._proc.returncode}): {_tail(log_path)}"
                )
            if pg_isready is not None:
                ready = (
                    subprocess.run(
                        [str(pg_isready), "-q", "-h", "127.0.0.1", "-p", str(self.port)],
                        stdin=subprocess.DEVNULL,
                    ).returncode
                    == 0
                )
            else:
                ready = "ready to accept connections" in log_path.read_text(errors="replace")
            if ready:
                return
            if time.monotonic() > deadline:
                raise HarnessError(f"postgres did not start: {_tail(log_path)}")
            time.sleep(0.05)

    def _start_watchdog(self) -> None:
        """Stop postgres and remove the dir once this process is gone, however it ends."""
        script = r"""
            while kill -0 "$1" 2>/dev/null && [ -d "$2" ]; do sleep 1; done
            [ -d "$2" ] || exit 0
            pid=$(head -n 1 "$2/data/postmaster.pid" 2>/dev/null)
            if [ -n "$pid" ]; then
                kill -INT "$pid" 2>/dev/null
                for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
                kill -KILL "$pid" 2>/dev/null
            fi
            rm -rf "$2"
        """
        self._watchdog = subprocess.Popen(
            ["sh", "-c", script, "ochami-py-pg-watchdog", str(os.getpid()), str(self.dir)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def tool(self, name: str) -> Path | None:
        """A client program (`psql`, `pg_isready`) of this installation: next to `initdb`
        (also where a symlinked `initdb` points), else on PATH."""
        for d in (self.bindir, (self.bindir / "initdb").resolve().parent):
            if (d / name).is_file():
                return d / name
        found = shutil.which(name)
        return Path(found) if found else None

    def url(self, database: str) -> str:
        """The URL of `database` on this server."""
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str | None:
        """Create an empty database `t_<n>`; returns its URL, or None without `psql`."""
        psql = self.tool("psql")
        if psql is None:
            return None
        self._next_db += 1
        name = f"t_{self._next_db}"
        out = subprocess.run(
            [str(psql), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url("postgres")]
            + ["-c", f"CREATE DATABASE {name}"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:
            raise HarnessError(f"cannot create database {name}: {out.stderr.strip()}")
        return self.url(name)

    def stop(self) -> None:
        """Fast shutdown (SIGINT to the postmaster), wait, then delete the directory."""
        pid = None
        try:
            first = (self.dir / "data" / "postmaster.pid").read_text().splitlines()[:1]
            pid = int(first[0]) if first else None
        except (OSError, ValueError):
            pid = None
        # With runuser the process we started is a wrapper, so signal the pid postgres wrote.
        for target in {p for p in (pid, self._proc.pid) if p}:
            try:
                os.kill(target, signal.SIGINT)
            except ProcessLookupError:
                pass
        try:
            self._proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if pid and pid != self._proc.pid:
            deadline = time.monotonic() + STOP_TIMEOUT_S
            while time.monotonic() < deadline and _alive(pid):
                time.sleep(0.05)
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)
        if self._watchdog is not None:
            # The dir is gone: the watchdog's loop ends within a second; don't leave it behind.
            self._watchdog.kill()
            self._watchdog.wait()
            self._watchdog = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
