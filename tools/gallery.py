"""Render every kind of figure the course draws to PNG, to look at them all at once.

Run from the repository root::

    .venv/bin/python tools/gallery.py            # writes gallery/*.png
    .venv/bin/python tools/gallery.py --out DIR

The pictures cover the computational graph (both notations, values, tangents,
adjoints, partials on the edges, steps of both sweeps, the fan-in, Baydin's
example, a function of three inputs, x * x), the plots of f (contours, gradient
field, surface, slice, step-size error) and the explorers' pictures as a
notebook shows them. gallery/ is ignored by git.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import adlearn as ad
from adlearn import graph, palette, plots, widgets
from adlearn.examples import baydin
from adlearn.examples import running_example as f


def three(x, y, z):
    return x * y * z + np.exp(x * x) / (1 + z**2)


def square(x):
    return x * x


def figures():
    """(file name, figure or PNG bytes) for every picture of the gallery."""
    t = ad.trace(f, 2.0, 3.0)
    tb = ad.trace(baydin, 2.0, 5.0)
    yield "graph-hierarchy-values", graph.draw(t, notation="hierarchy", show="value")
    yield "graph-wengert-values", graph.draw(t, notation="wengert", show="value")
    yield "graph-tangents-partials", graph.draw(
        t, mode="forward", show="tangent", edge_labels=True
    )
    for step in (1, 3, 5):
        yield f"graph-forward-step{step}", graph.draw(
            t, mode="forward", step=step, show=("value", "tangent")
        )
    for step in (2, 4, 5):
        yield f"graph-reverse-step{step}", graph.draw(
            t, mode="reverse", step=step, show=("value", "adjoint"), edge_labels=True
        )
    yield "graph-reverse-fan-in", graph.draw(t, mode="reverse", notation="wengert")
    yield "graph-forward-seed-x2", graph.draw(ad.trace(f, 2.0, 3.0, wrt=1), mode="forward")
    yield "graph-baydin-values", graph.draw(tb, show="value", edge_labels=True)
    yield "graph-baydin-reverse", graph.draw(tb, mode="reverse", edge_labels=True)
    yield "graph-baydin-forward-step5", graph.draw(tb, mode="forward", step=5,
                                                   notation="wengert")
    yield "graph-three-inputs-reverse-step4", graph.draw(
        ad.trace(three, 0.5, 2.0, -1.0), mode="reverse", step=4, edge_labels=True
    )
    yield "graph-x-times-x", graph.draw(ad.trace(square, 3.0), mode="reverse", edge_labels=True)
    with palette.style():
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 5), layout="constrained")
        plt.close(fig)
    graph.draw(t, notation="hierarchy", show="value", ax=left, title="hierarchy notation")
    graph.draw(t, notation="wengert", show="value", ax=right, title="Wengert notation")
    yield "graph-two-notations-in-axes", fig

    yield "plot-contours", plots.contours(f, 2.0, 3.0)
    yield "plot-contours-field", plots.contours(f, 2.0, 3.0, field=True)
    yield "plot-contours-baydin-field", plots.contours(
        baydin, 2.0, 1.0, box=(-4, 4, -4, 4), field=True
    )
    yield "plot-surface", plots.surface(f, 2.0, 3.0)
    yield "plot-surface-baydin", plots.surface(baydin, 2.0, 1.0, box=(0.05, 4, -4, 4))
    yield "plot-slice-30deg", plots.directional_slice(f, 2.0, 3.0, angle=30.0)
    yield "plot-slice-baydin-200deg", plots.directional_slice(baydin, 2.0, 1.0, angle=200.0)
    yield "plot-step-size-error", plots.step_size_error(
        f, 2.0, 3.0, exact=lambda x1, x2: x2 + np.cos(x1)
    )
    yield "plot-step-size-error-baydin-x2", plots.step_size_error(baydin, 2.0, 5.0, argnum=1)

    e = widgets.explore(f)
    yield "explore-graph", e.images["graph"].value
    yield "explore-contours", e.images["contours"].value
    e = widgets.explore(baydin)
    e.controls["x1"].value = 0.0  # f = -inf: the graph shows it, no arrow, a message
    yield "explore-baydin-x1-0-graph", e.images["graph"].value
    yield "explore-baydin-x1-0-contours", e.images["contours"].value
    e = widgets.explore_sweep(f, step=3)
    yield "explore-sweep-forward-step3", e.images["graph"].value
    e.controls["mode"].value = "reverse"
    e.controls["step"].value = 5
    yield "explore-sweep-reverse-step5", e.images["graph"].value
    e = widgets.explore_sweep(baydin, mode="reverse", step=6)
    yield "explore-sweep-baydin-reverse-step6", e.images["graph"].value
    e = widgets.explore_direction(f)
    yield "explore-direction", e.images["direction"].value
    e.controls["angle"].value = 225.0
    e.controls["x1"].value = -1.0
    yield "explore-direction-225deg", e.images["direction"].value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "gallery"), help="folder for the PNGs")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for name, picture in figures():
        path = out / f"{name}.png"
        if isinstance(picture, (bytes, memoryview)):  # an explorer's PNG, as shown
            path.write_bytes(bytes(picture))
        else:
            picture.savefig(path, dpi=100)
        count += 1
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    open_figures = plt.get_fignums()
    print(f"{count} pictures in {out}; figures left open: {len(open_figures)}")
    return 1 if open_figures else 0


if __name__ == "__main__":
    sys.exit(main())
