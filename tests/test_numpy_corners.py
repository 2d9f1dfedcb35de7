"""Corners where adlearn must give numpy's numbers (or numpy's error) in both modes:
exponents of any numeric type at base 0, fill values, axis arguments, results that
must not share memory with inputs, and the dtype of derivatives."""

from __future__ import annotations

import re

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from numpy.exceptions import AxisError

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
    assert np.isfinite(expected).all()
    assert np.isfinite(expected_h).all()
    np.testing.assert_allclose(ad.jacfwd(lambda x: x**exponents)(x), expected)
    np.testing.assert_allclose(ad.jacrev(lambda x: x**exponents)(x), expected)
    np.testing.assert_allclose(ad.hessian(lambda x: np.sum(x**exponents))(x), expected_h)
    np.testing.assert_allclose(ad.jacfwd(ad.jacfwd(lambda x: np.sum(x**exponents)))(x), expected_h)


# --- results never share memory with an input ----------------------------------------------


def test_aux_is_never_the_callers_array():
    w = np.array([1.0, 2.0])
    _, aux = ad.grad(lambda x: (np.sum(x), x), has_aux=True)(w)
    assert aux is not w
    assert not np.shares_memory(aux, w)
    np.testing.assert_array_equal(aux, w)
    (_, aux), _ = ad.value_and_grad(lambda x: (np.sum(x), {"x": x}), has_aux=True)(w)
    assert not np.shares_memory(aux["x"], w)
    aux["x"] *= 0  # the caller's array is untouched
    np.testing.assert_array_equal(w, [1.0, 2.0])


def test_an_input_returned_unchanged_is_a_copy_in_every_mode():
    w, v = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    y, t = ad.jvp(lambda x: x, (w,), (v,))
    assert not np.shares_memory(y, w)
    assert not np.shares_memory(t, v)
    y, vjp_fn = ad.vjp(lambda x: x, w)
    (back,) = vjp_fn(v)
    assert not np.shares_memory(y, w)
    assert not np.shares_memory(back, v)
    y, vjp_fn = ad.vjp(lambda x, c: (x, c), w, v)
    assert not any(np.shares_memory(a, b) for a in y for b in (w, v))


# --- axis arguments are checked as numpy checks them ----------------------------------------

