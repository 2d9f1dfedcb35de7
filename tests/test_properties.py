"""Property-based tests: random compositions of primitives on random inputs.

A program is a short list of steps; each step applies one operation to two
earlier values (the inputs x1 and x2 are the first two) and appends the
result. Operations that are singular somewhere are applied in a guarded form
(``log(1 + a*a)``); operations with a corner or a jump (abs, sign, maximum,
minimum, where) are applied anywhere, and an example is discarded when a value
falls within a small margin of the corner. Forward mode, reverse mode and
central differences must then agree.
"""

from __future__ import annotations

import operator

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import adlearn as ad
from adlearn.check import NOT_ANALYTIC

MARGIN = 1e-2  # how far from a corner or a jump a value must stay
BOUND = 1e2  # how large a value may grow

# name -> (function of two values, distance to its corner or jump, or None)
OPS = {
    "add": (operator.add, None),
    "sub": (operator.sub, None),
    "mul": (operator.mul, None),
    "div": (lambda a, b: a / (1.0 + b * b), None),
    "neg": (lambda a, b: -a, None),
    "pow": (lambda a, b: (1.0 + a * a) ** np.sin(b), None),
    "cube": (lambda a, b: a**3, None),
    "sin": (lambda a, b: np.sin(a), None),
    "cos": (lambda a, b: np.cos(a), None),
    "tan": (lambda a, b: np.tan(np.tanh(a)), None),
    "exp": (lambda a, b: np.exp(np.sin(a)), None),
    "log": (lambda a, b: np.log(1.0 + a * a), None),
    "sqrt": (lambda a, b: np.sqrt(1.0 + a * a), None),
    "tanh": (lambda a, b: np.tanh(a), None),
    "sinh": (lambda a, b: np.sinh(np.tanh(a)), None),
    "cosh": (lambda a, b: np.cosh(np.sin(a)), None),
    "arcsin": (lambda a, b: np.arcsin(0.9 * np.tanh(a)), None),
    "arccos": (lambda a, b: np.arccos(0.9 * np.tanh(b)), None),
    "arctan": (lambda a, b: np.arctan(a), None),
    "log1p": (lambda a, b: np.log1p(a * a), None),
    "expm1": (lambda a, b: np.expm1(np.tanh(a)), None),
    "square": (lambda a, b: np.square(a), None),
    "abs": (lambda a, b: np.abs(a), lambda a, b: np.abs(a)),
    "sign": (lambda a, b: np.sign(a) * b, lambda a, b: np.abs(a)),
    "maximum": (np.maximum, lambda a, b: np.abs(a - b)),
    "minimum": (np.minimum, lambda a, b: np.abs(a - b)),
    "where": (lambda a, b: np.where(a > b, a * b, a + b), lambda a, b: np.abs(a - b)),
}

steps = st.tuples(st.sampled_from(sorted(OPS)), st.integers(0, 50), st.integers(0, 50))
programs = st.lists(steps, min_size=1, max_size=6)
reals = st.floats(-2.0, 2.0, allow_nan=False)


def run(program, x1, x2, check=False):
    """Run a program; with ``check``, discard the example if it comes near a corner."""
    values = [x1, x2]
    for name, i, j in program:
        fn, corner = OPS[name]
        a, b = values[i % len(values)], values[j % len(values)]
        if check and corner is not None:
            assume(np.min(corner(a, b)) > MARGIN)
        values.append(fn(a, b))
        if check:
            assume(np.max(np.abs(values[-1])) < BOUND)
    return values[-1]


def scalar_function(program):
    def g(x1, x2):
        y = run(program, x1, x2)
        return np.sum(y) if np.ndim(y) else y

    return g


def central(g, args, n, h=1e-6):
    """d g / d args[n] by central differences (g scalar), of the shape of args[n]."""
    x = np.asarray(args[n], dtype=float)
    out = np.zeros(x.shape)
    for k in range(x.size):
        up, down = x.copy(), x.copy()
        up.flat[k] += h
        down.flat[k] -= h
        hi = g(*args[:n], up if x.ndim else float(up), *args[n + 1 :])
        lo = g(*args[:n], down if x.ndim else float(down), *args[n + 1 :])
        out.flat[k] = (hi - lo) / (2 * h)
    return out if x.ndim else float(out)


def close(a, b, tol=1e-5):
    return np.allclose(a, b, rtol=tol, atol=tol)


