"""Pictures of a network in training: its decision boundary, its loss curve, an explorer.

- :func:`decision_boundary` shades the plane by the network's probability of
  class 1 and draws the boundary where it is 1/2, over the data points;
- :func:`loss_curve` draws the loss against the step, on a log scale;
- :func:`explore_training` is both, with a slider for the training step and one
  for the learning rate: move the step and watch the boundary bend around the
  moons; move the learning rate and see training crawl, run, or jump about.

matplotlib and ipywidgets are imported here, not by ``import adlearn``.

Examples
--------
>>> from adlearn import network, network_plots
>>> from adlearn.datasets import two_moons
>>> X, y = two_moons(n=40)
>>> ax = network_plots.decision_boundary(network.init_params([2, 4, 1]), X, y)
>>> ax.get_xlabel(), ax.get_ylabel()
('x1', 'x2')
"""

from __future__ import annotations

import numpy as np

from adlearn import network, palette

__all__ = [
    "CLASS_COLOURS",
    "decision_boundary",
    "draw_points",
    "draw_probability",
    "explore_training",
    "loss_curve",
]

#: class 0 and class 1: Okabe and Ito's blue and orange (tangent and adjoint keep their own)
CLASS_COLOURS = (palette.OKABE_ITO["sky blue"], palette.OKABE_ITO["orange"])
LEARNING_RATES = (0.05, 0.2, 0.5, 1.0, 3.0, 10.0)


def _box(X, pad=0.5):
    lo = X.min(axis=0) - pad
    hi = X.max(axis=0) + pad
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def _class_map():
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("classes", [CLASS_COLOURS[0], "#FFFFFF",
                                                         CLASS_COLOURS[1]])


def _check_data(where, X, y):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (X.shape[0],):
        raise ValueError(
            f"{where}: X must have shape (n, 2) and y shape (n,), got {X.shape} and {y.shape}"
        )
    return X, y


def draw_probability(ax, params, box, n=121, predict=network.predict) -> list:
    """Shade ``box`` by P(class 1) = sigmoid(z) and draw the boundary z = 0; return the artists."""
    x1_min, x1_max, x2_min, x2_max = box
    G1, G2 = np.meshgrid(np.linspace(x1_min, x1_max, n), np.linspace(x2_min, x2_max, n))
    with np.errstate(over="ignore", invalid="ignore"):
        z = np.asarray(predict(params, np.column_stack([G1.ravel(), G2.ravel()]))).reshape(G1.shape)
        p = np.nan_to_num(1.0 / (1.0 + np.exp(-z)), nan=0.5)
    artists = [ax.imshow(p, origin="lower", extent=box, cmap=_class_map(), vmin=0.0, vmax=1.0,
                         alpha=0.75, interpolation="bilinear", aspect="auto")]
    if p.min() < 0.5 < p.max():
        lines = ax.contour(G1, G2, p, levels=[0.5], colors=palette.VALUE, linewidths=2.5)
        artists.append(lines)
    return artists


def draw_points(ax, X, y) -> list:
    """The data points: class 0 as blue circles, class 1 as orange triangles."""
    return [
        ax.scatter(*X[y == label].T, s=28, marker=marker, color=CLASS_COLOURS[label],
                   edgecolors=palette.VALUE, linewidths=0.7, label=f"class {label}", zorder=3)
        for label, marker in ((0, "o"), (1, "^"))
    ]


def decision_boundary(params, X, y, *, ax=None, box=None, n=121, title=None,
                      predict=network.predict):
    """Shade the plane by P(class 1) = sigmoid(z) and draw the boundary z = 0 over the data.

    Parameters
    ----------
    params : list of arrays
        The network's parameters, as :func:`adlearn.network.init_params` makes them.
    X, y : arrays of shapes (n, 2) and (n,)
        The points and their labels (0 or 1).
    ax : matplotlib Axes, optional
        Where to draw (a new figure when None).
    box : (x1_min, x1_max, x2_min, x2_max), optional
        The region shaded (the data's extent plus a margin when None).
    n : int
        Grid points per side.
    title : str, optional
    predict : callable
        ``predict(params, points)`` giving the logits (the package's network by default).

    Returns
    -------
    matplotlib Axes
    """
    X, y = _check_data("decision_boundary", X, y)
    with palette.style():
        if ax is None:
            fig = palette.figure((6.4, 5.0))
            ax = fig.add_subplot()
        box = box or _box(X)
        draw_probability(ax, params, box, n, predict)
        draw_points(ax, X, y)
        ax.set(xlim=box[:2], ylim=box[2:], xlabel="x1", ylabel="x2")
        ax.set_aspect("equal")
        if title:
            ax.set_title(title)
        ax.legend(loc="lower left", framealpha=0.9)
    return ax


def loss_curve(losses, *, ax=None, step=None, label=None, title="Loss curve"):
    """The loss against the step, on a log scale, with a marker at ``step`` if given.

    Returns
    -------
    matplotlib Axes
    """
    losses = np.asarray(losses, dtype=float)
    with palette.style():
        if ax is None:
            fig = palette.figure((6.4, 4.4))
            ax = fig.add_subplot()
        ax.semilogy(np.arange(losses.size), losses, lw=2, color=palette.ADJOINT, label=label)
        if step is not None:
            ax.semilogy([step], [losses[step]], "o", markersize=10, color=palette.VALUE,
                        zorder=3)
        ax.set(xlabel="step", ylabel="loss (cross-entropy)", title=title)
        ax.grid(alpha=0.3, which="both")
        if label:
            ax.legend()
    return ax


