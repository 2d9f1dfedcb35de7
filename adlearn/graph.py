"""The computational graph of a trace, drawn with matplotlib alone.

Units are laid out by hierarchy level: the inputs on the bottom row (level 0),
f on the top one, the units of a level side by side in the order of their index
i. Each unit is a box with its name (``w^1_2`` or ``w4``) and its operation;
under it, on request, its value, tangent or adjoint. Edges run from operand to
consumer, each use of an operand its own edge (``x * x`` has two).

One step of a sweep can be highlighted. In forward mode step k computes one
unit's tangent from the edges it reads; in reverse mode step k finishes one
unit's adjoint and sends a contribution down each of its edges. Where a unit
feeds several others (x1 in the running example), its adjoint is the sum of
the contributions, and the drawing writes the sum out.

Examples
--------
>>> import numpy as np
>>> import adlearn as ad
>>> from adlearn.graph import draw
>>> t = ad.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 3.0)
>>> fig = draw(t, show="adjoint", mode="reverse", step=5)
>>> len([p for p in fig.axes[0].patches if str(p.get_gid()).startswith("unit-")])
5
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from adlearn import palette
from adlearn.trace import Trace, fixed

__all__ = ["MAX_INCHES", "MAX_UNITS", "draw", "number"]

NOTATIONS = ("hierarchy", "wengert")
SHOWS = (None, "value", "tangent", "adjoint")
MODES = (None, "forward", "reverse")

PAD = 0.10  # inches of padding inside a box
COLUMN_GAP = 0.55  # inches between two boxes of a level
LEVEL_GAP = 1.05  # inches between two levels (room for edge labels)
MARGIN = 0.15
# Bounds on a drawing. Every unit's labels are typeset by matplotlib's mathtext, about
# 10-20 ms each, so 40 units draw in a few seconds, where 99 took over half a minute
# and a 170-inch picture no viewer opens; past 40 units a picture is not read anyway
# (the trace table is). A graph larger than MAX_INCHES either way is drawn smaller,
# fonts and boxes shrunk together: at most 40 x 40 inches, 4000 x 4000 pixels at 100 dpi.
MAX_UNITS = 40
MAX_INCHES = 40.0


@dataclass
class _Card:
    """What is drawn for one unit, and where (inches)."""

    number: int
    label: str
    operation: str
    notes: list = field(default_factory=list)  # (text, colour)
    state: str = "plain"  # plain, input, done, current, pending
    x: float = 0.0
    y: float = 0.0
    head_w: float = 0.0
    head_h: float = 0.0
    note_w: float = 0.0
    note_h: float = 0.0

    @property
    def top(self):
        return self.y + self.head_h / 2

    @property
    def bottom(self):
        return self.y - self.head_h / 2 - self.note_h

    @property
    def width(self):
        return max(self.head_w, self.note_w)


def number(v, digits: int = 3) -> str:
    """A value as the figures write it: fixed digits, no ``-0.000``.

    Examples
    --------
    >>> number(2.5838531634528574), number(-1e-9), number(float("-inf"))
    ('2.584', '0.000', '-inf')
    """
    if v is None:
        return "?"
    v = np.asarray(v)
    if v.ndim > 0:
        if v.size > 3:
            return f"array{v.shape}"
        return "[" + ", ".join(number(e, digits) for e in v.ravel()) + "]"
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return fixed(v, digits)


def _sum_text(terms, total, digits):
    """``a + b - c = total`` for the terms of a fan-in."""
    text = number(terms[0], digits)
    for t in terms[1:]:
        s = number(t, digits)
        text += f" - {s[1:]}" if s.startswith("-") else f" + {s}"
    return f"{text} = {number(total, digits)}"


def _check_args(trace, notation, show, mode, step):
    if not isinstance(trace, Trace):
        raise TypeError(
            f"draw: expected a Trace (from ad.trace(f, x1, x2)), got a {type(trace).__name__}"
        )
    if notation not in NOTATIONS:
        raise ValueError(f"draw: notation must be one of {NOTATIONS}, got {notation!r}")
    shows = (show,) if show is None or isinstance(show, str) else tuple(show)
    for s in shows:
        if s not in SHOWS:
            raise ValueError(f"draw: show must be one of {SHOWS} (or several), got {s!r}")
    if mode not in MODES:
        raise ValueError(f"draw: mode must be one of {MODES}, got {mode!r}")
    if step is not None:
        if mode is None:
            raise ValueError("draw: a step needs a mode, 'forward' or 'reverse'")
        n = len(trace.units)
        if not isinstance(step, (int, np.integer)) or isinstance(step, bool):
            raise TypeError(f"draw: step must be an int from 1 to {n}, got {step!r}")
        if not 1 <= step <= n:
            raise ValueError(f"draw: step must be from 1 to {n} (one per unit), got {step}")
    shows = tuple(s for s in shows if s is not None)
    if not shows and mode is not None:
        shows = ("tangent",) if mode == "forward" else ("adjoint",)
    return shows


def _states(trace, mode, step):
    """Each unit's state at a step of a sweep; and the order of the sweep."""
    if mode is None or step is None:
        order = [u.number for u in trace.units]
        state = dict.fromkeys(order, "done" if mode else "plain")
        return state, {n: i + 1 for i, n in enumerate(order)}
    order = trace.steps(mode)
    rank = {n: i + 1 for i, n in enumerate(order)}
    state = {}
    for n, r in rank.items():
        state[n] = "done" if r < step else "current" if r == step else "pending"
    return state, rank


