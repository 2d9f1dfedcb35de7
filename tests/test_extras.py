"""Without the course extra (matplotlib, ipywidgets), what needs it says how to install it."""

import importlib
import subprocess
import sys

import pytest

import adlearn as ad
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