def explore_training(X, y, *, sizes=(2, 16, 16, 1), lr=0.5, step=0, steps=500, seed=1,
                     every=10, learning_rates=LEARNING_RATES):
    """The training explorer: a step slider and a learning-rate slider over a trained network.

    Each learning rate is trained once, when first chosen (``steps`` steps, the
    parameters kept every ``every`` steps); moving the step then only redraws.

    Parameters
    ----------
    X, y : arrays of shapes (n, 2) and (n,)
        The data set.
    sizes : sequence of int
        The network's layer sizes.
    lr : float
        The learning rate shown first (one of ``learning_rates``).
    step : int
        The step shown first.
    steps, seed, every : int
        Training length, the seed of the initial parameters, the snapshot spacing.

    Returns
    -------
    adlearn.widgets.Explorer
        ``controls``: ``lr``, ``step`` and ``play``; ``table_text`` holds the
        numbers shown (step, loss, accuracy).

    Examples
    --------
    >>> from adlearn.datasets import two_moons
    >>> X, y = two_moons(n=40)
    >>> e = explore_training(X, y, sizes=[2, 4, 1], lr=1.0, steps=20, every=10)
    >>> e.controls["step"].value = 20
    >>> print(e.table_text)
    learning rate 1.00, step 20 of 20: loss 0.3061, accuracy 85.0%
    """
    W = palette.require_ipywidgets()
    from adlearn import widgets

    if lr not in learning_rates:
        raise ValueError(f"explore_training: lr must be one of {tuple(learning_rates)}, "
                         f"got {lr!r}")
    if not (isinstance(step, (int, np.integer)) and 0 <= step <= steps):
        raise ValueError(f"explore_training: step must be an int in [0, {steps}], got {step!r}")
    runs: dict = {}

    def run_of(rate):
        if rate not in runs:
            runs[rate] = network.train(X, y, sizes=sizes, lr=rate, steps=steps, seed=seed,
                                       every=every)
        return runs[rate]

    controls = {
        "lr": W.SelectionSlider(options=[(f"{r:g}", r) for r in learning_rates], value=lr,
                                description="learning rate", continuous_update=False,
                                style={"description_width": "initial"},
                                layout=W.Layout(width="360px")),
        "step": W.IntSlider(value=step, min=0, max=steps, step=every, description="step",
                            continuous_update=True, layout=W.Layout(width="360px")),
        "play": W.Play(interval=200, min=0, max=steps, step=every, description="play"),
    }
    W.jslink((controls["play"], "value"), (controls["step"], "value"))
    X, y = _check_data("explore_training", X, y)
    box = _box(X)
    fig = palette.figure((12.5, 4.8), pyplot=False, dpi=widgets.DPI)
    with palette.style():
        left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
        fig.subplots_adjust(left=0.06, right=0.98, bottom=0.13, top=0.9, wspace=0.22)
        left.set(xlim=box[:2], ylim=box[2:], xlabel="x1", ylabel="x2")
        curve = loss_curve(np.ones(steps + 1), ax=right).lines[0]
        marker = right.plot([], [], "o", markersize=10, color=palette.VALUE, zorder=3)[0]
    # the axes, their ticks and the loss curve are drawn once per learning rate (a backdrop);
    # each step draws only the probability, the boundary, the points, the marker and a title
    backdrop = widgets._Backdrop(fig)
    moving: list = []
    shown_rate = [None]

    def render(e):
        rate = e.controls["lr"].value
        k = int(e.controls["step"].value)
        run = run_of(rate)
        if rate != shown_rate[0]:
            finite = run.losses[np.isfinite(run.losses)]
            curve.set_data(np.arange(run.losses.size), run.losses)
            # a diverging run can reach 1e306: log ticks that high overflow, so cap the axis
            right.set_ylim(0.5 * finite.min(), min(2.0 * finite.max(), 1e30))
            right.title.set_text(f"learning rate {rate:g}")
            backdrop.saved = None
            shown_rate[0] = rate
        params = run.params_at(k)
        shown = int(run.snapshot_steps[run.snapshot_steps <= k][-1])
        loss = run.losses[shown]
        acc = network.accuracy(params, X, y) if np.isfinite(loss) else float("nan")
        for artist in moving:
            artist.remove()
        moving.clear()
        with palette.style():
            moving.extend(draw_probability(left, params, box, 81))
            moving.extend(draw_points(left, X, y))
        marker.set_data(*(([shown], [loss]) if np.isfinite(loss) else ([], [])))
        left.title.set_text(f"step {shown}: accuracy {100 * acc:.1f}%")
        e.image("training", fig, backdrop.png([*moving, marker, left.title]))
        e.table_text = (f"learning rate {rate:.2f}, step {shown} of {steps}: "
                        f"loss {loss:.4f}, accuracy {100 * acc:.1f}%")
        e.table.value = f"<p style='font-size:15px'>{e.table_text}</p>"
        if not np.all(np.isfinite(run.losses)):
            return (f"With learning rate {rate:g} the loss overflowed: the steps are so large "
                    "that the parameters run off to infinity.")
        return None

    images = {"training": W.Image(format="png")}
    table = W.HTML()
    body = [W.HBox([controls["lr"], controls["step"], controls["play"]]), images["training"],
            table]
    e = widgets.Explorer("training", controls, images, body, render, table)
    e.update()
    return e
