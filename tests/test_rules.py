"""Every rule of the table, tested by itself in both modes and to second order.

The tests are parametrized over ``adlearn.rules.RULES``: a new rule gets every
test below as soon as it has an entry here, and ``test_every_rule_is_tested``
fails until it has one. The expected derivatives are closed forms written
here, independently of the rule table; second derivatives are checked against
central differences of those closed forms.
"""

from __future__ import annotations

import operator
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

import adlearn as ad
from adlearn.array_rules import broadcast_to as r_broadcast_to
from adlearn.array_rules import expand_dims as r_expand_dims
from adlearn.array_rules import index_add as r_index_add
from adlearn.array_rules import reshape as r_reshape
from adlearn.array_rules import sum_ as r_sum
from adlearn.array_rules import sum_to as r_sum_to
from adlearn.array_rules import swapaxes as r_swapaxes
from adlearn.array_rules import transpose as r_transpose
from adlearn.check import NOT_ANALYTIC
from adlearn.dispatch import compute
from adlearn.expr import FUNCTIONS
from adlearn.fast_scalar import SCALAR
from adlearn.numpy_api import BY_UFUNC
from adlearn.rules import RULES


@dataclass(frozen=True)
class Interval:
    """Where to sample an argument: [lo, hi], or ±[lo, hi] if ``signed``."""

    lo: float
    hi: float
    signed: bool = False

    def sample(self, rng, shape=()):
        x = rng.uniform(self.lo, self.hi, size=shape)
        if self.signed:
            x = x * rng.choice([-1.0, 1.0], size=shape)
        return float(x) if shape == () else x


@dataclass(frozen=True)
class Elementwise:
    """How a user calls the rule, where it is smooth, and its partials in closed form."""

    call: Callable
    domain: tuple[Interval, ...]
    partials: tuple[Callable, ...]


R = Interval(-2.0, 2.0)
AWAY_FROM_0 = Interval(0.2, 2.0, signed=True)


def ones(x, *_):
    return np.ones_like(x)


