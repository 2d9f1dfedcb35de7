"""adlearn against a reference library: HIPS autograd, on random inputs.

Every numpy function, ufunc, operator and array method that adlearn
differentiates has at least one case below. A case is written once, as a
function of the numpy module ``m``: adlearn runs it with numpy, the oracle with
``autograd.numpy`` (a case gives the oracle its own spelling only where autograd
lacks the function or gets it wrong). Inputs are drawn, with a seeded generator,
inside the function's domain and away from its corners.

For each case the tests compare, with autograd's:

- values, shapes and dtypes, as seen through both modes;
- first order: ``jacfwd`` and ``jacrev`` against autograd's Jacobian, ``jvp``
  and ``vjp`` along random directions;
- second order: the Hessian of ``sum(w * sin(f))`` (forward over reverse) and
  a Hessian-vector product by reverse over reverse.

``test_every_function_has_an_oracle_case`` fails when the rule table gains a
rule, or the dispatch tables a function, that no case here exercises.
"""

from __future__ import annotations

import operator
import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import adlearn as ad
from adlearn.dispatch import Differentiable
from adlearn.numpy_api import BY_FUNCTION, BY_UFUNC
from adlearn.operators import METHODS
from adlearn.rules import RULES

RTOL, ATOL = 1e-9, 1e-11


# --- inputs ------------------------------------------------------------------------


@dataclass(frozen=True)
class Draw:
    """Where to draw an argument: uniform in [lo, hi] (or ±[lo, hi] if ``signed``);
    ``kind="matrix"``: square matrices close to the identity (well conditioned);
    ``kind="ties"``: integers in [lo, hi], so that entries tie;
    ``kind="zeros"``: uniform, with every third entry 0."""

    shape: tuple[int, ...] = ()
    lo: float = -2.0
    hi: float = 2.0
    signed: bool = False
    kind: str = "uniform"

    def sample(self, rng):
        if self.kind == "matrix":
            n = self.shape[-1]
            return np.eye(n) + 0.3 * rng.normal(size=self.shape)
        if self.kind == "ties":
            return rng.integers(self.lo, self.hi, size=self.shape, endpoint=True).astype(float)
        x = rng.uniform(self.lo, self.hi, size=self.shape)
        if self.signed:
            x = x * rng.choice([-1.0, 1.0], size=self.shape)
        if self.kind == "zeros":
            x.flat[::3] = 0.0
        return float(x) if self.shape == () else x


def real(*shape, lo=-2.0, hi=2.0):
    return Draw(shape, lo, hi)


def away(*shape, lo=0.2, hi=2.0):
    """Away from 0, both signs."""
    return Draw(shape, lo, hi, signed=True)


def positive(*shape, lo=0.2, hi=2.0):
    return Draw(shape, lo, hi)


def matrix(*shape):
    return Draw(shape, kind="matrix")


def ties(*shape):
    return Draw(shape, -1, 1, kind="ties")


def with_zeros(*shape):
    return Draw(shape, kind="zeros")


# --- the cases ------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One way of calling ``func``: ``fn(m, *args)`` with m numpy or autograd.numpy."""

    func: object  # the numpy function, ufunc, operator or method name it exercises
    label: str
    fn: Callable
    draws: tuple[Draw, ...]
    oracle: Callable | None = None  # autograd's spelling, where it differs

    @property
    def id(self) -> str:
        return f"{_name(self.func)}-{self.label}"


def _name(func) -> str:
    if isinstance(func, str):
        return func
    module = getattr(func, "__module__", None) or "numpy"
    parts = [p for p in module.split(".")[1:] if not p.startswith("_")]
    return ".".join(["np", *parts, func.__name__])


X34, X3, X234 = real(3, 4), real(3), real(2, 3, 4)
B42 = np.arange(8.0).reshape(4, 2) / 5 - 0.7
I3 = np.arange(3)