@settings(max_examples=80, deadline=None)
@given(programs, reals, reals)
def test_forward_reverse_and_central_differences_agree(program, x1, x2):
    run(program, x1, x2, check=True)
    g = scalar_function(program)
    reverse = ad.grad(g, (0, 1))(x1, x2)
    forward = (ad.derivative(g, 0)(x1, x2), ad.derivative(g, 1)(x1, x2))
    numeric = (central(g, [x1, x2], 0), central(g, [x1, x2], 1))
    assert close(forward, reverse, 1e-12)
    assert close(reverse, numeric)


shapes = st.sampled_from([((3,), ()), ((3,), (3,)), ((2, 1), (3,)), ((), (2, 2))])


def arguments(shape_pair, rng):
    """Random inputs in [-2, 2] of the shapes in ``shape_pair`` (a float for ``()``)."""
    return [rng.uniform(-2, 2, size=s) if s else float(rng.uniform(-2, 2)) for s in shape_pair]


@settings(max_examples=40, deadline=None)
@given(programs, shapes, st.integers(0, 2**32 - 1))
def test_arrays_with_broadcasting(program, shape_pair, seed):
    rng = np.random.default_rng(seed)
    x1, x2 = arguments(shape_pair, rng)
    run(program, x1, x2, check=True)
    g = scalar_function(program)
    g1, g2 = ad.grad(g, (0, 1))(x1, x2)
    assert np.shape(g1) == np.shape(x1)
    assert np.shape(g2) == np.shape(x2)
    assert close(g1, central(g, [x1, x2], 0))
    assert close(g2, central(g, [x1, x2], 1))
    # <vjp(u), v> == <u, jvp(v)> on the array-valued program itself
    v = [rng.normal(size=np.shape(x)) if np.ndim(x) else float(rng.normal()) for x in (x1, x2)]
    y, t = ad.jvp(lambda a, b: run(program, a, b), (x1, x2), tuple(v))
    u = rng.normal(size=np.shape(y))
    _, vjp_fn = ad.vjp(lambda a, b: run(program, a, b), x1, x2)
    pulled = vjp_fn(u)
    left = sum(float(np.sum(p * w)) for p, w in zip(pulled, v))
    assert close(left, float(np.sum(u * t)), 1e-10)


@settings(max_examples=30, deadline=None)
@given(programs, reals, reals)
def test_hessian_is_symmetric_and_matches_differences_of_the_gradient(program, x1, x2):
    run(program, x1, x2, check=True)
    g = scalar_function(program)
    H = np.array(ad.hessian(g, (0, 1))(x1, x2), dtype=float)
    gradient = ad.grad(g, (0, 1))
    h = 1e-6
    numeric = np.array(
        [
            np.subtract(gradient(x1 + h, x2), gradient(x1 - h, x2)) / (2 * h),
            np.subtract(gradient(x1, x2 + h), gradient(x1, x2 - h)) / (2 * h),
        ]
    )
    assert close(H, H.T, 1e-10)
    assert close(H, numeric, 1e-4)


@settings(max_examples=30, deadline=None)
@given(programs, reals, reals)
def test_trace_agrees_with_both_modes(program, x1, x2):
    run(program, x1, x2, check=True)
    g = scalar_function(program)
    t = ad.trace(g, x1, x2)
    assert close(t.value, g(x1, x2), 1e-14)
    assert close(t.tangent, ad.derivative(g, 0)(x1, x2), 1e-12)
    assert close(t.gradient, ad.grad(g, (0, 1))(x1, x2), 1e-12)
    for u in t.units[:-1]:
        assert close(sum(c.value for c in t.contributions(u.number)), u.adjoint, 1e-12)


@settings(max_examples=30, deadline=None)
@given(programs, reals, reals)
def test_check_grad_and_the_complex_step(program, x1, x2):
    run(program, x1, x2, check=True)
    g = scalar_function(program)
    r = ad.check_grad(g, x1, x2)
    used = {name for name, _, _ in program}
    corners = sorted(used & {"abs", "sign", "maximum", "minimum"})  # every step runs
    assert (r.complex_step is None) == bool(corners)
    if corners:
        assert r.complex_step_note.startswith(f"f uses {', '.join(corners)}, which")
        assert set(corners) <= NOT_ANALYTIC
    else:
        assert close(r.complex_step, r.reverse, 1e-10)
    assert r.errors["forward vs reverse"] < 1e-12
    assert r.errors["reverse vs central"] < 1e-5
