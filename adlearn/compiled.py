"""``ad.jit``: record a function once per signature, run generated Python from then on.

On the first call with a given signature (the types, shapes and dtypes of the
arguments, the values of keyword arguments), the function, any transformation
of it included (``ad.grad(f)``), runs once on traced values
(:mod:`adlearn.recording`): every rule of the table the engine applies becomes
one operation of a straight-line program, the engine's own backward sweep
included. :mod:`adlearn.codegen` writes that program as Python source, which
Python's ``compile`` turns into a function; later calls with the signature run
it. ``cf.source(*args)`` shows it, ``cf.traces`` lists every recording.

A decision Python took on a traced value (an ``if``, a ``while``, ``float()``)
is a guard of the program: a call that takes another path records and compiles
that path too, kept beside the first. What cannot be recorded (a conversion to a
numpy array, a trace longer than :data:`MAX_OPERATIONS`, more than
:data:`MAX_PATHS` paths for one signature) runs interpreted, with a warning that
says why.

Examples
--------
>>> import numpy as np
>>> import adlearn as ad
>>> def f(x1, x2):
...     return x1 * x2 + np.sin(x1)
>>> df = ad.jit(ad.grad(f, argnums=(0, 1)))
>>> [round(d, 6) for d in df(2.0, 3.0)]
[2.583853, 2.0]
>>> print(df.source(2.0, 3.0))
def f_grad(x1, x2):
    # reverse sweep
    x1_bar = math.cos(x1)
    x1_bar += x2
    x2_bar = x1
    return (x1_bar, x2_bar)
<BLANKLINE>
"""

from __future__ import annotations

import contextlib
import threading
import warnings
from dataclasses import dataclass

import numpy as np

from adlearn import forward, reverse
from adlearn.codegen import generate
from adlearn.dispatch import Differentiable
from adlearn.inputs import input_names
from adlearn.pytree import flatten, is_leaf, unflatten
from adlearn.recording import NotCompilable, Recorder, Retrace, Traced

__all__ = ["MAX_OPERATIONS", "MAX_PATHS", "CompiledFunction", "Trace", "jit"]

#: The longest recording compiled (operations of the transformed function, the
#: backward sweep included: about 2.25 per unit of f under ad.grad, so some 130,000
#: units); past it the function runs interpreted. Recording and compiling take about
#: half a millisecond per operation and a program this long takes minutes: longer
#: ones would rarely repay it.
MAX_OPERATIONS = 300_000

#: The most paths (recordings) kept for one signature; past it the function runs
#: interpreted for that signature.
MAX_PATHS = 32

_LOCK = threading.RLock()
_ACTIVE: list[Recorder] = []


def _active():
    return _ACTIVE[-1] if _ACTIVE else None


def _traced_index(rec, x):
    while isinstance(x, Differentiable) and not rec.owns(x):
        x = x.value
    return x.index if rec.owns(x) else None


class _NamingTape(reverse.Tape):
    """The engine's tape, naming its units and their adjoints in the recording."""

    __slots__ = ("units",)

    def __init__(self):
        super().__init__()
        self.units: list = []

    def append(self, entry, value):
        rec = _active()
        if rec is not None:
            rec.name(value, ("unit", id(self)))
        self.units.append(value)
        return super().append(entry, value)

    def backward(self, seeds):
        rec = _active()
        if rec is not None:
            rec.mark("reverse sweep")
        w_bar = super().backward(seeds)
        if rec is not None:
            for i, adjoint in enumerate(w_bar):
                unit = _traced_index(rec, self.units[i]) if adjoint is not None else None
                if unit is not None:
                    rec.name(adjoint, ("adjoint", unit))
        return w_bar


class _NamingSweep(forward.ForwardSweep):
    """The engine's forward sweep, naming its units and their tangents in the recording."""

    __slots__ = ()

    def apply(self, rule, args, params):
        d = super().apply(rule, args, params)
        rec = _active()
        if rec is not None and isinstance(d, forward.Dual):
            rec.name(d.value, ("unit", id(self)))
            unit = _traced_index(rec, d.value)
            if unit is not None and d.tangent is not None:
                rec.name(d.tangent, ("tangent", unit))
        return d


