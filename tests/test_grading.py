"""The checkers grade: under nbgrader's autograding a verdict other than Correct raises.

nbgrader runs a submission with the environment variable ``NBGRADER_EXECUTION``
set (``autograde``; ``validate`` when a learner validates) and gives a test cell
its points when it does not raise. In a learner's kernel (the variable unset)
the same call prints its verdict and returns None, as always.
"""

import math

import pytest

from adlearn.exercises import ch1


@pytest.fixture(params=["autograde", "validate"])
def grading(request, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", request.param)
    return request.param


def test_a_wrong_answer_raises_with_the_verdict_and_the_hint(grading, capsys):
    with pytest.raises(AssertionError) as raised:
        ch1.predict_w4(math.cos(2.0))
    message = str(raised.value)
    assert message.startswith("Exercise 1.1: Not yet (your answer: -0.416147).")
    assert "\nHint: cos(2) is the local partial of w4" in message
    assert capsys.readouterr().out == ""  # the verdict is in the error, not printed twice


def test_a_missing_answer_raises_not_attempted(grading):
    with pytest.raises(AssertionError, match=r"^Exercise 1\.1: Not attempted yet\. Replace"):
        ch1.predict_w4(...)


def test_a_learner_function_that_raises_is_a_failed_test_not_a_crash(grading):
    def g_units(x1, x2):
        raise ZeroDivisionError("boom")

    with pytest.raises(AssertionError, match=r"Not yet.*\nHint: .*ZeroDivisionError: boom"):
        ch1.g_units(g_units)


def test_a_right_answer_prints_correct_and_passes(grading, capsys):
    assert ch1.predict_w4(0.909) is None
    assert capsys.readouterr().out.startswith("Exercise 1.1: Correct!")


@pytest.mark.parametrize("value", [None, ""])
def test_in_a_learners_kernel_every_verdict_is_printed(monkeypatch, capsys, value):
    if value is None:
        monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    else:
        monkeypatch.setenv("NBGRADER_EXECUTION", value)
    for answer in (0.5, ..., 0.909):
        assert ch1.predict_w4(answer) is None
    out = capsys.readouterr().out
    assert "Not yet" in out
    assert "Not attempted" in out
    assert "Correct!" in out
