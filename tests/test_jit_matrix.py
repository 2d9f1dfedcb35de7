"""The engine's test matrix, run compiled: ``ad.jit`` of every transformation equals the
interpreted engine, on floats and arrays, in both modes and at second order.

The cases are those of ``tests/test_rules.py`` (every elementwise rule, on floats and
on arrays, and every structural rule's cases) and ``tests/test_oracle.py`` (every numpy function adlearn differentiates,
which that file checks against HIPS autograd). Each compiled function is recorded at
one point and then called at another of the same signature, so that the generated
code, not the recording, gives the answer compared; a call that falls back to the
interpreter would warn, and warnings are errors here.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_oracle import CASE_IDS, CASES, draw, ours
from test_rules import CASE_IDS as STRUCTURAL_IDS
from test_rules import CASES as STRUCTURAL
from test_rules import ELEMENTWISE, ELEMENTWISE_NAMES, case_args, points

import adlearn as ad

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning:adlearn.compiled")


def same(compiled, interpreted, what):
    """Equal leaf by leaf: the same type, shape, dtype and numbers (nan where nan)."""
    got, want = ad.pytree.flatten(compiled), ad.pytree.flatten(interpreted)
    assert got[1] == want[1], what
    for g, w in zip(got[0], want[0]):
        assert type(g) is type(w), f"{what}: {type(g).__name__} for {type(w).__name__}"
        assert np.shape(g) == np.shape(w), what
        np.testing.assert_allclose(g, w, rtol=1e-13, atol=1e-13, err_msg=what)


def compiled_matches(fn, first, second, what):
    """Record ``fn`` at ``first``, then check the compiled code at ``second``."""
    cf = ad.jit(fn)
    with np.errstate(all="ignore"):  # numpy's own warnings (a log of 0)
        same(cf(*first), fn(*first), f"{what}, first call")
        expected = fn(*second)
        got = cf(*second)
    assert cf.traces, f"{what}: nothing was compiled"
    same(got, expected, what)


def _ok(values):
    return all(np.all(np.isfinite(v)) for v in values)


@pytest.mark.parametrize("name", ELEMENTWISE_NAMES)
@pytest.mark.parametrize("shape", [(), (3,)], ids=["floats", "arrays"])
def test_elementwise_rules_compiled(name, shape):
    spec = ELEMENTWISE[name]
    first, second = points(name, count=2, shape=shape)
    n = len(spec.domain)
    nums = tuple(range(n))
    if shape == ():
        compiled_matches(spec.call, first, second, f"{name} value")
        compiled_matches(ad.grad(spec.call, nums), first, second, f"{name} grad")
        compiled_matches(ad.jacfwd(spec.call, nums), first, second, f"{name} jacfwd")
        compiled_matches(ad.hessian(spec.call, nums), first, second, f"{name} hessian")
    else:
        total = lambda *a: np.sum(np.sin(spec.call(*a)))
        compiled_matches(spec.call, first, second, f"{name} value")
        compiled_matches(ad.derivative(spec.call), first, second, f"{name} derivative")
        compiled_matches(ad.value_and_grad(total, nums), first, second, f"{name} value_and_grad")
        compiled_matches(ad.jacrev(spec.call, nums), first, second, f"{name} jacrev")


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_oracle_cases_compiled(case):
    first, second = draw(case, "jit 1"), draw(case, "jit 2")
    fn = ours(case)
    nums = tuple(range(len(first)))
    compiled_matches(fn, first, second, "value")
    compiled_matches(ad.jacfwd(fn, nums), first, second, "jacfwd")
    compiled_matches(ad.jacrev(fn, nums), first, second, "jacrev")
    w = np.cos(np.arange(np.size(fn(*first))) + 1.0).reshape(np.shape(fn(*first)))
    scalar = lambda *a: np.sum(w * np.sin(fn(*a)))
    compiled_matches(ad.value_and_grad(scalar, nums), first, second, "value_and_grad")
    compiled_matches(ad.hessian(scalar, nums), first, second, "hessian")


@pytest.mark.parametrize(("name", "case"), STRUCTURAL, ids=STRUCTURAL_IDS)
def test_structural_rules_compiled(name, case):
    first, second = case_args(name, case, "jit 1"), case_args(name, case, "jit 2")
    nums = tuple(range(len(first)))
    compiled_matches(case.fn, first, second, f"{name} value")
    compiled_matches(ad.jacfwd(case.fn, nums), first, second, f"{name} jacfwd")
    compiled_matches(ad.jacrev(case.fn, nums), first, second, f"{name} jacrev")
    w = np.sin(np.arange(np.size(case.fn(*first))) + 1.0).reshape(np.shape(case.fn(*first)))
    scalar = lambda *a: np.sum(w * np.sin(case.fn(*a)))
    compiled_matches(ad.hessian(scalar, nums), first, second, f"{name} hessian")
