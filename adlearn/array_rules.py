"""The rules of array operations: sums, matrix products, reshaping, indexing.

These have no elementwise partials. Each gives instead a JVP rule (how a tangent
passes forward: ``jvp(args, tangents, out, **params)``) and one VJP rule per
argument (how an adjoint passes back: ``vjps[j](w_bar, *args, out, **params)``).
All are linear in their arguments (``matmul`` in each one separately), so both
rules are the operation itself, or its transpose, applied to the tangent or the
adjoint. They are written with the differentiable operations defined first in
this module, so that they can be differentiated again.

Examples
--------
>>> import numpy as np
>>> import adlearn as ad
>>> W = np.array([[1.0, 2.0], [3.0, 4.0]])
>>> ad.grad(lambda x: np.sum(W @ x))(np.ones(2))  # the column sums of W
array([4., 6.])
"""

from __future__ import annotations

import math
import operator
import string

import numpy as np
from numpy.exceptions import AxisError

from adlearn.dispatch import NO_PARAMS, bind
from adlearn.inputs import seen_value, value_of
from adlearn.primitive import RULES, rule
from adlearn.rules import multiply, where

__all__ = ["RULES", "AxisError", "axis_index", "axis_tuple"]


# --- the differentiable operations that the rules are written with -------------


def sum_(x, axis=None, keepdims=False):
    return bind(SUM, (x,), {"axis": axis, "keepdims": keepdims})


def matmul(a, b):
    return bind(MATMUL, (a, b), NO_PARAMS)


def reshape(x, shape):
    return bind(RESHAPE, (x,), {"shape": shape})


def transpose(x, axes=None):
    return bind(TRANSPOSE, (x,), {"axes": axes})


def swapaxes(x, axis1, axis2):
    return bind(SWAPAXES, (x,), {"axis1": axis1, "axis2": axis2})


def expand_dims(x, axis):
    return bind(EXPAND_DIMS, (x,), {"axis": axis})


def getitem(x, index):
    return bind(GETITEM, (x,), {"index": index})


def index_add(x, index, shape):
    """Zeros of ``shape`` with x added at ``index`` (the transpose of indexing)."""
    return bind(INDEX_ADD, (x,), {"index": index, "shape": shape})


def broadcast_to(x, shape):
    return bind(BROADCAST_TO, (x,), {"shape": shape})


def sum_to(x, shape):
    """Sum the axes x was broadcast along, down to ``shape`` (the transpose of broadcasting)."""
    return bind(SUM_TO, (x,), {"shape": shape})


def stack(*xs, axis=0):
    return bind(STACK, xs, {"axis": axis})


def concatenate(*xs, axis=0):
    return bind(CONCATENATE, xs, {"axis": axis})


def max_(x, axis=None, keepdims=False):
    return bind(MAX, (x,), {"axis": axis, "keepdims": keepdims})


def min_(x, axis=None, keepdims=False):
    return bind(MIN, (x,), {"axis": axis, "keepdims": keepdims})


def prod(x, axis=None, keepdims=False):
    return bind(PROD, (x,), {"axis": axis, "keepdims": keepdims})


def cumsum(x, axis=None):
    return bind(CUMSUM, (x,), {"axis": axis})


def einsum(*operands, subscripts):
    """``np.einsum(subscripts, *operands)``, with explicit subscripts ``"ij,jk->ik"``."""
    return bind(EINSUM, operands, {"subscripts": subscripts})


# --- sum and matmul ----------------------------------------------------------------


def full(w_bar, shape):
    """Broadcast an adjoint or a tangent that may be a scalar (standing for every
    entry) to the full shape it stands for."""
    return w_bar if np.shape(value_of(w_bar)) == shape else broadcast_to(w_bar, shape=shape)


def _shape(x):
    return np.shape(value_of(x))


def _sum_jvp(args, tangents, out, axis=None, keepdims=False):
    return sum_(full(tangents[0], _shape(args[0])), axis=axis, keepdims=keepdims)


