"""How numpy's functions reach the rule table.

``np.sin(x)`` on a value being differentiated calls numpy's ``__array_ufunc__``
protocol, ``np.sum(x)`` its ``__array_function__`` protocol
(:mod:`adlearn.operators`); both look the function up here. A ufunc maps to its
rule in :data:`BY_UFUNC`; any other numpy function maps, in
:data:`BY_FUNCTION`, to a function written with the differentiable operations
of :mod:`adlearn.rules` and :mod:`adlearn.array_rules`.

Examples
--------
>>> import numpy as np
>>> BY_UFUNC[np.sin]
<primitive sin>
"""

from __future__ import annotations

import math
import operator
import string
import sys
from collections import namedtuple
from collections.abc import Callable
from typing import Any

import numpy as np

from adlearn import array_rules as A
from adlearn import linalg_rules as L
from adlearn import rules as R
from adlearn.dispatch import Differentiable, differentiated_in, not_a_constant
from adlearn.inputs import describe, seen_value, value_of

__all__ = ["BY_FUNCTION", "BY_UFUNC", "PLAIN_FUNCTIONS", "PLAIN_UFUNCS"]

#: numpy ufuncs that adlearn differentiates, and the rule each one applies.
BY_UFUNC: dict[np.ufunc, Any] = {
    np.add: R.ADD, np.subtract: R.SUB, np.multiply: R.MUL, np.true_divide: R.DIV,
    np.negative: R.NEG, np.power: R.POW, np.sin: R.SIN, np.cos: R.COS, np.tan: R.TAN,
    np.exp: R.EXP, np.log: R.LOG, np.sqrt: R.SQRT, np.tanh: R.TANH, np.sinh: R.SINH,
    np.cosh: R.COSH, np.absolute: R.ABS, np.arcsin: R.ARCSIN, np.arccos: R.ARCCOS,
    np.arctan: R.ARCTAN, np.log1p: R.LOG1P, np.expm1: R.EXPM1, np.square: R.SQUARE,
    np.maximum: R.MAXIMUM, np.minimum: R.MINIMUM, np.sign: R.SIGN, np.matmul: A.MATMUL,
    np.log2: R.LOG2, np.log10: R.LOG10, np.exp2: R.EXP2, np.arcsinh: R.ARCSINH,
    np.arccosh: R.ARCCOSH, np.arctanh: R.ARCTANH, np.reciprocal: R.RECIPROCAL,
    np.deg2rad: R.DEG2RAD, np.radians: R.DEG2RAD, np.rad2deg: R.RAD2DEG,
    np.degrees: R.RAD2DEG, np.arctan2: R.ARCTAN2, np.hypot: R.HYPOT,
    np.logaddexp: R.LOGADDEXP, np.remainder: R.MOD,
}  # fmt: skip

#: numpy ufuncs whose result does not depend smoothly on the input (comparisons,
#: rounding): they see the plain value and return a plain result, whose
#: derivative (zero wherever it exists) is then exact.
PLAIN_UFUNCS = {
    np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal,
    np.isfinite, np.isnan, np.isinf, np.signbit, np.floor, np.ceil, np.rint, np.trunc,
}  # fmt: skip


def _shape(x):
    return np.shape(value_of(x))


def _count(x, axis, where) -> float:
    """How many entries each result of a reduction over ``axis`` sums (the axes are
    checked: an error names the function ``where``)."""
    shape = _shape(x)
    return float(math.prod(shape[a] for a in A.reduced_axes(axis, len(shape), where)))


# --- numpy's options --------------------------------------------------------------------

#: numpy's marker for an argument not given (``keepdims=<no value>`` in its signatures).
NO_VALUE = np._NoValue


