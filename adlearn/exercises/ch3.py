"""Checkers for chapter 3, reverse mode: adjoints, the fan-in, a tape and its backward loop.

The tape built in the chapter is a list of entries in evaluation order; entry
``i`` has a field ``parents``: pairs ``(j, dw_i/dw_j)``, one per operand (an
input has none). The checkers build tapes of that form to try a learner's code.

Examples
--------
>>> from adlearn.exercises import ch3
>>> ch3.sweeps_reverse(1)
Exercise 3.5: Correct! One backward sweep, seeded with f_bar = 1, gives all 1000 adjoints df/dx_k at once.
"""

from __future__ import annotations

import math
from collections import namedtuple

from adlearn.exercises.learner import call, items
from adlearn.exercises.verdict import NotYet, checker, close, diagnose, number, show

__all__ = ["adjoint_x1", "backward", "mul_backward", "square_square", "sweeps_reverse"]

#: A tape entry as the chapter writes it: the operation, its value, and its
#: operands with their local partials ``((j, dw_i/dw_j), ...)``.
Entry = namedtuple("Entry", "op value parents")


def _double_double_tape(a=1.5):
    """b = a + a; c = b + b: every unit is read twice by the next one."""
    return [
        Entry("input", a, ()),
        Entry("add", 2 * a, ((0, 1.0), (0, 1.0))),
        Entry("add", 4 * a, ((1, 1.0), (1, 1.0))),
    ]


def _running_example_tape(x1=2.0, x2=3.0):
    """f(x1, x2) = x1 * x2 + sin(x1), as w1 .. w5 (indices 0 .. 4)."""
    return [
        Entry("input", x1, ()),
        Entry("input", x2, ()),
        Entry("mul", x1 * x2, ((0, x2), (1, x1))),
        Entry("sin", math.sin(x1), ((0, math.cos(x1)),)),
        Entry("add", x1 * x2 + math.sin(x1), ((2, 1.0), (3, 1.0))),
    ]


def _adjoints(out, n, what):
    """A learner's list of adjoints as floats, or Not yet."""
    try:
        got = items(out, n, what)
    except NotYet as e:
        raise NotYet(
            f"{e.hint} A tape of {n} entries has {n} adjoints, one per entry: w_bar[0] to w_bar[len(tape) - 1]."
        ) from None
    return [number(v, name="adjoint") for v in got]


@checker("3.1", "the backward loop of a tape")
def backward(fn):
    """``fn(tape, out)``: the adjoint of every entry, walking the tape backwards once."""
    tape = _double_double_tape()
    got = _adjoints(call(fn, tape, 2, name="backward"), 3, "backward(tape, 2)")
    if not close(got, [4.0, 2.0, 1.0]):
        mistakes = [
            ([0.0, 0.0, 0.0], "Every adjoint is 0: seed the output first, w_bar[out] = 1.0."),
            (
                [0.0, 2.0, 1.0],
                (
                    "Entry 0 got nothing: when you reached entry 1 its adjoint was still 0. Walk "
                    "the tape from the end, for i in reversed(range(len(tape))), so that an "
                    "entry's adjoint is complete before you send it on."
                ),
            ),
            (
                [1.0, 1.0, 1.0],
                (
                    "Add the contributions, w_bar[j] += ..., instead of replacing them: "
                    "b = a + a reads a twice, so a receives two contributions."
                ),
            ),
            (
                [2.0, 2.0, 1.0],
                (
                    "Multiply each local partial by the adjoint you send down: "
                    "w_bar[j] += w_bar[i] * partial."
                ),
            ),
        ]
        for wrong, hint in mistakes:
            if close(got, wrong):
                raise NotYet(hint, f"on the tape of b = a + a; c = b + b you gave {show(got)}")
        raise NotYet(
            "Start from w_bar = [0.0] * len(tape) and w_bar[out] = 1.0; then for i in "
            "reversed(range(len(tape))), for each (j, partial) in tape[i].parents, add "
            "w_bar[i] * partial to w_bar[j].",
            f"on the tape of b = a + a; c = b + b you gave {show(got)}, not [4, 2, 1]",
        )
    tape = _running_example_tape()
    got = _adjoints(call(fn, tape, 4, name="backward"), 5, "backward(tape, 4)")
    want = [3.0 + math.cos(2.0), 2.0, 1.0, 1.0, 1.0]
    if not close(got, want):
        raise NotYet(
            "Right on b = a + a; c = b + b, but not on the tape of f at (2, 3), where the "
            "adjoints are [2.584, 2, 1, 1, 1]. Use the partials stored in each entry.",
            f"you gave {show([round(v, 4) for v in got])}",
        )
    return (
        "One walk from the end: each entry's adjoint is complete (every reader comes "
        "later on the tape) before it is sent down, and += adds up the fan-in."
    )