CASES = [
    # operators and elementwise ufuncs
    Case(operator.add, "broadcast", lambda m, a, b: a + b, (real(3, 1), real(4))),
    Case(np.add, "np", lambda m, a, b: m.add(a, b), (X34, X34)),
    Case(operator.sub, "broadcast", lambda m, a, b: a - b, (real(2, 3), real(3))),
    Case(np.subtract, "np", lambda m, a, b: m.subtract(a, b), (X3, real())),
    Case(operator.mul, "broadcast", lambda m, a, b: a * b, (real(3, 1), real(1, 4))),
    Case(np.multiply, "np", lambda m, a, b: m.multiply(a, b), (X34, X34)),
    Case(operator.truediv, "broadcast", lambda m, a, b: a / b, (X34, away(4))),
    Case(np.true_divide, "np", lambda m, a, b: m.true_divide(a, b), (real(), away(3))),
    Case(operator.neg, "", lambda m, x: -x, (X34,)),
    Case(np.negative, "", lambda m, x: m.negative(x), (X3,)),
    Case(operator.pow, "both", lambda m, a, b: a**b, (positive(3, 4), real(4))),
    Case(operator.pow, "integer", lambda m, x: x**3, (X34,)),
    Case(np.power, "np", lambda m, a, b: m.power(a, b), (positive(3), real(3))),
    Case(np.sin, "", lambda m, x: m.sin(x), (X34,)),
    Case(np.cos, "", lambda m, x: m.cos(x), (X34,)),
    Case(np.tan, "", lambda m, x: m.tan(x), (real(3, 4, lo=-1.2, hi=1.2),)),
    Case(np.exp, "", lambda m, x: m.exp(x), (X34,)),
    Case(np.log, "", lambda m, x: m.log(x), (positive(3, 4),)),
    Case(np.sqrt, "", lambda m, x: m.sqrt(x), (positive(3, 4),)),
    Case(np.tanh, "", lambda m, x: m.tanh(x), (X34,)),
    Case(np.sinh, "", lambda m, x: m.sinh(x), (X34,)),
    Case(np.cosh, "", lambda m, x: m.cosh(x), (X34,)),
    Case(np.absolute, "", lambda m, x: m.abs(x), (away(3, 4),)),
    Case(operator.abs, "", lambda m, x: abs(x), (away(3, 4),)),
    Case(np.arcsin, "", lambda m, x: m.arcsin(x), (real(3, 4, lo=-0.9, hi=0.9),)),
    Case(np.arccos, "", lambda m, x: m.arccos(x), (real(3, 4, lo=-0.9, hi=0.9),)),
    Case(np.arctan, "", lambda m, x: m.arctan(x), (X34,)),
    Case(np.log1p, "", lambda m, x: m.log1p(x), (real(3, 4, lo=-0.8, hi=3.0),)),
    Case(np.expm1, "", lambda m, x: m.expm1(x), (X34,)),
    Case(np.square, "", lambda m, x: m.square(x), (X34,)),
    Case(np.maximum, "broadcast", lambda m, a, b: m.maximum(a, b), (X34, real(4))),
    Case(np.minimum, "broadcast", lambda m, a, b: m.minimum(a, b), (real(3, 1), real(4))),
    Case(np.sign, "", lambda m, x: m.sign(x) * x, (away(3, 4),)),
    # reductions and structure
    Case(np.sum, "all", lambda m, x: m.sum(x), (X34,)),
    Case(np.sum, "axis keepdims", lambda m, x: m.sum(x, axis=1, keepdims=True), (X234,)),
    Case(np.sum, "axes", lambda m, x: m.sum(x, axis=(0, 2)), (X234,)),
    Case("x.sum", "axis", lambda m, x: x.sum(axis=0), (X34,)),
    Case(np.mean, "all", lambda m, x: m.mean(x), (X34,)),
    Case(np.mean, "axis", lambda m, x: m.mean(x, axis=-1, keepdims=True), (X234,)),
    Case("x.mean", "axis", lambda m, x: x.mean(axis=0), (X34,)),
    Case(np.dot, "matrix vector", lambda m, a, b: m.dot(a, b), (X34, real(4))),
    Case(np.dot, "vector vector", lambda m, a, b: m.dot(a, b), (X3, X3)),
    Case(np.dot, "scalar", lambda m, a, b: m.dot(a, b), (real(), X3)),
    # (a constant's method, B.dot(x), is numpy's own: it cannot see a traced x)
    Case("x.dot", "", lambda m, x: x.dot(B42), (X34,), lambda m, x: m.dot(x, B42)),
    Case(np.matmul, "np", lambda m, a, b: m.matmul(a, b), (X234, real(4, 2))),
    Case(operator.matmul, "batched", lambda m, a, b: a @ b, (real(2, 3, 4), real(2, 4, 2))),
    Case(operator.matmul, "vector", lambda m, a, b: a @ b, (real(4), real(2, 4, 3))),
    Case(np.reshape, "", lambda m, x: m.reshape(x, (4, 3)), (X34,)),
    Case("x.reshape", "", lambda m, x: x.reshape(2, -1), (X34,)),
    Case(np.transpose, "axes", lambda m, x: m.transpose(x, (1, 2, 0)), (X234,)),
    Case("x.transpose", "", lambda m, x: x.transpose(), (X34,)),
    Case("x.T", "", lambda m, x: x.T, (X34,)),
    Case(np.swapaxes, "", lambda m, x: m.swapaxes(x, 0, 2), (X234,)),
    Case(np.expand_dims, "", lambda m, x: m.expand_dims(x, 1), (X34,)),
    Case(
        np.broadcast_to,
        "leading axis",
        lambda m, x: m.broadcast_to(x, (2, 3, 4)),
        (real(3, 1),),
        lambda m, x: x * m.ones((2, 3, 4)),  # autograd's cannot add leading axes
    ),
    Case(
        np.full_like,
        "fill value differentiated",
        lambda m, x: m.full_like(x, x[0, 1]) * x,
        (X34,),
        lambda m, x: x[0, 1] * m.ones(x.shape) * x,  # autograd's full_like drops it
    ),
    Case(np.where, "condition from values", lambda m, a, b: m.where(a > b, a, b), (X34, X34)),
    Case(np.stack, "axis 1", lambda m, a, b: m.stack([a, b * a], axis=1), (X3, X3)),
    Case(np.concatenate, "axis -1", lambda m, a, b: m.concatenate([a, b], -1), (X34, real(3, 2))),
    Case("x[...]", "slices", lambda m, x: x[1:, ::2], (X34,)),
    Case("x[...]", "repeated indices", lambda m, x: x[np.array([0, 2, 0])], (X34,)),
    Case("x[...]", "newaxis, ellipsis", lambda m, x: x[None, ..., 1], (X234,)),
    # more elementwise functions
    Case(np.log2, "", lambda m, x: m.log2(x), (positive(3, 4),)),
    Case(np.log10, "", lambda m, x: m.log10(x), (positive(3, 4),)),
    Case(np.exp2, "", lambda m, x: m.exp2(x), (X34,)),
    Case(np.arcsinh, "", lambda m, x: m.arcsinh(x), (X34,)),
    Case(np.arccosh, "", lambda m, x: m.arccosh(x), (real(3, 4, lo=1.2, hi=3.0),)),
    Case(np.arctanh, "", lambda m, x: m.arctanh(x), (real(3, 4, lo=-0.9, hi=0.9),)),
    Case(np.reciprocal, "", lambda m, x: m.reciprocal(x), (away(3, 4),)),
    Case(np.deg2rad, "", lambda m, x: m.deg2rad(x) * x, (X34,)),
    Case(np.radians, "", lambda m, x: m.radians(x) * x, (X34,)),
    Case(np.rad2deg, "", lambda m, x: m.rad2deg(x) * x, (X34,)),
    Case(np.degrees, "", lambda m, x: m.degrees(x) * x, (X34,)),
    Case(np.arctan2, "broadcast", lambda m, y, x: m.arctan2(y, x), (X34, away(4))),
    Case(np.hypot, "broadcast", lambda m, a, b: m.hypot(a, b), (away(3, 1), away(4))),
    Case(np.logaddexp, "broadcast", lambda m, a, b: m.logaddexp(a, b), (X34, real(4))),
    Case(np.remainder, "", lambda m, a, b: m.remainder(a, b), (X34, positive(4, lo=0.3))),
    Case(operator.mod, "", lambda m, a, b: a % b, (X34, away(3, 1, lo=0.3))),
    Case(operator.mod, "constant divisor", lambda m, x: x % 0.7, (X34,)),
    # reductions
    Case(np.max, "all", lambda m, x: m.max(x), (X34,)),
    Case(np.max, "axis keepdims", lambda m, x: m.max(x, axis=1, keepdims=True), (X234,)),
    Case(np.max, "axes", lambda m, x: m.max(x, axis=(0, 2)), (X234,)),
    Case(np.amax, "axis", lambda m, x: m.amax(x, axis=-1), (X34,)),
    Case(np.min, "axis", lambda m, x: m.min(x, axis=0), (X34,)),
    Case(np.amin, "keepdims", lambda m, x: m.amin(x, keepdims=True), (X34,)),
    Case("x.max", "axis", lambda m, x: x.max(axis=1), (X34,)),
    Case("x.min", "", lambda m, x: x.min(), (X34,)),
    Case(np.prod, "all", lambda m, x: m.prod(x), (real(2, 3),)),
    Case(np.prod, "axis keepdims", lambda m, x: m.prod(x, axis=1, keepdims=True), (X234,)),
    Case(np.prod, "axes", lambda m, x: m.prod(x, axis=(0, 2)), (X234,)),
    Case("x.prod", "", lambda m, x: x.prod(axis=0), (X34,), lambda m, x: m.prod(x, axis=0)),
    # a tie shares the derivative equally among the entries that reach the max
    Case(np.max, "ties", lambda m, x: m.max(x, axis=0), (ties(4, 3),)),
    Case(np.min, "ties", lambda m, x: m.min(x), (ties(2, 3),)),
    Case(np.maximum, "ties", lambda m, a, b: m.maximum(a, b), (ties(2, 3), ties(2, 3))),
    # zeros: the product of the other entries, not prod / x
    Case(
        np.prod,
        "zeros",
        lambda m, x: m.prod(x),
        (with_zeros(4),),
        lambda m, x: x[0] * x[1] * x[2] * x[3],
    ),
    Case(
        np.prod,
        "zeros axis",
        lambda m, x: m.prod(x, axis=0),
        (with_zeros(3, 2),),
        lambda m, x: x[0] * x[1] * x[2],
    ),
    Case(np.cumsum, "flat", lambda m, x: m.cumsum(x), (X34,)),
    Case(np.cumsum, "axis", lambda m, x: m.cumsum(x, axis=1), (X234,)),
    Case(np.var, "all", lambda m, x: m.var(x), (X34,)),
    Case(np.var, "axis ddof keepdims", lambda m, x: m.var(x, 1, ddof=1, keepdims=True), (X234,)),
    Case(np.std, "all", lambda m, x: m.std(x), (X34,)),
    Case(np.std, "axis ddof", lambda m, x: m.std(x, axis=0, ddof=1), (X34,)),
    Case(np.clip, "", lambda m, x: m.clip(x, -0.5, 0.8), (X34,)),
    Case(
        np.clip,
        "traced bounds",
        lambda m, x, lo: m.clip(x, lo, 1.5),
        (X34, real(4, lo=-1.0, hi=1.0)),
        lambda m, x, lo: m.minimum(m.maximum(x, lo), 1.5),
    ),
    # products
    Case(
        np.outer,
        "",
        lambda m, a, b: m.outer(a, b),
        (X3, real(2, 2)),
        lambda m, a, b: m.outer(a, m.ravel(b)),  # autograd's does not flatten b
    ),
    Case(np.inner, "vectors", lambda m, a, b: m.inner(a, b), (X3, X3)),
    Case(np.inner, "arrays", lambda m, a, b: m.inner(a, b), (X34, real(2, 4))),
    Case(np.tensordot, "int", lambda m, a, b: m.tensordot(a, b, 2), (X234, real(3, 4, 2))),
    Case(
        np.tensordot,
        "axes",
        lambda m, a, b: m.tensordot(a, b, ([0, 2], [2, 0])),
        (X234, real(4, 3, 2)),
    ),
    Case(np.einsum, "matmul", lambda m, a, b: m.einsum("ij,jk->ik", a, b), (X34, real(4, 2))),
    Case(
        np.einsum,
        "three operands",
        lambda m, a, b, c: m.einsum("ij,j,kj->ki", a, b, c),
        (X34, real(4), real(2, 4)),
    ),
    # (autograd's einsum cannot repeat a letter in one operand: indexing spells it)
    Case(
        np.einsum,
        "diagonal",
        lambda m, a: m.einsum("ii->i", a),
        (real(3, 3),),
        lambda m, a: a[I3, I3],
    ),
    Case(
        np.einsum,
        "trace",
        lambda m, a: m.einsum("ii", a),
        (real(3, 3),),
        lambda m, a: m.sum(a[I3, I3]),
    ),
    Case(np.einsum, "summed in one operand", lambda m, a, b: m.einsum("ij,k->k", a, b), (X34, X3)),
    Case(np.einsum, "implicit transpose", lambda m, a: m.einsum("ba", a), (X34,)),
    # '...': numpy's broadcasting, the runs of axes right-aligned (autograd's own
    # einsum handles '...' and a broadcast axis of length 1 as numpy does)
    Case(np.einsum, "batched matmul", lambda m, a, b: m.einsum("...ij,jk->...ik", a, b), (X234, real(4, 2))),
    Case(np.einsum, "implicit with ...", lambda m, a, b: m.einsum("...ij,jk", a, b), (X234, real(4, 2))),
    Case(
        np.einsum,
        "... of different lengths",
        lambda m, a, b: m.einsum("...i,...i->...", a, b),
        (real(2, 1, 3), real(4, 3)),
    ),
    Case(
        np.einsum,
        "... broadcast, length 1",
        lambda m, a, b: m.einsum("...,...->...", a, b),
        (real(3, 1), real(3, 4)),
    ),
    Case(
        np.einsum,
        "... in the middle",
        lambda m, a, b: m.einsum("i...j,j...->...i", a, b),
        (X234, real(4, 3)),
    ),
    Case(
        np.einsum,
        "letters broadcast, length 1",
        lambda m, a, b: m.einsum("ij,ij->ij", a, b),
        (real(3, 1), real(3, 4)),
    ),
    Case(np.einsum, "... for no axis", lambda m, a, b: m.einsum("ij...,j->i", a, b), (X34, real(4))),
    Case(np.trace, "", lambda m, x: m.trace(x), (X34,)),
    Case(
        np.trace,
        "offset axes",
        lambda m, x: m.trace(x, 1, 1, 2),
        (X234,),
        lambda m, x: m.sum(x[:, I3, I3 + 1], axis=1),
    ),
    Case("x.trace", "", lambda m, x: x.trace(), (real(3, 3),), lambda m, x: m.trace(x)),
    # (autograd's diagonal has a derivative for the last two axes only)
    Case(
        np.diagonal,
        "offset",
        lambda m, x: m.diagonal(x, -1),
        (real(4, 3),),
        lambda m, x: x[I3 + 1, I3],
    ),
    Case(
        np.diagonal,
        "axes",
        lambda m, x: m.diagonal(x, 0, 2, 0),
        (X234,),
        lambda m, x: m.transpose(x[np.arange(2), :, np.arange(2)]),
    ),
    Case("x.diagonal", "", lambda m, x: x.diagonal(), (X34,), lambda m, x: x[I3, I3]),
    Case(np.diag, "vector", lambda m, v: m.diag(v), (real(3),)),
    Case(np.diag, "vector offset", lambda m, v: m.diag(v, 1), (real(3),)),
    Case(np.diag, "matrix", lambda m, x: m.diag(x), (real(3, 3),)),
    Case(np.triu, "", lambda m, x: m.triu(x), (X34,)),
    Case(np.tril, "k", lambda m, x: m.tril(x, -1), (X234,)),
    # linear algebra
    Case(np.linalg.norm, "vector", lambda m, x: m.linalg.norm(x), (X3,)),
    Case(np.linalg.norm, "frobenius", lambda m, x: m.linalg.norm(x), (X34,)),
    Case(np.linalg.norm, "fro", lambda m, x: m.linalg.norm(x, "fro"), (X34,)),
    Case(np.linalg.norm, "axis", lambda m, x: m.linalg.norm(x, axis=1), (X34,)),
    Case(
        np.linalg.norm,
        "axis keepdims",
        lambda m, x: m.linalg.norm(x, axis=-1, keepdims=True),
        (X234,),
        lambda m, x: m.sqrt(m.sum(x * x, axis=-1, keepdims=True)),  # autograd's fails here
    ),
    Case(
        np.linalg.norm,
        "ord 1",
        lambda m, x: m.linalg.norm(x, 1),
        (away(4),),
        lambda m, x: m.sum(m.abs(x)),
    ),
    Case(
        np.linalg.norm,
        "ord inf",
        lambda m, x: m.linalg.norm(x, np.inf),
        (away(4),),
        lambda m, x: m.max(m.abs(x)),
    ),
    Case(
        np.linalg.norm,
        "ord 1 axis",
        lambda m, x: m.linalg.norm(x, 1, axis=0),
        (away(3, 4),),
        lambda m, x: m.sum(m.abs(x), axis=0),
    ),
    Case(np.linalg.norm, "ord 3", lambda m, x: m.linalg.norm(x, 3), (away(4),)),
    Case(
        np.linalg.norm,
        "matrix ord 1",
        lambda m, x: m.linalg.norm(x, 1),
        (away(3, 4),),
        lambda m, x: m.max(m.sum(m.abs(x), axis=0)),
    ),
    Case(
        np.linalg.norm,
        "matrix ord inf",
        lambda m, x: m.linalg.norm(x, np.inf),
        (away(3, 4),),
        lambda m, x: m.max(m.sum(m.abs(x), axis=1)),
    ),
    Case(np.linalg.solve, "vector", lambda m, a, b: m.linalg.solve(a, b), (matrix(3, 3), X3)),
    Case(
        np.linalg.solve, "matrix", lambda m, a, b: m.linalg.solve(a, b), (matrix(3, 3), real(3, 2))
    ),
    Case(
        np.linalg.solve,
        "batch",
        lambda m, a, b: m.linalg.solve(a, b),
        (matrix(2, 3, 3), real(2, 3, 2)),
    ),
    Case(np.linalg.inv, "", lambda m, a: m.linalg.inv(a), (matrix(3, 3),)),
    Case(np.linalg.inv, "batch", lambda m, a: m.linalg.inv(a), (matrix(2, 3, 3),)),
    Case(np.linalg.det, "", lambda m, a: m.linalg.det(a), (matrix(3, 3),)),
    Case(np.linalg.det, "batch", lambda m, a: m.linalg.det(a), (matrix(2, 3, 3),)),
    Case(np.linalg.slogdet, "", lambda m, a: m.linalg.slogdet(-a)[1], (matrix(3, 3),)),
    Case(np.linalg.slogdet, "batch", lambda m, a: m.linalg.slogdet(a)[1], (matrix(2, 3, 3),)),
    # shapes
    Case(np.vstack, "", lambda m, a, b: m.vstack([a, b, a]), (X3, real(2, 3))),
    Case(np.hstack, "vectors", lambda m, a, b: m.hstack([a, b]), (X3, real(2))),
    Case(np.hstack, "matrices", lambda m, a, b: m.hstack([a, b]), (X34, real(3, 2))),
    Case(np.column_stack, "", lambda m, a, b: m.column_stack([a, b]), (X3, real(3, 2))),
    Case(np.repeat, "flat", lambda m, x: m.repeat(x, 2), (real(2, 3),)),
    Case(
        np.repeat,
        "axis",
        lambda m, x: m.repeat(x, [1, 0, 2], axis=1),
        (real(2, 3),),
        lambda m, x: x[:, [0, 2, 2]],
    ),
    Case(
        "x.repeat",
        "",
        lambda m, x: x.repeat(2, axis=0),
        (real(2, 3),),
        lambda m, x: m.repeat(x, 2, axis=0),
    ),
    Case(np.tile, "", lambda m, x: m.tile(x, (2, 1, 2)), (real(2, 3),)),
    Case(np.roll, "flat", lambda m, x: m.roll(x, 5), (X34,)),
    Case(
        np.roll,
        "axes",
        lambda m, x: m.roll(x, (1, -2), axis=(0, 2)),
        (X234,),
        lambda m, x: m.roll(m.roll(x, 1, 0), -2, 2),
    ),
    Case(np.flip, "all", lambda m, x: m.flip(x), (X34,), lambda m, x: x[::-1, ::-1]),
    Case(np.flip, "axis", lambda m, x: m.flip(x, 1), (X234,), lambda m, x: x[:, ::-1]),
    Case(np.squeeze, "", lambda m, x: m.squeeze(x), (real(3, 1, 4, 1),)),
    Case(np.squeeze, "axis", lambda m, x: m.squeeze(x, axis=1), (real(3, 1, 4, 1),)),
    Case("x.squeeze", "", lambda m, x: x.squeeze(), (real(1, 3),), lambda m, x: m.squeeze(x)),
    Case(np.moveaxis, "", lambda m, x: m.moveaxis(x, 0, -1), (X234,)),
    Case(np.moveaxis, "several", lambda m, x: m.moveaxis(x, (0, 1), (2, 0)), (X234,)),
    Case(np.ravel, "", lambda m, x: m.ravel(x), (X234,)),
    Case("x.ravel", "", lambda m, x: x.ravel(), (X34,)),
    Case("x.flatten", "", lambda m, x: x.flatten(), (X34,), lambda m, x: m.ravel(x)),
    Case(np.copy, "", lambda m, x: m.copy(x) * x, (X34,), lambda m, x: x * x),
    Case("x.copy", "", lambda m, x: x.copy() * x, (X34,), lambda m, x: x * x),
    Case("x.astype", "", lambda m, x: x.astype(float) * x, (X34,)),
    Case(
        "x.var",
        "",
        lambda m, x: x.var(axis=0, ddof=1),
        (X34,),
        lambda m, x: m.var(x, axis=0, ddof=1),
    ),
    Case("x.std", "", lambda m, x: x.std(), (X34,), lambda m, x: m.std(x)),
    Case("x.cumsum", "", lambda m, x: x.cumsum(axis=0), (X34,), lambda m, x: m.cumsum(x, axis=0)),
    Case("x.clip", "", lambda m, x: x.clip(-0.5, 0.5), (X34,), lambda m, x: m.clip(x, -0.5, 0.5)),
]

