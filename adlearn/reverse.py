"""Reverse mode: a tape records the computation, adjoints flow back down it.

Running f on tape variables appends one entry per operation, in evaluation
order: which units it read and its local partials. The backward sweep walks the
tape once, from the end, with a plain loop (no recursion, so a million-step
chain is fine) and sends each adjoint ``w_bar = df/dw`` to the units it came
from: ``w_bar_j += w_bar * dw/dw_j``. A unit read twice (x1 in the running
example) receives two contributions that add up. One sweep gives the whole
gradient. Each call records a fresh tape, so calling twice gives the same answer.

Examples
--------
>>> import numpy as np
>>> import adlearn as ad
>>> def f(x1, x2):
...     return x1 * x2 + np.sin(x1)
>>> dx1, dx2 = ad.grad(f, argnums=(0, 1))(2.0, 3.0)
>>> print(f"{dx1:.6f} {dx2:.6f}")
2.583853 2.000000
"""

from __future__ import annotations

import numpy as np

from adlearn.boxes import TracedValue
from adlearn.dispatch import bind, new_level
from adlearn.forward import times
from adlearn.inputs import argnums_tuple, as_output, as_primal, check_tangent, fresh
from adlearn.rules import broadcast_to, primal_value, sum_to

__all__ = ["Tape", "Var", "grad", "jacrev", "value_and_grad", "vjp"]


class Var(TracedValue):
    """A tape variable: a value and the number of its entry on the tape."""

    __slots__ = ("_tag", "index", "value")

    def __init__(self, value, index, tape):
        self.value = value
        self.index = index
        self._tag = tape

    @property
    def _primal_(self):
        return self.value

    def __repr__(self):
        return f"Var(value={self.value!r}, index={self.index})"


class Pullback:
    """The adjoint rules of a structural primitive, bound to its arguments."""

    __slots__ = ("args", "out", "params", "positions", "prim")

    def __init__(self, prim, positions, args, out, params):
        self.prim, self.positions, self.args = prim, positions, args
        self.out, self.params = out, params

    def __call__(self, g):
        vjps, args = self.prim.vjps, self.args
        return [vjps[j](g, *args, self.out, **self.params) for j in self.positions]


