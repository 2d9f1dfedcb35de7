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
from adlearn.inputs import (
    a_function,
    argnums_positions,
    as_output,
    as_primal,
    check_tangent,
    describe,
    fresh,
    in_dtype_of,
    value_of,
)  # fmt: skip
from adlearn.operators import ArrayBehaviour, call
from adlearn.pytree import checked_leaves, flatten, is_leaf, tree_map, unflatten

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


class TapeEntry:
    """One operation on the tape.

    ``parents`` holds, for each unit it read, the unit's index and the local
    partial ``partial_j = dw/dw_j``. ``shape`` is the shape of its value (None for
    a Python float), to fit adjoints to the units' shapes. An array rule (sum,
    matmul, indexing) has no elementwise partials (each is None): its
    ``pullback`` sends the adjoints to the units it read itself.
    """

    __slots__ = ("parents", "pullback", "shape")

    def __init__(self, parents: tuple, shape: tuple | None = None, pullback: Any = None):
        self.parents = parents
        self.shape = shape
        self.pullback = pullback

    def __repr__(self):
        return f"TapeEntry(parents={self.parents!r}, shape={self.shape!r})"


class Pullback:
    """The VJP rules of an array rule, bound to the values it was applied to."""

    __slots__ = ("args", "out", "params", "positions", "rule")

    def __init__(self, rule, positions, args, out, params):
        self.rule, self.positions, self.args = rule, positions, args
        self.out, self.params = out, params

    def __call__(self, w_bar):
        vjps = self.rule.vjps
        operands = (w_bar, *self.args, self.out)  # once: stack may read thousands of units
        return [vjps[j](*operands, **self.params) for j in self.positions]


def shape_of(value):
    """The shape of a value, None for a Python float (the common scalar case)."""
    return None if type(value) is float else getattr(value_of(value), "shape", ())


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
        read, values = [], list(args)  # the units it reads; the values of all arguments
        for j, a in enumerate(args):
            if self.owns(a):
                read.append(j)
                values[j] = a.value
        w = bind(rule, values, params)  # the value (through any outer sweep)
        if rule.partials is None:  # an array rule: its pullback sends the adjoints
            parents = tuple([(args[j].index, None) for j in read])
            pullback = Pullback(rule, read, values, w, params)
            return self.append(TapeEntry(parents, shape_of(w), pullback), w)
        parents = tuple([(args[j].index, rule.partial(j, values, w, params)) for j in read])
        return self.append(TapeEntry(parents, shape_of(w)), w)

    def backward(self, seeds: dict) -> list:
        """The adjoint of every entry, given the adjoints of the outputs (``seeds``,
        by entry index); None for an entry the outputs do not depend on."""
        entries = self.entries
        w_bar: list = [None] * (max(seeds) + 1)
        for out, seed in seeds.items():
            w_bar[out] = seed
        for i in reversed(range(len(w_bar))):
            entry = entries[i]
            if w_bar[i] is None or not entry.parents:
                continue
            if entry.pullback is None:  # w_bar_j += w_bar_i * partial_j
                for j, partial in entry.parents:
                    contribution = w_bar[i] * partial
                    if entries[j].shape != entry.shape:  # unit j was broadcast, or w_bar a scalar
                        contribution = fit(contribution, entries[j].shape, entry.shape)
                    w_bar[j] = contribution if w_bar[j] is None else w_bar[j] + contribution
            else:  # an array rule sends adjoints at its operands' shapes
                for (j, _), contribution in zip(entry.parents, entry.pullback(w_bar[i])):
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
    """The adjoint of an input, at the input's shape, type and floating dtype (float32
    for a float32 input), as an array of its own (not one of the arrays the caller
    passed in, whose ids are ``given``, nor a view)."""
    if type(primal) is float and type(adjoint) is float:  # the common scalar case
        return adjoint
    shape = np.shape(value_of(primal))
    if adjoint is None:
        return 0.0 if type(value_of(primal)) is float else in_dtype_of(np.zeros(shape), primal)
    if np.shape(value_of(adjoint)) != shape:
        adjoint = np.broadcast_to(adjoint, shape)
    if type(primal) is float and isinstance(adjoint, (np.floating, np.ndarray)):
        return float(adjoint)
    adjoint = in_dtype_of(adjoint, value_of(primal))
    if type(primal) is np.ndarray and isinstance(adjoint, (float, np.floating)):
        return np.array(adjoint, dtype=primal.dtype)  # a 0-d array in, a 0-d array out
    return fresh(adjoint, given)


class Recording(NamedTuple):
    """One run of f on a tape: for each differentiated argument, its structure,
    its leaves and their input variables; f's output; the ids of the leaves
    (no result may be one of them)."""

    tape: Tape
    structures: list
    leaves: list
    inputs: list
    out: Any
    given: set


