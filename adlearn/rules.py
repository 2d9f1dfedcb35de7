"""The rule table: every primitive and its local derivatives, written once.

Each :class:`Primitive` states how to compute its value and how its output
changes with each input. Forward mode, reverse mode, the evaluation trace and
the graph drawing all read this one table, so a rule is never written twice.

Elementwise primitives give one *local partial* per argument, as a function of
the argument values and the output: for ``mul(a, b)`` they are ``b`` and ``a``.
Forward mode multiplies each partial by the argument's tangent and adds
(``w_dot = sum_j dw/dw_j * w_dot_j``); reverse mode multiplies the output's
adjoint by each partial and sends it back (``w_bar_j += w_bar * dw/dw_j``).

Structural primitives (``sum``, ``matmul``, ``reshape``, indexing, ...) do not
have elementwise partials; they give a JVP rule (how a tangent passes forward)
and one VJP rule per argument (how an adjoint passes back).

The partials are written with the differentiable operations at the bottom of
this module (``cos``, ``mul``, ...), so that they can be differentiated again:
that is what makes Hessians (forward over reverse) and nested derivatives work.

Examples
--------
>>> from adlearn.rules import RULES
>>> RULES["mul"].formula.format("w1", "w2")
'w1 * w2'
>>> RULES["sin"].partial_text[0].format("w1")
'cos(w1)'
>>> [RULES["mul"].partials[j](2.0, 3.0, 6.0) for j in range(2)]
[3.0, 2.0]
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from adlearn.dispatch import bind
from adlearn.inputs import primal_value

__all__ = ["BY_FUNCTION", "BY_UFUNC", "FUNCTIONS", "RULES", "Primitive"]


@dataclass(frozen=True, eq=False)
class Primitive:
    """One elementary operation and its derivative rule.

    Attributes
    ----------
    name : str
        Short name, as shown in traces and errors (``"mul"``).
    impl : callable
        Computes the value on floats and numpy arrays (a numpy function).
    formula : str
        How a trace writes the operation, ``"{0} * {1}"`` (``{*}``: every operand).
    partials : tuple of callables, optional
        Elementwise rules: ``partials[j](*args, out, **params)`` is dw/darg_j.
    partial_text : tuple of str
        The same partials as text, for traces: ``("{1}", "{0}")`` for mul.
    jvp : callable, optional
        Structural rules: ``jvp(args, tangents, out, **params)``, where a tangent
        is ``None`` for an argument that is a constant.
    vjps : tuple of callables, optional
        Structural rules: ``vjps[j](g, *args, out, **params)`` is the adjoint
        sent to argument j by the output adjoint ``g``.
    scalar : callable, optional
        A faster implementation for Python floats (``math.sin``); numpy's is
        used when it raises, so results follow numpy's semantics.
    bilinear : bool
        For a structural rule: linear in each operand separately (``matmul``),
        rather than in all of them together (``stack``, ``sum``); traces write
        its tangent rule as one term per operand.
    """

    name: str
    impl: Callable[..., Any]
    formula: str
    partials: tuple[Callable[..., Any], ...] | None = None
    partial_text: tuple[str, ...] = ()
    jvp: Callable[..., Any] | None = None
    vjps: tuple[Callable[..., Any], ...] | None = None
    scalar: Callable[..., Any] | None = None
    bilinear: bool = False

    @property
    def elementwise(self) -> bool:
        return self.partials is not None

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"

    def __call__(self, *args, **params):
        return bind(self, args, params)


RULES: dict[str, Primitive] = {}


def _rule(
    name, impl, formula, partials=None, text=(), jvp=None, vjps=None, scalar=None, bilinear=False
):
    prim = Primitive(name, impl, formula, partials, tuple(text), jvp, vjps, scalar, bilinear)
    RULES[name] = prim
    return prim


# The differentiable operations that the rules below use. They are bound to
# their primitives at the end of this module (late binding through globals).
def _one(*_args, **_params):
    return 1.0


def _minus_one(*_args, **_params):
    return -1.0


def _quotient(a, b):
    """``a / b`` with numpy's semantics on Python floats too: a division by zero
    gives inf or nan, with numpy's RuntimeWarning, as it does on arrays."""
    try:
        return a / b
    except ZeroDivisionError:
        return float(np.true_divide(a, b))


