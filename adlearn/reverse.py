"""Reverse mode: a tape records the computation, adjoints flow back down it.

Running f on tape variables appends one :class:`TapeEntry` per operation, in
evaluation order, as the tape of chapter 3: the units it read and its local
partials, ``parents = ((j, partial_j), ...)``. The backward sweep
(:meth:`Tape.backward`) walks the tape once, from the end, with a plain loop (no
recursion, so a million-step chain is fine) and sends each adjoint
``w_bar = df/dw`` to the units it read: ``w_bar_j += w_bar * partial_j``. A unit
read twice (x1 in the running example) receives two contributions that add up.
One sweep gives the whole gradient. Each call records a fresh tape, so calling
twice gives the same answer.

Examples
--------
>>> import numpy as np
>>> import adlearn as ad
>>> from adlearn.examples import running_example as f
>>> dx1, dx2 = ad.grad(f, argnums=(0, 1))(2.0, 3.0)
>>> print(f"{dx1:.6f} {dx2:.6f}")
2.583853 2.000000
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from adlearn.array_rules import broadcast_to, sum_to
from adlearn.dispatch import bind, new_level
from adlearn.inputs import argnums_tuple, as_output, as_primal, check_tangent, fresh, value_of
from adlearn.operators import ArrayBehaviour, call

__all__ = ["Tape", "TapeEntry", "Var", "grad", "jacrev", "value_and_grad", "vjp"]


class Var(ArrayBehaviour):
    """A tape variable: a value, and the index of its entry on the tape."""

    __slots__ = ("index",)

    def __init__(self, value, index, tape):
        self.value = value
        self.index = index
        self.sweep = tape

    def __repr__(self):
        return f"Var(value={self.value!r}, index={self.index})"


class TapeEntry(NamedTuple):
    """One operation on the tape.

    ``parents`` holds, for each unit it read, the unit's index and the local
    partial ``partial_j = dw/dw_j``. ``shape`` is the shape of its value (None for
    a Python float), to fit adjoints to the units' shapes. An array rule (sum,
    matmul, indexing) has no elementwise partials (each is None): its
    ``pullback`` sends the adjoints to the units it read itself.
    """

    parents: tuple
    shape: tuple | None = None
    pullback: Any = None


class Pullback:
    """The VJP rules of an array rule, bound to the values it was applied to."""

    __slots__ = ("args", "out", "params", "positions", "rule")

    def __init__(self, rule, positions, args, out, params):
        self.rule, self.positions, self.args = rule, positions, args
        self.out, self.params = out, params

    def __call__(self, w_bar):
        vjps, args = self.rule.vjps, self.args
        return [vjps[j](w_bar, *args, self.out, **self.params) for j in self.positions]


def shape_of(value):
    """The shape of a value, None for a Python float (the common scalar case)."""
    return None if type(value) is float else np.shape(value_of(value))


class Tape:
    """The record of one reverse-mode evaluation: its entries, in evaluation order."""

    __slots__ = ("entries", "level")

    def __init__(self):
        self.level = new_level()
        self.entries: list[TapeEntry] = []

    def __len__(self):
        return len(self.entries)

    def owns(self, x) -> bool:
        return type(x) is Var and x.sweep is self

    def input(self, value) -> Var:
        """A new input: an entry that reads no unit."""
        return self.append(TapeEntry((), shape_of(value)), value)

    def append(self, entry: TapeEntry, value) -> Var:
        self.entries.append(entry)
        return Var(value, len(self.entries) - 1, self)

    def apply(self, rule, args, params):
        """Apply ``rule`` to ``args``, some of them variables of this tape, and record it."""
        values = [a.value if self.owns(a) else a for a in args]
        w = bind(rule, values, params)  # the value (through any outer sweep)
        read = [j for j, a in enumerate(args) if self.owns(a)]
        if rule.partials is None:  # an array rule: its pullback sends the adjoints
            parents = tuple((args[j].index, None) for j in read)
            pullback = Pullback(rule, read, values, w, params)
            return self.append(TapeEntry(parents, shape_of(w), pullback), w)
        parents = tuple((args[j].index, rule.partial(j, values, w, params)) for j in read)
        return self.append(TapeEntry(parents, shape_of(w)), w)

    def backward(self, out: int, seed) -> list:
        """The adjoint of every entry up to ``out``, given the adjoint ``seed`` of
        entry ``out`` (None for an entry that ``out`` does not depend on)."""
        entries = self.entries
        w_bar: list = [None] * (out + 1)
        w_bar[out] = seed
        for i in reversed(range(out + 1)):
            entry = entries[i]
            if w_bar[i] is None or not entry.parents:
                continue
            if entry.pullback is None:  # w_bar_j += w_bar_i * partial_j
                sent = [(j, fit(w_bar[i] * partial, entries[j].shape, entry.shape))
                        for j, partial in entry.parents]  # fmt: skip
            else:  # an array rule sends adjoints at its operands' shapes
                sent = zip([j for j, _ in entry.parents], entry.pullback(w_bar[i]))
            for j, contribution in sent:
                w_bar[j] = contribution if w_bar[j] is None else w_bar[j] + contribution
        return w_bar


def fit(adjoint, shape, full):
    """An adjoint sent to a unit of ``shape`` by an operation of shape ``full``.

    Where the unit was broadcast to the operation's shape, each of its entries
    gets the sum of the entries it was broadcast to. ``adjoint`` may also be
    smaller than ``full`` (a scalar seed stands for every entry).
    """
    if shape == full or not (shape or full):  # () and None (a Python float) agree
        return adjoint
    shape, full = shape or (), full or ()
    if np.shape(value_of(adjoint)) != full:
        adjoint = broadcast_to(adjoint, shape=full)
    return sum_to(adjoint, shape=shape)


def _adjoint_of_input(adjoint, primal, given):
    """The adjoint of an input, at the input's shape and type, as an array of its
    own (not one of the ``given`` arrays the caller passed in, nor a view)."""
    if type(primal) is float and type(adjoint) is float:  # the common scalar case
        return adjoint
    shape = np.shape(value_of(primal))
    if adjoint is None:
        return 0.0 if type(primal) is float else np.zeros(shape)
    if np.shape(value_of(adjoint)) != shape:
        adjoint = np.broadcast_to(adjoint, shape)
    if type(primal) is float and isinstance(adjoint, (np.floating, np.ndarray)):
        return float(adjoint)
    return fresh(adjoint, given)


def _record(f, args, kwargs, nums, where):
    """Run f with the arguments ``nums`` on a new tape; return (tape, inputs, out, primals)."""
    primals = [as_primal(a, where, i) for i, a in enumerate(args)]
    tape = Tape()
    on_tape = list(primals)
    inputs = []
    for n in nums:
        on_tape[n] = x = tape.input(primals[n])
        inputs.append(x)
    out = call(f, on_tape, kwargs)
    as_output(out, where)
    return tape, inputs, out, primals


def _pull(tape, inputs, out, primals, nums, seed):
    """Adjoints of the inputs ``nums`` for the output adjoint ``seed``."""
    given = (*primals, seed)
    if not tape.owns(out):
        return tuple(_adjoint_of_input(None, primals[n], given) for n in nums)
    w_bar = tape.backward(out.index, seed)
    return tuple(_adjoint_of_input(w_bar[x.index], primals[n], given) for x, n in zip(inputs, nums))


def _value(out, tape, primals=()):
    """f's value, as an array of its own where f returned an input or a constant."""
    if tape.owns(out):
        return fresh(out.value, primals)
    return out.copy() if isinstance(out, np.ndarray) else out


