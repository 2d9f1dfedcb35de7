"""ad.jit: the generated source, guards and recordings, and what runs interpreted.

Expected derivatives are closed forms written here; the engine's whole test
matrix, compiled, is in tests/test_jit_matrix.py.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest

import adlearn as ad
import adlearn.compiled as jit_module
from adlearn.examples import running_example as f
from adlearn.recording import NotCompilable

POINTS = [(2.0, 3.0), (0.5, -1.0), (-1.25, 4.0), (3.0, 0.0)]


def body(source):
    """The lines of a generated function, without the def, stripped."""
    return [line.strip() for line in source.splitlines()[1:] if line.strip()]


def sweep(lines, start, stop="return"):
    """The lines between the comment ``# start`` and the next comment or ``stop``."""
    i = lines.index(f"# {start}")
    out = []
    for line in lines[i + 1 :]:
        if line.startswith(("#", stop)):
            break
        out.append(line)
    return out


def test_reverse_source_of_the_running_example():
    cf = ad.jit(ad.value_and_grad(f, argnums=(0, 1)))
    lines = body(cf.source(2.0, 3.0))
    assert sweep(lines, "forward sweep") == [
        "w1_1 = x1 * x2",
        "w1_2 = math.sin(x1)",
        "w2 = w1_1 + w1_2",
    ]
    reverse = sweep(lines, "reverse sweep")
    x1_lines = [line for line in reverse if re.match(r"x1_bar \+?=", line)]
    assert len(x1_lines) == 2  # x1 is read twice: two contributions
    assert x1_lines[0].startswith("x1_bar = ")
    assert x1_lines[1].startswith("x1_bar += ")
    assert {x1_lines[0].split("= ")[1], x1_lines[1].split("+= ")[1]} == {"math.cos(x1)", "x2"}
    assert lines[-1] == "return (w2, (x1_bar, x2_bar))"
    for x1, x2 in POINTS:
        value, (d1, d2) = cf(x1, x2)
        assert value == pytest.approx(x1 * x2 + math.sin(x1), abs=1e-15)
        assert d1 == pytest.approx(x2 + math.cos(x1), abs=1e-15)
        assert d2 == pytest.approx(x1, abs=0)


def test_grad_is_compiled_after_the_first_call():
    calls = []

    def g(x1, x2):
        calls.append(1)
        return f(x1, x2)

    cf = ad.jit(ad.grad(g, argnums=(0, 1)))
    for x1, x2 in POINTS:
        d1, d2 = cf(x1, x2)
        assert (d1, d2) == (pytest.approx(x2 + math.cos(x1), abs=1e-15), x1)
        assert type(d1) is float
        assert type(d2) is float
    assert len(calls) == 2  # the first call: interpreted once, recorded once
    assert len(cf.traces) == 1


def test_forward_mode_source_names_tangents():
    cf = ad.jit(ad.derivative(f))
    lines = body(cf.source(2.0, 3.0))
    assert "w1_2_dot = math.cos(x1)" in lines
    assert "w2_dot = x2 + w1_2_dot" in lines
    both = ad.jit(ad.jacfwd(f, argnums=(0, 1)))
    for x1, x2 in POINTS:
        assert cf(x1, x2) == pytest.approx(x2 + math.cos(x1), abs=1e-15)
        assert both(x1, x2) == (pytest.approx(x2 + math.cos(x1), abs=1e-15), x1)


def test_wengert_notation():
    lines = body(ad.jit(f, notation="wengert").source(2.0, 3.0))
    assert lines[:3] == ["w3 = x1 * x2", "w4 = math.sin(x1)", "w5 = w3 + w4"]


def test_hessian_of_the_running_example():
    cf = ad.jit(ad.hessian(f, argnums=(0, 1)))
    for x1, x2 in POINTS:
        h = np.array(cf(x1, x2))
        np.testing.assert_allclose(h, [[-math.sin(x1), 1.0], [1.0, 0.0]], atol=1e-15)
    assert len(cf.traces) == 1


def branchy(x):
    if x > 0.0:
        return x * x
    return np.sin(x)


