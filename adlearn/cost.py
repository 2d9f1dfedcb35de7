"""What a gradient costs, counted in arithmetic operations on the trace.

The cheap gradient principle (Griewank and Walther, *Evaluating Derivatives*,
2008, section 4.6): reverse mode gives f's value and whole gradient for a small
constant times the work of f alone, whatever the number of inputs. This module
counts that work on the evaluation trace of a scalar function, unit by unit,
as adlearn does it:

- **f**: one operation per unit (each elementary operation);
- **partials**: the operations of each unit's local partials, as the rule table
  writes them (``cos({0})`` for sin: one; ``{1}`` for a product: none, it is an
  operand's value; ``1`` for a sum: none);
- **multiplications**: the backward sweep sends ``w_bar * partial`` along every
  edge of the graph: one multiplication per operand of every unit;
- **additions**: a unit read k times receives k contributions, k - 1 additions
  (the fan-in at x1 in the running example is one).

The gradient's count is f's (the recording forward sweep) plus the other three.
A forward sweep, for comparison, computes values, partials, one product per
edge and the sums of a unit's products.

Examples
--------
>>> from adlearn.cost import operation_count
>>> from adlearn.examples import running_example as f
>>> c = operation_count(f, 2.0, 3.0)
>>> c.function, c.partials, c.multiplications, c.additions, c.gradient
(3, 1, 5, 1, 10)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from adlearn.trace import trace

__all__ = ["OperationCount", "operation_count", "partial_operations"]

_CALL = re.compile(r"[a-z]\w*\(")
_BINARY = re.compile(r"(?<=[\w)}])\s*[-+*/^]\s*(?=[\w({])")


def partial_operations(text: str) -> int:
    """Operations in a partial's formula: calls, binary operators and a leading minus.

    Examples
    --------
    >>> [partial_operations(t) for t in ("{1}", "1", "cos({0})", "-sin({0})", "-{0}/{1}^2")]
    [0, 0, 1, 2, 3]
    """
    calls = len(_CALL.findall(text))
    binary = len(_BINARY.findall(text))
    negation = 1 if text.lstrip().startswith("-") else 0
    return calls + binary + negation


@dataclass(frozen=True)
class OperationCount:
    """Operations of f, and of the parts a reverse sweep adds (see the module's text)."""

    function: int
    partials: int
    multiplications: int
    additions: int
    forward_sweep: int  # one forward sweep: values, partials, products, their sums

    @property
    def gradient(self) -> int:
        """Value and gradient by reverse mode: f, then partials, products and sums."""
        return self.function + self.partials + self.multiplications + self.additions

    @property
    def ratio(self) -> float:
        """The gradient's operations over f's."""
        return self.gradient / self.function


def operation_count(f, *point) -> OperationCount:
    """Count the operations of f and of its gradient on f's trace at ``point``.

    f is a scalar function of numbers built from elementwise operations (the
    count is per number; array rules such as ``sum`` are refused).
    """
    units = trace(f, *point).units
    uses: dict[int, int] = {}
    function = partials = multiplications = sums = 0
    for u in units:
        if u.is_input:
            continue
        if u.partials is None or not u.partial_text:
            raise ValueError(
                f"operation_count: counts functions of numbers built from elementwise "
                f"operations; {u.op!r} is an array operation"
            )
        operands = u.unit_operands
        function += 1
        partials += sum(
            partial_operations(text)
            for text, o in zip(u.partial_text, u.operands)
            if isinstance(o, int)
        )
        multiplications += len(operands)
        sums += len(operands) - 1
        for o in operands:
            uses[o] = uses.get(o, 0) + 1
    additions = sum(k - 1 for k in uses.values())
    forward_sweep = function + partials + multiplications + sums
    return OperationCount(function, partials, multiplications, additions, forward_sweep)
