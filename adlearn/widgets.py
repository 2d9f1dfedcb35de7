"""Interactive explorers: sliders that move a point, a sweep, a direction.

Each explorer is one line in a notebook and takes any f of two inputs:

- :func:`explore`: sliders for x1 and x2; the graph with its values, the trace
  table, and the contours of f with the gradient arrow;
- :func:`explore_sweep`: a mode (forward seeded on x1, forward seeded on x2,
  reverse) and a step slider that walks the sweep one unit at a time;
- :func:`explore_direction`: an angle; f along that direction through the
  point, with the tangent line whose slope one forward sweep gives.

An explorer is a widget (it shows when it is a cell's last line). Its pictures
are PNG images rendered in the kernel and swapped in place on every change, so
the output neither flickers nor grows, and no figure is left open in pyplot.
What does not change is computed once: the contours of f are sampled when the
explorer is made. A point where f or its gradient is not finite (``log`` at 0)
shows a message instead of a traceback.

``close()`` frees an explorer: its widgets leave the kernel (and the page),
its figures and its function are let go. Running again the notebook cell that
made explorers closes those it made the last time, so a cell run twenty times
holds one explorer, not twenty.

The parts are attributes, for code and tests: ``controls`` (the sliders and
toggles by name), ``figures`` (the last figures rendered), ``images``,
``table`` (an HTML widget), ``table_text`` (the same table as text),
``message`` and ``trace``.

Examples
--------
>>> import numpy as np
>>> from adlearn.widgets import explore
>>> e = explore(lambda x1, x2: x1 * x2 + np.sin(x1))
>>> e.controls["x1"].description, e.controls["x2"].description
('x1', 'x2')
>>> e.controls["x1"].value = 0.0
>>> print(e.table_text.splitlines()[2])
w⁰₁   w1       x1         0.000    1.000    4.000
"""

from __future__ import annotations

import html
import math
import numbers
import warnings
import zlib

import numpy as np

from adlearn import palette, png

try:
    import ipywidgets as W
    from ipywidgets.widgets.widget import _instances as _REGISTRY  # the kernel's widgets
    from ipywidgets.widgets.widget_link import Link

    palette.require_matplotlib()
except ImportError as error:
    raise ImportError(
        f"adlearn.widgets needs ipywidgets and matplotlib, adlearn's course extra: "
        f"{palette.INSTALL_HINT}",
        name=error.name,
    ) from error

import matplotlib
from matplotlib.transforms import Bbox

from adlearn import graph as graphs
from adlearn import plots
from adlearn.trace import trace as make_trace

__all__ = ["Explorer", "explore", "explore_direction", "explore_sweep"]

DPI = 90  # pixels per inch of the explorers' pictures
_WRAP = {"flex_flow": "row wrap"}  # side by side where the page is wide enough
MODES = {
    "forward x1": ("forward", 0),
    "forward x2": ("forward", 1),
    "reverse": ("reverse", 0),
}


class Explorer(W.VBox):
    """An explorer: its controls above, its pictures and table below.

    Every change of a control redraws what depends on it; errors become a
    message, never a traceback.
    """

    def __init__(self, kind, controls, images, body, render, table=None):
        self.kind = kind
        self.closed = False
        self.controls = controls
        self.images = images
        self.figures = {}
        self.table = W.HTML() if table is None else table
        self.table_text = ""
        self.message_text = ""
        self.trace = None
        self.renders = 0
        self.message = W.HTML(layout=W.Layout(min_height="1.5em"))
        self._render = render
        self._busy = False
        super().__init__(children=[*body[:1], self.message, *body[1:]])
        for control in controls.values():
            if not isinstance(control, W.Play):
                control.observe(self._changed, names="value")
        _track(self)

    def __repr__(self):
        # what a notebook stores as text/plain: short and the same on every run
        return f"<adlearn {self.kind} explorer>"

    def close(self):
        """Free the explorer: close its widgets, let go of its figures and its function.

        Its widgets leave the kernel's registry (and the page); after
        ``close()`` the explorer shows nothing and its controls do nothing.
        """
        if self.closed:
            return
        self.closed = True
        for control in self.controls.values():
            if not isinstance(control, W.Play):
                control.unobserve(self._changed, names="value")
        widgets = [*_widget_tree(self), *_widget_tree(self.table)]
        widgets += _links_between(widgets)  # jslinks between controls: widgets of their own
        _forget(self)
        # the render closure holds f, the figures and the sampled grid
        self._render = None
        self.figures = {}
        self.trace = None
        for widget in widgets:
            if widget is not self:
                widget.close()
        super().close()

    def _changed(self, _change=None):
        if self._busy or self.closed:  # a control set while rendering (a step slider clamped)
            return
        self.update()

    def update(self):
        """Redraw from the controls' values. Errors show as a message."""
        self._busy = True
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                problem = self._render(self)
        except Exception as error:  # noqa: BLE001 (a learner's f may raise anything)
            problem = f"{type(error).__name__}: {error}"
        finally:
            self._busy = False
        self.renders += 1
        self.message.value = "" if not problem else _message_html(problem)
        self.message_text = problem or ""

    def image(self, name, fig, png=None):
        """Show ``fig`` as the PNG picture ``name`` (or the ``png`` bytes drawn from it)."""
        self.figures[name] = fig
        if png is None:
            fig.canvas.draw()
            png = _encode(fig.canvas)
        self.images[name].value = png


