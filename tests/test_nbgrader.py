"""nbgrader's whole cycle on a chapter, with nbgrader itself, in a temporary course folder.

An instructor's steps (docs/nbgrader.md): the solution copy goes into the course
folder's ``source/``, ``nbgrader generate_assignment`` releases it, three learners
hand in (every answer right; one answer wrong; nothing done), ``nbgrader
autograde`` runs their notebooks (the checkers raise under autograding),
``nbgrader export`` writes the gradebook, ``nbgrader generate_feedback`` the
feedback pages. Expected scores come from the points in the release's checker
cells; the test fails if the checkers do not make nbgrader score as a teacher
would.
"""

from __future__ import annotations

import csv
import logging
import re
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "notebooks" / "solutions" / "01-the-running-example.ipynb"
ASSIGNMENT = "ch01"
WRONG_EXERCISE = "1.1"  # the value of w4 = sin(2)
WRONG_ANSWER = "answer = -0.416"  # cos(2): the local partial, not the value
WRONG_HINT = "cos(2) is the local partial of w4"

log = logging.getLogger(__name__)


sys.path.insert(0, str(ROOT / "tools"))

import make_learner_copies as make  # the tools folder is not a package: found on sys.path
import nbgrader_source as source

MARKER = re.compile(r"^\s*#+ (BEGIN|END) SOLUTION\s*$")


def typed(answer_source: str) -> str:
    """What a learner who knows the answer types: the solution without nbgrader's markers."""
    return "\n".join(line for line in answer_source.splitlines() if not MARKER.match(line))


def exercise_of(nb, answer) -> str:
    """The exercise number of an answer cell, from its grade_id (ex1_1_answer -> 1.1)."""
    return (
        answer.metadata.nbgrader["grade_id"]
        .removeprefix("ex")
        .removesuffix("_answer")
        .replace("_", ".")
    )


def submit(course: Path, student: str, nb) -> None:
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / CHAPTER.name)


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    """Run the cycle once; return (course folder, release, grades by student, seconds)."""
    start = time.perf_counter()
    course = make.course_folder(tmp_path_factory.mktemp("course"))
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(
        nbformat.read(CHAPTER, as_version=4), course / "source" / ASSIGNMENT / CHAPTER.name
    )
    make.nbgrader("generate_assignment", ASSIGNMENT, cwd=course)
    release = nbformat.read(course / "release" / ASSIGNMENT / CHAPTER.name, as_version=4)

    solved = {c.id: c.source for c in nbformat.read(CHAPTER, as_version=4).cells}
    right = nbformat.from_dict(release)
    for cell in right.cells:
        if source.is_answer(cell):
            cell.source = typed(solved[cell.id])
    wrong = nbformat.from_dict(right)
    (target,) = [
        c for c in wrong.cells if source.is_answer(c) and exercise_of(wrong, c) == WRONG_EXERCISE
    ]
    target.source = WRONG_ANSWER
    submit(course, "right", right)
    submit(course, "wrong", wrong)
    submit(course, "untouched", release)

    make.nbgrader("autograde", ASSIGNMENT, cwd=course)
    make.nbgrader("export", cwd=course)
    make.nbgrader("generate_feedback", ASSIGNMENT, cwd=course)
    with (course / "grades.csv").open(encoding="utf-8") as fh:
        grades = {row["student_id"]: row for row in csv.DictReader(fh)}
    seconds = time.perf_counter() - start
    log.info("nbgrader cycle on %s: %.1f s", CHAPTER.name, seconds)
    return course, release, grades, seconds


def points_by_exercise(release) -> dict[str, float]:
    """Each exercise's points, read from the released checker cells."""
    cells = release.cells
    return {
        exercise_of(release, cell): float(cells[k + 1].metadata.nbgrader["points"])
        for k, cell in enumerate(cells)
        if source.is_answer(cell)
    }


def test_the_release_carries_the_points_the_table_states(cycle):
    _, release, _, _ = cycle
    points = points_by_exercise(release)
    assert len(points) >= 3
    assert points == {number: float(source.points(number)) for number in points}


def test_all_right_gets_every_point(cycle):
    _, release, grades, _ = cycle
    total = sum(points_by_exercise(release).values())
    row = grades["right"]
    assert float(row["max_score"]) == total
    assert float(row["score"]) == total


def test_one_wrong_answer_loses_that_exercise_only(cycle):
    _, release, grades, _ = cycle
    points = points_by_exercise(release)
    total = sum(points.values())
    assert 0 < points[WRONG_EXERCISE] < total
    assert float(grades["wrong"]["score"]) == total - points[WRONG_EXERCISE]


def test_an_untouched_notebook_scores_zero(cycle):
    _, _, grades, _ = cycle
    assert float(grades["untouched"]["score"]) == 0.0
    assert float(grades["untouched"]["max_score"]) > 0


def test_autograded_checker_cells_carry_the_verdict_in_their_error(cycle):
    course, _, _, _ = cycle
    path = course / "autograded" / "untouched" / ASSIGNMENT / CHAPTER.name
    graded = nbformat.read(path, as_version=4)
    checkers = [c for c in graded.cells if source.is_checker(c)]
    errors = [o for c in checkers for o in c.outputs if o.output_type == "error"]
    assert len(errors) == len(checkers)
    assert all(o.ename == "AssertionError" and "Not attempted yet" in o.evalue for o in errors)


def test_feedback_shows_the_hint_of_the_wrong_answer(cycle):
    course, _, _, _ = cycle
    pages = {
        student: (course / "feedback" / student / ASSIGNMENT / CHAPTER.with_suffix(".html").name)
        for student in ("right", "wrong", "untouched")
    }
    assert all(page.exists() for page in pages.values()), pages
    wrong = pages["wrong"].read_text(encoding="utf-8")
    assert WRONG_HINT in wrong
    assert "Not yet" in wrong
    assert "Correct!" in pages["right"].read_text(encoding="utf-8")
    assert "Not attempted yet" in pages["untouched"].read_text(encoding="utf-8")
