"""How one operation reaches the sweep that must see it.

A value being differentiated is a :class:`Differentiable`: a dual number in
forward mode, a tape variable in reverse mode. Each belongs to one *sweep* (a
forward sweep, or the tape of a reverse one), and each sweep has a *level*: the
order in which the sweeps began. ``bind`` applies a rule: it hands the operation
to the innermost sweep among its arguments (the highest level), which takes the
values out of its own variables, applies the rule to them (calling ``bind``
again, for the outer sweeps) and wraps the result with its derivative. With no
sweep left, the rule is simply computed on floats or numpy arrays.

That is what keeps nested derivatives apart (no perturbation confusion) and
lets forward mode differentiate reverse mode (Hessians).

Examples
--------
>>> from adlearn.rules import RULES
>>> bind(RULES["mul"], (2.0, 3.0))
6.0
"""

from __future__ import annotations

import contextlib
import itertools

import numpy as np
from numpy.exceptions import AxisError as _AxisError

from adlearn.fast_scalar import SCALAR

__all__ = ["NO_PARAMS", "Differentiable", "bind", "compute", "differentiated_in", "new_level"]

#: The parameters of a rule that takes none (most of them).
NO_PARAMS: dict = {}

_levels = itertools.count(1)


def new_level() -> int:
    """A level for a new sweep: later (inner) ones are higher."""
    return next(_levels)


class Differentiable:
    """A value being differentiated: a dual number or a tape variable.

    ``value`` is the float or array it stands for; ``sweep`` the sweep it
    belongs to (a forward sweep, or the tape of a reverse one). Its operators
    and numpy's protocols are in :mod:`adlearn.operators`.
    """

    __slots__ = ("sweep", "value")


def differentiated_in(value):
    """The first value being differentiated in ``value`` or in the slices, tuples and lists
    it is made of (an index, a shape, an axis, a count), or None."""
    if isinstance(value, Differentiable):
        return value
    if type(value) is slice:
        parts = (value.start, value.stop, value.step)
    else:
        parts = value if isinstance(value, (tuple, list)) else ()
    for part in parts:
        found = differentiated_in(part)
        if found is not None:
            return found
    return None


def not_a_constant(what: str, held, example: str = "", error=TypeError) -> Exception:
    """The refusal of ``what`` (``"np.roll: the shift"``), which holds ``held``, a value being
    differentiated, where numpy needs a plain int: an index, a size, an axis, a count."""
    from adlearn.inputs import describe, value_of  # inputs needs Differentiable from here

    value = value_of(held)
    shown = f"{describe(held)}, {value}" if np.ndim(value) == 0 else describe(held)
    return error(
        f"{what} cannot be a value being differentiated (here {shown}): it has no "
        "derivative, and the derivative through it would be lost. Use a plain int, computed "
        f"from the input's shape{example} or made with int(...) outside the function being "
        "differentiated."
    )


def bind(rule, args, params=NO_PARAMS):
    """Apply ``rule`` to ``args``, through every sweep that is differentiating them."""
    innermost, convert = None, False
    for a in args:
        if isinstance(a, Differentiable):
            if innermost is None or a.sweep.level > innermost.level:
                innermost = a.sweep
        elif type(a) is np.matrix or type(a) is list or type(a) is tuple:
            convert = True
    if convert:
        args = _plain_operands(rule, args)
    if innermost is None:
        return compute(rule, args, params)
    return innermost.apply(rule, args, params)


def _plain_operands(rule, args) -> tuple:
    """``args`` with a constant np.matrix as a plain array (as inputs are) and, for an
    elementwise rule, a list or tuple of numbers as the array numpy makes of it
    (``x * [1.0, 2.0]``: its partial for ``x`` is then an array, not a list)."""
    plain = []
    for a in args:
        if type(a) is np.matrix:
            a = np.asarray(a)
        elif (type(a) is list or type(a) is tuple) and rule.partials is not None:
            with contextlib.suppress(ValueError):  # ragged: compute names what it cannot use
                a = np.asarray(a)
        plain.append(a)
    return tuple(plain)


#: The types the fast scalar implementations take (bool is neither: numpy's rules apply).
_PYTHON_NUMBERS = frozenset((float, int))


def compute(rule, args, params=NO_PARAMS):
    """Compute ``rule`` on plain floats and arrays, following numpy's semantics.

    Python floats (and ints) take the fast scalar implementation of :mod:`adlearn.fast_scalar`
    where there is one; where that raises (``math.log(0.0)``), numpy's result is
    returned instead (``-inf``, with numpy's warning), so that floats and arrays agree.
    """
    scalar = SCALAR.get(rule.name)
    if scalar is not None and not params and _PYTHON_NUMBERS.issuperset(map(type, args)):
        try:
            return scalar(*args)
        except (ValueError, OverflowError, ZeroDivisionError):
            return float(rule.compute(*args))
    try:
        return rule.compute(*args, **params)
    except _AxisError as err:  # an axis out of range: numpy's error, naming the function
        raise _AxisError(f"np.{rule.name}: {err}") from None
    except (TypeError, ValueError, IndexError) as err:
        raise _operand_error(rule, args, params, err) from None


def _describe(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _operand_error(rule, args, params, err) -> Exception:
    """A message that names the operation and the operand it cannot use."""
    for name, value in params.items():  # a shape or an axis that is being differentiated
        held = differentiated_in(value)
        if held is not None:
            return not_a_constant(f"np.{rule.name}: the {name}", held)
    for a in args:
        if isinstance(a, (bool, np.bool_)) or not isinstance(
            a, (int, float, complex, np.number, np.ndarray)
        ):
            return TypeError(
                f"{rule.name}: cannot use a value of type {type(a).__name__} "
                f"({_describe(a)}); adlearn works on floats and numpy arrays of floats"
            )
        if isinstance(a, np.ndarray) and not np.issubdtype(a.dtype, np.number):
            return TypeError(
                f"{rule.name}: cannot use an array of dtype {a.dtype}; "
                "adlearn works on numpy arrays of floats"
            )
    shapes = ", ".join(str(np.shape(a)) for a in args)
    extra = "".join(f", {k}={_describe(v)}" for k, v in params.items())
    # numpy's class where it says more than ValueError: an index, a singular matrix
    kind = type(err) if isinstance(err, (IndexError, np.linalg.LinAlgError)) else ValueError
    return kind(f"{rule.name}: cannot apply to operands of shapes {shapes}{extra}: {err}")
