"""The notebooks as files: learner copies in step with solutions, clean, well formed.

nbval (in ``make test``) checks that every stored output is what the code
prints; these tests check what nbval cannot: that the learner copies are what
``tools/make_learner_copies.py`` makes of the solution copies, that no widget
state or timing is stored, and that exercises, links and tags follow the
course's conventions.
"""

from __future__ import annotations

import ast
import copy
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOLUTIONS = NOTEBOOKS / "solutions"
# Tags that stop nbval from comparing (or running) a cell: each use needs a reason.
IGNORING = {"nbval-ignore-output", "nbval-skip", "raises-exception", "nbval-raises-exception"}


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make = _load("make_learner_copies")
source = _load("nbgrader_source")
runner = _load("run_notebooks")

# Every chapter, found by name: a new chapter is checked like the others without listing it.
SOLUTION_PATHS = sorted(SOLUTIONS.glob("[0-9][0-9]-*.ipynb"))
LEARNER_PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
ALL_PATHS = SOLUTION_PATHS + LEARNER_PATHS
CHAPTERS = [p.name for p in SOLUTION_PATHS]
CHAPTER_NAME = re.compile(r"^\d\d-[a-z0-9]+(?:-[a-z0-9]+)*\.ipynb$")


def _id(path: Path) -> str:
    return str(path.relative_to(NOTEBOOKS))


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def tags(cell) -> list[str]:
    return list(cell.metadata.get("tags", []))


def text_of(cell) -> str:
    """Everything a code cell printed or displayed as text."""
    out = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":
            out.append(o.text)
        elif "data" in o:
            out.append(o.data.get("text/plain", ""))
    return "".join(out)


# --- the nbgrader source conversion -------------------------------------------


def _nb(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def _author_cell(source, tags=("solution",)):
    return nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)})


def test_one_line_solution_becomes_a_marked_value_nbgrader_can_clear():
    assert source.answer_source("answer = np.sin(2.0)  # SOLUTION") == (
        "answer = (\n    ### BEGIN SOLUTION\n    np.sin(2.0)\n    ### END SOLUTION\n)"
    )


def test_solution_block_in_a_function_keeps_its_place_with_nbgraders_markers():
    text = (
        "def mul(a, b):\n"
        '    """Doc."""\n'
        "    # BEGIN SOLUTION\n"
        "    return a * b\n"
        "    # END SOLUTION\n"
    )
    assert source.answer_source(text) == (
        'def mul(a, b):\n    """Doc."""\n    ### BEGIN SOLUTION\n    return a * b\n'
        "    ### END SOLUTION"
    )


def test_top_level_solution_block_is_preceded_by_the_names_it_assigns():
    text = "# BEGIN SOLUTION\nJ = np.zeros((2, 2))\ndef g(x):\n    return x\n# END SOLUTION"
    converted = source.answer_source(text)
    assert converted.splitlines()[:3] == ["J = ...", "g = ...", "### BEGIN SOLUTION"]
    assert source.answer_source(converted) == converted  # converting twice adds nothing


@pytest.mark.parametrize(
    "text",
    [
        "# BEGIN SOLUTION\nx = 1\n",
        "x = 1\n# END SOLUTION\n",
        "# BEGIN SOLUTION\nprint(1)\n# END SOLUTION\n",
        "a, b = 1, 2  # SOLUTION",
        "# BEGIN SOLUTION\n# BEGIN SOLUTION\nx = 1\n# END SOLUTION\n",
    ],
)
def test_malformed_markers_are_errors(text):
    with pytest.raises(ValueError, match=r"SOLUTION|assigns no name|one name"):
        source.answer_source(text)


def test_an_exercise_cell_becomes_an_answer_cell_and_a_locked_checker_cell():
    nb = _nb(
        nbformat.v4.new_markdown_cell("# Title"),
        _author_cell("answer = 3  # SOLUTION\nch1.output_level(answer)", ("solution", "keep")),
        _author_cell(
            "def g_units(x1, x2):\n    # BEGIN SOLUTION\n    return []\n"
            "    # END SOLUTION\n\nch1.g_units(g_units)"
        ),
    )
    before = copy.deepcopy(nb)
    converted = source.to_source(nb)
    assert nb == before  # the notebook given is left alone
    _, answer, check, answer3, check3 = converted.cells
    assert answer.id == nb.cells[1].id
    assert check.id == f"{answer.id}-checker"
    assert check.source == "ch1.output_level(answer)"
    assert tags(answer) == ["keep"]
    assert answer.metadata.nbgrader == {
        "grade": False,
        "grade_id": "ex1_2_answer",
        "locked": False,
        "schema_version": 3,
        "solution": True,
    }
    assert check.metadata.nbgrader == {
        "grade": True,
        "grade_id": "ex1_2_checker",
        "locked": True,
        "points": 1,
        "schema_version": 3,
        "solution": False,
    }
    # exercise 1.3 is listed in the points table, 1.2 is not and gets the default
    assert check3.metadata.nbgrader["points"] == source.POINTS["1.3"] != source.DEFAULT_POINTS
    assert check.metadata.nbgrader["points"] == source.DEFAULT_POINTS
    assert "### BEGIN SOLUTION" in answer3.source
    assert source.to_source(converted) == converted


