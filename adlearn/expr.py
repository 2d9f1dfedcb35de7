"""Expressions typed by a user, parsed into functions without running any of the text.

The language is small: numbers, variable names, ``+ - * / **``, unary minus,
parentheses, and calls of the functions in :data:`FUNCTIONS`,
written bare (``sin(x1)``) or numpy-style (``np.sin(x1)``, ``numpy.sin(x1)``).

The text is checked before Python's parser sees it (length, characters, bracket
depth, length of each number), parsed with :mod:`ast`, and every node of the
tree is checked against a whitelist. The checked tree is then turned into a
flat list of steps in post-order, which a plain loop evaluates with an explicit
stack: no ``eval``, ``exec`` or bytecode made from user text (:func:`ast.parse`
only builds the tree), and no recursion. The resulting function works on
floats, numpy arrays and the values adlearn traces, so ``ad.grad``,
``ad.trace`` and the graph all work on it.

Anything else is refused with an :class:`ExpressionError` that carries the
column of the offending part.

Examples
--------
>>> import adlearn as ad
>>> from adlearn.expr import parse
>>> e = parse("x1*x2 + sin(x1)")
>>> e.variables
('x1', 'x2')
>>> print(f"{e(2.0, 3.0):.6f}")
6.909297
>>> [round(g, 6) for g in ad.grad(e.function, argnums=(0, 1))(2.0, 3.0)]
[2.583853, 2.0]
>>> parse("x1 + os.system(x2)")
Traceback (most recent call last):
...
adlearn.expr.ExpressionError: attribute access is not allowed: os.system (...) (column 6)
>>> parse("x1 + sine(x2)")
Traceback (most recent call last):
...
adlearn.expr.ExpressionError: unknown function 'sine'; did you mean 'sin'? ...
"""

from __future__ import annotations

import ast
import builtins
import difflib
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "FUNCTIONS",
    "MAX_BRACKETS",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_NUMBER_LENGTH",
    "Expression",
    "ExpressionError",
    "parse",
]

#: The functions an expression may call, by the names it may call them (the
#: command line's whitelist): each maps to the numpy function a user would write.
FUNCTIONS: dict[str, Callable] = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log,
    "ln": np.log, "sqrt": np.sqrt, "tanh": np.tanh, "sinh": np.sinh, "cosh": np.cosh,
    "abs": np.absolute, "arcsin": np.arcsin, "arccos": np.arccos, "arctan": np.arctan,
    "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "log1p": np.log1p,
    "expm1": np.expm1, "square": np.square, "maximum": np.maximum, "minimum": np.minimum,
    "max": np.maximum, "min": np.minimum, "log2": np.log2, "log10": np.log10, "exp2": np.exp2,
    "arcsinh": np.arcsinh, "arccosh": np.arccosh, "arctanh": np.arctanh, "asinh": np.arcsinh,
    "acosh": np.arccosh, "atanh": np.arctanh, "arctan2": np.arctan2, "atan2": np.arctan2,
    "hypot": np.hypot, "logaddexp": np.logaddexp,
}  # fmt: skip

#: Longest expression accepted, in characters.
MAX_LENGTH = 1000
#: Deepest nesting of brackets, counted before Python's parser runs.
MAX_BRACKETS = 30
#: Deepest nesting of operations and calls in the parsed tree.
MAX_DEPTH = 100
#: Largest magnitude of an exponent that contains no variable (``x**1000``).
MAX_EXPONENT = 1000
#: Longest number literal, in characters (checked before it is converted).
MAX_NUMBER_LENGTH = 40
#: Longest variable name.
MAX_NAME_LENGTH = 30

_OPERATORS = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply}
_OPERATORS.update({ast.Div: np.true_divide, ast.Pow: np.power})
_SYMBOLS = {
    ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^", ast.Not: "not", ast.Invert: "~",
}  # fmt: skip
_NUMPY = ("np", "numpy")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
# A number as the tokenizer would take it (with any letters, dots and exponent
# signs glued to it), so that its length is checked before Python converts it.
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])\.?[0-9](?:[eE][+-]|[A-Za-z0-9_.])*")
_RESERVED = frozenset(dir(builtins)) | frozenset(_NUMPY)

