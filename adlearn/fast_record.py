"""A measured fast path: recording a tape on arrays, with fewer Python calls per operation.

:meth:`adlearn.reverse.Tape.apply` is the reference: it takes the values out of
the tape's variables, hands the rule to :func:`~adlearn.dispatch.bind` (which
looks for an outer sweep, then computes), and asks the rule for each local
partial through :meth:`Primitive.partial <adlearn.primitive.Primitive.partial>`.
On arrays of ten thousand entries those layers of calls cost about as much as
the arithmetic they wrap. :class:`ArrayTape` records the same entries with two
shortcuts, and nothing else:

1. where no argument belongs to another sweep and the first value is an array,
   the rule is computed directly (``bind`` would find no sweep and call it);
2. a partial that is already a float64 array or a Python float (almost all of
   them) is kept as it is, without the checks that make an integer, boolean,
   float16 or float32 partial floating (:func:`~adlearn.primitive.floating`
   does those, for the rest).

Anything else (an outer sweep, a Python number first, an np.matrix, an error
to explain) goes through :meth:`Tape.apply` itself. Reverse mode records on an
``ArrayTape`` when an argument being differentiated is an array
(:func:`adlearn.reverse._record`); floats take the reference, the one to read.
``tests/test_fast_record.py`` checks that both tapes record the same entries
(units read, partials, shapes, values), and ``benchmarks/engine.py`` (section
d) measures what it buys.

Examples
--------
>>> import numpy as np
>>> from adlearn.reverse import Tape
>>> tape, reference = ArrayTape(), Tape()
>>> for t in (tape, reference):
...     x = t.input(np.array([0.0, 1.0]))
...     y = np.sin(x) * x
>>> [e.shape for e in tape.entries] == [e.shape for e in reference.entries]
True
>>> print(tape.entries[1].parents[0][1])
[1.         0.54030231]
"""

from __future__ import annotations

import numpy as np

from adlearn.dispatch import Differentiable
from adlearn.primitive import floating
from adlearn.reverse import Pullback, Tape, TapeEntry, Var

__all__ = ["ArrayTape"]


class ArrayTape(Tape):
    """A tape that records array operations with fewer calls (see the module's text)."""

    __slots__ = ()

    def apply(self, rule, args, params):
        read, values = [], list(args)
        for j, a in enumerate(args):
            if type(a) is Var and a.sweep is self:
                read.append(j)
                values[j] = a.value
            elif isinstance(a, Differentiable) or type(a) is np.matrix:
                return Tape.apply(self, rule, args, params)  # another sweep: bind's way
        if type(values[0]) is not np.ndarray:  # Python numbers take compute's scalar path
            return Tape.apply(self, rule, args, params)
        try:
            w = rule.compute(*values, **params)
        except (TypeError, ValueError, IndexError):  # compute explains them: the reference way
            return Tape.apply(self, rule, args, params)
        shape = None if type(w) is float else getattr(w, "shape", ())  # shape_of, for a plain w
        if rule.partials is None:  # an array rule: its pullback sends the adjoints
            parents = tuple([(args[j].index, None) for j in read])
            entry = TapeEntry(parents, shape, Pullback(rule, read, values, w, params))
        else:
            parents = []
            for j in read:
                d = rule.partials[j](*values, w, **params)
                if type(d) is not float and not (type(d) is np.ndarray and d.dtype.char == "d"):
                    d = floating(d, w)
                parents.append((args[j].index, d))
            entry = TapeEntry(tuple(parents), shape)
        self.entries.append(entry)
        return Var(w, len(self.entries) - 1, self)