def options(what, dtype=None, out=None, order="C", orders="CFAK", like=None, **others):
    """Refuse, by name, numpy's options that adlearn does not follow (``what`` is the
    call: ``np.sum`` or ``x.sum``); those that change nothing pass: ``out=None``, a
    ``dtype`` that is float64 or that of the value ``like``, an ``order`` in ``orders``,
    ``where=True``, no ``initial``."""
    if out is not None:
        raise TypeError(
            f"{what}(..., out=...): adlearn cannot write a value being differentiated into "
            f"an array; leave out= out and use the result, as in y = {what}(...)"
        )
    if dtype is not None and np.dtype(dtype) not in (np.float64, np.result_type(value_of(like))):
        raise TypeError(
            f"{what}(..., dtype={np.dtype(dtype).name}): adlearn does not change the dtype "
            "of a value being differentiated; leave dtype out"
        )
    if order not in orders:
        raise TypeError(f"{what}(..., order={order!r}): adlearn supports order='C' only")
    for name, value in others.items():
        if value is not NO_VALUE and not (name == "where" and _all_true(value)):
            raise TypeError(
                f"{what}(..., {name}=...): adlearn does not support {name}= on a value "
                "being differentiated; leave it out" + (
                    " and select entries with np.where(mask, x, 0.0)" if name == "where" else ""
                )
            )


def _all_true(where) -> bool:
    """Whether ``where`` is True, as a Python bool, np.True_ or a 0-d array: it selects every entry."""
    return (
        isinstance(where, (bool, np.bool_, np.ndarray))
        and np.shape(where) == ()
        and np.asarray(where).dtype == bool
        and bool(where)
    )


def _keep(keepdims):
    return False if keepdims is NO_VALUE else keepdims


# --- reductions: np.sum(x) and x.sum() alike --------------------------------------------
# Each takes the name its errors give: "np.sum" for numpy's function, "x.sum" for the
# ndarray method (adlearn.operators calls these with name="x.sum"), so that a message
# names what the learner wrote. So do the other functions an ndarray method calls:
# clip, ravel, squeeze, repeat, diagonal and trace.


def _checked_axis(a, axis, name):
    """``axis`` as numpy's reductions take it (:func:`_reduction_axis`), refused as numpy
    refuses an axis that ``a`` does not have, naming ``name``."""
    axis = _reduction_axis(axis, name)
    if axis is not None:  # None: every axis
        A.reduced_axes(axis, len(_shape(a)), name)
    return axis


def _reduction_axis(axis, name, several=True):
    """``axis`` as numpy's reductions take it: None, an int or (if ``several``) a tuple of
    ints, where a numpy integer or a 0-d integer array counts as its int. Anything else
    (True, a list, a float) is numpy's TypeError, naming the call ``name``."""
    if axis is None or type(axis) is int:  # the common cases
        return axis
    constant(axis, f"{name}: the axis")
    if several and type(axis) is tuple:
        return tuple(_reduction_axis(a, name, several=False) for a in axis)
    if not isinstance(axis, (bool, np.bool_, Differentiable)):
        try:
            return operator.index(axis)
        except TypeError:
            pass
    given = describe(axis) if isinstance(axis, Differentiable) else repr(axis)
    if isinstance(axis, (bool, np.bool_)):
        instead = f"write the axis's number, as in axis={int(axis)}"
    elif isinstance(axis, list) and several:
        instead = f"write several axes as a tuple, axis={tuple(axis)!r}"
    else:
        instead = "as in axis=0" + (" or axis=(0, 1)" if several else "")
    kind = "an int or a tuple of ints" if several else "an int"
    raise TypeError(f"{name}(..., axis={given}): an axis is {kind}, not {describe(axis)}; {instead}")


def _check_not_empty(a, axis, name, reduction):
    """Refuse, as numpy does and naming ``name``, a max or a min over no entries."""
    shape = _shape(a)
    if 0 in shape:  # numpy says whether the reduction has entries to choose from
        try:
            reduction(np.empty(shape), axis=axis)
        except ValueError as err:
            raise ValueError(
                f"{name}: {err} (an array of shape {shape}): there is no entry to choose; "
                "check the slice or the mask that left it empty"
            ) from None


def sum_(a, axis=None, dtype=None, out=None, keepdims=False, initial=NO_VALUE, where=NO_VALUE,
         *, name="np.sum"):  # fmt: skip
    options(name, like=a, dtype=dtype, out=out, initial=initial, where=where)
    axis = _checked_axis(a, axis, name)
    return A.sum_(a, axis=axis, keepdims=_keep(keepdims))


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=NO_VALUE, name="np.mean"):
    options(name, like=a, dtype=dtype, out=out, where=where)
    axis = _reduction_axis(axis, name)
    n = _count(a, axis, name)
    return A.sum_(a, axis=axis, keepdims=_keep(keepdims)) / n


