"""Checkers for chapter 4, forward against reverse: Jacobians, sweeps, accuracy.

Examples
--------
>>> from adlearn.exercises import ch4
>>> ch4.sweeps_products(2)
Exercise 4.3: Correct! One forward sweep seeded with v gives J v, one reverse sweep seeded with ȳ gives ȳᵀJ: 2 sweeps, whatever n and m are. The whole Jacobian is never needed.
"""

from __future__ import annotations

import math

import numpy as np

from adlearn.exercises.learner import call, test_points
from adlearn.exercises.method import Probe, watch
from adlearn.exercises.verdict import (
    NotYet,
    attempted,
    checker,
    close,
    count,
    diagnose,
    exact,
    number,
    show,
)

__all__ = [
    "best_step",
    "branch",
    "complex_step",
    "jacobian_by_columns",
    "our_jacobian_by_columns",
    "sweeps_products",
    "which_mode",
]


def our_jacobian_by_columns(F, x):
    """The model answer of exercise 4.1, for the rest of chapter 4 to run on.

    Examples
    --------
    >>> our_jacobian_by_columns(_wide, np.array([1.0, -2.0, 0.5])).tolist()
    [[0.5, 0.0, 1.0], [0.0, 0.5, -2.0]]
    """
    import adlearn as ad

    return np.column_stack([ad.jvp(F, (x,), (e,))[1] for e in np.eye(x.size)])


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


def _tall(x):
    """R^2 -> R^3: (sin x1, x1 x2, exp x2)."""
    return np.stack([np.sin(x[0]), x[0] * x[1], np.exp(x[1])])


def _tall_jacobian(x):
    x1, x2 = x
    return np.array([[math.cos(x1), 0.0], [x2, x1], [0.0, math.exp(x2)]])


_FUNCTIONS = [
    (_square, _square_jacobian, "F(x) = x1 x2 + sin(x)"),
    (_wide, _wide_jacobian, "F(x) = (x1 x3, x2 x3)"),
    (_tall, _tall_jacobian, "F(x) = (sin x1, x1 x2, exp x2)"),
]

_WRONG_METHOD = {
    "jacfwd": "ad.jacfwd builds the whole Jacobian for you; the exercise is to build it from "
    "single forward sweeps, one seed per input.",
    "jacrev": "ad.jacrev builds the Jacobian by rows, with reverse sweeps; the exercise is "
    "columns from forward sweeps, one seed per input.",
    "vjp": "ad.vjp runs reverse sweeps (rows); the exercise is columns from forward sweeps.",
    "grad": "ad.grad runs reverse sweeps; the exercise is columns from forward sweeps.",
}


def _method_hint(calls, kinds, n):
    """Why a Jacobian with the right numbers was built the wrong way, or None if it was not."""
    for name in calls:
        if name in _WRONG_METHOD:
            return _WRONG_METHOD[name]
    if "forward" not in kinds:
        return (
            "Your F ran on plain numbers only: that is finite differences, not AD. Run F on "
            "dual numbers: one forward sweep per input."
        )
    if kinds.count("forward") != n:
        return (
            f"F ran {kinds.count('forward')} forward sweeps for {n} inputs: one sweep per "
            "input, seeded with that input's unit vector, gives one column each."
        )
    return None


@checker("4.1", "a Jacobian by columns")
def jacobian_by_columns(fn):
    """``fn(F, x)``: the m-by-n Jacobian of F at the array x, one forward sweep per column."""
    points = test_points([(2.0, 3.0, 0.5)], 2, seed=41)
    for F_plain, J_of, name in _FUNCTIONS:
        for point in points:
            x = np.array(point[: 3 if F_plain is _wide else 2])
            want = J_of(x)
            F = Probe(F_plain)
            with watch(fn) as calls:
                out = call(fn, F, x.copy(), name="jacobian_by_columns")
            if np.iscomplexobj(out):
                raise NotYet("jacobian_by_columns returned complex numbers: return real ones.")
            try:
                J = np.asarray(out, dtype=float)
            except (TypeError, ValueError):
                raise NotYet(
                    f"jacobian_by_columns returned {show(out)}: return a 2-D array of numbers."
                ) from None
            where = f"for {name} at x = {np.round(x, 2).tolist()}"
            said = f"{where} you gave shape {J.shape}"
            if J.shape != want.shape:
                if J.shape == want.T.shape:
                    hint = (
                        "The Jacobian is transposed: its shape is (outputs, inputs), m by n, "
                        "and each forward sweep gives a column."
                    )
                else:
                    hint = (
                        f"The Jacobian of F: R^{want.shape[1]} -> R^{want.shape[0]} has shape "
                        f"{want.shape}: one column per input."
                    )
                raise NotYet(hint, said)
            said = f"{where} you gave {show(np.round(J, 4).tolist())}"
            if exact(J, want):
                wrong = _method_hint(calls, F.kinds, x.size)
                if wrong:
                    raise NotYet(f"Right numbers, wrong method. {wrong}", said)
                continue
            if close(J, want, tol=1e-5):
                raise NotYet(
                    "Right numbers to 5 digits, wrong method: AD is exact to rounding (1e-15), "
                    + (_method_hint(calls, F.kinds, x.size) or "and this is not."),
                    said,
                )
            if close(J, want.T):
                raise NotYet(
                    "The Jacobian is transposed: a sweep seeded with e_k gives column k, "
                    "not row k.",
                    said,
                )
            raise NotYet(
                (
                    (
                        "Seed input k alone (a unit vector) and run one forward sweep: its tangent "
                        "is column k of J."
                    ),
                    (
                        "ad.jvp(F, primals, tangents) returns the value and the tangent; the primals "
                        "and the tangents are each a tuple with one array here."
                    ),
                ),
                said,
            )
    return (
        "n sweeps, one column each: a forward sweep seeded with e_k gives J[:, k] = dF/dx_k. "
        "Right on three shapes, at random points too, and by forward sweeps only."
    )


