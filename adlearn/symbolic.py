"""A tiny expression type and symbolic differentiation, to see expression swell.

Symbolic differentiation applies the rules of calculus to a *formula* and
returns a formula: ``d(a*b) = da*b + a*db``, ``d(sin a) = cos(a)*da``. Every
rule copies its operands into the result (``a`` and ``b`` appear again in
``da*b + a*db``), so written out as a formula (a tree) the derivative can be far
longer than the function: **expression swell**. AD applies the same rules to
the *values* of a trace instead, one number per unit, and never writes the
formula out.

An :class:`Expr` is a node: a variable, a constant, ``+``, ``*``, ``sin`` or
``cos`` of other nodes. A function written with operators and ``np.sin`` runs
on expressions as it runs on floats. Python shares a node that is used twice,
so in memory an expression is a graph; :func:`tree_size` counts the nodes of
the formula written out (a shared node once per use), :func:`graph_size` the
distinct nodes. Every walk here is a loop over an explicit stack, no recursion.

Examples
--------
>>> import numpy as np
>>> from adlearn.symbolic import diff, graph_size, tree_size, variables
>>> x1, x2 = variables("x1 x2")
>>> f = x1 * x2 + np.sin(x1)
>>> print(f)
x1*x2 + sin(x1)
>>> df = diff(f, x1)
>>> print(df)
1*x2 + x1*0 + cos(x1)*1
>>> tree_size(f), tree_size(df), graph_size(df)
(6, 12, 10)
"""

from __future__ import annotations

import numpy as np

__all__ = ["Expr", "const", "diff", "evaluate", "graph_size", "tree_size", "variables"]

_PRECEDENCE = {"+": 1, "*": 2}  # variables, constants and calls bind tightest


class Expr:
    """A node of a formula: ``op`` is "var", "const", "+", "*", "sin" or "cos"."""

    __slots__ = ("args", "op", "value")

    def __init__(self, op: str, args: tuple = (), value=None):
        self.op = op
        self.args = args
        self.value = value  # the name of a variable, the number of a constant

    def __add__(self, other):
        return Expr("+", (self, lift(other)))

    def __radd__(self, other):
        return Expr("+", (lift(other), self))

    def __mul__(self, other):
        return Expr("*", (self, lift(other)))

    def __rmul__(self, other):
        return Expr("*", (lift(other), self))

    def sin(self):
        return Expr("sin", (self,))

    def cos(self):
        return Expr("cos", (self,))

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # np.sin(e) and np.cos(e) build nodes, so one f runs on floats and on formulas
        if method == "__call__" and ufunc in (np.sin, np.cos) and len(inputs) == 1 and not kwargs:
            return Expr(ufunc.__name__, (inputs[0],))
        return NotImplemented

    def __str__(self) -> str:
        return to_text(self)

    def __repr__(self) -> str:
        return f"Expr({to_text(self, limit=60)!r})"


def lift(x) -> Expr:
    """``x`` as an expression: a number becomes a constant."""
    if isinstance(x, Expr):
        return x
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return const(x)
    raise TypeError(f"symbolic: cannot combine an expression with {type(x).__name__} {x!r}")


def const(c) -> Expr:
    """A constant node."""
    return Expr("const", (), c)


def variables(names: str) -> tuple[Expr, ...]:
    """Variable nodes, one per name: ``variables("x1 x2")``."""
    return tuple(Expr("var", (), name) for name in names.split())