@contextlib.contextmanager
def _recording(rec):
    """The engine's sweeps name what they make in ``rec`` while the function runs."""
    with _LOCK:
        saved = reverse.Tape, forward.ForwardSweep
        reverse.Tape, forward.ForwardSweep = _NamingTape, _NamingSweep
        _ACTIVE.append(rec)
        try:
            yield
        finally:
            reverse.Tape, forward.ForwardSweep = saved
            _ACTIVE.pop()


@dataclass
class Trace:
    """One recording: its source, its guards (as written in the source) and its signature."""

    source: str
    guards: list
    signature: str
    operations: int
    function: object = None
    key: object = None
    run: object = None

    def __repr__(self):
        return f"<ad.jit trace of {self.signature}: {self.operations} operations, {len(self.guards)} guards>"


def _own(result, args):
    """An interpreted ``result`` whose arrays share no memory with an argument's (f may
    return an argument or a slice of it), as the compiled code's results never do."""
    given = [a for x in args for a in flatten(x)[0] if isinstance(a, np.ndarray)]
    if not given:
        return result
    leaves, structure = flatten(result)
    shared = [isinstance(y, np.ndarray) and any(np.may_share_memory(y, a) for a in given)
              for y in leaves]  # fmt: skip
    if not any(shared):
        return result
    return unflatten(structure, [y.copy() if s else y for y, s in zip(leaves, shared)])


def _traced_leaf(x) -> bool:
    return (
        type(x) is float
        or type(x) is np.float64
        or (isinstance(x, np.ndarray) and x.dtype.kind == "f")
    )


def _leaf_key(x):
    if type(x) is float:
        return float
    if isinstance(x, np.ndarray):
        if x.dtype.kind == "f":
            return ("array", x.shape, x.dtype.str)
        return ("constant array", x.shape, x.dtype.str, x.tobytes())
    if type(x) is np.float64:
        return np.float64
    return ("constant", type(x), x)  # baked in: an int, a string, None


def signature_key(args, kwargs):
    """The cache key of a call: what the arguments are, not their values (floats, arrays);
    the values of everything else (ints, strings, keyword arguments)."""
    parts = []
    for a in args:
        if type(a) is float:
            parts.append(float)
        elif is_leaf(a):
            parts.append(_leaf_key(a))
        else:
            leaves, structure = flatten(a)
            parts.append(("tree", structure, tuple(_leaf_key(x) for x in leaves)))
    key = (tuple(parts), tuple(sorted(kwargs.items()))) if kwargs else tuple(parts)
    hash(key)  # a TypeError for an unhashable argument: the call runs interpreted
    return key


def _describe(args, kwargs) -> str:
    def one(x):
        if type(x) is float:
            return "float"
        if isinstance(x, np.ndarray):
            return f"array{x.shape} {x.dtype}"
        if not is_leaf(x):
            leaves, _ = flatten(x)
            return (
                f"{type(x).__name__} of {len(leaves)} leaves ({', '.join(one(v) for v in leaves)})"
            )
        return f"{type(x).__name__} {x!r}"

    parts = [one(a) for a in args] + [f"{k}={v!r}" for k, v in sorted(kwargs.items())]
    return "(" + ", ".join(parts) + ")"


def _program_name(fn) -> str:
    """``f_grad`` for ad.grad(f): the function's name, then the outermost transformation."""
    base, suffixes = _unwrapped(fn)
    name = getattr(base, "__name__", "f")
    name = name if name.isidentifier() else "f"
    return "_".join([name, *suffixes[:1]])


