"""A measured fast path: the backward sweep on large arrays, with less memory traffic.

:meth:`adlearn.reverse.Tape.backward` is the reference: the notebook's loop,
``w_bar_j += w_bar * partial_j``. On arrays of a million entries its time goes
into memory, not arithmetic: every contribution ``w_bar * partial_j`` is a new
array, and so is every sum ``w_bar_j + contribution``. This sweep walks the
same tape in the same order and gives the same adjoints, with five savings:

1. a partial that is the constant 1.0 (``add``, the first operand of ``sub``)
   passes a floating adjoint array on as it is: ``w_bar * 1.0`` is ``w_bar``
   (the units that receive it share it, so none of them sums into it in
   place, and two inputs never get the same array);
2. a contribution is added *in place* to an adjoint array this sweep made
   itself (no one else holds it), or the other way round; addition is
   commutative, so the sums are the same to the last bit;
3. an adjoint that is the number 1.0 (the seed of ``grad``, which ``np.sum``
   hands on as it is, for all of its operand) passes each array partial on
   as it is, where the product would keep the partial's dtype: ``1.0 *
   partial_j`` is ``partial_j``. Such a partial belongs to the tape or to the
   caller (``c`` in ``c * x``), so it is only read, and an input's adjoint
   that is one of them is copied at the end;
4. the adjoint of an entry read by basic indexing (``x[1:]``, ``x[0]``) is
   added in place into such an array at its index, instead of building an
   array of zeros and adding that, where that array has the unit's whole
   shape (an adjoint may be a smaller array that stands for its broadcast,
   as ``1.0 * x[:1]`` does for every entry of ``x`` in ``x * x[:1]``);
5. a seed that is an array of ones (``vjp_fn(np.ones_like(y))``: the
   derivative of each entry of an elementwise f) is the number one, in the
   seed's dtype, standing for each entry, as ``grad``'s seed does after
   ``np.sum``: the partials are then lent (saving 3) instead of multiplied
   by ones. One comparison of the seed with 1.0 decides it.

Anything else (an array rule's pullback, a tape variable of an outer sweep as
the adjoint, an integer adjoint) goes exactly as in the reference.
:func:`adlearn.reverse._adjoints` uses this sweep when an argument being
differentiated is an array; floats take the reference loop, the one to read.
``tests/test_fast_backward.py`` checks that both sweeps give equal adjoints,
and ``benchmarks/engine.py`` (sections c and d) measures what it buys.

Examples
--------
>>> import numpy as np
>>> import adlearn as ad
>>> from adlearn.reverse import Tape
>>> tape = Tape()
>>> x = tape.input(np.array([1.0, 2.0, 3.0]))
>>> y = np.sum(x[1:] * x[:-1] + x[1:])
>>> w_bar = backward(tape, {y.index: 1.0})
>>> print(w_bar[x.index], tape.backward({y.index: 1.0})[x.index])
[2. 5. 3.] [2. 5. 3.]
"""

from __future__ import annotations

import numpy as np

from adlearn.array_rules import GETITEM, _index_add, _is_basic
from adlearn.reverse import fit

__all__ = ["backward"]


