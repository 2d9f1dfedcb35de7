"""Checkers for chapter 6, Jacobians and the chain rule: layers, JVP and VJP, orders, swell.

Examples
--------
>>> from adlearn.exercises import ch6
>>> ch6.chain_costs((303000, 31000))
Exercise 6.4: Correct! Forward carries n = 300 columns through J2 and J3 (300,000 + 3,000); reverse carries m = 1 row through J2 and J1 (1,000 + 30,000): ten times fewer.
"""

from __future__ import annotations

import math

import numpy as np

from adlearn.exercises.learner import call
from adlearn.exercises.method import Probe, by_hand, watch
from adlearn.exercises.verdict import NotYet, attempted, checker, close, count, exact, show

__all__ = ["chain_costs", "dense_vjp", "dot_test", "level_jacobian", "swell_growth"]


def _matrix(answer, shape, name="answer"):
    """The learner's answer as a float array of ``shape``, or Not yet saying what is wrong."""
    answer = attempted(answer, name)
    said = f"your {name}: {show(answer)}"
    if isinstance(answer, str):
        raise NotYet(
            "Give numbers, not a str: a nested list such as [[1.0, 2.0], [3.0, 4.0]].", said
        )
    try:
        a = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise NotYet(
            "Give a nested list of numbers, one inner list per row: [[a, b], [c, d]].", said
        ) from None
    if a.shape != shape:
        raise NotYet(
            f"The answer should have shape {shape} (rows, columns); yours has shape {a.shape}.",
            said,
        )
    if not np.all(np.isfinite(a)):
        raise NotYet("Some entries are not finite numbers (inf or nan).", said)
    return a


# --- 6.1 the Jacobian of level 1 ------------------------------------------------------

_X1, _X2 = 2.0, 3.0
_LEVEL1 = np.array([[_X2, _X1], [math.cos(_X1), 0.0]])


@checker("6.1", "the Jacobian of level 1")
def level_jacobian(answer):
    """The 2x2 Jacobian of (w1, w2) -> (w1 w2, sin w1) at (2, 3)."""
    J = _matrix(answer, (2, 2))
    said = f"your answer: {show(np.round(J, 3).tolist())}"
    if close(J, _LEVEL1):
        return (
            "Row 1 is the gradient of w3 = w1 w2, (w2, w1) = (3, 2); row 2 that of "
            "w4 = sin w1, (cos w1, 0) = (-0.416, 0)."
        )
    mistakes = [
        (
            _LEVEL1.T,
            (
                "Rows are outputs and columns inputs: row 1 holds the partials of w3 "
                "(dw3/dw1, dw3/dw2), row 2 those of w4."
            ),
        ),
        (
            _LEVEL1[::-1],
            ("Row 1 belongs to the first unit of level 1, w3 = w1 w2; row 2 to w4 = sin w1."),
        ),
        (
            np.array([[_X2, _X1], [math.sin(_X1), 0.0]]),
            "The derivative of sin w1 is cos w1, not sin w1: cos 2 = -0.416.",
        ),
        (
            np.array([[_X1, _X2], [math.cos(_X1), 0.0]]),
            "dw3/dw1 for w3 = w1 w2 is w2 = 3 (the other factor), and dw3/dw2 is w1 = 2.",
        ),
        (
            np.array([[_X2, _X1], [-math.cos(_X1), 0.0]]),
            "Check the sign: d(sin w1)/dw1 = cos w1, and cos 2 = -0.416 is negative already.",
        ),
        (
            np.array([[_X2, _X1], [math.cos(_X1), 1.0]]),
            "w4 = sin w1 does not read w2 at all: dw4/dw2 = 0.",
        ),
    ]
    for wrong, hint in mistakes:
        if close(J, wrong):
            raise NotYet(hint, said)
    if close(J, np.array([[_X2, _X1], [math.cos(math.radians(_X1)), 0.0]])):
        raise NotYet("cos 2 is in radians here: cos(2) = -0.416.", said)
    raise NotYet(
        "One row per unit of level 1 (w3 = w1 w2, then w4 = sin w1), one column per unit of "
        "level 0 (w1, then w2); entry (i, k) is d(unit i)/d(w_k), evaluated at (2, 3).",
        said,
    )


