"""Without the course extra (matplotlib, ipywidgets), what needs it says how to install it."""

import importlib
import subprocess
import sys

import pytest

import adlearn as ad
import adlearn.network
from adlearn.examples import running_example

HINT = 'pip install "adlearn[course]"'


@pytest.mark.parametrize("missing", ["ipywidgets", "matplotlib"])
def test_importing_the_explorers_names_the_extra(missing, monkeypatch):
    monkeypatch.setitem(sys.modules, missing, None)  # as if not installed
    monkeypatch.delitem(sys.modules, "adlearn.widgets", raising=False)
    with pytest.raises(
        ImportError, match=r"adlearn\.widgets needs ipywidgets and matplotlib"
    ) as info:
        importlib.import_module("adlearn.widgets")
    assert HINT in str(info.value)
    assert info.value.name == missing


def test_drawing_a_graph_names_the_extra(monkeypatch):
    from adlearn.graph import draw

    t = ad.trace(running_example, 2.0, 3.0)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match="drawing needs matplotlib") as info:
        draw(t)
    assert HINT in str(info.value)


def test_plots_name_the_extra(monkeypatch):
    from adlearn import plots

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"adlearn\[course\]"):
        plots.contours(lambda x1, x2: x1 * x2, 1.0, 1.0)


def test_the_package_imports_without_the_extra():
    # a fresh interpreter, where matplotlib and ipywidgets cannot be imported
    code = (
        "import sys; sys.modules['matplotlib'] = sys.modules['ipywidgets'] = None\n"
        "import adlearn as ad; print(ad.grad(lambda x: x * x)(3.0))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "6.0\n"


def _moons():
    from adlearn.datasets import two_moons

    return two_moons(n=20)


NEEDS_THE_EXTRA = {
    "explore_order": lambda: importlib.import_module("adlearn.chain_explorer").explore_order(),
    "draw_order": lambda: importlib.import_module("adlearn.chain_explorer").draw_order(3, 2, 1),
    "explore_checkpoints":
        lambda: importlib.import_module("adlearn.memory_explorer").explore_checkpoints(),
    "draw_checkpoints":
        lambda: importlib.import_module("adlearn.memory_explorer").draw_checkpoints(8, 2),
    "explore_training": lambda: importlib.import_module("adlearn.network_plots").explore_training(
        *_moons(), sizes=[2, 4, 1], steps=4, every=2),
    "decision_boundary": lambda: importlib.import_module("adlearn.network_plots")
        .decision_boundary(ad.network.init_params([2, 4, 1]), *_moons()),
    "loss_curve": lambda: importlib.import_module("adlearn.network_plots").loss_curve([1.0, 0.5]),
}


@pytest.mark.parametrize("missing", ["ipywidgets", "matplotlib"])
@pytest.mark.parametrize("call", NEEDS_THE_EXTRA)
def test_the_course_explorers_and_plots_name_the_extra(call, missing, monkeypatch):
    monkeypatch.setitem(sys.modules, missing, None)  # as if not installed
    # its submodules are gone too (as in an environment without it), and adlearn.widgets
    # is imported anew
    for name in [m for m in sys.modules if m.startswith(missing + ".")] + ["adlearn.widgets"]:
        monkeypatch.delitem(sys.modules, name, raising=False)
    error = None
    try:
        NEEDS_THE_EXTRA[call]()
    except ImportError as raised:
        error = raised
    if error is None:  # only what needs the missing module may do without it
        assert missing == "ipywidgets", call
        assert not call.startswith("explore"), call
    else:
        assert HINT in str(error), f"{call}: {type(error).__name__}: {error}"
        assert error.name == missing