def max_(a, axis=None, out=None, keepdims=False, initial=NO_VALUE, where=NO_VALUE,
         *, name="np.max"):  # fmt: skip
    options(name, out=out, initial=initial, where=where)
    axis = _checked_axis(a, axis, name)
    _check_not_empty(a, axis, name, np.max)
    return A.max_(a, axis=axis, keepdims=_keep(keepdims))


def min_(a, axis=None, out=None, keepdims=False, initial=NO_VALUE, where=NO_VALUE,
         *, name="np.min"):  # fmt: skip
    options(name, out=out, initial=initial, where=where)
    axis = _checked_axis(a, axis, name)
    _check_not_empty(a, axis, name, np.min)
    return A.min_(a, axis=axis, keepdims=_keep(keepdims))


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=NO_VALUE, where=NO_VALUE,
         *, name="np.prod"):  # fmt: skip
    options(name, like=a, dtype=dtype, out=out, initial=initial, where=where)
    axis = _checked_axis(a, axis, name)
    return A.prod(a, axis=axis, keepdims=_keep(keepdims))


def cumsum(a, axis=None, dtype=None, out=None, *, name="np.cumsum"):
    options(name, like=a, dtype=dtype, out=out)
    axis = _reduction_axis(axis, name, several=False)
    if axis is not None:  # one axis, or none for the flattened array
        A.axis_index(axis, len(_shape(a)), name)
    return A.cumsum(a, axis=axis)


def _var(a, axis, ddof, keepdims, name):
    """numpy's steps: the mean, the squared deviations, their sum, / (n - ddof)."""
    axis = _reduction_axis(axis, name)
    n = _count(a, axis, name)
    d = a - A.sum_(a, axis=axis, keepdims=True) / n
    return A.sum_(d * d, axis=axis, keepdims=keepdims) / max(n - ddof, 0.0)


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=NO_VALUE,
        mean=NO_VALUE, correction=NO_VALUE, name="np.var"):  # fmt: skip
    options(name, like=a, dtype=dtype, out=out, where=where, mean=mean, correction=correction)
    return _var(a, axis, ddof, _keep(keepdims), name)


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=NO_VALUE,
        mean=NO_VALUE, correction=NO_VALUE, name="np.std"):  # fmt: skip
    options(name, like=a, dtype=dtype, out=out, where=where, mean=mean, correction=correction)
    return R.sqrt(_var(a, axis, ddof, _keep(keepdims), name))


# --- bounds ---------------------------------------------------------------------------------


def clip(a, a_min=NO_VALUE, a_max=NO_VALUE, out=None, *, min=NO_VALUE, max=NO_VALUE,
         name="np.clip"):  # fmt: skip
    """maximum, then minimum: at a bound (a tie) the derivative is 1/2, as JAX's.
    The bounds are a_min and a_max, or (numpy 2.1) min and max."""
    options(name, out=out)
    if (a_min is not NO_VALUE and min is not NO_VALUE) or (a_max is not NO_VALUE and max is not NO_VALUE):
        raise TypeError(f"{name}: give each bound once, as a_min/a_max or as min/max")
    low = a_min if a_min is not NO_VALUE else min
    high = a_max if a_max is not NO_VALUE else max
    if low is not None and low is not NO_VALUE:
        a = R.maximum(a, low)
    if high is not None and high is not NO_VALUE:
        a = R.minimum(a, high)
    return a


# --- products ---------------------------------------------------------------------------


def einsum(subscripts, *operands, optimize=False):
    subscripts, operands = _spelt_out(subscripts, operands)
    parts, output = A.einsum_parts(subscripts, len(operands))
    return A.einsum(*operands, subscripts=",".join(parts) + "->" + output)


