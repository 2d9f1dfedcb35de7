"""Make the learner copies of the notebooks from their solution copies.

The solution copies in ``notebooks/solutions/`` are the one source. In them,
each exercise cell carries the tag ``solution``, ends with its checker call and
marks the solved code in one of two ways:

- a block between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` lines: it becomes
  ``...`` at the marker's indentation (a function body, for instance); at the
  top level of a cell it becomes ``name = ...`` for each name the block
  assigns, so the checker call below still runs (and says "Not attempted");
- one line ending in ``# SOLUTION``, such as ``answer = 0.909  # SOLUTION``:
  it becomes ``answer = ...``.

The learner copy ``notebooks/NAME.ipynb`` is the solution copy with those
cells stubbed and tagged ``exercise`` instead of ``solution``, and no outputs.
``tools/run_notebooks.py`` calls this module and then executes the learner
copies, so that their stored outputs are the true "Not attempted" verdicts;
``tests/test_notebooks.py`` regenerates them in memory and fails when the
committed learner copies have drifted.

Usage::

    .venv/bin/python tools/make_learner_copies.py      # writes notebooks/*.ipynb, unexecuted
    .venv/bin/python tools/run_notebooks.py            # the usual command: also executes

What a chapter follows (``tests/test_notebooks.py`` checks it):

- edit the solution copy only; then run ``tools/run_notebooks.py NN`` and commit both copies;
- a first code cell with ``%matplotlib inline`` (the kernel nbval starts inherits
  ``MPLBACKEND=Agg`` from the tests, which would otherwise hide every figure);
- headings "Learning goals", "Summary", "Exercises"; links ``[...](NN-name.ipynb)`` to the
  previous and next notebooks; at least 3 exercise cells;
- exercise cells tagged ``solution``, ending with ``chN.checker(...)``, whose stored verdict
  is "Correct!" (and "Not attempted" in the learner copy);
- printed floats formatted to fixed digits; plot cells that end with ``plt.show()`` or return
  a Figure (never a bare ``ax.plot(...)``, whose repr holds a memory address);
- a cell nbval must not compare (an explorer: ``widgets.explore...(f)``) carries the tag
  ``nbval-ignore-output`` (a tag, never an ``# NBVAL_...`` comment) and its reason in
  ``metadata.adlearn.reason``; a plain cell next to an explorer prints its numbers at the
  sliders' starting values.
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOLUTIONS = NOTEBOOKS / "solutions"

BEGIN = re.compile(r"^(\s*)# BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
ONE_LINE = re.compile(r"^(\s*)([A-Za-z_][\w, ]*?)\s*=\s*.*#\s*SOLUTION\s*$")


def assigned_names(lines: list[str]) -> list[str]:
    """Names a top-level block of code assigns or defines, in order."""
    names: list[str] = []
    tree = ast.parse("\n".join(lines))
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            targets = [ast.Name(node.name)]
        elif isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        else:
            continue
        for target in targets:
            for name in ast.walk(target):
                if isinstance(name, ast.Name) and name.id not in names:
                    names.append(name.id)
    return names


def stub_source(source: str) -> str:
    """The learner's version of a solution cell's source.

    Examples
    --------
    >>> print(stub_source("answer = 0.909  # SOLUTION\\ncheck(answer)"))
    answer = ...
    check(answer)
    >>> print(stub_source('''def mul(a, b):
    ...     # BEGIN SOLUTION
    ...     return a * b
    ...     # END SOLUTION
    ... check(mul)'''))
    def mul(a, b):
        ...
    check(mul)
    """
    out: list[str] = []
    block: list[str] | None = None
    indent = ""
    for number, line in enumerate(source.splitlines(), 1):
        if block is not None:
            if END.match(line):
                if indent:
                    out.append(indent + "...")
                else:
                    names = assigned_names(block)
                    if not names:
                        raise ValueError(
                            f"line {number}: a top-level solution block assigns no name"
                        )
                    out.extend(f"{name} = ..." for name in names)
                block = None
            else:
                block.append(line)
            continue
        begin = BEGIN.match(line)
        if begin:
            indent, block = begin.group(1), []
            continue
        if END.match(line):
            raise ValueError(f"line {number}: # END SOLUTION without # BEGIN SOLUTION")
        one = ONE_LINE.match(line)
        if one:
            out.append(f"{one.group(1)}{one.group(2).strip()} = ...")
            continue
        out.append(line)
    if block is not None:
        raise ValueError("# BEGIN SOLUTION without # END SOLUTION")
    return "\n".join(out)


def learner_copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The learner copy of a solution notebook: exercises stubbed, no outputs.

    Cells keep their ids, so a cell is the same cell in both copies.
    """
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        cell.execution_count = None
        if "solution" in tags:
            try:
                cell.source = stub_source(cell.source)
            except ValueError as e:
                raise ValueError(f"cell {cell.get('id')}: {e}") from None
            cell.metadata["tags"] = ["exercise" if t == "solution" else t for t in tags]
    return nb


def solution_paths(names: list[str] | None = None) -> list[Path]:
    """The solution notebooks, all or those whose file name starts with one of ``names``."""
    paths = sorted(SOLUTIONS.glob("[0-9][0-9]-*.ipynb"))
    if names:
        paths = [p for p in paths if any(p.name.startswith(n) for n in names)]
    return paths


def write_learner_copy(solution: Path) -> Path:
    """Write the (unexecuted) learner copy of one solution notebook; return its path."""
    nb = nbformat.read(solution, as_version=4)
    target = NOTEBOOKS / solution.name
    nbformat.write(learner_copy(nb), target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="file name prefixes, such as 01 (default: all)")
    args = parser.parse_args(argv)
    for solution in solution_paths(args.names):
        print(f"wrote {write_learner_copy(solution).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
