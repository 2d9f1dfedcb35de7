"""Forward mode: dual numbers carry a tangent up the computation.

A :class:`Dual` holds a ``value`` and its ``tangent`` ``w_dot = dw/dx`` for one
chosen direction, as the Dual of chapter 2. Each operation adds up its local
partials times the tangents of its arguments: ``w_dot = sum_j partial_j *
w_dot_j`` (:meth:`ForwardSweep.apply`). One sweep gives the derivative along
one direction, so a gradient of N inputs takes N sweeps.

Each sweep is an object of its own, so nested derivatives never mix their
tangents:

>>> import adlearn as ad
>>> ad.derivative(lambda x: x * ad.derivative(lambda y: x + y)(1.0))(5.0)
1.0

Examples
--------
>>> import numpy as np
>>> from adlearn.examples import running_example as f
>>> value, tangent = ad.jvp(f, (2.0, 3.0), (1.0, 0.0))
>>> round(value, 6), round(tangent, 6)
(6.909297, 2.583853)
"""

from __future__ import annotations

import numpy as np

from adlearn.dispatch import bind, new_level
from adlearn.inputs import (
    a_function,
    argnums_positions,
    as_output,
    as_primal,
    check_tangent,
    fresh,
    in_dtype_of,
    value_of,
)
from adlearn.operators import ArrayBehaviour, call
from adlearn.pytree import LEAF, checked_leaves, flatten, is_leaf, leaf_paths, unflatten

__all__ = ["Dual", "ForwardSweep", "checked_pairs", "derivative", "jacfwd", "jvp"]


class Dual(ArrayBehaviour):
    """A dual number: a value and its tangent, for one forward sweep.

    The tangent may be a scalar standing for an array of its value's shape (a
    seed of 1.0 for every entry); ``jvp`` returns it at its full shape.
    """

    __slots__ = ("tangent",)

    def __init__(self, value, tangent, sweep):
        self.value = value
        self.tangent = tangent
        self.sweep = sweep

    def __repr__(self):
        return f"Dual(value={self.value!r}, tangent={self.tangent!r})"


class ForwardSweep:
    """One forward sweep: the dual numbers it makes carry its tangents."""

    __slots__ = ("level",)

    def __init__(self):
        self.level = new_level()

    def owns(self, x) -> bool:
        return type(x) is Dual and x.sweep is self

    def apply(self, rule, args, params):
        """Apply ``rule`` to ``args``, some of them dual numbers of this sweep."""
        read, values = [], list(args)  # the dual numbers of this sweep; every argument's value
        for j, a in enumerate(args):
            if self.owns(a):
                read.append(j)
                values[j] = a.value
        w = bind(rule, values, params)  # the value (through any outer sweep)
        if rule.partials is None:  # an array rule passes tangents on with its own JVP
            tangents = [None] * len(args)  # None for a constant
            for j in read:
                tangents[j] = args[j].tangent
            return Dual(w, rule.jvp(values, tangents, w, **params), self)
        w_dot = None  # w_dot = sum_j partial_j * w_dot_j
        for j in read:
            term = rule.partial(j, values, w, params) * args[j].tangent
            w_dot = term if w_dot is None else w_dot + term
        return Dual(w, w_dot, self)


def _value_and_tangent(sweep, out, given):
    """The value of ``out`` and its tangent in this sweep (zero where ``out`` does
    not depend on the seed), as arrays of their own (neither ``given`` ones nor views);
    the tangent has the value's floating dtype (float32 for a float32 value)."""
    if not sweep.owns(out):
        value = value_of(out)
        copy = out.copy() if isinstance(out, np.ndarray) else out  # never the caller's array
        return copy, 0.0 * out if isinstance(value, np.ndarray) else 0.0
    value, tangent = out.value, out.tangent
    if isinstance(value, float) and type(tangent) is float:  # np.float64 is a float too
        return value, tangent
    shape = np.shape(value_of(value))
    if np.shape(value_of(tangent)) != shape:
        tangent = np.broadcast_to(tangent, shape)
    return fresh(value, given), fresh(in_dtype_of(tangent, value_of(value)), given)