def _sum_vjp(w_bar, x, out, axis=None, keepdims=False):
    # Every entry of x receives the adjoint of its sum: w_bar spread back over the
    # summed axes. It may stay smaller than x (a scalar stands for all of x):
    # reverse mode broadcasts it where an operand's shape needs it.
    if axis is None or keepdims:
        return w_bar
    return expand_dims(full(w_bar, _shape(out)), axis=axis)


def _matmul_jvp(args, tangents, out):
    a, b = args
    ta, tb = tangents
    terms = []
    if ta is not None:
        terms.append(matmul(full(ta, _shape(a)), b))
    if tb is not None:
        terms.append(matmul(a, full(tb, _shape(b))))
    return terms[0] if len(terms) == 1 else terms[0] + terms[1]


def _matmul_vjp_a(w_bar, a, b, out):
    shape_a, shape_b = _shape(a), _shape(b)
    g = full(w_bar, _shape(out))
    if len(shape_b) == 1:  # (..., n) @ (n,) -> (...): outer product of g and b
        return multiply(expand_dims(g, axis=-1), b)
    if len(shape_a) == 1:  # (n,) @ (..., n, m) -> (..., m)
        return sum_to(matmul(b, expand_dims(g, axis=-1))[..., 0], shape=shape_a)
    return sum_to(matmul(g, swapaxes(b, axis1=-1, axis2=-2)), shape=shape_a)


def _matmul_vjp_b(w_bar, a, b, out):
    shape_a, shape_b = _shape(a), _shape(b)
    g = full(w_bar, _shape(out))
    if len(shape_a) == 1 and len(shape_b) == 1:  # (n,) @ (n,) -> ()
        return multiply(g, a)
    if len(shape_a) == 1:  # (n,) @ (..., n, m): outer product of a and g
        return sum_to(multiply(expand_dims(a, axis=-1), expand_dims(g, axis=-2)), shape=shape_b)
    if len(shape_b) == 1:  # (..., k, n) @ (n,) -> (..., k)
        return sum_to(matmul(expand_dims(g, axis=-2), a)[..., 0, :], shape=shape_b)
    return sum_to(matmul(swapaxes(a, axis1=-1, axis2=-2), g), shape=shape_b)


def _np_sum(x, axis=None, keepdims=False):
    # np.sum's own arithmetic, without the Python wrapper np.sum goes through first
    return np.add.reduce(x, axis=axis, keepdims=keepdims)


SUM = rule("sum", compute=_np_sum, formula="sum({0})", jvp=_sum_jvp, vjps=(_sum_vjp,))
MATMUL = rule("matmul", compute=np.matmul, formula="{0} @ {1}",
              jvp=_matmul_jvp, vjps=(_matmul_vjp_a, _matmul_vjp_b), bilinear=True)  # fmt: skip


# --- linear maps of one argument: the JVP is the map, the VJP its transpose ---------


def linear(name, compute, formula, transpose_map):
    """A rule for a linear map of one argument: the JVP applies the map to the
    tangent; the VJP applies ``transpose_map(w_bar, x_shape, params)``."""

    def jvp(args, tangents, out, **params):
        return bind(RULES[name], (full(tangents[0], _shape(args[0])),), params)

    def vjp(w_bar, x, out, **params):
        return transpose_map(full(w_bar, _shape(out)), _shape(x), params)

    return rule(name, compute=compute, formula=formula, jvp=jvp, vjps=(vjp,))


RESHAPE = linear("reshape", lambda x, shape: np.reshape(x, shape), "reshape({0})",
                 lambda g, x_shape, p: reshape(g, shape=x_shape))
TRANSPOSE = linear("transpose", lambda x, axes=None: np.transpose(x, axes), "transpose({0})",
                   lambda g, x_shape, p: transpose(
                       g, axes=None if p.get("axes") is None else tuple(np.argsort(p["axes"]))))
SWAPAXES = linear("swapaxes", lambda x, axis1, axis2: np.swapaxes(x, axis1, axis2),
                  "swapaxes({0})",
                  lambda g, x_shape, p: swapaxes(g, axis1=p["axis1"], axis2=p["axis2"]))
