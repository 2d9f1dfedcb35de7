"""Turn a solution copy into an nbgrader source notebook, from the course's own conventions.

A chapter author writes an exercise as one code cell tagged ``solution``: the
solved code, marked ``# SOLUTION`` (one line, ``name = value  # SOLUTION``) or
between ``# BEGIN SOLUTION`` and ``# END SOLUTION``, and last the checker call
``chN.checker(...)``. nbgrader grades an exercise with two cells: an answer
cell (``solution``) and a locked test cell (``grade``, with its points) that
fails by raising. :func:`to_source` rewrites the author's cell into those two
cells, in place in ``notebooks/solutions/``, with nbgrader's metadata (schema
3) and nbgrader's markers ``### BEGIN SOLUTION`` / ``### END SOLUTION``:

- the answer cell keeps everything but the checker call; a marked block keeps
  its place (in a function body nbgrader leaves ``...`` at its indentation);
  a one-line answer ``answer = 0.909  # SOLUTION`` becomes ``answer = (`` /
  the marked value / ``)`` (valid Python, which nbgrader can clear; the course's
  configuration gives the learner ``answer = ...  # your answer``); a marked
  block at the top level of the cell is preceded by ``name = ...`` for each
  name it assigns, so the checker below still runs and says "Not attempted";
- the test cell is the checker call, locked, worth :data:`POINTS` of its
  exercise (:data:`DEFAULT_POINTS` for an exercise the table does not list).

Both cells get ``grade_id`` ``exN_K_answer`` / ``exN_K_checker`` from the
checker's exercise number. Converting a converted notebook changes nothing
but points and ids the table has changed, so ``tools/run_notebooks.py`` runs
it on every chapter, every time: a new chapter needs no step of its own.

What replaces a marked block is ``ClearSolutions.code_stub`` in
``tools/nbgrader_config.py`` (``...``), the configuration nbgrader's
``generate_assignment`` uses to make the learner copies; it also puts a
one-line answer's stub on one line.
"""

from __future__ import annotations

import ast
import copy
import importlib
import re

import nbformat

#: Points per exercise, by its number. The one place points are stated: an exercise
#: not listed is worth DEFAULT_POINTS. After a change run tools/run_notebooks.py.
POINTS = {
    "1.3": 2,  # g_units: a function
    "2.1": 2,  # dual_mul: a function
    "2.2": 2,  # dual_cos: a function
    "3.1": 3,  # backward: the whole backward loop
    "3.3": 2,  # mul_backward: a function
    "3.6": 2,  # h_adjoints: a function
    "4.1": 2,  # jacobian_by_columns: a function
    "4.4": 2,  # complex_step: a function
    "5.1": 2,  # newton_step: a function
    "5.2": 2,  # gd_step: a function
    "6.2": 2,  # dense_vjp: a function
    "6.3": 2,  # dot_test: a function
    "7.4": 2,  # recompute_vjp: a function
    "8.2": 2,  # fd_layer_gradient: a function
    "8.3": 2,  # train_step: a function
    "9.4": 2,  # g_grad: a function
}
DEFAULT_POINTS = 1

SCHEMA_VERSION = 3
AUTHOR_TAG = "solution"

BEGIN = re.compile(r"^(\s*)#+ *BEGIN SOLUTION\s*$")
END = re.compile(r"^(\s*)#+ *END SOLUTION\s*$")
ONE_LINE = re.compile(r"^(\s*)([A-Za-z_][\w, ]*?)\s*=\s*(.*?)\s*#\s*SOLUTION\s*$")
NAME = re.compile(r"^[A-Za-z_]\w*$")


def points(exercise: str) -> float:
    """The points exercise ``exercise`` ("1.3") is worth.

    >>> points("3.1"), points("9.9")
    (3, 1)
    """
    return POINTS.get(exercise, DEFAULT_POINTS)


