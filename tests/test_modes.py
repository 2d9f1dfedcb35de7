"""Forward mode, reverse mode, Jacobians and Hessians: the API, shapes and nesting.

Expected values are closed forms written here (the functions are small), or
central differences.
"""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

import adlearn as ad
from adlearn.examples import running_example as f


def vector_f(x):
    """R^3 -> R^2, with its Jacobian in closed form below."""
    return np.sin(x) @ np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]]) + x[0] * x[1]


def vector_f_jacobian(x):
    c = np.cos(x)
    J = np.array([[c[0], 0.0, c[2]], [0.0, c[1], -c[2]]])
    J[:, 0] += x[1]
    J[:, 1] += x[0]
    return J


X = np.array([0.3, -1.2, 2.0])


@pytest.fixture
def default_recursion_limit():
    """Run at Python's default recursion limit (1000), whatever pytest set."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    yield
    sys.setrecursionlimit(old)


# --- forward mode ------------------------------------------------------------------


def test_jvp_gives_value_and_directional_derivative():
    x1, x2, v1, v2 = 0.7, -1.3, 0.4, 2.5
    y, t = ad.jvp(f, (x1, x2), (v1, v2))
    assert y == pytest.approx(x1 * x2 + math.sin(x1))
    assert t == pytest.approx((x2 + math.cos(x1)) * v1 + x1 * v2)


def test_jvp_is_linear_in_the_tangent():
    v, w = np.array([1.0, 2.0, -1.0]), np.array([0.5, 0.0, 3.0])
    (_, tv), (_, tw) = ad.jvp(vector_f, (X,), (v,)), ad.jvp(vector_f, (X,), (w,))
    _, t = ad.jvp(vector_f, (X,), (2 * v - w,))
    np.testing.assert_allclose(t, 2 * tv - tw, rtol=1e-13)
    np.testing.assert_allclose(t, vector_f_jacobian(X) @ (2 * v - w), rtol=1e-13)


def test_jvp_of_a_function_returning_a_tuple():
    (y1, y2), (t1, t2) = ad.jvp(lambda x: (x * x, np.sin(x)), (1.5,), (1.0,))
    assert (y1, y2) == pytest.approx((2.25, math.sin(1.5)))
    assert (t1, t2) == pytest.approx((3.0, math.cos(1.5)))


def test_derivative_is_elementwise_on_a_grid():
    """ad.derivative(f, 0)(X1, X2) is df/dx1 at every grid point."""
    X1, X2 = np.meshgrid(np.linspace(-3, 3, 7), np.linspace(-2, 2, 5))
    np.testing.assert_allclose(ad.derivative(f, 0)(X1, X2), X2 + np.cos(X1), rtol=1e-14)
    np.testing.assert_allclose(ad.derivative(f, 1)(X1, X2), X1, rtol=1e-14)


def test_derivative_with_respect_to_an_unused_argument_is_zero():
    assert ad.derivative(lambda x, y: np.sin(y), 0)(1.0, 2.0) == 0.0
    np.testing.assert_array_equal(ad.derivative(lambda x, y: y * 2.0, 0)(1.0, np.ones(3)), 0.0)


# --- reverse mode ------------------------------------------------------------------


def test_grad_argnums():
    x1, x2 = 0.7, -1.3
    dx1, dx2 = x2 + math.cos(x1), x1
    assert ad.grad(f)(x1, x2) == pytest.approx(dx1)
    assert ad.grad(f, 1)(x1, x2) == pytest.approx(dx2)
    assert ad.grad(f, -1)(x1, x2) == pytest.approx(dx2)
    assert ad.grad(f, (1, 0))(x1, x2) == pytest.approx((dx2, dx1))
    value, grads = ad.value_and_grad(f, (0, 1))(x1, x2)
    assert value == pytest.approx(f(x1, x2))
    assert grads == pytest.approx((dx1, dx2))


def test_grad_of_an_input_and_of_a_constant():
    assert ad.grad(lambda x: x)(3.0) == 1.0
    assert ad.grad(lambda x: 3.0)(2.0) == 0.0
    assert ad.grad(lambda x, y: y * 1.0, (0, 1))(2.0, 5.0) == (0.0, 1.0)
    g = ad.grad(lambda x: 3.0)(np.ones((2, 2)))
    np.testing.assert_array_equal(g, np.zeros((2, 2)))


def test_int_inputs_are_floats():
    assert ad.grad(f, (0, 1))(2, 3) == pytest.approx((3 + math.cos(2), 2.0))
    np.testing.assert_allclose(ad.grad(lambda x: np.sum(x**2))(np.arange(3)), [0.0, 2.0, 4.0])


def test_vjp_pulls_back_cotangents():
    y, vjp_fn = ad.vjp(vector_f, X)
    np.testing.assert_allclose(y, vector_f(X))
    u = np.array([0.3, -2.0])
    (pulled,) = vjp_fn(u)
    np.testing.assert_allclose(pulled, u @ vector_f_jacobian(X), rtol=1e-13)


def test_vjp_of_several_arguments():
    _, vjp_fn = ad.vjp(f, 0.7, -1.3)
    assert vjp_fn(2.0) == pytest.approx((2.0 * (-1.3 + math.cos(0.7)), 2.0 * 0.7))


# --- idempotence ---------------------------------------------------------------------


def test_grad_twice_gives_the_same_answer():
    g = ad.grad(f, (0, 1))
    first, second = g(2.0, 3.0), g(2.0, 3.0)
    assert first == second
    assert first == pytest.approx((3.0 + math.cos(2.0), 2.0))


def test_vjp_fn_twice_gives_the_same_answer():
    """No stale adjoints: each call of vjp_fn starts from zero."""
    _, vjp_fn = ad.vjp(vector_f, X)
    u, w = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    first = vjp_fn(u)[0].copy()
    np.testing.assert_array_equal(vjp_fn(u)[0], first)
    np.testing.assert_allclose(vjp_fn(w)[0], vector_f_jacobian(X)[1], rtol=1e-13)
    np.testing.assert_array_equal(vjp_fn(u)[0], first)
    np.testing.assert_allclose(first, vector_f_jacobian(X)[0], rtol=1e-13)


def test_a_returned_gradient_is_not_shared():
    """Changing a returned gradient in place changes neither the next one nor the input."""
    x = np.array([1.0, 2.0])
    g = ad.grad(lambda x: np.sum(x * 3.0))
    first = g(x)
    first *= 0.0
    np.testing.assert_array_equal(g(x), [3.0, 3.0])
    np.testing.assert_array_equal(x, [1.0, 2.0])


# --- shapes and broadcasting -----------------------------------------------------------

SHAPES = [(), (1,), (3,), (2, 3), (2, 1, 3)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_a_gradient_has_the_shape_of_its_input(shape):
    x = np.linspace(-1.0, 1.0, int(np.prod(shape))).reshape(shape)
    expected = np.cos(x) * x + np.sin(x)  # d/dx sum(sin(x) * x)
    g = ad.grad(lambda x: np.sum(np.sin(x) * x))(x)
    assert np.shape(g) == shape
    np.testing.assert_allclose(g, expected, rtol=1e-14)
    d = ad.derivative(lambda x: np.sin(x) * x)(x)
    assert np.shape(d) == shape
    np.testing.assert_allclose(d, expected, rtol=1e-14)


def test_a_float_input_gets_a_float_gradient():
    assert type(ad.grad(np.sin)(1.0)) is float
    assert type(ad.grad(f, (0, 1))(1.0, 2.0)[1]) is float


@pytest.mark.parametrize(
    ("shape_a", "shape_b"), [((), (3,)), ((3, 1), (4,)), ((2, 1, 3), (4, 1)), ((1,), ())]
)
def test_broadcasting_in_both_modes(shape_a, shape_b):
    rng = np.random.default_rng(7)
    a = rng.normal(size=shape_a) if shape_a else 0.8
    b = rng.normal(size=shape_b) if shape_b else -0.4

    def g(a, b):
        return np.sum(np.sin(a * b) + a)

    full_a, full_b = np.broadcast_arrays(a, b)
    da = np.cos(full_a * full_b) * full_b + 1.0
    db = np.cos(full_a * full_b) * full_a
    ga, gb = ad.grad(g, (0, 1))(a, b)
    assert np.shape(ga) == np.shape(a)
    assert np.shape(gb) == np.shape(b)
    np.testing.assert_allclose(ga, reduce_to(da, np.shape(a)), rtol=1e-12)
    np.testing.assert_allclose(gb, reduce_to(db, np.shape(b)), rtol=1e-12)
    # forward mode seeded with ones: the directional derivative along all of a
    assert ad.derivative(g, 0)(a, b) == pytest.approx(float(np.sum(da)), rel=1e-12)


def reduce_to(x, shape):
    """Sum x down to ``shape`` (the adjoint of broadcasting), written out here."""
    while x.ndim > len(shape):
        x = x.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1:
            x = x.sum(axis=axis, keepdims=True)
    return x


def test_broadcast_before_a_sum_or_mean():
    """An operand broadcast and then summed receives the sum of the adjoints."""
    a, b = np.array([[1.0], [2.0], [3.0]]), np.ones((3, 4))
    assert ad.grad(lambda a: np.sum(a + np.ones(3)))(2.0) == 3.0
    np.testing.assert_allclose(ad.grad(lambda a: np.mean(a + b))(a), np.full((3, 1), 4 / 12))
    np.testing.assert_allclose(
        ad.grad(lambda a: np.sum(np.sum(a + b, axis=1) ** 2))(a), 2 * 4 * (4 * a + 4)
    )
    np.testing.assert_allclose(
        ad.grad(lambda a: np.sum(np.sum(a * b, axis=1, keepdims=True)))(a), np.full((3, 1), 4.0)
    )


def test_jacobians_of_an_empty_input():
    x = np.zeros(0)
    assert ad.jacfwd(np.sin)(x).shape == (0, 0)
    assert ad.jacrev(np.sin)(x).shape == (0, 0)


# --- Jacobians ------------------------------------------------------------------------


def test_jacobians_both_ways_against_the_closed_form():
    expected = vector_f_jacobian(X)
    np.testing.assert_allclose(ad.jacfwd(vector_f)(X), expected, rtol=1e-13)
    np.testing.assert_allclose(ad.jacrev(vector_f)(X), expected, rtol=1e-13)


def test_jacobian_shapes_are_output_shape_then_input_shape():
    def g(x, y):
        return x * y  # (3, 2) from x of shape (2,) and y of shape (3, 1)

    x, y = np.array([1.0, 2.0]), np.array([[1.0], [2.0], [3.0]])
    for jac in (ad.jacfwd, ad.jacrev):
        jx, jy = jac(g, (0, 1))(x, y)
        assert jx.shape == (3, 2, 2)
        assert jy.shape == (3, 2, 3, 1)
        # d (x_j y_i) / d x_k = y_i [j == k]
        np.testing.assert_array_equal(jx, np.einsum("i,jk->ijk", y[:, 0], np.eye(2)))
        np.testing.assert_array_equal(jy[:, :, :, 0], np.einsum("j,ik->ijk", x, np.eye(3)))


def test_jacfwd_of_a_tuple_output():
    j1, j2 = ad.jacfwd(lambda x: (x * 2.0, np.sum(x)))(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(j1, 2 * np.eye(2))
    np.testing.assert_array_equal(j2, [1.0, 1.0])


def test_jacfwd_of_a_tuple_output_with_tuple_argnums_nests_as_jax():
    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0, 5.0])
    (d1x, d1y), (d2x, d2y) = ad.jacfwd(lambda x, y: (x * 2.0, y * 3.0), (0, 1))(x, y)
    np.testing.assert_array_equal(d1x, 2 * np.eye(2))  # d out_1 / d x
    np.testing.assert_array_equal(d1y, np.zeros((2, 3)))  # d out_1 / d y
    np.testing.assert_array_equal(d2x, np.zeros((3, 2)))
    np.testing.assert_array_equal(d2y, 3 * np.eye(3))


# --- Hessians --------------------------------------------------------------------------


def test_hessian_of_an_array_function():
    def g(x):
        return np.sum(x**3) + x[0] * x[1]

    x = np.array([1.0, -2.0])
    expected = np.diag(6 * x) + np.array([[0.0, 1.0], [1.0, 0.0]])
    np.testing.assert_allclose(ad.hessian(g)(x), expected)
    v = np.array([0.5, 2.0])
    (hv,) = ad.hvp(g, (x,), (v,))
    np.testing.assert_allclose(hv, expected @ v)


def test_hessian_with_argnums_is_nested_tuples():
    x1, x2 = 0.7, 1.9
    (h11, h12), (h21, h22) = ad.hessian(f, (0, 1))(x1, x2)
    assert (h11, h12, h21, h22) == pytest.approx((-math.sin(x1), 1.0, 1.0, 0.0))
    assert ad.hvp(f, (x1, x2), (1.0, 2.0)) == pytest.approx((-math.sin(x1) + 2.0, 1.0))


def test_hessian_of_arrays_with_argnums():
    def g(x, y):
        return np.sum(x * x) * np.sum(y)

    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0, 5.0])
    (hxx, hxy), (hyx, hyy) = ad.hessian(g, (0, 1))(x, y)
    np.testing.assert_allclose(hxx, 2 * 12.0 * np.eye(2))
    np.testing.assert_allclose(hxy, np.outer(2 * x, np.ones(3)))
    np.testing.assert_allclose(hyx, np.outer(np.ones(3), 2 * x))
    np.testing.assert_allclose(hyy, np.zeros((3, 3)))


def test_hessian_against_central_differences_of_the_gradient():
    def g(x):
        return np.sum(np.exp(np.sin(x) * x[0]) / (1.0 + x * x))

    x, h = np.array([0.3, -0.7, 1.1]), 1e-6
    grad = ad.grad(g)
    columns = [(grad(x + h * e) - grad(x - h * e)) / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(ad.hessian(g)(x), np.stack(columns, axis=-1), rtol=1e-6)


# --- nesting: no perturbation confusion --------------------------------------------------

NESTINGS = {
    "forward over forward": (ad.derivative, ad.derivative),
    "reverse over reverse": (ad.grad, ad.grad),
    "forward over reverse": (ad.derivative, ad.grad),
    "reverse over forward": (ad.grad, ad.derivative),
}


@pytest.mark.parametrize("nesting", NESTINGS)
@pytest.mark.parametrize("x", [-2.5, 0.0, 1.0, 3.7])
def test_no_perturbation_confusion(nesting, x):
    """d/dx [x * d/dy (x + y)] = d/dx [x * 1] = 1 at every x (not 2)."""
    outer, inner = NESTINGS[nesting]
    assert outer(lambda x: x * inner(lambda y: x + y)(1.0))(x) == 1.0


@pytest.mark.parametrize("nesting", NESTINGS)
@pytest.mark.parametrize("x", [-2.5, 0.5, 3.7])
def test_inner_derivative_that_depends_on_the_outer_variable(nesting, x):
    """d/dx [x * d/dy (x * y)] = d/dx [x * x] = 2x; d/dx d/dy (x y^2) at y=x: 4x."""
    outer, inner = NESTINGS[nesting]
    assert outer(lambda x: x * inner(lambda y: x * y)(1.0))(x) == pytest.approx(2 * x)
    assert outer(lambda x: inner(lambda y: x * y * y)(x))(x) == pytest.approx(4 * x)


def test_three_levels_of_nesting():
    """d3/dx3 sin x = -cos x, through every mix of the two modes."""
    for third in (ad.derivative, ad.grad):
        for second in (ad.derivative, ad.grad):
            for first in (ad.derivative, ad.grad):
                assert third(second(first(np.sin)))(0.4) == pytest.approx(-math.cos(0.4))


# --- long chains: no recursion anywhere --------------------------------------------------


def chain(x, steps):
    for _ in range(steps):
        x = np.sin(x) * 0.001 + 0.999 * x
    return x


def chain_derivative(x, steps):
    """The product of the local derivatives 0.001 cos(x_k) + 0.999, on floats."""
    d = 1.0
    for _ in range(steps):
        d *= 0.001 * math.cos(x) + 0.999
        x = math.sin(x) * 0.001 + 0.999 * x
    return d


@pytest.mark.usefixtures("default_recursion_limit")
def test_million_step_chain_in_reverse_mode():
    steps = 10**6
    assert sys.getrecursionlimit() == 1000
    assert ad.grad(lambda x: chain(x, steps))(0.5) == pytest.approx(
        chain_derivative(0.5, steps), rel=1e-9
    )


@pytest.mark.usefixtures("default_recursion_limit")
def test_million_step_chain_in_forward_mode():
    steps = 10**6
    assert ad.derivative(lambda x: chain(x, steps))(0.5) == pytest.approx(
        chain_derivative(0.5, steps), rel=1e-9
    )


@pytest.mark.usefixtures("default_recursion_limit")
def test_long_chain_to_second_order_and_traced():
    """Deeper than the recursion limit: Hessian, reverse over reverse, trace."""
    steps = 3000

    def g(x):
        return chain(x, steps)

    h = 1e-5
    expected = (chain_derivative(0.5 + h, steps) - chain_derivative(0.5 - h, steps)) / (2 * h)
    assert ad.hessian(g)(0.5) == pytest.approx(expected, rel=1e-6)
    assert ad.grad(ad.grad(g))(0.5) == pytest.approx(expected, rel=1e-6)
    t = ad.trace(g, 0.5)
    assert len(t.units) == 1 + 4 * steps
    assert t.gradient[0] == pytest.approx(chain_derivative(0.5, steps), rel=1e-12)


# --- results are arrays of their own -------------------------------------------------


def test_no_result_shares_memory_with_an_input():
    """Writing into a result must not change the caller's arrays (a partial that
    is the other operand, a seed of one, f returning its input unchanged)."""
    x1, x2, ct = np.ones(3), np.arange(3.0), np.ones(3)
    results = [
        ad.derivative(f, 1)(x1, x2),  # d/dx2 (x1 x2) is x1 itself
        ad.grad(lambda a, b: np.sum(a * b), 1)(x1, x2),
        ad.vjp(lambda x: x + 1.0, x2)[1](ct)[0],  # the cotangent passes through unchanged
        *ad.jvp(lambda x: x, (x1,), (x2,)),
        ad.vjp(lambda x: x, x1)[0],
        ad.vjp(lambda x: x[1:], x2)[0],  # a view of the input
        ad.jvp(lambda x: x.T, (x1,), (x2,))[1],
    ]
    for r in results:
        for given in (x1, x2, ct):
            assert not np.shares_memory(r, given)
