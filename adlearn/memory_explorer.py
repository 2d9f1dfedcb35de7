"""Checkpointing seen: what a chain of steps keeps on its tape for each segment length.

The chain is ``length`` steps of ``x -> sin(x)`` on an array, summed at
the end, its gradient taken by reverse mode with a checkpoint every ``every``
steps. :func:`peaks` measures (with :func:`adlearn.memory.measure`) how many
arrays the tape keeps at its peak for every segment length; :func:`draw_checkpoints`
draws that curve with the chosen length marked, beside the chain itself (the
stored segment inputs, and the segment being recomputed at the peak);
:func:`explore_checkpoints` puts sliders on it. Moving the segment length shows
the trade: short segments store many inputs, long ones recompute a long tape,
and the peak is smallest near sqrt(length).

Examples
--------
>>> from adlearn.memory_explorer import checkpoint_figures
>>> c = checkpoint_figures(length=64, every=8)
>>> c["peak"], c["plain"], c["runs"], c["plain runs"]
(17, 65, 128, 64)
>>> e = explore_checkpoints(length=16, every=4)
>>> e.controls["every"].value = 2
>>> e.numbers["peak"]
11
"""

from __future__ import annotations

import functools
import io

import numpy as np

from adlearn import palette
from adlearn.checkpoint import chain
from adlearn.memory import measure

__all__ = ["checkpoint_figures", "draw_checkpoints", "explore_checkpoints", "peaks", "step"]

SIZE = 100  # floats in the chain's array: each kept array is 800 bytes
ARRAY_BYTES = 8 * SIZE


def step(x):
    """One step of the chain: sin, whose partial, cos x, is one array on the tape."""
    return np.sin(x)


def _arrays(bytes_: int) -> int:
    """Whole arrays of the chain's size in ``bytes_`` (floats kept beside them are left out)."""
    return bytes_ // ARRAY_BYTES


@functools.lru_cache(maxsize=8)
def peaks(length: int) -> tuple[int, ...]:
    """Arrays kept at the peak of the backward sweep, for every segment length 1..length,
    measured on the chain (the last one, a single segment, is the whole chain recomputed)."""
    x = np.linspace(0.0, 1.0, SIZE)
    return tuple(
        _arrays(measure(lambda x, every=every: np.sum(chain(step, length, every)(x)), x).peak_bytes)
        for every in range(1, length + 1)
    )


def checkpoint_figures(length: int, every: int) -> dict:
    """The numbers of the chain of ``length`` steps checkpointed every ``every`` steps:
    arrays kept after the forward sweep and at the peak (with and without checkpoints),
    and the runs of the step (with and without)."""
    x = np.linspace(0.0, 1.0, SIZE)
    runs: list = []

    def counted(x):
        runs.append(1)
        return step(x)

    saved = measure(lambda x: np.sum(chain(counted, length, every)(x)), x)
    saved_runs = len(runs)
    runs.clear()
    plain = measure(lambda x: np.sum(chain(counted, length)(x)), x)
    return {
        "kept": _arrays(saved.bytes),
        "peak": _arrays(saved.peak_bytes),
        "plain": _arrays(plain.peak_bytes),
        "runs": saved_runs,
        "plain runs": len(runs),
    }


def _check(length, every):
    for name, value in (("length", length), ("every", every)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"checkpoints: {name} must be a whole number >= 1, got {value!r}")
    if every > length:
        raise ValueError(f"checkpoints: every = {every} is longer than the chain ({length} steps)")


