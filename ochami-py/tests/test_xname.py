"""ochami.Xname and ochami.parse_xnames."""

import pickle

import pytest

import ochami
from ochami import Xname


def test_normalizes_and_describes():
    x = Xname("X1000C0S0B0N00")
    assert str(x) == "x1000c0s0b0n0"
    assert repr(x) == "Xname('x1000c0s0b0n0')"
    assert x.type == "Node"
    assert x.parent == Xname("x1000c0s0b0")
    assert x.parent.type == "NodeBMC"
    assert x.ordinals == [1000, 0, 0, 0, 0]
    assert [str(a) for a in x.ancestors()] == [
        "x1000c0s0b0",
        "x1000c0s0",
        "x1000c0",
        "x1000",
        "s0",
    ]
    assert Xname("s0").parent is None
    assert Xname("x1000c0s0b0").is_controller
    assert Xname("x1000c0").is_ancestor_of("x1000c0s0b0n0")


def test_equality_hashing_and_natural_order():
    assert Xname(" x1000c0s0b0n0 ") == Xname("X01000c0s0b0n0")
    assert len({Xname("x1c0"), Xname("X1C0"), Xname("x01c00")}) == 1
    assert Xname("x1c0") != "x1c0"  # no implicit str comparison
    names = [Xname(s) for s in ["x1000c0s10", "x1000c0s2", "x999", "x1000c0s2b0"]]
    assert [str(x) for x in sorted(names)] == [
        "x999",
        "x1000c0s2",
        "x1000c0s2b0",
        "x1000c0s10",
    ]
    assert Xname("x1000c0s2") < Xname("x1000c0s10")
    assert Xname(Xname("x1c0")) == Xname("x1c0")
    assert pickle.loads(pickle.dumps(Xname("x1c0s0"))) == Xname("x1c0s0")


def test_malformed_xname_raises_xname_error_with_reason():
    with pytest.raises(ochami.XnameError) as e:
        Xname("x1000c9")
    assert isinstance(e.value, ValueError)
    assert isinstance(e.value, ochami.OchamiError)
    assert str(e.value) == 'invalid xname "x1000c9": chassis ordinal 9 out of range 0-7'
    with pytest.raises(ValueError, match="empty"):
        Xname("")


def test_parse_xnames_returns_normal_forms():
    assert ochami.parse_xnames(["X1000C0S0B0N00", "x1c0", " s0 "]) == [
        "x1000c0s0b0n0",
        "x1c0",
        "s0",
    ]
    assert ochami.parse_xnames(iter(["x1c0"])) == ["x1c0"]
    assert ochami.parse_xnames([]) == []


def test_parse_xnames_errors_name_the_item():
    with pytest.raises(ochami.XnameError, match=r'^item 1: invalid xname "x1c9"'):
        ochami.parse_xnames(["x1c0", "x1c9"])
    assert ochami.parse_xnames(["x1c0", "bad", "x2"], strict=False) == ["x1c0", None, "x2"]
    with pytest.raises(TypeError, match="item 1: expected str, got int"):
        ochami.parse_xnames(["x1c0", 5])


def test_parse_xnames_handles_many():
    items = [f"x{c}c{h}s{s}b0n{n}" for c in range(10) for h in range(8) for s in range(16) for n in range(2)]
    out = ochami.parse_xnames(items)
    assert out == items
