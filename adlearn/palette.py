"""Colours and type sizes shared by every figure of the course.

The colours are Okabe and Ito's palette, chosen to stay distinct under the
common forms of colour blindness; filled contours use ``viridis``, which is
ordered in lightness and safe as well. Fonts are sized to be read on a
projector. Nothing here imports matplotlib, so ``import adlearn`` stays fast.

Examples
--------
>>> from adlearn import palette
>>> palette.TANGENT, palette.ADJOINT
('#0072B2', '#D55E00')
>>> palette.RC["font.size"] >= 12
True
"""

from __future__ import annotations

__all__ = [
    "ADJOINT",
    "CMAP",
    "DONE_FILL",
    "EDGE",
    "FONT",
    "GRADIENT",
    "HIGHLIGHT",
    "INPUT_FILL",
    "INSTALL_HINT",
    "MUTED",
    "OKABE_ITO",
    "PENDING_FILL",
    "RC",
    "TANGENT",
    "UNIT_FILL",
    "VALUE",
    "figure",
    "require_ipywidgets",
    "require_matplotlib",
    "style",
]

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}

TANGENT = OKABE_ITO["blue"]  # forward mode: tangents flow up
ADJOINT = OKABE_ITO["vermillion"]  # reverse mode: adjoints flow down
HIGHLIGHT = OKABE_ITO["yellow"]  # the unit computed at the current step
GRADIENT = OKABE_ITO["vermillion"]  # gradient arrows and tangent lines
VALUE = OKABE_ITO["black"]
EDGE = "#4D4D4D"  # an edge of the graph
MUTED = "#B3B3B3"  # what a sweep has not reached yet
UNIT_FILL = "#FFFFFF"
INPUT_FILL = "#DCEFFA"  # a light tint of sky blue
DONE_FILL = "#FFFFFF"
PENDING_FILL = "#F2F2F2"
CMAP = "viridis"

# one size per role, in points
FONT = {
    "title": 16,
    "label": 17,  # a unit's name, w^1_2
    "operation": 13,
    "note": 13,  # a value, tangent or adjoint under a unit
    "edge": 12,
    "caption": 13,
    "axis": 14,
    "tick": 12,
}

RC = {
    "font.size": 13,
    "axes.titlesize": FONT["title"],
    "axes.labelsize": FONT["axis"],
    "xtick.labelsize": FONT["tick"],
    "ytick.labelsize": FONT["tick"],
    "legend.fontsize": 12,
    "figure.titlesize": FONT["title"],
    "mathtext.fontset": "dejavusans",
    "savefig.dpi": 100,
}


INSTALL_HINT = 'pip install "adlearn[course]"'


def _require(module, what):
    """The module, or an ImportError that says ``what`` needs it and which extra installs it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"{what} needs {module}, part of adlearn's course extra: {INSTALL_HINT}",
            name=module,
        ) from error


def require_matplotlib():
    """matplotlib, or an ImportError that says which extra installs it."""
    return _require("matplotlib", "drawing")


def require_ipywidgets():
    """ipywidgets, or an ImportError that says which extra installs it."""
    return _require("ipywidgets", "an explorer")


def style():
    """A context in which matplotlib draws in the course's style.

    Wrap the whole drawing in it: fonts are read when an artist is made.
    """
    matplotlib = require_matplotlib()
    from cycler import cycler

    settings = dict(RC)
    settings["axes.prop_cycle"] = cycler(
        color=[OKABE_ITO[k] for k in ("blue", "vermillion", "bluish green", "orange", "sky blue")]
    )
    return matplotlib.rc_context(settings)


def figure(figsize, *, pyplot: bool = True, **kw):
    """A new figure of the course's style.

    With ``pyplot=True`` the figure comes from pyplot (so that a notebook shows
    it once when a cell returns it) and is closed at once: it is not kept in
    pyplot's list of open figures, and nothing is shown twice or leaked. With
    ``pyplot=False`` it is a bare Agg figure, for rendering to PNG bytes.
    """
    require_matplotlib()
    if pyplot:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=figsize, **kw)
        plt.close(fig)
        return fig
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, **kw)
    FigureCanvasAgg(fig)
    return fig
