"""The shared runtime: usable again in a forked child."""

import multiprocessing

import ochami


def _child(queue):
    store = ochami.Store.open("memory:")
    store.add_components([{"ID": "x1c0s0b0n0", "State": "Ready"}])
    queue.put(len(store.components()))


def test_forked_child_gets_its_own_runtime():
    # The parent's runtime exists before the fork.
    ochami.Store.open("memory:").ping()
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child, args=(queue,))
    child.start()
    child.join(30)
    assert child.exitcode == 0
    assert queue.get(timeout=5) == 1
