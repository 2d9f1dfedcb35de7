"""The rule table: every elementwise primitive and its local partials, written once.

Each rule states how to compute its value and how its output changes with each
input: one *local partial* per argument, a function of the argument values and
the output (for ``mul(a, b)``: ``b`` and ``a``). Forward mode multiplies each
partial by its argument's tangent and adds up (``w_dot = sum_j partial_j *
w_dot_j``, :mod:`adlearn.forward`); reverse mode multiplies the output's adjoint
by each partial and sends it back (``w_bar_j += w_bar * partial_j``,
:mod:`adlearn.reverse`). The evaluation trace and the graph drawing read the
same table, with the partials' text.

The partials are written with the differentiable operations defined first in
this module (``cos``, ``mul``, ...), so that they can be differentiated again:
that is what makes Hessians (forward over reverse) and nested derivatives work.

Rules of sums, matrix products, reshaping and indexing, which have no
elementwise partials, are in :mod:`adlearn.array_rules`; how numpy's functions
reach the rules is in :mod:`adlearn.numpy_api`.

Examples
--------
>>> RULES["mul"].formula.format("w1", "w2")
'w1 * w2'
>>> RULES["sin"].partial_text[0].format("w1")
'cos(w1)'
>>> [RULES["mul"].partials[j](2.0, 3.0, 6.0) for j in range(2)]
[3.0, 2.0]
"""

from __future__ import annotations

import math

import numpy as np

from adlearn.dispatch import NO_PARAMS, Differentiable, bind
from adlearn.inputs import seen_value, value_of
from adlearn.primitive import RULES, Primitive, rule

__all__ = ["RULES", "Primitive"]


# --- the differentiable operations that the partials are written with ----------
# Each applies its rule of the table below (looked up when called).


def add(a, b):
    return bind(ADD, (a, b), NO_PARAMS)


def subtract(a, b):
    return bind(SUB, (a, b), NO_PARAMS)


def multiply(a, b):
    return bind(MUL, (a, b), NO_PARAMS)


def divide(a, b):
    return bind(DIV, (a, b), NO_PARAMS)


def negative(x):
    return bind(NEG, (x,), NO_PARAMS)


def power(a, b):
    return bind(POW, (a, b), NO_PARAMS)


def sin(x):
    return bind(SIN, (x,), NO_PARAMS)


def cos(x):
    return bind(COS, (x,), NO_PARAMS)


def tan(x):
    return bind(TAN, (x,), NO_PARAMS)


def exp(x):
    return bind(EXP, (x,), NO_PARAMS)


def log(x):
    return bind(LOG, (x,), NO_PARAMS)


def sqrt(x):
    return bind(SQRT, (x,), NO_PARAMS)


def tanh(x):
    return bind(TANH, (x,), NO_PARAMS)


def sinh(x):
    return bind(SINH, (x,), NO_PARAMS)


def cosh(x):
    return bind(COSH, (x,), NO_PARAMS)


def absolute(x):
    return bind(ABS, (x,), NO_PARAMS)


def sign(x):
    return bind(SIGN, (x,), NO_PARAMS)


def arcsin(x):
    return bind(ARCSIN, (x,), NO_PARAMS)


def arccos(x):
    return bind(ARCCOS, (x,), NO_PARAMS)


def arctan(x):
    return bind(ARCTAN, (x,), NO_PARAMS)


def log1p(x):
    return bind(LOG1P, (x,), NO_PARAMS)


def expm1(x):
    return bind(EXPM1, (x,), NO_PARAMS)


def square(x):
    return bind(SQUARE, (x,), NO_PARAMS)


def maximum(a, b):
    return bind(MAXIMUM, (a, b), NO_PARAMS)


def minimum(a, b):
    return bind(MINIMUM, (a, b), NO_PARAMS)


def log2(x):
    return bind(LOG2, (x,), NO_PARAMS)


def log10(x):
    return bind(LOG10, (x,), NO_PARAMS)


def exp2(x):
    return bind(EXP2, (x,), NO_PARAMS)


def arcsinh(x):
    return bind(ARCSINH, (x,), NO_PARAMS)


def arccosh(x):
    return bind(ARCCOSH, (x,), NO_PARAMS)