def _widget_tree(root):
    """Every widget under ``root``: children, and their layouts and styles (no recursion)."""
    found, stack, seen = [], [root], set()
    while stack:
        widget = stack.pop()
        if id(widget) in seen:
            continue
        seen.add(id(widget))
        found.append(widget)
        for name in widget.keys:
            value = getattr(widget, name, None)
            for item in value if isinstance(value, (list, tuple)) else (value,):
                if isinstance(item, W.Widget):
                    stack.append(item)
    return found


def _links_between(widgets):
    """The jslinks (widgets of their own) that join any of ``widgets``."""
    ours = {id(w) for w in widgets}
    return [
        w for w in list(_REGISTRY.values()) if isinstance(w, Link)
        and any(id(getattr(w, end)[0]) in ours for end in ("source", "target"))
    ]


# --- a cell run again closes the explorers it made the last time -------------------

_LIVE: dict = {}  # notebook cell id -> (id of the run that made them, [explorers])


def _cell_run():
    """(cell id, run id) of the notebook cell running now; None outside a notebook."""
    try:
        from IPython import get_ipython

        kernel = getattr(get_ipython(), "kernel", None)
        get_parent = getattr(kernel, "get_parent", None)
        parent = get_parent() if get_parent else getattr(kernel, "_parent_header", None)
        cell = (parent.get("metadata") or {}).get("cellId")
        run = (parent.get("header") or {}).get("msg_id")
    except Exception:  # noqa: BLE001 (no IPython, no kernel, another front end)
        return None
    return (cell, run) if cell and run else None


def _track(explorer):
    """Remember which cell run made ``explorer``; close that cell's older explorers."""
    where = _cell_run()
    if where is None:
        return
    cell, run = where
    last_run, explorers = _LIVE.get(cell, (None, []))
    if last_run != run:
        for old in list(explorers):
            old.close()
        explorers = []
    explorers.append(explorer)
    _LIVE[cell] = (run, explorers)


def _forget(explorer):
    for cell, (_run, explorers) in list(_LIVE.items()):
        if explorer in explorers:
            explorers.remove(explorer)
            if not explorers:
                del _LIVE[cell]


def _message_html(text):
    return (
        '<div style="padding:4px 8px;border-left:4px solid '
        f'{palette.ADJOINT};background:#FFF3E6;font-size:14px">{html.escape(text)}</div>'
    )


def _graph_fits(e, t):
    """Whether the graph of trace t fits in a picture; if not, a note takes the picture's place.

    The table and the contours have no such limit: they are shown for any f.
    """
    units = 0 if t is None else len(t.units)
    fits = units <= graphs.MAX_UNITS
    e.graph_note.value = "" if fits else (
        '<div style="max-width:300px;padding:8px;color:#555555;font-size:14px">'
        f"The graph of f has {units} units, more than the {graphs.MAX_UNITS} a graph picture "
        "holds: the table shows every unit.</div>"
    )
    e.images["graph"].layout.display = None if fits else "none"
    return fits


def _encode(canvas) -> bytes:
    """The canvas's pixels as PNG bytes (fast: a picture lives for a moment)."""
    return png.encode(np.asarray(canvas.buffer_rgba()))