AXIS_CASES = {  # (f, the name the error gives, the offending axis as the message spells it)
    "flip axis=2": (lambda X: np.flip(X, axis=2), "np.flip", "axis 2"),
    "flip axis=-3": (lambda X: np.flip(X, axis=-3), "np.flip", "axis -3"),
    "moveaxis to 5": (lambda X: np.moveaxis(X, 0, 5), "np.moveaxis", "axis 5"),
    "moveaxis twice to 0": (lambda X: np.moveaxis(X, [0, 1], [0, 0]), "np.moveaxis", "repeated"),
    "trace axis2=3": (lambda X: np.trace(X, 0, 0, 3), "np.trace", "axis 3"),
    "diagonal axis2=2": (lambda X: np.diagonal(X, 0, 0, 2), "np.diagonal", "axis 2"),
    "diagonal axis1=axis2": (lambda X: np.diagonal(X, 0, 1, -1), "np.diagonal", "same"),
    "norm inf axis=(0, 3)": (
        lambda X: np.linalg.norm(X, ord=np.inf, axis=(0, 3)),
        "np.linalg.norm",
        "axis 3",
    ),
    "norm 1 axis=(0, 2)": (
        lambda X: np.linalg.norm(X, ord=1, axis=(0, 2)),
        "np.linalg.norm",
        "axis 2",
    ),
    "norm axis=-3": (lambda X: np.linalg.norm(X, axis=-3), "np.linalg.norm", "axis -3"),
    "roll axis=2": (lambda X: np.roll(X, 1, axis=2), "np.roll", "axis 2"),
    "repeat axis=2": (lambda X: np.repeat(X, 2, axis=2), "np.repeat", "axis 2"),
    "mean axis=2": (lambda X: np.mean(X, axis=2), "np.mean", "axis 2"),
    "var axis=(0, 0)": (lambda X: np.var(X, axis=(0, 0)), "np.var", "repeated"),
    "std axis=-3": (lambda X: np.std(X, axis=-3), "np.std", "axis -3"),
    "sum axis=2": (lambda X: np.sum(X, axis=2), "np.sum", "axis 2"),
    "max axis=2": (lambda X: np.max(X, axis=2), "np.max", "axis 2"),
    "min axis=-3": (lambda X: np.min(X, axis=-3), "np.min", "axis -3"),
    "prod axis=2": (lambda X: np.prod(X, axis=2), "np.prod", "axis 2"),
    "cumsum axis=2": (lambda X: np.cumsum(X, axis=2), "np.cumsum", "axis 2"),
    # an ndarray method's error names the method, as the learner wrote it
    "x.sum axis=2": (lambda X: X.sum(axis=2), "x.sum", "axis 2"),
    "x.mean axis=-3": (lambda X: X.mean(axis=-3), "x.mean", "axis -3"),
    "x.max axis=2": (lambda X: X.max(axis=2), "x.max", "axis 2"),
    "x.min axis=-3": (lambda X: X.min(axis=-3), "x.min", "axis -3"),
    "x.prod axis=2": (lambda X: X.prod(axis=2), "x.prod", "axis 2"),
    "x.cumsum axis=2": (lambda X: X.cumsum(axis=2), "x.cumsum", "axis 2"),
    "x.var axis=(0, 0)": (lambda X: X.var(axis=(0, 0)), "x.var", "repeated"),
    "x.std axis=2": (lambda X: X.std(axis=2), "x.std", "axis 2"),
    "x.trace axis2=2": (lambda X: X.trace(0, 0, 2), "x.trace", "axis 2"),
    "x.diagonal axis1=-3": (lambda X: X.diagonal(0, -3, 1), "x.diagonal", "axis -3"),
    "x.diagonal axis1=axis2": (lambda X: X.diagonal(0, 0, -2), "x.diagonal", "same"),
    "x.repeat axis=-3": (lambda X: X.repeat(2, axis=-3), "x.repeat", "axis -3"),
    "x.squeeze axis=2": (lambda X: X.squeeze(axis=2), "x.squeeze", "axis 2"),
    "x.transpose (0, 2)": (lambda X: X.transpose(0, 2), "x.transpose", "axis 2"),
    "x.transpose (-3, 0)": (lambda X: X.transpose((-3, 0)), "x.transpose", "axis -3"),
    "squeeze axis=2": (lambda X: np.squeeze(X, axis=2), "np.squeeze", "axis 2"),
    "stack axis=3": (lambda X: np.stack([X, X], axis=3), "np.stack", "axis 3"),
    "concatenate axis=2": (lambda X: np.concatenate([X, X], axis=2), "np.concatenate", "axis 2"),
    "expand_dims axis=4": (lambda X: np.expand_dims(X, 4), "np.expand_dims", "axis 4"),
    "swapaxes axis2=2": (lambda X: np.swapaxes(X, 0, 2), "np.swapaxes", "axis 2"),
    "transpose (0, 2)": (lambda X: np.transpose(X, (0, 2)), "np.transpose", "axis 2"),
    "tensordot axes 2": (
        lambda X: np.tensordot(X, X, axes=([0, 2], [0, 1])),
        "np.tensordot",
        "axis 2",
    ),
}
AXIS_MODES = {
    "jacrev": lambda f, X: ad.jacrev(f)(X),
    "jacfwd": lambda f, X: ad.jacfwd(f)(X),
    "grad": lambda f, X: ad.grad(lambda X: np.sum(f(X)))(X),
    "jvp": lambda f, X: ad.jvp(f, (X,), (np.ones_like(X),)),
    "hessian": lambda f, X: ad.hessian(lambda X: np.sum(np.sin(f(X))))(X),
}