def test_points_follow_the_table_on_every_conversion(monkeypatch):
    nb = source.to_source(_nb(_author_cell("answer = 3  # SOLUTION\nch1.output_level(answer)")))
    monkeypatch.setitem(source.POINTS, "1.2", 5)
    assert source.to_source(nb).cells[1].metadata.nbgrader["points"] == 5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("answer = 3  # SOLUTION", "checker call"),
        ("answer = 3  # SOLUTION\nch1.no_such_checker(answer)", "no checker"),
        ("ch1.output_level(3)", "answer above"),
        ("answer = (3  # SOLUTION\nch1.output_level(answer)", "does not parse"),
    ],
)
def test_an_exercise_cell_that_cannot_be_graded_is_an_error_naming_the_cell(text, message):
    with pytest.raises(ValueError, match=rf"cell \S+: .*{message}"):
        source.to_source(_nb(_author_cell(text)))


def test_a_checker_cell_without_its_answer_cell_is_an_error():
    nb = source.to_source(_nb(_author_cell("answer = 3  # SOLUTION\nch1.output_level(answer)")))
    del nb.cells[0]
    with pytest.raises(ValueError, match="answer cell right above"):
        source.to_source(nb)


def test_clean_removes_widget_state_timings_and_widget_views():
    view = {"model_id": "abc", "version_major": 2, "version_minor": 0}
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.2"}
    cell = nbformat.v4.new_code_cell("explore(f)", execution_count=1)
    cell.metadata["execution"] = {"iopub.execute_input": "2024-01-01T00:00:00Z"}
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={runner.WIDGET_VIEW: view, "text/plain": "x"}),
        nbformat.v4.new_output("stream", text="6."),
        nbformat.v4.new_output("stream", text="909\n"),
    ]
    nb.cells = [cell]
    cleaned = runner.clean(nb)
    assert cleaned.cells[0].outputs[-1].text == "6.909\n"
    assert "widgets" not in cleaned.metadata
    assert cleaned.metadata.language_info == {"name": "python"}
    assert "execution" not in cleaned.cells[0].metadata
    assert [o.output_type for o in cleaned.cells[0].outputs] == ["stream"]
    assert cleaned.cells[0].execution_count == 1


# --- the committed notebooks --------------------------------------------------


def test_every_chapter_has_both_copies_and_nothing_else():
    assert [p.name for p in SOLUTION_PATHS] == [p.name for p in LEARNER_PATHS]
    assert len(CHAPTERS) >= 6
    assert [name for name in CHAPTERS if not CHAPTER_NAME.match(name)] == []
    numbers = [name[:2] for name in CHAPTERS]
    assert len(set(numbers)) == len(numbers), "two chapters share a number"


def content(nb):
    """What nbgrader decides in a notebook: each cell's id, type, source and metadata."""
    return [(c.id, c.cell_type, c.source, c.metadata) for c in nb.cells]


@pytest.mark.parametrize("solution", SOLUTION_PATHS, ids=_id)
def test_solution_copy_is_an_nbgrader_source_notebook(solution):
    nb = read(solution)
    assert content(source.to_source(nb)) == content(nb), (
        f"solutions/{solution.name} is not in nbgrader's form (exercise cells split, metadata, "
        f"markers, points): run .venv/bin/python tools/run_notebooks.py {solution.name[:2]}"
    )


@pytest.fixture(scope="module")
def released():
    """nbgrader generate_assignment on every committed solution copy, run here and now."""
    return make.generate({p.name: read(p) for p in SOLUTION_PATHS})


@pytest.mark.parametrize("solution", SOLUTION_PATHS, ids=_id)
def test_learner_copy_is_nbgraders_release_cell_for_cell(solution, released):
    # the committed learner copy is nbgrader's output, executed: same cells, sources and
    # metadata (nbgrader's checksums and locks included); only the outputs are added
    committed = read(NOTEBOOKS / solution.name)
    expected = released[solution.name]
    assert content(committed) == content(expected), (
        f"notebooks/{solution.name} is not what nbgrader generate_assignment makes of its "
        f"solution copy: run .venv/bin/python tools/run_notebooks.py {solution.name[:2]}"
    )
    assert all(c.get("outputs", []) == [] for c in expected.cells)


