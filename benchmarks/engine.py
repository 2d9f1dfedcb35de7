"""Speed and memory of the adlearn engine, against baselines measured in the same run.

Run from the repository root::

    python benchmarks/engine.py          # the full run, about a minute or two
    python benchmarks/engine.py --quick  # a smoke run with small sizes, a few seconds

Sections:

(a) f(x1, x2) = x1*x2 + sin(x1) and its gradient at one point: reverse mode
    (``ad.grad``, argnums=(0, 1)) and forward mode (two ``ad.derivative``
    sweeps) against micrograd's f + backward (if micrograd is installed) and
    against plain Python f on floats, as information (no target);
(b) the chain x <- sin(x)*0.001 + 0.999*x of 1e6 steps in reverse mode, at
    Python's default recursion limit: bytes per recorded operation (4 per
    step), and the time per operation as information;
(c) f and its gradient on a grid of 1e6 points against the gradient
    (x2 + cos x1, x1) written by hand in numpy;
(d) the gradient of sum_i x_i*x_(i+1) + sin(x_i) over a vector of 1e4 entries
    against numpy's evaluation of that sum;
(e) ``import adlearn`` against ``import numpy``, in fresh processes.

Every figure is a median of repeated timings, with the garbage collector on.
Each is printed with its target and PASS or MISS; a missed target is reported,
not an error: the script exits non-zero only if something crashes (or an
answer is wrong, which would make its timing meaningless).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

import adlearn as ad
from adlearn.examples import running_example as f

ROOT = Path(__file__).resolve().parent.parent
RESULTS: list[tuple[str, bool]] = []


# --- measuring and printing -----------------------------------------------------------


class Timer:
    """Median seconds per call: each repeat runs enough calls to last ``min_time``.

    Functions compared with each other are timed in turn, repeat by repeat, so
    that a change in the machine's load falls on all of them alike.
    """

    def __init__(self, repeats: int, min_time: float):
        self.repeats = repeats
        self.min_time = min_time

    def __call__(self, *fns) -> list[float]:
        numbers = [self._calibrate(fn) for fn in fns]
        times: list[list[float]] = [[] for _ in fns]
        for _ in range(self.repeats):
            for fn, number, ts in zip(fns, numbers, times):
                ts.append(_run(fn, number) / number)
        return [statistics.median(ts) for ts in times]

    def _calibrate(self, fn) -> int:
        number = 1
        while True:
            elapsed = _run(fn, number)
            if elapsed >= self.min_time or number >= 10**6:
                return number
            number = min(10**6, max(2 * number, math.ceil(1.2 * number * self.min_time / elapsed)))


def _run(fn, number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return max(time.perf_counter() - start, 1e-9)


def header(text: str) -> None:
    print(f"\n{text}")


def row(label: str, text: str) -> None:
    print(f"    {label:<52} {text}")


def us(seconds: float) -> str:
    return f"{seconds * 1e6:10.2f} us"


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:10.2f} ms"


def target(label: str, value: float, limit: float, unit: str, shown: str) -> None:
    """Print a figure, its target and PASS or MISS (a miss is a report, not an error)."""
    ok = value <= limit
    RESULTS.append((label, ok))
    print(f"    {label:<52} {shown}   target <= {limit:g}{unit}   {'PASS' if ok else 'MISS'}")


def same(a, b, what: str, rtol: float = 1e-9) -> None:
    """A benchmark of a wrong answer means nothing: stop if two answers differ."""
    if not np.allclose(a, b, rtol=rtol, atol=1e-12):
        raise AssertionError(f"{what}: the answers differ ({a!r} vs {b!r})")


# --- (a) one point -----------------------------------------------------------------------


def micrograd_value():
    """micrograd's Value, with a sin added in micrograd's own style (it has none)."""
    try:
        from micrograd.engine import Value
    except ImportError:
        return None

    def sin(self):
        out = Value(math.sin(self.data), (self,), "sin")

        def _backward():
            self.grad += math.cos(self.data) * out.grad

        out._backward = _backward
        return out

    Value.sin = sin
    return Value


def micrograd_gradient(Value, x1, x2):
    """f and its gradient with micrograd: build the graph of Values, then backward()."""
    a, b = Value(x1), Value(x2)
    y = a * b + a.sin()
    y.backward()
    return a.grad, b.grad


def section_a(timer: Timer) -> None:
    header("(a) f(x1, x2) = x1*x2 + sin(x1) and its gradient at (2, 3)")
    x1, x2 = 2.0, 3.0
    expected = (x2 + math.cos(x1), x1)

    def plain():
        return x1 * x2 + math.sin(x1)

    gradient = ad.grad(f, argnums=(0, 1))

    def reverse():
        return gradient(x1, x2)

    derivative_1, derivative_2 = ad.derivative(f, 0), ad.derivative(f, 1)

    def forward():
        return derivative_1(x1, x2), derivative_2(x1, x2)

    same(reverse(), expected, "reverse mode")
    same(forward(), expected, "forward mode")
    Value = micrograd_value()
    if Value is None:
        t_plain, t_reverse, t_forward = timer(plain, reverse, forward)
        t_micro = None
    else:

        def micrograd():
            return micrograd_gradient(Value, x1, x2)

        same(micrograd(), expected, "micrograd")
        t_plain, t_reverse, t_forward, t_micro = timer(plain, reverse, forward, micrograd)
    row("plain Python f on floats (math.sin)", us(t_plain))
    if t_micro is None:
        row("micrograd", "not installed (pip install micrograd==0.1.0): skipped")
    else:
        row("micrograd 0.1.0: f + backward", us(t_micro))
        print("      (micrograd's Value has no sin: this benchmark adds one in micrograd's")
        print("       style, a Value op with its _backward closure)")
    row(
        "reverse: ad.grad(f, argnums=(0, 1))", f"{us(t_reverse)}  {t_reverse / t_plain:7.1f}x plain"
    )
    row("forward: two ad.derivative sweeps", f"{us(t_forward)}  {t_forward / t_plain:7.1f}x plain")
    if t_micro is not None:
        # information, not a target: the generic rule applications of forward.py
        # and reverse.py are written to be read, not to race a scalar-only engine
        row("reverse / micrograd (information)", f"{t_reverse / t_micro:10.2f}x")
        row("forward (both partials) / micrograd (information)", f"{t_forward / t_micro:10.2f}x")


# --- (b) the long chain ---------------------------------------------------------------------


def chain(x, steps):
    for _ in range(steps):
        x = np.sin(x) * 0.001 + 0.999 * x
    return x


def chain_derivative(x, steps):
    """The product of the local derivatives, on floats: the answer to check against."""
    d = 1.0
    for _ in range(steps):
        d *= 0.001 * math.cos(x) + 0.999
        x = math.sin(x) * 0.001 + 0.999 * x
    return d


def section_b(steps: int, memory_steps: int, repeats: int) -> None:
    ops = 4 * steps  # sin, two multiplications, one addition per step
    header(f"(b) the chain x <- sin(x)*0.001 + 0.999*x, {steps:,} steps ({ops:,} operations)")
    print(f"    reverse mode at Python's recursion limit ({sys.getrecursionlimit()}), gc on")
    grad = ad.grad(lambda x: chain(x, steps))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        g = grad(0.5)
        times.append(time.perf_counter() - start)
        if times[-1] > 10.0:  # one long run is already an average over millions of ops
            break
    same(g, chain_derivative(0.5, steps), "the chain's derivative")
    start = time.perf_counter()
    chain(0.5, steps)
    t_plain = time.perf_counter() - start
    t_grad = statistics.median(times)
    row(f"ad.grad of the chain (median of {len(times)})", f"{t_grad:10.2f} s")
    row("the chain on plain floats, no derivative", f"{t_plain:10.2f} s")
    per_op = t_grad / ops * 1e6
    row("time per recorded operation (information)", f"{per_op:10.3f} us")
    memory_ops = 4 * memory_steps
    grad = ad.grad(lambda x: chain(x, memory_steps))
    tracemalloc.start()
    grad(0.5)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"    memory: tracemalloc's peak during ad.grad of a {memory_steps:,}-step chain")
    print("      (tape, adjoints and temporaries; tracing every allocation slows the run")
    print("       about twentyfold, hence the shorter chain: the tape grows linearly)")
    target("bytes per recorded operation", peak / memory_ops, 300, " B",
           f"{peak / memory_ops:10.1f} B")  # fmt: skip


# --- (c) a grid ------------------------------------------------------------------------------


def section_c(side: int, timer: Timer) -> None:
    header(f"(c) f and its gradient on a grid of {side}x{side} = {side * side:,} points")
    X1, X2 = np.meshgrid(np.linspace(-3, 3, side), np.linspace(-2, 2, side))
    ones = np.ones_like(X1)

    def by_hand():
        return X1 * X2 + np.sin(X1), X2 + np.cos(X1), X1

    def reverse():
        y, vjp_fn = ad.vjp(f, X1, X2)
        return (y, *vjp_fn(ones))

    def reverse_sum():
        return ad.value_and_grad(lambda a, b: np.sum(f(a, b)), (0, 1))(X1, X2)

    derivative_1, derivative_2 = ad.derivative(f, 0), ad.derivative(f, 1)

    def forward():
        return derivative_1(X1, X2), derivative_2(X1, X2)

    expected = by_hand()
    result = reverse()
    for got, want, what in zip(result, expected, ("value", "d/dx1", "d/dx2")):
        same(got, want, f"reverse mode on the grid, {what}")
    same(forward(), expected[1:], "forward mode on the grid")
    same(reverse_sum()[1], expected[1:], "grad of the sum on the grid")
    t_hand, t_reverse, t_forward, t_sum = timer(by_hand, reverse, forward, reverse_sum)
    row("numpy by hand: f, x2 + cos x1, x1", ms(t_hand))
    row("reverse: ad.vjp(f, X1, X2) and vjp_fn(ones)", ms(t_reverse))
    row("reverse: ad.value_and_grad of sum(f)", ms(t_sum))
    row("forward: two ad.derivative sweeps", ms(t_forward))
    target("reverse (vjp) / numpy by hand", t_reverse / t_hand, 1.15, "x",
           f"{t_reverse / t_hand:10.2f}x")  # fmt: skip
    target("forward (two sweeps) / numpy by hand", t_forward / t_hand, 2.2, "x",
           f"{t_forward / t_hand:10.2f}x")  # fmt: skip


# --- (d) a vector ------------------------------------------------------------------------------


def neighbours(x):
    """sum_i x_i * x_(i+1) + sin(x_i), for i = 0 .. n-2."""
    return np.sum(x[:-1] * x[1:] + np.sin(x[:-1]))


def neighbours_gradient(x):
    """The gradient of neighbours(x), written by hand: the answer to check against."""
    expected = np.zeros(len(x))
    expected[:-1] += x[1:] + np.cos(x[:-1])
    expected[1:] += x[:-1]
    return expected


def section_d(n: int, timer: Timer) -> None:
    header(f"(d) the gradient of sum_i x_i*x_(i+1) + sin(x_i), x of {n:,} entries")
    x = np.random.default_rng(0).uniform(-1, 1, n)
    expected = neighbours_gradient(x)
    grad = ad.grad(neighbours)
    same(grad(x), expected, "the gradient of the sum")
    t_numpy, t_grad = timer(lambda: neighbours(x), lambda: grad(x))
    row("numpy: the sum itself", us(t_numpy))
    row("reverse: ad.grad of the sum", us(t_grad))
    target("gradient / numpy's sum", t_grad / t_numpy, 3.0, "x", f"{t_grad / t_numpy:10.2f}x")


# --- (e) import time -----------------------------------------------------------------------------


def import_times(modules, repeats: int) -> list[float]:
    """Median seconds ``import module`` takes in a fresh Python process, for each
    module; the modules take turns, so that the machine's load falls on each alike."""
    # As a user meets it: bytecode cached in __pycache__ after the first import
    # (PYTHONDONTWRITEBYTECODE, if set here, would have every run compile the source).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for module in modules:
        subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, env=env, check=True)
    times: list[list[float]] = [[] for _ in modules]
    for _ in range(repeats):
        for module, ts in zip(modules, times):
            code = f"import time; t = time.perf_counter(); import {module}; "
            code += "print(time.perf_counter() - t)"
            done = subprocess.run(
                [sys.executable, "-c", code],
                capture_output=True,
                text=True,
                cwd=ROOT,
                env=env,
                check=True,
            )
            ts.append(float(done.stdout))
    return [statistics.median(ts) for ts in times]


