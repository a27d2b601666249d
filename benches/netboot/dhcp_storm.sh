#!/usr/bin/env bash
# DHCP storm: perfdhcp (Debian's kea-admin) runs full 4-way exchanges (DISCOVER, OFFER,
# REQUEST, ACK) for CLIENTS clients, every one with a reservation, over a veth pair between
# two network namespaces, against `ochami serve` (SQLite store) and then, in the same run,
# against ISC Kea (kea-dhcp4, memfile) holding the same reservations. perfdhcp acts as a
# relay (giaddr = its address), as it always does for DHCPv4.
#
# Needs root, iproute2, python3, kea-admin, kea-dhcp4-server, curl and a release build of ochami:
#   cargo build --release -p ochami-examples --bin ochami
#   sudo benches/netboot/dhcp_storm.sh            # CLIENTS=10000 RATE=4000 SECONDS_=30
# Results go to stdout; benches/README.md records them.
set -euo pipefail
cd "$(dirname "$0")/../.."

CLIENTS=${CLIENTS:-10000}
RATE=${RATE:-4000}
PERIOD=${PERIOD:-30}
OCHAMI=${OCHAMI:-target/release/ochami}
WORK=$(mktemp -d /tmp/dhcp-storm.XXXXXX)
SRV=ochami-storm-s-$$
CLI=ochami-storm-c-$$
SERVER_IP=10.97.0.1
RELAY_IP=10.97.0.2

cleanup() {
  for p in $(jobs -p); do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$SRV" 2>/dev/null || true
  ip netns del "$CLI" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -x "$OCHAMI" ] || { echo "no $OCHAMI: cargo build --release -p ochami-examples --bin ochami" >&2; exit 1; }

# Client i: MAC 02:00:00:00:hi:lo, reserved address 10.97.(1 + i / 250).(i % 250 + 1).
python3 - "$CLIENTS" "$WORK" <<'PY'
import json, sys
n, work = int(sys.argv[1]), sys.argv[2]
macs, ifaces, comps, res = [], [], [], []
for i in range(n):
    mac = "02:00:00:00:%02x:%02x" % (i >> 8, i & 0xff)
    ip = "10.97.%d.%d" % (1 + i // 250, i % 250 + 1)
    x = "x%dc%ds%db0n%d" % (1000 + i // 1024, (i // 128) % 8, (i // 2) % 64, i % 2)
    macs.append(mac)
    comps.append({"ID": x, "State": "Ready", "NID": i + 1, "Type": "Node"})
    ifaces.append({"ID": mac.replace(":", ""), "MACAddress": mac, "ComponentID": x, "IPAddresses": [{"IPAddress": ip}]})
    res.append({"hw-address": mac, "ip-address": ip, "hostname": x})
open(work + "/macs.txt", "w").write("\n".join(macs) + "\n")
with open(work + "/site.jsonl", "w") as f:
    line = lambda kind, rec: f.write(json.dumps({"kind": kind, "record": rec}) + "\n")
    line("header", {"format": "ochami-snapshot", "version": 1})
    for c in comps:
        line("component", c)
    for i in ifaces:
        line("ethernet_interface", i)
    line("end", {"records": 2 * n, "counts": {"component": n, "ethernet_interface": n}})
json.dump({"Dhcp4": {
    "interfaces-config": {"interfaces": ["veth-s"], "dhcp-socket-type": "udp"},
    "lease-database": {"type": "memfile", "persist": False},
    "host-reservation-identifiers": ["hw-address"],
    "valid-lifetime": 3600,
    "subnet4": [{"id": 1, "subnet": "10.97.0.0/16", "reservations": res,
                 "option-data": [{"name": "subnet-mask", "data": "255.255.0.0"}]}],
    "loggers": [{"name": "kea-dhcp4", "severity": "WARN",
                 "output_options": [{"output": "stderr"}]}],
}}, open(work + "/kea.json", "w"))
PY

ip netns add "$SRV"
ip netns add "$CLI"
ip -n "$SRV" link set lo up
ip -n "$CLI" link set lo up
ip -n "$SRV" link add veth-s type veth peer name veth-c netns "$CLI"
ip -n "$SRV" addr add "$SERVER_IP/16" dev veth-s
ip -n "$CLI" addr add "$RELAY_IP/16" dev veth-c
ip -n "$SRV" link set veth-s up
ip -n "$CLI" link set veth-c up

storm() { # label
  echo "== $1: $CLIENTS clients, $RATE exchanges/s offered for $PERIOD s"
  ip netns exec "$CLI" perfdhcp -4 -l veth-c -r "$RATE" -p "$PERIOD" -R "$CLIENTS" \
    -M "$WORK/macs.txt" "$SERVER_IP" 2>&1 | tee "$WORK/$1.out" \
    | grep -E "sent packets|received packets|drops|min delay|avg delay|max delay|std deviation|collected packets|rate:" || true
}

# ochami, SQLite store, reservations imported as a snapshot (one transaction).
"$OCHAMI" store import --store "sqlite://$WORK/ochami.db" "$WORK/site.jsonl" 2>"$WORK/import.log" || { cat "$WORK/import.log" >&2; exit 1; }
ip netns exec "$SRV" env RUST_LOG=warn "$OCHAMI" serve --listen "$SERVER_IP:27779" \
  --insecure-no-auth --store "sqlite://$WORK/ochami.db" \
  --dhcp-interface veth-s --dhcp-server-ip "$SERVER_IP" --dhcp-subnet-mask 255.255.0.0 \
  > "$WORK/ochami.log" 2>&1 &
OCHAMI_PID=$!
for _ in $(seq 100); do
  ip netns exec "$SRV" curl -sf "http://$SERVER_IP:27779/hsm/v2/service/ready" >/dev/null && break
  sleep 0.2
done
storm ochami
kill "$OCHAMI_PID"; wait "$OCHAMI_PID" 2>/dev/null || true

# Kea, memfile, the same reservations.
ip netns exec "$SRV" env KEA_PIDFILE_DIR="$WORK" KEA_LOCKFILE_DIR="$WORK" kea-dhcp4 -c "$WORK/kea.json" > "$WORK/kea.log" 2>&1 &
KEA_PID=$!
sleep 2
kill -0 "$KEA_PID" 2>/dev/null || { echo "kea-dhcp4 did not start:" >&2; cat "$WORK/kea.log" >&2; exit 1; }
storm kea
kill "$KEA_PID"; wait "$KEA_PID" 2>/dev/null || true
