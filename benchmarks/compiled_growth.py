"""Interpreted, compiled and micrograd gradients as the function grows (chapter 9's plot).

The running example grown to n inputs, f_n(x) = sum_k x_k x_(k+1) + sin x_k (chapter 7's
f_n; f_2 is f), on Python floats, and its whole gradient at one point:

- interpreted: ``ad.grad(f_n, argnums=all)``, every operation through adlearn's tape;
- compiled: ``ad.jit`` of the same, after its first call (which records and compiles);
- micrograd 0.1.0: f_n on its ``Value`` (with a sin in its own style) and ``backward()``;
- plain f_n on floats, the baseline the others are divided by.

Every time is a median of repeated timings (``engine.Timer``), all four measured in turn at
each size, so a change in the machine's load falls on all alike; the first call of the
compiled gradient (record, generate, compile) is timed once per size. Run from the
repository root::

    python benchmarks/compiled_growth.py           # writes benchmarks/compiled_growth.csv
    python benchmarks/compiled_growth.py --quick   # small sizes, prints only

The CSV is committed: chapter 9 plots it, so that the notebook's output does not depend on
the machine that runs it (and micrograd is not one of the course's packages).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from pathlib import Path

import numpy as np

import adlearn as ad

sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine import Timer, micrograd_value, same  # (this folder, put on the path above)

CSV = Path(__file__).resolve().with_suffix(".csv")
COLUMNS = ("n", "plain_us", "interpreted_us", "compiled_us", "micrograd_us", "first_call_ms")


def f_n(*x):
    """Chapter 7's f_n on adlearn's values (np.sin reaches the rule table)."""
    total = x[0] * x[1] + np.sin(x[0])
    for k in range(1, len(x) - 1):
        total = total + (x[k] * x[k + 1] + np.sin(x[k]))
    return total


def plain_f_n(*x):
    """The same sum on Python floats, with math.sin: the baseline."""
    total = x[0] * x[1] + math.sin(x[0])
    for k in range(1, len(x) - 1):
        total = total + (x[k] * x[k + 1] + math.sin(x[k]))
    return total


def gradient_by_hand(x):
    """d f_n / d x_k = x_(k+1) + cos x_k + x_(k-1), each term where it exists."""
    n = len(x)
    g = [0.0] * n
    for k in range(n - 1):
        g[k] += x[k + 1] + math.cos(x[k])
        g[k + 1] += x[k]
    return g


def measure(n: int, timer: Timer, Value) -> dict:
    x = [float(v) for v in np.linspace(0.1, 1.0, n)]
    argnums = tuple(range(n))
    interpreted = ad.grad(f_n, argnums=argnums)
    compiled = ad.jit(ad.grad(f_n, argnums=argnums))
    start = time.perf_counter()
    first = compiled(*x)
    first_call = time.perf_counter() - start
    want = gradient_by_hand(x)
    same(first, want, "compiled, first call")
    same(compiled(*x), want, "compiled")
    same(interpreted(*x), want, "interpreted")
    fns = [lambda: plain_f_n(*x), lambda: interpreted(*x), lambda: compiled(*x)]
    if Value is not None:
        # micrograd sorts its graph with a recursive walk, one Python frame per level
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * n + 1000))

        def micrograd():
            v = [Value(a) for a in x]
            y = _micrograd_f_n(v)
            y.backward()
            return [a.grad for a in v]

        same(micrograd(), want, "micrograd")
        fns.append(micrograd)
    times = timer(*fns)
    if Value is None:
        times.append(float("nan"))
    row = dict(zip(COLUMNS[1:5], (1e6 * t for t in times)))
    return {"n": n, **row, "first_call_ms": 1e3 * first_call}


def _micrograd_f_n(v):
    total = v[0] * v[1] + v[0].sin()
    for k in range(1, len(v) - 1):
        total = total + (v[k] * v[k + 1] + v[k].sin())
    return total


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, nothing written")
    args = parser.parse_args(argv)
    sizes = [2, 10, 50] if args.quick else [2, 5, 10, 20, 50, 100, 200, 500, 1000]
    timer = Timer(3 if args.quick else 7, 0.005 if args.quick else 0.1)
    Value = micrograd_value()
    print(f"adlearn {ad.__version__}, Python {sys.version.split()[0]}, numpy {np.__version__}")
    print(
        "micrograd: "
        + ("not installed (pip install micrograd==0.1.0)" if Value is None else "0.1.0")
    )
    print(
        f"{'n':>5} {'plain us':>10} {'interpreted':>12} {'compiled':>10} {'micrograd':>10} "
        f"{'first call ms':>14}   compiled/micrograd  interpreted/micrograd"
    )
    rows = []
    for n in sizes:
        r = measure(n, timer, Value)
        rows.append(r)
        print(
            f"{n:5} {r['plain_us']:10.2f} {r['interpreted_us']:12.2f} {r['compiled_us']:10.2f} "
            f"{r['micrograd_us']:10.2f} {r['first_call_ms']:14.2f}   "
            f"{r['compiled_us'] / r['micrograd_us']:18.2f} "
            f"{r['interpreted_us'] / r['micrograd_us']:22.2f}"
        )
    if not args.quick:
        with CSV.open("w", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=COLUMNS)
            writer.writeheader()
            for r in rows:
                writer.writerow({k: (v if k == "n" else f"{v:.3f}") for k, v in r.items()})
        print(f"written: {CSV.relative_to(CSV.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
