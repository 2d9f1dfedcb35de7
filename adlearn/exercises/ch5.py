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

__all__ = ["gd_step", "hessian_of_g", "learning_rate_limit", "nested", "newton_step"]


def _matrix(answer, shape, name="answer"):
    """A learner's answer as a float array of ``shape``, or Not yet."""
    answer = attempted(answer, name)
    said = f"your {name}: {show(answer)}"
    if isinstance(answer, (str, bool)):
        raise NotYet(
            f"Give a {shape[0]}-by-{shape[1]} array of numbers, such as [[1, 2], [3, 4]].", said
        )
    try:
        H = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise NotYet(
            f"Give a {shape[0]}-by-{shape[1]} array of numbers, such as [[1, 2], [3, 4]].", said
        ) from None
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
    if close(H, [[0.0, 2.0], [2.0, 1.0]]):
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
    try:
        p = np.asarray(out, dtype=float)
    except (TypeError, ValueError):
        raise NotYet(
            f"{what} returned {show(out)}: return the new point, an array of {n} numbers."
        ) from None
    if p.shape != (n,):
        raise NotYet(
            f"{what} returned shape {p.shape}: return the new point, an array of "
            f"{n} numbers, like x."
        )
    return p


@checker("5.1", "a Newton step")
def newton_step(fn):
    """``fn(f, x)``: x - H^{-1} grad f(x), with H the Hessian of f at x."""
    for f, parts, x, name in [
        (_quadratic, _quadratic_parts, np.array([2.0, -1.0]), "a quadratic at (2, -1)"),
        (_bowl, _bowl_parts, np.array([0.5, 1.0]), "exp(x1) + x1 x2 + x2² at (0.5, 1)"),
    ]:
        g, H = parts(x)
        d = np.linalg.solve(H, g)
        p = _point(call(fn, f, x.copy(), name="newton_step"), "newton_step", 2)
        said = f"for {name} you gave {show(np.round(p, 4).tolist())}"
        if close(p, x - d, tol=1e-6):
            continue
        for wrong, hint in [
            (x + d, "Wrong direction: the Newton step goes to x - H⁻¹ ∇f(x), with a minus."),
            (d, "That is the step H⁻¹ ∇f(x); return the new point x - H⁻¹ ∇f(x)."),
            (-d, "That is the step; return the new point, x plus it."),
            (
                x - g,
                (
                    "That is a gradient step. Newton's step divides by the curvature: "
                    "solve H d = ∇f (np.linalg.solve(H, g)), then x - d."
                ),
            ),
            (
                x - H @ g,
                ("You multiplied by H. Newton's step multiplies by H⁻¹: np.linalg.solve(H, g)."),
            ),
        ]:
            if close(p, wrong, tol=1e-6):
                raise NotYet(hint, said)
        raise NotYet(
            "g = ad.grad(f)(x), H = ad.hessian(f)(x), then return x - np.linalg.solve(H, g).",
            said,
        )
    return (
        "On a quadratic one Newton step lands on the stationary point exactly; elsewhere it "
        "jumps to the stationary point of the local quadratic model."
    )


@checker("5.4", "a nested derivative")
def nested(answer):
    """d/dx [x · d/dy (x · y)] at x = 2, y = 1: the true value, not the confused one."""
    x = number(answer)
    if close(x, 4.0):
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
    for loss, grad_of, p, lr, name in [
        (_shifted_squares, _shifted_grad, np.array([0.5, 0.5, 0.5]), 0.1, "a sum of squares"),
        (_sin_loss, _sin_grad, np.array([0.3, 1.5, -1.0]), 0.05, "sin(p1) p2² + p3"),
    ]:
        g = grad_of(p)
        got = _point(call(fn, loss, p.copy(), lr, name="gd_step"), "gd_step", 3)
        said = f"for {name} with lr = {lr} you gave {show(np.round(got, 4).tolist())}"
        if close(got, p - lr * g, tol=1e-6):
            continue
        for wrong, hint in [
            (
                p + lr * g,
                ("That goes uphill: the gradient points up, so step against it, p - lr * g."),
            ),
            (p - g, "Scale the gradient by the learning rate: p - lr * g."),
            (-lr * g, "That is the step; return the new parameters p - lr * g."),
            (g, "That is the gradient; return the new parameters p - lr * g."),
        ]:
            if close(got, wrong, tol=1e-6):
                raise NotYet(hint, said)
        raise NotYet("g = ad.grad(loss)(p), then return p - lr * g.", said)
    return "p - lr · ∇L(p): a small step downhill, against the gradient."


@checker("5.5", "the largest learning rate")
def learning_rate_limit(answer):
    """The learning rate above which gradient descent on 2 p1² + 0.5 p2² diverges."""
    x = number(answer)
    if close(x, 0.5):
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
        default="The Hessian is diag(4, 1). Along p1 a step multiplies the error by 1 - 4·lr.",
    )
