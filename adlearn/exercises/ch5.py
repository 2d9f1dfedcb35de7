"""Checkers for chapter 5, beyond: Hessians, Newton steps, nested derivatives, descent.

The functions handed to a learner's code take one numpy array ``x`` (or ``p``)
and return a number, so that ``ad.grad`` and ``ad.hessian`` apply to them.

Examples
--------
>>> from adlearn.exercises import ch5
>>> ch5.nested(4)
Exercise 5.4: Correct! d/dy (x·y) = x, so the function is x·x = x², and its derivative at 2 is 4.
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
    diagnose,
    exact,
    number,
    show,
)

__all__ = [
    "gd_step",
    "hessian_of_g",
    "learning_rate_limit",
    "nested",
    "newton_root_step",
    "newton_step",
    "our_gd_step",
    "our_newton_step",
]


def our_newton_step(f, x):
    """The model answer of exercise 5.1, for the rest of chapter 5 to run on.

    Examples
    --------
    >>> our_newton_step(_quadratic, np.array([2.0, -1.0])).round(6).tolist()
    [0.2, 0.4]
    """
    import adlearn as ad

    return x - np.linalg.solve(ad.hessian(f)(x), ad.grad(f)(x))


def our_gd_step(loss, p, lr):
    """The model answer of exercise 5.2, for the rest of chapter 5 to run on.

    Examples
    --------
    >>> our_gd_step(_shifted_squares, np.array([0.5, 0.5, 0.5]), 0.1).tolist()
    [0.6, 0.0, 0.5]
    """
    import adlearn as ad

    return p - lr * ad.grad(loss)(p)


def _matrix(answer, shape, name="answer"):
    """A learner's answer as a float array of ``shape``, or Not yet."""
    answer = attempted(answer, name)
    said = f"your {name}: {show(answer)}"
    example = f"Give a {shape[0]}-by-{shape[1]} array of numbers, such as [[1, 2], [3, 4]]."
    if isinstance(answer, (str, bool)):
        raise NotYet(example, said)
    try:
        raw = np.asarray(answer)
    except (TypeError, ValueError):
        raise NotYet(example, said) from None
    if np.iscomplexobj(raw):
        raise NotYet("The entries of a Hessian are real numbers; yours are complex.", said)
    if raw.dtype.kind not in "iuf":
        raise NotYet(example, said)
    H = raw.astype(float)
    if H.shape != shape:
        raise NotYet(
            f"The Hessian of a function of 2 inputs is 2 by 2; yours has shape {H.shape}.", said
        )
    if not np.all(np.isfinite(H)):
        raise NotYet("Some entries are not finite numbers.", said)
    return H, said


@checker("5.3", "the Hessian of g")
def hessian_of_g(answer):
    """The Hessian of g(x1, x2) = x1² x2 + exp(x2) at (1, 0), by hand."""
    H, said = _matrix(answer, (2, 2))
    # gradient (2 x1 x2, x1² + exp(x2)); Hessian [[2 x2, 2 x1], [2 x1, exp(x2)]]
    if exact(H, [[0.0, 2.0], [2.0, 1.0]]):
        return "[[2 x2, 2 x1], [2 x1, exp(x2)]] at (1, 0) is [[0, 2], [2, 1]]."
    for wrong, hint in [
        ([[2.0, 2.0], [2.0, 1.0]], "d²g/dx1² = d(2 x1 x2)/dx1 = 2 x2, which is 0 at x2 = 0."),
        ([[0.0, 1.0], [1.0, 1.0]], "The mixed partial d(x1² + exp(x2))/dx1 = 2 x1: 2 at x1 = 1."),
        ([[0.0, 2.0], [2.0, 0.0]], "d²(exp x2)/dx2² = exp(x2), which is 1 at x2 = 0."),
        ([[0.0, 2.0], [0.0, 1.0]], "The Hessian is symmetric: d²g/dx2 dx1 = d²g/dx1 dx2 = 2 x1."),
        ([[0.0, 0.0], [2.0, 1.0]], "The Hessian is symmetric: d²g/dx1 dx2 = d²g/dx2 dx1 = 2 x1."),
        (
            [[0.0, 1.0], [0.0, 1.0]],
            (
                "That looks like the gradient (0, 1) at (1, 0); the Hessian "
                "differentiates each entry of the gradient once more."
            ),
        ),
    ]:
        if close(H, wrong):
            raise NotYet(hint, said)
    raise NotYet(
        "First the gradient, (2 x1 x2, x1² + exp(x2)); then differentiate each entry by x1 and "
        "by x2, and put in (1, 0).",
        said,
    )


