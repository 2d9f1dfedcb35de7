"""The computational graph drawing: what is drawn, where, and what a step highlights.

Expected names, values and sums are worked out by hand from the function (the
design's table of units, closed-form derivatives), never read from the trace.
"""

import math

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

import adlearn as ad
from adlearn import palette
from adlearn.examples import baydin
from adlearn.examples import running_example as f
from adlearn.graph import draw, number


def three(x, y, z):
    return x * y * z + np.exp(x * x) / (1 + z**2)


def square(x):
    return x * x


def units(fig):
    return {
        int(p.get_gid().split("-")[1]): p
        for p in fig.axes[0].patches
        if str(p.get_gid()).startswith("unit-")
    }


def edges(fig):
    """gid 'edge-<operand>-<consumer>-<k>' -> arrow patch."""
    return {
        p.get_gid(): p for p in fig.axes[0].patches if str(p.get_gid()).startswith("edge-")
    }


def texts(fig, gid_prefix):
    return [t for t in fig.axes[0].texts if str(t.get_gid()).startswith(gid_prefix)]


def note(fig, n):
    return " | ".join(t.get_text() for t in texts(fig, f"note-{n}"))


def box(patch):
    """(x0, y0, x1, y1) of a unit's box, in data coordinates."""
    b = patch.get_bbox()
    return b.x0, b.y0, b.x1, b.y1


def ends(arrow):
    """Where an edge starts and where its arrow head points (the curve's two ends)."""
    vertices = arrow.get_path().vertices  # moveto, curve3 control, curve3 end, then the head
    return vertices[0], vertices[2]


def inside(point, rect, margin=0.0):
    return (rect[0] - margin <= point[0] <= rect[2] + margin
            and rect[1] - margin <= point[1] <= rect[3] + margin)


@pytest.fixture
def example():
    return ad.trace(f, 2.0, 3.0)


# --- what is drawn -------------------------------------------------------------


@pytest.mark.parametrize(
    ("function", "point", "n_units", "n_edges"),
    [
        # x1, x2, x1*x2, sin(x1), sum: edges x1->w3, x2->w3, x1->w4, w3->w5, w4->w5
        (f, (2.0, 3.0), 5, 5),
        # x1, x2, log, mul, add, sin, sub: 1 + 2 + 2 + 1 + 2 edges
        (baydin, (2.0, 5.0), 7, 8),
        # x, y, z, x*y, (x*y)*z, x*x, exp, z**2, 1+., /, +: 2+2+2+1+1+1+2+2
        (three, (0.5, 2.0, -1.0), 11, 13),
        (square, (3.0,), 2, 2),
    ],
)
def test_one_box_per_unit_and_one_arrow_per_use(function, point, n_units, n_edges):
    fig = draw(ad.trace(function, *point))
    assert len(units(fig)) == n_units
    assert len(edges(fig)) == n_edges


def test_the_running_example_has_the_edges_of_its_formula(example):
    # w3 = w1 * w2, w4 = sin(w1), w5 = w3 + w4
    assert set(edges(draw(example))) == {
        "edge-1-3-0", "edge-2-3-1", "edge-1-4-0", "edge-3-5-0", "edge-4-5-1",
    }


def test_hierarchy_labels_follow_the_design_table(example):
    fig = draw(example, notation="hierarchy")
    labels = sorted(t.get_text() for t in texts(fig, "label"))
    assert labels == ["$w^{0}_{1}$", "$w^{0}_{2}$", "$w^{1}_{1}$", "$w^{1}_{2}$", "$w^{2}$"]


def test_wengert_labels_number_the_units(example):
    fig = draw(example, notation="wengert")
    labels = sorted(t.get_text() for t in texts(fig, "label"))
    assert labels == [f"$w_{{{i}}}$" for i in range(1, 6)]


def test_operations_are_written_in_the_chosen_notation(example):
    ops = [t.get_text() for t in texts(draw(example, notation="wengert"), "operation")]
    assert any("sin" in op and "w_{1}" in op for op in ops)
    assert any(r"\cdot" in op and "w_{1}" in op and "w_{2}" in op for op in ops)
    ops = [t.get_text() for t in texts(draw(example, notation="hierarchy"), "operation")]
    assert any("sin" in op and "w^{0}_{1}" in op for op in ops)


