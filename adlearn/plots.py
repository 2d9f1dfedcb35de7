"""Plots of a function of two inputs and of its derivatives.

Every derivative drawn here comes from adlearn itself: gradients on a grid from
forward mode (``ad.derivative(f, 0)(X1, X2)`` is elementwise over arrays), the
gradient at a point from reverse mode, the slope along a direction from
``ad.jvp``. Nothing is differentiated by hand.

- :func:`contours`: filled contours of f over a box, the gradient arrow at a
  point, and optionally the gradient field;
- :func:`surface`: f as a 3-D surface, with the tangent plane at a point;
- :func:`directional_slice`: f along a line through a point, with the tangent
  line that forward mode gives;
- :func:`step_size_error`: finite differences (forward and central) against AD,
  error against step size.

Each returns a matplotlib Figure, or draws into the Axes it is given. Points
where f is not defined (``log`` of a negative number) are left blank.

Examples
--------
>>> import numpy as np
>>> from adlearn import plots
>>> fig = plots.contours(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 3.0)
>>> arrow = plots.gradient_arrow(fig.axes[0])
>>> dx, dy = np.subtract(arrow.xy, arrow.xyann)
>>> print(f"{dy / dx:.4f}")  # the gradient (x2 + cos x1, x1) at (2, 3): 2 / 2.5839
0.7740
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings
from dataclasses import dataclass

import numpy as np

from adlearn import palette
from adlearn.forward import derivative, jvp
from adlearn.inputs import input_names
from adlearn.reverse import grad, value_and_grad

__all__ = [
    "Grid",
    "contours",
    "directional_slice",
    "gradient_arrow",
    "grid",
    "step_size_error",
    "surface",
]


class _quiet:
    """Evaluate without numpy's warnings: undefined points become nan and stay blank.

    What f prints, to stdout or stderr, is dropped too: sampling calls f many times,
    and a learner's ``print`` in f would flood the output.
    """

    def __enter__(self):
        self._warnings = warnings.catch_warnings()
        self._warnings.__enter__()
        warnings.simplefilter("ignore")
        self._errstate = np.errstate(all="ignore")
        self._errstate.__enter__()
        self._stdout = contextlib.redirect_stdout(io.StringIO())
        self._stdout.__enter__()
        self._stderr = contextlib.redirect_stderr(io.StringIO())
        self._stderr.__enter__()
        return self

    def __exit__(self, *exc):
        self._stderr.__exit__(*exc)
        self._stdout.__exit__(*exc)
        self._errstate.__exit__(*exc)
        self._warnings.__exit__(*exc)
        return False


def _check_point(where, x1, x2):
    for name, v in (("x1", x1), ("x2", x2)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError(f"{where}: {name} must be a number, got {type(v).__name__} ({v!r})")
    return float(x1), float(x2)


def _check_box(where, box):
    try:
        lo1, hi1, lo2, hi2 = (float(b) for b in box)
    except (TypeError, ValueError):
        raise TypeError(
            f"{where}: box must be four numbers (x1_min, x1_max, x2_min, x2_max), got {box!r}"
        ) from None
    if not (lo1 < hi1 and lo2 < hi2):
        raise ValueError(f"{where}: box {box!r} must have x1_min < x1_max and x2_min < x2_max")
    return lo1, hi1, lo2, hi2


def evaluate(f, X1, X2):
    """f at every point of arrays X1, X2, as a float array (nan where undefined).

    f is called once on the whole arrays; a function that cannot take arrays
    (one that uses ``math.sin`` or ``if``) is called point by point instead.

    Examples
    --------
    >>> evaluate(lambda x1, x2: np.log(x1) + x2, np.array([1.0, -1.0]), np.array([2.0, 2.0]))
    array([ 2., nan])
    """
    with _quiet():
        try:
            out = np.asarray(f(X1, X2), dtype=float)
        except Exception:  # noqa: BLE001 (any failure: try point by point)
            out = None
        if out is not None and out.shape == np.shape(X1):
            return out
        return _pointwise(lambda a, b: float(f(a, b)), X1, X2)


def _pointwise(g, X1, X2):
    out = np.empty(np.shape(X1))
    for i, (a, b) in enumerate(zip(np.ravel(X1), np.ravel(X2))):
        try:
            out.flat[i] = g(float(a), float(b))
        except Exception:  # noqa: BLE001 (undefined there: left blank)
            out.flat[i] = np.nan
    return out


def gradient_at(f, x1, x2):
    """The gradient of f at a point (reverse mode), nan where it cannot be computed.

    Examples
    --------
    >>> g = gradient_at(lambda x1, x2: x1 * x2 + np.sin(x1), 0.0, 3.0)
    >>> [float(v) for v in g]
    [4.0, 0.0]
    """
    with _quiet():
        try:
            return np.array([float(v) for v in grad(f, argnums=(0, 1))(float(x1), float(x2))])
        except Exception:  # noqa: BLE001 (undefined there)
            return np.array([np.nan, np.nan])


def gradients(f, X1, X2):
    """df/dx1 and df/dx2 at every point of arrays X1, X2 (forward mode, elementwise)."""
    with _quiet():
        try:
            G1 = np.asarray(derivative(f, 0)(X1, X2), dtype=float)
            G2 = np.asarray(derivative(f, 1)(X1, X2), dtype=float)
        except Exception:  # noqa: BLE001 (any failure: point by point)
            G1 = G2 = None
        if G1 is not None and G1.shape == np.shape(X1) and G2.shape == np.shape(X1):
            return G1, G2
        G1 = _pointwise(lambda a, b: float(derivative(f, 0)(a, b)), X1, X2)
        G2 = _pointwise(lambda a, b: float(derivative(f, 1)(a, b)), X1, X2)
        return G1, G2


@dataclass(frozen=True)
class Grid:
    """f and its gradient sampled over a box, computed once and drawn many times."""

    box: tuple
    X1: np.ndarray
    X2: np.ndarray
    F: np.ndarray
    G1: np.ndarray
    G2: np.ndarray
    names: tuple

    @property
    def typical_gradient(self) -> float:
        """The 90th percentile of ``|grad f|`` over the box (where f is defined)."""
        norms = np.hypot(self.G1, self.G2)
        norms = norms[np.isfinite(norms) & np.isfinite(self.F)]
        return float(np.percentile(norms, 90)) if norms.size else 0.0

    @property
    def arrow_scale(self) -> float:
        """Data units of arrow per unit of gradient: a typical gradient is 28% of the box.

        The same scale at every point, so a longer arrow is a larger gradient.
        """
        size = min(self.box[1] - self.box[0], self.box[3] - self.box[2])
        typical = self.typical_gradient
        return 0.28 * size / typical if typical > 0 else 1.0

    @property
    def arrow_limit(self) -> float:
        """The longest arrow drawn, in data units (longer ones keep their direction)."""
        return 0.45 * min(self.box[1] - self.box[0], self.box[3] - self.box[2])


def grid(f, box=(-4.0, 4.0, -4.0, 4.0), n=101) -> Grid:
    """Sample f and its gradient on an n-by-n grid over ``box = (x1_min, x1_max, x2_min, x2_max)``.

    Examples
    --------
    >>> g = grid(lambda x1, x2: x1 * x2, (0, 1, 0, 2), n=3)
    >>> g.F
    array([[0. , 0. , 0. ],
           [0. , 0.5, 1. ],
           [0. , 1. , 2. ]])
    >>> float(g.G1[2, 1])  # df/dx1 = x2 at (0.5, 2)
    2.0
    """
    lo1, hi1, lo2, hi2 = _check_box("grid", box)
    if not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"grid: n must be an int >= 2, got {n!r}")
    X1, X2 = np.meshgrid(np.linspace(lo1, hi1, n), np.linspace(lo2, hi2, n))
    sampled = _on_arrays(f, X1, X2)
    if sampled is None:
        # f cannot take arrays (an `if` on a value, math.sin): one call per point, on a
        # coarser grid, value and gradient from one reverse sweep (not 3 n^2 calls)
        n = min(n, POINTWISE_N)
        X1, X2 = np.meshgrid(np.linspace(lo1, hi1, n), np.linspace(lo2, hi2, n))
        sampled = _point_by_point(f, X1, X2)
    return Grid((lo1, hi1, lo2, hi2), X1, X2, *sampled, input_names(f))


POINTWISE_N = 41  # grid points per side for a function sampled point by point


def _on_arrays(f, X1, X2):
    """(F, G1, G2) from three calls of f on the whole arrays, or None if f cannot take them."""
    shape = np.shape(X1)
    with _quiet():
        try:
            F = np.asarray(f(X1, X2), dtype=float)
            G1 = np.asarray(derivative(f, 0)(X1, X2), dtype=float)
            G2 = np.asarray(derivative(f, 1)(X1, X2), dtype=float)
        except Exception:  # noqa: BLE001 (any failure: point by point)
            return None
    return (F, G1, G2) if F.shape == G1.shape == G2.shape == shape else None


def _point_by_point(f, X1, X2):
    """(F, G1, G2), one reverse sweep per point; nan where f or its gradient fails."""
    F, G1, G2 = (np.full(np.shape(X1), np.nan) for _ in range(3))
    sweep = value_and_grad(f, argnums=(0, 1))
    with _quiet():
        for i, (a, b) in enumerate(zip(X1.flat, X2.flat)):
            try:
                value, (g1, g2) = sweep(float(a), float(b))
                F.flat[i], G1.flat[i], G2.flat[i] = float(value), float(g1), float(g2)
            except Exception:  # noqa: BLE001 (no gradient there: the value alone, if any)
                with contextlib.suppress(Exception):
                    F.flat[i] = float(f(float(a), float(b)))
    return F, G1, G2


def _default_box(x1, x2, half=3.0):
    return (x1 - half, x1 + half, x2 - half, x2 + half)


# Contour levels stay within +-LEVEL_LIMIT: matplotlib colours what lies beyond the
# levels with extra levels at +-1e250, and the spans of values near the largest float
# (1.8e308) overflow. Values beyond it take the colour of the end of the colour bar.
LEVEL_LIMIT = 1e200


def _levels(F, count):
    """Round contour levels spanning the 1st to 99th percentile of f (outliers: extend)."""
    from matplotlib.ticker import MaxNLocator

    finite = np.clip(F[np.isfinite(F)], -LEVEL_LIMIT, LEVEL_LIMIT)
    if finite.size == 0:
        return None
    lo, hi = np.percentile(finite, [1, 99])
    if not hi > lo:
        lo, hi = lo - _pad(lo), hi + _pad(hi)
    return MaxNLocator(nbins=count).tick_values(lo, hi)


def _pad(v):
    """Room either side of a single value v: 1, or more where 1 is lost in rounding v."""
    return max(1.0, 1e-3 * abs(v))


NOTHING_FINITE = "f is not finite anywhere in this box"


def _axes(ax, figsize, projection=None):
    if ax is not None:
        return ax.figure, ax
    fig = palette.figure(figsize, layout="constrained")
    return fig, fig.add_subplot(projection=projection)


def _fmt(v, digits=3):
    from adlearn.graph import number

    return number(v, digits)


def draw_contours(ax, g: Grid, levels=15, colorbar=True):
    """Filled contours of a :class:`Grid` (and thin contour lines) into ``ax``."""
    # undefined points blank; huge ones cut to just past the levels, where they draw alike
    F = np.ma.clip(np.ma.masked_invalid(g.F), -10 * LEVEL_LIMIT, 10 * LEVEL_LIMIT)
    lv = _levels(g.F, levels)
    fill = None
    if lv is not None:
        fill = ax.contourf(g.X1, g.X2, F, levels=lv, cmap=palette.CMAP, extend="both")
        ax.contour(g.X1, g.X2, F, levels=lv, colors="white", linewidths=0.6, alpha=0.5,
                   linestyles="solid")
    else:  # nothing to colour: say so, rather than leave a blank square
        ax.text(0.5, 0.5, NOTHING_FINITE, transform=ax.transAxes, ha="center", va="center",
                wrap=True, fontsize=palette.FONT["note"], gid="nothing-finite")
    ax.set_xlim(g.box[0], g.box[1])
    ax.set_ylim(g.box[2], g.box[3])
    ratio = (g.box[3] - g.box[2]) / (g.box[1] - g.box[0])
    if 1 / 3 <= ratio <= 3:
        ax.set_aspect("equal")
    ax.set_xlabel(g.names[0])
    ax.set_ylabel(g.names[1])
    ax.set_facecolor("#E6E6E6")  # where f is undefined
    if colorbar and fill is not None:
        bar = ax.figure.colorbar(fill, ax=ax, shrink=0.9)
        bar.set_label(f"f({g.names[0]}, {g.names[1]})")
    return fill


def draw_field(ax, g: Grid, count=15):
    """The gradient field of a :class:`Grid`, as arrows on a coarse grid.

    A typical gradient fills 80% of a cell; longer arrows are cut to a cell and
    keep their direction. Where f is undefined no arrow is drawn.
    """
    n = g.X1.shape[0]
    stride = max(1, round(n / count))
    sl = (slice(stride // 2, None, stride), slice(stride // 2, None, stride))
    cell = stride * min(g.box[1] - g.box[0], g.box[3] - g.box[2]) / (n - 1)
    typical = g.typical_gradient
    scale = 0.8 * cell / typical if typical > 0 else 1.0
    U, V = g.G1[sl] * scale, g.G2[sl] * scale
    length = np.hypot(U, V)
    with _quiet():
        shrink = np.where(length > cell, cell / length, 1.0)
    ok = np.isfinite(U) & np.isfinite(V) & np.isfinite(g.F[sl])
    return ax.quiver(
        g.X1[sl][ok], g.X2[sl][ok], (U * shrink)[ok], (V * shrink)[ok],
        angles="xy", scale_units="xy", scale=1.0, color="white", alpha=0.85,
        width=0.004, headwidth=4, gid="gradient-field",
    )


def draw_gradient(ax, g: Grid, x1, x2, gradient, digits=3):
    """The point and its gradient arrow (scaled as the grid's field); returns the arrow.

    The arrow is drawn on the grid's scale (a longer arrow is a larger
    gradient), cut to 45% of the box if longer. It is an Annotation with gid ``"gradient"`` from ``xyann`` (the
    point) to ``xy`` (its head); a gradient that is zero or not finite draws
    no arrow, and returns None.
    """
    from matplotlib import patheffects

    ax.plot([x1], [x2], "o", markersize=10, markerfacecolor="white",
            markeredgecolor="black", markeredgewidth=1.5, zorder=6, gid="point")
    g1, g2 = gradient
    if not (np.isfinite(g1) and np.isfinite(g2)) or (g1 == 0 and g2 == 0):
        return None
    dx, dy = g1 * g.arrow_scale, g2 * g.arrow_scale
    length = math.hypot(dx, dy)
    if length > g.arrow_limit:
        dx, dy = dx * g.arrow_limit / length, dy * g.arrow_limit / length
    arrow = ax.annotate(
        "", xy=(x1 + dx, x2 + dy), xytext=(x1, x2),
        arrowprops={"arrowstyle": "-|>,head_length=0.8,head_width=0.45",
                    "color": palette.GRADIENT, "lw": 3.5, "shrinkA": 0, "shrinkB": 0,
                    "path_effects": [patheffects.withStroke(linewidth=6, foreground="white")]},
        zorder=7, gid="gradient",
    )
    arrow.arrow_patch.set_clip_box(ax.bbox)  # an arrow leaving the box is cut at its edge
    return arrow


def gradient_arrow(ax):
    """The gradient arrow drawn in ``ax`` (an Annotation), or None."""
    for child in ax.get_children():
        if child.get_gid() == "gradient":
            return child
    return None


def contours(
    f, x1=2.0, x2=3.0, *, box=None, field=False, levels=15, n=101, ax=None, title=None,
    digits=3,
):
    """Filled contours of f over a box, with the gradient arrow at (x1, x2).

    Parameters
    ----------
    f : callable
        A function of two inputs, written with operators and numpy.
    x1, x2 : float
        The point where the gradient arrow starts.
    box : (x1_min, x1_max, x2_min, x2_max), optional
        The region drawn; by default 3 either side of the point.
    field : bool
        Also draw the gradient field (white arrows, on the same scale).
    levels : int
        Number of contour levels.
    n : int
        Grid points per side.
    ax : matplotlib Axes, optional
        Draw into it; by default a new figure.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> fig = contours(lambda x1, x2: x1 * x2 + np.sin(x1), field=True)
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()
    ('x1', 'x2')
    """
    x1, x2 = _check_point("contours", x1, x2)
    g = grid(f, _default_box(x1, x2) if box is None else box, n)
    with palette.style():
        fig, ax = _axes(ax, (7.2, 6.0))
        draw_contours(ax, g, levels)
        if field:
            draw_field(ax, g)
        gradient = gradient_at(f, x1, x2)
        if not np.isfinite(evaluate(f, np.array(x1), np.array(x2))):
            gradient = np.array([np.nan, np.nan])  # no arrow where f is not defined
        draw_gradient(ax, g, x1, x2, gradient)
        ax.set_title(_gradient_title(g, x1, x2, gradient, digits) if title is None else title)
    return fig


def _gradient_title(g, x1, x2, gradient, digits=3):
    if not np.all(np.isfinite(gradient)):
        return f"f or its gradient is not finite at ({_fmt(x1, 2)}, {_fmt(x2, 2)})"
    return (
        f"f and its gradient: ∇f({_fmt(x1, 2)}, {_fmt(x2, 2)}) = "
        f"({_fmt(gradient[0], digits)}, {_fmt(gradient[1], digits)})"
    )


def surface(f, x1=2.0, x2=3.0, *, box=None, n=61, tangent_plane=True, ax=None, title=None):
    """f as a 3-D surface over a box, with the point and its tangent plane.

    The plane ``f(p) + grad f(p) . (x - p)`` is drawn from the gradient adlearn
    computes; it touches the surface at the point.

    Examples
    --------
    >>> import numpy as np
    >>> fig = surface(lambda x1, x2: x1 * x2 + np.sin(x1))
    >>> fig.axes[0].name
    '3d'
    """
    x1, x2 = _check_point("surface", x1, x2)
    g = grid(f, _default_box(x1, x2) if box is None else box, n)
    with palette.style():
        fig, ax = _axes(ax, (8.0, 6.4), projection="3d")
        F = np.where(np.isfinite(g.F), g.F, np.nan)
        finite = g.F[np.isfinite(g.F)]
        if finite.size:  # keep a pole (log at 0) from flattening the rest
            lo, hi = np.percentile(finite, [1, 99])
            F = np.clip(F, lo - 0.25 * (hi - lo), hi + 0.25 * (hi - lo))
        ax.computed_zorder = False  # the plane and the point stay in front of the surface
        ax.plot_surface(g.X1, g.X2, F, cmap=palette.CMAP, alpha=0.9, linewidth=0,
                        antialiased=True, rstride=1, cstride=1, zorder=1)
        value = float(evaluate(f, np.array(x1), np.array(x2)))
        gradient = gradient_at(f, x1, x2)
        if tangent_plane and np.all(np.isfinite(gradient)) and math.isfinite(value):
            half = 0.2 * min(g.box[1] - g.box[0], g.box[3] - g.box[2])
            P1, P2 = np.meshgrid(np.linspace(x1 - half, x1 + half, 2),
                                 np.linspace(x2 - half, x2 + half, 2))
            plane = value + gradient[0] * (P1 - x1) + gradient[1] * (P2 - x2)
            ax.plot_surface(P1, P2, plane, color=palette.GRADIENT, alpha=0.7, shade=False,
                            zorder=2, gid="tangent-plane")
        if math.isfinite(value):
            ax.scatter([x1], [x2], [value], s=70, color="black", depthshade=False, zorder=3)
        ax.set_xlabel(g.names[0], labelpad=10)
        ax.set_ylabel(g.names[1], labelpad=10)
        ax.set_zlabel(f"f({g.names[0]}, {g.names[1]})", labelpad=10)
        ax.set_title(
            f"f over the box, tangent plane at ({_fmt(x1, 2)}, {_fmt(x2, 2)})"
            if title is None else title
        )
    return fig


def direction(angle_degrees):
    """The unit vector at ``angle_degrees`` from the x1 axis.

    Examples
    --------
    >>> [round(float(c), 6) for c in direction(90)]
    [0.0, 1.0]
    """
    a = math.radians(float(angle_degrees))
    return np.array([math.cos(a), math.sin(a)])


@dataclass(frozen=True)
class Slice:
    """f along the line p + t u, and its tangent line at t = 0 (forward mode)."""

    t: np.ndarray
    values: np.ndarray
    value: float  # f(p)
    slope: float  # the directional derivative grad f(p) . u, from one jvp
    u: np.ndarray

    @property
    def tangent(self) -> np.ndarray:
        with np.errstate(all="ignore"):  # a huge or undefined slope: inf or nan, not drawn
            return self.value + self.slope * self.t


def slice_along(f, x1, x2, u, radius=2.0, n=201) -> Slice:
    """f along the line through (x1, x2) in direction u, with its slope there (``ad.jvp``).

    Examples
    --------
    >>> s = slice_along(lambda x1, x2: x1 * x2, 2.0, 3.0, direction(0))
    >>> s.slope  # d/dt of (2 + t) * 3
    3.0
    """
    u = np.asarray(u, dtype=float)
    t = np.linspace(-radius, radius, n)
    values = evaluate(f, x1 + t * u[0], x2 + t * u[1])
    with _quiet():
        try:
            value, slope = jvp(f, (float(x1), float(x2)), (float(u[0]), float(u[1])))
            value, slope = float(value), float(slope)
        except Exception:  # noqa: BLE001 (undefined there)
            value, slope = math.nan, math.nan
    return Slice(t, values, value, slope, u)


def draw_slice(ax, s: Slice, names=("x1", "x2"), digits=3):
    """Draw a :class:`Slice` and its tangent line into ``ax``; returns (curve, tangent)."""
    (curve,) = ax.plot(s.t, s.values, color=palette.TANGENT, lw=2.5, label="f along the line",
                       gid="slice")
    (line,) = ax.plot(s.t, s.tangent, color=palette.GRADIENT, lw=2.5, ls="--",
                      label=f"tangent line, slope {_fmt(s.slope, digits)}", gid="tangent-line")
    ax.plot([0], [s.value], "o", color="black", markersize=8, zorder=5, gid="slice-point")
    ax.set_xlabel("t (distance along u)")
    ax.set_ylabel(f"f({names[0]} + t·u₁, {names[1]} + t·u₂)")
    ax.axvline(0, color=palette.MUTED, lw=1, zorder=0)
    _slice_limits(ax, s)
    ax.legend(loc="upper left", framealpha=0.9)
    return curve, line


def _slice_limits(ax, s: Slice, round_numbers=False):
    """Limits around the finite part of the slice, with a margin.

    ``round_numbers``: the y-limits widened to the next ticks out (a margin of half the
    plain one, as the ticks add room): the same limits, ticks and labels for every slice
    between the same ticks, so that an explorer can keep its frame while f moves within it.
    """
    # limits within +-1e306, so that their span and padding fit in a float (< 1.8e308)
    finite = np.clip(s.values[np.isfinite(s.values)], -1e306, 1e306)
    if finite.size:
        lo, hi = float(finite.min()), float(finite.max())
        pad = 0.1 * (hi - lo) if hi > lo else _pad(lo)
        if round_numbers:
            lo, hi = _round_out(ax.yaxis.get_major_locator(), lo - pad / 2, hi + pad / 2)
            ax.set_ylim(lo, hi)
        else:
            ax.set_ylim(lo - pad, hi + pad)
    else:  # nothing finite to fit: the same limits whatever the slice before was
        ax.set_ylim(-1.0, 1.0)
    ax.set_xlim(s.t[0], s.t[-1])


def _round_out(locator, lo, hi):
    """(lo, hi) widened to multiples of the step between the ticks ``locator`` puts there.

    Examples
    --------
    >>> from matplotlib.ticker import MaxNLocator
    >>> _round_out(MaxNLocator(8, steps=[1, 2, 2.5, 5, 10]), -0.83, 2.31)  # ticks 0.5 apart
    (-1.0, 2.5)
    """
    ticks = locator.tick_values(lo, hi)
    if len(ticks) < 2 or not ticks[1] > ticks[0]:
        return lo, hi
    step = float(ticks[1] - ticks[0])
    # written to 12 digits: 3 * 0.2 is 0.6, not 0.6000000000000001
    low = float(f"{math.floor(lo / step + 1e-9) * step:.12g}")
    high = float(f"{math.ceil(hi / step - 1e-9) * step:.12g}")
    return (low, high) if math.isfinite(low) and math.isfinite(high) and low < high else (lo, hi)


def directional_slice(
    f, x1=2.0, x2=3.0, *, angle=30.0, u=None, radius=2.0, ax=None, title=None, digits=3
):
    """f along a line through (x1, x2), with the tangent line that forward mode gives.

    The line is ``(x1, x2) + t u`` with ``u = (cos angle, sin angle)`` (angle in
    degrees from the x1 axis), or the unit vector along ``u`` when given. The
    tangent line's slope is the directional derivative ``grad f . u``, computed
    by one forward sweep (``ad.jvp``) seeded with u.

    Examples
    --------
    >>> import numpy as np
    >>> fig = directional_slice(lambda x1, x2: x1 * x2 + np.sin(x1), angle=90)
    >>> print(fig.axes[0].get_title())
    f along u = (0.000, 1.000), angle 90°
    slope ∇f·u = 2.000 (one forward sweep)
    """
    x1, x2 = _check_point("directional_slice", x1, x2)
    if u is None:
        u = direction(angle)
        what = f"angle {float(angle):g}°"
    else:
        u = np.asarray(u, dtype=float)
        if u.shape != (2,) or not np.all(np.isfinite(u)) or not np.any(u):
            raise ValueError(f"directional_slice: u must be two finite numbers, not both 0; "
                             f"got {u!r}")
        u = u / np.hypot(*u)
        what = f"angle {math.degrees(math.atan2(u[1], u[0])):.1f}°"
    s = slice_along(f, x1, x2, u, radius)
    with palette.style():
        fig, ax = _axes(ax, (7.2, 5.4))
        draw_slice(ax, s, input_names(f), digits)
        ax.set_title(
            f"f along u = ({_fmt(u[0], digits)}, {_fmt(u[1], digits)}), {what}\n"
            f"slope ∇f·u = {_fmt(s.slope, digits)} (one forward sweep)" if title is None else title
        )
    return fig


def finite_difference_errors(f, x1=2.0, x2=3.0, *, argnum=0, steps=None, exact=None):
    """Errors of forward and central differences, and of AD, against the exact derivative.

    ``exact`` is the true df/dx_argnum at the point (a number, or a function of
    x1 and x2); without it, AD's value is the reference (AD is exact up to
    rounding, which the plot shows as ``eps * |df|``).

    Returns
    -------
    dict with ``steps``, ``forward``, ``central`` (error arrays), ``ad`` (error),
    ``reference`` and ``ad_value``.

    Examples
    --------
    >>> import numpy as np
    >>> e = finite_difference_errors(lambda x1, x2: x1 * x2 + np.sin(x1),
    ...                              exact=lambda x1, x2: x2 + np.cos(x1))
    >>> bool(e["ad"] < 1e-14), bool(e["forward"].min() > 1e-10)
    (True, True)
    """
    x1, x2 = _check_point("step_size_error", x1, x2)
    if argnum not in (0, 1):
        raise ValueError(f"step_size_error: argnum must be 0 or 1, got {argnum!r}")
    steps = np.logspace(-16, 0, 65) if steps is None else np.asarray(steps, dtype=float)
    point = np.array([x1, x2])
    e = np.zeros(2)
    e[argnum] = 1.0
    with _quiet():
        ad_value = float(derivative(f, argnum)(x1, x2))
        if exact is None:
            reference = ad_value
            ad_error = np.finfo(float).eps * max(abs(ad_value), 1e-300)
        else:
            reference = float(exact(x1, x2) if callable(exact) else exact)
            ad_error = abs(ad_value - reference)
        f0 = float(f(*point))
        forward = np.array([(float(f(*(point + h * e))) - f0) / h for h in steps])
        central = np.array(
            [(float(f(*(point + h * e))) - float(f(*(point - h * e)))) / (2 * h) for h in steps]
        )
    return {
        "steps": steps,
        "forward": np.abs(forward - reference),
        "central": np.abs(central - reference),
        "ad": ad_error,
        "reference": reference,
        "ad_value": ad_value,
        "exact_given": exact is not None,
    }


def step_size_error(
    f, x1=2.0, x2=3.0, *, argnum=0, steps=None, exact=None, ax=None, title=None
):
    """Error against step size: forward and central differences versus AD.

    Finite differences trade truncation error (large h) for rounding error
    (small h), so each has a best step and never gets below it; AD has no step
    and is exact up to rounding. Errors that are exactly zero are drawn at
    1e-18 (a log axis has no zero).

    Examples
    --------
    >>> import numpy as np
    >>> fig = step_size_error(lambda x1, x2: x1 * x2 + np.sin(x1))
    >>> fig.axes[0].get_xscale(), fig.axes[0].get_yscale()
    ('log', 'log')
    """
    e = finite_difference_errors(f, x1, x2, argnum=argnum, steps=steps, exact=exact)
    floor = 1e-18
    names = input_names(f)
    with palette.style():
        fig, ax = _axes(ax, (7.6, 7.4))
        h = e["steps"]
        for key, label, colour, marker in (
            ("forward", "forward difference (f(x+h) - f(x)) / h", palette.OKABE_ITO["orange"],
             "o"),
            ("central", "central difference (f(x+h) - f(x-h)) / 2h",
             palette.OKABE_ITO["sky blue"], "s"),
        ):
            err = np.maximum(e[key], floor)
            finite = np.where(np.isfinite(e[key]), e[key], np.inf)
            best = int(np.argmin(finite))
            ax.loglog(h, err, marker=marker, markersize=4, lw=2, color=colour, gid=key,
                      label=f"{label}\n    best h ≈ {h[best]:.0e}, error {err[best]:.0e}")
            ax.plot([h[best]], [err[best]], marker=marker, markersize=12, color=colour,
                    markeredgecolor="black", zorder=5)
        if e["exact_given"]:
            label = f"AD, no step: error {e['ad']:.0e}" if e["ad"] else "AD, no step: error 0"
        else:
            label = "AD, no step: exact up to rounding (ε·|df|)"
        ax.axhline(max(e["ad"], floor), color=palette.OKABE_ITO["bluish green"], lw=3,
                   label=label, gid="ad")
        ax.set_xlabel("step size h")
        ax.set_ylabel(f"|error| of df/d{names[argnum]}")
        ax.set_ylim(floor / 3, None)
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=12, ncols=1,
                  frameon=False)
        ax.set_title(
            f"df/d{names[argnum]} at ({_fmt(x1, 2)}, {_fmt(x2, 2)}): "
            "finite differences against AD" if title is None else title
        )
    return fig
