"""Functions that return an input, leave an input unused or return a constant.

Each transformation must give the closed form: the identity's derivative is 1
(the identity matrix for an array), an unused input's is 0, a constant's is 0,
every derivative a float or a float array of its input's shape.
"""

from __future__ import annotations

import numpy as np
import pytest

import adlearn as ad

X = np.array([0.5, -1.5, 2.0])


def same(got, want):
    """Equal values, and a Python float where a float is expected."""
    if isinstance(want, float):
        assert type(got) is float, f"{got!r} should be a Python float"
        assert got == want
    else:
        assert isinstance(got, np.ndarray)
        assert got.dtype == np.float64
        np.testing.assert_array_equal(got, want)


def first(x1, x2):
    return x1


def second(x1, x2):
    return x2


def constant(x):
    return 3.0


def test_grad():
    same(ad.grad(lambda x: 3.0)(1.0), 0.0)
    same(ad.grad(lambda x: x)(1.0), 1.0)
    same(ad.grad(constant)(X), np.zeros(3))
    dx1, dx2 = ad.grad(first, argnums=(0, 1))(2.0, 3.0)
    same(dx1, 1.0)
    same(dx2, 0.0)
    dx1, dx2 = ad.grad(second, argnums=(0, 1))(X, 3.0)
    same(dx1, np.zeros(3))
    same(dx2, 1.0)


def test_value_and_grad():
    value, g = ad.value_and_grad(constant)(X)
    assert value == 3.0
    same(g, np.zeros(3))
    value, g = ad.value_and_grad(first)(2.0, 3.0)
    assert value == 2.0
    same(g, 1.0)


def test_jvp():
    value, tangent = ad.jvp(constant, (1.0,), (1.0,))
    assert value == 3.0
    same(tangent, 0.0)
    value, tangent = ad.jvp(lambda x: x, (X,), (2.0 * X,))
    same(value, X)
    same(tangent, 2.0 * X)
    assert value is not X
    value, tangent = ad.jvp(first, (2.0, 3.0), (0.0, 1.0))  # along the unused input
    assert value == 2.0
    same(tangent, 0.0)


def test_vjp():
    value, vjp_fn = ad.vjp(constant, 1.0)
    assert value == 3.0
    (d,) = vjp_fn(1.0)
    same(d, 0.0)
    value, vjp_fn = ad.vjp(lambda x: x, X)
    (d,) = vjp_fn(np.array([1.0, 2.0, 3.0]))
    same(d, np.array([1.0, 2.0, 3.0]))
    value, vjp_fn = ad.vjp(first, 2.0, X)
    d1, d2 = vjp_fn(5.0)
    same(d1, 5.0)
    same(d2, np.zeros(3))


@pytest.mark.parametrize("jacobian", [ad.jacfwd, ad.jacrev])
def test_jacobians(jacobian):
    same(jacobian(lambda x: x)(X), np.eye(3))
    same(jacobian(constant)(X), np.zeros(3))
    same(jacobian(lambda x: np.ones(2))(X), np.zeros((2, 3)))
    same(jacobian(lambda x: x)(2.0), 1.0)
    j1, j2 = jacobian(first, argnums=(0, 1))(X, 3.0)
    same(j1, np.eye(3))
    same(j2, np.zeros(3))


def test_derivative():
    same(ad.derivative(constant)(1.0), 0.0)
    same(ad.derivative(lambda x: x)(X), np.ones(3))
    same(ad.derivative(first, 1)(2.0, 3.0), 0.0)
    same(ad.derivative(second, 1)(2.0, 3.0), 1.0)


