"""From a recording to Python source: one line per unit, named as the course names units.

:func:`generate` takes a :class:`~adlearn.recording.Recorder` after a run and
writes a ``def``: the operations that reach an output or a guard (the rest is
dead code and goes), units named in the hierarchy notation (``w1_2`` for w¹₂)
or Wengert's (``w3``), adjoints ``<unit>_bar`` and tangents ``<unit>_dot``,
``math`` functions on Python floats and numpy on arrays, exactly as the
engine's :func:`~adlearn.dispatch.compute` would. A partial or a product used
once is written inside the line that uses it; an adjoint that receives several
contributions gets one line each (``x1_bar += ...``).

Examples
--------
>>> import numpy as np
>>> from adlearn.recording import Recorder
>>> rec = Recorder()
>>> x1, x2 = rec.input(2.0, "x1"), rec.input(3.0, "x2")
>>> out = x1 * x2 + np.sin(x1)
>>> for op in rec.operations[2:]:
...     rec.name(op.out, ("unit", 0))
>>> print(generate(rec, out, ("x1", "x2"), "f").source)
def f(x1, x2):
    w1_1 = x1 * x2
    w1_2 = math.sin(x1)
    w2 = w1_1 + w1_2
    return w2
"""

from __future__ import annotations

import builtins
import keyword
import math
from dataclasses import dataclass, field

import numpy as np

from adlearn.fast_scalar import SCALAR
from adlearn.pytree import flatten
from adlearn.recording import Const, Ref, Retrace

__all__ = ["Program", "generate"]

#: Rules written as Python operators (on floats and on arrays alike).
OPERATORS = {
    "add": "{0} + {1}", "sub": "{0} - {1}", "mul": "{0} * {1}", "div": "{0} / {1}",
    "neg": "-{0}", "matmul": "{0} @ {1}",
}  # fmt: skip

#: How many operations one line may hold inside another (a line stays readable, and
#: Python's parser is never near its limit of nested parentheses).
MAX_NESTING = 2

#: Rules on Python floats that call a function of :mod:`adlearn.fast_scalar` by name.
SCALAR_HELPERS = {"maximum", "minimum", "sign", "square"}


@dataclass
class Program:
    """Generated source, the names its namespace needs, and its guards as written."""

    source: str
    namespace: dict
    guards: list = field(default_factory=list)
    name: str = "f"


def _is_literal(v) -> bool:
    """Whether ``repr(v)`` reads back as ``v`` in the source."""
    if v is None or isinstance(v, (bool, str)) or type(v) is int:
        return True
    if type(v) is float:
        return math.isfinite(v)
    if type(v) is slice:
        return all(_is_literal(p) for p in (v.start, v.stop, v.step))
    if type(v) is tuple:
        return all(_is_literal(e) or e is Ellipsis for e in v)
    return False


def _slice_text(s) -> str:
    parts = ["" if p is None else repr(p) for p in (s.start, s.stop, s.step)]
    return ":".join(parts[:2]) if s.step is None else ":".join(parts)


def _index_text(index) -> str:
    """An index as written between brackets: ``:-1``, ``1:, 0``, ``...``."""
    items = index if type(index) is tuple else (index,)
    texts = [_slice_text(i) if type(i) is slice else "..." if i is Ellipsis else repr(i)
             for i in items]  # fmt: skip
    if type(index) is tuple and len(items) == 1:
        return texts[0] + ","
    return ", ".join(texts) if texts else "()"


