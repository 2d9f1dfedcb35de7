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

import numpy as np

from adlearn.exercises.learner import call, test_points
from adlearn.exercises.verdict import (
    NotYet,
    attempted,
    checker,
    count,
    diagnose,
    exact,
    number,
    show,
    to_places,
)

__all__ = ["directional", "dual_cos", "dual_mul", "our_product_rule", "seed_x2", "sweeps_needed"]


def our_product_rule(Dual):
    """The model answer of exercise 2.1, for the rest of chapter 2 to run on: ``Dual.__mul__``."""

    def product(a, b):
        return Dual(a.value * b.value, a.tangent * b.value + a.value * b.tangent)

    return product


def _part(d, field: str, what: str) -> float:
    value = getattr(d, field)
    if value is Ellipsis or value is None:
        raise NotYet(
            f"{what} returned a Dual whose {field} is {value!r}: that part is unfinished. "
            f"Write the {field} as a number computed from the operands."
        )
    return number(value, name=field)


def _dual_parts(d, what: str):
    """(value, tangent) of a learner's dual number, or Not yet."""
    if not (hasattr(d, "value") and hasattr(d, "tangent")):
        raise NotYet(
            f"{what} returned {show(d)}: return a Dual, Dual(value, tangent), not a plain number."
        )
    try:
        return _part(d, "value", what), _part(d, "tangent", what)
    except NotYet as e:
        raise NotYet(e.hint if e.said == "" else f"{what}: {e.hint}") from None


#: (a.value, a.tangent, b.value, b.tangent): a point where the sum rule and a sign error
#: coincide (2 - 0.75 = 1 + 0.25), then seeded random ones.
_MUL_POINTS = test_points([(3.0, 1.0, 2.0, 0.25)], 4, seed=21)


@checker("2.1", "the product rule")
def dual_mul(Dual):
    """``Dual.__mul__``: the product of two dual numbers, by the product rule."""
    attempted(Dual, "Dual")
    mul = getattr(Dual, "__mul__", None)
    if mul is None:
        raise NotYet("Dual has no __mul__ yet: run the cell that sets Dual.__mul__ = dual_mul.")
    values, tangents = [], []
    for av, at, bv, bt in _MUL_POINTS:
        what = f"Dual({av:g}, {at:g}) * Dual({bv:g}, {bt:g})"
        value, tangent = _dual_parts(call(mul, Dual(av, at), Dual(bv, bt), name="dual_mul"), what)
        if not exact(value, av * bv):
            raise NotYet(f"The value of {what} is {av:g} * {bv:g} = {av * bv:g}, not {value:.4g}.")
        values.append((av, at, bv, bt))
        tangents.append(tangent)
    a_v, a_t, b_v, b_t = np.array(values).T
    got = np.array(tangents)
    if exact(got, a_t * b_v + a_v * b_t):
        return "(a * b)' = a' * b + a * b': right at every point tried, random ones included."
    diagnose(
        got,
        [
            (
                a_t * b_t,
                (
                    "You multiplied the tangents: a product needs the product rule.",
                    (
                        "The product rule has two terms, each a tangent times the other "
                        "operand's value."
                    ),
                ),
            ),
            (
                a_t * b_v,
                (
                    "You have the term a.tangent * b.value; the product rule has a second "
                    "term, with the roles of a and b swapped."
                ),
            ),
            (
                a_v * b_t,
                (
                    "You have the term a.value * b.tangent; the product rule has a second "
                    "term, with the roles of a and b swapped."
                ),
            ),
            (a_t * b_v - a_v * b_t, "Check the sign: both terms of the product rule are added."),
            (a_v * b_t - a_t * b_v, "Check the sign: both terms of the product rule are added."),
            (a_t + b_t, "You added the tangents (the sum rule). A product needs the product rule."),
            (
                np.full_like(got, got[0]),
                (
                    (
                        "Your tangent is the same at every point tried: it "
                        "must be computed from the operands a and b."
                    ),
                ),
            ),
        ],
        default=(
            (
                "The tangent of a * b is (a * b)' = a' b + a b': write it with the operands' "
                "values and tangents."
            ),
        ),
        name="tangents at the points tried",
    )


_COS_POINTS = test_points([(0.7, 2.0)], 4, seed=22)