def _forward_terms(trace, u):
    """The terms partial_j * w_dot_j of a unit's tangent (None where unknown)."""
    if u.partials is None:
        return None
    return [p * trace.unit(o).tangent for p, o in zip(u.partials, u.unit_operands)]


def _partial_label(trace, u, k, notation):
    """The local partial of unit u in its k-th unit operand, as plain text (``cos(w⁰₁)``).

    Plain, not mathtext: it is written with its value, which changes with the
    point, and typesetting a new formula on every slider move is slow.
    """
    return trace.partial_formula(u.number, k, notation, "text").replace("*", "·")


_PARSES: dict = {}


def _tex(latex: str, text: str) -> str:
    """``$latex$`` where matplotlib's mathtext can typeset it, else the plain ``text``."""
    math = f"${latex}$"
    if math not in _PARSES:
        from matplotlib.mathtext import MathTextParser

        try:
            MathTextParser("path").parse(math)
            ok = True
        except ValueError:
            ok = False
        if len(_PARSES) > 4096:
            _PARSES.clear()
        _PARSES[math] = ok
    return math if _PARSES[math] else text


def _notes(trace, u, shows, state, rank, mode, step, notation, digits):
    """The lines under a unit: its value, tangent, adjoint (with a fan-in sum)."""
    lines = []
    reached = state in ("plain", "done", "current")
    for s in shows:
        if s == "value":
            # in forward mode the value is computed in the same step as the tangent
            known = reached or mode == "reverse"
            lines.append((f"= {number(u.value, digits) if known else '?'}", palette.VALUE))
        elif s == "tangent":
            sym = "ẇ"
            known = True if mode == "reverse" and step is not None else reached
            terms = _forward_terms(trace, u)
            if not known:
                text = "?"
            elif u.is_input or terms is None or len(terms) < 2:
                text = number(u.tangent, digits)
            else:
                text = _sum_text(terms, u.tangent, digits)
            lines.append((f"{sym} = {text}", palette.TANGENT))
        elif s == "adjoint":
            sym = "w̄"
            contributions = trace.contributions(u.number)
            if mode == "reverse" and step is not None:
                received = [c for c in contributions if rank[c.consumer] <= step]
            else:
                received = contributions
            total = sum(c.value for c in received) if received else 0.0
            complete = len(received) == len(contributions)
            if u.number == trace.output.number:
                text = "1 (seed)" if reached or mode != "reverse" else "?"
            elif not contributions:  # a unit the output does not read: adjoint 0
                text = number(u.adjoint, digits)
            elif not received:
                text = "?"
            elif len(contributions) < 2 or any(c.value is None for c in received):
                text = number(u.adjoint if complete else total, digits)
            elif complete:
                text = _sum_text([c.value for c in received], u.adjoint, digits)
            else:
                text = _sum_text([c.value for c in received], total, digits).rsplit(" = ", 1)
                text = f"{text[0]} + ... ({len(received)} of {len(contributions)})"
            lines.append((f"{sym} = {text}", palette.ADJOINT))
    return lines


_MEASURED: dict = {}
_TEXT_TO_PATH: list = []


def _measure(text, size):
    """Width and height of a text, in inches (each text and size measured once)."""
    key = (text, size)
    if key in _MEASURED:
        return _MEASURED[key]
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    if not _TEXT_TO_PATH:
        _TEXT_TO_PATH.append(TextToPath())
    measure = _TEXT_TO_PATH[0].get_text_width_height_descent
    ismath = text.count("$") >= 2
    try:
        w, h, _d = measure(text, FontProperties(size=size), ismath=ismath)
    except ValueError:  # mathtext cannot parse it: measured as plain text
        w, h, _d = measure(text, FontProperties(size=size), ismath=False)
    if len(_MEASURED) > 4096:
        _MEASURED.clear()
    _MEASURED[key] = (w / 72, h / 72)
    return w / 72, h / 72


_NUMBER = re.compile(r"( [-+] )?-?(\d+)\.(\d+)")


def _widest_form(text: str, digit: str = "0") -> str:
    """``text`` with each number written as the widest of its kind: a sign (a plus
    between terms, wider than the minus), at least two whole digits, each the font's widest
    ``digit`` (``2.584`` reads ``-00.000``).

    A tag measured this way is as wide wherever the sliders are, so the graph's layout,
    its size and the background an explorer keeps stay while only the numbers change;
    only a number of 100 or more widens it.

    Examples
    --------
    >>> _widest_form("ẇ = 2.584 - 0.5 = 2.084")
    'ẇ = -00.000 + 00.0 = -00.000'
    """
    return _NUMBER.sub(
        lambda m: f"{' + ' if m[1] else '-'}{digit * max(2, len(m[2]))}.{digit * len(m[3])}",
        text,
    )


def _stable_width(text, size):
    """The width (inches) of ``text`` written in its widest form: never narrower than the
    text, and the same for every number of up to two whole digits (a few forms, each
    measured once, where the numbers themselves change on every slider move)."""
    digit = max("0123456789", key=lambda d: _measure(d, size)[0])
    return _measure(_widest_form(text, digit), size)[0]