def _unwrapped(fn):
    """The function under the transformations (ad.grad(f) holds f), and their names."""
    suffixes = []
    for _ in range(8):
        qual = getattr(fn, "__qualname__", "")
        if "<locals>" not in qual or not getattr(fn, "__closure__", None):
            break
        outer = qual.split(".<locals>")[0].split(".")[-1]
        cells = dict(zip(fn.__code__.co_freevars, (c.cell_contents for c in fn.__closure__)))
        inner = next(
            (cells[k] for k in ("f", "vg", "gradient", "fn") if callable(cells.get(k))), None
        )
        if inner is None:
            break
        suffixes.append(outer)
        fn = inner
    return fn, suffixes


class CompiledFunction:
    """What ``ad.jit(fn)`` returns: ``fn``, compiled per signature and per path."""

    def __init__(self, fn, notation="hierarchy", names=None):
        if not callable(fn):
            raise TypeError(f"ad.jit: expected a function, got a {type(fn).__name__} ({fn!r})")
        if notation not in ("hierarchy", "wengert"):
            raise ValueError(f"ad.jit: notation must be 'hierarchy' or 'wengert', got {notation!r}")
        self.fn = fn
        self.notation = notation
        self.names = None if names is None else tuple(names)
        self.traces: list[Trace] = []
        self._paths: dict = {}  # signature key -> compiled functions, one per path
        self._interpreted: dict = {}  # signature key -> why it runs interpreted
        self.__doc__ = getattr(fn, "__doc__", None)
        self.__name__ = _program_name(fn)

    def __call__(self, *args, **kwargs):
        try:
            key = signature_key(args, kwargs)
        except TypeError:
            return _own(self.fn(*args, **kwargs), args)
        paths = self._paths.get(key)
        if paths is not None:
            try:
                for run in paths:
                    try:
                        return run(*args)
                    except Retrace:
                        continue
            except (ArithmeticError, ValueError):
                # math raised where numpy gives inf or nan (log(0.0)): numpy's answer
                return _own(self.fn(*args, **kwargs), args)
        elif key in self._interpreted:
            return _own(self.fn(*args, **kwargs), args)
        return _own(self._record(key, args, kwargs)[0], args)

    def source(self, *args, **kwargs) -> str:
        """The generated source for these arguments' signature and path (recorded if needed)."""
        return self.lower(*args, **kwargs).source

    def lower(self, *args, **kwargs) -> Trace:
        """The recording these arguments use (made now if there is none)."""
        key = signature_key(args, kwargs)
        for trace in self._paths_of(key):
            try:
                trace.function(*args)
            except Retrace:
                continue
            except (ArithmeticError, ValueError):
                pass
            return trace
        if key in self._interpreted:
            raise NotCompilable(self._interpreted[key])
        trace = self._record(key, args, kwargs)[1]
        if trace is None:
            raise NotCompilable(self._interpreted.get(key, "ad.jit: called on values being "
                                "differentiated: put ad.jit outside, ad.jit(ad.grad(f))"))  # fmt: skip
        return trace

    def _paths_of(self, key):
        return [t for t in self.traces if t.key == key]

    def _record(self, key, args, kwargs):
        if any(isinstance(x, Differentiable) for a in args for x in flatten(a)[0]):
            # inside a transformation (ad.grad(ad.jit(f))): f runs as it is, differentiated
            return self.fn(*args, **kwargs), None
        reference = self.fn(*args, **kwargs)  # this call's answer, and the types to return
        if len(self._paths.get(key, ())) >= MAX_PATHS:
            self._give_up(key, f"ad.jit: more than {MAX_PATHS} paths for the signature "
                          f"{_describe(args, kwargs)}; it runs interpreted from now on")  # fmt: skip
            return reference, None
        try:
            trace = record(
                self.fn, args, kwargs, self.notation, reference, self.__name__, self.names
            )
        except NotCompilable as err:
            self._give_up(key, str(err))
            return reference, None
        trace.key = key
        self.traces.append(trace)
        self._paths.setdefault(key, []).append(trace.run)
        return reference, trace

    def _give_up(self, key, why):
        self._interpreted[key] = why
        self._paths.pop(key, None)
        warnings.warn(why, RuntimeWarning, stacklevel=4)

    def __repr__(self):
        return f"<ad.jit of {self.__name__}: {len(self.traces)} traces>"