def value_and_grad(f, argnums=0):
    """Reverse mode: f's value and its gradient, from one forward and one backward sweep.

    f must return a scalar. The gradient has the shape of its input; with a
    tuple of argnums it is a tuple of gradients. Keyword arguments are passed
    to f and not differentiated.

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> value, g = ad.value_and_grad(lambda x: np.sum(x**2))(np.array([1.0, 2.0]))
    >>> print(value, g)
    5.0 [2. 4.]
    """

    def vg(*args, **kwargs):
        nums = argnums_tuple(argnums, len(args), "grad")
        tape, inputs, out, primals = _record(f, args, kwargs, nums, "grad")
        value = _value(out, tape, primals)
        if type(value) is not float and np.ndim(value_of(value)) != 0:
            raise ValueError(
                f"grad: the function must return a scalar, but it returned shape "
                f"{np.shape(value_of(value))}; use ad.jacrev or ad.vjp for array outputs"
            )
        grads = _pull(tape, inputs, out, primals, nums, 1.0)
        return value, grads[0] if isinstance(argnums, int) else grads

    return vg


def grad(f, argnums=0):
    """Reverse mode: the gradient of a scalar function f.

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> from adlearn.examples import running_example as f
    >>> ad.grad(f, argnums=(0, 1))(0.0, 5.0)
    (6.0, 0.0)
    """
    vg = value_and_grad(f, argnums)

    def g(*args, **kwargs):
        return vg(*args, **kwargs)[1]

    return g


