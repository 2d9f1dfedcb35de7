"""Checkers of chapters 6 and 7: right answers pass (written more than one way), typical
mistakes get their own hint, right numbers by the wrong method are refused, stubs say Not
attempted.

Expected values are worked out here by hand (closed forms), not read from the checkers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from exercise_support import hint, mistake_hints, status

import adlearn as ad
from adlearn.exercises import ch6, ch7

# --- 6.1 the Jacobian of level 1 ----------------------------------------------------------

C2 = math.cos(2.0)


@pytest.mark.parametrize(
    "answer",
    [
        [[3.0, 2.0], [C2, 0.0]],
        [[3, 2], [-0.416, 0]],
        np.array([[3.0, 2.0], [-0.4161, 0.0]]),
        ((3.0, 2.0), (C2, 0.0)),
    ],
)
def test_level_jacobian_right(answer):
    assert status(ch6.level_jacobian, answer) == "correct"


test_level_jacobian_mistakes = mistake_hints(
    ch6.level_jacobian,
    [
        ([[3.0, C2], [2.0, 0.0]], "Rows are outputs"),
        ([[C2, 0.0], [3.0, 2.0]], "Row 1 belongs"),
        ([[3.0, 2.0], [math.sin(2.0), 0.0]], "not sin"),
        ([[2.0, 3.0], [C2, 0.0]], "other factor"),
        ([[3.0, 2.0], [-C2, 0.0]], "sign"),
        ([[3.0, 2.0], [C2, 1.0]], "does not read w2"),
        ([[3.0, 2.0], [math.cos(math.radians(2.0)), 0.0]], "radians"),
        ([[1.0, 1.0], [1.0, 1.0]], "One row per unit"),
        ([3.0, 2.0, C2, 0.0], "shape"),
        ("[[3, 2], [-0.416, 0]]", "not a str"),
        ([[3.0, 2.0], [C2, float("nan")]], "not finite"),
    ],
)


def test_level_jacobian_stub():
    assert status(ch6.level_jacobian, ...) == "not attempted"


# --- 6.2 the VJP of a dense layer ----------------------------------------------------------


def vjp_right(A, x, u):
    y = np.tanh(A @ x)
    return A.T @ ((1 - y**2) * u)


def vjp_right_two_steps(A, x, u):
    """Another right way: pull back through tanh, then through A x, written with sums."""
    z = A @ x
    z_bar = u / np.cosh(z) ** 2
    return np.einsum("ij,i->j", A, z_bar)


def test_dense_vjp_right_two_ways():
    assert status(ch6.dense_vjp, vjp_right) == "correct"
    assert status(ch6.dense_vjp, vjp_right_two_steps) == "correct"


def test_dense_vjp_by_adlearn_is_the_wrong_method():
    def by_ad(A, x, u):
        return ad.vjp(lambda x: np.tanh(A @ x), x)[1](u)[0]

    assert "wrong method" in hint(ch6.dense_vjp, by_ad)


test_dense_vjp_mistakes = mistake_hints(
    ch6.dense_vjp,
    [
        (lambda A, x, u: A.T @ u, "left out tanh's derivative"),
        (lambda A, x, u: A.T @ ((1 - np.tanh(A @ x)) * u), "not 1 - y"),
        (lambda A, x, u: A.T @ (np.cos(A @ x) * u), "not cos"),
        (lambda A, x, u: A @ ((1 - np.tanh(A @ x) ** 2) * u), "transpose of J"),
        (lambda A, x, u: (1 - np.tanh(A @ x) ** 2) * (A.T @ u), "transpose of J"),
        (lambda A, x, u: A.T @ ((1 - np.tanh(x) ** 2) * u), "not to x"),
        (lambda A, x, u: 2 * vjp_right(A, x, u), "two steps"),
        (lambda A, x, u: vjp_right(A, x, u)[:-1], "one entry per input"),
        (lambda A, x, u: "array", "numpy array"),
    ],
)


def test_dense_vjp_that_only_fits_square_matrices_is_told_about_the_transpose():
    # right for square A by luck of shapes? No: A @ (...) raises on a non-square A
    def square_only(A, x, u):
        if A.shape[0] == A.shape[1]:
            return vjp_right(A, x, u)
        return A @ ((1 - np.tanh(A @ x) ** 2) * u)

    assert "which of A and its transpose fits" in hint(ch6.dense_vjp, square_only)


def test_dense_vjp_fixed_answer_is_refused():
    first = vjp_right(*ch6._dense_cases()[0])
    assert status(ch6.dense_vjp, lambda A, x, u: first) == "not yet"


def test_dense_vjp_stub_and_raise():
    def stub(A, x, u): ...

    assert status(ch6.dense_vjp, stub) == "not attempted"

    def broken(A, x, u):
        raise ZeroDivisionError("oops")

    assert "ZeroDivisionError" in hint(ch6.dense_vjp, broken)


# --- 6.3 the dot-product test ---------------------------------------------------------------


def dot_right(F, x, u, v):
    _, Jv = ad.jvp(F, (x,), (v,))
    _, pull_back = ad.vjp(F, x)
    (uJ,) = pull_back(u)
    return np.dot(u, Jv), np.dot(uJ, v)


def dot_right_lists(F, x, u, v):
    Jv = ad.jvp(F, [x], [v])[1]
    uJ = ad.vjp(F, x)[1](u)[0]
    return [float(u @ Jv), float(uJ @ v)]


def test_dot_test_right_two_ways():
    assert status(ch6.dot_test, dot_right) == "correct"
    assert status(ch6.dot_test, dot_right_lists) == "correct"


def test_dot_test_by_whole_jacobians_is_the_wrong_method():
    def by_matrices(F, x, u, v):
        J = ad.jacfwd(F)(x)
        return u @ J @ v, u @ J @ v

    assert "wrong method" in hint(ch6.dot_test, by_matrices)


def test_dot_test_one_sweep_twice_is_the_wrong_method():
    def forward_only(F, x, u, v):
        Jv = ad.jvp(F, (x,), (v,))[1]
        return u @ Jv, u @ Jv

    assert "wrong method" in hint(ch6.dot_test, forward_only)


def test_dot_test_by_finite_differences_is_refused():
    def central(F, x, u, v):
        h = 1e-6
        Jv = (F(x + h * v) - F(x - h * v)) / (2 * h)
        return u @ Jv, u @ Jv

    # right to about 1e-9, not to rounding: AD is exact
    assert status(ch6.dot_test, central) == "not yet"


test_dot_test_mistakes = mistake_hints(
    ch6.dot_test,
    [
        (lambda F, x, u, v: ad.jvp(F, (x,), (v,))[1], "two numbers"),
        (lambda F, x, u, v: (ad.jvp(F, (x,), (v,))[1], 0.0), "one number"),
        (lambda F, x, u, v: (1.0, 1.0), "ad.jvp returns two things"),
    ],
)


def test_dot_test_with_u_and_v_swapped_fails_on_a_non_square_f():
    def swapped(F, x, u, v):
        Jv = ad.jvp(F, (x,), (u,))[1]
        uJ = ad.vjp(F, x)[1](v)[0]
        return v @ Jv, uJ @ u

    assert status(ch6.dot_test, swapped) == "not yet"


# --- 6.4 multiplications of each order --------------------------------------------------------
# dims [300, 100, 10, 1]: forward J2 J1 = 10*100*300, then J3 (.) = 1*10*300;
# reverse J3 J2 = 1*10*100, then (.) J1 = 1*100*300.
FWD = 10 * 100 * 300 + 1 * 10 * 300
REV = 1 * 10 * 100 + 1 * 100 * 300


@pytest.mark.parametrize("answer", [(FWD, REV), [303000, 31000], (303000.0, np.int64(31000))])
def test_chain_costs_right(answer):
    assert status(ch6.chain_costs, answer) == "correct"


test_chain_costs_mistakes = mistake_hints(
    ch6.chain_costs,
    [
        ((REV, FWD), "swapped"),
        ((FWD + 100 * 300 * 300, REV), "Seeding costs nothing"),
        ((FWD, REV + 10), "Seeding costs nothing"),
        ((FWD + 1, REV), "Forward order"),
        ((302999, REV), "Forward order"),
        ((FWD, REV - 1), "Reverse order"),
        ((FWD, 31001), "Reverse order"),
        ((FWD, 31000.5), "whole number"),
        ((FWD, "31000"), "it is a str"),
        (303000, "two whole numbers"),
        ((FWD, REV, 0), "two whole numbers"),
    ],
)


def test_chain_costs_repeated_mistake_gets_a_closer_hint():
    first = hint(ch6.chain_costs, (FWD + 7, REV))
    second = hint(ch6.chain_costs, (FWD + 7, REV))
    assert first != second
    assert "10×100" in second


def test_dot_test_repeated_mistake_gets_a_closer_hint():
    def wrong(F, x, u, v):
        return 1.0, 1.0

    assert "ad.jvp returns two things" in hint(ch6.dot_test, wrong)
    assert "Which vector goes where" in hint(ch6.dot_test, wrong)


def test_chain_costs_has_no_tolerance():
    # a relative tolerance on a count would accept these
    assert status(ch6.chain_costs, (FWD + 1, REV)) == "not yet"
    assert status(ch6.chain_costs, (FWD, REV + 1)) == "not yet"


# --- 6.5 growth of the formula and of the trace -----------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [("quadratic", "linear"), ["Quadratically", " linearly "], ("k^2", "linear")],
)
def test_swell_growth_right(answer):
    assert status(ch6.swell_growth, answer) == "correct"


test_swell_growth_mistakes = mistake_hints(
    ch6.swell_growth,
    [
        (("exponential", "linear"), "copies s_{k-1} once"),
        (("linear", "linear"), "k nodes"),
        (("quadratic", "quadratic"), "one unit per sine"),
        (("quadratic", "exponential"), "one unit per sine"),
        (("cubic", "linear"), "Answer with"),
        ("quadratic", "two words"),
    ],
)


def test_swell_growth_claims_match_the_expression_type():
    """The checker's story (quadratic formula, linear trace) is what the package counts."""
    from adlearn.symbolic import diff, tree_size, variables

    (x,) = variables("x")
    sizes, units = [], []
    for k in range(1, 8):
        s = x
        for _ in range(k):
            s = np.sin(s)
        sizes.append(tree_size(diff(s, x)))
        units.append(len(ad.trace(lambda t, k=k: _nested_sin(t, k), 0.5).units))
    second = np.diff(sizes, 2)
    assert np.all(second == second[0])
    assert second[0] > 0
    assert np.all(np.diff(units) == 1)  # linear: one unit per sine


