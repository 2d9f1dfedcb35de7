"""Parameters as containers (JAX's pytrees) and has_aux, in every transformation."""

from __future__ import annotations

from collections import namedtuple

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import adlearn as ad
from adlearn.pytree import flatten, leaf_paths, tree_map, unflatten

RNG = np.random.default_rng(8)
X = RNG.normal(size=(5, 3))
Y = RNG.normal(size=(5, 2))
PARAMS = [(RNG.normal(size=(3, 4)), RNG.normal(size=4)), (RNG.normal(size=(4, 2)), RNG.normal(size=2))]


def loss(params, x=X, y=Y):
    h = x
    for k, (W, b) in enumerate(params):
        h = h @ W + b
        if k < len(params) - 1:
            h = np.tanh(h)
    return np.mean((h - y) ** 2)


def flat_loss(*leaves):
    return loss(unflatten(flatten(PARAMS)[1], leaves))


def test_grad_of_a_list_of_layer_pairs():
    g = ad.grad(loss)(PARAMS)
    assert isinstance(g, list)
    assert all(isinstance(layer, tuple) for layer in g)
    leaves, _ = flatten(PARAMS)
    expected = ad.grad(flat_loss, argnums=tuple(range(len(leaves))))(*leaves)
    for got, want, p in zip(flatten(g)[0], expected, leaves):
        assert got.shape == p.shape
        np.testing.assert_allclose(got, want, rtol=1e-12)
    # a step of gradient descent, as a training loop writes it
    stepped = [(W - 0.1 * gW, b - 0.1 * gb) for (W, b), (gW, gb) in zip(PARAMS, g)]
    assert loss(stepped) < loss(PARAMS)


def test_grad_by_central_differences():
    g = flatten(ad.grad(loss)(PARAMS))[0]
    leaves, structure = flatten(PARAMS)
    h = 1e-6
    for i, p in enumerate(leaves):
        for k in range(0, p.size, 3):
            up = [q.copy() for q in leaves]
            down = [q.copy() for q in leaves]
            up[i].flat[k] += h
            down[i].flat[k] -= h
            estimate = (loss(unflatten(structure, up)) - loss(unflatten(structure, down))) / (2 * h)
            assert g[i].flat[k] == pytest.approx(estimate, rel=1e-6, abs=1e-9)


def test_dicts_and_nested_structures_come_back_as_they_went_in():
    params = {"w": np.array([1.0, 2.0]), "layers": [1.5, (2.0, {"b": 3.0})]}

    def f(p):
        return np.sum(p["w"] ** 2) * p["layers"][0] + p["layers"][1][0] * p["layers"][1][1]["b"]

    value, g = ad.value_and_grad(f)(params)
    assert value == pytest.approx(5.0 * 1.5 + 6.0)
    assert list(g) == ["w", "layers"]
    np.testing.assert_allclose(g["w"], [3.0, 6.0])
    assert g["layers"][0] == pytest.approx(5.0)
    assert isinstance(g["layers"][1], tuple)
    assert g["layers"][1][0] == pytest.approx(3.0)
    assert g["layers"][1][1] == {"b": pytest.approx(2.0)}
    assert type(g["layers"][0]) is float


def test_namedtuples_keep_their_type():
    Layer = namedtuple("Layer", "W b")
    g = ad.grad(lambda p: np.sum(p.W) * p.b)(Layer(np.ones(2), 3.0))
    assert type(g).__name__ == "Layer"
    np.testing.assert_allclose(g.W, [3.0, 3.0])
    assert g.b == 2.0