def test_branches_are_guarded_and_each_path_recorded_once():
    cf = ad.jit(ad.grad(branchy))
    xs = [1.0, 2.0, -1.0, -3.0, 0.5, -0.25, 4.0, 0.0]
    counts = []
    for x in xs:
        expected = 2 * x if x > 0 else math.cos(x)
        assert cf(x) == pytest.approx(expected, abs=1e-15), x
        counts.append(len(cf.traces))
    assert counts == [1, 1, 2, 2, 2, 2, 2, 2]  # one recording per branch taken
    assert cf.traces[0].guards == ["x > 0.0"]
    assert cf.traces[1].guards == ["not (x > 0.0)"]
    assert "if not (x > 0.0): raise Retrace(0)" in cf.traces[0].source
    assert "if x > 0.0: raise Retrace(0)" in cf.traces[1].source


def halve_until_small(x):
    while x > 1.0:
        x = x * 0.5
    return x


def test_loops_record_one_path_per_number_of_iterations():
    cf = ad.jit(ad.grad(halve_until_small))
    xs = [1.5, 1.9, 3.0, 0.5, 3.9, 7.0, 0.75]
    for x in xs:
        n = max(0, math.ceil(math.log2(x))) if x > 1.0 else 0
        assert cf(x) == 0.5**n, x
    assert len(cf.traces) == 4  # 1, 2, 0 and 3 iterations
    assert [len(t.guards) for t in cf.traces] == [2, 3, 1, 4]


def test_float_and_int_of_a_traced_value_are_guarded():
    cf = ad.jit(lambda x: x * float(x) + int(x))
    assert cf(2.5) == 2.5 * 2.5 + 2
    assert cf(2.5) == 2.5 * 2.5 + 2
    assert len(cf.traces) == 1
    assert any("== 2.5" in g for g in cf.traces[0].guards)
    assert cf(3.5) == 3.5 * 3.5 + 3
    assert len(cf.traces) == 2


def test_a_comparison_used_as_data_is_an_operation():
    g = ad.jit(ad.grad(lambda x: np.sum(np.where(x > 0.0, x**2, -x))))
    for x in (np.array([1.0, -2.0, 3.0]), np.array([-1.0, 2.0, -3.0]), np.array([0.5, 0.5, -0.5])):
        np.testing.assert_array_equal(g(x), np.where(x > 0, 2 * x, -1.0))
    assert len(g.traces) == 1
    assert g.traces[0].guards == []
    assert "x > 0.0" in g.traces[0].source


@pytest.mark.parametrize(
    ("make", "f", "first", "then"),
    [
        (lambda f: f, lambda x, y: x * y, (1.0, 5.0), (2.0, 5.0)),
        (lambda f: f, lambda x, y: np.maximum(x, y) * x, (1.0, 2.0), (3.0, 2.0)),
        (ad.grad, lambda x: x * x, (1.0,), (3.0,)),
        (lambda f: ad.grad(f, argnums=(0, 1)), lambda x, y: np.sin(x * y), (1.0, 1.0), (2.0, 3.0)),
        (lambda f: ad.hessian(f, argnums=(0, 1)), lambda x, y: x**3 * y, (1.0, 1.0), (2.0, 3.0)),
        (ad.derivative, lambda x: x * x * x, (1.0,), (-2.0,)),
    ],
)
def test_an_input_that_is_one_when_recorded_is_still_multiplied(make, f, first, then):
    """A multiplication by the constant 1.0 (a seed) is left out of the program; by an input
    that happened to be 1.0 at the first call, never (it gave x * y == y from then on)."""
    compiled = ad.jit(make(f))
    compiled(*first)
    np.testing.assert_allclose(compiled(*then), make(f)(*then), rtol=1e-15)
    np.testing.assert_allclose(compiled(*first), make(f)(*first), rtol=1e-15)


@pytest.mark.filterwarnings("error")  # recorded, not run interpreted
def test_conditions_combined_with_bitwise_operators_are_operations():
    f = lambda x: np.sum(np.where(((x > 0) ^ (x < 1)) | ~(x > 5) & (True & (x > -2)), x, 2 * x))
    g = ad.jit(ad.grad(f))
    for x in (np.array([0.5, 2.0, -1.0]), np.array([6.0, -3.0, 0.2])):
        np.testing.assert_array_equal(g(x), ad.grad(f)(x))
    assert len(g.traces) == 1
    assert " ^ " in g.traces[0].source