# One entry per elementwise rule: a numpy function or Python operator that
# reaches it, a domain away from singular points, and each partial derivative.
ELEMENTWISE: dict[str, Elementwise] = {
    "add": Elementwise(operator.add, (R, R), (ones, lambda a, b: np.ones_like(b))),
    "sub": Elementwise(operator.sub, (R, R), (ones, lambda a, b: -np.ones_like(b))),
    "mul": Elementwise(operator.mul, (R, R), (lambda a, b: b, lambda a, b: a)),
    "div": Elementwise(
        operator.truediv, (R, AWAY_FROM_0), (lambda a, b: 1 / b, lambda a, b: -a / b**2)
    ),
    "neg": Elementwise(operator.neg, (R,), (lambda x: -np.ones_like(x),)),
    "pow": Elementwise(
        operator.pow,
        (Interval(0.3, 2.0), R),
        (lambda a, b: b * a ** (b - 1), lambda a, b: a**b * np.log(a)),
    ),
    "sin": Elementwise(np.sin, (R,), (np.cos,)),
    "cos": Elementwise(np.cos, (R,), (lambda x: -np.sin(x),)),
    "tan": Elementwise(np.tan, (Interval(-1.2, 1.2),), (lambda x: 1 / np.cos(x) ** 2,)),
    "exp": Elementwise(np.exp, (R,), (np.exp,)),
    "log": Elementwise(np.log, (Interval(0.2, 3.0),), (lambda x: 1 / x,)),
    "sqrt": Elementwise(np.sqrt, (Interval(0.2, 3.0),), (lambda x: 0.5 / np.sqrt(x),)),
    "tanh": Elementwise(np.tanh, (R,), (lambda x: 1 / np.cosh(x) ** 2,)),
    "sinh": Elementwise(np.sinh, (R,), (np.cosh,)),
    "cosh": Elementwise(np.cosh, (R,), (np.sinh,)),
    "abs": Elementwise(np.abs, (AWAY_FROM_0,), (np.sign,)),
    "arcsin": Elementwise(np.arcsin, (Interval(-0.9, 0.9),), (lambda x: 1 / np.sqrt(1 - x * x),)),
    "arccos": Elementwise(np.arccos, (Interval(-0.9, 0.9),), (lambda x: -1 / np.sqrt(1 - x * x),)),
    "arctan": Elementwise(np.arctan, (R,), (lambda x: 1 / (1 + x * x),)),
    "log1p": Elementwise(np.log1p, (Interval(-0.8, 3.0),), (lambda x: 1 / (1 + x),)),
    "expm1": Elementwise(np.expm1, (R,), (np.exp,)),
    "square": Elementwise(np.square, (R,), (lambda x: 2 * x,)),
    "maximum": Elementwise(
        np.maximum, (R, R), (lambda a, b: (a > b) * 1.0, lambda a, b: (b > a) * 1.0)
    ),
    "minimum": Elementwise(
        np.minimum, (R, R), (lambda a, b: (a < b) * 1.0, lambda a, b: (b < a) * 1.0)
    ),
    "sign": Elementwise(np.sign, (AWAY_FROM_0,), (lambda x: np.zeros_like(x),)),
    # where(cond, a, b) with a condition computed from the values: max by another road
    "where": Elementwise(
        lambda a, b: np.where(a > b, a, b),
        (R, R),
        (lambda a, b: (a > b) * 1.0, lambda a, b: (a <= b) * 1.0),
    ),
    "log2": Elementwise(np.log2, (Interval(0.2, 3.0),), (lambda x: 1 / (x * np.log(2)),)),
    "log10": Elementwise(np.log10, (Interval(0.2, 3.0),), (lambda x: 1 / (x * np.log(10)),)),
    "exp2": Elementwise(np.exp2, (R,), (lambda x: 2**x * np.log(2),)),
    "arcsinh": Elementwise(np.arcsinh, (R,), (lambda x: 1 / np.sqrt(x * x + 1),)),
    "arccosh": Elementwise(np.arccosh, (Interval(1.2, 3.0),), (lambda x: 1 / np.sqrt(x * x - 1),)),
    "arctanh": Elementwise(np.arctanh, (Interval(-0.9, 0.9),), (lambda x: 1 / (1 - x * x),)),
    "reciprocal": Elementwise(np.reciprocal, (AWAY_FROM_0,), (lambda x: -1 / x**2,)),
    "deg2rad": Elementwise(np.radians, (R,), (lambda x: np.full_like(x, np.pi / 180),)),
    "rad2deg": Elementwise(np.degrees, (R,), (lambda x: np.full_like(x, 180 / np.pi),)),
    "arctan2": Elementwise(
        np.arctan2,
        (R, AWAY_FROM_0),
        (lambda y, x: x / (x * x + y * y), lambda y, x: -y / (x * x + y * y)),
    ),
    "hypot": Elementwise(
        np.hypot,
        (AWAY_FROM_0, AWAY_FROM_0),
        (lambda a, b: a / np.sqrt(a * a + b * b), lambda a, b: b / np.sqrt(a * a + b * b)),
    ),
    "logaddexp": Elementwise(
        np.logaddexp,
        (R, R),
        (
            lambda a, b: np.exp(a) / (np.exp(a) + np.exp(b)),
            lambda a, b: np.exp(b) / (np.exp(a) + np.exp(b)),
        ),
    ),
    # a / b between 2.09 and 2.8: away from the jumps of a % b
    "mod": Elementwise(
        operator.mod,
        (Interval(2.2, 2.8), Interval(1.0, 1.05)),
        (lambda a, b: np.ones_like(a), lambda a, b: -np.floor(a / b)),
    ),
}

#: Rules whose numpy function has no complex version, so the complex step fails on them.
NO_COMPLEX_LOOP = {"deg2rad", "rad2deg", "arctan2", "logaddexp"}


@dataclass(frozen=True)
class Case:
    """A function of arrays that uses one structural rule, and the argument shapes."""

    fn: Callable
    shapes: tuple[tuple[int, ...], ...]
    label: str


B = np.arange(12.0).reshape(4, 3) / 7 - 0.5
MASK = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, True]])

