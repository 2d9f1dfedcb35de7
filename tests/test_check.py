"""ad.check_grad: both modes against central differences and the complex step."""

from __future__ import annotations

import math

import numpy as np
import pytest

import adlearn as ad
from adlearn.examples import running_example as f
from adlearn.rules import Primitive, cos


def test_running_example():
    r = ad.check_grad(f, 2.0, 3.0)
    expected = (3.0 + math.cos(2.0), 2.0)
    assert r.argnums == (0, 1)
    for estimate in (r.forward, r.reverse, r.complex_step):
        assert estimate == pytest.approx(expected, rel=1e-15)
    assert r.central == pytest.approx(expected, rel=1e-9)
    assert r.complex_step_note == ""
    assert set(r.errors) == {
        "forward vs reverse",
        "forward vs central",
        "reverse vs central",
        "forward vs complex step",
        "reverse vs complex step",
    }
    assert r.errors["forward vs reverse"] == 0.0
    assert 0.0 < r.errors["forward vs central"] < 1e-9  # rounding and truncation
    assert r.errors["forward vs complex step"] <= 1e-15
    assert r.max_error == r.errors["forward vs central"]  # the largest here


def test_argnums():
    assert ad.check_grad(f, 2.0, 3.0, argnums=1).reverse == (2.0,)
    r = ad.check_grad(f, 2.0, 3.0, argnums=(1, 0))
    assert r.argnums == (1, 0)
    assert r.forward == pytest.approx((2.0, 3.0 + math.cos(2.0)))