def _sweep(f, args, tangents, where, kwargs):
    """Run f once on dual numbers: each leaf of ``args[n]`` whose tangent (the leaf
    of ``tangents[n]`` at the same place) is not None is seeded with it.

    Returns f's output and its tangent, both of f's output structure.
    """
    sweep = ForwardSweep()
    on_duals = list(args)
    given = set()  # the ids of the caller's arrays: no result may be one of them
    for n, tangent in enumerate(tangents):
        if tangent is None:
            continue
        primals, structure = flatten(args[n])
        seeds = flatten(tangent)[0]
        on_duals[n] = unflatten(
            structure, [p if t is None else Dual(p, t, sweep) for p, t in zip(primals, seeds)]
        )
        given.update(map(id, [*primals, *seeds]))
    outputs, structure = flatten(call(f, on_duals, kwargs))
    pairs = [_value_and_tangent(sweep, as_output(y, where), given) for y in outputs]
    return unflatten(structure, [v for v, _ in pairs]), unflatten(structure, [t for _, t in pairs])


def _check_arguments(args, where, nums=None):
    """Each argument checked, leaf by leaf: (the arguments, their leaves, their structures).

    A container that is not differentiated (not in ``nums``) goes to f as it is."""
    checked = [checked_leaves(a, where, n, as_primal) if nums is None or n in nums or is_leaf(a)
               else ([a], LEAF) for n, a in enumerate(args)]  # fmt: skip
    leaves = [c[0] for c in checked]
    structures = [c[1] for c in checked]
    return [unflatten(s, x) for s, x in zip(structures, leaves)], leaves, structures


def jvp(f, primals, tangents):
    """Forward mode: f's value and its directional derivative, in one sweep.

    Parameters
    ----------
    f : callable
        A function of floats or arrays (or containers of them: nested lists,
        tuples and dicts), returning the same kinds of values.
    primals, tangents : tuple
        The point, and the direction: one tangent per primal, of its shape
        (and, for a container, of its structure).

    Returns
    -------
    (primal_out, tangent_out)

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> ad.jvp(np.sin, (0.0,), (1.0,))
    (0.0, 1.0)
    >>> ad.jvp(lambda p: p["a"] * p["b"], ({"a": 2.0, "b": 3.0},), ({"a": 1.0, "b": 0.0},))
    (6.0, 3.0)
    """
    a_function(f, "jvp")
    args, seeds = checked_pairs(primals, tangents, "jvp")
    return _sweep(f, args, seeds, "jvp", {})


def checked_pairs(primals, tangents, where):
    """The primals and tangents of ``jvp`` (or ``hvp``), checked leaf by leaf: one
    tangent per primal, of its structure, each leaf of its primal's shape."""
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError(
            f"{where}: primals and tangents must be tuples, as in {where}(f, (x,), (v,))"
        )
    if len(primals) != len(tangents):
        raise ValueError(f"{where}: {len(primals)} primals but {len(tangents)} tangents")
    args, leaves, structures = _check_arguments(primals, where)
    seeds = []
    for n, t in enumerate(tangents):
        t_leaves, t_structure = flatten(t)
        if t_structure != structures[n]:
            raise TypeError(
                f"{where}: tangent {n} must have the structure of primal {n} "
                f"(a {type(primals[n]).__name__}), got a {type(t).__name__}"
            )
        if t_structure is None:
            seeds.append(check_tangent(leaves[n][0], t, where, n))
        else:
            paths = leaf_paths(t)
            checked = [check_tangent(p, x, where, f"{n}{path}")
                       for p, x, path in zip(leaves[n], t_leaves, paths)]  # fmt: skip
            seeds.append(unflatten(t_structure, checked))
    return args, seeds


