"""adlearn against a reference library: HIPS autograd, on random inputs.

Every numpy function, ufunc, operator and array method that adlearn
differentiates has at least one case below. A case is written once, as a
function of the numpy module ``m``: adlearn runs it with numpy, the oracle with
``autograd.numpy`` (a case gives the oracle its own spelling only where autograd
lacks the function or gets it wrong). Inputs are drawn, with a seeded generator,
inside the function's domain and away from its corners.

For each case the tests compare, with autograd's:

- values, shapes and dtypes, as seen through both modes;
- first order: ``jacfwd`` and ``jacrev`` against autograd's Jacobian, ``jvp``
  and ``vjp`` along random directions;
- second order: the Hessian of ``sum(w * sin(f))`` (forward over reverse) and
  a Hessian-vector product by reverse over reverse.

``test_every_function_has_an_oracle_case`` fails when the rule table gains a
rule, or the dispatch tables a function, that no case here exercises.
"""

from __future__ import annotations

import operator
import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import adlearn as ad
from adlearn.numpy_api import BY_FUNCTION, BY_UFUNC
from adlearn.rules import RULES

RTOL, ATOL = 1e-9, 1e-11


# --- inputs ------------------------------------------------------------------------


@dataclass(frozen=True)
class Draw:
    """Where to draw an argument: uniform in [lo, hi] (or ±[lo, hi] if ``signed``);
    ``kind="matrix"``: square matrices close to the identity (well conditioned)."""

    shape: tuple[int, ...] = ()
    lo: float = -2.0
    hi: float = 2.0
    signed: bool = False
    kind: str = "uniform"

    def sample(self, rng):
        if self.kind == "matrix":
            n = self.shape[-1]
            return np.eye(n) + 0.3 * rng.normal(size=self.shape)
        x = rng.uniform(self.lo, self.hi, size=self.shape)
        if self.signed:
            x = x * rng.choice([-1.0, 1.0], size=self.shape)
        return float(x) if self.shape == () else x


def real(*shape, lo=-2.0, hi=2.0):
    return Draw(shape, lo, hi)


def away(*shape, lo=0.2, hi=2.0):
    """Away from 0, both signs."""
    return Draw(shape, lo, hi, signed=True)


def positive(*shape, lo=0.2, hi=2.0):
    return Draw(shape, lo, hi)


def matrix(*shape):
    return Draw(shape, kind="matrix")


# --- the cases ------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One way of calling ``func``: ``fn(m, *args)`` with m numpy or autograd.numpy."""

    func: object  # the numpy function, ufunc, operator or method name it exercises
    label: str
    fn: Callable
    draws: tuple[Draw, ...]
    oracle: Callable | None = None  # autograd's spelling, where it differs

    @property
    def id(self) -> str:
        return f"{_name(self.func)}-{self.label}"


def _name(func) -> str:
    if isinstance(func, str):
        return func
    module = getattr(func, "__module__", None) or "numpy"
    parts = [p for p in module.split(".")[1:] if not p.startswith("_")]
    return ".".join(["np", *parts, func.__name__])


X34, X3, X234 = real(3, 4), real(3), real(2, 3, 4)
B42 = np.arange(8.0).reshape(4, 2) / 5 - 0.7