_MODES = {
    "reverse": "reverse",
    "rev": "reverse",
    "backward": "reverse",
    "backwards": "reverse",
    "adjoint": "reverse",
    "forward": "forward",
    "fwd": "forward",
    "tangent": "forward",
}


def _mode(word):
    """ "reverse" or "forward" for the words a learner may use ("Reverse mode", "backward")."""
    if not isinstance(word, str):
        return None
    words = word.strip().lower().replace("-", " ").split()
    if words[-1:] == ["mode"]:
        words = words[:-1]
    return _MODES.get(" ".join(words))


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
            'Give three words, one per function, such as ("forward", "forward", "forward").',
            f"your answer: {show(answer)}",
        )
    if len(answer) != 3:
        raise NotYet(
            f"There are three functions, (a), (b) and (c); you gave {len(answer)} answers.",
            f"your answer: {show(answer)}",
        )
    for (label, shape, want, hint), given in zip(_SHAPES, answer):
        mode = _mode(given)
        if mode is None:
            raise NotYet(
                f'Answer {label} with "forward" or "reverse" (a str); you gave {show(given)}.',
                f"your answer: {show(answer)}",
            )
        if mode != want:
            raise NotYet(hint, f"your answer for {label} ({shape}): {mode}")
    return "Forward mode costs one sweep per input, reverse mode one per output: pick the fewer."


@checker("4.3", "sweeps for two products")
def sweeps_products(answer):
    """Sweeps for J v and ȳᵀJ (one v, one ȳ) of a function of 300 inputs and 20 outputs."""
    x = count(answer)
    if x == 2:
        return (
            "One forward sweep seeded with v gives J v, one reverse sweep seeded with ȳ gives "
            "ȳᵀJ: 2 sweeps, whatever n and m are. The whole Jacobian is never needed."
        )
    diagnose(
        x,
        [
            (
                20,
                (
                    "20 sweeps build the whole Jacobian (by rows). Do you need all of it?",
                    (
                        "A forward sweep seeded with v returns J v directly; a reverse sweep "
                        "seeded with ȳ returns ȳᵀJ."
                    ),
                ),
            ),
            (300, "300 sweeps build the whole Jacobian by columns. J v is one product."),
            (320, "That builds the Jacobian twice. Each product is one sweep of the right mode."),
            (40, "A reverse sweep gives ȳᵀJ for one ȳ: one sweep, not one per output."),
            (6000, "No sweep gives a single entry, and no entry is needed here: only products."),
            (1, "One sweep of one mode gives one of the two products. Count both."),
        ],
        default="Which mode gives J v in one sweep? Which gives ȳᵀJ in one sweep?",
    )


def _cube_exp(x):
    return x**3 * np.exp(x)


@checker("4.4", "the complex step")
def complex_step(fn):
    """``fn(g, x)``: the derivative of g at x from Im g(x + ih) / h with a tiny h."""
    tests = [
        (np.sin, np.cos, "np.sin"),
        (_cube_exp, lambda x: (3 * x**2 + x**3) * np.exp(x), "x**3 * exp(x)"),
        (np.exp, np.exp, "np.exp"),
    ]
    for g_plain, dg, g_name in tests:
        for (x,) in test_points([(0.7,)], 2, seed=44):
            g = Probe(g_plain)
            want = float(dg(x))
            name = f"{g_name} at {x:g}"
            with watch(fn) as calls:
                out = call(fn, g, x, name="complex_step")
            if np.iscomplexobj(out):
                raise NotYet(
                    "complex_step returned a complex number: the derivative is a real number, "
                    "made from the imaginary part of g's result.",
                    f"for {name} you gave {show(out)}",
                )
            d = number(out, name="result")
            said = f"for {name} you gave {d:.15g}, the derivative is {want:.15g}"
            used_complex = "complex" in g.kinds
            if exact(d, want) and used_complex and not calls:
                continue
            if close(d, want, tol=1e-5) and (calls or not used_complex):
                how = f"ad.{calls[0]}" if calls else "a real finite difference"
                raise NotYet(
                    f"Right numbers, wrong method: that is {how}. The exercise is the complex "
                    "step: evaluate g at a complex point, x plus a tiny imaginary step.",
                    said,
                )
            if close(d, float(g_plain(x))):
                raise NotYet(
                    "That is g(x), the real part. The derivative is in the imaginary part.", said
                )
            if 0 < abs(d) < 1e-6 * abs(want):
                raise NotYet("The imaginary part is about h g'(x): divide it by h.", said)
            if close(d, want, tol=1e-3):
                raise NotYet(
                    "Close, but not to the last digit. With the complex step nothing is "
                    "subtracted, so h can be tiny: h = 1e-20 gives the derivative to rounding "
                    "error. (A real finite difference cannot do that.)",
                    said,
                )
            raise NotYet(
                (
                    "Im g(x + ih) / h with h = 1e-20: in Python, 1j is i.",
                    (
                        "Evaluate g at x plus 1j times h, take the imaginary part of the result, "
                        "and divide it by h."
                    ),
                ),
                said,
            )
    return "Im g(x + ih) / h = g'(x) - h² g‴(x)/6 + ...: no subtraction, so h = 1e-20 is exact."


