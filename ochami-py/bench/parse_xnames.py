"""Benchmark: ochami.parse_xnames on 1,000,000 xnames vs a pure-Python regex parser.

    python ochami-py/bench/parse_xnames.py [N]

Build the module in release mode first (`maturin develop --release` or
`pip install ./ochami-py`); a debug build is several times slower.
"""

import re
import sys
import time

import ochami

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000


def make_names(n):
    """Node xnames across cabinets, some spelled with upper case and leading zeros."""
    out = []
    cab = 1000
    while len(out) < n:
        for chassis in range(8):
            for slot in range(64):
                for bmc in range(2):
                    for node in range(2):
                        if len(out) % 10 == 0:
                            out.append(f"X{cab}C{chassis}S0{slot}B{bmc}N0{node}")
                        else:
                            out.append(f"x{cab}c{chassis}s{slot}b{bmc}n{node}")
        cab += 1
    return out[:n]


# The regex baseline knows only the Node shape (ochami knows the whole HMS type table,
# with per-segment ranges); it checks the chassis range and normalizes like ochami does.
NODE = re.compile(r"\s*x(\d+)c(\d+)s(\d+)b(\d+)n(\d+)\s*", re.IGNORECASE)


def regex_parse(names):
    out = []
    append = out.append
    fullmatch = NODE.fullmatch
    for s in names:
        m = fullmatch(s)
        if m is None:
            raise ValueError(f"invalid xname {s!r}")
        x, c, sl, b, n = map(int, m.groups())
        if x > 9999 or c > 7:
            raise ValueError(f"invalid xname {s!r}: out of range")
        append(f"x{x}c{c}s{sl}b{b}n{n}")
    return out


def best_of(k, f, *args):
    times = []
    result = None
    for _ in range(k):
        t = time.perf_counter()
        result = f(*args)
        times.append(time.perf_counter() - t)
    return min(times), result


def main():
    names = make_names(N)
    t_rust, fast = best_of(5, ochami.parse_xnames, names)
    t_regex, slow = best_of(3, regex_parse, names)
    assert fast == slow, "parsers disagree"
    t_obj, objs = best_of(3, lambda ns: [ochami.Xname(s) for s in ns], names)
    assert [str(x) for x in objs[:1000]] == fast[:1000]
    print(f"{N:,} xnames (10% upper case with leading zeros)")
    print(f"ochami.parse_xnames           {t_rust:8.3f} s  {N / t_rust / 1e6:6.2f} M/s")
    print(f"pure-Python regex (Node only) {t_regex:8.3f} s  {N / t_regex / 1e6:6.2f} M/s")
    print(f"[ochami.Xname(s) for s in ...] {t_obj:7.3f} s  {N / t_obj / 1e6:6.2f} M/s")
    print(f"speed-up vs regex: {t_regex / t_rust:.1f}x")


if __name__ == "__main__":
    main()
