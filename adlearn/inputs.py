"""Checking what a user passes in, so that a mistake gets a clear message.

Examples
--------
>>> as_primal(2, "grad", 0)
2.0
>>> as_primal("2", "grad", 0)
Traceback (most recent call last):
...
TypeError: grad: argument 0 is a str ('2'); expected a float or a numpy array of floats
"""

from __future__ import annotations

import inspect

import numpy as np

from adlearn.dispatch import Differentiable

__all__ = [
    "argnums_positions", "argnums_tuple", "as_output", "as_primal", "check_tangent", "describe", "fresh",
    "in_dtype", "in_dtype_of", "input_names", "seen_value", "value_of",
]  # fmt: skip


def as_primal(x, where: str, position: int, what: str = "argument"):
    """A float or a float array for ``x``, or a TypeError that says what is wrong.

    ``what`` names ``x`` in the message: an argument, a tangent or a cotangent.
    """
    kind = type(x)
    if kind is float:
        return x
    if isinstance(x, Differentiable):  # a value an enclosing sweep differentiates
        as_primal(value_of(x), where, position)
        return x
    if kind is int or isinstance(x, (np.floating, np.integer)):
        return float(x)
    if isinstance(x, np.ndarray) and x.dtype.kind in "fiu":
        if type(x) is not np.ndarray:  # np.matrix and other subclasses: a plain array
            x = np.asarray(x)
        return x if x.dtype.kind == "f" else x.astype(float)
    if isinstance(x, (complex, np.complexfloating)) or (
        isinstance(x, np.ndarray) and x.dtype.kind == "c"
    ):
        raise TypeError(
            f"{where}: {what} {position} is complex ({_short(x)}); adlearn differentiates "
            "real functions of real inputs (ad.check_grad uses complex numbers internally)"
        )
    if isinstance(x, (list, tuple)):
        raise TypeError(
            f"{where}: {what} {position} is a {kind.__name__}; pass np.array({_short(x)}) "
            "to differentiate with respect to an array"
        )
    found = f"an array of dtype {x.dtype}" if isinstance(x, np.ndarray) else f"a {kind.__name__}"
    raise TypeError(
        f"{where}: {what} {position} is {found} ({_short(x)}); "
        "expected a float or a numpy array of floats"
    )


def as_output(y, where: str):
    """Check that f returned a real float or array (possibly traced)."""
    v = value_of(y)
    if type(v) is float:  # the common case, nothing to check
        return y
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.number, np.ndarray)):
        raise TypeError(
            f"{where}: the function returned {describe(v)}; "
            "it must return a float or a numpy array of floats"
        )
    if isinstance(v, np.complexfloating) or (isinstance(v, np.ndarray) and v.dtype.kind == "c"):
        raise TypeError(f"{where}: the function returned a complex value; adlearn is for real ones")
    return y


def argnums_tuple(argnums, nargs: int, where: str) -> tuple[int, ...]:
    """``argnums`` as a tuple of valid positions, or a clear error."""
    if not isinstance(argnums, (int, tuple, list)):
        raise TypeError(f"{where}: argnums must be an int or a tuple of ints, got {argnums!r}")
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for n in nums:
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"{where}: argnums must be ints, got {n!r}")
        if not -nargs <= n < nargs:
            raise ValueError(
                f"{where}: argnums={argnums!r} asks for argument {n}, "
                f"but the function was called with {nargs} positional argument(s); pass the "
                "arguments to differentiate positionally (keyword arguments are not differentiated)"
            )
    positions = tuple(n % nargs for n in nums)
    if len(set(positions)) < len(positions):
        raise ValueError(f"{where}: argnums={argnums!r} names an argument more than once")
    return positions


def a_function(f, where: str):
    """``f``, or a TypeError naming ``where`` if it cannot be called.

    Examples
    --------
    >>> a_function(3, "grad")
    Traceback (most recent call last):
    ...
    TypeError: grad: expected a function to differentiate, got int 3
    """
    if not callable(f):
        raise TypeError(f"{where}: expected a function to differentiate, got {type(f).__name__} {_short(f)}")
    return f


def argnums_positions(argnums, where: str):
    """``nargs -> argnums_tuple(argnums, nargs, where)``, worked out once per number of
    arguments: a transformed function is called again and again with the same count.

    Examples
    --------
    >>> positions = argnums_positions(-1, "grad")
    >>> positions(3), positions(2)
    ((2,), (1,))
    """
    known: dict[int, tuple[int, ...]] = {}

    def positions(nargs: int) -> tuple[int, ...]:
        nums = known.get(nargs)
        if nums is None:  # a mistake raises here each time: it is never stored
            nums = known[nargs] = argnums_tuple(argnums, nargs, where)
        return nums

    return positions