def test_jvp_vjp_with_containers_in_and_out():
    def f(p):
        return {"s": p["a"] * p["b"], "t": (np.sin(p["a"]), p["b"] ** 2)}

    p = {"a": 2.0, "b": np.array([1.0, 3.0])}
    v = {"a": 1.0, "b": np.array([0.5, -1.0])}
    y, t = ad.jvp(f, (p,), (v,))
    np.testing.assert_allclose(y["s"], [2.0, 6.0])
    np.testing.assert_allclose(t["s"], 1.0 * p["b"] + p["a"] * v["b"])
    assert t["t"][0] == pytest.approx(np.cos(2.0))
    np.testing.assert_allclose(t["t"][1], 2 * p["b"] * v["b"])
    y2, vjp_fn = ad.vjp(f, p)
    np.testing.assert_allclose(y2["t"][1], [1.0, 9.0])
    ct = {"s": np.array([1.0, -1.0]), "t": (2.0, np.array([1.0, 1.0]))}
    (back,) = vjp_fn(ct)
    assert back["a"] == pytest.approx(np.sum(ct["s"] * p["b"]) + 2.0 * np.cos(2.0))
    np.testing.assert_allclose(back["b"], ct["s"] * p["a"] + 2 * p["b"])
    # <ct, J v> == <J^T ct, v>: the two modes agree
    lhs = np.sum(ct["s"] * t["s"]) + ct["t"][0] * t["t"][0] + np.sum(ct["t"][1] * t["t"][1])
    rhs = back["a"] * v["a"] + np.sum(back["b"] * v["b"])
    assert lhs == pytest.approx(rhs)


@pytest.mark.parametrize("jacobian", [ad.jacfwd, ad.jacrev])
def test_jacobians_of_containers_have_jaxs_structure(jacobian):
    def f(p):
        return (p[0] * p[1]["c"], np.sum(p[1]["c"]))

    p = [2.0, {"c": np.array([1.0, 3.0, 5.0])}]
    J = jacobian(f)(p)
    assert isinstance(J, tuple)
    np.testing.assert_allclose(J[0][0], p[1]["c"])  # d(p0 c)/dp0, shape (3,)
    np.testing.assert_allclose(J[0][1]["c"], 2.0 * np.eye(3))
    assert J[1][0] == 0.0
    np.testing.assert_allclose(J[1][1]["c"], np.ones(3))


def test_jacfwd_and_jacrev_agree_on_the_network():
    x = X[:2]
    fwd = ad.jacfwd(lambda p: loss(p, x, Y[:2]))(PARAMS)
    rev = ad.jacrev(lambda p: loss(p, x, Y[:2]))(PARAMS)
    for a, b in zip(flatten(fwd)[0], flatten(rev)[0]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)


def test_has_aux():
    def f(x):
        y = np.sum(x**2)
        return y, {"y": y, "x": x, "note": "aux may hold anything"}

    x = np.array([1.0, 2.0])
    (value, aux), g = ad.value_and_grad(f, has_aux=True)(x)
    assert value == 5.0
    np.testing.assert_allclose(g, [2.0, 4.0])
    assert aux["y"] == 5.0
    assert type(aux["x"]) is np.ndarray  # a plain value, not a tape variable
    assert aux["note"] == "aux may hold anything"
    g2, aux2 = ad.grad(f, has_aux=True)(x)
    np.testing.assert_allclose(g2, g)
    assert aux2["y"] == 5.0


def test_has_aux_needs_a_pair():
    with pytest.raises(TypeError, match=r"^grad: with has_aux=True the function must return a pair"):
        ad.grad(lambda x: x**2, has_aux=True)(1.0)


def test_tangent_structure_must_match():
    with pytest.raises(TypeError, match=r"^jvp: tangent 0 must have the structure of primal 0"):
        ad.jvp(lambda p: p[0], ([1.0, 2.0],), ([1.0],))


def test_leaf_paths_follow_flatten_order():
    tree = {"a": [1.0, (2.0, 3.0)], "b": {"c": 4.0}}
    leaves, _ = flatten(tree)
    assert leaves == [1.0, 2.0, 3.0, 4.0]
    assert leaf_paths(tree) == ["['a'][0]", "['a'][1][0]", "['a'][1][1]", "['b']['c']"]


def test_results_are_the_callers_own():
    p = [np.array([1.0, 2.0])]
    g = ad.grad(lambda p: np.sum(p[0]))(p)
    assert not np.shares_memory(g[0], p[0])


# --- second order and checks on containers, against HIPS autograd ------------------------

Point = namedtuple("Point", ["u", "v"])


def tree_loss(m, p, x):
    """A scalar function of a dict holding an array, a tuple and a namedtuple, written
    for the numpy module ``m`` (numpy for adlearn, autograd.numpy for the oracle)."""
    W, (b, c) = p["W"], p["bc"]
    h = m.tanh(m.dot(W, x) + b)
    return m.sum(h * h * c) + m.sin(p["pt"].u * p["pt"].v) + p["pt"].v ** 3


