"""A measured fast path: rules computed on Python floats with :mod:`math`.

On one float, ``math.sin(x)`` takes about a tenth of the time of
``np.sin(x)``, and the running example at one point is mostly such calls. The
rule table's ``compute`` (numpy) stays the reference: ``tests/test_rules.py``
checks that both agree on every rule listed here, and
:func:`adlearn.dispatch.compute` falls back to numpy wherever ``math`` raises
(``math.log(0.0)``), so that floats get numpy's answers (``-inf``, with
numpy's warning) just as arrays do.

Examples
--------
>>> SCALAR["sin"](0.0)
0.0
"""

from __future__ import annotations

import math
import operator

__all__ = ["SCALAR"]


def _power(a, b):
    result = a**b
    if isinstance(result, complex):  # (-8.0) ** (1/3): numpy gives nan
        raise ValueError  # noqa: TRY004 (compute() falls back to numpy on ValueError)
    return float(result)


def _maximum(a, b):
    if math.isnan(a) or math.isnan(b):  # numpy propagates nan; max() would not
        raise ValueError
    return float(max(a, b))


def _minimum(a, b):
    if math.isnan(a) or math.isnan(b):
        raise ValueError
    return float(min(a, b))


def _sign(a):
    return math.nan if math.isnan(a) else float((a > 0) - (a < 0))


#: Rule name -> the same computation on Python floats.
SCALAR = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul,
    "div": operator.truediv, "neg": operator.neg, "pow": _power,
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "exp": math.exp,
    "log": math.log, "sqrt": math.sqrt, "tanh": math.tanh, "sinh": math.sinh,
    "cosh": math.cosh, "abs": abs, "arcsin": math.asin, "arccos": math.acos,
    "arctan": math.atan, "log1p": math.log1p, "expm1": math.expm1,
    "square": lambda x: x * x, "maximum": _maximum, "minimum": _minimum, "sign": _sign,
}  # fmt: skip
