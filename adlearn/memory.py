"""The memory of reverse mode: how many entries and numbers a tape keeps.

A tape keeps, for every operation of the forward sweep, the local partials the
backward sweep will need (for an array rule, the values its pullback reads; for
a checkpointed segment, the segment's inputs). :func:`tape_bytes` adds up the
numbers it keeps, 8 bytes a float, each array once however many entries share
it: exact and the same on every run (Python's own bookkeeping around the
numbers, a few dozen bytes per entry, is left out).

:func:`measure` records a function on a tape, sweeps it back, and reports the
tape's size and the **peak**: the most kept at once during the backward sweep,
when the recomputed tapes of checkpointed segments live beside the main one.

Examples
--------
>>> import numpy as np
>>> from adlearn.memory import measure
>>> m = measure(lambda x: np.sum(np.sin(x) * x), np.ones(1000))  # x, sin, *, sum
>>> m.entries                # the input, then one entry per operation
4
>>> m.bytes // 8000          # arrays of 1000 floats: cos x; x and sin x; what sum read
4
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from adlearn.inputs import as_primal, value_of
from adlearn.operators import call
from adlearn.reverse import Tape

__all__ = ["Memory", "measure", "recomputed", "tape_bytes"]

FLOAT_BYTES = 8


def _numbers(x, seen: set) -> int:
    """Bytes of the numbers in ``x`` (an array, a float, or a container of them), each
    array counted once: ``seen`` holds the arrays already counted."""
    stack = [x]
    total = 0
    while stack:
        item = stack.pop()
        item = value_of(item)
        if isinstance(item, np.ndarray):
            if id(item) not in seen:
                seen.add(id(item))
                total += item.nbytes
        elif isinstance(item, (float, np.floating)):
            total += FLOAT_BYTES
        elif isinstance(item, (tuple, list)):
            stack.extend(item)
    return total


def tape_bytes(tape: Tape) -> int:
    """The bytes of the numbers ``tape`` keeps for its backward sweep."""
    seen: set = set()
    total = 0
    for entry in tape.entries:
        pullback = entry.pullback
        if pullback is None:
            total += _numbers([partial for _, partial in entry.parents], seen)
        elif hasattr(pullback, "held"):  # a checkpointed segment keeps its inputs
            total += _numbers(pullback.held, seen)
        else:  # an array rule keeps the values it read and its result
            total += _numbers([pullback.args, pullback.out], seen)
    return total


@dataclass
class Memory:
    """What a tape kept: its ``entries`` and ``bytes`` after the forward sweep, and the
    most entries and bytes alive at once during the backward sweep (``peak_*``)."""

    entries: int
    bytes: int
    peak_entries: int = 0
    peak_bytes: int = 0


_measuring: list[Memory] = []  # the measurements in progress (a stack: they may nest)
_alive: list[tuple[int, int]] = []  # (entries, bytes) of each recomputed tape alive now


@contextmanager
def recomputed(tape: Tape):
    """Count ``tape`` (a segment's recomputation) as alive in the block, for :func:`measure`."""
    if not _measuring:
        yield
        return
    _alive.append((len(tape), tape_bytes(tape)))
    try:
        for m in _measuring:
            m.peak_entries = max(m.peak_entries, m.entries + sum(n for n, _ in _alive))
            m.peak_bytes = max(m.peak_bytes, m.bytes + sum(b for _, b in _alive))
        yield
    finally:
        _alive.pop()


def measure(f, *args) -> Memory:
    """Record ``f(*args)`` (a scalar function) on a tape, sweep it back, and say what it kept.

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> from adlearn.checkpoint import chain
    >>> plain = measure(lambda x: np.sum(chain(np.sin, 100)(x)), np.ones(1000))
    >>> saved = measure(lambda x: np.sum(chain(np.sin, 100, every=10)(x)), np.ones(1000))
    >>> plain.peak_bytes // 8000, saved.peak_bytes // 8000   # arrays of 1000 floats
    (101, 21)
    """
    if not callable(f):
        raise TypeError(f"measure: expected a function, got {type(f).__name__}")
    tape = Tape()
    inputs = [tape.input(as_primal(a, "measure", i)) for i, a in enumerate(args)]
    out = call(f, inputs, {})
    if np.ndim(value_of(out)) != 0:
        raise ValueError(
            f"measure: the function must return a scalar, got shape {np.shape(value_of(out))}"
        )
    m = Memory(len(tape), tape_bytes(tape))
    m.peak_entries, m.peak_bytes = m.entries, m.bytes
    if not tape.owns(out):  # a constant: the tape holds the inputs only, nothing to sweep
        return m
    _measuring.append(m)
    try:
        tape.backward({out.index: 1.0})
    finally:
        _measuring.pop()
    return m
