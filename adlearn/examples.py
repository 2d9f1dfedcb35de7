"""The course's example functions, in one place for tests, tools and benchmarks.

Examples
--------
>>> print(f"{running_example(2.0, 3.0):.4f}")
6.9093
>>> print(f"{baydin(2.0, 5.0):.3f}")
11.652
>>> print(f"{ten_units(2.0, 3.0):.4f}")  # sin(6) + 2/10 - cos(2)
0.3367
"""

from __future__ import annotations

import numpy as np

__all__ = ["baydin", "running_example", "ten_units"]


def running_example(x1, x2):
    """The course's running example, f(x1, x2) = x1 x2 + sin(x1) (chapter 1)."""
    return x1 * x2 + np.sin(x1)


def baydin(x1, x2):
    """f(x1, x2) = ln(x1) + x1 x2 - sin(x2), the example of Baydin et al. (2018),
    Tables 2 and 3, also used by Wikipedia's article on automatic differentiation."""
    return np.log(x1) + x1 * x2 - np.sin(x2)


def ten_units(x1, x2):
    """f(x1, x2) = sin(x1 x2) + x1 / (1 + x2^2) - cos(x1): ten units (two inputs, eight
    operations), the size of a learner's own function; the explorers' latency is
    measured on it.

    Examples
    --------
    >>> import adlearn as ad
    >>> len(ad.trace(ten_units, 2.0, 3.0).units)
    10
    """
    return np.sin(x1 * x2) + x1 / (1 + x2**2) - np.cos(x1)
