"""Speed of ``ad.jit``'s compiled derivatives, against baselines measured in the same run.

Run from the repository root::

    python benchmarks/compiled.py          # the full run, a few minutes
    python benchmarks/compiled.py --quick  # a smoke run with small sizes

Sections:

(a) the gradient of f(x1, x2) = x1*x2 + sin(x1) at one point, compiled, after the first
    call: reverse mode (``ad.jit(ad.grad(f, argnums=(0, 1)))``) and forward mode for both
    partials (``ad.jit(ad.jacfwd(f, argnums=(0, 1)))``) against micrograd's f + backward
    (``pip install micrograd==0.1.0``, the ``bench`` extra; skipped if missing);
(b) the gradient on a grid of 1e6 points against the gradient (x2 + cos x1, x1) written
    by hand in numpy: compiled reverse mode (the gradient of sum(f)) and compiled forward
    mode (two ``ad.derivative`` programs);
(c) the gradient of sum_i x_i*x_(i+1) + sin(x_i) over a vector of 1e4 entries, compiled,
    against numpy's evaluation of the sum itself;
(d) the time to record and compile (the first call of ``ad.jit(ad.grad(chain))``) against
    the length of the chain, 10 to 1e5 units, beside the interpreted gradient and the
    compiled call (information: a table, no target).

Every figure is a median of repeated timings, functions compared with each other timed in
turn. Each target is printed with PASS or MISS; a miss is a report, not an error.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

# the timer, the printing and micrograd's Value, shared with the engine's benchmark
import engine
from engine import Timer, header, ms, row, same, target, us

import adlearn as ad
from adlearn.examples import running_example as f


def ratio(label: str, value: float, limit: float) -> None:
    """A ratio of two timings against its target, with PASS or MISS."""
    target(label, value, limit, "x", f"{value:10.2f}x")


def section_a(timer: Timer) -> None:
    header("(a) the gradient of f(x1, x2) = x1*x2 + sin(x1) at (2, 3), compiled")
    x1, x2 = 2.0, 3.0
    expected = (x2 + math.cos(x1), x1)
    reverse = ad.jit(ad.grad(f, argnums=(0, 1)))
    forward = ad.jit(ad.jacfwd(f, argnums=(0, 1)))
    interpreted = ad.grad(f, argnums=(0, 1))
    for fn, what in ((reverse, "compiled reverse"), (forward, "compiled forward")):
        fn(x1, x2)  # the first call records and compiles
        same(fn(x1, x2), expected, what)
    Value = engine.micrograd_value()
    fns = [lambda: reverse(x1, x2), lambda: forward(x1, x2), lambda: interpreted(x1, x2)]
    if Value is not None:

        def micrograd():
            return engine.micrograd_gradient(Value, x1, x2)

        same(micrograd(), expected, "micrograd")
        fns.append(micrograd)
    times = timer(*fns)
    row("compiled reverse: ad.jit(ad.grad(f, argnums=(0, 1)))", us(times[0]))
    row("compiled forward: ad.jit(ad.jacfwd(f, argnums=(0, 1)))", us(times[1]))
    row("interpreted reverse: ad.grad(f, argnums=(0, 1))", us(times[2]))
    if Value is None:
        row("micrograd", "not installed (pip install micrograd==0.1.0): skipped")
        return
    t_micro = times[3]
    row("micrograd 0.1.0: f + backward (a sin added in its style)", us(t_micro))
    ratio("compiled reverse / micrograd", times[0] / t_micro, 0.25)
    ratio("compiled forward (both partials) / micrograd", times[1] / t_micro, 0.25)


def section_b(side: int, timer: Timer) -> None:
    header(f"(b) the gradient on a grid of {side}x{side} = {side * side:,} points, compiled")
    X1, X2 = np.meshgrid(np.linspace(-3, 3, side), np.linspace(-2, 2, side))

    def by_hand():
        return X2 + np.cos(X1), X1.copy()  # a result of its own, as adlearn returns

    reverse = ad.jit(ad.grad(lambda a, b: np.sum(f(a, b)), argnums=(0, 1)))
    d1, d2 = ad.jit(ad.derivative(f, 0)), ad.jit(ad.derivative(f, 1))

    def forward():
        return d1(X1, X2), d2(X1, X2)

    expected = by_hand()
    reverse(X1, X2)
    forward()  # the first calls record and compile
    same(reverse(X1, X2), expected, "compiled reverse on the grid")
    same(forward(), expected, "compiled forward on the grid")
    t_hand, t_reverse, t_forward = timer(by_hand, lambda: reverse(X1, X2), forward)
    row("numpy by hand: x2 + cos x1, x1", ms(t_hand))
    row("compiled reverse: the gradient of sum(f)", ms(t_reverse))
    row("compiled forward: two ad.derivative programs", ms(t_forward))
    ratio("compiled reverse / numpy by hand", t_reverse / t_hand, 1.05)
    ratio("compiled forward / numpy by hand", t_forward / t_hand, 1.6)


def section_c(n: int, timer: Timer) -> None:
    header(f"(c) the gradient of sum_i x_i*x_(i+1) + sin(x_i), x of {n:,} entries, compiled")
    x = np.random.default_rng(0).uniform(-1, 1, n)
    expected = engine.neighbours_gradient(x)
    grad = ad.jit(ad.grad(engine.neighbours))
    grad(x)
    same(grad(x), expected, "the compiled gradient of the sum")
    t_numpy, t_grad = timer(lambda: engine.neighbours(x), lambda: grad(x))
    row("numpy: the sum itself", us(t_numpy))
    row("compiled reverse: ad.jit(ad.grad(sum))", us(t_grad))
    ratio("compiled gradient / numpy's sum", t_grad / t_numpy, 2.0)


def chain(x, steps):
    for _ in range(steps):
        x = np.sin(x) * 0.001 + 0.999 * x
    return x


def section_d(lengths) -> None:
    header("(d) record and compile against the length of the chain x <- sin(x)*0.001 + 0.999*x")
    print("    (4 units per step; the first call of ad.jit(ad.grad(chain)) runs it interpreted,")
    print("     records it, writes the source and compiles it; information, no target)")
    print(f"    {'units':>8} {'operations':>11} {'first call':>12} {'interpreted':>12} "
          f"{'compiled':>12} {'per unit':>10}")  # fmt: skip
    for units in lengths:
        steps = max(1, units // 4)
        grad = ad.grad(lambda x, steps=steps: chain(x, steps))
        cf = ad.jit(grad)
        start = time.perf_counter()
        cf(0.5)
        t_first = time.perf_counter() - start
        start = time.perf_counter()
        g = grad(0.4)
        t_interpreted = time.perf_counter() - start
        start = time.perf_counter()
        c = cf(0.4)
        t_compiled = time.perf_counter() - start
        same(c, g, f"the compiled chain of {units} units")
        ops = cf.traces[0].operations
        print(f"    {4 * steps:>8,} {ops:>11,} {t_first:>10.3f} s {t_interpreted:>10.4f} s "
              f"{t_compiled:>10.5f} s {t_first / (4 * steps) * 1e6:>7.0f} us")  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    args = parser.parse_args(argv)
    quick = args.quick
    timer = Timer(3 if quick else 9, 0.005 if quick else 0.2)
    print("ad.jit benchmark,", "quick run (small sizes: not the targets' sizes)" if quick
          else "full run")  # fmt: skip
    print(
        f"    load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; numpy {np.__version__}"
    )
    section_a(timer)
    section_b(100 if quick else 1000, timer)
    section_c(10**3 if quick else 10**4, timer)
    section_d((10, 100, 1000) if quick else (10, 100, 1000, 10**4, 10**5))
    met = sum(ok for _, ok in engine.RESULTS)
    header(f"Summary: {met} of {len(engine.RESULTS)} targets met")
    for label, ok in engine.RESULTS:
        print(f"    {'PASS' if ok else 'MISS'}  {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
