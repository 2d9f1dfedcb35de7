"""What a value being differentiated supports: Python operators and numpy functions.

Dual numbers and tape variables share this behaviour, so that one function
``f(x1, x2) = x1 * x2 + np.sin(x1)`` runs unchanged on floats, arrays, dual
numbers and tape variables. Every operator and numpy call ends in
:func:`adlearn.dispatch.bind` with a rule of the table.

A numpy function that adlearn cannot differentiate raises a ``TypeError`` that
names it, rather than silently dropping the derivative; so do the operations
that cannot work on a value being differentiated (assigning into it), with what
to write instead.

Examples
--------
>>> import numpy as np
>>> import adlearn as ad
>>> ad.grad(lambda x: np.sum(x.reshape(2, 2).T @ np.ones(2)))(np.arange(4.0))
array([1., 1., 1., 1.])
"""

from __future__ import annotations

import inspect
import sys

import numpy as np

from adlearn import array_rules, numpy_api, rules
from adlearn.dispatch import NO_PARAMS, Differentiable, bind, differentiated_in, not_a_constant
from adlearn.inputs import seen_value, value_of
from adlearn.numpy_api import BY_FUNCTION, BY_UFUNC, NO_VALUE, PLAIN_UFUNCS

__all__ = ["ArrayBehaviour", "DroppedDerivative", "call"]


#: Where the list of supported functions is, for the refusal message.
SUPPORT_PAGE = "https://github.com/adlearn/adlearn/blob/main/docs/numpy-support.md"

#: What to write instead of a function adlearn does not differentiate, where
#: there is something close.
INSTEAD = {
    "np.array": "np.stack([...])",
    "np.asarray": "the value itself, or np.stack([...]) for a list of values",
    "np.append": "np.concatenate([x, y])",
    "np.atleast_1d": "np.reshape(x, (-1,))",
    "np.atleast_2d": "np.reshape(x, (1, -1))",
    "np.fabs": "np.abs(x)",
    "np.float_power": "x ** y",
    "np.cbrt": "np.sign(x) * np.abs(x) ** (1 / 3)",
    "np.nansum": "np.sum(np.where(np.isnan(x), 0.0, x))",
    "np.nanmean": "np.mean of np.where(np.isnan(x), ...) over the entries you keep",
    "np.average": "np.sum(w * x) / np.sum(w)",
    "np.cumprod": "np.exp(np.cumsum(np.log(x))) for positive x",
    "np.logaddexp2": "np.logaddexp(x, y) / np.log(2)",
    "np.fmod": "x - y * np.trunc(x / y)",
    "np.floor_divide": "np.floor(x / y) (its derivative is 0)",
    "np.linalg.pinv": "np.linalg.solve (for a square invertible matrix)",
    "np.linalg.matrix_power": "repeated @",
}


#: The operator of ``buf op= x``, for the ufuncs it calls with ``out=buf``.
_AUGMENTED = {
    np.add: "+", np.subtract: "-", np.multiply: "*", np.true_divide: "/", np.power: "**",
    np.matmul: "@", np.remainder: "%",
}  # fmt: skip


def _unsupported(what: str) -> TypeError:
    name = what.split(" ")[0]
    instead = f"; write {INSTEAD[name]} instead" if name in INSTEAD else ""
    return TypeError(
        f"{what} is not supported by adlearn on a value being differentiated: its "
        f"derivative cannot be followed{instead}. Supported functions: {SUPPORT_PAGE}"
    )


def _operator(prim):
    """The method ``self <op> other``."""

    def method(self, other):
        return bind(prim, (self, other), NO_PARAMS)

    return method


def _reflected(prim):
    """The method for ``other <op> self`` (Python calls it as ``self.__radd__(other)``)."""

    def method(self, other):
        return bind(prim, (other, self), NO_PARAMS)

    return method