class _Writer:
    """Names, constants and expressions of one program."""

    def __init__(self, rec, reserved):
        self.rec = rec
        self.names: dict[int, str] = {}
        self.namespace: dict = {"math": math, "np": np, "Retrace": Retrace}
        self.taken = set(reserved) | set(dir(builtins)) | set(self.namespace)
        self.inline: dict[int, tuple[str, bool]] = {}  # ref -> (expression, atomic)
        self.constants: list[str] = []  # names of the constants that have no literal

    def fresh_name(self, wanted: str) -> str:
        name, k = wanted, 2
        while name in self.taken or keyword.iskeyword(name):
            name, k = f"{wanted}_{k}", k + 1
        self.taken.add(name)
        return name

    def constant(self, v) -> tuple[str, bool]:
        if _is_literal(v):
            text = repr(v)
            return text, not text.startswith("-")
        name = self.fresh_name(f"c{len(self.namespace)}")
        self.namespace[name] = v
        self.constants.append(name)
        return name, True

    def function(self, wanted: str, fn) -> str:
        for existing, value in self.namespace.items():
            if value is fn:
                return existing
        name = self.fresh_name(wanted + "_" if hasattr(builtins, wanted) else wanted)
        self.namespace[name] = fn
        return name

    def operand(self, a) -> tuple[str, bool]:
        if isinstance(a, Const):
            return self.constant(a.value)
        if isinstance(a, Ref):
            return self.operand(a.out)
        if a in self.inline:
            return self.inline[a]
        return self.names[a], True

    def param(self, v) -> str:
        if isinstance(v, Ref):
            return self.operand(v.out)[0]
        if isinstance(v, tuple) and any(isinstance(e, Ref) for e in v):
            inner = ", ".join(self.param(e) for e in v)
            return f"({inner},)" if len(v) == 1 else f"({inner})"
        return self.constant(v)[0]

    def expression(self, op) -> tuple[str, bool]:
        """The right-hand side of ``op``, and whether it needs no parentheses."""
        args = [self.operand(a) for a in op.args]

        def wrapped(k):
            text, atomic = args[k]
            return text if atomic else f"({text})"

        if op.kind == "plain" and op.text is None:  # a function of numpy_api, by its name
            fn = self.function(op.fn.__name__, op.fn)
            return f"{fn}({', '.join(a[0] for a in args)})", True
        if op.kind == "plain":
            call = op.text.startswith(("np.", "round(", "int("))  # operands need no parentheses
            texts = [a[0] if call else wrapped(k) for k, a in enumerate(args)]
            return op.text.format(*texts), call
        rule, name = op.rule, op.rule.name
        values = [self.rec.values[a] if type(a) is int else a.value for a in op.args]
        scalar = not op.params and all(type(v) in (float, int) for v in values) and name in SCALAR
        if name in OPERATORS and not op.params:
            return OPERATORS[name].format(*(wrapped(k) for k in range(len(args)))), False
        if name == "pow" and scalar and float(values[1]).is_integer():
            return f"{wrapped(0)} ** {wrapped(1)}", False
        operands = ", ".join(a[0] for a in args)
        if scalar:
            fn = SCALAR[name]
            if name == "abs":
                return f"abs({operands})", True
            if getattr(fn, "__module__", None) == "math":
                return f"math.{fn.__name__}({operands})", True
            return (
                f"{self.function(name if name in SCALAR_HELPERS else 'power', fn)}({operands})",
                True,
            )
        if isinstance(rule.compute, np.ufunc) and not op.params:
            return f"np.{rule.compute.__name__}({operands})", True
        if name == "where":
            return f"np.where({self.param(op.params['cond'])}, {args[0][0]}, {args[1][0]})", True
        if name == "getitem":
            index = op.params["index"]
            text = _index_text(index) if _is_literal(index) else self.param(index)
            return f"{wrapped(0)}[{text}]", True
        fn = self.function(name if name.isidentifier() else "rule", rule.compute)
        params = ", ".join(f"{k}={self.param(v)}" for k, v in op.params.items())
        return f"{fn}({', '.join(p for p in (operands, params) if p)})", True


def _levels(rec, order):
    """The hierarchy level of each unit: 0 for an input, 1 + the highest level it reads."""
    level = {}
    for op in rec.operations:
        if op.kind == "input":
            level[op.out] = 0
        elif op.out in order:
            read = [level[a] for a in op.args if type(a) is int and a in level]
            level[op.out] = 1 + max(read, default=0)
    return level


def ascii_name(level: int, position: int | None = None, mark: str = "") -> str:
    """A unit's name in plain ASCII, as generated source spells it.

    ``w1_2`` for w^1_2, ``w2`` for a level of one unit (or Wengert's w2, given as
    ``level``); ``mark`` "dot" or "bar" names its tangent (``w1_2_dot``) or adjoint.
    Trace tables use it where Unicode cannot be shown.
    """
    name = f"w{level}" if position is None else f"w{level}_{position}"
    return name + {"": "", "dot": "_dot", "bar": "_bar"}[mark]


