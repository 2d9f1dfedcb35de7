"""Checkers for chapter 4, forward against reverse: Jacobians, sweeps, accuracy.

Examples
--------
>>> from adlearn.exercises import ch4
>>> ch4.sweeps_jacobian(20)
Exercise 4.3: Correct! Reverse mode, one sweep per output: 20 sweeps (forward mode would take 300).
"""

from __future__ import annotations

import math

import numpy as np

from adlearn.exercises.verdict import (
    NotYet,
    attempted,
    call,
    checker,
    close,
    diagnose,
    number,
    show,
)

__all__ = ["best_step", "complex_step", "jacobian_by_columns", "sweeps_jacobian", "which_mode"]


def _square(x):
    """The chapter's F: R^2 -> R^2, F(x) = x1 x2 + sin(x) (elementwise)."""
    return x[0] * x[1] + np.sin(x)


def _square_jacobian(x):
    x1, x2 = x
    return np.array([[x2 + math.cos(x1), x1], [x2, x1 + math.cos(x2)]])


def _wide(x):
    """R^3 -> R^2: (x1 x3, x2 x3)."""
    return x[:2] * x[2]


def _wide_jacobian(x):
    x1, x2, x3 = x
    return np.array([[x3, 0.0, x1], [0.0, x3, x2]])


@checker("4.1", "a Jacobian by columns")
def jacobian_by_columns(fn):
    """``fn(F, x)``: the m-by-n Jacobian of F at the array x, one forward sweep per column."""
    for F, J_of, x, name in [
        (_square, _square_jacobian, np.array([2.0, 3.0]), "F(x) = x1 x2 + sin(x) at (2, 3)"),
        (
            _wide,
            _wide_jacobian,
            np.array([1.0, -2.0, 0.5]),
            "F(x) = (x1 x3, x2 x3) at (1, -2, 0.5)",
        ),
    ]:
        want = J_of(x)
        out = call(fn, F, x.copy(), name="jacobian_by_columns")
        try:
            J = np.asarray(out, dtype=float)
        except (TypeError, ValueError):
            raise NotYet(
                f"jacobian_by_columns returned {show(out)}: return a 2-D array of numbers, "
                "np.column_stack(columns)."
            ) from None
        said = f"for {name} you gave shape {J.shape}"
        if J.shape == want.T.shape and J.shape != want.shape:
            raise NotYet(
                "The Jacobian is transposed: its shape is (outputs, inputs), m by n. Each "
                "sweep gives a column, so stack them side by side: np.column_stack(columns).",
                said,
            )
        if J.shape != want.shape:
            raise NotYet(
                f"The Jacobian of F: R^{want.shape[1]} -> R^{want.shape[0]} has shape "
                f"{want.shape}: one column per input, from one ad.jvp each.",
                said,
            )
        said = f"for {name} you gave {show(np.round(J, 4).tolist())}"
        if close(J, want):
            continue
        if close(J, want.T):
            raise NotYet(
                "The Jacobian is transposed: a sweep seeded with e_k gives column k, "
                "J[:, k], not row k. Use np.column_stack(columns).",
                said,
            )
        raise NotYet(
            "Seed input k with e_k = np.eye(n)[k]: ad.jvp(F, (x,), (e_k,))[1] is column k.",
            said,
        )
    return "n sweeps, one column each: ad.jvp seeded with e_k gives J[:, k] = dF/dx_k."


_MODES = {"reverse": "reverse", "rev": "reverse", "forward": "forward", "fwd": "forward"}
_SHAPES = [
    (
        "(a)",
        "10**6 inputs, 1 output",
        "reverse",
        "(a) has one output and a million inputs: reverse mode, one sweep, not 10**6.",
    ),
    (
        "(b)",
        "1 input, 3 outputs",
        "forward",
        "(b) has one input: one forward sweep gives all three derivatives; reverse takes 3.",
    ),
    (
        "(c)",
        "20 inputs, 5 outputs",
        "reverse",
        "(c): forward mode takes n = 20 sweeps, reverse mode m = 5. Count both.",
    ),
]


@checker("4.2", "which mode for which shape")
def which_mode(answer):
    """The cheaper mode for shapes (a) 10**6 -> 1, (b) 1 -> 3, (c) 20 -> 5."""
    answer = attempted(answer)
    if isinstance(answer, str) or not isinstance(answer, (tuple, list)):
        raise NotYet(
            'Give three words, one per function: ("reverse", "forward", "reverse") or similar.',
            f"your answer: {show(answer)}",
        )
    if len(answer) != 3:
        raise NotYet(
            f"There are three functions, (a), (b) and (c); you gave {len(answer)} answers.",
            f"your answer: {show(answer)}",
        )
    for (label, shape, want, hint), given in zip(_SHAPES, answer):
        mode = _MODES.get(given.strip().lower()) if isinstance(given, str) else None
        if mode is None:
            raise NotYet(
                f'Answer {label} with "forward" or "reverse" (a str); you gave {show(given)}.',
                f"your answer: {show(answer)}",
            )
        if mode != want:
            raise NotYet(hint, f"your answer for {label} ({shape}): {mode}")
    return "Forward mode costs one sweep per input, reverse mode one per output: pick the fewer."