def test_maximum_and_abs_on_arrays_follow_their_kinks():
    g = ad.jit(ad.grad(lambda x: np.sum(np.maximum(x, 0.0) + np.abs(x))))
    for x in (np.array([1.0, -2.0]), np.array([-3.0, 4.0])):
        np.testing.assert_array_equal(g(x), (x > 0) * 1.0 + np.sign(x))
    assert len(g.traces) == 1


def test_values_taken_on_the_input_are_operations_not_constants():
    """The sign of slogdet and the count of norm(ord=0) change with the input: recorded."""

    def f(a):
        sign, logabsdet = np.linalg.slogdet(a)
        return sign * logabsdet + np.linalg.norm(a[0], ord=0)

    cf, df = ad.jit(f), ad.jit(ad.grad(f))
    for a in (np.array([[2.0, 1.0], [1.0, 3.0]]), np.array([[1.0, 2.0], [3.0, 0.0]])):
        det = a[0, 0] * a[1, 1] - a[0, 1] * a[1, 0]
        assert cf(a) == pytest.approx(np.sign(det) * np.log(abs(det)) + np.count_nonzero(a[0]))
        np.testing.assert_allclose(df(a), np.sign(det) * np.linalg.inv(a).T, rtol=1e-14)
    assert len(cf.traces) == 1
    assert len(df.traces) == 1


def test_arrays_broadcast_and_results_are_fresh():
    def loss(w, b):
        return np.sum(np.tanh(w * np.ones((3, 1)) + b))

    cf = ad.jit(ad.grad(loss, argnums=(0, 1)))
    rng = np.random.default_rng(0)
    for _ in range(3):
        w, b = rng.normal(size=4), float(rng.normal())
        dw, db = cf(w, b)
        t = 1 - np.tanh(w + b) ** 2
        np.testing.assert_allclose(dw, 3 * t, rtol=1e-14)
        assert db == pytest.approx(3 * np.sum(t), rel=1e-14)
    x = np.arange(3.0)
    copy = ad.jit(ad.grad(lambda x, y: np.sum(x * y), argnums=1))
    copy(x, x + 1)
    out = copy(x, x + 1)
    assert not np.shares_memory(out, x)
    out[:] = -1
    np.testing.assert_array_equal(x, np.arange(3.0))


def test_adjoints_add_up_without_writing_into_arguments():
    g = ad.jit(ad.grad(lambda x, y: np.sum(x * y + x * x + np.sin(x)), argnums=(0, 1)))
    x, y = np.linspace(-1.0, 1.0, 4), np.linspace(2.0, 3.0, 4)
    x0, y0 = x.copy(), y.copy()
    for _ in range(3):
        dx, dy = g(x, y)
        np.testing.assert_allclose(dx, y0 + 2 * x0 + np.cos(x0), rtol=1e-15)
        np.testing.assert_array_equal(dy, x0)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(y, y0)
    assert "x_bar += " in g.source(x, y)


@pytest.mark.parametrize(
    "f", [lambda x: x, lambda x: x[1:], lambda x: (x.T, 2.0 * x), lambda x: {"a": x[::-1]}]
)
def test_a_result_shares_no_memory_with_an_argument_on_every_call(f):
    """The first call of a signature runs f itself: its result is copied where it is an
    argument or a view of one, as the compiled code's results are on the later calls."""
    x = np.arange(4.0)
    compiled = ad.jit(f)
    for _ in range(3):  # recorded, then compiled
        leaves = ad.pytree.flatten(compiled(x))[0]
        assert not any(np.shares_memory(y, x) for y in leaves)
    unhashable = ad.jit(lambda x, options: x[: options["n"]])  # a dict argument: run as it is
    assert not np.shares_memory(unhashable(x, {"n": 2}), x)


def test_containers():
    loss = ad.jit(ad.grad(lambda p: (p["w"] * 2.0 + p["b"] - 1.0) ** 2))
    for w, b in ((1.0, 0.0), (0.5, 2.0)):
        r = 2 * (2 * w + b - 1)
        assert loss({"w": w, "b": b}) == {"w": pytest.approx(2 * r), "b": pytest.approx(r)}