CASES = [
    # operators and elementwise ufuncs
    Case(operator.add, "broadcast", lambda m, a, b: a + b, (real(3, 1), real(4))),
    Case(np.add, "np", lambda m, a, b: m.add(a, b), (X34, X34)),
    Case(operator.sub, "broadcast", lambda m, a, b: a - b, (real(2, 3), real(3))),
    Case(np.subtract, "np", lambda m, a, b: m.subtract(a, b), (X3, real())),
    Case(operator.mul, "broadcast", lambda m, a, b: a * b, (real(3, 1), real(1, 4))),
    Case(np.multiply, "np", lambda m, a, b: m.multiply(a, b), (X34, X34)),
    Case(operator.truediv, "broadcast", lambda m, a, b: a / b, (X34, away(4))),
    Case(np.true_divide, "np", lambda m, a, b: m.true_divide(a, b), (real(), away(3))),
    Case(operator.neg, "", lambda m, x: -x, (X34,)),
    Case(np.negative, "", lambda m, x: m.negative(x), (X3,)),
    Case(operator.pow, "both", lambda m, a, b: a**b, (positive(3, 4), real(4))),
    Case(operator.pow, "integer", lambda m, x: x**3, (X34,)),
    Case(np.power, "np", lambda m, a, b: m.power(a, b), (positive(3), real(3))),
    Case(np.sin, "", lambda m, x: m.sin(x), (X34,)),
    Case(np.cos, "", lambda m, x: m.cos(x), (X34,)),
    Case(np.tan, "", lambda m, x: m.tan(x), (real(3, 4, lo=-1.2, hi=1.2),)),
    Case(np.exp, "", lambda m, x: m.exp(x), (X34,)),
    Case(np.log, "", lambda m, x: m.log(x), (positive(3, 4),)),
    Case(np.sqrt, "", lambda m, x: m.sqrt(x), (positive(3, 4),)),
    Case(np.tanh, "", lambda m, x: m.tanh(x), (X34,)),
    Case(np.sinh, "", lambda m, x: m.sinh(x), (X34,)),
    Case(np.cosh, "", lambda m, x: m.cosh(x), (X34,)),
    Case(np.absolute, "", lambda m, x: m.abs(x), (away(3, 4),)),
    Case(operator.abs, "", lambda m, x: abs(x), (away(3, 4),)),
    Case(np.arcsin, "", lambda m, x: m.arcsin(x), (real(3, 4, lo=-0.9, hi=0.9),)),
    Case(np.arccos, "", lambda m, x: m.arccos(x), (real(3, 4, lo=-0.9, hi=0.9),)),
    Case(np.arctan, "", lambda m, x: m.arctan(x), (X34,)),
    Case(np.log1p, "", lambda m, x: m.log1p(x), (real(3, 4, lo=-0.8, hi=3.0),)),
    Case(np.expm1, "", lambda m, x: m.expm1(x), (X34,)),
    Case(np.square, "", lambda m, x: m.square(x), (X34,)),
    Case(np.maximum, "broadcast", lambda m, a, b: m.maximum(a, b), (X34, real(4))),
    Case(np.minimum, "broadcast", lambda m, a, b: m.minimum(a, b), (real(3, 1), real(4))),
    Case(np.sign, "", lambda m, x: m.sign(x) * x, (away(3, 4),)),
    # reductions and structure
    Case(np.sum, "all", lambda m, x: m.sum(x), (X34,)),
    Case(np.sum, "axis keepdims", lambda m, x: m.sum(x, axis=1, keepdims=True), (X234,)),
    Case(np.sum, "axes", lambda m, x: m.sum(x, axis=(0, 2)), (X234,)),
    Case("x.sum", "axis", lambda m, x: x.sum(axis=0), (X34,)),
    Case(np.mean, "all", lambda m, x: m.mean(x), (X34,)),
    Case(np.mean, "axis", lambda m, x: m.mean(x, axis=-1, keepdims=True), (X234,)),
    Case("x.mean", "axis", lambda m, x: x.mean(axis=0), (X34,)),
    Case(np.dot, "matrix vector", lambda m, a, b: m.dot(a, b), (X34, real(4))),
    Case(np.dot, "vector vector", lambda m, a, b: m.dot(a, b), (X3, X3)),
    Case(np.dot, "scalar", lambda m, a, b: m.dot(a, b), (real(), X3)),
    # (a constant's method, B.dot(x), is numpy's own: it cannot see a traced x)
    Case("x.dot", "", lambda m, x: x.dot(B42), (X34,), lambda m, x: m.dot(x, B42)),
    Case(np.matmul, "np", lambda m, a, b: m.matmul(a, b), (X234, real(4, 2))),
    Case(operator.matmul, "batched", lambda m, a, b: a @ b, (real(2, 3, 4), real(2, 4, 2))),
    Case(operator.matmul, "vector", lambda m, a, b: a @ b, (real(4), real(2, 4, 3))),
    Case(np.reshape, "", lambda m, x: m.reshape(x, (4, 3)), (X34,)),
    Case("x.reshape", "", lambda m, x: x.reshape(2, -1), (X34,)),
    Case(np.transpose, "axes", lambda m, x: m.transpose(x, (1, 2, 0)), (X234,)),
    Case("x.transpose", "", lambda m, x: x.transpose(), (X34,)),
    Case("x.T", "", lambda m, x: x.T, (X34,)),
    Case(np.swapaxes, "", lambda m, x: m.swapaxes(x, 0, 2), (X234,)),
    Case(np.expand_dims, "", lambda m, x: m.expand_dims(x, 1), (X34,)),
    Case(
        np.broadcast_to,
        "leading axis",
        lambda m, x: m.broadcast_to(x, (2, 3, 4)),
        (real(3, 1),),
        lambda m, x: x * m.ones((2, 3, 4)),  # autograd's cannot add leading axes
    ),
    Case(np.where, "condition from values", lambda m, a, b: m.where(a > b, a, b), (X34, X34)),
    Case(np.stack, "axis 1", lambda m, a, b: m.stack([a, b * a], axis=1), (X3, X3)),
    Case(np.concatenate, "axis -1", lambda m, a, b: m.concatenate([a, b], -1), (X34, real(3, 2))),
    Case("x[...]", "slices", lambda m, x: x[1:, ::2], (X34,)),
    Case("x[...]", "repeated indices", lambda m, x: x[np.array([0, 2, 0])], (X34,)),
    Case("x[...]", "newaxis, ellipsis", lambda m, x: x[None, ..., 1], (X234,)),
]

