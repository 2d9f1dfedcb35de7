"""The backward sweep for arrays (adlearn/fast_backward.py) against the reference loop.

Both sweeps walk the same recorded tape from the same seeds; every adjoint
must be equal, entry for entry, with the same dtype. Then what the fast sweep
does differently (an adjoint passed on as it is, sums made in place) must not
let a result share memory with another result, a seed or an input.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_properties import arguments, programs, run, shapes

import adlearn as ad
from adlearn import fast_backward
from adlearn.reverse import Tape


def both_sweeps(f, args, seed=1.0):
    """The adjoints of ``args`` from the reference loop and from the fast sweep."""
    tape = Tape()
    xs = [tape.input(a) for a in args]
    y = f(*xs)
    seeds = {y.index: seed}
    reference = tape.backward(seeds)
    fast = fast_backward.backward(tape, seeds)
    return [reference[x.index] for x in xs], [fast[x.index] for x in xs]


def assert_same(reference, fast):
    for r, q in zip(reference, fast):
        if r is None:
            assert q is None
            continue
        assert np.shape(q) == np.shape(r)
        assert np.result_type(q) == np.result_type(r), (q, r)
        assert np.array_equal(r, q, equal_nan=True), (r, q)


@settings(max_examples=60, deadline=None)
@given(programs, shapes, st.integers(0, 2**32 - 1))
def test_random_programs_give_the_reference_adjoints(program, shape_pair, seed):
    rng = np.random.default_rng(seed)
    args = arguments(shape_pair, rng)
    with np.errstate(all="ignore"):
        out_shape = np.shape(run(program, *args))
        cotangent = rng.normal(size=out_shape) if out_shape else 1.0
        assert_same(*both_sweeps(lambda a, b: run(program, a, b), args, cotangent))


INDEXED = {
    "neighbours": lambda x: np.sum(x[:-1] * x[1:] + np.sin(x[:-1])),
    "one entry twice": lambda x: x[0] * x[0] + x[1] + np.sum(x),
    "steps": lambda x: np.sum(x[::2]) + np.sum(x[1::2] * x[::2][: len(x[1::2])]),
    "new axis": lambda x: np.sum(x[None] * x[:, None]) + x[-1],
    "ellipsis": lambda x: np.sum(x[..., 1:] ** 2) - x[..., 0].sum(),
    "sum then index": lambda x: np.sum(np.cumsum(x)[1:] * x[:-1]),
    "fancy index": lambda x: np.sum(x[[0, 0, 2]] * x[1:4]) + np.sum(x[1:]),
    "sub and neg": lambda x: np.sum((x[1:] - x[:-1]) - (-x[1:])),
}


@pytest.mark.parametrize("name", sorted(INDEXED))
def test_indexing_gives_the_reference_adjoints(name):
    x = np.random.default_rng(1).uniform(-1, 1, 6)
    assert_same(*both_sweeps(INDEXED[name], [x]))


def test_matrices_indexed_by_rows_and_columns():
    a = np.random.default_rng(2).normal(size=(3, 4))
    b = np.random.default_rng(3).normal(size=(4,))
    f = lambda a, b: np.sum(a[1:, :] @ b) + np.sum(a[:, 0] * b[:3]) + np.sum(a + b)
    assert_same(*both_sweeps(f, [a, b]))


@pytest.mark.parametrize("f", [lambda x: x + x * 2.0, lambda x: x + 3.0, lambda x: 1.0 - x])
def test_integer_seeds_still_give_float_adjoints(f):
    x = np.array([1.0, 2.0, 3.0])
    reference, fast = both_sweeps(f, [x], np.array([1, 2, 3]))
    assert_same(reference, fast)
    assert fast[0].dtype == np.float64


def test_a_float64_contribution_is_not_summed_into_a_float32_array():
    x = np.array([0.1, 0.2], dtype=np.float32)
    c = np.array([1 / 3, 2 / 3])  # float64: x * c is float64, x * x float32
    reference, fast = both_sweeps(lambda x: x * c + x * x, [x], np.ones(2, np.float32))
    assert_same(reference, fast)
    assert fast[0].dtype == np.float64


def test_float32_adjoints_keep_their_dtype():
    x = np.array([1.0, 2.0], dtype=np.float32)
    reference, fast = both_sweeps(lambda x: x[1:] + x[:-1] + x, [x], np.ones(1, np.float32))
    assert_same(reference, fast)


def test_results_share_memory_with_nothing():
    """(x + y) * 2: both units of the add receive the same adjoint; each gets its own array."""
    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    u = np.array([1.0, 1.0])
    _, vjp_fn = ad.vjp(lambda x, y: (x + y) * 2.0, x, y)
    gx, gy = vjp_fn(u)
    assert not np.shares_memory(gx, gy)
    for g in (gx, gy):
        for other in (x, y, u):
            assert not np.shares_memory(g, other)
    gx *= 0.0
    np.testing.assert_array_equal(gy, [2.0, 2.0])
    np.testing.assert_array_equal(u, [1.0, 1.0])
    # a seed passed on unchanged by an add is still copied before it is returned
    _, vjp_fn = ad.vjp(lambda x, y: x + y, x, y)
    gx, gy = vjp_fn(u)
    assert not np.shares_memory(gx, u)
    assert not np.shares_memory(gy, u)
    assert not np.shares_memory(gx, gy)


def test_the_caller_arrays_are_not_written():
    """In-place sums go only into arrays the sweep made: never a seed, input or constant."""
    x = np.array([0.5, -1.0, 2.0])
    c = np.array([1.0, 2.0, 3.0])
    u = np.array([1.0, -1.0, 0.5])
    keep = [x.copy(), c.copy(), u.copy()]
    for _ in range(2):  # a second call walks the same tape again
        _, vjp_fn = ad.vjp(lambda x: x * c + c + x + np.sin(x) * c, x)
        vjp_fn(u)
        ad.grad(lambda x: np.sum(x[1:] * c[:-1] + x[:-1] + c[1:] * x[1:]))(x)
    # an output that another output reads: its seed receives a contribution
    u2 = u.copy()
    keep.append(u2.copy())
    _, vjp_fn = ad.vjp(lambda x: (x * c, (x * c) * 2.0 + x), x)
    vjp_fn((u, u2))
    _, vjp_fn = ad.vjp(lambda x: [y := x * c, y * 3.0], x)
    vjp_fn([u2, u])
    for before, now in zip(keep, (x, c, u, u2)):
        np.testing.assert_array_equal(before, now)


def test_second_order_through_the_fast_sweep():
    """Inside an outer sweep the adjoints are tape variables or dual numbers: no shortcut."""
    x = np.array([0.3, -0.7, 1.1])
    f = lambda x: np.sum(x[:-1] * x[1:]) + np.sum(np.sin(x))
    h = ad.hessian(f)(x)
    expected = np.diag(-np.sin(x))
    expected[[0, 1], [1, 2]] += 1.0
    expected[[1, 2], [0, 1]] += 1.0
    np.testing.assert_allclose(h, expected, atol=1e-12)
    hv = ad.jacrev(ad.grad(f))(x)
    np.testing.assert_allclose(hv, expected, atol=1e-12)


def test_reverse_mode_uses_it_for_arrays_only(monkeypatch):
    calls = []
    real = fast_backward.backward
    monkeypatch.setattr(fast_backward, "backward", lambda *a: calls.append(1) or real(*a))
    ad.grad(lambda x: x * x)(3.0)
    assert calls == []
    ad.grad(lambda x: np.sum(x * x))(np.ones(2))
    assert calls == [1]


def test_a_lent_partial_is_copied_before_it_is_returned():
    """Under the seed 1.0 of a sum, a partial is passed on as the adjoint; the tape's
    partials and the caller's constants are still never returned themselves."""
    x = np.array([0.5, -1.0, 2.0])
    c = np.array([1.0, 2.0, 3.0])
    g = ad.grad(lambda x: np.sum(c * x))(x)
    np.testing.assert_array_equal(g, c)
    assert not np.shares_memory(g, c)
    gx, gc = ad.grad(lambda x, c: np.sum(c * x), (0, 1))(x, c)
    assert not np.shares_memory(gx, c)
    assert not np.shares_memory(gc, x)
    _, vjp_fn = ad.vjp(lambda x: np.sum(np.sin(x)), x)  # cos(x), kept on the tape
    first, second = vjp_fn(1.0)[0], vjp_fn(1.0)[0]
    assert not np.shares_memory(first, second)
    first *= 0.0
    np.testing.assert_array_equal(second, np.cos(x))
    np.testing.assert_array_equal(vjp_fn(1.0)[0], np.cos(x))