EXPAND_DIMS = linear("expand_dims", lambda x, axis: np.expand_dims(x, axis), "expand_dims({0})",
                     lambda g, x_shape, p: reshape(g, shape=x_shape))
GETITEM = linear("getitem", lambda x, index: x[index], "{0}[...]",
                 lambda g, x_shape, p: index_add(g, index=p["index"], shape=x_shape))
INDEX_ADD = linear("index_add", lambda x, index, shape: _index_add(x, index, shape),
                   "scatter({0})", lambda g, x_shape, p: getitem(g, index=p["index"]))
BROADCAST_TO = linear("broadcast_to", lambda x, shape: np.broadcast_to(x, shape),
                      "broadcast({0})", lambda g, x_shape, p: sum_to(g, shape=x_shape))
SUM_TO = linear("sum_to", lambda x, shape: _sum_to(x, shape), "sum_to({0})",
                lambda g, x_shape, p: broadcast_to(g, shape=x_shape))  # fmt: skip


def _index_add(x, index, shape):
    """Zeros of ``shape`` with x added at ``index`` (repeated indices add up)."""
    out = np.zeros(shape, dtype=np.result_type(x, 0.0))  # float32 stays float32
    if _is_basic(index):  # slices and ints select each entry once: plain assignment
        out[index] = x
    else:
        np.add.at(out, index, x)
    return out


def _is_basic(index) -> bool:
    if type(index) is slice:  # the common case, x[1:]
        return True
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (slice, int, np.integer)) for p in parts)


def _sum_to(x, shape):
    """Sum the broadcast axes of x away so that it has ``shape``."""
    x_shape = np.shape(x)
    if x_shape == shape:
        return x
    lead = len(x_shape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and x_shape[lead + i] != 1
    )
    if not shape:
        return np.sum(x)
    return np.sum(x, axis=axes, keepdims=True).reshape(shape)


# --- stack and concatenate: any number of arguments ----------------------------------


class EachArgument:
    """The VJP rules of a primitive that takes any number of arguments:
    ``vjps[j]`` is made for argument j when it is asked for."""

    def __init__(self, make):
        self.make = make

    def __getitem__(self, j):
        return self.make(j)


def _tangents_or_zeros(args, tangents):
    """Each argument's tangent at its full shape; zeros for a constant."""
    return [np.zeros(_shape(a)) if t is None else full(t, _shape(a)) for a, t in zip(args, tangents)]


def _stack_vjp(j):
    def vjp(w_bar, *args_and_out, axis=0):
        out = args_and_out[-1]
        axis %= np.ndim(value_of(out))
        return getitem(full(w_bar, _shape(out)), index=(slice(None),) * axis + (j,))

    return vjp


def _concatenate_vjp(j):
    def vjp(w_bar, *args_and_out, axis=0):
        args, out = args_and_out[:-1], args_and_out[-1]
        axis %= np.ndim(value_of(out))
        start = sum(_shape(a)[axis] for a in args[:j])
        stop = start + _shape(args[j])[axis]
        return getitem(full(w_bar, _shape(out)), index=(slice(None),) * axis + (slice(start, stop),))

    return vjp


STACK = rule("stack", compute=lambda *xs, axis=0: np.stack(xs, axis=axis),
             formula="stack({*})",
             jvp=lambda args, tangents, out, axis=0: stack(
                 *_tangents_or_zeros(args, tangents), axis=axis),
             vjps=EachArgument(_stack_vjp))
CONCATENATE = rule("concatenate", compute=lambda *xs, axis=0: np.concatenate(xs, axis=axis),
                   formula="concatenate({*})",
                   jvp=lambda args, tangents, out, axis=0: concatenate(
                       *_tangents_or_zeros(args, tangents), axis=axis),
                   vjps=EachArgument(_concatenate_vjp))  # fmt: skip


# --- reductions that choose or multiply: max, min, prod ---------------------------------