# Array cases for every structural rule (and where, on a mask).
STRUCTURAL: dict[str, list[Case]] = {
    "sum": [
        Case(lambda x: np.sum(x), ((3, 4),), "all"),
        Case(lambda x: np.sum(x, axis=0), ((3, 4),), "axis 0"),
        Case(lambda x: x.sum(axis=-1, keepdims=True), ((2, 3, 4),), "axis -1 keepdims"),
        Case(lambda x: r_sum(x, axis=(0, 2)), ((2, 3, 4),), "axes (0, 2)"),
        Case(lambda x: np.mean(x, axis=1), ((3, 4),), "mean"),
    ],
    "matmul": [
        Case(lambda a, b: a @ b, ((3, 4), (4, 2)), "matrix matrix"),
        Case(lambda a, b: a @ b, ((3, 4), (4,)), "matrix vector"),
        Case(lambda a, b: a @ b, ((4,), (4, 2)), "vector matrix"),
        Case(lambda a, b: np.dot(a, b), ((4,), (4,)), "vector vector"),
        Case(lambda a, b: a @ b, ((2, 3, 4), (4, 2)), "batched, broadcast"),
        Case(lambda a, b: np.matmul(a, b), ((4,), (2, 4, 3)), "vector batch"),
        Case(lambda a: a @ B, ((3, 4),), "constant right"),
        Case(lambda b: B @ b, ((3, 2),), "constant left"),
    ],
    "reshape": [
        Case(lambda x: x.reshape(4, 3), ((3, 4),), "method"),
        Case(lambda x: np.reshape(x, (12,)), ((3, 4),), "np.reshape"),
        Case(lambda x: r_reshape(x, shape=(2, -1)), ((3, 4),), "-1"),
    ],
    "transpose": [
        Case(lambda x: x.T, ((3, 4),), ".T"),
        Case(lambda x: np.transpose(x, (1, 2, 0)), ((2, 3, 4),), "axes"),
        Case(lambda x: r_transpose(x, axes=(2, 0, 1)), ((2, 3, 4),), "rule"),
    ],
    "swapaxes": [
        Case(lambda x: np.swapaxes(x, 0, 2), ((2, 3, 4),), "0 2"),
        Case(lambda x: r_swapaxes(x, axis1=-1, axis2=-2), ((3, 4),), "-1 -2"),
    ],
    "expand_dims": [
        Case(lambda x: np.expand_dims(x, 1), ((3, 4),), "axis 1"),
        Case(lambda x: r_expand_dims(x, axis=0), ((3,),), "axis 0"),
    ],
    "getitem": [
        Case(lambda x: x[1], ((3, 4),), "int"),
        Case(lambda x: x[1:, ::2], ((3, 4),), "slices"),
        Case(lambda x: x[np.array([0, 0, 2])], ((3, 4),), "repeated indices"),
        Case(lambda x: x[MASK], ((3, 4),), "mask"),
        Case(lambda x: x[..., -1], ((2, 3, 4),), "ellipsis"),
        Case(lambda x: x[None, 1], ((3, 4),), "newaxis"),
    ],
    "index_add": [
        Case(lambda x: r_index_add(x, index=np.array([0, 2, 0]), shape=(4,)), ((3,),), "1-d"),
        Case(lambda x: r_index_add(x, index=(slice(None), 1), shape=(2, 3)), ((2,),), "slice"),
    ],
    "broadcast_to": [
        Case(lambda x: np.broadcast_to(x, (2, 3, 4)), ((3, 1),), "(3, 1)"),
        Case(lambda x: r_broadcast_to(x, shape=(3, 4)), ((),), "scalar"),
    ],
    "sum_to": [
        Case(lambda x: r_sum_to(x, shape=(3, 1)), ((2, 3, 4),), "(3, 1)"),
        Case(lambda x: r_sum_to(x, shape=()), ((2, 3),), "scalar"),
        Case(lambda x: r_sum_to(x, shape=(4,)), ((3, 4),), "leading"),
    ],
    "stack": [
        Case(lambda a, b: np.stack([a, b]), ((3,), (3,)), "two vectors"),
        Case(lambda a, b: np.stack([a * b, np.sin(a), B[0]], axis=1), ((3,), (3,)), "axis 1"),
        Case(lambda a: np.stack([a[0], a[1] * a[2], 2.0]), ((3,),), "scalars"),
    ],
    "concatenate": [
        Case(lambda a, b: np.concatenate([a, b]), ((2,), (3,)), "vectors"),
        Case(lambda a, b: np.concatenate([a, B[:2], b], axis=-1), ((2, 1), (2, 2)), "axis -1"),
    ],
    "max": [
        Case(lambda x: np.max(x), ((3, 4),), "all"),
        Case(lambda x: np.max(x, axis=(0, 2), keepdims=True), ((2, 3, 4),), "axes keepdims"),
        Case(lambda x: x.max(axis=-1), ((3, 4),), "method"),
    ],
    "min": [
        Case(lambda x: np.min(x, axis=0), ((3, 4),), "axis 0"),
        Case(lambda x: np.amin(x), ((2, 3),), "amin"),
    ],
    "prod": [
        Case(lambda x: np.prod(x), ((2, 3),), "all"),
        Case(lambda x: np.prod(x, axis=1, keepdims=True), ((2, 3, 2),), "axis keepdims"),
        Case(lambda x: np.prod(x * np.array([0.0, 1.0, 1.0])), ((3,),), "a zero"),
    ],
    "cumsum": [
        Case(lambda x: np.cumsum(x), ((3, 4),), "flattened"),
        Case(lambda x: np.cumsum(x, axis=-2), ((2, 3, 4),), "axis"),
    ],
    "einsum": [
        Case(lambda a, b: np.einsum("ij,jk->ik", a, b), ((3, 4), (4, 2)), "matmul"),
        Case(lambda a: np.einsum("ii->i", a), ((3, 3),), "diagonal"),
        Case(lambda a, b: np.einsum("ij,k->jk", a, b), ((3, 2), (4,)), "a sum in one operand"),
        Case(lambda a, b: np.einsum("...ij,jk->...ik", a, b), ((2, 3, 4), (4, 2)), "ellipsis"),
        Case(lambda a, b: np.einsum("...,...", a, b), ((3, 1), (3, 4)), "ellipsis broadcast"),
    ],
    # matrices near 3 I: well away from singular
    "solve": [
        Case(lambda a, b: np.linalg.solve(a + 3 * np.eye(3), b), ((3, 3), (3,)), "vector"),
        Case(lambda a, b: np.linalg.solve(a + 3 * np.eye(3), b), ((2, 3, 3), (3, 2)), "batch"),
    ],
    "inv": [Case(lambda a: np.linalg.inv(a + 3 * np.eye(3)), ((3, 3),), "matrix")],
    "det": [Case(lambda a: np.linalg.det(a + 3 * np.eye(3)), ((2, 3, 3),), "batch")],
    "logabsdet": [Case(lambda a: np.linalg.slogdet(a - 3 * np.eye(3))[1], ((3, 3),), "matrix")],
    "where": [
        Case(lambda a, b: np.where(MASK, a, b), ((3, 4), (3, 4)), "mask"),
        Case(lambda a, b: np.where(MASK, a, b), ((3, 4), (4,)), "broadcast"),
        Case(lambda a: np.where(a > 0, a, a * a), ((3, 4),), "one branch"),
    ],
}