def _record(f, args, kwargs, nums, where) -> Recording:
    """Run f on a new tape, with every leaf of the arguments ``nums`` an input."""
    args = [a if n in nums or not is_leaf(a) else as_primal(a, where, n) for n, a in enumerate(args)]
    structures, leaves, given = [], [], set()
    for n in nums:
        primals, structure = checked_leaves(args[n], where, n, as_primal)
        structures.append(structure)
        leaves.append(primals)
        given.update(map(id, primals))
    # on arrays, the same tape recorded with fewer calls (adlearn/fast_record.py)
    tape = ArrayTape() if _has_arrays(leaves) else Tape()
    inputs = []
    for n, structure, primals in zip(nums, structures, leaves):
        variables = [tape.input(p) for p in primals]
        args[n] = unflatten(structure, variables)
        inputs.append(variables)
    out = call(f, args, kwargs)
    return Recording(tape, structures, leaves, inputs, out, given)


def _adjoints(rec: Recording, outputs, seeds) -> list[list]:
    """For each differentiated argument, the adjoints of its leaves, given the
    adjoints ``seeds`` of the output leaves ``outputs``: one backward sweep."""
    tape = rec.tape
    by_entry: dict = {}
    for y, seed in zip(outputs, seeds):
        if tape.owns(y):  # an output that is the same unit twice gets both seeds
            by_entry[y.index] = seed if y.index not in by_entry else by_entry[y.index] + seed
    # on arrays, the same sweep with less memory traffic (adlearn/fast_backward.py)
    backward = fast_backward.backward if _has_arrays(rec.leaves) else Tape.backward
    w_bar = backward(tape, by_entry) if by_entry else []
    given = rec.given.union(map(id, seeds))
    return [
        [_adjoint_of_input(w_bar[x.index] if x.index < len(w_bar) else None, p, given)
         for x, p in zip(variables, primals)]
        for variables, primals in zip(rec.inputs, rec.leaves)
    ]  # fmt: skip


def _has_arrays(leaves) -> bool:
    return any(isinstance(p, np.ndarray) for primals in leaves for p in primals)


def _value(y, tape, given=frozenset()):
    """An output's value, as an array of its own where f returned an input or a constant."""
    if tape.owns(y):
        return fresh(y.value, given)
    return y.copy() if isinstance(y, np.ndarray) else y


def _plain(tree, tape, given):
    """``tree`` with the variables of ``tape`` replaced by their values (for has_aux),
    none of them one of the caller's arrays (whose ids are ``given``)."""
    return tree_map(lambda y: _value(y, tape, given), tree)


def value_and_grad(f, argnums=0, has_aux=False):
    """Reverse mode: f's value and its gradient, from one forward and one backward sweep.

    f must return a scalar. The gradient has the shape of its input; with a
    tuple of argnums it is a tuple of gradients. An argument may be a container
    (nested lists, tuples and dicts of floats and arrays, such as a network's
    parameters): its gradient is a container of the same structure. Keyword
    arguments are passed to f and not differentiated. With ``has_aux=True``, f
    returns a pair ``(value, aux)``, and the result is ``((value, aux), gradient)``.

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> value, g = ad.value_and_grad(lambda x: np.sum(x**2))(np.array([1.0, 2.0]))
    >>> print(value, g)
    5.0 [2. 4.]
    >>> loss = lambda p: (p["w"] * 2.0 + p["b"] - 1.0) ** 2
    >>> ad.value_and_grad(loss)({"w": 1.0, "b": 0.0})
    (1.0, {'w': 4.0, 'b': 2.0})
    """
    a_function(f, "value_and_grad")

    positions = argnums_positions(argnums, "grad")

    def vg(*args, **kwargs):
        rec = _record(f, args, kwargs, positions(len(args)), "grad")
        out, aux = rec.out, None
        if has_aux:
            if not (isinstance(out, (tuple, list)) and len(out) == 2):
                raise TypeError(
                    "grad: with has_aux=True the function must return a pair (value, aux), "
                    f"but it returned {describe(out)}"
                )
            out, aux = out
        as_output(out, "grad")
        value = _value(out, rec.tape, rec.given)
        if type(value) is not float and np.ndim(value_of(value)) != 0:
            raise ValueError(
                f"grad: the function must return a scalar, but it returned shape "
                f"{np.shape(value_of(value))}; use ad.jacrev or ad.vjp for array outputs"
            )
        # the seed dy/dy = 1, in y's floating dtype: float32 stays float32 along the sweep
        adjoints = _adjoints(rec, [out], [in_dtype_of(1.0, value_of(value))])
        grads = [unflatten(s, a) for s, a in zip(rec.structures, adjoints)]
        g = grads[0] if isinstance(argnums, int) else tuple(grads)
        return ((value, _plain(aux, rec.tape, rec.given)), g) if has_aux else (value, g)

    return vg