def _nested_sin(t, k):
    for _ in range(k):
        t = np.sin(t)
    return t


# --- 7.1 what the reverse sweep adds -----------------------------------------------------------
# f's trace: w3 = w1 w2 (partials w2, w1: no operation), w4 = sin w1 (cos w1: one),
# w5 = w3 + w4 (1, 1: none). Edges 2 + 1 + 2 = 5 multiplications; x1 is read twice: 1 addition.
REVERSE_OPS = 1 + 5 + 1


@pytest.mark.parametrize("answer", [REVERSE_OPS, 7.0, np.int64(7)])
def test_reverse_ops_right(answer):
    assert status(ch7.reverse_ops, answer) == "correct"


test_reverse_ops_mistakes = mistake_hints(
    ch7.reverse_ops,
    [
        (5, "one per edge"),
        (6, "one of the three parts"),
        (10, "f and the reverse sweep together"),
        (8, "only sin's partial"),
        (3, "Go through the trace"),
        (7.01, "whole number"),
        ("7", "str"),
    ],
)


def test_reverse_ops_repeated_mistake_gets_a_closer_hint():
    assert "one per edge" in hint(ch7.reverse_ops, 5)
    assert "fan" in hint(ch7.reverse_ops, 5) or "two contributions" in hint(ch7.reverse_ops, 5)