TREE = {
    "W": RNG.normal(size=(2, 3)),
    "bc": (RNG.normal(size=2), 0.7),
    "pt": Point(RNG.normal(), RNG.normal()),
}
TREE_X = RNG.normal(size=3)


def oracle_on_leaves(fn, tree):
    """autograd's gradient and Hessian of ``fn(tree)`` in one vector of all the leaves,
    with the offset of each leaf in it (autograd never sees the containers)."""
    leaves, structure = flatten(tree)
    sizes = [np.size(leaf) for leaf in leaves]
    offsets = np.cumsum([0, *sizes])

    def on_vector(v):
        parts = [v[a] if np.ndim(leaf) == 0 else anp.reshape(v[a:b], np.shape(leaf))
                 for a, b, leaf in zip(offsets, offsets[1:], leaves)]  # fmt: skip
        return fn(unflatten(structure, parts))

    v = np.concatenate([np.ravel(leaf) for leaf in leaves])
    return autograd.grad(on_vector)(v), autograd.hessian(on_vector)(v), offsets, leaves


def assert_blocks(H, oracle, offsets, leaves):
    """Every block of H, in flatten's order (row leaf i, then column leaf j), against
    the oracle's Hessian in the vector of all the leaves."""
    blocks = flatten(H)[0]
    assert len(blocks) == len(leaves) ** 2
    for k, block in enumerate(blocks):
        i, j = divmod(k, len(leaves))
        shape = np.shape(leaves[i]) + np.shape(leaves[j])
        want = oracle[offsets[i] : offsets[i + 1], offsets[j] : offsets[j + 1]].reshape(shape)
        assert np.shape(block) == shape
        if not shape:
            assert type(block) is float
        np.testing.assert_allclose(block, want, rtol=1e-10, atol=1e-12)


def test_hessian_of_a_container_nests_its_structure_twice():
    H = ad.hessian(lambda p: tree_loss(np, p, TREE_X))(TREE)
    _, oracle, offsets, leaves = oracle_on_leaves(lambda p: tree_loss(anp, p, TREE_X), TREE)
    assert list(H) == ["W", "bc", "pt"]
    assert isinstance(H["bc"], tuple)
    assert isinstance(H["pt"], Point)
    assert list(H["pt"].u) == ["W", "bc", "pt"]
    assert isinstance(H["pt"].u["bc"], tuple)
    assert_blocks(H, oracle, offsets, leaves)


def test_hessian_with_a_container_and_an_array_among_argnums():
    # as in JAX: the gradient's structure (p's, then x), each leaf a pair (p's blocks, x's block)
    H = ad.hessian(lambda p, x: tree_loss(np, p, x), argnums=(0, 1))(TREE, TREE_X)
    both = {"p": TREE, "x": TREE_X}
    _, oracle, offsets, leaves = oracle_on_leaves(lambda t: tree_loss(anp, t["p"], t["x"]), both)
    assert isinstance(H, tuple)
    assert list(H[0]) == ["W", "bc", "pt"]
    assert isinstance(H[0]["W"], tuple)
    assert list(H[0]["W"][0]) == ["W", "bc", "pt"]
    assert np.shape(H[0]["W"][1]) == (2, 3, 3)
    assert list(H[1][0]) == ["W", "bc", "pt"]
    assert_blocks(H, oracle, offsets, leaves)


