"""Plots of f and its derivatives, checked against closed-form derivatives."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

from adlearn import plots
from adlearn.examples import baydin
from adlearn.examples import running_example as f


def grad_f(x1, x2):
    return np.array([x2 + np.cos(x1), x1])


def grad_baydin(x1, x2):
    return np.array([1 / x1 + x2, x1 - np.cos(x2)])


def arrow_vector(ax):
    arrow = plots.gradient_arrow(ax)
    return np.subtract(arrow.xy, arrow.xyann), np.asarray(arrow.xyann)


def angle_between(u, v):
    """The angle between two plane vectors, in degrees (accurate near 0)."""
    cross = u[0] * v[1] - u[1] * v[0]
    return math.degrees(math.atan2(abs(cross), float(np.dot(u, v))))


@pytest.mark.parametrize(
    ("function", "gradient", "point"),
    [
        (f, grad_f, (2.0, 3.0)),
        (f, grad_f, (-1.5, 0.5)),
        (baydin, grad_baydin, (2.0, 1.0)),
        (baydin, grad_baydin, (0.5, -2.0)),
    ],
)
def test_the_gradient_arrow_points_along_the_gradient(function, gradient, point):
    fig = plots.contours(function, *point)
    vector, start = arrow_vector(fig.axes[0])
    assert start == pytest.approx(point)
    assert angle_between(vector, gradient(*point)) < 1e-6


def test_arrow_lengths_are_on_one_scale():
    g = plots.grid(f, (-4, 4, -4, 4), 41)
    fig, ax = plt.subplots()
    try:
        a = plots.draw_gradient(ax, g, 0.0, 0.0, grad_f(0.0, 0.0))  # |grad| = 1
        b = plots.draw_gradient(ax, g, 0.0, 2.0, grad_f(0.0, 2.0))  # |grad| = 3
        length = [np.hypot(*np.subtract(x.xy, x.xyann)) for x in (a, b)]
        assert length[1] / length[0] == pytest.approx(3.0)
    finally:
        plt.close(fig)


def test_a_zero_or_undefined_gradient_draws_no_arrow():
    fig = plots.contours(lambda x1, x2: x1**2 + x2**2, 0.0, 0.0)
    assert plots.gradient_arrow(fig.axes[0]) is None
    for x1 in (0.0, -0.5):  # log(x1) undefined; its derivative 1/x1 is not a gradient of f
        fig = plots.contours(baydin, x1, 1.0, box=(-1, 1, -1, 1))
        assert plots.gradient_arrow(fig.axes[0]) is None


def test_the_title_gives_the_gradient():
    title = plots.contours(f, 2.0, 3.0).axes[0].get_title()
    g = grad_f(2.0, 3.0)
    assert title.endswith(f"∇f(2.00, 3.00) = ({g[0]:.3f}, {g[1]:.3f})")


def test_the_gradient_field_points_along_the_gradient_everywhere():
    fig = plots.contours(f, 2.0, 3.0, field=True, n=61)
    field = next(c for c in fig.axes[0].collections if c.get_gid() == "gradient-field")
    xy, U, V = field.get_offsets(), field.U, field.V
    assert len(xy) > 100
    for (x, y), u, v in zip(xy, U, V):
        if np.hypot(u, v) > 1e-9:
            assert angle_between([u, v], grad_f(x, y)) < 1e-6


def test_no_field_where_f_is_undefined():
    fig = plots.contours(baydin, 2.0, 1.0, box=(-4, 4, -4, 4), field=True)
    field = next(c for c in fig.axes[0].collections if c.get_gid() == "gradient-field")
    assert (field.get_offsets()[:, 0] > 0).all()
    assert len(field.get_offsets()) > 50


def test_axes_are_named_after_the_inputs():
    ax = plots.contours(lambda a, b: a * b, 1.0, 1.0).axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("a", "b")


def test_the_box_is_drawn():
    ax = plots.contours(f, 0.0, 0.0, box=(-1, 2, -3, 4)).axes[0]
    assert ax.get_xlim() == (-1, 2)
    assert ax.get_ylim() == (-3, 4)


def test_the_grid_holds_f_and_its_gradient_elementwise():
    g = plots.grid(f, (-2, 2, -1, 3), 9)
    assert np.allclose(g.F, f(g.X1, g.X2))
    G = grad_f(g.X1, g.X2)
    assert np.allclose(g.G1, G[0])
    assert np.allclose(g.G2, G[1])


def test_functions_that_take_no_arrays_are_evaluated_point_by_point():
    def scalar_only(x1, x2):
        return math.sin(x1) * x2 if x1 > 0 else x2

    g = plots.grid(scalar_only, (-1, 1, 0, 1), 5)
    assert g.F[2, 4] == pytest.approx(math.sin(1.0) * 0.5)
    assert g.F[2, 0] == pytest.approx(0.5)


def test_points_where_f_fails_are_blank():
    def picky(x1, x2):
        if np.any(np.asarray(x1) < 0):
            raise ValueError("negative")
        return x1 + x2

    F = plots.evaluate(picky, np.array([-1.0, 1.0]), np.array([0.0, 0.0]))
    assert np.isnan(F[0])
    assert F[1] == 1.0


def test_surface_is_3d_with_a_tangent_plane():
    fig = plots.surface(f, 2.0, 3.0, n=21)
    ax = fig.axes[0]
    assert ax.name == "3d"
    assert any(c.get_gid() == "tangent-plane" for c in ax.collections)
    assert not any(
        c.get_gid() == "tangent-plane"
        for c in plots.surface(f, 2.0, 3.0, n=21, tangent_plane=False).axes[0].collections
    )


@pytest.mark.parametrize("angle", [0.0, 30.0, 90.0, 200.0, 360.0])
def test_the_tangent_line_of_a_slice_has_the_directional_derivative_as_slope(angle):
    ax = plots.directional_slice(f, 2.0, 3.0, angle=angle).axes[0]
    lines = {line.get_gid(): line for line in ax.lines}
    t, y = lines["tangent-line"].get_data()
    u = np.array([math.cos(math.radians(angle)), math.sin(math.radians(angle))])
    slope = (y[-1] - y[0]) / (t[-1] - t[0])
    assert slope == pytest.approx(grad_f(2.0, 3.0) @ u)
    t, y = lines["slice"].get_data()
    assert np.allclose(y, f(2.0 + t * u[0], 3.0 + t * u[1]))


def test_a_slice_along_a_given_vector_uses_its_direction():
    ax = plots.directional_slice(f, 2.0, 3.0, u=(0.0, 5.0)).axes[0]
    t, y = next(line for line in ax.lines if line.get_gid() == "tangent-line").get_data()
    assert (y[-1] - y[0]) / (t[-1] - t[0]) == pytest.approx(2.0)  # df/dx2 = x1


def test_a_zero_direction_is_refused():
    with pytest.raises(ValueError, match="not both 0"):
        plots.directional_slice(f, u=(0.0, 0.0))


def test_finite_differences_have_a_best_step_and_ad_does_not_need_one():
    e = plots.finite_difference_errors(f, 2.0, 3.0, exact=lambda x1, x2: x2 + np.cos(x1))
    h = e["steps"]
    best_forward = h[np.argmin(e["forward"])]
    best_central = h[np.argmin(e["central"])]
    # truncation against rounding: about sqrt(eps) forward, eps**(1/3) central
    assert 1e-10 < best_forward < 1e-6
    assert 1e-7 < best_central < 1e-3
    assert e["central"].min() < e["forward"].min()
    assert e["ad"] < 1e-14
    assert e["forward"].min() > 1e-10


def test_the_step_size_plot_is_log_log_with_three_curves():
    ax = plots.step_size_error(f, 2.0, 3.0, argnum=1).axes[0]
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    assert {line.get_gid() for line in ax.lines} >= {"forward", "central", "ad"}
    assert ax.get_ylabel() == "|error| of df/dx2"


def test_plots_draw_into_given_axes():
    fig, ax = plt.subplots()
    try:
        assert plots.contours(f, ax=ax) is fig
        assert plots.gradient_arrow(ax) is not None
    finally:
        plt.close(fig)


def test_plots_leave_no_figure_open():
    before = plt.get_fignums()
    plots.contours(f, field=True, n=31)
    plots.surface(f, n=15)
    plots.directional_slice(f)
    plots.step_size_error(f)
    assert plt.get_fignums() == before


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: plots.contours(f, "2", 3.0), TypeError, "x1 must be a number"),
        (lambda: plots.contours(f, box=(1, 0, 0, 1)), ValueError, "x1_min < x1_max"),
        (lambda: plots.contours(f, box=3), TypeError, "box must be four numbers"),
        (lambda: plots.grid(f, n=1), ValueError, "n must be an int >= 2"),
        (lambda: plots.step_size_error(f, argnum=2), ValueError, "argnum must be 0 or 1"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()