ELEMENTWISE_NAMES = sorted(ELEMENTWISE)
CASES = [(name, case) for name in sorted(STRUCTURAL) for case in STRUCTURAL[name]]
CASE_IDS = [f"{name}-{case.label}" for name, case in CASES]


def rng_for(*keys) -> np.random.Generator:
    """A generator seeded by the test's parameters: reproducible, different per rule."""
    return np.random.default_rng(zlib.crc32(repr(keys).encode()))


def points(name, count=3, shape=()):
    spec = ELEMENTWISE[name]
    rng = rng_for(name, shape)
    return [tuple(d.sample(rng, shape) for d in spec.domain) for _ in range(count)]


def closed_form(spec, args):
    """The closed-form partials at a scalar point, as floats."""
    return [float(p(*args)) for p in spec.partials]


def central_jacobian(g, args, n, h=1e-6):
    """d g / d args[n] by central differences, of shape g.shape + args[n].shape."""
    x = np.asarray(args[n], dtype=float)
    columns = []
    for k in range(x.size):
        up, down = x.copy(), x.copy()
        up.flat[k] += h
        down.flat[k] -= h
        hi = g(*args[:n], up if x.ndim else float(up), *args[n + 1 :])
        lo = g(*args[:n], down if x.ndim else float(down), *args[n + 1 :])
        columns.append((np.asarray(hi) - np.asarray(lo)) / (2 * h))
    y_shape = np.shape(columns[0])
    return np.stack(columns, axis=-1).reshape(y_shape + x.shape)


def random_like(rng, shape):
    return rng.normal(size=shape) if shape else float(rng.normal())