def nbgrader_metadata(grade_id: str, *, solution: bool, grade: bool, pts=None) -> dict:
    """A cell's ``metadata.nbgrader`` (schema 3): an answer cell or a locked test cell."""
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": grade and not solution,
        "schema_version": SCHEMA_VERSION,
        "solution": solution,
    }
    if grade:
        meta["points"] = pts
    return meta


def is_answer(cell) -> bool:
    return cell.cell_type == "code" and bool(cell.metadata.get("nbgrader", {}).get("solution"))


def is_checker(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def assigned_names(lines: list[str]) -> list[str]:
    """Names a top-level block of code assigns or defines, in order.

    >>> assigned_names(["J = np.zeros(2)", "def g(x):", "    return x", "J[0] = g(1)"])
    ['J', 'g']
    """
    names: list[str] = []
    for node in ast.parse("\n".join(lines)).body:
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


def answer_source(source: str) -> str:
    """The answer part of an exercise cell with nbgrader's markers (see the module's doc).

    Examples
    --------
    >>> print(answer_source("answer = 0.909  # SOLUTION"))
    answer = (
        ### BEGIN SOLUTION
        0.909
        ### END SOLUTION
    )
    >>> print(answer_source("def mul(a, b):\\n    # BEGIN SOLUTION\\n    return a * b\\n"
    ...                     "    # END SOLUTION"))
    def mul(a, b):
        ### BEGIN SOLUTION
        return a * b
        ### END SOLUTION
    >>> print(answer_source("# BEGIN SOLUTION\\nJ = 2 * x\\n# END SOLUTION"))
    J = ...
    ### BEGIN SOLUTION
    J = 2 * x
    ### END SOLUTION
    """
    out: list[str] = []
    block: list[str] | None = None
    for number, line in enumerate(source.splitlines(), 1):
        begin, end = BEGIN.match(line), END.match(line)
        if block is not None:
            if begin:
                raise ValueError(f"line {number}: BEGIN SOLUTION inside a solution block")
            if not end:
                block.append(line)
                continue
            indent = end.group(1)
            if not indent:
                out += _placeholders(block, out, number)
            out += [f"{indent}### BEGIN SOLUTION", *block, f"{indent}### END SOLUTION"]
            block = None
        elif begin:
            block = []
        elif end:
            raise ValueError(f"line {number}: END SOLUTION without BEGIN SOLUTION")
        elif one := ONE_LINE.match(line):
            out += _parenthesised(*one.groups(), number)
        else:
            out.append(line)
    if block is not None:
        raise ValueError("BEGIN SOLUTION without END SOLUTION")
    return "\n".join(out)


def _placeholders(block: list[str], before: list[str], number: int) -> list[str]:
    """``name = ...`` for each name a top-level block assigns, unless ``before`` ends with them."""
    names = assigned_names(block)
    if not names:
        raise ValueError(f"line {number}: a top-level solution block assigns no name")
    lines = [f"{name} = ..." for name in names]
    return [] if before[-len(lines) :] == lines else lines


def _parenthesised(indent: str, name: str, value: str, number: int) -> list[str]:
    """``name = value  # SOLUTION`` as ``name = (`` / the marked value / ``)``."""
    name = name.strip()
    if not NAME.match(name):
        raise ValueError(
            f"line {number}: a one-line solution assigns one name, not {name!r}; "
            "use a # BEGIN SOLUTION / # END SOLUTION block"
        )
    inner = indent + "    "
    return [
        f"{indent}{name} = (",
        f"{inner}### BEGIN SOLUTION",
        f"{inner}{value}",
        f"{inner}### END SOLUTION",
        f"{indent})",
    ]


def checker_call(source: str) -> tuple[str, str, int]:
    """``(module, function, first line)`` of a cell's last statement, a call ``chN.function(...)``.

    >>> checker_call("answer = 1\\nch1.predict_w4(answer)")
    ('ch1', 'predict_w4', 2)
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as e:
        raise ValueError(f"the cell does not parse: {e}") from None
    last = tree.body[-1] if tree.body else None
    call = last.value if isinstance(last, ast.Expr) else None
    func = call.func if isinstance(call, ast.Call) else None
    if not (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id.startswith("ch")
    ):
        raise ValueError("an exercise cell must end with its checker call, chN.checker(...)")
    return func.value.id, func.attr, last.lineno


def exercise_number(module: str, function: str) -> str:
    """The exercise number ("1.3") of the checker ``adlearn.exercises.<module>.<function>``."""
    try:
        checker = getattr(importlib.import_module(f"adlearn.exercises.{module}"), function)
    except (ImportError, AttributeError):
        raise ValueError(f"no checker adlearn.exercises.{module}.{function}") from None
    number = getattr(checker, "exercise", None)
    if number is None:
        raise ValueError(f"adlearn.exercises.{module}.{function} is not an exercise checker")
    return number


def grade_id(number: str, part: str) -> str:
    """nbgrader's id of one cell of exercise ``number``: ``grade_id("1.3", "answer")`` -> ex1_3_answer.

    >>> grade_id("1.3", "checker")
    'ex1_3_checker'
    """
    return "ex" + re.sub(r"[^A-Za-z0-9]+", "_", number) + "_" + part


def split(cell) -> tuple:
    """An author's exercise cell (tag ``solution``) as (answer cell, checker cell)."""
    _, _, line = checker_call(cell.source)
    lines = cell.source.splitlines()
    answer_cell = copy.deepcopy(cell)
    answer_cell.source = "\n".join(lines[: line - 1]).rstrip()
    if not answer_cell.source:
        raise ValueError("an exercise cell holds its answer above the checker call")
    tags = [t for t in cell.metadata.get("tags", []) if t != AUTHOR_TAG]
    answer_cell.metadata.pop("tags", None)
    if tags:
        answer_cell.metadata["tags"] = tags
    answer_cell.metadata["nbgrader"] = {"solution": True}
    checker_cell = nbformat.v4.new_code_cell("\n".join(lines[line - 1 :]))
    checker_cell.id = f"{cell.id}-checker"[:64]
    checker_cell.metadata["nbgrader"] = {"grade": True}
    return answer_cell, checker_cell


def to_source(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The nbgrader source version of a solution notebook (a new notebook; ``nb`` is kept).

    Author cells tagged ``solution`` become an answer cell and a locked checker cell;
    cells converted before get their markers, ids and points brought up to date.
    """
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        author = cell.cell_type == "code" and AUTHOR_TAG in cell.metadata.get("tags", [])
        try:
            cells.extend(split(cell) if author else [cell])
        except ValueError as e:
            raise ValueError(f"cell {cell.get('id')}: {e}") from None
    for k, cell in enumerate(cells):
        after = cells[k + 1] if k + 1 < len(cells) else None
        try:
            if is_answer(cell):
                if after is None or not is_checker(after):
                    raise ValueError("an answer cell needs its checker cell right below it")
                _annotate(cell, after)
            elif is_checker(cell) and not (k and is_answer(cells[k - 1])):
                raise ValueError("a checker cell needs its answer cell right above it")
        except ValueError as e:
            raise ValueError(f"cell {cell.get('id')}: {e}") from None
    nb.cells = cells
    return nb


def _annotate(answer, checker) -> None:
    """Give an (answer, checker) pair nbgrader's markers, metadata, ids and points."""
    number = exercise_number(*checker_call(checker.source)[:2])
    answer.source = answer_source(answer.source)
    answer.metadata["nbgrader"] = nbgrader_metadata(
        grade_id(number, "answer"), solution=True, grade=False
    )
    checker.metadata["nbgrader"] = nbgrader_metadata(
        grade_id(number, "checker"), solution=False, grade=True, pts=points(number)
    )
