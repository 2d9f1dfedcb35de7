"""Checkers for chapter 7, cost and memory: operations counted, tapes measured, checkpoints.

Examples
--------
>>> from adlearn.exercises import ch7
>>> ch7.sin_runs(800)
Exercise 7.3: Correct! 400 runs in the forward sweep (no tape) and 400 more when the backward sweep recomputes each of the 20 segments: twice the work of the chain, for a tenth of its memory.
"""

from __future__ import annotations

import numpy as np

from adlearn.exercises.learner import call
from adlearn.exercises.method import Probe, watch
from adlearn.exercises.verdict import (
    NotYet,
    attempted,
    checker,
    count,
    diagnose,
    exact,
    number,
    show,
    to_places,
)

__all__ = ["gradient_ratio", "recompute_vjp", "reverse_ops", "sin_runs", "tape_arrays"]


@checker("7.1", "what the reverse sweep adds")
def reverse_ops(answer):
    """Operations the reverse sweep adds to f's 3, for the running example (the chapter's count)."""
    n = count(answer)
    if n == 7:
        return (
            "The partial cos(w1) (1), one multiplication per edge (w3 has 2, w4 has 1, w5 has 2: "
            "5), and the one addition of the fan-in at x1 (1): 7, on top of f's 3."
        )
    diagnose(
        n,
        [
            (
                5.0,
                (
                    (
                        "You counted the multiplications, one per edge. Two more things are work: a "
                        "partial that needs computing, and adding contributions where a unit is read "
                        "twice."
                    ),
                    (
                        "sin's partial cos(w1) is one operation; x1 receives two contributions (from w3 "
                        "and from w4), whose sum is one addition."
                    ),
                ),
            ),
            (
                6.0,
                (
                    "Close: one of the three parts is missing. Partials that need arithmetic, one "
                    "multiplication per edge, one addition per extra contribution."
                ),
            ),
            (
                10.0,
                (
                    "10 is f and the reverse sweep together. The question is what the reverse "
                    "sweep adds to f's 3 operations."
                ),
            ),
            (
                8.0,
                (
                    "A sum's partials are the constant 1 and a product's are its operands' values: "
                    "only sin's partial needs an operation."
                ),
            ),
        ],
        default="Go through the trace of f: for each unit, its partials' operations, one "
        "multiplication per operand, and for each unit read k times, k - 1 additions.",
    )


@checker("7.2", "arrays the tape keeps")
def tape_arrays(answer):
    """(arrays kept without checkpoints, at the peak with checkpoints every 20), 400 sin steps."""
    answer = attempted(answer)
    if isinstance(answer, str) or not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise NotYet(
            "Give two whole numbers: (without checkpoints, at the peak with them).",
            f"your answer: {show(answer)}",
        )
    plain, peak = (count(a, name) for a, name in zip(answer, ("first count", "second count")))
    said = f"your answer: ({plain}, {peak})"
    if (plain, peak) == (400, 40):
        return (
            "Without checkpoints the tape keeps cos of every step: 400 arrays. With a checkpoint "
            "every 20 steps it keeps 20 segment inputs, and during the backward sweep one "
            "segment's 20 partials more: 40, a tenth."
        )
    if plain != 400:
        raise NotYet(
            "Without checkpoints every step leaves its partial (cos of its input, an array) on "
            "the tape until the backward sweep: count the steps.",
            said,
        )
    if peak == 20:
        raise NotYet(
            (
                (
                    "20 is what the tape keeps after the forward sweep: the segments' inputs. The "
                    "peak comes during the backward sweep, when one segment is recomputed on a tape "
                    "of its own."
                ),
                (
                    "While a segment is recomputed, its 20 partials live beside the 20 stored "
                    "inputs."
                ),
            ),
            said,
        )
    if peak in (420, 400):
        raise NotYet(
            "Only one recomputed segment lives at a time: its tape is let go before the next "
            "segment is recomputed.",
            said,
        )
    raise NotYet(
        "With checkpoints every s steps of n: n / s stored inputs, and one segment's s partials "
        "while it is recomputed.",
        said,
    )


@checker("7.3", "how often sin runs")
def sin_runs(answer):
    """Runs of np.sin for the gradient of the 400-step chain checkpointed every 20 steps."""
    n = count(answer)
    if n == 800:
        return (
            "400 runs in the forward sweep (no tape) and 400 more when the backward sweep "
            "recomputes each of the 20 segments: twice the work of the chain, for a tenth of "
            "its memory."
        )
    diagnose(
        n,
        [
            (
                400.0,
                (
                    (
                        "That is the forward sweep alone. A checkpointed segment keeps only its input: "
                        "where do its partials come from during the backward sweep?"
                    ),
                    (
                        "Each of the 20 segments is run again, on a tape of its own, when the backward "
                        "sweep reaches it."
                    ),
                ),
            ),
            (
                1200.0,
                (
                    "The backward sweep does not run sin: it multiplies adjoints by the cos "
                    "values the recomputation stored."
                ),
            ),
            (
                780.0,
                (
                    "adlearn recomputes every checkpointed segment, the last one too: it kept "
                    "only that segment's input."
                ),
            ),
            (420.0, "Each recomputation runs a whole segment of 20 steps, not one."),
        ],
        default="Count the forward sweep's runs of sin, then the runs of the recomputations.",
    )


