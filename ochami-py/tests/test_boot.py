"""Bootscripts and cloud-init documents rendered from a store."""

import json

import pytest

import ochami

BASE = "http://10.0.0.1:27778"


@pytest.fixture
def booted(store):
    store.add_components(
        [{"ID": "x1000c0s0b0n0", "State": "Ready", "NID": 1, "Role": "Compute"}]
    )
    store.add_ethernet_interface(
        {
            "MACAddress": "aa:bb:cc:dd:ee:ff",
            "ComponentID": "x1000c0s0b0n0",
            "IPAddresses": [{"IPAddress": "10.0.0.5"}],
        }
    )
    store.set_boot_params(
        {
            "hosts": ["Default"],
            "kernel": "http://s/vmlinuz",
            "initrd": "http://s/initrd",
            "params": "console=ttyS0",
        }
    )
    return store


def test_bootscript_by_mac_is_bss_text(booted):
    script = ochami.render_bootscript(booted, mac="AA-BB-CC-DD-EE-FF", base_url=BASE)
    assert script.splitlines() == [
        "#!ipxe",
        "kernel --name kernel http://s/vmlinuz initrd=initrd console=ttyS0 xname=x1000c0s0b0n0"
        " nid=1 BOOTIF=01-aa-bb-cc-dd-ee-ff ds=nocloud-net;s=http://10.0.0.1:27778/cloud-init/"
        " || goto boot_retry",
        "initrd --name initrd http://s/initrd || goto boot_retry",
        "boot || goto boot_retry",
        ":boot_retry",
        "sleep 30",
        "chain http://10.0.0.1:27778/boot/v1/bootscript?mac=aa:bb:cc:dd:ee:ff&retry=1",
        "",
    ]


def test_bootscript_by_name_nid_and_json(booted):
    by_name = ochami.render_bootscript(booted, name=ochami.Xname("x1000c0s0b0n0"), base_url=BASE)
    by_nid = ochami.render_bootscript(booted, nid=1, base_url=BASE, retry=2)
    assert "xname=x1000c0s0b0n0 nid=1" in by_name
    assert "xname=x1000c0s0b0n0 nid=1" in by_nid
    assert "retry=3" in by_nid
    data = json.loads(ochami.render_bootscript(booted, name="x1000c0s0b0n0", json=True))
    assert data["kernel"] == {"path": "http://s/vmlinuz"}
    assert data["initrd"] == {"path": "http://s/initrd"}


def test_unknown_node_gets_the_retry_chain(booted):
    script = ochami.render_bootscript(booted, mac="aa:bb:cc:dd:ee:00", ts=5, base_url=BASE)
    assert script.splitlines()[:3] == [
        "#!ipxe",
        "sleep 10",
        "chain http://10.0.0.1:27778/boot/v1/bootscript?mac=aa:bb:cc:dd:ee:00&arch=${buildarch}&ts=5",
    ]


def test_cloud_init_documents(booted):
    md = ochami.meta_data(booted, "x1000c0s0b0n0")
    assert md.startswith("instance-id: i-")
    assert "\nlocal-hostname: x1000c0s0b0n0\n" in md
    assert ochami.meta_data(booted, ip="10.0.0.5") == md
    assert ochami.user_data(booted, "x1000c0s0b0n0").startswith("#cloud-config")
    assert ochami.vendor_data(booted, ip="10.0.0.5", base_url=BASE).startswith("#include")


def test_boot_errors(booted):
    with pytest.raises(ochami.BootError, match="mac"):
        ochami.render_bootscript(booted, mac="zz")
    with pytest.raises(ochami.BootError, match="mac=, name=, or nid="):
        ochami.render_bootscript(booted)
    with pytest.raises(ochami.BootError, match="10.9.9.9"):
        ochami.meta_data(booted, ip="10.9.9.9")
    with pytest.raises(ochami.BootError, match="chain_url"):
        ochami.render_bootscript(booted, nid=1, chain_url="http://x/boot?a=b")
    with pytest.raises(ochami.XnameError):
        ochami.render_bootscript(booted, name="x1c9")
    err = pytest.raises(ochami.BootError, ochami.render_bootscript, booted, mac="zz").value
    assert isinstance(err, ochami.OchamiError) and not isinstance(err, ValueError)
