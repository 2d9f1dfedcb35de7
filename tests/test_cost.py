"""Operation counts of f and its gradient, checked against counts by hand."""

from __future__ import annotations

import numpy as np
import pytest

from adlearn.cost import operation_count, partial_operations
from adlearn.examples import running_example as f


def f_n(*x):
    """The running example grown to n inputs: sum of x_k x_(k+1) + sin x_k."""
    total = x[0] * x[1] + np.sin(x[0])
    for k in range(1, len(x) - 1):
        total = total + (x[k] * x[k + 1] + np.sin(x[k]))
    return total


def test_running_example_by_hand():
    c = operation_count(f, 2.0, 3.0)
    assert (c.function, c.partials, c.multiplications, c.additions) == (3, 1, 5, 1)
    assert c.gradient == 10
    # a forward sweep: 3 values, cos, 5 products, and one sum for w3 and one for w5
    assert c.forward_sweep == 3 + 1 + 5 + 2


@pytest.mark.parametrize("n", [2, 3, 7, 50])
def test_grown_example_by_hand(n):
    # per k: mul, sin, add (3 units); n - 2 more adds that sum the terms: 4n - 5 units.
    # partials: n - 1 cos. Edges: 5 per k, 2 per summing add. x_1 is read twice, x_2..x_(n-1)
    # three times, x_n once: 1 + 2(n - 2) additions.
    c = operation_count(f_n, *np.linspace(0.1, 1.0, n))
    assert c.function == 4 * n - 5
    assert c.partials == n - 1
    assert c.multiplications == 5 * (n - 1) + 2 * (n - 2)
    assert c.additions == 1 + 2 * (n - 2)
    assert c.gradient == 14 * n - 18
    assert c.ratio < 3.5


@pytest.mark.parametrize(
    ("text", "ops"),
    [
        ("1", 0),
        ("-1", 1),
        ("{1}", 0),
        ("{0}", 0),
        ("cos({0})", 1),
        ("-sin({0})", 2),
        ("1/{1}", 1),
        ("-{0}/{1}^2", 3),
        ("1 - tanh({0})^2", 3),
        ("1/(2*sqrt({0}))", 3),
    ],
)
def test_partial_operations_reads_the_rule_table_s_formulas(text, ops):
    assert partial_operations(text) == ops


def test_constants_are_not_counted_as_edges():
    # x * 2.0: one operand is a unit, one a constant: one product in the backward sweep
    c = operation_count(lambda x: x * 2.0 + np.sin(x), 1.0)
    assert c.multiplications == 1 + 1 + 2
    assert c.additions == 1  # x is read twice


def test_array_operations_are_refused_with_their_name():
    with pytest.raises(ValueError, match="'sum' is an array operation"):
        operation_count(lambda x: np.sum(x * x), np.ones(3))
