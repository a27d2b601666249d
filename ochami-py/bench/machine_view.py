"""Benchmark: drawing a 20,000-node machine with Store.machine_view (notebook picture).

    python ochami-py/bench/machine_view.py [N]

Times the component query and the SVG drawing (pure Python) of N nodes (default 20,000)
spread over cabinets of 8 chassis x 32 slots x 2 BMCs x 4 nodes, and reports the SVG size.
"""

import sys
import time

import ochami

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
STATES = ["Ready", "On", "Off", "Standby"]


def main():
    store = ochami.Store.open("memory:")
    nodes = []
    cab = 1000
    while len(nodes) < N:
        for ch in range(8):
            for slot in range(32):
                for b in range(2):
                    for n in range(4):
                        if len(nodes) < N:
                            i = len(nodes)
                            nodes.append({"ID": f"x{cab}c{ch}s{slot}b{b}n{n}", "State": STATES[i % 4], "NID": i + 1})
        cab += 1
    store.add_components(nodes)
    t = time.perf_counter()
    view = store.machine_view()
    query = time.perf_counter() - t
    t = time.perf_counter()
    svg = view.svg
    draw = time.perf_counter() - t
    assert svg.count('class="node ') == N
    print(f"{N} nodes: query + rows {query:.2f} s, SVG {draw:.2f} s, {len(svg) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
