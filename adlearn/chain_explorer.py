"""Pictures of the cost of a Jacobian chain, and an explorer with sliders for its shape.

The chain is ``J = J3 J2 J1`` for a program of three layers,
``n inputs -> h -> h -> m outputs`` (the running example is n = 2, h = 2,
m = 1). :func:`order_costs` counts the multiplications of each order of the
product; :func:`draw_order` draws the three factors to scale beside the counts;
:func:`explore_order` puts sliders for n, h and m on that picture, so that
moving n makes the forward order's bar grow and leaves the reverse order's
alone, and moving m does the opposite.

Examples
--------
>>> from adlearn.chain_explorer import explore_order, order_costs
>>> order_costs(n=2, h=2, m=1)
{'forward': 12, 'reverse': 8, 'best': 8, 'bracketing': 'J3 J2 J1 = (J3 J2) J1'}
>>> e = explore_order(n=50, h=20, m=1)
>>> e.controls["n"].value = 100
>>> e.costs["forward"], e.costs["reverse"]
(42000, 2400)
"""

from __future__ import annotations

import io

import numpy as np

from adlearn import chain, palette

__all__ = ["draw_order", "explore_order", "order_costs"]

_LABELS = {"forward": "forward\nJ3 (J2 J1)", "reverse": "reverse\n(J3 J2) J1", "best": "best order"}


def order_costs(n: int, h: int, m: int) -> dict:
    """Multiplications of the forward order, the reverse order and the best order of J3 J2 J1."""
    dims = [n, h, h, m]
    best, bracketing = chain.best_order(dims)
    return {
        "forward": chain.chain_cost(dims, "forward"),
        "reverse": chain.chain_cost(dims, "reverse"),
        "best": best,
        "bracketing": bracketing,
    }


def draw_order(n: int, h: int, m: int, fig=None):
    """The three Jacobians drawn to scale (left) and the cost of each order (right)."""
    palette.require_matplotlib()
    from matplotlib.patches import Rectangle

    costs = order_costs(n, h, m)
    with palette.style():
        if fig is None:
            fig = palette.figure((10.5, 4.2), layout="constrained")
        fig.clear()
        left, right = fig.subplots(1, 2, width_ratios=[1.25, 1])
        # each J_k is a rectangle rows x columns, side by side as in the product J3 J2 J1
        x = 0.0
        biggest = max(n, h, m)
        below = (1 - max(m, h) / biggest) / 2 - 0.08  # one baseline for the three names
        for name, rows, cols in (("J3", m, h), ("J2", h, h), ("J1", h, n)):
            w, ht = cols / biggest, rows / biggest
            left.add_patch(
                Rectangle((x, (1 - ht) / 2), w, ht, fc=palette.INPUT_FILL, ec=palette.EDGE, lw=1.5)
            )
            left.text(
                x + w / 2,
                below,
                f"{name}\n{rows}×{cols}",
                ha="center",
                va="top",
                fontsize=palette.FONT["note"],
            )
            x += w + 0.12
        left.set(
            xlim=(-0.05, x),
            ylim=(-0.35, 1.05),
            aspect="equal",
            title=f"J = J3 J2 J1 for n = {n}, h = {h}, m = {m}",
        )
        left.axis("off")
        names = ["forward", "reverse", "best"]
        values = [costs[k] for k in names]
        colours = [palette.TANGENT, palette.ADJOINT, palette.OKABE_ITO["bluish green"]]
        bars = right.bar([_LABELS[k] for k in names], values, color=colours)
        for bar, v in zip(bars, values):
            right.text(
                bar.get_x() + bar.get_width() / 2,
                v,
                f"{v:,}",
                ha="center",
                va="bottom",
                fontsize=palette.FONT["note"],
            )
        right.set(
            yscale="log",
            ylim=(1, 40 * max(values)),
            ylabel="multiplications",
            title="The whole Jacobian, by order",
        )
        right.grid(axis="y", alpha=0.3)
    return fig


class OrderExplorer:
    """Sliders for n, h and m above the picture of :func:`draw_order` (a widget)."""

    def __init__(self, n, h, m, top):
        W = palette.require_ipywidgets()

        self.controls = {
            name: W.IntSlider(
                value=value,
                min=1,
                max=top,
                description=name,
                continuous_update=False,
                layout=W.Layout(width="320px"),
            )
            for name, value in (("n", n), ("h", h), ("m", m))
        }
        self.fig = palette.figure((10.5, 4.2), pyplot=False, layout="constrained")
        self.image = W.Image(format="png")
        self.text = W.HTML()
        self.widget = W.VBox([W.HBox(list(self.controls.values())), self.text, self.image])
        for control in self.controls.values():
            control.observe(lambda _change: self.update(), names="value")
        self.update()

    def update(self):
        n, h, m = (self.controls[k].value for k in ("n", "h", "m"))
        self.costs = order_costs(n, h, m)
        draw_order(n, h, m, fig=self.fig)
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="png", dpi=80)
        self.image.value = buffer.getvalue()
        c = self.costs
        self.text.value = (
            f"<span style='font-size:14px'>forward {c['forward']:,} · reverse "
            f"{c['reverse']:,} · best {c['best']:,}: <b>{c['bracketing']}</b></span>"
        )

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def __repr__(self):
        return "<adlearn chain-order explorer>"


def explore_order(n: int = 50, h: int = 20, m: int = 1, top: int = 100) -> OrderExplorer:
    """Sliders for the shape of J3 J2 J1 (n inputs, two layers of h, m outputs) and the
    multiplications each order of the product takes.

    Examples
    --------
    >>> e = explore_order()
    >>> e.costs["bracketing"]
    'J3 J2 J1 = (J3 J2) J1'
    """
    for name, value in (("n", n), ("h", h), ("m", m), ("top", top)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ValueError(f"explore_order: {name} must be a whole number >= 1, got {value!r}")
    if max(n, h, m) > top:
        raise ValueError(f"explore_order: n, h and m must be at most top = {top}")
    return OrderExplorer(int(n), int(h), int(m), int(top))
