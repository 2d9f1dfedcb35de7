"""Checking the method, not only the numbers: which adlearn calls learner code makes,
and what the functions handed to it receive.

Where an exercise asks for a method (columns by forward sweeps, the complex
step, a Newton step with AD), a right number by another method (``ad.jacrev``,
finite differences, ``ad.derivative``) must get "right numbers, wrong method".
Two instruments tell the methods apart:

- :func:`watch` records the top-level calls learner code makes to adlearn's
  transformations (``jvp``, ``vjp``, ``grad``, ...), whether it reaches them as
  ``ad.jvp`` or as a name imported from adlearn;
- :class:`Probe` wraps a test function handed to learner code and records what
  each run of it received: a forward-mode ``Dual``, a reverse-mode ``Var``, a
  complex number, or plain numbers. One forward sweep is one run on dual numbers.

Where an exercise is to write a derivative by hand, :func:`by_hand` turns a
call :func:`watch` saw into the verdict.

Examples
--------
>>> import numpy as np
>>> import adlearn as ad
>>> def learner(F, x):
...     return ad.jacrev(F)(x)
>>> F = Probe(lambda x: x * x)
>>> with watch(learner) as calls:
...     J = learner(F, np.array([1.0, 2.0]))
>>> calls, F.kinds
(['jacrev'], ['reverse'])
"""

from __future__ import annotations

import functools
import inspect
from contextlib import contextmanager

import numpy as np

import adlearn
from adlearn.exercises.verdict import NotYet

__all__ = ["API", "Probe", "by_hand", "kind_of", "watch"]


def _is_transformation(name: str) -> bool:
    # Read in the module's dict, not with getattr: a name missing there is one adlearn loads
    # on first use (jit, and with it the compiler), a function, and importing the checkers
    # must not load it.
    value = vars(adlearn).get(name)
    return name != "trace" and (value is None or inspect.isfunction(value))


#: adlearn's transformations (its public functions but ``trace``), as learner code may call them.
API = tuple(name for name in adlearn.__all__ if _is_transformation(name))


@contextmanager
def watch(fn=None):
    """Record, in a list, the names of the adlearn transformations called in the block.

    Only top-level calls are recorded (``ad.hessian`` calling ``ad.jacfwd``
    inside counts once, as ``hessian``). The module ``adlearn`` is patched, and
    so are names in ``fn``'s globals bound to one of its transformations (a
    learner's ``from adlearn import jvp``); both are restored on exit.
    """
    calls: list[str] = []
    depth = [0]
    originals = {name: getattr(adlearn, name) for name in API}

    def spy(name, original):
        @functools.wraps(original)
        def recorded(*args, **kwargs):
            if depth[0] == 0:
                calls.append(name)
            depth[0] += 1
            try:
                return original(*args, **kwargs)
            finally:
                depth[0] -= 1

        return recorded

    spies = {name: spy(name, original) for name, original in originals.items()}
    by_identity = {id(original): name for name, original in originals.items()}
    namespace = getattr(getattr(fn, "__func__", fn), "__globals__", {})
    rebound = {k: v for k, v in namespace.items() if id(v) in by_identity and callable(v)}
    try:
        for name, replacement in spies.items():
            setattr(adlearn, name, replacement)
        for key, value in rebound.items():
            namespace[key] = spies[by_identity[id(value)]]
        yield calls
    finally:
        for name, original in originals.items():
            setattr(adlearn, name, original)
        for key, value in rebound.items():
            namespace[key] = value


def by_hand(calls: list[str], exercise: str, said: str) -> None:
    """Refuse right numbers that came from adlearn: the exercise is to compute them by hand.

    ``calls`` is what :func:`watch` recorded, ``exercise`` ends the sentence "The
    exercise is ..." (what to do instead) and ``said`` is the verdict's context.
    Raises NotYet naming the first transformation called; returns if none was.
    """
    if calls:
        raise NotYet(
            f"Right numbers, wrong method: your code called ad.{calls[0]}. The exercise is "
            f"{exercise}",
            said,
        )


def kind_of(x) -> str:
    """What a test function received: "forward", "reverse", "complex" or "plain"."""
    from adlearn.forward import Dual
    from adlearn.reverse import Var

    values = x if isinstance(x, (tuple, list)) else (x,)
    kinds = set()
    for v in values:
        if isinstance(v, Dual):
            kinds.add("forward")
        elif isinstance(v, Var):
            kinds.add("reverse")
        elif np.iscomplexobj(v) and np.any(np.imag(np.asarray(v)) != 0):
            kinds.add("complex")
        else:
            kinds.add("plain")
    for kind in ("forward", "reverse", "complex"):
        if kind in kinds:
            return kind
    return "plain"


class Probe:
    """A test function that records the kind of input each of its runs received.

    ``Probe(F)(x)`` is ``F(x)``; ``.kinds`` lists :func:`kind_of` the arguments
    of every run, in order, and ``.runs`` counts them.
    """

    def __init__(self, fn):
        self.fn = fn
        self.kinds: list[str] = []
        functools.update_wrapper(self, fn)

    def __call__(self, *args):
        self.kinds.append(kind_of(args))
        return self.fn(*args)

    @property
    def runs(self) -> int:
        return len(self.kinds)

    def __repr__(self) -> str:
        return getattr(self.fn, "__name__", "F")
