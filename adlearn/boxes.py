"""What a traced value supports: Python operators and numpy functions.

Dual numbers and tape variables share this behaviour, so that one function
``f(x1, x2) = x1 * x2 + np.sin(x1)`` runs unchanged on floats, arrays, dual
numbers and tape variables. Every operator and numpy call ends in
:func:`adlearn.dispatch.bind` with a primitive of the rule table.

A numpy function that adlearn cannot differentiate raises a ``TypeError`` that
names it, rather than silently dropping the derivative.

Examples
--------
>>> import numpy as np
>>> import adlearn as ad
>>> ad.grad(lambda x: np.sum(x.reshape(2, 2).T @ np.ones(2)))(np.arange(4.0))
array([1., 1., 1., 1.])
"""

from __future__ import annotations

import inspect

import numpy as np

from adlearn import rules
from adlearn.dispatch import Box, bind
from adlearn.rules import BY_FUNCTION, BY_UFUNC, RULES, primal_value

__all__ = ["TracedValue"]

_NONE: dict = {}
_ADD, _SUB, _MUL, _DIV, _POW = (RULES[n] for n in ("add", "sub", "mul", "div", "pow"))
_NEG, _ABS, _MATMUL, _GETITEM = (RULES[n] for n in ("neg", "abs", "matmul", "getitem"))

#: numpy ufuncs whose result does not depend smoothly on the input (comparisons,
#: rounding): they see the plain value and return a plain result, whose
#: derivative (zero wherever it exists) is then exact.
_PLAIN_UFUNCS = {
    np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal,
    np.isfinite, np.isnan, np.isinf, np.signbit, np.floor, np.ceil, np.rint, np.trunc,
}  # fmt: skip


def _unsupported(what: str) -> TypeError:
    ufuncs = sorted(f"np.{u.__name__}" for u in BY_UFUNC)
    functions = sorted(f"np.{f.__name__}" for f in BY_FUNCTION if f.__name__ not in ufuncs)
    return TypeError(
        f"{what} is not supported by adlearn on a value being differentiated, so its "
        f"derivative cannot be followed. Supported: {', '.join(ufuncs + functions)}."
    )


def _operator(prim):
    """The method ``self <op> other``: straight to self's transformation when
    other is a constant or traced by the same one (the common case), else
    through bind."""

    def method(self, other):
        if not isinstance(other, Box) or other._tag is self._tag:
            return self._tag.process(prim, (self, other), _NONE)
        return bind(prim, (self, other), _NONE)

    return method


def _reflected(prim):
    """The method for ``other <op> self`` where other is not traced by self's
    transformation (Python calls it as ``self.__radd__(other)``)."""

    def method(self, other):
        if not isinstance(other, Box):
            return self._tag.process(prim, (other, self), _NONE)
        return bind(prim, (other, self), _NONE)

    return method


def _check_arguments(func, handler, args, kwargs) -> None:
    """Name the arguments adlearn supports for ``np.<func>`` if these do not fit.

    Called only once a call has failed: reading a signature costs more than
    most calls it would check.
    """
    signature = inspect.signature(handler)
    try:
        signature.bind(*args, **kwargs)
    except TypeError:
        raise TypeError(
            f"np.{func.__name__}: adlearn supports it with the arguments {signature}; "
            f"got {len(args)} positional and {sorted(kwargs) or 'no'} keyword arguments"
        ) from None


def _dropped(what: str) -> TypeError:
    return TypeError(
        f"{what} of a value being differentiated would drop its derivative. "
        "Use numpy functions (np.sin, not math.sin) and keep the value as it is."
    )


class TracedValue(Box):
    """Operators and numpy protocols shared by ``Dual`` and ``Var``."""

    __slots__ = ()
    __array_priority__ = 1000.0
    __hash__ = object.__hash__

    # arithmetic: one line each, every one a primitive of the table
    __add__, __radd__ = _operator(_ADD), _reflected(_ADD)
    __sub__, __rsub__ = _operator(_SUB), _reflected(_SUB)
    __mul__, __rmul__ = _operator(_MUL), _reflected(_MUL)
    __truediv__, __rtruediv__ = _operator(_DIV), _reflected(_DIV)
    __pow__, __rpow__ = _operator(_POW), _reflected(_POW)
    __matmul__, __rmatmul__ = _operator(_MATMUL), _reflected(_MATMUL)

    def __neg__(self):
        return bind(_NEG, (self,), _NONE)

    def __pos__(self):
        return self

    def __abs__(self):
        return bind(_ABS, (self,), _NONE)

    def __getitem__(self, index):
        return bind(_GETITEM, (self,), {"index": index})

    # comparisons look at the value only: they steer control flow
    def __lt__(self, other):
        return primal_value(self) < primal_value(other)

    def __le__(self, other):
        return primal_value(self) <= primal_value(other)

    def __gt__(self, other):
        return primal_value(self) > primal_value(other)

    def __ge__(self, other):
        return primal_value(self) >= primal_value(other)

    def __bool__(self):
        return bool(primal_value(self))

    def __format__(self, spec):
        return format(primal_value(self), spec)

    # conversions that would drop the derivative are refused, with a way out
    def __float__(self):
        raise _dropped("float()")

    def __int__(self):
        raise _dropped("int()")

    def __complex__(self):
        raise _dropped("complex()")

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            "converting a value being differentiated to a numpy array (np.asarray, "
            "np.array, a numpy function adlearn does not know) would drop its derivative. "
            "To build an array from such values use np.stack([...]) or np.concatenate([...])."
        )

    def item(self):
        raise _dropped(".item()")

    # numpy's protocols: ufuncs and array functions reach the rule table
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "__call__" and not kwargs:
            prim = BY_UFUNC.get(ufunc)
            if prim is not None and len(inputs) == 1:  # the input is self
                return self._tag.process(prim, inputs, _NONE)
            if prim is not None:
                return bind(prim, inputs, _NONE)
            if ufunc in _PLAIN_UFUNCS:
                return ufunc(*(primal_value(x) for x in inputs))
        what = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
        if kwargs:
            what += f" with {', '.join(sorted(kwargs))}="
        raise _unsupported(what)

    def __array_function__(self, func, types, args, kwargs):
        handler = BY_FUNCTION.get(func)
        if handler is None:
            module = getattr(func, "__module__", "numpy") or "numpy"
            prefix = "np." + "".join(f"{m}." for m in module.split(".")[1:] if not m.startswith("_"))
            raise _unsupported(f"{prefix}{func.__name__}")
        try:
            return handler(*args, **kwargs)
        except TypeError:
            _check_arguments(func, handler, args, kwargs)
            raise

    # the array interface a user's f may call
    @property
    def shape(self):
        return np.shape(primal_value(self))

    @property
    def ndim(self):
        return np.ndim(primal_value(self))

    @property
    def size(self):
        return np.size(primal_value(self))

    @property
    def dtype(self):
        return np.result_type(primal_value(self))

    def __len__(self):
        return len(primal_value(self))

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    @property
    def T(self):
        return rules.transpose(self)

    def sum(self, axis=None, keepdims=False):
        return rules.sum_(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return BY_FUNCTION[np.mean](self, axis=axis, keepdims=keepdims)

    def dot(self, other):
        return BY_FUNCTION[np.dot](self, other)

    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape
        shape = tuple(int(n) for n in np.atleast_1d(shape)) if shape != () else ()
        return rules.reshape(self, shape=shape)

    def transpose(self, *axes):
        axes = axes[0] if len(axes) == 1 and not isinstance(axes[0], int) else axes
        return rules.transpose(self, axes=tuple(axes) if axes else None)
