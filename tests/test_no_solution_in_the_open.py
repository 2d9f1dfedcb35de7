"""No solution code outside the solution regions: not in the learner copies (any cell, hidden
or not, prose included), and not in the checkers' hints; and no answer of a value in the learner
copies' stored outputs.

The solution code is what the solution copy marks: the lines between
``# BEGIN SOLUTION`` and ``# END SOLUTION`` (any number of leading ``#``) and the
right-hand side of a line ending in ``# SOLUTION``. Compared with white space
removed: whole lines, the values they assign or return, and every call in them
long enough to be an answer (``ad.jvp(F, (x,), (e,))``), not a common idiom.

An exercise whose answer is a value (one line, ``answer = [[3.0, 2.0], [np.cos(2.0), 0.0]]``)
is given away when a cell below it prints that value before the learner has answered: a
learner copy stores no such output (a cell that prints an answer is tagged ``shows-answer``
and its output is not stored, ``tools/run_notebooks.py``). The value is looked for as it
prints, at the precision printed: a list or tuple whole, a number that has three digits or
more anywhere below the exercise, a shorter number (``7``, ``0.5``), which any table holds
somewhere, in the cells from the exercise to the next heading or exercise. Outputs above the
exercise are what it asks the learner to recall (exercise 1.1 asks for ``0.909``, which the
chapter computed).
"""

from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import adlearn as ad
from adlearn.examples import running_example

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


def chapters(known: dict) -> list:
    """Every solution copy, those listed in ``known`` (name: leak) as strict xfails."""
    return [
        pytest.param(p, marks=pytest.mark.xfail(reason=known[p.name], strict=True))
        if p.name in known
        else p
        for p in SOLUTIONS
    ]


@pytest.mark.parametrize("solution", chapters(KNOWN_LEAKS), ids=lambda p: p.name)
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


# --- answers that are values, in the stored outputs ------------------------------------------

ONE_LINE_ANSWER = re.compile(r"^(\w+) = \(\n\s*#+ BEGIN SOLUTION\n(.*)\n\s*#+ END SOLUTION\n\)$")
#: What a value's expression may use (the running example is the chapters' f).
NAMES = {"np": np, "math": math, "ad": ad, "f": running_example}
NUMBER = r"(-?\d+(?:\.\d*)?)"  # numpy prints 3.0 as "3."
DISTINCT_DIGITS = 3  # 0.909, 13.5, 800 are recognisable anywhere; 7 and 0.5 are not


def value_answers(nb) -> list[tuple[str, str, object]]:
    """(cell id, exercise id, value) of each answer cell whose solution is one value."""
    found = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        one = ONE_LINE_ANSWER.match(cell.source.strip()) if meta.get("solution") else None
        if one:
            value = eval(one.group(2).strip(), dict(NAMES))  # the course's own solution line
            found.append((cell.id, meta["grade_id"], plain(value)))
    return found


def plain(value):
    """numpy scalars and arrays as Python numbers and lists; tuples stay tuples."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return type(value)(plain(v) for v in value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def pattern(value) -> str:
    """A regular expression for ``value`` as Python or numpy prints it (numbers captured)."""
    if isinstance(value, (list, tuple)):
        comma = r",?" if len(value) == 1 else ""
        inner = r"\s*,?\s*".join(pattern(v) for v in value)
        return r"[\[(]\s*" + inner + r"\s*" + comma + r"\s*[\])]"
    if isinstance(value, str):
        return r"['\"]?" + re.escape(value) + r"['\"]?"
    return r"(?<![\w.])" + NUMBER + r"(?![\w]|\.\d)"


def numbers_in(value) -> list[float]:
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in numbers_in(v)]
    return [] if isinstance(value, str) else [float(value)]


def same_number(printed: str, number: float) -> bool:
    """``printed`` is ``number`` at the precision printed, with at least as many decimals
    as the number needs, up to 3 (0.909 for sin 2, 13.5 for 13.5, 7 or 7.000 for 7)."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    needed = min(3, len(repr(number).split(".")[1].rstrip("0")))
    return decimals >= needed and float(printed) == round(number, decimals)


def shows(text: str, value) -> str | None:
    """The piece of ``text`` that prints ``value``, if any."""
    for match in re.finditer(pattern(value), text):
        if all(same_number(s, x) for s, x in zip(match.groups(), numbers_in(value))):
            return match.group()
    return None


def distinct(value) -> bool:
    """Whether ``value`` is recognisable wherever it is printed (see the module's doc)."""
    if isinstance(value, (list, tuple, str)):
        return True
    number = abs(float(value))
    digits = str(int(number)) if number.is_integer() else repr(number).replace(".", "").strip("0")
    return len(digits) >= DISTINCT_DIGITS


def printed(cell) -> str:
    out = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":
            out.append(o.text)
        for kind in ("text/plain", "text/html", "text/markdown", "text/latex"):
            out.append(o.get("data", {}).get(kind, ""))
    return "\n".join(out)


def below(cells, k: int, value) -> list:
    """The cells below answer cell ``k`` where ``value`` must not be printed."""
    if distinct(value):
        return cells[k + 1 :]
    near = []
    for cell in cells[k + 1 :]:
        heading = cell.cell_type == "markdown" and re.search(r"^#", cell.source, re.MULTILINE)
        if heading or cell.metadata.get("nbgrader", {}).get("solution"):
            break
        near.append(cell)
    return near


def test_shows_finds_a_value_as_it_is_printed():
    # exercise 6.1's answer as chapter 6 printed it under the exercise
    answer = [[3.0, 2.0], [math.cos(2.0), 0.0]]
    assert shows("J_l1 at (2, 3):       [[3.0, 2.0], [-0.416, 0.0]]", answer)
    assert shows("array([[ 3.   ,  2.   ],\n       [-0.416,  0.   ]])", answer)
    assert not shows("[[3.0, 2.0], [0.416, 0.0]]", answer)
    assert not shows("[[3.0, 2.0], [-0.4, 0.0]]", answer)  # fewer digits than it needs
    assert shows("partial + 5 multiplications + 1 addition = 7; value", 7)
    assert not shows("forward mode 7.3, 17, x7, 0.7", 7)
    assert shows("('reverse', 'forward')", ("reverse", "forward"))
    assert shows("[(3, 5), (5,)]", [(3, 5), (5,)])
    assert shows("slope 3.150", 3.1503118980717146)
    assert all(distinct(v) for v in (0.909, 13.5, 800, [1], ("linear",)))
    assert not any(distinct(v) for v in (7, 2.0, -8, 0.5, 0.0025))


#: Learner copies known to print an answer below its exercise, as KNOWN_LEAKS above: strict
#: xfails, so that an entry goes when its chapter tags the cells ``shows-answer``.
KNOWN_VALUE_LEAKS: dict = {}


@pytest.mark.parametrize("solution", chapters(KNOWN_VALUE_LEAKS), ids=lambda p: p.name)
def test_no_stored_output_of_the_learner_copy_shows_an_answer_below_its_exercise(solution):
    learner = nbformat.read(solution.parent.parent / solution.name, as_version=4).cells
    ids = [c.get("id") for c in learner]
    leaks = []
    answers = value_answers(nbformat.read(solution, as_version=4))
    for answer_id, exercise, value in answers:
        for cell in below(learner, ids.index(answer_id), value):
            if cell.cell_type == "code" and (shown := shows(printed(cell), value)):
                leaks.append((exercise, cell.get("id"), shown))
    assert not leaks, f"stored outputs print an answer (exercise, cell, text): {leaks}"
