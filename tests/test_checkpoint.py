"""ad.checkpoint: the same gradient as without it, a smaller tape, and the segment run twice."""

from __future__ import annotations

import numpy as np
import pytest

import adlearn as ad
from adlearn.checkpoint import chain, checkpoint
from adlearn.examples import running_example as f
from adlearn.memory import measure, tape_bytes


def step(x):
    return np.sin(x) + 0.5 * x


def steps(x, n=10):
    for _ in range(n):
        x = step(x)
    return x


def test_running_example_checkpointed_has_its_gradient_and_hessian():
    g = checkpoint(f)
    assert ad.grad(g, argnums=(0, 1))(2.0, 3.0) == ad.grad(f, argnums=(0, 1))(2.0, 3.0)
    np.testing.assert_allclose(
        ad.hessian(g, argnums=(0, 1))(2.0, 3.0), [[-np.sin(2.0), 1.0], [1.0, 0.0]], rtol=1e-15
    )


@pytest.mark.parametrize("every", [1, 3, 7, 10, 50])
def test_checkpointed_chain_gradient_equals_the_plain_one(every):
    x = np.linspace(-1.0, 2.0, 7)
    plain = ad.grad(lambda x: np.sum(chain(step, 50)(x)))(x)
    saved = ad.grad(lambda x: np.sum(chain(step, 50, every)(x)))(x)
    np.testing.assert_array_equal(saved, plain)  # the same operations, in the same order


def test_vjp_and_jacrev_of_a_vector_segment():
    A = np.arange(6.0).reshape(2, 3) / 5

    def layer(x):
        return np.tanh(A @ x)

    x = np.array([0.3, -0.2, 0.5])
    u = np.array([1.0, -2.0])
    _, pull_plain = ad.vjp(layer, x)
    _, pull_saved = ad.vjp(checkpoint(layer), x)
    np.testing.assert_allclose(pull_saved(u)[0], pull_plain(u)[0], rtol=1e-15)
    np.testing.assert_allclose(ad.jacrev(checkpoint(layer))(x), ad.jacrev(layer)(x), rtol=1e-15)


def test_arguments_that_are_not_differentiated_and_keywords_pass_through():
    def scaled(x, c, *, power):
        return np.sum(c * x**power)

    g = checkpoint(scaled)
    x = np.array([1.0, 2.0])
    got = ad.grad(lambda x: g(x, 3.0, power=3))(x)
    np.testing.assert_allclose(got, 9.0 * x**2)  # d/dx 3 x^3 = 9 x^2, by hand


def test_nested_checkpoints_give_the_plain_gradient_and_a_smaller_peak():
    inner = checkpoint(steps)  # 10 steps

    def outer_body(x):
        return inner(inner(x))

    outer = checkpoint(outer_body)  # 20 steps
    x = np.linspace(0.0, 1.0, 1000)

    def nested(x):
        return np.sum(outer(outer(x)))

    def plain(x):
        return np.sum(steps(x, 40))

    np.testing.assert_array_equal(ad.grad(nested)(x), ad.grad(plain)(x))
    m = measure(nested, x)
    # alive at the peak: the main tape (x, two outer segments, sum), one outer segment's
    # recomputation (its input, two inner segments) and one inner one (its input, 10 steps
    # of sin, * and +)
    assert m.peak_entries == 4 + 3 + (1 + 3 * 10)
    assert m.peak_bytes < measure(plain, x).peak_bytes / 2


def test_the_tape_is_smaller_and_the_peak_is_one_segment_more():
    x = np.ones(1000)  # arrays of 8000 bytes
    array = 8000
    plain = measure(lambda x: np.sum(chain(np.sin, 100)(x)), x)
    saved = measure(lambda x: np.sum(chain(np.sin, 100, every=10)(x)), x)
    # plain: cos x of every step (100 arrays) and the array sum reads (1), and sum's result
    assert plain.entries == 1 + 100 + 1
    assert plain.bytes == plain.peak_bytes == 101 * array + 8
    # checkpointed: the 10 segments' inputs (the first is x itself) and what sum reads,
    # then during the backward sweep one segment's tape of 10 partials more
    assert saved.entries == 1 + 10 + 1
    assert saved.bytes == 11 * array + 8
    assert saved.peak_bytes == saved.bytes + 10 * array
    assert saved.peak_entries == saved.entries + 11


def test_sqrt_n_segments_make_the_smallest_peak():
    x = np.ones(100)
    peaks = {
        every: measure(lambda x, every=every: np.sum(chain(np.sin, 64, every)(x)), x).peak_bytes
        for every in (1, 2, 4, 8, 16, 32, 64)
    }
    assert min(peaks, key=peaks.get) == 8  # sqrt(64)