def test_levels_are_stacked_inputs_at_the_bottom(example):
    fig = draw(example)
    y = {n: (box(p)[1] + box(p)[3]) / 2 for n, p in units(fig).items()}
    assert y[1] == pytest.approx(y[2])
    assert y[3] == pytest.approx(y[4])
    assert y[1] < y[3] < y[5]
    x = {n: (box(p)[0] + box(p)[2]) / 2 for n, p in units(fig).items()}
    assert x[1] < x[2]
    assert x[3] < x[4]  # w^1_1 left of w^1_2


def test_values_are_written_under_the_units(example):
    fig = draw(example, show="value")
    assert "= 2.000" in note(fig, 1)
    assert "= 3.000" in note(fig, 2)
    assert f"= {math.sin(2.0):.3f}" in note(fig, 4)
    assert f"= {6 + math.sin(2.0):.3f}" in note(fig, 5)


def test_tangents_are_written_with_their_sum(example):
    # seeded on x1: w3_dot = x2 = 3, w4_dot = cos 2, w5_dot = 3 + cos 2
    fig = draw(example, show="tangent")
    assert "ẇ = 1.000" in note(fig, 1)
    assert "ẇ = 0.000" in note(fig, 2)
    assert f"ẇ = {math.cos(2.0):.3f}" in note(fig, 4)
    assert f"= {3 + math.cos(2.0):.3f}" in note(fig, 5)


def test_several_things_can_be_shown_at_once(example):
    text = note(draw(example, show=("value", "adjoint")), 3)
    assert "= 6.000" in text
    assert "w̄ = 1.000" in text


# --- the fan-in in reverse mode -----------------------------------------------


def test_reverse_mode_writes_both_contributions_to_x1_and_their_sum(example):
    fig = draw(example, mode="reverse")
    # x1 feeds w3 = x1*x2 (partial x2 = 3) and w4 = sin x1 (partial cos 2)
    a, b = 3.0, math.cos(2.0)
    assert f"w̄ = {a:.3f} - {abs(b):.3f} = {a + b:.3f}" in note(fig, 1)
    along = {t.get_gid(): t.get_text() for t in texts(fig, "edge-label-")}
    assert along["edge-label-1-3-0"] == f"{a:.3f}"
    assert along["edge-label-1-4-0"] == f"{b:.3f}"
    # x2 feeds one unit: no sum
    assert note(fig, 2) == f"w̄ = {2.0:.3f}"


def test_baydin_fan_in_at_x1_and_x2():
    fig = draw(ad.trace(baydin, 2.0, 5.0), mode="reverse")
    # x1: 1/x1 + x2 = 0.5 + 5; x2: x1 - cos x2
    assert f"0.500 + 5.000 = {5.5:.3f}" in note(fig, 1)
    c = math.cos(5.0)
    assert f"2.000 - {c:.3f} = {2.0 - c:.3f}" in note(fig, 2)


def test_an_unused_input_has_adjoint_zero_and_an_output_input_the_seed():
    fig = draw(ad.trace(lambda x1, x2: x1, 2.0, 3.0), mode="reverse")
    assert note(fig, 1) == "w̄ = 1 (seed)"
    assert note(fig, 2) == f"w̄ = {0.0:.3f}"  # x2 feeds no unit: nothing flows back to it


def test_x_times_x_draws_two_separate_edges_that_add_up():
    fig = draw(ad.trace(square, 3.0), mode="reverse", edge_labels=True)
    first, second = edges(fig)["edge-1-2-0"], edges(fig)["edge-1-2-1"]
    mid_first = first.get_path().vertices[1]
    mid_second = second.get_path().vertices[1]
    assert abs(mid_first[0] - mid_second[0]) > 0.2  # bent apart, not on top of each other
    assert "3.000 + 3.000 = 6.000" in note(fig, 1)


@pytest.mark.parametrize("mode", [None, "forward", "reverse"])
@pytest.mark.parametrize(("function", "point"), [(f, (2.0, 3.0)), (baydin, (2.0, 5.0))])
def test_an_edge_label_is_not_on_another_edge(function, point, mode):
    # x2 -> w3 and x1 -> w4 cross: a label where they meet could belong to either
    fig = draw(ad.trace(function, *point), mode=mode, edge_labels=True)
    fig.canvas.draw()
    ax = fig.axes[0]
    curves = {gid.removeprefix("edge-"): arrow.get_path().vertices[:3]
              for gid, arrow in edges(fig).items()}
    labels = texts(fig, "edge-label-")
    assert labels
    for label in labels:
        b = label.get_window_extent().transformed(ax.transData.inverted())
        own = label.get_gid().removeprefix("edge-label-")
        for key, (p0, p1, p2) in curves.items():
            if key == own:
                continue
            for t in np.linspace(0.0, 1.0, 101):
                x, y = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2
                assert not inside((x, y), (b.x0, b.y0, b.x1, b.y1)), (label.get_text(), key)
    plt.close(fig)


