"""Corners where adlearn must give numpy's numbers (or numpy's error) in both modes:
exponents of any numeric type at base 0, fill values, axis arguments, results that
must not share memory with inputs, and the dtype of derivatives."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import adlearn as ad

FIRST_ORDER = {  # d/dx of a scalar function at a float, in each mode
    "grad": lambda f: ad.grad(f),
    "derivative": lambda f: ad.derivative(f),
    "jvp": lambda f: lambda x: ad.jvp(f, (x,), (1.0,))[1],
    "vjp": lambda f: lambda x: ad.vjp(f, x)[1](1.0)[0],
    "jacfwd": lambda f: ad.jacfwd(f),
    "jacrev": lambda f: ad.jacrev(f),
}
SECOND_ORDER = {  # d2/dx2: forward over reverse, reverse over reverse, forward over forward
    "hessian": lambda f: ad.hessian(f),
    "grad of grad": lambda f: ad.grad(ad.grad(f)),
    "derivative of derivative": lambda f: ad.derivative(ad.derivative(f)),
}

# --- exponents: d(x**b)/dx is 0 where b is 0, whatever the type of b ----------------------

_C = np.array([1.0, 2.0, 3.0, 4.0])


def _polynomial(x):
    return sum(_C[k] * x**k for k in np.arange(4))  # k is an np.int64


EXPONENT_CASES = {
    "polynomial with np.int64 powers": _polynomial,
    "x**np.int64(0)": lambda x: x ** np.int64(0),
    "x**np.float32(0)": lambda x: x ** np.float32(0),
    "x**np.float64(0)": lambda x: x ** np.float64(0),
    "x**np.int64(1)": lambda x: x ** np.int64(1),
    "x**np.int32(2)": lambda x: x ** np.int32(2),
    "x**np.uint8(3)": lambda x: x ** np.uint8(3),
    "x**0": lambda x: x**0,
    "x**1.0": lambda x: x**1.0,
}


@pytest.mark.parametrize("mode", FIRST_ORDER)
@pytest.mark.parametrize("case", EXPONENT_CASES)
def test_a_constant_exponent_of_any_type_at_base_zero(case, mode):
    f = EXPONENT_CASES[case]
    expected = autograd.grad(f)(0.0)  # autograd guards the exponent 0 (anp.where(y, y - 1, 1))
    assert np.isfinite(expected)
    assert float(FIRST_ORDER[mode](f)(0.0)) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("mode", SECOND_ORDER)
@pytest.mark.parametrize("case", EXPONENT_CASES)
def test_a_constant_exponent_of_any_type_at_base_zero_second_order(case, mode):
    f = EXPONENT_CASES[case]
    expected = autograd.grad(autograd.grad(f))(0.0)
    assert np.isfinite(expected)
    assert float(SECOND_ORDER[mode](f)(0.0)) == pytest.approx(expected, abs=1e-12)


def test_the_polynomial_has_the_coefficients_as_its_derivatives():
    # c0 + c1 x + c2 x^2 + c3 x^3 at 0: f' = c1 = 2, f'' = 2 c2 = 6 (by hand, not from any code)
    assert ad.grad(_polynomial)(0.0) == 2.0
    assert ad.hessian(_polynomial)(0.0) == 6.0
    assert ad.derivative(_polynomial)(0.0) == 2.0


@pytest.mark.parametrize("exponents", [np.array([0, 1, 2, 3]), np.array([0.0, 1.0, 2.0, 3.0]),
                                       np.array([0, 1, 2, 3], dtype=np.int32)])  # fmt: skip
def test_an_exponent_array_with_some_zeros_at_base_zero(exponents):
    x = np.zeros(4)
    expected = autograd.jacobian(lambda x: x**exponents)(x)
    expected_h = autograd.hessian(lambda x: anp.sum(x**exponents))(x)
    assert np.isfinite(expected).all() and np.isfinite(expected_h).all()
    np.testing.assert_allclose(ad.jacfwd(lambda x: x**exponents)(x), expected)
    np.testing.assert_allclose(ad.jacrev(lambda x: x**exponents)(x), expected)
    np.testing.assert_allclose(ad.hessian(lambda x: np.sum(x**exponents))(x), expected_h)
    np.testing.assert_allclose(
        ad.jacfwd(ad.jacfwd(lambda x: np.sum(x**exponents)))(x), expected_h
    )


# --- results never share memory with an input ----------------------------------------------


def test_aux_is_never_the_callers_array():
    w = np.array([1.0, 2.0])
    g, aux = ad.grad(lambda x: (np.sum(x), x), has_aux=True)(w)
    assert aux is not w and not np.shares_memory(aux, w)
    np.testing.assert_array_equal(aux, w)
    (value, aux), g = ad.value_and_grad(lambda x: (np.sum(x), {"x": x}), has_aux=True)(w)
    assert not np.shares_memory(aux["x"], w)
    aux["x"] *= 0  # the caller's array is untouched
    np.testing.assert_array_equal(w, [1.0, 2.0])


def test_an_input_returned_unchanged_is_a_copy_in_every_mode():
    w, v = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    y, t = ad.jvp(lambda x: x, (w,), (v,))
    assert not np.shares_memory(y, w) and not np.shares_memory(t, v)
    y, vjp_fn = ad.vjp(lambda x: x, w)
    (back,) = vjp_fn(v)
    assert not np.shares_memory(y, w) and not np.shares_memory(back, v)
    y, vjp_fn = ad.vjp(lambda x, c: (x, c), w, v)
    assert not any(np.shares_memory(a, b) for a in y for b in (w, v))