CASE_IDS = [c.id for c in CASES]
#: numpy functions whose result is not differentiated (plain values, like a
#: comparison): they have cases in test_plain_results below, not here.
PLAIN = {np.shape, np.ndim, np.size}


def rng_for(*keys) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(repr(keys).encode()))


def draw(case, salt=""):
    rng = rng_for(case.id, salt)
    return [d.sample(rng) for d in case.draws]


def ours(case):
    return lambda *a: case.fn(np, *a)


def theirs(case):
    fn = case.oracle or case.fn
    return lambda *a: fn(anp, *a)


def random_like(rng, x):
    return rng.normal(size=np.shape(x)) if np.ndim(x) else float(rng.normal())


def assert_close(actual, expected, what):
    """Same shape, a float dtype, and the same numbers (nan where autograd has nan)."""
    assert np.shape(actual) == np.shape(expected), what
    assert np.result_type(actual).kind == "f", f"{what}: dtype {np.result_type(actual)}"
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL, err_msg=what)


def quietly(derivative, *args):
    """Call one of autograd's derivatives, which warns when f does not depend on x."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Output seems independent of input")
        return derivative(*args)


def oracle_jacobian(fn, args, n):
    """autograd's Jacobian of fn with respect to args[n]: y.shape + x.shape."""
    return np.asarray(quietly(autograd.jacobian(fn, n), *args), dtype=float)


# --- values, first order -----------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_values_shapes_and_dtypes(case):
    """Inside both modes f computes numpy's value, of numpy's shape and dtype."""
    args = draw(case)
    expected = case.fn(np, *args)
    assert_close(theirs(case)(*args), expected, "autograd's own value")
    directions = tuple(random_like(rng_for(case.id, "v"), a) for a in args)
    value, _ = ad.jvp(ours(case), tuple(args), directions)
    for got, mode in ((value, "forward"), (ad.vjp(ours(case), *args)[0], "reverse")):
        assert np.shape(got) == np.shape(expected), mode
        assert np.result_type(got) == np.result_type(expected), mode
        np.testing.assert_allclose(got, expected, rtol=1e-15, atol=0, err_msg=mode)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_jacobians(case):
    """jacfwd (one forward sweep per input entry) and jacrev (one backward sweep
    per output entry) give autograd's Jacobian, for every argument."""
    args = draw(case)
    nums = tuple(range(len(args)))
    forward = ad.jacfwd(ours(case), nums)(*args)
    reverse = ad.jacrev(ours(case), nums)(*args)
    for n in nums:
        expected = oracle_jacobian(theirs(case), args, n)
        assert_close(forward[n], expected, f"jacfwd, argument {n}")
        assert_close(reverse[n], expected, f"jacrev, argument {n}")


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_jvp_and_vjp_along_random_directions(case):
    args = draw(case, "point")
    rng = rng_for(case.id, "directions")
    v = tuple(random_like(rng, a) for a in args)
    _, tangent = ad.jvp(ours(case), tuple(args), v)
    y, vjp_fn = ad.vjp(ours(case), *args)
    u = random_like(rng, y)
    pulled = vjp_fn(u)
    expected_tangent = 0.0
    for n, (a, d) in enumerate(zip(args, v)):
        jac = oracle_jacobian(theirs(case), args, n)
        expected_tangent = expected_tangent + np.tensordot(jac, d, axes=np.ndim(a))
        expected_pull = np.tensordot(u, jac, axes=np.ndim(y))
        assert_close(pulled[n], expected_pull, f"vjp, argument {n}")
    assert_close(tangent, expected_tangent, "jvp")


# --- second order ------------------------------------------------------------------------


def scalarized(case, m, w):
    """sum(w * sin(f)): a scalar whose Hessian needs f's second derivatives."""
    fn = case.fn if m is np else case.oracle or case.fn
    return lambda *a: m.sum(w * m.sin(fn(m, *a)))


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_hessians(case):
    """ad.hessian (forward over reverse) against autograd's Hessian, every block."""
    args = draw(case)
    w = random_like(rng_for(case.id, "w"), case.fn(np, *args))
    nums = tuple(range(len(args)))
    hessian = ad.hessian(scalarized(case, np, w), nums)(*args)
    s = scalarized(case, anp, w)
    for i in nums:
        for j in nums:
            expected = oracle_jacobian(autograd.grad(s, i), args, j)
            assert_close(hessian[i][j], expected, f"hessian block {i}, {j}")


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_hessian_vector_product_reverse_over_reverse(case):
    args = draw(case, "hvp")
    rng = rng_for(case.id, "hvp directions")
    w = random_like(rng, case.fn(np, *args))
    v = [random_like(rng, a) for a in args]
    nums = tuple(range(len(args)))
    gradient = ad.grad(scalarized(case, np, w), nums)
    hv = ad.grad(lambda *a: sum(np.sum(g * d) for g, d in zip(gradient(*a), v)), nums)(*args)
    s = scalarized(case, anp, w)
    for i in nums:
        expected = 0.0
        for j in nums:
            block = oracle_jacobian(autograd.grad(s, i), args, j)
            expected = expected + np.tensordot(block, v[j], axes=np.ndim(args[j]))
        assert_close(hv[i], expected, f"reverse over reverse, argument {i}")