def _pow_base_partial(a, b, out):
    # d(a**b)/da = b * a**(b - 1); exactly 0 where b == 0, even at a == 0.
    if isinstance(b, (int, float)) and not isinstance(b, bool):
        return 0.0 * a if b == 0 else b * power(a, b - 1)
    if isinstance(b, np.ndarray):  # a constant exponent array: the same, entry by entry
        return b * power(a, np.where(b == 0, 1.0, b - 1.0))
    return b * power(a, b - 1)


def _pow_exponent_partial(a, b, out):
    # d(a**b)/db = a**b * log(a); 0 where a == 0, where a**b is 0 for every b > 0 (as JAX).
    value = primal_value(a)
    if np.ndim(value) == 0:
        return out * log(a) if value != 0 else 0.0 * out
    zero = value == 0
    return out * log(where_(1.0, a, cond=zero)) if zero.any() else out * log(a)


def _scalar_pow(a, b):
    result = a**b
    if isinstance(result, complex):  # (-8.0) ** (1/3): numpy gives nan
        raise ValueError  # noqa: TRY004 (evaluate() falls back to numpy on ValueError)
    return float(result)


def _scalar_maximum(a, b):
    if math.isnan(a) or math.isnan(b):  # numpy propagates nan; max() would not
        raise ValueError
    return float(max(a, b))


def _scalar_minimum(a, b):
    if math.isnan(a) or math.isnan(b):
        raise ValueError
    return float(min(a, b))


def _scalar_sign(a):
    return math.nan if math.isnan(a) else float((a > 0) - (a < 0))


