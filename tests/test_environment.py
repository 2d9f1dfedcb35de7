"""The conda files (environment.yml, binder/environment.yml) agree with pyproject.toml.

pyproject.toml is the source of truth: the package's dependencies plus its
``course`` extra are what a learner needs.  Both conda files must list the same
packages with the same version bounds and pin a Python that the package supports;
the root one installs the package itself from the checkout, Binder's leaves that
to ``binder/postBuild``.  A last test reads every
import in the package and the notebooks and checks that what they use at run
time is declared.
"""

import ast
import importlib.metadata
import inspect
import json
import re
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
ENV_FILES = {
    "environment.yml": ROOT / "environment.yml",
    "binder/environment.yml": ROOT / "binder" / "environment.yml",
}
# conda-forge packages whose name differs from the PyPI distribution they provide
CONDA_TO_PYPI = {"matplotlib-base": "matplotlib"}
# packages a conda file needs for itself, not for the course
CONDA_ONLY = {"python", "pip"}
# the Python that Binder must run (binder/ and the conda route pin the same one)
BINDER_PYTHON = "3.11"
CONDA_SPEC = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*((?:[<>=!~]=?|=)\s*[^\s#]*)?\s*$")


def normalise(name):
    """PEP 503 name: lower case, runs of -, _ and . become one -."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject():
    with (ROOT / "pyproject.toml").open("rb") as fh:
        return tomllib.load(fh)["project"]


def declared_requirements():
    """{normalised name: SpecifierSet} for dependencies + the course extra."""
    project = pyproject()
    lines = project["dependencies"] + project["optional-dependencies"]["course"]
    reqs = {}
    for line in lines:
        req = Requirement(line)
        reqs[normalise(req.name)] = req.specifier
    return reqs


def load_env(path):
    with path.open(encoding="utf-8") as fh:
        env = yaml.safe_load(fh)
    assert isinstance(env, dict), f"{path}: expected a mapping at the top level"
    return env


def conda_specs(env):
    """Split an environment's dependencies into conda specs and pip lines."""
    conda, pip = {}, []
    for item in env["dependencies"]:
        if isinstance(item, dict):
            assert set(item) == {"pip"}, f"unexpected mapping in dependencies: {item}"
            pip.extend(item["pip"])
            continue
        match = CONDA_SPEC.match(str(item))
        assert match, f"cannot read the conda spec {item!r}"
        name, spec = match.group(1), (match.group(2) or "").replace(" ", "")
        conda[normalise(name)] = spec
    return conda, pip


def python_pin(conda):
    """The X.Y a conda spec such as ``python=3.11`` pins."""
    spec = conda.get("python", "")
    match = re.fullmatch(r"==?(\d+\.\d+)(?:\.\*)?", spec)
    assert match, f"Python must be pinned as python=X.Y, found {spec!r}"
    return match.group(1)


@pytest.fixture(params=sorted(ENV_FILES), ids=lambda key: key)
def env_file(request):
    return ENV_FILES[request.param]


def test_uses_conda_forge_only(env_file):
    env = load_env(env_file)
    assert env.get("channels") == ["conda-forge"]
    assert "defaults" not in env.get("channels", [])


def test_python_pin_is_supported_by_the_package(env_file):
    conda, _ = conda_specs(load_env(env_file))
    pin = python_pin(conda)
    requires = SpecifierSet(pyproject()["requires-python"])
    assert Version(pin) in requires, f"python={pin} is outside requires-python {requires}"
    assert pin == BINDER_PYTHON


def test_same_packages_and_bounds_as_pyproject(env_file):
    conda, _ = conda_specs(load_env(env_file))
    listed = {}
    for name, spec in conda.items():
        if name in CONDA_ONLY:
            continue
        listed[normalise(CONDA_TO_PYPI.get(name, name))] = SpecifierSet(spec)
    declared = declared_requirements()
    missing = sorted(set(declared) - set(listed))
    extra = sorted(set(listed) - set(declared))
    assert not missing, f"{env_file.name} lacks {missing} (declared in pyproject.toml)"
    assert not extra, f"{env_file.name} lists {extra}, which pyproject.toml does not declare"
    for name, spec in declared.items():
        assert listed[name] == spec, f"{name}: {env_file} says {listed[name]}, pyproject {spec}"


def test_root_file_installs_the_package_from_the_checkout():
    # `conda env create -f environment.yml`, run from the repository's root (README):
    # today's conda and mamba run pip in the folder of the environment file, which is the root
    env_file = ENV_FILES["environment.yml"]
    conda, pip = conda_specs(load_env(env_file))
    editable = [line for line in pip if line.startswith("-e ")]
    assert len(editable) == 1, f"expected one '-e PATH' line in the pip section, got {pip}"
    target = (env_file.parent / editable[0][3:].strip()).resolve()
    assert target == ROOT
    with (target / "pyproject.toml").open("rb") as fh:
        assert tomllib.load(fh)["project"]["name"] == "adlearn"
    assert "pip" in conda, "the pip section needs pip among the conda dependencies"


def test_binder_file_names_no_local_path():
    # where a relative path in a pip section resolves depends on the conda client (mamba
    # issues 1154, 1894): Binder installs the package from binder/postBuild instead
    # (tests/test_binder.py)
    _, pip = conda_specs(load_env(ENV_FILES["binder/environment.yml"]))
    local = [line for line in pip if re.match(r"^(-e\s+|--editable\s+)?(\.|/|file:)", line)]
    assert local == [], f"binder/environment.yml installs a local path with pip: {local}"


def test_spec_reader_rejects_what_it_cannot_read():
    # the comparison above is only as good as the reader: a malformed spec must not pass silently
    with pytest.raises(AssertionError, match="cannot read"):
        conda_specs({"dependencies": ["numpy >= 1.24 <2 extra words"]})
    assert conda_specs({"dependencies": ["numpy >=1.24"]})[0] == {"numpy": ">=1.24"}
    assert SpecifierSet(">=1.24") != SpecifierSet(">=1.25")


def test_binder_and_root_pin_the_same_python():
    pins = {key: python_pin(conda_specs(load_env(path))[0]) for key, path in ENV_FILES.items()}
    assert len(set(pins.values())) == 1, pins


# --- what the course imports at run time is declared ------------------------------------


def _code_of_notebooks():
    for path in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            if cell.get("cell_type") == "code":
                source = cell.get("source", "")
                yield path, "".join(source) if isinstance(source, list) else source


def _code_of_package():
    for path in sorted((ROOT / "adlearn").rglob("*.py")):
        yield path, path.read_text(encoding="utf-8")


def _imported_modules(source):
    """Top-level module names imported by a cell or module (magics and shell lines dropped)."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    tree = ast.parse("\n".join(lines))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def _installable_closure(names):
    """Distributions that installing ``names`` brings in (requirements followed, extras not)."""
    seen, todo = set(), list(names)
    while todo:
        name = normalise(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for line in requires:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return seen


def _providers():
    """module -> distributions that install it, read from each distribution's file list.

    Python 3.10's ``packages_distributions()`` reads only ``top_level.txt``, which
    wheels built with meson (numpy, matplotlib) do not have; 3.11 reads the files too.
    """
    providers = {}
    for dist in importlib.metadata.distributions():
        tops = {
            f.parts[0] if len(f.parts) > 1 else inspect.getmodulename(str(f))
            for f in dist.files or ()
        }
        for top in tops - {None}:
            if "." not in top:  # not a .dist-info or .data folder
                providers.setdefault(top, []).append(dist.metadata["Name"])
    for module, dists in importlib.metadata.packages_distributions().items():
        providers.setdefault(module, []).extend(dists)
    return providers


def test_everything_the_course_imports_is_declared():
    providers = _providers()
    declared = set(declared_requirements())
    available = _installable_closure(declared)
    undeclared = {}
    widget_backend = False
    sources = [*_code_of_package(), *_code_of_notebooks()]
    for path, source in sources:
        magic = re.search(r"^\s*%matplotlib\s+(widget|ipympl)", source, re.MULTILINE)
        widget_backend |= bool(magic)
        try:
            modules = set(_imported_modules(source))
        except SyntaxError:
            continue  # an unsolved exercise may not parse; its imports are in other cells
        for module in modules - set(sys.stdlib_module_names) - {"adlearn", "__future__"}:
            dists = {normalise(d) for d in providers.get(module, [])}
            if not dists & available:
                undeclared.setdefault(module, path.relative_to(ROOT))
    if widget_backend:
        assert "ipympl" in declared, "a notebook uses %matplotlib widget: declare ipympl"
    assert len(sources) > 0
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"
