"""Make the learner copies of the notebooks with nbgrader, from their solution copies.

The solution copies in ``notebooks/solutions/`` are the one source, and they
are nbgrader source notebooks: every exercise is an answer cell (nbgrader's
"solution" cell, the solved code between ``### BEGIN SOLUTION`` and
``### END SOLUTION``) followed by a locked checker cell (an autograded test
cell with its points). A chapter author need not write that metadata:
``tools/nbgrader_source.py`` derives it from the course's conventions (a cell
tagged ``solution`` ending with its checker call; ``# SOLUTION`` or
``# BEGIN SOLUTION``/``# END SOLUTION`` markers) whenever
``tools/run_notebooks.py`` runs.

A learner copy ``notebooks/NAME.ipynb`` is what ``nbgrader generate_assignment``
makes of the solution copy (answers replaced by ``...``, outputs cleared,
checker cells locked, checksums stored), with the configuration
``tools/nbgrader_config.py`` that instructors use too; ``tools/run_notebooks.py``
then executes it so that it stores the true "Not attempted" verdicts, and
``tests/test_notebooks.py`` runs nbgrader again and fails when a committed
learner copy differs from nbgrader's output in any cell's source or metadata.

Usage::

    .venv/bin/python tools/run_notebooks.py            # the usual command: convert, generate, execute
    .venv/bin/python tools/make_learner_copies.py 02   # only nbgrader's output, unexecuted

What a chapter follows (``tests/test_notebooks.py`` checks it):

- edit the solution copy only; then run ``tools/run_notebooks.py NN`` and commit both copies;
- a first code cell with ``%matplotlib inline`` (the kernel nbval starts inherits
  ``MPLBACKEND=Agg`` from the tests, which would otherwise hide every figure);
- headings "Learning goals", "Summary", "Exercises"; links ``[...](NN-name.ipynb)`` to the
  previous and next notebooks; at least 3 exercises;
- an exercise is written as one cell tagged ``solution`` ending with ``chN.checker(...)``
  (the conversion splits it into answer and checker cells); its stored verdict is
  "Correct!" (and "Not attempted" in the learner copy);
- a cell that prints an exercise's answer comes after the exercise's checker, with the tag
  ``shows-answer`` and a word in the text before it to run it once answered: the learner copy
  stores no output for it (``tools/run_notebooks.py``);
- printed floats formatted to fixed digits; plot cells that end with ``plt.show()`` or return
  a Figure (never a bare ``ax.plot(...)``, whose repr holds a memory address);
- a cell nbval must not compare (an explorer: ``widgets.explore...(f)``) carries the tag
  ``nbval-ignore-output`` (a tag, never an ``# NBVAL_...`` comment) and its reason in
  ``metadata.adlearn.reason``; a plain cell next to an explorer prints its numbers at the
  sliders' starting values.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nbgrader_source import to_source

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOLUTIONS = NOTEBOOKS / "solutions"
NBGRADER_CONFIG = ROOT / "tools" / "nbgrader_config.py"
# the assignment the learner copies are generated as, in a temporary course folder
ASSIGNMENT = "course"


def solution_paths(names: list[str] | None = None) -> list[Path]:
    """The solution notebooks, all or those whose file name starts with one of ``names``."""
    paths = sorted(SOLUTIONS.glob("[0-9][0-9]-*.ipynb"))
    if names:
        paths = [p for p in paths if any(p.name.startswith(n) for n in names)]
    return paths


def nbgrader(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run this Python's ``nbgrader`` in the course folder ``cwd``; fail loudly with its log."""
    bin_dir = str(Path(sys.executable).parent)  # nbgrader runs `alembic` from PATH
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{result.stderr[-4000:]}")
    return result


def course_folder(folder: Path) -> Path:
    """Make ``folder`` an nbgrader course folder with the course's configuration."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(NBGRADER_CONFIG, folder / "nbgrader_config.py")
    return folder


def generate(sources: dict[str, nbformat.NotebookNode]) -> dict[str, nbformat.NotebookNode]:
    """``nbgrader generate_assignment`` on source notebooks ``{file name: notebook}``.

    Returns the released notebooks by file name (unexecuted, as nbgrader wrote them).
    """
    with tempfile.TemporaryDirectory(prefix="adlearn-nbgrader-") as tmp:
        course = course_folder(Path(tmp))
        source = course / "source" / ASSIGNMENT
        source.mkdir(parents=True)
        for name, nb in sources.items():
            nbformat.write(nb, source / name)
        nbgrader("generate_assignment", ASSIGNMENT, "--no-db", "--force", cwd=course)
        release = course / "release" / ASSIGNMENT
        return {name: nbformat.read(release / name, as_version=4) for name in sources}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="file name prefixes, such as 01 (default: all)")
    args = parser.parse_args(argv)
    paths = solution_paths(args.names)
    released = generate({p.name: to_source(nbformat.read(p, as_version=4)) for p in paths})
    for name, nb in released.items():
        nbformat.write(nb, NOTEBOOKS / name)
        print(f"wrote notebooks/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
