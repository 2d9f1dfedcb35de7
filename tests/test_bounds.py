"""The version bounds are tested: every bound is pinned by ``make test-oldest``, CI runs both sets.

``tools/bounds.py`` turns the lower bounds of pyproject.toml into pip constraints;
``make test-oldest`` installs them on the lowest Python declared and runs the suite,
and ``.ci/run`` runs it after ``make test`` (the newest versions).
"""

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("bounds", ROOT / "tools" / "bounds.py")
bounds = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bounds)


def _extras_of_make_test():
    return re.search(r"^EXTRAS := (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)[1]


def test_every_requirement_of_make_test_has_a_lower_bound_that_is_pinned():
    lines = bounds.requirements(_extras_of_make_test().split(","))
    pins = bounds.lowest(lines)
    assert len(pins) == len(lines), "a requirement without a lower bound is not tested at it"
    for line, pin in zip(lines, pins):
        name = re.split(r"[<>=!~; \[]", line, maxsplit=1)[0]
        assert pin.startswith(f"{name}=="), (line, pin)


def test_an_extra_that_names_the_package_brings_its_requirements():
    project = bounds._project()
    optional = project["optional-dependencies"]
    lines = bounds.requirements(list(optional))
    assert not [line for line in lines if line.startswith(project["name"])]
    assert len(lines) == len(project["dependencies"]) + sum(
        1 for reqs in optional.values() for r in reqs if not r.startswith(project["name"])
    )


def test_a_pin_keeps_its_marker():
    assert bounds.lowest(["tomli>=2; python_version < '3.11'", "numpy>=2.0", "pytest"]) == [
        'tomli==2; python_version < "3.11"',
        "numpy==2.0",
    ]


def test_the_lowest_python_is_the_one_requires_python_names():
    assert (
        bounds.lowest_python()
        == re.search(r'requires-python = ">=([\d.]+)"', (ROOT / "pyproject.toml").read_text())[1]
    )


def test_make_test_oldest_installs_the_same_extras_as_make_test():
    makefile = (ROOT / "Makefile").read_text()
    assert '-c $(OLDEST)/constraints.txt -e ".[$(EXTRAS)]"' in makefile
    assert '-e ".[$(EXTRAS)]"' in makefile.split("lab:")[0]  # the newest set: the same extras
    assert makefile.count("tools/bounds.py versions $(EXTRAS)") == 2  # each set says its versions


def test_ci_runs_the_newest_and_the_oldest_set():
    commands = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if line.strip().startswith("make ")]
    assert commands == ["make test", "make test-oldest"]