def draw_checkpoints(length: int, every: int, fig=None):
    """The peak against the segment length (left) and the chain with its checkpoints (right)."""
    _check(length, every)
    curve = peaks(int(length))
    numbers = checkpoint_figures(int(length), int(every))
    with palette.style():
        if fig is None:
            fig = palette.figure((11, 4.2), layout="constrained")
        fig.clear()
        left, right = fig.subplots(1, 2, width_ratios=[1, 1.2])
        s = np.arange(1, length + 1)
        left.plot(s, curve, "-", color=palette.ADJOINT, lw=2.5, label="with checkpoints")
        left.axhline(numbers["plain"], color=palette.MUTED, ls="--", lw=2, label="no checkpoints")
        left.plot(
            [every],
            [numbers["peak"]],
            "o",
            ms=11,
            color=palette.ADJOINT,
            markeredgecolor="black",
            zorder=5,
        )
        left.axvline(
            np.sqrt(length),
            color=palette.TANGENT,
            ls=":",
            lw=2,
            label=f"sqrt({length}) = {np.sqrt(length):.1f}",
        )
        left.set(
            xlabel="segment length (steps)",
            ylabel="arrays kept at the peak",
            ylim=(0, 1.12 * numbers["plain"]),
            title=f"{length} steps: peak {numbers['peak']} arrays at {every}",
        )
        left.grid(alpha=0.3)
        left.legend(loc="upper center", fontsize=11)
        # the chain: one cell per step; a stored input starts each segment
        starts = range(0, length, every)
        last = max(starts)
        for cells, fill in (
            (range(length), palette.PENDING_FILL),
            (range(last, length), palette.HIGHLIGHT),
        ):
            right.broken_barh(
                [(k, 0.9) for k in cells],
                (0.2, 0.6),
                facecolors=fill,
                edgecolors=palette.EDGE,
                lw=0.5,
            )
        right.plot(
            list(starts),
            [0.5] * len(starts),
            "s",
            ms=8,
            color=palette.TANGENT,
            label=f"stored segment inputs: {len(starts)}",
        )
        right.plot(
            [],
            [],
            "s",
            ms=10,
            color=palette.HIGHLIGHT,
            label=f"recomputed on its own tape: {length - last} steps",
        )
        right.set(
            xlim=(-1, length + 1),
            ylim=(-0.9, 1.6),
            yticks=[],
            xlabel="step",
            title=f"step runs: {numbers['runs']} (without checkpoints {numbers['plain runs']})",
        )
        right.legend(loc="lower center", ncol=1, fontsize=11, frameon=False)
    return fig, numbers


class CheckpointExplorer:
    """Sliders for the chain's length and segment length above :func:`draw_checkpoints`."""

    def __init__(self, length, every):
        W = palette.require_ipywidgets()

        self.controls = {
            "length": W.IntSlider(
                value=length,
                min=4,
                max=144,
                description="steps",
                continuous_update=False,
                layout=W.Layout(width="320px"),
            ),
            "every": W.IntSlider(
                value=every,
                min=1,
                max=length,
                description="segment",
                continuous_update=False,
                layout=W.Layout(width="320px"),
            ),
        }
        self.fig = palette.figure((11, 4.2), pyplot=False, layout="constrained")
        self.image = W.Image(format="png")
        self.widget = W.VBox([W.HBox(list(self.controls.values())), self.image])
        self.controls["length"].observe(self._length_changed, names="value")
        self.controls["every"].observe(lambda _change: self.update(), names="value")
        self.update()

    def _length_changed(self, change):
        every = self.controls["every"]
        every.max = change["new"]  # clamps the value, which redraws if it changed
        self.update()

    def update(self):
        length, every = self.controls["length"].value, self.controls["every"].value
        _, self.numbers = draw_checkpoints(length, min(every, length), fig=self.fig)
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="png", dpi=80)
        self.image.value = buffer.getvalue()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def __repr__(self):
        return "<adlearn checkpoint explorer>"


def explore_checkpoints(length: int = 64, every: int = 8) -> CheckpointExplorer:
    """Sliders for a chain of ``length`` steps and its segment length, and what its tape keeps.

    Examples
    --------
    >>> e = explore_checkpoints(length=36, every=6)
    >>> e.numbers["peak"] < e.numbers["plain"]
    True
    """
    _check(length, every)
    if length > 144:
        raise ValueError(f"explore_checkpoints: length must be at most 144, got {length}")
    return CheckpointExplorer(int(length), int(every))
