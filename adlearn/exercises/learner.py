"""Running the learner's code: a time limit, every escape caught, bounded reads.

A learner's function may loop forever, call ``sys.exit()``, raise
``KeyboardInterrupt`` or return ``itertools.count()``. None of these may hang
a checker or escape it: :func:`call` runs the function under a time limit and
turns each way it can fail into a :class:`~adlearn.exercises.verdict.NotYet`
(or :class:`~adlearn.exercises.verdict.NotAttempted` for a stub), and
:func:`items` reads what it returned without ever taking more than it needs.

Examples
--------
>>> import itertools
>>> from adlearn.exercises.verdict import NotYet
>>> def forever(x):
...     while True:
...         x += 1
>>> try:
...     call(forever, 1.0, name="forever", seconds=0.2)
... except NotYet as e:
...     print(e.hint)
forever(1) did not finish within 0.2 s: look for a loop that never ends.
>>> try:
...     items(itertools.count(), 5, "g_units(1.5, 0.5)")
... except NotYet as e:
...     print(e.hint)
g_units(1.5, 0.5) returned more than 5 items (an endless iterator?): return a list of 5 numbers.
>>> test_points([(2.0, 3.0)], 2, seed=1)
[(2.0, 3.0), (0.05, 1.8), (-1.42, 1.79)]
"""

from __future__ import annotations

import ctypes
import dis
import itertools
import signal
import threading
import time
from contextlib import contextmanager

import numpy as np

from adlearn.exercises.verdict import NotAttempted, NotYet, error_text, show

__all__ = ["LIMIT", "TimeUp", "call", "is_stub", "items", "test_points", "time_limit"]

#: Seconds one call of the learner's code may take (the course's functions take milliseconds).
LIMIT = 5.0


class TimeUp(BaseException):
    """Raised inside learner code that ran past its time limit.

    A BaseException, so that the learner's ``except Exception:`` cannot swallow it.
    """


def _on_alarm(signum, frame):
    raise TimeUp


@contextmanager
def time_limit(seconds: float = LIMIT):
    """Raise :class:`TimeUp` in the block once it has run ``seconds``.

    In the main thread (a Jupyter kernel runs cells there) a SIGALRM timer
    interrupts even ``time.sleep``; an outer limit still running is restored,
    less the time spent. Elsewhere a watchdog thread raises TimeUp in this
    thread at its next bytecode.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        with _watchdog(seconds):
            yield
        return
    outer = signal.getitimer(signal.ITIMER_REAL)[0]
    start = time.monotonic()
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, min(seconds, outer) if outer else seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - start), 1e-3))


@contextmanager
def _watchdog(seconds: float):
    target = ctypes.c_ulong(threading.get_ident())

    def interrupt():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(target, ctypes.py_object(TimeUp))

    timer = threading.Timer(seconds, interrupt)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


_STUB_CODE = ([("LOAD_CONST", None), ("RETURN_VALUE", None)], [("RETURN_CONST", None)])
_NOISE = {"RESUME", "NOP", "COPY_FREE_VARS", "MAKE_CELL", "CACHE"}


def is_stub(fn) -> bool:
    """True for a function whose body does nothing: ``...``, ``pass`` (a docstring allowed)."""
    code = getattr(getattr(fn, "__func__", fn), "__code__", None)
    if code is None:
        return False
    ops = [(i.opname, i.argval) for i in dis.get_instructions(code) if i.opname not in _NOISE]
    return ops in _STUB_CODE


def call(fn, *args, name: str = "your function", allow_none: bool = False, seconds: float = LIMIT):
    """Call the learner's ``fn(*args)`` under a time limit; every way it fails is a verdict.

    Not attempted: ``fn`` is ``...``, a body of ``...``/``pass``, or raises
    NotImplementedError. Not yet: ``fn`` is not a function, raises (SystemExit
    and KeyboardInterrupt included), runs longer than ``seconds``, or returns
    None (unless ``allow_none``).
    """
    if fn is Ellipsis or is_stub(fn):
        raise NotAttempted(f"Write the body of {name} (replace its ...), then run the cell again.")
    if not callable(fn):
        raise NotYet(f"{name} should be a function (def ...); it is a {type(fn).__name__}.")
    shown = ", ".join(show(a) for a in args)
    try:
        with time_limit(seconds):
            out = fn(*args)
    except NotImplementedError:
        raise NotAttempted(
            f"Write the body of {name} (replace its raise NotImplementedError), then run the cell."
        ) from None
    except TimeUp:
        raise NotYet(
            f"{name}({shown}) did not finish within {seconds:g} s: look for a loop that never ends."
        ) from None
    except (SystemExit, KeyboardInterrupt) as e:
        raise NotYet(
            f"{name}({shown}) raised {error_text(e)}: a checked function must return its "
            "result, not stop the program."
        ) from None
    except Exception as e:  # noqa: BLE001 (learner code: its error becomes the hint)
        raise NotYet(
            f"{name}({shown}) raised {error_text(e)}. Read that error, then fix the code."
        ) from None
    if out is None and not allow_none:
        raise NotYet(f"{name}({shown}) returned None: did you forget the `return`?")
    return out


def items(out, n: int, what: str, kind: str = "numbers") -> list:
    """The first items of the learner's ``out``: a list, Not yet if it does not hold ``n``.

    Never reads more than ``n + 1`` items, so an endless iterator or a huge
    ``range`` costs nothing. ``kind`` names the items in the hint.
    """
    if isinstance(out, (str, bytes, dict)) or (isinstance(out, np.ndarray) and out.ndim == 0):
        raise NotYet(f"{what} returned {show(out)}: return a list of {n} {kind}.")
    try:
        size = len(out)
    except TypeError:
        size = None
    if size is not None and size > n:
        raise NotYet(f"{what} returned {size} items: return a list of {n} {kind}.")
    try:
        got = list(itertools.islice(iter(out), n + 1))
    except TypeError:
        raise NotYet(f"{what} returned {show(out)}: return a list of {n} {kind}.") from None
    if len(got) > n:
        raise NotYet(
            f"{what} returned more than {n} items (an endless iterator?): return a list of {n} {kind}."
        )
    if len(got) < n:
        raise NotYet(f"{what} returned {len(got)} items: return a list of {n} {kind}.")
    return got


def test_points(fixed, n_random: int, seed: int, low: float = -2.0, high: float = 2.0):  # noqa: PT028
    """``fixed`` points, then ``n_random`` more drawn with ``seed`` (same every run), rounded.

    Random points catch an answer hard-coded for the fixed ones; rounding to two
    decimals keeps the points readable when a verdict quotes them.
    """
    fixed = [tuple(float(v) for v in p) for p in fixed]
    dim = len(fixed[0])
    rng = np.random.default_rng(seed)
    drawn = np.round(rng.uniform(low, high, size=(n_random, dim)), 2)
    return fixed + [tuple(float(v) for v in p) for p in drawn]


test_points.__test__ = False  # not a pytest test, despite its name