def _cards(trace, notation, shows, states, rank, mode, step, digits, scale, steady=False):
    """What each unit shows, measured. ``steady``: number tags as wide as the numbers'
    widest forms (``_stable_width``), for a figure an explorer redraws as its sliders move;
    else as wide as the numbers shown."""
    cards = []
    fs = {k: v * scale for k, v in palette.FONT.items()}
    for u in trace.units:
        label = _tex(trace.label(u.number, notation, "latex"), trace.label(u.number, notation))
        operation = _tex(
            trace.formula(u.number, notation, "latex"), trace.formula(u.number, notation)
        )
        state = states[u.number]
        if state == "plain" and u.is_input:
            state = "input"
        card = _Card(u.number, label, operation, state=state)
        card.notes = _notes(
            trace, u, shows, states[u.number], rank, mode, step, notation, digits
        )
        lw = _measure(label, fs["label"])[0]
        ow = _measure(operation, fs["operation"])[0]
        card.head_w = max(lw, ow, 0.5 * scale) + 3 * PAD * scale
        card.head_h = (fs["label"] * 1.25 + fs["operation"] * 1.45) / 72 + 1.2 * PAD * scale
        if card.notes:
            width = _stable_width if steady else lambda t, size: _measure(t, size)[0]
            widths = [width(t, fs["note"]) for t, _c in card.notes]
            if steady and step is not None:
                # as wide as the tag will be once the sweep has passed the unit: the layout
                # stays while the sweep steps (and with it what an explorer keeps drawn)
                passed = _notes(trace, u, shows, "done", rank, mode, None, notation, digits)
                widths += [width(t, fs["note"]) for t, _c in passed]
            card.note_w = max(widths) + 2 * PAD * scale
            card.note_h = len(card.notes) * fs["note"] * 1.5 / 72 + 0.6 * PAD * scale
        cards.append(card)
    return cards


def _layout(trace, cards, scale, label_lines=1, label_w=0.0):
    """Place the cards: levels bottom to top, units of a level side by side.

    A column is as wide as the widest card, or twice the widest edge label (``label_w``,
    inches at scale 1): where two edges cross between two columns, a label then has room
    beside the crossing, off the other edge.
    """
    by_level: dict[int, list[_Card]] = {}
    for u, c in zip(trace.units, cards):
        by_level.setdefault(u.level, []).append((u.position, c))
    extra = max(0, label_lines - 1)  # two lines on the edges need more room between units
    widest = max(max(c.width for c in cards), 2 * label_w * scale)
    column = widest + (COLUMN_GAP + 0.35 * extra) * scale
    row = max(c.head_h + c.note_h for c in cards) + (LEVEL_GAP + 0.6 * extra) * scale
    for level, members in by_level.items():
        members.sort(key=lambda pc: pc[0])
        count = len(members)
        for i, (_p, c) in enumerate(members):
            c.x = (i - (count - 1) / 2) * column
            c.y = level * row


def _extent(cards):
    """The box around all cards, with a margin (inches)."""
    return (
        min(c.x - c.width / 2 for c in cards) - MARGIN,
        max(c.x + c.width / 2 for c in cards) + MARGIN,
        min(c.bottom for c in cards) - MARGIN,
        max(c.top for c in cards) + MARGIN,
    )


def _edges(trace):
    """(operand, consumer, k, j, m): the k-th unit operand of consumer, the j-th of m
    edges between the same two units."""
    edges = []
    for u in trace.units:
        operands = u.unit_operands
        for k, o in enumerate(operands):
            m = operands.count(o)
            j = operands[:k].count(o)
            edges.append((o, u.number, k, j, m))
    return edges


def _bezier(a, b, rad, t):
    """A point of matplotlib's arc3 connection from a to b (in equal-aspect inches);
    points, where ``t`` is an array."""
    (x1, y1), (x2, y2) = a, b
    cx, cy = (x1 + x2) / 2 + rad * (y2 - y1), (y1 + y2) / 2 - rad * (x2 - x1)
    s = 1 - t
    return s * s * x1 + 2 * s * t * cx + t * t * x2, s * s * y1 + 2 * s * t * cy + t * t * y2


def _blossom(a, b, rad, t0, t1):
    """The control point of the piece of the arc3 curve from t0 to t1 (a quadratic Bezier)."""
    (x1, y1), (x2, y2) = a, b
    cx, cy = (x1 + x2) / 2 + rad * (y2 - y1), (y1 + y2) / 2 - rad * (x2 - x1)
    w0, w1, w2 = (1 - t0) * (1 - t1), (1 - t0) * t1 + t0 * (1 - t1), t0 * t1
    return w0 * x1 + w1 * cx + w2 * x2, w0 * y1 + w1 * cy + w2 * y2


def _outline(c):
    """What is drawn of a card, as rectangles: its box, and the tag under it if any.

    Not :func:`_rect`, the box around both: where the tag is wider than the box (a long
    sum of adjoints), an edge clipped to that would stop in the air beside the box.
    """
    below = c.y - c.head_h / 2
    box = (c.x - c.head_w / 2, below, c.x + c.head_w / 2, c.top)
    if not c.note_h:
        return [box]
    return [box, (c.x - c.note_w / 2, c.bottom, c.x + c.note_w / 2, below)]


def _inside(point, rects):
    return any(r[0] <= point[0] <= r[2] and r[1] <= point[1] <= r[3] for r in rects)


def _inside_all(xs, ys, rects):
    """``_inside`` for arrays of points."""
    inside = np.zeros(np.shape(xs), dtype=bool)
    for r in rects:
        inside |= (r[0] <= xs) & (xs <= r[2]) & (r[1] <= ys) & (ys <= r[3])
    return inside