# --- the table and its coverage ------------------------------------------------


def test_every_rule_is_tested():
    """A rule added to RULES without an entry here fails this test."""
    elementwise = {n for n, p in RULES.items() if p.elementwise}
    structural = {n for n, p in RULES.items() if not p.elementwise}
    assert elementwise - set(ELEMENTWISE) == set(), "add these to ELEMENTWISE"
    assert structural - set(STRUCTURAL) == set(), "add these to STRUCTURAL"
    assert set(ELEMENTWISE) <= elementwise  # no stale entries
    assert set(STRUCTURAL) <= set(RULES)


@pytest.mark.parametrize("name", sorted(RULES))
def test_rule_is_well_formed(name):
    prim = RULES[name]
    assert prim.name == name
    assert "{0}" in prim.formula or "{*}" in prim.formula  # it writes its operands
    if prim.elementwise:
        assert prim.jvp is None
        assert prim.vjps is None
        assert len(prim.partial_text) == len(prim.partials)
    else:
        assert prim.jvp is not None
        assert prim.vjps


def test_fast_scalar_paths_are_rules():
    assert set(SCALAR) <= set(RULES)


def test_ufuncs_and_names_reach_their_rules():
    aliases = {np.radians: np.deg2rad, np.degrees: np.rad2deg}  # numpy's other names
    for ufunc, prim in BY_UFUNC.items():
        assert prim.compute is aliases.get(ufunc, ufunc), ufunc
    for name, fn in FUNCTIONS.items():
        assert fn in BY_UFUNC, name  # every callable name can be differentiated


@pytest.mark.parametrize("name", ELEMENTWISE_NAMES)
def test_call_reaches_the_rule(name):
    """The way the table calls a rule really records that rule."""
    args = points(name, 1)[0]
    ops = {u.op for u in ad.trace(ELEMENTWISE[name].call, *args).units}
    assert name in ops


@pytest.mark.parametrize(("name", "case"), CASES, ids=CASE_IDS)
def test_case_uses_its_rule(name, case):
    rng = rng_for(name, case.label)
    args = [rng.normal(size=s) if s else float(rng.normal()) for s in case.shapes]
    w = rng.normal(size=np.shape(case.fn(*args)))
    ops = {u.op for u in ad.trace(lambda *a: np.sum(case.fn(*a) * w), *args).units}
    assert name in ops


# --- elementwise rules, first order -----------------------------------------------


@pytest.mark.parametrize("name", ELEMENTWISE_NAMES)
def test_value_matches_numpy(name):
    """The fast scalar path (adlearn.fast_scalar) agrees with the rule's numpy
    computation, its reference; dual numbers and tape variables carry numpy's value."""
    spec, prim = ELEMENTWISE[name], RULES[name]
    for args in points(name):
        expected = spec.call(*(np.float64(a) for a in args))
        if name in SCALAR:
            assert SCALAR[name](*args) == pytest.approx(expected, rel=1e-15)
            assert compute(prim, args) == pytest.approx(expected, rel=1e-15)
        assert ad.jvp(spec.call, args, tuple(1.0 for _ in args))[0] == pytest.approx(expected)
        assert ad.value_and_grad(spec.call)(*args)[0] == pytest.approx(expected)


@pytest.mark.parametrize("name", ELEMENTWISE_NAMES)
def test_forward_mode_against_closed_form(name):
    spec = ELEMENTWISE[name]
    for args in points(name):
        for k, partial in enumerate(spec.partials):
            assert ad.derivative(spec.call, k)(*args) == pytest.approx(partial(*args), rel=1e-12)


@pytest.mark.parametrize("name", ELEMENTWISE_NAMES)
def test_reverse_mode_against_closed_form(name):
    spec = ELEMENTWISE[name]
    nums = tuple(range(len(spec.domain)))
    for args in points(name):
        expected = closed_form(spec, args)
        assert ad.grad(spec.call, nums)(*args) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("name", ELEMENTWISE_NAMES)
def test_one_argument_traced_the_others_constant(name):
    """Each partial alone, with every other argument a plain float."""
    spec = ELEMENTWISE[name]
    for args in points(name, 2):
        for k, partial in enumerate(spec.partials):

            def g(x, k=k, args=args):
                return spec.call(*args[:k], x, *args[k + 1 :])

            expected = partial(*args)
            assert ad.grad(g)(args[k]) == pytest.approx(expected, rel=1e-12)
            assert ad.jvp(g, (args[k],), (1.0,))[1] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("name", ELEMENTWISE_NAMES)
