"""A small multilayer perceptron, trained by reverse mode: the model of chapter 8.

The parameters are a plain list of arrays, ``[W1, b1, W2, b2, ..., WL, bL]``:
``Wk`` has shape (inputs of layer k, outputs of layer k) and ``bk`` has shape
(outputs of layer k,). Hidden layers apply ``tanh``; the last layer gives one
number per point, the *logit* z, and the probability of class 1 is
sigmoid(z) = 1 / (1 + exp(-z)). The loss is the mean binary cross-entropy.

Every function here is written with numpy operations only, so the same code
runs on arrays and on reverse mode's traced values: :func:`gradient` records
the loss once and walks the tape back once, and :func:`descend` takes one step
of gradient descent with it (one reverse sweep per step).

Examples
--------
>>> import numpy as np
>>> from adlearn import network
>>> from adlearn.datasets import two_moons
>>> X, y = two_moons(n=40, seed=0)
>>> params = network.init_params([2, 8, 1], seed=0)
>>> [p.shape for p in params]
[(2, 8), (8,), (8, 1), (1,)]
>>> loss = lambda ps: network.cross_entropy(ps, X, y)
>>> [g.shape for g in network.gradient(loss, params)]
[(2, 8), (8,), (8, 1), (1,)]
>>> run = network.train(X, y, sizes=[2, 8, 1], lr=0.5, steps=100)
>>> bool(run.losses[-1] < run.losses[0])
True
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

import adlearn as ad

__all__ = [
    "Training",
    "accuracy",
    "central_differences",
    "cross_entropy",
    "descend",
    "gradient",
    "init_params",
    "predict",
    "softplus",
    "train",
]


def init_params(sizes, seed: int = 0) -> list:
    """Random weights and zero biases for layer sizes such as ``[2, 16, 16, 1]``.

    Each weight is drawn from a normal distribution of standard deviation
    1/sqrt(inputs of its layer), so that every layer's sums start of order one
    and ``tanh`` is neither flat nor saturated.

    Examples
    --------
    >>> [p.shape for p in init_params([2, 3, 1])]
    [(2, 3), (3,), (3, 1), (1,)]
    >>> init_params([2])
    Traceback (most recent call last):
    ...
    ValueError: init_params: sizes must list at least two positive ints, got [2]
    """
    sizes = list(sizes)
    ok = len(sizes) >= 2 and all(
        isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s > 0 for s in sizes
    )
    if not ok:
        raise ValueError(f"init_params: sizes must list at least two positive ints, got {sizes!r}")
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        params.append(rng.normal(0.0, 1.0 / np.sqrt(fan_in), (fan_in, fan_out)))
        params.append(np.zeros(fan_out))
    return params


def predict(params, X):
    """The logits z (shape (n,)) of the points ``X`` (shape (n, 2)): tanh layers, then linear.

    Examples
    --------
    >>> params = [np.eye(2), np.zeros(2), np.ones((2, 1)), np.zeros(1)]
    >>> predict(params, np.array([[0.0, 0.0], [1.0, 2.0]])).round(4).tolist()
    [0.0, 1.7256]
    """
    h = X
    for W, b in zip(params[0:-2:2], params[1:-2:2]):
        h = np.tanh(h @ W + b)  # (n, hidden)
    W, b = params[-2], params[-1]
    return (h @ W + b)[:, 0]  # (n,)


def softplus(z):
    """log(1 + exp(z)), computed without overflow for large z.

    Examples
    --------
    >>> softplus(np.array([-1000.0, 0.0, 1000.0])).round(4).tolist()
    [0.0, 0.6931, 1000.0]
    """
    # log(1 + e^z) = max(z, 0) + log(1 + e^-|z|): the exponential never exceeds 1
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def cross_entropy(params, X, y):
    """The mean binary cross-entropy of the network on the points ``X`` with labels ``y``.

    With p = sigmoid(z), -[y log p + (1 - y) log(1 - p)] = softplus(z) - y z.

    Examples
    --------
    >>> params = [np.zeros((2, 1)), np.zeros(1)]  # z = 0, p = 1/2 everywhere
    >>> round(float(cross_entropy(params, np.ones((3, 2)), np.array([0, 1, 1]))), 4)
    0.6931
    """
    z = predict(params, X)
    return np.mean(softplus(z) - y * z)


def accuracy(params, X, y) -> float:
    """The fraction of points on the right side of the decision boundary (z > 0 is class 1).

    Examples
    --------
    >>> params = [np.array([[1.0], [0.0]]), np.zeros(1)]  # class 1 where x1 > 0
    >>> accuracy(params, np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array([1, 1]))
    0.5
    """
    return float(np.mean((predict(params, X) > 0) == (np.asarray(y) == 1)))


def gradient(loss, params) -> list:
    """The gradient of ``loss(params)`` with respect to every array of the list ``params``.

    One reverse sweep: the loss is recorded once and the tape walked back once.
    The result is a list of arrays of the same shapes as ``params``.

    Examples
    --------
    >>> loss = lambda ps: np.sum(ps[0] ** 2) * ps[1][0]
    >>> [g.tolist() for g in gradient(loss, [np.array([1.0, -2.0]), np.array([3.0])])]
    [[6.0, -12.0], [5.0]]
    """
    return list(ad.grad(loss)(list(params)))


def central_differences(loss, params, h: float = 1e-6) -> list:
    """The gradient of ``loss(params)`` estimated by central differences, entry by entry.

    Two evaluations of the loss per parameter, (L(p + h e) - L(p - h e)) / 2h,
    one entry at a time: the independent check of AD, and what it costs.

    Examples
    --------
    >>> loss = lambda ps: np.sum(ps[0] ** 2) + 3.0 * ps[1][0]
    >>> [g.round(6).tolist() for g in central_differences(loss, [np.array([1.0, -2.0]),
    ...                                                          np.array([5.0])])]
    [[2.0, -4.0], [3.0]]
    """
    grads = []
    for k, p in enumerate(params):
        g = np.empty(np.shape(p))
        for i in np.ndindex(g.shape):
            moved = list(params)  # the caller's arrays stay as they are
            moved[k] = np.array(p, dtype=float)
            moved[k][i] = p[i] + h
            up = loss(moved)
            moved[k][i] = p[i] - h
            down = loss(moved)
            g[i] = (up - down) / (2 * h)
        grads.append(g)
    return grads


def descend(loss, params, lr: float) -> list:
    """One step of gradient descent: each array minus ``lr`` times its gradient (one sweep).

    Examples
    --------
    >>> loss = lambda ps: np.sum(ps[0] ** 2)
    >>> descend(loss, [np.array([1.0, -2.0])], lr=0.25)[0].tolist()
    [0.5, -1.0]
    """
    return [p - lr * g for p, g in zip(params, gradient(loss, params))]


@dataclass(frozen=True)
class Training:
    """What :func:`train` records: the loss at every step and the parameters every few."""

    lr: float
    losses: np.ndarray  # losses[k]: the loss before step k + 1, so losses[0] is the start
    snapshot_steps: np.ndarray  # the steps at which the parameters were kept
    snapshots: list  # the parameters (a list of arrays) at each of snapshot_steps

    def params_at(self, step: int) -> list:
        """The parameters kept at the latest snapshot step not after ``step``."""
        k = int(np.searchsorted(self.snapshot_steps, step, side="right")) - 1
        return self.snapshots[max(k, 0)]


def train(X, y, *, sizes=(2, 16, 16, 1), lr: float = 0.5, steps: int = 500, seed: int = 1,
          every: int = 10) -> Training:
    """Train a network of layer ``sizes`` by gradient descent for ``steps`` steps.

    Keeps the loss at every step (``steps + 1`` numbers, the start included) and the
    parameters every ``every`` steps (and at the last step).

    Examples
    --------
    >>> from adlearn.datasets import two_moons
    >>> X, y = two_moons(n=20)
    >>> run = train(X, y, sizes=[2, 4, 1], steps=30, every=10)
    >>> run.losses.shape, run.snapshot_steps.tolist()
    ((31,), [0, 10, 20, 30])
    """
    if not (isinstance(steps, (int, np.integer)) and steps >= 0):
        raise ValueError(f"train: steps must be an int >= 0, got {steps!r}")
    if not (isinstance(every, (int, np.integer)) and every >= 1):
        raise ValueError(f"train: every must be an int >= 1, got {every!r}")

    def loss(ps):
        return cross_entropy(ps, X, y)

    params = init_params(sizes, seed)
    losses = [float(loss(params))]
    kept_steps, kept = [0], [params]
    with np.errstate(over="ignore", invalid="ignore"):  # a learning rate too large diverges
        for step in range(1, steps + 1):
            params = descend(loss, params, lr)
            losses.append(float(loss(params)))
            if step % every == 0 or step == steps:
                kept_steps.append(step)
                kept.append(params)
    return Training(float(lr), np.array(losses), np.array(kept_steps), kept)