def _visible(a, b, rad, start, end, gap):
    """Parameters (t0, t1) where the curve from a to b leaves the rectangles ``start`` (a
    card's :func:`_outline`) and first enters the rectangles ``end``, moved ``gap`` inches
    further in (bisection, no recursion).

    First enters: a curve may go into a tag wider than its box, out of the tag's top beside
    the box, and into the box; its visible part ends at the tag, not under it.
    """
    ts = np.linspace(0.0, 1.0, 41)
    xs, ys = _bezier(a, b, rad, ts)  # all 41 points at once (the same numbers, faster)
    in_start, in_end = _inside_all(xs, ys, start), _inside_all(xs, ys, end)
    out = np.flatnonzero(~in_start & ~in_end)
    if not out.size:
        return 0.25, 0.75
    # the first sample inside end after the curve is out, and the last inside start before it
    e = next((i for i in range(out[0], len(ts)) if in_end[i]), len(ts) - 1)
    s = max((i for i in range(e) if in_start[i]), default=0)
    lo_in, lo_out = ts[s], ts[s + 1]
    hi_out, hi_in = ts[e - 1], ts[e]
    for _ in range(14):
        mid = (lo_in + lo_out) / 2
        lo_in, lo_out = (mid, lo_out) if _inside(_bezier(a, b, rad, mid), start) else (lo_in, mid)
        mid = (hi_out + hi_in) / 2
        hi_out, hi_in = (hi_out, mid) if _inside(_bezier(a, b, rad, mid), end) else (mid, hi_in)
    length = math.dist(a, b) or 1.0
    dt = gap / length
    t0, t1 = lo_out + dt, hi_out - dt
    return (t0, t1) if t0 < t1 else (lo_out, hi_out)


def _crosses(a, b, rad, cards, skip):
    """Whether an edge passes through a card other than its ends."""
    others = [c for c in cards if c.number not in skip]
    if not others:
        return False
    # every point against every card at once: points down, cards across
    xs, ys = _bezier(a, b, rad, np.linspace(0.08, 0.92, 25)[:, None])
    cx = np.array([c.x for c in others])
    half = np.array([c.width / 2 + 0.05 for c in others])
    low = np.array([c.bottom - 0.05 for c in others])
    high = np.array([c.top + 0.05 for c in others])
    return bool(np.any((abs(xs - cx) < half) & (low < ys) & (ys < high)))


def _rad(a, b, j, m, cards, skip):
    """The curvature of the j-th of m edges between two units: repeated edges (x * x) are
    spread apart, and all of them bent together around other units, the least bend that
    passes none (if none does, none)."""
    spread = [(i - (m - 1) / 2) * 0.8 for i in range(m)]
    for bend in (0.0, 0.2, -0.2, 0.35, -0.35, 0.5, -0.5, 0.7, -0.7, 0.9, -0.9):
        if not any(_crosses(a, b, bend + s, cards, skip) for s in spread):
            return bend + spread[j]
    return spread[j]


def draw(
    trace,
    *,
    notation="hierarchy",
    show=None,
    edge_labels=False,
    mode=None,
    step=None,
    ax=None,
    digits=3,
    title=None,
):
    """Draw the computational graph of a trace, laid out by level.

    Parameters
    ----------
    trace : adlearn.trace.Trace
        From ``ad.trace(f, *point)``; any number of inputs.
    notation : {"hierarchy", "wengert"}
        Name units ``w^n_i`` (level n, index i) or ``w1 .. wN``.
    show : {None, "value", "tangent", "adjoint"} or a sequence of them
        What to write under each unit. With a mode and no ``show``, the tangents
        (forward) or adjoints (reverse).
    edge_labels : bool
        Write each edge's local partial derivative ``dw/dw_j`` on it.
    mode : {None, "forward", "reverse"}
        Draw a sweep: tangents flow up the edges (forward), adjoints flow down
        them (reverse; the arrows point down). Edges carry what they pass on:
        ``partial * w_dot_j`` forward, ``w_bar * partial`` backward; where terms
        meet, the sum is written out.
    step : int, optional
        Highlight step ``step`` (1-based) of ``trace.steps(mode)``: the unit it
        computes and the edges it reads (forward) or sends adjoints along
        (reverse). Units not reached yet are greyed out.
    ax : matplotlib Axes, optional
        Draw into it (fonts shrink to fit); by default a new figure sized to
        the graph.
    digits : int
        Decimals of the numbers written.
    title : str, optional
        A title; by default one naming the function and the sweep.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> t = ad.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 3.0)
    >>> fig = draw(t, notation="wengert", show="value")
    >>> sorted(x.get_text() for x in fig.axes[0].texts if x.get_gid() == "label")
    ['$w_{1}$', '$w_{2}$', '$w_{3}$', '$w_{4}$', '$w_{5}$']
    """
    shows = _check_args(trace, notation, show, mode, step)
    with palette.style():
        return _draw(trace, notation, shows, edge_labels, mode, step, ax, digits, title)


@dataclass
class Layers:
    """What an explorer keeps of its graph between two changes (``_draw(..., layers=)``).

    The unit boxes, their names and operations, the edges and the title are the
    still layer: drawn again only when the layout changes (``key``). The tags
    with the numbers, the edge labels and the caption are the moving layer,
    made anew on every change (``moving``, in drawing order). ``rebuilt`` says
    whether the last call made the still layer again.
    """

    key: tuple = ()
    moving: list = field(default_factory=list)
    tags: list = field(default_factory=list)  # (tag, its texts) of each unit, in ``moving``
    shape: tuple = ()  # the key without the units' states: a layout that only restyles
    units: dict = field(default_factory=dict)  # number -> (box, name, operation) drawn
    arrows: dict = field(default_factory=dict)  # (operand, consumer, k) -> the edge drawn
    rebuilt: bool = True
    edges: list = field(default_factory=list)  # what placing an edge label needs
    taken: list = field(default_factory=list)  # where an edge label must not go
    paths: dict = field(default_factory=dict)  # points along each edge


