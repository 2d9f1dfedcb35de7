"""Checkpointing: keep a segment's inputs on the tape, recompute the segment on the way back.

Reverse mode keeps every local partial of the forward sweep until the backward
sweep has used it, so the tape grows with the length of the computation.
``checkpoint(segment)`` trades time for that memory: when the segment runs on
tape variables, it runs on their plain values instead, records nothing inside,
and puts **one** entry on the tape that keeps only the segment's inputs. When
the backward sweep reaches that entry, it runs the segment again on a tape of
its own (the recomputation), sweeps that short tape back with the adjoint it
received, and lets it go. Each segment is computed twice; only one segment's
tape exists at a time.

Cut a chain of n steps into about sqrt(n) checkpointed segments of about
sqrt(n) steps: the tape keeps sqrt(n) segment inputs, the backward sweep holds
one segment's tape of sqrt(n) steps, and the forward work goes up by one more
run of the chain (:func:`chain`).

On anything but a reverse-mode tape (plain numbers, forward mode, a trace) a
checkpointed segment is simply called. Nested checkpoints work: the
recomputation of an outer segment meets the inner checkpoints and records them
as single entries in turn.

Examples
--------
>>> import numpy as np
>>> import adlearn as ad
>>> def step(x):
...     return np.sin(x) + 0.5 * x
>>> def ten_steps(x):
...     for _ in range(10):
...         x = step(x)
...     return x
>>> x = np.linspace(0.0, 1.0, 4)
>>> plain = ad.grad(lambda x: np.sum(ten_steps(x)))(x)
>>> saved = ad.grad(lambda x: np.sum(ad.checkpoint(ten_steps)(x)))(x)
>>> bool(np.allclose(plain, saved, rtol=1e-15, atol=0))
True
"""

from __future__ import annotations

import functools

import numpy as np

from adlearn.dispatch import Differentiable
from adlearn.fast_record import ArrayTape
from adlearn.inputs import value_of
from adlearn.memory import recomputed
from adlearn.operators import call
from adlearn.reverse import Tape, TapeEntry, shape_of

__all__ = ["Recompute", "chain", "checkpoint"]


class Recompute:
    """The pullback of a checkpointed segment: run it again on a tape of its own, sweep back.

    ``held`` is what the outer tape keeps for the segment: its inputs, nothing else.
    """

    __slots__ = ("held", "kwargs", "read", "segment")

    def __init__(self, segment, values, read, kwargs):
        self.segment = segment
        self.held = values  # every argument's value; the tape variables' ones are at `read`
        self.read = read
        self.kwargs = kwargs

    def __call__(self, w_bar):
        inner = Tape()
        args = list(self.held)
        for j in self.read:
            args[j] = inner.input(self.held[j])
        out = call(self.segment, args, self.kwargs)
        if not inner.owns(out):  # the segment's result does not depend on its inputs
            return [_zero_like(self.held[j]) for j in self.read]
        with recomputed(inner):  # only while this short tape lives, for memory.measure
            adjoints = inner.backward({out.index: w_bar})
        return [
            _zero_like(self.held[j]) if adjoints[args[j].index] is None else adjoints[args[j].index]
            for j in self.read
        ]


def _zero_like(value):
    return 0.0 if type(value) is float else np.zeros(np.shape(value_of(value)))


def _innermost(args):
    """The innermost sweep among ``args`` (the one with the highest level), or None."""
    innermost = None
    for a in args:
        if isinstance(a, Differentiable) and (innermost is None or a.sweep.level > innermost.level):
            innermost = a.sweep
    return innermost


def checkpoint(segment):
    """``segment`` as a checkpointed segment of a computation (see the module's text).

    Its positional arguments may be tape variables (they are differentiated);
    keyword arguments are passed on and not differentiated. It must return one
    number or array.

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> f = ad.checkpoint(lambda x1, x2: x1 * x2 + np.sin(x1))
    >>> [round(g, 6) for g in ad.grad(f, argnums=(0, 1))(2.0, 3.0)]
    [2.583853, 2.0]
    """
    if not callable(segment):
        raise TypeError(
            f"checkpoint: expected a function (the segment to recompute), "
            f"got {type(segment).__name__} {segment!r}"
        )

    @functools.wraps(segment)
    def checkpointed(*args, **kwargs):
        tape = _innermost(args)
        if type(tape) not in (Tape, ArrayTape):  # plain values, forward mode, a trace: just call
            return segment(*args, **kwargs)
        read = [j for j, a in enumerate(args) if tape.owns(a)]
        values = [a.value if tape.owns(a) else a for a in args]
        out = call(segment, values, kwargs)  # the forward sweep of the segment: not recorded
        if isinstance(out, (tuple, list, dict)):
            raise TypeError(
                f"checkpoint: the segment {_name(segment)} must return one number or array, "
                f"not a {type(out).__name__}"
            )
        if tape.owns(out) or (isinstance(out, Differentiable) and out.sweep.level > tape.level):
            raise ValueError(
                f"checkpoint: the segment {_name(segment)} reads a value being differentiated "
                "that is not one of its arguments (a variable from outside it, in a closure); "
                "pass that value to the segment as an argument"
            )
        parents = tuple((args[j].index, None) for j in read)
        entry = TapeEntry(parents, shape_of(out), Recompute(segment, values, read, kwargs))
        return tape.append(entry, out)

    return checkpointed


def _name(segment) -> str:
    return getattr(segment, "__name__", type(segment).__name__)


def chain(step, length: int, every: int | None = None):
    """The function ``x -> step(step(...step(x)))``, ``length`` steps, checkpointed every
    ``every`` steps (``None``: not checkpointed).

    With ``every`` about ``sqrt(length)`` the tape keeps about ``2 sqrt(length)``
    steps' worth of numbers instead of ``length``, for one more forward run.

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> g = chain(np.sin, 100, every=10)
    >>> round(ad.grad(g)(1.0), 10) == round(ad.grad(chain(np.sin, 100))(1.0), 10)
    True
    """
    for name, value in (("length", length), ("every", every)):
        if value is None and name == "every":
            continue
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"chain: {name} must be a whole number >= 1, got {value!r}")
    if not callable(step):
        raise TypeError(f"chain: step must be a function, got {type(step).__name__}")

    def run(x, steps):
        for _ in range(steps):
            x = step(x)
        return x

    if every is None:
        return lambda x: run(x, length)
    segments = [checkpoint(functools.partial(run, steps=min(every, length - start)))
                for start in range(0, length, every)]  # fmt: skip

    def checkpointed_chain(x):
        for segment in segments:
            x = segment(x)
        return x

    return checkpointed_chain