@checker("2.2", "a cos rule")
def dual_cos(cos, Dual):
    """``cos(d)`` for a dual number: value cos(v), tangent -sin(v) * tangent."""
    attempted(cos, "cos")
    attempted(Dual, "Dual")
    tangents = []
    for v, t in _COS_POINTS:
        what = f"dual_cos(Dual({v:g}, {t:g}))"
        value, tangent = _dual_parts(call(cos, Dual(v, t), name="dual_cos"), what)
        if not exact(value, math.cos(v)):
            raise NotYet(f"The value of {what} is cos({v:g}) = {math.cos(v):.4f}, not {value:.4g}.")
        tangents.append(tangent)
    v, t = np.array(_COS_POINTS).T
    got = np.array(tangents)
    if exact(got, -np.sin(v) * t):
        return "cos(u)' = -sin(u) * u': the chain rule multiplies by the incoming tangent."
    diagnose(
        got,
        [
            (np.sin(v) * t, "Check the sign: the derivative of cos is -sin."),
            (
                -np.sin(v),
                (
                    "The chain rule: the local partial times the incoming tangent.",
                    "Multiply the local partial -sin(d.value) by d's own tangent.",
                ),
            ),
            (
                np.sin(v),
                "The derivative of cos is -sin, times the incoming tangent (the chain rule).",
            ),
            (-np.cos(v) * t, "The derivative of cos is -sin, not -cos."),
            (
                np.full_like(got, got[0]),
                (
                    "Your tangent is the same at every point tried: compute "
                    "it from d.value and d.tangent."
                ),
            ),
        ],
        default=(
            (
                "The tangent of cos(d) is the local partial of cos at d.value times the "
                "incoming tangent."
            ),
        ),
        name="tangents at the points tried",
    )


@checker("2.3", "a tangent with x2 seeded")
def seed_x2(answer):
    """The tangent of w3 = w1 * w2 at (2, 3) with the seed (x1_dot, x2_dot) = (0, 1)."""
    x = number(answer)
    if exact(x, 2.0):
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
    x = count(answer)
    if x == 1000:
        return "One forward sweep per input: 1000 sweeps, one column of the gradient each."
    diagnose(
        x,
        [
            (1, ONE_SWEEP_HINT),
            (2, "The running example has 2 inputs; this function has 1000."),
            (500, "Each sweep seeds one input with 1 and the others with 0."),
            (999, "Count again: one sweep for each of the 1000 inputs, none left out."),
            (1001, "Count again: one sweep for each of the 1000 inputs, and no extra one."),
        ],
        default="Each forward sweep gives df/dx_k for one input k.",
    )


@checker("2.5", "a directional derivative")
def directional(answer):
    """The derivative of f at (2, 3) in the direction u = (0.6, 0.8), by one forward sweep."""
    x = number(answer)
    g1, g2 = 3.0 + math.cos(2.0), 2.0
    right = 0.6 * g1 + 0.8 * g2
    if to_places(x, right):
        return "One sweep seeded with u gives grad f . u = 0.6 * 2.584 + 0.8 * 2 = 3.150."
    # the same sweep with the primals and the tangents exchanged: the point (0.6, 0.8), seed (2, 3)
    exchanged = (0.8 + math.cos(0.6)) * 2.0 + 0.6 * 3.0
    diagnose(
        x,
        [
            (g1, "That is df/dx1 (the seed (1, 0)). Seed the direction itself."),
            (g2, "That is df/dx2 (the seed (0, 1)). Seed the direction itself."),
            (g1 + g2, "That is the seed (1, 1). Seed the unit direction u."),
            (
                -right,
                (
                    "Your sign is flipped: that is the slope in the direction -u.",
                    "Seed u = (0.6, 0.8) as it is, both components positive.",
                ),
            ),
            (
                10 * right,
                (
                    (
                        "That is 10 times the answer: a direction you seed must be a unit "
                        "vector, of length 1."
                    ),
                    "(6, 8) has length 10; u = (0.6, 0.8) has length 1.",
                ),
            ),
            (0.6 * g2 + 0.8 * g1, "The components are swapped: 0.6 goes with x1, 0.8 with x2."),
            (
                exchanged,
                (
                    (
                        "The point and the direction are exchanged: that is the slope at "
                        "(0.6, 0.8) along (2, 3)."
                    ),
                    (
                        "ad.jvp takes the point (the primals) first and the seed (the "
                        "tangents) second."
                    ),
                ),
            ),
            (
                6.0 + math.sin(2.0),
                (
                    "That is f's value at the point, not a derivative.",
                    (
                        "ad.jvp returns two things, the value and the tangent: "
                        "the derivative is the second."
                    ),
                ),
            ),
        ],
        default=(
            (
                "A forward sweep seeded with the direction gives the directional derivative: "
                "which function of chapter 2.3 runs one sweep from a seed you choose?"
            ),
            (
                "Check by hand: grad f(2, 3) = (3 + cos 2, 2); the directional derivative is "
                "its dot product with u."
            ),
        ),
    )