def test_central_differences_and_complex_step(name):
    spec = ELEMENTWISE[name]
    for args in points(name):
        result = ad.check_grad(spec.call, *args)
        assert result.errors["forward vs reverse"] < 1e-14
        assert result.errors["forward vs central"] < 1e-8
        assert result.central == pytest.approx(closed_form(spec, args), abs=1e-7)
        if name in NOT_ANALYTIC:
            assert result.complex_step is None
            assert name in result.complex_step_note
        elif name in NO_COMPLEX_LOOP:
            assert result.complex_step is None
            assert "f failed on complex input" in result.complex_step_note
        else:
            expected = closed_form(spec, args)
            assert result.complex_step == pytest.approx(expected, rel=1e-13, abs=1e-15)


@pytest.mark.parametrize("name", ELEMENTWISE_NAMES)
def test_arrays_entry_by_entry(name):
    """On arrays: forward mode gives the derivative at every entry, reverse the
    cotangent times it, and both agree with the closed form."""
    spec = ELEMENTWISE[name]
    (args,) = points(name, 1, shape=(2, 3))
    rng = rng_for(name, "cotangent")
    for k, partial in enumerate(spec.partials):
        expected = partial(*args)
        np.testing.assert_allclose(ad.derivative(spec.call, k)(*args), expected, rtol=1e-12)
        u = rng.normal(size=(2, 3))
        _, vjp_fn = ad.vjp(spec.call, *args)
        np.testing.assert_allclose(vjp_fn(u)[k], u * expected, rtol=1e-12)
        g = ad.grad(lambda *a: np.sum(spec.call(*a)), k)(*args)
        assert g.shape == (2, 3)
        np.testing.assert_allclose(g, expected, rtol=1e-12)


@pytest.mark.parametrize("name", [n for n in ELEMENTWISE_NAMES if len(ELEMENTWISE[n].domain) == 2])
@pytest.mark.parametrize(
    ("shape_a", "shape_b"), [((3, 1), (4,)), ((), (2, 3)), ((2, 3), ()), ((1, 3), (2, 1))]
)
def test_broadcasting(name, shape_a, shape_b):
    """A gradient has the shape of its input, summed over the broadcast axes."""
    spec = ELEMENTWISE[name]
    rng = rng_for(name, shape_a, shape_b)
    a, b = (d.sample(rng, s) for d, s in zip(spec.domain, (shape_a, shape_b)))
    ga, gb = ad.grad(lambda a, b: np.sum(spec.call(a, b)), (0, 1))(a, b)
    full_a, full_b = np.broadcast_arrays(a, b)
    expected_a = spec.partials[0](full_a, full_b)
    expected_b = spec.partials[1](full_a, full_b)
    assert np.shape(ga) == shape_a
    assert np.shape(gb) == shape_b
    np.testing.assert_allclose(ga, sum_to_shape(expected_a, shape_a), rtol=1e-12)
    np.testing.assert_allclose(gb, sum_to_shape(expected_b, shape_b), rtol=1e-12)
    # forward mode: seeding one argument with ones gives the entrywise partial
    np.testing.assert_allclose(ad.derivative(spec.call, 0)(a, b), expected_a, rtol=1e-12)
    np.testing.assert_allclose(ad.derivative(spec.call, 1)(a, b), expected_b, rtol=1e-12)


def sum_to_shape(x, shape):
    """Sum x over the axes broadcasting added or stretched (written out for the test)."""
    while x.ndim > len(shape):
        x = x.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and x.shape[axis] != 1:
            x = x.sum(axis=axis, keepdims=True)
    return float(x) if shape == () else x


# --- elementwise rules, second order -------------------------------------------


def closed_form_hessian(spec, args, h=1e-6):
    """H[i][j] = d/dx_j of the closed-form partial i, by central differences."""
    n = len(args)
    return [
        [float(central_jacobian(spec.partials[i], list(args), j, h)) for j in range(n)]
        for i in range(n)
    ]


