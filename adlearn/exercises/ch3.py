"""Checkers for chapter 3, reverse mode: adjoints, the fan-in, a tape and its backward loop.

The tape built in the chapter is a list of entries in evaluation order; entry
``i`` has a field ``parents``: pairs ``(j, dw_i/dw_j)``, one per operand (an
input has none). The checkers build tapes of that form to try a learner's code.

Examples
--------
>>> from adlearn.exercises import ch3
>>> ch3.square_square(13.5)
Exercise 3.4: Correct! c̄ = 1; b̄ = c̄ · b + c̄ · b = 4.5; ā = b̄ · a + b̄ · a = 13.5 = 4a³: each product reads its operand twice.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np

from adlearn.exercises.learner import call, items, test_points
from adlearn.exercises.verdict import NotYet, checker, diagnose, exact, number, show

__all__ = [
    "adjoint_x1",
    "backward",
    "h_adjoints",
    "mul_backward",
    "our_backward",
    "square_square",
    "tape_exp",
]

#: A tape entry as the chapter writes it: the operation, its value, and its
#: operands with their local partials ``((j, dw_i/dw_j), ...)``.
Entry = namedtuple("Entry", "op value parents")


def our_backward(tape, out):
    """The model answer of exercise 3.1, for the rest of chapter 3 to run on.

    Examples
    --------
    >>> our_backward(_double_double_tape(), 2)
    [4.0, 2.0, 1.0]
    """
    w_bar = [0.0] * len(tape)
    w_bar[out] = 1.0
    for i in range(len(tape) - 1, -1, -1):
        for j, partial in tape[i].parents:
            w_bar[j] += w_bar[i] * partial
    return w_bar


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


def _random_tape(seed: int):
    """A tape of random length whose entries read one or two earlier entries, fan-in included.

    Its output is not always the last entry: the adjoints of later entries are 0.
    """
    rng = np.random.default_rng(seed)
    n_inputs = int(rng.integers(1, 4))
    tape = [Entry("input", round(float(rng.uniform(-2, 2)), 2), ()) for _ in range(n_inputs)]
    for i in range(n_inputs, n_inputs + int(rng.integers(3, 8))):
        reads = rng.integers(0, i, size=int(rng.integers(1, 3)))
        parents = tuple((int(j), round(float(rng.uniform(-2, 2)), 2)) for j in reads)
        tape.append(Entry("op", round(float(rng.uniform(-2, 2)), 2), parents))
    out = int(rng.integers(n_inputs, len(tape)))
    return tape, out


def _adjoints(out, n, what):
    """A learner's list of adjoints as floats, or Not yet."""
    try:
        got = items(out, n, what)
    except NotYet as e:
        raise NotYet(
            f"{e.hint} A tape of {n} entries has {n} adjoints, one per entry: "
            "w_bar[0] to w_bar[len(tape) - 1]."
        ) from None
    return [number(v, name="adjoint") for v in got]


def _mistaken_sweep(order, send):
    """A backward loop with one typical mistake: the walk's ``order``, or how a contribution is
    ``send``-t (from what the operand holds, the adjoint coming down and the local partial)."""

    def sweep(tape, out):
        w_bar = [0.0] * len(tape)
        w_bar[out] = 1.0
        for i in order(len(tape)):
            for j, partial in tape[i].parents:
                w_bar[j] = send(w_bar[j], w_bar[i], partial)
        return w_bar

    return sweep


def _down(n):
    return range(n - 1, -1, -1)


#: Sent on before complete: the walk in evaluation order, from the first entry up.
_sends_before_complete = _mistaken_sweep(range, lambda held, down, partial: held + down * partial)
#: ``=`` where ``+=`` belongs: each contribution replaces the one before.
_replaces = _mistaken_sweep(_down, lambda held, down, partial: down * partial)
#: The local partial sent down without the adjoint coming down.
_partial_only = _mistaken_sweep(_down, lambda held, down, partial: held + partial)
#: The adjoint sent down without its local partial.
_no_partial = _mistaken_sweep(_down, lambda held, down, partial: held + down)


