"""Checkers for chapter 1, the running example: units, levels, the trace.

Examples
--------
>>> from adlearn.exercises import ch1
>>> ch1.output_level(3)
Exercise 1.2: Correct! The level is the longest path from an input: x1 -> w^1 -> w^2 -> w^3.
"""

from __future__ import annotations

import math
import re

from adlearn.exercises.learner import call, items, test_points
from adlearn.exercises.verdict import (
    NotYet,
    checker,
    count,
    diagnose,
    exact,
    number,
    to_places,
)

__all__ = ["fan_out", "g_units", "output_level", "predict_w4"]


@checker("1.1", "the value of w4")
def predict_w4(answer):
    """The value of w4 = w^1_2 = sin(w1) at (x1, x2) = (2, 3)."""
    x = number(answer)
    if to_places(x, math.sin(2.0)):
        return "w4 = sin(w1) = sin(2) = 0.909 (radians)."
    diagnose(
        x,
        [
            (
                math.cos(2.0),
                "cos(2) is the local partial of w4 (used for tangents); w4's value is sin(w1).",
            ),
            (math.sin(3.0), "w4 = sin(w1) reads w1 = x1 = 2, not x2."),
            (math.sin(math.radians(2.0)), "sin works in radians: sin(2) with 2 in radians."),
            (6.0, "6 is w3 = w1 * w2. w4 is the other unit of level 1, sin(w1)."),
            (6.0 + math.sin(2.0), "That is f itself, w5 = w3 + w4. w4 is only its second term."),
        ],
        default="w4 = sin(w1), and w1 = x1 = 2: evaluate sin(2).",
    )


@checker("1.2", "the level of g's output")
def output_level(answer):
    """The level of the output unit of g(x1, x2) = exp(x1 * x2) + x2."""
    x = count(answer)
    if x == 3:
        return "The level is the longest path from an input: x1 -> w^1 -> w^2 -> w^3."
    diagnose(
        x,
        [
            (1, "The output reads x2 directly (one step), but also exp(...), three steps up."),
            (2, "Count the units between x1 and the output: x1 * x2, then exp, then + x2."),
            (5, "5 is the output's Wengert number (w5). The level counts steps from the inputs."),
            (0, "Level 0 holds the inputs x1 and x2 only."),
            (4, "Count steps, not units: the inputs are level 0, not level 1."),
        ],
        default="Write the units: w^1 = x1 * x2, then exp of it, then + x2. Each adds one level.",
    )


def _g_units(x1, x2):
    w3 = math.exp(x2)
    w4 = x1 * w3
    return [x1, x2, w3, w4, w4 - x2]


@checker("1.3", "the units of g")
def g_units(fn):
    """``fn(x1, x2)`` returns the five unit values of g(x1, x2) = x1 * exp(x2) - x2."""
    for point in test_points([(1.5, 0.5), (-2.0, 1.25)], 3, seed=13):
        out = call(fn, *point, name="g_units")
        want = _g_units(*point)
        try:
            got = items(out, 5, f"g_units{point}")
        except NotYet as e:
            raise NotYet(
                f"{e.hint} g has 5 units: x1, x2 and three operations (exp, *, -)."
            ) from None
        for k, w in enumerate(got):
            if w is Ellipsis or w is None:
                raise NotYet(f"w{k + 1} is still {w!r}: finish that unit, then run the cell again.")
        got = [number(w, name=f"w{k + 1}") for k, w in enumerate(got)]
        if not exact(got[:2], want[:2]):
            raise NotYet("The first two units are the inputs: w1 = x1, w2 = x2.")
        if not exact(got[4], want[4]):
            raise NotYet(
                f"The last unit must be g itself: g{point} = {want[4]:.4f}, not {got[4]:.4f}."
            )
        if exact(sorted(got), sorted(want)) and not exact(got, want):
            raise NotYet(
                "Right values, wrong order: a unit comes after the units it reads "
                "(exp(x2) before x1 * exp(x2))."
            )
        if not exact(got, want):
            wrong = next(k for k in range(5) if not exact(got[k], want[k]))
            raise NotYet(
                f"w{wrong + 1} is off at (x1, x2) = {point}: each unit is one operation of g, "
                "in the order a program computes them."
            )
    return "exp first, then the product, then the difference: right at every point tried."


@checker("1.4", "the unit read twice")
def fan_out(answer):
    """The Wengert number of the unit of f read by two other units."""
    if isinstance(answer, str):  # "w1", "x1", "w^0_1": a name instead of a number
        name = answer.strip().lower()
        if name in {"x1", "w^0_1", "w⁰₁"}:
            answer = 1
        elif re.fullmatch(r"w\s*\d", name):
            answer = int(name[-1])
    x = count(answer)
    if x == 1:
        return "w1 = x1 feeds w3 = w1 * w2 and w4 = sin(w1): its adjoint will add two terms."
    diagnose(
        x,
        [
            (2, "w2 = x2 is read once, by w3 = w1 * w2. Which unit is read by w3 and by w4?"),
            (3, "w3 is read once, by w5. Look at what w3 and w4 read."),
            (4, "w4 is read once, by w5. Look at what w3 and w4 read."),
            (5, "w5 is the output: no unit reads it."),
        ],
        default="Give a Wengert number from 1 to 5 (look at the operation column of the trace).",
    )
