"""The course's example functions, in one place for tests, tools and benchmarks.

Examples
--------
>>> print(f"{running_example(2.0, 3.0):.4f}")
6.9093
>>> print(f"{baydin(2.0, 5.0):.3f}")
11.652
"""

from __future__ import annotations

import numpy as np

__all__ = ["baydin", "running_example"]


def running_example(x1, x2):
    """The course's running example, f(x1, x2) = x1 x2 + sin(x1) (chapter 1)."""
    return x1 * x2 + np.sin(x1)


def baydin(x1, x2):
    """f(x1, x2) = ln(x1) + x1 x2 - sin(x2), the example of Baydin et al. (2018),
    Tables 2 and 3, also used by Wikipedia's article on automatic differentiation."""
    return np.log(x1) + x1 * x2 - np.sin(x2)