_BACKWARD_MISTAKES = [
    (
        lambda tape, out: [0.0] * len(tape),
        ("Every adjoint is 0: the sweep needs its seed, the output's adjoint, before it starts.",),
    ),
    (
        _sends_before_complete,
        (
            (
                "Some entries got nothing, or too little: an entry sent its adjoint on before all "
                "its readers had sent theirs to it. In which order must the tape be walked?"
            ),
            (
                "Walk the tape from its last entry to its first: every reader of an entry comes "
                "after it on the tape, so its adjoint is complete when the walk reaches it."
            ),
        ),
    ),
    (
        _replaces,
        (
            "An entry read twice kept only one contribution: the contributions must add up.",
            "Each contribution is added to what the operand already holds, never stored over it.",
        ),
    ),
    (
        _partial_only,
        (
            (
                "Each contribution is the local partial times the adjoint coming down from the "
                "entry that reads the operand: the chain rule multiplies them."
            ),
        ),
    ),
    (
        _no_partial,
        (
            (
                "Each contribution is the adjoint coming down times the local partial stored in "
                "the entry's parents."
            ),
        ),
    ),
]


@checker("3.1", "the backward loop of a tape")
def backward(fn):
    """``fn(tape, out)``: the adjoint of every entry, walking the tape backwards once."""
    tapes = [
        (_double_double_tape(), 2, "the tape of b = a + a; c = b + b"),
        (_running_example_tape(), 4, "the tape of f at (2, 3)"),
    ]
    tapes += [(*_random_tape(seed), f"a random tape (seed {seed})") for seed in range(31, 35)]
    for tape, out, name in tapes:
        want = our_backward(tape, out)
        got = _adjoints(
            call(fn, list(tape), out, name="backward"), len(tape), f"backward(tape, {out})"
        )
        if exact(got, want):
            continue
        said = f"on {name}, output entry {out}, you gave {show([round(v, 4) for v in got])}"
        for mistake, hint in _BACKWARD_MISTAKES:
            if exact(got, mistake(tape, out)):
                raise NotYet(hint, said)
        raise NotYet(
            (
                (
                    f"Compare with the sweep by hand on {name}: the adjoints are "
                    f"{show([round(v, 4) for v in want])}."
                ),
                (
                    "Seed the output's adjoint with 1; then, from the last entry down, each entry "
                    "sends its adjoint times each stored local partial to that operand."
                ),
            ),
            said,
        )
    return (
        "One walk from the end: each entry's adjoint is complete (every reader comes "
        "later on the tape) before it is sent down, and the fan-in adds up. Right on every "
        "tape tried, random ones included."
    )


@checker("3.2", "the adjoint of x1 at (0, 5)")
def adjoint_x1(answer):
    """w_bar_1 = df/dx1 of f(x1, x2) = x1 * x2 + sin(x1) at (0, 5), by the backward sweep."""
    x = number(answer)
    if exact(x, 6.0):
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
    for a, b, w_bar in test_points([(3.0, -2.0, 0.5), (1.5, 4.0, 2.0)], 3, seed=33):
        out = call(fn, a, b, w_bar, name="mul_backward")
        what = f"mul_backward({a:g}, {b:g}, {w_bar:g})"
        try:
            pair = items(out, 2, what)
        except NotYet as e:
            raise NotYet(f"{e.hint} Return the pair (a_bar, b_bar).") from None
        a_bar, b_bar = (number(v, name="contribution") for v in pair)
        got = [a_bar, b_bar]
        if exact(got, [w_bar * b, w_bar * a]):
            continue
        said = f"{what} gave ({a_bar:.4g}, {b_bar:.4g})"
        diagnose(
            np.array(got),
            [
                (
                    [w_bar * a, w_bar * b],
                    "The partials are swapped: dw/da = b and dw/db = a.",
                ),
                (
                    [b, a],
                    (
                        "Those are the local partials alone. The chain rule multiplies them by the "
                        "adjoint coming down, w_bar."
                    ),
                ),
                (
                    [w_bar, w_bar],
                    (
                        "That is the step of a sum (both partials 1). A product's partials are "
                        "dw/da = b and dw/db = a."
                    ),
                ),
                (
                    [-w_bar * b, -w_bar * a],
                    "Check the signs: a product's partials are +b and +a.",
                ),
            ],
            default=(
                (
                    "Each operand receives the adjoint coming down times the product's local "
                    "partial with respect to that operand."
                ),
            ),
            name="contributions",
            said=said,
        )
    return (
        "A product sends w_bar * b to a and w_bar * a to b: each operand gets the other one. "
        "Right at every point tried, random ones included."
    )


