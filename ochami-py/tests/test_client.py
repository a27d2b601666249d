"""ochami.Client against a real `ochami serve` process: the same rows as a Store opened on the
server's database, writes through the API, problems raised as the ochami exceptions, and
bearer tokens checked by the server."""

import base64
import json
import shutil
import subprocess
import time

import pytest

import ochami
from conftest import missing

NODE = "x1000c0s0b0n0"


def _seed(client):
    client.add_components(
        [
            {"ID": NODE, "State": "Ready", "Role": "Compute", "NID": 1, "Arch": "X86"},
            {"ID": "x1000c0s0b0n1", "State": "Off", "Role": "Compute", "NID": 2},
            {"ID": "x1000c0s1b0n0", "State": "On", "Role": "Service", "NID": 3},
        ]
    )
    client.add_ethernet_interface(
        {
            "MACAddress": "AA:BB:CC:00:00:01",
            "ComponentID": NODE,
            "IPAddresses": [{"IPAddress": "10.0.0.11", "Network": "mgmt"}],
        }
    )
    client.put_redfish_endpoint(
        {"ID": "x1000c0s0b0", "FQDN": "10.0.1.1", "User": "root", "Password": "hunter2"}
    )
    client.create_group({"label": "gpu", "tags": ["fast"], "members": {"ids": [NODE]}})
    client.add_group_member("gpu", "x1000c0s0b0n1")
    client.create_partition({"name": "p1", "members": {"ids": ["x1000c0s1b0n0"]}})
    client.set_boot_params(
        {"hosts": [NODE], "kernel": "http://s3/vmlinuz", "initrd": "http://s3/initrd", "params": "console=ttyS0"}
    )
    client.put_cloud_init_group({"name": "gpu", "meta-data": {"tier": "1"}})
    client.put_cloud_init_node(NODE, {"meta-data": {"rack": "r1"}})
    client.set_cluster_defaults({"cluster-name": "demo", "base-url": "http://10.0.0.1:27777"})


LISTINGS = [
    ("components", {}),
    ("components", {"role": "Compute", "state": ["Ready", "Off"]}),
    ("components", {"nid_start": 2}),
    ("ethernet_interfaces", {}),
    ("ethernet_interfaces", {"component_id": NODE}),
    ("redfish_endpoints", {}),
    ("component_endpoints", {}),
    ("hardware", {}),
    ("hardware", {"type": "Processor"}),
    ("hardware_records", {}),
    ("groups", {}),
    ("partitions", {}),
    ("memberships", {}),
    ("boot_params", {}),
    ("boot_params", {"hosts": NODE}),
    ("cloud_init_groups", {}),
]


def test_client_and_store_give_equal_rows(served):
    client, store = served
    _seed(client)
    with ochami.sim.start_synthetic(systems=2, count=1, first_index=3) as fleet:
        # Discovery runs here and saves through the server (Magellan's POST per BMC).
        report = ochami.discover(fleet.urls, scheme="http", store=client)
    assert report.discovered == 1
    for name, kwargs in LISTINGS:
        remote = getattr(client, name)(**kwargs)
        local = getattr(store, name)(**kwargs)
        assert remote.kind == local.kind
        assert remote.to_dicts() == local.to_dicts(), (name, kwargs)
    assert len(client.components()) >= 5
    assert len(client.hardware(type="Processor")) > 0
    assert client.machine_view(role="Compute").svg == store.machine_view(role="Compute").svg
    assert client.component(NODE) == store.component(NODE)
    assert client.component("x9c0s0b0n0") is None
    assert client.ethernet_interface("aabbcc000001") == store.ethernet_interface("aabbcc000001")
    assert client.redfish_endpoint("x1000c0s0b0") == store.redfish_endpoint("x1000c0s0b0")
    assert client.group("gpu")["members"]["ids"] == [NODE, "x1000c0s0b0n1"]
    assert client.cloud_init_node(NODE) == store.cloud_init_node(NODE)
    assert client.cluster_defaults() == store.cluster_defaults()
    assert client.boot_params(hosts="x9c0s0b0n0").to_dicts() == []
    # What a node fetches, rendered by the server, equals the local rendering.
    script = client.bootscript(name=NODE)
    assert script.startswith("#!ipxe\n")
    assert script == ochami.render_bootscript(store, name=NODE, base_url=client.url)
    assert client.meta_data(NODE) == ochami.meta_data(store, NODE, base_url=client.url)
    assert 'tier: "1"' in client.meta_data(NODE)
    with pytest.raises(ochami.InvalidError):
        client.bootscript()