def arctanh(x):
    return bind(ARCTANH, (x,), NO_PARAMS)


def reciprocal(x):
    return bind(RECIPROCAL, (x,), NO_PARAMS)


def deg2rad(x):
    return bind(DEG2RAD, (x,), NO_PARAMS)


def rad2deg(x):
    return bind(RAD2DEG, (x,), NO_PARAMS)


def arctan2(y, x):
    return bind(ARCTAN2, (y, x), NO_PARAMS)


def hypot(a, b):
    return bind(HYPOT, (a, b), NO_PARAMS)


def logaddexp(a, b):
    return bind(LOGADDEXP, (a, b), NO_PARAMS)


def mod(a, b):
    return bind(MOD, (a, b), NO_PARAMS)


def where(cond, a, b):
    """``np.where(cond, a, b)``; ``cond`` is a plain value (it is not differentiated)."""
    return bind(WHERE, (a, b), {"cond": seen_value(cond)})


# --- helpers of the partials --------------------------------------------------


def _one(*_args, **_params):
    return 1.0


def _minus_one(*_args, **_params):
    return -1.0


def _one_in_dtype_of(out):
    """1.0 in the floating dtype of ``out``, a Python float where out has none: the
    partial 1/b of a / b is computed at the precision of a / b itself, even where b is
    a float16 constant (numpy would compute 1.0 / b in float16)."""
    dtype = getattr(value_of(out), "dtype", None)
    return dtype.type(1.0) if dtype is not None and dtype.kind == "f" else 1.0


def _quotient(a, b):
    """``a / b`` with numpy's semantics on Python floats too: a division by zero
    gives inf or nan, with numpy's RuntimeWarning, as it does on arrays."""
    try:
        return a / b
    except ZeroDivisionError:
        return float(np.true_divide(a, b))


def _pow_base_partial(a, b, out):
    # d(a**b)/da = b * a**(b - 1); exactly 0 where a constant b is 0, even at a == 0
    # (where a**(b - 1) is inf and 0 * inf is nan). A constant exponent may be any
    # number (a Python or numpy scalar of any dtype) or an array, entry by entry.
    if getattr(type(b), "is_traced", False):  # a constant exponent that ad.jit records
        if isinstance(value_of(b), float):
            return 0.0 * a if b == 0 else b * power(a, b - 1)
        return b * power(a, np.where(b == 0, 1.0, b - 1.0))
    if isinstance(b, Differentiable):  # an exponent being differentiated too
        return b * power(a, b - 1)
    if np.ndim(b) == 0:
        return 0.0 * a if b == 0 else b * power(a, b - 1)
    b = np.asarray(b)
    return b * power(a, np.where(b == 0, 1.0, np.subtract(b, 1.0)))


def _pow_exponent_partial(a, b, out):
    # d(a**b)/db = a**b * log(a); 0 where a == 0, where a**b is 0 for every b > 0 (as JAX).
    value = seen_value(a)
    if np.ndim(value_of(a)) == 0:
        return out * log(a) if value != 0 else 0.0 * out
    zero = value == 0
    return out * log(where(zero, 1.0, a)) if zero.any() else out * log(a)


def _mod_divisor_partial(a, b, out):
    # a % b = a - floor(a / b) * b, and floor(a / b) is constant between its jumps
    return -np.floor(np.true_divide(seen_value(a), seen_value(b)))


def _select(a, b):
    """1 where a > b, 0.5 where a == b, 0 where a < b (on the values)."""
    scalar = isinstance(value_of(a), float) and isinstance(value_of(b), float)
    a, b = seen_value(a), seen_value(b)
    if scalar:
        return 1.0 if a > b else (0.5 if a == b else 0.0)
    return np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0))


def _mask(cond, value):
    return np.where(cond, 1.0, 0.0) if value else np.where(cond, 0.0, 1.0)


# --- the table: name, how to compute, how a trace writes it, one partial per argument
# A partial is called as partial(*args, out): ``x`` the argument, ``out`` the result.

ADD = rule("add", compute=np.add, formula="{0} + {1}",
           partials=(_one, _one), partial_text=("1", "1"))
SUB = rule("sub", compute=np.subtract, formula="{0} - {1}",
           partials=(_one, _minus_one), partial_text=("1", "-1"))
