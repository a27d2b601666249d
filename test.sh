#!/usr/bin/env bash
# Runs every check and test of the project: formatting, lints, docs, the Rust test suites
# (memory, SQLite and a throwaway PostgreSQL started by the tests themselves) and the
# Python binding's pytest suite in a fresh venv. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")"

echo "== cargo fmt"
cargo fmt --all --check

echo "== cargo clippy"
cargo clippy --all-targets --all-features -- -D warnings

echo "== cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --all-features --quiet

echo "== cargo test"
cargo test --all-features

if [ -f ochami-py/pyproject.toml ]; then
  echo "== python bindings"
  bash ochami-py/test.sh
fi
