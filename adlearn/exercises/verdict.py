"""Verdicts for exercises: Correct, Not yet (with a hint), or Not attempted.

A checker is a function decorated with :func:`checker`. Its body looks at the
learner's answer and either returns the message of a correct answer or raises
:class:`NotYet` (with a hint) or :class:`NotAttempted`. The decorator reports
the verdict (:func:`report`, the one place a verdict leaves the checker) and
returns None, so a notebook cell shows the verdict once. Whatever goes wrong
while checking (a learner's function that raises, exits or never returns, an
answer of a surprising type) becomes a hint that names the error, never a
traceback and never an escape.

A hint may be a tuple of hints, from the first nudge to the closest one: the
same mistake made again in the same kernel gets the next hint of the tuple.

Examples
--------
>>> @checker("0.0", "two plus two", register=False)
... def two_plus_two(answer):
...     x = number(answer)
...     if x == 4:
...         return "2 + 2 = 4."
...     diagnose(x, [(22.0, ("Look at the types.", "That is '2' + '2', two strings joined."))],
...              default="Add the two numbers.")
>>> two_plus_two(...)
Exercise 0.0: Not attempted yet. Replace the ... in `answer = ...` by a number and run the cell again.
>>> two_plus_two(4)
Exercise 0.0: Correct! 2 + 2 = 4.
>>> two_plus_two(22)
Exercise 0.0: Not yet (your answer: 22).
Hint: Look at the types.
>>> two_plus_two(22)
Exercise 0.0: Not yet (your answer: 22).
Hint: That is '2' + '2', two strings joined.
>>> two_plus_two("four")
Exercise 0.0: Not yet (your answer: 'four').
Hint: The answer should be a number, such as 0.5; it is a str. Write it without quotes.
>>> two_plus_two.judge(4).status
'correct'
"""

from __future__ import annotations

import functools
import math
import numbers
import os
from dataclasses import dataclass

import numpy as np

__all__ = [
    "CHECKERS",
    "LATEST",
    "NotAttempted",
    "NotYet",
    "Verdict",
    "attempted",
    "checker",
    "close",
    "count",
    "diagnose",
    "error_text",
    "exact",
    "forget",
    "number",
    "report",
    "show",
    "to_places",
]

#: Every checker, by exercise number ("1.1", "2.3", ...), filled as chapter modules load.
CHECKERS: dict = {}

#: The status of the latest verdict reported for each exercise in this kernel (for progress).
LATEST: dict = {}

#: How often each (exercise, mistake) has been judged in this kernel: repeated mistakes
#: get closer hints.
_SEEN: dict = {}

#: Seconds a whole check may take, learner's calls included (each call has its own limit).
CHECK_LIMIT = 30.0

UNATTEMPTED = "Replace the ... by your answer and run the cell again."


class NotYet(Exception):
    """The answer is wrong: ``hint`` says what to look at.

    ``hint`` is one hint, or a tuple of hints from the first nudge to the
    closest: a mistake repeated in the same kernel gets the next one.
    """

    def __init__(self, hint, said: str = ""):
        super().__init__(hint if isinstance(hint, str) else hint[0])
        self.hint = hint
        self.said = said


class NotAttempted(Exception):
    """The exercise still holds its stub (``...`` or ``raise NotImplementedError``)."""

    def __init__(self, message: str = UNATTEMPTED):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Verdict:
    """What a checker found: ``status`` is "correct", "not yet" or "not attempted"."""

    exercise: str
    status: str
    message: str = ""
    hint: str = ""

    def __str__(self) -> str:
        head = f"Exercise {self.exercise}: "
        if self.status == "correct":
            return head + f"Correct! {self.message}".rstrip()
        if self.status == "not attempted":
            return head + f"Not attempted yet. {self.message}".rstrip()
        said = f" ({self.message})" if self.message else ""
        return f"{head}Not yet{said}.\nHint: {self.hint}"


