"""The evaluation trace: one row per operation unit, in both notations.

``trace(f, *primals)`` runs f once on a tape whose inputs carry a forward-mode
seed, then sweeps the tape backwards. Every unit gets its value (primal), its
tangent ``w_dot = dw/dx_seed`` (forward mode) and its adjoint ``w_bar = df/dw``
(reverse mode), with the formulas that produced them, all read from the rule
table.

Units are named in two notations: the hierarchy notation ``w^n_i`` (level n is
the unit's distance from the inputs, i numbers the units of one level; the index
is left out where a level holds one unit) and Wengert's ``w1 .. wN`` (inputs
first, then evaluation order), as in Wikipedia's article.

Examples
--------
>>> import numpy as np
>>> import adlearn as ad
>>> def f(x1, x2):
...     return x1 * x2 + np.sin(x1)
>>> t = ad.trace(f, 2.0, 3.0)
>>> print(t)
unit  Wengert  operation  value  tangent  adjoint
----  -------  ---------  -----  -------  -------
w⁰₁   w1       x1         2.000    1.000    2.584
w⁰₂   w2       x2         3.000    0.000    2.000
w¹₁   w3       w1 * w2    6.000    3.000    1.000
w¹₂   w4       sin(w1)    0.909   -0.416    1.000
w²    w5       w3 + w4    6.909    2.584    1.000
>>> print(t.to_text(mode="reverse", notation="wengert"))
unit  operation  value  adjoint rule            adjoint
----  ---------  -----  ----------------------  -------
w5    w3 + w4    6.909  1 (seed)                  1.000
w4    sin(w1)    0.909  w̄5                        1.000
w3    w1 * w2    6.000  w̄5                        1.000
w2    x2         3.000  w̄3 · w1                   2.000
w1    x1         2.000  w̄3 · w2 + w̄4 · cos(w1)    2.584
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from adlearn.forward import Dual, ForwardSweep
from adlearn.inputs import as_output, as_primal, input_names, value_of
from adlearn.operators import call
from adlearn.primitive import RULES
from adlearn.reverse import Tape

__all__ = ["Const", "Trace", "Unit", "trace"]

NOTATIONS = ("both", "hierarchy", "wengert")
MODES = (None, "forward", "reverse")
FORMATS = ("text", "markdown", "latex", "html")


@dataclass(frozen=True)
class Const:
    """A constant operand of a unit (``2`` in ``w1 ** 2``)."""

    value: float


@dataclass(frozen=True)
class Unit:
    """One operation unit of the trace.

    ``number`` is its Wengert number (w1, w2, ...); ``level`` and ``position``
    its hierarchy place w^level_position. ``operands`` are unit numbers (int)
    or :class:`Const`; ``partials`` the local partial derivative of this unit
    with respect to each unit operand, in order (None for a structural
    primitive such as ``sum``).
    """

    number: int
    level: int
    position: int
    op: str
    formula: str
    operands: tuple
    partial_text: tuple[str, ...]
    name: str | None
    value: object
    tangent: object
    adjoint: object
    partials: tuple | None

    @property
    def is_input(self) -> bool:
        return self.op == "input"

    @property
    def unit_operands(self) -> tuple[int, ...]:
        """The unit numbers this unit reads, in operand order (repeats kept)."""
        return tuple(o for o in self.operands if isinstance(o, int))


@dataclass(frozen=True)
class Contribution:
    """What a consumer unit sends to an operand in the backward sweep:
    ``adjoint_of_consumer * partial``."""

    consumer: int
    operand: int
    partial: object
    consumer_adjoint: object
    value: object


class Trace:
    """An evaluation trace: units, their values, tangents and adjoints.

    Shows as a table in a notebook (``_repr_html_``), prints as text, and
    renders as Markdown, HTML and LaTeX with :meth:`render`.
    """

    def __init__(self, units, input_names, wrt, function_name="f", output=None):
        self.units: list[Unit] = units
        #: the Wengert number of the output unit: the last one, unless f returns an input
        self.output_number: int = len(units) if output is None else output
        self.input_names: tuple[str, ...] = tuple(input_names)
        self.wrt: int = wrt
        self.function_name = function_name
        self._levels: dict[int, int] = {}
        for u in units:
            self._levels[u.level] = self._levels.get(u.level, 0) + 1

    # --- the numbers --------------------------------------------------------
    @property
    def output(self) -> Unit:
        return self.units[self.output_number - 1]

    @property
    def value(self):
        """f at the traced point."""
        return self.output.value

    @property
    def tangent(self):
        """df/dx along the seed input (forward mode)."""
        return self.output.tangent

    @property
    def gradient(self) -> tuple:
        """df/dx for every input (reverse mode): the adjoints of the inputs."""
        return tuple(u.adjoint for u in self.units if u.is_input)

    def unit(self, number: int) -> Unit:
        """The unit with Wengert number ``number`` (1-based)."""
        return self.units[number - 1]

    def consumers(self, number: int) -> list[tuple[int, int]]:
        """(consumer unit, operand position) for every use of unit ``number``."""
        return [
            (u.number, k) for u in self.units for k, o in enumerate(u.unit_operands) if o == number
        ]

    def contributions(self, number: int) -> list[Contribution]:
        """The adjoint contributions unit ``number`` receives, one per use.

        They add up to its adjoint; x1 in the running example receives two.
        """
        out = []
        for consumer, k in self.consumers(number):
            c = self.unit(consumer)
            partial = None if c.partials is None else c.partials[k]
            value = None if partial is None else c.adjoint * partial
            out.append(Contribution(consumer, number, partial, c.adjoint, value))
        return out

    def steps(self, mode: str) -> list[int]:
        """The order in which a sweep computes the units: w1..wN forward, wN..w1 reverse."""
        numbers = [u.number for u in self.units]
        if mode == "forward":
            return numbers
        if mode == "reverse":  # from the output (an input, when f returns one) down
            return [self.output_number] + [n for n in numbers[::-1] if n != self.output_number]
        raise ValueError(f"steps: mode must be 'forward' or 'reverse', got {mode!r}")

    # --- names and formulas -------------------------------------------------
    def label(
        self, number: int, notation: str = "hierarchy", fmt: str = "text", mark: str = ""
    ) -> str:
        """The name of unit ``number``: ``w^1_2`` or ``w4``; ``mark`` is '', 'dot' or 'bar'."""
        u = self.unit(number)
        if notation == "wengert":
            sup, sub = None, str(u.number)
        else:
            sup = str(u.level)
            sub = str(u.position) if self._levels[u.level] > 1 else None
        return _symbol(sup, sub, fmt, mark)

    def _operand(self, o, notation, fmt):
        if isinstance(o, Const):
            return _constant(o.value)
        return self.label(o, notation, fmt)

    def formula(self, number: int, notation: str = "hierarchy", fmt: str = "text") -> str:
        """How unit ``number`` is computed from its operands (``w1 * w2``)."""
        u = self.unit(number)
        if u.is_input:
            return _math_name(u.name, fmt)
        ops = [self._operand(o, notation, fmt) for o in u.operands]
        return _fmt_formula(u.formula, ops, fmt)

    def partial_formula(
        self, number: int, k: int, notation: str = "hierarchy", fmt: str = "text"
    ) -> str:
        """The local partial of unit ``number`` in its k-th unit operand (``cos(w1)``)."""
        u = self.unit(number)
        if not u.partial_text:
            return f"d{u.op}" if fmt == "ascii" else f"∂{u.op}"
        positions = [j for j, o in enumerate(u.operands) if isinstance(o, int)]
        ops = [self._operand(o, notation, fmt) for o in u.operands]
        return _fmt_formula(u.partial_text[positions[k]], ops, fmt)

    def tangent_formula(self, number: int, notation: str = "hierarchy", fmt: str = "text") -> str:
        """``w_dot = sum_j dw/dw_j * w_dot_j`` for unit ``number``, written out."""
        u = self.unit(number)
        if u.is_input:
            return _seed(fmt) if u.number - 1 == self.wrt else "0"
        terms = []
        if u.partials is None:
            # A structural rule is linear: its tangent is the operation applied to
            # the tangents, constants counting 0 (sum(ẇ4), stack(ẇ1, ẇ3)); a
            # bilinear one takes one operand's tangent at a time (ẇ1 @ w2 + w1 @ ẇ2).
            values = [self._operand(o, notation, fmt) for o in u.operands]
            dots = [
                self.label(o, notation, fmt, "dot") if isinstance(o, int) else "0"
                for o in u.operands
            ]
            if not RULES[u.op].bilinear:
                return _fmt_formula(u.formula, dots, fmt)
            for j, o in enumerate(u.operands):
                if isinstance(o, int):
                    terms.append(
                        _fmt_formula(u.formula, [*values[:j], dots[j], *values[j + 1 :]], fmt)
                    )
            return _sum(terms)
        for k, o in enumerate(u.unit_operands):
            dot = self.label(o, notation, fmt, "dot")
            terms.append(_product(self.partial_formula(number, k, notation, fmt), dot, fmt))
        return _sum(terms)

    def adjoint_formula(self, number: int, notation: str = "hierarchy", fmt: str = "text") -> str:
        """``w_bar_j = sum over uses of w_bar * dw/dw_j`` for unit ``number``, written out."""
        if number == self.output.number:
            return _seed(fmt)
        terms = []
        for consumer, k in self.consumers(number):
            bar = self.label(consumer, notation, fmt, "bar")
            partial = self.partial_formula(consumer, k, notation, fmt)
            terms.append(_product(bar, partial, fmt, partial_second=True))
        return _sum(terms) if terms else "0"

    # --- tables -------------------------------------------------------------
    def table(
        self, mode: str | None = None, notation: str = "both", fmt: str = "text", digits: int = 3
    ):
        """The table as a header row and a list of rows of strings."""
        if mode not in MODES:
            raise ValueError(f"trace: mode must be one of {MODES}, got {mode!r}")
        if notation not in NOTATIONS:
            raise ValueError(f"trace: notation must be one of {NOTATIONS}, got {notation!r}")
        if fmt not in (*FORMATS, "ascii"):  # ascii: text without Unicode (see render)
            raise ValueError(f"trace: format must be one of {FORMATS}, got {fmt!r}")
        if fmt == "markdown":  # LaTeX math in each cell
            header, rows = self.table(mode, notation, "latex", digits)
            numeric = [h in ("value", "tangent", "adjoint") for h in header]
            return header, [[c if n else f"${c}$" for c, n in zip(r, numeric)] for r in rows]
        names = ["hierarchy", "wengert"] if notation == "both" else [notation]
        formula_notation = "wengert" if notation == "both" else notation
        header = ["unit", "Wengert"] if notation == "both" else ["unit"]
        header += ["operation", "value"]
        if mode == "forward":
            header += ["tangent rule", "tangent"]
        elif mode == "reverse":
            header += ["adjoint rule", "adjoint"]
        else:
            header += ["tangent", "adjoint"]
        order = self.steps("reverse") if mode == "reverse" else self.steps("forward")
        rows = []
        for n in order:
            u = self.unit(n)
            row = [self.label(n, name, fmt) for name in names]
            row += [self.formula(n, formula_notation, fmt), _number(u.value, digits)]
            if mode == "forward":
                row += [self.tangent_formula(n, formula_notation, fmt), _number(u.tangent, digits)]
            elif mode == "reverse":
                row += [self.adjoint_formula(n, formula_notation, fmt), _number(u.adjoint, digits)]
            else:
                row += [_number(u.tangent, digits), _number(u.adjoint, digits)]
            rows.append(row)
        return header, rows

    def render(
        self,
        fmt: str = "text",
        mode: str | None = None,
        notation: str = "both",
        digits: int = 3,
        *,
        ascii: bool = False,
    ) -> str:
        """The table as ``text``, ``markdown``, ``latex`` or ``html``.

        ``ascii=True`` spells the text table without Unicode, for a terminal or a
        pipe that cannot show it: ``w0_1`` for w⁰₁ (as :func:`adlearn.jit` names
        units), ``w1_2_dot`` for a tangent, ``w5_bar`` for an adjoint, ``*`` for ·.
        """
        table_fmt = "ascii" if ascii and fmt == "text" else fmt
        header, rows = self.table(mode, notation, table_fmt, digits)
        numeric = [h in ("value", "tangent", "adjoint") for h in header]
        return _RENDERERS[fmt](header, rows, numeric, self._caption(mode))

    def _caption(self, mode):
        seed = self.input_names[self.wrt]
        if mode == "forward":
            return f"Forward sweep: tangents ẇ = ∂w/∂{seed}"
        if mode == "reverse":
            return f"Reverse sweep: adjoints w̄ = ∂{self.function_name}/∂w"
        return f"Evaluation trace; tangents seeded on {seed}, adjoints of {self.function_name}"

    def to_text(self, **kw) -> str:
        return self.render("text", **kw)

    def to_markdown(self, **kw) -> str:
        return self.render("markdown", **kw)

    def to_latex(self, **kw) -> str:
        return self.render("latex", **kw)

    def to_html(self, **kw) -> str:
        return self.render("html", **kw)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        return self.to_html()


# --- recording -----------------------------------------------------------------


def trace(f, *primals, wrt=0, names=None) -> Trace:
    """Trace f at a point: one row per operation unit, with values, tangents and adjoints.

    Parameters
    ----------
    f : callable
        A scalar function of floats (or arrays), written with operators and numpy.
    *primals : float or array
        The point.
    wrt : int or str
        The input whose tangent forward mode seeds with 1 (the others with 0).
    names : sequence of str, optional
        Names of the inputs; by default f's parameter names.

    Notes
    -----
    f may return one of its inputs (the trace is then the inputs alone, the
    output among them) and may leave inputs unused (their adjoints are 0). A
    constant output is refused: it is no unit of the computation, so there is
    nothing to trace.

    Each argument is one input unit, named as in the chapters (``x1``,
    ``x2``, or f's parameter names), so an argument must be a float or an
    array. A container (a list, tuple or dict of parameters) is refused with a
    clear error: its leaves have no names of their own; pass them as separate
    arguments (``ad.grad`` and ``ad.check_grad`` take containers).

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> t = ad.trace(lambda x1, x2: np.log(x1) + x1 * x2 - np.sin(x2), 2.0, 5.0)
    >>> print(f"{t.value:.3f} {t.tangent:.3f}", [f"{g:.3f}" for g in t.gradient])
    11.652 5.500 ['5.500', '1.716']
    """
    names = _input_names(f, len(primals), names)
    if isinstance(wrt, str):
        if wrt not in names:
            raise ValueError(
                f"trace: wrt={wrt!r} is not an input; the inputs are {', '.join(names)}"
            )
        wrt = names.index(wrt)
    if not isinstance(wrt, int) or not 0 <= wrt < len(primals):
        raise ValueError(f"trace: wrt={wrt!r} must name one of the {len(primals)} inputs")
    for i, p in enumerate(primals):
        if isinstance(p, (list, tuple, dict)):
            raise TypeError(
                f"trace: argument {i} is a {type(p).__name__}; a trace has one input unit per "
                "argument, a float or an array: pass np.array(...) for an array, or the "
                "container's entries as separate arguments, as in "
                "ad.trace(lambda a, b: f({'a': a, 'b': b}), 1.0, 2.0)"
            )
    values = [as_primal(p, "trace", i) for i, p in enumerate(primals)]
    seed = ForwardSweep()
    tape = RecordingTape()
    on_tape = [
        tape.input(Dual(v, 1.0, seed) if i == wrt else v, names[i]) for i, v in enumerate(values)
    ]
    out = as_output(call(f, on_tape, {}), "trace")
    if not tape.owns(out):
        raise ValueError(
            f"trace: the function returns a constant ({value_of(out)!r}) that depends on "
            "none of its inputs, so there is no unit to trace; its derivatives are 0 "
            "(ad.grad gives them)"
        )
    if np.ndim(value_of(out)) != 0:
        raise ValueError(
            f"trace: the function must return a scalar, got shape {np.shape(value_of(out))}"
        )
    adjoints = tape.backward({out.index: 1.0})
    adjoints += [None] * (len(tape) - len(adjoints))  # units the output does not depend on
    units = _units(tape, out.index, adjoints, seed, len(values))
    name = getattr(f, "__name__", "f")
    output = out.index + 1 if out.index < len(values) else None  # f returned an input
    return Trace(units, names, wrt, name if name != "<lambda>" else "f", output)


class Ref:
    """An operand that is a unit of the tape (as opposed to a constant)."""

    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index

    def __repr__(self):
        return f"Ref({self.index})"


class RecordingTape(Tape):
    """A tape that also keeps what a trace shows: for each entry, the rule, its
    operands (:class:`Ref` for a unit, the value for a constant) and its value.

    ``records[i]`` is ``(rule, operands, value)``; for an input, ``(None, (name,), value)``.
    """

    __slots__ = ("records",)

    def __init__(self):
        super().__init__()
        self.records: list[tuple] = []

    def input(self, value, name=None):
        self.records.append((None, (name,), value))
        return super().input(value)

    def apply(self, rule, args, params):
        operands = tuple(Ref(a.index) if self.owns(a) else a for a in args)
        out = super().apply(rule, args, params)
        self.records.append((rule, operands, out.value))
        return out


def _input_names(f, n, names):
    if names is None:
        return input_names(f, n)
    names = tuple(names)
    if len(names) != n:
        raise ValueError(f"trace: {len(names)} names for {n} inputs")
    return names


def _at_shape(x, value):
    """x at the shape of ``value`` (an adjoint may be a scalar standing for an array)."""
    shape = np.shape(value_of(value))
    return x if np.shape(x) == shape else np.broadcast_to(x, shape).copy()


def _tangent(value, seed):
    if seed.owns(value):
        return value_of(value.tangent)
    return 0.0 * value_of(value)


def _units(tape, out_index, adjoints, seed, n_inputs) -> list[Unit]:
    # keep the inputs and every entry the output depends on (a loop, not a search);
    # the output may be an input itself (f returns x1), before the last input
    last = max(out_index, n_inputs - 1)
    needed = [False] * (last + 1)
    needed[out_index] = True
    for i in range(out_index, -1, -1):
        if needed[i]:
            for p, _partial in tape.entries[i].parents:
                needed[p] = True
    for i in range(n_inputs):
        needed[i] = True
    number = {}
    level = {}
    for i in range(last + 1):
        if needed[i]:
            number[i] = len(number) + 1
            level[i] = 1 + max((level[p] for p, _ in tape.entries[i].parents), default=-1)
    seen_per_level: dict[int, int] = {}
    units = []
    for i, n in number.items():
        prim, operands, value = tape.records[i]
        seen_per_level[level[i]] = position = seen_per_level.get(level[i], 0) + 1
        entry = tape.entries[i]
        adjoint = adjoints[i]
        units.append(
            Unit(
                number=n,
                level=level[i],
                position=position,
                op="input" if prim is None else prim.name,
                formula="" if prim is None else prim.formula,
                operands=()
                if prim is None
                else tuple(
                    number[o.index] if isinstance(o, Ref) else Const(value_of(o)) for o in operands
                ),
                partial_text=() if prim is None else prim.partial_text,
                name=operands[0] if prim is None else None,
                value=value_of(value),
                tangent=_at_shape(_tangent(value, seed), value),
                adjoint=_at_shape(0.0 if adjoint is None else value_of(adjoint), value),
                partials=None
                if entry.pullback is not None
                else tuple(value_of(d) for _, d in entry.parents),
            )
        )
    return units


# --- formatting ----------------------------------------------------------------

_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _seed(fmt):
    return r"1 \ \text{(seed)}" if fmt in ("latex", "markdown") else "1 (seed)"


def _symbol(sup, sub, fmt, mark=""):
    if fmt == "ascii":
        from adlearn.codegen import ascii_name

        return ascii_name(sub, None, mark) if sup is None else ascii_name(sup, sub, mark)
    if fmt in ("latex", "markdown"):
        base = {"": "w", "dot": r"\dot{w}", "bar": r"\bar{w}"}[mark]
        text = base + (f"^{{{sup}}}" if sup is not None else "") + (f"_{{{sub}}}" if sub else "")
        return text if fmt == "latex" else f"${text}$"
    base = {"": "w", "dot": "ẇ", "bar": "w̄"}[mark]
    if fmt == "html":
        base = {"": "w", "dot": "w&#775;", "bar": "w&#772;"}[mark]
        return (
            f"<i>{base}</i>"
            + (f"<sup>{sup}</sup>" if sup is not None else "")
            + (f"<sub>{sub}</sub>" if sub else "")
        )
    return (
        base
        + (sup.translate(_SUP) if sup is not None else "")
        + ((sub.translate(_SUB) if sup is not None else sub) if sub else "")
    )


def _math_name(name, fmt):
    if fmt in ("latex", "markdown") and name and name[-1].isdigit():
        stem = name.rstrip("0123456789")
        text = f"{stem}_{{{name[len(stem) :]}}}"
        return text if fmt == "latex" else f"${text}$"
    if fmt == "html":
        return f"<i>{html.escape(name)}</i>"
    return name


def _fmt_formula(template, operands, fmt):
    """Fill a rule's template with operand names, in the notation of ``fmt``
    (``{*}`` stands for all of them, for rules of any number of arguments)."""
    template = template.replace("{*}", ", ".join(f"{{{k}}}" for k in range(len(operands))))
    if fmt in ("text", "ascii"):
        return template.format(*operands)
    if fmt == "html":
        return html.escape(template).format(*operands)
    ops = [o.strip("$") for o in operands]
    for k, o in enumerate(ops):  # (w^{0}_{1})^{2}, not the invalid w^{0}_{1}^{2}
        if "^" in o and re.search(rf"\{{{k}\}}\s*(\^|\*\*)", template):
            ops[k] = f"({o})"
    text = _latex(template.format(*ops))
    return text if fmt == "latex" else f"${text}$"


_LATEX_FUNCTIONS = {
    "sin",
    "cos",
    "tan",
    "exp",
    "log",
    "sinh",
    "cosh",
    "tanh",
    "arcsin",
    "arccos",
    "arctan",
    "max",
    "min",
}


def _latex(text: str) -> str:
    """Rule text (``w_{1}^(w_{2}-1)*log(w_{1})``) as LaTeX math."""
    text = re.sub(r"(\S+) \*\* (\S+)", r"\1^{\2}", text)
    text = re.sub(r"\^\(([^()]*)\)", r"^{\1}", text)
    text = text.replace(" * ", r" \cdot ").replace("*", r" \cdot ")
    text = text.replace("%", r"\%")  # x % y: in LaTeX a bare % starts a comment
    return re.sub(
        r"\b([a-z][a-z0-9]*)\(",
        lambda m: ("\\" + m[1] if m[1] in _LATEX_FUNCTIONS else rf"\operatorname{{{m[1]}}}") + "(",
        text,
    )


def _product(left, right, fmt, partial_second=False):
    """``left · right``, leaving out a factor that is 1 and folding a -1."""
    partial = right if partial_second else left
    other = left if partial_second else right
    bare = partial.strip("$")
    if bare == "1":
        return other
    if bare == "-1":
        return "-" + other
    dot = {"latex": r" \cdot ", "markdown": r" \cdot ", "html": " &middot; ", "ascii": " * "}.get(
        fmt, " · "
    )
    if fmt == "markdown":
        return f"${left.strip('$')}{dot}{right.strip('$')}$"
    return f"{left}{dot}{right}"


def _sum(terms):
    text = terms[0]
    for t in terms[1:]:
        text += (" - " + t[1:]) if t.startswith("-") else (" + " + t)
    return text


def _number(v, digits=3):
    v = value_of(v)
    if isinstance(v, np.ndarray) and v.ndim > 0:
        if v.size > 6:
            return f"array{v.shape}"
        text = np.array2string(np.round(v, digits) + 0.0, precision=digits, separator=", ")
        return " ".join(text.split())  # one line, whatever the number of dimensions
    return fixed(float(v), digits)


def fixed(v: float, digits: int = 3) -> str:
    """v with ``digits`` decimals and no ``-0.000``; from 1e16 on, in exponent form.

    Past 1e16 the decimals are rounding noise, and 1e300 would take 300 figures.

    Examples
    --------
    >>> fixed(2.5838531634528574), fixed(-1e-9), fixed(2e300)
    ('2.584', '0.000', '2.000e+300')
    """
    if 1e16 <= abs(v) < float("inf"):
        return f"{v:.{digits}e}"
    text = f"{v:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _constant(v) -> str:
    """A constant operand, as short as it reads: 2, 0.5, 0.001."""
    if isinstance(v, np.ndarray) and v.ndim > 0:
        return f"c{v.shape}"
    return f"{float(v):g}"


def _text_table(header, rows, numeric, caption):
    widths = [max(_width(r[c]) for r in [header, *rows]) for c in range(len(header))]

    def line(cells):
        return "  ".join(
            " " * (w - _width(c)) + c if num else c + " " * (w - _width(c))
            for c, w, num in zip(cells, widths, numeric)
        ).rstrip()

    lines = [line(header), line(["-" * w for w in widths])] + [line(r) for r in rows]
    return "\n".join(lines)


def _width(text: str) -> int:
    """Columns a string takes in a terminal: combining dots and bars take none."""
    return sum(not unicodedata.combining(ch) for ch in text)


def _markdown_table(header, rows, numeric, caption):
    lines = ["| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join("---:" if n else "---" for n in numeric) + "|")
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _latex_table(header, rows, numeric, caption):
    spec = "".join("r" if n else "l" for n in numeric)
    body = [" & ".join(header) + r" \\", r"\hline"]
    for r in rows:
        cells = [c if n else f"${c}$" for c, n in zip(r, numeric)]
        body.append(" & ".join(cells) + r" \\")
    return "\n".join(
        [rf"\begin{{tabular}}{{{spec}}}", r"\hline", *body, r"\hline", r"\end{tabular}"]
    )


# Inline styles, so that the table reads the same in a notebook, in an explorer's
# HTML widget and in a page of its own: padded columns, numbers right-aligned.
_CELL = "padding:2px 10px;"
_NUMBER = _CELL + "text-align:right;font-family:monospace;"
_HEAD = "border-bottom:1px solid currentColor;"


def _html_table(header, rows, numeric, caption):
    head = "".join(
        f'<th style="{_CELL + ("text-align:right;" if n else "text-align:left;") + _HEAD}">'
        f"{html.escape(h)}</th>"
        for h, n in zip(header, numeric)
    )
    body = "".join(
        "<tr>"
        + "".join(f'<td style="{_NUMBER if n else _CELL}">{c}</td>' for c, n in zip(r, numeric))
        + "</tr>"
        for r in rows
    )
    return (
        '<table class="adlearn-trace" style="border-collapse:collapse;">'
        '<caption style="caption-side:top;text-align:left;padding:0 10px 4px;">'
        f"{html.escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


_RENDERERS = {
    "text": _text_table,
    "markdown": _markdown_table,
    "latex": _latex_table,
    "html": _html_table,
}