def grad(f, argnums=0, has_aux=False):
    """Reverse mode: the gradient of a scalar function f.

    With ``has_aux=True``, f returns ``(value, aux)`` and the result is
    ``(gradient, aux)``. See :func:`value_and_grad` for containers of parameters.

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> from adlearn.examples import running_example as f
    >>> ad.grad(f, argnums=(0, 1))(0.0, 5.0)
    (6.0, 0.0)
    >>> ad.grad(lambda p: p[0] * p[1])([2.0, 3.0])
    [3.0, 2.0]
    """
    a_function(f, "grad")
    vg = value_and_grad(f, argnums, has_aux)

    def g(*args, **kwargs):
        if has_aux:
            (_, aux), gradient = vg(*args, **kwargs)
            return gradient, aux
        return vg(*args, **kwargs)[1]

    return g


def vjp(f, *primals):
    """Reverse mode: f's value and a function that pulls cotangents back.

    ``vjp_fn(cotangent)`` returns one entry per primal: ``cotangent @ J``. The
    cotangent has the structure of f's output (a float, an array, or a
    container of them); each entry has the structure of its primal. It can be
    called any number of times; each call walks the same tape.

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> y, vjp_fn = ad.vjp(lambda x: x * x, np.array([1.0, 2.0, 3.0]))
    >>> vjp_fn(np.array([1.0, 0.0, 1.0]))
    (array([2., 0., 6.]),)
    """
    a_function(f, "vjp")
    nums = tuple(range(len(primals)))
    rec = _record(f, primals, {}, nums, "vjp")
    outputs, structure = flatten(rec.out)
    for y in outputs:
        as_output(y, "vjp")
    value = unflatten(structure, [_value(y, rec.tape, rec.given) for y in outputs])

    def vjp_fn(cotangent):
        seeds, ct_structure = flatten(cotangent)
        if ct_structure != structure:
            raise TypeError(
                "vjp: the cotangent must have the structure of the function's output "
                f"({describe(rec.out)}), got {describe(cotangent)}"
            )
        seeds = [check_tangent(value_of(_value(y, rec.tape)), s, "vjp", k)
                 for k, (y, s) in enumerate(zip(outputs, seeds))]  # fmt: skip
        adjoints = _adjoints(rec, outputs, seeds)
        return tuple(unflatten(s, a) for s, a in zip(rec.structures, adjoints))

    return value, vjp_fn


def jacrev(f, argnums=0):
    """Reverse mode Jacobian, one row per backward sweep (one per output entry).

    For ``y = f(x)``, the Jacobian has shape ``y.shape + x.shape``; with a tuple
    of argnums, a tuple of Jacobians. For containers (as JAX does), the result
    is f's output structure with, in place of each output, the argument's
    structure with, in place of each leaf, that block of the Jacobian.

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> J = ad.jacrev(lambda x: x[0] * x[1] + np.sin(x))(np.array([2.0, 3.0]))
    >>> print(np.round(J, 4))
    [[2.5839 2.    ]
     [3.     1.01  ]]
    """
    a_function(f, "jacrev")

    positions = argnums_positions(argnums, "jacrev")

    def jac(*args, **kwargs):
        rec = _record(f, args, kwargs, positions(len(args)), "jacrev")
        outputs, out_structure = flatten(rec.out)
        blocks = []
        for y in outputs:
            y_shape = np.shape(value_of(_value(as_output(y, "jacrev"), rec.tape)))
            rows = []
            for k in range(int(np.prod(y_shape))):
                seed = np.zeros(y_shape)
                seed.flat[k] = 1.0
                rows.append(_adjoints(rec, [y], [seed if y_shape else 1.0]))
            per_argument = []
            for a, (structure, primals) in enumerate(zip(rec.structures, rec.leaves)):
                per_leaf = [_stack_rows([r[a][i] for r in rows], y_shape, np.shape(value_of(p)))
                            for i, p in enumerate(primals)]  # fmt: skip
                per_argument.append(unflatten(structure, per_leaf))
            blocks.append(per_argument[0] if isinstance(argnums, int) else tuple(per_argument))
        return unflatten(out_structure, blocks)

    return jac


def _stack_rows(rows, y_shape, x_shape):
    """Rows d y_k / d x, one per entry of y, as an array y.shape + x.shape."""
    if not rows:  # an empty output: no sweep, only the shapes
        return np.zeros(y_shape + x_shape)
    if not y_shape:
        return rows[0]
    # np.stack, not np.asarray: inside another derivative the rows are dual
    # numbers or tape variables, which np.stack differentiates
    return np.reshape(np.stack(rows), y_shape + x_shape)


# The measured fast paths for arrays build on the classes above: imported last.
from adlearn import fast_backward
from adlearn.fast_record import ArrayTape