class Tape:
    """The record of one reverse-mode evaluation, in evaluation order.

    Entry i holds ``parents[i]`` (the entries it read) and ``backs[i]`` (its
    local partials, or a :class:`Pullback` for a structural primitive).
    ``shapes`` holds the shape of every entry that is not a Python float. With
    ``details=True`` the tape also keeps what the evaluation trace shows: the
    primitive, its operands and its value.
    """

    __slots__ = ("backs", "details", "level", "parents", "shapes")

    def __init__(self, details: bool = False):
        self.level = new_level()
        self.parents: list[tuple[int, ...]] = []
        self.backs: list = []
        self.shapes: dict[int, tuple[int, ...]] = {}
        self.details: list | None = [] if details else None

    def __len__(self):
        return len(self.parents)

    def input(self, value, name=None) -> Var:
        """A new input entry (a unit of level 0)."""
        index = len(self.parents)
        self.parents.append(())
        self.backs.append(())
        if type(value) is not float:
            self.shapes[index] = np.shape(primal_value(value))
        if self.details is not None:
            self.details.append((None, (name,), value, None))
        return Var(value, index, self)

    def process(self, prim, args, params):
        """Apply ``prim`` and record it, if any argument is a variable of this tape."""
        # Unwrap this tape's variables; the common one- and two-argument cases
        # are spelled out because every recorded operation passes here.
        if len(args) == 2:
            a, b = args
            if type(a) is Var and a._tag is self:
                if type(b) is Var and b._tag is self:
                    values, parents, positions = (a.value, b.value), (a.index, b.index), (0, 1)
                else:
                    values, parents, positions = (a.value, b), (a.index,), (0,)
            else:
                values, parents, positions = (a, b.value), (b.index,), (1,)
        elif len(args) == 1:
            (a,) = args
            values, parents, positions = (a.value,), (a.index,), (0,)
        else:
            mine = [type(a) is Var and a._tag is self for a in args]
            values = tuple(a.value if m else a for a, m in zip(args, mine))
            parents = tuple(a.index for a, m in zip(args, mine) if m)
            positions = tuple(j for j, m in enumerate(mine) if m)
        out = bind(prim, values, params)
        partials = prim.partials
        if partials is None:
            back = Pullback(prim, positions, values, out, params)
        elif params or len(values) > 2:
            back = tuple([partials[j](*values, out, **params) for j in positions])
        elif len(values) == 1:  # plain calls: a call with *values costs three times more
            back = (partials[0](values[0], out),)
        else:
            v0, v1 = values
            if len(positions) == 2:
                back = (partials[0](v0, v1, out), partials[1](v0, v1, out))
            else:
                back = (partials[positions[0]](v0, v1, out),)
        index = len(self.parents)
        self.parents.append(parents)
        self.backs.append(back)
        if type(out) is not float:
            self.shapes[index] = np.shape(primal_value(out))
        if self.details is not None:
            operands = tuple(Ref(a.index) if type(a) is Var and a._tag is self else a for a in args)
            self.details.append((prim, operands, out, params))
        return Var(out, index, self)

    def backward(self, out_index: int, seed, keep: bool = False) -> list:
        """Adjoints of every entry up to ``out_index``, given the output's adjoint.

        Only inputs keep their adjoints unless ``keep`` is true (the trace keeps
        all of them); the others are dropped as soon as they have been sent on.
        """
        adjoints: list = [None] * (out_index + 1)
        adjoints[out_index] = seed
        parents, backs, shapes = self.parents, self.backs, self.shapes
        for i in range(out_index, -1, -1):
            g = adjoints[i]
            if g is None or not parents[i]:
                continue
            if not keep:
                adjoints[i] = None
            back = backs[i]
            if type(back) is tuple:  # local partials: c = w_bar * dw/dw_j
                full = shapes.get(i)  # None for a Python float
                for p, d in zip(parents[i], back):
                    c = times(g, d)
                    if full is not None and shapes.get(p, ()) != full:
                        c = unbroadcast(c, shapes.get(p, ()), full)
                    a = adjoints[p]
                    adjoints[p] = c if a is None else a + c
            else:  # a structural rule sends adjoints at its operands' shapes
                for p, c in zip(parents[i], back(g)):
                    a = adjoints[p]
                    adjoints[p] = c if a is None else a + c
        return adjoints


class Ref:
    """An operand that is a tape entry (as opposed to a constant), for traces."""

    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index

    def __repr__(self):
        return f"Ref({self.index})"


def unbroadcast(c, shape, full):
    """Sum an adjoint over the axes its operand was broadcast along.

    ``c`` stands for an array of shape ``full`` (the operation's output), though
    it may be smaller (a scalar seed stands for every entry); the operand has
    the smaller ``shape``, so each of its entries gets the sum of the entries
    it was broadcast to.
    """
    if np.shape(primal_value(c)) != full:
        c = broadcast_to(c, shape=full)
    return sum_to(c, shape=shape)


def _full_adjoint(adjoint, primal, given):
    """The adjoint of an input, at the input's shape and type, as an array of its
    own (not one of the ``given`` arrays the caller passed in)."""
    if type(primal) is float and type(adjoint) is float:  # the common scalar case
        return adjoint
    shape = np.shape(primal_value(primal))
    if adjoint is None:
        return 0.0 if type(primal) is float else np.zeros(shape)
    if np.shape(primal_value(adjoint)) != shape:
        adjoint = np.broadcast_to(adjoint, shape)
    if type(primal) is float and isinstance(adjoint, (np.floating, np.ndarray)):
        return float(adjoint)
    return fresh(adjoint, given)


def _record(f, args, nums, where):
    """Run f with the arguments ``nums`` on a new tape; return (tape, inputs, out, primals)."""
    primals = [a if type(a) is float else as_primal(a, where, i) for i, a in enumerate(args)]
    tape = Tape()
    boxed = list(primals)
    inputs = []
    for n in nums:
        boxed[n] = x = tape.input(primals[n])
        inputs.append(x)
    out = f(*boxed)
    if type(out) is not Var or type(out.value) is not float:
        as_output(out, where)
    return tape, inputs, out, primals


def _pull(tape, inputs, out, primals, nums, seed):
    """Adjoints of the inputs ``nums`` for the output adjoint ``seed``."""
    given = (*primals, seed)
    if not (type(out) is Var and out._tag is tape):
        return tuple(_full_adjoint(None, primals[n], given) for n in nums)
    adjoints = tape.backward(out.index, seed)
    return tuple(
        [_full_adjoint(adjoints[x.index], primals[n], given) for x, n in zip(inputs, nums)]
    )


