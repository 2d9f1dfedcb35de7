"""Forward mode: dual numbers carry a tangent up the computation.

A :class:`Dual` holds a value ``primal`` and its tangent ``w_dot = dw/dx`` for
one chosen direction. Each primitive adds up its local partials times the
tangents of its arguments: ``w_dot = sum_j dw/dw_j * w_dot_j``. One sweep gives
the derivative along one direction, so a gradient of N inputs takes N sweeps.

Each sweep has its own tag, so nested derivatives never mix their tangents:

>>> import adlearn as ad
>>> ad.derivative(lambda x: x * ad.derivative(lambda y: x + y)(1.0))(5.0)
1.0

Examples
--------
>>> import numpy as np
>>> def f(x1, x2):
...     return x1 * x2 + np.sin(x1)
>>> primal, tangent = ad.jvp(f, (2.0, 3.0), (1.0, 0.0))
>>> round(primal, 6), round(tangent, 6)
(6.909297, 2.583853)
"""

from __future__ import annotations

import numpy as np

from adlearn.boxes import TracedValue
from adlearn.dispatch import bind, new_level
from adlearn.inputs import argnums_tuple, as_output, as_primal, check_tangent, fresh
from adlearn.rules import primal_value

__all__ = ["Dual", "derivative", "jacfwd", "jvp"]


def times(g, d):
    """``g * d``, skipping the multiplications by one that the chain rule is full of."""
    if type(d) is float:
        if d == 1.0:
            return g
        if d == -1.0:
            return -g
    elif type(g) is float and g == 1.0:
        return d
    return g * d


class ForwardTag:
    """One forward sweep: the tag its dual numbers carry."""

    __slots__ = ("level",)

    def __init__(self):
        self.level = new_level()

    def process(self, prim, args, params):
        """Apply ``prim`` to arguments, some of them dual numbers of this sweep."""
        # The common one- and two-argument cases are spelled out: every
        # operation of a sweep passes here.
        if len(args) == 2:
            a, b = args
            if type(a) is Dual and a._tag is self:
                if type(b) is Dual and b._tag is self:
                    primals, tangents = (a.primal, b.primal), (a.tangent, b.tangent)
                else:
                    primals, tangents = (a.primal, b), (a.tangent, None)
            else:
                primals, tangents = (a, b.primal), (None, b.tangent)
        elif len(args) == 1:
            primals, tangents = (args[0].primal,), (args[0].tangent,)
        else:
            mine = [type(a) is Dual and a._tag is self for a in args]
            primals = tuple(a.primal if m else a for a, m in zip(args, mine))
            tangents = tuple(a.tangent if m else None for a, m in zip(args, mine))
        out = bind(prim, primals, params)
        partials = prim.partials
        if partials is None:
            return Dual(out, prim.jvp(primals, tangents, out, **params), self)
        tangent = None
        for partial, t in zip(partials, tangents):
            if t is None:
                continue
            if params or len(primals) > 2:
                d = partial(*primals, out, **params)
            elif len(primals) == 1:  # plain calls: a call with *primals costs three times more
                d = partial(primals[0], out)
            else:
                d = partial(primals[0], primals[1], out)
            term = times(t, d)
            tangent = term if tangent is None else tangent + term
        return Dual(out, tangent, self)


class Dual(TracedValue):
    """A dual number: a value and its tangent, for one forward sweep.

    The tangent may be a scalar standing for an array of its value (a seed of
    1.0 for every entry); ``jvp`` returns it at its full shape.
    """

    __slots__ = ("_tag", "primal", "tangent")

    def __init__(self, primal, tangent, tag):
        self.primal = primal
        self.tangent = tangent
        self._tag = tag

    @property
    def _primal_(self):
        return self.primal

    def __repr__(self):
        return f"Dual(primal={self.primal!r}, tangent={self.tangent!r})"


def _tangent_out(tag, out, given):
    """The value and tangent of this sweep in ``out`` (tangent zero where ``out``
    does not depend on the seed), as arrays of their own (not ``given`` ones)."""
    if type(out) is Dual and out._tag is tag:
        primal, tangent = out.primal, out.tangent
        if isinstance(primal, float) and type(tangent) is float:  # np.float64 is a float too
            return primal, tangent
        shape = np.shape(primal_value(primal))
        if np.shape(primal_value(tangent)) != shape:
            tangent = np.broadcast_to(tangent, shape)
        return fresh(primal, given), fresh(tangent, given)
    as_output(out, "jvp")
    return fresh(out, given), 0.0 * out if isinstance(primal_value(out), np.ndarray) else 0.0


def _sweep(f, primals, tangents, where):
    """Run f once with dual numbers seeded by ``tangents`` (None: a constant)."""
    tag = ForwardTag()
    args = [p if t is None else Dual(p, t, tag) for p, t in zip(primals, tangents)]
    out = f(*args)
    given = (*primals, *tangents)
    if isinstance(out, (tuple, list)):
        return tuple(zip(*(_tangent_out(tag, as_output(o, where), given) for o in out)))
    if type(out) is not Dual or not isinstance(out.primal, float):
        as_output(out, where)
    return _tangent_out(tag, out, given)


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
    return _sweep(f, primals, tangents, "jvp")


def derivative(f, argnums=0):
    """Forward mode: the derivative of f in its argument ``argnums``.

    Every other argument is held fixed. For f elementwise over arrays, the
    result is the derivative at each entry (one sweep seeded with 1.0).

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> f = lambda x1, x2: x1 * x2 + np.sin(x1)
    >>> print(f"{ad.derivative(f, 0)(2.0, 3.0):.4f}")
    2.5839
    >>> ad.derivative(np.sin)(np.array([0.0, np.pi]))
    array([ 1., -1.])
    """
    if not isinstance(argnums, int) or isinstance(argnums, bool):
        raise TypeError(f"derivative: argnums must be one int, got {argnums!r}")

    seeds_for: dict[int, list] = {}  # seeds per number of arguments

    def df(*args):
        seeds = seeds_for.get(len(args))
        if seeds is None:
            (n,) = argnums_tuple(argnums, len(args), "derivative")
            seeds = seeds_for[len(args)] = [1.0 if i == n else None for i in range(len(args))]
        primals = [a if type(a) is float else as_primal(a, "derivative", i) for i, a in enumerate(args)]
        return _sweep(f, primals, seeds, "derivative")[1]

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

    def jac(*args):
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
                columns.append(_sweep(f, primals, seeds, "jacfwd")[1])
            if not columns:  # an empty input: no sweep, only the output's shape
                columns = _sweep(f, primals, [None] * len(primals), "jacfwd")[1]
                per_argument.append(_empty_jacobian(columns, np.shape(x)))
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
    return np.zeros(np.shape(primal_value(outputs)) + in_shape)


def _stack_columns(columns, in_shape):
    """Columns d y / d x_k, one per entry of x, as an array y.shape + x.shape."""
    if isinstance(columns[0], tuple):  # f returned a tuple: one Jacobian per output
        return tuple(_stack_columns(list(c), in_shape) for c in zip(*columns))
    if not in_shape:
        return columns[0]
    stacked = np.stack([np.asarray(c, dtype=float) for c in columns], axis=-1)
    return stacked.reshape(np.shape(columns[0]) + in_shape)