def _spelt_out(subscripts, operands):
    """numpy's subscripts with a letter of its own for each axis ``...`` stands
    for, and the operands without the axes of length 1 that numpy broadcasts
    against a longer one: the rule's subscripts name every axis, and each letter
    has one length in every operand (so each adjoint has its operand's shape)."""
    if not isinstance(subscripts, str):
        raise TypeError(
            "np.einsum: adlearn supports subscripts as one string, as in "
            "np.einsum('ij,jk->ik', a, b), not numpy's lists of axes; got "
            f"{describe(subscripts)} first"
        )
    subs = subscripts.replace(" ", "")
    inputs, arrow, output = subs.partition("->")
    parts = inputs.split(",")
    if any(p.count("...") > 1 or "." in p.replace("...", "") for p in [*parts, output]):
        raise ValueError(
            f"np.einsum: {subscripts!r}: a '.' must be part of one '...' per operand"
        )
    if len(parts) != len(operands):
        return subs, list(operands)  # einsum_parts names the mismatch
    shapes = [np.shape(value_of(a)) for a in operands]
    runs = [len(s) - len(p) + 3 if "..." in p else 0 for p, s in zip(parts, shapes)]
    for k, (p, s, n) in enumerate(zip(parts, shapes, runs)):
        if n < 0:
            raise ValueError(
                f"np.einsum: operand {k} has {len(s)} axes, fewer than the letters of {p!r}"
            )
    if "..." in subs:  # numpy's broadcasting: the runs of axes right-aligned, one letter each
        longest = max(runs)
        spelt = "".join([c for c in string.ascii_letters if c not in subs][:longest])
        letters = inputs.replace(",", "").replace("...", "")
        if not arrow:  # the implicit output: the broadcast axes, then the letters used once
            output = "..." + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
        elif "..." not in output and longest:
            raise ValueError(
                f"np.einsum: {subscripts!r}: the output must have '...' for the axes "
                "that '...' stands for in the operands (as numpy requires)"
            )
        parts = [p.replace("...", spelt[longest - n :]) for p, n in zip(parts, runs)]
        output, arrow = output.replace("...", spelt), "->"
    length: dict = {}
    for p, s in zip(parts, shapes):
        for c, n in zip(p, s):
            length[c] = max(length.get(c, 1), n)
    operands = list(operands)
    for k, (p, s) in enumerate(zip(parts, shapes)):
        keep = [i for i, (c, n) in enumerate(zip(p, s)) if n != 1 or length[c] == 1]
        if len(p) == len(s) and len(keep) < len(p):  # a broadcast axis of length 1
            operands[k] = A.reshape(operands[k], shape=tuple(s[i] for i in keep))
            parts[k] = "".join(p[i] for i in keep)
    return ",".join(parts) + arrow + output, operands


def tensordot(a, b, axes=2):
    """The sum over ``axes`` of a and b, as an einsum."""
    na, nb = len(_shape(a)), len(_shape(b))
    if isinstance(axes, (int, np.integer)):
        axes_a, axes_b = list(range(na - axes, na)), list(range(axes))
    else:
        axes_a, axes_b = ([x] if isinstance(x, (int, np.integer)) else list(x) for x in axes)
    axes_a = [A.axis_index(x, na, "np.tensordot", "axes of a") for x in axes_a]
    axes_b = [A.axis_index(x, nb, "np.tensordot", "axes of b") for x in axes_b]
    letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    sub_a = [next(letters) for _ in range(na)]
    sub_b = [next(letters) for _ in range(nb)]
    for i, j in zip(axes_a, axes_b):
        sub_b[j] = sub_a[i]
    out = [c for i, c in enumerate(sub_a) if i not in axes_a]
    out += [c for j, c in enumerate(sub_b) if j not in axes_b]
    return A.einsum(a, b, subscripts=f"{''.join(sub_a)},{''.join(sub_b)}->{''.join(out)}")


def inner(a, b):
    if not _shape(a) or not _shape(b):
        return R.multiply(a, b)
    return tensordot(a, b, axes=([-1], [-1]))


def outer(a, b):
    return A.reshape(a, shape=(-1, 1)) * A.reshape(b, shape=(1, -1))


def dot(a, b):
    """``np.dot`` as numpy defines it: a product for scalars, ``matmul`` up to two
    dimensions, and beyond, the sum over a's last axis and b's second-to-last."""
    nd_a, nd_b = np.ndim(value_of(a)), np.ndim(value_of(b))
    if nd_a == 0 or nd_b == 0:
        return R.multiply(a, b)
    if (nd_a <= 2 and nd_b <= 2) or nd_b == 1 or nd_a == 1:
        return A.matmul(a, b)  # matmul agrees with dot when either has one dimension
    shape_a, shape_b = np.shape(value_of(a)), np.shape(value_of(b))
    # b's second-to-last axis first, every other axis flattened after it
    order = (nd_b - 2, *range(nd_b - 2), nd_b - 1)
    b2 = A.reshape(A.transpose(b, axes=order), shape=(shape_b[-2], -1))
    out = A.matmul(A.reshape(a, shape=(-1, shape_a[-1])), b2)
    return A.reshape(out, shape=shape_a[:-1] + shape_b[:-2] + shape_b[-1:])