# What a rejected node is called in a message, by node type.
_REFUSED = {
    ast.Attribute: "attribute access is",
    ast.Subscript: "subscripts are",
    ast.Slice: "slices are",
    ast.Lambda: "lambda is",
    ast.ListComp: "comprehensions are",
    ast.SetComp: "comprehensions are",
    ast.DictComp: "comprehensions are",
    ast.GeneratorExp: "comprehensions are",
    ast.Compare: "comparisons are",
    ast.BoolOp: "'and' and 'or' are",
    ast.IfExp: "conditional expressions are",
    ast.NamedExpr: "assignments are",
    ast.Starred: "starred arguments are",
    ast.JoinedStr: "strings are",
    ast.List: "lists are",
    ast.Tuple: "tuples are",
    ast.Set: "sets are",
    ast.Dict: "dicts are",
    ast.Await: "await is",
    ast.Yield: "yield is",
    ast.YieldFrom: "yield is",
}


class ExpressionError(ValueError):
    """An expression the language does not accept, and where.

    Attributes
    ----------
    message : str
        What is wrong, without the position.
    text : str
        The expression.
    column : int or None
        1-based column of the offending part, or None when the problem is not
        at one place (a variable given but never used).
    width : int
        How many characters the offending part spans.

    Examples
    --------
    >>> from adlearn.expr import ExpressionError, parse
    >>> try:
    ...     parse("x1 + x2[0]")
    ... except ExpressionError as err:
    ...     print(err.column, err.width)
    ...     print(err.caret())
    6 5
    x1 + x2[0]
         ^^^^^
    """

    def __init__(self, message: str, text: str = "", column: int | None = None, width: int = 1):
        where = "" if column is None else f" (column {column})"
        super().__init__(message + where)
        self.message = message
        self.text = text
        self.column = column
        self.width = max(1, width)

    def caret(self, room: int = 72) -> str:
        """The expression (or the part of it around the error) and a caret line under the error."""
        if self.column is None or not self.text:
            return ""
        start = 0
        if len(self.text) > room:
            start = max(0, min(self.column - 1 - room // 2, len(self.text) - room))
        shown = self.text[start : start + room]
        before = "..." if start > 0 else ""
        after = "..." if start + room < len(self.text) else ""
        pad = "".join("\t" if c == "\t" else " " for c in before + shown[: self.column - 1 - start])
        width = min(self.width, len(shown) - (self.column - 1 - start))
        return f"{before}{shown}{after}\n{pad}{'^' * max(1, width)}"


@dataclass(frozen=True)
class Expression:
    """A checked expression and the function it computes.

    Attributes
    ----------
    text : str
        The expression as typed.
    variables : tuple of str
        The argument names of :attr:`function`, in order.
    function : callable
        ``function(*values)`` evaluates the expression on floats, numpy arrays
        or traced values, one per variable.
    """

    text: str
    variables: tuple[str, ...]
    function: Callable = field(repr=False, compare=False)

    def __call__(self, *values):
        return self.function(*values)


def parse(text: str, variables: Sequence[str] | None = None) -> Expression:
    """Check an expression and compile it into a function.

    Parameters
    ----------
    text : str
        The expression, such as ``"x1*x2 + sin(x1)"``.
    variables : sequence of str, optional
        The variables, in the order the function takes them. Every one must
        appear in the expression and every name in it must be one of them. By
        default, the names in the order they first appear.

    Returns
    -------
    Expression

    Raises
    ------
    ExpressionError
        For anything outside the language, with the column of the offending part.

    Examples
    --------
    >>> from adlearn.expr import parse
    >>> e = parse("ln(x1) + x1*x2 - np.sin(x2)", variables=["x2", "x1"])
    >>> e.variables
    ('x2', 'x1')
    >>> print(f"{e(5.0, 2.0):.3f}")
    11.652
    >>> parse("2**2**2**2**2 * x")
    Traceback (most recent call last):
    ...
    adlearn.expr.ExpressionError: exponent out of range: 2**2**2**2 = 65536; ... (column 4)
    """
    if not isinstance(text, str):
        raise ExpressionError(f"an expression must be a str, got {type(text).__name__}")
    text = text.strip(" \t")  # Python's parser refuses leading space (" -x1" on a command line)
    _check_text(text)
    body = _parse_ast(text).body
    uses = _check_tree(text, body)
    program = _compile(text, body)
    order = _order(text, uses, variables)
    index = {name: i for i, name in enumerate(order)}
    program = [(k, index[w] if k == _VAR else w, n) for k, w, n in program]
    return Expression(text, order, _evaluator(program, order))


# --- before Python's parser --------------------------------------------------


def _check_text(text: str) -> None:
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}",
            text,
            MAX_LENGTH + 1,
        )
    if not text.strip():
        raise ExpressionError("the expression is empty")
    for i, ch in enumerate(text):
        if ch in "'\"":
            raise ExpressionError(f"strings are not allowed: {ch}", text, i + 1)
        if ch == "#":  # Python's tokenizer would drop the rest: "x #+ 1000*x" is x
            raise ExpressionError(
                "comments (#) are not allowed: the whole text is the expression", text, i + 1
            )
        if ch == "\\":  # a line continuation, or an escape, in Python: neither is arithmetic
            raise ExpressionError("the character '\\' is not allowed", text, i + 1)
        if not (" " <= ch <= "~" or ch == "\t"):
            raise ExpressionError(
                f"the character {ch!r} is not allowed; expressions are written in ASCII",
                text,
                i + 1,
            )
    opened: list[int] = []
    pairs = {")": "(", "]": "[", "}": "{"}
    for i, ch in enumerate(text):
        if ch in "([{":
            opened.append(i)
            if len(opened) > MAX_BRACKETS:
                raise ExpressionError(
                    f"brackets are nested more than {MAX_BRACKETS} deep", text, i + 1
                )
        elif ch in pairs:
            if not opened or text[opened[-1]] != pairs[ch]:
                raise ExpressionError(f"unmatched {ch!r}", text, i + 1)
            opened.pop()
    if opened:
        raise ExpressionError(f"{text[opened[-1]]!r} is never closed", text, opened[-1] + 1)
    for m in _NUMBER.finditer(text):
        if len(m[0]) > MAX_NUMBER_LENGTH:
            raise ExpressionError(
                f"a number of {len(m[0])} characters is too long; the limit is {MAX_NUMBER_LENGTH}",
                text,
                m.start() + 1,
                len(m[0]),
            )