def section_e(repeats: int) -> None:
    header(f"(e) import time, in fresh processes (median of {repeats}, timed inside each)")
    t_numpy, t_adlearn = import_times(["numpy", "adlearn"], repeats)
    row("import numpy", ms(t_numpy))
    row("import adlearn (numpy included)", ms(t_adlearn))
    extra = (t_adlearn - t_numpy) * 1e3
    target("import adlearn - import numpy", extra, 25, " ms", f"{extra:10.2f} ms")


# --- the run --------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    args = parser.parse_args(argv)
    quick = args.quick
    repeats = 3 if quick else 7
    timer = Timer(repeats, 0.005 if quick else 0.2)
    mode = (
        "quick run (small sizes: the figures are not the targets' sizes)" if quick else "full run"
    )
    print(f"adlearn {ad.__version__} engine benchmark, {mode}")
    print(f"Python {sys.version.split()[0]}, numpy {np.__version__}; medians of {repeats} repeats")
    start = time.perf_counter()
    section_a(timer)
    section_b(
        steps=10**4 if quick else 10**6,
        memory_steps=10**3 if quick else 10**5,
        repeats=1 if quick else 3,
    )
    section_c(100 if quick else 1000, timer)
    section_d(10**3 if quick else 10**4, timer)
    section_e(2 if quick else 11)
    passed = sum(ok for _, ok in RESULTS)
    header(f"Summary: {passed} of {len(RESULTS)} targets met ({time.perf_counter() - start:.0f} s)")
    for label, ok in RESULTS:
        print(f"    {'PASS' if ok else 'MISS'}  {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