# --- shapes --------------------------------------------------------------------------


def concatenate(arrays, axis=0):
    if axis is None:  # numpy flattens every array first
        return A.concatenate(*(A.reshape(x, shape=(-1,)) for x in arrays), axis=0)
    return A.concatenate(*arrays, axis=axis)


def constant(value, what):
    """Refuse ``what`` (``"np.roll: the shift"``) if ``value`` holds a value being differentiated:
    numpy needs a plain int there (numpy's own message would name the class of the value)."""
    held = differentiated_in(value)
    if held is not None:
        raise not_a_constant(what, held)


def reshape(a, shape, order="C", *, copy=None):
    options("np.reshape", order=order, orders="C")
    return A.reshape(a, shape=shape)  # a shape being differentiated: refused by compute


def ravel(a, order="C", *, name="np.ravel"):
    options(name, order=order, orders="C")
    return A.reshape(a, shape=(-1,))


def squeeze(a, axis=None, *, name="np.squeeze"):
    """a without its axes of length 1: those of ``axis``, checked as numpy checks them, or all."""
    shape = _shape(a)
    if axis is None:
        return A.reshape(a, shape=tuple(n for n in shape if n != 1))
    axes = A.axis_tuple(axis, len(shape), name)
    for given, i in zip(np.atleast_1d(axis), axes):
        if shape[i] != 1:
            raise ValueError(
                f"{name}: cannot squeeze out axis {given}, of length {shape[i]} in an array "
                f"of shape {shape}: only an axis of length 1 can be squeezed out"
            )
    return A.reshape(a, shape=tuple(n for i, n in enumerate(shape) if i not in axes))


def moveaxis(a, source, destination):
    nd = len(_shape(a))
    src = A.axis_tuple(source, nd, "np.moveaxis", "source")
    dst = A.axis_tuple(destination, nd, "np.moveaxis", "destination")
    if len(src) != len(dst):
        raise ValueError(
            f"np.moveaxis: source {source!r} and destination {destination!r} must name "
            "as many axes"
        )
    order = [n for n in range(nd) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return A.transpose(a, axes=tuple(order))


def _at_least(a, ndim):
    shape = _shape(a)
    if len(shape) >= ndim:
        return a
    return A.reshape(a, shape=(1,) * (ndim - len(shape)) + shape)


def vstack(tup):
    return A.concatenate(*(_at_least(a, 2) for a in tup), axis=0)


def hstack(tup):
    arrays = [_at_least(a, 1) for a in tup]
    return A.concatenate(*arrays, axis=0 if len(_shape(arrays[0])) == 1 else 1)


def column_stack(tup):
    columns = [A.reshape(a, shape=(-1, 1)) if len(_shape(a)) < 2 else a for a in tup]
    return A.concatenate(*columns, axis=1)


def _along(axis, index):
    """An index that applies ``index`` along one (non-negative) axis."""
    return (slice(None),) * axis + (index,)


def repeat(a, repeats, axis=None, *, name="np.repeat"):
    constant(repeats, f"{name}: the repeat count")
    given = axis
    if axis is None:  # numpy repeats the entries of the flattened array
        a, axis = ravel(a), 0
    axis = A.axis_index(axis, len(_shape(a)), name)
    n = _shape(a)[axis]
    if np.size(repeats) not in (1, n):
        along = f"axis {given}, of length {n}" if given is not None else (
            f"the {n} entries of the flattened array"
        )
        raise ValueError(
            f"{name}: {np.size(repeats)} repeat counts for {along}; give one count per entry, "
            "or a single count"
        )
    picks = np.repeat(np.arange(n), repeats)
    return A.getitem(a, index=_along(axis, picks))


def tile(a, reps):
    constant(reps, "np.tile: the repetitions")
    reps = (reps,) if isinstance(reps, (int, np.integer)) else tuple(reps)
    shape = _shape(a)
    d = max(len(shape), len(reps))
    a = A.reshape(a, shape=(1,) * (d - len(shape)) + shape)
    reps = (1,) * (d - len(reps)) + reps
    picks = [np.tile(np.arange(n), k) for n, k in zip(_shape(a), reps)]
    return A.getitem(a, index=np.ix_(*picks))


def roll(a, shift, axis=None):
    constant(shift, "np.roll: the shift")
    if axis is None:
        return A.reshape(roll(ravel(a), shift, 0), shape=_shape(a))
    for s, ax in zip(*np.broadcast_arrays(np.atleast_1d(shift), np.atleast_1d(axis))):
        ax = A.axis_index(ax, len(_shape(a)), "np.roll")
        picks = np.roll(np.arange(_shape(a)[ax]), s)
        a = A.getitem(a, index=_along(ax, picks))
    return a


def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None):
    """An array of a's shape (or ``shape``) filled with ``fill_value``: where the fill
    value is being differentiated, it is broadcast to that shape, and keeps its derivative."""
    if not isinstance(fill_value, Differentiable):  # a constant: numpy's array of it
        return np.full_like(seen_value(a), fill_value, dtype, order, subok, shape)
    return A.broadcast_to(fill_value, shape=_shape(a) if shape is None else tuple(np.atleast_1d(shape)))