def _segment_cases():
    rng = np.random.default_rng(74)
    A = rng.normal(size=(3, 4))

    def wave(x):
        return np.sin(x) * x

    def layer(x):
        return np.tanh(A @ x)

    def steps(x):
        for _ in range(5):
            x = np.sin(x) + 0.5 * x
        return x

    def wave_vjp(x, w):
        return w * (np.cos(x) * x + np.sin(x))

    def layer_vjp(x, w):
        return A.T @ (w * (1 - np.tanh(A @ x) ** 2))

    def steps_vjp(x, w):
        xs = []
        for _ in range(5):
            xs.append(x)
            x = np.sin(x) + 0.5 * x
        for x_k in reversed(xs):
            w = w * (np.cos(x_k) + 0.5)
        return w

    return [
        (wave, wave_vjp, 0.7, 1.5),
        (layer, layer_vjp, rng.normal(size=4), rng.normal(size=3)),
        (steps, steps_vjp, rng.normal(size=5), rng.normal(size=5)),
        (wave, wave_vjp, rng.normal(size=3), rng.normal(size=3)),
    ]


@checker("7.4", "the backward step of a checkpoint")
def recompute_vjp(fn):
    """``fn(segment, x, w_bar)``: x_bar, by running the segment again on a tape and pulling
    w_bar back through it (one reverse sweep)."""
    for segment, vjp_of, x, w_bar in _segment_cases():
        want = vjp_of(x, w_bar)
        probe = Probe(segment)
        with watch(fn) as calls:
            out = call(fn, probe, np.copy(x) if np.ndim(x) else x, w_bar, name="recompute_vjp")
        where = f"a segment of {np.size(x)} input(s)"
        if isinstance(out, tuple) and len(out) == 1:
            out = out[0]  # the tuple ad.vjp's pull-back returns is fine
        try:
            got = np.asarray(out, dtype=float)
        except (TypeError, ValueError):
            raise NotYet(
                f"recompute_vjp returned {show(out)}: return x_bar, an array of x's shape "
                "(or a number for a number).",
                where,
            ) from None
        said = f"for {where} you gave {show(np.round(got, 6).tolist())}"
        if got.shape != np.shape(x):
            raise NotYet(
                f"x_bar has x's shape {np.shape(x)}; yours has {got.shape}. Pull w_bar back to "
                "the segment's input.",
                said,
            )
        if "forward" in probe.kinds:
            raise NotYet(
                "The segment ran on dual numbers: that is forward mode, one sweep per input. "
                "The recomputation records the segment on a tape and sweeps it back once.",
                said,
            )
        if not exact(got, want):
            if probe.kinds and set(probe.kinds) == {"plain"}:
                raise NotYet(
                    "The segment only ever ran on plain numbers: finite differences are not "
                    "exact. Record it on a tape (reverse mode) and pull w_bar back.",
                    said,
                )
            raise NotYet(
                (
                    (
                        "x_bar is w_bar pulled back through the segment: w_bar^T J, with J the "
                        "segment's Jacobian at x. Seed the reverse sweep with w_bar, not with ones."
                    ),
                    (
                        "ad.vjp records the segment at x and returns its value and a pull-back "
                        "function; give that function w_bar."
                    ),
                ),
                said,
            )
        if probe.kinds != ["reverse"] or any(c in ("jacrev", "jacfwd", "hessian") for c in calls):
            ran = ", ".join(probe.kinds)
            raise NotYet(
                "Right numbers, wrong method: a checkpoint's backward step runs the segment once, "
                f"on a tape, and sweeps that tape back once with w_bar (your segment ran: {ran}; "
                f"adlearn calls: {', '.join(calls) or 'none'}).",
                said,
            )
    return (
        "Recompute, then pull back: the segment runs again on a tape of its own, and one reverse "
        "sweep seeded with w_bar gives x_bar. That is what ad.checkpoint's tape entry does."
    )


@checker("7.5", "the cheap gradient of a new function")
def gradient_ratio(answer):
    """The chapter's operation count of value and gradient over f's, for sin(x1 x2 x3)."""
    x = number(answer)
    if to_places(x, 3.0, 2):
        return (
            "f: 3 operations. The reverse sweep: cos (1), one multiplication per edge (2 + 2 + 1 "
            "= 5), no addition (nothing is read twice): 9 in all, 3 times f."
        )
    diagnose(
        x,
        [
            (
                2.0,
                (
                    "That is the reverse sweep over f; the gradient's count includes the "
                    "recording forward sweep, which is f itself."
                ),
            ),
            (9.0, "9 is the count itself; the question asks for the ratio to f's operations."),
            (
                10 / 3,
                (
                    "That is the running example's ratio. Count this function's trace: "
                    "w4 = x1 x2, w5 = w4 x3, w6 = sin(w5)."
                ),
            ),
            (11 / 3, "Nothing is read twice here: no addition of contributions."),
        ],
        default="Write the trace (three units), then count f's operations and, for the "
        "reverse sweep, partials, one multiplication per edge and the additions of fan-ins.",
    )