def _course_names(rec, notation):
    """Names from the tags the sweeps gave: units, then their adjoints and tangents."""
    first_sweep = None
    units = []
    for op in rec.operations:
        if op.kind not in ("rule", "plain"):  # inputs keep their parameters' names
            continue
        sweeps = [tag[1] for tag in rec.names.get(op.out, ()) if tag[0] == "unit"]
        if sweeps and first_sweep is None:  # the innermost sweep: the one that runs f itself
            first_sweep = sweeps[-1]
        if first_sweep is not None and first_sweep in sweeps:
            units.append(op.out)
    if first_sweep is None:  # a plain function: every operation of the table is a unit
        units = [op.out for op in rec.operations if op.kind == "rule"]
    level = _levels(rec, set(units))
    per_level: dict[int, int] = {}
    for u in units:
        per_level[level[u]] = per_level.get(level[u], 0) + 1
    n_inputs = sum(op.kind == "input" for op in rec.operations)
    wanted, seen = {}, {}
    for k, u in enumerate(units):
        if notation == "wengert":
            wanted[u] = ascii_name(n_inputs + k + 1)
        else:
            seen[level[u]] = seen.get(level[u], 0) + 1
            alone = per_level[level[u]] == 1
            wanted[u] = ascii_name(level[u], None if alone else seen[level[u]])
    return wanted


def generate(rec, output, input_names, name="f", notation="hierarchy", reference=None) -> Program:
    """The source of the recorded program that returns ``output`` (a tree of traced values)."""
    leaves, structure = flatten(output)
    out_refs = [_ref(rec, x) for x in leaves]
    live = _live(rec, out_refs)
    uses = _uses(rec, live, out_refs)
    w = _Writer(rec, (*input_names, name))
    unit_names = _course_names(rec, notation)
    inputs = {op.out: op.text for op in rec.operations if op.kind == "input"}
    params = list(input_names)
    for op in rec.operations:
        if op.kind == "input":
            w.names[op.out] = op.text

    def wanted_name(ref):
        for tag in rec.names.get(ref, ()):
            if tag[0] == "unit" and ref in unit_names:
                return unit_names[ref]
            if tag[0] in ("adjoint", "tangent"):
                base = unit_names.get(tag[1]) or inputs.get(tag[1])
                if base is not None:
                    return base + ("_bar" if tag[0] == "adjoint" else "_dot")
        return unit_names.get(ref)

    def alias_names(ref):
        """Other names the sweeps gave a value (x2_bar for x1: the adjoint of x2 is x1)."""
        tags = rec.names.get(ref, ())
        # an input's adjoint first (the gradient), then the last tangent (the output's)
        ordered = [t for t in tags if t[0] == "adjoint" and t[1] in inputs]
        ordered += [t for t in reversed(tags) if t[0] == "tangent"]
        for tag in ordered:
            base = unit_names.get(tag[1]) or inputs.get(tag[1])
            if base is not None:
                yield base + ("_bar" if tag[0] == "adjoint" else "_dot")

    lines, guards = [], []
    reverse_at = rec.marks.get("reverse sweep")
    tangents = any(t[0] == "tangent" for tags in rec.names.values() for t in tags)
    if reverse_at is not None or tangents:
        lines.append("# forward sweep")
    absorbed = set()
    depth: dict[int, int] = {}  # an inlined operation -> how many inlined levels it holds
    chains = _chains(rec, live, uses, wanted_name, absorbed)
    temp = 0
    for i, op in enumerate(rec.operations):
        if reverse_at is not None and i == reverse_at:
            lines.append("# reverse sweep")
            reverse_at = None
        if op.kind == "guard":
            cond, _ = w.operand(op.args[0])
            text = cond if op.expected else f"not ({cond})"
            guards.append(text)
            lines.append(f"if not ({cond}): raise Retrace({len(guards) - 1})" if op.expected
                         else f"if {cond}: raise Retrace({len(guards) - 1})")  # fmt: skip
            continue
        if op.kind not in ("rule", "plain") or op.out not in live or op.out in absorbed:
            continue
        named = wanted_name(op.out)
        if (
            named is None
            and uses.get(op.out, 0) == 1
            and op.out not in out_refs
            and _nesting(op, w, depth) < MAX_NESTING
        ):
            w.inline[op.out] = w.expression(op)
            depth[op.out] = _nesting(op, w, depth) + 1
            continue
        if named is None:
            temp += 1
            named = f"t{temp}"
        target = w.fresh_name(named)
        w.names[op.out] = target
        chain = chains.get(op.out)
        if chain:
            first, rest = chain
            lines.append(f"{target} = {_rhs(w, first)}")
            in_place = _accumulates_in_place(rec, first, op.out)
            for term in rest:
                if in_place:
                    lines.append(f"{target} += {_rhs(w, term)}")
                else:
                    lines.append(f"{target} = {target} + {_rhs(w, term)}")
            continue
        lines.append(f"{target} = {w.expression(op)[0]}")
    returned = _returned(w, rec, leaves, out_refs, structure, reference, lines, alias_names)
    body = [
        line
        for k, line in enumerate(lines)
        if not (line.startswith("#") and (k + 1 == len(lines) or lines[k + 1].startswith("#")))
    ]
    body.append(f"return {returned}")
    body[:0] = [f"# {c}: {_described(w.namespace[c])}" for c in w.constants]
    source = f"def {name}({', '.join(params)}):\n" + "".join(f"    {line}\n" for line in body)
    return Program(source, w.namespace, guards, name)


