"""adlearn: automatic differentiation, built to be learnt.

Forward mode (dual numbers) and reverse mode (a tape) from one table of
derivative rules, on floats and numpy arrays, with the names and semantics of
JAX's ``grad``, ``jvp``, ``vjp``, ``jacfwd``, ``jacrev`` and ``hessian``.

Examples
--------
>>> import numpy as np
>>> import adlearn as ad
>>> from adlearn.examples import running_example as f
>>> [round(g, 4) for g in ad.grad(f, argnums=(0, 1))(2.0, 3.0)]
[2.5839, 2.0]
"""

from adlearn import array_rules, rules  # noqa: F401 (fills the rule table)
from adlearn.check import check_grad
from adlearn.checkpoint import checkpoint
from adlearn.forward import Dual, derivative, jacfwd, jvp
from adlearn.higher import hessian, hvp
from adlearn.reverse import Var, grad, jacrev, value_and_grad, vjp
from adlearn.trace import Trace, trace

__version__ = "0.1.0"


def __getattr__(name):
    # ad.jit loads the compiler (recording and code generation) when first used, so that
    # `import adlearn` stays as quick for a learner who never compiles
    if name == "jit":
        from adlearn.compiled import jit

        return jit
    raise AttributeError(f"module 'adlearn' has no attribute {name!r}")

__all__ = [
    "Dual",
    "Trace",
    "Var",
    "__version__",
    "check_grad",
    "checkpoint",
    "derivative",
    "grad",
    "hessian",
    "hvp",
    "jacfwd",
    "jacrev",
    "jit",
    "jvp",
    "trace",
    "value_and_grad",
    "vjp",
]