# --- 6.2 the VJP of a dense layer, by hand --------------------------------------------


def _dense_cases():
    """(A, x, u): square and non-square A, fixed seed; the last case differs from the others'
    shapes so that an answer written for the first ones fails."""
    rng = np.random.default_rng(62)
    cases = []
    for m, n in ((3, 3), (2, 4), (5, 3), (4, 6)):
        cases.append((rng.normal(size=(m, n)), rng.normal(size=n), rng.normal(size=m)))
    return cases


_TRANSPOSE = (
    (
        "A VJP multiplies by the transpose of J. J = diag(s) A is a product: transpose each factor "
        "and reverse their order."
    ),
    (
        "The JVP is v -> s * (A v): first A, then the diagonal. The VJP goes the other way: first "
        "the diagonal (entry by entry, on u), then the transpose of A."
    ),
)


@checker("6.2", "the VJP of a dense layer, by hand")
def dense_vjp(fn):
    """``fn(A, x, u)``: u^T J for the layer y = tanh(A x), as a vector of x's shape."""
    for A, x, u in _dense_cases():
        m, n = A.shape
        s = 1.0 - np.tanh(A @ x) ** 2
        want = A.T @ (s * u)
        where = f"A of shape {A.shape}, x of {x.shape}, u of {u.shape}"
        with watch(fn) as calls:
            try:
                out = call(fn, A.copy(), x.copy(), u.copy(), name="dense_vjp")
            except NotYet as e:
                shape_error = ("shape", "align", "broadcast", "mismatch", "dimension")
                if m != n and any(word in e.hint for word in shape_error):
                    raise NotYet(
                        e.hint + " With a non-square A (m outputs, n inputs), u has m entries "
                        "and the result n: which of A and its transpose fits?",
                        where,
                    ) from None
                raise
        try:
            got = np.asarray(out, dtype=float)
        except (TypeError, ValueError):
            raise NotYet(f"dense_vjp returned {show(out)}: return a numpy array.", where) from None
        said = f"for {where} you gave {show(np.round(got, 4).tolist())}"
        if got.shape != (n,):
            raise NotYet(
                f"u^T J has one entry per input x: shape ({n},), yours {got.shape}. "
                "A VJP pulls u back to the inputs.",
                said,
            )
        if exact(got, want, tol=1e-9):
            by_hand(calls, "to write the VJP by hand, with numpy alone, from J = diag(s) A.", said)
            continue
        y = np.tanh(A @ x)
        mistakes = [
            (A.T @ u, "You left out tanh's derivative: J = diag(1 - y²) A, with y = tanh(A x)."),
            (A.T @ ((1.0 - y) * u), "tanh' = 1 - tanh², so the factor is 1 - y², not 1 - y."),
            (A.T @ (np.cos(A @ x) * u), "The derivative of tanh is 1 - tanh², not cos."),
            (
                A.T @ ((1.0 - np.tanh(x) ** 2) * u) if m == n else None,
                "tanh is applied to z = A x, not to x: its derivative is taken at A x.",
            ),
        ]
        if m == n:
            mistakes += [(A @ (s * u), _TRANSPOSE), (s * (A.T @ u), _TRANSPOSE)]
        for wrong, hint in mistakes:
            if wrong is not None and wrong.shape == got.shape and exact(got, wrong, tol=1e-9):
                raise NotYet(hint, said)
        raise NotYet(
            (
                (
                    "Write the layer as two steps, z = A x then y = tanh(z), and pull u back "
                    "through each, last step first."
                ),
                (
                    "Through y = tanh(z) the adjoint of z is u times tanh'(z), entry by entry; "
                    "through z = A x the adjoint of x is the transpose of A times that."
                ),
            ),
            said,
        )
    return (
        "u^T J = A^T (s * u) with s = 1 - tanh(A x)²: the JVP's two factors, transposed and in "
        "the reverse order; no Jacobian is formed beyond A itself."
    )