def _check_arguments(func, handler, args, kwargs) -> None:
    """Name the arguments adlearn supports for ``np.<func>`` if these do not fit.

    Called only once a call has failed: reading a signature costs more than
    most calls it would check.
    """
    signature = inspect.signature(handler)
    # a numpy_api function's keyword-only name= (what its errors call it) is not numpy's
    params = signature.parameters.values()
    signature = signature.replace(
        parameters=[p for p in params if not (p.name == "name" and p.kind is p.KEYWORD_ONLY)]
    )
    try:
        signature.bind(*args, **kwargs)
    except TypeError:
        raise TypeError(
            f"np.{func.__name__}: adlearn supports it with the arguments {signature}; "
            f"got {len(args)} positional and {sorted(kwargs) or 'no'} keyword arguments"
        ) from None


class DroppedDerivative(TypeError):
    """A conversion of a value being differentiated to a plain number."""


class DroppedIndex(DroppedDerivative, IndexError):
    """An index that is a value being differentiated: an IndexError too, as numpy's
    for an index that is not an int."""


def _dropped(what: str) -> TypeError:
    return DroppedDerivative(
        f"{what} of a value being differentiated would drop its derivative. "
        "Use numpy functions (np.sin, not math.sin) and keep the value as it is."
    )


#: How numpy reports a size it cannot read as an int (np.zeros(n), np.ones(n)), hiding
#: the refusal of ``n.__index__``; what follows names n by its repr.
_NUMPY_SIZE_ERROR = "expected a sequence of integers or a single integer, got '"


def _hides_a_refused_size(err: TypeError) -> bool:
    """Whether err is numpy's report of a size that is a value being differentiated."""
    message = str(err)
    if not message.startswith(_NUMPY_SIZE_ERROR):
        return False
    kinds, names = [Differentiable], set()
    while kinds:  # Dual, Var and ad.jit's traced values: the classes a repr may start with
        kind = kinds.pop()
        names.add(kind.__name__)
        kinds.extend(kind.__subclasses__())
    return message[len(_NUMPY_SIZE_ERROR) :].split("(")[0] in names


def call(f, args, kwargs):
    """``f(*args, **kwargs)``, for a learner's f running on values being differentiated.

    ``buf[i] = x`` with x such a value makes numpy call ``float(x)``, and report
    the refusal as "setting an array element with a sequence": that mistake is
    named here instead. So is ``np.zeros(n)`` with n such a value, which numpy
    reports with n's class name.
    """
    try:
        return f(*args, **kwargs)
    except ValueError as err:
        if isinstance(err.__cause__, DroppedDerivative):
            raise DroppedDerivative(
                "buf[i] = x: storing a value being differentiated into a numpy array would "
                "drop its derivative. Collect the values in a list and build the array with "
                "np.stack(values) (or np.concatenate), or use np.where(mask, x, buf)."
            ) from err
        raise
    except TypeError as err:
        if _hides_a_refused_size(err):
            raise DroppedDerivative(
                "np.zeros(n), np.ones(n) or np.empty(n): a size cannot be a value being "
                "differentiated: it has no derivative, and the derivative through it would be "
                "lost. Use a plain int, computed from the input's shape (as in "
                "np.zeros(x.shape[0])) or made with int(...) outside the function being "
                "differentiated."
            ).with_traceback(err.__traceback__) from None
        raise


def _no_assignment() -> TypeError:
    return TypeError(
        "x[...] = ... (or x[...] += ...): adlearn cannot assign into an array being "
        "differentiated; its entries are values other operations have read. Build a new "
        "array instead: np.where(mask, new, x) to replace entries, x + delta (delta zero "
        "except where it should change), or np.stack([...]) / np.concatenate([...]) of pieces."
    )


def _not_differentiable(what: str, instead: str) -> TypeError:
    return TypeError(
        f"{what} is not supported on a value being differentiated (a float or array "
        f"that adlearn follows); {instead}"
    )


_BITWISE_INSTEAD = (
    "bitwise operators work on ints and bools, not on floats; to combine conditions, "
    "compare first, as in (x > 0) & (x < 1) or ~(x > 0)"
)