def derivative(f, argnums=0):
    """Forward mode: the derivative of f in its argument ``argnums``.

    Every other argument is held fixed (it may be a container: nested lists,
    tuples and dicts); keyword arguments are passed to f unchanged. For f
    elementwise over arrays, the result is the derivative at each entry (one
    sweep seeded with 1.0). f may return a container; the result has its
    structure.

    The argument differentiated must be a float or an array: a sweep seeded
    with 1.0 in every leaf of a container would add up the partials in all of
    its leaves, which is no derivative of any one of them. For a container,
    ``ad.jvp`` takes a tangent of its structure, and ``ad.jacfwd`` gives every
    partial.

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> from adlearn.examples import running_example as f
    >>> print(f"{ad.derivative(f, 0)(2.0, 3.0):.4f}")
    2.5839
    >>> ad.derivative(np.sin)(np.array([0.0, np.pi]))
    array([ 1., -1.])
    >>> ad.derivative(lambda x, p: p["a"] * x**2)(3.0, {"a": 2.0})
    12.0
    """
    a_function(f, "derivative")
    if not isinstance(argnums, int) or isinstance(argnums, bool):
        raise TypeError(f"derivative: argnums must be one int, got {argnums!r}")

    positions = argnums_positions(argnums, "derivative")

    def df(*args, **kwargs):
        (n,) = positions(len(args))
        if not is_leaf(args[n]):
            raise TypeError(
                f"derivative: argument {n} is a {type(args[n]).__name__}; derivative seeds one "
                "float or array with 1.0, and a container has no single direction to seed: "
                f"use ad.jvp with a tangent of its structure, or ad.jacfwd for every partial"
            )
        primals = [a if i != n and not is_leaf(a) else as_primal(a, "derivative", i)
                   for i, a in enumerate(args)]  # fmt: skip
        seeds = [1.0 if i == n else None for i in range(len(args))]
        return _sweep(f, primals, seeds, "derivative", kwargs)[1]

    return df


def jacfwd(f, argnums=0):
    """Forward mode Jacobian, one column per sweep (one sweep per input entry).

    For ``y = f(x)``, the Jacobian has shape ``y.shape + x.shape``; with a
    tuple of argnums, a tuple of Jacobians. For containers (as JAX does), the
    result is f's output structure with, in place of each output, the
    argument's structure with, in place of each leaf, that block of the Jacobian.

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> J = ad.jacfwd(lambda x: x[0] * x[1] + np.sin(x))(np.array([2.0, 3.0]))
    >>> print(np.round(J, 4))
    [[2.5839 2.    ]
     [3.     1.01  ]]
    """
    a_function(f, "jacfwd")

    positions = argnums_positions(argnums, "jacfwd")

    def jac(*args, **kwargs):
        nums = positions(len(args))
        args, leaves, structures = _check_arguments(args, "jacfwd", nums)
        out = None  # f's output, from the first sweep
        columns = {}  # (argument, leaf) -> one column (a list of output leaves) per entry
        for n in nums:
            for i, x in enumerate(leaves[n]):
                columns[n, i] = []
                for k in range(np.size(value_of(x))):
                    one_hot = [None] * len(leaves[n])
                    one_hot[i] = np.zeros(np.shape(value_of(x))) if np.ndim(value_of(x)) else 1.0
                    if np.ndim(value_of(x)):
                        one_hot[i].flat[k] = 1.0
                    seeds: list = [None] * len(args)
                    seeds[n] = unflatten(structures[n], one_hot)
                    out, tangent = _sweep(f, args, seeds, "jacfwd", kwargs)
                    columns[n, i].append(flatten(tangent)[0])
        if out is None:  # no input has an entry: a sweep for the output's shape only
            out = _sweep(f, args, [None] * len(args), "jacfwd", kwargs)[0]
        outputs, out_structure = flatten(out)
        per_output = []
        for o, y in enumerate(outputs):
            y_shape = np.shape(value_of(y))
            trees = []
            for n in nums:
                blocks = [_stack_columns([c[o] for c in columns[n, i]], y_shape, np.shape(value_of(x)))
                          for i, x in enumerate(leaves[n])]  # fmt: skip
                trees.append(unflatten(structures[n], blocks))
            per_output.append(trees[0] if isinstance(argnums, int) else tuple(trees))
        return unflatten(out_structure, per_output)

    return jac


def _stack_columns(columns, y_shape, x_shape):
    """Columns d y / d x_k, one per entry of x, as an array y.shape + x.shape."""
    if not columns:  # an input with no entries: no sweep, only the shapes
        return np.zeros(y_shape + x_shape)
    if not x_shape:
        return columns[0]
    # np.stack, not np.asarray: inside another derivative the columns are dual
    # numbers or tape variables, which np.stack differentiates
    return np.reshape(np.stack(columns, axis=-1), y_shape + x_shape)