# --- elementwise rules -------------------------------------------------------
# name, numpy implementation, how a trace writes it, one partial per argument.
ADD = _rule("add", np.add, "{0} + {1}", (_one, _one), ("1", "1"), scalar=operator.add)
SUB = _rule("sub", np.subtract, "{0} - {1}", (_one, _minus_one), ("1", "-1"), scalar=operator.sub)
MUL = _rule(
    "mul",
    np.multiply,
    "{0} * {1}",
    (lambda a, b, out: b, lambda a, b, out: a),
    ("{1}", "{0}"),
    scalar=operator.mul,
)
DIV = _rule(
    "div",
    np.true_divide,
    "{0} / {1}",
    (lambda a, b, out: _quotient(1.0, b), lambda a, b, out: _quotient(-out, b)),
    ("1/{1}", "-{0}/{1}^2"),
    scalar=operator.truediv,
)
NEG = _rule("neg", np.negative, "-{0}", (_minus_one,), ("-1",), scalar=operator.neg)
POW = _rule(
    "pow",
    np.power,
    "{0} ** {1}",
    (_pow_base_partial, _pow_exponent_partial),
    ("{1}*{0}^({1}-1)", "{0}^({1})*log({0})"),
    scalar=_scalar_pow,
)
SIN = _rule("sin", np.sin, "sin({0})", (lambda x, out: cos(x),), ("cos({0})",), scalar=math.sin)
COS = _rule("cos", np.cos, "cos({0})", (lambda x, out: -sin(x),), ("-sin({0})",), scalar=math.cos)
TAN = _rule(
    "tan",
    np.tan,
    "tan({0})",
    (lambda x, out: 1.0 + out * out,),
    ("1 + tan({0})^2",),
    scalar=math.tan,
)
EXP = _rule("exp", np.exp, "exp({0})", (lambda x, out: out,), ("exp({0})",), scalar=math.exp)
LOG = _rule(
    "log", np.log, "log({0})", (lambda x, out: _quotient(1.0, x),), ("1/{0}",), scalar=math.log
)
SQRT = _rule(
    "sqrt",
    np.sqrt,
    "sqrt({0})",
    (lambda x, out: _quotient(0.5, out),),
    ("1/(2*sqrt({0}))",),
    scalar=math.sqrt,
)
TANH = _rule(
    "tanh",
    np.tanh,
    "tanh({0})",
    (lambda x, out: 1.0 - out * out,),
    ("1 - tanh({0})^2",),
    scalar=math.tanh,
)
SINH = _rule(
    "sinh", np.sinh, "sinh({0})", (lambda x, out: cosh(x),), ("cosh({0})",), scalar=math.sinh
)
COSH = _rule(
    "cosh", np.cosh, "cosh({0})", (lambda x, out: sinh(x),), ("sinh({0})",), scalar=math.cosh
)
ABS = _rule("abs", np.absolute, "abs({0})", (lambda x, out: sign(x),), ("sign({0})",), scalar=abs)
ARCSIN = _rule(
    "arcsin",
    np.arcsin,
    "arcsin({0})",
    (lambda x, out: _quotient(1.0, sqrt(1.0 - x * x)),),
    ("1/sqrt(1 - {0}^2)",),
    scalar=math.asin,
)
ARCCOS = _rule(
    "arccos",
    np.arccos,
    "arccos({0})",
    (lambda x, out: _quotient(-1.0, sqrt(1.0 - x * x)),),
    ("-1/sqrt(1 - {0}^2)",),
    scalar=math.acos,
)
ARCTAN = _rule(
    "arctan",
    np.arctan,
    "arctan({0})",
    (lambda x, out: 1.0 / (1.0 + x * x),),
    ("1/(1 + {0}^2)",),
    scalar=math.atan,
)
LOG1P = _rule(
    "log1p",
    np.log1p,
    "log1p({0})",
    (lambda x, out: _quotient(1.0, 1.0 + x),),
    ("1/(1 + {0})",),
    scalar=math.log1p,
)
EXPM1 = _rule(
    "expm1", np.expm1, "expm1({0})", (lambda x, out: out + 1.0,), ("exp({0})",), scalar=math.expm1
)
SQUARE = _rule(
    "square", np.square, "{0}^2", (lambda x, out: 2.0 * x,), ("2*{0}",), scalar=lambda x: x * x
)
# maximum/minimum: where the arguments tie, each gets half (as JAX does).
MAXIMUM = _rule(
    "maximum",
    np.maximum,
    "max({0}, {1})",
    (lambda a, b, out: _select(a, b), lambda a, b, out: _select(b, a)),
    ("[{0} > {1}]", "[{1} > {0}]"),
    scalar=_scalar_maximum,
)
MINIMUM = _rule(
    "minimum",
    np.minimum,
    "min({0}, {1})",
    (lambda a, b, out: _select(b, a), lambda a, b, out: _select(a, b)),
    ("[{0} < {1}]", "[{1} < {0}]"),
    scalar=_scalar_minimum,
)
# sign has derivative 0 everywhere it is defined; it is here so that abs can be
# differentiated twice.
SIGN = _rule("sign", np.sign, "sign({0})", (lambda x, out: 0.0 * x,), ("0",), scalar=_scalar_sign)
WHERE = _rule(
    "where",
    lambda a, b, cond: np.where(cond, a, b),
    "where(cond, {0}, {1})",
    (lambda a, b, out, cond: _mask(cond, True), lambda a, b, out, cond: _mask(cond, False)),
    ("[cond]", "[not cond]"),
)


def _select(a, b):
    """1 where a > b, 0.5 where a == b, 0 where a < b (on primal values)."""
    a, b = primal_value(a), primal_value(b)
    if isinstance(a, float) and isinstance(b, float):
        return 1.0 if a > b else (0.5 if a == b else 0.0)
    return np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0))


def _mask(cond, value):
    cond = np.asarray(cond, dtype=bool)
    return np.where(cond, 1.0, 0.0) if value else np.where(cond, 0.0, 1.0)


# --- structural rules ----------------------------------------------------------


def _full(g, shape):
    """Broadcast an adjoint that may be a scalar to the full shape it stands for."""
    return g if np.shape(primal_value(g)) == shape else broadcast_to(g, shape=shape)


def _sum_jvp(args, tangents, out, axis=None, keepdims=False):
    (t,) = tangents
    return sum_(_full(t, np.shape(primal_value(args[0]))), axis=axis, keepdims=keepdims)


def _sum_vjp(g, x, out, axis=None, keepdims=False):
    # Every entry of x receives the adjoint of its sum: g spread back over the
    # summed axes. It may stay smaller than x (a scalar stands for all of x):
    # reverse mode broadcasts it where an operand's shape needs it.
    if axis is None or keepdims:
        return g
    return expand_dims(_full(g, np.shape(primal_value(out))), axis=axis)