def vjp(f, *primals):
    """Reverse mode: f's value and a function that pulls cotangents back.

    ``vjp_fn(cotangent)`` returns one array per primal: ``cotangent @ J``.
    It can be called any number of times; each call walks the same tape.

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> y, vjp_fn = ad.vjp(lambda x: x * x, np.array([1.0, 2.0, 3.0]))
    >>> vjp_fn(np.array([1.0, 0.0, 1.0]))
    (array([2., 0., 6.]),)
    """
    nums = tuple(range(len(primals)))
    tape, inputs, out, plain = _record(f, primals, {}, nums, "vjp")
    value = _value(out, tape, plain)

    def vjp_fn(cotangent):
        ct = check_tangent(value_of(value), cotangent, "vjp", 0)
        return _pull(tape, inputs, out, plain, nums, ct)

    return value, vjp_fn


def jacrev(f, argnums=0):
    """Reverse mode Jacobian, one row per backward sweep (one per output entry).

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> J = ad.jacrev(lambda x: x[0] * x[1] + np.sin(x))(np.array([2.0, 3.0]))
    >>> print(np.round(J, 4))
    [[2.5839 2.    ]
     [3.     1.01  ]]
    """

    def jac(*args, **kwargs):
        nums = argnums_tuple(argnums, len(args), "jacrev")
        tape, inputs, out, primals = _record(f, args, kwargs, nums, "jacrev")
        y = value_of(_value(out, tape))
        if np.size(y) == 0:  # an empty output: no sweep, only the shapes
            jacobians = [np.zeros(np.shape(y) + np.shape(value_of(primals[n]))) for n in nums]
            return jacobians[0] if isinstance(argnums, int) else tuple(jacobians)
        rows = []
        for k in range(np.size(y)):
            seed = np.zeros(np.shape(y))
            seed.flat[k] = 1.0
            rows.append(_pull(tape, inputs, out, primals, nums, seed if np.ndim(y) else 1.0))
        jacobians = []
        for j, n in enumerate(nums):
            if not np.ndim(y):
                jacobians.append(rows[0][j])
            else:
                # np.stack, not np.asarray: inside another derivative the rows are
                # dual numbers or tape variables, which np.stack differentiates
                stacked = np.stack([r[j] for r in rows])
                jacobians.append(np.reshape(stacked, np.shape(y) + np.shape(value_of(primals[n]))))
        return jacobians[0] if isinstance(argnums, int) else tuple(jacobians)

    return jac
