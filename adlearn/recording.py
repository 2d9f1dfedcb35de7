"""Recording a computation as a list of operations, for :func:`adlearn.jit`.

A :class:`Recorder` is the outermost sweep of all: its values, :class:`Traced`,
carry their ordinary value (so Python decides every ``if`` as it would) and the
number of the operation that made them. Run a transformation on traced inputs
(``ad.grad(f)`` included) and every rule of the table that the engine applies,
in f, in the partials and in the backward sweep, lands here once, in order, as
an :class:`Operation`: the whole transformed function as a straight-line program.

Where Python looks at a traced value to decide something (``bool()``, a
comparison in an ``if`` or a ``while``, ``float()``, ``int()``), the decision is
kept as a *guard*: the compiled program checks it and raises :class:`Retrace`
when a call would take another path. Comparisons used as data (``np.where(x > 0,
...)``) are operations of their own, not constants.

Examples
--------
>>> import numpy as np
>>> rec = Recorder()
>>> x = rec.input(2.0, "x1")
>>> y = np.sin(x) * x
>>> [op.rule.name for op in rec.operations if op.kind == "rule"]
['sin', 'mul']
>>> bool(y > 1.0), len(rec.guards)
(True, 1)
"""

from __future__ import annotations

import operator

import numpy as np

from adlearn.dispatch import Differentiable, compute, new_level
from adlearn.inputs import value_of
from adlearn.numpy_api import PLAIN_FUNCTIONS, PLAIN_UFUNCS
from adlearn.operators import ArrayBehaviour
from adlearn.rules import MUL, WHERE

__all__ = ["Const", "NotCompilable", "Operation", "Recorder", "Retrace", "Traced"]


class Retrace(Exception):
    """A guard of a compiled program failed: this call takes another path."""


class NotCompilable(TypeError):
    """The function does something a recording cannot follow; it runs interpreted."""


class Const:
    """A constant operand of an operation (a float, an array, a mask baked in)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return f"Const({self.value!r})"


class Operation:
    """One recorded operation.

    ``kind`` is ``"rule"`` (a rule of the table), ``"plain"`` (a function with no
    derivative: a comparison, a rounding, ``np.any``), ``"guard"`` (a decision
    the path depends on; ``expected`` is what it was) or ``"mark"`` (where the
    reverse sweep begins). ``args`` holds operation numbers (int) and
    :class:`Const`; ``params`` may hold operation numbers too, as ``Ref``.
    """

    __slots__ = ("args", "expected", "fn", "kind", "out", "params", "rule", "text")

    def __init__(self, kind, out, args=(), params=None, rule=None, fn=None, text=None,
                 expected=None):  # fmt: skip
        self.kind, self.out, self.args, self.params = kind, out, args, params or {}
        self.rule, self.fn, self.text, self.expected = rule, fn, text, expected


class Ref:
    """A traced value among the parameters of an operation (``cond`` of where, an index)."""

    __slots__ = ("out",)

    def __init__(self, out):
        self.out = out


def _recorded(op, text: str, reflected: bool = False):
    """The method ``self <op> other`` of a traced value: an operation recorded and written
    as ``text``; with ``reflected``, Python's ``other <op> self`` (as in ``True & mask``)."""

    def method(self, other):
        return self.sweep.plain(op, text, (other, self) if reflected else (self, other))

    return method