def axis_index(axis, ndim, where, argname=None) -> int:
    """``axis`` as a non-negative axis of an array of ``ndim`` dimensions, or numpy's
    AxisError naming the function ``where`` (and the argument ``argname``), as numpy
    raises it (a negative axis counts from the end).

    Examples
    --------
    >>> axis_index(-1, 2, "np.flip")
    1
    >>> axis_index(2, 2, "np.flip")
    Traceback (most recent call last):
    ...
    numpy.exceptions.AxisError: np.flip: axis 2 is out of bounds for array of dimension 2
    """
    n = operator.index(axis)
    if not -ndim <= n < ndim:
        prefix = f"{where}: {argname}" if argname else where
        raise AxisError(n, ndim, msg_prefix=prefix)
    return n % ndim


def axis_tuple(axis, ndim, where, argname="axis") -> tuple[int, ...]:
    """``axis`` (an int or a sequence of ints) as a tuple of non-negative axes, each
    checked by :func:`axis_index`; an axis named twice is a ValueError, as in numpy."""
    axes = tuple(axis) if isinstance(axis, (tuple, list, np.ndarray)) else (axis,)
    checked = tuple(axis_index(a, ndim, where, argname if argname != "axis" else None)
                    for a in axes)  # fmt: skip
    if len(set(checked)) < len(checked):
        raise ValueError(f"{where}: repeated axis in `{argname}` argument ({axis!r})")
    return checked


def reduced_axes(axis, ndim, where="np.sum") -> tuple[int, ...]:
    """``axis`` as a sorted tuple of non-negative axes (every axis for None), checked
    as numpy checks it (an error names the function ``where``)."""
    if axis is None:
        return tuple(range(ndim))
    return tuple(sorted(axis_tuple(axis, ndim, where)))


def _kept(y, x_shape, axis, keepdims):
    """A reduction's result y with its reduced axes put back as ones, to broadcast against x."""
    if keepdims:
        return y
    axes = reduced_axes(axis, len(x_shape))
    return reshape(y, shape=tuple(1 if i in axes else n for i, n in enumerate(x_shape)))


def _choice_weights(x, out, axis, keepdims):
    """1/k at the k entries of a group that reach its max (or min), 0 elsewhere.

    A tie shares the derivative equally (as JAX and autograd do): numpy's max
    does not say which of the tied entries it took.
    """
    x, out = seen_value(x), seen_value(out)
    hit = x == (out if keepdims else np.expand_dims(out, reduced_axes(axis, np.ndim(x))))
    return hit / np.sum(hit, axis=axis, keepdims=True)


def _chooser_jvp(args, tangents, out, axis=None, keepdims=False):
    (x,), (t,) = args, tangents
    weights = _choice_weights(x, out, axis, keepdims)
    return sum_(full(t, _shape(x)) * weights, axis=axis, keepdims=keepdims)


def _chooser_vjp(w_bar, x, out, axis=None, keepdims=False):
    g = _kept(full(w_bar, _shape(out)), _shape(x), axis, keepdims)
    return g * _choice_weights(x, out, axis, keepdims)


def _others_product(x, out, axis, keepdims):
    """For each entry of x, the product of the other entries of its group: d prod / d x.

    That is ``out / x`` where no entry is 0; with zeros, each entry's product is
    taken again with that entry replaced by 1, which stays right at the zeros.
    """
    shape = _shape(x)
    if np.all(seen_value(x) != 0):
        return _kept(out, shape, axis, keepdims) / x
    axes = reduced_axes(axis, len(shape))
    kept_axes = tuple(i for i in range(len(shape)) if i not in axes)
    order = kept_axes + axes  # the reduced axes last, then flattened into one of n
    moved_shape = tuple(shape[i] for i in order)
    n = math.prod(shape[i] for i in axes)
    rows = reshape(transpose(x, axes=order), shape=(*moved_shape[: len(kept_axes)], 1, n))
    others = prod(where(np.eye(n, dtype=bool), 1.0, rows), axis=-1)  # row i: x_i set to 1
    return transpose(reshape(others, shape=moved_shape), axes=tuple(np.argsort(order)))


def _prod_jvp(args, tangents, out, axis=None, keepdims=False):
    (x,), (t,) = args, tangents
    return sum_(full(t, _shape(x)) * _others_product(x, out, axis, keepdims), axis=axis,
                keepdims=keepdims)