class _Backdrop:
    """A figure whose still parts are drawn once; each change draws only what moves.

    Artists marked animated (``set_animated(True)``) are left out of the
    backdrop and drawn over a copy of it on every change (blitting, in memory).

    ``keep``: how many backdrops are kept by key (zlib-compressed, a small part of their
    pixels' size), for still parts that take a few forms in turn (a sweep's steps): a key
    seen before brings its backdrop back instead of drawing it again. A key must name
    everything the still parts show: equal keys, equal pictures. ``keep_layers``: as many
    layers (``png(layer=)``) are kept by their keys, as pixels.
    """

    def __init__(self, fig, keep=0, keep_layers=8):
        self.fig = fig
        self.keep_layers = keep_layers
        self.saved = None
        self.key = None
        self.keep = keep
        self.kept = {}  # key -> compressed RGBA pixels of the backdrop, oldest first
        self.layers = {}  # key -> pixels of a layer drawn over the backdrop (``layer=``)
        self.typeset = None  # the renderer's typesetter of formulas, kept with its cache
        self.sprites = {}  # pixels inside the groups of the last change (``png(groups=)``)

    def png(self, moving, still_changed=False, key=None, layer=None, groups=()) -> bytes:
        """PNG bytes of the figure.

        ``still_changed``: the still parts are drawn anew; or ``key``: they are what
        ``key`` names (drawn anew, or brought back, when it is not the last one).
        ``layer``: ``(artist, key)``, an animated artist drawn over the backdrop before
        ``moving`` and kept as pixels by its key (what it shows, its limits say): a layer
        that changes less often than the moving artists (an Axes' frame and ticks).
        ``groups``: ``(box, texts)`` among ``moving``, a box of opaque fill and the texts
        that lie inside it, which are kept as pixels while they stay the same.
        """
        canvas = self.fig.canvas
        for artist in moving:
            artist.set_animated(True)
        if key is not None:
            still_changed = still_changed or key != self.key
        if self.saved is None or still_changed:
            self.layers = {}  # drawn over the old backdrop
            if key in self.kept:
                target = np.asarray(canvas.get_renderer().buffer_rgba())  # this size's
                pixels = np.frombuffer(zlib.decompress(self.kept[key]), np.uint8)
                target[...] = pixels.reshape(target.shape)
                self.kept[key] = self.kept.pop(key)  # the newest now
            else:
                self._draw_still()
                if self.keep and key is not None:
                    self.kept[key] = zlib.compress(np.asarray(canvas.buffer_rgba()), 1)
                    while len(self.kept) > self.keep:
                        del self.kept[next(iter(self.kept))]
            self.saved = canvas.copy_from_bbox(self.fig.bbox)
            self.key = key
        canvas.restore_region(self.saved)
        renderer = canvas.get_renderer()
        if layer is not None:
            artist, layer_key = layer
            if layer_key in self.layers:
                canvas.restore_region(self.layers[layer_key])
                self.layers[layer_key] = self.layers.pop(layer_key)
            else:
                under = np.array(canvas.buffer_rgba())
                artist.draw(renderer)
                # the pixels the layer changed, found by comparing (matplotlib's own extent
                # of an Axes with its ticks costs more than drawing them)
                self.layers[layer_key] = canvas.copy_from_bbox(_changed_box(
                    under, np.asarray(canvas.buffer_rgba())))
                while len(self.layers) > self.keep_layers:
                    del self.layers[next(iter(self.layers))]
        self._draw_moving(moving, groups, renderer)
        return _encode(canvas)

    def _draw_moving(self, moving, groups, renderer):
        """Draw ``moving`` in order; a group (an opaque box, then texts inside it) whose
        texts are as before is its kept pixels instead: the box is drawn, its inside
        brought back. Texts are the slow part of a picture (glyph by glyph), and a sweep's
        step changes few of its tags."""
        heads = {id(box): (box, texts) for box, texts in groups}
        inside = {id(t) for _box, texts in groups for t in texts}
        kept = {}
        for artist in moving:
            if id(artist) in heads:
                box, texts = heads[id(artist)]
                box.draw(renderer)
                self._draw_inside(box, texts, renderer, kept)
            elif id(artist) not in inside:
                artist.draw(renderer)
        self.sprites = kept  # what the next change may reuse: this change's groups

    def _draw_inside(self, box, texts, renderer, kept):
        canvas = self.fig.canvas
        extent = box.get_bbox().transformed(box.get_data_transform())  # the box's corners
        key = (tuple(round(v, 3) for v in extent.extents), tuple(
            (t.get_text(), t.get_color(), t.get_position(), t.get_fontsize(),
             t.get_fontweight(), t.get_ha(), t.get_va()) for t in texts))
        region = self.sprites.get(key)
        if region is None:
            for text in texts:
                text.draw(renderer)
            # within the box's border and rounded corners: pixels of its fill and texts alone
            x0, y0, x1, y1 = extent.extents
            region = canvas.copy_from_bbox(Bbox.from_extents(x0 + 8, y0 + 3, x1 - 8, y1 - 3))
        else:
            canvas.restore_region(region)
        kept[key] = region

    def _draw_still(self):
        canvas = self.fig.canvas
        # a figure that grew gets a new renderer, and with it a new mathtext parser whose
        # cache is empty: typesetting every unit's name again took 20 ms a name. The
        # parser's results depend on the text, dpi and font alone, so the first one serves
        renderer = canvas.get_renderer()
        if self.typeset is None:
            self.typeset = getattr(renderer, "mathtext_parser", None)
        elif hasattr(renderer, "mathtext_parser"):
            renderer.mathtext_parser = self.typeset
        canvas.draw()  # everything but the animated artists