@pytest.mark.parametrize("solution", SOLUTION_PATHS, ids=_id)
def test_learner_copy_holds_no_solution_code(solution):
    cells = read(NOTEBOOKS / solution.name).cells
    assert not any("SOLUTION" in c.source for c in cells)
    # (a solved line may also appear in the chapter's text, as a worked example: look at
    # the cells the learner answers in)
    learner = "\n".join(c.source for c in cells if source.is_answer(c))
    for cell in answer_cells(solution):
        for line in solved_lines(cell.source):
            if line.strip() not in {"", "...", "pass"}:
                assert line not in learner, f"cell {cell.id}: solution line {line!r} handed out"


@pytest.mark.parametrize("path", ALL_PATHS, ids=_id)
def test_notebook_is_clean(path):
    nb = read(path)
    assert "widgets" not in nb.metadata, "widget state is stored"
    assert "version" not in nb.metadata.get("language_info", {})
    for cell in nb.cells:
        for key in ("execution", "ExecuteTime", "collapsed", "scrolled"):
            assert key not in cell.metadata, f"cell {cell.id} stores metadata.{key}"
        for o in cell.get("outputs", []):
            assert runner.WIDGET_VIEW not in o.get("data", {}), f"cell {cell.id}: a widget view"
    stripped = runner.clean(copy.deepcopy(nb))
    assert stripped == nb, (
        f"not clean (widget state, timings or chunked output): run "
        f".venv/bin/python tools/run_notebooks.py {path.name[:2]}"
    )


@pytest.mark.parametrize("path", ALL_PATHS, ids=_id)
def test_every_code_cell_was_executed_in_order(path):
    cells = [c for c in read(path).cells if c.cell_type == "code"]
    counts = [c.execution_count for c in cells]
    # a learner copy stores no run of a cell that shows an answer (tools/run_notebooks.py)
    hidden = path in LEARNER_PATHS
    expected = [
        None if hidden and runner.SHOWS_ANSWER in tags(c) else k for k, c in enumerate(cells, 1)
    ]
    assert counts == expected, (
        "execution counts are not 1, 2, 3, ...: run .venv/bin/python tools/run_notebooks.py"
    )


@pytest.mark.parametrize("solution", SOLUTION_PATHS, ids=_id)
def test_a_cell_that_shows_an_answer_comes_after_the_checker_and_is_hidden_from_the_learner(
    solution,
):
    cells = read(solution).cells
    learner = {c.id: c for c in read(NOTEBOOKS / solution.name).cells}
    for k, cell in enumerate(cells):
        if runner.SHOWS_ANSWER not in tags(cell):
            continue
        assert any(source.is_checker(c) for c in cells[:k]), f"{cell.id}: no exercise above it"
        assert text_of(cell).strip(), f"{cell.id}: the solution copy stores what nbval compares"
        assert learner[cell.id].outputs == [], f"{cell.id}: the learner copy shows the answer"


@pytest.mark.parametrize("path", ALL_PATHS, ids=_id)
def test_no_stored_error_and_no_stray_figure_text(path):
    for cell in read(path).cells:
        for o in cell.get("outputs", []):
            if o.output_type == "error":
                assert IGNORING & set(tags(cell)), f"cell {cell.id} stores an error"
        text = text_of(cell)
        assert not re.search(r"\bat 0x[0-9a-f]+", text), f"cell {cell.id} prints a memory address"


@pytest.mark.parametrize("path", ALL_PATHS, ids=_id)
def test_every_ignored_output_gives_its_reason(path):
    for cell in read(path).cells:
        if IGNORING & set(tags(cell)):
            reason = cell.metadata.get("adlearn", {}).get("reason", "")
            assert len(reason) > 10, (
                f"cell {cell.id} is ignored by nbval without metadata.adlearn.reason"
            )
        assert "NBVAL_" not in cell.source, f"cell {cell.id}: use a cell tag, not a comment marker"


@pytest.mark.parametrize("path", ALL_PATHS, ids=_id)
def test_explorers_are_tagged_and_have_a_plain_twin(path):
    cells = read(path).cells
    for k, cell in enumerate(cells):
        if cell.cell_type == "code" and re.search(r"\bwidgets\.explore\w*\(", cell.source):
            assert "nbval-ignore-output" in tags(cell), f"explorer cell {cell.id} is not tagged"
            near = [
                c for c in cells[max(k - 2, 0) : k + 3] if c.cell_type == "code" and c is not cell
            ]
            assert any(text_of(c).strip() for c in near), (
                f"explorer cell {cell.id} has no plain cell beside it printing its numbers"
            )


def _checker_call(source: str):
    """The last statement of an exercise cell, if it is a call ``module.function(...)``."""
    tree = ast.parse(source)
    last = tree.body[-1] if tree.body else None
    if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call):
        func = last.value.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            return func.value.id, func.attr
    return None