CASE_IDS = [c.id for c in CASES]


@dataclass(frozen=True)
class PlainCase:
    """A function whose result is a constant (a shape, a comparison, a rounding)."""

    func: object
    fn: Callable
    draws: tuple[Draw, ...]

    @property
    def id(self) -> str:
        return _name(self.func)


#: Functions whose result is not differentiated, like a comparison: inside f they
#: give numpy's plain result on the values (a rounding has derivative 0, as in JAX).
PLAIN_CASES = [
    PlainCase(np.shape, lambda m, x: m.shape(x), (X34,)),
    PlainCase(np.ndim, lambda m, x: m.ndim(x), (X34,)),
    PlainCase(np.size, lambda m, x: m.size(x), (X34,)),
    PlainCase(np.round, lambda m, x: m.round(x, 1), (X34,)),
    PlainCase(np.around, lambda m, x: m.around(x), (X34,)),
    PlainCase("round", lambda m, x: round(x[0, 0]), (X34,)),
    PlainCase("x.round", lambda m, x: x.round(), (X34,)),
    PlainCase(np.zeros_like, lambda m, x: m.zeros_like(x), (X34,)),
    PlainCase(np.ones_like, lambda m, x: m.ones_like(x), (X34,)),
    PlainCase(np.full_like, lambda m, x: m.full_like(x, 2.5), (X34,)),
    PlainCase(np.empty_like, lambda m, x: m.empty_like(x).shape, (X34,)),
    PlainCase(np.isclose, lambda m, a, b: m.isclose(a, b, atol=0.5), (X34, X34)),
    PlainCase(np.allclose, lambda m, a, b: m.allclose(a, a + 1e-9 * b), (X34, X34)),
    PlainCase(np.isfinite, lambda m, x: m.isfinite(x), (X34,)),
    PlainCase(np.argmax, lambda m, x: m.argmax(x, axis=1), (X34,)),
    PlainCase(np.argmin, lambda m, x: m.argmin(x), (X34,)),
    PlainCase("x.argmax", lambda m, x: x.argmax(), (X34,)),
    PlainCase("x.argmin", lambda m, x: x.argmin(axis=0), (X34,)),
]
PLAIN = {c.func for c in PLAIN_CASES}