def test_arrays_give_jacobians_of_shape_output_then_input():
    x = np.array([0.5, -1.0, 2.0])

    def g(x, y):
        return np.sin(x) * y  # (2, 3) from x (3,) and y (2, 1)

    y = np.array([[2.0], [-1.0]])
    r = ad.check_grad(g, x, y)
    jx = np.einsum("i,jk->ijk", y[:, 0], np.diag(np.cos(x)))  # d g_ij / d x_k
    jy = np.einsum("j,ik->ijk", np.sin(x), np.eye(2))[..., None]  # d g_ij / d y_k0
    for estimate in (r.forward, r.reverse, r.central, r.complex_step):
        assert estimate[0].shape == (2, 3, 3)
        assert estimate[1].shape == (2, 3, 2, 1)
        np.testing.assert_allclose(estimate[0], jx, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(estimate[1], jy, rtol=1e-8, atol=1e-10)
    assert r.max_error < 1e-8


def test_a_scalar_function_of_an_array_gives_a_gradient():
    x = np.array([0.5, -1.0, 2.0])
    r = ad.check_grad(lambda x: np.sum(x**3), x)
    for estimate in (r.forward, r.reverse, r.complex_step):
        np.testing.assert_allclose(estimate[0], 3 * x**2, rtol=1e-14)
    np.testing.assert_array_equal(x, [0.5, -1.0, 2.0])  # not changed in place


@pytest.mark.parametrize(
    ("g", "names"),
    [
        (lambda x: np.abs(x) * x, "abs, which is"),
        (lambda x: abs(x) * x, "abs, which is"),
        (lambda x: np.sign(x) * x, "sign, which is"),
        (lambda x: np.maximum(x, 0.5) + x, "maximum, which is"),
        (lambda x: np.minimum(x * x, np.abs(x)), "abs, minimum, which are"),
    ],
)
def test_complex_step_is_unavailable_where_f_is_not_analytic(g, names):
    r = ad.check_grad(g, -1.5)
    assert r.complex_step is None
    assert r.complex_step_note == (
        f"f uses {names} not analytic (on a complex number it does something else)"
    )
    assert "forward vs complex step" not in r.errors
    assert r.max_error < 1e-8  # the other estimates still agree
    assert "complex step unavailable: f uses" in repr(r)


def test_complex_step_is_unavailable_where_f_fails_on_complex_input():
    r = ad.check_grad(lambda x: np.floor(x) * x, 2.5)
    assert r.complex_step is None
    assert r.complex_step_note.startswith("f failed on complex input: TypeError: ")
    assert r.forward == (2.0,)
    assert r.central == pytest.approx((2.0,))


def test_complex_step_through_a_branch():
    """Comparisons steer control flow on the real part: the complex step still works."""
    r = ad.check_grad(lambda x: np.sin(x) if x > 0 else x * x, 0.7)
    assert r.complex_step == pytest.approx((math.cos(0.7),), rel=1e-15)
    r = ad.check_grad(lambda x: np.where(x > 0, np.sin(x), x * x), np.array([0.7, -2.0]))
    np.testing.assert_allclose(r.complex_step[0], np.diag([math.cos(0.7), -4.0]), rtol=1e-15)


WRONG_SIN = Primitive(
    "wrong_sin", np.sin, "wrong_sin({0})", (lambda x, out: 2.0 * cos(x),), ("2 cos({0})",)
)


def test_a_wrong_rule_is_caught():
    """A rule whose partial is twice what it should be: both numerical estimates see it."""
    r = ad.check_grad(lambda x: WRONG_SIN(x) + x, 0.4)
    assert r.forward == pytest.approx((2 * math.cos(0.4) + 1,))
    assert r.reverse == pytest.approx((2 * math.cos(0.4) + 1,))
    assert r.central == pytest.approx((math.cos(0.4) + 1,))
    assert r.complex_step == pytest.approx((math.cos(0.4) + 1,))
    assert r.errors["forward vs reverse"] == 0.0
    assert r.errors["forward vs central"] == pytest.approx(math.cos(0.4) / (math.cos(0.4) + 1))
    assert r.max_error > 0.4


def test_central_step():
    """The default step is cbrt(eps) * max(1, |x|); a given eps shows its truncation error."""
    r = ad.check_grad(lambda x, y: np.sin(x) * y, 0.3, np.array([-4.0, 0.5]))
    assert r.steps[0] == pytest.approx(np.cbrt(np.finfo(float).eps))
    np.testing.assert_allclose(r.steps[1], np.array([4.0, 1.0]) * np.cbrt(np.finfo(float).eps))
    h = 0.1
    r = ad.check_grad(np.sin, 0.3, eps=h)
    # (sin(x + h) - sin(x - h)) / 2h = cos(x) sin(h) / h
    assert r.central == pytest.approx((math.cos(0.3) * math.sin(h) / h,), rel=1e-12)
    assert r.errors["forward vs central"] == pytest.approx(math.cos(0.3) * (1 - math.sin(h) / h))


def test_repr_shows_every_estimate_and_error():
    lines = repr(ad.check_grad(f, 2.0, 3.0)).splitlines()
    assert lines[0] == "GradCheck"
    assert lines[1:6] == [
        "  d f / d argument 0:",
        "    forward      2.583853163",  # x2 + cos x1, to 10 digits
        "    reverse      2.583853163",
        lines[4],
        "    complex step 2.583853163",
    ]
    assert lines[4].startswith("    central      2.5838531")
    assert lines[6:11] == [
        "  d f / d argument 1:",
        "    forward      2",
        "    reverse      2",
        lines[9],
        "    complex step 2",
    ]
    assert lines[11] == "  errors (max |a - b| / max(1, |b|)):"
    assert lines[12] == "    forward vs reverse       0.0e+00"
    assert [line.split("  ")[2] for line in lines[12:]] == [
        "forward vs reverse",
        "forward vs central",
        "reverse vs central",
        "forward vs complex step",
        "reverse vs complex step",
    ]


def test_repr_of_arrays():
    text = repr(ad.check_grad(lambda x: np.sum(x * x), np.array([1.0, 2.0])))
    assert "    forward      [2., 4.]" in text.splitlines()


def test_infinite_derivatives_that_agree_count_as_equal():
    with np.errstate(invalid="ignore"):  # inf - inf in the central differences
        r = ad.check_grad(lambda x: x**2, np.inf)
    assert r.forward == r.reverse == (np.inf,)
    assert r.errors["forward vs reverse"] == 0.0
    assert math.isnan(r.errors["forward vs central"])  # and a nan is not hidden
    assert math.isnan(r.max_error)