def answer_cells(path: Path):
    return [c for c in read(path).cells if source.is_answer(c)]


def checker_cells(path: Path):
    return [c for c in read(path).cells if source.is_checker(c)]


def solved_lines(text: str) -> list[str]:
    """The lines between nbgrader's solution markers."""
    out, inside = [], False
    for line in text.splitlines():
        if "BEGIN SOLUTION" in line or "END SOLUTION" in line:
            inside = "BEGIN SOLUTION" in line
        elif inside:
            out.append(line)
    return out


@pytest.mark.parametrize("path", SOLUTION_PATHS, ids=_id)
def test_solved_exercises_are_checked_and_correct(path):
    from adlearn.exercises import CHECKERS

    cells = checker_cells(path)
    assert len(cells) == len(answer_cells(path))
    for cell in cells:
        call = _checker_call(cell.source)
        assert call, f"cell {cell.id} does not end with a checker call"
        module, function = call
        assert module.startswith("ch"), f"cell {cell.id}: call the checker as chN.{function}(...)"
        chapter = importlib.import_module(f"adlearn.exercises.{module}")
        checker = getattr(chapter, function, None)
        assert checker in CHECKERS.values(), f"no checker adlearn.exercises.{module}.{function}"
        assert "Correct!" in text_of(cell), f"cell {cell.id}: the stored verdict is not Correct"


@pytest.mark.parametrize("path", LEARNER_PATHS, ids=_id)
def test_learner_exercises_say_not_attempted(path):
    assert checker_cells(path), "no exercise"
    for cell in checker_cells(path):
        assert "Not attempted" in text_of(cell), (
            f"cell {cell.id}: stored verdict is not Not attempted"
        )
        assert "Traceback" not in text_of(cell)


@pytest.mark.parametrize("path", SOLUTION_PATHS, ids=_id)
def test_chapter_structure(path):
    nb = read(path)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    if not path.name.startswith("00"):
        for heading in ("Learning goals", "Summary", "Exercises"):
            assert re.search(rf"^#+ .*{heading}", markdown, re.MULTILINE), f"no '{heading}' heading"
        assert len(answer_cells(path)) >= 3, "a chapter has at least 3 exercises"
    # the chapters numbered one before and one after, once they are written (chapters are
    # written in parallel, so a number may still be missing)
    number = int(path.name[:2])
    neighbours = [name for name in CHAPTERS if abs(int(name[:2]) - number) == 1]
    for name in neighbours:
        assert f"]({name})" in markdown, f"no link to {name}"


@pytest.mark.parametrize("path", ALL_PATHS, ids=_id)
def test_relative_links_resolve(path):
    nb = read(path)
    numbers = {name[:2] for name in CHAPTERS}
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for target in re.findall(r"\]\(([^)#\s]+\.ipynb)", cell.source):
            unwritten = CHAPTER_NAME.match(target) and target[:2] not in numbers
            if re.match(r"[a-z]+://", target) or unwritten:
                continue  # a web link, or a chapter still being written
            assert (path.parent / target).exists(), f"broken link {target} in cell {cell.id}"


def test_the_course_has_at_least_15_exercises():
    total = sum(len(answer_cells(p)) for p in SOLUTION_PATHS)
    assert total >= 15


@pytest.mark.parametrize("solution", SOLUTION_PATHS, ids=_id)
def test_a_one_line_answer_is_one_line_for_the_learner(solution):
    # nbgrader alone would hand out `answer = (` / `...` / `)`
    learner = {c.id: c.source for c in read(NOTEBOOKS / solution.name).cells}
    one_line = [c for c in answer_cells(solution) if len(solved_lines(c.source)) == 1
                and re.search(r"^\w+ = \($", c.source, re.MULTILINE)]
    for cell in one_line:
        name = re.search(r"^(\w+) = \($", cell.source, re.MULTILINE).group(1)
        assert learner[cell.id].splitlines()[-1] == f"{name} = ...  # your answer", cell.id
        assert "(" not in learner[cell.id], cell.id
    if solution.name.startswith("01"):
        assert one_line, "chapter 1 has one-line answers"


def test_first_exercise_of_chapter_1_is_a_one_line_number():
    path = SOLUTIONS / "01-the-running-example.ipynb"
    if not path.exists():
        pytest.skip("chapter 1 not written yet")
    first = answer_cells(path)[0]
    lines = first.source.strip().splitlines()
    assert lines[0] == "answer = ("
    assert lines[-1] == ")"
    (value,) = solved_lines(first.source)
    float(value)


def test_make_test_runs_nbval_strictly_on_the_notebooks():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "--nbval" in options["addopts"]
    assert "--nbval-lax" not in options["addopts"]
    assert "--nbval-current-env" in options["addopts"]
    assert "notebooks" in options["testpaths"]
