"""What the exercise checkers' tests share: a verdict's status, its hint, and the test of a
checker's typical mistakes.

A test file imports them (``from exercise_support import hint, mistake_hints, status``):
``tests/`` is on ``sys.path`` when pytest runs, as for ``browser_support``.
"""

from __future__ import annotations

import pytest


def status(check, *answers):
    """The status of ``check``'s verdict on ``answers``: correct, not yet or not attempted."""
    return check.judge(*answers).status


def hint(check, *answers):
    """The hint of ``check``'s verdict on ``answers``, which must be "not yet" and a hint the
    checker chose (not the report of an error raised while checking)."""
    verdict = check.judge(*answers)
    assert verdict.status == "not yet", verdict
    assert "Checking raised" not in verdict.hint, verdict
    return verdict.hint


def mistake_hints(check, cases):
    """A test: each typical mistake ``answer`` of ``cases`` (pairs ``(answer, words)``) gets
    "not yet" from ``check``, with a hint that holds ``words``.

    Assign it to a name starting with ``test_``:
    ``test_dense_vjp_mistakes = mistake_hints(ch6.dense_vjp, [(answer, "words"), ...])``.
    """

    @pytest.mark.parametrize(("answer", "words"), cases)
    def test(answer, words):
        assert words in hint(check, answer)

    return test