@pytest.mark.parametrize("f", [
    lambda x, c: np.sum(c * x + np.sin(x) * x),
    lambda x, c: np.sum(x[1:] * c[:-1]) + np.sum(np.exp(x) - c * c),
    lambda x, c: np.sum(np.sin(x)) + np.sum(c * x) + np.sum(x * x),
])  # fmt: skip
@pytest.mark.parametrize("dtypes", [(np.float64, np.float64), (np.float32, np.float32),
                                    (np.float32, np.float64)])  # fmt: skip
def test_partials_lent_under_a_seed_of_one_give_the_reference_adjoints(f, dtypes):
    rng = np.random.default_rng(4)
    x, c = (rng.uniform(-1, 1, 5).astype(dtype) for dtype in dtypes)
    assert_same(*both_sweeps(f, [x, c]))


@settings(max_examples=60, deadline=None)
@given(programs, shapes, st.sampled_from([np.float64, np.float32]))
def test_a_seed_of_ones_gives_the_reference_adjoints(program, shape_pair, dtype):
    """The fast sweep takes a seed array of ones for the number one (saving 5); the
    reference multiplies by the array. The adjoints are the same, to the last bit; where
    the fast sweep's is still the number standing for each entry (``x + x`` gives 2.0),
    ``ad.vjp`` broadcasts it to the input's shape, as it does for ``grad``'s seed."""
    rng = np.random.default_rng(5)
    args = arguments(shape_pair, rng)
    with np.errstate(all="ignore"):
        out_shape = np.shape(run(program, *args))
        seed = np.ones(out_shape, dtype)
        reference, fast = both_sweeps(lambda a, b: run(program, a, b), args, seed)
    for r, q in zip(reference, fast):
        if r is not None and np.shape(q) != np.shape(r):
            assert np.shape(q) == (), (r, q)  # the number one's multiples
            q = np.broadcast_to(q, np.shape(r))
        assert_same([r], [q])