@checker("4.3", "sweeps for a Jacobian")
def sweeps_jacobian(answer):
    """Sweeps for the whole Jacobian of a function of 300 inputs and 20 outputs, cheaper mode."""
    x = number(answer)
    if close(x, 20.0):
        return "Reverse mode, one sweep per output: 20 sweeps (forward mode would take 300)."
    diagnose(
        x,
        [
            (300.0, "300 is forward mode, one sweep per input. The other mode is cheaper here."),
            (6000.0, "No sweep gives a single entry: one gives a whole row or a whole column."),
            (1.0, "One reverse sweep gives one row of the Jacobian: the gradient of one output."),
            (320.0, "One mode is enough: choose the cheaper one, not both."),
        ],
        default="Forward mode: one sweep per input (n = 300). Reverse: one per output (m = 20).",
    )


def _cube_exp(x):
    return x**3 * np.exp(x)


@checker("4.4", "the complex step")
def complex_step(fn):
    """``fn(g, x)``: the derivative of g at x from Im g(x + ih) / h with a tiny h."""
    tests = [
        (np.sin, 0.7, math.cos(0.7), "np.sin at 0.7"),
        (_cube_exp, 0.5, (3 * 0.5**2 + 0.5**3) * math.exp(0.5), "x**3 * exp(x) at 0.5"),
    ]
    for g, x, want, name in tests:
        out = call(fn, g, x, name="complex_step")
        if np.iscomplexobj(out):
            raise NotYet(
                "complex_step returned a complex number: the derivative is its imaginary part "
                "divided by h, g(x + 1j * h).imag / h.",
                f"for {name} you gave {show(out)}",
            )
        d = number(out, name="result")
        said = f"for {name} you gave {d:.15g}, the derivative is {want:.15g}"
        if close(d, want, tol=1e-12):
            continue
        if close(d, float(g(x))):
            raise NotYet(
                "That is g(x), the real part. Take the imaginary part and divide by h.", said
            )
        if 0 < abs(d) < 1e-6 * abs(want):
            raise NotYet("Divide the imaginary part by h: g(x + 1j * h).imag / h.", said)
        if close(d, want, tol=1e-3):
            raise NotYet(
                "Close, but not to the last digit. With the complex step nothing is subtracted, "
                "so h can be tiny: h = 1e-20 gives the derivative to rounding error. (A real "
                "finite difference cannot do that.)",
                said,
            )
        raise NotYet("Evaluate g at x + 1j * h with h = 1e-20 and return .imag / h.", said)
    return "Im g(x + ih) / h = g'(x) - h² g'''(x)/6 + ...: no subtraction, so h = 1e-20 is exact."


@checker("4.5", "the best step for a forward difference")
def best_step(answer):
    """The exponent k of the step h = 10**k where the forward difference is most accurate."""
    k = number(answer)
    if 0 < k < 1:
        raise NotYet(
            "Give the exponent k of h = 10**k (for h = 1e-8, answer -8), not h itself.",
            f"your answer: {show(answer)}",
        )
    if -9.0 <= k <= -7.0:
        return (
            "About 1e-8, near the square root of machine epsilon: there the truncation error "
            "h|f''|/2 and the rounding error 2ε|f|/h are about equal, and their sum, below 1e-7, "
            "is as good as a forward difference gets."
        )
    if k < -9.0:
        raise NotYet(
            "At a smaller step the rounding error 2ε|f|/h grows: the difference f(x + h) - f(x) "
            "loses digits. Find the bottom of the forward-difference curve.",
            f"your answer: {show(answer)}",
        )
    if -7.0 < k <= -4.0:
        raise NotYet(
            "That is about where the central difference is best (its truncation error is h², "
            "smaller). The forward difference's truncation error is h|f''|/2: its best h is "
            "smaller.",
            f"your answer: {show(answer)}",
        )
    raise NotYet(
        "At large steps the truncation error h|f''|/2 dominates: the error falls as h shrinks, "
        "until rounding takes over. Find the bottom of the forward-difference curve.",
        f"your answer: {show(answer)}",
    )
