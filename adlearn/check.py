"""Checking derivatives: both modes against two numerical estimates.

:func:`check_grad` differentiates f in forward mode and in reverse mode, and
estimates the same derivatives numerically in two ways:

- central differences, ``(f(x + h) - f(x - h)) / 2h``: works for any f, but
  is only accurate to about 1e-10 (truncation error against rounding error);
- the complex step, ``Im f(x + ih) / h`` with ``h = 1e-20``: accurate to the
  last digit, because nothing is subtracted, but only for an f that is
  *analytic* (a power series: sin, exp, products, ...) and runs on complex
  numbers. ``abs``, ``sign``, ``maximum`` and ``minimum`` are not, so where f
  uses them the complex step is reported as unavailable, with the reason.

Examples
--------
>>> import numpy as np
>>> import adlearn as ad
>>> def f(x1, x2):
...     return x1 * x2 + np.sin(x1)
>>> result = ad.check_grad(f, 2.0, 3.0)
>>> [round(g, 6) for g in result.reverse]  # (x2 + cos x1, x1)
[2.583853, 2.0]
>>> result.max_error < 1e-8
True
>>> sorted(result.errors)
['forward vs central', 'forward vs complex step', 'forward vs reverse', 'reverse vs central', 'reverse vs complex step']
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from adlearn.forward import jacfwd
from adlearn.inputs import argnums_tuple, as_primal, value_of
from adlearn.pytree import LEAF, checked_leaves, flatten, is_leaf, leaf_paths, unflatten
from adlearn.reverse import jacrev
from adlearn.trace import RecordingTape

__all__ = ["NOT_ANALYTIC", "GradCheck", "check_grad"]

#: Primitives that are not analytic functions, so the complex step cannot
#: differentiate them: on a complex number they do something else (``abs``
#: returns the modulus, ``maximum`` compares lexicographically).
NOT_ANALYTIC = frozenset({"abs", "sign", "maximum", "minimum", "hypot", "mod"})

#: The step of the complex-step estimate: no cancellation, so it can be tiny.
COMPLEX_STEP = 1e-20


@dataclass(frozen=True, repr=False)
class GradCheck:
    """The result of :func:`check_grad`: four estimates of the same derivatives.

    Each estimate is a tuple with one entry per argument in ``argnums``: the
    Jacobian ``d f / d x``, of shape ``f(x).shape + x.shape`` (the gradient,
    of the shape of x, for a scalar f). For an argument that is a container
    (nested lists, tuples and dicts), the entry is a container of the same
    structure, with the Jacobian of each leaf in its place.

    Attributes
    ----------
    argnums : tuple of int
        The arguments differentiated.
    forward, reverse : tuple
        Forward mode (``ad.jacfwd``) and reverse mode (``ad.jacrev``).
    central : tuple
        Central differences with steps ``steps``.
    complex_step : tuple or None
        The complex-step estimate, or None where it is unavailable.
    complex_step_note : str
        Why the complex step is unavailable ('' where it is available).
    steps : tuple
        The central-difference step of each argument (an array for an array,
        a container for a container).
    errors : dict
        ``"forward vs reverse"``, ``"forward vs central"``, ... -> the largest
        difference between the two estimates, relative where the value is
        larger than 1: ``max |a - b| / max(1, |b|)`` over every entry.
    """

    argnums: tuple[int, ...]
    forward: tuple
    reverse: tuple
    central: tuple
    complex_step: tuple | None
    complex_step_note: str
    steps: tuple
    errors: dict[str, float] = field(default_factory=dict)

    @property
    def max_error(self) -> float:
        """The largest of the errors (nan if any is nan)."""
        return float(np.max(list(self.errors.values())))

    def __repr__(self) -> str:
        columns = [("forward", self.forward), ("reverse", self.reverse)]
        columns.append(("central", self.central))
        if self.complex_step is not None:
            columns.append(("complex step", self.complex_step))
        lines = ["GradCheck"]
        for k, n in enumerate(self.argnums):
            for i, path in enumerate(leaf_paths(self.forward[k])):
                lines.append(f"  d f / d argument {n}{path}:")
                for name, values in columns:
                    lines.append(f"    {name:<13}{_show(flatten(values[k])[0][i])}")
        if self.complex_step is None:
            lines.append(f"    complex step unavailable: {self.complex_step_note}")
        lines.append("  errors (max |a - b| / max(1, |b|)):")
        lines += [f"    {pair:<25}{error:.1e}" for pair, error in self.errors.items()]
        return "\n".join(lines)


def check_grad(f, *primals, argnums=None, eps=None) -> GradCheck:
    """Check f's derivatives: forward and reverse mode against finite differences.

    Parameters
    ----------
    f : callable
        A function of floats or arrays that returns a float or an array.
    *primals : float, array or container
        The point. An argument may be a container of floats and arrays (nested
        lists, tuples and dicts, such as a network's parameters): each of its
        leaves is checked, and each estimate has its structure.
    argnums : int or tuple of int, optional
        The arguments to differentiate; by default all of them.
    eps : float, optional
        The central-difference step. By default, for each entry,
        ``cbrt(machine epsilon) * max(1, |x|)`` (about 6e-6 near 1), which
        balances truncation against rounding.

    Returns
    -------
    GradCheck
        The four estimates and the largest differences between them.

    Examples
    --------
    On the running example, every estimate agrees with ``(x2 + cos x1, x1)``:

    >>> import numpy as np
    >>> import adlearn as ad
    >>> def f(x1, x2):
    ...     return x1 * x2 + np.sin(x1)
    >>> result = ad.check_grad(f, 2.0, 3.0)
    >>> expected = (3.0 + np.cos(2.0), 2.0)
    >>> all(np.allclose(g, expected) for g in (result.forward, result.central))
    True
    >>> print(f"{result.errors['forward vs reverse']:.1e}")
    0.0e+00
    >>> result.errors["forward vs complex step"] < 1e-15
    True

    ``abs`` is not analytic, so the complex step does not apply:

    >>> ad.check_grad(lambda x: np.abs(x) * x, -2.0).complex_step_note
    'f uses abs, which is not analytic (on a complex number it does something else)'

    A container is checked leaf by leaf, and each estimate has its structure:

    >>> result = ad.check_grad(lambda p: p["w"] ** 2 * p["b"], {"w": 3.0, "b": 2.0})
    >>> result.reverse
    ({'w': 12.0, 'b': 9.0},)
    """
    if not callable(f):
        raise TypeError(f"check_grad: f must be a function, got a {type(f).__name__}")
    if not primals:
        raise TypeError("check_grad: give the point, as in check_grad(f, 2.0, 3.0)")
    if argnums is None:
        nums = tuple(range(len(primals)))
    else:
        nums = argnums_tuple(argnums, len(primals), "check_grad")
    # a container not differentiated (data, settings) goes to f as it is, as in ad.grad
    checked = [checked_leaves(p, "check_grad", i, as_primal) if i in nums or is_leaf(p)
               else ([p], LEAF) for i, p in enumerate(primals)]  # fmt: skip
    if eps is not None and not (isinstance(eps, (int, float)) and eps > 0):
        raise ValueError(f"check_grad: eps must be a positive float, got {eps!r}")
    # every estimate is made on the leaves, as separate arguments of one function
    structures = [structure for _, structure in checked]
    values = [leaf for leaves, _ in checked for leaf in leaves]
    first = [0]
    for leaves, _ in checked:
        first.append(first[-1] + len(leaves))

    def on_leaves(*leaves):
        return f(*(unflatten(s, leaves[a:b]) for s, a, b in zip(structures, first, first[1:])))

    leaf_nums = tuple(k for n in nums for k in range(first[n], first[n + 1]))

    def per_argument(per_leaf):
        """Estimates leaf by leaf, regrouped one entry per argument, of its structure."""
        at = dict(zip(leaf_nums, per_leaf))
        return tuple(unflatten(structures[n], [at[k] for k in range(first[n], first[n + 1])])
                     for n in nums)  # fmt: skip

    forward = per_argument([_plain(j) for j in _jacobians(jacfwd, on_leaves, leaf_nums, values)])
    reverse = per_argument([_plain(j) for j in _jacobians(jacrev, on_leaves, leaf_nums, values)])
    steps = [_steps(values[k], eps) for k in leaf_nums]
    central = per_argument([_central(on_leaves, values, k, h) for k, h in zip(leaf_nums, steps)])
    note = _not_analytic(on_leaves, values, leaf_nums)
    complex_step = None
    if not note:
        try:
            complex_step = per_argument([_complex_step(on_leaves, values, k) for k in leaf_nums])
        except Exception as err:  # noqa: BLE001 (any failure on complex input is a reason)
            note = f"f failed on complex input: {type(err).__name__}: {err}"
    steps = per_argument(steps)
    errors = {
        "forward vs reverse": _error(forward, reverse),
        "forward vs central": _error(forward, central),
        "reverse vs central": _error(reverse, central),
    }
    if complex_step is not None:
        errors["forward vs complex step"] = _error(forward, complex_step)
        errors["reverse vs complex step"] = _error(reverse, complex_step)
    return GradCheck(nums, forward, reverse, central, complex_step, note, steps, errors)


def _jacobians(jacobian, f, nums, values) -> tuple:
    """``jacfwd`` or ``jacrev`` of f in the arguments ``nums``: one Jacobian each."""
    if not nums:
        return ()
    return jacobian(f, nums)(*values)


def _plain(x):
    """A Jacobian as a float (for a scalar) or a float array."""
    x = np.asarray(value_of(x), dtype=float)
    return float(x) if x.ndim == 0 else x


def _steps(x, eps):
    """The central-difference step for each entry of x."""
    scale = np.maximum(1.0, np.abs(x))
    h = scale * np.cbrt(np.finfo(float).eps) if eps is None else scale * 0.0 + float(eps)
    return float(h) if np.ndim(h) == 0 else h


def _with(values, n, x):
    return [*values[:n], x, *values[n + 1 :]]


def _central(f, values, n, h):
    """Central differences: one pair of evaluations of f per entry of argument n."""
    x = np.asarray(values[n], dtype=float)
    h = np.broadcast_to(h, x.shape)
    columns = []
    for k in range(x.size):
        up, down = x.copy(), x.copy()
        up.flat[k] += h.flat[k]
        down.flat[k] -= h.flat[k]
        step = up.flat[k] - down.flat[k]  # the step actually taken, after rounding
        hi = f(*_with(values, n, up if x.ndim else float(up)))
        lo = f(*_with(values, n, down if x.ndim else float(down)))
        columns.append((np.asarray(hi, dtype=float) - np.asarray(lo, dtype=float)) / step)
    return _stack(columns, x.shape)


def _complex_step(f, values, n):
    """Im f(x + ih) / h, one evaluation per entry of argument n."""
    x = np.asarray(values[n], dtype=complex)
    columns = []
    for k in range(x.size):
        z = x.copy()
        z.flat[k] += 1j * COMPLEX_STEP
        y = f(*_with(values, n, z if x.ndim else z[()]))  # a numpy complex: it compares
        columns.append(np.imag(np.asarray(y)) / COMPLEX_STEP)
    return _stack(columns, x.shape)


def _stack(columns, in_shape):
    """Columns d f / d x_k as a Jacobian of shape f.shape + x.shape."""
    stacked = np.stack(columns, axis=-1)
    jacobian = stacked.reshape(np.shape(columns[0]) + in_shape)
    return float(jacobian) if jacobian.ndim == 0 else jacobian


def _not_analytic(f, values, nums) -> str:
    """Why the complex step cannot differentiate f ('' when it can)."""
    tape = RecordingTape()
    on_tape = list(values)
    for n in nums:
        on_tape[n] = tape.input(values[n])
    f(*on_tape)
    used = {rule.name for rule, _operands, _value in tape.records if rule is not None}
    names = sorted(used & NOT_ANALYTIC)
    if not names:
        return ""
    which = "which is" if len(names) == 1 else "which are"
    return (
        f"f uses {', '.join(names)}, {which} not analytic "
        "(on a complex number it does something else)"
    )


def _error(estimates, references) -> float:
    """``max |a - b| / max(1, |b|)`` over all entries; equal infinities count as 0."""
    worst = [0.0]
    for a, b in zip(flatten(estimates)[0], flatten(references)[0]):
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        with np.errstate(invalid="ignore"):
            diff = np.where(a == b, 0.0, np.abs(a - b)) / np.maximum(1.0, np.abs(b))
        worst.extend(diff.ravel())
    return float(np.max(worst))  # nan if any entry is nan


def _show(value) -> str:
    if np.ndim(value) == 0:
        return f"{float(value):.10g}"
    text = np.array2string(np.asarray(value), precision=8, separator=", ")
    return text.replace("\n", "\n" + " " * 17)