def _draw(trace, notation, shows, edge_labels, mode, step, ax, digits, title, figure=None,
          layers=None):
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
    from matplotlib.path import Path

    if layers is not None and (figure is None or ax is not None):
        raise ValueError("draw: layers are kept for a figure of the graph's own, not an Axes")
    if len(trace.units) > MAX_UNITS:
        raise ValueError(
            f"draw: the graph has {len(trace.units)} units; a drawing holds at most "
            f"{MAX_UNITS} (the trace table shows any number: ad.trace(f, ...).to_text())"
        )
    states, rank = _states(trace, mode, step)
    title = _title(trace, mode) if title is None else title
    caption = _caption(trace, notation, mode, step, digits)

    # sizes at scale 1 (inches) first; drawing into a given Axes shrinks them to fit
    # an explorer's figure (redrawn on every slider move) keeps its layout while numbers change
    cards = _cards(trace, notation, shows, states, rank, mode, step, digits, 1.0,
                   steady=figure is not None)
    label_lines = int(edge_labels) + (mode is not None)
    label_w = _widest_label(trace, notation, edge_labels, mode, digits)
    _layout(trace, cards, 1.0, label_lines, label_w)
    xmin, xmax, ymin, ymax = _extent(cards)
    width, height = xmax - xmin, ymax - ymin
    if ax is None:
        title_h = palette.FONT["title"] * 2.0 / 72
        caption_lines = caption.count("\n") + 1 if caption else 0
        caption_h = caption_lines * palette.FONT["caption"] * 1.6 / 72 + (0.2 if caption else 0)
        text_w = max(
            _measure(line, size)[0]
            for line, size in [(title, palette.FONT["title"])]
            + [(line, palette.FONT["caption"]) for line in caption.split("\n")]
        )
        # whole half inches: the size a notebook prints (<Figure size 600x650 ...>) does not
        # move with the last digit of a font's metrics
        fig_w = math.ceil(2 * max(width, text_w + 0.4, 3.0)) / 2
        fig_h = math.ceil(2 * (height + title_h + caption_h)) / 2
        if figure is None and max(fig_w, fig_h) > MAX_INCHES:
            # too large at full size: the same drawing into a capped figure, which shrinks it
            shrink = MAX_INCHES / max(fig_w, fig_h)
            fig = palette.figure((fig_w * shrink, fig_h * shrink))
            ax = fig.add_axes((0.01, 0.06, 0.98, 0.88), gid="graph")
    if ax is None:
        if figure is None:
            fig = palette.figure((fig_w, fig_h))
        else:
            # an explorer redraws into the figure it keeps; a size that only grows keeps
            # matplotlib's renderer, and its cache of typeset labels, from one change to the next
            fig = figure
            old_w, old_h = fig.get_size_inches()
            fig_w, fig_h = max(fig_w, old_w), max(fig_h, old_h)
            if (fig_w, fig_h) != (old_w, old_h):
                fig.set_size_inches(fig_w, fig_h)
        body_h = fig_h - title_h - caption_h
        place = (0, caption_h / fig_h, 1, body_h / fig_h)
        if layers is not None:
            # the caption's height places the Axes: one line or two change the picture
            key = _layout_key(trace, cards, notation, mode, step, rank,
                              (fig_w, fig_h, caption_h), title)
            ours = bool(fig.axes) and fig.axes[0].get_gid() == "graph"
            keep = key == layers.key and ours
            shape = _shape_key(key)
            restyle = not keep and ours and shape == layers.shape
            layers.key, layers.rebuilt, layers.shape = key, not keep, shape
            if not keep and not restyle:
                layers.edges = []
        if layers is not None and (keep or restyle):
            # the same layout as last time: only the moving layer is made again (and, where
            # only the units' states changed, a sweep's step, the still artists restyled)
            ax = fig.axes[0]
            for artist in layers.moving:
                artist.remove()
            if restyle:
                _restyle(trace, cards, mode, step, rank, layers)
            return _draw_moving(trace, notation, shows, edge_labels, mode, step, digits, fig,
                                ax, cards, caption, (title_h, caption_h, fig_h), layers)
        if figure is not None and fig.axes and fig.axes[0].get_gid() == "graph":
            # the graph drawn last time: take its artists away, keep the Axes (faster)
            ax = fig.axes[0]
            for artist in [*ax.patches, *ax.texts, *fig.texts]:
                artist.remove()
            ax.set_position(place)
        else:
            if figure is not None:
                fig.clear()
            ax = fig.add_axes(place, gid="graph")
        pad_x, pad_y = (fig_w - width) / 2, (body_h - height) / 2
        ax.set_xlim(xmin - pad_x, xmax + pad_x)
        ax.set_ylim(ymin - pad_y, ymax + pad_y)
        scale = 1.0
        fig.text(0.5, 1 - 0.5 * title_h / fig_h, title, ha="center", va="center",
                 fontsize=palette.FONT["title"], gid="title")
        if layers is None:
            _figure_caption(fig, caption, caption_h, fig_h)
    else:
        fig = ax.figure
        engine = fig.get_layout_engine()
        if engine is not None:  # place the Axes where the layout will put them, then measure
            ax.set_title(title, fontsize=palette.FONT["title"])
            engine.execute(fig)
        box = ax.get_position()
        fw, fh = fig.get_size_inches()
        box_w, box_h = box.width * fw, box.height * fh
        scale = min(box_w / width, box_h / height, 1.25)
        # the same places (in inches of scale 1), with boxes measured at the new size
        cards = _cards(trace, notation, shows, states, rank, mode, step, digits, scale)
        _layout(trace, cards, scale, label_lines, label_w)
        for c in cards:
            c.x, c.y = c.x / scale, c.y / scale
            c.head_w, c.head_h = c.head_w / scale, c.head_h / scale
            c.note_w, c.note_h = c.note_w / scale, c.note_h / scale
        xmin, xmax, ymin, ymax = _extent(cards)
        # equal aspect: widen the limits to the shape of the Axes
        half_w = max(xmax - xmin, (ymax - ymin) * box_w / box_h) / 2
        half_h = half_w * box_h / box_w
        xc, yc = (xmin + xmax) / 2, (ymin + ymax) / 2
        ax.set_xlim(xc - half_w, xc + half_w)
        ax.set_ylim(yc - half_h, yc + half_h)
        ax.set_title(title, fontsize=palette.FONT["title"] * scale, gid="title")
        if caption:
            ax.text(0.5, 0.0, caption, transform=ax.transAxes, ha="center", va="top",
                    fontsize=palette.FONT["caption"] * scale, gid="caption")
    ax.set_axis_off()
    fs = {k: v * scale for k, v in palette.FONT.items()}
    colour = SWEEP_COLOUR[mode]

    # units: a box with name and operation, a tag with the notes under it
    if layers is not None:
        layers.units, layers.arrows = {}, {}
    for c in cards:
        fill, edge, lw, text_colour = _unit_style(trace, c, colour)
        box = FancyBboxPatch(
            (c.x - c.head_w / 2, c.y - c.head_h / 2), c.head_w, c.head_h,
            boxstyle=f"round,pad=0,rounding_size={0.12}",
            facecolor=fill, edgecolor=edge, linewidth=lw * scale, zorder=3,
            gid=f"unit-{c.number}",
        )
        ax.add_artist(box)
        top = c.y + c.head_h / 2 - 0.6 * PAD - fs["label"] * 0.62 / 72 / scale
        name = ax.text(c.x, top, c.label, ha="center", va="center", fontsize=fs["label"],
                       color=text_colour, zorder=4, gid="label")
        operation = ax.text(
            c.x, c.y - c.head_h / 2 + 0.6 * PAD + fs["operation"] * 0.62 / 72 / scale,
            c.operation, ha="center", va="center", fontsize=fs["operation"],
            color=text_colour, zorder=4, gid="operation")
        if layers is not None:
            layers.units[c.number] = (box, name, operation)
        if layers is None:
            _draw_notes(ax, c, fs, scale)

    # edges: operand to consumer (reverse mode: consumer down to operand)
    where = {c.number: c for c in cards}
    current = None if step is None else trace.steps(mode)[step - 1]
    taken = [_rect(c) for c in cards]  # where an edge label must not go
    labels = []
    paths = {}  # points along each edge: a label must not sit on another edge (a crossing)
    for o, n, k, j, m in _edges(trace):
        a, b = (where[o].x, where[o].y), (where[n].x, where[n].y)
        rad = _rad(a, b, j, m, cards, {o, n})
        lit, passed, edge_colour = _edge_style(n, current, rank, mode, step, colour)
        # the part of the curve between the two units' outlines, as a path of its own
        t0, t1 = _visible(a, b, rad, _outline(where[o]), _outline(where[n]), 0.04)
        control = _blossom(a, b, rad, t0, t1)
        paths[o, n, k] = [_bezier(a, b, rad, t) for t in np.linspace(t0, t1, 25)]
        ends = [_bezier(a, b, rad, t0), _bezier(a, b, rad, t1)]
        if mode == "reverse":  # adjoints flow down: the arrow points at the operand
            ends.reverse()
        arrow = FancyArrowPatch(
            path=Path([ends[0], control, ends[1]], [Path.MOVETO, Path.CURVE3, Path.CURVE3]),
            arrowstyle="-|>",
            mutation_scale=ARROWS[lit][0] * scale,
            linewidth=ARROWS[lit][1] * scale,
            color=edge_colour,
            zorder=2,
            gid=f"edge-{o}-{n}-{k}",
        )
        arrow.set_transform(ax.transData)
        ax.add_artist(arrow)
        if layers is not None:
            layers.arrows[o, n, k] = arrow
        tip, size = ends[1], 0.16
        taken.append((tip[0] - size, tip[1] - size, tip[0] + size, tip[1] + size))
        lines = _edge_lines(trace, notation, o, n, k, j, mode, passed, edge_labels, digits)
        if lines:
            labels.append((lines, (o, n, k), where[o], where[n], rad, lit))
        if layers is not None:
            layers.edges.append((o, n, k, j, where[o], where[n], rad, lit, passed))
    if layers is not None:
        layers.taken, layers.paths = taken, paths
        return _draw_moving(trace, notation, shows, edge_labels, mode, step, digits, fig, ax,
                            cards, caption, (title_h, caption_h, fig_h), layers)
    # labels last, clear of every unit, arrow head and label placed before them
    for lines, key, lower, upper, rad, lit in labels:
        others = [p for edge, points in paths.items() if edge != key for p in points]
        _place_edge_label(ax, lines, key, lower, upper, rad, mode, lit, taken, others, fs, scale)
    return fig


