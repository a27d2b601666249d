#!/usr/bin/env bash
# Builds the Python extension into a venv (ochami-py/.venv), runs the pytest suite and the
# example notebook, and lints the binding crate. The root ./test.sh (CI) calls this.
set -euo pipefail
cd "$(dirname "$0")"

PY="${PYTHON:-python3}"
VENV=.venv
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check maturin pytest mypy
# pandas (Rows.to_pandas) and matplotlib (plot_hardware) are optional; the tests skip what
# needs them when they are missing.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check pandas matplotlib \
  || echo "pandas/matplotlib not installed; their tests will be skipped"

echo "== maturin develop (debug build)"
(
  # shellcheck disable=SC1091
  . "$VENV/bin/activate"
  maturin develop --quiet
)

echo "== pytest"
# The Postgres tests get a fresh database each from `ochami-test-postgres` (crate
# ochami-testing, run by tests/conftest.py): on OCHAMI_TEST_DATABASE_URL if set, else on a
# throwaway server it starts from the installed binaries and stops at the end; without
# PostgreSQL they are skipped with a notice, and fail under CI=true.
set +e
"$VENV/bin/python" -m pytest -q tests
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests" >&2
  exit 1
elif [ "$rc" -ne 0 ]; then
  exit "$rc"
fi

echo "== stubtest (the .pyi stubs match the module)"
"$VENV/bin/python" -m mypy.stubtest ochami

echo "== examples/notebook.py"
"$VENV/bin/python" examples/notebook.py

echo "== cargo clippy -p ochami-py"
# --no-deps: the other crates are linted by the root test.sh.
cargo clippy -p ochami-py --all-targets --no-deps -- -D warnings
