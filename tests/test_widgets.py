"""The explorers, driven from code: sliders set, then the table and the pictures checked.

No front end is needed: ipywidgets runs its observers in the kernel (here, in
the test process), which is where an explorer renders.
"""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from adlearn import palette, plots
from adlearn.examples import baydin
from adlearn.examples import running_example as f
from adlearn.widgets import explore, explore_direction, explore_sweep


def grad_f(x1, x2):
    return np.array([x2 + math.cos(x1), x1])


def picky(x1, x2):
    if x1 < 0:
        raise ValueError("x1 must not be negative")
    return x1 * x2


def row(table_text, name):
    """The cells of the table row of unit ``name`` (Wengert name, 'w3')."""
    for line in table_text.splitlines():
        cells = line.split()
        if len(cells) > 1 and cells[1] == name:
            return cells
    raise AssertionError(f"no row {name} in\n{table_text}")


def arrow_direction(explorer):
    ax = explorer.figures["contours"].axes[0]
    arrow = plots.gradient_arrow(ax)
    return None if arrow is None else np.subtract(arrow.xy, arrow.xyann)


def parallel(u, v):
    return abs(u[0] * v[1] - u[1] * v[0]) < 1e-9 * np.hypot(*u) * np.hypot(*v) and np.dot(u, v) > 0


# --- the point explorer ---------------------------------------------------------------


def test_the_point_explorer_has_sliders_x1_and_x2_at_the_defaults():
    e = explore(f)
    assert e.controls["x1"].description == "x1"
    assert e.controls["x2"].description == "x2"
    assert (e.controls["x1"].value, e.controls["x2"].value) == (2.0, 3.0)
    assert row(e.table_text, "w5")[-3] == f"{6 + math.sin(2.0):.3f}"
    assert e.message_text == ""
    assert repr(e) == "<adlearn point explorer>"


@pytest.mark.parametrize(("x1", "x2"), [(-4.0, -4.0), (-4.0, 4.0), (4.0, -4.0), (4.0, 4.0),
                                        (0.0, 0.0), (0.1, -2.3)])
def test_moving_the_point_updates_table_arrow_and_pictures(x1, x2):
    e = explore(f)
    pictures = {name: image.value for name, image in e.images.items()}
    e.controls["x1"].value = x1
    e.controls["x2"].value = x2
    value, gradient = x1 * x2 + math.sin(x1), grad_f(x1, x2)
    assert row(e.table_text, "w5")[-3] == f"{value:.3f}".replace("-0.000", "0.000")
    assert row(e.table_text, "w1")[-1] == f"{gradient[0]:.3f}"  # the adjoint of x1
    assert row(e.table_text, "w2")[-1] == f"{gradient[1]:.3f}"
    assert f"{value:.3f}".replace("-0.000", "0.000") in e.table.value
    direction = arrow_direction(e)
    if np.hypot(*gradient) > 0:
        assert parallel(direction, gradient)
    for name, image in e.images.items():
        assert image.value != pictures[name], name
        assert image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_graph_shows_the_values_at_the_point():
    e = explore(f, x1=1.0, x2=-2.0)
    notes = [t.get_text() for t in e.figures["graph"].axes[0].texts
             if str(t.get_gid()).startswith("note-")]
    assert f"= {-2.0 + math.sin(1.0):.3f}" in notes


def test_where_f_is_not_finite_a_message_replaces_the_traceback():
    e = explore(baydin)
    for x1 in (0.0, -4.0, -0.1):
        e.controls["x1"].value = x1
        assert "not finite" in e.message_text
        assert "not finite" in e.message.value
        assert arrow_direction(e) is None
    e.controls["x1"].value = 2.0
    assert e.message_text == ""
    assert e.message.value == ""
    assert parallel(arrow_direction(e), [1 / 2.0 + 3.0, 2.0 - math.cos(3.0)])


def test_an_f_that_raises_shows_its_error_and_hides_the_stale_graph():
    e = explore(picky, x1=1.0, x2=1.0)
    e.controls["x1"].value = -1.0
    assert "x1 must not be negative" in e.message_text
    assert e.images["graph"].layout.visibility == "hidden"
    assert e.table_text == ""
    e.controls["x1"].value = 2.0
    assert e.message_text == ""
    assert e.images["graph"].layout.visibility == "visible"
    assert row(e.table_text, "w3")[-3] == "2.000"