ARROWS = {False: (18, 1.8), True: (24, 4.0)}  # an edge's arrow head and width; lit: True
# the colour of what a sweep has passed (None: no sweep shown)
SWEEP_COLOUR = {"forward": palette.TANGENT, "reverse": palette.ADJOINT, None: palette.EDGE}


def _unit_style(trace, c, colour):
    """(fill, edge colour, line width, text colour) of a unit's box in its state."""
    fill, edge, lw, text_colour = {
        "plain": (palette.UNIT_FILL, palette.EDGE, 1.5, "black"),
        "input": (palette.INPUT_FILL, palette.EDGE, 1.5, "black"),
        "done": (palette.DONE_FILL, colour, 2.0, "black"),
        "current": (palette.HIGHLIGHT, colour, 4.0, "black"),
        "pending": (palette.PENDING_FILL, palette.MUTED, 1.5, "#808080"),
    }[c.state]
    if c.state in ("done", "plain") and trace.unit(c.number).is_input:
        fill = palette.INPUT_FILL
    return fill, edge, lw, text_colour


def _edge_style(n, current, rank, mode, step, colour):
    """(lit, passed, colour) of an edge into unit n: lit at the current step, passed once
    the sweep has reached n."""
    lit = current is not None and n == current
    passed = mode is not None and (step is None or rank[n] <= step)
    return lit, passed, colour if lit or passed else (palette.MUTED if step else palette.EDGE)


