"""Headline tests on the course's running example and on Baydin et al.'s.

f(x1, x2) = x1 * x2 + sin(x1), from Wikipedia's "Automatic differentiation":
gradient (x2 + cos x1, x1), Hessian [[-sin x1, 1], [1, 0]], and x1 feeds two
units, so its adjoint is the sum of two contributions (x2 and cos x1).

y = ln(x1) + x1 * x2 - sin(x2) at (2, 5), from Baydin, Pearlmutter, Radul and
Siskind (2018), "Automatic differentiation in machine learning: a survey",
JMLR 18(153), Tables 2 and 3.

Expected values come from the closed forms and from the published tables,
typed in by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import adlearn as ad
from adlearn.examples import baydin
from adlearn.examples import running_example as f

POINTS = [(2.0, 3.0), (0.0, 0.0), (-1.5, 4.0), (math.pi, -2.0), (10.0, 0.25)]


def closed_form_gradient(x1, x2):
    return (x2 + math.cos(x1), x1)


def closed_form_hessian(x1, x2):
    return [[-math.sin(x1), 1.0], [1.0, 0.0]]


# --- the gradient ------------------------------------------------------------------


@pytest.mark.parametrize(("x1", "x2"), POINTS)
def test_gradient_in_reverse_mode(x1, x2):
    """One reverse sweep gives both partials."""
    assert ad.grad(f, argnums=(0, 1))(x1, x2) == pytest.approx(closed_form_gradient(x1, x2))
    value, gradient = ad.value_and_grad(f, (0, 1))(x1, x2)
    assert value == pytest.approx(x1 * x2 + math.sin(x1))
    assert gradient == pytest.approx(closed_form_gradient(x1, x2))
    _, vjp_fn = ad.vjp(f, x1, x2)
    assert vjp_fn(1.0) == pytest.approx(closed_form_gradient(x1, x2))


@pytest.mark.parametrize(("x1", "x2"), POINTS)
def test_gradient_in_forward_mode(x1, x2):
    """Forward mode needs one sweep per input: seeds (1, 0) then (0, 1)."""
    expected = closed_form_gradient(x1, x2)
    assert ad.derivative(f, 0)(x1, x2) == pytest.approx(expected[0])
    assert ad.derivative(f, 1)(x1, x2) == pytest.approx(expected[1])
    assert ad.jvp(f, (x1, x2), (1.0, 0.0))[1] == pytest.approx(expected[0])
    assert ad.jvp(f, (x1, x2), (0.0, 1.0))[1] == pytest.approx(expected[1])
    assert ad.jacfwd(f, (0, 1))(x1, x2) == pytest.approx(expected)


def test_gradient_on_a_grid():
    X1, X2 = np.meshgrid(np.linspace(-4, 4, 9), np.linspace(-3, 3, 7))
    g1, g2 = ad.grad(lambda a, b: np.sum(f(a, b)), (0, 1))(X1, X2)
    np.testing.assert_allclose(g1, X2 + np.cos(X1), rtol=1e-14)
    np.testing.assert_allclose(g2, X1, rtol=1e-14)


def test_gradient_check_agrees():
    result = ad.check_grad(f, 2.0, 3.0)
    assert result.complex_step == pytest.approx(closed_form_gradient(2.0, 3.0), rel=1e-15)
    assert result.max_error < 1e-9


# --- the fan-in at x1 ------------------------------------------------------------


@pytest.mark.parametrize(("x1", "x2"), POINTS)
def test_fan_in_at_x1_adds_two_contributions(x1, x2):
    t = ad.trace(f, x1, x2)
    assert t.unit(1).name == "x1"
    assert t.consumers(1) == [(3, 0), (4, 0)]  # w3 = w1 * w2 and w4 = sin(w1)
    via_mul, via_sin = t.contributions(1)
    assert (via_mul.consumer, via_sin.consumer) == (3, 4)
    assert via_mul.value == pytest.approx(x2)  # w̄3 · ∂w3/∂w1 = 1 · w2
    assert via_sin.value == pytest.approx(math.cos(x1))  # w̄4 · ∂w4/∂w1 = 1 · cos(w1)
    assert t.unit(1).adjoint == pytest.approx(x2 + math.cos(x1))
    assert via_mul.value + via_sin.value == pytest.approx(t.unit(1).adjoint)
    # x2 feeds one unit: one contribution
    (only,) = t.contributions(2)
    assert only.value == pytest.approx(x1)


# --- the Hessian --------------------------------------------------------------------


@pytest.mark.parametrize(("x1", "x2"), POINTS)
def test_hessian(x1, x2):
    expected = closed_form_hessian(x1, x2)
    H = ad.hessian(f, (0, 1))(x1, x2)
    assert np.array(H, dtype=float) == pytest.approx(np.array(expected))
    assert ad.hvp(f, (x1, x2), (1.0, 0.0)) == pytest.approx((expected[0][0], 1.0))
    assert ad.hvp(f, (x1, x2), (0.0, 1.0)) == pytest.approx((1.0, 0.0))


def test_hessian_of_the_vector_form():
    x = np.array([0.8, -1.1])
    H = ad.hessian(lambda x: f(x[0], x[1]))(x)
    np.testing.assert_allclose(H, closed_form_hessian(*x))


# --- Wikipedia's tables -----------------------------------------------------------

# Wikipedia's forward-accumulation table for f, in adlearn's spelling: w1 · w2
# is written w1 * w2, sin w1 is sin(w1), and ẇ2 = 0 (seed) is written 0.
WIKIPEDIA_FORWARD = [
    ("w1", "x1", "1 (seed)"),
    ("w2", "x2", "0"),
    ("w3", "w1 * w2", "w2 · ẇ1 + w1 · ẇ2"),
    ("w4", "sin(w1)", "cos(w1) · ẇ1"),
    ("w5", "w3 + w4", "ẇ3 + ẇ4"),
]

# Wikipedia's reverse-accumulation table, from the seed down.
WIKIPEDIA_REVERSE = [
    ("w5", "1 (seed)"),
    ("w4", "w̄5"),
    ("w3", "w̄5"),
    ("w2", "w̄3 · w1"),
    ("w1", "w̄3 · w2 + w̄4 · cos(w1)"),
]

# The same units in the course's hierarchy notation (DESIGN.md).
HIERARCHY = ["w⁰₁", "w⁰₂", "w¹₁", "w¹₂", "w²"]


def test_wikipedia_forward_table():
    x1, x2 = 2.0, 3.0
    header, rows = ad.trace(f, x1, x2).table(mode="forward", notation="wengert")
    assert header == ["unit", "operation", "value", "tangent rule", "tangent"]
    assert [(r[0], r[1], r[3]) for r in rows] == WIKIPEDIA_FORWARD
    values = [x1, x2, x1 * x2, math.sin(x1), x1 * x2 + math.sin(x1)]
    tangents = [1.0, 0.0, x2, math.cos(x1), x2 + math.cos(x1)]
    assert [r[2] for r in rows] == [f"{v:.3f}" for v in values]
    assert [r[4] for r in rows] == [f"{v:.3f}" for v in tangents]


def test_wikipedia_reverse_table():
    x1, x2 = 2.0, 3.0
    header, rows = ad.trace(f, x1, x2).table(mode="reverse", notation="wengert")
    assert header == ["unit", "operation", "value", "adjoint rule", "adjoint"]
    assert [(r[0], r[3]) for r in rows] == WIKIPEDIA_REVERSE
    adjoints = [1.0, 1.0, 1.0, x1, x2 + math.cos(x1)]  # w5 down to w1
    assert [r[4] for r in rows] == [f"{v:.3f}" for v in adjoints]


def test_both_notations_side_by_side():
    t = ad.trace(f, 2.0, 3.0)
    header, rows = t.table()
    assert header[:3] == ["unit", "Wengert", "operation"]
    assert [r[0] for r in rows] == HIERARCHY
    assert [r[1] for r in rows] == [w for w, _, _ in WIKIPEDIA_FORWARD]
    assert [(u.level, u.position) for u in t.units] == [(0, 1), (0, 2), (1, 1), (1, 2), (2, 1)]


def test_seeding_x2_gives_the_other_partial():
    t = ad.trace(f, 2.0, 3.0, wrt="x2")
    assert t.tangent == pytest.approx(2.0)
    assert [u.tangent for u in t.units] == pytest.approx([0.0, 1.0, 2.0, 0.0, 2.0])


# --- Baydin et al. (2018), Tables 2 and 3 ---------------------------------------------


# Table 2 (forward primal and tangent traces, seed x1) and Table 3 (reverse
# adjoint trace), keyed by operation; Baydin numbers them v1..v5.
BAYDIN = {
    "log": {"value": "0.693", "tangent": "0.500", "adjoint": "1.000"},  # v1 = ln v-1
    "mul": {"value": "10.000", "tangent": "5.000", "adjoint": "1.000"},  # v2 = v-1 × v0
    "sin": {"value": "-0.959", "tangent": "0.000", "adjoint": "-1.000"},  # v3 = sin v0
    "add": {"value": "10.693", "tangent": "5.500", "adjoint": "1.000"},  # v4 = v1 + v2
    "sub": {"value": "11.652", "tangent": "5.500", "adjoint": "1.000"},  # v5 = v4 - v3
}


def test_baydin_tables_2_and_3():
    t = ad.trace(baydin, 2.0, 5.0)
    assert f"{t.value:.3f}" == "11.652"  # y
    assert f"{t.tangent:.3f}" == "5.500"  # y_dot, seed x1
    x1_bar, x2_bar = t.gradient
    assert f"{x1_bar:.3f}" == "5.500"
    assert f"{x2_bar:.3f}" == "1.716"
    units = [u for u in t.units if not u.is_input]
    assert sorted(u.op for u in units) == sorted(BAYDIN)
    for u in units:
        expected = BAYDIN[u.op]
        assert f"{u.value:.3f}" == expected["value"], u.op
        assert f"{u.tangent + 0.0:.3f}" == expected["tangent"], u.op
        assert f"{u.adjoint:.3f}" == expected["adjoint"], u.op


def test_baydin_fan_in():
    """Table 3 accumulates v̄0 in two steps (-0.284, then +2) and v̄-1 in two (5, then +0.5)."""
    t = ad.trace(baydin, 2.0, 5.0)
    by_op = {t.unit(c.consumer).op: c.value for c in t.contributions(2)}
    assert by_op == {"mul": pytest.approx(2.0), "sin": pytest.approx(-math.cos(5.0))}
    assert f"{by_op['sin']:.3f}" == "-0.284"
    by_op = {t.unit(c.consumer).op: c.value for c in t.contributions(1)}
    assert by_op == {"mul": pytest.approx(5.0), "log": pytest.approx(0.5)}


def test_baydin_gradient_in_both_modes():
    expected = (1 / 2.0 + 5.0, 2.0 - math.cos(5.0))
    assert ad.grad(baydin, (0, 1))(2.0, 5.0) == pytest.approx(expected)
    assert ad.jacfwd(baydin, (0, 1))(2.0, 5.0) == pytest.approx(expected)