def rng_for(*keys) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(repr(keys).encode()))


def draw(case, salt=""):
    rng = rng_for(case.id, salt)
    return [d.sample(rng) for d in case.draws]


def ours(case):
    return lambda *a: case.fn(np, *a)


def theirs(case):
    fn = case.oracle or case.fn
    return lambda *a: fn(anp, *a)


def random_like(rng, x):
    return rng.normal(size=np.shape(x)) if np.ndim(x) else float(rng.normal())


def assert_close(actual, expected, what):
    """Same shape, a float dtype, and the same numbers (nan where autograd has nan)."""
    assert np.shape(actual) == np.shape(expected), what
    assert np.result_type(actual).kind == "f", f"{what}: dtype {np.result_type(actual)}"
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL, err_msg=what)


def quietly(derivative, *args):
    """Call one of autograd's derivatives, which warns when f does not depend on x."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Output seems independent of input")
        return derivative(*args)


def oracle_jacobian(fn, args, n):
    """autograd's Jacobian of fn with respect to args[n]: y.shape + x.shape."""
    return np.asarray(quietly(autograd.jacobian(fn, n), *args), dtype=float)


# --- values, first order -----------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_values_shapes_and_dtypes(case):
    """Inside both modes f computes numpy's value, of numpy's shape and dtype."""
    args = draw(case)
    expected = case.fn(np, *args)
    assert_close(theirs(case)(*args), expected, "autograd's own value")
    directions = tuple(random_like(rng_for(case.id, "v"), a) for a in args)
    value, _ = ad.jvp(ours(case), tuple(args), directions)
    for got, mode in ((value, "forward"), (ad.vjp(ours(case), *args)[0], "reverse")):
        assert np.shape(got) == np.shape(expected), mode
        assert np.result_type(got) == np.result_type(expected), mode
        np.testing.assert_allclose(got, expected, rtol=1e-15, atol=0, err_msg=mode)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_jacobians(case):
    """jacfwd (one forward sweep per input entry) and jacrev (one backward sweep
    per output entry) give autograd's Jacobian, for every argument."""
    args = draw(case)
    nums = tuple(range(len(args)))
    forward = ad.jacfwd(ours(case), nums)(*args)
    reverse = ad.jacrev(ours(case), nums)(*args)
    for n in nums:
        expected = oracle_jacobian(theirs(case), args, n)
        assert_close(forward[n], expected, f"jacfwd, argument {n}")
        assert_close(reverse[n], expected, f"jacrev, argument {n}")


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_jvp_and_vjp_along_random_directions(case):
    args = draw(case, "point")
    rng = rng_for(case.id, "directions")
    v = tuple(random_like(rng, a) for a in args)
    _, tangent = ad.jvp(ours(case), tuple(args), v)
    y, vjp_fn = ad.vjp(ours(case), *args)
    u = random_like(rng, y)
    pulled = vjp_fn(u)
    expected_tangent = 0.0
    for n, (a, d) in enumerate(zip(args, v)):
        jac = oracle_jacobian(theirs(case), args, n)
        expected_tangent = expected_tangent + np.tensordot(jac, d, axes=np.ndim(a))
        expected_pull = np.tensordot(u, jac, axes=np.ndim(y))
        assert_close(pulled[n], expected_pull, f"vjp, argument {n}")
    assert_close(tangent, expected_tangent, "jvp")


