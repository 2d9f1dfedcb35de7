"""What explorers say about odd functions and odd arguments.

The same problem in f gets the same words from every explorer (the trace's
own diagnosis, which names the fix); every argument is checked, and a bad one
is named with its value. A function that cannot take arrays is sampled for the
contours without flooding the output or calling f tens of thousands of times.
"""

import math

import numpy as np
import pytest

from adlearn.examples import running_example as f
from adlearn.widgets import explore, explore_direction, explore_sweep

MAKERS = [explore, explore_sweep, explore_direction]


ODD = {
    "math.sin": (lambda x1, x2: math.sin(x1) * x2, "np.sin, not math.sin"),
    "complex": (lambda x1, x2: np.sqrt(x1 + 0j) * x2, "returned a complex value"),
    "None": (lambda x1, x2: None, "returned a NoneType (None)"),
    "vector": (lambda x1, x2: np.array([x1, x2]), "np.stack"),
    "raises": (lambda x1, x2: 1 / 0, "ZeroDivisionError: division by zero"),
}


@pytest.mark.parametrize("case", ODD)
def test_every_explorer_gives_the_same_diagnosis(case):
    g, words = ODD[case]
    messages = {make.__name__: make(g).message_text for make in MAKERS}
    assert len(set(messages.values())) == 1, messages
    message = messages["explore"]
    assert message.startswith("f cannot be evaluated at (x1, x2) = (2.00, 3.00): ")
    assert words in message


def test_a_point_where_f_is_not_finite_gets_the_same_words_everywhere():
    g = lambda x1, x2: np.log(x1) + x2
    messages = set()
    for make in MAKERS:
        e = make(g)
        e.controls["x1"].value = 0.0
        messages.add(e.message_text)
    assert len(messages) == 1
    assert "not finite here" in messages.pop()


BAD = [
    (MAKERS, {"x1": "2"}, TypeError, "x1 must be a number, got str"),
    (MAKERS, {"x2": True}, TypeError, "x2 must be a number, got bool"),
    (MAKERS, {"x1": math.nan}, ValueError, "x1 must be a finite number"),
    (MAKERS, {"x1": 9.0}, ValueError, "x1=9.0 is outside x1_range"),
    (MAKERS, {"x1_range": (1.0,)}, TypeError, "x1_range must be (min, max)"),
    (MAKERS, {"x2_range": (1.0, -1.0)}, ValueError, "min < max"),
    (MAKERS, {"x2_range": (0.0, math.inf)}, ValueError, "x2_range must be a finite number"),
    ([explore, explore_sweep], {"notation": "both"}, ValueError, "notation must be one of"),
    ([explore, explore_direction], {"n": 2}, ValueError, "n must be from 3 to 301, got 2"),
    ([explore, explore_direction], {"n": 20.5}, TypeError, "n must be a whole number"),
    ([explore_sweep], {"mode": "backward"}, ValueError, "mode must be one of"),
    ([explore_sweep], {"step": 0}, ValueError, "step must be from 1 to"),
    ([explore_sweep], {"step": 1.5}, TypeError, "step must be a whole number"),
    ([explore_sweep], {"edge_labels": "yes"}, TypeError, "edge_labels must be True or False"),
    ([explore_direction], {"angle": 400.0}, ValueError, "angle must be from 0 to 360"),
    ([explore_direction], {"angle": "north"}, TypeError, "angle must be a number"),
    ([explore_direction], {"radius": -1}, ValueError, "radius must be a positive number"),
    ([explore_direction], {"radius": 0}, ValueError, "radius must be a positive number"),
    ([explore_direction], {"radius": math.inf}, ValueError, "radius must be a finite number"),
    (MAKERS, {"x1_range": (-1e300, 1e300)}, ValueError, "x1_range must lie within ±1,000,000"),
    (MAKERS, {"x2_range": (0.0, 2e6)}, ValueError, "x2_range must lie within ±1,000,000"),
    ([explore_direction], {"radius": 1e308}, ValueError, "radius must be at most 1,000,000"),
]


@pytest.mark.parametrize(
    ("make", "kwargs", "error", "words"),
    [(make, kw, err, words) for makers, kw, err, words in BAD for make in makers],
    ids=lambda v: getattr(v, "__name__", None) or str(v)[:30],
)
def test_a_bad_argument_is_named_with_its_value(make, kwargs, error, words):
    with pytest.raises(error, match=r"^" + make.__name__ + ": ") as info:
        make(f, **kwargs)
    assert words in str(info.value)


def test_not_a_function_is_refused():
    for make in MAKERS:
        with pytest.raises(TypeError, match="f must be a function of two inputs, got int"):
            make(3)


def test_a_function_with_an_if_and_a_print_neither_floods_nor_is_called_per_pixel(capsys):
    calls = []

    def branchy(x1, x2):
        calls.append(1)
        print("f called")
        if x1 > 0:  # an `if` on a value: f cannot take arrays
            return x1 * x2
        return np.sin(x1) + x2

    e = explore(branchy)
    shown = capsys.readouterr().out
    assert shown.count("f called") <= 2  # the point's own evaluation, not the grid's
    assert len(calls) < 2 * 41 * 41 + 10  # was about 20,000 on the 81 x 81 grid
    assert e.message_text == ""
    e.close()


