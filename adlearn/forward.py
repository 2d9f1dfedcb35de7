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
from adlearn.inputs import argnums_tuple, as_output, as_primal, check_tangent, fresh, value_of
from adlearn.operators import ArrayBehaviour, call

__all__ = ["Dual", "ForwardSweep", "derivative", "jacfwd", "jvp"]


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
        values = [a.value if self.owns(a) else a for a in args]
        w = bind(rule, values, params)  # the value (through any outer sweep)
        if rule.partials is None:  # an array rule passes tangents on with its own JVP
            tangents = [a.tangent if self.owns(a) else None for a in args]
            return Dual(w, rule.jvp(values, tangents, w, **params), self)
        w_dot = None  # w_dot = sum_j partial_j * w_dot_j, over the arguments of this sweep
        for j, a in enumerate(args):
            if self.owns(a):
                term = rule.partial(j, values, w, params) * a.tangent
                w_dot = term if w_dot is None else w_dot + term
        return Dual(w, w_dot, self)


def _value_and_tangent(sweep, out, given):
    """The value of ``out`` and its tangent in this sweep (zero where ``out`` does
    not depend on the seed), as arrays of their own (neither ``given`` ones nor views)."""
    if not sweep.owns(out):
        as_output(out, "jvp")
        value = value_of(out)
        copy = out.copy() if isinstance(out, np.ndarray) else out  # never the caller's array
        return copy, 0.0 * out if isinstance(value, np.ndarray) else 0.0
    value, tangent = out.value, out.tangent
    if isinstance(value, float) and type(tangent) is float:  # np.float64 is a float too
        return value, tangent
    shape = np.shape(value_of(value))
    if np.shape(value_of(tangent)) != shape:
        tangent = np.broadcast_to(tangent, shape)
    return fresh(value, given), fresh(tangent, given)


def _sweep(f, primals, tangents, where, kwargs):
    """Run f once with dual numbers seeded by ``tangents`` (None: a constant)."""
    sweep = ForwardSweep()
    args = [p if t is None else Dual(p, t, sweep) for p, t in zip(primals, tangents)]
    out = call(f, args, kwargs)
    given = (*primals, *tangents)
    if isinstance(out, (tuple, list)):
        return tuple(zip(*(_value_and_tangent(sweep, as_output(o, where), given) for o in out)))
    as_output(out, where)
    return _value_and_tangent(sweep, out, given)


def jvp(f, primals, tangents):
    """Forward mode: f's value and its directional derivative, in one sweep.

    Parameters
    ----------
    f : callable
        A function of floats or arrays, returning a float, an array, or a tuple.
    primals, tangents : tuple
        The point, and the direction: one tangent per primal, of its shape.

    Returns
    -------
    (primal_out, tangent_out)

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> ad.jvp(np.sin, (0.0,), (1.0,))
    (0.0, 1.0)
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("jvp: primals and tangents must be tuples, as in jvp(f, (x,), (v,))")
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    primals = [as_primal(p, "jvp", i) for i, p in enumerate(primals)]
    tangents = [check_tangent(p, t, "jvp", i) for i, (p, t) in enumerate(zip(primals, tangents))]
    return _sweep(f, primals, tangents, "jvp", {})


def derivative(f, argnums=0):
    """Forward mode: the derivative of f in its argument ``argnums``.

    Every other argument is held fixed; keyword arguments are passed to f
    unchanged. For f elementwise over arrays, the result is the derivative at
    each entry (one sweep seeded with 1.0).

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> from adlearn.examples import running_example as f
    >>> print(f"{ad.derivative(f, 0)(2.0, 3.0):.4f}")
    2.5839
    >>> ad.derivative(np.sin)(np.array([0.0, np.pi]))
    array([ 1., -1.])
    """
    if not isinstance(argnums, int) or isinstance(argnums, bool):
        raise TypeError(f"derivative: argnums must be one int, got {argnums!r}")

    def df(*args, **kwargs):
        (n,) = argnums_tuple(argnums, len(args), "derivative")
        primals = [as_primal(a, "derivative", i) for i, a in enumerate(args)]
        seeds = [1.0 if i == n else None for i in range(len(args))]
        return _sweep(f, primals, seeds, "derivative", kwargs)[1]

    return df


def jacfwd(f, argnums=0):
    """Forward mode Jacobian, one column per sweep (one sweep per input entry).

    For ``y = f(x)``, the Jacobian has shape ``y.shape + x.shape``; with a
    tuple of argnums, a tuple of Jacobians.

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> J = ad.jacfwd(lambda x: x[0] * x[1] + np.sin(x))(np.array([2.0, 3.0]))
    >>> print(np.round(J, 4))
    [[2.5839 2.    ]
     [3.     1.01  ]]
    """

    def jac(*args, **kwargs):
        nums = argnums_tuple(argnums, len(args), "jacfwd")
        primals = [as_primal(a, "jacfwd", i) for i, a in enumerate(args)]
        per_argument = []
        for n in nums:
            x = primals[n]
            columns = []
            for k in range(np.size(x)):
                seed = np.zeros(np.shape(x))
                seed.flat[k] = 1.0
                seeds = [None] * len(primals)
                seeds[n] = seed if np.ndim(x) else 1.0
                columns.append(_sweep(f, primals, seeds, "jacfwd", kwargs)[1])
            if not columns:  # an empty input: no sweep, only the output's shape
                outputs = _sweep(f, primals, [None] * len(primals), "jacfwd", kwargs)[1]
                per_argument.append(_empty_jacobian(outputs, np.shape(x)))
            else:
                per_argument.append(_stack_columns(columns, np.shape(x)))
        if isinstance(argnums, int):
            return per_argument[0]
        if isinstance(per_argument[0], tuple):  # f returned a tuple: J[output][argument]
            return tuple(zip(*per_argument))
        return tuple(per_argument)

    return jac


def _empty_jacobian(outputs, in_shape):
    """Zeros of shape y.shape + x.shape for an input x with no entries."""
    if isinstance(outputs, tuple):
        return tuple(_empty_jacobian(y, in_shape) for y in outputs)
    return np.zeros(np.shape(value_of(outputs)) + in_shape)


def _stack_columns(columns, in_shape):
    """Columns d y / d x_k, one per entry of x, as an array y.shape + x.shape."""
    if isinstance(columns[0], tuple):  # f returned a tuple: one Jacobian per output
        return tuple(_stack_columns(list(c), in_shape) for c in zip(*columns))
    if not in_shape:
        return columns[0]
    # np.stack, not np.asarray: inside another derivative the columns are dual
    # numbers or tape variables, which np.stack differentiates
    stacked = np.stack(columns, axis=-1)
    return np.reshape(stacked, np.shape(value_of(columns[0])) + in_shape)