@checker("3.2", "the adjoint of x1 at (0, 5)")
def adjoint_x1(answer):
    """w_bar_1 = df/dx1 of f(x1, x2) = x1 * x2 + sin(x1) at (0, 5), by the backward sweep."""
    x = number(answer)
    if close(x, 6.0):
        return "w̄1 = w̄3 · w2 + w̄4 · cos(w1) = 1 · 5 + 1 · cos 0 = 6: two contributions add up."
    diagnose(
        x,
        [
            (
                5.0,
                (
                    "That is one contribution, w̄3 · w2. x1 also feeds w4 = sin(w1): add "
                    "w̄4 · cos(w1)."
                ),
            ),
            (
                1.0,
                (
                    "That is one contribution, w̄4 · cos(w1). x1 also feeds w3 = w1 · w2: add "
                    "w̄3 · w2."
                ),
            ),
            (
                0.0,
                (
                    "0 is w̄2 = w̄3 · w1 = 0, the adjoint of x2. The question asks for x1's: "
                    "w̄3 · w2 + w̄4 · cos(w1)."
                ),
            ),
            (4.0, "The local partial of sin(w1) is +cos(w1), and cos 0 = 1."),
        ],
        default="Seed w̄5 = 1, then w̄3 = w̄4 = 1, then w̄1 = w̄3 · w2 + w̄4 · cos(w1) at (0, 5).",
    )


@checker("3.3", "one backward step through a product")
def mul_backward(fn):
    """``fn(a, b, w_bar)``: the contributions (a_bar, b_bar) that w = a * b sends down."""
    for a, b, w_bar in [(3.0, -2.0, 0.5), (1.5, 4.0, 2.0)]:
        out = call(fn, a, b, w_bar, name="mul_backward")
        try:
            a_bar, b_bar = (float(v) for v in out)
        except (TypeError, ValueError):
            raise NotYet(
                f"mul_backward({a}, {b}, {w_bar}) returned {show(out)}: return the pair "
                "(a_bar, b_bar), two numbers."
            ) from None
        if close([a_bar, b_bar], [w_bar * b, w_bar * a]):
            continue
        said = f"mul_backward({a}, {b}, {w_bar}) gave ({a_bar:.4g}, {b_bar:.4g})"
        if close([a_bar, b_bar], [w_bar * a, w_bar * b]):
            raise NotYet(
                "The partials are swapped: dw/da = b and dw/db = a, so a_bar = w_bar * b.", said
            )
        if close([a_bar, b_bar], [b, a]):
            raise NotYet(
                "Those are the local partials alone. The chain rule multiplies them by the "
                "adjoint coming down: w_bar * b and w_bar * a.",
                said,
            )
        if close([a_bar, b_bar], [w_bar, w_bar]):
            raise NotYet(
                "That is the step of a sum (both partials 1). A product's partials are "
                "dw/da = b and dw/db = a.",
                said,
            )
        raise NotYet("a_bar = w_bar * dw/da = w_bar * b, and b_bar = w_bar * a.", said)
    return "A product sends w_bar * b to a and w_bar * a to b: each operand gets the other one."


@checker("3.4", "the adjoint of a in b = a * a; c = b * b")
def square_square(answer):
    """dc/da by the backward sweep for b = a * a, c = b * b at a = 1.5 (c = a**4)."""
    x = number(answer)
    a = 1.5
    b = a * a
    if close(x, 4 * a**3):
        return (
            "c̄ = 1; b̄ = c̄ · b + c̄ · b = 4.5; ā = b̄ · a + b̄ · a = 13.5 = 4a³: "
            "each product reads its operand twice."
        )
    diagnose(
        x,
        [
            (
                2 * a**3,
                (
                    "One level lost a contribution: b = a · a reads a twice (and c = b · b "
                    "reads b twice), so each adjoint adds two terms."
                ),
            ),
            (a**3, "Each product reads its operand twice: b̄ = 2 · c̄ · b and ā = 2 · b̄ · a."),
            (2 * b, "4.5 is b̄, the adjoint of b. Send it one level down: ā = b̄ · a + b̄ · a."),
            (a**4, "5.0625 is c itself (a⁴). The question asks for dc/da."),
            (
                0.0,
                "0 comes from sending ā before b̄ was known: walk from c down to a.",
            ),
        ],
        default="Seed c̄ = 1; then b̄ = c̄ · b + c̄ · b; then ā = b̄ · a + b̄ · a, at a = 1.5.",
    )


@checker("3.5", "backward sweeps for a gradient")
def sweeps_reverse(answer):
    """Backward sweeps for the whole gradient of a function of 1000 inputs and one output."""
    x = number(answer)
    if close(x, 1.0):
        return "One backward sweep, seeded with f_bar = 1, gives all 1000 adjoints df/dx_k at once."
    diagnose(
        x,
        [
            (
                1000.0,
                (
                    "1000 is forward mode, one sweep per input. Reverse mode seeds the output, "
                    "and there is only one."
                ),
            ),
            (2.0, "One forward and one backward? Count only the backward sweeps."),
            (0.0, "The adjoints do not come for free: the backward sweep computes them."),
        ],
        default="A backward sweep starts from one output's adjoint and reaches every input.",
    )