# --- second order ------------------------------------------------------------------------


def scalarized(case, m, w):
    """sum(w * sin(f)): a scalar whose Hessian needs f's second derivatives."""
    fn = case.fn if m is np else case.oracle or case.fn
    return lambda *a: m.sum(w * m.sin(fn(m, *a)))


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_hessians(case):
    """ad.hessian (forward over reverse) against autograd's Hessian, every block."""
    args = draw(case)
    w = random_like(rng_for(case.id, "w"), case.fn(np, *args))
    nums = tuple(range(len(args)))
    hessian = ad.hessian(scalarized(case, np, w), nums)(*args)
    s = scalarized(case, anp, w)
    for i in nums:
        for j in nums:
            expected = oracle_jacobian(autograd.grad(s, i), args, j)
            assert_close(hessian[i][j], expected, f"hessian block {i}, {j}")


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_hessian_vector_product_reverse_over_reverse(case):
    args = draw(case, "hvp")
    rng = rng_for(case.id, "hvp directions")
    w = random_like(rng, case.fn(np, *args))
    v = [random_like(rng, a) for a in args]
    nums = tuple(range(len(args)))
    gradient = ad.grad(scalarized(case, np, w), nums)
    hv = ad.grad(lambda *a: sum(np.sum(g * d) for g, d in zip(gradient(*a), v)), nums)(*args)
    s = scalarized(case, anp, w)
    for i in nums:
        expected = 0.0
        for j in nums:
            block = oracle_jacobian(autograd.grad(s, i), args, j)
            expected = expected + np.tensordot(block, v[j], axes=np.ndim(args[j]))
        assert_close(hv[i], expected, f"reverse over reverse, argument {i}")