def _np_sum(x, axis=None, keepdims=False):
    return np.sum(x, axis=axis, keepdims=keepdims)


SUM = _rule("sum", _np_sum, "sum({0})", jvp=_sum_jvp, vjps=(_sum_vjp,))


def _matmul_jvp(args, tangents, out):
    a, b = args
    ta, tb = tangents
    shape_a, shape_b = np.shape(primal_value(a)), np.shape(primal_value(b))
    terms = []
    if ta is not None:
        terms.append(matmul(_full(ta, shape_a), b))
    if tb is not None:
        terms.append(matmul(a, _full(tb, shape_b)))
    return terms[0] if len(terms) == 1 else terms[0] + terms[1]


def _matmul_vjp_a(g, a, b, out):
    shape_a, shape_b = np.shape(primal_value(a)), np.shape(primal_value(b))
    g = _full(g, np.shape(primal_value(out)))
    if len(shape_b) == 1:  # (..., n) @ (n,) -> (...): outer product of g and b
        return multiply(expand_dims(g, axis=-1), b)
    if len(shape_a) == 1:  # (n,) @ (..., n, m) -> (..., m)
        return sum_to(matmul(b, expand_dims(g, axis=-1))[..., 0], shape=shape_a)
    return sum_to(matmul(g, swapaxes(b, axis1=-1, axis2=-2)), shape=shape_a)


def _matmul_vjp_b(g, a, b, out):
    shape_a, shape_b = np.shape(primal_value(a)), np.shape(primal_value(b))
    g = _full(g, np.shape(primal_value(out)))
    if len(shape_a) == 1 and len(shape_b) == 1:  # (n,) @ (n,) -> ()
        return multiply(g, a)
    if len(shape_a) == 1:  # (n,) @ (..., n, m): outer product of a and g
        return sum_to(multiply(expand_dims(a, axis=-1), expand_dims(g, axis=-2)), shape=shape_b)
    if len(shape_b) == 1:  # (..., k, n) @ (n,) -> (..., k)
        return sum_to(matmul(expand_dims(g, axis=-2), a)[..., 0, :], shape=shape_b)
    return sum_to(matmul(swapaxes(a, axis1=-1, axis2=-2), g), shape=shape_b)


MATMUL = _rule(
    "matmul",
    np.matmul,
    "{0} @ {1}",
    jvp=_matmul_jvp,
    vjps=(_matmul_vjp_a, _matmul_vjp_b),
    bilinear=True,
)


def _linear(name, impl, formula, inverse):
    """A structural rule for a linear map of one argument: the JVP applies the
    map to the tangent; the VJP applies ``inverse(g, x_shape, params)``, the
    map's transpose."""

    def jvp(args, tangents, out, **params):
        return RULES[name](_full(tangents[0], np.shape(primal_value(args[0]))), **params)

    def vjp(g, x, out, **params):
        return inverse(_full(g, np.shape(primal_value(out))), np.shape(primal_value(x)), params)

    return _rule(name, impl, formula, jvp=jvp, vjps=(vjp,))


RESHAPE = _linear(
    "reshape",
    lambda x, shape: np.reshape(x, shape),
    "reshape({0})",
    lambda g, x_shape, p: reshape(g, shape=x_shape),
)
TRANSPOSE = _linear(
    "transpose",
    lambda x, axes=None: np.transpose(x, axes),
    "transpose({0})",
    lambda g, x_shape, p: transpose(
        g, axes=None if p.get("axes") is None else tuple(np.argsort(p["axes"]))
    ),
)
SWAPAXES = _linear(
    "swapaxes",
    lambda x, axis1, axis2: np.swapaxes(x, axis1, axis2),
    "swapaxes({0})",
    lambda g, x_shape, p: swapaxes(g, axis1=p["axis1"], axis2=p["axis2"]),
)
EXPAND_DIMS = _linear(
    "expand_dims",
    lambda x, axis: np.expand_dims(x, axis),
    "expand_dims({0})",
    lambda g, x_shape, p: reshape(g, shape=x_shape),
)
GETITEM = _linear(
    "getitem",
    lambda x, index: x[index],
    "{0}[...]",
    lambda g, x_shape, p: index_add(g, index=p["index"], shape=x_shape),
)
INDEX_ADD = _linear(
    "index_add",
    lambda x, index, shape: _index_add(x, index, shape),
    "scatter({0})",
    lambda g, x_shape, p: getitem(g, index=p["index"]),
)
BROADCAST_TO = _linear(
    "broadcast_to",
    lambda x, shape: np.broadcast_to(x, shape),
    "broadcast({0})",
    lambda g, x_shape, p: sum_to(g, shape=x_shape),
)
SUM_TO = _linear(
    "sum_to",
    lambda x, shape: _sum_to(x, shape),
    "sum_to({0})",
    lambda g, x_shape, p: broadcast_to(g, shape=x_shape),
)