def test_hvp_takes_primals_and_tangents_as_matching_containers():
    rng = np.random.default_rng(81)
    v_tree = tree_map(lambda leaf: rng.normal(size=np.shape(leaf)) * 1.0, TREE)
    v_x = rng.normal(size=3)
    hp, hx = ad.hvp(lambda p, x: tree_loss(np, p, x), (TREE, TREE_X), (v_tree, v_x))
    both = {"p": TREE, "x": TREE_X}
    _, oracle, offsets, leaves = oracle_on_leaves(lambda t: tree_loss(anp, t["p"], t["x"]), both)
    v = np.concatenate([np.ravel(leaf) for leaf in flatten({"p": v_tree, "x": v_x})[0]])
    product = oracle @ v
    assert isinstance(hp["bc"], tuple)
    assert isinstance(hp["pt"], Point)
    got = [*flatten(hp)[0], hx]
    for k, (leaf, value) in enumerate(zip(leaves, got)):
        want = product[offsets[k] : offsets[k + 1]].reshape(np.shape(leaf))
        assert np.shape(value) == np.shape(leaf)
        np.testing.assert_allclose(value, want, rtol=1e-10, atol=1e-12)
    with pytest.raises(TypeError, match=r"^hvp: tangent 1 must have the structure of primal 1"):
        ad.hvp(lambda p, x: tree_loss(np, p, x), (TREE, TREE_X), (v_tree, [1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match=r"^hvp: tangent 0\['W'\] has shape \(3,\)"):
        ad.hvp(lambda p: tree_loss(np, p, TREE_X), (TREE,), ({**v_tree, "W": v_x},))


def test_check_grad_compares_on_a_container_gradient():
    result = ad.check_grad(lambda p, x: tree_loss(np, p, x), TREE, TREE_X)
    gradient, _, offsets, leaves = oracle_on_leaves(
        lambda t: tree_loss(anp, t["p"], t["x"]), {"p": TREE, "x": TREE_X}
    )
    for estimate, tol in [(result.forward, 1e-12), (result.reverse, 1e-12),
                          (result.complex_step, 1e-12), (result.central, 1e-7)]:  # fmt: skip
        p_part, x_part = estimate
        assert isinstance(p_part["bc"], tuple)
        assert isinstance(p_part["pt"], Point)
        for k, (leaf, value) in enumerate(zip(leaves, [*flatten(p_part)[0], x_part])):
            want = gradient[offsets[k] : offsets[k + 1]].reshape(np.shape(leaf))
            assert np.shape(value) == np.shape(leaf)
            np.testing.assert_allclose(value, want, rtol=tol, atol=tol)
    assert result.max_error < 1e-7
    assert "d f / d argument 0['bc'][1]:" in repr(result)
    assert flatten(result.steps)[1] == flatten((TREE, TREE_X))[1]


def test_containers_not_differentiated_go_to_f_as_they_are():
    data = {"x": TREE_X, "name": "batch 1", "n": 3}  # a str and an int: data, not parameters
    result = ad.check_grad(lambda p, d: tree_loss(np, p, d["x"]) * d["n"], TREE, data, argnums=0)
    gradient, _, offsets, leaves = oracle_on_leaves(lambda p: 3 * tree_loss(anp, p, TREE_X), TREE)
    for k, (leaf, value) in enumerate(zip(leaves, flatten(result.reverse[0])[0])):
        want = gradient[offsets[k] : offsets[k + 1]].reshape(np.shape(leaf))
        np.testing.assert_allclose(value, want, rtol=1e-12, atol=1e-12)
    assert result.max_error < 1e-7
    H = ad.hessian(lambda p, d: tree_loss(np, p, d["x"]) * d["n"])(TREE, data)
    _, oracle, offsets, leaves = oracle_on_leaves(lambda p: 3 * tree_loss(anp, p, TREE_X), TREE)
    assert_blocks(H, oracle, offsets, leaves)


def test_derivative_passes_containers_through_and_refuses_one_to_seed():
    # d/dx of (p["a"] x^2, [sin x, p["b"] x]) = (2 p["a"] x, [cos x, p["b"]])
    p = {"a": 2.0, "b": np.array([1.0, -3.0])}
    out = ad.derivative(lambda x, p: (p["a"] * x**2, [np.sin(x), p["b"] * x]))(0.5, p)
    assert isinstance(out, tuple)
    assert isinstance(out[1], list)
    assert out[0] == pytest.approx(2.0)
    assert out[1][0] == pytest.approx(np.cos(0.5))
    np.testing.assert_allclose(out[1][1], [1.0, -3.0])
    with pytest.raises(TypeError, match=r"^derivative: argument 1 is a dict; derivative seeds"):
        ad.derivative(lambda x, p: p["a"] * x, 1)(0.5, p)


def test_trace_refuses_a_container_and_says_what_to_pass():
    with pytest.raises(TypeError, match=r"^trace: argument 0 is a dict; a trace has one input"):
        ad.trace(lambda p: p["a"] * p["b"], {"a": 1.0, "b": 2.0})
    # what the message suggests: the entries as separate arguments
    def f(p):
        return p["a"] * p["b"]

    t = ad.trace(lambda a, b: f({"a": a, "b": b}), 1.0, 2.0)
    assert t.gradient == (2.0, 1.0)