def _shape_key(key):
    """A layout key (``_layout_key``) without the step and the units' states."""
    size, title, notation, mode, _step, rank, cards, edges = key
    return size, title, notation, mode, rank, tuple(c[:3] + c[4:] for c in cards), edges


def _restyle(trace, cards, mode, step, rank, layers):
    """The still artists of the same layout, drawn last time, given the units' new states:
    their colours and line widths, as a drawing made anew gives them."""
    colour = SWEEP_COLOUR[mode]
    for c in cards:
        box, name, operation = layers.units[c.number]
        fill, edge, lw, text_colour = _unit_style(trace, c, colour)
        box.set_facecolor(fill)
        box.set_edgecolor(edge)
        box.set_linewidth(lw)
        name.set_color(text_colour)
        operation.set_color(text_colour)
    where = {c.number: c for c in cards}
    current = None if step is None else trace.steps(mode)[step - 1]
    edges = []
    for o, n, k, j, _lower, _upper, rad, _lit, _passed in layers.edges:
        lit, passed, edge_colour = _edge_style(n, current, rank, mode, step, colour)
        arrow = layers.arrows[o, n, k]
        arrow.set_mutation_scale(ARROWS[lit][0])
        arrow.set_linewidth(ARROWS[lit][1])
        arrow.set_color(edge_colour)
        edges.append((o, n, k, j, where[o], where[n], rad, lit, passed))
    layers.edges = edges


def _draw_notes(ax, c, fs, scale):
    """The tag under a unit with its numbers; returns the artists made."""
    from matplotlib.patches import FancyBboxPatch

    if not c.notes:
        return []
    tag = FancyBboxPatch(
        (c.x - c.note_w / 2, c.bottom), c.note_w, c.note_h,
        boxstyle="round,pad=0,rounding_size=0.06",
        facecolor="white", edgecolor=palette.MUTED, linewidth=1.0 * scale,
        zorder=3, gid=f"note-{c.number}",
    )
    made = [ax.add_artist(tag)]
    line_h = (c.note_h - 0.6 * PAD) / len(c.notes)
    for i, (text, text_col) in enumerate(c.notes):
        y = c.y - c.head_h / 2 - 0.3 * PAD - (i + 0.5) * line_h
        muted = c.state == "pending" and text.endswith("?")
        made.append(ax.text(c.x, y, text, ha="center", va="center", fontsize=fs["note"],
                            color=palette.MUTED if muted else text_col, zorder=4,
                            gid=f"note-{c.number}"))
    return made


def _figure_caption(fig, caption, caption_h, fig_h):
    if not caption:
        return None
    return fig.text(0.5, 0.5 * caption_h / fig_h, caption, ha="center", va="center",
                    fontsize=palette.FONT["caption"], gid="caption", linespacing=1.5)


def _layout_key(trace, cards, notation, mode, step, rank, size, title):
    """Everything the still layer of a graph depends on: equal keys, equal pictures."""
    return (
        size, title, notation, mode, step, tuple(sorted(rank.items())),
        tuple((c.number, c.label, c.operation, c.state, c.x, c.y, c.head_w, c.head_h,
               c.note_w, c.note_h, trace.unit(c.number).is_input) for c in cards),
        tuple(_edges(trace)),
    )


def _draw_moving(trace, notation, shows, edge_labels, mode, step, digits, fig, ax, cards,
                 caption, heights, layers):
    """Make the moving layer (tags, numbers, edge labels, caption) into ``layers.moving``."""
    _title_h, caption_h, fig_h = heights
    fs = dict(palette.FONT)
    tags = [_draw_notes(ax, c, fs, 1.0) for c in cards]
    layers.tags = [(made[0], made[1:]) for made in tags if made]
    moving = [a for made in tags for a in made]
    taken = list(layers.taken)
    for o, n, k, j, lower, upper, rad, lit, passed in layers.edges:
        lines = _edge_lines(trace, notation, o, n, k, j, mode, passed, edge_labels, digits)
        if lines:
            others = [p for edge, points in layers.paths.items() if edge != (o, n, k)
                      for p in points]
            moving += _place_edge_label(ax, lines, (o, n, k), lower, upper, rad, mode, lit,
                                        taken, others, fs, 1.0)
    # drawn as the whole figure would draw them: the Axes' artists by zorder, then the caption
    moving.sort(key=lambda a: a.get_zorder())
    caption_text = _figure_caption(fig, caption, caption_h, fig_h)
    layers.moving = moving + ([caption_text] if caption_text is not None else [])
    return fig


def _rect(c):
    return (c.x - c.width / 2, c.bottom, c.x + c.width / 2, c.top)


def _overlap(r, s):
    w = min(r[2], s[2]) - max(r[0], s[0])
    h = min(r[3], s[3]) - max(r[1], s[1])
    return w * h if w > 0 and h > 0 else 0.0