def _parse_ast(text: str) -> ast.Expression:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "invalid decimal literal" in 1if
            return ast.parse(text, mode="eval")
    except SyntaxError as err:
        column = err.offset if isinstance(err.offset, int) else 0
        if not 0 < column <= len(text):  # Python points past the end
            raise ExpressionError(
                "syntax error: the expression ends too early", text, len(text.rstrip()) + 1
            ) from None
        end = err.end_offset if isinstance(err.end_offset, int) else column + 1
        raise ExpressionError(f"syntax error: {err.msg}", text, column, end - column) from None
    except (RecursionError, MemoryError, ValueError, OverflowError) as err:
        raise ExpressionError(
            f"the expression cannot be parsed ({type(err).__name__})", text
        ) from None


# --- the whitelist -----------------------------------------------------------


def _error(text: str, node: ast.AST, message: str) -> ExpressionError:
    start = getattr(node, "col_offset", None)
    end = getattr(node, "end_col_offset", None)
    if start is None:
        return ExpressionError(message, text)
    width = (end - start) if end is not None and end > start else 1
    return ExpressionError(message, text, start + 1, width)


def _source(text: str, node: ast.AST) -> str:
    segment = ast.get_source_segment(text, node) or ""
    return segment if len(segment) <= 40 else segment[:37] + "..."


def _function_list() -> str:
    return ", ".join(sorted(FUNCTIONS))


def _numpy_function(name: str):
    """numpy's ``name`` if it is one of the whitelisted functions, else None.

    Looked up in numpy's namespace dict: no module ``__getattr__`` runs (numpy's
    imports submodules on demand).
    """
    f = vars(np).get(name)
    return f if any(f is g for g in FUNCTIONS.values()) else None


def _function(text: str, node: ast.Call) -> tuple[str, Callable]:
    """The name a call is written with and the whitelisted function, or an ExpressionError."""
    func = node.func
    if isinstance(func, ast.Name):
        name = func.id
        if name in FUNCTIONS:
            return name, FUNCTIONS[name]
        close = difflib.get_close_matches(name, FUNCTIONS, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise _error(
            text, func, f"unknown function {name!r}; {hint}the functions are {_function_list()}"
        )
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in _NUMPY
    ):
        written = f"{func.value.id}.{func.attr}"
        f = _numpy_function(func.attr)
        if f is not None:
            return written, f
        if func.attr in FUNCTIONS:  # np.max is a reduction, not max(a, b); numpy has no ln
            what = (
                f"numpy has no function {func.attr}"
                if func.attr not in vars(np)
                else f"{written} is a different function in numpy"
            )
            raise _error(
                text,
                func,
                f"{what}; write {func.attr}(...) or np.{FUNCTIONS[func.attr].__name__}(...)",
            )
        known = sorted(n for n in vars(np) if _numpy_function(n) is not None)
        raise _error(
            text, func, f"unknown function {written}; the numpy functions are {', '.join(known)}"
        )
    what = "attribute access" if isinstance(func, ast.Attribute) else "this call"
    raise _error(
        text,
        func,
        f"{what} is not allowed: {_source(text, func)} "
        "(only functions by name, such as sin(x) or np.sin(x), can be called)",
    )


