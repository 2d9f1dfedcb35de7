"""The lowest versions pyproject.toml declares, as pip constraints; and the versions installed.

``make test-oldest`` installs the package with every dependency at the lowest
version its bound allows (``numpy>=2.0`` becomes ``numpy==2.0``), on the lowest
Python that ``requires-python`` allows, and runs the suite: a bound that is not
tested is a guess. Dependencies of dependencies are left to pip, newest first,
as a user would get them.

    python tools/bounds.py python               # the lowest Python declared: 3.10
    python tools/bounds.py lowest course,test   # constraints, one a line
    python tools/bounds.py versions course,test # Python and each direct dependency, installed

Runs on the standard library and pip (whose vendored parsers it borrows on a
Python without ``tomllib``), so it works in a fresh venv before anything else.

Examples
--------
>>> lowest(["numpy>=2.0", "tomli>=2; python_version < '3.11'", "pytest", "micrograd==0.1.0"])
['numpy==2.0', 'tomli==2; python_version < "3.11"', 'micrograd==0.1.0']
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    from pip._vendor import tomli as tomllib

try:
    from packaging.requirements import Requirement
except ModuleNotFoundError:  # a venv with pip alone
    from pip._vendor.packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def lowest_python() -> str:
    """The version ``requires-python = ">=3.10"`` starts at."""
    from pip._vendor.packaging.specifiers import SpecifierSet

    floor = [s.version for s in SpecifierSet(_project()["requires-python"]) if s.operator == ">="]
    if not floor:
        raise SystemExit("bounds: requires-python has no lower bound")
    return floor[0]


def requirements(extras: list[str]) -> list[str]:
    """The package's own dependencies and those of the given extras, as written.

    An extra that names the package itself (``adlearn[site]``) brings that extra's.
    """
    project = _project()
    found = list(project.get("dependencies", []))
    optional = project.get("optional-dependencies", {})
    todo, seen = list(extras), set()
    while todo:
        extra = todo.pop(0)
        if extra in seen:
            continue
        seen.add(extra)
        if extra not in optional:
            raise SystemExit(
                f"bounds: no extra {extra!r} in pyproject.toml; there are {sorted(optional)}"
            )
        for line in optional[extra]:
            req = Requirement(line)
            if req.name.lower() == project["name"].lower():
                todo += sorted(req.extras)
            else:
                found.append(line)
    return found


def lowest(lines: list[str]) -> list[str]:
    """Each requirement pinned at its lower bound (``>=`` or ``==``); unbounded ones left out."""
    pins = []
    for line in lines:
        req = Requirement(line)
        floor = [s.version for s in req.specifier if s.operator in (">=", "==", "~=")]
        if not floor:
            continue
        pin = f"{req.name}=={floor[0]}"
        pins.append(f"{pin}; {req.marker}" if req.marker else pin)
    return pins


def versions(lines: list[str]) -> list[str]:
    """``name version`` of each requirement installed here (those whose marker applies)."""
    rows = [f"python {sys.version.split()[0]}"]
    for line in lines:
        req = Requirement(line)
        if req.marker and not req.marker.evaluate():
            continue
        try:
            rows.append(f"{req.name} {metadata.version(req.name)}")
        except metadata.PackageNotFoundError:
            rows.append(f"{req.name} (not installed)")
    return rows


def main(argv: list[str]) -> int:
    if argv == ["python"]:
        print(lowest_python())
        return 0
    if len(argv) != 2 or argv[0] not in ("lowest", "versions"):
        print(__doc__.split("\n\n")[2], file=sys.stderr)
        return 2
    lines = requirements([e for e in argv[1].split(",") if e])
    print("\n".join(lowest(lines) if argv[0] == "lowest" else versions(lines)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