def _changed_box(before, after):
    """The box (display pixels, origin at the bottom left) around the pixels that differ."""
    changed = before.view(np.uint32)[..., 0] != after.view(np.uint32)[..., 0]  # a pixel a word
    rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
    height = changed.shape[0]
    if not rows.size:
        return Bbox([[0, 0], [0, 0]])
    return Bbox([[cols[0], height - rows[-1] - 1], [cols[-1] + 1, height - rows[0]]])


def _number(where, name, value):
    """``value`` as a float, or an error naming the explorer, the argument and the value."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: {name} must be a number, got {type(value).__name__} ({value!r})")
    if not math.isfinite(value):
        raise ValueError(f"{where}: {name} must be a finite number, got {value!r}")
    return float(value)


LARGEST = 1e6  # the largest |x1|, |x2| and radius an explorer takes
_WHY_LARGEST = ("the sliders move in steps of 0.1, so a wider range cannot be explored; "
                "scale the inputs of f instead")


def _bounds(where, name, bounds):
    if isinstance(bounds, (str, bytes)) or not hasattr(bounds, "__len__") or len(bounds) != 2:
        raise TypeError(f"{where}: {name} must be (min, max), two numbers, got {bounds!r}")
    lo, hi = (_number(where, name, b) for b in bounds)
    if not lo < hi:
        raise ValueError(f"{where}: {name} must be (min, max) with min < max, got {bounds!r}")
    if max(-lo, hi) > LARGEST:
        raise ValueError(f"{where}: {name} must lie within ±{LARGEST:,.0f}, got {bounds!r}: "
                         f"{_WHY_LARGEST}")
    return lo, hi


def _whole(where, name, value, lo, hi):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where}: {name} must be a whole number, got {type(value).__name__} "
                        f"({value!r})")
    if not lo <= value <= hi:
        raise ValueError(f"{where}: {name} must be from {lo} to {hi}, got {value}")
    return int(value)


def _choice(where, name, value, options):
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{where}: {name} must be one of {tuple(options)}, got {value!r}")
    return value


def _flag(where, name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: {name} must be True or False, got {value!r}")
    return bool(value)


def _slider(where, name, value, bounds, step=0.1):
    value = _number(where, name, value)
    lo, hi = _bounds(where, f"{name}_range", bounds)
    if not lo <= value <= hi:
        raise ValueError(f"{where}: {name}={value!r} is outside {name}_range {bounds!r}")
    return W.FloatSlider(
        value=value, min=lo, max=hi, step=step, description=name, continuous_update=True,
        readout_format=".2f", layout=W.Layout(width="320px"),
    )


def _check_f(where, f):
    if not callable(f):
        raise TypeError(f"{where}: f must be a function of two inputs, got {type(f).__name__}")


NOTATIONS = ("hierarchy", "wengert")
GRID_SIZES = (3, 301)  # points per side of a contour grid


def _trace_at(f, x1, x2, wrt=0):
    """The trace of f at the point, or None and the message every explorer shows."""
    try:
        return make_trace(f, x1, x2, wrt=wrt, names=("x1", "x2")), None
    except Exception as error:  # noqa: BLE001 (f undefined here, or not written for AD)
        return None, (f"f cannot be evaluated at (x1, x2) = ({x1:.2f}, {x2:.2f}): "
                      f"{type(error).__name__}: {error}")


def _point(e):
    return float(e.controls["x1"].value), float(e.controls["x2"].value)


def _not_finite(t, x1, x2):
    """A message when f or its gradient is not finite at the point, else None."""
    values = [t.value, *t.gradient]
    if all(np.all(np.isfinite(v)) for v in values):
        return None
    g = ", ".join(graphs.number(v) for v in t.gradient)
    return (
        f"At (x1, x2) = ({x1:.2f}, {x2:.2f}) f = {graphs.number(t.value)} and its gradient is "
        f"({g}): not finite here, so the numbers below are not derivatives. "
        "Move the sliders to where f is defined."
    )


def _figure_rc(fn):
    """Run a drawing function in the course's style."""

    def run(*args, **kw):
        with palette.style():
            return fn(*args, **kw)

    return run