def test_hessian():
    same(ad.hessian(constant)(1.0), 0.0)
    same(ad.hessian(constant)(X), np.zeros((3, 3)))
    same(ad.hessian(lambda x: x)(1.0), 0.0)
    same(ad.hessian(lambda x: np.sum(x))(X), np.zeros((3, 3)))
    (h11, h12), (h21, h22) = ad.hessian(lambda x, y: x * x, argnums=(0, 1))(1.5, 2.0)
    same(h11, 2.0)
    for h in (h12, h21, h22):
        same(h, 0.0)
    (h11, h12), (h21, h22) = ad.hessian(first, argnums=(0, 1))(X[0], X)
    same(h11, 0.0)
    same(h12, np.zeros(3))
    same(h21, np.zeros(3))
    same(h22, np.zeros((3, 3)))


def test_hvp():
    (d,) = ad.hvp(constant, (1.0,), (1.0,))
    same(d, 0.0)
    (d,) = ad.hvp(lambda x: x, (1.0,), (1.0,))
    same(d, 0.0)
    d1, d2 = ad.hvp(lambda x, y: x * x, (1.5, 2.0), (1.0, 1.0))
    same(d1, 2.0)
    same(d2, 0.0)
    d1, d2 = ad.hvp(first, (2.0, X), (1.0, X))
    same(d1, 0.0)
    same(d2, np.zeros(3))


def test_check_grad():
    for f, point, want in [
        (constant, (1.0,), (0.0,)),
        (lambda x: x, (1.0,), (1.0,)),
        (first, (2.0, 3.0), (1.0, 0.0)),
        (second, (2.0, 3.0), (0.0, 1.0)),
    ]:
        result = ad.check_grad(f, *point)
        for estimate in (result.forward, result.reverse, result.central, result.complex_step):
            assert estimate == pytest.approx(want, abs=1e-12)
        assert result.max_error < 1e-9


@pytest.mark.parametrize("wrt", [0, 1])
def test_trace_of_a_function_that_returns_an_input(wrt):
    t = ad.trace(first, 2.0, 3.0, wrt=wrt)
    assert [u.op for u in t.units] == ["input", "input"]
    assert t.output.number == 1
    assert t.value == 2.0
    assert t.tangent == (1.0 if wrt == 0 else 0.0)
    assert t.gradient == (1.0, 0.0)
    assert t.adjoint_formula(1) == "1 (seed)"
    assert t.adjoint_formula(2) == "0"
    assert "1 (seed)" in t.to_text(mode="reverse")
    assert t.steps("reverse") == [1, 2]  # the reverse sweep starts at the output, w1
    assert t.steps("forward") == [1, 2]


def test_trace_of_a_function_that_returns_the_last_input_or_skips_one():
    t = ad.trace(second, 2.0, 3.0)
    assert t.output.number == 2
    assert (t.value, t.tangent, t.gradient) == (3.0, 0.0, (0.0, 1.0))
    t = ad.trace(lambda x1, x2, x3: x1 * x3, 2.0, 3.0, 4.0)
    assert t.output.op == "mul"
    assert (t.value, t.tangent, t.gradient) == (8.0, 4.0, (4.0, 0.0, 2.0))


def test_trace_of_a_constant_says_why_it_is_refused():
    with pytest.raises(ValueError, match=r"returns a constant \(3.0\) that depends on none"):
        ad.trace(constant, 1.0)


def test_checkpoint():
    same(ad.grad(ad.checkpoint(lambda x: x))(1.0), 1.0)
    same(ad.grad(ad.checkpoint(constant))(1.0), 0.0)
    same(ad.grad(lambda x: ad.checkpoint(first)(x, 2.0) * x)(3.0), 6.0)


def test_memory_and_operation_counts():
    from adlearn.cost import operation_count
    from adlearn.memory import Memory, measure

    # the tape holds the input entries and nothing else: no partial, no number kept
    assert measure(constant, 1.0) == Memory(1, 0, 1, 0)
    assert measure(first, 1.0, 2.0) == Memory(2, 0, 2, 0)
    count = operation_count(first, 2.0, 3.0)  # no operation at all
    assert (count.function, count.partials, count.forward_sweep) == (0, 0, 0)