def test_reverse_ops_stub():
    assert status(ch7.reverse_ops, ...) == "not attempted"


# --- 7.2 arrays the tape keeps; 7.3 runs of sin ------------------------------------------------
# 400 steps of sin: 400 partials (cos) without checkpoints; every 20: 400/20 = 20 inputs
# kept, plus 20 partials of the one segment being recomputed.


@pytest.mark.parametrize("answer", [(400, 400 // 20 + 20), [400.0, 40]])
def test_tape_arrays_right(answer):
    assert status(ch7.tape_arrays, answer) == "correct"


test_tape_arrays_mistakes = mistake_hints(
    ch7.tape_arrays,
    [
        ((400, 20), "after the forward sweep"),
        ((400, 420), "Only one recomputed segment"),
        ((401, 40), "count the steps"),
        ((40, 400), "count the steps"),
        ((400, 41), "n / s stored inputs"),
        ((400, 40.5), "whole number"),
        (40, "two whole numbers"),
    ],
)


test_sin_runs_mistakes = mistake_hints(
    ch7.sin_runs,
    [
        (400, "forward sweep alone"),
        (1200, "does not run sin"),
        (780, "the last one too"),
        (420, "whole segment"),
        (799, "Count the forward sweep"),
        (801, "Count the forward sweep"),
    ],
)


def test_sin_runs_right_and_measured():
    """800 is what adlearn really does: count np.sin's runs through a checkpointed chain."""
    from adlearn.checkpoint import chain

    runs = []

    def counted_sin(x):
        runs.append(1)
        return np.sin(x)

    ad.grad(lambda x: np.sum(chain(counted_sin, 400, every=20)(x)))(np.ones(3))
    assert len(runs) == 800
    assert status(ch7.sin_runs, len(runs)) == "correct"


# --- 7.4 the backward step of a checkpoint -----------------------------------------------------


def recompute_right(segment, x, w_bar):
    _, pull_back = ad.vjp(segment, x)
    return pull_back(w_bar)[0]


def recompute_as_tuple(segment, x, w_bar):
    return ad.vjp(segment, x)[1](w_bar)


def test_recompute_vjp_right_two_ways():
    assert status(ch7.recompute_vjp, recompute_right) == "correct"
    assert status(ch7.recompute_vjp, recompute_as_tuple) == "correct"


test_recompute_vjp_mistakes = mistake_hints(
    ch7.recompute_vjp,
    [
        (lambda s, x, w: ad.vjp(s, x)[1](np.ones_like(w))[0], "Seed the reverse sweep"),
        (
            lambda s, x, w: ad.jacrev(s)(x).T @ w if np.ndim(x) else ad.grad(s)(x) * w,
            "wrong method",
        ),
        (
            lambda s, x, w: ad.jacfwd(s)(x).T @ w if np.ndim(x) else ad.derivative(s)(x) * w,
            "forward mode",
        ),
        (lambda s, x, w: w, "Seed the reverse sweep"),
        (lambda s, x, w: np.zeros(7), "shape"),
        (lambda s, x, w: "x_bar", "return x_bar"),
    ],
)


def test_recompute_vjp_by_finite_differences_is_refused():
    def central(segment, x, w_bar):
        x = np.atleast_1d(np.asarray(x, dtype=float))
        out = np.zeros_like(x)
        for k in range(x.size):
            e = np.zeros_like(x)
            e[k] = 1e-6
            column = (segment(x + e) - segment(x - e)) / 2e-6
            out[k] = np.sum(w_bar * column)
        return out if out.size > 1 else out[0]

    assert "finite differences" in hint(ch7.recompute_vjp, central)


def test_recompute_vjp_recording_twice_is_the_wrong_method():
    def twice(segment, x, w_bar):
        ad.vjp(segment, x)
        return recompute_right(segment, x, w_bar)

    assert "wrong method" in hint(ch7.recompute_vjp, twice)


def test_recompute_vjp_stub():
    def stub(segment, x, w_bar): ...

    assert status(ch7.recompute_vjp, stub) == "not attempted"


# --- 7.5 the cheap gradient of a new function ------------------------------------------------
# sin(x1 x2 x3): units w4 = x1 x2, w5 = w4 x3, w6 = sin w5: f = 3; reverse: cos (1),
# edges 2 + 2 + 1 = 5, no fan-in: 6; value and gradient 9 = 3 f.


@pytest.mark.parametrize("answer", [3, 3.0, 9 / 3])
def test_gradient_ratio_right(answer):
    assert status(ch7.gradient_ratio, answer) == "correct"


test_gradient_ratio_mistakes = mistake_hints(
    ch7.gradient_ratio,
    [
        (2, "recording forward sweep"),
        (9, "ratio"),
        (10 / 3, "running example's ratio"),
        (11 / 3, "Nothing is read twice"),
        (4, "Write the trace"),
        (3.1, "Write the trace"),
    ],
)


def test_ch7_counts_agree_with_the_package():
    from adlearn.cost import operation_count
    from adlearn.examples import running_example

    c = operation_count(running_example, 2.0, 3.0)
    assert c.gradient - c.function == REVERSE_OPS
    assert operation_count(lambda a, b, c: np.sin(a * b * c), 0.5, 1.0, 2.0).ratio == 3.0


# --- no checker text hands over the solution code --------------------------------------------


def _solution_fragments(name):
    """The code of a chapter's solution cells, line by line, without comments: each line and
    the expression it assigns or returns."""
    import re
    from pathlib import Path

    import nbformat

    path = Path(__file__).parent.parent / "notebooks" / "solutions" / name
    fragments = set()
    for cell in nbformat.read(path, as_version=4).cells:
        # an answer cell (nbgrader's metadata), or an exercise cell not yet converted (its tag)
        answer = cell.metadata.get("nbgrader", {}).get("solution")
        if not answer and "solution" not in cell.metadata.get("tags", []):
            continue
        blocks = re.findall(r"#+ BEGIN SOLUTION\n(.*?)#+ END SOLUTION", cell.source, re.DOTALL)
        blocks += re.findall(r"^(.*)# SOLUTION$", cell.source, re.MULTILINE)
        for line in "\n".join(blocks).splitlines():
            code = line.split("#")[0].strip()
            expression = re.sub(r"^(return |[\w, ]+ = )", "", code)
            fragments |= {text for text in (code, expression) if len(text) > 8}
    return fragments


@pytest.mark.parametrize(
    ("module", "notebook"),
    [(ch6, "06-jacobians-and-the-chain-rule.ipynb"), (ch7, "07-cost-and-memory.ipynb")],
)
def test_no_checker_text_holds_a_line_of_the_solution_cells(module, notebook):
    """Every string in the checker module (each hint, each message) is free of solution code."""
    import ast
    import inspect

    fragments = _solution_fragments(notebook)
    assert len(fragments) >= 5
    texts = [
        node.value
        for node in ast.walk(ast.parse(inspect.getsource(module)))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    for text in texts:
        for fragment in fragments:
            assert fragment not in text, (fragment, text)