@checker("4.5", "the best step for a forward difference")
def best_step(answer):
    """The exponent k of the step h = 10**k where the forward difference is most accurate."""
    k = number(answer)
    said = f"your answer: {show(answer)}"
    if 0 < k < 1:
        raise NotYet(
            "Give the exponent k of h = 10**k (for h = 1e-8, answer -8), not h itself.", said
        )
    if -9.0 <= k <= -7.0:
        return (
            "Between 1e-9 and 1e-7 the forward-difference error stays near its bottom, "
            "1e-8 to 1e-7: there the truncation error h|f''|/2 and the rounding error "
            "2ε|f|/h are about equal. The lowest marker of the plot is the luckiest step of "
            "that band, not one you could choose in advance."
        )
    if k < -9.0:
        raise NotYet(
            "At a smaller step the rounding error 2ε|f|/h grows: the difference f(x + h) - f(x) "
            "loses digits. Find the bottom of the forward-difference curve.",
            said,
        )
    if -7.0 < k <= -5.5:
        raise NotYet(
            "At h = 1e-6 the forward difference's error is about 5e-7, ten times its best: "
            "the truncation error h|f''|/2 still dominates there. Its best step is smaller.",
            said,
        )
    if -5.5 < k <= -4.0:
        raise NotYet(
            "That is about where the central difference is best (its truncation error is h², "
            "smaller). The forward difference's truncation error is h|f''|/2: its best h is "
            "smaller.",
            said,
        )
    raise NotYet(
        "At large steps the truncation error h|f''|/2 dominates: the error falls as h shrinks, "
        "until rounding takes over. Find the bottom of the forward-difference curve.",
        said,
    )


def _huber(r):
    return 0.5 * r * r if abs(r) <= 1.0 else abs(r) - 0.5


def _huber_slope(r):
    return r if abs(r) <= 1.0 else math.copysign(1.0, r)


_AD_CALLS = {"derivative", "grad", "jvp", "vjp", "value_and_grad", "jacfwd", "jacrev"}
_BRANCH_POINTS = [
    r for (r,) in test_points([(0.5,), (-0.5,), (2.0,), (-3.0,)], 4, seed=46, low=-3, high=3)
]


@checker("4.6", "a function with a branch")
def branch(huber, slope):
    """``huber(r)``: 0.5 r² for |r| <= 1, |r| - 0.5 beyond; ``slope(r)``: its derivative, by AD."""
    for r in _BRANCH_POINTS:
        got = number(call(huber, r, name="huber"), name="value")
        if not exact(got, _huber(r)):
            said = f"huber({r:g}) gave {got:.6g}, not {_huber(r):.6g}"
            if (
                r < -1
                and exact(got, 0.5 * r * r)
                and exact(call(huber, -r, name="huber"), -r - 0.5)
            ):
                raise NotYet("For r < -1 too: the condition is on |r|, not on r.", said)
            if abs(r) > 1 and exact(got, 0.5 * r * r):
                raise NotYet("Beyond |r| > 1 the Huber loss is |r| - 0.5, not 0.5 r².", said)
            raise NotYet("0.5 r² when |r| <= 1, and |r| - 0.5 otherwise: one if, two cases.", said)
    for r in _BRANCH_POINTS:
        with watch(slope) as calls:
            got = number(call(slope, r, name="huber_slope"), name="slope")
        want = _huber_slope(r)
        said = f"huber_slope({r:g}) gave {got:.6g}"
        if exact(got, want):
            if not _AD_CALLS.intersection(calls):
                raise NotYet(
                    "Right numbers, wrong method: the slope must come from AD, an adlearn "
                    "function applied to your huber, not from a formula by hand.",
                    said,
                )
            continue
        if close(got, want, tol=1e-5):
            raise NotYet(
                "Right numbers to 5 digits, wrong method: a finite difference is not exact. "
                "Let AD differentiate your huber.",
                said,
            )
        raise NotYet(
            (
                (
                    "AD differentiates the branch the program takes at r. Which adlearn function "
                    "gives the derivative of a function of one number?"
                ),
            ),
            said,
        )
    return (
        "AD differentiates the program that ran: at each r, the branch taken. At r = ±1 "
        "both branches have slope ±1, so the derivative is continuous there."
    )