def test_client_writes_land_in_the_store(served):
    client, store = served
    _seed(client)
    with pytest.raises(ochami.InvalidError, match="without Force"):
        client.set_state(NODE, "Empty")
    client.set_state([NODE, "x1000c0s0b0n1"], "On", force=True)
    client.set_flag(NODE, "Alert")
    client.set_enabled("x1000c0s0b0n1", False)
    client.set_role(NODE, "Application", sub_role="Worker")
    client.set_software_status(NODE, "booted")
    client.set_nids({NODE: 41})
    c = store.component(NODE)
    assert (c["State"], c["Flag"], c["Role"], c["SubRole"], c["NID"]) == (
        "On", "Alert", "Application", "Worker", 41
    )
    assert c["SoftwareStatus"] == "booted"
    assert store.component("x1000c0s0b0n1")["Enabled"] is False
    client.update_boot_params({"hosts": [NODE], "params": "quiet"})
    assert store.boot_params(hosts=NODE)[0]["params"] == "quiet"
    client.delete_boot_params({"hosts": [NODE]})
    assert len(store.boot_params()) == 0
    assert client.remove_group_member("gpu", NODE) is True
    assert client.remove_group_member("gpu", NODE) is False
    assert client.delete_ethernet_interface("aa:bb:cc:00:00:01") is True
    assert store.ethernet_interfaces().to_dicts() == []
    assert client.delete_redfish_endpoint("x1000c0s0b0") is True
    assert client.delete_group("gpu") is True
    assert client.delete_group("gpu") is False
    assert client.delete_component("x1000c0s1b0n0") is True
    assert client.delete_component("x1000c0s1b0n0") is False
    assert client.delete_all_components() == 2
    assert len(store.components()) == 0


def test_problems_raise_the_ochami_exceptions(served):
    client, _ = served
    _seed(client)
    # A conflict: the server's problem, as a StoreError with its title and detail.
    with pytest.raises(ochami.StoreError) as e:
        client.create_group({"label": "gpu"})
    assert e.value.status == 409
    assert e.value.title == "Conflict"
    assert "gpu" in e.value.detail
    assert str(e.value).startswith("409 Conflict: ")
    # SMD's state table refuses Ready -> Empty... via the server as via a store.
    with pytest.raises(ochami.OchamiError):
        client.set_state("x9c0s0b0n0", "On")
    # Bad input is refused locally, by the same rules as a Store, before any request.
    with pytest.raises(ochami.XnameError):
        client.component("not-an-xname")
    with pytest.raises(ochami.InvalidError):
        client.components(bogus="1")
    with pytest.raises(ochami.InvalidError):
        client.hardware(colour="red")


def test_unreachable_server_raises(start_server):
    with pytest.raises(ochami.OchamiError) as e:
        ochami.Client("http://127.0.0.1:9", timeout=2).components()
    assert e.value.status is None
    assert "no answer from http://127.0.0.1:9" in str(e.value)
    with pytest.raises(ochami.InvalidError):
        ochami.Client("ftp://example")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Signer:
    """An RSA key made with the openssl CLI, its JWKS, and RS256 tokens signed with it."""

    def __init__(self, tmp):
        self.key = tmp / "key.pem"
        subprocess.run(
            ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", self.key],
            check=True,
            capture_output=True,
        )
        out = subprocess.run(
            ["openssl", "rsa", "-in", self.key, "-noout", "-modulus"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        n = bytes.fromhex(out.strip().split("=", 1)[1])
        self.jwks = tmp / "jwks.json"
        self.jwks.write_text(
            json.dumps(
                {"keys": [{"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig", "n": _b64(n), "e": "AQAB"}]}
            )
        )

    def token(self, **claims) -> str:
        now = int(time.time())
        body = {"iss": "http://tokensmith:8080", "sub": "admin@example.com", "iat": now, "exp": now + 600}
        body.update(claims)
        head = _b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "k1"}).encode())
        signing_input = f"{head}.{_b64(json.dumps(body).encode())}"
        sig = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", self.key],
            input=signing_input.encode(),
            check=True,
            capture_output=True,
        ).stdout
        return f"{signing_input}.{_b64(sig)}"


