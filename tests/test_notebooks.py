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
CHAPTERS = [
    "00-start-here.ipynb",
    "01-the-running-example.ipynb",
    "02-forward-mode.ipynb",
    "03-reverse-mode.ipynb",
    "04-forward-versus-reverse.ipynb",
    "05-beyond.ipynb",
    "06-jacobians-and-the-chain-rule.ipynb",
    "07-cost-and-memory.ipynb",
    "08-training-a-network.ipynb",
]
# Tags that stop nbval from comparing (or running) a cell: each use needs a reason.
IGNORING = {"nbval-ignore-output", "nbval-skip", "raises-exception", "nbval-raises-exception"}


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make = _load("make_learner_copies")
runner = _load("run_notebooks")

SOLUTION_PATHS = sorted(SOLUTIONS.glob("[0-9][0-9]-*.ipynb"))
LEARNER_PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
ALL_PATHS = SOLUTION_PATHS + LEARNER_PATHS


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


# --- the generator ------------------------------------------------------------


def test_one_line_solution_becomes_ellipsis():
    source = "answer = np.sin(2.0)  # SOLUTION\nch1.predict_w4(answer)"
    assert make.stub_source(source) == "answer = ...\nch1.predict_w4(answer)"


def test_solution_block_in_a_function_becomes_ellipsis_at_its_indentation():
    source = (
        "def mul(a, b):\n"
        '    """Doc."""\n'
        "    # BEGIN SOLUTION\n"
        "    v = a.value * b.value\n"
        "    return v\n"
        "    # END SOLUTION\n"
        "\n"
        "check(mul)"
    )
    assert make.stub_source(source) == 'def mul(a, b):\n    """Doc."""\n    ...\n\ncheck(mul)'


def test_top_level_solution_block_keeps_the_names_it_assigns():
    source = (
        "# BEGIN SOLUTION\n"
        "J = np.zeros((2, 2))\n"
        "def g(x):\n"
        "    return x\n"
        "J[0, 0] = g(1.0)\n"
        "# END SOLUTION\n"
        "check(J, g)"
    )
    assert make.stub_source(source) == "J = ...\ng = ...\ncheck(J, g)"


@pytest.mark.parametrize(
    "source",
    [
        "# BEGIN SOLUTION\nx = 1\n",
        "x = 1\n# END SOLUTION\n",
        "# BEGIN SOLUTION\nprint(1)\n# END SOLUTION\n",
    ],
)
def test_malformed_markers_are_errors(source):
    with pytest.raises(ValueError, match=r"SOLUTION|assigns no name"):
        make.stub_source(source)


def test_learner_copy_retags_stubs_and_clears_outputs():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell("print(1)", execution_count=1, outputs=[]),
        nbformat.v4.new_code_cell(
            "answer = 2  # SOLUTION\ncheck(answer)",
            metadata={"tags": ["solution"]},
            execution_count=2,
            outputs=[nbformat.v4.new_output("stream", text="Correct!\n")],
        ),
    ]
    before = copy.deepcopy(nb)
    learner = make.learner_copy(nb)
    assert nb == before  # the solution notebook is left alone
    assert [c.id for c in learner.cells] == [c.id for c in nb.cells]
    assert learner.cells[2].source == "answer = ...\ncheck(answer)"
    assert tags(learner.cells[2]) == ["exercise"]
    assert all(c.outputs == [] and c.execution_count is None for c in learner.cells[1:])


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
    assert {p.name for p in SOLUTION_PATHS} <= set(CHAPTERS)


@pytest.mark.parametrize("solution", SOLUTION_PATHS, ids=_id)
def test_learner_copy_has_not_drifted_from_its_solution_copy(solution):
    expected = make.learner_copy(read(solution))
    committed = read(NOTEBOOKS / solution.name)

    def content(nb):
        return [(c.id, c.cell_type, c.source, tags(c)) for c in nb.cells]

    assert content(committed) == content(expected), (
        f"notebooks/{solution.name} differs from what its solution copy gives: "
        "run .venv/bin/python tools/run_notebooks.py"
    )


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
    counts = [c.execution_count for c in read(path).cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), (
        "execution counts are not 1, 2, 3, ...: run .venv/bin/python tools/run_notebooks.py"
    )


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


def _exercise_cells(path: Path, tag: str):
    return [c for c in read(path).cells if tag in tags(c)]


@pytest.mark.parametrize("path", SOLUTION_PATHS, ids=_id)
def test_solved_exercises_end_with_their_checker_and_are_correct(path):
    from adlearn.exercises import CHECKERS

    cells = _exercise_cells(path, "solution")
    assert not _exercise_cells(path, "exercise"), "a solution copy holds an unsolved exercise"
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
    assert not _exercise_cells(path, "solution"), "a learner copy holds a solution"
    for cell in _exercise_cells(path, "exercise"):
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
        assert len(_exercise_cells(path, "solution")) >= 3, "a chapter has at least 3 exercises"
    index = CHAPTERS.index(path.name)
    neighbours = CHAPTERS[index - 1 : index] + CHAPTERS[index + 1 : index + 2]
    # chapters are written in parallel: a neighbour is linked to once it exists
    for name in [n for n in neighbours if (SOLUTIONS / n).exists()]:
        assert f"]({name})" in markdown, f"no link to {name}"


@pytest.mark.parametrize("path", ALL_PATHS, ids=_id)
def test_relative_links_resolve(path):
    nb = read(path)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for target in re.findall(r"\]\(([^)#\s]+\.ipynb)", cell.source):
            written = (SOLUTIONS / target).exists()
            if re.match(r"[a-z]+://", target) or (target in CHAPTERS and not written):
                continue  # a web link, or a chapter still being written
            assert (path.parent / target).exists(), f"broken link {target} in cell {cell.id}"


def test_the_course_has_at_least_15_exercises():
    total = sum(len(_exercise_cells(p, "solution")) for p in SOLUTION_PATHS)
    assert total >= 15


def test_first_exercise_of_chapter_1_is_a_one_line_number():
    path = SOLUTIONS / "01-the-running-example.ipynb"
    if not path.exists():
        pytest.skip("chapter 1 not written yet")
    first = _exercise_cells(path, "solution")[0]
    lines = first.source.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("answer = ")
    assert lines[0].endswith("# SOLUTION")
    value = lines[0].removeprefix("answer = ").removesuffix("# SOLUTION").strip()
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