# --- coverage -----------------------------------------------------------------------------


def _rules_used(case) -> set[str]:
    args = draw(case)
    w = random_like(rng_for(case.id, "w"), case.fn(np, *args))
    return {u.op for u in ad.trace(lambda *a: np.sum(w * case.fn(np, *a)), *args).units}


def test_every_function_has_an_oracle_case():
    """A function or rule added to adlearn's tables without a case here fails."""
    exercised = {c.func for c in CASES}
    missing = [_name(f) for f in [*BY_UFUNC, *BY_FUNCTION] if f not in exercised | PLAIN]
    assert missing == [], "add oracle cases for these"
    used = set().union(*(_rules_used(c) for c in CASES))
    internal = {"index_add", "sum_to"}  # only reached from other rules' derivatives
    assert set(RULES) - used - internal == set(), "no oracle case reaches these rules"


# --- random compositions ---------------------------------------------------------------------

#: name -> f(m, a, b) on arrays of shape (2, 3), kept inside every domain and
#: away from corners (log of 1 + a^2, not of a).
STEPS = {
    "add": lambda m, a, b: a + b,
    "mul": lambda m, a, b: a * b,
    "div": lambda m, a, b: a / (1.0 + b * b),
    "sin": lambda m, a, b: m.sin(a),
    "tanh": lambda m, a, b: m.tanh(a * b),
    "exp": lambda m, a, b: m.exp(m.sin(a)),
    "log": lambda m, a, b: m.log(1.0 + a * a),
    "sqrt": lambda m, a, b: m.sqrt(1.0 + a * a),
    "pow": lambda m, a, b: (1.0 + a * a) ** m.cos(b),
    "sum": lambda m, a, b: m.sum(a, axis=0, keepdims=True) * b,
    "mean": lambda m, a, b: m.mean(a * b, axis=1, keepdims=True) + a,
    "matmul": lambda m, a, b: m.dot(a, m.transpose(b)) @ a / 3.0,
    "transpose": lambda m, a, b: m.reshape(m.transpose(a), (2, 3)) - b,
    "index": lambda m, a, b: a[:, ::-1] * b[::-1],
    "stack": lambda m, a, b: m.concatenate([a[:, :2], b[:, 2:]], axis=1),
}

programs = st.lists(
    st.tuples(st.sampled_from(sorted(STEPS)), st.integers(0, 20), st.integers(0, 20)),
    min_size=1,
    max_size=6,
)


def run(program, m, x1, x2):
    values = [x1, x2]
    for name, i, j in program:
        values.append(STEPS[name](m, values[i % len(values)], values[j % len(values)]))
    return m.sum(m.sin(values[-1]))


@settings(max_examples=60, deadline=None)
@given(program=programs, seed=st.integers(0, 2**32 - 1))
def test_random_compositions_against_autograd(program, seed):
    rng = np.random.default_rng(seed)
    x1, x2, v1, v2 = rng.uniform(-1.5, 1.5, size=(4, 2, 3))

    def ours_f(a, b):
        return run(program, np, a, b)

    def theirs_f(a, b):
        return run(program, anp, a, b)

    value, grads = ad.value_and_grad(ours_f, (0, 1))(x1, x2)
    expected = [quietly(autograd.grad(theirs_f, n), x1, x2) for n in (0, 1)]
    np.testing.assert_allclose(value, theirs_f(x1, x2), rtol=1e-12)
    for g, e in zip(grads, expected):
        assert_close(g, e, "reverse")
    _, tangent = ad.jvp(ours_f, (x1, x2), (v1, v2))
    expected_tangent = np.sum(expected[0] * v1) + np.sum(expected[1] * v2)
    np.testing.assert_allclose(tangent, expected_tangent, rtol=1e-9, atol=1e-11)
    hv = ad.hvp(ours_f, (x1, x2), (v1, v2))

    def directional(a, b):
        grads = [quietly(autograd.grad(theirs_f, n), a, b) for n in (0, 1)]
        return anp.sum(grads[0] * v1) + anp.sum(grads[1] * v2)

    expected_hv = [quietly(autograd.grad(directional, n), x1, x2) for n in (0, 1)]
    for h, e in zip(hv, expected_hv):
        assert_close(h, e, "hessian-vector product")