# --- 6.3 the dot-product test ----------------------------------------------------------


def _wide(x):  # R^3 -> R^2
    return np.stack([x[0] * x[1] + np.sin(x[2]), x[1] * x[2]])


def _wide_J(x):
    return np.array([[x[1], x[0], math.cos(x[2])], [0.0, x[2], x[1]]])


def _tall(x):  # R^2 -> R^3
    return np.stack([x[0] * x[1], np.sin(x[0]), x[1] * x[1]])


def _tall_J(x):
    return np.array([[x[1], x[0]], [math.cos(x[0]), 0.0], [0.0, 2.0 * x[1]]])


def _dot_cases():
    rng = np.random.default_rng(63)
    return [
        (
            _wide,
            _wide_J,
            np.array([0.5, -1.0, 2.0]),
            np.array([1.0, 2.0]),
            np.array([1.0, 0.0, -1.0]),
        ),
        (_tall, _tall_J, np.array([2.0, 3.0]), np.array([1.0, -1.0, 0.5]), np.array([0.3, 0.7])),
        (_wide, _wide_J, rng.normal(size=3), rng.normal(size=2), rng.normal(size=3)),
        (_tall, _tall_J, rng.normal(size=2), rng.normal(size=3), rng.normal(size=2)),
    ]


@checker("6.3", "the dot-product test")
def dot_test(fn):
    """``fn(F, x, u, v)``: the pair (u·(J v), (u^T J)·v), from one ad.jvp and one ad.vjp."""
    for F, J_of, x, u, v in _dot_cases():
        want = float(u @ J_of(x) @ v)
        probe = Probe(F)
        with watch(fn) as calls:
            out = call(fn, probe, x.copy(), u.copy(), v.copy(), name="dot_test")
        where = f"F: R^{x.size} -> R^{u.size}"
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise NotYet(
                "Return two numbers, (u·(J v), (u^T J)·v): the first from a forward sweep, the "
                "second from a reverse sweep.",
                f"for {where} you gave {show(out)}",
            )
        values = []
        for name, part in zip(("u·(J v)", "(u^T J)·v"), out):
            if np.size(part) != 1:
                raise NotYet(
                    f"{name} should be one number; you gave an array of shape {np.shape(part)}. "
                    "A dot product with the other vector turns it into one number.",
                    f"for {where}",
                )
            values.append(float(np.asarray(part, dtype=float).reshape(())))
        said = f"for {where} you gave ({values[0]:.12g}, {values[1]:.12g}), u^T J v = {want:.12g}"
        if not all(exact(value, want) for value in values):
            raise NotYet(
                (
                    (
                        "ad.jvp returns two things, F(x) and J v; ad.vjp returns F(x) and a function "
                        "that takes u and returns a tuple holding u^T J. Dot each with the other "
                        "vector."
                    ),
                    (
                        "Which vector goes where: v is a tangent (it has x's size, n), u an adjoint "
                        "(F's size, m). J v then has m entries, to dot with u; u^T J has n, to dot "
                        "with v."
                    ),
                ),
                said,
            )
        if sorted(probe.kinds) != ["forward", "reverse"]:
            ran = ", ".join(probe.kinds) or "none"
            called = ", ".join(f"ad.{c}" for c in calls) or "no adlearn function"
            raise NotYet(
                "Right numbers, wrong method: the test needs exactly one forward sweep and one "
                f"reverse sweep, without building J. Your code called {called}, and F ran "
                f"{probe.runs} times ({ran}).",
                said,
            )
    return (
        "u·(J v) = (u^T J)·v for every u and v exactly when the VJP is the transpose of the JVP: "
        "a test that needs neither matrix, and catches a wrong reverse rule."
    )


# --- 6.4 multiplications of each order -------------------------------------------------


