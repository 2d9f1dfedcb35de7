"""Checker for the start-here notebook: a warm-up on the running example.

Examples
--------
>>> from adlearn.exercises import ch0
>>> ch0.warm_up(2.841)
Exercise 0.1: Correct! f(1, 2) = 1 * 2 + sin(1) = 2.841.
"""

from __future__ import annotations

import math

from adlearn.exercises.verdict import checker, diagnose, number, to_places

__all__ = ["warm_up"]


@checker("0.1", "f at (1, 2)")
def warm_up(answer):
    """The value of f(x1, x2) = x1 * x2 + sin(x1) at (1, 2), to 3 decimals."""
    x = number(answer)
    if to_places(x, 2.0 + math.sin(1.0)):
        return "f(1, 2) = 1 * 2 + sin(1) = 2.841."
    diagnose(
        x,
        [
            (2.0, "You have x1 * x2; now add sin(x1)."),
            (3.0, "sin(1) is not 1: the sine of 1 radian is about 0.841."),
            (
                2.0 + math.sin(math.radians(1.0)),
                "sin takes radians here (np.sin(1.0)), not degrees.",
            ),
            (2.0 + math.sin(2.0), "The sine is of x1 = 1, not of x2."),
        ],
        default="Compute 1 * 2 + sin(1) (np.sin works in radians).",
    )