def test_a_reverse_step_shows_the_contributions_received_so_far(example):
    # reverse order w5, w4, w3, w2, w1: after step 2 x1 has heard from w4 only
    fig = draw(example, mode="reverse", step=2)
    assert f"w̄ = {math.cos(2.0):.3f} + ... (1 of 2)" in note(fig, 1)
    assert "w̄ = ?" in note(fig, 2)
    fig = draw(example, mode="reverse", step=3)
    assert f"= {3 + math.cos(2.0):.3f}" in note(fig, 1)


# --- one step of a sweep ---------------------------------------------------------


def highlighted(fig):
    want = to_hex(palette.HIGHLIGHT)
    return [n for n, p in units(fig).items() if to_hex(p.get_facecolor()) == want]


def thick_edges(fig):
    widths = {gid: p.get_linewidth() for gid, p in edges(fig).items()}
    top = max(widths.values())
    return {gid for gid, w in widths.items() if w == top and top > min(widths.values())}


@pytest.mark.parametrize("step", [1, 2, 3, 4, 5])
def test_a_forward_step_highlights_the_unit_it_computes(example, step):
    assert highlighted(draw(example, mode="forward", step=step)) == [step]


@pytest.mark.parametrize("step", [1, 2, 3, 4, 5])
def test_a_reverse_step_highlights_units_from_the_top(example, step):
    assert highlighted(draw(example, mode="reverse", step=step)) == [6 - step]


def test_a_forward_step_lights_the_edges_it_reads(example):
    assert thick_edges(draw(example, mode="forward", step=3)) == {"edge-1-3-0", "edge-2-3-1"}
    assert thick_edges(draw(example, mode="forward", step=5)) == {"edge-3-5-0", "edge-4-5-1"}


def test_a_reverse_step_lights_the_edges_it_sends_adjoints_along(example):
    # step 2 of the reverse sweep is w4 = sin(w1): it sends to w1 only
    assert thick_edges(draw(example, mode="reverse", step=2)) == {"edge-1-4-0"}


def test_reverse_arrows_point_down_forward_arrows_up(example):
    start, tip = ends(edges(draw(example, mode="forward"))["edge-1-3-0"])
    assert tip[1] > start[1]
    start, tip = ends(edges(draw(example, mode="reverse"))["edge-1-3-0"])
    assert tip[1] < start[1]


def test_units_not_reached_yet_are_unknown(example):
    fig = draw(example, mode="forward", step=2, show=("value", "tangent"))
    assert "?" in note(fig, 5)
    assert "?" not in note(fig, 1)


def test_the_caption_writes_the_step_out(example):
    fig = draw(example, mode="forward", step=3)
    caption = next(t.get_text() for t in fig.texts if t.get_gid() == "caption")
    assert caption.startswith("Step 3 of 5")
    assert caption.endswith(f"= {3.0:.3f}")


# --- legibility --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("function", "point"), [(f, (2.0, 3.0)), (baydin, (2.0, 5.0)), (three, (0.5, 2.0, -1.0))]
)
def test_no_boxes_overlap_and_no_arrow_ends_inside_a_box(function, point):
    fig = draw(ad.trace(function, *point), mode="reverse", edge_labels=True)
    rects = [box(p) for p in fig.axes[0].patches if str(p.get_gid()).startswith("unit-")]
    for i, r in enumerate(rects):
        for s in rects[i + 1:]:
            assert min(r[2], s[2]) <= max(r[0], s[0]) or min(r[3], s[3]) <= max(r[1], s[1])
    for arrow in edges(fig).values():
        start, tip = ends(arrow)
        assert not any(inside(start, r) or inside(tip, r) for r in rects)


def x2_squared(x1, x2):
    return x2 * x2


def x1_squared_plus_x1(x1):
    return x1 * x1 + x1


def outline(fig, n):
    """The rectangles drawn for unit n: its box, and the tag of numbers under it if any."""
    return [box(p) for p in fig.axes[0].patches if p.get_gid() in (f"unit-{n}", f"note-{n}")]


def distance(point, rects):
    """Inches from a point to the nearest of some rectangles (0 inside one)."""
    return min(
        math.hypot(max(r[0] - point[0], 0.0, point[0] - r[2]),
                   max(r[1] - point[1], 0.0, point[1] - r[3]))
        for r in rects
    )