@pytest.mark.parametrize("mode", AXIS_MODES)
@pytest.mark.parametrize("case", AXIS_CASES)
def test_an_axis_numpy_refuses_is_refused_naming_the_function_and_axis(case, mode):
    f, name, axis = AXIS_CASES[case]
    X = np.arange(6.0).reshape(2, 3)
    if case != "tensordot axes 2":  # numpy's tensordot fails with a bare IndexError
        with pytest.raises(ValueError, match=r"axis|same"):  # numpy refuses it too
            f(X)
    with pytest.raises(ValueError, match=rf"^{name}\b.*{axis}"):
        AXIS_MODES[mode](f, X)


@pytest.mark.parametrize("case", [c for c in AXIS_CASES if "axis 2" in AXIS_CASES[c][2]])
def test_an_axis_out_of_range_is_numpys_axis_error(case):
    f = AXIS_CASES[case][0]
    with pytest.raises(AxisError):  # an IndexError too, as numpy's
        ad.jacrev(f)(np.arange(6.0).reshape(2, 3))


# --- an axis of a type numpy's reductions refuse is numpy's TypeError, naming the call ----------

AXIS_TYPE_CASES = {  # (f, how the message starts, what it says to write); X has shape (2, 3)
    "np.sum axis=True": (lambda X: np.sum(X, axis=True), "np.sum(..., axis=True)", "axis=1"),
    "x.sum axis=True": (lambda X: X.sum(axis=True), "x.sum(..., axis=True)", "axis=1"),
    "np.sum axis=[0, 1]": (lambda X: np.sum(X, axis=[0, 1]), "np.sum(..., axis=[0, 1])", "(0, 1)"),
    "x.max axis=False": (lambda X: X.max(axis=False), "x.max(..., axis=False)", "axis=0"),
    "np.mean axis=True": (lambda X: np.mean(X, axis=True), "np.mean(..., axis=True)", "axis=1"),
    "np.var axis=True": (lambda X: np.var(X, axis=True), "np.var(..., axis=True)", "axis=1"),
    "x.std axis=(0, True)": (lambda X: X.std(axis=(0, True)), "x.std(..., axis=True)", "axis=1"),
    "np.prod axis=np.True_": (
        lambda X: np.prod(X, axis=np.True_),
        "np.prod(..., axis=np.True_)",
        "axis=1",
    ),
    "np.min axis=1.0": (lambda X: np.min(X, axis=1.0), "np.min(..., axis=1.0)", "axis=0"),
    "x.cumsum axis=True": (lambda X: X.cumsum(axis=True), "x.cumsum(..., axis=True)", "axis=1"),
}


@pytest.mark.parametrize("mode", AXIS_MODES)
@pytest.mark.parametrize("case", AXIS_TYPE_CASES)
def test_an_axis_of_a_type_numpy_refuses_is_its_type_error_naming_the_call(case, mode):
    f, start, instead = AXIS_TYPE_CASES[case]
    X = np.arange(6.0).reshape(2, 3)
    with pytest.raises(TypeError):  # numpy refuses it too
        f(X)
    with pytest.raises(TypeError) as caught:
        AXIS_MODES[mode](f, X)
    message = str(caught.value)
    assert message.startswith(start), message
    assert "an axis is an int" in message, message
    assert instead in message, message


@pytest.mark.parametrize("mode", AXIS_MODES)
@pytest.mark.parametrize(
    "f",
    [lambda X: np.sum(X, axis=np.array(1)), lambda X: X.max(axis=np.array(-1)),
     lambda X: np.mean(X, axis=(np.array(1),)), lambda X: np.cumsum(X, axis=np.int8(1))],
    ids=["np.sum", "x.max", "np.mean", "np.cumsum"],
)  # fmt: skip
def test_an_axis_that_is_a_0d_integer_array_is_taken_as_numpy_takes_it(f, mode):
    X = np.arange(6.0).reshape(2, 3)
    along_1 = {  # the same call with the plain int 1
        "np.sum": lambda X: np.sum(X, axis=1), "x.max": lambda X: X.max(axis=1),
        "np.mean": lambda X: np.mean(X, axis=1), "np.cumsum": lambda X: np.cumsum(X, axis=1),
    }  # fmt: skip
    name = next(k for k, g in along_1.items() if np.array_equal(g(X), f(X)))
    np.testing.assert_allclose(AXIS_MODES[mode](f, X), AXIS_MODES[mode](along_1[name], X))


