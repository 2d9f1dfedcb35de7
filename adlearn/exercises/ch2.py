"""Checkers for chapter 2, forward mode: dual numbers, seeds, sweeps, directions.

The dual numbers built in the chapter are ``Dual(value, tangent)`` objects with
attributes ``value`` and ``tangent``; the checkers take that class as an argument.

Examples
--------
>>> from adlearn.exercises import ch2
>>> ch2.sweeps_needed(1000)
Exercise 2.4: Correct! One forward sweep per input: 1000 sweeps, one column of the gradient each.
"""

from __future__ import annotations

import math

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

__all__ = ["directional", "dual_cos", "dual_mul", "seed_x2", "sweeps_needed"]


def _dual_parts(d, what: str):
    """(value, tangent) of a learner's dual number, or Not yet."""
    try:
        return float(d.value), float(d.tangent)
    except AttributeError:
        raise NotYet(
            f"{what} returned {show(d)}: return a Dual, Dual(value, tangent), not a plain number."
        ) from None
    except (TypeError, ValueError):
        raise NotYet(
            f"{what} returned a Dual whose value or tangent is not a number: {show(d)}."
        ) from None


@checker("2.1", "the product rule")
def dual_mul(Dual):
    """``Dual.__mul__``: the product of two dual numbers, by the product rule."""
    attempted(Dual, "Dual")
    mul = getattr(Dual, "__mul__", None)
    (av, at), (bv, bt) = (3.0, 1.0), (2.0, 0.25)
    product = call(mul, Dual(av, at), Dual(bv, bt), name="dual_mul")
    value, tangent = _dual_parts(product, "dual_mul(Dual(3, 1), Dual(2, 0.25))")
    if not close(value, av * bv):
        raise NotYet(f"The value of Dual(3, 1) * Dual(2, 0.25) is 3 * 2 = 6, not {value:.4g}.")
    if close(tangent, at * bv + av * bt):
        return "(a * b)' = a' * b + a * b': the tangent of Dual(3, 1) * Dual(2, 0.25) is 2.75."
    rule = "a.tangent * b.value + a.value * b.tangent"
    diagnose(
        tangent,
        [
            (at * bt, f"You multiplied the tangents. The product rule: {rule}."),
            (at * bv, "You have a.tangent * b.value; add the other term, a.value * b.tangent."),
            (av * bt, "You have a.value * b.tangent; add the other term, a.tangent * b.value."),
            (at + bt, "You added the tangents (the sum rule). A product needs the product rule."),
        ],
        default=f"The tangent of a * b is {rule}.",
        name="tangent",
    )


@checker("2.2", "a cos rule")
def dual_cos(cos, Dual):
    """``cos(d)`` for a dual number: value cos(v), tangent -sin(v) * tangent."""
    attempted(cos, "cos")
    attempted(Dual, "Dual")
    v, t = 0.7, 2.0
    value, tangent = _dual_parts(call(cos, Dual(v, t), name="dual_cos"), "dual_cos(Dual(0.7, 2))")
    if not close(value, math.cos(v)):
        raise NotYet(
            f"The value of dual_cos(Dual(0.7, 2)) is cos(0.7) = {math.cos(v):.4f}, not {value:.4g}."
        )
    if close(tangent, -math.sin(v) * t):
        return "cos(u)' = -sin(u) * u': the chain rule multiplies by the incoming tangent."
    diagnose(
        tangent,
        [
            (math.sin(v) * t, "Check the sign: the derivative of cos is -sin."),
            (-math.sin(v), "Multiply by d.tangent (the chain rule): -sin(d.value) * d.tangent."),
            (math.sin(v), "The derivative of cos is -sin, times d.tangent (the chain rule)."),
            (-math.cos(v) * t, "The derivative of cos is -sin, not -cos."),
        ],
        default="The tangent of cos(d) is -sin(d.value) * d.tangent.",
        name="tangent",
    )


@checker("2.3", "a tangent with x2 seeded")
def seed_x2(answer):
    """The tangent of w3 = w1 * w2 at (2, 3) with the seed (x1_dot, x2_dot) = (0, 1)."""
    x = number(answer)
    if close(x, 2.0):
        return "w3_dot = w1_dot * w2 + w1 * w2_dot = 0 * 3 + 2 * 1 = 2 = df/dx2 so far."
    diagnose(
        x,
        [
            (3.0, "3 is w3's tangent when x1 is seeded. Here w1_dot = 0 and w2_dot = 1."),
            (0.0, "w1_dot = 0, but w2_dot = 1 reaches w3 through the term w1 * w2_dot."),
            (1.0, "The tangent of w2 is 1; w3 multiplies it by its local partial dw3/dw2 = w1."),
        ],
        default="Use w3_dot = w1_dot * w2 + w1 * w2_dot with w1 = 2, w2 = 3, w1_dot = 0, w2_dot = 1.",
    )


ONE_SWEEP_HINT = (
    "One forward sweep gives one directional derivative, not the whole gradient. "
    "(One sweep for the gradient is reverse mode: chapter 3.)"
)


@checker("2.4", "sweeps for a gradient")
def sweeps_needed(answer):
    """Forward sweeps needed for the whole gradient of a function of 1000 inputs."""
    x = number(answer)
    if close(x, 1000.0):
        return "One forward sweep per input: 1000 sweeps, one column of the gradient each."
    diagnose(
        x,
        [
            (1.0, ONE_SWEEP_HINT),
            (2.0, "The running example has 2 inputs; this function has 1000."),
            (500.0, "Each sweep seeds one input with 1 and the others with 0."),
        ],
        default="Each forward sweep gives df/dx_k for one input k.",
    )


@checker("2.5", "a directional derivative")
def directional(answer):
    """The derivative of f at (2, 3) in the direction u = (0.6, 0.8)."""
    x = number(answer)
    g1, g2 = 3.0 + math.cos(2.0), 2.0
    if close(x, 0.6 * g1 + 0.8 * g2):
        return "One sweep seeded with u gives grad f . u = 0.6 * 2.584 + 0.8 * 2 = 3.150."
    diagnose(
        x,
        [
            (g1, "That is df/dx1 (the seed (1, 0)). Seed the direction itself: (0.6, 0.8)."),
            (g2, "That is df/dx2 (the seed (0, 1)). Seed the direction itself: (0.6, 0.8)."),
            (g1 + g2, "That is the seed (1, 1). Use the unit direction (0.6, 0.8)."),
            (0.6 * g2 + 0.8 * g1, "The components are swapped: 0.6 goes with x1, 0.8 with x2."),
            (
                6.0 + math.sin(2.0),
                "That is f's value, the first thing jvp returns; take the second.",
            ),
        ],
        default="ad.jvp(f, (2.0, 3.0), (0.6, 0.8)) returns (value, tangent): take the tangent.",
    )