# --- plain results ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", PLAIN_CASES, ids=[c.id for c in PLAIN_CASES])
def test_plain_results(case):
    """Inside f, in both modes, the function gives numpy's result on the values,
    as a plain value, which f's derivative treats as a constant c."""
    args = draw(case)
    expected = case.fn(np, *args)
    c = float(np.sum(expected))
    seen = []

    def f(*a):
        seen.append(case.fn(np, *a))
        return np.sum(a[0]) * float(np.sum(seen[-1]))

    grads = ad.grad(f)(*args), ad.jacfwd(f)(*args)
    assert len(seen) == 1 + np.size(args[0])  # one reverse sweep, one forward sweep per entry
    for got in seen:
        assert not isinstance(got, Differentiable)
        assert type(got) is type(expected)
        np.testing.assert_array_equal(got, expected)
        assert np.asarray(got).dtype == np.asarray(expected).dtype
    for g in grads:
        assert_close(g, np.full(np.shape(args[0]), c), "derivative")


# --- coverage -----------------------------------------------------------------------------


def _rules_used(case) -> set[str]:
    args = draw(case)
    w = random_like(rng_for(case.id, "w"), case.fn(np, *args))
    return {u.op for u in ad.trace(lambda *a: np.sum(w * case.fn(np, *a)), *args).units}