def _post_order(e: Expr) -> list[Expr]:
    """The distinct nodes of ``e``, each after its operands (a loop, not recursion)."""
    order: list[Expr] = []
    seen: set[int] = set()
    stack = [(e, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((a, False) for a in reversed(node.args))
    return order


def diff(e: Expr, x: Expr) -> Expr:
    """The derivative of ``e`` with respect to the variable ``x``, by the textbook rules.

    No simplification at all: ``d(x1*x2)/dx1`` is ``1*x2 + x1*0``, as the product
    rule writes it. Each node is differentiated once, operands first.

    Examples
    --------
    >>> import numpy as np
    >>> (x,) = variables("x")
    >>> print(diff(np.cos(x * x), x))
    -1*sin(x*x)*(1*x + x*1)
    """
    if not (isinstance(x, Expr) and x.op == "var"):
        raise TypeError(f"diff: differentiate with respect to a variable, got {x!r}")
    d: dict[int, Expr] = {}
    for node in _post_order(lift(e)):
        if node.op == "var":
            d[id(node)] = const(1 if node.value == x.value else 0)
        elif node.op == "const":
            d[id(node)] = const(0)
        elif node.op == "+":
            a, b = node.args
            d[id(node)] = d[id(a)] + d[id(b)]
        elif node.op == "*":
            a, b = node.args
            d[id(node)] = d[id(a)] * b + a * d[id(b)]
        elif node.op == "sin":
            (a,) = node.args
            d[id(node)] = np.cos(a) * d[id(a)]
        elif node.op == "cos":
            (a,) = node.args
            d[id(node)] = const(-1) * np.sin(a) * d[id(a)]
        else:
            raise ValueError(f"diff: no rule for the operation {node.op!r}")
    return d[id(e)]


def tree_size(e: Expr) -> int:
    """Nodes of ``e`` written out as a formula: a node used twice is counted twice.

    Worked out on the graph (size = 1 + sizes of the operands), so it is quick
    even when the formula itself would not fit in memory.
    """
    size: dict[int, int] = {}
    for node in _post_order(e):
        size[id(node)] = 1 + sum(size[id(a)] for a in node.args)
    return size[id(e)]


def graph_size(e: Expr) -> int:
    """Distinct nodes of ``e``: a node used twice is counted once."""
    return len(_post_order(e))


def evaluate(e: Expr, **values) -> float:
    """The value of ``e`` with its variables set: ``evaluate(e, x1=2.0, x2=3.0)``."""
    out: dict[int, float] = {}
    for node in _post_order(e):
        if node.op == "var":
            if node.value not in values:
                raise ValueError(f"evaluate: no value given for the variable {node.value!r}")
            out[id(node)] = float(values[node.value])
        elif node.op == "const":
            out[id(node)] = float(node.value)
        else:
            args = [out[id(a)] for a in node.args]
            out[id(node)] = {
                "+": lambda a, b: a + b,
                "*": lambda a, b: a * b,
                "sin": np.sin,
                "cos": np.cos,
            }[node.op](*args)
    return out[id(e)]


def to_text(e: Expr, limit: int | None = None) -> str:
    """The formula of ``e``, with brackets only where precedence needs them.

    ``limit`` cuts the text (with "...") for formulas too long to read.
    """
    text: dict[int, tuple[str, int]] = {}  # node -> (its text, its precedence)
    for node in _post_order(e):
        if node.op == "var":
            text[id(node)] = (str(node.value), 3)
        elif node.op == "const":
            v = node.value
            text[id(node)] = (str(int(v)) if float(v).is_integer() else repr(v), 3)
        elif node.op in ("sin", "cos"):
            text[id(node)] = (f"{node.op}({text[id(node.args[0])][0]})", 3)
        else:
            p = _PRECEDENCE[node.op]
            a, b = (text[id(arg)] for arg in node.args)
            left = a[0] if a[1] >= p else f"({a[0]})"
            right = b[0] if b[1] > p else f"({b[0]})"
            joiner = " + " if node.op == "+" else "*"
            text[id(node)] = (left + joiner + right, p)
        if limit is not None and len(text[id(node)][0]) > 4 * limit:
            text[id(node)] = (text[id(node)][0][: 4 * limit], text[id(node)][1])
    out = text[id(e)][0]
    return out if limit is None or len(out) <= limit else out[: limit - 3] + "..."