def _quadratic(x):
    """1.5 x1² + x1 x2 + x2² - x1 - x2: Hessian [[3, 1], [1, 2]], minimum where H x = (1, 1)."""
    return 1.5 * x[0] ** 2 + x[0] * x[1] + x[1] ** 2 - x[0] - x[1]


def _quadratic_parts(x):
    H = np.array([[3.0, 1.0], [1.0, 2.0]])
    return H @ x - 1.0, H


def _bowl(x):
    """exp(x1) + x1 x2 + x2²: not quadratic."""
    return np.exp(x[0]) + x[0] * x[1] + x[1] ** 2


def _bowl_parts(x):
    g = np.array([math.exp(x[0]) + x[1], x[0] + 2 * x[1]])
    H = np.array([[math.exp(x[0]), 1.0], [1.0, 2.0]])
    return g, H


def _point(out, what, n):
    """The learner's new point as a float array of ``n`` numbers, or Not yet."""
    said = f"{what} returned {show(out)}: return the new point, an array of {n} numbers, like x."
    if hasattr(out, "__len__") and not isinstance(out, np.ndarray) and len(out) != n:
        raise NotYet(said)
    raw = np.asarray(out)
    if np.iscomplexobj(raw):
        raise NotYet(f"{what} returned complex numbers: the new point is real.")
    if raw.dtype.kind not in "iuf" or raw.shape != (n,):
        raise NotYet(said)
    return raw.astype(float)


@checker("5.1", "a Newton step")
def newton_step(fn):
    """``fn(f, x)``: x - H^{-1} grad f(x), with H the Hessian of f at x."""
    cases = [
        (_quadratic, _quadratic_parts, "a quadratic"),
        (_bowl, _bowl_parts, "exp(x1) + x1 x2 + x2²"),
    ]
    for f, parts, f_name in cases:
        for point in test_points([(2.0, -1.0), (0.5, 1.0)], 2, seed=51):
            x = np.array(point)
            g, H = parts(x)
            d = np.linalg.solve(H, g)
            with watch(fn) as calls:
                p = _point(call(fn, f, x.copy(), name="newton_step"), "newton_step", 2)
            said = f"for {f_name} at {point} you gave {show(np.round(p, 4).tolist())}"
            if exact(p, x - d, tol=1e-10):
                continue
            if close(p, x - d, tol=1e-5):
                raise NotYet(
                    "Right numbers to 5 digits, wrong method: with AD the gradient and the "
                    "Hessian are exact, and so is the step (to 1e-10). Finite differences are not."
                    + (f" (You called ad.{', ad.'.join(calls)}.)" if calls else ""),
                    said,
                )
            diagnose(
                p,
                [
                    (x + d, "Wrong direction: the Newton step moves by minus H⁻¹ ∇f(x)."),
                    (d, "That is the step H⁻¹ ∇f(x); return the new point, x moved by it."),
                    (-d, "That is the step; return the new point, x plus it."),
                    (
                        x - g,
                        (
                            (
                                "That is a gradient step. Newton's step divides by the curvature: "
                                "it moves by H⁻¹ ∇f, not by ∇f."
                            ),
                            (
                                "Solve the linear system H d = ∇f for d (numpy solves linear "
                                "systems without inverting H), then move by -d."
                            ),
                        ),
                    ),
                    (x - H @ g, "You multiplied by H. Newton's step multiplies by H⁻¹."),
                ],
                default=(
                    (
                        "Newton's step: the gradient g and the Hessian H of f at x, both by AD; then "
                        "the new point x - H⁻¹ g."
                    ),
                ),
                name="new point",
                tol=1e-6,
                said=said,
            )
    return (
        "On a quadratic one Newton step lands on the stationary point exactly; elsewhere it "
        "jumps to the stationary point of the local quadratic model."
    )