def _check_tree(text: str, body: ast.AST) -> list[ast.Name]:
    """Check every node against the whitelist (iteratively); return the variable uses."""
    uses: list[ast.Name] = []
    stack = [(body, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _error(text, node, f"the expression is nested more than {MAX_DEPTH} deep")
        kind = type(node)
        if kind is ast.BinOp:
            if type(node.op) not in _OPERATORS:
                symbol = _SYMBOLS.get(type(node.op), type(node.op).__name__)
                hint = "; write powers with **" if symbol == "^" else ""
                at = text.find(symbol, node.left.end_col_offset, node.right.col_offset)
                raise ExpressionError(
                    f"the operator {symbol} is not allowed{hint}", text, at + 1, len(symbol)
                )
            stack += [(node.right, depth + 1), (node.left, depth + 1)]
        elif kind is ast.UnaryOp:
            if type(node.op) not in (ast.USub, ast.UAdd):
                symbol = _SYMBOLS.get(type(node.op), type(node.op).__name__)
                raise ExpressionError(
                    f"the operator {symbol} is not allowed", text, node.col_offset + 1, len(symbol)
                )
            stack.append((node.operand, depth + 1))
        elif kind is ast.Call:
            name, fn = _function(text, node)
            if node.keywords:
                raise _error(
                    text,
                    node.keywords[0],
                    f"keyword arguments are not allowed: {_source(text, node.keywords[0])}",
                )
            n = getattr(fn, "nin", 1)  # numpy ufuncs know how many inputs they take
            if len(node.args) != n:
                raise _error(
                    text,
                    node,
                    f"{name} takes {n} argument{'s' * (n != 1)}, got {len(node.args)}",
                )
            stack += [(a, depth + 1) for a in reversed(node.args)]
        elif kind is ast.Name:
            _check_name(text, node)
            uses.append(node)
        elif kind is ast.Constant:
            _check_constant(text, node)
        else:
            what = _REFUSED.get(kind, f"{kind.__name__} is")
            raise _error(text, node, f"{what} not allowed: {_source(text, node)}")
    return uses


def _check_name(text: str, node: ast.Name) -> None:
    name = node.id
    if name in FUNCTIONS:
        raise _error(text, node, f"{name} is a function: call it, as in {name}(x1)")
    if name in _NUMPY:
        raise _error(
            text, node, f"{name} can only be used to call a function, as in {name}.sin(x1)"
        )
    if name in _RESERVED:
        raise _error(text, node, f"unknown name {name!r} (a Python built-in, not a variable)")
    if not _NAME.match(name):
        raise _error(
            text, node, f"{name!r} is not a variable name: use letters, digits and _, not _ first"
        )
    if len(name) > MAX_NAME_LENGTH:
        raise _error(text, node, f"a variable name is limited to {MAX_NAME_LENGTH} characters")


def _check_constant(text: str, node: ast.Constant) -> None:
    value = node.value
    if isinstance(value, bool) or value is None or value is Ellipsis:
        raise _error(text, node, f"{value!r} is not a number")
    if isinstance(value, complex):
        raise _error(text, node, "complex numbers are not allowed")
    if isinstance(value, (str, bytes)):
        raise _error(text, node, "strings are not allowed")
    if not isinstance(value, (int, float)):
        raise _error(text, node, f"{type(value).__name__} constants are not allowed")
    if not np.isfinite(float(value)):
        raise _error(text, node, f"the number {_source(text, node)} is too large for a float")


def _some(names, shown: int = 8) -> str:
    """The first ``shown`` names, and how many more: a message stays one short line.

    >>> _some(["x1", "x2"]), _some([f"x{i}" for i in range(20)])
    ('x1, x2', 'x0, x1, x2, x3, x4, x5, x6, x7 and 12 more')
    """
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")


def _valid_variable(name) -> bool:
    return (
        isinstance(name, str)
        and bool(_NAME.match(name))
        and len(name) <= MAX_NAME_LENGTH
        and name not in FUNCTIONS
        and name not in _RESERVED
    )


def _order(text: str, uses: list[ast.Name], variables) -> tuple[str, ...]:
    """The variables in order: as given, or by first appearance."""
    first: dict[str, ast.Name] = {}
    for node in sorted(uses, key=lambda n: n.col_offset):
        first.setdefault(node.id, node)
    if variables is None:
        if not first:
            raise ExpressionError(
                "the expression has no variables, so there is nothing to differentiate", text
            )
        return tuple(first)
    if isinstance(variables, str):
        raise ExpressionError(f"variables must be a sequence of names, not the str {variables!r}")
    given = tuple(variables)
    for name in given:
        if not _valid_variable(name):
            raise ExpressionError(f"{name!r} cannot be a variable name", text)
    seen: set[str] = set()  # sets, not given.count: linear in the number of names
    for name in given:
        if name in seen:
            raise ExpressionError(f"the variable {name} is given twice", text)
        seen.add(name)
    for name, node in first.items():
        if name not in seen:
            listed = f" (values are given for {_some(given)})" if given else ""
            raise _error(text, node, f"{name} has no value{listed}")
    for name in given:
        if name not in first:
            raise ExpressionError(
                f"a value is given for {name}, but the expression does not use it", text
            )
    return given


# --- from the tree to a flat program ---------------------------------------------

_VAR, _CONST, _APPLY = 0, 1, 2


def _compile(text: str, body: ast.AST) -> list[tuple]:
    """Post-order steps (iteratively); checks exponents that contain no variable.

    A constant part of the expression is worked out in floating point while
    compiling (instant whatever the numbers) only to bound exponents, so that
    ``10**10**10`` is refused without ever being raised to.
    """
    program: list[tuple] = []
    constants: list[float | None] = []  # the value of each finished node if it is constant
    stack: list[tuple[ast.AST, bool]] = [(body, False)]
    while stack:
        node, done = stack.pop()
        kind = type(node)
        if kind is ast.Name:
            program.append((_VAR, node.id, 0))
            constants.append(None)
        elif kind is ast.Constant:
            value = float(node.value)
            program.append((_CONST, value, 0))
            constants.append(value)
        elif not done:
            stack.append((node, True))
            children = _children(node)
            stack += [(c, False) for c in reversed(children)]
        else:
            n = len(_children(node))
            args = constants[-n:]
            del constants[-n:]
            if kind is ast.UnaryOp and type(node.op) is ast.UAdd:
                constants.append(args[0])
                continue
            fn = _function_of(text, node)
            if fn is np.power and args[1] is not None:
                _check_exponent(text, node.right, args[1])
            program.append((_APPLY, fn, n))
            constants.append(_fold(fn, args))
    return program


def _children(node: ast.AST) -> list[ast.AST]:
    if type(node) is ast.BinOp:
        return [node.left, node.right]
    if type(node) is ast.UnaryOp:
        return [node.operand]
    return list(node.args)  # a checked ast.Call


def _function_of(text: str, node: ast.AST) -> Callable:
    if type(node) is ast.BinOp:
        return _OPERATORS[type(node.op)]
    if type(node) is ast.UnaryOp:
        return np.negative
    return _function(text, node)[1]


def _fold(fn: Callable, args: list[float | None]) -> float | None:
    if any(a is None for a in args):
        return None
    with np.errstate(all="ignore"):
        return float(fn(*(np.float64(a) for a in args)))


def _check_exponent(text: str, node: ast.AST, value: float) -> None:
    if not abs(value) <= MAX_EXPONENT:  # also catches nan
        source = _source(text, node)
        shown = source if type(node) is ast.Constant else f"{source} = {value:g}"
        raise _error(
            text,
            node,
            f"exponent out of range: {shown}; an exponent without variables "
            f"must lie between -{MAX_EXPONENT} and {MAX_EXPONENT}",
        )


# --- evaluating ------------------------------------------------------------------


def _evaluator(program: list[tuple], order: tuple[str, ...]) -> Callable:
    n = len(order)

    def f(*values):
        if len(values) != n:
            raise TypeError(
                f"the expression takes {n} value{'s' * (n != 1)} ({', '.join(order)}), "
                f"got {len(values)}"
            )
        stack: list = []
        for kind, what, arity in program:
            if kind == _VAR:
                stack.append(values[what])
            elif kind == _CONST:
                stack.append(what)
            else:
                args = stack[-arity:]
                del stack[-arity:]
                stack.append(what(*args))
        return stack[0]

    f.__name__ = f.__qualname__ = "f"
    return f