def _bitwise(symbol: str):
    """The method ``x <symbol> y`` for a bitwise operator: a message, as numpy's floats refuse it."""

    def method(self, other):
        raise _not_differentiable(f"x {symbol} y", _BITWISE_INSTEAD)

    return method


class ArrayBehaviour(Differentiable):
    """Operators and numpy protocols shared by ``Dual`` and ``Var``: a value being
    differentiated acts like the float or the array it stands for."""

    __slots__ = ()
    __array_priority__ = 1000.0
    is_traced = False  # True for ad.jit's traced values (adlearn.recording)
    __hash__ = object.__hash__

    # arithmetic: one line each, every one a rule of the table
    __add__, __radd__ = _operator(rules.ADD), _reflected(rules.ADD)
    __sub__, __rsub__ = _operator(rules.SUB), _reflected(rules.SUB)
    __mul__, __rmul__ = _operator(rules.MUL), _reflected(rules.MUL)
    __truediv__, __rtruediv__ = _operator(rules.DIV), _reflected(rules.DIV)
    __rpow__ = _reflected(rules.POW)
    __matmul__, __rmatmul__ = _operator(array_rules.MATMUL), _reflected(array_rules.MATMUL)
    __mod__, __rmod__ = _operator(rules.MOD), _reflected(rules.MOD)

    def __pow__(self, other, modulo=None):
        if modulo is not None:  # pow(x, y, m)
            raise _not_differentiable("pow(x, y, m)", "write x ** y % m")
        return bind(rules.POW, (self, other), NO_PARAMS)

    def __neg__(self):
        return bind(rules.NEG, (self,), NO_PARAMS)

    def __pos__(self):
        return self

    def __abs__(self):
        return bind(rules.ABS, (self,), NO_PARAMS)

    def __getitem__(self, index):
        try:
            return array_rules.getitem(self, index=index)
        except (TypeError, ValueError, IndexError):
            i = differentiated_in(index)  # looked for only once numpy has refused the index
            if i is None:
                raise
            example = " (as in x[x.shape[0] - 1])"
            raise not_a_constant("x[i]: an index", i, example, DroppedIndex) from None

    def __setitem__(self, index, value):
        raise _no_assignment()

    # comparisons look at the value only, elementwise as numpy's: they steer
    # control flow and select entries, and have no derivative (under ad.jit's
    # recording they are recorded, as seen_value says)
    def __lt__(self, other):
        return seen_value(self) < seen_value(other)

    def __le__(self, other):
        return seen_value(self) <= seen_value(other)

    def __gt__(self, other):
        return seen_value(self) > seen_value(other)

    def __ge__(self, other):
        return seen_value(self) >= seen_value(other)

    def __eq__(self, other):
        return seen_value(self) == seen_value(other)

    def __ne__(self, other):
        return seen_value(self) != seen_value(other)

    def __bool__(self):
        return bool(seen_value(self))

    def __format__(self, spec):
        return format(value_of(self), spec)

    # conversions that would drop the derivative are refused, with a way out
    def __float__(self):
        raise _dropped("float()")

    def __int__(self):
        raise _dropped("int()")

    def __complex__(self):
        raise _dropped("complex()")

    def __index__(self):
        raise DroppedDerivative(
            "a value being differentiated cannot be an index or a size (as in a[x] or range(x)): "
            "an index has no derivative, and the derivative through it would be lost; use a "
            "plain int, computed from the input's shape (as in x.shape[0]) or made with "
            "int(np.round(x))"
        )

    def __array__(self, dtype=None, copy=None):
        if numpy_api.converted_by_numpy_full():
            numpy_api.refuse_fill("np.full")
        raise TypeError(
            "a value being differentiated cannot be converted to a numpy array: build arrays "
            "with np.stack, as in np.mean(np.stack([x1, x2])), np.concatenate or "
            "np.where(mask, x, buf), and write W @ x for W.dot(x); see 'What cannot work' "
            "in docs/numpy-support.md"
        )

    def item(self):
        raise _dropped(".item()")

    # operators with no derivative rule (yet): a message, not an internal class name
    def __floordiv__(self, other):
        raise _not_differentiable("x // y", "write np.floor(x / y) if you mean it")

    __rfloordiv__ = __floordiv__

    def __divmod__(self, other):
        raise _not_differentiable("divmod(x, y)", "write np.floor(x / y) and x - y * np.floor(x / y)")

    __rdivmod__ = __divmod__

    __and__ = __rand__ = _bitwise("&")
    __or__ = __ror__ = _bitwise("|")
    __xor__ = __rxor__ = _bitwise("^")
    __lshift__ = __rlshift__ = _bitwise("<<")
    __rshift__ = __rrshift__ = _bitwise(">>")

    def __invert__(self):
        raise _not_differentiable("~x", _BITWISE_INSTEAD)

    def __round__(self, ndigits=None):
        # a rounding is constant between its jumps: its derivative is 0 (as JAX's)
        value = seen_value(self)
        return round(value, ndigits) if np.ndim(value) == 0 else np.round(value, ndigits or 0)

    def __getattr__(self, name):
        if name.startswith("__"):  # numpy and Python probing for protocols
            raise AttributeError(name)
        function = getattr(np, name, None)
        instead = f"write np.{name}(x); " if function in BY_FUNCTION else ""
        raise AttributeError(
            f"x.{name}: adlearn does not support this method on a value being "
            f"differentiated; {instead}see {SUPPORT_PAGE}"
        )

    # numpy's protocols: ufuncs and array functions reach the rule table
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "__call__" and not kwargs:
            prim = BY_UFUNC.get(ufunc)
            if prim is not None:
                return bind(prim, inputs, NO_PARAMS)
            if ufunc in PLAIN_UFUNCS:
                return ufunc(*(seen_value(x) for x in inputs))
        if method == "__call__" and "out" in kwargs and ufunc in BY_UFUNC:
            name, op = ufunc.__name__, _AUGMENTED.get(ufunc)
            call = f"buf {op}= x (np.{name} with out=buf)" if op else f"np.{name}(..., out=buf)"
            instead = f"buf = buf {op} x" if op else f"buf = np.{name}(...)"
            raise TypeError(
                f"{call} would write a value being differentiated into a numpy array and "
                f"drop its derivative; write {instead} instead"
            )
        what = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
        if kwargs:
            what += f" with {', '.join(sorted(kwargs))}="
        raise _unsupported(what)

    def __array_function__(self, func, types, args, kwargs):
        handler = BY_FUNCTION.get(func)
        if func is np.copyto:  # np.copyto, or np.full or np.full_like calling it
            numpy_api.refuse_fill(numpy_api.filler(sys._getframe(1)))
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
        return np.shape(value_of(self))

    @property
    def ndim(self):
        return np.ndim(value_of(self))

    @property
    def size(self):
        return np.size(value_of(self))

    @property
    def dtype(self):
        return np.result_type(value_of(self))

    def __len__(self):
        return len(value_of(self))

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    @property
    def T(self):
        return array_rules.transpose(self)

    # reductions: numpy's function, under the method's name for its errors
    def sum(self, axis=None, dtype=None, out=None, keepdims=False, initial=NO_VALUE, where=True):
        return numpy_api.sum_(self, axis, dtype, out, keepdims, initial, where, name="x.sum")

    def mean(self, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
        return numpy_api.mean(self, axis, dtype, out, keepdims, where=where, name="x.mean")

    def max(self, axis=None, out=None, keepdims=False, initial=NO_VALUE, where=True):
        return numpy_api.max_(self, axis, out, keepdims, initial, where, name="x.max")

    def min(self, axis=None, out=None, keepdims=False, initial=NO_VALUE, where=True):
        return numpy_api.min_(self, axis, out, keepdims, initial, where, name="x.min")

    def prod(self, axis=None, dtype=None, out=None, keepdims=False, initial=NO_VALUE, where=True):
        return numpy_api.prod(self, axis, dtype, out, keepdims, initial, where, name="x.prod")

    def cumsum(self, axis=None, dtype=None, out=None):
        return numpy_api.cumsum(self, axis, dtype, out, name="x.cumsum")

    def var(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
            mean=NO_VALUE):  # fmt: skip
        return numpy_api.var(self, axis, dtype, out, ddof, keepdims, where=where, mean=mean,
                          name="x.var")  # fmt: skip

    def std(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
            mean=NO_VALUE):  # fmt: skip
        return numpy_api.std(self, axis, dtype, out, ddof, keepdims, where=where, mean=mean,
                          name="x.std")  # fmt: skip

    # the rest of the array interface
    def dot(self, other, out=None):
        numpy_api.options("x.dot", out=out)
        return numpy_api.dot(self, other)

    def reshape(self, *shape, order="C", copy=None):
        numpy_api.options("x.reshape", order=order, orders="C")
        shape = shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape
        numpy_api.constant(shape, "x.reshape: the shape")
        shape = tuple(int(n) for n in np.atleast_1d(shape)) if shape != () else ()
        return array_rules.reshape(self, shape=shape)

    def transpose(self, *axes):
        axes = axes[0] if len(axes) == 1 and not isinstance(axes[0], int) else axes
        for axis in () if axes is None else axes:  # an error names x.transpose, not np.transpose
            array_rules.axis_index(axis, self.ndim, "x.transpose")
        return array_rules.transpose(self, axes=tuple(axes) if axes else None)

    def ravel(self, order="C"):
        return numpy_api.ravel(self, order, name="x.ravel")

    def flatten(self, order="C"):
        return numpy_api.ravel(self, order, name="x.flatten")

    def squeeze(self, axis=None):
        return numpy_api.squeeze(self, axis, name="x.squeeze")

    def copy(self, order="C"):
        return self  # a value being differentiated is never written into

    def astype(self, dtype, order="K", casting="unsafe", subok=True, copy=True):
        if np.dtype(dtype) not in (np.float64, self.dtype):
            raise TypeError(
                f"x.astype({dtype!r}): adlearn does not change the dtype of a value being "
                "differentiated, and a cast would drop or change the derivative; for rounded "
                "values use np.round(x) (derivative 0)"
            )
        return self

    def clip(self, min=None, max=None, out=None):
        return numpy_api.clip(self, min, max, out, name="x.clip")

    def trace(self, offset=0, axis1=0, axis2=1, dtype=None, out=None):
        return numpy_api.trace(self, offset, axis1, axis2, dtype, out, name="x.trace")

    def diagonal(self, offset=0, axis1=0, axis2=1):
        return numpy_api.diagonal(self, offset, axis1, axis2, name="x.diagonal")

    def repeat(self, repeats, axis=None):
        return numpy_api.repeat(self, repeats, axis, name="x.repeat")

    # methods whose result is a constant, computed on the value
    def round(self, decimals=0, out=None):
        numpy_api.options("x.round", out=out)
        return np.round(seen_value(self), decimals)

    def argmax(self, axis=None, out=None, *, keepdims=False):
        numpy_api.options("x.argmax", out=out)
        return np.argmax(seen_value(self), axis=axis, keepdims=keepdims)

    def argmin(self, axis=None, out=None, *, keepdims=False):
        numpy_api.options("x.argmin", out=out)
        return np.argmin(seen_value(self), axis=axis, keepdims=keepdims)


#: The ndarray methods a value being differentiated has (named in errors).
METHODS = sorted(
    name for name, attr in vars(ArrayBehaviour).items()
    if callable(attr) and not name.startswith("_") and name != "item"
)  # fmt: skip

for _name in METHODS:  # Python's own argument errors then name x.sum, not this class
    vars(ArrayBehaviour)[_name].__qualname__ = f"x.{_name}"