class _EachArgument:
    """The VJP rules of a primitive that takes any number of arguments:
    ``vjps[j]`` is made for argument j when it is asked for."""

    def __init__(self, make):
        self.make = make

    def __getitem__(self, j):
        return self.make(j)


def _tangents_or_zeros(args, tangents):
    """Each argument's tangent at its full shape; zeros for a constant."""
    out = []
    for a, t in zip(args, tangents):
        shape = np.shape(primal_value(a))
        out.append(np.zeros(shape) if t is None else _full(t, shape))
    return out


def _stack_vjp(j):
    def vjp(g, *args_and_out, axis=0):
        out = args_and_out[-1]
        g = _full(g, np.shape(primal_value(out)))
        axis %= np.ndim(primal_value(out))
        return getitem(g, index=(slice(None),) * axis + (j,))

    return vjp


def _concatenate_vjp(j):
    def vjp(g, *args_and_out, axis=0):
        args, out = args_and_out[:-1], args_and_out[-1]
        g = _full(g, np.shape(primal_value(out)))
        axis %= np.ndim(primal_value(out))
        start = sum(np.shape(primal_value(a))[axis] for a in args[:j])
        stop = start + np.shape(primal_value(args[j]))[axis]
        return getitem(g, index=(slice(None),) * axis + (slice(start, stop),))

    return vjp


STACK = _rule(
    "stack",
    lambda *xs, axis=0: np.stack(xs, axis=axis),
    "stack({*})",
    jvp=lambda args, tangents, out, axis=0: stack(*_tangents_or_zeros(args, tangents), axis=axis),
    vjps=_EachArgument(_stack_vjp),
)
CONCATENATE = _rule(
    "concatenate",
    lambda *xs, axis=0: np.concatenate(xs, axis=axis),
    "concatenate({*})",
    jvp=lambda args, tangents, out, axis=0: concatenate(
        *_tangents_or_zeros(args, tangents), axis=axis
    ),
    vjps=_EachArgument(_concatenate_vjp),
)


def _index_add(x, index, shape):
    """Zeros of ``shape`` with x added at ``index`` (repeated indices add up)."""
    out = np.zeros(shape, dtype=np.result_type(x, float))
    if _is_basic(index):  # slices and ints select each entry once: plain assignment
        out[index] = x
    else:
        np.add.at(out, index, x)
    return out


def _is_basic(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (slice, int, np.integer)) for p in parts)


def _sum_to(x, shape):
    """Sum the broadcast axes of x away so that it has ``shape``."""
    x_shape = np.shape(x)
    if x_shape == shape:
        return x
    lead = len(x_shape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and x_shape[lead + i] != 1
    )
    if not shape:
        return np.sum(x)
    return np.sum(x, axis=axes, keepdims=True).reshape(shape)


# --- the differentiable operations, one per rule -------------------------------


def _op(prim: Primitive) -> Callable[..., Any]:
    def op(*args, **params):
        return bind(prim, args, params)

    op.__name__ = prim.name
    written = prim.formula.replace("{*}", "{0}, {1}").format("x", "y")
    op.__doc__ = f"Apply the primitive ``{prim.name}`` ({written})."
    return op


