"""Small data sets made with numpy, for training a network in the course.

Nothing is downloaded: every set is drawn from a seeded random generator, so
the same call gives the same points on every run and every machine.

Examples
--------
>>> from adlearn.datasets import two_moons
>>> X, y = two_moons(n=6, seed=0)
>>> X.shape, y.tolist()
((6, 2), [0, 0, 0, 1, 1, 1])
"""

from __future__ import annotations

import numpy as np

__all__ = ["two_moons"]


def two_moons(n: int = 200, noise: float = 0.15, seed: int = 0):
    """Two interleaved half circles in the plane, labelled 0 and 1.

    Class 0 lies on the upper half of the unit circle, class 1 on a lower half
    circle shifted right by 1 and down by 0.5, so that each moon reaches into the
    other's hollow: no straight line separates them, a small network can.

    Parameters
    ----------
    n : int
        Number of points (at least 2); the first ``n // 2`` are class 0.
    noise : float
        Standard deviation of the Gaussian noise added to each coordinate (>= 0).
    seed : int
        Seed of the random generator: the same seed gives the same points.

    Returns
    -------
    X : ndarray, shape (n, 2)
        The points, one per row.
    y : ndarray of int, shape (n,)
        The labels, 0 or 1.

    Examples
    --------
    >>> X, y = two_moons(n=4, noise=0.0, seed=1)
    >>> bool(abs(X[0, 0] ** 2 + X[0, 1] ** 2 - 1.0) < 1e-12)  # on the unit circle
    True
    >>> two_moons(n=1)
    Traceback (most recent call last):
    ...
    ValueError: two_moons: n must be an int >= 2, got 1
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"two_moons: n must be an int >= 2, got {n!r}")
    if not (isinstance(noise, (int, float, np.floating)) and np.isfinite(noise) and noise >= 0):
        raise ValueError(f"two_moons: noise must be a number >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    n0 = n // 2
    n1 = n - n0
    t0 = rng.uniform(0.0, np.pi, n0)  # angles along each half circle
    t1 = rng.uniform(0.0, np.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    X = np.concatenate([upper, lower]) + rng.normal(0.0, noise, (n, 2))
    y = np.concatenate([np.zeros(n0, dtype=int), np.ones(n1, dtype=int)])
    return X, y