@pytest.mark.parametrize("name", ELEMENTWISE_NAMES)
def test_hessian_forward_over_reverse(name):
    spec = ELEMENTWISE[name]
    nums = tuple(range(len(spec.domain)))
    for args in points(name):
        expected = closed_form_hessian(spec, args)
        hessian = ad.hessian(spec.call, nums)(*args)
        assert np.array(hessian, dtype=float) == pytest.approx(
            np.array(expected), rel=1e-6, abs=1e-7
        )


@pytest.mark.parametrize("name", ELEMENTWISE_NAMES)
@pytest.mark.parametrize("outer", ["forward", "reverse"])
@pytest.mark.parametrize("inner", ["forward", "reverse"])
def test_second_derivatives_in_every_nesting(name, outer, inner):
    """d/dx_j (d f / dx_i) by forward or reverse over forward or reverse."""
    spec = ELEMENTWISE[name]
    n = len(spec.domain)
    modes = {
        "forward": lambda g, k: ad.derivative(g, k),
        "reverse": lambda g, k: ad.grad(g, k),
    }
    for args in points(name, 2):
        expected = closed_form_hessian(spec, args)
        for i in range(n):
            first = modes[inner](spec.call, i)
            for j in range(n):
                second = modes[outer](first, j)(*args)
                assert second == pytest.approx(expected[i][j], rel=1e-6, abs=1e-7)


# --- structural rules --------------------------------------------------------------


def case_args(name, case, salt=""):
    rng = rng_for(name, case.label, salt)
    return [rng.normal(size=s) if s else float(rng.normal()) for s in case.shapes]


@pytest.mark.parametrize(("name", "case"), CASES, ids=CASE_IDS)
def test_structural_jacobians_against_central_differences(name, case):
    args = case_args(name, case)
    nums = tuple(range(len(args)))
    forward = ad.jacfwd(case.fn, nums)(*args)
    reverse = ad.jacrev(case.fn, nums)(*args)
    for n in nums:
        expected = central_jacobian(case.fn, args, n)
        np.testing.assert_allclose(forward[n], expected, rtol=1e-7, atol=1e-8)
        np.testing.assert_allclose(reverse[n], expected, rtol=1e-7, atol=1e-8)
        assert np.shape(forward[n]) == np.shape(case.fn(*args)) + np.shape(args[n])


@pytest.mark.parametrize(("name", "case"), CASES, ids=CASE_IDS)
def test_structural_vjp_is_the_transpose_of_jvp(name, case):
    """<vjp(u), v> == <u, jvp(v)> for random u and v."""
    args = case_args(name, case)
    rng = rng_for(name, case.label, "directions")
    v = [random_like(rng, np.shape(a)) for a in args]
    y, t = ad.jvp(case.fn, tuple(args), tuple(v))
    u = random_like(rng, np.shape(y))
    _, vjp_fn = ad.vjp(case.fn, *args)
    pulled = vjp_fn(u)
    assert len(pulled) == len(args)
    for p, a in zip(pulled, args):
        assert np.shape(p) == np.shape(a)
    left = sum(float(np.sum(p * w)) for p, w in zip(pulled, v))
    right = float(np.sum(u * t))
    assert left == pytest.approx(right, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(("name", "case"), CASES, ids=CASE_IDS)
def test_structural_second_order(name, case):
    """Hessian-vector products of sum(w * sin(case)): forward over reverse and
    reverse over reverse, against central differences of the gradient."""
    args = case_args(name, case)
    rng = rng_for(name, case.label, "hvp")
    w = rng.normal(size=np.shape(case.fn(*args)))
    v = [random_like(rng, np.shape(a)) for a in args]
    nums = tuple(range(len(args)))

    def s(*a):
        return np.sum(w * np.sin(case.fn(*a)))

    gradient = ad.grad(s, nums)
    h = 1e-6
    up = gradient(*(a + h * d for a, d in zip(args, v)))
    down = gradient(*(a - h * d for a, d in zip(args, v)))
    expected = [(p - m) / (2 * h) for p, m in zip(up, down)]
    forward_over_reverse = ad.hvp(s, tuple(args), tuple(v))
    reverse_over_reverse = ad.grad(
        lambda *a: sum(np.sum(g * d) for g, d in zip(gradient(*a), v)), nums
    )(*args)
    for fr, rr, e in zip(forward_over_reverse, reverse_over_reverse, expected):
        np.testing.assert_allclose(fr, e, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(rr, e, rtol=1e-6, atol=1e-7)