@checker("5.4", "a nested derivative")
def nested(answer):
    """d/dx [x · d/dy (x · y)] at x = 2, y = 1: the true value, not the confused one."""
    x = number(answer)
    if exact(x, 4.0):
        return "d/dy (x·y) = x, so the function is x·x = x², and its derivative at 2 is 4."
    diagnose(
        x,
        [
            (
                3.0,
                (
                    "3 is the confused answer: the inner sweep took x's outer perturbation for "
                    "its own. Work it out by hand: d/dy (x·y) = x."
                ),
            ),
            (
                2.0,
                (
                    "The inner derivative d/dy (x·y) = x depends on x, so it changes as x moves: "
                    "the outer function is x·x."
                ),
            ),
            (
                1.0,
                "1 is the example of the text, x · d/dy (x + y). Here the inner sum is a product.",
            ),
        ],
        default="First the inner derivative, d/dy (x·y) = x; then d/dx of x · x at x = 2.",
    )


def _shifted_squares(p):
    """sum((p - c)²) with c = (1, -2, 0.5): gradient 2 (p - c)."""
    return (p[0] - 1.0) ** 2 + (p[1] + 2.0) ** 2 + (p[2] - 0.5) ** 2


def _shifted_grad(p):
    return 2 * (p - np.array([1.0, -2.0, 0.5]))


def _sin_loss(p):
    """sin(p1) p2² + p3: gradient (cos(p1) p2², 2 sin(p1) p2, 1)."""
    return np.sin(p[0]) * p[1] ** 2 + p[2]


def _sin_grad(p):
    return np.array([math.cos(p[0]) * p[1] ** 2, 2 * math.sin(p[0]) * p[1], 1.0])


@checker("5.2", "a gradient-descent step")
def gd_step(fn):
    """``fn(loss, p, lr)``: p - lr * grad loss(p)."""
    cases = [
        (_shifted_squares, _shifted_grad, "a sum of squares"),
        (_sin_loss, _sin_grad, "sin(p1) p2² + p3"),
    ]
    for loss, grad_of, name in cases:
        for point in test_points([(0.5, 0.5, 0.5), (0.3, 1.5, -1.0)], 2, seed=52):
            p, lr = np.array(point), 0.1
            g = grad_of(p)
            got = _point(call(fn, loss, p.copy(), lr, name="gd_step"), "gd_step", 3)
            said = (
                f"for {name} at {point} with lr = {lr} you gave {show(np.round(got, 4).tolist())}"
            )
            if exact(got, p - lr * g):
                continue
            if close(got, p - lr * g, tol=1e-6):
                raise NotYet(
                    "Right numbers to 6 digits, wrong method: a gradient by AD is exact, and so "
                    "is the step. Finite differences are not.",
                    said,
                )
            diagnose(
                got,
                [
                    (
                        p + lr * g,
                        "That goes uphill: the gradient points up, so step against it.",
                    ),
                    (p - g, "Scale the gradient by the learning rate."),
                    (-lr * g, "That is the step; return the new parameters, p moved by it."),
                    (g, "That is the gradient; return the new parameters."),
                    (p, "The parameters did not move: did you return p itself?"),
                ],
                default=(
                    (
                        "The new parameters: p moved against the gradient of the loss at p (by AD), "
                        "scaled by the learning rate."
                    ),
                ),
                name="new parameters",
                tol=1e-6,
                said=said,
            )
    return "p - lr · ∇L(p): a small step downhill, against the gradient."