def explore(f, x1=2.0, x2=3.0, *, x1_range=(-4.0, 4.0), x2_range=(-4.0, 4.0),
            notation="hierarchy", n=81):
    """The point explorer: move (x1, x2) and see the graph, the table and the gradient.

    Parameters
    ----------
    f : callable
        A function of two inputs, written with operators and numpy.
    x1, x2 : float
        Where the sliders start.
    x1_range, x2_range : (float, float)
        The sliders' ranges; also the box of the contour plot.
    notation : {"hierarchy", "wengert"}
        How the graph names the units.
    n : int
        Grid points per side of the contour plot (sampled once).

    Returns
    -------
    Explorer
        A widget; ``controls["x1"]`` and ``controls["x2"]`` are its sliders.

    Examples
    --------
    >>> import numpy as np
    >>> e = explore(lambda x1, x2: x1 * x2 + np.sin(x1))
    >>> e.controls["x1"].value = 0.0  # f = 0 and df/dx1 = x2 + cos(0) = 4 there
    >>> print(e.table_text.splitlines()[-1])
    w²    w5       w3 + w4    0.000    4.000    1.000
    """
    where = "explore"
    _check_f(where, f)
    controls = {"x1": _slider(where, "x1", x1, x1_range),
                "x2": _slider(where, "x2", x2, x2_range)}
    notation = _choice(where, "notation", notation, NOTATIONS)
    n = _whole(where, "n", n, *GRID_SIZES)
    box = (controls["x1"].min, controls["x1"].max, controls["x2"].min, controls["x2"].max)
    grid = plots.grid(f, box, n)

    graph_fig = palette.figure((1, 1), pyplot=False, dpi=DPI)
    # the graph's boxes, names and edges are drawn again only when its layout changes
    graph_layers, graph_backdrop = graphs.Layers(), _Backdrop(graph_fig)
    contour_fig = palette.figure((6.4, 5.4), pyplot=False, dpi=DPI)
    with palette.style():
        ax = contour_fig.add_axes((0.12, 0.11, 0.66, 0.8))
        cax = contour_fig.add_axes((0.84, 0.11, 0.035, 0.8))
        fill = plots.draw_contours(ax, grid, colorbar=False)
        if fill is not None:
            contour_fig.colorbar(fill, cax=cax).set_label(f"f({grid.names[0]}, {grid.names[1]})")
        else:
            cax.set_axis_off()
        ax.title.set_animated(True)
    backdrop = _Backdrop(contour_fig)
    moving = []

    @_figure_rc
    def render(e):
        x1, x2 = _point(e)
        t, problem = _trace_at(f, x1, x2)
        e.trace = t
        if t is not None:
            problem = _not_finite(t, x1, x2)
            e.table.value = t.to_html()
            e.table_text = t.to_text()
        else:
            e.table.value = ""
            e.table_text = ""
        if _graph_fits(e, t) and t is not None:
            graphs._draw(t, notation, ("value",), False, None, None, None, 3, None,
                         figure=graph_fig, layers=graph_layers)
            e.image("graph", graph_fig,
                    graph_backdrop.png(graph_layers.moving, graph_layers.rebuilt))
        e.images["graph"].layout.visibility = "visible" if t is not None else "hidden"
        # the contours stay; only the point, its arrow and the title move
        for artist in moving:
            artist.remove()
        moving.clear()
        gradient = np.array([np.nan, np.nan])  # no arrow where f is not defined
        if t is not None and np.isfinite(t.value):
            gradient = np.array([float(g) for g in t.gradient])
        before = set(ax.get_children())
        plots.draw_gradient(ax, grid, x1, x2, gradient)
        moving.extend(a for a in ax.get_children() if a not in before)
        ax.title.set_text(plots._gradient_title(grid, x1, x2, gradient))
        e.image("contours", contour_fig, backdrop.png([*moving, ax.title]))
        return problem

    images = {"graph": W.Image(format="png"), "contours": W.Image(format="png")}
    table, note = W.HTML(), W.HTML()
    body = [W.HBox(list(controls.values()), layout=_WRAP),
            W.HBox([note, *images.values()], layout=_WRAP), table]
    e = Explorer("point", controls, images, body, render, table)
    e.graph_note = note
    e.update()
    return e


