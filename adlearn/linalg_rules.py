"""The rules of linear algebra: solve, inv, det and log|det|.

Each works on a matrix or a stack of matrices (the last two axes), as numpy's
``np.linalg`` does. Their JVP and VJP rules are the textbook identities
(``d inv(A) = -inv(A) dA inv(A)``, ``d det(A) = det(A) trace(inv(A) dA)``),
written with differentiable operations, so that they can be differentiated
again. They need A invertible: at a singular matrix numpy raises
``LinAlgError`` (see docs/singular-points.md).

Examples
--------
>>> import numpy as np
>>> import adlearn as ad
>>> A = np.array([[2.0, 1.0], [1.0, 3.0]])
>>> ad.grad(np.linalg.det)(A)  # det(A) inv(A)^T: the cofactors
array([[ 3., -1.],
       [-1.,  2.]])
"""

from __future__ import annotations

import numpy as np

from adlearn.array_rules import expand_dims, full, getitem, matmul, sum_, sum_to, swapaxes
from adlearn.dispatch import NO_PARAMS, bind
from adlearn.inputs import value_of
from adlearn.primitive import RULES, rule

__all__ = ["RULES", "det", "inv", "logabsdet", "solve"]


# --- the differentiable operations ------------------------------------------------------


def solve(a, b):
    """``inv(a) @ b`` for matrices b (..., n, k), without forming inv(a)."""
    return bind(SOLVE, (a, b), NO_PARAMS)


def inv(a):
    return bind(INV, (a,), NO_PARAMS)


def det(a):
    return bind(DET, (a,), NO_PARAMS)


def logabsdet(a):
    """log |det(a)|: the second result of ``np.linalg.slogdet``."""
    return bind(LOGABSDET, (a,), NO_PARAMS)


def _shape(x):
    return np.shape(value_of(x))


def _transposed(a):
    """Each matrix transposed (the last two axes swapped)."""
    return swapaxes(a, axis1=-1, axis2=-2)


def _trace(m):
    """The trace of each matrix (over the last two axes)."""
    i = np.arange(_shape(m)[-1])
    return sum_(getitem(m, index=(Ellipsis, i, i)), axis=-1)


def _per_matrix(y):
    """y of shape (...), one number per matrix, as (..., 1, 1) to scale each matrix."""
    return expand_dims(expand_dims(y, axis=-1), axis=-1)


# --- solve: x = inv(A) b, so A dx = db - dA x ----------------------------------------------


def _solve_jvp(args, tangents, out):
    (a, b), (ta, tb) = args, tangents
    rhs = None if tb is None else full(tb, _shape(b))
    if ta is not None:
        term = -matmul(full(ta, _shape(a)), out)
        rhs = term if rhs is None else rhs + term
    return solve(a, rhs)


def _solve_vjp_a(w_bar, a, b, out):
    # A_bar = -inv(A)^T w_bar x^T, summed over the batch axes A was broadcast along
    b_bar = solve(_transposed(a), full(w_bar, _shape(out)))
    return sum_to(-matmul(b_bar, _transposed(out)), shape=_shape(a))


def _solve_vjp_b(w_bar, a, b, out):
    return sum_to(solve(_transposed(a), full(w_bar, _shape(out))), shape=_shape(b))


# --- inv: d inv(A) = -inv(A) dA inv(A) -------------------------------------------------------


def _inv_jvp(args, tangents, out):
    return -matmul(matmul(out, full(tangents[0], _shape(args[0]))), out)


def _inv_vjp(w_bar, a, out):
    out_t = _transposed(out)
    return -matmul(matmul(out_t, full(w_bar, _shape(out))), out_t)


# --- det and log|det|: d log|det(A)| = trace(inv(A) dA) -----------------------------------------


def _needing_inverse(name, step, *args):
    """``step(*args)``, a step of the derivative of ``np.linalg.<name>`` that uses the
    inverse: at a singular matrix, an error that names the function the learner called."""
    try:
        return step(*args)
    except ValueError as err:
        if "Singular matrix" not in str(err):
            raise
        raise np.linalg.LinAlgError(  # a ValueError, as numpy's
            f"np.linalg.{name}: its derivative at a singular matrix (det 0) needs the inverse, "
            "which does not exist there: Singular matrix (see docs/singular-points.md)"
        ) from None


def _det_jvp(args, tangents, out):
    (a,), (t,) = args, tangents
    return out * _trace(_needing_inverse("det", solve, a, full(t, _shape(a))))


def _det_vjp(w_bar, a, out):
    return _per_matrix(full(w_bar, _shape(out)) * out) * _transposed(_needing_inverse("det", inv, a))


def _logabsdet_jvp(args, tangents, out):
    (a,), (t,) = args, tangents
    return _trace(_needing_inverse("slogdet", solve, a, full(t, _shape(a))))


def _logabsdet_vjp(w_bar, a, out):
    return _per_matrix(full(w_bar, _shape(out))) * _transposed(_needing_inverse("slogdet", inv, a))


# --- the table ------------------------------------------------------------------------------

SOLVE = rule("solve", compute=np.linalg.solve, formula="solve({0}, {1})",
             jvp=_solve_jvp, vjps=(_solve_vjp_a, _solve_vjp_b))
INV = rule("inv", compute=np.linalg.inv, formula="inv({0})", jvp=_inv_jvp, vjps=(_inv_vjp,))
DET = rule("det", compute=np.linalg.det, formula="det({0})", jvp=_det_jvp, vjps=(_det_vjp,))
LOGABSDET = rule("logabsdet", compute=lambda a: np.linalg.slogdet(a)[1],
                 formula="log|det({0})|", jvp=_logabsdet_jvp, vjps=(_logabsdet_vjp,))  # fmt: skip