def check_tangent(primal, tangent, where: str, position: int):
    """A tangent (or cotangent) must have the shape of its primal."""
    what, owner = ("cotangent", "the output") if where == "vjp" else ("tangent", "its primal")
    t = as_primal(tangent, where, position, what)
    if np.shape(t) != np.shape(primal):
        raise ValueError(
            f"{where}: {what} {position} has shape {np.shape(t)}, but {owner} has "
            f"shape {np.shape(primal)}; they must be equal"
        )
    return t


def input_names(f, n: int = 2) -> tuple[str, ...]:
    """The names of f's first n positional parameters (``x1``, ``x2``, ... when
    they cannot be read).

    Examples
    --------
    >>> input_names(lambda a, b: a * b)
    ('a', 'b')
    >>> input_names(max)
    ('x1', 'x2')
    """
    try:
        params = [
            p.name
            for p in inspect.signature(f).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        params = []
    return tuple(params[:n]) if len(params) >= n else tuple(f"x{i + 1}" for i in range(n))


def fresh(x, given=frozenset()):
    """x, or a copy of x where it is one of the arrays the caller passed in
    (``given`` holds their ``id``) or a view: a result never shares memory with
    an input, so writing into it cannot change the caller's arrays.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.ones(2)
    >>> fresh(a, {id(a)}) is a, fresh(a) is a
    (False, True)
    """
    if isinstance(x, np.ndarray) and (x.base is not None or id(x) in given):
        return x.copy()
    return x


def in_dtype_of(x, like):
    """A derivative ``x`` in the floating dtype of ``like`` (the input, or the output, it
    belongs to): float32 stays float32. See :func:`in_dtype`.

    Examples
    --------
    >>> import numpy as np
    >>> in_dtype_of(np.ones(2), np.zeros(2, np.float32)).dtype
    dtype('float32')
    >>> in_dtype_of(2.0, np.zeros(2))
    2.0
    """
    return in_dtype(x, getattr(like, "dtype", None))


def in_dtype(x, dtype):
    """A derivative ``x`` in ``dtype``. Unchanged where ``dtype`` is None or not floating,
    or where ``x`` is being differentiated (an enclosing sweep hands it back, and casts it
    then).

    Examples
    --------
    >>> import numpy as np
    >>> in_dtype(np.ones(2), np.dtype(np.float16)).dtype
    dtype('float16')
    >>> in_dtype(np.ones(2), np.dtype(np.int64)).dtype  # not floating: unchanged
    dtype('float64')
    """
    if dtype is None or dtype.kind != "f" or isinstance(x, Differentiable):
        return x
    if isinstance(x, np.ndarray):
        return x if x.dtype == dtype else x.astype(dtype)
    if isinstance(x, np.generic):
        return x if x.dtype == dtype else dtype.type(x)
    return x if dtype == np.float64 else dtype.type(x)  # a Python float stays one in float64


def value_of(x):
    """The plain value under any number of dual numbers and tape variables."""
    while isinstance(x, Differentiable):
        x = x.value
    return x


def seen_value(x):
    """The value a decision looks at: the plain value under any dual numbers and tape
    variables, except under :func:`adlearn.jit`'s recording, where it is the traced value,
    so that a comparison, a mask or a branch on it is recorded rather than baked in.

    Examples
    --------
    >>> import adlearn as ad
    >>> seen_value(ad.Dual(2.0, 1.0, None))
    2.0
    """
    while isinstance(x, Differentiable) and not getattr(type(x), "is_traced", False):
        x = x.value
    return x


def describe(x) -> str:
    """What x is, as the learner knows it: never the classes of values being differentiated.

    Examples
    --------
    >>> import numpy as np
    >>> describe(2.0), describe(np.ones(3)), describe((1.0, np.ones(2))), describe("1")
    ('a float', 'an array of shape (3,)', 'a tuple of 2 values', "a str ('1')")
    """
    x = value_of(x)
    if isinstance(x, (list, tuple, dict)):
        n = len(x)
        return f"a {type(x).__name__} of {n} value{'' if n == 1 else 's'}"
    if isinstance(x, np.ndarray):
        dtype = "" if x.dtype == np.float64 else f" and dtype {x.dtype}"
        return f"an array of shape {x.shape}{dtype}"
    if isinstance(x, (float, np.floating)) and not isinstance(x, np.complexfloating):
        return "a float"
    return f"a {type(x).__name__} ({_short(x)})"


def _short(x) -> str:
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."