def explore_sweep(f, x1=2.0, x2=3.0, *, mode="forward x1", step=1, x1_range=(-4.0, 4.0),
                  x2_range=(-4.0, 4.0), notation="hierarchy", edge_labels=False):
    """The sweep explorer: walk a forward or reverse sweep one unit at a time.

    Parameters
    ----------
    f : callable
        A function of two inputs.
    x1, x2 : float
        Where the sliders start.
    mode : {"forward x1", "forward x2", "reverse"}
        The sweep shown first: forward mode seeded on x1 or on x2, or reverse mode.
    step : int
        The step shown first (1 is the first unit of the sweep).
    edge_labels : bool
        Also write the local partials on the edges (the values a sweep passes
        along them are always written).

    Returns
    -------
    Explorer
        ``controls``: ``x1``, ``x2``, ``mode`` (toggle buttons), ``step`` (a
        slider; ``play`` steps it by itself in a notebook).

    Examples
    --------
    >>> import numpy as np
    >>> s = explore_sweep(lambda x1, x2: x1 * x2 + np.sin(x1), mode="reverse")
    >>> s.controls["step"].max  # one step per unit
    5
    """
    where = "explore_sweep"
    _check_f(where, f)
    controls = {"x1": _slider(where, "x1", x1, x1_range),
                "x2": _slider(where, "x2", x2, x2_range)}
    mode = _choice(where, "mode", mode, MODES)
    step = _whole(where, "step", step, 1, graphs.MAX_UNITS)
    notation = _choice(where, "notation", notation, NOTATIONS)
    edge_labels = _flag(where, "edge_labels", edge_labels)
    controls["mode"] = W.ToggleButtons(
        options=[("forward, seed x1", "forward x1"), ("forward, seed x2", "forward x2"),
                 ("reverse", "reverse")],
        value=mode, description="sweep",
        style={"button_width": "130px"},
    )
    controls["step"] = W.IntSlider(value=max(1, int(step)), min=1, max=max(1, int(step)),
                                   description="step", continuous_update=True)
    controls["play"] = W.Play(interval=1500, min=1, max=controls["step"].max, description="play")
    W.jslink((controls["play"], "value"), (controls["step"], "value"))
    W.jslink((controls["step"], "max"), (controls["play"], "max"))
    graph_fig = palette.figure((1, 1), pyplot=False, dpi=DPI)
    # the graph's boxes, names and edges are drawn again only when its layout changes
    # the backdrop of each (sweep, step) is kept once drawn: stepping back and forth, or
    # playing, brings it back (about 0.1 MB each, compressed) instead of drawing it again
    graph_layers = graphs.Layers()
    graph_backdrop = _Backdrop(graph_fig, keep=32)

    @_figure_rc
    def render(e):
        x1, x2 = _point(e)
        sweep, wrt = MODES[e.controls["mode"].value]
        t, problem = _trace_at(f, x1, x2, wrt)
        e.trace = t
        if t is None:
            e.table.value = ""
            e.table_text = ""
            e.images["graph"].layout.visibility = "hidden"
            _graph_fits(e, t)
            return problem
        slider = e.controls["step"]
        slider.max = len(t.units)  # the number of units can change with the point
        e.controls["play"].max = slider.max
        k = min(slider.value, slider.max)
        show = ("value", "tangent") if sweep == "forward" else ("value", "adjoint")
        if _graph_fits(e, t):
            graphs._draw(t, notation, show, edge_labels, sweep, k, None, 3, None,
                         figure=graph_fig, layers=graph_layers)
            e.image("graph", graph_fig,
                    graph_backdrop.png(graph_layers.moving, key=graph_layers.key,
                                       groups=graph_layers.tags))
        e.images["graph"].layout.visibility = "visible"
        e.table.value = _highlight_row(t.to_html(mode=sweep), k)
        e.table_text = t.to_text(mode=sweep)
        return _not_finite(t, x1, x2)

    images = {"graph": W.Image(format="png")}
    table, note = W.HTML(layout=W.Layout(margin="40px 0 0 12px")), W.HTML()
    body = [
        W.VBox([
            W.HBox([controls["x1"], controls["x2"]]),
            controls["mode"],
            W.HBox([controls["step"], controls["play"]]),
        ]),
        W.HBox([note, images["graph"], table], layout=_WRAP),
    ]
    e = Explorer("sweep", controls, images, body, render, table)
    e.graph_note = note
    e.update()
    return e