def test_tls_options_are_checked(tmp_path):
    with pytest.raises(ochami.InvalidError, match="cacert"):
        ochami.Client("https://127.0.0.1:1", cacert=tmp_path / "absent.pem")
    empty = tmp_path / "empty.pem"
    empty.write_text("no certificate here\n")
    with pytest.raises(ochami.InvalidError, match="no certificate"):
        ochami.Client("https://127.0.0.1:1", cacert=empty)
    with pytest.raises(ochami.InvalidError, match="timeout"):
        ochami.Client("http://127.0.0.1:1", timeout=0)


def test_tokens_are_sent_and_a_wrong_one_raises(start_server, tmp_path, monkeypatch):
    if shutil.which("openssl") is None:
        missing("the openssl CLI makes the test key")
    signer = Signer(tmp_path)
    server = start_server(f"sqlite://{tmp_path / 'auth.db'}", "--jwks-file", str(signer.jwks))
    admin = ochami.Client(server.url, token=signer.token(scope=["admin"]))
    admin.add_components([{"ID": NODE, "State": "Ready"}])
    assert [c["ID"] for c in admin.components()] == [NODE]
    assert "token" in repr(admin) and signer.token() not in repr(admin)
    # Reads are public by default; writes need a valid token.
    anonymous = ochami.Client(server.url)
    assert len(anonymous.components()) == 1
    with pytest.raises(ochami.OchamiError) as e:
        anonymous.set_state(NODE, "On")
    assert e.value.status == 401
    forged = signer.token(scope=["admin"])[:-4] + "AAAA"
    with pytest.raises(ochami.OchamiError) as e:
        ochami.Client(server.url, token=forged).set_state(NODE, "On")
    assert e.value.status == 401
    assert not isinstance(e.value, ochami.StoreError)
    expired = signer.token(scope=["admin"], exp=int(time.time()) - 3600)
    with pytest.raises(ochami.OchamiError, match="401"):
        ochami.Client(server.url, token=expired).set_state(NODE, "On")
    # The token defaults to $OCHAMI_ACCESS_TOKEN, as for the ochami CLI.
    monkeypatch.setenv("OCHAMI_ACCESS_TOKEN", signer.token(scope=["admin"]))
    ochami.Client(server.url).set_state(NODE, "On", force=True)
    assert admin.component(NODE)["State"] == "On"
    monkeypatch.delenv("OCHAMI_ACCESS_TOKEN")
    reader = ochami.Client(server.url, token=signer.token(scope="smd:read"))
    with pytest.raises(ochami.OchamiError) as e:
        reader.set_state(NODE, "On")
    assert e.value.status == 403


def test_power_through_the_servers_pcs(start_server, tmp_path):
    with ochami.sim.start_synthetic(systems=2, count=1, tls=True, username="root", password="pw") as fleet:
        ca = tmp_path / "sim-ca.pem"
        ca.write_text(fleet[0].ca_pem)
        # The server verifies the simulated BMC's certificate against the simulator's CA.
        server = start_server(f"sqlite://{tmp_path / 'pcs.db'}", env={"SSL_CERT_FILE": str(ca)})
        client = ochami.Client(server.url)
        ochami.discover(fleet.urls, store=client, cacert=ca, username="root", password="pw")
        # The discovery body carries no password: the credentials are written separately.
        bmc = client.redfish_endpoints()[0]
        bmc.update(User="root", Password="pw")
        client.put_redfish_endpoint(bmc)
        nodes = [c["ID"] for c in client.components(type="Node")]
        status = client.power_status(nodes)
        assert status.kind == "power_status"
        assert [(r["id"], r["power_state"], r["error"]) for r in status] == [
            (nodes[0], "on", None),
            (nodes[1], "off", None),
        ]
        assert "Force-Off" in status[0]["transitions"]
        seen = []
        rows = client.power(nodes, "force-off", progress=seen.append, poll=0.1)
        assert [(r["id"], r["result"], r["status"]) for r in rows] == [
            (nodes[0], "done", "succeeded"),
            (nodes[1], "done", "succeeded"),
        ]
        assert sorted(r["id"] for r in seen) == nodes
        assert "ForceOff" in rows[0]["description"]
        assert [c["State"] for c in client.components(type="Node")] == ["Off", "Off"]
        with pytest.raises(ochami.InvalidError, match="400 Bad Request: unknown operation"):
            client.power(nodes, "nmi")
        with pytest.raises(ochami.InvalidError, match="bad operation"):
            client.power(nodes, "reboot")
        # A node whose BMC cannot be reached fails alone, with the reason.
        fleet.stop()
        rows = client.power(nodes[0], "on", poll=0.1)
        assert rows[0]["result"] == "failed" and "unreachable" in rows[0]["error"]