MUL = rule("mul", compute=np.multiply, formula="{0} * {1}",
           partials=(lambda a, b, out: b, lambda a, b, out: a), partial_text=("{1}", "{0}"))
DIV = rule("div", compute=np.true_divide, formula="{0} / {1}",
           partials=(lambda a, b, out: _quotient(_one_in_dtype_of(out), b),
                     lambda a, b, out: _quotient(-out, b)),
           partial_text=("1/{1}", "-{0}/{1}^2"))
NEG = rule("neg", compute=np.negative, formula="-{0}",
           partials=(_minus_one,), partial_text=("-1",))
POW = rule("pow", compute=np.power, formula="{0} ** {1}",
           partials=(_pow_base_partial, _pow_exponent_partial),
           partial_text=("{1}*{0}^({1}-1)", "{0}^({1})*log({0})"))
SIN = rule("sin", compute=np.sin, formula="sin({0})",
           partials=(lambda x, out: cos(x),), partial_text=("cos({0})",))
COS = rule("cos", compute=np.cos, formula="cos({0})",
           partials=(lambda x, out: -sin(x),), partial_text=("-sin({0})",))
TAN = rule("tan", compute=np.tan, formula="tan({0})",
           partials=(lambda x, out: 1.0 + out * out,), partial_text=("1 + tan({0})^2",))
EXP = rule("exp", compute=np.exp, formula="exp({0})",
           partials=(lambda x, out: out,), partial_text=("exp({0})",))
LOG = rule("log", compute=np.log, formula="log({0})",
           partials=(lambda x, out: _quotient(1.0, x),), partial_text=("1/{0}",))
SQRT = rule("sqrt", compute=np.sqrt, formula="sqrt({0})",
            partials=(lambda x, out: _quotient(0.5, out),), partial_text=("1/(2*sqrt({0}))",))
TANH = rule("tanh", compute=np.tanh, formula="tanh({0})",
            partials=(lambda x, out: 1.0 - out * out,), partial_text=("1 - tanh({0})^2",))
SINH = rule("sinh", compute=np.sinh, formula="sinh({0})",
            partials=(lambda x, out: cosh(x),), partial_text=("cosh({0})",))
COSH = rule("cosh", compute=np.cosh, formula="cosh({0})",
            partials=(lambda x, out: sinh(x),), partial_text=("sinh({0})",))
ABS = rule("abs", compute=np.absolute, formula="abs({0})",
           partials=(lambda x, out: sign(x),), partial_text=("sign({0})",))
ARCSIN = rule("arcsin", compute=np.arcsin, formula="arcsin({0})",
              partials=(lambda x, out: _quotient(1.0, sqrt(1.0 - x * x)),),
              partial_text=("1/sqrt(1 - {0}^2)",))
ARCCOS = rule("arccos", compute=np.arccos, formula="arccos({0})",
              partials=(lambda x, out: _quotient(-1.0, sqrt(1.0 - x * x)),),
              partial_text=("-1/sqrt(1 - {0}^2)",))
ARCTAN = rule("arctan", compute=np.arctan, formula="arctan({0})",
              partials=(lambda x, out: 1.0 / (1.0 + x * x),), partial_text=("1/(1 + {0}^2)",))
LOG1P = rule("log1p", compute=np.log1p, formula="log1p({0})",
             partials=(lambda x, out: _quotient(1.0, 1.0 + x),), partial_text=("1/(1 + {0})",))
EXPM1 = rule("expm1", compute=np.expm1, formula="expm1({0})",
             partials=(lambda x, out: out + 1.0,), partial_text=("exp({0})",))
SQUARE = rule("square", compute=np.square, formula="{0}^2",
              partials=(lambda x, out: 2.0 * x,), partial_text=("2*{0}",))
# maximum/minimum: where the arguments tie, each gets half (as JAX does).
MAXIMUM = rule("maximum", compute=np.maximum, formula="max({0}, {1})",
               partials=(lambda a, b, out: _select(a, b), lambda a, b, out: _select(b, a)),
               partial_text=("[{0} > {1}]", "[{1} > {0}]"))
MINIMUM = rule("minimum", compute=np.minimum, formula="min({0}, {1})",
               partials=(lambda a, b, out: _select(b, a), lambda a, b, out: _select(a, b)),
               partial_text=("[{0} < {1}]", "[{1} < {0}]"))
