"""Explorers free what they hold: ``close()``, and a notebook cell run again.

Each explorer is a tree of widgets (sliders, images, boxes, their layouts and
styles) that the kernel keeps in a registry until they are closed, plus figures
and a sampled grid held by its drawing function. Learners re-run explorer cells
all the time; before, every run left about 5 MiB and 21-35 widgets behind.
"""

import gc
import tracemalloc
import weakref

import ipywidgets
import matplotlib.mathtext
import matplotlib.text
import pytest

from adlearn import widgets
from adlearn.examples import running_example as f
from adlearn.widgets import explore, explore_direction, explore_sweep

MAKERS = [explore, explore_sweep, explore_direction]
MiB = 2**20


def registry():
    """The kernel's registry of live widgets (model id -> widget)."""
    return ipywidgets.widgets.widget._instances


def traced_mib():
    """The memory Python and numpy have allocated and not freed (tracemalloc's count).

    Not counted: matplotlib's bounded caches of text, emptied first: 3.10's text sizes (an
    LRU of 4096 entries keyed by renderer, where a closed figure's entries stay until they
    are evicted; 3.11 keys them otherwise) and typeset formulas (an LRU of 50, whose
    entries come and go with what other figures typeset). They are matplotlib's, not the
    explorers', and their size wanders by more than the margin this test allows.
    """
    for cached in (getattr(matplotlib.text, "_get_text_metrics_with_cache_impl", None),
                   getattr(matplotlib.mathtext.MathTextParser, "_parse_cached", None)):
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()
    gc.collect()
    return tracemalloc.get_traced_memory()[0] / MiB


@pytest.fixture
def traced():
    # the resident size of a process that has freed memory rarely shrinks (the allocator
    # keeps its arenas), so what was freed is counted by tracemalloc instead
    tracemalloc.start()
    yield
    tracemalloc.stop()


@pytest.mark.parametrize("make", MAKERS)
def test_twenty_explorers_closed_leave_the_registry_and_memory_as_they_were(make, traced):
    # caches (fonts, typeset labels and numbers) fill once per process, not per explorer:
    # the warm-up visits the same points as the twenty, so that what they leave is theirs
    warm = make(f)
    warm.controls["x1"].value = 1.0
    warm.controls["x2"].value = -1.0
    warm.close()
    del warm
    widgets_before, memory_before = set(registry()), traced_mib()
    one = make(f)
    one_explorer = traced_mib() - memory_before  # what one live explorer holds
    one.close()
    del one
    gone = []
    for _ in range(20):
        e = make(f)
        e.controls["x1"].value = 1.0  # used, not just made
        e.controls["x2"].value = -1.0
        gone += [weakref.ref(e), *(weakref.ref(fig) for fig in e.figures.values())]
        e.close()
    del e
    gc.collect()
    assert set(registry()) == widgets_before
    assert all(ref() is None for ref in gone), "a closed explorer or its figure is still held"
    # one explorer holds 0.7-2 MiB of arrays and objects; twenty kept would be 14-40 MiB
    assert one_explorer > 0.5
    assert traced_mib() - memory_before < one_explorer / 4


@pytest.mark.parametrize("make", MAKERS)
def test_close_closes_every_widget_of_the_explorer(make):
    before = set(registry())
    e = make(f)
    made = set(registry()) - before
    assert len(made) > 20  # sliders, images, boxes, their layouts and styles
    e.close()
    assert set(registry()) == before
    assert e.closed
    e.close()  # twice is harmless


@pytest.mark.parametrize("make", MAKERS)
def test_a_closed_explorer_ignores_its_controls(make):
    e = make(f)
    controls = dict(e.controls)
    renders = e.renders
    e.close()
    controls["x1"].value = 1.0  # a widget object kept by the caller
    assert e.renders == renders


def _in_cell(monkeypatch, cell, run):
    monkeypatch.setattr(widgets, "_cell_run", lambda: (cell, run))


def test_running_a_cell_again_closes_the_explorers_it_made(monkeypatch):
    before = set(registry())
    _in_cell(monkeypatch, "cell-a", "run-1")
    first, second = explore(f), explore_sweep(f)  # one run may make several
    _in_cell(monkeypatch, "cell-b", "run-2")
    elsewhere = explore_direction(f)  # another cell's explorer stays
    assert not first.closed
    assert not second.closed
    _in_cell(monkeypatch, "cell-a", "run-3")
    third = explore(f)
    assert first.closed
    assert second.closed
    assert not third.closed
    assert not elsewhere.closed
    third.close()
    elsewhere.close()
    assert set(registry()) == before
    assert widgets._LIVE == {}


def test_outside_a_notebook_no_explorer_is_closed_for_the_caller():
    e1, e2 = explore(f), explore(f)
    assert not e1.closed
    assert not e2.closed
    e1.close()
    e2.close()


def test_in_a_kernel_a_cell_run_three_times_holds_one_explorer():
    # the real path: a Jupyter kernel, execute requests carrying JupyterLab's cellId
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")
    count = "len(ipywidgets.widgets.widget._instances)"

    def run(code, cell):
        content = {
            "code": code,
            "silent": False,
            "store_history": True,
            "user_expressions": {"n": count},
            "allow_stdin": False,
            "stop_on_error": True,
        }
        msg = kc.session.msg("execute_request", content, metadata={"cellId": cell})
        kc.shell_channel.send(msg)
        while True:
            reply = kc.get_shell_msg(timeout=120)
            if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                break
        assert reply["content"]["status"] == "ok", reply["content"]
        return int(reply["content"]["user_expressions"]["n"]["data"]["text/plain"])

    try:
        run(
            "import matplotlib; matplotlib.use('Agg'); import ipywidgets, numpy as np\n"
            "from adlearn.widgets import explore",
            "setup",
        )
        cell = "e = explore(lambda x1, x2: x1 * x2 + np.sin(x1))"
        counts = [run(cell, "cell-1") for _ in range(3)]
        other = run(cell, "cell-2")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert counts[0] > 20
    assert counts == [counts[0]] * 3
    assert other == 2 * counts[0]


def test_explorers_left_open_at_exit_close_quietly():
    # ipywidgets closes every widget when it is collected, during the interpreter's shutdown
    # too: an explorer's close() must not import anything then ("Exception ignored ...")
    import subprocess
    import sys

    code = (
        "import matplotlib; matplotlib.use('Agg')\n"
        "import numpy as np\n"
        "from adlearn import widgets\n"
        "f = lambda x1, x2: x1 * x2 + np.sin(x1)\n"
        "kept = [make(f) for make in (widgets.explore, widgets.explore_sweep,"
        " widgets.explore_direction)]\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0
    assert done.stderr == ""