@checker("3.4", "the adjoint of a in b = a * a; c = b * b")
def square_square(answer):
    """dc/da by the backward sweep for b = a * a, c = b * b at a = 1.5 (c = a**4)."""
    x = number(answer)
    a = 1.5
    b = a * a
    if exact(x, 4 * a**3):
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


def _tape_entry(tape, index, what):
    try:
        return tape[index]
    except (IndexError, TypeError):
        raise NotYet(
            f"{what}: the tape has {len(tape)} entries; var_exp must append one entry for the "
            "exp it computes (creating a Var does that)."
        ) from None


@checker("3.5", "a new operation on the tape: exp")
def tape_exp(Var):
    """``Var.exp``: records exp(a) on the tape with its local partial, so ``np.exp`` works on Vars.

    ``Var`` is the chapter's class: ``Var(tape, op, value, parents)`` appends an
    entry ``(op, value, parents)`` and keeps its position as ``.index``.
    """
    if Var is Ellipsis:
        return number(Var, name="Var")  # Not attempted
    method = getattr(Var, "exp", None)
    if method is None:
        raise NotYet("Var has no exp method yet: run the cell that sets Var.exp = var_exp.")
    for (x,) in test_points([(0.5,), (-1.25,)], 3, seed=35):
        tape = []
        a = Var(tape, "input", x)
        out = call(method, a, name="var_exp")
        what = f"var_exp of an input {x:g}"
        if not hasattr(out, "index") or not hasattr(out, "value"):
            raise NotYet(
                f"{what} returned {show(out)}: return the new Var, so that later operations can "
                "read it."
            )
        if len(tape) != 2:
            raise NotYet(
                f"{what} left {len(tape)} entries on the tape: it should add exactly one, "
                "for the exp."
            )
        entry = _tape_entry(tape, 1, what)
        value = number(getattr(entry, "value", None), name="value of the entry")
        if not exact(value, math.exp(x)):
            raise NotYet(
                f"The entry's value must be exp({x:g}) = {math.exp(x):.4f}, not {value:.4g}."
            )
        parents = getattr(entry, "parents", None)
        try:
            (j, partial), *rest = parents
            partial = number(partial, name="local partial")
        except (TypeError, ValueError):
            raise NotYet(
                f"The entry's parents are {show(parents)}: exp has one operand, so parents holds "
                "one pair (position of the operand, local partial), inside a tuple."
            ) from None
        if rest:
            raise NotYet("exp reads one operand: its entry has one (position, partial) pair.")
        if j != a.index:
            raise NotYet(
                f"The pair's first number is the position of the operand on the tape "
                f"({a.index} here), not {show(j)}."
            )
        said = f"at x = {x:g} your local partial is {partial:.4g}"
        if not exact(partial, math.exp(x)):
            diagnose(
                partial,
                [
                    (x, ("That is the operand's value. The local partial is d exp(a)/da.",)),
                    (1.0, ("The local partial of exp is not 1: what is d exp(a)/da?",)),
                    (math.exp(x) * x, "d exp(a)/da is exp(a) itself, with no extra factor a."),
                ],
                default=(
                    "The local partial of exp(a) with respect to a: exp is its own derivative.",
                ),
                name="local partial",
            )
        # The new operation composes with the others: d/dx exp(x * x) = 2x exp(x^2).
        tape = []
        a = Var(tape, "input", x)
        y = call(method, a * a, name="var_exp")
        w_bar = our_backward(tape, y.index)
        if not exact(w_bar[a.index], 2 * x * math.exp(x * x)):
            raise NotYet(
                f"On exp(x * x) at x = {x:g} the backward sweep gives {w_bar[a.index]:.4g}, not "
                f"2x exp(x²) = {2 * x * math.exp(x * x):.4g}: does the entry read the Var it "
                "was called on?",
                said,
            )
    return (
        "One value, one local partial, one entry: that is all a new operation needs. "
        "The backward loop did not change."
    )