def _traced_arguments(rec, args, names):
    """The arguments with every float leaf traced, and the names of the program's parameters."""
    traced, params, plain = [], [], True
    for a, name in zip(args, names):
        if is_leaf(a):
            traced.append(rec.input(a, name) if _traced_leaf(a) else a)
            params.append(name)
            continue
        plain = False
        leaves, structure = flatten(a)
        new = []
        for k, x in enumerate(leaves):
            new.append(rec.input(x, f"{name}_{k}") if _traced_leaf(x) else x)
            params.append(f"{name}_{k}")
        traced.append(unflatten(structure, new))
    return traced, params, plain


def record(fn, args, kwargs, notation, reference, name, names=None):
    """Record ``fn`` on these arguments and compile the program: a :class:`Trace`."""
    if any(isinstance(x, Differentiable) for a in args for x in flatten(a)[0]):
        raise NotCompilable(
            "ad.jit: called on values being differentiated (ad.jit inside ad.grad); "
            "put ad.jit outside: ad.jit(ad.grad(f))"
        )
    rec = Recorder(limit=MAX_OPERATIONS)
    names = _parameter_names(fn, len(args), names)
    traced, params, plain = _traced_arguments(rec, args, names)
    try:
        with _recording(rec), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the reference run has shown them
            out = fn(*traced, **kwargs)
    except NotCompilable:
        raise
    except Exception as err:
        raise NotCompilable(f"ad.jit: could not record {name} ({type(err).__name__}: {err}); "
                            "it runs interpreted") from err  # fmt: skip
    if any(isinstance(x, Differentiable) and not isinstance(x, Traced) for x in flatten(out)[0]):
        raise NotCompilable(
            f"ad.jit: {name} returned a value being differentiated; it runs interpreted"
        )
    program = generate(rec, out, params, name, notation, reference)
    namespace = dict(program.namespace)
    exec(compile(program.source, f"<ad.jit {name}>", "exec"), namespace)  # noqa: S102 (our own source)
    function = namespace[name]
    run = function if plain else _flattening(function)
    trace = Trace(program.source, program.guards, _describe(args, kwargs), len(rec.operations), run)
    trace.run = run
    return trace


def _flattening(function):
    def run(*args):
        return function(*(x for a in args for x in flatten(a)[0]))

    return run


def _parameter_names(fn, n, given=None):
    names = given if given is not None and len(given) == n else input_names(_unwrapped(fn)[0], n)
    out = []
    for k, name in enumerate(names):
        name = name if name.isidentifier() else f"x{k + 1}"
        out.append(name if name not in out else f"{name}_{k}")
    return out


def jit(fn, notation="hierarchy", names=None) -> CompiledFunction:
    """Compile ``fn`` (a function, or a transformation such as ``ad.grad(f)``) to Python source.

    Parameters
    ----------
    fn : callable
        A function of floats and numpy arrays, or any transformation of one:
        ``ad.grad(f)``, ``ad.value_and_grad(f, argnums=(0, 1))``, ``ad.jacfwd(F)``,
        ``ad.jacrev(F)``, ``ad.hessian(f)``, ``ad.derivative(f)``.
    notation : {"hierarchy", "wengert"}
        How the generated source names units: ``w1_2`` (w¹₂) or ``w4``.
    names : sequence of str, optional
        The names of the program's parameters (by default fn's own, or x1, x2, ...).

    Returns
    -------
    CompiledFunction
        Called like ``fn``; ``.source(*args)`` is the generated source for those
        arguments, ``.traces`` every recording made so far.

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> relu = ad.jit(ad.derivative(lambda x: x if x > 0.0 else 0.0 * x))
    >>> relu(2.0), relu(-2.0), len(relu.traces)
    (1.0, 0.0, 2)
    >>> relu.traces[0].guards
    ['x > 0.0']
    """
    return CompiledFunction(fn, notation, names)