def test_every_function_has_an_oracle_case():
    """A function or rule added to adlearn's tables without a case here fails."""
    exercised = {c.func for c in CASES}
    missing = [_name(f) for f in [*BY_UFUNC, *BY_FUNCTION] if f not in exercised | PLAIN]
    assert missing == [], "add oracle cases for these"
    used = set().union(*(_rules_used(c) for c in CASES))
    internal = {"index_add", "sum_to"}  # only reached from other rules' derivatives
    assert set(RULES) - used - internal == set(), "no oracle case reaches these rules"


def test_every_supported_function_is_in_the_docs():
    text = (Path(__file__).parents[1] / "docs" / "numpy-support.md").read_text()
    names = [_name(f) for f in [*BY_UFUNC, *BY_FUNCTION]] + [f"x.{m}" for m in METHODS]
    assert [n for n in names if f"`{n}" not in text] == [], "list these in docs/numpy-support.md"


# --- random compositions ---------------------------------------------------------------------

#: name -> f(m, a, b) on arrays of shape (2, 3), kept inside every domain and
#: away from corners (log of 1 + a^2, not of a).
STEPS = {
    "add": lambda m, a, b: a + b,
    "mul": lambda m, a, b: a * b,
    "div": lambda m, a, b: a / (1.0 + b * b),
    "sin": lambda m, a, b: m.sin(a),
    "tanh": lambda m, a, b: m.tanh(a * b),
    "exp": lambda m, a, b: m.exp(m.sin(a)),
    "log": lambda m, a, b: m.log(1.0 + a * a),
    "sqrt": lambda m, a, b: m.sqrt(1.0 + a * a),
    "pow": lambda m, a, b: (1.0 + a * a) ** m.cos(b),
    "sum": lambda m, a, b: m.sum(a, axis=0, keepdims=True) * b,
    "mean": lambda m, a, b: m.mean(a * b, axis=1, keepdims=True) + a,
    "matmul": lambda m, a, b: m.dot(a, m.transpose(b)) @ a / 3.0,
    "transpose": lambda m, a, b: m.reshape(m.transpose(a), (2, 3)) - b,
    "index": lambda m, a, b: a[:, ::-1] * b[::-1],
    "stack": lambda m, a, b: m.concatenate([a[:, :2], b[:, 2:]], axis=1),
    "maximum": lambda m, a, b: m.maximum(a, b),
    "max": lambda m, a, b: m.max(a, axis=1, keepdims=True) * b,
    "prod": lambda m, a, b: m.prod(1.0 + 0.1 * a, axis=0, keepdims=True) + b,
    "cumsum": lambda m, a, b: m.cumsum(a, axis=1) * 0.5,
    "var": lambda m, a, b: m.var(a, axis=1, keepdims=True) * b,
    "norm": lambda m, a, b: m.linalg.norm(1.0 + a * a, axis=1)[:, None] - b,
    "einsum": lambda m, a, b: m.einsum("ij,kj->ik", a, b) @ a / 3.0,
    "logaddexp": lambda m, a, b: m.logaddexp(a, b),
    "hypot": lambda m, a, b: m.hypot(1.0 + a * a, b),
    "arctan2": lambda m, a, b: m.arctan2(a, 1.0 + b * b),
    "mod": lambda m, a, b: a % (1.5 + b * b),
    "solve": lambda m, a, b: m.linalg.solve(3.0 * m.eye(2) + m.dot(a, m.transpose(a)), b),
}