# --- a length numpy refuses is refused naming the function, the axis and its length -------------

LENGTH_CASES = {  # (f, how the message starts, what else it says); X has shape (2, 3)
    "squeeze axis=1": (lambda X: np.squeeze(X, axis=1), "np.squeeze: ", "axis 1, of length 3"),
    "x.squeeze axis=-2": (lambda X: X.squeeze(axis=-2), "x.squeeze: ", "axis -2, of length 2"),
    "x.squeeze axis=(2, 0)": (
        lambda X: X[:, :, None].squeeze(axis=(2, 0)),
        "x.squeeze: ",
        "axis 0, of length 2",
    ),
    "repeat 2 counts axis=1": (
        lambda X: np.repeat(X, [1, 2], axis=1),
        "np.repeat: ",
        "2 repeat counts for axis 1, of length 3",
    ),
    "x.repeat 3 counts axis=0": (
        lambda X: X.repeat([1, 2, 3], axis=0),
        "x.repeat: ",
        "3 repeat counts for axis 0, of length 2",
    ),
    "repeat 2 counts flattened": (
        lambda X: np.repeat(X, [1, 2]),
        "np.repeat: ",
        "2 repeat counts for the 6 entries of the flattened array",
    ),
}


@pytest.mark.parametrize("mode", AXIS_MODES)
@pytest.mark.parametrize("case", LENGTH_CASES)
def test_a_length_numpy_refuses_is_refused_naming_the_function_and_axis(case, mode):
    f, start, words = LENGTH_CASES[case]
    X = np.arange(6.0).reshape(2, 3)
    with pytest.raises(ValueError, match=r"squeeze|broadcast"):  # numpy refuses it too
        f(X)
    with pytest.raises(ValueError, match=f"^{re.escape(start)}.*{re.escape(words)}"):
        AXIS_MODES[mode](f, X)


def test_a_length_numpy_takes_is_taken():
    X = np.arange(6.0).reshape(2, 3)
    cases = [  # (f, the entries of X its result takes, in order)
        (lambda X: np.squeeze(X[:, None], axis=-2), [[0, 1, 2], [3, 4, 5]]),
        (lambda X: X[None, :, None].squeeze(), [[0, 1, 2], [3, 4, 5]]),
        (lambda X: X.repeat([2], axis=0), [[0, 1, 2], [0, 1, 2], [3, 4, 5], [3, 4, 5]]),
        (lambda X: np.repeat(X, [0, 1, 2], axis=1), [[1, 2, 2], [4, 5, 5]]),
        (lambda X: np.repeat(X[0], [1, 0, 2]), [0, 2, 2]),
    ]
    for f, taken in cases:
        np.testing.assert_array_equal(f(X), np.take(X, taken))  # what numpy gives
        J = ad.jacfwd(f)(X).reshape(-1, X.size)
        np.testing.assert_array_equal(J, np.eye(X.size)[np.ravel(taken)])
        np.testing.assert_array_equal(ad.jacrev(f)(X).reshape(-1, X.size), J)


# --- an ndarray method's other errors name the method too ---------------------------------------