def test_an_array_function_is_sampled_in_a_few_calls():
    calls = []

    def g(x1, x2):
        calls.append(np.shape(x1))
        return f(x1, x2)

    explore(g).close()
    grid_calls = [shape for shape in calls if shape == (81, 81)]
    assert len(grid_calls) == 3  # f, then df/dx1 and df/dx2 by forward mode
    assert len(calls) < 10


HUGE = {
    "overflows": lambda x1, x2: np.exp(50 * x1 * x2),  # inf over most of the box
    "near the largest float": lambda x1, x2: 1e300 * x1 + x2,
    "past it": lambda x1, x2: 1e308 * x1 * 10,  # inf but on a line, values up to 1.8e308
}


def _contour_axes(e):
    return e.figures["contours" if "contours" in e.figures else "direction"].axes[0]


def _contours(e):
    from matplotlib.contour import QuadContourSet

    return [c for c in _contour_axes(e).get_children() if isinstance(c, QuadContourSet)]


@pytest.mark.parametrize("case", HUGE)
@pytest.mark.parametrize("make", MAKERS)
def test_huge_values_are_drawn_not_raised(make, case):
    e = make(HUGE[case])
    assert e.message_text == "" or "not finite here" in e.message_text
    if make is not explore_sweep:
        filled = _contours(e)
        assert filled, "no contours drawn"
        levels = filled[0].levels
        assert np.all(np.isfinite(levels))
        assert levels[-1] > levels[0]
    e.close()


def test_f_along_a_line_of_huge_values_stays_in_the_picture():
    d = explore_direction(HUGE["near the largest float"])
    lo, hi = d.figures["direction"].axes[1].get_ylim()
    finite = d.slice.values[np.isfinite(d.slice.values)]
    assert lo <= finite.min()
    assert finite.max() <= hi
    d.close()


@pytest.mark.parametrize("make", [explore, explore_direction])
def test_a_box_where_f_is_nowhere_finite_says_so_in_the_picture(make):
    e = make(lambda x1, x2: np.nan * x1)
    assert "f is not finite anywhere in this box" in [t.get_text() for t in _contour_axes(e).texts]
    e.close()


def many_units(x1, x2):
    s = x1 * x2
    for k in range(20):
        s = s + np.sin(x1 + k * x2)
    return s  # 82 units, more than a graph picture holds


@pytest.mark.parametrize("make", [explore, explore_sweep])
def test_an_f_too_big_for_a_graph_still_shows_its_table_and_contours(make):
    from adlearn.graph import MAX_UNITS

    e = make(many_units)
    assert len(e.trace.units) > MAX_UNITS
    assert e.message_text == ""
    assert e.table_text.count("\n") > MAX_UNITS  # every unit has its row
    assert f"more than the {MAX_UNITS} a graph picture holds" in e.graph_note.value
    assert e.images["graph"].layout.display == "none"
    if make is explore:
        assert _contours(e)
    e.controls["x1"].value = 1.0  # moving on redraws the table, not the graph
    assert "1.000" in e.table_text
    e.close()


@pytest.mark.parametrize("make", [explore, explore_sweep])
def test_a_graph_that_fits_has_no_note(make):
    e = make(f)
    assert e.graph_note.value == ""
    assert e.images["graph"].layout.display != "none"
    e.close()


@pytest.mark.parametrize("make", MAKERS)
def test_what_f_writes_to_stderr_is_not_repeated_for_every_sample(make, capsys):
    import sys

    def branchy(x1, x2):
        print("f called", file=sys.stderr)
        if x1 > 0:  # an `if` on a value: sampled point by point
            return x1 * x2
        return np.sin(x1) + x2

    e = make(branchy)
    assert capsys.readouterr().err.count("f called") <= 2  # the point's own evaluation
    e.controls["x1"].value = 1.0
    assert capsys.readouterr().err.count("f called") <= 2
    e.close()


def test_huge_values_are_written_in_exponent_form_not_in_300_figures():
    e = explore(HUGE["near the largest float"])  # f(2, 3) = 2e300 + 3
    assert "2.000e+300" in e.table_text
    assert max(len(line) for line in e.table_text.splitlines()) < 120
    assert "1.000e+300" in e.figures["contours"].axes[0].get_title()  # df/dx1
    e.close()


def test_the_slice_title_stands_clear_of_the_factor_its_y_axis_writes():
    d = explore_direction(lambda x1, x2: 1e7 * x1 * x2)
    fig = d.figures["direction"]
    right = fig.axes[1]
    for a in [a for a in fig.findobj() if a.get_animated()]:
        a.set_animated(False)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    factor = right.yaxis.offsetText
    assert factor.get_text(), "the y axis writes no factor: the test shows nothing"
    assert right.title.get_window_extent(renderer).y0 >= factor.get_window_extent(renderer).y1
    d.close()