@pytest.mark.parametrize("x", [1.0, np.ones(3)], ids=["float", "array"])
def test_each_segment_runs_twice_and_only_when_differentiated(x):
    runs = []

    def counted(x):
        runs.append(type(x).__name__)
        return np.sin(x) * x

    g = checkpoint(counted)
    np.testing.assert_array_equal(g(x), np.sin(x) * x)  # plain numbers: just called
    assert len(runs) == 1
    runs.clear()
    ad.grad(lambda x: np.sum(g(x)))(x)
    # forward sweep on the value, then the recomputation (the tape array values record on
    # is a tape too: it checkpoints)
    assert runs == [type(x).__name__, "Var"]
    runs.clear()
    ad.jvp(g, (x,), (x,))
    assert runs == ["Dual"]  # forward mode keeps nothing: no recomputation


def test_calling_twice_gives_the_same_answer():
    g = ad.grad(lambda x: np.sum(chain(step, 20, 5)(x)))
    x = np.array([0.1, 0.2])
    np.testing.assert_array_equal(g(x), g(x))


def test_a_trace_of_a_checkpointed_function_shows_every_unit():
    t = ad.trace(checkpoint(f), 2.0, 3.0)
    assert len(t.units) == 5
    assert t.gradient == ad.trace(f, 2.0, 3.0).gradient


def test_a_long_chain_needs_no_recursion():
    g = chain(np.sin, 20_000, every=150)
    assert np.isfinite(ad.grad(g)(1.0))


def test_a_segment_that_ignores_its_input_sends_zero():
    g = checkpoint(lambda x: 2.0)
    assert ad.grad(lambda x: g(x) + x)(1.0) == 1.0


def test_tape_bytes_counts_a_shared_array_once():
    tape = ad.reverse.Tape()
    x = tape.input(np.ones(10))
    x * x  # both partials are x's value: one array of 80 bytes
    assert tape_bytes(tape) == 80


def test_a_closure_over_a_tape_variable_is_a_clear_error():
    def outer(x):
        return checkpoint(lambda y: y * x)(x)  # x reaches the segment from outside

    with pytest.raises(ValueError, match="not one of its arguments"):
        ad.grad(outer)(1.0)


def test_bad_segments_are_named():
    with pytest.raises(TypeError, match="checkpoint: expected a function"):
        checkpoint(3.0)
    pair = checkpoint(lambda x: (x, x))
    with pytest.raises(TypeError, match="must return one number or array, not a tuple"):
        ad.grad(lambda x: pair(x)[0])(1.0)
    with pytest.raises(ValueError, match="chain: every must be a whole number"):
        chain(np.sin, 10, every=0)
    with pytest.raises(TypeError, match="chain: step must be a function"):
        chain("sin", 10)


def test_measure_refuses_what_it_cannot_measure():
    with pytest.raises(ValueError, match="scalar"):
        measure(np.sin, np.ones(3))
    with pytest.raises(TypeError, match="measure: expected a function"):
        measure(3, 1.0)


# --- the explorer of chapter 7 ---------------------------------------------------------------


def test_checkpoint_figures_by_hand():
    from adlearn.memory_explorer import checkpoint_figures

    # 64 steps of sin in segments of 8: 8 stored inputs and the array np.sum keeps; at the
    # peak one segment's 8 partials more; without checkpoints 64 partials and np.sum's array
    assert checkpoint_figures(64, 8) == {
        "kept": 8 + 1,
        "peak": 8 + 1 + 8,
        "plain": 64 + 1,
        "runs": 2 * 64,
        "plain runs": 64,
    }


def test_the_peak_curve_is_lowest_near_the_square_root():
    from adlearn.memory_explorer import peaks

    curve = peaks(36)
    assert len(curve) == 36
    assert 1 + curve.index(min(curve)) in (5, 6, 7)
    assert curve[-1] == 36 + 1 + 1  # one segment: the whole chain recomputed beside its input


def test_checkpoint_explorer_follows_its_sliders():
    from adlearn.memory_explorer import explore_checkpoints

    e = explore_checkpoints(length=16, every=4)
    assert e.numbers["peak"] == 4 + 1 + 4
    e.controls["every"].value = 2
    assert e.numbers["peak"] == 8 + 1 + 2
    e.controls["length"].value = 8  # the segment slider's range follows the chain's length
    assert e.controls["every"].max == 8
    assert e.numbers["plain"] == 8 + 1
    assert e.image.value[:4] == b"\x89PNG"
    assert repr(e) == "<adlearn checkpoint explorer>"


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"length": 0}, "length must be a whole number"),
        ({"every": 2.5}, "every must be a whole number"),
        ({"length": 8, "every": 9}, "longer than the chain"),
        ({"length": 200, "every": 10}, "at most 144"),
    ],
)
def test_checkpoint_explorer_refuses_bad_sizes(kw, words):
    from adlearn.memory_explorer import explore_checkpoints

    with pytest.raises(ValueError, match=words):
        explore_checkpoints(**kw)
