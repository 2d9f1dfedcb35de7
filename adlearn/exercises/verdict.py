"""Verdicts for exercises: Correct, Not yet (with a hint), or Not attempted.

A checker is a function decorated with :func:`checker`. Its body looks at the
learner's answer and either returns the message of a correct answer or raises
:class:`NotYet` (with a hint) or :class:`NotAttempted`. The decorator prints
the verdict and returns None, so a notebook cell shows the verdict once.
Whatever goes wrong while checking (a learner's function that raises, an answer
of a surprising type) becomes a hint that names the error, never a traceback.

Examples
--------
>>> @checker("0.0", "two plus two", register=False)
... def two_plus_two(answer):
...     x = number(answer)
...     if close(x, 4.0):
...         return "2 + 2 = 4."
...     diagnose(x, [(22.0, "That is '2' + '2', two strings joined.")],
...              default="Add the two numbers.")
>>> two_plus_two(...)
Exercise 0.0: Not attempted yet. Replace the ... in `answer = ...` by a number and run the cell again.
>>> two_plus_two(4)
Exercise 0.0: Correct! 2 + 2 = 4.
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

import dis
import functools
import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "CHECKERS",
    "NotAttempted",
    "NotYet",
    "Verdict",
    "attempted",
    "call",
    "checker",
    "close",
    "diagnose",
    "is_stub",
    "number",
    "show",
]

#: Every checker, by exercise number ("1.1", "2.3", ...), filled as chapter modules load.
CHECKERS: dict = {}

UNATTEMPTED = "Replace the ... by your answer and run the cell again."


class NotYet(Exception):
    """The answer is wrong: ``hint`` says what to look at."""

    def __init__(self, hint: str, said: str = ""):
        super().__init__(hint)
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


def checker(number: str, title: str = "", register: bool = True):
    """Make ``fn`` an exercise checker: it prints a :class:`Verdict` and returns None.

    ``fn(*answers)`` returns the message shown with "Correct!" or raises
    :class:`NotYet` / :class:`NotAttempted`. The checker keeps ``fn``'s verdict
    without printing as ``.judge(*answers)`` (for tests), and is registered in
    :data:`CHECKERS` under ``number`` (unless ``register`` is false).
    """

    def decorate(fn):
        @functools.wraps(fn)
        def judge(*answers, **options) -> Verdict:
            try:
                message = fn(*answers, **options)
            except NotAttempted as e:
                return Verdict(number, "not attempted", e.message)
            except NotYet as e:
                return Verdict(number, "not yet", e.said, e.hint)
            except Exception as e:  # noqa: BLE001 (whatever the learner typed: a hint, not a traceback)
                return Verdict(number, "not yet", "", f"Checking raised {_error(e)}.")
            return Verdict(number, "correct", message or "")

        @functools.wraps(fn)
        def check(*answers, **options) -> None:
            print(judge(*answers, **options))

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


def _error(e: BaseException) -> str:
    text = str(e)
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def show(x) -> str:
    """A short text for a learner's value, as quoted back in a verdict."""
    if isinstance(x, float):
        return f"{x:.6g}"
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def attempted(value, name: str = "answer"):
    """``value`` itself, unless it is still the stub ``...`` (then Not attempted)."""
    if value is Ellipsis:
        raise NotAttempted(
            f"Replace the ... in `{name} = ...` by your answer and run the cell again."
        )
    return value


def number(value, name: str = "answer") -> float:
    """The learner's answer as a float; Not attempted for ``...``, Not yet for a non-number."""
    if value is Ellipsis:
        raise NotAttempted(f"Replace the ... in `{name} = ...` by a number and run the cell again.")
    said = f"your {name}: {show(value)}"
    kind = type(value).__name__
    if isinstance(value, str):
        raise NotYet(
            f"The {name} should be a number, such as 0.5; it is a str. Write it without quotes.",
            said,
        )
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number, np.ndarray)):
        raise NotYet(f"The {name} should be a number, such as 0.5; it is a {kind}.", said)
    if np.size(value) != 1:
        raise NotYet(f"The {name} should be one number; it has shape {np.shape(value)}.", said)
    x = float(np.asarray(value).reshape(()))
    if not math.isfinite(x):
        raise NotYet(f"The {name} is {x}: look for a division by zero or an overflow.", said)
    return x


def close(a, b, tol: float = 1e-3) -> bool:
    """True when ``a`` and ``b`` agree to ``tol``, absolutely or relatively (arrays: everywhere)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=tol, atol=tol))


def diagnose(value, mistakes, default: str, name: str = "answer"):
    """Raise :class:`NotYet` with the hint of the first typical mistake ``value`` matches.

    ``mistakes`` is a list of ``(wrong_value, hint)``; ``default`` is the hint
    when ``value`` matches none of them.
    """
    said = f"your {name}: {show(value)}"
    for wrong, hint in mistakes:
        if close(value, wrong):
            raise NotYet(hint, said)
    raise NotYet(default, said)


_STUB_CODE = ([("LOAD_CONST", None), ("RETURN_VALUE", None)], [("RETURN_CONST", None)])
_NOISE = {"RESUME", "NOP", "COPY_FREE_VARS", "MAKE_CELL", "CACHE"}


def is_stub(fn) -> bool:
    """True for a function whose body does nothing: ``...``, ``pass`` (a docstring allowed)."""
    code = getattr(getattr(fn, "__func__", fn), "__code__", None)
    if code is None:
        return False
    ops = [(i.opname, i.argval) for i in dis.get_instructions(code) if i.opname not in _NOISE]
    return ops in _STUB_CODE


def call(fn, *args, name: str = "your function", allow_none: bool = False):
    """Call the learner's ``fn(*args)``, turning every way it can fail into a verdict.

    Not attempted: ``fn`` is ``...``, a body of ``...``/``pass``, or raises
    NotImplementedError. Not yet: ``fn`` is not a function, raises, or returns
    None (unless ``allow_none``).
    """
    if fn is Ellipsis or is_stub(fn):
        raise NotAttempted(f"Write the body of {name} (replace its ...), then run the cell again.")
    if not callable(fn):
        raise NotYet(f"{name} should be a function (def ...); it is a {type(fn).__name__}.")
    shown = ", ".join(show(a) for a in args)
    try:
        out = fn(*args)
    except NotImplementedError:
        raise NotAttempted(
            f"Write the body of {name} (replace its raise NotImplementedError), then run the cell."
        ) from None
    except Exception as e:  # noqa: BLE001 (learner code: its error becomes the hint)
        raise NotYet(
            f"{name}({shown}) raised {_error(e)}. Read that error, then fix the code."
        ) from None
    if out is None and not allow_none:
        raise NotYet(f"{name}({shown}) returned None: did you forget the `return`?")
    return out