def report(verdict: Verdict) -> None:
    """Show a verdict to the learner, and remember its status for :func:`progress`.

    The one place where a checker's verdict leaves it: change what a verdict
    does here (print it, raise it for an autograder) and every checker follows.
    Under nbgrader's autograding or validation (``NBGRADER_EXECUTION`` set) a
    verdict other than Correct is raised as an AssertionError carrying the
    verdict and hint, instead of printed.
    """
    LATEST[verdict.exercise] = verdict.status
    if verdict.status != "correct" and os.environ.get("NBGRADER_EXECUTION"):
        # nbgrader (autograde, validate) scores a test cell by whether it raises, and
        # shows the error's message in its feedback: the verdict and its hint.
        raise AssertionError(str(verdict))
    print(verdict)


def forget() -> None:
    """Forget every verdict and repeated mistake of this kernel (for tests)."""
    LATEST.clear()
    _SEEN.clear()


def _pick_hint(exercise: str, hint) -> str:
    """The hint to show: for a tuple, the next one each time the same mistake comes back."""
    if isinstance(hint, str):
        return hint
    key = (exercise, hint[0])
    times = _SEEN.get(key, 0)
    _SEEN[key] = times + 1
    return hint[min(times, len(hint) - 1)]


def checker(number: str, title: str = "", register: bool = True):
    """Make ``fn`` an exercise checker: it reports a :class:`Verdict` and returns None.

    ``fn(*answers)`` returns the message shown with "Correct!" or raises
    :class:`NotYet` / :class:`NotAttempted`. The checker keeps ``fn``'s verdict
    without reporting it as ``.judge(*answers)`` (for tests), and is registered
    in :data:`CHECKERS` under ``number`` (unless ``register`` is false).
    """

    def decorate(fn):
        @functools.wraps(fn)
        def judge(*answers, **options) -> Verdict:
            from adlearn.exercises.learner import TimeUp, time_limit

            try:
                with time_limit(CHECK_LIMIT):
                    message = fn(*answers, **options)
            except NotAttempted as e:
                return Verdict(number, "not attempted", e.message)
            except NotYet as e:
                return Verdict(number, "not yet", e.said, _pick_hint(number, e.hint))
            except TimeUp:
                return Verdict(
                    number,
                    "not yet",
                    "",
                    "Checking took too long: look for a loop that never ends.",
                )
            except (Exception, SystemExit, KeyboardInterrupt) as e:  # noqa: BLE001 (learner's)
                return Verdict(number, "not yet", "", f"Checking raised {error_text(e)}.")
            return Verdict(number, "correct", message or "")

        @functools.wraps(fn)
        def check(*answers, **options) -> None:
            report(judge(*answers, **options))

        check.judge = judge
        check.exercise = number
        check.title = title
        if not register:
            return check
        known = CHECKERS.get(number)
        same = known is not None and (known.__module__, known.__qualname__) == (
            check.__module__,
            check.__qualname__,
        )
        if known is not None and not same:
            raise ValueError(f"checker: exercise {number} already has a checker, {known.__name__}")
        CHECKERS[number] = check
        return check

    return decorate


def error_text(e: BaseException) -> str:
    """``"ValueError: what it said"``, or the type alone when it said nothing."""
    try:
        text = str(e)
    except Exception:  # noqa: BLE001 (a learner's exception whose __str__ fails)
        text = ""
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def show(x) -> str:
    """A short text for a learner's value, as quoted back in a verdict."""
    if isinstance(x, float):
        return f"{x:.6g}"
    try:
        text = repr(x)
    except Exception:  # noqa: BLE001 (a learner's object whose __repr__ fails)
        text = f"<a {type(x).__name__}>"
    return text if len(text) <= 60 else text[:57] + "..."


def attempted(value, name: str = "answer"):
    """``value`` itself, unless it is still the stub ``...`` (then Not attempted)."""
    if value is Ellipsis:
        raise NotAttempted(
            f"Replace the ... in `{name} = ...` by your answer and run the cell again."
        )
    return value