def backward(tape, seeds: dict) -> list:
    """The adjoint of every entry of ``tape`` (as :meth:`Tape.backward <adlearn.reverse.Tape.backward>`)."""
    entries = tape.entries
    w_bar: list = [None] * (max(seeds) + 1)
    own = [False] * len(w_bar)  # w_bar[i] is an array this sweep made and no one else holds
    for out, seed in seeds.items():
        w_bar[out] = _one_if_ones(seed)

    def receive(j, contribution, made):
        """w_bar_j += contribution; ``made``: the contribution is an array of this sweep's own."""
        total = w_bar[j]
        if total is None:
            w_bar[j], own[j] = contribution, made
        elif own[j] and _fits_into(contribution, total):
            np.add(total, contribution, out=total)
        elif made and _fits_into(total, contribution):
            w_bar[j], own[j] = np.add(contribution, total, out=contribution), True
        else:
            w_bar[j] = total + contribution
            own[j] = type(w_bar[j]) is np.ndarray  # a new array

    lent = set()  # the ids of partials passed on as adjoints (saving 3)
    for i in reversed(range(len(w_bar))):
        entry = entries[i]
        if w_bar[i] is None or not entry.parents:
            continue
        adjoint = w_bar[i]
        if entry.pullback is None:
            floating = _is_float_array(adjoint)  # once per entry, not per partial
            one = isinstance(adjoint, (float, np.floating)) and adjoint == 1.0
            for j, partial in entry.parents:
                if floating and type(partial) is float and partial == 1.0:  # passed on, shared
                    contribution, made = adjoint, False
                elif (
                    one
                    and type(partial) is np.ndarray
                    and partial.dtype.kind == "f"
                    and (type(adjoint) is float or adjoint.dtype == partial.dtype)
                ):  # the partial, lent
                    contribution, made = partial, False
                    lent.add(id(partial))
                else:
                    contribution = adjoint * partial
                    made = type(contribution) is np.ndarray
                if entries[j].shape != entry.shape:
                    fitted = fit(contribution, entries[j].shape, entry.shape)
                    contribution, made = fitted, made and fitted is contribution
                receive(j, contribution, made)
        elif _scatters(entry, adjoint):
            j, index = entry.parents[0][0], entry.pullback.params["index"]
            total = w_bar[j]
            # in place only into an array of the sweep's own of the unit's whole shape: an
            # adjoint may be a smaller stand-in, broadcast to it (1.0 * x[:1] in x * x[:1])
            whole = own[j] and total.shape == entries[j].shape
            at = total[index] if whole else None  # a view into total (a number, for x[0])
            if type(at) is np.ndarray and _fits_into(adjoint, at):
                np.add(at, adjoint, out=at)
            elif whole and _adds_at(adjoint, total, index):
                total[index] += adjoint
            else:  # what the pullback computes: zeros, with the adjoint at the index
                receive(j, _index_add(adjoint, index, entries[j].shape), True)
        else:
            for (j, _), contribution in zip(entry.parents, entry.pullback(adjoint)):
                receive(j, contribution, False)
    # an adjoint passed on to two inputs (x + y) is one array: each input gets its own;
    # and a lent partial is the tape's or the caller's: the input gets a copy
    inputs = set()
    for i, total in enumerate(w_bar):
        if type(total) is np.ndarray and not entries[i].parents:
            if id(total) in inputs or (id(total) in lent and not own[i]):
                w_bar[i] = total.copy()
            inputs.add(id(w_bar[i]))
    return w_bar


def _one_if_ones(seed):
    """Saving 5: a float array of ones is the number one of its dtype (which the
    rules broadcast where they need an array: ``full``, ``fit``); any other seed as it is."""
    if _is_float_array(seed) and seed.size and seed.flat[0] == 1.0 and (seed == 1.0).all():
        return seed.dtype.type(1.0)
    return seed


def _is_float_array(x) -> bool:
    return type(x) is np.ndarray and x.dtype.kind == "f"


def _fits_into(x, total) -> bool:
    """``total += x`` gives ``total + x``: same shape, same dtype, plain numbers."""
    if type(total) is not np.ndarray or not isinstance(x, (float, np.ndarray, np.floating)):
        return False
    if type(x) is np.ndarray and x.shape == total.shape and x.dtype == total.dtype:
        return True  # the common case, without numpy's general rules below
    return (
        np.broadcast_shapes(total.shape, np.shape(x)) == total.shape
        and np.result_type(total, x) == total.dtype
    )


def _adds_at(adjoint, total, index) -> bool:
    """``total[index] += adjoint`` gives ``total[index] + adjoint``, in total's dtype."""
    if type(adjoint) is np.ndarray and adjoint.dtype == total.dtype:
        return adjoint.shape == np.shape(total[index])
    return np.shape(adjoint) == np.shape(total[index]) and (
        np.result_type(total, adjoint) == total.dtype
    )


def _scatters(entry, adjoint) -> bool:
    """An entry read by basic indexing, whose pullback makes a new array of zeros
    with the adjoint at the index (an array of the sweep's own)."""
    pullback = entry.pullback  # a rule's, or another kind (a checkpoint's)
    return (
        getattr(pullback, "rule", None) is GETITEM
        and _is_basic(pullback.params["index"])
        and isinstance(adjoint, (float, np.ndarray, np.floating))
    )