class Traced(ArrayBehaviour):
    """A value being recorded: its ordinary value, and the operation that made it."""

    __slots__ = ("index",)
    is_traced = True
    __hash__ = object.__hash__

    def __init__(self, value, index, recorder):
        self.value = value
        self.index = index
        self.sweep = recorder

    def __repr__(self):
        return f"Traced(value={self.value!r}, index={self.index})"

    # comparisons are operations (masks for np.where, tests for an if), and so are the
    # bitwise operators that combine them
    __lt__ = _recorded(operator.lt, "{0} < {1}")
    __le__ = _recorded(operator.le, "{0} <= {1}")
    __gt__ = _recorded(operator.gt, "{0} > {1}")
    __ge__ = _recorded(operator.ge, "{0} >= {1}")
    __eq__ = _recorded(operator.eq, "{0} == {1}")
    __ne__ = _recorded(operator.ne, "{0} != {1}")
    __and__ = _recorded(operator.and_, "({0} & {1})")
    __or__ = _recorded(operator.or_, "({0} | {1})")
    __xor__ = _recorded(operator.xor, "({0} ^ {1})")
    __rand__ = _recorded(operator.and_, "({0} & {1})", reflected=True)
    __ror__ = _recorded(operator.or_, "({0} | {1})", reflected=True)
    __rxor__ = _recorded(operator.xor, "({0} ^ {1})", reflected=True)

    def __invert__(self):
        return self.sweep.plain(operator.invert, "~{0}", (self,))

    # a Python decision on a traced value: taken on the value, kept as a guard
    def __bool__(self):
        decided = bool(self.value)
        self.sweep.guard(self, decided, "bool")
        return decided

    def __float__(self):
        v = float(self.value)
        self.sweep.guard(self.sweep.plain(operator.eq, "{0} == {1}", (self, v)), True, "float")
        return v

    def __int__(self):
        v = int(self.value)
        whole = self.sweep.plain(int, "int({0})", (self,))
        self.sweep.guard(self.sweep.plain(operator.eq, "{0} == {1}", (whole, v)), True, "int")
        return v

    __index__ = __int__

    def item(self):
        return float(self)

    def __round__(self, ndigits=None):
        if ndigits is None:
            return self.sweep.plain(round, "round({0})", (self,))
        return self.sweep.plain(round, "round({0}, {1})", (self, ndigits))

    def round(self, decimals=0):
        return self.sweep.plain(np.round, "np.round({0}, {1})", (self, decimals))

    def any(self, axis=None):
        return self.sweep.plain(np.any, "np.any({0}, axis={1})", (self, axis))

    def all(self, axis=None):
        return self.sweep.plain(np.all, "np.all({0}, axis={1})", (self, axis))

    def __array__(self, dtype=None, copy=None):
        raise NotCompilable(
            "ad.jit: a traced value was converted to a numpy array (np.asarray, np.array, "
            "buf[i] = x): the recording cannot follow it; this function runs interpreted"
        )

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "__call__" and not kwargs and ufunc in PLAIN_UFUNCS:
            template = (
                "np."
                + ufunc.__name__
                + "("
                + ", ".join(f"{{{k}}}" for k in range(len(inputs)))
                + ")"
            )
            return self.sweep.plain(ufunc, template, inputs)
        return super().__array_ufunc__(ufunc, method, *inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        if func in _SHAPES:  # fixed by the signature: no operation
            return func(*(value_of(a) for a in args), **kwargs)
        if func in _PLAIN and not kwargs:
            template = (
                "np." + func.__name__ + "(" + ", ".join(f"{{{k}}}" for k in range(len(args))) + ")"
            )
            return self.sweep.plain(func, template, args)
        if func is np.where and len(args) == 3 and not kwargs and args[0] is self:
            cond, a, b = args
            if not any(isinstance(x, Differentiable) for x in (a, b)):  # a mask of constants
                return self.sweep.apply(WHERE, (a, b), {"cond": cond})
        return super().__array_function__(func, types, args, kwargs)


_SHAPES = (np.shape, np.ndim, np.size)
_PLAIN = {f for f in PLAIN_FUNCTIONS if f not in _SHAPES} | {np.any, np.all}


def _is_one(x) -> bool:
    return type(x) in (float, int) and x == 1


class Recorder:
    """The sweep that records: every operation on its traced values, in order."""

    __slots__ = ("common", "guards", "level", "limit", "marks", "names", "operations", "values")

    def __init__(self, limit=None):
        self.level = new_level()  # made before any sweep of the function: the outermost
        self.operations: list[Operation] = []
        self.values: list = []  # the value of each operation's result, by number
        self.guards: list[Operation] = []
        self.names: dict[int, list] = {}  # result number -> names given to it (unit, adjoint, ...)
        self.marks: dict[str, int] = {}  # "reverse sweep" -> where it begins
        self.common: dict = {}  # the same rule on the same operands: one operation
        self.limit = limit

    def owns(self, x) -> bool:
        return type(x) is Traced and x.sweep is self

    def _new(self, value) -> Traced:
        index = len(self.values)
        if self.limit is not None and index >= self.limit:
            raise NotCompilable(
                f"ad.jit: the recording passed {self.limit} operations (the trace size limit); "
                "this function runs interpreted"
            )
        self.values.append(value)
        return Traced(value, index, self)

    def input(self, value, name) -> Traced:
        """A traced input of the program, called ``name``."""
        t = self._new(value)
        self.operations.append(Operation("input", t.index, text=name))
        self.names[t.index] = [("input", name)]
        return t

    def _operand(self, a):
        if self.owns(a):
            return a.index, a.value
        if isinstance(a, Differentiable):
            raise NotCompilable(
                "ad.jit: a value being differentiated outside ad.jit reaches the function "
                "(put ad.jit outside every transformation: ad.jit(ad.grad(f)))"
            )
        return Const(a), a

    def _params(self, params):
        """The parameters with traced values replaced: (for the record, for computing)."""
        if not params:
            return params, params
        recorded, plain = {}, {}
        for k, v in params.items():
            if self.owns(v):
                recorded[k], plain[k] = Ref(v.index), v.value
            elif isinstance(v, tuple) and any(self.owns(e) for e in v):
                recorded[k] = tuple(Ref(e.index) if self.owns(e) else e for e in v)
                plain[k] = tuple(e.value if self.owns(e) else e for e in v)
            else:
                recorded[k] = plain[k] = v
        return recorded, plain

    def apply(self, rule, args, params):
        """Apply ``rule`` on the values and record it (the tape's ``apply``, for a program)."""
        refs, values = zip(*map(self._operand, args)) if args else ((), ())
        recorded, plain = self._params(params)
        w = compute(rule, values, plain)
        if rule is MUL:  # a multiplication by a seed of 1.0: the other factor itself
            for k in (0, 1):
                other = args[1 - k]
                if (
                    _is_one(values[k])
                    and not self.owns(args[k])  # a constant 1.0, not an input that is 1.0 now
                    and self.owns(other)
                    and _same_kind(other.value, w)
                ):
                    return other
        key = _key(rule, refs, recorded)
        if key is not None:
            hit = self.common.get(key)
            if hit is not None:
                return Traced(self.values[hit], hit, self)
        t = self._new(w)
        self.operations.append(Operation("rule", t.index, refs, recorded, rule=rule))
        if key is not None:
            self.common[key] = t.index
        return t

    def plain(self, fn, text, args):
        """A function with no derivative (a comparison, a rounding), recorded as data.

        ``text`` is how the source writes it (``"{0} < {1}"``); None: ``fn``'s own name.
        """
        refs, values = [], []
        for a in args:
            while isinstance(a, Differentiable) and not self.owns(a):
                a = a.value  # the value under a dual number or a tape variable
            r, v = self._operand(a)
            refs.append(r)
            values.append(v)
        t = self._new(fn(*values))
        self.operations.append(Operation("plain", t.index, tuple(refs), fn=fn, text=text))
        return t

    def guard(self, t: Traced, expected: bool, why: str):
        """Keep a decision taken on ``t``'s value: the compiled program checks it."""
        op = Operation("guard", -1, (t.index,), expected=expected, text=why)
        self.operations.append(op)
        self.guards.append(op)

    def name(self, x, name) -> None:
        """Give the traced value under ``x`` a name of the course (``("unit", sweep)``,
        ``("adjoint", unit)``, ``("tangent", unit)``)."""
        while isinstance(x, Differentiable) and not self.owns(x):
            x = x.value
        if self.owns(x):
            self.names.setdefault(x.index, []).append(name)

    def mark(self, what: str) -> None:
        """Where a part of the program begins (the reverse sweep), for a comment."""
        self.marks.setdefault(what, len(self.operations))


def _same_kind(a, b) -> bool:
    if type(a) is not type(b):
        return False
    return not isinstance(a, np.ndarray) or (a.shape == b.shape and a.dtype == b.dtype)


def _key(rule, refs, params):
    """A hashable key of an operation, or None (an array constant, an odd parameter)."""
    parts = tuple(r if type(r) is int else _constant_key(r.value) for r in refs)
    pk = tuple((k, _param_key(v)) for k, v in params.items())
    key = (rule.name, parts, pk)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _constant_key(v):
    # repr tells 0.0 from -0.0, and 1 from 1.0
    return ("c", type(v), repr(v)) if isinstance(v, (int, float)) else ("c", type(v), v)


def _param_key(v):
    if isinstance(v, Ref):
        return ("r", v.out)
    if type(v) is slice:  # hashable only from Python 3.12
        return ("slice", v.start, v.stop, v.step)
    if isinstance(v, tuple):
        return tuple(_param_key(e) for e in v)
    return v
