"""The Jacobian chain's costs, the expression type of chapter 6 and its explorer."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import adlearn as ad
from adlearn import chain, chain_explorer, symbolic
from adlearn.examples import running_example as f

# --- costs of the orders ---------------------------------------------------------------------


def all_bracketings_cost(d):
    """The fewest multiplications over every bracketing, by brute force (small chains)."""
    # items: (rows, cols, cost) of the factors J_k ... J_1, left to right
    best = math.inf
    start = [(d[t], d[t - 1], 0) for t in range(len(d) - 1, 0, -1)]
    stack = [start]
    while stack:
        items = stack.pop()
        if len(items) == 1:
            best = min(best, items[0][2])
            continue
        for i in range(len(items) - 1):
            (p, q, a), (_, r, b) = items[i], items[i + 1]
            stack.append([*items[:i], (p, r, a + b + p * q * r), *items[i + 2 :]])
    return best


@pytest.mark.parametrize("seed", range(20))
def test_best_order_is_the_cheapest_of_all_bracketings(seed):
    rng = np.random.default_rng(seed)
    d = [int(v) for v in rng.integers(1, 30, size=rng.integers(2, 7))]
    cost, label = chain.best_order(d)
    assert cost == all_bracketings_cost(d)
    assert cost <= chain.chain_cost(d, "forward")
    assert cost <= chain.chain_cost(d, "reverse")
    assert label.count("J") == 2 * (len(d) - 1)


def test_forward_and_reverse_costs_are_two_bracketings_written_out():
    d = [7, 5, 3, 4, 2]  # J1 5x7, J2 3x5, J3 4x3, J4 2x4
    forward = 3 * 5 * 7 + 4 * 3 * 7 + 2 * 4 * 7  # J2 J1, J3 (.), J4 (.)
    reverse = 2 * 4 * 3 + 2 * 3 * 5 + 2 * 5 * 7  # J4 J3, (.) J2, (.) J1
    assert chain.chain_cost(d, "forward") == forward
    assert chain.chain_cost(d, "reverse") == reverse


def test_costs_counted_match_numpy_products_of_those_shapes():
    """Multiplying real matrices in each order gives the same J, whatever the count."""
    rng = np.random.default_rng(0)
    d = [6, 4, 5, 3]
    J1, J2, J3 = (rng.normal(size=(d[t], d[t - 1])) for t in (1, 2, 3))
    np.testing.assert_allclose(J3 @ (J2 @ J1), (J3 @ J2) @ J1)


def test_matvec_cost_is_the_number_of_jacobian_entries():
    assert chain.matvec_cost([2, 2, 2, 1]) == 4 + 4 + 2


@pytest.mark.parametrize(
    ("dims", "error"),
    [([3], ValueError), ([3, 0, 2], ValueError), ([3, 2.5], ValueError), ("ab", TypeError)],
)
def test_bad_dims_are_named(dims, error):
    with pytest.raises(error, match=r"dims|size"):
        chain.chain_cost(dims)


def test_bad_order_is_named():
    with pytest.raises(ValueError, match="order must be"):
        chain.chain_cost([2, 2], "sideways")


def test_one_layer_costs_nothing_to_form():
    assert chain.chain_cost([4, 3], "forward") == chain.chain_cost([4, 3], "reverse") == 0
    assert chain.best_order([4, 3]) == (0, "J1 = J1")


# --- the expression type -----------------------------------------------------------------------


def test_naive_derivative_of_f_as_the_rules_write_it():
    x1, x2 = symbolic.variables("x1 x2")
    df = symbolic.diff(f(x1, x2), x1)
    assert str(df) == "1*x2 + x1*0 + cos(x1)*1"
    assert str(symbolic.diff(f(x1, x2), x2)) == "0*x2 + x1*1 + cos(x1)*0"


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_symbolic_derivative_agrees_with_ad(k):
    x1, x2 = symbolic.variables("x1 x2")

    def g(a, b):
        for _ in range(k):
            a = f(a, b) + np.cos(b) * a
        return a

    e = g(x1, x2)
    for point in [(0.5, 0.3), (-1.2, 2.0)]:
        want = ad.grad(g, argnums=(0, 1))(*point)
        got = [symbolic.evaluate(symbolic.diff(e, v), x1=point[0], x2=point[1]) for v in (x1, x2)]
        np.testing.assert_allclose(got, want, rtol=1e-12)
        assert symbolic.evaluate(e, x1=point[0], x2=point[1]) == pytest.approx(g(*point))


def test_tree_and_graph_sizes_by_hand():
    (x,) = symbolic.variables("x")
    square = x * x
    assert symbolic.tree_size(square) == 3  # *, x, x
    assert symbolic.graph_size(square) == 2  # *, x (shared)
    fourth = square * square
    assert symbolic.tree_size(fourth) == 7
    assert symbolic.graph_size(fourth) == 3


def test_repeated_squaring_swells_exponentially_as_a_tree_only():
    (x,) = symbolic.variables("x")
    p = x
    for _ in range(30):
        p = p * p  # x ** (2 ** 30)
    assert symbolic.tree_size(p) == 2**31 - 1  # counted without writing it out
    assert symbolic.graph_size(p) == 31
    assert symbolic.graph_size(symbolic.diff(p, x)) < 200
    assert len(repr(p)) < 100


def test_deep_expressions_need_no_recursion():
    (x,) = symbolic.variables("x")
    s = x
    for _ in range(5000):
        s = np.sin(s)
    assert symbolic.tree_size(symbolic.diff(s, x)) > 5000
    assert len(symbolic.to_text(s, limit=40)) <= 40


def test_expression_errors_are_named():
    (x,) = symbolic.variables("x")
    with pytest.raises(TypeError, match="cannot combine"):
        x + "y"
    with pytest.raises(TypeError, match="with respect to a variable"):
        symbolic.diff(x * x, 2.0)
    with pytest.raises(ValueError, match="no value given for the variable 'x'"):
        symbolic.evaluate(x * x)
    with pytest.raises(TypeError):
        np.exp(x)  # no rule: numpy says the operation is not supported


# --- the explorer ------------------------------------------------------------------------------


def test_order_explorer_follows_its_sliders():
    e = chain_explorer.explore_order(n=2, h=2, m=1)
    assert (e.costs["forward"], e.costs["reverse"]) == (12, 8)
    for n in (10, 40, 80):
        e.controls["n"].value = n
        assert e.costs["forward"] == 2 * 2 * n + 1 * 2 * n  # grows with n
        assert e.costs["reverse"] == 1 * 2 * 2 + 1 * 2 * n
    e.controls["m"].value = 80
    assert e.costs["reverse"] == 80 * 2 * 2 + 80 * 2 * 80
    assert e.image.value[:4] == b"\x89PNG"
    assert "best" in e.text.value
    assert repr(e) == "<adlearn chain-order explorer>"


@pytest.mark.parametrize("kw", [{"n": 0}, {"h": 2.5}, {"m": True}, {"n": 200}, {"top": -1}])
def test_order_explorer_refuses_bad_shapes(kw):
    with pytest.raises(ValueError, match="explore_order"):
        chain_explorer.explore_order(**kw)


def test_order_costs_are_the_chain_module_s():
    for n, h, m in itertools.product((1, 7), (3, 9), (1, 5)):
        c = chain_explorer.order_costs(n, h, m)
        assert c["forward"] == chain.chain_cost([n, h, h, m], "forward")
        assert c["best"] == all_bracketings_cost([n, h, h, m])
