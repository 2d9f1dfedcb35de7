"""How one operation reaches the transformation that must see it.

A value being differentiated is wrapped in a *box*: a dual number in forward
mode, a tape variable in reverse mode. Each box belongs to one transformation
(its *tag*), and each tag has a *level*: the order in which the transformations
began. ``bind`` applies a primitive: it hands the operation to the innermost
transformation among its arguments (the highest level), which unwraps its own
boxes, applies the primitive to what is inside (calling ``bind`` again, for the
outer levels) and wraps the result. With no boxes left, the primitive is simply
evaluated on floats or numpy arrays.

That is what keeps nested derivatives apart (no perturbation confusion) and
lets forward mode differentiate reverse mode (Hessians).

Examples
--------
>>> from adlearn.rules import RULES
>>> bind(RULES["mul"], (2.0, 3.0), {})
6.0
"""

from __future__ import annotations

import itertools

import numpy as np

__all__ = ["Box", "bind", "evaluate", "new_level"]

_levels = itertools.count(1)


def new_level() -> int:
    """A level for a new transformation: later (inner) ones are higher."""
    return next(_levels)


class Box:
    """Base class of dual numbers and tape variables (operators live in boxes.py)."""

    __slots__ = ()


def bind(prim, args, params):
    """Apply primitive ``prim`` to ``args``, through every transformation tracing them."""
    top = None
    for a in args:
        if isinstance(a, Box) and (top is None or a._tag.level > top.level):
            top = a._tag
    if top is None:
        return evaluate(prim, args, params)
    return top.process(prim, args, params)


def evaluate(prim, args, params):
    """Evaluate ``prim`` on plain floats and arrays, following numpy's semantics.

    Python floats take the primitive's fast scalar implementation; where that
    raises (``math.log(0.0)``), numpy's result is returned instead (``-inf``,
    with numpy's warning), so that floats and arrays agree.
    """
    scalar = prim.scalar
    if scalar is not None and not params:
        for a in args:
            if type(a) is not float and type(a) is not int:
                break
        else:
            try:
                return scalar(*args)
            except (ValueError, OverflowError, ZeroDivisionError):
                return float(prim.impl(*args))
    try:
        return prim.impl(*args, **params)
    except (TypeError, ValueError, IndexError) as err:
        raise _operand_error(prim, args, params, err) from None


def _describe(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _operand_error(prim, args, params, err) -> Exception:
    """A message that names the operation and the operand it cannot use."""
    for a in args:
        if isinstance(a, (bool, np.bool_)) or not isinstance(
            a, (int, float, complex, np.number, np.ndarray)
        ):
            return TypeError(
                f"{prim.name}: cannot use a value of type {type(a).__name__} "
                f"({_describe(a)}); adlearn works on floats and numpy arrays of floats"
            )
        if isinstance(a, np.ndarray) and not np.issubdtype(a.dtype, np.number):
            return TypeError(
                f"{prim.name}: cannot use an array of dtype {a.dtype}; "
                "adlearn works on numpy arrays of floats"
            )
    shapes = ", ".join(str(np.shape(a)) for a in args)
    extra = "".join(f", {k}={_describe(v)}" for k, v in params.items())
    return ValueError(f"{prim.name}: cannot apply to operands of shapes {shapes}{extra}: {err}")