METHOD_CASES = {  # (f, the error, how its message starts)
    "x.trace of a vector": (lambda X: X[0].trace(), ValueError, "x.trace: needs"),
    "np.trace of a vector": (lambda X: np.trace(X[0]), ValueError, "np.trace: needs"),
    "x.diagonal of a vector": (lambda X: X[0].diagonal(), ValueError, "x.diagonal: needs"),
    "np.diagonal of a vector": (lambda X: np.diagonal(X[0]), ValueError, "np.diagonal: needs"),
    "x.trace out=": (lambda X: X.trace(out=np.zeros(())), TypeError, "x.trace(..., out=...)"),
    "x.trace dtype=": (lambda X: X.trace(dtype=np.float16), TypeError, "x.trace(..., dtype=float16)"),
    "x.clip out=": (lambda X: X.clip(0.0, 1.0, out=np.zeros((2, 3))), TypeError, "x.clip(..., out=...)"),
    "np.clip out=": (
        lambda X: np.clip(X, 0.0, 1.0, out=np.zeros((2, 3))),
        TypeError,
        "np.clip(..., out=...)",
    ),
    "x.ravel order=": (lambda X: X.ravel(order="F"), TypeError, "x.ravel(..., order='F')"),
    "x.flatten order=": (lambda X: X.flatten("F"), TypeError, "x.flatten(..., order='F')"),
    "x.max of no entries": (lambda X: X[:0].max(), ValueError, "x.max: zero-size array"),
    "np.max of no entries": (lambda X: np.max(X[:, :0], axis=1), ValueError, "np.max: zero-size"),
    "x.min of no entries": (lambda X: X[:0].min(axis=0), ValueError, "x.min: zero-size array"),
    "np.amin of no entries": (lambda X: np.amin(X[:0]), ValueError, "np.min: zero-size array"),
}


@pytest.mark.parametrize("mode", AXIS_MODES)
@pytest.mark.parametrize("case", METHOD_CASES)
def test_an_ndarray_methods_error_names_the_method(case, mode):
    f, error, start = METHOD_CASES[case]
    with pytest.raises(error) as caught:
        AXIS_MODES[mode](f, np.arange(6.0).reshape(2, 3))
    assert str(caught.value).startswith(start), caught.value


def test_the_arguments_adlearn_supports_are_numpys_only():
    with pytest.raises(TypeError) as caught:  # numpy's np.clip takes ufunc keywords such as casting=
        ad.grad(lambda x: np.sum(np.clip(x, 0.0, 1.0, casting="unsafe")))(np.ones(3))
    message = str(caught.value)
    assert message.startswith("np.clip: adlearn supports it with the arguments (a, a_min"), message
    assert "name" not in message, message  # the name adlearn's own errors give is not an argument


# --- np.trace takes numpy's dtype= and out= where they change nothing --------------------------

TRACE_CALLS = {
    "dtype=float": lambda X: np.trace(X, dtype=float),
    "dtype=np.float64": lambda X: np.trace(X, dtype=np.float64),
    "out=None": lambda X: np.trace(X, out=None),
    "all six positionally": lambda X: np.trace(X, 0, 0, 1, None, None),
    "x.trace dtype and out": lambda X: X.trace(dtype=float, out=None),
}
TRACE_MODES = {  # reverse and forward
    "grad": lambda f, X: ad.grad(f)(X),
    "jacrev": lambda f, X: ad.jacrev(f)(X),
    "jacfwd": lambda f, X: ad.jacfwd(f)(X),
    "jvp columns": lambda f, X: np.array(
        [ad.jvp(f, (X,), (e.reshape(X.shape),))[1] for e in np.eye(X.size)]
    ).reshape(X.shape),
}