@checker("5.5", "the largest learning rate")
def learning_rate_limit(answer):
    """The learning rate above which gradient descent on 2 p1² + 0.5 p2² diverges."""
    x = number(answer)
    if exact(x, 0.5):
        return (
            "Along p1 a step multiplies the error by 1 - 4·lr (the curvature is 4): "
            "|1 - 4·lr| < 1 needs lr < 2/4 = 0.5."
        )
    diagnose(
        x,
        [
            (
                2.0,
                (
                    "2 = 2/1 is the limit along p2, where the curvature is 1. Along p1 the "
                    "curvature is 4, and that direction blows up first."
                ),
            ),
            (
                0.25,
                (
                    "At 0.25 = 1/4 the p1 error vanishes in one step: the fastest rate for p1, not "
                    "the limit. Where does |1 - 4·lr| reach 1?"
                ),
            ),
            (4.0, "4 is the curvature along p1 (the Hessian's largest eigenvalue), not a rate."),
            (1.0, "Along p1 one step multiplies the error by 1 - 4·lr. When is |1 - 4·lr| > 1?"),
        ],
        tol=1e-9,
        default="The Hessian is diag(4, 1). Along p1 a step multiplies the error by 1 - 4·lr.",
    )


_ROOT_CASES = [
    (lambda x: np.cos(x) - x, lambda x: -math.sin(x) - 1.0, "cos(x) - x"),
    (lambda x: x**3 - 2.0, lambda x: 3.0 * x**2, "x³ - 2"),
    (lambda x: np.exp(x) - 3.0, math.exp, "exp(x) - 3"),
]


@checker("5.6", "Newton's method for a root")
def newton_root_step(fn):
    """``fn(g, x)``: x - g(x) / g'(x), one Newton step towards a root of g, with g' by AD."""
    for g_plain, dg, g_name in _ROOT_CASES:
        for (x,) in test_points([(1.0,), (0.5,)], 2, seed=56, low=0.3, high=2.0):
            g = Probe(g_plain)
            gx, slope = float(g_plain(x)), dg(x)
            want = x - gx / slope
            with watch(fn) as calls:
                got = number(call(fn, g, x, name="newton_root_step"), name="new x")
            said = f"for g(x) = {g_name} at x = {x:g} you gave {got:.10g}"
            if exact(got, want):
                if not ({"forward", "reverse"} & set(g.kinds)):
                    raise NotYet(
                        "Right numbers, wrong method: g'(x) must come from AD, so your code "
                        "must hand g to an adlearn function.",
                        said,
                    )
                continue
            if close(got, want, tol=1e-5):
                raise NotYet(
                    "Right numbers to 5 digits, wrong method: g'(x) by AD is exact; a finite "
                    "difference is not."
                    + (f" (You called ad.{', ad.'.join(calls)}.)" if calls else ""),
                    said,
                )
            diagnose(
                got,
                [
                    (x + gx / slope, "Wrong direction: Newton's step subtracts g(x) / g'(x)."),
                    (gx / slope, "That is the step g(x) / g'(x); return the new x."),
                    (x - slope / gx, "The fraction is upside down: g(x) over g'(x)."),
                    (x - gx, "You left out g'(x): the step is g(x) divided by the slope there."),
                ],
                default=(
                    (
                        "The tangent line of g at x crosses zero at x - g(x) / g'(x); "
                        "take g'(x) from adlearn's forward or reverse mode."
                    ),
                ),
                name="new x",
                tol=1e-6,
                said=said,
            )
    return (
        "x - g(x) / g'(x): where the tangent line crosses zero, with the slope by AD. "
        "Repeated, it doubles the correct digits at every step near a simple root."
    )
