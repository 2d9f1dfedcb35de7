"""Parameters as containers: nested lists, tuples and dicts of floats and arrays.

A network's parameters are rarely one array: ``[(W1, b1), (W2, b2)]`` or
``{"W": W, "b": b}``. As in JAX, such a container is a *tree* whose *leaves* are
the floats and arrays; ``grad`` differentiates every leaf and returns the
gradient as a tree of the same structure. :func:`flatten` lists the leaves,
:func:`unflatten` puts leaves back into the structure.

Examples
--------
>>> import numpy as np
>>> leaves, structure = flatten({"W": np.ones(2), "b": [1.0, 2.0]})
>>> leaves
[array([1., 1.]), 1.0, 2.0]
>>> unflatten(structure, [10.0, 20.0, 30.0])
{'W': 10.0, 'b': [20.0, 30.0]}
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["LEAF", "flatten", "is_leaf", "leaf_paths", "tree_map", "unflatten"]


class Node(NamedTuple):
    """A container of the tree: its type, its keys (a dict's) and its children."""

    kind: type
    keys: tuple
    children: tuple


#: The structure of a tree that is a single leaf.
LEAF = None


def is_leaf(x) -> bool:
    return not isinstance(x, (list, tuple, dict))


def flatten(tree) -> tuple[list, Any]:
    """The leaves of ``tree``, in order, and its structure."""
    if is_leaf(tree):  # one float or array, the common case
        return [tree], LEAF
    leaves: list = []
    return leaves, _flatten(tree, leaves)


def _flatten(tree, leaves):
    if isinstance(tree, dict):
        keys = tuple(tree)
        return Node(dict, keys, tuple(_flatten(tree[k], leaves) for k in keys))
    if isinstance(tree, (list, tuple)):
        return Node(type(tree), (), tuple(_flatten(t, leaves) for t in tree))
    leaves.append(tree)
    return LEAF


def unflatten(structure, leaves):
    """The tree of ``structure`` with ``leaves`` in place of its leaves."""
    if structure is LEAF:
        return next(iter(leaves))
    return _build(structure, iter(leaves))


def _build(structure, leaves):
    if structure is LEAF:
        return next(leaves)
    children = [_build(s, leaves) for s in structure.children]
    if structure.kind is dict:
        return dict(zip(structure.keys, children))
    if hasattr(structure.kind, "_fields"):  # a namedtuple
        return structure.kind(*children)
    return structure.kind(children)


def tree_map(fn, tree):
    """``tree`` with ``fn(leaf)`` in place of each leaf."""
    leaves, structure = flatten(tree)
    return unflatten(structure, [fn(leaf) for leaf in leaves])


def leaf_paths(tree) -> list[str]:
    """Where each leaf sits, as it would be indexed: ``"[1]['W']"`` (``""`` for a leaf).

    Examples
    --------
    >>> leaf_paths([1.0, {"W": 2.0}])
    ['[0]', "[1]['W']"]
    """
    paths = []
    stack = [("", tree)]
    while stack:  # depth first, children in order: the order of flatten's leaves
        path, node = stack.pop()
        if isinstance(node, dict):
            stack.extend((f"{path}[{k!r}]", node[k]) for k in reversed(tuple(node)))
        elif isinstance(node, (list, tuple)):
            stack.extend((f"{path}[{i}]", node[i]) for i in reversed(range(len(node))))
        else:
            paths.append(path)
    return paths


def checked_leaves(tree, where: str, position: int, check) -> tuple[list, Any]:
    """The leaves of argument ``position`` and its structure, each leaf passed
    through ``check(leaf, where, label)``, whose label says where it sits (``0[1]['W']``)."""
    if is_leaf(tree):
        return [check(tree, where, position)], LEAF
    leaves, structure = flatten(tree)
    labels = [f"{position}{path}" for path in leaf_paths(tree)]
    return [check(x, where, label) for x, label in zip(leaves, labels)], structure


def same_structure(a, b) -> bool:
    return flatten(a)[1] == flatten(b)[1]