def _described(v) -> str:
    """A constant without a literal, as a comment at the top of the program says what it is."""
    if isinstance(v, np.ndarray):
        if v.size and (v == v.flat[0]).all():
            return f"{v.dtype} array of shape {v.shape}, every entry {v.flat[0].item()!r}"
        if v.size <= 6:
            return repr(v).replace("\n", " ")
        return f"{v.dtype} array of shape {v.shape}, from {v.min().item()!r} to {v.max().item()!r}"
    return repr(v).replace("\n", " ")


def _ref(rec, x):
    return x.index if rec.owns(x) else Const(x)


def _nesting(op, w, depth) -> int:
    """How deep the expressions written inside ``op``'s line already are."""
    return max((depth[a] for a in op.args if type(a) is int and a in w.inline), default=0)


def _accumulates_in_place(rec, first, total) -> bool:
    """Whether ``+=`` may add to the first contribution: a float (``+=`` makes a new one),
    or an array that the first contribution's operation made, of the total's shape and
    dtype, and nothing else holds (not an operand handed through, not a view)."""
    final = rec.values[total]
    if type(final) is float:
        return True
    if isinstance(first, (int, Const)) or not isinstance(final, np.ndarray):
        return False
    value = rec.values[first.out]
    operands = [rec.values[a] for a in first.args if type(a) is int]
    return (
        isinstance(value, np.ndarray) and value.base is None and value.flags.writeable
        and (value.shape, value.dtype) == (final.shape, final.dtype)
        and not any(value is v for v in operands)
    )  # fmt: skip


def _rhs(w, term):
    if not isinstance(term, (int, Const)):  # an operation written here
        return w.expression(term)[0]
    if isinstance(term, int) and term in w.inline:
        return w.inline[term][0]
    return w.operand(term)[0]


def _live(rec, out_refs) -> set:
    """The operations that reach an output or a guard (a loop from the end, no recursion)."""
    live = {r for r in out_refs if type(r) is int}
    for op in reversed(rec.operations):
        if op.kind == "guard" or op.out in live:
            live.update(a for a in op.args if type(a) is int)
            for v in op.params.values():
                if isinstance(v, Ref):
                    live.add(v.out)
                elif isinstance(v, tuple):
                    live.update(e.out for e in v if isinstance(e, Ref))
    return live


def _uses(rec, live, out_refs) -> dict:
    uses: dict[int, int] = {}
    for op in rec.operations:
        if op.kind == "guard" or op.out in live:
            refs = [a for a in op.args if type(a) is int]
            for v in op.params.values():
                refs += [v.out] if isinstance(v, Ref) else [e.out for e in v if isinstance(e, Ref)] \
                    if isinstance(v, tuple) else []  # fmt: skip
            for a in refs:
                uses[a] = uses.get(a, 0) + 1
    for r in out_refs:
        if type(r) is int:
            uses[r] = uses.get(r, 0) + 1
    return uses