def _h_units(x1, x2, x3):
    """The units w1 .. w7 of h(x1, x2, x3) = (x1 + x2) exp(x2 x3), in evaluation order."""
    w4, w5 = x1 + x2, x2 * x3
    w6 = math.exp(w5)
    return [x1, x2, x3, w4, w5, w6, w4 * w6]


def _h_sweep(x1, x2, x3, *, exp_partial=None, reaches_x2="both", other_factor=True, seed=1.0):
    """The adjoints of h's units by a backward sweep; the keywords make a typical mistake."""
    _, w2, w3, w4, w5, w6, _ = _h_units(x1, x2, x3)
    a, b = (w2, w3) if other_factor else (w3, w2)  # d(w2 w3)/dw2 and /dw3
    b7 = seed
    b6 = b7 * w4
    b4 = b7 * w6
    b5 = b6 * (w6 if exp_partial is None else exp_partial(w5))
    b3 = b5 * a
    b2 = (b5 * b if reaches_x2 != "sum" else 0.0) + (b4 if reaches_x2 != "product" else 0.0)
    b1 = b4
    return [b1, b2, b3, b4, b5, b6, b7]


@checker("3.6", "the adjoints of a new function")
def h_adjoints(fn):
    """``fn(x1, x2, x3)`` returns the adjoints of the seven units of
    h(x1, x2, x3) = (x1 + x2) exp(x2 x3), ``[w̄1, ..., w̄7]``, from one backward sweep."""
    points = test_points([(1.0, 0.5, -0.5), (-0.75, 1.5, 0.25)], 3, seed=36, low=-1.0, high=1.0)
    got = []
    for point in points:
        out = call(fn, *point, name="h_adjoints")
        try:
            values = items(out, 7, f"h_adjoints{point}")
        except NotYet as e:
            raise NotYet(
                f"{e.hint} h has 7 units: x1, x2, x3 and four operations (+, *, exp, *), "
                "one adjoint each."
            ) from None
        for k, w in enumerate(values):
            if w is Ellipsis or w is None:
                raise NotYet(f"w̄{k + 1} is still {w!r}: finish that adjoint, then run the cell again.")
        got.append([number(w, name=f"w̄{k + 1}") for k, w in enumerate(values)])
    got = np.array(got)
    want = np.array([_h_sweep(*p) for p in points])
    if exact(got, want):
        return (
            "The seed at the top, each unit's adjoint from the units that read it, and x2, read "
            "twice, adds both contributions: the chapter's sweep on a function of its own."
        )
    mine = ", ".join(f"{v:.3f}" for v in got[0])
    said = f"at (x1, x2, x3) = {points[0]} your adjoints are [{mine}]"
    if exact(got[:, ::-1], want):
        raise NotYet(
            "Right values, listed top down: give them in the units' order, w̄1 first.", said
        )

    def sweeps(**mistake):
        return np.array([_h_sweep(*p, **mistake) for p in points])

    fan_in = (
        "x2 is read by two units. What does its adjoint receive from each?",
        "w2 = x2 is read by w4 = w1 + w2 and by w5 = w2 w3: w̄2 adds both contributions.",
    )
    diagnose(
        got,
        [
            (sweeps(reaches_x2="sum"), fan_in),
            (sweeps(reaches_x2="product"), fan_in),
            (sweeps(exp_partial=lambda w5: 1.0), (
                "Look at w̄5: the local partial of w6 = exp(w5) is not 1.",
            )),
            (sweeps(exp_partial=lambda w5: w5), (
                "Look at w̄5: the local partial of exp(w5) is d exp(w5)/dw5, not w5 itself.",
            )),
            (sweeps(other_factor=False), (
                "Look at w̄2 and w̄3: the partial of a product by one factor is the other factor.",
            )),
            (sweeps(seed=0.0), ("The sweep starts from a seed: the adjoint of the output, h.",)),
        ],
        default=(
            "Sweep back from the seed w̄7 = 1: each unit's adjoint adds, over the units that "
            "read it, their adjoint times the local partial. Check one unit at a time."
        ),
        said=said,
    )
