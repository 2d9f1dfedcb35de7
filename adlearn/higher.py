"""Second derivatives: forward mode over reverse mode.

The Hessian is the Jacobian of the gradient. Reverse mode gives the gradient
in one sweep; forward mode then differentiates that whole computation (the
tape, the backward sweep and all) along one direction per sweep. A
Hessian-vector product needs a single forward sweep.

Examples
--------
>>> import numpy as np
>>> import adlearn as ad
>>> def f(x1, x2):
...     return x1 * x2 + np.sin(x1)
>>> np.round(np.array(ad.hessian(f, argnums=(0, 1))(2.0, 3.0)), 4)
array([[-0.9093,  1.    ],
       [ 1.    ,  0.    ]])
"""

from __future__ import annotations

import numpy as np

from adlearn.forward import checked_pairs, jacfwd, jvp
from adlearn.inputs import a_function, argnums_tuple, as_primal, in_dtype, value_of
from adlearn.pytree import checked_leaves, is_leaf, tree_map
from adlearn.reverse import grad

__all__ = ["hessian", "hvp"]


def hessian(f, argnums=0):
    """The Hessian of a scalar f, by forward mode over reverse mode.

    With an int ``argnums``, an array of shape ``x.shape + x.shape``; with a
    tuple, a tuple of tuples ``H[i][j] = d2f / dx_i dx_j``, of shape
    ``x_i.shape + x_j.shape`` (as in JAX). For an argument that is a container
    (nested lists, tuples and dicts of floats and arrays), the Hessian nests
    two copies of its structure, as in JAX: ``H[a][b]`` is the block
    ``d2f / dp[a] dp[b]``, of shape ``p[a].shape + p[b].shape``. With a tuple
    of argnums and containers, also as in JAX, the result has the gradient's
    structure, each leaf a tuple with one entry per argument.

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> ad.hessian(lambda x: np.sum(x**3))(np.array([1.0, 2.0]))
    array([[ 6.,  0.],
           [ 0., 12.]])
    >>> ad.hessian(lambda p: p["a"] ** 2 * p["b"])({"a": 1.0, "b": 3.0})
    {'a': {'a': 6.0, 'b': 2.0}, 'b': {'a': 2.0, 'b': 0.0}}
    """
    a_function(f, "hessian")
    gradient = grad(f, argnums)

    def h(*args, **kwargs):
        nums = argnums_tuple(argnums, len(args), "hessian")  # errors that name hessian
        arrays = []  # the arrays differentiated: the Hessian takes their floating dtype
        for i, a in enumerate(args):
            if i in nums:
                leaves = checked_leaves(a, "hessian", i, as_primal)[0]
                arrays += [x for x in map(value_of, leaves) if isinstance(x, np.ndarray)]
            elif is_leaf(a):
                as_primal(a, "hessian", i)
        # H[i][j]: the derivative of the partial df/dx_i along x_j
        jacobian = jacfwd(gradient, nums if not isinstance(argnums, int) else argnums)
        result = _named("hessian", jacobian, *args, **kwargs)
        if not arrays:
            return result
        dtype = np.result_type(*arrays)
        return tree_map(lambda block: in_dtype(block, dtype), result)

    return h


def hvp(f, primals, tangents):
    """The Hessian-vector product ``H v`` of a scalar f, in one forward sweep.

    ``primals`` and ``tangents`` are tuples, one entry per argument of f; the
    result is a tuple with one entry per argument. An argument may be a
    container (nested lists, tuples and dicts of floats and arrays): its
    tangent, and its entry of the result, have its structure.

    Examples
    --------
    >>> import numpy as np
    >>> import adlearn as ad
    >>> f = lambda x1, x2: x1 * x2 + np.sin(x1)
    >>> [round(v, 4) for v in ad.hvp(f, (2.0, 3.0), (1.0, 0.0))]
    [-0.9093, 1.0]
    >>> ad.hvp(lambda p: p["a"] ** 2 * p["b"], ({"a": 1.0, "b": 3.0},), ({"a": 1.0, "b": 0.0},))
    ({'a': 6.0, 'b': 2.0},)
    """
    a_function(f, "hvp")
    args, seeds = checked_pairs(primals, tangents, "hvp")
    argnums = tuple(range(len(args)))
    return _named("hvp", jvp, grad(f, argnums), tuple(args), tuple(seeds))[1]


def _named(where, call, *args, **kwargs):
    """``call(*args, **kwargs)``, where an error about f's output (checked by grad,
    inside) names the function the learner called: hessian or hvp."""
    try:
        return call(*args, **kwargs)
    except (TypeError, ValueError) as err:
        if not str(err).startswith("grad: "):
            raise
        raise type(err)(f"{where}: {str(err).removeprefix('grad: ')}") from None