def _prod_vjp(w_bar, x, out, axis=None, keepdims=False):
    g = _kept(full(w_bar, _shape(out)), _shape(x), axis, keepdims)
    return g * _others_product(x, out, axis, keepdims)


def _reduction(numpy_function):
    def compute(x, axis=None, keepdims=False):
        return numpy_function(x, axis=axis, keepdims=keepdims)

    return compute


MAX = rule("max", compute=_reduction(np.max), formula="max({0})",
           jvp=_chooser_jvp, vjps=(_chooser_vjp,))
MIN = rule("min", compute=_reduction(np.min), formula="min({0})",
           jvp=_chooser_jvp, vjps=(_chooser_vjp,))
PROD = rule("prod", compute=_reduction(np.prod), formula="prod({0})",
            jvp=_prod_jvp, vjps=(_prod_vjp,))  # fmt: skip


def _reverse_cumsum(g, x_shape, p):
    """cumsum's transpose: each entry gets the sum of the adjoints from it to the end."""
    axis = p.get("axis")
    if axis is None:  # cumsum of the flattened x
        backwards = slice(None, None, -1)
        flat = getitem(cumsum(getitem(g, index=backwards), axis=0), index=backwards)
        return reshape(flat, shape=x_shape)
    backwards = (slice(None),) * (axis % len(x_shape)) + (slice(None, None, -1),)
    return getitem(cumsum(getitem(g, index=backwards), axis=axis), index=backwards)


CUMSUM = linear("cumsum", lambda x, axis=None: np.cumsum(x, axis=axis), "cumsum({0})",
                _reverse_cumsum)  # fmt: skip


# --- einsum: a sum of products, linear in each operand ---------------------------------


def einsum_parts(subscripts: str, n_operands: int) -> tuple[list[str], str]:
    """The operands' subscripts and the output's, from numpy's notation with a
    letter for every axis (without ``->``, the output is every letter used once,
    in alphabetical order). ``numpy_api.einsum`` spells out ``...`` first."""
    subs = subscripts.replace(" ", "")
    inputs, arrow, output = subs.partition("->")
    if not arrow:
        letters = inputs.replace(",", "")
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    parts = inputs.split(",")
    if len(parts) != n_operands:
        raise ValueError(
            f"np.einsum: {subscripts!r} names {len(parts)} operands, but {n_operands} were given"
        )
    return parts, output


def _einsum_jvp(args, tangents, out, subscripts):
    # linear in each operand: one term per operand that has a tangent
    total = None
    for k, t in enumerate(tangents):
        if t is not None:
            operands = list(args)
            operands[k] = full(t, _shape(args[k]))
            term = einsum(*operands, subscripts=subscripts)
            total = term if total is None else total + term
    return total


def _einsum_vjp(k):
    """Operand k's adjoint: the einsum of the output's adjoint with the other
    operands, written with operand k's subscripts."""

    def vjp(w_bar, *args_and_out, subscripts):
        args, out = args_and_out[:-1], args_and_out[-1]
        inputs, output = einsum_parts(subscripts, len(args))
        operands = [full(w_bar, _shape(out))] + [a for i, a in enumerate(args) if i != k]
        subs = [output] + [s for i, s in enumerate(inputs) if i != k]
        present = set("".join(subs))
        unused = iter(c for c in string.ascii_letters if c not in subscripts)
        written, seen = "", set()
        for c, n in zip(inputs[k], _shape(args[k])):
            if c in seen:  # a repeated letter ("ii", a diagonal): an identity ties the copies
                other = next(unused)
                operands.append(np.eye(n))
                subs.append(c + other)
                written += other
                continue
            seen.add(c)
            written += c
            if c not in present:  # summed in this operand only: spread the adjoint back
                operands.append(np.ones(n))
                subs.append(c)
        return einsum(*operands, subscripts=",".join(subs) + "->" + written)

    return vjp


EINSUM = rule("einsum", compute=lambda *operands, subscripts: np.einsum(subscripts, *operands),
              formula="einsum({*})", jvp=_einsum_jvp, vjps=EachArgument(_einsum_vjp),
              bilinear=True)  # fmt: skip
