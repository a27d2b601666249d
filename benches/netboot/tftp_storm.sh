#!/usr/bin/env bash
# TFTP storm: CLIENTS concurrent curl transfers (tftp://) of one 1 MiB file from
# `ochami serve --tftp-root` on loopback, with the default 512-byte blocks and with
# blksize 1468 (what iPXE and most PXE ROMs negotiate). Reports wall time and throughput.
#
#   cargo build --release -p ochami-examples --bin ochami
#   benches/netboot/tftp_storm.sh               # CLIENTS=100 SIZE_MIB=1
set -euo pipefail
cd "$(dirname "$0")/../.."

CLIENTS=${CLIENTS:-100}
SIZE_MIB=${SIZE_MIB:-1}
OCHAMI=${OCHAMI:-target/release/ochami}
PORT=${PORT:-16969}
HTTP_PORT=${HTTP_PORT:-17779}
WORK=$(mktemp -d /tmp/tftp-storm.XXXXXX)

cleanup() {
  for p in $(jobs -p); do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -x "$OCHAMI" ] || { echo "no $OCHAMI: cargo build --release -p ochami-examples --bin ochami" >&2; exit 1; }
mkdir -p "$WORK/root" "$WORK/out"
head -c "$((SIZE_MIB * 1048576))" /dev/urandom > "$WORK/root/ipxe.efi"
RUST_LOG=warn "$OCHAMI" serve --listen "127.0.0.1:$HTTP_PORT" --store memory: \
  --tftp-root "$WORK/root" --tftp-listen "127.0.0.1:$PORT" > "$WORK/ochami.log" 2>&1 &
sleep 1

storm() { # label, curl flags...
  local label=$1; shift
  rm -f "$WORK"/out/*
  local args=()
  for i in $(seq "$CLIENTS"); do
    args+=(-o "$WORK/out/$i" "tftp://127.0.0.1:$PORT/ipxe.efi")
  done
  local start end
  start=$(date +%s.%N)
  curl -sS --no-progress-meter -Z --parallel-max "$CLIENTS" --max-time 300 "$@" "${args[@]}"
  end=$(date +%s.%N)
  local ok=0
  for f in "$WORK"/out/*; do cmp -s "$f" "$WORK/root/ipxe.efi" && ok=$((ok + 1)); done
  python3 -c "
import sys
s, e, n, ok, mib = float('$start'), float('$end'), $CLIENTS, $ok, $SIZE_MIB
t = e - s
print(f'$label: {ok}/{n} complete and identical, {t:.2f} s, {n * mib / t:.1f} MiB/s total, {n * mib * 8 / t:.0f} Mbit/s')
"
}

storm "blksize 512" 
storm "blksize 1468" --tftp-blksize 1468
