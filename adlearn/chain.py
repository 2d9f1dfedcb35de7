"""The chain rule as a product of Jacobians, and what each order of that product costs.

A program is a chain of layers, x -> L1 -> L2 -> ... -> LK -> y, so its Jacobian
is a product ``J = JK ... J2 J1``, where ``Jk`` is the Jacobian of layer k: a
``dims[k]``-by-``dims[k-1]`` matrix (``dims[0] = n`` inputs, ``dims[-1] = m``
outputs). Matrix products associate, so the product can be taken in any order,
and the orders cost very different numbers of multiplications:

- **forward** (right to left, ``JK (... (J2 J1))``): every partial product has
  n columns; this is what forward mode does, one column per input;
- **reverse** (left to right, ``((JK JK-1) ...) J1``): every partial product has
  m rows; this is what reverse mode does, one row per output;
- the **best** order, found by the classic matrix-chain dynamic programme.

Multiplying a p-by-q matrix by a q-by-r matrix takes p*q*r multiplications.

Examples
--------
>>> from adlearn import chain
>>> dims = [1000, 100, 10, 1]     # 1000 inputs, layers of 100 and 10, one output
>>> chain.chain_cost(dims, "forward"), chain.chain_cost(dims, "reverse")
(1010000, 101000)
>>> chain.best_order(dims)
(101000, 'J3 J2 J1 = (J3 J2) J1')
"""

from __future__ import annotations

__all__ = ["ORDERS", "best_order", "chain_cost", "check_dims", "matvec_cost", "product_label"]

ORDERS = ("forward", "reverse")


def check_dims(dims, where: str = "chain") -> list[int]:
    """``dims`` as a list of positive ints: n, the layer widths, m (at least two numbers)."""
    try:
        out = [int(d) for d in dims]
    except (TypeError, ValueError):
        raise TypeError(
            f"{where}: dims must be a list of sizes [n, ..., m], got {dims!r}"
        ) from None
    if len(out) < 2:
        raise ValueError(f"{where}: dims needs at least two sizes (inputs, outputs), got {dims!r}")
    if any(d < 1 or d != float(s) for d, s in zip(out, dims)):
        raise ValueError(f"{where}: every size must be a whole number >= 1, got {dims!r}")
    return out


def chain_cost(dims, order: str = "forward") -> int:
    """Multiplications to form the whole Jacobian ``J = JK ... J1`` in ``order``.

    ``order`` is ``"forward"`` (right to left: n columns carried up) or
    ``"reverse"`` (left to right: m rows carried down).

    Examples
    --------
    >>> chain_cost([2, 2, 2, 1], "forward")   # the running example's three layers
    12
    >>> chain_cost([2, 2, 2, 1], "reverse")
    8
    """
    d = check_dims(dims, "chain_cost")
    n, m, k = d[0], d[-1], len(d) - 1
    if order == "forward":
        # J1 is already d1-by-n; each later layer multiplies a (d_j x d_{j-1}) by (d_{j-1} x n)
        return sum(d[j] * d[j - 1] * n for j in range(2, k + 1))
    if order == "reverse":
        # JK is m-by-d_{K-1}; each earlier layer: (m x d_j) times (d_j x d_{j-1})
        return sum(m * d[j] * d[j - 1] for j in range(1, k))
    raise ValueError(f"chain_cost: order must be 'forward' or 'reverse', got {order!r}")


def matvec_cost(dims) -> int:
    """Multiplications of one matrix-vector sweep through the chain: ``J v`` or ``u^T J``.

    Both orders cost the same when one end is a single vector: sum of
    ``dims[j] * dims[j-1]``, the entries of all the layer Jacobians.

    Examples
    --------
    >>> matvec_cost([2, 2, 2, 1])
    10
    """
    d = check_dims(dims, "matvec_cost")
    return sum(d[j] * d[j - 1] for j in range(1, len(d)))


def product_label(split, i: int, j: int) -> str:
    """The bracketing of ``J_j ... J_i`` that ``split`` (from :func:`best_order`) chose.

    Built with an explicit stack, no recursion: each pending item is a range
    (still to bracket) or a piece of text (already written).
    """
    out: list[str] = []
    stack: list = [(i, j, False)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        lo, hi, bracket = item
        if lo == hi:
            out.append(f"J{lo}")
            continue
        s = split[lo][hi]  # left factor J_hi ... J_{s+1}, right factor J_s ... J_lo
        parts = [(s + 1, hi, True), " ", (lo, s, True)]
        if bracket:
            parts = ["(", *parts, ")"]
        stack.extend(reversed(parts))
    return "".join(out)


def best_order(dims) -> tuple[int, str]:
    """The cheapest order of the product ``JK ... J1``: (multiplications, bracketing).

    The matrix-chain dynamic programme: the cheapest way to form ``J_j ... J_i``
    splits it into ``(J_j ... J_{s+1}) (J_s ... J_i)`` at the best ``s``, using
    the cheapest ways of forming the shorter pieces, which are worked out first.

    Examples
    --------
    >>> best_order([1, 100, 100, 1000])          # one input: forward is best
    (110000, 'J3 J2 J1 = J3 (J2 J1)')
    >>> best_order([100, 2, 100, 2, 100])        # a narrow middle: neither end is best
    (20800, 'J4 J3 J2 J1 = (J4 (J3 J2)) J1')
    """
    d = check_dims(dims, "best_order")
    k = len(d) - 1
    # cost[i][j]: the fewest multiplications for J_j ... J_i (layers numbered 1..k);
    # J_t is d[t]-by-d[t-1], so the product J_j ... J_i is d[j]-by-d[i-1].
    cost = [[0] * (k + 1) for _ in range(k + 1)]
    split = [[0] * (k + 1) for _ in range(k + 1)]
    for length in range(2, k + 1):
        for i in range(1, k - length + 2):
            j = i + length - 1
            cost[i][j], split[i][j] = min(
                (cost[i][s] + cost[s + 1][j] + d[j] * d[s] * d[i - 1], s) for s in range(i, j)
            )
    names = " ".join(f"J{t}" for t in range(k, 0, -1))
    return cost[1][k], f"{names} = {product_label(split, 1, k)}"
