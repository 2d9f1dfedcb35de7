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

from collections.abc import Callable
from typing import Any

import numpy as np

from adlearn import array_rules as A
from adlearn import rules as R
from adlearn.inputs import value_of

__all__ = ["BY_FUNCTION", "BY_UFUNC", "PLAIN_UFUNCS"]

#: numpy ufuncs that adlearn differentiates, and the rule each one applies.
BY_UFUNC: dict[np.ufunc, Any] = {
    np.add: R.ADD, np.subtract: R.SUB, np.multiply: R.MUL, np.true_divide: R.DIV,
    np.negative: R.NEG, np.power: R.POW, np.sin: R.SIN, np.cos: R.COS, np.tan: R.TAN,
    np.exp: R.EXP, np.log: R.LOG, np.sqrt: R.SQRT, np.tanh: R.TANH, np.sinh: R.SINH,
    np.cosh: R.COSH, np.absolute: R.ABS, np.arcsin: R.ARCSIN, np.arccos: R.ARCCOS,
    np.arctan: R.ARCTAN, np.log1p: R.LOG1P, np.expm1: R.EXPM1, np.square: R.SQUARE,
    np.maximum: R.MAXIMUM, np.minimum: R.MINIMUM, np.sign: R.SIGN, np.matmul: A.MATMUL,
}  # fmt: skip

#: numpy ufuncs whose result does not depend smoothly on the input (comparisons,
#: rounding): they see the plain value and return a plain result, whose
#: derivative (zero wherever it exists) is then exact.
PLAIN_UFUNCS = {
    np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal,
    np.isfinite, np.isnan, np.isinf, np.signbit, np.floor, np.ceil, np.rint, np.trunc,
}  # fmt: skip


def mean(x, axis=None, keepdims=False):
    shape = np.shape(value_of(x))
    n = np.size(value_of(x)) if axis is None else np.prod([shape[a] for a in np.atleast_1d(axis)])
    return A.sum_(x, axis=axis, keepdims=keepdims) / float(n)


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


def concatenate(arrays, axis=0):
    if axis is None:  # numpy flattens every array first
        return A.concatenate(*(A.reshape(x, shape=(-1,)) for x in arrays), axis=0)
    return A.concatenate(*arrays, axis=axis)


#: numpy functions (not ufuncs) that adlearn differentiates: np.sum(x) on a
#: traced x calls the function here.
BY_FUNCTION: dict[Callable[..., Any], Callable[..., Any]] = {
    np.sum: lambda x, axis=None, keepdims=False: A.sum_(x, axis=axis, keepdims=keepdims),
    np.mean: mean,
    np.dot: dot,
    np.matmul: A.matmul,
    np.reshape: lambda x, shape: A.reshape(x, shape=shape),
    np.transpose: lambda x, axes=None: A.transpose(x, axes=axes),
    np.swapaxes: lambda x, axis1, axis2: A.swapaxes(x, axis1=axis1, axis2=axis2),
    np.expand_dims: lambda x, axis: A.expand_dims(x, axis=axis),
    np.broadcast_to: lambda x, shape: A.broadcast_to(x, shape=shape),
    np.where: R.where,
    np.stack: lambda arrays, axis=0: A.stack(*arrays, axis=axis),
    np.concatenate: concatenate,
    np.shape: lambda x: np.shape(value_of(x)),
    np.ndim: lambda x: np.ndim(value_of(x)),
    np.size: lambda x: np.size(value_of(x)),
}