programs = st.lists(
    st.tuples(st.sampled_from(sorted(STEPS)), st.integers(0, 20), st.integers(0, 20)),
    min_size=1,
    max_size=6,
)


def run(program, m, x1, x2):
    values = [x1, x2]
    for name, i, j in program:
        values.append(STEPS[name](m, values[i % len(values)], values[j % len(values)]))
    return m.sum(m.sin(values[-1]))


@settings(max_examples=60, deadline=None)
@given(program=programs, seed=st.integers(0, 2**32 - 1))
def test_random_compositions_against_autograd(program, seed):
    rng = np.random.default_rng(seed)
    x1, x2, v1, v2 = rng.uniform(-1.5, 1.5, size=(4, 2, 3))

    def ours_f(a, b):
        return run(program, np, a, b)

    def theirs_f(a, b):
        return run(program, anp, a, b)

    value, grads = ad.value_and_grad(ours_f, (0, 1))(x1, x2)
    expected = [quietly(autograd.grad(theirs_f, n), x1, x2) for n in (0, 1)]
    np.testing.assert_allclose(value, theirs_f(x1, x2), rtol=1e-12)
    for g, e in zip(grads, expected):
        assert_close(g, e, "reverse")
    _, tangent = ad.jvp(ours_f, (x1, x2), (v1, v2))
    expected_tangent = np.sum(expected[0] * v1) + np.sum(expected[1] * v2)
    np.testing.assert_allclose(tangent, expected_tangent, rtol=1e-9, atol=1e-11)
    hv = ad.hvp(ours_f, (x1, x2), (v1, v2))

    def directional(a, b):
        grads = [quietly(autograd.grad(theirs_f, n), a, b) for n in (0, 1)]
        return anp.sum(grads[0] * v1) + anp.sum(grads[1] * v2)

    expected_hv = [quietly(autograd.grad(directional, n), x1, x2) for n in (0, 1)]
    for h, e in zip(hv, expected_hv):
        assert_close(h, e, "hessian-vector product")
