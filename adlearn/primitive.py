"""What a rule of the table is: a primitive operation and its local derivatives.

The tables themselves are in :mod:`adlearn.rules` (elementwise operations) and
:mod:`adlearn.array_rules` (sums, products of matrices, reshaping, indexing).

Examples
--------
>>> from adlearn.rules import RULES
>>> RULES["sin"]
<primitive sin>
>>> RULES["sin"].partial(0, (0.0,), 0.0)
1.0
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from adlearn.dispatch import NO_PARAMS, bind
from adlearn.inputs import value_of

__all__ = ["RULES", "Primitive", "floating", "rule"]


@dataclass(frozen=True, eq=False)
class Primitive:
    """One elementary operation and its derivative rule.

    Attributes
    ----------
    name : str
        Short name, as shown in traces and errors (``"mul"``).
    compute : callable
        Computes the value on floats and numpy arrays (a numpy function).
    formula : str
        How a trace writes the operation, ``"{0} * {1}"`` (``{*}``: every operand).
    partials : tuple of callables, optional
        Elementwise rules: ``partials[j](*args, out, **params)`` is the local
        partial dw/dw_j, written with differentiable operations.
    partial_text : tuple of str
        The same partials as text, for traces: ``("{1}", "{0}")`` for mul.
    jvp : callable, optional
        Structural rules: ``jvp(args, tangents, out, **params)``, where a tangent
        is ``None`` for an argument that is a constant.
    vjps : tuple of callables, optional
        Structural rules: ``vjps[j](w_bar, *args, out, **params)`` is the adjoint
        that the output's adjoint ``w_bar`` sends to argument j.
    bilinear : bool
        For a structural rule: linear in each operand separately (``matmul``),
        rather than in all of them together (``stack``, ``sum``); traces write
        its tangent rule as one term per operand.
    """

    name: str
    compute: Callable[..., Any]
    formula: str
    partials: tuple[Callable[..., Any], ...] | None = None
    partial_text: tuple[str, ...] = ()
    jvp: Callable[..., Any] | None = None
    vjps: Any = None
    bilinear: bool = False

    @property
    def elementwise(self) -> bool:
        return self.partials is not None

    def partial(self, j, args, out, params=NO_PARAMS):
        """The local partial dw/dw_j at ``args``, whose output is ``out``, made
        floating by :func:`floating`."""
        d = self.partials[j](*args, out, **params) if params else self.partials[j](*args, out)
        return floating(d, out)

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"

    def __call__(self, *args, **params):
        return bind(self, args, params)


def floating(d, out):
    """A local partial ``d`` as a float, or an array of floats, of ``out``'s precision.

    An integer or boolean constant among the arguments (``3 * x``, a uint8
    image) can make the partial an integer: it is made floating here,
    before it multiplies a tangent or an adjoint, so that a derivative is
    always a float and never overflows. A float16 or float32 constant
    beside a float64 value (``c16 * x``) is cast to the output's dtype,
    as numpy casts it to compute the output: a seed 1.0, a Python float,
    would otherwise take the constant's dtype (numpy lets it), and the
    derivative would be summed in float16.

    Examples
    --------
    >>> import numpy as np
    >>> floating(3, 6.0), floating(np.array([2], np.uint8), np.array([2.0])).dtype
    (3.0, dtype('float64'))
    """
    if type(d) is float:
        return d
    if isinstance(d, (bool, int, np.bool_, np.integer)):
        return float(d)
    if isinstance(d, np.ndarray) and d.dtype.kind in "biu":
        return d.astype(float)
    if isinstance(d, (np.ndarray, np.floating)) and d.dtype.char in "ef":  # float16, float32
        dtype = getattr(value_of(out), "dtype", d.dtype)
        if dtype.kind == "f" and dtype.itemsize > d.dtype.itemsize:
            return d.astype(dtype)
    return d


#: Every rule, by name: forward mode, reverse mode, the trace and the graph read it.
RULES: dict[str, Primitive] = {}


def rule(name, *, compute, formula, partials=None, partial_text=(), jvp=None, vjps=None,
         bilinear=False) -> Primitive:  # fmt: skip
    """Add a rule to the table and return its primitive."""
    prim = Primitive(name, compute, formula, partials, tuple(partial_text), jvp, vjps, bilinear)
    RULES[name] = prim
    return prim