add, subtract, multiply, divide, negative, power = map(_op, (ADD, SUB, MUL, DIV, NEG, POW))
sin, cos, tan, exp, log, sqrt, tanh = map(_op, (SIN, COS, TAN, EXP, LOG, SQRT, TANH))
sinh, cosh, absolute, sign = map(_op, (SINH, COSH, ABS, SIGN))
arcsin, arccos, arctan, log1p, expm1, square = map(
    _op, (ARCSIN, ARCCOS, ARCTAN, LOG1P, EXPM1, SQUARE)
)
maximum, minimum, where_ = map(_op, (MAXIMUM, MINIMUM, WHERE))
sum_, matmul, reshape, transpose, swapaxes = map(_op, (SUM, MATMUL, RESHAPE, TRANSPOSE, SWAPAXES))
expand_dims, getitem, index_add, broadcast_to, sum_to = map(
    _op, (EXPAND_DIMS, GETITEM, INDEX_ADD, BROADCAST_TO, SUM_TO)
)
stack, concatenate = map(_op, (STACK, CONCATENATE))


# --- how numpy calls reach the table ---------------------------------------------

#: numpy ufuncs that adlearn differentiates, and the rule each one uses.
BY_UFUNC: dict[np.ufunc, Primitive] = {
    np.add: ADD, np.subtract: SUB, np.multiply: MUL, np.true_divide: DIV,
    np.negative: NEG, np.power: POW, np.sin: SIN, np.cos: COS, np.tan: TAN,
    np.exp: EXP, np.log: LOG, np.sqrt: SQRT, np.tanh: TANH, np.sinh: SINH,
    np.cosh: COSH, np.absolute: ABS, np.arcsin: ARCSIN, np.arccos: ARCCOS,
    np.arctan: ARCTAN, np.log1p: LOG1P, np.expm1: EXPM1, np.square: SQUARE,
    np.maximum: MAXIMUM, np.minimum: MINIMUM, np.sign: SIGN, np.matmul: MATMUL,
}  # fmt: skip


def _np_mean(x, axis=None, keepdims=False):
    n = (
        np.size(primal_value(x))
        if axis is None
        else np.prod([np.shape(primal_value(x))[a] for a in np.atleast_1d(axis)])
    )
    return sum_(x, axis=axis, keepdims=keepdims) / float(n)


def _np_dot(a, b):
    if np.ndim(primal_value(a)) == 0 or np.ndim(primal_value(b)) == 0:
        return multiply(a, b)
    return matmul(a, b)


def _np_where(cond, a, b):
    return where_(a, b, cond=primal_value(cond))


#: numpy functions (not ufuncs) that adlearn differentiates: np.sum(x) on a
#: traced x calls the function here.
BY_FUNCTION: dict[Callable[..., Any], Callable[..., Any]] = {
    np.sum: lambda x, axis=None, keepdims=False: sum_(x, axis=axis, keepdims=keepdims),
    np.mean: _np_mean,
    np.dot: _np_dot,
    np.matmul: matmul,
    np.reshape: lambda x, shape: reshape(x, shape=shape),
    np.transpose: lambda x, axes=None: transpose(x, axes=axes),
    np.swapaxes: lambda x, axis1, axis2: swapaxes(x, axis1=axis1, axis2=axis2),
    np.expand_dims: lambda x, axis: expand_dims(x, axis=axis),
    np.broadcast_to: lambda x, shape: broadcast_to(x, shape=shape),
    np.where: _np_where,
    np.stack: lambda arrays, axis=0: stack(*arrays, axis=axis),
    np.concatenate: lambda arrays, axis=0: concatenate(*arrays, axis=axis),
    np.shape: lambda x: np.shape(primal_value(x)),
    np.ndim: lambda x: np.ndim(primal_value(x)),
    np.size: lambda x: np.size(primal_value(x)),
}

#: Functions by the names an expression may call them (the command line's
#: whitelist): each maps to the numpy function a user would write.
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log,
    "ln": np.log, "sqrt": np.sqrt, "tanh": np.tanh, "sinh": np.sinh, "cosh": np.cosh,
    "abs": np.absolute, "arcsin": np.arcsin, "arccos": np.arccos, "arctan": np.arctan,
    "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "log1p": np.log1p,
    "expm1": np.expm1, "square": np.square, "maximum": np.maximum, "minimum": np.minimum,
    "max": np.maximum, "min": np.minimum,
}  # fmt: skip