@pytest.mark.parametrize("seed", [np.ones(3), np.ones(3, np.float32), np.array([1.0, 1.0, 2.0]),
                                  np.array([2.0, 1.0, 1.0]), np.array([1.0, np.nan, 1.0])])  # fmt: skip
def test_vjp_with_ones_and_with_almost_ones(seed):
    """Only an array of ones is taken for the number one: every other seed is multiplied."""
    x, c = np.array([0.5, -1.0, 2.0]), np.array([[1.0], [2.0]])
    f = lambda x: c[0] * x * x + np.sin(x) + np.sum(c * x, axis=0)
    _, vjp_fn = ad.vjp(f, x)
    expected = seed * (2 * c[0] * x + np.cos(x) + np.sum(c))
    got = vjp_fn(seed)[0]
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-15)
    assert not np.shares_memory(got, seed)
    got *= 0.0
    np.testing.assert_allclose(vjp_fn(seed)[0], expected, rtol=1e-15)


# Programs on a (4, 3) array that read it through slices, size-1 slices and reductions with
# keepdims, so that an adjoint can be a smaller array standing for its broadcast
# (1.0 * x[:1] in x * x[:1]) when a scatter into the same unit follows.
SLICING = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "sin": lambda a, b: np.sin(a),
    "first row": lambda a, b: a * a[0:1],
    "first column": lambda a, b: a + a[:, 1:2] * b,
    "column sums": lambda a, b: a + np.sum(b, axis=0, keepdims=True),
    "row maxima": lambda a, b: a - np.max(a, axis=1, keepdims=True),
    "divide by the first column": lambda a, b: a / (2.0 + a[:, :1] ** 2),
    "reversed rows": lambda a, b: a[::-1] * b,
    "rows repeated": lambda a, b: a[[0, 0, 1, 3]] + b,
    "halves joined": lambda a, b: np.concatenate([a[:2], b[2:]], axis=0),
    "an entry": lambda a, b: a * a[1, 2] + b[1],
    "cumulative": lambda a, b: np.cumsum(a, axis=1) * 0.3,
}
slicing_programs = st.lists(
    st.tuples(st.sampled_from(sorted(SLICING)), st.integers(0, 50), st.integers(0, 50)),
    min_size=1, max_size=7,
)  # fmt: skip


def run_slicing(program, x):
    values = [x]
    for name, i, j in program:
        values.append(SLICING[name](values[i % len(values)], values[j % len(values)]))
    return values[-1] + values[len(values) // 2]  # two paths to the output, as a model has


@settings(max_examples=150, deadline=None)
@given(slicing_programs, st.sampled_from(["one", "ones", "random"]), st.integers(0, 2**32 - 1))
def test_slices_and_stand_in_adjoints_give_the_reference_adjoints(program, seed_kind, seed):
    """An adjoint may be smaller than its unit (a number, or x[:1]'s value, standing for
    every entry); the fast sweep must not add a scatter into such an array in place."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (4, 3))
    f = {"one": lambda x: np.sum(run_slicing(program, x))}.get(
        seed_kind, lambda x: run_slicing(program, x)
    )
    with np.errstate(all="ignore"):
        seeds = {"one": 1.0, "ones": np.ones((4, 3)), "random": rng.normal(size=(4, 3))}
        (reference,), (fast,) = both_sweeps(f, [x], seeds[seed_kind])
    if reference is None:
        assert fast is None
        return
    assert np.shape(fast) in (np.shape(reference), ())  # saving 5 may leave the number one
    np.testing.assert_array_equal(np.broadcast_to(fast, (4, 3)), np.broadcast_to(reference, (4, 3)))


@pytest.mark.parametrize("f", [
    lambda x: np.sum(x + x * x[0:1]),
    lambda x: np.mean(x - x[0:1] * x),
    lambda x: np.sum(x - x / x[:, :1]),
    lambda x: np.sum(np.concatenate([x[:2], x[2:]]) * np.concatenate([x[:2], x[2:]])[0:1] + x),
])  # fmt: skip
def test_a_size_one_slice_beside_its_array_gets_the_reference_gradient(f):
    """Regressions: these gave every entry the first one's adjoint, or numpy's shape error."""
    x = np.random.default_rng(7).uniform(1, 2, (4, 3))
    (reference,), _ = both_sweeps(f, [x])
    np.testing.assert_allclose(ad.grad(f)(x), np.broadcast_to(reference, x.shape), rtol=1e-14)
    np.testing.assert_allclose(ad.grad(f)(x), ad.jacfwd(f)(x), rtol=1e-12)
