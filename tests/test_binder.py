"""Binder builds the course: repo2docker's Dockerfile installs Python 3.11, the course and the package.

``repo2docker --no-build --debug DIR`` prints the Dockerfile it would build
without a docker daemon.  The Dockerfile names the environment file it installs
but not its contents, so the test follows that name into the file.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PYTHON = "3.11"
COURSE = {"numpy", "jupyterlab", "ipywidgets", "matplotlib-base"}


def repo2docker_command():
    """repo2docker from the same environment as this Python (the venv), else from PATH."""
    for name in ("repo2docker", "jupyter-repo2docker"):
        candidate = Path(sys.executable).with_name(name)
        if candidate.exists():
            return [str(candidate)]
        found = shutil.which(name)
        if found:
            return [found]
    pytest.fail("repo2docker is not installed: it comes with the test extra (make test)")


@pytest.fixture(scope="module")
def dockerfile():
    """(Dockerfile text, repo2docker's log) for the repository root."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    result = subprocess.run(
        [*repo2docker_command(), "--no-build", "--debug", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "FROM " in result.stdout, result.stdout[-3000:]
    return result.stdout, result.stderr


def unescape(name):
    """repo2docker escapes the paths of the files it copies in ('-2e' is '.', '-2f' is '/')
    and appends '-' and a short hash."""
    name = name.rsplit("-", 1)[0]
    return re.sub(r"-([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), name)


def installed_env_file(text):
    """The environment file the Dockerfile installs into the notebook environment."""
    found = re.findall(r'env update -p \$\{NB_PYTHON_PREFIX\} --file "([^"]+)"', text)
    assert len(found) == 1, "expected one 'env update --file' step in the Dockerfile"
    return found[0]


def test_pins_python_311(dockerfile):
    text, log = dockerfile
    assert f"Building conda environment for python={PYTHON}" in log
    # the base environment is the frozen one for that Python (copied in under an escaped name)
    copied = [unescape(name) for name in re.findall(r"build_script_files/(\S+)", text)]
    locks = [name for name in copied if name.endswith(".lock")]
    assert locks, "no frozen base environment copied in"
    assert all(f"environment.py-{PYTHON}-linux-64.lock" in name for name in locks), locks


def test_installs_binder_environment_once_it_is_copied_in(dockerfile):
    text, _ = dockerfile
    name = installed_env_file(text)
    assert name == "binder/environment.yml"
    # the environment names no file of the checkout, so repo2docker may install it before the
    # whole repository is copied (it copies that one file first): either way it is there
    copied = [
        m.start()
        for m in re.finditer(
            rf"^COPY --chown=0:0 src/(?:{re.escape(name)} \S+|\s)", text, re.MULTILINE
        )
    ]
    assert copied, "the environment file is never copied in"
    assert min(copied) < text.index(f'--file "{name}"')


def test_the_installed_file_brings_the_course_and_no_local_path(dockerfile):
    text, _ = dockerfile
    path = ROOT / installed_env_file(text)
    env = yaml.safe_load(path.read_text(encoding="utf-8"))
    conda = [item for item in env["dependencies"] if isinstance(item, str)]
    pip = [line for item in env["dependencies"] if isinstance(item, dict) for line in item["pip"]]
    names = {re.split(r"[<>=!~ ]", item, maxsplit=1)[0] for item in conda}
    assert f"python={PYTHON}" in conda
    assert names >= COURSE, f"missing from {path.name}: {COURSE - names}"
    assert "pip" in names, "binder/postBuild installs the package with the environment's pip"
    # how a relative path in the pip section resolves depends on the conda client
    assert not [line for line in pip if re.search(r"(^|\s)(\.|\.\.|/)", line)], pip


def postbuild_step(text):
    """(index of the step, its working directory) of the RUN that executes binder/postBuild."""
    steps = [m.start() for m in re.finditer(r"^RUN \./binder/postBuild\s*$", text, re.MULTILINE)]
    assert len(steps) == 1, "expected one step running ./binder/postBuild in the Dockerfile"
    workdirs = re.findall(r"^WORKDIR (\S+)\s*$", text[: steps[0]], re.MULTILINE)
    assert workdirs, "no WORKDIR before the postBuild step"
    return steps[0], workdirs[-1]


def test_postbuild_runs_from_the_copied_repository_after_the_environment(dockerfile):
    text, _ = dockerfile
    step, workdir = postbuild_step(text)
    copy = text.index("COPY --chown=0:0 src/ ${REPO_DIR}/")  # the whole repository
    environment = text.index('--file "binder/environment.yml"')
    assert copy < step, "postBuild runs before the repository is copied in"
    assert environment < step, "postBuild runs before the environment is installed"
    # it runs where the repository was copied to: "." in postBuild is the repository's root
    assert workdir == "${REPO_DIR}"


def test_postbuild_installs_the_package_from_the_repository_root():
    script = ROOT / "binder" / "postBuild"
    text = script.read_text(encoding="utf-8")
    assert text.startswith("#!/bin/bash\n")
    assert "set -euo pipefail" in text, "a failed install must fail the build"
    commands = [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]
    installs = [line for line in commands if re.match(r"python -m pip install\b", line)]
    assert len(installs) == 1, commands
    args = installs[0].split()[4:]
    assert "--no-deps" in args, "the environment file brings the dependencies"
    (path,) = [a for a in args if not a.startswith("-")]
    assert path == "."
    with (ROOT / path / "pyproject.toml").open("rb") as fh:
        assert tomllib.load(fh)["project"]["name"] == "adlearn"
    assert os.access(script, os.X_OK), "binder/postBuild is not executable"


def test_no_root_configuration_is_silently_ignored():
    # with binder/ present repo2docker ignores these at the root: keep them out of the way
    ignored = ["requirements.txt", "runtime.txt", "apt.txt", "postBuild", "Project.toml"]
    assert [name for name in ignored if (ROOT / name).exists()] == []


# --- the README's launch links ------------------------------------------------------------

README = ROOT / "README.md"
BINDER_LINK = re.compile(
    r"https://mybinder\.org/v2/gh/(?P<repo>[\w.-]+/[\w.-]+)/HEAD\?urlpath=lab/tree/(?P<path>[^\s)]+)"
)


def readme():
    return README.read_text(encoding="utf-8")


def test_binder_badge_opens_start_here_in_jupyterlab():
    links = list(BINDER_LINK.finditer(readme()))
    assert links, "no Binder link in README.md"
    badge = links[0]
    assert badge.group("repo") == "adlearn/adlearn"
    assert badge.group("path") == "notebooks/00-start-here.ipynb"
    assert (ROOT / badge.group("path")).exists()
    assert "https://mybinder.org/badge_logo.svg" in readme()


def test_nbgitpuller_link_pulls_this_repository_and_opens_start_here():
    from urllib.parse import parse_qs, urlsplit

    (link,) = re.findall(r"https://<hub>/hub/user-redirect/git-pull\?\S+", readme())
    query = parse_qs(urlsplit(link).query)
    assert query["repo"] == ["https://github.com/adlearn/adlearn"]
    assert query["branch"] == ["main"]
    # nbgitpuller clones into a folder named after the repository
    (urlpath,) = query["urlpath"]
    assert urlpath == "lab/tree/adlearn/notebooks/00-start-here.ipynb"
    assert (ROOT / urlpath.removeprefix("lab/tree/adlearn/")).exists()


def test_readme_links_reach_existing_files():
    targets = re.findall(r"\]\(((?!https?://)[^)\s#]+)\)", readme())
    assert targets, "no relative links found in README.md"
    missing = sorted({target for target in targets if not (ROOT / target).exists()})
    assert not missing, f"README.md links to missing files: {missing}"


def test_chapter_map_lists_every_notebook():
    listed = set(re.findall(r"\]\((notebooks/(?:solutions/)?\d\d-[\w-]+\.ipynb)\)", readme()))
    present = {
        str(path.relative_to(ROOT))
        for folder in (ROOT / "notebooks", ROOT / "notebooks" / "solutions")
        for path in folder.glob("[0-9][0-9]-*.ipynb")
    }
    assert present, "no notebooks found"
    assert sorted(present - listed) == [], "notebooks missing from the README's chapter map"
    assert sorted(listed - present) == [], "README's chapter map lists notebooks that do not exist"


def test_readme_commands_are_makefile_targets():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in re.findall(r"^make (\w+)", readme(), re.MULTILINE):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), f"no target {target!r}"
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