@checker("6.4", "multiplications of each order")
def chain_costs(answer):
    """(forward, reverse) multiplications for the whole Jacobian of dims [300, 100, 10, 1]."""
    answer = attempted(answer)
    if isinstance(answer, str) or not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise NotYet("Give two whole numbers, (forward, reverse).", f"your answer: {show(answer)}")
    fwd, rev = (count(a, name) for a, name in zip(answer, ("forward count", "reverse count")))
    said = f"your answer: ({fwd:,}, {rev:,})"
    if (fwd, rev) == (303_000, 31_000):
        return (
            "Forward carries n = 300 columns through J2 and J3 (300,000 + 3,000); reverse "
            "carries m = 1 row through J2 and J1 (1,000 + 30,000): ten times fewer."
        )
    if (fwd, rev) == (31_000, 303_000):
        raise NotYet("The two are swapped: forward mode is the order that starts at J1.", said)
    if fwd == 9_303_000 or rev == 31_010:
        raise NotYet(
            "Seeding costs nothing: J1 times the 300×300 identity is J1 itself (a sweep seeded "
            "with e_k reads column k), and 1 times J3 is J3. Count only the products of two "
            "Jacobians.",
            said,
        )
    if fwd != 303_000:
        raise NotYet(
            (
                (
                    "Forward order: the first product is J2 J1, then J3 times that. Write down the "
                    "shape of each factor (J_k is d_k × d_(k-1)) and count p·q·r for each product."
                ),
                (
                    "J2 is 10×100 and J1 is 100×300; their product is 10×300, and J3 is 1×10. "
                    "Add the two products' counts."
                ),
            ),
            said,
        )
    raise NotYet(
        (
            (
                "Reverse order: the first product is J3 J2, then that row times J1. A (p×q)(q×r) "
                "product takes p·q·r multiplications."
            ),
            (
                "J3 is 1×10 and J2 is 10×100; their product is 1×100, and J1 is 100×300. "
                "Add the two products' counts."
            ),
        ),
        said,
    )


# --- 6.5 how fast formulas grow ----------------------------------------------------------

_GROWTH = {
    "constant": "constant",
    "linear": "linear",
    "linearly": "linear",
    "quadratic": "quadratic",
    "quadratically": "quadratic",
    "k^2": "quadratic",
    "k**2": "quadratic",
    "k²": "quadratic",
    "exponential": "exponential",
    "exponentially": "exponential",
    "2^k": "exponential",
    "2**k": "exponential",
}


@checker("6.5", "how fast the formula grows")
def swell_growth(answer):
    """Growth in k of (the naive derivative's formula, the AD trace) for k nested sines."""
    answer = attempted(answer)
    if isinstance(answer, str) or not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise NotYet(
            'Give two words, (formula, trace), each "linear", "quadratic" or "exponential".',
            f"your answer: {show(answer)}",
        )
    words = []
    for given in answer:
        word = _GROWTH.get(given.strip().lower()) if isinstance(given, str) else None
        if word is None:
            raise NotYet(
                f'Answer with "linear", "quadratic" or "exponential"; you gave {show(given)}.',
                f"your answer: {show(answer)}",
            )
        words.append(word)
    formula, trace = words
    said = f"your answer: ({formula}, {trace})"
    if trace != "linear":
        raise NotYet(
            "The trace has one unit per sine (plus the input), whatever the derivative: AD "
            "stores numbers, never formulas. Count its units for k = 1, 2, 3.",
            said,
        )
    if formula == "quadratic":
        return (
            "d s_k = cos(s_{k-1}) * d s_{k-1} writes s_{k-1} out again (k nodes), so the "
            "derivative gains about k nodes per sine: 1 + 2 + ... + k, quadratic. The trace "
            "grows by one unit per sine."
        )
    if formula == "exponential":
        raise NotYet(
            "Exponential swell needs a rule that copies a growing formula twice, as the product "
            "rule does in a*b. Here each step copies s_{k-1} once. Count the nodes of the "
            "derivative for k = 1, 2, 3, by hand or with symbolic.tree_size.",
            said,
        )
    raise NotYet(
        "Each new sine adds cos(s_{k-1}) to the derivative, and s_{k-1} itself has k nodes: "
        "the additions grow with k. Count the nodes for k = 1, 2, 3.",
        said,
    )