@pytest.mark.parametrize(
    ("function", "point", "mode", "step"),
    [
        # x2 is read twice and its tag (a sum of two contributions) is wider than its box
        (x2_squared, (2.0, 3.0), "reverse", 1),
        (x2_squared, (2.0, 3.0), "forward", None),
        (x1_squared_plus_x1, (2.0,), "reverse", 1),
        (x1_squared_plus_x1, (2.0,), "forward", None),
        (f, (2.0, 3.0), "reverse", 1),
        (f, (2.0, 3.0), "forward", None),
        (f, (2.0, 3.0), None, None),
        (baydin, (2.0, 5.0), "reverse", 3),
        (three, (0.5, 2.0, -1.0), "forward", 4),
    ],
)
def test_every_edge_runs_from_its_units_outline_to_the_other_ones(function, point, mode, step):
    fig = draw(ad.trace(function, *point), mode=mode, step=step, show=None if mode else "value")
    drawn = [r for n in units(fig) for r in outline(fig, n)]
    assert len(drawn) == 2 * len(units(fig))  # a box and a tag each: the tags are in the test
    for gid, arrow in edges(fig).items():
        o, n, _k = (int(part) for part in gid.split("-")[1:])
        start, tip = ends(arrow)
        if mode == "reverse":  # adjoints flow from the consumer down to the operand
            start, tip = tip, start
        # each end just off its own unit (a small gap), not in the air beside it
        assert distance(start, outline(fig, o)) < 0.1, (gid, "start", start, outline(fig, o))
        assert distance(tip, outline(fig, n)) < 0.1, (gid, "tip", tip, outline(fig, n))
        # and no part of the curve hidden under a box or tag, its own units' included
        p0, p1, p2 = arrow.get_path().vertices[:3]
        for t in np.linspace(0.0, 1.0, 51):
            x, y = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2
            assert distance((x, y), drawn) > 0.0, (gid, t, (x, y))
    plt.close(fig)


def test_fonts_are_large_enough_for_a_projector(example):
    fig = draw(example, mode="reverse", step=3, edge_labels=True)
    assert min(t.get_fontsize() for t in fig.axes[0].texts) >= 12


def test_drawing_into_given_axes_uses_them_and_shrinks_the_fonts(example):
    fig, (_left, right) = plt.subplots(1, 2, figsize=(8, 3))
    try:
        assert draw(example, show="value", ax=right) is fig
        assert len(units(fig)) == 0  # the units are in the right-hand axes
        assert sum(str(p.get_gid()).startswith("unit-") for p in right.patches) == 5
        assert max(t.get_fontsize() for t in right.texts) < palette.FONT["label"]
    finally:
        plt.close(fig)


def test_drawing_leaves_no_figure_open(example):
    before = plt.get_fignums()
    for mode in ("forward", "reverse"):
        draw(example, mode=mode, step=2)
    assert plt.get_fignums() == before


def test_the_figure_renders(example, tmp_path):
    matplotlib.use("Agg")
    path = tmp_path / "graph.png"
    draw(ad.trace(three, 0.5, 2.0, -1.0), mode="reverse", step=4, edge_labels=True).savefig(path)
    assert path.stat().st_size > 10_000


# --- bad input -----------------------------------------------------------------------


def test_a_step_needs_a_mode(example):
    with pytest.raises(ValueError, match="step needs a mode"):
        draw(example, step=1)


@pytest.mark.parametrize("step", [0, 6])
def test_a_step_must_be_one_of_the_units(example, step):
    with pytest.raises(ValueError, match="from 1 to 5"):
        draw(example, mode="forward", step=step)


def test_a_step_must_be_an_int(example):
    with pytest.raises(TypeError, match="step must be an int"):
        draw(example, mode="forward", step=1.5)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"notation": "latex"}, "notation must be one of"),
        ({"show": "gradient"}, "show must be one of"),
        ({"mode": "backward"}, "mode must be one of"),
    ],
)
def test_bad_options_are_named(example, kw, message):
    with pytest.raises(ValueError, match=message):
        draw(example, **kw)


def test_draw_wants_a_trace():
    with pytest.raises(TypeError, match=r"expected a Trace \(from ad.trace"):
        draw(f)


def test_numbers_have_fixed_digits_and_no_negative_zero():
    assert number(-0.0001) == "0.000"
    assert number(2.0, 1) == "2.0"
    assert number(float("nan")) == "nan"
    assert number(np.array([1.0, 2.0])) == "[1.000, 2.000]"
    assert number(np.zeros((2, 3))) == "array(2, 3)"
