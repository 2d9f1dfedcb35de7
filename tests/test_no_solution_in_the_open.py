"""No solution code outside the solution regions: not in the learner copies (any cell, hidden
or not, prose included), and not in the checkers' hints.

The solution code is what the solution copy marks: the lines between
``# BEGIN SOLUTION`` and ``# END SOLUTION`` (any number of leading ``#``) and the
right-hand side of a line ending in ``# SOLUTION``. Compared with white space
removed: whole lines, the values they assign or return, and every call in them
long enough to be an answer (``ad.jvp(F, (x,), (e,))``), not a common idiom.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "notebooks" / "solutions").glob("[0-9][0-9]-*.ipynb"))

BEGIN = re.compile(r"^\s*#+\s*BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*#+\s*END SOLUTION\s*$")
ONE_LINE = re.compile(r"^\s*[A-Za-z_][\w, ]*?=\s*(.*?)\s*#\s*SOLUTION\s*$")
SHORTEST_LINE = 8  # "w_bar[out] = 1.0" is an answer; "x = 1" is not worth a match
SHORTEST_CALL = 16  # "ad.jvp(F,(x,),(e,))" is an answer; "np.eye(x.size)" is an idiom

#: Learner copies known to show part of an answer, with what they show. Each is a strict xfail:
#: the test fails as soon as the leak is mended, so that the entry is removed with it.
KNOWN_LEAKS: dict = {}


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def solution_lines(nb) -> list[str]:
    lines = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        inside = False
        for line in cell.source.splitlines():
            if BEGIN.match(line):
                inside = True
            elif END.match(line):
                inside = False
            elif inside:
                lines.append(line.split("#")[0].strip())
            elif one := ONE_LINE.match(line):
                lines.append(one.group(1))
    return [line for line in lines if line]


def fragments(line: str) -> set[str]:
    """The pieces of one solution line that must not appear in the open."""
    found = {squeeze(line)} if len(squeeze(line)) >= SHORTEST_LINE else set()
    try:
        tree = ast.parse(line.strip().removeprefix("return ").strip() or "0")
    except SyntaxError:
        return found
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and node.value:
            value = squeeze(ast.unparse(node.value))
            if len(value) >= SHORTEST_LINE:
                found.add(value)
        if isinstance(node, ast.Call):
            call = squeeze(ast.unparse(node))
            if len(call) >= SHORTEST_CALL:
                found.add(call)
    return found


def forbidden(solution: Path) -> set[str]:
    nb = nbformat.read(solution, as_version=4)
    pieces: set[str] = set()
    for line in solution_lines(nb):
        pieces |= fragments(line)
    return pieces


def test_fragments_find_the_answer_inside_other_code():
    line = "columns = [ad.jvp(F, (x,), (e,))[1] for e in np.eye(x.size)]"
    pieces = fragments(line)
    assert squeeze("[ad.jvp(F, (x,), (e,))[1] for e in np.eye(x.size)]") in pieces
    assert squeeze("ad.jvp(F, (x,), (e,))") in pieces
    assert squeeze("np.eye(x.size)") not in pieces
    assert fragments("answer") == set()


@pytest.mark.parametrize(
    "solution",
    [
        pytest.param(p, marks=pytest.mark.xfail(reason=KNOWN_LEAKS[p.name], strict=True))
        if p.name in KNOWN_LEAKS
        else p
        for p in SOLUTIONS
    ],
    ids=lambda p: p.name,
)
def test_the_learner_copy_holds_no_solution_code(solution):
    learner = nbformat.read(solution.parent.parent / solution.name, as_version=4)
    pieces = forbidden(solution)
    leaks = []
    for cell in learner.cells:
        text = squeeze(cell.source)
        leaks += [(cell.get("id"), piece) for piece in sorted(pieces) if piece in text]
    assert not leaks, f"solution code in the learner copy (cell, code): {leaks}"


def strings_of(module_path: Path) -> list[str]:
    """Every string literal of a checker module (f-strings by their literal parts)."""
    tree = ast.parse(module_path.read_text())
    return [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.name)
def test_no_hint_holds_solution_code(solution):
    chapter = int(solution.name[:2])
    module = ROOT / "adlearn" / "exercises" / f"ch{chapter}.py"
    if not module.exists():
        pytest.skip(f"chapter {chapter} has no checker module")
    pieces = forbidden(solution)
    model_answers = {
        squeeze(ast.get_source_segment(module.read_text(), node) or "")
        for node in ast.walk(ast.parse(module.read_text()))
        if isinstance(node, ast.FunctionDef) and node.name.startswith("our_")
    }
    leaks = [
        (text[:60], piece)
        for text in strings_of(module)
        for piece in pieces
        if piece in squeeze(text) and squeeze(text) not in model_answers
    ]
    assert not leaks, f"solution code in a hint of {module.name}: {leaks}"