def refuse_fill(what):
    """``np.full(shape, x)``, ``np.full_like(plain_array, x)`` and ``np.copyto(dst, x)`` (``what``)
    with x being differentiated: numpy would write x into a plain array (the first two with
    ``np.copyto``) and drop its derivative."""
    if what == "np.copyto":
        raise TypeError(
            "np.copyto(dst, x): writing a value being differentiated into a plain numpy array "
            "would drop its derivative; use a new array instead: np.broadcast_to(x, dst.shape), "
            "or np.where(mask, x, dst) to replace some of dst's entries"
        )
    raise TypeError(
        f"{what}: filling a plain numpy array with a value being differentiated "
        "would drop its derivative; write np.broadcast_to(x, shape) (or x * np.ones(shape))"
    )


def filler(frame) -> str:
    """Which numpy function's call of ``np.copyto`` is under way: np.full's, np.full_like's,
    or the learner's own (``frame`` is the caller's)."""
    for name, func in (("np.full", np.full), ("np.full_like", np.full_like)):
        func = getattr(func, "_implementation", func)  # np.full_like dispatches to it
        if frame.f_code is getattr(func, "__code__", None):
            return name
    return "np.copyto"


def converted_by_numpy_full() -> bool:
    """Whether the conversion to a plain array under way is np.full's, of its fill value
    (np.full converts it with np.asarray, which no protocol lets adlearn take over)."""
    caller = sys._getframe(2)  # this function's caller is __array__, whose caller converts
    return caller.f_code is getattr(np.full, "__code__", None)


def flip(a, axis=None):
    nd = len(_shape(a))
    axes = A.reduced_axes(axis, nd, "np.flip")
    return A.getitem(a, index=tuple(slice(None, None, -1 if i in axes else None) for i in range(nd)))


# --- diagonals and triangles --------------------------------------------------------------


def diagonal(a, offset=0, axis1=0, axis2=1, *, name="np.diagonal"):
    """The entries (i, i + offset) of axes axis1 and axis2, along a last axis."""
    constant(offset, f"{name}: the offset")
    nd = len(_shape(a))
    if nd < 2:
        raise ValueError(f"{name}: needs an array of at least 2 dimensions, got shape {_shape(a)}")
    axis1, axis2 = A.axis_index(axis1, nd, name, "axis1"), A.axis_index(axis2, nd, name, "axis2")
    if axis1 == axis2:
        raise ValueError(f"{name}: axis1 and axis2 cannot be the same axis ({axis1})")
    moved = moveaxis(a, (axis1, axis2), (-2, -1))
    n1, n2 = _shape(moved)[-2:]
    i = np.arange(max(0, min(n1, n2 - offset) if offset >= 0 else min(n1 + offset, n2)))
    rows, cols = (i, i + offset) if offset >= 0 else (i - offset, i)
    return A.getitem(moved, index=(Ellipsis, rows, cols))


def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None, *, name="np.trace"):
    options(name, like=a, dtype=dtype, out=out)
    return A.sum_(diagonal(a, offset, axis1, axis2, name=name), axis=-1)