def _chains(rec, live, uses, wanted_name, absorbed) -> dict:
    """Adjoints that add up contributions: ``{adjoint: (first term, [other terms])}``.

    ``x1_bar = a + b`` where ``a`` is used only here and named by nothing is
    written ``x1_bar = a`` then ``x1_bar += b``, one line per contribution.
    """
    by_out = {op.out: op for op in rec.operations if op.kind == "rule"}
    chains = {}
    for op in rec.operations:
        if op.kind != "rule" or op.rule.name != "add" or op.out not in live:
            continue
        names = wanted_name(op.out)
        if names is None or not names.endswith("_bar"):
            continue
        if not _same_shape(rec, op.out, op.args[0]):
            continue
        terms = [op.args[1]]
        head = op.args[0]
        while (type(head) is int and head in by_out and uses.get(head) == 1
               and wanted_name(head) is None and by_out[head].rule.name == "add"
               and _same_shape(rec, head, by_out[head].args[0])):  # fmt: skip
            absorbed.add(head)
            terms.append(by_out[head].args[1])
            head = by_out[head].args[0]
        if (
            type(head) is int
            and head in by_out
            and uses.get(head) == 1
            and wanted_name(head) is None
        ):
            absorbed.add(head)  # the first contribution: written on the adjoint's first line
            head = by_out[head]
        chains[op.out] = (head, terms[::-1])
    return chains


def _same_shape(rec, a, b) -> bool:
    if type(b) is not int:
        return False
    va, vb = rec.values[a], rec.values[b]
    return type(va) is type(vb) and np.shape(va) == np.shape(vb)


def _returned(w, rec, leaves, out_refs, structure, reference, lines, alias_names) -> str:
    """The return expression: the output's structure, each leaf at the type and
    shape the engine returns, and an array of its own (never an input or a constant)."""
    ref_leaves = flatten(reference)[0] if reference is not None else [None] * len(leaves)
    inputs = {op.out for op in rec.operations if op.kind == "input"}
    texts = []
    for r, expected in zip(out_refs, ref_leaves):
        value = rec.values[r] if type(r) is int else r.value
        text = w.operand(r)[0]
        if type(r) is int:
            alias = next((a for a in alias_names(r) if a != text and a not in w.taken), None)
            if alias is not None:
                w.taken.add(alias)
                lines.append(f"{alias} = {text}")
                text = alias
        if isinstance(value, np.ndarray) and (
            type(r) is not int or r in inputs or value.base is not None
        ):
            text = f"{text}.copy()"
        if (expected is not None and type(expected) is not type(value)) or (
            isinstance(expected, np.ndarray)
            and (expected.shape, expected.dtype) != (value.shape, value.dtype)
        ):
            text = _converted(text, expected)
        texts.append(text)
    return _render(w, structure, iter(texts))


def _same_kind(expected, value) -> bool:
    if type(expected) is not type(value):
        return False
    return not isinstance(expected, np.ndarray) or (
        (expected.shape, expected.dtype) == (value.shape, value.dtype)
    )


def _converted(text, expected) -> str:
    if type(expected) is float:
        return f"float({text})"
    if isinstance(expected, np.ndarray):
        return f"np.array(np.broadcast_to({text}, {expected.shape!r}), dtype=np.{expected.dtype})"
    return f"np.{type(expected).__name__}({text})"


def _render(w, structure, texts) -> str:
    """The output's containers around the leaves' expressions (containers are shallow)."""
    if structure is None:
        return next(texts)
    parts = [_render(w, s, texts) for s in structure.children]
    if structure.kind is dict:
        return "{" + ", ".join(f"{k!r}: {p}" for k, p in zip(structure.keys, parts)) + "}"
    if structure.kind is list:
        return "[" + ", ".join(parts) + "]"
    if structure.kind is tuple:
        return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
    return f"{w.function(structure.kind.__name__, structure.kind)}({', '.join(parts)})"