@pytest.mark.parametrize("mode", TRACE_MODES)
@pytest.mark.parametrize("call", TRACE_CALLS)
def test_trace_takes_numpys_dtype_and_out_where_they_change_nothing(call, mode):
    X = np.arange(6.0).reshape(2, 3)
    f = TRACE_CALLS[call]
    assert f(X) == 4.0  # numpy takes them: X[0, 0] + X[1, 1]
    np.testing.assert_array_equal(TRACE_MODES[mode](f, X), [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


WHERE_TRUE_CALLS = {  # True in each of numpy's spellings selects every entry
    "np.sum where=np.True_": lambda X: np.sum(X, where=np.True_),
    "x.sum where=np.True_": lambda X: X.sum(where=np.True_),
    "np.mean where=np.array(True)": lambda X: np.mean(X, where=np.array(True)) * 6,
    "np.sum where=True": lambda X: np.sum(X, where=True),
}


@pytest.mark.parametrize("mode", TRACE_MODES)
@pytest.mark.parametrize("call", WHERE_TRUE_CALLS)
def test_a_where_that_is_true_in_any_spelling_changes_nothing(call, mode):
    X = np.arange(6.0).reshape(2, 3)
    f = WHERE_TRUE_CALLS[call]
    assert f(X) == 15.0  # numpy takes it: the sum of every entry
    np.testing.assert_array_equal(TRACE_MODES[mode](f, X), np.ones((2, 3)))


@pytest.mark.parametrize("mode", TRACE_MODES)
def test_trace_takes_the_dtype_of_its_input(mode):
    X = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    got = TRACE_MODES[mode](lambda X: np.trace(X, dtype=np.float32), X)
    np.testing.assert_array_equal(got, [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


@pytest.mark.parametrize("mode", TRACE_MODES)
@pytest.mark.parametrize(
    ("f", "words"),
    [
        (lambda X: np.trace(X, dtype=np.float32), "np.trace(..., dtype=float32)"),
        (lambda X: np.trace(X, out=np.zeros(())), "np.trace(..., out=...)"),
    ],
    ids=["dtype=float32", "out=array"],
)
def test_trace_refuses_a_dtype_or_out_that_would_change_something(f, words, mode):
    with pytest.raises(TypeError) as caught:
        TRACE_MODES[mode](f, np.arange(6.0).reshape(2, 3))
    assert str(caught.value).startswith(words), caught.value


# --- np.full_like keeps the derivative of its fill value -------------------------------------


def _filled(x):
    return np.sum(np.full_like(x, x[0]) * x)  # = x[0] * sum(x)


@pytest.mark.parametrize("mode", ["grad", "jacrev", "jacfwd", "vjp", "jvp columns"])
def test_full_like_differentiates_its_fill_value(mode):
    x = np.array([0.4, 1.6, -2.5, 3.0])
    expected = np.full(4, x[0])  # d/dx_i of x[0] * sum(x): x[0], plus sum(x) for i = 0
    expected[0] += np.sum(x)
    got = {
        "grad": lambda: ad.grad(_filled)(x),
        "jacrev": lambda: ad.jacrev(_filled)(x),
        "jacfwd": lambda: ad.jacfwd(_filled)(x),
        "vjp": lambda: ad.vjp(_filled, x)[1](1.0)[0],
        "jvp columns": lambda: np.array([ad.jvp(_filled, (x,), (e,))[1] for e in np.eye(4)]),
    }[mode]()
    np.testing.assert_allclose(got, expected)  # [2.9, 0.4, 0.4, 0.4]


def test_full_like_second_order_and_a_constant_fill():
    x = np.array([0.4, 1.6, -2.5])
    expected = np.zeros((3, 3))  # the Hessian of x[0] * sum(x): 2 at (0, 0), 1 on row and column 0
    expected[0, :] += 1.0
    expected[:, 0] += 1.0
    np.testing.assert_allclose(ad.hessian(_filled)(x), expected)
    np.testing.assert_allclose(ad.jacfwd(ad.jacfwd(_filled))(x), expected)
    np.testing.assert_allclose(ad.grad(lambda x: np.sum(np.full_like(x, 2.5) * x))(x), 2.5)
    # with a shape of its own: sum of 4 copies of x[1]
    np.testing.assert_allclose(
        ad.grad(lambda x: np.sum(np.full_like(x, x[1], shape=(2, 2))))(x), [0.0, 4.0, 0.0]
    )


@pytest.mark.parametrize("make", [ad.grad, ad.derivative])
@pytest.mark.parametrize(
    "f",
    [lambda a: np.full_like(np.ones(3), a), lambda a: np.full(3, a),
     lambda a: np.full((2, 2), a, dtype=float)],
    ids=["full_like of a plain array", "full", "full with dtype"],
)  # fmt: skip
def test_filling_a_plain_array_says_what_to_write_instead(make, f):
    with pytest.raises(TypeError, match=r"^np\.full(_like)?: .*np\.broadcast_to\(x, shape\)"):
        make(lambda a: np.sum(f(a)))(2.0)


@pytest.mark.parametrize("make", [ad.grad, ad.derivative])
@pytest.mark.parametrize(
    ("f", "start"),
    [(lambda a: np.full_like(np.ones(3), a), "np.full_like: "), (lambda a: np.full(3, a), "np.full: "),
     (lambda a: np.full(3, a, dtype=float), "np.full: ")],
    ids=["full_like", "full", "full with dtype"],
)  # fmt: skip
def test_filling_a_plain_array_names_the_function_called(make, f, start):
    with pytest.raises(TypeError) as caught:
        make(lambda a: np.sum(f(a)))(2.0)
    assert str(caught.value).startswith(start), caught.value


@pytest.mark.parametrize("mode", ["grad", "jacfwd"])
def test_copyto_into_a_plain_array_names_copyto(mode):
    def f(x):
        buf = np.zeros(3)
        np.copyto(buf, x)
        return np.sum(buf)

    with pytest.raises(TypeError) as caught:
        getattr(ad, mode)(f)(np.array([1.0, 2.0, 3.0]))
    message = str(caught.value)
    assert message.startswith("np.copyto(dst, x): writing a value being differentiated"), message
    assert "np.full" not in message, message
    assert "np.broadcast_to(x, dst.shape)" in message, message


# --- a derivative has the floating dtype of its input ------------------------------------------

DTYPE_CASES = {
    "x * x": lambda x: np.sum(x * x),
    "2 * x": lambda x: np.sum(2 * x),
    "sin": lambda x: np.sum(np.sin(x)),
    "sum": np.sum,
    "mean": np.mean,
    "max": np.max,
    "x @ x": lambda x: x @ x,
    "a float64 constant": lambda x: np.sum(np.arange(3.0) * x),
    "x[0] only": lambda x: x[0] ** 2,
}
DTYPE_MODES = {
    "grad": lambda f, x: ad.grad(f)(x),
    "value_and_grad": lambda f, x: ad.value_and_grad(f)(x)[1],
    "vjp": lambda f, x: ad.vjp(f, x)[1](1.0)[0],
    "jacrev": lambda f, x: ad.jacrev(f)(x),
    "hessian": lambda f, x: ad.hessian(f)(x),
    "jacrev of grad": lambda f, x: ad.jacrev(ad.grad(f))(x),
    "jacfwd of grad": lambda f, x: ad.jacfwd(ad.grad(f))(x),
    "hvp": lambda f, x: ad.hvp(f, (x,), (np.ones_like(x),))[0],
    "grad, containers": lambda f, x: ad.grad(lambda p: f(p["x"]))({"x": x})["x"],
}


@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.float64])
@pytest.mark.parametrize("mode", DTYPE_MODES)
@pytest.mark.parametrize("case", DTYPE_CASES)
def test_a_gradient_has_its_inputs_floating_dtype(case, mode, dtype):
    x = np.array([1.0, 2.0, 3.0], dtype=dtype)
    got = DTYPE_MODES[mode](DTYPE_CASES[case], x)
    assert isinstance(got, np.ndarray)
    assert got.dtype == dtype  # as JAX's grad, jacrev, hessian


@pytest.mark.parametrize("case", DTYPE_CASES)
def test_a_tangent_has_its_outputs_floating_dtype(case):
    f = DTYPE_CASES[case]
    x = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    g = lambda x: f(x) * x  # an array output, float32 where numpy keeps it so
    dtype = np.result_type(g(x))
    assert ad.jvp(g, (x,), (np.ones(3, np.float32),))[1].dtype == dtype
    assert ad.derivative(g)(x).dtype == dtype
    assert ad.jacfwd(g)(x).dtype == dtype  # as JAX's jacfwd: the output's dtype
    assert ad.jacfwd(f)(x).dtype == np.result_type(f(x))


def test_float32_derivatives_keep_their_values():
    x = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    np.testing.assert_allclose(ad.grad(lambda x: x @ x)(x), 2 * x)
    np.testing.assert_allclose(ad.hessian(lambda x: x @ x)(x), 2 * np.eye(3))
    g = ad.grad(lambda x: x * 3.0)(2.0)  # a float input: a Python float
    assert type(g) is float
    assert g == 3.0