def diag(v, k=0):
    """The k-th diagonal of a matrix, or the matrix with the vector v on its k-th diagonal."""
    constant(k, "np.diag: the diagonal k")
    if len(_shape(v)) == 2:
        return diagonal(v, k, name="np.diag")
    if len(_shape(v)) != 1:
        raise ValueError(f"np.diag: expects a 1-d or 2-d array, got one of shape {_shape(v)}")
    i = np.arange(_shape(v)[0])
    rows, cols = (i, i + k) if k >= 0 else (i - k, i)
    n = _shape(v)[0] + abs(k)
    return A.index_add(v, index=(rows, cols), shape=(n, n))


def triu(a, k=0):
    constant(k, "np.triu: the diagonal k")
    return R.where(np.triu(np.ones(_shape(a)[-2:], dtype=bool), k), a, 0.0)


def tril(a, k=0):
    constant(k, "np.tril: the diagonal k")
    return R.where(np.tril(np.ones(_shape(a)[-2:], dtype=bool), k), a, 0.0)


# --- norms and linear algebra ------------------------------------------------------------


def _vector_norm(x, ord, axis, keepdims):
    if isinstance(ord, str):  # numpy's error is a ValueError
        raise ValueError(f"np.linalg.norm: invalid norm order {ord!r} for vectors")  # noqa: TRY004
    if ord is None or ord == 2:
        return R.sqrt(A.sum_(x * x, axis=axis, keepdims=keepdims))
    if ord == np.inf:
        return A.max_(R.absolute(x), axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return A.min_(R.absolute(x), axis=axis, keepdims=keepdims)
    if ord == 1:
        return A.sum_(R.absolute(x), axis=axis, keepdims=keepdims)
    if ord == 0:  # the number of non-zero entries: a count, with no derivative
        return on_value(count_nonzero, x, axis, keepdims)
    return A.sum_(R.absolute(x) ** ord, axis=axis, keepdims=keepdims) ** (1.0 / ord)


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector norms of any ord; matrix norms 'fro', 1, -1, inf and -inf."""
    nd = len(_shape(x))
    if axis is None and (ord is None or nd == 1):
        result = R.sqrt(A.sum_(x * x)) if ord is None else _vector_norm(x, ord, 0, False)
        return A.reshape(result, shape=(1,) * nd) if keepdims else result
    give_axis = "; give axis" if axis is None else ""
    if axis is None:
        axis = tuple(range(nd))
    axes = A.axis_tuple(axis, nd, "np.linalg.norm")
    if len(axes) == 1:
        return _vector_norm(x, ord, axes[0], keepdims)
    if len(axes) != 2:
        raise ValueError(
            f"np.linalg.norm: improper number of dimensions to norm: a norm is over 1 axis "
            f"(a vector) or 2 (a matrix), got {len(axes)} of an array of shape {_shape(x)}"
            f"{give_axis}"
        )
    if ord not in (None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf):
        raise ValueError(f"np.linalg.norm: invalid norm order {ord!r} for matrices")
    row, col = axes
    if ord in (None, "fro"):
        return R.sqrt(A.sum_(x * x, axis=(row, col), keepdims=keepdims))
    if ord in (1, -1, np.inf, -np.inf):  # the largest (smallest) column or row sum
        summed, chosen = (row, col) if ord in (1, -1) else (col, row)
        pick = A.max_ if ord > 0 else A.min_
        y = pick(A.sum_(R.absolute(x), axis=summed, keepdims=True), axis=chosen, keepdims=True)
        if keepdims:
            return y
        return A.reshape(y, shape=tuple(n for i, n in enumerate(_shape(y)) if i not in (row, col)))
    raise TypeError(
        f"np.linalg.norm with ord={ord!r} on a matrix needs its singular values, which "
        "adlearn does not differentiate; use ord='fro', 1, -1, np.inf or -np.inf"
    )


def solve(a, b):
    shapes = f"a of shape {_shape(a)}, b of shape {_shape(b)}"
    try:
        if len(_shape(b)) != 1:
            return L.solve(a, b)
        # a 1-d b is one vector (numpy 2): solved as one column
        if len(_shape(a)) >= 2 and _shape(a)[-1] != _shape(b)[0]:
            raise ValueError(f"np.linalg.solve: {shapes}: b needs one entry per row of a")
        return A.getitem(L.solve(a, A.reshape(b, shape=(-1, 1))), index=(Ellipsis, 0))
    except np.linalg.LinAlgError as err:  # numpy's reason (Singular matrix), with the shapes given
        reason = str(err).rsplit(": ", 1)[-1]
        raise np.linalg.LinAlgError(f"np.linalg.solve: {reason} ({shapes})") from None


SlogdetResult = namedtuple("SlogdetResult", ["sign", "logabsdet"])


def slogdet(a):
    """(sign, log|det|): the sign is constant wherever det is not 0."""
    return SlogdetResult(on_value(sign_of_det, a), L.logabsdet(a))


def count_nonzero(x, axis, keepdims):
    """How many entries of x are not 0, as a float (``np.linalg.norm(x, ord=0)``)."""
    return np.sum(x != 0, axis=axis, keepdims=keepdims).astype(float)


def sign_of_det(a):
    """The sign of det(a) (``np.linalg.slogdet(a)[0]``)."""
    return np.linalg.slogdet(a)[0]


def on_value(fn, x, *params):
    """``fn(value, *params)`` on the plain value of ``x``: a constant, with no derivative.
    Under :func:`adlearn.jit`'s recording it is recorded as an operation on the traced value
    (its result changes with the input), not baked in."""
    value = seen_value(x)
    if getattr(type(value), "is_traced", False):
        return value.sweep.plain(fn, None, (value, *params))
    return fn(value, *params)


# --- plain results: no derivative ------------------------------------------------------------


def _plain(func):
    """func on the values: its result does not change smoothly with them (a rounding,
    an index, a comparison, an array of zeros), so it is a constant."""

    def on_values(*args, **kwargs):
        return func(*map(seen_value, args), **{k: seen_value(v) for k, v in kwargs.items()})

    on_values.__name__ = func.__name__
    return on_values


#: numpy functions whose result is a constant: they are computed on the values.
PLAIN_FUNCTIONS = (
    np.round, np.around, np.zeros_like, np.ones_like, np.empty_like,
    np.isclose, np.allclose, np.argmax, np.argmin, np.shape, np.ndim, np.size,
)  # fmt: skip


#: numpy functions (not ufuncs) that adlearn differentiates: np.sum(x) on a
#: traced x calls the function here.
BY_FUNCTION: dict[Callable[..., Any], Callable[..., Any]] = {
    np.sum: sum_,
    np.mean: mean,
    np.dot: dot,
    np.matmul: A.matmul,
    np.reshape: reshape,
    np.transpose: lambda x, axes=None: A.transpose(x, axes=axes),
    np.swapaxes: lambda x, axis1, axis2: A.swapaxes(x, axis1=axis1, axis2=axis2),
    np.expand_dims: lambda x, axis: A.expand_dims(x, axis=axis),
    np.broadcast_to: lambda x, shape: A.broadcast_to(x, shape=shape),
    np.where: R.where,
    np.stack: lambda arrays, axis=0: A.stack(*arrays, axis=axis),
    np.concatenate: concatenate,
    np.max: max_,
    np.amax: max_,
    np.min: min_,
    np.amin: min_,
    np.prod: prod,
    np.cumsum: cumsum,
    np.var: var,
    np.std: std,
    np.clip: clip,
    np.einsum: einsum,
    np.tensordot: tensordot,
    np.inner: inner,
    np.outer: outer,
    np.ravel: ravel,
    np.squeeze: squeeze,
    np.moveaxis: moveaxis,
    np.vstack: vstack,
    np.hstack: hstack,
    np.column_stack: column_stack,
    np.repeat: repeat,
    np.tile: tile,
    np.roll: roll,
    np.flip: flip,
    np.diagonal: diagonal,
    np.trace: trace,
    np.diag: diag,
    np.triu: triu,
    np.tril: tril,
    np.copy: lambda a, order="K", subok=False: a,
    np.full_like: full_like,
    np.linalg.norm: norm,
    np.linalg.solve: solve,
    np.linalg.inv: L.inv,
    np.linalg.det: L.det,
    np.linalg.slogdet: slogdet,
    **{func: _plain(func) for func in PLAIN_FUNCTIONS},
}