def _edge_lines(trace, notation, o, n, k, j, mode, passed, edge_labels, digits):
    """The partial on an edge, and what the sweep passes along it: (text, colour, weight)."""
    u = trace.unit(n)
    lines = []
    if edge_labels:
        label = _partial_label(trace, u, k, notation)
        if u.partials is not None:
            value = number(u.partials[k], digits)
            if label.strip("$") != value.rstrip("0").rstrip("."):
                label = f"{label} = {value}"
        lines.append((label, palette.EDGE, "normal"))
    if mode is not None and passed:
        if mode == "forward":
            terms = _forward_terms(trace, u)
            value = None if terms is None else terms[k]
            lines.append((number(value, digits), palette.TANGENT, "bold"))
        else:
            mine = [c for c in trace.contributions(o) if c.consumer == n]
            value = mine[j].value if j < len(mine) else None
            lines.append((number(value, digits), palette.ADJOINT, "bold"))
    return lines


LABEL_PAD = 0.12  # inches of an edge label's box around its widest line


def _label_width(lines, size):
    """The width (inches) of an edge label's widest line."""
    return max(_measure(text, size)[0] for text, _c, _w in lines)


def _widest_label(trace, notation, edge_labels, mode, digits):
    """The width (inches, at scale 1) of the widest edge label of a plain graph, or 0.

    A sweep's graph needs none: the notes under its units make its columns wide enough.
    """
    if mode is not None or not edge_labels:
        return 0.0
    widths = [
        _label_width(_edge_lines(trace, notation, o, n, k, j, None, False, True, digits),
                     palette.FONT["edge"]) + LABEL_PAD
        for o, n, k, j, _m in _edges(trace)
    ]
    return max(widths, default=0.0)  # a trace of inputs only has no edges


def _place_edge_label(ax, lines, key, lower, upper, rad, mode, lit, taken, others, fs, scale):
    """Put an edge's label on the visible part of the edge, clear of units, other labels
    and the points ``others`` of other edges (a label on a crossing could belong to either)."""
    a, b = (lower.x, lower.y), (upper.x, upper.y)
    t0, t1 = _visible(a, b, rad, _outline(lower), _outline(upper), 0.0)
    line_h = fs["edge"] * 1.5 / 72 / scale
    w = _label_width(lines, fs["edge"]) / scale + LABEL_PAD
    h = len(lines) * line_h + 0.06
    # nearer the receiving end: the consumer's in forward mode, the operand's in reverse
    # (where crossing edges meet in the middle, a label there could belong to either)
    xs, ys = np.array(others, dtype=float).reshape(-1, 2).T  # every point at once
    order = (0.5, 0.62, 0.38, 0.74, 0.26, 0.86, 0.14)
    if mode == "forward":
        order = (0.76, 0.64, 0.88, 0.52, 0.4, 0.28, 0.16)
    elif mode == "reverse":
        order = (0.24, 0.36, 0.12, 0.48, 0.6, 0.72, 0.84)
    best = None
    for s in order:
        x, y = _bezier(a, b, rad, t0 + s * (t1 - t0))
        box = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
        clash = sum(_overlap(box, r) for r in taken)
        inside = (box[0] < xs) & (xs < box[2]) & (box[1] < ys) & (ys < box[3])
        clash += 0.1 * int(np.count_nonzero(inside))
        if best is None or clash < best[0]:
            best = (clash, x, y, box)
        if clash == 0:
            break
    _clash, x, y, box = best
    taken.append(box)
    top = y + (len(lines) - 1) * line_h / 2
    o, n, k = key
    made = []
    for i, (text, col, weight) in enumerate(lines):
        made.append(ax.text(
            x, top - i * line_h, text, ha="center", va="center", fontsize=fs["edge"],
            color=col, fontweight=weight, zorder=5, gid=f"edge-label-{o}-{n}-{k}",
            bbox={"boxstyle": "round,pad=0.12", "facecolor": "white",
                  "edgecolor": palette.MUTED if lit else "none", "alpha": 0.92}))
    return made


def _title(trace, mode):
    name = trace.function_name
    if mode == "forward":
        seed = trace.input_names[trace.wrt]
        return f"Forward sweep through {name}: tangents d/d{seed} flow up"
    if mode == "reverse":
        return f"Reverse sweep through {name}: adjoints d{name}/dw flow down"
    return f"Computational graph of {name}"


def _caption(trace, notation, mode, step, digits):
    """What the highlighted step computes, written out (plain text: it changes often)."""
    if step is None:
        return ""
    n = trace.steps(mode)[step - 1]
    u = trace.unit(n)
    head = f"Step {step} of {len(trace.units)}: "
    if mode == "forward":
        dot = trace.label(n, notation, "text", "dot")
        formula = trace.tangent_formula(n, notation, "text")
        terms = _forward_terms(trace, u)
        numbers = ""
        if not u.is_input and terms is not None and len(terms) > 1:
            numbers = " = " + _sum_text(terms, u.tangent, digits).rsplit(" = ", 1)[0]
        return f"{head}{dot} = {formula}{numbers} = {number(u.tangent, digits)}"
    bar = trace.label(n, notation, "text", "bar")
    formula = trace.adjoint_formula(n, notation, "text")
    text = f"{head}{bar} = {formula} = {number(u.adjoint, digits)}"
    sends = []
    for o in dict.fromkeys(u.unit_operands):
        values = [c.value for c in trace.contributions(o) if c.consumer == n]
        target = trace.label(o, notation, "text")
        sends.append(f"{' + '.join(number(v, digits) for v in values)} to {target}")
    if sends:
        text += "\nand sends " + ", ".join(sends)
    return text