def test_the_defaults_and_ranges_are_keywords():
    e = explore(f, x1=-1.0, x2=0.5, x1_range=(-2, 2), x2_range=(0, 1))
    assert (e.controls["x1"].min, e.controls["x1"].max) == (-2, 2)
    assert (e.controls["x2"].min, e.controls["x2"].max) == (0, 1)
    assert row(e.table_text, "w1")[-3] == "-1.000"


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"x1": 9.0}, "outside x1_range"),
        ({"x2_range": (1.0, 1.0)}, "min < max"),
    ],
)
def test_bad_settings_are_named(kw, message):
    with pytest.raises(ValueError, match=message):
        explore(f, **kw)


def test_f_must_be_callable():
    with pytest.raises(TypeError, match="f must be a function of two inputs"):
        explore(3.0)


# --- the sweep explorer ----------------------------------------------------------------


def highlighted_unit(e):
    want = to_hex(palette.HIGHLIGHT)
    return [
        int(p.get_gid().split("-")[1])
        for p in e.figures["graph"].axes[0].patches
        if str(p.get_gid()).startswith("unit-") and to_hex(p.get_facecolor()) == want
    ]


def highlighted_row(e):
    """Index (1-based) of the table row marked as the current step."""
    rows = e.table.value.split("<tbody>")[1].split("<tr")[1:]
    return [i for i, r in enumerate(rows, 1) if palette.HIGHLIGHT in r]


def test_the_step_slider_walks_the_sweep_forward_and_reverse():
    e = explore_sweep(f)
    step = e.controls["step"]
    assert (step.min, step.max) == (1, 5)
    for k in range(1, 6):
        step.value = k
        assert highlighted_unit(e) == [k]
        assert highlighted_row(e) == [k]
    e.controls["mode"].value = "reverse"
    for k in (1, 3, 5):
        step.value = k
        assert highlighted_unit(e) == [6 - k]  # w5 first
        assert highlighted_row(e) == [k]


def test_the_mode_toggle_seeds_the_tangent_on_x1_or_x2():
    e = explore_sweep(f)
    assert [label for label, _ in e.controls["mode"].options] == [
        "forward, seed x1", "forward, seed x2", "reverse"]
    e.controls["step"].value = 5
    assert row(e.table_text, "w5")[-1] == f"{3 + math.cos(2.0):.3f}"  # df/dx1
    e.controls["mode"].value = "forward x2"
    assert row(e.table_text, "w5")[-1] == "2.000"  # df/dx2 = x1
    e.controls["mode"].value = "reverse"
    assert "adjoint" in e.table_text.splitlines()[0]
    assert row(e.table_text, "w1")[-1] == f"{3 + math.cos(2.0):.3f}"


def test_moving_the_point_keeps_the_step():
    e = explore_sweep(f, mode="reverse", step=3)
    e.controls["x1"].value = -4.0
    e.controls["x2"].value = 4.0
    assert e.controls["step"].value == 3
    assert highlighted_unit(e) == [3]
    assert row(e.table_text, "w2")[-1] == "-4.000"  # df/dx2 = x1


def test_the_step_slider_follows_the_number_of_units():
    e = explore_sweep(baydin, step=7)
    assert e.controls["step"].max == 7
    assert highlighted_unit(e) == [7]


def test_the_sweep_explorer_survives_x1_at_zero():
    e = explore_sweep(baydin, mode="reverse")
    e.controls["x1"].value = 0.0
    assert "not finite" in e.message_text
    e.controls["step"].value = 7
    assert highlighted_unit(e) == [1]


# --- the direction explorer -----------------------------------------------------------


@pytest.mark.parametrize("angle", [0.0, 45.0, 90.0, 270.0, 360.0])
def test_the_slope_is_the_directional_derivative(angle):
    e = explore_direction(f)
    e.controls["angle"].value = angle
    u = np.array([math.cos(math.radians(angle)), math.sin(math.radians(angle))])
    slope = grad_f(2.0, 3.0) @ u
    assert e.slice.slope == pytest.approx(slope)
    assert f"∇f·u = {slope:.3f}".replace("-0.000", "0.000") in e.readout.value
    right = e.figures["direction"].axes[1]
    t, y = next(line for line in right.lines if line.get_gid() == "tangent-line").get_data()
    assert (y[-1] - y[0]) / (t[-1] - t[0]) == pytest.approx(slope)
    t, y = next(line for line in right.lines if line.get_gid() == "slice").get_data()
    assert np.allclose(y, f(2.0 + t * u[0], 3.0 + t * u[1]))


