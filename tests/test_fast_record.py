"""The tape recorded on arrays (adlearn/fast_record.py) against the reference Tape.apply.

Both tapes run the same function on the same inputs; every entry must be the
same: the units it read, its partials (equal, with the same dtype), its shape,
its pullback's rule and parameters, and the values. Then what the fast tape
hands back to the reference (another sweep, a Python number first, an error)
must give the reference's results and messages.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_properties import arguments, programs, run, shapes

import adlearn as ad
from adlearn import fast_record, reverse
from adlearn.fast_record import ArrayTape
from adlearn.reverse import Tape


def both_tapes(f, args):
    """The tape, and f's value, from the reference and from the fast tape."""
    recorded = []
    for tape in (Tape(), ArrayTape()):
        xs = [tape.input(a) for a in args]
        y = f(*xs)
        recorded.append((tape, y.value if tape.owns(y) else y))
    return recorded


def same_value(a, b):
    assert type(a) is type(b), (a, b)
    assert np.shape(a) == np.shape(b)
    assert np.result_type(a) == np.result_type(b), (a, b)
    assert np.array_equal(a, b, equal_nan=True), (a, b)


def assert_same_tapes(f, args):
    (reference, y_ref), (fast, y_fast) = both_tapes(f, args)
    same_value(y_ref, y_fast)
    assert len(reference.entries) == len(fast.entries)
    for r, q in zip(reference.entries, fast.entries):
        assert r.shape == q.shape
        assert [j for j, _ in r.parents] == [j for j, _ in q.parents]
        for (_, pr), (_, pq) in zip(r.parents, q.parents):
            if pr is None:
                assert pq is None
            else:
                same_value(pr, pq)
        assert (r.pullback is None) == (q.pullback is None)
        if r.pullback is not None:
            assert q.pullback.rule is r.pullback.rule
            assert q.pullback.positions == r.pullback.positions
            assert repr(q.pullback.params) == repr(r.pullback.params)
            same_value(q.pullback.out, r.pullback.out)


@settings(max_examples=80, deadline=None)
@given(programs, shapes, st.integers(0, 2**32 - 1))
def test_random_programs_record_the_reference_tape(program, shape_pair, seed):
    rng = np.random.default_rng(seed)
    args = arguments(shape_pair, rng)
    with np.errstate(all="ignore"):
        assert_same_tapes(lambda a, b: run(program, a, b), args)


C16 = np.array([1.5, -2.0, 0.25], np.float16)
IMAGE = np.array([200, 3, 7], np.uint8)
FUNCTIONS = {
    "neighbours": lambda x: np.sum(x[:-1] * x[1:] + np.sin(x[:-1])),
    "python number first": lambda x: 2.0 * x - 1.0 / (1.0 + x * x) + 3 ** (x * 0.1),
    "integer constant": lambda x: IMAGE * x * 2,
    "float16 constant": lambda x: np.sum(C16 * x) + x / C16,
    "float32 constants": lambda x: x * np.float32(2.0) + np.sin(x) * np.ones(3, np.float32),
    "matrix constant": lambda x: np.matrix([[1.0, 2.0, 3.0]]) * x,
    "indexing": lambda x: x[[0, 0, 2]] * x[1] + x[::-1],
    "reductions": lambda x: np.max(np.outer(x, x), axis=0) + np.mean(x) * np.std(x),
    "linear algebra": lambda x: np.linalg.solve(np.eye(3) + np.outer(x, x), x) @ x,
    "stacking": lambda x: np.concatenate([x, np.stack([x, x]).ravel(), x[:1]]),
    "einsum": lambda x: np.einsum("i,j->ij", x, np.cos(x)).sum(axis=1),
    "where": lambda x: np.where(x > 0, x * x, -x) + np.clip(x, -0.5, 0.5),
    "cumulative": lambda x: np.cumsum(x * x) * np.prod(x),
    "0-d": lambda x: np.sum(x) * np.sum(x) + x[0],
}


MATRIX = pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")


@MATRIX
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_each_kind_of_rule_records_the_reference_tape(name, dtype):
    assert_same_tapes(FUNCTIONS[name], [np.array([0.5, -1.25, 2.0], dtype)])


@MATRIX
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_transformations_give_the_reference_results(name, monkeypatch):
    """Every transformation, first and second order (a forward sweep around the tape
    sends its rules back to the reference way), with and without the fast tape."""
    f = FUNCTIONS[name]
    x = np.array([0.5, -1.25, 2.0])
    scalar = lambda x: np.sum(f(x))

    def pulled_back():
        y, vjp_fn = ad.vjp(f, x)
        return vjp_fn(np.cos(y))

    jobs = [lambda: ad.value_and_grad(scalar)(x), lambda: ad.jacrev(f)(x), pulled_back,
            lambda: ad.hessian(scalar)(x), lambda: ad.jacrev(ad.grad(scalar))(x)]  # fmt: skip
    fast = [job() for job in jobs]
    monkeypatch.setattr(reverse, "ArrayTape", Tape)
    reference = [job() for job in jobs]
    for r, q in zip(reference, fast):
        for a, b in zip(np.atleast_1d(np.asarray(r, dtype=object)).ravel(),
                        np.atleast_1d(np.asarray(q, dtype=object)).ravel()):  # fmt: skip
            same_value(a, b)


def test_reverse_mode_records_on_it_for_arrays_only(monkeypatch):
    kinds = []
    original = fast_record.ArrayTape.apply

    def spy(self, rule, args, params):
        kinds.append(rule.name)
        return original(self, rule, args, params)

    monkeypatch.setattr(fast_record.ArrayTape, "apply", spy)
    ad.grad(lambda a, b: a * b)(2.0, 3.0)
    assert kinds == []
    ad.grad(lambda a, b: np.sum(a * b))(np.ones(2), 3.0)
    assert kinds == ["mul", "sum"]


@pytest.mark.parametrize("f", [
    lambda x: x @ np.ones(4),
    lambda x: np.sum(x, axis=3),
    lambda x: np.reshape(x, (2, 2)),
    lambda x: x * "a",
    lambda x: x[5],
    lambda x: np.log(x * x) * x[None, None, :] @ np.ones((2, 2)),
])  # fmt: skip
def test_errors_are_the_reference_errors(f, monkeypatch):
    x = np.array([0.5, -1.25, 2.0])
    with pytest.raises((TypeError, ValueError, IndexError)) as fast:
        ad.grad(lambda x: np.sum(f(x)))(x)
    monkeypatch.setattr(reverse, "ArrayTape", Tape)
    with pytest.raises((TypeError, ValueError, IndexError)) as reference:
        ad.grad(lambda x: np.sum(f(x)))(x)
    assert type(fast.value) is type(reference.value)
    assert str(fast.value) == str(reference.value)
    assert "Var" not in str(fast.value)