def number(value, name: str = "answer") -> float:
    """The learner's answer as a float; Not attempted for ``...``, Not yet for a non-number.

    Any real number is taken (int, float, Fraction, numpy scalars, a one-number
    numeric array); strings, bools, complex numbers and arrays of text are not.
    """
    if value is Ellipsis:
        raise NotAttempted(f"Replace the ... in `{name} = ...` by a number and run the cell again.")
    said = f"your {name}: {show(value)}"
    kind = type(value).__name__
    if isinstance(value, str):
        raise NotYet(
            f"The {name} should be a number, such as 0.5; it is a str. Write it without quotes.",
            said,
        )
    if isinstance(value, np.ndarray):
        if value.size != 1:
            raise NotYet(f"The {name} should be one number; it has shape {value.shape}.", said)
        if value.dtype.kind == "c":
            raise NotYet(f"The {name} should be a real number; it is complex.", said)
        if value.dtype.kind not in "iuf":
            raise NotYet(
                f"The {name} should be a number, such as 0.5; it is an array of {value.dtype}.",
                said,
            )
        value = value.reshape(()).item()
    if isinstance(value, (complex, np.complexfloating)):
        raise NotYet(f"The {name} should be a real number; it is complex.", said)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)):
        raise NotYet(f"The {name} should be a number, such as 0.5; it is a {kind}.", said)
    x = float(value)
    if not math.isfinite(x):
        raise NotYet(f"The {name} is {x}: look for a division by zero or an overflow.", said)
    return x


def count(value, name: str = "answer") -> int:
    """The learner's answer as a whole number (a count), Not yet for 20.02 or 999.5."""
    x = number(value, name)
    if x != round(x):
        raise NotYet(
            f"The {name} is a count, a whole number; {show(x)} is not one.",
            f"your {name}: {show(value)}",
        )
    return round(x)


def close(a, b, tol: float = 1e-3) -> bool:
    """True when ``a`` and ``b`` agree to ``tol``, absolutely or relatively (arrays: everywhere).

    For answers read off a plot or rounded by hand; for what AD computes
    exactly use :func:`exact`, for "give three decimals" :func:`to_places`.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=tol, atol=tol))


def exact(a, b, tol: float = 1e-12) -> bool:
    """True when ``a`` equals ``b`` to rounding error (``tol`` relative, everywhere).

    AD is exact: a right method agrees with the closed form to about 1e-15;
    finite differences, at best 1e-7 or 1e-10, do not pass.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return False
    scale = max(1.0, float(np.max(np.abs(b)))) if b.size else 1.0
    return bool(np.all(np.abs(a - b) <= tol * scale))


def to_places(x, want, places: int = 3) -> bool:
    """True when ``x`` is ``want`` rounded (either way) to ``places`` decimals, or closer."""
    return bool(abs(float(x) - float(want)) <= 0.6 * 10.0**-places)


def diagnose(value, mistakes, default, name: str = "answer", tol: float = 1e-3, said=None):
    """Raise :class:`NotYet` with the hint of the first typical mistake ``value`` matches.

    ``mistakes`` is a list of ``(wrong_value, hint)``; ``default`` is the hint
    when ``value`` matches none of them. A hint may be a tuple (see
    :class:`NotYet`). ``value`` may be an array: the wrong values of several
    test points, so that a coincidence at one point is not taken for a mistake.
    ``said`` replaces the default "your <name>: <value>" quoted in the verdict.
    """
    said = f"your {name}: {show(value)}" if said is None else said
    for wrong, hint in mistakes:
        if close(value, wrong, tol):
            raise NotYet(hint, said)
    raise NotYet(default, said)


def __getattr__(name):
    # ``call`` and ``is_stub`` live in adlearn.exercises.learner (they run learner code);
    # chapter modules written before that import them from here.
    if name in ("call", "is_stub"):
        from adlearn.exercises import learner

        return getattr(learner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