def test_the_direction_explorer_moves_the_point_too():
    e = explore_direction(f, angle=90.0)
    e.controls["x1"].value = -4.0
    assert e.slice.slope == pytest.approx(-4.0)  # df/dx2 = x1
    left = e.figures["direction"].axes[0]
    x, _y = next(line for line in left.lines if line.get_gid() == "direction-line").get_data()
    assert np.allclose(x, -4.0)


def test_the_direction_explorer_survives_x1_at_zero():
    e = explore_direction(baydin)
    e.controls["x1"].value = 0.0
    assert "not finite here" in e.message_text  # the words of every explorer
    e.controls["x1"].value = 1.0
    assert e.message_text == ""


def test_the_angle_must_be_in_range():
    with pytest.raises(ValueError, match="angle must be from 0 to 360"):
        explore_direction(f, angle=400.0)


# --- many changes -----------------------------------------------------------------------


@pytest.mark.parametrize("make", [explore, explore_sweep, explore_direction])
def test_many_changes_leak_no_figure_and_no_output(make):
    before = plt.get_fignums()
    e = make(baydin)
    children = len(e.children)
    artists = {name: len(fig.axes[0].get_children()) for name, fig in e.figures.items()}
    rng = np.random.default_rng(0)
    for x1, x2 in rng.uniform(-4, 4, size=(15, 2)):
        e.controls["x1"].value = float(x1)
        e.controls["x2"].value = float(x2)
    assert plt.get_fignums() == before
    assert len(e.children) == children
    assert e.renders == 1 + 30
    after = {name: len(fig.axes[0].get_children()) for name, fig in e.figures.items()}
    assert after == artists


@pytest.mark.parametrize("make", [explore, explore_sweep, explore_direction])
def test_a_moved_explorer_shows_what_a_new_one_shows_there(make):
    # nothing of the old point may stay behind in the pictures (a stale marker, an arrow)
    moved = make(f)
    moved.controls["x1"].value = -1.0
    moved.controls["x2"].value = 0.5
    fresh = make(f, x1=-1.0, x2=0.5)
    for name, image in fresh.images.items():
        assert bytes(moved.images[name].value) == bytes(image.value), name


def test_a_slice_with_nothing_finite_shows_the_same_limits_whatever_came_before():
    # along x1 = -2, log(x1) is nan everywhere: the limits of the slice before stayed
    g = lambda x1, x2: np.log(x1) + x2
    moved = explore_direction(g, 1.0, 2.0, 90.0)
    moved.controls["x1"].value = -2.0
    fresh = explore_direction(g, -2.0, 2.0, 90.0)
    right = [e.figures["direction"].axes[1] for e in (moved, fresh)]
    assert right[0].get_ylim() == right[1].get_ylim()
    same = bytes(moved.images["direction"].value) == bytes(fresh.images["direction"].value)
    assert same  # (no diff of two PNGs in the report)


@pytest.mark.parametrize("angle", [270.0, 360.0])
def test_the_direction_is_written_without_a_negative_zero(angle):
    e = explore_direction(f, 2.0, 3.0, angle)
    title = e.figures["direction"].axes[0].get_title()
    assert "-0.000" not in title
    assert "-0.000" not in e.readout.value
    assert title.startswith("u = (0.000, -1.000)" if angle == 270.0 else "u = (1.000, 0.000)")


@pytest.mark.parametrize("make", [explore, explore_sweep, explore_direction])
@pytest.mark.parametrize(
    ("g", "why"),
    [
        (lambda x, y, z: x * y * z, "missing 1 required positional argument"),
        (lambda x1, x2: "a", "str"),
    ],
)
def test_a_function_that_cannot_be_explored_says_why(make, g, why):
    e = make(g)
    assert e.message_text.startswith("f cannot be evaluated at (x1, x2) = (2.00, 3.00)")
    assert why in e.message_text
    e.controls["x1"].value = 0.0  # and it keeps working
    assert why in e.message_text
