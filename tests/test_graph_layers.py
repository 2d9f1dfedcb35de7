"""The explorers redraw their graph in two layers (boxes, names and edges kept as a drawn
background while the layout holds; numbers, edge labels and caption drawn over it on every
change). What the learner sees must be exactly the graph drawn whole: compared pixel by pixel
over a run of slider changes, with the background reused on most of them."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import adlearn as ad
from adlearn import graph as graphs
from adlearn import palette
from adlearn.examples import baydin, running_example, ten_units
from adlearn.widgets import DPI, _Backdrop, _encode

# small slider moves, as a drag sends them, and one jump back
POINTS = [(2.0, 3.0), (2.1, 3.0), (2.2, 3.1), (2.3, 2.9), (1.9, 2.8), (2.0, 3.0)]

# (what the graph shows, edge labels, sweep, step): the point explorer, then the sweep explorer
VIEWS = {
    "point": (("value",), False, None, None),
    "forward sweep": (("value", "tangent"), True, "forward", 2),
    "reverse sweep": (("value", "adjoint"), True, "reverse", 1),
}


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def drawn_whole(t, view) -> np.ndarray:
    shows, edge_labels, mode, step = view
    fig = palette.figure((1, 1), pyplot=False, dpi=DPI)
    graphs._draw(t, "hierarchy", shows, edge_labels, mode, step, None, 3, None, figure=fig)
    fig.canvas.draw()
    return pixels(_encode(fig.canvas))


@pytest.mark.parametrize("view", VIEWS, ids=str)
@pytest.mark.parametrize("f", [running_example, baydin, ten_units], ids=lambda f: f.__name__)
def test_the_graph_in_layers_is_the_graph_drawn_whole(f, view):
    shows, edge_labels, mode, step = VIEWS[view]
    reused = 0
    with palette.style():
        fig = palette.figure((1, 1), pyplot=False, dpi=DPI)
        layers, backdrop = graphs.Layers(), _Backdrop(fig)
        for x1, x2 in POINTS:
            t = ad.trace(f, x1, x2)
            graphs._draw(t, "hierarchy", shows, edge_labels, mode, step, None, 3, None,
                         figure=fig, layers=layers)  # fmt: skip
            reused += not layers.rebuilt
            layered = pixels(backdrop.png(layers.moving, layers.rebuilt))
            whole = drawn_whole(t, VIEWS[view])
            assert layered.shape == whole.shape, (x1, x2)
            differ = np.argwhere((layered != whole).any(axis=-1))
            assert differ.size == 0, (
                f"at {(x1, x2)}: {len(differ)} pixels differ, first {differ[:3]}"
            )
    assert reused >= 1, "the saved background was never reused: the test compared nothing layered"


def figure_drawn_whole(fig) -> np.ndarray:
    """An explorer's figure drawn in one pass, its animated artists with the rest; they are
    animated again afterwards, so that the explorer keeps working."""
    animated = [a for a in fig.findobj() if a.get_animated()]
    for a in animated:
        a.set_animated(False)
    fig.canvas.draw()
    whole = pixels(_encode(fig.canvas))
    for a in animated:
        a.set_animated(True)
    return whole


@pytest.mark.parametrize("f", [running_example, baydin], ids=lambda f: f.__name__)
def test_the_direction_explorer_in_layers_is_its_figure_drawn_whole(f):
    """The contours stay in the background; the point, arrows, line, title and the right
    panel are drawn over it, in the order the whole figure draws them."""
    from adlearn.widgets import explore_direction

    d = explore_direction(f)
    fig = d.figures["direction"]
    moves = [("x1", 2.1), ("x1", 2.2), ("angle", 40.0), ("x2", 2.9), ("x1", 0.4), ("angle", 200.0),
             ("x2", 3.9), ("x2", -3.5), ("angle", 90.0)]  # fmt: skip
    for name, value in moves:
        d.controls[name].value = value
        layered = pixels(d.images["direction"].value)
        whole = figure_drawn_whole(fig)
        assert layered.shape == whole.shape
        assert not (layered != whole).any(), (name, value)
    d.close()


@pytest.mark.parametrize("f", [running_example, ten_units], ids=lambda f: f.__name__)
def test_the_sweep_explorer_in_layers_is_its_graph_drawn_whole(f):
    """Backdrops brought back by their key, tags whose texts stayed brought back as pixels:
    after steps back and forth, a new sweep and a moved point, the picture is the figure
    drawn whole."""
    from adlearn.widgets import explore_sweep

    s = explore_sweep(f, mode="forward x1")
    fig = s.figures["graph"]
    last = s.controls["step"].max
    moves = [("step", 2), ("step", 3), ("step", 2), ("step", last), ("step", 3),
             ("x1", 2.1), ("step", 2), ("mode", "reverse"), ("step", 3), ("step", 1),
             ("mode", "forward x1"), ("step", 3), ("x2", -1.5), ("step", last)]  # fmt: skip
    for name, value in moves:
        s.controls[name].value = value
        layered = pixels(s.images["graph"].value)
        whole = figure_drawn_whole(fig)
        assert layered.shape == whole.shape
        differ = np.argwhere((layered != whole).any(axis=-1))
        assert differ.size == 0, (name, value, len(differ), differ[:3])
    s.close()


@pytest.mark.parametrize("mode", ["forward x2", "reverse"])
def test_a_stepped_sweep_explorer_shows_what_a_new_one_shows_at_that_step(mode):
    """A step restyles the graph drawn for the last one (or brings back its backdrop):
    the picture is the one an explorer made at that step shows."""
    from adlearn.widgets import explore_sweep

    stepped = explore_sweep(ten_units, mode=mode)
    last = stepped.controls["step"].max
    for step in [2, 5, last, 4, 1, 3, last - 1]:
        stepped.controls["step"].value = step
        fresh = explore_sweep(ten_units, mode=mode, step=step)
        assert fresh.controls["step"].value == step
        assert bytes(stepped.images["graph"].value) == bytes(fresh.images["graph"].value), step
        fresh.close()
    stepped.close()