def _highlight_row(table_html, k):
    """Mark row k (1-based) of a trace table as the current step; grey the rows after it."""
    head, sep, body = table_html.partition("<tbody>")
    if not sep:
        return table_html
    rows = body.split("<tr>")
    out = [rows[0]]
    for i, row in enumerate(rows[1:], start=1):
        if i == k:
            style = f"background:{palette.HIGHLIGHT};font-weight:bold"
        elif i > k:
            style = "color:#999999"
        else:
            style = ""
        out.append(f'<tr style="{style}">' + row if style else "<tr>" + row)
    return head + sep + "".join(out)


def explore_direction(f, x1=2.0, x2=3.0, angle=30.0, *, x1_range=(-4.0, 4.0),
                      x2_range=(-4.0, 4.0), radius=2.0, n=81):
    """The direction explorer: f along a direction, and the tangent line forward mode gives.

    The left panel shows the contours of f, the gradient at the point and the
    line ``(x1, x2) + t u`` with ``u = (cos angle, sin angle)``; the right one
    shows f along that line and its tangent, whose slope ``grad f . u`` is one
    forward sweep seeded with u (``ad.jvp``).

    Returns
    -------
    Explorer
        ``controls``: ``x1``, ``x2``, ``angle`` (degrees).

    Examples
    --------
    >>> import numpy as np
    >>> d = explore_direction(lambda x1, x2: x1 * x2 + np.sin(x1), angle=90.0)
    >>> print(f"{d.slice.slope:.3f}")  # straight along x2: df/dx2 = x1 = 2
    2.000
    """
    where = "explore_direction"
    _check_f(where, f)
    controls = {"x1": _slider(where, "x1", x1, x1_range),
                "x2": _slider(where, "x2", x2, x2_range)}
    angle = _number(where, "angle", angle)
    if not 0.0 <= angle <= 360.0:
        raise ValueError(f"{where}: angle must be from 0 to 360 degrees, got {angle!r}")
    radius = _number(where, "radius", radius)
    if not radius > 0:
        raise ValueError(f"{where}: radius must be a positive number, got {radius!r}")
    if radius > LARGEST:
        raise ValueError(f"{where}: radius must be at most {LARGEST:,.0f} (the bound on the "
                         f"ranges: the line is drawn among the same coordinates), got {radius!r}")
    n = _whole(where, "n", n, *GRID_SIZES)
    controls["angle"] = W.FloatSlider(
        value=angle, min=0.0, max=360.0, step=5.0, description="angle (°)",
        continuous_update=True, readout_format=".0f", layout=W.Layout(width="320px"),
    )
    box = (controls["x1"].min, controls["x1"].max, controls["x2"].min, controls["x2"].max)
    grid = plots.grid(f, box, n)
    fig = palette.figure((12.4, 5.4), pyplot=False, dpi=DPI)
    with palette.style():
        left = fig.add_axes((0.06, 0.12, 0.38, 0.78))
        right = fig.add_axes((0.56, 0.12, 0.42, 0.78))
        plots.draw_contours(left, grid, colorbar=False)
        (line,) = left.plot([], [], color="white", lw=2.5, ls="--", gid="direction-line")
        start = plots.slice_along(f, x1, x2, plots.direction(angle), radius)
        curve, tangent = plots.draw_slice(right, start, ("x1", "x2"))
        left.title.set_animated(True)
        # the right panel's frame and t axis are in the backdrop; its y axis is a layer
        # kept by its limits, which are round numbers, the same for many slices; the
        # slice, the legend and the title are drawn over them
        legend = right.get_legend()
        point = next(a for a in right.lines if a.get_gid() == "slice-point")
        right_moving = [curve, tangent, point, legend, right.title, *right.spines.values()]
        right.yaxis.set_animated(True)
        order = {id(a): i for i, a in enumerate(right.get_children())}
        right_moving.sort(key=lambda a: (a.get_zorder(), order[id(a)]))  # as Axes.draw does
        for artist in right_moving:
            artist.set_animated(True)
    backdrop = _Backdrop(fig)
    moving = []

    from matplotlib import patheffects

    @_figure_rc
    def render(e):
        x1, x2 = _point(e)
        u = plots.direction(e.controls["angle"].value)
        s = plots.slice_along(f, x1, x2, u, radius)
        # the same diagnosis as the other explorers: a function that fails says why
        t, problem = _trace_at(f, x1, x2)
        e.trace = t
        gradient = np.array([np.nan, np.nan])  # no arrow where f is not defined
        if t is not None and math.isfinite(s.value):
            gradient = np.array([float(g) for g in t.gradient])
        # the contours stay; the point, its arrows, the line and the slice move
        for artist in moving:
            artist.remove()
        moving.clear()
        before = set(left.get_children())
        plots.draw_gradient(left, grid, x1, x2, gradient)
        pointer = left.annotate(
            "", xy=(x1 + radius * 0.5 * u[0], x2 + radius * 0.5 * u[1]), xytext=(x1, x2),
            arrowprops={"arrowstyle": "-|>,head_length=0.7,head_width=0.35", "color": "white",
                        "lw": 2.5, "shrinkA": 0, "shrinkB": 0,
                        "path_effects": [patheffects.withStroke(linewidth=4.5,
                                                                foreground="black")]},
            zorder=8, gid="direction",
        )
        pointer.arrow_patch.set_clip_box(left.bbox)
        moving.extend(a for a in left.get_children() if a not in before)
        line.set_data(x1 + s.t * u[0], x2 + s.t * u[1])
        unit = f"({graphs.number(u[0])}, {graphs.number(u[1])})"  # never -0.000 (at 270 degrees)
        left.title.set_text(f"u = {unit} at ({graphs.number(x1, 2)}, {graphs.number(x2, 2)})")
        curve.set_data(s.t, s.values)
        tangent.set_data(s.t, s.tangent)
        tangent.set_label(f"tangent line, slope {graphs.number(s.slope)}")
        legend.texts[1].set_text(tangent.get_label())
        point.set_data([0], [s.value])
        plots._slice_limits(right, s, round_numbers=True)
        # placed from the limits, not moved by matplotlib after the y axis it draws: a title
        # drawn over a kept y axis must stand where a whole drawing puts it. Clear of the
        # factor or offset the y axis writes above itself (1e8) where it writes one
        formatter = right.yaxis.get_major_formatter()
        formatter.set_locs(right.yaxis.get_majorticklocs())
        clear = 1.5 * right.yaxis.offsetText.get_fontsize() if formatter.get_offset() else 0
        right.set_title(f"slope ∇f·u = {graphs.number(s.slope)} (one forward sweep)", y=1.0,
                        pad=matplotlib.rcParams["axes.titlepad"] + clear)
        e.slice = s
        e.readout.value = (
            f"∇f = ({graphs.number(gradient[0])}, {graphs.number(gradient[1])}), "
            f"u = {unit}, ∇f·u = {graphs.number(s.slope)}"
        )
        # drawn over the backdrop in the order the whole figure draws them (by zorder,
        # the left panel's spines among them), so that the picture is that figure's
        over = [line, *moving, left.title, *left.spines.values()]
        drawn_over = [*sorted(over, key=lambda a: a.get_zorder()), *right_moving]
        e.image("direction", fig,
                backdrop.png(drawn_over, layer=(right.yaxis, right.get_ylim())))
        return problem if t is None else _not_finite(t, x1, x2)

    images = {"direction": W.Image(format="png")}
    readout = W.HTML()
    body = [W.HBox(list(controls.values()), layout=_WRAP), readout, images["direction"]]
    e = Explorer("direction", controls, images, body, render)
    e.readout = readout
    e.update()
    return e