# sign has derivative 0 wherever it is defined; it is here so that abs can be
# differentiated twice.
SIGN = rule("sign", compute=np.sign, formula="sign({0})",
            partials=(lambda x, out: 0.0 * x,), partial_text=("0",))
# where(cond, a, b): cond is a parameter, not an argument: it is not differentiated.
WHERE = rule("where", compute=lambda a, b, cond: np.where(cond, a, b),
             formula="where(cond, {0}, {1})",
             partials=(lambda a, b, out, cond: _mask(cond, True),
                       lambda a, b, out, cond: _mask(cond, False)),
             partial_text=("[cond]", "[not cond]"))  # fmt: skip
LOG2 = rule("log2", compute=np.log2, formula="log2({0})",
            partials=(lambda x, out: _quotient(1.0 / math.log(2.0), x),),
            partial_text=("1/({0}*log(2))",))
LOG10 = rule("log10", compute=np.log10, formula="log10({0})",
             partials=(lambda x, out: _quotient(1.0 / math.log(10.0), x),),
             partial_text=("1/({0}*log(10))",))
EXP2 = rule("exp2", compute=np.exp2, formula="exp2({0})",
            partials=(lambda x, out: out * math.log(2.0),), partial_text=("exp2({0})*log(2)",))
ARCSINH = rule("arcsinh", compute=np.arcsinh, formula="arcsinh({0})",
               partials=(lambda x, out: _quotient(1.0, sqrt(x * x + 1.0)),),
               partial_text=("1/sqrt({0}^2 + 1)",))
ARCCOSH = rule("arccosh", compute=np.arccosh, formula="arccosh({0})",
               partials=(lambda x, out: _quotient(1.0, sqrt(x * x - 1.0)),),
               partial_text=("1/sqrt({0}^2 - 1)",))
ARCTANH = rule("arctanh", compute=np.arctanh, formula="arctanh({0})",
               partials=(lambda x, out: _quotient(1.0, 1.0 - x * x),),
               partial_text=("1/(1 - {0}^2)",))
RECIPROCAL = rule("reciprocal", compute=np.reciprocal, formula="1/{0}",
                  partials=(lambda x, out: -(out * out),), partial_text=("-1/{0}^2",))
# np.radians and np.degrees are other names of these two (numpy_api maps both)
DEG2RAD = rule("deg2rad", compute=np.deg2rad, formula="deg2rad({0})",
               partials=(lambda x, out: math.pi / 180.0,), partial_text=("pi/180",))
RAD2DEG = rule("rad2deg", compute=np.rad2deg, formula="rad2deg({0})",
               partials=(lambda x, out: 180.0 / math.pi,), partial_text=("180/pi",))
ARCTAN2 = rule("arctan2", compute=np.arctan2, formula="arctan2({0}, {1})",
               partials=(lambda y, x, out: _quotient(x, x * x + y * y),
                         lambda y, x, out: _quotient(-y, x * x + y * y)),
               partial_text=("{1}/({0}^2 + {1}^2)", "-{0}/({0}^2 + {1}^2)"))
# hypot(0, 0) has a corner: 0/0 gives nan, as for sqrt(a^2 + b^2)
HYPOT = rule("hypot", compute=np.hypot, formula="hypot({0}, {1})",
             partials=(lambda a, b, out: _quotient(a, out), lambda a, b, out: _quotient(b, out)),
             partial_text=("{0}/hypot({0}, {1})", "{1}/hypot({0}, {1})"))
LOGADDEXP = rule("logaddexp", compute=np.logaddexp, formula="logaddexp({0}, {1})",
                 partials=(lambda a, b, out: exp(a - out), lambda a, b, out: exp(b - out)),
                 partial_text=("exp({0} - logaddexp({0}, {1}))",
                               "exp({1} - logaddexp({0}, {1}))"))
# x % y (np.mod, np.remainder): jumps where x / y crosses an integer, slope 1 in x between
MOD = rule("mod", compute=np.remainder, formula="{0} % {1}",
           partials=(_one, _mod_divisor_partial), partial_text=("1", "-floor({0}/{1})"))  # fmt: skip