def test_math_domain_errors_give_numpy_answers():
    cf = ad.jit(ad.value_and_grad(np.log))
    assert cf(2.0) == (pytest.approx(math.log(2.0)), 0.5)
    with np.errstate(divide="ignore"):
        assert cf(0.0) == (-math.inf, math.inf)
    assert cf(4.0) == (pytest.approx(math.log(4.0)), 0.25)


def test_a_recording_past_the_limit_runs_interpreted(monkeypatch):
    monkeypatch.setattr(jit_module, "MAX_OPERATIONS", 5)

    def long(x):
        for _ in range(10):
            x = np.sin(x)
        return x

    cf = ad.jit(ad.grad(long))
    with pytest.warns(RuntimeWarning, match="trace size limit"):
        got = cf(0.3)
    assert got == pytest.approx(ad.grad(long)(0.3), abs=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cf(0.4) == pytest.approx(ad.grad(long)(0.4), abs=0)  # interpreted, quietly
    assert cf.traces == []
    with pytest.raises(NotCompilable, match="trace size limit"):
        cf.source(0.3)


def test_past_the_most_paths_a_signature_runs_interpreted(monkeypatch):
    monkeypatch.setattr(jit_module, "MAX_PATHS", 3)
    steps = ad.jit(lambda x: x * int(x))  # one path per whole part
    for x in (0.5, 1.5, 2.5):
        assert steps(x) == x * int(x)
    assert len(steps.traces) == 3
    with pytest.warns(RuntimeWarning, match="more than 3 paths"):
        assert steps(3.5) == 3.5 * 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert steps(4.5) == 4.5 * 4  # interpreted from now on, quietly
        assert steps(0.25) == 0.0
    assert len(steps.traces) == 3


def test_conversion_to_an_array_runs_interpreted():
    cf = ad.jit(lambda x: np.asarray(x) * 2.0)
    with pytest.warns(RuntimeWarning, match="converted to a numpy array"):
        assert cf(np.ones(2)).tolist() == [2.0, 2.0]


def test_signature_keys_shapes_and_keywords():
    cf = ad.jit(ad.grad(lambda x, scale=1.0: scale * np.sum(x**2)))
    cf(np.ones(2))
    cf(np.ones(3))
    cf(np.ones(3), scale=2.0)
    np.testing.assert_array_equal(cf(np.ones(3), scale=2.0), 4 * np.ones(3))
    assert len(cf.traces) == 3
    assert [t.signature for t in cf.traces] == [
        "(array(2,) float64)", "(array(3,) float64)", "(array(3,) float64, scale=2.0)"
    ]  # fmt: skip


def test_jit_inside_a_transformation_runs_the_function_as_it_is():
    inner = ad.jit(lambda x: x * np.sin(x))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ad.grad(inner)(2.0) == pytest.approx(math.sin(2.0) + 2.0 * math.cos(2.0))
    assert inner.traces == []


def test_bad_arguments():
    with pytest.raises(TypeError, match=r"ad\.jit: expected a function, got a int"):
        ad.jit(3)
    with pytest.raises(ValueError, match="notation must be"):
        ad.jit(f, notation="greek")


def test_an_array_constant_is_described_where_the_program_starts():
    weights = np.arange(3.0)
    compiled = ad.jit(ad.grad(lambda x: np.sum(weights * np.sin(x))))
    x = np.array([0.1, 0.2, 0.3])
    lines = compiled.source(x).splitlines()
    named = [line.split()[1].rstrip(":") for line in lines if line.strip().startswith("# c")]
    assert len(named) == 1
    assert f"# {named[0]}: array([0., 1., 2.])" in lines[1]
    assert any(named[0] in line for line in lines[2:])
    np.testing.assert_allclose(compiled(x), weights * np.cos(x), rtol=1e-15)
    many = np.linspace(-1.0, 1.0, 30)
    assert "shape (30,), from -1.0 to 1.0" in ad.jit(ad.grad(lambda x: np.sum(many * x))).source(
        np.ones(30)
    )