def _value(out, tape, primals=()):
    """f's value, as an array of its own where f returned an input unchanged."""
    return fresh(out.value if type(out) is Var and out._tag is tape else out, primals)


def value_and_grad(f, argnums=0):
    """Reverse mode: f's value and its gradient, from one forward and one backward sweep.

    f must return a scalar. The gradient has the shape of its input; with a
    tuple of argnums it is a tuple of gradients.

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> value, g = ad.value_and_grad(lambda x: np.sum(x**2))(np.array([1.0, 2.0]))
    >>> print(value, g)
    5.0 [2. 4.]
    """

    single = isinstance(argnums, int)
    checked: dict[int, tuple[int, ...]] = {}  # argnums per number of arguments

    def vg(*args):
        nums = checked.get(len(args))
        if nums is None:
            nums = checked[len(args)] = argnums_tuple(argnums, len(args), "grad")
        tape, inputs, out, primals = _record(f, args, nums, "grad")
        value = _value(out, tape, primals)
        if type(value) is not float and np.ndim(primal_value(value)) != 0:
            raise ValueError(
                f"grad: the function must return a scalar, but it returned shape "
                f"{np.shape(primal_value(value))}; use ad.jacrev or ad.vjp for array outputs"
            )
        grads = _pull(tape, inputs, out, primals, nums, 1.0)
        return value, grads[0] if single else grads

    return vg


def grad(f, argnums=0):
    """Reverse mode: the gradient of a scalar function f.

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> f = lambda x1, x2: x1 * x2 + np.sin(x1)
    >>> g = ad.grad(f, argnums=(0, 1))(0.0, 5.0)
    >>> g
    (6.0, 0.0)
    """
    vg = value_and_grad(f, argnums)

    def g(*args):
        return vg(*args)[1]

    return g


def vjp(f, *primals):
    """Reverse mode: f's value and a function that pulls cotangents back.

    ``vjp_fn(cotangent)`` returns one array per primal: ``cotangent @ J``.
    It can be called any number of times; each call walks the same tape.

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> y, vjp_fn = ad.vjp(lambda x: x * x, np.array([1.0, 2.0, 3.0]))
    >>> vjp_fn(np.array([1.0, 0.0, 1.0]))
    (array([2., 0., 6.]),)
    """
    nums = tuple(range(len(primals)))
    tape, inputs, out, plain = _record(f, primals, nums, "vjp")
    value = _value(out, tape, plain)

    def vjp_fn(cotangent):
        ct = check_tangent(primal_value(value), cotangent, "vjp", 0)
        return _pull(tape, inputs, out, plain, nums, ct)

    return value, vjp_fn


def jacrev(f, argnums=0):
    """Reverse mode Jacobian, one row per backward sweep (one per output entry).

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> J = ad.jacrev(lambda x: x[0] * x[1] + np.sin(x))(np.array([2.0, 3.0]))
    >>> print(np.round(J, 4))
    [[2.5839 2.    ]
     [3.     1.01  ]]
    """

    def jac(*args):
        nums = argnums_tuple(argnums, len(args), "jacrev")
        tape, inputs, out, primals = _record(f, args, nums, "jacrev")
        y = primal_value(_value(out, tape))
        if np.size(y) == 0:  # an empty output: no sweep, only the shapes
            jacobians = [np.zeros(np.shape(y) + np.shape(primals[n])) for n in nums]
            return jacobians[0] if isinstance(argnums, int) else tuple(jacobians)
        rows = []
        for k in range(np.size(y)):
            seed = np.zeros(np.shape(y))
            seed.flat[k] = 1.0
            rows.append(_pull(tape, inputs, out, primals, nums, seed if np.ndim(y) else 1.0))
        jacobians = []
        for j, n in enumerate(nums):
            in_shape = np.shape(primals[n])
            if not np.ndim(y):
                jacobians.append(rows[0][j])
            else:
                stacked = np.stack([np.asarray(r[j], dtype=float) for r in rows])
                jacobians.append(stacked.reshape(np.shape(y) + in_shape))
        return jacobians[0] if isinstance(argnums, int) else tuple(jacobians)

    return jac
